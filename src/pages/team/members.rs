//! The Members table: everyone in the organization, with their role. Admins
//! change roles and remove people.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tessera_domain::api::{Member, Role};

use super::{feedback_view, list_view, load_state, update_row, Confirm, Feedback, TeamCtx, TeamDialog};
use crate::api;
use crate::format::{iso_date, short_date};
use crate::sections::role_label;

/// "Ada is now an admin."
pub fn role_changed_message(name: &str, role: Role) -> String {
    match role {
        Role::Admin => format!("{name} is now an admin."),
        Role::Member => format!("{name} is now a member."),
    }
}

#[component]
pub(super) fn MembersSection(
    ctx: TeamCtx,
    /// Whether the signed-in person is an admin (may change roles and remove people).
    admin: bool,
) -> impl IntoView {
    let members = ctx.members;
    let state = Memo::new(move |_| members.with(|m| load_state(m.as_ref())));
    let retry = Callback::new(move |()| members.refetch());
    let text = if admin {
        "Admins manage people, invitations and settings; members work with licenses, devices and credits."
    } else {
        "Everyone in your organization. Admins manage roles and invitations."
    };
    view! {
        <section class="team-section" aria-labelledby="members-title">
            <div class="team-section-head">
                <h2 id="members-title" class="team-section-title" tabindex="-1">"Members"</h2>
                <p class="team-section-text">{text}</p>
            </div>
            {feedback_view(ctx.members_feedback)}
            {list_view(
                state,
                "Loading members…",
                "Could not load the members",
                retry,
                move || members_table(ctx, admin),
            )}
        </section>
    }
}

fn members_table(ctx: TeamCtx, admin: bool) -> AnyView {
    let members = ctx.members;
    let ids = Memo::new(move |_| {
        members.with(|m| match m {
            Some(Ok(list)) => list.iter().map(|m| m.id).collect(),
            _ => Vec::new(),
        })
    });
    let caption = format!("Members of {}", ctx.org_name.get_untracked());
    view! {
        <div class="table-card">
            <table class="data-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Joined"</th>
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
                        {member_row(ctx, id, admin)}
                    </For>
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn member_row(ctx: TeamCtx, id: i64, admin: bool) -> impl IntoView {
    let members = ctx.members;
    // The row's own entry; only its role changes while it is on screen.
    let role = Memo::new(move |_| {
        members.with(|m| match m {
            Some(Ok(list)) => list.iter().find(|m| m.id == id).map(|m| m.role),
            _ => None,
        })
    });
    let Member { name, email, joined_at, .. } = members.with_untracked(|m| match m {
        Some(Ok(list)) => list.iter().find(|m| m.id == id).cloned(),
        _ => None,
    })?;
    let is_me = ctx.my_id == Some(id);
    let set_role = move |role: Role| update_row(members, id, |m| m.id, |m| m.role = role);

    let role_cell = if admin {
        // The select shows the new role at once; a refusal (e.g. `last_admin`)
        // puts the old one back and says why.
        let who = name.clone();
        let change = Action::new_local(move |&(new, old): &(Role, Role)| {
            let who = who.clone();
            async move {
                match api::change_role(ctx.session, id, new).await {
                    Ok(member) => {
                        set_role(member.role);
                        ctx.members_feedback.set(Some(Feedback::Done(role_changed_message(&who, member.role))));
                        if is_me {
                            // My own role changed: the whole app follows.
                            let session = ctx.session;
                            spawn_local(async move { session.set_rechecked(api::me().await) });
                        }
                    }
                    Err(error) => {
                        set_role(old);
                        ctx.members_feedback.set(Some(Feedback::Failed(error.message)));
                    }
                }
            }
        });
        Either::Left(view! {
            <select
                class="select select-sm"
                aria-label=format!("Role of {name}")
                on:change=move |ev| {
                    let old = role.get_untracked();
                    if let (Some(new), Some(old)) = (Role::parse(&event_target_value(&ev)), old) {
                        if new != old {
                            set_role(new);
                            ctx.members_feedback.set(None);
                            change.dispatch_local((new, old));
                        }
                    }
                }
            >
                <option value="admin" prop:selected=move || role.get() == Some(Role::Admin)>
                    "Admin"
                </option>
                <option value="member" prop:selected=move || role.get() == Some(Role::Member)>
                    "Member"
                </option>
            </select>
        })
    } else {
        let current = role.get_untracked().unwrap_or(Role::Member);
        let class = if current == Role::Admin { "badge badge-primary" } else { "badge badge-neutral" };
        Either::Right(view! { <span class=class>{role_label(current)}</span> })
    };

    let actions_cell = admin.then(|| {
        let remove = (!is_me).then(|| {
            let confirm = Confirm::Remove { id, name: name.clone(), email: email.clone() };
            view! {
                <button
                    type="button"
                    class="btn btn-ghost-danger btn-sm"
                    aria-label=format!("Remove {name}")
                    on:click=move |_| {
                        ctx.members_feedback.set(None);
                        ctx.dialog.set(Some(TeamDialog::Confirm(confirm.clone())));
                    }
                >
                    "Remove"
                </button>
            }
        });
        view! {
            <td class="cell-actions" class:cell-actions-none=is_me>
                {remove}
            </td>
        }
    });

    Some(view! {
        <tr>
            <td class="cell-primary" data-label="Name">
                <span>{name.clone()}</span>
                {is_me.then(|| view! { <span class="badge badge-neutral">"You"</span> })}
            </td>
            <td data-label="Email">
                <span class="cell-email">{email.clone()}</span>
            </td>
            <td data-label="Role">{role_cell}</td>
            <td class="cell-date" data-label="Joined">
                <time datetime=iso_date(joined_at)>{short_date(joined_at)}</time>
            </td>
            {actions_cell}
        </tr>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_changes_are_said_plainly() {
        assert_eq!(role_changed_message("Ada", Role::Admin), "Ada is now an admin.");
        assert_eq!(role_changed_message("Ada", Role::Member), "Ada is now a member.");
    }
}
