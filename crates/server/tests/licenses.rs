//! Licenses (issue 12) through real HTTP handling and SQLite: SPEC §6's worked examples that
//! concern licenses, idempotent retries, shortfalls that consume nothing, and the signed file.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use chrono::NaiveDate;
use common::{issue, vendor, Reply, TestApp};
use serde_json::{json, Value};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A customer with the given vouchers redeemed into their locker (`[(sku, quantity)]`).
async fn customer_with(app: &TestApp, email: &str, credits: &[(&str, u32)]) -> TestApp {
    let mut ops = vendor_once(app).await;
    let mut c = app.other_browser();
    assert_eq!(c.register("customer", "Acme", email).await.status, StatusCode::CREATED);
    for (sku, quantity) in credits {
        let code = issue(&mut ops, json!({"sku": sku, "quantity": quantity})).await.remove(0);
        let r = c.post("/api/v1/locker/redeem", json!({ "code": code })).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    c
}

/// The vendor operator (made on first use).
async fn vendor_once(app: &TestApp) -> TestApp {
    let mut ops = app.other_browser();
    if ops.login("ops@vendor.example", common::PASSWORD).await.status == StatusCode::OK {
        return ops;
    }
    vendor(app).await
}

async fn post_with_key(app: &mut TestApp, path: &str, key: &str, body: Value) -> Reply {
    let req = app
        .request(Method::POST, path)
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", key)
        .body(Body::from(body.to_string()))
        .unwrap();
    app.raw(req).await
}

/// Moves the server's clock to `day` and signs Ann in again (a session ends after 14 idle
/// days, so a jump of months signs her out).
async fn travel(app: &TestApp, ann: &mut TestApp, day: NaiveDate) {
    app.state.clock.set_today(day);
    assert_eq!(ann.login("ann@acme.example", common::PASSWORD).await.status, StatusCode::OK);
}

async fn balance(app: &mut TestApp, sku: &str) -> u64 {
    let r = app.get("/api/v1/locker").await;
    r.body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["sku"] == sku)
        .map_or(0, |b| b["device_months"].as_u64().unwrap())
}

fn create_body(product: &str, tier: &str, term: u32, quantity: u32) -> Value {
    json!({"product": product, "tier": tier, "term_months": term, "quantity": quantity,
           "installer_email": "installer@acme.example"})
}

