//! Reading back the stable names enums are stored under (`Role::as_str`, …).
//! Storage maps a column to a type through these `TryFrom<String>`s, so a value
//! none of our enums knows is an error there, never a silent default.

use std::fmt;

use crate::api::{OrgKind, Role};

/// A stored name that none of the type's values has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    what: &'static str,
    value: String,
}

impl UnknownValue {
    pub fn new(what: &'static str, value: String) -> Self {
        UnknownValue { what, value }
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected {} {:?}", self.what, self.value)
    }
}

impl std::error::Error for UnknownValue {}

impl TryFrom<String> for Role {
    type Error = UnknownValue;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Role::parse(&s).ok_or(UnknownValue::new("role", s))
    }
}

impl TryFrom<String> for OrgKind {
    type Error = UnknownValue;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        OrgKind::parse(&s).ok_or(UnknownValue::new("organization kind", s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_read_back_and_strangers_are_errors() {
        for role in [Role::Admin, Role::Member] {
            assert_eq!(Role::try_from(role.as_str().to_string()), Ok(role));
        }
        for kind in [OrgKind::Customer, OrgKind::Partner, OrgKind::Vendor] {
            assert_eq!(OrgKind::try_from(kind.as_str().to_string()), Ok(kind));
        }
        let e = Role::try_from("owner".to_string()).expect_err("not a role");
        assert_eq!(e.to_string(), "unexpected role \"owner\"");
    }
}
