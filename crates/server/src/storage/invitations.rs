//! Invitations, members and organization settings.

use super::{insert_user, outbox::insert_mail, Db, NewMail, NewUser, StoreError};
use crate::clock::to_db;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use tessera_domain::api::Role;

#[derive(Debug, Clone)]
pub struct InvitationRecord {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub invited_by_name: String,
    /// 'pending' | 'accepted' | 'revoked' as stored; expiry is decided by the caller's clock.
    pub status: String,
    pub sent_at: String,
    pub expires_at: String,
    pub accepted_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl InvitationRecord {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.status == "pending" && self.expires_at <= to_db(now)
    }
}

#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: String,
}

#[derive(Debug, Clone)]
pub struct OrgSettings {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub members_may_invite: bool,
}

/// Why an invitation could not be created, resent, revoked or accepted.
#[derive(Debug)]
pub enum InviteError {
    AlreadyMember,
    AlreadyInvited,
    /// The organization sent its hourly allowance; seconds until one frees up.
    TooMany {
        retry_after: i64,
    },
    NotFound,
    NotPending(String),
    Expired,
    EmailTaken,
    LastAdmin,
    /// The accepting user belongs to another organization they cannot simply leave.
    MemberOfOtherOrg,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for InviteError {
    fn from(e: sqlx::Error) -> Self {
        InviteError::Db(e)
    }
}

impl From<StoreError> for InviteError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::EmailTaken => InviteError::EmailTaken,
            StoreError::Db(e) => InviteError::Db(e),
        }
    }
}

const INVITATION_COLUMNS: &str =
    "id, org_id, email, invited_by_name, status, sent_at, expires_at, accepted_at, revoked_at";

