//! The mailer delivers the outbox through a real SMTP conversation (a minimal SMTP
//! server on loopback stands in for the relay), then keeps no secret in the outbox.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Accepts SMTP sessions and records each message's DATA.
async fn fake_relay() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 relay.test ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            sink.lock().unwrap().push(std::mem::take(body));
                            data = None;
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 relay.test\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn invitation_mail_is_delivered_over_smtp_and_its_token_redacted_after() {
    let (port, received) = fake_relay().await;
    let mut app = common::TestApp::with_config(|c| {
        c.smtp_url = Some(tessera_server::config::Secret::new(format!("smtp://127.0.0.1:{port}")));
    })
    .await;
    // Registered (and verified: that link is blanked, so never delivered) before the worker starts.
    app.register("customer", "Acme", "ann@acme.example").await;
    let worker = tokio::spawn(tessera_server::mail::worker(app.state.clone()));
    app.invite("new@acme.example").await;
    let token = app.invitation_token("new@acme.example").await;

    let mut sent = None;
    for _ in 0..100 {
        let mail = app.state.db.list_mail(1).await.unwrap().remove(0);
        if mail.sent_at.is_some() {
            sent = Some(mail);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.abort();
    let sent = sent.expect("delivered within 5 s");
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.contains("To: new@acme.example"), "{message}");
    assert!(message.contains("multipart/alternative"), "{message}");
    assert!(message.replace("=\n", "").contains(&token), "the delivered mail carries the link");
    assert!(!sent.text.contains(&token) && !sent.html.contains(&token), "the outbox keeps no live token");
    assert!(sent.text.contains("token=[redacted]"));
}

#[tokio::test]
async fn a_mail_that_can_never_be_delivered_keeps_no_live_token_either() {
    // A port nobody listens on: every attempt is refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut app = common::TestApp::with_config(|c| {
        c.smtp_url = Some(tessera_server::config::Secret::new(format!("smtp://127.0.0.1:{port}")));
    })
    .await;
    // Registered (and verified: that link is blanked, so never delivered) before the worker starts.
    app.register("customer", "Acme", "ann@acme.example").await;
    let worker = tokio::spawn(tessera_server::mail::worker(app.state.clone()));
    app.invite("new@acme.example").await;
    let token = app.invitation_token("new@acme.example").await;

    let mut last = None;
    for _ in 0..200 {
        let mail = app.state.db.list_mail(1).await.unwrap().remove(0);
        if mail.attempts >= 8 {
            last = Some(mail);
            break;
        }
        app.state.mail_wakeup.notify_one();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.abort();
    let mail = last.expect("eight attempts within 10 s");
    assert!(mail.sent_at.is_none() && mail.last_error.is_some());
    assert!(!mail.text.contains(&token) && !mail.html.contains(&token), "given up, and redacted");
}
