//! The rules a catalog must follow, each problem one sentence for the person editing it.
//!
//! Every check runs, even after a failed one, so that one read of the file lists all of
//! its mistakes; checks that depend on a broken part (a SKU of an unknown product) skip
//! only what they cannot judge, so one mistake is not reported three times.

use std::collections::{BTreeSet, HashSet};

use super::{Catalog, Model, Product, Sku, SkuKind, SkuUnit, EXPORT_COLUMNS, REQUIRED_TEMPLATES};
use crate::dates::Term;

pub fn problems(catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    products(catalog, &mut out);
    skus(catalog, &mut out);
    plans_for_every_offer(catalog, &mut out);
    one_currency(catalog, &mut out);
    promotions(catalog, &mut out);
    templates(catalog, &mut out);
    out
}

/// Product and tier keys: upper-case ASCII letters and digits, so that a SKU code split at
/// its dashes gives them back.
fn is_key(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// SKU codes and promotion keys: keys joined by single dashes.
fn is_code(s: &str) -> bool {
    s.split('-').all(is_key)
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn list<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

fn products(catalog: &Catalog, out: &mut Vec<String>) {
    if catalog.products.is_empty() {
        out.push("The catalog has no products.".into());
    }
    let mut seen = HashSet::new();
    for product in &catalog.products {
        let key = &product.key;
        if !is_key(key) {
            out.push(format!("Product key {key:?} is not valid: use upper-case letters and digits, like MON."));
        }
        if !seen.insert(key.as_str()) {
            out.push(format!("Product {key} is defined twice."));
        }
        if is_blank(&product.name) {
            out.push(format!("Product {key} has no name."));
        }
        tiers(product, out);
        terms(product, out);
        if product.model == Model::DeviceSubscription && product.prorated_increase {
            out.push(format!("Product {key} is a device subscription: prorated_increase applies to licenses only."));
        }
    }
}

fn tiers(product: &Product, out: &mut Vec<String>) {
    let key = &product.key;
    if product.tiers.is_empty() {
        out.push(format!("Product {key} offers no tiers."));
    }
    let mut seen = HashSet::new();
    for (i, tier) in product.tiers.iter().enumerate() {
        if !is_key(&tier.key) {
            out.push(format!(
                "Product {key}: tier key {:?} is not valid: use upper-case letters and digits, like STD.",
                tier.key
            ));
        }
        if !seen.insert(tier.key.as_str()) {
            out.push(format!("Product {key} lists tier {} twice.", tier.key));
        }
        if is_blank(&tier.name) {
            out.push(format!("Product {key}: tier {} has no name.", tier.key));
        }
        if let Some(earlier) = product.tiers[..i].iter().find(|t| t.rank == tier.rank && t.key != tier.key) {
            out.push(format!(
                "Product {key}: tiers {} and {} share rank {}; each tier needs its own rank, which orders upgrades.",
                earlier.key, tier.key, tier.rank
            ));
        }
    }
}

fn terms(product: &Product, out: &mut Vec<String>) {
    let key = &product.key;
    if product.terms.is_empty() {
        out.push(format!("Product {key} offers no terms."));
    }
    let mut seen = HashSet::new();
    for &months in &product.terms {
        if Term::from_months(months).is_none() {
            out.push(format!("Product {key} offers a {months}-month term; terms are 12, 36 or 60 months."));
        }
        if !seen.insert(months) {
            out.push(format!("Product {key} lists the {months}-month term twice."));
        }
    }
    // Renewal appends a term to the old end date even within grace (`renewal::renew`); a
    // grace longer than a term could leave a renewed license already expired. 28 days is the
    // shortest month, so this holds whatever the calendar.
    if let Some(shortest) = product.terms.iter().copied().filter(|&m| m > 0).min() {
        if u64::from(product.grace_days) >= 28 * u64::from(shortest) {
            out.push(format!(
                "Product {key}: a grace of {} days is not shorter than its shortest term ({shortest} months).",
                product.grace_days
            ));
        }
    }
}

fn skus(catalog: &Catalog, out: &mut Vec<String>) {
    if catalog.skus.is_empty() {
        out.push("The catalog has no SKUs.".into());
    }
    let mut seen = HashSet::new();
    for sku in &catalog.skus {
        let code = &sku.code;
        if !is_code(code) {
            out.push(format!(
                "SKU code {code:?} is not valid: use upper-case letters, digits and dashes, like MON-STD-12."
            ));
        }
        if !seen.insert(code.to_ascii_uppercase()) {
            out.push(format!("SKU {code} is defined twice."));
        }
        if is_blank(&sku.name) {
            out.push(format!("SKU {code} has no name."));
        }
        price(sku, out);
        unit_and_kind(sku, out);
        match catalog.product(&sku.product) {
            Some(product) => against_product(sku, product, out),
            None => out.push(format!("SKU {code} names product {}, which is not in the catalog.", sku.product)),
        }
    }
    let amendments: Vec<&Sku> = catalog.skus.iter().filter(|s| s.kind == SkuKind::Amendment).collect();
    for (i, a) in amendments.iter().enumerate() {
        let same = |b: &&&Sku| b.product == a.product && b.from_tier == a.from_tier && b.to_tier == a.to_tier;
        if let Some(b) = amendments[..i].iter().find(same) {
            out.push(format!(
                "SKUs {} and {} both amend {} from {} to {}; one amendment per pair of tiers.",
                b.code,
                a.code,
                a.product,
                a.from_tier.as_deref().unwrap_or("?"),
                a.to_tier.as_deref().unwrap_or("?")
            ));
        }
    }
}

fn price(sku: &Sku, out: &mut Vec<String>) {
    let code = &sku.code;
    let price = &sku.list_price;
    if price.amount_minor <= 0 {
        out.push(format!(
            "SKU {code} has a list price of {}; a price is a positive number of minor units (cents).",
            price.amount_minor
        ));
    }
    if price.currency.len() != 3 || !price.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        out.push(format!("SKU {code}: currency {:?} is not a three-letter ISO 4217 code like EUR.", price.currency));
    }
}

/// What a SKU's own fields must agree on, whatever its product.
fn unit_and_kind(sku: &Sku, out: &mut Vec<String>) {
    let code = &sku.code;
    match (sku.unit, sku.term_months) {
        (SkuUnit::Term, None) => out.push(format!("SKU {code} is sold per term but has no term_months.")),
        (SkuUnit::Month, Some(_)) => {
            out.push(format!("SKU {code} is sold per month, so it has no term: remove term_months."))
        }
        _ => {}
    }
    let tiers = (sku.tier.is_some(), sku.from_tier.is_some() || sku.to_tier.is_some());
    match sku.kind {
        SkuKind::Plan => {
            if sku.unit != SkuUnit::Term {
                out.push(format!("SKU {code} is a plan, sold per term: set unit = \"term\"."));
            }
            if sku.tier.is_none() {
                out.push(format!("SKU {code} is a plan without a tier."));
            }
            if tiers.1 {
                out.push(format!("SKU {code} is a plan: from_tier and to_tier belong to amendments."));
            }
        }
        SkuKind::Amendment => {
            if sku.unit != SkuUnit::Month {
                out.push(format!("SKU {code} is an amendment, sold per device-month: set unit = \"month\"."));
            }
            if sku.from_tier.is_none() || sku.to_tier.is_none() {
                out.push(format!("SKU {code} is an amendment: it needs from_tier and to_tier."));
            }
            if tiers.0 {
                out.push(format!("SKU {code} is an amendment: its tiers are from_tier and to_tier, not tier."));
            }
        }
        SkuKind::AddOn => {
            if sku.unit != SkuUnit::Month {
                out.push(format!("SKU {code} is an add-on, sold per license-month: set unit = \"month\"."));
            }
            if tiers.0 || tiers.1 {
                out.push(format!("SKU {code} is an add-on: it has no tier."));
            }
        }
    }
}

/// What a SKU must agree on with its product.
fn against_product(sku: &Sku, product: &Product, out: &mut Vec<String>) {
    let code = &sku.code;
    let key = &product.key;
    let offers_tier = |tier: &str, out: &mut Vec<String>| {
        let offered = product.tier(tier).is_some();
        if !offered {
            let tiers = list(product.tiers.iter().map(|t| &t.key));
            out.push(format!("SKU {code}: product {key} offers no tier {tier} (it offers {tiers})."));
        }
        offered
    };
    if let Some(tier) = &sku.tier {
        offers_tier(tier, out);
    }
    if let Some(months) = sku.term_months {
        if !product.offers_term(months) {
            let terms = list(&product.terms);
            out.push(format!("SKU {code}: product {key} offers no {months}-month term (it offers {terms})."));
        }
    }
    if let (Some(from), Some(to)) = (&sku.from_tier, &sku.to_tier) {
        // Both checked before either returns, so that both unknown tiers are named.
        let known = [offers_tier(from, out), offers_tier(to, out)];
        if let ([true, true], Some(rank_from), Some(rank_to)) = (known, product.rank(from), product.rank(to)) {
            if rank_to <= rank_from {
                out.push(format!(
                    "SKU {code} amends {from} to {to}, which does not rise in rank ({rank_from} to {rank_to}): \
                     an amendment is an upgrade."
                ));
            }
        }
    }
    if sku.kind != SkuKind::Plan && product.model == Model::DeviceSubscription {
        out.push(format!(
            "SKU {code}: product {key} is a device subscription; amendments and add-ons are for licenses \
             (a device is upgraded by assigning it a higher-tier plan)."
        ));
    }
    match (sku.unit, &sku.tier, sku.term_months) {
        (SkuUnit::Term, Some(tier), Some(months)) => {
            let expected = format!("{key}-{tier}-{months}");
            if *code != expected {
                out.push(format!("SKU {code}: a term SKU's code is KEY-TIER-TERM, here {expected}."));
            }
        }
        _ if !code.starts_with(&format!("{key}-")) => {
            out.push(format!("SKU {code} belongs to product {key}, so its code starts with {key}-."));
        }
        _ => {}
    }
}

/// Each tier a product offers, for each of its terms, must be for sale: creating or renewing
/// a license picks product, tier and term, and needs the SKU that sells them.
fn plans_for_every_offer(catalog: &Catalog, out: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for product in catalog.products.iter().filter(|p| seen.insert(p.key.as_str())) {
        let mut tiers = HashSet::new();
        for tier in product.tiers.iter().filter(|t| tiers.insert(t.key.as_str())) {
            let mut terms = HashSet::new();
            for &months in product.terms.iter().filter(|&&m| terms.insert(m)) {
                if catalog.plan_sku(&product.key, &tier.key, months).is_none() {
                    out.push(format!(
                        "Product {} offers {} for {months} months, but no SKU {}-{}-{months} sells it.",
                        product.key, tier.key, product.key, tier.key
                    ));
                }
            }
        }
    }
}

/// A quote adds its lines up, which only makes sense in one currency.
fn one_currency(catalog: &Catalog, out: &mut Vec<String>) {
    let currencies: BTreeSet<&str> = catalog.skus.iter().map(|s| s.list_price.currency.as_str()).collect();
    if currencies.len() > 1 {
        out.push(format!(
            "Prices are in {}; a catalog prices in one currency, since a quote adds up its lines.",
            list(&currencies)
        ));
    }
}

fn promotions(catalog: &Catalog, out: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for promotion in &catalog.promotions {
        let key = &promotion.key;
        if !is_code(key) {
            out.push(format!(
                "Promotion key {key:?} is not valid: use upper-case letters, digits and dashes, like RUM-ADV-VOLUME."
            ));
        }
        if !seen.insert(key.as_str()) {
            out.push(format!("Promotion {key} is defined twice."));
        }
        if is_blank(&promotion.name) {
            out.push(format!("Promotion {key} has no name."));
        }
        if promotion.skus.is_empty() {
            out.push(format!("Promotion {key} applies to no SKU."));
        }
        for code in &promotion.skus {
            match catalog.sku(code) {
                None => out.push(format!("Promotion {key} applies to SKU {code}, which is not in the catalog.")),
                Some(sku) if sku.kind != SkuKind::Plan => out.push(format!(
                    "Promotion {key} applies to SKU {code}, which is not a plan; promotions are for plans."
                )),
                Some(_) => {}
            }
        }
        if promotion.valid_from > promotion.valid_to {
            out.push(format!(
                "Promotion {key} runs from {} to {}: its start is after its end.",
                promotion.valid_from, promotion.valid_to
            ));
        }
        match (promotion.bonus_months, promotion.free_units, promotion.free_units_per) {
            (0, 0, 0) => {
                out.push(format!("Promotion {key} gives nothing: set bonus_months, or free_units with free_units_per."))
            }
            (_, free, 0) if free > 0 => out.push(format!(
                "Promotion {key} gives {free} free units but not per how many ordered: set free_units_per."
            )),
            (_, 0, per) if per > 0 => {
                out.push(format!("Promotion {key} sets free_units_per = {per} but gives no free_units."))
            }
            _ => {}
        }
    }
}

fn templates(catalog: &Catalog, out: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for template in &catalog.export_templates {
        let name = &template.name;
        let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            out.push(format!(
                "Export template name {name:?} is not valid: use lower-case letters, digits and underscores, like erp."
            ));
        }
        if !seen.insert(name.as_str()) {
            out.push(format!("Export template {name} is defined twice."));
        }
        if template.columns.is_empty() {
            out.push(format!("Export template {name} has no columns."));
        }
        let mut columns = HashSet::new();
        for column in &template.columns {
            if !EXPORT_COLUMNS.iter().any(|(known, _)| known == column) {
                let known = list(EXPORT_COLUMNS.iter().map(|(c, _)| c));
                out.push(format!("Export template {name} has an unknown column {column:?} (known: {known})."));
            } else if !columns.insert(column.as_str()) {
                out.push(format!("Export template {name} lists column {column} twice."));
            }
        }
    }
    for required in REQUIRED_TEMPLATES {
        if catalog.export_template(required).is_none() {
            out.push(format!(
                "The export template {required} is missing; every catalog has {}.",
                "generic, distributor and erp"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::sample;
    use super::super::Tier;
    use super::*;
    use chrono::NaiveDate;

    /// The problems of the sample after `change`.
    fn after(change: impl FnOnce(&mut Catalog)) -> Vec<String> {
        let mut c = sample();
        change(&mut c);
        problems(&c)
    }

    fn sku<'a>(c: &'a mut Catalog, code: &str) -> &'a mut Sku {
        c.skus.iter_mut().find(|s| s.code == code).expect("a SKU of the sample")
    }

    fn product<'a>(c: &'a mut Catalog, key: &str) -> &'a mut Product {
        c.products.iter_mut().find(|p| p.key == key).expect("a product of the sample")
    }

    #[test]
    fn a_sku_of_an_unknown_product() {
        assert_eq!(
            after(|c| sku(c, "POP-ADDON-REMOTE-MO").product = "XYZ".into()),
            ["SKU POP-ADDON-REMOTE-MO names product XYZ, which is not in the catalog."]
        );
    }

    #[test]
    fn a_term_the_product_does_not_offer() {
        assert_eq!(
            after(|c| {
                let s = sku(c, "POP-ESS-36");
                s.term_months = Some(60);
                s.code = "POP-ESS-60".into();
            }),
            [
                "SKU POP-ESS-60: product POP offers no 60-month term (it offers 12, 36).",
                "Product POP offers ESS for 36 months, but no SKU POP-ESS-36 sells it.",
            ]
        );
    }

    #[test]
    fn a_tier_the_product_does_not_offer() {
        assert_eq!(
            after(|c| {
                let s = sku(c, "RUM-ESS-12");
                s.tier = Some("STD".into());
                s.code = "RUM-STD-12".into();
                c.promotions[1].skus = vec!["RUM-ADV-12".into()];
            }),
            [
                "SKU RUM-STD-12: product RUM offers no tier STD (it offers ESS, ADV).",
                "Product RUM offers ESS for 12 months, but no SKU RUM-ESS-12 sells it.",
            ]
        );
    }

    #[test]
    fn a_duplicate_sku_even_in_another_case() {
        assert_eq!(
            after(|c| {
                let mut twin = c.skus[0].clone();
                twin.code = twin.code.to_ascii_lowercase();
                c.skus.push(twin);
            }),
            [
                "SKU code \"pop-ess-12\" is not valid: use upper-case letters, digits and dashes, like MON-STD-12.",
                "SKU pop-ess-12 is defined twice.",
                "SKU pop-ess-12: a term SKU's code is KEY-TIER-TERM, here POP-ESS-12.",
            ]
        );
        assert_eq!(after(|c| c.skus.push(c.skus[0].clone())), ["SKU POP-ESS-12 is defined twice."]);
    }

    #[test]
    fn a_duplicate_product_key() {
        assert_eq!(after(|c| c.products.push(c.products[1].clone())), ["Product RUM is defined twice."]);
    }

    #[test]
    fn a_term_sku_not_named_key_tier_term() {
        assert_eq!(
            after(|c| {
                sku(c, "POP-ESS-12").code = "POP-ESS-1Y".into();
                c.skus.push(sample().skus[0].clone());
            }),
            ["SKU POP-ESS-1Y: a term SKU's code is KEY-TIER-TERM, here POP-ESS-12."]
        );
    }

    #[test]
    fn a_month_unit_sku_with_a_term() {
        assert_eq!(
            after(|c| sku(c, "POP-ADDON-REMOTE-MO").term_months = Some(12)),
            ["SKU POP-ADDON-REMOTE-MO is sold per month, so it has no term: remove term_months."]
        );
    }

    #[test]
    fn a_term_unit_sku_without_a_term() {
        assert_eq!(
            after(|c| {
                sku(c, "POP-ADV-36").term_months = None;
                sku(c, "POP-ADV-36").code = "POP-ADV-X".into();
            }),
            [
                "SKU POP-ADV-X is sold per term but has no term_months.",
                "Product POP offers ADV for 36 months, but no SKU POP-ADV-36 sells it.",
            ]
        );
    }

    #[test]
    fn an_amendment_whose_tiers_do_not_rise_in_rank() {
        assert_eq!(
            after(|c| {
                let s = sku(c, "POP-ESS-ADV-MO");
                s.from_tier = Some("ADV".into());
                s.to_tier = Some("ESS".into());
            }),
            ["SKU POP-ESS-ADV-MO amends ADV to ESS, which does not rise in rank (2 to 1): an amendment is an upgrade."]
        );
        assert_eq!(
            after(|c| sku(c, "POP-ESS-ADV-MO").to_tier = Some("ESS".into())),
            ["SKU POP-ESS-ADV-MO amends ESS to ESS, which does not rise in rank (1 to 1): an amendment is an upgrade."]
        );
    }

    #[test]
    fn an_amendment_between_unknown_tiers_names_both() {
        assert_eq!(
            after(|c| {
                let s = sku(c, "POP-ESS-ADV-MO");
                s.from_tier = Some("STD".into());
                s.to_tier = Some("PRO".into());
            }),
            [
                "SKU POP-ESS-ADV-MO: product POP offers no tier STD (it offers ESS, ADV).",
                "SKU POP-ESS-ADV-MO: product POP offers no tier PRO (it offers ESS, ADV).",
            ]
        );
    }

    #[test]
    fn an_amendment_needs_both_tiers_and_not_tier() {
        assert_eq!(
            after(|c| {
                let s = sku(c, "POP-ESS-ADV-MO");
                s.from_tier = None;
                s.tier = Some("ADV".into());
            }),
            [
                "SKU POP-ESS-ADV-MO is an amendment: it needs from_tier and to_tier.",
                "SKU POP-ESS-ADV-MO is an amendment: its tiers are from_tier and to_tier, not tier.",
            ]
        );
    }

    #[test]
    fn two_amendments_for_the_same_tiers() {
        assert_eq!(
            after(|c| {
                let mut twin = sku(c, "POP-ESS-ADV-MO").clone();
                twin.code = "POP-UPGRADE-MO".into();
                c.skus.push(twin);
            }),
            ["SKUs POP-ESS-ADV-MO and POP-UPGRADE-MO both amend POP from ESS to ADV; one amendment per pair of tiers."]
        );
    }

    #[test]
    fn kinds_and_units_must_agree() {
        assert_eq!(
            after(|c| sku(c, "POP-ESS-ADV-MO").unit = SkuUnit::Term),
            [
                "SKU POP-ESS-ADV-MO is sold per term but has no term_months.",
                "SKU POP-ESS-ADV-MO is an amendment, sold per device-month: set unit = \"month\".",
            ]
        );
        assert_eq!(
            after(|c| {
                let s = sku(c, "POP-ADDON-REMOTE-MO");
                s.unit = SkuUnit::Term;
                s.term_months = Some(12);
                s.tier = Some("ESS".into());
            }),
            [
                "SKU POP-ADDON-REMOTE-MO is an add-on, sold per license-month: set unit = \"month\".",
                "SKU POP-ADDON-REMOTE-MO is an add-on: it has no tier.",
                "SKU POP-ADDON-REMOTE-MO: a term SKU's code is KEY-TIER-TERM, here POP-ESS-12.",
            ]
        );
        assert_eq!(
            after(|c| {
                let s = sku(c, "RUM-ADV-12");
                s.unit = SkuUnit::Month;
                s.term_months = None;
                s.from_tier = Some("ESS".into());
            }),
            [
                "SKU RUM-ADV-12 is a plan, sold per term: set unit = \"term\".",
                "SKU RUM-ADV-12 is a plan: from_tier and to_tier belong to amendments.",
                "Product RUM offers ADV for 12 months, but no SKU RUM-ADV-12 sells it.",
            ]
        );
        assert_eq!(
            after(|c| {
                let s = sku(c, "RUM-ADV-12");
                s.tier = None;
            }),
            [
                "SKU RUM-ADV-12 is a plan without a tier.",
                "Product RUM offers ADV for 12 months, but no SKU RUM-ADV-12 sells it.",
            ]
        );
    }

    #[test]
    fn a_month_sku_starts_with_its_product_key() {
        assert_eq!(
            after(|c| sku(c, "POP-ADDON-REMOTE-MO").code = "REMOTE-MO".into()),
            ["SKU REMOTE-MO belongs to product POP, so its code starts with POP-."]
        );
    }

    #[test]
    fn amendments_and_add_ons_are_for_licenses() {
        assert_eq!(
            after(|c| {
                let s = sku(c, "POP-ADDON-REMOTE-MO");
                s.product = "RUM".into();
                s.code = "RUM-ADDON-REMOTE-MO".into();
            }),
            ["SKU RUM-ADDON-REMOTE-MO: product RUM is a device subscription; amendments and add-ons are for \
                 licenses (a device is upgraded by assigning it a higher-tier plan)."]
        );
    }

    #[test]
    fn a_zero_or_negative_price() {
        assert_eq!(
            after(|c| {
                sku(c, "POP-ESS-12").list_price.amount_minor = 0;
                sku(c, "POP-ESS-36").list_price.amount_minor = -100;
            }),
            [
                "SKU POP-ESS-12 has a list price of 0; a price is a positive number of minor units (cents).",
                "SKU POP-ESS-36 has a list price of -100; a price is a positive number of minor units (cents).",
            ]
        );
    }

    #[test]
    fn a_currency_that_is_not_iso_4217_or_a_second_currency() {
        assert_eq!(
            after(|c| sku(c, "POP-ESS-12").list_price.currency = "eur".into()),
            [
                "SKU POP-ESS-12: currency \"eur\" is not a three-letter ISO 4217 code like EUR.",
                "Prices are in EUR, eur; a catalog prices in one currency, since a quote adds up its lines.",
            ]
        );
        assert_eq!(
            after(|c| sku(c, "POP-ESS-12").list_price.currency = "USD".into()),
            ["Prices are in EUR, USD; a catalog prices in one currency, since a quote adds up its lines."]
        );
    }

    #[test]
    fn a_sku_without_a_name() {
        assert_eq!(after(|c| sku(c, "POP-ESS-12").name = "  ".into()), ["SKU POP-ESS-12 has no name."]);
    }

    #[test]
    fn product_keys_names_tiers_and_terms() {
        assert_eq!(
            after(|c| {
                let p = product(c, "POP");
                p.name = String::new();
                p.terms.push(24);
                p.terms.push(12);
            }),
            [
                "Product POP has no name.",
                "Product POP offers a 24-month term; terms are 12, 36 or 60 months.",
                "Product POP lists the 12-month term twice.",
                "Product POP offers ESS for 24 months, but no SKU POP-ESS-24 sells it.",
                "Product POP offers ADV for 24 months, but no SKU POP-ADV-24 sells it.",
            ]
        );
        assert_eq!(
            after(|c| {
                let p = product(c, "RUM");
                p.tiers.push(Tier { key: "std".into(), name: String::new(), rank: 2 });
                p.tiers.push(Tier { key: "ESS".into(), name: "Again".into(), rank: 1 });
            }),
            [
                "Product RUM: tier key \"std\" is not valid: use upper-case letters and digits, like STD.",
                "Product RUM: tier std has no name.",
                "Product RUM: tiers ADV and std share rank 2; each tier needs its own rank, which orders upgrades.",
                "Product RUM lists tier ESS twice.",
                "Product RUM offers std for 12 months, but no SKU RUM-std-12 sells it.",
            ]
        );
    }

    #[test]
    fn a_product_key_that_cannot_head_a_sku_code() {
        let problems = after(|c| {
            product(c, "RUM").key = "RU-M".into();
            for s in c.skus.iter_mut().filter(|s| s.product == "RUM") {
                s.product = "RU-M".into();
                s.code = s.code.replace("RUM", "RU-M");
            }
            for p in &mut c.promotions {
                p.skus = p.skus.iter().map(|s| s.replace("RUM", "RU-M")).collect();
            }
        });
        assert_eq!(problems, ["Product key \"RU-M\" is not valid: use upper-case letters and digits, like MON."]);
    }

    #[test]
    fn a_product_without_tiers_or_terms() {
        let problems = after(|c| {
            let p = product(c, "RUM");
            p.tiers.clear();
            p.terms.clear();
        });
        assert_eq!(&problems[..2], ["Product RUM offers no tiers.", "Product RUM offers no terms."]);
        assert!(problems[2..].iter().all(|p| p.contains("offers no tier") || p.contains("offers no 12-month")));
    }

    #[test]
    fn a_grace_as_long_as_a_term() {
        assert_eq!(
            after(|c| product(c, "POP").grace_days = 336),
            ["Product POP: a grace of 336 days is not shorter than its shortest term (12 months)."]
        );
        assert_eq!(after(|c| product(c, "POP").grace_days = 335), Vec::<String>::new());
    }

    #[test]
    fn prorated_increase_is_for_licenses() {
        assert_eq!(after(|c| product(c, "POP").prorated_increase = true), Vec::<String>::new());
        assert_eq!(
            after(|c| product(c, "RUM").prorated_increase = true),
            ["Product RUM is a device subscription: prorated_increase applies to licenses only."]
        );
    }

    #[test]
    fn an_empty_catalog() {
        let empty = Catalog { products: vec![], skus: vec![], promotions: vec![], export_templates: vec![] };
        assert_eq!(
            problems(&empty),
            [
                "The catalog has no products.",
                "The catalog has no SKUs.",
                "The export template generic is missing; every catalog has generic, distributor and erp.",
                "The export template distributor is missing; every catalog has generic, distributor and erp.",
                "The export template erp is missing; every catalog has generic, distributor and erp.",
            ]
        );
    }

    #[test]
    fn a_promotion_for_an_unknown_sku_or_a_month_unit() {
        assert_eq!(
            after(|c| c.promotions[0].skus = vec!["RUM-ADV-36".into(), "POP-ESS-ADV-MO".into()]),
            [
                "Promotion RUM-VOLUME applies to SKU RUM-ADV-36, which is not in the catalog.",
                "Promotion RUM-VOLUME applies to SKU POP-ESS-ADV-MO, which is not a plan; promotions are for plans.",
            ]
        );
        assert_eq!(after(|c| c.promotions[0].skus.clear()), ["Promotion RUM-VOLUME applies to no SKU."]);
    }

    #[test]
    fn a_promotion_that_ends_before_it_starts() {
        assert_eq!(
            after(|c| c.promotions[0].valid_to = NaiveDate::from_ymd_opt(2024, 12, 31).expect("a date")),
            ["Promotion RUM-VOLUME runs from 2025-01-01 to 2024-12-31: its start is after its end."]
        );
        let one_day = after(|c| c.promotions[0].valid_to = c.promotions[0].valid_from);
        assert_eq!(one_day, Vec::<String>::new(), "a window of one day is fine");
    }

    #[test]
    fn a_promotion_that_gives_nothing_or_half_a_rule() {
        assert_eq!(
            after(|c| {
                c.promotions[0].free_units = 0;
                c.promotions[0].free_units_per = 0;
            }),
            ["Promotion RUM-VOLUME gives nothing: set bonus_months, or free_units with free_units_per."]
        );
        assert_eq!(
            after(|c| c.promotions[0].free_units_per = 0),
            ["Promotion RUM-VOLUME gives 1 free units but not per how many ordered: set free_units_per."]
        );
        assert_eq!(
            after(|c| c.promotions[0].free_units = 0),
            ["Promotion RUM-VOLUME sets free_units_per = 10 but gives no free_units."]
        );
    }

    #[test]
    fn promotion_keys_and_names() {
        assert_eq!(
            after(|c| {
                c.promotions[1].key = "RUM-VOLUME".into();
                c.promotions[1].name = String::new();
                c.promotions[0].key = "rum volume".into();
            }),
            [
                "Promotion key \"rum volume\" is not valid: use upper-case letters, digits and dashes, like \
                 RUM-ADV-VOLUME.",
                "Promotion RUM-VOLUME has no name.",
            ]
        );
        assert_eq!(after(|c| c.promotions.push(c.promotions[0].clone())), ["Promotion RUM-VOLUME is defined twice."]);
    }

    #[test]
    fn a_template_with_an_unknown_or_repeated_column() {
        let problems = after(|c| c.export_templates[2].columns = vec!["sku".into(), "colour".into(), "sku".into()]);
        assert_eq!(problems.len(), 2);
        assert!(problems[0].starts_with("Export template erp has an unknown column \"colour\" (known: line, sku, "));
        assert_eq!(problems[1], "Export template erp lists column sku twice.");
        assert_eq!(after(|c| c.export_templates[2].columns.clear()), ["Export template erp has no columns."]);
    }

    #[test]
    fn a_missing_duplicate_or_misnamed_template() {
        assert_eq!(
            after(|c| c.export_templates[1].name = "Distributor".into()),
            [
                "Export template name \"Distributor\" is not valid: use lower-case letters, digits and underscores, \
                 like erp.",
                "The export template distributor is missing; every catalog has generic, distributor and erp.",
            ]
        );
        assert_eq!(
            after(|c| c.export_templates.push(c.export_templates[0].clone())),
            ["Export template generic is defined twice."]
        );
        assert_eq!(
            after(|c| c
                .export_templates
                .push(super::super::ExportTemplate { name: "sap".into(), columns: vec!["sku".into()] })),
            Vec::<String>::new(),
            "more templates than the three are fine"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let problems = after(|c| {
            sku(c, "POP-ESS-12").list_price.amount_minor = 0;
            c.promotions[0].skus = vec!["NOPE-1".into()];
            c.export_templates.pop();
        });
        assert_eq!(problems.len(), 3, "{problems:#?}");
        let e = sample().validate();
        assert_eq!(e, Ok(()));
    }
}
