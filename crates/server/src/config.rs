//! Configuration: built-in defaults, then an optional TOML file, then environment
//! variables. The variable names are a contract with deployment scripts.

use crate::device::DeviceKey;
use crate::hashing::HashBudget;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// `TESSERA_ADDR`
    pub addr: SocketAddr,
    /// `TESSERA_DATA_DIR`: the SQLite file and keys.
    pub data_dir: PathBuf,
    /// `TESSERA_STATIC_DIR`: the built browser app.
    pub static_dir: PathBuf,
    /// `TESSERA_PUBLIC_URL`: base of links in mail, without trailing slash.
    pub public_url: String,
    /// `TESSERA_SMTP_URL`: unset keeps mail in the outbox.
    pub smtp_url: Option<Secret>,
    /// `TESSERA_DEMO=1`: seed demo data on first start.
    pub demo: bool,
    /// `TESSERA_TRUST_PROXY=1`: a reverse proxy on this machine appends the client's address
    /// to `X-Forwarded-For` (nginx: `proxy_set_header X-Forwarded-For
    /// $proxy_add_x_forwarded_for;`), and the per-network limits believe its last entry when
    /// the request comes from loopback. Off: every request counts for its TCP peer.
    pub trust_proxy: bool,
    /// `TESSERA_DEV=1`: dev-only pages and the clock override.
    pub dev: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// `TESSERA_HASH_CONCURRENCY` (default: the number of cores) and `TESSERA_HASH_WAIT_MS`
    /// (default 2000): how many password hashes run at once, and how long a request waits
    /// for one before it is answered 503 `busy`.
    pub hashing: HashBudget,
    /// `TESSERA_LOGIN_SLOWDOWN_MS` (default 1000): how long a sign-in from a known device
    /// waits while strangers are locked out of the account (see `throttle`).
    pub login_slowdown: Duration,
    /// Signs device cookies; read from (or made in) the data directory on first use.
    pub device_key: DeviceKey,
    /// `TESSERA_CATALOG`: a catalog file to sell from instead of the one built into the server
    /// (`crate::catalog`); unset or empty: the built-in one.
    pub catalog: Option<PathBuf>,
    /// `TESSERA_LICENSE_KEY`: the PKCS#8 PEM file of the Ed25519 key that signs license
    /// files; unset: `license-signing.pem` in the data directory, made on first start.
    pub license_key: Option<PathBuf>,
    /// `TESSERA_TODAY=YYYY-MM-DD` (dev mode only): the clock starts at 12:00 UTC of that day,
    /// in the server and in every command-line call, so demos and tests travel in time.
    pub today: Option<chrono::NaiveDate>,
}

/// A value that must never reach a log line (an SMTP URL carries a password).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Long enough to make a stolen device cookie a slow guesser, short enough for its owner.
pub const DEFAULT_LOGIN_SLOWDOWN: Duration = Duration::from_secs(1);

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            static_dir: PathBuf::from("dist"),
            public_url: "http://127.0.0.1:8080".into(),
            smtp_url: None,
            demo: false,
            trust_proxy: false,
            dev: false,
            body_limit: 64 * 1024,
            hashing: HashBudget::default(),
            login_slowdown: DEFAULT_LOGIN_SLOWDOWN,
            device_key: DeviceKey::default(),
            catalog: None,
            license_key: None,
            today: None,
        }
    }
}

