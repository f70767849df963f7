//! `/account`: the signed-in person's own details and password. An account
//! created with a one-time password (a vendor operator made on the command
//! line) is kept here until it has chosen its own: the server refuses
//! everything else meanwhile (`password_change_required`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use tessera_domain::api::{ChangePasswordRequest, OrgKind, ProfilePatch, Role};
use tessera_domain::name::PersonName;

use super::set_page_title;
use crate::api::{self, ApiError};
use crate::components::password_rules::password_problem;
use crate::components::shell::focus_element;
use crate::components::{
    server_error_until_edited, BusyButton, ErrorBanner, FormField, Icon, IconKind, NewPasswordField, Notice, PageHeader,
};
use crate::sections::{kind_label, role_label};
use crate::session::{use_session, Session};

/// What is wrong with the name before asking the server.
pub fn name_problem(name: &str) -> Option<String> {
    PersonName::parse(name).err().map(|e| e.message())
}

/// What is wrong with a password change before asking the server: the
/// current password is needed, and the new one must follow the shared rule
/// and differ from the current one.
pub fn password_change_problems(current: &str, new: &str, email: &str) -> (Option<String>, Option<String>) {
    let current_problem = current.is_empty().then(|| "Please enter your current password".to_string());
    let new_problem = password_problem(new, email).or_else(|| {
        tessera_domain::password::is_unchanged(current, new)
            .then(|| tessera_domain::password::UNCHANGED_MESSAGE.to_string())
    });
    (current_problem, new_problem)
}

#[component]
pub fn Account() -> impl IntoView {
    set_page_title("Your account");
    let session = use_session();
    let must_change = Memo::new(move |_| session.with_me(|me| me.must_change_password).unwrap_or(false));
    let notices_admin = session
        .with_me_untracked(|me| me.role == Role::Admin && me.organization.kind != OrgKind::Vendor)
        .unwrap_or(false);
    view! {
        <PageHeader title="Your account" description="Your name, your sign-in email and your password." />
        {move || {
            must_change
                .get()
                .then(|| {
                    view! {
                        <div class="banner banner-warning" role="status">
                            <Icon kind=IconKind::Alert class="icon banner-icon" />
                            <div class="banner-body">
                                <p class="banner-title">"Choose your own password"</p>
                                <p>
                                    "You signed in with a one-time password. Choose a password of your own to start using Tessera."
                                </p>
                            </div>
                        </div>
                    }
                    .into_any()
                })
        }}
        <div class="account-grid">
            <PasswordSection session=session />
            <ProfileSection session=session must_change=must_change />
            <SessionsSection session=session />
            {notices_admin.then(|| view! { <NoticesSection session=session /> })}
        </div>
    }
}

#[component]
fn ProfileSection(session: Session, must_change: Memo<bool>) -> impl IntoView {
    let me = session.with_me_untracked(Clone::clone);
    let email = me.as_ref().map(|m| m.user.email.clone()).unwrap_or_default();
    let organization = me
        .as_ref()
        .map(|m| format!("{} ({})", m.organization.name, kind_label(m.organization.kind)))
        .unwrap_or_default();
    let role = me.as_ref().map(|m| role_label(m.role)).unwrap_or_default();
    let name = RwSignal::new(me.map(|m| m.user.name).unwrap_or_default());
    let email_value = RwSignal::new(email);
    let submitted = RwSignal::new(false);
    let name_error = Memo::new(move |_| name.with(|n| name_problem(n)));

    let save = Action::new_local(move |patch: &ProfilePatch| {
        let patch = patch.clone();
        async move {
            let me = api::update_me(session, &patch).await?;
            session.sign_in(me);
            Ok::<(), ApiError>(())
        }
    });
    let pending = save.pending();
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(()) => view! { <Notice message="Your name was saved." /> }.into_any(),
            Err(e) => view! { <ErrorBanner message=e.message /> }.into_any(),
        })
    };
    let shown_name_error = Signal::derive(move || submitted.get().then(|| name_error.get()).flatten());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() || must_change.get_untracked() {
            return;
        }
        submitted.set(true);
        if name_error.get_untracked().is_some() {
            focus_element("profile-name");
            return;
        }
        save.dispatch_local(ProfilePatch { name: name.get_untracked().trim().to_string() });
    };

    view! {
        <section class="card account-card" aria-labelledby="profile-title">
            <h2 id="profile-title" class="account-card-title">"Profile"</h2>
            <p class="account-card-text">"Your co-workers see your name on the Team page and on the invitations you send."</p>
            {move || outcome()}
            <form class="form" novalidate=true on:submit=on_submit>
                // The server refuses a rename until the one-time password is replaced.
                {move || {
                    if must_change.get() {
                        view! {
                            <p class="account-card-text">
                                "You can change your name once you have chosen your own password."
                            </p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <FormField
                                id="profile-name"
                                label="Name"
                                autocomplete="name"
                                required=true
                                value=name
                                error=shown_name_error
                            />
                        }
                            .into_any()
                    }
                }}
                <FormField
                    id="profile-email"
                    label="Email"
                    input_type="email"
                    readonly=true
                    value=email_value
                    hint="You sign in with this address. An admin of your organization can invite you under another one."
                        .to_string()
                />
                <dl class="account-facts">
                    <div>
                        <dt>"Organization"</dt>
                        <dd>{organization}</dd>
                    </div>
                    <div>
                        <dt>"Role"</dt>
                        <dd>{role}</dd>
                    </div>
                </dl>
                {move || {
                    (!must_change.get())
                        .then(|| {
                            view! {
                                <div class="form-actions">
                                    <BusyButton submit=true class="btn btn-primary" busy=pending>
                                        "Save name"
                                    </BusyButton>
                                </div>
                            }
                                .into_any()
                        })
                }}
            </form>
        </section>
    }
}

