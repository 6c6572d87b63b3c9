//! The straightforward evaluator: one record at a time, over the typed expression tree.
//!
//! It defines the semantics. Faster paths (hash joins, parallel chunks) must agree with it,
//! and the property tests check that they do.
//!
//! Missing values follow three-valued logic: a comparison with `none` is `none`, `and`/`or`
//! are Kleene's, a `where` keeps a record only when its condition is `true`, and a verdict
//! (`all`, `any`, `no`, `expect`) never counts `none` as satisfied: unknown never proves
//! compliance.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::fast::{FastPlans, QuantFast};
use super::join::{JoinCache, JoinPlans};
use super::keyed::KeyedPlans;
use super::memo::{Memo, MemoPlans};
use crate::check::program::{Func, Program, QSource, TExpr, TKind, TQuant};
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, QuantKind, UnaryOp};
use crate::value::{self, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, Value};

/// Records of a dataset, as the evaluator reads them.
pub trait Rows: Sync {
    /// Number of records.
    fn len(&self) -> usize;
    /// True when there are no records.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// A field's value in a record (borrowing text).
    fn value(&self, field: usize, row: usize) -> Value<'_>;
    /// The typed column of a field, for the compiled fast paths (`None`: records are not
    /// columnar, only [`Rows::value`] reads them).
    fn column(&self, _field: usize) -> Option<&crate::evidence::Column> {
        None
    }
}

/// An error while evaluating: overflow, a date out of range.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    /// What went wrong.
    pub message: String,
    /// The expression that failed.
    pub span: Span,
}

/// A value bound to a quantifier variable.
#[derive(Clone, Debug)]
pub enum Bound<'a> {
    /// A record of the quantifier's dataset.
    Row(usize),
    /// A list element.
    Value(Value<'a>),
}

/// The value of a metric once computed.
#[derive(Clone, Debug)]
pub enum MetricValue<'a> {
    /// One value.
    Scalar(Value<'a>),
    /// One value per group, sorted by group key: (key, value, records in group).
    Grouped(Vec<(Value<'a>, Value<'a>, usize)>),
}

impl MetricValue<'_> {
    /// Copies borrowed text so the value outlives the evidence tables.
    pub fn to_owned_value(&self) -> MetricValue<'static> {
        match self {
            MetricValue::Scalar(v) => MetricValue::Scalar(v.clone().into_owned()),
            MetricValue::Grouped(groups) => MetricValue::Grouped(
                groups
                    .iter()
                    .map(|(k, v, n)| (k.clone().into_owned(), v.clone().into_owned(), *n))
                    .collect(),
            ),
        }
    }
}

/// Result type of evaluation.
pub type EvalResult<'a> = Result<Value<'a>, EvalError>;

