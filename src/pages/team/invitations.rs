//! The Invitations table, newest first, and (for admins) the setting that lets
//! members invite too. Admins resend and revoke invitations.

use leptos::either::Either;
use leptos::prelude::*;
use tessera_domain::api::{Invitation, InvitationStatus, OrgSettings, OrgSettingsPatch};
use tessera_domain::invitation::lifetime_text;

use super::{feedback_view, list_view, load_state, update_row, Confirm, Feedback, TeamCtx, TeamDialog};
use crate::api::{self, ApiError};
use crate::components::{BusyButton, ErrorBanner};
use crate::format::{iso_date, short_date};

/// The badge colour of a status: waiting (blue), done (green), withdrawn
/// (grey), lapsed (amber).
pub fn status_badge_class(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "badge badge-info",
        InvitationStatus::Accepted => "badge badge-success",
        InvitationStatus::Revoked => "badge badge-neutral",
        InvitationStatus::Expired => "badge badge-warning",
    }
}

/// What an admin can still do with an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvitationActions {
    /// Send a new link (also brings an expired invitation back to life).
    pub resend: bool,
    /// Withdraw it, so the link stops working.
    pub revoke: bool,
    /// Whether its expiry date still means something.
    pub shows_expiry: bool,
}

pub fn invitation_actions(status: InvitationStatus) -> InvitationActions {
    match status {
        InvitationStatus::Pending => InvitationActions { resend: true, revoke: true, shows_expiry: true },
        InvitationStatus::Expired => InvitationActions { resend: true, revoke: false, shows_expiry: true },
        InvitationStatus::Accepted | InvitationStatus::Revoked => {
            InvitationActions { resend: false, revoke: false, shows_expiry: false }
        }
    }
}

#[component]
pub(super) fn InvitationsSection(
    ctx: TeamCtx,
    settings: LocalResource<Result<OrgSettings, ApiError>>,
    /// Whether the signed-in person is an admin (may resend, revoke, change the setting).
    admin: bool,
    /// The organization's setting, once known.
    members_may_invite: Memo<Option<bool>>,
) -> impl IntoView {
    let invitations = ctx.invitations;
    let state = Memo::new(move |_| invitations.with(|i| load_state(i.as_ref())));
    let retry = Callback::new(move |()| invitations.refetch());
    let setting = if admin {
        Either::Left(view! { <InviteSetting ctx=ctx settings=settings saved=members_may_invite /> })
    } else {
        // Members learn who may invite once the setting is known.
        Either::Right(move || {
            (members_may_invite.get() == Some(false)).then(|| {
                view! {
                    <p class="team-section-text">
                        "Only the admins of " {ctx.org_name.get_untracked()} " can invite co-workers."
                    </p>
                }
            })
        })
    };
    view! {
        <section class="team-section" aria-labelledby="invitations-title">
            <div class="team-section-head">
                <h2 id="invitations-title" class="team-section-title" tabindex="-1">"Invitations"</h2>
                <p class="team-section-text">
                    "Each invitation is a link sent by email. It works once, for " {lifetime_text()} "."
                </p>
            </div>
            {setting}
            {feedback_view(ctx.invitations_feedback)}
            {list_view(
                state,
                "Loading invitations…",
                "Could not load the invitations",
                retry,
                move || invitations_table(ctx, admin),
            )}
        </section>
    }
}

