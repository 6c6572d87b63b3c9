//! Hash joins for nested quantifiers.
//!
//! `any e in events where lower(e.user) == lower(l.email) and …` would scan every event
//! for every leaver. When a nested quantifier's filter has a conjunct `A == B` (or
//! `A contains B`) where `A` reads only the inner record and `B` only outer ones, the
//! inner dataset is indexed once by `A` and each outer record probes it with `B`.
//!
//! The index maps a 64-bit hash of the key to the rows that have it. Candidates are a
//! superset of the matching rows (hash collisions, `1 == 1.0`); the full filter is still
//! evaluated on each candidate, so values are exactly those of the nested loop. Errors
//! differ in one respect, which the language documents: an overflow in the filter that
//! only a record of another key (or none) would raise is not raised, since such records
//! are never looked at.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use rayon::prelude::*;

use super::interp::{Bound, EvalError, Interp, Rows};
use crate::check::program::{Func, Program, QSource, TExpr, TKind, TQuant};
use crate::evidence::{Column, ColumnData, NONE_CODE, TextData};
use crate::hashing::{FxHasher, FxMap};
use crate::syntax::ast::BinaryOp;
use crate::value::{self, Type, Value};

/// How a nested quantifier is joined to its outer records.
#[derive(Debug)]
pub struct JoinPlan {
    /// The inner dataset.
    pub dataset: usize,
    /// The key computed from an inner record.
    pub inner_key: TExpr,
    /// The key computed from the outer records, probed per evaluation.
    pub outer_key: TExpr,
    /// The inner key is a list whose elements are indexed (`A contains B`).
    pub contains: bool,
    /// The inner key is text that must start with the outer key (`starts_with(A, B)`):
    /// a sorted index answers prefix ranges.
    pub prefix: bool,
    /// Identifies the index: dataset and the inner key's shape.
    pub fingerprint: String,
    /// The index's slot in the [`JoinCache`]: plans with the same fingerprint share one.
    pub id: usize,
    /// Which conjunct of the filter (in [`split_and`] order) the join answers.
    pub conjunct: usize,
    /// Conjuncts of the filter that read only the inner record and that the index applies
    /// as it is built (`e.kind == deactivation_event`): see [`pushable`].
    pub pushed: Vec<TExpr>,
}

/// A map keyed by a quantifier's address: looked up for every nested evaluation.
pub type ByQuant<V> = FxMap<usize, V>;

/// A map keyed by group codes (a dictionary code, a period number; `None` for none),
/// looked up once per record of a grouped scan.
pub type ByCode<V> = FxMap<Option<i64>, V>;

/// Join plans of a program, by quantifier.
#[derive(Debug, Default)]
pub struct JoinPlans {
    plans: ByQuant<JoinPlan>,
    /// Index slot per fingerprint.
    ids: HashMap<String, usize>,
}

impl JoinPlans {
    /// Finds every nested quantifier that can be evaluated as a join.
    pub fn build(program: &Program) -> JoinPlans {
        let mut plans = JoinPlans::default();
        for r in &program.requirements {
            for m in &r.metrics {
                plans.visit(&m.expr);
            }
            for e in &r.expects {
                plans.visit(&e.expr);
            }
        }
        plans
    }

    /// The plan of a quantifier, if it joins.
    pub fn get(&self, q: &TQuant) -> Option<&JoinPlan> {
        self.plans.get(&(q as *const TQuant as usize))
    }

    /// Number of quantifiers that join (for `explain` and tests).
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    /// True when nothing joins.
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// Number of distinct indexes the plans need.
    pub fn indexes(&self) -> usize {
        self.ids.len()
    }

    /// Every plan.
    pub fn iter(&self) -> impl Iterator<Item = &JoinPlan> {
        self.plans.values()
    }

