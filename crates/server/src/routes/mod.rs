//! The API under `/api/v1`, one module per feature.

pub mod auth;
pub mod catalog;
pub mod dev;
pub mod device_shares;
pub mod devices;
pub mod health;
pub mod invitations;
pub mod licenses;
pub mod locker;
pub mod locker_sharing;
pub mod members;
pub mod notices;
pub mod orders;
pub mod quotes;
pub mod recovery;
pub mod renewals;
pub mod session_state;
pub mod subscriptions;
pub mod verification;
pub mod vouchers;

use crate::openapi::{self, ApiDoc, Document};
use crate::session::{csrf_guard, renew_cookie};
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::{Extension, Router};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn api(state: AppState) -> Router {
    serve(documented(state.config.dev), state)
}

/// Every operation of the API, each registered with its documentation. Register new ones
/// here, with `routes!`: a plain `.route()` would be refused (see [`serve`]).
pub fn documented(dev: bool) -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(openapi::document))
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::logout_everywhere))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::me, auth::update_me))
        .routes(routes!(recovery::request_reset))
        .routes(routes!(recovery::confirm_reset))
        .routes(routes!(verification::verify))
        .routes(routes!(verification::resend))
        .routes(routes!(session_state::session_state))
        .routes(routes!(invitations::list, invitations::create))
        .routes(routes!(invitations::lookup))
        .routes(routes!(invitations::accept))
        .routes(routes!(invitations::revoke))
        .routes(routes!(invitations::resend))
        .routes(routes!(members::list))
        .routes(routes!(members::change_role, members::remove))
        .routes(routes!(members::settings, members::update_settings))
        .routes(routes!(catalog::catalog))
        .routes(routes!(vouchers::issue, vouchers::list))
        .routes(routes!(vouchers::export_csv))
        .routes(routes!(locker::redeem))
        .routes(routes!(locker::view))
        .routes(routes!(locker::ledger))
        .routes(routes!(locker_sharing::create, locker_sharing::list))
        .routes(routes!(locker_sharing::lookup))
        .routes(routes!(locker_sharing::accept))
        .routes(routes!(locker_sharing::list_members))
        .routes(routes!(licenses::create, licenses::list))
        .routes(routes!(licenses::get))
        .routes(routes!(licenses::increase))
        .routes(routes!(licenses::renew))
        .routes(routes!(licenses::amend))
        .routes(routes!(licenses::add_on))
        .routes(routes!(licenses::file))
        .routes(routes!(licenses::key))
        .routes(routes!(devices::list, devices::create))
        .routes(routes!(devices::get, devices::update, devices::remove))
        .merge(
            // A device inventory is larger than any JSON request: this one route reads up to 8 MiB.
            OpenApiRouter::new()
                .routes(routes!(devices::import))
                .layer(DefaultBodyLimit::max(devices::IMPORT_BODY_LIMIT)),
        )
        .routes(routes!(subscriptions::activate))
        .routes(routes!(subscriptions::plans))
        .routes(routes!(subscriptions::assign))
        .routes(routes!(device_shares::create, device_shares::list))
        .routes(routes!(device_shares::revoke))
        .routes(routes!(renewals::list))
        .routes(routes!(renewals::report_csv))
        .routes(routes!(notices::get_mine, notices::set_mine))
        .routes(routes!(notices::get_reseller, notices::set_reseller))
        .routes(routes!(quotes::create, quotes::list))
        .routes(routes!(quotes::options))
        .routes(routes!(quotes::get, quotes::update))
        .routes(routes!(quotes::send))
        .routes(routes!(quotes::accept))
        .routes(routes!(quotes::decline))
        .routes(routes!(quotes::bom))
        .routes(routes!(orders::list))
        .routes(routes!(orders::fulfil));
    if dev {
        router = router
            .routes(routes!(dev::get_clock, dev::set_clock))
            .routes(routes!(dev::outbox_json))
            .routes(routes!(dev::run_renewal_notices));
    }
    router
}

/// The router that serves `api`, and the document built from it (once, here). The
/// [`openapi::only_documented`] route layer makes the document the list of what is served.
pub fn serve(api: OpenApiRouter<AppState>, state: AppState) -> Router {
    let (router, doc) = api.split_for_parts();
    let doc = match Document::new(&doc) {
        Ok(doc) => Arc::new(doc),
        // Serializing plain data cannot fail; if it ever did, the API must not run undescribed.
        Err(e) => panic!("the OpenAPI document does not serialize: {e}"),
    };
    router
        .route_layer(axum::middleware::from_fn_with_state(doc.clone(), openapi::only_documented))
        .layer(Extension(doc))
        .fallback(|| async { openapi::no_such_endpoint() })
        // Unreachable while every route passes `only_documented`, which answers 405 itself;
        // kept so that a route escaping it still answers in the API's format.
        .method_not_allowed_fallback(|| async { openapi::method_not_allowed() })
        .layer(axum::middleware::from_fn_with_state(state.clone(), renew_cookie))
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf_guard))
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .with_state(state)
}
