//! The throttle on password guesses (sign-in and the current-password check of a password
//! change), after OWASP's device cookies: failures count per account address, and past
//! [`MAX_LOGIN_FAILURES`] within [`THROTTLE_WINDOW_MINUTES`] strangers get 429
//! `too_many_attempts`. A browser holding a device cookie for the address is counted on
//! its own instead: while strangers are locked out it is answered after a bounded delay
//! (`Config::login_slowdown`), not refused, so a stranger's guessing cannot lock the owner
//! out; and past the same limit of its own failures, that device gets 429 too.

use crate::audit;
use crate::device;
use crate::error::{ApiError, ApiResult};
use crate::security;
use crate::state::AppState;
use crate::storage::Limit;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use chrono::Duration;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use tessera_domain::email::Email;

/// Failed password checks allowed per address (or per known device) within the window.
pub const MAX_LOGIN_FAILURES: i64 = 10;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// What throttling and the audit trail know of the caller: the request id, the
/// (unverified) entries of its device cookie, and its network address.
pub struct Client {
    pub request_id: String,
    devices: Vec<String>,
    /// The key of the caller's network address for per-client limits (see [`network_key`]);
    /// `None` when the server was not told (requests driven in-process).
    pub network: Option<String>,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().rev().find_map(|v| v.to_str().ok());
        Ok(Client {
            request_id: audit::request_id(&parts.headers),
            devices: device::entries(&parts.headers, state.config.secure_cookies()),
            network: peer.map(|peer| {
                let forwarded = forwarded.filter(|_| state.config.trust_proxy);
                network_key(client_address(peer, forwarded))
            }),
        })
    }
}

/// The address a request came from. With `TESSERA_TRUST_PROXY=1`, a reverse proxy on the
/// same machine connects from loopback and appends the address it saw to
/// `X-Forwarded-For`: that last entry is the proxy's own word, where earlier ones are the
/// client's and could be anything. From any other peer the header is the client's and is
/// ignored. (Without the setting the caller passes no header: a proxy that forwards the
/// client's header unchanged would otherwise let every request name its own address.)
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
    // A dual-stack listener sees a local IPv4 proxy as `::ffff:127.0.0.1`.
    let peer = peer.to_canonical();
    if !peer.is_loopback() {
        return peer;
    }
    forwarded_for
        .and_then(|header| header.rsplit(',').next())
        .and_then(|last| {
            let last = last.trim();
            // Some proxies append the client's port: `203.0.113.9:1234`, `[2001:db8::1]:443`.
            last.parse::<IpAddr>().ok().or_else(|| last.parse::<SocketAddr>().ok().map(|a| a.ip()))
        })
        .map(|ip| ip.to_canonical())
        .unwrap_or(peer)
}

/// One key per client network: an IPv4 address, or an IPv6 address's /64 (one household
/// or office gets a whole /64 and could otherwise take a fresh address per request).
pub fn network_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// One password check under the throttle: [`Attempt::begin`] before the hashing slot,
/// [`Attempt::reserve`] once it is held, [`Attempt::succeeded`] if the password was right.
pub struct Attempt {
    email: String,
    /// The count this attempt goes to: the device's own when it is known, else the address's.
    key: String,
    pub known_device: bool,
    /// Strangers are locked out of the address and this known device waited.
    pub slowed: bool,
}

/// 429 `too_many_attempts` with the wait as `Retry-After`.
pub fn too_many_attempts_until(wait: Duration) -> ApiError {
    too_many_attempts(wait)
}

fn too_many_attempts(wait: Duration) -> ApiError {
    ApiError::too_many(
        "too_many_attempts",
        "Too many failed attempts. Please wait a few minutes and try again.",
        wait.num_seconds().max(1) as u64,
    )
}

/// Sign-in failures of strangers are counted per email address, whoever sends them, under
/// the address as the domain's `Email` keeps it, so that no spelling of one address gets a
/// count of its own. Input that is no address has one count (no account can have it).
fn account_key(email: &str) -> String {
    match Email::parse(email) {
        Ok(email) => format!("login:{}", email.as_str()),
        Err(_) => "login:not-an-address".to_string(),
    }
}

/// A known device's failures; the nonce is hashed so the table holds nothing of the cookie.
fn device_key(nonce: &str) -> String {
    format!("device:{}", security::token_hash(nonce))
}

impl Attempt {
    /// Recognises a device cookie signed for `email`, and makes a known device wait while
    /// strangers are locked out of the address. Waits before the hashing slot is taken, so
    /// a waiting request holds no hashing memory.
    pub async fn begin(state: &AppState, client: &Client, email: &str) -> ApiResult<Attempt> {
        let nonce = match state.config.device_key.get(&state.config.data_dir).await {
            Some(key) => device::trusted_nonce(key, &client.devices, email),
            None => None,
        };
        let Some(nonce) = nonce else {
            return Ok(Attempt {
                email: email.to_string(),
                key: account_key(email),
                known_device: false,
                slowed: false,
            });
        };
        let now = state.clock.now();
        let window = Duration::minutes(THROTTLE_WINDOW_MINUTES);
        let slowed = state.db.auth_attempts_exhausted(&account_key(email), now, window, MAX_LOGIN_FAILURES).await?;
        if slowed {
            tokio::time::sleep(state.config.login_slowdown).await;
        }
        Ok(Attempt { email: email.to_string(), key: device_key(&nonce), known_device: true, slowed })
    }