    fn visit(&mut self, e: &TExpr) {
        match &e.kind {
            TKind::Quant(q) => {
                if let (QSource::Dataset(d), true, Some(filter)) = (&q.source, q.slot > 0, &q.filter) {
                    if let Some(mut plan) = plan_for(*d, q.slot, filter) {
                        let next = self.ids.len();
                        plan.id = *self.ids.entry(plan.fingerprint.clone()).or_insert(next);
                        self.plans.insert(&**q as *const TQuant as usize, plan);
                    }
                }
                if let QSource::List(l) = &q.source {
                    self.visit(l);
                }
                for part in [&q.filter, &q.group, &q.body].into_iter().flatten() {
                    self.visit(part);
                }
            }
            _ => children(e, |c| self.visit(c)),
        }
    }
}

/// Calls `f` on every quantifier of the program's metrics and expects, nested ones
/// included (each plan builder walks the program this way).
pub fn each_quantifier<'p>(program: &'p Program, mut f: impl FnMut(&'p TQuant)) {
    let mut stack: Vec<&'p TExpr> = Vec::new();
    for r in &program.requirements {
        stack.extend(r.metrics.iter().map(|m| &m.expr));
        stack.extend(r.expects.iter().map(|e| &e.expr));
    }
    while let Some(e) = stack.pop() {
        if let TKind::Quant(q) = &e.kind {
            f(q);
        }
        children(e, |c| stack.push(c));
    }
}

/// Calls `f` on each direct sub-expression.
pub fn children<'e>(e: &'e TExpr, mut f: impl FnMut(&'e TExpr)) {
    match &e.kind {
        TKind::Unary(_, a) | TKind::Matches(a, _) | TKind::IsNone(a, _) => f(a),
        TKind::Binary(_, a, b) => {
            f(a);
            f(b);
        }
        TKind::Call(_, args) | TKind::List(args) => args.iter().for_each(f),
        TKind::Quant(q) => {
            if let QSource::List(l) = &q.source {
                f(l);
            }
            for part in [&q.filter, &q.group, &q.body].into_iter().flatten() {
                f(part);
            }
        }
        _ => {}
    }
}

/// The binding slots an expression reads, and whether it contains a quantifier.
fn slots(e: &TExpr, out: &mut Vec<usize>, has_quant: &mut bool) {
    match &e.kind {
        TKind::Field { slot, .. } | TKind::Var(slot) => out.push(*slot),
        TKind::Quant(_) => *has_quant = true,
        _ => {}
    }
    children(e, |c| slots(c, out, has_quant));
}

fn plan_for(dataset: usize, slot: usize, filter: &TExpr) -> Option<JoinPlan> {
    let mut conjuncts = Vec::new();
    split_and(filter, &mut conjuncts);
    for (at, c) in conjuncts.iter().enumerate() {
        // `starts_with(inner, outer)`: a prefix range of a sorted index.
        if let TKind::Call(Func::StartsWith, args) = &c.kind
            && let [inner, outer] = args.as_slice()
            && inner_only(inner, slot)
            && !reads_metric(inner)
            && outer_only(outer, slot)
        {
            return Some(JoinPlan {
                dataset,
                inner_key: inner.clone(),
                outer_key: outer.clone(),
                contains: false,
                prefix: true,
                fingerprint: format!("{dataset}:prefix:{}", fingerprint(inner, slot)),
                id: 0,
                conjunct: at,
                pushed: Vec::new(),
            });
        }
    }
    for (at, c) in conjuncts.iter().enumerate() {
        let TKind::Binary(op @ (BinaryOp::Eq | BinaryOp::Contains), a, b) = &c.kind else {
            continue;
        };
        let sides: &[(&TExpr, &TExpr)] = if *op == BinaryOp::Eq {
            &[(a, b), (b, a)]
        } else {
            &[(a, b)]
        };
        for (inner, outer) in sides {
            let (mut si, mut so) = (Vec::new(), Vec::new());
            let (mut qi, mut qo) = (false, false);
            slots(inner, &mut si, &mut qi);
            slots(outer, &mut so, &mut qo);
            // A key that reads a metric would differ between requirements (and between the
            // groups of a grouped expect) while the index is shared: no join.
            let inner_only = !si.is_empty() && si.iter().all(|s| *s == slot) && !qi && !reads_metric(inner);
            // A side that reads no record (`e.kind == "login"`) is a constant, not a key
            // that varies with the outer records: another conjunct may be one.
            let outer_only = !so.is_empty() && so.iter().all(|s| *s < slot) && !qo;
            // `contains` is list membership only when the inner side is a list; on text it
            // is a substring test, which an index of whole values cannot answer.
            let indexable = *op == BinaryOp::Eq || inner.ty == crate::value::Type::List;
            if inner_only && outer_only && indexable {
                let pushed = pushable(&conjuncts, at, slot);
                let mut print = format!(
                    "{dataset}:{}:{}",
                    *op == BinaryOp::Contains,
                    fingerprint(inner, slot)
                );
                for p in &pushed {
                    print.push_str(" where ");
                    print.push_str(&fingerprint(p, slot));
                }
                return Some(JoinPlan {
                    dataset,
                    inner_key: (*inner).clone(),
                    outer_key: (*outer).clone(),
                    contains: *op == BinaryOp::Contains,
                    prefix: false,
                    fingerprint: print,
                    id: 0,
                    conjunct: at,
                    pushed,
                });
            }
        }
    }
    None
}

