//! Vouchers (SPEC §3): issued by the vendor, redeemed once into a Digital Locker. A code
//! is stored only as its SHA-256 and its last four symbols.

use super::credits::{FailureLimit, Job};
use super::lockers::{self, NewEntry};
use super::outbox::{insert_mail, Carries, NewMail};
use super::{is_unique_violation, Db, Tx};
use crate::clock::to_db;
use chrono::{DateTime, NaiveDate, Utc};
use tessera_domain::ledger::EntryKind;
use tessera_domain::voucher::{self, VoucherState};

/// A voucher to issue; `code_hash` is the SHA-256 of the compact code.
pub struct NewVoucher {
    pub code_hash: String,
    pub code_hint: String,
    pub sku: String,
    pub quantity: i64,
    pub device_months: i64,
    pub email: Option<String>,
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VoucherRecord {
    pub id: i64,
    pub code_hint: String,
    pub sku: String,
    pub quantity: i64,
    pub device_months: i64,
    pub email: Option<String>,
    pub expires_on: Option<NaiveDate>,
    pub issued_at: DateTime<Utc>,
    pub redeemed_at: Option<DateTime<Utc>>,
    pub redeemed_by: Option<i64>,
    pub redeemed_locker: Option<i64>,
    pub redeemed_org_name: Option<String>,
}

impl VoucherRecord {
    pub fn state_on(&self, today: NaiveDate) -> VoucherState {
        voucher::state_on(self.redeemed_at.is_some(), self.expires_on, today)
    }
}

/// Who redeems, as the ledger and the vendor's list keep them.
pub struct Redeemer<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub org_name: &'a str,
}

/// [`Redeemer`] as the credit writer keeps it until its batch commits.
pub(super) struct OwnedRedeemer {
    pub user_id: i64,
    pub name: String,
    pub org_name: String,
}

/// Judges and writes one redemption in `tx` (a savepoint of a credit batch). A refusal may
/// leave writes behind (a locker made for the redeemer): the caller rolls them back.
pub(super) async fn redeem_in(
    tx: &mut Tx<'_>,
    code_hash: &str,
    who: &OwnedRedeemer,
    now: DateTime<Utc>,
) -> Result<Redemption, RedeemError> {
    let now_s = to_db(now);
    let found: Option<VoucherRecord> =
        sqlx::query_as(&format!("SELECT {VOUCHER_COLUMNS} FROM vouchers WHERE code_hash = ?"))
            .bind(code_hash)
            .fetch_optional(&mut **tx)
            .await?;
    let v = found.ok_or(RedeemError::Unknown)?;
    let locker_id = lockers::locker_of(tx, who.user_id, &now_s).await?;
    match v.state_on(now.date_naive()) {
        VoucherState::Unredeemed => {}
        VoucherState::Redeemed => {
            let on = v.redeemed_at.unwrap_or(now);
            let here = v.redeemed_locker == Some(locker_id) || v.redeemed_by == Some(who.user_id);
            return Err(RedeemError::AlreadyRedeemed { on, here });
        }
        VoucherState::Expired => {
            return Err(RedeemError::Expired { last_day: v.expires_on.unwrap_or_else(|| now.date_naive()) })
        }
    }
    let taken = sqlx::query(
        "UPDATE vouchers SET redeemed_at = ?, redeemed_by = ?, redeemed_locker = ?, redeemed_org_name = ?
         WHERE id = ? AND redeemed_at IS NULL",
    )
    .bind(&now_s)
    .bind(who.user_id)
    .bind(locker_id)
    .bind(&who.org_name)
    .bind(v.id)
    .execute(&mut **tx)
    .await?;
    if taken.rows_affected() != 1 {
        return Err(RedeemError::AlreadyRedeemed { on: now, here: false });
    }
    let reference = format!("voucher {}", tessera_domain::code::hint(&v.code_hint));
    let entry = NewEntry {
        sku: &v.sku,
        kind: EntryKind::Redeem,
        device_months: v.device_months,
        voucher_id: Some(v.id),
        // Which voucher, as people can tell them apart (its last four symbols).
        reference: Some(&reference),
        actor_id: who.user_id,
        actor_name: &who.name,
    };
    let balance = lockers::append(tx, locker_id, &entry, &now_s).await?;
    Ok(Redemption { sku: v.sku, added_device_months: v.device_months, balance_device_months: balance })
}

/// What a redemption did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    pub sku: String,
    pub added_device_months: i64,
    pub balance_device_months: i64,
}

