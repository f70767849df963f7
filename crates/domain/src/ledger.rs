//! The Digital Locker's ledger (SPEC §3): every change of a balance is an entry, in
//! device-months per SKU; balances are the sums of the entries and never go negative.
//!
//! [`Ledger`] is the rule as a pure model: the server keeps the same entries in its
//! database (where a constraint enforces the same floor) and the property tests hold
//! the model to "every balance is the sum of its entries and never below zero".

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::proration::Shortfall;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A voucher's quantity came in.
    Redeem,
    /// Credits went into a license or a device plan.
    Consume,
    /// Credits came back from something undone.
    Refund,
    /// Credits moved between lockers when one person's joined a shared one: out of the old
    /// (negative), into the shared one (positive).
    Merge,
    /// A correction by the vendor, either way.
    Adjust,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Redeem => "redeem",
            EntryKind::Consume => "consume",
            EntryKind::Refund => "refund",
            EntryKind::Merge => "merge",
            EntryKind::Adjust => "adjust",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [EntryKind::Redeem, EntryKind::Consume, EntryKind::Refund, EntryKind::Merge, EntryKind::Adjust]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// Words for the consumption history.
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Redeem => "Voucher redeemed",
            EntryKind::Consume => "Used",
            EntryKind::Refund => "Refund",
            EntryKind::Merge => "Moved on sharing",
            EntryKind::Adjust => "Adjustment",
        }
    }

    /// Whether an entry of this kind may add (`true`) or take (`false`) device-months;
    /// `None`: either (an adjustment).
    pub fn direction(self) -> Option<bool> {
        match self {
            EntryKind::Redeem | EntryKind::Refund => Some(true),
            EntryKind::Consume => Some(false),
            EntryKind::Merge | EntryKind::Adjust => None,
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for EntryKind {
    type Error = crate::stored::UnknownValue;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        EntryKind::parse(&s).ok_or(crate::stored::UnknownValue::new("ledger entry kind", s))
    }
}

/// Why an entry cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryError {
    /// Zero, or a sign its kind does not allow (a consumption that adds).
    WrongSign,
    /// It would take more than the balance holds.
    Short(Shortfall),
}

/// Checks one entry of `delta` device-months against the `balance` it applies to, and
/// returns the balance after it.
pub fn apply(balance: u64, kind: EntryKind, delta: i64) -> Result<u64, EntryError> {
    if delta == 0 || kind.direction().is_some_and(|adds| adds != (delta > 0)) {
        return Err(EntryError::WrongSign);
    }
    let magnitude = delta.unsigned_abs();
    if delta > 0 {
        balance.checked_add(magnitude).ok_or(EntryError::WrongSign)
    } else {
        crate::proration::consume(balance, magnitude).map_err(EntryError::Short)
    }
}

/// A locker's ledger as a pure model: entries per SKU and the balances they sum to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    entries: Vec<(String, EntryKind, i64)>,
    balances: BTreeMap<String, u64>,
}

impl Ledger {
    /// Appends an entry if [`apply`] allows it; a refused entry changes nothing.
    pub fn post(&mut self, sku: &str, kind: EntryKind, delta: i64) -> Result<u64, EntryError> {
        let after = apply(self.balance(sku), kind, delta)?;
        self.entries.push((sku.to_string(), kind, delta));
        self.balances.insert(sku.to_string(), after);
        Ok(after)
    }

    pub fn balance(&self, sku: &str) -> u64 {
        self.balances.get(sku).copied().unwrap_or(0)
    }

    /// The sum of the entries of `sku`, recomputed from scratch.
    pub fn sum_of_entries(&self, sku: &str) -> i128 {
        self.entries.iter().filter(|(s, _, _)| s == sku).map(|(_, _, d)| i128::from(*d)).sum()
    }

    pub fn skus(&self) -> impl Iterator<Item = &str> {
        self.balances.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kinds_have_directions() {
        assert_eq!(apply(0, EntryKind::Redeem, 36), Ok(36));
        assert_eq!(apply(36, EntryKind::Consume, -12), Ok(24));
        assert_eq!(apply(10, EntryKind::Consume, -12), Err(EntryError::Short(Shortfall { missing: 2 })));
        assert_eq!(apply(10, EntryKind::Consume, 5), Err(EntryError::WrongSign));
        assert_eq!(apply(10, EntryKind::Redeem, -5), Err(EntryError::WrongSign));
        assert_eq!(apply(10, EntryKind::Redeem, 0), Err(EntryError::WrongSign));
        assert_eq!(apply(10, EntryKind::Adjust, -10), Ok(0));
        assert_eq!(apply(10, EntryKind::Adjust, 3), Ok(13));
    }

    #[test]
    fn stored_names_read_back() {
        for k in [EntryKind::Redeem, EntryKind::Consume, EntryKind::Refund, EntryKind::Merge, EntryKind::Adjust] {
            assert_eq!(EntryKind::try_from(k.as_str().to_string()).ok(), Some(k));
        }
        assert!(EntryKind::try_from("gift".to_string()).is_err());
    }

    fn kind() -> impl Strategy<Value = EntryKind> {
        prop_oneof![
            Just(EntryKind::Redeem),
            Just(EntryKind::Consume),
            Just(EntryKind::Refund),
            Just(EntryKind::Merge),
            Just(EntryKind::Adjust),
        ]
    }

    proptest! {
        #[test]
        fn every_balance_is_the_sum_of_its_entries_and_never_negative(
            ops in proptest::collection::vec((0usize..3, kind(), -500i64..500), 0..200)
        ) {
            let skus = ["MON-STD-12", "RUM-ADV-36", "POP-ESS-ADV-MO"];
            let mut ledger = Ledger::default();
            for (sku, kind, delta) in ops {
                let before = ledger.clone();
                if ledger.post(skus[sku], kind, delta).is_err() {
                    prop_assert_eq!(&ledger, &before, "a refused entry changes nothing");
                }
            }
            for sku in skus {
                prop_assert_eq!(i128::from(ledger.balance(sku)), ledger.sum_of_entries(sku));
            }
        }
    }
}
