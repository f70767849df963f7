//! The people of an organization, and its settings.

use crate::audit::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::json::{ApiJson, ApiPath};
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::storage::{self, MemberError, MemberRecord};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tessera_domain::api::{Member, OrgSettings, OrgSettingsPatch, Role, RoleChange};

pub async fn list(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Vec<Member>>> {
    let members = state.db.list_members(current.session.org.id).await?;
    Ok(Json(members.iter().map(view).collect()))
}

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

pub async fn settings(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<OrgSettings>> {
    let s = state.db.org_settings(current.session.org.id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(settings_view(s)))
}

pub async fn update_settings(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(patch): ApiJson<OrgSettingsPatch>,
) -> ApiResult<Json<OrgSettings>> {
    let org = admin_org(&current)?;
    if let Some(allowed) = patch.members_may_invite {
        state.db.set_members_may_invite(org.id, allowed).await?;
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
