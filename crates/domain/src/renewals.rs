//! The renewals dashboard and its notices (SPEC §8): in what order things that expire are
//! shown, and which notice an item is due on a given day.

use std::cmp::Ordering;

use crate::status::Status;

/// Days before expiry at which the organization's admins are told, farthest first.
pub const NOTICE_THRESHOLDS: [i64; 4] = [60, 30, 7, 0];

/// How many days after its expiry a missed 0-day notice still goes out (the server may have
/// been down that day); after that an expired item is old news, not a notice.
pub const LATE_NOTICE_DAYS: i64 = 7;

/// The notice due for an item with `days_left` days to its expiry: the nearest threshold it
/// has crossed (a clock that jumps over several sends only the nearest), or none when it is
/// farther than the first threshold or expired for longer than [`LATE_NOTICE_DAYS`].
pub fn notice_due(days_left: i64) -> Option<i64> {
    if days_left > NOTICE_THRESHOLDS[0] || days_left <= -LATE_NOTICE_DAYS {
        return None;
    }
    NOTICE_THRESHOLDS.iter().rev().copied().find(|t| days_left <= *t)
}

/// Whether a notice for `due` is still to send when `sent` (the nearest threshold already
/// mailed for the same expiry, if any) was mailed: only a nearer threshold is news.
pub fn notice_is_news(due: i64, sent: Option<i64>) -> bool {
    sent.is_none_or(|sent| due < sent)
}

/// Renewal eligibility (SPEC §8's default order): in grace first (working on borrowed time),
/// then expiring soonest, then active by expiry, then scheduled, expired last (the most
/// recently expired first).
pub fn eligibility(a: (Status, i64), b: (Status, i64)) -> Ordering {
    let rank = |s: Status| match s {
        Status::Grace => 0,
        Status::Expiring => 1,
        Status::Active => 2,
        Status::Scheduled => 3,
        Status::Expired => 4,
    };
    rank(a.0).cmp(&rank(b.0)).then_with(|| if a.0 == Status::Expired { b.1.cmp(&a.1) } else { a.1.cmp(&b.1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_crossed_threshold_is_due() {
        assert_eq!(notice_due(61), None);
        assert_eq!(notice_due(60), Some(60));
        assert_eq!(notice_due(31), Some(60));
        assert_eq!(notice_due(30), Some(30));
        assert_eq!(notice_due(8), Some(30));
        assert_eq!(notice_due(7), Some(7));
        assert_eq!(notice_due(1), Some(7));
        assert_eq!(notice_due(0), Some(0));
        assert_eq!(notice_due(-6), Some(0), "a missed expiry-day notice still goes out for a week");
        assert_eq!(notice_due(-7), None);
    }

    #[test]
    fn only_a_nearer_threshold_is_news() {
        assert!(notice_is_news(30, None));
        assert!(notice_is_news(7, Some(30)));
        assert!(!notice_is_news(30, Some(30)));
        assert!(!notice_is_news(60, Some(7)), "a clock moved back does not resend");
    }

    #[test]
    fn grace_first_expired_last() {
        let mut rows = vec![
            (Status::Expired, -40),
            (Status::Active, 200),
            (Status::Expiring, 12),
            (Status::Grace, -3),
            (Status::Expired, -2),
            (Status::Expiring, 3),
            (Status::Scheduled, 400),
            (Status::Active, 90),
        ];
        rows.sort_by(|a, b| eligibility(*a, *b));
        assert_eq!(
            rows,
            vec![
                (Status::Grace, -3),
                (Status::Expiring, 3),
                (Status::Expiring, 12),
                (Status::Active, 90),
                (Status::Active, 200),
                (Status::Scheduled, 400),
                (Status::Expired, -2),
                (Status::Expired, -40),
            ]
        );
    }

    proptest::proptest! {
        /// Walking day by day towards expiry (and a week past it), the notices due are each
        /// threshold once, in order, whatever the day the walk starts on.
        #[test]
        fn a_daily_job_sends_each_threshold_once(start in -10i64..200, step in 1i64..40) {
            let mut sent: Option<i64> = None;
            let mut mailed = Vec::new();
            let mut d = start;
            while d > -LATE_NOTICE_DAYS - 2 {
                if let Some(due) = notice_due(d) {
                    if notice_is_news(due, sent) {
                        mailed.push(due);
                        sent = Some(due);
                    }
                }
                d -= step;
            }
            let mut sorted = mailed.clone();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            sorted.dedup();
            proptest::prop_assert_eq!(&sorted, &mailed, "each once, farthest first");
        }
    }
}
