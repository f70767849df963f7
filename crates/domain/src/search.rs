//! The search syntax of SPEC §10: one parser and one matcher, used by the browser (as people
//! type) and by the API (`?q=`), so a search finds the same rows in both.
//!
//! - Terms are case-insensitive and all must match (implicit AND). Case is folded by
//!   [`fold`]: the Latin, Greek and Cyrillic alphabets, without Unicode's tables (which cost
//!   the browser's download ~6 KB); letters of other scripts match as typed.
//! - A plain term matches when a searched field contains it (`north` finds "Northwind").
//! - A term with `*` is a pattern matched against each word of a field, whole: `build*` is a
//!   word starting with "build", `*tion` one ending with "tion", `ups*01` one starting with
//!   "ups" and ending with "01" (so `build*` does not find "rebuild", where `build` would).
//! - `"exact phrase"` matches when a field contains the phrase, spaces included.
//! - `AND` and `OR`, in upper case, combine; AND binds tighter; parentheses group. In lower
//!   case, `and` and `or` are ordinary words.
//! - A quote or parenthesis left open (or closed without opening), empty parentheses, or an
//!   operator without a term on one side is an error with a sentence for people, never a panic.

use std::fmt;

/// A parsed search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Matches everything (an empty search).
    All,
    /// Contained in a field (lower-cased).
    Term(String),
    /// A `*` pattern matched against each word of a field (lower-cased).
    Pattern(String),
    /// Contained in a field, spaces included (lower-cased).
    Phrase(String),
    And(Vec<Query>),
    Or(Vec<Query>),
}

/// Why a search cannot be read; `at` is the character position it concerns (from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchError {
    UnclosedQuote {
        at: usize,
    },
    UnclosedParenthesis {
        at: usize,
    },
    UnopenedParenthesis {
        at: usize,
    },
    EmptyParentheses {
        at: usize,
    },
    /// `AND` or `OR` without a term before or after it.
    DanglingOperator {
        operator: &'static str,
        at: usize,
    },
}

impl SearchError {
    pub fn code(&self) -> &'static str {
        "search_invalid"
    }

    pub fn message(&self) -> String {
        match self {
            SearchError::UnclosedQuote { .. } => {
                "A quote is not closed: put a \" at the end of the exact phrase.".into()
            }
            SearchError::UnclosedParenthesis { .. } => "A parenthesis is not closed: add a ) after the group.".into(),
            SearchError::UnopenedParenthesis { .. } => "A closing parenthesis ) has no opening ( before it.".into(),
            SearchError::EmptyParentheses { .. } => "There is nothing between the parentheses ( ).".into(),
            SearchError::DanglingOperator { operator, .. } => {
                format!("{operator} needs something to search for on both sides.")
            }
        }
    }
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for SearchError {}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Phrase(String),
    And,
    Or,
    Open,
    Close,
}