/// Evaluates expressions of one requirement.
pub struct Interp<'a> {
    /// The checked program.
    pub program: &'a Program,
    /// Records per dataset (`None` when the dataset did not load).
    pub data: &'a [Option<&'a dyn Rows>],
    /// Param values (after `--param`).
    pub params: &'a [Value<'static>],
    /// The evaluation instant, microseconds.
    pub as_of: i64,
    /// An empty `all` is true rather than unknown (`allow empty`).
    pub allow_empty: bool,
    /// Metrics computed so far.
    pub metrics: Vec<MetricValue<'a>>,
    /// While evaluating an expect on a grouped metric: the metric and the group's value.
    pub group: Option<(usize, Value<'a>)>,
    /// Join plans for nested quantifiers.
    pub plans: &'a JoinPlans,
    /// Built join indexes, shared across requirements (`None`: nested loops only).
    pub joins: Option<&'a JoinCache>,
    /// Statistics for `explain` (`None` in normal runs).
    pub trace: Option<&'a super::trace::Trace>,
    /// Compiled fast paths (`None`: the row interpreter alone).
    pub fast: Option<&'a FastPlans<'a>>,
    /// Memoized nested quantifiers (`None`: every evaluation is direct).
    pub memo: Option<(&'a MemoPlans<'a>, &'a Memo)>,
    /// Nested quantifiers answered per join key (`None`: never).
    pub keyed: Option<&'a KeyedPlans>,
}

/// Three-valued truth.
pub type Truth = Option<bool>;

/// The truth of a value: `none` is unknown.
pub fn truth(v: &Value<'_>) -> Truth {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

pub(crate) fn from_truth<'a>(t: Truth) -> Value<'a> {
    t.map_or(Value::None, Value::Bool)
}

/// Borrows a constant without copying its text.
pub fn borrow<'b>(v: &'b Value<'static>) -> Value<'b> {
    match v {
        Value::Text(t) => Value::Text(Cow::Borrowed(t.as_ref())),
        Value::List(items) => Value::List(items.iter().map(|s| Cow::Borrowed(s.as_ref())).collect()),
        other => other.clone(),
    }
}

fn err<T>(message: impl Into<String>, span: Span) -> Result<T, EvalError> {
    Err(EvalError {
        message: message.into(),
        span,
    })
}

impl<'a> Interp<'a> {
    /// Records of a dataset; an empty table when it did not load (callers check loading
    /// before evaluating).
    pub fn rows(&self, dataset: usize) -> Option<&'a dyn Rows> {
        self.data.get(dataset).copied().flatten()
    }

    /// Evaluates an expression in an environment of bound variables.
    pub fn eval(&self, e: &'a TExpr, env: &mut Vec<Bound<'a>>) -> EvalResult<'a> {
        match &e.kind {
            TKind::Const(v) => Ok(borrow(v)),
            TKind::Param(i) => Ok(self.params.get(*i).map(borrow).unwrap_or(Value::None)),
            TKind::AsOf => Ok(Value::DateTime(self.as_of)),
            TKind::Metric(i) => Ok(match (&self.group, self.metrics.get(*i)) {
                (Some((g, v)), _) if g == i => v.clone(),
                (_, Some(MetricValue::Scalar(v))) => v.clone(),
                _ => Value::None,
            }),
            TKind::Var(slot) => Ok(match env.get(*slot) {
                Some(Bound::Value(v)) => v.clone(),
                _ => Value::None,
            }),
            TKind::Field { slot, dataset, field } => Ok(match (env.get(*slot), self.rows(*dataset)) {
                (Some(Bound::Row(r)), Some(rows)) => rows.value(*field, *r),
                _ => Value::None,
            }),
            TKind::Unary(op, inner) => {
                let v = self.eval(inner, env)?;
                unary(*op, v, e.span)
            }
            TKind::Binary(BinaryOp::And, l, r) => {
                let lt = truth(&self.eval(l, env)?);
                if lt == Some(false) {
                    return Ok(Value::Bool(false));
                }
                let rt = truth(&self.eval(r, env)?);
                Ok(from_truth(match (lt, rt) {
                    (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                }))
            }
            TKind::Binary(BinaryOp::Or, l, r) => {
                let lt = truth(&self.eval(l, env)?);
                if lt == Some(true) {
                    return Ok(Value::Bool(true));
                }
                let rt = truth(&self.eval(r, env)?);
                Ok(from_truth(match (lt, rt) {
                    (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                }))
            }
            TKind::Binary(op, l, r) => {
                let lv = self.eval(l, env)?;
                let rv = self.eval(r, env)?;
                binary(*op, lv, rv, e.span)
            }
            TKind::Matches(inner, re) => Ok(match self.eval(inner, env)? {
                Value::Text(t) => Value::Bool(re.is_match(&t)),
                _ => Value::None,
            }),
            TKind::IsNone(inner, negated) => {
                let v = self.eval(inner, env)?;
                Ok(Value::Bool(v.is_none() != *negated))
            }
            TKind::Call(func, args) => {
                // No function reads more than two arguments: keep those without a vector
                // per call (`lower(trim(e.user))` runs once per joined record), still
                // evaluating every argument in order so errors surface as before.
                let mut a = Value::None;
                let mut b = Value::None;
                for (i, arg) in args.iter().enumerate() {
                    let v = self.eval(arg, env)?;
                    match i {
                        0 => a = v,
                        1 => b = v,
                        _ => {}
                    }
                }
                call2(*func, a, b, e.span)
            }
            TKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match self.eval(item, env)? {
                        Value::Text(t) => out.push(t),
                        Value::None => {}
                        other => out.push(Cow::Owned(other.to_string())),
                    }
                }
                Ok(Value::List(out))
            }
            TKind::Quant(q) => self.quantifier(q, env),
        }
    }

    /// The records or elements a quantifier ranges over, before its filter: a join index
    /// narrows them when one applies.
    pub fn candidates(&self, q: &'a TQuant, env: &mut Vec<Bound<'a>>) -> Result<Candidates<'a>, EvalError> {
        match &q.source {
            QSource::Dataset(d) => {
                let n = self.rows(*d).map_or(0, |r| r.len());
                if let (Some(plan), Some(joins)) = (self.plans.get(q), self.joins) {
                    if let Some(rows) = self.rows(*d) {
                        let index = joins.index(plan, rows, self, q.slot)?;
                        let probe = self.eval(&plan.outer_key, env)?;
                        let found = index.lookup(&probe);
                        self.traced(q, found.len(), true);
                        return Ok(Candidates::Rows(found));
                    }
                }
                self.traced(q, n, false);
                Ok(Candidates::All(n))
            }
            QSource::List(list) => Ok(match self.eval(list, env)? {
                Value::List(items) => {
                    self.traced(q, items.len(), false);
                    Candidates::Values(items)
                }
                _ => Candidates::Values(Vec::new()),
            }),
        }
    }

    /// The compiled parts of a quantifier, when fast paths are on.
    pub fn quant_fast(&self, q: &TQuant) -> Option<&'a QuantFast<'a>> {
        self.fast?.get(q)
    }

    /// [`Interp::candidates`], narrowed to a shared selection when the quantifier's filter
    /// reads only its own record; `true` when the candidates already passed the filter.
    pub fn fast_candidates(
        &self,
        q: &'a TQuant,
        env: &mut Vec<Bound<'a>>,
    ) -> Result<(Candidates<'a>, bool), EvalError> {
        if let (QSource::Dataset(d), Some(fast)) = (&q.source, self.fast) {
            let joined = self.joins.is_some() && self.plans.get(q).is_some();
            if !joined && let Some(rows) = self.rows(*d) {
                if let Some(selected) = fast.selection(q, rows) {
                    return Ok((Candidates::Rows(Cow::Borrowed(selected)), true));
                }
            }
        }
        Ok((self.candidates(q, env)?, false))
    }

    fn traced(&self, q: &TQuant, candidates: usize, joined: bool) {
        if let Some(t) = self.trace {
            t.record(q, |s| {
                s.evaluations += 1;
                s.candidates += candidates as u64;
                s.joined |= joined;
            });
        }
    }

    /// Evaluates the body of a quantifier for the bound record (counted for `explain`).
    pub fn body(&self, q: &'a TQuant, env: &mut Vec<Bound<'a>>) -> Result<Option<Value<'a>>, EvalError> {
        self.body_with(q, self.quant_fast(q), env)
    }

    /// [`Interp::body`] with the quantifier's compiled parts already looked up.
    pub fn body_with(
        &self,
        q: &'a TQuant,
        fast: Option<&'a QuantFast<'a>>,
        env: &mut Vec<Bound<'a>>,
    ) -> Result<Option<Value<'a>>, EvalError> {
        let body = match (&q.body, fast.and_then(|f| f.body.as_ref())) {
            (Some(b), Some(fx)) => Some(fx.value(b.ty, env)?),
            (Some(b), None) => Some(self.eval(b, env)?),
            (None, _) => None,
        };
        if let Some(t) = self.trace {
            let truth = body.as_ref().map_or(Some(true), truth);
            t.record(q, |s| match truth {
                Some(true) => s.body_true += 1,
                Some(false) => s.body_false += 1,
                None => s.body_unknown += 1,
            });
        }
        Ok(body)
    }

    /// Binds a candidate to the quantifier's slot.
    #[inline(always)]
    pub fn bind(env: &mut Vec<Bound<'a>>, slot: usize, b: Bound<'a>) {
        // The common case in a scan, once per record: the slot is the last one bound and
        // holds the previous row, which needs no drop.
        if env.len() == slot + 1
            && let Some(Bound::Row(old)) = env.last_mut()
            && let Bound::Row(new) = b
        {
            *old = new;
            return;
        }
        Self::bind_any(env, slot, b);
    }

    /// [`Interp::bind`] in general.
    #[inline(never)]
    fn bind_any(env: &mut Vec<Bound<'a>>, slot: usize, b: Bound<'a>) {
        if env.len() == slot + 1 {
            if let Some(s) = env.last_mut() {
                *s = b;
            }
            return;
        }
        if env.len() <= slot {
            env.resize(slot + 1, Bound::Value(Value::None));
        }
        if let Some(s) = env.get_mut(slot) {
            *s = b;
        }
        env.truncate(slot + 1);
    }

    /// Whether the bound candidate passes the `where` filter.
    pub fn keeps(&self, q: &'a TQuant, env: &mut Vec<Bound<'a>>) -> Result<bool, EvalError> {
        self.keeps_with(q, self.quant_fast(q), env)
    }

    /// [`Interp::keeps`] with the quantifier's compiled parts already looked up.
    pub fn keeps_with(
        &self,
        q: &'a TQuant,
        fast: Option<&'a QuantFast<'a>>,
        env: &mut Vec<Bound<'a>>,
    ) -> Result<bool, EvalError> {
        let kept = match (&q.filter, fast.and_then(|f| f.filter.as_ref())) {
            (Some(_), Some(fx)) => fx.truth(env)? == Some(true),
            (Some(f), None) => truth(&self.eval(f, env)?) == Some(true),
            (None, _) => true,
        };
        if kept {
            if let Some(t) = self.trace {
                t.record(q, |s| s.kept += 1);
            }
        }
        Ok(kept)
    }

    /// Evaluates a quantifier or aggregate (ungrouped), from the memo when it has one.
    fn quantifier(&self, q: &'a TQuant, env: &mut Vec<Bound<'a>>) -> EvalResult<'a> {
        if let Some(result) = self.keyed.and_then(|k| k.quantifier(self, q, env)) {
            return result;
        }
        if let Some((plans, memo)) = self.memo
            && let Some(plan) = plans.get(q)
        {
            return memo.quantifier(self, plan, q, env, |env| self.quantifier_direct(q, env));
        }
        self.quantifier_direct(q, env)
    }

    fn quantifier_direct(&self, q: &'a TQuant, env: &mut Vec<Bound<'a>>) -> EvalResult<'a> {
        let saved = env.len();
        let (candidates, filtered) = self.fast_candidates(q, env)?;
        let fast = self.quant_fast(q);
        let mut acc = Accumulator::new(q.kind);
        let mut result = Ok(());
        candidates.for_each(|b| {
            Self::bind(env, q.slot, b);
            match self.step_with(q, fast, filtered, env, &mut acc) {
                Ok(go_on) => go_on,
                Err(e) => {
                    result = Err(e);
                    false
                }
            }
        });
        env.truncate(saved);
        result?;
        acc.finish(
            self.allow_empty,
            q.body.as_ref().map_or(Span::default(), |b| b.span),
        )
    }

    /// Feeds the bound candidate to an accumulator; false when the result is decided.
    pub fn step(
        &self,
        q: &'a TQuant,
        env: &mut Vec<Bound<'a>>,
        acc: &mut Accumulator<'a>,
    ) -> Result<bool, EvalError> {
        self.step_with(q, self.quant_fast(q), false, env, acc)
    }

    /// [`Interp::step`] with the compiled parts looked up; `filtered`: the candidate is
    /// known to pass the filter (it comes from a selection).
    pub fn step_with(
        &self,
        q: &'a TQuant,
        fast: Option<&'a QuantFast<'a>>,
        filtered: bool,
        env: &mut Vec<Bound<'a>>,
        acc: &mut Accumulator<'a>,
    ) -> Result<bool, EvalError> {
        if !filtered && !self.keeps_with(q, fast, env)? {
            return Ok(true);
        }
        let body = self.body_with(q, fast, env)?;
        Ok(acc.add(body))
    }
}

