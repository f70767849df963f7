//! Licenses (SPEC §4, issue 12): created from the credits of the person's Digital Locker,
//! owned by their organization. The rules are the domain's (`tessera_domain::license`);
//! these handlers check who asks, load, ask the rules, and hand the writing to the credit
//! writer (one transaction: ledger entries, the license, its event, the mail, the answer
//! kept under the `Idempotency-Key`).

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiPath};
use crate::license_file;
use crate::mail;
use crate::openapi::{
    BadAddress, Internal, MalformedJson, NoSuchObject, PayloadTooLarge, Unauthenticated, UnsupportedMediaType,
};
use crate::routes::locker::require_locker_holder;
use crate::routes::verification;
use crate::security;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{Actor, IdempotencyKey, LicenseOp, LicenseRefusal, LicenseRow, LicenseWork};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use rand_core::OsRng;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use tessera_domain::api::{
    AddOnRequest, AmendRequest, CreateLicenseRequest, ErrorBody, IncreaseRequest, License, LicenseAddOn, LicenseEvent,
    LicenseKey, LicenseList, LicensePreview, RenewRequest,
};
use tessera_domain::catalog::Catalog;
use tessera_domain::code::Code;
use tessera_domain::dates::remaining_months;
use tessera_domain::email::Email;
use tessera_domain::license::{self, Change, Consumption, LicenseError, NewLicense};
use utoipa::ToSchema;

/// A list answers at most this many licenses (soonest expiry first).
pub const LIST_LIMIT: i64 = 10_000;

/// The header that makes a credit-consuming request safe to retry (SPEC §11).
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// What an operation answers with 200: the license as it now is, or with `"preview": true`,
/// what it would cost. (For the OpenAPI document: the two differ in their required fields.)
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum LicenseAnswer {
    License(License),
    Preview(LicensePreview),
}

/// The API's view of a license on `today`.
pub fn view(catalog: &Catalog, row: &LicenseRow, today: NaiveDate) -> License {
    let rules = row.rules();
    let l = &row.license;
    License {
        id: l.id,
        activation_id: Code::parse(&l.activation_id).map_or_else(|_| l.activation_id.clone(), |c| c.grouped()),
        product: l.product.clone(),
        tier: l.tier.clone(),
        term_months: rules.term_months,
        quantity: rules.quantity,
        starts_on: l.starts_on,
        expires_on: l.expires_on,
        status: license::status(catalog, &rules, today),
        days_left: license::days_to_expiry(&rules, today),
        remaining_months: remaining_months(l.starts_on, l.expires_on, today),
        sku: license::license_sku(catalog, &rules).unwrap_or_default(),
        installer_email: l.installer_email.clone(),
        addons: row
            .addons
            .iter()
            .map(|a| LicenseAddOn {
                sku: a.sku.clone(),
                name: catalog.sku(&a.sku).map_or_else(|| a.sku.clone(), |s| s.name.clone()),
                added_on: a.added_on,
            })
            .collect(),
        events: row
            .events
            .iter()
            .map(|e| LicenseEvent {
                kind: e.kind,
                on: e.on_day,
                at: e.at,
                actor: e.actor_name.clone(),
                summary: e.summary.clone(),
                consumed: e.consumed(),
            })
            .collect(),
    }
}

/// [`view`] as JSON: the body the credit writer keeps for a replay.
pub fn render(catalog: &Catalog, row: &LicenseRow, today: NaiveDate) -> String {
    serde_json::to_string(&view(catalog, row, today)).unwrap_or_else(|_| "{}".into())
}

fn rule_error(e: LicenseError) -> ApiError {
    let status = if e.is_conflict() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    let error = ApiError::new(status, e.code(), e.message());
    match e.field() {
        Some(field) => error.with_field(field),
        None => error,
    }
}

fn no_such_license() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such license in your organization.")
}

/// 409 `insufficient_credits`, naming what is missing.
pub fn insufficient(catalog: &Catalog, missing: Vec<Consumption>) -> ApiError {
    let mut e = ApiError::conflict("insufficient_credits", license::insufficient_message(catalog, &missing));
    e.missing = Some(Box::new(missing));
    e
}

