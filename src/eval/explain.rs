//! Why a record broke an expect: the values that decided, in words an auditor reads.
//!
//! Run only for failing records (few), so it may re-evaluate freely.

use super::interp::{Accumulator, Bound, Interp, truth};
use super::join::children;
use super::model::NamedValue;
use super::{RunContext, text_of};
use crate::check::program::{QSource, TExpr, TKind, TQuant};
use crate::syntax::ast::{BinaryOp, QuantKind, UnaryOp};
use crate::value::Value;

/// How many matching inner records an explanation looks at.
const MAX_INNER_SHOWN: usize = 3;

/// The reason a record fails, and the values behind it.
#[derive(Debug, Default)]
pub struct Explanation {
    /// One sentence.
    pub reason: String,
    /// Field values and computed values.
    pub values: Vec<NamedValue>,
}

/// Explains why the record bound in `q.slot` breaks the top-level `all`/`no` `q`.
pub fn explain_failure<'a>(
    ctx: &'a RunContext<'a>,
    interp: &Interp<'a>,
    q: &'a TQuant,
    env: &mut Vec<Bound<'a>>,
) -> Explanation {
    let mut out = Explanation::default();
    // The record's own fields that the rule reads, in the order the rule reads them.
    for part in [&q.filter, &q.body].into_iter().flatten() {
        fields_of_slot(ctx, interp, part, q.slot, env, &mut out.values);
    }
    let Some(body) = &q.body else {
        out.reason = if q.kind == QuantKind::No {
            "the record exists, and none may".into()
        } else {
            "the record fails the condition".into()
        };
        return out;
    };
    let (reason, values) = if q.kind == QuantKind::No {
        explain(ctx, interp, body, env, true)
    } else {
        explain(ctx, interp, body, env, false)
    };
    out.reason = reason;
    out.values.extend(values);
    out
}

/// Values of the fields of one binding slot read by an expression.
fn fields_of_slot<'a>(
    ctx: &RunContext<'_>,
    interp: &Interp<'a>,
    e: &'a TExpr,
    slot: usize,
    env: &mut Vec<Bound<'a>>,
    out: &mut Vec<NamedValue>,
) {
    if let TKind::Field { slot: s, .. } = &e.kind {
        if *s == slot {
            let name = text_of(ctx.sources, e.span);
            if !out.iter().any(|v| v.name == name) {
                let value = interp
                    .eval(e, env)
                    .map(|v| show(&v))
                    .unwrap_or_else(|_| "error".into());
                out.push(NamedValue { name, value });
            }
        }
        return;
    }
    if let TKind::Quant(_) = &e.kind {
        // Inner quantifiers bind their own records; only outer fields are listed here.
        let mut inner = Vec::new();
        children(e, |c| inner.push(c));
        for c in inner {
            fields_of_slot(ctx, interp, c, slot, env, out);
        }
        return;
    }
    let mut kids = Vec::new();
    children(e, |c| kids.push(c));
    for c in kids {
        fields_of_slot(ctx, interp, c, slot, env, out);
    }
}

/// A value as shown in findings: `(empty)` for none.
pub fn show(v: &Value<'_>) -> String {
    if v.is_none() {
        "(empty)".to_string()
    } else {
        v.to_string()
    }
}

/// A value inside a sentence: text in double quotes (so `"bad"` and `bad` read apart from
/// the words around them and from numbers), anything else as [`show`] writes it.
fn quoted(v: &Value<'_>) -> String {
    match v {
        Value::Text(t) => format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")),
        _ => show(v),
    }
}

