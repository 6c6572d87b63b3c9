//! Memoized nested quantifiers.
//!
//! `all t in training: any a in training where a.user_id == t.user_id: …` evaluates the
//! inner `any` once per outer record, although its result can only change with
//! `t.user_id`: every outer record of one user probes the same join bucket and gets the
//! same answer. A nested quantifier's value is a function of the values of the
//! sub-expressions through which it reads outer records (its *parts*) — provided those are
//! the only ways it depends on anything that varies between evaluations. So the parts are
//! evaluated first and the result is looked up under their values.
//!
//! What makes that sound, checked on the expression when the plan is built:
//! - every read of an outer binding (a `Field` or `Var` of a slot below the quantifier's)
//!   lies inside a part, and a part reads outer bindings only: no record of the quantifier
//!   itself or of quantifiers nested in it, no quantifier;
//! - the quantifier reads no metric (a grouped expect rebinds metric values per group);
//! - everything else it reads (params, `as_of`, the evidence, `allow empty`) is fixed for
//!   the run and the requirement.
//!
//! Keys compare by exact representation (variant and bits), never by `==` of the language,
//! under which `1 == 1.0` and a date equals its midnight: those render differently. When a
//! part fails to evaluate, the record is evaluated directly, so an error surfaces exactly
//! where the interpreter would raise it. Errors of the quantifier itself are memoized like
//! values: the same key raises the same error.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::interp::{Bound, EvalResult, Interp};
use super::join::{ByQuant, children, each_quantifier};
use crate::check::program::{Program, QSource, TExpr, TKind, TQuant};
use crate::hashing::{IdentityHasher, hash_bytes};
use crate::value::Value;

/// Parts per key at most: a quantifier reading its outer records through more
/// sub-expressions than this is rarely repeated with equal keys.
const MAX_PARTS: usize = 4;

/// Shards of the memo table (a power of two): parallel scans rarely wait on each other.
const SHARDS: usize = 64;

/// Keys remembered per quantifier before the hit rate decides whether to go on: a key that
/// is unique per outer record (a leaver's e-mail and termination time) only costs memory.
const TRIAL: usize = 512;

/// How a nested quantifier is memoized: the sub-expressions that read its outer records.
#[derive(Debug)]
pub struct MemoPlan<'a> {
    parts: Vec<&'a TExpr>,
    /// Distinct keys stored, and lookups answered from the table (for the hit-rate rule).
    stored: AtomicUsize,
    hits: AtomicUsize,
}

/// Memo plans of a program, by quantifier.
#[derive(Debug, Default)]
pub struct MemoPlans<'a> {
    plans: ByQuant<MemoPlan<'a>>,
}

impl<'a> MemoPlans<'a> {
    /// Finds every nested quantifier whose value depends on its outer records only through
    /// a few sub-expressions.
    pub fn build(program: &'a Program) -> MemoPlans<'a> {
        let mut plans = MemoPlans::default();
        each_quantifier(program, |q| {
            if let Some(parts) = outer_parts(q) {
                plans.plans.insert(
                    q as *const TQuant as usize,
                    MemoPlan {
                        parts,
                        stored: AtomicUsize::new(0),
                        hits: AtomicUsize::new(0),
                    },
                );
            }
        });
        plans
    }

    /// The plan of a quantifier, if it is memoized.
    pub fn get(&self, q: &TQuant) -> Option<&MemoPlan<'a>> {
        self.plans.get(&(q as *const TQuant as usize))
    }

    /// Number of memoized quantifiers (for tests).
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    /// True when nothing is memoized.
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }
}

/// What an expression reads.
#[derive(Default)]
struct Reads {
    outer: bool,
    inner: bool,
    quant: bool,
    metric: bool,
}

fn reads(e: &TExpr, slot: usize, r: &mut Reads) {
    match &e.kind {
        TKind::Field { slot: s, .. } | TKind::Var(s) => {
            if *s < slot {
                r.outer = true;
            } else {
                r.inner = true;
            }
        }
        TKind::Quant(_) => r.quant = true,
        TKind::Metric(_) => r.metric = true,
        _ => {}
    }
    children(e, |c| reads(c, slot, r));
}

/// The maximal sub-expressions of a nested quantifier that read outer records and nothing
/// of its own, or `None` when it cannot be memoized.
fn outer_parts(q: &TQuant) -> Option<Vec<&TExpr>> {
    if q.slot == 0 {
        return None;
    }
    let mut parts = Vec::new();
    let source = match &q.source {
        QSource::List(l) => Some(l),
        QSource::Dataset(_) => None,
    };
    for e in [source, q.filter.as_ref(), q.group.as_ref(), q.body.as_ref()]
        .into_iter()
        .flatten()
    {
        let mut all = Reads::default();
        reads(e, q.slot, &mut all);
        if all.metric {
            return None;
        }
        collect(e, q.slot, &mut parts);
    }
    (!parts.is_empty() && parts.len() <= MAX_PARTS).then_some(parts)
}

