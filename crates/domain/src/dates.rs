//! Calendar arithmetic for terms (SPEC §6).
//!
//! Every function takes "today" as a parameter: the domain never reads a clock,
//! so the browser, the server and the tests all agree on what a date means.
//!
//! Terms are counted in calendar months, not in days, because that is what a
//! customer buys ("3 years from 15 January" ends on 15 January). When the
//! target month is too short the date is clamped to its last day
//! (Jan 31 + 1 month = Feb 28 or 29), the convention people expect from a
//! monthly bill.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// `date` plus `months` calendar months, clamped to the end of a short month.
///
/// Saturates at [`NaiveDate::MAX`] instead of panicking: a date that far away
/// can only come from bad input, and "covered forever" is a safer answer
/// than a crash in a request handler or the browser.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// The first day that is no longer covered by a term of `months` starting on
/// `start` (coverage holds on `start <= d < term_end`, shown as "Expires on").
pub fn term_end(start: NaiveDate, months: u32) -> NaiveDate {
    add_months(start, months)
}

/// `end - today` in days: positive while covered, 0 on the expiry day,
/// negative afterwards (how many days ago it expired).
pub fn days_left(end: NaiveDate, today: NaiveDate) -> i64 {
    end.signed_duration_since(today).num_days()
}

/// `date` plus `days` days, saturating instead of panicking (see [`add_months`]).
pub fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(chrono::Days::new(days)).unwrap_or(NaiveDate::MAX)
}

/// Remaining months R used to prorate mid-term changes (SPEC §6): the smallest
/// `m >= 0` with `today + m months >= end`.
///
/// A month that has started counts whole, so a customer pays for the month
/// they are in; the vendor never gives away a partial month, and the
/// customer is never charged for a month that lies entirely past `end`.
/// Before `start` the whole term is still ahead, so R is the full term.
pub fn remaining_months(start: NaiveDate, end: NaiveDate, today: NaiveDate) -> u32 {
    months_until(today.max(start), end)
}

/// Smallest `m >= 0` with `add_months(from, m) >= end`.
fn months_until(from: NaiveDate, end: NaiveDate) -> u32 {
    if from >= end {
        return 0;
    }
    // The difference of month numbers is off by at most one from the answer;
    // `add_months` is strictly increasing in `m`, so nudge it into place.
    let estimate = i64::from(end.year() - from.year()) * 12 + i64::from(end.month()) - i64::from(from.month());
    let mut m = u32::try_from(estimate.max(0)).unwrap_or(u32::MAX);
    while add_months(from, m) < end {
        m = m.saturating_add(1);
    }
    while m > 0 && add_months(from, m - 1) >= end {
        m -= 1;
    }
    m
}

/// The terms a customer can choose (1, 3 or 5 years).
///
/// Serialized as the number of months (`12`, `36`, `60`) because SKUs,
/// the catalog and the ledger all count in months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum Term {
    OneYear,
    ThreeYears,
    FiveYears,
}

impl Term {
    /// Every term, shortest first (the order of option matrices and pickers).
    pub const ALL: [Term; 3] = [Term::OneYear, Term::ThreeYears, Term::FiveYears];

    pub fn months(self) -> u32 {
        match self {
            Term::OneYear => 12,
            Term::ThreeYears => 36,
            Term::FiveYears => 60,
        }
    }

    /// `None` for any other length: the catalog sells only these three.
    pub fn from_months(months: u32) -> Option<Term> {
        match months {
            12 => Some(Term::OneYear),
            36 => Some(Term::ThreeYears),
            60 => Some(Term::FiveYears),
            _ => None,
        }
    }

    /// How people name the term: "1 year", "3 years", "5 years".
    pub fn label(self) -> &'static str {
        match self {
            Term::OneYear => "1 year",
            Term::ThreeYears => "3 years",
            Term::FiveYears => "5 years",
        }
    }
}

impl From<Term> for u32 {
    fn from(term: Term) -> u32 {
        term.months()
    }
}

