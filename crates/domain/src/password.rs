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

/// The code and sentence when a new password is the current one: changing a password
/// to itself would end the other sessions and change nothing else.
pub const UNCHANGED_CODE: &str = "password_unchanged";
pub const UNCHANGED_MESSAGE: &str = "Please choose a password different from your current one.";

/// Whether a password change keeps the same password (compared exactly, as the hash would).
pub fn is_unchanged(current: &str, new: &str) -> bool {
    !current.is_empty() && current == new
}

/// Checks `password` for the account with address `email` (as typed; the
/// part before the first `@`, or all of it when there is none, is compared
/// ignoring case — ASCII case, as a valid address is ASCII). Reports the first
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
    let lowered = fold_case(password);
    if COMMON.contains(&lowered.as_str()) {
        return Err(PasswordError::Common);
    }
    let local = email.trim().split('@').next().unwrap_or_default().to_ascii_lowercase();
    if local.chars().count() >= MIN_LOCAL_PART_LEN && lowered.contains(&local) {
        return Err(PasswordError::ContainsEmail);
    }
    Ok(())
}

/// `str::to_lowercase` as far as the rules can tell, without its Unicode
/// case tables (5.7 KB brotli in the wasm). The rules only look for ASCII
/// text in the lowered password (the common list, and the name part of a
/// valid address, which is ASCII: see `email`), and outside ASCII only two
/// characters lower-case to something that starts with ASCII; every other
/// character lower-cases to non-ASCII characters, so keeping it as it is
/// leaves the same ASCII runs (`fold_case_finds_what_to_lowercase_finds`).
fn fold_case(password: &str) -> String {
    let mut lowered = String::with_capacity(password.len());
    for c in password.chars() {
        match c {
            '\u{212A}' => lowered.push('k'),           // KELVIN SIGN
            '\u{130}' => lowered.push_str("i\u{307}"), // LATIN CAPITAL LETTER I WITH DOT ABOVE
            c => lowered.push(c.to_ascii_lowercase()),
        }
    }
    lowered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_must_differ_from_the_current_one_exactly() {
        assert!(is_unchanged("correct-horse-battery", "correct-horse-battery"));
        assert!(!is_unchanged("correct-horse-battery", "Correct-horse-battery"));
        assert!(!is_unchanged("", ""), "no current password typed yet is another problem");
    }

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
    fn only_two_characters_outside_ascii_lower_case_to_ascii() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32).filter(|c| !c.is_ascii()) {
            let lowered: String = c.to_lowercase().collect();
            assert_eq!(lowered.starts_with(|l: char| l.is_ascii()), c == '\u{212A}' || c == '\u{130}', "{c:?}");
            assert!(lowered.chars().skip(1).all(|l| !l.is_ascii()), "{c:?}");
            if c == '\u{212A}' || c == '\u{130}' {
                assert_eq!(fold_case(&c.to_string()), lowered);
            }
        }
    }

    #[test]
    fn the_kelvin_sign_and_dotted_capital_i_count_as_their_letters() {
        assert_eq!(check("MON\u{212A}EY12345", EMAIL), Err(PasswordError::Common));
        assert_eq!(check("zebra-\u{130}\u{130}-42", "Bra-I@example.com"), Err(PasswordError::ContainsEmail));
    }

    proptest::proptest! {
        #[test]
        fn fold_case_finds_what_to_lowercase_finds(
            password in "[a-zA-Z0-9 .\u{212A}\u{130}\u{307}\u{3A3}\u{C9}\u{DF}\u{1E9E}\u{FB00}]{0,16}",
            needle in "[a-z0-9.]{1,6}",
        ) {
            let reference = password.to_lowercase();
            let folded = fold_case(&password);
            proptest::prop_assert_eq!(folded.contains(&needle), reference.contains(&needle));
            for entry in COMMON {
                proptest::prop_assert_eq!(folded == *entry, reference == *entry);
            }
        }

        #[test]
        fn check_answers_as_with_to_lowercase_for_valid_addresses(
            password in "[a-zA-Z0-9.\u{212A}\u{130}\u{3A3}\u{C9}]{8,14}",
            local in "[a-zA-Z0-9.]{1,8}",
        ) {
            let email = format!("{local}@example.com");
            proptest::prop_assert_eq!(check(&password, &email), check_with_to_lowercase(&password, &email));
        }
    }

    /// The rule as it was written before `fold_case`.
    fn check_with_to_lowercase(password: &str, email: &str) -> Result<(), PasswordError> {
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
