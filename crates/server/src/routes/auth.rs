//! Registration, sign-in, sign-out and "who am I".

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::mail;
use crate::openapi::{
    Csrf, CsrfOrPasswordChange, Internal, InvalidBody, MalformedJson, PayloadTooLarge, Unauthenticated,
    UnsupportedMediaType,
};
use crate::routes::verification;
use crate::security;
use crate::session::{self, Authenticated};
use crate::state::AppState;
use crate::storage::{NewOrg, NewUser, OrganizationError, SessionUser};
use crate::throttle::{self, Attempt, Client, NetworkLimit};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Duration;
use tessera_domain::api::{
    ChangePasswordRequest, ErrorBody, LoginRequest, Me, OrgKind, ProfilePatch, RegisterKind, RegisterRequest, Role,
};
use tessera_domain::email::Email;
use tessera_domain::name::{NameError, OrganizationName, PersonName};

pub use crate::throttle::{MAX_LOGIN_FAILURES, THROTTLE_WINDOW_MINUTES};

/// `POST /api/v1/auth/register`: a new organization and its first admin, signed in.
#[utoipa::path(
    post,
    path = "/auth/register",
    tag = "auth",
    security(()),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered and signed in; a link to confirm the address is mailed.", body = Me,
            headers(("Set-Cookie" = String, description = "The session cookie"))),
        (status = 400, response = MalformedJson),
        (status = 403, response = Csrf),
        (status = 409, description = "`email_taken` (field `email`).", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; `validation` (fields `name`, `org_name`), \
            `email_required`, `email_invalid` (field `email`), a password rule's code such as \
            `weak_password` (field `password`).", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many accounts made from this network \
            in the last hour.", body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, response = Internal),
        (status = 503, description = "`busy`: too many passwords are being checked at once; try \
            again after `Retry-After` seconds.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<Response> {
    let name = PersonName::parse(&req.name).map_err(|e| name_error(e, "name"))?;
    let email = Email::parse(&req.email).map_err(|e| ApiError::invalid(e.code(), "email", e.message()))?;
    let (org_name, kind, individual) = match req.org_kind {
        RegisterKind::Individual => {
            let org_name = if req.org_name.trim().is_empty() {
                OrganizationName::from(name.clone())
            } else {
                OrganizationName::parse(&req.org_name).map_err(|e| name_error(e, "org_name"))?
            };
            (org_name, OrgKind::Customer, true)
        }
        RegisterKind::Customer | RegisterKind::Partner => {
            let org_name = OrganizationName::parse(&req.org_name).map_err(|e| name_error(e, "org_name"))?;
            let kind = if req.org_kind == RegisterKind::Partner { OrgKind::Partner } else { OrgKind::Customer };
            (org_name, kind, false)
        }
    };
    tessera_domain::password::check(&req.password, email.as_str())
        .map_err(|e| ApiError::invalid(e.code(), "password", e.message()))?;

    throttle::per_network(&state, &client, NetworkLimit::Registration).await?;
    let password_hash = state.config.hashing.hash(req.password).await?;
    let now = state.clock.now();
    let created = state
        .db
        .create_org_with_admin(
            NewOrg { name: org_name.as_str(), kind, individual },
            NewUser {
                email: email.as_str(),
                name: name.as_str(),
                password_hash: &password_hash,
                role: Role::Admin,
                must_change_password: false,
                email_verified: false,
            },
            now,
        )
        .await;
    let (org, user) = match created {
        Ok(pair) => pair,
        Err(OrganizationError::EmailTaken) => {
            return Err(ApiError::conflict(
                "email_taken",
                "An account with this email address already exists. Sign in instead.",
            )
            .with_field("email"))
        }
        Err(OrganizationError::Db(e)) => return Err(e.into()),
    };
    tracing::info!(user_id = user.id, org_id = org.id, kind = kind.as_str(), "organization registered");
    audit::Event::new(Action::Registered, &client.request_id).actor(user.id).target(Some(user.id)).emit();
    let session = SessionUser { user, org };
    verification::send_link(&state, &session, &client.request_id).await?;
    start_session(&state, &session, StatusCode::CREATED).await
}

#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in.", body = Me,
            headers(("Set-Cookie" = String, description = "The session cookie, then the device cookie \
                (`tessera_device`) that lets this browser in while strangers are throttled"))),
        (status = 400, response = MalformedJson),
        (status = 401, description = "`invalid_credentials`: no such account, or a wrong password \
            (the answer does not say which).", body = ErrorBody),
        (status = 403, response = Csrf),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 429, description = "`too_many_attempts`: too many failed sign-ins for this \
            address in the last 15 minutes (a browser holding the account's device cookie is \
            counted on its own).", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, response = Internal),
        (status = 503, description = "`busy`: too many passwords are being checked at once; try \
            again after `Retry-After` seconds.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let user = match Email::parse(&req.email) {
        Ok(email) => state.db.user_by_email(email.as_str()).await?,
        Err(_) => None,
    };
    let event = |action| audit::Event::new(action, &client.request_id).target(user.as_ref().map(|u| u.id));
    let attempt = Attempt::begin(&state, &client, &req.email).await?;
    if let Err(refused) = attempt.refuse_early(&state).await {
        event(Action::SignInThrottled).detail(attempt.detail()).emit();
        return Err(refused);
    }
    let slot = state.config.hashing.slot().await?;
    if let Err(refused) = attempt.reserve(&state).await {
        event(Action::SignInThrottled).detail(attempt.detail()).emit();
        return Err(refused);
    }

    // Verify against a dummy hash when there is no such user, so that the answer
    // takes as long and says the same whether or not the address has an account.
    let stored = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| security::dummy_hash().to_string());
    let ok = slot.verify(req.password, stored).await?;
    let user = match (ok, &user) {
        (true, Some(user)) => user,
        _ => {
            event(Action::SignInFailed).detail(attempt.detail()).emit();
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "Incorrect email or password."));
        }
    };
    let device_cookie = attempt.succeeded(&state, &client).await?;
    let Some(session) = state.db.user_session_view(user.id).await? else {
        return Err(ApiError::internal("user vanished while signing in"));
    };
    event(Action::SignedIn).detail(attempt.detail()).emit();
    let mut response = start_session(&state, &session, StatusCode::OK).await?;
    if let Some(cookie) = device_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Open to an account that must still replace its one-time password, and to nobody
