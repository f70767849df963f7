//! A labelled input with an optional hint and error, wired for assistive
//! technology: `<label for>` names the input, `aria-describedby` points at the
//! hint and the error, `aria-invalid` flags the error.

use leptos::prelude::*;

use super::icon::{Icon, IconKind};
use crate::api::ApiError;

/// Ids of the hint and error elements of the field `id`.
pub fn described_by(id: &str, has_hint: bool, has_error: bool) -> Option<String> {
    let mut ids = Vec::with_capacity(2);
    if has_error {
        ids.push(format!("{id}-error"));
    }
    if has_hint {
        ids.push(format!("{id}-hint"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A refusal from the server about one field (`is_about` picks it out of the
/// last answer), shown under that field until the person edits it: once the
/// value differs from the one refused, the message would be stale.
pub fn server_error_until_edited(
    last_error: Memo<Option<ApiError>>,
    is_about: fn(&ApiError) -> bool,
    value: RwSignal<String>,
) -> Signal<Option<String>> {
    let at_submit = Memo::new(move |_| last_error.get().filter(is_about).map(|e| (e.message, value.get_untracked())));
    Signal::derive(move || at_submit.get().filter(|(_, v)| value.with(|now| now == v)).map(|(m, _)| m))
}

/// One form field: label, input, hint, error.
#[component]
pub fn FormField(
    /// The input's `id` (and `name`); the label's `for`. Stable: tests use it.
    id: &'static str,
    /// The visible label.
    #[prop(into)]
    label: Signal<String>,
    /// The value, two-way bound.
    value: RwSignal<String>,
    /// The input `type`: `text`, `email`, `password`…
    #[prop(default = "text")]
    input_type: &'static str,
    /// The `autocomplete` token, e.g. `email`, `current-password`.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// The error to show under the input, if any.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
    /// A short hint under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// Whether the field must be filled in (adds `required` and `aria-required`).
    #[prop(optional)]
    required: bool,
    /// Shown but not editable (e.g. an address fixed by an invitation).
    #[prop(optional)]
    readonly: bool,
    /// Announce the error as soon as it appears (`role="alert"`), for errors
    /// that arrive after pressing a button rather than while typing.
    #[prop(optional)]
    alert_error: bool,
    /// A code copied from paper or a mail (a voucher): monospace, and the browser
    /// neither spell-checks nor auto-corrects it.
    #[prop(optional)]
    code: bool,
    /// Called when the input loses focus (e.g. to start showing errors).
    #[prop(optional, into)]
    on_blur: Option<Callback<()>>,
    /// The lowest and highest values the browser's own picker offers (a number, a date).
    #[prop(optional, into)]
    min: Option<String>,
    #[prop(optional, into)] max: Option<String>,
    /// Extra content under the input, e.g. live password rules; it gets the
    /// hint id so the input describes itself with it.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let has_hint = hint.is_some() || children.is_some();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let invalid = move || error.with(|e| e.is_some());
    let hint_view = match (hint, children) {
        (_, Some(children)) => Some(view! { <div class="field-hint" id=hint_id.clone()>{children()}</div> }.into_any()),
        (Some(text), None) => Some(view! { <p class="field-hint" id=hint_id.clone()>{text}</p> }.into_any()),
        (None, None) => None,
    };
    view! {
        <div class="field" class:field-invalid=invalid>
            <label class="field-label" for=id>{label}</label>
            <input
                class=if code { "input input-code" } else { "input" }
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                required=required
                readonly=readonly
                min=min
                max=max
                spellcheck=code.then_some("false")
                autocapitalize=code.then_some("characters")
                aria-required=required.then_some("true")
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=move || described_by(id, has_hint, invalid())
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:blur=move |_| {
                    if let Some(cb) = on_blur {
                        cb.run(());
                    }
                }
            />
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=error_id.clone() role=alert_error.then_some("alert")>
                                <Icon kind=IconKind::Alert class="icon field-error-icon" />
                                <span>{message}</span>
                            </p>
                        }
                            .into_any()
                    })
            }}
            {hint_view}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::described_by;

    #[test]
    fn describes_with_error_first_then_hint() {
        assert_eq!(described_by("email", true, true).as_deref(), Some("email-error email-hint"));
        assert_eq!(described_by("email", true, false).as_deref(), Some("email-hint"));
        assert_eq!(described_by("email", false, true).as_deref(), Some("email-error"));
        assert_eq!(described_by("email", false, false), None);
    }
}
