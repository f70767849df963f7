//! No live token at rest: an invitation mail's link is blanked in the outbox as soon as it
//! stops mattering (accepted, revoked, resent, expired), not only once it is delivered.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, PASSWORD};
use serde_json::json;

async fn admin() -> TestApp {
    let mut app = TestApp::new().await;
    assert_eq!(app.register("customer", "Acme", "ann@acme.example").await.status, StatusCode::CREATED);
    app
}

/// Every stored body of every mail to `to`, joined.
async fn bodies_to(app: &TestApp, to: &str) -> String {
    let mails = app.state.db.list_mail(1000).await.unwrap();
    mails.iter().filter(|m| m.to == to).map(|m| format!("{}\n{}", m.text, m.html)).collect()
}

async fn invitation_id(app: &mut TestApp, email: &str) -> i64 {
    let list = app.get("/api/v1/invitations").await;
    list.body.as_array().unwrap().iter().find(|i| i["email"] == email).unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn accepting_blanks_the_link_of_the_mail() {
    let mut app = admin().await;
    app.invite("carl@acme.example").await;
    let token = app.invitation_token("carl@acme.example").await;
    assert!(bodies_to(&app, "carl@acme.example").await.contains(&token));
    let mut carl = app.other_browser();
    let r =
        carl.post("/api/v1/invitations/accept", json!({"token": token, "name": "Carl", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let stored = bodies_to(&app, "carl@acme.example").await;
    assert!(!stored.contains(&token), "{stored}");
    assert!(stored.contains("token=[redacted]"), "{stored}");
}

#[tokio::test]
async fn revoking_blanks_the_link_and_the_mail_is_not_delivered_any_more() {
    let mut app = admin().await;
    app.invite("gone@acme.example").await;
    let token = app.invitation_token("gone@acme.example").await;
    let id = invitation_id(&mut app, "gone@acme.example").await;
    assert_eq!(app.delete(&format!("/api/v1/invitations/{id}")).await.status, StatusCode::NO_CONTENT);
    assert!(!bodies_to(&app, "gone@acme.example").await.contains(&token));
    let unsent = app.state.db.unsent_mail(8, 100).await.unwrap();
    assert!(unsent.iter().all(|m| m.to != "gone@acme.example"), "a blanked link is not mailed");
}

#[tokio::test]
async fn resending_blanks_the_old_mail_and_keeps_the_new_link() {
    let mut app = admin().await;
    app.invite("dan@acme.example").await;
    let old = app.invitation_token("dan@acme.example").await;
    let id = invitation_id(&mut app, "dan@acme.example").await;
    let r = app.post(&format!("/api/v1/invitations/{id}/resend"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let new = app.invitation_token("dan@acme.example").await;
    assert_ne!(old, new);
    let stored = bodies_to(&app, "dan@acme.example").await;
    assert!(!stored.contains(&old), "{stored}");
    assert!(stored.contains(&new), "the new mail still carries its link");
}

#[tokio::test]
async fn housekeeping_blanks_the_links_of_expired_invitations_only() {
    let mut app = admin().await;
    app.invite("late@acme.example").await;
    let late = app.invitation_token("late@acme.example").await;
    app.state.clock.advance(chrono::Duration::days(6));
    app.invite("fresh@acme.example").await;
    let fresh = app.invitation_token("fresh@acme.example").await;

    assert_eq!(app.state.db.redact_lapsed_invitation_mail(app.state.clock.now()).await.unwrap(), 0);
    app.state.clock.advance(chrono::Duration::days(2));
    let now = app.state.clock.now();
    assert_eq!(app.state.db.redact_lapsed_invitation_mail(now).await.unwrap(), 1);
    assert!(!bodies_to(&app, "late@acme.example").await.contains(&late));
    assert!(bodies_to(&app, "fresh@acme.example").await.contains(&fresh));
    assert_eq!(app.state.db.redact_lapsed_invitation_mail(now).await.unwrap(), 0, "once is enough");
}

#[tokio::test]
async fn housekeeping_blanks_invitation_mail_that_names_no_invitation() {
    // Such rows come from before the outbox knew its invitations: migration 0004 links only
    // each invitation's newest mail, so an unlinked one is an older, superseded send.
    let mut app = admin().await;
    app.invite("old@acme.example").await;
    let token = app.invitation_token("old@acme.example").await;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(app.state.config.database_path());
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::query("UPDATE outbox SET invitation_id = NULL WHERE to_addr = 'old@acme.example'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(app.state.db.redact_lapsed_invitation_mail(app.state.clock.now()).await.unwrap(), 1);
    assert!(!bodies_to(&app, "old@acme.example").await.contains(&token));
}
