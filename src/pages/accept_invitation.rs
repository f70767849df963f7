//! `/invite/accept?token=…` and `/locker/accept?token=…`: where the link of an
//! invitation mail leads, into a company (SPEC §7) or into someone's Digital Locker
//! (SPEC §3). Public: someone signed in with the invited address joins in one click;
//! someone signed in as another person is told so. A newcomer to a company creates
//! their account here with the invited address; one invited into a locker signs in
//! (or registers) first and comes back.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use tessera_domain::api::{AcceptInvitation as AcceptRequest, InvitationLookup};
use tessera_domain::name::PersonName;

use super::set_page_title;
use crate::api::{self, ApiError, InviteTo};
use crate::components::password_rules::password_problem;
use crate::components::shell::{focus_element, sign_out_action};
use crate::components::{
    server_error_until_edited, BusyButton, ErrorBanner, FormField, Loading, Logo, NewPasswordField,
};
use crate::session::use_session;
use crate::url::encode_query_value;

/// This page, for the invitation's token.
pub fn accept_path(to: InviteTo, token: &str) -> String {
    format!("{}?token={}", to.accept_route(), encode_query_value(token))
}

/// The sign-in page that comes back here afterwards.
pub fn signin_to_accept(to: InviteTo, token: &str) -> String {
    format!("/signin?next={}", encode_query_value(&accept_path(to, token)))
}

/// The registration page that comes back here once the account exists.
pub fn register_to_accept(to: InviteTo, token: &str) -> String {
    format!("/register?next={}", encode_query_value(&accept_path(to, token)))
}

/// What accepting an invitation into someone's locker leads to, said on the Locker page.
pub fn joined_locker_notice(invitation: &InvitationLookup) -> String {
    format!(
        "You now share the Digital Locker of {} ({}). Your credits joined the pool.",
        invitation.inviter, invitation.organization_name
    )
}

/// Answers after which pressing the button again cannot help: the link is dead, or the
/// person is where the invitation leads already (or cannot go there from where they are).
fn blocks_accepting(error: &ApiError) -> bool {
    is_final(error) || matches!(error.code.as_str(), "member_of_other_org" | "locker_shared" | "already_member")
}

/// Where a signed-in person goes on from here: home, or the locker an invitation was about.
fn way_on(to: InviteTo) -> (&'static str, &'static str) {
    match to {
        InviteTo::Organization => ("/", "Go to Home"),
        InviteTo::Locker => ("/locker", "Go to Digital Locker"),
    }
}

/// The heading of a link that cannot be used, by the server's error code.
pub fn unusable_title(code: &str) -> &'static str {
    match code {
        "invitation_used" => "This invitation has already been used",
        "invitation_revoked" => "This invitation was withdrawn",
        "invitation_expired" => "This invitation has expired",
        "invitation_not_found" => "This invitation link is not valid",
        _ => "We could not open this invitation",
    }
}

/// Whether the answer is final (the link is dead), rather than a hiccup worth
/// trying again.
fn is_final(error: &ApiError) -> bool {
    matches!(error.status, 404 | 410)
}

