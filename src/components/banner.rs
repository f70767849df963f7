//! Messages above a form or page: errors (`role="alert"`) and notices
//! (`role="status"`).

use leptos::prelude::*;

use super::icon::{Icon, IconKind};

/// An error the person should act on. Announced immediately.
#[component]
pub fn ErrorBanner(
    /// The message, shown as is (the API's `message`).
    #[prop(into)]
    message: String,
    /// An optional bold first line, e.g. "Could not sign out".
    #[prop(optional, into)]
    title: Option<String>,
    /// Optional content after the message, e.g. a "Try again" button.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="banner banner-error" role="alert">
            <Icon kind=IconKind::Alert class="icon banner-icon" />
            <div class="banner-body">
                {title.map(|t| view! { <p class="banner-title">{t}</p> })}
                <p>{message}</p>
                {children.map(|c| c())}
            </div>
        </div>
    }
}

/// Information that is not an error, e.g. "Your session has expired".
#[component]
pub fn Notice(
    /// The message.
    #[prop(into)]
    message: String,
) -> impl IntoView {
    view! {
        <div class="banner banner-info" role="status">
            <Icon kind=IconKind::Info class="icon banner-icon" />
            <div class="banner-body">
                <p>{message}</p>
            </div>
        </div>
    }
}
