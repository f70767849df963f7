//! Typed client of the JSON API under `/api/v1`: one async function per
//! endpoint, returning domain types or an [`ApiError`].
//!
//! Calls made on behalf of a signed-in person take the [`Session`]: they send
//! its CSRF token on state-changing requests and, when the server answers 401,
//! flag the session as expired so the app sends the person to sign in again.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use tessera_domain::api::{
    AcceptInvitation, ChangePasswordRequest, ErrorBody, Invitation, InvitationLookup, InviteRequest, LoginRequest, Me,
    Member, OrgSettings, OrgSettingsPatch, ProfilePatch, RegisterRequest, Role, RoleChange, CSRF_HEADER,
};

use crate::app::encode_query_value;
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

fn url(path: &str) -> String {
    format!("{BASE}{path}")
}

/// Sends a request; a non-2xx answer becomes an [`ApiError`]. With a session, a
/// 401 marks it expired.
async fn send(request: Result<Request, gloo_net::Error>, session: Option<Session>) -> Result<Response, ApiError> {
    let request = request.map_err(|_| ApiError::network())?;
    let response = request.send().await.map_err(|_| ApiError::network())?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let error = ApiError::from_response(status, &body);
    if let (Some(session), true) = (session, error.is_unauthenticated()) {
        session.expire();
    }
    Err(error)
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    response.json::<T>().await.map_err(|_| ApiError::unreadable(status))
}

/// Adds the session's CSRF token, for state-changing requests.
fn with_csrf(builder: RequestBuilder, session: Session) -> RequestBuilder {
    match session.csrf_token_untracked() {
        Some(token) => builder.header(CSRF_HEADER, &token),
        None => builder,
    }
}

/// `GET /api/v1/me`: who is signed in. A 401 means nobody (not an expiry).
pub async fn me() -> Result<Me, ApiError> {
    let response = send(Request::get(&url("/me")).build(), None).await?;
    read_json(response).await
}

/// `POST /api/v1/auth/login`
pub async fn login(body: &LoginRequest) -> Result<Me, ApiError> {
    let response = send(Request::post(&url("/auth/login")).json(body), None).await?;
    read_json(response).await
}

/// `POST /api/v1/auth/register`: creates the organization and signs in.
pub async fn register(body: &RegisterRequest) -> Result<Me, ApiError> {
    let response = send(Request::post(&url("/auth/register")).json(body), None).await?;
    read_json(response).await
}

/// `POST /api/v1/auth/logout`. A 401 here is not an expiry: the caller
/// treats it as "already signed out".
pub async fn logout(session: Session) -> Result<(), ApiError> {
    let request = with_csrf(Request::post(&url("/auth/logout")), session).build();
    send(request, None).await.map(|_| ())
}

// ---- The signed-in person's own account ----

/// `PATCH /api/v1/me`: changes the person's own name; answers the new `Me`.
pub async fn update_me(session: Session, patch: &ProfilePatch) -> Result<Me, ApiError> {
    let request = with_csrf(Request::patch(&url("/me")), session).json(patch);
    let response = send(request, Some(session)).await?;
    read_json(response).await
}

/// `POST /api/v1/auth/password`: a new password; the person's other sessions end.
pub async fn change_password(session: Session, body: &ChangePasswordRequest) -> Result<Me, ApiError> {
    let request = with_csrf(Request::post(&url("/auth/password")), session).json(body);
    let response = send(request, Some(session)).await?;
    read_json(response).await
}

// ---- Team: invitations, members, organization settings ----

/// `GET /api/v1/invitations`: the organization's invitations, newest first.
pub async fn invitations(session: Session) -> Result<Vec<Invitation>, ApiError> {
    let response = send(Request::get(&url("/invitations")).build(), Some(session)).await?;
    read_json(response).await
}

/// `POST /api/v1/invitations`: invites a co-worker by email (201).
pub async fn invite(session: Session, body: &InviteRequest) -> Result<Invitation, ApiError> {
    let request = with_csrf(Request::post(&url("/invitations")), session).json(body);
    let response = send(request, Some(session)).await?;
    read_json(response).await
}

/// `POST /api/v1/invitations/{id}/resend` (admins): a new link; the old one stops working.
pub async fn resend_invitation(session: Session, id: i64) -> Result<Invitation, ApiError> {
    let request = with_csrf(Request::post(&url(&format!("/invitations/{id}/resend"))), session).build();
    let response = send(request, Some(session)).await?;
    read_json(response).await
}

/// `DELETE /api/v1/invitations/{id}` (admins): revokes a pending invitation (204).
pub async fn revoke_invitation(session: Session, id: i64) -> Result<(), ApiError> {
    let request = with_csrf(Request::delete(&url(&format!("/invitations/{id}"))), session).build();
    send(request, Some(session)).await.map(|_| ())
}

/// `GET /api/v1/invitations/lookup?token=…`: public; what the accept page may show.
pub async fn lookup_invitation(token: &str) -> Result<InvitationLookup, ApiError> {
    let path = format!("/invitations/lookup?token={}", encode_query_value(token));
    let response = send(Request::get(&url(&path)).build(), None).await?;
    read_json(response).await
}

/// `POST /api/v1/invitations/accept`: with a name and password, creates the
/// account (201); with the token alone, joins the signed-in person (200).
/// Either way the answer is the new `Me`. A 401 here means "sign in first",
/// not an expiry, so it does not touch the session.
pub async fn accept_invitation(session: Session, body: &AcceptInvitation) -> Result<Me, ApiError> {
    let request = with_csrf(Request::post(&url("/invitations/accept")), session).json(body);
    let response = send(request, None).await?;
    read_json(response).await
}

/// `GET /api/v1/members`: the people of the organization.
pub async fn members(session: Session) -> Result<Vec<Member>, ApiError> {
    let response = send(Request::get(&url("/members")).build(), Some(session)).await?;
    read_json(response).await
}

/// `PATCH /api/v1/members/{id}` (admins): changes a person's role.
pub async fn change_role(session: Session, id: i64, role: Role) -> Result<Member, ApiError> {
    let request = with_csrf(Request::patch(&url(&format!("/members/{id}"))), session).json(&RoleChange { role });
    let response = send(request, Some(session)).await?;
    read_json(response).await
}

/// `DELETE /api/v1/members/{id}` (admins): removes a person (204).
pub async fn remove_member(session: Session, id: i64) -> Result<(), ApiError> {
    let request = with_csrf(Request::delete(&url(&format!("/members/{id}"))), session).build();
    send(request, Some(session)).await.map(|_| ())
}

/// `GET /api/v1/organization`: the organization's settings.
pub async fn organization(session: Session) -> Result<OrgSettings, ApiError> {
    let response = send(Request::get(&url("/organization")).build(), Some(session)).await?;
    read_json(response).await
}

/// `PATCH /api/v1/organization` (admins).
pub async fn update_organization(session: Session, patch: &OrgSettingsPatch) -> Result<OrgSettings, ApiError> {
    let request = with_csrf(Request::patch(&url("/organization")), session).json(patch);
    let response = send(request, Some(session)).await?;
    read_json(response).await
}

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
