//! The people of an organization, and its settings.

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiPath};
use crate::openapi::{
    BadAddress, BadRequest, IdPath, Internal, InvalidBody, MalformedJson, NoSuchObject, PasswordChangeRequired,
    PayloadTooLarge, Unauthenticated, UnsupportedMediaType,
};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{self, MemberError, MemberRecord};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tessera_domain::api::{ErrorBody, Member, OrgSettings, OrgSettingsPatch, Role, RoleChange};

#[utoipa::path(
    get,
    path = "/members",
    tag = "team",
    security(("session" = [])),
    responses(
        (status = 200, description = "The people of the organization.", body = [Member]),
        (status = 401, response = Unauthenticated),
        (status = 403, response = PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn list(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Vec<Member>>> {
    let members = state.db.list_members(current.session.org.id).await?;
    Ok(Json(members.iter().map(view).collect()))
}

#[utoipa::path(
    patch,
    path = "/members/{id}",
    tag = "team",
    security(("session" = [], "csrf" = [])),
    params(IdPath),
    request_body = RoleChange,
    responses(
        (status = 200, description = "Changed.", body = Member),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only admins can do this; `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`last_admin`: the organization would have no admin left.", body = ErrorBody),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 500, response = Internal),
    )
)]
pub async fn change_role(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RoleChange>,
) -> ApiResult<Json<Member>> {
    let org = admin_org(&current)?;
    let updated = state.db.set_member_role(org.id, id, req.role).await.map_err(member_error)?;
    audit::Event::new(Action::RoleChanged, &current.request_id)
        .actor(current.session.user.id)
        .target(Some(id))
        .detail(req.role.as_str())
        .emit();
    Ok(Json(view(&updated)))
}

/// `DELETE /api/v1/members/{id}`: removes the person and closes their account.
#[utoipa::path(
    delete,
    path = "/members/{id}",
    tag = "team",
    security(("session" = [], "csrf" = [])),
    params(IdPath),
    responses(
        (status = 204, description = "Removed; their sessions end."),
        (status = 400, response = BadAddress),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only admins can do this; `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 409, description = "`last_admin`: the organization would have no admin left.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let org = admin_org(&current)?;
    state.db.remove_member(org.id, id).await.map_err(member_error)?;
    audit::Event::new(Action::MemberRemoved, &current.request_id)
        .actor(current.session.user.id)
        .target(Some(id))
        .emit();
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/organization",
    tag = "team",
    security(("session" = [])),
    responses(
        (status = 200, description = "The organization's settings.", body = OrgSettings),
        (status = 401, response = Unauthenticated),
        (status = 403, response = PasswordChangeRequired),
        (status = 404, response = NoSuchObject),
        (status = 500, response = Internal),
    )
)]
pub async fn settings(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<OrgSettings>> {
    let s = state.db.org_settings(current.session.org.id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(settings_view(s)))
}

#[utoipa::path(
    patch,
    path = "/organization",
    tag = "team",
    security(("session" = [], "csrf" = [])),
    request_body = OrgSettingsPatch,
    responses(
        (status = 200, description = "Changed.", body = OrgSettings),
        (status = 400, response = MalformedJson),
        (status = 401, response = Unauthenticated),
        (status = 403, description = "`forbidden`: only admins can do this; `csrf`; `password_change_required`.", body = ErrorBody),
        (status = 404, response = NoSuchObject),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = InvalidBody),
        (status = 500, response = Internal),
    )
)]
pub async fn update_settings(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(patch): ApiJson<OrgSettingsPatch>,
) -> ApiResult<Json<OrgSettings>> {
    let org = admin_org(&current)?;
    if let Some(allowed) = patch.members_may_invite {
        state.db.set_members_may_invite(org.id, allowed).await?;
        let detail = if allowed { "members_may_invite" } else { "only_admins_invite" };
        audit::Event::new(Action::SettingsChanged, &current.request_id)
            .actor(current.session.user.id)
            .target(Some(org.id))
            .detail(detail)
            .emit();
    }
    let s = state.db.org_settings(org.id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(settings_view(s)))
}

fn admin_org(current: &CurrentUser) -> ApiResult<&storage::OrgRecord> {
    if current.session.user.role == Role::Admin {
        Ok(&current.session.org)
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Only admins can do this."))
    }
}

fn view(m: &MemberRecord) -> Member {
    Member { id: m.id, name: m.name.clone(), email: m.email.clone(), role: m.role, joined_at: m.joined_at }
}

fn settings_view(s: storage::OrgSettings) -> OrgSettings {
    OrgSettings { id: s.id, name: s.name, kind: s.kind, members_may_invite: s.members_may_invite }
}

fn member_error(e: MemberError) -> ApiError {
    match e {
        MemberError::NotFound => ApiError::not_found(),
        MemberError::LastAdmin => ApiError::conflict(
            "last_admin",
            "An organization needs at least one admin. Make someone else an admin first.",
        ),
        MemberError::EmailTaken => {
            ApiError::conflict("email_taken", "An account with this email address already exists.")
        }
        MemberError::Db(e) => e.into(),
    }
}
