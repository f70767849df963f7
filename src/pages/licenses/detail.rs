//! `/licenses/:id`: one license — its Activation ID to copy, status and days left, the
//! facts, the changes it allows now (each in a dialog that shows the server's preview
//! before Confirm), its add-on modules, its history, and the signed license file.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use tessera_domain::api::{License, LicenseEvent};

use super::change::{add_on_options, available_changes, upgrade_options, ChangeDialog, ChangeKind};
use super::{assets_text, consumption_text, names, status_badge, take_announcement, CatalogLoad};
use crate::api;
use crate::catalog::CatalogNames;
use crate::components::clipboard::copy_to_clipboard;
use crate::components::{EmptyState, ErrorBanner, Icon, IconKind, Loading, Notice, PageHeader};
use crate::format::{days_left_text, iso_date, iso_day, short_date, short_day};
use crate::load::{fetch_into, loaded, Loaded};
use crate::pages::set_page_title;
use crate::sections::LICENSES;
use crate::session::use_session;
use tessera_domain::license::term_words;

/// The sentence under a change's name, saying what it does for this license.
pub fn change_summary(kind: ChangeKind, license: &License, catalog: &CatalogNames) -> String {
    let until = short_day(license.expires_on);
    let list =
        |options: Vec<(String, String)>| options.into_iter().map(|(_, name)| name).collect::<Vec<_>>().join(", ");
    match kind {
        ChangeKind::Increase => {
            let r = license.remaining_months;
            format!("Add assets until {until}, paying for the {r} {} left.", if r == 1 { "month" } else { "months" })
        }
        ChangeKind::Renew => format!("Add a term after {until}. Renewing early loses nothing."),
        ChangeKind::Upgrade => format!("Move to {} until {until}.", list(upgrade_options(license, catalog))),
        ChangeKind::AddOn => match add_on_options(license, catalog).len() {
            1 => format!("Add the optional module until {until}, priced per license."),
            n => format!("Add one of {n} optional modules until {until}, priced per license."),
        },
    }
}

fn fact(label: &'static str, value: AnyView) -> AnyView {
    view! {
        <div class="fact">
            <dt>{label}</dt>
            <dd>{value}</dd>
        </div>
    }
    .into_any()
}

fn day_view(day: chrono::NaiveDate) -> AnyView {
    view! { <time datetime=iso_day(day)>{short_day(day)}</time> }.into_any()
}

fn event_row(event: &LicenseEvent, catalog: Option<&CatalogNames>) -> AnyView {
    let consumed = if event.consumed.is_empty() {
        view! { <span class="cell-muted">"—"</span> }.into_any()
    } else {
        let items = event
            .consumed
            .iter()
            .map(|c| view! { <span class="cell-line">{consumption_text(c, catalog)}</span> }.into_any())
            .collect::<Vec<_>>();
        items.into_any()
    };
    view! {
        <tr>
            <td class="cell-date" data-label="Date">
                <time datetime=iso_date(event.at)>{short_date(event.at)}</time>
            </td>
            <td class="cell-primary" data-label="What">
                <span>{event.kind.label()}</span>
                <span class="cell-sub">{event.summary.clone()}</span>
            </td>
            <td class="cell-code cell-consumed" data-label="Consumed">{consumed}</td>
            <td data-label="By">{event.actor.clone()}</td>
        </tr>
    }
    .into_any()
}

