//! Generators shared by the fuzz targets (`fuzz/fuzz_targets/*.rs`) and the proptest
//! equivalents (`tests/robustness_props.rs`): both turn a byte string into an input, so a
//! crash found by either is replayed by the other.
//!
//! - [`program`]: a small, mostly well-typed rule program over two datasets, with
//!   quantifiers, joins, aggregates, grouping, metrics, params and waivers, and literals at
//!   the edges of their ranges;
//! - [`rows`]: records for those datasets, with none, extremes and duplicates, evaluated
//!   either in memory or written as CSV and read back through the real loader (so the
//!   compiled column paths, `fast.rs`, `keyed.rs`, `join.rs`, run on them);
//! - [`csv_input`], [`json_input`]: evidence files and the declarations that read them;
//! - [`check_program`], [`evaluate`], [`load`]: the entry points, with the invariants every
//!   target asserts (no panic, never `pass` on an empty dataset, an expired waiver or a
//!   waiver for another record never waives, reports render).

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fmt::Write as _;

use auditready::check::{CheckOptions, Program};
use auditready::eval::memory::MemTable;
use auditready::eval::model::{Outcome, RunReport};
use auditready::eval::{self, DatasetInput, FileFacts, Located, RunOptions};
use auditready::evidence::{self, DatasetSpec, DurationUnit, Encoding, FieldSpec, NoProgress};
use auditready::source::SourceMap;
use auditready::value::{Type, Value};

/// Reads choices from fuzzer bytes; zeros once they run out, so every input is valid.
pub struct Gen<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Gen<'a> {
    pub fn new(bytes: &'a [u8]) -> Gen<'a> {
        Gen { bytes, pos: 0 }
    }

    pub fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub fn exhausted(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// A number in `0..n` (n ≥ 1).
    pub fn below(&mut self, n: usize) -> usize {
        let v = (usize::from(self.byte()) << 8) | usize::from(self.byte());
        v % n.max(1)
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, in_256: u8) -> bool {
        self.byte() < in_256
    }

    pub fn i64(&mut self) -> i64 {
        let mut v = 0i64;
        for _ in 0..8 {
            v = (v << 8) | i64::from(self.byte());
        }
        v
    }
}

/// The types the generator writes expressions of.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    Bool,
    Int,
    Num,
    Text,
    Date,
    DateTime,
    Dur,
    Pct,
    List,
}

const ALL_TYPES: [Ty; 9] = [
    Ty::Bool,
    Ty::Int,
    Ty::Num,
    Ty::Text,
    Ty::Date,
    Ty::DateTime,
    Ty::Dur,
    Ty::Pct,
    Ty::List,
];

/// Field name and type of both generated datasets (same layout).
pub const FIELDS: [(&str, Ty); 10] = [
    ("k", Ty::Text),
    ("s", Ty::Text),
    ("n", Ty::Int),
    ("x", Ty::Num),
    ("d", Ty::Date),
    ("at", Ty::DateTime),
    ("w", Ty::Dur),
    ("p", Ty::Pct),
    ("b", Ty::Bool),
    ("l", Ty::List),
];

pub const DATASETS: [&str; 2] = ["t", "u"];

const HEADER: &str = r#"standard iso "ISO" {
  clause "1" "One"
  clause "2" "Two"
}
"#;

fn dataset_decl(name: &str) -> String {
    let mut s = format!("dataset {name} \"{name}\" {{\n  source \"{name}.csv\"\n");
    for (f, ty) in FIELDS {
        let t = match ty {
            Ty::Bool => "bool",
            Ty::Int => "int",
            Ty::Num => "number",
            Ty::Text => "text",
            Ty::Date => "date",
            Ty::DateTime => "datetime",
            Ty::Dur => "duration unit h",
            Ty::Pct => "percent",
            Ty::List => "list",
        };
        let key = if f == "k" { " key" } else { "" };
        let _ = writeln!(s, "  field {f} : {t}{key}");
    }
    s.push_str("}\n");
    s
}

