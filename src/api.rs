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
    AcceptInvitation, ChangePasswordRequest, CreateLicenseRequest, ErrorBody, Invitation, InvitationLookup,
    InviteRequest, IssueVouchersRequest, IssuedVouchers, LedgerPage, License, LicenseList, LicensePreview, LockerView,
    LoginRequest, Me, Member, Notice, OrgSettings, OrgSettingsPatch, PasswordResetConfirm, PasswordResetRequest,
    ProfilePatch, RedeemRequest, Redeemed, RegisterRequest, Role, RoleChange, SessionState, TokenRequest,
    VoucherSummary, CSRF_HEADER,
};
use tessera_domain::license::Consumption;

use crate::catalog::CatalogNames;
use crate::session::Session;

const BASE: &str = "/api/v1";

/// The header that makes a credit-consuming request safe to retry.
const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

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
    /// `insufficient_credits`: what the locker lacks, per SKU; empty otherwise.
    pub missing: Vec<Consumption>,
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
            missing: Vec::new(),
        }
    }

    /// Builds the error of a failed response from its status and body text.
    /// A body that is not the API's error shape gets a message chosen by status.
    pub fn from_response(status: u16, body: &str) -> Self {
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(ErrorBody { error }) if !error.message.is_empty() => Self {
                status,
                code: error.code,
                message: error.message,
                field: error.field,
                missing: error.missing.unwrap_or_default(),
            },
            _ => Self {
                status,
                code: fallback_code(status).into(),
                message: fallback_message(status).into(),
                field: None,
                missing: Vec::new(),
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
            missing: Vec::new(),
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
pub(crate) enum Method {
    Get,
    Post,
    Patch,
    Put,
    Delete,
}

/// Who a call is made for: decides whether the CSRF token goes along and
/// what a 401 means.
#[derive(Clone, Copy)]
pub(crate) enum Caller {
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
pub(crate) async fn send(
    method: Method,
    path: &str,
    body: Option<String>,
    caller: Caller,
) -> Result<Response, ApiError> {
    send_keyed(method, path, body, caller, None).await
}

/// [`send`] with an `Idempotency-Key`, for the requests that consume credits: a retry with
/// the same key gets the first answer and consumes nothing more.
pub(crate) async fn send_keyed(
    method: Method,
    path: &str,
    body: Option<String>,
    caller: Caller,
    idempotency_key: Option<&str>,
) -> Result<Response, ApiError> {
    let url = format!("{BASE}{path}");
    let mut builder = match method {
        Method::Get => Request::get(&url),
        Method::Post => Request::post(&url),
        Method::Patch => Request::patch(&url),
        Method::Put => Request::put(&url),
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
    if let Some(key) = idempotency_key {
        builder = builder.header(IDEMPOTENCY_HEADER, key);
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
pub(crate) async fn request<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<String>,
    caller: Caller,
) -> Result<T, ApiError> {
    read(send(method, path, body, caller).await?).await
}

/// The JSON of a successful answer, as type `T`.
/// Read as bytes, not text: a text answer would be decoded to a JavaScript string and then
/// encoded again into the wasm's memory, which for the 4 MB of 10,000 renewal rows costs
/// milliseconds before parsing starts.
pub(crate) async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let bytes = response.binary().await.map_err(|_| ApiError::unreadable(status))?;
    serde_json::from_slice(&bytes).map_err(|_| ApiError::unreadable(status))
}

/// The JSON of a request body. Our request types always serialize; were one
/// ever to fail, the request goes without a body and the server says what is missing.
pub(crate) fn json(body: &impl Serialize) -> Option<String> {
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

// ---- Licenses ----

/// `GET /api/v1/licenses`: the organization's licenses, soonest expiry first, and the
/// server's today.
pub async fn licenses(session: Session) -> Result<LicenseList, ApiError> {
    request(Method::Get, "/licenses", None, Caller::Person(session)).await
}

/// `GET /api/v1/licenses/{id}`: one license with its history; 404 when not the organization's.
pub async fn license(session: Session, id: i64) -> Result<License, ApiError> {
    request(Method::Get, &format!("/licenses/{id}"), None, Caller::Person(session)).await
}

/// The signed license file of license `id`: a plain link, the session cookie goes along.
pub fn license_file_url(id: i64) -> String {
    format!("{BASE}/licenses/{id}/file")
}

/// What a license request asks: a new license, or a change of license `id`. One type for
/// all five, so that previewing and confirming share one path through the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenseChange {
    Create(CreateLicenseRequest),
    Increase { id: i64, by: u32 },
    Renew { id: i64, term_months: u32 },
    Amend { id: i64, tier: String },
    AddOn { id: i64, sku: String },
}

impl LicenseChange {
    /// The endpoint under `/api/v1`.
    pub fn path(&self) -> String {
        match self {
            LicenseChange::Create(_) => "/licenses".to_string(),
            LicenseChange::Increase { id, .. } => format!("/licenses/{id}/increase"),
            LicenseChange::Renew { id, .. } => format!("/licenses/{id}/renew"),
            LicenseChange::Amend { id, .. } => format!("/licenses/{id}/amend"),
            LicenseChange::AddOn { id, .. } => format!("/licenses/{id}/addons"),
        }
    }

    /// The request body, asking for a preview or the real thing. Written by hand: five
    /// `Serialize` impls would each bring their own serializer code into the wasm for
    /// bodies of a few plain fields.
    pub fn body(&self, preview: bool) -> Option<String> {
        let fields = match self {
            LicenseChange::Create(r) => {
                let start = r.start_date.map(|d| format!(r#","start_date":"{d}""#)).unwrap_or_default();
                format!(
                    r#""product":{},"tier":{},"term_months":{},"quantity":{},"installer_email":{}{start}"#,
                    json_text(&r.product),
                    json_text(&r.tier),
                    r.term_months,
                    r.quantity,
                    json_text(&r.installer_email),
                )
            }
            LicenseChange::Increase { by, .. } => format!(r#""by":{by}"#),
            LicenseChange::Renew { term_months, .. } => format!(r#""term_months":{term_months}"#),
            LicenseChange::Amend { tier, .. } => format!(r#""tier":{}"#, json_text(tier)),
            LicenseChange::AddOn { sku, .. } => format!(r#""sku":{}"#, json_text(sku)),
        };
        let preview = if preview { r#","preview":true"# } else { "" };
        Some(format!("{{{fields}{preview}}}"))
    }
}

/// A JSON string: quoted, with quotes, backslashes and control characters escaped.
pub fn json_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The change with `preview: true`: what it would consume, what the locker would lack and
/// keep, and the license as it would be. Nothing is written, so no key goes along (a
/// preview and its confirmation differ in body, and a key names one body).
pub async fn preview_license_change(session: Session, change: &LicenseChange) -> Result<LicensePreview, ApiError> {
    request(Method::Post, &change.path(), change.body(true), Caller::Person(session)).await
}

/// The change itself, with the `Idempotency-Key` of the review screen it was confirmed on:
/// the license as it now is.
pub async fn apply_license_change(session: Session, change: &LicenseChange, key: &str) -> Result<License, ApiError> {
    let response =
        send_keyed(Method::Post, &change.path(), change.body(false), Caller::Person(session), Some(key)).await?;
    read(response).await
}

/// A fresh `Idempotency-Key`: the browser's `crypto.randomUUID()` where it has one (secure
/// pages), else 128 bits from `Math.random`, which is enough for a key the server keeps per
/// person for a day.
pub fn new_idempotency_key() -> String {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok().filter(|c| c.is_object());
    let uuid = crypto.and_then(|c| {
        let make = js_sys::Reflect::get(&c, &"randomUUID".into()).ok()?;
        let make: &js_sys::Function = wasm_bindgen::JsCast::dyn_ref(&make)?;
        make.call0(&c).ok()?.as_string()
    });
    uuid.unwrap_or_else(|| {
        let word = || (js_sys::Math::random() * 4_294_967_296.0) as u32;
        key_from_words([word(), word(), word(), word()])
    })
}

/// 128 bits as a UUID-shaped string (`8-4-4-4-12` hex digits).
pub fn key_from_words(words: [u32; 4]) -> String {
    let hex: String = words.iter().map(|w| format!("{w:08x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

// ---- Devices and device shares (issue 13) ----

/// `GET /api/v1/devices`: every device of the organization, then those shared with it, and
/// the server's today.
pub async fn devices(session: Session) -> Result<tessera_domain::api::DeviceList, ApiError> {
    request(Method::Get, "/devices", None, Caller::Person(session)).await
}

/// The JSON of a device's fields, written by hand (a derived writer would bring its own
/// code). A date left empty is `null` for a new device; for a change it is `""`, which
/// `PATCH` reads as "clear it" (`null` there means "keep it").
pub fn device_body(fields: &tessera_domain::device::DeviceFields, patch: bool) -> String {
    let date = |d: Option<chrono::NaiveDate>| match d {
        Some(d) => format!("\"{}\"", crate::format::iso_day(d)),
        None if patch => "\"\"".into(),
        None => "null".into(),
    };
    format!(
        r#"{{"serial":{},"model":{},"name":{},"site":{},"battery_replace_by":{},"warranty_expires_on":{}}}"#,
        json_text(&fields.serial),
        json_text(&fields.model),
        json_text(&fields.name),
        json_text(&fields.site),
        date(fields.battery_replace_by),
        date(fields.warranty_expires_on),
    )
}

/// `POST /api/v1/devices`: the device as created (201).
pub async fn add_device(
    session: Session,
    fields: &tessera_domain::device::DeviceFields,
) -> Result<tessera_domain::api::Device, ApiError> {
    request(Method::Post, "/devices", Some(device_body(fields, false)), Caller::Person(session)).await
}

/// `PATCH /api/v1/devices/{id}` with every field: the device as changed.
pub async fn update_device(
    session: Session,
    id: i64,
    fields: &tessera_domain::device::DeviceFields,
) -> Result<tessera_domain::api::Device, ApiError> {
    request(Method::Patch, &format!("/devices/{id}"), Some(device_body(fields, true)), Caller::Person(session)).await
}

/// `DELETE /api/v1/devices/{id}`.
pub async fn remove_device(session: Session, id: i64) -> Result<(), ApiError> {
    send(Method::Delete, &format!("/devices/{id}"), None, Caller::Person(session)).await.map(drop)
}

/// A refused import: the error, and with `csv_invalid` every row's problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRefused {
    pub error: ApiError,
    pub rows: Vec<tessera_domain::device::RowProblem>,
}

/// `POST /api/v1/devices/import[?skip_invalid=true]` with the file's text as `text/csv`.
/// Like [`send`], but the error keeps the rows a `csv_invalid` answer lists.
pub async fn import_devices(
    session: Session,
    csv: String,
    skip_invalid: bool,
) -> Result<tessera_domain::api::ImportReport, ImportRefused> {
    let refused = |error: ApiError| ImportRefused { error, rows: Vec::new() };
    let url = format!("{BASE}/devices/import{}", if skip_invalid { "?skip_invalid=true" } else { "" });
    let mut builder = Request::post(&url).header("Content-Type", "text/csv");
    if let Some(token) = session.csrf_token_untracked() {
        builder = builder.header(CSRF_HEADER, &token);
    }
    let request = builder.body(csv).map_err(|_| refused(ApiError::network()))?;
    let response = request.send().await.map_err(|_| refused(ApiError::network()))?;
    if response.ok() {
        return read(response).await.map_err(refused);
    }
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let error = ApiError::from_response(status, &text);
    if error.is_unauthenticated() {
        session.expire();
    }
    let rows = serde_json::from_str::<ErrorBody>(&text).ok().and_then(|b| b.error.rows).unwrap_or_default();
    Err(ImportRefused { error, rows })
}

/// `GET /api/v1/device-shares`: the active shares made by or with the organization.
pub async fn device_shares(session: Session) -> Result<Vec<tessera_domain::api::DeviceShare>, ApiError> {
    request(Method::Get, "/device-shares", None, Caller::Person(session)).await
}

/// The body of a new share: these devices, or all of them (`None`), also those added later.
pub fn share_body(partner_org_id: i64, device_ids: Option<&[i64]>) -> String {
    match device_ids {
        None => format!(r#"{{"partner_org_id":{partner_org_id},"all":true}}"#),
        Some(ids) => {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(r#"{{"partner_org_id":{partner_org_id},"device_ids":[{}]}}"#, ids.join(","))
        }
    }
}

/// `POST /api/v1/device-shares` (customer admins): the share as made (201).
pub async fn share_devices(
    session: Session,
    partner_org_id: i64,
    device_ids: Option<&[i64]>,
) -> Result<tessera_domain::api::DeviceShare, ApiError> {
    let body = Some(share_body(partner_org_id, device_ids));
    request(Method::Post, "/device-shares", body, Caller::Person(session)).await
}

/// `DELETE /api/v1/device-shares/{id}`: the partner no longer sees the devices (204).
pub async fn revoke_share(session: Session, id: i64) -> Result<(), ApiError> {
    send(Method::Delete, &format!("/device-shares/{id}"), None, Caller::Person(session)).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_locker_lacks_is_read() {
        let e = ApiError::from_response(
            409,
            r#"{"error":{"code":"insufficient_credits","message":"you need 3 more units of MON-STD-36",
                "missing":[{"sku":"MON-STD-36","device_months":108}]}}"#,
        );
        assert_eq!(e.code, "insufficient_credits");
        assert_eq!(e.missing, vec![Consumption { sku: "MON-STD-36".into(), device_months: 108 }]);
        assert!(ApiError::from_response(409, r#"{"error":{"code":"x","message":"y"}}"#).missing.is_empty());
    }

    #[test]
    fn each_change_has_its_endpoint_and_body() {
        let create = LicenseChange::Create(CreateLicenseRequest {
            product: "MON".into(),
            tier: "STD".into(),
            term_months: 36,
            quantity: 4,
            installer_email: "ian@example.com".into(),
            start_date: None,
            preview: false,
        });
        assert_eq!(create.path(), "/licenses");
        assert!(create.body(true).is_some_and(|b| b.contains(r#""preview":true"#)));
        assert!(create.body(false).is_some_and(|b| !b.contains("preview") && !b.contains("start_date")));
        let increase = LicenseChange::Increase { id: 7, by: 4 };
        assert_eq!(increase.path(), "/licenses/7/increase");
        assert_eq!(increase.body(false).as_deref(), Some(r#"{"by":4}"#));
        assert_eq!(increase.body(true).as_deref(), Some(r#"{"by":4,"preview":true}"#));
        assert_eq!(LicenseChange::Renew { id: 7, term_months: 12 }.path(), "/licenses/7/renew");
        let amend = LicenseChange::Amend { id: 7, tier: "ADV".into() };
        assert_eq!((amend.path(), amend.body(false)), ("/licenses/7/amend".into(), Some(r#"{"tier":"ADV"}"#.into())));
        assert_eq!(LicenseChange::AddOn { id: 7, sku: "X".into() }.path(), "/licenses/7/addons");
        assert_eq!(license_file_url(7), "/api/v1/licenses/7/file");
    }

    #[test]
    fn hand_written_bodies_are_the_types_json() {
        use tessera_domain::api::{AddOnRequest, AmendRequest, IncreaseRequest, RenewRequest};
        let request = CreateLicenseRequest {
            product: "MON".into(),
            tier: "STD".into(),
            term_months: 36,
            quantity: 4,
            installer_email: "a\"b\\c\nd@example.com".into(),
            start_date: chrono::NaiveDate::from_ymd_opt(2027, 1, 31),
            preview: true,
        };
        let same = |body: Option<String>, typed: serde_json::Value| {
            let body: serde_json::Value = serde_json::from_str(&body.unwrap_or_default()).unwrap_or_default();
            assert_eq!(body, typed);
        };
        same(LicenseChange::Create(request.clone()).body(true), typed(&request));
        let plain = CreateLicenseRequest { preview: false, ..request.clone() };
        same(LicenseChange::Create(request).body(false), typed(&plain));
        let today = CreateLicenseRequest { start_date: None, ..plain };
        same(LicenseChange::Create(today.clone()).body(false), typed(&today));
        same(LicenseChange::Increase { id: 1, by: 3 }.body(true), typed(&IncreaseRequest { by: 3, preview: true }));
        same(
            LicenseChange::Renew { id: 1, term_months: 60 }.body(false),
            typed(&RenewRequest { term_months: 60, preview: false }),
        );
        same(
            LicenseChange::Amend { id: 1, tier: "ADV".into() }.body(true),
            typed(&AmendRequest { tier: "ADV".into(), preview: true }),
        );
        same(
            LicenseChange::AddOn { id: 1, sku: "X".into() }.body(false),
            typed(&AddOnRequest { sku: "X".into(), preview: false }),
        );
        assert_eq!(json_text("\u{1}é"), "\"\\u0001é\"");
    }

    /// The serde JSON of a request type, to compare the hand-written bodies with.
    fn typed(request: &impl Serialize) -> serde_json::Value {
        serde_json::to_value(request).unwrap_or_default()
    }

    #[test]
    fn keys_look_like_uuids() {
        let key = key_from_words([0xdeadbeef, 0x01234567, 0x89abcdef, 0x0]);
        assert_eq!(key, "deadbeef-0123-4567-89ab-cdef00000000");
    }

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
