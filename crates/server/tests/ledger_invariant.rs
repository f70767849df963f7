//! The ledger invariant (issue 11, item 4 and "Done when"), held by the database itself:
//! random sequences of ledger entries written straight into SQLite — random lockers, SKUs
//! and kinds, amounts that would take a balance below zero, signs their kind forbids, zero,
//! vouchers credited twice, entries in multi-entry transactions — against a freshly
//! migrated file. After every step: each balance equals the sum of its entries and is never
//! negative, refused writes changed nothing, and the outcome of each entry is the one
//! `tessera_domain::ledger::Ledger` (the pure model of the same rule) gives. Updates and
//! deletions of entries are refused.
//!
//! The server crate has no proptest, so the sequences come from a seeded SplitMix64:
//! `PROPTEST_RNG_SEED` (which `cargo xtask test` fixes) picks the seed when it is set, so
//! a failure names the seed and step that reproduce it.
#![allow(clippy::unwrap_used)]

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::collections::{BTreeMap, BTreeSet};
use tessera_domain::ledger::{self, EntryError, EntryKind, Ledger};
use tessera_server::storage::Db;

const CASES: u64 = 16;
const STEPS: usize = 150;
const LOCKERS: [i64; 3] = [1, 2, 3];
const SKUS: [&str; 3] = ["MON-STD-12", "RUM-ADV-36", "POP-ESS-ADV-MO"];
const DEFAULT_SEED: u64 = 0x1ED6_E411_0000_0004;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[usize::try_from(self.below(items.len() as u64)).unwrap()]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VoucherRef {
    None,
    /// A voucher issued in the same transaction, credited by this entry.
    Fresh,
    /// A voucher some earlier entry already credited.
    Credited(i64),
}

#[derive(Debug, Clone)]
struct Entry {
    locker: i64,
    sku: &'static str,
    kind: EntryKind,
    delta: i64,
    voucher: VoucherRef,
}

#[derive(Debug, Clone, Copy)]
enum Tamper {
    UpdateAmount,
    UpdateLocker,
    UpdateKind,
    DeleteOne,
    DeleteAll,
    BalanceBelowZero,
}

#[derive(Debug, Clone)]
enum Op {
    /// Entries in one transaction, rolled back as a whole when one is refused: how the server
    /// writes (a merge is such a pair).
    Atomic(Vec<Entry>),
    /// Entries in one transaction that carries on past a refused entry and commits: a refused
    /// statement must leave nothing behind even when its caller commits anyway.
    Lenient(Vec<Entry>),
    Tamper(Tamper),
}

/// Why the model refused an entry, to show the sequences try every rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Accepted,
    WrongSign,
    BelowZero,
    VoucherRule,
}

/// The model: one domain `Ledger` per locker, and the vouchers credited so far (the
/// database's rule beside the domain's: a `redeem` names a voucher, nothing else does, and a
/// voucher credits once).
#[derive(Debug, Clone, Default)]
struct Model {
    lockers: BTreeMap<i64, Ledger>,
    credited: BTreeSet<i64>,
    entries: i64,
}

impl Model {
    fn balance(&self, locker: i64, sku: &str) -> u64 {
        self.lockers.get(&locker).map_or(0, |l| l.balance(sku))
    }

    fn post(&mut self, e: &Entry, voucher_id: Option<i64>) -> Verdict {
        if (e.kind == EntryKind::Redeem) != voucher_id.is_some()
            || voucher_id.is_some_and(|v| self.credited.contains(&v))
        {
            return Verdict::VoucherRule;
        }
        let ledger = self.lockers.entry(e.locker).or_default();
        match ledger.post(e.sku, e.kind, e.delta) {
            Ok(_) => {
                self.credited.extend(voucher_id);
                self.entries += 1;
                Verdict::Accepted
            }
            Err(EntryError::WrongSign) => Verdict::WrongSign,
            Err(EntryError::Short(_)) => Verdict::BelowZero,
        }
    }
}

fn amount(rng: &mut Rng, kind: EntryKind, balance: u64) -> i64 {
    let balance = i64::try_from(balance).unwrap();
    let magnitude = match rng.below(10) {
        0 => 0,
        1 => balance,
        2 => balance + 1,
        _ => 1 + i64::try_from(rng.below(60)).unwrap(),
    };
    let adds = match kind.direction() {
        Some(adds) if rng.percent(80) => adds,
        Some(adds) => !adds,
        None => rng.percent(50),
    };
    if adds {
        magnitude
    } else {
        -magnitude
    }
}

