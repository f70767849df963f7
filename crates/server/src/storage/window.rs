//! Limits over a rolling window of time: sign-in failures per address, invitation
//! mails per organization, requests counted in `rate_events`. One count, so every
//! limit means the same thing.

use super::Tx;
use crate::clock::to_db;
use chrono::{DateTime, Duration, Utc};

/// The events a limit counts.
pub(super) enum Events<'a> {
    /// Failed (or not yet judged) sign-ins and password checks of one key.
    AuthFailures { key: &'a str },
    /// Invitation mails (first sends and resends) of one organization.
    InvitationSends { org_id: i64 },
    /// Requests of one kind from one key (`Some`), or from everyone (`None`).
    Rate { kind: &'a str, key: Option<&'a str> },
}

#[derive(sqlx::FromRow)]
struct Count {
    n: i64,
    oldest: Option<DateTime<Utc>>,
}

/// `Ok` while fewer than `max` events happened within `window` before `now`; else
/// `Err` with the moment the oldest of them leaves the window (when one more is allowed).
pub(super) async fn check(
    tx: &mut Tx<'_>,
    events: Events<'_>,
    now: DateTime<Utc>,
    window: Duration,
    max: i64,
) -> Result<Result<(), DateTime<Utc>>, sqlx::Error> {
    let query = match events {
        Events::AuthFailures { key } => sqlx::query_as::<_, Count>(
            "SELECT COUNT(*) AS n, MIN(failed_at) AS oldest FROM auth_failures WHERE key = ? AND failed_at > ?",
        )
        .bind(key),
        Events::InvitationSends { org_id } => sqlx::query_as::<_, Count>(
            "SELECT COUNT(*) AS n, MIN(sent_at) AS oldest FROM invitation_sends WHERE org_id = ? AND sent_at > ?",
        )
        .bind(org_id),
        Events::Rate { kind, key: Some(key) } => sqlx::query_as::<_, Count>(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM rate_events WHERE kind = ? AND key = ? AND at > ?",
        )
        .bind(kind)
        .bind(key),
        Events::Rate { kind, key: None } => sqlx::query_as::<_, Count>(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM rate_events WHERE kind = ? AND at > ?",
        )
        .bind(kind),
    };
    let count = query.bind(to_db(now - window)).fetch_one(&mut **tx).await?;
    if count.n < max {
        return Ok(Ok(()));
    }
    Ok(Err(count.oldest.unwrap_or(now) + window))
}