/// The request's `Idempotency-Key`, with the hash of the operation and body it goes with.
pub fn idempotency_key<T: Serialize>(
    headers: &HeaderMap,
    operation: &str,
    body: &T,
) -> ApiResult<Option<IdempotencyKey>> {
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else { return Ok(None) };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_invalid",
                "The Idempotency-Key header must be 1 to 255 visible ASCII characters, e.g. a UUID.",
            )
        })?;
    let canonical = serde_json::to_string(body).map_err(ApiError::internal)?;
    Ok(Some(IdempotencyKey {
        key: key.to_string(),
        request_hash: security::token_hash(&format!("{operation}\n{canonical}")),
    }))
}

/// The kept (or first) answer of a credit-consuming request, as JSON.
pub fn replayable(done: crate::storage::LicenseDone) -> Response {
    let status = StatusCode::from_u16(done.status).unwrap_or(StatusCode::OK);
    let mut response = (status, done.body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// 422 `idempotency_key_reused`.
pub fn key_reused() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request. Use a new key for a new request.",
    )
}

fn refusal(state: &AppState, e: LicenseRefusal) -> ApiError {
    match e {
        LicenseRefusal::NotFound => no_such_license(),
        LicenseRefusal::Rule(rule) => rule_error(rule),
        LicenseRefusal::Insufficient(missing) => insufficient(&state.catalog, missing),
        LicenseRefusal::KeyReused => key_reused(),
        LicenseRefusal::Db(e) => e.into(),
    }
}

/// What a change would cost the person's locker, and the license it would make: `before` is
/// the license changed, or the installer's address of a new one.
async fn preview(
    state: &AppState,
    current: &CurrentUser,
    change: Change,
    before: Result<&LicenseRow, &str>,
) -> ApiResult<Response> {
    let today = state.clock.today();
    let skus: Vec<&str> = change.consumes.iter().map(|c| c.sku.as_str()).collect();
    let held = state.db.balances_of(current.session.user.id, &skus).await?;
    let balance = |sku: &str| held.iter().find(|(s, _)| s == sku).map_or(0, |(_, b)| *b);
    let missing = license::missing(&change.consumes, balance);
    let mut keeps: Vec<Consumption> = Vec::new();
    for c in &change.consumes {
        match keeps.iter_mut().find(|k| k.sku == c.sku) {
            Some(k) => k.device_months = k.device_months.saturating_sub(c.device_months),
            None => keeps.push(Consumption {
                sku: c.sku.clone(),
                device_months: balance(&c.sku).saturating_sub(c.device_months),
            }),
        }
    }
    let mut row = match before {
        Ok(row) => row.clone(),
        Err(installer_email) => LicenseRow {
            license: crate::storage::LicenseRecord {
                id: 0,
                org_id: current.session.org.id,
                activation_id: String::new(),
                product: String::new(),
                tier: String::new(),
                term_months: 0,
                quantity: 0,
                starts_on: today,
                expires_on: today,
                installer_email: installer_email.to_string(),
            },
            addons: Vec::new(),
            events: Vec::new(),
        },
    };
    let after = &change.after;
    row.license.product = after.product.clone();
    row.license.tier = after.tier.clone();
    row.license.term_months = i64::from(after.term_months);
    row.license.quantity = i64::from(after.quantity);
    row.license.starts_on = after.starts_on;
    row.license.expires_on = after.expires_on;
    for sku in after.addons.iter().skip(row.addons.len()) {
        row.addons.push(crate::storage::AddOnRecord { license_id: row.license.id, sku: sku.clone(), added_on: today });
    }
    let license = view(&state.catalog, &row, today);
    Ok(Json(LicensePreview { consumes: change.consumes, missing, keeps, license }).into_response())
}

/// Runs `op` through the credit writer and answers as it did.
async fn write(
    state: &AppState,
    current: &CurrentUser,
    op: LicenseOp,
    idempotency: Option<IdempotencyKey>,
    action: Action,
) -> ApiResult<Response> {
    let who = &current.session;
    let work = LicenseWork {
        op,
        actor: Actor { user_id: who.user.id, name: who.user.name.clone(), org_id: who.org.id },
        now: state.clock.now(),
        idempotency,
        catalog: state.catalog.clone(),
        render,
    };
    let done = state.db.license_job(work).await.map_err(|e| refusal(state, e))?;
    if !done.replayed {
        audit::Event::new(action, &current.request_id).actor(who.user.id).emit();
        state.mail_wakeup.notify_one();
    }
    Ok(replayable(done))
}

