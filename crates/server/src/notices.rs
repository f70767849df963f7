//! The renewal-notice job (SPEC §8, issue 14): at start and then every hour, for every
//! organization, the items that crossed 60, 30, 7 or 0 days before expiry since the last
//! notice go out in one digest mail to each admin who wants them, and to the admins of the
//! reseller the customer chose. Each (item, expiry, threshold) is mailed once, ever: the
//! record and the mails are written in one transaction (`storage::notices`).

use crate::mail::escape;
use crate::routes::renewals::{device_rows, license_row};
use crate::state::AppState;
use crate::storage::{DueNotice, NewMail};
use std::collections::HashMap;
use tessera_domain::api::RenewalRow;
use tessera_domain::renewals::notice_due;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct NoticeRun {
    /// Items whose notice went out (or was recorded, for an organization nobody reads).
    pub items: usize,
    /// Mails queued.
    pub mails: usize,
}

fn line(r: &RenewalRow) -> String {
    let what = r
        .activation_id
        .as_deref()
        .map(|a| format!("Activation ID {a}"))
        .or_else(|| r.serial.as_deref().map(|s| format!("serial {s}")))
        .unwrap_or_default();
    let when = match r.days_left {
        0 => "expires today".to_string(),
        1 => "1 day left".to_string(),
        d if d > 0 => format!("{d} days left"),
        d => format!("expired {} days ago", -d),
    };
    let site = r.site.as_deref().filter(|s| !s.is_empty()).map(|s| format!(", {s}")).unwrap_or_default();
    format!("{} {} ({}) — {what}{site} — expires on {} ({when})", r.product_name, r.tier, r.customer, r.expires_on)
}

/// Why someone gets the digest: an admin of the organization, or an admin of the partner it
/// chose as its reseller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Admin,
    Reseller,
}

/// The digest for one recipient.
pub fn digest(to: &str, org: &str, rows: &[&RenewalRow], renewals_link: &str, why: Recipient) -> NewMail {
    let subject = format!("Renewal notice: {} items expire soon", rows.len());
    let lines: Vec<String> = rows.iter().map(|r| line(r)).collect();
    let reason = match why {
        Recipient::Admin => "You get this notice as an admin; turn it off on Your account.".to_string(),
        Recipient::Reseller => format!(
            "You get this notice because {org} chose your organization as its reseller in Tessera; they can \
             stop it on their Team page."
        ),
    };
    let text = format!(
        "Hello,\n\nThese subscriptions of {org} expire soon:\n\n{}\n\nRenew them in Tessera: {renewals_link}\n\n{reason}\n",
        lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n")
    );
    let items: String = lines.iter().map(|l| format!("<li>{}</li>", escape(l))).collect();
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937;line-height:1.5\">\
         <p>Hello,</p><p>These subscriptions of <strong>{}</strong> expire soon:</p><ul>{items}</ul>\
         <p><a href=\"{}\">Renew them in Tessera</a>.</p><p style=\"color:#6b7280\">{}</p></body></html>",
        escape(org),
        escape(renewals_link),
        escape(&reason)
    );
    NewMail { to: to.to_string(), subject, text, html, kind: "renewal_notice" }
}

/// One run over every organization.
pub async fn run_once(state: &AppState) -> Result<NoticeRun, sqlx::Error> {
    let (now, today) = (state.clock.now(), state.clock.today());
    let link = format!("{}/renewals", state.config.public_url);
    let mut run = NoticeRun::default();
    for org in state.db.notice_orgs().await? {
        let mut rows = Vec::new();
        for license in state.db.licenses(org.id, crate::routes::licenses::LIST_LIMIT).await? {
            rows.push(license_row(&state.catalog, &license, &org.name, today));
        }
        for device in state.db.visible_devices(org.id).await?.iter().filter(|d| d.device.org_id == org.id) {
            device_rows(&state.catalog, device, today, &mut rows);
        }
        let due: Vec<DueNotice> = rows
            .iter()
            .filter_map(|r| {
                notice_due(r.days_left).map(|threshold| DueNotice {
                    kind: if r.kind == "license" { "license" } else { "device" },
                    id: r.id,
                    product: r.product.clone(),
                    expires_on: r.expires_on,
                    threshold,
                })
            })
            .collect();
        if due.is_empty() {
            continue;
        }
        let mut recipients: Vec<(String, Recipient)> =
            state.db.notice_recipients(org.id).await?.into_iter().map(|to| (to, Recipient::Admin)).collect();
        if let Some(reseller) = org.reseller_org_id {
            recipients
                .extend(state.db.notice_recipients(reseller).await?.into_iter().map(|to| (to, Recipient::Reseller)));
        }
        let by_item: HashMap<(&str, i64, &str), &RenewalRow> =
            rows.iter().map(|r| ((r.kind.as_str(), r.id, r.product.as_str()), r)).collect();
        let mut mails = 0;
        let news = state
            .db
            .record_notices(
                org.id,
                due,
                |news| {
                    let listed: Vec<&RenewalRow> =
                        news.iter().filter_map(|n| by_item.get(&(n.kind, n.id, n.product.as_str())).copied()).collect();
                    mails = recipients.len();
                    recipients.iter().map(|(to, why)| digest(to, &org.name, &listed, &link, *why)).collect()
                },
                now,
            )
            .await?;
        run.items += news.len();
        run.mails += if news.is_empty() { 0 } else { mails };
    }
    if run.mails > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(run)
}

/// Runs the job at start and then every hour, for as long as the server runs.
pub async fn worker(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match run_once(&state).await {
            Ok(run) if run.items > 0 => tracing::info!(items = run.items, mails = run.mails, "renewal notices sent"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the renewal-notice job failed; it runs again in an hour"),
        }
    }
}