#[tokio::test]
async fn spec_example_1_amending_after_3_months_charges_33_device_months_per_asset() {
    let app = TestApp::new().await;
    app.state.clock.set_today(d(2025, 1, 15));
    let mut ann = customer_with(&app, "ann@acme.example", &[("POP-ESS-36", 10), ("POP-ESS-ADV-MO", 400)]).await;
    let r = ann.post("/api/v1/licenses", create_body("POP", "ESS", 36, 10)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["starts_on"], "2025-01-15");
    assert_eq!(r.body["expires_on"], "2028-01-15");
    assert_eq!(r.body["status"], "active");
    assert_eq!(balance(&mut ann, "POP-ESS-36").await, 0);

    travel(&app, &mut ann, d(2025, 4, 15)).await;
    let path = format!("/api/v1/licenses/{id}/amend");
    let preview = ann.post(&path, json!({"tier": "ADV", "preview": true})).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", preview.body);
    assert_eq!(preview.body["consumes"], json!([{"sku": "POP-ESS-ADV-MO", "device_months": 330}]));
    assert_eq!(preview.body["keeps"], json!([{"sku": "POP-ESS-ADV-MO", "device_months": 70}]));
    assert_eq!(preview.body["license"]["tier"], "ADV");
    assert_eq!(balance(&mut ann, "POP-ESS-ADV-MO").await, 400, "a preview writes nothing");

    let r = ann.post(&path, json!({"tier": "ADV"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["tier"], "ADV");
    assert_eq!(r.body["expires_on"], "2028-01-15", "the end date stays");
    assert_eq!(balance(&mut ann, "POP-ESS-ADV-MO").await, 70);
    let kinds: Vec<&str> = r.body["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "amended"]);
    assert_eq!(r.body["events"][1]["consumed"], json!([{"sku": "POP-ESS-ADV-MO", "device_months": 330}]));

    // The ledger names the license.
    let ledger = ann.get("/api/v1/locker/ledger").await;
    let newest = &ledger.body["entries"][0];
    assert_eq!((newest["kind"].as_str(), newest["device_months"].as_i64()), (Some("consume"), Some(-330)));
    assert!(newest["reference"].as_str().unwrap().starts_with("License "), "{newest}");
}

#[tokio::test]
async fn spec_example_5_renewal_in_grace_appends_to_the_old_end() {
    let app = TestApp::new().await;
    app.state.clock.set_today(d(2025, 3, 1));
    let mut ann = customer_with(&app, "ann@acme.example", &[("PCA-STD-12", 2)]).await;
    let r = ann.post("/api/v1/licenses", create_body("PCA", "STD", 12, 1)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["expires_on"], "2026-03-01");

    travel(&app, &mut ann, d(2026, 4, 29)).await;
    let got = ann.get(&format!("/api/v1/licenses/{id}")).await;
    assert_eq!(got.body["status"], "grace");
    assert_eq!(got.body["days_left"], -59);
    let r = ann.post(&format!("/api/v1/licenses/{id}/renew"), json!({"term_months": 12})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["expires_on"], "2027-03-01");
    assert_eq!(r.body["status"], "active");
}

#[tokio::test]
async fn spec_example_4_early_renewal_and_the_expiring_window() {
    let app = TestApp::new().await;
    app.state.clock.set_today(d(2025, 3, 1));
    let mut ann = customer_with(&app, "ann@acme.example", &[("MON-STD-12", 6)]).await;
    let r = ann.post("/api/v1/licenses", create_body("MON", "STD", 12, 3)).await;
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["expires_on"], "2026-03-01");
    for (day, status) in [(d(2026, 1, 29), "active"), (d(2026, 1, 30), "expiring"), (d(2026, 2, 1), "expiring")] {
        travel(&app, &mut ann, day).await;
        assert_eq!(ann.get(&format!("/api/v1/licenses/{id}")).await.body["status"], status, "on {day}");
    }
    travel(&app, &mut ann, d(2026, 1, 10)).await;
    let r = ann.post(&format!("/api/v1/licenses/{id}/renew"), json!({"term_months": 12})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["expires_on"], "2027-03-01");
    assert_eq!(balance(&mut ann, "MON-STD-12").await, 0);
}

#[tokio::test]
async fn spec_example_6_a_product_not_renewed_after_expiry_refuses() {
    let app = TestApp::new().await;
    app.state.clock.set_today(d(2025, 3, 1));
    let mut ann = customer_with(&app, "ann@acme.example", &[("NMC-STD-12", 2)]).await;
    let id = ann.post("/api/v1/licenses", create_body("NMC", "STD", 12, 1)).await.body["id"].as_i64().unwrap();
    travel(&app, &mut ann, d(2026, 3, 2)).await;
    let path = format!("/api/v1/licenses/{id}/renew");
    for body in [json!({"term_months": 12, "preview": true}), json!({"term_months": 12})] {
        let r = ann.post(&path, body).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "renewal_not_allowed"));
        assert!(r.message().contains("buy a new license"), "{}", r.message());
    }
    assert_eq!(balance(&mut ann, "NMC-STD-12").await, 12, "nothing consumed");
}

#[tokio::test]
async fn spec_example_8_increasing_by_4_with_20_months_left() {
    let app = TestApp::new().await;
    app.state.clock.set_today(d(2024, 9, 1));
    let mut ann = customer_with(&app, "ann@acme.example", &[("DCM-STD-36", 12), ("DCM-STD-36", 3)]).await;
    let r = ann.post("/api/v1/licenses", create_body("DCM", "STD", 36, 12)).await;
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(balance(&mut ann, "DCM-STD-36").await, 108);
    travel(&app, &mut ann, d(2026, 1, 1)).await;
    let path = format!("/api/v1/licenses/{id}/increase");
    let preview = ann.post(&path, json!({"by": 4, "preview": true})).await;
    assert_eq!(preview.body["license"]["remaining_months"], 20);
    assert_eq!(preview.body["consumes"], json!([{"sku": "DCM-STD-36", "device_months": 80}]));
    assert_eq!(preview.body["keeps"], json!([{"sku": "DCM-STD-36", "device_months": 28}]));
    let r = ann.post(&path, json!({"by": 4})).await;
    assert_eq!((r.status, r.body["quantity"].as_u64()), (StatusCode::OK, Some(16)));
    assert_eq!(balance(&mut ann, "DCM-STD-36").await, 28);
}

