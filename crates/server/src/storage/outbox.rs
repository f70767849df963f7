//! The outbox: every mail is written here first (in the transaction of what caused
//! it); the mailer delivers from here when SMTP is configured.

use super::Db;
use crate::clock::to_db;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

pub struct NewMail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub kind: &'static str,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MailRecord {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub kind: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

pub(super) async fn insert_mail(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    mail: &NewMail<'_>,
    now: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO outbox (to_addr, subject, text_body, html_body, kind, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(mail.to)
    .bind(mail.subject)
    .bind(mail.text)
    .bind(mail.html)
    .bind(mail.kind)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

const MAIL_COLUMNS: &str =
    "id, to_addr, subject, text_body, html_body, kind, created_at, sent_at, attempts, last_error";

fn mail_from_row(r: &SqliteRow) -> Result<MailRecord, sqlx::Error> {
    Ok(MailRecord {
        id: r.try_get("id")?,
        to: r.try_get("to_addr")?,
        subject: r.try_get("subject")?,
        text: r.try_get("text_body")?,
        html: r.try_get("html_body")?,
        kind: r.try_get("kind")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
    })
}

impl Db {
    /// Newest first.
    pub async fn list_mail(&self, limit: i64) -> Result<Vec<MailRecord>, sqlx::Error> {
        let rows = sqlx::query(&format!("SELECT {MAIL_COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?"))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(mail_from_row).collect()
    }

    pub async fn mail(&self, id: i64) -> Result<Option<MailRecord>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(mail_from_row).transpose()
    }

    /// Oldest undelivered mail that has not failed too often.
    pub async fn unsent_mail(&self, max_attempts: i64, limit: i64) -> Result<Vec<MailRecord>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {MAIL_COLUMNS} FROM outbox WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT ?"
        ))
        .bind(max_attempts)
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        rows.iter().map(mail_from_row).collect()
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
