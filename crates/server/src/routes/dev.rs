//! Dev-only endpoints (`TESSERA_DEV=1`): never routed otherwise.

use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub struct ClockView {
    now: DateTime<Utc>,
    offset_seconds: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetClock {
    /// Jump to this instant (RFC 3339).
    now: Option<DateTime<Utc>>,
    /// Or move by this many days (may be negative).
    advance_days: Option<i64>,
    /// Or go back to real time.
    #[serde(default)]
    reset: bool,
}

pub async fn get_clock(State(state): State<AppState>) -> Json<ClockView> {
    Json(view(&state))
}

pub async fn set_clock(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SetClock>,
) -> Result<Json<ClockView>, ApiError> {
    match (body.now, body.advance_days, body.reset) {
        (Some(at), None, false) => state.clock.set_now(at),
        (None, Some(days), false) => state.clock.advance(Duration::days(days)),
        (None, None, true) => state.clock.set_offset(Duration::zero()),
        _ => {
            return Err(ApiError::invalid("validation", "now", "Give exactly one of `now`, `advance_days` or `reset`."))
        }
    }
    Ok(Json(view(&state)))
}

fn view(state: &AppState) -> ClockView {
    ClockView { now: state.clock.now(), offset_seconds: state.clock.offset().num_seconds() }
}
