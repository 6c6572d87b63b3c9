//! The fuzz targets as property tests, so `cargo test` covers the same entry points on
//! stable Rust: the parser and checker on arbitrary bytes and on token soup, each evidence
//! loader (CSV, JSON, JSON Lines) on arbitrary and format-shaped bytes, and the evaluator
//! on generated programs and records. The generators are shared with `fuzz/` through
//! `tests/robustness_gen/mod.rs`. `PROPTEST_CASES` raises the case count for a longer run.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod robustness_gen;

use proptest::prelude::*;

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    // Failure persistence stays on (the default): a failing seed is written to
    // `tests/robustness_props.proptest-regressions` and replayed first on every run;
    // commit it with the fix.
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Rule-language tokens, so random strings get past the lexer.
const TOKENS: &[&str] = &[
    "standard",
    "dataset",
    "requirement",
    "waiver",
    "param",
    "test",
    "field",
    "source",
    "expect",
    "metric",
    "clauses",
    "severity",
    "major",
    "all",
    "any",
    "no",
    "count",
    "share",
    "sum",
    "avg",
    "p90",
    "min",
    "max",
    "in",
    "where",
    "by",
    "and",
    "or",
    "not",
    "is",
    "none",
    "matches",
    "contains",
    "as_of",
    "true",
    "false",
    "x",
    "t",
    "t.k",
    "iso:1",
    "r.a",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "=",
    "==",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "\"a\"",
    "\"\\u{1b}\"",
    "1",
    "9223372036854775808",
    "2026-02-30",
    "2026-11-22",
    "2026-11-22T10:00:00Z",
    "24h",
    "30d",
    "95%",
    "12 months",
    "text",
    "int",
    "key",
    "from",
    "format",
    "\"%d/%m/%Y\"",
    "\n",
    " ",
    "#c\n",
];

fn token_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(TOKENS), 0..120).prop_map(|t| t.join(" "))
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn parse_and_check_never_panic_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        robustness_gen::parse_bytes(&bytes);
    }

    #[test]
    fn parse_and_check_never_panic_on_token_soup(text in token_soup()) {
        robustness_gen::parse_bytes(text.as_bytes());
    }

    #[test]
    fn parse_and_check_never_panic_on_programs_with_edits(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        cut in any::<prop::sample::Index>(),
        insert in proptest::sample::select(TOKENS),
    ) {
        // A valid generated program with one token spliced in at a random place.
        let mut g = robustness_gen::Gen::new(&bytes);
        let mut text = robustness_gen::program(&mut g);
        let mut at = cut.index(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.insert_str(at, insert);
        robustness_gen::parse_bytes(text.as_bytes());
    }

    #[test]
    fn csv_loading_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        robustness_gen::csv_bytes(&bytes);
    }

    #[test]
    fn csv_loading_never_panics_on_csv_shaped_text(
        options in any::<u8>(),
        text in "([a-zA-Z0-9 ,;\t\"\r\n:/.+%-]|NULL|true|2026-03-29 03:30|23:59:60|1e400|99999-01-01){0,80}",
    ) {
        let mut bytes = vec![options & !1];
        bytes.extend_from_slice(text.as_bytes());
        robustness_gen::csv_bytes(&bytes);
    }

    #[test]
    fn json_loading_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        robustness_gen::json_bytes(&bytes);
        robustness_gen::jsonl_bytes(&bytes);
    }

    #[test]
    fn json_loading_never_panics_on_json_shaped_text(
        options in any::<u8>(),
        text in "(\\[|\\]|\\{|\\}|,|:|\"k\"|\"s\"|\"n\"|\"at\"|\"a\"|\"b\"|\"c\"|\"x\"|\"l\"|\"p\"|\"w\"|\"d\"|null|true|1e400|-0|12345678901234567890|\"2026-10-25 03:30\"|\"2016-12-31T23:59:60Z\"|\"\\\\u0000\"|\"\\\\ud800\"|\n| ){0,80}",
    ) {
        let mut bytes = vec![options];
        bytes.extend_from_slice(text.as_bytes());
        robustness_gen::json_bytes(&bytes);
        robustness_gen::jsonl_bytes(&bytes);
    }

    #[test]
    fn evaluation_never_panics_and_fails_closed(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        robustness_gen::eval_bytes(&bytes);
    }
}

/// The generator must produce programs that check most of the time, or the evaluator
/// property tests nothing.
#[test]
fn generated_programs_mostly_check() {
    let mut checked = 0;
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut failures = Vec::new();
    for _ in 0..200 {
        let bytes: Vec<u8> = (0..256)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect();
        let mut g = robustness_gen::Gen::new(&bytes);
        let text = robustness_gen::program(&mut g);
        let (sources, program) = robustness_gen::check_program(&text);
        if program.is_some() {
            checked += 1;
        } else if failures.len() < 3 {
            let _ = sources;
            failures.push(text);
        }
    }
    assert!(
        checked >= 100,
        "only {checked} of 200 generated programs check; e.g.\n{}",
        failures.join("\n----\n")
    );
}
