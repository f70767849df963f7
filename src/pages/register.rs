use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tessera_domain::api::{RegisterKind, RegisterRequest};
use tessera_domain::email::Email;
use tessera_domain::name::{OrganizationName, PersonName};

use super::set_page_title;
use crate::api::{self, ApiError};
use crate::components::password_rules::password_problem;
use crate::components::shell::focus_element;
use crate::components::{
    server_error_until_edited, BusyButton, ErrorBanner, FormField, Icon, IconKind, Logo, NewPasswordField,
};
use crate::session::use_session;

/// One choice of account type, shown as a radio card.
struct KindChoice {
    kind: RegisterKind,
    value: &'static str,
    title: &'static str,
    description: &'static str,
    icon: IconKind,
}

const KINDS: [KindChoice; 3] = [
    KindChoice {
        kind: RegisterKind::Customer,
        value: "customer",
        title: "Customer company",
        description: "Your company uses the software and manages its own licenses and devices.",
        icon: IconKind::Building,
    },
    KindChoice {
        kind: RegisterKind::Partner,
        value: "partner",
        title: "Partner",
        description: "You resell or install the software and quote renewals for your customers.",
        icon: IconKind::Partner,
    },
    KindChoice {
        kind: RegisterKind::Individual,
        value: "individual",
        title: "Home owner",
        description: "You manage the software for your own home.",
        icon: IconKind::House,
    },
];

/// The server's rule for the organization's name; a home owner may leave it out
/// (their organization is named after them).
fn org_name_problem(kind: RegisterKind, org_name: &str) -> Option<String> {
    if kind == RegisterKind::Individual && org_name.trim().is_empty() {
        return None;
    }
    OrganizationName::parse(org_name).err().map(|e| e.message())
}

fn name_problem(name: &str) -> Option<String> {
    PersonName::parse(name).err().map(|e| e.message())
}

/// The form field a server error is about, if it is one of ours.
fn field_of(error: &ApiError) -> Option<&'static str> {
    match error.field.as_deref() {
        Some("email") => Some("email"),
        Some("password") => Some("password"),
        Some("name") => Some("name"),
        Some("org_name") => Some("org-name"),
        _ => match error.code.as_str() {
            "email_taken" | "email_invalid" | "email_required" => Some("email"),
            "weak_password" => Some("password"),
            _ => None,
        },
    }
}

