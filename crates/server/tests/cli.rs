//! The back-office command line, run as a real process against a real database file.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use std::io::Write;
use std::process::{Command, Stdio};

fn server_cli(data_dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera-server"))
        .args(args)
        .env("TESSERA_DATA_DIR", data_dir)
        .env_remove("TESSERA_DEMO")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[tokio::test]
async fn create_vendor_with_a_password_from_stdin_then_sign_in() {
    let mut app = common::TestApp::new().await;
    let dir = app.state.config.data_dir.clone();
    let (ok, out, err) = server_cli(
        &dir,
        &["admin", "create-vendor", "--org", "Vendor Inc", "--email", "Ops@Vendor.example", "--password-stdin"],
        Some("a-long-vendor-passphrase\n"),
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("ops@vendor.example") && !out.contains("a-long-vendor-passphrase"), "{out}");

    let r = app.login("ops@vendor.example", "a-long-vendor-passphrase").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["organization"]["kind"], "vendor");
    assert_eq!(r.body["organization"]["name"], "Vendor Inc");
    assert_eq!(r.body["role"], "admin");
    assert_eq!(r.body["must_change_password"], false);

    let (ok, _, err) = server_cli(
        &dir,
        &["admin", "create-vendor", "--org", "Again", "--email", "ops@vendor.example", "--password-stdin"],
        Some("a-long-vendor-passphrase\n"),
    );
    assert!(!ok);
    assert!(err.contains("already exists"), "{err}");

    // The name rule of the API, with its words.
    for (org, why) in
        [("  ", "Please enter your company's name."), ("Bad\u{7}Org", "Please remove control characters.")]
    {
        let args = ["admin", "create-vendor", "--org", org, "--email", "new@vendor.example", "--password-stdin"];
        let (ok, _, err) = server_cli(&dir, &args, Some("a-long-vendor-passphrase\n"));
        assert!(!ok && err.contains(&format!("--org: {why}")), "{err}");
    }
}

