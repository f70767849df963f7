//! The invitation lookup takes its token in a POST body (issue 10, item 7), never a query
//! string, and like every state-changing method it needs the CSRF token of a signed-in
//! browser.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::TestApp;
use serde_json::json;

const LOOKUP: &str = "/api/v1/invitations/lookup";

async fn admin_who_invited_carl() -> (TestApp, String) {
    let mut admin = TestApp::new().await;
    assert_eq!(admin.register("customer", "Acme", "ann@acme.example").await.status, StatusCode::CREATED);
    assert_eq!(admin.invite("carl@acme.example").await.status, StatusCode::CREATED);
    let token = admin.invitation_token("carl@acme.example").await;
    (admin, token)
}

#[tokio::test]
async fn the_lookup_takes_its_token_in_a_post_body_only() {
    let (admin, token) = admin_who_invited_carl().await;
    let mut visitor = admin.other_browser();

    let r = visitor.get(&format!("{LOOKUP}?token={token}")).await;
    assert_eq!((r.status, r.code()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"), "{:?}", r.body);
    assert_eq!(r.headers.get(header::ALLOW).unwrap(), "POST");

    let r = visitor.post(LOOKUP, json!({ "token": token })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body,
        json!({"organization_name": "Acme", "inviter": "Test Person", "email": "carl@acme.example"}),
        "what the accept page shows"
    );

    // A token in the query string of a POST is not read either.
    let r = visitor.post(&format!("{LOOKUP}?token={token}"), json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
}

#[tokio::test]
async fn a_signed_in_browsers_lookup_needs_the_csrf_token() {
    let (mut admin, token) = admin_who_invited_carl().await;
    let cookie = format!("tessera_session={}", admin.cookie.clone().unwrap());
    let body = json!({ "token": token }).to_string();
    let without = |csrf: Option<&str>| {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(LOOKUP)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(csrf) = csrf {
            request = request.header("X-CSRF-Token", csrf);
        }
        request.body(Body::from(body.clone())).unwrap()
    };

    let r = admin.raw(without(None)).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "csrf"), "{:?}", r.body);
    let r = admin.raw(without(Some("not-the-token"))).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "csrf"), "{:?}", r.body);
    let csrf = admin.csrf.clone().unwrap();
    let r = admin.raw(without(Some(&csrf))).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["email"], "carl@acme.example");
}
