//! Evaluating one requirement: its metrics, its expects, the records that broke them, and
//! the waivers that apply.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};

use rayon::prelude::*;

use super::explain::explain_failure;
use super::fast::{Fx, QuantFast};
use super::interp::{Accumulator, Bound, Candidates, EvalError, Interp, MetricValue, truth};
use super::join::{ByCode, children};
use super::model::{ExpectReport, Finding, GroupValue, MetricReport, NamedValue, Outcome};
use super::{RunContext, text_of};
use crate::check::program::{Expect, Metric, QSource, Requirement, TExpr, TKind, TQuant};
use crate::syntax::ast::QuantKind;
use crate::value::{Type, Value};

/// Records per parallel chunk of a top-level scan.
const CHUNK_ROWS: usize = 16 * 1024;

/// What evaluating a requirement produced, before waivers and readiness.
pub struct Evaluated<'a> {
    /// Metric values, for explanations that read them.
    pub metric_values: Vec<MetricValue<'a>>,
    /// Per expect.
    pub expects: Vec<ExpectReport>,
    /// Per metric.
    pub metrics: Vec<MetricReport>,
    /// Failing records per expect (all of them), for waivers and citations.
    pub failing: Vec<Failing<'a>>,
    /// Evaluation errors.
    pub errors: Vec<String>,
}

/// The records that broke an expect, and the quantifier whose records they are.
#[derive(Clone, Debug, Default)]
pub struct Failing<'a> {
    /// The quantifier ranging over the failing records (the expect's top-level `all`/`no`,
    /// or the grouped metric's quantifier).
    pub quant: Option<&'a TQuant>,
    /// The records, in file order.
    pub records: Vec<FailingRecord>,
}

/// A record or element that broke a top-level `all` or `no`.
#[derive(Clone, Debug)]
pub struct FailingRecord {
    /// The binding that failed.
    pub row: usize,
    /// Its key (or the list element), for waivers and citations.
    pub key: Option<String>,
}

impl Evaluated<'_> {
    /// The outcome before waivers: error, then no evidence, then fail, then pass. Missing
    /// evidence outranks a failure: a failure in one expect must not hide that another
    /// could not be checked (it would let a minor failure pass the gate).
    pub fn outcome(&self) -> Outcome {
        if !self.errors.is_empty() {
            return Outcome::Error;
        }
        let outcomes: Vec<Outcome> = self.expects.iter().map(|e| e.outcome).collect();
        for o in [Outcome::Error, Outcome::NoEvidence, Outcome::Fail] {
            if outcomes.contains(&o) {
                return o;
            }
        }
        Outcome::Pass
    }
}

/// Evaluates a requirement whose datasets all loaded.
pub fn evaluate<'a>(ctx: &'a RunContext<'a>, r: &'a Requirement) -> Evaluated<'a> {
    let mut interp = ctx.interp(r.allow_empty);
    let mut out = Evaluated {
        metric_values: Vec::new(),
        expects: Vec::new(),
        metrics: Vec::new(),
        failing: Vec::new(),
        errors: Vec::new(),
    };
    let informational = informational_metrics(r);
    for (i, m) in r.metrics.iter().enumerate() {
        match metric(ctx, &interp, m) {
            Ok((value, report)) => {
                interp.metrics.push(value);
                let mut report = report;
                report.informational = informational.contains(&i);
                out.metrics.push(report);
            }
            Err(e) => {
                out.errors.push(ctx.error_message(&e));
                interp.metrics.push(MetricValue::Scalar(Value::None));
                out.metrics.push(MetricReport {
                    name: m.name.clone(),
                    expression: text_of(ctx.sources, m.expr.span),
                    value: "error".into(),
                    records: 0,
                    informational: informational.contains(&i),
                    groups: Vec::new(),
                    lowest: None,
                });
            }
        }
    }
    for e in &r.expects {
        match expect(ctx, r, &mut interp, e) {
            Ok((report, failing)) => {
                out.expects.push(report);
                out.failing.push(failing);
            }
            Err(err) => {
                out.errors.push(ctx.error_message(&err));
                out.expects.push(ExpectReport {
                    expect: text_of(ctx.sources, e.expr.span),
                    outcome: Outcome::Error,
                    population: None,
                    failing: None,
                    measured: None,
                    target: None,
                    metric: None,
                    failing_groups: Vec::new(),
                    waived: 0,
                    truncated: false,
                    no_match: None,
                });
                out.failing.push(Failing::default());
            }
        }
    }
    out.metric_values = interp.metrics;
    out
}

