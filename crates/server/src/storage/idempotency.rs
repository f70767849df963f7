//! `Idempotency-Key` (SPEC §11): the first successful answer to a credit-consuming request,
//! kept per person and key in the transaction that consumed, so that a retry gets it again
//! and consumes nothing more.

use super::Tx;
use crate::clock::to_db;
use chrono::{DateTime, Duration, Utc};

/// How long an `Idempotency-Key` is remembered: long enough for any client's retries.
pub const IDEMPOTENCY_HOURS: i64 = 24;

/// A request's `Idempotency-Key` and the hash of what it asked.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

/// What is kept under a key.
pub(super) enum Remembered {
    Nothing,
    /// The first answer to this same request.
    Answer {
        status: u16,
        body: String,
    },
    /// The key was used for a different request.
    OtherRequest,
}

pub(super) async fn remembered(
    tx: &mut Tx<'_>,
    user_id: i64,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> Result<Remembered, sqlx::Error> {
    let since = to_db(now - Duration::hours(IDEMPOTENCY_HOURS));
    let found: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at > ?",
    )
    .bind(user_id)
    .bind(&key.key)
    .bind(since)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match found {
        None => Remembered::Nothing,
        Some((hash, _, _)) if hash != key.request_hash => Remembered::OtherRequest,
        Some((_, status, body)) => Remembered::Answer { status: u16::try_from(status).unwrap_or(200), body },
    })
}

/// Keeps the answer (an older, expired use of the key is replaced).
pub(super) async fn remember(
    tx: &mut Tx<'_>,
    user_id: i64,
    key: &IdempotencyKey,
    status: u16,
    body: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT OR REPLACE INTO idempotency_keys (user_id, key, request_hash, status, body, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(user_id)
    .bind(&key.key)
    .bind(&key.request_hash)
    .bind(i64::from(status))
    .bind(body)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