/// What a quantifier ranges over after index lookup.
pub enum Candidates<'a> {
    /// Rows `0..n`.
    All(usize),
    /// These rows, ascending.
    Rows(Cow<'a, [u32]>),
    /// List elements.
    Values(Vec<Cow<'a, str>>),
}

impl<'a> Candidates<'a> {
    /// Calls `f` with each candidate until it returns false.
    pub fn for_each(self, mut f: impl FnMut(Bound<'a>) -> bool) {
        match self {
            Candidates::All(n) => {
                for r in 0..n {
                    if !f(Bound::Row(r)) {
                        break;
                    }
                }
            }
            Candidates::Rows(rows) => {
                for &r in rows.iter() {
                    if !f(Bound::Row(r as usize)) {
                        break;
                    }
                }
            }
            Candidates::Values(values) => {
                for v in values {
                    if !f(Bound::Value(Value::Text(v))) {
                        break;
                    }
                }
            }
        }
    }
}

/// Folds the bodies of a quantifier's population into its result.
#[derive(Debug)]
pub struct Accumulator<'a> {
    kind: QuantKind,
    /// Records kept by the filter.
    pub population: usize,
    /// Bodies that were true.
    pub satisfied: usize,
    /// Bodies that were none (unknown).
    pub unknown: usize,
    values: Vec<Value<'a>>,
    /// The bodies as numbers, when a compiled scan collected them so
    /// ([`Accumulator::numbers`]).
    numbers: Option<Vec<f64>>,
}

impl<'a> Accumulator<'a> {
    /// An empty accumulator.
    pub fn new(kind: QuantKind) -> Accumulator<'a> {
        Accumulator {
            kind,
            population: 0,
            satisfied: 0,
            unknown: 0,
            values: Vec::new(),
            numbers: None,
        }
    }

    /// An `avg`, `median` or percentile over a number body, from the non-none bodies as
    /// `f64` (in record order) and the population: the same result as adding each body as
    /// a [`Value::Number`], without a `Value` per record.
    pub fn numbers(kind: QuantKind, population: usize, numbers: Vec<f64>) -> Accumulator<'a> {
        Accumulator {
            population,
            numbers: Some(numbers),
            ..Accumulator::new(kind)
        }
    }

    /// Adds one record of the population; false when the result can no longer change.
    pub fn add(&mut self, body: Option<Value<'a>>) -> bool {
        match self.kind {
            QuantKind::All | QuantKind::Any | QuantKind::No | QuantKind::Count | QuantKind::Share => {
                self.add_truth(body.as_ref().map_or(Some(true), truth))
            }
            _ => {
                self.population += 1;
                if let Some(v) = body.filter(|v| !v.is_none()) {
                    self.values.push(v);
                }
                true
            }
        }
    }

    /// [`Accumulator::add`] for a truth kind (`all`, `any`, `no`, `count`, `share`), given
    /// the body's truth directly (compiled bodies need no [`Value`]).
    #[inline]
    pub fn add_truth(&mut self, t: Truth) -> bool {
        self.population += 1;
        match t {
            Some(true) => self.satisfied += 1,
            Some(false) => {}
            None => self.unknown += 1,
        }
        match self.kind {
            QuantKind::All => self.satisfied + self.unknown == self.population,
            QuantKind::Any | QuantKind::No => self.satisfied == 0,
            _ => true,
        }
    }

    /// Merges another accumulator of the same kind (parallel chunks).
    pub fn merge(&mut self, other: Accumulator<'a>) {
        self.population += other.population;
        self.satisfied += other.satisfied;
        self.unknown += other.unknown;
        self.values.extend(other.values);
        match (&mut self.numbers, other.numbers) {
            (Some(mine), Some(theirs)) => mine.extend(theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }

    /// The quantifier's value.
    pub fn finish(mut self, allow_empty: bool, span: Span) -> EvalResult<'a> {
        let failed = self.population - self.satisfied - self.unknown;
        Ok(match self.kind {
            QuantKind::All => {
                if self.population == 0 {
                    if allow_empty {
                        Value::Bool(true)
                    } else {
                        Value::None
                    }
                } else if failed > 0 {
                    Value::Bool(false)
                } else if self.unknown > 0 {
                    Value::None
                } else {
                    Value::Bool(true)
                }
            }
            QuantKind::Any => {
                if self.satisfied > 0 {
                    Value::Bool(true)
                } else if self.unknown > 0 {
                    Value::None
                } else {
                    Value::Bool(false)
                }
            }
            QuantKind::No => {
                if self.satisfied > 0 {
                    Value::Bool(false)
                } else if self.unknown > 0 {
                    Value::None
                } else {
                    Value::Bool(true)
                }
            }
            QuantKind::Count => Value::Int(self.satisfied as i64),
            QuantKind::Share => {
                if self.population == 0 {
                    Value::None
                } else {
                    Value::Percent(self.satisfied as f64 * 100.0 / self.population as f64)
                }
            }
            kind => match self.numbers.as_mut() {
                Some(nums) if nums.is_empty() => Value::None,
                // As `aggregate` computes it over `Value::Number`s.
                Some(nums) => match kind {
                    QuantKind::Avg => Value::Number(nums.iter().sum::<f64>() / nums.len() as f64),
                    QuantKind::Median => Value::Number(percentile(nums, 50.0)),
                    QuantKind::Percentile(p) => Value::Number(percentile(nums, f64::from(p))),
                    _ => Value::None,
                },
                None => aggregate(kind, &mut self.values, span)?,
            },
        })
    }
}

