//! The renewals dashboard (SPEC §8, issue 14): every license and device subscription the
//! organization can see, with its status on the server's today, in renewal-eligibility
//! order; and the same list as the renewals report (CSV) for a partner's quote.

use crate::csv::cell;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiQuery;
use crate::openapi::{Internal, Unauthenticated};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{DeviceRow, LicenseRow};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use tessera_domain::api::{ErrorBody, RenewalCounts, RenewalRow, Renewals};
use tessera_domain::catalog::Catalog;
use tessera_domain::code::Code;
use tessera_domain::dates::days_left;
use tessera_domain::renewals::eligibility;
use tessera_domain::search::Query;
use tessera_domain::status::{status_on, Status};
use utoipa::IntoParams;

/// The report's columns, in order (issue 14's contract).
pub const REPORT_HEADER: &str = "kind,customer,product,tier,quantity,activation_id,serial,device_name,site,starts_on,\
                                 expires_on,days_left,status,battery_replace_by,warranty_expires_on";

fn renewable(catalog: &Catalog, product: &str, status: Status) -> (bool, Option<String>) {
    let allowed = catalog.product(product).is_none_or(|p| p.renew_after_expiry);
    if status == Status::Expired && !allowed {
        (false, Some("This product cannot be renewed after it expired: buy a new license.".into()))
    } else {
        (true, None)
    }
}

fn product_name(catalog: &Catalog, key: &str) -> String {
    catalog.product(key).map_or_else(|| key.to_string(), |p| p.name.clone())
}

/// A license's row.
pub fn license_row(catalog: &Catalog, row: &LicenseRow, customer: &str, today: NaiveDate) -> RenewalRow {
    let l = &row.license;
    let rules = row.rules();
    let status = tessera_domain::license::status(catalog, &rules, today);
    let (renewable, because) = renewable(catalog, &l.product, status);
    RenewalRow {
        kind: "license".into(),
        id: l.id,
        product: l.product.clone(),
        product_name: product_name(catalog, &l.product),
        tier: l.tier.clone(),
        quantity: rules.quantity,
        activation_id: Some(Code::parse(&l.activation_id).map_or_else(|_| l.activation_id.clone(), |c| c.grouped())),
        serial: None,
        device_name: None,
        site: None,
        customer: customer.to_string(),
        starts_on: l.starts_on,
        expires_on: l.expires_on,
        days_left: days_left(l.expires_on, today),
        status,
        renewable,
        not_renewable_because: because,
        battery_replace_by: None,
        warranty_expires_on: None,
    }
}

