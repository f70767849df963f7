//! `cargo xtask bench`: sizes of the release build, timings in headless Chromium, and
//! API throughput against a release build of the server. Figures are recorded by hand
//! in docs/benchmarks.md.

use crate::proc::{self, cmd};
use crate::server::TestServer;
use crate::{server, tools, web};

pub fn run() -> Result<(), String> {
    tools::ensure(true)?;
    web::build()?;
    server::build_release()?;
    let server = TestServer::start_binary("bench", server::RELEASE_BINARY)?;
    let mut c = cmd("node", &["tools/bench.mjs", "dist"]);
    c.env("BASE_URL", &server.url);
    proc::run(c)?;
    let codes = issue_codes(&server, VOUCHER_RUNS)?;
    let credits = issue_license_credits(&server)?;
    let mut c = cmd("node", &["tools/bench-api.mjs"]);
    c.env("BASE_URL", &server.url).env("BENCH_CODES", &codes).env("BENCH_LICENSE_CODE", credits.trim());
    proc::run(c)?;
    drop(server);
    renewals_at_scale()
}

/// The Renewals page against a plain table, on a database of one customer with 10,000
/// devices (`tessera-server demo large`).
fn renewals_at_scale() -> Result<(), String> {
    const SCRIPT: &str = "tools/bench-renewals.mjs";
    if !std::path::Path::new(SCRIPT).exists() {
        return Ok(());
    }
    let server = TestServer::start_prepared("bench-large", server::RELEASE_BINARY, |dir| {
        let mut c = cmd(server::RELEASE_BINARY, &["demo", "large", "--devices", "10000"]);
        c.env("TESSERA_DATA_DIR", dir);
        proc::output_of(c).map(|out| eprintln!("xtask: {}", out.trim()))
    })?;
    let mut c = cmd("node", &[SCRIPT]);
    c.env("BASE_URL", &server.url);
    proc::run(c)
}

/// One voucher of 100,000 units of DCM-STD-12 (1.2 million device-months), for the license
/// benchmark: each creation consumes one unit.
fn issue_license_credits(server: &TestServer) -> Result<String, String> {
    let mut c = cmd(
        server::RELEASE_BINARY,
        &["vouchers", "issue", "--sku", "DCM-STD-12", "--quantity", "100000", "--count", "1"],
    );
    c.env("TESSERA_DATA_DIR", &server.data_dir);
    proc::output_of(c)
}

/// Runs of 1,000 vouchers (the CLI's limit per run) for the redemption benchmark: more than
/// its five seconds can use at the aimed 1,000 redemptions a second.
const VOUCHER_RUNS: usize = 8;

/// Issues vouchers with the CLI on the bench server's database (safe while it runs) and
/// writes their codes, one per line, to a file the Node script reads.
fn issue_codes(server: &TestServer, runs: usize) -> Result<std::path::PathBuf, String> {
    let mut all = String::new();
    for _ in 0..runs {
        let mut c = cmd(
            server::RELEASE_BINARY,
            &["vouchers", "issue", "--sku", "MON-STD-12", "--quantity", "1", "--count", "1000"],
        );
        c.env("TESSERA_DATA_DIR", &server.data_dir);
        all.push_str(&proc::output_of(c)?);
    }
    let path = server.data_dir.join("bench-codes.txt");
    std::fs::write(&path, all).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
