//! What the page works out of the rows, with no view in it: search texts, filters,
//! counts, sorting and the chart's months.
//!
//! The rows arrive once; the page keeps them and works on positions (`u32`) into them.
//! Sorting builds one order when the column changes; a keystroke is one pass over that
//! order with the parsed query on texts lower-cased once, which also counts the statuses
//! (the counters are taken before the status filter, as the server's are).

use std::cmp::Ordering;

use chrono::{Datelike, NaiveDate};
use tessera_domain::api::{RenewalRow, Renewals};
use tessera_domain::search::{fold, Query};
use tessera_domain::status::Status;

/// The chart covers this many months from the current one.
pub const CHART_MONTHS: usize = 24;

/// The rows as loaded, with what the filters read of each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Data {
    pub rows: Vec<RenewalRow>,
    /// Each row's searched texts (the server's fields), lower-cased once and joined by
    /// newlines: a term never holds a newline, so one text matches as the fields would.
    pub texts: Vec<String>,
    /// The server's today.
    pub today: NaiveDate,
    /// Products in the rows: key and name, by name.
    pub products: Vec<(String, String)>,
    /// Sites in the rows, in order.
    pub sites: Vec<String>,
    /// Whether the rows belong to more than one organization (a partner's view).
    pub several_customers: bool,
    /// Items with 1 to 30 days left.
    pub expiring: usize,
}

impl Data {
    pub fn new(answer: Renewals) -> Data {
        let Renewals { rows, today, .. } = answer;
        let texts = rows.iter().map(search_text).collect();
        let mut products: Vec<(String, String)> = Vec::new();
        let mut sites: Vec<String> = Vec::new();
        for r in &rows {
            if !products.iter().any(|(key, _)| *key == r.product) {
                products.push((r.product.clone(), r.product_name.clone()));
            }
            if let Some(site) = r.site.as_deref().filter(|s| !sites.iter().any(|known| known == s)) {
                sites.push(site.to_string());
            }
        }
        products.sort_by(|a, b| a.1.cmp(&b.1));
        sites.sort();
        let several_customers = rows.iter().any(|r| r.customer != rows[0].customer);
        let expiring = rows.iter().filter(|r| r.status == Status::Expiring).count();
        Data { rows, texts, today, products, sites, several_customers, expiring }
    }
}

/// The texts SPEC §10's search looks in (the server's own), folded once, one per line.
fn search_text(r: &RenewalRow) -> String {
    fold(&r.search_fields().join(
        "
",
    ))
}

/// A status's place in [`Status::ALL`], for counters and sets of statuses.
pub fn slot(status: Status) -> usize {
    Status::ALL.iter().position(|s| *s == status).unwrap_or(0)
}

/// Statuses chosen with the counters, one bit per [`slot`]; none chosen shows every row.
pub type StatusSet = u8;

/// The statuses of a set, comma-separated, as the API's `status` reads them.
pub fn status_param(set: StatusSet) -> String {
    Status::ALL.iter().filter(|s| set & (1 << slot(**s)) != 0).map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}

/// The filters other than the status: the chosen product key and site, empty for all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrow {
    pub product: String,
    pub site: String,
}

/// What a keystroke works out: the positions shown, in order, and the count of each status
/// among the rows that match everything but the status filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub positions: Vec<u32>,
    pub counts: [usize; 5],
}

/// One pass over `order` with the filters.
pub fn filter(data: &Data, order: &[u32], query: &Query, narrow: &Narrow, statuses: StatusSet) -> Shown {
    let mut shown = Shown { positions: Vec::with_capacity(order.len()), counts: [0; 5] };
    for &at in order {
        let i = at as usize;
        let row = &data.rows[i];
        if (!narrow.product.is_empty() && row.product != narrow.product)
            || (!narrow.site.is_empty() && row.site.as_deref() != Some(narrow.site.as_str()))
            || !query.matches_lowered(std::slice::from_ref(&data.texts[i]))
        {
            continue;
        }
        let slot = slot(row.status);
        shown.counts[slot] += 1;
        if statuses == 0 || statuses & (1 << slot) != 0 {
            shown.positions.push(at);
        }
    }
    shown
}

/// A column of the table people can sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Item,
    Product,
    Customer,
    Site,
    Expires,
    /// The sooner of the battery replace-by and warranty dates.
    Hardware,
}

/// The table's order: `None` is the server's (renewal eligibility).
pub type Sort = Option<(SortBy, bool)>;

/// After a click on column `by`: ascending, then descending, then back to the server's order.
pub fn toggled(sort: Sort, by: SortBy) -> Sort {
    match sort {
        Some((b, true)) if b == by => Some((by, false)),
        Some((b, false)) if b == by => None,
        _ => Some((by, true)),
    }
}

