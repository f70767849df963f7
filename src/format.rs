//! How dates and credits are written for people. Dates are hand-rolled rather
//! than chrono's `format`, whose pattern interpreter would weigh on the wasm
//! for two shapes.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use tessera_domain::proration::{device_months_text, units_text};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The calendar day (UTC, as everywhere in Tessera) for people: `3 Nov 2026`.
pub fn short_date(at: DateTime<Utc>) -> String {
    short_day(at.date_naive())
}

/// The calendar day for machines, e.g. a `<time datetime>`: `2026-11-03`.
pub fn iso_date(at: DateTime<Utc>) -> String {
    iso_day(at.date_naive())
}

/// A calendar date for people: `3 Nov 2026`.
pub fn short_day(day: NaiveDate) -> String {
    format!("{} {} {}", day.day(), MONTHS[day.month0() as usize], day.year())
}

/// A calendar date for machines: `2026-11-03`.
pub fn iso_day(day: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// Credits as people count them: units of a SKU sold by term (`12 units`,
/// `11.75 units`), device-months of one sold by the month (`term_months` `None`).
pub fn credits_text(device_months: u64, term_months: Option<u32>) -> String {
    match term_months {
        Some(term) => units_text(device_months, term),
        None => device_months_text(device_months),
    }
}

/// The exact figure behind [`credits_text`] when it is in units (for a `title`
/// and screen readers): `423 device-months`; `None` when it is already exact.
pub fn credits_detail(device_months: u64, term_months: Option<u32>) -> Option<String> {
    term_months.map(|_| device_months_text(device_months))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_are_short_and_unambiguous() {
        let at = Utc.with_ymd_and_hms(2026, 11, 3, 23, 59, 0).single().unwrap_or_default();
        assert_eq!(short_date(at), "3 Nov 2026");
        assert_eq!(iso_date(at), "2026-11-03");
        let at = Utc.with_ymd_and_hms(2027, 1, 31, 0, 0, 0).single().unwrap_or_default();
        assert_eq!(short_date(at), "31 Jan 2027");
        assert_eq!(iso_date(at), "2027-01-31");
    }

    #[test]
    fn credits_in_units_or_device_months() {
        assert_eq!(credits_text(423, Some(36)), "11.75 units");
        assert_eq!(credits_detail(423, Some(36)).as_deref(), Some("423 device-months"));
        assert_eq!(credits_text(36, Some(36)), "1 unit");
        assert_eq!(credits_text(24, None), "24 device-months");
        assert_eq!(credits_detail(24, None), None);
    }

    #[test]
    fn calendar_days() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 9).unwrap_or_default();
        assert_eq!(short_day(day), "9 Mar 2027");
        assert_eq!(iso_day(day), "2027-03-09");
    }

    #[test]
    fn dates_are_utc_days() {
        // 23:30 UTC is the same day in Tessera whatever the browser's zone.
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).single().unwrap_or_default();
        assert_eq!(short_date(at), "31 Dec 2026");
    }
}
