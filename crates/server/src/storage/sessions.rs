//! Sessions: only the SHA-256 of a session token is stored, with the person it
//! signs in and when it ends.

use super::members::UserRecord;
use super::organizations::OrgRecord;
use super::Db;
use crate::clock::to_db;
use chrono::{DateTime, Utc};
use tessera_domain::api::OrgKind;

/// A signed-in person with their organization.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: UserRecord,
    pub org: OrgRecord,
}

/// A user row joined with its organization's `org_name`, `org_kind` and `org_individual`.
#[derive(sqlx::FromRow)]
struct PersonRow {
    #[sqlx(flatten)]
    user: UserRecord,
    org_name: String,
    #[sqlx(try_from = "String")]
    org_kind: OrgKind,
    org_individual: bool,
}

impl From<PersonRow> for SessionUser {
    fn from(row: PersonRow) -> Self {
        let org =
            OrgRecord { id: row.user.org_id, name: row.org_name, kind: row.org_kind, individual: row.org_individual };
        SessionUser { user: row.user, org }
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    person: PersonRow,
    expires_at: DateTime<Utc>,
}

const PERSON_COLUMNS: &str = "u.id, u.org_id, u.email, u.name, u.password_hash, u.role, u.must_change_password,
     u.email_verified_at IS NOT NULL AS email_verified, o.name AS org_name, o.kind AS org_kind, o.individual AS org_individual";

impl Db {
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let now = to_db(now);
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(&now)
        .bind(&now)
        .bind(to_db(expires_at))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The session's person and the session's end, if it exists, has not ended at `now`
    /// and began after `started_after` (the absolute lifetime, however busy the session).
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        started_after: DateTime<Utc>,
    ) -> Result<Option<(SessionUser, DateTime<Utc>)>, sqlx::Error> {
        let row: Option<SessionRow> = sqlx::query_as(&format!(
            "SELECT {PERSON_COLUMNS}, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.org_id
             WHERE s.token_hash = ? AND s.expires_at > ? AND s.created_at > ?"
        ))
        .bind(token_hash)
        .bind(to_db(now))
        .bind(to_db(started_after))
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| (r.person.into(), r.expires_at)))
    }

    /// A person with their organization, as a session would show them.
    pub async fn user_session_view(&self, user_id: i64) -> Result<Option<SessionUser>, sqlx::Error> {
        let row: Option<PersonRow> = sqlx::query_as(&format!(
            "SELECT {PERSON_COLUMNS} FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.id = ?"
        ))
        .bind(user_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(SessionUser::from))
    }

    /// Sliding expiry: an active session stays alive.
    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?")
            .bind(to_db(now))
            .bind(to_db(expires_at))
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends every session of a person (sign out everywhere); how many there were.
    pub async fn delete_sessions_of_user(&self, user_id: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = ?").bind(user_id).execute(&self.write).await?;
        Ok(done.rows_affected())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&self.write).await?;
        Ok(())
    }

    /// Sessions idle past their end at `now`, or begun at or before `started_before`.
    pub async fn delete_expired_sessions(
        &self,
        now: DateTime<Utc>,
        started_before: DateTime<Utc>,
    ) -> Result<u64, sqlx::Error> {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= ? OR created_at <= ?")
            .bind(to_db(now))
            .bind(to_db(started_before))
            .execute(&self.write)
            .await?;
        Ok(r.rows_affected())
    }
}
