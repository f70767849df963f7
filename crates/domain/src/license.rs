//! Licenses (SPEC §4): what creating, growing, renewing, amending and extending one costs,
//! and what the license is afterwards.
//!
//! Every operation is a pure function of the catalog, the license as it is, the request and
//! "today" (the server's clock): it returns the credits to consume and the license after the
//! change, or why it is refused. The server loads, calls one of these and writes the result;
//! the browser calls none of them for money (it asks the server for a preview, so a price is
//! never computed twice), but reads the errors' words from here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Model, Product, SkuKind};
use crate::dates::{add_days, add_months, days_left, remaining_months};
use crate::proration::{addon_cost, amendment_cost, increase_cost, term_device_months, units_to_cover};
use crate::renewal::{self, RenewError};
use crate::status::{status_on, Status};

/// Assets one license may cover: far above any real site, low enough that every cost fits
/// comfortably in the ledger's integers.
pub const MAX_QUANTITY: u32 = 100_000;

/// How far ahead a start date may be set: a license is bought for a project that starts
/// soon, and a date years away is almost always a typo of the year.
pub const MAX_START_DAYS_AHEAD: u64 = 365;

/// A license as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    pub product: String,
    pub tier: String,
    /// The term of the last purchase (creation or renewal): with the tier, it names the
    /// license's SKU, the one increases consume.
    pub term_months: u32,
    pub quantity: u32,
    pub starts_on: NaiveDate,
    /// The first day no longer covered ("Expires on").
    pub expires_on: NaiveDate,
    /// SKU codes of the add-on modules, in the order they were added.
    pub addons: Vec<String>,
}

/// Device-months of one SKU: what an operation consumes, or what a locker lacks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consumption {
    pub sku: String,
    pub device_months: u64,
}

/// What happened to a license, as its history names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Increased,
    Renewed,
    Amended,
    AddOn,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Increased => "increased",
            EventKind::Renewed => "renewed",
            EventKind::Amended => "amended",
            EventKind::AddOn => "add_on",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        [EventKind::Created, EventKind::Increased, EventKind::Renewed, EventKind::Amended, EventKind::AddOn]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Created => "Created",
            EventKind::Increased => "Quantity increased",
            EventKind::Renewed => "Renewed",
            EventKind::Amended => "Tier upgraded",
            EventKind::AddOn => "Add-on added",
        }
    }
}

impl TryFrom<String> for EventKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        EventKind::parse(&s).ok_or_else(|| format!("unknown license event kind {s:?}"))
    }
}

/// The result of an operation: what it consumes, the license after it, and the sentence
/// its history keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: EventKind,
    pub consumes: Vec<Consumption>,
    pub after: License,
    pub summary: String,
}

/// Why an operation is refused. Each has a stable code; [`LicenseError::is_conflict`] tells
/// a request that can never be right (422) from one the license's state refuses (409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenseError {
    UnknownProduct,
    NotALicense,
    UnknownTier,
    TermNotOffered,
    /// The catalog sells no SKU for this product, tier and term.
    NoPlanSku,
    QuantityInvalid,
    StartInPast,
    StartTooLate,
    /// Past its end date: increases, amendments and add-ons would cost nothing and last
    /// nothing; the license has to be renewed first.
    Ended,
    NotAnUpgrade,
    NoAmendment,
    UnknownAddOn,
    AddOnPresent,
    Renewal(RenewError),
}

