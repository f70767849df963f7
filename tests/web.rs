//! Component tests, run in a real browser:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p tessera-web --target wasm32-unknown-unknown`
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use tessera_web::components::{Dialog, EmptyState, ErrorBanner, FormField, IconKind};
use tessera_web::pages::{InviteDialog, Register};
use tessera_web::session::provide_session;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the page to mount a component into.
fn container() -> HtmlElement {
    let doc = document();
    let el = doc.create_element("section").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

fn query(root: &HtmlElement, selector: &str) -> Option<web_sys::Element> {
    root.query_selector(selector).unwrap()
}

#[wasm_bindgen_test]
async fn form_field_label_names_its_input_and_error_describes_it() {
    let root = container();
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let _mounted = mount_to(root.clone(), move || {
        view! { <FormField id="email" label="Email" input_type="email" value=value error=error /> }
    });

    let label = query(&root, "label").unwrap();
    let input: HtmlInputElement = query(&root, "input").unwrap().unchecked_into();
    assert_eq!(label.get_attribute("for").as_deref(), Some("email"));
    assert_eq!(input.id(), "email");
    assert_eq!(input.type_(), "email");
    assert_eq!(label.text_content().as_deref(), Some("Email"));
    assert!(input.get_attribute("aria-invalid").is_none());
    assert!(query(&root, "#email-error").is_none());

    error.set(Some("Please enter email address".into()));
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(input.get_attribute("aria-describedby").as_deref(), Some("email-error"));
    let message = query(&root, "#email-error").unwrap();
    assert_eq!(message.text_content().as_deref(), Some("Please enter email address"));

    // Typing updates the bound signal.
    input.set_value("ada@example.com");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    assert_eq!(value.get_untracked(), "ada@example.com");
}

#[wasm_bindgen_test]
fn empty_state_shows_title_and_text() {
    let root = container();
    let _mounted = mount_to(root.clone(), || {
        view! {
            <EmptyState
                kind=IconKind::License
                title="No licenses yet"
                description="Create a license from your credits."
            />
        }
    });
    let heading = query(&root, ".empty-state h2").unwrap();
    assert_eq!(heading.text_content().as_deref(), Some("No licenses yet"));
    let text = query(&root, ".empty-state p").unwrap();
    assert_eq!(text.text_content().as_deref(), Some("Create a license from your credits."));
    // The icon is decorative.
    let svg = query(&root, ".empty-state svg").unwrap();
    assert_eq!(svg.get_attribute("aria-hidden").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
fn error_banner_is_an_alert() {
    let root = container();
    let _mounted = mount_to(root.clone(), || view! { <ErrorBanner message="Incorrect email or password." /> });
    let banner = query(&root, "[role=alert]").unwrap();
    assert!(banner.text_content().unwrap().contains("Incorrect email or password."));
}

#[wasm_bindgen_test]
async fn register_hides_the_organization_name_for_home_owners() {
    let root = container();
    let _mounted = mount_to(root.clone(), || {
        provide_session();
        view! { <Register /> }
    });

    let radios = root.query_selector_all("input[type=radio][name=org-kind]").unwrap();
    let values: Vec<String> =
        (0..radios.length()).map(|i| radios.item(i).unwrap().unchecked_into::<HtmlInputElement>().value()).collect();
    assert_eq!(values, ["customer", "partner", "individual"]);
    assert!(query(&root, "#org-name").is_some(), "companies are asked their name");
    for id in ["name", "email", "password"] {
        assert!(query(&root, &format!("label[for={id}]")).is_some(), "label for {id}");
    }

    let individual: HtmlElement = query(&root, "input[value=individual]").unwrap().unchecked_into();
    individual.click();
    tick().await;
    assert!(query(&root, "#org-name").is_none(), "home owners are not");

    let submit = query(&root, "button[type=submit]").unwrap();
    assert_eq!(submit.text_content().as_deref(), Some("Create account"));
}

#[wasm_bindgen_test]
async fn dialog_is_modal_named_by_its_title_takes_focus_and_closes_on_escape() {
    let root = container();
    let closed = RwSignal::new(0);
    let _mounted = mount_to(root.clone(), move || {
        view! {
            <Dialog title_id="t-title" initial_focus="t-input" on_close=Callback::new(move |()| closed.update(|n| *n += 1))>
                <h2 id="t-title">"A title"</h2>
                <input id="t-input" />
                <button type="button">"OK"</button>
            </Dialog>
        }
    });
    tick().await;

    let dialog = query(&root, "[role=dialog]").unwrap();
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(dialog.get_attribute("aria-labelledby").as_deref(), Some("t-title"));
    assert_eq!(document().active_element().map(|e| e.id()).as_deref(), Some("t-input"), "focus moves in");

    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    let escape = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    query(&root, "#t-input").unwrap().dispatch_event(&escape).unwrap();
    assert_eq!(closed.get_untracked(), 1, "Escape closes");
}

#[wasm_bindgen_test]
async fn invite_dialog_checks_the_address_before_asking_the_server() {
    let root = container();
    let _mounted = mount_to(root.clone(), || {
        provide_session();
        view! { <InviteDialog org_name="Acme" on_close=Callback::new(|()| {}) on_sent=Callback::new(|_| {}) /> }
    });
    tick().await;

    let dialog = query(&root, "[role=dialog]").unwrap();
    let title = query(&root, "#invite-title").unwrap();
    assert_eq!(dialog.get_attribute("aria-labelledby").as_deref(), Some("invite-title"));
    assert_eq!(title.text_content().as_deref(), Some("Invite a co-worker"));
    let label = query(&root, "label[for=invite-email]").unwrap();
    assert_eq!(label.text_content().as_deref(), Some("Email address"));
    assert!(query(&root, "[role=alert]").is_none(), "no error before trying");

    let send: HtmlElement = query(&root, "button[type=submit]").unwrap().unchecked_into();
    assert_eq!(send.text_content().as_deref(), Some("Send Invite"));
    send.click();
    tick().await;
    let alert = query(&root, "[role=alert]").unwrap();
    assert_eq!(alert.text_content().as_deref(), Some("Please enter email address"));

    let input: HtmlInputElement = query(&root, "#invite-email").unwrap().unchecked_into();
    input.set_value("not-an-email");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    send.click();
    tick().await;
    let alert = query(&root, "[role=alert]").unwrap();
    assert_eq!(
        alert.text_content().as_deref(),
        Some("You have entered an invalid email address. Please re-enter the email address.")
    );
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(input.get_attribute("aria-describedby").as_deref(), Some("invite-email-error"));
}
