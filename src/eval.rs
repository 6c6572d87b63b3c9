//! Evaluation: every requirement against the loaded evidence, then waivers,
//! applicability and per-standard readiness. Requirements run in parallel (rayon); the
//! result never depends on scheduling.

pub mod explain;
pub mod fast;
pub mod interp;
mod inventory;
pub mod join;
pub mod keyed;
pub mod memo;
pub mod memory;
pub mod model;
mod readiness;
pub mod requirement;
pub mod sample;
mod tables;
pub mod trace;

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::check::program::{Func, Program, QSource, Requirement, TExpr, TKind, Waiver};
use crate::diagnostic::Code;
use crate::source::{SourceMap, Span};
use crate::value::{self, Value};
use interp::{EvalError, Interp, MetricValue, Rows};
use join::{JoinCache, JoinPlans};
use model::*;

/// Facts about an evidence file, for the inventory.
#[derive(Clone, Debug, Default)]
pub struct FileFacts {
    /// Path relative to the evidence directory.
    pub path: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Encoding, delimiter and other facts about reading it.
    pub notes: Vec<String>,
}

/// Where a record is in its file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowLocation {
    /// Line (CSV: where the record starts; JSON Lines: its line).
    pub line: Option<u64>,
    /// Index in a JSON array or row of a sheet.
    pub index: Option<u64>,
}

/// Records that can say where they come from.
pub trait Located: Rows {
    /// Where a record is.
    fn location(&self, row: usize) -> RowLocation;
}

/// One dataset's evidence as the evaluator receives it.
pub struct DatasetInput<'a> {
    /// The records, when the export loaded.
    pub rows: Option<&'a dyn Located>,
    /// The load error, when it did not (file, line, column, value and why).
    pub error: Option<String>,
    /// The file, when it was read.
    pub file: Option<FileFacts>,
}

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The evaluation instant, microseconds since the epoch (midnight UTC of `--as-of`).
    pub as_of: i64,
    /// Standards in scope (`--standard`); empty for all.
    pub standards: Vec<String>,
    /// `--param` values, already typed.
    pub params: Vec<(usize, Value<'static>)>,
    /// Cited records per expect at most (all are counted).
    pub max_findings: usize,
}

/// Everything evaluation reads.
pub struct RunContext<'a> {
    /// The checked program.
    pub program: &'a Program,
    /// Rule sources, to quote expressions.
    pub sources: &'a SourceMap,
    /// Evidence per dataset (same order as `program.datasets`).
    pub datasets: &'a [DatasetInput<'a>],
    /// Records per dataset for the interpreter.
    pub rows: Vec<Option<&'a dyn Rows>>,
    /// Param values in effect.
    pub params: Vec<Value<'static>>,
    /// Evaluation instant.
    pub as_of: i64,
    /// Join plans.
    pub plans: JoinPlans,
    /// Shared join indexes.
    pub joins: JoinCache,
    /// Compiled fast paths, with their shared selections.
    pub fast: fast::FastPlans<'a>,
    /// Nested quantifiers memoized by the values they read from outer records.
    pub memo_plans: memo::MemoPlans<'a>,
    /// Their results so far.
    pub memo: memo::Memo,
    /// Nested quantifiers answered per join key.
    pub keyed: keyed::KeyedPlans,
    /// Cited records per expect at most.
    pub max_findings: usize,
    /// The newest freshness value per dataset, once computed.
    newest: Vec<std::sync::OnceLock<Option<i64>>>,
    /// Statistics for `explain`, when asked for.
    pub trace: Option<trace::Trace>,
    /// Use hash joins for nested quantifiers (off only to check them against nested loops).
    pub use_joins: bool,
    /// Use the compiled fast paths (typed column kernels, cached selections, grouping by
    /// codes); off only to check them against the row interpreter, which defines the
    /// semantics.
    pub use_fast_paths: bool,
}

