//! "People in this locker": who shares the credits and, for the locker's original owner,
//! the invitations into it and the button that sends one (the Team page's invite dialog,
//! in its locker form). Someone without a locker yet sees the button too: the first
//! invitation makes the locker, theirs.

use std::cell::RefCell;

use leptos::prelude::*;
use tessera_domain::api::{Invitation, InvitationStatus, LockerMember};

use super::LockerLoad;
use crate::api::{self, InviteTo};
use crate::components::{Icon, IconKind};
use crate::format::{iso_date, short_date};
use crate::load::{fetch_into, loaded, ok, Loaded};
use crate::pages::team::status_badge_class;
use crate::pages::InviteDialog;
use crate::session::use_session;

thread_local! {
    /// What the accept page has to tell the Locker page it leads to, said once.
    static ANNOUNCEMENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Leaves a sentence for the next Locker page shown ("You now share …").
pub fn announce(message: String) {
    ANNOUNCEMENT.set(Some(message));
}

/// The sentence left for this Locker page, if any; it is said once.
pub(super) fn take_announcement() -> Option<String> {
    ANNOUNCEMENT.take()
}

/// Whether the signed-in person may invite into the locker: its original owner, or anyone
/// without a locker yet (the first invitation makes one, theirs).
pub fn may_invite(members: &[LockerMember], my_id: Option<i64>) -> bool {
    members.is_empty() || members.iter().any(|m| m.owner && Some(m.id) == my_id)
}

/// The invitations worth listing: those not accepted (an accepted one is a member now).
pub fn open_invitations(invitations: &[Invitation]) -> Vec<Invitation> {
    invitations.iter().filter(|i| i.status != InvitationStatus::Accepted).cloned().collect()
}

fn members_view(locker: LockerLoad, my_id: Option<i64>) -> AnyView {
    let members = locker.with(|l| ok(l).map(|v| v.members.clone())).unwrap_or_default();
    if members.is_empty() {
        return view! {
            <p class="people-empty">
                "Only you so far. The people you invite bring their own credits into the pool when they accept."
            </p>
        }
        .into_any();
    }
    let items = members
        .into_iter()
        .map(|m| {
            let you = (my_id == Some(m.id)).then_some(" (you)");
            view! {
                <li class="member">
                    <span class="member-name">{m.name} {you}</span>
                    {m.owner.then(|| view! { <span class="badge badge-neutral">"Owner"</span> }.into_any())}
                    <span class="member-email">{m.email}</span>
                </li>
            }
            .into_any()
        })
        .collect::<Vec<_>>();
    view! { <ul class="member-list" aria-label="Members">{items}</ul> }.into_any()
}

fn invitations_view(invitations: Loaded<Vec<Invitation>>) -> Option<AnyView> {
    let open = invitations.with(|l| ok(l).map(|list| open_invitations(list)))?;
    if open.is_empty() {
        return None;
    }
    let items = open
        .into_iter()
        .map(|i| {
            view! {
                <li class="member">
                    <span class="member-name cell-email">{i.email}</span>
                    <span class=status_badge_class(i.status)>{i.status.label()}</span>
                    <span class="member-email">
                        "Sent " <time datetime=iso_date(i.sent_at)>{short_date(i.sent_at)}</time>
                    </span>
                </li>
            }
            .into_any()
        })
        .collect::<Vec<_>>();
    Some(
        view! {
            <h3 id="locker-invitations-title" class="people-subtitle">"Invitations"</h3>
            <ul class="member-list" aria-labelledby="locker-invitations-title">{items}</ul>
        }
        .into_any(),
    )
}

#[component]
pub(super) fn PeopleSection(locker: LockerLoad, my_id: Option<i64>) -> impl IntoView {
    let session = use_session();
    let invitations: Loaded<Vec<Invitation>> = loaded();
    fetch_into(invitations, api::locker_invitations(session));
    let dialog_open = RwSignal::new(false);
    // `None` until the locker is known (its failure shows in the balances' place).
    let owner = Memo::new(move |_| locker.with(|l| ok(l).map(|v| may_invite(&v.members, my_id))));
    let close = Callback::new(move |()| dialog_open.set(false));
    // The new invitation goes on top of the list; the first one also made the locker,
    // whose members (the owner) are loaded then.
    let sent = Callback::new(move |invitation: Invitation| {
        let mut added = false;
        invitations.update(|l| {
            if let Some(Ok(list)) = l {
                list.insert(0, invitation);
                added = true;
            }
        });
        if !added {
            fetch_into(invitations, api::locker_invitations(session));
        }
        if locker.with_untracked(|l| ok(l).is_some_and(|v| v.members.is_empty())) {
            fetch_into(locker, api::locker(session));
        }
    });

    view! {
        {move || {
            owner
                .get()
                .map(|owner| {
                    let text = if owner {
                        "Everyone here sees and spends the same credits. Invite only people of your own company."
                    } else {
                        "Everyone here sees and spends the same credits. Only the person who created the locker can invite others."
                    };
                    view! {
                        <section class="locker-section" aria-labelledby="locker-members-title">
                            <div class="locker-section-head section-head-action">
                                <div>
                                    <h2 id="locker-members-title" class="locker-section-title">"People in this locker"</h2>
                                    <p class="locker-section-text">{text}</p>
                                </div>
                                {owner
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                id="invite-button"
                                                class="btn btn-secondary"
                                                aria-haspopup="dialog"
                                                on:click=move |_| dialog_open.set(true)
                                            >
                                                <Icon kind=IconKind::Plus />
                                                <span>"Invite someone"</span>
                                            </button>
                                        }
                                    })}
                            </div>
                            <div class="card people-card">
                                {move || members_view(locker, my_id)}
                                {move || if owner { invitations_view(invitations) } else { None }}
                            </div>
                        </section>
                    }
                    .into_any()
                })
        }}
        {move || {
            dialog_open
                .get()
                .then(|| view! { <InviteDialog to=InviteTo::Locker on_close=close on_sent=sent /> }.into_any())
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn member(id: i64, owner: bool) -> LockerMember {
        LockerMember {
            id,
            name: format!("Person {id}"),
            email: format!("p{id}@example.com"),
            owner,
            joined_at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
        }
    }

    #[test]
    fn only_the_original_owner_invites_or_whoever_has_no_locker_yet() {
        let shared = [member(1, true), member(2, false)];
        assert!(may_invite(&shared, Some(1)));
        assert!(!may_invite(&shared, Some(2)));
        assert!(may_invite(&[], Some(7)), "the first invitation makes the locker");
    }

    #[test]
    fn accepted_invitations_are_listed_as_members_only() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let invitation = |id, status| Invitation {
            id,
            email: format!("i{id}@example.com"),
            invited_by: "Ada".into(),
            sent_at: at,
            expires_at: at,
            status,
        };
        let open = open_invitations(&[
            invitation(1, InvitationStatus::Pending),
            invitation(2, InvitationStatus::Accepted),
            invitation(3, InvitationStatus::Expired),
        ]);
        assert_eq!(open.iter().map(|i| i.id).collect::<Vec<_>>(), [1, 3]);
    }
}