/// "Members may invite co-workers": the organization's setting, for admins.
#[component]
fn InviteSetting(
    ctx: TeamCtx,
    settings: LocalResource<Result<OrgSettings, ApiError>>,
    saved: Memo<Option<bool>>,
) -> impl IntoView {
    let save = Action::new_local(move |allowed: &bool| {
        let patch = OrgSettingsPatch { members_may_invite: Some(*allowed) };
        async move {
            match api::update_organization(ctx.session, &patch).await {
                Ok(updated) => {
                    let message = if updated.members_may_invite {
                        "Members can now invite co-workers."
                    } else {
                        "Only admins can invite co-workers now."
                    };
                    settings.set(Some(Ok(updated)));
                    ctx.invitations_feedback.set(Some(Feedback::Done(message.to_string())));
                }
                Err(error) => ctx.invitations_feedback.set(Some(Feedback::Failed(error.message))),
            }
        }
    });
    let pending = save.pending();
    let load_error =
        Memo::new(move |_| settings.with(|s| s.as_ref().and_then(|r| r.as_ref().err()).map(|e| e.message.clone())));
    // While saving, the box shows what was asked; then what the server says.
    let checked = move || save.input().get().or_else(|| saved.get()).unwrap_or(false);

    view! {
        {move || {
            load_error
                .get()
                .map(|message| {
                    view! {
                        <ErrorBanner title="Could not load this setting" message=message>
                            <button
                                type="button"
                                class="btn btn-secondary btn-sm banner-action"
                                on:click=move |_| settings.refetch()
                            >
                                "Try again"
                            </button>
                        </ErrorBanner>
                    }
                })
        }}
        <div class="setting-row">
            <input
                type="checkbox"
                id="members-may-invite"
                class="checkbox"
                aria-describedby="members-may-invite-hint"
                prop:checked=checked
                disabled=move || saved.get().is_none()
                on:click=move |ev| {
                    // One change at a time: a click while saving does nothing.
                    if pending.get_untracked() {
                        ev.prevent_default();
                    }
                }
                on:change=move |ev| {
                    ctx.invitations_feedback.set(None);
                    save.dispatch_local(event_target_checked(&ev));
                }
            />
            <div class="setting-text">
                <label for="members-may-invite" class="setting-label">
                    "Members may invite co-workers"
                </label>
                <p id="members-may-invite-hint" class="field-hint">
                    "When this is off, only admins can send invitations."
                </p>
            </div>
        </div>
    }
}

