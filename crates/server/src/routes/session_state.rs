//! `GET /api/v1/session`: the app's start-up check. `GET /api/v1/me` answers 401
//! to a visitor without a session, which is right for an API but makes every
//! signed-out first load log a failed request in the browser; this answers 200
//! with `{"me": null}` instead.

use crate::openapi::Internal;
use crate::session::{self, AuthRejection, Authenticated};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tessera_domain::api::SessionState;

#[utoipa::path(
    get,
    path = "/session",
    tag = "auth",
    security((), ("session" = [])),
    responses(
        (status = 200, description = "`me` is the signed-in person (as `GET /me` answers, also for an \
            account that must still change its one-time password), or `null` for nobody; a cookie that \
            no longer opens a session is cleared.", body = SessionState,
            headers(("Set-Cookie" = String, description = "Clears a stale session cookie"))),
        (status = 500, response = Internal),
    )
)]
pub async fn session_state(State(state): State<AppState>, current: Result<Authenticated, AuthRejection>) -> Response {
    match current {
        Ok(current) => {
            Json(SessionState { me: Some(session::me(&current.session, &current.token, state.clock.today())) })
                .into_response()
        }
        Err(rejection) => {
            let rejected = rejection.into_response();
            if rejected.status() != StatusCode::UNAUTHORIZED {
                return rejected;
            }
            // Nobody signed in: still pass on the clearing of a stale cookie, as `/me` does.
            let mut response = Json(SessionState { me: None }).into_response();
            for cookie in rejected.headers().get_all(header::SET_COOKIE) {
                response.headers_mut().append(header::SET_COOKIE, cookie.clone());
            }
            response
        }
    }
}