/// Metrics that no expect reads, directly or through other metrics.
fn informational_metrics(r: &Requirement) -> BTreeSet<usize> {
    let mut used = BTreeSet::new();
    let mut stack: Vec<&TExpr> = r.expects.iter().map(|e| &e.expr).collect();
    while let Some(e) = stack.pop() {
        if let TKind::Metric(i) = e.kind {
            if used.insert(i) {
                if let Some(m) = r.metrics.get(i) {
                    stack.push(&m.expr);
                }
            }
        }
        children(e, |c| stack.push(c));
    }
    (0..r.metrics.len()).filter(|i| !used.contains(i)).collect()
}

fn metric<'a>(
    ctx: &'a RunContext<'a>,
    interp: &Interp<'a>,
    m: &'a Metric,
) -> Result<(MetricValue<'a>, MetricReport), EvalError> {
    let expression = text_of(ctx.sources, m.expr.span);
    if let TKind::Quant(q) = &m.expr.kind {
        if let Some(group) = &q.group {
            let groups = grouped(interp, q, group)?;
            let mut report_groups = Vec::new();
            let mut records = 0;
            let mut values = Vec::new();
            for (key, acc) in groups {
                records += acc.population;
                let n = acc.population;
                let v = acc.finish(interp.allow_empty, m.expr.span)?;
                report_groups.push(GroupValue {
                    group: group_label(&key),
                    value: v.to_string(),
                    records: n,
                });
                values.push((key, v, n));
            }
            let lowest = lowest(&values);
            return Ok((
                MetricValue::Grouped(values),
                MetricReport {
                    name: m.name.clone(),
                    expression,
                    value: format!("{} groups", report_groups.len()),
                    records,
                    informational: false,
                    lowest,
                    groups: report_groups,
                },
            ));
        }
        let acc = scan(interp, q)?;
        let records = acc.population;
        let v = acc.finish(interp.allow_empty, m.expr.span)?;
        return Ok((
            MetricValue::Scalar(v.clone()),
            MetricReport {
                name: m.name.clone(),
                expression,
                value: v.to_string(),
                records,
                informational: false,
                groups: Vec::new(),
                lowest: None,
            },
        ));
    }
    let v = interp.eval(&m.expr, &mut Vec::new())?;
    Ok((
        MetricValue::Scalar(v.clone()),
        MetricReport {
            name: m.name.clone(),
            expression,
            value: v.to_string(),
            records: 0,
            informational: false,
            groups: Vec::new(),
            lowest: None,
        },
    ))
}

/// The group with the lowest numeric value; the first such group (by key) on ties.
fn lowest(values: &[(Value<'_>, Value<'_>, usize)]) -> Option<GroupValue> {
    let numeric = |v: &Value<'_>| matches!(v, Value::Percent(_));
    let mut best: Option<&(Value<'_>, Value<'_>, usize)> = None;
    for g in values.iter().filter(|g| numeric(&g.1)) {
        if best.is_none_or(|b| g.1.compare(&b.1) == Some(Ordering::Less)) {
            best = Some(g);
        }
    }
    best.map(|(k, v, n)| GroupValue {
        group: group_label(k),
        value: v.to_string(),
        records: *n,
    })
}

/// How a group key is shown; records without a key form the group `(none)`.
fn group_label(key: &Value<'_>) -> String {
    if key.is_none() {
        "(none)".to_string()
    } else {
        key.to_string()
    }
}

/// Rows a top-level scan visits, split into parallel chunks: every row, or a shared
/// selection of rows that passed the filter.
#[derive(Clone, Copy)]
enum RowSeq<'r> {
    All(usize),
    Some(&'r [u32]),
}

impl RowSeq<'_> {
    fn of<'r>(c: &'r Candidates<'_>) -> Option<RowSeq<'r>> {
        match c {
            Candidates::All(n) => Some(RowSeq::All(*n)),
            Candidates::Rows(rows) => Some(RowSeq::Some(rows)),
            Candidates::Values(_) => None,
        }
    }

    fn len(self) -> usize {
        match self {
            RowSeq::All(n) => n,
            RowSeq::Some(rows) => rows.len(),
        }
    }

    /// The row at position `i`.
    fn at(self, i: usize) -> usize {
        match self {
            RowSeq::All(_) => i,
            RowSeq::Some(rows) => rows.get(i).map_or(usize::MAX, |&r| r as usize),
        }
    }

    /// Position ranges of the parallel chunks.
    fn chunks(self) -> Vec<(usize, usize)> {
        let n = self.len();
        (0..n)
            .step_by(CHUNK_ROWS)
            .map(|s| (s, (s + CHUNK_ROWS).min(n)))
            .collect()
    }
}