impl LicenseError {
    pub fn code(&self) -> &'static str {
        match self {
            LicenseError::UnknownProduct => "product_unknown",
            LicenseError::NotALicense => "product_not_license",
            LicenseError::UnknownTier => "tier_unknown",
            LicenseError::TermNotOffered | LicenseError::Renewal(RenewError::ZeroTerm) => "invalid_term",
            LicenseError::NoPlanSku => "plan_unavailable",
            LicenseError::QuantityInvalid => "invalid_quantity",
            LicenseError::StartInPast => "start_date_past",
            LicenseError::StartTooLate => "start_date_too_late",
            LicenseError::Ended => "license_ended",
            LicenseError::NotAnUpgrade => "amendment_not_upgrade",
            LicenseError::NoAmendment => "amendment_unavailable",
            LicenseError::UnknownAddOn => "addon_unknown",
            LicenseError::AddOnPresent => "addon_present",
            LicenseError::Renewal(e) => e.code(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            LicenseError::UnknownProduct => "We do not sell this product.".into(),
            LicenseError::NotALicense => {
                "This product is sold as device subscriptions: assign it to devices instead.".into()
            }
            LicenseError::UnknownTier => "This product has no such tier.".into(),
            LicenseError::TermNotOffered | LicenseError::Renewal(RenewError::ZeroTerm) => {
                "Please choose a term of 1, 3 or 5 years that this product offers.".into()
            }
            LicenseError::NoPlanSku => "This plan is not sold at the moment.".into(),
            LicenseError::QuantityInvalid => {
                format!("Please enter a number of assets between 1 and {MAX_QUANTITY}.")
            }
            LicenseError::StartInPast => "The start date cannot be in the past.".into(),
            LicenseError::StartTooLate => {
                format!("The start date must be within {MAX_START_DAYS_AHEAD} days from today.")
            }
            LicenseError::Ended => "This license has ended. Renew it first, then change it.".into(),
            LicenseError::NotAnUpgrade => "A license can only move to a higher tier.".into(),
            LicenseError::NoAmendment => "There is no upgrade between these tiers.".into(),
            LicenseError::UnknownAddOn => "This product has no such add-on.".into(),
            LicenseError::AddOnPresent => "This license has this add-on already.".into(),
            LicenseError::Renewal(e) => e.message().into(),
        }
    }

    /// The request field the error is about.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            LicenseError::UnknownProduct | LicenseError::NotALicense => Some("product"),
            LicenseError::UnknownTier | LicenseError::NotAnUpgrade | LicenseError::NoAmendment => Some("tier"),
            LicenseError::TermNotOffered | LicenseError::NoPlanSku | LicenseError::Renewal(RenewError::ZeroTerm) => {
                Some("term_months")
            }
            LicenseError::QuantityInvalid => Some("quantity"),
            LicenseError::StartInPast | LicenseError::StartTooLate => Some("start_date"),
            LicenseError::UnknownAddOn | LicenseError::AddOnPresent => Some("sku"),
            LicenseError::Ended | LicenseError::Renewal(RenewError::ExpiredNoRenewal) => None,
        }
    }

    /// The license's state refuses it (409), rather than the request being wrong (422).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            LicenseError::Ended | LicenseError::AddOnPresent | LicenseError::Renewal(RenewError::ExpiredNoRenewal)
        )
    }
}

impl std::fmt::Display for LicenseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// What a new license is asked to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLicense<'a> {
    pub product: &'a str,
    pub tier: &'a str,
    pub term_months: u32,
    pub quantity: u32,
    /// Today when `None`.
    pub starts_on: Option<NaiveDate>,
}

fn license_product<'c>(catalog: &'c Catalog, key: &str) -> Result<&'c Product, LicenseError> {
    let product = catalog.product(key).ok_or(LicenseError::UnknownProduct)?;
    if product.model != Model::License {
        return Err(LicenseError::NotALicense);
    }
    Ok(product)
}

fn check_quantity(quantity: u32) -> Result<(), LicenseError> {
    if quantity == 0 || quantity > MAX_QUANTITY {
        return Err(LicenseError::QuantityInvalid);
    }
    Ok(())
}

/// The plan SKU for `tier` and `term` of `product`, checked against what it offers.
fn plan_code(catalog: &Catalog, product: &Product, tier: &str, term: u32) -> Result<String, LicenseError> {
    if product.tier(tier).is_none() {
        return Err(LicenseError::UnknownTier);
    }
    if !product.offers_term(term) {
        return Err(LicenseError::TermNotOffered);
    }
    catalog.plan_sku(&product.key, tier, term).map(|s| s.code.clone()).ok_or(LicenseError::NoPlanSku)
}

/// Months a promotion adds to a term bought on `today`: the largest one that applies
/// (overlapping promotions do not add up, so a catalog edit cannot double a bonus).
pub fn bonus_months(catalog: &Catalog, sku: &str, today: NaiveDate) -> u32 {
    catalog.promotions_on(sku, today).iter().map(|p| p.bonus_months).max().unwrap_or(0)
}

