//! Offline license files (SPEC §4): a license's fields in plain JSON plus a `signature`,
//! Ed25519 over the canonical bytes of the rest, so that an installation without network
//! access can check a file against the vendor's public key.
//!
//! Canonical bytes: the document without `signature`, as compact JSON with the keys of
//! every object in byte order (what `serde_json` writes for a `BTreeMap`), so that a file
//! re-indented by an editor still verifies while any change of a value does not.
//!
//! The key is a 32-byte Ed25519 seed kept as a PKCS#8 PEM file (`openssl pkey` reads it):
//! `data/license-signing.pem`, made with mode 0600 on first start, or the file named by
//! `TESSERA_LICENSE_KEY`. Losing it means files signed before no longer verify against
//! the served key, so back it up with the database.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The `format` every file carries; a later layout gets a new one.
pub const FORMAT: &str = "tessera-license/1";

/// PKCS#8 v1 for an Ed25519 private key is this prefix and the 32-byte seed (RFC 8410 §7).
const PKCS8_PREFIX: [u8; 16] =
    [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
/// SubjectPublicKeyInfo for an Ed25519 public key is this prefix and the 32-byte key.
const SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// The server's signing key.
pub struct Signer {
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("key_id", &self.key_id()).finish_non_exhaustive()
    }
}

impl Signer {
    /// The default place of the key in the data directory.
    pub fn default_path(data_dir: &Path) -> PathBuf {
        data_dir.join("license-signing.pem")
    }

    /// Reads the key at `path`, or makes one there when no file exists.
    pub fn load_or_create(path: &Path) -> Result<Signer, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_pem(&text).map_err(|e| format!("license signing key {}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut seed);
                let signer = Signer { key: SigningKey::from_bytes(&seed) };
                write_private(path, &signer.private_pem())
                    .map_err(|e| format!("cannot write the license signing key {}: {e}", path.display()))?;
                tracing::info!(path = %path.display(), key_id = %signer.key_id(), "made a license signing key");
                Ok(signer)
            }
            Err(e) => Err(format!("cannot read the license signing key {}: {e}", path.display())),
        }
    }

    /// A PKCS#8 `PRIVATE KEY` PEM of an Ed25519 seed.
    pub fn from_pem(text: &str) -> Result<Signer, String> {
        let der = pem_body(text, "PRIVATE KEY")?;
        let seed = der
            .strip_prefix(&PKCS8_PREFIX[..])
            .and_then(|s| <[u8; 32]>::try_from(s).ok())
            .ok_or("not an Ed25519 private key (PKCS#8)")?;
        Ok(Signer { key: SigningKey::from_bytes(&seed) })
    }

    fn private_pem(&self) -> String {
        let mut der = PKCS8_PREFIX.to_vec();
        der.extend_from_slice(&self.key.to_bytes());
        pem("PRIVATE KEY", &der)
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn key_id(&self) -> String {
        key_id(&self.verifying_key())
    }

    /// Signs `fields` (every field of the document but `signature`) and returns the file.
    pub fn sign(&self, fields: BTreeMap<String, Value>) -> Value {
        let signature = self.key.sign(&canonical(&fields));
        let mut doc: Map<String, Value> = fields.into_iter().collect();
        doc.insert("signature".into(), Value::String(STANDARD.encode(signature.to_bytes())));
        Value::Object(doc)
    }
}

/// The first 16 hex digits of the public key's SHA-256.
pub fn key_id(key: &VerifyingKey) -> String {
    Sha256::digest(key.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The public key as a PEM `PUBLIC KEY`.
pub fn public_pem(key: &VerifyingKey) -> String {
    let mut der = SPKI_PREFIX.to_vec();
    der.extend_from_slice(key.as_bytes());
    pem("PUBLIC KEY", &der)
}

/// Reads a public key: a PEM `PUBLIC KEY`, a PKCS#8 private key (its public half), or the
/// 32 bytes in base64 (as `GET /api/v1/license-key` gives `public_key`).
pub fn read_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = if text.contains("PRIVATE KEY") {
        return Signer::from_pem(text).map(|s| s.verifying_key());
    } else if text.contains("-----BEGIN") {
        let der = pem_body(text, "PUBLIC KEY")?;
        der.strip_prefix(&SPKI_PREFIX[..]).and_then(|k| k.try_into().ok()).ok_or("not an Ed25519 public key")?
    } else {
        STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or("not a public key: expected a PEM or 32 bytes in base64")?
    };
    VerifyingKey::from_bytes(&bytes).map_err(|_| "not a valid Ed25519 public key".to_string())
}

/// Why a file does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    NotJson(String),
    NoSignature,
    BadSignatureEncoding,
    WrongSignature,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::NotJson(e) => write!(f, "not a license file (JSON object expected): {e}"),
            VerifyError::NoSignature => f.write_str("the file has no signature"),
            VerifyError::BadSignatureEncoding => f.write_str("the signature is not 64 bytes of base64"),
            VerifyError::WrongSignature => {
                f.write_str("the signature does not match: the file was changed, or signed by another key")
            }
        }
    }
}