/// Scans a top-level quantifier's whole population in parallel chunks (no early stop: the
/// population size is reported).
pub fn scan<'a>(interp: &Interp<'a>, q: &'a TQuant) -> Result<Accumulator<'a>, EvalError> {
    let mut env = Vec::new();
    let (candidates, filtered) = interp.fast_candidates(q, &mut env)?;
    let fast = interp.quant_fast(q);
    // `median c in capa: days(c.resolved - c.created)` over a compiled number body:
    // collect `f64`s, not a `Value` per record. (`explain` traces every body: not there.)
    let number_body = match (&q.body, fast.and_then(|f| f.body.as_ref())) {
        (Some(b), Some(fx))
            if b.ty == Type::Number
                && interp.trace.is_none()
                && matches!(
                    q.kind,
                    QuantKind::Avg | QuantKind::Median | QuantKind::Percentile(_)
                ) =>
        {
            Some(fx)
        }
        _ => None,
    };
    if let (Some(seq), Some(fx)) = (RowSeq::of(&candidates), number_body) {
        let parts: Vec<Result<(usize, Vec<f64>), EvalError>> = seq
            .chunks()
            .par_iter()
            .map(|&(start, end)| {
                let mut env = Vec::new();
                let mut population = 0;
                let mut numbers = Vec::new();
                for i in start..end {
                    Interp::bind(&mut env, q.slot, Bound::Row(seq.at(i)));
                    if !filtered && !interp.keeps_with(q, fast, &mut env)? {
                        continue;
                    }
                    population += 1;
                    if let Some(x) = fx.number(&env)? {
                        numbers.push(x);
                    }
                }
                Ok((population, numbers))
            })
            .collect();
        let mut population = 0;
        let mut numbers = Vec::new();
        for p in parts {
            let (n, xs) = p?;
            population += n;
            numbers.extend(xs);
        }
        return Ok(Accumulator::numbers(q.kind, population, numbers));
    }
    let truths = truth_body(interp, q, fast);
    if let Some(seq) = RowSeq::of(&candidates) {
        let parts: Vec<Result<Accumulator<'a>, EvalError>> = seq
            .chunks()
            .par_iter()
            .map(|&(start, end)| {
                let mut acc = Accumulator::new(q.kind);
                let mut env = Vec::new();
                for i in start..end {
                    Interp::bind(&mut env, q.slot, Bound::Row(seq.at(i)));
                    match truths {
                        Some(fx) => {
                            if filtered || interp.keeps_with(q, fast, &mut env)? {
                                acc.add_truth(fx.truth(&env)?);
                            }
                        }
                        None => {
                            interp.step_with(q, fast, filtered, &mut env, &mut acc)?;
                        }
                    }
                }
                Ok(acc)
            })
            .collect();
        let mut total = Accumulator::new(q.kind);
        for p in parts {
            total.merge(p?);
        }
        return Ok(total);
    }
    let mut acc = Accumulator::new(q.kind);
    let mut result = Ok(());
    candidates.for_each(|b| {
        Interp::bind(&mut env, q.slot, b);
        if let Err(e) = interp.step_with(q, fast, filtered, &mut env, &mut acc) {
            result = Err(e);
            return false;
        }
        true
    });
    result.map(|()| acc)
}

/// The compiled body of a quantifier whose bodies count only as truths (`all`, `any`,
/// `no`, `count`, `share`): its truth is read without building a [`Value`]. Not while
/// `explain` traces bodies.
fn truth_body<'a>(interp: &Interp<'a>, q: &TQuant, fast: Option<&'a QuantFast<'a>>) -> Option<&'a Fx<'a>> {
    let body = q.body.as_ref()?;
    let counts = matches!(
        q.kind,
        QuantKind::All | QuantKind::Any | QuantKind::No | QuantKind::Count | QuantKind::Share
    );
    if body.ty != Type::Bool || !counts || interp.trace.is_some() {
        return None;
    }
    fast?.body.as_ref()
}

