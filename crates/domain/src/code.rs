//! Voucher codes and Activation IDs (SPEC §3): `7QKX-M2PA-9RTD-WH4Q`.
//!
//! People read these codes off paper and e-mails and type them in, so the
//! format is built for that: Crockford's base32 alphabet has no `I`, `L`,
//! `O` or `U` to confuse with `1`, `0` or `V`, input forgives case, dashes,
//! spaces and those look-alike letters, and a Luhn mod 32 check symbol
//! catches every single mistyped symbol (and most swapped neighbours)
//! before a database look-up, so a typo gets "looks mistyped" instead of
//! "unknown code" and costs no throttled attempt against real codes.

use std::fmt;
use std::str::FromStr;

use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Crockford's base32 symbols; a symbol's value is its index.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a code, check symbol included.
pub const LEN: usize = 16;
/// Random symbols in a code: 15 × 5 bits = 75 bits, too many to guess at
/// any throttled rate.
pub const PAYLOAD_LEN: usize = 15;
/// Symbols per group in the displayed form.
const GROUP: usize = 4;
const N: u32 = 32;

/// A well-formed code whose check symbol matches, in compact upper-case form.
///
/// Holding one proves only the format, not that the code exists: the server
/// still looks it up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// Nothing but spaces and dashes.
    Empty,
    /// Symbols counted after normalization.
    WrongLength { found: usize },
    /// The first character that is not a code symbol, as typed.
    InvalidSymbol { symbol: char },
    /// Well-formed, but the check symbol does not match.
    CheckMismatch,
}

impl CodeError {
    /// Stable, machine-readable code for the API error body.
    pub fn code(&self) -> &'static str {
        match self {
            CodeError::Empty => "code_required",
            // One code for every shape problem (issue 11's contract); the message says which.
            CodeError::WrongLength { .. } | CodeError::InvalidSymbol { .. } | CodeError::CheckMismatch => {
                "code_malformed"
            }
        }
    }

    pub fn message(&self) -> String {
        match self {
            CodeError::Empty => "Please enter a code.".to_owned(),
            CodeError::WrongLength { found } => {
                format!("A code has {LEN} characters; you entered {found}.")
            }
            CodeError::InvalidSymbol { symbol } => format!(
                "A code contains only digits and letters (never U); '{}' cannot be part of one.",
                symbol.escape_debug()
            ),
            CodeError::CheckMismatch => {
                "This code looks mistyped. Please check each character and try again.".to_owned()
            }
        }
    }
}

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for CodeError {}

impl Code {
    /// Reads a code as a person typed it: case-insensitive, dashes and spaces
    /// ignored, `I`/`L` read as `1` and `O` as `0` (the symbols they are
    /// mistaken for), then checks the length and the check symbol.
    pub fn parse(input: &str) -> Result<Code, CodeError> {
        let mut compact = String::with_capacity(LEN);
        let mut found = 0usize;
        for c in input.chars() {
            if is_separator(c) {
                continue;
            }
            let symbol = normalize_symbol(c).ok_or(CodeError::InvalidSymbol { symbol: c })?;
            found += 1;
            if found <= LEN {
                compact.push(symbol);
            }
        }
        match found {
            0 => Err(CodeError::Empty),
            LEN if is_valid(&compact) => Ok(Code(compact)),
            LEN => Err(CodeError::CheckMismatch),
            _ => Err(CodeError::WrongLength { found }),
        }
    }

