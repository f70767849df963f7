//! How dates, credits and money are written for people. Dates are hand-rolled
//! rather than chrono's `format`, whose pattern interpreter would weigh on the
//! wasm for two shapes.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use tessera_domain::proration::{device_months_text, units_text};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The calendar day (UTC, as everywhere in Tessera) for people: `3 Nov 2026`.
pub fn short_date(at: DateTime<Utc>) -> String {
    short_day(at.date_naive())
}

/// The calendar day for machines, e.g. a `<time datetime>`: `2026-11-03`.
pub fn iso_date(at: DateTime<Utc>) -> String {
    iso_day(at.date_naive())
}

/// A calendar date for people: `3 Nov 2026`.
pub fn short_day(day: NaiveDate) -> String {
    format!("{} {} {}", day.day(), MONTHS[day.month0() as usize], day.year())
}

/// A calendar date for machines: `2026-11-03`.
pub fn iso_day(day: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// Credits as people count them: units of a SKU sold by term (`12 units`,
/// `11.75 units`), device-months of one sold by the month (`term_months` `None`).
pub fn credits_text(device_months: u64, term_months: Option<u32>) -> String {
    match term_months {
        Some(term) => units_text(device_months, term),
        None => device_months_text(device_months),
    }
}

/// The exact figure behind [`credits_text`] when it is in units (for a `title`
/// and screen readers): `423 device-months`; `None` when it is already exact.
pub fn credits_detail(device_months: u64, term_months: Option<u32>) -> Option<String> {
    term_months.map(|_| device_months_text(device_months))
}

/// Digits after the decimal point of a currency's minor unit (ISO 4217): two for
/// nearly all, none for the few without a minor unit.
fn minor_digits(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "ISK" | "CLP" | "VND" => 0,
        _ => 2,
    }
}

/// An amount given in minor units, for people: `€259.20`, `$1,440.00`, `CHF 36.00`.
pub fn money(amount_minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let scale = 10u64.pow(digits);
    let abs = amount_minor.unsigned_abs();
    let whole = (abs / scale).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let number =
        if digits == 0 { grouped } else { format!("{grouped}.{:0width$}", abs % scale, width = digits as usize) };
    let sign = if amount_minor < 0 { "\u{2212}" } else { "" };
    match currency {
        "EUR" => format!("{sign}€{number}"),
        "USD" => format!("{sign}${number}"),
        "GBP" => format!("{sign}£{number}"),
        other => format!("{sign}{other} {number}"),
    }
}

