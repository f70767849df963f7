//! The quote builder: `/quotes/new` (who the quote is for, when the plans start, until when
//! it holds, and the first option picked from the matrix, which makes the draft) and a
//! draft's editor on its own page (more options from the matrix, lines edited — SKU,
//! quantity, unit price, discount — validity and notes, then Send).
//!
//! The matrix is the server's (`GET /quotes/options`: terms × tiers for the quantity, list
//! price, promotions on the start day, total, price per device-month, the best value
//! marked). A draft is priced again by the server on every save, so the totals shown are
//! always the ones the customer will see.
//!
//! A quote built from the Renewals page carries the devices it was built for; while the
//! draft is edited in this visit, each line says which of them will need a new battery or
//! see their warranty end during its term (`tessera_domain::pricing::hardware_due`).

use std::cell::RefCell;
use std::sync::Arc;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use tessera_domain::api::{DeviceShare, Quote, QuoteOptions, RenewalRow};
use tessera_domain::catalog::{date, SkuKind};
use tessera_domain::dates::add_days;
use tessera_domain::email::Email;
use tessera_domain::pricing::hardware_due;

use super::calls::{self, Customer, LineInput};
use super::document::{percent_text, promotion_text};
use super::quote_path;
use crate::api::{self, ApiError};
use crate::catalog::CatalogNames;
use crate::components::{BusyButton, ErrorBanner, FormField, Loading, PageHeader};
use crate::format::{iso_day, money, parse_money, short_day};
use crate::load::{fetch_into, loaded, ok, Loaded};
use crate::pages::set_page_title;
use crate::session::use_session;

/// A device a quote is built for: its name and hardware dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotedDevice {
    pub name: String,
    pub battery_replace_by: Option<NaiveDate>,
    pub warranty_expires_on: Option<NaiveDate>,
}

/// What the Renewals page hands to the builder: the customer's name, the product and how
/// many, and the devices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Preset {
    pub customer: String,
    pub product: String,
    pub quantity: u32,
    pub devices: Vec<QuotedDevice>,
}

thread_local! {
    static PRESET: RefCell<Option<Preset>> = const { RefCell::new(None) };
    /// The devices of the quotes built from a selection during this visit, by quote id.
    static DEVICES: RefCell<Vec<(i64, Vec<QuotedDevice>)>> = const { RefCell::new(Vec::new()) };
}

/// What the builder starts from when it opens next (the Renewals page's "Build quote",
/// which then goes to [`super::NEW_PATH`]).
pub fn start_quote(preset: Preset) {
    PRESET.set(Some(preset));
}

/// The start of a quote for the rows a partner narrowed the Renewals page to: the customer
/// most of them belong to, that customer's most frequent product, and its devices (a
/// license row counts its assets but brings no device).
pub fn preset_from<'a>(rows: impl Iterator<Item = &'a RenewalRow>) -> Preset {
    let rows: Vec<&RenewalRow> = rows.collect();
    let most = |keys: Vec<&'a str>| -> String {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for k in keys {
            match counts.iter_mut().find(|(c, _)| *c == k) {
                Some((_, n)) => *n += 1,
                None => counts.push((k, 1)),
            }
        }
        // The first of the most frequent, as the page lists them.
        let best = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
        counts.into_iter().find(|(_, n)| *n == best).map(|(k, _)| k.to_string()).unwrap_or_default()
    };
    let customer = most(rows.iter().map(|r| r.customer.as_str()).collect());
    let theirs: Vec<&&RenewalRow> = rows.iter().filter(|r| r.customer == customer).collect();
    let product = most(theirs.iter().map(|r| r.product.as_str()).collect());
    let chosen: Vec<&&&RenewalRow> = theirs.iter().filter(|r| r.product == product).collect();
    Preset {
        quantity: chosen.iter().map(|r| r.quantity).sum(),
        devices: chosen
            .iter()
            .filter(|r| r.kind == "device")
            .map(|r| QuotedDevice {
                name: r.device_name.clone().or_else(|| r.serial.clone()).unwrap_or_default(),
                battery_replace_by: r.battery_replace_by,
                warranty_expires_on: r.warranty_expires_on,
            })
            .collect(),
        customer,
        product,
    }
}

