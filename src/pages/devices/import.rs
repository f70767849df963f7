//! "Import devices from CSV": choose a file, upload it; the server imports all of it or
//! nothing, naming each bad row's problem ("Row 3 · serial: …"); then the valid rows can be
//! imported from the same file (`skip_invalid=true`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tessera_domain::api::ImportReport;
use tessera_domain::device::{RowProblem, CSV_HEADER, MAX_IMPORT_ROWS};
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::shell::focus_element;
use crate::components::{BusyButton, Dialog, Icon, IconKind};
use crate::session::use_session;

/// An example file to start from, as a link target.
const EXAMPLE: &str = "data:text/csv;charset=utf-8,serial%2Cmodel%2Cname%2Csite%2Cbattery_replace_by%2Cwarranty_expires_on%0D%0ANW10410000%2CSmart-UPS%201500%2CUPS%20Paris%2001%2CParis%20HQ%2C2027-03-31%2C2028-06-30%0D%0ANW10410007%2CGalaxy%20VS%2020kW%2CUPS%20Lyon%2001%2CLyon%20Plant%2C%2C%0D%0A";

/// Problems listed at most; the rest are counted.
const LISTED: usize = 50;

/// The data rows of a CSV text (after the header, blank lines skipped), reading quoted
/// values as one: what the server numbers from 1.
pub fn data_rows(text: &str) -> usize {
    let (mut rows, mut quoted, mut blank) = (0, false, true);
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                blank = false;
            }
            '\n' if !quoted => {
                rows += usize::from(!blank);
                blank = true;
            }
            '\r' | '\u{feff}' => {}
            c if blank && !quoted && c.is_whitespace() => {}
            _ => blank = false,
        }
    }
    (rows + usize::from(!blank)).saturating_sub(1)
}

/// "Row 3 · serial: A device with this serial number is already in your devices."
pub fn problem_text(p: &RowProblem) -> String {
    format!("Row {} · {}: {}", p.row, p.field, p.message)
}

/// The rows a refused file holds that have no problem (the server lists problems in row
/// order, a row's problems together).
pub fn valid_rows(total: usize, problems: &[RowProblem]) -> usize {
    let bad = problems.iter().enumerate().filter(|(k, p)| *k == 0 || problems[k - 1].row != p.row).count();
    total.saturating_sub(bad)
}

/// "Imported 12 devices."
pub fn imported_text(n: usize) -> String {
    match n {
        1 => "Imported 1 device.".to_string(),
        n => format!("Imported {} devices.", crate::format::count(n)),
    }
}

/// The text of a chosen file, read through a `Response` (its `text()` is awaitable with
/// what the app already has: no File features, no new crate).
async fn read_text(blob: &web_sys::Blob) -> Option<String> {
    let response = web_sys::Response::new_with_opt_blob(Some(blob)).ok()?;
    gloo_net::http::Response::from(response).text().await.ok()
}

/// Where the import is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Choose,
    /// The file has bad rows: nothing was imported.
    Refused(Vec<RowProblem>),
    Done(ImportReport),
}

fn problem_list(problems: &[RowProblem]) -> AnyView {
    let items: Vec<AnyView> =
        problems.iter().take(LISTED).map(|p| view! { <li>{problem_text(p)}</li> }.into_any()).collect();
    let more = problems.len().saturating_sub(LISTED);
    view! {
        <ul class="import-problems">{items}</ul>
        {(more > 0).then(|| view! { <p class="field-hint">{format!("And {more} more.")}</p> })}
    }
    .into_any()
}

