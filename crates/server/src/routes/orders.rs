//! Orders (SPEC §9, issue 15): an accepted quote, fulfilled by the vendor with vouchers
//! mailed to the installer — once, also when Fulfil is pressed twice or from two places.

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiPath;
use crate::mail;
use crate::openapi::{BadAddress, Internal, NoSuchObject, Unauthenticated};
use crate::routes::quotes::view as quote_view;
use crate::routes::vouchers::{device_months, require_vendor};
use crate::security;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{NewMail, NewVoucher, OrderRecord, QuoteError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use rand_core::OsRng;
use tessera_domain::api::{ErrorBody, Order};
use tessera_domain::code::Code;

async fn view(state: &AppState, o: OrderRecord) -> ApiResult<Order> {
    let row = state.db.quote(o.quote_id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Order {
        id: o.id,
        state: o.state,
        quote: quote_view(&state.catalog, &row, state.clock.today()),
        installer_email: o.installer_email,
        created_at: o.created_at,
        fulfilled_at: o.fulfilled_at,
    })
}

/// `GET /api/v1/orders`
#[utoipa::path(
    get,
    path = "/orders",
    tag = "orders",
    security(("session" = [])),
    responses(
        (status = 200, description = "Every order, newest first, with its quote (the vendor's back office).",
            body = [Order]),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only the vendor's operators; `password_change_required`.",
            body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn list(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Vec<Order>>> {
    require_vendor(&current)?;
    let mut out = Vec::new();
    for o in state.db.orders().await? {
        out.push(view(&state, o).await?);
    }
    Ok(Json(out))
}

/// Fulfils an order: one voucher per line (its units and the free ones), mailed to the
/// installer, written with the order's new state in one transaction. Shared by the API
/// and `tessera-server orders fulfil`.
pub async fn fulfil_order(state: &AppState, id: i64, by: Option<i64>) -> ApiResult<Order> {
    let order = state.db.order(id).await?.ok_or_else(no_such_order)?;
    if order.state != "open" {
        return Err(already());
    }
    let row = state.db.quote(order.quote_id).await?.ok_or_else(no_such_order)?;
    let mut vouchers = Vec::new();
    let mut mails: Vec<NewMail> = Vec::new();
    for line in &row.lines {
        let sku = state
            .catalog
            .sku(&line.sku)
            .ok_or_else(|| ApiError::internal(format!("order {id}: SKU {} left the catalog", line.sku)))?;
        let units = u32::try_from(line.quantity + line.free_units).unwrap_or(0);
        let code = Code::generate(&mut OsRng);
        vouchers.push(NewVoucher {
            code_hash: security::token_hash(code.as_compact()),
            code_hint: code.last_four().to_string(),
            sku: sku.code.clone(),
            quantity: i64::from(units),
            device_months: i64::try_from(device_months(sku, units)).map_err(ApiError::internal)?,
            email: Some(order.installer_email.clone()),
            expires_on: None,
        });
        let what = format!("{units} \u{d7} {} ({}), order of quote {}", sku.code, sku.name, row.quote.number);
        mails.push(mail::vouchers(
            &order.installer_email,
            &what,
            &[code.grouped()],
            &format!("{}/locker", state.config.public_url),
            None,
        ));
    }
    match state.db.fulfil_order(id, &vouchers, &mails, by, state.clock.now()).await {
        Ok(()) => {}
        Err(QuoteError::WrongState(_)) => return Err(already()),
        Err(QuoteError::NotFound) => return Err(no_such_order()),
        Err(QuoteError::Expired) => return Err(already()),
        Err(QuoteError::Db(e)) => return Err(e.into()),
    }
    state.mail_wakeup.notify_one();
    let order = state.db.order(id).await?.ok_or_else(no_such_order)?;
    view(state, order).await
}

fn no_such_order() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such order.")
}

fn already() -> ApiError {
    ApiError::conflict("order_fulfilled", "This order was fulfilled already: its vouchers were issued once.")
}

/// `POST /api/v1/orders/{id}/fulfil`
#[utoipa::path(
    post,
    path = "/orders/{id}/fulfil",
    tag = "orders",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath),
    responses(
        (status = 200, description = "Fulfilled: one voucher per line (its units and the free ones) mailed to the \
            installer.", body = Order),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only the vendor's operators; `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`order_fulfilled`: fulfilled already (also by a concurrent request); no \
            voucher issued again.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn fulfil(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Order>> {
    require_vendor(&current)?;
    let order = fulfil_order(&state, id, Some(current.session.user.id)).await?;
    audit::Event::new(Action::VouchersIssued, &current.request_id)
        .actor(current.session.user.id)
        .target(Some(id))
        .emit();
    Ok(Json(order))
}