/// Splits the input; the position of each token is kept for errors.
fn tokenize(input: &str) -> Result<Vec<(Token, usize)>, SearchError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push((Token::Open, i));
            i += 1;
        } else if c == ')' {
            out.push((Token::Close, i));
            i += 1;
        } else if c == '"' {
            let start = i;
            let close =
                chars[i + 1..].iter().position(|&c| c == '"').ok_or(SearchError::UnclosedQuote { at: start })?;
            let phrase: String = chars[i + 1..i + 1 + close].iter().collect();
            out.push((Token::Phrase(phrase), start));
            i += close + 2;
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '(' | ')' | '"') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let token = match word.as_str() {
                "AND" => Token::And,
                "OR" => Token::Or,
                _ => Token::Word(word),
            };
            out.push((token, start));
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    next: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(t, _)| t)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(_, at)| *at)
    }

    /// or := and ("OR" and)*
    fn or(&mut self) -> Result<Query, SearchError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            let at = self.at();
            self.next += 1;
            if !self.starts_term() {
                return Err(SearchError::DanglingOperator { operator: "OR", at });
            }
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Query::Or(parts) })
    }

    fn starts_term(&self) -> bool {
        matches!(self.peek(), Some(Token::Word(_) | Token::Phrase(_) | Token::Open))
    }

    /// and := primary (("AND")? primary)*
    fn and(&mut self) -> Result<Query, SearchError> {
        if !self.starts_term() {
            return Err(match self.peek() {
                Some(Token::And) => SearchError::DanglingOperator { operator: "AND", at: self.at() },
                Some(Token::Or) => SearchError::DanglingOperator { operator: "OR", at: self.at() },
                Some(Token::Close) => SearchError::UnopenedParenthesis { at: self.at() },
                _ => SearchError::DanglingOperator { operator: "OR", at: self.at() },
            });
        }
        let mut parts = vec![self.primary()?];
        loop {
            match self.peek() {
                Some(Token::And) => {
                    let at = self.at();
                    self.next += 1;
                    if !self.starts_term() {
                        return Err(SearchError::DanglingOperator { operator: "AND", at });
                    }
                    parts.push(self.primary()?);
                }
                Some(Token::Word(_) | Token::Phrase(_) | Token::Open) => parts.push(self.primary()?),
                _ => break,
            }
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Query::And(parts) })
    }

    fn primary(&mut self) -> Result<Query, SearchError> {
        let at = self.at();
        let Some((token, _)) = self.tokens.get(self.next).cloned() else {
            return Err(SearchError::DanglingOperator { operator: "AND", at });
        };
        self.next += 1;
        match token {
            Token::Word(w) => Ok(word_query(&w)),
            Token::Phrase(p) => Ok(Query::Phrase(fold(&p))),
            Token::Open => {
                if self.peek() == Some(&Token::Close) {
                    return Err(SearchError::EmptyParentheses { at });
                }
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return Err(SearchError::UnclosedParenthesis { at });
                }
                self.next += 1;
                Ok(inner)
            }
            Token::Close => Err(SearchError::UnopenedParenthesis { at }),
            Token::And => Err(SearchError::DanglingOperator { operator: "AND", at }),
            Token::Or => Err(SearchError::DanglingOperator { operator: "OR", at }),
        }
    }
}

fn word_query(word: &str) -> Query {
    let lower = fold(word);
    if lower.chars().all(|c| c == '*') {
        Query::All
    } else if lower.contains('*') {
        Query::Pattern(lower)
    } else {
        Query::Term(lower)
    }
}

impl Query {
    /// Reads a search; an empty one matches everything.
    pub fn parse(input: &str) -> Result<Query, SearchError> {
        let tokens = tokenize(input)?;
        if tokens.is_empty() {
            return Ok(Query::All);
        }
        let mut parser = Parser { tokens, next: 0, end: input.chars().count() };
        let query = parser.or()?;
        match parser.peek() {
            None => Ok(query),
            Some(Token::Close) => Err(SearchError::UnopenedParenthesis { at: parser.at() }),
            Some(_) => Err(SearchError::DanglingOperator { operator: "AND", at: parser.at() }),
        }
    }

    /// Whether the fields (a row's name, serial, model, site, product, activation id,
    /// customer) match.
    pub fn matches(&self, fields: &[&str]) -> bool {
        if *self == Query::All {
            return true;
        }
        let lowered: Vec<String> = fields.iter().map(|f| fold(f)).collect();
        self.matches_lowered(&lowered)
    }

    /// Like [`Query::matches`] with fields already lower-cased by [`fold`] (a list filtered as
    /// people type can lower-case its rows once).
    pub fn matches_lowered(&self, fields: &[String]) -> bool {
        match self {
            Query::All => true,
            Query::Term(t) | Query::Phrase(t) => fields.iter().any(|f| f.contains(t.as_str())),
            Query::Pattern(p) => fields.iter().any(|f| f.split_whitespace().any(|w| glob(p.as_bytes(), w.as_bytes()))),
            Query::And(parts) => parts.iter().all(|q| q.matches_lowered(fields)),
            Query::Or(parts) => parts.iter().any(|q| q.matches_lowered(fields)),
        }
    }
}

