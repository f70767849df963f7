//! Sessions: an HttpOnly cookie holding a random token, the database holding its hash.
//! Also the CSRF guard, since the CSRF token is derived from the session token.

use crate::error::ApiError;
use crate::security;
use crate::state::AppState;
use crate::storage::SessionUser;
use axum::extract::{FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use std::sync::{Arc, OnceLock};
use tessera_domain::api::{Me, OrgInfo, UserInfo, CSRF_HEADER};

pub const COOKIE_NAME: &str = "tessera_session";
/// The name when the cookie is `Secure`: browsers take a `__Host-` cookie only if it is
/// Secure, has `Path=/` and no `Domain`, so a neighbouring subdomain or a plain-http page
/// cannot plant one (session fixation).
pub const SECURE_COOKIE_NAME: &str = "__Host-tessera_session";
/// Idle lifetime: a session unused for this long ends.
pub const SESSION_TTL_DAYS: i64 = 14;
/// Absolute lifetime: a session ends this long after sign-in however much it is used, so a
/// stolen cookie kept busy does not last for ever.
pub const SESSION_MAX_DAYS: i64 = 30;

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// The `Set-Cookie` value that opens a session.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let max_age = SESSION_TTL_DAYS * 24 * 3600;
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{name}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The `Set-Cookie` value that makes the browser forget the session.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static("__Host-tessera_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure")
    } else {
        HeaderValue::from_static("tessera_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
    }
}

/// The session token from the `Cookie` header(s), if any. Over https only the `__Host-`
/// cookie counts: accepting the plain name too would let a planted cookie in.
pub fn token_from_headers(headers: &HeaderMap, secure: bool) -> Option<String> {
    cookie_values(headers, cookie_name(secure)).find(|value| !value.is_empty()).map(str::to_string)
}

/// The values of every cookie called `wanted` in the `Cookie` header(s), in order.
pub fn cookie_values<'a>(headers: &'a HeaderMap, wanted: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(name, _)| *name == wanted)
        .map(|(_, value)| value)
}

pub fn me(session: &SessionUser, token: &str, today: chrono::NaiveDate) -> Me {
    Me {
        user: UserInfo { id: session.user.id, name: session.user.name.clone(), email: session.user.email.clone() },
        organization: OrgInfo {
            id: session.org.id,
            name: session.org.name.clone(),
            kind: session.org.kind,
            individual: session.org.individual,
        },
        role: session.user.role,
        csrf_token: security::csrf_token(token),
        must_change_password: session.user.must_change_password,
        email_verified: session.user.email_verified,
        today,
    }
}

/// A signed-in person whose account is fully usable: what every handler takes unless it
/// says otherwise. Extracting it rejects with 401 when there is no valid session, and with
/// 403 `password_change_required` while the account still has a one-time password.
pub struct CurrentUser {
    pub session: SessionUser,
    pub token: String,
    /// For the audit trail.
    pub request_id: String,
}

/// Any valid session, also one of an account that must still replace its one-time password.
/// Only for what such an account may reach: who it is, the password change, signing out.
pub struct Authenticated {
    pub session: SessionUser,
    pub token: String,
    /// For the audit trail.
    pub request_id: String,
}

/// A 401 that also clears a stale cookie, so the browser stops sending it.
pub struct AuthRejection {
    // Boxed: an `ApiError` is large, and this travels in every extractor's `Result`.
    error: Box<ApiError>,
    clear_cookie: Option<HeaderValue>,
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let mut response = (*self.error).into_response();
        if let Some(cookie) = self.clear_cookie {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        response
    }
}

