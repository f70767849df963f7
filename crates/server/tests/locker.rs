//! Vouchers and the Digital Locker (issue 11): issuing, redeeming once, the errors and the
//! throttle, balances and the ledger.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use chrono::Duration;
use common::{issue, vendor, TestApp, PASSWORD};
use serde_json::json;

async fn customer(app: &TestApp, email: &str) -> TestApp {
    let mut c = app.other_browser();
    assert_eq!(c.register("customer", "Acme", email).await.status, StatusCode::CREATED);
    c
}

#[tokio::test]
async fn a_voucher_redeems_once_into_the_locker_and_the_ledger_says_so() {
    let app = TestApp::new().await;
    let mut ops = vendor(&app).await;
    let codes = issue(&mut ops, json!({"sku": "MON-STD-36", "quantity": 5, "count": 2})).await;
    assert_eq!(codes.len(), 2);
    assert!(codes.iter().all(|c| c.len() == 19 && c.matches('-').count() == 3), "{codes:?}");

    let mut ann = customer(&app, "ann@acme.example").await;
    assert_eq!(ann.get("/api/v1/locker").await.body, json!({"balances": [], "members": []}));
    let r = ann.post("/api/v1/locker/redeem", json!({ "code": codes[0].to_lowercase().replace('-', " ") })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"sku": "MON-STD-36", "added_device_months": 180, "balance_device_months": 180}));
    let r = ann.post("/api/v1/locker/redeem", json!({ "code": codes[1] })).await;
    assert_eq!(r.body["balance_device_months"], 360);

    let r = ann.post("/api/v1/locker/redeem", json!({ "code": codes[0] })).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "code_already_redeemed"));
    assert!(r.message().contains("into your locker on"), "{}", r.message());
    let mut bob = customer(&app, "bob@other.example").await;
    let r = bob.post("/api/v1/locker/redeem", json!({ "code": codes[0] })).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "code_already_redeemed"));
    assert!(r.message().starts_with("This code was already redeemed on "), "not by whom: {}", r.message());

    let locker = ann.get("/api/v1/locker").await.body;
    assert_eq!(locker["balances"].as_array().unwrap().len(), 1);
    let balance = &locker["balances"][0];
    assert_eq!(
        (&balance["sku"], &balance["product"], &balance["tier"], &balance["term_months"], &balance["device_months"]),
        (&json!("MON-STD-36"), &json!("MON"), &json!("STD"), &json!(36), &json!(360))
    );
    assert_eq!(balance["units"], 10.0);
    assert_eq!(locker["members"][0]["owner"], true);
    let ledger = ann.get("/api/v1/locker/ledger").await.body;
    let kinds: Vec<_> = ledger["entries"].as_array().unwrap().iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(kinds, vec![json!("redeem"), json!("redeem")]);
    assert_eq!(ledger["entries"][0]["actor"], "Test Person");
    assert_eq!(ledger["entries"][1]["reference"], format!("voucher \u{2026}-{}", &codes[0][15..]), "which voucher");
    assert!(app.state.db.ledger_mismatches().await.unwrap().is_empty());
}

#[tokio::test]
async fn each_bad_code_has_its_error_and_only_lookups_count_for_the_throttle() {
    let app = TestApp::new().await;
    let mut ops = vendor(&app).await;
    let expiring =
        issue(&mut ops, json!({"sku": "RUM-ADV-12", "quantity": 1, "expires_on": app.state.clock.today().to_string()}))
            .await;
    let mut ann = customer(&app, "ann@acme.example").await;

    let mut mistyped = expiring[0].clone().into_bytes();
    mistyped[0] = if mistyped[0] == b'7' { b'8' } else { b'7' };
    let r = ann.post("/api/v1/locker/redeem", json!({ "code": String::from_utf8(mistyped).unwrap() })).await;
    assert_eq!(
        (r.status, r.code(), r.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "code_malformed", Some("code"))
    );
    assert!(r.message().contains("looks mistyped"), "{}", r.message());
    let r = ann.post("/api/v1/locker/redeem", json!({ "code": "ABC" })).await;
    assert_eq!(r.code(), "code_malformed");

    app.state.clock.advance(Duration::days(1));
    let r = ann.post("/api/v1/locker/redeem", json!({ "code": expiring[0] })).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "code_expired"));

    // A well-formed code nobody issued: 9 more unknown ones reach the limit of 10 failures.
    let unknown = tessera_domain::code::Code::generate(&mut rand_core::OsRng).grouped();
    for _ in 0..9 {
        let r = ann.post("/api/v1/locker/redeem", json!({ "code": unknown })).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "code_unknown"));
    }
    let r = ann.post("/api/v1/locker/redeem", json!({ "code": unknown })).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    assert!(r.headers.get("retry-after").is_some());
    let fresh = issue(&mut ops, json!({"sku": "RUM-ADV-12", "quantity": 1})).await;
    let r = ann.post("/api/v1/locker/redeem", json!({ "code": fresh[0] })).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "even a good code waits");
    app.state.clock.advance(Duration::minutes(16));
    let r = ann.post("/api/v1/locker/redeem", json!({ "code": fresh[0] })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn fifty_concurrent_redemptions_of_one_code_credit_it_once() {
    let app = TestApp::new().await;
    let mut ops = vendor(&app).await;
    let code = issue(&mut ops, json!({"sku": "RUM-STD-12", "quantity": 3})).await.remove(0);
    let ann = customer(&app, "ann@acme.example").await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let mut browser = ann.other_browser();
        (browser.cookie, browser.csrf) = (ann.cookie.clone(), ann.csrf.clone());
        let code = code.clone();
        tasks.push(tokio::spawn(
            async move { browser.post("/api/v1/locker/redeem", json!({ "code": code })).await.status },
        ));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    // The others are refused, and the throttle holds even for simultaneous attempts: after
    // ten refusals the rest are not even looked up.
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 39, "{statuses:?}");
    let mut ann = ann;
    let locker = ann.get("/api/v1/locker").await.body;
    assert_eq!(locker["balances"][0]["device_months"], 36);
    assert!(app.state.db.ledger_mismatches().await.unwrap().is_empty());
}

