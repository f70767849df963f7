//! Demo data for `cargo xtask run` (`TESSERA_DEMO=1`): seeded once, into an empty database.

use crate::routes::auth::hash_password;
use crate::routes::vouchers::device_months;
use crate::security;
use crate::state::AppState;
use crate::storage::{Actor, FailureLimit, LicenseWork, NewOrg, NewUser, NewVoucher, Redeemer};
use tessera_domain::api::{OrgKind, Role};
use tessera_domain::code::{check_symbol, Code};

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

/// The demo vouchers: (SKU, quantity, already redeemed into Alice's locker). Their codes are
/// fixed (see [`demo_code`]) so that the start-up lines can print them on every start: demo
/// data is public, like the demo password.
pub const VOUCHERS: &[(&str, u32, bool)] = &[
    ("MON-ADV-36", 10, true),
    ("RUM-STD-12", 20, true),
    ("POP-ESS-ADV-MO", 24, true),
    ("MON-STD-12", 5, false),
    ("RUM-ADV-36", 10, false),
    ("PCA-STD-60", 3, false),
];

/// The code of demo voucher `n` (from 1): `DEM0-C0DE-0000-00nX`, with its check symbol.
pub fn demo_code(n: usize) -> Option<Code> {
    let payload = format!("DEM0C0DE{n:07}");
    let check = check_symbol(&payload)?;
    Code::parse(&format!("{payload}{check}")).ok()
}

/// Seeding redeems its own codes: no limit applies.
const UNTHROTTLED: FailureLimit = FailureLimit { max: i64::MAX, window: chrono::Duration::zero() };

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
    seed_vouchers(state).await?;
    seed_licenses(state).await?;
    seed_devices(state).await?;
    tracing::info!(accounts = ACCOUNTS.len(), vouchers = VOUCHERS.len(), licenses = LICENSES.len(), "demo: seeded");
    Ok(())
}

/// Issues the demo vouchers and redeems the first ones into Alice's locker, so that the
/// Digital Locker has credits and history, and some codes are left to try.
async fn seed_vouchers(state: &AppState) -> Result<(), Box<dyn std::error::Error>> {
    let mut redeem = Vec::new();
    let mut rows = Vec::new();
    for (n, (sku, quantity, redeemed)) in VOUCHERS.iter().enumerate() {
        let sku = state.catalog.sku(sku).ok_or_else(|| format!("demo voucher SKU {sku} is not in the catalog"))?;
        let code = demo_code(n + 1).ok_or("demo codes are well-formed")?;
        rows.push(NewVoucher {
            code_hash: security::token_hash(code.as_compact()),
            code_hint: code.last_four().to_string(),
            sku: sku.code.clone(),
            quantity: i64::from(*quantity),
            device_months: i64::try_from(device_months(sku, *quantity))?,
            email: Some(ACCOUNTS[0].email.to_string()),
            expires_on: None,
        });
        if *redeemed {
            redeem.push(code);
        }
    }
    let now = state.clock.now();
    state.db.issue_vouchers(&rows, None, None, now).await.map_err(|e| format!("{e:?}"))?;
    let alice = state.db.user_by_email(ACCOUNTS[0].email).await?.ok_or("the demo customer exists")?;
    for code in redeem {
        let who = Redeemer { user_id: alice.id, name: ACCOUNTS[0].name, org_name: ACCOUNTS[0].org };
        state
            .db
            .redeem_voucher(&security::token_hash(code.as_compact()), who, now, UNTHROTTLED)
            .await
            .map_err(|e| format!("{e:?}"))?;
    }
    Ok(())
}

/// Demo licenses of Alice's company: (SKU, quantity, started this many days ago), each paid
/// by a voucher redeemed that day, so that the Licenses page shows every status: a running
/// license, one about to expire, one in its grace period, one long expired.
pub const LICENSES: &[(&str, u32, u64)] =
    &[("DCM-STD-36", 25, 420), ("NMC-STD-12", 4, 345), ("PCA-STD-12", 2, 385), ("MON-STD-12", 3, 500)];

