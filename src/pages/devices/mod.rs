//! `/devices` (SPEC §5, issue 13): the organization's devices with their current plan and
//! when it ends, searched in SPEC §10's syntax as people type (`table.rs`), sorted by any
//! column, drawn a window at a time so that 10,000 devices stay quick (`VirtualList`, as
//! on the Renewals page). Devices are added one by one (`add.rs`) or imported from CSV
//! (`import.rs`); a customer's admins share them with a partner, who sees them marked
//! "Shared by …" and cannot change them (`share.rs`).
//!
//! Dates and statuses are the server's today's (`DeviceList.today`), never the browser's.

mod add;
mod import;
mod share;
mod table;

use std::sync::Arc;

use leptos::prelude::*;
use tessera_domain::api::{DeviceShare, OrgKind, Role};
use tessera_domain::search::Query;

use super::licenses::status_class;
use super::set_page_title;
use crate::api;
use crate::catalog::CatalogNames;
use crate::components::virtual_list::VirtualList;
use crate::components::{EmptyState, ErrorBanner, Icon, IconKind, Loading, Notice, PageHeader};
use crate::format::{iso_day, short_day};
use crate::load::{fetch_into, loaded, ok, status, Loaded, Status as LoadStatus};
use crate::sections::DEVICES;
use crate::session::{use_session, Session};
use table::{Rows, Sort, SortBy, DEFAULT_SORT};

type CatalogLoad = Loaded<Arc<CatalogNames>>;

/// Where a code is activated and its plans assigned.
pub const ACTIVATE_PATH: &str = "/devices/activate";

/// Which dialog is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Nothing,
    Add,
    /// The device with this id.
    Edit(i64),
    Import,
    Share,
}

/// The page's state the pieces share.
#[derive(Clone, Copy)]
struct Ctx {
    list: Loaded<Rows>,
    catalog: CatalogLoad,
    /// Which devices are ticked (customer admins), by their place in the list.
    selected: RwSignal<Vec<bool>>,
    open: RwSignal<Open>,
    notice: RwSignal<Option<String>>,
    /// A customer's admin: may share devices.
    admin: bool,
    session: Session,
}

impl Ctx {
    fn reload(self) {
        let session = self.session;
        // Places in the list change with a new list: nothing stays ticked.
        self.selected.set(Vec::new());
        fetch_into(self.list, async move { api::devices(session).await.map(|l| Rows::new(l.devices, l.today)) });
    }
}

/// Ticks or unticks the devices at these places in the list.
fn set_selected(selected: RwSignal<Vec<bool>>, at: &[u32], on: bool) {
    selected.update(|s| {
        for &i in at {
            let i = i as usize;
            if s.len() <= i {
                s.resize(i + 1, false);
            }
            s[i] = on;
        }
    });
}

fn is_selected(selected: RwSignal<Vec<bool>>, i: usize) -> bool {
    selected.with(|s| s.get(i).copied().unwrap_or(false))
}