#[derive(Debug)]
pub enum RedeemError {
    Unknown,
    /// Redeemed before, on that day; `here` when into the redeemer's own locker.
    AlreadyRedeemed {
        on: DateTime<Utc>,
        here: bool,
    },
    Expired {
        last_day: NaiveDate,
    },
    /// Too many refusals for this person lately; nothing was looked up.
    Throttled {
        allowed_at: DateTime<Utc>,
    },
    Db(sqlx::Error),
}

impl From<sqlx::Error> for RedeemError {
    fn from(e: sqlx::Error) -> Self {
        RedeemError::Db(e)
    }
}

/// Why issuing failed.
#[derive(Debug)]
pub enum IssueError {
    /// Two codes met (75 random bits each: practically never); nothing was issued.
    CodeCollision,
    Db(sqlx::Error),
}

const VOUCHER_COLUMNS: &str = "id, code_hint, sku, quantity, device_months, email, expires_on, issued_at, redeemed_at,
     redeemed_by, redeemed_locker, redeemed_org_name";

/// Writes vouchers in the caller's transaction (for an order's fulfilment, with its id).
pub(super) async fn insert_vouchers(
    tx: &mut Tx<'_>,
    vouchers: &[NewVoucher],
    issued_by: Option<i64>,
    order_id: Option<i64>,
    now: &str,
) -> Result<(), sqlx::Error> {
    for v in vouchers {
        sqlx::query(
            "INSERT INTO vouchers (code_hash, code_hint, sku, quantity, device_months, email, expires_on, issued_by,
                                   issued_at, order_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&v.code_hash)
        .bind(&v.code_hint)
        .bind(&v.sku)
        .bind(v.quantity)
        .bind(v.device_months)
        .bind(&v.email)
        .bind(v.expires_on)
        .bind(issued_by)
        .bind(now)
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Db {
    /// Issues every voucher and queues `mail` (the codes for the installer), all or none.
    pub async fn issue_vouchers(
        &self,
        vouchers: &[NewVoucher],
        issued_by: Option<i64>,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
    ) -> Result<(), IssueError> {
        let now = to_db(now);
        let mut tx = self.begin_write().await.map_err(IssueError::Db)?;
        insert_vouchers(&mut tx, vouchers, issued_by, None, &now).await.map_err(|e| {
            if is_unique_violation(&e) {
                IssueError::CodeCollision
            } else {
                IssueError::Db(e)
            }
        })?;
        if let Some(mail) = mail {
            insert_mail(&mut tx, mail, Carries::Nothing, &now).await.map_err(IssueError::Db)?;
        }
        tx.commit().await.map_err(IssueError::Db)
    }

    /// Redeems the voucher with this code hash into the redeemer's locker (made if they have
    /// none yet), durably, through the group commit of credit writes (`credits`): judged and
    /// written under the write lock, so a code redeems once however many requests race for
    /// it (and the ledger's unique voucher index backs that).
    pub async fn redeem_voucher(
        &self,
        code_hash: &str,
        who: Redeemer<'_>,
        now: DateTime<Utc>,
        throttle: FailureLimit,
    ) -> Result<Redemption, RedeemError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let who =
            OwnedRedeemer { user_id: who.user_id, name: who.name.to_string(), org_name: who.org_name.to_string() };
        let job = Job::Redeem { code_hash: code_hash.to_string(), who, now, throttle, reply };
        let stopped = || RedeemError::Db(sqlx::Error::Protocol("the credit writer stopped".into()));
        self.credits.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Housekeeping: blanks the codes of voucher mails queued before `before` that are still
    /// in the outbox (no SMTP, or never delivered): the mail was the installer's copy, the
    /// issuer saw the codes when issuing, and a database copy should not hold live codes for
    /// long. Returns how many were blanked.
    pub async fn redact_stale_voucher_mail(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM outbox WHERE kind = 'vouchers' AND redacted_at IS NULL AND created_at <= ?",
        )
        .bind(to_db(before))
        .fetch_all(&mut *tx)
        .await?;
        let count = super::outbox::redact_mail_ids(&mut tx, &ids, &to_db(now)).await?;
        tx.commit().await?;
        Ok(count)
    }

    /// Issued vouchers, newest first, at most `limit`.
    pub async fn list_vouchers(&self, limit: i64) -> Result<Vec<VoucherRecord>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {VOUCHER_COLUMNS} FROM vouchers ORDER BY issued_at DESC, id DESC LIMIT ?"))
            .bind(limit)
            .fetch_all(&self.read)
            .await
    }
}