/// A device's rows: one per product it has segments of.
pub fn device_rows(catalog: &Catalog, row: &DeviceRow, today: NaiveDate, out: &mut Vec<RenewalRow>) {
    let d = &row.device;
    let mut products: Vec<&str> = row.segments.iter().map(|s| s.product.as_str()).collect();
    products.sort_unstable();
    products.dedup();
    for product in products {
        let chain: Vec<_> = row.segments.iter().filter(|s| s.product == product).collect();
        let Some(last) = chain.iter().max_by_key(|s| s.ends_on) else { continue };
        // The run of segments laid end to end that ends with the coverage.
        let mut starts_on = last.starts_on;
        while let Some(before) = chain.iter().find(|s| s.ends_on == starts_on) {
            starts_on = before.starts_on;
        }
        let tier = chain.iter().find(|s| s.starts_on <= today && today < s.ends_on).unwrap_or(last).tier.clone();
        let grace = catalog.product(product).map_or(0, |p| p.grace_days);
        let status = status_on(starts_on, last.ends_on, grace, today);
        let (renewable, because) = renewable(catalog, product, status);
        out.push(RenewalRow {
            kind: "device".into(),
            id: d.id,
            product: product.to_string(),
            product_name: product_name(catalog, product),
            tier,
            quantity: 1,
            activation_id: None,
            serial: Some(d.serial.clone()),
            device_name: Some(d.name.clone()),
            site: Some(d.site.clone()),
            customer: d.owner_name.clone(),
            starts_on,
            expires_on: last.ends_on,
            days_left: days_left(last.ends_on, today),
            status,
            renewable,
            not_renewable_because: because,
            battery_replace_by: d.battery_replace_by,
            warranty_expires_on: d.warranty_expires_on,
        });
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct RenewalsQuery {
    /// Only these statuses, comma-separated (`expiring,grace`).
    status: Option<String>,
    /// Only this product (catalog key, e.g. `RUM`).
    product: Option<String>,
    /// Only this site (exact, ignoring case).
    site: Option<String>,
    /// A search in SPEC §10's syntax.
    q: Option<String>,
}

/// Every row the organization can see, filtered, counted and in eligibility order.
pub async fn renewals(state: &AppState, current: &CurrentUser, q: &RenewalsQuery) -> ApiResult<Renewals> {
    let statuses: Option<Vec<Status>> = match q.status.as_deref().filter(|s| !s.trim().is_empty()) {
        None => None,
        Some(list) => {
            Some(list.split(',').map(|s| Status::parse(s.trim())).collect::<Option<Vec<_>>>().ok_or_else(|| {
                ApiError::invalid(
                    "validation",
                    "status",
                    "`status` takes scheduled, active, expiring, grace or expired, comma-separated.",
                )
            })?)
        }
    };
    let query =
        Query::parse(q.q.as_deref().unwrap_or("")).map_err(|e| ApiError::invalid(e.code(), "q", e.message()))?;
    let today = state.clock.today();
    let org = &current.session.org;
    let mut rows = Vec::new();
    for license in state.db.licenses(org.id, crate::routes::licenses::LIST_LIMIT).await? {
        rows.push(license_row(&state.catalog, &license, &org.name, today));
    }
    for device in state.db.visible_devices(org.id).await? {
        device_rows(&state.catalog, &device, today, &mut rows);
    }
    let product = q.product.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let site = q.site.as_deref().map(str::trim).filter(|s| !s.is_empty());
    rows.retain(|r| {
        product.is_none_or(|p| r.product.eq_ignore_ascii_case(p))
            && site.is_none_or(|s| r.site.as_deref().is_some_and(|rs| rs.eq_ignore_ascii_case(s)))
            && query.matches(&r.search_fields())
    });
    let mut counts = RenewalCounts::default();
    for r in &rows {
        counts.add(r.status);
    }
    if let Some(statuses) = statuses {
        rows.retain(|r| statuses.contains(&r.status));
    }
    rows.sort_by(|a, b| eligibility((a.status, a.days_left), (b.status, b.days_left)).then(a.id.cmp(&b.id)));
    Ok(Renewals { counts, rows, today })
}

/// `GET /api/v1/renewals`
#[utoipa::path(
    get,
    path = "/renewals",
    tag = "renewals",
    security(("session" = [])),
    params(RenewalsQuery),
    responses(
        (status = 200, description = "One row per license and per device subscription the organization can see \
            (for a partner, also devices shared with it, with the customer's name), in renewal eligibility order \
            (in grace, expiring soonest, active by expiry, scheduled, expired last); `counts` per status are \
            taken after the other filters and before `status`.", body = Renewals),
        (status = 400, response = crate::openapi::BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 422, description = "`validation` (field `status`); `search_invalid` (field `q`).", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<RenewalsQuery>,
) -> ApiResult<Json<Renewals>> {
    Ok(Json(renewals(&state, &current, &q).await?))
}

/// The report's text: the header, then one line per row (CRLF, RFC 4180).
pub fn report(rows: &[RenewalRow]) -> String {
    let mut out = String::with_capacity(64 + rows.len() * 160);
    out.push_str(REPORT_HEADER);
    out.push_str("\r\n");
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for r in rows {
        let cells = [
            cell(&r.kind),
            cell(&r.customer),
            cell(&r.product),
            cell(&r.tier),
            r.quantity.to_string(),
            cell(r.activation_id.as_deref().unwrap_or("")),
            cell(r.serial.as_deref().unwrap_or("")),
            cell(r.device_name.as_deref().unwrap_or("")),
            cell(r.site.as_deref().unwrap_or("")),
            r.starts_on.to_string(),
            r.expires_on.to_string(),
            // A number, not text: a minus sign here is not a formula.
            r.days_left.to_string(),
            r.status.as_str().to_string(),
            day(r.battery_replace_by),
            day(r.warranty_expires_on),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// `GET /api/v1/renewals/report.csv`
#[utoipa::path(
    get,
    path = "/renewals/report.csv",
    tag = "renewals",
    security(("session" = [])),
    params(RenewalsQuery),
    responses(
        (status = 200, description = "The renewals report with the same filters and order as `GET /renewals`: \
            UTF-8 CSV, header `kind,customer,product,tier,quantity,activation_id,serial,device_name,site,\
            starts_on,expires_on,days_left,status,battery_replace_by,warranty_expires_on`, dates `YYYY-MM-DD`, \
            text cells that begin with `=`, `+`, `-` or `@` prefixed with `'`.", content_type = "text/csv",
            body = String, headers(("Content-Disposition" = String, description = "attachment; filename=\"renewals-YYYY-MM-DD.csv\""))),
        (status = 400, response = crate::openapi::BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 422, description = "`validation` (field `status`); `search_invalid` (field `q`).", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn report_csv(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<RenewalsQuery>,
) -> ApiResult<Response> {
    let data = renewals(&state, &current, &q).await?;
    let name = format!("attachment; filename=\"renewals-{}.csv\"", data.today);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)],
        report(&data.rows),
    )
        .into_response())
}