/// A column head that sorts the table; `aria-sort` says how it is sorted now.
fn sort_head(label: &'static str, by: SortBy, sort: RwSignal<Sort>, class: &'static str) -> AnyView {
    let aria = move || sort.with(|s| (s.by == by).then_some(if s.ascending { "ascending" } else { "descending" }));
    let arrow = move || {
        sort.with(|s| match (s.by == by, s.ascending) {
            (false, _) => "↕",
            (true, true) => "↑",
            (true, false) => "↓",
        })
    };
    view! {
        <th scope="col" class=class aria-sort=aria>
            <button type="button" class="sort-button" on:click=move |_| sort.update(|s| *s = s.toggled(by))>
                <span>{label}</span>
                <span class="sort-arrow" aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
    .into_any()
}

/// A date cell: the day, or a dash; `due` when the day has passed (a battery to replace, a
/// warranty over).
fn date_cell(label: &'static str, day: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> AnyView {
    match day {
        Some(d) => view! {
            <td class="cell-date" class:cell-due=d <= today data-label=label>
                <time datetime=iso_day(d)>{short_day(d)}</time>
            </td>
        }
        .into_any(),
        None => view! {
            <td class="cell-muted" data-label=label>
                "—"
            </td>
        }
        .into_any(),
    }
}

/// The cells of one drawn row: device `i` of the list.
fn device_row(ctx: Ctx, i: usize) -> AnyView {
    let catalog = ctx.catalog.with_untracked(|c| ok(c).cloned());
    ctx.list.with_untracked(|l| {
        let Some((rows, d)) = ok(l).and_then(|r| Some((r, r.devices.get(i)?))) else {
            return ().into_any();
        };
        let today = rows.today;
        let label = if d.name.is_empty() { d.serial.clone() } else { format!("{} ({})", d.name, d.serial) };
        let check = ctx.admin.then(|| {
            let selected = ctx.selected;
            view! {
                <td class="cell-check">
                    <input
                        type="checkbox"
                        class="checkbox"
                        aria-label=format!("Select {label}")
                        prop:checked=move || is_selected(selected, i)
                        on:change=move |ev| set_selected(selected, &[i as u32], event_target_checked(&ev))
                    />
                </td>
            }
        });
        let plan = d.current.as_ref().map(|c| {
            let product = catalog.as_deref().and_then(|cat| cat.product(&c.product));
            let tier = product.map_or_else(|| c.tier.clone(), |p| p.tier_name(&c.tier));
            (tier, product.map_or_else(|| c.product.clone(), |p| p.name.clone()))
        });
        let expires = match table::coverage(d, today) {
            Some((day, st)) => view! {
                <time class="cell-line" datetime=iso_day(day)>
                    {short_day(day)}
                </time>
                <span class=status_class(st)>{st.label()}</span>
            }
            .into_any(),
            None => view! { <span class="badge badge-neutral">"No plan"</span> }.into_any(),
        };
        let name = if d.name.is_empty() { d.serial.clone() } else { d.name.clone() };
        // Devices of one's own organization open for editing; shared ones are read-only.
        let name = if d.shared_by.is_none() {
            let (open, id) = (ctx.open, d.id);
            view! {
                <button
                    type="button"
                    class="link-button cell-line"
                    aria-label=format!("Edit {label}")
                    on:click=move |_| open.set(Open::Edit(id))
                >
                    {name}
                </button>
            }
            .into_any()
        } else {
            view! { <span class="cell-line">{name}</span> }.into_any()
        };
        let sub = match &d.shared_by {
            Some(c) => format!("{} · Shared by {c}", d.serial),
            None => d.serial.clone(),
        };
        view! {
            {check}
            <td class="cell-primary" data-label="Device">
                {name}
                <span class="cell-sub cell-serial">{sub}</span>
            </td>
            <td data-label="Model">{d.model.clone()}</td>
            <td data-label="Site">{d.site.clone()}</td>
            {match plan {
                Some((tier, product)) => view! {
                    <td data-label="Plan" title=product>
                        {tier}
                    </td>
                }
                .into_any(),
                None => view! {
                    <td class="cell-muted" data-label="Plan">
                        "—"
                    </td>
                }
                .into_any(),
            }}
            <td class="cell-date cell-expires" data-label="Expires on">{expires}</td>
            {date_cell("Battery", d.battery_replace_by, today)}
            {date_cell("Warranty", d.warranty_expires_on, today)}
        }
        .into_any()
    })
}

/// Search, filter, the count and the windowed table.
fn device_table(ctx: Ctx) -> AnyView {
    let list = ctx.list;
    let text = RwSignal::new(String::new());
    let sort = RwSignal::new(DEFAULT_SORT);
    let shared_only = RwSignal::new(false);
    // The query, and the sentence saying why the text cannot be read; meanwhile the rows
    // stay as the last readable search found them.
    let search = Memo::new(move |prev: Option<&(Query, Option<String>)>| {
        text.with(|t| match Query::parse(t) {
            Ok(q) => (q, None),
            Err(e) => (prev.map_or(Query::All, |p| p.0.clone()), Some(e.message())),
        })
    });
    let search_error = move || search.with(|s| s.1.clone());
    let order = Memo::new(move |_| list.with(|l| ok(l).map(|r| table::order(r, sort.get())).unwrap_or_default()));
    let shown = Memo::new(move |_| {
        order.with(|o| {
            list.with(|l| {
                search.with(|(q, _)| ok(l).map(|r| table::filter(r, o, q, shared_only.get())).unwrap_or_default())
            })
        })
    });
    let total = move || list.with(|l| ok(l).map_or(0, |r| r.devices.len()));
    let shared = move || list.with(|l| ok(l).map_or(0, |r| r.shared));

    // The rows are drawn again when the list changes in place (an edit moves no
    // position): each change of the list is a new revision, part of every row's key.
    let revision = Memo::new(move |before: Option<&u32>| {
        list.track();
        before.map_or(0, |n| n.wrapping_add(1))
    });
    let len = Signal::derive(move || shown.with(Vec::len));
    let at = move |p: usize| shown.with_untracked(|s| s.get(p).copied().unwrap_or(0));
    let key = move |p: usize| (u64::from(revision.get()) << 32) | u64::from(at(p));
    let row = move |p: usize| device_row(ctx, at(p) as usize);
    let none_found = move || len.get() == 0;

    // Ticking the head's box ticks (or unticks) every device shown.
    let selected = ctx.selected;
    let all_ticked = move || shown.with(|s| !s.is_empty() && s.iter().all(|&i| is_selected(selected, i as usize)));
    let tick_all = move |on: bool| shown.with_untracked(|s| set_selected(selected, s, on));
    let head_check = ctx.admin.then(|| {
        view! {
            <th scope="col" class="cell-check">
                <input
                    type="checkbox"
                    class="checkbox"
                    aria-label="Select every device shown"
                    prop:checked=all_ticked
                    on:change=move |ev| tick_all(event_target_checked(&ev))
                />
            </th>
        }
    });
    let head = view! {
        {head_check}
        {sort_head("Device", SortBy::Name, sort, "col-name")}
        {sort_head("Model", SortBy::Model, sort, "col-model")}
        {sort_head("Site", SortBy::Site, sort, "col-site")}
        {sort_head("Plan", SortBy::Plan, sort, "col-plan")}
        {sort_head("Expires on", SortBy::Expires, sort, "col-expires")}
        {sort_head("Battery", SortBy::Battery, sort, "col-date")}
        {sort_head("Warranty", SortBy::Warranty, sort, "col-date")}
    }
    .into_any();
    let tabs = move || {
        (shared() > 0).then(|| {
            let tab = move |label: String, only: bool| {
                view! {
                    <button
                        type="button"
                        class="segment"
                        aria-pressed=move || if shared_only.get() == only { "true" } else { "false" }
                        on:click=move |_| shared_only.set(only)
                    >
                        {label}
                    </button>
                }
            };
            view! {
                <div class="segments" role="group" aria-label="Show">
                    {tab("All devices".to_string(), false)}
                    {tab(format!("Shared with me ({})", crate::format::count(shared())), true)}
                </div>
            }
            .into_any()
        })
    };

    view! {
        <div class="list-toolbar device-toolbar">
            <div class="list-search">
                <label for="device-search" class="visually-hidden">"Search devices"</label>
                <input
                    id="device-search"
                    class="input"
                    type="search"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="Search by name, serial, model, site or customer"
                    aria-describedby="device-search-help"
                    aria-invalid=move || search_error().map(|_| "true")
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
                {move || match search_error() {
                    Some(message) => view! {
                        <p class="field-error" id="device-search-help" role="alert">
                            <Icon kind=IconKind::Alert class="icon field-error-icon" />
                            <span>{message}</span>
                        </p>
                    }
                    .into_any(),
                    None => view! {
                        <p class="field-hint" id="device-search-help">
                            "Use \"quotes\" for a phrase, * inside a word (ups*01), OR for either."
                        </p>
                    }
                    .into_any(),
                }}
            </div>
            {move || tabs()}
        </div>
        {move || selection_bar(ctx)}
        <p class="list-count" role="status">
            {move || table::count_text(shown.with(Vec::len), total())}
        </p>
        {move || {
            none_found()
                .then(|| {
                    view! {
                        <div class="table-card table-card-empty">
                            <p class="table-empty-title">"No device matches your search"</p>
                            <p class="table-empty">
                                "Try part of a name, a serial number, a model or a site."
                            </p>
                        </div>
                    }
                    .into_any()
                })
        }}
        <div class:list-hidden=none_found>
            <VirtualList
                len=len
                key=key
                row=row
                head=head
                columns=if ctx.admin { 8 } else { 7 }
                label="Devices table"
                class="data-table device-table"
                row_class="device-row"
                row_height=60.0
            />
        </div>
    }
    .into_any()
}

/// The ids of the ticked devices.
fn selected_ids(ctx: Ctx) -> Vec<i64> {
    ctx.list.with_untracked(|l| {
        ctx.selected.with_untracked(|sel| {
            ok(l).map_or_else(Vec::new, |r| {
                r.devices.iter().zip(sel).filter(|(_, on)| **on).map(|(d, _)| d.id).collect()
            })
        })
    })
}

/// What to do with the ticked devices.
fn selection_bar(ctx: Ctx) -> Option<AnyView> {
    let n = ctx.selected.with(|s| s.iter().filter(|on| **on).count());
    (n > 0).then(|| {
        let noun = if n == 1 { "device selected" } else { "devices selected" };
        view! {
            <div class="selection-bar" role="region" aria-label="Selected devices">
                <p class="selection-count">{format!("{} {noun}", crate::format::count(n))}</p>
                <button type="button" class="btn btn-primary btn-sm" on:click=move |_| ctx.open.set(Open::Share)>
                    "Share with a partner"
                </button>
                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| ctx.selected.set(Vec::new())>
                    "Clear selection"
                </button>
            </div>
        }
        .into_any()
    })
}

fn empty_view(ctx: Ctx, partner_id: Option<i64>) -> AnyView {
    let description = match partner_id {
        Some(id) => format!(
            "Add your own devices, or give your customers your Partner ID, {id}: the devices they share with you appear here."
        ),
        None => "Add your devices one by one or import them from a CSV file. Each is listed with its serial number, site, current plan and when it expires.".to_string(),
    };
    view! {
        <EmptyState kind=DEVICES.icon title="No devices yet" description=description>
            <button type="button" class="btn btn-primary" on:click=move |_| ctx.open.set(Open::Add)>
                <Icon kind=IconKind::Plus />
                <span>"Add a device"</span>
            </button>
            <button type="button" class="btn btn-secondary" on:click=move |_| ctx.open.set(Open::Import)>
                "Import from CSV"
            </button>
        </EmptyState>
    }
    .into_any()
}

/// `/devices`
#[component]
pub fn Devices() -> impl IntoView {
    set_page_title(DEVICES.label);
    let session = use_session();
    let (admin, partner_id) = session
        .with_me_untracked(|m| {
            let kind = m.organization.kind;
            (
                kind == OrgKind::Customer && m.role == Role::Admin,
                (kind == OrgKind::Partner).then_some(m.organization.id),
            )
        })
        .unwrap_or((false, None));
    let ctx = Ctx {
        list: loaded(),
        catalog: loaded(),
        selected: RwSignal::new(Vec::new()),
        open: RwSignal::new(Open::Nothing),
        notice: RwSignal::new(None),
        admin,
        session,
    };
    fetch_into(ctx.catalog, api::catalog(session));
    ctx.reload();
    let shares: Loaded<Vec<DeviceShare>> = loaded();
    if admin {
        fetch_into(shares, api::device_shares(session));
    }

    let state = Memo::new(move |_| {
        let catalog_known = ctx.catalog.with(Option::is_some);
        ctx.list.with(|l| status(l, catalog_known, |r| r.devices.is_empty()))
    });
    let close = Callback::new(move |()| ctx.open.set(Open::Nothing));
    // Added, saved or removed: the list changes in place (no reload of 10,000 devices).
    let done = Callback::new(move |done: add::Done| {
        let editing = ctx.open.get_untracked() != Open::Add;
        ctx.list.update(|l| {
            if let Some(Ok(rows)) = l {
                let message = match done {
                    add::Done::Saved(d) => {
                        let name = if d.name.is_empty() { d.serial.clone() } else { d.name.clone() };
                        rows.put(*d);
                        format!("{} {name}.", if editing { "Saved" } else { "Added" })
                    }
                    add::Done::Removed(id) => {
                        let name = rows.devices.iter().find(|d| d.id == id).map(|d| d.serial.clone());
                        rows.remove(id);
                        // Ticks are by place in the list, which removing shifts.
                        ctx.selected.set(Vec::new());
                        format!("Removed {}.", name.unwrap_or_default())
                    }
                };
                ctx.notice.set(Some(message));
            }
        });
        ctx.open.set(Open::Nothing);
    });
    let dialog = move || match ctx.open.get() {
        Open::Nothing => None,
        Open::Add => Some(view! { <add::AddDevice on_close=close on_done=done /> }.into_any()),
        Open::Edit(id) => {
            let device =
                ctx.list.with_untracked(|l| ok(l).and_then(|r| r.devices.iter().find(|d| d.id == id).cloned()));
            device.map(|d| view! { <add::AddDevice editing=d on_close=close on_done=done /> }.into_any())
        }
        Open::Import => Some(
            view! { <import::ImportDevices on_close=close on_imported=Callback::new(move |()| ctx.reload()) /> }
                .into_any(),
        ),
        Open::Share => Some(
            view! {
                <share::ShareDialog
                    selected=selected_ids(ctx)
                    on_close=close
                    on_shared=Callback::new(move |s: DeviceShare| {
                        let what = if s.all {
                            "all your devices".to_string()
                        } else {
                            table::count_text(s.device_count, s.device_count)
                        };
                        ctx.notice.set(Some(format!("{} now sees {what}.", s.partner_name)));
                        shares.update(|l| {
                            if let Some(Ok(list)) = l {
                                list.insert(0, s);
                            }
                        });
                        ctx.selected.set(Vec::new());
                        ctx.open.set(Open::Nothing);
                    })
                />
            }
            .into_any(),
        ),
    };

    view! {
        <PageHeader title=DEVICES.label description="Your devices, the plan each one runs on and when it expires.">
            <a class="btn btn-secondary" href=ACTIVATE_PATH>
                "Activate a code"
            </a>
            <button type="button" id="import-button" class="btn btn-secondary" on:click=move |_| ctx.open.set(Open::Import)>
                "Import CSV"
            </button>
            <button type="button" id="add-button" class="btn btn-primary" on:click=move |_| ctx.open.set(Open::Add)>
                <Icon kind=IconKind::Plus />
                <span>"Add device"</span>
            </button>
        </PageHeader>
        {move || ctx.notice.get().map(|message| view! { <Notice message=message /> }.into_any())}
        {move || match state.get() {
            LoadStatus::Loading => view! { <Loading label="Loading your devices…" /> }.into_any(),
            LoadStatus::Empty => empty_view(ctx, partner_id),
            LoadStatus::Ready => device_table(ctx),
            LoadStatus::Failed(message) => view! {
                <ErrorBanner title="Could not load your devices" message=message>
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm banner-action"
                        on:click=move |_| {
                            ctx.list.set(None);
                            ctx.reload();
                        }
                    >
                        "Try again"
                    </button>
                </ErrorBanner>
            }
            .into_any(),
        }}
        {admin.then(|| view! { <share::ShareList shares=shares notice=ctx.notice /> })}
        {move || dialog()}
    }
}