/// A body as a grouped scan accumulates it.
enum Body<'a> {
    /// From a compiled condition ([`truth_body`]).
    Truth(Option<bool>),
    /// From [`Interp::body_with`].
    Value(Option<Value<'a>>),
}

/// A value usable as an ordered group key.
struct GroupKey<'a>(Value<'a>);

impl PartialEq for GroupKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for GroupKey<'_> {}
impl PartialOrd for GroupKey<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for GroupKey<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.0.is_none(), other.0.is_none()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => self
                .0
                .compare(&other.0)
                .unwrap_or_else(|| self.0.to_string().cmp(&other.0.to_string())),
        }
    }
}

/// One pass over the population, accumulating per group; groups sorted by key.
fn grouped<'a>(
    interp: &Interp<'a>,
    q: &'a TQuant,
    key: &'a TExpr,
) -> Result<Vec<(Value<'a>, Accumulator<'a>)>, EvalError> {
    let mut groups: std::collections::BTreeMap<GroupKey<'a>, Accumulator<'a>> =
        std::collections::BTreeMap::new();
    let mut env = Vec::new();
    let (candidates, filtered) = interp.fast_candidates(q, &mut env)?;
    let fast = interp.quant_fast(q);
    // Fast path: a key with an integer code (a dictionary column, a month or quarter),
    // accumulated per code in parallel chunks and named once per group at the end.
    let truths = truth_body(interp, q, fast);
    if let (Some(seq), Some(group)) = (RowSeq::of(&candidates), fast.and_then(|f| f.group.as_ref())) {
        type Chunk<'a> = (ByCode<usize>, Vec<(Option<i64>, Accumulator<'a>)>);
        let parts: Vec<Result<Chunk<'a>, EvalError>> = seq
            .chunks()
            .par_iter()
            .map(|&(start, end)| {
                let mut slots = ByCode::default();
                let mut accs: Vec<(Option<i64>, Accumulator<'a>)> = Vec::new();
                let mut env = Vec::new();
                let mut period = None;
                // Records of one group often come together: the last slot needs no lookup.
                let mut last: Option<(Option<i64>, usize)> = None;
                for i in start..end {
                    Interp::bind(&mut env, q.slot, Bound::Row(seq.at(i)));
                    if !filtered && !interp.keeps_with(q, fast, &mut env)? {
                        continue;
                    }
                    let code = group.code_cached(&env, &mut period)?;
                    let body = match truths {
                        Some(fx) => Body::Truth(fx.truth(&env)?),
                        None => Body::Value(interp.body_with(q, fast, &mut env)?),
                    };
                    let at = match last {
                        Some((c, at)) if c == code => at,
                        _ => *slots.entry(code).or_insert_with(|| {
                            accs.push((code, Accumulator::new(q.kind)));
                            accs.len() - 1
                        }),
                    };
                    last = Some((code, at));
                    if let Some((_, acc)) = accs.get_mut(at) {
                        match body {
                            Body::Truth(t) => acc.add_truth(t),
                            Body::Value(body) => acc.add(body),
                        };
                    }
                }
                Ok((slots, accs))
            })
            .collect();
        for part in parts {
            let (_, accs) = part?;
            for (code, acc) in accs {
                let k = code.map_or(Value::None, |c| group.value(c));
                match groups.entry(GroupKey(k)) {
                    std::collections::btree_map::Entry::Occupied(mut e) => e.get_mut().merge(acc),
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(acc);
                    }
                }
            }
        }
        return Ok(groups.into_iter().map(|(k, a)| (k.0, a)).collect());
    }
    let mut result = Ok(());
    candidates.for_each(|b| {
        Interp::bind(&mut env, q.slot, b);
        let step = (|| -> Result<(), EvalError> {
            if !filtered && !interp.keeps_with(q, fast, &mut env)? {
                return Ok(());
            }
            let k = interp.eval(key, &mut env)?;
            let body = interp.body_with(q, fast, &mut env)?;
            groups
                .entry(GroupKey(k))
                .or_insert_with(|| Accumulator::new(q.kind))
                .add(body);
            Ok(())
        })();
        if let Err(e) = step {
            result = Err(e);
            return false;
        }
        true
    });
    result?;
    Ok(groups.into_iter().map(|(k, a)| (k.0, a)).collect())
}

