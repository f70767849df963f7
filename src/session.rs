//! Who is signed in: the current [`Me`] as a signal, provided as context by
//! [`crate::app::App`] and read with [`use_session`].
//!
//! The session starts in [`AuthState::Checking`] while `GET /api/v1/session` is in
//! flight, so the app can show a loading state instead of flashing the sign-in
//! page. Every change goes through one of the methods below.

use leptos::prelude::*;
use tessera_domain::api::{Me, OrgKind};

use crate::api::ApiError;

/// Remembers, across reloads, that this browser had a session, so that "nobody
/// signed in" at start-up can say "your session has expired" rather than nothing. Holds
/// no secret: only "1".
const HAD_SESSION_KEY: &str = "tessera.had_session";

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn remember_session(had: bool) {
    if let Some(storage) = local_storage() {
        let _ = if had { storage.set_item(HAD_SESSION_KEY, "1") } else { storage.remove_item(HAD_SESSION_KEY) };
    }
}

fn had_session() -> bool {
    local_storage().and_then(|storage| storage.get_item(HAD_SESSION_KEY).ok().flatten()).is_some()
}

/// Why nobody is signed in; decides where the app sends the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOutReason {
    /// There was no session when the app started.
    NoSession,
    /// The person pressed "Sign out".
    SignedOut,
    /// The server answered 401 to a call made while signed in.
    Expired,
}

/// The state of the session as the browser knows it.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthState {
    /// `GET /api/v1/session` has not answered yet.
    Checking,
    /// The server could not be asked (network down, server error); the app
    /// offers to try again rather than guessing.
    Unavailable(ApiError),
    SignedOut(SignedOutReason),
    SignedIn(Me),
}

/// Where the app is in its start-up, derived from [`AuthState`].
#[derive(Debug, Clone, PartialEq)]
pub enum Boot {
    Checking,
    Failed(ApiError),
    /// The session is known (signed in or out): routes can be shown.
    Ready,
}

/// Handle on the session; cheap to copy into closures.
#[derive(Clone, Copy)]
pub struct Session {
    state: RwSignal<AuthState>,
    signed_in: Memo<bool>,
    boot: Memo<Boot>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    pub fn new() -> Self {
        let state = RwSignal::new(AuthState::Checking);
        let signed_in = Memo::new(move |_| state.with(|s| matches!(s, AuthState::SignedIn(_))));
        let boot = Memo::new(move |_| {
            state.with(|s| match s {
                AuthState::Checking => Boot::Checking,
                AuthState::Unavailable(e) => Boot::Failed(e.clone()),
                AuthState::SignedOut(_) | AuthState::SignedIn(_) => Boot::Ready,
            })
        });
        Self { state, signed_in, boot }
    }

    /// Start-up phase; changes only between checking, failed and ready.
    pub fn boot(&self) -> Memo<Boot> {
        self.boot
    }

    /// Whether someone is signed in; notifies only when that flips.
    pub fn signed_in(&self) -> Memo<bool> {
        self.signed_in
    }

    /// The signed-in person and organization (tracked).
    pub fn me(&self) -> Option<Me> {
        self.state.with(|s| match s {
            AuthState::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// Reads a value from the signed-in `Me` (tracked), without cloning it all.
    pub fn with_me<T>(&self, f: impl FnOnce(&Me) -> T) -> Option<T> {
        self.state.with(|s| match s {
            AuthState::SignedIn(me) => Some(f(me)),
            _ => None,
        })
    }

    /// Like [`Session::with_me`], without tracking (for one-off reads).
    pub fn with_me_untracked<T>(&self, f: impl FnOnce(&Me) -> T) -> Option<T> {
        self.state.with_untracked(|s| match s {
            AuthState::SignedIn(me) => Some(f(me)),
            _ => None,
        })
    }

    /// The organization's kind, if signed in (tracked).
    pub fn org_kind(&self) -> Option<OrgKind> {
        self.with_me(|me| me.organization.kind)
    }

    /// Whether the organization is a home owner's organization of one (tracked).
    pub fn individual(&self) -> bool {
        self.with_me(|me| me.organization.individual).unwrap_or(false)
    }

    /// Why nobody is signed in, read without tracking.
    pub fn signed_out_reason_untracked(&self) -> Option<SignedOutReason> {
        self.state.with_untracked(|s| match s {
            AuthState::SignedOut(reason) => Some(*reason),
            _ => None,
        })
    }

    /// The CSRF token of the last `Me`, to send on state-changing requests.
    pub fn csrf_token_untracked(&self) -> Option<String> {
        self.state.with_untracked(|s| match s {
            AuthState::SignedIn(me) => Some(me.csrf_token.clone()),
            _ => None,
        })
    }

    /// Back to "checking" (used by "Try again" after a failed start-up).
    pub fn set_checking(&self) {
        self.state.set(AuthState::Checking);
    }

    /// Records the answer of the start-up `GET /session`. Nobody signed in is
    /// an expiry when this browser had a session before, else simply "not
    /// signed in".
    pub fn set_checked(&self, result: Result<Option<Me>, ApiError>) {
        match result {
            Ok(Some(me)) => self.sign_in(me),
            Ok(None) => {
                let reason = if had_session() { SignedOutReason::Expired } else { SignedOutReason::NoSession };
                remember_session(false);
                self.state.set(AuthState::SignedOut(reason));
            }
            Err(e) => self.state.set(AuthState::Unavailable(e)),
        }
    }

    /// Records a fresh `GET /me` made while signed in: refreshes the person,
    /// organization and CSRF token, or expires the session on 401. Other
    /// failures (offline…) change nothing.
    pub fn set_rechecked(&self, result: Result<Me, ApiError>) {
        match result {
            Ok(me) => self.sign_in(me),
            Err(e) if e.is_unauthenticated() => self.expire(),
            Err(_) => {}
        }
    }

    /// Someone signed in or registered; also refreshes the CSRF token.
    pub fn sign_in(&self, me: Me) {
        remember_session(true);
        let unchanged = self.state.with_untracked(|s| matches!(s, AuthState::SignedIn(current) if *current == me));
        if !unchanged {
            self.state.set(AuthState::SignedIn(me));
        }
    }

    /// The person signed out on purpose.
    pub fn sign_out(&self) {
        remember_session(false);
        self.state.set(AuthState::SignedOut(SignedOutReason::SignedOut));
    }

    /// The server no longer knows the session (401 on an authenticated call).
    pub fn expire(&self) {
        remember_session(false);
        if self.state.with_untracked(|s| matches!(s, AuthState::SignedIn(_))) {
            self.state.set(AuthState::SignedOut(SignedOutReason::Expired));
        }
    }
}

/// Puts a fresh session into context and returns it.
pub fn provide_session() -> Session {
    let session = Session::new();
    provide_context(session);
    session
}

/// The session provided by the app.
///
/// # Panics
/// Outside of [`crate::app::App`] (a programming error, not a user one).
pub fn use_session() -> Session {
    expect_context::<Session>()
}
