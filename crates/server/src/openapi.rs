//! The OpenAPI document of `/api/v1`, built from the same router that serves the requests.
//!
//! Each handler carries its `#[utoipa::path]` (method, path, parameters, every status it can
//! answer); `routes::api` registers handlers only through `utoipa_axum::routes!`, which adds
//! the route and its documentation together. The schemas come from the API types themselves
//! (`tessera_domain::api`, feature `openapi`). What could still slip past, a route added with
//! a plain `.route()`, is refused at run time by [`only_documented`]: the router never serves
//! an operation that the document does not describe.

use crate::error::ApiError;
use crate::session::COOKIE_NAME;
use axum::body::Bytes;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::collections::HashMap;
use std::sync::Arc;
use tessera_domain::api::{ErrorBody, CSRF_HEADER};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HttpMethod, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoParams, Modify, OpenApi, ToResponse};

/// Where the API is mounted; the document's paths are relative to it (its `servers` entry).
pub const PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tessera API",
        version = "1",
        description = "JSON over HTTP. Every error is an HTTP status plus \
            `{\"error\": {\"code\", \"message\", \"field\"?}}` (schema `ErrorBody`) whose `code` is \
            stable and machine-readable. Every state-changing request that carries the session \
            cookie must carry the session's `X-CSRF-Token`, else 403 `csrf`. Request bodies are \
            `application/json` (else 415) of at most 64 KiB (else 413). A method an endpoint does \
            not accept answers 405 `method_not_allowed` with `Allow`; an unknown path 404 `not_found`.",
        license(name = "MIT"),
    ),
    servers((url = "/api/v1")),
    modifiers(&SecuritySchemes),
    components(
        schemas(ErrorBody),
        responses(
            MalformedJson,
            BadAddress,
            BadRequest,
            Unauthenticated,
            Csrf,
            CsrfOrPasswordChange,
            PasswordChangeRequired,
            NoSuchObject,
            PayloadTooLarge,
            UnsupportedMediaType,
            InvalidBody,
            Internal,
        )
    ),
    tags(
        (name = "system", description = "Health and this document"),
        (name = "auth", description = "Registration, sign-in, the signed-in person"),
        (name = "team", description = "Invitations, members, organization settings (SPEC §7)"),
        (name = "catalog", description = "Products, SKUs and list prices, promotions, export templates (SPEC §2)"),
        (name = "dev", description = "Only served with `TESSERA_DEV=1`"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                COOKIE_NAME,
                "Set by register, login, accepting an invitation and a password change (a new \
                 token); HttpOnly. Named `__Host-tessera_session` when the server's public URL is \
                 https.",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                CSRF_HEADER,
                "The `csrf_token` of `GET /me`: required on every state-changing request that \
                 carries the session cookie.",
            ))),
        );
    }
}

/// A path's `{id}`: any 64-bit signed integer reads (an id that exists in no organization
/// answers 404); anything else answers 400 `bad_request`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct IdPath {
    #[param(minimum = -9223372036854775808i64, maximum = 9223372036854775807i64)]
    id: i64,
}

/// Reusable responses, each an [`ErrorBody`] with the codes it may carry.
macro_rules! error_responses {
    ($($name:ident => $description:expr;)*) => {$(
        pub struct $name;

        impl<'s> ToResponse<'s> for $name {
            fn response() -> (&'s str, RefOr<utoipa::openapi::Response>) {
                (stringify!($name), error_response($description))
            }
        }
    )*};
}

