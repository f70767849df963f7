//! Devices (SPEC §5): an organization's own, and those customers shared with it (a partner
//! sees those). Every query here takes the caller's organization and only reaches what it
//! may see.

use super::{is_unique_violation, Db, Tx};
use crate::clock::to_db;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use tessera_domain::device::{DeviceFields, RowProblem};
use tessera_domain::entitlement::Segment;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeviceRecord {
    pub id: i64,
    pub org_id: i64,
    pub serial: String,
    pub model: String,
    pub name: String,
    pub site: String,
    pub battery_replace_by: Option<NaiveDate>,
    pub warranty_expires_on: Option<NaiveDate>,
    /// The owning organization's name.
    pub owner_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SegmentRecord {
    pub device_id: i64,
    pub product: String,
    pub tier: String,
    pub tier_rank: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl SegmentRecord {
    pub fn segment(&self) -> Segment {
        Segment::new(u8::try_from(self.tier_rank).unwrap_or(0), self.tier.clone(), self.starts_on, self.ends_on)
    }
}

/// A device with its chain of segments, oldest first.
#[derive(Debug, Clone)]
pub struct DeviceRow {
    pub device: DeviceRecord,
    pub segments: Vec<SegmentRecord>,
}

#[derive(Debug)]
pub enum DeviceError {
    SerialTaken,
    NotFound,
    /// Only the owning organization changes or removes a device.
    NotOwner,
    /// Paid coverage still ahead: removing the device would throw it away.
    Covered {
        until: NaiveDate,
    },
    Db(sqlx::Error),
}

impl From<sqlx::Error> for DeviceError {
    fn from(e: sqlx::Error) -> Self {
        if is_unique_violation(&e) {
            DeviceError::SerialTaken
        } else {
            DeviceError::Db(e)
        }
    }
}

const DEVICE_COLUMNS: &str = "d.id, d.org_id, d.serial, d.model, d.name, d.site, d.battery_replace_by, \
     d.warranty_expires_on, o.name AS owner_name";

/// `d` is visible to organization `?1`: its own, or shared with it by an active share.
const VISIBLE: &str = "(d.org_id = ?1 OR EXISTS (SELECT 1 FROM device_shares s WHERE s.partner_org_id = ?1 \
     AND s.customer_org_id = d.org_id AND s.revoked_at IS NULL AND (s.all_devices = 1 OR EXISTS \
     (SELECT 1 FROM device_share_items i WHERE i.share_id = s.id AND i.device_id = d.id))))";

/// The devices of `ids` visible to `org_id`, with their segments (inside a transaction).
pub(super) async fn visible_in(tx: &mut Tx<'_>, org_id: i64, ids: &[i64]) -> Result<Vec<DeviceRow>, sqlx::Error> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let found: Option<DeviceRecord> = sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d JOIN organizations o ON o.id = d.org_id WHERE d.id = ?2 AND {VISIBLE}"
        ))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(device) = found {
            let segments = sqlx::query_as(
                "SELECT device_id, product, tier, tier_rank, starts_on, ends_on FROM device_segments
                 WHERE device_id = ? ORDER BY starts_on, ends_on",
            )
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
            out.push(DeviceRow { device, segments });
        }
    }
    Ok(out)
}