/// Expression generator state: variables in scope (name, dataset).
struct Expr<'g, 'a> {
    g: &'g mut Gen<'a>,
    scope: Vec<(String, &'static str)>,
    next_var: usize,
    metrics: Vec<(String, Ty)>,
}

impl Expr<'_, '_> {
    fn var(&mut self) -> Option<String> {
        if self.scope.is_empty() {
            return None;
        }
        let i = self.g.below(self.scope.len());
        Some(self.scope[i].0.clone())
    }

    fn field(&mut self, ty: Ty) -> Option<String> {
        let v = self.var()?;
        let names: Vec<&str> = FIELDS.iter().filter(|(_, t)| *t == ty).map(|(n, _)| *n).collect();
        if names.is_empty() {
            return None;
        }
        Some(format!("{v}.{}", self.g.pick(&names)))
    }

    fn text_literal(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a",
            "A",
            "Closed",
            "ü",
            "\\u{1b}[2J",
            "\\\"",
            "\\\\",
            " ",
            "",
            "K1",
            "%",
            "\\n",
        ];
        let n = self.g.below(3);
        let mut s = String::from("\"");
        for _ in 0..n {
            s.push_str(self.g.pick(PIECES));
        }
        s.push('"');
        s
    }

    fn literal(&mut self, ty: Ty) -> String {
        let g = &mut *self.g;
        match ty {
            Ty::Bool => g.pick(&["true", "false"]).into(),
            Ty::Int => g
                .pick(&[
                    "0",
                    "1",
                    "2",
                    "30",
                    "9223372036854775807",
                    "4611686018427387904",
                    "1000000",
                ])
                .into(),
            Ty::Num => g.pick(&["0.5", "1.0", "2.25", "0.0", "1000000000000.0"]).into(),
            Ty::Text => self.text_literal(),
            Ty::Date => g
                .pick(&[
                    "2026-11-22",
                    "2026-02-28",
                    "9999-12-31",
                    "0001-01-01",
                    "2024-02-29",
                    "1970-01-01",
                ])
                .into(),
            Ty::DateTime => g
                .pick(&[
                    "2026-11-22T10:00:00Z",
                    "2026-03-29T03:30:00+03:00",
                    "9999-12-31T23:59:59Z",
                    "0001-01-01T00:00:00Z",
                    "2016-12-31T23:59:59.999999999Z",
                ])
                .into(),
            Ty::Dur => g
                .pick(&[
                    "24h", "30d", "1w", "0s", "1ms", "15min", "100000w", "2d12h", "0.5d",
                ])
                .into(),
            Ty::Pct => g.pick(&["95%", "0%", "100%", "50.5%", "1000%"]).into(),
            Ty::List => {
                let a = self.text_literal();
                let b = self.text_literal();
                format!("[{a}, {b}]")
            }
        }
    }

    fn months(&mut self) -> String {
        self.g
            .pick(&["1 month", "12 months", "2 years", "2147483647 months", "0 months"])
            .into()
    }

    /// A quantifier over a dataset binding a fresh variable; returns (head, var).
    fn quant_head(&mut self, kind: &str) -> (String, String) {
        let d = self.g.pick(&DATASETS);
        let v = format!("v{}", self.next_var);
        self.next_var += 1;
        (format!("{kind} {v} in {d}"), v)
    }

    /// `head [where filter]: body` with `v` in scope for filter and body.
    fn quantifier(&mut self, kind: &str, body: Option<Ty>, depth: usize) -> String {
        let (head, v) = self.quant_head(kind);
        let d = head.rsplit(' ').next().unwrap_or("t");
        let d: &'static str = if d == "u" { "u" } else { "t" };
        self.scope.push((v, d));
        let mut s = head;
        if self.g.chance(140) {
            let f = self.expr(Ty::Bool, depth + 1);
            let _ = write!(s, " where {f}");
        }
        if let Some(ty) = body {
            if ty != Ty::Bool || self.g.chance(220) {
                let b = self.expr(ty, depth + 1);
                let _ = write!(s, ": {b}");
            }
        }
        self.scope.pop();
        format!("({s})")
    }

