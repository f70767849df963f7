//! Tessera's domain: the types and rules shared by the browser app and the server.
//!
//! Everything here is pure (no I/O, no clock, no framework) so that the same rule
//! gives the same answer in the browser and on the server, and is tested once.

pub mod account_link;
pub mod api;
pub mod catalog;
pub mod code;
pub mod dates;
pub mod device;
pub mod email;
pub mod entitlement;
pub mod invitation;
pub mod ledger;
pub mod license;
pub mod name;
pub mod password;
pub mod pricing;
pub mod proration;
pub mod renewal;
pub mod renewals;
pub mod rfc3339;
pub mod search;
pub mod status;
pub mod stored;
pub mod voucher;