/// min, max, sum, avg, median and percentiles over non-empty values of one type.
fn aggregate<'a>(kind: QuantKind, values: &mut [Value<'a>], span: Span) -> EvalResult<'a> {
    let Some(first) = values.first() else {
        return Ok(Value::None);
    };
    match kind {
        QuantKind::Min | QuantKind::Max => {
            let mut best = first.clone();
            for v in values.iter().skip(1) {
                let ord = v.compare(&best).unwrap_or(Ordering::Equal);
                if (kind == QuantKind::Min && ord == Ordering::Less)
                    || (kind == QuantKind::Max && ord == Ordering::Greater)
                {
                    best = v.clone();
                }
            }
            Ok(best)
        }
        QuantKind::Sum => {
            let mut total = Value::Int(0);
            if matches!(first, Value::Duration(_)) {
                total = Value::Duration(0);
            } else if matches!(first, Value::Percent(_)) {
                total = Value::Percent(0.0);
            }
            for v in values.iter() {
                total = binary(BinaryOp::Add, total, v.clone(), span)?;
            }
            Ok(total)
        }
        _ => {
            // Averages and ranks are computed on f64; durations are rounded back to whole
            // microseconds.
            let mut nums: Vec<f64> = values.iter().filter_map(as_f64).collect();
            if nums.is_empty() {
                return Ok(Value::None);
            }
            let x = match kind {
                QuantKind::Avg => nums.iter().sum::<f64>() / nums.len() as f64,
                QuantKind::Median => percentile(&mut nums, 50.0),
                QuantKind::Percentile(p) => percentile(&mut nums, f64::from(p)),
                _ => return Ok(Value::None),
            };
            Ok(match first {
                Value::Duration(_) => Value::Duration(x.round() as i64),
                Value::Percent(_) => Value::Percent(x),
                _ => Value::Number(x),
            })
        }
    }
}

