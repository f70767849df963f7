//! Licenses (SPEC §4): `/licenses` lists the organization's licenses, `/licenses/new`
//! turns credits into a new one, `/licenses/:id` shows one with its history and the
//! changes it allows (more assets, renewal, a higher tier, an add-on module).
//!
//! Every cost is the server's: each change is previewed (`preview: true`) before the
//! Confirm button appears, so a price is never worked out twice, and every date the
//! pages show or check comes from the server's today.

mod change;
mod create;
mod detail;

use std::cell::RefCell;
use std::sync::Arc;

use leptos::prelude::*;
use tessera_domain::api::{License, LicenseList, LockerView};
use tessera_domain::catalog::{SkuKind, SkuUnit};
use tessera_domain::license::Consumption;
use tessera_domain::proration::units_to_cover;
use tessera_domain::status::Status;

use super::set_page_title;
use crate::api;
use crate::catalog::CatalogNames;
use crate::components::{EmptyState, ErrorBanner, Icon, IconKind, Loading, PageHeader};
use crate::format::{credits_text, days_left_text, iso_day, short_day};
use crate::load::{fetch_into, loaded, ok, status, Loaded, Status as LoadStatus};
use crate::sections::{LICENSES, LOCKER};
use crate::session::use_session;

pub use create::CreateLicense;
pub use detail::LicenseDetail;

type CatalogLoad = Loaded<Arc<CatalogNames>>;

/// Where a new license is made.
pub const NEW_PATH: &str = "/licenses/new";

/// A license's own page.
pub fn license_path(id: i64) -> String {
    format!("/licenses/{id}")
}

thread_local! {
    /// What the create page has to tell the license page it leads to, said once.
    static ANNOUNCEMENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn announce(message: String) {
    ANNOUNCEMENT.set(Some(message));
}

fn take_announcement() -> Option<String> {
    ANNOUNCEMENT.take()
}

/// The badge's classes: amber while expiring, blue in grace, red once expired (SPEC §8).
pub fn status_class(status: Status) -> &'static str {
    match status {
        Status::Scheduled => "badge badge-neutral",
        Status::Active => "badge badge-success",
        Status::Expiring => "badge badge-warning",
        Status::Grace => "badge badge-info",
        Status::Expired => "badge badge-danger",
    }
}

fn status_badge(status: Status) -> AnyView {
    view! { <span class=status_class(status)>{status.label()}</span> }.into_any()
}

/// The SKU's term when it is sold by term (its credits read in units), else `None`.
fn term_of(catalog: Option<&CatalogNames>, sku: &str) -> Option<u32> {
    catalog.and_then(|c| c.sku(sku)).filter(|s| s.unit == SkuUnit::Term).and_then(|s| s.term_months)
}

/// Credits of one SKU for people: `3 units of MON-STD-36`, `330 device-months of
/// POP-ESS-ADV-MO` (and device-months whenever the catalog is unknown).
pub fn consumption_text(c: &Consumption, catalog: Option<&CatalogNames>) -> String {
    format!("{} of {}", credits_text(c.device_months, term_of(catalog, &c.sku)), c.sku)
}

