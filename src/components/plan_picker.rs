//! The plan picker: a product's terms (1, 3, 5 years) × tiers, one card per plan SKU with
//! its list price, what a device-month of it costs (to compare terms), the promotions
//! valid on the server's today, and how much of it the Digital Locker holds.
//!
//! The cards are radio inputs of one group, so the browser gives the keyboard its usual
//! radio behaviour (Tab into the group, arrow keys move and pick) and forms read the
//! choice like any other field. Licenses use it now; quotes and device plans later.

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::prelude::*;
use tessera_domain::api::LockerBalance;
use tessera_domain::license::term_words;

use super::icon::{Icon, IconKind};
use crate::catalog::CatalogNames;
use crate::format::{credits_text, money, per_month_minor};

/// A plan as the picker chooses it: a tier of the product for a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub tier: String,
    pub term_months: u32,
}

/// One card of the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCell {
    pub tier: String,
    pub tier_name: String,
    /// `None` when the catalog sells no SKU for this tier and term.
    pub sku: Option<String>,
    /// `€259.20`.
    pub price: String,
    /// `€7.20 per device-month`.
    pub per_month: String,
    /// `3 bonus months`, `1 free per 10`.
    pub promotions: Vec<String>,
}

/// One term of the grid, its cards in tier order (lowest rank first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub term_months: u32,
    pub label: String,
    pub cells: Vec<PlanCell>,
}

/// The grid of `product` as the catalog sells it on `today`: its terms, shortest first,
/// by its tiers in rank order.
pub fn plan_rows(catalog: &CatalogNames, product: &str, today: NaiveDate) -> Vec<PlanRow> {
    let Some(product) = catalog.product(product) else {
        return Vec::new();
    };
    let tiers = product.ranked_tiers();
    product
        .sold_terms()
        .into_iter()
        .map(|term| PlanRow {
            term_months: term,
            label: term_words(term),
            cells: tiers
                .iter()
                .map(|tier| {
                    let sku = catalog.plan_sku(&product.key, &tier.key, term);
                    let (price, per_month, promotions) = match sku {
                        Some(s) => {
                            let p = &s.list_price;
                            (
                                money(p.amount_minor, &p.currency),
                                format!(
                                    "{} per device-month",
                                    money(per_month_minor(p.amount_minor, term), &p.currency)
                                ),
                                catalog
                                    .promotions_on(&s.code, today)
                                    .map(|p| p.short_text())
                                    .filter(|t| !t.is_empty())
                                    .collect(),
                            )
                        }
                        None => (String::new(), String::new(), Vec::new()),
                    };
                    PlanCell {
                        tier: tier.key.clone(),
                        tier_name: tier.name.clone(),
                        sku: sku.map(|s| s.code.clone()),
                        price,
                        per_month,
                        promotions,
                    }
                })
                .collect(),
        })
        .collect()
}

/// What the locker holds of `sku`, in units of its term (`3 units`, `0.5 units`); `None`
/// when it holds none.
pub fn held_text(balances: &[LockerBalance], sku: &str, term_months: u32) -> Option<String> {
    balances
        .iter()
        .find(|b| b.sku.eq_ignore_ascii_case(sku))
        .filter(|b| b.device_months > 0)
        .map(|b| credits_text(b.device_months, Some(term_months)))
}

fn card(
    row: &PlanRow,
    cell: PlanCell,
    selected: RwSignal<Option<Plan>>,
    held: Signal<Option<Vec<LockerBalance>>>,
    per: &'static str,
) -> AnyView {
    let term = row.term_months;
    let Some(sku) = cell.sku else {
        return view! {
            <div class="plan-card plan-card-none">
                <span class="plan-card-title">{cell.tier_name}</span>
                <span class="plan-card-month">"Not sold for this term"</span>
            </div>
        }
        .into_any();
    };
    let plan = Plan { tier: cell.tier.clone(), term_months: term };
    let this = plan.clone();
    let checked = Memo::new(move |_| selected.with(|s| s.as_ref() == Some(&this)));
    let title_id = format!("plan-{sku}-title");
    let details_id = format!("plan-{sku}-details");
    let labelled_by = format!("plan-term-{term} {title_id}");
    let code = sku.clone();
    let held_view = move || {
        let text = held.with(|h| h.as_ref().map(|b| held_text(b, &code, term)));
        match text {
            None => None,
            Some(Some(units)) => Some(
                view! {
                    <span class="plan-card-held plan-card-held-some">
                        <Icon kind=IconKind::Locker class="icon plan-card-held-icon" />
                        <span>{units} " in your locker"</span>
                    </span>
                }
                .into_any(),
            ),
            Some(None) => Some(view! { <span class="plan-card-held">"None in your locker"</span> }.into_any()),
        }
    };
    let promotions = cell
        .promotions
        .into_iter()
        .map(|p| view! { <span class="badge badge-success">{p}</span> }.into_any())
        .collect::<Vec<_>>();
    let has_promotions = !promotions.is_empty();
    view! {
        <label class="plan-card" class:plan-card-selected=move || checked.get()>
            <input
                type="radio"
                name="plan"
                value=sku.clone()
                prop:checked=move || checked.get()
                aria-labelledby=labelled_by
                aria-describedby=details_id.clone()
                on:change=move |_| selected.set(Some(plan.clone()))
            />
            <span class="plan-card-title" id=title_id>{cell.tier_name}</span>
            <span class="plan-card-details" id=details_id>
                <span class="plan-card-sku">{sku.clone()}</span>
                <span class="plan-card-price">
                    <strong>{cell.price}</strong>
                    " "
                    <span class="plan-card-per">{per}</span>
                </span>
                <span class="plan-card-month">{cell.per_month}</span>
                {has_promotions.then(|| view! { <span class="plan-card-promotions">{promotions}</span> }.into_any())}
                {move || held_view()}
            </span>
        </label>
    }
    .into_any()
}

