//! "Forgot your password?" (issue 10, item 1): the same answer whether or not the address
//! has an account, a single-use link that lives one hour (a newer one kills it), a new
//! password that ends every session, and a per-address limit that reveals nothing.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{header, StatusCode};
use chrono::Duration;
use common::{Reply, TestApp, PASSWORD};
use serde_json::json;

const ANN: &str = "ann@example.com";
const NEW_PASSWORD: &str = "a-brand-new-passphrase";
const RESET_LINK: &str = "/reset-password?token=";

async fn with_ann() -> TestApp {
    let mut app = TestApp::new().await;
    let r = app.register("customer", "Northwind", ANN).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app
}

async fn ask(browser: &mut TestApp, email: &str) -> Reply {
    browser.post("/api/v1/auth/password-reset", json!({ "email": email })).await
}

async fn confirm(browser: &mut TestApp, token: &str, password: &str) -> Reply {
    browser.post("/api/v1/auth/password-reset/confirm", json!({ "token": token, "password": password })).await
}

/// Asks for a link for `email` from a browser of its own and returns the token of the mail.
async fn reset_token(app: &TestApp, email: &str) -> String {
    let r = ask(&mut app.other_browser(), email).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    app.link_token(email, RESET_LINK).await
}

async fn signs_in(app: &TestApp, email: &str, password: &str) -> StatusCode {
    app.other_browser().login(email, password).await.status
}

/// Every stored body (text and HTML) of the mails of `kind` to `to`, joined.
async fn bodies(app: &TestApp, to: &str, kind: &str) -> String {
    let mails = app.state.db.list_mail(1000).await.unwrap();
    mails.iter().filter(|m| m.to == to && m.kind == kind).map(|m| format!("{}\n{}\n", m.text, m.html)).collect()
}

async fn count_mails(app: &TestApp, to: &str, kind: &str) -> usize {
    let mails = app.state.db.list_mail(1000).await.unwrap();
    mails.iter().filter(|m| m.to == to && m.kind == kind).count()
}

fn retry_after(r: &Reply) -> u64 {
    let value = r.headers.get(header::RETRY_AFTER).expect("a Retry-After header");
    value.to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn an_existing_and_an_unknown_address_get_the_same_answer_and_only_the_existing_one_a_mail() {
    let app = with_ann().await;
    let mails_before = app.state.db.list_mail(1000).await.unwrap().len();

    let known = ask(&mut app.other_browser(), ANN).await;
    let unknown = ask(&mut app.other_browser(), "nobody@example.com").await;
    assert_eq!(known.status, StatusCode::ACCEPTED, "{:?}", known.body);
    assert_eq!(unknown.status, StatusCode::ACCEPTED, "{:?}", unknown.body);
    assert_eq!(known.body, unknown.body, "the answer must not tell which addresses have an account");
    assert!(!known.body["message"].as_str().unwrap().is_empty());

    let mails = app.state.db.list_mail(1000).await.unwrap();
    assert_eq!(mails.len(), mails_before + 1, "one mail, for the address with an account");
    let mail = &mails[0];
    assert_eq!((mail.to.as_str(), mail.kind.as_str()), (ANN, "password_reset"));
    let link = format!("{}{RESET_LINK}", app.state.config.public_url);
    assert!(mail.text.contains(&link) && mail.html.contains(&link), "{}", mail.text);
    assert!(mails.iter().all(|m| m.to != "nobody@example.com"));

    // At least 128 random bits, and only its hash is kept.
    let token = app.link_token(ANN, RESET_LINK).await;
    assert!(token.len() >= 22, "{token}");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(app.state.config.database_path());
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let count = |value: String| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM account_links WHERE token_hash = ?")
                .bind(value)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count(token.clone()).await, 0, "the token itself is not stored");
    assert_eq!(count(tessera_server::security::token_hash(&token)).await, 1);
    pool.close().await;
}

