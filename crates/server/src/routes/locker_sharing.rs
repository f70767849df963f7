//! Sharing a Digital Locker (SPEC §3): the original owner invites people by email; who
//! accepts joins the locker and brings their own credits into it (`merge` entries). Built
//! on the invitations of co-workers (tokens, 7-day expiry, the hourly allowance, mail).

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::mail;
use crate::openapi::{
    Csrf, Internal, InvalidBody, MalformedJson, PayloadTooLarge, Unauthenticated, UnsupportedMediaType,
};
use crate::routes::invitations::{invite_error, view, INVITATIONS_PER_HOUR};
use crate::routes::locker::{member_view, require_locker_holder};
use crate::routes::verification;
use crate::security;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{InvitationWithOrg, InviteError, NewInvitation};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tessera_domain::api::{
    ErrorBody, Invitation, InvitationLookup, InvitationStatus, InviteRequest, LockerMember, TokenRequest,
};
use tessera_domain::email::Email;
use tessera_domain::invitation as rules;

/// The browser route of a locker invitation's link.
pub const ACCEPT_ROUTE: &str = "/locker/accept";

/// The locker the person may invite into: their own (made if they have none), if they are
/// its original owner.
async fn owned_locker(state: &AppState, current: &CurrentUser) -> ApiResult<i64> {
    let me = &current.session;
    require_locker_holder(me)?;
    let (locker_id, owner) = state.db.ensure_locker(me.user.id, state.clock.now()).await?;
    if owner != Some(me.user.id) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Only the person who created this Digital Locker can invite others into it.",
        ));
    }
    Ok(locker_id)
}

