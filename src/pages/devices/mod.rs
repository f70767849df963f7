use leptos::prelude::*;

use super::set_page_title;
use crate::components::{EmptyState, PageHeader};
use crate::sections::DEVICES;

/// `/devices`: Your devices and the subscription plans assigned to them.
#[component]
pub fn Devices() -> impl IntoView {
    set_page_title(DEVICES.label);
    view! {
        <PageHeader title=DEVICES.label description="Your devices and the subscription plans assigned to them." />
        <EmptyState
            kind=DEVICES.icon
            title="No devices yet"
            description="Add your devices one by one or import them from a CSV file. Each device will be listed here with its serial number, site, current plan and when it expires."
        />
    }
}
