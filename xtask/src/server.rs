//! Building and starting `tessera-server`.

use crate::proc::{cmd, run};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

pub const BINARY: &str = "target/debug/tessera-server";

/// The optimized server (`--profile server`), for benchmarks and deployment.
pub const RELEASE_BINARY: &str = "target/server/tessera-server";

pub fn build() -> Result<(), String> {
    run(cmd("cargo", &["build", "--package", "tessera-server"]))
}

pub fn build_release() -> Result<(), String> {
    run(cmd("cargo", &["build", "--profile", "server", "--package", "tessera-server"]))
}

/// Runs the server in the foreground until it exits (Ctrl-C stops it gracefully).
pub fn run_foreground(envs: &[(&str, String)]) -> Result<(), String> {
    let mut c = cmd(BINARY, &["serve"]);
    for (k, v) in envs {
        c.env(k, v);
    }
    run(c)
}

/// A server on a free loopback port with a throw-away database; killed on drop.
pub struct TestServer {
    child: Child,
    pub url: String,
    /// Its database and keys; the end-to-end tests use the CLI on it too.
    pub data_dir: PathBuf,
}

impl TestServer {
    pub fn start(name: &str) -> Result<TestServer, String> {
        Self::start_binary(name, BINARY)
    }

    pub fn start_binary(name: &str, binary: &str) -> Result<TestServer, String> {
        Self::start_prepared(name, binary, |_| Ok(()))
    }

    /// Like [`TestServer::start_binary`], with `prepare` run on the empty data directory
    /// first (e.g. `tessera-server demo large` filling the database).
    pub fn start_prepared(
        name: &str,
        binary: &str,
        prepare: impl FnOnce(&std::path::Path) -> Result<(), String>,
    ) -> Result<TestServer, String> {
        let addr = free_port()?;
        let data_dir = std::env::current_dir()
            .map_err(|e| e.to_string())?
            .join("target")
            .join(format!("{name}-data-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(&data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
        prepare(&data_dir)?;
        let log = std::fs::File::create(data_dir.join("server.log")).map_err(|e| e.to_string())?;
        let child = cmd(binary, &["serve"])
            .env("TESSERA_ADDR", addr.to_string())
            .env("TESSERA_DATA_DIR", &data_dir)
            .env("TESSERA_STATIC_DIR", "dist")
            .env("TESSERA_DEV", "1")
            .env("TESSERA_DEMO", "0")
            .env_remove("TESSERA_SMTP_URL")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {binary}: {e}"))?;
        let server = TestServer { child, url: format!("http://{addr}"), data_dir };
        server.wait_healthy(addr)?;
        Ok(server)
    }

    fn wait_healthy(&self, addr: SocketAddr) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if health_ok(addr) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(self.data_dir.join("server.log")).unwrap_or_default();
        Err(format!("the server did not become healthy within 60 s; its log:\n{log}"))
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn free_port() -> Result<SocketAddr, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map_err(|e| e.to_string())
}

fn health_ok(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /api/v1/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}
