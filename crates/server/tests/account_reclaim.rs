//! A completed password reset proves the address (issue 10, items 1 to 3): the owner of an
//! address someone else registered takes the account back, a one-time password from the CLI
//! is replaced, and an address strangers locked out opens again.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{Reply, TestApp, PASSWORD};
use serde_json::json;
use tessera_domain::api::Role;
use tessera_server::routes::auth::hash_password;
use tessera_server::storage::{NewOrg, NewUser};

const NEW_PASSWORD: &str = "a-brand-new-passphrase";
const RESET_LINK: &str = "/reset-password?token=";
const VERIFY_LINK: &str = "/verify-email?token=";

/// The owner of `email` asks for a link in their own browser, reads the mail and chooses
/// `NEW_PASSWORD`: the answer to the confirmation, and the browser, signed in.
async fn reset_from_the_mail(app: &TestApp, email: &str) -> (Reply, TestApp) {
    let mut owner = app.other_browser();
    let r = owner.post("/api/v1/auth/password-reset", json!({ "email": email })).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let token = app.link_token(email, RESET_LINK).await;
    let r =
        owner.post("/api/v1/auth/password-reset/confirm", json!({ "token": token, "password": NEW_PASSWORD })).await;
    (r, owner)
}

async fn bodies_to(app: &TestApp, to: &str) -> String {
    let mails = app.state.db.list_mail(1000).await.unwrap();
    mails.iter().filter(|m| m.to == to).map(|m| format!("{}\n{}\n", m.text, m.html)).collect()
}

#[tokio::test]
async fn the_owner_of_a_squatted_address_takes_the_account_back() {
    let victim = "victim@example.com";
    let mut squatter = TestApp::new().await;
    let r = squatter.register_unverified("partner", "Squatters Ltd", victim).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(squatter.get("/api/v1/me").await.body["email_verified"], false);
    let squatters_link = squatter.link_token(victim, VERIFY_LINK).await;

    let (r, mut owner) = reset_from_the_mail(&squatter, victim).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["user"]["email"], victim);
    let me = owner.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["email"], victim);
    assert_eq!(me.body["email_verified"], true, "the reset proved the address");

    let r = squatter.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the squatter is signed out: {:?}", r.body);
    let r = squatter.other_browser().login(victim, PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "invalid_credentials"));
    assert_eq!(squatter.other_browser().login(victim, NEW_PASSWORD).await.status, StatusCode::OK);

    // The verification link mailed at the squatter's registration opens nothing any more.
    assert!(!bodies_to(&squatter, victim).await.contains(&squatters_link));
    // The owner is in charge now: a verified admin may invite.
    let r = owner.invite("colleague@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

/// An account created like the CLI's `create-vendor` does without `--password-stdin`.
async fn one_time_password_account(app: &TestApp, email: &str) {
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
async fn a_one_time_password_is_replaced_through_a_reset() {
    let app = TestApp::new().await;
    let ops = "ops@vendor.example";
    one_time_password_account(&app, ops).await;
    let mut before = app.other_browser();
    assert_eq!(before.login(ops, "one-time-pass-0001").await.body["must_change_password"], true);
    assert_eq!(before.get("/api/v1/members").await.code(), "password_change_required");

    let (r, mut owner) = reset_from_the_mail(&app, ops).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["must_change_password"], false);
    assert_eq!(owner.get("/api/v1/me").await.body["must_change_password"], false);
    let r = owner.get("/api/v1/members").await;
    assert_eq!(r.status, StatusCode::OK, "open once replaced: {:?}", r.body);

    assert_eq!(app.other_browser().login(ops, "one-time-pass-0001").await.status, StatusCode::UNAUTHORIZED);
    let r = app.other_browser().login(ops, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["must_change_password"], false, "stays replaced on the next sign-in");
}

#[tokio::test]
async fn a_locked_out_address_signs_in_right_after_a_completed_reset() {
    let cy = "cy@example.com";
    let mut app = TestApp::new().await;
    assert_eq!(app.register("customer", "C", cy).await.status, StatusCode::CREATED);
    let mut stranger = app.other_browser();
    for i in 0..10 {
        let r = stranger.login(cy, &format!("guess-number-{i}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    let r = stranger.login(cy, "guess-number-10").await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    let r = app.other_browser().login(cy, PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"), "locked out");

    let (r, _) = reset_from_the_mail(&app, cy).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.other_browser().login(cy, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "open again right after the reset: {:?}", r.body);
    let r = stranger.login(cy, "guess-number-11").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the strangers' count starts over: {:?}", r.body);
}
