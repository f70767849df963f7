//! The demo data of `cargo xtask run`: accounts that sign in, a locker with credits, and
//! voucher codes left to redeem (printed at start).
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use serde_json::json;
use tessera_server::demo::{self, demo_code, DEMO_PASSWORD, VOUCHERS};

#[tokio::test]
async fn the_demo_customer_has_credits_and_codes_to_redeem() {
    let mut app = common::TestApp::new().await;
    demo::seed_if_empty(&app.state).await.unwrap();
    demo::seed_if_empty(&app.state).await.unwrap();
    let r = app.login("alice@northwind.example", DEMO_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);

    let locker = app.get("/api/v1/locker").await.body;
    let skus: Vec<_> = locker["balances"].as_array().unwrap().iter().map(|b| b["sku"].clone()).collect();
    assert_eq!(skus, vec![json!("MON-ADV-36"), json!("POP-ESS-ADV-MO"), json!("RUM-STD-12")], "seeded once");

    // Licenses in every status a customer meets, each paid from a redeemed voucher.
    let licenses = app.get("/api/v1/licenses").await.body;
    let mut statuses: Vec<&str> =
        licenses["licenses"].as_array().unwrap().iter().map(|l| l["status"].as_str().unwrap()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["active", "expired", "expiring", "grace"]);

    // Devices across sites, most of them covered, the Lyon plant's shared with the partner.
    let devices = app.get("/api/v1/devices").await.body;
    assert_eq!(devices["total"], demo::DEVICES);
    let list = devices["devices"].as_array().unwrap();
    let covered = list.iter().filter(|d| !d["current"].is_null()).count();
    assert!(covered > 150 && covered < 210, "{covered} covered today");
    assert!(list.iter().any(|d| d["current"]["tier"] == "ADV"));
    let mut paula = app.other_browser();
    assert_eq!(paula.login("paula@brightline.example", DEMO_PASSWORD).await.status, StatusCode::OK);
    let shared = paula.get("/api/v1/devices").await.body;
    assert_eq!(shared["total"], 42);
    assert!(shared["devices"].as_array().unwrap().iter().all(|d| d["site"] == demo::SHARED_SITE));

    let help = demo::sign_in_help("http://localhost:8080");
    let unredeemed: Vec<usize> = (1..=VOUCHERS.len()).filter(|n| !VOUCHERS[n - 1].2).collect();
    for n in &unredeemed {
        assert!(help.contains(&demo_code(*n).unwrap().grouped()), "{help}");
    }
    let first = demo_code(unredeemed[0]).unwrap().grouped();
    let r = app.post("/api/v1/locker/redeem", json!({ "code": first })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let used = demo_code(1).unwrap().grouped();
    assert!(!help.contains(&used), "redeemed demo codes are not offered");
    let r = app.post("/api/v1/locker/redeem", json!({ "code": used })).await;
    assert_eq!(r.code(), "code_already_redeemed");
}
