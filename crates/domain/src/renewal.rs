//! When a renewed term starts (SPEC §4 "Renew", §6).
//!
//! A renewal is appended to the old end date whenever the customer is on time
//! or within grace, so that renewing early never loses a day. Only once the
//! grace period is over does the product's policy decide: either start afresh
//! from today, or refuse and ask for a new license.

use chrono::NaiveDate;

use crate::dates::{add_months, days_left};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenewError {
    /// Past grace on a product with `renew_after_expiry = false`: its
    /// Activation ID is dead for good, so only a new license can be bought.
    ExpiredNoRenewal,
    /// A renewal of zero months would consume nothing and extend nothing;
    /// refusing it keeps "a renewal always moves the end date" true.
    ZeroTerm,
}

impl RenewError {
    /// Stable, machine-readable code for the API error body.
    pub fn code(self) -> &'static str {
        match self {
            RenewError::ExpiredNoRenewal => "renewal_not_allowed",
            RenewError::ZeroTerm => "invalid_term",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            RenewError::ExpiredNoRenewal => {
                "This license has expired and can no longer be renewed. \
                 Please buy a new license; it will come with a new Activation ID."
            }
            RenewError::ZeroTerm => "Please choose a term to renew for.",
        }
    }
}

impl std::fmt::Display for RenewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for RenewError {}

/// The new end date after renewing a term that ends on `end` for
/// `term_months`, decided on `today`.
///
/// - before `end`, or within `grace_days` after it: `end + term` (nothing lost,
///   nothing given away: the grace days were already used);
/// - past grace: refused when `renew_after_expiry` is false, else `today + term`
///   (the gap in coverage is not billed).
///
/// Assumes, as every catalog product does, that a term is longer than the
/// grace period; otherwise a renewal within grace could still end in the past.
pub fn renew(
    end: NaiveDate,
    term_months: u32,
    today: NaiveDate,
    grace_days: u32,
    renew_after_expiry: bool,
) -> Result<NaiveDate, RenewError> {
    if term_months == 0 {
        return Err(RenewError::ZeroTerm);
    }
    let days_since_end = -days_left(end, today);
    if days_since_end < i64::from(grace_days) || today < end {
        Ok(add_months(end, term_months))
    } else if renew_after_expiry {
        Ok(add_months(today, term_months))
    } else {
        Err(RenewError::ExpiredNoRenewal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::{status_on, Status};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn spec_example_4_early_renewal_appends_to_the_end_date() {
        let renewed = renew(d(2026, 3, 1), 12, d(2026, 1, 10), 0, true);
        assert_eq!(renewed, Ok(d(2027, 3, 1)));
    }

    #[test]
    fn spec_example_5_renewal_within_grace_appends_to_the_old_end() {
        let end = d(2026, 3, 1);
        let today = d(2026, 4, 29);
        assert_eq!(status_on(d(2025, 3, 1), end, 60, today), Status::Grace);
        assert_eq!(renew(end, 12, today, 60, false), Ok(d(2027, 3, 1)));
        // The day after grace, a product that refuses late renewals refuses.
        assert_eq!(renew(end, 12, d(2026, 4, 30), 60, false), Err(RenewError::ExpiredNoRenewal));
    }

    #[test]
    fn spec_example_6_no_renewal_after_expiry_asks_for_a_new_license() {
        let end = d(2026, 3, 1);
        for today in [end, d(2026, 3, 2)] {
            let refused = renew(end, 12, today, 0, false);
            assert_eq!(refused, Err(RenewError::ExpiredNoRenewal));
        }
        let message = RenewError::ExpiredNoRenewal.message();
        assert!(message.contains("buy a new license"), "{message}");
        assert!(message.contains("new Activation ID"), "{message}");
    }

    #[test]
    fn past_grace_with_renewal_allowed_starts_from_today() {
        let renewed = renew(d(2026, 3, 1), 12, d(2026, 6, 15), 0, true);
        assert_eq!(renewed, Ok(d(2027, 6, 15)));
    }

    #[test]
    fn zero_months_is_refused() {
        let refused = renew(d(2026, 3, 1), 0, d(2026, 1, 1), 0, true);
        assert_eq!(refused, Err(RenewError::ZeroTerm));
        assert_eq!(RenewError::ZeroTerm.code(), "invalid_term");
    }
}