fn as_f64(v: &Value<'_>) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Number(n) | Value::Percent(n) => Some(*n),
        Value::Duration(d) => Some(*d as f64),
        _ => None,
    }
}

/// The p-th percentile with linear interpolation between closest ranks (as numpy's
/// default): position `p/100 × (n−1)` in the sorted values.
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = (p / 100.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    if hi < n {
        // Only the two closest ranks matter: selecting them is linear where sorting a
        // million cycle times is not. The total order makes them the very values a sort
        // would put there.
        let (_, &mut a, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
        let b = if hi > lo {
            above.iter().copied().min_by(f64::total_cmp).unwrap_or(a)
        } else {
            a
        };
        return a + (b - a) * (pos - lo as f64);
    }
    values.sort_by(f64::total_cmp);
    let (a, b) = (
        values.get(lo).copied().unwrap_or(0.0),
        values.get(hi).copied().unwrap_or(0.0),
    );
    a + (b - a) * (pos - lo as f64)
}

pub(crate) fn unary<'a>(op: UnaryOp, v: Value<'a>, span: Span) -> EvalResult<'a> {
    Ok(match (op, v) {
        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
        (UnaryOp::Neg, Value::Int(i)) => match i.checked_neg() {
            Some(n) => Value::Int(n),
            None => return err("integer overflow", span),
        },
        (UnaryOp::Neg, Value::Number(n)) => Value::Number(-n),
        (UnaryOp::Neg, Value::Percent(n)) => Value::Percent(-n),
        (UnaryOp::Neg, Value::Duration(d)) => match d.checked_neg() {
            Some(n) => Value::Duration(n),
            None => return err("duration overflow", span),
        },
        (UnaryOp::Neg, Value::Months(m)) => Value::Months(m.saturating_neg()),
        _ => Value::None,
    })
}

/// Applies a binary operator (not `and`/`or`, which short-circuit).
pub fn binary<'a>(op: BinaryOp, l: Value<'a>, r: Value<'a>, span: Span) -> EvalResult<'a> {
    use BinaryOp as B;
    use Value as V;
    if l.is_none() || r.is_none() {
        return Ok(V::None);
    }
    Ok(match op {
        B::Eq => from_truth(l.compare(&r).map(|o| o == Ordering::Equal)),
        B::Ne => from_truth(l.compare(&r).map(|o| o != Ordering::Equal)),
        B::Lt => from_truth(l.compare(&r).map(|o| o == Ordering::Less)),
        B::Le => from_truth(l.compare(&r).map(|o| o != Ordering::Greater)),
        B::Gt => from_truth(l.compare(&r).map(|o| o == Ordering::Greater)),
        B::Ge => from_truth(l.compare(&r).map(|o| o != Ordering::Less)),
        B::In | B::NotIn => match (&l, &r) {
            (V::Text(t), V::List(items)) => V::Bool(items.iter().any(|i| i == t) == (op == B::In)),
            _ => V::None,
        },
        B::Contains => match (&l, &r) {
            (V::Text(hay), V::Text(needle)) => V::Bool(hay.contains(needle.as_ref())),
            (V::List(items), V::Text(needle)) => V::Bool(items.iter().any(|i| i == needle)),
            _ => V::None,
        },
        B::Add | B::Sub | B::Mul | B::Div => match arithmetic(op, &l, &r) {
            Some(Ok(v)) => v,
            Some(Err(what)) => return err(out_of_range(what, op, &l, &r), span),
            None => V::None,
        },
        // `matches` is compiled into its own node; `and`/`or` short-circuit in `eval`.
        B::Matches | B::And | B::Or => V::None,
    })
}