/// Why `e` is not true (or, with `negate`, why it is not false).
fn explain<'a>(
    ctx: &'a RunContext<'a>,
    interp: &Interp<'a>,
    e: &'a TExpr,
    env: &mut Vec<Bound<'a>>,
    negate: bool,
) -> (String, Vec<NamedValue>) {
    let value = interp.eval(e, env).unwrap_or(Value::None);
    let t = truth(&value);
    let written = text_of(ctx.sources, e.span);
    match &e.kind {
        TKind::Binary(BinaryOp::And, a, b) if !negate => {
            for part in [a, b] {
                let pt = truth(&interp.eval(part, env).unwrap_or(Value::None));
                if pt != Some(true) {
                    return explain(ctx, interp, part, env, false);
                }
            }
            (format!("`{written}` does not hold"), Vec::new())
        }
        TKind::Binary(BinaryOp::Or, a, b) if !negate => {
            // `x is none or x >= …`: the `is none` side is a guard; the other side says why.
            let guard = |e: &TExpr| matches!(e.kind, TKind::IsNone(..));
            match (guard(a), guard(b)) {
                (true, false) => explain(ctx, interp, b, env, false),
                (false, true) => explain(ctx, interp, a, env, false),
                _ => {
                    let (ra, mut va) = explain(ctx, interp, a, env, false);
                    let (rb, vb) = explain(ctx, interp, b, env, false);
                    va.extend(vb);
                    (format!("{ra}, and {rb}"), va)
                }
            }
        }
        TKind::Unary(UnaryOp::Not, inner) => explain(ctx, interp, inner, env, !negate),
        TKind::Binary(op, l, r) if op.is_ordering() || matches!(op, BinaryOp::Eq | BinaryOp::Ne) => {
            let lv = interp.eval(l, env).unwrap_or(Value::None);
            let rv = interp.eval(r, env).unwrap_or(Value::None);
            let mut values = Vec::new();
            for (side, v) in [(l, &lv), (r, &rv)] {
                if !is_constant(side) {
                    values.push(NamedValue {
                        name: text_of(ctx.sources, side.span),
                        value: show(v),
                    });
                }
            }
            let left = text_of(ctx.sources, l.span);
            let reason = if lv.is_none() {
                format!("`{left}` is empty, so `{written}` cannot be shown")
            } else if rv.is_none() {
                format!(
                    "`{}` is empty, so `{written}` cannot be shown",
                    text_of(ctx.sources, r.span)
                )
            } else if negate {
                format!(
                    "`{left}` is {} ({} {})",
                    quoted(&lv),
                    op.as_str(),
                    show_target(ctx, r, &rv)
                )
            } else {
                format!(
                    "`{left}` is {}, not {} {}",
                    quoted(&lv),
                    op.as_str(),
                    show_target(ctx, r, &rv)
                )
            };
            (reason, values)
        }
        TKind::IsNone(inner, negated) => {
            let v = interp.eval(inner, env).unwrap_or(Value::None);
            let name = text_of(ctx.sources, inner.span);
            let reason = if v.is_none() {
                format!("`{name}` is empty")
            } else {
                format!("`{name}` is {}", quoted(&v))
            };
            let _ = negated;
            (
                reason,
                vec![NamedValue {
                    name,
                    value: show(&v),
                }],
            )
        }
        TKind::Quant(q) => explain_quantifier(ctx, interp, q, env, negate, &written),
        _ => {
            let state = match (t, negate) {
                (None, _) => "cannot be shown (a value is empty)",
                (Some(_), false) => "does not hold",
                (Some(_), true) => "holds",
            };
            (format!("`{written}` {state}"), Vec::new())
        }
    }
}

fn show_target(ctx: &RunContext<'_>, r: &TExpr, rv: &Value<'_>) -> String {
    let shown = quoted(rv);
    let written = text_of(ctx.sources, r.span);
    if is_constant(r) || written == shown {
        shown
    } else {
        format!("{shown} (`{written}`)")
    }
}

fn is_constant(e: &TExpr) -> bool {
    matches!(e.kind, TKind::Const(_) | TKind::Param(_))
}