    fn expr(&mut self, ty: Ty, depth: usize) -> String {
        let leaf = depth > 5 || self.g.exhausted() || self.g.chance(70);
        if leaf {
            if let Some(f) = self.field(ty) {
                if self.g.chance(180) {
                    return f;
                }
            }
            if ty == Ty::DateTime && self.g.chance(60) {
                return "as_of".into();
            }
            if ty == Ty::Int && self.g.chance(40) {
                return "pn".into();
            }
            if let Some((m, _)) = self
                .metrics
                .iter()
                .filter(|(_, t)| *t == ty)
                .cloned()
                .collect::<Vec<_>>()
                .first()
            {
                if self.g.chance(50) {
                    return m.clone();
                }
            }
            if self.g.chance(12) {
                return "none".into();
            }
            return self.literal(ty);
        }
        let d = depth + 1;
        match ty {
            Ty::Bool => match self.g.below(13) {
                0 => {
                    let t = self.g.pick(&ALL_TYPES);
                    let (a, b) = (self.expr(t, d), self.expr(t, d));
                    let op = if matches!(t, Ty::Bool | Ty::List) {
                        self.g.pick(&["==", "!="])
                    } else {
                        self.g.pick(&["==", "!=", "<", "<=", ">", ">="])
                    };
                    format!("{a} {op} {b}")
                }
                1 => {
                    let (a, b) = (self.expr(Ty::Bool, d), self.expr(Ty::Bool, d));
                    format!("({a} {} {b})", self.g.pick(&["and", "or"]))
                }
                2 => format!("not {}", self.expr(Ty::Bool, d)),
                3 => {
                    let t = self.g.pick(&ALL_TYPES);
                    let a = self.expr(t, d);
                    format!("{a} {}", self.g.pick(&["is none", "is not none"]))
                }
                4 => {
                    let (a, l) = (self.expr(Ty::Text, d), self.expr(Ty::List, d));
                    format!("{a} {} {l}", self.g.pick(&["in", "not in"]))
                }
                5 => {
                    let a = self.expr(Ty::Text, d);
                    let b = self.expr(Ty::Text, d);
                    format!("{a} contains {b}")
                }
                6 => {
                    let a = self.expr(Ty::Text, d);
                    let re = self
                        .g
                        .pick(&["^a", "(?i)closed", "^(a+)+$", "[0-9]{2,}", "\\\\d+", ".*"]);
                    format!("{a} matches \"{re}\"")
                }
                7 | 8 => {
                    let kind = self.g.pick(&["all", "any", "no"]);
                    self.quantifier(kind, Some(Ty::Bool), d)
                }
                9 => {
                    // A join: an inner quantifier comparing with an outer variable.
                    let (head, v) = {
                        let c = self.g.pick(&["all", "any", "no"]);
                        self.quant_head(c)
                    };
                    let outer_d: &'static str = if head.ends_with('u') { "u" } else { "t" };
                    self.scope.push((v.clone(), outer_d));
                    let (inner_head, w) = self.quant_head("any");
                    let inner_d: &'static str = if inner_head.ends_with('u') { "u" } else { "t" };
                    let key = self.g.pick(&["k", "s"]);
                    self.scope.push((w.clone(), inner_d));
                    let extra = self.expr(Ty::Bool, d + 1);
                    self.scope.pop();
                    self.scope.pop();
                    format!("({head}: ({inner_head} where lower({w}.{key}) == lower({v}.{key}) and {extra}))")
                }
                10 => format!(
                    "{}({}, {})",
                    self.g.pick(&["starts_with", "ends_with"]),
                    self.expr(Ty::Text, d),
                    self.expr(Ty::Text, d)
                ),
                11 => {
                    let v = self.expr(Ty::Pct, d);
                    format!("{v} >= {}", self.literal(Ty::Pct))
                }
                _ => self.literal(Ty::Bool),
            },
            Ty::Int => match self.g.below(8) {
                0 => {
                    let (a, b) = (self.expr(Ty::Int, d), self.expr(Ty::Int, d));
                    format!("({a} {} {b})", self.g.pick(&["+", "-", "*"]))
                }
                1 => self.quantifier("count", Some(Ty::Bool), d),
                2 => format!("len({})", {
                    let c = self.g.pick(&[Ty::Text, Ty::List]);
                    self.expr(c, d)
                }),
                3 => format!("abs({})", self.expr(Ty::Int, d)),
                4 => {
                    let c = self.g.pick(&["sum", "min", "max"]);
                    self.quantifier(c, Some(Ty::Int), d)
                }
                5 => format!("year({})", self.expr(Ty::Date, d)),
                6 => format!("-{}", self.expr(Ty::Int, d)),
                _ => self.literal(Ty::Int),
            },
            Ty::Num => match self.g.below(7) {
                0 => {
                    let a = {
                        let c = self.g.pick(&[Ty::Int, Ty::Num]);
                        self.expr(c, d)
                    };
                    let b = {
                        let c = self.g.pick(&[Ty::Int, Ty::Num]);
                        self.expr(c, d)
                    };
                    format!("({a} {} {b})", self.g.pick(&["+", "-", "*", "/"]))
                }
                1 => format!(
                    "{}({})",
                    self.g.pick(&["days", "hours", "minutes"]),
                    self.expr(Ty::Dur, d)
                ),
                2 => {
                    let kind = self.g.pick(&["avg", "median", "p90", "p1", "p99", "sum", "max"]);
                    let body = self.g.pick(&[Ty::Num, Ty::Int]);
                    let q = self.quantifier(kind, Some(body), d);
                    if kind == "sum" || kind == "max" {
                        // sum/max of ints is an int: make it a number.
                        format!("({q} * 1.0)")
                    } else {
                        q
                    }
                }
                3 => format!("round({}, {})", self.expr(Ty::Num, d), self.literal(Ty::Int)),
                4 => {
                    let (a, b) = (self.expr(Ty::Dur, d), self.expr(Ty::Dur, d));
                    format!("({a} / {b})")
                }
                _ => self.literal(Ty::Num),
            },
            Ty::Text => match self.g.below(6) {
                0 => format!(
                    "{}({})",
                    self.g.pick(&["lower", "upper", "trim"]),
                    self.expr(Ty::Text, d)
                ),
                1 => {
                    let (a, b) = (self.expr(Ty::Text, d), self.expr(Ty::Text, d));
                    format!("({a} + {b})")
                }
                2 => format!("{}({})", self.g.pick(&["month", "quarter"]), {
                    let c = self.g.pick(&[Ty::Date, Ty::DateTime]);
                    self.expr(c, d)
                }),
                3 => format!("coalesce({}, {})", self.expr(Ty::Text, d), self.expr(Ty::Text, d)),
                _ => self.literal(Ty::Text),
            },
            Ty::Date => match self.g.below(4) {
                0 => format!("date({})", self.expr(Ty::DateTime, d)),
                1 => {
                    let a = self.expr(Ty::Date, d);
                    let m = self.months();
                    format!("({a} {} {m})", self.g.pick(&["+", "-"]))
                }
                2 => {
                    let c = self.g.pick(&["min", "max"]);
                    self.quantifier(c, Some(Ty::Date), d)
                }
                _ => self.literal(Ty::Date),
            },
            Ty::DateTime => match self.g.below(5) {
                0 => {
                    let (a, b) = (self.expr(Ty::DateTime, d), self.expr(Ty::Dur, d));
                    format!("({a} {} {b})", self.g.pick(&["+", "-"]))
                }
                1 => {
                    let a = self.expr(Ty::DateTime, d);
                    let m = self.months();
                    format!("({a} {} {m})", self.g.pick(&["+", "-"]))
                }
                2 => {
                    let c = self.g.pick(&["min", "max"]);
                    self.quantifier(c, Some(Ty::DateTime), d)
                }
                3 => "as_of".into(),
                _ => self.literal(Ty::DateTime),
            },
            Ty::Dur => match self.g.below(7) {
                0 => {
                    let (a, b) = (self.expr(Ty::DateTime, d), self.expr(Ty::DateTime, d));
                    format!("({a} - {b})")
                }
                1 => {
                    let (a, b) = (self.expr(Ty::Date, d), self.expr(Ty::Date, d));
                    format!("({a} - {b})")
                }
                2 => {
                    let (a, b) = (self.expr(Ty::Dur, d), self.expr(Ty::Dur, d));
                    format!("({a} {} {b})", self.g.pick(&["+", "-"]))
                }
                3 => {
                    let (a, b) = (self.expr(Ty::Dur, d), {
                        let c = self.g.pick(&[Ty::Int, Ty::Num]);
                        self.expr(c, d)
                    });
                    format!("({a} {} {b})", self.g.pick(&["*", "/"]))
                }
                4 => {
                    let c = self.g.pick(&["sum", "min", "max", "avg", "median", "p95"]);
                    self.quantifier(c, Some(Ty::Dur), d)
                }
                5 => format!("abs({})", self.expr(Ty::Dur, d)),
                _ => self.literal(Ty::Dur),
            },
            Ty::Pct => match self.g.below(3) {
                0 => self.quantifier("share", Some(Ty::Bool), d),
                1 => {
                    let (a, b) = (self.expr(Ty::Pct, d), self.expr(Ty::Pct, d));
                    format!("({a} {} {b})", self.g.pick(&["+", "-"]))
                }
                _ => self.literal(Ty::Pct),
            },
            Ty::List => self.literal(Ty::List),
        }
    }
}

