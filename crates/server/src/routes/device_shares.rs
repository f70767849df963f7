//! Sharing devices with a partner (SPEC §1, §5; issue 13): the customer shares some devices
//! or all of them (also those added later) with a partner organization, named by its
//! "Partner ID"; the partner then sees them under "Shared with me" and can assign plans to
//! them from its own locker. The customer revokes a share when it wants.

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiPath};
use crate::openapi::{
    BadAddress, Internal, MalformedJson, NoSuchObject, PayloadTooLarge, Unauthenticated, UnsupportedMediaType,
};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{ShareError, ShareRecord};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tessera_domain::api::{DeviceShare, ErrorBody, NewDeviceShare, OrgKind};

fn view(s: ShareRecord) -> DeviceShare {
    DeviceShare {
        id: s.id,
        customer_org_id: s.customer_org_id,
        customer_name: s.customer_name,
        partner_org_id: s.partner_org_id,
        partner_name: s.partner_name,
        all: s.all_devices,
        device_count: usize::try_from(s.device_count).unwrap_or(0),
        created_at: s.created_at,
    }
}

/// `POST /api/v1/device-shares`
#[utoipa::path(
    post,
    path = "/device-shares",
    tag = "devices",
    security(("session" = [], "csrf" = [])),
    request_body = NewDeviceShare,
    responses(
        (status = 201, description = "Shared: the partner sees the devices from now on.", body = DeviceShare),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only a customer's admins share its devices; `csrf`; \
            `password_change_required`.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`partner_unknown` (field `partner_org_id`): no partner organization has \
            this Partner ID; `validation` (field `device_ids`): give `device_ids` (your own devices, at least \
            one) or `all: true`, not both; `invalid_body`.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(req): ApiJson<NewDeviceShare>,
) -> ApiResult<(StatusCode, Json<DeviceShare>)> {
    let who = &current.session;
    if who.org.kind != OrgKind::Customer || who.user.role != tessera_domain::api::Role::Admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Only the admins of a customer organization share its devices.",
        ));
    }
    let ids = match (req.device_ids.as_deref(), req.all.unwrap_or(false)) {
        (Some(ids), false) if !ids.is_empty() && ids.len() <= 100_000 => Some(ids),
        (None, true) => None,
        _ => {
            return Err(ApiError::invalid(
                "validation",
                "device_ids",
                "Pick the devices to share, or share all of them (also those added later).",
            ))
        }
    };
    let id = match state.db.share_devices(who.org.id, req.partner_org_id, ids, who.user.id, state.clock.now()).await {
        Ok(id) => id,
        Err(ShareError::NoSuchPartner) => {
            return Err(ApiError::invalid(
                "partner_unknown",
                "partner_org_id",
                "No partner has this Partner ID. Ask your partner for the Partner ID on their Home page.",
            ))
        }
        Err(ShareError::NotYourDevice(_)) => {
            return Err(ApiError::invalid("validation", "device_ids", "Only your own devices can be shared."))
        }
        Err(ShareError::NotFound) => return Err(ApiError::not_found()),
        Err(ShareError::Db(e)) => return Err(e.into()),
    };
    audit::Event::new(Action::DevicesShared, &current.request_id).actor(who.user.id).target(Some(id)).emit();
    let share = state.db.device_share(who.org.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(view(share))))
}

/// `GET /api/v1/device-shares`
#[utoipa::path(
    get,
    path = "/device-shares",
    tag = "devices",
    security(("session" = [])),
    responses(
        (status = 200, description = "The active shares the organization is part of: those it made (a \
            customer) and those made with it (a partner), newest first.", body = [DeviceShare]),
        (status = 401, response = Unauthenticated),
        (status = 403, response = crate::openapi::PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn list(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Vec<DeviceShare>>> {
    Ok(Json(state.db.device_shares(current.session.org.id).await?.into_iter().map(view).collect()))
}

/// `DELETE /api/v1/device-shares/{id}`
#[utoipa::path(
    delete,
    path = "/device-shares/{id}",
    tag = "devices",
    security(("session" = [], "csrf" = [])),
    params(crate::openapi::IdPath),
    responses(
        (status = 204, description = "Revoked: the partner no longer sees those devices."),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only the customer's admins revoke; `csrf`; \
            `password_change_required`.", body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 500, response = Internal),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let who = &current.session;
    if who.user.role != tessera_domain::api::Role::Admin {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Only an admin revokes a share."));
    }
    match state.db.revoke_device_share(who.org.id, id, state.clock.now()).await {
        Ok(()) => {
            audit::Event::new(Action::DeviceShareRevoked, &current.request_id)
                .actor(who.user.id)
                .target(Some(id))
                .emit();
            Ok(StatusCode::NO_CONTENT)
        }
        Err(ShareError::Db(e)) => Err(e.into()),
        Err(_) => Err(ApiError::not_found()),
    }
}
