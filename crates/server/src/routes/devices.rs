//! Devices (SPEC §5, issue 13): an organization's inventory, one by one or imported from
//! CSV; a partner also sees the devices customers shared with it (read-only for it).

use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::openapi::{
    BadAddress, Internal, MalformedJson, NoSuchObject, PayloadTooLarge, Unauthenticated, UnsupportedMediaType,
};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{DeviceError, DeviceRow};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use tessera_domain::api::{CurrentPlan, Device, DeviceList, DevicePatch, DeviceSegment, ErrorBody, ImportReport};
use tessera_domain::catalog::date;
use tessera_domain::device::{self, DeviceFields, RowProblem};
use tessera_domain::entitlement::{coverage_end, Segment};
use tessera_domain::search::Query;
use utoipa::IntoParams;

/// Largest CSV import body: 20,000 rows of generous width.
pub const IMPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The API's view of a device for organization `viewer` on `today`.
pub fn view(row: &DeviceRow, viewer: i64, today: NaiveDate) -> Device {
    let d = &row.device;
    let current = row.segments.iter().find(|s| s.starts_on <= today && today < s.ends_on).map(|s| {
        let same_product: Vec<Segment> =
            row.segments.iter().filter(|o| o.product == s.product).map(|o| o.segment()).collect();
        CurrentPlan {
            product: s.product.clone(),
            tier: s.tier.clone(),
            expires_on: coverage_end(&same_product).unwrap_or(s.ends_on),
        }
    });
    Device {
        id: d.id,
        serial: d.serial.clone(),
        model: d.model.clone(),
        name: d.name.clone(),
        site: d.site.clone(),
        battery_replace_by: d.battery_replace_by,
        warranty_expires_on: d.warranty_expires_on,
        segments: row
            .segments
            .iter()
            .map(|s| DeviceSegment {
                product: s.product.clone(),
                tier: s.tier.clone(),
                starts_on: s.starts_on,
                ends_on: s.ends_on,
            })
            .collect(),
        current,
        shared_by: (d.org_id != viewer).then(|| d.owner_name.clone()),
    }
}

fn device_error(e: DeviceError) -> ApiError {
    match e {
        DeviceError::SerialTaken => {
            ApiError::conflict("serial_taken", "A device with this serial number is already in your devices.")
                .with_field("serial")
        }
        DeviceError::NotFound => no_such_device(),
        DeviceError::NotOwner => ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This device was shared with you: only its owner can change or remove it.",
        ),
        DeviceError::Covered { until } => ApiError::conflict(
            "device_covered",
            format!("This device is covered until {until}: a device with a plan running cannot be removed."),
        ),
        DeviceError::Db(e) => e.into(),
    }
}

pub fn no_such_device() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such device.")
}

fn checked(fields: DeviceFields) -> ApiResult<DeviceFields> {
    fields.checked().map_err(|problems| {
        let first = problems.into_iter().next();
        let (field, message) = first.map_or(("serial".to_string(), String::new()), |p| (p.field, p.message));
        let field: &'static str = match field.as_str() {
            "model" => "model",
            "name" => "name",
            "site" => "site",
            _ => "serial",
        };
        ApiError::invalid("validation", field, message)
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A search in SPEC §10's syntax over name, serial, model, site, product and customer.
    q: Option<String>,
    /// At most this many devices (all when absent).
    #[param(minimum = 1, maximum = 100000)]
    limit: Option<usize>,
    /// Skip this many (with `limit`).
    #[param(minimum = 0)]
    offset: Option<usize>,
}

/// `GET /api/v1/devices`
#[utoipa::path(
    get,
    path = "/devices",
    tag = "devices",
    security(("session" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "Every device of the organization, then those customers shared with it, \
            in one answer unless `limit`/`offset` are given.", body = DeviceList),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 422, description = "`search_invalid`: the search cannot be read (a quote or parenthesis \
            left open, an operator without a term); the message says which.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<DeviceList>> {
    if q.limit == Some(0) || q.limit.is_some_and(|l| l > 100_000) {
        return Err(ApiError::bad_request("bad_request", "`limit` must be between 1 and 100000."));
    }
    let query =
        Query::parse(q.q.as_deref().unwrap_or("")).map_err(|e| ApiError::invalid(e.code(), "q", e.message()))?;
    let today = state.clock.today();
    let org = current.session.org.id;
    let rows = state.db.visible_devices(org).await?;
    let matching: Vec<Device> =
        rows.iter().map(|r| view(r, org, today)).filter(|d| query.matches(&d.search_fields())).collect();
    let total = matching.len();
    let devices = matching.into_iter().skip(q.offset.unwrap_or(0)).take(q.limit.unwrap_or(usize::MAX)).collect();
    Ok(Json(DeviceList { devices, total, today }))
}

/// `POST /api/v1/devices`
#[utoipa::path(
    post,
    path = "/devices",
    tag = "devices",
    security(("session" = [], "csrf" = [])),
    request_body = DeviceFields,
    responses(
        (status = 201, description = "Added.", body = Device),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`csrf`; `password_change_required`.", body = ErrorBody),
        (status = 409, description = "`serial_taken` (field `serial`): the organization has a device with this \
            serial number (ignoring case).", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`validation` (with `field`); `invalid_body` (a date not like 2027-03-31).",
            body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(fields): ApiJson<DeviceFields>,
) -> ApiResult<(StatusCode, Json<Device>)> {
    let fields = checked(fields)?;
    let org = current.session.org.id;
    let id = state.db.create_device(org, &fields, state.clock.now()).await.map_err(device_error)?;
    let row = state.db.device(org, id).await?.ok_or_else(no_such_device)?;
    Ok((StatusCode::CREATED, Json(view(&row, org, state.clock.today()))))
}

/// `GET /api/v1/devices/{id}`
#[utoipa::path(
    get,
    path = "/devices/{id}",
    tag = "devices",
    security(("session" = [])),
    params(crate::openapi::IdPath),
    responses(
        (status = 200, description = "The device with its segments.", body = Device),
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
) -> ApiResult<Json<Device>> {
    let org = current.session.org.id;
    let row = state.db.device(org, id).await?.ok_or_else(no_such_device)?;
    Ok(Json(view(&row, org, state.clock.today())))
}

/// `PATCH /api/v1/devices/{id}`
#[utoipa::path(
    patch,
    path = "/devices/{id}",
    tag = "devices",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath),
    request_body = DevicePatch,
    responses(
        (status = 200, description = "Changed.", body = Device),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (a device shared with you); `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`serial_taken`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`validation` (with `field`); `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<DevicePatch>,
) -> ApiResult<Json<Device>> {
    let org = current.session.org.id;
    let row = state.db.device(org, id).await?.ok_or_else(no_such_device)?;
    let d = &row.device;
    let day = |field: &'static str, value: Option<String>, was: Option<NaiveDate>| -> ApiResult<Option<NaiveDate>> {
        match value.as_deref().map(str::trim) {
            None => Ok(was),
            Some("") => Ok(None),
            Some(text) => date::parse(text)
                .map(Some)
                .ok_or_else(|| ApiError::invalid("validation", field, "Please enter a date like 2027-03-31.")),
        }
    };
    let fields = DeviceFields {
        serial: patch.serial.unwrap_or_else(|| d.serial.clone()),
        model: patch.model.unwrap_or_else(|| d.model.clone()),
        name: patch.name.unwrap_or_else(|| d.name.clone()),
        site: patch.site.unwrap_or_else(|| d.site.clone()),
        battery_replace_by: day("battery_replace_by", patch.battery_replace_by, d.battery_replace_by)?,
        warranty_expires_on: day("warranty_expires_on", patch.warranty_expires_on, d.warranty_expires_on)?,
    };
    let fields = checked(fields)?;
    state.db.update_device(org, id, &fields).await.map_err(device_error)?;
    let row = state.db.device(org, id).await?.ok_or_else(no_such_device)?;
    Ok(Json(view(&row, org, state.clock.today())))
}

