//! Invariants of the domain rules, checked on generated inputs.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use rand_core::{CryptoRng, RngCore};

use tessera_domain::code::{Code, CodeError, ALPHABET, LEN};
use tessera_domain::dates::{add_days, add_months, days_left, remaining_months, term_end, Term};
use tessera_domain::email::Email;
use tessera_domain::entitlement::{assign, covering, Segment};
use tessera_domain::renewal::renew;
use tessera_domain::status::status_on;

/// Days since 0001-01-01 for 2000-01-01 and for a day in 2109: the range of
/// dates a licensing portal deals with, with room for long terms after it.
const FIRST_DAY: i32 = 730_120;
const LAST_DAY: i32 = 770_000;

fn date() -> impl Strategy<Value = NaiveDate> {
    (FIRST_DAY..=LAST_DAY).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).expect("day within chrono's range"))
}

fn term_months() -> impl Strategy<Value = u32> {
    prop::sample::select(Term::ALL.map(Term::months).to_vec())
}

/// Replays fixed bytes, so a generated code is a function of the input.
struct Replay(Vec<u8>, usize);

impl RngCore for Replay {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest.iter_mut() {
            *b = self.0.get(self.1 % self.0.len().max(1)).copied().unwrap_or(0);
            self.1 += 1;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for Replay {}

fn code() -> impl Strategy<Value = Code> {
    any::<[u8; 15]>().prop_map(|bytes| Code::generate(&mut Replay(bytes.to_vec(), 0)))
}

proptest! {
    #[test]
    fn remaining_months_never_increases_as_days_pass(
        start in date(),
        months in 1u32..=120,
        offset in -400i64..=4000,
        step in 0u64..=400,
    ) {
        let end = term_end(start, months);
        let earlier = start
            .checked_add_signed(chrono::Duration::days(offset))
            .expect("in range");
        let later = add_days(earlier, step);
        let r_earlier = remaining_months(start, end, earlier);
        let r_later = remaining_months(start, end, later);
        prop_assert!(r_later <= r_earlier, "{r_later} > {r_earlier}");
        prop_assert!(r_earlier <= months);
    }

    #[test]
    fn remaining_months_is_the_smallest_covering_count(
        start in date(),
        months in 1u32..=120,
        offset in 0u64..=4000,
    ) {
        let end = term_end(start, months);
        let today = add_days(start, offset);
        let r = remaining_months(start, end, today);
        prop_assert!(add_months(today, r) >= end);
        if r > 0 {
            prop_assert!(add_months(today, r - 1) < end);
        }
    }

    #[test]
    fn renewal_never_shortens_coverage(
        end in date(),
        term in term_months(),
        today in date(),
        grace_days in 0u32..365,
        renew_after_expiry in any::<bool>(),
    ) {
        if let Ok(new_end) = renew(end, term, today, grace_days, renew_after_expiry) {
            prop_assert!(new_end > end);
            prop_assert!(new_end > today);
        } else {
            // Refused only past grace on a product that forbids it.
            prop_assert!(!renew_after_expiry);
            prop_assert!(-days_left(end, today) >= i64::from(grace_days));
        }
    }

    #[test]
    fn status_is_a_function_of_days_left(
        end_a in date(),
        end_b in date(),
        left in 1i64..=800,
        before_a in 0u64..=800,
        before_b in 0u64..=800,
        grace_days in 0u32..=90,
    ) {
        let day = |end: NaiveDate| {
            end.checked_sub_signed(chrono::Duration::days(left)).expect("in range")
        };
        let (today_a, today_b) = (day(end_a), day(end_b));
        let start_a = today_a - chrono::Days::new(before_a);
        let start_b = today_b - chrono::Days::new(before_b);
        prop_assert_eq!(
            status_on(start_a, end_a, grace_days, today_a),
            status_on(start_b, end_b, grace_days, today_b)
        );
    }

    #[test]
    fn add_months_composes_without_clamping(
        date in date(),
        a in 0u32..=120,
        b in 0u32..=120,
    ) {
        prop_assume!(date.day() <= 28);
        prop_assert_eq!(add_months(date, a + b), add_months(add_months(date, a), b));
        prop_assert_eq!(add_months(date, a).day(), date.day());
    }

    #[test]
    fn add_months_is_monotonic(date in date(), a in 0u32..=240, b in 0u32..=240) {
        let (low, high) = (a.min(b), a.max(b));
        prop_assert!(add_months(date, low) <= add_months(date, high));
        if low < high {
            prop_assert!(add_months(date, low) < add_months(date, high));
        }
    }

    #[test]
    fn generated_codes_parse_back_to_themselves(code in code()) {
        prop_assert_eq!(Code::parse(&code.to_string()), Ok(code.clone()));
        prop_assert_eq!(Code::parse(code.as_compact()), Ok(code.clone()));
        let lower = code.to_string().to_lowercase().replace('-', " ");
        prop_assert_eq!(Code::parse(&lower), Ok(code.clone()));
        let json = serde_json::to_string(&code).expect("serialize");
        let back: Code = serde_json::from_str(&json).expect("deserialize");
        prop_assert_eq!(back, code);
    }

    #[test]
    fn any_single_substitution_is_caught(
        code in code(),
        position in 0usize..LEN,
        replacement in 0usize..32,
    ) {
        let mut symbols: Vec<u8> = code.as_compact().bytes().collect();
        let new_symbol = ALPHABET[replacement];
        prop_assume!(symbols[position] != new_symbol);
        symbols[position] = new_symbol;
        let typed = String::from_utf8(symbols).expect("ASCII");
        prop_assert_eq!(Code::parse(&typed), Err(CodeError::CheckMismatch));
    }

    #[test]
    fn code_parse_never_panics(input in any::<String>()) {
        let _ = Code::parse(&input);
    }

    #[test]
    fn code_parse_never_panics_on_code_like_input(input in "[0-9A-Za-z \\-]{0,24}") {
        if let Ok(code) = Code::parse(&input) {
            prop_assert_eq!(code.as_compact().len(), LEN);
        }
    }

    #[test]
    fn email_parse_never_panics(input in any::<String>()) {
        let _ = Email::parse(&input);
    }

    #[test]
    fn email_parse_is_idempotent_on_email_like_input(
        input in "[ a-zA-Z0-9._+@-]{0,40}(\\.[a-zA-Z]{0,4})?",
    ) {
        if let Ok(email) = Email::parse(&input) {
            prop_assert_eq!(email.as_str(), email.as_str().to_lowercase());
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
        }
    }

    /// Replays a random history of assignments on one device and checks that
    /// no paid-for day is ever lost and the best tier always runs first.
    #[test]
    fn assignments_never_lose_time_and_run_the_best_tier_first(
        start in date(),
        steps in prop::collection::vec((1u8..=3, 1u32..=36, 0u64..=400), 1..8),
    ) {
        let mut chain: Vec<Segment> = Vec::new();
        let mut today = start;
        for (rank, months, wait) in steps {
            today = add_days(today, wait);
            let live_before: u64 = chain.iter().map(|s| s.days_left_from(today)).sum();
            let best_before = covering(&chain, today).map(|s| s.tier_rank);

            let after = assign(&chain, rank, &format!("T{rank}"), months, today);

            // Existing time is kept to the day; the new plan adds `months`
            // calendar months, whatever day they start on.
            let live_after: u64 = after.iter().map(|s| s.days_left_from(today)).sum();
            prop_assert!(live_after >= live_before);
            let added = live_after - live_before;
            let months = u64::from(months);
            prop_assert!((28 * months..=31 * months).contains(&added), "{added} days");
            // Live time is one unbroken run starting today (or earlier, for a
            // segment running since before today), highest tier first.
            let live: Vec<&Segment> = after.iter().filter(|s| s.end > today).collect();
            prop_assert!(!live.is_empty());
            prop_assert!(live[0].start <= today);
            for pair in live.windows(2) {
                prop_assert_eq!(pair[0].end, pair[1].start);
                prop_assert!(pair[0].tier_rank >= pair[1].tier_rank);
            }
            let best_now = covering(&after, today).map(|s| s.tier_rank);
            prop_assert_eq!(best_now, Some(best_before.map_or(rank, |b| b.max(rank))));
            // History is never rewritten.
            for old in chain.iter().filter(|s| s.end <= today) {
                prop_assert!(after.contains(old));
            }
            chain = after;
        }
    }
}
