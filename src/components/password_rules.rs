//! The password rules shown live under a "choose a password" field (register,
//! accept an invitation), and the check behind them: the domain crate's, the
//! same one the server applies.

use leptos::prelude::*;
use tessera_domain::password::{self, PasswordError};

use super::form_field::FormField;
use super::icon::{Icon, IconKind};

/// The state of one password rule while the person types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleState {
    /// Nothing to judge yet.
    Pending,
    Met,
    Unmet,
}

/// Live state of the two rules shown under the password: its length, and
/// being hard to guess (not common, not one repeated character, not the
/// email's name). The second can only be judged once the length is right.
pub fn password_rules(password: &str, email: &str) -> [RuleState; 2] {
    if password.is_empty() {
        return [RuleState::Pending; 2];
    }
    match password::check(password, email) {
        Ok(()) => [RuleState::Met; 2],
        Err(PasswordError::TooShort) => [RuleState::Unmet, RuleState::Pending],
        Err(PasswordError::TooLong) => [RuleState::Unmet, RuleState::Pending],
        Err(_) => [RuleState::Met, RuleState::Unmet],
    }
}

/// What is wrong with a new password, in the shared rule's words.
pub fn password_problem(password: &str, email: &str) -> Option<String> {
    if password.is_empty() {
        return Some("Please choose a password".to_string());
    }
    password::check(password, email).err().map(|e| e.message().to_string())
}

#[component]
fn RuleItem(state: Signal<RuleState>, text: String) -> impl IntoView {
    let status = move || match state.get() {
        RuleState::Met => "Done: ",
        RuleState::Unmet => "Not yet: ",
        RuleState::Pending => "",
    };
    view! {
        <li
            class="rule"
            class:rule-met=move || state.get() == RuleState::Met
            class:rule-unmet=move || state.get() == RuleState::Unmet
        >
            {move || {
                if state.get() == RuleState::Met {
                    view! { <Icon kind=IconKind::Check class="icon rule-icon" /> }
                } else {
                    view! { <Icon kind=IconKind::Dot class="icon rule-icon" /> }
                }
            }}
            <span class="visually-hidden">{status}</span>
            <span>{text}</span>
        </li>
    }
}

/// The rules, ticked off as the person types. Put it inside the password's
/// [`super::FormField`] so the input is described by it.
#[component]
pub fn PasswordRules(
    /// The password being typed.
    #[prop(into)]
    password: Signal<String>,
    /// The account's email (its name part makes a weak password).
    #[prop(into)]
    email: Signal<String>,
) -> impl IntoView {
    let rules = Memo::new(move |_| password.with(|p| email.with(|e| password_rules(p, e))));
    view! {
        <ul class="rules">
            <RuleItem
                state=Signal::derive(move || rules.get()[0])
                text=format!("At least {} characters", password::MIN_LEN)
            />
            <RuleItem
                state=Signal::derive(move || rules.get()[1])
                text="Hard to guess: not a common password and not your email name".to_string()
            />
        </ul>
    }
}

/// "Choose a password": a password field with the live rules under it, for
/// registering, accepting an invitation and changing a password.
#[component]
pub fn NewPasswordField(
    /// The input's id (tests and labels use it).
    id: &'static str,
    /// The visible label.
    #[prop(into)]
    label: Signal<String>,
    /// The password, two-way bound.
    value: RwSignal<String>,
    /// The account's email (its name part makes a weak password).
    #[prop(into)]
    email: Signal<String>,
    /// The error to show, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Set when the person leaves the field having typed something, so that
    /// errors can show from then on rather than at the first keystroke.
    #[prop(optional)]
    left: Option<RwSignal<bool>>,
) -> impl IntoView {
    let on_blur = Callback::new(move |()| {
        if let Some(left) = left {
            if !value.with_untracked(String::is_empty) {
                left.set(true);
            }
        }
    });
    view! {
        <FormField
            id=id
            label=label
            input_type="password"
            autocomplete="new-password"
            required=true
            value=value
            error=error
            on_blur=on_blur
        >
            <PasswordRules password=value email=email />
        </FormField>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_wait_for_input() {
        assert_eq!(password_rules("", "ada@example.com"), [RuleState::Pending; 2]);
    }

    #[test]
    fn length_first_then_guessability() {
        assert_eq!(password_rules("short", "ada@example.com"), [RuleState::Unmet, RuleState::Pending]);
        assert_eq!(password_rules("password123", "ada@example.com"), [RuleState::Met, RuleState::Unmet]);
        assert_eq!(password_rules("aaaaaaaaaaaa", "ada@example.com"), [RuleState::Met, RuleState::Unmet]);
        assert_eq!(password_rules("correct horse battery", "ada@example.com"), [RuleState::Met, RuleState::Met]);
    }

    #[test]
    fn password_problems_use_the_shared_rule() {
        assert_eq!(password_problem("", "a@b.co").as_deref(), Some("Please choose a password"));
        assert_eq!(password_problem("short", "a@b.co").as_deref(), Some(PasswordError::TooShort.message()));
        assert_eq!(password_problem("correct horse battery", "a@b.co"), None);
    }
}