/// The conjuncts (other than the join's, `at`) that an index may apply while it is built:
/// those that read only the inner record and no metric, when neither they nor any conjunct
/// before them can fail. A record for which one of them is false is never kept, and the
/// joined loop, which evaluates conjuncts left to right and stops at a false one, then
/// evaluates nothing that could fail for it: leaving it out of the index changes no
/// result and hides no error. Records for which it is unknown stay in.
fn pushable(conjuncts: &[&TExpr], at: usize, slot: usize) -> Vec<TExpr> {
    let mut pushed = Vec::new();
    for (k, c) in conjuncts.iter().enumerate() {
        if !infallible(c) {
            break;
        }
        if k != at && inner_only(c, slot) && !reads_metric(c) {
            pushed.push((*c).clone());
        }
    }
    pushed
}

/// Evaluating the expression never raises an error: no arithmetic (which can overflow), no
/// quantifier, only functions that cannot fail.
fn infallible(e: &TExpr) -> bool {
    let own = match &e.kind {
        TKind::Unary(op, _) => *op == crate::syntax::ast::UnaryOp::Not,
        TKind::Binary(op, _, _) => {
            !matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div)
        }
        TKind::Call(f, _) => matches!(
            f,
            Func::Lower | Func::Upper | Func::Trim | Func::Len | Func::StartsWith | Func::EndsWith
        ),
        TKind::Quant(_) => false,
        _ => true,
    };
    let mut all = own;
    children(e, |c| all = all && infallible(c));
    all
}

fn reads_metric(e: &TExpr) -> bool {
    let mut found = matches!(e.kind, TKind::Metric(_));
    children(e, |c| found = found || reads_metric(c));
    found
}

/// The expression reads the inner record (slot `slot`) and nothing outside it.
fn inner_only(e: &TExpr, slot: usize) -> bool {
    let (mut s, mut q) = (Vec::new(), false);
    slots(e, &mut s, &mut q);
    !s.is_empty() && s.iter().all(|x| *x == slot) && !q
}

/// The expression reads outer records and nothing else.
fn outer_only(e: &TExpr, slot: usize) -> bool {
    let (mut s, mut q) = (Vec::new(), false);
    slots(e, &mut s, &mut q);
    !s.is_empty() && s.iter().all(|x| *x < slot) && !q
}

/// The conjuncts of `a and b and …`, left to right.
pub fn split_and<'e>(e: &'e TExpr, out: &mut Vec<&'e TExpr>) {
    if let TKind::Binary(BinaryOp::And, a, b) = &e.kind {
        split_and(a, out);
        split_and(b, out);
    } else {
        out.push(e);
    }
}

/// A structural rendering of an expression that ignores spans and names the inner slot
/// `$`, so the same key written in two requirements shares one index.
pub fn fingerprint(e: &TExpr, slot: usize) -> String {
    let mut s = String::new();
    write_fingerprint(e, slot, &mut s);
    s
}

