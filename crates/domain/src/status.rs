//! The status of a license or a device subscription on a given day (SPEC §6).
//!
//! One function decides it, so the badge in the browser, the renewals report,
//! the notification job and the API filters can never disagree.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dates::days_left;

/// With this many days left or fewer, a term is shown as `expiring` (amber)
/// so that there is time to get a quote and an order through before it ends.
pub const EXPIRING_WINDOW_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Bought with a start date in the future.
    Scheduled,
    /// More than [`EXPIRING_WINDOW_DAYS`] days left.
    Active,
    /// 1 to [`EXPIRING_WINDOW_DAYS`] days left.
    Expiring,
    /// Past the end but within the product's grace days: it still works and
    /// can still be renewed from the old end date.
    Grace,
    Expired,
}

impl Status {
    /// Every status, in lifecycle order (the order of counters and filters).
    pub const ALL: [Status; 5] = [Status::Scheduled, Status::Active, Status::Expiring, Status::Grace, Status::Expired];

    /// The stable name used in JSON, query strings and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Scheduled => "scheduled",
            Status::Active => "active",
            Status::Expiring => "expiring",
            Status::Grace => "grace",
            Status::Expired => "expired",
        }
    }

    /// Inverse of [`Status::as_str`], for query strings and stored values.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// How the badge reads for people.
    pub fn label(self) -> &'static str {
        match self {
            Status::Scheduled => "Scheduled",
            Status::Active => "Active",
            Status::Expiring => "Expiring soon",
            Status::Grace => "In grace period",
            Status::Expired => "Expired",
        }
    }

    /// Whether the product works on that day: the grace period exists so
    /// that a late renewal does not switch anything off.
    pub fn is_working(self) -> bool {
        matches!(self, Status::Active | Status::Expiring | Status::Grace)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status on `today` of a term covering `start <= d < end`, for a product
/// with `grace_days` days of grace after `end` (0 = none).
pub fn status_on(start: NaiveDate, end: NaiveDate, grace_days: u32, today: NaiveDate) -> Status {
    if today < start {
        return Status::Scheduled;
    }
    let left = days_left(end, today);
    if left > EXPIRING_WINDOW_DAYS {
        Status::Active
    } else if left >= 1 {
        Status::Expiring
    } else if -left < i64::from(grace_days) {
        Status::Grace
    } else {
        Status::Expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn spec_example_4_expiring_window_is_30_days() {
        let start = d(2025, 3, 1);
        let end = d(2026, 3, 1);
        assert_eq!(status_on(start, end, 0, d(2026, 2, 1)), Status::Expiring);
        assert_eq!(status_on(start, end, 0, d(2026, 1, 30)), Status::Expiring);
        assert_eq!(status_on(start, end, 0, d(2026, 1, 29)), Status::Active);
    }

    #[test]
    fn spec_example_5_grace_of_60_days() {
        let start = d(2025, 3, 1);
        let end = d(2026, 3, 1);
        assert_eq!(status_on(start, end, 60, d(2026, 4, 29)), Status::Grace);
        assert_eq!(status_on(start, end, 60, d(2026, 4, 30)), Status::Expired);
    }

    #[test]
    fn scheduled_before_start_and_expired_on_end_day_without_grace() {
        let start = d(2026, 1, 1);
        let end = d(2027, 1, 1);
        assert_eq!(status_on(start, end, 0, d(2025, 12, 31)), Status::Scheduled);
        assert_eq!(status_on(start, end, 0, start), Status::Active);
        assert_eq!(status_on(start, end, 0, d(2026, 12, 31)), Status::Expiring);
        assert_eq!(status_on(start, end, 0, end), Status::Expired);
        assert_eq!(status_on(start, end, 1, end), Status::Grace);
    }

    #[test]
    fn names_and_labels() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).expect("serialize");
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(Status::Expiring.label(), "Expiring soon");
        assert_eq!(Status::Grace.label(), "In grace period");
        assert_eq!(Status::parse("Active"), None);
        assert!(Status::Grace.is_working());
        assert!(!Status::Expired.is_working());
        assert!(!Status::Scheduled.is_working());
    }
}
