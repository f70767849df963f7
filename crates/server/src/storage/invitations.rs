//! Invitations of co-workers (SPEC §7): created, resent, revoked and accepted, each in
//! one transaction with the mail it sends. The stored state goes through the domain's
//! [`InvitationState`]; whether an invitation has expired is the domain's to say, at `now`.

use super::account_links;
use super::lockers;
use super::members::{self, InsertUserError, NewUser};
use super::outbox::{insert_mail, redact_invitation_mail, redact_mail_ids, Carries, NewMail};
use super::window::{self, Events};
use super::{Db, Tx};
use crate::clock::to_db;
use chrono::{DateTime, Duration, Utc};
use tessera_domain::api::InvitationStatus;
use tessera_domain::invitation::InvitationState;

const INVITATION_COLUMNS: &str =
    "id, org_id, email, invited_by_name, status, sent_at, expires_at, accepted_at, revoked_at, locker_id";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRecord {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub invited_by_name: String,
    #[sqlx(rename = "status", try_from = "String")]
    pub state: InvitationState,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Set for an invitation into a shared Digital Locker rather than into the organization.
    pub locker_id: Option<i64>,
}

impl InvitationRecord {
    pub fn status_at(&self, now: DateTime<Utc>) -> InvitationStatus {
        self.state.status_at(self.expires_at, now)
    }
}

/// An invitation with the name of the organization it invites into.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationWithOrg {
    #[sqlx(flatten)]
    pub invitation: InvitationRecord,
    pub org_name: String,
}

pub struct NewInvitation<'a> {
    /// The inviter's organization (whose hourly allowance the mail counts against).
    pub org_id: i64,
    /// Into this shared locker instead of into the organization.
    pub locker_id: Option<i64>,
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
    /// Resending or revoking what is no longer pending.
    NotPending(InvitationState),
    /// Accepting what cannot be accepted at this moment (used, revoked or expired).
    NotUsable(InvitationStatus),
    /// The accepting person belongs to another organization.
    MemberOfOtherOrg,
    /// The new account's email already has one.
    EmailTaken,
    /// The person's own locker is shared with others already: one locker per person.
    LockerShared,
    /// A locker invitation accepted by someone signed in with another address.
    EmailMismatch,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for InviteError {
    fn from(e: sqlx::Error) -> Self {
        InviteError::Db(e)
    }
}

impl From<InsertUserError> for InviteError {
    fn from(e: InsertUserError) -> Self {
        match e {
            InsertUserError::EmailTaken => InviteError::EmailTaken,
            InsertUserError::Db(e) => InviteError::Db(e),
        }
    }
}

/// Refuses when the organization sent `limit` invitation mails (first sends and resends)
/// within the last hour.
async fn check_hourly_limit(tx: &mut Tx<'_>, org_id: i64, now: DateTime<Utc>, limit: i64) -> Result<(), InviteError> {
    match window::check(tx, Events::InvitationSends { org_id }, now, Duration::hours(1), limit).await? {
        Ok(()) => Ok(()),
        Err(allowed_at) => Err(InviteError::TooMany { retry_after: (allowed_at - now).num_seconds() }),
    }
}

