//! The life of an invitation of a co-worker (SPEC §7), decided once for the
//! server, the browser and the command line: who may send one, how long its
//! link lives, what it is at a given moment, and where its link leads.
//!
//! Only what happened to an invitation is stored (pending, accepted, revoked);
//! "expired" is a pending invitation past its expiry, judged at the moment the
//! caller passes in, so that the dev clock and tests move it like everything else.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use crate::api::{InvitationStatus, Role};

/// How long an invitation link works after it was (re)sent.
pub const LIFETIME_DAYS: i64 = 7;

/// [`LIFETIME_DAYS`] as a duration.
pub fn lifetime() -> Duration {
    Duration::days(LIFETIME_DAYS)
}

/// The lifetime in words, for the pages that tell people how long a link works.
pub fn lifetime_text() -> String {
    format!("{LIFETIME_DAYS} days")
}

/// When an invitation sent at `sent_at` stops working.
pub fn expires_at(sent_at: DateTime<Utc>) -> DateTime<Utc> {
    sent_at + lifetime()
}

/// What an organization's settings say about inviting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvitePolicy {
    /// A home owner's organization of one (SPEC §1): it has no co-workers.
    pub individual: bool,
    /// Whether members, not only admins, may invite.
    pub members_may_invite: bool,
}

/// Whether a person with `role` may invite co-workers into `organization`.
/// Resending, revoking and managing people stay with admins.
pub fn may_invite(role: Role, organization: InvitePolicy) -> bool {
    !organization.individual && (role == Role::Admin || organization.members_may_invite)
}

/// What happened to an invitation, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvitationState {
    Pending,
    Accepted,
    Revoked,
}

impl InvitationState {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Pending => "pending",
            InvitationState::Accepted => "accepted",
            InvitationState::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(InvitationState::Pending),
            "accepted" => Some(InvitationState::Accepted),
            "revoked" => Some(InvitationState::Revoked),
            _ => None,
        }
    }

    /// What the invitation is at `now`, given when its link expires.
    pub fn status_at(self, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> InvitationStatus {
        match self {
            InvitationState::Accepted => InvitationStatus::Accepted,
            InvitationState::Revoked => InvitationStatus::Revoked,
            InvitationState::Pending if now >= expires_at => InvitationStatus::Expired,
            InvitationState::Pending => InvitationStatus::Pending,
        }
    }
}

impl fmt::Display for InvitationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for InvitationState {
    type Error = crate::stored::UnknownValue;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        InvitationState::parse(&s).ok_or(crate::stored::UnknownValue::new("invitation state", s))
    }
}

/// The browser route an invitation link opens.
pub const ACCEPT_ROUTE: &str = "/invite/accept";

/// The path (with query) of the link that accepts the invitation holding `token`.
/// The mail prefixes the server's public URL; the browser links to it as is.
pub fn accept_path(token: &str) -> String {
    format!("{ACCEPT_ROUTE}?token={}", encode_query_value(token))
}

/// Percent-encodes everything but RFC 3986's unreserved characters. Tokens are
/// URL-safe already; this keeps a pasted or hand-made one from breaking the link.
pub(crate) fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).expect("valid instant")
    }

    #[test]
    fn a_link_works_for_seven_days() {
        let sent = at("2026-03-01T10:00:00Z");
        assert_eq!(expires_at(sent), at("2026-03-08T10:00:00Z"));
        assert_eq!(lifetime_text(), "7 days");
    }

    #[test]
    fn a_pending_invitation_expires_at_its_expiry_not_before() {
        let expires = at("2026-03-08T10:00:00Z");
        let pending = InvitationState::Pending;
        assert_eq!(pending.status_at(expires, at("2026-03-08T09:59:59Z")), InvitationStatus::Pending);
        assert_eq!(pending.status_at(expires, expires), InvitationStatus::Expired);
        assert_eq!(pending.status_at(expires, at("2027-01-01T00:00:00Z")), InvitationStatus::Expired);
    }

    #[test]
    fn accepted_and_revoked_stay_so_whatever_the_time() {
        let expires = at("2026-03-08T10:00:00Z");
        for now in [at("2026-03-01T00:00:00Z"), at("2030-01-01T00:00:00Z")] {
            assert_eq!(InvitationState::Accepted.status_at(expires, now), InvitationStatus::Accepted);
            assert_eq!(InvitationState::Revoked.status_at(expires, now), InvitationStatus::Revoked);
        }
    }

    #[test]
    fn stored_names_round_trip() {
        for state in [InvitationState::Pending, InvitationState::Accepted, InvitationState::Revoked] {
            assert_eq!(InvitationState::parse(state.as_str()), Some(state));
            assert_eq!(InvitationState::try_from(state.to_string()).ok(), Some(state));
        }
        assert_eq!(InvitationState::parse("expired"), None, "expiry is derived, never stored");
        assert!(InvitationState::try_from("Pending".to_string()).is_err());
    }

    #[test]
    fn admins_invite_members_only_when_allowed_home_owners_never() {
        let company = |members_may_invite| InvitePolicy { individual: false, members_may_invite };
        let home = |members_may_invite| InvitePolicy { individual: true, members_may_invite };
        assert!(may_invite(Role::Admin, company(false)));
        assert!(may_invite(Role::Admin, company(true)));
        assert!(may_invite(Role::Member, company(true)));
        assert!(!may_invite(Role::Member, company(false)));
        for allowed in [false, true] {
            assert!(!may_invite(Role::Admin, home(allowed)));
            assert!(!may_invite(Role::Member, home(allowed)));
        }
    }

    #[test]
    fn the_link_path_encodes_the_token() {
        assert_eq!(accept_path("abc_DEF-123"), "/invite/accept?token=abc_DEF-123");
        assert_eq!(accept_path("a+b/c=&d e"), "/invite/accept?token=a%2Bb%2Fc%3D%26d%20e");
    }
}
