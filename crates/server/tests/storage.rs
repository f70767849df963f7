//! Storage on its own: records come back with the domain's types and times, and the
//! rolling-window limit says when the next attempt is allowed.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, Utc};
use tessera_domain::api::{InvitationStatus, OrgKind, Role};
use tessera_domain::invitation::{self, InvitationState};
use tessera_server::storage::{Db, NewInvitation, NewMail, NewOrg, NewUser};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (Db::open(&dir.path().join("t.db")).await.unwrap(), dir)
}

fn mail(to: &str) -> NewMail {
    NewMail { to: to.into(), subject: "s".into(), text: "t".into(), html: "h".into(), kind: "invitation" }
}

#[tokio::test]
async fn an_invitation_comes_back_with_its_state_and_times() {
    let (db, _dir) = db().await;
    let sent = at("2026-03-01T10:00:00.250Z");
    let (org, admin) = db
        .create_org_with_admin(
            NewOrg { name: "Acme", kind: OrgKind::Customer, individual: false },
            NewUser {
                email: "ann@acme.example",
                name: "Ann",
                password_hash: "x",
                role: Role::Admin,
                must_change_password: false,
                email_verified: true,
            },
            sent,
        )
        .await
        .unwrap();
    assert_eq!((org.kind, admin.role), (OrgKind::Customer, Role::Admin));
    let new = NewInvitation {
        locker_id: None,
        org_id: org.id,
        email: "bob@acme.example",
        invited_by: admin.id,
        invited_by_name: "Ann",
        token_hash: "h1",
        expires_at: invitation::expires_at(sent),
    };
    let created = db.create_invitation(new, &mail("bob@acme.example"), sent, 50).await.unwrap();
    assert_eq!(created.state, InvitationState::Pending);
    assert_eq!((created.sent_at, created.expires_at), (sent, at("2026-03-08T10:00:00.250Z")));
    assert_eq!(created.status_at(at("2026-03-08T10:00:00.250Z")), InvitationStatus::Expired);

    let revoked = db.revoke_invitation(org.id, created.id, sent + Duration::minutes(1)).await.unwrap();
    assert_eq!(revoked.state, InvitationState::Revoked);
    assert_eq!(revoked.revoked_at, Some(sent + Duration::minutes(1)));
    let listed = db.list_invitations(org.id).await.unwrap();
    assert_eq!(listed[0].status_at(sent), InvitationStatus::Revoked);

    let queued = db.list_mail(10).await.unwrap();
    assert_eq!((queued.len(), queued[0].created_at), (1, sent), "the mail went with the invitation");
}

#[tokio::test]
async fn a_full_window_says_when_the_next_attempt_is_allowed() {
    let (db, _dir) = db().await;
    let first = at("2026-03-01T10:00:00Z");
    let window = Duration::minutes(15);
    for i in 0..3 {
        let now = first + Duration::minutes(i);
        assert_eq!(db.reserve_auth_attempt("k", now, window, 3).await.unwrap(), Ok(()));
    }
    let now = first + Duration::minutes(5);
    assert_eq!(db.reserve_auth_attempt("k", now, window, 3).await.unwrap(), Err(first + window));
    assert_eq!(db.reserve_auth_attempt("other", now, window, 3).await.unwrap(), Ok(()), "one count per key");
    let later = first + window + Duration::seconds(1);
    assert_eq!(db.reserve_auth_attempt("k", later, window, 3).await.unwrap(), Ok(()), "the oldest left the window");
}

/// Another process (a second server, the CLI) holding the write lock makes a write wait for
/// it, not fail: a deferred transaction that read first could not take the lock afterwards.
#[tokio::test]
async fn a_write_waits_for_another_process_holding_the_lock() {
    use sqlx::Connection;
    let (db, dir) = db().await;
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("t.db"))
        .busy_timeout(std::time::Duration::from_secs(5));
    let mut other = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
    sqlx::query("INSERT INTO auth_failures (key, failed_at) VALUES ('other', '2026-03-01T09:00:00.000Z')")
        .execute(&mut other)
        .await
        .unwrap();

    let now = at("2026-03-01T10:00:00Z");
    let attempt = tokio::spawn({
        let db = db.clone();
        async move { db.reserve_auth_attempt("login:a@example.com", now, Duration::minutes(15), 10).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    sqlx::query("COMMIT").execute(&mut other).await.unwrap();

    let outcome = attempt.await.unwrap();
    assert!(matches!(outcome, Ok(Ok(()))), "{outcome:?}");
}
