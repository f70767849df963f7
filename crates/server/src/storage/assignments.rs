//! Assigning device-subscription plans (SPEC §5): one unit of a plan SKU per device, the
//! device's chain recomputed by the domain's rule, all devices or none, in one transaction of
//! the credit writer with the ledger entry and the `Idempotency-Key`'s answer.

use super::credits::Job;
use super::devices::{replace_chain, visible_in, DeviceRow};
use super::idempotency::{self, IdempotencyKey, Remembered};
use super::licenses::{Actor, LicenseDone};
use super::lockers::{self, NewEntry};
use super::{Db, Tx};
use crate::clock::to_db;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;
use tessera_domain::catalog::{Catalog, Model, SkuKind};
use tessera_domain::entitlement;
use tessera_domain::ledger::EntryKind;
use tessera_domain::license::{self, Consumption};
use tessera_domain::proration::term_device_months;

/// A plan to put on devices, as the rules have checked it.
#[derive(Debug, Clone)]
pub struct PlanToAssign {
    pub sku: String,
    pub product: String,
    pub tier: String,
    pub tier_rank: u8,
    pub term_months: u32,
    /// Months a promotion adds today.
    pub bonus_months: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    UnknownSku,
    /// A license SKU, an amendment or an add-on: not a device plan.
    NotADevicePlan,
}

impl PlanToAssign {
    /// The plan a SKU sells, if it is a device-subscription plan.
    pub fn of(catalog: &Catalog, sku: &str, today: NaiveDate) -> Result<PlanToAssign, PlanError> {
        let found = catalog.sku(sku.trim()).ok_or(PlanError::UnknownSku)?;
        let product = catalog.product(&found.product).ok_or(PlanError::UnknownSku)?;
        if product.model != Model::DeviceSubscription || found.kind != SkuKind::Plan {
            return Err(PlanError::NotADevicePlan);
        }
        let tier = found.tier.clone().unwrap_or_default();
        Ok(PlanToAssign {
            sku: found.code.clone(),
            product: product.key.clone(),
            tier_rank: product.rank(&tier).unwrap_or(0),
            tier,
            term_months: found.term_months.unwrap_or(0),
            bonus_months: license::bonus_months(catalog, &found.code, today),
        })
    }

    /// Device-months `devices` units of it cost.
    pub fn cost(&self, devices: usize) -> Consumption {
        let n = u32::try_from(devices).unwrap_or(u32::MAX);
        Consumption { sku: self.sku.clone(), device_months: term_device_months(n, self.term_months) }
    }

    /// The device's segments of this plan's product after assigning it on `today`.
    pub fn chain_after(&self, row: &DeviceRow, today: NaiveDate) -> Vec<entitlement::Segment> {
        let current: Vec<entitlement::Segment> =
            row.segments.iter().filter(|s| s.product == self.product).map(|s| s.segment()).collect();
        entitlement::assign(&current, self.tier_rank, &self.tier, self.term_months + self.bonus_months, today)
    }
}

pub struct AssignWork {
    pub plan: PlanToAssign,
    pub device_ids: Vec<i64>,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    pub idempotency: Option<IdempotencyKey>,
    pub catalog: Arc<Catalog>,
    /// The answer's body from the devices as written.
    pub render: fn(&[DeviceRow], &Consumption, i64, NaiveDate) -> String,
}

#[derive(Debug)]
pub enum AssignRefusal {
    /// A device the caller cannot see.
    NotFound(i64),
    Insufficient(Vec<Consumption>),
    KeyReused,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for AssignRefusal {
    fn from(e: sqlx::Error) -> Self {
        AssignRefusal::Db(e)
    }
}

pub(super) async fn run(tx: &mut Tx<'_>, work: &mut AssignWork) -> Result<LicenseDone, AssignRefusal> {
    let (now, actor) = (work.now, work.actor.clone());
    let (today, at) = (now.date_naive(), to_db(now));
    if let Some(key) = &work.idempotency {
        match idempotency::remembered(tx, actor.user_id, key, now).await? {
            Remembered::Answer { status, body } => return Ok(LicenseDone { status, body, replayed: true }),
            Remembered::OtherRequest => return Err(AssignRefusal::KeyReused),
            Remembered::Nothing => {}
        }
    }
    let rows = visible_in(tx, actor.org_id, &work.device_ids).await?;
    if let Some(missing) = work.device_ids.iter().find(|id| !rows.iter().any(|r| r.device.id == **id)) {
        return Err(AssignRefusal::NotFound(*missing));
    }
    let cost = work.plan.cost(rows.len());
    let locker_id: Option<i64> = sqlx::query_scalar("SELECT locker_id FROM locker_members WHERE user_id = ?")
        .bind(actor.user_id)
        .fetch_optional(&mut **tx)
        .await?;
    let held: i64 = match locker_id {
        Some(id) => sqlx::query_scalar("SELECT device_months FROM balances WHERE locker_id = ? AND sku = ?")
            .bind(id)
            .bind(&cost.sku)
            .fetch_optional(&mut **tx)
            .await?
            .unwrap_or(0),
        None => 0,
    };
    let short = license::missing(std::slice::from_ref(&cost), |_| u64::try_from(held).unwrap_or(0));
    let Some(locker_id) = locker_id.filter(|_| short.is_empty()) else {
        return Err(AssignRefusal::Insufficient(short));
    };
    let reference = if rows.len() == 1 {
        format!("Assigned to device {}", rows[0].device.serial)
    } else {
        format!("Assigned to {} devices", rows.len())
    };
    let entry = NewEntry {
        sku: &cost.sku,
        kind: EntryKind::Consume,
        device_months: -i64::try_from(cost.device_months).unwrap_or(i64::MAX),
        voucher_id: None,
        reference: Some(&reference),
        actor_id: actor.user_id,
        actor_name: &actor.name,
    };
    lockers::append(tx, locker_id, &entry, &at).await?;
    let months = i64::from(work.plan.term_months + work.plan.bonus_months);
    for row in &rows {
        let chain = work.plan.chain_after(row, today);
        replace_chain(tx, row.device.id, &work.plan.product, &chain).await?;
        sqlx::query(
            "INSERT INTO device_assignments (device_id, sku, months, on_day, paid_by_org, actor_id, actor_name, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(row.device.id)
        .bind(&work.plan.sku)
        .bind(months)
        .bind(today)
        .bind(actor.org_id)
        .bind(actor.user_id)
        .bind(&actor.name)
        .bind(&at)
        .execute(&mut **tx)
        .await?;
    }
    let after = visible_in(tx, actor.org_id, &work.device_ids).await?;
    let body = (work.render)(&after, &cost, actor.org_id, today);
    if let Some(key) = &work.idempotency {
        idempotency::remember(tx, actor.user_id, key, 200, &body, &at).await?;
    }
    Ok(LicenseDone { status: 200, body, replayed: false })
}

impl Db {
    /// Runs an assignment through the credit writer.
    pub async fn assign_plan(&self, work: AssignWork) -> Result<LicenseDone, AssignRefusal> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let stopped = || AssignRefusal::Db(sqlx::Error::Protocol("the credit writer stopped".into()));
        self.credits.send(Job::Assign { work: Box::new(work), reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}
