//! The renewals dashboard, its report and its notices (issue 14), through the real router and
//! SQLite, on a fixed clock.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{issue, vendor, TestApp};
use serde_json::{json, Value};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn ops(app: &TestApp) -> TestApp {
    let mut ops = app.other_browser();
    if ops.login("ops@vendor.example", common::PASSWORD).await.status == StatusCode::OK {
        return ops;
    }
    vendor(app).await
}

async fn credit(app: &TestApp, who: &mut TestApp, sku: &str, quantity: u32) {
    let mut ops = ops(app).await;
    let code = issue(&mut ops, json!({"sku": sku, "quantity": quantity})).await.remove(0);
    assert_eq!(who.post("/api/v1/locker/redeem", json!({ "code": code })).await.status, StatusCode::OK);
}

async fn license(who: &mut TestApp, product: &str, term: u32, quantity: u32) -> i64 {
    let body = json!({"product": product, "tier": "STD", "term_months": term, "quantity": quantity,
        "installer_email": "i@acme.example"});
    let r = who.post("/api/v1/licenses", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

async fn relogin(who: &mut TestApp, email: &str) {
    assert_eq!(who.login(email, common::PASSWORD).await.status, StatusCode::OK);
}

/// Acme's licenses, started on different days so that on 2026-03-10 they are in every status.
async fn acme(app: &TestApp) -> TestApp {
    let mut ann = app.other_browser();
    app.state.clock.set_today(d(2025, 1, 1));
    assert_eq!(ann.register("customer", "Acme", "ann@acme.example").await.status, StatusCode::CREATED);
    credit(app, &mut ann, "MON-STD-12", 10).await;
    credit(app, &mut ann, "PCA-STD-12", 1).await;
    credit(app, &mut ann, "NMC-STD-12", 1).await;
    license(&mut ann, "MON", 12, 1).await; // ends 2026-01-01: expired (30 days of grace) on 2026-03-10
    app.state.clock.set_today(d(2025, 2, 15));
    relogin(&mut ann, "ann@acme.example").await;
    license(&mut ann, "PCA", 12, 1).await; // ends 2026-02-15: grace (60 days)
    app.state.clock.set_today(d(2025, 3, 20));
    relogin(&mut ann, "ann@acme.example").await;
    license(&mut ann, "NMC", 12, 1).await; // ends 2026-03-20: expiring (10 days)
    app.state.clock.set_today(d(2025, 9, 1));
    relogin(&mut ann, "ann@acme.example").await;
    license(&mut ann, "MON", 12, 2).await; // ends 2026-09-01: active
    app.state.clock.set_today(d(2026, 3, 10));
    relogin(&mut ann, "ann@acme.example").await;
    ann
}

#[tokio::test]
async fn counts_and_order_on_a_fixed_clock() {
    let app = TestApp::new().await;
    let mut ann = acme(&app).await;
    let r = ann.get("/api/v1/renewals").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["counts"], json!({"active": 1, "expiring": 1, "grace": 1, "expired": 1, "scheduled": 0}));
    let order: Vec<(&str, &str)> = r.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["product"].as_str().unwrap(), row["status"].as_str().unwrap()))
        .collect();
    assert_eq!(order, [("PCA", "grace"), ("NMC", "expiring"), ("MON", "active"), ("MON", "expired")]);
    let nmc = &r.body["rows"][1];
    assert_eq!(
        (nmc["days_left"].as_i64(), nmc["kind"].as_str(), nmc["serial"].clone()),
        (Some(10), Some("license"), Value::Null)
    );
    assert_eq!(nmc["customer"], "Acme");
    let expired_nmc_renewable = &r.body["rows"][3]["renewable"];
    assert_eq!(expired_nmc_renewable, true, "MON is renewed after expiry");

    let only = ann.get("/api/v1/renewals?status=expiring,grace").await;
    assert_eq!(only.body["rows"].as_array().unwrap().len(), 2);
    assert_eq!(only.body["counts"]["active"], 1, "counts before the status filter");
    let pca = ann.get("/api/v1/renewals?product=PCA").await;
    assert_eq!(pca.body["counts"], json!({"active": 0, "expiring": 0, "grace": 1, "expired": 0, "scheduled": 0}));
    let r = ann.get("/api/v1/renewals?status=soon").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation"));
    let r = ann.get("/api/v1/renewals?q=%22open").await;
    assert_eq!(r.code(), "search_invalid");

    // Past its grace, the card subscription that is not renewed after expiry says so.
    app.state.clock.set_today(d(2026, 3, 25));
    relogin(&mut ann, "ann@acme.example").await;
    let r = ann.get("/api/v1/renewals?product=NMC").await;
    assert_eq!(r.body["rows"][0]["renewable"], false);
    assert!(r.body["rows"][0]["not_renewable_because"].as_str().unwrap().contains("new license"));
}

