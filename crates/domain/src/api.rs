//! Shapes of the JSON API under `/api/v1`, shared by server and browser.
//!
//! Field names here are a contract with clients and scripts: rename nothing.
//!
//! With the `openapi` feature (the server's) each type also derives its JSON schema, from
//! which the server's OpenAPI document is built: the document cannot drift from the types.

use serde::{Deserialize, Serialize};

/// Kind of organization stored on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Customer,
    Partner,
    Vendor,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Customer => "customer",
            OrgKind::Partner => "partner",
            OrgKind::Vendor => "vendor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customer" => Some(OrgKind::Customer),
            "partner" => Some(OrgKind::Partner),
            "vendor" => Some(OrgKind::Vendor),
            _ => None,
        }
    }
}

/// What a person chooses when registering. `individual` is a home owner: it
/// creates a customer organization of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegisterKind {
    Customer,
    Partner,
    Individual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

/// `POST /api/v1/auth/register`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterRequest {
    /// Company name; may be empty for `individual` (the person's name is used).
    #[serde(default)]
    pub org_name: String,
    pub org_kind: RegisterKind,
    pub name: String,
    pub email: String,
    pub password: String,
}

/// `POST /api/v1/auth/login`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// `POST /api/v1/auth/password`: the signed-in person chooses a new password.
/// Their other sessions end; this one stays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `PATCH /api/v1/me`: the signed-in person's own details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfilePatch {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub id: i64,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgInfo {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    /// A home owner's customer organization of one: it has no co-workers to invite.
    #[serde(default)]
    pub individual: bool,
}

/// `GET /api/v1/me`, also the body of a successful register or login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: UserInfo,
    pub organization: OrgInfo,
    pub role: Role,
    /// Send back as `X-CSRF-Token` on every state-changing request.
    pub csrf_token: String,
    /// Set for accounts created with a generated one-time password.
    #[serde(default)]
    pub must_change_password: bool,
    /// Whether the person proved they receive mail at their address (a link from a mail
    /// was used). Until then they may look around but not mail anyone else.
    pub email_verified: bool,
    /// The server's today (`YYYY-MM-DD`, UTC): statuses, remaining months and start dates are
    /// counted from it, never from the device's clock.
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub today: chrono::NaiveDate,
}

/// `POST /api/v1/auth/password-reset`: mail a link to choose a new password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetRequest {
    pub email: String,
}

/// `POST /api/v1/auth/password-reset/confirm`: the token from the mailed link and the
/// new password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetConfirm {
    pub token: String,
    pub password: String,
}

/// A request that carries only the token of a mailed link: `POST
/// /api/v1/auth/verify-email` and `POST /api/v1/invitations/lookup`. In a body, not a
/// query string, so that it stays out of access logs and proxies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenRequest {
    pub token: String,
}

/// An answer that is a sentence for people: what happened, and what comes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    pub message: String,
}

/// `GET /api/v1/health`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// The error body of every failed request (SPEC §11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable, machine-readable code, e.g. `email_taken`.
    pub code: String,
    /// For people.
    pub message: String,
    /// The request field the error is about, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// `insufficient_credits` only: what the locker lacks, per SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<crate::license::Consumption>>,
    /// `csv_invalid` only: each row that cannot be imported, with its field and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<crate::device::RowProblem>>,
}

/// Header carrying the session's CSRF token.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

// ---- Team: invitations, members, organization settings (SPEC §7) ----

/// `POST /api/v1/invitations`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteRequest {
    pub email: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub fn label(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "Pending",
            InvitationStatus::Accepted => "Accepted",
            InvitationStatus::Revoked => "Revoked",
            InvitationStatus::Expired => "Expired",
        }
    }
}

/// An invitation as its organization sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    /// Name of the person who sent it.
    pub invited_by: String,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub sent_at: chrono::DateTime<chrono::Utc>,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub status: InvitationStatus,
}

/// `POST /api/v1/invitations/lookup {token}`: what the accept page may show, nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationLookup {
    pub organization_name: String,
    pub inviter: String,
    pub email: String,
}

/// `POST /api/v1/invitations/accept`: `name` and `password` register a new person;
/// the token alone joins a signed-in user with the invited email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitation {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub joined_at: chrono::DateTime<chrono::Utc>,
}

/// `PATCH /api/v1/members/{id}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleChange {
    pub role: Role,
}

/// `GET /api/v1/organization`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgSettings {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    /// Whether members (not only admins) may invite co-workers. Default off.
    pub members_may_invite: bool,
}

