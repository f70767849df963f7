//! Limits over a rolling window of time: sign-in failures per address, invitation
//! mails per organization. One count, so both limits mean the same thing.

use super::Tx;
use crate::clock::to_db;
use chrono::{DateTime, Duration, Utc};

/// The events a limit counts.
pub(super) enum Events<'a> {
    /// Failed (or not yet judged) sign-ins and password checks of one key.
    AuthFailures { key: &'a str },
    /// Invitation mails (first sends and resends) of one organization.
    InvitationSends { org_id: i64 },
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
    };
    let count = query.bind(to_db(now - window)).fetch_one(&mut **tx).await?;
    if count.n < max {
        return Ok(Ok(()));
    }
    Ok(Err(count.oldest.unwrap_or(now) + window))
}