#[tokio::test]
async fn devices_are_rows_and_a_partner_sees_only_shared_ones() {
    let app = TestApp::new().await;
    app.state.clock.set_today(d(2026, 1, 1));
    let mut ann = app.other_browser();
    ann.register("customer", "Acme", "ann@acme.example").await;
    let mut pat = app.other_browser();
    pat.register("partner", "Brightline", "pat@brightline.example").await;
    let partner_id = pat.get("/api/v1/me").await.body["organization"]["id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for (serial, name) in [("AS1", "=HYPERLINK(\"http://x\")"), ("AS2", "UPS 2"), ("AS3", "UPS 3")] {
        let r = ann.post("/api/v1/devices", json!({"serial": serial, "name": name, "site": "Paris"})).await;
        ids.push(r.body["id"].as_i64().unwrap());
    }
    credit(&app, &mut ann, "RUM-STD-12", 2).await;
    let r =
        ann.post("/api/v1/subscriptions/assign", json!({"sku": "RUM-STD-12", "device_ids": [ids[0], ids[1]]})).await;
    assert_eq!(r.status, StatusCode::OK);
    ann.post("/api/v1/device-shares", json!({"partner_org_id": partner_id, "device_ids": [ids[0]]})).await;

    let rows = ann.get("/api/v1/renewals").await.body["rows"].clone();
    assert_eq!(rows.as_array().unwrap().len(), 2, "the device without a plan has nothing to renew");
    assert_eq!(rows[0]["kind"], "device");
    assert_eq!((rows[0]["expires_on"].as_str(), rows[0]["site"].as_str()), (Some("2027-01-01"), Some("Paris")));

    let seen = pat.get("/api/v1/renewals").await.body;
    assert_eq!(seen["rows"].as_array().unwrap().len(), 1);
    assert_eq!((seen["rows"][0]["serial"].as_str(), seen["rows"][0]["customer"].as_str()), (Some("AS1"), Some("Acme")));

    // The report: the exact header, one line per row, the formula-looking name neutralized.
    let report = pat.get("/api/v1/renewals/report.csv").await;
    assert_eq!(report.status, StatusCode::OK);
    let disposition = report.headers["content-disposition"].to_str().unwrap();
    assert_eq!(disposition, "attachment; filename=\"renewals-2026-01-01.csv\"");
    let text = report.body.as_str().unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "kind,customer,product,tier,quantity,activation_id,serial,device_name,site,starts_on,expires_on,days_left,status,battery_replace_by,warranty_expires_on"
    );
    assert_eq!(lines.len(), 2);
    assert!(
        lines[1].starts_with(
            "device,Acme,RUM,STD,1,,AS1,\"'=HYPERLINK(\"\"http://x\"\")\",Paris,2026-01-01,2027-01-01,365,active,,"
        ),
        "{}",
        lines[1]
    );
}

