//! A modal dialog: `role="dialog"` (or `alertdialog` for confirmations),
//! `aria-modal`, named by its title. Focus moves into it when it opens, Tab
//! stays inside, Escape or a click on the backdrop closes it, and focus goes
//! back to what opened it.

use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use super::shell::focus_element;

/// What can take focus inside a dialog, in document order.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), \
                         textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// The element to focus when Tab (`backwards`: Shift+Tab) is pressed on
/// `current`, so that focus cycles inside the dialog; `None` when the browser's
/// own move stays inside.
fn wrap_target(focusable: &[HtmlElement], current: Option<&Element>, backwards: bool) -> Option<HtmlElement> {
    let first = focusable.first()?;
    let last = focusable.last()?;
    let is = |el: &HtmlElement| current.is_some_and(|c| c == el.unchecked_ref::<Element>());
    let inside = focusable.iter().any(is);
    match (backwards, inside) {
        (_, false) => Some(if backwards { last.clone() } else { first.clone() }),
        (true, true) if is(first) => Some(last.clone()),
        (false, true) if is(last) => Some(first.clone()),
        _ => None,
    }
}

fn focusable_in(panel: &Element) -> Vec<HtmlElement> {
    let Ok(list) = panel.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<HtmlElement>().ok()).collect()
}

/// A modal dialog around `children`, which must contain the title element
/// whose id is `title_id`.
#[component]
pub fn Dialog(
    /// The id of the dialog's title (it names the dialog).
    title_id: &'static str,
    /// The id of an element that describes the dialog, if any.
    #[prop(optional)]
    description_id: Option<&'static str>,
    /// A confirmation that interrupts (`role="alertdialog"`).
    #[prop(optional)]
    alert: bool,
    /// The id of the element to focus when the dialog opens; else the first
    /// focusable element.
    #[prop(optional)]
    initial_focus: Option<&'static str>,
    /// Where focus goes on close when the element that opened the dialog is
    /// gone (or never had focus, as in Safari).
    #[prop(optional)]
    return_focus: Option<&'static str>,
    /// Escape, or a click outside the dialog.
    on_close: Callback<()>,
    /// The content, title included.
    children: Children,
) -> impl IntoView {
    let panel = NodeRef::<html::Div>::new();

    // Remember the opener now, give focus back to it when the dialog goes.
    // After a frame, so that a row removed along with the dialog is already
    // gone and the fallback is used instead.
    let opener = SendWrapper::new(document().active_element());
    on_cleanup(move || {
        let opener = opener.take();
        request_animation_frame(move || {
            let target = opener.filter(|el| el.is_connected()).and_then(|el| el.dyn_into::<HtmlElement>().ok());
            match (target, return_focus) {
                (Some(el), _) => {
                    let _ = el.focus();
                }
                (None, Some(id)) => focus_element(id),
                (None, None) => {}
            }
        });
    });

    Effect::new(move |_| {
        let Some(panel) = panel.get() else { return };
        match initial_focus {
            Some(id) => focus_element(id),
            None => match focusable_in(&panel).first() {
                Some(first) => {
                    let _ = first.focus();
                }
                None => {
                    let _ = panel.focus();
                }
            },
        }
    });

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            ev.stop_propagation();
            on_close.run(());
        }
        "Tab" => {
            let Some(panel) = panel.get_untracked() else { return };
            let focusable = focusable_in(&panel);
            let current = document().active_element();
            if let Some(target) = wrap_target(&focusable, current.as_ref(), ev.shift_key()) {
                ev.prevent_default();
                let _ = target.focus();
            }
        }
        _ => {}
    };

    // A press that starts and ends on the backdrop itself closes; dragging out
    // of a text field (selecting text) does not.
    let pressed_backdrop = StoredValue::new(false);
    let is_backdrop = |ev: &web_sys::MouseEvent| match (ev.target(), ev.current_target()) {
        (Some(target), Some(current)) => target == current,
        _ => false,
    };

    view! {
        <div
            class="dialog-backdrop"
            on:mousedown=move |ev| pressed_backdrop.set_value(is_backdrop(&ev))
            on:click=move |ev| {
                if pressed_backdrop.get_value() && is_backdrop(&ev) {
                    on_close.run(());
                }
            }
        >
            <div
                class="dialog"
                role=if alert { "alertdialog" } else { "dialog" }
                aria-modal="true"
                aria-labelledby=title_id
                aria-describedby=description_id
                tabindex="-1"
                node_ref=panel
                on:keydown=on_keydown
            >
                {children()}
            </div>
        </div>
    }
}
