//! Inviting a co-worker (SPEC §7, issue 4) over the real router and a fresh database.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use chrono::Duration;
use common::{TestApp, PASSWORD};
use serde_json::json;

async fn admin_of(org: &str, email: &str) -> TestApp {
    let mut app = TestApp::new().await;
    let r = app.register("customer", org, email).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app
}

#[tokio::test]
async fn an_admin_invites_and_the_mail_carries_a_single_use_link() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    let r = admin.invite(" New.Person@Acme.example ").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["email"], "new.person@acme.example");
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["invited_by"], "Test Person");

    let mails = admin.state.db.list_mail(10).await.unwrap();
    let mail = &mails[0];
    assert_eq!(mail.to, "new.person@acme.example");
    let link = format!("{}/invite/accept?token=", admin.state.config.public_url);
    assert!(mail.text.contains(&link) && mail.html.contains(&link), "{}", mail.text);
    let token = admin.invitation_token("new.person@acme.example").await;
    assert!(token.len() >= 22, "at least 128 bits");

    let list = admin.get("/api/v1/invitations").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let expires = chrono::DateTime::parse_from_rfc3339(list.body[0]["expires_at"].as_str().unwrap()).unwrap();
    let sent = chrono::DateTime::parse_from_rfc3339(list.body[0]["sent_at"].as_str().unwrap()).unwrap();
    assert_eq!((expires - sent).num_days(), 7);
}

#[tokio::test]
async fn each_invite_error_has_its_code_and_exact_message() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    let r = admin.invite("   ").await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (StatusCode::UNPROCESSABLE_ENTITY, "email_required", "Please enter email address")
    );
    let r = admin.invite("bob@").await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "email_invalid",
            "You have entered an invalid email address. Please re-enter the email address."
        )
    );
    assert_eq!(admin.invite("bob@acme.example").await.status, StatusCode::CREATED);
    let r = admin.invite("BOB@acme.example").await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (
            StatusCode::CONFLICT,
            "already_invited",
            "This co-worker has already been invited to the portal. Please invite another co-worker."
        )
    );
    let r = admin.invite("ann@acme.example").await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_member"));
    assert!(r.message().contains("already a member"), "{}", r.message());
    let invitations =
        admin.state.db.list_mail(10).await.unwrap().into_iter().filter(|m| m.kind == "invitation").count();
    assert_eq!(invitations, 1, "no mail for refused invitations");
}

#[tokio::test]
async fn a_new_person_accepts_registers_and_joins_the_company() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    admin.invite("carl@acme.example").await;
    let token = admin.invitation_token("carl@acme.example").await;

    let mut carl = admin.other_browser();
    let r = carl.post("/api/v1/invitations/lookup", json!({ "token": token })).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"organization_name": "Acme", "inviter": "Test Person", "email": "carl@acme.example"}));

    let r =
        carl.post("/api/v1/invitations/accept", json!({"token": token, "name": "Carl", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["organization"]["name"], "Acme");
    assert_eq!(r.body["role"], "member");
    assert_eq!(r.body["user"]["email"], "carl@acme.example");
    assert_eq!(
        carl.get("/api/v1/me").await.body["organization"]["id"],
        admin.get("/api/v1/me").await.body["organization"]["id"]
    );

    let members = admin.get("/api/v1/members").await;
    let emails: Vec<&str> = members.body.as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert!(emails.contains(&"carl@acme.example"));
    assert_eq!(admin.get("/api/v1/invitations").await.body[0]["status"], "accepted");

    // Single use: the same link again, from anywhere.
    let mut again = admin.other_browser();
    let r = again.post("/api/v1/invitations/accept", json!({"token": token, "name": "X", "password": PASSWORD})).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "invitation_used"));
    let r = again.post("/api/v1/invitations/lookup", json!({ "token": token })).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "invitation_used"));
    assert!(r.message().contains("new invitation"), "says how to get a new one: {}", r.message());
}