fn write_fingerprint(e: &TExpr, slot: usize, s: &mut String) {
    use std::fmt::Write;
    match &e.kind {
        TKind::Const(v) => {
            let _ = write!(s, "{v:?}");
        }
        TKind::Param(i) => {
            let _ = write!(s, "param{i}");
        }
        TKind::AsOf => s.push_str("as_of"),
        TKind::Metric(i) => {
            let _ = write!(s, "metric{i}");
        }
        TKind::Var(v) => s.push_str(if *v == slot { "$" } else { "?" }),
        TKind::Field {
            slot: v,
            dataset,
            field,
        } => {
            let _ = write!(s, "{}.{dataset}.{field}", if *v == slot { "$" } else { "?" });
        }
        TKind::Unary(op, a) => {
            let _ = write!(s, "({op:?} ");
            write_fingerprint(a, slot, s);
            s.push(')');
        }
        TKind::Binary(op, a, b) => {
            let _ = write!(s, "({op:?} ");
            write_fingerprint(a, slot, s);
            s.push(' ');
            write_fingerprint(b, slot, s);
            s.push(')');
        }
        TKind::Matches(a, re) => {
            let _ = write!(s, "(matches {:?} ", re.as_str());
            write_fingerprint(a, slot, s);
            s.push(')');
        }
        TKind::IsNone(a, n) => {
            let _ = write!(s, "(isnone {n} ");
            write_fingerprint(a, slot, s);
            s.push(')');
        }
        TKind::Call(f, args) => {
            let _ = write!(s, "({f:?}");
            for a in args {
                s.push(' ');
                write_fingerprint(a, slot, s);
            }
            s.push(')');
        }
        TKind::List(items) => {
            s.push('[');
            for a in items {
                write_fingerprint(a, slot, s);
                s.push(',');
            }
            s.push(']');
        }
        // Plans never index quantifier keys.
        TKind::Quant(_) => s.push_str("(quant)"),
    }
}

/// Rows of a dataset by key hash, or sorted by text key for prefix joins.
#[derive(Debug, Default)]
pub struct Index {
    /// Key hashes in bucket order (a bucket is the hash's top `bits` bits), each hash's
    /// entries together; `rows` holds the row of each entry, ascending within a hash.
    /// Hashes are uniform, so a bucket holds a few keys: a lookup reads the bucket's
    /// bounds and scans it, with no hash table to build.
    hashes: Vec<u64>,
    rows: Vec<u32>,
    /// Where each bucket starts in `hashes` (one more entry than buckets).
    buckets: Vec<u32>,
    bits: u32,
    /// Prefix joins: (key, row) sorted by key then row.
    sorted: Vec<(String, u32)>,
    prefix: bool,
}

impl Index {
    /// Rows whose key may equal the probe (ascending), or for a prefix join the rows whose
    /// key starts with it; empty for `none`.
    pub fn lookup(&self, probe: &Value<'_>) -> Cow<'_, [u32]> {
        if self.prefix {
            let Value::Text(p) = probe else {
                return Cow::Borrowed(&[]);
            };
            let start = self.sorted.partition_point(|(k, _)| k.as_str() < p.as_ref());
            let mut rows: Vec<u32> = self
                .sorted
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|(k, _)| k.starts_with(p.as_ref()))
                .map(|(_, r)| *r)
                .collect();
            rows.sort_unstable();
            return Cow::Owned(rows);
        }
        let found = key_hash(probe).and_then(|h| self.range(h));
        Cow::Borrowed(found.unwrap_or_default())
    }

    /// The rows of one key hash.
    fn range(&self, h: u64) -> Option<&[u32]> {
        let b = bucket(h, self.bits);
        let start = *self.buckets.get(b)? as usize;
        let end = *self.buckets.get(b + 1)? as usize;
        let in_bucket = self.hashes.get(start..end)?;
        let first = in_bucket.iter().position(|&x| x == h)?;
        let len = in_bucket.get(first..)?.iter().take_while(|&&x| x == h).count();
        self.rows.get(start + first..start + first + len)
    }
}

