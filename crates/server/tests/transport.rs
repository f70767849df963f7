//! Behind an https public URL: the session cookie is `__Host-` prefixed and Secure, and
//! every response carries Strict-Transport-Security; behind http, neither.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt;

fn set_cookie(reply: &common::Reply) -> String {
    reply.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_string()
}

async fn me_with_cookie(app: &common::TestApp, cookie: &str) -> StatusCode {
    let request = Request::builder().uri("/api/v1/me").header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    app.router.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn over_https_the_cookie_is_host_prefixed_and_hsts_is_sent() {
    let mut app = common::TestApp::with_config(|c| c.public_url = "HTTPS://portal.example".into()).await;
    let r = app.register("individual", "", "hsts@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let cookie = set_cookie(&r);
    assert!(cookie.starts_with("__Host-tessera_session=") && cookie.contains("; Path=/;"), "{cookie}");
    assert!(cookie.contains("; Secure") && !cookie.contains("Domain="), "{cookie}");
    assert_eq!(r.headers[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000; includeSubDomains");

    let token = cookie.split(';').next().unwrap().strip_prefix("__Host-tessera_session=").unwrap();
    assert_eq!(me_with_cookie(&app, &format!("__Host-tessera_session={token}")).await, StatusCode::OK);
    // The unprefixed name is what a neighbouring site could plant: it opens nothing.
    assert_eq!(me_with_cookie(&app, &format!("tessera_session={token}")).await, StatusCode::UNAUTHORIZED);

    // Every answer carries it, the refusals and the static app too.
    let r = app.other_browser().get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
    assert!(app.other_browser().get("/").await.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
}

#[tokio::test]
async fn over_http_the_cookie_keeps_its_name_and_no_hsts_is_sent() {
    let mut app = common::TestApp::with_config(|c| c.public_url = "http://127.0.0.1:8080".into()).await;
    let r = app.register("individual", "", "plain@example.com").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let cookie = set_cookie(&r);
    assert!(cookie.starts_with("tessera_session=") && !cookie.contains("Secure"), "{cookie}");
    assert!(!r.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
}
