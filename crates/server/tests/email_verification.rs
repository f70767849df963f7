//! A verified email (issue 10, item 2): a self-registered account may look around but mails
//! nobody until it uses the link it was mailed (single use, 7 days, sent again on request
//! with a limit); joining through an invitation proves the address too.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{header, StatusCode};
use chrono::Duration;
use common::{Reply, TestApp, PASSWORD};
use serde_json::json;

const ANN: &str = "ann@acme.example";
const VERIFY_LINK: &str = "/verify-email?token=";

async fn unverified_admin() -> TestApp {
    let mut app = TestApp::new().await;
    let r = app.register_unverified("customer", "Acme", ANN).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["email_verified"], false);
    app
}

async fn verified_admin() -> TestApp {
    let mut app = TestApp::new().await;
    let r = app.register("customer", "Acme", ANN).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app
}

async fn verify(browser: &mut TestApp, token: &str) -> Reply {
    browser.post("/api/v1/auth/verify-email", json!({ "token": token })).await
}

async fn resend(browser: &mut TestApp) -> Reply {
    browser.post("/api/v1/auth/verify-email/resend", json!({})).await
}

async fn verified(browser: &mut TestApp) -> bool {
    let me = browser.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    me.body["email_verified"].as_bool().unwrap()
}

async fn mails_to(app: &TestApp, to: &str, kind: &str) -> Vec<tessera_server::storage::MailRecord> {
    let mails = app.state.db.list_mail(1000).await.unwrap();
    mails.into_iter().filter(|m| m.to == to && m.kind == kind).collect()
}

async fn bodies_to(app: &TestApp, to: &str) -> String {
    let mails = app.state.db.list_mail(1000).await.unwrap();
    mails.iter().filter(|m| m.to == to).map(|m| format!("{}\n{}\n", m.text, m.html)).collect()
}

#[tokio::test]
async fn an_unverified_account_cannot_invite_until_it_verifies() {
    let mut app = unverified_admin().await;
    assert!(!verified(&mut app).await);
    let mail = &mails_to(&app, ANN, "email_verification").await[0];
    let link = format!("{}{VERIFY_LINK}", app.state.config.public_url);
    assert!(mail.text.contains(&link) && mail.html.contains(&link), "{}", mail.text);

    let r = app.invite("carl@acme.example").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "email_unverified"), "{:?}", r.body);
    assert!(r.message().contains(ANN), "names the address to look in: {}", r.message());
    assert!(bodies_to(&app, "carl@acme.example").await.is_empty(), "no invitation mail");
    assert_eq!(app.get("/api/v1/invitations").await.body, json!([]), "no invitation");

    // The link may be opened in another browser than the one that registered.
    let token = app.link_token(ANN, VERIFY_LINK).await;
    let r = verify(&mut app.other_browser(), &token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(verified(&mut app).await);

    let r = app.invite("carl@acme.example").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(mails_to(&app, "carl@acme.example", "invitation").await.len(), 1);
}

#[tokio::test]
async fn verifying_twice_is_fine() {
    let mut app = unverified_admin().await;
    let token = app.link_token(ANN, VERIFY_LINK).await;
    let first = verify(&mut app, &token).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let second = verify(&mut app.other_browser(), &token).await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    assert!(second.body["message"].as_str().unwrap().contains("already"), "{:?}", second.body);
    assert!(verified(&mut app).await);
}

#[tokio::test]
async fn an_unknown_verification_link_is_404() {
    let mut app = unverified_admin().await;
    let r = verify(&mut app.other_browser(), "not-a-token-anybody-was-sent").await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "verification_link_unknown"));
    assert!(r.message().contains("Send the link again"), "says what to do: {}", r.message());

    // A reset link is no verification link.
    let r = app.other_browser().post("/api/v1/auth/password-reset", json!({ "email": ANN })).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let reset = app.link_token(ANN, "/reset-password?token=").await;
    let r = verify(&mut app.other_browser(), &reset).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "verification_link_unknown"));
    assert!(!verified(&mut app).await);
}

#[tokio::test]
async fn a_verification_link_expires_after_seven_days_and_a_new_one_verifies() {
    let mut app = unverified_admin().await;
    let old = app.link_token(ANN, VERIFY_LINK).await;
    app.state.clock.advance(Duration::days(7) + Duration::minutes(1));
    let r = verify(&mut app.other_browser(), &old).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "verification_link_expired"));
    assert!(r.message().contains("Send the link again"), "{}", r.message());
    assert!(!verified(&mut app).await);

    let r = resend(&mut app).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains(ANN), "{:?}", r.body);
    let new = app.link_token(ANN, VERIFY_LINK).await;
    assert_ne!(old, new);
    assert_eq!(verify(&mut app.other_browser(), &new).await.status, StatusCode::OK);
    assert!(verified(&mut app).await);
}