/// The message of an arithmetic result out of range: what overflowed, the operation and
/// its operands, so the author can find the record or literal that caused it.
pub(crate) fn out_of_range(what: &str, op: BinaryOp, l: &Value<'_>, r: &Value<'_>) -> String {
    let bounds = match what {
        "date" | "date-time" => " (dates run from 0001-01-01 to 9999-12-31)",
        _ => "",
    };
    format!("{what} out of range{bounds}: {l} {} {r}", op.as_str())
}

/// `+ - * /` on two present values: `None` for a combination that has no meaning (the
/// result is `none`), `Some(Err(what))` for a result out of range.
fn arithmetic<'a>(op: BinaryOp, l: &Value<'a>, r: &Value<'a>) -> Option<Result<Value<'a>, &'static str>> {
    use BinaryOp as B;
    use Value as V;
    let int = |x: Option<i64>, what: &'static str| x.ok_or(what);
    let finite = |x: f64| if x.is_finite() { Ok(x) } else { Err("number") };
    let date_time = |x: Option<i64>| {
        x.and_then(value::checked_instant)
            .map(V::DateTime)
            .ok_or("date-time")
    };
    Some(match (op, l, r) {
        (B::Add, V::Int(a), V::Int(b)) => int(a.checked_add(*b), "integer").map(V::Int),
        (B::Sub, V::Int(a), V::Int(b)) => int(a.checked_sub(*b), "integer").map(V::Int),
        (B::Mul, V::Int(a), V::Int(b)) => int(a.checked_mul(*b), "integer").map(V::Int),
        (op, a @ (V::Int(_) | V::Number(_)), b @ (V::Int(_) | V::Number(_))) => {
            let (x, y) = (as_f64(a)?, as_f64(b)?);
            let n = match op {
                B::Add => x + y,
                B::Sub => x - y,
                B::Mul => x * y,
                _ if y == 0.0 => return Some(Ok(V::None)),
                _ => x / y,
            };
            finite(n).map(V::Number)
        }
        (B::Add, V::Percent(a), V::Percent(b)) => finite(a + b).map(V::Percent),
        (B::Sub, V::Percent(a), V::Percent(b)) => finite(a - b).map(V::Percent),
        (B::Mul, V::Percent(p), n) | (B::Mul, n, V::Percent(p)) => finite(p * as_f64(n)?).map(V::Percent),
        (B::Div, V::Percent(p), n) => {
            let d = as_f64(n)?;
            if d == 0.0 {
                Ok(V::None)
            } else {
                finite(p / d).map(V::Percent)
            }
        }
        (B::Add, V::Duration(a), V::Duration(b)) => int(a.checked_add(*b), "duration").map(V::Duration),
        (B::Sub, V::Duration(a), V::Duration(b)) => int(a.checked_sub(*b), "duration").map(V::Duration),
        (B::Mul, V::Duration(d), n) | (B::Mul, n, V::Duration(d)) => scale(*d, as_f64(n)?).map(V::Duration),
        (B::Div, V::Duration(a), V::Duration(b)) => {
            if *b == 0 {
                Ok(V::None)
            } else {
                finite(*a as f64 / *b as f64).map(V::Number)
            }
        }
        (B::Div, V::Duration(d), n) => {
            let x = as_f64(n)?;
            if x == 0.0 {
                Ok(V::None)
            } else {
                scale(*d, 1.0 / x).map(V::Duration)
            }
        }
        (B::Sub, a @ (V::Date(_) | V::DateTime(_)), b @ (V::Date(_) | V::DateTime(_))) => {
            int(instant(a)?.checked_sub(instant(b)?), "duration").map(V::Duration)
        }
        (B::Add | B::Sub, t @ (V::Date(_) | V::DateTime(_)), V::Duration(d)) => {
            let d = if op == B::Sub { d.checked_neg() } else { Some(*d) };
            let t = instant(t)?;
            date_time(d.and_then(|d| t.checked_add(d)))
        }
        (B::Add, V::Duration(d), t @ (V::Date(_) | V::DateTime(_))) => date_time(instant(t)?.checked_add(*d)),
        (B::Add | B::Sub, V::Date(day), V::Months(m)) => {
            let m = if op == B::Sub { m.saturating_neg() } else { *m };
            add_months(*day, m).map(V::Date).ok_or("date")
        }
        (B::Add, V::Months(m), V::Date(day)) => add_months(*day, *m).map(V::Date).ok_or("date"),
        (B::Add | B::Sub, V::DateTime(t), V::Months(m)) => {
            let m = if op == B::Sub { m.saturating_neg() } else { *m };
            add_months_instant(*t, m).map(V::DateTime).ok_or("date-time")
        }
        (B::Add, V::Months(m), V::DateTime(t)) => {
            add_months_instant(*t, *m).map(V::DateTime).ok_or("date-time")
        }
        (B::Add, V::Months(a), V::Months(b)) => Ok(V::Months(a.saturating_add(*b))),
        (B::Add, V::Text(a), V::Text(b)) => Ok(V::Text(Cow::Owned(format!("{a}{b}")))),
        (B::Sub, V::Months(a), V::Months(b)) => Ok(V::Months(a.saturating_sub(*b))),
        _ => return None,
    })
}