/// A term's length in words: "1 year", "3 years", "18 months".
pub fn term_words(months: u32) -> String {
    match months {
        12 => "1 year".into(),
        m if m % 12 == 0 => format!("{} years", m / 12),
        1 => "1 month".into(),
        m => format!("{m} months"),
    }
}

/// Creates a license: `quantity × term` device-months of the plan's SKU (SPEC §4).
pub fn create(catalog: &Catalog, new: &NewLicense<'_>, today: NaiveDate) -> Result<Change, LicenseError> {
    let product = license_product(catalog, new.product)?;
    let sku = plan_code(catalog, product, new.tier, new.term_months)?;
    check_quantity(new.quantity)?;
    let starts_on = new.starts_on.unwrap_or(today);
    if starts_on < today {
        return Err(LicenseError::StartInPast);
    }
    if starts_on > add_days(today, MAX_START_DAYS_AHEAD) {
        return Err(LicenseError::StartTooLate);
    }
    let bonus = bonus_months(catalog, &sku, today);
    let after = License {
        product: product.key.clone(),
        tier: new.tier.to_string(),
        term_months: new.term_months,
        quantity: new.quantity,
        starts_on,
        expires_on: add_months(starts_on, new.term_months.saturating_add(bonus)),
        addons: Vec::new(),
    };
    let bonus_words = if bonus > 0 { format!(" (+{} free)", term_words(bonus)) } else { String::new() };
    let summary = format!(
        "Created for {} {} on {} ({}{bonus_words}), from {starts_on} to {}.",
        new.quantity,
        assets(new.quantity),
        product.tier(new.tier).map_or(new.tier, |t| t.name.as_str()),
        term_words(new.term_months),
        after.expires_on,
    );
    Ok(Change {
        kind: EventKind::Created,
        consumes: vec![Consumption { sku, device_months: term_device_months(new.quantity, new.term_months) }],
        after,
        summary,
    })
}

fn assets(n: u32) -> &'static str {
    if n == 1 {
        "asset"
    } else {
        "assets"
    }
}

/// The license's SKU: its product, tier and last term.
pub fn license_sku(catalog: &Catalog, license: &License) -> Option<String> {
    catalog.plan_sku(&license.product, &license.tier, license.term_months).map(|s| s.code.clone())
}

/// Months left to prorate against, refusing a license that has ended (R would be 0: a
/// change would cost nothing and last nothing).
fn months_left(license: &License, today: NaiveDate) -> Result<u32, LicenseError> {
    match remaining_months(license.starts_on, license.expires_on, today) {
        0 => Err(LicenseError::Ended),
        r => Ok(r),
    }
}

/// Adds `by` assets until the license's end date: `by × R` device-months of its SKU.
pub fn increase(catalog: &Catalog, license: &License, by: u32, today: NaiveDate) -> Result<Change, LicenseError> {
    let product = license_product(catalog, &license.product)?;
    let sku = plan_code(catalog, product, &license.tier, license.term_months)?;
    if by == 0 {
        return Err(LicenseError::QuantityInvalid);
    }
    let quantity =
        license.quantity.checked_add(by).filter(|q| *q <= MAX_QUANTITY).ok_or(LicenseError::QuantityInvalid)?;
    let r = months_left(license, today)?;
    let after = License { quantity, ..license.clone() };
    let summary = format!(
        "Quantity {} → {quantity} {}, {r} {} left to {}.",
        license.quantity,
        assets(quantity),
        if r == 1 { "month" } else { "months" },
        license.expires_on
    );
    Ok(Change {
        kind: EventKind::Increased,
        consumes: vec![Consumption { sku, device_months: increase_cost(by, r) }],
        after,
        summary,
    })
}

