//! `GET /api/v1/session`: the app's start-up check answers 200 whether or not
//! someone is signed in, while `GET /api/v1/me` keeps its 401.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, PASSWORD};
use serde_json::{json, Value};
use tessera_domain::api::Role;
use tessera_server::routes::auth::hash_password;
use tessera_server::storage::{NewOrg, NewUser};

#[tokio::test]
async fn nobody_signed_in_is_a_200_with_no_one() {
    let mut app = TestApp::new().await;
    let r = app.get("/api/v1/session").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({ "me": null }));
    let r = app.get("/api/v1/me").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"), "/me keeps its contract");
}

#[tokio::test]
async fn a_signed_in_person_gets_the_same_me_as_from_me() {
    let mut app = TestApp::new().await;
    app.register("customer", "Northwind", "ann@example.com").await;
    let session = app.get("/api/v1/session").await;
    assert_eq!(session.status, StatusCode::OK);
    let me = app.get("/api/v1/me").await;
    assert_eq!(session.body["me"], me.body);
    assert_eq!(session.body["me"]["user"]["email"], "ann@example.com");
    assert_ne!(session.body["me"]["csrf_token"], Value::Null);
}

#[tokio::test]
async fn after_sign_out_and_expiry_nobody_is_signed_in_and_the_stale_cookie_is_cleared() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "fay@example.com").await;
    let old_cookie = app.cookie.clone();
    assert_eq!(app.post("/api/v1/auth/logout", json!({})).await.status, StatusCode::NO_CONTENT);
    app.cookie = old_cookie;
    let r = app.get("/api/v1/session").await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &json!({ "me": null })));
    assert!(app.cookie.is_none(), "the answer told the browser to drop the cookie");

    let mut other = app.other_browser();
    other.login("fay@example.com", PASSWORD).await;
    app.state.clock.advance(chrono::Duration::days(15));
    let r = other.get("/api/v1/session").await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &json!({ "me": null })));
    assert!(other.cookie.is_none());
}

#[tokio::test]
async fn an_account_with_a_one_time_password_is_still_told_who_it_is() {
    let mut app = TestApp::new().await;
    let hash = hash_password("one-time-pass-0001".into()).await.unwrap();
    app.state
        .db
        .create_org_with_admin(
            NewOrg { name: "Vendor", kind: tessera_domain::api::OrgKind::Vendor, individual: false },
            NewUser {
                email: "ops@vendor.example",
                name: "Ops",
                password_hash: &hash,
                role: Role::Admin,
                must_change_password: true,
                email_verified: true,
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    app.login("ops@vendor.example", "one-time-pass-0001").await;
    let r = app.get("/api/v1/session").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["me"]["must_change_password"], true);
}
