//! Reading test counts out of each runner's closing lines.

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// nextest: `Summary [ 1.2s] 42 tests run: 41 passed, 1 failed, 0 skipped`.
pub fn nextest(output: &str) -> Option<Counts> {
    let line = output.lines().rev().find(|l| l.contains("tests run:") || l.contains("test run:"))?;
    let tail = line.split_once("run:")?.1;
    Some(Counts {
        passed: number_before(tail, "passed").unwrap_or(0),
        failed: number_before(tail, "failed").unwrap_or(0),
    })
}

/// libtest (wasm-bindgen-test-runner too): `test result: ok. 3 passed; 0 failed; …`,
/// once per test binary.
pub fn libtest(output: &str) -> Option<Counts> {
    let mut total: Option<Counts> = None;
    for line in output.lines().filter(|l| l.contains("test result:")) {
        let c = Counts {
            passed: number_before(line, "passed").unwrap_or(0),
            failed: number_before(line, "failed").unwrap_or(0),
        };
        total.get_or_insert_with(Counts::default).add(c);
    }
    total
}

/// node's TAP reporter: `# pass 3` and `# fail 0`.
pub fn tap(output: &str) -> Option<Counts> {
    let field = |name: &str| {
        output.lines().rev().find_map(|l| l.trim().strip_prefix(name).and_then(|n| n.trim().parse::<u64>().ok()))
    };
    Some(Counts { passed: field("# pass ")?, failed: field("# fail ").unwrap_or(0) })
}

fn number_before(text: &str, word: &str) -> Option<u64> {
    let idx = text.find(word)?;
    text[..idx].split(|c: char| !c.is_ascii_digit()).rfind(|s| !s.is_empty())?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nextest_summary() {
        let out = "  PASS [ 0.1s] a\n     Summary [   2.345s] 42 tests run: 40 passed, 2 failed, 0 skipped\n";
        assert_eq!(nextest(out), Some(Counts { passed: 40, failed: 2 }));
        let out = "Summary [ 0.5s] 7 tests run: 7 passed, 1 skipped";
        assert_eq!(nextest(out), Some(Counts { passed: 7, failed: 0 }));
        assert_eq!(nextest("error: could not compile"), None);
    }

    #[test]
    fn adds_up_libtest_results() {
        let out =
            "test result: ok. 3 passed; 0 failed; 0 ignored\nx\ntest result: FAILED. 1 passed; 2 failed; 0 ignored";
        assert_eq!(libtest(out), Some(Counts { passed: 4, failed: 2 }));
        assert_eq!(libtest("nothing"), None);
    }

    #[test]
    fn reads_tap_totals() {
        let out = "TAP version 13\n# tests 3\n# pass 2\n# fail 1\n# cancelled 0\n";
        assert_eq!(tap(out), Some(Counts { passed: 2, failed: 1 }));
        assert_eq!(tap("TAP version 13\n"), None);
    }
}
