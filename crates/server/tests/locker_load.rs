//! Issue 11, item 8, under load: 200 concurrent redemptions of 50 codes by 4 people, fired
//! at once through the real router over a real SQLite file, credit each code exactly once.
//!
//! The throttle (10 codes that did not redeem per person and 15 minutes) is in the way by
//! its own rule: 4 people trying the same 50 codes make 150 failures, 37.5 each on average.
//! A 429 is decided before the code is looked up (inside the credit batch, where failures
//! are counted too), so a throttled request tried nothing; the test fires all 200 requests
//! at once, then re-fires only the throttled ones, again all at once, after moving the
//! server's clock past the window — as a person would retry after `Retry-After`. The verdict
//! is about the answer each (person, code) pair got in the end: 50 × 200 and 150 × 409
//! `code_already_redeemed`, whatever wave it came in.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use chrono::Duration;
use common::{TestApp, PASSWORD};
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tessera_domain::api::{OrgKind, Role};
use tessera_domain::code::Code;
use tessera_server::routes::auth::hash_password;
use tessera_server::routes::locker::REDEEM_WINDOW_MINUTES;
use tessera_server::security::token_hash;
use tessera_server::storage::{NewOrg, NewUser};
use tokio::sync::Barrier;

const CODES: usize = 50;
const USERS: usize = 4;
/// RUM-STD-12 × 3: 36 device-months a voucher.
const SKU: &str = "RUM-STD-12";
const QUANTITY: i64 = 3;
const DEVICE_MONTHS: i64 = 36;

/// A vendor operator, signed in (as in `locker.rs`).
async fn vendor(app: &TestApp) -> TestApp {
    let hash = hash_password(PASSWORD.into()).await.unwrap();
    app.state
        .db
        .create_org_with_admin(
            NewOrg { name: "Vendor", kind: OrgKind::Vendor, individual: false },
            NewUser {
                email: "ops@vendor.example",
                name: "Ops",
                password_hash: &hash,
                role: Role::Admin,
                must_change_password: false,
                email_verified: true,
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let mut ops = app.other_browser();
    assert_eq!(ops.login("ops@vendor.example", PASSWORD).await.status, StatusCode::OK);
    ops
}

/// SplitMix64: a seeded shuffle, so that each person tries the codes in an order of their
/// own and who wins a code is left to the race.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = usize::try_from(self.next() % (i as u64 + 1)).unwrap();
            items.swap(i, j);
        }
    }
}

