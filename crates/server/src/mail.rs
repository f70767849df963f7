//! Mail: what Tessera writes (templates) and how it leaves (the SMTP worker).
//! Every mail goes to the outbox first; without `TESSERA_SMTP_URL` it stays there,
//! readable with `tessera-server mail list|show` and, in dev mode, at `/dev/outbox`.

use crate::state::AppState;
use crate::storage::{MailRecord, NewMail};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Sender of every mail. A deployment's relay may rewrite it.
pub const FROM: &str = "Tessera <no-reply@tessera.invalid>";
const MAX_ATTEMPTS: i64 = 8;

/// The invitation mail: plain text and HTML with the accept link.
pub fn invitation(to: &str, inviter: &str, org: &str, link: &str, expires: &str) -> NewMail {
    let subject = format!("{inviter} invited you to join {org} on Tessera");
    let text = format!(
        "Hello,\n\n{inviter} invited you to join {org} on Tessera, where your company manages its software \
         subscriptions, licenses and renewals.\n\nAccept the invitation:\n{link}\n\nThe link works once and \
         expires on {expires}. If it has expired, ask {inviter} to send a new invitation.\n\nIf you did not \
         expect this invitation, you can ignore this mail.\n"
    );
    let (inviter_h, org_h, link_h) = (escape(inviter), escape(org), escape(link));
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937;line-height:1.5\">\
         <p>Hello,</p><p><strong>{inviter_h}</strong> invited you to join <strong>{org_h}</strong> on Tessera, \
         where your company manages its software subscriptions, licenses and renewals.</p>\
         <p><a href=\"{link_h}\" style=\"display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;\
         border-radius:6px;text-decoration:none\">Accept the invitation</a></p>\
         <p>Or paste this link into your browser:<br><a href=\"{link_h}\">{link_h}</a></p>\
         <p style=\"color:#6b7280\">The link works once and expires on {expires}. If it has expired, ask \
         {inviter_h} to send a new invitation. If you did not expect this invitation, you can ignore this mail.</p>\
         </body></html>"
    );
    NewMail { to: to.to_string(), subject, text, html, kind: "invitation" }
}

/// The notice sent when a password changes, so that a change the owner did not
/// make does not go unnoticed.
pub fn password_changed(to: &str, name: &str, when: &str, sign_in_link: &str) -> NewMail {
    let subject = "Your Tessera password was changed".to_string();
    let text = format!(
        "Hello {name},\n\nThe password of your Tessera account ({to}) was changed on {when}. Every other \
         session of the account was signed out.\n\nIf you made this change, there is nothing more to do.\n\n\
         If you did not, someone else knows your password: ask an admin of your organization to remove the \
         account's access, or sign in at {sign_in_link} and change the password again at once.\n"
    );
    let (name_h, to_h, link_h) = (escape(name), escape(to), escape(sign_in_link));
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937;line-height:1.5\">\
         <p>Hello {name_h},</p><p>The password of your Tessera account (<strong>{to_h}</strong>) was changed on \
         {when}. Every other session of the account was signed out.</p>\
         <p>If you made this change, there is nothing more to do.</p>\
         <p>If you did not, someone else knows your password: ask an admin of your organization to remove the \
         account's access, or <a href=\"{link_h}\">sign in</a> and change the password again at once.</p>\
         </body></html>"
    );
    NewMail { to: to.to_string(), subject, text, html, kind: "password_changed" }
}

/// The link to choose a new password. Sent only to an address that has an account.
pub fn password_reset(to: &str, name: &str, link: &str, lifetime: &str) -> NewMail {
    link_mail(
        "password_reset",
        to,
        "Choose a new Tessera password",
        &format!("Hello {name},"),
        &format!("Someone, probably you, asked to choose a new password for the Tessera account {to}."),
        "Choose a new password",
        link,
        &format!(
            "The link works once, for {lifetime}; a newer request replaces it. Choosing a new password signs \
             out every session of the account. If you did not ask for this, ignore this mail: your password \
             stays as it is."
        ),
    )
}

/// The invitation into someone's Digital Locker.
pub fn locker_invitation(to: &str, inviter: &str, org: &str, link: &str, expires: &str) -> NewMail {
    link_mail(
        "locker_invitation",
        to,
        &format!("{inviter} invited you to share a Digital Locker on Tessera"),
        "Hello,",
        &format!(
            "{inviter} ({org}) invited you to share their Digital Locker on Tessera: the credits you redeem and \
             theirs become one pool that both of you can use. Credits already in your own locker join the pool."
        ),
        "Share the locker",
        link,
        &format!(
            "Sign in (or create an account with this address) to accept. The link works once and expires on \
             {expires}. If you did not expect this, or do not work with {inviter}, ignore this mail."
        ),
    )
}

