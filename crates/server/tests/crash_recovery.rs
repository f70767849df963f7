//! Issue 11, item 8, under a fault: the real server binary, killed with SIGKILL half-way
//! through 1,000 redemptions, restarted on the same data directory. Every answered
//! redemption's credit is there, no unanswered one is half-written (a voucher is either
//! redeemed with exactly one ledger entry or untouched), and every balance is the sum of its
//! entries; the restarted server answers, and a person retrying an unanswered request gets
//! either the credit or "already redeemed into your locker", never a second credit.
//!
//! The HTTP client is a few lines over `tokio::net::TcpStream` (one `Connection: close`
//! request per connection): the crate has no HTTP client among its dependencies.
#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};
use sqlx::sqlite::SqlitePoolOptions;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tessera_domain::code::Code;
use tessera_server::security::token_hash;
use tessera_server::storage::Db;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BIN: &str = env!("CARGO_BIN_EXE_tessera-server");
const VOUCHERS: usize = 1000;
/// Answers to wait for before the SIGKILL.
const KILL_AFTER: usize = 500;
/// Requests in flight at once.
const IN_FLIGHT: usize = 16;
const PEOPLE: usize = 4;
/// MON-STD-12 × 1: 12 device-months a voucher.
const SKU: &str = "MON-STD-12";
const DEVICE_MONTHS: i64 = 12;
/// Generous: the machine may be a loaded 2-core one running other tests beside this one.
const PATIENCE: Duration = Duration::from_secs(60);

/// The server binary with only the environment this test gives it.
fn command(data_dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TESSERA_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("TESSERA_DATA_DIR", data_dir).env("TESSERA_STATIC_DIR", data_dir.join("dist"));
    cmd
}

/// Runs a back-office command to its end; its standard output.
fn cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = command(data_dir)
        .args(args)
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
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "tessera-server {args:?}: {stdout}{stderr}");
    stdout.into_owned()
}

/// A running server process; killed (SIGKILL) when dropped, so a failing test leaves none.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<VecDeque<String>>>,
}

impl Server {
    /// Starts `tessera-server serve` on a port the system picks, read back from its
    /// "listening" log line, and waits until it answers its health check.
    async fn start(data_dir: &Path) -> Server {
        let mut child = command(data_dir)
            .arg("serve")
            .env("TESSERA_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let (found, addr_rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let lines = log.clone();
        // Reads the log to its end (a full pipe would stall the server), keeping the last
        // lines for failure messages.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let line = strip_ansi(&line);
                if line.contains("listening") {
                    if let Some(addr) = line.split("addr=").nth(1).and_then(|rest| rest.split_whitespace().next()) {
                        let _ = found.send(addr.to_string());
                    }
                }
                let mut lines = lines.lock().unwrap();
                lines.push_back(line);
                if lines.len() > 200 {
                    lines.pop_front();
                }
            }
        });
        let Ok(addr) = addr_rx.recv_timeout(PATIENCE) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the server did not say where it listens:\n{}",
                log.lock().unwrap().iter().cloned().collect::<Vec<_>>().join("\n")
            );
        };
        let mut server = Server { child, addr: addr.parse().unwrap(), log };
        let deadline = Instant::now() + PATIENCE;
        loop {
            match http(server.addr, "GET", "/api/v1/health", None, None).await {
                Ok(r) if r.status == 200 => break,
                answer => {
                    if let Some(status) = server.child.try_wait().unwrap() {
                        panic!("the server stopped ({status}): {answer:?}\n{}", server.log_tail());
                    }
                    assert!(Instant::now() < deadline, "no health for {PATIENCE:?}: {answer:?}\n{}", server.log_tail());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        server
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn log_tail(&self) -> String {
        self.log.lock().unwrap().iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters, then a final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    set_cookie: Vec<String>,
    body: Value,
}

/// A signed-in person: their session cookie and CSRF token.
#[derive(Clone)]
struct Person {
    user_id: i64,
    cookie: String,
    csrf: String,
}

/// One HTTP/1.1 request on a new connection (`Connection: close`). `Ok` once a status line
/// came back: the server answered; an error when the connection failed before that.
async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    who: Option<&Person>,
    body: Option<&Value>,
) -> Result<Answer, String> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
        if let Some(p) = who {
            request.push_str(&format!("Cookie: tessera_session={}\r\nX-CSRF-Token: {}\r\n", p.cookie, p.csrf));
        }
        if method != "GET" {
            request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        stream.write_all(request.as_bytes()).await.map_err(|e| format!("write: {e}"))?;
        let mut bytes = Vec::new();
        // A reset after the answer arrived (the process died) still leaves what was read.
        let read = stream.read_to_end(&mut bytes).await;
        match parse(&bytes) {
            Some(answer) => Ok(answer),
            None => Err(format!("no answer ({read:?}, {} bytes)", bytes.len())),
        }
    };
    tokio::time::timeout(PATIENCE, exchange).await.map_err(|_| "timed out".to_string())?
}

fn parse(bytes: &[u8]) -> Option<Answer> {
    let text = String::from_utf8_lossy(bytes);
    let (head, rest) = text.split_once("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    let mut set_cookie = Vec::new();
    let mut chunked = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "set-cookie" => set_cookie.push(value.trim().to_string()),
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            _ => {}
        }
    }
    let payload = if chunked {
        let mut out = String::new();
        let mut rest = rest;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).ok()?;
            if size == 0 {
                break;
            }
            out.push_str(after.get(..size)?);
            rest = after.get(size + 2..).unwrap_or("");
        }
        out
    } else {
        rest.to_string()
    };
    let body = serde_json::from_str(&payload).unwrap_or(Value::String(payload));
    Some(Answer { status, set_cookie, body })
}

