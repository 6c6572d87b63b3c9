//! Rule tests: `test` blocks give a requirement small inline evidence and an `as_of`, and
//! assert its outcome, its failing records or a metric's value.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rayon::prelude::*;

use crate::check::program::{GivenData, Program, TestCase, TestExpectation};
use crate::eval::interp::MetricValue;
use crate::eval::memory::MemTable;
use crate::eval::model::Outcome;
use crate::eval::{self, DatasetInput, FileFacts, Located, RunOptions};
use crate::evidence::{self, NoProgress, Table};
use crate::source::SourceMap;
use crate::value::Value;

/// The result of one rule test.
#[derive(Clone, Debug)]
pub struct TestResult {
    /// Requirement id.
    pub requirement: String,
    /// Test name.
    pub name: String,
    /// Where the test is declared (`file:line`).
    pub at: String,
    /// Why it failed; empty when it passed.
    pub failures: Vec<String>,
    /// The outcome the requirement had.
    pub outcome: Option<Outcome>,
    /// Per expect of the requirement, its outcome in this test.
    pub expect_outcomes: Vec<Outcome>,
}

impl TestResult {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// What the tests did not exercise.
#[derive(Clone, Debug, Default)]
pub struct TestCoverage {
    /// Requirements without any test.
    pub untested: Vec<String>,
    /// `(requirement, expect number from 1, the expect's text, what was never seen)`.
    pub one_sided: Vec<(String, usize, String, &'static str)>,
}

/// Runs the tests whose requirement id or name contains `filter`, in parallel; results
/// are in declaration order.
pub fn run_tests(program: &Program, sources: &SourceMap, filter: Option<&str>) -> Vec<TestResult> {
    let selected: Vec<&TestCase> = program
        .tests
        .iter()
        .filter(|t| {
            filter.is_none_or(|f| {
                t.name.contains(f)
                    || program
                        .requirements
                        .get(t.requirement)
                        .is_some_and(|r| r.id.contains(f))
            })
        })
        .collect();
    selected
        .par_iter()
        .map(|t| run_test(program, sources, t))
        .collect()
}

/// Which requirements have no test, and which expects were never seen both passing and
/// failing across the tests.
pub fn coverage(program: &Program, sources: &SourceMap, results: &[TestResult]) -> TestCoverage {
    let mut seen: BTreeMap<(String, usize), BTreeSet<Outcome>> = BTreeMap::new();
    for r in results {
        for (i, o) in r.expect_outcomes.iter().enumerate() {
            seen.entry((r.requirement.clone(), i)).or_default().insert(*o);
        }
    }
    let mut out = TestCoverage::default();
    for r in program.requirements.iter().filter(|r| r.disabled.is_none()) {
        if !results.iter().any(|t| t.requirement == r.id) {
            out.untested.push(r.id.clone());
            continue;
        }
        for (i, e) in r.expects.iter().enumerate() {
            let outcomes = seen.get(&(r.id.clone(), i)).cloned().unwrap_or_default();
            let text = eval::text_of(sources, e.span);
            if !outcomes.contains(&Outcome::Pass) {
                out.one_sided.push((r.id.clone(), i + 1, text.clone(), "passing"));
            }
            if !outcomes.contains(&Outcome::Fail) {
                out.one_sided.push((r.id.clone(), i + 1, text, "failing"));
            }
        }
    }
    out
}

/// Loaded inline evidence of a test.
enum Given {
    Memory(MemTable),
    Loaded(Result<Table, evidence::LoadError>),
}

fn run_test(program: &Program, sources: &SourceMap, t: &TestCase) -> TestResult {
    let requirement = program
        .requirements
        .get(t.requirement)
        .map_or(String::new(), |r| r.id.clone());
    let (file, line, _) = sources.locate(t.span);
    let mut result = TestResult {
        requirement,
        name: t.name.clone(),
        at: format!("{file}:{line}"),
        failures: Vec::new(),
        outcome: None,
        expect_outcomes: Vec::new(),
    };
    let Some(as_of) = t.as_of else {
        result.failures.push("the test has no `as_of`".into());
        return result;
    };

    // Inline evidence: rows become in-memory tables; CSV text is written to a temporary
    // evidence directory and read through the dataset's own declaration.
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            result
                .failures
                .push(format!("cannot create a temporary directory: {e}"));
            return result;
        }
    };
    let mut given: Vec<Given> = Vec::with_capacity(program.datasets.len());
    for (i, d) in program.datasets.iter().enumerate() {
        let data = t
            .given
            .iter()
            .filter(|g| g.dataset == i)
            .map(|g| &g.data)
            .next_back();
        given.push(match data {
            None => Given::Memory(MemTable::default()),
            Some(GivenData::Rows(rows)) => Given::Memory(MemTable::new(
                rows.iter()
                    .map(|cells| {
                        let mut row = vec![Value::None; d.fields.len()];
                        for (f, v) in cells {
                            if let Some(slot) = row.get_mut(*f) {
                                *slot = as_loaded(v);
                            }
                        }
                        row
                    })
                    .collect(),
            )),
            Some(GivenData::Csv(text)) => Given::Loaded(load_csv(&d.spec, text, dir.path())),
        });
    }
    let inputs: Vec<DatasetInput<'_>> = given
        .iter()
        .zip(&program.datasets)
        .map(|(g, d)| match g {
            Given::Memory(m) => DatasetInput {
                rows: Some(m as &dyn Located),
                error: None,
                file: Some(FileFacts {
                    path: format!("(test) {}", d.spec.source),
                    ..FileFacts::default()
                }),
            },
            Given::Loaded(Ok(table)) => DatasetInput {
                rows: Some(table as &dyn Located),
                error: None,
                file: Some(FileFacts {
                    path: format!("(test) {}", d.spec.source),
                    ..FileFacts::default()
                }),
            },
            Given::Loaded(Err(e)) => DatasetInput {
                rows: None,
                error: Some(format!("[{}] {e}", e.code())),
                file: None,
            },
        })
        .collect();
    let options = RunOptions {
        as_of,
        standards: Vec::new(),
        params: test_params(program, sources, t),
        max_findings: usize::MAX,
    };
    let Some((report, metrics)) = eval::evaluate_one(program, sources, &inputs, &options, t.requirement)
    else {
        result
            .failures
            .push("the requirement could not be evaluated".into());
        return result;
    };
    result.outcome = Some(report.outcome);
    result.expect_outcomes = report.expects.iter().map(|e| e.outcome).collect();