/// Explains a nested quantifier: which inner records matched, and why none satisfied it.
fn explain_quantifier<'a>(
    ctx: &'a RunContext<'a>,
    interp: &Interp<'a>,
    q: &'a TQuant,
    env: &mut Vec<Bound<'a>>,
    negate: bool,
    written: &str,
) -> (String, Vec<NamedValue>) {
    let saved = env.len();
    let dataset = match &q.source {
        QSource::Dataset(d) => ctx
            .program
            .datasets
            .get(*d)
            .map_or("?".to_string(), |d| d.name.clone()),
        QSource::List(_) => "list".to_string(),
    };
    let Ok(candidates) = interp.candidates(q, env) else {
        return (format!("`{written}` could not be evaluated"), Vec::new());
    };
    // Collect the matching inner records (kept by the filter) with their body truth.
    let mut matched: Vec<(Bound<'a>, Option<bool>)> = Vec::new();
    let mut acc = Accumulator::new(q.kind);
    candidates.for_each(|b| {
        Interp::bind(env, q.slot, b.clone());
        if interp.keeps(q, env).unwrap_or(false) {
            let body = q
                .body
                .as_ref()
                .map(|body| interp.eval(body, env).unwrap_or(Value::None));
            let t = body.as_ref().map_or(Some(true), truth);
            acc.add(body);
            matched.push((b, t));
        }
        true
    });
    env.truncate(saved);
    let filter_text = q.filter.as_ref().map(|f| text_of(ctx.sources, f.span));
    let mut values = Vec::new();
    let reason = match (q.kind, negate) {
        (QuantKind::Any, false) | (QuantKind::No, true) if matched.is_empty() => match &filter_text {
            Some(f) => format!("no `{dataset}` record matches `{f}`"),
            None => format!("`{dataset}` has no records"),
        },
        (QuantKind::Any, false) | (QuantKind::No, true) => {
            let body = q
                .body
                .as_ref()
                .map_or(String::new(), |b| text_of(ctx.sources, b.span));
            for (b, _) in matched.iter().take(MAX_INNER_SHOWN) {
                Interp::bind(env, q.slot, b.clone());
                if let Some(bd) = &q.body {
                    let (_, v) = explain(ctx, interp, bd, env, false);
                    values.extend(v);
                }
                env.truncate(saved);
            }
            format!(
                "{} matching `{dataset}` record{} found, but none satisfies `{body}`",
                matched.len(),
                if matched.len() == 1 { "" } else { "s" }
            )
        }
        (QuantKind::All, false) | (QuantKind::Any, true) | (QuantKind::No, false) => {
            if matched.is_empty() && q.kind == QuantKind::All {
                match &filter_text {
                    Some(f) => format!("no `{dataset}` record matches `{f}`, so `{written}` cannot be shown"),
                    None => format!("`{dataset}` has no records, so `{written}` cannot be shown"),
                }
            } else {
                // The inner records that break it.
                let breaking: Vec<&(Bound<'a>, Option<bool>)> = matched
                    .iter()
                    .filter(|(_, t)| match q.kind {
                        QuantKind::All => *t != Some(true),
                        _ => *t == Some(true),
                    })
                    .collect();
                for (b, _) in breaking.iter().take(MAX_INNER_SHOWN) {
                    Interp::bind(env, q.slot, b.clone());
                    if let Some(bd) = &q.body {
                        let (_, v) = explain(ctx, interp, bd, env, q.kind != QuantKind::All);
                        values.extend(v);
                    }
                    env.truncate(saved);
                }
                let verdict = if q.kind == QuantKind::All {
                    "do not satisfy the condition"
                } else {
                    "match, and none may"
                };
                let plural = if matched.len() == 1 { "" } else { "s" };
                if let QSource::List(_) = &q.source {
                    // Name the list items that break it: they are the finding.
                    let items: Vec<String> = breaking
                        .iter()
                        .filter_map(|(b, _)| match b {
                            Bound::Value(v) => Some(format!("`{}`", show(v))),
                            Bound::Row(_) => None,
                        })
                        .collect();
                    format!(
                        "{} of {} item{plural} {verdict}: {}",
                        breaking.len(),
                        matched.len(),
                        items.join(", ")
                    )
                } else {
                    format!(
                        "{} of {} matching `{dataset}` record{plural} {verdict}",
                        breaking.len(),
                        matched.len()
                    )
                }
            }
        }
        _ => format!("`{written}` does not hold"),
    };
    (reason, values)
}
