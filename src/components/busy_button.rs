//! The one button that starts a request: while it runs, a spinner shows and the
//! button says it is busy and unavailable, but stays focusable (a `disabled`
//! button would drop the keyboard focus in the middle of the action).

use leptos::prelude::*;

use super::spinner::Spinner;

/// A button with a spinner while `busy`. A second press meanwhile does nothing.
#[component]
pub fn BusyButton(
    /// Whether the action runs.
    #[prop(into)]
    busy: Signal<bool>,
    /// The button's classes, e.g. `btn btn-primary`.
    class: &'static str,
    /// Submits its form (whose submit handler starts the action) instead of
    /// calling `on_click`.
    #[prop(optional)]
    submit: bool,
    /// Called on a press while not busy.
    #[prop(optional, into)]
    on_click: Option<Callback<()>>,
    /// A fuller name than the label, e.g. which row the button acts on.
    #[prop(optional, into)]
    aria_label: Option<String>,
    /// The label.
    children: Children,
) -> impl IntoView {
    let busy_attr = move || busy.get().then_some("true");
    view! {
        <button
            type=if submit { "submit" } else { "button" }
            class=class
            aria-label=aria_label
            aria-disabled=busy_attr
            aria-busy=busy_attr
            on:click=move |_| {
                if let Some(on_click) = on_click.filter(|_| !busy.get_untracked()) {
                    on_click.run(());
                }
            }
        >
            {move || busy.get().then(|| view! { <Spinner /> }.into_any())}
            <span>{children()}</span>
        </button>
    }
}