/// Renews for `term_months` (SPEC §4): `quantity × term` of the plan SKU of the same tier,
/// and the term of every add-on, appended to the end date (or from today past grace when
/// the product allows it).
pub fn renew(catalog: &Catalog, license: &License, term_months: u32, today: NaiveDate) -> Result<Change, LicenseError> {
    let product = license_product(catalog, &license.product)?;
    let sku = plan_code(catalog, product, &license.tier, term_months)?;
    let bonus = bonus_months(catalog, &sku, today);
    let base = renewal::renew(license.expires_on, term_months, today, product.grace_days, product.renew_after_expiry)
        .map_err(LicenseError::Renewal)?;
    // The bonus lengthens the new term; `renew` already placed it after the old end date.
    let expires_on = add_months(base, bonus);
    let mut consumes = vec![Consumption { sku, device_months: term_device_months(license.quantity, term_months) }];
    consumes.extend(
        license
            .addons
            .iter()
            .map(|a| Consumption { sku: a.clone(), device_months: addon_cost(1, term_months.saturating_add(bonus)) }),
    );
    let after = License { term_months, expires_on, ..license.clone() };
    let summary =
        format!("Renewed for {}: expires on {expires_on} instead of {}.", term_words(term_months), license.expires_on);
    Ok(Change { kind: EventKind::Renewed, consumes, after, summary })
}

/// Moves the license to a higher `tier` from today to its unchanged end date: `quantity × R`
/// device-months of the amendment SKU.
pub fn amend(catalog: &Catalog, license: &License, tier: &str, today: NaiveDate) -> Result<Change, LicenseError> {
    let product = license_product(catalog, &license.product)?;
    let higher = product.compare_tiers(tier, &license.tier).ok_or(LicenseError::UnknownTier)?;
    if higher != std::cmp::Ordering::Greater {
        return Err(LicenseError::NotAnUpgrade);
    }
    let sku = catalog.amendment_sku(&product.key, &license.tier, tier).ok_or(LicenseError::NoAmendment)?.code.clone();
    // The new tier's SKU must exist for later increases and renewals.
    plan_code(catalog, product, tier, license.term_months)?;
    let r = months_left(license, today)?;
    let after = License { tier: tier.to_string(), ..license.clone() };
    let name = |key: &str| product.tier(key).map_or(key.to_string(), |t| t.name.clone());
    let summary = format!(
        "Tier {} → {} for {} {}, {r} {} left to {}.",
        name(&license.tier),
        name(tier),
        license.quantity,
        assets(license.quantity),
        if r == 1 { "month" } else { "months" },
        license.expires_on
    );
    Ok(Change {
        kind: EventKind::Amended,
        consumes: vec![Consumption { sku, device_months: amendment_cost(license.quantity, r) }],
        after,
        summary,
    })
}

/// Adds the add-on module `sku` until the end date: R device-months of it (per license).
pub fn add_on(catalog: &Catalog, license: &License, sku: &str, today: NaiveDate) -> Result<Change, LicenseError> {
    let product = license_product(catalog, &license.product)?;
    let found = catalog
        .sku(sku)
        .filter(|s| s.kind == SkuKind::AddOn && s.product == product.key)
        .ok_or(LicenseError::UnknownAddOn)?;
    if license.addons.iter().any(|a| a == &found.code) {
        return Err(LicenseError::AddOnPresent);
    }
    let r = months_left(license, today)?;
    let mut after = license.clone();
    after.addons.push(found.code.clone());
    let summary =
        format!("Added {} until {}, {r} {}.", found.name, license.expires_on, if r == 1 { "month" } else { "months" });
    Ok(Change {
        kind: EventKind::AddOn,
        consumes: vec![Consumption { sku: found.code.clone(), device_months: addon_cost(1, r) }],
        after,
        summary,
    })
}

/// What a locker holding `balance(sku)` lacks to pay for `consumes`, per SKU (the same SKU
/// listed twice is summed first).
pub fn missing(consumes: &[Consumption], balance: impl Fn(&str) -> u64) -> Vec<Consumption> {
    let mut needed: Vec<Consumption> = Vec::new();
    for c in consumes {
        match needed.iter_mut().find(|n| n.sku == c.sku) {
            Some(n) => n.device_months = n.device_months.saturating_add(c.device_months),
            None => needed.push(c.clone()),
        }
    }
    needed
        .into_iter()
        .filter_map(|n| {
            let short = n.device_months.saturating_sub(balance(&n.sku));
            (short > 0).then_some(Consumption { sku: n.sku, device_months: short })
        })
        .collect()
}

