use leptos::either::Either;
use leptos::prelude::*;
use tessera_domain::api::OrgKind;

use super::set_page_title;
use crate::components::{EmptyState, IconKind, PageHeader};
use crate::sections::QUOTES;
use crate::session::use_session;

/// `/quotes`: partners build quotes for their customers. Other organizations
/// do not see it in the navigation; visiting it directly explains why.
#[component]
pub fn Quotes() -> impl IntoView {
    set_page_title(QUOTES.label);
    let session = use_session();
    let is_partner = Memo::new(move |_| session.org_kind() == Some(OrgKind::Partner));
    view! {
        <PageHeader
            title=QUOTES.label
            description="Renewal quotes and bills of materials for your customers."
        />
        {move || {
            if is_partner.get() {
                Either::Left(view! {
                    <EmptyState
                        kind=QUOTES.icon
                        title="No quotes yet"
                        description="Start a quote from a customer's renewals report or a selection of their devices. You will compare 1, 3 and 5-year options with promotions applied, export the bill of materials and follow each quote from draft to accepted."
                    />
                })
            } else {
                Either::Right(view! {
                    <EmptyState
                        kind=IconKind::Info
                        title="Quotes are for partner organizations"
                        description="Partners build quotes here for their customers. When a partner sends you a quote, you will be able to review and accept it from your Renewals page."
                    >
                        <a class="btn btn-secondary" href="/renewals">"Go to Renewals"</a>
                    </EmptyState>
                })
            }
        }}
    }
}
