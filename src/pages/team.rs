use leptos::prelude::*;

use super::set_page_title;
use crate::components::{EmptyState, PageHeader};
use crate::sections::TEAM;

/// `/team`: The people of your organization and the co-workers you have invited.
#[component]
pub fn Team() -> impl IntoView {
    set_page_title(TEAM.label);
    view! {
        <PageHeader title=TEAM.label description="The people of your organization and the co-workers you have invited." />
        <EmptyState
            kind=TEAM.icon
            title="No co-workers yet"
            description="Invite co-workers by email to work on your licenses, devices and Digital Locker together. Pending invitations and everyone who has joined will be listed here, with their role."
        />
    }
}
