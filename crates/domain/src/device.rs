//! Devices (SPEC §5): what a device record may hold, and the CSV import's reading of rows.
//! One set of rules for the form in the browser, the API and the import.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::date;

/// Longest serial number accepted: far above any vendor's, short enough for a table cell.
pub const MAX_SERIAL: usize = 64;
/// Longest model, name or site.
pub const MAX_TEXT: usize = 120;
/// Rows one import may hold: a large site inventory, within a request the server reads whole.
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// The import's header, in this order.
pub const CSV_HEADER: [&str; 6] = ["serial", "model", "name", "site", "battery_replace_by", "warranty_expires_on"];

/// A device's fields as people give them, checked and trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceFields {
    /// Unique within the organization (ignoring case).
    pub serial: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub site: String,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "date::deserialize_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub battery_replace_by: Option<NaiveDate>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "date::deserialize_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub warranty_expires_on: Option<NaiveDate>,
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem { field: field.to_string(), message: message.into() }
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

impl DeviceFields {
    /// Trims every text and checks it; every problem at once, so a form or a CSV row can
    /// show them all.
    pub fn checked(self) -> Result<DeviceFields, Vec<FieldProblem>> {
        let mut out = Vec::new();
        let serial = self.serial.trim().to_string();
        if serial.is_empty() {
            out.push(problem("serial", "Please enter the serial number."));
        } else if serial.chars().count() > MAX_SERIAL || has_control(&serial) {
            out.push(problem("serial", format!("A serial number is at most {MAX_SERIAL} characters on one line.")));
        }
        let mut text = |field: &str, value: String| {
            let value = value.trim().to_string();
            if value.chars().count() > MAX_TEXT || has_control(&value) {
                out.push(problem(field, format!("At most {MAX_TEXT} characters on one line.")));
            }
            value
        };
        let (model, name, site) = (text("model", self.model), text("name", self.name), text("site", self.site));
        if out.is_empty() {
            Ok(DeviceFields { serial, model, name, site, ..self })
        } else {
            Err(out)
        }
    }
}

/// Why a CSV file cannot be read at all (as opposed to a bad row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvError {
    Empty,
    Header { found: String },
    TooManyRows,
    UnclosedQuote { row: usize },
}

impl CsvError {
    pub fn message(&self) -> String {
        match self {
            CsvError::Empty => "The file is empty: it needs a header row and one row per device.".into(),
            CsvError::Header { found } => {
                format!("The first row must be the header {}; it is {found}.", CSV_HEADER.join(","))
            }
            CsvError::TooManyRows => format!("A file may hold at most {MAX_IMPORT_ROWS} devices; split it."),
            CsvError::UnclosedQuote { row } => format!("Row {row}: a quoted value is not closed."),
        }
    }
}

/// A data row's problems; rows are numbered from 1, the first after the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowProblem {
    pub row: usize,
    pub field: String,
    pub message: String,
}

/// Every data row of an import: its fields, or its problems.
pub type ImportRows = Vec<Result<DeviceFields, Vec<RowProblem>>>;

/// Reads a device CSV: the header of [`CSV_HEADER`] (any case, surrounding spaces ignored),
/// then one device per row; RFC 4180 quoting; blank lines skipped; a byte order mark
/// ignored. Serials repeated within the file are a problem of the later row.
pub fn parse_csv(text: &str) -> Result<ImportRows, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = records(text)?;
    let mut records = records.into_iter().filter(|r| !(r.len() == 1 && r[0].trim().is_empty()));
    let header = records.next().ok_or(CsvError::Empty)?;
    let names: Vec<String> = header.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    if names != CSV_HEADER {
        return Err(CsvError::Header { found: header.join(",") });
    }
    let mut rows = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (index, record) in records.enumerate() {
        let row = index + 1;
        if row > MAX_IMPORT_ROWS {
            return Err(CsvError::TooManyRows);
        }
        rows.push(read_row(row, &record, &mut seen));
    }
    Ok(rows)
}