/// An amount typed by people in major units (`99`, `99.5`, `1,299.00`) as minor units of
/// `currency`; `None` when it is not one (a sign, letters, more decimals than the currency has).
pub fn parse_money(text: &str, currency: &str) -> Option<i64> {
    let digits = minor_digits(currency) as usize;
    let text: String = text.trim().chars().filter(|c| *c != ',').collect();
    let (whole, part) = text.split_once('.').unwrap_or((&text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !all_digits(whole)
        || !all_digits(part)
        || part.len() > digits
        || (digits == 0 && text.contains('.'))
    {
        return None;
    }
    let scale = 10i64.pow(digits as u32);
    let part_value =
        if part.is_empty() { 0 } else { part.parse::<i64>().ok()? * 10i64.pow((digits - part.len()) as u32) };
    whole.parse::<i64>().ok()?.checked_mul(scale)?.checked_add(part_value)
}

/// A term unit's price spread over its months, rounded to the nearest minor unit: what
/// one device-month costs, to compare terms.
pub fn per_month_minor(amount_minor: i64, term_months: u32) -> i64 {
    let months = i64::from(term_months.max(1));
    (amount_minor + months / 2).div_euclid(months)
}

/// Days until a license's "Expires on", for people: `1 day left`, `Ended today`,
/// `Ended 3 days ago`. The expiry day itself is the first day not covered.
pub fn days_left_text(days_left: i64) -> String {
    match days_left {
        1 => "1 day left".to_string(),
        d if d > 1 => format!("{d} days left"),
        0 => "Ended today".to_string(),
        -1 => "Ended yesterday".to_string(),
        d => format!("Ended {} days ago", d.unsigned_abs()),
    }
}

/// A count for people, thousands grouped: `250`, `10,000`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(250), "250");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn money_in_its_currency() {
        assert_eq!(money(25920, "EUR"), "€259.20");
        assert_eq!(money(144000, "EUR"), "€1,440.00");
        assert_eq!(money(123456789, "USD"), "$1,234,567.89");
        assert_eq!(money(5, "GBP"), "£0.05");
        assert_eq!(money(3600, "CHF"), "CHF 36.00");
        assert_eq!(money(1500, "JPY"), "JPY 1,500");
        assert_eq!(money(-1000, "EUR"), "\u{2212}€10.00");
        assert_eq!(money(0, "EUR"), "€0.00");
    }

    #[test]
    fn price_per_device_month() {
        assert_eq!(per_month_minor(25920, 36), 720);
        assert_eq!(per_month_minor(6000, 12), 500);
        assert_eq!(per_month_minor(1000, 3), 333);
        assert_eq!(per_month_minor(2000, 3), 667, "rounded to the nearest cent");
        assert_eq!(per_month_minor(1500, 0), 1500, "a month unit is its own month");
    }

    #[test]
    fn days_left_in_words() {
        assert_eq!(days_left_text(120), "120 days left");
        assert_eq!(days_left_text(1), "1 day left");
        assert_eq!(days_left_text(0), "Ended today", "the expiry day is the first day not covered");
        assert_eq!(days_left_text(-1), "Ended yesterday");
        assert_eq!(days_left_text(-40), "Ended 40 days ago");
    }

    #[test]
    fn dates_are_short_and_unambiguous() {
        let at = Utc.with_ymd_and_hms(2026, 11, 3, 23, 59, 0).single().unwrap_or_default();
        assert_eq!(short_date(at), "3 Nov 2026");
        assert_eq!(iso_date(at), "2026-11-03");
        let at = Utc.with_ymd_and_hms(2027, 1, 31, 0, 0, 0).single().unwrap_or_default();
        assert_eq!(short_date(at), "31 Jan 2027");
        assert_eq!(iso_date(at), "2027-01-31");
    }

    #[test]
    fn credits_in_units_or_device_months() {
        assert_eq!(credits_text(423, Some(36)), "11.75 units");
        assert_eq!(credits_detail(423, Some(36)).as_deref(), Some("423 device-months"));
        assert_eq!(credits_text(36, Some(36)), "1 unit");
        assert_eq!(credits_text(24, None), "24 device-months");
        assert_eq!(credits_detail(24, None), None);
    }

    #[test]
    fn calendar_days() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 9).unwrap_or_default();
        assert_eq!(short_day(day), "9 Mar 2027");
        assert_eq!(iso_day(day), "2027-03-09");
    }

    #[test]
    fn dates_are_utc_days() {
        // 23:30 UTC is the same day in Tessera whatever the browser's zone.
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).single().unwrap_or_default();
        assert_eq!(short_date(at), "31 Dec 2026");
    }

    #[test]
    fn typed_amounts_in_minor_units() {
        assert_eq!(parse_money("99", "EUR"), Some(9900));
        assert_eq!(parse_money(" 1,299.5 ", "EUR"), Some(129_950));
        assert_eq!(parse_money("0.05", "USD"), Some(5));
        assert_eq!(parse_money("1500", "JPY"), Some(1500));
        for bad in ["", "-1", "1.234", "1.2.3", "ten", ".5", "15.0"] {
            let currency = if bad == "15.0" { "JPY" } else { "EUR" };
            assert_eq!(parse_money(bad, currency), None, "{bad}");
        }
    }
}
