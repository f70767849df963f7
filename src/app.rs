//! The root component: session context, start-up check, router and routes,
//! and the guards that keep signed-out people out of the app (and signed-in
//! people off the sign-in page).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::{path, NavigateOptions};
use tessera_domain::api::OrgKind;

use crate::api;
use crate::components::shell::focus_main_on_navigation;
use crate::components::{EmptyState, ErrorBanner, IconKind, Logo, PageHeader, PageLoading, Shell};
use crate::pages;
use crate::sections::{self, Section, LOCKER, VOUCHERS};
use crate::session::{provide_session, use_session, Boot, Session, SignedOutReason};
use crate::url::encode_query_value;

/// Where a signed-out person is sent from `current` (path and query).
pub fn signin_redirect(reason: SignedOutReason, current: &str) -> String {
    let next = (safe_next(Some(current)) != "/").then(|| encode_query_value(current));
    match (reason, next) {
        (SignedOutReason::SignedOut, _) => "/signin".to_string(),
        (SignedOutReason::Expired, Some(next)) => format!("/signin?expired=1&next={next}"),
        (SignedOutReason::Expired, None) => "/signin?expired=1".to_string(),
        (SignedOutReason::NoSession, Some(next)) => format!("/signin?next={next}"),
        (SignedOutReason::NoSession, None) => "/signin".to_string(),
    }
}

/// The page to open after signing in: `next` when it is a path of this app,
/// else home. Refuses other origins (`//evil`, `https://…`, `/\evil`).
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.starts_with("/signin")
                && !n.starts_with("/register")
                && !n.chars().any(char::is_control) =>
        {
            n
        }
        _ => "/",
    }
}

/// What to say when the start-up check failed for another reason than "not
/// signed in": the network's or server's own words, else a plain sentence
/// (a 404 or 403 here means a misrouted request, not a missing page).
pub fn startup_message(error: &api::ApiError) -> String {
    if error.status == 0 || error.status >= 500 {
        error.message.clone()
    } else {
        "Tessera could not check your session. Please try again in a moment.".to_string()
    }
}

/// The signed-in person's own page (name, password).
pub const ACCOUNT_PATH: &str = "/account";

fn replace() -> NavigateOptions {
    NavigateOptions { replace: true, ..Default::default() }
}

/// Asks the server who is signed in and records the answer.
fn check_session(session: Session) {
    session.set_checking();
    spawn_local(async move {
        session.set_checked(api::session_state().await);
    });
}

/// How long a signed-in page trusts its session before asking again when the
/// window regains focus.
const RECHECK_AFTER_MS: f64 = 60_000.0;

/// When someone comes back to the tab, asks the server again (at most once a
/// minute), so an expired session sends them to sign in at once instead of
/// at their next click, and the CSRF token stays current.
fn recheck_session_on_focus(session: Session) {
    let last_check = StoredValue::new(js_sys::Date::now());
    let listener = window_event_listener(leptos::ev::focus, move |_| {
        let now = js_sys::Date::now();
        if !session.signed_in().get_untracked() || now - last_check.get_value() < RECHECK_AFTER_MS {
            return;
        }
        last_check.set_value(now);
        spawn_local(async move {
            session.set_rechecked(api::me().await);
        });
    });
    on_cleanup(move || listener.remove());
}

#[component]
pub fn App() -> impl IntoView {
    let session = provide_session();
    check_session(session);
    recheck_session_on_focus(session);
    let boot = session.boot();

    view! {
        {move || match boot.get() {
            Boot::Checking => view! { <PageLoading /> }.into_any(),
            Boot::Failed(error) => view! { <StartupFailed message=startup_message(&error) /> }.into_any(),
            Boot::Ready => view! { <AppRoutes /> }.into_any(),
        }}
    }
}

