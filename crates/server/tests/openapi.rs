//! The OpenAPI document is served and describes every route the API has.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;

/// Every (method, path) the router serves under /api/v1, dev-only ones excepted.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("post", "/auth/register"),
    ("post", "/auth/login"),
    ("post", "/auth/logout"),
    ("post", "/auth/password"),
    ("get", "/me"),
    ("patch", "/me"),
    ("get", "/invitations"),
    ("post", "/invitations"),
    ("delete", "/invitations/{id}"),
    ("post", "/invitations/{id}/resend"),
    ("get", "/invitations/lookup"),
    ("post", "/invitations/accept"),
    ("get", "/members"),
    ("patch", "/members/{id}"),
    ("delete", "/members/{id}"),
    ("get", "/organization"),
    ("patch", "/organization"),
];

#[tokio::test]
async fn the_document_is_served_and_lists_every_route() {
    let mut app = common::TestApp::new().await;
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["openapi"], "3.1.0");
    let paths = r.body["paths"].as_object().unwrap();
    for (method, path) in ROUTES {
        assert!(paths.get(*path).and_then(|p| p.get(*method)).is_some(), "{method} {path} is not documented");
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, ROUTES.len(), "the document lists a route this test does not know");
    // Each documented route answers something other than "no such endpoint".
    for (method, path) in ROUTES.iter().filter(|(m, _)| *m == "get") {
        let r = app.get(&format!("/api/v1{}", path.replace("{id}", "1"))).await;
        assert_ne!(r.body["error"]["code"], "not_found", "{method} {path}");
    }
}
