//! The Digital Locker (SPEC §3): redeeming vouchers, the balances, the consumption
//! history. Every person has one locker (made at their first redemption); sharing puts
//! several people in one.

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiQuery};
use crate::openapi::{Internal, MalformedJson, PayloadTooLarge, Unauthenticated, UnsupportedMediaType};
use crate::security;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{FailureLimit, LockerMemberRecord, RedeemError, Redeemer, SessionUser};
use crate::throttle::too_many_attempts_until;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Duration;
use serde::Deserialize;
use tessera_domain::api::{
    ErrorBody, LedgerEntry, LedgerPage, LockerBalance, LockerMember, LockerView, OrgKind, RedeemRequest, Redeemed,
};
use tessera_domain::code::Code;
use utoipa::IntoParams;

/// Codes that did not redeem (unknown, used, expired) allowed per person and window: enough
/// for typos in a stack of paper vouchers, far too few to guess a 75-bit code.
pub const MAX_REDEEM_FAILURES: i64 = 10;
pub const REDEEM_WINDOW_MINUTES: i64 = 15;

/// `POST /api/v1/locker/redeem`
#[utoipa::path(
    post,
    path = "/locker/redeem",
    tag = "locker",
    security(("session" = [], "csrf" = [])),
    request_body = RedeemRequest,
    responses(
        (status = 200, description = "Redeemed: what it added and the SKU's balance now.", body = Redeemed),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: vendor accounts issue vouchers, they do not redeem \
            them; `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 404, description = "`code_unknown` (field `code`).", body = ErrorBody),
        (status = 409, description = "`code_already_redeemed` (field `code`); the message says when.", body = ErrorBody),
        (status = 410, description = "`code_expired` (field `code`); the message says since when.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; `code_required`, `code_malformed` (field `code`): the \
            wrong length, a character no code has, or a check character that does not match (\"looks \
            mistyped\"); none of them counts against the throttle.", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 10 codes that did not redeem in 15 minutes.",
            body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, response = Internal),
    )
)]
pub async fn redeem(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(req): ApiJson<RedeemRequest>,
) -> ApiResult<Json<Redeemed>> {
    let who = &current.session;
    require_locker_holder(who)?;
    // The shape is checked first, and a typo costs no attempt: the check symbol catches it
    // before any look-up, so it tells an attacker nothing.
    let code = Code::parse(&req.code).map_err(|e| ApiError::invalid(e.code(), "code", e.message()))?;
    let now = state.clock.now();
    let throttle = FailureLimit { max: MAX_REDEEM_FAILURES, window: Duration::minutes(REDEEM_WINDOW_MINUTES) };
    let redeemer = Redeemer { user_id: who.user.id, name: &who.user.name, org_name: &who.org.name };
    match state.db.redeem_voucher(&security::token_hash(code.as_compact()), redeemer, now, throttle).await {
        Ok(done) => {
            audit::Event::new(Action::VoucherRedeemed, &current.request_id).actor(who.user.id).emit();
            Ok(Json(Redeemed {
                sku: done.sku,
                added_device_months: u64::try_from(done.added_device_months).unwrap_or(0),
                balance_device_months: u64::try_from(done.balance_device_months).unwrap_or(0),
            }))
        }
        Err(RedeemError::Db(e)) => Err(e.into()),
        Err(RedeemError::Throttled { allowed_at }) => {
            audit::Event::new(Action::RedeemThrottled, &current.request_id).actor(who.user.id).emit();
            Err(too_many_attempts_until(allowed_at - now))
        }
        Err(refused) => {
            audit::Event::new(Action::RedeemFailed, &current.request_id).actor(who.user.id).emit();
            Err(redeem_error(refused, now))
        }
    }
}

fn redeem_error(e: RedeemError, now: chrono::DateTime<chrono::Utc>) -> ApiError {
    let day = |d: chrono::NaiveDate| d.format("%-d %B %Y").to_string();
    let error = match e {
        RedeemError::Unknown => ApiError::new(
            StatusCode::NOT_FOUND,
            "code_unknown",
            "We do not know this code. Check it against your order email; if it is right, contact whoever sold it \
             to you.",
        ),
        RedeemError::AlreadyRedeemed { on, here: true } => ApiError::conflict(
            "code_already_redeemed",
            format!("This code was already redeemed into your locker on {}.", day(on.date_naive())),
        ),
        RedeemError::AlreadyRedeemed { on, here: false } => ApiError::conflict(
            "code_already_redeemed",
            format!("This code was already redeemed on {}.", day(on.date_naive())),
        ),
        RedeemError::Expired { last_day } => ApiError::new(
            StatusCode::GONE,
            "code_expired",
            format!("This voucher expired after {}. Ask whoever sold it to you for a new one.", day(last_day)),
        ),
        RedeemError::Throttled { allowed_at } => return too_many_attempts_until(allowed_at - now),
        RedeemError::Db(e) => return e.into(),
    };
    error.with_field("code")
}

/// 403 for vendor accounts: they issue vouchers and have no Digital Locker.
pub fn require_locker_holder(who: &SessionUser) -> ApiResult<()> {
    if who.org.kind == OrgKind::Vendor {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Vendor accounts issue vouchers and have no Digital Locker; a customer or partner account redeems them.",
        ));
    }
    Ok(())
}

pub fn member_view(m: LockerMemberRecord) -> LockerMember {
    LockerMember { id: m.user_id, name: m.name, email: m.email, owner: m.is_owner, joined_at: m.joined_at }
}

/// `GET /api/v1/locker`
#[utoipa::path(
    get,
    path = "/locker",
    tag = "locker",
    security(("session" = [])),
    responses(
        (status = 200, description = "One balance per SKU with credits, and the people who share the locker \
            (none before the first redemption).", body = LockerView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn view(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<LockerView>> {
    let Some(locker_id) = state.db.locker_id_of(current.session.user.id).await? else {
        return Ok(Json(LockerView { balances: Vec::new(), members: Vec::new() }));
    };
    let balances = state.db.balances(locker_id).await?;
    let members = state.db.locker_members(locker_id).await?;
    Ok(Json(LockerView {
        balances: balances
            .into_iter()
            .map(|b| {
                let sku = state.catalog.sku(&b.sku);
                let device_months = u64::try_from(b.device_months).unwrap_or(0);
                let term = sku.and_then(|s| s.term_months);
                LockerBalance {
                    product: sku.map(|s| s.product.clone()).unwrap_or_default(),
                    tier: sku.and_then(|s| s.tier.clone()),
                    term_months: term,
                    units: units(device_months, term.unwrap_or(1)),
                    device_months,
                    sku: b.sku,
                }
            })
            .collect(),
        members: members.into_iter().map(member_view).collect(),
    }))
}

/// Device-months in units of a `term`-month SKU, to two decimals, by the domain's rule.
fn units(device_months: u64, term: u32) -> f64 {
    tessera_domain::proration::units_hundredths(device_months, term) as f64 / 100.0
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// Only entries older than this entry id (the previous page's `next_before`).
    #[param(minimum = 1)]
    before: Option<i64>,
    /// Entries per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

/// `GET /api/v1/locker/ledger`
#[utoipa::path(
    get,
    path = "/locker/ledger",
    tag = "locker",
    security(("session" = [])),
    params(LedgerQuery),
    responses(
        (status = 200, description = "The consumption history, newest first.", body = LedgerPage),
        (status = 400, response = crate::openapi::BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn ledger(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<Json<LedgerPage>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) || q.before.is_some_and(|b| b < 1) {
        return Err(ApiError::bad_request(
            "bad_request",
            "`limit` must be between 1 and 200, and `before` an entry id from a previous page.",
        ));
    }
    let Some(locker_id) = state.db.locker_id_of(current.session.user.id).await? else {
        return Ok(Json(LedgerPage { entries: Vec::new(), next_before: None }));
    };
    let rows = state.db.ledger(locker_id, q.before, limit).await?;
    let next_before = (rows.len() as i64 == limit).then(|| rows.last().map(|r| r.id)).flatten();
    Ok(Json(LedgerPage {
        entries: rows
            .into_iter()
            .map(|r| LedgerEntry {
                id: r.id,
                sku: r.sku,
                kind: r.kind,
                device_months: r.device_months,
                reference: r.reference,
                actor: r.actor_name,
                at: r.created_at,
            })
            .collect(),
        next_before,
    }))
}
