//! `/quotes/:id`: one quote. A partner's draft opens in the editor (`edit.rs`); otherwise
//! the document with what the reader may do: the partner prints it or downloads its bill of
//! materials in one of the catalog's templates; the customer accepts a sent quote (naming
//! the installer who receives the vouchers) or declines it, with a reason if they wish.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use tessera_domain::api::{OrgKind, Quote};
use tessera_domain::email::Email;

use super::document::{letterhead, lines_table, notes};
use super::edit::DraftEditor;
use super::{calls, print_path};
use crate::api::ApiError;
use crate::components::{
    server_error_until_edited, BusyButton, Dialog, EmptyState, ErrorBanner, FormField, IconKind, Loading, Notice,
    PageHeader,
};
use crate::load::{fetch_into, loaded, Loaded};
use crate::pages::set_page_title;
use crate::sections::QUOTES;
use crate::session::{use_session, Session};

/// Which decision dialog is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deciding {
    No,
    Accept,
    Decline,
}

/// The bills of materials, one link per template of the default catalog.
fn bom_links(id: i64) -> AnyView {
    let link = |template: &'static str, label: &'static str| {
        view! {
            <a class="btn btn-secondary btn-sm" href=calls::bom_url(id, template) download="">
                {label}
            </a>
        }
    };
    view! {
        <div class="quote-bom" role="group" aria-label="Bill of materials (CSV)">
            <span class="quote-bom-label">"Bill of materials:"</span>
            {link("generic", "Generic")}
            {link("distributor", "Distributor")}
            {link("erp", "ERP")}
        </div>
    }
    .into_any()
}

/// Accept (the installer's address) or decline (an optional reason) in one dialog.
fn decision_dialog(
    session: Session,
    q: &Quote,
    kind: Deciding,
    quote: Loaded<Quote>,
    open: RwSignal<Deciding>,
    notice: RwSignal<Option<String>>,
) -> AnyView {
    let id = q.id;
    let me = session.with_me_untracked(|m| m.user.email.clone()).unwrap_or_default();
    let text = RwSignal::new(if kind == Deciding::Accept { me } else { String::new() });
    let busy = RwSignal::new(false);
    let server = RwSignal::new(None::<ApiError>);
    let last = Memo::new(move |_| server.get());
    let local = RwSignal::new(None::<String>);
    // The browser's own check holds until the address is edited.
    Effect::new(move |_| {
        text.track();
        local.set(None);
    });
    let refused = server_error_until_edited(last, |e| e.is_about("installer_email"), text);
    let field_error = Signal::derive(move || local.get().or_else(|| refused.get()));
    let banner = move || {
        last.get().filter(|e| !e.is_about("installer_email")).map(|e| view! { <ErrorBanner message=e.message /> })
    };
    let accept = kind == Deciding::Accept;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let value = text.get_untracked();
        if accept {
            if let Err(e) = Email::parse(&value) {
                local.set(Some(e.message().to_string()));
                return;
            }
        }
        local.set(None);
        busy.set(true);
        server.set(None);
        spawn_local(async move {
            let answer = if accept {
                calls::accept(session, id, &value).await.map(|a| (a.quote, Some(a.order_id)))
            } else {
                calls::decline(session, id, &value).await.map(|q| (q, None))
            };
            let _ = busy.try_set(false);
            match answer {
                Ok((q, order)) => {
                    notice.set(Some(match order {
                        Some(order) => format!(
                            "Accepted. Order {order} is with the vendor; the vouchers will be mailed to {}.",
                            value.trim()
                        ),
                        None => format!("Declined. {} has been told.", q.partner),
                    }));
                    quote.set(Some(Ok(q)));
                    open.set(Deciding::No);
                }
                Err(e) => {
                    let _ = server.try_set(Some(e));
                }
            }
        });
    };
    let (title, action, field) = if accept {
        (
            "Accept this quote",
            "Accept and order",
            view! {
                <FormField
                    id="installer-email"
                    label="Installer email"
                    input_type="email"
                    required=true
                    value=text
                    error=field_error
                    hint="The vouchers of the order are mailed to this address."
                />
            }
            .into_any(),
        )
    } else {
        ("Decline this quote", "Decline quote", view! {
            <FormField id="decline-reason" label="Reason (optional)" value=text hint="Your partner sees it with the quote." />
        }.into_any())
    };
    let close = Callback::new(move |()| open.set(Deciding::No));
    view! {
        <Dialog title_id="decide-title" on_close=close>
            <h2 id="decide-title" class="dialog-title">{title}</h2>
            <form class="form" novalidate=true on:submit=submit>
                {banner}
                {field}
                <div class="dialog-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| open.set(Deciding::No)>"Cancel"</button>
                    <BusyButton submit=true class=if accept { "btn btn-primary" } else { "btn btn-danger" } busy=busy>
                        {action}
                    </BusyButton>
                </div>
            </form>
        </Dialog>
    }
    .into_any()
}