/// A hash under which equal values collide: ints and numbers hash as numbers, a date as
/// the instant of its midnight (dates equal date-times at midnight).
pub fn key_hash(v: &Value<'_>) -> Option<u64> {
    let mut h = FxHasher::default();
    match v {
        Value::None => return None,
        Value::Bool(b) => (0u8, b).hash(&mut h),
        Value::Int(i) => (1u8, normalize(*i as f64)).hash(&mut h),
        Value::Number(n) => (1u8, normalize(*n)).hash(&mut h),
        Value::Percent(p) => (2u8, normalize(*p)).hash(&mut h),
        Value::Text(t) => (3u8, t.as_ref()).hash(&mut h),
        Value::Date(d) => (4u8, value::date_to_micros(*d)).hash(&mut h),
        Value::DateTime(t) => (4u8, t).hash(&mut h),
        Value::Duration(d) => (5u8, d).hash(&mut h),
        Value::Months(m) => (6u8, m).hash(&mut h),
        Value::List(items) => (7u8, items).hash(&mut h),
    }
    Some(h.finish())
}

fn normalize(x: f64) -> u64 {
    // -0.0 == 0.0, so they must hash alike.
    if x == 0.0 { 0f64.to_bits() } else { x.to_bits() }
}

/// Rows per parallel chunk when computing index keys.
const CHUNK_ROWS: usize = 16 * 1024;

/// Indexes built so far, shared by every requirement of a run: a dataset is indexed once
/// per key shape however many requirements join on it.
#[derive(Default)]
pub struct JoinCache {
    slots: Vec<OnceLock<Result<Index, EvalError>>>,
}

