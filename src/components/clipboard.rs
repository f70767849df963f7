//! Copying text to the clipboard with the browser's clipboard API, reached through
//! `Reflect`, which costs the wasm less than web-sys's bindings.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Puts `text` on the clipboard, then reports in `copied` whether it worked. Where the
/// browser has no clipboard API (a page not served over https) or refuses, `on_fail` runs:
/// e.g. select the text for the person to copy.
pub fn copy_to_clipboard(text: &str, copied: RwSignal<Option<bool>>, on_fail: fn()) {
    let get = |on: &JsValue, key: &str| {
        js_sys::Reflect::get(on, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
    };
    let function = |on: &JsValue, key: &str| get(on, key).and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let clipboard = get(&window().into(), "navigator").and_then(|n| get(&n, "clipboard"));
    let promise = clipboard
        .as_ref()
        .and_then(|c| function(c, "writeText").and_then(|write| write.call1(c, &JsValue::from_str(text)).ok()));
    if let Some((promise, then)) = promise.and_then(|p| function(&p, "then").map(|then| (p, then))) {
        let done = Closure::once_into_js(move |_: JsValue| copied.set(Some(true)));
        let failed = Closure::once_into_js(move |_: JsValue| {
            copied.set(Some(false));
            on_fail();
        });
        if then.call2(&promise, &done, &failed).is_ok() {
            return;
        }
    }
    copied.set(Some(false));
    on_fail();
}
