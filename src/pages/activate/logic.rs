//! The flow's rules as plain functions, tested natively: the order devices are offered in,
//! which match a search, what a preview changes on each device, and the words for plans
//! and counts. The timing rules themselves are the server's (`entitlement::assign`); the
//! page only reads the chains it is sent.

use chrono::{Datelike, NaiveDate};
use tessera_domain::api::{Device, DeviceSegment, SubscriptionPlan};
use tessera_domain::license::term_words;
use tessera_domain::search::Query;

use crate::catalog::CatalogNames;

/// The domain's live check of a code typed so far.
pub use tessera_domain::code::typing_problem as code_problem;

/// When the device's coverage by `product` ends, if `product` covers it today.
fn coverage(device: &Device, product: &str) -> Option<NaiveDate> {
    device.current.as_ref().filter(|c| c.product == product).map(|c| c.expires_on)
}

/// The positions of `devices` by renewal eligibility for a plan of `product`: those it does
/// not cover today first, then the soonest expiry first; ties keep the server's order.
/// One integer key per device (the expiry's day number above its position) so that the
/// sort is the plain `i64` one the Devices page has too, not another instance of a
/// generic sort for a closure.
pub fn eligibility_order(devices: &[Device], product: &str) -> Vec<u32> {
    let mut keys: Vec<i64> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let rank = coverage(d, product).map_or(0, |end| i64::from(end.num_days_from_ce().max(0)) + 1);
            (rank << 32) | (i as i64 & 0xFFFF_FFFF)
        })
        .collect();
    keys.sort_unstable();
    keys.into_iter().map(|k| (k & 0xFFFF_FFFF) as u32).collect()
}

/// The positions in `order` whose device matches `query` by serial, name, site or model.
pub fn matching(devices: &[Device], order: &[u32], query: &Query) -> Vec<u32> {
    order
        .iter()
        .copied()
        .filter(|&i| devices.get(i as usize).is_some_and(|d| query.matches(&[&d.serial, &d.name, &d.site, &d.model])))
        .collect()
}

/// A segment an assignment adds or moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub tier: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The plan being assigned; otherwise time the device already had, moved later.
    pub new: bool,
}

/// What a preview changes on a device: its segments of the plan's product that are not in
/// the chain as it is now and still run after today, oldest first. The latest of the plan's
/// tier is the plan itself; the others are time the device had, resuming later (an
/// upgrade pushes the lower tier after it). The past part of a split segment is left out.
pub fn changes(before: Option<&Device>, after: &Device, product: &str, tier: &str, today: NaiveDate) -> Vec<Change> {
    let existed = |s: &DeviceSegment| before.is_some_and(|b| b.segments.contains(s));
    let mut out: Vec<Change> = after
        .segments
        .iter()
        .filter(|s| s.product == product && s.ends_on > today && !existed(s))
        .map(|s| Change { tier: s.tier.clone(), starts_on: s.starts_on, ends_on: s.ends_on, new: false })
        .collect();
    if let Some(plan) = out.iter_mut().rev().find(|c| c.tier == tier) {
        plan.new = true;
    }
    out
}

/// The product's and tier's names, their keys when the catalog does not know them.
pub fn plan_names(plan_product: &str, tier: &str, catalog: Option<&CatalogNames>) -> (String, String) {
    match catalog.and_then(|c| c.product(plan_product)) {
        Some(p) => (p.name.clone(), p.tier_name(tier)),
        None => (plan_product.to_string(), tier.to_string()),
    }
}

/// "Advanced, 1 year".
pub fn plan_title(plan: &SubscriptionPlan, catalog: Option<&CatalogNames>) -> String {
    format!("{}, {}", plan_names(&plan.product, &plan.tier, catalog).1, term_words(plan.term_months))
}

/// "+3 months" of a promotion, `None` without one.
pub fn bonus_text(months: u32) -> Option<String> {
    match months {
        0 => None,
        1 => Some("+1 month".to_string()),
        m => Some(format!("+{m} months")),
    }
}

/// "1 unit", "5 units".
pub fn units_text(n: u64) -> String {
    if n == 1 {
        "1 unit".to_string()
    } else {
        format!("{n} units")
    }
}

/// "1 device", "3 devices".
pub fn devices_text(n: usize) -> String {
    if n == 1 {
        "1 device".to_string()
    } else {
        format!("{n} devices")
    }
}

/// "3 selected · 5 available".
pub fn selection_text(selected: usize, available: u64) -> String {
    format!("{selected} selected · {available} available")
}

/// The whole units of a plan left once `used` device-months of it are gone.
pub fn units_left(plan: &SubscriptionPlan, used: u64) -> u64 {
    plan.device_months.saturating_sub(used) / u64::from(plan.term_months.max(1))
}

