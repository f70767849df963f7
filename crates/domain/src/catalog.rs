//! The catalog (SPEC §2): the products the vendor sells, their SKUs with list prices,
//! promotions, and the column lists of bill-of-materials exports.
//!
//! The server reads it from a TOML file at start and serves it as JSON; both use these
//! types, so the file's keys and the API's field names are the same words. The types are
//! plain data that any deserializer fills; [`Catalog::validate`] is what makes one usable,
//! and it reports every problem at once, because an operator fixing a file by hand should
//! not have to restart once per mistake. The lookups never panic on an invalid catalog.

pub mod date;
mod validate;

use std::cmp::Ordering;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Everything the vendor sells, and how its bills of materials are exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub products: Vec<Product>,
    pub skus: Vec<Sku>,
    #[serde(default)]
    pub promotions: Vec<Promotion>,
    pub export_templates: Vec<ExportTemplate>,
}

/// How a product is sold (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// One license key (Activation ID) covers a quantity of assets.
    License,
    /// One plan per device, assigned to devices as entitlement segments.
    DeviceSubscription,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Upper-case letters and digits, e.g. `MON`: the first part of its SKU codes.
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub model: Model,
    pub tiers: Vec<Tier>,
    /// The terms it is sold for, in months (12, 36 or 60).
    pub terms: Vec<u32>,
    /// Days after expiry while the product keeps working and renewal still appends to the
    /// old end date; 0 = none.
    pub grace_days: u32,
    /// Whether a license expired past its grace can still be renewed (from the day of
    /// renewal); if not, only a new license with a new Activation ID can be bought.
    pub renew_after_expiry: bool,
    /// Whether assets can be added to a running license, paying only for the months left
    /// (SPEC §4 "Increase quantity").
    #[serde(default)]
    pub prorated_increase: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Upper-case letters and digits, e.g. `ADV`.
    pub key: String,
    pub name: String,
    /// Higher is better: only ranks decide what is an upgrade, never the order of listing.
    pub rank: u8,
}

/// What buying a SKU gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SkuKind {
    /// A tier of the product for a term.
    Plan,
    /// Moves a running license from one tier to a higher one until its end date.
    Amendment,
    /// An optional module added to a running license until its end date.
    AddOn,
}

/// What one unit of a SKU is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SkuUnit {
    /// One asset or device for the SKU's whole term.
    Term,
    /// One device-month (amendments) or license-month (add-ons): what prorated changes
    /// consume.
    Month,
}

/// A commercial reference, e.g. `RUM-ADV-36`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Sku {
    /// `KEY-TIER-TERM` for plans; starts with the product key for the others.
    pub code: String,
    /// The product's key.
    pub product: String,
    /// For people and bills of materials.
    pub name: String,
    pub kind: SkuKind,
    pub unit: SkuUnit,
    /// The tier a plan sells (plans only).
    #[serde(default)]
    pub tier: Option<String>,
    /// The term of a `term` unit, in months (term units only).
    #[serde(default)]
    pub term_months: Option<u32>,
    /// The tier an amendment starts from (amendments only).
    #[serde(default)]
    pub from_tier: Option<String>,
    /// The tier an amendment moves to (amendments only).
    #[serde(default)]
    pub to_tier: Option<String>,
    /// Per unit.
    pub list_price: Money,
}

/// An amount of money in the currency's minor units (cents for EUR): integer arithmetic,
/// so that totals never pick up rounding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Money {
    pub amount_minor: i64,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
}

/// An offer on some plan SKUs, valid from `valid_from` to `valid_to`, both days included
/// (the date that counts is the caller's: an order's or a quote's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Promotion {
    /// Upper-case letters, digits and dashes, e.g. `RUM-ADV-VOLUME`.
    pub key: String,
    pub name: String,
    /// Codes of the SKUs it applies to.
    pub skus: Vec<String>,
    #[serde(deserialize_with = "date::deserialize")]
    pub valid_from: NaiveDate,
    #[serde(deserialize_with = "date::deserialize")]
    pub valid_to: NaiveDate,
    /// Added to the SKU's term at activation.
    #[serde(default)]
    pub bonus_months: u32,
    /// Free units given for every `free_units_per` units ordered.
    #[serde(default)]
    pub free_units: u32,
    /// Units ordered that earn `free_units` (10: "1 free unit per 10 ordered").
    #[serde(default)]
    pub free_units_per: u32,
}

/// A named column list for bill-of-materials CSV exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExportTemplate {
    /// Lower-case, e.g. `erp`.
    pub name: String,
    /// Known column names (`EXPORT_COLUMNS` of the domain crate), in output order.
    pub columns: Vec<String>,
}

