//! Accounts over the real router and a fresh SQLite file per test.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{TestApp, PASSWORD};
use serde_json::json;

#[tokio::test]
async fn register_signs_in_and_me_shows_org_and_role() {
    let mut app = TestApp::new().await;
    let r = app.register("customer", "Northwind", "Alice@Example.com ").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(r.body["user"]["email"], "alice@example.com");
    assert_eq!(r.body["organization"]["kind"], "customer");
    assert_eq!(r.body["role"], "admin");

    let me = app.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["organization"]["name"], "Northwind");
    assert_eq!(me.body["user"]["name"], "Test Person");
    assert!(me.body["csrf_token"].as_str().unwrap().len() >= 32);
}

#[tokio::test]
async fn duplicate_email_is_409_whatever_its_case() {
    let mut app = TestApp::new().await;
    assert_eq!(app.register("partner", "P1", "bob@example.com").await.status, StatusCode::CREATED);
    let mut other = app.other_browser();
    let r = other.register("customer", "P2", "BOB@example.com").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "email_taken");
    assert_eq!(r.body["error"]["field"], "email");
    assert_eq!(app.state.db.count_organizations().await.unwrap(), 1, "nothing half-written");
}

#[tokio::test]
async fn weak_password_is_422_naming_the_rule() {
    let mut app = TestApp::new().await;
    let r = app
        .post(
            "/api/v1/auth/register",
            json!({"org_name": "X", "org_kind": "customer", "name": "N", "email": "n@example.com", "password": "short"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "weak_password");
    assert_eq!(r.body["error"]["field"], "password");
    assert!(r.message().contains("10"), "{}", r.message());
    assert!(app.cookie.is_none());
}

#[tokio::test]
async fn email_and_required_fields_are_checked() {
    let mut app = TestApp::new().await;
    let body = |email: &str, org: &str, kind: &str| json!({"org_name": org, "org_kind": kind, "name": "N", "email": email, "password": PASSWORD});
    let r = app.post("/api/v1/auth/register", body("", "X", "customer")).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "email_required"));
    assert_eq!(r.message(), "Please enter email address");
    let r = app.post("/api/v1/auth/register", body("not-an-email", "X", "customer")).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "email_invalid"));
    assert_eq!(r.message(), "You have entered an invalid email address. Please re-enter the email address.");
    let r = app.post("/api/v1/auth/register", body("a@example.com", "  ", "partner")).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation"));
    assert_eq!(r.body["error"]["field"], "org_name");
    let r = app.post("/api/v1/auth/register", body("a@example.com", "", "vendor")).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        "vendors are not self-service"
    );
}

#[tokio::test]
async fn a_home_owner_gets_a_customer_organization_of_one() {
    let mut app = TestApp::new().await;
    let r = app
        .post(
            "/api/v1/auth/register",
            json!({"org_kind": "individual", "name": "Hana Home", "email": "hana@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["organization"]["kind"], "customer");
    assert_eq!(r.body["organization"]["name"], "Hana Home");
}

#[tokio::test]
async fn malformed_json_is_400_with_a_clear_message() {
    let mut app = TestApp::new().await;
    let req = Request::post("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"email\": \"a@b.c\", "))
        .unwrap();
    let r = app.raw(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "malformed_json");
    assert!(r.message().starts_with("The request body is not valid JSON"), "{}", r.message());

    let req = Request::post("/api/v1/auth/login").body(Body::from("{}")).unwrap();
    let r = app.raw(req).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));

    let r = app.post("/api/v1/auth/login", json!({"email": 5})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"));
    // serde would read the fields of a struct from an array; the API takes objects only.
    let r = app.post("/api/v1/auth/login", json!(["a@b.c", "password"])).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"));
}

#[tokio::test]
async fn oversized_body_is_413() {
    let mut app = TestApp::new().await;
    let huge = "x".repeat(200 * 1024);
    let r = app.post("/api/v1/auth/login", json!({"email": huge, "password": "p"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
}

#[tokio::test]
async fn me_without_a_session_is_401() {
    let mut app = TestApp::new().await;
    let r = app.get("/api/v1/me").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
}

#[tokio::test]
async fn state_changes_without_the_csrf_header_are_403() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "c@example.com").await;
    let req = app.request(Method::POST, "/api/v1/auth/logout");
    // Same cookie, no X-CSRF-Token.
    let req = Request::post("/api/v1/auth/logout")
        .header(header::COOKIE, req.headers_ref().unwrap().get(header::COOKIE).unwrap())
        .body(Body::empty())
        .unwrap();
    let r = app.raw(req).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "csrf"));
    // A wrong token is no better.
    app.csrf = Some("forged".into());
    let r = app.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "csrf"));
    assert_eq!(app.get("/api/v1/me").await.status, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "c@example.com").await;
    let old_cookie = app.cookie.clone();
    let r = app.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(app.cookie.is_none(), "cookie cleared");
    app.cookie = old_cookie; // a stolen copy of the cookie opens nothing
    let r = app.get("/api/v1/me").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "session_expired"));
}

