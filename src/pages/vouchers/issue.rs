//! "Issue vouchers": a SKU from the catalog, the quantity each voucher
//! carries, how many vouchers, and optionally the installer's email and a
//! last day to redeem. The new codes are shown once, in a box to copy from.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tessera_domain::api::IssueVouchersRequest;
use tessera_domain::catalog::{self, SkuUnit};
use tessera_domain::email::Email;
use tessera_domain::voucher::check_issue;
use wasm_bindgen::{JsCast, JsValue};

use super::{quantity_text, CatalogLoad};
use crate::api::{self, ApiError};
use crate::catalog::CatalogNames;
use crate::components::clipboard::copy_to_clipboard;
use crate::components::form_field::described_by;
use crate::components::shell::focus_element;
use crate::components::{
    server_error_until_edited, BusyButton, ErrorBanner, FormField, Icon, IconKind, Loading, ResendVerification,
    EMAIL_UNVERIFIED,
};
use crate::load::{fetch_into, ok};
use crate::session::use_session;

/// The form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueForm {
    pub sku: String,
    pub quantity: String,
    pub count: String,
    pub email: String,
    pub expires_on: String,
}

/// What is wrong with each field before asking the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueProblems {
    pub sku: Option<String>,
    pub quantity: Option<String>,
    pub count: Option<String>,
    pub email: Option<String>,
    pub expires_on: Option<String>,
}

impl IssueProblems {
    /// The id of the first field with a problem, to put the keyboard there.
    fn first_field(&self) -> &'static str {
        [
            (self.sku.is_some(), "voucher-sku"),
            (self.quantity.is_some(), "voucher-quantity"),
            (self.count.is_some(), "voucher-count"),
            (self.email.is_some(), "voucher-email"),
        ]
        .into_iter()
        .find_map(|(bad, id)| bad.then_some(id))
        .unwrap_or("voucher-expires")
    }
}

/// A whole number of the form, or 0 (which every rule refuses).
fn number(text: &str) -> u32 {
    text.trim().parse().unwrap_or(0)
}

/// The request the form makes, or every problem with it. Quantity and count follow the
/// domain's rule (`check_issue`); whether the last day is past is the server's to say,
/// by its own clock.
pub fn issue_request(form: &IssueForm) -> Result<IssueVouchersRequest, IssueProblems> {
    let quantity = number(&form.quantity);
    // A blank count is one voucher.
    let count = if form.count.trim().is_empty() { 1 } else { number(&form.count) };
    let some_day = chrono::NaiveDate::MIN;
    let email = form.email.trim();
    let expires_on = form.expires_on.trim();
    let expiry = catalog::date::parse(expires_on);
    let problems = IssueProblems {
        sku: form.sku.is_empty().then(|| "Please choose a SKU.".to_string()),
        quantity: check_issue(quantity, 1, None, some_day).err().map(|e| e.message()),
        count: check_issue(1, count, None, some_day).err().map(|e| e.message()),
        email: (!email.is_empty()).then(|| Email::parse(email).err()).flatten().map(|e| e.message().to_string()),
        expires_on: (!expires_on.is_empty() && expiry.is_none())
            .then(|| "Please enter a date like 2027-12-31.".to_string()),
    };
    if problems != IssueProblems::default() {
        return Err(problems);
    }
    Ok(IssueVouchersRequest {
        sku: form.sku.clone(),
        quantity,
        count: Some(count),
        email: Email::parse(email).ok().map(Email::into_string),
        expires_on: expiry,
    })
}

/// "5 units of MON-STD-36 (Asset Monitoring Platform Standard, 3 years, per asset)".
pub fn issued_what(catalog: Option<&CatalogNames>, sku: &str, quantity: u32) -> String {
    match catalog.and_then(|c| c.sku(sku)) {
        Some(s) => format!("{} of {} ({})", quantity_text(quantity, Some(s.unit)), s.code, s.name),
        None => format!("{} of {sku}", quantity_text(quantity, None)),
    }
}

/// "1 voucher code issued", "12 voucher codes issued".
pub fn issued_title(count: usize) -> String {
    if count == 1 {
        "1 voucher code issued".to_string()
    } else {
        format!("{count} voucher codes issued")
    }
}

/// What was just issued, shown until the person moves on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Issued {
    codes: Vec<String>,
    what: String,
    email: Option<String>,
}

