//! Renewal notices (SPEC §8): who gets them, and the record that each (item, expiry,
//! threshold) was mailed once, written with the mails in one transaction.

use super::outbox::{insert_mail, Carries, NewMail};
use super::Db;
use crate::clock::to_db;
use chrono::{DateTime, NaiveDate, Utc};
use tessera_domain::renewals::notice_is_news;

/// One item whose notice is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueNotice {
    pub kind: &'static str,
    pub id: i64,
    pub product: String,
    pub expires_on: NaiveDate,
    pub threshold: i64,
}

/// An organization that may have things to renew.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeOrg {
    pub id: i64,
    pub name: String,
    pub reseller_org_id: Option<i64>,
}

impl Db {
    /// Customers and partners (the vendor owns nothing that expires).
    pub async fn notice_orgs(&self) -> Result<Vec<NoticeOrg>, sqlx::Error> {
        sqlx::query_as("SELECT id, name, reseller_org_id FROM organizations WHERE kind <> 'vendor' ORDER BY id")
            .fetch_all(&self.read)
            .await
    }

    /// The addresses of the admins of `org_id` who want renewal notices.
    pub async fn notice_recipients(&self, org_id: i64) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT email FROM users WHERE org_id = ? AND role = 'admin' AND renewal_notices = 1 ORDER BY id",
        )
        .bind(org_id)
        .fetch_all(&self.read)
        .await
    }

    /// Keeps the notices of `due` that are news (no notice for the same or a nearer
    /// threshold of the same expiry was recorded), records them, and queues the mails
    /// `render` makes of them — all in one transaction, so two runs (or two processes) never
    /// both mail an item. Returns the notices recorded.
    pub async fn record_notices(
        &self,
        org_id: i64,
        due: Vec<DueNotice>,
        render: impl FnOnce(&[DueNotice]) -> Vec<NewMail>,
        now: DateTime<Utc>,
    ) -> Result<Vec<DueNotice>, sqlx::Error> {
        let at = to_db(now);
        let mut tx = self.begin_write().await?;
        let mut news = Vec::new();
        for notice in due {
            let sent: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(threshold) FROM renewal_notices
                 WHERE item_kind = ? AND item_id = ? AND product = ? AND expires_on = ?",
            )
            .bind(notice.kind)
            .bind(notice.id)
            .bind(&notice.product)
            .bind(notice.expires_on)
            .fetch_one(&mut *tx)
            .await?;
            if !notice_is_news(notice.threshold, sent) {
                continue;
            }
            sqlx::query(
                "INSERT INTO renewal_notices (item_kind, item_id, product, expires_on, threshold, org_id, sent_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(notice.kind)
            .bind(notice.id)
            .bind(&notice.product)
            .bind(notice.expires_on)
            .bind(notice.threshold)
            .bind(org_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            news.push(notice);
        }
        if !news.is_empty() {
            for mail in render(&news) {
                insert_mail(&mut tx, &mail, Carries::Nothing, &at).await?;
            }
        }
        tx.commit().await?;
        Ok(news)
    }

    /// Turns renewal notices on or off for one person.
    pub async fn set_renewal_notices(&self, user_id: i64, on: bool) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET renewal_notices = ? WHERE id = ?")
            .bind(on)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    pub async fn renewal_notices_on(&self, user_id: i64) -> Result<bool, sqlx::Error> {
        sqlx::query_scalar("SELECT renewal_notices FROM users WHERE id = ?").bind(user_id).fetch_one(&self.read).await
    }

    /// Sets (or clears) the reseller that gets a customer's renewal notices; `false` when the
    /// id is not a partner organization's.
    pub async fn set_reseller(&self, org_id: i64, reseller: Option<i64>) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        if let Some(partner) = reseller {
            let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM organizations WHERE id = ?")
                .bind(partner)
                .fetch_optional(&mut *tx)
                .await?;
            if kind.as_deref() != Some("partner") || partner == org_id {
                return Ok(false);
            }
        }
        sqlx::query("UPDATE organizations SET reseller_org_id = ? WHERE id = ?")
            .bind(reseller)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The reseller of `org_id`: its id and name.
    pub async fn reseller_of(&self, org_id: i64) -> Result<Option<(i64, String)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT r.id, r.name FROM organizations o JOIN organizations r ON r.id = o.reseller_org_id WHERE o.id = ?",
        )
        .bind(org_id)
        .fetch_optional(&self.read)
        .await
    }
}