fn collect<'e>(e: &'e TExpr, slot: usize, parts: &mut Vec<&'e TExpr>) {
    let mut r = Reads::default();
    reads(e, slot, &mut r);
    if !r.outer {
        return;
    }
    if !r.inner && !r.quant {
        parts.push(e);
        return;
    }
    // A quantifier nested in this one reads outer records inside its own parts: they are
    // found by descending, like any other sub-expression.
    children(e, |c| collect(c, slot, parts));
}

/// Results of memoized quantifiers for one run, shared by every thread. Results are kept
/// owned: a quantifier's value is almost always a truth, a count or a share, and a table
/// that borrowed evidence would make the whole run context invariant in its lifetime.
pub struct Memo {
    /// Distinguishes this run's entries in the per-thread cache from any other run's.
    id: u64,
    shards: Vec<Mutex<Shard>>,
}

/// One shard of the table. Keys are stored encoded in one byte arena and entries in one
/// vector, so a table of a million keys is a few allocations, not millions.
#[derive(Default)]
struct Shard {
    /// Key hash → the first entry with that hash.
    heads: HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>,
    entries: Vec<Entry>,
    keys: Vec<u8>,
}

struct Entry {
    /// Where the encoded key is in the arena.
    key: (u32, u32),
    /// The next entry with the same hash (`u32::MAX`: none).
    next: u32,
    result: EvalResult<'static>,
}

impl Shard {
    fn find(&self, hash: u64, key: &[u8]) -> Option<&Entry> {
        let mut at = *self.heads.get(&hash)?;
        while let Some(e) = self.entries.get(at as usize) {
            if self.keys.get(e.key.0 as usize..e.key.1 as usize) == Some(key) {
                return Some(e);
            }
            at = e.next;
        }
        None
    }

    fn insert(&mut self, hash: u64, key: &[u8], result: EvalResult<'static>) -> bool {
        if self.find(hash, key).is_some() {
            return false;
        }
        let (Ok(start), Ok(end), Ok(at)) = (
            u32::try_from(self.keys.len()),
            u32::try_from(self.keys.len() + key.len()),
            u32::try_from(self.entries.len()),
        ) else {
            // A shard past 4 GiB of keys stops growing; lookups still answer.
            return false;
        };
        self.keys.extend_from_slice(key);
        let next = self.heads.insert(hash, at).unwrap_or(u32::MAX);
        self.entries.push(Entry {
            key: (start, end),
            next,
            result,
        });
        true
    }
}

/// What a thread evaluated last: outer records with one key usually come together (the
/// ten assignments of one user), and those need neither a lock nor a table lookup. Its
/// buffers are reused, so changing keys allocates nothing.
struct Last {
    memo: u64,
    /// The encoded key of the last lookup (quantifier included), and of the one before.
    probe: Vec<u8>,
    key: Vec<u8>,
    result: Option<EvalResult<'static>>,
    /// Hits answered here since the last report to the plan's counter.
    hits: usize,
}

thread_local! {
    static LAST: RefCell<Last> = const {
        RefCell::new(Last {
            memo: 0,
            probe: Vec::new(),
            key: Vec::new(),
            result: None,
            hits: 0,
        })
    };
}

/// Run identities for [`Memo::id`] (0: none).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Default for Memo {
    fn default() -> Self {
        Memo::new()
    }
}

impl Memo {
    /// An empty table.
    pub fn new() -> Memo {
        Memo {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
        }
    }