/// The link that proves a self-registered person receives mail at their address.
pub fn email_verification(to: &str, name: &str, link: &str, lifetime: &str) -> NewMail {
    link_mail(
        "email_verification",
        to,
        "Confirm your email address for Tessera",
        &format!("Hello {name},"),
        &format!(
            "Please confirm that {to} is your address. Until you do, you can look around Tessera, but not \
             invite co-workers or send anything to anyone else."
        ),
        "Confirm my address",
        link,
        &format!(
            "The link works for {lifetime}. If it has expired, sign in and choose \"Send the link again\" on \
             Home. If you did not create a Tessera account, ignore this mail."
        ),
    )
}

/// The notice that a password was replaced through a reset link.
pub fn password_was_reset(to: &str, name: &str, when: &str, sign_in_link: &str) -> NewMail {
    let subject = "Your Tessera password was reset".to_string();
    let text = format!(
        "Hello {name},\n\nThe password of your Tessera account ({to}) was replaced on {when} through a link \
         mailed to this address. Every session of the account was signed out.\n\nIf you did this, there is \
         nothing more to do.\n\nIf you did not, someone can read your mail: secure your mailbox, then choose \
         \"Forgot your password?\" at {sign_in_link}.\n"
    );
    let (name_h, to_h, link_h) = (escape(name), escape(to), escape(sign_in_link));
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937;line-height:1.5\">\
         <p>Hello {name_h},</p><p>The password of your Tessera account (<strong>{to_h}</strong>) was replaced on \
         {when} through a link mailed to this address. Every session of the account was signed out.</p>\
         <p>If you did this, there is nothing more to do.</p>\
         <p>If you did not, someone can read your mail: secure your mailbox, then choose \
         <a href=\"{link_h}\">Forgot your password?</a> on the sign-in page.</p>\
         </body></html>"
    );
    NewMail { to: to.to_string(), subject, text, html, kind: "password_changed" }
}

/// The vouchers of an order, for its installer. The codes are blanked from the outbox's
/// copy once delivered (see [`redact_tokens`]).
pub fn vouchers(to: &str, what: &str, codes: &[String], locker_link: &str, expires: Option<&str>) -> NewMail {
    let (noun, them) = if codes.len() == 1 { ("voucher", "it") } else { ("vouchers", "them") };
    let subject = format!("Your Tessera {noun}: {what}");
    let expiry = expires.map(|d| format!(" Redeem {them} by {d}.")).unwrap_or_default();
    let list = codes.join("\n");
    let text = format!(
        "Hello,\n\nHere {verb} your {noun} for {what}:\n\n{list}\n\nRedeem {them} in the Digital Locker of your \
         Tessera account: {locker_link}{expiry}\nEach code works once. Keep this mail private: anyone with a code \
         can redeem it.\n",
        verb = if codes.len() == 1 { "is" } else { "are" },
    );
    let items: String =
        codes.iter().map(|c| format!("<li><code style=\"font-size:1.1em\">{}</code></li>", escape(c))).collect();
    let (what_h, link_h) = (escape(what), escape(locker_link));
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937;line-height:1.5\">\
         <p>Hello,</p><p>Here {verb} your {noun} for <strong>{what_h}</strong>:</p><ul>{items}</ul>\
         <p>Redeem {them} in the <a href=\"{link_h}\">Digital Locker</a> of your Tessera account.{expiry}</p>\
         <p style=\"color:#6b7280\">Each code works once. Keep this mail private: anyone with a code can redeem it.</p>\
         </body></html>",
        verb = if codes.len() == 1 { "is" } else { "are" },
    );
    NewMail { to: to.to_string(), subject, text, html, kind: "vouchers" }
}

/// The Activation ID of a new license, for its installer: what they type into the product.
pub fn activation(to: &str, what: &str, activation_id: &str, period: &str, license_link: &str) -> NewMail {
    let subject = format!("Your Activation ID for {what}");
    let text = format!(
        "Hello,\n\nA license was created for {what}, {period}.\n\nActivation ID: {activation_id}\n\nEnter it in \
         the product to activate the license. The license and its signed file for offline installations: \
         {license_link}\n"
    );
    let (what_h, id_h, period_h, link_h) = (escape(what), escape(activation_id), escape(period), escape(license_link));
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937;line-height:1.5\">\
         <p>Hello,</p><p>A license was created for <strong>{what_h}</strong>, {period_h}.</p>\
         <p>Activation ID: <code style=\"font-size:1.2em\">{id_h}</code></p>\
         <p>Enter it in the product to activate the license. The license and its signed file for offline \
         installations are on <a href=\"{link_h}\">its page</a>.</p></body></html>"
    );
    NewMail { to: to.to_string(), subject, text, html, kind: "activation" }
}

