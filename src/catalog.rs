//! What the browser reads of the catalog (`GET /api/v1/catalog`): the names of
//! products, tiers and SKUs, how each SKU is counted, its list price, and the
//! promotions the plan picker shows.
//!
//! The answer is the domain's `tessera_domain::catalog::Catalog`; these types
//! read the part of it the pages show and skip the rest (descriptions, export
//! templates). The domain's own types refuse unknown fields, so a server one
//! version ahead would break every page; these read what they know. The words
//! that decide something (units, kinds, models) stay the domain's types.

use chrono::NaiveDate;
use serde::Deserialize;
use tessera_domain::catalog::{Model, Money, SkuKind, SkuUnit};
use tessera_domain::dates::Term;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CatalogNames {
    pub products: Vec<ProductName>,
    pub skus: Vec<SkuName>,
    #[serde(default)]
    pub promotions: Vec<PromotionInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProductName {
    pub key: String,
    pub name: String,
    pub model: Model,
    pub tiers: Vec<TierName>,
    /// In months, as the catalog lists them.
    pub terms: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TierName {
    pub key: String,
    pub name: String,
    /// Higher is better; only ranks say what is an upgrade.
    pub rank: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SkuName {
    pub code: String,
    pub product: String,
    pub name: String,
    pub kind: SkuKind,
    pub unit: SkuUnit,
    /// The tier a plan sells.
    #[serde(default)]
    pub tier: Option<String>,
    /// The term of a `term` unit, in months; `None` for SKUs sold by the month.
    pub term_months: Option<u32>,
    /// The tiers an amendment moves between.
    pub from_tier: Option<String>,
    pub to_tier: Option<String>,
    /// Per unit.
    pub list_price: Money,
}

/// An offer on plan SKUs; both ends of its window count.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PromotionInfo {
    pub name: String,
    pub skus: Vec<String>,
    #[serde(deserialize_with = "tessera_domain::catalog::date::deserialize")]
    pub valid_from: NaiveDate,
    #[serde(deserialize_with = "tessera_domain::catalog::date::deserialize")]
    pub valid_to: NaiveDate,
    #[serde(default)]
    pub bonus_months: u32,
    #[serde(default)]
    pub free_units: u32,
    #[serde(default)]
    pub free_units_per: u32,
}

impl CatalogNames {
    pub fn product(&self, key: &str) -> Option<&ProductName> {
        self.products.iter().find(|p| p.key == key)
    }

    /// Ignores ASCII case, as the domain's `Catalog::sku` does.
    pub fn sku(&self, code: &str) -> Option<&SkuName> {
        self.skus.iter().find(|s| s.code.eq_ignore_ascii_case(code))
    }

    /// The SKU that sells `tier` of `product` for `term_months`.
    pub fn plan_sku(&self, product: &str, tier: &str, term_months: u32) -> Option<&SkuName> {
        self.skus.iter().find(|s| {
            s.kind == SkuKind::Plan
                && s.product == product
                && s.tier.as_deref() == Some(tier)
                && s.term_months == Some(term_months)
        })
    }

    /// The SKU that moves a license of `product` from tier `from` to tier `to`.
    pub fn amendment_sku(&self, product: &str, from: &str, to: &str) -> Option<&SkuName> {
        self.skus.iter().find(|s| {
            s.kind == SkuKind::Amendment
                && s.product == product
                && s.from_tier.as_deref() == Some(from)
                && s.to_tier.as_deref() == Some(to)
        })
    }

    /// The add-on modules of `product`, in catalog order.
    pub fn add_ons<'a>(&'a self, product: &'a str) -> impl Iterator<Item = &'a SkuName> {
        self.skus.iter().filter(move |s| s.kind == SkuKind::AddOn && s.product == product)
    }

    /// The promotions that apply to SKU `code` on `day` (the server's today), in catalog order.
    pub fn promotions_on<'a>(&'a self, code: &'a str, day: NaiveDate) -> impl Iterator<Item = &'a PromotionInfo> {
        self.promotions.iter().filter(move |p| {
            p.skus.iter().any(|s| s.eq_ignore_ascii_case(code)) && p.valid_from <= day && day <= p.valid_to
        })
    }

    /// The products sold as licenses (SPEC §4), in catalog order.
    pub fn license_products(&self) -> impl Iterator<Item = &ProductName> {
        self.products.iter().filter(|p| p.model == Model::License)
    }
}

impl PromotionInfo {
    /// What the promotion gives, in a few words: "3 bonus months", "1 free per 10".
    pub fn short_text(&self) -> String {
        let mut parts = Vec::with_capacity(2);
        match self.bonus_months {
            0 => {}
            1 => parts.push("1 bonus month".to_string()),
            m => parts.push(format!("{m} bonus months")),
        }
        if self.free_units > 0 && self.free_units_per > 0 {
            parts.push(format!("{} free per {}", self.free_units, self.free_units_per));
        }
        parts.join(", ")
    }
}

impl ProductName {
    /// The tier's name; its key when the product does not list it.
    pub fn tier_name(&self, key: &str) -> String {
        self.tiers.iter().find(|t| t.key == key).map_or_else(|| key.to_string(), |t| t.name.clone())
    }

    /// The tiers, lowest rank first. An insertion, not a sort: products have two or three
    /// tiers, and a sort would bring its own code into the wasm for them.
    pub fn ranked_tiers(&self) -> Vec<&TierName> {
        let mut ranked: Vec<&TierName> = Vec::with_capacity(self.tiers.len());
        for tier in &self.tiers {
            let at = ranked.iter().position(|t| t.rank > tier.rank).unwrap_or(ranked.len());
            ranked.insert(at, tier);
        }
        ranked
    }

    /// The tiers ranked above `key`, lowest first: what a license of that tier may move to.
    pub fn tiers_above(&self, key: &str) -> Vec<&TierName> {
        let Some(rank) = self.tiers.iter().find(|t| t.key == key).map(|t| t.rank) else {
            return Vec::new();
        };
        self.ranked_tiers().into_iter().filter(|t| t.rank > rank).collect()
    }

    /// The terms it sells, shortest first (the catalog allows only 1, 3 and 5 years).
    pub fn sold_terms(&self) -> Vec<u32> {
        Term::ALL.iter().map(|t| t.months()).filter(|m| self.terms.contains(m)).collect()
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A catalog as the server sends it (a part of the default one), with what the browser skips.
    pub fn sample() -> CatalogNames {
        let json = r#"{
            "products": [
                {"key": "MON", "name": "Asset Monitoring Platform", "description": "", "model": "license",
                 "tiers": [{"key": "ADV", "name": "Advanced", "rank": 2}, {"key": "STD", "name": "Standard", "rank": 1}],
                 "terms": [12, 36], "grace_days": 30, "renew_after_expiry": true, "prorated_increase": false},
                {"key": "RUM", "name": "Remote UPS Monitoring", "description": "", "model": "device_subscription",
                 "tiers": [{"key": "STD", "name": "Standard", "rank": 1}],
                 "terms": [12], "grace_days": 30, "renew_after_expiry": true, "prorated_increase": false},
                {"key": "POP", "name": "Power Operation Suite", "description": "", "model": "license",
                 "tiers": [{"key": "ESS", "name": "Essential", "rank": 1}, {"key": "ADV", "name": "Advanced", "rank": 2}],
                 "terms": [12], "grace_days": 30, "renew_after_expiry": true, "prorated_increase": false}
            ],
            "skus": [
                {"code": "MON-STD-12", "product": "MON", "name": "Asset Monitoring Platform Standard, 1 year, per asset",
                 "kind": "plan", "unit": "term", "tier": "STD", "term_months": 12, "from_tier": null, "to_tier": null,
                 "list_price": {"amount_minor": 6000, "currency": "EUR"}},
                {"code": "MON-STD-36", "product": "MON", "name": "Asset Monitoring Platform Standard, 3 years, per asset",
                 "kind": "plan", "unit": "term", "tier": "STD", "term_months": 36, "from_tier": null, "to_tier": null,
                 "list_price": {"amount_minor": 16200, "currency": "EUR"}},
                {"code": "MON-ADV-36", "product": "MON", "name": "Asset Monitoring Platform Advanced, 3 years, per asset",
                 "kind": "plan", "unit": "term", "tier": "ADV", "term_months": 36, "from_tier": null, "to_tier": null,
                 "list_price": {"amount_minor": 25920, "currency": "EUR"}},
                {"code": "RUM-STD-12", "product": "RUM", "name": "Remote UPS Monitoring Standard, 1 year, per device",
                 "kind": "plan", "unit": "term", "tier": "STD", "term_months": 12, "from_tier": null, "to_tier": null,
                 "list_price": {"amount_minor": 7200, "currency": "EUR"}},
                {"code": "POP-ESS-12", "product": "POP", "name": "Power Operation Suite Essential, 1 year, per server",
                 "kind": "plan", "unit": "term", "tier": "ESS", "term_months": 12, "from_tier": null, "to_tier": null,
                 "list_price": {"amount_minor": 24000, "currency": "EUR"}},
                {"code": "POP-ADV-12", "product": "POP", "name": "Power Operation Suite Advanced, 1 year, per server",
                 "kind": "plan", "unit": "term", "tier": "ADV", "term_months": 12, "from_tier": null, "to_tier": null,
                 "list_price": {"amount_minor": 36000, "currency": "EUR"}},
                {"code": "POP-ESS-ADV-MO", "product": "POP", "name": "Power Operation Suite, upgrade, per device and month",
                 "kind": "amendment", "unit": "month", "tier": null, "term_months": null, "from_tier": "ESS", "to_tier": "ADV",
                 "list_price": {"amount_minor": 1000, "currency": "EUR"}},
                {"code": "POP-ADDON-REMOTE-MO", "product": "POP", "name": "Power Operation Suite, remote module, per license and month",
                 "kind": "add_on", "unit": "month", "tier": null, "term_months": null, "from_tier": null, "to_tier": null,
                 "list_price": {"amount_minor": 1500, "currency": "EUR"}}
            ],
            "promotions": [
                {"key": "X", "name": "X", "skus": ["MON-ADV-36"], "valid_from": "2025-01-01",
                 "valid_to": "2030-12-31", "bonus_months": 3, "free_units": 0, "free_units_per": 0},
                {"key": "Y", "name": "Y", "skus": ["MON-ADV-36", "MON-STD-12"], "valid_from": "2026-01-01",
                 "valid_to": "2026-12-31", "bonus_months": 0, "free_units": 1, "free_units_per": 10}
            ],
            "export_templates": [{"name": "generic", "columns": ["sku"]}]
        }"#;
        serde_json::from_str(json).unwrap_or_else(|e| panic!("sample catalog: {e}"))
    }

    #[test]
    fn reads_the_names_and_skips_the_rest() {
        let catalog = sample();
        assert_eq!(catalog.product("MON").map(|p| p.tier_name("ADV")).as_deref(), Some("Advanced"));
        assert_eq!(catalog.product("MON").map(|p| p.tier_name("XYZ")).as_deref(), Some("XYZ"));
        let sku = catalog.sku("mon-std-36");
        assert_eq!(sku.map(|s| (s.unit, s.term_months)), Some((SkuUnit::Term, Some(36))));
        assert_eq!(catalog.sku("POP-ESS-ADV-MO").map(|s| s.kind), Some(SkuKind::Amendment));
        assert!(catalog.sku("NOPE").is_none());
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn plans_upgrades_and_add_ons_are_found() {
        let catalog = sample();
        assert_eq!(catalog.plan_sku("MON", "ADV", 36).map(|s| s.list_price.amount_minor), Some(25920));
        assert!(catalog.plan_sku("MON", "ADV", 60).is_none());
        assert_eq!(catalog.amendment_sku("POP", "ESS", "ADV").map(|s| s.code.as_str()), Some("POP-ESS-ADV-MO"));
        assert!(catalog.amendment_sku("POP", "ADV", "ESS").is_none());
        let add_ons: Vec<_> = catalog.add_ons("POP").map(|s| s.code.as_str()).collect();
        assert_eq!(add_ons, ["POP-ADDON-REMOTE-MO"]);
        let products: Vec<_> = catalog.license_products().map(|p| p.key.as_str()).collect();
        assert_eq!(products, ["MON", "POP"], "device subscriptions are not licenses");
    }

    #[test]
    fn tiers_above_by_rank_not_by_listing() {
        let catalog = sample();
        let mon = catalog.product("MON");
        let above: Vec<_> =
            mon.map(|p| p.tiers_above("STD").iter().map(|t| t.key.clone()).collect()).unwrap_or_default();
        assert_eq!(above, ["ADV"]);
        assert!(mon.is_some_and(|p| p.tiers_above("ADV").is_empty()));
        assert!(mon.is_some_and(|p| p.tiers_above("XYZ").is_empty()));
        let ranked: Vec<_> = mon.map(|p| p.ranked_tiers().iter().map(|t| t.key.clone()).collect()).unwrap_or_default();
        assert_eq!(ranked, ["STD", "ADV"]);
        assert_eq!(mon.map(ProductName::sold_terms), Some(vec![12, 36]));
    }

    #[test]
    fn promotions_count_on_the_given_day_both_ends_included() {
        let catalog = sample();
        let on = |code: &str, d: NaiveDate| catalog.promotions_on(code, d).map(|p| p.short_text()).collect::<Vec<_>>();
        assert_eq!(on("mon-adv-36", day(2026, 6, 1)), ["3 bonus months", "1 free per 10"]);
        assert_eq!(on("MON-ADV-36", day(2027, 1, 1)), ["3 bonus months"]);
        assert_eq!(on("MON-STD-12", day(2026, 12, 31)), ["1 free per 10"]);
        assert!(on("MON-STD-12", day(2025, 12, 31)).is_empty());
        assert!(on("MON-STD-36", day(2026, 6, 1)).is_empty());
    }
}
