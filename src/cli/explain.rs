//! `auditready explain <requirement> [--record ID]`: the evaluation as a tree — every
//! quantifier with the records it saw and kept and the join it used, every metric's value,
//! and for one record its field values and the sub-expression that decided.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use super::{Exit, common};
use crate::check::program::{QSource, TExpr, TKind, TQuant};
use crate::eval::interp::{Bound, Interp, truth};
use crate::eval::join::children;
use crate::eval::requirement::record_key;
use crate::eval::{RunContext, RunOptions, text_of, trace::Trace};
use crate::report::text::clean;
use crate::syntax::ast::{BinaryOp, QuantKind, UnaryOp};
use crate::value::Value;

/// Inner records shown per nested quantifier when explaining a record.
const SHOWN_INNER: usize = 5;

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The requirement id, like `capa.cycle_time`.
    pub requirement: String,
    /// Explain one record of the requirement's population, by its key (`CAPA-74`).
    #[arg(long, value_name = "ID")]
    pub record: Option<String>,
    /// Rules directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Evidence directory.
    #[arg(long, value_name = "DIR", default_value = "evidence")]
    pub evidence: PathBuf,
    /// Evaluation date (YYYY-MM-DD; default: `<evidence>/as_of`, else today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Override a param (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
}

/// Runs `explain`.
pub fn run(args: &ExplainArgs, color: bool) -> Exit {
    match execute(args, color) {
        Ok(text) => {
            if common::write_output(None, text.as_bytes()).is_err() {
                return Exit::Error;
            }
            Exit::Ok
        }
        Err(exit) => exit,
    }
}

fn execute(args: &ExplainArgs, color: bool) -> Result<String, Exit> {
    let as_of = common::as_of_for(args.as_of.as_deref(), &args.evidence)?;
    let project = common::load_project(&args.rules, crate::value::micros_to_date(as_of), color, false)?;
    let program = &project.program;
    let (index, requirement) = common::requirement(program, &args.requirement)?;
    if let Some(reason) = &requirement.disabled {
        // A disabled requirement is not evaluated by `run`; explaining an evaluation it
        // never gets would mislead.
        let (file, line, _) = project.sources.locate(requirement.span);
        return Ok(format!(
            "{} — {}\noutcome: disabled — {}\n(not evaluated; declared at {}:{line})\n",
            requirement.id,
            clean(&requirement.title),
            clean(reason),
            clean(file)
        ));
    }
    let params = common::params(program, &args.params)?;
    let evidence = common::load_evidence(program, &args.evidence, true)?;
    let inputs = evidence.inputs(program);
    let options = RunOptions {
        as_of,
        standards: Vec::new(),
        params,
        max_findings: usize::MAX,
    };
    let mut ctx = RunContext::new(program, &project.sources, &inputs, &options);
    ctx.trace = Some(Trace::default());
    let Some((report, metrics)) = ctx.evaluate(index) else {
        return Err(Exit::Error);
    };
    let trace = ctx.trace.as_ref();
    let mut w = String::new();
    let _ = writeln!(w, "{} — {}", report.id, clean(&report.title));
    let _ = writeln!(
        w,
        "outcome: {} — {}",
        report.outcome.label(),
        clean(&report.message)
    );
    let day = crate::value::format_date(crate::value::micros_to_date(as_of));
    let _ = writeln!(w, "as of {day}; defined at {}", clean(&report.defined_at));
    for (m, mr) in requirement.metrics.iter().zip(&report.metrics) {
        let _ = writeln!(w, "\nmetric {} = {}", m.name, mr.value);
        tree(&ctx, trace, &m.expr, 1, &mut w);
        for g in &mr.groups {
            let _ = writeln!(w, "    {}: {} ({} records)", clean(&g.group), g.value, g.records);
        }
    }
    for (e, er) in requirement.expects.iter().zip(&report.expects) {
        let _ = writeln!(w, "\nexpect {}", source_text(ctx.sources, e.expr.span));
        let _ = writeln!(w, "  → {}", er.outcome.label());
        tree(&ctx, trace, &e.expr, 1, &mut w);
    }
    if let Some(id) = &args.record {
        let mut interp = ctx.interp(requirement.allow_empty);
        interp.metrics = metrics;
        // The record may be in any quantifier of an expect, or of a metric an expect
        // reads, that is not inside another one: `all …`, but also `count … <= 0`, a
        // grouped `share … by …`, or either side of an `and`.
        let mut quants = Vec::new();
        for e in &requirement.expects {
            outer_quants(&e.expr, &mut quants);
        }
        for m in &requirement.metrics {
            outer_quants(&m.expr, &mut quants);
        }
        let found = quants
            .into_iter()
            .find_map(|q| find_record(&ctx, &interp, q, id).map(|row| (q, row)));
        let Some((q, row)) = found else {
            eprintln!(
                "error: no record `{}` in the population of `{}`'s expects",
                clean(id),
                requirement.id
            );
            return Err(Exit::Error);
        };
        record(&ctx, &interp, q, row, id, &mut w);
        waivers(program, index, id, as_of, &mut w);
    }
    Ok(w)
}