fn invitations_table(ctx: TeamCtx, admin: bool) -> AnyView {
    let invitations = ctx.invitations;
    let ids = Memo::new(move |_| {
        invitations.with(|i| match i {
            Some(Ok(list)) => list.iter().map(|i| i.id).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let caption = format!("Invitations to {}", ctx.org_name.get_untracked());
    let has_rows = Memo::new(move |_| ids.with(|ids| !ids.is_empty()));
    let table = move || {
        if !has_rows.get() {
            return Either::Right(view! {
                <div class="table-card table-card-empty">
                    <p class="table-empty-title">"No invitations yet"</p>
                    <p class="table-empty">
                        "When someone invites a co-worker, the invitation is listed here with its status."
                    </p>
                </div>
            });
        }
        Either::Left(view! {
            <div class="table-card">
                <table class="data-table">
                    <caption class="visually-hidden">{caption.clone()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Invited by"</th>
                            <th scope="col">"Sent"</th>
                            <th scope="col">"Expires"</th>
                            <th scope="col">"Status"</th>
                            {admin
                                .then(|| {
                                    view! {
                                        <th scope="col">
                                            <span class="visually-hidden">"Actions"</span>
                                        </th>
                                    }
                                })}
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || ids.get() key=|id| *id let:id>
                            {invitation_row(ctx, id, admin)}
                        </For>
                    </tbody>
                </table>
            </div>
        })
    };
    table.into_any()
}

/// The cells that change when an invitation is resent or revoked.
fn state_cells(invitation: &Invitation) -> impl IntoView {
    let status = invitation.status;
    let expiry = if invitation_actions(status).shows_expiry {
        Either::Left(view! {
            <time datetime=iso_date(invitation.expires_at)>{short_date(invitation.expires_at)}</time>
        })
    } else {
        Either::Right(view! {
            <span class="cell-muted" aria-hidden="true">"—"</span>
            <span class="visually-hidden">"Not applicable"</span>
        })
    };
    view! {
        <td class="cell-date" data-label="Sent">
            <time datetime=iso_date(invitation.sent_at)>{short_date(invitation.sent_at)}</time>
        </td>
        <td class="cell-date" data-label="Expires">{expiry}</td>
        <td data-label="Status">
            <span class=status_badge_class(status)>{status.label()}</span>
        </td>
    }
}

fn invitation_row(ctx: TeamCtx, id: i64, admin: bool) -> impl IntoView {
    let invitations = ctx.invitations;
    // The row's own entry: redrawn when it is resent or revoked.
    let data = Memo::new(move |_| {
        invitations.with(|i| match i {
            Some(Ok(list)) => list.iter().find(|i| i.id == id).cloned(),
            _ => None,
        })
    });
    let (email, invited_by) = data.with_untracked(|i| i.as_ref().map(|i| (i.email.clone(), i.invited_by.clone())))?;
    let actions_cell = admin.then(|| {
        let actions = Memo::new(move |_| data.with(|i| i.as_ref().map(|i| invitation_actions(i.status))));
        let resend_email = email.clone();
        let resend = Action::new_local(move |_: &()| {
            let email = resend_email.clone();
            async move {
                match api::resend_invitation(ctx.session, id).await {
                    Ok(invitation) => {
                        update_row(invitations, id, |i| i.id, |i| *i = invitation);
                        ctx.invitations_feedback.set(Some(Feedback::Done(format!(
                            "A new invitation was sent to {email}. The link in the previous one no longer works."
                        ))));
                    }
                    Err(error) => ctx.invitations_feedback.set(Some(Feedback::Failed(error.message))),
                }
            }
        });
        let resending = resend.pending();
        let resend_label = format!("Resend the invitation to {email}");
        let revoke_label = format!("Revoke the invitation to {email}");
        let revoke = Confirm::Revoke { id, email: email.clone() };
        // Redrawn only when what can be done changes, so a button keeps focus.
        move || {
            let InvitationActions { resend: can_resend, revoke: can_revoke, .. } =
                actions.get().unwrap_or(invitation_actions(InvitationStatus::Revoked));
            let resend_button = can_resend.then(|| {
                view! {
                    <BusyButton
                        class="btn btn-secondary btn-sm"
                        aria_label=resend_label.clone()
                        busy=resending
                        on_click=Callback::new(move |()| {
                            ctx.invitations_feedback.set(None);
                            resend.dispatch_local(());
                        })
                    >
                        "Resend"
                    </BusyButton>
                }
            });
            let revoke_button = can_revoke.then(|| {
                let revoke = revoke.clone();
                view! {
                    <button
                        type="button"
                        class="btn btn-ghost-danger btn-sm"
                        aria-label=revoke_label.clone()
                        on:click=move |_| {
                            ctx.invitations_feedback.set(None);
                            ctx.dialog.set(Some(TeamDialog::Confirm(revoke.clone())));
                        }
                    >
                        "Revoke"
                    </button>
                }
            });
            view! {
                <td class="cell-actions" class:cell-actions-none=!can_resend && !can_revoke>
                    {resend_button}
                    {revoke_button}
                </td>
            }
        }
    });

    Some(view! {
        <tr>
            <td class="cell-primary" data-label="Email">
                <span class="cell-email">{email}</span>
            </td>
            <td data-label="Invited by">{invited_by}</td>
            {move || data.with(|i| i.as_ref().map(state_cells))}
            {actions_cell}
        </tr>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_own_badge() {
        assert_eq!(status_badge_class(InvitationStatus::Pending), "badge badge-info");
        assert_eq!(status_badge_class(InvitationStatus::Accepted), "badge badge-success");
        assert_eq!(status_badge_class(InvitationStatus::Revoked), "badge badge-neutral");
        assert_eq!(status_badge_class(InvitationStatus::Expired), "badge badge-warning");
    }

    #[test]
    fn only_open_invitations_can_be_acted_on() {
        let pending = invitation_actions(InvitationStatus::Pending);
        assert!(pending.resend && pending.revoke && pending.shows_expiry);
        let expired = invitation_actions(InvitationStatus::Expired);
        assert!(expired.resend && !expired.revoke, "an expired invitation can be sent again");
        for done in [InvitationStatus::Accepted, InvitationStatus::Revoked] {
            assert_eq!(
                invitation_actions(done),
                InvitationActions { resend: false, revoke: false, shows_expiry: false }
            );
        }
    }
}
