//! The API under `/api/v1`, one module per feature.

pub mod auth;
pub mod dev;
pub mod health;
pub mod invitations;
pub mod members;
pub mod session_state;

use crate::error::ApiError;
use crate::session::{csrf_guard, renew_cookie};
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::Router;

pub fn api(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/health", get(health::health))
        .route("/openapi.json", get(openapi))
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/password", post(auth::change_password))
        .route("/me", get(auth::me).patch(auth::update_me))
        .route("/session", get(session_state::session_state))
        .route("/invitations", get(invitations::list).post(invitations::create))
        .route("/invitations/lookup", get(invitations::lookup))
        .route("/invitations/accept", post(invitations::accept))
        .route("/invitations/{id}", delete(invitations::revoke))
        .route("/invitations/{id}/resend", post(invitations::resend))
        .route("/members", get(members::list))
        .route("/members/{id}", patch(members::change_role).delete(members::remove))
        .route("/organization", get(members::settings).patch(members::update_settings));
    if state.config.dev {
        router = router
            .route("/dev/clock", get(dev::get_clock).post(dev::set_clock))
            .route("/dev/outbox", get(dev::outbox_json));
    }
    router
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such API endpoint.") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This endpoint does not accept that method.",
            )
        })
        .layer(axum::middleware::from_fn_with_state(state.clone(), renew_cookie))
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf_guard))
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .with_state(state)
}

/// The OpenAPI document (`crates/server/api/openapi.json`), kept beside the routes it
/// describes; a test checks that every route is in it.
async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], include_str!("../../api/openapi.json"))
}
