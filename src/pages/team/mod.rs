//! `/team`: the people of the organization and the co-workers invited to it
//! (SPEC §7). Admins change roles, remove people, resend and revoke
//! invitations, and decide whether members may invite too.
//!
//! Each list is one resource, the single source of truth: a change the server
//! accepted is written into it, and the keyed rows read their own entry from
//! it, so a change redraws the cells it touches and nothing else (a button
//! keeps focus), and a reload of the list keeps the rows that did not change.

mod invitations;
mod invite;
mod members;
mod reseller;

use leptos::either::Either;
use leptos::prelude::*;
use tessera_domain::api::{Invitation, InvitationStatus, Member, Role};
use tessera_domain::invitation::{may_invite, InvitePolicy};

use super::set_page_title;
use crate::api::{self, ApiError};
use crate::components::{BusyButton, Dialog, EmptyState, ErrorBanner, Icon, IconKind, Loading, Notice, PageHeader};
use crate::sections::TEAM;
use crate::session::{use_session, Session};

pub use invitations::status_badge_class;
use invitations::InvitationsSection;
pub use invite::InviteDialog;
use members::MembersSection;
use reseller::{chooses_reseller, ResellerSection};

/// Whether the invite button shows, by the server's rule; a setting not known
/// yet (`None`) counts as off, so a member sees the button only once it is on.
pub fn shows_invite(role: Role, individual: bool, members_may_invite: Option<bool>) -> bool {
    may_invite(role, InvitePolicy { individual, members_may_invite: members_may_invite.unwrap_or(false) })
}

/// Where a list is in its loading, without its rows (so that a change to a
/// row does not redraw the table).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Load {
    Loading,
    Ready,
    Failed(String),
}

fn load_state<T>(result: Option<&Result<T, ApiError>>) -> Load {
    match result {
        None => Load::Loading,
        Some(Ok(_)) => Load::Ready,
        Some(Err(e)) => Load::Failed(e.message.clone()),
    }
}

type Members = LocalResource<Result<Vec<Member>, ApiError>>;
type Invitations = LocalResource<Result<Vec<Invitation>, ApiError>>;

/// The outcome of the last change made in a section, shown above its table.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Feedback {
    Done(String),
    Failed(String),
}

/// The dialog open over the page, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TeamDialog {
    Invite,
    Confirm(Confirm),
}

/// A change that needs a second thought before it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Confirm {
    Revoke { id: i64, email: String },
    Remove { id: i64, name: String, email: String },
}

/// What the sections of the page share.
#[derive(Clone, Copy)]
struct TeamCtx {
    session: Session,
    /// The signed-in person's user id.
    my_id: Option<i64>,
    org_name: Memo<String>,
    members: Members,
    invitations: Invitations,
    dialog: RwSignal<Option<TeamDialog>>,
    members_feedback: RwSignal<Option<Feedback>>,
    invitations_feedback: RwSignal<Option<Feedback>>,
}

/// Changes the entry `id` of a loaded list in place.
fn update_row<T: 'static>(
    list: LocalResource<Result<Vec<T>, ApiError>>,
    id: i64,
    id_of: fn(&T) -> i64,
    change: impl FnOnce(&mut T),
) {
    list.update(|list| {
        if let Some(row) =
            list.as_mut().and_then(|r| r.as_mut().ok()).and_then(|l| l.iter_mut().find(|r| id_of(r) == id))
        {
            change(row);
        }
    });
}

/// Shows the outcome of the last change, if any.
fn feedback_view(feedback: RwSignal<Option<Feedback>>) -> impl IntoView {
    view! {
        {move || {
            feedback.get().map(|f| match f {
                Feedback::Done(message) => view! { <Notice message=message /> }.into_any(),
                Feedback::Failed(message) => view! { <ErrorBanner message=message /> }.into_any(),
            })
        }}
    }
}

