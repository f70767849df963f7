//! `/licenses/new`: product → plan → number of assets → installer email → start date →
//! review (the server's preview: what is consumed, what the locker keeps, or what it
//! lacks) → confirm. The confirmation carries an `Idempotency-Key` made once per review,
//! so a retry or a double press makes one license.

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use tessera_domain::api::{CreateLicenseRequest, LicensePreview, LockerView};
use tessera_domain::catalog;
use tessera_domain::dates::add_days;
use tessera_domain::email::Email;
use tessera_domain::license::{term_words, LicenseError, MAX_QUANTITY, MAX_START_DAYS_AHEAD};

use super::{announce, assets_text, consumption_text, license_path, missing_text, CatalogLoad};
use crate::api::{self, ApiError, LicenseChange};
use crate::catalog::CatalogNames;
use crate::components::form_field::described_by;
use crate::components::shell::focus_element;
use crate::components::{
    BusyButton, ErrorBanner, FormField, Icon, IconKind, Loading, PageHeader, Plan, PlanPicker, ResendVerification,
    EMAIL_UNVERIFIED,
};
use crate::format::{credits_detail, iso_day, short_day};
use crate::load::{fetch_into, loaded, ok, Loaded};
use crate::pages::set_page_title;
use crate::sections::{LICENSES, LOCKER};
use crate::session::use_session;

/// The form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateForm {
    pub product: String,
    pub plan: Option<Plan>,
    pub quantity: String,
    pub email: String,
    pub start: String,
}

/// What is wrong with each field before asking the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateProblems {
    pub product: Option<String>,
    pub plan: Option<String>,
    pub quantity: Option<String>,
    pub email: Option<String>,
    pub start: Option<String>,
}

impl CreateProblems {
    /// The id of the first field with a problem, to put the keyboard there.
    fn first_field(&self) -> &'static str {
        [
            (self.product.is_some(), "license-product"),
            (self.plan.is_some(), "plan-hint"),
            (self.quantity.is_some(), "license-quantity"),
            (self.email.is_some(), "license-email"),
        ]
        .into_iter()
        .find_map(|(bad, id)| bad.then_some(id))
        .unwrap_or("license-start")
    }
}

/// The request the form makes, or every problem with it, in the domain's words. The start
/// date is checked against the server's `today`; today itself is sent as "no date" (the
/// server's today), so a page left open over midnight does not start a license in the past.
pub fn create_request(form: &CreateForm, today: NaiveDate) -> Result<CreateLicenseRequest, CreateProblems> {
    let quantity = form.quantity.trim().parse::<u32>().ok().filter(|q| (1..=MAX_QUANTITY).contains(q));
    let start = catalog::date::parse(form.start.trim());
    let problems = CreateProblems {
        product: form.product.is_empty().then(|| "Please choose a product.".to_string()),
        plan: (form.plan.is_none() && !form.product.is_empty()).then(|| "Please choose a plan.".to_string()),
        quantity: quantity.is_none().then(|| LicenseError::QuantityInvalid.message()),
        email: Email::parse(&form.email).err().map(|e| e.message().to_string()),
        start: match start {
            None => Some("Please enter a date like 2027-01-31.".to_string()),
            Some(day) if day < today => Some(LicenseError::StartInPast.message()),
            Some(day) if day > add_days(today, MAX_START_DAYS_AHEAD) => Some(LicenseError::StartTooLate.message()),
            Some(_) => None,
        },
    };
    match (&form.plan, quantity, Email::parse(&form.email), start) {
        (Some(plan), Some(quantity), Ok(email), Some(start)) if problems == CreateProblems::default() => {
            Ok(CreateLicenseRequest {
                product: form.product.clone(),
                tier: plan.tier.clone(),
                term_months: plan.term_months,
                quantity,
                installer_email: email.into_string(),
                start_date: (start != today).then_some(start),
                preview: false,
            })
        }
        _ => Err(problems),
    }
}

