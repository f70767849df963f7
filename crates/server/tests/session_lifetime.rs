//! A session ends 30 days after sign-in even when it is used every day, besides ending
//! after 14 idle days.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{header, StatusCode};
use chrono::Duration;

#[tokio::test]
async fn a_session_used_every_day_still_ends_thirty_days_after_sign_in() {
    let mut app = common::TestApp::new().await;
    let r = app.register("individual", "", "daily@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED);
    for day in 1..30 {
        app.state.clock.advance(Duration::days(1));
        let r = app.get("/api/v1/me").await;
        assert_eq!(r.status, StatusCode::OK, "day {day}: {:?}", r.body);
    }
    app.state.clock.advance(Duration::days(1));
    let r = app.get("/api/v1/me").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "session_expired"));
    let cleared = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cleared.starts_with("tessera_session=;") && cleared.contains("Max-Age=0"), "{cleared}");

    // Signing in again starts a new 30 days.
    let r = app.login("daily@example.com", common::PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
    app.state.clock.advance(Duration::days(13));
    assert_eq!(app.get("/api/v1/me").await.status, StatusCode::OK);
}

#[tokio::test]
async fn housekeeping_forgets_sessions_past_their_absolute_lifetime() {
    let mut app = common::TestApp::new().await;
    app.register("individual", "", "old@example.com").await;
    let now = app.state.clock.now();
    let forgotten = app.state.db.delete_expired_sessions(now, now - Duration::days(30)).await.unwrap();
    assert_eq!(forgotten, 0);
    let later = now + Duration::days(30);
    let forgotten = app.state.db.delete_expired_sessions(now, later - Duration::days(30)).await.unwrap();
    assert_eq!(forgotten, 1);
}