impl JoinCache {
    /// An empty cache for `indexes` distinct indexes ([`JoinPlans::indexes`]).
    pub fn new(indexes: usize) -> JoinCache {
        JoinCache {
            slots: (0..indexes).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The index for a plan, building it on first use.
    pub fn index<'a>(
        &'a self,
        plan: &'a JoinPlan,
        rows: &'a dyn Rows,
        interp: &Interp<'a>,
        slot: usize,
    ) -> Result<&'a Index, EvalError> {
        let Some(cell) = self.slots.get(plan.id) else {
            return Err(EvalError {
                message: String::from("internal: no index slot for a join plan"),
                span: plan.inner_key.span,
            });
        };
        cell.get_or_init(|| build(plan, rows, interp, slot))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// The keys of one chunk of rows: (hash, row) pairs in row order, or (text, row) for
/// prefix joins.
enum Keys {
    Hashed(Vec<(u64, u32)>),
    Texts(Vec<(String, u32)>),
}

/// Builds an index: keys are computed in parallel chunks (the expensive part: the
/// interpreter evaluates `lower(trim(e.user))` per row), then inserted in row order so each
/// bucket's rows stay ascending. The first error in row order wins, as in a sequential
/// build.
fn build<'a>(
    plan: &'a JoinPlan,
    rows: &'a dyn Rows,
    interp: &Interp<'a>,
    slot: usize,
) -> Result<Index, EvalError> {
    let n = rows.len();
    let chunks: Vec<(usize, usize)> = (0..n)
        .step_by(CHUNK_ROWS)
        .map(|s| (s, (s + CHUNK_ROWS).min(n)))
        .collect();
    // The pushed conjuncts, compiled: a record they rule out is not indexed.
    let pushed = interp.fast.map_or(&[][..], |f| f.pushed(plan.id));
    let indexed = |env: &mut Vec<Bound<'a>>, r: usize| {
        if pushed.is_empty() {
            return true;
        }
        Interp::bind(env, slot, Bound::Row(r));
        // They cannot fail; if one did, the record would simply stay in.
        pushed.iter().all(|fx| fx.truth(env) != Ok(Some(false)))
    };
    // A text key read straight from its column (`e.user_id`, `lower(trim(e.user))`): no
    // interpreter, no `Value` per row; over a dictionary the key is hashed once per code.
    let text_key = if plan.prefix || plan.contains {
        None
    } else {
        TextKey::compile(&plan.inner_key, slot, rows)
    };
    if let Some(key) = &text_key {
        let hashed: Vec<Vec<(u64, u32)>> = chunks
            .par_iter()
            .map(|&(start, end)| {
                let mut env: Vec<Bound<'a>> = vec![Bound::Value(Value::None); slot + 1];
                (start..end)
                    .filter(|&r| indexed(&mut env, r))
                    .filter_map(|r| Some((key.hash(r)?, u32::try_from(r).unwrap_or(u32::MAX))))
                    .collect()
            })
            .collect();
        // One key per row: no pair can repeat.
        return Ok(hashed_index(hashed.into_iter().flatten().collect(), false));
    }
    let parts: Vec<Result<Keys, EvalError>> = chunks
        .par_iter()
        .map(|&(start, end)| {
            let mut env: Vec<Bound<'a>> = vec![Bound::Value(Value::None); slot + 1];
            let mut hashed = Vec::new();
            let mut texts = Vec::new();
            for r in start..end {
                if !indexed(&mut env, r) {
                    continue;
                }
                Interp::bind(&mut env, slot, Bound::Row(r));
                let key = interp.eval(&plan.inner_key, &mut env)?;
                let row = u32::try_from(r).unwrap_or(u32::MAX);
                if plan.prefix {
                    if let Value::Text(t) = key {
                        texts.push((t.into_owned(), row));
                    }
                } else if plan.contains {
                    if let Value::List(items) = key {
                        for item in items {
                            if let Some(h) = key_hash(&Value::Text(item)) {
                                hashed.push((h, row));
                            }
                        }
                    }
                } else if let Some(h) = key_hash(&key) {
                    hashed.push((h, row));
                }
            }
            Ok(if plan.prefix {
                Keys::Texts(texts)
            } else {
                Keys::Hashed(hashed)
            })
        })
        .collect();
    let mut sorted = Vec::new();
    let mut pairs: Vec<(u64, u32)> = Vec::new();
    for part in parts {
        match part? {
            Keys::Texts(texts) => sorted.extend(texts),
            Keys::Hashed(p) => pairs.extend(p),
        }
    }
    if plan.prefix {
        sorted.par_sort_unstable();
        return Ok(Index {
            prefix: true,
            sorted,
            ..Index::default()
        });
    }
    Ok(hashed_index(pairs, plan.contains))
}

/// An index of (key hash, row) pairs, given in row order: a counting sort by bucket
/// (two linear passes), then each bucket sorted by hash. Both sorts are stable, so each
/// key's rows stay in ascending row order.
fn hashed_index(pairs: Vec<(u64, u32)>, may_repeat: bool) -> Index {
    let n = pairs.len();
    // About four entries per bucket.
    let bits = (usize::BITS - (n / 4).leading_zeros()).clamp(1, 30);
    let mut buckets = vec![0u32; (1usize << bits) + 1];
    for &(h, _) in &pairs {
        if let Some(c) = buckets.get_mut(bucket(h, bits) + 1) {
            *c = c.saturating_add(1);
        }
    }
    for i in 1..buckets.len() {
        let before = buckets.get(i - 1).copied().unwrap_or(0);
        if let Some(c) = buckets.get_mut(i) {
            *c = c.saturating_add(before);
        }
    }
    let mut next: Vec<u32> = buckets.clone();
    let mut sorted: Vec<(u64, u32)> = vec![(0, 0); n];
    for &(h, row) in &pairs {
        if let Some(at) = next.get_mut(bucket(h, bits)) {
            if let Some(slot) = sorted.get_mut(*at as usize) {
                *slot = (h, row);
            }
            *at += 1;
        }
    }
    drop(pairs);
    let mut pieces: Vec<&mut [(u64, u32)]> = Vec::with_capacity(buckets.len());
    let mut rest: &mut [(u64, u32)] = &mut sorted;
    for w in buckets.windows(2) {
        let len = match w {
            [a, b] => b.saturating_sub(*a) as usize,
            _ => 0,
        };
        let len = len.min(rest.len());
        let (piece, tail) = std::mem::take(&mut rest).split_at_mut(len);
        if piece.len() > 1 {
            pieces.push(piece);
        }
        rest = tail;
    }
    pieces.par_iter_mut().for_each(|p| p.sort_by_key(|&(h, _)| h));
    // A list naming the same item twice yields the same pair twice (adjacent now): a row
    // is a candidate once. Removing it shifts later entries, so bucket bounds are
    // recomputed from the hashes that remain.
    let starts = if may_repeat {
        sorted.dedup();
        let mut starts = vec![0u32; (1usize << bits) + 1];
        for &(h, _) in &sorted {
            if let Some(c) = starts.get_mut(bucket(h, bits) + 1) {
                *c = c.saturating_add(1);
            }
        }
        for i in 1..starts.len() {
            let before = starts.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = starts.get_mut(i) {
                *c = c.saturating_add(before);
            }
        }
        starts
    } else {
        buckets
    };
    Index {
        hashes: sorted.iter().map(|&(h, _)| h).collect(),
        rows: sorted.iter().map(|&(_, r)| r).collect(),
        buckets: starts,
        bits,
        ..Index::default()
    }
}