async fn seed_licenses(state: &AppState) -> Result<(), Box<dyn std::error::Error>> {
    use tessera_domain::license::{self, NewLicense};
    let alice = state.db.user_by_email(ACCOUNTS[0].email).await?.ok_or("the demo customer exists")?;
    let org_id = alice.org_id;
    for (n, (code, quantity, days_ago)) in LICENSES.iter().enumerate() {
        let sku = state.catalog.sku(code).ok_or_else(|| format!("demo license SKU {code} is not in the catalog"))?;
        let then = state.clock.now() - chrono::Duration::days(i64::try_from(*days_ago)?);
        let voucher = demo_code(VOUCHERS.len() + n + 1).ok_or("demo codes are well-formed")?;
        let row = NewVoucher {
            code_hash: security::token_hash(voucher.as_compact()),
            code_hint: voucher.last_four().to_string(),
            sku: sku.code.clone(),
            quantity: i64::from(*quantity),
            device_months: i64::try_from(device_months(sku, *quantity))?,
            email: Some(ACCOUNTS[0].email.to_string()),
            expires_on: None,
        };
        state.db.issue_vouchers(&[row], None, None, then).await.map_err(|e| format!("{e:?}"))?;
        let who = Redeemer { user_id: alice.id, name: ACCOUNTS[0].name, org_name: ACCOUNTS[0].org };
        state
            .db
            .redeem_voucher(&security::token_hash(voucher.as_compact()), who, then, UNTHROTTLED)
            .await
            .map_err(|e| format!("{e:?}"))?;
        let (tier, term) = (sku.tier.clone().unwrap_or_default(), sku.term_months.unwrap_or(12));
        let new =
            NewLicense { product: &sku.product, tier: &tier, term_months: term, quantity: *quantity, starts_on: None };
        let change = license::create(&state.catalog, &new, then.date_naive()).map_err(|e| e.message())?;
        let installer = tessera_domain::email::Email::parse(ACCOUNTS[0].email).map_err(|e| e.message())?;
        let op = crate::routes::licenses::create_op(state, &change, installer);
        let work = LicenseWork {
            op,
            actor: Actor { user_id: alice.id, name: ACCOUNTS[0].name.to_string(), org_id },
            now: then,
            idempotency: None,
            catalog: state.catalog.clone(),
            render: crate::routes::licenses::render,
        };
        state.db.license_job(work).await.map_err(|e| format!("{e:?}"))?;
    }
    Ok(())
}

/// Demo devices of Alice's company.
pub const DEVICES: usize = 250;
const SITES: [&str; 6] = ["Paris HQ", "Lyon Plant", "Lille Depot", "Nantes Office", "Marseille DC", "Toulouse Lab"];
const MODELS: [&str; 5] =
    ["Smart-UPS 1500", "Smart-UPS 3000", "Galaxy VS 20kW", "Easy UPS 10kVA", "Smart-UPS On-Line 6kVA"];
/// The site whose devices are shared with the demo partner.
pub const SHARED_SITE: &str = "Lyon Plant";

