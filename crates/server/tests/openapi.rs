//! The OpenAPI document is built from the router that serves the API, so the two cannot
//! list different operations:
//! - the router serves nothing the document does not describe: every route passes the
//!   `only_documented` route layer, which answers 404/405 for anything outside the document
//!   (`a_route_outside_the_document_is_not_served` shows a plain `.route()` refused);
//! - the document describes nothing the router does not serve: each documented operation is
//!   probed and must not reach the 404/405 fallbacks.
//!
//! Every answer of every API test is also validated against the document by the request
//! helper (`common::Contract`): status listed for the operation, body of its schema.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use tessera_server::routes;
use tower::ServiceExt;

/// The message of the 404 that the API answers for a path it has no route for.
const NO_SUCH_ENDPOINT: &str = "There is no such API endpoint.";

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.push((method.clone(), path.clone(), op.clone()));
        }
    }
    ops
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => doc.pointer(reference.trim_start_matches('#')).unwrap_or_else(|| panic!("{reference}")),
        None => value,
    }
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_every_reference_resolves() {
    let mut app = common::TestApp::new().await;
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/json");
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3.1."), "{}", r.body["openapi"]);
    assert_eq!(r.body["servers"][0]["url"], "/api/v1");

    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&r.body, &mut all);
    assert!(all.len() > 50, "the document references its components");
    for reference in all {
        assert!(r.body.pointer(reference.trim_start_matches('#')).is_some(), "{reference} does not resolve");
    }
}

/// SPEC §11: `{"error": {"code", "message", "field"?}}`, the domain's `ErrorBody`.
#[tokio::test]
async fn every_error_answer_is_documented_with_the_error_shape() {
    let app = common::TestApp::with_config(|c| c.dev = true).await;
    let doc = &app.contract.doc;
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], json!(["error"]));
    let detail = resolve(doc, &error["properties"]["error"]);
    let mut required: Vec<&str> = detail["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    required.sort();
    assert_eq!(required, ["code", "message"]);
    assert!(detail["properties"]["field"].is_object());

    for (method, path, op) in operations(doc) {
        let responses = op["responses"].as_object().unwrap();
        let listed = |status: &str| responses.contains_key(status);
        for (status, response) in responses {
            let code: u16 = status.parse().unwrap_or_else(|_| panic!("{method} {path}: status {status}"));
            if code >= 400 {
                let response = resolve(doc, response);
                assert_eq!(
                    response.pointer("/content/application~1json/schema/$ref"),
                    Some(&json!("#/components/schemas/ErrorBody")),
                    "{method} {path} {status} is not documented as an ErrorBody"
                );
            }
        }
        // What the extractors and layers in front of every handler can answer.
        assert!(listed("500"), "{method} {path} lacks 500");
        if op.get("requestBody").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(listed(status), "{method} {path} takes a JSON body but lacks {status}");
            }
        }
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        if params.iter().any(|p| p["in"] == "path") {
            assert!(listed("400") && listed("404"), "{method} {path} has a path id but lacks 400 or 404");
        }
        if params.iter().any(|p| p["in"] == "query") {
            assert!(listed("400"), "{method} {path} has a query but lacks 400");
        }
        if method != "get" {
            assert!(listed("403"), "{method} {path} changes state but lacks 403 `csrf`");
        }
        let security = op["security"].as_array().unwrap_or_else(|| panic!("{method} {path} has no security"));
        let needs_session = !security.iter().any(|s| s.as_object().is_some_and(|s| s.is_empty()));
        if needs_session {
            assert!(listed("401"), "{method} {path} needs a session but lacks 401");
        }
    }
}

#[tokio::test]
async fn path_ids_are_documented_with_the_bounds_the_server_reads() {
    let mut app = common::TestApp::new().await;
    app.register("customer", "Acme", "ada@example.com").await;
    let doc = app.contract.doc.clone();
    let mut ids = 0;
    for (method, path, op) in operations(&doc) {
        for p in op["parameters"].as_array().cloned().unwrap_or_default().iter().filter(|p| p["in"] == "path") {
            let schema = &p["schema"];
            assert_eq!(schema["type"], "integer", "{method} {path}");
            assert_eq!(schema["format"], "int64", "{method} {path}");
            assert_eq!(schema["minimum"], json!(i64::MIN), "{method} {path}");
            assert_eq!(schema["maximum"], json!(i64::MAX), "{method} {path}");
            assert_eq!(p["required"], true);
            ids += 1;
        }
    }
    assert_eq!(ids, 21);
    // The bounds are what the server reads: the largest id is looked up, one more is refused.
    let r = app.delete(&format!("/api/v1/members/{}", i64::MAX)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.delete(&format!("/api/v1/members/{}", i64::MIN)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.delete("/api/v1/members/9223372036854775808").await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "bad_request"));
}

