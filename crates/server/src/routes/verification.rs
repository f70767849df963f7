//! Proof that a self-registered person receives mail at their address: a link mailed at
//! registration (valid 7 days, sent again on request), confirmed by
//! `POST /api/v1/auth/verify-email`. Until then the account may look around but not mail
//! anyone else ([`require_verified`]): an unproven address must not become a way to send
//! Tessera's mail in someone else's name.

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::mail;
use crate::openapi::{
    Csrf, CsrfOrPasswordChange, Internal, InvalidBody, MalformedJson, PayloadTooLarge, Unauthenticated,
    UnsupportedMediaType,
};
use crate::security;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{Limit, LinkError, SessionUser};
use crate::throttle::{too_many_requests, Client};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Duration;
use tessera_domain::account_link::{LinkState, Purpose, MAIL_WINDOW_MINUTES};
use tessera_domain::api::{ErrorBody, Notice, TokenRequest};

const VERIFIED: &str = "Thank you: your email address is confirmed.";
const VERIFIED_ALREADY: &str = "Your email address is confirmed already.";

/// 403 `email_unverified` unless the person proved their address: for every action that
/// mails someone else (inviting co-workers; later sharing a locker, sending a quote).
pub fn require_verified(who: &SessionUser) -> ApiResult<()> {
    if who.user.email_verified {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "email_unverified",
        format!(
            "Please confirm your email address first: open the link we mailed to {}, or send it again \
             from Home.",
            who.user.email
        ),
    ))
}

/// Mails a new verification link to the person (older ones stop working).
pub async fn send_link(state: &AppState, who: &SessionUser, request_id: &str) -> ApiResult<()> {
    let purpose = Purpose::EmailVerification;
    let token = security::random_token();
    let link = format!("{}{}", state.config.public_url, purpose.path(&token));
    let mail = mail::email_verification(&who.user.email, &who.user.name, &link, purpose.lifetime_text());
    let now = state.clock.now();
    state.db.create_account_link(who.user.id, purpose, &security::token_hash(&token), &mail, now).await?;
    state.mail_wakeup.notify_one();
    audit::Event::new(Action::VerificationMailSent, request_id).target(Some(who.user.id)).emit();
    Ok(())
}

/// `POST /api/v1/auth/verify-email`: works signed in or not (the link may be opened on
/// another device than the one that registered).
#[utoipa::path(
    post,
    path = "/auth/verify-email",
    tag = "auth",
    security(()),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "The address is confirmed (also when it was already).", body = Notice),
        (status = 400, response = MalformedJson),
        (status = 403, response = Csrf),
        (status = 404, description = "`verification_link_unknown`: no such link.", body = ErrorBody),
        (status = 410, description = "`verification_link_expired`: 7 days passed, or a newer link was \
            sent; sign in and send the link again from Home.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 500, response = Internal),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<Notice>> {
    let link = state
        .db
        .account_link_by_token(&security::token_hash(&req.token))
        .await?
        .filter(|l| l.purpose == Purpose::EmailVerification)
        .ok_or_else(link_unknown)?;
    let now = state.clock.now();
    // A second click, or a link that lapsed after the address was proven another way,
    // has nothing left to do: that is no error for the person.
    if link.email_verified && link.state_at(now) != LinkState::Usable {
        return Ok(Json(Notice { message: VERIFIED_ALREADY.to_string() }));
    }
    match state.db.verify_email(link.id, now).await {
        Ok(user_id) => {
            audit::Event::new(Action::EmailVerified, &client.request_id).target(Some(user_id)).emit();
            Ok(Json(Notice { message: VERIFIED.to_string() }))
        }
        Err(LinkError::NotFound) => Err(link_unknown()),
        Err(LinkError::NotUsable(LinkState::Used)) => Ok(Json(Notice { message: VERIFIED_ALREADY.to_string() })),
        Err(LinkError::NotUsable(_)) => Err(ApiError::new(
            StatusCode::GONE,
            "verification_link_expired",
            "This link has expired: a link works for 7 days, and only the newest one works. Please sign in \
             and choose \u{201c}Send the link again\u{201d} on Home.",
        )),
        Err(LinkError::Db(e)) => Err(e.into()),
    }
}

/// `POST /api/v1/auth/verify-email/resend`
#[utoipa::path(
    post,
    path = "/auth/verify-email/resend",
    tag = "auth",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 202, description = "A new link is mailed to the person's address; older links stop working.",
            body = Notice),
        (status = 401, response = Unauthenticated),
        (status = 403, response = CsrfOrPasswordChange),
        (status = 409, description = "`email_verified_already`: nothing to confirm.", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: three links in the last hour.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, response = Internal),
    )
)]
pub async fn resend(State(state): State<AppState>, current: CurrentUser) -> ApiResult<(StatusCode, Json<Notice>)> {
    let who = &current.session;
    if who.user.email_verified {
        return Err(ApiError::conflict("email_verified_already", VERIFIED_ALREADY));
    }
    let now = state.clock.now();
    let key = who.user.id.to_string();
    let limit =
        Limit { kind: "verification_mail", key: Some(&key), max: Purpose::EmailVerification.mails_per_window() };
    if let Err(allowed_at) = state.db.take_rate(&[limit], now, Duration::minutes(MAIL_WINDOW_MINUTES)).await? {
        return Err(too_many_requests(
            "We sent you several links in the last hour. Please use the newest mail (look in your spam folder \
             too), or try again later.",
            allowed_at - now,
        ));
    }
    send_link(&state, who, &current.request_id).await?;
    let message = format!(
        "We sent a new link to {}. It works for {}; older links no longer work.",
        who.user.email,
        Purpose::EmailVerification.lifetime_text()
    );
    Ok((StatusCode::ACCEPTED, Json(Notice { message })))
}

fn link_unknown() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "verification_link_unknown",
        "This link is not valid. Please sign in and choose \u{201c}Send the link again\u{201d} on Home.",
    )
}