/// Checks a license file's text against `key`; returns its fields when it verifies.
pub fn verify(text: &str, key: &VerifyingKey) -> Result<BTreeMap<String, Value>, VerifyError> {
    let mut fields: BTreeMap<String, Value> = match serde_json::from_str(text) {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        Ok(_) => return Err(VerifyError::NotJson("not an object".into())),
        Err(e) => return Err(VerifyError::NotJson(e.to_string())),
    };
    let Some(Value::String(signature)) = fields.remove("signature") else {
        return Err(VerifyError::NoSignature);
    };
    let bytes: [u8; 64] = STANDARD
        .decode(signature.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(VerifyError::BadSignatureEncoding)?;
    key.verify(&canonical(&fields), &Signature::from_bytes(&bytes)).map_err(|_| VerifyError::WrongSignature)?;
    Ok(fields)
}

/// Compact JSON with every object's keys in order, nested ones included.
fn canonical(fields: &BTreeMap<String, Value>) -> Vec<u8> {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let ordered: BTreeMap<&String, Value> = map.iter().map(|(k, v)| (k, sorted(v))).collect();
                serde_json::to_value(ordered).unwrap_or(Value::Null)
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    let ordered: BTreeMap<&String, Value> = fields.iter().map(|(k, v)| (k, sorted(v))).collect();
    // Serializing a map of strings to JSON values cannot fail.
    serde_json::to_vec(&ordered).unwrap_or_default()
}

fn pem(label: &str, der: &[u8]) -> String {
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", STANDARD.encode(der))
}

fn pem_body(text: &str, label: &str) -> Result<Vec<u8>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin).ok_or_else(|| format!("no {begin} line"))? + begin.len();
    let stop = text[start..].find(&end).ok_or_else(|| format!("no {end} line"))? + start;
    let b64: String = text[start..stop].chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(b64).map_err(|_| "the PEM body is not base64".to_string())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields() -> BTreeMap<String, Value> {
        let doc = json!({"activation_id": "7QKX-M2PA-9RTD-WH4Q", "quantity": 10, "addons": ["A"], "nested": {"b": 1, "a": 2}});
        match doc {
            Value::Object(m) => m.into_iter().collect(),
            _ => BTreeMap::new(),
        }
    }

    #[test]
    fn a_signed_file_verifies_and_any_change_breaks_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = Signer::default_path(dir.path());
        let signer = Signer::load_or_create(&path).expect("made");
        let again = Signer::load_or_create(&path).expect("read back");
        assert_eq!(signer.key_id(), again.key_id(), "the key is kept, not remade");
        let file = serde_json::to_string_pretty(&signer.sign(fields())).expect("json");
        let key = signer.verifying_key();
        assert_eq!(verify(&file, &key).map(|f| f["quantity"].clone()), Ok(json!(10)));
        let tampered = file.replace("10", "11");
        assert_eq!(verify(&tampered, &key), Err(VerifyError::WrongSignature));
        let other = Signer { key: SigningKey::from_bytes(&[7; 32]) };
        assert_eq!(verify(&file, &other.verifying_key()), Err(VerifyError::WrongSignature));
        assert_eq!(verify("[]", &key).map(|_| ()), Err(VerifyError::NotJson("not an object".into())));
        assert_eq!(verify("{}", &key), Err(VerifyError::NoSignature));
    }

    #[test]
    fn keys_read_back_in_every_served_form() {
        let signer = Signer { key: SigningKey::from_bytes(&[3; 32]) };
        let key = signer.verifying_key();
        assert_eq!(read_public_key(&public_pem(&key)), Ok(key));
        assert_eq!(read_public_key(&STANDARD.encode(key.as_bytes())), Ok(key));
        assert_eq!(read_public_key(&signer.private_pem()), Ok(key));
        assert!(read_public_key("nonsense").is_err());
        assert_eq!(key_id(&key).len(), 16);
        // RFC 8410's example key pair: openssl writes and reads the same bytes.
        assert!(public_pem(&key).starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
    }
}
