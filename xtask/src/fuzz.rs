//! The API fuzzer: schemathesis reads the OpenAPI document a fresh test server serves,
//! generates requests from it (valid ones and deliberately broken ones), and checks every
//! answer against the document: no 5xx, only listed statuses, bodies and headers of the
//! documented schemas, broken input refused. It runs signed in, as a user it registers
//! through the API, so the operations behind the session are reached too.

use crate::proc::{cmd, run_tee};
use crate::server::TestServer;
use crate::tools::SCHEMATHESIS;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Test cases per operation and phase. With a fixed seed every run sends the same requests,
/// so a failure reproduces; about 4,800 requests in 1 to 1.5 minutes on a 2-core machine.
const MAX_EXAMPLES: &str = "200";
const SEED: &str = "20261201";
/// The checks' settings and the session's place in the requests (`TESSERA_FUZZ_*` below).
const CONFIG: &str = "tools/schemathesis.toml";

pub fn run() -> Result<(), String> {
    let server = TestServer::start("fuzz")?;
    let (cookie, csrf) = sign_up(&server)?;
    let api = format!("{}/api/v1", server.url);
    let schema = format!("{api}/openapi.json");
    // Run from a folder of its own: schemathesis and Hypothesis keep caches in the current one.
    let root = std::env::current_dir().map_err(|e| e.to_string())?;
    let workdir = root.join("target/fuzz");
    std::fs::create_dir_all(&workdir).map_err(|e| format!("{}: {e}", workdir.display()))?;
    let (program, config) = (root.join(SCHEMATHESIS), root.join(CONFIG));
    let started = Instant::now();
    let mut c = cmd(
        &program.display().to_string(),
        &[
            "--config-file",
            &config.display().to_string(),
            "run",
            &schema,
            "--url",
            &api,
            "--checks",
            "all",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            "--generation-database",
            "none",
            // Signing out (here or everywhere) would end the session the rest of the run
            // uses, and moving the clock years ahead would expire it: the API tests cover them.
            "--exclude-operation-id",
            "logout",
            "--exclude-operation-id",
            "logout_everywhere",
            "--exclude-operation-id",
            "set_clock",
            "--no-color",
        ],
    );
    c.current_dir(&workdir).env("TESSERA_FUZZ_SESSION", cookie).env("TESSERA_FUZZ_CSRF", csrf);
    let (ok, _) = run_tee(c);
    eprintln!("xtask: the API fuzzer ran for {:.0} s", started.elapsed().as_secs_f64());
    if ok {
        Ok(())
    } else {
        eprintln!("xtask: server log of the fuzzer's run (end):\n{}", tail(&server.log(), 200));
        Err("the API fuzzer found answers that do not match the OpenAPI document".into())
    }
}

/// Registers a user on the test server; its session cookie and CSRF token.
fn sign_up(server: &TestServer) -> Result<(String, String), String> {
    let body = r#"{"org_kind":"customer","org_name":"Fuzz Ltd","name":"Robot","email":"robot@example.com","password":"fuzzing-the-api-safely"}"#;
    session_of(&post_json(server, "/api/v1/auth/register", body)?)
}

/// The session cookie and CSRF token of a successful sign-up's raw HTTP answer.
fn session_of(response: &str) -> Result<(String, String), String> {
    let (head, body) = response.split_once("\r\n\r\n").ok_or("registering the fuzzer's user: no answer")?;
    if !head.starts_with("HTTP/1.1 201") {
        return Err(format!("registering the fuzzer's user failed:\n{head}\n\n{body}"));
    }
    let cookie = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .find_map(|(_, value)| value.trim().strip_prefix("tessera_session="))
        .and_then(|v| v.split(';').next())
        .ok_or("registering the fuzzer's user: no session cookie")?;
    let csrf = body
        .split_once("\"csrf_token\":\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(token, _)| token)
        .ok_or("registering the fuzzer's user: no csrf_token")?;
    Ok((cookie.to_string(), csrf.to_string()))
}

fn post_json(server: &TestServer, path: &str, body: &str) -> Result<String, String> {
    let addr = server.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| e.to_string())?;
    Ok(response)
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_session_of_a_sign_up() {
        let answer = "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n\
                      set-cookie: tessera_session=abc123; Path=/; HttpOnly\r\n\r\n\
                      {\"user\":{\"id\":1},\"csrf_token\":\"xyz\",\"must_change_password\":false}";
        assert_eq!(session_of(answer), Ok(("abc123".into(), "xyz".into())));
        let refused = "HTTP/1.1 422 Unprocessable Entity\r\n\r\n{\"error\":{}}";
        assert!(session_of(refused).is_err_and(|e| e.contains("422")));
    }
}