/// Adds `id` to the selection, or takes it out; never more than `available` in it.
pub fn toggle(selected: &mut Vec<i64>, id: i64, available: u64) {
    if let Some(at) = selected.iter().position(|s| *s == id) {
        selected.remove(at);
    } else if (selected.len() as u64) < available {
        selected.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::api::CurrentPlan;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn seg(tier: &str, from: NaiveDate, to: NaiveDate) -> DeviceSegment {
        DeviceSegment { product: "RUM".into(), tier: tier.into(), starts_on: from, ends_on: to }
    }

    fn device(id: i64, serial: &str, current: Option<(&str, NaiveDate)>) -> Device {
        Device {
            id,
            serial: serial.into(),
            model: "Smart-UPS 3000".into(),
            name: format!("UPS {serial}"),
            site: "Lyon plant".into(),
            battery_replace_by: None,
            warranty_expires_on: None,
            segments: Vec::new(),
            current: current.map(|(tier, end)| CurrentPlan {
                product: "RUM".into(),
                tier: tier.into(),
                expires_on: end,
            }),
            shared_by: None,
        }
    }

    #[test]
    fn uncovered_devices_first_then_the_soonest_expiry() {
        let devices = [
            device(1, "A", Some(("STD", day(2027, 6, 1)))),
            device(2, "B", None),
            device(3, "C", Some(("ADV", day(2026, 12, 20)))),
            device(4, "D", None),
            device(5, "E", Some(("STD", day(2027, 6, 1)))),
        ];
        assert_eq!(eligibility_order(&devices, "RUM"), [1, 3, 2, 0, 4], "ties keep the server's order");
        assert_eq!(eligibility_order(&devices, "XYZ"), [0, 1, 2, 3, 4], "another product covers none of them");
        assert!(eligibility_order(&[], "RUM").is_empty());
    }

    #[test]
    fn a_search_reads_serial_name_site_and_model() {
        let mut devices = vec![device(1, "AS1234", None), device(2, "BX9", None)];
        devices[1].site = "Madrid office".into();
        let all = [0, 1];
        let find = |q: &str| matching(&devices, &all, &Query::parse(q).unwrap_or(Query::All));
        assert_eq!(find(""), [0, 1]);
        assert_eq!(find("as12"), [0]);
        assert_eq!(find("madrid"), [1]);
        assert_eq!(find("ups bx*"), [1], "name words, with a pattern");
        assert_eq!(find("smart-ups"), [0, 1], "model");
        assert_eq!(find("lyon OR madrid"), [0, 1]);
        assert!(find("nowhere").is_empty());
    }

    #[test]
    fn an_upgrade_shows_the_plan_and_the_standard_time_resuming_after_it() {
        // SPEC §6 example 7: Standard until 2026-06-01, Advanced 12 months on 2026-01-01.
        let today = day(2026, 1, 1);
        let mut before = device(1, "A", Some(("STD", day(2026, 6, 1))));
        before.segments = vec![seg("STD", day(2025, 6, 1), day(2026, 6, 1))];
        let mut after = before.clone();
        after.segments = vec![
            seg("STD", day(2025, 6, 1), day(2026, 1, 1)),
            seg("ADV", day(2026, 1, 1), day(2027, 1, 1)),
            seg("STD", day(2027, 1, 1), day(2027, 6, 1)),
        ];
        let shown = changes(Some(&before), &after, "RUM", "ADV", today);
        assert_eq!(
            shown,
            [
                Change { tier: "ADV".into(), starts_on: day(2026, 1, 1), ends_on: day(2027, 1, 1), new: true },
                Change { tier: "STD".into(), starts_on: day(2027, 1, 1), ends_on: day(2027, 6, 1), new: false },
            ],
            "the past part of the split Standard segment is not a change to show"
        );
    }

    #[test]
    fn an_extension_is_one_new_segment() {
        let today = day(2026, 1, 1);
        let mut before = device(1, "A", Some(("ADV", day(2026, 6, 1))));
        before.segments = vec![seg("ADV", day(2025, 6, 1), day(2026, 6, 1))];
        let mut after = before.clone();
        after.segments.push(seg("ADV", day(2026, 6, 1), day(2027, 6, 1)));
        let shown = changes(Some(&before), &after, "RUM", "ADV", today);
        assert_eq!(shown.len(), 1);
        assert!(shown[0].new);
        assert_eq!(shown[0].starts_on, day(2026, 6, 1));
        // A device the page did not know: everything still to run is shown.
        assert_eq!(changes(None, &after, "RUM", "ADV", today).len(), 2);
    }

    #[test]
    fn the_selection_never_exceeds_the_units() {
        let mut s = Vec::new();
        toggle(&mut s, 7, 2);
        toggle(&mut s, 8, 2);
        toggle(&mut s, 9, 2);
        assert_eq!(s, [7, 8], "a third device does not fit two units");
        toggle(&mut s, 7, 2);
        toggle(&mut s, 9, 2);
        assert_eq!(s, [8, 9]);
    }

    #[test]
    fn words() {
        assert_eq!(selection_text(3, 5), "3 selected · 5 available");
        assert_eq!(units_text(1), "1 unit");
        assert_eq!(units_text(2), "2 units");
        assert_eq!(devices_text(3), "3 devices");
        assert_eq!(bonus_text(0), None);
        assert_eq!(bonus_text(3).as_deref(), Some("+3 months"));
        let plan = SubscriptionPlan {
            sku: "RUM-ADV-12".into(),
            product: "RUM".into(),
            tier: "ADV".into(),
            term_months: 12,
            units: 5,
            device_months: 60,
            bonus_months: 0,
        };
        assert_eq!(units_left(&plan, 36), 2);
        assert_eq!(units_left(&plan, 90), 0);
        let catalog = crate::catalog::tests::sample();
        assert_eq!(plan_title(&plan, Some(&catalog)), "ADV, 1 year", "the sample sells Standard only");
        let std = SubscriptionPlan { tier: "STD".into(), ..plan };
        assert_eq!(plan_title(&std, Some(&catalog)), "Standard, 1 year");
        assert_eq!(plan_names("RUM", "STD", None), ("RUM".to_string(), "STD".to_string()));
    }

    #[test]
    fn a_code_is_checked_as_the_lockers_is() {
        assert_eq!(code_problem("7QKX-M2", false, false), None);
        assert!(code_problem("7QKX-M2PA-9RTD-WH4R", false, false).is_some_and(|m| m.contains("looks mistyped")));
        assert_eq!(code_problem("7qkx m2pa 9rtd wh4q", false, false), None);
        assert!(code_problem("", false, true).is_some());
        assert!(code_problem("7QKX", true, false).is_some());
    }
}
