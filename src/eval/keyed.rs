//! Nested quantifiers answered per join key.
//!
//! `all t in training: any a in training where a.user_id == t.user_id: a.course_id == c`
//! asks, for every outer record, a question about the inner records that share its key.
//! When that key is the only thing the inner quantifier reads of its outer records, the
//! answer depends on the key alone. One pass over the inner dataset counts, per key, the
//! records the filter keeps and how many of their bodies are true or unknown; each outer
//! record then looks its key up. That replaces the join index, a probe and a scan of the
//! matching records per distinct key, and a memo entry per key.
//!
//! What makes it exact, checked when the plan is built:
//! - the quantifier is nested, ranges over a dataset, has no `by`, and is `all`, `any`,
//!   `no`, `count` or `share`, whose value is a function of the three counts;
//! - it joins ([`super::join`]) on a conjunct `A == B` of its filter, `A` text read from
//!   the inner record and `B` text read from outer ones, and every other conjunct and the
//!   body read only the inner record, constants, params and `as_of` (no quantifier, no
//!   metric, no outer record).
//!
//! A record is then kept for key `K` exactly when `A` is the text `K` and every other
//! conjunct is true (a conjunction is true when all its parts are), so the counts of `K`
//! are what the joined loop accumulates. `all`, `any` and `no` stop at a deciding body in
//! that loop, but the counts decide them the same way.
//!
//! Errors: the pass evaluates `A` and the other conjuncts (in order, stopping at a false
//! one) on every record, and the body on every kept one: everything the joined loop could
//! evaluate for any outer record, since none of it reads outer records. If anything fails,
//! or `A` is neither text nor none, the table is not used and the quantifier is evaluated
//! as before, so an error surfaces exactly where it did. The outer key is evaluated first
//! either way, as the join evaluates its probe.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use super::interp::{Accumulator, Bound, EvalError, EvalResult, Interp, Rows, truth};
use super::join::{ByQuant, JoinPlans, children, each_quantifier, split_and};
use crate::check::program::{Program, QSource, TExpr, TKind, TQuant};
use crate::evidence::{Column, ColumnData};
use crate::hashing::FxMap;
use crate::source::Span;
use crate::syntax::ast::QuantKind;
use crate::value::{Type, Value};

/// How one nested quantifier is answered per key.
#[derive(Debug)]
pub struct KeyedPlan {
    /// The key read from an inner record (`A`).
    inner_key: TExpr,
    /// The key read from the outer records (`B`), evaluated per outer record.
    outer_key: TExpr,
    /// The filter with the key equality replaced by `true`; `None` when the equality is
    /// the whole filter.
    rest: Option<TExpr>,
    /// Counts per key, built on first use; `None` when the pass declined.
    table: OnceLock<Option<KeyTable>>,
    /// Identifies the plan in the per-thread [`LAST`] lookup, across runs.
    id: u64,
}

/// Plan identities for [`KeyedPlan::id`] (0: none).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The last key a thread looked up, and its counts: outer records of one key usually come
/// together (the ten assignments of one user), and those need no hashing.
struct Last {
    plan: u64,
    key: String,
    counts: Counts,
}

thread_local! {
    static LAST: RefCell<Last> = const {
        RefCell::new(Last {
            plan: 0,
            key: String::new(),
            counts: Counts { population: 0, satisfied: 0, unknown: 0 },
        })
    };
}

/// Keyed plans of a program, by quantifier.
#[derive(Debug, Default)]
pub struct KeyedPlans {
    plans: ByQuant<KeyedPlan>,
}

/// What the filter keeps and the bodies say, for the records of one key.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    population: usize,
    satisfied: usize,
    unknown: usize,
}

impl Counts {
    fn add(&mut self, t: Option<bool>) {
        self.population += 1;
        match t {
            Some(true) => self.satisfied += 1,
            Some(false) => {}
            None => self.unknown += 1,
        }
    }

    fn merge(&mut self, other: Counts) {
        self.population += other.population;
        self.satisfied += other.satisfied;
        self.unknown += other.unknown;
    }
}

/// Counts per key text. Keys are owned: a table borrowing the evidence would make the run
/// context invariant in its lifetime.
#[derive(Debug, Default)]
struct KeyTable {
    counts: FxMap<Box<str>, Counts>,
}

impl KeyTable {
    fn add(&mut self, key: Cow<'_, str>, counts: Counts) {
        match self.counts.get_mut(key.as_ref()) {
            Some(c) => c.merge(counts),
            None => {
                self.counts.insert(Box::from(key.as_ref()), counts);
            }
        }
    }
}

impl KeyedPlans {
    /// Finds every nested quantifier that can be answered per join key.
    pub fn build(program: &Program, joins: &JoinPlans) -> KeyedPlans {
        let mut plans = KeyedPlans::default();
        each_quantifier(program, |q| {
            if let Some(plan) = plan_for(q, joins) {
                plans.plans.insert(q as *const TQuant as usize, plan);
            }
        });
        plans
    }

