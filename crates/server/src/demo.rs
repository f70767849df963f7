//! Demo data for `cargo xtask run` (`TESSERA_DEMO=1`): seeded once, into an empty database.

use crate::routes::auth::hash_password;
use crate::state::AppState;
use crate::storage::{NewOrg, NewUser};
use tessera_domain::api::{OrgKind, Role};

/// Every demo account's password. Demo data only: never seeded unless asked for.
pub const DEMO_PASSWORD: &str = "tessera-demo-2026";

pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub org: &'static str,
    pub kind: OrgKind,
    pub role: Role,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "alice@northwind.example",
        name: "Alice Martin",
        org: "Northwind Facilities",
        kind: OrgKind::Customer,
        role: Role::Admin,
    },
    DemoAccount {
        email: "mark@northwind.example",
        name: "Mark Dubois",
        org: "Northwind Facilities",
        kind: OrgKind::Customer,
        role: Role::Member,
    },
    DemoAccount {
        email: "paula@brightline.example",
        name: "Paula Rossi",
        org: "Brightline Power Partners",
        kind: OrgKind::Partner,
        role: Role::Admin,
    },
    DemoAccount {
        email: "victor@tessera-vendor.example",
        name: "Victor Lang",
        org: "Tessera Software (vendor)",
        kind: OrgKind::Vendor,
        role: Role::Admin,
    },
];

pub async fn seed_if_empty(state: &AppState) -> Result<(), Box<dyn std::error::Error>> {
    if state.db.count_organizations().await? > 0 {
        tracing::info!("demo: database already has data, not seeding");
        return Ok(());
    }
    let hash = hash_password(DEMO_PASSWORD.to_string()).await.map_err(|e| e.message)?;
    let now = state.clock.now();
    let mut org_ids: Vec<(&str, i64)> = Vec::new();
    for a in ACCOUNTS {
        let user = NewUser {
            email: a.email,
            name: a.name,
            password_hash: &hash,
            role: a.role,
            must_change_password: false,
            email_verified: true,
        };
        match org_ids.iter().find(|(name, _)| *name == a.org) {
            Some((_, org_id)) => {
                state.db.add_user(*org_id, user, now).await.map_err(|e| format!("{e:?}"))?;
            }
            None => {
                let (org, _) = state
                    .db
                    .create_org_with_admin(NewOrg { name: a.org, kind: a.kind, individual: false }, user, now)
                    .await
                    .map_err(|e| format!("{e:?}"))?;
                org_ids.push((a.org, org.id));
            }
        }
    }
    tracing::info!(accounts = ACCOUNTS.len(), "demo: seeded");
    Ok(())
}

/// The lines `serve` prints in demo mode.
pub fn sign_in_help(url: &str) -> String {
    let mut out = format!("\n  Tessera is running at {url}\n\n  Demo sign-ins (password: {DEMO_PASSWORD}):\n");
    for a in ACCOUNTS {
        out.push_str(&format!("    {:<32} {} {} of {}\n", a.email, a.kind.as_str(), a.role.as_str(), a.org));
    }
    out
}