/// Every quantifier under `e`, with what it did.
fn tree(ctx: &RunContext<'_>, trace: Option<&Trace>, e: &TExpr, depth: usize, w: &mut String) {
    if let TKind::Quant(q) = &e.kind {
        let indent = "  ".repeat(depth);
        let source = match &q.source {
            QSource::Dataset(d) => ctx
                .program
                .datasets
                .get(*d)
                .map_or("?".to_string(), |d| format!("`{}`", d.name)),
            QSource::List(l) => format!("the list {}", source_text(ctx.sources, l.span)),
        };
        let s = trace.map(|t| t.get(q)).unwrap_or_default();
        let _ = writeln!(w, "{indent}{} {} in {source}", q.kind.name(), q.var);
        let per = if s.evaluations > 1 {
            format!(" over {} evaluations", s.evaluations)
        } else {
            String::new()
        };
        let join = match ctx.plans.get(q) {
            Some(plan) if s.joined => format!(
                "; hash join on `{}` = `{}`",
                source_text(ctx.sources, plan.inner_key.span),
                source_text(ctx.sources, plan.outer_key.span)
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            w,
            "{indent}  saw {} record{}{per}{join}",
            s.candidates,
            plural(s.candidates)
        );
        if let Some(f) = &q.filter {
            let _ = writeln!(
                w,
                "{indent}  where {} — kept {}",
                source_text(ctx.sources, f.span),
                s.kept
            );
        }
        if let Some(g) = &q.group {
            let _ = writeln!(w, "{indent}  by {}", source_text(ctx.sources, g.span));
        }
        if let Some(b) = &q.body {
            let body = source_text(ctx.sources, b.span);
            if q.kind.is_logical() || matches!(q.kind, QuantKind::Count | QuantKind::Share) {
                let _ = writeln!(
                    w,
                    "{indent}  : {body} — true {}, false {}, unknown {}",
                    s.body_true, s.body_false, s.body_unknown
                );
            } else {
                let n = s.body_true + s.body_false + s.body_unknown;
                let _ = writeln!(w, "{indent}  : {body} — computed for {n} record{}", plural(n));
            }
        }
        for part in [&q.filter, &q.body].into_iter().flatten() {
            nested(ctx, trace, part, depth + 2, w);
        }
        return;
    }
    let mut kids = Vec::new();
    children(e, |c| kids.push(c));
    for c in kids {
        tree(ctx, trace, c, depth, w);
    }
}

/// Quantifiers nested in `e` (including `e` itself).
fn nested(ctx: &RunContext<'_>, trace: Option<&Trace>, e: &TExpr, depth: usize, w: &mut String) {
    if matches!(e.kind, TKind::Quant(_)) {
        tree(ctx, trace, e, depth, w);
        return;
    }
    let mut kids = Vec::new();
    children(e, |c| kids.push(c));
    for c in kids {
        nested(ctx, trace, c, depth, w);
    }
}

/// Rule text as written, with control characters made visible: rule files are untrusted
/// input and must not drive the terminal.
fn source_text(sources: &crate::source::SourceMap, span: crate::source::Span) -> String {
    clean(&text_of(sources, span))
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The quantifiers of `e` that are not inside another quantifier.
fn outer_quants<'a>(e: &'a TExpr, out: &mut Vec<&'a TQuant>) {
    if let TKind::Quant(q) = &e.kind {
        out.push(q);
        return;
    }
    let mut kids = Vec::new();
    children(e, |c| kids.push(c));
    for c in kids {
        outer_quants(c, out);
    }
}

/// The waivers of the requirement that name the record or waive the whole requirement,
/// and whether each applies on `as_of`.
fn waivers(program: &crate::check::Program, requirement: usize, id: &str, as_of: i64, w: &mut String) {
    let day = crate::value::micros_to_date(as_of);
    let mut any = false;
    for waiver in program.waivers.iter().filter(|x| x.requirement == requirement) {
        let covers = waiver.records.is_empty() || waiver.records.iter().any(|r| r == id);
        if !covers {
            continue;
        }
        any = true;
        let scope = if waiver.records.is_empty() {
            "the whole requirement"
        } else {
            "this record"
        };
        let state = if day <= waiver.expires {
            format!("applies (expires {})", crate::value::format_date(waiver.expires))
        } else {
            format!(
                "EXPIRED on {}: it no longer applies",
                crate::value::format_date(waiver.expires)
            )
        };
        let _ = writeln!(
            w,
            "  waiver {} covers {scope}: {state}; reason: {}; approved by {}",
            clean(&waiver.id),
            clean(&waiver.reason),
            clean(&waiver.approved_by)
        );
    }
    if !any {
        let _ = writeln!(w, "  no waiver covers this record");
    }
}

/// The row of the population whose key is `id`.
fn find_record<'a>(ctx: &RunContext<'_>, interp: &Interp<'a>, q: &'a TQuant, id: &str) -> Option<usize> {
    let QSource::Dataset(d) = &q.source else {
        return None;
    };
    let rows = interp.rows(*d)?;
    (0..rows.len()).find(|&r| record_key(ctx, interp, q, r).as_deref() == Some(id))
}

