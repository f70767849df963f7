//! `cargo xtask bench`: sizes of the release build and timings in headless Chromium.
//! Figures are recorded by hand in docs/benchmarks.md.

use crate::proc::{self, cmd};
use crate::server::TestServer;
use crate::{server, tools, web};

pub fn run() -> Result<(), String> {
    tools::ensure(true)?;
    web::build()?;
    server::build()?;
    let server = TestServer::start("bench")?;
    let mut c = cmd("node", &["tools/bench.mjs", "dist"]);
    c.env("BASE_URL", &server.url);
    proc::run(c)
}