#[component]
fn PasswordSection(session: Session) -> impl IntoView {
    let email = Signal::derive(move || session.with_me(|me| me.user.email.clone()).unwrap_or_default());
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let problems = Memo::new(move |_| current.with(|c| new.with(|n| password_change_problems(c, n, &email.get()))));

    let change = Action::new_local(move |request: &ChangePasswordRequest| {
        let request = request.clone();
        async move {
            let me = api::change_password(session, &request).await?;
            session.sign_in(me);
            Ok::<(), ApiError>(())
        }
    });
    let pending = change.pending();
    let server_error = Memo::new(move |_| change.value().get().and_then(Result::err));
    let current_server_error = server_error_until_edited(server_error, |e| e.is_about("current_password"), current);
    let new_server_error = server_error_until_edited(server_error, |e| e.is_about("new_password"), new);
    let shown_current_error = Signal::derive(move || {
        submitted.get().then(|| problems.get().0).flatten().or_else(|| current_server_error.get())
    });
    let shown_new_error =
        Signal::derive(move || submitted.get().then(|| problems.get().1).flatten().or_else(|| new_server_error.get()));
    let banner = move || match change.value().get() {
        Some(Ok(())) => Some(
            view! { <Notice message="Your password was changed. Your other sessions were signed out." /> }.into_any(),
        ),
        Some(Err(e)) if e.field.is_none() => Some(view! { <ErrorBanner message=e.message /> }.into_any()),
        _ => None,
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        match problems.get_untracked() {
            (Some(_), _) => focus_element("current-password"),
            (None, Some(_)) => focus_element("new-password"),
            (None, None) => {
                change.dispatch_local(ChangePasswordRequest {
                    current_password: current.get_untracked(),
                    new_password: new.get_untracked(),
                });
            }
        }
    };
    // Once changed, the form starts over (and the browser may offer to save it).
    Effect::new(move |_| {
        if matches!(change.value().get(), Some(Ok(()))) {
            submitted.set(false);
            current.set(String::new());
            new.set(String::new());
        }
    });

    view! {
        <section class="card account-card" aria-labelledby="password-title">
            <h2 id="password-title" class="account-card-title">"Password"</h2>
            <p class="account-card-text">
                "Changing it signs you out everywhere else, and we email you that it changed."
            </p>
            {move || banner()}
            <form class="form" novalidate=true on:submit=on_submit>
                // Lets password managers file the new password under the right account.
                <input type="email" class="visually-hidden" autocomplete="username" prop:value=email tabindex="-1" aria-hidden="true" readonly=true />
                <FormField
                    id="current-password"
                    label="Current password"
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    value=current
                    error=shown_current_error
                />
                <NewPasswordField id="new-password" label="New password" value=new email=email error=shown_new_error />
                <div class="form-actions">
                    <BusyButton submit=true class="btn btn-primary" busy=pending>
                        "Change password"
                    </BusyButton>
                </div>
            </form>
        </section>
    }
}

