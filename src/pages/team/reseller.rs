//! "Send renewal notices to my reseller" (SPEC §8, issue 14): a customer's admins name the
//! partner they buy from by its Partner ID (shown on the partner's Home page); from the next
//! run of the renewal-notice job, that partner's admins get the same digests as the
//! customer's admins — in addition, never instead.
//!
//! The two calls live here rather than in `api.rs`, and the one request body is written by
//! hand: a derived serializer would bring its own code into the wasm for one number.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tessera_domain::api::Reseller;

use crate::api::{request, ApiError, Caller, Method};
use crate::components::shell::focus_element;
use crate::components::{
    server_error_until_edited, BusyButton, ErrorBanner, FormField, Icon, IconKind, Loading, Notice,
};
use crate::load::{fetch_into, loaded, ok, Loaded};
use crate::session::Session;

const FIELD: &str = "reseller-partner";
const STOP: &str = "reseller-stop";

/// Who chooses the reseller: the domain's rule, which the server applies too.
pub use tessera_domain::api::may_choose_reseller as chooses_reseller;

/// The Partner ID as typed, or what is wrong with it.
pub fn partner_id(text: &str) -> Result<i64, String> {
    tessera_domain::api::parse_partner_id(text, "your reseller")
}

/// The body of `PUT /organization/reseller` (`ResellerChoice`): a partner, or none.
pub fn choice_body(partner_org_id: Option<i64>) -> String {
    match partner_org_id {
        Some(id) => format!(r#"{{"partner_org_id":{id}}}"#),
        None => r#"{"partner_org_id":null}"#.to_string(),
    }
}

/// What the notice says once the server accepted a change; `before` is the name of the
/// reseller chosen until then.
pub fn saved_message(before: Option<&str>, now: &Reseller) -> String {
    match (now.partner_org_id, now.partner_name.as_deref(), before) {
        (Some(id), None, _) => format!("Renewal notices now also go to the partner with Partner ID {id}."),
        (Some(_), Some(name), _) => format!("Renewal notices now also go to {name}."),
        (None, _, Some(name)) => format!("Renewal notices no longer go to {name}."),
        (None, _, None) => "Renewal notices no longer go to a reseller.".to_string(),
    }
}

/// `GET /api/v1/organization/reseller`: the partner that also gets the renewal notices, if any.
async fn reseller(session: Session) -> Result<Reseller, ApiError> {
    request(Method::Get, "/organization/reseller", None, Caller::Person(session)).await
}

/// `PUT /api/v1/organization/reseller` (a customer's admins): the choice as saved.
async fn set_reseller(session: Session, partner_org_id: Option<i64>) -> Result<Reseller, ApiError> {
    request(Method::Put, "/organization/reseller", Some(choice_body(partner_org_id)), Caller::Person(session)).await
}

/// The card, for a customer's admins (the caller checks [`chooses_reseller`]).
#[component]
pub(super) fn ResellerSection(session: Session) -> impl IntoView {
    let current: Loaded<Reseller> = loaded();
    fetch_into(current, reseller(session));
    let partner = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let server = RwSignal::new(None::<ApiError>);
    let last_error = Memo::new(move |_| server.get());
    // An unknown Partner ID shows under the field until it is edited; anything else
    // (no connection, no longer an admin) above the card.
    let refused = server_error_until_edited(last_error, |e| e.is_about("partner_org_id"), partner);
    let field_error = Signal::derive(move || {
        let local = submitted.get().then(|| partner.with(|p| partner_id(p).err())).flatten();
        local.or_else(|| refused.get())
    });
    let other_error = move || {
        last_error.get().filter(|e| !e.is_about("partner_org_id")).map(|e| {
            view! { <ErrorBanner title="Could not change where renewal notices go" message=e.message /> }
        })
    };
    let save = move |choice: Option<i64>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        server.set(None);
        notice.set(None);
        let before = current.with_untracked(|c| ok(c).and_then(|r| r.partner_name.clone()));
        spawn_local(async move {
            let answer = set_reseller(session, choice).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(now) => {
                    let _ = notice.try_set(Some(saved_message(before.as_deref(), &now)));
                    let _ = partner.try_set(String::new());
                    let _ = submitted.try_set(false);
                    let _ = current.try_set(Some(Ok(now)));
                    // Focus goes to what took the pressed button's place.
                    request_animation_frame(move || focus_element(if choice.is_some() { STOP } else { FIELD }));
                }
                Err(e) => {
                    let _ = server.try_set(Some(e));
                    if choice.is_some() {
                        focus_element(FIELD);
                    }
                }
            }
        });
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        match partner.with_untracked(|p| partner_id(p)) {
            Ok(id) => save(Some(id)),
            Err(_) => focus_element(FIELD),
        }
    };

    // Redrawn when the answer arrives or a change is saved: then all of it changes.
    let card = move || {
        match current.get() {
        None => view! {
            <div class="card reseller-card">
                <Loading label="Loading your reseller…" />
            </div>
        }
        .into_any(),
        Some(Err(e)) => view! {
            <ErrorBanner title="Could not load your reseller" message=e.message>
                <button
                    type="button"
                    class="btn btn-secondary btn-sm banner-action"
                    on:click=move |_| fetch_into(current, reseller(session))
                >
                    "Try again"
                </button>
            </ErrorBanner>
        }
        .into_any(),
        Some(Ok(Reseller { partner_org_id: Some(id), partner_name })) => {
            let name = partner_name.unwrap_or_default();
            view! {
                <div class="card reseller-card">
                    <div class="reseller-head">
                        <p id="reseller-setting" class="reseller-label">"Send renewal notices to my reseller"</p>
                        <span class="badge badge-success">"On"</span>
                    </div>
                    <div class="reseller-chosen">
                        <span class="reseller-icon" aria-hidden="true">
                            <Icon kind=IconKind::Partner />
                        </span>
                        <dl class="reseller-facts">
                            <div>
                                <dt>"Reseller"</dt>
                                <dd data-testid="reseller-name">{name.clone()}</dd>
                            </div>
                            <div>
                                <dt>"Partner ID"</dt>
                                <dd class="reseller-id">{id}</dd>
                            </div>
                        </dl>
                    </div>
                    <div class="reseller-foot">
                        <p id="reseller-note" class="field-hint">
                            "Their admins get the same renewal notices as your admins, from the next notice on."
                        </p>
                        <BusyButton
                            class="btn btn-secondary"
                            busy=busy
                            aria_label=format!("Stop sending renewal notices to {name}")
                            on_click=Callback::new(move |()| save(None))
                            {..}
                            id=STOP
                            aria-describedby="reseller-note"
                        >
                            "Stop sending"
                        </BusyButton>
                    </div>
                </div>
            }
            .into_any()
        }
        Some(Ok(_)) => view! {
            <div class="card reseller-card">
                <div class="reseller-head">
                    <p id="reseller-setting" class="reseller-label">"Send renewal notices to my reseller"</p>
                    <span class="badge badge-neutral">"Off"</span>
                </div>
                <p class="reseller-text">
                    "Only your own admins get renewal notices now. To add the reseller you buy from, enter their Partner ID."
                </p>
                <form class="reseller-form" novalidate=true aria-labelledby="reseller-setting" on:submit=on_submit>
                    <FormField
                        id=FIELD
                        label="Partner ID"
                        input_type="number"
                        min="1"
                        alert_error=true
                        value=partner
                        error=field_error
                        hint="Your reseller finds it on their Home page in Tessera.".to_string()
                    />
                    <BusyButton submit=true class="btn btn-primary" busy=busy>
                        "Save"
                    </BusyButton>
                </form>
            </div>
        }
        .into_any(),
    }
    };

    view! {
        <section class="team-section" aria-labelledby="reseller-title">
            <div class="team-section-head">
                <h2 id="reseller-title" class="team-section-title">"Renewal notices to your reseller"</h2>
                <p class="team-section-text">
                    "Your admins get an email 60, 30, 7 and 0 days before a license or device plan expires. The reseller you buy from can get the same emails, so they can prepare your renewal in time."
                </p>
            </div>
            {move || notice.get().map(|message| view! { <Notice message=message /> })}
            {other_error}
            {card}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::api::{OrgKind, ResellerChoice, Role};

    #[test]
    fn only_a_customers_admins_choose_a_reseller() {
        assert!(chooses_reseller(OrgKind::Customer, Role::Admin));
        assert!(!chooses_reseller(OrgKind::Customer, Role::Member));
        assert!(!chooses_reseller(OrgKind::Partner, Role::Admin));
        assert!(!chooses_reseller(OrgKind::Vendor, Role::Admin));
    }

    #[test]
    fn a_partner_id_is_a_positive_number() {
        assert_eq!(partner_id(" 12 "), Ok(12));
        assert_eq!(partner_id(""), Err("Please enter your reseller's Partner ID.".to_string()));
        assert!(partner_id("Brightline").is_err());
        assert!(partner_id("0").is_err());
        assert!(partner_id("-3").is_err());
        assert!(partner_id("99999999999999999999").is_err(), "beyond any id");
    }

    #[test]
    fn the_hand_written_body_is_the_types_json() {
        for choice in [Some(12), None] {
            let ours: serde_json::Value = serde_json::from_str(&choice_body(choice)).unwrap_or_default();
            let typed = serde_json::to_value(ResellerChoice { partner_org_id: choice }).unwrap_or_default();
            assert_eq!(ours, typed);
        }
    }

    #[test]
    fn the_notice_names_the_reseller() {
        let chosen = Reseller { partner_org_id: Some(12), partner_name: Some("Brightline Partners".into()) };
        assert_eq!(saved_message(None, &chosen), "Renewal notices now also go to Brightline Partners.");
        let none = Reseller { partner_org_id: None, partner_name: None };
        assert_eq!(
            saved_message(Some("Brightline Partners"), &none),
            "Renewal notices no longer go to Brightline Partners."
        );
        assert_eq!(saved_message(None, &none), "Renewal notices no longer go to a reseller.");
    }
}
