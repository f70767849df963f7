//! Organizations: created with their first admin, and their settings.

use super::members::{insert_user, InsertUserError, NewUser, UserRecord};
use super::Db;
use crate::clock::to_db;
use chrono::{DateTime, Utc};
use tessera_domain::api::OrgKind;
use tessera_domain::invitation::InvitePolicy;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRecord {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: OrgKind,
    /// A home owner's organization of one (SPEC §1).
    pub individual: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgSettings {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: OrgKind,
    pub individual: bool,
    pub members_may_invite: bool,
}

impl OrgSettings {
    pub fn invite_policy(&self) -> InvitePolicy {
        InvitePolicy { individual: self.individual, members_may_invite: self.members_may_invite }
    }
}

pub struct NewOrg<'a> {
    pub name: &'a str,
    pub kind: OrgKind,
    pub individual: bool,
}

/// Why an organization could not be created.
#[derive(Debug)]
pub enum OrganizationError {
    /// The first admin's email already has an account.
    EmailTaken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for OrganizationError {
    fn from(e: sqlx::Error) -> Self {
        OrganizationError::Db(e)
    }
}

impl From<InsertUserError> for OrganizationError {
    fn from(e: InsertUserError) -> Self {
        match e {
            InsertUserError::EmailTaken => OrganizationError::EmailTaken,
            InsertUserError::Db(e) => OrganizationError::Db(e),
        }
    }
}

impl Db {
    pub async fn count_organizations(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(&self.read).await
    }

    /// Creates an organization and its first admin in one transaction.
    pub async fn create_org_with_admin(
        &self,
        org: NewOrg<'_>,
        user: NewUser<'_>,
        now: DateTime<Utc>,
    ) -> Result<(OrgRecord, UserRecord), OrganizationError> {
        let now = to_db(now);
        let mut tx = self.begin_write().await?;
        let created: OrgRecord = sqlx::query_as(
            "INSERT INTO organizations (name, kind, individual, created_at) VALUES (?, ?, ?, ?)
             RETURNING id, name, kind, individual",
        )
        .bind(org.name)
        .bind(org.kind.as_str())
        .bind(org.individual)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let admin = insert_user(&mut tx, created.id, &user, &now).await?;
        tx.commit().await?;
        Ok((created, admin))
    }

    pub async fn org_settings(&self, org_id: i64) -> Result<Option<OrgSettings>, sqlx::Error> {
        sqlx::query_as("SELECT id, name, kind, individual, members_may_invite FROM organizations WHERE id = ?")
            .bind(org_id)
            .fetch_optional(&self.read)
            .await
    }

    pub async fn set_members_may_invite(&self, org_id: i64, allowed: bool) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE organizations SET members_may_invite = ? WHERE id = ?")
            .bind(allowed)
            .bind(org_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