/// 250 devices across six sites, with battery and warranty dates around today, most with a
/// Remote UPS Monitoring plan assigned on a day in the past (so that expiries spread over the
/// coming months, some already past), a few upgraded to Advanced; the Lyon plant's devices
/// are shared with the demo partner.
async fn seed_devices(state: &AppState) -> Result<(), Box<dyn std::error::Error>> {
    use crate::storage::{AssignWork, PlanToAssign};
    use tessera_domain::device::DeviceFields;
    let alice = state.db.user_by_email(ACCOUNTS[0].email).await?.ok_or("the demo customer exists")?;
    let now = state.clock.now();
    let today = now.date_naive();
    let shift = |days: i64| today + chrono::Duration::days(days);
    let mut ids = Vec::with_capacity(DEVICES);
    for n in 0..DEVICES {
        let n64 = i64::try_from(n)?;
        let site = SITES[n % SITES.len()];
        let fields = DeviceFields {
            serial: format!("NW{:02}{:06}", n % SITES.len() + 10, 410_000 + n * 7),
            model: MODELS[n * 7 % MODELS.len()].to_string(),
            name: format!("UPS {} {:02}", site.split(' ').next().unwrap_or(site), n / SITES.len() + 1),
            site: site.to_string(),
            battery_replace_by: Some(shift((n64 * 37) % 1100 - 250)),
            warranty_expires_on: (!n.is_multiple_of(9)).then(|| shift((n64 * 53) % 1500 - 300)),
        };
        ids.push(state.db.create_device(alice.org_id, &fields, now).await.map_err(|e| format!("{e:?}"))?);
    }
    // Plans: every device but one in six; started 0 to 420 days ago.
    let plan = |n: usize| {
        if n.is_multiple_of(11) {
            "RUM-ADV-36"
        } else if n.is_multiple_of(4) {
            "RUM-ADV-12"
        } else {
            "RUM-STD-12"
        }
    };
    let covered: Vec<usize> = (0..DEVICES).filter(|n| n % 6 != 5).collect();
    let mut codes = Vec::new();
    for sku in ["RUM-STD-12", "RUM-ADV-12", "RUM-ADV-36"] {
        let count = covered.iter().filter(|n| plan(**n) == sku).count();
        let found = state.catalog.sku(sku).ok_or_else(|| format!("demo SKU {sku} is not in the catalog"))?;
        let code = demo_code(VOUCHERS.len() + LICENSES.len() + codes.len() + 1).ok_or("demo codes are well-formed")?;
        let quantity = u32::try_from(count)?;
        let row = NewVoucher {
            code_hash: security::token_hash(code.as_compact()),
            code_hint: code.last_four().to_string(),
            sku: found.code.clone(),
            quantity: i64::from(quantity),
            device_months: i64::try_from(device_months(found, quantity))?,
            email: Some(ACCOUNTS[0].email.to_string()),
            expires_on: None,
        };
        let then = now - chrono::Duration::days(430);
        state.db.issue_vouchers(&[row], None, None, then).await.map_err(|e| format!("{e:?}"))?;
        let who = Redeemer { user_id: alice.id, name: ACCOUNTS[0].name, org_name: ACCOUNTS[0].org };
        state
            .db
            .redeem_voucher(&security::token_hash(code.as_compact()), who, then, UNTHROTTLED)
            .await
            .map_err(|e| format!("{e:?}"))?;
        codes.push(code);
    }
    for n in covered {
        let days_ago = i64::try_from((n * 29) % 420)?;
        let then = now - chrono::Duration::days(days_ago);
        let work = AssignWork {
            plan: PlanToAssign::of(&state.catalog, plan(n), then.date_naive()).map_err(|e| format!("{e:?}"))?,
            device_ids: vec![ids[n]],
            actor: Actor { user_id: alice.id, name: ACCOUNTS[0].name.to_string(), org_id: alice.org_id },
            now: then,
            idempotency: None,
            catalog: state.catalog.clone(),
            render: crate::routes::subscriptions::render,
        };
        state.db.assign_plan(work).await.map_err(|e| format!("{e:?}"))?;
    }
    let partner = state.db.user_by_email(ACCOUNTS[2].email).await?.ok_or("the demo partner exists")?;
    let shared: Vec<i64> = (0..DEVICES).filter(|n| SITES[n % SITES.len()] == SHARED_SITE).map(|n| ids[n]).collect();
    state
        .db
        .share_devices(alice.org_id, partner.org_id, Some(&shared), alice.id, now)
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(())
}

/// The sign-in of the large demo organization (`tessera-server demo large`).
pub const LARGE_EMAIL: &str = "big@large-customer.example";

