//! Links mailed to the owner of an address (password reset, address verification):
//! only the SHA-256 of a token is stored, a newer link of the same purpose kills the
//! older ones, and a link's mail is blanked the moment the link stops opening anything.

use super::outbox::{insert_mail, redact_mail_ids, Carries, NewMail};
use super::{Db, Tx};
use crate::clock::to_db;
use chrono::{DateTime, Utc};
use tessera_domain::account_link::{self, LinkState, Purpose};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountLinkRecord {
    pub id: i64,
    pub user_id: i64,
    #[sqlx(try_from = "String")]
    pub purpose: Purpose,
    /// The address of the account the link belongs to.
    pub email: String,
    /// Whether that account's address is proven already (by this link or another way).
    pub email_verified: bool,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub superseded_at: Option<DateTime<Utc>>,
}

impl AccountLinkRecord {
    pub fn state_at(&self, now: DateTime<Utc>) -> LinkState {
        account_link::state_at(self.used_at, self.superseded_at, self.expires_at, now)
    }
}

/// Why a link could not be used.
#[derive(Debug)]
pub enum LinkError {
    NotFound,
    NotUsable(LinkState),
    Db(sqlx::Error),
}

impl From<sqlx::Error> for LinkError {
    fn from(e: sqlx::Error) -> Self {
        LinkError::Db(e)
    }
}

const LINK_COLUMNS: &str =
    "l.id, l.user_id, l.purpose, u.email, u.email_verified_at IS NOT NULL AS email_verified, l.expires_at, l.used_at,
     l.superseded_at";

impl Db {
    /// Mails a new link: the account's older unused links of the same purpose stop working
    /// (and their mails are blanked) in the same transaction that queues the new mail.
    pub async fn create_account_link(
        &self,
        user_id: i64,
        purpose: Purpose,
        token_hash: &str,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<i64, sqlx::Error> {
        let now_s = to_db(now);
        let mut tx = self.begin_write().await?;
        retire_links(&mut tx, user_id, Some(purpose), &now_s).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO account_links (user_id, purpose, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(token_hash)
        .bind(&now_s)
        .bind(to_db(now + purpose.lifetime()))
        .fetch_one(&mut *tx)
        .await?;
        insert_mail(&mut tx, mail, Carries::AccountLink(id), &now_s).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn account_link_by_token(&self, token_hash: &str) -> Result<Option<AccountLinkRecord>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {LINK_COLUMNS} FROM account_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = ?"
        ))
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await
    }

    /// Uses a reset link: the new password, the address proven, every session of the
    /// account ended (a squatter's or a thief's included), every other mailed link of the
    /// account retired, and the notice queued, at once. Re-checks the link under the write
    /// lock, so it works once even when two browsers race.
    pub async fn complete_password_reset(
        &self,
        link_id: i64,
        password_hash: &str,
        notice: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<i64, LinkError> {
        let now_s = to_db(now);
        let mut tx = self.begin_write().await?;
        let user_id = use_link(&mut tx, link_id, Purpose::PasswordReset, now).await?;
        sqlx::query(
            "UPDATE users SET password_hash = ?, must_change_password = 0,
             email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?",
        )
        .bind(password_hash)
        .bind(&now_s)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = ?").bind(user_id).execute(&mut *tx).await?;
        retire_links(&mut tx, user_id, None, &now_s).await?;
        insert_mail(&mut tx, notice, Carries::Nothing, &now_s).await?;
        tx.commit().await?;
        Ok(user_id)
    }

    /// Uses a verification link: the address is proven. Returns the account's id.
    pub async fn verify_email(&self, link_id: i64, now: DateTime<Utc>) -> Result<i64, LinkError> {
        let now_s = to_db(now);
        let mut tx = self.begin_write().await?;
        let user_id = use_link(&mut tx, link_id, Purpose::EmailVerification, now).await?;
        mark_verified(&mut tx, user_id, &now_s).await?;
        tx.commit().await?;
        Ok(user_id)
    }

    /// Housekeeping: blanks the links of account mails that open nothing any more (used,
    /// replaced, expired, or their account gone). Returns how many were blanked.
    pub async fn redact_lapsed_account_link_mail(&self, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let now_s = to_db(now);
        let mut tx = self.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT o.id FROM outbox o LEFT JOIN account_links l ON l.id = o.account_link_id
             WHERE o.kind IN ('password_reset', 'email_verification') AND o.redacted_at IS NULL
               AND (l.id IS NULL OR l.used_at IS NOT NULL OR l.superseded_at IS NOT NULL OR l.expires_at <= ?)
             ORDER BY o.id",
        )
        .bind(&now_s)
        .fetch_all(&mut *tx)
        .await?;
        let count = redact_mail_ids(&mut tx, &ids, &now_s).await?;
        tx.commit().await?;
        Ok(count)
    }
}

/// The address of `user_id` is proven as of `now` (kept if it was proven earlier), and
/// the verification links still out for it are retired.
pub(super) async fn mark_verified(tx: &mut Tx<'_>, user_id: i64, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?")
        .bind(now)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    retire_links(tx, user_id, Some(Purpose::EmailVerification), now).await?;
    Ok(())
}

/// Marks the link used if it is usable at `now` and of `purpose`; its mails are blanked.
async fn use_link(tx: &mut Tx<'_>, link_id: i64, purpose: Purpose, now: DateTime<Utc>) -> Result<i64, LinkError> {
    let link: Option<AccountLinkRecord> = sqlx::query_as(&format!(
        "SELECT {LINK_COLUMNS} FROM account_links l JOIN users u ON u.id = l.user_id WHERE l.id = ?"
    ))
    .bind(link_id)
    .fetch_optional(&mut **tx)
    .await?;
    let link = link.filter(|l| l.purpose == purpose).ok_or(LinkError::NotFound)?;
    match link.state_at(now) {
        LinkState::Usable => {}
        unusable => return Err(LinkError::NotUsable(unusable)),
    }
    let now_s = to_db(now);
    sqlx::query("UPDATE account_links SET used_at = ? WHERE id = ?")
        .bind(&now_s)
        .bind(link_id)
        .execute(&mut **tx)
        .await?;
    blank_link_mails(tx, link_id, &now_s).await?;
    Ok(link.user_id)
}

/// Retires the account's unused links (of `purpose`, or all) and blanks their mails.
pub(super) async fn retire_links(
    tx: &mut Tx<'_>,
    user_id: i64,
    purpose: Option<Purpose>,
    now: &str,
) -> Result<(), sqlx::Error> {
    let purpose = purpose.map(Purpose::as_str);
    let retired: Vec<i64> = sqlx::query_scalar(
        "UPDATE account_links SET superseded_at = ?
         WHERE user_id = ? AND used_at IS NULL AND superseded_at IS NULL AND (? IS NULL OR purpose = ?)
         RETURNING id",
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose)
    .bind(purpose)
    .fetch_all(&mut **tx)
    .await?;
    for id in retired {
        blank_link_mails(tx, id, now).await?;
    }
    Ok(())
}

async fn blank_link_mails(tx: &mut Tx<'_>, link_id: i64, now: &str) -> Result<u64, sqlx::Error> {
    let mails: Vec<i64> = sqlx::query_scalar("SELECT id FROM outbox WHERE account_link_id = ? AND redacted_at IS NULL")
        .bind(link_id)
        .fetch_all(&mut **tx)
        .await?;
    redact_mail_ids(tx, &mails, now).await
}