fn random_entry(rng: &mut Rng, model: &Model) -> Entry {
    let locker = rng.pick(&LOCKERS);
    let sku = rng.pick(&SKUS);
    let kind = match rng.below(100) {
        0..=29 => EntryKind::Redeem,
        30..=59 => EntryKind::Consume,
        60..=69 => EntryKind::Refund,
        70..=84 => EntryKind::Merge,
        _ => EntryKind::Adjust,
    };
    let delta = amount(rng, kind, model.balance(locker, sku));
    let credited: Vec<i64> = model.credited.iter().copied().collect();
    let voucher = match (kind, rng.below(100)) {
        (EntryKind::Redeem, 0..=6) => VoucherRef::None,
        (EntryKind::Redeem, 7..=14) if !credited.is_empty() => VoucherRef::Credited(rng.pick(&credited)),
        (EntryKind::Redeem, _) => VoucherRef::Fresh,
        (_, 0..=6) => VoucherRef::Fresh,
        (_, 7..=9) if !credited.is_empty() => VoucherRef::Credited(rng.pick(&credited)),
        _ => VoucherRef::None,
    };
    Entry { locker, sku, kind, delta, voucher }
}

fn random_op(rng: &mut Rng, model: &Model) -> Op {
    match rng.below(100) {
        0..=44 => Op::Atomic(vec![random_entry(rng, model)]),
        45..=59 => {
            // A move between lockers, sometimes of more than the source holds.
            let from = rng.pick(&LOCKERS);
            let to = LOCKERS.iter().copied().find(|l| *l != from && rng.percent(50)).unwrap_or(from % 3 + 1);
            let sku = rng.pick(&SKUS);
            let held = i64::try_from(model.balance(from, sku)).unwrap();
            let moved = 1 + i64::try_from(rng.below(u64::try_from(held).unwrap() + 3)).unwrap();
            let leg = |locker, delta| Entry { locker, sku, kind: EntryKind::Merge, delta, voucher: VoucherRef::None };
            Op::Atomic(vec![leg(from, -moved), leg(to, moved)])
        }
        60..=69 => Op::Atomic((0..2 + rng.below(2)).map(|_| random_entry(rng, model)).collect()),
        70..=89 => Op::Lenient((0..2 + rng.below(3)).map(|_| random_entry(rng, model)).collect()),
        _ => Op::Tamper(rng.pick(&[
            Tamper::UpdateAmount,
            Tamper::UpdateLocker,
            Tamper::UpdateKind,
            Tamper::DeleteOne,
            Tamper::DeleteAll,
            Tamper::BalanceBelowZero,
        ])),
    }
}

/// Writes `e` in `tx` (issuing its fresh voucher first); the voucher it named, and whether
/// the database took the entry.
async fn write(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    e: &Entry,
    serial: &mut u64,
) -> (Option<i64>, Result<(), String>) {
    let voucher_id = match e.voucher {
        VoucherRef::None => None,
        VoucherRef::Credited(id) => Some(id),
        VoucherRef::Fresh => {
            *serial += 1;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO vouchers (code_hash, code_hint, sku, quantity, device_months, issued_at)
                 VALUES (?, 'TEST', ?, 1, ?, '2026-01-01T00:00:00.000Z') RETURNING id",
            )
            .bind(format!("hash-{serial}"))
            .bind(e.sku)
            .bind(e.delta.abs().max(1))
            .fetch_one(&mut **tx)
            .await
            .unwrap();
            Some(id)
        }
    };
    let written = sqlx::query(
        "INSERT INTO ledger_entries (locker_id, sku, kind, device_months, voucher_id, actor_name, created_at)
         VALUES (?, ?, ?, ?, ?, 'test', '2026-01-01T00:00:00.000Z')",
    )
    .bind(e.locker)
    .bind(e.sku)
    .bind(e.kind.as_str())
    .bind(e.delta)
    .bind(voucher_id)
    .execute(&mut **tx)
    .await;
    (voucher_id, written.map(|_| ()).map_err(|err| refusal(&err)))
}

/// A refusal must be the database's rule speaking (a constraint or trigger), not, say, a
/// busy file.
fn refusal(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Database(d) if d.code().is_some_and(|c| c.parse::<i32>().is_ok_and(|c| c & 0xff == 19)) => {
            d.message().to_string()
        }
        other => panic!("not a constraint refusal: {other:?}"),
    }
}

type Snapshot = (Vec<(i64, String, i64)>, i64);

async fn snapshot(pool: &SqlitePool) -> Snapshot {
    let balances = sqlx::query_as("SELECT locker_id, sku, device_months FROM balances ORDER BY locker_id, sku")
        .fetch_all(pool)
        .await
        .unwrap();
    let entries = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries").fetch_one(pool).await.unwrap();
    (balances, entries)
}

