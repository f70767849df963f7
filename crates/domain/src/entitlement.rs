//! Entitlement segments of a device subscription (SPEC §5).
//!
//! A device's coverage is a chain of segments, each with a tier. Assigning a
//! plan must never make the customer lose time they paid for, yet an upgrade
//! must take effect today. Both hold if the chain is read as a priority
//! queue: at any moment the device runs on the highest tier that still has
//! time left, and lower-tier time is paused, not cut, while a higher tier
//! runs. The four rules of SPEC §5 are the cases of that one rule:
//!
//! - no current coverage: the new segment starts today;
//! - same tier: it goes after the time already held in that tier;
//! - higher tier: it starts today, and the rest of the lower-tier segment
//!   resumes after it;
//! - lower tier: it starts after all higher-tier time has ended.
//!
//! Decision where SPEC §5 is silent: in a mixed chain (Advanced now, Standard
//! resuming later) a new Advanced plan is placed right after the current
//! Advanced time, before the paused Standard time, which moves later again.
//! Reading "appended after the device's last segment" literally would instead
//! drop the device back to Standard between two Advanced segments.
//!
//! New plans are measured in calendar months from their start; time that is
//! paused and resumed is measured in days (what was left of it), since it no
//! longer starts on a date its months were counted from (SPEC §6 example 7).

use std::cmp::Reverse;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dates::{add_days, add_months, days_left};

/// Coverage of one device by one tier on `start <= d < end`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Segment {
    /// Order of tiers within a product (STD < ADV, ESS < ADV): only the rank
    /// decides priority; `tier` is carried for display and storage.
    pub tier_rank: u8,
    /// The tier's catalog key, e.g. `ADV`.
    pub tier: String,
    pub start: NaiveDate,
    /// First day no longer covered ("Expires on").
    pub end: NaiveDate,
}

impl Segment {
    pub fn new(tier_rank: u8, tier: impl Into<String>, start: NaiveDate, end: NaiveDate) -> Self {
        Segment { tier_rank, tier: tier.into(), start, end }
    }

    pub fn covers(&self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end
    }

    /// Length in days (0 for an empty or reversed segment).
    pub fn days(&self) -> u64 {
        u64::try_from(days_left(self.end, self.start)).unwrap_or(0)
    }

    /// Days of this segment still to run on or after `today`.
    pub fn days_left_from(&self, today: NaiveDate) -> u64 {
        u64::try_from(days_left(self.end, self.start.max(today))).unwrap_or(0)
    }
}

/// The chain after assigning a plan of `tier` (rank `tier_rank`) for `months`
/// on `today`, sorted by start date.
///
/// Segments that ended before `today` are history and come back unchanged.
/// A segment running today keeps its start while it stays first; if a higher
/// tier pre-empts it, it is split into its past part (ending today) and the
/// remaining days, resumed later. Future segments are laid end to end from
/// today in priority order, so a gap in the input chain (which assignments
/// never create) is closed rather than kept. Assigning 0 months changes
/// nothing.
pub fn assign(segments: &[Segment], tier_rank: u8, tier: &str, months: u32, today: NaiveDate) -> Vec<Segment> {
    let mut ordered: Vec<&Segment> = segments.iter().filter(|s| s.start < s.end).collect();
    ordered.sort_by_key(|s| (s.start, s.end));
    if months == 0 {
        return ordered.into_iter().cloned().collect();
    }

    let (history, live): (Vec<&Segment>, Vec<&Segment>) = ordered.into_iter().partition(|s| s.end <= today);
    let mut out: Vec<Segment> = history.into_iter().cloned().collect();

    // Highest tier first; a stable sort keeps chronological order within a
    // tier, and the new plan, pushed last, goes after its tier's time.
    let mut queue: Vec<(u8, Option<&Segment>)> = live.into_iter().map(|s| (s.tier_rank, Some(s))).collect();
    queue.push((tier_rank, None));
    queue.sort_by_key(|&(rank, _)| Reverse(rank));

    let mut cursor = today;
    for (position, (_, block)) in queue.into_iter().enumerate() {
        let next = match block {
            None => Segment::new(tier_rank, tier, cursor, add_months(cursor, months)),
            Some(running) if position == 0 && running.start <= today => running.clone(),
            Some(existing) => {
                if existing.start < today {
                    out.push(Segment { end: today, ..existing.clone() });
                }
                let end = add_days(cursor, existing.days_left_from(today));
                Segment { start: cursor, end, ..existing.clone() }
            }
        };
        cursor = next.end;
        out.push(next);
    }
    out.sort_by_key(|s| (s.start, s.end));
    out
}

/// The segment covering `day`, if any (the device's current tier on `today`).
pub fn covering(segments: &[Segment], day: NaiveDate) -> Option<&Segment> {
    segments.iter().find(|s| s.covers(day))
}