    /// Number of keyed quantifiers (for tests).
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    /// True when no quantifier is keyed.
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// The quantifier's value for the bound outer records, from the counts of its key;
    /// `None` when it must be evaluated the usual way (no plan, the pass declined, or the
    /// outer key is neither text nor none).
    pub fn quantifier<'a>(
        &'a self,
        interp: &Interp<'a>,
        q: &'a TQuant,
        env: &mut Vec<Bound<'a>>,
    ) -> Option<EvalResult<'a>> {
        let plan = self.plans.get(&(q as *const TQuant as usize))?;
        let QSource::Dataset(d) = q.source else {
            return None;
        };
        let rows = interp.rows(d)?;
        let table = plan.table.get_or_init(|| count(plan, interp, q, rows)).as_ref()?;
        let key = match interp.eval(&plan.outer_key, env) {
            Ok(key) => key,
            Err(e) => return Some(Err(e)),
        };
        let counts = match &key {
            Value::Text(k) => LAST.with_borrow_mut(|last| {
                if last.plan != plan.id || last.key != k.as_ref() {
                    last.plan = plan.id;
                    last.key.clear();
                    last.key.push_str(k);
                    last.counts = table.counts.get(k.as_ref()).copied().unwrap_or_default();
                }
                last.counts
            }),
            // `none == B` is unknown: no record is kept.
            Value::None => Counts::default(),
            _ => return None,
        };
        Some(finish(q, counts, interp.allow_empty))
    }

    /// The body of a scan over `outer` when it is a keyed `all`, `any` or `no` whose key is
    /// a text field of the scanned record: its truth per row straight from the column and
    /// the table, with no interpreter. `None` when the body has another shape or the
    /// table declined (the scan then evaluates the body the usual way).
    pub fn body<'a>(&'a self, interp: &Interp<'a>, outer: &'a TQuant) -> Option<KeyedBody<'a>> {
        let TKind::Quant(q) = &outer.body.as_ref()?.kind else {
            return None;
        };
        if !matches!(q.kind, QuantKind::All | QuantKind::Any | QuantKind::No) {
            return None;
        }
        let plan = self.plans.get(&(&**q as *const TQuant as usize))?;
        let (TKind::Field { slot, dataset, field }, QSource::Dataset(inner)) =
            (&plan.outer_key.kind, &q.source)
        else {
            return None;
        };
        let column = interp.rows(*dataset)?.column(*field)?;
        if *slot != outer.slot || !matches!(column.data(), ColumnData::Text(_)) {
            return None;
        }
        let rows = interp.rows(*inner)?;
        let table = plan.table.get_or_init(|| count(plan, interp, q, rows)).as_ref()?;
        Some(KeyedBody {
            table,
            column,
            q,
            allow_empty: interp.allow_empty,
        })
    }
}

/// The value of `q` over records with these counts.
fn finish<'a>(q: &TQuant, counts: Counts, allow_empty: bool) -> EvalResult<'a> {
    let mut acc = Accumulator::new(q.kind);
    acc.population = counts.population;
    acc.satisfied = counts.satisfied;
    acc.unknown = counts.unknown;
    acc.finish(allow_empty, q.body.as_ref().map_or(Span::default(), |b| b.span))
}

/// A keyed `all`, `any` or `no` as the body of a scan ([`KeyedPlans::body`]).
pub struct KeyedBody<'a> {
    table: &'a KeyTable,
    /// The key column of the scanned records.
    column: &'a Column,
    q: &'a TQuant,
    allow_empty: bool,
}

