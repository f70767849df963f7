//! The changes a license allows (SPEC §4), one dialog for the four: more assets, renewal,
//! a higher tier, an add-on module. Each choice is previewed by the server as it is made
//! (`preview: true`: the prorated cost, what the locker keeps or lacks, the license after);
//! Confirm appears only under a preview of exactly what is chosen, and goes with the
//! `Idempotency-Key` made for that preview.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tessera_domain::api::{License, LicensePreview};
use tessera_domain::license::term_words;
use tessera_domain::status::Status;

use super::{assets_text, consumption_text, missing_text};
use crate::api::{self, ApiError, LicenseChange};
use crate::catalog::CatalogNames;
use crate::components::{BusyButton, Dialog, ErrorBanner, FormField, Icon, IconKind, Spinner};
use crate::format::{credits_detail, short_day};
use crate::sections::LOCKER;
use crate::session::use_session;

/// Which change a dialog makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Increase,
    Renew,
    Upgrade,
    AddOn,
}

impl ChangeKind {
    /// The dialog's title and the button that opens it.
    pub fn title(self) -> &'static str {
        match self {
            ChangeKind::Increase => "Increase quantity",
            ChangeKind::Renew => "Renew",
            ChangeKind::Upgrade => "Upgrade tier",
            ChangeKind::AddOn => "Add module",
        }
    }

    /// The id of the button that opens the dialog (focus goes back there).
    pub fn button_id(self) -> &'static str {
        match self {
            ChangeKind::Increase => "change-increase",
            ChangeKind::Renew => "change-renew",
            ChangeKind::Upgrade => "change-upgrade",
            ChangeKind::AddOn => "change-addon",
        }
    }
}

