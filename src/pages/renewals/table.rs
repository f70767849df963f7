//! The renewals table's cells: one row view for licenses and devices, and sortable heads.

use leptos::prelude::*;
use tessera_domain::api::RenewalRow;
use tessera_domain::status::Status;

use super::model::{item_id, tier_name, Sort, SortBy};
use crate::format::{days_left_text, iso_day, short_day};
use crate::pages::licenses::{license_path, status_class};

/// Where a device's renewal starts: assigning a plan to it.
pub const DEVICE_RENEW_PATH: &str = "/devices/activate";

/// Where a license that cannot be renewed is replaced.
const NEW_LICENSE_PATH: &str = "/licenses/new";

/// What a row's Renew action leads to: the license's page (its Renew dialog), the device
/// assign flow, or a new license when the product is not renewed after expiry.
pub fn renew_target(r: &RenewalRow) -> &'static str {
    match (r.kind.as_str(), r.renewable) {
        ("device", _) => DEVICE_RENEW_PATH,
        (_, true) => "",
        (_, false) => NEW_LICENSE_PATH,
    }
}

/// A line of the hardware cell: "Battery 3 Dec 2026", red once the day has come.
fn hardware_line(label: &'static str, day: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> Option<AnyView> {
    day.map(|d| {
        view! {
            <span class="cell-line" class:cell-date-due=d <= today>
                <span class="cell-hw-label">{label}</span>
                <time datetime=iso_day(d)>{short_day(d)}</time>
            </span>
        }
        .into_any()
    })
}

/// The cells of one row; `customer` adds the customer's column.
pub fn row_cells(r: &RenewalRow, today: chrono::NaiveDate, customer: bool) -> AnyView {
    let id = item_id(r).to_string();
    let is_license = r.kind == "license";
    let sub = if is_license {
        if r.quantity == 1 {
            "License · 1 asset".to_string()
        } else {
            format!("License · {} assets", r.quantity)
        }
    } else {
        r.device_name.clone().unwrap_or_default()
    };
    let due = matches!(r.status, Status::Expiring | Status::Grace | Status::Expired);
    let days_class = if due { "cell-sub cell-days-due" } else { "cell-sub" };
    let renew = renew_target(r);
    let href = if renew.is_empty() { license_path(r.id) } else { renew.to_string() };
    let (action, title) = if r.renewable { ("Renew", None) } else { ("Buy new", r.not_renewable_because.clone()) };
    let item = if is_license {
        view! { <a class="cell-link" href=license_path(r.id)>{id.clone()}</a> }.into_any()
    } else {
        view! { <span>{id.clone()}</span> }.into_any()
    };
    view! {
        <td class="cell-primary cell-item" data-label="Item">
            <span class="cell-code cell-line">{item}</span>
            <span class="cell-sub">{sub}</span>
        </td>
        <td class="cell-product" data-label="Product">
            <span class="cell-line">{r.product_name.clone()}</span>
            <span class="cell-sub">{tier_name(&r.tier).to_string()}</span>
        </td>
        {customer.then(|| view! { <td class="cell-customer" data-label="Customer">{r.customer.clone()}</td> })}
        <td class="cell-site" data-label="Site">{r.site.clone().unwrap_or_else(|| "—".into())}</td>
        <td class="cell-date" data-label="Expires on">
            <time class="cell-line" datetime=iso_day(r.expires_on)>{short_day(r.expires_on)}</time>
            <span class=days_class>{days_left_text(r.days_left)}</span>
        </td>
        <td class="cell-state" data-label="Status">
            <span class=status_class(r.status)>{r.status.label()}</span>
        </td>
        <td class="cell-date cell-hardware" data-label="Hardware">
            {hardware_line("Battery", r.battery_replace_by, today)}
            {hardware_line("Warranty", r.warranty_expires_on, today)}
            {(r.battery_replace_by.is_none() && r.warranty_expires_on.is_none()).then(|| view! { <span class="cell-muted">"—"</span> })}
        </td>
        <td class="cell-actions" data-label="Action">
            <a class="btn btn-secondary btn-sm" href=href title=title>
                {action}
                <span class="visually-hidden">{format!(" {id}")}</span>
            </a>
        </td>
    }
    .into_any()
}

/// A column head that sorts the table; `aria-sort` says how it is sorted now.
pub fn sort_head(label: &'static str, by: SortBy, sort: RwSignal<Sort>, class: &'static str) -> AnyView {
    let now = move || sort.with(|s| s.filter(|(b, _)| *b == by).map(|(_, up)| up));
    let aria = move || now().map(|up| if up { "ascending" } else { "descending" });
    let arrow = move || match now() {
        None => "↕",
        Some(true) => "↑",
        Some(false) => "↓",
    };
    view! {
        <th scope="col" class=class aria-sort=aria>
            <button type="button" class="sort-button" on:click=move |_| sort.update(|s| *s = super::model::toggled(*s, by))>
                <span>{label}</span>
                <span class="sort-arrow" aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
    .into_any()
}

/// A column head that does not sort.
pub fn plain_head(label: &'static str, class: &'static str) -> AnyView {
    view! { <th scope="col" class=class>{label}</th> }.into_any()
}