impl<'a> KeyedBody<'a> {
    /// The body's truth for a row of the scan; `last` keeps the previous key's answer
    /// within one chunk (records of one key come together).
    pub fn truth(
        &self,
        row: usize,
        last: &mut Option<(&'a str, Option<bool>)>,
    ) -> Result<Option<bool>, EvalError> {
        let Some(key) = self.column.text(row) else {
            return Ok(truth(&finish(self.q, Counts::default(), self.allow_empty)?));
        };
        if let Some((k, t)) = last
            && *k == key
        {
            return Ok(*t);
        }
        let counts = self.table.counts.get(key).copied().unwrap_or_default();
        let t = truth(&finish(self.q, counts, self.allow_empty)?);
        *last = Some((key, t));
        Ok(t)
    }
}

fn plan_for(q: &TQuant, joins: &JoinPlans) -> Option<KeyedPlan> {
    if q.slot == 0
        || q.group.is_some()
        || !matches!(
            q.kind,
            QuantKind::All | QuantKind::Any | QuantKind::No | QuantKind::Count | QuantKind::Share
        )
    {
        return None;
    }
    let (QSource::Dataset(_), Some(filter)) = (&q.source, &q.filter) else {
        return None;
    };
    let join = joins.get(q)?;
    if join.contains || join.prefix || join.inner_key.ty != Type::Text || join.outer_key.ty != Type::Text {
        return None;
    }
    let mut conjuncts = Vec::new();
    split_and(filter, &mut conjuncts);
    let equality = *conjuncts.get(join.conjunct)?;
    let own = |e: &TExpr| reads_only_own(e, q.slot);
    if !conjuncts
        .iter()
        .filter(|c| !std::ptr::eq(**c, equality))
        .all(|c| own(c))
        || !q.body.as_ref().is_none_or(own)
    {
        return None;
    }
    let rest = (conjuncts.len() > 1).then(|| replace_with_true(filter, equality));
    Some(KeyedPlan {
        inner_key: join.inner_key.clone(),
        outer_key: join.outer_key.clone(),
        rest,
        table: OnceLock::new(),
        id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
    })
}

/// The expression reads no outer record, no quantifier and no metric.
fn reads_only_own(e: &TExpr, slot: usize) -> bool {
    let ok = match &e.kind {
        TKind::Field { slot: s, .. } | TKind::Var(s) => *s >= slot,
        TKind::Quant(_) | TKind::Metric(_) => false,
        _ => true,
    };
    let mut all = ok;
    children(e, |c| all = all && reads_only_own(c, slot));
    all
}

/// A copy of `e` with the sub-expression `target` replaced by the constant `true`.
fn replace_with_true(e: &TExpr, target: &TExpr) -> TExpr {
    if std::ptr::eq(e, target) {
        return TExpr {
            kind: TKind::Const(Value::Bool(true)),
            ty: Type::Bool,
            span: e.span,
        };
    }
    match &e.kind {
        TKind::Binary(op, a, b) => TExpr {
            kind: TKind::Binary(
                *op,
                Box::new(replace_with_true(a, target)),
                Box::new(replace_with_true(b, target)),
            ),
            ty: e.ty,
            span: e.span,
        },
        _ => e.clone(),
    }
}

/// The counting pass; `None` when anything failed to evaluate or a key is neither text nor
/// none. It runs on one thread: it runs inside the table's `OnceLock`, and a parallel
/// iterator there could, while waiting for a stolen part, pick up an outer record of the
/// same scan that waits for this very lock.
fn count<'a>(
    plan: &'a KeyedPlan,
    interp: &Interp<'a>,
    q: &'a TQuant,
    rows: &'a dyn Rows,
) -> Option<KeyTable> {
    let fast = interp.quant_fast(q);
    // A compiled condition gives the body's truth without a `Value`.
    let condition = match (&q.body, fast.and_then(|f| f.body.as_ref())) {
        (Some(b), Some(fx)) if b.ty == Type::Bool => Some(fx),
        _ => None,
    };
    // A key that is a text field is read from its column, not through the interpreter.
    let key_column = match &plan.inner_key.kind {
        TKind::Field { slot, field, .. } if *slot == q.slot => rows
            .column(*field)
            .filter(|c| matches!(c.data(), ColumnData::Text(_))),
        _ => None,
    };
    let mut env: Vec<Bound<'a>> = vec![Bound::Value(Value::None); q.slot + 1];
    let mut table = KeyTable::default();
    // Exports list the records of one key together: a run of equal keys is counted here
    // and lands in the table once.
    let mut run: Option<(Cow<'a, str>, Counts)> = None;
    for r in 0..rows.len() {
        Interp::bind(&mut env, q.slot, Bound::Row(r));
        let key = match key_column {
            Some(column) => column.text(r).map(Cow::Borrowed),
            None => match interp.eval(&plan.inner_key, &mut env).ok()? {
                Value::Text(k) => Some(k),
                Value::None => None,
                _ => return None,
            },
        };
        if let Some(rest) = &plan.rest
            && truth(&interp.eval(rest, &mut env).ok()?) != Some(true)
        {
            continue;
        }
        let Some(key) = key else {
            continue;
        };
        let t = match condition {
            Some(fx) => fx.truth(&env).ok()?,
            None => interp
                .body_with(q, fast, &mut env)
                .ok()?
                .as_ref()
                .map_or(Some(true), truth),
        };
        match &mut run {
            Some((k, counts)) if *k == key => counts.add(t),
            _ => {
                if let Some((k, counts)) = run.take() {
                    table.add(k, counts);
                }
                let mut counts = Counts::default();
                counts.add(t);
                run = Some((key, counts));
            }
        }
    }
    if let Some((k, counts)) = run {
        table.add(k, counts);
    }
    Some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_and_merge() {
        let mut a = Counts::default();
        a.add(Some(true));
        a.add(None);
        let mut b = Counts::default();
        b.add(Some(false));
        a.merge(b);
        assert_eq!((a.population, a.satisfied, a.unknown), (3, 1, 1));
    }
}
