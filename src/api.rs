//! Typed client of the JSON API under `/api/v1`: one async function per
//! endpoint, returning domain types or an [`ApiError`].
//!
//! Calls made on behalf of a signed-in person take the [`Session`]: they send
//! its CSRF token on state-changing requests and, when the server answers 401,
//! flag the session as expired so the app sends the person to sign in again.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;

use tessera_domain::api::{
    AcceptInvitation, ChangePasswordRequest, ErrorBody, Invitation, InvitationLookup, InviteRequest,
    IssueVouchersRequest, IssuedVouchers, LedgerPage, LockerView, LoginRequest, Me, Member, Notice, OrgSettings,
    OrgSettingsPatch, PasswordResetConfirm, PasswordResetRequest, ProfilePatch, RedeemRequest, Redeemed,
    RegisterRequest, Role, RoleChange, SessionState, TokenRequest, VoucherSummary, CSRF_HEADER,
};

use crate::catalog::CatalogNames;
use crate::session::Session;

const BASE: &str = "/api/v1";

/// A failed call: the server's error body, or a stand-in for a network failure
/// (`status` 0) or an unreadable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status; 0 when the server could not be reached.
    pub status: u16,
    /// Stable machine-readable code, e.g. `invalid_credentials`.
    pub code: String,
    /// For people: show it as is.
    pub message: String,
    /// The request field the error is about, when there is one.
    pub field: Option<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// The server could not be reached at all.
    pub fn network() -> Self {
        Self {
            status: 0,
            code: "network".into(),
            message: "Tessera could not be reached. Check your connection and try again.".into(),
            field: None,
        }
    }

    /// Builds the error of a failed response from its status and body text.
    /// A body that is not the API's error shape gets a message chosen by status.
    pub fn from_response(status: u16, body: &str) -> Self {
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(ErrorBody { error }) if !error.message.is_empty() => {
                Self { status, code: error.code, message: error.message, field: error.field }
            }
            _ => Self {
                status,
                code: fallback_code(status).into(),
                message: fallback_message(status).into(),
                field: None,
            },
        }
    }

    /// The answer could not be read as the expected type.
    fn unreadable(status: u16) -> Self {
        Self {
            status,
            code: "unreadable_response".into(),
            message: "Tessera sent an answer this page could not read. Reload the page and try again.".into(),
            field: None,
        }
    }

    /// 401: no valid session.
    pub fn is_unauthenticated(&self) -> bool {
        self.status == 401
    }

    /// Whether the error is about the given request field.
    pub fn is_about(&self, field: &str) -> bool {
        self.field.as_deref() == Some(field)
    }
}

fn fallback_code(status: u16) -> &'static str {
    match status {
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        422 => "validation",
        429 => "too_many_requests",
        500..=599 => "server_error",
        _ => "unexpected_status",
    }
}

/// A message for people when the server did not send one.
pub fn fallback_message(status: u16) -> &'static str {
    match status {
        0 => "Tessera could not be reached. Check your connection and try again.",
        401 => "Your session has expired. Please sign in again.",
        403 => "You do not have permission to do this.",
        404 => "This could not be found.",
        409 => "This conflicts with a change made meanwhile. Reload the page and try again.",
        400 | 422 => "Some of the information is not valid. Check it and try again.",
        429 => "Too many attempts. Please wait a moment and try again.",
        500..=599 => "Tessera is having trouble right now. Please try again in a moment.",
        _ => "Something went wrong. Please try again.",
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

/// Who a call is made for: decides whether the CSRF token goes along and
/// what a 401 means.
#[derive(Clone, Copy)]
enum Caller {
    /// Nobody yet (start-up, sign-in, register, a public link): a 401 is an answer.
    Anyone,
    /// The signed-in person: a 401 means the session ended, so it expires.
    Person(Session),
    /// The signed-in person if any, where a 401 is an answer rather than an expiry
    /// (sign-out: "already signed out"; accept: "sign in first"), and the public calls
    /// that carry a mailed link's token (the CSRF token goes along when there is one).
    PersonAnswered(Session),
}

/// Sends one request to `/api/v1{path}`, with `body` as JSON; a non-2xx
/// answer becomes an [`ApiError`]. Not generic, so that every endpoint shares
/// one copy of it in the wasm.
async fn send(method: Method, path: &str, body: Option<String>, caller: Caller) -> Result<Response, ApiError> {
    let url = format!("{BASE}{path}");
    let mut builder = match method {
        Method::Get => Request::get(&url),
        Method::Post => Request::post(&url),
        Method::Patch => Request::patch(&url),
        Method::Delete => Request::delete(&url),
    };
    let session = match caller {
        Caller::Anyone => None,
        Caller::Person(session) | Caller::PersonAnswered(session) => Some(session),
    };
    // Only state-changing requests are checked for the token.
    if let Some(token) = session.filter(|_| method != Method::Get).and_then(|s| s.csrf_token_untracked()) {
        builder = builder.header(CSRF_HEADER, &token);
    }
    let request = match body {
        Some(json) => builder.header("Content-Type", "application/json").body(json),
        None => builder.build(),
    };
    let response = request.map_err(|_| ApiError::network())?.send().await.map_err(|_| ApiError::network())?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let error = ApiError::from_response(status, &text);
    if let (Caller::Person(session), true) = (caller, error.is_unauthenticated()) {
        session.expire();
    }
    Err(error)
}

/// One call whose answer is JSON of type `T`.
async fn request<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<String>,
    caller: Caller,
) -> Result<T, ApiError> {
    let response = send(method, path, body, caller).await?;
    let status = response.status();
    let text = response.text().await.map_err(|_| ApiError::unreadable(status))?;
    serde_json::from_str(&text).map_err(|_| ApiError::unreadable(status))
}