fn expect<'a>(
    ctx: &'a RunContext<'a>,
    r: &'a Requirement,
    interp: &mut Interp<'a>,
    e: &'a Expect,
) -> Result<(ExpectReport, Failing<'a>), EvalError> {
    let text = text_of(ctx.sources, e.expr.span);
    let mut report = ExpectReport {
        expect: text,
        outcome: Outcome::Pass,
        population: None,
        failing: None,
        measured: None,
        target: None,
        metric: None,
        failing_groups: Vec::new(),
        waived: 0,
        truncated: false,
        no_match: None,
    };

    // A top-level `all` or `no`: find every record that breaks it.
    if let TKind::Quant(q) = &e.expr.kind {
        if matches!(q.kind, QuantKind::All | QuantKind::No) && q.group.is_none() {
            let (population, failing) = offenders(ctx, interp, q)?;
            report.population = Some(population);
            report.failing = Some(failing.len());
            report.outcome = if !failing.is_empty() {
                Outcome::Fail
            } else if population == 0 && q.kind == QuantKind::All && !interp.allow_empty {
                Outcome::NoEvidence
            } else {
                Outcome::Pass
            };
            let records = failing
                .into_iter()
                .map(|row| FailingRecord {
                    key: record_key(ctx, interp, q, row),
                    row,
                })
                .collect();
            return Ok((
                report,
                Failing {
                    quant: Some(q),
                    records,
                },
            ));
        }
    }

    // An expect on a grouped metric must hold for every group.
    if let Some(mi) = e.grouped_metric {
        let groups = match interp.metrics.get(mi) {
            Some(MetricValue::Grouped(g)) => g.clone(),
            _ => Vec::new(),
        };
        let mut unknown = 0;
        for (key, value, records) in &groups {
            interp.group = Some((mi, value.clone()));
            let t = truth(&interp.eval(&e.expr, &mut Vec::new())?);
            match t {
                Some(true) => {}
                Some(false) => report.failing_groups.push(GroupValue {
                    group: group_label(key),
                    value: value.to_string(),
                    records: *records,
                }),
                None => unknown += 1,
            }
        }
        interp.group = None;
        let failing = match r.metrics.get(mi).map(|m| &m.expr.kind) {
            Some(TKind::Quant(q)) => group_offenders(ctx, interp, q, &report.failing_groups)?,
            _ => Failing::default(),
        };
        report.population = Some(groups.len());
        report.failing = Some(report.failing_groups.len());
        report.target = comparison_target(ctx, interp, &e.expr);
        report.metric = r.metrics.get(mi).map(|m| m.name.clone());
        // Records none of which has a group key (the export lost the department column)
        // form the one group `(none)`: "every department" cannot be shown from it.
        let no_known_group = groups.iter().all(|(key, _, _)| key.is_none());
        report.outcome = if !report.failing_groups.is_empty() {
            Outcome::Fail
        } else if unknown > 0 || no_known_group {
            Outcome::NoEvidence
        } else {
            Outcome::Pass
        };
        return Ok((report, failing));
    }

    // Any other condition: evaluate it once; show the measured side of a comparison.
    if let TKind::Binary(op, l, _) = &e.expr.kind {
        if op.is_ordering()
            || matches!(
                op,
                crate::syntax::ast::BinaryOp::Eq | crate::syntax::ast::BinaryOp::Ne
            )
        {
            let measured = interp.eval(l, &mut Vec::new())?;
            report.measured = Some(measured.to_string());
            report.target = comparison_target(ctx, interp, &e.expr);
            if let TKind::Metric(mi) = &l.kind {
                report.metric = r.metrics.get(*mi).map(|m| m.name.clone());
            }
        }
    }
    let t = truth(&interp.eval(&e.expr, &mut Vec::new())?);
    report.outcome = match t {
        Some(true) => Outcome::Pass,
        Some(false) => Outcome::Fail,
        None => Outcome::NoEvidence,
    };
    if t.is_none() {
        report.no_match = empty_population(ctx, r, interp, &e.expr, &mut Vec::new())?;
    }
    Ok((report, Failing::default()))
}