async fn register(addr: SocketAddr, k: usize) -> Person {
    let body = json!({
        "org_name": format!("Customer {k}"), "org_kind": "customer", "name": format!("Person {k}"),
        "email": format!("p{k}@customer{k}.example"), "password": "correct-horse-battery",
    });
    let r = http(addr, "POST", "/api/v1/auth/register", None, Some(&body)).await.unwrap();
    assert_eq!(r.status, 201, "{:?}", r.body);
    let cookie = r
        .set_cookie
        .iter()
        .find_map(|c| c.split(';').next().unwrap().strip_prefix("tessera_session="))
        .expect("a session cookie")
        .to_string();
    Person {
        user_id: r.body["user"]["id"].as_i64().unwrap(),
        cookie,
        csrf: r.body["csrf_token"].as_str().unwrap().to_string(),
    }
}

/// What became of request `i`.
#[derive(Debug, Clone)]
enum Outcome {
    NotSent,
    Answered(Answer),
    Unanswered(String),
}

/// A voucher as the file holds it, with its ledger entries.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    redeemed: bool,
    redeemed_by: Option<i64>,
    redeemed_locker: Option<i64>,
    /// (locker, kind, device-months) of each entry naming this voucher.
    entries: Vec<(i64, String, i64)>,
}

/// id, code_hash, redeemed_at, redeemed_by, redeemed_locker
type VoucherRow = (i64, String, Option<String>, Option<i64>, Option<i64>);
/// voucher_id, locker_id, sku, kind, device_months
type EntryRow = (Option<i64>, i64, String, String, i64);