/// When the device's coverage runs out ("Expires on" in the renewals
/// dashboard): the latest end of the chain, since assignments lay segments
/// end to end.
pub fn coverage_end(segments: &[Segment]) -> Option<NaiveDate> {
    segments.iter().filter(|s| s.start < s.end).map(|s| s.end).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STD: u8 = 1;
    const ADV: u8 = 2;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn std_seg(start: NaiveDate, end: NaiveDate) -> Segment {
        Segment::new(STD, "STD", start, end)
    }

    fn adv_seg(start: NaiveDate, end: NaiveDate) -> Segment {
        Segment::new(ADV, "ADV", start, end)
    }

    #[test]
    fn spec_example_7_upgrade_starts_today_and_standard_resumes_for_151_days() {
        let chain = [std_seg(d(2025, 6, 1), d(2026, 6, 1))];
        let today = d(2026, 1, 1);
        let after = assign(&chain, ADV, "ADV", 12, today);
        assert_eq!(
            after,
            vec![
                std_seg(d(2025, 6, 1), d(2026, 1, 1)),
                adv_seg(d(2026, 1, 1), d(2027, 1, 1)),
                std_seg(d(2027, 1, 1), d(2027, 6, 1)),
            ]
        );
        assert_eq!(after[2].days(), 151);
        assert_eq!(covering(&after, today).map(|s| s.tier.as_str()), Some("ADV"));
        assert_eq!(coverage_end(&after), Some(d(2027, 6, 1)));
    }

    #[test]
    fn no_coverage_starts_today() {
        let today = d(2026, 2, 10);
        assert_eq!(assign(&[], STD, "STD", 12, today), vec![std_seg(today, d(2027, 2, 10))]);
        let lapsed = [std_seg(d(2024, 1, 1), d(2025, 1, 1))];
        assert_eq!(assign(&lapsed, STD, "STD", 12, today), vec![lapsed[0].clone(), std_seg(today, d(2027, 2, 10))]);
    }

    #[test]
    fn same_tier_extends_after_the_last_segment() {
        let chain = [std_seg(d(2025, 6, 1), d(2026, 6, 1))];
        let after = assign(&chain, STD, "STD", 12, d(2026, 1, 1));
        assert_eq!(after, vec![chain[0].clone(), std_seg(d(2026, 6, 1), d(2027, 6, 1))]);
    }

    #[test]
    fn downgrade_starts_after_all_higher_tier_time() {
        let chain = [adv_seg(d(2025, 6, 1), d(2026, 6, 1))];
        let after = assign(&chain, STD, "STD", 12, d(2026, 1, 1));
        assert_eq!(after, vec![chain[0].clone(), std_seg(d(2026, 6, 1), d(2027, 6, 1))]);
    }

    #[test]
    fn second_upgrade_goes_before_paused_lower_tier_time() {
        let today = d(2026, 1, 1);
        let chain = assign(&[std_seg(d(2025, 6, 1), d(2026, 6, 1))], ADV, "ADV", 12, today);
        let later = d(2026, 3, 1);
        let after = assign(&chain, ADV, "ADV", 12, later);
        assert_eq!(
            after,
            vec![
                std_seg(d(2025, 6, 1), d(2026, 1, 1)),
                adv_seg(d(2026, 1, 1), d(2027, 1, 1)),
                adv_seg(d(2027, 1, 1), d(2028, 1, 1)),
                // Still the same 151 days; 2028 is a leap year.
                std_seg(d(2028, 1, 1), d(2028, 5, 31)),
            ]
        );
    }

    #[test]
    fn upgrade_on_the_first_day_leaves_no_empty_history() {
        let today = d(2026, 1, 1);
        let chain = [std_seg(today, d(2027, 1, 1))];
        let after = assign(&chain, ADV, "ADV", 1, today);
        assert_eq!(after, vec![adv_seg(today, d(2026, 2, 1)), std_seg(d(2026, 2, 1), d(2027, 2, 1)),]);
    }

    #[test]
    fn zero_months_changes_nothing() {
        let chain = [std_seg(d(2025, 6, 1), d(2026, 6, 1))];
        assert_eq!(assign(&chain, ADV, "ADV", 0, d(2026, 1, 1)), chain.to_vec());
    }

    /// Days of coverage still ahead of `today`, whatever the tier.
    fn days_ahead(chain: &[Segment], today: NaiveDate) -> u64 {
        chain.iter().map(|s| s.days_left_from(today)).sum()
    }

    proptest::proptest! {
        /// Any sequence of assignments, on days that only move forward: segments never
        /// overlap (so one tier runs on any day), the time ahead only grows (by at least the
        /// new plan's days when it is the highest tier), and the chain ends no earlier.
        #[test]
        fn assignments_never_shorten_coverage_nor_overlap(
            steps in proptest::collection::vec((1u8..=2, 0usize..3, 0i64..500), 1..8)
        ) {
            let mut chain: Vec<Segment> = Vec::new();
            let mut today = d(2025, 1, 1);
            for (rank, term, gap) in steps {
                today += chrono::Duration::days(gap);
                let months = [12, 36, 60][term];
                let before_days = days_ahead(&chain, today);
                let before_end = coverage_end(&chain);
                let tier = if rank == ADV { "ADV" } else { "STD" };
                chain = assign(&chain, rank, tier, months, today);
                for pair in chain.windows(2) {
                    proptest::prop_assert!(pair[0].end <= pair[1].start, "overlap: {:?}", chain);
                }
                for s in &chain {
                    proptest::prop_assert!(s.start < s.end, "empty segment: {:?}", chain);
                }
                let added = add_months(today, months).signed_duration_since(today).num_days();
                let after_days = days_ahead(&chain, today);
                proptest::prop_assert!(after_days >= before_days + u64::try_from(added).unwrap_or(0) - 3,
                    "lost time: {before_days} + {added} -> {after_days}");
                proptest::prop_assert!(coverage_end(&chain) >= before_end);
                proptest::prop_assert_eq!(covering(&chain, today).map(|s| s.tier_rank).is_some(), true);
            }
        }
    }

    #[test]
    fn serializes_dates_as_iso_strings() {
        let json = serde_json::to_value(std_seg(d(2026, 1, 1), d(2027, 1, 1))).expect("serialize");
        assert_eq!(json["start"], "2026-01-01");
        assert_eq!(json["end"], "2027-01-01");
        assert_eq!(json["tier"], "STD");
        assert_eq!(json["tier_rank"], 1);
    }
}