/// The JSON of a request body. Our request types always serialize; were one
/// ever to fail, the request goes without a body and the server says what is missing.
fn json(body: &impl Serialize) -> Option<String> {
    serde_json::to_string(body).ok()
}

/// `GET /api/v1/session`: who is signed in, `None` for nobody. Always 200, so a
/// signed-out visitor's first load logs no failed request.
pub async fn session_state() -> Result<Option<Me>, ApiError> {
    request::<SessionState>(Method::Get, "/session", None, Caller::Anyone).await.map(|s| s.me)
}

/// `GET /api/v1/me`: who is signed in; a 401 means nobody (or no longer).
pub async fn me() -> Result<Me, ApiError> {
    request(Method::Get, "/me", None, Caller::Anyone).await
}

/// `POST /api/v1/auth/login`
pub async fn login(body: &LoginRequest) -> Result<Me, ApiError> {
    request(Method::Post, "/auth/login", json(body), Caller::Anyone).await
}

/// `POST /api/v1/auth/register`: creates the organization and signs in.
pub async fn register(body: &RegisterRequest) -> Result<Me, ApiError> {
    request(Method::Post, "/auth/register", json(body), Caller::Anyone).await
}

/// `POST /api/v1/auth/logout-everywhere`: ends every session of the account,
/// this one included. A 401 means this session had already ended.
pub async fn logout_everywhere(session: Session) -> Result<(), ApiError> {
    send(Method::Post, "/auth/logout-everywhere", None, Caller::PersonAnswered(session)).await.map(drop)
}

/// `POST /api/v1/auth/logout`. A 401 here is not an expiry: the caller
/// treats it as "already signed out".
pub async fn logout(session: Session) -> Result<(), ApiError> {
    send(Method::Post, "/auth/logout", None, Caller::PersonAnswered(session)).await.map(drop)
}

/// `POST /api/v1/auth/password-reset`: mails a link if the address has an account; the
/// answer says the same either way.
pub async fn request_password_reset(session: Session, email: String) -> Result<Notice, ApiError> {
    let body = json(&PasswordResetRequest { email });
    request(Method::Post, "/auth/password-reset", body, Caller::PersonAnswered(session)).await
}

/// `POST /api/v1/auth/password-reset/confirm`: the new password; answers the `Me` of
/// the account, now signed in here (and nowhere else).
pub async fn confirm_password_reset(session: Session, body: &PasswordResetConfirm) -> Result<Me, ApiError> {
    request(Method::Post, "/auth/password-reset/confirm", json(body), Caller::PersonAnswered(session)).await
}

/// `POST /api/v1/auth/verify-email`: confirms the address of the link's account.
pub async fn verify_email(session: Session, token: String) -> Result<Notice, ApiError> {
    let body = json(&TokenRequest { token });
    request(Method::Post, "/auth/verify-email", body, Caller::PersonAnswered(session)).await
}

/// `POST /api/v1/auth/verify-email/resend`: a new confirmation link to the person's address.
pub async fn resend_verification(session: Session) -> Result<Notice, ApiError> {
    request(Method::Post, "/auth/verify-email/resend", None, Caller::Person(session)).await
}

// ---- The signed-in person's own account ----

/// `PATCH /api/v1/me`: changes the person's own name; answers the new `Me`.
pub async fn update_me(session: Session, patch: &ProfilePatch) -> Result<Me, ApiError> {
    request(Method::Patch, "/me", json(patch), Caller::Person(session)).await
}