/// "3 more units of MON-STD-36" (a term SKU: whole units to buy, rounded up), or "330
/// more device-months of POP-ESS-ADV-MO" (a month SKU), joined with "and".
pub fn missing_words(catalog: &Catalog, missing: &[Consumption]) -> String {
    let parts: Vec<String> = missing
        .iter()
        .map(|m| {
            let per_unit = catalog.sku(&m.sku).map_or(1, |s| s.device_months_per_unit());
            if per_unit > 1 {
                let units = units_to_cover(m.device_months, per_unit);
                format!("{units} more {} of {}", if units == 1 { "unit" } else { "units" }, m.sku)
            } else {
                let dm = m.device_months;
                format!("{dm} more {} of {}", if dm == 1 { "device-month" } else { "device-months" }, m.sku)
            }
        })
        .collect();
    parts.join(" and ")
}

/// The message of a refusal for want of credits.
pub fn insufficient_message(catalog: &Catalog, missing: &[Consumption]) -> String {
    format!(
        "Your Digital Locker does not hold enough credits: you need {}. Redeem more vouchers or adjust the quantity.",
        missing_words(catalog, missing)
    )
}

/// The license's status on `today`, with the product's grace.
pub fn status(catalog: &Catalog, license: &License, today: NaiveDate) -> Status {
    let grace = catalog.product(&license.product).map_or(0, |p| p.grace_days);
    status_on(license.starts_on, license.expires_on, grace, today)
}