fn read_row(
    row: usize,
    record: &[String],
    seen: &mut std::collections::HashSet<String>,
) -> Result<DeviceFields, Vec<RowProblem>> {
    let at = |problems: Vec<FieldProblem>| -> Vec<RowProblem> {
        problems.into_iter().map(|p| RowProblem { row, field: p.field, message: p.message }).collect()
    };
    if record.len() != CSV_HEADER.len() {
        return Err(at(vec![problem(
            "row",
            format!("This row has {} values; the header has {}.", record.len(), CSV_HEADER.len()),
        )]));
    }
    let mut problems = Vec::new();
    // As the database's unique index compares serials (`COLLATE NOCASE`: ASCII letters).
    let key = record[0].trim().to_ascii_lowercase();
    if !key.is_empty() && !seen.insert(key) {
        problems.push(problem("serial", "This serial number is already in an earlier row."));
    }
    let mut day = |field: &str, value: &str| {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let parsed = date::parse(value);
        if parsed.is_none() {
            problems.push(problem(field, format!("\u{201c}{value}\u{201d} is not a date like 2027-03-31.")));
        }
        parsed
    };
    let battery = day("battery_replace_by", &record[4]);
    let warranty = day("warranty_expires_on", &record[5]);
    let fields = DeviceFields {
        serial: record[0].clone(),
        model: record[1].clone(),
        name: record[2].clone(),
        site: record[3].clone(),
        battery_replace_by: battery,
        warranty_expires_on: warranty,
    }
    .checked();
    match fields {
        Ok(fields) if problems.is_empty() => Ok(fields),
        Ok(_) => Err(at(problems)),
        Err(mut more) => {
            more.extend(problems);
            Err(at(more))
        }
    }
}

/// RFC 4180 records: comma-separated, `"` quotes (doubled inside), CRLF or LF line ends.
fn records(text: &str) -> Result<Vec<Vec<String>>, CsvError> {
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut started_quote_row = 0;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
                started_quote_row = out.len();
            }
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut record));
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError::UnclosedQuote { row: started_quote_row });
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push(record);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "serial,model,name,site,battery_replace_by,warranty_expires_on\n";

    #[test]
    fn reads_rows_with_quotes_and_empty_dates() {
        let text =
            format!("{HEADER}AS100,Smart-UPS 1500,\"Rack A, top\",Paris,2027-03-31,\r\n\nAS101,,,,,2028-01-01\n");
        let rows = parse_csv(&text).expect("readable");
        assert_eq!(rows.len(), 2);
        let first = rows[0].clone().expect("valid");
        assert_eq!((first.name.as_str(), first.site.as_str()), ("Rack A, top", "Paris"));
        assert_eq!(first.battery_replace_by, NaiveDate::from_ymd_opt(2027, 3, 31));
        assert_eq!(first.warranty_expires_on, None);
        assert!(rows[1].is_ok());
    }

    #[test]
    fn each_bad_row_says_which_field() {
        let text = format!("{HEADER}AS1,m,n,s,2027-02-30,\n,m,n,s,,\nAS1,m,n,s,,\nAS2,m,n\n");
        let rows = parse_csv(&text).expect("readable");
        let problems: Vec<(usize, String)> =
            rows.iter().flat_map(|r| r.clone().err().unwrap_or_default()).map(|p| (p.row, p.field)).collect();
        assert_eq!(
            problems,
            vec![
                (1, "battery_replace_by".to_string()),
                (2, "serial".to_string()),
                (3, "serial".to_string()),
                (4, "row".to_string())
            ]
        );
    }

    #[test]
    fn a_repeated_serial_is_the_later_rows_problem_ignoring_case() {
        let text = format!("{HEADER}as9,m,n,s,,\nAS9,m,n,s,,\n");
        let rows = parse_csv(&text).expect("readable");
        assert!(rows[0].is_ok());
        assert_eq!(rows[1].clone().err().map(|p| p[0].row), Some(2));
    }

    #[test]
    fn files_that_cannot_be_read() {
        assert_eq!(parse_csv(""), Err(CsvError::Empty));
        assert!(matches!(parse_csv("serial,model\nA,B\n"), Err(CsvError::Header { .. })));
        assert!(matches!(parse_csv(&format!("{HEADER}\"AS1,m,n,s,,\n")), Err(CsvError::UnclosedQuote { .. })));
        assert!(parse_csv(&format!("\u{feff}{}", HEADER.to_uppercase())).is_ok(), "BOM and case");
        let many = format!("{HEADER}{}", (0..=MAX_IMPORT_ROWS).map(|i| format!("S{i},,,,,\n")).collect::<String>());
        assert_eq!(parse_csv(&many), Err(CsvError::TooManyRows));
    }

    #[test]
    fn fields_are_trimmed_and_checked() {
        let f = DeviceFields {
            serial: "  AS1 ".into(),
            model: " M ".into(),
            name: String::new(),
            site: String::new(),
            battery_replace_by: None,
            warranty_expires_on: None,
        };
        assert_eq!(f.clone().checked().map(|f| (f.serial, f.model)), Ok(("AS1".into(), "M".into())));
        let bad = DeviceFields { serial: "x".repeat(65), site: "a\nb".into(), ..f };
        let fields: Vec<String> = bad.checked().err().unwrap_or_default().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["serial", "site"]);
    }

    proptest::proptest! {
        #[test]
        fn no_file_makes_the_reader_panic(text in "[a-z0-9,\"\\r\\n -]{0,200}") {
            let _ = parse_csv(&format!("{HEADER}{text}"));
            let _ = parse_csv(&text);
        }
    }
}