fn history_view(license: &License, catalog: Option<&CatalogNames>) -> AnyView {
    // Newest first, as the consumption history reads.
    let rows = license.events.iter().rev().map(|e| event_row(e, catalog)).collect::<Vec<_>>();
    let body = if rows.is_empty() {
        view! {
            <div class="table-card table-card-empty">
                <p class="table-empty">"No history yet."</p>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="table-card">
                <table class="data-table history-table">
                    <caption class="visually-hidden">"History of this license, newest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Date"</th>
                            <th scope="col">"What"</th>
                            <th scope="col">"Consumed"</th>
                            <th scope="col">"By"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="locker-section" aria-labelledby="history-title">
            <div class="locker-section-head">
                <h2 id="history-title" class="locker-section-title">"History"</h2>
                <p class="locker-section-text">"Every change of this license and the credits it took, newest first."</p>
            </div>
            {body}
        </section>
    }
    .into_any()
}

fn add_ons_view(license: &License) -> AnyView {
    let items = license
        .addons
        .iter()
        .map(|a| {
            view! {
                <li class="addon">
                    <span class="addon-name">{a.name.clone()}</span>
                    <span class="addon-meta">
                        <span class="cell-code">{a.sku.clone()}</span>
                        " · added on "
                        {day_view(a.added_on)}
                    </span>
                </li>
            }
            .into_any()
        })
        .collect::<Vec<_>>();
    let list = if items.is_empty() {
        view! { <p class="license-card-empty">"No add-on modules."</p> }.into_any()
    } else {
        view! { <ul class="addon-list">{items}</ul> }.into_any()
    };
    view! {
        <section class="card license-card" aria-labelledby="addons-title">
            <h2 class="license-card-title" id="addons-title">"Add-on modules"</h2>
            {list}
        </section>
    }
    .into_any()
}

fn changes_view(license: &License, catalog: Option<&CatalogNames>, open: RwSignal<Option<ChangeKind>>) -> AnyView {
    let kinds = catalog.map(|c| available_changes(license, c)).unwrap_or_default();
    let items = kinds
        .into_iter()
        .filter_map(|kind| {
            let summary = change_summary(kind, license, catalog?);
            Some(
                view! {
                    <li class="change-item">
                        <div class="change-item-text">
                            <p class="change-item-name">{kind.title()}</p>
                            <p class="change-item-summary">{summary}</p>
                        </div>
                        <button
                            type="button"
                            id=kind.button_id()
                            class="btn btn-secondary btn-sm"
                            on:click=move |_| open.set(Some(kind))
                        >
                            {kind.title()}
                        </button>
                    </li>
                }
                .into_any(),
            )
        })
        .collect::<Vec<_>>();
    let body = if items.is_empty() {
        view! { <p class="license-card-empty">"Nothing can be changed on this license now."</p> }.into_any()
    } else {
        view! { <ul class="change-list">{items}</ul> }.into_any()
    };
    view! {
        <section class="card license-card" aria-labelledby="changes-title">
            <h2 class="license-card-title" id="changes-title">"Change this license"</h2>
            <p class="license-card-text">"Each change shows what it takes from your Digital Locker before you confirm."</p>
            {body}
        </section>
    }
    .into_any()
}

fn license_view(
    license: &License,
    catalog: Option<&CatalogNames>,
    open: RwSignal<Option<ChangeKind>>,
    notice: RwSignal<Option<String>>,
) -> AnyView {
    let (product_name, tier_name) = names(license, catalog);
    set_page_title(&format!("{} · {product_name}", license.activation_id));
    let copied = RwSignal::new(None::<bool>);
    let activation = license.activation_id.clone();
    let file = api::license_file_url(license.id);
    let description = format!("{tier_name} · {} · {}", assets_text(license.quantity), term_words(license.term_months));
    let facts = vec![
        fact("Product", view! { {product_name.clone()} }.into_any()),
        fact("Tier", view! { {tier_name} }.into_any()),
        fact("Quantity", view! { {assets_text(license.quantity)} }.into_any()),
        fact("Starts on", day_view(license.starts_on)),
        fact("Expires on", day_view(license.expires_on)),
        fact("Days left", view! { {days_left_text(license.days_left)} }.into_any()),
        fact("SKU", view! { <span class="cell-code">{license.sku.clone()}</span> }.into_any()),
        fact("Installer email", view! { <span class="cell-email">{license.installer_email.clone()}</span> }.into_any()),
    ];
    view! {
        <PageHeader title=product_name description=description>
            <a class="btn btn-secondary" href=file download="">
                <Icon kind=IconKind::Download />
                <span>"Download license file"</span>
            </a>
        </PageHeader>
        {move || notice.get().map(|message| view! { <Notice message=message /> }.into_any())}
        <section class="card license-hero" aria-labelledby="activation-label">
            <div class="license-hero-id">
                <p class="license-hero-label" id="activation-label">"Activation ID"</p>
                <p class="activation-id" data-testid="activation-id">{license.activation_id.clone()}</p>
                <div class="license-hero-copy">
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm"
                        aria-describedby="activation-label"
                        on:click=move |_| copy_to_clipboard(&activation, copied, || {})
                    >
                        <Icon kind=IconKind::Copy />
                        <span>"Copy"</span>
                    </button>
                    <span class="license-hero-copied" role="status">
                        {move || match copied.get() {
                            Some(true) => "Copied to the clipboard.",
                            Some(false) => "This browser did not let us copy: select the ID and press Ctrl+C (⌘C on a Mac).",
                            None => "",
                        }}
                    </span>
                </div>
            </div>
            <div class="license-hero-status">
                {status_badge(license.status)}
                <p class="license-hero-days">{days_left_text(license.days_left)}</p>
                <p class="license-hero-expires">"Expires on " {day_view(license.expires_on)}</p>
            </div>
        </section>
        <div class="license-columns">
            <section class="card license-card" aria-labelledby="details-title">
                <h2 class="license-card-title" id="details-title">"Details"</h2>
                <dl class="facts license-facts">{facts}</dl>
            </section>
            <div class="license-side">
                {changes_view(license, catalog, open)}
                {add_ons_view(license)}
            </div>
        </div>
        {history_view(license, catalog)}
    }
    .into_any()
}

/// `/licenses/:id`.
#[component]
pub fn LicenseDetail() -> impl IntoView {
    set_page_title("License");
    let session = use_session();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));
    let catalog: CatalogLoad = loaded();
    let license: Loaded<License> = loaded();
    fetch_into(catalog, api::catalog(session));
    // Another license's link from this page keeps the page: its id is what changes.
    Effect::new(move |_| {
        if let Some(id) = id.get() {
            license.set(None);
            fetch_into(license, api::license(session, id));
        }
    });
    let open = RwSignal::new(None::<ChangeKind>);
    // Said once, by the create page that led here.
    let notice = RwSignal::new(take_announcement());

    let main = move || {
        let catalog = catalog.get();
        if id.get().is_none() {
            return not_found();
        }
        license.with(|l| match (l, &catalog) {
            (None, _) | (Some(Ok(_)), None) => view! {
                <PageHeader title="License" />
                <Loading label="Loading the license…" />
            }
            .into_any(),
            (Some(Err(e)), _) if e.status == 404 => not_found(),
            (Some(Err(e)), _) => {
                let message = e.message.clone();
                view! {
                    <PageHeader title="License" />
                    <ErrorBanner title="Could not load this license" message=message>
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm banner-action"
                            on:click=move |_| {
                                if let Some(id) = id.get_untracked() {
                                    license.set(None);
                                    fetch_into(license, api::license(session, id));
                                }
                            }
                        >
                            "Try again"
                        </button>
                    </ErrorBanner>
                }
                .into_any()
            }
            (Some(Ok(l)), Some(c)) => license_view(l, c.as_ref().ok().map(Arc::as_ref), open, notice),
        })
    };
    let dialog = move || {
        let kind = open.get()?;
        let current = license.with(|l| l.as_ref().and_then(|r| r.as_ref().ok()).cloned())?;
        let catalog = catalog.with(|c| c.as_ref().and_then(|r| r.as_ref().ok()).cloned())?;
        let done = Callback::new(move |(after, text): (License, String)| {
            open.set(None);
            license.set(Some(Ok(after)));
            notice.set(Some(text));
        });
        Some(
            view! {
                <ChangeDialog
                    kind=kind
                    license=current
                    catalog=catalog
                    on_close=Callback::new(move |()| open.set(None))
                    on_done=done
                />
            }
            .into_any(),
        )
    };

    view! {
        <p class="back-link"><a href=LICENSES.path>"← Licenses"</a></p>
        {move || main()}
        {move || dialog()}
    }
}

fn not_found() -> AnyView {
    view! {
        <PageHeader title="License not found" />
        <EmptyState
            kind=IconKind::Info
            title="This license could not be found"
            description="It may belong to another organization, or the link may be mistyped. Your organization's licenses are all in the list."
        >
            <a class="btn btn-primary" href=LICENSES.path>"Go to Licenses"</a>
        </EmptyState>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_change_says_what_it_does_here() {
        let catalog = crate::catalog::tests::sample();
        let mut l = super::super::tests::license(1, "X", "POP", "ESS", 10, (2027, 3, 1));
        l.term_months = 12;
        l.remaining_months = 15;
        assert_eq!(
            change_summary(ChangeKind::Increase, &l, &catalog),
            "Add assets until 1 Mar 2027, paying for the 15 months left."
        );
        assert_eq!(
            change_summary(ChangeKind::Renew, &l, &catalog),
            "Add a term after 1 Mar 2027. Renewing early loses nothing."
        );
        assert_eq!(change_summary(ChangeKind::Upgrade, &l, &catalog), "Move to Advanced until 1 Mar 2027.");
        assert_eq!(
            change_summary(ChangeKind::AddOn, &l, &catalog),
            "Add the optional module until 1 Mar 2027, priced per license."
        );
    }
}
