//! `TestApp`: the real router over a fresh SQLite file, driven in-process, with a
//! cookie jar and the CSRF token of the signed-in person. Every answer of the API is checked
//! against the app's own OpenAPI document (see [`Contract`]), so each API test also tests
//! the document.
#![allow(dead_code, clippy::unwrap_used)]

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use tessera_server::clock::Clock;
use tessera_server::config::Config;
use tessera_server::state::AppState;
use tessera_server::storage::Db;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct-horse-battery";

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub contract: Arc<Contract>,
    /// The network address requests come from, as the real server's listener would tell it
    /// (`None`: unknown, like any request driven in-process).
    pub peer: Option<std::net::SocketAddr>,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut config =
            Config { data_dir: dir.path().to_path_buf(), static_dir: dir.path().join("dist"), ..Config::default() };
        tweak(&mut config);
        let catalog = tessera_server::catalog::load(config.catalog.as_deref()).unwrap();
        let config_signer_path = config.license_key_path();
        let db = Db::open(&config.database_path()).await.unwrap();
        let state = AppState {
            db,
            config: Arc::new(config),
            clock: Arc::new(Clock::default()),
            mail_wakeup: Default::default(),
            catalog: Arc::new(catalog),
            signer: Arc::new(tessera_server::license_file::Signer::load_or_create(&config_signer_path).unwrap()),
        };
        let router = tessera_server::app::router(state.clone());
        let contract = Arc::new(Contract::fetch(&router).await);
        TestApp { router, state, cookie: None, csrf: None, contract, peer: None, _dir: dir }
    }

    /// Another browser on the same server: no cookie.
    pub fn other_browser(&self) -> TestApp {
        TestApp {
            router: self.router.clone(),
            state: self.state.clone(),
            cookie: None,
            csrf: None,
            contract: self.contract.clone(),
            peer: self.peer,
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    pub async fn raw(&mut self, mut request: Request<Body>) -> Reply {
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        }
        let (method, path) = (request.method().clone(), request.uri().path().to_string());
        let response = self.router.clone().oneshot(request).await.unwrap();
        let matched = response.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap();
            if let Some(value) = pair.strip_prefix("tessera_session=") {
                self.cookie = (!value.is_empty()).then(|| value.to_string());
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        if path.starts_with(API) {
            self.contract.check(&method, &path, matched.as_deref(), status, &headers, &bytes, &body);
        }
        if let Some(token) = body.get("csrf_token").and_then(Value::as_str) {
            self.csrf = Some(token.to_string());
        }
        Reply { status, headers, body }
    }

    pub fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method.clone()).uri(path);
        if let Some(cookie) = &self.cookie {
            b = b.header(header::COOKIE, format!("tessera_session={cookie}"));
        }
        if method != Method::GET {
            if let Some(csrf) = &self.csrf {
                b = b.header("X-CSRF-Token", csrf);
            }
        }
        b
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let req = self.request(Method::GET, path).body(Body::empty()).unwrap();
        self.raw(req).await
    }

    pub async fn send(&mut self, method: Method, path: &str, body: Value) -> Reply {
        let req = self
            .request(method, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.raw(req).await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, body).await
    }

    /// Registers and confirms the address from the mailed link, as most people do before
    /// they invite anyone; see [`TestApp::register_unverified`].
    pub async fn register(&mut self, kind: &str, org: &str, email: &str) -> Reply {
        let reply = self.register_unverified(kind, org, email).await;
        if reply.status == StatusCode::CREATED {
            let token = self.link_token(email, "/verify-email?token=").await;
            let verified = self.post("/api/v1/auth/verify-email", json!({ "token": token })).await;
            assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
        }
        reply
    }

    pub async fn register_unverified(&mut self, kind: &str, org: &str, email: &str) -> Reply {
        self.post(
            "/api/v1/auth/register",
            json!({"org_name": org, "org_kind": kind, "name": "Test Person", "email": email, "password": PASSWORD}),
        )
        .await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Reply {
        self.post("/api/v1/auth/login", json!({"email": email, "password": password})).await
    }
}

impl TestApp {
    /// The token of the newest invitation mail sent to `to`, read from the outbox.
    pub async fn invitation_token(&self, to: &str) -> String {
        self.link_token(to, "/invite/accept?token=").await
    }

    /// The token of the newest mail to `to` whose link contains `marker` (e.g.
    /// `/reset-password?token=`), read from the outbox.
    pub async fn link_token(&self, to: &str, marker: &str) -> String {
        let mails = self.state.db.list_mail(1000).await.unwrap();
        let to = to.trim().to_lowercase();
        let mail = mails.iter().find(|m| m.to == to && m.text.contains(marker)).expect("a mail with the link");
        let start = mail.text.find(marker).expect("a link") + marker.len();
        mail.text[start..].split_whitespace().next().unwrap().to_string()
    }

    pub async fn invite(&mut self, email: &str) -> Reply {
        self.post("/api/v1/invitations", json!({ "email": email })).await
    }

    pub async fn delete(&mut self, path: &str) -> Reply {
        let req = self.request(Method::DELETE, path).body(Body::empty()).unwrap();
        self.raw(req).await
    }
}

