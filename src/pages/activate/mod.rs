//! `/devices/activate`: the Subscription overview's flow (SPEC §5, issue 13): activate a
//! code → the activated plans → pick devices → confirm the server's preview → done.
//!
//! One page with a step signal rather than five routes: the steps share what was chosen
//! (plan, devices, the preview and its `Idempotency-Key`), and a reload starting over at
//! step 1 loses nothing, since an activated code's units are already in the locker. The
//! dates shown are the server's (its preview computes each device's chain); the page only
//! orders, filters and words them. Plain tasks and signals rather than `Action`s and
//! resources, as on the other pages: each of those types brings its own machinery.

mod calls;
mod logic;

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tessera_domain::api::{AssignResult, Device, DeviceList, SubscriptionPlan};
use tessera_domain::code::Code;
use tessera_domain::license::term_words;
use tessera_domain::search::Query;

use super::set_page_title;
use crate::api::{self, ApiError};
use crate::catalog::CatalogNames;
use crate::components::shell::focus_element;
use crate::components::{
    server_error_until_edited, BusyButton, EmptyState, ErrorBanner, FormField, Icon, IconKind, Loading, Notice,
    PageHeader,
};
use crate::format::{credits_text, iso_day, short_day};
use crate::load::{fetch_into, loaded, ok, status, Loaded, Status};
use crate::sections::{DEVICES, LICENSES, LOCKER};
use crate::session::{use_session, Session};
use logic::{
    bonus_text, changes, code_problem, devices_text, eligibility_order, matching, plan_names, plan_title,
    selection_text, toggle, units_left, units_text,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Code,
    Plans,
    Devices,
    Confirm,
    Done,
}

const STEPS: [(Step, &str); 5] = [
    (Step::Code, "Activate code"),
    (Step::Plans, "Choose a plan"),
    (Step::Devices, "Select devices"),
    (Step::Confirm, "Confirm"),
    (Step::Done, "Done"),
];

/// The id of each step's heading, where the keyboard goes when the step changes.
const TITLE: &str = "activate-step-title";
const CODE_FIELD: &str = "activation-code";
/// Devices drawn at a time (an organization may have thousands; the most urgent come first).
const PAGE: usize = 50;

/// A preview to confirm, and the key its confirmation goes with.
#[derive(Debug, Clone, PartialEq)]
struct Review {
    plan: SubscriptionPlan,
    ids: Vec<i64>,
    result: AssignResult,
    key: String,
}

/// What was assigned, and what is left of the plan.
#[derive(Debug, Clone, PartialEq)]
struct Assigned {
    title: String,
    product: String,
    devices: Vec<Device>,
    left: u64,
}

/// Everything the steps share; signals only, so it is `Copy` into every closure.
#[derive(Clone, Copy)]
struct Flow {
    session: Session,
    today: NaiveDate,
    step: RwSignal<Step>,
    catalog: Loaded<Arc<CatalogNames>>,
    plans: Loaded<Vec<SubscriptionPlan>>,
    devices: Loaded<DeviceList>,
    /// The chosen plan's SKU.
    sku: RwSignal<Option<String>>,
    /// Device ids, in the order they were picked.
    selected: RwSignal<Vec<i64>>,
    review: RwSignal<Option<Review>>,
    assigned: RwSignal<Option<Assigned>>,
    /// "Code activated: …", shown over the plans.
    notice: RwSignal<Option<String>>,
}

impl Flow {
    fn go(self, step: Step) {
        let _ = self.step.try_set(step);
    }

    /// The chosen plan as the locker now holds it (tracked).
    fn plan(self) -> Option<SubscriptionPlan> {
        self.sku.with(|sku| {
            self.plans.with(|p| ok(p).and_then(|p| p.iter().find(|x| Some(&x.sku) == sku.as_ref())).cloned())
        })
    }

    fn names(self) -> Option<Arc<CatalogNames>> {
        self.catalog.with_untracked(|c| ok(c).cloned())
    }

    fn reload(self) {
        fetch_into(self.plans, calls::plans(self.session));
        fetch_into(self.devices, calls::devices(self.session));
    }
}