#[tokio::test]
async fn only_the_vendor_issues_and_an_unknown_sku_is_refused() {
    let app = TestApp::new().await;
    let mut ann = customer(&app, "ann@acme.example").await;
    let r = ann.post("/api/v1/vendor/vouchers", json!({"sku": "MON-STD-12", "quantity": 1})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    assert_eq!(ann.get("/api/v1/vendor/vouchers").await.status, StatusCode::FORBIDDEN);

    let mut ops = vendor(&app).await;
    let r = ops.post("/api/v1/vendor/vouchers", json!({"sku": "NOPE-1", "quantity": 1})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "sku_unknown"));
    let r = ops.post("/api/v1/vendor/vouchers", json!({"sku": "MON-STD-12", "quantity": 0})).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("quantity")));
    let r = ops.post("/api/v1/locker/redeem", json!({"code": "7QKX-M2PA-9RTD-WH4Q"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));

    let codes =
        issue(&mut ops, json!({"sku": "pop-ess-adv-mo", "quantity": 24, "email": "installer@acme.example"})).await;
    let mails = app.state.db.list_mail(10).await.unwrap();
    let mail = mails.iter().find(|m| m.kind == "vouchers").expect("the voucher mail");
    assert_eq!(mail.to, "installer@acme.example");
    assert!(mail.text.contains(&codes[0]), "{}", mail.text);
    let now = app.state.clock.now();
    assert_eq!(app.state.db.redact_stale_voucher_mail(now - Duration::days(30), now).await.unwrap(), 0);
    assert_eq!(app.state.db.redact_stale_voucher_mail(now + Duration::seconds(1), now).await.unwrap(), 1);
    let blanked = app.state.db.mail(mail.id).await.unwrap().unwrap();
    assert!(!blanked.text.contains(&codes[0]) && blanked.text.contains("[redacted]"), "{}", blanked.text);

    let list = ops.get("/api/v1/vendor/vouchers").await.body;
    assert_eq!(list[0]["sku"], "POP-ESS-ADV-MO");
    assert_eq!(list[0]["state"], "unredeemed");
    assert_eq!(list[0]["code_hint"], format!("\u{2026}-{}", &codes[0][15..]));
    let csv = ops.get("/api/v1/vendor/vouchers/export.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.body.as_str().unwrap().to_string();
    assert!(
        text.starts_with("code,sku,quantity,email,issued_on,expires_on,state,redeemed_on,redeemed_by\r\n"),
        "{text}"
    );
    assert!(text.contains("POP-ESS-ADV-MO,24,installer@acme.example"), "{text}");
}

#[tokio::test]
async fn sharing_a_locker_merges_the_invitees_credits_and_only_the_owner_invites() {
    let app = TestApp::new().await;
    let mut ops = vendor(&app).await;
    let codes = issue(&mut ops, json!({"sku": "MON-ADV-12", "quantity": 2, "count": 2})).await;
    let more = issue(&mut ops, json!({"sku": "RUM-STD-36", "quantity": 1})).await;
    let mut ann = customer(&app, "ann@acme.example").await;
    let mut bob = customer(&app, "bob@other.example").await;
    assert_eq!(ann.post("/api/v1/locker/redeem", json!({ "code": codes[0] })).await.status, StatusCode::OK);
    assert_eq!(bob.post("/api/v1/locker/redeem", json!({ "code": codes[1] })).await.status, StatusCode::OK);
    assert_eq!(bob.post("/api/v1/locker/redeem", json!({ "code": more[0] })).await.status, StatusCode::OK);

    // Bob owns his own locker and invites Dora into it before joining Ann's.
    let r = bob.post("/api/v1/locker/invitations", json!({ "email": "dora@other.example" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let dora_token = bob.link_token("dora@other.example", "/locker/accept?token=").await;
    let mut dora = customer(&app, "dora@other.example").await;
    let dora_accepts =
        async move { dora.post("/api/v1/locker/invitations/accept", json!({ "token": dora_token })).await };

    let r = ann.post("/api/v1/locker/invitations", json!({ "email": "Bob@Other.example" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(ann.get("/api/v1/invitations").await.body, json!([]), "not a co-worker invitation");
    assert_eq!(ann.get("/api/v1/locker/invitations").await.body.as_array().unwrap().len(), 1);
    let token = ann.link_token("bob@other.example", "/locker/accept?token=").await;
    let r = bob.post("/api/v1/invitations/lookup", json!({ "token": token })).await;
    assert_eq!(r.code(), "invitation_not_found", "the team's page does not open a locker link");

    let mut carl = customer(&app, "carl@acme.example").await;
    let r = carl.post("/api/v1/locker/invitations/accept", json!({ "token": token })).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "invitation_email_mismatch"));

    let r = bob.post("/api/v1/locker/invitations/lookup", json!({ "token": token })).await;
    assert_eq!(r.body["inviter"], "Test Person");
    let r = bob.post("/api/v1/locker/invitations/accept", json!({ "token": token })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let emails: Vec<_> = r.body.as_array().unwrap().iter().map(|m| (m["email"].clone(), m["owner"].clone())).collect();
    assert_eq!(emails, vec![(json!("ann@acme.example"), json!(true)), (json!("bob@other.example"), json!(false))]);

    let pool = ann.get("/api/v1/locker").await.body;
    let held: Vec<_> =
        pool["balances"].as_array().unwrap().iter().map(|b| (b["sku"].clone(), b["device_months"].clone())).collect();
    assert_eq!(held, vec![(json!("MON-ADV-12"), json!(48)), (json!("RUM-STD-36"), json!(36))]);
    assert_eq!(bob.get("/api/v1/locker").await.body["balances"], pool["balances"], "one pool for both");
    let ledger = ann.get("/api/v1/locker/ledger").await.body;
    let merges = ledger["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == "merge").count();
    assert_eq!(merges, 2, "one merge entry per SKU that came in");
    assert!(app.state.db.ledger_mismatches().await.unwrap().is_empty());

    let r = bob.post("/api/v1/locker/invitations", json!({ "email": "dora@other.example" })).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    // Bob's own invitation, sent before he joined Ann's locker, was withdrawn with it.
    let r = dora_accepts.await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "invitation_revoked"), "{:?}", r.body);
    let r = bob.post("/api/v1/locker/invitations/accept", json!({ "token": token })).await;
    assert_eq!((r.status, r.code()), (StatusCode::GONE, "invitation_used"));
    let r = ann.post("/api/v1/locker/invitations", json!({ "email": "bob@other.example" })).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_member"));

    // An unverified owner cannot send mail to anyone.
    let mut eve = app.other_browser();
    eve.register_unverified("customer", "Eve Co", "eve@eve.example").await;
    let r = eve.post("/api/v1/locker/invitations", json!({ "email": "x@eve.example" })).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "email_unverified"));
}

#[tokio::test]
async fn a_member_who_redeemed_can_still_be_removed_and_the_history_keeps_their_name() {
    let app = TestApp::new().await;
    let mut ops = vendor(&app).await;
    let code = issue(&mut ops, json!({"sku": "MON-STD-12", "quantity": 1})).await.remove(0);
    let mut ann = customer(&app, "ann@acme.example").await;
    ann.invite("bob@acme.example").await;
    let token = ann.invitation_token("bob@acme.example").await;
    let mut bob = app.other_browser();
    let r = bob.post("/api/v1/invitations/accept", json!({"token": token, "name": "Bob", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let bob_id = r.body["user"]["id"].as_i64().unwrap();
    assert_eq!(bob.post("/api/v1/locker/redeem", json!({ "code": code })).await.status, StatusCode::OK);

    let r = ann.delete(&format!("/api/v1/members/{bob_id}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert!(app.state.db.ledger_mismatches().await.unwrap().is_empty());
}
