//! The device table's rules: search (SPEC §10, the domain's parser), sorting and the count.
//! The page draws only the rows in view (`VirtualList`), so 10,000 devices cost what 30 do.
//!
//! Per keystroke the work is one pass over the rows with the parsed query, on texts
//! lower-cased once when the list arrived, and one vector of positions; sorting happens
//! only when the column or the list changes.

use chrono::NaiveDate;
use tessera_domain::api::Device;
use tessera_domain::search::{fold, Query};
use tessera_domain::status::{status_on, Status};

/// The devices as loaded, with what the search reads of each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rows {
    pub devices: Vec<Device>,
    /// Each device's searched texts, lower-cased once: name, serial, model, site, the
    /// products of its plans, and the customer that shared it (the server's fields).
    pub lowered: Vec<Vec<String>>,
    /// The server's today.
    pub today: NaiveDate,
    /// Devices shared with the organization by a customer.
    pub shared: usize,
}

impl Rows {
    pub fn new(devices: Vec<Device>, today: NaiveDate) -> Rows {
        let lowered = devices.iter().map(lowered).collect();
        let shared = devices.iter().filter(|d| d.shared_by.is_some()).count();
        Rows { devices, lowered, today, shared }
    }

    /// Adds a device made on this page, or puts a changed one in its place.
    pub fn put(&mut self, device: Device) {
        let lowered = lowered(&device);
        match self.devices.iter().position(|d| d.id == device.id) {
            Some(i) => {
                self.lowered[i] = lowered;
                self.devices[i] = device;
            }
            None => {
                self.lowered.push(lowered);
                self.shared += usize::from(device.shared_by.is_some());
                self.devices.push(device);
            }
        }
    }

    /// Takes out a device removed on this page.
    pub fn remove(&mut self, id: i64) {
        if let Some(i) = self.devices.iter().position(|d| d.id == id) {
            self.shared -= usize::from(self.devices[i].shared_by.is_some());
            self.devices.remove(i);
            self.lowered.remove(i);
        }
    }
}

/// The texts SPEC §10's search looks in (the server's own), folded once.
fn lowered(d: &Device) -> Vec<String> {
    d.search_fields().into_iter().map(fold).collect()
}

/// When the device's plans end (the current chain's end, else the last one's), and its
/// status on `today`; `None` for a device that never had a plan. Device plans have no grace
/// period (an assignment after the end starts on the day it is made), so a chain that ended
/// is expired.
pub fn coverage(d: &Device, today: NaiveDate) -> Option<(NaiveDate, Status)> {
    match &d.current {
        Some(c) => Some((c.expires_on, status_on(today, c.expires_on, 0, today))),
        None => {
            let last = d.segments.iter().max_by_key(|s| s.ends_on)?;
            Some((last.ends_on, status_on(last.starts_on, last.ends_on, 0, today)))
        }
    }
}

fn tier_of(d: &Device) -> Option<&str> {
    d.current.as_ref().map(|c| c.tier.as_str())
}

/// When the device's plans end: what [`coverage`] shows, without the status.
fn ends_on(d: &Device) -> Option<NaiveDate> {
    match &d.current {
        Some(c) => Some(c.expires_on),
        None => d.segments.iter().map(|s| s.ends_on).max(),
    }
}

/// A column people can sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    Model,
    Site,
    Plan,
    Expires,
    Battery,
    Warranty,
}

/// The table's order: a column and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub by: SortBy,
    pub ascending: bool,
}

/// Renewal eligibility: devices without a plan first, then the soonest end.
pub const DEFAULT_SORT: Sort = Sort { by: SortBy::Expires, ascending: true };

impl Sort {
    /// After a click on column `by`: the other direction of the same column, or a new
    /// column ascending.
    pub fn toggled(self, by: SortBy) -> Sort {
        Sort { by, ascending: self.by != by || !self.ascending }
    }
}

/// The positions of every device in `sort` order (ties keep the server's order). Texts
/// compare lower-cased, so "lyon" and "Lyon" sort together.
pub fn order(rows: &Rows, sort: Sort) -> Vec<u32> {
    let (devices, lowered) = (&rows.devices, &rows.lowered);
    let mut all: Vec<u32> = (0..devices.len() as u32).collect();
    let text = |i: u32, field: usize| lowered[i as usize][field].as_str();
    all.sort_by(|&a, &b| {
        let (da, db) = (&devices[a as usize], &devices[b as usize]);
        let order = match sort.by {
            SortBy::Name => text(a, 0).cmp(text(b, 0)),
            SortBy::Model => text(a, 2).cmp(text(b, 2)),
            SortBy::Site => text(a, 3).cmp(text(b, 3)),
            SortBy::Plan => tier_of(da).cmp(&tier_of(db)),
            SortBy::Expires => ends_on(da).cmp(&ends_on(db)),
            SortBy::Battery => da.battery_replace_by.cmp(&db.battery_replace_by),
            SortBy::Warranty => da.warranty_expires_on.cmp(&db.warranty_expires_on),
        };
        if sort.ascending {
            order
        } else {
            order.reverse()
        }
    });
    all
}

/// The positions (in `order`) of the devices the query finds; with `shared_only`, only the
/// devices shared with the organization.
pub fn filter(rows: &Rows, order: &[u32], query: &Query, shared_only: bool) -> Vec<u32> {
    order
        .iter()
        .copied()
        .filter(|&i| {
            let i = i as usize;
            (!shared_only || rows.devices[i].shared_by.is_some()) && query.matches_lowered(&rows.lowered[i])
        })
        .collect()
}