/// Lower-cases `text` as the search compares it: `str::to_lowercase` for the letters of
/// the Latin (Basic, Latin-1, Extended-A, Extended Additional), Greek and Cyrillic blocks
/// where that gives one letter, with two foldings on top (`İ` → `i`, final `ς` → `σ`); any
/// other character is kept. Without the Unicode case tables that `to_lowercase` brings.
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    let u = c as u32;
    let odd = u % 2 == 1;
    let lower = match u {
        0x41..=0x5A => u + 0x20,
        0xC0..=0xDE if u != 0xD7 => u + 0x20,
        0x130 => 0x69,
        0x100..=0x137 | 0x14A..=0x177 | 0x1E00..=0x1E95 | 0x1EA0..=0x1EFF if !odd => u + 1,
        0x139..=0x148 | 0x179..=0x17E if odd => u + 1,
        0x178 => 0xFF,
        0x1E9E => 0xDF,
        0x386 => 0x3AC,
        0x388..=0x38A => u + 0x25,
        0x38C => 0x3CC,
        0x38E..=0x38F => u + 0x3F,
        0x391..=0x3AB if u != 0x3A2 => u + 0x20,
        0x3C2 => 0x3C3,
        0x400..=0x40F => u + 0x50,
        0x410..=0x42F => u + 0x20,
        0x460..=0x481 | 0x48A..=0x4BF | 0x4D0..=0x52F if !odd => u + 1,
        0x4C1..=0x4CE if odd => u + 1,
        0x4C0 => 0x4CF,
        0x212A => 0x6B,
        _ => u,
    };
    char::from_u32(lower).unwrap_or(c)
}

