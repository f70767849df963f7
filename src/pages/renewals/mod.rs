//! Renewals (SPEC §8): `/renewals`, everything the organization has that expires —
//! licenses and device plans (a partner's also from the devices shared with it) — with
//! counts per status that filter, a chart of the next 24 months' expiries, a search, a
//! sortable table of only the rows in view, a Renew action per row and the report export.
//!
//! The rows come once (`GET /renewals`, in renewal-eligibility order) and the page filters
//! them itself, on positions: a keystroke never copies or redraws 10,000 rows
//! ([`model`]). Dates and days left are the server's (its today), never the device clock.

mod calls;
mod model;
mod table;

use leptos::prelude::*;
use tessera_domain::api::OrgKind;
use tessera_domain::search::Query;
use tessera_domain::status::Status;

use super::set_page_title;
use crate::components::expiry_chart::{month_at, ExpiryChart};
use crate::components::virtual_list::VirtualList;
use crate::components::{EmptyState, ErrorBanner, Icon, IconKind, Loading, PageHeader};
use crate::load::{fetch_into, loaded, ok, Loaded};
use crate::sections::RENEWALS;
use crate::session::use_session;
use model::{Data, Narrow, Shown, SortBy, StatusSet, CHART_MONTHS};

/// How long the chart waits for typing to pause before it follows the table.
const CHART_DELAY_MS: u64 = 120;
use table::{plain_head, row_cells, sort_head};

pub use calls::{notices, set_notices};

/// The counters on top, in the order people act on them.
const COUNTERS: [Status; 5] = [Status::Expiring, Status::Grace, Status::Expired, Status::Active, Status::Scheduled];

/// The chart's series, bottom first.
const SERIES: [(&str, &str); 3] =
    [("Expiring soon", "chart-expiring"), ("Active", "chart-active"), ("Scheduled", "chart-scheduled")];

fn counter_class(status: Status) -> &'static str {
    match status {
        Status::Expiring => "stat stat-expiring",
        Status::Grace => "stat stat-grace",
        Status::Expired => "stat stat-expired",
        Status::Active => "stat stat-active",
        Status::Scheduled => "stat stat-scheduled",
    }
}

/// The banner of what expires within 30 days; `action` under its sentence.
fn expiring_banner(n: usize, action: AnyView) -> AnyView {
    view! {
        <div class="banner banner-warning renewal-banner" role="status">
            <Icon kind=IconKind::Alert class="icon banner-icon" />
            <div class="banner-body">
                <p class="banner-title">{model::expiring_text(n)}</p>
                <p>"Renew them before they lapse, or export the list for a quote from your partner."</p>
                {action}
            </div>
        </div>
    }
    .into_any()
}

/// The Home page's reminder: what expires within 30 days, with the way to the dashboard.
/// Nothing for the vendor, nothing while nothing expires.
#[component]
pub fn ExpiringBanner() -> impl IntoView {
    let session = use_session();
    let answer: Loaded<usize> = loaded();
    if session.org_kind().is_some_and(|k| k != OrgKind::Vendor) {
        fetch_into(answer, async move { calls::expiring(session).await.map(|r| r.counts.expiring) });
    }
    move || {
        answer.with(|a| ok(a).copied()).filter(|n| *n > 0).map(|n| {
            let link =
                view! { <a class="btn btn-secondary btn-sm banner-action" href=RENEWALS.path>"Review renewals"</a> };
            expiring_banner(n, link.into_any())
        })
    }
}