/// A rule program from fuzzer bytes.
pub fn program(g: &mut Gen<'_>) -> String {
    let mut s = String::from(HEADER);
    for d in DATASETS {
        s.push_str(&dataset_decl(d));
    }
    let pn = g.pick(&["0", "1", "30", "9223372036854775807"]);
    let _ = writeln!(s, "param pn = {pn}");
    let requirements = 1 + g.below(3);
    for r in 0..requirements {
        let _ = writeln!(
            s,
            "requirement r.r{r} {{\n  title \"t\"\n  clauses iso:1\n  severity major"
        );
        if g.chance(40) {
            s.push_str("  allow empty\n");
        }
        let mut e = Expr {
            g: &mut *g,
            scope: Vec::new(),
            next_var: 0,
            metrics: Vec::new(),
        };
        let metrics = e.g.below(3);
        for m in 0..metrics {
            let name = format!("m{m}");
            if e.g.chance(90) {
                // A grouped metric, and an expect on it.
                let kind = e.g.pick(&["share", "count", "avg", "all", "max"]);
                let (head, v) = e.quant_head(kind);
                let d: &'static str = if head.ends_with('u') { "u" } else { "t" };
                e.scope.push((v.clone(), d));
                let keys = [
                    format!("{v}.s"),
                    format!("month({v}.at)"),
                    format!("{v}.k"),
                    format!("{v}.b"),
                ];
                let key = keys[e.g.below(keys.len())].clone();
                let kind = head.split(' ').next().unwrap_or("share").to_string();
                let body_ty = match kind.as_str() {
                    "avg" => Ty::Num,
                    "max" => Ty::Dur,
                    _ => Ty::Bool,
                };
                let body = e.expr(body_ty, 2);
                e.scope.pop();
                let _ = writeln!(s, "  metric {name} = {head} by {key}: {body}");
                let target = match kind.as_str() {
                    "share" => "95%",
                    "count" => "1",
                    "avg" => "1.5",
                    "max" => "30d",
                    _ => "true",
                };
                let op = e.g.pick(&[">=", "<=", "=="]);
                let _ = writeln!(s, "  expect {name} {op} {target}");
            } else {
                let ty = e.g.pick(&ALL_TYPES);
                let body = e.expr(ty, 0);
                let _ = writeln!(s, "  metric {name} = {body}");
                e.metrics.push((name, ty));
            }
        }
        let expects = 1 + e.g.below(2);
        for _ in 0..expects {
            let body = if e.g.chance(160) {
                let kind = e.g.pick(&["all", "no", "any"]);
                e.quantifier(kind, Some(Ty::Bool), 0)
            } else {
                e.expr(Ty::Bool, 0)
            };
            let _ = writeln!(s, "  expect {body}");
        }
        s.push_str("}\n");
    }
    if g.chance(100) {
        let key = g.pick(&["K1", "K2", "", "k\\u{1b}"]);
        // As of 2025-11-22: two expired dates (the day before, long ago), the last day a
        // waiver still applies, and a later one.
        let expires = g.pick(&["2027-01-01", "2025-11-21", "2025-11-22", "2024-01-01"]);
        let records = if g.chance(128) {
            format!("  records \"{key}\"\n")
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "waiver W-1 {{\n  requirement r.r0\n{records}  reason \"r\"\n  approved_by \"a\"\n  expires {expires}\n}}"
        );
    }
    s
}