/// `PATCH /api/v1/organization` (admins)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgSettingsPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_may_invite: Option<bool>,
}

/// `GET /api/v1/session`: who is signed in, `me` is `null` for nobody. Unlike
/// `GET /api/v1/me` it answers 200 either way, so the app's start-up check does
/// not log a failed request for every signed-out visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionState {
    pub me: Option<Me>,
}

// ---- Vouchers and the Digital Locker (SPEC §3) ----

/// `POST /api/v1/vendor/vouchers`: `count` vouchers (default 1) of `quantity` units each
/// (device-months for a month-unit SKU); with `email`, the codes are mailed there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueVouchersRequest {
    pub sku: String,
    pub quantity: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The last day the vouchers redeem (`YYYY-MM-DD`, included).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::catalog::date::deserialize_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expires_on: Option<chrono::NaiveDate>,
}

/// The codes just issued, grouped for reading (`7QKX-M2PA-9RTD-WH4Q`): shown once, never
/// again (only their hashes are kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedVouchers {
    pub codes: Vec<String>,
}

/// An issued voucher as the vendor's list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherSummary {
    pub id: i64,
    /// The last four symbols, e.g. `…-WH4Q`.
    pub code_hint: String,
    pub sku: String,
    pub quantity: u32,
    pub email: Option<String>,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub issued_at: chrono::DateTime<chrono::Utc>,
    #[serde(deserialize_with = "crate::catalog::date::deserialize_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expires_on: Option<chrono::NaiveDate>,
    pub state: crate::voucher::VoucherState,
    #[serde(deserialize_with = "crate::catalog::date::deserialize_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub redeemed_on: Option<chrono::NaiveDate>,
    /// The organization that redeemed it, as it was named then.
    pub redeemed_by: Option<String>,
}

/// `POST /api/v1/locker/redeem`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedeemRequest {
    pub code: String,
}

/// What a redemption added, and the SKU's balance after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redeemed {
    pub sku: String,
    pub added_device_months: u64,
    pub balance_device_months: u64,
}

/// `GET /api/v1/locker`: the balances (one per SKU with credits) and who shares the locker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LockerView {
    pub balances: Vec<LockerBalance>,
    pub members: Vec<LockerMember>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LockerBalance {
    pub sku: String,
    /// The product's key, e.g. `MON`.
    pub product: String,
    pub tier: Option<String>,
    /// The term of a term-unit SKU; `null` for month units (amendments, add-ons).
    pub term_months: Option<u32>,
    pub device_months: u64,
    /// `device_months` in the SKU's units (a 36-month unit is 36 device-months), to two
    /// decimals: `11.75`.
    pub units: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LockerMember {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The original owner, the only one who may invite others in.
    pub owner: bool,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub joined_at: chrono::DateTime<chrono::Utc>,
}

/// One entry of the consumption history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntry {
    pub id: i64,
    pub sku: String,
    pub kind: crate::ledger::EntryKind,
    /// Signed: what the entry added (positive) or took (negative).
    pub device_months: i64,
    pub reference: Option<String>,
    /// Who did it, as they were named then.
    pub actor: String,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub at: chrono::DateTime<chrono::Utc>,
}

/// `GET /api/v1/locker/ledger`: newest first; ask again with `before=next_before` for older.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    pub next_before: Option<i64>,
}

// ---- Licenses (SPEC §4) ----

/// `POST /api/v1/licenses`. With `preview: true`, the answer is what it would consume and
/// the license it would make ([`LicensePreview`]); nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateLicenseRequest {
    /// The product's key, e.g. `MON`.
    pub product: String,
    /// The tier's key, e.g. `STD`.
    pub tier: String,
    /// 12, 36 or 60.
    pub term_months: u32,
    /// The number of assets the license covers.
    pub quantity: u32,
    /// Where the Activation ID is mailed.
    pub installer_email: String,
    /// The first day covered (`YYYY-MM-DD`): today or later, at most a year ahead; today when
    /// absent. It can never be changed afterwards.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::catalog::date::deserialize_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub start_date: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
}

/// `POST /api/v1/licenses/{id}/increase`: add `by` assets until the end date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IncreaseRequest {
    pub by: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
}

/// `POST /api/v1/licenses/{id}/renew`: append a term of `term_months`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    pub term_months: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
}

/// `POST /api/v1/licenses/{id}/amend`: move to the higher `tier` until the end date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AmendRequest {
    pub tier: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
}

/// `POST /api/v1/licenses/{id}/addons`: add the add-on module `sku` until the end date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddOnRequest {
    pub sku: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
}