/// Replaces the segments of `product` of a device with `chain`.
pub(super) async fn replace_chain(
    tx: &mut Tx<'_>,
    device_id: i64,
    product: &str,
    chain: &[Segment],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM device_segments WHERE device_id = ? AND product = ?")
        .bind(device_id)
        .bind(product)
        .execute(&mut **tx)
        .await?;
    for s in chain {
        sqlx::query(
            "INSERT INTO device_segments (device_id, product, tier, tier_rank, starts_on, ends_on)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(device_id)
        .bind(product)
        .bind(&s.tier)
        .bind(i64::from(s.tier_rank))
        .bind(s.start)
        .bind(s.end)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn insert(tx: &mut Tx<'_>, org_id: i64, f: &DeviceFields, now: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO devices (org_id, serial, model, name, site, battery_replace_by, warranty_expires_on, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(org_id)
    .bind(&f.serial)
    .bind(&f.model)
    .bind(&f.name)
    .bind(&f.site)
    .bind(f.battery_replace_by)
    .bind(f.warranty_expires_on)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

impl Db {
    /// Every device visible to `org_id` (its own first, then shared ones), with segments.
    pub async fn visible_devices(&self, org_id: i64) -> Result<Vec<DeviceRow>, sqlx::Error> {
        let devices: Vec<DeviceRecord> = sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices d JOIN organizations o ON o.id = d.org_id WHERE {VISIBLE}
             ORDER BY d.org_id <> ?1, d.id"
        ))
        .bind(org_id)
        .fetch_all(&self.read)
        .await?;
        let segments: Vec<SegmentRecord> = sqlx::query_as(&format!(
            "SELECT g.device_id, g.product, g.tier, g.tier_rank, g.starts_on, g.ends_on FROM device_segments g
             JOIN devices d ON d.id = g.device_id WHERE {VISIBLE} ORDER BY g.device_id, g.starts_on, g.ends_on"
        ))
        .bind(org_id)
        .fetch_all(&self.read)
        .await?;
        let mut by_device: HashMap<i64, Vec<SegmentRecord>> = HashMap::new();
        for s in segments {
            by_device.entry(s.device_id).or_default().push(s);
        }
        Ok(devices
            .into_iter()
            .map(|device| {
                let segments = by_device.remove(&device.id).unwrap_or_default();
                DeviceRow { device, segments }
            })
            .collect())
    }

    /// One device visible to `org_id`.
    pub async fn device(&self, org_id: i64, id: i64) -> Result<Option<DeviceRow>, sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        let mut tx = sqlx::Acquire::begin(&mut *conn).await?;
        let row = visible_in(&mut tx, org_id, &[id]).await?.pop();
        tx.commit().await?;
        Ok(row)
    }

    pub async fn create_device(
        &self,
        org_id: i64,
        fields: &DeviceFields,
        now: DateTime<Utc>,
    ) -> Result<i64, DeviceError> {
        let mut tx = self.begin_write().await?;
        let id = insert(&mut tx, org_id, fields, &to_db(now)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a device of `org_id` (not one shared with it).
    pub async fn update_device(&self, org_id: i64, id: i64, fields: &DeviceFields) -> Result<(), DeviceError> {
        let mut tx = self.begin_write().await?;
        let owner: Option<i64> =
            sqlx::query_scalar("SELECT org_id FROM devices WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?;
        match owner {
            Some(o) if o == org_id => {}
            Some(_) if !visible_in(&mut tx, org_id, &[id]).await?.is_empty() => return Err(DeviceError::NotOwner),
            _ => return Err(DeviceError::NotFound),
        }
        sqlx::query(
            "UPDATE devices SET serial = ?, model = ?, name = ?, site = ?, battery_replace_by = ?, warranty_expires_on = ?
             WHERE id = ?",
        )
        .bind(&fields.serial)
        .bind(&fields.model)
        .bind(&fields.name)
        .bind(&fields.site)
        .bind(fields.battery_replace_by)
        .bind(fields.warranty_expires_on)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a device of `org_id` that has no coverage left from `today` on.
    pub async fn delete_device(&self, org_id: i64, id: i64, today: NaiveDate) -> Result<(), DeviceError> {
        let mut tx = self.begin_write().await?;
        let row = visible_in(&mut tx, org_id, &[id]).await?.pop().ok_or(DeviceError::NotFound)?;
        if row.device.org_id != org_id {
            return Err(DeviceError::NotOwner);
        }
        if let Some(until) = row.segments.iter().map(|s| s.ends_on).max().filter(|end| *end > today) {
            return Err(DeviceError::Covered { until });
        }
        sqlx::query("DELETE FROM devices WHERE id = ?").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Imports numbered rows into `org_id` in one transaction. Rows whose serial the
    /// organization already has are problems too; with `skip_invalid` they are left out,
    /// otherwise any problem imports nothing. Returns how many were imported and the
    /// problems of the rows left out.
    pub async fn import_devices(
        &self,
        org_id: i64,
        rows: &[(usize, DeviceFields)],
        mut problems: Vec<RowProblem>,
        skip_invalid: bool,
        now: DateTime<Utc>,
    ) -> Result<(usize, Vec<RowProblem>), Result<Vec<RowProblem>, sqlx::Error>> {
        let mut tx = self.begin_write().await.map_err(Err)?;
        let existing: Vec<String> = sqlx::query_scalar("SELECT lower(serial) FROM devices WHERE org_id = ?")
            .bind(org_id)
            .fetch_all(&mut *tx)
            .await
            .map_err(Err)?;
        let existing: std::collections::HashSet<String> = existing.into_iter().collect();
        let mut accepted = Vec::with_capacity(rows.len());
        for (row, fields) in rows {
            if existing.contains(&fields.serial.to_lowercase()) {
                problems.push(RowProblem {
                    row: *row,
                    field: "serial".into(),
                    message: "A device with this serial number is already in your devices.".into(),
                });
            } else {
                accepted.push(fields);
            }
        }
        problems.sort_by_key(|p| p.row);
        if !problems.is_empty() && !skip_invalid {
            return Err(Ok(problems));
        }
        let at = to_db(now);
        for fields in &accepted {
            insert(&mut tx, org_id, fields, &at).await.map_err(Err)?;
        }
        tx.commit().await.map_err(Err)?;
        Ok((accepted.len(), problems))
    }
}
