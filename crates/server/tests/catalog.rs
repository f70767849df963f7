//! `GET /api/v1/catalog` (SPEC §2): the built-in catalog, a file that replaces it, and a
//! file the server refuses to start with.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use tessera_server::config::Config;
use tessera_server::startup::Application;

/// Every SKU of SPEC §2's table.
fn spec_skus() -> BTreeSet<String> {
    let mut skus = BTreeSet::new();
    for (product, tiers) in [
        ("MON", &["STD", "ADV"][..]),
        ("DCM", &["STD"]),
        ("NMC", &["STD"]),
        ("PCA", &["STD"]),
        ("RUM", &["STD", "ADV"]),
        ("POP", &["ESS", "ADV"]),
    ] {
        for tier in tiers {
            for term in [12, 36, 60] {
                skus.insert(format!("{product}-{tier}-{term}"));
            }
        }
    }
    skus.insert("POP-ESS-ADV-MO".into());
    skus.insert("POP-ADDON-REMOTE-MO".into());
    skus
}

fn find<'a>(list: &'a Value, field: &str, value: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|item| item[field] == value).unwrap_or_else(|| panic!("no {value}"))
}

const CUSTOM: &str = r#"
[[products]]
key = "LAB"
name = "Lab Kit"
model = "license"
terms = [12]
grace_days = 7
renew_after_expiry = true
tiers = [{ key = "STD", name = "Standard", rank = 1 }]

[[skus]]
code = "LAB-STD-12"
product = "LAB"
name = "Lab Kit Standard, 1 year"
kind = "plan"
unit = "term"
tier = "STD"
term_months = 12
list_price = { amount_minor = 990, currency = "CHF" }

[[export_templates]]
name = "generic"
columns = ["sku", "quantity"]

[[export_templates]]
name = "distributor"
columns = ["sku", "quantity"]

[[export_templates]]
name = "erp"
columns = ["sku", "quantity"]
"#;

/// `CUSTOM` with four mistakes.
fn invalid() -> String {
    CUSTOM
        .replace("product = \"LAB\"", "product = \"XYZ\"")
        .replace("amount_minor = 990", "amount_minor = 0")
        .replace("name = \"erp\"", "name = \"sap\"")
        + "\n[[promotions]]\nkey = \"LAB-LATE\"\nname = \"Late\"\nskus = [\"LAB-STD-12\"]\n\
          valid_from = 2026-01-01\nvalid_to = 2025-01-01\nbonus_months = 1\n"
}

const INVALID_PROBLEMS: [&str; 5] = [
    "SKU LAB-STD-12 has a list price of 0; a price is a positive number of minor units (cents).",
    "SKU LAB-STD-12 names product XYZ, which is not in the catalog.",
    "Product LAB offers STD for 12 months, but no SKU LAB-STD-12 sells it.",
    "Promotion LAB-LATE runs from 2026-01-01 to 2025-01-01: its start is after its end.",
    "The export template erp is missing; every catalog has generic, distributor and erp.",
];

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `TESSERA_CATALOG=path`, read as the server reads its environment.
fn catalog_env(path: &Path) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| (name == "TESSERA_CATALOG").then(|| path.display().to_string())
}

