use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use tessera_domain::api::LoginRequest;
use tessera_domain::email::Email;

use super::set_page_title;
use crate::api::{self, ApiError};
use crate::components::shell::focus_element;
use crate::components::{BusyButton, ErrorBanner, FormField, Logo, Notice};
use crate::session::use_session;

/// The message shown when a session ran out.
pub const EXPIRED_MESSAGE: &str = "Your session has expired. Please sign in again.";

/// What is wrong with the sign-in form before asking the server.
fn email_problem(email: &str) -> Option<String> {
    Email::parse(email).err().map(|e| e.message().to_string())
}

fn password_problem(password: &str) -> Option<String> {
    password.is_empty().then(|| "Please enter your password".to_string())
}

/// `/signin`
#[component]
pub fn SignIn() -> impl IntoView {
    set_page_title("Sign in");
    let session = use_session();
    let query = use_query_map();
    let expired = move || query.with(|q| q.get_str("expired").is_some());

    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Errors show once the person left a filled-in field or tried to submit,
    // then follow what they type.
    let submitted = RwSignal::new(false);
    let email_left = RwSignal::new(false);

    let email_error = Memo::new(move |_| email.with(|e| email_problem(e)));
    let password_error = Memo::new(move |_| password.with(|p| password_problem(p)));
    let shown_email_error =
        Signal::derive(move || (submitted.get() || email_left.get()).then(|| email_error.get()).flatten());
    let shown_password_error = Signal::derive(move || submitted.get().then(|| password_error.get()).flatten());

    let login = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            let me = api::login(&request).await?;
            session.sign_in(me);
            Ok::<(), ApiError>(())
        }
    });
    let pending = login.pending();
    let server_error = move || login.value().get().and_then(Result::err);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        let parsed = email.with_untracked(|e| Email::parse(e));
        let Ok(address) = parsed else {
            focus_element("email");
            return;
        };
        if password_error.get_untracked().is_some() {
            focus_element("password");
            return;
        }
        login.dispatch_local(LoginRequest { email: address.into_string(), password: password.get_untracked() });
    };

    view! {
        <main class="auth-page" id="main">
            <div class="auth-card">
                <div class="auth-brand">
                    <Logo />
                    <span class="brand-name">"Tessera"</span>
                </div>
                <h1 class="auth-title">"Sign in to Tessera"</h1>
                <p class="auth-lead">"Manage your software licenses, devices and renewals."</p>
                {move || expired().then(|| view! { <Notice message=EXPIRED_MESSAGE /> }.into_any())}
                {move || server_error().map(|e| view! { <ErrorBanner message=e.message /> }.into_any())}
                <form class="form" novalidate=true on:submit=on_submit aria-busy=move || pending.get().then_some("true")>
                    <FormField
                        id="email"
                        label="Email"
                        input_type="email"
                        autocomplete="username"
                        required=true
                        value=email
                        error=shown_email_error
                        on_blur=Callback::new(move |()| {
                            if !email.with_untracked(String::is_empty) {
                                email_left.set(true);
                            }
                        })
                    />
                    <FormField
                        id="password"
                        label="Password"
                        input_type="password"
                        autocomplete="current-password"
                        required=true
                        value=password
                        error=shown_password_error
                    />
                    <p class="form-aside">
                        <a href="/forgot-password">"Forgot your password?"</a>
                    </p>
                    <BusyButton submit=true class="btn btn-primary btn-block" busy=pending>
                        "Sign in"
                    </BusyButton>
                </form>
                <p class="auth-switch">
                    "New to Tessera? " <a href="/register">"Create an account"</a>
                </p>
            </div>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_checked_with_the_shared_rule() {
        assert_eq!(email_problem("").as_deref(), Some("Please enter email address"));
        assert!(email_problem("ada@").is_some());
        assert_eq!(email_problem(" Ada@Example.com "), None);
    }

    #[test]
    fn password_only_needs_to_be_there() {
        assert!(password_problem("").is_some());
        assert_eq!(password_problem("short"), None);
    }
}
