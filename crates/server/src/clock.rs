//! The server's notion of "now". Terms, statuses and expiries are all computed
//! from it, so tests and the dev-mode override can move it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::RwLock;

#[derive(Debug, Default)]
pub struct Clock {
    /// Added to the system time; set by tests and the dev-only override.
    offset: RwLock<Duration>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    pub fn offset(&self) -> Duration {
        match self.offset.read() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    pub fn advance(&self, by: Duration) {
        self.set_offset(self.offset() + by);
    }

    /// Moves the clock to 12:00 UTC of `day` (then it runs on from there).
    pub fn set_today(&self, day: NaiveDate) {
        let noon = day.and_hms_opt(12, 0, 0).map_or_else(Utc::now, |t| t.and_utc());
        self.set_offset(noon - Utc::now());
    }

    pub fn set_offset(&self, offset: Duration) {
        match self.offset.write() {
            Ok(mut guard) => *guard = offset,
            Err(poisoned) => *poisoned.into_inner() = offset,
        }
    }
}

/// Timestamps are stored as RFC 3339 text in UTC, which sorts as time does (storage
/// compares them as text). Records read them back as `DateTime<Utc>` through sqlx.
pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::days(8));
        assert!(clock.now() - before >= Duration::days(8));
    }

    #[test]
    fn stored_timestamps_sort_like_time() {
        let a = to_db(DateTime::from_timestamp(1_000, 0).expect("valid"));
        let b = to_db(DateTime::from_timestamp(10_000, 5_000_000).expect("valid"));
        assert!(a < b);
    }
}