/// Each documented operation reaches a handler: neither the unknown-path 404 nor a 405.
async fn assert_every_operation_is_served(mut app: common::TestApp) -> Vec<(String, String)> {
    app.register("customer", "Acme", "ada@example.com").await;
    let doc = app.contract.doc.clone();
    let mut served = Vec::new();
    for (method, path, op) in operations(&doc) {
        let uri = format!("/api/v1{}", path.replace("{id}", "1"));
        let method_ = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut request = app.request(method_, &uri);
        let body = if op.get("requestBody").is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from("{}")
        } else {
            Body::empty()
        };
        let r = app.raw(request.body(body).unwrap()).await;
        assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(r.message() != NO_SUCH_ENDPOINT, "{method} {path} is documented but not served");
        served.push((method, path));
    }
    served
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let served = assert_every_operation_is_served(common::TestApp::new().await).await;
    assert!(served.len() >= 19, "{served:?}");
    assert!(!served.iter().any(|(_, p)| p.starts_with("/dev/")), "dev routes are documented only when served");

    let dev = assert_every_operation_is_served(common::TestApp::with_config(|c| c.dev = true).await).await;
    let dev_only =
        [("get", "/dev/clock"), ("post", "/dev/clock"), ("get", "/dev/outbox"), ("post", "/dev/jobs/renewal-notices")];
    for op in dev_only {
        assert!(dev.iter().any(|(m, p)| (m.as_str(), p.as_str()) == op), "{op:?} is not documented in dev mode");
    }
    assert_eq!(dev.len(), served.len() + dev_only.len());
}

#[tokio::test]
async fn a_route_outside_the_document_is_not_served() {
    let app = common::TestApp::new().await;
    let api = routes::documented(false)
        .route("/undocumented", axum::routing::get(|| async { "served" }))
        .route("/health", axum::routing::post(|| async { "served" }));
    let router = axum::Router::new().nest("/api/v1", routes::serve(api, app.state.clone()));

    let answer = |method: Method, uri: &str| {
        let request = Request::builder().method(method).uri(uri).body(Body::empty()).unwrap();
        router.clone().oneshot(request)
    };
    let r = answer(Method::GET, "/api/v1/undocumented").await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = answer(Method::POST, "/api/v1/health").await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()[header::ALLOW], "GET,HEAD");
    let r = answer(Method::GET, "/api/v1/health").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_method_an_endpoint_does_not_take_answers_405_with_allow() {
    let mut app = common::TestApp::new().await;
    let r = app.send(Method::PUT, "/api/v1/me", json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
    assert_eq!(r.headers[header::ALLOW], "GET,HEAD,PATCH");
    let r = app.raw(Request::head("/api/v1/health").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.get("/api/v1/no-such-thing").await;
    assert_eq!((r.status, r.message()), (StatusCode::NOT_FOUND, NO_SUCH_ENDPOINT));
}

/// The request helper's check can fail: an answer off the document is caught.
#[tokio::test]
async fn the_request_helper_refuses_answers_the_document_does_not_describe() {
    let app = common::TestApp::new().await;
    let headers = || {
        let mut h = axum::http::HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        h
    };
    let check = |status: StatusCode, body: Value| {
        let contract = app.contract.clone();
        let headers = headers();
        std::panic::catch_unwind(move || {
            let bytes = body.to_string();
            contract.check(&Method::GET, "/api/v1/me", Some("/api/v1/me"), status, &headers, bytes.as_bytes(), &body)
        })
        .is_ok()
    };
    let error = json!({"error": {"code": "unauthenticated", "message": "Please sign in."}});
    assert!(check(StatusCode::UNAUTHORIZED, error.clone()));
    assert!(!check(StatusCode::IM_A_TEAPOT, error.clone()), "a status the operation does not list");
    assert!(
        !check(StatusCode::UNAUTHORIZED, json!({"error": {"code": "unauthenticated"}})),
        "an error without message"
    );
    assert!(!check(StatusCode::OK, error), "a 200 that is not a Me");
    assert!(!check(StatusCode::OK, json!({"user": {"id": "1"}})), "a Me of the wrong shape");
}
