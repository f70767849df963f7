//! The outbox: every mail is written here first (in the transaction of what caused
//! it); the mailer delivers from here when SMTP is configured.

use super::{Db, Tx};
use crate::clock::to_db;
use crate::mail::redact_tokens;
use chrono::{DateTime, Utc};

/// A mail ready to be queued: rendered before it reaches storage, so that no
/// template runs inside a transaction.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// What the mail is about, e.g. `invitation`.
    pub kind: &'static str,
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct MailRecord {
    pub id: i64,
    #[sqlx(rename = "to_addr")]
    pub to: String,
    pub subject: String,
    #[sqlx(rename = "text_body")]
    pub text: String,
    #[sqlx(rename = "html_body")]
    pub html: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// The link a queued mail carries, so that it can be blanked when it stops opening anything.
#[derive(Debug, Clone, Copy)]
pub(super) enum Carries {
    Nothing,
    Invitation(i64),
    AccountLink(i64),
}

/// Queues a mail; `carries` names the invitation or account link whose link it holds.
pub(super) async fn insert_mail(
    tx: &mut Tx<'_>,
    mail: &NewMail,
    carries: Carries,
    now: &str,
) -> Result<i64, sqlx::Error> {
    let (invitation_id, account_link_id) = match carries {
        Carries::Nothing => (None, None),
        Carries::Invitation(id) => (Some(id), None),
        Carries::AccountLink(id) => (None, Some(id)),
    };
    sqlx::query_scalar(
        "INSERT INTO outbox (to_addr, subject, text_body, html_body, kind, created_at, invitation_id, account_link_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(mail.kind)
    .bind(now)
    .bind(invitation_id)
    .bind(account_link_id)
    .fetch_one(&mut **tx)
    .await
}

#[derive(sqlx::FromRow)]
struct Bodies {
    id: i64,
    text_body: String,
    html_body: String,
}

/// Blanks the links of the given mails (not yet blanked) in place. A blanked mail that was
/// not delivered yet is not delivered any more: its link would open nothing.
async fn redact(tx: &mut Tx<'_>, mails: Vec<Bodies>, now: &str) -> Result<u64, sqlx::Error> {
    let count = mails.len() as u64;
    for mail in mails {
        sqlx::query("UPDATE outbox SET text_body = ?, html_body = ?, redacted_at = ? WHERE id = ?")
            .bind(redact_tokens(&mail.text_body))
            .bind(redact_tokens(&mail.html_body))
            .bind(now)
            .bind(mail.id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(count)
}

/// Blanks the links of every mail of an invitation, but `keep` (the mail just written).
pub(super) async fn redact_invitation_mail(
    tx: &mut Tx<'_>,
    invitation_id: i64,
    keep: Option<i64>,
    now: &str,
) -> Result<u64, sqlx::Error> {
    let mails = sqlx::query_as(
        "SELECT id, text_body, html_body FROM outbox WHERE invitation_id = ? AND id <> ? AND redacted_at IS NULL",
    )
    .bind(invitation_id)
    .bind(keep.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    redact(tx, mails, now).await
}

/// Blanks the links of the given invitation mails (by mail id).
pub(super) async fn redact_mail_ids(tx: &mut Tx<'_>, ids: &[i64], now: &str) -> Result<u64, sqlx::Error> {
    let mut mails = Vec::with_capacity(ids.len());
    for id in ids {
        let found: Option<Bodies> =
            sqlx::query_as("SELECT id, text_body, html_body FROM outbox WHERE id = ? AND redacted_at IS NULL")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        mails.extend(found);
    }
    redact(tx, mails, now).await
}

const MAIL_COLUMNS: &str =
    "id, to_addr, subject, text_body, html_body, kind, created_at, sent_at, attempts, last_error";

impl Db {
    /// Newest first.
    pub async fn list_mail(&self, limit: i64) -> Result<Vec<MailRecord>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {MAIL_COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?"))
            .bind(limit)
            .fetch_all(&self.read)
            .await
    }

    pub async fn mail(&self, id: i64) -> Result<Option<MailRecord>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.read)
            .await
    }

    /// Oldest undelivered mail that has not failed too often and whose link was not blanked.
    pub async fn unsent_mail(&self, max_attempts: i64, limit: i64) -> Result<Vec<MailRecord>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {MAIL_COLUMNS} FROM outbox WHERE sent_at IS NULL AND attempts < ? AND redacted_at IS NULL
             ORDER BY id LIMIT ?"
        ))
        .bind(max_attempts)
        .bind(limit)
        .fetch_all(&self.write)
        .await
    }

    /// Records delivery and replaces the bodies (with their secrets redacted).
    pub async fn mark_mail_sent(&self, id: i64, now: DateTime<Utc>, text: &str, html: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, text_body = ?, html_body = ?,
             redacted_at = ? WHERE id = ?",
        )
        .bind(to_db(now))
        .bind(text)
        .bind(html)
        .bind(to_db(now))
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Counts a failed delivery. `bodies`, when given, replace the stored ones: the last
    /// attempt stores them redacted (as of `now`), since nobody will send that mail again.
    pub async fn mark_mail_failed(
        &self,
        id: i64,
        error: &str,
        bodies: Option<(&str, &str)>,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        match bodies {
            None => sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?")
                .bind(error)
                .bind(id),
            Some((text, html)) => sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, text_body = ?, html_body = ?,
                 redacted_at = ? WHERE id = ?",
            )
            .bind(error)
            .bind(text)
            .bind(html)
            .bind(to_db(now))
            .bind(id),
        }
        .execute(&self.write)
        .await?;
        Ok(())
    }
}