/// What the reader may do with a quote that is not a draft in the editor.
fn actions(q: &Quote, partner: bool, open: RwSignal<Deciding>) -> AnyView {
    let id = q.id;
    if partner {
        return view! {
            <div class="quote-actions">
                <a class="btn btn-secondary" href=print_path(id)>"Print or save as PDF"</a>
                {bom_links(id)}
            </div>
        }
        .into_any();
    }
    let status = match q.state.as_str() {
        "sent" => None,
        "accepted" => {
            Some(format!("You accepted this quote{}.", q.order_id.map(|o| format!(": order {o}")).unwrap_or_default()))
        }
        "declined" => Some(match &q.decline_reason {
            Some(r) => format!("You declined this quote: \u{201c}{r}\u{201d}"),
            None => "You declined this quote.".to_string(),
        }),
        "expired" => Some("This quote has expired. Ask your partner for a new one.".to_string()),
        _ => Some(String::new()),
    };
    match status {
        None => view! {
            <div class="quote-actions">
                <button type="button" class="btn btn-primary" on:click=move |_| open.set(Deciding::Accept)>"Accept quote"</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| open.set(Deciding::Decline)>"Decline"</button>
                <a class="btn btn-ghost" href=print_path(id)>"Print"</a>
            </div>
        }
        .into_any(),
        Some(text) => view! {
            <div class="quote-actions">
                <p class="quote-decided">{text}</p>
                <a class="btn btn-ghost" href=print_path(id)>"Print"</a>
            </div>
        }
        .into_any(),
    }
}

/// `/quotes/:id`
#[component]
pub fn QuoteDetail() -> impl IntoView {
    set_page_title(QUOTES.label);
    let session = use_session();
    let partner = session.org_kind() == Some(OrgKind::Partner);
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let quote: Loaded<Quote> = loaded();
    match id {
        Some(id) => fetch_into(quote, calls::quote(session, id)),
        None => quote.set(Some(Err(ApiError { status: 404, ..ApiError::network() }))),
    }
    let open = RwSignal::new(Deciding::No);
    let notice = RwSignal::new(None::<String>);
    let body = move || {
        quote.with(|q| match q {
            None => view! { <Loading label="Loading the quote…" /> }.into_any(),
            Some(Err(e)) if e.status == 404 => view! {
                <PageHeader title="Quote not found" />
                <EmptyState
                    kind=IconKind::Info
                    title="There is no such quote"
                    description="It may have been sent to another organization, or the link is mistyped."
                >
                    <a class="btn btn-secondary" href="/quotes">"Back to quotes"</a>
                </EmptyState>
            }
            .into_any(),
            Some(Err(e)) => view! { <ErrorBanner title="Could not load the quote" message=e.message.clone() /> }.into_any(),
            Some(Ok(q)) if partner && q.state == "draft" => {
                view! { <DraftEditor quote=q.clone() notice=notice on_saved=Callback::new(move |q| quote.set(Some(Ok(q)))) /> }.into_any()
            }
            Some(Ok(q)) => {
                let dialog = move || {
                    let kind = open.get();
                    (kind != Deciding::No)
                        .then(|| quote.with_untracked(|q| q.as_ref().and_then(|r| r.as_ref().ok()).map(|q| decision_dialog(session, q, kind, quote, open, notice))))
                        .flatten()
                };
                view! {
                    <PageHeader title=format!("Quote {}", q.number) description=format!("{} for {}", q.partner, q.customer) />
                    {move || notice.get().map(|m| view! { <Notice message=m /> })}
                    {actions(q, partner, open)}
                    <article class="quote-document" aria-label="Quote">
                        {letterhead(q)}
                        {lines_table(q)}
                        {notes(q)}
                    </article>
                    {dialog}
                }
                .into_any()
            }
        })
    };
    view! {
        <p class="back-link">
            <a href="/quotes">"← All quotes"</a>
        </p>
        {body}
    }
}
