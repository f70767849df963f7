//! Quotes (SPEC §9, issue 15): a partner prices the options for a customer, sends the quote,
//! the customer accepts (an order) or declines; the bill of materials in each catalog
//! template. Partners see their own quotes, customers those sent to them: 404 otherwise.

use crate::csv::cell;
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::mail;
use crate::openapi::{
    BadAddress, Internal, MalformedJson, NoSuchObject, PayloadTooLarge, Unauthenticated, UnsupportedMediaType,
};
use crate::routes::verification::require_verified;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{NewQuote, QuoteError, QuoteRow};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use tessera_domain::api::{
    AcceptQuote, AcceptedQuote, CreateQuote, DeclineQuote, ErrorBody, OrgKind, Quote, QuoteLine, QuoteLineInput,
    QuoteOptions, QuotePatch,
};
use tessera_domain::catalog::Catalog;
use tessera_domain::email::Email;
use tessera_domain::pricing::{self, PriceError, PricedLine};
use utoipa::IntoParams;

/// Lines one quote may hold.
pub const MAX_LINES: usize = 100;

/// The API's view of a quote on `today` (a sent quote past its validity reads `expired`).
pub fn view(catalog: &Catalog, row: &QuoteRow, today: NaiveDate) -> Quote {
    let q = &row.quote;
    let state = if q.state == "sent" && q.valid_until < today { "expired".to_string() } else { q.state.clone() };
    Quote {
        id: q.id,
        number: q.number.clone(),
        state,
        partner: q.partner_name.clone(),
        partner_org_id: q.partner_org_id,
        customer: q.customer_name.clone(),
        customer_org_id: q.customer_org_id,
        customer_email: q.customer_email.clone(),
        lines: row
            .lines
            .iter()
            .map(|l| {
                let quantity = u32::try_from(l.quantity).unwrap_or(0);
                let bp = u32::try_from(l.discount_bp).unwrap_or(0);
                let per = pricing::price(catalog, &l.sku, quantity, bp, Some(l.unit_price), q.starts_on)
                    .map_or(0, |p| p.price_per_device_month);
                QuoteLine {
                    sku: l.sku.clone(),
                    description: catalog.sku(&l.sku).map_or_else(String::new, |s| s.name.clone()),
                    quantity,
                    unit_price: l.unit_price,
                    discount_percent: f64::from(bp) / 100.0,
                    promotion: l.promotion.clone(),
                    free_units: u32::try_from(l.free_units).unwrap_or(0),
                    bonus_months: u32::try_from(l.bonus_months).unwrap_or(0),
                    total: l.total,
                    price_per_device_month: per,
                }
            })
            .collect(),
        currency: q.currency.clone(),
        total: q.total,
        starts_on: q.starts_on,
        valid_until: q.valid_until,
        notes: q.notes.clone(),
        created_on: q.created_at.date_naive(),
        sent_on: q.sent_at.map(|t| t.date_naive()),
        decline_reason: q.decline_reason.clone(),
        order_id: q.order_id,
    }
}

fn no_such_quote() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such quote.")
}

fn price_error(e: PriceError, index: usize) -> ApiError {
    ApiError::invalid(e.code(), "lines", format!("Line {}: {}", index + 1, e.message()))
}

/// Prices every line on `starts_on`; one currency (the catalog's).
fn priced(catalog: &Catalog, lines: &[QuoteLineInput], starts_on: NaiveDate) -> ApiResult<Vec<PricedLine>> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(ApiError::invalid("validation", "lines", format!("A quote has 1 to {MAX_LINES} lines.")));
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let bp = l.discount_percent * 100.0;
            if !bp.is_finite() || !(0.0..=10_000.0).contains(&bp) || (bp - bp.round()).abs() > 1e-6 {
                return Err(price_error(PriceError::Discount, i));
            }
            // The check above keeps it within 0..=10,000.
            let bp = bp.round() as u32;
            pricing::price(catalog, l.sku.trim(), l.quantity, bp, l.unit_price, starts_on)
                .map_err(|e| price_error(e, i))
        })
        .collect()
}

fn require_partner(current: &CurrentUser) -> ApiResult<()> {
    if current.session.org.kind == OrgKind::Partner {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Only partners make quotes."))
    }
}

