//! The frame of every signed-in page: skip link, sidebar navigation (a menu on
//! narrow screens), a header with the organization, the person's role and
//! "Sign out", and the `<main>` landmark.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;

use super::banner::ErrorBanner;
use super::brand::Brand;
use super::icon::{Icon, IconKind};
use crate::api;
use crate::sections::{kind_label, role_label, sections_for};
use crate::session::use_session;

/// Moves keyboard focus to the element with this id, if it exists.
pub fn focus_element(id: &str) {
    if let Some(el) = document().get_element_by_id(id).and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// Signing out. A 401 means the server already forgot the session, which is
/// what we wanted; any other failure keeps the person signed in, and the
/// action's value is the message saying so. With `then_signin`, goes to the
/// sign-in page afterwards.
pub fn sign_out_action(then_signin: bool) -> Action<(), Option<String>> {
    let session = use_session();
    let navigate = use_navigate();
    Action::new_local(move |_: &()| {
        let navigate = navigate.clone();
        async move {
            match api::logout(session).await {
                Err(e) if !e.is_unauthenticated() => Some(e.message),
                _ => {
                    session.sign_out();
                    if then_signin {
                        navigate("/signin", NavigateOptions::default());
                    }
                    None
                }
            }
        }
    })
}

/// After a move to another page (not the first one shown), puts keyboard and
/// screen-reader focus at the start of the new content, as a page load would,
/// instead of leaving it on a link that may no longer exist.
pub fn focus_main_on_navigation() {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            request_animation_frame(|| focus_element("main"));
        }
        path
    });
}

/// The signed-in layout around the page content.
#[component]
pub fn Shell(
    /// The page.
    children: Children,
) -> impl IntoView {
    let session = use_session();
    let menu_open = RwSignal::new(false);

    let org_name = Memo::new(move |_| session.with_me(|m| m.organization.name.clone()).unwrap_or_default());
    let org_kind = Memo::new(move |_| session.org_kind());
    let individual = Memo::new(move |_| session.individual());
    let user_name = Memo::new(move |_| session.with_me(|m| m.user.name.clone()).unwrap_or_default());
    let role = Memo::new(move |_| session.with_me(|m| role_label(m.role)).unwrap_or_default());

    let sign_out = sign_out_action(true);
    let sign_out_error = move || sign_out.value().get().flatten();
    let signing_out = sign_out.pending();

    let nav_items = move || {
        sections_for(org_kind.get(), individual.get())
            .map(|s| {
                view! {
                    <li>
                        <A href=s.path exact=s.path == "/" attr:class="nav-link">
                            <Icon kind=s.icon />
                            <span>{s.label}</span>
                        </A>
                    </li>
                }
                .into_any()
            })
            .collect::<Vec<_>>()
    };

    view! {
        <a
            class="skip-link"
            href="#main"
            on:click=|ev| {
                ev.prevent_default();
                focus_element("main");
            }
        >
            "Skip to main content"
        </a>
        <div class="app-shell" class:menu-open=move || menu_open.get()>
            <aside class="sidebar">
                <div class="sidebar-head">
                    <Brand />
                    <button
                        type="button"
                        class="btn btn-ghost menu-toggle"
                        aria-controls="primary-nav"
                        aria-expanded=move || if menu_open.get() { "true" } else { "false" }
                        on:click=move |_| menu_open.update(|open| *open = !*open)
                    >
                        {move || {
                            if menu_open.get() {
                                view! { <Icon kind=IconKind::Close /> }
                            } else {
                                view! { <Icon kind=IconKind::Menu /> }
                            }
                        }}
                        <span>"Menu"</span>
                    </button>
                </div>
                <nav
                    id="primary-nav"
                    class="nav"
                    aria-label="Main"
                    on:click=move |_| menu_open.set(false)
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" && menu_open.get_untracked() {
                            menu_open.set(false);
                        }
                    }
                >
                    <ul class="nav-list">{move || nav_items()}</ul>
                </nav>
            </aside>
            <div class="workspace">
                <header class="topbar">
                    <div class="topbar-org">
                        <span class="org-name" data-testid="org-name" title=move || org_name.get()>
                            {move || org_name.get()}
                        </span>
                        {move || {
                            org_kind
                                .get()
                                .map(|k| view! { <span class="badge badge-neutral">{kind_label(k)}</span> }.into_any())
                        }}
                    </div>
                    <div class="topbar-account">
                        <A href="/account" attr:class="user-link">
                            <Icon kind=IconKind::User />
                            <span class="visually-hidden">"Your account: "</span>
                            <span class="user-name">{move || user_name.get()}</span>
                        </A>
                        <span class="badge badge-primary" data-testid="user-role">
                            {move || role.get()}
                        </span>
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm"
                            aria-busy=move || signing_out.get().then_some("true")
                            on:click=move |_| {
                                if !signing_out.get_untracked() {
                                    sign_out.dispatch_local(());
                                }
                            }
                        >
                            <Icon kind=IconKind::SignOut />
                            <span class="sign-out-label">"Sign out"</span>
                        </button>
                    </div>
                </header>
                <main id="main" class="main" tabindex="-1">
                    {move || {
                        sign_out_error()
                            .map(|message| {
                                view! { <ErrorBanner title="Could not sign out" message=message /> }.into_any()
                            })
                    }}
                    {children()}
                </main>
            </div>
        </div>
    }
}
