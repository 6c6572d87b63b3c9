//! Resource bounds and hostile values: each gives a clear error (or a documented reading),
//! never a crash, a hang or a silently wrong value. docs/security.md lists every bound.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::time::{Duration, Instant};

use auditready::check::CheckOptions;
use auditready::diagnostic::Diagnostic;
use auditready::eval::model::{Outcome, RequirementReport, RunReport};
use auditready::eval::{self, DatasetInput, FileFacts, Located, RunOptions};
use auditready::evidence::{self, DatasetSpec, FieldSpec, LoadError, NoProgress, Table};
use auditready::source::SourceMap;
use auditready::value::{Type, Value};

const CATALOG: &str = r#"
standard iso27001 "ISO/IEC 27001:2022" {
  clause "10.2" "Nonconformity and corrective action"
}
"#;

/// Parses and checks a rule text (after the catalog); returns the diagnostics.
fn check(rules: &str) -> (Option<auditready::check::Program>, SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    sources.add_text("catalog.rules", CATALOG);
    sources.add_text("test.rules", rules);
    let (files, mut diags) = auditready::syntax::parse_all(&sources);
    let (program, d) = auditready::check::check(&files, CheckOptions { today: None });
    diags.extend(d);
    (program, sources, diags)
}

fn codes(diags: &[Diagnostic]) -> Vec<&str> {
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.as_str())
        .collect()
}

/// Checks and evaluates rules against CSV evidence written to a temporary directory.
fn evaluate(rules: &str, files: &[(&str, &str)]) -> RunReport {
    let (program, sources, diags) = check(rules);
    assert!(
        codes(&diags).is_empty(),
        "{}",
        auditready::report::diagnostics::render_plain(&diags, &sources)
    );
    let program = program.expect("program");
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let specs: Vec<_> = program.datasets.iter().map(|d| d.spec.clone()).collect();
    let tables = evidence::load_all(&specs, dir.path(), &NoProgress);
    let inputs: Vec<DatasetInput<'_>> = tables
        .iter()
        .map(|t| match t {
            Ok(table) => DatasetInput {
                rows: Some(table as &dyn Located),
                error: None,
                file: Some(FileFacts::default()),
            },
            Err(e) => DatasetInput {
                rows: None,
                error: Some(format!("[{}] {e}", e.code())),
                file: None,
            },
        })
        .collect();
    eval::run(
        &program,
        &sources,
        &inputs,
        &RunOptions {
            as_of: auditready::value::date_to_micros(
                auditready::syntax::literal::parse_date("2026-11-22").unwrap(),
            ),
            standards: Vec::new(),
            params: Vec::new(),
            max_findings: 100,
        },
    )
}

fn req<'r>(report: &'r RunReport, id: &str) -> &'r RequirementReport {
    report
        .requirements
        .iter()
        .find(|r| r.id == id)
        .expect("requirement")
}

fn load_text(spec: &DatasetSpec, name: &str, bytes: &[u8]) -> Result<Table, LoadError> {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), bytes).unwrap();
    evidence::load(spec, dir.path(), &NoProgress)
}

fn one_field(source: &str, ty: Type, format: Option<&str>) -> DatasetSpec {
    let mut field = FieldSpec::new("v", ty, "v");
    if let Some(f) = format {
        field = field.format(f);
    }
    DatasetSpec::new("d", source).field(field)
}

fn csv_value(ty: Type, format: Option<&str>, cell: &str) -> Result<Value<'static>, String> {
    let spec = one_field("d.csv", ty, format);
    match load_text(&spec, "d.csv", format!("v\n\"{cell}\"\n").as_bytes()) {
        Ok(t) => Ok(t.value(0, 0).into_owned()),
        Err(e) => Err(format!("[{}] {e}", e.code())),
    }
}

fn expect_code(r: Result<Value<'static>, String>, code: &str) {
    match r {
        Err(e) => assert!(e.starts_with(&format!("[{code}]")), "{e}"),
        Ok(v) => panic!("expected {code}, loaded {v:?}"),
    }
}

