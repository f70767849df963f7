//! "Add device" and "Edit device": the fields of a device, checked with the domain's own
//! rules (`DeviceFields::checked`) before asking the server, whose refusals (a serial already
//! there) show under the field they are about. Editing also offers "Remove device", asked
//! twice; the server refuses it (`device_covered`) while a plan runs on the device today or
//! later, since those device-months were spent on it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tessera_domain::api::Device;
use tessera_domain::catalog::date;
use tessera_domain::device::DeviceFields;

use crate::api::{self, ApiError};
use crate::components::shell::focus_element;
use crate::components::{server_error_until_edited, BusyButton, Dialog, ErrorBanner, FormField};
use crate::session::use_session;

/// The form as typed: serial, name, model, site, battery replace-by, warranty.
pub type AddForm = [String; 6];

/// The API's field of each input, in the form's order, and the input's id.
const FIELDS: [(&str, &str); 6] = [
    ("serial", "device-serial"),
    ("name", "device-name"),
    ("model", "device-model"),
    ("site", "device-site"),
    ("battery_replace_by", "device-battery"),
    ("warranty_expires_on", "device-warranty"),
];

/// The device the form describes, or each field's problem (the API's field names).
pub fn device_fields(form: &AddForm) -> Result<DeviceFields, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let mut day = |field: &str, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let parsed = date::parse(text);
        if parsed.is_none() {
            problems.push((field.to_string(), "Please enter a date like 2027-01-31.".to_string()));
        }
        parsed
    };
    let battery_replace_by = day("battery_replace_by", &form[4]);
    let warranty_expires_on = day("warranty_expires_on", &form[5]);
    let fields = DeviceFields {
        serial: form[0].clone(),
        name: form[1].clone(),
        model: form[2].clone(),
        site: form[3].clone(),
        battery_replace_by,
        warranty_expires_on,
    }
    .checked();
    match fields {
        Ok(fields) if problems.is_empty() => Ok(fields),
        Ok(_) => Err(problems),
        Err(found) => {
            problems.extend(found.into_iter().map(|p| (p.field, p.message)));
            Err(problems)
        }
    }
}

/// The form filled with a device's fields, as the edit dialog opens.
pub fn form_of(d: &Device) -> AddForm {
    let day = |d: Option<chrono::NaiveDate>| d.map(crate::format::iso_day).unwrap_or_default();
    [
        d.serial.clone(),
        d.name.clone(),
        d.model.clone(),
        d.site.clone(),
        day(d.battery_replace_by),
        day(d.warranty_expires_on),
    ]
}

/// What the dialog did.
#[derive(Debug, Clone)]
pub enum Done {
    /// Added, or saved: the device as the server has it now.
    Saved(Box<Device>),
    /// Removed: its id.
    Removed(i64),
}

