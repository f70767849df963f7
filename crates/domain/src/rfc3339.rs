//! Reading the API's timestamps (`2026-11-03T09:15:00.123456Z`) without
//! chrono's general-purpose parser: its `DateTime: Deserialize` brings a
//! format-item interpreter into the wasm for this one shape (measured in
//! docs/benchmarks.md). The server writes what chrono's `Serialize` writes,
//! RFC 3339 in UTC; this reads any RFC 3339 timestamp, with any offset, to
//! the same instant as chrono does (`reads_what_chrono_reads`).

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde::de::{self, Deserializer, Unexpected, Visitor};

/// For `#[serde(deserialize_with = "…")]` on a `DateTime<Utc>` field.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(Rfc3339)
}

/// For `#[serde(default, deserialize_with = "…")]` on an `Option<DateTime<Utc>>`: `null` is `None`.
pub fn deserialize_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    match text {
        None => Ok(None),
        Some(t) => parse(&t).map(Some).ok_or_else(|| serde::de::Error::custom("expected an RFC 3339 timestamp")),
    }
}

/// `YYYY-MM-DD(T|t| )hh:mm:ss[.fraction](Z|z|±hh:mm)`; a second of 60 is a
/// leap second, as in chrono.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits(&b[0..4])? as i32, digits(&b[5..7])?, digits(&b[8..10])?)?;
    let (hour, minute, second) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
    let mut rest = &b[19..];
    let mut nano = 0;
    if let [b'.', fraction @ ..] = rest {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        // Digits past the ninth are below a nanosecond: read and dropped.
        nano = fraction[..len.min(9)].iter().fold(0, |n, c| n * 10 + u32::from(c - b'0'))
            * 10u32.pow(9 - len.min(9) as u32);
        rest = &fraction[len..];
    }
    let offset_seconds = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (hours, minutes) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let time = if second == 60 {
        NaiveTime::from_hms_nano_opt(hour, minute, 59, nano + 1_000_000_000)?
    } else {
        NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?
    };
    // An offset is applied as chrono applies it, keeping a leap second a leap
    // second (`00:00:60-00:01` is `00:01:60Z`); adding a `TimeDelta` would not.
    let utc = date.and_time(time).checked_sub_offset(FixedOffset::east_opt(offset_seconds)?)?;
    Some(utc.and_utc())
}

/// The value of a run of ASCII digits.
pub(crate) fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

struct Rfc3339;

impl Visitor<'_> for Rfc3339 {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 timestamp")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<DateTime<Utc>, E> {
        parse(value).ok_or_else(|| E::invalid_value(Unexpected::Str(value), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};
    use proptest::prelude::*;

    fn chrono_reads(s: &str) -> Option<DateTime<Utc>> {
        s.parse::<DateTime<FixedOffset>>().ok().map(|at| at.with_timezone(&Utc))
    }

    #[test]
    fn reads_the_shapes_the_server_writes() {
        let at = Utc.with_ymd_and_hms(2026, 11, 3, 9, 15, 0).single().unwrap_or_default();
        assert_eq!(parse("2026-11-03T09:15:00Z"), Some(at));
        assert_eq!(parse("2026-11-03T09:15:00.123Z"), Some(at + TimeDelta::milliseconds(123)));
        assert_eq!(parse("2026-11-03T09:15:00.123456Z"), Some(at + TimeDelta::microseconds(123_456)));
        assert_eq!(parse("2026-11-03T10:15:00.000000001+01:00"), Some(at + TimeDelta::nanoseconds(1)));
        assert_eq!(parse("2026-11-03T04:45:00-04:30"), Some(at));
        // Found by `reads_what_chrono_reads`: an offset keeps a leap second.
        let s = "0000-01-01T00:00:60-00:01";
        assert_eq!(parse(s), chrono_reads(s));
        assert!(parse(s).is_some());
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for s in [
            "",
            "2026-11-03",
            "2026-11-03T09:15Z",
            "2026-11-03T09:15:00",
            "2026-13-03T09:15:00Z",
            "2026-02-30T09:15:00Z",
            "2026-11-03T24:00:00Z",
            "2026-11-03T09:60:00Z",
            "2026-11-03T09:15:00.Z",
            "2026-11-03T09:15:00+24:00",
            "2026-11-03T09:15:00Zjunk",
            "2026-11-03X09:15:00Z",
            "２026-11-03T09:15:00Z",
        ] {
            assert_eq!(parse(s), None, "{s}");
            assert_eq!(chrono_reads(s), None, "{s}");
        }
    }

    #[test]
    fn reads_json_as_chrono_serializes_it() {
        let at =
            Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).single().unwrap_or_default() + TimeDelta::microseconds(7);
        let json = serde_json::to_string(&at).unwrap_or_default();
        let mut reader = serde_json::Deserializer::from_str(&json);
        assert_eq!(deserialize(&mut reader).ok(), Some(at));
        let mut reader = serde_json::Deserializer::from_str("\"yesterday\"");
        assert!(deserialize(&mut reader).is_err());
        let mut reader = serde_json::Deserializer::from_str("12");
        assert!(deserialize(&mut reader).is_err());
    }

    proptest! {
        #[test]
        fn reads_what_chrono_writes(seconds in 0i64..253_402_300_799, nanos in 0u32..1_000_000_000) {
            let at = DateTime::from_timestamp(seconds, nanos).unwrap_or_default();
            let json = serde_json::to_string(&at).unwrap_or_default();
            prop_assert_eq!(parse(json.trim_matches('"')), Some(at));
        }

        #[test]
        fn reads_what_chrono_reads(
            date in "[0-9]{4}-[01][0-9]-[0-3][0-9]",
            sep in "[Tt ]",
            time in "[0-2][0-9]:[0-6][0-9]:[0-6][0-9]",
            fraction in "(\\.[0-9]{1,12})?",
            offset in "[Zz]|[+-][0-2][0-9]:[0-6][0-9]",
        ) {
            let s = format!("{date}{sep}{time}{fraction}{offset}");
            prop_assert_eq!(parse(&s), chrono_reads(&s), "{}", s);
        }
    }
}