/// signed in at all (the cookie is cleared either way).
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    security((), ("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Signed out (or was not signed in); the cookie is cleared.",
            headers(("Set-Cookie" = String, description = "Clears the session cookie"))),
        (status = 403, response = Csrf),
        (status = 500, response = Internal),
    )
)]
pub async fn logout(State(state): State<AppState>, current: Option<Authenticated>) -> ApiResult<Response> {
    if let Some(current) = current {
        state.db.delete_session(&security::token_hash(&current.token)).await?;
        let user_id = current.session.user.id;
        audit::Event::new(Action::SignedOut, &current.request_id).actor(user_id).target(Some(user_id)).emit();
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, session::clear_cookie(state.config.secure_cookies()));
    Ok(response)
}

/// `POST /api/v1/auth/logout-everywhere`: ends every session of the account, this one
/// included: for a lost laptop or a shared computer left signed in. Open to an account
/// that must still replace its one-time password.
#[utoipa::path(
    post,
    path = "/auth/logout-everywhere",
    tag = "auth",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 204, description = "Every session of the account ended; this one's cookie is cleared.",
            headers(("Set-Cookie" = String, description = "Clears the session cookie"))),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Csrf),
        (status = 500, response = Internal),
    )
)]
pub async fn logout_everywhere(State(state): State<AppState>, current: Authenticated) -> ApiResult<Response> {
    let user_id = current.session.user.id;
    state.db.delete_sessions_of_user(user_id).await?;
    audit::Event::new(Action::SignedOutEverywhere, &current.request_id).actor(user_id).target(Some(user_id)).emit();
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, session::clear_cookie(state.config.secure_cookies()));
    Ok(response)
}

/// Open to an account that must still replace its one-time password: the browser learns
/// from it that it must.
#[utoipa::path(
    get,
    path = "/me",
    tag = "auth",
    security(("session" = [])),
    responses(
        (status = 200, description = "The signed-in person, their organization and role.", body = Me),
        (status = 401, response = Unauthenticated),
        (status = 500, response = Internal),
    )
)]
pub async fn me(State(state): State<AppState>, current: Authenticated) -> Json<Me> {
    Json(session::me(&current.session, &current.token, state.clock.today()))
}

/// `PATCH /api/v1/me`: the person's own name (their email is who they are, and
/// changes only through an admin). Not before a one-time password is replaced.
#[utoipa::path(
    patch,
    path = "/me",
    tag = "auth",
    security(("session" = [], "csrf" = [])),
    request_body = ProfilePatch,
    responses(
        (status = 200, description = "Renamed.", body = Me),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, response = CsrfOrPasswordChange),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; `validation` (field `name`).", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn update_me(
    State(state): State<AppState>,
    current: session::CurrentUser,
    ApiJson(req): ApiJson<ProfilePatch>,
) -> ApiResult<Json<Me>> {
    let name = PersonName::parse(&req.name).map_err(|e| name_error(e, "name"))?;
    state.db.rename_user(current.session.user.id, name.as_str()).await?;
    let mut session = current.session;
    session.user.name = name.into_string();
    Ok(Json(session::me(&session, &current.token, state.clock.today())))
}