/// The quote, if the caller may see it: its partner, or its customer once sent.
async fn visible(state: &AppState, current: &CurrentUser, id: i64) -> ApiResult<QuoteRow> {
    let row = state.db.quote(id).await?.ok_or_else(no_such_quote)?;
    let (org, email) = (current.session.org.id, current.session.user.email.as_str());
    let q = &row.quote;
    let partner = q.partner_org_id == org;
    let customer = q.state != "draft"
        && (q.customer_org_id == Some(org)
            || (q.customer_org_id.is_none() && q.customer_email.as_deref() == Some(email)));
    if partner || customer {
        Ok(row)
    } else {
        Err(no_such_quote())
    }
}

fn quote_error(e: QuoteError) -> ApiError {
    match e {
        QuoteError::NotFound => no_such_quote(),
        QuoteError::WrongState(state) => {
            ApiError::conflict("quote_state", format!("This quote is {state}: it can no longer be changed that way."))
        }
        QuoteError::Expired => {
            ApiError::conflict("quote_expired", "This quote has expired: ask the partner for a new one.")
        }
        QuoteError::Db(e) => e.into(),
    }
}

/// `POST /api/v1/quotes`
#[utoipa::path(
    post,
    path = "/quotes",
    tag = "quotes",
    security(("session" = [], "csrf" = [])),
    request_body = CreateQuote,
    responses(
        (status = 201, description = "A draft, priced by the catalog (promotions valid on `starts_on`).", body = Quote),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only partners make quotes; `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`customer_unknown` (field `customer_org_id`: not an organization that \
            shares devices with you); `validation` (`customer`, `lines`, `valid_until`); `sku_unknown`, \
            `invalid_quantity`, `invalid_discount` (field `lines`); `email_invalid`; `invalid_body`.",
            body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(req): ApiJson<CreateQuote>,
) -> ApiResult<(StatusCode, Json<Quote>)> {
    require_partner(&current)?;
    let today = state.clock.today();
    let org = current.session.org.id;
    let (customer_org_id, name, email) = match (req.customer_org_id, &req.customer) {
        (Some(customer), None) => {
            let shares = state.db.device_shares(org).await?;
            let share =
                shares.iter().find(|s| s.customer_org_id == customer && s.partner_org_id == org).ok_or_else(|| {
                    ApiError::invalid(
                        "customer_unknown",
                        "customer_org_id",
                        "Quotes go to customers that share devices with you, or to a name and an address.",
                    )
                })?;
            (Some(customer), share.customer_name.clone(), None)
        }
        (None, Some(contact)) => {
            let name = contact.name.trim();
            if name.is_empty() || name.chars().count() > 120 {
                return Err(ApiError::invalid("validation", "customer", "Please enter the customer's name."));
            }
            let email =
                Email::parse(&contact.email).map_err(|e| ApiError::invalid(e.code(), "customer", e.message()))?;
            (None, name.to_string(), Some(email.into_string()))
        }
        _ => {
            return Err(ApiError::invalid(
                "validation",
                "customer",
                "Give either `customer_org_id` or `customer` (a name and an address).",
            ))
        }
    };
    let starts_on = req.starts_on.unwrap_or(today).max(today);
    if req.valid_until < today || req.notes.chars().count() > 4000 {
        return Err(ApiError::invalid("validation", "valid_until", "The quote must be valid until today or later."));
    }
    let lines = priced(&state.catalog, &req.lines, starts_on)?;
    let currency = lines.first().map_or_else(|| "EUR".to_string(), |l| l.currency.clone());
    let id = state
        .db
        .create_quote(
            NewQuote {
                partner_org_id: org,
                customer_org_id,
                customer_name: &name,
                customer_email: email.as_deref(),
                lines: &lines,
                currency: &currency,
                starts_on,
                valid_until: req.valid_until,
                notes: req.notes.trim(),
                created_by: current.session.user.id,
            },
            state.clock.now(),
        )
        .await?;
    let row = state.db.quote(id).await?.ok_or_else(no_such_quote)?;
    Ok((StatusCode::CREATED, Json(view(&state.catalog, &row, today))))
}

/// `GET /api/v1/quotes`
#[utoipa::path(
    get,
    path = "/quotes",
    tag = "quotes",
    security(("session" = [])),
    responses(
        (status = 200, description = "A partner's quotes, or a customer's received quotes (not drafts), newest \
            first.", body = [Quote]),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn list(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Vec<Quote>>> {
    let who = &current.session;
    let as_customer = who.org.kind != OrgKind::Partner;
    let rows = state.db.quotes_of(who.org.id, &who.user.email, as_customer).await?;
    let today = state.clock.today();
    Ok(Json(rows.iter().map(|r| view(&state.catalog, r, today)).collect()))
}

/// `GET /api/v1/quotes/{id}`
#[utoipa::path(
    get,
    path = "/quotes/{id}",
    tag = "quotes",
    security(("session" = [])),
    params(crate::openapi::IdPath),
    responses(
        (status = 200, description = "The quote.", body = Quote),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 404, response = NoSuchObject),
        (status = 500, response = Internal),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Quote>> {
    let row = visible(&state, &current, id).await?;
    Ok(Json(view(&state.catalog, &row, state.clock.today())))
}

/// `PATCH /api/v1/quotes/{id}`
#[utoipa::path(
    patch,
    path = "/quotes/{id}",
    tag = "quotes",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath),
    request_body = QuotePatch,
    responses(
        (status = 200, description = "The draft, re-priced.", body = Quote),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`csrf`; `password_change_required`.", body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`quote_state`: only drafts are edited.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "As for creating; `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<QuotePatch>,
) -> ApiResult<Json<Quote>> {
    let row = visible(&state, &current, id).await?;
    let org = current.session.org.id;
    if row.quote.partner_org_id != org {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Only the partner who made a quote edits it."));
    }
    let today = state.clock.today();
    if patch.valid_until.is_some_and(|d| d < today) {
        return Err(ApiError::invalid("validation", "valid_until", "The quote must be valid until today or later."));
    }
    let lines = patch.lines.as_deref().map(|l| priced(&state.catalog, l, row.quote.starts_on)).transpose()?;
    state
        .db
        .update_draft(org, id, lines.as_deref(), patch.valid_until, patch.notes.as_deref().map(str::trim))
        .await
        .map_err(quote_error)?;
    let row = state.db.quote(id).await?.ok_or_else(no_such_quote)?;
    Ok(Json(view(&state.catalog, &row, today)))
}

