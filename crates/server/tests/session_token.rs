//! Changing the password gives the session that did it a new token: whoever learned the
//! old cookie (fixed before sign-in, or stolen) holds nothing afterwards.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{header, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_password_change_renews_this_session_token_and_the_old_one_stops_working() {
    let mut app = common::TestApp::new().await;
    app.register("individual", "", "rotate@example.com").await;
    let (old_cookie, old_csrf) = (app.cookie.clone().unwrap(), app.csrf.clone().unwrap());
    let mut thief = app.other_browser();
    thief.cookie = Some(old_cookie.clone());
    thief.csrf = Some(old_csrf.clone());

    let r = app
        .post(
            "/api/v1/auth/password",
            json!({"current_password": common::PASSWORD, "new_password": "a-fresh-passphrase"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set.starts_with("tessera_session=") && set.contains("HttpOnly"), "{set}");
    let (new_cookie, new_csrf) = (app.cookie.clone().unwrap(), app.csrf.clone().unwrap());
    assert_ne!(new_cookie, old_cookie);
    assert_ne!(new_csrf, old_csrf, "the CSRF token follows the session token");

    // The new token carries on, the CSRF token from the answer included.
    assert_eq!(app.get("/api/v1/me").await.status, StatusCode::OK);
    let r = app.send(axum::http::Method::PATCH, "/api/v1/me", json!({"name": "Renamed"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let r = thief.get("/api/v1/me").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "session_expired"));
}
