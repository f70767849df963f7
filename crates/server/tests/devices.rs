//! Devices and device subscriptions (issue 13) through the real router and SQLite: the
//! inventory and its CSV import, searching, assigning plans with SPEC §5's timing, and what a
//! partner may see and do with shared devices.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use chrono::NaiveDate;
use common::{issue, vendor, Reply, TestApp};
use serde_json::{json, Value};

const HEADER: &str = "serial,model,name,site,battery_replace_by,warranty_expires_on\n";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn import(app: &mut TestApp, query: &str, csv: &str) -> Reply {
    let req = app
        .request(Method::POST, &format!("/api/v1/devices/import{query}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.to_string()))
        .unwrap();
    app.raw(req).await
}

async fn signed_up(app: &TestApp, kind: &str, org: &str, email: &str) -> TestApp {
    let mut c = app.other_browser();
    assert_eq!(c.register(kind, org, email).await.status, StatusCode::CREATED);
    c
}

async fn add(app: &mut TestApp, serial: &str) -> i64 {
    let r = app.post("/api/v1/devices", json!({"serial": serial, "model": "Smart-UPS 1500", "site": "Paris"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

/// Vouchers of `sku` redeemed as activation codes into `who`'s locker.
async fn activate(app: &TestApp, who: &mut TestApp, sku: &str, quantity: u32) {
    let mut ops = app.other_browser();
    if ops.login("ops@vendor.example", common::PASSWORD).await.status != StatusCode::OK {
        ops = vendor(app).await;
    }
    let code = issue(&mut ops, json!({"sku": sku, "quantity": quantity})).await.remove(0);
    let r = who.post("/api/v1/activation-codes/redeem", json!({ "code": code })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

fn serials(r: &Reply) -> Vec<String> {
    r.body["devices"].as_array().unwrap().iter().map(|d| d["serial"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn devices_are_added_changed_and_removed_with_unique_serials() {
    let app = TestApp::new().await;
    let mut ann = signed_up(&app, "customer", "Acme", "ann@acme.example").await;
    let id = add(&mut ann, "AS100").await;
    let r = ann.post("/api/v1/devices", json!({"serial": " as100 "})).await;
    assert_eq!(
        (r.status, r.code(), r.body["error"]["field"].as_str()),
        (StatusCode::CONFLICT, "serial_taken", Some("serial"))
    );
    let r = ann.post("/api/v1/devices", json!({"serial": ""})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation"));
    let r = ann.post("/api/v1/devices", json!({"serial": "X", "battery_replace_by": "2027-02-30"})).await;
    assert_eq!(r.code(), "invalid_body");

    let r = ann
        .send(
            Method::PATCH,
            &format!("/api/v1/devices/{id}"),
            json!({"name": "UPS Room 2", "battery_replace_by": "2027-03-31"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["name"].as_str(), r.body["battery_replace_by"].as_str()),
        (Some("UPS Room 2"), Some("2027-03-31"))
    );
    assert_eq!(r.body["current"], Value::Null);
    assert_eq!(r.body["shared_by"], Value::Null);
    let r = ann.send(Method::PATCH, &format!("/api/v1/devices/{id}"), json!({"battery_replace_by": ""})).await;
    assert_eq!(r.body["battery_replace_by"], Value::Null);

    let mut eve = signed_up(&app, "customer", "Evil", "eve@evil.example").await;
    assert_eq!(eve.get(&format!("/api/v1/devices/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(eve.delete(&format!("/api/v1/devices/{id}")).await.status, StatusCode::NOT_FOUND);
    assert!(add(&mut eve, "AS100").await > 0, "another organization may have the same serial");

    assert_eq!(ann.delete(&format!("/api/v1/devices/{id}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(ann.get(&format!("/api/v1/devices/{id}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_import_with_a_bad_row_imports_nothing_unless_asked_to_skip_it() {
    let app = TestApp::new().await;
    let mut ann = signed_up(&app, "customer", "Acme", "ann@acme.example").await;
    add(&mut ann, "AS000").await;
    let csv = format!(
        "{HEADER}AS001,Smart-UPS,UPS 1,Paris,2027-01-01,\nAS002,,,,someday,\nas000,,,,,\nAS003,,,Lyon,,2028-12-31\n"
    );
    let r = import(&mut ann, "", &csv).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "csv_invalid"));
    assert_eq!(
        r.body["error"]["rows"],
        json!([
            {"row": 2, "field": "battery_replace_by", "message": "\u{201c}someday\u{201d} is not a date like 2027-03-31."},
            {"row": 3, "field": "serial", "message": "A device with this serial number is already in your devices."}
        ])
    );
    assert_eq!(ann.get("/api/v1/devices").await.body["total"], 1, "nothing imported");

    let r = import(&mut ann, "?skip_invalid=true", &csv).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["imported"], 2);
    assert_eq!(r.body["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(ann.get("/api/v1/devices").await.body["total"], 3);

    let r = import(&mut ann, "", "serial;model\n").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "csv_unreadable"));
    assert_eq!(import(&mut ann, "", "").await.code(), "csv_unreadable");
    let r = ann.post("/api/v1/devices/import", json!({"serial": "x"})).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn ten_thousand_rows_import_in_one_request() {
    let app = TestApp::new().await;
    let mut ann = signed_up(&app, "customer", "Acme", "ann@acme.example").await;
    let mut csv = String::from(HEADER);
    for i in 0..10_000 {
        csv.push_str(&format!(
            "SN{i:06},Smart-UPS {},UPS {i},Site {},2027-0{}-15,2028-12-31\n",
            1000 + i % 5 * 500,
            i % 40,
            1 + i % 9
        ));
    }
    assert!(csv.len() > 64 * 1024, "over the JSON body limit");
    let r = import(&mut ann, "", &csv).await;
    assert_eq!((r.status, r.body["imported"].as_u64()), (StatusCode::OK, Some(10_000)), "{:?}", r.body["error"]);
    let r = ann.get("/api/v1/devices?limit=5&offset=10").await;
    assert_eq!((r.body["total"].as_u64(), serials(&r).len()), (Some(10_000), 5));
    assert_eq!(serials(&r)[0], "SN000010");
}

#[tokio::test]
async fn the_search_syntax_filters_the_list() {
    let app = TestApp::new().await;
    let mut ann = signed_up(&app, "customer", "Acme", "ann@acme.example").await;
    let csv = format!("{HEADER}UPS-A-01,Smart-UPS 1500,Rack A,Paris,,\nUPS-B-02,Galaxy VS,Rack B,Lyon,,\nPDU-C-01,Metered PDU,Rack C,Paris North,,\n");
    assert_eq!(import(&mut ann, "", &csv).await.status, StatusCode::OK);
    let find = |q: &str| {
        format!(
            "/api/v1/devices?q={}",
            q.replace(' ', "%20").replace('"', "%22").replace('(', "%28").replace(')', "%29")
        )
    };
    assert_eq!(serials(&ann.get(&find("paris")).await), ["UPS-A-01", "PDU-C-01"]);
    assert_eq!(serials(&ann.get(&find("ups*01")).await), ["UPS-A-01"]);
    assert_eq!(serials(&ann.get(&find("\"paris north\" OR galaxy")).await), ["UPS-B-02", "PDU-C-01"]);
    assert_eq!(serials(&ann.get(&find("(lyon OR north) AND rack")).await), ["UPS-B-02", "PDU-C-01"]);
    let r = ann.get(&find("(paris")).await;
    assert_eq!(
        (r.status, r.code(), r.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "search_invalid", Some("q"))
    );
    assert!(r.message().contains("parenthesis"), "{}", r.message());
}

#[tokio::test]
async fn assigning_advanced_moves_the_standard_remainder_after_it() {
    let app = TestApp::new().await;
    app.state.clock.set_today(d(2025, 6, 1));
    let mut ann = signed_up(&app, "customer", "Acme", "ann@acme.example").await;
    let (a, b, c) = (add(&mut ann, "A").await, add(&mut ann, "B").await, add(&mut ann, "C").await);
    activate(&app, &mut ann, "RUM-STD-12", 1).await;
    let r = ann.post("/api/v1/subscriptions/assign", json!({"sku": "RUM-STD-12", "device_ids": [a]})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["devices"][0]["current"], json!({"product": "RUM", "tier": "STD", "expires_on": "2026-06-01"}));

    // SPEC §6 example 7: on 2026-01-01, Advanced for 12 months on the device with Standard.
    app.state.clock.set_today(d(2026, 1, 1));
    assert_eq!(ann.login("ann@acme.example", common::PASSWORD).await.status, StatusCode::OK);
    activate(&app, &mut ann, "RUM-ADV-12", 5).await;
    let plans = ann.get("/api/v1/subscriptions/plans").await;
    assert_eq!(
        plans.body,
        json!([{"sku": "RUM-ADV-12", "product": "RUM", "tier": "ADV", "term_months": 12, "units": 5, "device_months": 60, "bonus_months": 0}])
    );
    let body = json!({"sku": "RUM-ADV-12", "device_ids": [a, b, c]});
    let mut preview = body.clone();
    preview["preview"] = json!(true);
    let p = ann.post("/api/v1/subscriptions/assign", preview).await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
    assert_eq!(p.body["consumes"], json!([{"sku": "RUM-ADV-12", "device_months": 36}]));
    assert_eq!(ann.get("/api/v1/subscriptions/plans").await.body[0]["units"], 5, "a preview writes nothing");

    let r = ann.post("/api/v1/subscriptions/assign", body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, p.body, "the preview showed what happened");
    let first = &r.body["devices"][0];
    assert_eq!(
        first["segments"],
        json!([
            {"product": "RUM", "tier": "STD", "starts_on": "2025-06-01", "ends_on": "2026-01-01"},
            {"product": "RUM", "tier": "ADV", "starts_on": "2026-01-01", "ends_on": "2027-01-01"},
            {"product": "RUM", "tier": "STD", "starts_on": "2027-01-01", "ends_on": "2027-06-01"}
        ])
    );
    assert_eq!(first["current"], json!({"product": "RUM", "tier": "ADV", "expires_on": "2027-06-01"}));
    assert_eq!(r.body["devices"][1]["current"]["expires_on"], "2027-01-01");
    assert_eq!(ann.get("/api/v1/subscriptions/plans").await.body[0]["units"], 2, "the rest stays for later");

    // Fewer units than devices, or a device that is not ours: nothing assigned.
    let r = ann.post("/api/v1/subscriptions/assign", json!({"sku": "RUM-ADV-12", "device_ids": [a, b, c]})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "insufficient_credits"));
    assert_eq!(r.body["error"]["missing"], json!([{"sku": "RUM-ADV-12", "device_months": 12}]));
    let r = ann.post("/api/v1/subscriptions/assign", json!({"sku": "RUM-ADV-12", "device_ids": [a, 999_999]})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for (body, code) in [
        (json!({"sku": "RUM-ADV-12", "device_ids": [a, a]}), "validation"),
        (json!({"sku": "RUM-ADV-12", "device_ids": []}), "validation"),
        (json!({"sku": "MON-STD-12", "device_ids": [a]}), "sku_not_device_plan"),
        (json!({"sku": "NOPE", "device_ids": [a]}), "sku_unknown"),
    ] {
        assert_eq!(ann.post("/api/v1/subscriptions/assign", body).await.code(), code);
    }
    assert_eq!(ann.get("/api/v1/subscriptions/plans").await.body[0]["units"], 2);
}

#[tokio::test]
async fn a_promotion_adds_its_months_and_a_retry_assigns_once() {
    let app = TestApp::new().await;
    app.state.clock.set_today(d(2026, 2, 1));
    let mut ann = signed_up(&app, "customer", "Acme", "ann@acme.example").await;
    let a = add(&mut ann, "A").await;
    activate(&app, &mut ann, "RUM-ADV-36", 2).await;
    let send = |ann: &TestApp| {
        ann.request(Method::POST, "/api/v1/subscriptions/assign")
            .header(header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", "assign-1")
            .body(Body::from(json!({"sku": "RUM-ADV-36", "device_ids": [a]}).to_string()))
            .unwrap()
    };
    let req = send(&ann);
    let first = ann.raw(req).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["devices"][0]["current"]["expires_on"], "2029-05-01", "36 months and 3 bonus months");
    let req = send(&ann);
    let again = ann.raw(req).await;
    assert_eq!(again.body, first.body);
    assert_eq!(ann.get("/api/v1/subscriptions/plans").await.body[0]["units"], 1, "consumed once");
}

#[tokio::test]
async fn a_partner_sees_only_what_was_shared_and_assigns_from_its_own_locker() {
    let app = TestApp::new().await;
    let mut ann = signed_up(&app, "customer", "Acme", "ann@acme.example").await;
    let mut pat = signed_up(&app, "partner", "Brightline", "pat@brightline.example").await;
    let partner_id = pat.get("/api/v1/me").await.body["organization"]["id"].as_i64().unwrap();
    let (a, b, c) = (add(&mut ann, "A").await, add(&mut ann, "B").await, add(&mut ann, "C").await);
    assert_eq!(pat.get("/api/v1/devices").await.body["total"], 0);

    let r = ann.post("/api/v1/device-shares", json!({"partner_org_id": partner_id, "device_ids": [a, b]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!((r.body["device_count"].as_u64(), r.body["partner_name"].as_str()), (Some(2), Some("Brightline")));
    let share = r.body["id"].as_i64().unwrap();

    let seen = pat.get("/api/v1/devices").await;
    assert_eq!(serials(&seen), ["A", "B"]);
    assert_eq!(seen.body["devices"][0]["shared_by"], "Acme");
    assert_eq!(pat.get(&format!("/api/v1/devices/{c}")).await.status, StatusCode::NOT_FOUND);
    let r = pat.send(Method::PATCH, &format!("/api/v1/devices/{a}"), json!({"name": "mine"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    assert_eq!(pat.delete(&format!("/api/v1/devices/{a}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(pat.get("/api/v1/device-shares").await.body[0]["customer_name"], "Acme");

    // The partner pays from its own locker; the customer sees the plan on its device.
    activate(&app, &mut pat, "RUM-STD-12", 1).await;
    let r = pat.post("/api/v1/subscriptions/assign", json!({"sku": "RUM-STD-12", "device_ids": [c]})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not shared");
    let r = pat.post("/api/v1/subscriptions/assign", json!({"sku": "RUM-STD-12", "device_ids": [a]})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(ann.get(&format!("/api/v1/devices/{a}")).await.body["current"]["tier"], "STD");

    // Sharing is the customer admins' to give and take.
    let r = pat.delete(&format!("/api/v1/device-shares/{share}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = ann.post("/api/v1/device-shares", json!({"partner_org_id": 999_999, "all": true})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "partner_unknown"));
    let r = ann.post("/api/v1/device-shares", json!({"partner_org_id": partner_id})).await;
    assert_eq!(r.code(), "validation");
    let r = pat.post("/api/v1/device-shares", json!({"partner_org_id": partner_id, "all": true})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(ann.delete(&format!("/api/v1/device-shares/{share}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(pat.get("/api/v1/devices").await.body["total"], 0);

    // Sharing all of them includes devices added later.
    let r = ann.post("/api/v1/device-shares", json!({"partner_org_id": partner_id, "all": true})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    add(&mut ann, "D").await;
    assert_eq!(serials(&pat.get("/api/v1/devices").await), ["A", "B", "C", "D"]);
}

#[tokio::test]
async fn a_covered_device_cannot_be_removed() {
    let app = TestApp::new().await;
    let mut ann = signed_up(&app, "customer", "Acme", "ann@acme.example").await;
    let a = add(&mut ann, "A").await;
    activate(&app, &mut ann, "RUM-STD-12", 1).await;
    ann.post("/api/v1/subscriptions/assign", json!({"sku": "RUM-STD-12", "device_ids": [a]})).await;
    let r = ann.delete(&format!("/api/v1/devices/{a}")).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "device_covered"));
}