/// `POST /api/v1/locker/invitations`
#[utoipa::path(
    post,
    path = "/locker/invitations",
    tag = "locker",
    security(("session" = [], "csrf" = [])),
    request_body = InviteRequest,
    responses(
        (status = 201, description = "Invited; the mail with the link (`/locker/accept?token=…`, 7 days) is queued.",
            body = Invitation),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only the locker's original owner invites (vendors have no \
            locker); `email_unverified`; `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 409, description = "`already_invited`, `already_member` (field `email`).", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; `email_required`, `email_invalid` (field `email`).", body = ErrorBody),
        (status = 429, description = "`too_many_invitations`: the organization's hourly limit, shared with \
            invitations of co-workers.", body = ErrorBody,
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
    verification::require_verified(me)?;
    let email = Email::parse(&req.email).map_err(|e| ApiError::invalid(e.code(), "email", e.message()))?;
    // Only now, since finding the owner's locker makes one for a person who has none.
    let locker_id = owned_locker(&state, &current).await?;
    let token = security::random_token();
    let now = state.clock.now();
    let expires_at = rules::expires_at(now);
    let link = format!("{}{ACCEPT_ROUTE}?token={token}", state.config.public_url);
    let mail = mail::locker_invitation(
        email.as_str(),
        &me.user.name,
        &me.org.name,
        &link,
        &expires_at.format("%-d %B %Y").to_string(),
    );
    let created = state
        .db
        .create_invitation(
            NewInvitation {
                org_id: me.org.id,
                locker_id: Some(locker_id),
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
        .map_err(|e| match e {
            InviteError::AlreadyInvited => ApiError::conflict(
                "already_invited",
                format!(
                    "This person has already been invited to your Digital Locker. The link works for {}.",
                    rules::lifetime_text()
                ),
            )
            .with_field("email"),
            InviteError::AlreadyMember => {
                ApiError::conflict("already_member", "This person already shares your Digital Locker.")
                    .with_field("email")
            }
            other => invite_error(other, "your Digital Locker"),
        })?;
    state.mail_wakeup.notify_one();
    audit::Event::new(Action::LockerInvitationSent, &current.request_id)
        .actor(me.user.id)
        .target(Some(created.id))
        .emit();
    Ok((StatusCode::CREATED, Json(view(&created, now))))
}

/// `GET /api/v1/locker/invitations`
#[utoipa::path(
    get,
    path = "/locker/invitations",
    tag = "locker",
    security(("session" = [])),
    responses(
        (status = 200, description = "The invitations into the person's locker, newest first (empty for \
            anyone but its original owner).", body = [Invitation]),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn list(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Vec<Invitation>>> {
    let me = current.session.user.id;
    let Some(locker_id) = state.db.locker_id_of(me).await? else {
        return Ok(Json(Vec::new()));
    };
    let owner = state.db.locker_members(locker_id).await?.into_iter().any(|m| m.is_owner && m.user_id == me);
    if !owner {
        return Ok(Json(Vec::new()));
    }
    let now = state.clock.now();
    Ok(Json(state.db.list_locker_invitations(locker_id).await?.iter().map(|i| view(i, now)).collect()))
}

/// The locker invitation a token opens, if it can still be accepted.
async fn usable(state: &AppState, token: &str) -> ApiResult<InvitationWithOrg> {
    let token = token.trim();
    let found = if token.is_empty() || token.len() > 128 {
        None
    } else {
        state.db.invitation_by_token(&security::token_hash(token)).await?
    };
    let Some(found) = found.filter(|f| f.invitation.locker_id.is_some()) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "invitation_not_found",
            "This invitation link is not valid. Check that you opened the whole link from the mail, or ask for a \
             new invitation.",
        ));
    };
    match found.invitation.status_at(state.clock.now()) {
        InvitationStatus::Pending => Ok(found),
        InvitationStatus::Accepted => {
            Err(ApiError::new(StatusCode::GONE, "invitation_used", "This invitation was already accepted."))
        }
        InvitationStatus::Revoked => {
            Err(ApiError::new(StatusCode::GONE, "invitation_revoked", "This invitation was withdrawn."))
        }
        InvitationStatus::Expired => Err(ApiError::new(
            StatusCode::GONE,
            "invitation_expired",
            "This invitation has expired. Ask the person who sent it for a new one.",
        )),
    }
}

/// `POST /api/v1/locker/invitations/lookup`
#[utoipa::path(
    post,
    path = "/locker/invitations/lookup",
    tag = "locker",
    security(()),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "What the accept page may show: who invites (and from which \
            organization), and the invited address.", body = InvitationLookup),
        (status = 400, response = MalformedJson),
        (status = 403, response = Csrf),
        (status = 404, description = "`invitation_not_found`.", body = ErrorBody),
        (status = 410, description = "`invitation_used`, `invitation_revoked`, `invitation_expired`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 500, response = Internal),
    )
)]
pub async fn lookup(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<InvitationLookup>> {
    let InvitationWithOrg { invitation, org_name } = usable(&state, &req.token).await?;
    Ok(Json(InvitationLookup {
        organization_name: org_name,
        inviter: invitation.invited_by_name,
        email: invitation.email,
    }))
}

/// `POST /api/v1/locker/invitations/accept`
#[utoipa::path(
    post,
    path = "/locker/invitations/accept",
    tag = "locker",
    security(("session" = [], "csrf" = [])),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Joined: the people who now share the locker. The person's own credits \
            moved into it (`merge` entries in both ledgers).", body = [LockerMember]),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`invitation_email_mismatch`: signed in with another address; \
            `forbidden`: vendor accounts; `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 404, description = "`invitation_not_found`.", body = ErrorBody),
        (status = 409, description = "`already_member`; `locker_shared`: the person's own locker is shared \
            with others already.", body = ErrorBody),
        (status = 410, description = "`invitation_used`, `invitation_revoked`, `invitation_expired`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 500, response = Internal),
    )
)]
pub async fn accept(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<Vec<LockerMember>>> {
    let me = &current.session;
    require_locker_holder(me)?;
    let found = usable(&state, &req.token).await?;
    let now = state.clock.now();
    let locker_id = state
        .db
        .accept_locker_invitation(found.invitation.id, me.user.id, &me.user.email, &me.user.name, now)
        .await
        .map_err(|e| match e {
            InviteError::AlreadyMember => {
                ApiError::conflict("already_member", "You already share this Digital Locker.")
            }
            other => invite_error(other, "the locker"),
        })?;
    audit::Event::new(Action::LockerInvitationAccepted, &current.request_id)
        .actor(me.user.id)
        .target(Some(found.invitation.id))
        .emit();
    Ok(Json(members(&state, locker_id).await?))
}

async fn members(state: &AppState, locker_id: i64) -> ApiResult<Vec<LockerMember>> {
    Ok(state.db.locker_members(locker_id).await?.into_iter().map(member_view).collect())
}

/// `GET /api/v1/locker/members`
#[utoipa::path(
    get,
    path = "/locker/members",
    tag = "locker",
    security(("session" = [])),
    responses(
        (status = 200, description = "The people who share the person's locker, its original owner first (empty \
            before the first redemption).", body = [LockerMember]),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn list_members(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Vec<LockerMember>>> {
    match state.db.locker_id_of(current.session.user.id).await? {
        Some(locker_id) => Ok(Json(members(&state, locker_id).await?)),
        None => Ok(Json(Vec::new())),
    }
}
