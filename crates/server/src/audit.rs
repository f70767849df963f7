//! The audit trail (ASVS 7.1/7.2): sign-ins and their failures, throttling, password
//! changes, role changes, removals and invitations, each an event under the `security`
//! tracing target with who acted, on what, and the request it came in (the `x-request-id`
//! the server answers with). Ids only: never an address, token, password or cookie, so the
//! trail can be kept and shipped where secrets must not go.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use std::convert::Infallible;

pub const TARGET: &str = "security";
pub const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignedIn,
    SignInFailed,
    /// Refused with 429: too many failures for the account (strangers) or for one device.
    SignInThrottled,
    PasswordChanged,
    /// Every session of the account ended at its own request.
    SignedOutEverywhere,
    PasswordCheckFailed,
    PasswordCheckThrottled,
    RoleChanged,
    MemberRemoved,
    InvitationSent,
    InvitationResent,
    InvitationRevoked,
    InvitationAccepted,
    Registered,
    SignedOut,
    SettingsChanged,
    /// A reset link was mailed (only for an address with an account).
    PasswordResetRequested,
    /// Refused with 429: too many reset requests for the address, the client or overall.
    PasswordResetThrottled,
    PasswordReset,
    VerificationMailSent,
    EmailVerified,
    /// Refused with 429: too many registrations or acceptances from one client network.
    ClientThrottled,
    VouchersIssued,
    VoucherRedeemed,
    /// Credits consumed for a new license.
    LicenseCreated,
    /// Credits consumed to increase, renew, amend or extend a license.
    LicenseChanged,
    /// Credits consumed to assign a plan to devices.
    PlanAssigned,
    /// Devices shared with a partner, or a share revoked.
    DevicesShared,
    DeviceShareRevoked,
    /// A code that did not redeem (unknown, used or expired), counted for the throttle.
    RedeemFailed,
    /// Refused with 429: too many codes that did not redeem.
    RedeemThrottled,
    LockerInvitationSent,
    LockerInvitationAccepted,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignedIn => "signed_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignInThrottled => "sign_in_throttled",
            Action::PasswordChanged => "password_changed",
            Action::SignedOutEverywhere => "signed_out_everywhere",
            Action::PasswordCheckFailed => "password_check_failed",
            Action::PasswordCheckThrottled => "password_check_throttled",
            Action::RoleChanged => "role_changed",
            Action::MemberRemoved => "member_removed",
            Action::InvitationSent => "invitation_sent",
            Action::InvitationResent => "invitation_resent",
            Action::InvitationRevoked => "invitation_revoked",
            Action::InvitationAccepted => "invitation_accepted",
            Action::Registered => "registered",
            Action::SignedOut => "signed_out",
            Action::SettingsChanged => "settings_changed",
            Action::PasswordResetRequested => "password_reset_requested",
            Action::PasswordResetThrottled => "password_reset_throttled",
            Action::PasswordReset => "password_reset",
            Action::VerificationMailSent => "verification_mail_sent",
            Action::EmailVerified => "email_verified",
            Action::ClientThrottled => "client_throttled",
            Action::VouchersIssued => "vouchers_issued",
            Action::VoucherRedeemed => "voucher_redeemed",
            Action::LicenseCreated => "license_created",
            Action::LicenseChanged => "license_changed",
            Action::PlanAssigned => "plan_assigned",
            Action::DevicesShared => "devices_shared",
            Action::DeviceShareRevoked => "device_share_revoked",
            Action::RedeemFailed => "redeem_failed",
            Action::RedeemThrottled => "redeem_throttled",
            Action::LockerInvitationSent => "locker_invitation_sent",
            Action::LockerInvitationAccepted => "locker_invitation_accepted",
        }
    }

    fn is_warning(self) -> bool {
        matches!(
            self,
            Action::SignInFailed
                | Action::SignInThrottled
                | Action::PasswordCheckFailed
                | Action::PasswordCheckThrottled
                | Action::PasswordResetThrottled
                | Action::ClientThrottled
                | Action::RedeemFailed
                | Action::RedeemThrottled
        )
    }
}

/// One entry of the trail. `detail` is a fixed word (a role, "known_device"), never input.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub action: Action,
    /// The signed-in person who acted; none for a sign-in attempt.
    pub actor_id: Option<i64>,
    /// The user or invitation acted on; none when the address has no account.
    pub target_id: Option<i64>,
    pub request_id: &'a str,
    pub detail: Option<&'static str>,
}

impl<'a> Event<'a> {
    pub fn new(action: Action, request_id: &'a str) -> Self {
        Event { action, actor_id: None, target_id: None, request_id, detail: None }
    }
    pub fn actor(mut self, id: i64) -> Self {
        self.actor_id = Some(id);
        self
    }
    pub fn target(mut self, id: Option<i64>) -> Self {
        self.target_id = id;
        self
    }
    pub fn detail(mut self, detail: &'static str) -> Self {
        self.detail = Some(detail);
        self
    }

    pub fn emit(self) {
        let action = self.action.as_str();
        let (actor_id, target_id, request_id, detail) = (self.actor_id, self.target_id, self.request_id, self.detail);
        if self.action.is_warning() {
            tracing::warn!(target: TARGET, action, actor_id, target_id, request_id, detail, "security event");
        } else {
            tracing::info!(target: TARGET, action, actor_id, target_id, request_id, detail, "security event");
        }
    }
}

/// The request id `SetRequestIdLayer` gave the request (`-` outside the app's layers).
pub fn request_id(headers: &HeaderMap) -> String {
    headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-").to_string()
}

/// The request id as an extractor, for handlers without a session.
pub struct RequestId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestId(request_id(&parts.headers)))
    }
}