/// The picker for one product. The choice is `selected`; an error (e.g. "Please choose a
/// plan") shows under the grid.
#[component]
pub fn PlanPicker(
    catalog: Arc<CatalogNames>,
    /// The product's key.
    #[prop(into)]
    product: String,
    /// The server's today: which promotions are on.
    today: NaiveDate,
    /// The locker's balances; `None` while they load (the cards then say nothing of them).
    #[prop(into)]
    held: Signal<Option<Vec<LockerBalance>>>,
    selected: RwSignal<Option<Plan>>,
    /// What one unit of a plan is for: "per asset", "per device".
    #[prop(default = "per asset")]
    per: &'static str,
    #[prop(optional, into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let rows = plan_rows(&catalog, &product, today);
    let tiers = rows.first().map_or(1, |r| r.cells.len().max(1));
    let grid = rows
        .into_iter()
        .map(|row| {
            let term_id = format!("plan-term-{}", row.term_months);
            let label = row.label.clone();
            let cells =
                row.cells.clone().into_iter().map(|cell| card(&row, cell, selected, held, per)).collect::<Vec<_>>();
            view! {
                <div class="plan-term" id=term_id>{label}</div>
                {cells}
            }
            .into_any()
        })
        .collect::<Vec<_>>();
    view! {
        <fieldset
            class="plan-picker"
            class:field-invalid=move || error.with(Option::is_some)
            aria-describedby="plan-hint"
        >
            <legend class="visually-hidden">"Plan"</legend>
            <p class="field-hint" id="plan-hint">
                "List prices for one unit over the whole term. A longer term costs less per device-month."
            </p>
            <div class="plan-picker-body">
                <div class="plan-grid" style=format!("--plan-tiers: {tiers}")>{grid}</div>
            </div>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id="plan-error" role="alert">
                                <Icon kind=IconKind::Alert class="icon field-error-icon" />
                                <span>{message}</span>
                            </p>
                        }
                        .into_any()
                    })
            }}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn terms_by_tiers_in_rank_order_with_prices_and_promotions() {
        let catalog = crate::catalog::tests::sample();
        let rows = plan_rows(&catalog, "MON", day(2026, 6, 1));
        let terms: Vec<_> = rows.iter().map(|r| (r.term_months, r.label.as_str())).collect();
        assert_eq!(terms, [(12, "1 year"), (36, "3 years")]);
        let tiers: Vec<_> = rows[0].cells.iter().map(|c| c.tier.as_str()).collect();
        assert_eq!(tiers, ["STD", "ADV"], "by rank, not by the catalog's listing");
        let adv36 = &rows[1].cells[1];
        assert_eq!(adv36.sku.as_deref(), Some("MON-ADV-36"));
        assert_eq!(adv36.price, "€259.20");
        assert_eq!(adv36.per_month, "€7.20 per device-month");
        assert_eq!(adv36.promotions, ["3 bonus months", "1 free per 10"]);
        let adv12 = &rows[0].cells[1];
        assert_eq!(adv12.sku, None, "the sample sells no MON-ADV-12");
        assert_eq!(rows[0].cells[0].per_month, "€5.00 per device-month");
    }

    #[test]
    fn promotions_follow_the_given_day() {
        let catalog = crate::catalog::tests::sample();
        let rows = plan_rows(&catalog, "MON", day(2027, 6, 1));
        assert_eq!(rows[1].cells[1].promotions, ["3 bonus months"]);
        assert!(rows[0].cells[0].promotions.is_empty());
        assert!(plan_rows(&catalog, "NOPE", day(2027, 6, 1)).is_empty());
    }

    #[test]
    fn what_the_locker_holds_in_units() {
        let balance = |sku: &str, dm: u64| LockerBalance {
            sku: sku.into(),
            product: "MON".into(),
            tier: Some("STD".into()),
            term_months: Some(36),
            device_months: dm,
            units: 0.0,
        };
        let balances = [balance("MON-STD-36", 108), balance("MON-STD-12", 0)];
        assert_eq!(held_text(&balances, "MON-STD-36", 36).as_deref(), Some("3 units"));
        assert_eq!(held_text(&balances, "mon-std-36", 36).as_deref(), Some("3 units"));
        assert_eq!(held_text(&balances, "MON-STD-12", 12), None, "an emptied balance holds nothing");
        assert_eq!(held_text(&balances, "MON-ADV-36", 36), None);
        assert_eq!(held_text(&[balance("MON-STD-36", 18)], "MON-STD-36", 36).as_deref(), Some("0.5 units"));
    }
}