#[tokio::test]
async fn expired_revoked_and_unknown_tokens() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    admin.invite("late@acme.example").await;
    let late = admin.invitation_token("late@acme.example").await;
    admin.invite("gone@acme.example").await;
    let gone = admin.invitation_token("gone@acme.example").await;
    let list = admin.get("/api/v1/invitations").await;
    let gone_id =
        list.body.as_array().unwrap().iter().find(|i| i["email"] == "gone@acme.example").unwrap()["id"].clone();
    assert_eq!(admin.delete(&format!("/api/v1/invitations/{gone_id}")).await.status, StatusCode::NO_CONTENT);

    let mut visitor = admin.other_browser();
    let accept = |token: &str| json!({"token": token, "name": "V", "password": PASSWORD});
    let r = visitor.post("/api/v1/invitations/accept", accept(&gone)).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "invitation_revoked"));

    admin.state.clock.advance(Duration::days(7) + Duration::minutes(1));
    let r = visitor.post("/api/v1/invitations/accept", accept(&late)).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "invitation_expired"));
    let statuses: Vec<String> = admin
        .get("/api/v1/invitations")
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap().to_string())
        .collect();
    assert!(statuses.contains(&"expired".to_string()) && statuses.contains(&"revoked".to_string()), "{statuses:?}");

    let r = visitor.post("/api/v1/invitations/accept", accept("not-a-real-token")).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "invitation_not_found"));
    let r = visitor.post("/api/v1/invitations/lookup", json!({ "token": "" })).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "invitation_not_found"));
    let r = visitor.get("/api/v1/invitations/lookup?token=x").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "the token travels in a body, never a query string");
    assert_eq!(admin.get("/api/v1/members").await.body.as_array().unwrap().len(), 1, "nobody joined");
}

