//! Quotes, orders and fulfilment (issue 15) through the real router and SQLite: pricing,
//! every state change allowed and refused, expiry, fulfilment once, the bills of materials,
//! and who may see what.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{vendor, TestApp};
use serde_json::{json, Value};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

struct World {
    ann: TestApp,
    pat: TestApp,
    customer_org: i64,
}

/// A customer (Ann, Acme) sharing a device with a partner (Pat, Brightline), on 2026-01-10.
async fn world(app: &TestApp) -> World {
    app.state.clock.set_today(d(2026, 1, 10));
    let mut ann = app.other_browser();
    assert_eq!(ann.register("customer", "Acme", "ann@acme.example").await.status, StatusCode::CREATED);
    let mut pat = app.other_browser();
    assert_eq!(pat.register("partner", "Brightline", "pat@brightline.example").await.status, StatusCode::CREATED);
    let partner = pat.get("/api/v1/me").await.body["organization"]["id"].as_i64().unwrap();
    let customer_org = ann.get("/api/v1/me").await.body["organization"]["id"].as_i64().unwrap();
    let device = ann.post("/api/v1/devices", json!({"serial": "AS1"})).await.body["id"].as_i64().unwrap();
    let r = ann.post("/api/v1/device-shares", json!({"partner_org_id": partner, "device_ids": [device]})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    World { ann, pat, customer_org }
}

fn quote_body(customer_org: i64) -> Value {
    json!({"customer_org_id": customer_org, "valid_until": "2026-02-10", "notes": "Renewal of the Paris site",
           "lines": [{"sku": "RUM-ADV-36", "quantity": 25, "discount_percent": 12.5}, {"sku": "MON-STD-12", "quantity": 2}]})
}

#[tokio::test]
async fn the_option_matrix_prices_every_term_and_tier() {
    let app = TestApp::new().await;
    let mut w = world(&app).await;
    let r = w.pat.get("/api/v1/quotes/options?sku_family=RUM&quantity=25&starts_on=2026-01-10").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let options = r.body["options"].as_array().unwrap();
    assert_eq!(options.len(), 6);
    assert_eq!(options.iter().filter(|o| o["best_value"] == true).count(), 1);
    let adv36 = options.iter().find(|o| o["sku"] == "RUM-ADV-36").unwrap();
    assert_eq!((adv36["free_units"].as_u64(), adv36["bonus_months"].as_u64()), (Some(2), Some(3)));
    assert_eq!(adv36["list_total"], 810_000);
    let r = w.pat.get("/api/v1/quotes/options?sku_family=NOPE&quantity=1").await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "sku_unknown"));
}

