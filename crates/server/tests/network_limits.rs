//! Limits per client network (issue 10, item 4): 30 registrations an hour from one network,
//! and apart from them 30 invitation acceptances that create an account; `X-Forwarded-For`
//! is believed only from a proxy on the same machine (a loopback peer), and only its own,
//! last, entry. Reset requests have a per-network limit of their own.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use chrono::Duration;
use common::{Reply, TestApp, PASSWORD};
use serde_json::json;
use std::net::SocketAddr;
use tessera_server::throttle::ACCOUNTS_PER_NETWORK_PER_HOUR;

const OFFICE: &str = "203.0.113.5:4000";
const ELSEWHERE: &str = "198.51.100.20:4000";
const LOCAL_PROXY: &str = "127.0.0.1:4000";

fn addr(s: &str) -> Option<SocketAddr> {
    Some(s.parse().unwrap())
}

/// A registration from a new browser at `peer` (`None`: unknown, like a request driven
/// in-process), through a proxy that says `X-Forwarded-For: forwarded` if given.
async fn register_from(app: &TestApp, peer: Option<SocketAddr>, forwarded: Option<&str>, email: &str) -> Reply {
    let mut browser = app.other_browser();
    browser.peer = peer;
    let body =
        json!({"org_name": "", "org_kind": "individual", "name": "Test Person", "email": email, "password": PASSWORD});
    let mut request =
        browser.request(Method::POST, "/api/v1/auth/register").header(header::CONTENT_TYPE, "application/json");
    if let Some(forwarded) = forwarded {
        request = request.header("X-Forwarded-For", forwarded);
    }
    browser.raw(request.body(Body::from(body.to_string())).unwrap()).await
}

/// Fills the hour's count of `peer` (through `forwarded`), each registration a new address
/// starting with `prefix`.
async fn exhaust(app: &TestApp, peer: Option<SocketAddr>, forwarded: Option<&str>, prefix: &str) {
    for i in 0..ACCOUNTS_PER_NETWORK_PER_HOUR {
        let r = register_from(app, peer, forwarded, &format!("{prefix}{i}@example.com")).await;
        assert_eq!(r.status, StatusCode::CREATED, "registration {i} from {peer:?} ({forwarded:?}): {:?}", r.body);
    }
}

fn assert_limited(r: &Reply, what: &str) {
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"), "{what}: {:?}", r.body);
    let wait: u64 = r.headers.get(header::RETRY_AFTER).expect("Retry-After").to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{what}: Retry-After {wait}");
}

async fn has_account(app: &TestApp, email: &str) -> bool {
    app.state.db.user_by_email(email).await.unwrap().is_some()
}