/// An add-on module of a license; it ends with the license.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseAddOn {
    pub sku: String,
    pub name: String,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub added_on: chrono::NaiveDate,
}

/// One entry of a license's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseEvent {
    pub kind: crate::license::EventKind,
    /// The server's day it happened on.
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: chrono::NaiveDate,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub at: chrono::DateTime<chrono::Utc>,
    /// Who did it, as they were named then.
    pub actor: String,
    /// What changed, in a sentence.
    pub summary: String,
    pub consumed: Vec<crate::license::Consumption>,
}

/// A license (SPEC §4), as `GET /api/v1/licenses/{id}` and every operation answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct License {
    pub id: i64,
    /// `XXXX-XXXX-XXXX-XXXX`, what the installer types into the product.
    pub activation_id: String,
    pub product: String,
    pub tier: String,
    /// The term of the last purchase (creation or renewal).
    pub term_months: u32,
    pub quantity: u32,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub starts_on: chrono::NaiveDate,
    /// The first day no longer covered.
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expires_on: chrono::NaiveDate,
    pub status: crate::status::Status,
    /// Days from the server's today to `expires_on`; negative once it has passed.
    pub days_left: i64,
    /// Months a change made today is prorated over (SPEC §6 R); 0 once ended.
    pub remaining_months: u32,
    /// The SKU increases consume: the product's, tier's and term's plan.
    pub sku: String,
    pub installer_email: String,
    pub addons: Vec<LicenseAddOn>,
    /// Oldest first. Empty in lists (`GET /api/v1/licenses`).
    pub events: Vec<LicenseEvent>,
}

/// `GET /api/v1/licenses`: the organization's licenses, soonest expiry first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseList {
    pub licenses: Vec<License>,
    /// The server's today (`YYYY-MM-DD`): the day statuses and days left are counted from.
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub today: chrono::NaiveDate,
}

/// The answer to any license request with `preview: true`: nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicensePreview {
    /// What confirming would take from the locker.
    pub consumes: Vec<crate::license::Consumption>,
    /// What the locker would lack (empty when it holds enough: then confirming succeeds,
    /// unless someone spends the credits first).
    pub missing: Vec<crate::license::Consumption>,
    /// The locker's balance of each SKU consumed, after confirming (0 where short).
    pub keeps: Vec<crate::license::Consumption>,
    /// The license as it would be (`id` 0 and `activation_id` empty for a new one).
    pub license: License,
}

/// `GET /api/v1/license-key`: the public key that signs license files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseKey {
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The 32-byte public key, base64.
    pub public_key: String,
    /// The first 16 hex digits of the key's SHA-256: names the key in signed files.
    pub key_id: String,
    /// The key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo), for `openssl pkeyutl -verify`.
    pub pem: String,
}

// ---- Devices and device subscriptions (SPEC §5) ----

/// One entitlement segment of a device: `tier` of `product` on `starts_on <= d < ends_on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSegment {
    pub product: String,
    pub tier: String,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub starts_on: chrono::NaiveDate,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub ends_on: chrono::NaiveDate,
}

/// What covers a device today, and until when its chain of segments covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentPlan {
    pub product: String,
    pub tier: String,
    /// The end of the whole chain (a lower tier may resume after the current one).
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expires_on: chrono::NaiveDate,
}

/// A device (SPEC §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    pub id: i64,
    pub serial: String,
    pub model: String,
    pub name: String,
    pub site: String,
    #[serde(deserialize_with = "crate::catalog::date::deserialize_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub battery_replace_by: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "crate::catalog::date::deserialize_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub warranty_expires_on: Option<chrono::NaiveDate>,
    /// Oldest first.
    pub segments: Vec<DeviceSegment>,
    /// `null` when nothing covers the device today.
    pub current: Option<CurrentPlan>,
    /// The customer that shared the device with the caller (a partner); `null` for the
    /// caller's own devices.
    pub shared_by: Option<String>,
}

/// `GET /api/v1/devices`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceList {
    pub devices: Vec<Device>,
    /// Devices matching the search, before `limit`/`offset`.
    pub total: usize,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub today: chrono::NaiveDate,
}

/// `POST /api/v1/devices/import`: what was imported, and the rows skipped (with
/// `skip_invalid=true`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub imported: usize,
    pub skipped: Vec<crate::device::RowProblem>,
}

/// `PATCH /api/v1/devices/{id}`: the fields to change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DevicePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// `YYYY-MM-DD`, or `""` to clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub battery_replace_by: Option<String>,
    /// `YYYY-MM-DD`, or `""` to clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warranty_expires_on: Option<String>,
}