/// `DELETE /api/v1/devices/{id}`
#[utoipa::path(
    delete,
    path = "/devices/{id}",
    tag = "devices",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath),
    responses(
        (status = 204, description = "Removed."),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (a device shared with you); `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`device_covered`: a plan runs on it today or later.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.db.delete_device(current.session.org.id, id, state.clock.today()).await.map_err(device_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Import the valid rows and report the others, instead of importing nothing.
    skip_invalid: Option<bool>,
}

/// `POST /api/v1/devices/import`
#[utoipa::path(
    post,
    path = "/devices/import",
    tag = "devices",
    security(("session" = [], "csrf" = [])),
    params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "A header row \
        `serial,model,name,site,battery_replace_by,warranty_expires_on`, then one device per row (dates \
        `YYYY-MM-DD`; the last three columns may be empty); at most 20,000 rows and 8 MiB."),
    responses(
        (status = 200, description = "Imported; `skipped` lists the rows left out (with `skip_invalid=true`).",
            body = ImportReport),
        (status = 400, response = crate::openapi::BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`csrf`; `password_change_required`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, description = "`unsupported_media_type`: send the file as `Content-Type: text/csv`.",
            body = ErrorBody),
        (status = 422, description = "`csv_unreadable` (field `file`): the file is not UTF-8, is empty, has another \
            header, more than 20,000 rows, or a quote left open; `csv_invalid`: some rows are wrong (`error.rows`: `[{row, field, \
            message}]`, rows numbered from 1 after the header; a serial the organization already has counts); \
            nothing was imported.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));
    if !csv {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the file as `Content-Type: text/csv`.",
        ));
    }
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::invalid("csv_unreadable", "file", "The file is not UTF-8 text; save it as CSV UTF-8.")
    })?;
    let rows = device::parse_csv(text).map_err(|e| ApiError::invalid("csv_unreadable", "file", e.message()))?;
    let mut valid = Vec::with_capacity(rows.len());
    let mut problems: Vec<RowProblem> = Vec::new();
    for (i, row) in rows.into_iter().enumerate() {
        match row {
            Ok(fields) => valid.push((i + 1, fields)),
            Err(p) => problems.extend(p),
        }
    }
    let skip = q.skip_invalid.unwrap_or(false);
    match state.db.import_devices(current.session.org.id, &valid, problems, skip, state.clock.now()).await {
        Ok((imported, skipped)) => Ok(Json(ImportReport { imported, skipped })),
        Err(Ok(rows)) => {
            let count = rows.iter().map(|r| r.row).collect::<std::collections::BTreeSet<_>>().len();
            let mut e = ApiError::invalid(
                "csv_invalid",
                "file",
                format!(
                    "{count} {} cannot be imported; nothing was imported. Correct {} or import the others only.",
                    if count == 1 { "row" } else { "rows" },
                    if count == 1 { "it" } else { "them" }
                ),
            );
            e.rows = Some(Box::new(rows));
            Err(e)
        }
        Err(Err(e)) => Err(e.into()),
    }
}
