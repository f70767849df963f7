//! The sections of the signed-in app, shared by the navigation and the home
//! page cards, and the words used for organization kinds and roles.

use tessera_domain::api::{OrgKind, Role};

use crate::components::icon::IconKind;

/// Which organizations a section is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everyone signed in.
    All,
    /// Customers and partners: what they own and buy. The vendor's back office has none of it.
    Customers,
    /// Partner organizations only.
    Partners,
    /// The vendor's back office.
    Vendor,
}

/// One section of the app: where it lives and how it is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    pub path: &'static str,
    pub label: &'static str,
    /// One sentence for the home page card.
    pub summary: &'static str,
    pub icon: IconKind,
    /// Which organizations see it.
    pub audience: Audience,
    /// About working with co-workers, which a home owner's organization of one has none of.
    pub for_teams: bool,
}

pub const HOME: Section = Section {
    path: "/",
    label: "Home",
    summary: "Your organization at a glance.",
    icon: IconKind::Dashboard,
    audience: Audience::All,
    for_teams: false,
};

pub const TEAM: Section = Section {
    path: "/team",
    label: "Team",
    summary: "Invite co-workers and manage who can do what.",
    icon: IconKind::Team,
    audience: Audience::All,
    for_teams: true,
};

pub const LOCKER: Section = Section {
    path: "/locker",
    label: "Digital Locker",
    summary: "Redeem voucher codes and see the credits you can spend.",
    icon: IconKind::Locker,
    audience: Audience::Customers,
    for_teams: false,
};

pub const LICENSES: Section = Section {
    path: "/licenses",
    label: "Licenses",
    summary: "Create licenses from your credits, renew and upgrade them.",
    icon: IconKind::License,
    audience: Audience::Customers,
    for_teams: false,
};

pub const DEVICES: Section = Section {
    path: "/devices",
    label: "Devices",
    summary: "Register devices and assign subscription plans to them.",
    icon: IconKind::Device,
    audience: Audience::Customers,
    for_teams: false,
};

pub const RENEWALS: Section = Section {
    path: "/renewals",
    label: "Renewals",
    summary: "Everything that expires, soonest first, so nothing lapses.",
    icon: IconKind::Renewal,
    audience: Audience::Customers,
    for_teams: false,
};

pub const QUOTES: Section = Section {
    path: "/quotes",
    label: "Quotes",
    summary: "Renewal quotes: partners price the options, customers accept them.",
    icon: IconKind::Quote,
    audience: Audience::Customers,
    for_teams: false,
};

pub const ORDERS: Section = Section {
    path: "/orders",
    label: "Orders",
    summary: "Orders from accepted quotes: fulfil them to issue and mail their vouchers.",
    icon: IconKind::Quote,
    audience: Audience::Vendor,
    for_teams: false,
};

pub const VOUCHERS: Section = Section {
    path: "/vouchers",
    label: "Vouchers",
    summary: "Issue voucher codes for orders and see which ones were redeemed, and by whom.",
    icon: IconKind::Voucher,
    audience: Audience::Vendor,
    for_teams: false,
};

const ALL: [Section; 9] = [HOME, VOUCHERS, ORDERS, TEAM, LOCKER, LICENSES, DEVICES, RENEWALS, QUOTES];

/// Whether an organization of this kind is who `audience` is for (`None`, nobody signed
/// in, counts as a customer).
pub fn is_for(audience: Audience, kind: Option<OrgKind>) -> bool {
    let vendor = kind == Some(OrgKind::Vendor);
    match audience {
        Audience::All => true,
        Audience::Customers => !vendor,
        Audience::Partners => kind == Some(OrgKind::Partner),
        Audience::Vendor => vendor,
    }
}