fn devices_of(id: i64) -> Vec<QuotedDevice> {
    DEVICES.with_borrow(|all| all.iter().find(|(q, _)| *q == id).map(|(_, d)| d.clone()).unwrap_or_default())
}

/// "3 devices need a new battery and 1 warranty ends during this term", or nothing.
pub fn hardware_flag(devices: &[QuotedDevice], starts_on: NaiveDate, term_months: u32) -> Option<String> {
    let (mut battery, mut warranty) = (0, 0);
    for d in devices {
        let due = hardware_due(starts_on, term_months, d.battery_replace_by, d.warranty_expires_on);
        battery += usize::from(due.battery);
        warranty += usize::from(due.warranty);
    }
    let mut parts = Vec::new();
    if battery > 0 {
        parts.push(format!("{battery} {} a new battery", if battery == 1 { "device needs" } else { "devices need" }));
    }
    if warranty > 0 {
        parts.push(format!("{warranty} {}", if warranty == 1 { "warranty ends" } else { "warranties end" }));
    }
    (!parts.is_empty()).then(|| format!("{} during this term", parts.join(" and ")))
}

/// The catalog's currency (every list price of a catalog is in one).
fn currency_of(catalog: &CatalogNames) -> String {
    catalog.skus.first().map_or_else(|| "EUR".to_string(), |s| s.list_price.currency.clone())
}

/// "1 year", "3 years".
fn term_text(months: u32) -> String {
    match months {
        12 => "1 year".into(),
        m if m % 12 == 0 => format!("{} years", m / 12),
        1 => "1 month".into(),
        m => format!("{m} months"),
    }
}