    /// Evaluates a memoized quantifier: from the table when its key was seen, else with
    /// `direct` (the interpreter's own evaluation), remembering the result.
    pub fn quantifier<'a>(
        &self,
        interp: &Interp<'a>,
        plan: &MemoPlan<'a>,
        q: &'a TQuant,
        env: &mut Vec<Bound<'a>>,
        direct: impl FnOnce(&mut Vec<Bound<'a>>) -> EvalResult<'a>,
    ) -> EvalResult<'a> {
        let stored = plan.stored.load(Ordering::Relaxed);
        if stored >= TRIAL && plan.hits.load(Ordering::Relaxed) < stored {
            return direct(env);
        }
        let mut key: [Value<'a>; MAX_PARTS] = std::array::from_fn(|_| Value::None);
        for (slot, part) in key.iter_mut().zip(&plan.parts) {
            match interp.eval(part, env) {
                Ok(v) => *slot = v,
                // Evaluated directly, the error surfaces where the interpreter raises it
                // (or not at all, when that part is never reached).
                Err(_) => return direct(env),
            }
        }
        let key = key.get(..plan.parts.len()).unwrap_or_default();
        // The probe buffer is taken out of the thread's cache while this evaluation runs:
        // `direct` may evaluate a memoized quantifier nested in this one (or rayon may run
        // another requirement's on this thread while it waits), which uses the cache too.
        let mut probe = LAST.with_borrow_mut(|last| std::mem::take(&mut last.probe));
        probe.clear();
        // `allow empty` belongs to the requirement, but the key must not rely on that.
        encode_quant(q, interp.allow_empty, &mut probe);
        for v in key {
            encode(v, &mut probe);
        }
        let hit = LAST.with_borrow_mut(|last| {
            (last.memo == self.id && last.key == probe).then(|| {
                last.hits += 1;
                last.result.clone()
            })
        });
        if let Some(result) = hit {
            LAST.with_borrow_mut(|last| last.probe = probe);
            return match result {
                Some(result) => result,
                None => direct(env),
            };
        }
        let hash = hash_bytes(&probe);
        let shard = self.shards.get(hash as usize % SHARDS);
        let from_table = shard.and_then(|s| Some(s.lock().ok()?.find(hash, &probe)?.result.clone()));
        let (result, stored) = match from_table {
            Some(result) => (result, false),
            None => {
                let result = direct(env);
                let stored = shard.and_then(|s| s.lock().ok()).is_some_and(|mut table| {
                    // Another thread may have computed the same key meanwhile: the same
                    // result, kept once.
                    table.insert(hash, &probe, owned(&result))
                });
                (result, stored)
            }
        };
        if stored {
            plan.stored.fetch_add(1, Ordering::Relaxed);
        }
        // This key becomes the thread's last; the hits of the one it replaces are reported
        // now, one shared counter update per change of key rather than per hit. (Hits of
        // another quantifier's key land on this plan: they only steer when to stop
        // memoizing, never a result.)
        let kept = owned(&result);
        let hits = LAST.with_borrow_mut(|last| {
            let earlier = if last.memo == self.id {
                std::mem::take(&mut last.hits)
            } else {
                0
            };
            last.memo = self.id;
            last.hits = 0;
            last.probe = std::mem::replace(&mut last.key, probe);
            last.result = Some(kept);
            earlier + usize::from(!stored)
        });
        if hits > 0 {
            plan.hits.fetch_add(hits, Ordering::Relaxed);
        }
        result
    }
}

/// A result that outlives the evidence tables.
fn owned(result: &EvalResult<'_>) -> EvalResult<'static> {
    match result {
        Ok(v) => Ok(v.clone().into_owned()),
        Err(e) => Err(e.clone()),
    }
}

fn encode_quant(q: &TQuant, allow_empty: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(&(q as *const TQuant as usize as u64).to_le_bytes());
    out.push(u8::from(allow_empty));
}

/// Appends a value's exact representation (variant and bits; text length-prefixed), so
/// equal encodings mean the same key.
fn encode(v: &Value<'_>, out: &mut Vec<u8>) {
    let text = |out: &mut Vec<u8>, t: &str| {
        out.extend_from_slice(&(t.len() as u64).to_le_bytes());
        out.extend_from_slice(t.as_bytes());
    };
    match v {
        Value::None => out.push(0),
        Value::Bool(b) => out.extend_from_slice(&[1, u8::from(*b)]),
        Value::Int(i) => {
            out.push(2);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Number(n) => {
            out.push(3);
            out.extend_from_slice(&n.to_bits().to_le_bytes());
        }
        Value::Percent(p) => {
            out.push(4);
            out.extend_from_slice(&p.to_bits().to_le_bytes());
        }
        Value::Text(t) => {
            out.push(5);
            text(out, t);
        }
        Value::Date(d) => {
            out.push(6);
            out.extend_from_slice(&d.to_le_bytes());
        }
        Value::DateTime(t) => {
            out.push(7);
            out.extend_from_slice(&t.to_le_bytes());
        }
        Value::Duration(d) => {
            out.push(8);
            out.extend_from_slice(&d.to_le_bytes());
        }
        Value::Months(m) => {
            out.push(9);
            out.extend_from_slice(&m.to_le_bytes());
        }
        Value::List(items) => {
            out.push(10);
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for item in items {
                text(out, item);
            }
        }
    }
}
