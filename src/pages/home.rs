use leptos::prelude::*;
use tessera_domain::api::{OrgKind, Role};

use super::set_page_title;
use crate::components::{Icon, IconKind, PageHeader, VerifyReminder};
use crate::sections::{first_name, kind_label, role_label, sections_for};
use crate::session::use_session;

/// What a role may do, in one sentence; the vendor's people work in the back office.
fn role_summary(kind: OrgKind, role: Role) -> &'static str {
    match (kind, role) {
        (OrgKind::Vendor, Role::Admin) => {
            "As an admin you can invite co-workers, issue vouchers and follow who redeemed them."
        }
        (OrgKind::Vendor, Role::Member) => "As a member you can issue vouchers and follow who redeemed them.",
        (_, Role::Admin) => "As an admin you can invite co-workers and manage everything your organization owns.",
        (_, Role::Member) => "As a member you can work with your organization's licenses, devices and credits.",
    }
}

/// The line under the greeting.
fn home_description(kind: Option<OrgKind>) -> &'static str {
    if kind == Some(OrgKind::Vendor) {
        "The back office: issue voucher codes for orders and follow their redemption."
    } else {
        "Manage your software subscriptions: credits, licenses, devices and renewals."
    }
}

/// `/`: who you are, in which organization, and where to go next.
#[component]
pub fn Home() -> impl IntoView {
    set_page_title("Home");
    let session = use_session();
    let greeting = session
        .with_me_untracked(|me| format!("Welcome, {}", first_name(&me.user.name)))
        .unwrap_or_else(|| "Welcome".into());
    let summary = move || {
        session.with_me(|me| {
            let partner_id = (me.organization.kind == OrgKind::Partner).then_some(me.organization.id);
            view! {
                <section class="card org-summary" aria-labelledby="org-summary-title">
                    <h2 id="org-summary-title" class="visually-hidden">"Your organization"</h2>
                    <dl class="facts">
                        <div class="fact">
                            <dt>"Organization"</dt>
                            <dd>{me.organization.name.clone()}</dd>
                        </div>
                        <div class="fact">
                            <dt>"Type"</dt>
                            <dd>{kind_label(me.organization.kind)}</dd>
                        </div>
                        <div class="fact">
                            <dt>"Your role"</dt>
                            <dd>{role_label(me.role)}</dd>
                        </div>
                        {partner_id
                            .map(|id| {
                                view! {
                                    <div class="fact">
                                        <dt>"Partner ID"</dt>
                                        <dd class="partner-id" data-testid="partner-id">{id}</dd>
                                    </div>
                                }
                            })}
                    </dl>
                    <p class="org-summary-note">{role_summary(me.organization.kind, me.role)}</p>
                    {partner_id
                        .map(|_| {
                            view! {
                                <p class="partner-note">
                                    "Give your Partner ID to your customers so they can share their devices with you."
                                </p>
                            }
                        })}
                </section>
            }
            .into_any()
        })
    };
    let kind = Memo::new(move |_| session.org_kind());
    let individual = Memo::new(move |_| session.individual());
    let cards = move || {
        sections_for(kind.get(), individual.get())
            .filter(|s| s.path != "/")
            .map(|s| {
                view! {
                    <li>
                        <a class="section-card" href=s.path>
                            <span class="section-card-icon">
                                <Icon kind=s.icon />
                            </span>
                            <span class="section-card-body">
                                <span class="section-card-title">{s.label}</span>
                                <span class="section-card-text">{s.summary}</span>
                            </span>
                            <Icon kind=IconKind::ArrowRight class="icon section-card-arrow" />
                        </a>
                    </li>
                }
                .into_any()
            })
            .collect::<Vec<_>>()
    };

    view! {
        <PageHeader title=greeting description=home_description(session.with_me_untracked(|me| me.organization.kind)) />
        <VerifyReminder />
        <super::renewals::ExpiringBanner />
        {move || summary()}
        <section class="home-sections" aria-labelledby="sections-title">
            <h2 id="sections-title" class="section-title">"Get started"</h2>
            <ul class="card-grid">{move || cards()}</ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_explained() {
        assert!(role_summary(OrgKind::Customer, Role::Admin).contains("invite"));
        assert!(!role_summary(OrgKind::Partner, Role::Member).is_empty());
        assert!(role_summary(OrgKind::Vendor, Role::Member).contains("issue vouchers"));
        assert!(home_description(Some(OrgKind::Vendor)).contains("back office"));
        assert!(home_description(Some(OrgKind::Customer)).contains("licenses"));
    }
}
