//! The consumption history: every change of the locker's credits, newest
//! first, a page at a time ("Show older").

use leptos::prelude::*;
use tessera_domain::api::LedgerEntry;

use super::{load_failed, CatalogLoad, HistoryLoad};
use crate::api::{self, ApiError};
use crate::catalog::CatalogNames;
use crate::components::shell::focus_element;
use crate::components::{BusyButton, ErrorBanner, Loading};
use crate::format::{credits_detail, credits_text, iso_date, short_date};
use crate::load::{fetch_into, ok, status, Status};
use crate::session::use_session;

/// A change of credits, signed: `+12 units`, `−0.5 units`, `+24 device-months`.
pub fn change_text(device_months: i64, term_months: Option<u32>) -> String {
    let sign = if device_months < 0 { '\u{2212}' } else { '+' };
    format!("{sign}{}", credits_text(device_months.unsigned_abs(), term_months))
}

/// The reference under an entry's kind, as people can read it: a voucher's hint, not the
/// internal `locker:N` a move on sharing is written with (who moved it is in "By").
pub fn shown_reference(reference: Option<&str>) -> Option<String> {
    reference.filter(|r| !r.starts_with("locker:")).map(str::to_string)
}

fn row(entry: &LedgerEntry, catalog: Option<&CatalogNames>) -> AnyView {
    // Units for a SKU sold by term; device-months for one sold by the month, or when the
    // catalog could not be loaded.
    let term = catalog.and_then(|c| c.sku(&entry.sku)).and_then(|s| s.term_months);
    let exact = credits_detail(entry.device_months.unsigned_abs(), term);
    let hidden = exact.clone().map(|e| view! { <span class="visually-hidden">" (" {e} ")"</span> }.into_any());
    let class = if entry.device_months < 0 { "cell-amount amount-out" } else { "cell-amount amount-in" };
    view! {
        <tr>
            <td class="cell-date" data-label="Date">
                <time datetime=iso_date(entry.at)>{short_date(entry.at)}</time>
            </td>
            <td class="cell-primary" data-label="What">
                <span>{entry.kind.label()}</span>
                {shown_reference(entry.reference.as_deref()).map(|r| view! { <span class="cell-sub">{r}</span> }.into_any())}
            </td>
            <td class="cell-code" data-label="SKU">{entry.sku.clone()}</td>
            <td class=class data-label="Change">
                <span title=exact>{change_text(entry.device_months, term)}</span>
                {hidden}
            </td>
            <td data-label="By">{entry.actor.clone()}</td>
        </tr>
    }
    .into_any()
}

#[component]
pub(super) fn HistorySection(history: HistoryLoad, catalog: CatalogLoad) -> impl IntoView {
    let session = use_session();
    // Rows are drawn once the catalog is known too, to show SKUs in their units.
    let state = Memo::new(move |_| {
        let catalog_known = catalog.with(Option::is_some);
        history.with(|h| status(h, catalog_known, |page| page.entries.is_empty()))
    });
    let next_before = Memo::new(move |_| history.with(|h| ok(h).and_then(|p| p.next_before)));
    let has_more = Memo::new(move |_| next_before.get().is_some());

    let older = Action::new_local(move |before: &i64| {
        let before = *before;
        async move {
            let page = api::ledger(session, Some(before)).await?;
            let last = page.next_before.is_none();
            history.update(|h| {
                if let Some(Ok(loaded)) = h {
                    loaded.entries.extend(page.entries);
                    loaded.next_before = page.next_before;
                }
            });
            if last {
                // The button goes away: keep the keyboard's place in the section.
                request_animation_frame(|| focus_element("history-title"));
            }
            Ok::<(), ApiError>(())
        }
    });
    let loading_older = older.pending();
    let older_error = move || {
        older.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner message=e.message /> }.into_any())
    };
    let rows = move || {
        let catalog = catalog.get().and_then(Result::ok);
        history.with(|h| {
            ok(h).map(|p| p.entries.iter().map(|e| row(e, catalog.as_deref())).collect::<Vec<_>>()).unwrap_or_default()
        })
    };
    let more_button = move || {
        has_more.get().then(|| {
            view! {
                <div class="list-more">
                    <BusyButton
                        class="btn btn-secondary"
                        busy=loading_older
                        on_click=Callback::new(move |()| {
                            if let Some(before) = next_before.get_untracked() {
                                older.dispatch_local(before);
                            }
                        })
                    >
                        "Show older"
                    </BusyButton>
                </div>
            }
            .into_any()
        })
    };
    let retry = Callback::new(move |()| {
        history.set(None);
        fetch_into(history, api::ledger(session, None));
    });

    view! {
        {move || match state.get() {
            // An empty locker says so once, above; a history appears with the first redemption.
            Status::Empty => None,
            Status::Loading => Some(view! { <Loading label="Loading the consumption history…" /> }.into_any()),
            Status::Failed(message) => Some(load_failed("Could not load the consumption history", message, retry)),
            Status::Ready => Some(
                view! {
                    <section class="locker-section" aria-labelledby="history-title">
                        <div class="locker-section-head">
                            <h2 id="history-title" class="locker-section-title" tabindex="-1">"Consumption history"</h2>
                            <p class="locker-section-text">"Every change of your credits, newest first."</p>
                        </div>
                        <div class="table-card">
                            <table class="data-table">
                                <caption class="visually-hidden">"Consumption history, newest first"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Date"</th>
                                        <th scope="col">"What"</th>
                                        <th scope="col">"SKU"</th>
                                        <th scope="col" class="cell-amount">"Change"</th>
                                        <th scope="col">"By"</th>
                                    </tr>
                                </thead>
                                <tbody>{move || rows()}</tbody>
                            </table>
                        </div>
                        {move || older_error()}
                        {move || more_button()}
                    </section>
                }
                .into_any(),
            ),
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_references_stay_out_of_the_history() {
        assert_eq!(shown_reference(Some("voucher …-WH4Q")).as_deref(), Some("voucher …-WH4Q"));
        assert_eq!(shown_reference(Some("locker:2")), None);
        assert_eq!(shown_reference(None), None);
    }

    #[test]
    fn changes_are_signed() {
        assert_eq!(change_text(180, Some(36)), "+5 units");
        assert_eq!(change_text(-18, Some(36)), "\u{2212}0.5 units");
        assert_eq!(change_text(24, None), "+24 device-months");
        assert_eq!(change_text(-1, None), "\u{2212}1 device-month");
    }
}
