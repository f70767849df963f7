//! Invariants of the team rules (names, invitations), checked on generated inputs.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use tessera_domain::api::{InvitationStatus, Role};
use tessera_domain::invitation::{accept_path, may_invite, InvitationState, InvitePolicy, ACCEPT_ROUTE};
use tessera_domain::name::{NameError, OrganizationName, PersonName, MAX_PERSON_NAME_CHARS};

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2000-01-01 to about 2100, to the second.
    (946_684_800i64..4_102_444_800).prop_map(|s| DateTime::from_timestamp(s, 0).expect("in range"))
}

fn state() -> impl Strategy<Value = InvitationState> {
    prop::sample::select(vec![InvitationState::Pending, InvitationState::Accepted, InvitationState::Revoked])
}

/// Undoes the link's percent-encoding.
fn decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

proptest! {
    #[test]
    fn a_person_name_is_trimmed_short_and_printable(input in any::<String>()) {
        match PersonName::parse(&input) {
            Ok(name) => {
                let s = name.as_str();
                prop_assert_eq!(s, input.trim());
                prop_assert!(!s.is_empty() && s.chars().count() <= MAX_PERSON_NAME_CHARS);
                prop_assert!(!s.chars().any(char::is_control));
                prop_assert_eq!(PersonName::parse(s), Ok(name.clone()), "parsing a name again keeps it");
            }
            Err(NameError::PersonMissing) => prop_assert!(input.trim().is_empty()),
            Err(NameError::TooLong { max }) => prop_assert!(input.trim().chars().count() > max),
            Err(NameError::ControlCharacters) => prop_assert!(input.trim().chars().any(char::is_control)),
            Err(NameError::OrganizationMissing) => prop_assert!(false, "a person's name is not an organization's"),
        }
    }

    #[test]
    fn every_person_name_makes_an_organization_name(input in "[ a-zA-Zé'.-]{0,110}") {
        if let Ok(person) = PersonName::parse(&input) {
            let org = OrganizationName::from(person.clone());
            prop_assert_eq!(OrganizationName::parse(person.as_str()), Ok(org));
        }
    }

    #[test]
    fn only_a_pending_invitation_expires_and_only_from_its_expiry(
        state in state(),
        expires in instant(),
        before in 1i64..1_000_000,
        after in 0i64..1_000_000,
    ) {
        let earlier = state.status_at(expires, expires - Duration::seconds(before));
        let later = state.status_at(expires, expires + Duration::seconds(after));
        match state {
            InvitationState::Pending => {
                prop_assert_eq!(earlier, InvitationStatus::Pending);
                prop_assert_eq!(later, InvitationStatus::Expired);
            }
            InvitationState::Accepted => prop_assert!(earlier == InvitationStatus::Accepted && later == earlier),
            InvitationState::Revoked => prop_assert!(earlier == InvitationStatus::Revoked && later == earlier),
        }
    }

    #[test]
    fn the_link_carries_any_token_intact(token in any::<String>()) {
        let path = accept_path(&token);
        let query = path.strip_prefix(ACCEPT_ROUTE).and_then(|q| q.strip_prefix("?token="));
        prop_assert!(query.is_some(), "{}", path);
        let query = query.unwrap_or_default();
        prop_assert!(!query.contains(['&', '#', '?', ' ', '+', '=']), "{}", query);
        prop_assert_eq!(decode(query), token.into_bytes());
    }

    #[test]
    fn nobody_invites_into_a_home_owners_organization(members_may_invite in any::<bool>(), admin in any::<bool>()) {
        let role = if admin { Role::Admin } else { Role::Member };
        let home = InvitePolicy { individual: true, members_may_invite };
        prop_assert!(!may_invite(role, home));
        let company = InvitePolicy { individual: false, members_may_invite };
        prop_assert_eq!(may_invite(role, company), admin || members_may_invite);
    }
}
