//! All SQL lives here, so that moving to PostgreSQL touches one module.
//!
//! SQLite in WAL mode: one write connection (writes queue instead of fighting over
//! the lock, see the figures in docs/benchmarks.md) and a pool of readers.

use crate::clock::to_db;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Row;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use tessera_domain::api::{OrgKind, Role};

mod invitations;
mod outbox;

pub use invitations::{
    InvitationRecord, InviteError, MemberRecord, NewInvitation, NewMailOwned, NewToken, OrgSettings,
};
pub use outbox::{MailRecord, NewMail};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct Db {
    write: SqlitePool,
    read: SqlitePool,
}

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
    pub must_change_password: bool,
}

#[derive(Debug, Clone)]
pub struct OrgRecord {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    /// A home owner's organization of one (SPEC §1).
    pub individual: bool,
}

/// A signed-in person, as loaded from a session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: UserRecord,
    pub org: OrgRecord,
    pub expires_at: String,
}

pub struct NewOrg<'a> {
    pub name: &'a str,
    pub kind: OrgKind,
    pub individual: bool,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub must_change_password: bool,
}

/// Storage-level outcomes the API turns into specific errors.
#[derive(Debug)]
pub enum StoreError {
    EmailTaken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(e)
    }
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Db {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Db, sqlx::Error> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
            }
        }
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&write).await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await?;
        Ok(Db { write, read })
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.read).await.map(|_| ())
    }

    pub async fn count_organizations(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(&self.read).await
    }

    /// Creates an organization and its first admin in one transaction.
    pub async fn create_org_with_admin(
        &self,
        org: NewOrg<'_>,
        user: NewUser<'_>,
        now: DateTime<Utc>,
    ) -> Result<(OrgRecord, UserRecord), StoreError> {
        let now = to_db(now);
        let mut tx = self.write.begin().await?;
        let org_id: i64 = sqlx::query_scalar(
            "INSERT INTO organizations (name, kind, individual, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(org.name)
        .bind(org.kind.as_str())
        .bind(org.individual)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let user_id = insert_user(&mut tx, org_id, &user, &now).await?;
        tx.commit().await?;
        Ok((
            OrgRecord { id: org_id, name: org.name.to_string(), kind: org.kind, individual: org.individual },
            UserRecord {
                id: user_id,
                org_id,
                email: user.email.to_string(),
                name: user.name.to_string(),
                password_hash: user.password_hash.to_string(),
                role: user.role,
                must_change_password: user.must_change_password,
            },
        ))
    }

    /// Adds a person to an existing organization.
    pub async fn add_user(&self, org_id: i64, user: NewUser<'_>, now: DateTime<Utc>) -> Result<i64, StoreError> {
        let now = to_db(now);
        let mut tx = self.write.begin().await?;
        let id = insert_user(&mut tx, org_id, &user, &now).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, org_id, email, name, password_hash, role, must_change_password FROM users WHERE email = ?",
        )
        .bind(email)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

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

    /// The session's person, if the session exists and has not expired at `now`.
    pub async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionUser>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT u.id, u.org_id, u.email, u.name, u.password_hash, u.role, u.must_change_password,
                    o.name AS org_name, o.kind AS org_kind, o.individual AS org_individual, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.org_id
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(to_db(now))
        .fetch_optional(&self.read)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(session_user_from_row(&r, r.try_get("expires_at")?)?))
    }

    /// Sliding expiry: an active session stays alive.
    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?")
            .bind(to_db(now))
            .bind(to_db(expires_at))
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&self.write).await?;
        Ok(())
    }

    pub async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?").bind(to_db(now)).execute(&self.write).await?;
        Ok(r.rows_affected())
    }

    /// Counts an attempt for `key` as failed before it is judged, so that simultaneous
    /// guesses cannot all slip under the limit: refused (with the oldest failure) when `max`
    /// failures happened since `since`; otherwise the attempt is recorded as a failure until
    /// [`Db::clear_auth_failures`] forgives it on success.
    pub async fn reserve_auth_attempt(
        &self,
        key: &str,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
        max: i64,
    ) -> Result<Result<(), Option<DateTime<Utc>>>, sqlx::Error> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(failed_at) AS oldest FROM auth_failures WHERE key = ? AND failed_at > ?",
        )
        .bind(key)
        .bind(to_db(since))
        .fetch_one(&mut *tx)
        .await?;
        let n: i64 = row.try_get("n")?;
        if n >= max {
            let oldest: Option<String> = row.try_get("oldest")?;
            let oldest = oldest.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()).map(|t| t.with_timezone(&Utc));
            return Ok(Err(oldest));
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

    /// Sets a new password hash, lifts `must_change_password`, ends the person's
    /// other sessions (a thief's included) and queues the notice mail, at once.
    pub async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: &str,
        notice: &NewMailOwned,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let now = to_db(now);
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?")
            .bind(user_id)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?;
        outbox::insert_mail(&mut tx, &notice.borrow(), &now).await?;
        tx.commit().await
    }

    pub async fn rename_user(&self, user_id: i64, name: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET name = ? WHERE id = ?").bind(name).bind(user_id).execute(&self.write).await?;
        Ok(())
    }

    pub async fn clear_auth_failures(&self, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM auth_failures WHERE key = ?").bind(key).execute(&self.write).await?;
        Ok(())
    }
}

pub(crate) async fn insert_user(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    org_id: i64,
    user: &NewUser<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO users (org_id, email, name, password_hash, role, must_change_password, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(org_id)
    .bind(user.email)
    .bind(user.name)
    .bind(user.password_hash)
    .bind(user.role.as_str())
    .bind(user.must_change_password)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { StoreError::EmailTaken } else { StoreError::Db(e) })
}

fn user_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<UserRecord, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(UserRecord {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        password_hash: r.try_get("password_hash")?,
        role: Role::parse(&role).ok_or_else(|| decode_error("role", &role))?,
        must_change_password: r.try_get("must_change_password")?,
    })
}

/// A user row joined with `org_name`, `org_kind` and `org_individual`.
fn session_user_from_row(r: &sqlx::sqlite::SqliteRow, expires_at: String) -> Result<SessionUser, sqlx::Error> {
    let user = user_from_row(r)?;
    let kind: String = r.try_get("org_kind")?;
    let org = OrgRecord {
        id: user.org_id,
        name: r.try_get("org_name")?,
        kind: OrgKind::parse(&kind).ok_or_else(|| decode_error("org kind", &kind))?,
        individual: r.try_get("org_individual")?,
    };
    Ok(SessionUser { user, org, expires_at })
}

pub(crate) fn decode_error(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected {what} {value:?} in the database").into())
}

impl Db {
    /// A person with their organization, as a session would show them.
    pub async fn user_session_view(&self, user_id: i64) -> Result<Option<SessionUser>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT u.id, u.org_id, u.email, u.name, u.password_hash, u.role, u.must_change_password,
                    o.name AS org_name, o.kind AS org_kind, o.individual AS org_individual
             FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.id = ?",
        )
        .bind(user_id)
        .fetch_optional(&self.read)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(session_user_from_row(&r, String::new())?))
    }
}
