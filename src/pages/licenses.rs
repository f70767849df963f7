use leptos::prelude::*;

use super::set_page_title;
use crate::components::{EmptyState, PageHeader};
use crate::sections::LICENSES;

/// `/licenses`: Licenses created from your credits, with their Activation IDs and expiry dates.
#[component]
pub fn Licenses() -> impl IntoView {
    set_page_title(LICENSES.label);
    view! {
        <PageHeader title=LICENSES.label description="Licenses created from your credits, with their Activation IDs and expiry dates." />
        <EmptyState
            kind=LICENSES.icon
            title="No licenses yet"
            description="Create a license from the credits in your Digital Locker: pick the product, tier, term and number of assets. Each license will be listed here with its Activation ID, status and expiry date, ready to renew or upgrade."
        />
    }
}