impl<'a> RunContext<'a> {
    /// Prepares evaluation: params, join plans.
    pub fn new(
        program: &'a Program,
        sources: &'a SourceMap,
        datasets: &'a [DatasetInput<'a>],
        options: &RunOptions,
    ) -> RunContext<'a> {
        let mut params: Vec<Value<'static>> = program.params.iter().map(|p| p.value.clone()).collect();
        for (i, v) in &options.params {
            if let Some(p) = params.get_mut(*i) {
                *p = v.clone();
            }
        }
        let rows: Vec<Option<&'a dyn Rows>> =
            datasets.iter().map(|d| d.rows.map(|r| r as &dyn Rows)).collect();
        let plans = JoinPlans::build(program);
        let joins = JoinCache::new(plans.indexes());
        let keyed = keyed::KeyedPlans::build(program, &plans);
        let fast = fast::FastPlans::build(program, &plans, &rows, &params, options.as_of);
        RunContext {
            program,
            sources,
            datasets,
            rows,
            params,
            as_of: options.as_of,
            plans,
            joins,
            fast,
            memo_plans: memo::MemoPlans::build(program),
            memo: memo::Memo::new(),
            keyed,
            max_findings: options.max_findings,
            newest: datasets.iter().map(|_| std::sync::OnceLock::new()).collect(),
            trace: None,
            use_joins: true,
            use_fast_paths: true,
        }
    }

    /// Evaluates one requirement with this context (for `explain`, which keeps the context
    /// to look at the trace and at single records afterwards).
    pub fn evaluate(&self, index: usize) -> Option<(RequirementReport, Vec<MetricValue<'static>>)> {
        let soa = statements_of_applicability(self);
        let r = self.program.requirements.get(index)?;
        let e = evaluate_requirement(self, &soa, index, r, value::micros_to_date(self.as_of));
        Some((e.report, e.metrics))
    }

    /// An interpreter for one requirement.
    pub fn interp(&'a self, allow_empty: bool) -> Interp<'a> {
        Interp {
            program: self.program,
            data: &self.rows,
            params: &self.params,
            as_of: self.as_of,
            allow_empty,
            metrics: Vec::new(),
            group: None,
            plans: &self.plans,
            joins: self.use_joins.then_some(&self.joins),
            trace: self.trace.as_ref(),
            // `explain` counts every record the interpreter looks at: no fast paths there.
            fast: (self.use_fast_paths && self.trace.is_none()).then_some(&self.fast),
            memo: (self.use_fast_paths && self.trace.is_none()).then_some((&self.memo_plans, &self.memo)),
            // Like the join it replaces, and a fast path: off with either.
            keyed: (self.use_joins && self.use_fast_paths && self.trace.is_none()).then_some(&self.keyed),
        }
    }

    /// File, line and index of a record.
    pub fn locate(&self, dataset: usize, row: usize) -> (String, Option<u64>, Option<u64>) {
        let input = self.datasets.get(dataset);
        let file = input
            .and_then(|d| d.file.as_ref())
            .map_or(String::new(), |f| f.path.clone());
        let loc = input
            .and_then(|d| d.rows)
            .map(|r| r.location(row))
            .unwrap_or_default();
        (file, loc.line, loc.index)
    }

    /// An evaluation error as a message that names the rule file and line.
    pub fn error_message(&self, e: &EvalError) -> String {
        let (file, line, col) = self.sources.locate(e.span);
        format!("{}: {file}:{line}:{col}: {}", Code::R501.as_str(), e.message)
    }
}