/// `POST /api/v1/auth/password`: a new password; the person's other sessions end.
pub async fn change_password(session: Session, body: &ChangePasswordRequest) -> Result<Me, ApiError> {
    request(Method::Post, "/auth/password", json(body), Caller::Person(session)).await
}

// ---- Team: invitations, members, organization settings ----

/// `GET /api/v1/invitations`: the organization's invitations, newest first.
pub async fn invitations(session: Session) -> Result<Vec<Invitation>, ApiError> {
    request(Method::Get, "/invitations", None, Caller::Person(session)).await
}

/// Where an invitation leads: the organization (co-workers) or the person's Digital Locker.
/// Both kinds share the invitation machinery, so one client function serves each call of both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InviteTo {
    #[default]
    Organization,
    Locker,
}

impl InviteTo {
    /// The API path of the kind's invitations.
    fn path(self) -> &'static str {
        match self {
            InviteTo::Organization => "/invitations",
            InviteTo::Locker => "/locker/invitations",
        }
    }

    /// The browser route an invitation mail of this kind links to.
    pub fn accept_route(self) -> &'static str {
        match self {
            InviteTo::Organization => "/invite/accept",
            InviteTo::Locker => "/locker/accept",
        }
    }
}

/// `POST /api/v1/invitations` (a co-worker) or `POST /api/v1/locker/invitations` (someone
/// to share the locker with; the locker's original owner only): invites by email (201).
pub async fn invite(session: Session, to: InviteTo, body: &InviteRequest) -> Result<Invitation, ApiError> {
    request(Method::Post, to.path(), json(body), Caller::Person(session)).await
}

/// `GET /api/v1/locker/invitations`: the invitations into the person's locker, newest first
/// (empty for anyone but its original owner).
pub async fn locker_invitations(session: Session) -> Result<Vec<Invitation>, ApiError> {
    request(Method::Get, "/locker/invitations", None, Caller::Person(session)).await
}

/// `POST /api/v1/invitations/{id}/resend` (admins): a new link; the old one stops working.
pub async fn resend_invitation(session: Session, id: i64) -> Result<Invitation, ApiError> {
    request(Method::Post, &format!("/invitations/{id}/resend"), None, Caller::Person(session)).await
}

/// `DELETE /api/v1/invitations/{id}` (admins): revokes a pending invitation (204).
pub async fn revoke_invitation(session: Session, id: i64) -> Result<(), ApiError> {
    send(Method::Delete, &format!("/invitations/{id}"), None, Caller::Person(session)).await.map(drop)
}

/// `POST /api/v1/invitations/lookup {token}`: public; what the accept page may show.
/// Like every public call that carries a link's token, it goes with the session's CSRF
/// token when someone is signed in (the server checks any request that has a cookie).
pub async fn lookup_invitation(session: Session, to: InviteTo, token: &str) -> Result<InvitationLookup, ApiError> {
    let body = json(&TokenRequest { token: token.to_string() });
    request(Method::Post, &format!("{}/lookup", to.path()), body, Caller::PersonAnswered(session)).await
}

/// `POST /api/v1/invitations/accept`: with a name and password, creates the
/// account (201); with the token alone, joins the signed-in person (200).
/// Either way the answer is the new `Me`. A 401 here means "sign in first",
/// not an expiry, so it does not touch the session.
pub async fn accept_invitation(session: Session, body: &AcceptInvitation) -> Result<Me, ApiError> {
    request(Method::Post, "/invitations/accept", json(body), Caller::PersonAnswered(session)).await
}

/// `POST /api/v1/locker/invitations/accept` (signed in): the person joins the locker, their
/// own credits with them. The answer (the members) is not read: the Locker page loads them.
pub async fn accept_locker_invitation(session: Session, token: String) -> Result<(), ApiError> {
    let body = json(&TokenRequest { token });
    send(Method::Post, "/locker/invitations/accept", body, Caller::PersonAnswered(session)).await.map(drop)
}

/// `GET /api/v1/members`: the people of the organization.
pub async fn members(session: Session) -> Result<Vec<Member>, ApiError> {
    request(Method::Get, "/members", None, Caller::Person(session)).await
}

/// `PATCH /api/v1/members/{id}` (admins): changes a person's role.
pub async fn change_role(session: Session, id: i64, role: Role) -> Result<Member, ApiError> {
    request(Method::Patch, &format!("/members/{id}"), json(&RoleChange { role }), Caller::Person(session)).await
}

/// `DELETE /api/v1/members/{id}` (admins): removes a person (204).
pub async fn remove_member(session: Session, id: i64) -> Result<(), ApiError> {
    send(Method::Delete, &format!("/members/{id}"), None, Caller::Person(session)).await.map(drop)
}

