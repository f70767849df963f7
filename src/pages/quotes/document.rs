//! A quote as a document: who it is from and for, its lines and total, until when it
//! holds, the notes. The quote page shows it under its actions; the print view shows it
//! alone, laid out for paper.

use leptos::prelude::*;
use tessera_domain::api::{Quote, QuoteLine};

use super::state_badge;
use crate::format::{iso_day, money, short_day};

/// A percentage of at most two decimals (the server refuses more) as people write it:
/// `10`, `12.5`, `7.25`. Trailing zeros dropped by hand: a float printer would bring its own
/// code into the wasm.
pub fn percent_text(percent: f64) -> String {
    let hundredths = (percent * 100.0).round() as i64;
    let (whole, part) = (hundredths / 100, hundredths % 100);
    match (part, part % 10) {
        (0, _) => format!("{whole}"),
        (_, 0) => format!("{whole}.{}", part / 10),
        _ => format!("{whole}.{part:02}"),
    }
}

/// "12.5 %" for a discount, "—" for none.
pub fn discount_text(percent: f64) -> String {
    if percent == 0.0 {
        "—".to_string()
    } else {
        format!("{} %", percent_text(percent))
    }
}

/// What a line's promotion gives, for people: "Promotion: 1 free unit, 3 bonus months" (its
/// full name goes in the title), or its name when it gives neither.
pub fn promotion_text(line: &QuoteLine) -> Option<String> {
    if line.promotion.is_empty() {
        return None;
    }
    let mut gifts = Vec::new();
    if line.free_units > 0 {
        gifts.push(format!("{} free {}", line.free_units, if line.free_units == 1 { "unit" } else { "units" }));
    }
    if line.bonus_months > 0 {
        gifts.push(format!("{} bonus {}", line.bonus_months, if line.bonus_months == 1 { "month" } else { "months" }));
    }
    Some(if gifts.is_empty() { line.promotion.clone() } else { format!("Promotion: {}", gifts.join(", ")) })
}

fn day(d: chrono::NaiveDate) -> AnyView {
    view! { <time datetime=iso_day(d)>{short_day(d)}</time> }.into_any()
}

/// The lines, read-only, with the total.
pub fn lines_table(q: &Quote) -> AnyView {
    let currency = q.currency.clone();
    let rows: Vec<AnyView> = q
        .lines
        .iter()
        .map(|l| {
            let name = l.promotion.clone();
            let promo = promotion_text(l).map(|p| view! { <span class="cell-sub quote-promo" title=name>{p}</span> });
            view! {
                <tr>
                    <td class="cell-primary" data-label="Item">
                        <span class="cell-line">{l.description.clone()}</span>
                        <span class="cell-sub cell-code">{l.sku.clone()}</span>
                        {promo}
                    </td>
                    <td class="cell-number" data-label="Quantity">{l.quantity}</td>
                    <td class="cell-number" data-label="Unit price">{money(l.unit_price, &currency)}</td>
                    <td class="cell-number" data-label="Discount">{discount_text(l.discount_percent)}</td>
                    <td class="cell-number" data-label="Per device-month">{money(l.price_per_device_month, &currency)}</td>
                    <td class="cell-number cell-strong" data-label="Total">{money(l.total, &currency)}</td>
                </tr>
            }
            .into_any()
        })
        .collect();
    view! {
        <div class="table-card">
            <table class="data-table quote-lines">
                <caption class="visually-hidden">"Quote lines"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Item"</th>
                        <th scope="col" class="cell-number">"Quantity"</th>
                        <th scope="col" class="cell-number">"Unit price"</th>
                        <th scope="col" class="cell-number">"Discount"</th>
                        <th scope="col" class="cell-number">"Per device-month"</th>
                        <th scope="col" class="cell-number">"Total"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr class="quote-total">
                        <th scope="row" colspan="5">"Total"</th>
                        <td class="cell-number" data-label="Total">{money(q.total, &q.currency)}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
    .into_any()
}

/// The document's head: from, for, number, dates and state.
pub fn letterhead(q: &Quote) -> AnyView {
    let contact = q.customer_email.clone().map(|e| view! { <span class="cell-sub">{e}</span> });
    let sent = q.sent_on.map(|d| {
        view! {
            <div class="fact">
                <dt>"Sent on"</dt>
                <dd>{day(d)}</dd>
            </div>
        }
    });
    view! {
        <div class="quote-head">
            <div class="quote-parties">
                <div>
                    <p class="quote-label">"From"</p>
                    <p class="quote-party">{q.partner.clone()}</p>
                </div>
                <div>
                    <p class="quote-label">"For"</p>
                    <p class="quote-party">{q.customer.clone()}</p>
                    {contact}
                </div>
            </div>
            <dl class="facts quote-facts">
                <div class="fact">
                    <dt>"Quote"</dt>
                    <dd class="cell-code">{q.number.clone()}</dd>
                </div>
                <div class="fact">
                    <dt>"State"</dt>
                    <dd>{state_badge(&q.state)}</dd>
                </div>
                <div class="fact">
                    <dt>"Written on"</dt>
                    <dd>{day(q.created_on)}</dd>
                </div>
                {sent}
                <div class="fact">
                    <dt>"Plans start on"</dt>
                    <dd>{day(q.starts_on)}</dd>
                </div>
                <div class="fact">
                    <dt>"Valid until"</dt>
                    <dd>{day(q.valid_until)}</dd>
                </div>
            </dl>
        </div>
    }
    .into_any()
}

/// The notes, when there are any.
pub fn notes(q: &Quote) -> Option<AnyView> {
    (!q.notes.trim().is_empty()).then(|| {
        view! {
            <section class="quote-notes" aria-labelledby="quote-notes-title">
                <h2 id="quote-notes-title" class="section-title">"Notes"</h2>
                <p>{q.notes.clone()}</p>
            </section>
        }
        .into_any()
    })
}

#[cfg(test)]
mod tests {
    use super::discount_text;

    #[test]
    fn discounts_read_as_typed() {
        assert_eq!(discount_text(0.0), "—");
        assert_eq!(discount_text(10.0), "10 %");
        assert_eq!(discount_text(12.5), "12.5 %");
        assert_eq!(discount_text(7.25), "7.25 %");
    }
}