impl TryFrom<u32> for Term {
    type Error = String;

    fn try_from(months: u32) -> Result<Term, String> {
        Term::from_months(months).ok_or_else(|| format!("a term is 12, 36 or 60 months, not {months}"))
    }
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn remaining_months_on_the_monthly_anniversary() {
        let start = d(2025, 1, 15);
        let end = term_end(start, 36);
        assert_eq!(end, d(2028, 1, 15));
        assert_eq!(remaining_months(start, end, d(2025, 4, 15)), 33);
    }

    #[test]
    fn spec_example_2_a_started_month_counts_whole() {
        let start = d(2025, 1, 15);
        let end = term_end(start, 36);
        assert_eq!(remaining_months(start, end, d(2025, 4, 20)), 33);
        assert_eq!(remaining_months(start, end, d(2025, 4, 14)), 34);
    }

    #[test]
    fn spec_example_3_month_end_clamping() {
        assert_eq!(term_end(d(2025, 1, 31), 12), d(2026, 1, 31));
        assert_eq!(term_end(d(2025, 1, 31), 1), d(2025, 2, 28));
    }

    #[test]
    fn clamps_to_leap_day() {
        assert_eq!(add_months(d(2024, 1, 31), 1), d(2024, 2, 29));
        assert_eq!(add_months(d(2024, 2, 29), 12), d(2025, 2, 28));
        assert_eq!(add_months(d(2025, 8, 31), 1), d(2025, 9, 30));
    }

    #[test]
    fn add_months_zero_is_identity_and_saturates_far_away() {
        assert_eq!(add_months(d(2025, 3, 3), 0), d(2025, 3, 3));
        assert_eq!(add_months(d(2025, 3, 3), u32::MAX), NaiveDate::MAX);
    }

    #[test]
    fn days_left_counts_to_the_expiry_day() {
        assert_eq!(days_left(d(2026, 3, 1), d(2026, 2, 1)), 28);
        assert_eq!(days_left(d(2026, 3, 1), d(2026, 3, 1)), 0);
        assert_eq!(days_left(d(2026, 3, 1), d(2026, 3, 2)), -1);
    }

    #[test]
    fn remaining_months_before_start_is_the_full_term() {
        let start = d(2025, 1, 31);
        for months in [1, 12, 36, 60] {
            let end = term_end(start, months);
            assert_eq!(remaining_months(start, end, d(2024, 12, 1)), months);
            assert_eq!(remaining_months(start, end, start), months);
        }
    }

    #[test]
    fn remaining_months_is_zero_from_the_expiry_day_on() {
        let start = d(2025, 1, 15);
        let end = term_end(start, 12);
        assert_eq!(remaining_months(start, end, end), 0);
        assert_eq!(remaining_months(start, end, d(2030, 1, 1)), 0);
        assert_eq!(remaining_months(start, end, d(2026, 1, 14)), 1);
    }

    #[test]
    fn remaining_months_across_a_clamped_end() {
        // Term from Jan 31 ending Feb 28: on Jan 31 one month is left, on
        // Feb 1 still one (started month counts whole).
        let start = d(2025, 1, 31);
        let end = term_end(start, 1);
        assert_eq!(remaining_months(start, end, d(2025, 2, 1)), 1);
        assert_eq!(remaining_months(start, end, d(2025, 2, 28)), 0);
    }

    #[test]
    fn term_round_trips_through_months_and_serde() {
        for term in Term::ALL {
            assert_eq!(Term::from_months(term.months()), Some(term));
            let json = serde_json::to_string(&term).expect("serialize");
            assert_eq!(json, term.months().to_string());
            let back: Term = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(back, term);
        }
        assert_eq!(Term::from_months(24), None);
        assert!(serde_json::from_str::<Term>("24").is_err());
    }

    #[test]
    fn term_labels() {
        assert_eq!(Term::OneYear.label(), "1 year");
        assert_eq!(Term::ThreeYears.label(), "3 years");
        assert_eq!(Term::FiveYears.to_string(), "5 years");
    }
}
