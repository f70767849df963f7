use leptos::prelude::*;

use super::set_page_title;
use crate::components::{EmptyState, IconKind, Logo, PageHeader, Shell};
use crate::session::use_session;

/// Any path the app does not know. Inside the app frame when signed in.
#[component]
pub fn NotFound() -> impl IntoView {
    set_page_title("Page not found");
    let signed_in = use_session().signed_in();
    view! {
        {move || {
        if signed_in.get() {
            view! {
                <Shell>
                    <PageHeader title="Page not found" />
                    <EmptyState
                        kind=IconKind::Compass
                        title="There is nothing at this address"
                        description="The link may be mistyped, or the page may have moved. Use the navigation to find your way, or go back home."
                    >
                        <a class="btn btn-primary" href="/">"Go to Home"</a>
                    </EmptyState>
                </Shell>
            }
            .into_any()
        } else {
            view! {
                <main class="auth-page" id="main">
                    <div class="auth-card">
                        <a class="auth-brand" href="/signin">
                            <Logo />
                            <span class="brand-name">"Tessera"</span>
                        </a>
                        <h1 class="auth-title">"Page not found"</h1>
                        <p class="auth-lead">"There is nothing at this address. The link may be mistyped, or the page may have moved."</p>
                        <a class="btn btn-primary btn-block" href="/signin">"Go to sign in"</a>
                    </div>
                </main>
            }.into_any()
        }
    }}
    }
}
