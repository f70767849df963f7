//! The title block at the top of every signed-in page.

use leptos::prelude::*;

/// The page's `<h1>` and a one-line description.
#[component]
pub fn PageHeader(
    /// The page title (the only `<h1>` on the page).
    #[prop(into)]
    title: String,
    /// What the page is for, in one sentence.
    #[prop(optional, into)]
    description: Option<String>,
    /// Optional actions shown at the right (buttons, links).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="page-header">
            <div class="page-header-text">
                <h1 class="page-title">{title}</h1>
                {description.map(|d| view! { <p class="page-description">{d}</p> })}
            </div>
            {children.map(|c| view! { <div class="page-header-actions">{c()}</div> })}
        </header>
    }
}