#[tokio::test]
async fn a_quote_goes_from_draft_to_sent_to_accepted_and_the_order_is_fulfilled_once() {
    let app = TestApp::new().await;
    let mut w = world(&app).await;
    // Only partners quote, and only for customers that share devices with them.
    assert_eq!(w.ann.post("/api/v1/quotes", quote_body(w.customer_org)).await.status, StatusCode::FORBIDDEN);
    let r = w.pat.post("/api/v1/quotes", quote_body(999_999)).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "customer_unknown"));
    let r = w.pat.post("/api/v1/quotes", quote_body(w.customer_org)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let q = r.body.clone();
    let id = q["id"].as_i64().unwrap();
    assert_eq!(
        (q["state"].as_str(), q["customer"].as_str(), q["partner"].as_str()),
        (Some("draft"), Some("Acme"), Some("Brightline"))
    );
    assert_eq!(q["lines"][0]["total"], 708_750, "worked example A");
    assert_eq!(q["lines"][0]["promotion"].as_str().map(|p| !p.is_empty()), Some(true));
    assert_eq!(q["total"], 708_750 + 2 * q["lines"][1]["unit_price"].as_i64().unwrap());
    assert!(q["number"].as_str().unwrap().starts_with("Q-2026-"));

    // A draft is the partner's: the customer does not see it yet.
    assert_eq!(w.ann.get(&format!("/api/v1/quotes/{id}")).await.status, StatusCode::NOT_FOUND);
    let r = w.pat.send(Method::PATCH, &format!("/api/v1/quotes/{id}"), json!({"notes": "Paris and Lyon"})).await;
    assert_eq!((r.status, r.body["notes"].as_str()), (StatusCode::OK, Some("Paris and Lyon")));

    let r = w.pat.post(&format!("/api/v1/quotes/{id}/send"), json!({})).await;
    assert_eq!((r.status, r.body["state"].as_str()), (StatusCode::OK, Some("sent")), "{:?}", r.body);
    assert_eq!(r.body["sent_on"], "2026-01-10");
    let mails = app.state.db.list_mail(100).await.unwrap();
    assert!(mails.iter().any(|m| m.kind == "quote_sent" && m.to == "ann@acme.example"));
    let r = w.pat.send(Method::PATCH, &format!("/api/v1/quotes/{id}"), json!({"notes": "x"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "quote_state"));
    let r = w.pat.post(&format!("/api/v1/quotes/{id}/send"), json!({})).await;
    assert_eq!(r.code(), "quote_state");

    // The customer sees it and accepts; the partner cannot accept its own quote.
    let list = w.ann.get("/api/v1/quotes").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let r = w.pat.post(&format!("/api/v1/quotes/{id}/accept"), json!({"installer_email": "i@acme.example"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.ann.post(&format!("/api/v1/quotes/{id}/accept"), json!({"installer_email": "nope"})).await;
    assert_eq!(r.code(), "email_invalid");
    let r =
        w.ann.post(&format!("/api/v1/quotes/{id}/accept"), json!({"installer_email": "installer@acme.example"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let order = r.body["order_id"].as_i64().unwrap();
    assert_eq!(r.body["quote"]["state"], "accepted");
    let r = w.ann.post(&format!("/api/v1/quotes/{id}/decline"), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "quote_state"));

    // The vendor fulfils once, also when asked several times at once.
    let mut ops = vendor(&app).await;
    assert_eq!(w.ann.get("/api/v1/orders").await.status, StatusCode::FORBIDDEN);
    let orders = ops.get("/api/v1/orders").await;
    assert_eq!((orders.body[0]["id"].as_i64(), orders.body[0]["state"].as_str()), (Some(order), Some("open")));
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let mut browser = ops.other_browser();
            (browser.cookie, browser.csrf) = (ops.cookie.clone(), ops.csrf.clone());
            tokio::spawn(async move { browser.post(&format!("/api/v1/orders/{order}/fulfil"), json!({})).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        if r.status != StatusCode::OK {
            assert_eq!(r.code(), "order_fulfilled");
        }
        statuses.push(r.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert_eq!(app.state.db.order_voucher_count(order).await.unwrap(), 2, "one voucher per line, issued once");
    let r = ops.post(&format!("/api/v1/orders/{order}/fulfil"), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "order_fulfilled"));

    // The installer's mail carries a voucher that redeems into the locker, free units included.
    let mails = app.state.db.list_mail(100).await.unwrap();
    let voucher_mail = mails.iter().find(|m| m.kind == "vouchers" && m.text.contains("RUM-ADV-36")).unwrap();
    assert_eq!(voucher_mail.to, "installer@acme.example");
    let code = voucher_mail
        .text
        .split_whitespace()
        .find(|w| tessera_domain::code::Code::parse(w).is_ok() && w.len() == 19)
        .unwrap();
    let r = w.ann.post("/api/v1/locker/redeem", json!({ "code": code })).await;
    assert_eq!((r.status, r.body["added_device_months"].as_u64()), (StatusCode::OK, Some(27 * 36)), "{:?}", r.body);
}

#[tokio::test]
async fn an_expired_quote_cannot_be_accepted_and_a_declined_one_says_why() {
    let app = TestApp::new().await;
    let mut w = world(&app).await;
    let mut body = quote_body(w.customer_org);
    body["valid_until"] = json!("2026-01-12");
    let id = w.pat.post("/api/v1/quotes", body.clone()).await.body["id"].as_i64().unwrap();
    w.pat.post(&format!("/api/v1/quotes/{id}/send"), json!({})).await;
    let other = w.pat.post("/api/v1/quotes", body).await.body["id"].as_i64().unwrap();
    w.pat.post(&format!("/api/v1/quotes/{other}/send"), json!({})).await;
    let r = w.ann.post(&format!("/api/v1/quotes/{other}/decline"), json!({"reason": "Over budget"})).await;
    assert_eq!(
        (r.status, r.body["state"].as_str(), r.body["decline_reason"].as_str()),
        (StatusCode::OK, Some("declined"), Some("Over budget"))
    );

    app.state.clock.set_today(d(2026, 1, 13));
    w.ann.login("ann@acme.example", common::PASSWORD).await;
    assert_eq!(w.ann.get(&format!("/api/v1/quotes/{id}")).await.body["state"], "expired");
    let r = w.ann.post(&format!("/api/v1/quotes/{id}/accept"), json!({"installer_email": "i@acme.example"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "quote_expired"));
    let r = w
        .pat
        .post(
            "/api/v1/quotes",
            json!({"customer": {"name": "Home Owner", "email": "home@example.com"},
        "valid_until": "2026-01-01", "lines": [{"sku": "MON-STD-12", "quantity": 1}]}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation"), "valid until a past day");
    let r = w
        .pat
        .post(
            "/api/v1/quotes",
            json!({"customer": {"name": "Home Owner", "email": "home@example.com"},
        "valid_until": "2026-03-01", "lines": [{"sku": "MON-STD-12", "quantity": 1, "discount_percent": 12.345}]}),
        )
        .await;
    assert_eq!(r.code(), "invalid_discount");
}

#[tokio::test]
async fn the_bill_of_materials_follows_each_template_and_guards_formulas() {
    let app = TestApp::new().await;
    let mut w = world(&app).await;
    let mut body = quote_body(w.customer_org);
    body["customer_org_id"] = Value::Null;
    body["customer"] = json!({"name": "=cmd|' /C calc'!A0", "email": "buyer@example.com"});
    body.as_object_mut().unwrap().remove("customer_org_id");
    let r = w.pat.post("/api/v1/quotes", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    for (template, header) in [
        ("generic", "line,sku,description,quantity,list_price,discount_percent,net_price,line_total,currency"),
        ("distributor", "sku,description,quantity,free_units,bonus_months,customer,installer_email,quote_reference"),
        ("erp", "sku,quantity,net_price,currency,term_months,installer_email,quote_reference,valid_until"),
    ] {
        let r = w.pat.get(&format!("/api/v1/quotes/{id}/bom.csv?template={template}")).await;
        assert_eq!(r.status, StatusCode::OK, "{template}");
        let text = r.body.as_str().unwrap();
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], header);
        assert_eq!(lines.len(), 3, "{template}: {text}");
        if template == "distributor" {
            assert!(lines[1].contains(",'=cmd|"), "the customer's name is neutralized: {}", lines[1]);
            assert!(lines[1].starts_with("RUM-ADV-36,"), "{}", lines[1]);
        }
        if template == "generic" {
            assert!(lines[1].starts_with("1,RUM-ADV-36,"), "{}", lines[1]);
            assert!(lines[1].contains(",12.5,28350,708750,EUR"), "{}", lines[1]);
        }
    }
    let r = w.pat.get(&format!("/api/v1/quotes/{id}/bom.csv?template=nope")).await;
    assert_eq!(r.code(), "template_unknown");
}

#[tokio::test]
async fn quotes_are_seen_only_by_their_partner_and_their_customer() {
    let app = TestApp::new().await;
    let mut w = world(&app).await;
    let id = w.pat.post("/api/v1/quotes", quote_body(w.customer_org)).await.body["id"].as_i64().unwrap();
    w.pat.post(&format!("/api/v1/quotes/{id}/send"), json!({})).await;
    let mut eve = app.other_browser();
    eve.register("partner", "Other Partner", "eve@other.example").await;
    let mut bob = app.other_browser();
    bob.register("customer", "Bobco", "bob@bobco.example").await;
    for who in [&mut eve, &mut bob] {
        assert_eq!(who.get(&format!("/api/v1/quotes/{id}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(who.get(&format!("/api/v1/quotes/{id}/bom.csv")).await.status, StatusCode::NOT_FOUND);
        let r = who.post(&format!("/api/v1/quotes/{id}/accept"), json!({"installer_email": "i@x.example"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(who.get("/api/v1/quotes").await.body, json!([]));
    }
    assert_eq!(w.ann.get(&format!("/api/v1/quotes/{id}")).await.status, StatusCode::OK);
}
