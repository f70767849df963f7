//! Email addresses (SPEC §7): one validation for the browser and the server,
//! so a form never accepts what the API then refuses, or the reverse.
//!
//! The check is pragmatic, not the full RFC 5322 grammar: it accepts the
//! addresses people actually have (`first.last+tag@mail.example.co.uk`) and
//! refuses what is almost always a typo (no `@`, no dot in the domain, `..`,
//! spaces, a numeric top-level domain). Quoted local parts, IP-literal
//! domains and non-ASCII addresses are refused: no mail system a licensing
//! portal sends to needs them, and they are a favourite of injection tricks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest address that fits in an SMTP path (RFC 5321 §4.5.3.1.3).
pub const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_DOMAIN_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// A syntactically valid address, trimmed and lower-cased.
///
/// The whole address is lower-cased, the local part included. RFC 5321 lets
/// a server treat `Ann@x.com` and `ann@x.com` as different mailboxes, but no
/// mainstream provider does, and people expect to sign in and be invited
/// whatever case they type: a second account differing only by case would
/// be a support ticket, never a feature.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    Invalid,
}

impl EmailError {
    /// Stable, machine-readable code for the API error body.
    pub fn code(self) -> &'static str {
        match self {
            EmailError::Empty => "email_required",
            EmailError::Invalid => "email_invalid",
        }
    }

    /// The exact wording of SPEC §7, shown under the field.
    pub fn message(self) -> &'static str {
        match self {
            EmailError::Empty => "Please enter email address",
            EmailError::Invalid => "You have entered an invalid email address. Please re-enter the email address.",
        }
    }
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for EmailError {}

impl Email {
    /// Trims surrounding whitespace (pasted addresses often carry some), then
    /// validates and lower-cases.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if is_valid(trimmed) {
            Ok(Email(trimmed.to_ascii_lowercase()))
        } else {
            Err(EmailError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@` (e.g. for the password rule that forbids it).
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(local, _)| local)
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn is_valid(address: &str) -> bool {
    // Every accepted character is ASCII, so byte lengths are character counts.
    if !address.is_ascii() || address.len() > MAX_LEN {
        return false;
    }
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !domain.contains('@') && is_valid_local(local) && is_valid_domain(domain)
}

/// Dot-atom of RFC 5322 `atext`.
fn is_valid_local(local: &str) -> bool {
    (1..=MAX_LOCAL_LEN).contains(&local.len())
        && local.split('.').all(|atom| {
            !atom.is_empty() && atom.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c))
        })
}

/// Host name: dot-separated labels of letters, digits and inner hyphens,
/// ending in an alphabetic top-level domain. Requiring a dot refuses
/// `ann@localhost`, which is what a typo (`ann@gmailcom`) looks like.
fn is_valid_domain(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > MAX_DOMAIN_LEN {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels.iter().all(|label| is_valid_label(label))
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
}

fn is_valid_label(label: &str) -> bool {
    (1..=MAX_LABEL_LEN).contains(&label.len())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = EmailError;

    fn from_str(s: &str) -> Result<Email, EmailError> {
        Email::parse(s)
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Email, D::Error> {
        let text = String::deserialize(deserializer)?;
        Email::parse(&text).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_them() {
        for (typed, stored) in [
            ("ann@example.com", "ann@example.com"),
            ("  Ann.Lee@Example.COM ", "ann.lee@example.com"),
            ("first.last+tag@mail.example.co.uk", "first.last+tag@mail.example.co.uk"),
            ("o'brien@example.ie", "o'brien@example.ie"),
            ("x@a-b.io", "x@a-b.io"),
            ("user_1@sub1.example123.org", "user_1@sub1.example123.org"),
        ] {
            let email = Email::parse(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!(email.as_str(), stored);
        }
    }

    #[test]
    fn empty_or_blank_is_empty() {
        for typed in ["", "   ", "\t\n"] {
            assert_eq!(Email::parse(typed), Err(EmailError::Empty), "{typed:?}");
        }
    }

    #[test]
    fn refuses_typos_and_oddities() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_label = format!("ann@{}.com", "a".repeat(64));
        // 260 characters, though every part is within its own limit.
        let long_total = format!("{}@{}.{}.{}.com", "a".repeat(64), "b".repeat(63), "c".repeat(63), "d".repeat(63));
        for typed in [
            "ann",
            "ann@",
            "@example.com",
            "ann@@example.com",
            "ann@bob@example.com",
            "ann@localhost",
            "ann@gmailcom",
            "ann@example.c",
            "ann@example.c0m",
            "ann@example.com.",
            "ann@.example.com",
            "ann@exa mple.com",
            "ann lee@example.com",
            ".ann@example.com",
            "ann.@example.com",
            "an..n@example.com",
            "ann@-example.com",
            "ann@example-.com",
            "ann@exa_mple.com",
            "ann@[192.168.0.1]",
            "\"ann\"@example.com",
            "ann(comment)@example.com",
            "anné@example.com",
            "ann@exämple.com",
            long_local.as_str(),
            long_label.as_str(),
            long_total.as_str(),
        ] {
            assert_eq!(Email::parse(typed), Err(EmailError::Invalid), "{typed}");
        }
    }

    #[test]
    fn length_limits_are_inclusive() {
        let local = "a".repeat(64);
        let at_limit = format!("{local}@{}.com", "b".repeat(63));
        assert!(Email::parse(&at_limit).is_ok(), "{at_limit}");
        // 64 + 1 + 63 + 1 + 62 + 1 + 62 = 254.
        let total = format!("{local}@{}.{}.{}", "b".repeat(63), "c".repeat(62), "d".repeat(62));
        assert_eq!(total.len(), 254);
        assert!(Email::parse(&total).is_ok());
        let over = format!("{local}@{}.{}.{}x", "b".repeat(63), "c".repeat(62), "d".repeat(62));
        assert_eq!(Email::parse(&over), Err(EmailError::Invalid));
    }

    #[test]
    fn messages_and_codes_are_exact() {
        assert_eq!(EmailError::Empty.message(), "Please enter email address");
        assert_eq!(
            EmailError::Invalid.message(),
            "You have entered an invalid email address. Please re-enter the email address."
        );
        assert_eq!(EmailError::Empty.code(), "email_required");
        assert_eq!(EmailError::Invalid.code(), "email_invalid");
    }

    #[test]
    fn parts_display_and_serde() {
        let email = Email::parse("Ann.Lee@Example.com").expect("valid");
        assert_eq!(email.local_part(), "ann.lee");
        assert_eq!(email.domain(), "example.com");
        assert_eq!(email.to_string(), "ann.lee@example.com");
        assert_eq!(serde_json::to_string(&email).expect("serialize"), "\"ann.lee@example.com\"");
        let back: Email = serde_json::from_str("\" ANN.LEE@example.com\"").expect("deserialize");
        assert_eq!(back, email);
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