/// Days from `today` to the expiry date: negative once it has passed.
pub fn days_to_expiry(license: &License, today: NaiveDate) -> i64 {
    days_left(license.expires_on, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    /// The server's default catalog: SPEC §2's products, SKUs and rules.
    fn catalog() -> Catalog {
        toml::from_str(include_str!("../../server/catalog/default.toml")).expect("the default catalog reads")
    }

    fn license(product: &str, tier: &str, term: u32, quantity: u32, start: NaiveDate) -> License {
        License {
            product: product.into(),
            tier: tier.into(),
            term_months: term,
            quantity,
            starts_on: start,
            expires_on: add_months(start, term),
            addons: Vec::new(),
        }
    }

    fn dm(sku: &str, n: u64) -> Consumption {
        Consumption { sku: sku.into(), device_months: n }
    }

    #[test]
    fn creating_consumes_quantity_times_term() {
        let c = catalog();
        let new = NewLicense { product: "MON", tier: "STD", term_months: 36, quantity: 10, starts_on: None };
        let change = create(&c, &new, d(2025, 1, 15)).expect("created");
        assert_eq!(change.consumes, vec![dm("MON-STD-36", 360)]);
        assert_eq!(change.after.starts_on, d(2025, 1, 15));
        assert_eq!(change.after.expires_on, d(2028, 1, 15));
        assert_eq!(change.kind, EventKind::Created);
    }

    #[test]
    fn spec_example_3_month_end_clamping_on_create() {
        let c = catalog();
        let new =
            NewLicense { product: "MON", tier: "STD", term_months: 12, quantity: 1, starts_on: Some(d(2025, 1, 31)) };
        let change = create(&c, &new, d(2025, 1, 31)).expect("created");
        assert_eq!(change.after.expires_on, d(2026, 1, 31));
    }

    #[test]
    fn create_refuses_bad_requests() {
        let c = catalog();
        let today = d(2026, 1, 10);
        let base = NewLicense { product: "MON", tier: "STD", term_months: 12, quantity: 1, starts_on: None };
        let err = |new: NewLicense<'_>| match create(&c, &new, today) {
            Err(e) => e,
            Ok(ch) => panic!("created {ch:?}"),
        };
        assert_eq!(err(NewLicense { product: "XXX", ..base.clone() }), LicenseError::UnknownProduct);
        assert_eq!(err(NewLicense { product: "RUM", ..base.clone() }), LicenseError::NotALicense);
        assert_eq!(err(NewLicense { tier: "ADV", product: "DCM", ..base.clone() }), LicenseError::UnknownTier);
        assert_eq!(err(NewLicense { term_months: 24, ..base.clone() }), LicenseError::TermNotOffered);
        assert_eq!(err(NewLicense { quantity: 0, ..base.clone() }), LicenseError::QuantityInvalid);
        assert_eq!(err(NewLicense { quantity: MAX_QUANTITY + 1, ..base.clone() }), LicenseError::QuantityInvalid);
        assert_eq!(err(NewLicense { starts_on: Some(d(2026, 1, 9)), ..base.clone() }), LicenseError::StartInPast);
        assert_eq!(err(NewLicense { starts_on: Some(d(2027, 1, 11)), ..base.clone() }), LicenseError::StartTooLate);
        assert!(create(&c, &NewLicense { starts_on: Some(d(2027, 1, 10)), ..base }, today).is_ok());
        assert_eq!(LicenseError::StartInPast.field(), Some("start_date"));
        assert!(!LicenseError::StartInPast.is_conflict());
    }

    #[test]
    fn spec_examples_1_and_2_amendment_charges_quantity_times_r() {
        let c = catalog();
        let lic = license("POP", "ESS", 36, 10, d(2025, 1, 15));
        let on = |day| amend(&c, &lic, "ADV", day).expect("amended");
        let change = on(d(2025, 4, 15));
        assert_eq!(change.consumes, vec![dm("POP-ESS-ADV-MO", 330)]);
        assert_eq!(change.after.tier, "ADV");
        assert_eq!(change.after.expires_on, lic.expires_on, "the end date stays");
        assert_eq!(on(d(2025, 4, 20)).consumes, vec![dm("POP-ESS-ADV-MO", 330)]);
        assert_eq!(on(d(2025, 4, 14)).consumes, vec![dm("POP-ESS-ADV-MO", 340)]);
        // 33 device-months per asset, as the issue puts it.
        let single = License { quantity: 1, ..lic.clone() };
        assert_eq!(amend(&c, &single, "ADV", d(2025, 4, 15)).map(|ch| ch.consumes), Ok(vec![dm("POP-ESS-ADV-MO", 33)]));
    }

    #[test]
    fn amendment_refusals() {
        let c = catalog();
        let lic = license("POP", "ADV", 36, 10, d(2025, 1, 15));
        assert_eq!(amend(&c, &lic, "ESS", d(2025, 2, 1)), Err(LicenseError::NotAnUpgrade));
        assert_eq!(amend(&c, &lic, "ADV", d(2025, 2, 1)), Err(LicenseError::NotAnUpgrade));
        assert_eq!(amend(&c, &lic, "ZZZ", d(2025, 2, 1)), Err(LicenseError::UnknownTier));
        let mon = license("MON", "STD", 12, 1, d(2025, 1, 15));
        assert_eq!(amend(&c, &mon, "ADV", d(2025, 2, 1)), Err(LicenseError::NoAmendment));
        let ess = license("POP", "ESS", 12, 1, d(2025, 1, 15));
        assert_eq!(amend(&c, &ess, "ADV", d(2026, 1, 15)), Err(LicenseError::Ended));
    }

    #[test]
    fn spec_example_8_increase_by_4_with_r_20() {
        let c = catalog();
        // 36-month license started 2024-09-01; on 2025-12-01, 20 months are left.
        let lic = license("DCM", "STD", 36, 12, d(2024, 9, 1));
        let today = d(2025, 12, 1);
        assert_eq!(remaining_months(lic.starts_on, lic.expires_on, today), 21);
        let today = d(2026, 1, 1);
        assert_eq!(remaining_months(lic.starts_on, lic.expires_on, today), 20);
        let change = increase(&c, &lic, 4, today).expect("increased");
        assert_eq!(change.consumes, vec![dm("DCM-STD-36", 80)]);
        assert_eq!(change.after.quantity, 16);
        assert_eq!(missing(&change.consumes, |_| 108), vec![]);
        assert_eq!(108 - change.consumes[0].device_months, 28, "a locker with 3 units keeps 28 device-months");
    }

    #[test]
    fn increase_refusals() {
        let c = catalog();
        let lic = license("MON", "STD", 12, 5, d(2025, 1, 1));
        assert_eq!(increase(&c, &lic, 0, d(2025, 2, 1)), Err(LicenseError::QuantityInvalid));
        assert_eq!(increase(&c, &lic, MAX_QUANTITY, d(2025, 2, 1)), Err(LicenseError::QuantityInvalid));
        assert_eq!(increase(&c, &lic, 1, d(2026, 1, 1)), Err(LicenseError::Ended));
        // Before the start, the whole term is ahead.
        let scheduled = license("MON", "STD", 12, 5, d(2025, 3, 1));
        assert_eq!(increase(&c, &scheduled, 2, d(2025, 2, 1)).map(|ch| ch.consumes), Ok(vec![dm("MON-STD-12", 24)]));
    }

    #[test]
    fn spec_example_4_early_renewal_appends() {
        let c = catalog();
        let lic = License { expires_on: d(2026, 3, 1), ..license("MON", "STD", 12, 3, d(2025, 3, 1)) };
        let change = renew(&c, &lic, 12, d(2026, 1, 10)).expect("renewed");
        assert_eq!(change.after.expires_on, d(2027, 3, 1));
        assert_eq!(change.consumes, vec![dm("MON-STD-12", 36)]);
        assert_eq!(status(&c, &lic, d(2026, 2, 1)), Status::Expiring);
        assert_eq!(status(&c, &lic, d(2026, 1, 30)), Status::Expiring);
        assert_eq!(status(&c, &lic, d(2026, 1, 29)), Status::Active);
    }

    #[test]
    fn spec_example_5_renewal_in_grace_appends_to_the_old_end() {
        let c = catalog();
        let lic = license("PCA", "STD", 12, 1, d(2025, 3, 1));
        assert_eq!(lic.expires_on, d(2026, 3, 1));
        assert_eq!(status(&c, &lic, d(2026, 4, 29)), Status::Grace);
        assert_eq!(renew(&c, &lic, 12, d(2026, 4, 29)).map(|ch| ch.after.expires_on), Ok(d(2027, 3, 1)));
        assert_eq!(status(&c, &lic, d(2026, 4, 30)), Status::Expired);
        // PCA may be renewed after expiry: from today.
        assert_eq!(renew(&c, &lic, 12, d(2026, 4, 30)).map(|ch| ch.after.expires_on), Ok(d(2027, 4, 30)));
    }

    #[test]
    fn spec_example_6_no_renewal_after_expiry() {
        let c = catalog();
        let lic = license("NMC", "STD", 12, 1, d(2025, 3, 1));
        let Err(refused) = renew(&c, &lic, 12, d(2026, 3, 2)) else { panic!("renewed") };
        assert_eq!(refused, LicenseError::Renewal(RenewError::ExpiredNoRenewal));
        assert_eq!(refused.code(), "renewal_not_allowed");
        assert!(refused.is_conflict());
        assert!(refused.message().contains("buy a new license"));
    }

    #[test]
    fn renewal_renews_add_ons_and_keeps_the_new_term() {
        let c = catalog();
        let mut lic = license("POP", "ESS", 12, 4, d(2025, 1, 1));
        lic.addons.push("POP-ADDON-REMOTE-MO".into());
        let change = renew(&c, &lic, 36, d(2025, 12, 1)).expect("renewed");
        assert_eq!(change.consumes, vec![dm("POP-ESS-36", 144), dm("POP-ADDON-REMOTE-MO", 36)]);
        assert_eq!(change.after.term_months, 36);
        assert_eq!(change.after.expires_on, d(2029, 1, 1));
        assert_eq!(renew(&c, &lic, 24, d(2025, 12, 1)), Err(LicenseError::TermNotOffered));
    }

    #[test]
    fn add_on_costs_r_per_license() {
        let c = catalog();
        let lic = license("POP", "ESS", 36, 25, d(2025, 1, 15));
        let change = add_on(&c, &lic, "pop-addon-remote-mo", d(2025, 4, 15)).expect("added");
        assert_eq!(change.consumes, vec![dm("POP-ADDON-REMOTE-MO", 33)]);
        assert_eq!(change.after.addons, vec!["POP-ADDON-REMOTE-MO".to_string()]);
        assert_eq!(add_on(&c, &change.after, "POP-ADDON-REMOTE-MO", d(2025, 5, 1)), Err(LicenseError::AddOnPresent));
        assert_eq!(add_on(&c, &lic, "MON-STD-12", d(2025, 5, 1)), Err(LicenseError::UnknownAddOn));
    }

    #[test]
    fn missing_names_each_sku_and_rounds_units_up() {
        let c = catalog();
        let consumes = vec![dm("MON-STD-36", 540), dm("POP-ADDON-REMOTE-MO", 36)];
        let short = missing(&consumes, |sku| if sku == "MON-STD-36" { 432 } else { 0 });
        assert_eq!(short, vec![dm("MON-STD-36", 108), dm("POP-ADDON-REMOTE-MO", 36)]);
        assert_eq!(
            missing_words(&c, &short),
            "3 more units of MON-STD-36 and 36 more device-months of POP-ADDON-REMOTE-MO"
        );
        assert_eq!(missing_words(&c, &[dm("MON-STD-36", 1)]), "1 more unit of MON-STD-36");
        assert_eq!(missing(&[dm("A", 5), dm("A", 5)], |_| 8), vec![dm("A", 2)]);
    }

    #[test]
    fn a_promotion_lengthens_the_term() {
        let mut c = catalog();
        c.promotions[0].skus.push("MON-STD-36".into());
        c.promotions[0].bonus_months = 3;
        let today = c.promotions[0].valid_from;
        let new = NewLicense { product: "MON", tier: "STD", term_months: 36, quantity: 2, starts_on: None };
        let change = create(&c, &new, today).expect("created");
        assert_eq!(change.after.expires_on, add_months(today, 39));
        assert_eq!(change.consumes, vec![dm("MON-STD-36", 72)], "the bonus is free");
    }

    proptest::proptest! {
        /// Whatever the day and the license: an increase costs `by × R` with R within the
        /// term, an amendment keeps the end date, a renewal never moves the end date back, and
        /// what a locker lacks plus what it holds covers the cost exactly.
        #[test]
        fn operations_keep_their_invariants(
            start_offset in 0i64..3000,
            term_pick in 0usize..3,
            quantity in 1u32..500,
            by in 1u32..500,
            day_offset in 0i64..2500,
            held in 0u64..100_000,
        ) {
            let c = catalog();
            let term = [12, 36, 60][term_pick];
            let start = d(2024, 1, 1) + chrono::Duration::days(start_offset);
            let today = start + chrono::Duration::days(day_offset - 400);
            let lic = license("POP", "ESS", term, quantity, start);
            let r = remaining_months(lic.starts_on, lic.expires_on, today);
            proptest::prop_assert!(r <= term);
            match increase(&c, &lic, by, today) {
                Ok(ch) => {
                    proptest::prop_assert_eq!(ch.consumes[0].device_months, u64::from(by) * u64::from(r));
                    proptest::prop_assert_eq!(ch.after.expires_on, lic.expires_on);
                    let short = missing(&ch.consumes, |_| held);
                    let lacking = short.first().map_or(0, |m| m.device_months);
                    proptest::prop_assert_eq!(lacking, ch.consumes[0].device_months.saturating_sub(held));
                }
                Err(e) => proptest::prop_assert_eq!((e, r), (LicenseError::Ended, 0)),
            }
            if let Ok(ch) = amend(&c, &lic, "ADV", today) {
                proptest::prop_assert_eq!(ch.after.expires_on, lic.expires_on);
                proptest::prop_assert_eq!(ch.consumes[0].device_months, u64::from(quantity) * u64::from(r));
            }
            let renewed = renew(&c, &lic, 12, today).map(|ch| ch.after.expires_on);
            if let Ok(end) = renewed {
                proptest::prop_assert!(end > lic.expires_on && end > today);
            }
        }
    }

    #[test]
    fn event_kinds_round_trip() {
        for k in [EventKind::Created, EventKind::Increased, EventKind::Renewed, EventKind::Amended, EventKind::AddOn] {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(term_words(36), "3 years");
        assert_eq!(term_words(3), "3 months");
    }
}
