//! Calendar dates of the catalog (`2025-01-01`), read from JSON strings and from TOML.
//!
//! TOML has a date type of its own, and a person writing the catalog file will use it
//! (`valid_from = 2025-01-01`, unquoted); TOML deserializers hand such a value to serde as a
//! map of one entry whose value is the date's text. Accepting that shape here keeps the
//! domain free of a TOML dependency while the file reads naturally. The parse is our own,
//! like `rfc3339`'s, so that chrono's format interpreter stays out of the wasm.

use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, Deserializer, MapAccess, Unexpected, Visitor};

use crate::rfc3339::digits;

/// The key under which the `toml` crate hands over a date.
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

/// For `#[serde(deserialize_with = "…")]` on a `NaiveDate` field.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    deserializer.deserialize_any(CalendarDate)
}

/// For `#[serde(default, deserialize_with = "…")]` on an `Option<NaiveDate>` field: `null`
/// or absent is `None`.
pub fn deserialize_option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    match text {
        None => Ok(None),
        Some(text) => parse(&text)
            .map(Some)
            .ok_or_else(|| de::Error::invalid_value(Unexpected::Str(&text), &"a calendar date like 2025-01-31")),
    }
}

/// Exactly `YYYY-MM-DD`, a day that exists.
pub fn parse(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

struct CalendarDate;

impl<'de> Visitor<'de> for CalendarDate {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a calendar date like 2025-01-31")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<NaiveDate, E> {
        parse(value).ok_or_else(|| E::invalid_value(Unexpected::Str(value), &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NaiveDate, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::invalid_type(Unexpected::Map, &self));
        };
        if key != TOML_DATETIME_KEY {
            return Err(de::Error::invalid_type(Unexpected::Map, &self));
        }
        let text: String = map.next_value()?;
        self.visit_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, serde::Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "deserialize")]
        on: NaiveDate,
    }

    fn read(value: serde_json::Value) -> Result<NaiveDate, String> {
        serde_json::from_value::<Holder>(json!({ "on": value })).map(|h| h.on).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_a_date_string_and_a_toml_date() {
        let day = NaiveDate::from_ymd_opt(2025, 1, 31);
        assert_eq!(read(json!("2025-01-31")).ok(), day);
        assert_eq!(read(json!({ TOML_DATETIME_KEY: "2025-01-31" })).ok(), day);
        assert_eq!(parse("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
    }

    #[test]
    fn refuses_anything_else_with_the_expected_shape_named() {
        for bad in ["2025-02-30", "2025-1-31", "31/01/2025", "2025-01-31T00:00:00Z", "", "+025-01-01"] {
            let e = read(json!(bad)).expect_err(bad);
            assert!(e.contains("a calendar date like 2025-01-31"), "{bad}: {e}");
        }
        assert!(read(json!({ TOML_DATETIME_KEY: "2025-01-31T10:00:00" })).is_err(), "a date-time is not a date");
        assert!(read(json!({ "on": "2025-01-31" })).is_err(), "only the TOML date shape");
        assert!(read(json!({})).is_err());
        assert!(read(json!(20250131)).is_err());
    }
}
