//! The vendor's back office: issuing vouchers (SPEC §3) and the list of those issued.
//! Only people of the vendor organization reach these.

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::mail;
use crate::openapi::{Internal, MalformedJson, PayloadTooLarge, Unauthenticated, UnsupportedMediaType};
use crate::routes::verification;
use crate::security;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{IssueError, NewVoucher, VoucherRecord};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand_core::OsRng;
use tessera_domain::api::{ErrorBody, IssueVouchersRequest, IssuedVouchers, OrgKind, VoucherSummary};
use tessera_domain::catalog::{Catalog, Sku, SkuUnit};
use tessera_domain::code::Code;
use tessera_domain::email::Email;
use tessera_domain::voucher;

/// The vendor's list shows this many of the newest vouchers.
pub const LIST_LIMIT: i64 = 5000;

/// 403 unless the person works for the vendor.
pub fn require_vendor(current: &CurrentUser) -> ApiResult<()> {
    if current.session.org.kind == OrgKind::Vendor {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Only the vendor's operators can do this."))
    }
}

/// Device-months one voucher of `quantity` adds: units of a term SKU last its whole term.
pub fn device_months(sku: &Sku, quantity: u32) -> u64 {
    match sku.unit {
        SkuUnit::Term => tessera_domain::proration::term_device_months(quantity, sku.term_months.unwrap_or(1)),
        SkuUnit::Month => u64::from(quantity),
    }
}

/// The SKU a request names, or 422 `sku_unknown`.
pub fn known_sku<'c>(catalog: &'c Catalog, code: &str) -> ApiResult<&'c Sku> {
    catalog.sku(code.trim()).ok_or_else(|| {
        ApiError::invalid(
            "sku_unknown",
            "sku",
            format!("There is no SKU \u{201c}{}\u{201d} in the catalog.", code.trim()),
        )
    })
}