#[component]
pub fn AddDevice(
    /// The device to edit; none to add one.
    #[prop(optional)]
    editing: Option<Device>,
    /// Cancel, Escape.
    on_close: Callback<()>,
    /// The device the server made or changed, or the one it removed.
    on_done: Callback<Done>,
) -> impl IntoView {
    let session = use_session();
    let start = editing.as_ref().map(form_of).unwrap_or_default();
    let edit_id = editing.as_ref().map(|d| d.id);
    let edit_name = editing.map(|d| if d.name.is_empty() { d.serial } else { d.name });
    let values: [RwSignal<String>; 6] = start.map(RwSignal::new);
    let submitted = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let server = RwSignal::new(None::<ApiError>);
    let last_error = Memo::new(move |_| server.get());
    let problems = Memo::new(move |_| {
        let form: AddForm = std::array::from_fn(|k| values[k].get());
        device_fields(&form).err().unwrap_or_default()
    });
    let other_error = move || {
        last_error
            .get()
            .filter(|e| !FIELDS.iter().any(|(f, _)| e.is_about(f)))
            .map(|e| view! { <ErrorBanner message=e.message /> }.into_any())
    };
    // Each field's error: the browser's check from the first "Add device" on, else the
    // server's refusal of the value as it was sent.
    let errors: [Signal<Option<String>>; 6] = std::array::from_fn(|k| {
        let field = FIELDS[k].0;
        let refused = match k {
            0 => server_error_until_edited(last_error, |e| e.is_about("serial"), values[0]),
            1 => server_error_until_edited(last_error, |e| e.is_about("name"), values[1]),
            2 => server_error_until_edited(last_error, |e| e.is_about("model"), values[2]),
            3 => server_error_until_edited(last_error, |e| e.is_about("site"), values[3]),
            4 => server_error_until_edited(last_error, |e| e.is_about("battery_replace_by"), values[4]),
            _ => server_error_until_edited(last_error, |e| e.is_about("warranty_expires_on"), values[5]),
        };
        Signal::derive(move || {
            let local =
                submitted.get().then(|| problems.with(|p| p.iter().find(|(f, _)| f == field).map(|p| p.1.clone())));
            local.flatten().or_else(|| refused.get())
        })
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        submitted.set(true);
        let form: AddForm = std::array::from_fn(|k| values[k].get_untracked());
        match device_fields(&form) {
            Ok(fields) => {
                busy.set(true);
                server.set(None);
                spawn_local(async move {
                    let answer = match edit_id {
                        Some(id) => api::update_device(session, id, &fields).await,
                        None => api::add_device(session, &fields).await,
                    };
                    let _ = busy.try_set(false);
                    match answer {
                        Ok(device) => on_done.run(Done::Saved(Box::new(device))),
                        Err(e) => {
                            let at = FIELDS.iter().find(|(f, _)| e.is_about(f)).map(|(_, id)| *id);
                            let _ = server.try_set(Some(e));
                            if let Some(id) = at {
                                focus_element(id);
                            }
                        }
                    }
                });
            }
            Err(found) => {
                if let Some((_, id)) = FIELDS.iter().find(|(f, _)| found.iter().any(|(p, _)| p == f)) {
                    focus_element(id);
                }
            }
        }
    };
    let field = move |k: usize, label: &'static str, input_type: &'static str, required: bool| {
        view! {
            <FormField
                id=FIELDS[k].1
                label=label
                input_type=input_type
                required=required
                value=values[k]
                error=errors[k]
            />
        }
    };

    // Removing: asked once more, then sent; a refusal shows in the banner.
    let confirm_remove = RwSignal::new(false);
    let remove = move |_| {
        let Some(id) = edit_id else { return };
        if !confirm_remove.get_untracked() {
            confirm_remove.set(true);
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        server.set(None);
        spawn_local(async move {
            let answer = api::remove_device(session, id).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(()) => on_done.run(Done::Removed(id)),
                Err(e) => {
                    let _ = confirm_remove.try_set(false);
                    let _ = server.try_set(Some(e));
                }
            }
        });
    };
    let remove_button = edit_name.map(|name| {
        let warning = format!("Remove {name} for good? Its plan history goes with it.");
        view! {
            <div class="dialog-danger">
                {move || confirm_remove.get().then(|| view! { <p class="field-error" role="alert">{warning.clone()}</p> })}
                <button type="button" id="device-remove" class="btn btn-danger" on:click=remove>
                    {move || if confirm_remove.get() { "Yes, remove it" } else { "Remove device" }}
                </button>
            </div>
        }
    });
    let (title, action) =
        if edit_id.is_some() { ("Edit device", "Save changes") } else { ("Add a device", "Add device") };

    view! {
        <Dialog title_id="add-title" initial_focus="device-serial" return_focus="add-button" on_close=on_close>
            <h2 id="add-title" class="dialog-title">{title}</h2>
            <form class="form" novalidate=true on:submit=on_submit>
                {other_error}
                <div class="form-grid">
                    {field(0, "Serial number", "text", true)}
                    {field(1, "Name", "text", false)}
                    {field(2, "Model", "text", false)}
                    {field(3, "Site", "text", false)}
                    {field(4, "Battery replace-by", "date", false)}
                    {field(5, "Warranty until", "date", false)}
                </div>
                <div class="dialog-actions">
                    {remove_button}
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <BusyButton submit=true class="btn btn-primary" busy=busy>
                        {action}
                    </BusyButton>
                </div>
            </form>
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(serial: &str, battery: &str) -> AddForm {
        [serial.into(), " UPS Paris 01 ".into(), String::new(), String::new(), battery.into(), String::new()]
    }

    #[test]
    fn the_domains_checks_by_field() {
        let ok = device_fields(&form(" NW-1 ", "2027-01-31")).unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!((ok.serial.as_str(), ok.name.as_str()), ("NW-1", "UPS Paris 01"), "trimmed");
        assert_eq!(ok.battery_replace_by, chrono::NaiveDate::from_ymd_opt(2027, 1, 31));
        let problems = device_fields(&form("", "31/01/2027")).err().unwrap_or_default();
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["battery_replace_by", "serial"]);
        assert_eq!(problems[1].1, "Please enter the serial number.");
    }

    #[test]
    fn the_body_is_the_types_json() {
        let fields = device_fields(&form("NW-\"1\"", "2027-01-31")).unwrap_or_else(|p| panic!("{p:?}"));
        let body: serde_json::Value = serde_json::from_str(&api::device_body(&fields, false)).unwrap_or_default();
        assert_eq!(body, serde_json::to_value(&fields).unwrap_or_default());
        let patch: serde_json::Value = serde_json::from_str(&api::device_body(&fields, true)).unwrap_or_default();
        assert_eq!(
            (&patch["battery_replace_by"], &patch["warranty_expires_on"]),
            (&body["battery_replace_by"], &"".into())
        );
        let share: serde_json::Value = serde_json::from_str(&api::share_body(7, Some(&[1, 2]))).unwrap_or_default();
        assert_eq!(share, serde_json::json!({"partner_org_id": 7, "device_ids": [1, 2]}));
        let all: serde_json::Value = serde_json::from_str(&api::share_body(7, None)).unwrap_or_default();
        assert_eq!(all, serde_json::json!({"partner_org_id": 7, "all": true}));
    }
}
