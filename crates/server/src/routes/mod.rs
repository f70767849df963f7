//! The API under `/api/v1`, one module per feature.

pub mod auth;
pub mod dev;
pub mod health;

use crate::error::ApiError;
use crate::session::csrf_guard;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

pub fn api(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/health", get(health::health))
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me));
    if state.config.dev {
        router = router.route("/dev/clock", get(dev::get_clock).post(dev::set_clock));
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
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf_guard))
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .with_state(state)
}