#[tokio::test]
async fn any_spelling_of_the_address_reaches_its_account() {
    let app = with_ann().await;
    let r = ask(&mut app.other_browser(), "  ANN@Example.COM ").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    assert_eq!(count_mails(&app, ANN, "password_reset").await, 1);
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_and_signs_the_browser_in() {
    let app = with_ann().await;
    let token = reset_token(&app, ANN).await;

    let mut owner = app.other_browser();
    let r = confirm(&mut owner, &token, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["user"]["email"], ANN);
    assert_eq!(r.body["email_verified"], true);
    assert_eq!(r.body["must_change_password"], false);
    assert!(r.headers.get_all(header::SET_COOKIE).iter().any(|c| c.to_str().unwrap().starts_with("tessera_session=")));
    let me = owner.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK, "the browser is signed in");
    assert_eq!(me.body["user"]["email"], ANN);

    assert_eq!(signs_in(&app, ANN, PASSWORD).await, StatusCode::UNAUTHORIZED, "the old password is gone");
    assert_eq!(signs_in(&app, ANN, NEW_PASSWORD).await, StatusCode::OK);

    let r = confirm(&mut app.other_browser(), &token, "yet-another-passphrase").await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "reset_link_used"));
    assert!(r.message().contains("Forgot your password?"), "says how to ask again: {}", r.message());
    assert_eq!(signs_in(&app, ANN, "yet-another-passphrase").await, StatusCode::UNAUTHORIZED);
    assert_eq!(signs_in(&app, ANN, NEW_PASSWORD).await, StatusCode::OK, "a used link changes nothing");
}

#[tokio::test]
async fn an_unknown_token_is_404() {
    let app = with_ann().await;
    let r = confirm(&mut app.other_browser(), "not-a-token-anybody-was-sent", NEW_PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "reset_link_unknown"));
    assert!(r.message().contains("Forgot your password?"), "{}", r.message());

    // A verification link is no reset link.
    let mut newcomer = app.other_browser();
    assert_eq!(newcomer.register_unverified("customer", "C", "eve@example.com").await.status, StatusCode::CREATED);
    let verification = app.link_token("eve@example.com", "/verify-email?token=").await;
    let r = confirm(&mut app.other_browser(), &verification, NEW_PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "reset_link_unknown"));
    assert_eq!(signs_in(&app, "eve@example.com", PASSWORD).await, StatusCode::OK, "unchanged");
}

#[tokio::test]
async fn a_reset_link_works_for_one_hour_and_not_after() {
    let app = with_ann().await;
    let token = reset_token(&app, ANN).await;
    app.state.clock.advance(Duration::hours(1) + Duration::seconds(1));
    let r = confirm(&mut app.other_browser(), &token, NEW_PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "reset_link_expired"));
    assert!(r.message().contains("Forgot your password?"), "{}", r.message());
    assert_eq!(signs_in(&app, ANN, PASSWORD).await, StatusCode::OK, "the password is unchanged");

    let token = reset_token(&app, ANN).await;
    app.state.clock.advance(Duration::minutes(59));
    let r = confirm(&mut app.other_browser(), &token, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "still usable within the hour: {:?}", r.body);
}

#[tokio::test]
async fn a_newer_request_kills_the_older_link() {
    let app = with_ann().await;
    let older = reset_token(&app, ANN).await;
    let newer = reset_token(&app, ANN).await;
    assert_ne!(older, newer);
    assert!(!bodies(&app, ANN, "password_reset").await.contains(&older), "the older mail is blanked");

    let r = confirm(&mut app.other_browser(), &older, NEW_PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "reset_link_expired"));
    assert_eq!(signs_in(&app, ANN, PASSWORD).await, StatusCode::OK, "the password is unchanged");
    let r = confirm(&mut app.other_browser(), &newer, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(signs_in(&app, ANN, NEW_PASSWORD).await, StatusCode::OK);
}

#[tokio::test]
async fn a_weak_password_is_refused_and_the_link_still_works() {
    let app = with_ann().await;
    let token = reset_token(&app, ANN).await;
    let mut owner = app.other_browser();
    for weak in ["short", "password123", "zzzzzzzzzzzz"] {
        let r = confirm(&mut owner, &token, weak).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "weak_password"), "{weak}: {:?}", r.body);
        assert_eq!(r.body["error"]["field"], "password", "{weak}");
        assert!(!r.message().is_empty());
    }
    assert_eq!(owner.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED, "not signed in by a refusal");
    assert_eq!(signs_in(&app, ANN, PASSWORD).await, StatusCode::OK, "the password is unchanged");

    let r = confirm(&mut owner, &token, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(signs_in(&app, ANN, NEW_PASSWORD).await, StatusCode::OK);
}

