//! Names of people and of organizations: one rule for the API, the command
//! line and the browser's forms, so a form never accepts what the server then
//! refuses. Parsed, not validated: a [`PersonName`] is trimmed, not empty,
//! not too long and free of control characters (which would break a mail
//! header or a log line).

use std::fmt;

/// Longest name of a person, in characters.
pub const MAX_PERSON_NAME_CHARS: usize = 100;
/// Longest name of an organization, in characters.
pub const MAX_ORGANIZATION_NAME_CHARS: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    /// A person's name is blank.
    PersonMissing,
    /// An organization's name is blank.
    OrganizationMissing,
    TooLong {
        max: usize,
    },
    ControlCharacters,
}

impl NameError {
    /// Stable, machine-readable code for the API error body.
    pub fn code(self) -> &'static str {
        "validation"
    }

    /// What the person is told, under the field.
    pub fn message(self) -> String {
        match self {
            NameError::PersonMissing => "Please enter your name.".to_string(),
            NameError::OrganizationMissing => "Please enter your company's name.".to_string(),
            NameError::TooLong { max } => format!("Please use at most {max} characters."),
            NameError::ControlCharacters => "Please remove control characters.".to_string(),
        }
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for NameError {}

/// The name of a person, e.g. as their co-workers see it on the Team page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<PersonName, NameError> {
        parse(input, MAX_PERSON_NAME_CHARS, NameError::PersonMissing).map(PersonName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The name of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrganizationName(String);

impl OrganizationName {
    pub fn parse(input: &str) -> Result<OrganizationName, NameError> {
        parse(input, MAX_ORGANIZATION_NAME_CHARS, NameError::OrganizationMissing).map(OrganizationName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A home owner's organization is named after them; a person's name always
/// fits an organization's rule.
impl From<PersonName> for OrganizationName {
    fn from(name: PersonName) -> Self {
        OrganizationName(name.0)
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for OrganizationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn parse(input: &str, max: usize, missing: NameError) -> Result<String, NameError> {
    let value = input.trim();
    if value.is_empty() {
        return Err(missing);
    }
    if value.chars().count() > max {
        return Err(NameError::TooLong { max });
    }
    if value.chars().any(char::is_control) {
        return Err(NameError::ControlCharacters);
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed() {
        assert_eq!(PersonName::parse("  Edith Example ").map(PersonName::into_string), Ok("Edith Example".into()));
        assert_eq!(OrganizationName::parse("\tAcme & Co\n").map(|n| n.to_string()), Ok("Acme & Co".into()));
    }

    #[test]
    fn blank_names_say_which_name_is_missing() {
        assert_eq!(PersonName::parse("   "), Err(NameError::PersonMissing));
        assert_eq!(OrganizationName::parse(""), Err(NameError::OrganizationMissing));
        assert_eq!(NameError::PersonMissing.message(), "Please enter your name.");
        assert_eq!(NameError::OrganizationMissing.message(), "Please enter your company's name.");
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(PersonName::parse(&"x".repeat(101)), Err(NameError::TooLong { max: 100 }));
        assert!(OrganizationName::parse(&"x".repeat(120)).is_ok());
        assert_eq!(OrganizationName::parse(&"x".repeat(121)), Err(NameError::TooLong { max: 120 }));
        assert_eq!(NameError::TooLong { max: 100 }.message(), "Please use at most 100 characters.");
    }

    #[test]
    fn control_characters_are_refused_inside_a_name() {
        assert_eq!(PersonName::parse("Ann\nBcc: x@y.example"), Err(NameError::ControlCharacters));
        assert_eq!(PersonName::parse("Ann\u{7}"), Err(NameError::ControlCharacters));
        assert_eq!(NameError::ControlCharacters.message(), "Please remove control characters.");
    }

    #[test]
    fn a_person_name_is_a_valid_organization_name() {
        let person = PersonName::parse(&"p".repeat(MAX_PERSON_NAME_CHARS)).expect("valid");
        let org = OrganizationName::from(person.clone());
        assert_eq!(OrganizationName::parse(org.as_str()), Ok(org));
    }
}
