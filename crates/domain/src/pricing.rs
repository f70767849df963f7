//! Prices (SPEC §9): one pure function prices a line of a quote from the catalog — list
//! price, the promotions valid on the day, the line's discount, the total and the price per
//! device-month — in integer minor units, so that the builder, the quote, the bill of
//! materials and the order all show the same figures.
//!
//! Rounding: once per line, half away from zero, on the line's total (`unit price × quantity
//! × (1 − discount)`); the price per device-month is the line's total divided by the
//! device-months it buys (paid and free units × months with the bonus), rounded the same way.
//! Promotions do not add up: of those valid on the day for the SKU, the largest free-unit
//! offer and the largest bonus apply (as for licenses and device plans).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, SkuKind};

/// Discounts are given in hundredths of a percent: 1250 is 12.5 %.
pub const MAX_DISCOUNT_BASIS_POINTS: u32 = 10_000;
/// Units one line may order.
pub const MAX_LINE_QUANTITY: u32 = 100_000;

/// A line as it is priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricedLine {
    pub sku: String,
    pub quantity: u32,
    /// Per unit, before the discount.
    pub unit_price: i64,
    /// `unit_price × quantity`.
    pub list_total: i64,
    /// Hundredths of a percent.
    pub discount_basis_points: u32,
    /// What the customer pays for the line.
    pub total: i64,
    /// Units given by a promotion on top of `quantity`.
    pub free_units: u32,
    /// Months a promotion adds to each unit's term.
    pub bonus_months: u32,
    /// The promotions applied, by name, joined with "; " (empty when none).
    pub promotion: String,
    /// Device-months bought: (quantity + free units) × (term + bonus months), or the
    /// quantity for a SKU sold by the month.
    pub device_months: u64,
    /// `total / device_months`, in minor units, half away from zero.
    pub price_per_device_month: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceError {
    UnknownSku,
    Quantity,
    Discount,
}

impl PriceError {
    pub fn code(&self) -> &'static str {
        match self {
            PriceError::UnknownSku => "sku_unknown",
            PriceError::Quantity => "invalid_quantity",
            PriceError::Discount => "invalid_discount",
        }
    }

    pub fn message(&self) -> String {
        match self {
            PriceError::UnknownSku => "There is no such SKU in the catalog.".into(),
            PriceError::Quantity => format!("A line orders between 1 and {MAX_LINE_QUANTITY} units."),
            PriceError::Discount => "A discount is between 0 and 100 %.".into(),
        }
    }
}

/// `numerator / denominator` rounded half away from zero (`denominator` > 0).
pub fn div_round(numerator: i128, denominator: i128) -> i128 {
    let half = denominator / 2;
    if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    }
}

/// Prices `quantity` units of `sku` with a discount, on `date` (the quote's start: the day
/// promotions are judged on). `unit_price` overrides the list price (a partner's price).
pub fn price(
    catalog: &Catalog,
    sku: &str,
    quantity: u32,
    discount_basis_points: u32,
    unit_price: Option<i64>,
    date: NaiveDate,
) -> Result<PricedLine, PriceError> {
    let found = catalog.sku(sku).ok_or(PriceError::UnknownSku)?;
    if quantity == 0 || quantity > MAX_LINE_QUANTITY {
        return Err(PriceError::Quantity);
    }
    if discount_basis_points > MAX_DISCOUNT_BASIS_POINTS {
        return Err(PriceError::Discount);
    }
    let unit = unit_price.unwrap_or(found.list_price.amount_minor);
    if unit < 0 {
        return Err(PriceError::Discount);
    }
    let promotions = if found.kind == SkuKind::Plan { catalog.promotions_on(&found.code, date) } else { Vec::new() };
    let (mut free_units, mut bonus_months, mut names) = (0u32, 0u32, Vec::new());
    for p in &promotions {
        let free = p.free_units_for(quantity);
        if free > 0 || p.bonus_months > 0 {
            names.push(p.name.clone());
        }
        free_units = free_units.max(free);
        bonus_months = bonus_months.max(p.bonus_months);
    }
    let list_total = i128::from(unit) * i128::from(quantity);
    let total = div_round(list_total * i128::from(MAX_DISCOUNT_BASIS_POINTS - discount_basis_points), 10_000);
    let device_months = match found.term_months {
        Some(term) if found.kind == SkuKind::Plan => u64::from(quantity + free_units) * u64::from(term + bonus_months),
        Some(term) => u64::from(quantity) * u64::from(term),
        None => u64::from(quantity),
    };
    let per = div_round(total, i128::from(device_months.max(1)));
    Ok(PricedLine {
        sku: found.code.clone(),
        quantity,
        unit_price: unit,
        list_total: i64::try_from(list_total).unwrap_or(i64::MAX),
        discount_basis_points,
        total: i64::try_from(total).unwrap_or(i64::MAX),
        free_units,
        bonus_months,
        promotion: names.join("; "),
        device_months,
        price_per_device_month: i64::try_from(per).unwrap_or(i64::MAX),
        currency: found.list_price.currency.clone(),
    })
}