/// `/register`: creates an organization and its first admin, then signs in.
#[component]
pub fn Register() -> impl IntoView {
    set_page_title("Create account");
    let session = use_session();

    let kind = RwSignal::new(RegisterKind::Customer);
    let org_name = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let email_left = RwSignal::new(false);
    let password_left = RwSignal::new(false);

    let is_individual = Memo::new(move |_| kind.get() == RegisterKind::Individual);
    let org_name_error = Memo::new(move |_| org_name.with(|o| org_name_problem(kind.get(), o)));
    let name_error = Memo::new(move |_| name.with(|n| name_problem(n)));
    let email_error = Memo::new(move |_| email.with(|e| Email::parse(e).err().map(|e| e.message().to_string())));
    let password_error = Memo::new(move |_| password.with(|p| email.with(|e| password_problem(p, e))));

    let register = Action::new_local(move |request: &RegisterRequest| {
        let request = request.clone();
        async move {
            let me = api::register(&request).await?;
            session.sign_in(me);
            Ok::<(), ApiError>(())
        }
    });
    let pending = register.pending();
    let server_error = Memo::new(move |_| register.value().get().and_then(Result::err));
    // A server error about a field is also shown under that field.
    let email_server_error = server_error_until_edited(server_error, |e| field_of(e) == Some("email"), email);
    let password_server_error = server_error_until_edited(server_error, |e| field_of(e) == Some("password"), password);

    let shown = move |error: Memo<Option<String>>, left: Option<RwSignal<bool>>| {
        Signal::derive(move || {
            let visible = submitted.get() || left.is_some_and(|l| l.get());
            visible.then(|| error.get()).flatten()
        })
    };
    let shown_org_name_error = shown(org_name_error, None);
    let shown_name_error = shown(name_error, None);
    let shown_email_error = {
        let local = shown(email_error, Some(email_left));
        Signal::derive(move || local.get().or_else(|| email_server_error.get()))
    };
    let shown_password_error = {
        let local = shown(password_error, Some(password_left));
        Signal::derive(move || local.get().or_else(|| password_server_error.get()))
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        let first_invalid = [
            (org_name_error.get_untracked().is_some(), "org-name"),
            (name_error.get_untracked().is_some(), "name"),
            (email_error.get_untracked().is_some(), "email"),
            (password_error.get_untracked().is_some(), "password"),
        ]
        .into_iter()
        .find_map(|(invalid, id)| invalid.then_some(id));
        if let Some(id) = first_invalid {
            focus_element(id);
            return;
        }
        let kind = kind.get_untracked();
        let email = email.with_untracked(|e| Email::parse(e).map(Email::into_string).unwrap_or_default());
        register.dispatch_local(RegisterRequest {
            org_name: if kind == RegisterKind::Individual {
                String::new()
            } else {
                org_name.get_untracked().trim().to_string()
            },
            org_kind: kind,
            name: name.get_untracked().trim().to_string(),
            email,
            password: password.get_untracked(),
        });
    };

    let kind_cards = KINDS
        .iter()
        .map(|choice| {
            let value = choice.kind;
            let checked = move || kind.get() == value;
            let title_id = format!("kind-{}-title", choice.value);
            let desc_id = format!("kind-{}-desc", choice.value);
            view! {
                <label class="kind-card" class:kind-card-selected=checked>
                    <input
                        type="radio"
                        name="org-kind"
                        value=choice.value
                        prop:checked=checked
                        aria-labelledby=title_id.clone()
                        aria-describedby=desc_id.clone()
                        on:change=move |_| kind.set(value)
                    />
                    <span class="kind-card-icon">
                        <Icon kind=choice.icon />
                    </span>
                    <span class="kind-card-title" id=title_id>{choice.title}</span>
                    <span class="kind-card-text" id=desc_id>{choice.description}</span>
                </label>
            }
        })
        .collect_view();

    let org_label = Signal::derive(move || {
        if kind.get() == RegisterKind::Partner { "Partner company name" } else { "Company name" }.to_string()
    });
    let email_label = Signal::derive(move || if is_individual.get() { "Email" } else { "Work email" }.to_string());

    view! {
        <main class="auth-page" id="main">
            <div class="auth-card auth-card-wide">
                <div class="auth-brand">
                    <Logo />
                    <span class="brand-name">"Tessera"</span>
                </div>
                <h1 class="auth-title">"Create your Tessera account"</h1>
                <p class="auth-lead">"You will be the first admin of your organization and can invite co-workers later."</p>
                {move || server_error.get().map(|e| view! { <ErrorBanner message=e.message /> }.into_any())}
                <form class="form" novalidate=true on:submit=on_submit aria-busy=move || pending.get().then_some("true")>
                    <fieldset class="kind-fieldset">
                        <legend class="field-label">"Who is this account for?"</legend>
                        <div class="kind-grid">{kind_cards}</div>
                    </fieldset>
                    <Show when=move || !is_individual.get()>
                        <FormField
                            id="org-name"
                            label=org_label
                            autocomplete="organization"
                            required=true
                            value=org_name
                            error=shown_org_name_error
                        />
                    </Show>
                    <FormField
                        id="name"
                        label="Your name"
                        autocomplete="name"
                        required=true
                        value=name
                        error=shown_name_error
                    />
                    <FormField
                        id="email"
                        label=email_label
                        input_type="email"
                        autocomplete="email"
                        required=true
                        value=email
                        error=shown_email_error
                        on_blur=Callback::new(move |()| {
                            if !email.with_untracked(String::is_empty) {
                                email_left.set(true);
                            }
                        })
                    />
                    <NewPasswordField
                        id="password"
                        label="Password"
                        value=password
                        email=email
                        error=shown_password_error
                        left=password_left
                    />
                    <BusyButton submit=true class="btn btn-primary btn-block" busy=pending>
                        "Create account"
                    </BusyButton>
                </form>
                <p class="auth-switch">"Already have an account? " <a href="/signin">"Sign in"</a></p>
            </div>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_name_is_not_asked_of_home_owners() {
        assert!(org_name_problem(RegisterKind::Customer, "  ").is_some());
        assert!(org_name_problem(RegisterKind::Partner, "").is_some());
        assert_eq!(org_name_problem(RegisterKind::Individual, ""), None);
        assert_eq!(org_name_problem(RegisterKind::Customer, "Acme"), None);
        assert!(org_name_problem(RegisterKind::Individual, &"x".repeat(121)).is_some(), "if given, it is checked");
        assert!(name_problem(&"x".repeat(101)).is_some(), "the server's limit, before asking it");
    }

    #[test]
    fn server_errors_find_their_field() {
        let taken =
            ApiError::from_response(409, r#"{"error":{"code":"email_taken","message":"Taken.","field":"email"}}"#);
        assert_eq!(field_of(&taken), Some("email"));
        let weak = ApiError::from_response(422, r#"{"error":{"code":"weak_password","message":"Weak."}}"#);
        assert_eq!(field_of(&weak), Some("password"));
        let org =
            ApiError::from_response(422, r#"{"error":{"code":"validation","message":"Name it.","field":"org_name"}}"#);
        assert_eq!(field_of(&org), Some("org-name"));
        assert_eq!(field_of(&ApiError::network()), None);
    }
}