/// A quote's news (sent, accepted, declined): what happened, and where to see it.
pub fn quote_news(kind: &'static str, to: &str, subject: &str, about: &str, link: &str) -> NewMail {
    link_mail(kind, to, subject, "Hello,", about, "Open the quote", link, "Tessera keeps the quote and its history.")
}

/// A mail whose point is one link: a greeting, what it is about, the link as a button
/// (and pasteable), and what to know about it.
#[allow(clippy::too_many_arguments)]
fn link_mail(
    kind: &'static str,
    to: &str,
    subject: &str,
    greeting: &str,
    about: &str,
    button: &str,
    link: &str,
    note: &str,
) -> NewMail {
    let text = format!("{greeting}\n\n{about}\n\n{button}:\n{link}\n\n{note}\n");
    let (greeting_h, about_h, button_h, link_h, note_h) =
        (escape(greeting), escape(about), escape(button), escape(link), escape(note));
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937;line-height:1.5\">\
         <p>{greeting_h}</p><p>{about_h}</p>\
         <p><a href=\"{link_h}\" style=\"display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;\
         border-radius:6px;text-decoration:none\">{button_h}</a></p>\
         <p>Or paste this link into your browser:<br><a href=\"{link_h}\">{link_h}</a></p>\
         <p style=\"color:#6b7280\">{note_h}</p></body></html>"
    );
    NewMail { to: to.to_string(), subject: subject.to_string(), text, html, kind }
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Delivers the outbox through SMTP, oldest first, retrying failures a few times.
/// Woken by `state.mail_wakeup` when a mail is queued, and every 30 s regardless.
pub async fn worker(state: AppState) {
    let Some(url) = state.config.smtp_url.clone() else { return };
    let transport = match SmtpTarget::parse(url.expose()) {
        Ok(target) => {
            let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&target.host).port(target.port);
            if let Some((user, password)) = target.credentials {
                builder = builder.credentials(Credentials::new(user, password));
            }
            builder.timeout(Some(Duration::from_secs(20))).build()
        }
        Err(e) => {
            // The URL may hold a password: say what is wrong, not what it is.
            tracing::error!(error = %e, "TESSERA_SMTP_URL is not usable; mail stays in the outbox");
            return;
        }
    };
    loop {
        match state.db.unsent_mail(MAX_ATTEMPTS, 20).await {
            Ok(batch) => {
                for mail in batch {
                    deliver(&state, &transport, &mail).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "mailer: cannot read the outbox"),
        }
        tokio::select! {
            _ = state.mail_wakeup.notified() => {},
            _ = tokio::time::sleep(Duration::from_secs(30)) => {},
        }
    }
}