/// One record: its fields, then the filter and body as value trees.
fn record<'a>(
    ctx: &'a RunContext<'a>,
    interp: &Interp<'a>,
    q: &'a TQuant,
    row: usize,
    id: &str,
    w: &mut String,
) {
    let QSource::Dataset(d) = &q.source else {
        return;
    };
    let Some(dataset) = ctx.program.datasets.get(*d) else {
        return;
    };
    let (file, line, index) = ctx.locate(*d, row);
    let at = match (line, index) {
        (Some(l), _) => format!("{file}:{l}"),
        (None, Some(i)) => format!("{file}[{i}]"),
        _ => file,
    };
    let _ = writeln!(w, "\nrecord {} of `{}` ({})", clean(id), dataset.name, clean(&at));
    if let Some(rows) = interp.rows(*d) {
        for (i, f) in dataset.fields.iter().enumerate() {
            let _ = writeln!(
                w,
                "  {}.{} = {}",
                q.var,
                f.name,
                clean(&show(&rows.value(i, row)))
            );
        }
    }
    let mut env = Vec::new();
    Interp::bind(&mut env, q.slot, Bound::Row(row));
    if let Some(f) = &q.filter {
        let _ = writeln!(w, "  where:");
        value_tree(ctx, interp, f, &mut env, 2, w, false);
    }
    if let Some(b) = &q.body {
        let _ = writeln!(w, "  body:");
        value_tree(ctx, interp, b, &mut env, 2, w, false);
    }
}

fn show(v: &Value<'_>) -> String {
    if v.is_none() {
        "(empty)".into()
    } else {
        v.to_string()
    }
}

