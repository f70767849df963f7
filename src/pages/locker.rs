use leptos::prelude::*;

use super::set_page_title;
use crate::components::{EmptyState, PageHeader};
use crate::sections::LOCKER;

/// `/locker`: Credits from redeemed vouchers, ready to turn into licenses and device plans.
#[component]
pub fn Locker() -> impl IntoView {
    set_page_title(LOCKER.label);
    view! {
        <PageHeader title=LOCKER.label description="Credits from redeemed vouchers, ready to turn into licenses and device plans." />
        <EmptyState
            kind=LOCKER.icon
            title="Your Digital Locker is empty"
            description="When you redeem a voucher code, its credits land here. You will see the balance per product, spend it on licenses and device plans, and find every change in the consumption history."
        />
    }
}
