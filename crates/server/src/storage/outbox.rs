//! The outbox: every mail is written here first (in the transaction of what caused
//! it); the mailer delivers from here when SMTP is configured.

use super::{Db, Tx};
use crate::clock::to_db;
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

pub(super) async fn insert_mail(tx: &mut Tx<'_>, mail: &NewMail, now: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO outbox (to_addr, subject, text_body, html_body, kind, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(mail.kind)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
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

    /// Oldest undelivered mail that has not failed too often.
    pub async fn unsent_mail(&self, max_attempts: i64, limit: i64) -> Result<Vec<MailRecord>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {MAIL_COLUMNS} FROM outbox WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT ?"
        ))
        .bind(max_attempts)
        .bind(limit)
        .fetch_all(&self.write)
        .await
    }

    /// Records delivery and replaces the bodies (with their secrets redacted).
    pub async fn mark_mail_sent(&self, id: i64, now: DateTime<Utc>, text: &str, html: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, text_body = ?, html_body = ?
             WHERE id = ?",
        )
        .bind(to_db(now))
        .bind(text)
        .bind(html)
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Counts a failed delivery. `bodies`, when given, replace the stored ones: the last
    /// attempt stores them redacted, since nobody will send that mail again.
    pub async fn mark_mail_failed(
        &self,
        id: i64,
        error: &str,
        bodies: Option<(&str, &str)>,
    ) -> Result<(), sqlx::Error> {
        match bodies {
            None => sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?")
                .bind(error)
                .bind(id),
            Some((text, html)) => sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, text_body = ?, html_body = ? WHERE id = ?",
            )
            .bind(error)
            .bind(text)
            .bind(html)
            .bind(id),
        }
        .execute(&self.write)
        .await?;
        Ok(())
    }
}
