//! Loading indicators.

use leptos::prelude::*;

/// A small spinning ring, decorative (pair it with text or `aria-busy`).
#[component]
pub fn Spinner() -> impl IntoView {
    view! { <span class="spinner" aria-hidden="true"></span> }
}

/// A block that says something is loading, announced politely.
#[component]
pub fn Loading(
    /// What is loading, e.g. "Loading licenses…".
    #[prop(into, default = "Loading…".into())]
    label: String,
) -> impl IntoView {
    view! {
        <div class="loading" role="status">
            <Spinner />
            <span>{label}</span>
        </div>
    }
}

/// The whole-page loading state while the app starts. It looks exactly like
/// the splash in `index.html`, so nothing jumps when the app takes over.
#[component]
pub fn PageLoading() -> impl IntoView {
    view! {
        <div class="boot" role="status" aria-live="polite">
            <span class="boot-logo" aria-hidden="true"></span>
            <span class="spinner spinner-lg" aria-hidden="true"></span>
            <span class="visually-hidden">"Loading Tessera…"</span>
        </div>
    }
}