/// One cell of the option matrix: a plan of the product for the quantity, with
/// `best_value` on the cheapest per device-month (ties: the shorter term, then the lower
/// tier, the first in catalog order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuoteOption {
    pub sku: String,
    pub tier: String,
    pub term_months: u32,
    pub list_total: i64,
    pub promotion: String,
    pub total: i64,
    pub free_units: u32,
    pub bonus_months: u32,
    pub price_per_device_month: i64,
    pub best_value: bool,
}

/// What falls due on a device during a plan's term, for a quote to flag (issue 15): its
/// battery's replace-by date or its warranty's end inside `[starts_on, term end)`. A date
/// before the start is already due and is the device page's concern, not the quote's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HardwareDue {
    pub battery: bool,
    pub warranty: bool,
}

/// See [`HardwareDue`].
pub fn hardware_due(
    starts_on: NaiveDate,
    term_months: u32,
    battery_replace_by: Option<NaiveDate>,
    warranty_expires_on: Option<NaiveDate>,
) -> HardwareDue {
    let end = crate::dates::term_end(starts_on, term_months);
    let inside = |d: Option<NaiveDate>| d.is_some_and(|d| starts_on <= d && d < end);
    HardwareDue { battery: inside(battery_replace_by), warranty: inside(warranty_expires_on) }
}