/// The invariant, and the database agreeing with the model.
async fn check(pool: &SqlitePool, db: &Db, model: &Model, context: &str) {
    let (balances, entries) = snapshot(pool).await;
    let sums: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT locker_id, sku, SUM(device_months) FROM ledger_entries GROUP BY locker_id, sku ORDER BY locker_id, sku",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(balances, sums, "{context}: a balance is not the sum of its entries");
    assert!(balances.iter().all(|(_, _, b)| *b >= 0), "{context}: a negative balance: {balances:?}");
    assert!(db.ledger_mismatches().await.unwrap().is_empty(), "{context}");
    let expected: Vec<(i64, String, i64)> = model
        .lockers
        .iter()
        .flat_map(|(locker, l)| {
            l.skus().map(|sku| (*locker, sku.to_string(), i64::try_from(l.balance(sku)).unwrap())).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(balances, expected, "{context}: the database and the domain model disagree");
    for (locker, l) in &model.lockers {
        for sku in l.skus() {
            assert_eq!(l.sum_of_entries(sku), i128::from(l.balance(sku)), "{context}: the model itself");
            assert!(l.len() as i64 <= entries, "{context}: locker {locker}");
        }
    }
    assert_eq!(entries, model.entries, "{context}: entry count");
    let (redeems, vouchers): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT voucher_id) FROM ledger_entries WHERE kind = 'redeem'")
            .fetch_one(pool)
            .await
            .unwrap();
    let credited = i64::try_from(model.credited.len()).unwrap();
    assert_eq!((redeems, vouchers), (credited, credited), "{context}: one redeem entry per credited voucher");
}

/// A fresh migrated database with three lockers, and a plain pool on the same file.
async fn fresh() -> (tempfile::TempDir, Db, SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tessera.db");
    let db = Db::open(&path).await.unwrap();
    let options = SqliteConnectOptions::new().filename(&path).foreign_keys(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
    for id in LOCKERS {
        sqlx::query("INSERT INTO lockers (id, owner_id, created_at) VALUES (?, NULL, '2026-01-01T00:00:00.000Z')")
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
    }
    (dir, db, pool)
}

async fn tamper(pool: &SqlitePool, rng: &mut Rng, how: Tamper, context: &str) {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM ledger_entries").fetch_all(pool).await.unwrap();
    let id = if ids.is_empty() { 1 } else { rng.pick(&ids) };
    let (sql, refusal_says) = match how {
        Tamper::UpdateAmount => {
            ("UPDATE ledger_entries SET device_months = device_months + 1 WHERE id = ?", "append-only")
        }
        Tamper::UpdateLocker => {
            ("UPDATE ledger_entries SET locker_id = 1 + (locker_id % 3) WHERE id = ?", "append-only")
        }
        Tamper::UpdateKind => ("UPDATE ledger_entries SET kind = 'adjust' WHERE id = ?", "append-only"),
        Tamper::DeleteOne => ("DELETE FROM ledger_entries WHERE id = ?", "append-only"),
        Tamper::DeleteAll => ("DELETE FROM ledger_entries WHERE id <> ?", "append-only"),
        Tamper::BalanceBelowZero => ("UPDATE balances SET device_months = -1 WHERE device_months >= 0 - ?", "CHECK"),
    };
    match sqlx::query(sql).bind(id).execute(pool).await {
        Err(e) => {
            let said = refusal(&e);
            assert!(said.contains(refusal_says), "{context}: refused for another reason: {said}");
        }
        // Nothing to touch yet (no entry, no balance): nothing to refuse.
        Ok(done) => assert_eq!(done.rows_affected(), 0, "{context}: the ledger took {how:?}"),
    }
}

#[tokio::test]
async fn random_ledger_writes_keep_every_balance_the_non_negative_sum_of_its_entries() {
    let base =
        std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.trim().parse::<u64>().ok()).unwrap_or(DEFAULT_SEED);
    let mut verdicts: BTreeMap<Verdict, u32> = BTreeMap::new();
    let mut tampered = 0;
    for case in 0..CASES {
        let seed = base.wrapping_add(case);
        let mut rng = Rng(seed);
        let (_dir, db, pool) = fresh().await;
        let mut model = Model::default();
        let mut serial = 0;
        for step in 0..STEPS {
            let op = random_op(&mut rng, &model);
            let context = format!("seed {seed} step {step}: {op:?}");
            let before = snapshot(&pool).await;
            match &op {
                Op::Atomic(entries) => {
                    let mut tx = pool.begin().await.unwrap();
                    let mut next = model.clone();
                    let mut refused = false;
                    for e in entries {
                        let (voucher_id, written) = write(&mut tx, e, &mut serial).await;
                        let verdict = next.post(e, voucher_id);
                        *verdicts.entry(verdict).or_default() += 1;
                        assert_eq!(
                            written.is_ok(),
                            verdict == Verdict::Accepted,
                            "{context}: {e:?} → database {written:?}, model {verdict:?}"
                        );
                        if written.is_err() {
                            refused = true;
                            break;
                        }
                    }
                    if refused {
                        tx.rollback().await.unwrap();
                        assert_eq!(snapshot(&pool).await, before, "{context}: a refused transaction changed something");
                    } else {
                        tx.commit().await.unwrap();
                        model = next;
                    }
                }
                Op::Lenient(entries) => {
                    let mut tx = pool.begin().await.unwrap();
                    for e in entries {
                        let (voucher_id, written) = write(&mut tx, e, &mut serial).await;
                        let verdict = model.post(e, voucher_id);
                        *verdicts.entry(verdict).or_default() += 1;
                        assert_eq!(
                            written.is_ok(),
                            verdict == Verdict::Accepted,
                            "{context}: {e:?} → database {written:?}, model {verdict:?}"
                        );
                    }
                    tx.commit().await.unwrap();
                }
                Op::Tamper(how) => {
                    tamper(&pool, &mut rng, *how, &context).await;
                    tampered += 1;
                    assert_eq!(snapshot(&pool).await, before, "{context}: tampering changed something");
                }
            }
            check(&pool, &db, &model, &context).await;
        }
        pool.close().await;
        db.close().await;
    }
    // Not vacuous: every rule was tried, many times, and most writes went through.
    eprintln!("verdicts over {CASES} × {STEPS} steps: {verdicts:?}; {tampered} tampering attempts");
    for verdict in [Verdict::Accepted, Verdict::WrongSign, Verdict::BelowZero, Verdict::VoucherRule] {
        assert!(verdicts.get(&verdict).copied().unwrap_or(0) >= 20, "{verdict:?} too rare: {verdicts:?}");
    }
    assert!(tampered >= 20, "{tampered}");
}

/// The same rule through the domain's `apply` for the corner cases the random walk reaches
/// only by chance: the whole balance, one more, zero, and each kind's forbidden sign.
#[tokio::test]
async fn corner_cases_agree_with_the_domain_rule() {
    let (_dir, db, pool) = fresh().await;
    let mut model = Model::default();
    let mut serial = 0;
    let sku = SKUS[0];
    let cases = [
        (EntryKind::Redeem, 30, VoucherRef::Fresh),
        (EntryKind::Consume, -31, VoucherRef::None),
        (EntryKind::Consume, -30, VoucherRef::None),
        (EntryKind::Consume, -1, VoucherRef::None),
        (EntryKind::Adjust, 0, VoucherRef::None),
        (EntryKind::Refund, -5, VoucherRef::None),
        (EntryKind::Refund, 5, VoucherRef::None),
        (EntryKind::Consume, 5, VoucherRef::None),
        (EntryKind::Redeem, -5, VoucherRef::Fresh),
        (EntryKind::Redeem, 5, VoucherRef::None),
        (EntryKind::Merge, -6, VoucherRef::None),
        (EntryKind::Merge, -5, VoucherRef::None),
        (EntryKind::Adjust, 7, VoucherRef::None),
        (EntryKind::Adjust, -8, VoucherRef::None),
        (EntryKind::Adjust, -7, VoucherRef::None),
        (EntryKind::Refund, 3, VoucherRef::Fresh),
        (EntryKind::Refund, 3, VoucherRef::None),
    ];
    for (kind, delta, voucher) in cases {
        let e = Entry { locker: 1, sku, kind, delta, voucher };
        let balance = model.balance(1, sku);
        let mut tx = pool.begin().await.unwrap();
        let (voucher_id, written) = write(&mut tx, &e, &mut serial).await;
        let verdict = model.post(&e, voucher_id);
        let domain = ledger::apply(balance, kind, delta);
        let context = format!("{e:?} on {balance}: database {written:?}, model {verdict:?}, domain {domain:?}");
        assert_eq!(written.is_ok(), verdict == Verdict::Accepted, "{context}");
        if voucher_id.is_some() == (kind == EntryKind::Redeem) {
            assert_eq!(written.is_ok(), domain.is_ok(), "{context}");
        }
        if written.is_ok() {
            tx.commit().await.unwrap();
        } else {
            tx.rollback().await.unwrap();
        }
        check(&pool, &db, &model, &context).await;
    }
    assert_eq!(model.balance(1, sku), 3);
}

/// Balances and entries as text, which a REAL balance cannot make fail.
async fn text_snapshot(pool: &SqlitePool) -> (Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT (SELECT group_concat(locker_id || '/' || sku || '=' || device_months || ':' || typeof(device_months))
                 FROM balances),
                (SELECT group_concat(id || ':' || kind || ':' || device_months) FROM ledger_entries)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// SQLite lets the conflict clause of the statement that fires a trigger override the
/// clauses inside the trigger, and fires no DELETE trigger for the rows a REPLACE removes.
/// Before migration 0006 guarded against it (a BEFORE INSERT trigger that RAISEs ABORT, an
/// AFTER INSERT trigger without a conflict clause), `INSERT OR IGNORE` of an overdraft kept
/// the entry and skipped the balance, `INSERT OR REPLACE` reset a balance, `REPLACE` deleted
/// append-only entries, and a sum past 64 bits turned a balance into a REAL.
#[tokio::test]
async fn conflict_clauses_cannot_bypass_the_ledger_rules() {
    let insert = |verb: &str, id: &str| {
        format!(
            "{verb} INTO ledger_entries (id, locker_id, sku, kind, device_months, voucher_id, actor_name, created_at)
             VALUES ({id}, 1, 'S', ?, ?, ?, 'test', '2026-01-01T00:00:00.000Z')"
        )
    };
    // (statement, kind, device-months, credited voucher?, whether it is a legitimate entry)
    let attempts = [
        ("INSERT OR IGNORE", false, "consume", -1000, false, false),
        ("INSERT OR FAIL", false, "consume", -1000, false, false),
        ("INSERT OR REPLACE", false, "consume", -1000, false, false),
        ("INSERT OR ROLLBACK", false, "consume", -1000, false, false),
        ("INSERT OR REPLACE", true, "adjust", 5, false, false),
        ("REPLACE", true, "adjust", 5, false, false),
        ("INSERT OR REPLACE", false, "redeem", 10, true, false),
        ("INSERT OR REPLACE", false, "adjust", 1, false, true),
        ("INSERT", false, "adjust", i64::MAX, false, false),
    ];
    let mut broken = Vec::new();
    for (verb, onto_first, kind, delta, credited_voucher, legitimate) in attempts {
        // Each on a fresh file holding a redeem of 10 and an adjustment of 20.
        let (_dir, db, pool) = fresh().await;
        let voucher: i64 = sqlx::query_scalar(
            "INSERT INTO vouchers (code_hash, code_hint, sku, quantity, device_months, issued_at)
             VALUES ('h', 'TEST', 'S', 1, 10, '2026-01-01T00:00:00.000Z') RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        let setup = insert("INSERT", "NULL");
        sqlx::query(&setup).bind("redeem").bind(10).bind(voucher).execute(&pool).await.unwrap();
        sqlx::query(&setup).bind("adjust").bind(20).bind(None::<i64>).execute(&pool).await.unwrap();
        let first: i64 = sqlx::query_scalar("SELECT MIN(id) FROM ledger_entries").fetch_one(&pool).await.unwrap();
        let before = text_snapshot(&pool).await;
        let sql = insert(verb, &if onto_first { first.to_string() } else { "NULL".to_string() });
        let voucher_id = credited_voucher.then_some(voucher);
        let result = sqlx::query(&sql).bind(kind).bind(delta).bind(voucher_id).execute(&pool).await;
        let sums: Result<Vec<(i64, String, i64)>, _> =
            sqlx::query_as("SELECT locker_id, sku, SUM(device_months) FROM ledger_entries GROUP BY locker_id, sku")
                .fetch_all(&pool)
                .await;
        let balances: Result<Vec<(i64, String, i64)>, _> =
            sqlx::query_as("SELECT locker_id, sku, device_months FROM balances").fetch_all(&pool).await;
        let whole = match (&sums, &balances) {
            (Ok(s), Ok(b)) => s == b && db.ledger_mismatches().await.is_ok_and(|m| m.is_empty()),
            _ => false,
        };
        let changed = text_snapshot(&pool).await != before;
        if !whole || (changed && !legitimate) || (legitimate && result.is_err()) {
            let target = if onto_first { format!("onto entry {first}") } else { "new".into() };
            broken.push(format!(
                "{verb} ({target}) {kind} {delta}: {:?}; sums {sums:?}, balances {balances:?}",
                result.map(|r| r.rows_affected()).map_err(|e| e.to_string())
            ));
        }
        pool.close().await;
        db.close().await;
    }
    assert!(broken.is_empty(), "the ledger's rules were bypassed:\n{}", broken.join("\n"));
}