#[tokio::test]
async fn a_verification_link_works_within_its_seven_days() {
    let mut app = unverified_admin().await;
    let token = app.link_token(ANN, VERIFY_LINK).await;
    app.state.clock.advance(Duration::days(7) - Duration::minutes(1));
    let r = verify(&mut app.other_browser(), &token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(verified(&mut app).await);
}

#[tokio::test]
async fn sending_the_link_again_kills_the_old_one() {
    let mut app = unverified_admin().await;
    let old = app.link_token(ANN, VERIFY_LINK).await;
    let r = resend(&mut app).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let new = app.link_token(ANN, VERIFY_LINK).await;
    assert_ne!(old, new);
    assert!(!bodies_to(&app, ANN).await.contains(&old), "the old mail is blanked");

    let r = verify(&mut app.other_browser(), &old).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "verification_link_expired"));
    assert!(!verified(&mut app).await);
    assert_eq!(verify(&mut app.other_browser(), &new).await.status, StatusCode::OK);
    assert!(verified(&mut app).await);
}

#[tokio::test]
async fn the_fourth_resend_within_an_hour_is_refused() {
    let mut app = unverified_admin().await;
    for i in 0..3 {
        let r = resend(&mut app).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "resend {i}: {:?}", r.body);
    }
    let r = resend(&mut app).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"), "{:?}", r.body);
    let wait: u64 = r.headers.get(header::RETRY_AFTER).expect("Retry-After").to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "Retry-After {wait}");
    assert_eq!(mails_to(&app, ANN, "email_verification").await.len(), 4, "registration's and three resends");

    app.state.clock.advance(Duration::hours(1) + Duration::seconds(1));
    let r = resend(&mut app).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "allowed again an hour later: {:?}", r.body);
}

#[tokio::test]
async fn sending_the_link_again_needs_an_unverified_signed_in_account() {
    let mut anonymous = TestApp::new().await;
    let r = resend(&mut anonymous).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"));

    let mut app = verified_admin().await;
    let before = mails_to(&app, ANN, "email_verification").await.len();
    let r = resend(&mut app).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "email_verified_already"));
    assert_eq!(mails_to(&app, ANN, "email_verification").await.len(), before, "no mail");
}

#[tokio::test]
async fn joining_through_an_invitation_proves_the_address() {
    let mut admin = verified_admin().await;
    assert_eq!(admin.invite("carl@acme.example").await.status, StatusCode::CREATED);
    let token = admin.invitation_token("carl@acme.example").await;
    let mut carl = admin.other_browser();
    let r =
        carl.post("/api/v1/invitations/accept", json!({"token": token, "name": "Carl", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["email_verified"], true);
    assert!(verified(&mut carl).await);
    assert!(mails_to(&admin, "carl@acme.example", "email_verification").await.is_empty(), "nothing to confirm");
}

#[tokio::test]
async fn a_home_owner_who_accepts_an_invitation_to_a_company_becomes_verified() {
    let home = "hal@example.com";
    let mut admin = verified_admin().await;
    assert_eq!(admin.invite(home).await.status, StatusCode::CREATED);
    let invitation = admin.invitation_token(home).await;

    let mut owner = admin.other_browser();
    let r = owner.register_unverified("individual", "", home).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert!(!verified(&mut owner).await);
    let unread = admin.link_token(home, VERIFY_LINK).await;

    let r = owner.post("/api/v1/invitations/accept", json!({ "token": invitation })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["organization"]["name"], "Acme");
    assert_eq!(r.body["email_verified"], true);
    assert!(verified(&mut owner).await);
    assert!(!bodies_to(&admin, home).await.contains(&unread), "the unread verification link is blanked");
}

#[tokio::test]
async fn a_used_verification_link_is_blanked_in_the_outbox() {
    let app = unverified_admin().await;
    let token = app.link_token(ANN, VERIFY_LINK).await;
    assert!(bodies_to(&app, ANN).await.contains(&token));
    assert_eq!(verify(&mut app.other_browser(), &token).await.status, StatusCode::OK);
    let stored = bodies_to(&app, ANN).await;
    assert!(!stored.contains(&token), "{stored}");
    assert!(stored.contains("token=[redacted]"), "{stored}");
}

#[tokio::test]
async fn housekeeping_blanks_the_mail_of_an_expired_verification_link() {
    let app = unverified_admin().await;
    let token = app.link_token(ANN, VERIFY_LINK).await;
    let db = &app.state.db;
    app.state.clock.advance(Duration::days(7) - Duration::minutes(1));
    assert_eq!(db.redact_lapsed_account_link_mail(app.state.clock.now()).await.unwrap(), 0, "still usable");
    assert!(bodies_to(&app, ANN).await.contains(&token));

    app.state.clock.advance(Duration::minutes(2));
    assert_eq!(db.redact_lapsed_account_link_mail(app.state.clock.now()).await.unwrap(), 1);
    let stored = bodies_to(&app, ANN).await;
    assert!(!stored.contains(&token) && stored.contains("token=[redacted]"), "{stored}");
}
