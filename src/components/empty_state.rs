//! What a page shows when it has nothing to list yet.

use leptos::prelude::*;

use super::icon::{Icon, IconKind};

/// A friendly placeholder: an icon, a heading and a sentence saying what will
/// appear here and how to get there.
#[component]
pub fn EmptyState(
    /// Icon shown above the title.
    kind: IconKind,
    /// The heading, e.g. "No licenses yet".
    #[prop(into)]
    title: String,
    /// The explanation under the heading.
    #[prop(into)]
    description: String,
    /// Optional actions (links or buttons) under the text.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            <div class="empty-state-icon">
                <Icon kind=kind />
            </div>
            <h2 class="empty-state-title">{title}</h2>
            <p class="empty-state-text">{description}</p>
            {children.map(|c| view! { <div class="empty-state-actions">{c()}</div> })}
        </div>
    }
}
