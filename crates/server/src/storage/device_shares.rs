//! Shares of devices between a customer and a partner (SPEC §1, §5): the partner sees the
//! shared devices, assigns plans to them from its own locker, and quotes for them; the
//! customer revokes when it wants.

use super::Db;
use crate::clock::to_db;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShareRecord {
    pub id: i64,
    pub customer_org_id: i64,
    pub customer_name: String,
    pub partner_org_id: i64,
    pub partner_name: String,
    pub all_devices: bool,
    pub device_count: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug)]
pub enum ShareError {
    /// No partner organization with that id.
    NoSuchPartner,
    /// A device id that is not the customer's own.
    NotYourDevice(i64),
    NotFound,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for ShareError {
    fn from(e: sqlx::Error) -> Self {
        ShareError::Db(e)
    }
}

const SHARE_COLUMNS: &str = "s.id, s.customer_org_id, c.name AS customer_name, s.partner_org_id, p.name AS partner_name, \
     s.all_devices, CASE WHEN s.all_devices = 1 THEN (SELECT COUNT(*) FROM devices d WHERE d.org_id = s.customer_org_id) \
     ELSE (SELECT COUNT(*) FROM device_share_items i WHERE i.share_id = s.id) END AS device_count, s.created_at";

impl Db {
    /// Shares devices of `customer_org_id` with partner `partner_org_id`.
    pub async fn share_devices(
        &self,
        customer_org_id: i64,
        partner_org_id: i64,
        device_ids: Option<&[i64]>,
        created_by: i64,
        now: DateTime<Utc>,
    ) -> Result<i64, ShareError> {
        let mut tx = self.begin_write().await?;
        let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM organizations WHERE id = ?")
            .bind(partner_org_id)
            .fetch_optional(&mut *tx)
            .await?;
        if kind.as_deref() != Some("partner") || partner_org_id == customer_org_id {
            return Err(ShareError::NoSuchPartner);
        }
        if let Some(ids) = device_ids {
            for id in ids {
                let owner: Option<i64> = sqlx::query_scalar("SELECT org_id FROM devices WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if owner != Some(customer_org_id) {
                    return Err(ShareError::NotYourDevice(*id));
                }
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO device_shares (customer_org_id, partner_org_id, all_devices, created_by, created_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(customer_org_id)
        .bind(partner_org_id)
        .bind(device_ids.is_none())
        .bind(created_by)
        .bind(to_db(now))
        .fetch_one(&mut *tx)
        .await?;
        for device in device_ids.unwrap_or_default() {
            sqlx::query("INSERT OR IGNORE INTO device_share_items (share_id, device_id) VALUES (?, ?)")
                .bind(id)
                .bind(device)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Active shares the organization is part of, as customer or as partner, newest first.
    pub async fn device_shares(&self, org_id: i64) -> Result<Vec<ShareRecord>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {SHARE_COLUMNS} FROM device_shares s JOIN organizations c ON c.id = s.customer_org_id
             JOIN organizations p ON p.id = s.partner_org_id
             WHERE (s.customer_org_id = ?1 OR s.partner_org_id = ?1) AND s.revoked_at IS NULL ORDER BY s.id DESC"
        ))
        .bind(org_id)
        .fetch_all(&self.read)
        .await
    }

    pub async fn device_share(&self, org_id: i64, id: i64) -> Result<Option<ShareRecord>, sqlx::Error> {
        Ok(self.device_shares(org_id).await?.into_iter().find(|s| s.id == id))
    }

    /// Revokes a share the customer `org_id` made.
    pub async fn revoke_device_share(&self, org_id: i64, id: i64, now: DateTime<Utc>) -> Result<(), ShareError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE device_shares SET revoked_at = ? WHERE id = ? AND customer_org_id = ? AND revoked_at IS NULL",
        )
        .bind(to_db(now))
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(ShareError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }
}