    for expectation in &t.expectations {
        match expectation {
            TestExpectation::Status(status, _) => {
                let expected = status.replace('_', " ");
                if report.outcome.label() != expected {
                    result.failures.push(format!(
                        "expected `{expected}`, got `{}`: {}",
                        report.outcome.label(),
                        report.message
                    ));
                }
            }
            TestExpectation::Fails(keys, _) => {
                let expected: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
                let actual: BTreeSet<&str> =
                    report.findings.iter().filter_map(|f| f.key.as_deref()).collect();
                if report.outcome != Outcome::Fail {
                    result.failures.push(format!(
                        "expected `fail` with {}, got `{}`: {}",
                        list(&expected),
                        report.outcome.label(),
                        report.message
                    ));
                } else if expected != actual {
                    result.failures.push(format!(
                        "expected failing records {}, got {}",
                        list(&expected),
                        list(&actual)
                    ));
                }
            }
            TestExpectation::Metric(i, expected, _) => {
                let name = program
                    .requirements
                    .get(t.requirement)
                    .and_then(|r| r.metrics.get(*i))
                    .map_or(String::new(), |m| m.name.clone());
                match metrics.get(*i) {
                    Some(MetricValue::Scalar(actual)) if values_equal(actual, expected) => {}
                    Some(MetricValue::Scalar(actual)) => result
                        .failures
                        .push(format!("expected metric `{name}` = {expected}, got {actual}")),
                    Some(MetricValue::Grouped(_)) => result.failures.push(format!(
                        "metric `{name}` is grouped; test its groups through an expect instead"
                    )),
                    None => result
                        .failures
                        .push(format!("metric `{name}` was not computed: {}", report.message)),
                }
            }
        }
    }
    result
}

/// The params a test runs with. A test sees the `override param`s of its own rules
/// directory and of those given before it, not of later ones: a library's tests test the
/// library, whatever a project layered on it overrides (`--rules library --rules company`).
/// The test's own `param` entries come last and win.
fn test_params(program: &Program, sources: &SourceMap, t: &TestCase) -> Vec<(usize, Value<'static>)> {
    let layer = sources.get(t.span.file).layer;
    let mut params: Vec<(usize, Value<'static>)> = program
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.overridden_at.is_some_and(|o| sources.get(o.file).layer > layer))
        .map(|(i, p)| (i, p.declared_value.clone()))
        .collect();
    params.extend(t.params.iter().cloned());
    params
}

fn load_csv(spec: &evidence::DatasetSpec, text: &str, dir: &Path) -> Result<Table, evidence::LoadError> {
    // The loader's own path check comes before anything is created: a source that is
    // absolute or climbs with `..` must not make the test write outside its directory.
    let target = dir.join(evidence::relative_source(spec)?);
    // A failure to write shows up as a precise load error (missing file).
    if let Some(parent) = target.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(&target, text);
    evidence::load(spec, dir, &NoProgress)
}

/// A test value as the loader would produce it from an export: empty text and empty lists
/// are none there, so they are here too (tests and real runs must agree).
fn as_loaded(v: &Value<'static>) -> Value<'static> {
    match v {
        Value::List(items) if items.is_empty() => Value::None,
        Value::Text(t) if t.trim().is_empty() => Value::None,
        Value::Text(t) if t.trim().len() != t.len() => Value::Text(t.trim().to_string().into()),
        other => other.clone(),
    }
}

/// Equality for metric expectations: numbers within a relative 1e-9, else exact.
fn values_equal(a: &Value<'_>, b: &Value<'_>) -> bool {
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
    match (a, b) {
        (Value::Number(x), Value::Number(y)) | (Value::Percent(x), Value::Percent(y)) => close(*x, *y),
        (Value::Number(x), Value::Int(y)) | (Value::Int(y), Value::Number(x)) => close(*x, *y as f64),
        _ => a.compare(b) == Some(std::cmp::Ordering::Equal) || (a.is_none() && b.is_none()),
    }
}

fn list(keys: &BTreeSet<&str>) -> String {
    if keys.is_empty() {
        "none".into()
    } else {
        keys.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
