//! What the browser reads of the catalog (`GET /api/v1/catalog`): the names of
//! products, tiers and SKUs, and how each SKU is counted.
//!
//! The answer is the domain's `tessera_domain::catalog::Catalog`; these types
//! read the part of it the pages show and skip the rest (prices, promotions,
//! export templates). Reading the whole type would bring the deserializers of
//! every part into the wasm, for pages that only name things. The words that
//! decide something (units, kinds) stay the domain's types.

use serde::Deserialize;
use tessera_domain::catalog::{SkuKind, SkuUnit};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CatalogNames {
    pub products: Vec<ProductName>,
    pub skus: Vec<SkuName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProductName {
    pub key: String,
    pub name: String,
    pub tiers: Vec<TierName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TierName {
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SkuName {
    pub code: String,
    pub product: String,
    pub name: String,
    pub kind: SkuKind,
    pub unit: SkuUnit,
    /// The term of a `term` unit, in months; `None` for SKUs sold by the month.
    pub term_months: Option<u32>,
    /// The tiers an amendment moves between.
    pub from_tier: Option<String>,
    pub to_tier: Option<String>,
}

impl CatalogNames {
    pub fn product(&self, key: &str) -> Option<&ProductName> {
        self.products.iter().find(|p| p.key == key)
    }

    /// Ignores ASCII case, as the domain's `Catalog::sku` does.
    pub fn sku(&self, code: &str) -> Option<&SkuName> {
        self.skus.iter().find(|s| s.code.eq_ignore_ascii_case(code))
    }
}

impl ProductName {
    /// The tier's name; its key when the product does not list it.
    pub fn tier_name(&self, key: &str) -> String {
        self.tiers.iter().find(|t| t.key == key).map_or_else(|| key.to_string(), |t| t.name.clone())
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
                 "tiers": [{"key": "STD", "name": "Standard", "rank": 1}, {"key": "ADV", "name": "Advanced", "rank": 2}],
                 "terms": [12, 36, 60], "grace_days": 30, "renew_after_expiry": true, "prorated_increase": false},
                {"key": "POP", "name": "Power Operation Suite", "description": "", "model": "license",
                 "tiers": [{"key": "ESS", "name": "Essential", "rank": 1}, {"key": "ADV", "name": "Advanced", "rank": 2}],
                 "terms": [12], "grace_days": 30, "renew_after_expiry": true, "prorated_increase": false}
            ],
            "skus": [
                {"code": "MON-STD-36", "product": "MON", "name": "Asset Monitoring Platform Standard, 3 years, per asset",
                 "kind": "plan", "unit": "term", "tier": "STD", "term_months": 36, "from_tier": null, "to_tier": null,
                 "list_price": {"amount_minor": 36000, "currency": "EUR"}},
                {"code": "POP-ESS-ADV-MO", "product": "POP", "name": "Power Operation Suite, upgrade, per device and month",
                 "kind": "amendment", "unit": "month", "tier": null, "term_months": null, "from_tier": "ESS", "to_tier": "ADV",
                 "list_price": {"amount_minor": 500, "currency": "EUR"}}
            ],
            "promotions": [{"key": "X", "name": "X", "skus": ["MON-STD-36"], "valid_from": "2025-01-01",
                            "valid_to": "2030-12-31", "bonus_months": 3, "free_units": 0, "free_units_per": 0}],
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
}
