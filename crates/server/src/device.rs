//! Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a
//! browser that signed in to an account holds a cookie signed by the server for that
//! address, so that a stranger's guessing, which locks strangers out of the account, does
//! not lock its owner out. The cookie proves only "this browser signed in here before":
//! it opens nothing, and a device that guesses itself gets locked out on its own.
//!
//! One cookie holds the entries of up to [`MAX_ENTRIES`] accounts (a shared browser), each
//! `nonce.mac` with `mac = HMAC-SHA256(key, address, nonce)`; the address is not in the
//! cookie, it is the one being signed in to. The key lives in the data directory
//! ([`KEY_FILE`], 32 random bytes, owner-only), made on first use; deleting it forgets
//! every device.

use axum::http::{HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use std::path::Path;
use std::sync::Arc;
use tessera_domain::email::Email;

pub const COOKIE_NAME: &str = "tessera_device";
/// When cookies are `Secure`: as for the session, a `__Host-` cookie cannot be planted by a
/// neighbouring subdomain.
pub const SECURE_COOKIE_NAME: &str = "__Host-tessera_device";
/// Long-lived: the point is to recognise the owner's browser weeks later.
pub const MAX_AGE_DAYS: i64 = 365;
/// Accounts remembered by one browser; the oldest is dropped first.
pub const MAX_ENTRIES: usize = 5;
pub const KEY_FILE: &str = "device-cookie.key";

/// The signing key, read (or made) once per process from the data directory. Kept in
/// `Config` like the hashing budget, so every way of building the state has it.
#[derive(Clone, Default)]
pub struct DeviceKey(Arc<tokio::sync::OnceCell<[u8; 32]>>);

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKey(***)")
    }
}

impl DeviceKey {
    /// The key, or `None` (logged) when the data directory cannot give one: then no device
    /// is trusted, which is the throttle of old, not an error for the person signing in.
    pub async fn get(&self, data_dir: &Path) -> Option<&[u8; 32]> {
        match self.0.get_or_try_init(|| async { load_or_create(&data_dir.join(KEY_FILE)) }).await {
            Ok(key) => Some(key),
            Err(e) => {
                tracing::error!(error = %e, file = KEY_FILE, "device cookie key unusable: no device is trusted");
                None
            }
        }
    }
}

/// The key is written to a temporary file and hard-linked into place, so a crash never
/// leaves a short key file behind, and two processes starting together agree on one key.
fn load_or_create(path: &Path) -> Result<[u8; 32], String> {
    if let Some(key) = read_key(path)? {
        return Ok(key);
    }
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    let temp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temp).and_then(|mut file| {
        std::io::Write::write_all(&mut file, &key)?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temp, path));
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(key),
        // Another process won the race: use its key.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            read_key(path)?.ok_or_else(|| format!("{} vanished", path.display()))
        }
        Err(e) => Err(format!("cannot create {}: {e}", path.display())),
    }
}