#[tokio::test]
async fn short_of_credits_nothing_is_consumed_and_the_answer_says_what_is_missing() {
    let app = TestApp::new().await;
    let mut ann = customer_with(&app, "ann@acme.example", &[("MON-STD-36", 12)]).await;
    let preview = ann
        .post(
            "/api/v1/licenses",
            json!({"product": "MON", "tier": "STD", "term_months": 36,
        "quantity": 15, "installer_email": "i@acme.example", "preview": true}),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert_eq!(preview.body["missing"], json!([{"sku": "MON-STD-36", "device_months": 108}]));
    assert_eq!(
        (preview.body["license"]["id"].as_i64(), preview.body["license"]["installer_email"].as_str()),
        (Some(0), Some("i@acme.example"))
    );
    let r = ann.post("/api/v1/licenses", create_body("MON", "STD", 36, 15)).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "insufficient_credits"));
    assert_eq!(r.body["error"]["missing"], json!([{"sku": "MON-STD-36", "device_months": 108}]));
    assert!(r.message().contains("3 more units of MON-STD-36"), "{}", r.message());
    assert_eq!(balance(&mut ann, "MON-STD-36").await, 432);
    assert_eq!(ann.get("/api/v1/licenses").await.body["licenses"], json!([]));
    // Someone without any locker yet is simply short.
    let mut bob = app.other_browser();
    bob.register("customer", "Bobco", "bob@bobco.example").await;
    let r = bob.post("/api/v1/licenses", create_body("MON", "STD", 12, 1)).await;
    assert_eq!(r.body["error"]["missing"], json!([{"sku": "MON-STD-12", "device_months": 12}]));
}

#[tokio::test]
async fn bad_requests_are_refused_with_their_field() {
    let app = TestApp::new().await;
    app.state.clock.set_today(d(2026, 5, 10));
    let mut ann = customer_with(&app, "ann@acme.example", &[("MON-STD-12", 1)]).await;
    let cases = [
        (json!({"start_date": "2026-05-09"}), "start_date_past", "start_date"),
        (json!({"start_date": "2027-06-01"}), "start_date_too_late", "start_date"),
        (json!({"quantity": 0}), "invalid_quantity", "quantity"),
        (json!({"term_months": 24}), "invalid_term", "term_months"),
        (json!({"tier": "ADV", "product": "PCA"}), "tier_unknown", "tier"),
        (json!({"product": "RUM"}), "product_not_license", "product"),
        (json!({"installer_email": "nope"}), "email_invalid", "installer_email"),
    ];
    for (tweak, code, field) in cases {
        let mut body = create_body("MON", "STD", 12, 1);
        for (k, v) in tweak.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = ann.post("/api/v1/licenses", body).await;
        assert_eq!(
            (r.status, r.code(), r.body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, code, Some(field))
        );
    }
    // A later start is fine, and the license is scheduled until then.
    let mut body = create_body("MON", "STD", 12, 1);
    body["start_date"] = json!("2026-06-01");
    let r = ann.post("/api/v1/licenses", body).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::CREATED, Some("scheduled")));
    assert_eq!(r.body["expires_on"], "2027-06-01");
}

#[tokio::test]
async fn a_retried_create_returns_the_same_license_and_consumes_once() {
    let app = TestApp::new().await;
    let mut ann = customer_with(&app, "ann@acme.example", &[("MON-ADV-12", 10)]).await;
    let body = create_body("MON", "ADV", 12, 3);
    let first = post_with_key(&mut ann, "/api/v1/licenses", "key-1", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let again = post_with_key(&mut ann, "/api/v1/licenses", "key-1", body.clone()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body, "the first answer, again");
    assert_eq!(balance(&mut ann, "MON-ADV-12").await, 7 * 12);
    assert_eq!(ann.get("/api/v1/licenses").await.body["licenses"].as_array().unwrap().len(), 1);
    let mut other = body.clone();
    other["quantity"] = json!(4);
    let r = post_with_key(&mut ann, "/api/v1/licenses", "key-1", other).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));
    let r = post_with_key(&mut ann, "/api/v1/licenses", &"k".repeat(256), body.clone()).await;
    assert_eq!(r.code(), "idempotency_key_invalid");
    // Concurrent retries of one key: one license.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let mut browser = ann.other_browser();
            (browser.cookie, browser.csrf) = (ann.cookie.clone(), ann.csrf.clone());
            let body = body.clone();
            tokio::spawn(async move { post_with_key(&mut browser, "/api/v1/licenses", "key-2", body).await })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        ids.push(r.body["id"].as_i64().unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(balance(&mut ann, "MON-ADV-12").await, 4 * 12);
}