error_responses! {
    MalformedJson => "`malformed_json`: the body is not JSON.";
    BadAddress => "`bad_request`: the path or query string cannot be read (an id that is not a \
        64-bit integer, a repeated query parameter).";
    BadRequest => "`malformed_json`: the body is not JSON; `bad_request`: the path cannot be read \
        (an id that is not a 64-bit integer).";
    Unauthenticated => "`unauthenticated`: no session cookie; `session_expired`: the cookie no \
        longer opens a session (the response clears it).";
    Csrf => "`csrf`: the request carries the session cookie but not its `X-CSRF-Token`.";
    CsrfOrPasswordChange => "`csrf`: the request carries the session cookie but not its \
        `X-CSRF-Token`; `password_change_required`: the account must choose its own password first.";
    PasswordChangeRequired => "`password_change_required`: the account must choose its own password first.";
    NoSuchObject => "`not_found`: no such object in your organization (an id of another \
        organization's object answers the same).";
    PayloadTooLarge => "`payload_too_large`: the body is over 64 KiB.";
    UnsupportedMediaType => "`unsupported_media_type`: the body is not sent as `Content-Type: application/json`.";
    InvalidBody => "`invalid_body`: the body is JSON without the expected fields or types.";
    Internal => "`internal`: a failure of ours; details only in the server log, under the \
        request's `X-Request-Id`.";
}

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
        .into()
}

/// The finished document: its JSON, served as is, and the operations the router may serve.
pub struct Document {
    json: Bytes,
    /// Path (as in the document, without [`PREFIX`]) to the methods documented for it.
    operations: HashMap<String, Vec<Method>>,
}

impl Document {
    pub fn new(doc: &utoipa::openapi::OpenApi) -> Result<Document, serde_json::Error> {
        let operations = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (HttpMethod::Get, &item.get),
                    (HttpMethod::Put, &item.put),
                    (HttpMethod::Post, &item.post),
                    (HttpMethod::Delete, &item.delete),
                    (HttpMethod::Options, &item.options),
                    (HttpMethod::Head, &item.head),
                    (HttpMethod::Patch, &item.patch),
                    (HttpMethod::Trace, &item.trace),
                ]
                .into_iter()
                .filter(|(_, op)| op.is_some())
                .map(|(m, _)| http_method(m))
                .collect();
                (path.clone(), methods)
            })
            .collect();
        Ok(Document { json: Bytes::from(serde_json::to_vec_pretty(doc)?), operations })
    }

    /// The methods the document lists for a path matched by the router; a GET also answers HEAD.
    fn methods(&self, matched: &str) -> Option<&[Method]> {
        let path = matched.strip_prefix(PREFIX).unwrap_or(matched);
        self.operations.get(path).map(Vec::as_slice)
    }
}

fn http_method(m: HttpMethod) -> Method {
    match m {
        HttpMethod::Get => Method::GET,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Post => Method::POST,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}

/// Route layer of the API: lets through only what the document describes. A path the
/// document does not know answers like an unknown path (404); a method it does not list for
/// the path answers 405 with `Allow`. The matched route travels on in the response's
/// extensions, so that tests can check each answer against its operation.
pub async fn only_documented(
    State(doc): State<Arc<Document>>,
    matched: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let Some(methods) = doc.methods(matched.as_str()) else {
        tracing::error!(path = matched.as_str(), "a route is served that the OpenAPI document does not describe");
        return no_such_endpoint().into_response();
    };
    let method = request.method();
    let listed = methods.contains(method) || (method == Method::HEAD && methods.contains(&Method::GET));
    if !listed {
        let mut allow: Vec<&str> = methods.iter().map(Method::as_str).collect();
        if methods.contains(&Method::GET) && !methods.contains(&Method::HEAD) {
            allow.push("HEAD");
        }
        let mut response = method_not_allowed().into_response();
        if let Ok(value) = HeaderValue::from_str(&allow.join(",")) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        return response;
    }
    let mut response = next.run(request).await;
    response.extensions_mut().insert(matched);
    response
}

pub fn no_such_endpoint() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such API endpoint.")
}

pub fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "This endpoint does not accept that method.")
}

/// `GET /api/v1/openapi.json`
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "system",
    security(()),
    responses(
        (status = 200, description = "This document (OpenAPI 3.1).", body = Object, content_type = "application/json"),
        (status = 500, response = Internal),
    )
)]
pub async fn document(Extension(doc): Extension<Arc<Document>>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], doc.json.clone()).into_response()
}