fn scale(d: i64, factor: f64) -> Result<i64, &'static str> {
    let x = d as f64 * factor;
    if x.is_finite() && x.abs() < i64::MAX as f64 {
        Ok(x.round() as i64)
    } else {
        Err("duration")
    }
}

fn instant(v: &Value<'_>) -> Option<i64> {
    match v {
        Value::Date(d) => Some(value::date_to_micros(*d)),
        Value::DateTime(t) => Some(*t),
        _ => None,
    }
}

/// Adds calendar months to a date; the day is clamped to the month's length
/// (2026-01-31 + 1 month = 2026-02-28). `None` when the result falls outside years 1 to
/// 9999.
pub fn add_months(days: i32, months: i32) -> Option<i32> {
    let (y, m, d) = value::civil_from_days(days);
    let total = i64::from(y) * 12 + i64::from(m) - 1 + i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    if !(1..=9999).contains(&year) {
        return None;
    }
    let month = (total.rem_euclid(12) + 1) as u32;
    let day = d.min(value::days_in_month(year, month));
    value::checked_date(i64::from(value::days_from_civil(year, month, day)))
}

/// Adds calendar months to an instant, keeping its time of day (UTC). `None` when the
/// result falls outside years 1 to 9999.
fn add_months_instant(t: i64, months: i32) -> Option<i64> {
    let day = value::micros_to_date(t);
    let time = t - value::date_to_micros(day);
    let moved = value::date_to_micros(add_months(day, months)?);
    value::checked_instant(moved.checked_add(time)?)
}

pub(crate) fn call<'a>(func: Func, args: Vec<Value<'a>>, span: Span) -> EvalResult<'a> {
    let mut args = args.into_iter();
    let a = args.next().unwrap_or(Value::None);
    let b = args.next().unwrap_or(Value::None);
    call2(func, a, b, span)
}

/// [`call`] with the first two arguments (the only ones any function reads).
fn call2<'a>(func: Func, a: Value<'a>, b: Value<'a>, span: Span) -> EvalResult<'a> {
    Ok(match (func, a) {
        (Func::Coalesce, Value::None) => b,
        (Func::Coalesce, a) => a,
        (_, Value::None) => Value::None,
        (Func::Days, Value::Duration(d)) => Value::Number(d as f64 / MICROS_PER_DAY as f64),
        (Func::Hours, Value::Duration(d)) => Value::Number(d as f64 / MICROS_PER_HOUR as f64),
        (Func::Minutes, Value::Duration(d)) => Value::Number(d as f64 / MICROS_PER_MINUTE as f64),
        (Func::Lower, Value::Text(t)) => Value::Text(lower(t)),
        (Func::Upper, Value::Text(t)) => Value::Text(Cow::Owned(t.to_uppercase())),
        (Func::Trim, Value::Text(t)) => Value::Text(trim(t)),
        (Func::Len, Value::Text(t)) => Value::Int(t.chars().count() as i64),
        (Func::Len, Value::List(items)) => Value::Int(items.len() as i64),
        (Func::Date, Value::DateTime(t)) => match value::checked_date(i64::from(value::micros_to_date(t))) {
            Some(day) => Value::Date(day),
            None => {
                return err(
                    format!("date out of range: date({})", value::format_datetime(t)),
                    span,
                );
            }
        },
        (Func::Date, d @ Value::Date(_)) => d,
        (Func::Month | Func::Quarter | Func::Year, v) => {
            let Some(t) = instant(&v) else {
                return Ok(Value::None);
            };
            let (y, m, _) = value::civil_from_days(value::micros_to_date(t));
            match func {
                Func::Month => Value::Text(Cow::Owned(format!("{y:04}-{m:02}"))),
                Func::Quarter => Value::Text(Cow::Owned(format!("{y:04}-Q{}", (m - 1) / 3 + 1))),
                _ => Value::Int(i64::from(y)),
            }
        }
        (Func::Abs, Value::Int(i)) => match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => return err("integer overflow", span),
        },
        (Func::Abs, Value::Number(n)) => Value::Number(n.abs()),
        (Func::Abs, Value::Percent(n)) => Value::Percent(n.abs()),
        (Func::Abs, Value::Duration(d)) => match d.checked_abs() {
            Some(a) => Value::Duration(a),
            None => return err("duration overflow", span),
        },
        (Func::Round, n @ (Value::Int(_) | Value::Number(_))) => {
            let x = as_f64(&n).unwrap_or(0.0);
            let digits = match b {
                Value::Int(d) => d.clamp(0, 12) as i32,
                _ => 0,
            };
            let f = 10f64.powi(digits);
            Value::Number((x * f).round() / f)
        }
        (Func::StartsWith, Value::Text(t)) => match b {
            Value::Text(p) => Value::Bool(t.starts_with(p.as_ref())),
            _ => Value::None,
        },
        (Func::EndsWith, Value::Text(t)) => match b {
            Value::Text(p) => Value::Bool(t.ends_with(p.as_ref())),
            _ => Value::None,
        },
        _ => Value::None,
    })
}

