//! Sharing devices with a partner (a customer's admins): the partner is named by its Partner
//! ID (shown on its Home page); the share covers the devices ticked in the table, or every
//! device, also those added later. The partner sees them read-only and may assign plans to
//! them from its own locker. Active shares are listed with Revoke.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tessera_domain::api::DeviceShare;

use crate::api::{self, ApiError};
use crate::components::shell::focus_element;
use crate::components::{server_error_until_edited, BusyButton, Dialog, ErrorBanner, FormField};
use crate::format::{count, iso_date, short_date};
use crate::load::{ok, Loaded};
use crate::session::use_session;

/// The Partner ID as typed, or what is wrong with it.
pub fn partner_id(text: &str) -> Result<i64, String> {
    tessera_domain::api::parse_partner_id(text, "your partner")
}

/// What a share covers, for people.
pub fn covers_text(share: &DeviceShare) -> String {
    match (share.all, share.device_count) {
        (true, _) => "All devices, also those added later".to_string(),
        (false, 1) => "1 device".to_string(),
        (false, n) => format!("{} devices", count(n)),
    }
}

#[component]
pub fn ShareDialog(
    /// The devices ticked in the table.
    selected: Vec<i64>,
    /// Cancel, Escape.
    on_close: Callback<()>,
    /// The share the server made.
    on_shared: Callback<DeviceShare>,
) -> impl IntoView {
    let session = use_session();
    let partner = RwSignal::new(String::new());
    let all = RwSignal::new(selected.is_empty());
    let submitted = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let server = RwSignal::new(None::<ApiError>);
    let last_error = Memo::new(move |_| server.get());
    let refused = server_error_until_edited(last_error, |e| e.code == "partner_unknown", partner);
    let error = Signal::derive(move || {
        let local = submitted.get().then(|| partner.with(|p| partner_id(p).err())).flatten();
        local.or_else(|| refused.get())
    });
    let other_error = move || {
        last_error
            .get()
            .filter(|e| e.code != "partner_unknown")
            .map(|e| view! { <ErrorBanner message=e.message /> }.into_any())
    };
    let n = selected.len();
    let ids = StoredValue::new(selected);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        submitted.set(true);
        let Ok(id) = partner.with_untracked(|p| partner_id(p)) else {
            focus_element("share-partner");
            return;
        };
        busy.set(true);
        server.set(None);
        let every = all.get_untracked();
        spawn_local(async move {
            let chosen = ids.get_value();
            let answer = api::share_devices(session, id, (!every).then_some(chosen.as_slice())).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(share) => on_shared.run(share),
                Err(e) => {
                    let _ = server.try_set(Some(e));
                    focus_element("share-partner");
                }
            }
        });
    };
    let selected_label = match n {
        1 => "The device you selected".to_string(),
        n => format!("The {} devices you selected", count(n)),
    };

    view! {
        <Dialog title_id="share-title" description_id="share-text" initial_focus="share-partner" on_close=on_close>
            <h2 id="share-title" class="dialog-title">"Share with a partner"</h2>
            <p id="share-text" class="dialog-text">
                "Your partner sees the devices you share and can assign plans to them, but cannot change or remove them. You can revoke a share at any time."
            </p>
            <form class="form" novalidate=true on:submit=on_submit>
                {other_error}
                <FormField
                    id="share-partner"
                    label="Partner ID"
                    required=true
                    alert_error=true
                    value=partner
                    error=error
                    hint="Your partner finds it on their Home page in Tessera.".to_string()
                />
                <fieldset class="share-scope">
                    <legend class="field-label">"Devices to share"</legend>
                    {(n > 0)
                        .then(|| {
                            view! {
                                <label class="share-option">
                                    <input
                                        type="radio"
                                        name="share-scope"
                                        prop:checked=move || !all.get()
                                        on:change=move |_| all.set(false)
                                    />
                                    <span>{selected_label.clone()}</span>
                                </label>
                            }
                        })}
                    <label class="share-option">
                        <input type="radio" name="share-scope" prop:checked=move || all.get() on:change=move |_| all.set(true) />
                        <span>"All devices, also those added later"</span>
                    </label>
                </fieldset>
                <div class="dialog-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <BusyButton submit=true class="btn btn-primary" busy=busy>
                        "Share"
                    </BusyButton>
                </div>
            </form>
        </Dialog>
    }
}

/// The active shares the organization made, with Revoke.
#[component]
pub fn ShareList(shares: Loaded<Vec<DeviceShare>>, notice: RwSignal<Option<String>>) -> impl IntoView {
    let session = use_session();
    let busy = RwSignal::new(None::<i64>);
    let failed = RwSignal::new(None::<String>);
    let revoke = move |share_id: i64, partner: String| {
        if busy.get_untracked().is_some() {
            return;
        }
        busy.set(Some(share_id));
        failed.set(None);
        spawn_local(async move {
            let answer = api::revoke_share(session, share_id).await;
            let _ = busy.try_set(None);
            match answer {
                Ok(()) => {
                    let _ = shares.try_update(|l| {
                        if let Some(Ok(list)) = l {
                            list.retain(|s| s.id != share_id);
                        }
                    });
                    let _ = notice.try_set(Some(format!("{partner} no longer sees these devices.")));
                }
                Err(e) => {
                    let _ = failed.try_set(Some(e.message));
                }
            }
        });
    };
    let rows = move || {
        shares.with(|l| {
            ok(l).map(|list| {
                list.iter()
                    .map(|s| {
                        let (id, partner) = (s.id, s.partner_name.clone());
                        let label = format!("Revoke the share with {partner}");
                        view! {
                            <tr>
                                <td class="cell-primary" data-label="Partner">{s.partner_name.clone()}</td>
                                <td data-label="Shared">{covers_text(s)}</td>
                                <td data-label="Since">
                                    <time datetime=iso_date(s.created_at)>{short_date(s.created_at)}</time>
                                </td>
                                <td class="cell-actions">
                                    <BusyButton
                                        class="btn btn-ghost-danger btn-sm"
                                        busy=Signal::derive(move || busy.get() == Some(id))
                                        aria_label=label
                                        on_click=Callback::new(move |()| revoke(id, partner.clone()))
                                    >
                                        "Revoke"
                                    </BusyButton>
                                </td>
                            </tr>
                        }
                        .into_any()
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    let any = move || shares.with(|l| ok(l).is_some_and(|list| !list.is_empty()));

    view! {
        <section class="device-shares" class:list-hidden=move || !any() aria-labelledby="shares-title">
            <h2 id="shares-title" class="section-title">"Shared with partners"</h2>
            {move || failed.get().map(|m| view! { <ErrorBanner title="Could not revoke the share" message=m /> }.into_any())}
            <div class="table-card">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">"Partner"</th>
                            <th scope="col">"Shared"</th>
                            <th scope="col">"Since"</th>
                            <th scope="col">
                                <span class="visually-hidden">"Actions"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_id_is_a_positive_number() {
        assert_eq!(partner_id(" 12 "), Ok(12));
        assert_eq!(partner_id(""), Err("Please enter your partner's Partner ID.".to_string()));
        assert!(partner_id("Brightline").is_err());
        assert!(partner_id("-3").is_err());
    }
}
