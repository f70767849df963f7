//! The invite dialog: "Invite a co-worker" (SPEC §7) on the Team page and "Share your
//! Digital Locker" (SPEC §3) on the Locker page, one component for both (the two kinds of
//! invitation share the server's machinery too). One email field, checked in the browser
//! with the shared rule, then by the server; its exact messages.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tessera_domain::api::{Invitation, InviteRequest};
use tessera_domain::email::Email;
use tessera_domain::invitation::lifetime_text;

use crate::api::{self, ApiError, InviteTo};
use crate::components::shell::focus_element;
use crate::components::{
    server_error_until_edited, BusyButton, Dialog, ErrorBanner, FormField, Icon, IconKind, ResendVerification,
    EMAIL_UNVERIFIED,
};
use crate::session::use_session;

/// What is wrong with the address before asking the server, in SPEC §7's words.
pub fn invite_email_problem(email: &str) -> Option<&'static str> {
    Email::parse(email).err().map(|e| e.message())
}

/// The dialog's title, its text under the title, and the note once sent, by kind.
pub fn invite_words(to: InviteTo, org_name: &str) -> (&'static str, String, &'static str) {
    let lifetime = lifetime_text();
    match to {
        InviteTo::Organization => (
            "Invite a co-worker",
            format!("We will email them a link to join {org_name}. The link works for {lifetime}."),
            "a link to join",
        ),
        InviteTo::Locker => (
            "Share your Digital Locker",
            format!(
                "We will email them a link to share your Digital Locker. Invite only people of your own company: \
                 everyone in the locker can use all its credits. The link works for {lifetime}."
            ),
            "a link to share your Digital Locker",
        ),
    }
}

/// The dialog. Closing it is the caller's business (`on_close`).
#[component]
pub fn InviteDialog(
    /// What the invitation is into: the organization unless said otherwise.
    #[prop(optional)]
    to: InviteTo,
    /// The organization co-workers are invited to (unused for the locker).
    #[prop(optional, into)]
    org_name: String,
    /// Cancel, Close, Escape.
    on_close: Callback<()>,
    /// An invitation was sent: the one the server created, for the list.
    on_sent: Callback<Invitation>,
) -> impl IntoView {
    let session = use_session();
    let email = RwSignal::new(String::new());
    // Errors of the browser's own check show from the first "Send Invite" on.
    let submitted = RwSignal::new(false);
    let local_error = Memo::new(move |_| email.with(|e| invite_email_problem(e)));

    let send = Action::new_local(move |request: &InviteRequest| {
        let request = request.clone();
        async move {
            let invitation = api::invite(session, to, &request).await?;
            on_sent.run(invitation.clone());
            // The form (and its focused button) is replaced: focus the next step.
            request_animation_frame(|| focus_element("invite-again"));
            Ok::<Invitation, ApiError>(invitation)
        }
    });
    let pending = send.pending();
    let sent_to =
        Memo::new(move |_| send.value().with(|v| v.as_ref().and_then(|r| r.as_ref().ok()).map(|i| i.email.clone())));
    // An error about the address stays under the field until the address changes; any other
    // (too many invitations, no permission, no connection) shows above the form, since
    // marking the field invalid would tell a screen reader the wrong thing.
    let last_error = Memo::new(move |_| send.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err()).cloned()));
    let server_error = server_error_until_edited(last_error, |e| e.is_about("email"), email);
    let other_error = Memo::new(move |_| last_error.get().filter(|e| !e.is_about("email")));
    let shown_error = Signal::derive(move || {
        let local = submitted.get().then(|| local_error.get()).flatten().map(str::to_string);
        local.or_else(|| server_error.get())
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        match email.with_untracked(|e| Email::parse(e)) {
            Ok(address) => {
                send.dispatch_local(InviteRequest { email: address.into_string() });
            }
            Err(_) => focus_element("invite-email"),
        }
    };
    let send_new = move |_| {
        send.clear();
        email.set(String::new());
        submitted.set(false);
        request_animation_frame(|| focus_element("invite-email"));
    };
    let close = move |_| on_close.run(());
    let (title, text, link_is) = invite_words(to, &org_name);

    let form = move || {
        view! {
            <h2 id="invite-title" class="dialog-title">{title}</h2>
            <p id="invite-text" class="dialog-text">{text.clone()}</p>
            <form class="form" novalidate=true on:submit=on_submit>
                {move || {
                    other_error
                        .get()
                        .map(|e| {
                            let resend = (e.code == EMAIL_UNVERIFIED).then(|| view! { <ResendVerification /> });
                            view! { <ErrorBanner message=e.message>{resend}</ErrorBanner> }.into_any()
                        })
                }}
                <FormField
                    id="invite-email"
                    label="Email address"
                    input_type="email"
                    autocomplete="off"
                    required=true
                    alert_error=true
                    value=email
                    error=shown_error
                />
                <div class="dialog-actions">
                    <button type="button" class="btn btn-secondary" on:click=close>"Cancel"</button>
                    <BusyButton submit=true class="btn btn-primary" busy=pending>
                        "Send Invite"
                    </BusyButton>
                </div>
            </form>
        }
    };
    let success = move |address: String| {
        view! {
            <div class="dialog-success-icon">
                <Icon kind=IconKind::Check />
            </div>
            <h2 id="invite-title" class="dialog-title">"Invitation Sent"</h2>
            <p id="invite-text" class="dialog-text" role="status">"Your invitation was sent."</p>
            <p class="dialog-note">
                <Icon kind=IconKind::Mail class="icon dialog-note-icon" />
                <span>
                    "We emailed " <strong class="cell-email">{address}</strong> " " {link_is} ". It works for "
                    {lifetime_text()} "."
                </span>
            </p>
            <div class="dialog-actions">
                <button type="button" class="btn btn-secondary" on:click=close>"Close"</button>
                <button type="button" id="invite-again" class="btn btn-primary" on:click=send_new>
                    "Send New Invite"
                </button>
            </div>
        }
    };

    view! {
        <Dialog
            title_id="invite-title"
            description_id="invite-text"
            initial_focus="invite-email"
            return_focus="invite-button"
            on_close=on_close
        >
            {move || match sent_to.get() {
                None => form().into_any(),
                Some(address) => success(address).into_any(),
            }}
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exact_words_of_the_spec() {
        assert_eq!(invite_email_problem(""), Some("Please enter email address"));
        assert_eq!(invite_email_problem("   "), Some("Please enter email address"));
        assert_eq!(
            invite_email_problem("not-an-email"),
            Some("You have entered an invalid email address. Please re-enter the email address.")
        );
        assert_eq!(invite_email_problem(" Cory@Example.com "), None);
    }

    #[test]
    fn each_kind_says_what_the_link_opens() {
        let (title, text, _) = invite_words(InviteTo::Organization, "Acme");
        assert_eq!(title, "Invite a co-worker");
        assert_eq!(text, "We will email them a link to join Acme. The link works for 7 days.");
        let (title, text, note) = invite_words(InviteTo::Locker, "");
        assert_eq!(title, "Share your Digital Locker");
        assert!(
            text.contains("Invite only people of your own company: everyone in the locker can use all its credits.")
        );
        assert!(text.ends_with("The link works for 7 days."));
        assert_eq!(note, "a link to share your Digital Locker");
    }
}