/// The text of a span, with runs of whitespace folded so multi-line expressions read on
/// one line.
pub fn text_of(sources: &SourceMap, span: Span) -> String {
    sources
        .get(span.file)
        .slice(span)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a requirement cannot be evaluated, when its evidence is not usable.
fn evidence_problem(ctx: &RunContext<'_>, r: &Requirement) -> Option<(Outcome, String)> {
    for &d in &r.datasets {
        let (Some(dataset), Some(input)) = (ctx.program.datasets.get(d), ctx.datasets.get(d)) else {
            continue;
        };
        if let Some(e) = &input.error {
            return Some((
                Outcome::Error,
                format!("dataset `{}` could not be loaded: {e}", dataset.name),
            ));
        }
    }
    for &d in &r.datasets {
        let (Some(dataset), Some(input)) = (ctx.program.datasets.get(d), ctx.datasets.get(d)) else {
            continue;
        };
        let file = input
            .file
            .as_ref()
            .map_or(dataset.spec.source.clone(), |f| f.path.clone());
        match input.rows {
            Some(rows) if rows.is_empty() => {
                return Some((
                    Outcome::NoEvidence,
                    format!(
                        "the export `{file}` (dataset `{}`) holds no records",
                        dataset.name
                    ),
                ));
            }
            None => {
                return Some((
                    Outcome::Error,
                    format!("dataset `{}` was not loaded", dataset.name),
                ));
            }
            Some(_) => {}
        }
        if let Some(stale) = staleness(ctx, d) {
            return Some((Outcome::NoEvidence, stale));
        }
    }
    blind_filter(ctx, r).map(|message| (Outcome::NoEvidence, message))
}

/// A message when a `where` filter over a dataset reads a field that is empty in every
/// record of the export. Such a filter keeps no record (an unknown condition leaves the
/// record out), so `no`, `count` and `any` would judge an empty population and could pass:
/// `(count c in capa where c.status in open_states: …) == 0` passes on an export whose
/// Status column came out blank. A column empty in every record says the export is
/// broken, not that nothing is in scope, so the requirement has no evidence.
fn blind_filter(ctx: &RunContext<'_>, r: &Requirement) -> Option<String> {
    let mut read: Vec<(usize, usize, &str)> = Vec::new();
    let mut stack: Vec<&TExpr> = r.metrics.iter().map(|m| &m.expr).collect();
    stack.extend(r.expects.iter().map(|e| &e.expr));
    while let Some(e) = stack.pop() {
        if let TKind::Quant(q) = &e.kind {
            if let (QSource::Dataset(_), Some(filter)) = (&q.source, &q.filter) {
                let mut fields = Vec::new();
                let mut tested = Vec::new();
                let mut inner = vec![(filter, false)];
                while let Some((f, under_test)) = inner.pop() {
                    if let TKind::Field { slot, dataset, field } = f.kind {
                        if slot == q.slot {
                            if under_test {
                                tested.push((dataset, field));
                            } else {
                                fields.push((dataset, field));
                            }
                        }
                    }
                    // A filter that tests for emptiness (`c.closed is none`, `coalesce(…)`)
                    // is written for empty values: every record empty is an answer there,
                    // not a broken export. Such a field is left out wherever it appears.
                    let test =
                        under_test || matches!(f.kind, TKind::IsNone(..) | TKind::Call(Func::Coalesce, _));
                    join::children(f, |c| inner.push((c, test)));
                }
                for (dataset, field) in fields {
                    if !tested.contains(&(dataset, field))
                        && !read.iter().any(|&(d, x, _)| (d, x) == (dataset, field))
                    {
                        read.push((dataset, field, q.var.as_str()));
                    }
                }
            }
        }
        join::children(e, |c| stack.push(c));
    }
    for (dataset, field, var) in read {
        let Some(rows) = ctx.datasets.get(dataset).and_then(|i| i.rows) else {
            continue;
        };
        if rows.is_empty() || (0..rows.len()).any(|row| !matches!(rows.value(field, row), Value::None)) {
            continue;
        }
        let Some(d) = ctx.program.datasets.get(dataset) else {
            continue;
        };
        let file = ctx
            .datasets
            .get(dataset)
            .and_then(|i| i.file.as_ref())
            .map_or(d.spec.source.clone(), |f| f.path.clone());
        let name = d.fields.get(field).map_or("?", |f| f.name.as_str());
        return Some(format!(
            "every `{name}` value in the export `{file}` is empty ({} records), so the `where` of `{var} in {}` cannot tell which records are in scope",
            rows.len(),
            d.name
        ));
    }
    None
}

/// The newest value of a dataset's freshness field.
fn newest(ctx: &RunContext<'_>, dataset: usize) -> Option<i64> {
    // Every requirement reading the dataset asks: scan it once.
    *ctx.newest.get(dataset)?.get_or_init(|| scan_newest(ctx, dataset))
}

fn scan_newest(ctx: &RunContext<'_>, dataset: usize) -> Option<i64> {
    let fresh = ctx.program.datasets.get(dataset)?.freshness?;
    let rows = ctx.datasets.get(dataset)?.rows?;
    // A typed column is read as integers (the same values `Rows::value` would give).
    if let Some(column) = rows.column(fresh.field) {
        if let Some(times) = column.as_datetimes() {
            return times
                .iter()
                .copied()
                .filter(|&t| t != crate::evidence::NONE_MICROS)
                .max();
        }
        if let Some(days) = column.as_dates() {
            return days
                .iter()
                .copied()
                .filter(|&d| d != crate::evidence::NONE_DATE)
                .max()
                .map(value::date_to_micros);
        }
    }
    (0..rows.len())
        .filter_map(|r| match rows.value(fresh.field, r) {
            Value::DateTime(t) => Some(t),
            Value::Date(d) => Some(value::date_to_micros(d)),
            _ => None,
        })
        .max()
}

/// A message when a dataset's newest record is older than its freshness allows.
fn staleness(ctx: &RunContext<'_>, dataset: usize) -> Option<String> {
    let d = ctx.program.datasets.get(dataset)?;
    let fresh = d.freshness?;
    let file = ctx
        .datasets
        .get(dataset)
        .and_then(|i| i.file.as_ref())
        .map_or(d.spec.source.clone(), |f| f.path.clone());
    let field = d.fields.get(fresh.field).map_or("?", |f| f.name.as_str());
    match newest(ctx, dataset) {
        None => Some(format!(
            "the export `{file}` has no `{field}` value, so its freshness cannot be shown"
        )),
        Some(t) if ctx.as_of - t > fresh.within => Some(format!(
            "the export `{file}` is stale: its newest `{field}` is {} ({} before as_of); the rules require {}",
            value::format_datetime(t),
            value::format_duration(ctx.as_of - t),
            value::format_duration(fresh.within)
        )),
        Some(_) => None,
    }
}

/// What the Statements of Applicability say about one requirement. Applicability is per
/// standard: a requirement mapped to an excluded Annex A control of one standard and to a
/// clause of another does not apply to the first and is evaluated for the second.
struct NotApplicable {
    /// Standards (ids, in the order the requirement names them) all of whose referenced
    /// items are controls the SoA excludes.
    standards: Vec<String>,
    /// `iso27001:A.8.32 — No in-house software development`, per excluded item of them.
    reasons: Vec<String>,
    /// True when that is every standard the requirement references.
    everywhere: bool,
}

/// Whether a requirement is not applicable per the Statements of Applicability, for which
/// standards, and why.
fn not_applicable(program: &Program, soa: &Soa, r: &Requirement) -> NotApplicable {
    // Per standard, in the order the requirement names them: (excluded so far, reasons).
    let mut per_standard: Vec<(usize, bool, Vec<String>)> = Vec::new();
    for c in &r.clauses {
        let Some(standard) = program.standards.get(c.standard) else {
            continue;
        };
        let Some(item) = standard.items.get(c.item) else {
            continue;
        };
        let excluded = match soa.get(&(c.standard, item.id.clone())) {
            Some((false, justification)) if item.kind == crate::syntax::ast::EntryKind::Control => {
                Some(format!(
                    "{}:{} — {}",
                    standard.id,
                    item.id,
                    justification.as_deref().unwrap_or("no justification given")
                ))
            }
            _ => None,
        };
        let entry = match per_standard.iter().position(|(si, _, _)| *si == c.standard) {
            Some(i) => per_standard.get_mut(i),
            None => {
                per_standard.push((c.standard, true, Vec::new()));
                per_standard.last_mut()
            }
        };
        if let Some((_, all_excluded, reasons)) = entry {
            match excluded {
                Some(reason) => reasons.push(reason),
                None => *all_excluded = false,
            }
        }
    }
    let mut out = NotApplicable {
        standards: Vec::new(),
        reasons: Vec::new(),
        everywhere: !per_standard.is_empty(),
    };
    for (si, all_excluded, reasons) in per_standard {
        if all_excluded {
            if let Some(s) = program.standards.get(si) {
                out.standards.push(s.id.clone());
            }
            out.reasons.extend(reasons);
        } else {
            out.everywhere = false;
        }
    }
    out
}

/// R508 warnings: controls a Statement of Applicability excludes without a justification.
/// The exclusion still applies (the SoA is the organisation's decision), but an auditor
/// will ask for the reason, so the report says it is missing.
fn unjustified_exclusions(ctx: &RunContext<'_>) -> Vec<Warning> {
    let mut out = Vec::new();
    for a in &ctx.program.applicability {
        let Some(rows) = ctx.datasets.get(a.dataset).and_then(|d| d.rows) else {
            continue;
        };
        let standard = ctx
            .program
            .standards
            .get(a.standard)
            .map_or("", |s| s.id.as_str());
        let file = ctx
            .program
            .datasets
            .get(a.dataset)
            .map_or(String::new(), |d| d.spec.source.clone());
        for r in 0..rows.len() {
            let Value::Text(control) = rows.value(a.control, r) else {
                continue;
            };
            if !matches!(rows.value(a.applicable, r), Value::Bool(false)) {
                continue;
            }
            let justified = a
                .justification
                .is_some_and(|j| matches!(rows.value(j, r), Value::Text(t) if !t.trim().is_empty()));
            if !justified {
                out.push(Warning {
                    code: Code::R508.as_str(),
                    message: format!(
                        "the Statement of Applicability `{file}` excludes `{standard}:{}` without a justification: \
                         the exclusion applies, but an auditor will ask why; fill in the justification",
                        control.trim()
                    ),
                });
            }
        }
    }
    out
}

/// (standard, control id) → (applicable, justification).
type Soa = HashMap<(usize, String), (bool, Option<String>)>;

fn statements_of_applicability(ctx: &RunContext<'_>) -> Soa {
    let mut soa = Soa::new();
    for a in &ctx.program.applicability {
        let Some(rows) = ctx.datasets.get(a.dataset).and_then(|d| d.rows) else {
            continue;
        };
        for r in 0..rows.len() {
            let control = rows.value(a.control, r);
            let Value::Text(control) = control else {
                continue;
            };
            // Only an explicit "not applicable" excludes a control: an empty cell is not
            // a justification, so the control stays in scope (fail closed).
            let applicable = !matches!(rows.value(a.applicable, r), Value::Bool(false));
            let justification = a.justification.and_then(|j| match rows.value(j, r) {
                Value::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
                _ => None,
            });
            soa.insert(
                (a.standard, control.trim().to_string()),
                (applicable, justification),
            );
        }
    }
    soa
}

/// Whether a waiver applies on `today`: approved (when it says when) and not expired.
pub(crate) fn waiver_in_force(w: &Waiver, today: i32) -> bool {
    w.expires >= today && w.approved_on.is_none_or(|a| a <= today)
}

/// What waivers did to one requirement.
struct WaiverUse {
    applied: Vec<String>,
    unmatched: Vec<String>,
}

/// Evaluates every requirement in scope and assembles the report.
pub fn run(
    program: &Program,
    sources: &SourceMap,
    datasets: &[DatasetInput<'_>],
    options: &RunOptions,
) -> RunReport {
    run_timed(program, sources, datasets, options).0
}

/// Wall time spent on one requirement (`--timings`).
#[derive(Clone, Debug)]
pub struct RequirementTiming {
    /// Requirement id.
    pub id: String,
    /// Time to evaluate it, waivers and findings included.
    pub elapsed: std::time::Duration,
    /// Records its top-level quantifiers examined.
    pub records: usize,
}

/// [`run`], also returning how long each requirement took. Timings never enter the
/// report, which stays byte-identical from run to run.
pub fn run_timed(
    program: &Program,
    sources: &SourceMap,
    datasets: &[DatasetInput<'_>],
    options: &RunOptions,
) -> (RunReport, Vec<RequirementTiming>) {
    let ctx = RunContext::new(program, sources, datasets, options);
    let today = value::micros_to_date(options.as_of);
    let in_scope = |r: &Requirement| {
        options.standards.is_empty()
            || r.clauses.iter().any(|c| {
                program
                    .standards
                    .get(c.standard)
                    .is_some_and(|s| options.standards.contains(&s.id))
            })
    };
    let selected: Vec<usize> = (0..program.requirements.len())
        .filter(|&i| {
            program
                .requirements
                .get(i)
                .is_some_and(|r| r.disabled.is_none() && in_scope(r))
        })
        .collect();
    let soa = statements_of_applicability(&ctx);

    let results: Vec<(Evaluation, std::time::Duration)> = selected
        .par_iter()
        .filter_map(|&i| program.requirements.get(i).map(|r| (i, r)))
        .map(|(i, r)| {
            let started = std::time::Instant::now();
            let e = evaluate_requirement(&ctx, &soa, i, r, today);
            (e, started.elapsed())
        })
        .collect();

    let mut warnings = unjustified_exclusions(&ctx);
    let mut waiver_uses: HashMap<String, WaiverUse> = HashMap::new();
    let mut requirements = Vec::new();
    let mut timings = Vec::with_capacity(results.len());
    for (e, elapsed) in results {
        timings.push(RequirementTiming {
            id: e.report.id.clone(),
            elapsed,
            records: e.report.expects.iter().filter_map(|x| x.population).sum(),
        });
        requirements.push(e.report);
        waiver_uses.extend(e.uses);
    }

    let waivers = inventory::waiver_reports(program, &selected, &waiver_uses, today, &mut warnings);
    let attestations = inventory::attestation_reports(program, today, &mut warnings);
    let evidence = inventory::evidence_reports(&ctx, &mut warnings);
    let scope: Vec<String> = program
        .standards_in_order()
        .into_iter()
        .filter_map(|i| program.standards.get(i))
        .filter(|s| options.standards.is_empty() || options.standards.contains(&s.id))
        .map(|s| s.id.clone())
        .collect();
    let standards = readiness::standards(&ctx, &requirements, &scope, &soa, today);
    let combined = readiness::combined(program, &soa, &requirements, &scope);

    let mut summary = Summary {
        requirements: requirements.len(),
        ..Summary::default()
    };
    for r in &requirements {
        summary.outcomes.add(r.outcome);
    }
    summary.verdict = standards.iter().map(|s| s.verdict).max();

    let param_overrides = options
        .params
        .iter()
        .filter_map(|(i, v)| {
            let p = program.params.get(*i)?;
            Some(ParamOverride {
                name: p.name.clone(),
                declared: p.value.to_string(),
                value: v.to_string(),
            })
        })
        .collect();

    let disabled = program
        .requirements
        .iter()
        .filter_map(|r| {
            r.disabled.as_ref().map(|reason| DisabledReport {
                id: r.id.clone(),
                reason: reason.clone(),
            })
        })
        .collect();

    let report = RunReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "auditready",
            version: env!("CARGO_PKG_VERSION"),
        },
        as_of: value::format_datetime(options.as_of),
        scope,
        param_overrides,
        standards,
        combined,
        requirements,
        waivers,
        attestations,
        disabled,
        evidence,
        rules: inventory::rule_files(sources),
        warnings,
        summary,
    };
    (report, timings)
}

/// A requirement's report, what its waivers did, and its metric values.
struct Evaluation {
    report: RequirementReport,
    uses: HashMap<String, WaiverUse>,
    metrics: Vec<MetricValue<'static>>,
}

fn evaluate_requirement(
    ctx: &RunContext<'_>,
    soa: &Soa,
    index: usize,
    r: &Requirement,
    today: i32,
) -> Evaluation {
    let program = ctx.program;
    let (file, line, _) = ctx.sources.locate(r.span);
    let mut report = RequirementReport {
        id: r.id.clone(),
        title: r.title.clone(),
        severity: r.severity,
        owner: r.owner.clone(),
        description: r.description.clone(),
        defined_at: format!("{file}:{line}"),
        clauses: r.clauses.iter().filter_map(|c| program.clause_label(c)).collect(),
        outcome: Outcome::Pass,
        message: String::new(),
        datasets: r
            .datasets
            .iter()
            .filter_map(|d| program.datasets.get(*d).map(|d| d.name.clone()))
            .collect(),
        expects: Vec::new(),
        metrics: Vec::new(),
        findings: Vec::new(),
        waived_records: Vec::new(),
        waivers: Vec::new(),
        not_applicable: None,
        not_applicable_to: Vec::new(),
        errors: Vec::new(),
    };
    let mut uses = HashMap::new();

    let na = not_applicable(program, soa, r);
    if na.everywhere {
        let reason = format!(
            "not applicable per the Statement of Applicability: {}",
            na.reasons.join("; ")
        );
        report.outcome = Outcome::NotApplicable;
        report.message = reason.clone();
        report.not_applicable = Some(reason);
        report.not_applicable_to = na.standards;
        return Evaluation {
            report,
            uses,
            metrics: Vec::new(),
        };
    }
    if !na.standards.is_empty() {
        report.not_applicable = Some(format!(
            "not applicable to {} per the Statement of Applicability: {}",
            na.standards.join(", "),
            na.reasons.join("; ")
        ));
        report.not_applicable_to = na.standards;
    }
    if let Some((outcome, message)) = evidence_problem(ctx, r) {
        report.outcome = outcome;
        if outcome == Outcome::Error {
            report.errors.push(message.clone());
        }
        report.message = message;
        return Evaluation {
            report,
            uses,
            metrics: Vec::new(),
        };
    }

    let evaluated = requirement::evaluate(ctx, r);
    let mut outcome = evaluated.outcome();
    report.errors = evaluated.errors.clone();
    report.metrics = evaluated.metrics.clone();
    report.expects = evaluated.expects.clone();

    // Waivers: record-level ones remove named records from the failures; a whole-requirement
    // one turns a remaining failure into `waived`. Only waivers in force apply: not expired,
    // and not approved after `as_of` (a waiver approved in October did not excuse anything
    // in September).
    let active: Vec<&Waiver> = program
        .waivers
        .iter()
        .filter(|w| w.requirement == index && waiver_in_force(w, today))
        .collect();
    let waived_keys: HashSet<String> = active.iter().flat_map(|w| w.records.iter().cloned()).collect();
    let interp = {
        let mut i = ctx.interp(r.allow_empty);
        // Explanations may read metrics.
        i.metrics = evaluated.metric_values.clone();
        // Explaining failures re-evaluates; `explain` counts only the evaluation itself.
        i.trace = None;
        i
    };
    let mut remaining_failures = false;
    let mut record_waived_any = false;
    for (ei, failing) in evaluated.failing.iter().enumerate() {
        let Some(q) = failing.quant else {
            continue;
        };
        let failing = &failing.records;
        let remaining: Vec<&requirement::FailingRecord> = failing
            .iter()
            .filter(|f| f.key.as_ref().is_none_or(|k| !waived_keys.contains(k)))
            .collect();
        let waived: Vec<&requirement::FailingRecord> = failing
            .iter()
            .filter(|f| f.key.as_ref().is_some_and(|k| waived_keys.contains(k)))
            .collect();
        if !remaining.is_empty() {
            remaining_failures = true;
        }
        if let Some(er) = report.expects.get_mut(ei) {
            er.truncated = remaining.len() > ctx.max_findings;
            er.waived = waived.len();
        }
        // Explaining a failure re-evaluates the record and formats its values: a thousand
        // cited records are worth spreading over the threads (collect keeps their order).
        let cited = remaining
            .get(..remaining.len().min(ctx.max_findings))
            .unwrap_or_default();
        let findings: Vec<Finding> = cited
            .par_iter()
            .map(|f| requirement::finding(ctx, &interp, ei, q, f))
            .collect();
        report.findings.extend(findings);
        for f in waived {
            record_waived_any = true;
            let mut finding = requirement::finding(ctx, &interp, ei, q, f);
            let key = f.key.clone().unwrap_or_default();
            let by = active
                .iter()
                .find(|w| w.records.contains(&key))
                .map(|w| w.id.clone());
            if let Some(id) = &by {
                uses.entry(id.clone())
                    .or_insert_with(|| WaiverUse {
                        applied: Vec::new(),
                        unmatched: Vec::new(),
                    })
                    .applied
                    .push(key.clone());
            }
            finding.waived_by = by;
            report.waived_records.push(finding);
        }
    }
    let other_failures = report
        .expects
        .iter()
        .zip(&evaluated.failing)
        .any(|(e, failing)| e.outcome == Outcome::Fail && failing.records.is_empty());
    if outcome == Outcome::Fail && !remaining_failures && !other_failures && record_waived_any {
        outcome = Outcome::Waived;
    }
    if outcome == Outcome::Fail {
        if let Some(w) = active.iter().find(|w| w.records.is_empty()) {
            outcome = Outcome::Waived;
            uses.entry(w.id.clone())
                .or_insert_with(|| WaiverUse {
                    applied: Vec::new(),
                    unmatched: Vec::new(),
                })
                .applied
                .push(r.id.clone());
            // The waiver covers every failure: its records are waived records, not findings
            // (the schema's promise: `findings` holds records that are not waived).
            for mut f in std::mem::take(&mut report.findings) {
                f.waived_by = Some(w.id.clone());
                report.waived_records.push(f);
            }
            for e in report.expects.iter_mut().filter(|e| e.outcome == Outcome::Fail) {
                e.waived = e.failing.unwrap_or(0);
            }
        }
    }
    for w in &active {
        let entry = uses.entry(w.id.clone()).or_insert_with(|| WaiverUse {
            applied: Vec::new(),
            unmatched: Vec::new(),
        });
        entry.unmatched = w
            .records
            .iter()
            .filter(|k| !entry.applied.contains(k))
            .cloned()
            .collect();
    }
    report.waivers = uses
        .iter()
        .filter(|(_, u)| !u.applied.is_empty())
        .map(|(id, _)| id.clone())
        .collect();
    report.waivers.sort();
    // A waiver answers for failures, never for an expect that had nothing to judge: the
    // requirement stays `no evidence` until that evidence is there.
    if outcome == Outcome::Waived && report.expects.iter().any(|e| e.outcome == Outcome::NoEvidence) {
        outcome = Outcome::NoEvidence;
    }
    report.outcome = outcome;
    report.message = message(&report);
    let metrics = evaluated
        .metric_values
        .iter()
        .map(MetricValue::to_owned_value)
        .collect();
    Evaluation {
        report,
        uses,
        metrics,
    }
}

/// Evaluates one requirement (rule tests, `explain`): its report and its metric values.
pub fn evaluate_one(
    program: &Program,
    sources: &SourceMap,
    datasets: &[DatasetInput<'_>],
    options: &RunOptions,
    index: usize,
) -> Option<(RequirementReport, Vec<MetricValue<'static>>)> {
    let ctx = RunContext::new(program, sources, datasets, options);
    let soa = statements_of_applicability(&ctx);
    let r = program.requirements.get(index)?;
    let e = evaluate_requirement(&ctx, &soa, index, r, value::micros_to_date(options.as_of));
    Some((e.report, e.metrics))
}

/// One line saying why a requirement has its outcome.
fn message(r: &RequirementReport) -> String {
    match r.outcome {
        Outcome::Pass => {
            let checked: Vec<String> = r
                .expects
                .iter()
                .filter_map(|e| {
                    e.population
                        .map(|p| format!("{p} record{}", if p == 1 { "" } else { "s" }))
                })
                .collect();
            if checked.is_empty() {
                "every expect holds".to_string()
            } else {
                format!("every expect holds ({} checked)", checked.join(", "))
            }
        }
        Outcome::Error => r
            .errors
            .first()
            .cloned()
            .unwrap_or_else(|| "evaluation failed".into()),
        Outcome::Waived => {
            // Counted per expect: `waived_records` stops at `--max-findings`.
            let waived: usize = r
                .expects
                .iter()
                .filter(|e| e.failing_groups.is_empty() && e.population.is_some())
                .map(|e| e.waived)
                .sum();
            if waived == 0 {
                format!("fails, waived by {}", r.waivers.join(", "))
            } else {
                format!(
                    "{waived} failing record{} waived by {}",
                    if waived == 1 { "" } else { "s" },
                    r.waivers.join(", ")
                )
            }
        }
        Outcome::NotApplicable => r.not_applicable.clone().unwrap_or_default(),
        Outcome::Fail | Outcome::NoEvidence => {
            let mut parts = Vec::new();
            // Every expect that did not pass, missing evidence first.
            for outcome in [Outcome::NoEvidence, Outcome::Fail] {
                for e in r.expects.iter().filter(|e| e.outcome == outcome) {
                    parts.push(expect_summary(e, outcome));
                }
            }
            parts.join("; ")
        }
    }
}

fn expect_summary(e: &ExpectReport, outcome: Outcome) -> String {
    if outcome == Outcome::NoEvidence {
        return match e.population {
            Some(0) => format!("no record matches `{}`", e.expect),
            _ => match &e.no_match {
                Some(why) => format!("`{}` cannot be shown: {why}", e.expect),
                None => format!("`{}` cannot be shown: a value it needs is empty", e.expect),
            },
        };
    }
    if !e.failing_groups.is_empty() {
        let groups: Vec<String> = e
            .failing_groups
            .iter()
            .map(|g| format!("{} {}", g.group, g.value))
            .collect();
        return format!(
            "{} of {} groups miss the target{}: {}",
            e.failing_groups.len(),
            e.population.unwrap_or(0),
            e.target.as_ref().map_or(String::new(), |t| format!(" ({t})")),
            groups.join(", ")
        );
    }
    match (e.failing, e.population, &e.measured, &e.target) {
        (Some(f), Some(p), _, _) => {
            let remaining = f.saturating_sub(e.waived);
            let waived = if e.waived > 0 {
                format!(" ({} waived)", e.waived)
            } else {
                String::new()
            };
            format!(
                "{remaining} of {p} record{} fail{waived}",
                if p == 1 { "" } else { "s" }
            )
        }
        (_, _, Some(m), Some(t)) => format!("measured {m}, target {t}"),
        _ => format!("`{}` does not hold", e.expect),
    }
}

/// Clause coverage of every standard in scope without evaluating anything: which catalog
/// items enabled requirements and unexpired attestations cover. Statements of
/// Applicability are read from `datasets` where they loaded.
pub fn coverage_only(
    program: &Program,
    sources: &SourceMap,
    datasets: &[DatasetInput<'_>],
    options: &RunOptions,
) -> Vec<(String, String, Coverage)> {
    let ctx = RunContext::new(program, sources, datasets, options);
    let soa = statements_of_applicability(&ctx);
    let today = value::micros_to_date(options.as_of);
    let enabled: std::collections::BTreeSet<&str> = program
        .requirements
        .iter()
        .filter(|r| r.disabled.is_none())
        .map(|r| r.id.as_str())
        .collect();
    program
        .standards_in_order()
        .into_iter()
        .filter_map(|si| program.standards.get(si).map(|s| (si, s)))
        .filter(|(_, s)| options.standards.is_empty() || options.standards.contains(&s.id))
        .map(|(si, s)| {
            (
                s.id.clone(),
                s.title.clone(),
                readiness::coverage(program, si, &enabled, &soa, today),
            )
        })
        .collect()
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Groups requirement reports by id for lookups.
pub fn by_id(reports: &[RequirementReport]) -> BTreeMap<&str, &RequirementReport> {
    reports.iter().map(|r| (r.id.as_str(), r)).collect()
}

#[cfg(test)]
mod tests;
