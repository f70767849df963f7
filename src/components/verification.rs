//! The reminder to confirm one's email address, with "Send the link again": on Home,
//! and wherever the server refused something with `email_unverified`.

use leptos::prelude::*;

use super::busy_button::BusyButton;
use super::icon::{Icon, IconKind};
use crate::api;
use crate::session::use_session;

/// The `email_unverified` error code: the answer to mailing anyone before confirming.
pub const EMAIL_UNVERIFIED: &str = "email_unverified";

/// A "Send the link again" button and what came of it (the server's sentence).
#[component]
pub fn ResendVerification() -> impl IntoView {
    let session = use_session();
    let resend = Action::new_local(move |()| api::resend_verification(session));
    let pending = resend.pending();
    let outcome = move || {
        resend.value().get().map(|r| match r {
            Ok(notice) => view! { <p class="banner-outcome" role="status">{notice.message}</p> }.into_any(),
            Err(e) => view! { <p class="banner-outcome banner-outcome-error" role="alert">{e.message}</p> }.into_any(),
        })
    };
    view! {
        <BusyButton class="btn btn-secondary btn-sm banner-action" busy=pending on_click=Callback::new(move |()| {
            resend.dispatch_local(());
        })>
            "Send the link again"
        </BusyButton>
        {outcome}
    }
}

/// Home's reminder while the signed-in person's address is unconfirmed.
#[component]
pub fn VerifyReminder() -> impl IntoView {
    let session = use_session();
    let unverified =
        Memo::new(move |_| session.with_me(|me| (!me.email_verified).then(|| me.user.email.clone())).flatten());
    move || {
        unverified.get().map(|email| {
            view! {
                <div class="banner banner-warning" role="region" aria-label="Confirm your email address">
                    <Icon kind=IconKind::Mail class="icon banner-icon" />
                    <div class="banner-body">
                        <p class="banner-title">"Please confirm your email address"</p>
                        <p>
                            "We sent a link to " <strong>{email}</strong>
                            ". Until you open it, you can look around but not invite co-workers or send anything to anyone else."
                        </p>
                        <ResendVerification />
                    </div>
                </div>
            }
        })
    }
}