/// Every catalog has these templates: the quote page offers exactly them by default.
pub const REQUIRED_TEMPLATES: [&str; 3] = ["generic", "distributor", "erp"];

/// The columns a bill of materials can have, and what each holds. A template can only name
/// these: the exporter must know how to fill every column it is asked for.
pub const EXPORT_COLUMNS: &[(&str, &str)] = &[
    ("line", "line number, from 1"),
    ("sku", "SKU code"),
    ("description", "SKU name"),
    ("product", "product key"),
    ("product_name", "product name"),
    ("tier", "tier key"),
    ("term_months", "term in months (empty for month units)"),
    ("unit", "`term` or `month`"),
    ("quantity", "units ordered"),
    ("free_units", "units added by promotions"),
    ("bonus_months", "months added to the term by promotions"),
    ("list_price", "list price per unit, in minor units"),
    ("discount_percent", "the line's discount"),
    ("net_price", "price per unit after discount, in minor units"),
    ("line_total", "net price × quantity, in minor units"),
    ("currency", "ISO 4217 code"),
    ("customer", "the quote's customer"),
    ("installer_email", "where the vouchers are sent"),
    ("quote_reference", "the quote's reference"),
    ("valid_until", "the quote's validity date"),
];

/// Every problem [`Catalog::validate`] found, each a sentence for the person editing the
/// file, in the order of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub problems: Vec<String>,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "- {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogError {}

impl Catalog {
    /// `Ok` when every SKU, promotion and template is consistent with the products (see
    /// `validate.rs` for the rules); otherwise every problem found.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let problems = validate::problems(self);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CatalogError { problems })
        }
    }

    pub fn product(&self, key: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.key == key)
    }

    /// Ignores ASCII case: people type SKU codes (`rum-adv-36`).
    pub fn sku(&self, code: &str) -> Option<&Sku> {
        self.skus.iter().find(|s| s.code.eq_ignore_ascii_case(code))
    }

    /// The SKU that sells `tier` of `product` for `term_months`.
    pub fn plan_sku(&self, product: &str, tier: &str, term_months: u32) -> Option<&Sku> {
        self.skus.iter().find(|s| {
            s.kind == SkuKind::Plan
                && s.product == product
                && s.tier.as_deref() == Some(tier)
                && s.term_months == Some(term_months)
        })
    }

    /// The SKU that moves a license of `product` from tier `from` to tier `to`.
    pub fn amendment_sku(&self, product: &str, from: &str, to: &str) -> Option<&Sku> {
        self.skus.iter().find(|s| {
            s.kind == SkuKind::Amendment
                && s.product == product
                && s.from_tier.as_deref() == Some(from)
                && s.to_tier.as_deref() == Some(to)
        })
    }

    /// The add-on modules of `product`.
    pub fn add_on_skus(&self, product: &str) -> Vec<&Sku> {
        self.skus.iter().filter(|s| s.kind == SkuKind::AddOn && s.product == product).collect()
    }

    /// The promotions that apply to SKU `code` on `date`, in catalog order.
    pub fn promotions_on(&self, code: &str, date: NaiveDate) -> Vec<&Promotion> {
        self.promotions.iter().filter(|p| p.applies_to(code) && p.is_valid_on(date)).collect()
    }

    pub fn export_template(&self, name: &str) -> Option<&ExportTemplate> {
        self.export_templates.iter().find(|t| t.name == name)
    }
}

impl Product {
    pub fn tier(&self, key: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.key == key)
    }

    pub fn rank(&self, tier: &str) -> Option<u8> {
        self.tier(tier).map(|t| t.rank)
    }

    /// How tier `a` compares with tier `b` (`Greater`: `a` is the higher tier); `None` when
    /// the product does not offer one of them.
    pub fn compare_tiers(&self, a: &str, b: &str) -> Option<Ordering> {
        Some(self.rank(a)?.cmp(&self.rank(b)?))
    }

    pub fn offers_term(&self, months: u32) -> bool {
        self.terms.contains(&months)
    }
}

impl Sku {
    /// Device-months one unit puts in a locker: the term for a `term` unit, 1 for a month.
    pub fn device_months_per_unit(&self) -> u32 {
        match self.unit {
            SkuUnit::Term => self.term_months.unwrap_or(1),
            SkuUnit::Month => 1,
        }
    }
}

impl Promotion {
    pub fn applies_to(&self, code: &str) -> bool {
        self.skus.iter().any(|s| s.eq_ignore_ascii_case(code))
    }