/// Fires every `(person, code)` request at once (spawned, then released together by a
/// barrier) and returns each one's status and error code.
async fn fire(
    people: &[TestApp],
    codes: &[String],
    requests: &[(usize, usize)],
) -> Vec<((usize, usize), StatusCode, String, Value)> {
    let barrier = Arc::new(Barrier::new(requests.len()));
    let mut tasks = Vec::new();
    for &(person, code) in requests {
        let mut browser = people[person].other_browser();
        (browser.cookie, browser.csrf) = (people[person].cookie.clone(), people[person].csrf.clone());
        let code_text = codes[code].clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = browser.post("/api/v1/locker/redeem", json!({ "code": code_text })).await;
            ((person, code), r.status, r.code().to_string(), r.body)
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_redemptions_of_fifty_codes_by_four_people_credit_each_code_once() {
    let app = TestApp::new().await;
    let mut ops = vendor(&app).await;
    let r = ops.post("/api/v1/vendor/vouchers", json!({"sku": SKU, "quantity": QUANTITY, "count": CODES})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let codes: Vec<String> = r.body["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().into()).collect();
    assert_eq!(codes.len(), CODES);

    let mut people = Vec::new();
    let mut user_ids = Vec::new();
    for k in 0..USERS {
        let mut p = app.other_browser();
        let r = p.register("customer", &format!("Customer {k}"), &format!("p{k}@customer{k}.example")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        user_ids.push(r.body["user"]["id"].as_i64().unwrap());
        people.push(p);
    }

    // Person k tries all 50 codes in an order of their own; the 200 requests are spawned
    // interleaved (round k of every person, then round k + 1), then released at once.
    let mut rng = Rng(0x7E55_E4A0_0011_0008);
    let orders: Vec<Vec<usize>> = (0..USERS)
        .map(|_| {
            let mut order: Vec<usize> = (0..CODES).collect();
            rng.shuffle(&mut order);
            order
        })
        .collect();
    let mut pending: Vec<(usize, usize)> =
        (0..CODES).flat_map(|round| (0..USERS).map(move |p| (p, round))).map(|(p, r)| (p, orders[p][r])).collect();
    assert_eq!(pending.len(), USERS * CODES);

    let mut outcomes: HashMap<(usize, usize), (StatusCode, String)> = HashMap::new();
    let mut waves = Vec::new();
    while !pending.is_empty() {
        assert!(waves.len() < 12, "still throttled after {} waves: {waves:?}", waves.len());
        if !waves.is_empty() {
            // A 429 looked nothing up: the same request again, once the window has passed.
            app.state.clock.advance(Duration::minutes(REDEEM_WINDOW_MINUTES + 1));
        }
        let answers = fire(&people, &codes, &pending).await;
        let (mut ok, mut conflict, mut throttled) = (0, 0, 0);
        pending.clear();
        for (key, status, code, body) in answers {
            match status {
                StatusCode::TOO_MANY_REQUESTS => {
                    assert_eq!(code, "too_many_attempts", "{body}");
                    throttled += 1;
                    pending.push(key);
                    continue;
                }
                StatusCode::OK => {
                    ok += 1;
                    assert_eq!(body["sku"], SKU, "{body}");
                    assert_eq!(body["added_device_months"], DEVICE_MONTHS, "{body}");
                }
                StatusCode::CONFLICT => {
                    conflict += 1;
                    assert_eq!(code, "code_already_redeemed", "{body}");
                }
                other => panic!("{key:?}: {other} {body}"),
            }
            assert!(outcomes.insert(key, (status, code)).is_none(), "{key:?} answered twice");
        }
        waves.push((ok, conflict, throttled));
    }
    eprintln!("waves (200, 409, 429): {waves:?}");

    // Every pair has exactly one answer: 50 OK, 150 already redeemed, one OK per code.
    assert_eq!(outcomes.len(), USERS * CODES);
    let ok: Vec<_> = outcomes.iter().filter(|(_, (s, _))| *s == StatusCode::OK).map(|(k, _)| *k).collect();
    assert_eq!(ok.len(), CODES, "{waves:?}");
    assert_eq!(
        outcomes.values().filter(|(s, c)| *s == StatusCode::CONFLICT && c == "code_already_redeemed").count(),
        150
    );
    let mut winner_of: BTreeMap<usize, usize> = BTreeMap::new();
    for (person, code) in &ok {
        assert!(winner_of.insert(*code, *person).is_none(), "code {code} credited twice");
    }
    assert_eq!(winner_of.len(), CODES);
    let wins: Vec<usize> = (0..USERS).map(|p| winner_of.values().filter(|w| **w == p).count()).collect();
    eprintln!("codes won per person: {wins:?}");

    // The balances: each person's is 36 × what they won; together, 50 × 36.
    let mut total = 0;
    for (k, person) in people.iter_mut().enumerate() {
        let locker = person.get("/api/v1/locker").await.body;
        let held: i64 = locker["balances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                assert_eq!(b["sku"], SKU, "{locker}");
                b["device_months"].as_i64().unwrap()
            })
            .sum();
        assert_eq!(held, DEVICE_MONTHS * i64::try_from(wins[k]).unwrap(), "person {k}: {locker}");
        total += held;
    }
    assert_eq!(total, DEVICE_MONTHS * i64::try_from(CODES).unwrap());
    assert!(app.state.db.ledger_mismatches().await.unwrap().is_empty());

    // The file itself, read-only: 50 redeemed vouchers, each with exactly one `redeem` entry
    // of its worth in the locker of the person whose request was answered 200.
    let options =
        SqliteConnectOptions::new().filename(app.state.config.database_path()).read_only(true).foreign_keys(true);
    let db = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
    let redeemed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM vouchers WHERE redeemed_at IS NOT NULL").fetch_one(&db).await.unwrap();
    assert_eq!(redeemed, 50);
    for (code, person) in &winner_of {
        let hash = token_hash(Code::parse(&codes[*code]).unwrap().as_compact());
        let (voucher_id, redeemed_by, redeemed_locker): (i64, Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT id, redeemed_by, redeemed_locker FROM vouchers WHERE code_hash = ?")
                .bind(&hash)
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(redeemed_by, Some(user_ids[*person]), "code {code}: redeemed by whom the 200 went to");
        let entries: Vec<(i64, String, String, i64)> =
            sqlx::query_as("SELECT locker_id, sku, kind, device_months FROM ledger_entries WHERE voucher_id = ?")
                .bind(voucher_id)
                .fetch_all(&db)
                .await
                .unwrap();
        assert_eq!(entries, vec![(redeemed_locker.unwrap(), SKU.to_string(), "redeem".to_string(), DEVICE_MONTHS)]);
        let member: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM locker_members WHERE locker_id = ? AND user_id = ?")
                .bind(redeemed_locker)
                .bind(user_ids[*person])
                .fetch_optional(&db)
                .await
                .unwrap();
        assert!(member.is_some(), "code {code}: credited to the winner's own locker");
    }
    let (entries, redeems, sum): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE kind = 'redeem'), COALESCE(SUM(device_months), 0) FROM ledger_entries",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((entries, redeems, sum), (50, 50, 50 * DEVICE_MONTHS), "no entry beside the 50 credits");
    let balances: i64 =
        sqlx::query_scalar("SELECT COALESCE(SUM(device_months), 0) FROM balances").fetch_one(&db).await.unwrap();
    assert_eq!(balances, 50 * DEVICE_MONTHS);
    db.close().await;
}
