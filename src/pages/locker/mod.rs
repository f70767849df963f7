//! `/locker`: the Digital Locker (SPEC §3). People redeem voucher codes into it,
//! see their credits per product and SKU (in units, the device-months behind
//! them on hover), every change in the consumption history, and who shares it.
//!
//! The locker, its history and the catalog are loaded at once; a redemption
//! loads the first two again (the catalog cannot change while the server
//! runs, so `api::catalog` keeps it).

mod history;
mod people;
mod redeem;

use std::sync::Arc;

use leptos::prelude::*;
use tessera_domain::api::{LedgerPage, LockerBalance, LockerView};
use tessera_domain::catalog::SkuKind;

use super::set_page_title;
use crate::api;
use crate::catalog::CatalogNames;
use crate::components::{EmptyState, ErrorBanner, Loading, Notice, PageHeader};
use crate::format::{credits_detail, credits_text};
use crate::load::{fetch_into, loaded, Loaded};
use crate::sections::LOCKER;
use crate::session::{use_session, Session};

use history::HistorySection;
pub use people::announce;
use people::PeopleSection;
use redeem::RedeemCard;

type CatalogLoad = Loaded<Arc<CatalogNames>>;
type LockerLoad = Loaded<LockerView>;
type HistoryLoad = Loaded<LedgerPage>;

/// What an empty locker says (issue 11's words).
pub const EMPTY_TITLE: &str = "No credits yet — redeem the voucher code from your order email";

/// One SKU's balance as the table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceRow {
    pub sku: String,
    /// The tier's name, or what a SKU without one sells (an upgrade, an add-on).
    pub tier: String,
    pub term: String,
    /// `12 units`, `11.75 units`; device-months for SKUs sold by the month.
    pub amount: String,
    /// The device-months behind `amount` when it is in units.
    pub exact: Option<String>,
}

/// The balances of one product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductBalances {
    pub name: String,
    pub rows: Vec<BalanceRow>,
}

/// "36 months"; "By the month" for SKUs sold by the month.
pub fn term_text(term_months: Option<u32>) -> String {
    match term_months {
        Some(months) => format!("{months} months"),
        None => "By the month".to_string(),
    }
}