/// `/devices/activate`
#[component]
pub fn ActivateCode() -> impl IntoView {
    set_page_title("Activate a code");
    let session = use_session();
    let f = Flow {
        session,
        today: session.with_me_untracked(|me| me.today).unwrap_or_default(),
        step: RwSignal::new(Step::Code),
        catalog: loaded(),
        plans: loaded(),
        devices: loaded(),
        sku: RwSignal::new(None),
        selected: RwSignal::new(Vec::new()),
        review: RwSignal::new(None),
        assigned: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    fetch_into(f.catalog, api::catalog(session));
    f.reload();
    // Each step starts with its heading focused, so a screen reader says where it is.
    Effect::new(move |previous: Option<Step>| {
        let now = f.step.get();
        if previous.is_some_and(|p| p != now) {
            request_animation_frame(|| focus_element(TITLE));
        }
        now
    });

    view! {
        <p class="back-link"><a href=DEVICES.path>"← Devices"</a></p>
        <PageHeader
            title="Activate a code"
            description="Activate the code from your order, then assign its plans to your devices."
        />
        {stepper(f.step)}
        <section class="card activate-step" aria-labelledby=TITLE>
            {move || match f.step.get() {
                Step::Code => code_step(f),
                Step::Plans => plans_step(f),
                Step::Devices => devices_step(f),
                Step::Confirm => confirm_step(f),
                Step::Done => done_step(f),
            }}
        </section>
    }
}

/// The five steps, the current one marked for assistive technology.
fn stepper(step: RwSignal<Step>) -> AnyView {
    let items = STEPS
        .iter()
        .enumerate()
        .map(|(i, &(this, label))| {
            let at = move || STEPS.iter().position(|(s, _)| *s == step.get()).unwrap_or(0);
            view! {
                <li
                    class="stepper-step"
                    class:stepper-done=move || { at() > i }
                    class:stepper-current=move || { at() == i }
                    aria-current=move || (step.get() == this).then_some("step")
                >
                    <span class="stepper-dot" aria-hidden="true">
                        <span class="stepper-number">{i + 1}</span>
                        <Icon kind=IconKind::Check class="icon stepper-check" />
                    </span>
                    <span class="stepper-label">
                        {label}
                        {move || (at() > i).then_some(view! { <span class="visually-hidden">" (done)"</span> })}
                    </span>
                </li>
            }
            .into_any()
        })
        .collect::<Vec<_>>();
    view! { <ol class="stepper" aria-label="Steps">{items}</ol> }.into_any()
}

fn heading(text: String) -> AnyView {
    view! { <h2 class="activate-title" id=TITLE tabindex="-1">{text}</h2> }.into_any()
}

fn retry_banner(title: &'static str, message: String, retry: impl Fn() + Send + 'static) -> AnyView {
    view! {
        <ErrorBanner title=title message=message>
            <button type="button" class="btn btn-secondary btn-sm banner-action" on:click=move |_| retry()>
                "Try again"
            </button>
        </ErrorBanner>
    }
    .into_any()
}

// ---- 1. Activate code ----

fn code_step(f: Flow) -> AnyView {
    let code = RwSignal::new(String::new());
    let left = RwSignal::new(false);
    // The code as it was when Activate was last pressed: its errors show at once until it is edited.
    let submitted = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<ApiError>);
    // A code of a license plan activates too (it is a voucher), but has no place here.
    let elsewhere = RwSignal::new(None::<String>);
    let last_error = Memo::new(move |_| failed.get());
    let server_error = server_error_until_edited(last_error, |e| e.is_about("code"), code);
    let other_error = Memo::new(move |_| failed.get().filter(|e| !e.is_about("code")));
    let shown_error = Signal::derive(move || {
        code.with(|c| code_problem(c, left.get(), submitted.with(|s| s.as_deref() == Some(c.as_str()))))
            .or_else(|| server_error.get())
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        submitted.set(Some(code.get_untracked()));
        elsewhere.set(None);
        let Ok(parsed) = code.with_untracked(|c| Code::parse(c)) else {
            focus_element(CODE_FIELD);
            return;
        };
        busy.set(true);
        failed.set(None);
        spawn_local(async move {
            let redeemed = match calls::activate(f.session, parsed.grouped()).await {
                Ok(r) => r,
                Err(e) => {
                    let _ = busy.try_set(false);
                    let _ = failed.try_set(Some(e));
                    return;
                }
            };
            let plans = calls::plans(f.session).await;
            let _ = busy.try_set(false);
            let device_plan = plans.as_ref().is_ok_and(|p| p.iter().any(|x| x.sku == redeemed.sku));
            let names = f.names();
            let term = names.as_deref().and_then(|c| c.sku(&redeemed.sku)).and_then(|s| s.term_months);
            let added = credits_text(redeemed.added_device_months, term);
            let _ = f.plans.try_set(Some(plans));
            if device_plan {
                let _ = code.try_set(String::new());
                let _ = f.notice.try_set(Some(format!("Code activated: {added} of {} added.", redeemed.sku)));
                let _ = f.sku.try_set(Some(redeemed.sku));
                f.go(Step::Plans);
            } else {
                let _ = elsewhere.try_set(Some(format!(
                    "The code was activated: {added} of {} are in your Digital Locker. It is not a device plan: create a license from it on the Licenses page.",
                    redeemed.sku
                )));
            }
        });
    };
    let on_blur = Callback::new(move |()| {
        if !code.with_untracked(|c| c.trim().is_empty()) {
            left.set(true);
        }
    });
    let held = move || f.plans.with(|p| ok(p).map_or(0, Vec::len));

    view! {
        {heading("Activate your code".into())}
        <p class="activate-text">
            "Enter the activation code from your order email. Its plans are added to your Digital Locker, ready to assign to your devices. Each code works only once."
        </p>
        {move || other_error.get().map(|e| view! { <ErrorBanner message=e.message /> }.into_any())}
        {move || {
            elsewhere
                .get()
                .map(|message| {
                    view! {
                        <div class="banner banner-info" role="status">
                            <Icon kind=IconKind::Info class="icon banner-icon" />
                            <div class="banner-body">
                                <p>{message}</p>
                                <div class="banner-actions">
                                    <a class="btn btn-secondary btn-sm" href=LICENSES.path>"Go to Licenses"</a>
                                </div>
                            </div>
                        </div>
                    }
                    .into_any()
                })
        }}
        <form class="redeem-form" novalidate=true on:submit=on_submit>
            <FormField
                id=CODE_FIELD
                label="Activation code"
                code=true
                alert_error=true
                value=code
                error=shown_error
                on_blur=on_blur
                hint="16 letters and digits, like 7QKX-M2PA-9RTD-WH4Q. Dashes, spaces and lower case are fine."
                    .to_string()
            />
            <BusyButton submit=true class="btn btn-primary redeem-button" busy=busy>
                "Activate"
            </BusyButton>
        </form>
        {move || {
            let n = held();
            (n > 0)
                .then(|| {
                    let text = if n == 1 {
                        "You already have an activated plan with units to assign.".to_string()
                    } else {
                        format!("You already have {n} activated plans with units to assign.")
                    };
                    view! {
                        <div class="activate-skip">
                            <p>{text}</p>
                            <button type="button" class="btn btn-secondary" on:click=move |_| f.go(Step::Plans)>
                                "Use your activated plans"
                            </button>
                        </div>
                    }
                    .into_any()
                })
        }}
    }
    .into_any()
}

// ---- 2. Your activated plans ----

fn plans_step(f: Flow) -> AnyView {
    let error = RwSignal::new(None::<String>);
    let state = Memo::new(move |_| f.plans.with(|p| status(p, true, Vec::is_empty)));
    // One plan: nothing to choose.
    if f.sku.with_untracked(Option::is_none) {
        if let Some(only) = f.plans.with_untracked(|p| ok(p).filter(|p| p.len() == 1).map(|p| p[0].sku.clone())) {
            f.sku.set(Some(only));
        }
    }
    let next = move |_| match f.plan() {
        Some(plan) => {
            f.selected.update(|s| s.truncate(usize::try_from(plan.units).unwrap_or(usize::MAX)));
            f.go(Step::Devices);
        }
        None => {
            error.set(Some("Please choose a plan.".into()));
            if let Some(first) = f.plans.with_untracked(|p| ok(p).and_then(|p| p.first()).map(|p| p.sku.clone())) {
                focus_element(&format!("plan-{first}"));
            }
        }
    };
    let ready = move || {
        let names = f.names();
        let cards = f.plans.with_untracked(|p| {
            ok(p).map(|p| p.iter().map(|plan| plan_card(f, plan, names.as_deref(), error)).collect::<Vec<_>>())
        });
        view! {
            <fieldset class="activate-plans" aria-describedby="activate-plans-hint">
                <legend class="visually-hidden">"Activated plans"</legend>
                <p class="field-hint" id="activate-plans-hint">
                    "One unit covers one device for the plan's term, plus any promotion months."
                </p>
                <div class="activate-plan-grid">{cards}</div>
                {move || {
                    error
                        .get()
                        .map(|message| {
                            view! {
                                <p class="field-error" role="alert">
                                    <Icon kind=IconKind::Alert class="icon field-error-icon" />
                                    <span>{message}</span>
                                </p>
                            }
                            .into_any()
                        })
                }}
            </fieldset>
            <div class="form-actions">
                <button type="button" class="btn btn-secondary" on:click=move |_| f.go(Step::Code)>
                    "Activate another code"
                </button>
                <button type="button" class="btn btn-primary" on:click=next>
                    "Assign to devices"
                </button>
            </div>
        }
        .into_any()
    };
    view! {
        {heading("Your activated plans".into())}
        <p class="activate-text">"Choose the plan to assign to your devices."</p>
        {move || f.notice.get().map(|message| view! { <Notice message=message /> }.into_any())}
        {move || match state.get() {
            Status::Loading => view! { <Loading label="Loading your plans…" /> }.into_any(),
            Status::Failed(message) => {
                retry_banner(
                    "Could not load your plans",
                    message,
                    move || {
                        f.plans.set(None);
                        fetch_into(f.plans, calls::plans(f.session));
                    },
                )
            }
            Status::Empty => view! {
                <EmptyState
                    kind=IconKind::Voucher
                    title="No plans to assign yet"
                    description="Activate the code from your order email: its device plans appear here, ready to assign."
                >
                    <button type="button" class="btn btn-primary" on:click=move |_| f.go(Step::Code)>
                        "Activate a code"
                    </button>
                </EmptyState>
            }
            .into_any(),
            Status::Ready => ready(),
        }}
    }
    .into_any()
}

fn plan_card(
    f: Flow,
    plan: &SubscriptionPlan,
    names: Option<&CatalogNames>,
    error: RwSignal<Option<String>>,
) -> AnyView {
    let (product, tier) = plan_names(&plan.product, &plan.tier, names);
    let sku = plan.sku.clone();
    let this = sku.clone();
    let checked = Memo::new(move |_| f.sku.with(|s| s.as_deref() == Some(this.as_str())));
    let title_id = format!("plan-{sku}-title");
    let details_id = format!("plan-{sku}-details");
    let bonus = bonus_text(plan.bonus_months).map(|b| {
        view! {
            <span class="plan-card-promotions">
                <span class="badge badge-success">{b} " promotion"</span>
            </span>
        }
        .into_any()
    });
    view! {
        <label class="plan-card" class:plan-card-selected=move || checked.get()>
            <input
                type="radio"
                name="activated-plan"
                id=format!("plan-{sku}")
                value=sku.clone()
                prop:checked=move || checked.get()
                aria-labelledby=title_id.clone()
                aria-describedby=details_id.clone()
                on:change=move |_| {
                    error.set(None);
                    f.sku.set(Some(sku.clone()));
                }
            />
            <span class="plan-card-title" id=title_id>{format!("{tier}, {}", term_words(plan.term_months))}</span>
            <span class="plan-card-details" id=details_id>
                <span class="activate-plan-product">{product}</span>
                <span class="plan-card-sku">{plan.sku.clone()}</span>
                {bonus}
                <span class="plan-card-held plan-card-held-some">
                    <Icon kind=IconKind::Locker class="icon plan-card-held-icon" />
                    <span>{units_text(plan.units)} " available"</span>
                </span>
            </span>
        </label>
    }
    .into_any()
}

// ---- 3. Assign to devices ----

fn devices_step(f: Flow) -> AnyView {
    let query = RwSignal::new(String::new());
    let limit = RwSignal::new(PAGE);
    let none_picked = RwSignal::new(false);
    let previewing = RwSignal::new(false);
    let preview_error = RwSignal::new(None::<ApiError>);
    let plan = Memo::new(move |_| f.plan());
    let available = move || plan.with(|p| p.as_ref().map_or(0, |p| p.units));
    let product = move || plan.with(|p| p.as_ref().map(|p| p.product.clone()).unwrap_or_default());
    let state = Memo::new(move |_| f.devices.with(|d| status(d, true, |d| d.devices.is_empty())));
    let order = Memo::new(move |_| {
        let product = product();
        f.devices.with(|d| ok(d).map(|d| eligibility_order(&d.devices, &product)).unwrap_or_default())
    });
    // The same types as the Devices page's search, so that their code is shared.
    let parsed = Memo::new(move |_| query.with(|q| Query::parse(q).map_err(|e| e.message())));
    let shown = Memo::new(move |_| {
        order.with(|o| {
            parsed.with(|q| match q {
                Ok(q) => f.devices.with(|d| ok(d).map(|d| matching(&d.devices, o, q)).unwrap_or_default()),
                Err(_) => o.clone(),
            })
        })
    });
    let search_error = move || parsed.with(|q| q.as_ref().err().cloned());
    let count = move || selection_text(f.selected.with(Vec::len), available());
    let full = Memo::new(move |_| f.selected.with(Vec::len) as u64 >= available());

    let rows = move || {
        let names = f.names();
        let product = product();
        shown.with(|s| {
            f.devices.with_untracked(|d| {
                let all = ok(d).map(|d| d.devices.as_slice()).unwrap_or_default();
                s.iter()
                    .take(limit.get())
                    .filter_map(|&i| all.get(i as usize))
                    .map(|d| device_row(f, d, &product, names.as_deref(), plan, full))
                    .collect::<Vec<_>>()
            })
        })
    };
    let more = move || shown.with(Vec::len).saturating_sub(limit.get());

    let review = move |()| {
        let ids = f.selected.get_untracked();
        if ids.is_empty() {
            none_picked.set(true);
            return;
        }
        let Some(plan) = plan.get_untracked() else { return };
        previewing.set(true);
        preview_error.set(None);
        spawn_local(async move {
            let answer = calls::assign(f.session, &plan.sku, &ids, None).await;
            let _ = previewing.try_set(false);
            match answer {
                Ok(result) => {
                    let _ = f.review.try_set(Some(Review { plan, ids, result, key: api::new_idempotency_key() }));
                    f.go(Step::Confirm);
                }
                Err(e) => {
                    let _ = preview_error.try_set(Some(e));
                }
            }
        });
    };

    let list = move || {
        view! {
            <div class="pick-toolbar">
                <div class="field pick-search" class:field-invalid=move || search_error().is_some()>
                    <label class="field-label" for="device-search">"Search devices"</label>
                    <input
                        id="device-search"
                        class="input"
                        type="search"
                        autocomplete="off"
                        placeholder="Serial, name, site or model"
                        aria-invalid=move || search_error().map(|_| "true")
                        aria-describedby=move || search_error().map(|_| "device-search-error")
                        prop:value=move || query.get()
                        on:input=move |ev| {
                            query.set(event_target_value(&ev));
                            limit.set(PAGE);
                        }
                    />
                    {move || {
                        search_error()
                            .map(|message| {
                                view! {
                                    <p class="field-error" id="device-search-error">
                                        <Icon kind=IconKind::Alert class="icon field-error-icon" />
                                        <span>{message}</span>
                                    </p>
                                }
                                .into_any()
                            })
                    }}
                </div>
                <p class="pick-count" role="status" class:pick-count-full=move || full.get()>{count}</p>
            </div>
            {move || {
                full.get()
                    .then(|| {
                        view! {
                            <p class="pick-note">
                                "That is one device for every unit available. Clear a device to pick another."
                            </p>
                        }
                        .into_any()
                    })
            }}
            {move || {
                shown
                    .with(Vec::is_empty)
                    .then(|| {
                        view! {
                            <div class="table-card table-card-empty">
                                <p class="table-empty-title">"No device matches your search"</p>
                                <p class="table-empty">"Try part of a serial number, a name, a site or a model."</p>
                            </div>
                        }
                        .into_any()
                    })
            }}
            <ul class="pick-list" aria-label="Devices, those without a plan first, then the soonest expiry">
                {rows}
            </ul>
            {move || {
                let more = more();
                (more > 0)
                    .then(|| {
                        view! {
                            <div class="list-more">
                                <button
                                    type="button"
                                    class="btn btn-secondary"
                                    on:click=move |_| limit.update(|l| *l += PAGE)
                                >
                                    {format!("Show more devices ({more} not shown)")}
                                </button>
                            </div>
                        }
                        .into_any()
                    })
            }}
            {move || {
                (none_picked.get() && f.selected.with(Vec::is_empty))
                    .then(|| {
                        view! {
                            <p class="field-error" role="alert">
                                <Icon kind=IconKind::Alert class="icon field-error-icon" />
                                <span>"Select at least one device."</span>
                            </p>
                        }
                        .into_any()
                    })
            }}
            {move || {
                preview_error
                    .get()
                    .map(|e| view! { <ErrorBanner title="Could not prepare the assignment" message=e.message /> }.into_any())
            }}
            <div class="form-actions">
                <button type="button" class="btn btn-secondary" on:click=move |_| f.go(Step::Plans)>
                    "Back"
                </button>
                <BusyButton class="btn btn-primary" busy=previewing on_click=Callback::new(review)>
                    "Review"
                </BusyButton>
            </div>
        }
        .into_any()
    };

    let intro = move || {
        let names = f.names();
        plan.with(|p| match p {
            Some(p) => format!(
                "Each device gets one unit of {} {}. Devices without a plan come first, then those that expire soonest.",
                plan_names(&p.product, &p.tier, names.as_deref()).0,
                plan_title(p, names.as_deref())
            ),
            None => String::new(),
        })
    };
    view! {
        {heading("Assign to devices".into())}
        <p class="activate-text">{intro}</p>
        {move || match (plan.with(Option::is_some), state.get()) {
            (false, _) => view! {
                <EmptyState
                    kind=IconKind::Voucher
                    title="Choose a plan first"
                    description="This plan has no units left to assign. Choose another plan or activate a code."
                >
                    <button type="button" class="btn btn-primary" on:click=move |_| f.go(Step::Plans)>
                        "Your activated plans"
                    </button>
                </EmptyState>
            }
            .into_any(),
            (_, Status::Loading) => view! { <Loading label="Loading your devices…" /> }.into_any(),
            (_, Status::Failed(message)) => {
                retry_banner(
                    "Could not load your devices",
                    message,
                    move || {
                        f.devices.set(None);
                        fetch_into(f.devices, calls::devices(f.session));
                    },
                )
            }
            (_, Status::Empty) => view! {
                <EmptyState
                    kind=DEVICES.icon
                    title="No devices yet"
                    description="Add your devices one by one or import them from a CSV file on the Devices page, then come back to assign this plan. Its units wait in your Digital Locker."
                >
                    <button type="button" class="btn btn-secondary" on:click=move |_| f.go(Step::Plans)>
                        "Back"
                    </button>
                    <a class="btn btn-primary" href=DEVICES.path>"Add or import devices"</a>
                </EmptyState>
            }
            .into_any(),
            (_, Status::Ready) => list(),
        }}
    }
    .into_any()
}

fn device_row(
    f: Flow,
    d: &Device,
    product: &str,
    names: Option<&CatalogNames>,
    plan: Memo<Option<SubscriptionPlan>>,
    full: Memo<bool>,
) -> AnyView {
    let id = d.id;
    let checked = Memo::new(move |_| f.selected.with(|s| s.contains(&id)));
    let disabled = move || full.get() && !checked.get();
    let coverage = match d.current.as_ref().filter(|c| c.product == product) {
        Some(c) => {
            let tier = plan_names(product, &c.tier, names).1;
            view! {
                <span class="pick-plan">
                    <span class="pick-tier">{tier}</span>
                    <span class="pick-until">
                        "until " <time datetime=iso_day(c.expires_on)>{short_day(c.expires_on)}</time>
                    </span>
                </span>
            }
            .into_any()
        }
        None => view! {
            <span class="pick-plan">
                <span class="badge badge-warning">"No plan"</span>
            </span>
        }
        .into_any(),
    };
    let meta =
        [d.site.as_str(), d.model.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" · ");
    let shared = d.shared_by.as_ref().map(|by| format!("Shared by {by}"));
    view! {
        <li>
            <label class="pick-row" class:pick-row-selected=move || checked.get() class:pick-row-disabled=disabled>
                <input
                    type="checkbox"
                    class="checkbox"
                    prop:checked=move || checked.get()
                    disabled=disabled
                    on:change=move |_| {
                        let available = plan.with_untracked(|p| p.as_ref().map_or(0, |p| p.units));
                        f.selected.update(|s| toggle(s, id, available));
                    }
                />
                <span class="pick-body">
                    <span class="pick-head">
                        <span class="pick-serial">{d.serial.clone()}</span>
                        <span class="pick-name">{d.name.clone()}</span>
                    </span>
                    <span class="pick-meta">{meta} {shared.map(|s| view! { <span class="badge badge-neutral">{s}</span> })}</span>
                </span>
                {coverage}
            </label>
        </li>
    }
    .into_any()
}

// ---- 4. Confirm ----

fn change_view(c: &logic::Change, names: Option<&CatalogNames>, product: &str) -> AnyView {
    let tier = plan_names(product, &c.tier, names).1;
    let (from, to) = (short_day(c.starts_on), short_day(c.ends_on));
    if c.new {
        view! {
            <li class="change-new">
                <span class="badge badge-primary">"New"</span>
                <span>{format!("{tier} from {from} to {to}")}</span>
            </li>
        }
        .into_any()
    } else {
        view! {
            <li class="change-moved">
                <Icon kind=IconKind::ArrowRight class="icon change-moved-icon" />
                <span>{format!("{tier} resumes {from} to {to}")}</span>
            </li>
        }
        .into_any()
    }
}

fn device_label(d: &Device) -> AnyView {
    view! {
        <span class="pick-head">
            <span class="pick-serial">{d.serial.clone()}</span>
            <span class="pick-name">{d.name.clone()}</span>
        </span>
    }
    .into_any()
}

fn confirm_step(f: Flow) -> AnyView {
    let Some(r) = f.review.get_untracked() else {
        return view! { <Loading /> }.into_any();
    };
    let names = f.names();
    let names = names.as_deref();
    let plan = r.plan.clone();
    let (product_name, _) = plan_names(&plan.product, &plan.tier, names);
    let title = format!("{product_name} {}", plan_title(&plan, names));
    let used: u64 = r.result.consumes.iter().filter(|c| c.sku == plan.sku).map(|c| c.device_months).sum();
    let left = units_left(&plan, used);
    let short = !r.result.missing.is_empty();
    let n = r.ids.len();
    let rows = f.devices.with_untracked(|d| {
        let known = ok(d).map(|d| d.devices.as_slice()).unwrap_or_default();
        r.result
            .devices
            .iter()
            .map(|after| {
                let before = known.iter().find(|b| b.id == after.id);
                let items = changes(before, after, &plan.product, &plan.tier, f.today)
                    .iter()
                    .map(|c| change_view(c, names, &plan.product))
                    .collect::<Vec<_>>();
                view! {
                    <li class="confirm-row">
                        {device_label(after)}
                        <ul class="change-list">{items}</ul>
                    </li>
                }
                .into_any()
            })
            .collect::<Vec<_>>()
    });
    let shown_title = title.clone();
    let assigning = RwSignal::new(false);
    let assign_error = RwSignal::new(None::<ApiError>);
    let confirm = move |()| {
        if assigning.get_untracked() {
            return;
        }
        assigning.set(true);
        assign_error.set(None);
        let (plan, ids, key, title) = (r.plan.clone(), r.ids.clone(), r.key.clone(), title.clone());
        spawn_local(async move {
            match calls::assign(f.session, &plan.sku, &ids, Some(&key)).await {
                Ok(result) => {
                    let used = result.consumes.iter().filter(|c| c.sku == plan.sku).map(|c| c.device_months).sum();
                    let left = units_left(&plan, used);
                    let done = Assigned { title, product: plan.product, devices: result.devices, left };
                    let _ = f.assigned.try_set(Some(done));
                    let _ = f.selected.try_set(Vec::new());
                    let _ = f.review.try_set(None);
                    let _ = f.notice.try_set(None);
                    f.reload();
                    // The page stays busy until the step is replaced, so nothing is pressed twice.
                    f.go(Step::Done);
                }
                Err(e) => {
                    let _ = assigning.try_set(false);
                    let _ = assign_error.try_set(Some(e));
                }
            }
        });
    };
    let sku = plan.sku.clone();
    view! {
        {heading("Confirm the assignment".into())}
        <p class="activate-text">"Nothing has been assigned yet. Here is each device's coverage after the assignment."</p>
        <dl class="facts review-facts">
            <div class="fact"><dt>"Plan"</dt><dd>{shown_title} " " <span class="cell-sub cell-code">{sku.clone()}</span></dd></div>
            <div class="fact"><dt>"Devices"</dt><dd>{n}</dd></div>
        </dl>
        <ul class="confirm-list" aria-label="Devices and their new coverage">{rows}</ul>
        <div class="review-credits">
            <div>
                <h3 class="review-subtitle">"Uses"</h3>
                <p class="credit-list">{format!("{} of {sku}", units_text(n as u64))}</p>
            </div>
            <div>
                <h3 class="review-subtitle">"Left on this plan"</h3>
                <p class="credit-list">{units_text(left)}</p>
            </div>
        </div>
        {if short {
            view! {
                <ErrorBanner
                    title="Not enough units"
                    message="This plan has fewer units left than the devices selected. Nothing was assigned: select fewer devices, or activate another code."
                />
            }
            .into_any()
        } else {
            view! {
                <div class="banner banner-warning">
                    <Icon kind=IconKind::Alert class="icon banner-icon" />
                    <div class="banner-body">
                        <p class="banner-title">"An assignment cannot be changed or undone"</p>
                        <p>"Once you confirm, these devices keep this plan and its units are used. Check the devices and dates above first."</p>
                    </div>
                </div>
            }
            .into_any()
        }}
        {move || {
            assign_error.get().map(|e| {
                let missing = (!e.missing.is_empty()).then(|| view! {
                    <a class="btn btn-secondary btn-sm banner-action" href=LOCKER.path>"Go to Digital Locker"</a>
                });
                view! { <ErrorBanner title="Nothing was assigned" message=e.message>{missing}</ErrorBanner> }.into_any()
            })
        }}
        <div class="form-actions">
            <button type="button" class="btn btn-secondary" on:click=move |_| f.go(Step::Devices)>
                "Back"
            </button>
            {(!short)
                .then(|| {
                    view! {
                        <BusyButton class="btn btn-primary" busy=assigning on_click=Callback::new(confirm)>
                            {format!("Assign to {}", devices_text(n))}
                        </BusyButton>
                    }
                    .into_any()
                })}
        </div>
    }
    .into_any()
}

// ---- 5. Success ----

fn done_step(f: Flow) -> AnyView {
    let Some(a) = f.assigned.get_untracked() else {
        return view! { <Loading /> }.into_any();
    };
    let names = f.names();
    let items = a
        .devices
        .iter()
        .map(|d| {
            let covered = d.current.as_ref().filter(|c| c.product == a.product).map(|c| {
                format!("{} until {}", plan_names(&a.product, &c.tier, names.as_deref()).1, short_day(c.expires_on))
            });
            view! {
                <li class="confirm-row">
                    {device_label(d)}
                    <span class="done-covered">{covered}</span>
                </li>
            }
            .into_any()
        })
        .collect::<Vec<_>>();
    let left = a.left;
    let rest = (left > 0).then(|| {
        view! {
            <div class="banner banner-info">
                <Icon kind=IconKind::Info class="icon banner-icon" />
                <div class="banner-body">
                    <p class="banner-title">{format!("{} left — assign them later", units_text(left))}</p>
                    <p>"They stay on this plan in your Digital Locker until you assign them."</p>
                    <div class="banner-actions">
                        <button type="button" class="btn btn-primary btn-sm" on:click=move |_| f.go(Step::Devices)>
                            "Assign to more devices"
                        </button>
                    </div>
                </div>
            </div>
        }
        .into_any()
    });
    view! {
        <div class="activate-done">
            <span class="activate-done-icon" aria-hidden="true"><Icon kind=IconKind::Check /></span>
            {heading(format!("Assigned to {}", devices_text(a.devices.len())))}
        </div>
        <p class="activate-text">
            {format!("{}: the devices are covered as listed. You find them, with their plans, on the Devices page.", a.title)}
        </p>
        <ul class="confirm-list" aria-label="Devices assigned">{items}</ul>
        {rest}
        <div class="form-actions">
            <button type="button" class="btn btn-secondary" on:click=move |_| f.go(Step::Code)>
                "Activate another code"
            </button>
            <a class="btn btn-primary" href=DEVICES.path>"Go to Devices"</a>
        </div>
    }
    .into_any()
}
