//! Password rules, checked in the browser as the person types and again on
//! the server, with the same wording.
//!
//! The rules follow current guidance (NIST SP 800-63B): length matters, and
//! the passwords attackers try first are refused; composition rules
//! ("one digit, one symbol") are not imposed, because they push people to
//! `Password1!` rather than to strength.

use std::fmt;

/// Counted in characters, not bytes, so that non-English passwords are not
/// held to a different rule.
pub const MIN_LEN: usize = 10;
/// Bounds the cost of hashing (Argon2id on the server) for a request body
/// anyone can send; no passphrase a person types comes near it.
pub const MAX_LEN: usize = 128;
/// The email's name part is only refused when at least this long: a short
/// one ("al") would refuse many unrelated passwords.
const MIN_LOCAL_PART_LEN: usize = 4;

/// Passwords of at least [`MIN_LEN`] characters found at the top of leaked
/// password lists. Shorter ones are already refused by length.
const COMMON: &[&str] = &[
    "password123",
    "password1234",
    "password12",
    "passw0rd123",
    "passwordpassword",
    "qwertyuiop",
    "qwertyuiop123",
    "qwerty12345",
    "qwerty123456",
    "1234567890",
    "12345678910",
    "0987654321",
    "0123456789",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "123456789a",
    "a123456789",
    "abc1234567",
    "abcdefghij",
    "asdfghjkl1",
    "zxcvbnm123",
    "iloveyou123",
    "letmein123",
    "welcome123",
    "changeme123",
    "administrator",
    "football123",
    "baseball123",
    "sunshine123",
    "princess123",
    "trustno1234",
    "monkey12345",
    "dragon12345",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
    /// One character repeated, e.g. `aaaaaaaaaa`.
    Repeated,
    /// Contains the name part of the person's own email address.
    ContainsEmail,
    /// On the built-in list of very common passwords.
    Common,
}

impl PasswordError {
    /// The same stable code for every rule: the API names the field and the
    /// message says which rule, and clients need not branch on it.
    pub fn code(self) -> &'static str {
        "weak_password"
    }

    /// The rule broken, in plain words.
    pub fn message(self) -> &'static str {
        match self {
            PasswordError::TooShort => "Password must be at least 10 characters long.",
            PasswordError::TooLong => "Password must be at most 128 characters long.",
            PasswordError::Repeated => "Password must not be a single character repeated.",
            PasswordError::ContainsEmail => "Password must not contain the part of your email address before the @.",
            PasswordError::Common => "This password is too common and easy to guess. Please choose another one.",
        }
    }
}

impl fmt::Display for PasswordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for PasswordError {}

/// Checks `password` for the account with address `email` (as typed; the
/// part before the first `@`, or all of it when there is none, is compared
/// case-insensitively). Reports the first
/// rule broken, in the order: length, repetition, common list, email.
pub fn check(password: &str, email: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if len > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return Err(PasswordError::Repeated);
        }
    }
    let lowered = password.to_lowercase();
    if COMMON.contains(&lowered.as_str()) {
        return Err(PasswordError::Common);
    }
    let local = email.trim().split('@').next().unwrap_or_default().to_lowercase();
    if local.chars().count() >= MIN_LOCAL_PART_LEN && lowered.contains(&local) {
        return Err(PasswordError::ContainsEmail);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "Ann.Lee@example.com";

    #[test]
    fn accepts_a_reasonable_password() {
        assert_eq!(check("correct horse battery", EMAIL), Ok(()));
        assert_eq!(check("zebra-lantern-42", EMAIL), Ok(()));
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(check("short", EMAIL), Err(PasswordError::TooShort));
        assert_eq!(check("", EMAIL), Err(PasswordError::TooShort));
        // 9 characters, 18 bytes.
        assert_eq!(check("ééééééééa", EMAIL), Err(PasswordError::TooShort));
        assert_eq!(check("éééééééééa", EMAIL), Ok(()));
        let longest = "ab".repeat(MAX_LEN / 2);
        assert_eq!(check(&longest, EMAIL), Ok(()));
        let too_long = format!("{longest}c");
        assert_eq!(check(&too_long, EMAIL), Err(PasswordError::TooLong));
    }

    #[test]
    fn refuses_one_repeated_character() {
        assert_eq!(check("aaaaaaaaaa", EMAIL), Err(PasswordError::Repeated));
        assert_eq!(check("          ", EMAIL), Err(PasswordError::Repeated));
        assert_eq!(check("aaaaaaaaab", EMAIL), Ok(()));
    }

    #[test]
    fn refuses_common_passwords_whatever_the_case() {
        for password in ["password123", "Password123", "QWERTYUIOP", "1234567890"] {
            assert_eq!(check(password, EMAIL), Err(PasswordError::Common), "{password}");
        }
    }

    #[test]
    fn common_list_entries_are_long_enough_to_matter() {
        for entry in COMMON {
            assert!(entry.chars().count() >= MIN_LEN, "{entry}");
            assert_eq!(*entry, entry.to_lowercase());
        }
    }

    #[test]
    fn refuses_the_email_name_part() {
        assert_eq!(check("my-ANN.LEE-secret", EMAIL), Err(PasswordError::ContainsEmail));
        // Too short a name part is not held against the password.
        assert_eq!(check("al-is-my-friend", "al@example.com"), Ok(()));
        assert_eq!(check("johnsmith-2024", "  JohnSmith@example.com"), Err(PasswordError::ContainsEmail));
        // An empty or malformed email does not break the check.
        assert_eq!(check("zebra-lantern-42", ""), Ok(()));
        assert_eq!(check("zebra-lantern-42", "@"), Ok(()));
    }

    #[test]
    fn messages_name_the_rule_and_code_is_shared() {
        assert_eq!(PasswordError::TooShort.message(), "Password must be at least 10 characters long.");
        assert_eq!(PasswordError::TooLong.message(), "Password must be at most 128 characters long.");
        for error in [
            PasswordError::TooShort,
            PasswordError::TooLong,
            PasswordError::Repeated,
            PasswordError::ContainsEmail,
            PasswordError::Common,
        ] {
            assert_eq!(error.code(), "weak_password");
            assert!(!error.message().is_empty());
        }
    }
}
