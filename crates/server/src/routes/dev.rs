//! Dev-only endpoints (`TESSERA_DEV=1`): never routed otherwise.

use crate::error::ApiError;
use crate::json::ApiJson;
use crate::openapi::{Csrf, Internal, MalformedJson, PayloadTooLarge, UnsupportedMediaType};
use crate::state::AppState;
use crate::storage::MailRecord;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tessera_domain::api::ErrorBody;
use utoipa::ToSchema;

/// The server's clock, which tests may move.
#[derive(Serialize, ToSchema)]
pub struct ClockView {
    now: DateTime<Utc>,
    offset_seconds: i64,
}

/// Exactly one of the three.
#[derive(Deserialize, ToSchema)]
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

#[utoipa::path(
    get,
    path = "/dev/clock",
    tag = "dev",
    security(()),
    responses(
        (status = 200, description = "The server's time and how far it is from real time.", body = ClockView),
        (status = 500, response = Internal),
    )
)]
pub async fn get_clock(State(state): State<AppState>) -> Json<ClockView> {
    Json(view(&state))
}

#[utoipa::path(
    post,
    path = "/dev/clock",
    tag = "dev",
    security((), ("session" = [], "csrf" = [])),
    request_body = SetClock,
    responses(
        (status = 200, description = "Moved.", body = ClockView),
        (status = 400, response = MalformedJson),
        (status = 403, response = Csrf),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "`invalid_body`; `validation`: not exactly one of the three, \
            or more than 36,600 days away from real time.", body = ErrorBody),
        (status = 500, response = Internal),
    )
)]
pub async fn set_clock(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SetClock>,
) -> Result<Json<ClockView>, ApiError> {
    let (offset, field) = match (body.now, body.advance_days, body.reset) {
        (Some(at), None, false) => (Some(at - Utc::now()), "now"),
        (None, Some(days), false) => {
            (Duration::try_days(days).and_then(|by| state.clock.offset().checked_add(&by)), "advance_days")
        }
        (None, None, true) => (Some(Duration::zero()), "reset"),
        _ => {
            return Err(ApiError::invalid("validation", "now", "Give exactly one of `now`, `advance_days` or `reset`."))
        }
    };
    // Far enough for any term (5 years) many times over; near enough that every date the
    // server computes from the moved clock stays representable.
    let limit = Duration::days(MAX_OFFSET_DAYS);
    match offset {
        Some(offset) if offset.abs() <= limit => state.clock.set_offset(offset),
        _ => {
            return Err(ApiError::invalid(
                "validation",
                field,
                format!("The clock can move at most {MAX_OFFSET_DAYS} days away from real time."),
            ))
        }
    }
    Ok(Json(view(&state)))
}

const MAX_OFFSET_DAYS: i64 = 100 * 366;

fn view(state: &AppState) -> ClockView {
    ClockView { now: state.clock.now(), offset_seconds: state.clock.offset().num_seconds() }
}

#[utoipa::path(
    get,
    path = "/dev/outbox",
    tag = "dev",
    security(()),
    responses(
        (status = 200, description = "The newest 100 mails, newest first.", body = [MailRecord]),
        (status = 500, response = Internal),
    )
)]
/// The newest mails, with bodies: what tests read invitation links from.
pub async fn outbox_json(State(state): State<AppState>) -> Result<Json<Vec<MailRecord>>, ApiError> {
    Ok(Json(state.db.list_mail(100).await?))
}

/// The schema of a [`MailRecord`] (storage's type, which knows nothing of OpenAPI). Written
/// here by hand, so the API tests check it against real answers of `GET /dev/outbox`.
impl utoipa::PartialSchema for MailRecord {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
        let text = || ObjectBuilder::new().schema_type(Type::String);
        let optional_text = || ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]));
        let integer = || {
            ObjectBuilder::new().schema_type(Type::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        };
        ObjectBuilder::new()
            .description(Some("A mail of the outbox."))
            .property("id", integer())
            .property("to", text())
            .property("subject", text())
            .property("text", text().description(Some("The plain-text body.")))
            .property("html", text())
            .property("kind", text().description(Some("What the mail is about, e.g. `invitation`.")))
            .property("created_at", text())
            .property("sent_at", optional_text().description(Some("When it was delivered; null while it waits.")))
            .property("attempts", integer())
            .property("last_error", optional_text())
            .required("id")
            .required("to")
            .required("subject")
            .required("text")
            .required("html")
            .required("kind")
            .required("created_at")
            .required("sent_at")
            .required("attempts")
            .required("last_error")
            .into()
    }
}

impl ToSchema for MailRecord {}

/// `/dev/outbox`: the outbox as a page, for people trying Tessera without SMTP.
pub async fn outbox_page(State(state): State<AppState>) -> Result<axum::response::Html<String>, ApiError> {
    use crate::clock::to_db;
    use crate::mail::escape;
    let mails = state.db.list_mail(100).await?;
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Outbox · Tessera (dev)</title>\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><style>\
         body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2937}\
         article{border:1px solid #e5e7eb;border-radius:8px;margin:1rem 0;padding:1rem}\
         pre{white-space:pre-wrap;background:#f9fafb;padding:.75rem;border-radius:6px}\
         .meta{color:#6b7280;font-size:.875rem}</style></head><body><h1>Outbox</h1>\
         <p class=\"meta\">Dev mode only. Mail stays here unless <code>TESSERA_SMTP_URL</code> is set.</p>",
    );
    if mails.is_empty() {
        html.push_str("<p>No mail yet.</p>");
    }
    for m in &mails {
        html.push_str(&format!(
            "<article><h2>{}</h2><p class=\"meta\">#{} · to {} · {} · {}</p><pre>{}</pre></article>",
            escape(&m.subject),
            m.id,
            escape(&m.to),
            to_db(m.created_at),
            m.sent_at.map(|t| format!("sent {}", to_db(t))).unwrap_or_else(|| "not sent".into()),
            linkify(&escape(&m.text)),
        ));
    }
    html.push_str("</body></html>");
    Ok(axum::response::Html(html))
}

/// Makes the (already escaped) http links of a plain-text mail clickable.
fn linkify(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            if line.starts_with("http://") || line.starts_with("https://") {
                format!("<a href=\"{line}\">{line}</a>")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `POST /api/v1/dev/jobs/renewal-notices`: runs the renewal-notice job now (it also runs at
/// start and every hour), so tests and demos need not wait.
#[utoipa::path(
    post,
    path = "/dev/jobs/renewal-notices",
    tag = "dev",
    security((), ("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "What the run sent: items noticed and mails queued.",
            body = crate::notices::NoticeRun),
        (status = 403, response = Csrf),
        (status = 500, response = Internal),
    )
)]
pub async fn run_renewal_notices(State(state): State<AppState>) -> Result<Json<crate::notices::NoticeRun>, ApiError> {
    Ok(Json(crate::notices::run_once(&state).await?))
}
