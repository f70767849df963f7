//! Digital Lockers and their ledger (SPEC §3): who is in which locker, the append-only
//! entries, and the balances the database keeps as their sums (migration 0006: a CHECK
//! keeps every balance at zero or above, triggers keep entries append-only).

use super::{Db, Tx};
use chrono::{DateTime, Utc};
use tessera_domain::ledger::EntryKind;

/// One balance of a locker: device-months of one SKU.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BalanceRecord {
    pub sku: String,
    pub device_months: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerRecord {
    pub id: i64,
    pub sku: String,
    #[sqlx(try_from = "String")]
    pub kind: EntryKind,
    pub device_months: i64,
    pub reference: Option<String>,
    pub actor_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LockerMemberRecord {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub is_owner: bool,
    pub joined_at: DateTime<Utc>,
}

/// An entry to append.
pub struct NewEntry<'a> {
    pub sku: &'a str,
    pub kind: EntryKind,
    pub device_months: i64,
    pub voucher_id: Option<i64>,
    pub reference: Option<&'a str>,
    pub actor_id: i64,
    pub actor_name: &'a str,
}

/// The locker `user_id` belongs to, made (with them as its owner) if they have none yet.
pub(super) async fn locker_of(tx: &mut Tx<'_>, user_id: i64, now: &str) -> Result<i64, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT locker_id FROM locker_members WHERE user_id = ?")
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(id) = found {
        return Ok(id);
    }
    let id: i64 = sqlx::query_scalar("INSERT INTO lockers (owner_id, created_at) VALUES (?, ?) RETURNING id")
        .bind(user_id)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO locker_members (locker_id, user_id, joined_at) VALUES (?, ?, ?)")
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// Appends an entry; the database refuses one that would take a balance below zero (the
/// caller's transaction then fails as a whole). Returns the balance after it.
pub(super) async fn append(
    tx: &mut Tx<'_>,
    locker_id: i64,
    entry: &NewEntry<'_>,
    now: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO ledger_entries (locker_id, sku, kind, device_months, voucher_id, reference, actor_id, actor_name,
                                     created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(locker_id)
    .bind(entry.sku)
    .bind(entry.kind.as_str())
    .bind(entry.device_months)
    .bind(entry.voucher_id)
    .bind(entry.reference)
    .bind(entry.actor_id)
    .bind(entry.actor_name)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query_scalar("SELECT device_months FROM balances WHERE locker_id = ? AND sku = ?")
        .bind(locker_id)
        .bind(entry.sku)
        .fetch_one(&mut **tx)
        .await
}

impl Db {
    /// The locker of `user_id`, if they have one yet.
    pub async fn locker_id_of(&self, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT locker_id FROM locker_members WHERE user_id = ?")
            .bind(user_id)
            .fetch_optional(&self.read)
            .await
    }

    /// The non-zero balances of a locker, by SKU.
    pub async fn balances(&self, locker_id: i64) -> Result<Vec<BalanceRecord>, sqlx::Error> {
        sqlx::query_as("SELECT sku, device_months FROM balances WHERE locker_id = ? AND device_months > 0 ORDER BY sku")
            .bind(locker_id)
            .fetch_all(&self.read)
            .await
    }

    /// Entries newest first, `limit` of them, older than entry `before` when given.
    pub async fn ledger(
        &self,
        locker_id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<LedgerRecord>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, sku, kind, device_months, reference, actor_name, created_at FROM ledger_entries
             WHERE locker_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        )
        .bind(locker_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.read)
        .await
    }

    /// The people who share a locker, its original owner first.
    pub async fn locker_members(&self, locker_id: i64) -> Result<Vec<LockerMemberRecord>, sqlx::Error> {
        sqlx::query_as(
            "SELECT u.id AS user_id, u.name, u.email, (l.owner_id = u.id) AS is_owner, m.joined_at
             FROM locker_members m JOIN users u ON u.id = m.user_id JOIN lockers l ON l.id = m.locker_id
             WHERE m.locker_id = ? ORDER BY is_owner DESC, m.joined_at, u.id",
        )
        .bind(locker_id)
        .fetch_all(&self.read)
        .await
    }

    /// Every locker's balances against the sums of its entries: the pairs that differ (none,
    /// while the triggers hold). For tests and `tessera-server` checks.
    pub async fn ledger_mismatches(&self) -> Result<Vec<(i64, String, i64, i64)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT s.locker_id, s.sku, COALESCE(b.device_months, 0), s.total FROM
               (SELECT locker_id, sku, SUM(device_months) AS total FROM ledger_entries GROUP BY locker_id, sku) s
             LEFT JOIN balances b ON b.locker_id = s.locker_id AND b.sku = s.sku
             WHERE COALESCE(b.device_months, 0) <> s.total",
        )
        .fetch_all(&self.read)
        .await
    }
}