/// `POST /api/v1/auth/password`: proves the current password, sets a new one, gives this
/// session a new token (cookie and CSRF token), and signs out every other session of the
/// account. Wrong guesses count against the same throttle as sign-in, so a stolen session
/// cannot be used to find the password.
/// Open to an account that must still replace its one-time password: this is how it does.
#[utoipa::path(
    post,
    path = "/auth/password",
    tag = "auth",
    security(("session" = [], "csrf" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Changed; this session has a new token (cookie and `csrf_token`), the account's other sessions are signed out.", body = Me,
            headers(("Set-Cookie" = String, description = "The new session cookie"))),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Csrf),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; `wrong_password` (field `current_password`); \
            `password_unchanged` or a password rule's code such as `weak_password` (field \
            `new_password`).", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: counted with the sign-ins of the address.",
            body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, response = Internal),
        (status = 503, description = "`busy`: too many passwords are being checked at once; try \
            again after `Retry-After` seconds.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    current: Authenticated,
    client: Client,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<Response> {
    let user = &current.session.user;
    let event = |action| audit::Event::new(action, &client.request_id).actor(user.id).target(Some(user.id));
    let attempt = Attempt::begin(&state, &client, &user.email).await?;
    if let Err(refused) = attempt.refuse_early(&state).await {
        event(Action::PasswordCheckThrottled).detail(attempt.detail()).emit();
        return Err(refused);
    }
    let slot = state.config.hashing.slot().await?;
    if let Err(refused) = attempt.reserve(&state).await {
        event(Action::PasswordCheckThrottled).detail(attempt.detail()).emit();
        return Err(refused);
    }
    let ok = slot.verify(req.current_password.clone(), user.password_hash.clone()).await?;
    let now = state.clock.now();
    if !ok {
        event(Action::PasswordCheckFailed).detail(attempt.detail()).emit();
        return Err(ApiError::invalid("wrong_password", "current_password", "Your current password is not correct."));
    }
    let device_cookie = attempt.succeeded(&state, &client).await?;
    if tessera_domain::password::is_unchanged(&req.current_password, &req.new_password) {
        return Err(ApiError::invalid(
            tessera_domain::password::UNCHANGED_CODE,
            "new_password",
            tessera_domain::password::UNCHANGED_MESSAGE,
        ));
    }
    tessera_domain::password::check(&req.new_password, &user.email)
        .map_err(|e| ApiError::invalid(e.code(), "new_password", e.message()))?;

    let hash = state.config.hashing.hash(req.new_password).await?;
    let notice = mail::password_changed(
        &user.email,
        &user.name,
        &now.format("%-d %B %Y, %H:%M UTC").to_string(),
        &format!("{}/signin", state.config.public_url),
    );
    // A new token for this session: one learned before the change (a fixed or stolen
    // cookie) opens nothing after it.
    let token = security::random_token();
    let (this_session, renamed_to) = (security::token_hash(&current.token), security::token_hash(&token));
    state.db.change_password(user.id, &hash, &this_session, &renamed_to, &notice, now).await?;
    state.mail_wakeup.notify_one();
    event(Action::PasswordChanged).emit();
    let mut session = current.session;
    session.user.must_change_password = false;
    let mut response = Json(session::me(&session, &token, state.clock.today())).into_response();
    response.headers_mut().insert(header::SET_COOKIE, session::session_cookie(&token, state.config.secure_cookies()));
    if let Some(cookie) = device_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

pub async fn start_session(state: &AppState, who: &SessionUser, status: StatusCode) -> ApiResult<Response> {
    let token = security::random_token();
    let now = state.clock.now();
    state
        .db
        .create_session(
            &security::token_hash(&token),
            who.user.id,
            now,
            now + Duration::days(session::SESSION_TTL_DAYS),
        )
        .await?;
    let mut response = (status, Json(session::me(who, &token, state.clock.today()))).into_response();
    response.headers_mut().insert(header::SET_COOKIE, session::session_cookie(&token, state.config.secure_cookies()));
    Ok(response)
}

/// Outside the hashing budget: for demo seeding and tests, not for requests.
pub async fn hash_password(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || security::hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// A name the domain refused, as the 422 about `field`.
pub fn name_error(e: NameError, field: &'static str) -> ApiError {
    ApiError::invalid(e.code(), field, e.message())
}
