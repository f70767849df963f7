//! Assembles the whole HTTP application: API, static app, and the layers around them.

use crate::error::ApiError;
use crate::state::AppState;
use crate::{openapi, routes, web};
use axum::http::{HeaderName, Request};
use axum::response::IntoResponse;
use axum::Router;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let static_dir = state.config.static_dir.clone();
    let csp = web::content_security_policy(&static_dir);
    let https = state.config.https();
    let mut router = Router::new();
    if state.config.dev {
        router = router.route("/dev/outbox", axum::routing::get(routes::dev::outbox_page).with_state(state.clone()));
    }
    router
        .nest(openapi::PREFIX, routes::api(state))
        .fallback_service(web::static_files(&static_dir))
        .layer(axum::middleware::from_fn(web::cache_policy))
        .layer(axum::middleware::from_fn(move |request, next| web::security_headers(csp.clone(), https, request, next)))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(|_panic: Box<dyn std::any::Any + Send>| {
            ApiError::internal("a request handler panicked").into_response()
        }))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
                .on_failure(DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, RequestIds::default()))
        // SetRequestIdLayer keeps an id the client sent; the audit trail must not carry
        // one a client chose, so it is dropped first and every request gets ours.
        .layer(axum::middleware::map_request(|mut request: Request<axum::body::Body>| async move {
            request.headers_mut().remove(&REQUEST_ID);
            request
        }))
}

/// Request ids: a per-process random prefix and a counter, short enough to grep.
#[derive(Clone)]
struct RequestIds {
    prefix: u32,
    next: std::sync::Arc<AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> Self {
        let mut bytes = [0u8; 4];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
        RequestIds { prefix: u32::from_le_bytes(bytes), next: Default::default() }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:08x}-{n}", self.prefix);
        axum::http::HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}