/// The TOML file's shape: every key optional, same names as the fields.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    static_dir: Option<PathBuf>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    demo: Option<bool>,
    trust_proxy: Option<bool>,
    dev: Option<bool>,
    body_limit: Option<usize>,
    hash_concurrency: Option<usize>,
    hash_wait_ms: Option<u64>,
    login_slowdown_ms: Option<u64>,
    catalog: Option<PathBuf>,
    license_key: Option<PathBuf>,
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Defaults, then `file` (if given), then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
            config.apply_file(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        }
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    fn apply_file(&mut self, text: &str) -> Result<(), String> {
        let file: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        let addr_given = file.addr.is_some();
        if let Some(v) = file.addr {
            self.addr = v;
        }
        if let Some(v) = file.data_dir {
            self.data_dir = v;
        }
        if let Some(v) = file.static_dir {
            self.static_dir = v;
        }
        match file.public_url {
            Some(v) => self.public_url = v.trim_end_matches('/').to_string(),
            None if addr_given => self.public_url = format!("http://{}", self.addr),
            None => {}
        }
        if let Some(v) = file.smtp_url {
            self.smtp_url = Some(Secret(v));
        }
        if let Some(v) = file.trust_proxy {
            self.trust_proxy = v;
        }
        if let Some(v) = file.demo {
            self.demo = v;
        }
        if let Some(v) = file.dev {
            self.dev = v;
        }
        if let Some(v) = file.body_limit {
            self.body_limit = v;
        }
        if file.hash_concurrency == Some(0) {
            return Err("hash_concurrency = 0: use a whole number of at least 1".into());
        }
        self.set_hashing(file.hash_concurrency, file.hash_wait_ms.map(Duration::from_millis));
        if let Some(v) = file.login_slowdown_ms {
            self.login_slowdown = bounded_slowdown(Duration::from_millis(v));
        }
        if let Some(v) = file.catalog {
            self.catalog = (!v.as_os_str().is_empty()).then_some(v);
        }
        if let Some(v) = file.license_key {
            self.license_key = (!v.as_os_str().is_empty()).then_some(v);
        }
        Ok(())
    }

    /// `get` reads one variable; injected so tests need not touch the real environment.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let public_url_given = get("TESSERA_PUBLIC_URL").is_some();
        if let Some(v) = get("TESSERA_ADDR") {
            self.addr = v
                .parse()
                .map_err(|_| ConfigError(format!("TESSERA_ADDR={v:?} is not an address like 127.0.0.1:8080")))?;
            if !public_url_given {
                self.public_url = format!("http://{}", self.addr);
            }
        }
        if let Some(v) = get("TESSERA_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("TESSERA_STATIC_DIR") {
            self.static_dir = PathBuf::from(v);
        }
        if let Some(v) = get("TESSERA_PUBLIC_URL") {
            self.public_url = v.trim_end_matches('/').to_string();
        }
        if let Some(v) = get("TESSERA_SMTP_URL") {
            self.smtp_url = (!v.is_empty()).then_some(Secret(v));
        }
        if let Some(v) = get("TESSERA_TRUST_PROXY") {
            self.trust_proxy = flag("TESSERA_TRUST_PROXY", &v)?;
        }
        if let Some(v) = get("TESSERA_DEMO") {
            self.demo = flag("TESSERA_DEMO", &v)?;
        }
        if let Some(v) = get("TESSERA_DEV") {
            self.dev = flag("TESSERA_DEV", &v)?;
        }
        let concurrency = get("TESSERA_HASH_CONCURRENCY")
            .map(|v| match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(ConfigError(format!("TESSERA_HASH_CONCURRENCY={v:?}: use a whole number of at least 1"))),
            })
            .transpose()?;
        let wait = get("TESSERA_HASH_WAIT_MS")
            .map(|v| {
                v.trim().parse::<u64>().map(Duration::from_millis).map_err(|_| {
                    ConfigError(format!("TESSERA_HASH_WAIT_MS={v:?}: use a number of milliseconds like 2000"))
                })
            })
            .transpose()?;
        self.set_hashing(concurrency, wait);
        if let Some(v) = get("TESSERA_LOGIN_SLOWDOWN_MS") {
            let ms = v.trim().parse::<u64>().map_err(|_| {
                ConfigError(format!("TESSERA_LOGIN_SLOWDOWN_MS={v:?}: use a number of milliseconds like 1000"))
            })?;
            self.login_slowdown = bounded_slowdown(Duration::from_millis(ms));
        }
        if let Some(v) = get("TESSERA_CATALOG") {
            self.catalog = (!v.is_empty()).then(|| PathBuf::from(v));
        }
        if let Some(v) = get("TESSERA_LICENSE_KEY") {
            self.license_key = (!v.is_empty()).then(|| PathBuf::from(v));
        }
        if let Some(v) = get("TESSERA_TODAY").filter(|v| !v.trim().is_empty()) {
            let day = tessera_domain::catalog::date::parse(v.trim())
                .ok_or_else(|| ConfigError(format!("TESSERA_TODAY={v:?} is not a date like 2026-03-01")))?;
            self.today = Some(day);
        }
        if self.today.is_some() && !self.dev {
            return Err(ConfigError(
                "TESSERA_TODAY moves the clock, which only dev mode allows: set TESSERA_DEV=1".into(),
            ));
        }
        Ok(())
    }

    /// A new budget only when asked: a clone of this config shares the running one.
    fn set_hashing(&mut self, concurrency: Option<usize>, wait: Option<Duration>) {
        if concurrency.is_some() || wait.is_some() {
            self.hashing =
                HashBudget::new(concurrency.unwrap_or(self.hashing.concurrency()), wait.unwrap_or(self.hashing.wait()));
        }
    }

    /// People reach us over TLS (a URL's scheme is case-insensitive).
    pub fn https(&self) -> bool {
        self.public_url.get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    }

    /// Cookies get `Secure` when people reach us over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.https()
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("tessera.db")
    }

    pub fn license_key_path(&self) -> PathBuf {
        self.license_key.clone().unwrap_or_else(|| crate::license_file::Signer::default_path(&self.data_dir))
    }

    /// The clock: the system's, or in dev mode with `TESSERA_TODAY` set, noon UTC of that day.
    pub fn clock(&self) -> crate::clock::Clock {
        let clock = crate::clock::Clock::default();
        if let Some(day) = self.today.filter(|_| self.dev) {
            clock.set_today(day);
        }
        clock
    }
}

