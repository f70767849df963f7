//! Secrets: password hashes (Argon2id), random tokens, and what is derived from them.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// Argon2id with the crate's defaults (19 MiB, t=2): ~18 ms a hash here. CPU-bound,
/// so callers run it on the blocking pool.
pub fn hash_password(password: &str) -> Result<String, String> {
    hash_password_with(password, &mut hashing_memory())
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    verify_password_with(password, stored, &mut hashing_memory())
}

/// The working memory of one hash with our parameters (19 MiB). The hashing budget keeps
/// one per slot and reuses it: left to the allocator, every thread that ever hashed kept
/// its own 19 MiB arena (measured: +305 MiB after 64 sign-ins with two slots).
pub fn hashing_memory() -> Vec<Block> {
    vec![Block::default(); Params::default().block_count()]
}

/// [`hash_password`] in the caller's memory; the same PHC string the `argon2` crate writes.
pub fn hash_password_with(password: &str, memory: &mut [Block]) -> Result<String, String> {
    let fail = |e: &dyn std::fmt::Display| format!("argon2: {e}");
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(|e| fail(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        .map_err(|e| fail(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(hash.to_string())
}

/// [`verify_password`] in the caller's memory. A stored hash that needs more memory than
/// given (made with stronger parameters) gets its own for the occasion.
pub fn verify_password_with(password: &str, stored: &str, memory: &mut [Block]) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return false };
    let Ok(version) = parsed.version.map(Version::try_from).transpose() else { return false };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut own;
    let memory = if memory.len() >= params.block_count() {
        memory
    } else {
        own = vec![Block::default(); params.block_count()];
        &mut own[..]
    };
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version.unwrap_or_default(), params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)
        .is_ok()
        // `Output` compares in constant time.
        && Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// A valid hash of an unguessable password: verifying against it when the email is
/// unknown makes a failed sign-in take as long whether or not the account exists.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: a copy of the database opens nothing.
pub fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// The CSRF token of a session is derived from its (HttpOnly) cookie token, so it
/// needs no storage and another site, which cannot read the cookie, cannot forge it.
pub fn csrf_token(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"tessera-csrf\0");
    h.update(session_token.as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A one-time password people can type: 20 symbols of an unambiguous alphabet (~100 bits).
pub fn generated_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(24);
    while out.len() < 20 {
        let mut b = [0u8; 1];
        OsRng.fill_bytes(&mut b);
        // Reject the tail of the byte range so every symbol is equally likely.
        let limit = 256 - (256 % ALPHABET.len());
        if (b[0] as usize) < limit {
            out.push(ALPHABET[b[0] as usize % ALPHABET.len()] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn hashes_are_interchangeable_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_password("correct horse battery").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(Argon2::default().verify_password(b"correct horse battery", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong horse battery", &parsed).is_err());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"correct horse battery", &salt).expect("hash").to_string();
        assert_eq!(theirs.split('$').take(4).collect::<Vec<_>>(), ours.split('$').take(4).collect::<Vec<_>>());
        let mut memory = hashing_memory();
        assert!(verify_password_with("correct horse battery", &theirs, &mut memory));
        assert!(!verify_password_with("correct horse batterz", &theirs, &mut memory));
    }

    #[test]
    fn a_stronger_stored_hash_still_verifies_with_less_memory_given() {
        use argon2::password_hash::PasswordHasher;
        let params = Params::new(2 * Params::DEFAULT_M_COST, 2, 1, None).expect("params");
        let salt = SaltString::generate(&mut OsRng);
        let strong = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"correct horse battery", &salt)
            .expect("hash")
            .to_string();
        assert!(verify_password_with("correct horse battery", &strong, &mut hashing_memory()));
        assert!(!verify_password_with("correct horse battery", "$argon2id$v=19$m=8,t=1,p=1$bad", &mut []));
    }

    #[test]
    fn tokens_are_distinct_and_hashes_do_not_reveal_them() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(csrf_token(&a), token_hash(&a));
    }

    #[test]
    fn generated_passwords_pass_the_password_rules() {
        let p = generated_password();
        assert_eq!(p.chars().count(), 20);
        assert!(tessera_domain::password::check(&p, "ops@vendor.example").is_ok());
    }

    #[test]
    fn constant_time_eq_compares_content_and_length() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