/// All routes. Rendered once the session is known.
#[component]
fn AppRoutes() -> impl IntoView {
    view! {
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/signin") view=|| view! { <GuestOnly><pages::SignIn /></GuestOnly> } />
                <Route
                    path=path!("/register")
                    view=|| view! { <GuestOnly><pages::Register /></GuestOnly> }
                />
                <Route
                    path=path!("/forgot-password")
                    view=|| view! { <GuestOnly><pages::ForgotPassword /></GuestOnly> }
                />
                // Public: the links of mails work signed in or out, in any browser.
                <Route
                    path=path!("/invite/accept")
                    view=|| view! { <pages::AcceptInvitation to=api::InviteTo::Organization /> }
                />
                <Route
                    path=path!("/locker/accept")
                    view=|| view! { <pages::AcceptInvitation to=api::InviteTo::Locker /> }
                />
                <Route path=path!("/reset-password") view=pages::ResetPassword />
                <Route path=path!("/verify-email") view=pages::VerifyEmail />
                <ParentRoute path=path!("") view=SignedInLayout>
                    <Route path=path!("/") view=pages::Home />
                    <Route path=path!("/team") view=pages::Team />
                    <Route path=path!("/vouchers") view=pages::Vouchers />
                    <Route path=path!("/locker") view=pages::Locker />
                    <Route path=path!("/licenses") view=pages::Licenses />
                    // Before `:id`, which would take "new" for an id.
                    <Route path=path!("/licenses/new") view=pages::CreateLicense />
                    <Route path=path!("/licenses/:id") view=pages::LicenseDetail />
                    <Route path=path!("/devices") view=pages::Devices />
                    <Route path=path!("/devices/activate") view=pages::ActivateCode />
                    <Route path=path!("/renewals") view=pages::Renewals />
                    <Route path=path!("/quotes") view=pages::Quotes />
                    <Route path=path!("/quotes/new") view=pages::NewQuote />
                    <Route path=path!("/quotes/:id") view=pages::QuoteDetail />
                    <Route path=path!("/quotes/:id/print") view=pages::QuotePrint />
                    <Route path=path!("/orders") view=pages::Orders />
                    <Route path=path!("/account") view=pages::Account />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Shows the app frame to signed-in people; sends others to sign in.
#[component]
fn SignedInLayout() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let signed_in = session.signed_in();
    // A one-time password opens nothing but the account page until it is
    // replaced (the server refuses the rest with `password_change_required`).
    let must_change = Memo::new(move |_| session.with_me(|me| me.must_change_password).unwrap_or(false));
    // A section of the other side (the vendor's back office, the customers' pages) is
    // answered in the frame with whose page it is, not with a page that fails.
    let kind = Memo::new(move |_| session.org_kind());
    let closed = Memo::new(move |_| location.pathname.with(|path| sections::closed_to(path, kind.get())));
    // A print view is the document alone: no navigation around it.
    let bare = Memo::new(move |_| location.pathname.with(|path| path.ends_with("/print")));
    let navigate = use_navigate();
    focus_main_on_navigation();
    Effect::new(move |_| {
        if must_change.get() && location.pathname.get() != ACCOUNT_PATH {
            navigate(ACCOUNT_PATH, replace());
        }
    });
    view! {
        {move || {
        if signed_in.get() && bare.get() && closed.get().is_none() {
            view! { <Outlet /> }.into_any()
        } else if signed_in.get() {
            view! {
                <Shell>
                    {move || match closed.get() {
                        Some(section) => not_for_you_view(section, kind.get_untracked()),
                        None => view! { <Outlet /> }.into_any(),
                    }}
                </Shell>
            }
            .into_any()
        } else {
            let reason = session.signed_out_reason_untracked().unwrap_or(SignedOutReason::NoSession);
            let search = location.search.get_untracked();
            let mut current = location.pathname.get_untracked();
            if !search.is_empty() {
                current.push('?');
                current.push_str(search.trim_start_matches('?'));
            }
            let to = signin_redirect(reason, &current);
            view! { <Redirect path=to options=replace() /> }.into_any()
        }
    }}
    }
}

/// What a page says to someone whose side of Tessera it is not on: the vendor's
/// back office to customers and partners, their sections to the vendor.
pub fn not_for_you(vendor: bool) -> (&'static str, &'static str) {
    if vendor {
        (
            "This page is for customers and partners",
            "Customers and partners redeem vouchers here and manage their credits, licenses, devices and renewals. As the vendor, you issue the vouchers they redeem.",
        )
    } else {
        (
            "This page is for the vendor's back office",
            "The vendor issues voucher codes here. If you received a code, redeem it in your Digital Locker to add its credits.",
        )
    }
}

/// The page of a section closed to this organization's side: whose page it is
/// and where theirs is.
fn not_for_you_view(section: &'static Section, kind: Option<OrgKind>) -> AnyView {
    let vendor = kind == Some(OrgKind::Vendor);
    pages::set_page_title(section.label);
    let (title, text) = not_for_you(vendor);
    let (href, label) = if vendor { (VOUCHERS.path, "Go to Vouchers") } else { (LOCKER.path, "Go to Digital Locker") };
    view! {
        <PageHeader title=section.label />
        <EmptyState kind=IconKind::Info title=title description=text>
            <a class="btn btn-primary" href=href>{label}</a>
        </EmptyState>
    }
    .into_any()
}

/// Shows its content to signed-out people; sends signed-in people on (to
/// `?next=` when it is safe, else home).
#[component]
fn GuestOnly(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let signed_in = session.signed_in();
    view! {
        {move || {
            if signed_in.get() {
                let to = query.with_untracked(|q| safe_next(q.get_str("next")).to_string());
                view! { <Redirect path=to options=replace() /> }.into_any()
            } else {
                children().into_any()
            }
        }}
    }
}

/// The start-up check failed for another reason than "not signed in".
#[component]
fn StartupFailed(message: String) -> impl IntoView {
    let session = use_session();
    view! {
        <main class="auth-page" id="main">
            <div class="auth-card">
                <div class="auth-brand">
                    <Logo />
                    <span class="brand-name">"Tessera"</span>
                </div>
                <h1 class="auth-title">"Tessera is not available"</h1>
                <ErrorBanner message=message>
                    <button type="button" class="btn btn-primary btn-sm banner-action" on:click=move |_| check_session(session)>
                        "Try again"
                    </button>
                </ErrorBanner>
            </div>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_out_on_purpose_goes_to_plain_signin() {
        assert_eq!(signin_redirect(SignedOutReason::SignedOut, "/licenses"), "/signin");
    }

    #[test]
    fn expiry_says_so_and_remembers_the_page() {
        assert_eq!(signin_redirect(SignedOutReason::Expired, "/licenses"), "/signin?expired=1&next=/licenses");
        assert_eq!(signin_redirect(SignedOutReason::Expired, "/"), "/signin?expired=1");
    }

    #[test]
    fn no_session_remembers_deep_links_only() {
        assert_eq!(signin_redirect(SignedOutReason::NoSession, "/"), "/signin");
        assert_eq!(
            signin_redirect(SignedOutReason::NoSession, "/renewals?status=expired&q=a b"),
            "/signin?next=/renewals%3Fstatus%3Dexpired%26q%3Da%20b"
        );
    }

    #[test]
    fn next_must_stay_in_the_app() {
        assert_eq!(safe_next(Some("/devices")), "/devices");
        assert_eq!(safe_next(Some("/renewals?status=expired")), "/renewals?status=expired");
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/signin?expired=1")), "/");
        assert_eq!(safe_next(Some("/register")), "/");
        assert_eq!(safe_next(Some("/a\nb")), "/");
    }

    #[test]
    fn each_side_is_told_where_its_page_is() {
        let (title, text) = not_for_you(true);
        assert_eq!(title, "This page is for customers and partners");
        assert!(text.contains("issue the vouchers"));
        let (title, text) = not_for_you(false);
        assert_eq!(title, "This page is for the vendor's back office");
        assert!(text.contains("Digital Locker"));
    }

    #[test]
    fn startup_failures_are_explained() {
        assert_eq!(startup_message(&api::ApiError::network()), api::ApiError::network().message);
        let bad_gateway = api::ApiError::from_response(502, "");
        assert_eq!(startup_message(&bad_gateway), api::fallback_message(502));
        let misrouted = api::ApiError::from_response(404, "<html>");
        assert!(startup_message(&misrouted).contains("could not check your session"));
    }
}
