use crate::error::ApiError;
use crate::openapi::Internal;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tessera_domain::api::{ErrorBody, Health};

#[utoipa::path(
    get,
    path = "/health",
    tag = "system",
    security(()),
    responses(
        (status = 200, description = "Up.", body = Health),
        (status = 500, response = Internal),
        (status = 503, description = "`unavailable`: the database does not answer.", body = ErrorBody),
    )
)]
/// Liveness and readiness in one: answers 503 when the database does not.
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.db.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "health check: database unavailable");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "The database is not available.")
    })?;
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() }))
}