/// A list's place on the page: loading, its table, or why it failed with a
/// way to try again. A reload keeps the table on screen.
fn list_view(
    state: Memo<Load>,
    loading: &'static str,
    failed: &'static str,
    retry: Callback<()>,
    table: impl Fn() -> AnyView + Send + 'static,
) -> impl IntoView {
    view! {
        {move || match state.get() {
            Load::Loading => view! { <Loading label=loading /> }.into_any(),
            Load::Ready => table(),
            Load::Failed(message) => view! {
                <ErrorBanner title=failed message=message>
                    <button type="button" class="btn btn-secondary btn-sm banner-action" on:click=move |_| retry.run(())>
                        "Try again"
                    </button>
                </ErrorBanner>
            }
            .into_any(),
        }}
    }
}

#[component]
pub fn Team() -> impl IntoView {
    set_page_title(TEAM.label);
    let session = use_session();
    if session.with_me_untracked(|me| me.organization.individual).unwrap_or(false) {
        return Either::Left(view! {
            <PageHeader title=TEAM.label description="The people who work in this account." />
            <EmptyState
                kind=TEAM.icon
                title="Just you here"
                description="A home owner account is for one person, so there are no co-workers to invite. If you manage licenses for a company, register the company: its admins can invite everyone who works on them."
            />
        });
    }
    Either::Right(team_page(session))
}

fn team_page(session: Session) -> impl IntoView {
    let is_admin = Memo::new(move |_| session.with_me(|me| me.role == Role::Admin).unwrap_or(false));
    let org_name = Memo::new(move |_| session.with_me(|me| me.organization.name.clone()).unwrap_or_default());

    let members = LocalResource::new(move || api::members(session));
    let invitations = LocalResource::new(move || api::invitations(session));
    let settings = LocalResource::new(move || api::organization(session));
    let members_may_invite =
        Memo::new(move |_| settings.with(|s| s.as_ref().and_then(|r| r.as_ref().ok()).map(|s| s.members_may_invite)));
    let may_invite = Memo::new(move |_| {
        let (role, individual) =
            session.with_me(|me| (me.role, me.organization.individual)).unwrap_or((Role::Member, false));
        shows_invite(role, individual, members_may_invite.get())
    });

    let ctx = TeamCtx {
        session,
        my_id: session.with_me_untracked(|me| me.user.id),
        org_name,
        members,
        invitations,
        dialog: RwSignal::new(None),
        members_feedback: RwSignal::new(None),
        invitations_feedback: RwSignal::new(None),
    };
    let close_dialog = Callback::new(move |()| ctx.dialog.set(None));
    // The new invitation goes on top of the list (newest first) without asking
    // for the whole list again; a list not loaded (or failed) is loaded anew.
    let invitation_sent = Callback::new(move |invitation: Invitation| {
        ctx.invitations_feedback.set(None);
        let mut added = false;
        invitations.update(|list| {
            if let Some(Ok(list)) = list {
                list.insert(0, invitation);
                added = true;
            }
        });
        if !added {
            invitations.refetch();
        }
    });
    let description = format!("The people of {} and the co-workers you have invited.", org_name.get_untracked());

    view! {
        <PageHeader title=TEAM.label description=description>
            {move || {
                may_invite
                    .get()
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                id="invite-button"
                                class="btn btn-primary"
                                aria-haspopup="dialog"
                                on:click=move |_| ctx.dialog.set(Some(TeamDialog::Invite))
                            >
                                <Icon kind=IconKind::Plus />
                                <span>"Invite a co-worker"</span>
                            </button>
                        }
                            .into_any()
                    })
            }}
        </PageHeader>
        // What an admin may do is drawn once; it changes only when someone
        // changes their own role, which redraws the sections.
        {move || {
            let admin = is_admin.get();
            let reseller = session
                .with_me_untracked(|me| chooses_reseller(me.organization.kind, me.role))
                .unwrap_or(false)
                .then(|| view! { <ResellerSection session=session /> });
            view! {
                <MembersSection ctx=ctx admin=admin />
                <InvitationsSection ctx=ctx settings=settings admin=admin members_may_invite=members_may_invite />
                {reseller}
            }
            .into_any()
        }}
        {move || {
            ctx.dialog
                .get()
                .map(|dialog| match dialog {
                    TeamDialog::Invite => {
                        view! {
                            <InviteDialog
                                org_name=org_name.get_untracked()
                                on_close=close_dialog
                                on_sent=invitation_sent
                            />
                        }
                        .into_any()
                    }
                    TeamDialog::Confirm(confirm) => view! { <ConfirmDialog ctx=ctx confirm=confirm /> }.into_any(),
                })
        }}
    }
}

