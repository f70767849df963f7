//! The audit trail (issue 10, item 8): security events reach the `security` tracing target
//! with the acting user, the target and the request id, and never a secret.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Reply, TestApp, PASSWORD};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// Everything the `security` target logs while the guard lives (this test's thread only).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<String> {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap().lines().map(str::to_string).collect()
    }

    /// The one line of `action` logged while answering `reply`.
    fn line(&self, action: &str, reply: &Reply) -> String {
        let request_id = reply.headers["x-request-id"].to_str().unwrap();
        let wanted = format!("action=\"{action}\"");
        let found: Vec<String> = self
            .lines()
            .into_iter()
            .filter(|l| l.contains(&wanted) && l.contains(&format!("request_id=\"{request_id}\"")))
            .collect();
        assert_eq!(found.len(), 1, "{action} for {request_id}: {:#?}", self.lines());
        found[0].clone()
    }
}

fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("security=info")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn account_and_team_events_are_logged_with_who_what_and_the_request() {
    let (log, _guard) = capture();
    let mut admin = TestApp::new().await;
    let r = admin.register("customer", "Acme", "ann@acme.example").await;
    let ann = r.body["user"]["id"].as_i64().unwrap();

    let r = admin.invite("bea@acme.example").await;
    let bea_invitation = r.body["id"].as_i64().unwrap();
    let line = log.line("invitation_sent", &r);
    assert!(
        line.contains(&format!("actor_id={ann}")) && line.contains(&format!("target_id={bea_invitation}")),
        "{line}"
    );
    assert!(line.contains("security:") || line.contains(" security"), "under the security target: {line}");
    let r = admin.post(&format!("/api/v1/invitations/{bea_invitation}/resend"), json!({})).await;
    assert!(log.line("invitation_resent", &r).contains(&format!("target_id={bea_invitation}")));
    let bea_token = admin.invitation_token("bea@acme.example").await;
    let r = admin.delete(&format!("/api/v1/invitations/{bea_invitation}")).await;
    assert!(log.line("invitation_revoked", &r).contains(&format!("actor_id={ann}")));

    let r = admin.invite("carl@acme.example").await;
    let carl_invitation = r.body["id"].as_i64().unwrap();
    let carl_token = admin.invitation_token("carl@acme.example").await;
    let mut carl = admin.other_browser();
    let r = carl
        .post("/api/v1/invitations/accept", json!({"token": carl_token, "name": "Carl", "password": PASSWORD}))
        .await;
    let carl_id = r.body["user"]["id"].as_i64().unwrap();
    let line = log.line("invitation_accepted", &r);
    assert!(line.contains(&format!("actor_id={carl_id}")) && line.contains(&format!("target_id={carl_invitation}")));

    let r = admin.send(Method::PATCH, &format!("/api/v1/members/{carl_id}"), json!({"role": "admin"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let line = log.line("role_changed", &r);
    assert!(line.contains(&format!("actor_id={ann}")) && line.contains(&format!("target_id={carl_id}")), "{line}");
    assert!(line.contains("detail=\"admin\""), "{line}");
    let r = admin.delete(&format!("/api/v1/members/{carl_id}")).await;
    assert!(log.line("member_removed", &r).contains(&format!("target_id={carl_id}")));

    let mut stranger = admin.other_browser();
    let r = stranger.login("ann@acme.example", "wrong-password-1").await;
    let line = log.line("sign_in_failed", &r);
    assert!(line.contains(&format!("target_id={ann}")) && !line.contains("actor_id"), "{line}");
    let r = stranger.login("nobody@acme.example", "wrong-password-1").await;
    assert!(!log.line("sign_in_failed", &r).contains("target_id"), "no account, no target");
    for _ in 0..9 {
        stranger.login("ann@acme.example", "wrong-password-2").await;
    }
    let r = stranger.login("ann@acme.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(log.line("sign_in_throttled", &r).contains("detail=\"unknown_device\""));

    let r = admin
        .post("/api/v1/auth/password", json!({"current_password": "not-it-at-all", "new_password": "x-new-passphrase"}))
        .await;
    assert!(log.line("password_check_throttled", &r).contains(&format!("actor_id={ann}")));
    admin.state.clock.advance(chrono::Duration::minutes(16));
    let r = admin
        .post("/api/v1/auth/password", json!({"current_password": "not-it-at-all", "new_password": "x-new-passphrase"}))
        .await;
    assert!(log.line("password_check_failed", &r).contains(&format!("target_id={ann}")));
    let session = admin.cookie.clone().unwrap();
    let r = admin
        .post("/api/v1/auth/password", json!({"current_password": PASSWORD, "new_password": "x-new-passphrase"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    log.line("password_changed", &r);
    let r = stranger.login("ann@acme.example", "x-new-passphrase").await;
    assert!(log.line("signed_in", &r).contains(&format!("target_id={ann}")));

    let all = log.lines().join("\n");
    for secret in
        [PASSWORD, "x-new-passphrase", "wrong-password-1", &bea_token, &carl_token, &session, "acme.example", "token="]
    {
        assert!(!all.contains(secret), "{secret} in the trail:\n{all}");
    }
}