/// Why an unknown expect has no evidence, when the reason is an aggregate (`share`, `avg`,
/// …) over a population no record of which matched: the first such top-level quantifier
/// in the expression or in the metrics it reads, described as
/// ``no record of `training` matches `where t.department == "IT"` ``.
fn empty_population<'a>(
    ctx: &RunContext<'_>,
    r: &'a Requirement,
    interp: &Interp<'a>,
    e: &'a TExpr,
    seen: &mut Vec<usize>,
) -> Result<Option<String>, EvalError> {
    match &e.kind {
        TKind::Metric(i) if !seen.contains(i) => {
            seen.push(*i);
            return match r.metrics.get(*i) {
                Some(m) => empty_population(ctx, r, interp, &m.expr, seen),
                None => Ok(None),
            };
        }
        TKind::Quant(q) => {
            // Only a closed quantifier has one population; a nested one depends on the
            // record its outer quantifier binds.
            let QSource::Dataset(d) = &q.source else {
                return Ok(None);
            };
            let mut env = Vec::new();
            let (candidates, filtered) = interp.fast_candidates(q, &mut env)?;
            let mut any = false;
            let mut result = Ok(());
            candidates.for_each(|b| {
                Interp::bind(&mut env, q.slot, b);
                match interp.keeps(q, &mut env) {
                    Ok(kept) => any = filtered || kept,
                    Err(e) => result = Err(e),
                }
                !any && result.is_ok()
            });
            result?;
            if any {
                return Ok(None);
            }
            let name = ctx.program.datasets.get(*d).map_or("?", |d| d.name.as_str());
            return Ok(Some(match &q.filter {
                Some(f) => format!(
                    "no record of `{name}` matches `where {}`",
                    text_of(ctx.sources, f.span)
                ),
                None => format!("`{name}` has no records"),
            }));
        }
        _ => {}
    }
    let mut found = Ok(None);
    children(e, |c| {
        if matches!(found, Ok(None)) {
            found = empty_population(ctx, r, interp, c, seen);
        }
    });
    found
}

/// The records behind failing groups: for a grouped `share` or `all` over a dataset, the
/// records of those groups whose condition does not hold (the late Sales assignments).
fn group_offenders<'a>(
    ctx: &RunContext<'_>,
    interp: &Interp<'a>,
    q: &'a TQuant,
    failing_groups: &[GroupValue],
) -> Result<Failing<'a>, EvalError> {
    let (Some(key), Some(_), QSource::Dataset(_)) = (&q.group, &q.body, &q.source) else {
        return Ok(Failing::default());
    };
    if failing_groups.is_empty() || !matches!(q.kind, QuantKind::Share | QuantKind::All) {
        return Ok(Failing::default());
    }
    // Collecting the offenders scans the metric's quantifier again; `explain` counts only
    // the evaluation itself (as for the findings of other expects), so not through its trace.
    let quiet;
    let interp = if interp.trace.is_some() {
        quiet = Interp {
            trace: None,
            metrics: interp.metrics.clone(),
            group: interp.group.clone(),
            ..*interp
        };
        &quiet
    } else {
        interp
    };
    let wanted: HashSet<&str> = failing_groups.iter().map(|g| g.group.as_str()).collect();
    let mut env = Vec::new();
    let (candidates, filtered) = interp.fast_candidates(q, &mut env)?;
    let fast = interp.quant_fast(q);
    let group = fast.and_then(|f| f.group.as_ref());
    // The rows of one chunk that are in a failing group and do not satisfy the body. With a
    // coded key, whether a group is wanted is decided once per code.
    let chunk = |seq: RowSeq<'_>, start: usize, end: usize| -> Result<Vec<usize>, EvalError> {
        let mut env = Vec::new();
        let mut rows = Vec::new();
        let mut wanted_codes: ByCode<bool> = ByCode::default();
        let mut period = None;
        for i in start..end {
            let row = seq.at(i);
            Interp::bind(&mut env, q.slot, Bound::Row(row));
            if !filtered && !interp.keeps_with(q, fast, &mut env)? {
                continue;
            }
            let in_failing_group = match group {
                Some(g) => {
                    let code = g.code_cached(&env, &mut period)?;
                    *wanted_codes.entry(code).or_insert_with(|| {
                        let k = code.map_or(Value::None, |c| g.value(c));
                        wanted.contains(group_label(&k).as_str())
                    })
                }
                None => wanted.contains(group_label(&interp.eval(key, &mut env)?).as_str()),
            };
            if in_failing_group
                && interp
                    .body_with(q, fast, &mut env)?
                    .as_ref()
                    .map_or(Some(true), truth)
                    != Some(true)
            {
                rows.push(row);
            }
        }
        Ok(rows)
    };
    let Some(seq) = RowSeq::of(&candidates) else {
        return Ok(Failing::default());
    };
    // Chunks in parallel; the first error in row order wins, as in one sequential pass.
    let parts: Vec<Result<Vec<usize>, EvalError>> = seq
        .chunks()
        .par_iter()
        .map(|&(start, end)| chunk(seq, start, end))
        .collect();
    let mut rows = Vec::new();
    for p in parts {
        rows.extend(p?);
    }
    let records = rows
        .into_iter()
        .map(|row| FailingRecord {
            key: record_key(ctx, interp, q, row),
            row,
        })
        .collect();
    Ok(Failing {
        quant: Some(q),
        records,
    })
}