#[tokio::test]
async fn resending_kills_the_old_token_and_renews_the_expiry() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    let created = admin.invite("dan@acme.example").await;
    let old = admin.invitation_token("dan@acme.example").await;
    admin.state.clock.advance(Duration::days(8));
    assert_eq!(admin.get("/api/v1/invitations").await.body[0]["status"], "expired");
    let r = admin.post(&format!("/api/v1/invitations/{}/resend", created.body["id"]), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "pending");
    let new = admin.invitation_token("dan@acme.example").await;
    assert_ne!(old, new);

    let mut dan = admin.other_browser();
    let r = dan.post("/api/v1/invitations/accept", json!({"token": old, "name": "Dan", "password": PASSWORD})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "invitation_not_found"));
    let r = dan.post("/api/v1/invitations/accept", json!({"token": new, "name": "Dan", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    // An accepted invitation can be neither resent nor revoked.
    let r = admin.post(&format!("/api/v1/invitations/{}/resend", created.body["id"]), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "invitation_not_pending"));
}

#[tokio::test]
async fn members_invite_only_when_the_organization_allows_it() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    admin.invite("mia@acme.example").await;
    let token = admin.invitation_token("mia@acme.example").await;
    let mut mia = admin.other_browser();
    mia.post("/api/v1/invitations/accept", json!({"token": token, "name": "Mia", "password": PASSWORD})).await;

    let r = mia.invite("friend@acme.example").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let r = mia.send(Method::PATCH, "/api/v1/organization", json!({"members_may_invite": true})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"), "members cannot change the setting");

    assert_eq!(admin.get("/api/v1/organization").await.body["members_may_invite"], false, "off by default");
    let r = admin.send(Method::PATCH, "/api/v1/organization", json!({"members_may_invite": true})).await;
    assert_eq!(r.body["members_may_invite"], true);
    assert_eq!(mia.invite("friend@acme.example").await.status, StatusCode::CREATED);
    // Members still cannot resend or revoke.
    let id = admin.get("/api/v1/invitations").await.body[0]["id"].clone();
    assert_eq!(mia.delete(&format!("/api/v1/invitations/{id}")).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_organization_sees_and_touches_nothing() {
    let mut x = admin_of("X Corp", "xadmin@x.example").await;
    x.invite("target@x.example").await;
    let x_inv = x.get("/api/v1/invitations").await.body[0]["id"].clone();
    let x_admin_id = x.get("/api/v1/me").await.body["user"]["id"].clone();

    let mut y = x.other_browser();
    y.register("customer", "Y Corp", "yadmin@y.example").await;
    assert_eq!(y.get("/api/v1/invitations").await.body, json!([]));
    let r = y.delete(&format!("/api/v1/invitations/{x_inv}")).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = y.post(&format!("/api/v1/invitations/{x_inv}/resend"), json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = y.send(Method::PATCH, &format!("/api/v1/members/{x_admin_id}"), json!({"role": "member"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(y.delete(&format!("/api/v1/members/{x_admin_id}")).await.status, StatusCode::NOT_FOUND);
    let emails: Vec<String> = y
        .get("/api/v1/members")
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap().into())
        .collect();
    assert_eq!(emails, vec!["yadmin@y.example".to_string()]);
    assert_eq!(x.get("/api/v1/invitations").await.body[0]["status"], "pending", "untouched");
}

#[tokio::test]
async fn never_the_last_admin() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    let me = admin.get("/api/v1/me").await.body["user"]["id"].clone();
    let r = admin.send(Method::PATCH, &format!("/api/v1/members/{me}"), json!({"role": "member"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "last_admin"));
    let r = admin.delete(&format!("/api/v1/members/{me}")).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "last_admin"));

    admin.invite("bea@acme.example").await;
    let token = admin.invitation_token("bea@acme.example").await;
    let mut bea = admin.other_browser();
    let bea_id =
        bea.post("/api/v1/invitations/accept", json!({"token": token, "name": "Bea", "password": PASSWORD})).await.body
            ["user"]["id"]
            .clone();
    let r = admin.send(Method::PATCH, &format!("/api/v1/members/{bea_id}"), json!({"role": "admin"})).await;
    assert_eq!(r.body["role"], "admin");
    // Now there are two admins: Ann may step down, and Bea may remove her.
    assert_eq!(
        admin.send(Method::PATCH, &format!("/api/v1/members/{me}"), json!({"role": "member"})).await.status,
        StatusCode::OK
    );
    assert_eq!(bea.delete(&format!("/api/v1/members/{me}")).await.status, StatusCode::NO_CONTENT);
    let r = admin.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a removed member's session ends");
}

#[tokio::test]
async fn at_most_fifty_invitations_an_hour() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    for i in 0..50 {
        assert_eq!(admin.invite(&format!("p{i}@acme.example")).await.status, StatusCode::CREATED, "invite {i}");
    }
    let r = admin.invite("p50@acme.example").await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_invitations"));
    assert!(r.headers.get("retry-after").is_some());
    admin.state.clock.advance(Duration::minutes(61));
    assert_eq!(admin.invite("p50@acme.example").await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn existing_users_join_after_signing_in_unless_they_belong_to_a_company() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    // A home owner who registered on their own joins the company.
    let mut home = admin.other_browser();
    home.post(
        "/api/v1/auth/register",
        json!({"org_kind": "individual", "name": "Hal", "email": "hal@acme.example", "password": PASSWORD}),
    )
    .await;
    admin.invite("hal@acme.example").await;
    let token = admin.invitation_token("hal@acme.example").await;
    let r = home.post("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["organization"]["name"], "Acme");
    assert_eq!(r.body["role"], "member");

    // Someone in another company is told to leave it first.
    let mut other = admin.other_browser();
    other.register("partner", "Other Co", "ola@other.example").await;
    admin.invite("ola@other.example").await;
    let token = admin.invitation_token("ola@other.example").await;
    let r = other.post("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "member_of_other_org"));
    assert!(r.message().contains("Other Co"), "{}", r.message());

    // The token alone, without a session, asks to sign in; a different person is refused.
    let mut anon = admin.other_browser();
    assert_eq!(anon.post("/api/v1/invitations/accept", json!({"token": token})).await.status, StatusCode::UNAUTHORIZED);
    let mut stranger = admin.other_browser();
    stranger.register("customer", "S", "sam@s.example").await;
    let r = stranger.post("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "invitation_email_mismatch"));
    // Registering over an existing account is refused, not merged.
    let r = anon.post("/api/v1/invitations/accept", json!({"token": token, "name": "O", "password": PASSWORD})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "email_taken"));
}

#[tokio::test]
async fn a_double_submit_sends_one_invitation_and_one_mail() {
    let admin = admin_of("Acme", "ann@acme.example").await;
    let tab = |app: &TestApp| {
        let mut other = app.other_browser();
        other.cookie = app.cookie.clone();
        other.csrf = app.csrf.clone();
        other
    };
    let (mut first, mut second) = (tab(&admin), tab(&admin));
    let (a, b) = tokio::join!(first.invite("twice@acme.example"), second.invite("TWICE@acme.example"));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "{:?} {:?}", a.body, b.body);
    assert!(a.code() == "already_invited" || b.code() == "already_invited");
    let mails = admin.state.db.list_mail(10).await.unwrap();
    assert_eq!(mails.iter().filter(|m| m.to == "twice@acme.example").count(), 1);
}

#[tokio::test]
async fn resends_count_against_the_hourly_limit() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    let id = admin.invite("pat@acme.example").await.body["id"].as_i64().unwrap();
    for i in 0..49 {
        let r = admin.post(&format!("/api/v1/invitations/{id}/resend"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "resend {i}");
    }
    let r = admin.post(&format!("/api/v1/invitations/{id}/resend"), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_invitations"));
    let r = admin.invite("quinn@acme.example").await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_invitations"));
    let mails = admin.state.db.list_mail(1000).await.unwrap();
    assert_eq!(mails.iter().filter(|m| m.kind == "invitation").count(), 50, "refused sends send nothing");
}

#[tokio::test]
async fn a_resend_never_makes_a_second_live_invitation() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    let old = admin.invite("pat@acme.example").await.body["id"].as_i64().unwrap();
    admin.state.clock.advance(Duration::days(8));
    // The old one lapsed, so a new invitation may be sent; the old one may then not come back.
    assert_eq!(admin.invite("pat@acme.example").await.status, StatusCode::CREATED);
    let r = admin.post(&format!("/api/v1/invitations/{old}/resend"), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_invited"));
    // Once Pat has joined, no leftover invitation can be resent to them.
    let token = admin.invitation_token("pat@acme.example").await;
    let mut pat = admin.other_browser();
    let r = pat.post("/api/v1/invitations/accept", json!({"token": token, "name": "Pat", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = admin.post(&format!("/api/v1/invitations/{old}/resend"), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_member"));
}

#[tokio::test]
async fn home_owners_have_no_co_workers_to_invite() {
    let mut home = TestApp::new().await;
    let r = home
        .post(
            "/api/v1/auth/register",
            json!({"org_kind": "individual", "name": "Hal", "email": "hal@home.example", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.body["organization"]["individual"], true);
    let r = home.invite("kid@home.example").await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    assert!(r.message().contains("home owner"), "{}", r.message());
    assert!(home.state.db.list_mail(10).await.unwrap().iter().all(|m| m.kind != "invitation"));
}

#[tokio::test]
async fn two_simultaneous_accepts_one_joins_the_other_hears_the_link_was_used() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    admin.invite("pat@acme.example").await;
    let token = admin.invitation_token("pat@acme.example").await;
    let (mut a, mut b) = (admin.other_browser(), admin.other_browser());
    let body = json!({"token": token, "name": "Pat", "password": PASSWORD});
    let (ra, rb) = tokio::join!(
        a.post("/api/v1/invitations/accept", body.clone()),
        b.post("/api/v1/invitations/accept", body.clone())
    );
    let mut outcomes = [(ra.status, ra.code().to_string()), (rb.status, rb.code().to_string())];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(StatusCode::CREATED, String::new()), (StatusCode::GONE, "invitation_used".to_string())],
        "{:?} {:?}",
        ra.body,
        rb.body
    );
    let members = admin.get("/api/v1/members").await;
    assert_eq!(members.body.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn malformed_ids_and_queries_get_json_errors() {
    let mut admin = admin_of("Acme", "ann@acme.example").await;
    let r = admin.send(axum::http::Method::PATCH, "/api/v1/members/abc", json!({"role": "admin"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "bad_request"));
    let r = admin.delete("/api/v1/invitations/99999999999999999999").await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "bad_request"));
    let r = admin.post("/api/v1/invitations/lookup", json!({ "token": ["a", "b"] })).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"));
}
