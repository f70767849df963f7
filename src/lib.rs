//! Tessera's browser app: a Leptos single-page app, client-side rendered and
//! compiled to WebAssembly by Trunk.
//!
//! - [`app`]: the root component, router, routes and guards;
//! - [`api`]: the typed client of the JSON API; [`load`]: its answers into signals;
//! - [`session`]: who is signed in, as a signal in context;
//! - [`pages`]: one component per route; [`components`]: reusable pieces;
//! - [`catalog`]: the names of what the vendor sells;
//! - [`sections`]: the app's sections and the words for kinds and roles;
//! - [`format`]: dates written for people; [`url`]: query values.

pub mod api;
pub mod app;
pub mod catalog;
pub mod components;
pub mod format;
pub mod load;
pub mod pages;
pub mod sections;
pub mod session;
pub mod url;

pub use app::App;

/// Removes the static splash of `index.html` (shown while the wasm loads) and
/// mounts the app in its place.
pub fn start() {
    if let Some(splash) = leptos::prelude::document().get_element_by_id("boot") {
        splash.remove();
    }
    leptos::mount::mount_to_body(App);
}
