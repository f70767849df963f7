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
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use chrono::Duration;
use std::convert::Infallible;
use tessera_domain::email::Email;

/// Failed password checks allowed per address (or per known device) within the window.
pub const MAX_LOGIN_FAILURES: i64 = 10;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// What throttling and the audit trail know of the caller: the request id and the
/// (unverified) entries of its device cookie.
pub struct Client {
    pub request_id: String,
    devices: Vec<String>,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Client {
            request_id: audit::request_id(&parts.headers),
            devices: device::entries(&parts.headers, state.config.secure_cookies()),
        })
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

#[cfg(test)]
mod tests {
    use super::account_key;

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