/// What a locker lacks, as the server words it: whole units to buy of a term SKU ("3 more
/// units of MON-STD-36"), device-months of a month SKU; joined with "and".
pub fn missing_text(missing: &[Consumption], catalog: Option<&CatalogNames>) -> String {
    missing
        .iter()
        .map(|m| match term_of(catalog, &m.sku) {
            Some(term) => {
                let units = units_to_cover(m.device_months, term);
                format!("{units} more {} of {}", if units == 1 { "unit" } else { "units" }, m.sku)
            }
            None => {
                let dm = m.device_months;
                format!("{dm} more {} of {}", if dm == 1 { "device-month" } else { "device-months" }, m.sku)
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The product's and tier's names, their keys when the catalog does not know them.
pub fn names(license: &License, catalog: Option<&CatalogNames>) -> (String, String) {
    match catalog.and_then(|c| c.product(&license.product)) {
        Some(p) => (p.name.clone(), p.tier_name(&license.tier)),
        None => (license.product.clone(), license.tier.clone()),
    }
}

/// "1 asset", "12 assets".
pub fn assets_text(n: u32) -> String {
    if n == 1 {
        "1 asset".to_string()
    } else {
        format!("{n} assets")
    }
}

/// A column of the list people can sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Activation,
    Product,
    Tier,
    Quantity,
    Expires,
    Status,
}

/// The list's order: a column and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub by: SortBy,
    pub ascending: bool,
}

/// The server's order, soonest expiry first.
pub const DEFAULT_SORT: Sort = Sort { by: SortBy::Expires, ascending: true };

impl Sort {
    /// After a click on column `by`: the other direction of the same column, or a new
    /// column ascending.
    pub fn toggled(self, by: SortBy) -> Sort {
        if self.by == by {
            Sort { by, ascending: !self.ascending }
        } else {
            Sort { by, ascending: true }
        }
    }
}

/// The product's and tier's names as borrowed text, their keys when the catalog does not
/// know them: the list compares them often and copies nothing.
pub fn name_refs<'a>(license: &'a License, catalog: Option<&'a CatalogNames>) -> (&'a str, &'a str) {
    match catalog.and_then(|c| c.product(&license.product)) {
        Some(p) => {
            let tier = p.tiers.iter().find(|t| t.key == license.tier).map_or(license.tier.as_str(), |t| &t.name);
            (&p.name, tier)
        }
        None => (&license.product, &license.tier),
    }
}

/// Whether a license matches what was typed in the search box: any part of its activation
/// id, product key or name, tier, installer email or status, ignoring ASCII case.
pub fn matches(license: &License, catalog: Option<&CatalogNames>, query: &str) -> bool {
    let query = query.trim().to_ascii_lowercase();
    if query.is_empty() {
        return true;
    }
    let (product_name, tier_name) = name_refs(license, catalog);
    [
        license.activation_id.as_str(),
        license.product.as_str(),
        product_name,
        license.tier.as_str(),
        tier_name,
        license.installer_email.as_str(),
        license.status.label(),
    ]
    .iter()
    .any(|field| field.to_ascii_lowercase().contains(&query))
}

/// The positions of the licenses that match `query`, in `sort` order (ties keep the
/// server's order).
pub fn visible(licenses: &[License], catalog: Option<&CatalogNames>, query: &str, sort: Sort) -> Vec<usize> {
    let mut shown: Vec<usize> = (0..licenses.len()).filter(|&i| matches(&licenses[i], catalog, query)).collect();
    shown.sort_by(|&a, &b| {
        let (a, b) = (&licenses[a], &licenses[b]);
        let order = match sort.by {
            SortBy::Activation => a.activation_id.cmp(&b.activation_id),
            SortBy::Product => name_refs(a, catalog).0.cmp(name_refs(b, catalog).0),
            SortBy::Tier => name_refs(a, catalog).1.cmp(name_refs(b, catalog).1),
            SortBy::Quantity => a.quantity.cmp(&b.quantity),
            SortBy::Expires => a.expires_on.cmp(&b.expires_on),
            SortBy::Status => a.status.cmp(&b.status),
        };
        if sort.ascending {
            order
        } else {
            order.reverse()
        }
    });
    shown
}

/// "3 licenses", "1 of 3 licenses".
pub fn count_text(shown: usize, total: usize) -> String {
    let noun = if total == 1 { "license" } else { "licenses" };
    if shown == total {
        format!("{total} {noun}")
    } else {
        format!("{shown} of {total} {noun}")
    }
}

/// Whether the locker holds credits a license can be made of: a plan of a license product.
pub fn has_license_credits(locker: &LockerView, catalog: &CatalogNames) -> bool {
    locker.balances.iter().any(|b| {
        b.device_months > 0
            && catalog.sku(&b.sku).is_some_and(|s| s.kind == SkuKind::Plan)
            && catalog.license_products().any(|p| p.key == b.product)
    })
}

fn row_view(l: &License, catalog: Option<&CatalogNames>) -> AnyView {
    let (product_name, tier_name) = name_refs(l, catalog);
    let expires = l.expires_on;
    let days_class = match l.status {
        Status::Expiring | Status::Grace | Status::Expired => "cell-sub cell-days-due",
        _ => "cell-sub",
    };
    view! {
        <tr>
            <td class="cell-primary cell-code" data-label="Activation ID">
                <a class="cell-link" href=license_path(l.id)>{l.activation_id.clone()}</a>
            </td>
            <td class="cell-wrap" data-label="Product">{product_name.to_string()}</td>
            <td data-label="Tier">{tier_name.to_string()}</td>
            <td class="cell-amount" data-label="Quantity">{l.quantity}</td>
            <td class="cell-date" data-label="Expires on">
                <time datetime=iso_day(expires)>{short_day(expires)}</time>
                <span class=days_class>{days_left_text(l.days_left)}</span>
            </td>
            <td class="cell-state" data-label="Status">{status_badge(l.status)}</td>
        </tr>
    }
    .into_any()
}

/// A column head that sorts the list; `aria-sort` says how it is sorted now.
fn sort_head(label: &'static str, by: SortBy, sort: RwSignal<Sort>, class: &'static str) -> AnyView {
    let aria = move || sort.with(|s| (s.by == by).then_some(if s.ascending { "ascending" } else { "descending" }));
    let arrow = move || {
        sort.with(|s| match (s.by == by, s.ascending) {
            (false, _) => "↕",
            (true, true) => "↑",
            (true, false) => "↓",
        })
    };
    view! {
        <th scope="col" class=class aria-sort=aria>
            <button type="button" class="sort-button" on:click=move |_| sort.update(|s| *s = s.toggled(by))>
                <span>{label}</span>
                <span class="sort-arrow" aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
    .into_any()
}

/// No license yet: lead to the Locker when there are no credits, else to creating one.
fn empty_view(locker: Loaded<LockerView>, catalog: CatalogLoad) -> AnyView {
    let credits = catalog.with(|c| locker.with(|l| ok(l).zip(ok(c)).map(|(l, c)| has_license_credits(l, c))));
    let waiting = locker.with(Option::is_none);
    match (credits, waiting) {
        (None, true) => view! { <Loading label="Loading your credits…" /> }.into_any(),
        (Some(true), _) => view! {
            <EmptyState
                kind=LICENSES.icon
                title="No licenses yet"
                description="Your Digital Locker holds credits for licenses. Pick a plan and the number of assets, and Tessera emails the Activation ID to your installer."
            >
                <a class="btn btn-primary" href=NEW_PATH>
                    <Icon kind=IconKind::Plus />
                    <span>"Create your first license"</span>
                </a>
            </EmptyState>
        }
        .into_any(),
        _ => view! {
            <EmptyState
                kind=LICENSES.icon
                title="Redeem a voucher first"
                description="A license is made from credits in your Digital Locker. Redeem the voucher code from your order email there, then come back to create the license."
            >
                <a class="btn btn-primary" href=LOCKER.path>"Go to Digital Locker"</a>
            </EmptyState>
        }
        .into_any(),
    }
}

/// `/licenses`: the organization's licenses, searchable and sortable.
#[component]
pub fn Licenses() -> impl IntoView {
    set_page_title(LICENSES.label);
    let session = use_session();
    let catalog: CatalogLoad = loaded();
    let list: Loaded<LicenseList> = loaded();
    let locker: Loaded<LockerView> = loaded();
    fetch_into(catalog, api::catalog(session));
    fetch_into(list, api::licenses(session));
    let query = RwSignal::new(String::new());
    let sort = RwSignal::new(DEFAULT_SORT);

    // Rows are drawn once the catalog is known too, to name products and tiers.
    let state = Memo::new(move |_| {
        let catalog_known = catalog.with(Option::is_some);
        list.with(|l| status(l, catalog_known, |l| l.licenses.is_empty()))
    });
    // The locker only decides what an empty list says.
    Effect::new(move |_| {
        if state.get() == LoadStatus::Empty && locker.with_untracked(Option::is_none) {
            fetch_into(locker, api::locker(session));
        }
    });
    let known = move || catalog.get().and_then(Result::ok);
    let shown = Memo::new(move |_| {
        let catalog = known();
        list.with(|l| {
            let all = ok(l).map(|l| l.licenses.as_slice()).unwrap_or_default();
            query.with(|q| visible(all, catalog.as_deref(), q, sort.get()))
        })
    });
    let total = move || list.with(|l| ok(l).map_or(0, |l| l.licenses.len()));
    let body = move || {
        let catalog = known();
        shown.with(|s| {
            list.with_untracked(|l| {
                let all = ok(l).map(|l| l.licenses.as_slice()).unwrap_or_default();
                s.iter().filter_map(|&i| all.get(i)).map(|l| row_view(l, catalog.as_deref())).collect::<Vec<_>>()
            })
        })
    };
    let none_found = move || shown.with(Vec::is_empty);

    let table = move || {
        view! {
            <div class="list-toolbar">
                <div class="list-search">
                    <label for="license-search" class="visually-hidden">"Search licenses"</label>
                    <input
                        id="license-search"
                        class="input"
                        type="search"
                        autocomplete="off"
                        placeholder="Search by activation ID, product, tier or email"
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                    />
                </div>
            </div>
            <p class="list-count" role="status">
                {move || count_text(shown.with(Vec::len), total())}
            </p>
            {move || {
                none_found()
                    .then(|| {
                        view! {
                            <div class="table-card table-card-empty">
                                <p class="table-empty-title">"No license matches your search"</p>
                                <p class="table-empty">"Try part of an activation ID, a product, a tier or an email address."</p>
                            </div>
                        }
                        .into_any()
                    })
            }}
            <div class="table-card" class:list-hidden=none_found>
                <table class="data-table license-table">
                    <caption class="visually-hidden">"Licenses. Column headings sort the list."</caption>
                    <thead>
                        <tr>
                            {sort_head("Activation ID", SortBy::Activation, sort, "")}
                            {sort_head("Product", SortBy::Product, sort, "")}
                            {sort_head("Tier", SortBy::Tier, sort, "")}
                            {sort_head("Quantity", SortBy::Quantity, sort, "cell-amount")}
                            {sort_head("Expires on", SortBy::Expires, sort, "")}
                            {sort_head("Status", SortBy::Status, sort, "")}
                        </tr>
                    </thead>
                    <tbody>{move || body()}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <PageHeader
            title=LICENSES.label
            description="Licenses created from your credits, with their Activation IDs and expiry dates."
        >
            <a class="btn btn-primary" href=NEW_PATH>
                <Icon kind=IconKind::Plus />
                <span>"Create license"</span>
            </a>
        </PageHeader>
        {move || match state.get() {
            LoadStatus::Loading => view! { <Loading label="Loading your licenses…" /> }.into_any(),
            LoadStatus::Empty => empty_view(locker, catalog),
            LoadStatus::Ready => table(),
            LoadStatus::Failed(message) => view! {
                <ErrorBanner title="Could not load your licenses" message=message>
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm banner-action"
                        on:click=move |_| {
                            list.set(None);
                            fetch_into(list, api::licenses(session));
                        }
                    >
                        "Try again"
                    </button>
                </ErrorBanner>
            }
            .into_any(),
        }}
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::NaiveDate;
    use tessera_domain::api::LockerBalance;

    pub fn license(
        id: i64,
        activation: &str,
        product: &str,
        tier: &str,
        quantity: u32,
        expires: (i32, u32, u32),
    ) -> License {
        License {
            id,
            activation_id: activation.into(),
            product: product.into(),
            tier: tier.into(),
            term_months: 36,
            quantity,
            starts_on: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap_or_default(),
            expires_on: NaiveDate::from_ymd_opt(expires.0, expires.1, expires.2).unwrap_or_default(),
            status: Status::Active,
            days_left: 100,
            remaining_months: 20,
            sku: format!("{product}-{tier}-36"),
            installer_email: "ian@example.com".into(),
            addons: Vec::new(),
            events: Vec::new(),
        }
    }

    fn rows() -> Vec<License> {
        let mut expired = license(3, "CCCC-0000-0000-0003", "MON", "STD", 5, (2026, 3, 1));
        expired.status = Status::Expired;
        expired.installer_email = "zoe@plant.example".into();
        vec![
            expired,
            license(1, "AAAA-0000-0000-0001", "POP", "ESS", 12, (2027, 1, 1)),
            license(2, "BBBB-0000-0000-0002", "MON", "ADV", 40, (2028, 6, 1)),
        ]
    }

    fn ids(rows: &[License], shown: &[usize]) -> Vec<i64> {
        shown.iter().map(|&i| rows[i].id).collect()
    }

    #[test]
    fn search_reads_ids_names_tiers_emails_and_statuses() {
        let rows = rows();
        let catalog = crate::catalog::tests::sample();
        let find = |q: &str| ids(&rows, &visible(&rows, Some(&catalog), q, DEFAULT_SORT));
        assert_eq!(find(""), [3, 1, 2]);
        assert_eq!(find("bbbb"), [2]);
        assert_eq!(find("power operation"), [1]);
        assert_eq!(find("mon"), [3, 2]);
        assert_eq!(find("advanced"), [2]);
        assert_eq!(find("ZOE@"), [3]);
        assert_eq!(find(" expired "), [3]);
        assert!(find("nothing like it").is_empty());
        assert_eq!(ids(&rows, &visible(&rows, None, "power", DEFAULT_SORT)), Vec::<i64>::new(), "keys only");
        assert_eq!(ids(&rows, &visible(&rows, None, "pop", DEFAULT_SORT)), [1]);
    }

    #[test]
    fn columns_sort_both_ways() {
        let rows = rows();
        let catalog = crate::catalog::tests::sample();
        let order = |by, ascending| ids(&rows, &visible(&rows, Some(&catalog), "", Sort { by, ascending }));
        assert_eq!(order(SortBy::Expires, true), [3, 1, 2]);
        assert_eq!(order(SortBy::Expires, false), [2, 1, 3]);
        assert_eq!(order(SortBy::Quantity, false), [2, 1, 3]);
        assert_eq!(order(SortBy::Product, true), [3, 2, 1], "by name: Asset… before Power…");
        assert_eq!(order(SortBy::Activation, false), [3, 2, 1]);
        assert_eq!(order(SortBy::Status, true), [1, 2, 3], "active before expired");
        assert_eq!(order(SortBy::Tier, true), [2, 1, 3]);
    }

    #[test]
    fn a_click_turns_the_column_or_picks_another() {
        let s = DEFAULT_SORT.toggled(SortBy::Expires);
        assert_eq!(s, Sort { by: SortBy::Expires, ascending: false });
        assert_eq!(s.toggled(SortBy::Quantity), Sort { by: SortBy::Quantity, ascending: true });
    }

    #[test]
    fn credits_and_shortfalls_in_the_servers_words() {
        let catalog = crate::catalog::tests::sample();
        let c = |sku: &str, dm| Consumption { sku: sku.into(), device_months: dm };
        assert_eq!(consumption_text(&c("MON-STD-36", 108), Some(&catalog)), "3 units of MON-STD-36");
        assert_eq!(consumption_text(&c("MON-STD-36", 108), None), "108 device-months of MON-STD-36");
        assert_eq!(consumption_text(&c("POP-ESS-ADV-MO", 330), Some(&catalog)), "330 device-months of POP-ESS-ADV-MO");
        assert_eq!(missing_text(&[c("MON-STD-36", 100)], Some(&catalog)), "3 more units of MON-STD-36");
        assert_eq!(
            missing_text(&[c("MON-STD-36", 36), c("POP-ADDON-REMOTE-MO", 1)], Some(&catalog)),
            "1 more unit of MON-STD-36 and 1 more device-month of POP-ADDON-REMOTE-MO"
        );
    }

    #[test]
    fn badges_by_status() {
        assert_eq!(status_class(Status::Expiring), "badge badge-warning");
        assert_eq!(status_class(Status::Grace), "badge badge-info");
        assert_eq!(status_class(Status::Expired), "badge badge-danger");
        assert_eq!(count_text(3, 3), "3 licenses");
        assert_eq!(count_text(1, 3), "1 of 3 licenses");
        assert_eq!(assets_text(1), "1 asset");
    }

    #[test]
    fn only_plan_credits_of_license_products_lead_to_create() {
        let catalog = crate::catalog::tests::sample();
        let balance = |sku: &str, product: &str, dm| LockerBalance {
            sku: sku.into(),
            product: product.into(),
            tier: None,
            term_months: None,
            device_months: dm,
            units: 0.0,
        };
        let locker = |balances| LockerView { balances, members: Vec::new() };
        assert!(has_license_credits(&locker(vec![balance("MON-STD-36", "MON", 36)]), &catalog));
        assert!(!has_license_credits(&locker(vec![balance("MON-STD-36", "MON", 0)]), &catalog));
        assert!(!has_license_credits(&locker(vec![balance("RUM-STD-12", "RUM", 12)]), &catalog), "a device plan");
        assert!(!has_license_credits(&locker(vec![balance("POP-ESS-ADV-MO", "POP", 12)]), &catalog), "an upgrade");
        assert!(!has_license_credits(&locker(Vec::new()), &catalog));
    }
}