/// Whether the signed-in address is the invited one.
pub fn same_address(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Accepting. Into a company: the answer's `Me` becomes the session, then home. Into a
/// locker: the Locker page, which says `joined` once.
fn accept_action(to: InviteTo, joined: String) -> Action<AcceptRequest, Result<(), ApiError>> {
    let session = use_session();
    let navigate = use_navigate();
    Action::new_local(move |request: &AcceptRequest| {
        let request = request.clone();
        let navigate = navigate.clone();
        let joined = joined.clone();
        async move {
            let to = match to {
                InviteTo::Organization => {
                    let me = api::accept_invitation(session, &request).await?;
                    session.sign_in(me);
                    "/"
                }
                InviteTo::Locker => {
                    api::accept_locker_invitation(session, request.token).await?;
                    super::locker::announce(joined);
                    "/locker"
                }
            };
            navigate(to, NavigateOptions { replace: true, ..Default::default() });
            Ok(())
        }
    })
}

#[component]
pub fn AcceptInvitation(
    /// What the invitation is into: a company, or someone's Digital Locker.
    to: InviteTo,
) -> impl IntoView {
    set_page_title("Accept invitation");
    let query = use_query_map();
    let token = Memo::new(move |_| query.with(|q| q.get_str("token").unwrap_or_default().to_string()));
    let session = use_session();
    let lookup = LocalResource::new(move || {
        let token = token.get();
        async move { api::lookup_invitation(session, to, &token).await }
    });

    view! {
        <main class="auth-page" id="main">
            <div class="auth-card">
                <div class="auth-brand">
                    <Logo />
                    <span class="brand-name">"Tessera"</span>
                </div>
                <Transition fallback=|| view! { <Loading label="Opening your invitation…" /> }>
                    {move || Suspend::new(async move {
                        match lookup.await {
                            Ok(invitation) => {
                                view! { <Invited to=to token=token.get_untracked() invitation=invitation /> }
                                    .into_any()
                            }
                            Err(error) => {
                                view! { <Unusable to=to error=error retry=Callback::new(move |()| lookup.refetch()) /> }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </div>
        </main>
    }
}

/// A link that cannot be used (or could not be checked): why, and where to go.
#[component]
fn Unusable(to: InviteTo, error: ApiError, retry: Callback<()>) -> impl IntoView {
    let signed_in = use_session().signed_in().get_untracked();
    let final_answer = is_final(&error);
    let title = if final_answer { unusable_title(&error.code) } else { "We could not open this invitation" };
    view! {
        <h1 class="auth-title">{title}</h1>
        <ErrorBanner message=error.message>
            {(!final_answer)
                .then(|| {
                    view! {
                        <button type="button" class="btn btn-secondary btn-sm banner-action" on:click=move |_| retry.run(())>
                            "Try again"
                        </button>
                    }
                })}
        </ErrorBanner>
        {
            let (href, label) = if signed_in { way_on(to) } else { ("/signin", "Go to sign in") };
            view! { <a class="btn btn-primary btn-block" href=href>{label}</a> }
        }
    }
}

/// A usable invitation: who invited whom, and the way in that fits who is here.
#[component]
fn Invited(to: InviteTo, token: String, invitation: InvitationLookup) -> impl IntoView {
    let session = use_session();
    let (heading, lead) = match to {
        InviteTo::Organization => (
            format!("Join {}", invitation.organization_name),
            format!("{} invited you to join {}.", invitation.inviter, invitation.organization_name),
        ),
        InviteTo::Locker => (
            "Share a Digital Locker".to_string(),
            format!(
                "{} ({}) invited you to share their Digital Locker: your credits and theirs become one pool that \
                 everyone in it can use.",
                invitation.inviter, invitation.organization_name
            ),
        ),
    };
    set_page_title(&heading);
    let signed_in_as = Memo::new(move |_| session.with_me(|me| me.user.email.clone()));
    let body = move || match signed_in_as.get() {
        None if to == InviteTo::Locker => {
            view! { <SignInFirst token=token.clone() email=invitation.email.clone() /> }.into_any()
        }
        None => view! { <NewAccount token=token.clone() invitation=invitation.clone() /> }.into_any(),
        Some(mine) if same_address(&mine, &invitation.email) => {
            view! { <JoinSignedIn to=to token=token.clone() invitation=invitation.clone() /> }.into_any()
        }
        Some(mine) => view! { <SignedInAsSomeoneElse mine=mine invited=invitation.email.clone() /> }.into_any(),
    };
    view! {
        <h1 class="auth-title">{heading}</h1>
        <p class="auth-lead">{lead}</p>
        {move || body()}
    }
}

/// The form field a server error is about, if it is one of ours.
fn field_of(error: &ApiError) -> Option<&'static str> {
    match (error.field.as_deref(), error.code.as_str()) {
        (Some("name"), _) => Some("name"),
        (Some("password"), _) | (_, "weak_password") => Some("password"),
        _ => None,
    }
}

/// A newcomer: name and password; the address is the invited one, fixed.
#[component]
fn NewAccount(token: String, invitation: InvitationLookup) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(invitation.email.clone());
    let password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let password_left = RwSignal::new(false);

    let name_error = Memo::new(move |_| name.with(|n| PersonName::parse(n).err().map(|e| e.message())));
    let password_error = Memo::new(move |_| password.with(|p| email.with(|e| password_problem(p, e))));

    let accept = accept_action(InviteTo::Organization, String::new());
    let pending = accept.pending();
    let server_error = Memo::new(move |_| accept.value().get().and_then(Result::err));
    // Errors about a field show under it until it changes; others above the form.
    let name_server_error = server_error_until_edited(server_error, |e| field_of(e) == Some("name"), name);
    let password_server_error = server_error_until_edited(server_error, |e| field_of(e) == Some("password"), password);
    let shown_name_error =
        Signal::derive(move || submitted.get().then(|| name_error.get()).flatten().or_else(|| name_server_error.get()));
    let shown_password_error = Signal::derive(move || {
        (submitted.get() || password_left.get())
            .then(|| password_error.get())
            .flatten()
            .or_else(|| password_server_error.get())
    });
    let signin_href = signin_to_accept(InviteTo::Organization, &token);
    let banner = {
        let signin_href = signin_href.clone();
        move || {
            server_error.get().filter(|e| field_of(e).is_none()).map(|e| {
                let sign_in = (e.code == "email_taken").then(|| {
                    view! {
                        <a class="btn btn-primary btn-sm banner-action" href=signin_href.clone()>
                            "Sign in to accept"
                        </a>
                    }
                });
                view! { <ErrorBanner message=e.message>{sign_in}</ErrorBanner> }
            })
        }
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        if name_error.get_untracked().is_some() {
            focus_element("name");
            return;
        }
        if password_error.get_untracked().is_some() {
            focus_element("password");
            return;
        }
        accept.dispatch_local(AcceptRequest {
            token: token.clone(),
            name: Some(name.get_untracked().trim().to_string()),
            password: Some(password.get_untracked()),
        });
    };

    view! {
        {move || banner()}
        <form class="form" novalidate=true on:submit=on_submit aria-busy=move || pending.get().then_some("true")>
            <FormField id="name" label="Your name" autocomplete="name" required=true value=name error=shown_name_error />
            <FormField
                id="email"
                label="Email"
                input_type="email"
                autocomplete="username"
                readonly=true
                value=email
                hint="Your invitation was sent to this address; it will be your sign-in."
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
                "Create account and join"
            </BusyButton>
        </form>
        <p class="auth-switch">"Already have a Tessera account? " <a href=signin_href>"Sign in to accept"</a></p>
    }
}

/// Signed out, invited into a locker: the locker is shared between accounts, so the way in
/// is signing in (or creating the account) with the invited address, then back here.
#[component]
fn SignInFirst(token: String, email: String) -> impl IntoView {
    view! {
        <p class="auth-text">
            "The invitation is for " <strong>{email}</strong>
            ". Sign in with that address to accept it, or create an account with it first."
        </p>
        <div class="auth-actions">
            <a class="btn btn-primary btn-block" href=signin_to_accept(InviteTo::Locker, &token)>
                "Sign in to accept"
            </a>
            <a class="btn btn-secondary btn-block" href=register_to_accept(InviteTo::Locker, &token)>
                "Create an account"
            </a>
        </div>
    }
}

/// Signed in with the invited address: one click joins.
#[component]
fn JoinSignedIn(to: InviteTo, token: String, invitation: InvitationLookup) -> impl IntoView {
    let session = use_session();
    let accept = accept_action(to, joined_locker_notice(&invitation));
    let pending = accept.pending();
    let error = move || {
        accept.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner message=e.message /> }.into_any())
    };
    let who = session.with_me_untracked(|me| format!("{} ({})", me.user.name, me.user.email)).unwrap_or_default();
    let label = match to {
        InviteTo::Organization => format!("Join {}", invitation.organization_name),
        InviteTo::Locker => "Share the locker".to_string(),
    };
    // Belonging to another company (or a locker shared with others already) is not fixed
    // by clicking again: the way on is to go back.
    let blocked = move || accept.value().with(|v| matches!(v, Some(Err(e)) if blocks_accepting(e)));
    let join = move || {
        if blocked() {
            let (href, label) = way_on(to);
            return view! { <a class="btn btn-secondary btn-block" href=href>{label}</a> }.into_any();
        }
        let token = token.clone();
        let label = label.clone();
        view! {
        <BusyButton
            class="btn btn-primary btn-block"
            busy=pending
            on_click=Callback::new(move |()| {
                accept.dispatch_local(AcceptRequest { token: token.clone(), name: None, password: None });
            })
        >
            {label}
        </BusyButton>
        }
        .into_any()
    };
    view! {
        {move || error()}
        <p class="auth-text">"You are signed in as " <strong>{who}</strong> "."</p>
        {move || join()}
    }
}

/// Signed in as another person: say so, and offer to sign out.
#[component]
fn SignedInAsSomeoneElse(mine: String, invited: String) -> impl IntoView {
    let sign_out = sign_out_action(false);
    let pending = sign_out.pending();
    let error = move || {
        sign_out
            .value()
            .get()
            .flatten()
            .map(|m| view! { <ErrorBanner title="Could not sign out" message=m /> }.into_any())
    };
    view! {
        {move || error()}
        <div class="banner banner-info" role="status">
            <div class="banner-body">
                <p>
                    "You are signed in as " <strong>{mine}</strong> ", but this invitation is for " <strong>{invited}</strong>
                    ". Sign out, then open the link again to create that account or sign in with it."
                </p>
            </div>
        </div>
        <div class="auth-actions">
            <BusyButton
                class="btn btn-primary"
                busy=pending
                on_click=Callback::new(move |()| {
                    sign_out.dispatch_local(());
                })
            >
                "Sign out"
            </BusyButton>
            <a class="btn btn-secondary" href="/">"Go to Home"</a>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::safe_next;

    #[test]
    fn sign_in_comes_back_to_the_invitation() {
        let href = signin_to_accept(InviteTo::Organization, "abc_DEF-123");
        assert_eq!(href, "/signin?next=/invite/accept%3Ftoken%3Dabc_DEF-123");
        let href = signin_to_accept(InviteTo::Locker, "abc_DEF-123");
        assert_eq!(href, "/signin?next=/locker/accept%3Ftoken%3Dabc_DEF-123");
        let href = register_to_accept(InviteTo::Locker, "abc_DEF-123");
        assert_eq!(href, "/register?next=/locker/accept%3Ftoken%3Dabc_DEF-123");
        assert_eq!(safe_next(Some("/locker/accept?token=abc_DEF-123")), "/locker/accept?token=abc_DEF-123");
        // What the sign-in page reads back (decoded) is a path of this app.
        let next = "/invite/accept?token=abc_DEF-123";
        assert_eq!(safe_next(Some(next)), next);
    }

    #[test]
    fn odd_tokens_are_encoded_twice() {
        // The token inside the path, then the whole path inside `next`.
        assert_eq!(signin_to_accept(InviteTo::Organization, "a+b"), "/signin?next=/invite/accept%3Ftoken%3Da%252Bb");
    }

    #[test]
    fn dead_links_say_why() {
        assert!(unusable_title("invitation_used").contains("already been used"));
        assert!(unusable_title("invitation_revoked").contains("withdrawn"));
        assert!(unusable_title("invitation_expired").contains("expired"));
        assert!(unusable_title("invitation_not_found").contains("not valid"));
        assert!(unusable_title("server_error").contains("could not open"));
    }

    #[test]
    fn only_gone_or_unknown_links_are_final() {
        assert!(is_final(&ApiError::from_response(410, "")));
        assert!(is_final(&ApiError::from_response(404, "")));
        assert!(!is_final(&ApiError::network()));
        assert!(!is_final(&ApiError::from_response(502, "")));
    }

    #[test]
    fn refusals_that_another_click_cannot_fix_replace_the_button() {
        let conflict =
            |code: &str| ApiError::from_response(409, &format!(r#"{{"error":{{"code":"{code}","message":"No."}}}}"#));
        assert!(blocks_accepting(&conflict("locker_shared")));
        assert!(blocks_accepting(&conflict("already_member")));
        assert!(blocks_accepting(&conflict("member_of_other_org")));
        assert!(blocks_accepting(&ApiError::from_response(410, "")));
        assert!(!blocks_accepting(&ApiError::network()));
        assert_eq!(way_on(InviteTo::Locker), ("/locker", "Go to Digital Locker"));
    }

    #[test]
    fn joining_a_locker_is_announced_with_whose_it_is() {
        let invitation = InvitationLookup {
            organization_name: "Acme".into(),
            inviter: "Ada Owner".into(),
            email: "bo@example.com".into(),
        };
        assert_eq!(
            joined_locker_notice(&invitation),
            "You now share the Digital Locker of Ada Owner (Acme). Your credits joined the pool."
        );
    }

    #[test]
    fn addresses_compare_without_case() {
        assert!(same_address("Cory@Example.com", "cory@example.com "));
        assert!(!same_address("ann@example.com", "cory@example.com"));
    }

    #[test]
    fn field_errors_find_their_field() {
        let weak = ApiError::from_response(422, r#"{"error":{"code":"weak_password","message":"Weak."}}"#);
        assert_eq!(field_of(&weak), Some("password"));
        let name = ApiError::from_response(422, r#"{"error":{"code":"validation","message":"Name.","field":"name"}}"#);
        assert_eq!(field_of(&name), Some("name"));
        let taken =
            ApiError::from_response(409, r#"{"error":{"code":"email_taken","message":"Taken.","field":"email"}}"#);
        assert_eq!(field_of(&taken), None, "shown above the form, with a way to sign in");
    }
}