#[tokio::test]
async fn confirming_ends_every_session_of_the_account_and_mails_a_notice() {
    let mut laptop = with_ann().await;
    let mut phone = laptop.other_browser();
    assert_eq!(phone.login(ANN, PASSWORD).await.status, StatusCode::OK);
    assert_eq!(laptop.get("/api/v1/me").await.status, StatusCode::OK);

    let token = reset_token(&laptop, ANN).await;
    let mut owner = laptop.other_browser();
    assert_eq!(confirm(&mut owner, &token, NEW_PASSWORD).await.status, StatusCode::OK);

    let r = laptop.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    let r = phone.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    assert_eq!(owner.get("/api/v1/me").await.status, StatusCode::OK, "only the new session lives");

    let mails = laptop.state.db.list_mail(1000).await.unwrap();
    let notice = mails.iter().find(|m| m.kind == "password_changed").expect("a notice mail");
    assert_eq!(notice.to, ANN);
    assert!(notice.text.contains("was replaced"), "{}", notice.text);
    for secret in [NEW_PASSWORD, token.as_str()] {
        assert!(!notice.text.contains(secret) && !notice.html.contains(secret), "{}", notice.text);
    }
}

#[tokio::test]
async fn the_reset_mail_is_blanked_once_the_link_is_used() {
    let app = with_ann().await;
    let token = reset_token(&app, ANN).await;
    assert!(bodies(&app, ANN, "password_reset").await.contains(&token));
    assert_eq!(confirm(&mut app.other_browser(), &token, NEW_PASSWORD).await.status, StatusCode::OK);

    let stored = bodies(&app, ANN, "password_reset").await;
    assert!(!stored.contains(&token), "{stored}");
    assert!(stored.contains("token=[redacted]"), "{stored}");
}

#[tokio::test]
async fn the_fourth_request_for_an_address_within_an_hour_is_refused_whether_or_not_it_has_an_account() {
    let app = with_ann().await;
    let mut refusals = Vec::new();
    for email in [ANN, "nobody@example.com"] {
        for i in 0..3 {
            let r = ask(&mut app.other_browser(), email).await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{email}, request {i}: {:?}", r.body);
        }
        let r = ask(&mut app.other_browser(), email).await;
        assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"), "{email}");
        let wait = retry_after(&r);
        assert!((1..=3600).contains(&wait), "{email}: Retry-After {wait}");
        refusals.push(r.body);
    }
    assert_eq!(refusals[0], refusals[1], "the limit must not tell which addresses have an account");
    assert_eq!(count_mails(&app, ANN, "password_reset").await, 3, "no mail for the refused request");

    // Every spelling of the address shares its count; another address has its own.
    let r = ask(&mut app.other_browser(), " Ann@EXAMPLE.com").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let r = ask(&mut app.other_browser(), "other@example.com").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);

    app.state.clock.advance(Duration::hours(1) + Duration::seconds(1));
    let r = ask(&mut app.other_browser(), ANN).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "allowed again an hour later: {:?}", r.body);
    assert_eq!(count_mails(&app, ANN, "password_reset").await, 4);
}

#[tokio::test]
async fn housekeeping_blanks_the_mail_of_an_expired_reset_link() {
    let app = with_ann().await;
    let token = reset_token(&app, ANN).await;
    let db = &app.state.db;
    assert_eq!(db.redact_lapsed_account_link_mail(app.state.clock.now()).await.unwrap(), 0, "still usable");
    assert!(bodies(&app, ANN, "password_reset").await.contains(&token));

    app.state.clock.advance(Duration::hours(1) + Duration::seconds(1));
    assert_eq!(db.redact_lapsed_account_link_mail(app.state.clock.now()).await.unwrap(), 1);
    let stored = bodies(&app, ANN, "password_reset").await;
    assert!(!stored.contains(&token) && stored.contains("token=[redacted]"), "{stored}");
    assert_eq!(db.redact_lapsed_account_link_mail(app.state.clock.now()).await.unwrap(), 0, "once is enough");
}