#[tokio::test]
async fn a_signed_in_person_gets_the_six_products_and_every_spec_sku() {
    let mut app = common::TestApp::new().await;
    app.register("customer", "Acme", "ada@example.com").await;
    let r = app.get("/api/v1/catalog").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let keys: Vec<&str> = r.body["products"].as_array().unwrap().iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["MON", "DCM", "NMC", "PCA", "RUM", "POP"]);
    let skus: BTreeSet<String> =
        r.body["skus"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(skus, spec_skus());

    let products = &r.body["products"];
    let nmc = find(products, "key", "NMC");
    assert_eq!((nmc["renew_after_expiry"].as_bool(), nmc["grace_days"].as_u64()), (Some(false), Some(0)));
    assert_eq!(find(products, "key", "PCA")["grace_days"], 60);
    assert_eq!(find(products, "key", "MON")["renew_after_expiry"], true);
    assert_eq!(find(products, "key", "DCM")["prorated_increase"], true);
    assert_eq!(find(products, "key", "RUM")["model"], "device_subscription");
    let pop = find(products, "key", "POP");
    let ranks: Vec<(&str, u64)> = pop["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["key"].as_str().unwrap(), t["rank"].as_u64().unwrap()))
        .collect();
    assert_eq!(ranks, [("ESS", 1), ("ADV", 2)]);

    let all = &r.body["skus"];
    let amendment = find(all, "code", "POP-ESS-ADV-MO");
    assert_eq!((&amendment["kind"], &amendment["unit"]), (&"amendment".into(), &"month".into()));
    assert_eq!((&amendment["from_tier"], &amendment["to_tier"]), (&"ESS".into(), &"ADV".into()));
    assert_eq!(find(all, "code", "POP-ADDON-REMOTE-MO")["kind"], "add_on");
    let plan = find(all, "code", "RUM-ADV-36");
    assert_eq!((&plan["product"], &plan["tier"], &plan["term_months"]), (&"RUM".into(), &"ADV".into(), &36.into()));
    for sku in all.as_array().unwrap() {
        assert_eq!(sku["list_price"]["currency"], "EUR", "{sku}");
        assert!(sku["list_price"]["amount_minor"].as_i64().unwrap() > 0, "{sku}");
    }

    let promotions = &r.body["promotions"];
    let free: Vec<&Value> =
        promotions.as_array().unwrap().iter().filter(|p| p["free_units"].as_u64().unwrap_or(0) > 0).collect();
    assert_eq!(free.len(), 1);
    assert_eq!(free[0]["skus"], serde_json::json!(["RUM-ADV-12", "RUM-ADV-36"]));
    assert_eq!((free[0]["free_units"].as_u64(), free[0]["free_units_per"].as_u64()), (Some(1), Some(10)));
    let bonus = find(promotions, "key", "RUM-ADV-36-BONUS");
    assert_eq!((&bonus["skus"], &bonus["bonus_months"]), (&serde_json::json!(["RUM-ADV-36"]), &3.into()));
    for p in promotions.as_array().unwrap() {
        assert_eq!((&p["valid_from"], &p["valid_to"]), (&"2025-01-01".into(), &"2030-12-31".into()));
    }

    let templates: Vec<&str> =
        r.body["export_templates"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(templates, ["generic", "distributor", "erp"]);
}

/// Longer terms are cheaper per month, for every product and tier of the built-in catalog.
#[tokio::test]
async fn longer_terms_cost_less_per_month() {
    let catalog = tessera_server::catalog::load(None).unwrap();
    for product in &catalog.products {
        for tier in &product.tiers {
            let per_month: Vec<f64> = [12, 36, 60]
                .iter()
                .map(|&term| {
                    let sku = catalog.plan_sku(&product.key, &tier.key, term).unwrap();
                    sku.list_price.amount_minor as f64 / f64::from(term)
                })
                .collect();
            assert!(
                per_month[0] > per_month[1] && per_month[1] > per_month[2],
                "{} {}: {per_month:?}",
                product.key,
                tier.key
            );
        }
    }
}

#[tokio::test]
async fn nobody_signed_in_gets_401() {
    let mut app = common::TestApp::new().await;
    let r = app.get("/api/v1/catalog").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"));
}

#[tokio::test]
async fn tessera_catalog_replaces_the_built_in_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "custom.toml", CUSTOM);
    let mut app = common::TestApp::with_config(|c| c.apply_env(catalog_env(&path)).unwrap()).await;
    assert_eq!(app.state.config.catalog.as_deref(), Some(path.as_path()));
    app.register("partner", "Resell", "rita@example.com").await;
    let r = app.get("/api/v1/catalog").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["products"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["products"][0]["key"], "LAB");
    assert_eq!(r.body["skus"][0]["list_price"], serde_json::json!({"amount_minor": 990, "currency": "CHF"}));
    assert_eq!(r.body["promotions"], serde_json::json!([]));
}

#[tokio::test]
async fn an_invalid_catalog_stops_the_start_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "broken.toml", &invalid());
    let mut config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().join("data"),
        static_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.apply_env(catalog_env(&path)).unwrap();
    let e = Application::build(config).await.err().expect("refused").to_string();
    assert!(e.starts_with(&format!("the catalog {} cannot be used (5 problems):", path.display())), "{e}");
    for problem in INVALID_PROBLEMS {
        assert!(e.contains(&format!("\n  - {problem}")), "{problem} is not in:\n{e}");
    }
    assert!(!dir.path().join("data").join("tessera.db").exists(), "refused before the database was opened");

    let missing = dir.path().join("nowhere.toml");
    let e = tessera_server::catalog::load(Some(&missing)).unwrap_err();
    assert_eq!(e.problems.len(), 1);
    assert!(e.problems[0].starts_with("cannot read it: "), "{e}");
}

#[test]
fn the_server_binary_refuses_to_start_and_lists_the_problems() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "broken.toml", &invalid());
    let out = Command::new(env!("CARGO_BIN_EXE_tessera-server"))
        .arg("serve")
        .env("TESSERA_DATA_DIR", dir.path())
        .env("TESSERA_STATIC_DIR", dir.path())
        .env("TESSERA_ADDR", "127.0.0.1:0")
        .env("TESSERA_CATALOG", &path)
        .env_remove("TESSERA_DEMO")
        .env_remove("TESSERA_DEV")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for problem in INVALID_PROBLEMS {
        assert!(stderr.contains(problem), "{problem} is not in:\n{stderr}");
    }
    assert!(!dir.path().join("tessera.db").exists());
}
