//! `/devices/activate`: the Subscription overview's flow (SPEC §5, issue 13): activate a
//! code, see the activated plans, assign them to devices, confirm, done.

use leptos::prelude::*;

use super::set_page_title;
use crate::components::PageHeader;

/// `/devices/activate`
#[component]
pub fn ActivateCode() -> impl IntoView {
    set_page_title("Activate a code");
    view! { <PageHeader title="Activate a code" description="Activate a code and assign its plans to your devices." /> }
}
