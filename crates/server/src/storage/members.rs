//! People (users) and their place in an organization: accounts, roles, names,
//! passwords. Other aggregates reach the `users` table only through the
//! transaction helpers here.

use super::outbox::{insert_mail, Carries, NewMail};
use super::{is_unique_violation, Db, Tx};
use crate::clock::to_db;
use chrono::{DateTime, Utc};
use tessera_domain::account_link::Purpose;
use tessera_domain::api::Role;

const USER_COLUMNS: &str =
    "id, org_id, email, name, password_hash, role, must_change_password, email_verified_at IS NOT NULL AS email_verified";
const MEMBER_COLUMNS: &str = "id, name, email, role, created_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub must_change_password: bool,
    /// A link mailed to the address was used (or the account was made by someone who
    /// vouches for the address: an invitation, the vendor's CLI).
    pub email_verified: bool,
}

/// A person as their organization's member list shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRecord {
    pub id: i64,
    pub name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(rename = "created_at")]
    pub joined_at: DateTime<Utc>,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub must_change_password: bool,
    /// Whoever makes the account vouches for the address: an invitation link or the
    /// vendor's operator did; a self-registration did not.
    pub email_verified: bool,
}

/// Why a member could not be added, changed or removed.
#[derive(Debug)]
pub enum MemberError {
    NotFound,
    /// The change would leave the organization without an admin.
    LastAdmin,
    EmailTaken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for MemberError {
    fn from(e: sqlx::Error) -> Self {
        MemberError::Db(e)
    }
}

impl From<InsertUserError> for MemberError {
    fn from(e: InsertUserError) -> Self {
        match e {
            InsertUserError::EmailTaken => MemberError::EmailTaken,
            InsertUserError::Db(e) => MemberError::Db(e),
        }
    }
}

/// Why [`insert_user`] failed; each aggregate that creates people maps it to its own error.
#[derive(Debug)]
pub(super) enum InsertUserError {
    EmailTaken,
    Db(sqlx::Error),
}

pub(super) async fn insert_user(
    tx: &mut Tx<'_>,
    org_id: i64,
    user: &NewUser<'_>,
    now: &str,
) -> Result<UserRecord, InsertUserError> {
    sqlx::query_as(&format!(
        "INSERT INTO users (org_id, email, name, password_hash, role, must_change_password, email_verified_at,
                            created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {USER_COLUMNS}"
    ))
    .bind(org_id)
    .bind(user.email)
    .bind(user.name)
    .bind(user.password_hash)
    .bind(user.role.as_str())
    .bind(user.must_change_password)
    .bind(user.email_verified.then_some(now))
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| if is_unique_violation(&e) { InsertUserError::EmailTaken } else { InsertUserError::Db(e) })
}

/// Whether someone with `email` already belongs to the organization.
pub(super) async fn is_member(tx: &mut Tx<'_>, org_id: i64, email: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE org_id = ? AND email = ?")
        .bind(org_id)
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some())
}

/// Where a person belongs now: what decides whether they may move to another organization.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct Home {
    pub org_id: i64,
    /// A home owner's organization of one.
    pub individual: bool,
    /// How many people the organization has.
    pub people: i64,
}

pub(super) async fn home_of(tx: &mut Tx<'_>, user_id: i64) -> Result<Option<Home>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.org_id, o.individual, (SELECT COUNT(*) FROM users v WHERE v.org_id = u.org_id) AS people
         FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.id = ?",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await
}

/// Moves a person into `org_id` as a member (nothing happens if they are already there).
pub(super) async fn move_into(tx: &mut Tx<'_>, user_id: i64, org_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET org_id = ?, role = ? WHERE id = ? AND org_id <> ?")
        .bind(org_id)
        .bind(Role::Member.as_str())
        .bind(user_id)
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn fetch_member(tx: &mut Tx<'_>, org_id: i64, user_id: i64) -> Result<Option<MemberRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} FROM users WHERE id = ? AND org_id = ?"))
        .bind(user_id)
        .bind(org_id)
        .fetch_optional(&mut **tx)
        .await
}

async fn count_admins(tx: &mut Tx<'_>, org_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = ? AND role = ?")
        .bind(org_id)
        .bind(Role::Admin.as_str())
        .fetch_one(&mut **tx)
        .await
}

impl Db {
    /// Adds a person to an existing organization.
    pub async fn add_user(&self, org_id: i64, user: NewUser<'_>, now: DateTime<Utc>) -> Result<i64, MemberError> {
        let now = to_db(now);
        let mut tx = self.begin_write().await?;
        let created = insert_user(&mut tx, org_id, &user, &now).await?;
        tx.commit().await?;
        Ok(created.id)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?"))
            .bind(email)
            .fetch_optional(&self.read)
            .await
    }

    pub async fn rename_user(&self, user_id: i64, name: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET name = ? WHERE id = ?").bind(name).bind(user_id).execute(&self.write).await?;
        Ok(())
    }

    /// Sets a new password hash, lifts `must_change_password`, gives the session that made
    /// the change a new token (`this_session` becomes `renamed_to`; its sign-in time stays),
    /// ends the person's other sessions (a thief's included) and queues the notice mail, at once.
    pub async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        this_session: &str,
        renamed_to: &str,
        notice: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        let now = to_db(now);
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE sessions SET token_hash = ? WHERE token_hash = ? AND user_id = ?")
            .bind(renamed_to)
            .bind(this_session)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?")
            .bind(user_id)
            .bind(renamed_to)
            .execute(&mut *tx)
            .await?;
        // A reset link still out would reopen the account the owner just secured.
        super::account_links::retire_links(&mut tx, user_id, Some(Purpose::PasswordReset), &now).await?;
        insert_mail(&mut tx, notice, Carries::Nothing, &now).await?;
        tx.commit().await
    }

    pub async fn list_members(&self, org_id: i64) -> Result<Vec<MemberRecord>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} FROM users WHERE org_id = ? ORDER BY name, id"))
            .bind(org_id)
            .fetch_all(&self.read)
            .await
    }

    /// Changes a member's role, refusing to leave the organization without an admin.
    pub async fn set_member_role(&self, org_id: i64, user_id: i64, role: Role) -> Result<MemberRecord, MemberError> {
        let mut tx = self.begin_write().await?;
        let current = fetch_member(&mut tx, org_id, user_id).await?.ok_or(MemberError::NotFound)?;
        if current.role == Role::Admin && role != Role::Admin && count_admins(&mut tx, org_id).await? <= 1 {
            return Err(MemberError::LastAdmin);
        }
        sqlx::query("UPDATE users SET role = ? WHERE id = ?")
            .bind(role.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(MemberRecord { role, ..current })
    }

    /// Removes a member: a user belongs to exactly one organization, so this closes
    /// their account (sessions go with it).
    pub async fn remove_member(&self, org_id: i64, user_id: i64) -> Result<(), MemberError> {
        let mut tx = self.begin_write().await?;
        let current = fetch_member(&mut tx, org_id, user_id).await?.ok_or(MemberError::NotFound)?;
        if current.role == Role::Admin && count_admins(&mut tx, org_id).await? <= 1 {
            return Err(MemberError::LastAdmin);
        }
        sqlx::query("DELETE FROM users WHERE id = ?").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
