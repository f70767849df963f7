//! The signed-in person's own account: name and password, and the one-time
//! password that must be replaced before anything else.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, PASSWORD};
use serde_json::json;
use tessera_domain::api::Role;
use tessera_server::routes::auth::hash_password;
use tessera_server::storage::{NewOrg, NewUser};

const NEW_PASSWORD: &str = "a-brand-new-passphrase";

async fn change(app: &mut TestApp, current: &str, new: &str) -> common::Reply {
    app.post("/api/v1/auth/password", json!({"current_password": current, "new_password": new})).await
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let mut laptop = TestApp::new().await;
    laptop.register("customer", "Northwind", "ann@example.com").await;
    let mut phone = laptop.other_browser();
    assert_eq!(phone.login("ann@example.com", PASSWORD).await.status, StatusCode::OK);

    let r = change(&mut laptop, PASSWORD, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["must_change_password"], false);
    assert_eq!(laptop.get("/api/v1/me").await.status, StatusCode::OK, "this session goes on");
    let r = phone.get("/api/v1/me").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "session_expired"), "the other one ended");

    let mut browser = laptop.other_browser();
    assert_eq!(browser.login("ann@example.com", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(browser.login("ann@example.com", NEW_PASSWORD).await.status, StatusCode::OK);

    // The owner hears of it, in case it was not them.
    let mails = laptop.state.db.list_mail(10).await.unwrap();
    let notice = mails.iter().find(|m| m.kind == "password_changed").expect("a notice mail");
    assert_eq!(notice.to, "ann@example.com");
    assert!(notice.text.contains("was changed") && !notice.text.contains(NEW_PASSWORD), "{}", notice.text);
}

#[tokio::test]
async fn a_wrong_current_password_or_a_weak_new_one_changes_nothing() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "boris@example.com").await;

    let r = change(&mut app, "not-my-password", NEW_PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "wrong_password"));
    assert_eq!(r.body["error"]["field"], "current_password");

    let r = change(&mut app, PASSWORD, PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "password_unchanged"));
    assert_eq!(r.body["error"]["field"], "new_password");

    let r = change(&mut app, PASSWORD, "short").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["error"]["field"], "new_password");
    assert!(r.message().contains("10 characters"), "{}", r.message());

    let r = change(&mut app, PASSWORD, "boris-likes-2026").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "contains the email's local part: {:?}", r.body);

    let mut browser = app.other_browser();
    assert_eq!(browser.login("boris@example.com", PASSWORD).await.status, StatusCode::OK, "old password still works");
    let mails = app.state.db.list_mail(10).await.unwrap();
    assert!(mails.iter().all(|m| m.kind != "password_changed"), "no notice for a refused change");
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_like_sign_in() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "cy@example.com").await;
    for _ in 0..10 {
        let r = change(&mut app, "guess-guess-guess", NEW_PASSWORD).await;
        assert_eq!(r.code(), "wrong_password");
    }
    let r = change(&mut app, PASSWORD, NEW_PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    assert!(r.headers.contains_key("retry-after"));
    let mut browser = app.other_browser();
    assert_eq!(browser.login("cy@example.com", PASSWORD).await.code(), "too_many_attempts", "one count per address");
}

#[tokio::test]
async fn changing_the_password_needs_a_session_and_the_csrf_token() {
    let mut app = TestApp::new().await;
    let r = change(&mut app, PASSWORD, NEW_PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    app.register("customer", "C", "di@example.com").await;
    app.csrf = None;
    let r = change(&mut app, PASSWORD, NEW_PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "csrf"));
}

/// An account created like the CLI's `create-vendor` does without `--password-stdin`.
async fn one_time_password_account(app: &mut TestApp, email: &str) {
    let hash = hash_password("one-time-pass-0001".into()).await.unwrap();
    app.state
        .db
        .create_org_with_admin(
            NewOrg { name: "Vendor", kind: tessera_domain::api::OrgKind::Vendor, individual: false },
            NewUser {
                email,
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
}

#[tokio::test]
async fn a_one_time_password_opens_nothing_but_the_password_change() {
    let mut app = TestApp::new().await;
    one_time_password_account(&mut app, "ops@vendor.example").await;
    let r = app.login("ops@vendor.example", "one-time-pass-0001").await;
    assert_eq!(r.body["must_change_password"], true);
    assert_eq!(app.get("/api/v1/me").await.status, StatusCode::OK);
    for path in ["/api/v1/members", "/api/v1/invitations", "/api/v1/organization"] {
        let r = app.get(path).await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "password_change_required"), "{path}");
    }
    let r = app.invite("someone@example.com").await;
    assert_eq!(r.code(), "password_change_required");

    let r = change(&mut app, "one-time-pass-0001", NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["must_change_password"], false);
    assert_eq!(app.get("/api/v1/members").await.status, StatusCode::OK, "open once changed");
    assert_eq!(app.get("/api/v1/me").await.body["must_change_password"], false);
}

#[tokio::test]
async fn people_rename_themselves_and_nobody_else() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "ed@example.com").await;
    let r = app.send(Method::PATCH, "/api/v1/me", json!({"name": "  Edith Example "})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["user"]["name"], "Edith Example");
    assert!(r.body["csrf_token"].is_string());
    assert_eq!(app.get("/api/v1/me").await.body["user"]["name"], "Edith Example");
    let members = app.get("/api/v1/members").await;
    assert_eq!(members.body[0]["name"], "Edith Example");

    let r = app.send(Method::PATCH, "/api/v1/me", json!({"name": "   "})).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")));
    let r = app.send(Method::PATCH, "/api/v1/me", json!({"name": "x".repeat(101)})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.send(Method::PATCH, "/api/v1/me", json!({"id": 1})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the name is required: {:?}", r.body);
    assert_eq!(app.get("/api/v1/me").await.body["user"]["name"], "Edith Example", "unchanged by refusals");
}

#[tokio::test]
async fn a_one_time_password_account_cannot_rename_itself_but_can_sign_out() {
    let mut app = TestApp::new().await;
    one_time_password_account(&mut app, "ops@vendor.example").await;
    app.login("ops@vendor.example", "one-time-pass-0001").await;

    let r = app.send(Method::PATCH, "/api/v1/me", json!({"name": "Someone Else"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "password_change_required"), "{:?}", r.body);
    assert_eq!(app.get("/api/v1/me").await.body["user"]["name"], "Ops", "unchanged");

    let r = app.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "signed out: {:?}", r.body);

    app.login("ops@vendor.example", "one-time-pass-0001").await;
    assert_eq!(change(&mut app, "one-time-pass-0001", NEW_PASSWORD).await.status, StatusCode::OK);
    let r = app.send(Method::PATCH, "/api/v1/me", json!({"name": "Olga Ops"})).await;
    assert_eq!(r.status, StatusCode::OK, "open once the password is their own: {:?}", r.body);
    assert_eq!(r.body["user"]["name"], "Olga Ops");
}