/// A plan in the locker that can be assigned to devices (`GET /api/v1/subscriptions/plans`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionPlan {
    pub sku: String,
    pub product: String,
    pub tier: String,
    pub term_months: u32,
    /// Whole units available: one per device.
    pub units: u64,
    pub device_months: u64,
    /// Months a promotion adds to each assignment made today.
    pub bonus_months: u32,
}

/// `POST /api/v1/subscriptions/assign`: one unit of `sku` to each device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub sku: String,
    pub device_ids: Vec<i64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
}

/// The devices after an assignment (or as they would be, with `preview`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignResult {
    pub devices: Vec<Device>,
    /// What it consumes (or consumed).
    pub consumes: Vec<crate::license::Consumption>,
    /// With `preview`: what the locker lacks (empty when it holds enough).
    #[serde(default)]
    pub missing: Vec<crate::license::Consumption>,
}

/// `POST /api/v1/device-shares`: share some devices (or all, present and future) with a
/// partner organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDeviceShare {
    /// The partner's "Partner ID" (its organization id, shown on its Home page).
    pub partner_org_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_ids: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<bool>,
}

/// A share of devices between a customer and a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceShare {
    pub id: i64,
    pub customer_org_id: i64,
    pub customer_name: String,
    pub partner_org_id: i64,
    pub partner_name: String,
    /// Every device of the customer, also those added later.
    pub all: bool,
    /// The devices shared (all of them when `all`).
    pub device_count: usize,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

// ---- Renewals (SPEC §8) ----

/// One thing that expires: a license, or a device's subscription to a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenewalRow {
    /// `license` or `device`.
    pub kind: String,
    /// The license's or the device's id.
    pub id: i64,
    /// The catalog key, e.g. `MON`.
    pub product: String,
    pub product_name: String,
    pub tier: String,
    /// Assets of a license; 1 for a device.
    pub quantity: u32,
    pub activation_id: Option<String>,
    pub serial: Option<String>,
    pub device_name: Option<String>,
    pub site: Option<String>,
    /// The organization the item belongs to (a partner sees its customers' names).
    pub customer: String,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub starts_on: chrono::NaiveDate,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub expires_on: chrono::NaiveDate,
    /// Negative once expired.
    pub days_left: i64,
    pub status: crate::status::Status,
    /// Whether it can still be renewed (SPEC §4's `renew_after_expiry`).
    pub renewable: bool,
    /// Why not, when it cannot.
    pub not_renewable_because: Option<String>,
    #[serde(deserialize_with = "crate::catalog::date::deserialize_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub battery_replace_by: Option<chrono::NaiveDate>,
    #[serde(deserialize_with = "crate::catalog::date::deserialize_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub warranty_expires_on: Option<chrono::NaiveDate>,
}

/// How many rows have each status (before the `status` filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenewalCounts {
    pub active: usize,
    pub expiring: usize,
    pub grace: usize,
    pub expired: usize,
    pub scheduled: usize,
}

impl Device {
    /// The texts SPEC §10's search looks in, for `GET /devices?q=` and the Devices page.
    pub fn search_fields(&self) -> Vec<&str> {
        let mut fields = vec![self.name.as_str(), self.serial.as_str(), self.model.as_str(), self.site.as_str()];
        fields.extend(self.segments.iter().map(|s| s.product.as_str()));
        fields.extend(self.shared_by.as_deref());
        fields
    }
}

impl RenewalRow {
    /// The texts SPEC §10's search looks in, for `GET /renewals?q=` and the Renewals page.
    pub fn search_fields(&self) -> Vec<&str> {
        let mut fields =
            vec![self.product.as_str(), self.product_name.as_str(), self.customer.as_str(), self.tier.as_str()];
        fields.extend(self.activation_id.as_deref());
        fields.extend(self.serial.as_deref());
        fields.extend(self.device_name.as_deref());
        fields.extend(self.site.as_deref());
        fields
    }
}

impl RenewalCounts {
    pub fn add(&mut self, status: crate::status::Status) {
        use crate::status::Status;
        match status {
            Status::Active => self.active += 1,
            Status::Expiring => self.expiring += 1,
            Status::Grace => self.grace += 1,
            Status::Expired => self.expired += 1,
            Status::Scheduled => self.scheduled += 1,
        }
    }
}

/// `GET /api/v1/renewals`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Renewals {
    pub counts: RenewalCounts,
    pub rows: Vec<RenewalRow>,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub today: chrono::NaiveDate,
}