#[tokio::test]
async fn login_and_wrong_credentials() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "dora@example.com").await;
    let mut browser = app.other_browser();
    let wrong = browser.login("dora@example.com", "wrong-password-1").await;
    assert_eq!((wrong.status, wrong.code()), (StatusCode::UNAUTHORIZED, "invalid_credentials"));
    let unknown = browser.login("nobody@example.com", "wrong-password-1").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.body, wrong.body, "same answer whether or not the account exists");
    let ok = browser.login(" DORA@example.com", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(ok.body["user"]["email"], "dora@example.com");
    assert_eq!(browser.get("/api/v1/me").await.status, StatusCode::OK);
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "eve@example.com").await;
    let mut browser = app.other_browser();
    for _ in 0..10 {
        assert_eq!(browser.login("eve@example.com", "nope-nope-nope").await.status, StatusCode::UNAUTHORIZED);
    }
    let r = browser.login("eve@example.com", PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    let retry: u64 = r.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Once the window has passed, the right password works again.
    app.state.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(browser.login("eve@example.com", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn idle_sessions_expire_and_the_stale_cookie_is_cleared() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "fay@example.com").await;
    app.state.clock.advance(chrono::Duration::days(13));
    assert_eq!(app.get("/api/v1/me").await.status, StatusCode::OK, "activity extends the session");
    app.state.clock.advance(chrono::Duration::days(13));
    assert_eq!(app.get("/api/v1/me").await.status, StatusCode::OK);
    app.state.clock.advance(chrono::Duration::days(15));
    let r = app.get("/api/v1/me").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "session_expired"));
    assert!(app.cookie.is_none(), "the response told the browser to drop the cookie");
}

#[tokio::test]
async fn sessions_survive_a_restart_and_only_hashes_are_stored() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "gus@example.com").await;
    let token = app.cookie.clone().unwrap();
    // A second process over the same database file.
    let db = tessera_server::storage::Db::open(&app.state.config.database_path()).await.unwrap();
    let state = tessera_server::state::AppState { db, ..app.state.clone() };
    let mut restarted = app.other_browser();
    restarted.router = tessera_server::app::router(state);
    restarted.cookie = Some(token.clone());
    assert_eq!(restarted.get("/api/v1/me").await.status, StatusCode::OK);

    let path = app.state.config.database_path();
    let dump = std::fs::read(&path).unwrap();
    let wal = std::fs::read(path.with_extension("db-wal")).unwrap_or_default();
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(&dump, token.as_bytes()) && !contains(&wal, token.as_bytes()), "raw token stored");
    assert!(contains(&[dump, wal].concat(), b"$argon2id$"), "password hashed with Argon2id");
}

#[tokio::test]
async fn health_and_unknown_endpoints() {
    let mut app = TestApp::new().await;
    let r = app.get("/api/v1/health").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "ok");
    assert!(r.headers.get("x-request-id").is_some());
    let r = app.get("/api/v1/nope").await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = app.get("/api/v1/auth/login").await;
    assert_eq!((r.status, r.code()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
}

#[tokio::test]
async fn simultaneous_guesses_cannot_slip_under_the_sign_in_limit() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "ivy@example.com").await;
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..16 {
        let mut browser = app.other_browser();
        guesses.spawn(async move { browser.login("ivy@example.com", &format!("guess-number-{i}")).await.status });
    }
    let mut statuses = Vec::new();
    while let Some(status) = guesses.join_next().await {
        statuses.push(status.unwrap());
    }
    let verified = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((verified, refused), (10, 6), "{statuses:?}");
}

#[tokio::test]
async fn an_active_session_gets_its_cookie_renewed() {
    let mut app = TestApp::new().await;
    app.register("customer", "C", "jo@example.com").await;
    let fresh = app.get("/api/v1/me").await;
    assert!(fresh.headers.get(header::SET_COOKIE).is_none(), "a fresh session needs no new cookie");
    app.state.clock.advance(chrono::Duration::hours(2));
    let later = app.get("/api/v1/me").await;
    let cookie = later.headers.get(header::SET_COOKIE).expect("renewed").to_str().unwrap();
    assert!(cookie.starts_with("tessera_session=") && cookie.contains("Max-Age=1209600"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(app.get("/api/v1/me").await.headers.get(header::SET_COOKIE).is_none(), "once an hour at most");
}

#[tokio::test]
async fn a_home_owners_organization_name_is_checked_like_a_company_name() {
    let mut app = TestApp::new().await;
    let r = app
        .post(
            "/api/v1/auth/register",
            json!({"org_kind": "individual", "org_name": "Home\nAccept here: https://evil.example",
                   "name": "Kim", "email": "kim@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("org_name")));
    let r = app
        .post(
            "/api/v1/auth/register",
            json!({"org_kind": "individual", "name": "Kim", "email": "kim@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["organization"]["individual"], true);
    assert_eq!(r.body["organization"]["name"], "Kim");
}
