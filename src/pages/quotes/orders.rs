//! `/orders` (the vendor's back office): the orders accepted quotes became, open first.
//! Fulfil issues one voucher per line (its units and free units) and mails them to the
//! installer, once: a second press, here or from the command line, is told the order is
//! already fulfilled (`order_fulfilled`) and nothing more is issued.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tessera_domain::api::Order;

use super::calls;
use crate::api::ApiError;
use crate::components::{BusyButton, EmptyState, ErrorBanner, Loading, Notice, PageHeader};
use crate::format::{iso_date, money, short_date};
use crate::load::{fetch_into, loaded, ok, status, Loaded, Status as LoadStatus};
use crate::pages::set_page_title;
use crate::sections::ORDERS;
use crate::session::{use_session, Session};

fn lines_view(o: &Order) -> Vec<AnyView> {
    o.quote
        .lines
        .iter()
        .map(|l| view! { <span class="cell-line">{format!("{} × {}", l.quantity, l.sku)}</span> }.into_any())
        .collect()
}

fn order_row(
    session: Session,
    o: &Order,
    list: Loaded<Vec<Order>>,
    notice: RwSignal<Option<String>>,
    error: RwSignal<Option<ApiError>>,
) -> AnyView {
    let id = o.id;
    let busy = RwSignal::new(false);
    let fulfil = Callback::new(move |()| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = calls::fulfil(session, id).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(done) => {
                    notice.set(Some(format!(
                        "Order {id} fulfilled: the vouchers were mailed to {}.",
                        done.installer_email
                    )));
                    list.update(|l| {
                        if let Some(Ok(l)) = l {
                            if let Some(o) = l.iter_mut().find(|o| o.id == id) {
                                *o = done;
                            }
                        }
                    });
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let action = if o.state == "open" {
        view! {
            <BusyButton class="btn btn-primary btn-sm" busy=busy on_click=fulfil aria_label=format!("Fulfil order {id}")>
                "Fulfil"
            </BusyButton>
        }
        .into_any()
    } else {
        let when = o.fulfilled_at.map(|t| view! { <time datetime=iso_date(t)>{short_date(t)}</time> });
        view! {
            <span class="badge badge-success">"Fulfilled"</span>
            <span class="cell-sub">{when}</span>
        }
        .into_any()
    };
    view! {
        <tr>
            <td class="cell-primary" data-label="Order">
                <span class="cell-line">{format!("Order {id}")}</span>
                <span class="cell-sub">
                    {o.quote.number.clone()} " · "
                    <time datetime=iso_date(o.created_at)>{short_date(o.created_at)}</time>
                </span>
            </td>
            <td data-label="Customer">
                <span class="cell-line">{o.quote.customer.clone()}</span>
                <span class="cell-sub">{o.installer_email.clone()}</span>
            </td>
            <td data-label="Partner">{o.quote.partner.clone()}</td>
            <td class="order-lines cell-code" data-label="Lines">{lines_view(o)}</td>
            <td class="cell-number" data-label="Total">{money(o.quote.total, &o.quote.currency)}</td>
            <td class="cell-actions" data-label="State">{action}</td>
        </tr>
    }
    .into_any()
}

/// `/orders`
#[component]
pub fn Orders() -> impl IntoView {
    set_page_title(ORDERS.label);
    let session = use_session();
    let list: Loaded<Vec<Order>> = loaded();
    fetch_into(list, calls::orders(session));
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let state = Memo::new(move |_| list.with(|l| status(l, true, Vec::is_empty)));
    // Open orders first (oldest first, the next to fulfil), then the fulfilled ones.
    let table = move || {
        let rows: Vec<AnyView> = list.with(|l| {
            ok(l).map_or_else(Vec::new, |all| {
                let open = all.iter().filter(|o| o.state == "open").rev();
                let done = all.iter().filter(|o| o.state != "open");
                open.chain(done).map(|o| order_row(session, o, list, notice, error)).collect()
            })
        });
        view! {
            <div class="table-card">
                <table class="data-table order-table">
                    <caption class="visually-hidden">"Orders, open ones first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Order"</th>
                            <th scope="col">"Customer"</th>
                            <th scope="col">"Partner"</th>
                            <th scope="col">"Lines"</th>
                            <th scope="col" class="cell-number">"Total"</th>
                            <th scope="col">"State"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <PageHeader title=ORDERS.label description="Quotes customers accepted. Fulfil an order to issue its vouchers and mail them to the installer." />
        {move || notice.get().map(|m| view! { <Notice message=m /> })}
        {move || error.get().map(|e| view! { <ErrorBanner message=e.message /> })}
        {move || match state.get() {
            LoadStatus::Loading => view! { <Loading label="Loading orders…" /> }.into_any(),
            LoadStatus::Empty => view! {
                <EmptyState
                    kind=ORDERS.icon
                    title="No orders yet"
                    description="When a customer accepts a partner's quote, its order appears here for you to fulfil."
                />
            }
            .into_any(),
            LoadStatus::Ready => table(),
            LoadStatus::Failed(m) => view! { <ErrorBanner title="Could not load the orders" message=m /> }.into_any(),
        }}
    }
}
