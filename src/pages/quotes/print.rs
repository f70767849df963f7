//! `/quotes/:id/print`: the quote alone, laid out for paper (style/quotes.css's print
//! rules): the partner's letterhead, the parties and dates, the lines and total, the
//! validity and the notes; no navigation. "Print" opens the browser's dialog, where "Save
//! as PDF" gives the customer a clean document.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use tessera_domain::api::Quote;

use super::document::{letterhead, lines_table, notes};
use super::{calls, quote_path};
use crate::components::{ErrorBanner, Loading};
use crate::format::short_day;
use crate::load::{fetch_into, loaded, Loaded};
use crate::pages::set_page_title;
use crate::session::use_session;

fn page(q: &Quote) -> AnyView {
    set_page_title(&format!("Quote {}", q.number));
    let back = quote_path(q.id);
    view! {
        <header class="print-letterhead">
            <div>
                <p class="quote-label">"Quote"</p>
                <h1 class="print-title">{q.partner.clone()}</h1>
            </div>
            <div class="print-toolbar">
                <a class="btn btn-secondary" href=back>"Back"</a>
                <button
                    type="button"
                    class="btn btn-primary"
                    on:click=move |_| {
                        let _ = window().print();
                    }
                >
                    "Print"
                </button>
            </div>
        </header>
        <article class="quote-document" aria-label="Quote">
            {letterhead(q)}
            {lines_table(q)}
            {notes(q)}
        </article>
        <p class="print-footer">
            {format!(
                "Prices in {} as listed, promotions as of {}. This quote can be accepted until {} in Tessera, under Quotes.",
                q.currency,
                short_day(q.starts_on),
                short_day(q.valid_until),
            )}
        </p>
    }
    .into_any()
}

/// `/quotes/:id/print`
#[component]
pub fn QuotePrint() -> impl IntoView {
    let session = use_session();
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let quote: Loaded<Quote> = loaded();
    if let Some(id) = id {
        fetch_into(quote, calls::quote(session, id));
    }
    view! {
        <main class="print-page" id="main">
            {move || {
                quote.with(|q| match (id, q) {
                    (None, _) => view! { <ErrorBanner message="There is no such quote.".to_string() /> }.into_any(),
                    (_, None) => view! { <Loading label="Loading the quote…" /> }.into_any(),
                    (_, Some(Err(e))) => view! { <ErrorBanner title="Could not load the quote" message=e.message.clone() /> }.into_any(),
                    (_, Some(Ok(q))) => page(q),
                })
            }}
        </main>
    }
}