/// The option matrix of the product and quantity chosen, for plans starting on `starts_on`;
/// a click on a cell picks its SKU.
#[component]
fn OptionMatrix(
    catalog: Arc<CatalogNames>,
    product: RwSignal<String>,
    quantity: RwSignal<String>,
    #[prop(into)] starts_on: Signal<NaiveDate>,
    on_pick: Callback<(String, u32)>,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let session = use_session();
    let currency = currency_of(&catalog);
    let matrix: RwSignal<Option<Result<QuoteOptions, ApiError>>> = RwSignal::new(None);
    let asked = StoredValue::new(0u32);
    let count = move || quantity.with(|q| q.trim().parse::<u32>().ok().filter(|n| (1..=100_000).contains(n)));
    Effect::new(move |_| {
        let (key, day) = (product.get(), starts_on.get());
        let Some(n) = count() else {
            matrix.set(None);
            return;
        };
        asked.update_value(|a| *a += 1);
        let mine = asked.get_value();
        spawn_local(async move {
            let answer = calls::options(session, &key, n, day).await;
            // Only the latest question's answer is shown.
            if asked.try_get_value() == Some(mine) {
                let _ = matrix.try_set(Some(answer));
            }
        });
    });
    let products: Vec<AnyView> = catalog
        .products
        .iter()
        .map(|p| view! { <option value=p.key.clone()>{p.name.clone()}</option> }.into_any())
        .collect();
    let cat = catalog.clone();
    let table = move || {
        let Some(n) = count() else {
            return view! { <p class="field-error" role="alert">"Please enter a quantity from 1 to 100,000."</p> }
                .into_any();
        };
        matrix.with(|m| match m {
            None => view! { <Loading label="Pricing the options…" /> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner message=e.message.clone() /> }.into_any(),
            Some(Ok(m)) => {
                let key = product.get_untracked();
                let Some(p) = cat.product(&key) else { return ().into_any() };
                let tiers = p.ranked_tiers();
                let heads: Vec<AnyView> =
                    tiers.iter().map(|t| view! { <th scope="col">{t.name.clone()}</th> }.into_any()).collect();
                let rows: Vec<AnyView> = p
                    .terms
                    .iter()
                    .map(|&term| {
                        let cells: Vec<AnyView> = tiers
                            .iter()
                            .map(|t| {
                                let Some(o) = m.options.iter().find(|o| o.term_months == term && o.tier == t.key)
                                else {
                                    return view! { <td class="matrix-none">"—"</td> }.into_any();
                                };
                                let sku = o.sku.clone();
                                let label = format!(
                                    "Add {} {}, {}: {}",
                                    t.name,
                                    term_text(term),
                                    n,
                                    money(o.total, &currency)
                                );
                                // What the promotion gives, short; its full name on hover. The list
                                // price struck through only when the total is lower.
                                let mut gifts = Vec::new();
                                if o.free_units > 0 {
                                    gifts.push(format!("+{} free", o.free_units));
                                }
                                if o.bonus_months > 0 {
                                    gifts.push(format!("+{} bonus months", o.bonus_months));
                                }
                                let promo = (!o.promotion.is_empty()).then(|| {
                                    let gift = if gifts.is_empty() { "Promotion".to_string() } else { gifts.join(" · ") };
                                    let name = o.promotion.clone();
                                    view! { <span class="badge badge-success matrix-promo" title=name>{gift}</span> }
                                });
                                let struck = (o.list_total > o.total).then(|| {
                                    view! {
                                        <span class="matrix-list">
                                            <s>{money(o.list_total, &currency)}</s>
                                        </span>
                                    }
                                });
                                let best = o.best_value.then(|| view! { <span class="badge badge-info">"Best value"</span> });
                                view! {
                                    <td>
                                        <button
                                            type="button"
                                            class="matrix-cell"
                                            class:matrix-best=o.best_value
                                            aria-label=label
                                            disabled=move || busy.get()
                                            on:click=move |_| on_pick.run((sku.clone(), n))
                                        >
                                            <span class="matrix-sku">{o.sku.clone()}</span>
                                            <span class="matrix-total">{money(o.total, &currency)}</span>
                                            {struck}
                                            {promo}
                                            <span class="matrix-per">
                                                {format!("{} per device-month", money(o.price_per_device_month, &currency))}
                                            </span>
                                            {best}
                                        </button>
                                    </td>
                                }
                                .into_any()
                            })
                            .collect();
                        view! {
                            <tr>
                                <th scope="row">{term_text(term)}</th>
                                {cells}
                            </tr>
                        }
                        .into_any()
                    })
                    .collect();
                view! {
                    <div class="table-card matrix-card">
                        <table class="matrix">
                            <caption class="visually-hidden">
                                "Options by term and tier; pick one to add it to the quote."
                            </caption>
                            <thead>
                                <tr>
                                    <td></td>
                                    {heads}
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        })
    };
    view! {
        <div class="form-grid matrix-inputs">
            <div class="field">
                <label class="field-label" for="quote-product">
                    "Product"
                </label>
                <select
                    id="quote-product"
                    class="select"
                    prop:value=move || product.get()
                    on:change=move |ev| product.set(event_target_value(&ev))
                >
                    {products}
                </select>
            </div>
            <FormField id="quote-quantity" label="Quantity (devices or assets)" input_type="number" value=quantity />
        </div>
        {table}
    }
}

/// The matrix once the catalog is here (its products and tiers name the rows and columns).
fn matrix_when_loaded(
    catalog: Loaded<Arc<CatalogNames>>,
    product: RwSignal<String>,
    quantity: RwSignal<String>,
    starts_on: Signal<NaiveDate>,
    pick: Callback<(String, u32)>,
    busy: RwSignal<bool>,
) -> impl Fn() -> AnyView {
    move || {
        catalog.with(|c| match c {
            Some(Ok(c)) => view! {
                <OptionMatrix catalog=c.clone() product=product quantity=quantity starts_on=starts_on on_pick=pick busy=busy />
            }
            .into_any(),
            Some(Err(e)) => view! { <ErrorBanner message=e.message.clone() /> }.into_any(),
            None => view! { <Loading label="Loading the catalog…" /> }.into_any(),
        })
    }
}

/// The customers who share devices with the partner, once each.
fn customers(shares: &[DeviceShare], partner: i64) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = Vec::new();
    for s in shares.iter().filter(|s| s.partner_org_id == partner) {
        if !out.iter().any(|(id, _)| *id == s.customer_org_id) {
            out.push((s.customer_org_id, s.customer_name.clone()));
        }
    }
    out
}

/// `/quotes/new` (partners).
#[component]
pub fn NewQuote() -> impl IntoView {
    set_page_title("New quote");
    let session = use_session();
    let navigate = use_navigate();
    let (today, me_org) = session.with_me_untracked(|m| (m.today, m.organization.id)).unwrap_or_default();
    let preset = PRESET.take().unwrap_or_default();
    let catalog: Loaded<Arc<CatalogNames>> = loaded();
    let shares: Loaded<Vec<DeviceShare>> = loaded();
    fetch_into(catalog, api::catalog(session));
    fetch_into(shares, calls::shares(session));

    let known = RwSignal::new(true);
    let org = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let starts = RwSignal::new(iso_day(today));
    let valid = RwSignal::new(iso_day(add_days(today, 30)));
    let notes = RwSignal::new(String::new());
    let product = RwSignal::new(preset.product.clone());
    let quantity = RwSignal::new(if preset.quantity > 0 { preset.quantity.to_string() } else { "1".into() });
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let server = RwSignal::new(None::<ApiError>);

    // Once the shares arrive: the preset's customer, else the first; "someone new" when none.
    let wanted = preset.customer.clone();
    Effect::new(move |_| {
        shares.with(|s| {
            if let Some(list) = ok(s) {
                let all = customers(list, me_org);
                match all.iter().find(|(_, n)| *n == wanted).or(all.first()) {
                    Some((id, _)) => org.set(id.to_string()),
                    None => known.set(false),
                }
            }
        })
    });
    Effect::new(move |_| {
        catalog.with(|c| {
            if let Some(c) = ok(c) {
                if product.with_untracked(|p| c.product(p).is_none()) {
                    product.set(c.products.first().map(|p| p.key.clone()).unwrap_or_default());
                }
            }
        })
    });
    let starts_on = Signal::derive(move || starts.with(|s| date::parse(s.trim())).unwrap_or(today));
    let devices = StoredValue::new(preset.devices);

    let pick = Callback::new(move |(sku, n): (String, u32)| {
        let customer = if known.get_untracked() {
            match org.get_untracked().parse::<i64>() {
                Ok(id) => Customer::Org(id),
                Err(_) => return problem.set(Some("Choose the customer the quote is for.".into())),
            }
        } else {
            let (n, e) = (name.get_untracked(), email.get_untracked());
            if n.trim().is_empty() {
                return problem.set(Some("Please enter the customer's name.".into()));
            }
            if let Err(err) = Email::parse(&e) {
                return problem.set(Some(format!("Customer's email: {}", err.message())));
            }
            Customer::Contact { name: n, email: e }
        };
        let Some(start) = date::parse(starts.get_untracked().trim()) else {
            return problem.set(Some("Please enter the start date like 2027-01-31.".into()));
        };
        let Some(until) = date::parse(valid.get_untracked().trim()) else {
            return problem.set(Some("Please enter the validity date like 2027-01-31.".into()));
        };
        problem.set(None);
        server.set(None);
        busy.set(true);
        let line = LineInput { sku, quantity: n, discount_percent: String::new(), unit_price: None };
        let body = calls::create_body(&customer, &[line], until, start, &notes.get_untracked());
        let navigate = navigate.clone();
        spawn_local(async move {
            let answer = calls::create(session, body).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(q) => {
                    let devices = devices.try_get_value().unwrap_or_default();
                    if !devices.is_empty() {
                        DEVICES.with_borrow_mut(|all| all.push((q.id, devices)));
                    }
                    navigate(&quote_path(q.id), Default::default());
                }
                Err(e) => {
                    let _ = server.try_set(Some(e));
                }
            }
        });
    });

    let customer_fields = move || {
        let list = shares.with(|s| ok(s).map(|l| customers(l, me_org)).unwrap_or_default());
        let has_orgs = !list.is_empty();
        view! {
            <fieldset class="quote-customer">
                <legend class="field-label">"Customer"</legend>
                <label class="radio-line">
                    <input
                        type="radio"
                        name="customer-kind"
                        prop:checked=move || known.get()
                        disabled=!has_orgs
                        on:change=move |_| known.set(true)
                    />
                    <span>"A customer who shares devices with you"</span>
                </label>
                <label class="radio-line">
                    <input
                        type="radio"
                        name="customer-kind"
                        prop:checked=move || !known.get()
                        on:change=move |_| known.set(false)
                    />
                    <span>"Someone new (a name and an email address)"</span>
                </label>
                {move || {
                    if known.get() {
                        view! {
                            <div class="field">
                                <label class="field-label" for="quote-org">
                                    "Customer organization"
                                </label>
                                <select
                                    id="quote-org"
                                    class="select"
                                    prop:value=move || org.get()
                                    on:change=move |ev| org.set(event_target_value(&ev))
                                >
                                    {list
                                        .iter()
                                        .map(|(id, n)| view! { <option value=id.to_string()>{n.clone()}</option> })
                                        .collect::<Vec<_>>()}
                                </select>
                            </div>
                        }
                        .into_any()
                    } else {
                        view! {
                            <div class="form-grid">
                                <FormField id="quote-contact-name" label="Customer's name" value=name />
                                <FormField id="quote-contact-email" label="Customer's email" input_type="email" value=email />
                            </div>
                        }
                        .into_any()
                    }
                }}
            </fieldset>
        }
        .into_any()
    };

    view! {
        <p class="back-link">
            <a href="/quotes">"← All quotes"</a>
        </p>
        <PageHeader
            title="New quote"
            description="Who it is for and when the plans start; then pick an option from the matrix to start the draft."
        />
        <section class="card quote-section" aria-labelledby="quote-who">
            <h2 id="quote-who" class="section-title">
                "1. Customer and dates"
            </h2>
            {customer_fields}
            <div class="form-grid">
                <FormField id="quote-starts" label="Plans start on" input_type="date" value=starts />
                <FormField id="quote-valid" label="Valid until" input_type="date" value=valid />
            </div>
            <FormField id="quote-notes" label="Notes for the customer (optional)" value=notes />
        </section>
        <section class="card quote-section" aria-labelledby="quote-pick">
            <h2 id="quote-pick" class="section-title">
                "2. Pick an option"
            </h2>
            {move || problem.get().map(|p| view! { <p class="field-error" role="alert">{p}</p> })}
            {move || server.get().map(|e| view! { <ErrorBanner message=e.message /> })}
            {matrix_when_loaded(catalog, product, quantity, starts_on, pick, busy)}
        </section>
    }
}

