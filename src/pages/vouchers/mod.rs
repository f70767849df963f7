//! `/vouchers`: the vendor's back office (SPEC §3). Operators issue vouchers
//! for orders and follow them: unredeemed, redeemed (when, by which
//! organization) or expired; the list is searchable and exports as CSV.

mod issue;

use std::sync::Arc;

use leptos::prelude::*;
use tessera_domain::api::VoucherSummary;
use tessera_domain::catalog::SkuUnit;
use tessera_domain::code::Code;
use tessera_domain::proration::device_months_text;
use tessera_domain::voucher::VoucherState;

use super::set_page_title;
use crate::api::{self, VOUCHERS_CSV};
use crate::catalog::CatalogNames;
use crate::components::{ErrorBanner, Icon, IconKind, Loading, PageHeader};
use crate::format::{iso_date, iso_day, short_date, short_day};
use crate::load::{fetch_into, loaded, ok, status, Loaded, Status};
use crate::sections::VOUCHERS;
use crate::session::{use_session, Session};

use issue::IssueCard;

type CatalogLoad = Loaded<Arc<CatalogNames>>;
type VoucherList = Loaded<Vec<VoucherSummary>>;

/// Rows drawn at most; a search narrows the rest down (and the CSV has them all).
pub const SHOWN_MAX: usize = 200;

/// A voucher's quantity in its SKU's unit: `5 units`, `24 device-months`; the bare number
/// when the SKU is unknown.
pub fn quantity_text(quantity: u32, unit: Option<SkuUnit>) -> String {
    match unit {
        Some(SkuUnit::Term) if quantity == 1 => "1 unit".to_string(),
        Some(SkuUnit::Term) => format!("{quantity} units"),
        Some(SkuUnit::Month) => device_months_text(u64::from(quantity)),
        None => quantity.to_string(),
    }
}

/// Whether a voucher matches what was typed in the search box: any part of its code hint,
/// SKU, email, the organization that redeemed it or its state, ignoring ASCII case; a whole
/// code (as a customer would read it out) finds its voucher by the last four symbols.
pub fn matches(voucher: &VoucherSummary, query: &str) -> bool {
    let query = query.trim();
    if query.is_empty() {
        return true;
    }
    if let Ok(code) = Code::parse(query) {
        return voucher.code_hint.ends_with(&code.as_compact()[12..]);
    }
    let query = query.to_ascii_lowercase();
    [
        Some(voucher.code_hint.as_str()),
        Some(voucher.sku.as_str()),
        voucher.email.as_deref(),
        voucher.redeemed_by.as_deref(),
        Some(voucher.state.label()),
    ]
    .into_iter()
    .flatten()
    .any(|field| field.to_ascii_lowercase().contains(&query))
}

/// "12 vouchers", "3 of 12 vouchers".
pub fn count_text(shown: usize, total: usize) -> String {
    let noun = if total == 1 { "voucher" } else { "vouchers" };
    if shown == total {
        format!("{total} {noun}")
    } else {
        format!("{shown} of {total} {noun}")
    }
}

fn state_view(voucher: &VoucherSummary) -> impl IntoView {
    let (class, detail) = match voucher.state {
        VoucherState::Unredeemed => ("badge badge-info", None),
        VoucherState::Expired => ("badge badge-warning", None),
        VoucherState::Redeemed => {
            let on = voucher.redeemed_on.map(|d| format!("on {}", short_day(d)));
            let by = voucher.redeemed_by.as_ref().map(|o| format!("by {o}"));
            let detail = [on, by].into_iter().flatten().collect::<Vec<_>>().join(" ");
            ("badge badge-success", (!detail.is_empty()).then_some(detail))
        }
    };
    view! {
        <span class=class>{voucher.state.label()}</span>
        {detail.map(|d| view! { <span class="cell-sub">{d}</span> }.into_any())}
    }
}