/// The bucket of a hash: its top `bits` bits.
#[inline]
fn bucket(h: u64, bits: u32) -> usize {
    (h >> (64 - bits)) as usize
}

/// A join key that is a text column of the inner record, possibly through `lower` and
/// `trim`, computed as the interpreter computes it: an empty cell is none, `trim` of
/// blanks is empty text (not none), `lower` copies only text with upper-case letters.
enum TextKey<'a> {
    /// Hash per dictionary code (`None`: the key is none).
    Coded {
        codes: &'a [u32],
        hashes: Vec<Option<u64>>,
    },
    /// Plain text, transformed per row.
    Plain { column: &'a Column, steps: Vec<Func> },
}

impl<'a> TextKey<'a> {
    fn compile(e: &TExpr, slot: usize, rows: &'a dyn Rows) -> Option<TextKey<'a>> {
        let mut steps = Vec::new();
        let mut at = e;
        loop {
            match &at.kind {
                TKind::Call(f @ (Func::Lower | Func::Trim), args) => {
                    let [arg] = args.as_slice() else {
                        return None;
                    };
                    steps.push(*f);
                    at = arg;
                }
                TKind::Field { slot: s, field, .. } if *s == slot && at.ty == Type::Text => {
                    let column = rows.column(*field)?;
                    // Innermost first.
                    steps.reverse();
                    return Some(match column.data() {
                        ColumnData::Text(TextData::Dict { codes, dict }) => TextKey::Coded {
                            codes,
                            hashes: dict
                                .iter()
                                .map(|t| {
                                    apply(&steps, Some(Cow::Borrowed(t)))
                                        .and_then(|k| key_hash(&Value::Text(k)))
                                })
                                .collect(),
                        },
                        ColumnData::Text(TextData::Plain(_)) => TextKey::Plain { column, steps },
                        _ => return None,
                    });
                }
                _ => return None,
            }
        }
    }

    /// The key hash of a row (`None`: the key is none, the row is never a candidate).
    #[inline]
    fn hash(&self, row: usize) -> Option<u64> {
        match self {
            TextKey::Coded { codes, hashes } => {
                let code = *codes.get(row)?;
                if code == NONE_CODE {
                    return None;
                }
                *hashes.get(code as usize)?
            }
            TextKey::Plain { column, steps } => {
                let text = apply(steps, column.text(row).map(Cow::Borrowed))?;
                key_hash(&Value::Text(text))
            }
        }
    }
}

/// Applies `lower`/`trim` in order with the interpreter's own functions.
fn apply<'t>(steps: &[Func], text: Option<Cow<'t, str>>) -> Option<Cow<'t, str>> {
    let mut text = text?;
    for f in steps {
        text = match f {
            Func::Lower => super::interp::lower(text),
            _ => super::interp::trim(text),
        };
    }
    Some(text)
}