async fn notices_run(app: &TestApp) -> (u64, u64) {
    let r = app.other_browser().post("/api/v1/dev/jobs/renewal-notices", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    (r.body["items"].as_u64().unwrap(), r.body["mails"].as_u64().unwrap())
}

async fn notice_mails(app: &TestApp) -> Vec<(String, String, String)> {
    let mails = app.state.db.list_mail(1000).await.unwrap();
    mails.into_iter().filter(|m| m.kind == "renewal_notice").map(|m| (m.to, m.subject, m.text)).collect()
}

#[tokio::test]
async fn each_notice_goes_out_once_also_after_a_restart_and_a_jump_sends_the_nearest() {
    let app = TestApp::with_config(|c| c.dev = true).await;
    app.state.clock.set_today(d(2025, 1, 1));
    let mut ann = app.other_browser();
    ann.register("customer", "Acme", "ann@acme.example").await;
    credit(&app, &mut ann, "MON-STD-12", 2).await;
    license(&mut ann, "MON", 12, 1).await; // expires 2026-01-01
                                           // A co-worker admin who turned notices off, and a reseller who gets them too.
    let mut pat = app.other_browser();
    pat.register("partner", "Brightline", "pat@brightline.example").await;
    let partner_id = pat.get("/api/v1/me").await.body["organization"]["id"].as_i64().unwrap();
    let r = ann.send(Method::PUT, "/api/v1/organization/reseller", json!({"partner_org_id": partner_id})).await;
    assert_eq!((r.status, r.body["partner_name"].as_str()), (StatusCode::OK, Some("Brightline")), "{:?}", r.body);
    let r = pat.send(Method::PUT, "/api/v1/me/renewal-notices", json!({"enabled": false})).await;
    assert_eq!(r.status, StatusCode::OK);
    pat.send(Method::PUT, "/api/v1/me/renewal-notices", json!({"enabled": true})).await;

    assert_eq!(notices_run(&app).await, (0, 0), "a year ahead: nothing due");
    app.state.clock.set_today(d(2025, 12, 2)); // 30 days before
    assert_eq!(notices_run(&app).await, (1, 2), "the 30-day notice (60 was skipped over), to Ann and the reseller");
    assert_eq!(notices_run(&app).await, (0, 0), "the same run again sends nothing");
    let mails = notice_mails(&app).await;
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].1, "Renewal notice: 1 items expire soon");
    assert!(mails.iter().any(|m| m.0 == "pat@brightline.example"));
    assert!(mails[0].2.contains("expires on 2026-01-01 (30 days left)"), "{}", mails[0].2);
    for (to, _, text) in &mails {
        let reseller = to == "pat@brightline.example";
        assert_eq!(text.contains("chose your organization as its reseller"), reseller, "{to}: {text}");
        assert_eq!(text.contains("You get this notice as an admin"), !reseller, "{to}: {text}");
    }

    // A restarted server (a new process on the same database) sends nothing new.
    let config = (*app.state.config).clone();
    let db = tessera_server::storage::Db::open(&config.database_path()).await.unwrap();
    let restarted = tessera_server::state::AppState { db, ..app.state.clone() };
    let run = tessera_server::notices::run_once(&restarted).await.unwrap();
    assert_eq!((run.items, run.mails), (0, 0));

    // A second license: the clock jumps from 90 days before its expiry straight to 7 days.
    app.state.clock.set_today(d(2025, 12, 2));
    relogin(&mut ann, "ann@acme.example").await;
    credit(&app, &mut ann, "MON-STD-12", 1).await;
    license(&mut ann, "MON", 12, 1).await; // expires 2026-12-02
    app.state.clock.set_today(d(2026, 11, 25));
    let (items, _) = notices_run(&app).await;
    assert_eq!(items, 1);
    let newest = notice_mails(&app).await.into_iter().next().unwrap();
    assert!(newest.2.contains("(7 days left)"), "only the nearest threshold: {}", newest.2);
    assert_eq!(notices_run(&app).await, (0, 0));
    let thresholds: Vec<i64> =
        sqlx::query_scalar("SELECT threshold FROM renewal_notices ORDER BY sent_at, threshold DESC")
            .fetch_all(
                &sqlx::SqlitePool::connect(&format!("sqlite://{}", config.database_path().display())).await.unwrap(),
            )
            .await
            .unwrap();
    assert_eq!(thresholds, [30, 7], "the first license, long expired by then, is not noticed again");
}
