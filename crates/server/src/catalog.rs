//! The catalog the server sells from (SPEC §2): the TOML file built into the binary, or the
//! one `TESSERA_CATALOG` (or `catalog` in the configuration file) names instead.
//!
//! Read once, at start, and checked whole (`Catalog::validate`): a server that started
//! with an inconsistent catalog would take money for SKUs it cannot turn into licenses, so
//! it refuses to start and lists every problem. TOML is parsed here, never in the domain
//! crate: the browser receives the catalog as JSON and must not carry a TOML parser.

use std::fmt;
use std::path::Path;

use tessera_domain::catalog::Catalog;

/// The default catalog, compiled in so that a server needs no file to start.
pub const BUILT_IN: &str = include_str!("../catalog/default.toml");

/// Why a catalog cannot be used: where it came from, and every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogLoadError {
    pub origin: String,
    pub problems: Vec<String>,
}

impl fmt::Display for CatalogLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        write!(f, "the catalog {} cannot be used ({count} {noun}):", self.origin)?;
        for problem in &self.problems {
            // A TOML syntax error spans several lines (it quotes the file): keep it one item.
            write!(f, "\n  - {}", problem.trim_end().replace('\n', "\n    "))?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogLoadError {}

/// The catalog at `path`, or the built-in one; what the server starts with.
pub fn load(path: Option<&Path>) -> Result<Catalog, CatalogLoadError> {
    match path {
        None => parse(BUILT_IN, "built into the server"),
        Some(path) => {
            let origin = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| CatalogLoadError {
                origin: origin.clone(),
                problems: vec![format!("cannot read it: {e}")],
            })?;
            parse(&text, &origin)
        }
    }
}

/// Reads and checks a catalog's TOML text; `origin` names it in the error.
pub fn parse(text: &str, origin: &str) -> Result<Catalog, CatalogLoadError> {
    let error = |problems| CatalogLoadError { origin: origin.to_string(), problems };
    let catalog: Catalog = toml::from_str(text).map_err(|e| error(vec![e.to_string()]))?;
    catalog.validate().map_err(|e| error(e.problems))?;
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalog_is_valid() {
        let catalog = load(None);
        assert!(catalog.is_ok(), "{}", catalog.err().map(|e| e.to_string()).unwrap_or_default());
    }

    #[test]
    fn a_syntax_error_says_where() {
        let e = parse("[[products]\nkey = 1", "test.toml").expect_err("not TOML");
        assert_eq!(e.problems.len(), 1);
        assert!(e.problems[0].contains("line 1"), "{e}");
        assert!(e.to_string().starts_with("the catalog test.toml cannot be used (1 problem):\n  - "), "{e}");
    }

    #[test]
    fn a_missing_field_or_a_typo_is_named() {
        let with_typo = BUILT_IN.replacen("grace_days = 30", "grace_day = 30", 1);
        let e = parse(&with_typo, "typo.toml").expect_err("unknown field");
        assert!(e.problems[0].contains("grace_day"), "{e}");
        let without = BUILT_IN.replacen("renew_after_expiry = true\n", "", 1);
        let e = parse(&without, "missing.toml").expect_err("missing field");
        assert!(e.problems[0].contains("renew_after_expiry"), "{e}");
    }

    #[test]
    fn dates_may_be_toml_dates_or_strings() {
        let quoted = BUILT_IN.replace("valid_from = 2025-01-01", "valid_from = \"2025-01-01\"");
        assert_ne!(quoted, BUILT_IN);
        assert_eq!(parse(&quoted, "quoted.toml"), load(None));
        let e = parse(&BUILT_IN.replacen("2030-12-31", "2030-12-31T12:00:00", 1), "time.toml").expect_err("a time");
        assert!(e.problems[0].contains("a calendar date like 2025-01-31"), "{e}");
    }
}
