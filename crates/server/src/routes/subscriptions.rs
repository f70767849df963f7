//! Device subscriptions (SPEC §5, issue 13): activating a code, the plans the locker holds
//! for devices, and assigning them (one unit per device; all devices or none).

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::openapi::{Internal, MalformedJson, PayloadTooLarge, Unauthenticated, UnsupportedMediaType};
use crate::routes::devices::{no_such_device, view};
use crate::routes::licenses::{idempotency_key, replayable};
use crate::routes::locker::require_locker_holder;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{Actor, AssignRefusal, AssignWork, DeviceRow, PlanError, PlanToAssign};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use tessera_domain::api::{AssignRequest, AssignResult, ErrorBody, RedeemRequest, Redeemed, SubscriptionPlan};
use tessera_domain::catalog::{Model, SkuKind};
use tessera_domain::license::{self, Consumption};

/// Devices one assignment may take: a large site, in one transaction.
pub const MAX_DEVICES_PER_ASSIGNMENT: usize = 1000;

/// `POST /api/v1/activation-codes/redeem`
#[utoipa::path(
    post,
    path = "/activation-codes/redeem",
    tag = "subscriptions",
    security(("session" = [], "csrf" = [])),
    request_body = RedeemRequest,
    responses(
        (status = 200, description = "Activated: the code's units are in the locker, ready to assign (exactly \
            as `POST /locker/redeem`, of which this is the device-subscription flow's name).", body = Redeemed),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (vendor accounts); `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 404, description = "`code_unknown`.", body = ErrorBody),
        (status = 409, description = "`code_already_redeemed`.", body = ErrorBody),
        (status = 410, description = "`code_expired`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`code_required`, `code_malformed`; `invalid_body`.", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, response = Internal),
    )
)]
pub async fn activate(
    state: State<AppState>,
    current: CurrentUser,
    body: ApiJson<RedeemRequest>,
) -> ApiResult<Json<Redeemed>> {
    crate::routes::locker::redeem(state, current, body).await
}

/// `GET /api/v1/subscriptions/plans`
#[utoipa::path(
    get,
    path = "/subscriptions/plans",
    tag = "subscriptions",
    security(("session" = [])),
    responses(
        (status = 200, description = "The device-subscription plans the person's locker holds at least one unit \
            of, in catalog order, with the promotion months an assignment gets today.", body = [SubscriptionPlan]),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn plans(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Vec<SubscriptionPlan>>> {
    let today = state.clock.today();
    let Some(locker) = state.db.locker_id_of(current.session.user.id).await? else { return Ok(Json(Vec::new())) };
    let balances = state.db.balances(locker).await?;
    let mut out = Vec::new();
    for sku in &state.catalog.skus {
        let is_device_plan = sku.kind == SkuKind::Plan
            && state.catalog.product(&sku.product).is_some_and(|p| p.model == Model::DeviceSubscription);
        let Some(held) = balances.iter().find(|b| b.sku == sku.code).filter(|_| is_device_plan) else { continue };
        let term = sku.term_months.unwrap_or(1).max(1);
        let device_months = u64::try_from(held.device_months).unwrap_or(0);
        if device_months < u64::from(term) {
            continue;
        }
        out.push(SubscriptionPlan {
            sku: sku.code.clone(),
            product: sku.product.clone(),
            tier: sku.tier.clone().unwrap_or_default(),
            term_months: term,
            units: device_months / u64::from(term),
            device_months,
            bonus_months: license::bonus_months(&state.catalog, &sku.code, today),
        });
    }
    Ok(Json(out))
}

/// The answer's body: the devices as they are now, with what was consumed.
pub fn render(rows: &[DeviceRow], consumed: &Consumption, viewer: i64, today: NaiveDate) -> String {
    let result = AssignResult {
        devices: rows.iter().map(|r| view(r, viewer, today)).collect(),
        consumes: vec![consumed.clone()],
        missing: Vec::new(),
    };
    serde_json::to_string(&result).unwrap_or_else(|_| "{}".into())
}

fn plan_error(e: PlanError) -> ApiError {
    match e {
        PlanError::UnknownSku => ApiError::invalid("sku_unknown", "sku", "There is no such SKU in the catalog."),
        PlanError::NotADevicePlan => ApiError::invalid(
            "sku_not_device_plan",
            "sku",
            "This SKU is not a device-subscription plan: licenses are created on the Licenses page.",
        ),
    }
}

/// `POST /api/v1/subscriptions/assign`
#[utoipa::path(
    post,
    path = "/subscriptions/assign",
    tag = "subscriptions",
    security(("session" = [], "csrf" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe (as for licenses).")),
    request_body = AssignRequest,
    responses(
        (status = 200, description = "Assigned, one unit per device: the devices with their new chains (SPEC \
            §5: none → today; same tier → appended; upgrade → today, the lower tier resumes after; downgrade \
            → after all higher-tier time; promotion months added). With `preview: true`, the devices as they \
            would be and what it would consume (`missing` non-empty when the locker is short); nothing written.",
            body = AssignResult),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden` (vendor accounts); `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 404, description = "`not_found`: a device the organization cannot see (its own, or shared \
            with it); nothing assigned.", body = ErrorBody),
        (status = 409, description = "`insufficient_credits` (with `error.missing`): fewer units than devices; \
            nothing assigned.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`sku_unknown`, `sku_not_device_plan` (field `sku`); `validation` (field \
            `device_ids`: none, repeated, or more than 1,000); `idempotency_key_invalid`, \
            `idempotency_key_reused`; `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn assign(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: HeaderMap,
    ApiJson(req): ApiJson<AssignRequest>,
) -> ApiResult<Response> {
    let who = &current.session;
    require_locker_holder(who)?;
    let today = state.clock.today();
    let plan = PlanToAssign::of(&state.catalog, &req.sku, today).map_err(plan_error)?;
    let mut unique = req.device_ids.clone();
    unique.sort_unstable();
    unique.dedup();
    if req.device_ids.is_empty() || unique.len() != req.device_ids.len() || unique.len() > MAX_DEVICES_PER_ASSIGNMENT {
        return Err(ApiError::invalid(
            "validation",
            "device_ids",
            format!("Pick between 1 and {MAX_DEVICES_PER_ASSIGNMENT} devices, each once."),
        ));
    }
    let org = who.org.id;
    if req.preview {
        let mut rows = Vec::with_capacity(req.device_ids.len());
        for id in &req.device_ids {
            rows.push(state.db.device(org, *id).await?.ok_or_else(no_such_device)?);
        }
        let cost = plan.cost(rows.len());
        let held = state.db.balances_of(who.user.id, &[cost.sku.as_str()]).await?;
        let missing = license::missing(std::slice::from_ref(&cost), |_| held.first().map_or(0, |(_, b)| *b));
        let devices = rows
            .iter()
            .map(|r| {
                let chain = plan.chain_after(r, today);
                let mut after = r.clone();
                after.segments.retain(|s| s.product != plan.product);
                after.segments.extend(chain.iter().map(|s| crate::storage::SegmentRecord {
                    device_id: r.device.id,
                    product: plan.product.clone(),
                    tier: s.tier.clone(),
                    tier_rank: i64::from(s.tier_rank),
                    starts_on: s.start,
                    ends_on: s.end,
                }));
                after.segments.sort_by_key(|s| (s.starts_on, s.ends_on));
                view(&after, org, today)
            })
            .collect();
        return Ok(Json(AssignResult { devices, consumes: vec![cost], missing }).into_response());
    }
    let key = idempotency_key(&headers, "POST /subscriptions/assign", &req)?;
    let work = AssignWork {
        plan,
        device_ids: req.device_ids.clone(),
        actor: Actor { user_id: who.user.id, name: who.user.name.clone(), org_id: org },
        now: state.clock.now(),
        idempotency: key,
        catalog: state.catalog.clone(),
        render,
    };
    match state.db.assign_plan(work).await {
        Ok(done) => {
            if !done.replayed {
                audit::Event::new(Action::PlanAssigned, &current.request_id).actor(who.user.id).emit();
            }
            Ok(replayable(done))
        }
        Err(AssignRefusal::NotFound(_)) => Err(no_such_device()),
        Err(AssignRefusal::Insufficient(missing)) => {
            Err(crate::routes::licenses::insufficient(&state.catalog, missing))
        }
        Err(AssignRefusal::KeyReused) => Err(crate::routes::licenses::key_reused()),
        Err(AssignRefusal::Db(e)) => Err(e.into()),
    }
}