impl From<ApiError> for AuthRejection {
    fn from(error: ApiError) -> Self {
        AuthRejection { error: Box::new(error), clear_cookie: None }
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(token) = token_from_headers(&parts.headers, state.config.secure_cookies()) else {
            return Err(ApiError::unauthenticated().into());
        };
        let hash = security::token_hash(&token);
        let now = state.clock.now();
        let Some((session, expires)) =
            state.db.session_user(&hash, now, now - Duration::days(SESSION_MAX_DAYS)).await.map_err(ApiError::from)?
        else {
            return Err(AuthRejection {
                error: Box::new(ApiError::session_expired()),
                clear_cookie: Some(clear_cookie(state.config.secure_cookies())),
            });
        };
        let ttl = Duration::days(SESSION_TTL_DAYS);
        // Write at most about once an hour per session, not on every request.
        if expires - now < ttl - Duration::hours(1) {
            // A password change (new token) or a sign-out may have ended this token while
            // the request was in flight: renewing its cookie then would undo them.
            let still_there = state.db.touch_session(&hash, now, now + ttl).await.map_err(ApiError::from)?;
            if let (true, Some(renewal)) = (still_there, parts.extensions.get::<CookieRenewal>()) {
                let _ = renewal.0.set(token.clone());
            }
        }
        Ok(Authenticated { session, token, request_id: crate::audit::request_id(&parts.headers) })
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Authenticated { session, token, request_id } =
            <Authenticated as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        if session.user.must_change_password {
            return Err(ApiError::password_change_required().into());
        }
        Ok(CurrentUser { session, token, request_id })
    }
}

/// `None` for anyone without a valid session.
fn optional<T>(extracted: Result<T, AuthRejection>) -> Result<Option<T>, AuthRejection> {
    match extracted {
        Ok(user) => Ok(Some(user)),
        Err(rejection) if rejection.error.status == axum::http::StatusCode::UNAUTHORIZED => Ok(None),
        Err(rejection) => Err(rejection),
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        optional(<CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await)
    }
}

impl OptionalFromRequestParts<AppState> for Authenticated {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        optional(<Authenticated as FromRequestParts<AppState>>::from_request_parts(parts, state).await)
    }
}

/// Set by [`Authenticated`] when it slides a session's expiry, so that [`renew_cookie`] can
/// give the browser a cookie that lives as long as the session now does.
#[derive(Clone, Default)]
pub struct CookieRenewal(Arc<OnceLock<String>>);

/// Re-issues the session cookie when the request slid the session's expiry; without it the
/// browser would drop an active session's cookie 14 days after sign-in.
pub async fn renew_cookie(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let renewal = CookieRenewal::default();
    request.extensions_mut().insert(renewal.clone());
    let mut response = next.run(request).await;
    if let Some(token) = renewal.0.get() {
        // A handler that set or cleared the cookie itself knows better.
        if !response.headers().contains_key(header::SET_COOKIE) {
            response.headers_mut().append(header::SET_COOKIE, session_cookie(token, state.config.secure_cookies()));
        }
    }
    response
}

/// Every state-changing request that carries a session cookie must carry the
/// session's CSRF token in `X-CSRF-Token`. SameSite=Lax already stops most cross-site
/// posts; this closes the rest (older browsers, same-site subdomains).
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        if let Some(token) = token_from_headers(request.headers(), state.config.secure_cookies()) {
            let expected = security::csrf_token(&token);
            let given = request.headers().get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
            if !security::constant_time_eq(expected.as_bytes(), given) {
                return ApiError::csrf().into_response();
            }
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; tessera_session=abc; b=2"));
        assert_eq!(token_from_headers(&h, false).as_deref(), Some("abc"));
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("tessera_session="));
        assert_eq!(token_from_headers(&h, false), None);
    }

    #[test]
    fn over_https_only_the_host_prefixed_cookie_counts() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("tessera_session=planted; __Host-tessera_session=real"));
        assert_eq!(token_from_headers(&h, true).as_deref(), Some("real"));
        assert_eq!(token_from_headers(&h, false).as_deref(), Some("planted"));
        let c = session_cookie("tok", true);
        let c = c.to_str().expect("ascii");
        assert!(
            c.starts_with("__Host-tessera_session=tok; Path=/;") && c.contains("; Secure") && !c.contains("Domain")
        );
        assert!(clear_cookie(true).to_str().expect("ascii").starts_with("__Host-tessera_session=;"));
    }

    #[test]
    fn cookie_is_http_only_and_same_site() {
        let c = session_cookie("tok", false);
        let c = c.to_str().expect("ascii");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(session_cookie("tok", true).to_str().expect("ascii").contains("; Secure"));
    }
}