/// `POST /api/v1/quotes/{id}/send`
#[utoipa::path(
    post,
    path = "/quotes/{id}/send",
    tag = "quotes",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath),
    responses(
        (status = 200, description = "Sent: the customer's contact is mailed a link.", body = Quote),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (not the quote's partner); `email_unverified`; `csrf`; \
            `password_change_required`.", body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`quote_state` (not a draft); `quote_expired` (the validity date passed).",
            body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn send(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Quote>> {
    let row = visible(&state, &current, id).await?;
    let who = &current.session;
    if row.quote.partner_org_id != who.org.id {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Only the partner who made a quote sends it."));
    }
    require_verified(who)?;
    let q = &row.quote;
    let recipients: Vec<String> = match (q.customer_org_id, &q.customer_email) {
        (Some(customer), _) => state.db.notice_recipients(customer).await?,
        (None, Some(email)) => vec![email.clone()],
        (None, None) => Vec::new(),
    };
    let link = format!("{}/quotes", state.config.public_url);
    let about = format!(
        "{} sent you quote {} ({} {}), valid until {}. Review it and accept or decline it in Tessera.",
        q.partner_name,
        q.number,
        money(q.total),
        q.currency,
        q.valid_until
    );
    let subject = format!("Quote {} from {}", q.number, q.partner_name);
    let mails: Vec<_> =
        recipients.iter().map(|to| mail::quote_news("quote_sent", to, &subject, &about, &link)).collect();
    let today = state.clock.today();
    state.db.send_quote(who.org.id, id, &mails, today, state.clock.now()).await.map_err(quote_error)?;
    state.mail_wakeup.notify_one();
    let row = state.db.quote(id).await?.ok_or_else(no_such_quote)?;
    Ok(Json(view(&state.catalog, &row, today)))
}

/// Minor units as a plain amount: 708750 → "7087.50".
pub fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02}", m / 100, m % 100)
}

async fn decide(
    state: &AppState,
    current: &CurrentUser,
    id: i64,
    accept: Result<&str, Option<&str>>,
) -> ApiResult<(Option<i64>, Quote)> {
    let row = visible(state, current, id).await?;
    let q = &row.quote;
    if q.partner_org_id == current.session.org.id {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "The customer accepts or declines a quote."));
    }
    let partner_admins = state.db.notice_recipients(q.partner_org_id).await?;
    let (word, kind) = if accept.is_ok() { ("accepted", "quote_accepted") } else { ("declined", "quote_declined") };
    let subject = format!("Quote {} was {word}", q.number);
    let about = match accept {
        Ok(installer) => format!(
            "{} accepted quote {} ({} {}). The vendor fulfils the order; its vouchers go to {installer}.",
            q.customer_name,
            q.number,
            money(q.total),
            q.currency
        ),
        Err(reason) => format!(
            "{} declined quote {}.{}",
            q.customer_name,
            q.number,
            reason.map(|r| format!(" Their reason: {r}")).unwrap_or_default()
        ),
    };
    let link = format!("{}/quotes", state.config.public_url);
    let mails: Vec<_> = partner_admins.iter().map(|to| mail::quote_news(kind, to, &subject, &about, &link)).collect();
    let today = state.clock.today();
    let order = state.db.decide_quote(id, accept, &mails, today, state.clock.now()).await.map_err(quote_error)?;
    state.mail_wakeup.notify_one();
    let row = state.db.quote(id).await?.ok_or_else(no_such_quote)?;
    Ok((order, view(&state.catalog, &row, today)))
}