const CODES_ID: &str = "issued-codes";

/// Selects the codes in their box, ready for Ctrl+C.
fn select_codes() {
    if let Some(el) = document().get_element_by_id(CODES_ID) {
        let el: JsValue = el.into();
        if let Some(select) = js_sys::Reflect::get(&el, &JsValue::from_str("select"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        {
            let _ = select.call0(&el);
        }
    }
}

fn issued_view(issued: Issued, on_more: Callback<()>) -> AnyView {
    let copied = RwSignal::new(None::<bool>);
    let text = issued.codes.join("\n");
    let rows = issued.codes.len().clamp(2, 10);
    let title = issued_title(issued.codes.len());
    let each = if issued.codes.len() == 1 { "For " } else { "Each for " };
    let mailed = issued.email.map(|to| {
        view! {
            " We also emailed the codes to " <strong class="cell-email">{to}</strong> "."
        }
        .into_any()
    });
    let copy_text = text.clone();
    view! {
        <div class="issued">
            <div class="issued-head">
                <span class="issued-icon">
                    <Icon kind=IconKind::Check />
                </span>
                <div class="issued-head-text">
                    <h3 id="codes-title" class="issued-title" tabindex="-1">{title}</h3>
                    <p class="issued-text">{each} {issued.what} "." {mailed}</p>
                </div>
            </div>
            <div class="banner banner-warning">
                <Icon kind=IconKind::Alert class="icon banner-icon" />
                <div class="banner-body">
                    <p class="banner-title">"Copy the codes now"</p>
                    <p>"They will not be shown again: Tessera keeps only a fingerprint of each code."</p>
                </div>
            </div>
            <div class="field">
                <label class="field-label" for=CODES_ID>"Codes, one per line"</label>
                <textarea id=CODES_ID class="input codes" readonly=true rows=rows spellcheck="false" prop:value=text></textarea>
            </div>
            <div class="issued-actions">
                <button
                    type="button"
                    class="btn btn-primary"
                    on:click=move |_| copy_to_clipboard(&copy_text, copied, select_codes)
                >
                    <Icon kind=IconKind::Copy />
                    <span>"Copy all"</span>
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_more.run(())>
                    "Issue more vouchers"
                </button>
                <p class="issued-copied" role="status">
                    {move || match copied.get() {
                        Some(true) => "Copied to the clipboard.",
                        Some(false) => "This browser did not let us copy: the codes are selected, press Ctrl+C (⌘C on a Mac).",
                        None => "",
                    }}
                </p>
            </div>
        </div>
    }
    .into_any()
}

/// One input of the form; they differ only in these.
fn input_field(
    id: &'static str,
    label: Signal<String>,
    input_type: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
    hint: &'static str,
) -> AnyView {
    view! {
        <FormField
            id=id
            label=label
            input_type=input_type
            alert_error=true
            value=value
            error=error
            hint=hint.to_string()
        />
    }
    .into_any()
}

/// The SKU picker: the catalog's SKUs grouped by product.
fn sku_options(catalog: &CatalogNames, chosen: &str) -> Vec<AnyView> {
    catalog
        .products
        .iter()
        .map(|product| {
            let options = catalog
                .skus
                .iter()
                .filter(|s| s.product == product.key)
                .map(|s| {
                    let label = format!("{} — {}", s.code, s.name);
                    view! { <option value=s.code.clone() selected=s.code == chosen>{label}</option> }.into_any()
                })
                .collect::<Vec<_>>();
            view! { <optgroup label=product.name.clone()>{options}</optgroup> }.into_any()
        })
        .collect()
}

#[component]
pub(super) fn IssueCard(
    catalog: CatalogLoad,
    /// Called after vouchers were issued, to show them in the list.
    on_issued: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let sku = RwSignal::new(String::new());
    let quantity = RwSignal::new("1".to_string());
    let count = RwSignal::new("1".to_string());
    let email = RwSignal::new(String::new());
    let expires_on = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let issued = RwSignal::new(None::<Issued>);

    let form = move || IssueForm {
        sku: sku.get(),
        quantity: quantity.get(),
        count: count.get(),
        email: email.get(),
        expires_on: expires_on.get(),
    };
    let problems = Memo::new(move |_| issue_request(&form()).err().unwrap_or_default());

    let issue = Action::new_local(move |request: &IssueVouchersRequest| {
        let request = request.clone();
        async move {
            let answer = api::issue_vouchers(session, &request).await?;
            let what =
                catalog.with_untracked(|c| issued_what(ok(c).map(|c| c.as_ref()), &request.sku, request.quantity));
            issued.set(Some(Issued { codes: answer.codes, what, email: request.email }));
            // The next order is for someone else.
            submitted.set(false);
            email.set(String::new());
            count.set("1".to_string());
            on_issued.run(());
            request_animation_frame(|| focus_element("codes-title"));
            Ok::<(), ApiError>(())
        }
    });
    let pending = issue.pending();
    let last_error = Memo::new(move |_| issue.value().with(|v| v.as_ref().and_then(|r| r.as_ref().err()).cloned()));
    let other_error = Memo::new(move |_| {
        last_error.get().filter(|e| !["sku", "quantity", "count", "email", "expires_on"].iter().any(|f| e.is_about(f)))
    });
    // A field shows the browser's own finding after the first press of the button, else
    // the server's refusal of the value it was sent.
    let shown = move |local: fn(&IssueProblems) -> Option<String>,
                      about: fn(&ApiError) -> bool,
                      value: RwSignal<String>|
          -> Signal<Option<String>> {
        let server = server_error_until_edited(last_error, about, value);
        Signal::derive(move || submitted.get().then(|| problems.with(local)).flatten().or_else(|| server.get()))
    };
    let sku_error = shown(|p| p.sku.clone(), |e| e.is_about("sku"), sku);
    let quantity_error = shown(|p| p.quantity.clone(), |e| e.is_about("quantity"), quantity);
    let count_error = shown(|p| p.count.clone(), |e| e.is_about("count"), count);
    let email_error = shown(|p| p.email.clone(), |e| e.is_about("email"), email);
    let expiry_error = shown(|p| p.expires_on.clone(), |e| e.is_about("expires_on"), expires_on);

    let unit = Memo::new(move |_| sku.with(|code| catalog.with(|c| ok(c).and_then(|c| c.sku(code)).map(|s| s.unit))));
    let quantity_label = Signal::derive(move || {
        match unit.get() {
            Some(SkuUnit::Month) => "Quantity per voucher, in device-months",
            Some(SkuUnit::Term) => "Quantity per voucher, in units",
            None => "Quantity per voucher",
        }
        .to_string()
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submitted.set(true);
        match issue_request(&form()) {
            Ok(request) => {
                issue.dispatch_local(request);
            }
            Err(problems) => focus_element(problems.first_field()),
        }
    };
    let more = Callback::new(move |()| {
        issue.clear();
        issued.set(None);
        request_animation_frame(|| focus_element("voucher-sku"));
    });

    let sku_field = move |catalog: &CatalogNames| {
        let options = sku_options(catalog, &sku.get_untracked());
        let invalid = move || sku_error.with(Option::is_some);
        view! {
            <div class="field field-wide" class:field-invalid=invalid>
                <label class="field-label" for="voucher-sku">"SKU"</label>
                <select
                    id="voucher-sku"
                    name="voucher-sku"
                    class="select"
                    required=true
                    aria-required="true"
                    aria-invalid=move || invalid().then_some("true")
                    aria-describedby=move || described_by("voucher-sku", true, invalid())
                    on:change=move |ev| sku.set(event_target_value(&ev))
                >
                    <option value="" selected=sku.get_untracked().is_empty()>"Choose a SKU…"</option>
                    {options}
                </select>
                {move || {
                    sku_error
                        .get()
                        .map(|message| {
                            view! {
                                <p class="field-error" id="voucher-sku-error" role="alert">
                                    <Icon kind=IconKind::Alert class="icon field-error-icon" />
                                    <span>{message}</span>
                                </p>
                            }
                            .into_any()
                        })
                }}
                <p class="field-hint" id="voucher-sku-hint">
                    "A plan's unit is one asset or device for the whole term; upgrades and add-ons are sold by the device-month."
                </p>
            </div>
        }
    };

    let form_view = move |catalog: &CatalogNames| {
        view! {
            <form class="form" novalidate=true on:submit=on_submit>
                {move || {
                    other_error
                        .get()
                        .map(|e| {
                            let resend = (e.code == EMAIL_UNVERIFIED).then(|| view! { <ResendVerification /> });
                            view! { <ErrorBanner message=e.message>{resend}</ErrorBanner> }.into_any()
                        })
                }}
                <div class="issue-grid">
                    {sku_field(catalog)}
                    {input_field(
                        "voucher-quantity",
                        quantity_label,
                        "number",
                        quantity,
                        quantity_error,
                        "Units for a plan, device-months for an upgrade or add-on.",
                    )}
                    {input_field(
                        "voucher-count",
                        Signal::from("Number of vouchers".to_string()),
                        "number",
                        count,
                        count_error,
                        "Each voucher gets its own code.",
                    )}
                    {input_field(
                        "voucher-email",
                        Signal::from("Installer email (optional)".to_string()),
                        "email",
                        email,
                        email_error,
                        "We email the codes there too.",
                    )}
                    {input_field(
                        "voucher-expires",
                        Signal::from("Last day to redeem (optional)".to_string()),
                        "date",
                        expires_on,
                        expiry_error,
                        "Leave it empty for vouchers that do not expire.",
                    )}
                </div>
                <div class="form-actions">
                    <BusyButton submit=true class="btn btn-primary" busy=pending>
                        "Issue vouchers"
                    </BusyButton>
                </div>
            </form>
        }
    };

    view! {
        <section class="card issue-card" aria-labelledby="issue-title">
            <h2 id="issue-title" class="issue-title">"Issue vouchers"</h2>
            <p class="issue-text">
                "Each voucher carries a quantity of one SKU into the Digital Locker of whoever redeems its code."
            </p>
            {move || {
                if let Some(done) = issued.get() {
                    return issued_view(done, more);
                }
                catalog.with(|c| match c {
                    None => view! { <Loading label="Loading the catalog…" /> }.into_any(),
                    Some(Ok(catalog)) => form_view(catalog).into_any(),
                    Some(Err(e)) => {
                        view! {
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
                        .into_any()
                    }
                })
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::voucher::{IssueError, MAX_COUNT};

    fn form(sku: &str, quantity: &str, count: &str, email: &str, expires_on: &str) -> IssueForm {
        IssueForm {
            sku: sku.into(),
            quantity: quantity.into(),
            count: count.into(),
            email: email.into(),
            expires_on: expires_on.into(),
        }
    }

    #[test]
    fn a_complete_form_makes_the_request() {
        let request = issue_request(&form("MON-STD-36", " 5 ", "", " Ian@Example.com ", "2027-12-31"));
        assert_eq!(
            request,
            Ok(IssueVouchersRequest {
                sku: "MON-STD-36".into(),
                quantity: 5,
                count: Some(1),
                email: Some("ian@example.com".into()),
                expires_on: chrono::NaiveDate::from_ymd_opt(2027, 12, 31),
            })
        );
        let plain = issue_request(&form("POP-ESS-ADV-MO", "24", "3", "", ""));
        assert_eq!(plain.map(|r| (r.count, r.email, r.expires_on)), Ok((Some(3), None, None)));
    }

    #[test]
    fn every_problem_is_found_at_once_in_the_domain_words() {
        let problems = issue_request(&form("", "0", &(MAX_COUNT + 1).to_string(), "nope", "31/12/2027"));
        let problems = problems.err().unwrap_or_default();
        assert_eq!(problems.sku.as_deref(), Some("Please choose a SKU."));
        assert_eq!(problems.quantity, Some(IssueError::Quantity.message()));
        assert_eq!(problems.count, Some(IssueError::Count.message()));
        assert!(problems.email.is_some());
        assert!(problems.expires_on.is_some());
        assert_eq!(problems.first_field(), "voucher-sku");
        let only_expiry = IssueProblems { expires_on: Some("x".into()), ..Default::default() };
        assert_eq!(only_expiry.first_field(), "voucher-expires");
        assert!(issue_request(&form("MON-STD-36", "abc", "1", "", "")).is_err());
    }

    #[test]
    fn what_was_issued_is_said_plainly() {
        assert_eq!(issued_title(1), "1 voucher code issued");
        assert_eq!(issued_title(12), "12 voucher codes issued");
        assert_eq!(issued_what(None, "MON-STD-36", 5), "5 of MON-STD-36");
    }
}
