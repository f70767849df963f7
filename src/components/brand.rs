//! Tessera's mark and word mark.

use leptos::prelude::*;

/// The mark: four mosaic tiles (the same drawing as `public/favicon.svg`).
#[component]
pub fn Logo() -> impl IntoView {
    view! {
        <svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
            <rect x="2" y="2" width="13" height="13" rx="3.5" fill="#4f46e5" />
            <rect x="17" y="2" width="13" height="13" rx="3.5" fill="#818cf8" />
            <rect x="2" y="17" width="13" height="13" rx="3.5" fill="#a5b4fc" />
            <rect x="17" y="17" width="13" height="13" rx="3.5" fill="#4338ca" />
        </svg>
    }
}

/// Mark and name, linking home.
#[component]
pub fn Brand(
    /// Where the brand links to.
    #[prop(default = "/")]
    href: &'static str,
) -> impl IntoView {
    view! {
        <a class="brand" href=href>
            <Logo />
            <span class="brand-name">"Tessera"</span>
        </a>
    }
}
