//! The built browser app: static files with SPA fallback, cache policy, and the
//! headers every response carries.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// Serves `dir`, answering unknown paths with `index.html` so that client-side
/// routes (`/team`, `/licenses/…`) survive a reload. Pre-compressed `.br`/`.gz`
/// files written at build time are preferred.
pub fn static_files(dir: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(ServeFile::new(dir.join("index.html")).precompressed_br().precompressed_gzip())
}

/// Trunk names built assets `name-<hash>.ext`, the hash a u64 in hex without padding: such a file never changes, so it
/// may be cached for good; everything else (above all `index.html`) is revalidated.
pub async fn cache_policy(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    if path.starts_with("/api/") {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let value = if !is_html && is_hashed_asset(&path) { "public, max-age=31536000, immutable" } else { "no-cache" };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((name, hash)) => {
            !name.is_empty() && (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// The Content-Security-Policy of our HTML pages. Trunk's loader is an inline module
/// script, so its SHA-256 is allowed by hash (read from the built `index.html` at
/// start) rather than allowing inline scripts at all. `wasm-unsafe-eval` lets the
/// browser compile the app's wasm; inline *style attributes* are allowed because
/// components set them.
pub fn content_security_policy(static_dir: &Path) -> HeaderValue {
    let index = std::fs::read_to_string(static_dir.join("index.html")).unwrap_or_default();
    let hashes: String = inline_scripts(&index)
        .map(|script| {
            use base64::Engine;
            use sha2::Digest;
            let digest = sha2::Sha256::digest(script.as_bytes());
            format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
        })
        .collect();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// The contents of `<script …>…</script>` blocks that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attrs, body) = rest.split_once('>')?;
        let (content, _) = body.split_once("</script>")?;
        (!attrs.contains("src=")).then_some(content)
    })
}

/// `https`: people reach us over TLS. Only then is `Strict-Transport-Security` sent (a year,
/// subdomains too, as ASVS asks): promising https where there is none would lock people out.
pub async fn security_headers(csp: HeaderValue, https: bool, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    let is_html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = "<script type=\"module\">import x;</script><script src=\"/a.js\"></script><script>b()</script>";
        let found: Vec<&str> = super::inline_scripts(html).collect();
        assert_eq!(found, vec!["import x;", "b()"]);
    }

    #[test]
    fn recognizes_trunk_hashed_names() {
        assert!(is_hashed_asset("/tessera-web-1a2b3c4d5e6f7081.js"));
        assert!(is_hashed_asset("/tessera-web-1a2b3c4d5e6f7081_bg.wasm"));
        assert!(is_hashed_asset("/main-00112233445566ff.css"));
        assert!(is_hashed_asset("/favicon-d18d5e992ed662a.svg"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/favicon.svg"));
        assert!(!is_hashed_asset("/tessera-web.js"));
        assert!(!is_hashed_asset("/team"));
    }
}
