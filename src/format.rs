//! How dates are written for people. Hand-rolled rather than chrono's
//! `format`, whose pattern interpreter would weigh on the wasm for two shapes.

use chrono::{DateTime, Datelike, Utc};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The calendar day (UTC, as everywhere in Tessera) for people: `3 Nov 2026`.
pub fn short_date(at: DateTime<Utc>) -> String {
    let day = at.date_naive();
    format!("{} {} {}", day.day(), MONTHS[day.month0() as usize], day.year())
}

/// The calendar day for machines, e.g. a `<time datetime>`: `2026-11-03`.
pub fn iso_date(at: DateTime<Utc>) -> String {
    let day = at.date_naive();
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
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
    fn dates_are_utc_days() {
        // 23:30 UTC is the same day in Tessera whatever the browser's zone.
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).single().unwrap_or_default();
        assert_eq!(short_date(at), "31 Dec 2026");
    }
}