fn invitation_from_row(r: &SqliteRow) -> Result<InvitationRecord, sqlx::Error> {
    Ok(InvitationRecord {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        email: r.try_get("email")?,
        invited_by_name: r.try_get("invited_by_name")?,
        status: r.try_get("status")?,
        sent_at: r.try_get("sent_at")?,
        expires_at: r.try_get("expires_at")?,
        accepted_at: r.try_get("accepted_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

pub struct NewInvitation<'a> {
    pub org_id: i64,
    pub email: &'a str,
    pub invited_by: i64,
    pub invited_by_name: &'a str,
    pub token_hash: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// A fresh token for an invitation being resent.
pub struct NewToken<'a> {
    pub token_hash: &'a str,
    pub expires_at: DateTime<Utc>,
}

type Tx<'c> = sqlx::Transaction<'c, sqlx::Sqlite>;

/// Refuses when the organization sent `limit` invitation mails (first sends and resends)
/// within the last hour.
async fn check_hourly_limit(tx: &mut Tx<'_>, org_id: i64, now: DateTime<Utc>, limit: i64) -> Result<(), InviteError> {
    let hour_ago = now - chrono::Duration::hours(1);
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(sent_at) AS oldest FROM invitation_sends WHERE org_id = ? AND sent_at > ?",
    )
    .bind(org_id)
    .bind(to_db(hour_ago))
    .fetch_one(&mut **tx)
    .await?;
    let n: i64 = row.try_get("n")?;
    if n < limit {
        return Ok(());
    }
    let oldest: Option<String> = row.try_get("oldest")?;
    let retry_after = oldest
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| (t.with_timezone(&Utc) + chrono::Duration::hours(1) - now).num_seconds())
        .unwrap_or(3600);
    Err(InviteError::TooMany { retry_after })
}

async fn record_send(tx: &mut Tx<'_>, org_id: i64, invitation_id: i64, now_s: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO invitation_sends (org_id, invitation_id, sent_at) VALUES (?, ?, ?)")
        .bind(org_id)
        .bind(invitation_id)
        .bind(now_s)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Refuses an invitation to someone already in the organization, or already holding a live
/// invitation other than `except` (the one being resent).
async fn check_not_member_nor_invited(
    tx: &mut Tx<'_>,
    org_id: i64,
    email: &str,
    except: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), InviteError> {
    let member: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE org_id = ? AND email = ?")
        .bind(org_id)
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?;
    if member.is_some() {
        return Err(InviteError::AlreadyMember);
    }
    let pending: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM invitations WHERE org_id = ? AND email = ? AND status = 'pending' AND expires_at > ? AND id <> ?",
    )
    .bind(org_id)
    .bind(email)
    .bind(to_db(now))
    .bind(except.unwrap_or(0))
    .fetch_optional(&mut **tx)
    .await?;
    if pending.is_some() {
        return Err(InviteError::AlreadyInvited);
    }
    Ok(())
}

impl Db {
    /// Creates the invitation and queues its mail in one transaction.
    pub async fn create_invitation(
        &self,
        inv: NewInvitation<'_>,
        mail: NewMail<'_>,
        now: DateTime<Utc>,
        hourly_limit: i64,
    ) -> Result<InvitationRecord, InviteError> {
        let mut tx = self.write.begin().await?;
        check_not_member_nor_invited(&mut tx, inv.org_id, inv.email, None, now).await?;
        check_hourly_limit(&mut tx, inv.org_id, now, hourly_limit).await?;
        let now_s = to_db(now);
        let row = sqlx::query(&format!(
            "INSERT INTO invitations (org_id, email, invited_by, invited_by_name, token_hash, status, created_at, sent_at, expires_at)
             VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(inv.org_id)
        .bind(inv.email)
        .bind(inv.invited_by)
        .bind(inv.invited_by_name)
        .bind(inv.token_hash)
        .bind(&now_s)
        .bind(&now_s)
        .bind(to_db(inv.expires_at))
        .fetch_one(&mut *tx)
        .await?;
        let created = invitation_from_row(&row)?;
        record_send(&mut tx, inv.org_id, created.id, &now_s).await?;
        insert_mail(&mut tx, &mail, &now_s).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn list_invitations(&self, org_id: i64) -> Result<Vec<InvitationRecord>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE org_id = ? ORDER BY sent_at DESC, id DESC"
        ))
        .bind(org_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(invitation_from_row).collect()
    }

    /// A new token and expiry for a pending (or lapsed) invitation, and a new mail.
    pub async fn resend_invitation(
        &self,
        org_id: i64,
        id: i64,
        token: NewToken<'_>,
        mail: impl FnOnce(&InvitationRecord) -> NewMailOwned,
        now: DateTime<Utc>,
        hourly_limit: i64,
    ) -> Result<InvitationRecord, InviteError> {
        let mut tx = self.write.begin().await?;
        let current = fetch_invitation(&mut tx, org_id, id).await?.ok_or(InviteError::NotFound)?;
        if current.status != "pending" {
            return Err(InviteError::NotPending(current.status));
        }
        check_not_member_nor_invited(&mut tx, org_id, &current.email, Some(id), now).await?;
        check_hourly_limit(&mut tx, org_id, now, hourly_limit).await?;
        let now_s = to_db(now);
        let row = sqlx::query(&format!(
            "UPDATE invitations SET token_hash = ?, sent_at = ?, expires_at = ? WHERE id = ? RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(token.token_hash)
        .bind(&now_s)
        .bind(to_db(token.expires_at))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let updated = invitation_from_row(&row)?;
        record_send(&mut tx, org_id, id, &now_s).await?;
        let mail = mail(&updated);
        insert_mail(&mut tx, &mail.borrow(), &now_s).await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn revoke_invitation(
        &self,
        org_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<InvitationRecord, InviteError> {
        let mut tx = self.write.begin().await?;
        let current = fetch_invitation(&mut tx, org_id, id).await?.ok_or(InviteError::NotFound)?;
        if current.status != "pending" {
            return Err(InviteError::NotPending(current.status));
        }
        let row = sqlx::query(&format!(
            "UPDATE invitations SET status = 'revoked', revoked_at = ? WHERE id = ? RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(to_db(now))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(invitation_from_row(&row)?)
    }

    /// The invitation a token opens, with its organization's name.
    pub async fn invitation_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(InvitationRecord, String)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT i.id, i.org_id, i.email, i.invited_by_name, i.status, i.sent_at, i.expires_at, i.accepted_at,
                    i.revoked_at, o.name AS org_name
             FROM invitations i JOIN organizations o ON o.id = i.org_id WHERE i.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        match row {
            Some(r) => Ok(Some((invitation_from_row(&r)?, r.try_get("org_name")?))),
            None => Ok(None),
        }
    }

    /// Accepts: creates the invited person's account (`new_user`) or confirms an
    /// existing member (`existing_user`), re-checking the invitation under the write lock
    /// so that a token is used once even when two browsers race.
    pub async fn accept_invitation(
        &self,
        id: i64,
        new_user: Option<NewUser<'_>>,
        existing_user: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<i64, InviteError> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(&format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = ?"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let inv = invitation_from_row(&row.ok_or(InviteError::NotFound)?)?;
        if inv.status != "pending" {
            return Err(InviteError::NotPending(inv.status));
        }
        if inv.is_expired(now) {
            return Err(InviteError::Expired);
        }
        let now_s = to_db(now);
        let user_id = match (new_user, existing_user) {
            (Some(user), _) => insert_user(&mut tx, inv.org_id, &user, &now_s).await?,
            (None, Some(user_id)) => {
                // A home owner joining a company moves there; see docs/decisions.md. Checked
                // here, under the write lock, so that nobody is left behind without an admin.
                let from: (i64, bool, i64) = sqlx::query_as(
                    "SELECT u.org_id, o.individual, (SELECT COUNT(*) FROM users v WHERE v.org_id = u.org_id)
                     FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.id = ?",
                )
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(InviteError::NotFound)?;
                let (from_org, individual, people) = from;
                if from_org != inv.org_id && !(individual && people == 1) {
                    return Err(InviteError::MemberOfOtherOrg);
                }
                sqlx::query("UPDATE users SET org_id = ?, role = 'member' WHERE id = ? AND org_id <> ?")
                    .bind(inv.org_id)
                    .bind(user_id)
                    .bind(inv.org_id)
                    .execute(&mut *tx)
                    .await?;
                user_id
            }
            (None, None) => return Err(InviteError::NotFound),
        };
        sqlx::query("UPDATE invitations SET status = 'accepted', accepted_at = ?, accepted_by = ? WHERE id = ?")
            .bind(&now_s)
            .bind(user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(user_id)
    }

    pub async fn list_members(&self, org_id: i64) -> Result<Vec<MemberRecord>, sqlx::Error> {
        let rows =
            sqlx::query("SELECT id, name, email, role, created_at FROM users WHERE org_id = ? ORDER BY name, id")
                .bind(org_id)
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(member_from_row).collect()
    }

    /// Changes a member's role, refusing to leave the organization without an admin.
    pub async fn set_member_role(&self, org_id: i64, user_id: i64, role: Role) -> Result<MemberRecord, InviteError> {
        let mut tx = self.write.begin().await?;
        let current = fetch_member(&mut tx, org_id, user_id).await?.ok_or(InviteError::NotFound)?;
        if current.role == Role::Admin && role != Role::Admin && count_admins(&mut tx, org_id).await? <= 1 {
            return Err(InviteError::LastAdmin);
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
    pub async fn remove_member(&self, org_id: i64, user_id: i64) -> Result<(), InviteError> {
        let mut tx = self.write.begin().await?;
        let current = fetch_member(&mut tx, org_id, user_id).await?.ok_or(InviteError::NotFound)?;
        if current.role == Role::Admin && count_admins(&mut tx, org_id).await? <= 1 {
            return Err(InviteError::LastAdmin);
        }
        sqlx::query("DELETE FROM users WHERE id = ?").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn org_settings(&self, org_id: i64) -> Result<Option<OrgSettings>, sqlx::Error> {
        let row = sqlx::query("SELECT id, name, kind, members_may_invite FROM organizations WHERE id = ?")
            .bind(org_id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| {
            Ok(OrgSettings {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                members_may_invite: r.try_get("members_may_invite")?,
            })
        })
        .transpose()
    }

    pub async fn set_members_may_invite(&self, org_id: i64, allowed: bool) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE organizations SET members_may_invite = ? WHERE id = ?")
            .bind(allowed)
            .bind(org_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}

/// An owned mail, for callers that build it from data read inside the transaction.
pub struct NewMailOwned {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub kind: &'static str,
}

impl NewMailOwned {
    pub fn borrow(&self) -> NewMail<'_> {
        NewMail { to: &self.to, subject: &self.subject, text: &self.text, html: &self.html, kind: self.kind }
    }
}

async fn fetch_invitation(tx: &mut Tx<'_>, org_id: i64, id: i64) -> Result<Option<InvitationRecord>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = ? AND org_id = ?"))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(invitation_from_row).transpose()
}

async fn fetch_member(tx: &mut Tx<'_>, org_id: i64, user_id: i64) -> Result<Option<MemberRecord>, sqlx::Error> {
    let row = sqlx::query("SELECT id, name, email, role, created_at FROM users WHERE id = ? AND org_id = ?")
        .bind(user_id)
        .bind(org_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(member_from_row).transpose()
}

async fn count_admins(tx: &mut Tx<'_>, org_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = ? AND role = 'admin'")
        .bind(org_id)
        .fetch_one(&mut **tx)
        .await
}

fn member_from_row(r: &SqliteRow) -> Result<MemberRecord, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(MemberRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        role: Role::parse(&role).ok_or_else(|| super::decode_error("role", &role))?,
        joined_at: r.try_get("created_at")?,
    })
}