/// `POST /api/v1/quotes/{id}/accept`
#[utoipa::path(
    post,
    path = "/quotes/{id}/accept",
    tag = "quotes",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath),
    request_body = AcceptQuote,
    responses(
        (status = 200, description = "Accepted: an order for the vendor to fulfil; the partner is told.",
            body = AcceptedQuote),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (the partner cannot accept its own quote); `csrf`; \
            `password_change_required`.", body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`quote_expired`; `quote_state` (already accepted or declined).",
            body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`email_required`, `email_invalid` (field `installer_email`); \
            `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn accept(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AcceptQuote>,
) -> ApiResult<Json<AcceptedQuote>> {
    let installer =
        Email::parse(&req.installer_email).map_err(|e| ApiError::invalid(e.code(), "installer_email", e.message()))?;
    let (order, quote) = decide(&state, &current, id, Ok(installer.as_str())).await?;
    Ok(Json(AcceptedQuote { order_id: order.unwrap_or_default(), quote }))
}

/// `POST /api/v1/quotes/{id}/decline`
#[utoipa::path(
    post,
    path = "/quotes/{id}/decline",
    tag = "quotes",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath),
    request_body = DeclineQuote,
    responses(
        (status = 200, description = "Declined; the partner is told (with the reason, if given).", body = Quote),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`; `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`quote_expired`; `quote_state`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`validation` (a reason over 1,000 characters); `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn decline(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DeclineQuote>,
) -> ApiResult<Json<Quote>> {
    let reason = req.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 1000) {
        return Err(ApiError::invalid("validation", "reason", "At most 1,000 characters."));
    }
    let (_, quote) = decide(&state, &current, id, Err(reason)).await?;
    Ok(Json(quote))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OptionsQuery {
    /// The product's key, e.g. `RUM`.
    sku_family: String,
    #[param(minimum = 1, maximum = 100000)]
    quantity: u32,
    /// The day promotions are judged on (`YYYY-MM-DD`; today when absent).
    starts_on: Option<String>,
}

/// `GET /api/v1/quotes/options`
#[utoipa::path(
    get,
    path = "/quotes/options",
    tag = "quotes",
    security(("session" = [])),
    params(OptionsQuery),
    responses(
        (status = 200, description = "The option matrix: every term × tier of the product for the quantity, with \
            list total, promotions, total and price per device-month; the best value per device-month marked.",
            body = QuoteOptions),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 422, description = "`sku_unknown` (field `sku_family`), `invalid_quantity`, `validation` \
            (field `starts_on`).", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn options(
    State(state): State<AppState>,
    _current: CurrentUser,
    ApiQuery(q): ApiQuery<OptionsQuery>,
) -> ApiResult<Json<QuoteOptions>> {
    let day = match q.starts_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => state.clock.today(),
        Some(text) => tessera_domain::catalog::date::parse(text)
            .ok_or_else(|| ApiError::invalid("validation", "starts_on", "A date like 2027-03-31."))?,
    };
    let options = pricing::options(&state.catalog, q.sku_family.trim(), q.quantity, day).map_err(|e| {
        let field = if e == PriceError::UnknownSku { "sku_family" } else { "quantity" };
        ApiError::invalid(e.code(), field, e.message())
    })?;
    Ok(Json(QuoteOptions { quantity: q.quantity, options }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BomQuery {
    /// A catalog export template: `generic`, `distributor`, `erp` (or another the catalog defines).
    template: Option<String>,
}

/// `GET /api/v1/quotes/{id}/bom.csv`
#[utoipa::path(
    get,
    path = "/quotes/{id}/bom.csv",
    tag = "quotes",
    security(("session" = [])),
    params(crate::openapi::IdPath, BomQuery),
    responses(
        (status = 200, description = "The bill of materials in the template's columns (the catalog's export \
            templates), one row per line, money in minor units, text cells guarded against formulas.",
            content_type = "text/csv", body = String,
            headers(("Content-Disposition" = String, description = "attachment; filename=\"Q-….-TEMPLATE.csv\""))),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 404, response = NoSuchObject),
        (status = 422, description = "`template_unknown` (field `template`).", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn bom(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<BomQuery>,
) -> ApiResult<Response> {
    let row = visible(&state, &current, id).await?;
    let name = q.template.as_deref().map(str::trim).unwrap_or("generic");
    let template = state.catalog.export_template(name).ok_or_else(|| {
        ApiError::invalid(
            "template_unknown",
            "template",
            format!("There is no export template \u{201c}{name}\u{201d}."),
        )
    })?;
    let quote = view(&state.catalog, &row, state.clock.today());
    let installer = match quote.order_id {
        Some(order) => state.db.order(order).await?.map(|o| o.installer_email),
        None => None,
    };
    let mut out = template.columns.join(",");
    out.push_str("\r\n");
    for (i, l) in quote.lines.iter().enumerate() {
        let sku = state.catalog.sku(&l.sku);
        let product = sku.and_then(|s| state.catalog.product(&s.product));
        let net = pricing::div_round(
            i128::from(l.unit_price) * i128::from(10_000 - (l.discount_percent * 100.0).round() as u32),
            10_000,
        );
        let cells: Vec<String> = template
            .columns
            .iter()
            .map(|c| match c.as_str() {
                "line" => (i + 1).to_string(),
                "sku" => cell(&l.sku),
                "description" => cell(&l.description),
                "product" => cell(sku.map_or("", |s| s.product.as_str())),
                "product_name" => cell(product.map_or("", |p| p.name.as_str())),
                "tier" => cell(sku.and_then(|s| s.tier.as_deref()).unwrap_or("")),
                "term_months" => sku.and_then(|s| s.term_months).map(|t| t.to_string()).unwrap_or_default(),
                "unit" => cell(sku.map_or("", |s| {
                    if s.unit == tessera_domain::catalog::SkuUnit::Term {
                        "term"
                    } else {
                        "month"
                    }
                })),
                "quantity" => l.quantity.to_string(),
                "free_units" => l.free_units.to_string(),
                "bonus_months" => l.bonus_months.to_string(),
                "list_price" => l.unit_price.to_string(),
                "discount_percent" => format!("{}", l.discount_percent),
                "net_price" => net.to_string(),
                "line_total" => l.total.to_string(),
                "currency" => cell(&quote.currency),
                "quote_reference" => cell(&quote.number),
                "customer" => cell(&quote.customer),
                "installer_email" => cell(installer.as_deref().unwrap_or("")),
                "valid_until" => quote.valid_until.to_string(),
                _ => String::new(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    let disposition = format!("attachment; filename=\"{}-{}.csv\"", quote.number, template.name);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        out,
    )
        .into_response())
}