const API: &str = "/api/v1";

/// The app's OpenAPI document, as it serves it, and the JSON-Schema validators of its
/// responses (compiled on first use).
pub struct Contract {
    pub doc: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Contract {
    async fn fetch(router: &Router) -> Contract {
        let request = Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "the OpenAPI document is not served");
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Contract { doc: serde_json::from_slice(&bytes).unwrap(), validators: Mutex::default() }
    }

    /// Panics unless the answer is one the document describes: for a routed request, a status
    /// its operation lists, with a body of that response's schema (or no body when it has
    /// none); for anything else (unknown path, method not allowed), SPEC §11's error body.
    /// A compressed body is checked for its status only.
    #[allow(clippy::too_many_arguments)]
    pub fn check(
        &self,
        method: &Method,
        path: &str,
        matched: Option<&str>,
        status: StatusCode,
        headers: &axum::http::HeaderMap,
        bytes: &[u8],
        body: &Value,
    ) {
        let what = format!("{method} {path} answered {status}");
        let identity = !headers.contains_key(header::CONTENT_ENCODING);
        let Some(matched) = matched else {
            assert!(status.is_client_error() || status.is_server_error(), "{what} without a documented route");
            if identity {
                let schema = json!({"$ref": "#/components/schemas/ErrorBody"});
                self.validate("#/components/schemas/ErrorBody", &schema, body, &what);
            }
            return;
        };
        let template = matched.strip_prefix(API).unwrap_or(matched);
        let method_key = if *method == Method::HEAD { "get".to_string() } else { method.as_str().to_lowercase() };
        let op_pointer = format!("/paths/{}/{method_key}", template.replace('~', "~0").replace('/', "~1"));
        let operation = self
            .doc
            .pointer(&op_pointer)
            .unwrap_or_else(|| panic!("{what}: {method} {template} is not in the document"));
        let Some(mut documented) = operation["responses"].get(status.as_str()) else {
            panic!("{what}, a status the document does not list for {method} {template}: {body}");
        };
        if let Some(reference) = documented.get("$ref").and_then(Value::as_str) {
            documented = self.resolve(reference);
        }
        if *method == Method::HEAD || !identity {
            return;
        }
        match documented.pointer("/content/application~1json/schema") {
            Some(schema) => {
                let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
                assert!(content_type.starts_with("application/json"), "{what} with Content-Type {content_type:?}");
                assert!(serde_json::from_slice::<Value>(bytes).is_ok(), "{what} with a body that is not JSON");
                let key = format!("{op_pointer}/responses/{}", status.as_str());
                self.validate(&key, schema, body, &what);
            }
            None => {
                // A documented non-JSON body (a CSV export) must come with its media type.
                let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
                let media = content_type.split(';').next().unwrap_or("").trim();
                let described = documented.get("content").and_then(|c| c.get(media)).is_some();
                assert!(
                    bytes.is_empty() || (!media.is_empty() && described),
                    "{what} with a body the document does not describe: {body}"
                );
            }
        }
    }

    fn resolve(&self, reference: &str) -> &Value {
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("external reference {reference}"));
        self.doc.pointer(pointer).unwrap_or_else(|| panic!("{reference} does not resolve"))
    }

    /// Validates against a schema of the document; its `#/components/...` references resolve
    /// because the schema is compiled with the document's components beside it.
    fn validate(&self, key: &str, schema: &Value, instance: &Value, what: &str) {
        let validator = {
            let mut cache = self.validators.lock().unwrap();
            cache
                .entry(key.to_string())
                .or_insert_with(|| {
                    let mut root = schema.as_object().cloned().unwrap_or_default();
                    root.insert("components".into(), self.doc["components"].clone());
                    let validator = jsonschema::options()
                        .with_draft(jsonschema::Draft::Draft202012)
                        .should_validate_formats(true)
                        .build(&Value::Object(root))
                        .unwrap_or_else(|e| panic!("the document's schema at {key} does not compile: {e}"));
                    Arc::new(validator)
                })
                .clone()
        };
        let errors: Vec<String> =
            validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(
            errors.is_empty(),
            "{what} with a body that does not match the document ({key}):\n{}\nbody: {instance}",
            errors.join("\n")
        );
    }
}

/// A vendor operator, signed in.
pub async fn vendor(app: &TestApp) -> TestApp {
    let hash = tessera_server::routes::auth::hash_password(PASSWORD.into()).await.unwrap();
    app.state
        .db
        .create_org_with_admin(
            tessera_server::storage::NewOrg {
                name: "Vendor",
                kind: tessera_domain::api::OrgKind::Vendor,
                individual: false,
            },
            tessera_server::storage::NewUser {
                email: "ops@vendor.example",
                name: "Ops",
                password_hash: &hash,
                role: tessera_domain::api::Role::Admin,
                must_change_password: false,
                email_verified: true,
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let mut ops = app.other_browser();
    assert_eq!(ops.login("ops@vendor.example", PASSWORD).await.status, StatusCode::OK);
    ops
}

pub async fn issue(ops: &mut TestApp, body: Value) -> Vec<String> {
    let r = ops.post("/api/v1/vendor/vouchers", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
}
