//! The sections of the signed-in app, shared by the navigation and the home
//! page cards, and the words used for organization kinds and roles.

use tessera_domain::api::{OrgKind, Role};

use crate::components::icon::IconKind;

/// One section of the app: where it lives and how it is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    pub path: &'static str,
    pub label: &'static str,
    /// One sentence for the home page card.
    pub summary: &'static str,
    pub icon: IconKind,
    /// Only partner organizations see it.
    pub partner_only: bool,
    /// About working with co-workers, which a home owner's organization of one has none of.
    pub for_teams: bool,
}

pub const HOME: Section = Section {
    path: "/",
    label: "Home",
    summary: "Your organization at a glance.",
    icon: IconKind::Dashboard,
    partner_only: false,
    for_teams: false,
};

pub const TEAM: Section = Section {
    path: "/team",
    label: "Team",
    summary: "Invite co-workers and manage who can do what.",
    icon: IconKind::Team,
    partner_only: false,
    for_teams: true,
};

pub const LOCKER: Section = Section {
    path: "/locker",
    label: "Digital Locker",
    summary: "Redeem voucher codes and see the credits you can spend.",
    icon: IconKind::Locker,
    partner_only: false,
    for_teams: false,
};

pub const LICENSES: Section = Section {
    path: "/licenses",
    label: "Licenses",
    summary: "Create licenses from your credits, renew and upgrade them.",
    icon: IconKind::License,
    partner_only: false,
    for_teams: false,
};

pub const DEVICES: Section = Section {
    path: "/devices",
    label: "Devices",
    summary: "Register devices and assign subscription plans to them.",
    icon: IconKind::Device,
    partner_only: false,
    for_teams: false,
};

pub const RENEWALS: Section = Section {
    path: "/renewals",
    label: "Renewals",
    summary: "Everything that expires, soonest first, so nothing lapses.",
    icon: IconKind::Renewal,
    partner_only: false,
    for_teams: false,
};

pub const QUOTES: Section = Section {
    path: "/quotes",
    label: "Quotes",
    summary: "Build renewal quotes and bills of materials for your customers.",
    icon: IconKind::Quote,
    partner_only: true,
    for_teams: false,
};

const ALL: [Section; 7] = [HOME, TEAM, LOCKER, LICENSES, DEVICES, RENEWALS, QUOTES];

/// The sections an organization of this kind sees, in navigation order; `individual` is a
/// home owner's organization of one.
pub fn sections_for(kind: Option<OrgKind>, individual: bool) -> impl Iterator<Item = &'static Section> {
    let partner = kind == Some(OrgKind::Partner);
    ALL.iter().filter(move |s| (partner || !s.partner_only) && !(individual && s.for_teams))
}

/// How an organization kind is named to people.
pub fn kind_label(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Customer => "Customer",
        OrgKind::Partner => "Partner",
        OrgKind::Vendor => "Vendor",
    }
}

/// How a role is named to people.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::Member => "Member",
    }
}

/// The first word of a name, for a friendly greeting; the whole name when it
/// has no space, "there" when empty.
pub fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("there")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(kind: Option<OrgKind>) -> Vec<&'static str> {
        sections_for(kind, false).map(|s| s.path).collect()
    }

    #[test]
    fn quotes_only_for_partners() {
        assert!(paths(Some(OrgKind::Partner)).contains(&"/quotes"));
        assert!(!paths(Some(OrgKind::Customer)).contains(&"/quotes"));
        assert!(!paths(Some(OrgKind::Vendor)).contains(&"/quotes"));
        assert!(!paths(None).contains(&"/quotes"));
    }

    #[test]
    fn every_kind_sees_the_common_sections_in_order() {
        assert_eq!(paths(Some(OrgKind::Customer)), ["/", "/team", "/locker", "/licenses", "/devices", "/renewals"]);
    }

    #[test]
    fn home_owners_have_no_team_section() {
        let home: Vec<_> = sections_for(Some(OrgKind::Customer), true).map(|s| s.path).collect();
        assert_eq!(home, ["/", "/locker", "/licenses", "/devices", "/renewals"]);
    }

    #[test]
    fn labels() {
        assert_eq!(kind_label(OrgKind::Partner), "Partner");
        assert_eq!(role_label(Role::Admin), "Admin");
        assert_eq!(role_label(Role::Member), "Member");
    }

    #[test]
    fn first_name_of() {
        assert_eq!(first_name("Ada Lovelace"), "Ada");
        assert_eq!(first_name("  Grace "), "Grace");
        assert_eq!(first_name(""), "there");
    }
}
