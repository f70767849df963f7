//! Vouchers (SPEC §3): what one is at a given day, decided once for the server, the
//! vendor's back office and the command line.
//!
//! A voucher is valid through the whole of its `expires_on` day (UTC, the server's
//! clock): a voucher "valid until 31 December" still redeems on the 31st.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Vouchers one request (or one CLI run) may issue: enough for any order, few enough
/// that the answer (every code, once) stays a readable page.
pub const MAX_COUNT: u32 = 1000;
/// Units (or device-months) on one voucher.
pub const MAX_QUANTITY: u32 = 100_000;

/// What a voucher is on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VoucherState {
    Unredeemed,
    Redeemed,
    Expired,
}

impl VoucherState {
    pub fn as_str(self) -> &'static str {
        match self {
            VoucherState::Unredeemed => "unredeemed",
            VoucherState::Redeemed => "redeemed",
            VoucherState::Expired => "expired",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            VoucherState::Unredeemed => "Unredeemed",
            VoucherState::Redeemed => "Redeemed",
            VoucherState::Expired => "Expired",
        }
    }
}

/// A redeemed voucher stays redeemed; an unredeemed one expires after its last day.
pub fn state_on(redeemed: bool, expires_on: Option<NaiveDate>, today: NaiveDate) -> VoucherState {
    if redeemed {
        VoucherState::Redeemed
    } else if expires_on.is_some_and(|last| today > last) {
        VoucherState::Expired
    } else {
        VoucherState::Unredeemed
    }
}

/// Why an issue request is refused, before any code is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueError {
    Quantity,
    Count,
    /// An expiry before the day of issue: the voucher would be dead on arrival.
    ExpiresInPast,
}

impl IssueError {
    pub fn code(self) -> &'static str {
        "validation"
    }

    pub fn field(self) -> &'static str {
        match self {
            IssueError::Quantity => "quantity",
            IssueError::Count => "count",
            IssueError::ExpiresInPast => "expires_on",
        }
    }

    pub fn message(self) -> String {
        match self {
            IssueError::Quantity => format!("The quantity must be between 1 and {MAX_QUANTITY}."),
            IssueError::Count => format!("The number of vouchers must be between 1 and {MAX_COUNT}."),
            IssueError::ExpiresInPast => "The expiry date must be today or later.".to_string(),
        }
    }
}

/// Checks an issue request's numbers and expiry against `today`.
pub fn check_issue(
    quantity: u32,
    count: u32,
    expires_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), IssueError> {
    if quantity == 0 || quantity > MAX_QUANTITY {
        return Err(IssueError::Quantity);
    }
    if count == 0 || count > MAX_COUNT {
        return Err(IssueError::Count);
    }
    if expires_on.is_some_and(|last| last < today) {
        return Err(IssueError::ExpiresInPast);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_voucher_redeems_through_its_last_day() {
        let last = Some(day("2026-12-31"));
        assert_eq!(state_on(false, last, day("2026-12-31")), VoucherState::Unredeemed);
        assert_eq!(state_on(false, last, day("2027-01-01")), VoucherState::Expired);
        assert_eq!(state_on(false, None, day("2099-01-01")), VoucherState::Unredeemed);
        assert_eq!(state_on(true, last, day("2027-01-01")), VoucherState::Redeemed);
    }

    #[test]
    fn issue_requests_are_bounded() {
        let today = day("2026-12-02");
        assert_eq!(check_issue(1, 1, None, today), Ok(()));
        assert_eq!(check_issue(0, 1, None, today), Err(IssueError::Quantity));
        assert_eq!(check_issue(MAX_QUANTITY + 1, 1, None, today), Err(IssueError::Quantity));
        assert_eq!(check_issue(1, 0, None, today), Err(IssueError::Count));
        assert_eq!(check_issue(1, MAX_COUNT + 1, None, today), Err(IssueError::Count));
        assert_eq!(check_issue(1, 1, Some(today), today), Ok(()));
        assert_eq!(check_issue(1, 1, Some(day("2026-12-01")), today), Err(IssueError::ExpiresInPast));
    }
}
