//! `cargo xtask <command>`: the one entry point to build, run, test and measure Tessera.
//! Every command installs what it needs first (see `tools.rs`), so a fresh machine
//! needs nothing but Rust.

mod bench;
mod fuzz;
mod proc;
mod server;
mod summary;
mod test;
mod tools;
mod web;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command>

  run     [--addr HOST:PORT]  build everything and run Tessera with demo data
                              (default http://127.0.0.1:8080; data in data/)
  test                        fmt, clippy, native tests, wasm tests, end-to-end tests,
                              API fuzzer
  e2e     [FILE…]             only the end-to-end tests (all, or the files given)
  fuzz                        only the API fuzzer (schemathesis) against the OpenAPI document
  bench                       wasm size, first render, API throughput (docs/benchmarks.md)
  build                       build the web app (dist/) and the server
  setup   [--browser]         install the tools only (trunk, wasm-bindgen, npm tools;
                              --browser adds Chromium and the API fuzzer)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    if let Err(e) = std::env::set_current_dir(&root) {
        eprintln!("xtask: cannot enter {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => return test::run(),
        Some("e2e") => return test::run_e2e_only(&args[1..]),
        Some("fuzz") => tools::fuzzer().and_then(|()| server::build()).and_then(|()| fuzz::run()),
        Some("bench") => bench::run(),
        Some("build") => tools::ensure(false).and_then(|()| web::build()).and_then(|()| server::build()),
        Some("setup") => tools::ensure(args.iter().any(|a| a == "--browser")),
        Some("help") | Some("--help") | Some("-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let addr = match args {
        [] => None,
        [flag, value] if flag == "--addr" => Some(value.clone()),
        _ => return Err("usage: cargo xtask run [--addr HOST:PORT]".into()),
    };
    tools::ensure(false)?;
    web::build()?;
    server::build()?;
    let mut envs: Vec<(&str, String)> = vec![("TESSERA_DEMO", "1".into())];
    if std::env::var_os("TESSERA_STATIC_DIR").is_none() {
        envs.push(("TESSERA_STATIC_DIR", "dist".into()));
    }
    if let Some(addr) = addr {
        envs.push(("TESSERA_ADDR", addr));
    }
    server::run_foreground(&envs)
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