#[component]
pub fn ImportDevices(
    /// Close, Cancel, Escape.
    on_close: Callback<()>,
    /// Devices were imported: the list is to be read again.
    on_imported: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let file = StoredValue::new(None::<String>);
    // The chosen file, and its text once read (for the retry and the count of rows).
    let chosen = StoredValue::new_local(None::<web_sys::Blob>);
    let step = RwSignal::new(Step::Choose);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let upload = move |skip_invalid: bool| {
        let Some(blob) = chosen.get_value() else {
            error.set(Some("Please choose a CSV file.".into()));
            focus_element("import-file");
            return;
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let Some(text) = read_text(&blob).await else {
                let _ = busy.try_set(false);
                let _ = error.try_set(Some("This file could not be read. Choose it again.".into()));
                return;
            };
            file.try_set_value(Some(text.clone()));
            let answer = api::import_devices(session, text, skip_invalid).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(report) => {
                    on_imported.run(());
                    let _ = step.try_set(Step::Done(report));
                    request_animation_frame(|| focus_element("import-done"));
                }
                Err(refused) if refused.error.code == "csv_invalid" => {
                    let _ = step.try_set(Step::Refused(refused.rows));
                    request_animation_frame(|| focus_element("import-problems"));
                }
                Err(refused) => {
                    let _ = error.try_set(Some(refused.error.message));
                    focus_element("import-file");
                }
            }
        });
    };
    let on_change = move |ev: leptos::ev::Event| {
        step.set(Step::Choose);
        error.set(None);
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let blob = input
            .and_then(|i| js_sys::Reflect::get(&i, &"files".into()).ok())
            .and_then(|files| js_sys::Reflect::get(&files, &0.into()).ok())
            .and_then(|f| f.dyn_into::<web_sys::Blob>().ok());
        chosen.set_value(blob);
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            upload(false);
        }
    };
    let header = CSV_HEADER.join(",");

    let body = move || {
        match step.get() {
        Step::Choose => view! {
            <form class="form" novalidate=true on:submit=on_submit>
                <div class="field" class:field-invalid=move || error.with(Option::is_some)>
                    <label class="field-label" for="import-file">"CSV file"</label>
                    <input
                        id="import-file"
                        class="input input-file"
                        type="file"
                        accept=".csv,text/csv"
                        aria-invalid=move || error.with(Option::is_some).then_some("true")
                        aria-describedby="import-file-error"
                        on:change=on_change
                    />
                    {move || {
                        error
                            .get()
                            .map(|message| {
                                view! {
                                    <p class="field-error" id="import-file-error" role="alert">
                                        <Icon kind=IconKind::Alert class="icon field-error-icon" />
                                        <span>{message}</span>
                                    </p>
                                }
                                .into_any()
                            })
                    }}
                </div>
                <div class="dialog-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <BusyButton submit=true class="btn btn-primary" busy=busy>
                        "Import"
                    </BusyButton>
                </div>
            </form>
        }
        .into_any(),
        Step::Refused(problems) => {
            let total = file.with_value(|f| f.as_deref().map_or(0, data_rows));
            let valid = valid_rows(total, &problems);
            let bad = total - valid;
            let rows_noun = if bad == 1 { "1 row has a problem" } else { "rows have problems" };
            let title = if bad == 1 { rows_noun.to_string() } else { format!("{bad} {rows_noun}") };
            view! {
                <div class="import-refused" id="import-problems" tabindex="-1" role="alert">
                    <p class="import-refused-title">{title} ". Nothing was imported."</p>
                    {problem_list(&problems)}
                </div>
                <div class="dialog-actions">
                    <button
                        type="button"
                        class="btn btn-secondary"
                        on:click=move |_| {
                            file.set_value(None);
                            chosen.set_value(None);
                            step.set(Step::Choose);
                        }
                    >
                        "Choose another file"
                    </button>
                    {(valid > 0)
                        .then(|| {
                            let label = match valid {
                                1 => "Import the valid row".to_string(),
                                n => format!("Import the {} valid rows", crate::format::count(n)),
                            };
                            view! {
                                <BusyButton class="btn btn-primary" busy=busy on_click=Callback::new(move |()| upload(true))>
                                    {label}
                                </BusyButton>
                            }
                        })}
                </div>
            }
            .into_any()
        }
        Step::Done(report) => view! {
            <p class="import-done" id="import-done" tabindex="-1" role="status">
                <Icon kind=IconKind::Check class="icon import-done-icon" />
                <span>{imported_text(report.imported)}</span>
            </p>
            {(!report.skipped.is_empty())
                .then(|| {
                    view! {
                        <p class="import-skipped">
                            {format!("Skipped {} with problems:", if report.skipped.len() == 1 { "1 row".to_string() } else { format!("{} rows", report.skipped.len()) })}
                        </p>
                        {problem_list(&report.skipped)}
                    }
                })}
            <div class="dialog-actions">
                <button type="button" class="btn btn-primary" on:click=move |_| on_close.run(())>
                    "Close"
                </button>
            </div>
        }
        .into_any(),
    }
    };

    view! {
        <Dialog title_id="import-title" description_id="import-text" return_focus="import-button" on_close=on_close>
            <h2 id="import-title" class="dialog-title">"Import devices from CSV"</h2>
            <div id="import-text" class="dialog-text">
                <p>"The first row must be this header, then one device per row:"</p>
                <code class="import-header">{header}</code>
                <p>
                    {format!(
                        "Dates are written YYYY-MM-DD; model, name, site and the dates may be empty. Up to {} devices per file. A file with a bad row imports nothing until you choose to skip it.",
                        crate::format::count(MAX_IMPORT_ROWS),
                    )}
                </p>
            </div>
            <a class="btn btn-ghost btn-sm import-example" href=EXAMPLE download="devices-example.csv">
                <Icon kind=IconKind::Download />
                <span>"Download an example"</span>
            </a>
            {move || body()}
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_rows_are_counted_as_the_server_numbers_them() {
        assert_eq!(data_rows("serial,model\nA,x\nB,y\n"), 2);
        assert_eq!(data_rows("serial,model\r\nA,x\r\n\r\nB,y"), 2, "blank lines skipped, no final newline");
        assert_eq!(data_rows("serial,model\nA,\"two\nlines\"\nB,y\n"), 2, "a quoted newline");
        assert_eq!(data_rows("serial,model\n"), 0);
        assert_eq!(data_rows(""), 0);
        assert_eq!(data_rows("\u{feff}serial\n  \nA\n"), 1);
    }

    #[test]
    fn problems_read_as_lines() {
        let p = |row, field: &str| RowProblem { row, field: field.into(), message: "Bad.".into() };
        assert_eq!(problem_text(&p(3, "serial")), "Row 3 · serial: Bad.");
        assert_eq!(valid_rows(10, &[p(3, "serial"), p(3, "name"), p(7, "site")]), 8);
        assert_eq!(imported_text(1), "Imported 1 device.");
        assert_eq!(imported_text(10_000), "Imported 10,000 devices.");
    }

    #[test]
    fn the_example_has_the_header() {
        assert!(EXAMPLE.contains(&CSV_HEADER.join("%2C")));
    }
}