#[tokio::test]
async fn create_vendor_without_a_password_prints_a_one_time_one() {
    let mut app = common::TestApp::new().await;
    let dir = app.state.config.data_dir.clone();
    let (ok, out, err) =
        server_cli(&dir, &["admin", "create-vendor", "--org", "V", "--email", "v@vendor.example"], None);
    assert!(ok, "{out}{err}");
    let password = out.lines().find_map(|l| l.strip_prefix("One-time password: ")).unwrap().trim().to_string();
    let r = app.login("v@vendor.example", &password).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["must_change_password"], true);

    let (ok, _, err) = server_cli(
        &dir,
        &["admin", "create-vendor", "--org", "W", "--email", "w@x", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!ok && err.contains("email"), "{err}");
    let (ok, _, err) = server_cli(
        &dir,
        &["admin", "create-vendor", "--org", "W", "--email", "w@x.example", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!ok && err.contains("10 characters"), "{err}");
}

#[tokio::test]
async fn mail_list_and_show_read_the_outbox() {
    let mut app = common::TestApp::new().await;
    app.register("customer", "Acme", "ann@acme.example").await;
    app.invite("new@acme.example").await;
    let dir = app.state.config.data_dir.clone();
    let (ok, out, _) = server_cli(&dir, &["mail", "list"], None);
    assert!(ok);
    assert!(out.contains("new@acme.example") && out.contains("queued"), "{out}");
    let id = app.state.db.list_mail(1).await.unwrap()[0].id.to_string();
    let (ok, out, _) = server_cli(&dir, &["mail", "show", &id], None);
    assert!(ok);
    assert!(out.contains("/invite/accept?token="), "{out}");
    let (ok, _, err) = server_cli(&dir, &["mail", "show", "999999"], None);
    assert!(!ok && err.contains("no mail"), "{err}");
}

#[tokio::test]
async fn vouchers_issue_prints_only_the_codes_which_then_redeem() {
    let mut app = common::TestApp::new().await;
    let dir = app.state.config.data_dir.clone();
    let args =
        ["vouchers", "issue", "--sku", "rum-adv-36", "--quantity", "10", "--count", "3", "--email", "i@acme.example"];
    let (ok, out, err) = server_cli(&dir, &args, None);
    assert!(ok, "{out}{err}");
    let codes: Vec<&str> = out.lines().collect();
    assert_eq!(codes.len(), 3, "one code per line and nothing else: {out:?}");
    for code in &codes {
        assert!(tessera_domain::code::Code::parse(code).is_ok(), "{code}");
    }
    let mails = app.state.db.list_mail(10).await.unwrap();
    assert!(mails.iter().any(|m| m.kind == "vouchers" && m.to == "i@acme.example" && m.text.contains(codes[2])));

    app.register("customer", "Acme", "ann@acme.example").await;
    let r = app.post("/api/v1/locker/redeem", serde_json::json!({ "code": codes[0] })).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!((r.body["sku"].as_str(), r.body["added_device_months"].as_u64()), (Some("RUM-ADV-36"), Some(360)));

    for (args, why) in [
        (vec!["vouchers", "issue", "--sku", "NOPE-1", "--quantity", "1"], "no SKU \"NOPE-1\""),
        (vec!["vouchers", "issue", "--sku", "MON-STD-12", "--quantity", "0"], "--quantity"),
        (vec!["vouchers", "issue", "--sku", "MON-STD-12", "--quantity", "1", "--expires", "2020-01-01"], "--expires"),
        (vec!["vouchers", "issue", "--sku", "MON-STD-12", "--quantity", "1", "--expires", "tomorrow"], "--expires"),
    ] {
        let (ok, out, err) = server_cli(&dir, &args, None);
        assert!(!ok && out.is_empty(), "{args:?}: {out}");
        assert!(err.contains(why), "{args:?}: {err}");
    }
}

#[tokio::test]
async fn license_verify_checks_a_downloaded_file_offline() {
    let mut app = common::TestApp::new().await;
    let dir = app.state.config.data_dir.clone();
    let mut ops = common::vendor(&app).await;
    let code = common::issue(&mut ops, serde_json::json!({"sku": "MON-STD-12", "quantity": 2})).await.remove(0);
    app.register("customer", "Acme", "ann@acme.example").await;
    assert_eq!(app.post("/api/v1/locker/redeem", serde_json::json!({ "code": code })).await.status, StatusCode::OK);
    let body = serde_json::json!({"product": "MON", "tier": "STD", "term_months": 12, "quantity": 2,
        "installer_email": "ann@acme.example"});
    let id = app.post("/api/v1/licenses", body).await.body["id"].as_i64().unwrap();
    let file = app.get(&format!("/api/v1/licenses/{id}/file")).await.body;
    let path = dir.join("license.json");
    std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    let file_arg = path.to_str().unwrap();

    // With the server's own key (the default), and with the served public key.
    let (ok, out, err) = server_cli(&dir, &["license", "verify", file_arg], None);
    assert!(ok, "{out}{err}");
    assert!(out.starts_with("VALID") && out.contains(file["activation_id"].as_str().unwrap()), "{out}");
    let pem = app.get("/api/v1/license-key").await.body["pem"].as_str().unwrap().to_string();
    let key = dir.join("public.pem");
    std::fs::write(&key, pem).unwrap();
    let (ok, out, err) = server_cli(&dir, &["license", "verify", file_arg, "--key", key.to_str().unwrap()], None);
    assert!(ok, "{out}{err}");

    // One changed value, and it no longer verifies.
    let mut forged = file.clone();
    forged["quantity"] = serde_json::json!(200);
    std::fs::write(&path, forged.to_string()).unwrap();
    let (ok, out, err) = server_cli(&dir, &["license", "verify", file_arg], None);
    assert!(!ok && out.is_empty(), "{out}");
    assert!(err.contains("INVALID") && err.contains("does not match"), "{err}");
}

#[tokio::test]
async fn the_command_line_keeps_to_the_dev_clock_of_tessera_today() {
    let app = common::TestApp::new().await;
    let dir = app.state.config.data_dir.clone();
    let run = |envs: &[(&str, &str)]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tessera-server"))
            .args(["vouchers", "issue", "--sku", "MON-STD-12", "--quantity", "1", "--expires", "2020-01-02"])
            .env("TESSERA_DATA_DIR", &dir)
            .env_remove("TESSERA_DEMO")
            .env_remove("TESSERA_DEV")
            .env_remove("TESSERA_TODAY")
            .envs(envs.iter().copied())
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    // A voucher that expires in 2020 can only be issued on a day before that.
    let (ok, err) = run(&[]);
    assert!(!ok && err.contains("--expires"), "{err}");
    let (ok, err) = run(&[("TESSERA_DEV", "1"), ("TESSERA_TODAY", "2020-01-01")]);
    assert!(ok, "{err}");
    let (ok, err) = run(&[("TESSERA_TODAY", "2020-01-01")]);
    assert!(!ok && err.contains("TESSERA_DEV"), "only in dev mode: {err}");
}

#[tokio::test]
async fn demo_large_fills_a_throw_away_database_with_a_big_customer() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = server_cli(dir.path(), &["demo", "large", "--devices", "1200"], None);
    assert!(ok, "{out}{err}");
    assert!(out.starts_with("1200 devices for big@large-customer.example"), "{out}");
    let (ok, _, err) = server_cli(dir.path(), &["demo", "large", "--devices", "10"], None);
    assert!(!ok && err.contains("not empty"), "only into an empty database: {err}");

    let mut app = common::TestApp::with_config(|c| c.data_dir = dir.path().to_path_buf()).await;
    let r = app.login(tessera_server::demo::LARGE_EMAIL, tessera_server::demo::DEMO_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
    let devices = app.get("/api/v1/devices").await.body;
    assert_eq!(devices["total"], 1200);
    let renewals = app.get("/api/v1/renewals").await.body;
    let counts = &renewals["counts"];
    let sum: u64 =
        ["active", "expiring", "grace", "expired", "scheduled"].iter().map(|k| counts[k].as_u64().unwrap()).sum();
    assert_eq!(sum, 1200, "one RUM row per device");
    assert!(counts["active"].as_u64().unwrap() > 0 && counts["expired"].as_u64().unwrap() > 0, "{counts}");
}

#[tokio::test]
async fn orders_are_listed_and_fulfilled_once_from_the_command_line() {
    let app = common::TestApp::new().await;
    let dir = app.state.config.data_dir.clone();
    let mut ann = app.other_browser();
    ann.register("customer", "Acme", "ann@acme.example").await;
    let mut pat = app.other_browser();
    pat.register("partner", "Brightline", "pat@brightline.example").await;
    let partner = pat.get("/api/v1/me").await.body["organization"]["id"].as_i64().unwrap();
    let device = ann.post("/api/v1/devices", serde_json::json!({"serial": "AS1"})).await.body["id"].as_i64().unwrap();
    ann.post("/api/v1/device-shares", serde_json::json!({"partner_org_id": partner, "device_ids": [device]})).await;
    let customer = ann.get("/api/v1/me").await.body["organization"]["id"].as_i64().unwrap();
    let valid_until = (app.state.clock.today() + chrono::Duration::days(30)).to_string();
    let body = serde_json::json!({"customer_org_id": customer, "valid_until": valid_until,
        "lines": [{"sku": "RUM-STD-12", "quantity": 3}]});
    let id = pat.post("/api/v1/quotes", body).await.body["id"].as_i64().unwrap();
    pat.post(&format!("/api/v1/quotes/{id}/send"), serde_json::json!({})).await;
    let r = ann
        .post(&format!("/api/v1/quotes/{id}/accept"), serde_json::json!({"installer_email": "i@acme.example"}))
        .await;
    let order = r.body["order_id"].as_i64().unwrap().to_string();

    let (ok, out, err) = server_cli(&dir, &["orders", "list"], None);
    assert!(ok && out.contains("open") && out.contains("Acme"), "{out}{err}");
    let (ok, out, err) = server_cli(&dir, &["orders", "fulfil", &order], None);
    assert!(ok && out.contains("i@acme.example"), "{out}{err}");
    let (ok, _, err) = server_cli(&dir, &["orders", "fulfil", &order], None);
    assert!(!ok && err.contains("order_fulfilled"), "once: {err}");
    assert_eq!(app.state.db.order_voucher_count(order.parse().unwrap()).await.unwrap(), 1);
}
