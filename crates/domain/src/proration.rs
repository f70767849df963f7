//! Device-month arithmetic for the Digital Locker (SPEC §3, §4).
//!
//! Balances are kept in device-months (one unit of a 36-month SKU = 36
//! device-months) so that a prorated change, which costs "devices × remaining
//! months", is exact integer arithmetic: nothing is rounded, and what is not
//! used of a unit stays in the locker. Units only appear at the edges, for
//! people, through the display helpers below.
//!
//! All results are `u64`: `u32 × u32` cannot overflow it.

/// Device-months a license of `quantity` assets for a term of `term_months`
/// needs (also: what `quantity` term units of a SKU put in a locker).
pub fn term_device_months(quantity: u32, term_months: u32) -> u64 {
    u64::from(quantity) * u64::from(term_months)
}

/// Device-months to add `k` assets to a license with `remaining_months` left:
/// the new assets only run until the license's existing end date.
pub fn increase_cost(k: u32, remaining_months: u32) -> u64 {
    u64::from(k) * u64::from(remaining_months)
}

/// Device-months of the amendment SKU to move `quantity` assets to a higher
/// tier from today to the unchanged end date.
pub fn amendment_cost(quantity: u32, remaining_months: u32) -> u64 {
    u64::from(quantity) * u64::from(remaining_months)
}

/// Device-months of an add-on SKU for `licenses` licenses with
/// `remaining_months` left: the add-on is priced per license, not per asset.
pub fn addon_cost(licenses: u32, remaining_months: u32) -> u64 {
    u64::from(licenses) * u64::from(remaining_months)
}

/// Not enough device-months in the locker: how many are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    pub missing: u64,
}

impl Shortfall {
    /// Whole units of a `term_months` SKU to buy to cover the gap: you cannot
    /// buy a fraction of a unit, so this rounds up.
    pub fn units_to_buy(self, term_months: u32) -> u64 {
        units_to_cover(self.missing, term_months)
    }
}

/// The balance left after taking `cost` from `available`, or what is missing.
/// A balance can never go negative (SPEC §3), so nothing is taken when short.
pub fn consume(available: u64, cost: u64) -> Result<u64, Shortfall> {
    available.checked_sub(cost).ok_or_else(|| Shortfall { missing: cost - available })
}

/// The number of whole units of a `term_months` SKU that cover
/// `device_months`, rounded up (see [`Shortfall::units_to_buy`]).
///
/// `term_months` 0 is read as 1, the month-unit SKUs' unit, rather than
/// dividing by zero.
pub fn units_to_cover(device_months: u64, term_months: u32) -> u64 {
    device_months.div_ceil(u64::from(term_months.max(1)))
}

/// `device_months` as units of a `term_months` SKU, as a plain number with at
/// most two decimals and no trailing zeros: 432 of a 36-month SKU is `"12"`,
/// 423 is `"11.75"`, 414 is `"11.5"`, 12 is `"0.33"`.
///
/// Rounding: truncated toward zero, never rounded up. A balance shown to a
/// customer must never promise more than the locker holds: 431 device-months
/// of a 36-month SKU (11.972 units) read as "12 units" would suggest a
/// 12-unit license fits when it does not. The exact figure is the
/// device-month count, shown beside it (on hover).
///
/// `term_months` 0 is read as 1, as in [`units_to_cover`].
pub fn units_number(device_months: u64, term_months: u32) -> String {
    let hundredths = units_hundredths(device_months, term_months);
    let whole = hundredths / 100;
    let fraction = hundredths % 100;
    if fraction == 0 {
        whole.to_string()
    } else if fraction.is_multiple_of(10) {
        format!("{whole}.{}", fraction / 10)
    } else {
        format!("{whole}.{fraction:02}")
    }
}

/// Device-months in hundredths of a `term_months` unit, rounded down: a balance never shows
/// more than it holds.
pub fn units_hundredths(device_months: u64, term_months: u32) -> u128 {
    u128::from(device_months) * 100 / u128::from(term_months.max(1))
}

/// Like [`units_number`], with the word: "1 unit", "12 units", "11.75 units".
pub fn units_text(device_months: u64, term_months: u32) -> String {
    let number = units_number(device_months, term_months);
    let word = if number == "1" { "unit" } else { "units" };
    format!("{number} {word}")
}

/// "1 device-month", "423 device-months": the exact balance behind a unit figure.
pub fn device_months_text(device_months: u64) -> String {
    let word = if device_months == 1 { "device-month" } else { "device-months" };
    format!("{device_months} {word}")
}

/// Whether `device_months` is a whole number of units of a `term_months` SKU
/// (the UI can then skip the device-month detail).
pub fn is_whole_units(device_months: u64, term_months: u32) -> bool {
    device_months.checked_rem(u64::from(term_months.max(1))) == Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::{remaining_months, term_end};
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn spec_example_1_amended_on_anniversary_day_r_is_33() {
        let start = d(2025, 1, 15);
        let end = term_end(start, 36);
        let r = remaining_months(start, end, d(2025, 4, 15));
        assert_eq!(r, 33);
        assert_eq!(amendment_cost(10, r), 330);
    }

    #[test]
    fn spec_example_8_increase_by_4_with_r_20_consumes_80_device_months() {
        let cost = increase_cost(4, 20);
        assert_eq!(cost, 80);
        let locker = term_device_months(3, 36);
        assert_eq!(locker, 108);
        assert_eq!(consume(locker, cost), Ok(28));
        assert_eq!(units_text(28, 36), "0.77 units");
    }

    #[test]
    fn consuming_more_than_available_says_what_is_missing() {
        let needed = term_device_months(15, 36);
        let short = consume(term_device_months(12, 36), needed);
        assert_eq!(short, Err(Shortfall { missing: 108 }));
        assert_eq!(Shortfall { missing: 108 }.units_to_buy(36), 3);
        assert_eq!(Shortfall { missing: 100 }.units_to_buy(36), 3);
        assert_eq!(Shortfall { missing: 1 }.units_to_buy(36), 1);
    }

    #[test]
    fn units_display() {
        assert_eq!(units_text(423, 36), "11.75 units");
        assert_eq!(units_text(432, 36), "12 units");
        assert_eq!(units_text(414, 36), "11.5 units");
        assert_eq!(units_text(36, 36), "1 unit");
        assert_eq!(units_text(0, 36), "0 units");
        assert_eq!(units_text(12, 36), "0.33 units");
        assert_eq!(units_text(24, 36), "0.66 units");
        // Truncated, never rounded up to a unit the locker does not hold.
        assert_eq!(units_text(431, 36), "11.97 units");
        assert_eq!(units_text(35, 36), "0.97 units");
        assert_eq!(units_text(7, 0), "7 units");
        assert_eq!(units_text(u64::MAX, 1), format!("{} units", u64::MAX));
    }

    #[test]
    fn device_months_display() {
        assert_eq!(device_months_text(1), "1 device-month");
        assert_eq!(device_months_text(423), "423 device-months");
        assert!(is_whole_units(432, 36));
        assert!(!is_whole_units(423, 36));
    }

    #[test]
    fn addon_cost_is_per_license() {
        assert_eq!(addon_cost(1, 20), 20);
        assert_eq!(addon_cost(3, 20), 60);
    }

    #[test]
    fn no_overflow_at_the_extremes() {
        let max = u64::from(u32::MAX) * u64::from(u32::MAX);
        assert_eq!(term_device_months(u32::MAX, u32::MAX), max);
        assert_eq!(increase_cost(u32::MAX, u32::MAX), max);
    }
}