/// Fills an empty database with one customer of `devices` devices across 40 sites, each
/// with segments of varied tiers and dates (plans assigned on past days through the credit
/// writer, a quarter upgraded later), for measuring the pages as a big customer sees them.
pub async fn seed_large(state: &AppState, devices: usize) -> Result<(), Box<dyn std::error::Error>> {
    use crate::storage::{AssignWork, PlanToAssign};
    use tessera_domain::device::DeviceFields;
    if state.db.count_organizations().await? > 0 {
        return Err(
            "the database is not empty: `demo large` fills a throw-away one (use a new TESSERA_DATA_DIR)".into()
        );
    }
    let hash = hash_password(DEMO_PASSWORD.to_string()).await.map_err(|e| e.message)?;
    let now = state.clock.now();
    let (org, admin) = state
        .db
        .create_org_with_admin(
            NewOrg { name: "Large Customer", kind: OrgKind::Customer, individual: false },
            NewUser {
                email: LARGE_EMAIL,
                name: "Big Admin",
                password_hash: &hash,
                role: Role::Admin,
                must_change_password: false,
                email_verified: true,
            },
            now,
        )
        .await
        .map_err(|e| format!("{e:?}"))?;
    let today = now.date_naive();
    let rows: Vec<(usize, DeviceFields)> = (0..devices)
        .map(|n| {
            let n64 = i64::try_from(n).unwrap_or(0);
            let site = format!("Site {:02}", n % 40);
            (
                n + 1,
                DeviceFields {
                    serial: format!("LC{n:07}"),
                    model: MODELS[n % MODELS.len()].to_string(),
                    name: format!("UPS {} {:04}", site, n / 40 + 1),
                    site,
                    battery_replace_by: Some(today + chrono::Duration::days((n64 * 37) % 1100 - 250)),
                    warranty_expires_on: (!n.is_multiple_of(9))
                        .then(|| today + chrono::Duration::days((n64 * 53) % 1500 - 300)),
                },
            )
        })
        .collect();
    state.db.import_devices(org.id, &rows, Vec::new(), false, now).await.map_err(|e| format!("{e:?}"))?;
    let ids: Vec<i64> = state.db.visible_devices(org.id).await?.iter().map(|d| d.device.id).collect();
    // Plans in groups of 100 devices, each group on its own day in the last three years.
    let groups: Vec<&[i64]> = ids.chunks(100).collect();
    let skus = ["RUM-STD-12", "RUM-STD-36", "RUM-ADV-12", "RUM-ADV-36", "RUM-STD-60"];
    let mut plan_of = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let days_ago = i64::try_from((g * 211) % 1100)?;
        plan_of.push((skus[g % skus.len()], days_ago, *group));
        if g % 4 == 1 && days_ago > 60 {
            plan_of.push(("RUM-ADV-12", days_ago / 2, *group));
        }
    }
    let who = Redeemer { user_id: admin.id, name: "Big Admin", org_name: "Large Customer" };
    for (n, (sku, days_ago, group)) in plan_of.into_iter().enumerate() {
        let then = now - chrono::Duration::days(days_ago);
        let found = state.catalog.sku(sku).ok_or("the demo SKUs are in the catalog")?;
        let quantity = u32::try_from(group.len())?;
        let code = demo_code(1_000_000 + n).ok_or("demo codes are well-formed")?;
        let voucher = NewVoucher {
            code_hash: security::token_hash(code.as_compact()),
            code_hint: code.last_four().to_string(),
            sku: found.code.clone(),
            quantity: i64::from(quantity),
            device_months: i64::try_from(device_months(found, quantity))?,
            email: None,
            expires_on: None,
        };
        state.db.issue_vouchers(&[voucher], None, None, then).await.map_err(|e| format!("{e:?}"))?;
        let redeemer = Redeemer { ..who };
        state
            .db
            .redeem_voucher(&security::token_hash(code.as_compact()), redeemer, then, UNTHROTTLED)
            .await
            .map_err(|e| format!("{e:?}"))?;
        let work = AssignWork {
            plan: PlanToAssign::of(&state.catalog, sku, then.date_naive()).map_err(|e| format!("{e:?}"))?,
            device_ids: group.to_vec(),
            actor: Actor { user_id: admin.id, name: "Big Admin".into(), org_id: org.id },
            now: then,
            idempotency: None,
            catalog: state.catalog.clone(),
            render: crate::routes::subscriptions::render,
        };
        state.db.assign_plan(work).await.map_err(|e| format!("{e:?}"))?;
    }
    Ok(())
}

/// The lines `serve` prints in demo mode.
pub fn sign_in_help(url: &str) -> String {
    let mut out = format!("\n  Tessera is running at {url}\n\n  Demo sign-ins (password: {DEMO_PASSWORD}):\n");
    for a in ACCOUNTS {
        out.push_str(&format!("    {:<32} {} {} of {}\n", a.email, a.kind.as_str(), a.role.as_str(), a.org));
    }
    out.push_str(&format!("\n  Voucher codes to redeem in the Digital Locker (as {}):\n", ACCOUNTS[0].email));
    for (n, (sku, quantity, redeemed)) in VOUCHERS.iter().enumerate() {
        if let (false, Some(code)) = (redeemed, demo_code(n + 1)) {
            out.push_str(&format!("    {code}   {quantity} \u{d7} {sku}\n"));
        }
    }
    out
}