fn value(g: &mut Gen<'_>, ty: Ty) -> Value<'static> {
    if g.chance(30) {
        return Value::None;
    }
    match ty {
        Ty::Bool => Value::Bool(g.chance(128)),
        Ty::Int => Value::Int(g.pick(&[0, 1, -1, 2, 30, i64::MAX, i64::MIN, 1 << 40, -(1 << 40)])),
        Ty::Num => Value::Number(g.pick(&[0.0, 0.5, -2.5, 1e15, -1e300, 1e300, f64::MIN_POSITIVE])),
        Ty::Text => Value::Text(
            g.pick(&[
                "K1",
                "K2",
                "a",
                "A",
                "Closed",
                "",
                " ",
                "ü",
                "\u{1b}[2J",
                "k\u{1b}",
            ])
            .to_string()
            .into(),
        ),
        Ty::Date => Value::Date(g.pick(&[0, 20_000, 20_414, -719_162, 2_932_896, -1])),
        Ty::DateTime => Value::DateTime(g.pick(&[
            0,
            1_763_800_000_000_000,
            1_795_000_000_000_000,
            253_402_300_799_999_999,
            -62_135_596_800_000_000,
            i64::MAX / 4,
        ])),
        Ty::Dur => Value::Duration(g.pick(&[0, 3_600_000_000, 86_400_000_000, -1, i64::MAX / 2, i64::MAX])),
        Ty::Pct => Value::Percent(g.pick(&[0.0, 95.0, 100.0, 50.5, 1e300])),
        Ty::List => Value::List(vec!["a".into(), g.pick(&["b", "", "Closed"]).into()]),
    }
}

/// Records for both datasets; some runs leave a dataset empty.
pub fn rows(g: &mut Gen<'_>) -> Vec<Vec<Vec<Value<'static>>>> {
    DATASETS
        .iter()
        .map(|_| {
            let n = g.below(6);
            (0..n)
                .map(|_| FIELDS.iter().map(|(_, ty)| value(g, *ty)).collect())
                .collect()
        })
        .collect()
}

/// Parses and checks rule text; never panics (that is what is being tested).
pub fn check_program(text: &str) -> (SourceMap, Option<Program>) {
    let mut sources = SourceMap::new();
    sources.add_text("gen.rules", text);
    let (files, mut diags) = auditready::syntax::parse_all(&sources);
    let (program, d) = auditready::check::check(&files, CheckOptions { today: None });
    diags.extend(d);
    // Rendering every diagnostic must not panic either.
    let _ = auditready::report::diagnostics::render_plain(&diags, &sources);
    let program = if diags.iter().any(|d| d.is_error()) {
        None
    } else {
        program
    };
    (sources, program)
}

/// Evaluates a checked program on in-memory records and asserts the invariants.
pub fn evaluate(sources: &SourceMap, program: &Program, tables: &[Vec<Vec<Value<'static>>>]) -> RunReport {
    let mems: Vec<MemTable> = program
        .datasets
        .iter()
        .enumerate()
        .map(|(i, _)| MemTable::new(tables.get(i).cloned().unwrap_or_default()))
        .collect();
    let inputs: Vec<DatasetInput<'_>> = mems
        .iter()
        .map(|m| DatasetInput {
            rows: Some(m as &dyn Located),
            error: None,
            file: Some(FileFacts::default()),
        })
        .collect();
    let empty: Vec<bool> = (0..program.datasets.len())
        .map(|i| tables.get(i).is_none_or(Vec::is_empty))
        .collect();
    evaluate_inputs(sources, program, &inputs, &empty)
}

/// A cell as an export would write it, for the loader to read back.
fn csv_cell(v: &Value<'_>) -> String {
    let raw = match v {
        Value::None => String::new(),
        Value::Number(n) => format!("{n:?}"),
        Value::Percent(p) => format!("{p:?}%"),
        Value::List(items) => items.iter().map(|i| i.as_ref()).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    };
    format!("\"{}\"", raw.replace('"', "\"\""))
}

/// Writes the records as `t.csv` and `u.csv`, loads them with the declarations of the
/// checked program (as `auditready run` does) and evaluates: the compiled column paths see
/// the records, and a value the loader refuses makes its dataset a load error.
pub fn evaluate_loaded(
    sources: &SourceMap,
    program: &Program,
    tables: &[Vec<Vec<Value<'static>>>],
) -> RunReport {
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, name) in DATASETS.iter().enumerate() {
        let mut text = FIELDS.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(",");
        text.push('\n');
        for row in tables.get(i).into_iter().flatten() {
            text.push_str(&row.iter().map(csv_cell).collect::<Vec<_>>().join(","));
            text.push('\n');
        }
        std::fs::write(dir.path().join(format!("{name}.csv")), text).expect("write");
    }
    let specs: Vec<DatasetSpec> = program.datasets.iter().map(|d| d.spec.clone()).collect();
    let loaded = evidence::load_all(&specs, dir.path(), &NoProgress);
    let inputs: Vec<DatasetInput<'_>> = loaded
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
    let empty: Vec<bool> = loaded
        .iter()
        .map(|t| t.as_ref().map_or(true, |t| t.file().rows == 0))
        .collect();
    evaluate_inputs(sources, program, &inputs, &empty)
}

/// Evaluates on the given inputs and asserts the invariants; `empty[i]`: dataset `i` has
/// no record (or did not load).
fn evaluate_inputs(
    sources: &SourceMap,
    program: &Program,
    inputs: &[DatasetInput<'_>],
    empty: &[bool],
) -> RunReport {
    let as_of = auditready::value::date_to_micros(20_414); // 2025-11-22
    let report = eval::run(
        program,
        sources,
        inputs,
        &RunOptions {
            as_of,
            standards: Vec::new(),
            params: Vec::new(),
            max_findings: 10,
        },
    );
    // Fail closed: a requirement reading an empty dataset never passes.
    for r in &report.requirements {
        let reads_empty = r.datasets.iter().any(|d| {
            program
                .datasets
                .iter()
                .position(|x| &x.name == d)
                .is_some_and(|i| empty.get(i).copied().unwrap_or(true))
        });
        if reads_empty {
            assert_ne!(r.outcome, Outcome::Pass, "`{}` passed on an empty dataset", r.id);
            assert_ne!(
                r.outcome,
                Outcome::Waived,
                "`{}` waived on an empty dataset",
                r.id
            );
        }
        // An error is never hidden by a waiver.
        if !r.errors.is_empty() {
            assert_eq!(r.outcome, Outcome::Error, "`{}`", r.id);
        }
        // Only an unexpired waiver of this requirement waives it, and a record waiver
        // only the records it names, by exact key.
        let index = program.requirements.iter().position(|q| q.id == r.id);
        let applicable: Vec<_> = program
            .waivers
            .iter()
            .filter(|w| Some(w.requirement) == index && w.expires >= 20_414)
            .collect();
        if r.outcome == Outcome::Waived {
            assert!(
                !applicable.is_empty(),
                "`{}` waived by an expired waiver or none",
                r.id
            );
        }
        if applicable.iter().all(|w| !w.records.is_empty()) {
            for f in &r.waived_records {
                let key = f.key.as_deref().unwrap_or_default();
                assert!(
                    applicable.iter().any(|w| w.records.iter().any(|k| k == key)),
                    "`{}`: record `{key}` waived by a waiver for other records",
                    r.id
                );
            }
        }
    }
    let _ = auditready::report::render(&report, auditready::report::Format::Text, false);
    let _ = auditready::report::render(&report, auditready::report::Format::Json, false);
    report
}

/// The whole evaluator target: a program and records from bytes.
pub fn eval_bytes(bytes: &[u8]) {
    let mut g = Gen::new(bytes);
    let text = program(&mut g);
    let tables = rows(&mut g);
    // Half the inputs go through the real loader; an input that ran out chooses it.
    let in_memory = g.chance(128) && !g.exhausted();
    let (sources, program) = check_program(&text);
    if let Some(program) = program {
        if in_memory {
            evaluate(&sources, &program, &tables);
        } else {
            evaluate_loaded(&sources, &program, &tables);
        }
    }
}

/// The parser+checker target: any bytes as a rule file.
pub fn parse_bytes(bytes: &[u8]) {
    if let Ok(text) = auditready::project::rule_text(bytes.to_vec()) {
        let _ = check_program(&text);
        let mut sources = SourceMap::new();
        let file = sources.add_text("expr", &text);
        let _ = auditready::syntax::parse_expression(&sources, file);
    }
}

/// Declarations for a loader target, chosen by the first byte.
fn spec(source: &str, options: u8) -> DatasetSpec {
    let mut spec = DatasetSpec::new("d", source);
    if options & 1 != 0 {
        spec.timezone = Some("Europe/Helsinki".into());
    }
    if options & 2 != 0 {
        spec.encoding = Some(if options & 4 != 0 {
            Encoding::Windows1252
        } else {
            Encoding::Utf8
        });
    }
    if options & 8 != 0 {
        spec.decimal_comma = true;
    }
    if options & 16 != 0 {
        spec.null_tokens = vec!["NULL".into(), "-".into()];
    }
    if options & 32 != 0 {
        spec.delimiter = Some(b';');
    }
    if options & 64 != 0 {
        spec.unescape_formulas = true;
    }
    let mut at = FieldSpec::new("at", Type::DateTime, "at");
    let mut d = FieldSpec::new("d", Type::Date, "d");
    if options & 128 != 0 {
        at = at.format("%d/%m/%Y %H:%M").format("%d/%b/%y %-I:%M %p");
        d = d.format("%d.%m.%Y");
    }
    spec.field(FieldSpec::new("k", Type::Text, "k").key())
        .field(FieldSpec::new("s", Type::Text, "s").alias("S").alias("nested.s"))
        .field(FieldSpec::new("n", Type::Int, "n"))
        .field(FieldSpec::new("x", Type::Number, "x"))
        .field(d)
        .field(at)
        .field(FieldSpec::new("w", Type::Duration, "w").unit(DurationUnit::Hours))
        .field(FieldSpec::new("p", Type::Percent, "p"))
        .field(FieldSpec::new("b", Type::Bool, "b"))
        .field(FieldSpec::new("l", Type::List, "l"))
        .field(FieldSpec::new("deep", Type::Text, "a.b[0].c").unused())
}

/// Loads `body` as the given format and checks the table reads back without panics.
pub fn load(source: &str, options: u8, body: &[u8]) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(source), body).expect("write");
    let spec = spec(source, options);
    if let Ok(table) = evidence::load(&spec, dir.path(), &NoProgress) {
        let rows = table.file().rows;
        assert!(rows <= body.len() + 1, "{rows} rows from {} bytes", body.len());
        for r in 0..rows {
            for f in 0..spec.fields.len() {
                let _ = table.value(f, r).to_string();
            }
            let _ = table.provenance(r);
        }
        let _ = table.value(0, rows);
    }
}

/// CSV loader input: with the first byte's low bit set, a header naming every field is
/// put in front, so the bytes reach the cell converters.
pub fn csv_bytes(bytes: &[u8]) {
    let (options, body) = bytes.split_first().map_or((0, &[][..]), |(o, b)| (*o, b));
    let mut data = Vec::new();
    if options & 1 == 0 {
        let delim = if options & 32 != 0 { ";" } else { "," };
        data.extend_from_slice(
            ["k", "s", "n", "x", "d", "at", "w", "p", "b", "l"]
                .join(delim)
                .as_bytes(),
        );
        data.push(b'\n');
    }
    data.extend_from_slice(body);
    load("d.csv", options, &data);
}

pub fn json_bytes(bytes: &[u8]) {
    let (options, body) = bytes.split_first().map_or((0, &[][..]), |(o, b)| (*o, b));
    load("d.json", options, body);
}

pub fn jsonl_bytes(bytes: &[u8]) {
    let (options, body) = bytes.split_first().map_or((0, &[][..]), |(o, b)| (*o, b));
    load("d.jsonl", options, body);
}
