//! `TestApp`: the real router over a fresh SQLite file, driven in-process, with a
//! cookie jar and the CSRF token of the signed-in person.
#![allow(dead_code, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::sync::Arc;
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
        let db = Db::open(&config.database_path()).await.unwrap();
        let state = AppState {
            db,
            config: Arc::new(config),
            clock: Arc::new(Clock::default()),
            mail_wakeup: Default::default(),
        };
        TestApp { router: tessera_server::app::router(state.clone()), state, cookie: None, csrf: None, _dir: dir }
    }

    /// Another browser on the same server: no cookie.
    pub fn other_browser(&self) -> TestApp {
        TestApp {
            router: self.router.clone(),
            state: self.state.clone(),
            cookie: None,
            csrf: None,
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    pub async fn raw(&mut self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
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

    pub async fn register(&mut self, kind: &str, org: &str, email: &str) -> Reply {
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
        let mails = self.state.db.list_mail(1000).await.unwrap();
        let mail = mails.iter().find(|m| m.to == to && m.kind == "invitation").expect("an invitation mail");
        let marker = "/invite/accept?token=";
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