/// What a row is called: its activation id, else its serial.
pub fn item_id(r: &RenewalRow) -> &str {
    r.activation_id.as_deref().or(r.serial.as_deref()).unwrap_or_default()
}

/// The sooner of a device's battery replace-by and warranty end, if it has either.
pub fn hardware_day(r: &RenewalRow) -> Option<NaiveDate> {
    match (r.battery_replace_by, r.warranty_expires_on) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The positions of every row in `sort` order (ties keep the server's order; absent dates last).
pub fn order(rows: &[RenewalRow], sort: Sort) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    let Some((by, ascending)) = sort else {
        return order;
    };
    let dates = |a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (a, b) => b.is_none().cmp(&a.is_none()).reverse(),
    };
    order.sort_by(|&a, &b| {
        let (a, b) = (&rows[a as usize], &rows[b as usize]);
        let o: Ordering = match by {
            SortBy::Item => item_id(a).cmp(item_id(b)),
            SortBy::Product => a.product_name.cmp(&b.product_name).then_with(|| a.tier.cmp(&b.tier)),
            SortBy::Customer => a.customer.cmp(&b.customer),
            SortBy::Site => a.site.cmp(&b.site),
            SortBy::Expires => a.expires_on.cmp(&b.expires_on),
            SortBy::Hardware => dates(hardware_day(a), hardware_day(b)),
        };
        if ascending {
            o
        } else {
            o.reverse()
        }
    });
    order
}

/// Months after `today`'s month (0 = this month) in which `day` falls.
pub fn months_after(today: NaiveDate, day: NaiveDate) -> i64 {
    i64::from(day.year() - today.year()) * 12 + i64::from(day.month0()) - i64::from(today.month0())
}

/// Expiries still to come per month for [`CHART_MONTHS`] months from this one, per series:
/// expiring within 30 days, later (active), not started yet (scheduled).
pub fn expiries_per_month(data: &Data, positions: &[u32]) -> Vec<[u32; 3]> {
    let mut months = vec![[0u32; 3]; CHART_MONTHS];
    for &at in positions {
        let row = &data.rows[at as usize];
        if row.expires_on <= data.today {
            continue;
        }
        let series = match row.status {
            Status::Expiring => 0,
            Status::Scheduled => 2,
            _ => 1,
        };
        if let Some(month) =
            usize::try_from(months_after(data.today, row.expires_on)).ok().and_then(|m| months.get_mut(m))
        {
            month[series] += 1;
        }
    }
    months
}

/// A tier's name for people; the key when it is not one of the catalog's three.
pub fn tier_name(key: &str) -> &str {
    match key {
        "STD" => "Standard",
        "ADV" => "Advanced",
        "ESS" => "Essential",
        other => other,
    }
}

/// "10,000 items", "12 of 10,000 items".
pub fn count_text(shown: usize, total: usize) -> String {
    let noun = if total == 1 { "item" } else { "items" };
    if shown == total {
        format!("{} {noun}", crate::format::count(total))
    } else {
        format!("{} of {} {noun}", crate::format::count(shown), crate::format::count(total))
    }
}

