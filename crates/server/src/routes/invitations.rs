//! Inviting co-workers (SPEC §7): create, list, resend, revoke, look up, accept.

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiPath};
use crate::mail;
use crate::openapi::{
    BadAddress, Csrf, IdPath, Internal, InvalidBody, MalformedJson, NoSuchObject, PasswordChangeRequired,
    PayloadTooLarge, Unauthenticated, UnsupportedMediaType,
};
use crate::routes::auth::{name_error, start_session};
use crate::routes::verification;
use crate::security;
use crate::session::{self, CurrentUser};
use crate::state::AppState;
use crate::storage::{InvitationRecord, InvitationWithOrg, InviteError, NewInvitation, NewMail, NewToken, NewUser};
use crate::throttle::{self, Client, NetworkLimit};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use tessera_domain::api::{
    AcceptInvitation, ErrorBody, Invitation, InvitationLookup, InvitationStatus, InviteRequest, Me, Role, TokenRequest,
};
use tessera_domain::email::Email;
use tessera_domain::invitation::{self as rules, may_invite, InvitationState};
use tessera_domain::name::PersonName;

/// Invitations (new and resent) one organization may send per hour.
pub const INVITATIONS_PER_HOUR: i64 = 50;

pub const ALREADY_INVITED: &str =
    "This co-worker has already been invited to the portal. Please invite another co-worker.";

/// `POST /api/v1/invitations`: sends an invitation mail with a link valid for 7 days.
#[utoipa::path(
    post,
    path = "/invitations",
    tag = "team",
    security(("session" = [], "csrf" = [])),
    request_body = InviteRequest,
    responses(
        (status = 201, description = "Invited; the mail is queued.", body = Invitation),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: a member where only admins may invite, or a \
            home owner (no co-workers); `email_unverified`: the inviter has not confirmed their own \
            address yet; `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 404, description = "`not_found`: the organization no longer exists.", body = ErrorBody),
        (status = 409, description = "`already_invited` or `already_member` (field `email`).", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; `email_required`, `email_invalid` (field `email`).", body = ErrorBody),
        (status = 429, description = "`too_many_invitations`: the organization's hourly limit \
            (new invitations and resends alike).", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, response = Internal),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(req): ApiJson<InviteRequest>,
) -> ApiResult<(StatusCode, Json<Invitation>)> {
    let me = &current.session;
    let policy = state.db.org_settings(me.org.id).await?.ok_or_else(ApiError::not_found)?.invite_policy();
    if !may_invite(me.user.role, policy) {
        let why = if policy.individual {
            "A home owner account is for one person, so it has no co-workers to invite. \
             To work as a team, register your company."
        } else {
            "Only admins can invite co-workers in this organization."
        };
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", why));
    }
    verification::require_verified(me)?;
    let email = Email::parse(&req.email).map_err(|e| ApiError::invalid(e.code(), "email", e.message()))?;
    let token = security::random_token();
    let now = state.clock.now();
    let expires_at = rules::expires_at(now);
    let mail = invitation_mail(&state, email.as_str(), &me.user.name, &me.org.name, &token, expires_at);
    let created = state
        .db
        .create_invitation(
            NewInvitation {
                org_id: me.org.id,
                locker_id: None,
                email: email.as_str(),
                invited_by: me.user.id,
                invited_by_name: &me.user.name,
                token_hash: &security::token_hash(&token),
                expires_at,
            },
            &mail,
            now,
            INVITATIONS_PER_HOUR,
        )
        .await
        .map_err(|e| invite_error(e, &me.org.name))?;
    state.mail_wakeup.notify_one();
    audit::Event::new(Action::InvitationSent, &current.request_id).actor(me.user.id).target(Some(created.id)).emit();
    Ok((StatusCode::CREATED, Json(view(&created, now))))
}

#[utoipa::path(
    get,
    path = "/invitations",
    tag = "team",
    security(("session" = [])),
    responses(
        (status = 200, description = "The organization's invitations, newest first.", body = [Invitation]),
        (status = 401, response = Unauthenticated),
        (status = 403, response = PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn list(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Vec<Invitation>>> {
    let now = state.clock.now();
    let all = state.db.list_invitations(current.session.org.id).await?;
    Ok(Json(all.iter().map(|i| view(i, now)).collect()))
}

/// `POST /api/v1/invitations/{id}/resend`: a new link (the old one stops working) and a new
/// 7-day expiry.
#[utoipa::path(
    post,
    path = "/invitations/{id}/resend",
    tag = "team",
    security(("session" = [], "csrf" = [])),
    params(IdPath),
    responses(
        (status = 200, description = "Resent.", body = Invitation),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only admins can do this; `email_unverified`; `csrf`; \
            `password_change_required`.", body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`invitation_not_pending` (accepted or revoked); \
            `already_invited` (a newer invitation to the address is live), `already_member` \
            (field `email`).", body = ErrorBody),
        (status = 429, description = "`too_many_invitations`: the organization's hourly limit.",
            body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, response = Internal),
    )
)]
pub async fn resend(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Invitation>> {
    let me = require_admin(&current)?;
    verification::require_verified(me)?;
    let request_id = &current.request_id;
    let current = state.db.invitation(me.org.id, id).await?.ok_or_else(ApiError::not_found)?;
    let token = security::random_token();
    let now = state.clock.now();
    let expires_at = rules::expires_at(now);
    let mail = invitation_mail(&state, &current.email, &me.user.name, &me.org.name, &token, expires_at);
    let updated = state
        .db
        .resend_invitation(
            me.org.id,
            id,
            NewToken { token_hash: &security::token_hash(&token), expires_at },
            &mail,
            now,
            INVITATIONS_PER_HOUR,
        )
        .await
        .map_err(|e| invite_error(e, &me.org.name))?;
    state.mail_wakeup.notify_one();
    audit::Event::new(Action::InvitationResent, request_id).actor(me.user.id).target(Some(id)).emit();
    Ok(Json(view(&updated, now)))
}

/// `DELETE /api/v1/invitations/{id}`: revokes a pending invitation; its link stops working.
#[utoipa::path(
    delete,
    path = "/invitations/{id}",
    tag = "team",
    security(("session" = [], "csrf" = [])),
    params(IdPath),
    responses(
        (status = 204, description = "Revoked."),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only admins can do this; `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`invitation_not_pending`: already accepted or revoked.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let me = require_admin(&current)?;
    state.db.revoke_invitation(me.org.id, id, state.clock.now()).await.map_err(|e| invite_error(e, &me.org.name))?;
    audit::Event::new(Action::InvitationRevoked, &current.request_id).actor(me.user.id).target(Some(id)).emit();
    Ok(StatusCode::NO_CONTENT)
}

