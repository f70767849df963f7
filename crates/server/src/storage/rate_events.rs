//! Requests counted over a rolling window (password-reset and verification mails,
//! registrations and invitation acceptances per client address), so that several
//! server processes share one count.

use super::window::{self, Events};
use super::Db;
use crate::clock::to_db;
use chrono::{DateTime, Duration, Utc};

/// One limit a request must stay under: at most `max` events of `kind` within the window,
/// from `key` (`Some`), or from everyone together (`None`).
#[derive(Debug, Clone, Copy)]
pub struct Limit<'a> {
    pub kind: &'a str,
    pub key: Option<&'a str>,
    pub max: i64,
}

impl Db {
    /// Counts one request against every limit, or none when any is reached: then `Err`
    /// with the moment the request would be allowed. Checked and recorded under the write
    /// lock, so simultaneous requests cannot all slip under a limit.
    pub async fn take_rate(
        &self,
        limits: &[Limit<'_>],
        now: DateTime<Utc>,
        window: Duration,
    ) -> Result<Result<(), DateTime<Utc>>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let mut allowed_at: Option<DateTime<Utc>> = None;
        for limit in limits {
            let events = Events::Rate { kind: limit.kind, key: limit.key };
            if let Err(at) = window::check(&mut tx, events, now, window, limit.max).await? {
                allowed_at = Some(allowed_at.map_or(at, |later: DateTime<Utc>| later.max(at)));
            }
        }
        if let Some(at) = allowed_at {
            return Ok(Err(at));
        }
        let at = to_db(now);
        for limit in limits {
            if let Some(key) = limit.key {
                sqlx::query("INSERT INTO rate_events (kind, key, at) VALUES (?, ?, ?)")
                    .bind(limit.kind)
                    .bind(key)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Housekeeping: forgets events older than every window that counts them.
    pub async fn purge_rate_events_before(&self, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let r = sqlx::query("DELETE FROM rate_events WHERE at <= ?").bind(to_db(before)).execute(&self.write).await?;
        Ok(r.rows_affected())
    }
}