/// Asks before revoking an invitation or removing a person, then does it.
#[component]
fn ConfirmDialog(ctx: TeamCtx, confirm: Confirm) -> impl IntoView {
    let org = ctx.org_name.get_untracked();
    let (title, text, action_label, return_focus) = match &confirm {
        Confirm::Revoke { email, .. } => (
            format!("Revoke the invitation to {email}?"),
            format!("The link in the invitation email will stop working. You can invite {email} again later."),
            "Revoke invitation",
            "invitations-title",
        ),
        Confirm::Remove { name, email, .. } => (
            format!("Remove {name} from {org}?"),
            format!(
                "{name} ({email}) will lose access to {org}, and their Tessera account will be deleted. This cannot be undone."
            ),
            "Remove member",
            "members-title",
        ),
    };

    let close = Callback::new(move |()| ctx.dialog.set(None));
    let run = Action::new_local(move |confirm: &Confirm| {
        let confirm = confirm.clone();
        async move {
            // The dialog closes first, so that focus goes back before the
            // row (and the button that opened the dialog) changes.
            match confirm {
                Confirm::Revoke { id, email } => {
                    api::revoke_invitation(ctx.session, id).await?;
                    ctx.dialog.set(None);
                    update_row(ctx.invitations, id, |i| i.id, |i| i.status = InvitationStatus::Revoked);
                    ctx.invitations_feedback
                        .set(Some(Feedback::Done(format!("The invitation to {email} was revoked."))));
                }
                Confirm::Remove { id, name, .. } => {
                    api::remove_member(ctx.session, id).await?;
                    ctx.dialog.set(None);
                    ctx.members.update(|list| {
                        if let Some(Ok(list)) = list {
                            list.retain(|m| m.id != id);
                        }
                    });
                    ctx.members_feedback.set(Some(Feedback::Done(format!("{name} was removed."))));
                }
            }
            Ok::<(), ApiError>(())
        }
    });
    let pending = run.pending();
    let error =
        move || run.value().get().and_then(Result::err).map(|e| view! { <ErrorBanner message=e.message /> }.into_any());

    view! {
        <Dialog
            title_id="confirm-title"
            description_id="confirm-text"
            alert=true
            initial_focus="confirm-cancel"
            return_focus=return_focus
            on_close=close
        >
            <h2 id="confirm-title" class="dialog-title">{title}</h2>
            <p id="confirm-text" class="dialog-text">{text}</p>
            {move || error()}
            <div class="dialog-actions">
                <button id="confirm-cancel" type="button" class="btn btn-secondary" on:click=move |_| close.run(())>
                    "Cancel"
                </button>
                <BusyButton
                    class="btn btn-danger"
                    busy=pending
                    on_click=Callback::new(move |()| {
                        run.dispatch_local(confirm.clone());
                    })
                >
                    {action_label}
                </BusyButton>
            </div>
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_always_invite_members_only_when_allowed() {
        assert!(shows_invite(Role::Admin, false, None));
        assert!(shows_invite(Role::Admin, false, Some(false)));
        assert!(shows_invite(Role::Member, false, Some(true)));
        assert!(!shows_invite(Role::Member, false, Some(false)));
        assert!(!shows_invite(Role::Member, false, None), "not before the setting is known");
        assert!(!shows_invite(Role::Admin, true, Some(true)), "a home owner has nobody to invite");
    }

    #[test]
    fn load_state_ignores_the_rows() {
        assert_eq!(load_state::<Vec<i64>>(None), Load::Loading);
        assert_eq!(load_state(Some(&Ok::<_, ApiError>(vec![1]))), Load::Ready);
        assert_eq!(load_state(Some(&Ok::<_, ApiError>(vec![1, 2]))), Load::Ready);
        let failed: Result<Vec<i64>, ApiError> = Err(ApiError::network());
        assert_eq!(load_state(Some(&failed)), Load::Failed(ApiError::network().message));
    }
}