/// Whether `text` matches `pattern` whole, `*` standing for any run of bytes (also none).
/// Linear-time greedy matching with one backtrack point: no input can make it slow.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn find(q: &str, fields: &[&str]) -> bool {
        Query::parse(q).unwrap_or_else(|e| panic!("{q}: {e}")).matches(fields)
    }

    #[test]
    fn terms_are_case_insensitive_and_all_must_match() {
        let row = ["UPS Room 2", "AS1234567801", "Smart-UPS 1500", "Northwind HQ"];
        assert!(find("ups", &row));
        assert!(find("north UPS", &row));
        assert!(!find("north paris", &row));
        assert!(find("", &row));
        assert!(find("   ", &row));
    }

    #[test]
    fn phrases_patterns_and_operators() {
        let row = ["rebuilding", "Building A", "station", "ups-room-01"];
        assert!(find("\"building a\"", &row));
        assert!(!find("\"building b\"", &row));
        assert!(find("build*", &row));
        assert!(!find("build*", &["rebuilding"]), "a pattern matches whole words");
        assert!(find("build", &["rebuilding"]), "a plain term is a substring");
        assert!(find("*tion", &row));
        assert!(find("ups*01", &row));
        assert!(!find("ups*02", &row));
        assert!(find("paris OR station", &row));
        assert!(!find("paris OR london", &row));
        assert!(find("paris OR station AND build*", &row), "AND binds tighter");
        assert!(!find("(paris OR station) AND london", &row));
        assert!(find("station and", &["station and"]), "lower-case and is a word");
        assert!(find("*", &row));
    }

    #[test]
    fn mistakes_are_sentences_not_panics() {
        let err = |q: &str| Query::parse(q).err().map(|e| (e.clone(), e.message()));
        assert!(matches!(err("\"open"), Some((SearchError::UnclosedQuote { at: 0 }, _))));
        assert!(matches!(err("(a OR b"), Some((SearchError::UnclosedParenthesis { at: 0 }, _))));
        assert!(matches!(err("a OR b)"), Some((SearchError::UnopenedParenthesis { at: 6 }, _))));
        assert!(matches!(err(")"), Some((SearchError::UnopenedParenthesis { at: 0 }, _))));
        assert!(matches!(err("()"), Some((SearchError::EmptyParentheses { at: 0 }, _))));
        assert!(matches!(err("a OR"), Some((SearchError::DanglingOperator { operator: "OR", .. }, _))));
        assert!(matches!(err("AND a"), Some((SearchError::DanglingOperator { operator: "AND", .. }, _))));
        assert!(matches!(err("a AND OR b"), Some((SearchError::DanglingOperator { operator: "AND", .. }, _))));
        assert_eq!(SearchError::UnclosedQuote { at: 0 }.code(), "search_invalid");
    }

    /// In the blocks it covers, `fold` is `to_lowercase` wherever that gives one letter; out
    /// of them it changes nothing but the two foldings it adds.
    #[test]
    fn fold_is_to_lowercase_in_the_blocks_it_covers() {
        let covered =
            |u: u32| matches!(u, 0..=0x17F | 0x1E00..=0x1EFF | 0x386..=0x3AB | 0x3C2 | 0x400..=0x52F | 0x212A);
        for u in 0..0x3000u32 {
            let Some(c) = char::from_u32(u) else { continue };
            let mut lower = c.to_lowercase();
            let one = match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => c,
            };
            let folded = fold_char(c);
            match u {
                0x130 => assert_eq!(folded, 'i'),
                0x3C2 => assert_eq!(folded, 'σ'),
                _ if covered(u) => assert_eq!(folded, one, "U+{u:04X}"),
                _ => assert_eq!(folded, c, "U+{u:04X} is kept"),
            }
        }
        assert_eq!(
            fold("Ωmega ΣΟΦΊΑ Žilina ÆRØ Київ İstanbul Đà Nẵng"),
            "ωmega σοφία žilina ærø київ istanbul đà nẵng"
        );
        assert!(find("KYÏV", &["Київ", "Kyïv depot"]));
        assert!(find("σοφια*", &["ΣΟΦΙΑΣ"]) && find("\"ĐÀ NẴNG\"", &["Site Đà Nẵng 2"]));
    }

    #[test]
    fn glob_cases() {
        assert!(glob(b"a*b*c", b"aXXbYYc"));
        assert!(!glob(b"a*b*c", b"aXXbYY"));
        assert!(glob(b"**", b""));
        assert!(glob(b"*a", b"aaa"));
        assert!(!glob(b"a", b"ab"));
    }

    /// A naive matcher for `*` patterns: tries every split.
    fn naive_glob(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) => (0..=t.len()).any(|i| naive_glob(rest, &t[i..])),
            Some((c, rest)) => t.first() == Some(c) && naive_glob(rest, &t[1..]),
        }
    }

    /// A query tree, rendered to text and read back by the parser, against a direct reading
    /// of the tree.
    #[derive(Debug, Clone)]
    enum Tree {
        Term(String),
        Phrase(String),
        And(Vec<Tree>),
        Or(Vec<Tree>),
    }

    fn tree() -> impl Strategy<Value = Tree> {
        let leaf = prop_oneof![
            "[a-c]{1,3}\\*?[a-c]{0,2}".prop_map(Tree::Term),
            "[a-c]{1,2} [a-c]{1,2}".prop_map(Tree::Phrase),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 2..4).prop_map(Tree::And),
                proptest::collection::vec(inner, 2..4).prop_map(Tree::Or),
            ]
        })
    }

    fn render(t: &Tree) -> String {
        match t {
            Tree::Term(s) => s.clone(),
            Tree::Phrase(s) => format!("\"{s}\""),
            Tree::And(parts) => format!("({})", parts.iter().map(render).collect::<Vec<_>>().join(" AND ")),
            Tree::Or(parts) => format!("({})", parts.iter().map(render).collect::<Vec<_>>().join(" OR ")),
        }
    }

    fn naive(t: &Tree, fields: &[String]) -> bool {
        match t {
            Tree::Term(s) if s.contains('*') => {
                fields.iter().any(|f| f.split_whitespace().any(|w| naive_glob(s.as_bytes(), w.as_bytes())))
            }
            Tree::Term(s) | Tree::Phrase(s) => fields.iter().any(|f| f.contains(s.as_str())),
            Tree::And(parts) => parts.iter().all(|p| naive(p, fields)),
            Tree::Or(parts) => parts.iter().any(|p| naive(p, fields)),
        }
    }

    proptest! {
        #[test]
        fn no_input_makes_it_panic(input in "[a-c AORND()\"*\\t]{0,40}", field in "[a-c ]{0,12}") {
            if let Ok(q) = Query::parse(&input) {
                let _ = q.matches(&[field.as_str()]);
            }
        }

        #[test]
        fn it_agrees_with_a_naive_reading(t in tree(), fields in proptest::collection::vec("[a-c ]{0,10}", 1..4)) {
            let q = Query::parse(&render(&t)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(q.matches_lowered(&fields), naive(&t, &fields));
        }

        #[test]
        fn glob_agrees_with_trying_every_split(p in "[ab*]{0,6}", t in "[ab]{0,8}") {
            prop_assert_eq!(glob(p.as_bytes(), t.as_bytes()), naive_glob(p.as_bytes(), t.as_bytes()));
        }
    }
}
