//! Who gets renewal notices (SPEC §8, issue 14): each admin may turn them off for themselves,
//! and a customer may have its reseller (a partner) get them too.

use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::openapi::{Internal, MalformedJson, PayloadTooLarge, Unauthenticated, UnsupportedMediaType};
use crate::session::CurrentUser;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tessera_domain::api::{ErrorBody, RenewalNoticeSetting, Reseller, ResellerChoice};

/// `GET /api/v1/me/renewal-notices`
#[utoipa::path(
    get,
    path = "/me/renewal-notices",
    tag = "renewals",
    security(("session" = [])),
    responses(
        (status = 200, description = "Whether the person gets renewal notices (sent to admins).",
            body = RenewalNoticeSetting),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn get_mine(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<RenewalNoticeSetting>> {
    Ok(Json(RenewalNoticeSetting { enabled: state.db.renewal_notices_on(current.session.user.id).await? }))
}

/// `PUT /api/v1/me/renewal-notices`
#[utoipa::path(
    put,
    path = "/me/renewal-notices",
    tag = "renewals",
    security(("session" = [], "csrf" = [])),
    request_body = RenewalNoticeSetting,
    responses(
        (status = 200, description = "Saved.", body = RenewalNoticeSetting),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`csrf`; `password_change_required`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn set_mine(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<RenewalNoticeSetting>,
) -> ApiResult<Json<RenewalNoticeSetting>> {
    state.db.set_renewal_notices(current.session.user.id, body.enabled).await?;
    Ok(Json(body))
}

async fn reseller_view(state: &AppState, org_id: i64) -> ApiResult<Reseller> {
    let found = state.db.reseller_of(org_id).await?;
    Ok(Reseller { partner_org_id: found.as_ref().map(|r| r.0), partner_name: found.map(|r| r.1) })
}

/// `GET /api/v1/organization/reseller`
#[utoipa::path(
    get,
    path = "/organization/reseller",
    tag = "renewals",
    security(("session" = [])),
    responses(
        (status = 200, description = "The partner that also gets the organization's renewal notices, if any.",
            body = Reseller),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn get_reseller(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Reseller>> {
    Ok(Json(reseller_view(&state, current.session.org.id).await?))
}

/// `PUT /api/v1/organization/reseller`
#[utoipa::path(
    put,
    path = "/organization/reseller",
    tag = "renewals",
    security(("session" = [], "csrf" = [])),
    request_body = ResellerChoice,
    responses(
        (status = 200, description = "Saved: the partner's admins get the same renewal notices from the next run.",
            body = Reseller),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: a customer's admins choose; `csrf`; `password_change_required`.",
            body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`partner_unknown` (field `partner_org_id`); `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn set_reseller(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(body): ApiJson<ResellerChoice>,
) -> ApiResult<Json<Reseller>> {
    let who = &current.session;
    if !tessera_domain::api::may_choose_reseller(who.org.kind, who.user.role) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Only a customer's admins choose its reseller."));
    }
    if !state.db.set_reseller(who.org.id, body.partner_org_id).await? {
        return Err(ApiError::invalid(
            "partner_unknown",
            "partner_org_id",
            "No partner has this Partner ID. Ask your reseller for the Partner ID on their Home page.",
        ));
    }
    Ok(Json(reseller_view(&state, who.org.id).await?))
}