/// `POST /api/v1/vendor/vouchers`
#[utoipa::path(
    post,
    path = "/vendor/vouchers",
    tag = "vendor",
    security(("session" = [], "csrf" = [])),
    request_body = IssueVouchersRequest,
    responses(
        (status = 201, description = "Issued; the codes, shown this once (only their hashes are kept). With \
            `email`, a mail with the codes is queued.", body = IssuedVouchers),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: not the vendor; `email_unverified` (mailing the codes \
            needs a confirmed address); `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; `sku_unknown` (field `sku`); `validation` (fields \
            `quantity`, `count`, `expires_on`); `email_invalid` (field `email`).", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn issue(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(req): ApiJson<IssueVouchersRequest>,
) -> ApiResult<(StatusCode, Json<IssuedVouchers>)> {
    require_vendor(&current)?;
    let sku = known_sku(&state.catalog, &req.sku)?;
    let count = req.count.unwrap_or(1);
    let today = state.clock.today();
    voucher::check_issue(req.quantity, count, req.expires_on, today)
        .map_err(|e| ApiError::invalid(e.code(), e.field(), e.message()))?;
    let email = match req.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(Email::parse(e).map_err(|e| ApiError::invalid(e.code(), "email", e.message()))?),
        None => None,
    };
    if email.is_some() {
        verification::require_verified(&current.session)?;
    }
    let codes =
        issue_codes(&state, sku, req.quantity, count, email.as_ref(), req.expires_on, Some(current.session.user.id))
            .await?;
    audit::Event::new(Action::VouchersIssued, &current.request_id).actor(current.session.user.id).emit();
    Ok((StatusCode::CREATED, Json(IssuedVouchers { codes })))
}

/// Makes `count` codes of `quantity` units of `sku`, stores their hashes, and queues the mail
/// to `email` with them; the same for the API and the CLI. Returns the grouped codes.
pub async fn issue_codes(
    state: &AppState,
    sku: &Sku,
    quantity: u32,
    count: u32,
    email: Option<&Email>,
    expires_on: Option<chrono::NaiveDate>,
    issued_by: Option<i64>,
) -> ApiResult<Vec<String>> {
    // A collision of two 75-bit codes is so unlikely that one retry is a formality.
    for _ in 0..2 {
        let codes: Vec<Code> = (0..count).map(|_| Code::generate(&mut OsRng)).collect();
        let per_voucher = i64::try_from(device_months(sku, quantity)).map_err(ApiError::internal)?;
        let rows: Vec<NewVoucher> = codes
            .iter()
            .map(|c| NewVoucher {
                code_hash: security::token_hash(c.as_compact()),
                code_hint: c.last_four().to_string(),
                sku: sku.code.clone(),
                quantity: i64::from(quantity),
                device_months: per_voucher,
                email: email.map(|e| e.as_str().to_string()),
                expires_on,
            })
            .collect();
        let grouped: Vec<String> = codes.iter().map(Code::grouped).collect();
        let what = format!("{} \u{d7} {} ({})", quantity, sku.code, sku.name);
        let expiry = expires_on.map(|d| d.format("%-d %B %Y").to_string());
        let mail = email.map(|to| {
            mail::vouchers(
                to.as_str(),
                &what,
                &grouped,
                &format!("{}/locker", state.config.public_url),
                expiry.as_deref(),
            )
        });
        match state.db.issue_vouchers(&rows, issued_by, mail.as_ref(), state.clock.now()).await {
            Ok(()) => {
                if mail.is_some() {
                    state.mail_wakeup.notify_one();
                }
                return Ok(grouped);
            }
            Err(IssueError::CodeCollision) => continue,
            Err(IssueError::Db(e)) => return Err(e.into()),
        }
    }
    Err(ApiError::internal("two voucher code collisions in a row"))
}

fn summary(v: &VoucherRecord, today: chrono::NaiveDate) -> VoucherSummary {
    VoucherSummary {
        id: v.id,
        code_hint: tessera_domain::code::hint(&v.code_hint),
        sku: v.sku.clone(),
        quantity: u32::try_from(v.quantity).unwrap_or(u32::MAX),
        email: v.email.clone(),
        issued_at: v.issued_at,
        expires_on: v.expires_on,
        state: v.state_on(today),
        redeemed_on: v.redeemed_at.map(|t| t.date_naive()),
        redeemed_by: v.redeemed_org_name.clone(),
    }
}

/// `GET /api/v1/vendor/vouchers`
#[utoipa::path(
    get,
    path = "/vendor/vouchers",
    tag = "vendor",
    security(("session" = [])),
    responses(
        (status = 200, description = "Issued vouchers, newest first (the newest 5,000), with their state \
            today.", body = [VoucherSummary]),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: not the vendor; `password_change_required`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn list(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Vec<VoucherSummary>>> {
    require_vendor(&current)?;
    let today = state.clock.today();
    let all = state.db.list_vouchers(LIST_LIMIT).await?;
    Ok(Json(all.iter().map(|v| summary(v, today)).collect()))
}

/// `GET /api/v1/vendor/vouchers/export.csv`
#[utoipa::path(
    get,
    path = "/vendor/vouchers/export.csv",
    tag = "vendor",
    security(("session" = [])),
    responses(
        (status = 200, description = "The list as CSV (UTF-8, header row, dates `YYYY-MM-DD`; cells that \
            begin with `=`, `+`, `-` or `@` are prefixed with `'` against formula injection).",
            content_type = "text/csv", body = String),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: not the vendor; `password_change_required`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn export_csv(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Response> {
    require_vendor(&current)?;
    let today = state.clock.today();
    let all = state.db.list_vouchers(LIST_LIMIT).await?;
    let mut csv = String::from("code,sku,quantity,email,issued_on,expires_on,state,redeemed_on,redeemed_by\r\n");
    for v in all.iter().map(|v| summary(v, today)) {
        let row = [
            v.code_hint,
            v.sku,
            v.quantity.to_string(),
            v.email.unwrap_or_default(),
            v.issued_at.date_naive().to_string(),
            v.expires_on.map(|d| d.to_string()).unwrap_or_default(),
            v.state.as_str().to_string(),
            v.redeemed_on.map(|d| d.to_string()).unwrap_or_default(),
            v.redeemed_by.unwrap_or_default(),
        ];
        csv.push_str(&row.iter().map(|c| crate::csv::cell(c)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
    }
    let name = format!("attachment; filename=\"vouchers-{today}.csv\"");
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], csv)
        .into_response())
}
