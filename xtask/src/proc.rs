//! Running child processes: echoing the command, a PATH with our tools first, and
//! capturing output while still showing it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// PATH with the project's npm tools (wasm-opt) and cargo's bin first.
pub fn tool_path() -> String {
    let mut parts = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        parts.push(cwd.join("node_modules/.bin").display().to_string());
    }
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        parts.push(std::path::Path::new(&home).join("bin").display().to_string());
    } else if let Some(home) = std::env::var_os("HOME") {
        parts.push(std::path::Path::new(&home).join(".cargo/bin").display().to_string());
    }
    parts.push(std::env::var("PATH").unwrap_or_default());
    parts.join(":")
}

pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).env("PATH", tool_path());
    c
}

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs to completion with inherited output; Err if it cannot start or fails.
pub fn run(mut c: Command) -> Result<(), String> {
    let what = describe(&c);
    eprintln!("xtask: $ {what}");
    let status = c.status().map_err(|e| format!("cannot start `{what}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{what}` failed ({status})"))
    }
}

/// Standard output of a command that must succeed (its standard error shown as it comes).
pub fn output_of(mut c: Command) -> Result<String, String> {
    let what = describe(&c);
    eprintln!("xtask: $ {what}");
    let out = c.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot start `{what}`: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("`{what}` failed ({})", out.status))
    }
}

/// Output of a command that must succeed, as text (for version checks).
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program, args).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs with output shown live and also returned (stdout and stderr interleaved
/// by line), so that a summary can be read from it.
pub fn run_tee(mut c: Command) -> (bool, String) {
    let what = describe(&c);
    eprintln!("xtask: $ {what}");
    let mut child = match c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => return (false, format!("cannot start `{what}`: {e}")),
    };
    let captured = Arc::new(Mutex::new(String::new()));
    let mut threads = Vec::new();
    if let Some(out) = child.stdout.take() {
        threads.push(pump(out, captured.clone(), false));
    }
    if let Some(err) = child.stderr.take() {
        threads.push(pump(err, captured.clone(), true));
    }
    for t in threads {
        let _ = t.join();
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    let text = captured.lock().map(|s| s.clone()).unwrap_or_default();
    (ok, text)
}

fn pump(
    stream: impl std::io::Read + Send + 'static,
    sink: Arc<Mutex<String>>,
    to_stderr: bool,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if to_stderr {
                let _ = writeln!(std::io::stderr(), "{line}");
            } else {
                let _ = writeln!(std::io::stdout(), "{line}");
            }
            if let Ok(mut s) = sink.lock() {
                s.push_str(&line);
                s.push('\n');
            }
        }
    })
}
