//! "Sign out everywhere": every session of the account ends, this one too; nobody else's.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{header, StatusCode};
use common::{TestApp, PASSWORD};
use serde_json::json;

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_account_and_no_other() {
    let mut laptop = TestApp::new().await;
    assert_eq!(laptop.register("customer", "Acme", "ann@acme.example").await.status, StatusCode::CREATED);
    let mut phone = laptop.other_browser();
    assert_eq!(phone.login("ann@acme.example", PASSWORD).await.status, StatusCode::OK);
    let mut colleague = laptop.other_browser();
    assert_eq!(colleague.register("customer", "Other", "bob@other.example").await.status, StatusCode::CREATED);

    let r = phone.post("/api/v1/auth/logout-everywhere", json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let cleared = r.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "this browser's cookie is cleared: {cleared}");

    for browser in [&mut laptop, &mut phone] {
        let r = browser.get("/api/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
    assert_eq!(colleague.get("/api/v1/me").await.status, StatusCode::OK, "another account keeps its session");
    assert_eq!(laptop.login("ann@acme.example", PASSWORD).await.status, StatusCode::OK, "signing in again works");
}

#[tokio::test]
async fn signing_out_everywhere_needs_a_session_and_its_csrf_token() {
    let mut visitor = TestApp::new().await;
    let r = visitor.post("/api/v1/auth/logout-everywhere", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"));

    let mut ann = TestApp::new().await;
    assert_eq!(ann.register("customer", "Acme", "ann@acme.example").await.status, StatusCode::CREATED);
    ann.csrf = None;
    let r = ann.post("/api/v1/auth/logout-everywhere", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "csrf"));
    assert_eq!(ann.get("/api/v1/me").await.status, StatusCode::OK, "nothing ended");
}
