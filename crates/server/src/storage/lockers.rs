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

/// Whether the person with `email` is in the locker.
pub(super) async fn is_in_locker(tx: &mut Tx<'_>, locker_id: i64, email: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT m.user_id FROM locker_members m JOIN users u ON u.id = m.user_id WHERE m.locker_id = ? AND u.email = ?",
    )
    .bind(locker_id)
    .bind(email)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

/// Moves `user_id` into `into` with what their own locker held: every balance leaves the
/// old locker as a negative `merge` entry and arrives as a positive one, in the caller's
/// transaction. `Ok(false)` when their locker is shared with others (they stay).
pub(super) async fn join(
    tx: &mut Tx<'_>,
    user_id: i64,
    actor_name: &str,
    into: i64,
    now: &str,
) -> Result<bool, sqlx::Error> {
    let current: Option<i64> = sqlx::query_scalar("SELECT locker_id FROM locker_members WHERE user_id = ?")
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(old) = current else {
        sqlx::query("INSERT INTO locker_members (locker_id, user_id, joined_at) VALUES (?, ?, ?)")
            .bind(into)
            .bind(user_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        return Ok(true);
    };
    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM locker_members WHERE locker_id = ?")
        .bind(old)
        .fetch_one(&mut **tx)
        .await?;
    if people > 1 {
        return Ok(false);
    }
    let held: Vec<BalanceRecord> = sqlx::query_as(
        "SELECT sku, device_months FROM balances WHERE locker_id = ? AND device_months > 0 ORDER BY sku",
    )
    .bind(old)
    .fetch_all(&mut **tx)
    .await?;
    // Words for the consumption history of each side.
    let (to, from) = ("into a shared locker".to_string(), format!("from the locker of {actor_name}"));
    for b in held {
        let out = NewEntry {
            sku: &b.sku,
            kind: EntryKind::Merge,
            device_months: -b.device_months,
            voucher_id: None,
            reference: Some(&to),
            actor_id: user_id,
            actor_name,
        };
        append(tx, old, &out, now).await?;
        let arriving = NewEntry { device_months: b.device_months, reference: Some(&from), ..out };
        append(tx, into, &arriving, now).await?;
    }
    sqlx::query("UPDATE locker_members SET locker_id = ?, joined_at = ? WHERE user_id = ?")
        .bind(into)
        .bind(now)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    // The old locker is left empty and without its owner: invitations into it still out
    // would lead people into a locker nobody sees. They are withdrawn, their links blanked.
    let pending: Vec<i64> = sqlx::query_scalar(
        "UPDATE invitations SET status = 'revoked', revoked_at = ? WHERE locker_id = ? AND status = 'pending'
         RETURNING id",
    )
    .bind(now)
    .bind(old)
    .fetch_all(&mut **tx)
    .await?;
    for invitation_id in pending {
        super::outbox::redact_invitation_mail(tx, invitation_id, None, now).await?;
    }
    Ok(true)
}

impl Db {
    /// The locker of `user_id`, made (with them as its owner) if they have none yet; with
    /// the id of its original owner.
    pub async fn ensure_locker(&self, user_id: i64, now: DateTime<Utc>) -> Result<(i64, Option<i64>), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id = locker_of(&mut tx, user_id, &crate::clock::to_db(now)).await?;
        let owner: Option<i64> =
            sqlx::query_scalar("SELECT owner_id FROM lockers WHERE id = ?").bind(id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok((id, owner))
    }

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
