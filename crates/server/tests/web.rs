//! Serving the built app: SPA fallback, cache policy, pre-compressed files.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestApp;

async fn app_with_dist() -> TestApp {
    let dist = tempfile::tempdir().unwrap().keep();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Tessera</title><script type=\"module\">import init from '/x.js';</script>",
    )
    .unwrap();
    std::fs::write(dist.join("tessera-web-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(dist.join("tessera-web-0123456789abcdef.js"), "x".repeat(4000)).unwrap();
    std::fs::write(dist.join("tessera-web-0123456789abcdef.js.br"), b"brotli!").unwrap();
    TestApp::with_config(move |c| c.static_dir = dist).await
}

#[tokio::test]
async fn client_routes_fall_back_to_index_html_without_caching() {
    let mut app = app_with_dist().await;
    for path in ["/", "/team", "/licenses/42"] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.body.as_str().unwrap().contains("<title>Tessera</title>"), "{path}");
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-cache", "{path}");
        assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_sent_precompressed() {
    let mut app = app_with_dist().await;
    let r = app.get("/tessera-web-0123456789abcdef_bg.wasm").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/wasm");

    let req = Request::get("/tessera-web-0123456789abcdef.js")
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .body(Body::empty())
        .unwrap();
    let r = app.raw(req).await;
    assert_eq!(r.headers[header::CONTENT_ENCODING], "br");
    assert_eq!(r.body.as_str().unwrap(), "brotli!");
}

#[tokio::test]
async fn api_answers_are_compressed_when_asked_and_never_cached() {
    let mut app = app_with_dist().await;
    let req = Request::get("/api/v1/nothing-here").header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap();
    let r = app.raw(req).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn pages_carry_a_csp_that_allows_only_our_loader_script() {
    use base64::Engine;
    use sha2::Digest;
    let mut app = app_with_dist().await;
    let r = app.get("/signin").await;
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(b"import init from '/x.js';"));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    let api = app.get("/api/v1/health").await;
    assert!(api.headers.get(header::CONTENT_SECURITY_POLICY).is_none());
}

#[tokio::test]
async fn every_request_gets_the_servers_own_request_id_never_the_clients() {
    let mut app = TestApp::new().await;
    let request = app
        .request(axum::http::Method::GET, "/api/v1/health")
        .header("x-request-id", "forged-id")
        .body(Body::empty())
        .unwrap();
    let r = app.raw(request).await;
    assert_eq!(r.status, StatusCode::OK);
    let id = r.headers["x-request-id"].to_str().unwrap();
    assert_ne!(id, "forged-id", "the audit trail must not carry an id the client chose");
    assert!(id.contains('-'), "ours: a process prefix and a counter, got {id}");
}