/// Whether people of an organization of this kind may open the section's page: the
/// vendor's people the back office (and what everyone has), the others everything else.
/// Finer rules (quotes for partners, no team for a home owner) are the pages' own to explain.
pub fn opens(section: &Section, kind: Option<OrgKind>) -> bool {
    match section.audience {
        Audience::All => true,
        Audience::Vendor => kind == Some(OrgKind::Vendor),
        Audience::Customers | Audience::Partners => kind != Some(OrgKind::Vendor),
    }
}

/// The section at `path` (or under it) when it is closed to an organization of this kind.
pub fn closed_to(path: &str, kind: Option<OrgKind>) -> Option<&'static Section> {
    ALL.iter().find(|s| {
        s.path != "/"
            && path.strip_prefix(s.path).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            && !opens(s, kind)
    })
}

/// The sections an organization of this kind sees, in navigation order; `individual` is a
/// home owner's organization of one. A vendor's people see the back office only.
pub fn sections_for(kind: Option<OrgKind>, individual: bool) -> impl Iterator<Item = &'static Section> {
    ALL.iter().filter(move |s| is_for(s.audience, kind) && !(individual && s.for_teams))
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
    fn quotes_for_partners_and_customers_orders_for_the_vendor() {
        assert!(paths(Some(OrgKind::Partner)).contains(&"/quotes"));
        assert!(paths(Some(OrgKind::Customer)).contains(&"/quotes"), "the quotes sent to them");
        assert!(!paths(Some(OrgKind::Vendor)).contains(&"/quotes"));
        assert!(paths(Some(OrgKind::Vendor)).contains(&"/orders"));
        assert!(!paths(Some(OrgKind::Partner)).contains(&"/orders"));
    }

    #[test]
    fn every_kind_sees_the_common_sections_in_order() {
        assert_eq!(
            paths(Some(OrgKind::Customer)),
            ["/", "/team", "/locker", "/licenses", "/devices", "/renewals", "/quotes"]
        );
    }

    #[test]
    fn vendors_see_the_back_office_only() {
        assert_eq!(paths(Some(OrgKind::Vendor)), ["/", "/vouchers", "/orders", "/team"]);
        for kind in [Some(OrgKind::Customer), Some(OrgKind::Partner), None] {
            assert!(!paths(kind).contains(&"/vouchers"));
        }
        assert!(is_for(LOCKER.audience, Some(OrgKind::Partner)));
        assert!(!is_for(LOCKER.audience, Some(OrgKind::Vendor)));
        assert!(!is_for(QUOTES.audience, Some(OrgKind::Vendor)));
    }

    #[test]
    fn pages_open_to_their_side_only() {
        let vendor = Some(OrgKind::Vendor);
        assert!(opens(&VOUCHERS, vendor) && opens(&TEAM, vendor) && opens(&HOME, vendor));
        assert!(!opens(&LOCKER, vendor) && !opens(&QUOTES, vendor) && !opens(&RENEWALS, vendor));
        for kind in [Some(OrgKind::Customer), Some(OrgKind::Partner)] {
            assert!(!opens(&VOUCHERS, kind));
            assert!(opens(&LOCKER, kind) && opens(&QUOTES, kind), "quotes explain themselves to customers");
        }
        assert_eq!(closed_to("/locker", vendor), Some(&LOCKER));
        assert_eq!(closed_to("/locker/accept", vendor), Some(&LOCKER));
        assert_eq!(closed_to("/lockers", vendor), None);
        assert_eq!(closed_to("/vouchers", vendor), None);
        assert_eq!(closed_to("/team", vendor), None);
        assert_eq!(closed_to("/vouchers", Some(OrgKind::Customer)), Some(&VOUCHERS));
        assert_eq!(closed_to("/", Some(OrgKind::Customer)), None);
    }

    #[test]
    fn home_owners_have_no_team_section() {
        let home: Vec<_> = sections_for(Some(OrgKind::Customer), true).map(|s| s.path).collect();
        assert_eq!(home, ["/", "/locker", "/licenses", "/devices", "/renewals", "/quotes"]);
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
