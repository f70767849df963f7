use leptos::prelude::*;

use super::set_page_title;
use crate::components::{EmptyState, PageHeader};
use crate::sections::RENEWALS;

/// `/renewals`: Everything that expires, soonest first, so nothing lapses by surprise.
#[component]
pub fn Renewals() -> impl IntoView {
    set_page_title(RENEWALS.label);
    view! {
        <PageHeader title=RENEWALS.label description="Everything that expires, soonest first, so nothing lapses by surprise." />
        <EmptyState
            kind=RENEWALS.icon
            title="Nothing to renew yet"
            description="Once you have licenses or device plans, this page lists each one with its expiry date and days left, flags what expires within 30 days, and lets you export a renewals report for a quote."
        />
    }
}
