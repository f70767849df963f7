//! What the vendor sells: the catalog the server started with.

use crate::openapi::{Internal, PasswordChangeRequired, Unauthenticated};
use crate::session::CurrentUser;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tessera_domain::catalog::Catalog;

/// `GET /api/v1/catalog`: the same for every signed-in person; prices are list prices, not
/// secrets, and every role needs them (lockers name SKUs, partners quote).
#[utoipa::path(
    get,
    path = "/catalog",
    tag = "catalog",
    security(("session" = [])),
    responses(
        (status = 200, description = "Products with their tiers, terms and renewal rules; SKUs with list \
            prices in minor units; promotions with their validity windows (both days included); the \
            bill-of-materials export templates.", body = Catalog),
        (status = 401, response = Unauthenticated),
        (status = 403, response = PasswordChangeRequired),
        (status = 500, response = Internal),
    )
)]
pub async fn catalog(State(state): State<AppState>, _current: CurrentUser) -> Response {
    Json(state.catalog.as_ref()).into_response()
}
