//! Installs what the build needs, skipping what is already there at the right
//! version. The recipe and its traps are documented in docs/toolchain.md.

use crate::proc::{cmd, output, run};
use std::path::Path;

pub const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Where `npm ci` was last run from: a copy of the lock file it installed.
const NPM_STAMP: &str = "node_modules/.tessera-installed-lock.json";

pub fn ensure(browser: bool) -> Result<(), String> {
    wasm_target()?;
    trunk()?;
    wasm_bindgen()?;
    npm_tools()?;
    if browser {
        nextest()?;
        chromium()?;
        fuzzer()?;
    }
    Ok(())
}

fn wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    run(cmd("rustup", &["target", "add", WASM_TARGET]))
}

fn trunk() -> Result<(), String> {
    let have = output("trunk", &["--version"]).unwrap_or_default();
    if have.trim() == format!("trunk {TRUNK_VERSION}") {
        return Ok(());
    }
    // trunk 0.22 needs a newer rustc than ours; --locked keeps its tree buildable.
    run(cmd("cargo", &["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
}

/// The CLI must equal the `wasm-bindgen` crate in Cargo.lock, or the generated glue
/// does not match the wasm. Installed without --locked: its pinned webpki-roots no
/// longer builds.
fn wasm_bindgen() -> Result<(), String> {
    let want = lockfile_version("wasm-bindgen")?;
    let trunk_toml = std::fs::read_to_string("Trunk.toml").map_err(|e| format!("Trunk.toml: {e}"))?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{want}\"")) {
        return Err(format!("Trunk.toml [tools] wasm_bindgen must be \"{want}\", the version in Cargo.lock"));
    }
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = output("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    if have.trim() == format!("wasm-bindgen {want}") && runner.contains(&want) {
        return Ok(());
    }
    run(cmd("cargo", &["install", "wasm-bindgen-cli", "--version", &want, "--force"]))
}

pub fn lockfile_version(package: &str) -> Result<String, String> {
    if !Path::new("Cargo.lock").exists() {
        run(cmd("cargo", &["generate-lockfile"]))?;
    }
    let lock = std::fs::read_to_string("Cargo.lock").map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock.find(&needle).ok_or_else(|| format!("{package} is not in Cargo.lock"))? + needle.len();
    let end = lock[start..].find('"').ok_or("Cargo.lock is malformed")?;
    Ok(lock[start..start + end].to_string())
}

/// wasm-opt (npm's binaryen: Debian's is too old and silently breaks the wasm),
/// playwright-core and axe-core, exactly as package-lock.json pins them.
fn npm_tools() -> Result<(), String> {
    let lock = std::fs::read("package-lock.json").map_err(|e| format!("package-lock.json: {e}"))?;
    let stamp = std::fs::read(NPM_STAMP).unwrap_or_default();
    if stamp == lock && Path::new("node_modules/.bin/wasm-opt").exists() {
        return Ok(());
    }
    if output("npm", &["--version"]).is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    run(cmd("npm", &["ci", "--no-audit", "--no-fund", "--loglevel=error"]))?;
    std::fs::write(NPM_STAMP, lock).map_err(|e| format!("{NPM_STAMP}: {e}"))
}

/// The API fuzzer's requirements, pinned with everything they pull in.
const FUZZER_REQUIREMENTS: &str = "tools/schemathesis-requirements.txt";
/// Its Python environment; `FUZZER_STAMP` is a copy of the requirements it was built from.
const FUZZER_VENV: &str = "target/schemathesis";
const FUZZER_STAMP: &str = "target/schemathesis/installed-requirements.txt";
/// The fuzzer's command line.
pub const SCHEMATHESIS: &str = "target/schemathesis/bin/st";

/// schemathesis, the API fuzzer, in a virtual environment of its own under `target/`:
/// rebuilt only when the pinned requirements change.
pub fn fuzzer() -> Result<(), String> {
    let wanted = std::fs::read(FUZZER_REQUIREMENTS).map_err(|e| format!("{FUZZER_REQUIREMENTS}: {e}"))?;
    if std::fs::read(FUZZER_STAMP).is_ok_and(|have| have == wanted) && Path::new(SCHEMATHESIS).exists() {
        return Ok(());
    }
    if output("python3", &["-c", "import venv, ensurepip"]).is_none() {
        apt_install(&["python3", "python3-venv"])?;
    }
    let _ = std::fs::remove_dir_all(FUZZER_VENV);
    run(cmd("python3", &["-m", "venv", FUZZER_VENV]))?;
    let pip = format!("{FUZZER_VENV}/bin/pip");
    run(cmd(&pip, &["install", "--quiet", "--disable-pip-version-check", "--requirement", FUZZER_REQUIREMENTS]))?;
    std::fs::write(FUZZER_STAMP, wanted).map_err(|e| format!("{FUZZER_STAMP}: {e}"))
}

fn nextest() -> Result<(), String> {
    if output("cargo", &["nextest", "--version"]).is_some() {
        return Ok(());
    }
    run(cmd("cargo", &["install", "cargo-nextest", "--locked"]))
}

/// Debian's Chromium and ChromeDriver: the browser of the end-to-end and wasm tests.
fn chromium() -> Result<(), String> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"])
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    // With recommends: Chromium needs its fonts to draw text like people see it.
    let mut args = vec!["install", "-y"];
    args.extend_from_slice(packages);
    let sudo = output("id", &["-u"]).is_some_and(|id| id.trim() != "0");
    let (program, update, install): (&str, Vec<&str>, Vec<&str>) = if sudo {
        ("sudo", vec!["apt-get", "update"], [vec!["apt-get"], args].concat())
    } else {
        ("apt-get", vec!["update"], args)
    };
    run(cmd(program, &update))?;
    let mut c = cmd(program, &install);
    c.env("DEBIAN_FRONTEND", "noninteractive");
    run(c).map_err(|e| format!("{e}\nInstall these Debian packages by hand: {}", packages.join(" ")))
}
