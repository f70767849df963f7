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
    let mut c = cmd("node", &["tools/bench-api.mjs"]);
    c.env("BASE_URL", &server.url);
    proc::run(c)
}
