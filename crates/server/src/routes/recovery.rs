//! "Forgot your password?": a single-use link mailed to the address, valid for one hour,
//! that sets a new password, proves the address and ends every session of the account.
//! It is also how the owner of an address takes back an account someone else registered
//! with it, and how a one-time password from the CLI can be replaced.

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::mail;
use crate::openapi::{Csrf, Internal, MalformedJson, PayloadTooLarge, UnsupportedMediaType};
use crate::routes::auth::start_session;
use crate::security;
use crate::state::AppState;
use crate::storage::{AccountLinkRecord, Limit, LinkError};
use crate::throttle::{self, too_many_requests, Client};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::Duration;
use tessera_domain::account_link::{LinkState, Purpose, MAIL_WINDOW_MINUTES};
use tessera_domain::api::{ErrorBody, Me, Notice, PasswordResetConfirm, PasswordResetRequest};
use tessera_domain::email::Email;

/// The answer to every well-formed reset request, whether or not the address has an
/// account: the page cannot be used to find out who has one.
pub const RESET_REQUESTED: &str = "If an account uses this address, we have sent it a link to choose a new \
    password. The link works for one hour. If no mail arrives within a few minutes, look in your spam folder.";

/// Reset requests allowed per client network, and from everyone together, per window: the
/// second keeps Tessera from becoming a mail cannon however many networks ask.
const RESETS_PER_NETWORK: i64 = 20;
const RESETS_OVERALL: i64 = 1000;

/// `POST /api/v1/auth/password-reset`
#[utoipa::path(
    post,
    path = "/auth/password-reset",
    tag = "auth",
    security(()),
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "The same words whether or not the address has an account; a \
            link is mailed only if it has one (a newer link replaces an older one).", body = Notice),
        (status = 400, response = MalformedJson),
        (status = 403, response = Csrf),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; `email_required`, `email_invalid` (field `email`).",
            body = ErrorBody),
        (status = 429, description = "`too_many_requests`: three requests for the address in the last \
            hour (whether or not it has an account), or too many from this network or overall.",
            body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, response = Internal),
    )
)]
pub async fn request_reset(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<PasswordResetRequest>,
) -> ApiResult<(StatusCode, Json<Notice>)> {
    let email = Email::parse(&req.email).map_err(|e| ApiError::invalid(e.code(), "email", e.message()))?;
    let purpose = Purpose::PasswordReset;
    let now = state.clock.now();
    let mut limits = vec![
        Limit { kind: "password_reset", key: Some(email.as_str()), max: purpose.mails_per_window() },
        Limit { kind: "password_reset", key: None, max: RESETS_OVERALL },
    ];
    if let Some(network) = client.network.as_deref() {
        limits.push(Limit { kind: "password_reset_network", key: Some(network), max: RESETS_PER_NETWORK });
    }
    let user = state.db.user_by_email(email.as_str()).await?;
    if let Err(allowed_at) = state.db.take_rate(&limits, now, Duration::minutes(MAIL_WINDOW_MINUTES)).await? {
        audit::Event::new(Action::PasswordResetThrottled, &client.request_id).target(user.map(|u| u.id)).emit();
        return Err(too_many_requests(
            "You asked for several links in the last hour. Please use the newest mail (look in your spam \
             folder too), or try again later.",
            allowed_at - now,
        ));
    }
    if let Some(user) = user {
        let token = security::random_token();
        let link = format!("{}{}", state.config.public_url, purpose.path(&token));
        let mail = mail::password_reset(&user.email, &user.name, &link, purpose.lifetime_text());
        state.db.create_account_link(user.id, purpose, &security::token_hash(&token), &mail, now).await?;
        state.mail_wakeup.notify_one();
        audit::Event::new(Action::PasswordResetRequested, &client.request_id).target(Some(user.id)).emit();
    }
    Ok((StatusCode::ACCEPTED, Json(Notice { message: RESET_REQUESTED.to_string() })))
}

/// `POST /api/v1/auth/password-reset/confirm`
#[utoipa::path(
    post,
    path = "/auth/password-reset/confirm",
    tag = "auth",
    security(()),
    request_body = PasswordResetConfirm,
    responses(
        (status = 200, description = "The new password is set, the address counts as verified, every \
            other session of the account has ended, and this browser is signed in.", body = Me,
            headers(("Set-Cookie" = String, description = "The session cookie"))),
        (status = 400, response = MalformedJson),
        (status = 403, response = Csrf),
        (status = 404, description = "`reset_link_unknown`: no such link.", body = ErrorBody),
        (status = 410, description = "`reset_link_used` or `reset_link_expired` (an hour passed, or a \
            newer link was asked for).", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; a password rule's code such as `weak_password` \
            (field `password`).", body = ErrorBody),
        (status = 500, response = Internal),
        (status = 503, description = "`busy`: too many passwords are being checked at once; try \
            again after `Retry-After` seconds.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn confirm_reset(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<PasswordResetConfirm>,
) -> ApiResult<Response> {
    let link = usable_link(&state, &req.token).await?;
    tessera_domain::password::check(&req.password, &link.email)
        .map_err(|e| ApiError::invalid(e.code(), "password", e.message()))?;
    let hash = state.config.hashing.hash(req.password).await?;
    let now = state.clock.now();
    let Some(who) = state.db.user_session_view(link.user_id).await? else {
        return Err(link_unknown());
    };
    let notice = mail::password_was_reset(
        &who.user.email,
        &who.user.name,
        &now.format("%-d %B %Y, %H:%M UTC").to_string(),
        &format!("{}/signin", state.config.public_url),
    );
    state.db.complete_password_reset(link.id, &hash, &notice, now).await.map_err(|e| match e {
        LinkError::NotFound => link_unknown(),
        LinkError::NotUsable(state) => link_unusable(state),
        LinkError::Db(e) => e.into(),
    })?;
    state.mail_wakeup.notify_one();
    // The owner proved the address: the guesses of strangers no longer stand in their way.
    throttle::forgive(&state, &who.user.email).await?;
    audit::Event::new(Action::PasswordReset, &client.request_id).target(Some(who.user.id)).emit();
    let Some(mut who) = state.db.user_session_view(link.user_id).await? else {
        return Err(ApiError::internal("user vanished during a password reset"));
    };
    who.user.must_change_password = false;
    start_session(&state, &who, StatusCode::OK).await
}

/// The reset link holding `token`, if it may still be used.
async fn usable_link(state: &AppState, token: &str) -> ApiResult<AccountLinkRecord> {
    let link = state
        .db
        .account_link_by_token(&security::token_hash(token))
        .await?
        .filter(|l| l.purpose == Purpose::PasswordReset)
        .ok_or_else(link_unknown)?;
    match link.state_at(state.clock.now()) {
        LinkState::Usable => Ok(link),
        unusable => Err(link_unusable(unusable)),
    }
}

fn link_unknown() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "reset_link_unknown",
        "This link is not valid. Please ask for a new one on the \u{201c}Forgot your password?\u{201d} page.",
    )
}

fn link_unusable(state: LinkState) -> ApiError {
    match state {
        LinkState::Used => ApiError::new(
            StatusCode::GONE,
            "reset_link_used",
            "This link was used already. To choose a new password again, ask for a new link on the \
             \u{201c}Forgot your password?\u{201d} page.",
        ),
        _ => ApiError::new(
            StatusCode::GONE,
            "reset_link_expired",
            "This link has expired: a link works for one hour, and only the newest one works. Please ask \
             for a new one on the \u{201c}Forgot your password?\u{201d} page.",
        ),
    }
}
