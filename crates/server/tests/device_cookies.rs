//! Nobody can lock the owner out (issue 10, item 3): a stranger's guessing gets strangers
//! 429, while the browser the owner signed in with before, holding its device cookie, still
//! gets in with the right password; a device cookie that guesses is locked out on its own.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::{Reply, TestApp, PASSWORD};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const OWNER: &str = "owner@example.com";

async fn app_with_slowdown(slowdown: Duration) -> TestApp {
    let mut app = TestApp::with_config(|c| c.login_slowdown = slowdown).await;
    assert_eq!(app.register("customer", "C", OWNER).await.status, StatusCode::CREATED);
    app
}

/// The device cookie's value from an answer, if it set one.
fn device_cookie(reply: &Reply) -> Option<String> {
    reply.headers.get_all(header::SET_COOKIE).iter().find_map(|set| {
        let set = set.to_str().unwrap();
        let value = set.split(';').next().unwrap().strip_prefix("tessera_device=")?;
        assert!(set.contains("HttpOnly") && set.contains("Max-Age=31536000"), "{set}");
        Some(value.to_string())
    })
}

async fn post_with_device(browser: &mut TestApp, path: &str, device: Option<&str>, body: Value) -> Reply {
    let mut request = browser.request(Method::POST, path).header(header::CONTENT_TYPE, "application/json");
    if let Some(device) = device {
        request = request.header(header::COOKIE, format!("tessera_device={device}"));
    }
    browser.raw(request.body(Body::from(body.to_string())).unwrap()).await
}

async fn login_with(browser: &mut TestApp, device: Option<&str>, password: &str) -> Reply {
    post_with_device(browser, "/api/v1/auth/login", device, json!({"email": OWNER, "password": password})).await
}

/// The owner signs in once from their laptop, which keeps the device cookie.
async fn owners_laptop(app: &TestApp) -> (TestApp, String) {
    let mut laptop = app.other_browser();
    let r = login_with(&mut laptop, None, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let cookie = device_cookie(&r).expect("a device cookie on sign-in");
    laptop.cookie = None;
    (laptop, cookie)
}

async fn stranger_guesses(app: &TestApp, times: usize) {
    let mut stranger = app.other_browser();
    for i in 0..times {
        let r = login_with(&mut stranger, None, &format!("guess-number-{i}")).await;
        let expected = if i < 10 { StatusCode::UNAUTHORIZED } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(r.status, expected, "guess {i}");
    }
}

#[tokio::test]
async fn after_a_hundred_wrong_guesses_the_owner_still_signs_in_from_a_known_browser() {
    let app = app_with_slowdown(Duration::ZERO).await;
    let (mut laptop, device) = owners_laptop(&app).await;
    stranger_guesses(&app, 100).await;

    let r = login_with(&mut laptop, Some(&device), PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(device_cookie(&r).is_some_and(|renewed| renewed != device), "a fresh nonce on each sign-in");

    let mut new_browser = app.other_browser();
    let r = login_with(&mut new_browser, None, PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    assert!(r.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn a_known_browser_is_answered_after_the_delay_while_strangers_are_locked_out() {
    // The delay is far longer than a sign-in takes even on a loaded CI machine, so the
    // first bound tells "not slowed" from "slowed" without racing the hash.
    let slowdown = Duration::from_secs(3);
    let app = app_with_slowdown(slowdown).await;
    let (mut laptop, device) = owners_laptop(&app).await;
    let started = Instant::now();
    assert_eq!(login_with(&mut laptop, Some(&device), PASSWORD).await.status, StatusCode::OK);
    assert!(started.elapsed() < slowdown, "no delay while nobody guesses");

    stranger_guesses(&app, 12).await;
    let started = Instant::now();
    let r = login_with(&mut laptop, Some(&device), PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(started.elapsed() >= slowdown, "slowed down, not refused");
}

#[tokio::test]
async fn a_device_cookie_that_guesses_is_locked_out_on_its_own() {
    let app = app_with_slowdown(Duration::ZERO).await;
    let (mut laptop, device) = owners_laptop(&app).await;
    for i in 0..10 {
        let r = login_with(&mut laptop, Some(&device), &format!("guess-number-{i}")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    let r = login_with(&mut laptop, Some(&device), PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    // Its failures were its own: a browser without the cookie is not locked out.
    let mut other = app.other_browser();
    assert_eq!(login_with(&mut other, None, PASSWORD).await.status, StatusCode::OK);
    app.state.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(login_with(&mut laptop, Some(&device), PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_device_cookie_counts_only_for_its_own_account_and_only_when_signed() {
    let app = app_with_slowdown(Duration::ZERO).await;
    let (_, device) = owners_laptop(&app).await;
    let mut other = app.other_browser();
    assert_eq!(other.register("customer", "D", "other@example.com").await.status, StatusCode::CREATED);
    other.cookie = None;
    let r = post_with_device(
        &mut other,
        "/api/v1/auth/login",
        None,
        json!({"email": "other@example.com", "password": PASSWORD}),
    )
    .await;
    let others = device_cookie(&r).unwrap();
    stranger_guesses(&app, 10).await;

    let mut thief = app.other_browser();
    assert_eq!(login_with(&mut thief, Some(&others), PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    let (nonce, _) = device.split_once('.').unwrap();
    let forged = format!("{nonce}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(login_with(&mut thief, Some(&forged), PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login_with(&mut thief, Some(&device), PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_owner_changes_the_password_from_a_known_browser_while_strangers_are_locked_out() {
    let app = app_with_slowdown(Duration::ZERO).await;
    let (mut laptop, device) = owners_laptop(&app).await;
    let r = login_with(&mut laptop, Some(&device), PASSWORD).await;
    let device = device_cookie(&r).unwrap();
    stranger_guesses(&app, 30).await;

    let change = json!({"current_password": PASSWORD, "new_password": "a-fresh-passphrase"});
    let mut without = app.other_browser();
    without.cookie = laptop.cookie.clone();
    without.csrf = laptop.csrf.clone();
    let r = post_with_device(&mut without, "/api/v1/auth/password", None, change.clone()).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));

    let r = post_with_device(&mut laptop, "/api/v1/auth/password", Some(&device), change).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let set: Vec<_> = r.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(set[0].starts_with("tessera_session="), "the session cookie comes first: {set:?}");
    assert!(device_cookie(&r).is_some());
}