fn read_key(path: &Path) -> Result<Option<[u8; 32]>, String> {
    match std::fs::read(path) {
        Ok(bytes) => {
            #[cfg(unix)]
            if let Ok(meta) = std::fs::metadata(path) {
                if std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o077 != 0 {
                    tracing::warn!(file = %path.display(), "the device cookie key is readable by others than its owner");
                }
            }
            let key = bytes.try_into().map_err(|_| format!("{} does not hold 32 bytes", path.display()))?;
            Ok(Some(key))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// The entries of the device cookie, unverified.
pub fn entries(headers: &HeaderMap, secure: bool) -> Vec<String> {
    crate::session::cookie_values(headers, cookie_name(secure))
        .flat_map(|value| value.split('~'))
        .filter(|entry| well_formed(entry))
        .take(MAX_ENTRIES)
        .map(str::to_string)
        .collect()
}

/// `nonce.mac` in base64url, of a sane length: the only shape [`issue`] passes on, since the
/// entries of other accounts go back to the browser unverified.
fn well_formed(entry: &str) -> bool {
    let b64 = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    entry.len() <= 128 && entry.split_once('.').is_some_and(|(nonce, mac)| b64(nonce) && b64(mac))
}

/// Signed for the address as the domain's `Email` keeps it; input that is no address never
/// signed in, so nothing is signed or recognised for it.
fn mac(key: &[u8; 32], email: &str, nonce: &str) -> Option<Hmac<Sha256>> {
    let email = Email::parse(email).ok()?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    mac.update(b"tessera-device\0");
    mac.update(email.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(nonce.as_bytes());
    Some(mac)
}

/// The nonce of the entry signed for `email`, if any: what the device is known by.
pub fn trusted_nonce(key: &[u8; 32], entries: &[String], email: &str) -> Option<String> {
    entries.iter().find_map(|entry| {
        let (nonce, signature) = entry.split_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        // `verify_slice` compares in constant time.
        mac(key, email, nonce)?.verify_slice(&signature).ok()?;
        Some(nonce.to_string())
    })
}

/// The `Set-Cookie` after a successful sign-in to `email`: a new entry for it first (a new
/// nonce, so the device's failure count starts afresh), then the browser's other accounts.
pub fn issue(key: &[u8; 32], entries: &[String], email: &str, secure: bool) -> Option<HeaderValue> {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    let nonce = URL_SAFE_NO_PAD.encode(bytes);
    let signature = URL_SAFE_NO_PAD.encode(mac(key, email, &nonce)?.finalize().into_bytes());
    let mine = trusted_nonce(key, entries, email);
    let others = entries.iter().filter(|e| mine.as_ref().is_none_or(|n| e.split_once('.').map(|p| p.0) != Some(n)));
    let value = std::iter::once(format!("{nonce}.{signature}"))
        .chain(others.cloned())
        .take(MAX_ENTRIES)
        .collect::<Vec<_>>()
        .join("~");
    let name = cookie_name(secure);
    let max_age = MAX_AGE_DAYS * 24 * 3600;
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    fn cookie_entries(set: &HeaderValue) -> Vec<String> {
        let mut headers = HeaderMap::new();
        let pair = set.to_str().expect("ascii").split(';').next().expect("a pair").to_string();
        headers.insert(header::COOKIE, HeaderValue::from_str(&pair).expect("valid"));
        entries(&headers, false)
    }

    #[test]
    fn a_cookie_is_trusted_for_its_own_address_only() {
        let key = [7u8; 32];
        let set = issue(&key, &[], "Ann@Example.com ", false).expect("a cookie");
        let c = set.to_str().expect("ascii");
        assert!(c.starts_with("tessera_device=") && c.contains("HttpOnly") && c.contains("Max-Age=31536000"));
        let got = cookie_entries(&set);
        assert!(trusted_nonce(&key, &got, "ann@example.com").is_some());
        assert!(trusted_nonce(&key, &got, "bob@example.com").is_none());
        assert!(trusted_nonce(&[8u8; 32], &got, "ann@example.com").is_none(), "another key");
        let forged = vec![format!("{}.AAAA", got[0].split_once('.').expect("dot").0)];
        assert!(trusted_nonce(&key, &forged, "ann@example.com").is_none());
    }

    #[test]
    fn one_browser_remembers_several_accounts_and_renews_its_entry() {
        let key = [1u8; 32];
        let first = cookie_entries(&issue(&key, &[], "a@x.example", false).expect("cookie"));
        let both = cookie_entries(&issue(&key, &first, "b@x.example", false).expect("cookie"));
        assert_eq!(both.len(), 2);
        let renewed = cookie_entries(&issue(&key, &both, "a@x.example", false).expect("cookie"));
        assert_eq!(renewed.len(), 2, "a's entry replaced, not added");
        assert_ne!(trusted_nonce(&key, &renewed, "a@x.example"), trusted_nonce(&key, &first, "a@x.example"));
        assert!(trusted_nonce(&key, &renewed, "b@x.example").is_some());
        let secure = issue(&key, &[], "a@x.example", true).expect("cookie");
        let secure = secure.to_str().expect("ascii");
        assert!(secure.starts_with("__Host-tessera_device=") && secure.contains("; Path=/;"), "{secure}");
        assert!(secure.contains("; Secure") && !secure.contains("Domain="), "{secure}");
    }

    #[test]
    fn only_well_formed_entries_are_read_and_passed_on() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("tessera_device=a.b~x y.z~=.~no-dot~c.d.e~f_-.g; other=1"),
        );
        assert_eq!(entries(&headers, false), vec!["a.b".to_string(), "f_-.g".to_string()]);
    }

    #[test]
    fn the_key_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(KEY_FILE);
        let made = load_or_create(&path).expect("made");
        assert_eq!(load_or_create(&path).expect("read"), made);
        std::fs::write(&path, b"short").expect("write");
        assert!(load_or_create(&path).is_err());
    }
}