/// `<= 20` for an expect `p90_days <= 20`: the operator and the right side's value.
fn comparison_target<'a>(ctx: &RunContext<'_>, interp: &Interp<'a>, e: &'a TExpr) -> Option<String> {
    let TKind::Binary(op, _, r) = &e.kind else {
        return None;
    };
    if !(op.is_ordering()
        || matches!(
            op,
            crate::syntax::ast::BinaryOp::Eq | crate::syntax::ast::BinaryOp::Ne
        ))
    {
        return None;
    }
    let value = interp.eval(r, &mut Vec::new()).ok()?;
    let written = text_of(ctx.sources, r.span);
    let shown = value.to_string();
    Some(if written == shown || matches!(r.kind, TKind::Const(_)) {
        format!("{} {shown}", op.as_str())
    } else {
        format!("{} {shown} ({written})", op.as_str())
    })
}

/// Scans a top-level `all`/`no` and returns the population size and the failing bindings
/// (rows, or list element positions), in order.
fn offenders<'a>(
    ctx: &RunContext<'_>,
    interp: &Interp<'a>,
    q: &'a TQuant,
) -> Result<(usize, Vec<usize>), EvalError> {
    offenders_unnamed(interp, q).map_err(|(e, at)| match at {
        Some(at) => in_record(ctx, interp, q, at, e),
        None => e,
    })
}

/// An evaluation error raised while judging one record, with that record named: the
/// author sees which row of which export holds the value that overflowed.
fn in_record<'a>(
    ctx: &RunContext<'_>,
    interp: &Interp<'a>,
    q: &'a TQuant,
    at: usize,
    e: EvalError,
) -> EvalError {
    let mut record = match record_key(ctx, interp, q, at) {
        Some(key) => format!("record `{key}`"),
        None => format!("record {}", at + 1),
    };
    if let QSource::Dataset(d) = &q.source {
        let (file, line, _) = ctx.locate(*d, at);
        match (file.is_empty(), line) {
            (false, Some(line)) => record.push_str(&format!(" ({file}, line {line})")),
            (false, None) => record.push_str(&format!(" ({file})")),
            _ => {}
        }
    }
    EvalError {
        message: format!("{}, in {record}", e.message),
        span: e.span,
    }
}

/// An evaluation error and the record it was raised for, if any.
type RecordError = (EvalError, Option<usize>);