/// The most assets the locker's credits of the plan cover, read from a preview that found
/// them short: what it would consume less what is missing, in whole terms. `None` when
/// they cover none, or nothing is missing.
pub fn covered_quantity(preview: &LicensePreview, term_months: u32) -> Option<u32> {
    let sku = &preview.license.sku;
    let needed = preview.consumes.iter().find(|c| &c.sku == sku)?.device_months;
    let short = preview.missing.iter().find(|m| &m.sku == sku)?.device_months;
    let covered = needed.saturating_sub(short) / u64::from(term_months.max(1));
    u32::try_from(covered).ok().filter(|q| *q > 0)
}

/// A preview to confirm, and the key its confirmation goes with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Review {
    request: CreateLicenseRequest,
    preview: LicensePreview,
    key: String,
}

/// Server refusals shown under a field, by the field they are about.
fn about_field(e: &ApiError, field: &str) -> bool {
    match field {
        "installer_email" => e.is_about("installer_email") || e.is_about("email"),
        "plan" => e.is_about("tier") || e.is_about("term_months"),
        other => e.is_about(other),
    }
}

const FIELDS: [&str; 5] = ["product", "plan", "quantity", "installer_email", "start_date"];

fn credit_list(items: Vec<String>, details: Vec<Option<String>>) -> AnyView {
    let items = items
        .into_iter()
        .zip(details)
        .map(|(text, exact)| view! { <li title=exact>{text}</li> }.into_any())
        .collect::<Vec<_>>();
    view! { <ul class="credit-list">{items}</ul> }.into_any()
}

/// The credits of a preview list, with the exact device-months on hover.
fn credits_view(items: &[tessera_domain::license::Consumption], catalog: Option<&CatalogNames>) -> AnyView {
    let texts = items.iter().map(|c| consumption_text(c, catalog)).collect();
    let exact = items
        .iter()
        .map(|c| credits_detail(c.device_months, catalog.and_then(|k| k.sku(&c.sku)).and_then(|s| s.term_months)))
        .collect();
    credit_list(texts, exact)
}