fn voucher_row(voucher: &VoucherSummary, catalog: Option<&CatalogNames>) -> AnyView {
    let unit = catalog.and_then(|c| c.sku(&voucher.sku)).map(|s| s.unit);
    let expires = match voucher.expires_on {
        Some(day) => view! { <time datetime=iso_day(day)>{short_day(day)}</time> }.into_any(),
        None => view! { <span class="cell-muted">"Never"</span> }.into_any(),
    };
    let email = match &voucher.email {
        Some(email) => view! { <span class="cell-email">{email.clone()}</span> }.into_any(),
        None => view! {
            <span class="cell-muted" aria-hidden="true">"—"</span>
            <span class="visually-hidden">"None"</span>
        }
        .into_any(),
    };
    view! {
        <tr>
            <td class="cell-primary cell-code" data-label="Code">{voucher.code_hint.clone()}</td>
            <td class="cell-code" data-label="SKU">{voucher.sku.clone()}</td>
            <td data-label="Quantity">{quantity_text(voucher.quantity, unit)}</td>
            <td data-label="Email">{email}</td>
            <td class="cell-date" data-label="Issued">
                <time datetime=iso_date(voucher.issued_at)>{short_date(voucher.issued_at)}</time>
            </td>
            <td class="cell-date" data-label="Expires">{expires}</td>
            <td class="cell-state" data-label="State">{state_view(voucher)}</td>
        </tr>
    }
    .into_any()
}

fn list_section(session: Session, list: VoucherList, catalog: CatalogLoad) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let state = Memo::new(move |_| {
        let catalog_known = catalog.with(Option::is_some);
        list.with(|l| status(l, catalog_known, Vec::is_empty))
    });
    // Which vouchers match (the positions of at most SHOWN_MAX of them), how many more
    // do, and how many there are.
    let found = Memo::new(move |_| {
        list.with(|l| {
            let all = ok(l).map(Vec::as_slice).unwrap_or_default();
            query.with(|q| {
                let mut matching = all.iter().enumerate().filter(|(_, v)| matches(v, q)).map(|(i, _)| i);
                let shown: Vec<usize> = matching.by_ref().take(SHOWN_MAX).collect();
                let more = matching.count();
                (shown, more, all.len())
            })
        })
    });
    let rows = move || {
        let catalog = catalog.get().and_then(Result::ok);
        found.with(|(shown, _, _)| {
            list.with_untracked(|l| {
                let all = ok(l).map(Vec::as_slice).unwrap_or_default();
                shown.iter().filter_map(|&i| all.get(i)).map(|v| voucher_row(v, catalog.as_deref())).collect::<Vec<_>>()
            })
        })
    };

    let table = move || {
        view! {
            <div class="list-toolbar">
                <div class="list-search">
                    <label for="voucher-search" class="visually-hidden">"Search vouchers"</label>
                    <input
                        id="voucher-search"
                        class="input"
                        type="search"
                        autocomplete="off"
                        placeholder="Search by code, SKU, email or organization"
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                    />
                </div>
                <a class="btn btn-secondary" href=VOUCHERS_CSV download="">
                    <Icon kind=IconKind::Download />
                    <span>"Export CSV"</span>
                </a>
            </div>
            <p class="list-count" role="status">
                {move || {
                    found.with(|(shown, more, total)| {
                        let matching = shown.len() + more;
                        let mut text = count_text(matching, *total);
                        if *more > 0 {
                            text.push_str(&format!(
                                ". Showing the newest {SHOWN_MAX}: search to narrow the list, or export it."
                            ));
                        }
                        text
                    })
                }}
            </p>
            {move || {
                found
                    .with(|(shown, _, _)| shown.is_empty())
                    .then(|| {
                        view! {
                            <div class="table-card table-card-empty">
                                <p class="table-empty-title">"No voucher matches your search"</p>
                                <p class="table-empty">"Try part of a code, a SKU, an email address or an organization."</p>
                            </div>
                        }
                        .into_any()
                    })
            }}
            <div class="table-card" class:list-hidden=move || found.with(|(shown, _, _)| shown.is_empty())>
                <table class="data-table">
                    <caption class="visually-hidden">"Issued vouchers, newest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Code"</th>
                            <th scope="col">"SKU"</th>
                            <th scope="col">"Quantity"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Issued"</th>
                            <th scope="col">"Expires"</th>
                            <th scope="col">"State"</th>
                        </tr>
                    </thead>
                    <tbody>{move || rows()}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="vouchers-section" aria-labelledby="vouchers-title">
            <div class="locker-section-head">
                <h2 id="vouchers-title" class="locker-section-title">"Issued vouchers"</h2>
                <p class="locker-section-text">
                    "Newest first. A code shows only its last four characters: the whole code was shown once, when it was issued."
                </p>
            </div>
            {move || match state.get() {
                Status::Loading => view! { <Loading label="Loading the vouchers…" /> }.into_any(),
                Status::Empty => view! {
                    <div class="table-card table-card-empty">
                        <p class="table-empty-title">"No vouchers yet"</p>
                        <p class="table-empty">
                            "Vouchers issued here or with the command line tool are listed with their state."
                        </p>
                    </div>
                }
                .into_any(),
                Status::Ready => table(),
                Status::Failed(message) => view! {
                    <ErrorBanner title="Could not load the vouchers" message=message>
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm banner-action"
                            on:click=move |_| {
                                list.set(None);
                                fetch_into(list, api::vouchers(session));
                            }
                        >
                            "Try again"
                        </button>
                    </ErrorBanner>
                }
                .into_any(),
            }}
        </section>
    }
}