/// `GET /api/v1/organization`: the organization's settings.
pub async fn organization(session: Session) -> Result<OrgSettings, ApiError> {
    request(Method::Get, "/organization", None, Caller::Person(session)).await
}

/// `PATCH /api/v1/organization` (admins).
pub async fn update_organization(session: Session, patch: &OrgSettingsPatch) -> Result<OrgSettings, ApiError> {
    request(Method::Patch, "/organization", json(patch), Caller::Person(session)).await
}

// ---- Catalog, Digital Locker, vouchers ----

thread_local! {
    /// The catalog, once read: the server reads its file only at start, so it cannot change
    /// under a running app (a restart reloads the page's data anyway).
    static CATALOG: std::cell::RefCell<Option<Arc<CatalogNames>>> = const { std::cell::RefCell::new(None) };
}

/// `GET /api/v1/catalog`, as far as the pages read it: asked once per app load, then kept.
pub async fn catalog(session: Session) -> Result<Arc<CatalogNames>, ApiError> {
    if let Some(catalog) = CATALOG.with_borrow(Clone::clone) {
        return Ok(catalog);
    }
    let catalog = Arc::new(request::<CatalogNames>(Method::Get, "/catalog", None, Caller::Person(session)).await?);
    CATALOG.set(Some(Arc::clone(&catalog)));
    Ok(catalog)
}

/// `GET /api/v1/locker`: the balances per SKU and who shares the locker.
pub async fn locker(session: Session) -> Result<LockerView, ApiError> {
    request(Method::Get, "/locker", None, Caller::Person(session)).await
}

/// `GET /api/v1/locker/ledger`: a page of the consumption history, newest first; `before`
/// is the previous page's `next_before`.
pub async fn ledger(session: Session, before: Option<i64>) -> Result<LedgerPage, ApiError> {
    let path = match before {
        Some(id) => format!("/locker/ledger?before={id}"),
        None => "/locker/ledger".to_string(),
    };
    request(Method::Get, &path, None, Caller::Person(session)).await
}

/// `POST /api/v1/locker/redeem`: moves a voucher's credits into the locker.
pub async fn redeem(session: Session, code: String) -> Result<Redeemed, ApiError> {
    request(Method::Post, "/locker/redeem", json(&RedeemRequest { code }), Caller::Person(session)).await
}

/// `POST /api/v1/vendor/vouchers` (the vendor's people): the new codes, shown this once (201).
pub async fn issue_vouchers(session: Session, body: &IssueVouchersRequest) -> Result<IssuedVouchers, ApiError> {
    request(Method::Post, "/vendor/vouchers", json(body), Caller::Person(session)).await
}

/// `GET /api/v1/vendor/vouchers` (the vendor's people): issued vouchers, newest first.
pub async fn vouchers(session: Session) -> Result<Vec<VoucherSummary>, ApiError> {
    request(Method::Get, "/vendor/vouchers", None, Caller::Person(session)).await
}

/// The vendor's voucher list as CSV: a plain link, the session cookie goes along.
pub const VOUCHERS_CSV: &str = "/api/v1/vendor/vouchers/export.csv";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_is_read_as_is() {
        let e = ApiError::from_response(
            401,
            r#"{"error":{"code":"invalid_credentials","message":"Incorrect email or password."}}"#,
        );
        assert_eq!(e.status, 401);
        assert_eq!(e.code, "invalid_credentials");
        assert_eq!(e.message, "Incorrect email or password.");
        assert_eq!(e.field, None);
        assert!(e.is_unauthenticated());
    }

    #[test]
    fn error_field_is_kept() {
        let e = ApiError::from_response(
            409,
            r#"{"error":{"code":"email_taken","message":"An account with this email already exists.","field":"email"}}"#,
        );
        assert!(e.is_about("email"));
        assert!(!e.is_about("password"));
    }

    #[test]
    fn unknown_body_gets_a_message_by_status() {
        let e = ApiError::from_response(502, "<html>Bad gateway</html>");
        assert_eq!(e.code, "server_error");
        assert_eq!(e.message, fallback_message(502));
        let e = ApiError::from_response(429, "");
        assert_eq!(e.code, "too_many_requests");
        assert!(e.message.contains("Too many attempts"));
    }

    #[test]
    fn empty_message_falls_back() {
        let e = ApiError::from_response(403, r#"{"error":{"code":"forbidden","message":""}}"#);
        assert_eq!(e.message, fallback_message(403));
    }

    #[test]
    fn network_error_has_status_zero() {
        let e = ApiError::network();
        assert_eq!(e.status, 0);
        assert!(!e.is_unauthenticated());
    }
}
