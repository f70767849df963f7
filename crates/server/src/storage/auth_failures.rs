//! Failed sign-ins and password checks, for throttling. Kept in the database so that
//! several server processes share one count.

use super::window::{self, Events};
use super::Db;
use crate::clock::to_db;
use chrono::{DateTime, Duration, Utc};

impl Db {
    /// Counts an attempt for `key` as failed before it is judged, so that simultaneous
    /// guesses cannot all slip under the limit: refused (with the moment the next attempt
    /// is allowed) when `max` failures happened within `window`; otherwise the attempt is
    /// recorded as a failure until [`Db::clear_auth_failures`] forgives it on success.
    pub async fn reserve_auth_attempt(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: Duration,
        max: i64,
    ) -> Result<Result<(), DateTime<Utc>>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        if let Err(allowed_at) = window::check(&mut tx, Events::AuthFailures { key }, now, window, max).await? {
            return Ok(Err(allowed_at));
        }
        sqlx::query("INSERT INTO auth_failures (key, failed_at) VALUES (?, ?)")
            .bind(key)
            .bind(to_db(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    pub async fn purge_auth_failures_before(&self, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let r = sqlx::query("DELETE FROM auth_failures WHERE failed_at <= ?")
            .bind(to_db(before))
            .execute(&self.write)
            .await?;
        Ok(r.rows_affected())
    }

    pub async fn clear_auth_failures(&self, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM auth_failures WHERE key = ?").bind(key).execute(&self.write).await?;
        Ok(())
    }

    /// Whether `key` had `max` failures within `window` before `now`; records nothing.
    pub async fn auth_attempts_exhausted(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: Duration,
        max: i64,
    ) -> Result<bool, sqlx::Error> {
        Ok(self.auth_attempts_allowed(key, now, window, max).await?.is_err())
    }

    /// `Ok` while `key` may try again, else `Err` with the moment it may; records nothing.
    pub async fn auth_attempts_allowed(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window: Duration,
        max: i64,
    ) -> Result<Result<(), DateTime<Utc>>, sqlx::Error> {
        let mut tx = self.read.begin().await?;
        let allowed = window::check(&mut tx, Events::AuthFailures { key }, now, window, max).await?;
        tx.commit().await?;
        Ok(allowed)
    }
}