/// `POST /api/v1/licenses`
#[utoipa::path(
    post,
    path = "/licenses",
    tag = "licenses",
    security(("session" = [], "csrf" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key with the \
        same body answers the first answer again and consumes nothing more (kept 24 hours, per person).")),
    request_body = CreateLicenseRequest,
    responses(
        (status = 200, description = "`preview: true`: what it would consume and the license it would make; \
            nothing written.", body = LicensePreview),
        (status = 201, description = "Created: the credits consumed, the Activation ID mailed to the installer.",
            body = License),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (vendor accounts have no locker); `email_unverified` (the \
            installer is someone else and the person's own address is not confirmed); `csrf`; \
            `password_change_required`.", body = ErrorBody),
        (status = 409, description = "`insufficient_credits`: nothing consumed; `error.missing` lists what \
            the locker lacks per SKU.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`product_unknown`, `product_not_license`, `tier_unknown`, `invalid_term`, \
            `plan_unavailable`, `invalid_quantity`, `start_date_past`, `start_date_too_late`, `email_required`, \
            `email_invalid` (with `field`); `idempotency_key_invalid`, `idempotency_key_reused`; `invalid_body`.",
            body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreateLicenseRequest>,
) -> ApiResult<Response> {
    let who = &current.session;
    require_locker_holder(who)?;
    let today = state.clock.today();
    let new = NewLicense {
        product: req.product.trim(),
        tier: req.tier.trim(),
        term_months: req.term_months,
        quantity: req.quantity,
        starts_on: req.start_date,
    };
    let change = license::create(&state.catalog, &new, today).map_err(rule_error)?;
    let installer =
        Email::parse(&req.installer_email).map_err(|e| ApiError::invalid(e.code(), "installer_email", e.message()))?;
    if req.preview {
        return preview(&state, &current, change, Err(installer.as_str())).await;
    }
    // Mailing someone else needs a confirmed address; mailing oneself does not.
    if installer.as_str() != who.user.email {
        verification::require_verified(who)?;
    }
    let idempotency = idempotency_key(&headers, "POST /licenses", &req)?;
    let op = create_op(&state, &change, installer);
    write(&state, &current, op, idempotency, Action::LicenseCreated).await
}

/// The job that writes a new license `change` (from [`license::create`]): a fresh Activation
/// ID, and its mail to the installer.
pub fn create_op(state: &AppState, change: &Change, installer: Email) -> LicenseOp {
    let activation = Code::generate(&mut OsRng);
    let product_name = state.catalog.product(&change.after.product).map_or("", |p| p.name.as_str());
    let tier_name = state
        .catalog
        .product(&change.after.product)
        .and_then(|p| p.tier(&change.after.tier))
        .map_or(change.after.tier.as_str(), |t| t.name.as_str());
    let what = format!("{product_name} {tier_name}");
    let period = format!(
        "{} {} from {} to {}",
        change.after.quantity,
        if change.after.quantity == 1 { "asset" } else { "assets" },
        change.after.starts_on,
        change.after.expires_on
    );
    let mail = mail::activation(
        installer.as_str(),
        &what,
        &activation.grouped(),
        &period,
        &format!("{}/licenses", state.config.public_url),
    );
    LicenseOp::Create {
        product: change.after.product.clone(),
        tier: change.after.tier.clone(),
        term_months: change.after.term_months,
        quantity: change.after.quantity,
        starts_on: Some(change.after.starts_on),
        installer_email: installer.into_string(),
        activation_id: activation.as_compact().to_string(),
        mail,
    }
}

/// `GET /api/v1/licenses`
#[utoipa::path(
    get,
    path = "/licenses",
    tag = "licenses",
    security(("session" = [])),
    responses(
        (status = 200, description = "The organization's licenses (10,000 at most), soonest expiry first, without \
            their histories.", body = LicenseList),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn list(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<LicenseList>> {
    let today = state.clock.today();
    let rows = state.db.licenses(current.session.org.id, LIST_LIMIT).await?;
    Ok(Json(LicenseList { licenses: rows.iter().map(|r| view(&state.catalog, r, today)).collect(), today }))
}

/// `GET /api/v1/licenses/{id}`
#[utoipa::path(
    get,
    path = "/licenses/{id}",
    tag = "licenses",
    security(("session" = [])),
    params(crate::openapi::IdPath),
    responses(
        (status = 200, description = "The license with its add-ons and history.", body = License),
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
) -> ApiResult<Json<License>> {
    let row = state.db.license(current.session.org.id, id).await?.ok_or_else(no_such_license)?;
    Ok(Json(view(&state.catalog, &row, state.clock.today())))
}

/// Loads the license for a change, or 404.
async fn load(state: &AppState, current: &CurrentUser, id: i64) -> ApiResult<LicenseRow> {
    require_locker_holder(&current.session)?;
    state.db.license(current.session.org.id, id).await?.ok_or_else(no_such_license)
}

/// `POST /api/v1/licenses/{id}/increase`
#[utoipa::path(
    post,
    path = "/licenses/{id}/increase",
    tag = "licenses",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath, ("Idempotency-Key" = Option<String>, Header, description = "As for creating.")),
    request_body = IncreaseRequest,
    responses(
        (status = 200, description = "The license as it now is; with `preview: true` the cost (`by` × the months \
            left of the license's SKU) and the license as it would be.", body = LicenseAnswer),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (vendor accounts); `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`insufficient_credits` (with `error.missing`); `license_ended`.",
            body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_quantity`; `idempotency_key_invalid`, `idempotency_key_reused`; \
            `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn increase(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<IncreaseRequest>,
) -> ApiResult<Response> {
    let row = load(&state, &current, id).await?;
    let change = license::increase(&state.catalog, &row.rules(), req.by, state.clock.today()).map_err(rule_error)?;
    if req.preview {
        return preview(&state, &current, change, Ok(&row)).await;
    }
    let key = idempotency_key(&headers, &format!("POST /licenses/{id}/increase"), &req)?;
    write(&state, &current, LicenseOp::Increase { id, by: req.by }, key, Action::LicenseChanged).await
}

/// `POST /api/v1/licenses/{id}/renew`
#[utoipa::path(
    post,
    path = "/licenses/{id}/renew",
    tag = "licenses",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath, ("Idempotency-Key" = Option<String>, Header, description = "As for creating.")),
    request_body = RenewRequest,
    responses(
        (status = 200, description = "The license as it now is (the term appended to the end date, or from today \
            past grace when the product allows it; add-ons renewed with it); with `preview: true` the cost and \
            the license as it would be.", body = LicenseAnswer),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (vendor accounts); `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`renewal_not_allowed` (past grace on a product that is not renewed after \
            expiry: buy a new license); `insufficient_credits` (with `error.missing`).", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_term`, `plan_unavailable`; `idempotency_key_invalid`, \
            `idempotency_key_reused`; `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn renew(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RenewRequest>,
) -> ApiResult<Response> {
    let row = load(&state, &current, id).await?;
    let change =
        license::renew(&state.catalog, &row.rules(), req.term_months, state.clock.today()).map_err(rule_error)?;
    if req.preview {
        return preview(&state, &current, change, Ok(&row)).await;
    }
    let key = idempotency_key(&headers, &format!("POST /licenses/{id}/renew"), &req)?;
    write(&state, &current, LicenseOp::Renew { id, term_months: req.term_months }, key, Action::LicenseChanged).await
}

/// `POST /api/v1/licenses/{id}/amend`
#[utoipa::path(
    post,
    path = "/licenses/{id}/amend",
    tag = "licenses",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath, ("Idempotency-Key" = Option<String>, Header, description = "As for creating.")),
    request_body = AmendRequest,
    responses(
        (status = 200, description = "The license as it now is (the tier changed from today, the end date \
            unchanged); with `preview: true` the cost (quantity × the months left of the amendment SKU) and the \
            license as it would be.", body = LicenseAnswer),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (vendor accounts); `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`insufficient_credits` (with `error.missing`); `license_ended`.",
            body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`tier_unknown`, `amendment_not_upgrade`, `amendment_unavailable`; \
            `idempotency_key_invalid`, `idempotency_key_reused`; `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn amend(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AmendRequest>,
) -> ApiResult<Response> {
    let row = load(&state, &current, id).await?;
    let change =
        license::amend(&state.catalog, &row.rules(), req.tier.trim(), state.clock.today()).map_err(rule_error)?;
    if req.preview {
        return preview(&state, &current, change, Ok(&row)).await;
    }
    let key = idempotency_key(&headers, &format!("POST /licenses/{id}/amend"), &req)?;
    write(&state, &current, LicenseOp::Amend { id, tier: req.tier.trim().to_string() }, key, Action::LicenseChanged)
        .await
}

/// `POST /api/v1/licenses/{id}/addons`
#[utoipa::path(
    post,
    path = "/licenses/{id}/addons",
    tag = "licenses",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath, ("Idempotency-Key" = Option<String>, Header, description = "As for creating.")),
    request_body = AddOnRequest,
    responses(
        (status = 200, description = "The license as it now is (the module until the end date); with \
            `preview: true` the cost (the months left of the add-on SKU) and the license as it would be.",
            body = LicenseAnswer),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (vendor accounts); `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`insufficient_credits` (with `error.missing`); `license_ended`; \
            `addon_present`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`addon_unknown`; `idempotency_key_invalid`, `idempotency_key_reused`; \
            `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn add_on(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AddOnRequest>,
) -> ApiResult<Response> {
    let row = load(&state, &current, id).await?;
    let change =
        license::add_on(&state.catalog, &row.rules(), req.sku.trim(), state.clock.today()).map_err(rule_error)?;
    if req.preview {
        return preview(&state, &current, change, Ok(&row)).await;
    }
    let key = idempotency_key(&headers, &format!("POST /licenses/{id}/addons"), &req)?;
    let sku = change.after.addons.last().cloned().unwrap_or_default();
    write(&state, &current, LicenseOp::AddOn { id, sku }, key, Action::LicenseChanged).await
}

/// The signed document of a license (see `license_file`).
pub fn document(state: &AppState, license: &License, licensee: &str) -> Value {
    let product = state.catalog.product(&license.product);
    let mut fields: BTreeMap<String, Value> = BTreeMap::new();
    fields.insert("format".into(), json!(license_file::FORMAT));
    fields.insert("activation_id".into(), json!(license.activation_id));
    fields.insert("product".into(), json!(license.product));
    fields.insert("product_name".into(), json!(product.map_or("", |p| p.name.as_str())));
    fields.insert("tier".into(), json!(license.tier));
    fields.insert("quantity".into(), json!(license.quantity));
    fields.insert("starts_on".into(), json!(license.starts_on.to_string()));
    fields.insert("expires_on".into(), json!(license.expires_on.to_string()));
    // Days the product keeps working after `expires_on`: an offline installation needs it.
    fields.insert("grace_days".into(), json!(product.map_or(0, |p| p.grace_days)));
    fields.insert("addons".into(), json!(license.addons.iter().map(|a| a.sku.clone()).collect::<Vec<_>>()));
    fields.insert("licensee".into(), json!(licensee));
    fields.insert("issued_at".into(), json!(crate::clock::to_db(state.clock.now())));
    fields.insert("key_id".into(), json!(state.signer.key_id()));
    state.signer.sign(fields)
}

/// `GET /api/v1/licenses/{id}/file`
#[utoipa::path(
    get,
    path = "/licenses/{id}/file",
    tag = "licenses",
    security(("session" = [])),
    params(crate::openapi::IdPath),
    responses(
        (status = 200, description = "The signed license file, as a download: the license's fields (`format`, \
            `activation_id`, `product`, `product_name`, `tier`, `quantity`, `starts_on`, `expires_on`, \
            `grace_days`, `addons`, `licensee`, `issued_at`, `key_id`) and `signature`, Ed25519 (base64) over \
            the compact JSON of the others with keys in order. Check it with `GET /license-key` or \
            `tessera-server license verify FILE`.", body = Object,
            headers(("Content-Disposition" = String, description = "attachment; filename=\"license-XXXX-XXXX-XXXX-XXXX.json\""))),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 404, response = NoSuchObject),
        (status = 500, response = Internal),
    )
)]
pub async fn file(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let row = state.db.license(current.session.org.id, id).await?.ok_or_else(no_such_license)?;
    let license = view(&state.catalog, &row, state.clock.today());
    let doc = document(&state, &license, &current.session.org.name);
    let body = serde_json::to_string_pretty(&doc).map_err(ApiError::internal)?;
    let disposition = format!("attachment; filename=\"license-{}.json\"", license.activation_id);
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `GET /api/v1/license-key`
#[utoipa::path(
    get,
    path = "/license-key",
    tag = "licenses",
    security(()),
    responses(
        (status = 200, description = "The public key license files are signed with. Public: an installation \
            checks files against it without an account.", body = LicenseKey),
        (status = 500, response = Internal),
    )
)]
pub async fn key(State(state): State<AppState>) -> Json<LicenseKey> {
    use base64::Engine;
    let key = state.signer.verifying_key();
    Json(LicenseKey {
        algorithm: "Ed25519".into(),
        public_key: base64::engine::general_purpose::STANDARD.encode(key.as_bytes()),
        key_id: license_file::key_id(&key),
        pem: license_file::public_pem(&key),
    })
}