/// A line as the editor holds it, as typed.
#[derive(Debug, Clone, PartialEq)]
struct LineDraft {
    sku: String,
    quantity: String,
    discount: String,
    /// Major units; empty for the list price.
    unit_price: String,
}

fn drafts_of(q: &Quote, catalog: Option<&CatalogNames>) -> Vec<LineDraft> {
    // Without the catalog every price would read as the partner's own.
    q.lines
        .iter()
        .map(|l| {
            let list = catalog.and_then(|c| c.sku(&l.sku)).map(|s| s.list_price.amount_minor);
            let own = (list != Some(l.unit_price)).then(|| money(l.unit_price, &q.currency));
            LineDraft {
                sku: l.sku.clone(),
                quantity: l.quantity.to_string(),
                discount: if l.discount_percent == 0.0 { String::new() } else { percent_text(l.discount_percent) },
                // The amount without its symbol, as people type it.
                unit_price: own
                    .map(|m| m.trim_start_matches(|c: char| !c.is_ascii_digit()).to_string())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The lines as the API takes them, or the first line's problem.
fn inputs_of(drafts: &[LineDraft], currency: &str) -> Result<Vec<LineInput>, String> {
    drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let quantity = d
                .quantity
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("Line {}: please enter a quantity of at least 1.", i + 1))?;
            let unit_price = match d.unit_price.trim() {
                "" => None,
                t => Some(
                    parse_money(t, currency)
                        .ok_or_else(|| format!("Line {}: please enter the unit price like 99.00.", i + 1))?,
                ),
            };
            Ok(LineInput { sku: d.sku.clone(), quantity, discount_percent: d.discount.clone(), unit_price })
        })
        .collect()
}

/// A partner's draft: its lines to edit, options to add, validity and notes, and Send.
#[component]
pub fn DraftEditor(quote: Quote, on_saved: Callback<Quote>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let session = use_session();
    let catalog: Loaded<Arc<CatalogNames>> = loaded();
    fetch_into(catalog, api::catalog(session));
    let id = quote.id;
    let currency = quote.currency.clone();
    let starts_on = quote.starts_on;
    let devices = devices_of(id);
    let lines = RwSignal::new(Vec::new());
    let saved = RwSignal::new(Vec::new());
    // Filled once the catalog is known: the list price shows as a placeholder, and only a
    // partner's own price is kept in the field.
    let first = StoredValue::new(quote.clone());
    Effect::new(move |_| {
        catalog.with(|c| {
            if let Some(c) = ok(c) {
                let drafts = first.with_value(|q| drafts_of(q, Some(c)));
                saved.set(drafts.clone());
                lines.set(drafts);
            }
        })
    });
    let valid = RwSignal::new(iso_day(quote.valid_until));
    let notes = RwSignal::new(quote.notes.clone());
    let product = RwSignal::new(quote.lines.first().map(|l| sku_product(&l.sku)).unwrap_or_default());
    let quantity = RwSignal::new(quote.lines.first().map_or_else(|| "1".to_string(), |l| l.quantity.to_string()));
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let server = RwSignal::new(None::<ApiError>);
    let (valid0, notes0) = (valid.get_untracked(), notes.get_untracked());
    let dirty =
        move || lines.with(|l| saved.with(|s| l != s)) || valid.with(|v| *v != valid0) || notes.with(|n| *n != notes0);

    // Saves the lines, validity and notes (priced again by the server), then sends when asked.
    let cur = currency.clone();
    let save = move |extra: Option<LineInput>, then_send: bool| {
        if busy.get_untracked() {
            return;
        }
        let mut inputs = match lines.with_untracked(|l| inputs_of(l, &cur)) {
            Ok(i) => i,
            Err(p) => return problem.set(Some(p)),
        };
        inputs.extend(extra);
        if inputs.is_empty() {
            return problem.set(Some("A quote needs at least one line: pick an option from the matrix.".into()));
        }
        let Some(until) = date::parse(valid.get_untracked().trim()) else {
            return problem.set(Some("Please enter the validity date like 2027-01-31.".into()));
        };
        problem.set(None);
        server.set(None);
        busy.set(true);
        let body = calls::patch_body(&inputs, until, &notes.get_untracked());
        spawn_local(async move {
            let mut answer = calls::update(session, id, body).await;
            if then_send {
                if let Ok(q) = answer {
                    answer = calls::send(session, q.id).await;
                    if let Ok(q) = &answer {
                        notice.set(Some(format!("Sent to {}. The quote can no longer be changed.", q.customer)));
                    }
                }
            }
            let _ = busy.try_set(false);
            match answer {
                Ok(q) => on_saved.run(q),
                Err(e) => {
                    let _ = server.try_set(Some(e));
                }
            }
        });
    };
    let save_add = save.clone();
    let add = Callback::new(move |(sku, n): (String, u32)| {
        save_add(Some(LineInput { sku, quantity: n, discount_percent: String::new(), unit_price: None }), false)
    });

    let cur = currency.clone();
    let q_lines = quote.lines.clone();
    let rows = move || {
        let cat = catalog.with(|c| ok(c).cloned());
        let count = lines.with(Vec::len);
        (0..count)
            .map(|i| {
                let Some(d) = lines.with_untracked(|l| l.get(i).cloned()) else { return ().into_any() };
                let priced = q_lines.iter().find(|l| l.sku == d.sku);
                let term = cat.as_ref().and_then(|c| c.sku(&d.sku)).and_then(|s| s.term_months);
                let flag = term.and_then(|t| hardware_flag(&devices, starts_on, t)).map(|f| {
                    view! { <span class="cell-sub quote-flag">{f}</span> }
                });
                let promo =
                    priced.and_then(promotion_text).map(|p| view! { <span class="cell-sub quote-promo">{p}</span> });
                let list = cat
                    .as_ref()
                    .and_then(|c| c.sku(&d.sku))
                    .map(|s| money(s.list_price.amount_minor, &s.list_price.currency));
                let skus: Vec<AnyView> = cat
                    .as_ref()
                    .map(|c| {
                        let product = c.sku(&d.sku).map(|s| s.product.clone()).unwrap_or_default();
                        c.skus
                            .iter()
                            .filter(|s| s.product == product && s.kind == SkuKind::Plan)
                            .map(|s| view! { <option value=s.code.clone()>{s.code.clone()}</option> }.into_any())
                            .collect()
                    })
                    .unwrap_or_default();
                let total = priced.map(|l| money(l.total, &cur)).unwrap_or_else(|| "—".into());
                let description = priced.map(|l| l.description.clone()).unwrap_or_default();
                let set = move |f: fn(&mut LineDraft, String), v: String| {
                    lines.update(|l| {
                        if let Some(d) = l.get_mut(i) {
                            f(d, v)
                        }
                    })
                };
                let n = i + 1;
                view! {
                    <tr>
                        <td class="cell-primary" data-label="Item">
                            <label class="visually-hidden" for=format!("line-sku-{n}")>
                                {format!("Line {n} SKU")}
                            </label>
                            <select
                                id=format!("line-sku-{n}")
                                class="select select-sm"
                                prop:value=d.sku.clone()
                                on:change=move |ev| set(|d, v| d.sku = v, event_target_value(&ev))
                            >
                                {skus}
                            </select>
                            <span class="cell-sub">{description}</span>
                            {promo}
                            {flag}
                        </td>
                        <td data-label="Quantity">
                            <input
                                class="input input-sm input-number"
                                type="number"
                                min="1"
                                aria-label=format!("Line {n} quantity")
                                prop:value=d.quantity.clone()
                                on:input=move |ev| set(|d, v| d.quantity = v, event_target_value(&ev))
                            />
                        </td>
                        <td data-label="Unit price">
                            <input
                                class="input input-sm input-number"
                                inputmode="decimal"
                                aria-label=format!("Line {n} unit price")
                                placeholder=list.unwrap_or_default()
                                prop:value=d.unit_price.clone()
                                on:input=move |ev| set(|d, v| d.unit_price = v, event_target_value(&ev))
                            />
                        </td>
                        <td data-label="Discount %">
                            <input
                                class="input input-sm input-number"
                                inputmode="decimal"
                                aria-label=format!("Line {n} discount percent")
                                placeholder="0"
                                prop:value=d.discount.clone()
                                on:input=move |ev| set(|d, v| d.discount = v, event_target_value(&ev))
                            />
                        </td>
                        <td class="cell-number cell-strong" data-label="Total">{total}</td>
                        <td class="cell-actions">
                            <button
                                type="button"
                                class="btn btn-ghost btn-sm"
                                aria-label=format!("Remove line {n}")
                                on:click=move |_| {
                                    lines.update(|l| {
                                        if i < l.len() {
                                            l.remove(i);
                                        }
                                    })
                                }
                            >
                                "Remove"
                            </button>
                        </td>
                    </tr>
                }
                .into_any()
            })
            .collect::<Vec<_>>()
    };
    let total = money(quote.total, &currency);
    let customer = quote.customer.clone();
    let save_click = save.clone();
    view! {
        <PageHeader
            title=format!("Quote {} (draft)", quote.number)
            description=format!("For {customer}. Only a draft can be changed: send it when it is ready.")
        >
            <BusyButton class="btn btn-primary" busy=busy on_click=Callback::new(move |()| save(None, true))>
                "Send to customer"
            </BusyButton>
        </PageHeader>
        {move || problem.get().map(|p| view! { <p class="field-error" role="alert">{p}</p> })}
        {move || server.get().map(|e| view! { <ErrorBanner message=e.message /> })}
        <section class="card quote-section" aria-labelledby="quote-lines-title">
            <h2 id="quote-lines-title" class="section-title">
                "Lines"
            </h2>
            <div class="table-card">
                <table class="data-table quote-lines quote-lines-edit">
                    <thead>
                        <tr>
                            <th scope="col">"Item"</th>
                            <th scope="col">"Quantity"</th>
                            <th scope="col">"Unit price"</th>
                            <th scope="col">"Discount %"</th>
                            <th scope="col" class="cell-number">"Total"</th>
                            <th scope="col">
                                <span class="visually-hidden">"Actions"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr class="quote-total">
                            <th scope="row" colspan="4">
                                "Total"
                            </th>
                            <td class="cell-number">{total}</td>
                            <td></td>
                        </tr>
                    </tfoot>
                </table>
            </div>
            <div class="form-grid">
                <FormField id="quote-valid" label="Valid until" input_type="date" value=valid />
                <FormField id="quote-notes" label="Notes for the customer" value=notes />
            </div>
            <div class="quote-save">
                <p class="field-hint" role="status">
                    {move || {
                        if dirty() {
                            "Changed: save to price the quote again."
                        } else {
                            "Prices are the server's, as the customer will see them."
                        }
                    }}
                </p>
                <BusyButton class="btn btn-secondary" busy=busy on_click=Callback::new(move |()| save_click(None, false))>
                    "Save changes"
                </BusyButton>
            </div>
        </section>
        <section class="card quote-section" aria-labelledby="quote-add-title">
            <h2 id="quote-add-title" class="section-title">
                "Add an option"
            </h2>
            <p class="field-hint">
                {format!("Prices for plans starting on {}. Pick a cell to add it as a line.", short_day(starts_on))}
            </p>
            {matrix_when_loaded(catalog, product, quantity, Signal::derive(move || starts_on), add, busy)}
        </section>
    }
}

/// The product key of a plan SKU (`MON-STD-36` → `MON`).
fn sku_product(sku: &str) -> String {
    sku.split('-').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        date::parse(s).unwrap_or_default()
    }

    #[test]
    fn flags_count_what_falls_due_in_the_term() {
        let dev = |b: Option<&str>, w: Option<&str>| QuotedDevice {
            name: "UPS".into(),
            battery_replace_by: b.map(day),
            warranty_expires_on: w.map(day),
        };
        let devices =
            [dev(Some("2027-06-01"), None), dev(Some("2029-12-31"), Some("2027-12-31")), dev(Some("2027-02-01"), None)];
        let start = day("2027-01-01");
        assert_eq!(
            hardware_flag(&devices, start, 12).as_deref(),
            Some("2 devices need a new battery and 1 warranty ends during this term")
        );
        assert_eq!(
            hardware_flag(&devices, start, 36).as_deref(),
            Some("3 devices need a new battery and 1 warranty ends during this term")
        );
        assert_eq!(hardware_flag(&devices[..1], start, 1), None);
    }

    #[test]
    fn a_preset_is_the_main_customer_and_product_of_the_rows() {
        let row = |customer: &str, product: &str, kind: &str, quantity: u32| RenewalRow {
            kind: kind.into(),
            id: 1,
            product: product.into(),
            product_name: product.into(),
            tier: "STD".into(),
            quantity,
            activation_id: None,
            serial: Some("S-1".into()),
            device_name: None,
            site: None,
            customer: customer.into(),
            starts_on: day("2026-01-01"),
            expires_on: day("2027-01-01"),
            days_left: 30,
            status: tessera_domain::status::Status::Expiring,
            renewable: true,
            not_renewable_because: None,
            battery_replace_by: Some(day("2027-06-01")),
            warranty_expires_on: None,
        };
        let rows = [
            row("Acme", "MON", "device", 1),
            row("Beta", "MON", "device", 1),
            row("Acme", "DCM", "license", 25),
            row("Acme", "MON", "device", 1),
        ];
        let p = preset_from(rows.iter());
        assert_eq!((p.customer.as_str(), p.product.as_str(), p.quantity), ("Acme", "MON", 2));
        assert_eq!(p.devices.len(), 2);
        assert_eq!(p.devices[0].name, "S-1", "the serial when the device has no name");
        assert_eq!(preset_from([].iter()), Preset::default());
    }

    #[test]
    fn typed_lines_become_the_apis() {
        let d = |q: &str, p: &str| LineDraft {
            sku: "MON-STD-12".into(),
            quantity: q.into(),
            discount: "5".into(),
            unit_price: p.into(),
        };
        let ok = inputs_of(&[d("3", ""), d("1", "99.50")], "EUR").unwrap_or_default();
        assert_eq!((ok[0].quantity, ok[0].unit_price, ok[1].unit_price), (3, None, Some(9950)));
        assert_eq!(inputs_of(&[d("0", "")], "EUR"), Err("Line 1: please enter a quantity of at least 1.".into()));
        assert_eq!(inputs_of(&[d("1", "1.234")], "EUR"), Err("Line 1: please enter the unit price like 99.00.".into()));
        assert_eq!(term_text(36), "3 years");
        assert_eq!(sku_product("MON-STD-36"), "MON");
    }
}