async fn deliver(state: &AppState, transport: &AsyncSmtpTransport<Tokio1Executor>, mail: &MailRecord) {
    let result = match build_message(mail) {
        Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    let outcome = match result {
        Ok(()) => {
            // Once delivered, the outbox no longer needs the link's secret.
            let (text, html) = (redact_tokens(&mail.text), redact_tokens(&mail.html));
            state.db.mark_mail_sent(mail.id, state.clock.now(), &text, &html).await
        }
        Err(e) if mail.attempts + 1 >= MAX_ATTEMPTS => {
            tracing::warn!(mail_id = mail.id, error = %e, "mailer: delivery failed for the last time; giving up");
            let (text, html) = (redact_tokens(&mail.text), redact_tokens(&mail.html));
            state.db.mark_mail_failed(mail.id, &e, Some((&text, &html)), state.clock.now()).await
        }
        Err(e) => {
            tracing::warn!(mail_id = mail.id, error = %e, "mailer: delivery failed");
            state.db.mark_mail_failed(mail.id, &e, None, state.clock.now()).await
        }
    };
    if let Err(e) = outcome {
        tracing::warn!(mail_id = mail.id, error = %e, "mailer: cannot record the delivery");
    }
}

/// Replaces the value of every `token=` in a mail with `[redacted]`.
/// Voucher codes in their grouped form (`7QKX-M2PA-9RTD-WH4Q`) are blanked too: a code is
/// as good as the credits it redeems.
pub fn redact_tokens(body: &str) -> String {
    redact_codes(&redact_link_tokens(body))
}

fn redact_link_tokens(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("token=") {
        let (head, tail) = rest.split_at(at + "token=".len());
        out.push_str(head);
        out.push_str("[redacted]");
        let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces every `XXXX-XXXX-XXXX-XXXX` of code symbols with `[redacted]`.
fn redact_codes(body: &str) -> String {
    const SHAPE: usize = 19;
    let is_symbol = |b: u8| tessera_domain::code::ALPHABET.contains(&b);
    let looks_like_code = |w: &[u8]| {
        w.len() == SHAPE && w.iter().enumerate().all(|(i, &b)| if i % 5 == 4 { b == b'-' } else { is_symbol(b) })
    };
    let bytes = body.as_bytes();
    let mut out = String::with_capacity(body.len());
    let (mut i, mut copied) = (0, 0);
    while i + SHAPE <= bytes.len() {
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            && bytes.get(i + SHAPE).is_none_or(|b| !b.is_ascii_alphanumeric());
        if bounded && looks_like_code(&bytes[i..i + SHAPE]) {
            out.push_str(&body[copied..i]);
            out.push_str("[redacted]");
            i += SHAPE;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&body[copied..]);
    out
}

/// `smtp://[user[:password]@]host[:port]`: a relay spoken to in plain SMTP (port 25 by
/// default), typically on the same host or private network. See docs/decisions.md.
#[derive(Debug, PartialEq, Eq)]
pub struct SmtpTarget {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
}

impl SmtpTarget {
    pub fn parse(url: &str) -> Result<SmtpTarget, String> {
        let rest = url.strip_prefix("smtp://").ok_or("only smtp:// URLs are supported")?;
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| "the port is not a number")?),
            None => (hostport, 25),
        };
        if host.is_empty() {
            return Err("the host is missing".into());
        }
        let credentials = userinfo.map(|u| {
            let (user, password) = u.split_once(':').unwrap_or((u, ""));
            (percent_decode(user), percent_decode(password))
        });
        Ok(SmtpTarget { host: host.to_string(), port, credentials })
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn build_message(mail: &MailRecord) -> Result<Message, String> {
    let from: Mailbox = FROM.parse().map_err(|e| format!("from: {e}"))?;
    let to: Mailbox = mail.to.parse().map_err(|e| format!("to: {e}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(&mail.subject)
        .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voucher_codes_are_blanked_but_not_look_alikes() {
        let body =
            "Your codes:\n7QKX-M2PA-9RTD-WH4Q\n<li>0000-1111-2222-3333</li> ref ABCD-EFGH-JKMN-PQRSX and 2026-12-31";
        let redacted = redact_tokens(body);
        assert!(!redacted.contains("7QKX") && !redacted.contains("0000-1111"), "{redacted}");
        assert_eq!(redacted.matches("[redacted]").count(), 2, "{redacted}");
        assert!(redacted.contains("PQRSX") && redacted.contains("2026-12-31"), "{redacted}");
    }

    #[test]
    fn invitation_mail_links_and_escapes() {
        let m =
            invitation("new@example.com", "Ann <Admin>", "Acme & Co", "http://h/invite/accept?token=abc", "2026-12-01");
        assert!(m.text.contains("http://h/invite/accept?token=abc"));
        assert!(m.html.contains("Ann &lt;Admin&gt;") && m.html.contains("Acme &amp; Co"));
        assert!(!m.html.contains("<Admin>"));
        assert_eq!(m.subject, "Ann <Admin> invited you to join Acme & Co on Tessera");
    }

    #[test]
    fn delivered_mail_keeps_no_token() {
        let m = invitation("a@b.example", "Ann", "Acme", "http://h/invite/accept?token=abc-DEF_123", "x");
        let text = redact_tokens(&m.text);
        let html = redact_tokens(&m.html);
        assert!(!text.contains("abc-DEF_123") && !html.contains("abc-DEF_123"));
        assert!(text.contains("/invite/accept?token=[redacted]\n"), "{text}");
        assert!(html.contains("token=[redacted]\""), "{html}");
    }

    #[test]
    fn smtp_urls() {
        let t = SmtpTarget::parse("smtp://user%40x:p%3Ass@mail.local:2525").expect("valid");
        assert_eq!(t.host, "mail.local");
        assert_eq!(t.port, 2525);
        assert_eq!(t.credentials, Some(("user@x".into(), "p:ss".into())));
        assert_eq!(SmtpTarget::parse("smtp://localhost").expect("valid").port, 25);
        assert!(SmtpTarget::parse("smtps://x").is_err());
        assert!(SmtpTarget::parse("smtp://:25").is_err());
        assert!(SmtpTarget::parse("smtp://h:notaport").is_err());
    }

    #[test]
    fn messages_have_text_and_html_parts() {
        let m = invitation("new@example.com", "Ann", "Acme", "http://h/x", "2026-12-01");
        let record = MailRecord {
            id: 1,
            to: m.to,
            subject: m.subject,
            text: m.text,
            html: m.html,
            kind: "invitation".into(),
            created_at: chrono::DateTime::default(),
            sent_at: None,
            attempts: 0,
            last_error: None,
        };
        let formatted = String::from_utf8(build_message(&record).expect("valid").formatted()).expect("utf8");
        assert!(formatted.contains("multipart/alternative"));
        assert!(formatted.contains("text/plain") && formatted.contains("text/html"));
    }
}
