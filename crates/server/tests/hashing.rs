//! The password-hashing budget: a burst of sign-ins never runs more hashes at once than
//! configured, and what does not get a slot in time is told to come back.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::time::Duration;
use tessera_server::hashing::HashBudget;
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_sign_ins_runs_at_most_the_configured_hashes_and_the_rest_are_told_busy() {
    let mut app = common::TestApp::with_config(|c| c.hashing = HashBudget::new(1, Duration::from_millis(100))).await;
    let accounts: Vec<String> = (0..8).map(|i| format!("burst{i}@example.com")).collect();
    for email in &accounts {
        let r = app.other_browser().register("individual", "", email).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }

    let mut burst = tokio::task::JoinSet::new();
    for i in 0..64 {
        let router = app.router.clone();
        let body = json!({"email": accounts[i % accounts.len()], "password": "not-the-password"}).to_string();
        burst.spawn(async move {
            let request = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap();
            let response = router.oneshot(request).await.unwrap();
            let status = response.status();
            let retry_after = response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_string());
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            (status, body["error"]["code"].as_str().unwrap_or_default().to_string(), retry_after)
        });
    }
    let (mut wrong, mut busy) = (0, 0);
    while let Some(outcome) = burst.join_next().await {
        match outcome.unwrap() {
            (StatusCode::UNAUTHORIZED, code, None) if code == "invalid_credentials" => wrong += 1,
            (StatusCode::SERVICE_UNAVAILABLE, code, Some(retry)) if code == "busy" => {
                assert!(retry.parse::<u64>().unwrap() >= 1);
                busy += 1;
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(app.state.config.hashing.peak(), 1, "never more than the configured hashes at once");
    assert_eq!(wrong + busy, 64);
    assert!(wrong >= 1 && busy >= 1, "{wrong} checked, {busy} refused");

    // A refused attempt was not counted against the address: once the burst is over the
    // account still signs in.
    let r = app.login(&accounts[0], common::PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

/// A locked-out address is refused before the hashing queue: with every slot taken, its
/// guesses still get 429 at once, not 503 `busy` after the wait.
#[tokio::test]
async fn a_locked_out_address_is_refused_without_queueing_for_a_hash() {
    let mut app = common::TestApp::with_config(|c| c.hashing = HashBudget::new(1, Duration::from_millis(100))).await;
    let r = app.other_browser().register("individual", "", "locked@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    for _ in 0..10 {
        assert_eq!(app.login("locked@example.com", "not-the-password").await.status, StatusCode::UNAUTHORIZED);
    }

    let _every_slot = app.state.config.hashing.slot().await.unwrap();
    let r = app.login("locked@example.com", "not-the-password").await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    assert!(r.headers.contains_key(header::RETRY_AFTER));
}