/// What the accept page shows. Public: the token is the credential. A POST, so that the
/// token travels in the body and stays out of access logs, proxies and browser history.
#[utoipa::path(
    post,
    path = "/invitations/lookup",
    tag = "team",
    security(()),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "What the accept page may show.", body = InvitationLookup),
        (status = 400, response = MalformedJson),
        (status = 403, response = Csrf),
        (status = 404, description = "`invitation_not_found`: no invitation has this token.", body = ErrorBody),
        (status = 410, description = "`invitation_used`, `invitation_revoked`, `invitation_expired`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 500, response = Internal),
    )
)]
pub async fn lookup(
    State(state): State<AppState>,
    ApiJson(q): ApiJson<TokenRequest>,
) -> ApiResult<Json<InvitationLookup>> {
    let InvitationWithOrg { invitation: inv, org_name } = usable_invitation(&state, &q.token).await?;
    Ok(Json(InvitationLookup { organization_name: org_name, inviter: inv.invited_by_name, email: inv.email }))
}

/// `POST /api/v1/invitations/accept`: with `name` and `password`, creates the invited
/// person's account and signs it in (201); with the token alone, the signed-in person with
/// the invited address joins (200).
#[utoipa::path(
    post,
    path = "/invitations/accept",
    tag = "team",
    security((), ("session" = [], "csrf" = [])),
    request_body = AcceptInvitation,
    responses(
        (status = 200, description = "The signed-in person joined the organization.", body = Me),
        (status = 201, description = "Account created and signed in.", body = Me,
            headers(("Set-Cookie" = String, description = "The session cookie"))),
        (status = 400, response = MalformedJson),
        (status = 401, description = "`unauthenticated`: the token alone needs a session.", body = ErrorBody),
        (status = 403, description = "`invitation_email_mismatch`: signed in with another \
            address; `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 404, description = "`invitation_not_found`: no invitation has this token; \
            `not_found`.", body = ErrorBody),
        (status = 409, description = "`member_of_other_org`; `email_taken` (field `email`); \
            `already_member`, `already_invited`, `invitation_not_pending`, `last_admin`.", body = ErrorBody),
        (status = 410, description = "`invitation_used`, `invitation_revoked`, `invitation_expired`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; `validation` (fields `name`, `password`); a \
            password rule's code such as `weak_password` (field `password`).", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many accounts made from this network \
            in the last hour.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, response = Internal),
        (status = 503, description = "`busy`: too many passwords are being checked at once; try \
            again after `Retry-After` seconds.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn accept(
    State(state): State<AppState>,
    current: Option<CurrentUser>,
    client: Client,
    ApiJson(req): ApiJson<AcceptInvitation>,
) -> ApiResult<Response> {
    let request_id = client.request_id.clone();
    let InvitationWithOrg { invitation: inv, org_name } = usable_invitation(&state, &req.token).await?;
    let now = state.clock.now();
    match (req.name, req.password) {
        (Some(name), Some(password)) => {
            let name = PersonName::parse(&name).map_err(|e| name_error(e, "name"))?;
            tessera_domain::password::check(&password, &inv.email)
                .map_err(|e| ApiError::invalid(e.code(), "password", e.message()))?;
            throttle::per_network(&state, &client, NetworkLimit::InvitationAccept).await?;
            let password_hash = state.config.hashing.hash(password).await?;
            let new_user = NewUser {
                email: &inv.email,
                name: name.as_str(),
                password_hash: &password_hash,
                role: Role::Member,
                must_change_password: false,
                email_verified: true,
            };
            let user_id = state.db.accept_invitation(inv.id, Some(new_user), None, now).await.map_err(|e| match e {
                InviteError::EmailTaken => ApiError::conflict(
                    "email_taken",
                    "An account with this email address already exists. Sign in to accept the invitation.",
                )
                .with_field("email"),
                other => accept_error(other, &inv, &org_name, ""),
            })?;
            audit::Event::new(Action::InvitationAccepted, &request_id)
                .actor(user_id)
                .target(Some(inv.id))
                .detail("new_account")
                .emit();
            let who = state.db.user_session_view(user_id).await?.ok_or_else(ApiError::not_found)?;
            start_session(&state, &who, StatusCode::CREATED).await
        }
        (None, None) => {
            let Some(current) = current else {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "Sign in, or create your account, to accept this invitation.",
                ));
            };
            let me = &current.session;
            if me.user.email != inv.email {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "invitation_email_mismatch",
                    format!("This invitation is for {}. Sign in with that address to accept it.", inv.email),
                ));
            }
            if me.org.id != inv.org_id && !me.org.individual {
                return Err(member_of_other_org(&me.org.name));
            }
            state
                .db
                .accept_invitation(inv.id, None, Some(me.user.id), now)
                .await
                .map_err(|e| accept_error(e, &inv, &org_name, &me.org.name))?;
            audit::Event::new(Action::InvitationAccepted, &current.request_id)
                .actor(me.user.id)
                .target(Some(inv.id))
                .detail("existing_account")
                .emit();
            let who = state.db.user_session_view(me.user.id).await?.ok_or_else(ApiError::not_found)?;
            Ok(Json(session::me(&who, &current.token, state.clock.today())).into_response())
        }
        _ => {
            Err(ApiError::invalid("validation", "password", "Give both a name and a password to create your account."))
        }
    }
}

