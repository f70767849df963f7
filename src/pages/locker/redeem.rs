//! The "Redeem voucher" card: one field that takes a code however it was
//! copied (spaces, lower case, no dashes), checked as it is typed with the
//! domain's own `Code::parse`, then by the server.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tessera_domain::api::Redeemed;
use tessera_domain::code::Code;

use super::CatalogLoad;
use crate::api::{self, ApiError};
use crate::catalog::CatalogNames;
use crate::components::shell::focus_element;
use crate::components::{server_error_until_edited, BusyButton, ErrorBanner, FormField, Notice};
use crate::format::credits_text;
use crate::load::ok;
use crate::session::use_session;

const FIELD: &str = "voucher-code";

/// The domain's live check of a code typed so far.
pub use tessera_domain::code::typing_problem as code_problem;

/// "Added 5 units of MON-STD-36 (Asset Monitoring …). Balance: 10 units."
pub fn redeemed_message(redeemed: &Redeemed, catalog: Option<&CatalogNames>) -> String {
    let sku = catalog.and_then(|c| c.sku(&redeemed.sku));
    // Without the catalog the SKU's term is unknown: device-months are exact anyway.
    let term = sku.and_then(|s| s.term_months);
    let added = credits_text(redeemed.added_device_months, term);
    let balance = credits_text(redeemed.balance_device_months, term);
    match sku {
        Some(s) => format!("Added {added} of {} ({}). Balance: {balance}.", redeemed.sku, s.name),
        None => format!("Added {added} of {}. Balance: {balance}.", redeemed.sku),
    }
}

#[component]
pub(super) fn RedeemCard(
    catalog: CatalogLoad,
    /// Called after a redemption, to show the new balances.
    on_redeemed: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let code = RwSignal::new(String::new());
    let left = RwSignal::new(false);
    // The code as it was when Redeem was last pressed: its errors show at once until it is edited.
    let submitted = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);

    let redeem = Action::new_local(move |typed: &String| {
        let typed = typed.clone();
        async move {
            let redeemed = api::redeem(session, typed).await?;
            let message = catalog.with_untracked(|c| redeemed_message(&redeemed, ok(c).map(|c| c.as_ref())));
            done.set(Some(message));
            // Ready for the next code from the same order.
            code.set(String::new());
            left.set(false);
            submitted.set(None);
            on_redeemed.run(());
            Ok::<(), ApiError>(())
        }
    });
    let pending = redeem.pending();
    let last_error = Memo::new(move |_| redeem.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err()).cloned()));
    // Refusals of the code itself show under the field until it changes; anything else
    // (too many attempts, no connection) above the form.
    let server_error = server_error_until_edited(last_error, |e| e.is_about("code"), code);
    let other_error = Memo::new(move |_| last_error.get().filter(|e| !e.is_about("code")));
    let local_error = Memo::new(move |_| {
        code.with(|c| code_problem(c, left.get(), submitted.with(|s| s.as_deref() == Some(c.as_str()))))
    });
    let shown_error = Signal::derive(move || local_error.get().or_else(|| server_error.get()));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(Some(code.get_untracked()));
        done.set(None);
        match code.with_untracked(|c| Code::parse(c)) {
            Ok(parsed) => {
                redeem.dispatch_local(parsed.grouped());
            }
            Err(_) => focus_element(FIELD),
        }
    };
    let on_blur = Callback::new(move |()| {
        if !code.with_untracked(|c| c.trim().is_empty()) {
            left.set(true);
        }
    });

    view! {
        <section class="card redeem-card" aria-labelledby="redeem-title">
            <h2 id="redeem-title" class="redeem-title">"Redeem voucher"</h2>
            <p class="redeem-text">
                "Enter the code from your order email. Its credits are added to this locker at once, and each code works only once."
            </p>
            {move || done.get().map(|message| view! { <Notice message=message /> }.into_any())}
            {move || other_error.get().map(|e| view! { <ErrorBanner message=e.message /> }.into_any())}
            <form class="redeem-form" novalidate=true on:submit=on_submit>
                <FormField
                    id=FIELD
                    label="Voucher code"
                    code=true
                    alert_error=true
                    value=code
                    error=shown_error
                    on_blur=on_blur
                    hint="16 letters and digits, like 7QKX-M2PA-9RTD-WH4Q. Dashes, spaces and lower case are fine."
                        .to_string()
                />
                <BusyButton submit=true class="btn btn-primary redeem-button" busy=pending>
                    "Redeem"
                </BusyButton>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::code::CodeError;

    const GOOD: &str = "7QKX-M2PA-9RTD-WH4Q";

    #[test]
    fn an_unfinished_code_is_no_error_yet() {
        assert_eq!(code_problem("", false, false), None);
        assert_eq!(code_problem("7QKX-M2", false, false), None);
        assert_eq!(code_problem("7qkx m2pa 9rtd wh4q", false, false), None, "pasted loosely");
        assert_eq!(code_problem("7QKXM2PA9RTDWH4Q", false, false), None, "without dashes");
    }

    #[test]
    fn the_domain_words_show_once_it_is_complete_or_left() {
        let mistyped = Some(CodeError::CheckMismatch.message());
        assert_eq!(code_problem("7QKX-M2PA-9RTD-WH4R", false, false), mistyped);
        assert!(mistyped.as_deref().is_some_and(|m| m.contains("looks mistyped")));
        let short = Some(CodeError::WrongLength { found: 6 }.message());
        assert_eq!(code_problem("7QKX-M2", true, false), short, "left the field");
        assert_eq!(code_problem("7QKX-M2", false, true), short, "pressed Redeem");
        assert_eq!(
            code_problem(&format!("{GOOD}7"), false, false),
            Some(CodeError::WrongLength { found: 17 }.message())
        );
        assert_eq!(code_problem("7QKU", false, false), Some(CodeError::InvalidSymbol { symbol: 'U' }.message()));
    }

    #[test]
    fn an_empty_field_is_an_error_only_on_submit() {
        assert_eq!(code_problem("  ", true, false), None);
        assert_eq!(code_problem("", false, true), Some(CodeError::Empty.message()));
    }

    #[test]
    fn the_message_counts_units_without_a_catalog_in_device_months() {
        let redeemed = Redeemed { sku: "MON-STD-36".into(), added_device_months: 180, balance_device_months: 360 };
        assert_eq!(
            redeemed_message(&redeemed, None),
            "Added 180 device-months of MON-STD-36. Balance: 360 device-months."
        );
        let catalog = crate::catalog::tests::sample();
        assert_eq!(
            redeemed_message(&redeemed, Some(&catalog)),
            "Added 5 units of MON-STD-36 (Asset Monitoring Platform Standard, 3 years, per asset). Balance: 10 units."
        );
        let month = Redeemed { sku: "POP-ESS-ADV-MO".into(), added_device_months: 24, balance_device_months: 24 };
        assert!(redeemed_message(&month, Some(&catalog)).starts_with("Added 24 device-months of POP-ESS-ADV-MO ("));
    }
}
