//! Licenses (SPEC §4): created and changed from a locker's credits, each change a ledger
//! entry and an event in the license's history, all in one transaction of the credit
//! writer (`credits`), with the answer kept under the request's `Idempotency-Key`.

use super::credits::Job;
use super::idempotency::{self, IdempotencyKey, Remembered};
use super::lockers::{self, NewEntry};
use super::outbox::{insert_mail, Carries, NewMail};
use super::{Db, Tx};
use crate::clock::to_db;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;
use tessera_domain::catalog::Catalog;
use tessera_domain::code;
use tessera_domain::ledger::EntryKind;
use tessera_domain::license::{self, Change, Consumption, EventKind, LicenseError, NewLicense};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LicenseRecord {
    pub id: i64,
    pub org_id: i64,
    pub activation_id: String,
    pub product: String,
    pub tier: String,
    pub term_months: i64,
    pub quantity: i64,
    pub starts_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub installer_email: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AddOnRecord {
    pub license_id: i64,
    pub sku: String,
    pub added_on: NaiveDate,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LicenseEventRecord {
    #[sqlx(try_from = "String")]
    pub kind: EventKind,
    pub on_day: NaiveDate,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub summary: String,
    /// JSON: `[{"sku", "device_months"}]`.
    pub consumed: String,
}

impl LicenseEventRecord {
    pub fn consumed(&self) -> Vec<Consumption> {
        serde_json::from_str(&self.consumed).unwrap_or_default()
    }
}

/// A license with its add-ons (and its history, when asked for).
#[derive(Debug, Clone)]
pub struct LicenseRow {
    pub license: LicenseRecord,
    pub addons: Vec<AddOnRecord>,
    pub events: Vec<LicenseEventRecord>,
}

impl LicenseRow {
    /// The license as the domain's rules see it.
    pub fn rules(&self) -> license::License {
        let l = &self.license;
        license::License {
            product: l.product.clone(),
            tier: l.tier.clone(),
            term_months: u32::try_from(l.term_months).unwrap_or(0),
            quantity: u32::try_from(l.quantity).unwrap_or(0),
            starts_on: l.starts_on,
            expires_on: l.expires_on,
            addons: self.addons.iter().map(|a| a.sku.clone()).collect(),
        }
    }
}

const LICENSE_COLUMNS: &str =
    "id, org_id, activation_id, product, tier, term_months, quantity, starts_on, expires_on, installer_email";

/// What a license job is asked to do.
pub enum LicenseOp {
    Create {
        product: String,
        tier: String,
        term_months: u32,
        quantity: u32,
        starts_on: Option<NaiveDate>,
        installer_email: String,
        activation_id: String,
        mail: NewMail,
    },
    Increase {
        id: i64,
        by: u32,
    },
    Renew {
        id: i64,
        term_months: u32,
    },
    Amend {
        id: i64,
        tier: String,
    },
    AddOn {
        id: i64,
        sku: String,
    },
}

/// Who acts, for the ledger and the history.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub name: String,
    pub org_id: i64,
}

/// A license job as the credit writer runs it.
pub struct LicenseWork {
    pub op: LicenseOp,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    pub idempotency: Option<IdempotencyKey>,
    pub catalog: Arc<Catalog>,
    /// Builds the answer's body from the license as written (the API's `License`, as JSON).
    pub render: fn(&Catalog, &LicenseRow, NaiveDate) -> String,
}

/// A done (or replayed) operation: the HTTP status and the JSON body to answer.
#[derive(Debug, Clone)]
pub struct LicenseDone {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

#[derive(Debug)]
pub enum LicenseRefusal {
    NotFound,
    Rule(LicenseError),
    Insufficient(Vec<Consumption>),
    KeyReused,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for LicenseRefusal {
    fn from(e: sqlx::Error) -> Self {
        LicenseRefusal::Db(e)
    }
}

async fn load(tx: &mut Tx<'_>, org_id: i64, id: i64) -> Result<Option<LicenseRow>, sqlx::Error> {
    let found: Option<LicenseRecord> =
        sqlx::query_as(&format!("SELECT {LICENSE_COLUMNS} FROM licenses WHERE id = ? AND org_id = ?"))
            .bind(id)
            .bind(org_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(license) = found else { return Ok(None) };
    let addons =
        sqlx::query_as("SELECT license_id, sku, added_on FROM license_addons WHERE license_id = ? ORDER BY rowid")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    let events = sqlx::query_as(
        "SELECT kind, on_day, at, actor_name, summary, consumed FROM license_events WHERE license_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some(LicenseRow { license, addons, events }))
}

/// The locker's balance of each SKU, 0 when it has none (or there is no locker).
async fn balance(tx: &mut Tx<'_>, locker_id: Option<i64>, sku: &str) -> Result<u64, sqlx::Error> {
    let Some(locker_id) = locker_id else { return Ok(0) };
    let held: Option<i64> = sqlx::query_scalar("SELECT device_months FROM balances WHERE locker_id = ? AND sku = ?")
        .bind(locker_id)
        .bind(sku)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(held.and_then(|h| u64::try_from(h).ok()).unwrap_or(0))
}

/// Runs one license job inside `tx` (a savepoint of a credit batch). `Err` only for a
/// database failure; a refusal leaves the savepoint to be rolled back.
pub(super) async fn run(tx: &mut Tx<'_>, work: &mut LicenseWork) -> Result<LicenseDone, LicenseRefusal> {
    let now = work.now;
    let today = now.date_naive();
    let at = to_db(now);
    let actor = work.actor.clone();
    if let Some(key) = &work.idempotency {
        match idempotency::remembered(tx, actor.user_id, key, now).await? {
            Remembered::Answer { status, body } => return Ok(LicenseDone { status, body, replayed: true }),
            Remembered::OtherRequest => return Err(LicenseRefusal::KeyReused),
            Remembered::Nothing => {}
        }
    }
    let catalog = work.catalog.clone();
    let (existing, change) = match &work.op {
        LicenseOp::Create { product, tier, term_months, quantity, starts_on, .. } => {
            let new =
                NewLicense { product, tier, term_months: *term_months, quantity: *quantity, starts_on: *starts_on };
            (None, license::create(&catalog, &new, today).map_err(LicenseRefusal::Rule)?)
        }
        LicenseOp::Increase { id, by } => {
            let row = load(tx, actor.org_id, *id).await?.ok_or(LicenseRefusal::NotFound)?;
            let change = license::increase(&catalog, &row.rules(), *by, today).map_err(LicenseRefusal::Rule)?;
            (Some(row), change)
        }
        LicenseOp::Renew { id, term_months } => {
            let row = load(tx, actor.org_id, *id).await?.ok_or(LicenseRefusal::NotFound)?;
            let change = license::renew(&catalog, &row.rules(), *term_months, today).map_err(LicenseRefusal::Rule)?;
            (Some(row), change)
        }
        LicenseOp::Amend { id, tier } => {
            let row = load(tx, actor.org_id, *id).await?.ok_or(LicenseRefusal::NotFound)?;
            let change = license::amend(&catalog, &row.rules(), tier, today).map_err(LicenseRefusal::Rule)?;
            (Some(row), change)
        }
        LicenseOp::AddOn { id, sku } => {
            let row = load(tx, actor.org_id, *id).await?.ok_or(LicenseRefusal::NotFound)?;
            let change = license::add_on(&catalog, &row.rules(), sku, today).map_err(LicenseRefusal::Rule)?;
            (Some(row), change)
        }
    };
    let locker_id: Option<i64> = sqlx::query_scalar("SELECT locker_id FROM locker_members WHERE user_id = ?")
        .bind(actor.user_id)
        .fetch_optional(&mut **tx)
        .await?;
    let mut held = Vec::with_capacity(change.consumes.len());
    for c in &change.consumes {
        held.push((c.sku.clone(), balance(tx, locker_id, &c.sku).await?));
    }
    let short = license::missing(&change.consumes, |sku| held.iter().find(|(s, _)| s == sku).map_or(0, |(_, b)| *b));
    let Some(locker_id) = locker_id.filter(|_| short.is_empty()) else {
        return Err(LicenseRefusal::Insufficient(short));
    };
    let license_id = match (&work.op, existing) {
        (LicenseOp::Create { installer_email, activation_id, .. }, _) => {
            insert_license(tx, &actor, &change, installer_email, activation_id, &at).await?
        }
        (_, Some(row)) => {
            update_license(tx, row.license.id, &change, today, &at).await?;
            row.license.id
        }
        (_, None) => return Err(LicenseRefusal::NotFound),
    };
    let activation: String = sqlx::query_scalar("SELECT activation_id FROM licenses WHERE id = ?")
        .bind(license_id)
        .fetch_one(&mut **tx)
        .await?;
    let grouped = code::Code::parse(&activation).map_or(activation, |c| c.grouped());
    let reference = format!("License {grouped}: {}", change.kind.label().to_lowercase());
    for c in &change.consumes {
        let entry = NewEntry {
            sku: &c.sku,
            kind: EntryKind::Consume,
            device_months: -i64::try_from(c.device_months)
                .map_err(|_| LicenseRefusal::Rule(LicenseError::QuantityInvalid))?,
            voucher_id: None,
            reference: Some(&reference),
            actor_id: actor.user_id,
            actor_name: &actor.name,
        };
        lockers::append(tx, locker_id, &entry, &at).await?;
    }
    let consumed = serde_json::to_string(&change.consumes).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    sqlx::query(
        "INSERT INTO license_events (license_id, kind, on_day, at, actor_id, actor_name, summary, consumed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(license_id)
    .bind(change.kind.as_str())
    .bind(today)
    .bind(&at)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(&change.summary)
    .bind(consumed)
    .execute(&mut **tx)
    .await?;
    if let LicenseOp::Create { mail, .. } = &work.op {
        insert_mail(tx, mail, Carries::Nothing, &at).await?;
    }
    let row = load(tx, actor.org_id, license_id).await?.ok_or(LicenseRefusal::NotFound)?;
    let status = if matches!(work.op, LicenseOp::Create { .. }) { 201 } else { 200 };
    let body = (work.render)(&catalog, &row, today);
    if let Some(key) = &work.idempotency {
        idempotency::remember(tx, actor.user_id, key, status, &body, &at).await?;
    }
    Ok(LicenseDone { status, body, replayed: false })
}

async fn insert_license(
    tx: &mut Tx<'_>,
    actor: &Actor,
    change: &Change,
    installer_email: &str,
    activation_id: &str,
    at: &str,
) -> Result<i64, sqlx::Error> {
    let l = &change.after;
    sqlx::query_scalar(
        "INSERT INTO licenses (org_id, activation_id, product, tier, term_months, quantity, starts_on, expires_on,
                               installer_email, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(actor.org_id)
    .bind(activation_id)
    .bind(&l.product)
    .bind(&l.tier)
    .bind(i64::from(l.term_months))
    .bind(i64::from(l.quantity))
    .bind(l.starts_on)
    .bind(l.expires_on)
    .bind(installer_email)
    .bind(actor.user_id)
    .bind(at)
    .bind(at)
    .fetch_one(&mut **tx)
    .await
}

async fn update_license(
    tx: &mut Tx<'_>,
    id: i64,
    change: &Change,
    today: NaiveDate,
    at: &str,
) -> Result<(), sqlx::Error> {
    let l = &change.after;
    sqlx::query(
        "UPDATE licenses SET tier = ?, term_months = ?, quantity = ?, expires_on = ?, updated_at = ? WHERE id = ?",
    )
    .bind(&l.tier)
    .bind(i64::from(l.term_months))
    .bind(i64::from(l.quantity))
    .bind(l.expires_on)
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if change.kind == EventKind::AddOn {
        if let Some(sku) = l.addons.last() {
            sqlx::query("INSERT INTO license_addons (license_id, sku, added_on) VALUES (?, ?, ?)")
                .bind(id)
                .bind(sku)
                .bind(today)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

impl Db {
    /// Runs a license job through the credit writer: judged and written under the write
    /// lock, durable when answered.
    pub async fn license_job(&self, work: LicenseWork) -> Result<LicenseDone, LicenseRefusal> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let stopped = || LicenseRefusal::Db(sqlx::Error::Protocol("the credit writer stopped".into()));
        self.credits.send(Job::License { work: Box::new(work), reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// A license of `org_id` with its add-ons and history.
    pub async fn license(&self, org_id: i64, id: i64) -> Result<Option<LicenseRow>, sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        let mut tx = sqlx::Acquire::begin(&mut *conn).await?;
        let row = load(&mut tx, org_id, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The licenses of `org_id` with their add-ons (no history), soonest expiry first.
    pub async fn licenses(&self, org_id: i64, limit: i64) -> Result<Vec<LicenseRow>, sqlx::Error> {
        let licenses: Vec<LicenseRecord> = sqlx::query_as(&format!(
            "SELECT {LICENSE_COLUMNS} FROM licenses WHERE org_id = ? ORDER BY expires_on, id LIMIT ?"
        ))
        .bind(org_id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let addons: Vec<AddOnRecord> = sqlx::query_as(
            "SELECT a.license_id, a.sku, a.added_on FROM license_addons a JOIN licenses l ON l.id = a.license_id
             WHERE l.org_id = ? ORDER BY a.rowid",
        )
        .bind(org_id)
        .fetch_all(&self.read)
        .await?;
        let mut by_license: std::collections::HashMap<i64, Vec<AddOnRecord>> = std::collections::HashMap::new();
        for a in addons {
            by_license.entry(a.license_id).or_default().push(a);
        }
        Ok(licenses
            .into_iter()
            .map(|license| {
                let addons = by_license.remove(&license.id).unwrap_or_default();
                LicenseRow { license, addons, events: Vec::new() }
            })
            .collect())
    }

    /// The balance of each of `skus` in the locker of `user_id` (0 where none).
    pub async fn balances_of(&self, user_id: i64, skus: &[&str]) -> Result<Vec<(String, u64)>, sqlx::Error> {
        let mut out = Vec::with_capacity(skus.len());
        for sku in skus {
            let held: Option<i64> = sqlx::query_scalar(
                "SELECT b.device_months FROM balances b JOIN locker_members m ON m.locker_id = b.locker_id
                 WHERE m.user_id = ? AND b.sku = ?",
            )
            .bind(user_id)
            .bind(sku)
            .fetch_optional(&self.read)
            .await?;
            out.push((sku.to_string(), held.and_then(|h| u64::try_from(h).ok()).unwrap_or(0)));
        }
        Ok(out)
    }
}