/// The banner's sentence: "3 items expire within 30 days".
pub fn expiring_text(n: usize) -> String {
    if n == 1 {
        "1 item expires within 30 days".to_string()
    } else {
        format!("{} items expire within 30 days", crate::format::count(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::api::RenewalCounts;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn row(id: i64, product: &str, status: Status, expires: NaiveDate, site: Option<&str>) -> RenewalRow {
        RenewalRow {
            kind: if site.is_some() { "device" } else { "license" }.into(),
            id,
            product: product.into(),
            product_name: format!("{product} name"),
            tier: "STD".into(),
            quantity: 1,
            activation_id: site.is_none().then(|| format!("ACT-{id}")),
            serial: site.map(|_| format!("SN{id}")),
            device_name: site.map(|_| format!("UPS {id}")),
            site: site.map(str::to_string),
            customer: "Acme".into(),
            starts_on: day(2025, 1, 1),
            expires_on: expires,
            days_left: 0,
            status,
            renewable: true,
            not_renewable_because: None,
            battery_replace_by: None,
            warranty_expires_on: None,
        }
    }

    fn data() -> Data {
        let today = day(2026, 3, 10);
        Data::new(Renewals {
            counts: RenewalCounts::default(),
            rows: vec![
                row(1, "PCA", Status::Grace, day(2026, 2, 15), None),
                row(2, "NMC", Status::Expiring, day(2026, 3, 20), None),
                row(3, "RUM", Status::Active, day(2027, 5, 1), Some("Lyon")),
                row(4, "RUM", Status::Active, day(2028, 3, 9), Some("Paris")),
                row(5, "MON", Status::Expired, day(2025, 1, 1), None),
            ],
            today,
        })
    }

    fn positions(shown: &Shown) -> Vec<u32> {
        shown.positions.clone()
    }

    #[test]
    fn data_lists_products_and_sites() {
        let d = data();
        assert_eq!(d.products.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(), ["MON", "NMC", "PCA", "RUM"]);
        assert_eq!(d.sites, ["Lyon", "Paris"]);
        assert!(!d.several_customers);
        assert_eq!(d.expiring, 1);
        assert_eq!(d.texts[2], "rum\nrum name\nacme\nstd\nsn3\nups 3\nlyon");
    }

    #[test]
    fn filters_count_before_the_status() {
        let d = data();
        let all = order(&d.rows, None);
        let shown = filter(&d, &all, &Query::All, &Narrow::default(), 0);
        assert_eq!(positions(&shown), [0, 1, 2, 3, 4]);
        assert_eq!(shown.counts, [0, 2, 1, 1, 1]);
        let grace = 1 << slot(Status::Grace);
        let expiring = 1 << slot(Status::Expiring);
        let shown = filter(&d, &all, &Query::All, &Narrow::default(), grace | expiring);
        assert_eq!(positions(&shown), [0, 1]);
        assert_eq!(shown.counts, [0, 2, 1, 1, 1], "counters are taken before the status filter");
        assert_eq!(status_param(grace | expiring), "expiring,grace");
        let narrow = Narrow { product: "RUM".into(), site: "Paris".into() };
        assert_eq!(positions(&filter(&d, &all, &Query::All, &narrow, 0)), [3]);
        let q = Query::parse("ups OR act-2").unwrap_or(Query::All);
        let shown = filter(&d, &all, &q, &Narrow::default(), 0);
        assert_eq!(positions(&shown), [1, 2, 3]);
        assert_eq!(shown.counts, [0, 2, 1, 0, 0]);
        let q = Query::parse("LY*").unwrap_or(Query::All);
        assert_eq!(positions(&filter(&d, &all, &q, &Narrow::default(), 0)), [2]);
    }

    #[test]
    fn sorting_cycles_and_keeps_ties() {
        let d = data();
        assert_eq!(toggled(None, SortBy::Expires), Some((SortBy::Expires, true)));
        assert_eq!(toggled(Some((SortBy::Expires, true)), SortBy::Expires), Some((SortBy::Expires, false)));
        assert_eq!(toggled(Some((SortBy::Expires, false)), SortBy::Expires), None);
        assert_eq!(toggled(Some((SortBy::Site, true)), SortBy::Item), Some((SortBy::Item, true)));
        assert_eq!(order(&d.rows, Some((SortBy::Expires, true))), [4, 0, 1, 2, 3]);
        assert_eq!(order(&d.rows, Some((SortBy::Expires, false))), [3, 2, 1, 0, 4]);
        assert_eq!(order(&d.rows, Some((SortBy::Site, false)))[..2], [3, 2]);
        assert_eq!(order(&d.rows, Some((SortBy::Item, true))), [0, 1, 4, 2, 3]);
        let mut rows = d.rows.clone();
        rows[1].battery_replace_by = Some(day(2027, 1, 1));
        rows[3].battery_replace_by = Some(day(2026, 6, 1));
        rows[2].warranty_expires_on = Some(day(2026, 9, 1));
        rows[2].battery_replace_by = Some(day(2028, 9, 1));
        assert_eq!(order(&rows, Some((SortBy::Hardware, true))), [3, 2, 1, 0, 4], "the sooner date; absent ones last");
    }

    #[test]
    fn expiries_fall_in_their_month() {
        let d = data();
        assert_eq!(months_after(d.today, day(2026, 3, 31)), 0);
        assert_eq!(months_after(d.today, day(2027, 1, 1)), 10);
        assert_eq!(months_after(d.today, day(2025, 12, 1)), -3);
        let months = expiries_per_month(&d, &order(&d.rows, None));
        assert_eq!(months.len(), CHART_MONTHS);
        assert_eq!(months[0], [1, 0, 0], "NMC expires this month");
        assert_eq!(months[14], [0, 1, 0]);
        assert_eq!(months.iter().map(|m| m.iter().sum::<u32>()).sum::<u32>(), 2, "past ones and 2028 are left out");
    }

    #[test]
    fn words() {
        assert_eq!(count_text(10_000, 10_000), "10,000 items");
        assert_eq!(count_text(12, 10_000), "12 of 10,000 items");
        assert_eq!(count_text(1, 1), "1 item");
        assert_eq!(expiring_text(1), "1 item expires within 30 days");
        assert_eq!(expiring_text(1200), "1,200 items expire within 30 days");
        assert_eq!(tier_name("ADV"), "Advanced");
        assert_eq!(tier_name("X"), "X");
    }
}
