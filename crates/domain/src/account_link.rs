//! Links mailed to the owner of an address to prove they receive its mail: the
//! password reset (`/reset-password?token=…`, one hour) and the address
//! verification (`/verify-email?token=…`, seven days). Decided once for the
//! server, the browser and the mails: how long each lives, what one is at a
//! given moment, and where it leads.
//!
//! Only what happened is stored (created, used, replaced by a newer link);
//! "expired" is judged at the moment the caller passes in, so that the dev clock
//! and tests move it like everything else.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    PasswordReset,
    EmailVerification,
}

impl Purpose {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailVerification => "email_verification",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "password_reset" => Some(Purpose::PasswordReset),
            "email_verification" => Some(Purpose::EmailVerification),
            _ => None,
        }
    }

    /// How long a link works after it was sent. A reset link opens the account, so it
    /// lives as briefly as a mail reasonably takes to arrive and be read (ASVS 2.5);
    /// a verification link only confirms the address, so it waits a week like an invitation.
    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::PasswordReset => Duration::hours(1),
            Purpose::EmailVerification => Duration::days(7),
        }
    }

    /// [`Purpose::lifetime`] in words, for the mails and pages.
    pub fn lifetime_text(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "one hour",
            Purpose::EmailVerification => "7 days",
        }
    }

    /// The browser route the link opens.
    pub fn route(self) -> &'static str {
        match self {
            Purpose::PasswordReset => RESET_ROUTE,
            Purpose::EmailVerification => VERIFY_ROUTE,
        }
    }

    /// The path (with query) of the link holding `token`; the mail prefixes the
    /// server's public URL.
    pub fn path(self, token: &str) -> String {
        format!("{}?token={}", self.route(), crate::invitation::encode_query_value(token))
    }

    /// How many such mails one address (reset) or one account (verification) may be
    /// sent within [`MAIL_WINDOW_MINUTES`]: enough for a mail lost to a spam filter,
    /// too few to turn Tessera into a way of flooding someone's inbox.
    pub fn mails_per_window(self) -> i64 {
        3
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Purpose {
    type Error = crate::stored::UnknownValue;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Purpose::parse(&s).ok_or(crate::stored::UnknownValue::new("account link purpose", s))
    }
}

/// The window of [`Purpose::mails_per_window`].
pub const MAIL_WINDOW_MINUTES: i64 = 60;

/// The browser route of a password-reset link.
pub const RESET_ROUTE: &str = "/reset-password";
/// The browser route of an address-verification link.
pub const VERIFY_ROUTE: &str = "/verify-email";

/// What a link is at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Usable,
    /// It did its work once already.
    Used,
    /// Past its lifetime, or replaced by a newer link of the same purpose (which kills
    /// the older one: only the link of the newest mail works).
    Expired,
}

/// What a link with this history is at `now`. Used wins over expired: someone who
/// clicks a link twice is told it worked once, not that it ran out.
pub fn state_at(
    used_at: Option<DateTime<Utc>>,
    superseded_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> LinkState {
    if used_at.is_some() {
        LinkState::Used
    } else if superseded_at.is_some() || now >= expires_at {
        LinkState::Expired
    } else {
        LinkState::Usable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).expect("valid instant")
    }

    #[test]
    fn a_reset_link_works_for_one_hour_and_a_verification_link_for_a_week() {
        let sent = at("2026-03-01T10:00:00Z");
        assert_eq!(sent + Purpose::PasswordReset.lifetime(), at("2026-03-01T11:00:00Z"));
        assert_eq!(sent + Purpose::EmailVerification.lifetime(), at("2026-03-08T10:00:00Z"));
    }

    #[test]
    fn a_link_expires_at_its_expiry_not_before() {
        let expires = at("2026-03-01T11:00:00Z");
        let before = at("2026-03-01T10:59:59Z");
        assert_eq!(state_at(None, None, expires, before), LinkState::Usable);
        assert_eq!(state_at(None, None, expires, expires), LinkState::Expired);
    }

    #[test]
    fn a_used_link_says_so_even_after_its_expiry_and_a_replaced_one_is_expired() {
        let expires = at("2026-03-01T11:00:00Z");
        let used = Some(at("2026-03-01T10:10:00Z"));
        assert_eq!(state_at(used, None, expires, at("2026-03-02T00:00:00Z")), LinkState::Used);
        assert_eq!(state_at(None, used, expires, at("2026-03-01T10:20:00Z")), LinkState::Expired);
    }

    #[test]
    fn links_lead_to_their_pages_with_the_token_encoded() {
        assert_eq!(Purpose::PasswordReset.path("abc_D-9"), "/reset-password?token=abc_D-9");
        assert_eq!(Purpose::EmailVerification.path("a b"), "/verify-email?token=a%20b");
    }

    #[test]
    fn stored_names_read_back() {
        for p in [Purpose::PasswordReset, Purpose::EmailVerification] {
            assert_eq!(Purpose::try_from(p.as_str().to_string()).ok(), Some(p));
        }
        assert!(Purpose::try_from("reset".to_string()).is_err());
    }
}