    /// A fresh random code. Each of the 15 payload symbols is the low 5 bits
    /// of one random byte: 256 is a multiple of 32, so every symbol is
    /// equally likely (no modulo bias). A CSPRNG is required because codes
    /// are bearer secrets.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Code {
        let mut bytes = [0u8; PAYLOAD_LEN];
        rng.fill_bytes(&mut bytes);
        let values: Vec<u32> = bytes.iter().map(|b| u32::from(b & 0x1F)).collect();
        let mut compact: String = values.iter().map(|&v| symbol_of(v)).collect();
        compact.push(symbol_of(check_value(&values)));
        Code(compact)
    }

    /// The 16 symbols without dashes, as stored in the database.
    pub fn as_compact(&self) -> &str {
        &self.0
    }

    /// The last four symbols: what lists show of a code that is stored only as a hash.
    pub fn last_four(&self) -> &str {
        &self.0[LEN - GROUP..]
    }

    /// The form shown to people: `XXXX-XXXX-XXXX-XXXX`.
    pub fn grouped(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % GROUP == 0 {
                f.write_str("-")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl FromStr for Code {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Code, CodeError> {
        Code::parse(s)
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Code, D::Error> {
        let text = String::deserialize(deserializer)?;
        Code::parse(&text).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// How lists name a code they only know the last four symbols of: `…-WH4Q`.
pub fn hint(last_four: &str) -> String {
    format!("\u{2026}-{last_four}")
}

/// The Luhn mod 32 check symbol for `payload` (canonical upper-case symbols,
/// any length), or `None` if it holds anything else.
///
/// Luhn mod N as usually stated: from the rightmost payload symbol leftwards,
/// values are multiplied by 2 and 1 alternately, each product's base-32
/// digits are summed, and the check symbol brings the total to a multiple
/// of 32. Doubling is a bijection on base-32 digit sums, which is why any
/// single substitution changes the total.
pub fn check_symbol(payload: &str) -> Option<char> {
    let values: Option<Vec<u32>> = payload.chars().map(value_of).collect();
    values.map(|values| symbol_of(check_value(&values)))
}

fn check_value(payload: &[u32]) -> u32 {
    let sum = luhn_sum(payload.iter().rev(), 2);
    (N - sum % N) % N
}

/// Sum of the symbols' Luhn addends, rightmost first, with the rightmost
/// weighted by `first_factor`.
fn luhn_sum<'a>(rightmost_first: impl Iterator<Item = &'a u32>, first_factor: u32) -> u32 {
    let mut factor = first_factor;
    let mut sum = 0;
    for &value in rightmost_first {
        let addend = value * factor;
        sum += addend / N + addend % N;
        factor = if factor == 2 { 1 } else { 2 };
    }
    sum
}

/// Whether a compact string of canonical symbols ends with its check symbol.
fn is_valid(compact: &str) -> bool {
    let values: Option<Vec<u32>> = compact.chars().map(value_of).collect();
    match values {
        Some(values) => luhn_sum(values.iter().rev(), 1) % N == 0,
        None => false,
    }
}

fn is_separator(c: char) -> bool {
    // Hyphens and dashes, including the typographic ones that e-mail clients
    // and word processors substitute when a code is copied out of them.
    c == '-' || ('\u{2010}'..='\u{2015}').contains(&c) || c == '\u{2212}' || c.is_whitespace()
}

/// The canonical symbol a typed character stands for.
fn normalize_symbol(c: char) -> Option<char> {
    let upper = match c.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    };
    value_of(upper).map(|_| upper)
}

fn value_of(symbol: char) -> Option<u32> {
    let byte = u8::try_from(symbol).ok()?;
    let index = ALPHABET.iter().position(|&s| s == byte)?;
    u32::try_from(index).ok()
}

fn symbol_of(value: u32) -> char {
    char::from(ALPHABET[(value % N) as usize])
}

/// What a live check says about a code typed so far (the Locker's redeem box, the Activate
/// code step): an unfinished code is not an error until it has all its symbols, the person
/// left the field, or pressed the button; a character no code has is wrong whatever follows.
pub fn typing_problem(input: &str, left: bool, submitted: bool) -> Option<String> {
    match Code::parse(input) {
        Ok(_) => None,
        Err(CodeError::Empty) if !submitted => None,
        Err(CodeError::WrongLength { found }) if found < LEN && !left && !submitted => None,
        Err(e) => Some(e.message()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out fixed bytes, so generated codes are predictable in tests.
    struct FixedBytes(u8);

    impl RngCore for FixedBytes {
        fn next_u32(&mut self) -> u32 {
            u32::from(self.0)
        }
        fn next_u64(&mut self) -> u64 {
            u64::from(self.0)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for b in dest.iter_mut() {
                *b = self.0;
                self.0 = self.0.wrapping_add(37);
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl CryptoRng for FixedBytes {}

    #[test]
    fn spec_code_example_check_symbol_is_q() {
        assert_eq!(check_symbol("7QKXM2PA9RTDWH4"), Some('Q'));
        let code = Code::parse("7QKX-M2PA-9RTD-WH4Q").expect("the spec's code is valid");
        assert_eq!(code.as_compact(), "7QKXM2PA9RTDWH4Q");
        assert_eq!(code.to_string(), "7QKX-M2PA-9RTD-WH4Q");
    }

    #[test]
    fn input_is_normalized() {
        let expected = Code::parse("7QKXM2PA9RTDWH4Q").expect("valid");
        for typed in ["7qkx-m2pa-9rtd-wh4q", " 7QKX M2PA 9RTD WH4Q ", "7QKX–M2PA—9RTD-WH4Q", "7QKX\tM2PA\n9RTDWH4Q"]
        {
            assert_eq!(Code::parse(typed).as_ref(), Ok(&expected), "{typed}");
        }
        // I and L are read as 1, O as 0.
        let payload = "1010ABCDEFGHJKM";
        let check = check_symbol(payload).expect("canonical payload");
        let typed = format!("Iolo-ABCD-EFGH-JKM{check}");
        assert_eq!(Code::parse(&typed).map(|c| c.as_compact().to_owned()), Ok(format!("{payload}{check}")));
    }

    #[test]
    fn errors_and_their_codes() {
        assert_eq!(Code::parse(""), Err(CodeError::Empty));
        assert_eq!(Code::parse(" - -"), Err(CodeError::Empty));
        assert_eq!(Code::parse("7QKX-M2PA-9RTD-WH4"), Err(CodeError::WrongLength { found: 15 }));
        assert_eq!(Code::parse("7QKX-M2PA-9RTD-WH4QQ"), Err(CodeError::WrongLength { found: 17 }));
        assert_eq!(Code::parse("7QKX-M2PA-9RTD-WU4Q"), Err(CodeError::InvalidSymbol { symbol: 'U' }));
        assert_eq!(Code::parse("7QKX-M2PA-9RTD-WH4é"), Err(CodeError::InvalidSymbol { symbol: 'é' }));
        assert_eq!(Code::parse("7QKX-M2PA-9RTD-WH4R"), Err(CodeError::CheckMismatch));
        // Swapped neighbours are caught too.
        assert_eq!(Code::parse("Q7KX-M2PA-9RTD-WH4Q"), Err(CodeError::CheckMismatch));

        assert_eq!(CodeError::Empty.code(), "code_required");
        assert_eq!(CodeError::WrongLength { found: 3 }.code(), "code_malformed");
        assert_eq!(CodeError::InvalidSymbol { symbol: '!' }.code(), "code_malformed");
        assert_eq!(CodeError::CheckMismatch.code(), "code_malformed");
        assert!(CodeError::CheckMismatch.message().contains("looks mistyped"));
        assert_eq!(CodeError::WrongLength { found: 15 }.message(), "A code has 16 characters; you entered 15.");
    }

    #[test]
    fn generated_codes_are_valid_and_use_every_byte_value() {
        let mut rng = FixedBytes(0);
        let code = Code::generate(&mut rng);
        assert_eq!(code.as_compact().len(), LEN);
        assert_eq!(Code::parse(&code.to_string()), Ok(code.clone()));
        let other = Code::generate(&mut rng);
        assert_ne!(code, other);
    }

    #[test]
    fn check_symbol_rejects_non_canonical_payloads() {
        assert_eq!(check_symbol("7qkxm2pa9rtdwh4"), None);
        assert_eq!(check_symbol("7QKXM2PA9RTDWHU"), None);
        assert_eq!(check_symbol(""), Some('0'));
    }

    #[test]
    fn serializes_grouped_and_deserializes_leniently() {
        let code = Code::parse("7QKXM2PA9RTDWH4Q").expect("valid");
        let json = serde_json::to_string(&code).expect("serialize");
        assert_eq!(json, "\"7QKX-M2PA-9RTD-WH4Q\"");
        let back: Code = serde_json::from_str("\"7qkx m2pa 9rtd wh4q\"").expect("deserialize");
        assert_eq!(back, code);
        assert!(serde_json::from_str::<Code>("\"7QKX-M2PA-9RTD-WH4R\"").is_err());
    }

    #[test]
    fn typing_problems_wait_for_a_whole_code() {
        assert_eq!(typing_problem("", false, false), None);
        assert_eq!(typing_problem("7QKX-M2", false, false), None, "still typing");
        assert!(typing_problem("7QKX-M2PA-9RTD-WH4R", false, false).is_some_and(|m| m.contains("looks mistyped")));
        assert_eq!(typing_problem("7qkx m2pa 9rtd wh4q", false, false), None);
        assert!(typing_problem("", false, true).is_some(), "pressed with nothing typed");
        assert!(typing_problem("7QKX", true, false).is_some(), "left the field unfinished");
    }
}