/// Lower-cases without copying text that has no upper-case letters (e-mail join keys).
pub(crate) fn lower(t: Cow<'_, str>) -> Cow<'_, str> {
    if t.chars().any(char::is_uppercase) {
        Cow::Owned(t.to_lowercase())
    } else {
        t
    }
}

pub(crate) fn trim(t: Cow<'_, str>) -> Cow<'_, str> {
    match t {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    }
}

/// The evaluator needs `JoinPlans` and `JoinCache` only through these names.
pub use super::join::JoinPlan;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_linearly() {
        let mut v = vec![1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&mut v, 50.0), 2.5);
        assert!((percentile(&mut v, 90.0) - 3.7).abs() < 1e-9);
        let mut one = vec![7.0];
        assert_eq!(percentile(&mut one, 90.0), 7.0);
    }

    /// The percentile by full sort, as it was computed before selection replaced it.
    fn sorted_percentile(values: &mut [f64], p: f64) -> f64 {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        if n == 0 {
            return f64::NAN;
        }
        let pos = (p / 100.0) * (n - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        let (a, b) = (values[lo], values[hi]);
        a + (b - a) * (pos - lo as f64)
    }

    proptest::proptest! {
        #[test]
        fn percentiles_select_what_a_sort_would(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(0.0),
                    proptest::strategy::Just(-0.0),
                    proptest::strategy::Just(1.5),
                    -1e6f64..1e6
                ],
                0..60,
            ),
            p in 0u8..=100,
        ) {
            let mut a = values.clone();
            let mut b = values;
            let x = percentile(&mut a, f64::from(p));
            let y = sorted_percentile(&mut b, f64::from(p));
            proptest::prop_assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "{x} != {y}");
        }
    }

    /// The proptest case that panicked "attempt to multiply with overflow": `date()` of an
    /// instant a day from `i64::MIN` (`v.at - v.w` with `at` 0 and `w` `i64::MAX`), then
    /// compared with a date-time. Now an error where the date is made.
    #[test]
    fn dates_outside_years_1_to_9999_are_errors_where_they_are_made() {
        let span = Span::default();
        let t = binary(BinaryOp::Sub, Value::DateTime(0), Value::Duration(i64::MAX), span);
        assert!(t.is_err(), "{t:?}");
        let d = call2(Func::Date, Value::DateTime(i64::MIN + 1), Value::None, span);
        let message = d.expect_err("date() of year −292 277").message;
        assert!(message.starts_with("date out of range: date(-"), "{message}");
        // A date that bypassed the constructor still compares without overflow.
        let r = binary(BinaryOp::Lt, Value::Date(i32::MIN), Value::DateTime(0), span);
        assert_eq!(r, Ok(Value::Bool(true)));
        // Years 0 and 10000 are out, years 1 and 9999 in, for months and durations alike.
        let day = value::days_from_civil(2026, 11, 22);
        assert_eq!(
            add_months(day, -2025 * 12),
            Some(value::days_from_civil(1, 11, 22))
        );
        assert_eq!(add_months(day, -2026 * 12), None);
        assert_eq!(
            add_months(day, 7973 * 12),
            Some(value::days_from_civil(9999, 11, 22))
        );
        assert_eq!(add_months(day, 7974 * 12), None);
        let noon = value::date_to_micros(day) + 12 * MICROS_PER_HOUR;
        assert!(
            binary(
                BinaryOp::Sub,
                Value::DateTime(noon),
                Value::Months(5000 * 12),
                span
            )
            .is_err()
        );
        let message = binary(
            BinaryOp::Sub,
            Value::DateTime(noon),
            Value::Duration(2026 * 366 * MICROS_PER_DAY),
            span,
        )
        .expect_err("year 0")
        .message;
        assert!(
            message.starts_with(
                "date-time out of range (dates run from 0001-01-01 to 9999-12-31): 2026-11-22T12:00:00Z - "
            ),
            "{message}"
        );
        let last = value::MAX_INSTANT - 1;
        assert_eq!(
            binary(BinaryOp::Add, Value::DateTime(last), Value::Duration(1), span),
            Ok(Value::DateTime(value::MAX_INSTANT))
        );
        assert!(binary(BinaryOp::Add, Value::DateTime(last), Value::Duration(2), span).is_err());
    }

    #[test]
    fn months_clamp_to_month_end() {
        let jan31 = value::days_from_civil(2026, 1, 31);
        assert_eq!(add_months(jan31, 1), Some(value::days_from_civil(2026, 2, 28)));
        assert_eq!(add_months(jan31, -12), Some(value::days_from_civil(2025, 1, 31)));
    }

    #[test]
    fn comparisons_with_none_are_unknown() {
        let r = binary(BinaryOp::Lt, Value::None, Value::Int(3), Span::default()).unwrap();
        assert_eq!(r, Value::None);
        let r = binary(
            BinaryOp::Lt,
            Value::Date(1),
            Value::DateTime(MICROS_PER_DAY + 1),
            Span::default(),
        )
        .unwrap();
        assert_eq!(r, Value::Bool(true));
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert!(
            binary(
                BinaryOp::Add,
                Value::Int(i64::MAX),
                Value::Int(1),
                Span::default()
            )
            .is_err()
        );
        assert!(
            binary(
                BinaryOp::Add,
                Value::DateTime(i64::MAX),
                Value::Duration(1),
                Span::default()
            )
            .is_err()
        );
    }
}