    /// 429 at once while this attempt's count is full, before the caller queues for a
    /// hashing slot: a flood of locked-out guesses must not crowd out other sign-ins (nor
    /// get 503 `busy` instead of 429). Records nothing; [`Attempt::reserve`] still decides.
    pub async fn refuse_early(&self, state: &AppState) -> ApiResult<()> {
        let now = state.clock.now();
        let window = Duration::minutes(THROTTLE_WINDOW_MINUTES);
        match state.db.auth_attempts_allowed(&self.key, now, window, MAX_LOGIN_FAILURES).await? {
            Ok(()) => Ok(()),
            Err(allowed_at) => Err(too_many_attempts(allowed_at - now)),
        }
    }

    /// 429 while this attempt's count is full; otherwise the attempt counts as a failure
    /// until [`Attempt::succeeded`] forgives it.
    pub async fn reserve(&self, state: &AppState) -> ApiResult<()> {
        let now = state.clock.now();
        let window = Duration::minutes(THROTTLE_WINDOW_MINUTES);
        if let Err(allowed_at) = state.db.reserve_auth_attempt(&self.key, now, window, MAX_LOGIN_FAILURES).await? {
            return Err(too_many_attempts(allowed_at - now));
        }
        Ok(())
    }

    /// The password was right: this attempt's count is forgiven (a known device's success
    /// does not forgive the strangers' failures), and the browser gets a fresh device
    /// cookie for the address (`None` when no key is available).
    pub async fn succeeded(&self, state: &AppState, client: &Client) -> ApiResult<Option<HeaderValue>> {
        state.db.clear_auth_failures(&self.key).await?;
        let Some(key) = state.config.device_key.get(&state.config.data_dir).await else { return Ok(None) };
        Ok(device::issue(key, &client.devices, &self.email, state.config.secure_cookies()))
    }

    /// What the audit trail says of the client.
    pub fn detail(&self) -> &'static str {
        match (self.known_device, self.slowed) {
            (false, _) => "unknown_device",
            (true, false) => "known_device",
            (true, true) => "known_device_slowed",
        }
    }
}

/// Forgets the strangers' failures against `email`: its owner just proved the address.
pub async fn forgive(state: &AppState, email: &str) -> ApiResult<()> {
    state.db.clear_auth_failures(&account_key(email)).await?;
    Ok(())
}

/// Registrations (and, counted apart, invitation acceptances) allowed per client network
/// and hour: generous, since a whole office often shares one address, and still a wall
/// against a script that makes accounts (or hashes passwords) by the thousand.
pub const ACCOUNTS_PER_NETWORK_PER_HOUR: i64 = 30;

/// What a per-network limit counts.
#[derive(Debug, Clone, Copy)]
pub enum NetworkLimit {
    Registration,
    InvitationAccept,
}

impl NetworkLimit {
    fn kind(self) -> &'static str {
        match self {
            NetworkLimit::Registration => "registration",
            NetworkLimit::InvitationAccept => "invitation_accept",
        }
    }
}

/// Counts one request of `what` for the client's network, or refuses it with 429
/// `too_many_requests` past [`ACCOUNTS_PER_NETWORK_PER_HOUR`]. Checked before any password
/// is hashed. A request whose network is unknown (driven in-process) is not counted.
pub async fn per_network(state: &AppState, client: &Client, what: NetworkLimit) -> ApiResult<()> {
    let Some(network) = client.network.as_deref() else {
        return Ok(());
    };
    let now = state.clock.now();
    let limit = Limit { kind: what.kind(), key: Some(network), max: ACCOUNTS_PER_NETWORK_PER_HOUR };
    match state.db.take_rate(&[limit], now, Duration::hours(1)).await? {
        Ok(()) => Ok(()),
        Err(allowed_at) => {
            audit::Event::new(audit::Action::ClientThrottled, &client.request_id).detail(what.kind()).emit();
            Err(too_many_requests(
                "Too many accounts were created from your network in the last hour. Please try again later.",
                allowed_at - now,
            ))
        }
    }
}

/// 429 `too_many_requests`: a limit on how often something may be asked for (mails,
/// accounts), as opposed to `too_many_attempts` on password guesses.
pub fn too_many_requests(message: &str, wait: Duration) -> ApiError {
    ApiError::too_many("too_many_requests", message.to_string(), wait.num_seconds().max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::{account_key, client_address, network_key};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn only_a_local_proxy_is_believed_and_only_its_own_entry() {
        let local = ip("127.0.0.1");
        assert_eq!(client_address(local, Some("10.0.0.1, 203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(client_address(local, Some("not an address")), local);
        assert_eq!(client_address(local, None), local);
        assert_eq!(client_address(ip("198.51.100.2"), Some("203.0.113.7")), ip("198.51.100.2"));
        assert_eq!(client_address(ip("::1"), Some(" 2001:db8::1 ")), ip("2001:db8::1"));
        assert_eq!(client_address(ip("::ffff:127.0.0.1"), Some("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(client_address(local, Some("203.0.113.7:1234")), ip("203.0.113.7"));
        assert_eq!(client_address(local, Some("[2001:db8::1]:443")), ip("2001:db8::1"));
    }

    #[test]
    fn an_ipv6_network_is_counted_as_one_client() {
        assert_eq!(network_key(ip("2001:db8:1:2:aaaa::1")), network_key(ip("2001:db8:1:2:bbbb::9")));
        assert_ne!(network_key(ip("2001:db8:1:2::1")), network_key(ip("2001:db8:1:3::1")));
        assert_eq!(network_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert_eq!(network_key(ip("192.0.2.1")), "192.0.2.1");
    }

    #[test]
    fn every_spelling_of_an_address_shares_one_count() {
        let key = account_key("alice@example.com");
        for spelling in [" Alice@Example.COM ", "ALICE@EXAMPLE.COM", "\talice@example.com\n"] {
            assert_eq!(account_key(spelling), key, "{spelling:?}");
        }
        assert_ne!(account_key("bob@example.com"), key);
        assert_eq!(account_key("not an address"), account_key("also@@wrong"));
    }
}