/// `/renewals`: the dashboard of everything that expires.
#[component]
pub fn Renewals() -> impl IntoView {
    set_page_title(RENEWALS.label);
    let session = use_session();
    let data: Loaded<Data> = loaded();
    let load = move || fetch_into(data, async move { calls::renewals(session).await.map(Data::new) });
    load();

    let text = RwSignal::new(String::new());
    let statuses = RwSignal::new(StatusSet::default());
    let narrow = RwSignal::new(Narrow::default());
    let sort = RwSignal::new(None);
    let parsed = Memo::new(move |_| text.with(|t| Query::parse(t).map_err(|e| e.message())));
    // While the search does not parse, the table keeps the last one that did.
    let query = Memo::new(move |prev: Option<&(Query, String)>| match parsed.get() {
        Ok(q) => (q, text.get_untracked()),
        Err(_) => prev.cloned().unwrap_or((Query::All, String::new())),
    });
    let order = Memo::new(move |_| data.with(|d| ok(d).map(|d| model::order(&d.rows, sort.get())).unwrap_or_default()));
    let shown = Memo::new(move |_| {
        data.with(|d| {
            let Some(d) = ok(d) else { return Shown::default() };
            order.with(|o| query.with(|(q, _)| narrow.with(|n| model::filter(d, o, q, n, statuses.get()))))
        })
    });
    let months = Memo::new(move |_| {
        data.with(|d| ok(d).map(|d| shown.with(|s| model::expiries_per_month(d, &s.positions))).unwrap_or_default())
    });
    // The chart follows the table a moment later: while someone types, a keystroke redraws the
    // count and the rows in view only, and the chart's 72 bars and 24-row table once typing
    // pauses (they are ~250 reactive updates: four times the rest of a keystroke's work).
    let chart = RwSignal::new(Vec::new());
    let waiting = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let counts = months.get();
        if let Some(handle) = waiting.try_get_value().flatten() {
            handle.clear();
        }
        let later =
            set_timeout_with_handle(move || chart.set(counts), std::time::Duration::from_millis(CHART_DELAY_MS));
        waiting.set_value(later.ok());
    });
    let export = move || {
        narrow.with(|n| {
            query.with(|(_, q)| calls::report_url(&model::status_param(statuses.get()), &n.product, &n.site, q))
        })
    };
    let state = Memo::new(move |_| {
        match data.with(|d| d.as_ref().map(|r| r.as_ref().map(|d| d.rows.is_empty()).map_err(|_| ()))) {
            None => 0,
            Some(Ok(true)) => 1,
            Some(Ok(false)) => 2,
            Some(Err(_)) => 3,
        }
    });

    let counters = move || {
        COUNTERS
            .iter()
            .map(|&status| {
                let bit: StatusSet = 1 << model::slot(status);
                let pressed = move || statuses.get() & bit != 0;
                let count = move || shown.with(|s| crate::format::count(s.counts[model::slot(status)]));
                view! {
                    <li>
                        <button
                            type="button"
                            class=counter_class(status)
                            aria-pressed=move || if pressed() { "true" } else { "false" }
                            on:click=move |_| statuses.update(|s| *s ^= bit)
                        >
                            <span class="stat-count">{count}</span>
                            <span class="stat-label">{status.label()}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    let dashboard = move || {
        let partner = session.org_kind() == Some(OrgKind::Partner);
        let facts = data.with_untracked(|d| {
            ok(d).map(|d| {
                let customer = d.several_customers || partner;
                (d.today, d.expiring, customer, d.products.clone(), d.sites.clone(), d.rows.len())
            })
        });
        let Some((today, expiring, customer, products, sites, total)) = facts else {
            return ().into_any();
        };
        let no_sites = sites.is_empty();
        let banner = (expiring > 0).then(|| {
            let bit: StatusSet = 1 << model::slot(Status::Expiring);
            let show = view! {
                <button type="button" class="btn btn-secondary btn-sm banner-action" on:click=move |_| statuses.set(bit)>
                    "Show them"
                </button>
            };
            expiring_banner(expiring, show.into_any())
        });
        let search_error = move || parsed.with(|p| p.as_ref().err().cloned());
        let len = Signal::derive(move || shown.with(|s| s.positions.len()));
        let at = move |p: usize| shown.with_untracked(|s| s.positions.get(p).copied().unwrap_or(0));
        let row = move |p: usize| {
            let i = at(p) as usize;
            data.with_untracked(|d| {
                ok(d)
                    .and_then(|d| d.rows.get(i))
                    .map(|r| row_cells(r, today, customer))
                    .unwrap_or_else(|| ().into_any())
            })
        };
        let head = view! {
            {sort_head("Item", SortBy::Item, sort, "col-item")}
            {sort_head("Product", SortBy::Product, sort, "col-product")}
            {customer.then(|| sort_head("Customer", SortBy::Customer, sort, "col-customer"))}
            {sort_head("Site", SortBy::Site, sort, "col-site")}
            {sort_head("Expires on", SortBy::Expires, sort, "col-expires")}
            {plain_head("Status", "col-status")}
            {sort_head("Hardware", SortBy::Hardware, sort, "col-date")}
            {plain_head("Action", "col-action")}
        }
        .into_any();
        let product_options =
            products.into_iter().map(|(key, name)| view! { <option value=key>{name}</option> }).collect_view();
        let site_options = sites
            .into_iter()
            .map(|s| {
                let value = s.clone();
                view! { <option value=value>{s}</option> }
            })
            .collect_view();
        let none_found = move || len.get() == 0;

        view! {
            {banner}
            <ul class="stats" aria-label="Items by status; each one filters the table">{counters}</ul>
            <section class="card chart-card" aria-labelledby="chart-title">
                <h2 id="chart-title" class="card-title">"Expiries in the next 24 months"</h2>
                <ExpiryChart
                    start=month_at(chrono::Datelike::year(&today), chrono::Datelike::month0(&today), 0)
                    count=CHART_MONTHS
                    months=chart
                    series=SERIES
                    title_id="chart-title"
                />
            </section>
            <div class="list-toolbar renewal-toolbar">
                <div class="list-search field" class:field-invalid=move || search_error().is_some()>
                    <label for="renewal-search" class="visually-hidden">"Search renewals"</label>
                    <input
                        id="renewal-search"
                        class="input"
                        type="search"
                        autocomplete="off"
                        placeholder="Search serial, activation ID, name, site, product…"
                        aria-invalid=move || search_error().map(|_| "true")
                        aria-describedby=move || search_error().map(|_| "renewal-search-error")
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    />
                    {move || search_error().map(|m| view! { <p class="field-error" id="renewal-search-error">{m}</p> })}
                </div>
                <label for="renewal-product" class="visually-hidden">"Product"</label>
                <select
                    id="renewal-product"
                    class="select"
                    on:change=move |ev| narrow.update(|n| n.product = event_target_value(&ev))
                >
                    <option value="">"All products"</option>
                    {product_options}
                </select>
                <label for="renewal-site" class="visually-hidden">"Site"</label>
                <select
                    id="renewal-site"
                    class="select"
                    class:list-hidden=no_sites
                    on:change=move |ev| narrow.update(|n| n.site = event_target_value(&ev))
                >
                    <option value="">"All sites"</option>
                    {site_options}
                </select>
            </div>
            <p class="list-count" role="status">{move || model::count_text(len.get(), total)}</p>
            {move || {
                none_found()
                    .then(|| {
                        view! {
                            <div class="table-card table-card-empty">
                                <p class="table-empty-title">"Nothing matches these filters"</p>
                                <p class="table-empty">"Clear the search or pick another status, product or site."</p>
                            </div>
                        }
                    })
            }}
            <div class:list-hidden=none_found>
                <VirtualList
                    len=len
                    key=move |p| u64::from(at(p))
                    row=row
                    head=head
                    columns=if customer { 8 } else { 7 }
                    label="Renewals table"
                    class=if customer { "data-table renewal-table renewal-table-customers" } else { "data-table renewal-table" }
                    row_height=64.0
                />
            </div>
        }
        .into_any()
    };

    view! {
        <PageHeader title=RENEWALS.label description="Everything that expires, soonest first, so nothing lapses by surprise.">
            {(session.org_kind() == Some(OrgKind::Partner))
                .then(|| {
                    let navigate = leptos_router::hooks::use_navigate();
                    // The rows the filters show: narrow them to a customer first.
                    let build = move |_| {
                        let preset = data.with_untracked(|d| {
                            ok(d).map(|d| {
                                shown.with_untracked(|s| {
                                    crate::pages::quotes::preset_from(
                                        s.positions.iter().filter_map(|&i| d.rows.get(i as usize)),
                                    )
                                })
                            })
                        });
                        crate::pages::quotes::start_quote(preset.unwrap_or_default());
                        navigate(crate::pages::quotes::NEW_PATH, Default::default());
                    };
                    view! {
                        <button type="button" class="btn btn-primary" on:click=build>
                            "Build quote"
                        </button>
                    }
                })}
            <a class="btn btn-secondary" href=export download="">
                <Icon kind=IconKind::Download />
                <span>"Export CSV"</span>
            </a>
        </PageHeader>
        {move || match state.get() {
            0 => view! { <Loading label="Loading your renewals…" /> }.into_any(),
            1 => view! {
                <EmptyState
                    kind=RENEWALS.icon
                    title="Nothing to renew yet"
                    description="Once you have licenses or device plans, this page lists each one with its expiry date and days left, flags what expires within 30 days, and lets you export a renewals report for a quote."
                />
            }
            .into_any(),
            2 => dashboard(),
            _ => view! {
                <ErrorBanner
                    title="Could not load your renewals"
                    message=data.with_untracked(|d| d.as_ref().and_then(|r| r.as_ref().err()).map(|e| e.message.clone()).unwrap_or_default())
                >
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm banner-action"
                        on:click=move |_| {
                            data.set(None);
                            load();
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