/// The balances grouped by product, in catalog order (any SKU the catalog does not know,
/// or every one when it could not be loaded, in the server's order after them).
pub fn group_balances(balances: &[LockerBalance], catalog: Option<&CatalogNames>) -> Vec<ProductBalances> {
    let mut ordered: Vec<&LockerBalance> = Vec::with_capacity(balances.len());
    for sku in catalog.map(|c| c.skus.as_slice()).unwrap_or_default() {
        ordered.extend(balances.iter().find(|b| b.sku == sku.code));
    }
    for balance in balances {
        if !ordered.iter().any(|o| std::ptr::eq(*o, balance)) {
            ordered.push(balance);
        }
    }
    let mut groups: Vec<(&str, ProductBalances)> = Vec::new();
    for balance in ordered {
        let product = catalog.and_then(|c| c.product(&balance.product));
        let tier_name = |key: &str| product.map_or_else(|| key.to_string(), |p| p.tier_name(key));
        let tier = match (&balance.tier, catalog.and_then(|c| c.sku(&balance.sku))) {
            (Some(tier), _) => tier_name(tier),
            (None, Some(sku)) if sku.kind == SkuKind::Amendment => format!(
                "Upgrade {} → {}",
                tier_name(sku.from_tier.as_deref().unwrap_or_default()),
                tier_name(sku.to_tier.as_deref().unwrap_or_default())
            ),
            (None, Some(sku)) if sku.kind == SkuKind::AddOn => "Add-on module".to_string(),
            (None, _) => "—".to_string(),
        };
        let row = BalanceRow {
            sku: balance.sku.clone(),
            tier,
            term: term_text(balance.term_months),
            amount: credits_text(balance.device_months, balance.term_months),
            exact: credits_detail(balance.device_months, balance.term_months),
        };
        match groups.iter_mut().find(|(key, _)| *key == balance.product) {
            Some((_, group)) => group.rows.push(row),
            None => {
                let name = product.map_or_else(|| balance.product.clone(), |p| p.name.clone());
                groups.push((&balance.product, ProductBalances { name, rows: vec![row] }));
            }
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

/// A failed load, with a way to try again.
fn load_failed(title: &'static str, message: String, retry: Callback<()>) -> AnyView {
    view! {
        <ErrorBanner title=title message=message>
            <button type="button" class="btn btn-secondary btn-sm banner-action" on:click=move |_| retry.run(())>
                "Try again"
            </button>
        </ErrorBanner>
    }
    .into_any()
}

/// An amount of credits, with the exact device-months on hover and for screen readers.
fn amount_view(amount: String, exact: Option<String>) -> impl IntoView {
    let hidden = exact.clone().map(|e| view! { <span class="visually-hidden">" (" {e} ")"</span> }.into_any());
    view! {
        <span title=exact>{amount}</span>
        {hidden}
    }
}

fn product_view(group: ProductBalances) -> AnyView {
    let caption = format!("Credits for {}", group.name);
    let rows = group
        .rows
        .into_iter()
        .map(|row| {
            view! {
                <tr>
                    <td class="cell-primary cell-code" data-label="SKU">{row.sku}</td>
                    <td data-label="Tier">{row.tier}</td>
                    <td data-label="Term">{row.term}</td>
                    <td class="cell-amount" data-label="Balance">{amount_view(row.amount, row.exact)}</td>
                </tr>
            }
            .into_any()
        })
        .collect::<Vec<_>>();
    view! {
        <div class="balance-group">
            <h3 class="balance-product">{group.name}</h3>
            <div class="table-card">
                <table class="data-table balance-table">
                    <caption class="visually-hidden">{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"SKU"</th>
                            <th scope="col">"Tier"</th>
                            <th scope="col">"Term"</th>
                            <th scope="col" class="cell-amount">"Balance"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
    .into_any()
}

/// Loads the locker and its first page of history (again).
fn load_locker(session: Session, locker: LockerLoad, history: HistoryLoad) {
    fetch_into(locker, api::locker(session));
    fetch_into(history, api::ledger(session, None));
}

/// The balances, once the locker and the catalog (for product names) are known.
fn balances_view(session: Session, locker: LockerLoad, catalog: CatalogLoad) -> AnyView {
    let catalog = catalog.get();
    locker.with(|l| match (l, catalog) {
        (None, _) | (Some(Ok(_)), None) => view! { <Loading label="Loading your credits…" /> }.into_any(),
        (Some(Err(e)), _) => {
            let retry = Callback::new(move |()| {
                locker.set(None);
                fetch_into(locker, api::locker(session));
            });
            load_failed("Could not load your Digital Locker", e.message.clone(), retry)
        }
        (Some(Ok(view)), Some(_)) if view.balances.is_empty() => view! {
            <EmptyState
                kind=LOCKER.icon
                title=EMPTY_TITLE
                description="Each voucher code adds its credits here, counted per product and SKU. You then turn them into licenses and device plans, and every change is listed in the consumption history."
            />
        }
        .into_any(),
        (Some(Ok(view)), Some(catalog)) => {
            let groups = group_balances(&view.balances, catalog.ok().as_deref());
            view! {
                <section class="locker-section" aria-labelledby="balances-title">
                    <div class="locker-section-head">
                        <h2 id="balances-title" class="locker-section-title">"Balances"</h2>
                        <p class="locker-section-text">
                            "A unit is one asset or device for the SKU's whole term. Credits are kept in device-months, so a partly used unit shows as a fraction."
                        </p>
                    </div>
                    {groups.into_iter().map(product_view).collect::<Vec<_>>()}
                </section>
            }
            .into_any()
        }
    })
}

#[component]
pub fn Locker() -> impl IntoView {
    set_page_title(LOCKER.label);
    let session = use_session();
    let my_id = session.with_me_untracked(|me| me.user.id);
    let catalog: CatalogLoad = loaded();
    let locker: LockerLoad = loaded();
    let history: HistoryLoad = loaded();
    fetch_into(catalog, api::catalog(session));
    load_locker(session, locker, history);
    let redeemed = Callback::new(move |()| load_locker(session, locker, history));
    // Said once, by the page that led here (accepting an invitation into a locker).
    let announcement = people::take_announcement().map(|message| view! { <Notice message=message /> });
    view! {
        <PageHeader
            title=LOCKER.label
            description="Redeem voucher codes and see the credits you can turn into licenses and device plans."
        />
        {announcement}
        <RedeemCard catalog=catalog on_redeemed=redeemed />
        {move || balances_view(session, locker, catalog)}
        <PeopleSection locker=locker my_id=my_id />
        <HistorySection history=history catalog=catalog />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balance(sku: &str, product: &str, tier: Option<&str>, term: Option<u32>, device_months: u64) -> LockerBalance {
        LockerBalance {
            sku: sku.to_string(),
            product: product.to_string(),
            tier: tier.map(str::to_string),
            term_months: term,
            device_months,
            units: 0.0,
        }
    }

    #[test]
    fn balances_read_in_units_by_product_without_a_catalog() {
        let groups = group_balances(
            &[
                balance("RUM-ADV-36", "RUM", Some("ADV"), Some(36), 423),
                balance("MON-STD-12", "MON", Some("STD"), Some(12), 144),
                balance("POP-ESS-ADV-MO", "POP", None, None, 24),
            ],
            None,
        );
        let names: Vec<_> = groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["RUM", "MON", "POP"], "the server's order");
        assert_eq!(
            groups[0].rows[0],
            BalanceRow {
                sku: "RUM-ADV-36".into(),
                tier: "ADV".into(),
                term: "36 months".into(),
                amount: "11.75 units".into(),
                exact: Some("423 device-months".into()),
            }
        );
        assert_eq!(groups[1].rows[0].amount, "12 units");
        let month = &groups[2].rows[0];
        assert_eq!(
            (month.term.as_str(), month.amount.as_str(), month.exact.as_ref()),
            ("By the month", "24 device-months", None)
        );
    }

    #[test]
    fn the_catalog_names_products_and_tiers_and_orders_them() {
        let catalog = crate::catalog::tests::sample();
        let groups = group_balances(
            &[
                balance("POP-ESS-ADV-MO", "POP", None, None, 24),
                balance("MON-STD-36", "MON", Some("STD"), Some(36), 180),
                balance("XYZ-STD-12", "XYZ", Some("STD"), Some(12), 12),
            ],
            Some(&catalog),
        );
        let names: Vec<_> = groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["Asset Monitoring Platform", "Power Operation Suite", "XYZ"]);
        assert_eq!(groups[0].rows[0].tier, "Standard");
        assert_eq!(groups[0].rows[0].amount, "5 units");
        assert_eq!(groups[1].rows[0].tier, "Upgrade Essential → Advanced");
        assert_eq!(groups[2].rows[0].tier, "STD", "a SKU the catalog does not know keeps its key");
    }

    #[test]
    fn empty_state_says_what_to_do() {
        assert_eq!(EMPTY_TITLE, "No credits yet — redeem the voucher code from your order email");
    }
}