/// `GET`/`PUT /api/v1/me/renewal-notices`: whether the person gets renewal notices (admins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RenewalNoticeSetting {
    pub enabled: bool,
}

/// `PUT /api/v1/organization/reseller`: the partner that also gets the customer's renewal
/// notices (`null` for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResellerChoice {
    pub partner_org_id: Option<i64>,
}

/// Who chooses a customer's reseller (who then also gets its renewal notices): the
/// customer's admins. `PUT /organization/reseller` and the Team page both ask this.
pub fn may_choose_reseller(kind: OrgKind, role: Role) -> bool {
    kind == OrgKind::Customer && role == Role::Admin
}

/// A Partner ID as people type it (a partner's `organization.id`, shown on its Home page), or
/// the sentence saying what is wrong; `whose` names the partner in it ("your partner").
pub fn parse_partner_id(text: &str, whose: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ if text.trim().is_empty() => Err(format!("Please enter {whose}'s Partner ID.")),
        _ => Err(format!("A Partner ID is a number, like 12: {whose} finds it on their Home page.")),
    }
}

/// `GET`/`PUT /api/v1/organization/reseller`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reseller {
    pub partner_org_id: Option<i64>,
    pub partner_name: Option<String>,
}

// ---- Quotes and orders (SPEC §9) ----

/// A line of a quote as written: `discount_percent` up to two decimals; `unit_price` in minor
/// units overrides the list price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuoteLineInput {
    pub sku: String,
    pub quantity: u32,
    #[serde(default)]
    pub discount_percent: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<i64>,
}

/// A customer who is not (yet) an organization in Tessera.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuoteContact {
    pub name: String,
    pub email: String,
}

/// `POST /api/v1/quotes` (partners): for an organization that shares devices with the
/// partner (`customer_org_id`), or for a name and an address (`customer`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateQuote {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_org_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<QuoteContact>,
    pub lines: Vec<QuoteLineInput>,
    /// The last day the quote may be accepted.
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub valid_until: chrono::NaiveDate,
    #[serde(default)]
    pub notes: String,
    /// When the plans would start: the day promotions are judged on (today when absent).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::catalog::date::deserialize_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub starts_on: Option<chrono::NaiveDate>,
}

/// `PATCH /api/v1/quotes/{id}` (drafts only): the fields to replace.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuotePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<QuoteLineInput>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::catalog::date::deserialize_option"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_until: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A priced line of a quote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuoteLine {
    pub sku: String,
    pub description: String,
    pub quantity: u32,
    pub unit_price: i64,
    pub discount_percent: f64,
    /// The promotions applied, by name ("" when none).
    pub promotion: String,
    pub free_units: u32,
    pub bonus_months: u32,
    pub total: i64,
    pub price_per_device_month: i64,
}

/// A quote (SPEC §9); money in integer minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quote {
    pub id: i64,
    pub number: String,
    /// `draft`, `sent`, `accepted`, `declined`, or `expired` (sent, and the validity date has
    /// passed on the server's clock).
    pub state: String,
    pub partner: String,
    pub partner_org_id: i64,
    pub customer: String,
    pub customer_org_id: Option<i64>,
    pub customer_email: Option<String>,
    pub lines: Vec<QuoteLine>,
    pub currency: String,
    pub total: i64,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub starts_on: chrono::NaiveDate,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub valid_until: chrono::NaiveDate,
    pub notes: String,
    #[serde(deserialize_with = "crate::catalog::date::deserialize")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub created_on: chrono::NaiveDate,
    #[serde(deserialize_with = "crate::catalog::date::deserialize_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub sent_on: Option<chrono::NaiveDate>,
    pub decline_reason: Option<String>,
    /// The order an accepted quote became.
    pub order_id: Option<i64>,
}

/// `POST /api/v1/quotes/{id}/accept`: where the vouchers of the order go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptQuote {
    pub installer_email: String,
}

/// `POST /api/v1/quotes/{id}/decline`
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclineQuote {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The answer to accepting: the order and the quote as it now is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptedQuote {
    pub order_id: i64,
    pub quote: Quote,
}

/// `GET /api/v1/quotes/options`: the option matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuoteOptions {
    pub quantity: u32,
    pub options: Vec<crate::pricing::QuoteOption>,
}

/// An order (the vendor's back office).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    pub id: i64,
    /// `open` or `fulfilled`.
    pub state: String,
    pub quote: Quote,
    pub installer_email: String,
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(default, deserialize_with = "crate::rfc3339::deserialize_option")]
    pub fulfilled_at: Option<chrono::DateTime<chrono::Utc>>,
}
