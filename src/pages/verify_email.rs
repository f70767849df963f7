//! `/verify-email?token=…`: where the confirmation mail's link leads. Confirms on
//! arrival (the link is the whole proof); works signed in or out, on any device.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::recovery::AuthCard;
use super::set_page_title;
use crate::api;
use crate::components::{ErrorBanner, Loading, Notice};
use crate::session::use_session;

/// The heading for the server's answer.
pub fn verify_title(code: Option<&str>) -> &'static str {
    match code {
        None => "Email address confirmed",
        Some("verification_link_expired") => "This link has expired",
        Some("verification_link_unknown") => "This link is not valid",
        Some(_) => "We could not confirm your address",
    }
}

/// `/verify-email`
#[component]
pub fn VerifyEmail() -> impl IntoView {
    set_page_title("Confirm your email address");
    let session = use_session();
    let query = use_query_map();
    let token = query.with_untracked(|q| q.get_str("token").unwrap_or_default().to_string());
    let result = LocalResource::new(move || {
        let token = token.clone();
        async move {
            let answer = api::verify_email(session, token).await;
            // The signed-in person's own page shows the change at once.
            if answer.is_ok() && session.signed_in().get_untracked() {
                session.set_rechecked(api::me().await);
            }
            answer
        }
    });
    let signed_in = session.signed_in();
    let next = move || {
        if signed_in.get() {
            view! { <a class="btn btn-primary btn-block" href="/">"Go to Home"</a> }
        } else {
            view! { <a class="btn btn-primary btn-block" href="/signin">"Go to sign in"</a> }
        }
    };
    view! {
        <AuthCard>
            <Transition fallback=|| view! { <Loading label="Confirming your email address…" /> }>
                {move || Suspend::new(async move {
                    match result.await {
                        Ok(notice) => view! {
                            <h1 class="auth-title">{verify_title(None)}</h1>
                            <Notice message=notice.message />
                        }
                        .into_any(),
                        Err(e) => view! {
                            <h1 class="auth-title">{verify_title(Some(&e.code))}</h1>
                            <ErrorBanner message=e.message />
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            {next}
        </AuthCard>
    }
}

#[cfg(test)]
mod tests {
    use super::verify_title;

    #[test]
    fn each_answer_has_its_heading() {
        assert_eq!(verify_title(None), "Email address confirmed");
        assert_eq!(verify_title(Some("verification_link_expired")), "This link has expired");
        assert_eq!(verify_title(Some("verification_link_unknown")), "This link is not valid");
        assert_eq!(verify_title(Some("network")), "We could not confirm your address");
    }
}