/// The invitation a token opens, if it can still be accepted; else the 404/410 that says why.
async fn usable_invitation(state: &AppState, token: &str) -> ApiResult<InvitationWithOrg> {
    let token = token.trim();
    let found = if token.is_empty() || token.len() > 128 {
        None
    } else {
        state.db.invitation_by_token(&security::token_hash(token)).await?
    };
    // A link into a shared locker opens on its own page (`/locker/accept`), not here.
    let Some(found) = found.filter(|f| f.invitation.locker_id.is_none()) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "invitation_not_found",
            "This invitation link is not valid. Check that you opened the whole link from the mail, \
             or ask your co-worker to send a new invitation.",
        ));
    };
    match found.invitation.status_at(state.clock.now()) {
        InvitationStatus::Pending => Ok(found),
        status => Err(unusable(status, &found.invitation, &found.org_name)),
    }
}

/// 410 with what happened to the invitation and whom to ask for a new one.
fn unusable(status: InvitationStatus, inv: &InvitationRecord, org_name: &str) -> ApiError {
    let (code, what) = match status {
        InvitationStatus::Accepted => {
            ("invitation_used", "This invitation has already been used. If it was you, just sign in.")
        }
        InvitationStatus::Revoked => ("invitation_revoked", "This invitation was withdrawn."),
        // A pending invitation is usable; it only reaches here by mistake, and then it is
        // not accepted either.
        InvitationStatus::Expired | InvitationStatus::Pending => ("invitation_expired", "This invitation has expired."),
    };
    ApiError::new(
        StatusCode::GONE,
        code,
        format!("{what} Ask {} (or another admin of {org_name}) to send you a new invitation.", inv.invited_by_name),
    )
}