async fn record_send(tx: &mut Tx<'_>, org_id: i64, invitation_id: i64, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO invitation_sends (org_id, invitation_id, sent_at) VALUES (?, ?, ?)")
        .bind(org_id)
        .bind(invitation_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Refuses an invitation to someone already in the organization (or the locker), or already
/// holding a live invitation into it other than `except` (the one being resent).
async fn check_not_member_nor_invited(
    tx: &mut Tx<'_>,
    org_id: i64,
    locker_id: Option<i64>,
    email: &str,
    except: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), InviteError> {
    let member = match locker_id {
        None => members::is_member(tx, org_id, email).await?,
        Some(locker_id) => lockers::is_in_locker(tx, locker_id, email).await?,
    };
    if member {
        return Err(InviteError::AlreadyMember);
    }
    let others: Vec<InvitationRecord> = sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations
         WHERE org_id = ? AND locker_id IS ? AND email = ? AND status = ? AND id <> ?"
    ))
    .bind(org_id)
    .bind(locker_id)
    .bind(email)
    .bind(InvitationState::Pending.as_str())
    .bind(except.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    if others.iter().any(|other| other.status_at(now) == InvitationStatus::Pending) {
        return Err(InviteError::AlreadyInvited);
    }
    Ok(())
}

/// The invitation `id`, read under the write lock, if it can be accepted at `now`: so that a
/// token is used once even when two browsers race.
async fn pending_invitation(tx: &mut Tx<'_>, id: i64, now: DateTime<Utc>) -> Result<InvitationRecord, InviteError> {
    let inv: InvitationRecord = sqlx::query_as(&format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(InviteError::NotFound)?;
    match inv.status_at(now) {
        InvitationStatus::Pending => Ok(inv),
        unusable => Err(InviteError::NotUsable(unusable)),
    }
}

/// Marks the invitation accepted by `user_id`; its link stops mattering, so its mail is blanked.
async fn mark_accepted(tx: &mut Tx<'_>, id: i64, user_id: i64, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE invitations SET status = ?, accepted_at = ?, accepted_by = ? WHERE id = ?")
        .bind(InvitationState::Accepted.as_str())
        .bind(now)
        .bind(user_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    redact_invitation_mail(tx, id, None, now).await?;
    Ok(())
}

async fn fetch_invitation(tx: &mut Tx<'_>, org_id: i64, id: i64) -> Result<Option<InvitationRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = ? AND org_id = ? AND locker_id IS NULL"
    ))
    .bind(id)
    .bind(org_id)
    .fetch_optional(&mut **tx)
    .await
}

impl Db {
    /// Creates the invitation and queues its mail in one transaction.
    pub async fn create_invitation(
        &self,
        inv: NewInvitation<'_>,
        mail: &NewMail,
        now: DateTime<Utc>,
        hourly_limit: i64,
    ) -> Result<InvitationRecord, InviteError> {
        let mut tx = self.begin_write().await?;
        check_not_member_nor_invited(&mut tx, inv.org_id, inv.locker_id, inv.email, None, now).await?;
        check_hourly_limit(&mut tx, inv.org_id, now, hourly_limit).await?;
        let now_s = to_db(now);
        let created: InvitationRecord = sqlx::query_as(&format!(
            "INSERT INTO invitations (org_id, email, invited_by, invited_by_name, token_hash, status, created_at, sent_at,
                                      expires_at, locker_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(inv.org_id)
        .bind(inv.email)
        .bind(inv.invited_by)
        .bind(inv.invited_by_name)
        .bind(inv.token_hash)
        .bind(InvitationState::Pending.as_str())
        .bind(&now_s)
        .bind(&now_s)
        .bind(to_db(inv.expires_at))
        .bind(inv.locker_id)
        .fetch_one(&mut *tx)
        .await?;
        record_send(&mut tx, inv.org_id, created.id, &now_s).await?;
        insert_mail(&mut tx, mail, Carries::Invitation(created.id), &now_s).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The organization's invitations of co-workers (not those into shared lockers).
    pub async fn list_invitations(&self, org_id: i64) -> Result<Vec<InvitationRecord>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE org_id = ? AND locker_id IS NULL
             ORDER BY sent_at DESC, id DESC"
        ))
        .bind(org_id)
        .fetch_all(&self.read)
        .await
    }

    /// The invitations into a shared locker.
    pub async fn list_locker_invitations(&self, locker_id: i64) -> Result<Vec<InvitationRecord>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE locker_id = ? ORDER BY sent_at DESC, id DESC"
        ))
        .bind(locker_id)
        .fetch_all(&self.read)
        .await
    }

    /// One invitation of the organization.
    pub async fn invitation(&self, org_id: i64, id: i64) -> Result<Option<InvitationRecord>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = ? AND org_id = ? AND locker_id IS NULL"
        ))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.read)
        .await
    }

    /// A new token and expiry for a pending (or lapsed) invitation, and its new mail
    /// (written for the invitation's address, which never changes).
    pub async fn resend_invitation(
        &self,
        org_id: i64,
        id: i64,
        token: NewToken<'_>,
        mail: &NewMail,
        now: DateTime<Utc>,
        hourly_limit: i64,
    ) -> Result<InvitationRecord, InviteError> {
        let mut tx = self.begin_write().await?;
        let current = fetch_invitation(&mut tx, org_id, id).await?.ok_or(InviteError::NotFound)?;
        if current.state != InvitationState::Pending {
            return Err(InviteError::NotPending(current.state));
        }
        check_not_member_nor_invited(&mut tx, org_id, None, &current.email, Some(id), now).await?;
        check_hourly_limit(&mut tx, org_id, now, hourly_limit).await?;
        let now_s = to_db(now);
        let updated: InvitationRecord = sqlx::query_as(&format!(
            "UPDATE invitations SET token_hash = ?, sent_at = ?, expires_at = ? WHERE id = ? RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(token.token_hash)
        .bind(&now_s)
        .bind(to_db(token.expires_at))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        record_send(&mut tx, org_id, id, &now_s).await?;
        // The earlier mail's link died with its token.
        let new_mail = insert_mail(&mut tx, mail, Carries::Invitation(id), &now_s).await?;
        redact_invitation_mail(&mut tx, id, Some(new_mail), &now_s).await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn revoke_invitation(
        &self,
        org_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<InvitationRecord, InviteError> {
        let mut tx = self.begin_write().await?;
        let current = fetch_invitation(&mut tx, org_id, id).await?.ok_or(InviteError::NotFound)?;
        if current.state != InvitationState::Pending {
            return Err(InviteError::NotPending(current.state));
        }
        let revoked: InvitationRecord = sqlx::query_as(&format!(
            "UPDATE invitations SET status = ?, revoked_at = ? WHERE id = ? RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(InvitationState::Revoked.as_str())
        .bind(to_db(now))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        redact_invitation_mail(&mut tx, id, None, &to_db(now)).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// The invitation a token opens, with its organization's name.
    pub async fn invitation_by_token(&self, token_hash: &str) -> Result<Option<InvitationWithOrg>, sqlx::Error> {
        sqlx::query_as(
            "SELECT i.id, i.org_id, i.email, i.invited_by_name, i.status, i.sent_at, i.expires_at, i.accepted_at,
                    i.revoked_at, i.locker_id, o.name AS org_name
             FROM invitations i JOIN organizations o ON o.id = i.org_id WHERE i.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await
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
        let mut tx = self.begin_write().await?;
        let inv = pending_invitation(&mut tx, id, now).await?;
        let now_s = to_db(now);
        let user_id = match (new_user, existing_user) {
            (Some(user), _) => members::insert_user(&mut tx, inv.org_id, &user, &now_s).await?.id,
            (None, Some(user_id)) => {
                // A home owner joining a company moves there; see docs/decisions.md. Checked
                // here, under the write lock, so that nobody is left behind without an admin.
                let home = members::home_of(&mut tx, user_id).await?.ok_or(InviteError::NotFound)?;
                if home.org_id != inv.org_id && !(home.individual && home.people == 1) {
                    return Err(InviteError::MemberOfOtherOrg);
                }
                members::move_into(&mut tx, user_id, inv.org_id).await?;
                user_id
            }
            (None, None) => return Err(InviteError::NotFound),
        };
        // The link reached the invited address: that proves it, for a newcomer and for a
        // home owner whose own verification mail is still unread.
        account_links::mark_verified(&mut tx, user_id, &now_s).await?;
        mark_accepted(&mut tx, id, user_id, &now_s).await?;
        tx.commit().await?;
        Ok(user_id)
    }

    /// Accepts an invitation into a shared locker for the signed-in `user_id` (whose address
    /// must be the invited one): their own locker's credits merge into it. One credit-moving
    /// transaction, re-checking the invitation under the write lock.
    pub async fn accept_locker_invitation(
        &self,
        id: i64,
        user_id: i64,
        email: &str,
        actor_name: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, InviteError> {
        let mut tx = self.begin_credit_write().await?;
        let inv = pending_invitation(&mut tx, id, now).await?;
        let locker_id = inv.locker_id.ok_or(InviteError::NotFound)?;
        if inv.email != email {
            return Err(InviteError::EmailMismatch);
        }
        if lockers::is_in_locker(&mut tx, locker_id, email).await? {
            return Err(InviteError::AlreadyMember);
        }
        let now_s = to_db(now);
        if !lockers::join(&mut tx, user_id, actor_name, locker_id, &now_s).await? {
            return Err(InviteError::LockerShared);
        }
        mark_accepted(&mut tx, id, user_id, &now_s).await?;
        tx.commit().await?;
        Ok(locker_id)
    }

    /// Housekeeping: blanks the links of invitation mails that no longer matter (their
    /// invitation expired, was used or withdrawn, was resent since, or is gone), which
    /// accepting, revoking and resending did not already. Returns how many were blanked.
    pub async fn redact_lapsed_invitation_mail(&self, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let mails: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, invitation_id FROM outbox WHERE kind = 'invitation' AND redacted_at IS NULL ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut lapsed = Vec::new();
        for (mail_id, invitation_id) in mails {
            let live = match invitation_id {
                Some(invitation_id) => mail_is_live(&mut tx, mail_id, invitation_id, now).await?,
                None => false,
            };
            if !live {
                lapsed.push(mail_id);
            }
        }
        let count = redact_mail_ids(&mut tx, &lapsed, &to_db(now)).await?;
        tx.commit().await?;
        Ok(count)
    }
}

/// A mail's link still opens its invitation: the invitation is pending at `now` (the
/// domain's rule) and this is its newest mail.
async fn mail_is_live(
    tx: &mut Tx<'_>,
    mail_id: i64,
    invitation_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let inv: Option<InvitationRecord> =
        sqlx::query_as(&format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = ?"))
            .bind(invitation_id)
            .fetch_optional(&mut **tx)
            .await?;
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM outbox WHERE invitation_id = ?")
        .bind(invitation_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(inv.is_some_and(|inv| inv.status_at(now) == InvitationStatus::Pending) && newest == Some(mail_id))
}