#[component]
pub fn CreateLicense() -> impl IntoView {
    set_page_title("Create license");
    let session = use_session();
    let navigate = use_navigate();
    // The server's today, as of the last check of the session.
    let today = session.with_me_untracked(|me| me.today).unwrap_or_default();
    let catalog: CatalogLoad = loaded();
    let locker: Loaded<LockerView> = loaded();
    fetch_into(catalog, api::catalog(session));
    fetch_into(locker, api::locker(session));

    let product = RwSignal::new(String::new());
    let plan = RwSignal::new(None::<Plan>);
    let quantity = RwSignal::new("1".to_string());
    let email = RwSignal::new(String::new());
    let start = RwSignal::new(iso_day(today));
    let submitted = RwSignal::new(false);
    let review = RwSignal::new(None::<Review>);

    let form = move || CreateForm {
        product: product.get(),
        plan: plan.get(),
        quantity: quantity.get(),
        email: email.get(),
        start: start.get(),
    };
    let problems = Memo::new(move |_| create_request(&form(), today).err().unwrap_or_default());

    // Plain tasks rather than `Action`s: each action type brings a few KB of machinery into
    // the wasm, and these need only "busy" and "what went wrong".
    let previewing = RwSignal::new(false);
    let preview_error = RwSignal::new(None::<ApiError>);
    let run_preview = move |request: CreateLicenseRequest| {
        if previewing.get_untracked() {
            return;
        }
        previewing.set(true);
        spawn_local(async move {
            let answer = api::preview_license_change(session, &LicenseChange::Create(request.clone())).await;
            let _ = previewing.try_set(false);
            match answer {
                Ok(preview) => {
                    let _ = preview_error.try_set(None);
                    let _ = review.try_set(Some(Review { request, preview, key: api::new_idempotency_key() }));
                    request_animation_frame(|| focus_element("review-title"));
                }
                Err(e) => {
                    let _ = preview_error.try_set(Some(e));
                }
            }
        });
    };

    let creating = RwSignal::new(false);
    let create_error = RwSignal::new(None::<ApiError>);
    // Kept where a task can reach it after an await (the navigate function is not `Copy`).
    let navigate = StoredValue::new_local(navigate);
    let run_create = move |(request, key): (CreateLicenseRequest, String)| {
        if creating.get_untracked() {
            return;
        }
        creating.set(true);
        create_error.set(None);
        spawn_local(async move {
            match api::apply_license_change(session, &LicenseChange::Create(request), &key).await {
                Ok(license) => {
                    announce(format!(
                        "License created. Its Activation ID {} was emailed to {}.",
                        license.activation_id, license.installer_email
                    ));
                    // The page stays busy until it is replaced, so nothing can be pressed twice.
                    let _ = navigate.try_with_value(|go| go(&license_path(license.id), NavigateOptions::default()));
                }
                Err(e) => {
                    let _ = creating.try_set(false);
                    let _ = create_error.try_set(Some(e));
                }
            }
        });
    };

    // A field shows the browser's finding after the first press of Review, else the
    // server's refusal of the value it was sent (until the form is sent again).
    let shown = move |local: fn(&CreateProblems) -> Option<String>, field: &'static str| {
        Signal::derive(move || {
            submitted
                .get()
                .then(|| problems.with(local))
                .flatten()
                .or_else(|| preview_error.get().filter(|e| about_field(e, field)).map(|e| e.message))
        })
    };
    let product_error = shown(|p| p.product.clone(), "product");
    let plan_error = shown(|p| p.plan.clone(), "plan");
    let quantity_error = shown(|p| p.quantity.clone(), "quantity");
    let email_error = shown(|p| p.email.clone(), "installer_email");
    let start_error = shown(|p| p.start.clone(), "start_date");
    let other_error = Memo::new(move |_| preview_error.get().filter(|e| !FIELDS.iter().any(|f| about_field(e, f))));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if previewing.get_untracked() {
            return;
        }
        submitted.set(true);
        match create_request(&form(), today) {
            Ok(request) => run_preview(request),
            Err(problems) => focus_element(problems.first_field()),
        }
    };

    let held = Signal::derive(move || locker.with(|l| ok(l).map(|v| v.balances.clone())));
    // "Your locker holds 3 units of MON-STD-36: enough for 3 assets."
    let quantity_hint = move || {
        let sku = plan.with(|p| {
            p.as_ref().and_then(|p| {
                catalog.with(|c| ok(c).and_then(|c| c.plan_sku(&product.get(), &p.tier, p.term_months)).cloned())
            })
        });
        let held = sku.as_ref().and_then(|s| {
            locker.with(|l| ok(l).map(|v| v.balances.iter().find(|b| b.sku == s.code).map_or(0, |b| b.device_months)))
        });
        match (sku, held) {
            (Some(s), Some(dm)) => {
                let term = u64::from(s.term_months.unwrap_or(1).max(1));
                let units = crate::format::credits_text(dm, s.term_months);
                format!("Your locker holds {units} of {}: enough for {}.", s.code, assets_text((dm / term) as u32))
            }
            _ => "How many assets the license covers.".to_string(),
        }
    };

    let product_field = move |catalog: &CatalogNames| {
        let options = catalog
            .license_products()
            .map(|p| {
                let key = p.key.clone();
                let selected = product.with_untracked(|c| c == &key);
                view! { <option value=key selected=selected>{p.name.clone()}</option> }.into_any()
            })
            .collect::<Vec<_>>();
        let invalid = move || product_error.with(Option::is_some);
        view! {
            <div class="field" class:field-invalid=invalid>
                <label class="field-label" for="license-product">"Product"</label>
                <select
                    id="license-product"
                    name="license-product"
                    class="select"
                    required=true
                    aria-required="true"
                    aria-invalid=move || invalid().then_some("true")
                    aria-describedby=move || described_by("license-product", false, invalid())
                    on:change=move |ev| {
                        product.set(event_target_value(&ev));
                        plan.set(None);
                    }
                >
                    <option value="" selected=product.with_untracked(String::is_empty)>"Choose a product…"</option>
                    {options}
                </select>
                {move || {
                    product_error
                        .get()
                        .map(|message| {
                            view! {
                                <p class="field-error" id="license-product-error" role="alert">
                                    <Icon kind=IconKind::Alert class="icon field-error-icon" />
                                    <span>{message}</span>
                                </p>
                            }
                            .into_any()
                        })
                }}
            </div>
        }
        .into_any()
    };

    let form_view = move |catalog: Arc<CatalogNames>| {
        let picker_catalog = Arc::clone(&catalog);
        let picker = move || {
            let key = product.get();
            if key.is_empty() {
                return view! { <p class="step-empty">"Choose a product to see its plans."</p> }.into_any();
            }
            view! {
                <PlanPicker
                    catalog=Arc::clone(&picker_catalog)
                    product=key
                    today=today
                    held=held
                    selected=plan
                    error=plan_error
                />
            }
            .into_any()
        };
        view! {
            <form class="form create-form" novalidate=true on:submit=on_submit>
                {move || {
                    other_error
                        .get()
                        .map(|e| {
                            let resend = (e.code == EMAIL_UNVERIFIED).then(|| view! { <ResendVerification /> });
                            view! { <ErrorBanner message=e.message>{resend}</ErrorBanner> }.into_any()
                        })
                }}
                <section class="card step" aria-labelledby="step-product">
                    <h2 class="step-title" id="step-product"><span class="step-number" aria-hidden="true">"1"</span>"Choose the product"</h2>
                    {product_field(&catalog)}
                </section>
                <section class="card step" aria-labelledby="step-plan">
                    <h2 class="step-title" id="step-plan"><span class="step-number" aria-hidden="true">"2"</span>"Choose a plan"</h2>
                    {move || picker()}
                </section>
                <section class="card step" aria-labelledby="step-details">
                    <h2 class="step-title" id="step-details"><span class="step-number" aria-hidden="true">"3"</span>"Assets and installer"</h2>
                    <div class="step-grid">
                        <FormField
                            id="license-quantity"
                            label="Number of assets"
                            input_type="number"
                            min="1"
                            max=MAX_QUANTITY.to_string()
                            alert_error=true
                            value=quantity
                            error=quantity_error
                        >
                            {move || quantity_hint()}
                        </FormField>
                        <FormField
                            id="license-email"
                            label="Installer email"
                            input_type="email"
                            alert_error=true
                            value=email
                            error=email_error
                            hint="We email the Activation ID there.".to_string()
                        />
                    </div>
                </section>
                <section class="card step" aria-labelledby="step-start">
                    <h2 class="step-title" id="step-start"><span class="step-number" aria-hidden="true">"4"</span>"When it starts"</h2>
                    <div class="step-grid">
                        <FormField
                            id="license-start"
                            label="Start date"
                            input_type="date"
                            min=iso_day(today)
                            max=iso_day(add_days(today, MAX_START_DAYS_AHEAD))
                            alert_error=true
                            value=start
                            error=start_error
                            hint=format!("Today ({}) or later.", short_day(today))
                        />
                    </div>
                    <div class="banner banner-warning">
                        <Icon kind=IconKind::Alert class="icon banner-icon" />
                        <div class="banner-body">
                            <p class="banner-title">"The start date can never be changed"</p>
                            <p>"The license covers its term from this day on. Pick the day the assets go live."</p>
                        </div>
                    </div>
                </section>
                <div class="form-actions">
                    <a class="btn btn-secondary" href=LICENSES.path>"Cancel"</a>
                    <BusyButton submit=true class="btn btn-primary" busy=previewing>
                        "Review"
                    </BusyButton>
                </div>
            </form>
        }
        .into_any()
    };

    let review_view = move |r: Review| {
        let catalog = catalog.get_untracked().and_then(Result::ok);
        let catalog = catalog.as_deref();
        let l = &r.preview.license;
        let (product_name, tier_name) = super::names(l, catalog);
        let starts = l.starts_on;
        let expires = l.expires_on;
        let term = r.request.term_months;
        let short = !r.preview.missing.is_empty();
        let missing = missing_text(&r.preview.missing, catalog);
        let covered = covered_quantity(&r.preview, term);
        let request = r.request.clone();
        let adjust = covered.map(|n| {
            let request = CreateLicenseRequest { quantity: n, ..request.clone() };
            view! {
                <BusyButton
                    class="btn btn-secondary btn-sm"
                    busy=previewing
                    on_click=Callback::new(move |()| {
                        quantity.set(n.to_string());
                        run_preview(request.clone());
                    })
                >
                    {format!("Create it for {} instead", assets_text(n))}
                </BusyButton>
            }
            .into_any()
        });
        let confirm = (r.request.clone(), r.key.clone());
        let consumes = credits_view(&r.preview.consumes, catalog);
        let keeps = credits_view(&r.preview.keeps, catalog);
        view! {
            <section class="card review" aria-labelledby="review-title">
                <h2 class="review-title" id="review-title" tabindex="-1">"Review your license"</h2>
                <p class="review-text">"Nothing has been taken from your Digital Locker yet."</p>
                <dl class="facts review-facts">
                    <div class="fact"><dt>"Product"</dt><dd>{product_name}</dd></div>
                    <div class="fact">
                        <dt>"Plan"</dt>
                        <dd>{format!("{tier_name}, {}", term_words(term))} <span class="cell-sub cell-code">{l.sku.clone()}</span></dd>
                    </div>
                    <div class="fact"><dt>"Assets"</dt><dd>{l.quantity}</dd></div>
                    <div class="fact"><dt>"Installer email"</dt><dd class="cell-email">{r.request.installer_email.clone()}</dd></div>
                    <div class="fact">
                        <dt>"Starts on"</dt>
                        <dd><time datetime=iso_day(starts)>{short_day(starts)}</time></dd>
                    </div>
                    <div class="fact">
                        <dt>"Expires on"</dt>
                        <dd><time datetime=iso_day(expires)>{short_day(expires)}</time></dd>
                    </div>
                </dl>
                <div class="review-credits">
                    <div>
                        <h3 class="review-subtitle">"Takes from your Digital Locker"</h3>
                        {consumes}
                    </div>
                    <div>
                        <h3 class="review-subtitle">"Your locker keeps"</h3>
                        {keeps}
                    </div>
                </div>
                {short.then(|| view! {
                    <div class="banner banner-error" role="alert">
                        <Icon kind=IconKind::Alert class="icon banner-icon" />
                        <div class="banner-body">
                            <p class="banner-title">"Not enough credits"</p>
                            <p>{format!("Your Digital Locker needs {missing} for this license. Nothing was taken.")}</p>
                            <div class="banner-actions">
                                {adjust}
                                <a class="btn btn-secondary btn-sm" href=LOCKER.path>"Redeem a voucher in the Digital Locker"</a>
                            </div>
                        </div>
                    </div>
                }.into_any())}
                {(!short).then(|| view! {
                    <p class="review-note">
                        <Icon kind=IconKind::Info class="icon review-note-icon" />
                        <span>"The start date can never be changed after the license is created."</span>
                    </p>
                }.into_any())}
                {move || create_error.get().map(|e| {
                    let missing = (!e.missing.is_empty()).then(|| view! {
                        <a class="btn btn-secondary btn-sm banner-action" href=LOCKER.path>"Go to Digital Locker"</a>
                    });
                    view! { <ErrorBanner title="The license was not created" message=e.message>{missing}</ErrorBanner> }.into_any()
                })}
                <div class="form-actions">
                    <button
                        type="button"
                        class="btn btn-secondary"
                        on:click=move |_| {
                            create_error.set(None);
                            review.set(None);
                            request_animation_frame(|| focus_element("license-product"));
                        }
                    >
                        "Change details"
                    </button>
                    {(!short).then(|| view! {
                        <BusyButton
                            class="btn btn-primary"
                            busy=creating
                            on_click=Callback::new(move |()| {
                                run_create(confirm.clone());
                            })
                        >
                            "Create license"
                        </BusyButton>
                    }.into_any())}
                </div>
            </section>
        }
        .into_any()
    };

    view! {
        <p class="back-link"><a href=LICENSES.path>"← Licenses"</a></p>
        <PageHeader
            title="Create license"
            description="Turn credits from your Digital Locker into a license. Its Activation ID is emailed to your installer."
        />
        {move || {
            if let Some(r) = review.get() {
                return review_view(r);
            }
            catalog.with(|c| match c {
                None => view! { <Loading label="Loading the catalog…" /> }.into_any(),
                Some(Ok(catalog)) => form_view(Arc::clone(catalog)),
                Some(Err(e)) => view! {
                    <ErrorBanner title="Could not load the catalog" message=e.message.clone()>
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm banner-action"
                            on:click=move |_| {
                                catalog.set(None);
                                fetch_into(catalog, api::catalog(session));
                            }
                        >
                            "Try again"
                        </button>
                    </ErrorBanner>
                }
                .into_any(),
            })
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::email::EmailError;
    use tessera_domain::license::Consumption;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn form(quantity: &str, email: &str, start: &str) -> CreateForm {
        CreateForm {
            product: "MON".into(),
            plan: Some(Plan { tier: "STD".into(), term_months: 36 }),
            quantity: quantity.into(),
            email: email.into(),
            start: start.into(),
        }
    }

    #[test]
    fn a_complete_form_makes_the_request() {
        let today = day(2026, 12, 2);
        let request = create_request(&form(" 12 ", " Ian@Example.com ", "2026-12-02"), today);
        assert_eq!(
            request,
            Ok(CreateLicenseRequest {
                product: "MON".into(),
                tier: "STD".into(),
                term_months: 36,
                quantity: 12,
                installer_email: "ian@example.com".into(),
                start_date: None,
                preview: false,
            }),
            "today is the server's today: sent as no date"
        );
        let later = create_request(&form("1", "ian@example.com", "2027-01-31"), today);
        assert_eq!(later.map(|r| r.start_date), Ok(Some(day(2027, 1, 31))));
    }

    #[test]
    fn every_problem_in_the_domain_words() {
        let today = day(2026, 12, 2);
        let p = create_request(&form("0", "", "2026-12-01"), today).err().unwrap_or_default();
        assert_eq!(p.quantity, Some(LicenseError::QuantityInvalid.message()));
        assert_eq!(p.email.as_deref(), Some(EmailError::Empty.message()));
        assert_eq!(p.start, Some(LicenseError::StartInPast.message()));
        assert_eq!(p.first_field(), "license-quantity");
        let p = create_request(&form("abc", "nope", "2027-12-03"), today).err().unwrap_or_default();
        assert!(p.quantity.is_some());
        assert_eq!(p.email.as_deref(), Some(EmailError::Invalid.message()));
        assert_eq!(p.start, Some(LicenseError::StartTooLate.message()));
        assert!(create_request(&form(&(MAX_QUANTITY + 1).to_string(), "a@b.co", "2026-12-02"), today).is_err());
        let p = create_request(&form("1", "a@b.co", "02/12/2026"), today).err().unwrap_or_default();
        assert!(p.start.is_some_and(|m| m.contains("2027-01-31")));
        let nothing = CreateForm {
            quantity: "1".into(),
            email: "a@b.co".into(),
            start: "2026-12-02".into(),
            ..Default::default()
        };
        let p = create_request(&nothing, today).err().unwrap_or_default();
        assert_eq!(p.product.as_deref(), Some("Please choose a product."));
        assert_eq!(p.plan, None, "no plan to choose before a product");
        assert_eq!(p.first_field(), "license-product");
        let no_plan = CreateForm { product: "MON".into(), ..nothing };
        assert_eq!(
            create_request(&no_plan, today).err().and_then(|p| p.plan).as_deref(),
            Some("Please choose a plan.")
        );
    }

    #[test]
    fn the_quantity_the_credits_cover() {
        let mut license = super::super::tests::license(0, "", "MON", "STD", 12, (2029, 12, 2));
        license.sku = "MON-STD-36".into();
        let c = |dm| Consumption { sku: "MON-STD-36".into(), device_months: dm };
        let preview = |missing: Vec<Consumption>| LicensePreview {
            consumes: vec![c(432)],
            missing,
            keeps: vec![c(0)],
            license: license.clone(),
        };
        // 12 assets need 432 device-months; the locker holds 5 units and a half (198).
        assert_eq!(covered_quantity(&preview(vec![c(234)]), 36), Some(5));
        assert_eq!(covered_quantity(&preview(vec![c(432)]), 36), None, "nothing held");
        assert_eq!(covered_quantity(&preview(vec![c(420)]), 36), None, "less than one asset");
        assert_eq!(covered_quantity(&preview(Vec::new()), 36), None, "nothing missing");
    }
}