/// Ending every session at once: for a lost laptop, or a shared computer left signed in.
/// Renewal notices (SPEC §8), for admins: the digest mailed as items near their expiry.
#[component]
fn NoticesSection(session: Session) -> impl IntoView {
    let enabled = RwSignal::new(None::<bool>);
    let error = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        match super::renewals::notices(session).await {
            Ok(s) => {
                let _ = enabled.try_set(Some(s.enabled));
            }
            Err(e) => {
                let _ = error.try_set(Some(e.message));
            }
        }
    });
    let save = move |on: bool| {
        enabled.set(None);
        error.set(None);
        leptos::task::spawn_local(async move {
            match super::renewals::set_notices(session, on).await {
                Ok(s) => {
                    let _ = enabled.try_set(Some(s.enabled));
                }
                Err(e) => {
                    let _ = enabled.try_set(Some(!on));
                    let _ = error.try_set(Some(e.message));
                }
            }
        });
    };
    view! {
        <section class="card account-card" aria-labelledby="notices-title">
            <h2 id="notices-title" class="account-card-title">"Renewal notices"</h2>
            {move || error.get().map(|m| view! { <ErrorBanner title="Could not change renewal notices" message=m /> })}
            <div class="setting-row">
                <input
                    type="checkbox"
                    id="renewal-notices"
                    class="checkbox"
                    aria-describedby="renewal-notices-hint"
                    prop:checked=move || enabled.get().unwrap_or(false)
                    disabled=move || enabled.get().is_none()
                    on:change=move |ev| save(event_target_checked(&ev))
                />
                <div class="setting-text">
                    <label for="renewal-notices" class="setting-label">
                        "Email me renewal notices"
                    </label>
                    <p id="renewal-notices-hint" class="field-hint">
                        "One email listing what reaches 60, 30, 7 or 0 days before its expiry, so nothing lapses unnoticed."
                    </p>
                </div>
            </div>
        </section>
    }
}

#[component]
fn SessionsSection(session: Session) -> impl IntoView {
    let navigate = use_navigate();
    let end_all = Action::new_local(move |_: &()| {
        let navigate = navigate.clone();
        async move {
            match api::logout_everywhere(session).await {
                Err(e) if !e.is_unauthenticated() => Some(e.message),
                _ => {
                    session.sign_out();
                    navigate("/signin", NavigateOptions::default());
                    None
                }
            }
        }
    });
    let pending = end_all.pending();
    view! {
        <section class="card account-card" aria-labelledby="sessions-title">
            <h2 id="sessions-title" class="account-card-title">"Sessions"</h2>
            <p class="account-card-text">
                "Left Tessera open on a computer you no longer use, or lost a device? Sign out on every browser and device at once, this one included."
            </p>
            {move || {
                end_all
                    .value()
                    .get()
                    .flatten()
                    .map(|message| view! { <ErrorBanner title="Could not sign out" message=message /> }.into_any())
            }}
            <div class="form-actions">
                <BusyButton
                    class="btn btn-secondary"
                    busy=pending
                    on_click=move |()| {
                        end_all.dispatch_local(());
                    }
                >
                    "Sign out everywhere"
                </BusyButton>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_needed() {
        assert!(name_problem("  ").is_some());
        assert_eq!(name_problem("Ada"), None);
        assert!(name_problem("Ada\u{0}").is_some(), "the server's rule, before asking it");
    }

    #[test]
    fn password_changes_are_checked_before_asking_the_server() {
        let (current, new) = password_change_problems("", "correct horse battery", "ada@example.com");
        assert_eq!(current.as_deref(), Some("Please enter your current password"));
        assert_eq!(new, None);

        let (_, new) = password_change_problems("old-password-1", "short", "ada@example.com");
        assert_eq!(new.as_deref(), Some("Password must be at least 10 characters long."));

        let (_, new) = password_change_problems("same-password-1", "same-password-1", "ada@example.com");
        assert_eq!(new.as_deref(), Some("Please choose a password different from your current one."));

        assert_eq!(
            password_change_problems("old-password-1", "correct horse battery", "ada@example.com"),
            (None, None)
        );
    }
}