/// The option matrix of `product` for `quantity` units starting on `date`: every term ×
/// tier it offers, in catalog order.
pub fn options(
    catalog: &Catalog,
    product: &str,
    quantity: u32,
    date: NaiveDate,
) -> Result<Vec<QuoteOption>, PriceError> {
    let found = catalog.product(product).ok_or(PriceError::UnknownSku)?;
    let mut out = Vec::new();
    for term in &found.terms {
        for tier in &found.tiers {
            let Some(sku) = catalog.plan_sku(&found.key, &tier.key, *term) else { continue };
            let line = price(catalog, &sku.code, quantity, 0, None, date)?;
            out.push(QuoteOption {
                sku: line.sku,
                tier: tier.key.clone(),
                term_months: *term,
                list_total: line.list_total,
                promotion: line.promotion,
                total: line.total,
                free_units: line.free_units,
                bonus_months: line.bonus_months,
                price_per_device_month: line.price_per_device_month,
                best_value: false,
            });
        }
    }
    if let Some(best) = out.iter().map(|o| o.price_per_device_month).min() {
        if let Some(first) = out.iter_mut().find(|o| o.price_per_device_month == best) {
            first.best_value = true;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        toml::from_str(include_str!("../../server/catalog/default.toml")).expect("the default catalog reads")
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(5, 2), 3);
        assert_eq!(div_round(-5, 2), -3);
        assert_eq!(div_round(4, 3), 1);
        assert_eq!(div_round(0, 7), 0);
    }

    /// Worked example A (docs/decisions.md): 25 units of RUM-ADV-36 on 2026-01-10, 12.5 % off.
    #[test]
    fn worked_example_a_promotions_and_a_discount() {
        let c = catalog();
        let list = c.sku("RUM-ADV-36").map(|s| s.list_price.amount_minor).expect("priced");
        let line = price(&c, "RUM-ADV-36", 25, 1250, None, d(2026, 1, 10)).expect("priced");
        assert_eq!(line.unit_price, list);
        assert_eq!(line.list_total, list * 25);
        assert_eq!(line.free_units, 2, "1 free per 10 ordered");
        assert_eq!(line.bonus_months, 3);
        assert_eq!(line.total, div_round(i128::from(list) * 25 * 8750, 10_000) as i64);
        assert_eq!(line.device_months, 27 * 39);
        assert_eq!(line.price_per_device_month, div_round(i128::from(line.total), 27 * 39) as i64);
        assert!(line.promotion.contains("1 free unit for every 10"), "{}", line.promotion);
    }

    /// Worked example B: outside the promotions' window nothing is added.
    #[test]
    fn worked_example_b_no_promotion_after_its_window() {
        let c = catalog();
        let line = price(&c, "RUM-ADV-36", 25, 0, None, d(2031, 1, 1)).expect("priced");
        assert_eq!((line.free_units, line.bonus_months, line.promotion.as_str()), (0, 0, ""));
        assert_eq!(line.total, line.list_total);
        assert_eq!(line.device_months, 25 * 36);
    }

    #[test]
    fn month_skus_and_refusals() {
        let c = catalog();
        let line = price(&c, "POP-ESS-ADV-MO", 330, 0, None, d(2026, 1, 1)).expect("priced");
        assert_eq!(line.device_months, 330);
        assert_eq!(line.price_per_device_month, line.unit_price);
        assert_eq!(price(&c, "NOPE", 1, 0, None, d(2026, 1, 1)), Err(PriceError::UnknownSku));
        assert_eq!(price(&c, "MON-STD-12", 0, 0, None, d(2026, 1, 1)), Err(PriceError::Quantity));
        assert_eq!(price(&c, "MON-STD-12", 1, 10_001, None, d(2026, 1, 1)), Err(PriceError::Discount));
        let free = price(&c, "MON-STD-12", 3, 10_000, None, d(2026, 1, 1)).expect("priced");
        assert_eq!(free.total, 0, "100 % off is free");
    }

    #[test]
    fn the_matrix_marks_the_best_value_per_device_month() {
        let c = catalog();
        let matrix = options(&c, "RUM", 25, d(2026, 1, 10)).expect("priced");
        assert_eq!(matrix.len(), 6, "3 terms × 2 tiers");
        assert_eq!(matrix.iter().filter(|o| o.best_value).count(), 1);
        let best = matrix.iter().find(|o| o.best_value).expect("one best");
        assert!(matrix.iter().all(|o| o.price_per_device_month >= best.price_per_device_month));
    }

    proptest::proptest! {
        #[test]
        fn a_discount_never_raises_the_total(q in 1u32..2000, a in 0u32..10_000, b in 0u32..10_000) {
            let c = catalog();
            let (lo, hi) = (a.min(b), a.max(b));
            let total = |bp| price(&c, "MON-ADV-36", q, bp, None, d(2026, 5, 1)).map_or(i64::MAX, |l| l.total);
            proptest::prop_assert!(total(hi) <= total(lo));
        }
    }

    #[test]
    fn hardware_due_inside_the_term_only() {
        let d = |s: &str| crate::catalog::date::parse(s);
        let start = d("2027-01-15").unwrap_or_default();
        assert_eq!(
            hardware_due(start, 12, d("2027-01-15"), d("2028-01-14")),
            HardwareDue { battery: true, warranty: true },
            "the first and the last covered day"
        );
        assert_eq!(hardware_due(start, 12, d("2028-01-15"), d("2027-01-14")), HardwareDue::default(), "after, before");
        assert_eq!(hardware_due(start, 36, d("2029-06-30"), None), HardwareDue { battery: true, warranty: false });
    }
}