/// Runs `f` on a thread with a 2 MiB stack, the size of rayon's worker threads (where the
/// binary evaluates) and of test threads, so deep recursion crashes here, not in a run.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow or panic")
}

// ---------------------------------------------------------------- rule files

#[test]
fn rule_files_over_the_size_bound_are_refused() {
    let bytes = vec![b'#'; auditready::source::MAX_RULE_FILE_BYTES + 1];
    let err = auditready::project::rule_text(bytes).unwrap_err();
    assert_eq!(err.code.as_str(), "S004");
    let ok = vec![b' '; auditready::source::MAX_RULE_FILE_BYTES];
    assert!(auditready::project::rule_text(ok).is_ok());
}

fn deep(open: &str, middle: &str, close: &str, n: usize) -> String {
    format!("{}{middle}{}", open.repeat(n), close.repeat(n))
}

/// Writes an expression nested `n` levels deep.
type Shape = Box<dyn Fn(usize) -> String>;

/// Expressions nested as deep as the bound allows parse, check and evaluate; one level
/// more is the S002 error, at any depth (10 000 levels) and for every way to nest.
#[test]
fn expression_nesting_is_bounded_for_every_construct() {
    let max = auditready::syntax::scan::MAX_DEPTH;
    let shapes: Vec<(&str, Shape)> = vec![
        ("parens", Box::new(|n| deep("(", "1", ")", n) + " == 1")),
        ("not", Box::new(|n| format!("{}true", "not ".repeat(n)))),
        ("neg", Box::new(|n| format!("{}1 == 1", "-".repeat(n)))),
        ("neg spaced", Box::new(|n| format!("{}1 == 1", "- ".repeat(n)))),
        (
            "lists",
            Box::new(|n| format!("len({}) == 1", deep("[", "\"a\"", "]", n))),
        ),
        (
            "calls",
            Box::new(|n| format!("{} == \"a\"", deep("lower(", "\"A\"", ")", n))),
        ),
        ("sum chain", Box::new(|n| format!("1{} == 1", " + 0".repeat(n)))),
        (
            "and chain",
            Box::new(|n| format!("true{}", " and true".repeat(n))),
        ),
        (
            "quantifiers",
            Box::new(|n| {
                let mut s = String::from("true");
                for i in (0..n).rev() {
                    s = format!("all x{i} in [\"a\"]: {s}");
                }
                s
            }),
        ),
        ("fields", Box::new(|n| format!("as_of{} is none", ".x".repeat(n)))),
    ];
    for (name, shape) in &shapes {
        for n in [max + 1, 10_000] {
            let text = format!(
                "requirement r.deep {{\n  title \"t\"\n  clauses iso27001:10.2\n  severity major\n  expect {}\n}}\n",
                shape(n)
            );
            let diags = on_small_stack(move || check(&text).2);
            let codes = codes(&diags);
            assert!(
                codes.contains(&"S002") || codes.contains(&"S001"),
                "{name} × {n}: {codes:?}"
            );
        }
    }
    // Within the bound, in the binary's real configuration: parse, check and evaluate.
    for (name, shape) in shapes {
        // A quantifier counts two levels: its opener and its list's brackets.
        let n = if name == "quantifiers" {
            max / 2 - 8
        } else {
            max - 8
        };
        let text = format!(
            "requirement r.deep {{\n  title \"t\"\n  clauses iso27001:10.2\n  severity major\n  expect {}\n}}\n",
            shape(n)
        );
        let report = on_small_stack(move || {
            let (program, _, diags) = check(&text);
            if program.is_none() || !codes(&diags).is_empty() {
                return Err(format!("{:?}", codes(&diags)));
            }
            Ok(evaluate(&text, &[]).requirements[0].outcome)
        });
        match (name, report) {
            // `as_of.x` is not a field access on a record, and lists hold text only:
            // type errors, not crashes.
            ("fields" | "lists", Err(_)) => {}
            (_, Ok(o)) => assert!(matches!(o, Outcome::Pass | Outcome::Fail), "{name}: {o:?}"),
            (_, Err(e)) => panic!("{name} × {n}: {e}"),
        }
    }
}