/// An expression with its value, and its parts below it; `← decides` marks the part
/// that settled an `and`/`or`.
fn value_tree<'a>(
    ctx: &'a RunContext<'a>,
    interp: &Interp<'a>,
    e: &'a TExpr,
    env: &mut Vec<Bound<'a>>,
    depth: usize,
    w: &mut String,
    decides: bool,
) {
    let indent = "  ".repeat(depth);
    let value = interp
        .eval(e, env)
        .map(|v| show(&v))
        .unwrap_or_else(|err| format!("error: {}", err.message));
    let mark = if decides { "   ← decides" } else { "" };
    let text = source_text(ctx.sources, e.span);
    let _ = writeln!(w, "{indent}{} = {}{mark}", clean(&shorten(&text)), clean(&value));
    match &e.kind {
        TKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), a, b) => {
            // The operand that settled it: for `and`, the first that is not true; for
            // `or`, the first that is true.
            let settle = |x: &'a TExpr, env: &mut Vec<Bound<'a>>| {
                let t = interp.eval(x, env).ok().as_ref().and_then(truth);
                if *op == BinaryOp::And {
                    t != Some(true)
                } else {
                    t == Some(true)
                }
            };
            // `and`/`or` short-circuit: when the first operand settles it, the second is
            // not evaluated and not shown.
            let first = settle(a, env);
            value_tree(ctx, interp, a, env, depth + 1, w, first);
            if !first {
                value_tree(ctx, interp, b, env, depth + 1, w, true);
            }
        }
        TKind::Binary(_, a, b) => {
            for x in [a, b] {
                if !is_literal(x) {
                    value_tree(ctx, interp, x, env, depth + 1, w, false);
                }
            }
        }
        TKind::Unary(UnaryOp::Not, a) | TKind::IsNone(a, _) | TKind::Matches(a, _) => {
            value_tree(ctx, interp, a, env, depth + 1, w, false)
        }
        TKind::Call(_, args) => {
            for a in args.iter().filter(|a| !is_literal(a)) {
                value_tree(ctx, interp, a, env, depth + 1, w, false);
            }
        }
        TKind::Quant(q) => inner_records(ctx, interp, q, env, depth + 1, w),
        _ => {}
    }
}

/// The inner records a nested quantifier matched for the bound outer record.
fn inner_records<'a>(
    ctx: &'a RunContext<'a>,
    interp: &Interp<'a>,
    q: &'a TQuant,
    env: &mut Vec<Bound<'a>>,
    depth: usize,
    w: &mut String,
) {
    let indent = "  ".repeat(depth);
    let saved = env.len();
    let Ok(candidates) = interp.candidates(q, env) else {
        return;
    };
    let mut matched = Vec::new();
    let mut seen = 0usize;
    candidates.for_each(|b| {
        seen += 1;
        Interp::bind(env, q.slot, b.clone());
        if interp.keeps(q, env).unwrap_or(false) {
            matched.push(b);
        }
        true
    });
    env.truncate(saved);
    let join = if ctx.plans.get(q).is_some() {
        " (through the join index)"
    } else {
        ""
    };
    let _ = writeln!(
        w,
        "{indent}{} of {seen} candidate{} match the filter{join}",
        matched.len(),
        if seen == 1 { "" } else { "s" }
    );
    for b in matched.iter().take(SHOWN_INNER) {
        let label = match (b, &q.source) {
            (Bound::Row(r), QSource::Dataset(d)) => {
                let key = record_key(ctx, interp, q, *r).unwrap_or_else(|| "(no key)".into());
                let (file, line, index) = ctx.locate(*d, *r);
                match (line, index) {
                    (Some(l), _) => format!("{key} ({file}:{l})"),
                    (None, Some(i)) => format!("{key} ({file}[{i}])"),
                    _ => key,
                }
            }
            (Bound::Value(v), _) => show(v),
            _ => String::new(),
        };
        let _ = writeln!(w, "{indent}• {} {}", q.var, clean(&label));
        Interp::bind(env, q.slot, b.clone());
        if let Some(body) = &q.body {
            value_tree(ctx, interp, body, env, depth + 1, w, false);
        }
        env.truncate(saved);
    }
    if matched.len() > SHOWN_INNER {
        let _ = writeln!(w, "{indent}… and {} more", matched.len() - SHOWN_INNER);
    }
}

/// Literals need no line of their own: their value is what is written.
fn is_literal(e: &TExpr) -> bool {
    match &e.kind {
        TKind::Const(_) => true,
        TKind::List(items) => items.iter().all(is_literal),
        _ => false,
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 90 {
        let head: String = s.chars().take(87).collect();
        format!("{head}…")
    } else {
        s.to_string()
    }
}