fn member_of_other_org(current_org: &str) -> ApiError {
    ApiError::conflict(
        "member_of_other_org",
        format!(
            "You already belong to {current_org}. A person belongs to one organization: leave {current_org} first \
             (an admin there can remove you), then open this invitation again."
        ),
    )
}

/// Errors of the accepting transaction, which re-checks what `usable_invitation` saw: the
/// loser of two simultaneous accepts gets the same 410 as someone arriving later.
fn accept_error(e: InviteError, inv: &InvitationRecord, org_name: &str, current_org: &str) -> ApiError {
    match e {
        InviteError::NotUsable(status) => unusable(status, inv, org_name),
        InviteError::MemberOfOtherOrg => member_of_other_org(current_org),
        other => invite_error(other, org_name),
    }
}

fn require_admin(current: &CurrentUser) -> ApiResult<&crate::storage::SessionUser> {
    if current.session.user.role == Role::Admin {
        Ok(&current.session)
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Only admins can do this."))
    }
}

fn invitation_mail(
    state: &AppState,
    to: &str,
    inviter: &str,
    org: &str,
    token: &str,
    expires_at: DateTime<Utc>,
) -> NewMail {
    let link = format!("{}{}", state.config.public_url, rules::accept_path(token));
    mail::invitation(to, inviter, org, &link, &expires_at.format("%-d %B %Y, %H:%M UTC").to_string())
}

pub fn view(inv: &InvitationRecord, now: DateTime<Utc>) -> Invitation {
    Invitation {
        id: inv.id,
        email: inv.email.clone(),
        invited_by: inv.invited_by_name.clone(),
        sent_at: inv.sent_at,
        expires_at: inv.expires_at,
        status: inv.status_at(now),
    }
}

pub fn invite_error(e: InviteError, org_name: &str) -> ApiError {
    match e {
        InviteError::AlreadyInvited => ApiError::conflict("already_invited", ALREADY_INVITED).with_field("email"),
        InviteError::AlreadyMember => {
            ApiError::conflict("already_member", format!("This co-worker is already a member of {org_name}."))
                .with_field("email")
        }
        InviteError::TooMany { retry_after } => ApiError::too_many(
            "too_many_invitations",
            format!(
                "Your organization sent {INVITATIONS_PER_HOUR} invitations in the last hour. Please try again later."
            ),
            retry_after.max(1) as u64,
        ),
        InviteError::NotFound => ApiError::not_found(),
        InviteError::NotPending(state) => ApiError::conflict(
            "invitation_not_pending",
            format!("This invitation was already {state}; it can no longer be changed."),
        ),
        InviteError::NotUsable(InvitationStatus::Accepted) => {
            invite_error(InviteError::NotPending(InvitationState::Accepted), org_name)
        }
        InviteError::NotUsable(InvitationStatus::Revoked) => {
            invite_error(InviteError::NotPending(InvitationState::Revoked), org_name)
        }
        InviteError::NotUsable(InvitationStatus::Expired | InvitationStatus::Pending) => {
            ApiError::new(StatusCode::GONE, "invitation_expired", "This invitation has expired. Ask for a new one.")
        }
        InviteError::EmailTaken => {
            ApiError::conflict("email_taken", "An account with this email address already exists.")
        }
        InviteError::MemberOfOtherOrg => member_of_other_org("another organization"),
        InviteError::LockerShared => ApiError::conflict(
            "locker_shared",
            "Your Digital Locker is shared with other people already; a person is in one locker at a time.",
        ),
        InviteError::EmailMismatch => ApiError::new(
            StatusCode::FORBIDDEN,
            "invitation_email_mismatch",
            "This invitation is for another email address. Sign in with the invited address to accept it.",
        ),
        InviteError::Db(e) => e.into(),
    }
}