#[test]
fn regex_patterns_are_bounded_and_never_backtrack() {
    // A pattern whose compiled program exceeds the size bound is a C206 error.
    let (_, _, diags) = check(
        r#"
dataset d "D" { source "d.csv" field s : text }
requirement r.re { title "t" clauses iso27001:10.2 severity major expect all x in d: x.s matches "(\\w{1000}){1000}" }
"#,
    );
    assert!(codes(&diags).contains(&"C206"), "{:?}", codes(&diags));
    // The classic catastrophic-backtracking pattern runs in linear time on a 64 KiB value.
    let value = format!("{}!", "a".repeat(64 * 1024));
    let csv = format!("s\n{value}\n");
    let started = Instant::now();
    let report = evaluate(
        r#"
dataset d "D" { source "d.csv" field s : text }
requirement r.re { title "t" clauses iso27001:10.2 severity major expect all x in d: x.s matches "^(a+)+$" }
"#,
        &[("d.csv", &csv)],
    );
    assert_eq!(req(&report, "r.re").outcome, Outcome::Fail);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn literals_out_of_range_are_errors() {
    for (literal, why) in [
        ("99999999999999999999", "integer"),
        ("2026-02-30", "30 February"),
        ("2026-13-01", "month 13"),
        ("2026-02-29", "not a leap year"),
        ("2026-11-22T24:00:00Z", "hour 24"),
        ("99999999999999999999d", "duration"),
        ("30000000w", "duration beyond 292 000 years"),
        ("99999999999 months", "calendar span"),
        ("2147483647 months", "calendar span beyond 10 000 years"),
        ("10001 years", "calendar span beyond 10 000 years"),
    ] {
        let (_, _, diags) = check(&format!("param p = {literal}\n"));
        assert_eq!(codes(&diags), ["S005"], "{literal} ({why})");
    }
    // The leap day of a leap year is fine.
    let (_, _, diags) = check("param p = 2028-02-29\n");
    assert!(codes(&diags).is_empty());
}

// ---------------------------------------------------------------- evidence values

#[test]
fn huge_numbers_are_load_errors_not_wrapped_or_infinite() {
    expect_code(csv_value(Type::Int, None, "99999999999999999999"), "D406");
    expect_code(csv_value(Type::Int, None, "-9223372036854775809"), "D406");
    assert_eq!(
        csv_value(Type::Int, None, "9223372036854775807"),
        Ok(Value::Int(i64::MAX))
    );
    for n in ["1e400", "-1e400", "NaN", "inf", "Infinity"] {
        expect_code(csv_value(Type::Number, None, n), "D406");
    }
    expect_code(csv_value(Type::Percent, None, "1e400%"), "D406");
    let spec = one_field("d.json", Type::Number, None);
    let err = load_text(&spec, "d.json", br#"[{"v": 1e400}]"#).unwrap_err();
    assert!(matches!(err.code(), "D406" | "D410"), "{err}");
    let spec = one_field("d.json", Type::Int, None);
    let err = load_text(&spec, "d.json", br#"[{"v": 123456789012345678901234567890}]"#).unwrap_err();
    assert!(matches!(err.code(), "D406" | "D410"), "{err}");
}

#[test]
fn out_of_range_dates_are_load_errors() {
    for cell in [
        "99999-01-01",
        "2026-02-30",
        "2026-00-10",
        "0000-12-31",
        "2027-02-29",
        "+002026-01-01",
    ] {
        expect_code(csv_value(Type::Date, None, cell), "D406");
    }
    expect_code(csv_value(Type::Date, Some("%d/%m/%Y"), "30/02/2026"), "D406");
    expect_code(
        csv_value(Type::DateTime, Some("%d/%m/%Y %H:%M"), "01/01/99999 10:00"),
        "D406",
    );
    expect_code(csv_value(Type::DateTime, None, "2026-11-22T25:00:00Z"), "D406");
    expect_code(
        csv_value(Type::DateTime, None, "2026-11-22T10:00:00+25:00"),
        "D406",
    );
    expect_code(
        csv_value(Type::DateTime, Some("%s"), "99999999999999999999"),
        "D406",
    );
    assert_eq!(
        csv_value(Type::Date, None, "2028-02-29"),
        Ok(Value::Date(
            auditready::syntax::literal::parse_date("2028-02-29").unwrap()
        ))
    );
}

fn instant(s: &str) -> Value<'static> {
    Value::DateTime(s.parse::<jiff::Timestamp>().unwrap().as_microsecond())
}

/// Europe/Helsinki: on 2026-03-29 clocks jump from 03:00 to 04:00; on 2026-10-25 they fall
/// back from 04:00 to 03:00, so 03:30 happens twice. Policy: a time in the gap is shifted
/// forward by the gap's length; a time in the overlap takes the earlier instant (summer
/// time). Both are counted in the file's notes.
#[test]
fn daylight_saving_gaps_and_overlaps_follow_the_declared_policy() {
    let spec = DatasetSpec {
        timezone: Some("Europe/Helsinki".into()),
        ..DatasetSpec::new("d", "d.csv")
    }
    .field(FieldSpec::new("v", Type::DateTime, "v").format("%Y-%m-%d %H:%M"));
    let t = load_text(
        &spec,
        "d.csv",
        b"v\n2026-03-29 03:30\n2026-10-25 03:30\n2026-10-25 04:30\n2026-06-01 12:00\n",
    )
    .unwrap();
    // Gap: 03:30 does not exist; read as 04:30 EEST (+03:00) = 01:30Z.
    assert_eq!(t.value(0, 0).into_owned(), instant("2026-03-29T01:30:00Z"));
    // Overlap: 03:30 EEST (+03:00) = 00:30Z, the earlier of 00:30Z and 01:30Z.
    assert_eq!(t.value(0, 1).into_owned(), instant("2026-10-25T00:30:00Z"));
    assert_eq!(t.value(0, 2).into_owned(), instant("2026-10-25T02:30:00Z"));
    assert_eq!(t.value(0, 3).into_owned(), instant("2026-06-01T09:00:00Z"));
    let notes = t.file().notes.join("\n");
    assert!(notes.contains("daylight-saving gap"), "{notes}");
    assert!(notes.contains("daylight-saving overlap"), "{notes}");
}

#[test]
fn a_leap_second_is_read_as_the_second_before_and_noted() {
    for (source, bytes) in [
        ("d.csv", &b"v\n2016-12-31T23:59:60Z\n"[..]),
        ("d.json", &br#"[{"v": "2016-12-31T23:59:60Z"}]"#[..]),
        ("d.jsonl", &b"{\"v\": \"2016-12-31T23:59:60Z\"}\n"[..]),
    ] {
        let spec = one_field(source, Type::DateTime, None);
        let t = load_text(&spec, source, bytes).unwrap_or_else(|e| panic!("{source}: {e}"));
        assert_eq!(
            t.value(0, 0).into_owned(),
            instant("2016-12-31T23:59:59Z"),
            "{source}"
        );
        assert!(t.file().notes.join(" ").contains("leap second"), "{source}");
    }
    // Only at the end of a minute's last second: 23:59:61 and 12:30:60 are not times.
    expect_code(csv_value(Type::DateTime, None, "2016-12-31T23:59:61Z"), "D406");
}

#[test]
fn durations_that_overflow_are_load_errors() {
    for unit in [evidence::DurationUnit::Seconds, evidence::DurationUnit::Days] {
        let spec = DatasetSpec::new("d", "d.csv").field(FieldSpec::new("v", Type::Duration, "v").unit(unit));
        let err = load_text(&spec, "d.csv", b"v\n99999999999999999999\n").unwrap_err();
        assert_eq!(err.code(), "D406", "{err}");
        let err = load_text(&spec, "d.csv", b"v\n1e300\n").unwrap_err();
        assert_eq!(err.code(), "D406", "{err}");
    }
}

#[test]
fn cells_over_the_size_bound_are_refused() {
    let big = "x".repeat(evidence::MAX_CELL_BYTES + 1);
    let spec = one_field("d.csv", Type::Text, None);
    let err = load_text(&spec, "d.csv", format!("v\n{big}\n").as_bytes()).unwrap_err();
    assert_eq!(err.code(), "D413", "{err}");
    let spec = one_field("d.json", Type::Text, None);
    let err = load_text(&spec, "d.json", format!("[{{\"v\": \"{big}\"}}]").as_bytes()).unwrap_err();
    assert_eq!(err.code(), "D413", "{err}");
    let spec = one_field("d.jsonl", Type::Text, None);
    let err = load_text(&spec, "d.jsonl", format!("{{\"v\": \"{big}\"}}\n").as_bytes()).unwrap_err();
    assert_eq!(err.code(), "D413", "{err}");
    // A header line over its bound.
    let header = format!("v,{}\n1,2\n", "h".repeat(evidence::MAX_HEADER_BYTES + 1));
    let spec = one_field("d.csv", Type::Text, None);
    let err = load_text(&spec, "d.csv", header.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "D413", "{err}");
    // Exactly at the bound is fine.
    let at = "y".repeat(evidence::MAX_CELL_BYTES);
    let spec = one_field("d.csv", Type::Text, None);
    let t = load_text(&spec, "d.csv", format!("v\n{at}\n").as_bytes()).unwrap();
    assert_eq!(t.file().rows, 1);
}

/// JSON nesting: a value nested past the bound where a field is read is refused (D411,
/// or D406 when the nesting is not a value of the field's type); nesting under keys no
/// field reads is skipped without recursion. Neither may overflow the stack, at any depth.
#[test]
fn json_nesting_is_bounded_without_recursion() {
    let max = evidence::MAX_JSON_DEPTH;
    for depth in [max + 1, 100_000] {
        let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        for source in ["d.json", "d.jsonl"] {
            let record = |v: &str, x: &str| format!("{{\"v\": {v}, \"x\": {x}}}");
            let (read, skipped) = if source == "d.json" {
                (
                    format!("[{}]", record(&nested, "1")),
                    format!("[{}]", record("\"a\"", &nested)),
                )
            } else {
                (
                    format!("{}\n", record(&nested, "1")),
                    format!("{}\n", record("\"a\"", &nested)),
                )
            };
            let spec = one_field(source, Type::Text, None);
            let result = on_small_stack(move || {
                (
                    load_text(&spec, source, read.as_bytes()).map(|t| t.file().rows),
                    load_text(&spec, source, skipped.as_bytes()).map(|t| t.file().rows),
                )
            });
            let err = result.0.unwrap_err();
            assert!(
                matches!(err.code(), "D411" | "D406"),
                "{source} depth {depth}: {err}"
            );
            match result.1 {
                Ok(rows) => assert_eq!(rows, 1),
                Err(e) => assert_eq!(e.code(), "D411", "{source} depth {depth}: {e}"),
            }
        }
    }
    // A declared path under the bound is read.
    let spec = DatasetSpec::new("d", "d.json").field(FieldSpec::new("v", Type::Text, "a.b.c"));
    let t = load_text(&spec, "d.json", br#"[{"a": {"b": {"c": "deep"}}}]"#).unwrap();
    assert_eq!(t.value(0, 0).to_string(), "deep");
}

// ---------------------------------------------------------------- evaluation

const NUMBERS: &str = r#"
dataset d "D" {
  source "d.csv"
  field k : text key
  field n : int
  field w : duration unit d
  field x : number
}
"#;

#[test]
fn sum_overflow_is_an_error_not_a_pass() {
    let rules = format!(
        "{NUMBERS}
requirement r.sum {{ title \"t\" clauses iso27001:10.2 severity major expect (sum e in d: e.n) > 0 }}
requirement r.dur {{ title \"t\" clauses iso27001:10.2 severity major expect (sum e in d: e.w) > 0d }}
requirement r.avg {{ title \"t\" clauses iso27001:10.2 severity major expect (avg e in d: e.n) > 0 }}
"
    );
    let report = evaluate(
        &rules,
        &[(
            "d.csv",
            "k,n,w,x\nA,9223372036854775807,100000000,1\nB,1,100000000,1\nC,5,100000000,1\n",
        )],
    );
    assert_eq!(req(&report, "r.sum").outcome, Outcome::Error);
    assert!(
        req(&report, "r.sum").errors[0].contains("R501"),
        "{:?}",
        req(&report, "r.sum").errors
    );
    assert_eq!(req(&report, "r.dur").outcome, Outcome::Error);
    // An average is computed in floating point and does not overflow.
    assert_eq!(req(&report, "r.avg").outcome, Outcome::Pass);
}

#[test]
fn arithmetic_overflow_in_an_expect_is_an_error() {
    let rules = format!(
        "{NUMBERS}
param big = 100000w
requirement r.mul {{ title \"t\" clauses iso27001:10.2 severity major expect all e in d: e.n * e.n > 0 }}
requirement r.neg {{ title \"t\" clauses iso27001:10.2 severity major expect all e in d: -e.n < 0 or e.n == 0 }}
requirement r.date {{ title \"t\" clauses iso27001:10.2 severity major expect all e in d: as_of + e.w * 1000 > as_of }}
requirement r.abs {{ title \"t\" clauses iso27001:10.2 severity major expect all e in d: abs(e.n - 1) >= 0 }}
requirement r.months {{ title \"t\" clauses iso27001:10.2 severity major expect as_of + 10000 years > as_of }}
requirement r.months2 {{ title \"t\" clauses iso27001:10.2 severity major expect as_of - 10000 years - 10000 years < as_of }}
requirement r.big {{ title \"t\" clauses iso27001:10.2 severity major expect all e in d: as_of + big * e.n > as_of }}
"
    );
    let report = evaluate(
        &rules,
        &[("d.csv", "k,n,w,x\nA,-9223372036854775808,100000000,1\n")],
    );
    for id in [
        "r.mul",
        "r.neg",
        "r.date",
        "r.abs",
        "r.months",
        "r.months2",
        "r.big",
    ] {
        let o = req(&report, id).outcome;
        assert!(matches!(o, Outcome::Error), "{id}: {o:?}");
    }
}

#[test]
fn share_and_aggregates_over_nothing_are_no_evidence() {
    let rules = format!(
        "{NUMBERS}
requirement r.share {{ title \"t\" clauses iso27001:10.2 severity major expect (share e in d where e.n > 100: e.x > 0) >= 95% }}
requirement r.avg {{ title \"t\" clauses iso27001:10.2 severity major expect (avg e in d where e.n > 100: e.x) < 5 }}
requirement r.sum {{ title \"t\" clauses iso27001:10.2 severity major expect (sum e in d where e.n > 100: e.n) < 5 }}
requirement r.max {{ title \"t\" clauses iso27001:10.2 severity major expect (max e in d where e.n > 100: e.w) < 5d }}
requirement r.p90 {{ title \"t\" clauses iso27001:10.2 severity major expect (p90 e in d where e.n > 100: e.x) < 5 }}
requirement r.grouped {{ title \"t\" clauses iso27001:10.2 severity major
  metric m = share e in d where e.n > 100 by e.k: e.x > 0
  expect m >= 95% }}
"
    );
    let report = evaluate(&rules, &[("d.csv", "k,n,w,x\nA,1,1,1\nB,2,2,2\n")]);
    for id in ["r.share", "r.avg", "r.sum", "r.max", "r.p90", "r.grouped"] {
        assert_eq!(req(&report, id).outcome, Outcome::NoEvidence, "{id}");
    }
}

#[test]
fn evaluation_of_a_deep_program_runs_on_the_binary_stacks() {
    // The binary evaluates on rayon worker threads: a deep but allowed program through
    // `auditready run` must not overflow their stacks.
    let max = auditready::syntax::scan::MAX_DEPTH;
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    fs::create_dir_all(&rules).unwrap();
    fs::write(rules.join("catalog.rules"), CATALOG).unwrap();
    // Nested quantifiers over one element each: evaluation time multiplies with every
    // level, so a deep nest over real datasets is slow by design (docs/security.md).
    let mut quant = String::from("e.n >= 0 and len(x0) == 1");
    for i in (0..max / 8).rev() {
        quant = format!("all x{i} in [\"a\"]: ({quant})");
    }
    let quant = format!("all e in d: {quant}");
    let parens = deep("(", "e.n", ")", max - 8);
    fs::write(
        rules.join("deep.rules"),
        format!(
            "{NUMBERS}
requirement r.q {{ title \"t\" clauses iso27001:10.2 severity major expect {quant} }}
requirement r.p {{ title \"t\" clauses iso27001:10.2 severity major expect all e in d: {parens} >= 0 }}
requirement r.n {{ title \"t\" clauses iso27001:10.2 severity major expect all e in d: {}e.n >= 0 }}
",
            "- - ".repeat(max / 2 - 8)
        ),
    )
    .unwrap();
    let evidence = dir.path().join("evidence");
    fs::create_dir_all(&evidence).unwrap();
    fs::write(evidence.join("d.csv"), "k,n,w,x\nA,1,1,1\nB,2,2,2\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_auditready"))
        .arg("run")
        .arg("--rules")
        .arg(&rules)
        .arg("--evidence")
        .arg(&evidence)
        .args(["--as-of", "2026-11-22", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for r in json["requirements"].as_array().unwrap() {
        assert_eq!(r["outcome"], "pass", "{}", r["id"]);
    }
}

/// Runs `auditready run` on one rule file and one CSV export; returns the exit code and
/// the JSON report.
fn run_binary(rules: &str, csv: &str) -> (Option<i32>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let rules_dir = dir.path().join("rules");
    let evidence = dir.path().join("evidence");
    fs::create_dir_all(&rules_dir).unwrap();
    fs::create_dir_all(&evidence).unwrap();
    fs::write(rules_dir.join("catalog.rules"), CATALOG).unwrap();
    fs::write(rules_dir.join("r.rules"), rules).unwrap();
    fs::write(evidence.join("t.csv"), csv).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_auditready"))
        .arg("run")
        .arg("--rules")
        .arg(&rules_dir)
        .arg("--evidence")
        .arg(&evidence)
        .args(["--as-of", "2026-11-22", "--format", "json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), json)
}

fn requirement<'j>(json: &'j serde_json::Value, id: &str) -> &'j serde_json::Value {
    json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("`{id}` not in {json}"))
}

const TWO_DURATIONS: &str = r#"
dataset t "Two durations" {
  source "t.csv"
  field k : text key
  field a : duration unit s
  field b : duration unit s
}
"#;

#[test]
fn dates_moved_outside_years_1_to_9999_are_errors_through_the_binary() {
    // Found by an audit: `as_of - x.a - x.b` fits in 64 bits but lies in year −234 000,
    // and `date()` of it compared as later than `as_of`, so the gate said `ready`.
    let rules = format!(
        "{TWO_DURATIONS}
requirement r.sub {{ title \"t\" clauses iso27001:10.2 severity major
  expect all x in t: date(as_of - x.a - x.b) > as_of }}
requirement r.years {{ title \"t\" clauses iso27001:10.2 severity major
  expect as_of - 5000 years < as_of }}
requirement r.years_up {{ title \"t\" clauses iso27001:10.2 severity major
  expect as_of + 7974 years > as_of }}
requirement r.date {{ title \"t\" clauses iso27001:10.2 severity major
  expect date(as_of) - 2026 years < date(as_of) }}
requirement r.shift {{ title \"t\" clauses iso27001:10.2 severity major
  expect all x in t: as_of + x.a > as_of }}
requirement r.ok {{ title \"t\" clauses iso27001:10.2 severity major
  expect as_of - 2025 years < as_of and as_of + 7973 years > as_of }}
"
    );
    let (code, json) = run_binary(&rules, "k,a,b\nA,4612583669427,4612583669427\n");
    assert_eq!(code, Some(1), "the gate fails: {json}");
    assert_ne!(json["summary"]["verdict"], "ready", "{json}");
    for (id, names) in [
        ("r.sub", "2026-11-22T00:00:00Z - 53386385d "),
        ("r.years", "2026-11-22T00:00:00Z - 5000 years"),
        ("r.years_up", "2026-11-22T00:00:00Z + 7974 years"),
        ("r.date", "2026-11-22 - 2026 years"),
        ("r.shift", "2026-11-22T00:00:00Z + "),
    ] {
        let r = requirement(&json, id);
        assert_eq!(r["outcome"], "error", "{id}: {r}");
        let errors = r["errors"].to_string();
        assert!(errors.contains("R501"), "{id}: {errors}");
        assert!(errors.contains("out of range"), "{id}: {errors}");
        assert!(errors.contains("0001-01-01 to 9999-12-31"), "{id}: {errors}");
        assert!(errors.contains(names), "{id} names the operation: {errors}");
    }
    // Errors raised for a record name it.
    for id in ["r.sub", "r.shift"] {
        let errors = requirement(&json, id)["errors"].to_string();
        assert!(errors.contains("in record `A` (t.csv, line 2)"), "{id}: {errors}");
    }
    // The edges themselves are fine: year 1 and year 9999.
    assert_eq!(requirement(&json, "r.ok")["outcome"], "pass");
}

#[test]
fn a_failing_duration_never_prints_like_a_passing_one() {
    let rules = format!(
        "{TWO_DURATIONS}
requirement r.day {{ title \"t\" clauses iso27001:10.2 severity major
  expect all x in t: x.a <= 24h }}
"
    );
    let (code, json) = run_binary(&rules, "k,a,b\nA,86427,0\nB,86400,0\n");
    assert_eq!(code, Some(1));
    let r = requirement(&json, "r.day");
    assert_eq!(r["outcome"], "fail");
    let findings = r["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{r}");
    let finding = findings[0].to_string();
    assert!(finding.contains("24h 0min 27s"), "{finding}");
}

#[test]
fn an_aggregate_over_no_record_says_which_population_was_empty() {
    let rules = format!(
        "{NUMBERS}
requirement r.share {{ title \"t\" clauses iso27001:10.2 severity major expect (share e in d where e.n > 100: e.x > 0) >= 95% }}
requirement r.metric {{ title \"t\" clauses iso27001:10.2 severity major
  metric big = avg e in d where e.k == \"Z\": e.x
  expect big < 5 }}
requirement r.blank {{ title \"t\" clauses iso27001:10.2 severity major expect (avg e in d: e.x) < 5 }}
"
    );
    let report = evaluate(&rules, &[("d.csv", "k,n,w,x\nA,1,1,\nB,2,2,\n")]);
    let message = |id: &str| {
        let r = req(&report, id);
        assert_eq!(r.outcome, Outcome::NoEvidence, "{id}");
        r.message.clone()
    };
    assert_eq!(
        message("r.share"),
        "`(share e in d where e.n > 100: e.x > 0) >= 95%` cannot be shown: no record of `d` matches `where e.n > 100`"
    );
    assert_eq!(
        message("r.metric"),
        "`big < 5` cannot be shown: no record of `d` matches `where e.k == \"Z\"`"
    );
    // Records there are, but the value is empty in each.
    assert!(
        message("r.blank").contains("a value it needs is empty"),
        "{}",
        message("r.blank")
    );
}