/// Never more than [`MAX_LOGIN_SLOWDOWN`]: a slow-down, not a lock-out by other means.
fn bounded_slowdown(wanted: Duration) -> Duration {
    wanted.min(MAX_LOGIN_SLOWDOWN)
}

pub const MAX_LOGIN_SLOWDOWN: Duration = Duration::from_secs(10);

fn flag(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(ConfigError(format!("{name}={value:?}: use 1 or 0"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        let mut c = Config::default();
        c.apply_file("addr = \"127.0.0.1:9000\"\ndata_dir = \"/srv/t\"\ndemo = true\n").expect("valid file");
        assert_eq!(c.addr.port(), 9000);
        assert_eq!(c.public_url, "http://127.0.0.1:9000");
        c.apply_env(env(&[("TESSERA_DATA_DIR", "/var/t"), ("TESSERA_DEMO", "0")])).expect("valid env");
        assert_eq!(c.data_dir, PathBuf::from("/var/t"));
        assert!(!c.demo);
        assert_eq!(c.database_path(), PathBuf::from("/var/t/tessera.db"));
    }

    #[test]
    fn public_url_follows_addr_unless_given() {
        let mut c = Config::default();
        c.apply_env(env(&[("TESSERA_ADDR", "127.0.0.1:1234")])).expect("valid");
        assert_eq!(c.public_url, "http://127.0.0.1:1234");
        c.apply_env(env(&[("TESSERA_ADDR", "0.0.0.0:80"), ("TESSERA_PUBLIC_URL", "https://t.example/")]))
            .expect("valid");
        assert_eq!(c.public_url, "https://t.example");
        assert!(c.secure_cookies());
        c.apply_env(env(&[("TESSERA_PUBLIC_URL", "HTTPS://T.example")])).expect("valid");
        assert!(c.https() && c.secure_cookies());
        c.apply_env(env(&[("TESSERA_PUBLIC_URL", "http://t.example")])).expect("valid");
        assert!(!c.https() && !c.secure_cookies());
    }

    #[test]
    fn bad_values_are_reported_not_ignored() {
        let mut c = Config::default();
        assert!(c.apply_env(env(&[("TESSERA_ADDR", "nope")])).is_err());
        assert!(c.apply_env(env(&[("TESSERA_DEV", "maybe")])).is_err());
        assert!(c.apply_file("unknown_key = 1").is_err());
    }

    #[test]
    fn hashing_budget_comes_from_file_and_environment() {
        let mut c = Config::default();
        assert!(c.hashing.concurrency() >= 1);
        assert_eq!(c.hashing.wait(), Duration::from_secs(2));
        c.apply_file("hash_concurrency = 3\nhash_wait_ms = 500\n").expect("valid file");
        assert_eq!((c.hashing.concurrency(), c.hashing.wait()), (3, Duration::from_millis(500)));
        c.apply_env(env(&[("TESSERA_HASH_CONCURRENCY", "2")])).expect("valid env");
        assert_eq!((c.hashing.concurrency(), c.hashing.wait()), (2, Duration::from_millis(500)));
        assert!(c.apply_env(env(&[("TESSERA_HASH_CONCURRENCY", "0")])).is_err());
        assert!(c.apply_file("hash_concurrency = 0\n").is_err(), "the file refuses 0 like the environment");
        assert!(c.apply_env(env(&[("TESSERA_HASH_WAIT_MS", "soon")])).is_err());
    }

    #[test]
    fn login_slowdown_is_configurable_and_bounded() {
        let mut c = Config::default();
        assert_eq!(c.login_slowdown, Duration::from_secs(1));
        c.apply_file("login_slowdown_ms = 250\n").expect("valid file");
        assert_eq!(c.login_slowdown, Duration::from_millis(250));
        c.apply_env(env(&[("TESSERA_LOGIN_SLOWDOWN_MS", "3600000")])).expect("valid env");
        assert_eq!(c.login_slowdown, MAX_LOGIN_SLOWDOWN);
        assert!(c.apply_env(env(&[("TESSERA_LOGIN_SLOWDOWN_MS", "later")])).is_err());
    }

    #[test]
    fn catalog_path_comes_from_file_then_environment_and_empty_means_built_in() {
        let mut c = Config::default();
        assert_eq!(c.catalog, None);
        c.apply_file("catalog = \"/etc/tessera/catalog.toml\"\n").expect("valid file");
        assert_eq!(c.catalog, Some(PathBuf::from("/etc/tessera/catalog.toml")));
        c.apply_env(env(&[("TESSERA_CATALOG", "/srv/catalog.toml")])).expect("valid env");
        assert_eq!(c.catalog, Some(PathBuf::from("/srv/catalog.toml")));
        c.apply_env(env(&[("TESSERA_CATALOG", "")])).expect("valid env");
        assert_eq!(c.catalog, None);
        c.apply_file("catalog = \"\"\n").expect("valid file");
        assert_eq!(c.catalog, None);
    }

    #[test]
    fn today_needs_dev_mode_and_a_real_date() {
        let mut c = Config::default();
        assert!(c.apply_env(env(&[("TESSERA_TODAY", "2026-03-01")])).is_err(), "not without dev mode");
        c.apply_env(env(&[("TESSERA_DEV", "1"), ("TESSERA_TODAY", "2026-03-01")])).expect("valid");
        assert_eq!(c.clock().today(), chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"));
        assert!(c.apply_env(env(&[("TESSERA_DEV", "1"), ("TESSERA_TODAY", "2026-02-30")])).is_err());
    }

    #[test]
    fn smtp_url_never_prints() {
        let mut c = Config::default();
        c.apply_env(env(&[("TESSERA_SMTP_URL", "smtp://u:hunter2@mail")])).expect("valid");
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
