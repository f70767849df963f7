//! Quotes (SPEC §9, issue 15). A partner builds a quote for a customer (`/quotes/new`, then
//! the draft's own page, `edit.rs`), sends it; the customer reads it on the same page and
//! accepts (with the installer's address for the vouchers) or declines it (`detail.rs`); the
//! vendor fulfils the order it became (`orders.rs`). `/quotes/:id/print` is the document
//! alone, for paper (`print.rs`). Every price is the server's (`tessera_domain::pricing`):
//! the builder shows the option matrix the server priced, and a draft is priced again on
//! each change, so no screen works a price out by itself.

mod calls;
mod detail;
mod document;
mod edit;
mod orders;
mod print;

use leptos::prelude::*;
use tessera_domain::api::{OrgKind, Quote};

use super::set_page_title;
use crate::components::{EmptyState, ErrorBanner, Icon, IconKind, Loading, PageHeader};
use crate::format::{iso_day, money, short_day};
use crate::load::{fetch_into, loaded, ok, status, Status as LoadStatus};
use crate::sections::QUOTES;
use crate::session::use_session;

pub use detail::QuoteDetail;
pub use edit::{preset_from, start_quote, NewQuote};
pub use orders::Orders;
pub use print::QuotePrint;

/// Where a partner starts a quote.
pub const NEW_PATH: &str = "/quotes/new";

/// A quote's own page.
pub fn quote_path(id: i64) -> String {
    format!("/quotes/{id}")
}

/// A quote's document alone, for paper.
pub fn print_path(id: i64) -> String {
    format!("/quotes/{id}/print")
}

/// The badge of a quote's state: its word and its classes.
pub fn state_badge(state: &str) -> AnyView {
    let (label, class) = match state {
        "draft" => ("Draft", "badge badge-neutral"),
        "sent" => ("Sent", "badge badge-info"),
        "accepted" => ("Accepted", "badge badge-success"),
        "declined" => ("Declined", "badge badge-danger"),
        "expired" => ("Expired", "badge badge-warning"),
        _ => ("Unknown", "badge badge-neutral"),
    };
    view! { <span class=class>{label}</span> }.into_any()
}

fn quote_row(q: &Quote, partner: bool) -> AnyView {
    let who = if partner { q.customer.clone() } else { q.partner.clone() };
    let lines = q.lines.len();
    view! {
        <tr>
            <td class="cell-primary" data-label="Quote">
                <a class="cell-link cell-line" href=quote_path(q.id)>{q.number.clone()}</a>
                <span class="cell-sub">{format!("{lines} {}", if lines == 1 { "line" } else { "lines" })}</span>
            </td>
            <td data-label=if partner { "Customer" } else { "Partner" }>{who}</td>
            <td data-label="State">{state_badge(&q.state)}</td>
            <td class="cell-number" data-label="Total">{money(q.total, &q.currency)}</td>
            <td class="cell-date" data-label="Valid until">
                <time datetime=iso_day(q.valid_until)>{short_day(q.valid_until)}</time>
            </td>
        </tr>
    }
    .into_any()
}

/// `/quotes`: a partner's quotes (newest first) with "New quote"; a customer's quotes
/// received. The vendor's people never reach it (the section is closed to them).
#[component]
pub fn Quotes() -> impl IntoView {
    set_page_title(QUOTES.label);
    let session = use_session();
    let partner = session.org_kind() == Some(OrgKind::Partner);
    let list = loaded();
    fetch_into(list, calls::quotes(session));
    let state = Memo::new(move |_| list.with(|l| status(l, true, Vec::is_empty)));
    let (description, empty_title, empty_text) = if partner {
        (
            "Renewal quotes for your customers: options priced by term and tier, sent for them to accept.",
            "No quotes yet",
            "Build a quote from a customer's renewals or from scratch: compare 1, 3 and 5-year options with promotions applied, send it, and follow it to the order.",
        )
    } else {
        (
            "Quotes your partner sent you. Accept one to order its plans: the vouchers are mailed to the installer you name.",
            "No quotes received",
            "When your partner sends you a quote, it appears here to review, accept or decline. Share your devices with your partner from the Devices page so they can quote their renewals.",
        )
    };
    let table = move || {
        list.with(|l| {
            let rows: Vec<AnyView> =
                ok(l).map(|qs| qs.iter().map(|q| quote_row(q, partner)).collect()).unwrap_or_default();
            view! {
                <div class="table-card">
                    <table class="data-table quote-table">
                        <caption class="visually-hidden">"Quotes, newest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Quote"</th>
                                <th scope="col">{if partner { "Customer" } else { "Partner" }}</th>
                                <th scope="col">"State"</th>
                                <th scope="col" class="cell-number">"Total"</th>
                                <th scope="col">"Valid until"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        })
    };
    view! {
        <PageHeader title=QUOTES.label description=description>
            {partner
                .then(|| {
                    view! {
                        <a class="btn btn-primary" href=NEW_PATH>
                            <Icon kind=IconKind::Plus />
                            <span>"New quote"</span>
                        </a>
                    }
                })}
        </PageHeader>
        {move || match state.get() {
            LoadStatus::Loading => view! { <Loading label="Loading quotes…" /> }.into_any(),
            LoadStatus::Empty => view! { <EmptyState kind=QUOTES.icon title=empty_title description=empty_text /> }.into_any(),
            LoadStatus::Ready => table(),
            LoadStatus::Failed(message) => view! { <ErrorBanner title="Could not load your quotes" message=message /> }.into_any(),
        }}
    }
}