/// "250 devices", "42 of 250 devices", "1 device".
pub fn count_text(shown: usize, total: usize) -> String {
    let noun = if total == 1 { "device" } else { "devices" };
    if shown == total {
        format!("{} {noun}", crate::format::count(total))
    } else {
        format!("{} of {} {noun}", crate::format::count(shown), crate::format::count(total))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tessera_domain::api::{CurrentPlan, DeviceSegment};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    pub fn device(id: i64, serial: &str, name: &str, site: &str, plan: Option<(&str, (i32, u32, u32))>) -> Device {
        let segments = plan
            .map(|(tier, end)| {
                vec![DeviceSegment {
                    product: "RUM".into(),
                    tier: tier.into(),
                    starts_on: day(2026, 1, 1),
                    ends_on: day(end.0, end.1, end.2),
                }]
            })
            .unwrap_or_default();
        let current = plan.filter(|(_, end)| day(end.0, end.1, end.2) > TODAY()).map(|(tier, end)| CurrentPlan {
            product: "RUM".into(),
            tier: tier.into(),
            expires_on: day(end.0, end.1, end.2),
        });
        Device {
            id,
            serial: serial.into(),
            model: "Smart-UPS 1500".into(),
            name: name.into(),
            site: site.into(),
            battery_replace_by: None,
            warranty_expires_on: None,
            segments,
            current,
            shared_by: None,
        }
    }

    #[allow(non_snake_case)]
    pub fn TODAY() -> NaiveDate {
        day(2026, 12, 2)
    }

    fn rows() -> Rows {
        let mut shared = device(4, "LY-0001", "UPS Lyon 01", "Lyon Plant", Some(("ADV", (2027, 6, 1))));
        shared.shared_by = Some("Northwind Traders".into());
        Rows::new(
            vec![
                device(1, "NW10410000", "UPS Paris 01", "Paris HQ", Some(("STD", (2026, 12, 20)))),
                device(2, "NW11410007", "Building B rack", "Lille Depot", None),
                device(3, "NW12410014", "ups Nantes 02", "Nantes Office", Some(("STD", (2026, 11, 1)))),
                shared,
            ],
            TODAY(),
        )
    }

    fn ids(rows: &Rows, shown: &[u32]) -> Vec<i64> {
        shown.iter().map(|&i| rows.devices[i as usize].id).collect()
    }

    fn find(rows: &Rows, q: &str) -> Vec<i64> {
        let query = Query::parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        ids(rows, &filter(rows, &order(rows, DEFAULT_SORT), &query, false))
    }

    #[test]
    fn search_in_the_specs_syntax_over_the_servers_fields() {
        let rows = rows();
        assert_eq!(find(&rows, ""), [2, 3, 1, 4], "no plan, expired, soonest, latest");
        assert_eq!(find(&rows, "NANTES"), [3], "any case");
        assert_eq!(find(&rows, "smart-ups"), [2, 3, 1, 4], "the model");
        assert_eq!(find(&rows, "\"paris hq\""), [1]);
        assert_eq!(find(&rows, "nw1*"), [2, 3, 1], "a pattern on a word");
        assert_eq!(find(&rows, "*0014"), [3]);
        assert_eq!(find(&rows, "lyon OR lille"), [2, 4]);
        assert_eq!(find(&rows, "rum northwind"), [4], "product and customer");
        assert!(Query::parse("\"open").is_err());
        let query = Query::parse("").unwrap_or(Query::All);
        assert_eq!(ids(&rows, &filter(&rows, &order(&rows, DEFAULT_SORT), &query, true)), [4], "shared only");
    }

    #[test]
    fn columns_sort_both_ways_ignoring_case() {
        let rows = rows();
        let by = |by, ascending| ids(&rows, &order(&rows, Sort { by, ascending }));
        assert_eq!(by(SortBy::Name, true), [2, 4, 3, 1], "building, lyon, nantes, paris");
        assert_eq!(by(SortBy::Name, false), [1, 3, 4, 2]);
        assert_eq!(by(SortBy::Site, true), [2, 4, 3, 1]);
        assert_eq!(by(SortBy::Plan, true), [2, 3, 4, 1], "none first, then ADV before STD");
        assert_eq!(by(SortBy::Expires, false), [4, 1, 3, 2]);
        assert_eq!(DEFAULT_SORT.toggled(SortBy::Expires), Sort { by: SortBy::Expires, ascending: false });
        assert_eq!(DEFAULT_SORT.toggled(SortBy::Site), Sort { by: SortBy::Site, ascending: true });
    }

    #[test]
    fn statuses_from_the_servers_today() {
        let rows = rows();
        let status = |i: usize| coverage(&rows.devices[i], TODAY()).map(|c| c.1);
        assert_eq!(status(0), Some(Status::Expiring));
        assert_eq!(status(1), None);
        assert_eq!(status(2), Some(Status::Expired));
        assert_eq!(status(3), Some(Status::Active));
        assert_eq!(rows.shared, 1);
    }

    #[test]
    fn counts_read_as_sentences() {
        assert_eq!(count_text(250, 250), "250 devices");
        assert_eq!(count_text(42, 10_000), "42 of 10,000 devices");
        assert_eq!(count_text(1, 1), "1 device");
    }
}