/// The tiers a license may move to: above its own, with an upgrade SKU from it.
pub fn upgrade_options(license: &License, catalog: &CatalogNames) -> Vec<(String, String)> {
    catalog
        .product(&license.product)
        .map(|p| {
            p.tiers_above(&license.tier)
                .into_iter()
                .filter(|t| catalog.amendment_sku(&license.product, &license.tier, &t.key).is_some())
                .map(|t| (t.key.clone(), t.name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The product's add-on modules the license does not have yet.
pub fn add_on_options(license: &License, catalog: &CatalogNames) -> Vec<(String, String)> {
    catalog
        .add_ons(&license.product)
        .filter(|s| !license.addons.iter().any(|a| a.sku.eq_ignore_ascii_case(&s.code)))
        .map(|s| (s.code.clone(), s.name.clone()))
        .collect()
}

/// The terms a license may be renewed for, as the product sells them.
pub fn renew_options(license: &License, catalog: &CatalogNames) -> Vec<(String, String)> {
    let terms = catalog.product(&license.product).map(|p| p.sold_terms()).unwrap_or_default();
    terms.into_iter().map(|t| (t.to_string(), term_words(t))).collect()
}

/// The changes worth offering now. A license past its end date can only be renewed (the
/// others would last nothing); an upgrade needs a higher tier, a module one not added yet.
pub fn available_changes(license: &License, catalog: &CatalogNames) -> Vec<ChangeKind> {
    let running = license.remaining_months > 0;
    [
        (ChangeKind::Increase, running),
        (ChangeKind::Renew, true),
        (ChangeKind::Upgrade, running && !upgrade_options(license, catalog).is_empty()),
        (ChangeKind::AddOn, running && !add_on_options(license, catalog).is_empty()),
    ]
    .into_iter()
    .filter_map(|(kind, offered)| offered.then_some(kind))
    .collect()
}

/// The request for what is chosen, if it can be asked: a number of assets ≥ 1, a term, a
/// tier, a module.
pub fn change_of(kind: ChangeKind, id: i64, choice: &str) -> Option<LicenseChange> {
    let choice = choice.trim();
    match kind {
        ChangeKind::Increase => choice.parse().ok().filter(|by| *by > 0).map(|by| LicenseChange::Increase { id, by }),
        ChangeKind::Renew => choice.parse().ok().map(|term_months| LicenseChange::Renew { id, term_months }),
        ChangeKind::Upgrade => (!choice.is_empty()).then(|| LicenseChange::Amend { id, tier: choice.to_string() }),
        ChangeKind::AddOn => (!choice.is_empty()).then(|| LicenseChange::AddOn { id, sku: choice.to_string() }),
    }
}

fn months(n: u32) -> String {
    if n == 1 {
        "1 month".to_string()
    } else {
        format!("{n} months")
    }
}

/// How the server's price was worked out, e.g. "4 assets × 20 months = 80 device-months of
/// MON-STD-36" (SPEC §6: k × R for more assets, quantity × R for an upgrade, R per license
/// for a module, quantity × term for a renewal).
pub fn cost_formula(change: &LicenseChange, license: &License, preview: &LicensePreview) -> String {
    let first = preview.consumes.first();
    let cost = first.map_or(0, |c| c.device_months);
    let sku = first.map_or("", |c| c.sku.as_str());
    let r = months(license.remaining_months);
    let factor = match change {
        LicenseChange::Increase { by, .. } => format!("{} × {r}", assets_text(*by)),
        LicenseChange::Amend { .. } => format!("{} × {r}", assets_text(license.quantity)),
        LicenseChange::AddOn { .. } => format!("1 license × {r}"),
        LicenseChange::Renew { term_months, .. } => {
            format!("{} × {}", assets_text(license.quantity), months(*term_months))
        }
        LicenseChange::Create(_) => String::new(),
    };
    let dm = if cost == 1 { "device-month" } else { "device-months" };
    format!("{factor} = {cost} {dm} of {sku}")
}

/// What the license page says once a change is made.
pub fn done_text(kind: ChangeKind, after: &License, catalog: Option<&CatalogNames>) -> String {
    match kind {
        ChangeKind::Increase => format!("Quantity increased: the license now covers {}.", assets_text(after.quantity)),
        ChangeKind::Renew => format!("Renewed: the license now expires on {}.", short_day(after.expires_on)),
        ChangeKind::Upgrade => format!("Upgraded to {}.", super::names(after, catalog).1),
        ChangeKind::AddOn => match after.addons.last() {
            Some(a) => format!("Module added: {}.", a.name),
            None => "Module added.".to_string(),
        },
    }
}

fn credit_items(items: &[tessera_domain::license::Consumption], catalog: Option<&CatalogNames>) -> AnyView {
    let items = items
        .iter()
        .map(|c| {
            let term = catalog.and_then(|k| k.sku(&c.sku)).and_then(|s| s.term_months);
            view! { <li title=credits_detail(c.device_months, term)>{consumption_text(c, catalog)}</li> }.into_any()
        })
        .collect::<Vec<_>>();
    view! { <ul class="credit-list">{items}</ul> }.into_any()
}

/// What the license is after the change, in the words of the change.
fn after_fact(kind: ChangeKind, preview: &LicensePreview, catalog: Option<&CatalogNames>) -> (&'static str, String) {
    let l = &preview.license;
    match kind {
        ChangeKind::Increase => ("Quantity after", assets_text(l.quantity)),
        ChangeKind::Renew => ("New expiry date", short_day(l.expires_on)),
        ChangeKind::Upgrade => ("Tier from today", super::names(l, catalog).1),
        ChangeKind::AddOn => ("Runs until", short_day(l.expires_on)),
    }
}

fn preview_view(
    kind: ChangeKind,
    change: &LicenseChange,
    license: &License,
    preview: &LicensePreview,
    catalog: Option<&CatalogNames>,
) -> AnyView {
    let (after_label, after) = after_fact(kind, preview, catalog);
    let short = (!preview.missing.is_empty()).then(|| {
        let text = format!(
            "Your Digital Locker needs {} for this. Nothing was taken.",
            missing_text(&preview.missing, catalog)
        );
        view! {
            <div class="banner banner-error">
                <Icon kind=IconKind::Alert class="icon banner-icon" />
                <div class="banner-body">
                    <p class="banner-title">"Not enough credits"</p>
                    <p>{text}</p>
                    <a class="btn btn-secondary btn-sm banner-action" href=LOCKER.path>"Go to Digital Locker"</a>
                </div>
            </div>
        }
        .into_any()
    });
    view! {
        <div class="change-preview">
            <p class="change-formula">{cost_formula(change, license, preview)}</p>
            <dl class="change-facts">
                <div class="fact"><dt>"Takes from your locker"</dt><dd>{credit_items(&preview.consumes, catalog)}</dd></div>
                <div class="fact"><dt>"Your locker keeps"</dt><dd>{credit_items(&preview.keeps, catalog)}</dd></div>
                <div class="fact"><dt>{after_label}</dt><dd>{after}</dd></div>
            </dl>
            {short}
        </div>
    }
    .into_any()
}

/// A choice among a few options: a term, a tier, a module.
fn choice_select(label: &'static str, options: Vec<(String, String)>, choice: RwSignal<String>) -> AnyView {
    let chosen = choice.get_untracked();
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let selected = value == chosen;
            view! { <option value=value selected=selected>{text}</option> }.into_any()
        })
        .collect::<Vec<_>>();
    view! {
        <div class="field">
            <label class="field-label" for="change-choice">{label}</label>
            <select id="change-choice" class="select" on:change=move |ev| choice.set(event_target_value(&ev))>
                {options}
            </select>
        </div>
    }
    .into_any()
}

/// The preview of a choice, once asked: the change it was for, the answer, and the key a
/// confirmation of it goes with.
type Previewed = Option<(LicenseChange, Result<LicensePreview, ApiError>, String)>;

#[component]
pub fn ChangeDialog(
    kind: ChangeKind,
    license: License,
    catalog: Arc<CatalogNames>,
    /// Cancel, Escape.
    on_close: Callback<()>,
    /// The license as the change left it, and the sentence that says so.
    on_done: Callback<(License, String)>,
) -> impl IntoView {
    let session = use_session();
    let id = license.id;
    let expires = short_day(license.expires_on);
    let (intro, options) = match kind {
        ChangeKind::Increase => (
            format!(
                "New assets run until the license's end date, {expires}: you pay only for the {} left.",
                months(license.remaining_months)
            ),
            Vec::new(),
        ),
        ChangeKind::Renew => (
            match license.status {
                Status::Grace => {
                    format!("In the grace period the new term still starts at the old end date, {expires}.")
                }
                Status::Expired => {
                    "Past its grace period, a renewal starts today, where the product allows one.".to_string()
                }
                _ => {
                    format!("The new term starts at the current end date, {expires}, so renewing early loses nothing.")
                }
            },
            renew_options(&license, &catalog),
        ),
        ChangeKind::Upgrade => (
            format!(
                "All {} move to the higher tier from today until {expires}; the end date stays.",
                assets_text(license.quantity)
            ),
            upgrade_options(&license, &catalog),
        ),
        ChangeKind::AddOn => (
            format!("The module runs from today until {expires}, priced per license."),
            add_on_options(&license, &catalog),
        ),
    };
    let first = match kind {
        ChangeKind::Increase => "1".to_string(),
        ChangeKind::Renew => {
            let own = license.term_months.to_string();
            if options.iter().any(|(v, _)| v == &own) {
                own
            } else {
                options.first().map(|(v, _)| v.clone()).unwrap_or_default()
            }
        }
        _ => options.first().map(|(v, _)| v.clone()).unwrap_or_default(),
    };
    let choice = RwSignal::new(first);
    let change = Memo::new(move |_| choice.with(|c| change_of(kind, id, c)));
    let previewed = RwSignal::new(None as Previewed);

    // Each new choice is priced by the server; an answer for an older choice is dropped.
    Effect::new(move |_| {
        let Some(asked) = change.get() else {
            previewed.set(None);
            return;
        };
        previewed.set(None);
        spawn_local(async move {
            let answer = api::preview_license_change(session, &asked).await;
            if change.try_get_untracked().flatten().as_ref() == Some(&asked) {
                let _ = previewed.try_set(Some((asked, answer, api::new_idempotency_key())));
            }
        });
    });

    // A plain task rather than an `Action`: it needs only "busy" and "what went wrong".
    let applying = RwSignal::new(false);
    let apply_error = RwSignal::new(None::<ApiError>);
    let catalog_for_done = StoredValue::new(Arc::clone(&catalog));
    let run_apply = move |(asked, key): (LicenseChange, String)| {
        if applying.get_untracked() {
            return;
        }
        applying.set(true);
        apply_error.set(None);
        spawn_local(async move {
            match api::apply_license_change(session, &asked, &key).await {
                Ok(after) => {
                    let text =
                        catalog_for_done.try_with_value(|c| done_text(kind, &after, Some(c))).unwrap_or_default();
                    on_done.run((after, text));
                }
                Err(e) => {
                    let _ = applying.try_set(false);
                    let _ = apply_error.try_set(Some(e));
                }
            }
        });
    };
    let number_error = Signal::derive(move || {
        (kind == ChangeKind::Increase && change.with(Option::is_none))
            .then(|| "Please enter a number of assets, 1 or more.".to_string())
    });

    let input = match kind {
        ChangeKind::Increase => view! {
            <FormField
                id="change-by"
                label="Assets to add"
                input_type="number"
                min="1"
                value=choice
                error=number_error
                hint=format!("The license covers {} now.", assets_text(license.quantity))
            />
        }
        .into_any(),
        ChangeKind::Renew => choice_select("Renew for", options, choice),
        ChangeKind::Upgrade => choice_select("Move to", options, choice),
        ChangeKind::AddOn => choice_select("Module", options, choice),
    };

    let preview_catalog = Arc::clone(&catalog);
    let shown = move || {
        let catalog = Some(preview_catalog.as_ref());
        previewed.with(|p| match p {
            _ if change.with(Option::is_none) => None,
            None => Some(
                view! {
                    <p class="change-working"><Spinner /><span>"Working out the cost…"</span></p>
                }
                .into_any(),
            ),
            Some((_, Err(e), _)) => Some(view! { <ErrorBanner message=e.message.clone() /> }.into_any()),
            Some((asked, Ok(preview), _)) => Some(preview_view(kind, asked, &license, preview, catalog)),
        })
    };
    let ready = Memo::new(move |_| {
        previewed.with(|p| match p {
            Some((asked, Ok(preview), key)) if preview.missing.is_empty() => Some((asked.clone(), key.clone())),
            _ => None,
        })
    });
    let close = move |_| on_close.run(());

    view! {
        <Dialog
            title_id="change-title"
            description_id="change-text"
            return_focus=kind.button_id()
            on_close=on_close
        >
            <h2 id="change-title" class="dialog-title">{kind.title()}</h2>
            <p id="change-text" class="dialog-text">{intro}</p>
            <div class="form change-form">
                {input}
                <div class="change-result" aria-live="polite">{move || shown()}</div>
                {move || apply_error.get().map(|e| view! { <ErrorBanner message=e.message /> }.into_any())}
                <div class="dialog-actions">
                    <button type="button" class="btn btn-secondary" on:click=close>"Cancel"</button>
                    {move || {
                        ready
                            .get()
                            .map(|confirm| {
                                view! {
                                    <BusyButton
                                        class="btn btn-primary"
                                        busy=applying
                                        on_click=Callback::new(move |()| {
                                            run_apply(confirm.clone());
                                        })
                                    >
                                        "Confirm"
                                    </BusyButton>
                                }
                                .into_any()
                            })
                    }}
                </div>
            </div>
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::api::LicenseAddOn;
    use tessera_domain::license::Consumption;

    fn pop(tier: &str, remaining: u32) -> License {
        let mut l = super::super::tests::license(9, "AAAA-BBBB-CCCC-DDDD", "POP", tier, 10, (2028, 1, 15));
        l.term_months = 12;
        l.remaining_months = remaining;
        l
    }

    #[test]
    fn only_changes_that_can_apply_are_offered() {
        let catalog = crate::catalog::tests::sample();
        use ChangeKind::*;
        assert_eq!(available_changes(&pop("ESS", 20), &catalog), [Increase, Renew, Upgrade, AddOn]);
        assert_eq!(available_changes(&pop("ADV", 20), &catalog), [Increase, Renew, AddOn], "no higher tier");
        assert_eq!(available_changes(&pop("ESS", 0), &catalog), [Renew], "ended: renew only");
        let mut with_module = pop("ESS", 20);
        with_module.addons.push(LicenseAddOn {
            sku: "POP-ADDON-REMOTE-MO".into(),
            name: "Remote".into(),
            added_on: with_module.starts_on,
        });
        assert_eq!(available_changes(&with_module, &catalog), [Increase, Renew, Upgrade]);
        let mon = super::super::tests::license(1, "X", "MON", "STD", 1, (2028, 1, 1));
        assert_eq!(available_changes(&mon, &catalog), [Increase, Renew], "MON sells no upgrade SKU in the sample");
        assert_eq!(
            renew_options(&mon, &catalog),
            [("12".to_string(), "1 year".to_string()), ("36".into(), "3 years".into())]
        );
    }

    #[test]
    fn choices_make_requests() {
        assert_eq!(change_of(ChangeKind::Increase, 9, " 4 "), Some(LicenseChange::Increase { id: 9, by: 4 }));
        assert_eq!(change_of(ChangeKind::Increase, 9, "0"), None);
        assert_eq!(change_of(ChangeKind::Increase, 9, "-1"), None);
        assert_eq!(change_of(ChangeKind::Increase, 9, ""), None);
        assert_eq!(change_of(ChangeKind::Renew, 9, "36"), Some(LicenseChange::Renew { id: 9, term_months: 36 }));
        assert_eq!(change_of(ChangeKind::Upgrade, 9, "ADV"), Some(LicenseChange::Amend { id: 9, tier: "ADV".into() }));
        assert_eq!(change_of(ChangeKind::AddOn, 9, ""), None);
    }

    #[test]
    fn the_formula_shows_how_the_cost_is_made() {
        // SPEC §6 example 8: 12 assets, 36 months, R = 20, increased by 4 → 80 device-months.
        let mut license = super::super::tests::license(1, "X", "MON", "STD", 12, (2028, 1, 1));
        license.remaining_months = 20;
        let preview = |sku: &str, dm| LicensePreview {
            consumes: vec![Consumption { sku: sku.into(), device_months: dm }],
            missing: Vec::new(),
            keeps: vec![Consumption { sku: sku.into(), device_months: 28 }],
            license: license.clone(),
        };
        let increase = LicenseChange::Increase { id: 1, by: 4 };
        assert_eq!(
            cost_formula(&increase, &license, &preview("MON-STD-36", 80)),
            "4 assets × 20 months = 80 device-months of MON-STD-36"
        );
        let amend = LicenseChange::Amend { id: 1, tier: "ADV".into() };
        assert_eq!(
            cost_formula(&amend, &license, &preview("MON-STD-ADV-MO", 240)),
            "12 assets × 20 months = 240 device-months of MON-STD-ADV-MO"
        );
        let add_on = LicenseChange::AddOn { id: 1, sku: "X".into() };
        assert_eq!(cost_formula(&add_on, &license, &preview("X", 20)), "1 license × 20 months = 20 device-months of X");
        let renew = LicenseChange::Renew { id: 1, term_months: 12 };
        assert_eq!(
            cost_formula(&renew, &license, &preview("MON-STD-12", 144)),
            "12 assets × 12 months = 144 device-months of MON-STD-12"
        );
    }

    #[test]
    fn what_the_page_says_after() {
        let catalog = crate::catalog::tests::sample();
        let after = pop("ADV", 20);
        assert_eq!(
            done_text(ChangeKind::Increase, &after, None),
            "Quantity increased: the license now covers 10 assets."
        );
        assert_eq!(done_text(ChangeKind::Renew, &after, None), "Renewed: the license now expires on 15 Jan 2028.");
        assert_eq!(done_text(ChangeKind::Upgrade, &after, Some(&catalog)), "Upgraded to Advanced.");
        assert_eq!(done_text(ChangeKind::AddOn, &after, None), "Module added.");
    }
}