#[tokio::test]
async fn the_activation_id_is_mailed_to_the_installer() {
    let app = TestApp::new().await;
    let mut ann = customer_with(&app, "ann@acme.example", &[("MON-STD-12", 2)]).await;
    let r = ann.post("/api/v1/licenses", create_body("MON", "STD", 12, 2)).await;
    let activation = r.body["activation_id"].as_str().unwrap().to_string();
    assert_eq!(activation.len(), 19);
    assert!(tessera_domain::code::Code::parse(&activation).is_ok(), "a valid code with its check symbol");
    let mails = app.state.db.list_mail(100).await.unwrap();
    let mail = mails.iter().find(|m| m.to == "installer@acme.example").expect("the installer's mail");
    assert_eq!(mail.kind, "activation");
    assert!(mail.text.contains(&activation), "{}", mail.text);
}

#[tokio::test]
async fn licenses_are_the_organizations_and_nobody_elses() {
    let app = TestApp::new().await;
    let mut ann = customer_with(&app, "ann@acme.example", &[("MON-STD-12", 2)]).await;
    let id = ann.post("/api/v1/licenses", create_body("MON", "STD", 12, 1)).await.body["id"].as_i64().unwrap();
    let mut eve = customer_with(&app, "eve@evil.example", &[("MON-STD-12", 2)]).await;
    for path in [format!("/api/v1/licenses/{id}"), format!("/api/v1/licenses/{id}/file")] {
        assert_eq!(eve.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = eve.post(&format!("/api/v1/licenses/{id}/increase"), json!({"by": 1})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(balance(&mut eve, "MON-STD-12").await, 24, "nothing consumed");
    assert_eq!(eve.get("/api/v1/licenses").await.body["licenses"], json!([]));
    assert_eq!(ann.get("/api/v1/licenses").await.body["licenses"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn add_ons_cost_the_months_left_and_are_renewed_with_the_license() {
    let app = TestApp::new().await;
    app.state.clock.set_today(d(2025, 1, 15));
    let mut ann = customer_with(&app, "ann@acme.example", &[("POP-ESS-12", 8), ("POP-ADDON-REMOTE-MO", 30)]).await;
    let id = ann.post("/api/v1/licenses", create_body("POP", "ESS", 12, 4)).await.body["id"].as_i64().unwrap();
    travel(&app, &mut ann, d(2025, 7, 20)).await;
    let path = format!("/api/v1/licenses/{id}/addons");
    let r = ann.post(&path, json!({"sku": "POP-ADDON-REMOTE-MO"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["addons"][0]["sku"], "POP-ADDON-REMOTE-MO");
    assert_eq!(balance(&mut ann, "POP-ADDON-REMOTE-MO").await, 24, "6 months left");
    let r = ann.post(&path, json!({"sku": "POP-ADDON-REMOTE-MO"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "addon_present"));
    let r = ann.post(&format!("/api/v1/licenses/{id}/renew"), json!({"term_months": 12, "preview": true})).await;
    assert_eq!(
        r.body["consumes"],
        json!([{"sku": "POP-ESS-12", "device_months": 48}, {"sku": "POP-ADDON-REMOTE-MO", "device_months": 12}])
    );
    assert_eq!(r.body["license"]["expires_on"], "2027-01-15");
}

#[tokio::test]
async fn the_license_file_is_signed_with_the_served_key() {
    let app = TestApp::new().await;
    let mut ann = customer_with(&app, "ann@acme.example", &[("MON-STD-12", 2)]).await;
    let id = ann.post("/api/v1/licenses", create_body("MON", "STD", 12, 2)).await.body["id"].as_i64().unwrap();
    let file = ann.get(&format!("/api/v1/licenses/{id}/file")).await;
    assert_eq!(file.status, StatusCode::OK);
    let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=\"license-"), "{disposition}");
    let key = app.other_browser().get("/api/v1/license-key").await;
    assert_eq!(key.status, StatusCode::OK, "public, no session");
    let public = tessera_server::license_file::read_public_key(key.body["pem"].as_str().unwrap()).unwrap();
    let text = file.body.to_string();
    let fields = tessera_server::license_file::verify(&text, &public).unwrap();
    assert_eq!(fields["quantity"], 2);
    assert_eq!(fields["product"], "MON");
    assert_eq!(fields["licensee"], "Acme");
    let forged = text.replace("\"quantity\":2", "\"quantity\":20");
    assert_ne!(forged, text);
    assert!(tessera_server::license_file::verify(&forged, &public).is_err());
}