/// [`offenders`]; an error comes with the record it was raised for, if any.
fn offenders_unnamed<'a>(interp: &Interp<'a>, q: &'a TQuant) -> Result<(usize, Vec<usize>), RecordError> {
    let mut env = Vec::new();
    let failing_truth = |t: Option<bool>| match q.kind {
        // `all` fails unless the body is true; `no` fails unless it is false.
        QuantKind::All => t != Some(true),
        _ => t != Some(false),
    };
    let fast = interp.quant_fast(q);
    let truths = truth_body(interp, q, fast);
    let body_truth = |env: &mut Vec<Bound<'a>>| -> Result<Option<bool>, EvalError> {
        match truths {
            Some(fx) => fx.truth(env),
            None => Ok(interp.body_with(q, fast, env)?.as_ref().map_or(Some(true), truth)),
        }
    };
    let (candidates, filtered) = interp.fast_candidates(q, &mut env).map_err(|e| (e, None))?;
    // `all t in training: any a in training where a.user_id == t.user_id: …`: the body
    // answered from its key's counts, without the interpreter.
    let keyed = match truths {
        None if interp.trace.is_none() => interp.keyed.and_then(|k| k.body(interp, q)),
        _ => None,
    };
    if let Some(seq) = RowSeq::of(&candidates) {
        let parts: Vec<Result<(usize, Vec<usize>), RecordError>> = seq
            .chunks()
            .par_iter()
            .map(|&(start, end)| {
                let mut env = Vec::new();
                let mut population = 0;
                let mut failing = Vec::new();
                let mut last = None;
                for i in start..end {
                    let r = seq.at(i);
                    // A keyed body reads the row straight from its column.
                    if keyed.is_none() || !filtered {
                        Interp::bind(&mut env, q.slot, Bound::Row(r));
                    }
                    let at = |e| (e, Some(r));
                    if !filtered && !interp.keeps_with(q, fast, &mut env).map_err(at)? {
                        continue;
                    }
                    population += 1;
                    let t = match &keyed {
                        Some(k) => k.truth(r, &mut last).map_err(at)?,
                        None => body_truth(&mut env).map_err(at)?,
                    };
                    if failing_truth(t) {
                        failing.push(r);
                    }
                }
                Ok((population, failing))
            })
            .collect();
        let mut population = 0;
        let mut failing = Vec::new();
        for p in parts {
            let (n, f) = p?;
            population += n;
            failing.extend(f);
        }
        return Ok((population, failing));
    }
    let mut population = 0;
    let mut failing = Vec::new();
    let mut position = 0;
    let mut result = Ok(());
    candidates.for_each(|b| {
        let at = match &b {
            Bound::Row(r) => *r,
            Bound::Value(_) => position,
        };
        position += 1;
        Interp::bind(&mut env, q.slot, b);
        let step = (|| -> Result<(), EvalError> {
            if filtered || interp.keeps_with(q, fast, &mut env)? {
                population += 1;
                if failing_truth(body_truth(&mut env)?) {
                    failing.push(at);
                }
            }
            Ok(())
        })();
        if let Err(e) = step {
            result = Err((e, Some(at)));
            return false;
        }
        true
    });
    result.map(|()| (population, failing))
}

/// The key of a failing record (the dataset's key field), or the list element itself.
pub fn record_key<'a>(ctx: &RunContext<'_>, interp: &Interp<'a>, q: &'a TQuant, at: usize) -> Option<String> {
    match &q.source {
        QSource::Dataset(d) => {
            // A composite key reads as its parts joined with " / " (`U1042 / SEC-PHISH`).
            let rows = interp.rows(*d)?;
            let parts: Vec<String> = ctx
                .program
                .datasets
                .get(*d)?
                .key
                .iter()
                .map(|&k| rows.value(k, at))
                .filter(|v| !v.is_none())
                .map(|v| v.to_string())
                .collect();
            (!parts.is_empty()).then(|| parts.join(" / "))
        }
        QSource::List(list) => match interp.eval(list, &mut Vec::new()).ok()? {
            Value::List(items) => items.get(at).map(|s| s.to_string()),
            _ => None,
        },
    }
}

/// The finding for one failing record: where it is, and why it fails.
pub fn finding<'a>(
    ctx: &'a RunContext<'a>,
    interp: &Interp<'a>,
    expect_index: usize,
    q: &'a TQuant,
    f: &FailingRecord,
) -> Finding {
    let mut env = Vec::new();
    let (dataset, file, line, index) = match &q.source {
        QSource::Dataset(d) => {
            Interp::bind(&mut env, q.slot, Bound::Row(f.row));
            let name = ctx
                .program
                .datasets
                .get(*d)
                .map_or(String::new(), |x| x.name.clone());
            let (file, line, index) = ctx.locate(*d, f.row);
            (name, file, line, index)
        }
        QSource::List(_) => {
            Interp::bind(
                &mut env,
                q.slot,
                Bound::Value(Value::Text(f.key.clone().unwrap_or_default().into())),
            );
            ("(list)".to_string(), String::new(), None, Some(f.row as u64))
        }
    };
    let explanation = explain_failure(ctx, interp, q, &mut env);
    // Each name once (the schema's promise): in a join, the same expression is explained for
    // several inner records; the first explained (the one the reason speaks of) is kept.
    let mut values: Vec<NamedValue> = Vec::new();
    for v in explanation.values {
        if !values.iter().any(|x| x.name == v.name) {
            values.push(v);
        }
    }
    Finding {
        expect: expect_index,
        dataset,
        key: f.key.clone(),
        file,
        line,
        index,
        reason: explanation.reason,
        values,
        waived_by: None,
    }
}
