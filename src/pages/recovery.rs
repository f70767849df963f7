//! "Forgot your password?": `/forgot-password` asks for the address and mails a link;
//! `/reset-password?token=…` (the link) sets a new password and signs in. Both public:
//! the link works in any browser, signed in or not.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use tessera_domain::api::PasswordResetConfirm;
use tessera_domain::email::Email;

use super::set_page_title;
use crate::api::{self, ApiError};
use crate::components::password_rules::password_problem;
use crate::components::shell::focus_element;
use crate::components::{
    server_error_until_edited, BusyButton, ErrorBanner, FormField, Logo, NewPasswordField, Notice,
};
use crate::session::use_session;

pub const FORGOT_PATH: &str = "/forgot-password";

/// The frame of the signed-out pages: logo, then the page's content.
#[component]
pub fn AuthCard(children: Children) -> impl IntoView {
    view! {
        <main class="auth-page" id="main">
            <div class="auth-card">
                <div class="auth-brand">
                    <Logo />
                    <span class="brand-name">"Tessera"</span>
                </div>
                {children()}
            </div>
        </main>
    }
}

/// `/forgot-password`
#[component]
pub fn ForgotPassword() -> impl IntoView {
    set_page_title("Forgot your password?");
    let session = use_session();
    let email = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let email_error = Memo::new(move |_| email.with(|e| Email::parse(e).err().map(|e| e.message().to_string())));
    let shown_error = Signal::derive(move || submitted.get().then(|| email_error.get()).flatten());

    let ask = Action::new_local(move |address: &String| api::request_password_reset(session, address.clone()));
    let pending = ask.pending();
    let answer = move || ask.value().get();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        match email.with_untracked(|e| Email::parse(e)) {
            Ok(address) => {
                ask.dispatch_local(address.into_string());
            }
            Err(_) => focus_element("email"),
        }
    };

    view! {
        <AuthCard>
            <h1 class="auth-title">"Forgot your password?"</h1>
            {move || match answer() {
                Some(Ok(notice)) => view! {
                    <Notice message=notice.message />
                    <a class="btn btn-primary btn-block" href="/signin">"Back to sign in"</a>
                }
                .into_any(),
                other => {
                    let error = other.and_then(Result::err);
                    view! {
                        <p class="auth-lead">"Enter the email address of your account. We will mail you a link to choose a new password."</p>
                        {error.map(|e| view! { <ErrorBanner message=e.message /> })}
                        <form class="form" novalidate=true on:submit=on_submit>
                            <FormField
                                id="email"
                                label="Email"
                                input_type="email"
                                autocomplete="username"
                                required=true
                                value=email
                                error=shown_error
                            />
                            <BusyButton submit=true class="btn btn-primary btn-block" busy=pending>
                                "Email me a link"
                            </BusyButton>
                        </form>
                        <p class="auth-switch">"Remembered it? " <a href="/signin">"Sign in"</a></p>
                    }
                    .into_any()
                }
            }}
        </AuthCard>
    }
}

/// The heading of a reset link that cannot be used, by the server's error code.
pub fn dead_link_title(code: &str) -> &'static str {
    match code {
        "reset_link_used" => "This link was used already",
        "reset_link_expired" => "This link has expired",
        _ => "This link is not valid",
    }
}

/// Whether the link itself is dead (rather than the password refused or a hiccup).
fn is_dead_link(error: &ApiError) -> bool {
    matches!(error.status, 404 | 410)
}

/// `/reset-password?token=…`
#[component]
pub fn ResetPassword() -> impl IntoView {
    set_page_title("Choose a new password");
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let token = move || query.with_untracked(|q| q.get_str("token").unwrap_or_default().to_string());

    let password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let left = RwSignal::new(false);
    let local_error = Memo::new(move |_| password.with(|p| password_problem(p, "")));

    let confirm = Action::new_local(move |body: &PasswordResetConfirm| {
        let body = body.clone();
        let navigate = navigate.clone();
        async move {
            let me = api::confirm_password_reset(session, &body).await?;
            session.sign_in(me);
            navigate("/", NavigateOptions { replace: true, ..Default::default() });
            Ok::<(), ApiError>(())
        }
    });
    let pending = confirm.pending();
    let error = Memo::new(move |_| confirm.value().get().and_then(Result::err));
    let dead = Memo::new(move |_| error.get().filter(is_dead_link));
    let password_server_error = server_error_until_edited(error, |e| e.is_about("password"), password);
    let shown_error = Signal::derive(move || {
        (submitted.get() || left.get()).then(|| local_error.get()).flatten().or_else(|| password_server_error.get())
    });
    let other_error = move || error.get().filter(|e| !e.is_about("password") && !is_dead_link(e));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        if local_error.get_untracked().is_some() {
            focus_element("new-password");
            return;
        }
        confirm.dispatch_local(PasswordResetConfirm { token: token(), password: password.get_untracked() });
    };

    view! {
        <AuthCard>
            {move || match dead.get() {
                Some(e) => view! {
                    <h1 class="auth-title">{dead_link_title(&e.code)}</h1>
                    <ErrorBanner message=e.message />
                    <a class="btn btn-primary btn-block" href=FORGOT_PATH>"Ask for a new link"</a>
                }
                .into_any(),
                None => view! {
                    <h1 class="auth-title">"Choose a new password"</h1>
                    <p class="auth-lead">"Choosing a new password signs out every session of your account, then signs you in here."</p>
                    {move || other_error().map(|e| view! { <ErrorBanner message=e.message /> })}
                    <form class="form" novalidate=true on:submit=on_submit>
                        <NewPasswordField
                            id="new-password"
                            label="New password"
                            value=password
                            email=String::new()
                            error=shown_error
                            left=left
                        />
                        <BusyButton submit=true class="btn btn-primary btn-block" busy=pending>
                            "Set password and sign in"
                        </BusyButton>
                    </form>
                }
                .into_any(),
            }}
        </AuthCard>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dead_link_has_its_heading() {
        assert_eq!(dead_link_title("reset_link_used"), "This link was used already");
        assert_eq!(dead_link_title("reset_link_expired"), "This link has expired");
        assert_eq!(dead_link_title("reset_link_unknown"), "This link is not valid");
    }
}