#[component]
pub fn Vouchers() -> impl IntoView {
    set_page_title(VOUCHERS.label);
    let session = use_session();
    let catalog: CatalogLoad = loaded();
    let list: VoucherList = loaded();
    fetch_into(catalog, api::catalog(session));
    fetch_into(list, api::vouchers(session));
    let issued = Callback::new(move |()| fetch_into(list, api::vouchers(session)));
    view! {
        <PageHeader
            title=VOUCHERS.label
            description="Issue voucher codes for orders, and see which were redeemed, when and by whom."
        />
        <IssueCard catalog=catalog on_issued=issued />
        {list_section(session, list, catalog)}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn voucher(hint: &str, sku: &str, email: Option<&str>, redeemed_by: Option<&str>) -> VoucherSummary {
        VoucherSummary {
            id: 1,
            code_hint: hint.into(),
            sku: sku.into(),
            quantity: 5,
            email: email.map(str::to_string),
            issued_at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).single().unwrap_or_default(),
            expires_on: None,
            state: if redeemed_by.is_some() { VoucherState::Redeemed } else { VoucherState::Unredeemed },
            redeemed_on: redeemed_by.and(NaiveDate::from_ymd_opt(2026, 12, 2)),
            redeemed_by: redeemed_by.map(str::to_string),
        }
    }

    #[test]
    fn search_looks_at_every_column_people_read() {
        let v = voucher("\u{2026}-WH4Q", "MON-STD-36", Some("ian@example.com"), Some("Acme Hospital"));
        for query in ["", "  ", "wh4q", "mon-std", "IAN@", "acme hosp", "redeemed"] {
            assert!(matches(&v, query), "{query}");
        }
        for query in ["RUM", "unredeemed", "zzz"] {
            assert!(!matches(&v, query), "{query}");
        }
        assert!(!matches(&voucher("\u{2026}-AAAA", "MON-STD-36", None, None), "acme"));
    }

    #[test]
    fn a_whole_code_finds_its_voucher() {
        let v = voucher("\u{2026}-WH4Q", "MON-STD-36", None, None);
        assert!(matches(&v, "7qkx m2pa 9rtd wh4q"));
        assert!(!matches(&voucher("\u{2026}-AAAA", "MON-STD-36", None, None), "7QKX-M2PA-9RTD-WH4Q"));
    }

    #[test]
    fn quantities_in_the_skus_unit() {
        assert_eq!(quantity_text(1, Some(SkuUnit::Term)), "1 unit");
        assert_eq!(quantity_text(5, Some(SkuUnit::Term)), "5 units");
        assert_eq!(quantity_text(24, Some(SkuUnit::Month)), "24 device-months");
        assert_eq!(quantity_text(7, None), "7");
    }

    #[test]
    fn counts() {
        assert_eq!(count_text(1, 1), "1 voucher");
        assert_eq!(count_text(12, 12), "12 vouchers");
        assert_eq!(count_text(3, 12), "3 of 12 vouchers");
    }
}