/// Every voucher by code hash, read from the file with the server stopped; with the
/// database's own check that every balance is the sum of its entries, and each locker's
/// balance of the SKU.
async fn inspect(data_dir: &Path) -> (HashMap<String, Stored>, BTreeMap<i64, i64>) {
    let db = Db::open(&data_dir.join("tessera.db")).await.unwrap();
    let mismatches = db.ledger_mismatches().await.unwrap();
    assert!(mismatches.is_empty(), "balances that are not the sum of their entries: {mismatches:?}");
    db.close().await;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(data_dir.join("tessera.db")).read_only(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
    let rows: Vec<VoucherRow> =
        sqlx::query_as("SELECT id, code_hash, redeemed_at, redeemed_by, redeemed_locker FROM vouchers")
            .fetch_all(&pool)
            .await
            .unwrap();
    let entries: Vec<EntryRow> =
        sqlx::query_as("SELECT voucher_id, locker_id, sku, kind, device_months FROM ledger_entries")
            .fetch_all(&pool)
            .await
            .unwrap();
    let balances: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT locker_id, sku, device_months FROM balances").fetch_all(&pool).await.unwrap();
    pool.close().await;
    let mut by_voucher: HashMap<i64, Vec<(i64, String, i64)>> = HashMap::new();
    for (voucher, locker, sku, kind, device_months) in entries {
        assert_eq!(sku, SKU);
        let voucher = voucher.unwrap_or_else(|| panic!("an entry no redemption wrote: {kind} {device_months}"));
        by_voucher.entry(voucher).or_default().push((locker, kind, device_months));
    }
    let vouchers = rows
        .into_iter()
        .map(|(id, hash, at, by, locker)| {
            let stored = Stored {
                redeemed: at.is_some(),
                redeemed_by: by,
                redeemed_locker: locker,
                entries: by_voucher.remove(&id).unwrap_or_default(),
            };
            (hash, stored)
        })
        .collect();
    assert!(by_voucher.is_empty(), "entries of vouchers that do not exist: {by_voucher:?}");
    let balances = balances
        .into_iter()
        .map(|(locker, sku, dm)| {
            assert_eq!(sku, SKU);
            (locker, dm)
        })
        .collect();
    (vouchers, balances)
}

/// Whole: either redeemed, into one locker, with exactly one `redeem` entry of its worth
/// there, or untouched with no entry.
fn assert_whole(what: &str, v: &Stored) {
    if v.redeemed {
        let locker = v.redeemed_locker.unwrap_or_else(|| panic!("{what}: redeemed into no locker: {v:?}"));
        assert!(v.redeemed_by.is_some(), "{what}: redeemed by nobody: {v:?}");
        assert_eq!(v.entries, vec![(locker, "redeem".to_string(), DEVICE_MONTHS)], "{what}: {v:?}");
    } else {
        assert_eq!((v.redeemed_by, v.redeemed_locker, v.entries.len()), (None, None, 0), "{what}: half-written: {v:?}");
    }
}

/// Balances per locker equal 12 × the vouchers redeemed into it.
fn assert_balances_follow_vouchers(vouchers: &HashMap<String, Stored>, balances: &BTreeMap<i64, i64>) {
    let mut expected: BTreeMap<i64, i64> = BTreeMap::new();
    for v in vouchers.values().filter(|v| v.redeemed) {
        *expected.entry(v.redeemed_locker.unwrap()).or_default() += DEVICE_MONTHS;
    }
    assert_eq!(balances, &expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_mid_redemptions_keeps_every_answered_credit_and_half_writes_none() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    cli(
        data,
        &["admin", "create-vendor", "--org", "V", "--email", "ops@v.example", "--password-stdin"],
        Some("a-long-vendor-passphrase\n"),
    );
    let count = VOUCHERS.to_string();
    let out = cli(data, &["vouchers", "issue", "--sku", SKU, "--quantity", "1", "--count", &count], None);
    let codes: Vec<String> = out.lines().map(str::to_string).collect();
    assert_eq!(codes.len(), VOUCHERS, "{out}");
    let hashes: Vec<String> = codes.iter().map(|c| token_hash(Code::parse(c).unwrap().as_compact())).collect();

    let mut server = Server::start(data).await;
    let mut people = Vec::new();
    for k in 0..PEOPLE {
        people.push(register(server.addr, k).await);
    }
    // Request i redeems code i for person i mod 4: each code once, and the requests in flight
    // when the process dies spread over the four people (a retry that finds its code already
    // redeemed counts against its person's throttle, which allows 10).
    let who = |i: usize| &people[i % PEOPLE];

    let outcomes = Arc::new(Mutex::new(vec![Outcome::NotSent; VOUCHERS]));
    let next = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for _ in 0..IN_FLIGHT {
        let (outcomes, next, answered, stop) = (outcomes.clone(), next.clone(), answered.clone(), stop.clone());
        let (addr, codes, people) = (server.addr, codes.clone(), people.clone());
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= VOUCHERS {
                    break;
                }
                let body = json!({ "code": codes[i] });
                let outcome =
                    match http(addr, "POST", "/api/v1/locker/redeem", Some(&people[i % PEOPLE]), Some(&body)).await {
                        Ok(answer) => {
                            answered.fetch_add(1, Ordering::SeqCst);
                            Outcome::Answered(answer)
                        }
                        Err(e) => Outcome::Unanswered(e),
                    };
                outcomes.lock().unwrap()[i] = outcome;
            }
        }));
    }
    let deadline = Instant::now() + PATIENCE;
    while answered.load(Ordering::SeqCst) < KILL_AFTER {
        assert!(Instant::now() < deadline, "{} answers in {PATIENCE:?}", answered.load(Ordering::SeqCst));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    stop.store(true, Ordering::SeqCst);
    server.kill();
    for w in workers {
        w.await.unwrap();
    }
    let outcomes = outcomes.lock().unwrap().clone();
    let log = server.log_tail();
    drop(server);

    // Before the restart, from the file: what was answered is there, nothing is half-written.
    let (vouchers, balances) = inspect(data).await;
    assert_eq!(vouchers.len(), VOUCHERS);
    let (mut ok, mut unanswered, mut written_unanswered, mut not_sent) = (0, Vec::new(), 0, 0);
    let mut failures: BTreeMap<String, usize> = BTreeMap::new();
    for (i, outcome) in outcomes.iter().enumerate() {
        let v = &vouchers[&hashes[i]];
        assert_whole(&format!("code {i}"), v);
        match outcome {
            Outcome::Answered(a) => {
                assert_eq!(a.status, 200, "code {i}: {:?}\n{log}", a.body);
                ok += 1;
                assert!(v.redeemed, "code {i} was answered 200 and its redemption is lost: {v:?}");
                assert_eq!(v.redeemed_by, Some(who(i).user_id), "code {i}");
                // The body may have been cut short by the kill; when it came, it is right.
                if a.body.is_object() {
                    assert_eq!((&a.body["sku"], &a.body["added_device_months"]), (&json!(SKU), &json!(DEVICE_MONTHS)));
                }
            }
            Outcome::Unanswered(why) => {
                unanswered.push(i);
                *failures.entry(why.clone()).or_insert(0) += 1;
                if v.redeemed {
                    written_unanswered += 1;
                    assert_eq!(v.redeemed_by, Some(who(i).user_id), "code {i}");
                }
            }
            Outcome::NotSent => {
                not_sent += 1;
                assert!(!v.redeemed, "code {i} was never sent and is redeemed: {v:?}");
            }
        }
    }
    assert!(ok >= KILL_AFTER, "{ok} answered");
    assert!(not_sent > 0, "the server died after every request had been sent: nothing was cut half-way");
    assert_eq!(vouchers.values().filter(|v| v.redeemed).count(), ok + written_unanswered);
    assert_balances_follow_vouchers(&vouchers, &balances);
    eprintln!(
        "before the kill: {ok} answered 200, {} unanswered (of which {written_unanswered} committed; {failures:?}), {not_sent} never sent",
        unanswered.len()
    );

    // The restarted server answers, shows each person the credits of the vouchers that were
    // redeemed for them, and a retry of an unanswered request credits once at most.
    let server = Server::start(data).await;
    for (k, person) in people.iter().enumerate() {
        let r = http(server.addr, "GET", "/api/v1/locker", Some(person), None).await.unwrap();
        assert_eq!(r.status, 200, "{:?}", r.body);
        let held =
            r.body["balances"].as_array().unwrap().iter().map(|b| b["device_months"].as_i64().unwrap()).sum::<i64>();
        let mine = (0..VOUCHERS).filter(|i| i % PEOPLE == k && vouchers[&hashes[*i]].redeemed).count();
        assert_eq!(held, DEVICE_MONTHS * i64::try_from(mine).unwrap(), "person {k}: {:?}", r.body);
    }
    for &i in &unanswered {
        let body = json!({ "code": codes[i] });
        let r = http(server.addr, "POST", "/api/v1/locker/redeem", Some(who(i)), Some(&body)).await.unwrap();
        if vouchers[&hashes[i]].redeemed {
            assert_eq!((r.status, &r.body["error"]["code"]), (409, &json!("code_already_redeemed")), "code {i}");
            let message = r.body["error"]["message"].as_str().unwrap_or("");
            assert!(message.contains("into your locker"), "code {i}: {message}");
        } else {
            assert_eq!(r.status, 200, "code {i}: {:?}", r.body);
        }
    }
    // The rest of the 1,000, so that every code has been asked for once.
    for (i, outcome) in outcomes.iter().enumerate() {
        if matches!(outcome, Outcome::NotSent) {
            let body = json!({ "code": codes[i] });
            let r = http(server.addr, "POST", "/api/v1/locker/redeem", Some(who(i)), Some(&body)).await.unwrap();
            assert_eq!(r.status, 200, "code {i}: {:?}", r.body);
        }
    }
    drop(server);

    let (vouchers, balances) = inspect(data).await;
    for (i, hash) in hashes.iter().enumerate() {
        let v = &vouchers[hash];
        assert_whole(&format!("code {i}"), v);
        assert!(v.redeemed && v.redeemed_by == Some(who(i).user_id), "code {i}: {v:?}");
    }
    assert_balances_follow_vouchers(&vouchers, &balances);
    assert_eq!(balances.values().sum::<i64>(), DEVICE_MONTHS * i64::try_from(VOUCHERS).unwrap());
    eprintln!("done in {:?}", started.elapsed());
}