    /// Both ends of the window count.
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && date <= self.valid_to
    }

    /// Free units earned by ordering `ordered` units: whole multiples of
    /// [`Promotion::free_units_per`] only (1 per 10: 19 ordered earn 1, 20 earn 2).
    pub fn free_units_for(&self, ordered: u32) -> u32 {
        ordered.checked_div(self.free_units_per).unwrap_or(0).saturating_mul(self.free_units)
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use serde_json::json;

    fn plan(product: &str, tier: &str, term: u32, price: i64) -> serde_json::Value {
        json!({
            "code": format!("{product}-{tier}-{term}"), "product": product, "name": format!("{product} {tier} {term}"),
            "kind": "plan", "unit": "term", "tier": tier, "term_months": term,
            "list_price": {"amount_minor": price, "currency": "EUR"},
        })
    }

    /// A small valid catalog: a license product with an amendment and an add-on, and a
    /// device subscription with two promotions.
    pub fn sample() -> Catalog {
        let two_tiers =
            json!([{"key": "ESS", "name": "Essential", "rank": 1}, {"key": "ADV", "name": "Advanced", "rank": 2}]);
        let mut skus: Vec<serde_json::Value> = Vec::new();
        for (tier, base) in [("ESS", 100), ("ADV", 150)] {
            for term in [12, 36] {
                skus.push(plan("POP", tier, term, base * i64::from(term)));
            }
        }
        skus.push(json!({
            "code": "POP-ESS-ADV-MO", "product": "POP", "name": "Essential to Advanced", "kind": "amendment",
            "unit": "month", "from_tier": "ESS", "to_tier": "ADV", "list_price": {"amount_minor": 60, "currency": "EUR"},
        }));
        skus.push(json!({
            "code": "POP-ADDON-REMOTE-MO", "product": "POP", "name": "Remote module", "kind": "add_on",
            "unit": "month", "list_price": {"amount_minor": 40, "currency": "EUR"},
        }));
        for tier in ["ESS", "ADV"] {
            skus.push(plan("RUM", tier, 12, 1000));
        }
        let catalog = json!({
            "products": [
                {"key": "POP", "name": "Power operation", "model": "license", "tiers": two_tiers,
                 "terms": [12, 36], "grace_days": 30, "renew_after_expiry": true},
                {"key": "RUM", "name": "Remote monitoring", "model": "device_subscription", "tiers": two_tiers,
                 "terms": [12], "grace_days": 0, "renew_after_expiry": true},
            ],
            "skus": skus,
            "promotions": [
                {"key": "RUM-VOLUME", "name": "1 free per 10", "skus": ["RUM-ADV-12"],
                 "valid_from": "2025-01-01", "valid_to": "2025-12-31", "free_units": 1, "free_units_per": 10},
                {"key": "RUM-BONUS", "name": "3 bonus months", "skus": ["RUM-ADV-12", "RUM-ESS-12"],
                 "valid_from": "2025-06-01", "valid_to": "2026-05-31", "bonus_months": 3},
            ],
            "export_templates": [
                {"name": "generic", "columns": ["sku", "description", "quantity", "list_price", "currency"]},
                {"name": "distributor", "columns": ["sku", "quantity"]},
                {"name": "erp", "columns": ["line", "sku", "quantity", "net_price"]},
            ],
        });
        match serde_json::from_value(catalog) {
            Ok(c) => c,
            Err(e) => panic!("the sample catalog does not read: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::sample;
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn the_sample_is_valid() {
        assert_eq!(sample().validate(), Ok(()));
    }

    #[test]
    fn finds_products_and_skus() {
        let c = sample();
        assert_eq!(c.product("POP").map(|p| p.model), Some(Model::License));
        assert_eq!(c.product("RUM").map(|p| p.model), Some(Model::DeviceSubscription));
        assert!(c.product("pop").is_none(), "product keys are exact");
        assert_eq!(c.sku("POP-ADV-36").map(|s| s.list_price.amount_minor), Some(5400));
        assert_eq!(c.sku("pop-adv-36").map(|s| s.code.as_str()), Some("POP-ADV-36"), "people type SKUs");
        assert!(c.sku("POP-ADV-60").is_none());
    }

    #[test]
    fn finds_the_plan_amendment_and_add_ons_of_a_product() {
        let c = sample();
        assert_eq!(c.plan_sku("POP", "ESS", 36).map(|s| s.code.as_str()), Some("POP-ESS-36"));
        assert!(c.plan_sku("POP", "ESS", 60).is_none());
        assert!(c.plan_sku("POP", "STD", 12).is_none());
        assert!(c.plan_sku("RUM", "ESS", 36).is_none());
        assert_eq!(c.amendment_sku("POP", "ESS", "ADV").map(|s| s.code.as_str()), Some("POP-ESS-ADV-MO"));
        assert!(c.amendment_sku("POP", "ADV", "ESS").is_none());
        let add_ons: Vec<&str> = c.add_on_skus("POP").into_iter().map(|s| s.code.as_str()).collect();
        assert_eq!(add_ons, ["POP-ADDON-REMOTE-MO"]);
        assert!(c.add_on_skus("RUM").is_empty());
        assert_eq!(c.export_template("erp").map(|t| t.columns.len()), Some(4));
        assert!(c.export_template("sap").is_none());
    }

    #[test]
    fn promotions_count_on_both_ends_of_their_window() {
        let c = sample();
        let on = |sku: &str, date| c.promotions_on(sku, date).into_iter().map(|p| p.key.as_str()).collect::<Vec<_>>();
        assert_eq!(on("RUM-ADV-12", d(2024, 12, 31)), Vec::<&str>::new());
        assert_eq!(on("RUM-ADV-12", d(2025, 1, 1)), ["RUM-VOLUME"]);
        assert_eq!(on("RUM-ADV-12", d(2025, 6, 1)), ["RUM-VOLUME", "RUM-BONUS"]);
        assert_eq!(on("rum-adv-12", d(2025, 12, 31)), ["RUM-VOLUME", "RUM-BONUS"]);
        assert_eq!(on("RUM-ADV-12", d(2026, 1, 1)), ["RUM-BONUS"]);
        assert_eq!(on("RUM-ESS-12", d(2025, 3, 1)), Vec::<&str>::new());
        assert_eq!(on("RUM-ESS-12", d(2026, 5, 31)), ["RUM-BONUS"]);
        assert_eq!(on("RUM-ESS-12", d(2026, 6, 1)), Vec::<&str>::new());
    }

    #[test]
    fn free_units_come_per_whole_multiple_ordered() {
        let c = sample();
        let volume = c.promotions.first().expect("a promotion");
        assert_eq!([0, 9, 10, 19, 20, 105].map(|n| volume.free_units_for(n)), [0, 0, 1, 1, 2, 10]);
        let bonus = c.promotions.get(1).expect("a second promotion");
        assert_eq!(bonus.free_units_for(100), 0, "no free units without free_units_per");
    }

    #[test]
    fn tiers_compare_by_rank_not_by_listing_order() {
        let mut c = sample();
        let pop = c.products.first_mut().expect("a product");
        pop.tiers.reverse();
        assert_eq!(pop.compare_tiers("ADV", "ESS"), Some(Ordering::Greater));
        assert_eq!(pop.compare_tiers("ESS", "ADV"), Some(Ordering::Less));
        assert_eq!(pop.compare_tiers("ADV", "ADV"), Some(Ordering::Equal));
        assert_eq!(pop.compare_tiers("ADV", "STD"), None);
        assert_eq!(pop.rank("ESS"), Some(1));
        assert!(pop.offers_term(36) && !pop.offers_term(60));
    }

    #[test]
    fn a_unit_is_worth_its_term_in_device_months() {
        let c = sample();
        assert_eq!(c.sku("POP-ESS-36").map(Sku::device_months_per_unit), Some(36));
        assert_eq!(c.sku("POP-ESS-ADV-MO").map(Sku::device_months_per_unit), Some(1));
    }

    #[test]
    fn reads_and_writes_the_api_names() {
        let c = sample();
        let json = serde_json::to_value(&c).expect("serialize");
        assert_eq!(json["products"][1]["model"], "device_subscription");
        assert_eq!(json["skus"][4]["kind"], "amendment");
        assert_eq!(json["skus"][5]["kind"], "add_on");
        assert_eq!(json["skus"][5]["unit"], "month");
        assert_eq!(json["skus"][5]["term_months"], serde_json::Value::Null);
        assert_eq!(json["promotions"][0]["valid_from"], "2025-01-01");
        let back: Catalog = serde_json::from_value(json).expect("deserialize");
        assert_eq!(back, c);
    }

    #[test]
    fn unknown_fields_are_refused_not_ignored() {
        let mut json = serde_json::to_value(sample()).expect("serialize");
        json["products"][0]["grace_day"] = 5.into();
        let e = serde_json::from_value::<Catalog>(json).expect_err("a typo is an error");
        assert!(e.to_string().contains("grace_day"), "{e}");
    }

    #[test]
    fn the_error_lists_every_problem_on_its_own_line() {
        let e = CatalogError { problems: vec!["One.".into(), "Two.".into()] };
        assert_eq!(e.to_string(), "- One.\n- Two.");
    }
}