#[tokio::test]
async fn thirty_registrations_an_hour_from_one_network_and_then_429() {
    assert_eq!(ACCOUNTS_PER_NETWORK_PER_HOUR, 30, "no fewer than 30 an hour: offices share addresses");
    let app = TestApp::new().await;
    exhaust(&app, addr(OFFICE), None, "office").await;

    let r = register_from(&app, addr(OFFICE), None, "one-too-many@example.com").await;
    assert_limited(&r, "the 31st");
    assert!(!has_account(&app, "one-too-many@example.com").await);
    assert!(r.headers.get_all(header::SET_COOKIE).iter().next().is_none(), "nobody is signed in");

    // Same port or not, another network has its own count.
    let r = register_from(&app, addr(ELSEWHERE), None, "one-too-many@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    app.state.clock.advance(Duration::hours(1) + Duration::seconds(1));
    let r = register_from(&app, addr(OFFICE), None, "an-hour-later@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED, "allowed again an hour later: {:?}", r.body);
}

#[tokio::test]
async fn registrations_without_a_peer_are_not_limited() {
    let app = TestApp::new().await;
    for i in 0..=ACCOUNTS_PER_NETWORK_PER_HOUR {
        let r = register_from(&app, None, None, &format!("local{i}@example.com")).await;
        assert_eq!(r.status, StatusCode::CREATED, "registration {i}: {:?}", r.body);
    }
}

#[tokio::test]
async fn invitation_acceptances_that_create_accounts_are_limited_per_network_and_apart_from_registrations() {
    let mut admin = TestApp::new().await;
    assert_eq!(admin.register("customer", "Acme", "ann@acme.example").await.status, StatusCode::CREATED);
    let mut tokens = Vec::new();
    for i in 0..=ACCOUNTS_PER_NETWORK_PER_HOUR {
        let email = format!("new{i}@acme.example");
        let r = admin.invite(&email).await;
        assert_eq!(r.status, StatusCode::CREATED, "invitation {i}: {:?}", r.body);
        tokens.push(admin.invitation_token(&email).await);
    }
    let accept = |token: &str| json!({"token": token, "name": "New Person", "password": PASSWORD});
    let (last, first) = tokens.split_last().unwrap();
    for (i, token) in first.iter().enumerate() {
        let mut newcomer = admin.other_browser();
        newcomer.peer = addr(OFFICE);
        let r = newcomer.post("/api/v1/invitations/accept", accept(token)).await;
        assert_eq!(r.status, StatusCode::CREATED, "acceptance {i}: {:?}", r.body);
    }

    let mut newcomer = admin.other_browser();
    newcomer.peer = addr(OFFICE);
    let r = newcomer.post("/api/v1/invitations/accept", accept(last)).await;
    assert_limited(&r, "the 31st acceptance");
    let r = newcomer.post("/api/v1/invitations/lookup", json!({ "token": last })).await;
    assert_eq!(r.status, StatusCode::OK, "the invitation is still open: {:?}", r.body);

    // Registrations are counted apart from acceptances.
    let r = register_from(&admin, addr(OFFICE), None, "registers@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    newcomer.peer = addr(ELSEWHERE);
    let r = newcomer.post("/api/v1/invitations/accept", accept(last)).await;
    assert_eq!(r.status, StatusCode::CREATED, "from another network: {:?}", r.body);
}

/// A server told that a proxy on its machine appends the client's address.
async fn behind_a_local_proxy() -> TestApp {
    TestApp::with_config(|c| c.trust_proxy = true).await
}

#[tokio::test]
async fn a_local_proxys_forwarded_for_names_the_client() {
    let app = behind_a_local_proxy().await;
    // The client wrote the first entry; the proxy appended the address it saw.
    exhaust(&app, addr(LOCAL_PROXY), Some("198.51.100.1, 203.0.113.9"), "proxied").await;

    let r = register_from(&app, addr(LOCAL_PROXY), Some("198.51.100.1, 203.0.113.9"), "more@example.com").await;
    assert_limited(&r, "the 31st from 203.0.113.9");
    let r = register_from(&app, addr(LOCAL_PROXY), Some("203.0.113.9"), "more@example.com").await;
    assert_limited(&r, "the client's own entries do not matter");
    let r = register_from(&app, addr(LOCAL_PROXY), Some("203.0.113.9, 203.0.113.10"), "more@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED, "another client behind the proxy: {:?}", r.body);
    let r = register_from(&app, addr(LOCAL_PROXY), None, "direct@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED, "the proxy's own address was not counted: {:?}", r.body);
}

/// Unless told there is a proxy, the server believes no `X-Forwarded-For`, not even from
/// loopback: a proxy that passes the client's header on unchanged would otherwise let every
/// request name its own address.
#[tokio::test]
async fn without_a_trusted_proxy_forwarded_for_is_ignored_even_from_loopback() {
    let app = TestApp::new().await;
    for i in 0..ACCOUNTS_PER_NETWORK_PER_HOUR {
        let forwarded = format!("198.51.100.{i}");
        let r = register_from(&app, addr(LOCAL_PROXY), Some(&forwarded), &format!("lo{i}@example.com")).await;
        assert_eq!(r.status, StatusCode::CREATED, "registration {i}: {:?}", r.body);
    }
    let r = register_from(&app, addr(LOCAL_PROXY), Some("198.51.100.200"), "lo-more@example.com").await;
    assert_limited(&r, "a made-up X-Forwarded-For from loopback without TESSERA_TRUST_PROXY");
}

#[tokio::test]
async fn a_forwarded_for_from_any_other_peer_is_ignored() {
    let app = behind_a_local_proxy().await;
    // A client that makes up a new X-Forwarded-For for each request still has one count.
    for i in 0..ACCOUNTS_PER_NETWORK_PER_HOUR {
        let forwarded = format!("198.51.100.{i}");
        let r = register_from(&app, addr(OFFICE), Some(&forwarded), &format!("spoof{i}@example.com")).await;
        assert_eq!(r.status, StatusCode::CREATED, "registration {i}: {:?}", r.body);
    }
    for forwarded in [None, Some("198.51.100.99"), Some("198.51.100.1, 198.51.100.2"), Some("127.0.0.1"), Some("::1")] {
        let r = register_from(&app, addr(OFFICE), forwarded, "spoof-more@example.com").await;
        assert_limited(&r, &format!("X-Forwarded-For {forwarded:?}"));
    }
    assert!(!has_account(&app, "spoof-more@example.com").await);
}

#[tokio::test]
async fn an_ipv6_client_is_counted_by_its_slash_64() {
    let app = TestApp::new().await;
    for i in 0..ACCOUNTS_PER_NETWORK_PER_HOUR {
        let peer = addr(&format!("[2001:db8:1:2::{:x}]:4000", i + 1));
        let r = register_from(&app, peer, None, &format!("v6-{i}@example.com")).await;
        assert_eq!(r.status, StatusCode::CREATED, "registration {i}: {:?}", r.body);
    }
    let r = register_from(&app, addr("[2001:db8:1:2:ffff::9]:4000"), None, "v6-more@example.com").await;
    assert_limited(&r, "another address of the same /64");
    let r = register_from(&app, addr("[2001:db8:1:3::1]:4000"), None, "v6-more@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED, "another /64: {:?}", r.body);
}

/// A server listening on `[::]` (dual stack) sees a proxy that connects to 127.0.0.1 as
/// `::ffff:127.0.0.1`: that is a local proxy too, and its clients must not share one count.
#[tokio::test]
async fn a_local_proxy_seen_through_a_dual_stack_socket_is_believed_too() {
    let app = behind_a_local_proxy().await;
    for i in 0..=ACCOUNTS_PER_NETWORK_PER_HOUR {
        let forwarded = format!("198.51.100.{}", i + 1);
        let r =
            register_from(&app, addr("[::ffff:127.0.0.1]:4000"), Some(&forwarded), &format!("ds{i}@example.com")).await;
        assert_eq!(r.status, StatusCode::CREATED, "client {i} of the proxy ({forwarded}): {:?}", r.body);
    }
}

#[tokio::test]
async fn reset_requests_are_limited_per_network() {
    let app = TestApp::new().await;
    let ask = |peer: &str, email: String| {
        let mut browser = app.other_browser();
        browser.peer = addr(peer);
        async move { browser.post("/api/v1/auth/password-reset", json!({ "email": email })).await }
    };
    for i in 0..20 {
        let r = ask(OFFICE, format!("someone{i}@example.com")).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "request {i}: {:?}", r.body);
    }
    let r = ask(OFFICE, "someone-else@example.com".into()).await;
    assert_limited(&r, "the 21st reset request from one network");
    let r = ask(ELSEWHERE, "someone-else@example.com".into()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "from another network: {:?}", r.body);
}
