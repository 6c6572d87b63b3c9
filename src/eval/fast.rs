//! Compiled fast paths over typed columns, used instead of the row interpreter where an
//! expression has a common shape; everything else falls back to [`super::interp`], which
//! defines the semantics. The property tests in `tests.rs` run every requirement with and
//! without these paths and compare outcomes, failing records and metric values.
//!
//! What is compiled (per run, once, for each quantifier's `where`, `by` and body):
//! - sub-expressions that read no record (params, `as_of`, literals, `as_of - 12 months`,
//!   `quarter(as_of - 3 months)`) are folded into constants with the interpreter's own
//!   operators, so they are computed once instead of once per row;
//! - date, date-time and duration columns are read as integers (microseconds), number
//!   columns as `f64`, and `a - b`, `t ± d`, `days(d)`, comparisons of those never build a
//!   [`Value`];
//! - `x.status in [...]` and `x.status == "..."` over a dictionary-encoded text column test
//!   the row's code against a precomputed set of codes (one table lookup, no string
//!   compare);
//! - `month(t)`, `quarter(t)` and `year(t)` compared with a constant compare period numbers;
//!   a `by` over them, or over a dictionary-encoded column, groups by integer code and
//!   names the groups only at the end (no `String` per row);
//! - `and`/`or`/`not`/`is none` with Kleene's three-valued logic and the interpreter's
//!   short-circuit order (so an overflow error surfaces exactly where it would there).
//!
//! A `where` that reads only the quantifier's own record is a *selection*: its rows are
//! computed once per dataset and filter shape and shared by every quantifier and
//! requirement that uses the same filter (`capa.cycle_time` scans its closed CAPAs once,
//! not three times).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use rayon::prelude::*;

use super::interp::{self, Bound, EvalError, Rows};
use super::join::{ByQuant, JoinPlans, children, each_quantifier, fingerprint};
use crate::check::program::{Func, Program, QSource, TExpr, TKind, TQuant};
use crate::evidence::{Column, ColumnData, NONE_CODE, NONE_DATE, NONE_MICROS, TextData};
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::value::{self, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, Type, Value};

/// Rows per parallel chunk when building a selection.
const CHUNK_ROWS: usize = 16 * 1024;

/// Compiled fast paths of a run, by quantifier.
#[derive(Default)]
pub struct FastPlans<'a> {
    quants: ByQuant<QuantFast<'a>>,
    /// Shared selections, by id (see [`QuantFast::selection`]).
    selections: Vec<OnceLock<Option<Vec<u32>>>>,
    /// The compiled conjuncts each join index applies as it is built, by index id
    /// ([`super::join::JoinPlan::pushed`]; those that do not compile are left out).
    pushed: Vec<Vec<Fx<'a>>>,
}

/// The compiled parts of one quantifier.
pub struct QuantFast<'a> {
    /// The `where` condition.
    pub filter: Option<Fx<'a>>,
    /// The body.
    pub body: Option<Fx<'a>>,
    /// The `by` key as an integer code.
    pub group: Option<GroupFx<'a>>,
    /// The shared selection of rows passing the filter, when the filter reads only the
    /// quantifier's own record.
    selection: Option<usize>,
}

/// The environment of compiled evaluation: the record bound to each slot.
type Env<'e, 'a> = &'e [Bound<'a>];

fn row_of(env: Env<'_, '_>, slot: usize) -> Option<usize> {
    match env.get(slot) {
        Some(Bound::Row(r)) => Some(*r),
        _ => None,
    }
}

impl<'a> FastPlans<'a> {
    /// Compiles every quantifier of every requirement against the loaded columns. `data` is
    /// per dataset (`None`: not loaded or not a typed table).
    pub fn build(
        program: &Program,
        joins: &JoinPlans,
        data: &[Option<&'a dyn Rows>],
        params: &[Value<'static>],
        as_of: i64,
    ) -> FastPlans<'a> {
        let mut plans = FastPlans::default();
        let mut ids: HashMap<String, usize> = HashMap::new();
        let compiler = Compiler { data, params, as_of };
        each_quantifier(program, |q| {
            let key = q as *const TQuant as usize;
            plans
                .quants
                .entry(key)
                .or_insert_with(|| compiler.quant(q, &mut ids));
        });
        plans.selections = (0..ids.len()).map(|_| OnceLock::new()).collect();
        plans.pushed = (0..joins.indexes()).map(|_| Vec::new()).collect();
        for join in joins.iter() {
            if let Some(slot) = plans.pushed.get_mut(join.id)
                && slot.is_empty()
            {
                *slot = join.pushed.iter().filter_map(|c| compiler.condition(c)).collect();
            }
        }
        plans
    }

    /// The compiled conjuncts a join index applies as it is built.
    pub fn pushed(&self, index: usize) -> &[Fx<'a>] {
        self.pushed.get(index).map_or(&[], Vec::as_slice)
    }

    /// The compiled parts of a quantifier, if any.
    pub fn get(&self, q: &TQuant) -> Option<&QuantFast<'a>> {
        self.quants.get(&(q as *const TQuant as usize))
    }

    /// The rows of `rows` that pass the quantifier's filter, computed once and shared;
    /// `None` when the filter is not a selection (or evaluating it failed: the interpreter
    /// then reports the error where it occurs).
    pub fn selection(&self, q: &TQuant, rows: &dyn Rows) -> Option<&[u32]> {
        let fast = self.get(q)?;
        let id = fast.selection?;
        let filter = fast.filter.as_ref()?;
        let cell = self.selections.get(id)?;
        cell.get_or_init(|| select(filter, q.slot, rows.len())).as_deref()
    }
}

/// The rows `0..n` whose filter is true, in order (in parallel chunks).
fn select(filter: &Fx<'_>, slot: usize, n: usize) -> Option<Vec<u32>> {
    let chunks: Vec<(usize, usize)> = (0..n)
        .step_by(CHUNK_ROWS)
        .map(|s| (s, (s + CHUNK_ROWS).min(n)))
        .collect();
    let parts: Vec<Option<Vec<u32>>> = chunks
        .par_iter()
        .map(|&(start, end)| {
            let mut env = vec![Bound::Value(Value::None); slot + 1];
            let mut kept = Vec::new();
            for r in start..end {
                if let Some(b) = env.get_mut(slot) {
                    *b = Bound::Row(r);
                }
                if filter.truth(&env).ok()? == Some(true) {
                    kept.push(u32::try_from(r).ok()?);
                }
            }
            Some(kept)
        })
        .collect();
    let mut all = Vec::new();
    for p in parts {
        all.extend(p?);
    }
    Some(all)
}

/// A compiled expression. Temporal values are microseconds (dates as their midnight UTC,
/// which orders and subtracts exactly as the interpreter's [`Value::compare`] and
/// arithmetic do), numbers `f64`.
pub enum Fx<'a> {
    /// A folded constant.
    Const(Value<'static>),
    /// A date column (days; [`NONE_DATE`] is none).
    Dates { slot: usize, values: &'a [i32] },
    /// A date-time or duration column (microseconds; [`NONE_MICROS`] is none).
    Micros { slot: usize, values: &'a [i64] },
    /// A number column (NaN is none).
    Numbers { slot: usize, values: &'a [f64] },
    /// A bool column.
    Bools { slot: usize, column: &'a Column },
    /// A text column (plain or dictionary).
    Text { slot: usize, column: &'a Column },
    /// `instant - instant`: a duration.
    Diff(Box<Fx<'a>>, Box<Fx<'a>>, Span),
    /// `instant ± duration`: a date-time (`true`: minus).
    Shift(Box<Fx<'a>>, Box<Fx<'a>>, bool, Span),
    /// `duration ± duration` (`true`: minus).
    DurationSum(Box<Fx<'a>>, Box<Fx<'a>>, bool, Span),
    /// `days(d)`, `hours(d)`, `minutes(d)`: the duration divided by the unit.
    Units(Box<Fx<'a>>, i64),
    /// `len(x.list)` of a list column, as a number (an empty list cell is none, as in the
    /// interpreter, so its length is none too).
    ListLen { slot: usize, column: &'a Column },
    /// A comparison of two values of one domain.
    Cmp(BinaryOp, Domain, Box<Fx<'a>>, Box<Fx<'a>>),
    /// A dictionary column's code tested against a set (`in`, `==`; `!=` and `not in` have
    /// the set complemented over the dictionary).
    Codes {
        slot: usize,
        codes: &'a [u32],
        set: Vec<bool>,
    },
    /// Plain text tested for membership in constant items (negated for `not in`).
    TextIn(Box<Fx<'a>>, Vec<String>, bool),
    /// `lower(x)` or `trim(x)` of text, with the interpreter's own functions (`lower`
    /// copies only text with upper-case letters; `trim` of blanks is empty text, not none).
    TextFn(Box<Fx<'a>>, Func),
    /// `starts_with` (`true`) or `ends_with` (`false`).
    Affix(Box<Fx<'a>>, Box<Fx<'a>>, bool),
    /// `month`, `quarter` or `year` of an instant, as a period number.
    Period(Period, Box<Fx<'a>>),
    /// A constant period number.
    PeriodConst(i64),
    /// `month(t) == "2026-03"` as `t` in the period's instants `[start, end)`: no
    /// calendar arithmetic per row (`true`: `!=`).
    InPeriod {
        t: Box<Fx<'a>>,
        start: i64,
        end: i64,
        ne: bool,
    },
    /// A period compared with a constant that no period renders as: none when the period
    /// is none, else `false` for `==` and `true` for `!=`.
    NeverEqual(Box<Fx<'a>>, bool),
    /// `x is none` (`false`) / `x is not none` (`true`), with x's domain.
    IsNone(Domain, Box<Fx<'a>>, bool),
    /// `not x`
    Not(Box<Fx<'a>>),
    /// Kleene `and`.
    And(Box<Fx<'a>>, Box<Fx<'a>>),
    /// Kleene `or`.
    Or(Box<Fx<'a>>, Box<Fx<'a>>),
}

/// The value domain of a compiled expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// Date or date-time, as microseconds.
    Instant,
    /// Duration, microseconds.
    Duration,
    /// Number, `f64`.
    Number,
    /// Text.
    Text,
    /// Bool.
    Bool,
    /// A period number (`month`, `quarter`, `year`).
    Period,
}

fn domain(ty: Type) -> Option<Domain> {
    Some(match ty {
        Type::Date | Type::DateTime => Domain::Instant,
        Type::Duration => Domain::Duration,
        Type::Number => Domain::Number,
        Type::Text => Domain::Text,
        Type::Bool => Domain::Bool,
        _ => return None,
    })
}

/// Which period a `month`/`quarter`/`year` computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// `2026-03`: `year × 12 + month − 1`.
    Month,
    /// `2026-Q1`: `year × 4 + quarter − 1`.
    Quarter,
    /// `2026`.
    Year,
}

impl Period {
    fn of(self, micros: i64) -> i64 {
        let (y, m, _) = value::civil_from_days(value::micros_to_date(micros));
        let (y, m) = (i64::from(y), i64::from(m));
        match self {
            Period::Month => y * 12 + m - 1,
            Period::Quarter => y * 4 + (m - 1) / 3,
            Period::Year => y,
        }
    }

    /// The instants `[start, end)` of a period number, whose [`Period::of`] is `code`
    /// (`None` for years no evidence can reach).
    fn range(self, code: i64) -> Option<(i64, i64)> {
        let start = |code: i64| -> Option<i64> {
            let (y, m) = match self {
                Period::Month => (code.div_euclid(12), code.rem_euclid(12) + 1),
                Period::Quarter => (code.div_euclid(4), code.rem_euclid(4) * 3 + 1),
                Period::Year => (code, 1),
            };
            // Far inside what microseconds since 1970 can hold (±292 000 years).
            if !(-100_000..=100_000).contains(&y) {
                return None;
            }
            let day = value::days_from_civil(i32::try_from(y).ok()?, u32::try_from(m).ok()?, 1);
            i64::from(day).checked_mul(MICROS_PER_DAY)
        };
        Some((start(code)?, start(code.checked_add(1)?)?))
    }

    /// The value the interpreter computes for a period number.
    fn value(self, code: i64) -> Value<'static> {
        let y = code.div_euclid(match self {
            Period::Month => 12,
            Period::Quarter => 4,
            Period::Year => 1,
        });
        match self {
            Period::Month => Value::Text(format!("{y:04}-{:02}", code.rem_euclid(12) + 1).into()),
            Period::Quarter => Value::Text(format!("{y:04}-Q{}", code.rem_euclid(4) + 1).into()),
            Period::Year => Value::Int(y),
        }
    }

    /// The period number whose value is exactly `v`, if one is (checked by rendering it
    /// back: `"2026-3"` is no month).
    fn parse(self, v: &Value<'_>) -> Option<i64> {
        let code = match (self, v) {
            (Period::Year, Value::Int(y)) => *y,
            (Period::Month, Value::Text(t)) => {
                let (y, m) = t.split_once('-')?;
                y.parse::<i64>().ok()? * 12 + m.parse::<i64>().ok()? - 1
            }
            (Period::Quarter, Value::Text(t)) => {
                let (y, q) = t.split_once("-Q")?;
                y.parse::<i64>().ok()? * 4 + q.parse::<i64>().ok()? - 1
            }
            _ => return None,
        };
        (self.value(code) == *v).then_some(code)
    }
}

fn overflow(what: &str, span: Span) -> EvalError {
    EvalError {
        message: format!("{what} out of range"),
        span,
    }
}

impl<'a> Fx<'a> {
    /// The value in microseconds (instants and durations).
    #[inline]
    pub fn micros(&self, env: Env<'_, 'a>) -> Result<Option<i64>, EvalError> {
        Ok(match self {
            Fx::Const(Value::Date(d)) => Some(value::date_to_micros(*d)),
            Fx::Const(Value::DateTime(t) | Value::Duration(t)) => Some(*t),
            Fx::Dates { slot, values } => row_of(env, *slot)
                .and_then(|r| values.get(r).copied())
                .filter(|&d| d != NONE_DATE)
                .map(value::date_to_micros),
            Fx::Micros { slot, values } => row_of(env, *slot)
                .and_then(|r| values.get(r).copied())
                .filter(|&t| t != NONE_MICROS),
            Fx::Diff(a, b, span) => {
                let Some(x) = a.micros(env)? else {
                    return Ok(None);
                };
                let Some(y) = b.micros(env)? else {
                    return Ok(None);
                };
                Some(x.checked_sub(y).ok_or_else(|| overflow("duration", *span))?)
            }
            Fx::Shift(t, d, minus, span) => {
                let Some(x) = t.micros(env)? else {
                    return Ok(None);
                };
                let Some(y) = d.micros(env)? else {
                    return Ok(None);
                };
                let shifted = if *minus {
                    x.checked_sub(y)
                } else {
                    x.checked_add(y)
                };
                // The interpreter's bounds and message: an instant outside years 1 to 9999
                // is an error.
                let Some(t) = shifted.and_then(value::checked_instant) else {
                    let op = if *minus {
                        crate::syntax::ast::BinaryOp::Sub
                    } else {
                        crate::syntax::ast::BinaryOp::Add
                    };
                    return Err(EvalError {
                        message: super::interp::out_of_range(
                            "date-time",
                            op,
                            &Value::DateTime(x),
                            &Value::Duration(y),
                        ),
                        span: *span,
                    });
                };
                Some(t)
            }
            Fx::DurationSum(a, b, minus, span) => {
                let Some(x) = a.micros(env)? else {
                    return Ok(None);
                };
                let Some(y) = b.micros(env)? else {
                    return Ok(None);
                };
                let r = if *minus {
                    x.checked_sub(y)
                } else {
                    x.checked_add(y)
                };
                Some(r.ok_or_else(|| overflow("duration", *span))?)
            }
            _ => None,
        })
    }

    /// The value as a number.
    #[inline]
    pub fn number(&self, env: Env<'_, 'a>) -> Result<Option<f64>, EvalError> {
        Ok(match self {
            Fx::Const(Value::Number(n)) => Some(*n),
            Fx::Const(Value::Int(i)) => Some(*i as f64),
            Fx::Numbers { slot, values } => row_of(env, *slot)
                .and_then(|r| values.get(r).copied())
                .filter(|x| !x.is_nan()),
            Fx::Units(d, unit) => d.micros(env)?.map(|d| d as f64 / *unit as f64),
            Fx::ListLen { slot, column } => {
                let n = row_of(env, *slot).map_or(0, |r| column.list(r).count());
                // Exact: no list holds 2^53 items.
                (n > 0).then_some(n as f64)
            }
            _ => None,
        })
    }

    /// The value as text.
    #[inline]
    pub fn text(&self, env: Env<'_, 'a>) -> Option<&'a str> {
        match self {
            Fx::Text { slot, column } => column.text(row_of(env, *slot)?),
            _ => None,
        }
    }

    fn const_text(&self) -> Option<&str> {
        match self {
            Fx::Const(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The period number.
    #[inline]
    fn period(&self, env: Env<'_, 'a>) -> Result<Option<i64>, EvalError> {
        match self {
            Fx::Period(p, t) => Ok(t.micros(env)?.map(|t| p.of(t))),
            Fx::PeriodConst(code) => Ok(Some(*code)),
            _ => Ok(None),
        }
    }

    /// The three-valued truth of a condition.
    pub fn truth(&self, env: Env<'_, 'a>) -> Result<Option<bool>, EvalError> {
        Ok(match self {
            Fx::Const(v) => interp::truth(v),
            Fx::Bools { slot, column } => row_of(env, *slot).and_then(|r| column.bool(r)),
            Fx::Codes { slot, codes, set } => {
                let code = row_of(env, *slot).and_then(|r| codes.get(r).copied());
                match code {
                    Some(c) if c != NONE_CODE => set.get(c as usize).copied(),
                    _ => None,
                }
            }
            Fx::TextIn(t, items, negated) => {
                let t = self_text(t, env);
                t.map(|t| items.iter().any(|i| *i == t) != *negated)
            }
            Fx::Affix(t, p, starts) => match (self_text(t, env), self_text(p, env)) {
                (Some(t), Some(p)) => Some(if *starts {
                    t.starts_with(p.as_ref())
                } else {
                    t.ends_with(p.as_ref())
                }),
                _ => None,
            },
            Fx::Cmp(op, d, a, b) => {
                let ord = match d {
                    Domain::Instant | Domain::Duration => match (a.micros(env)?, b.micros(env)?) {
                        (Some(x), Some(y)) => Some(x.cmp(&y)),
                        _ => return Ok(None),
                    },
                    Domain::Number => match (a.number(env)?, b.number(env)?) {
                        (Some(x), Some(y)) => x.partial_cmp(&y),
                        _ => return Ok(None),
                    },
                    Domain::Text => match (self_text(a, env), self_text(b, env)) {
                        (Some(x), Some(y)) => Some(x.cmp(&y)),
                        _ => return Ok(None),
                    },
                    Domain::Bool => match (a.truth(env)?, b.truth(env)?) {
                        (Some(x), Some(y)) => Some(x.cmp(&y)),
                        _ => return Ok(None),
                    },
                    Domain::Period => match (a.period(env)?, b.period(env)?) {
                        (Some(x), Some(y)) => Some(x.cmp(&y)),
                        _ => return Ok(None),
                    },
                };
                let Some(ord) = ord else {
                    return Ok(None);
                };
                use std::cmp::Ordering as O;
                Some(match op {
                    BinaryOp::Eq => ord == O::Equal,
                    BinaryOp::Ne => ord != O::Equal,
                    BinaryOp::Lt => ord == O::Less,
                    BinaryOp::Le => ord != O::Greater,
                    BinaryOp::Gt => ord == O::Greater,
                    BinaryOp::Ge => ord != O::Less,
                    _ => return Ok(None),
                })
            }
            Fx::IsNone(d, inner, negated) => {
                let none = match d {
                    Domain::Instant | Domain::Duration => inner.micros(env)?.is_none(),
                    Domain::Number => inner.number(env)?.is_none(),
                    Domain::Text => self_text(inner, env).is_none(),
                    Domain::Bool => inner.truth(env)?.is_none(),
                    Domain::Period => inner.period(env)?.is_none(),
                };
                Some(none != *negated)
            }
            Fx::NeverEqual(p, ne) => p.period(env)?.map(|_| *ne),
            Fx::InPeriod { t, start, end, ne } => t.micros(env)?.map(|x| (*start <= x && x < *end) != *ne),
            Fx::Not(inner) => inner.truth(env)?.map(|b| !b),
            Fx::And(l, r) => {
                let lt = l.truth(env)?;
                if lt == Some(false) {
                    return Ok(Some(false));
                }
                match (lt, r.truth(env)?) {
                    (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                }
            }
            Fx::Or(l, r) => {
                let lt = l.truth(env)?;
                if lt == Some(true) {
                    return Ok(Some(true));
                }
                match (lt, r.truth(env)?) {
                    (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                }
            }
            _ => None,
        })
    }

    /// The value as the interpreter would compute it, for a body of type `ty`.
    pub fn value(&self, ty: Type, env: Env<'_, 'a>) -> Result<Value<'a>, EvalError> {
        if let Fx::Const(v) = self {
            return Ok(interp::borrow(v).into_owned());
        }
        Ok(match ty {
            Type::Date => self
                .micros(env)?
                .map_or(Value::None, |t| Value::Date(value::micros_to_date(t))),
            Type::DateTime => self.micros(env)?.map_or(Value::None, Value::DateTime),
            Type::Duration => self.micros(env)?.map_or(Value::None, Value::Duration),
            Type::Number => self.number(env)?.map_or(Value::None, Value::Number),
            Type::Bool => self.truth(env)?.map_or(Value::None, Value::Bool),
            Type::Text => self
                .text(env)
                .map_or(Value::None, |t| Value::Text(std::borrow::Cow::Borrowed(t))),
            _ => Value::None,
        })
    }
}

/// Text of a column, a constant, or `lower`/`trim` of one.
#[inline]
fn self_text<'x>(fx: &'x Fx<'_>, env: Env<'_, '_>) -> Option<Cow<'x, str>> {
    match fx {
        Fx::Text { slot, column } => column.text(row_of(env, *slot)?).map(Cow::Borrowed),
        Fx::TextFn(inner, f) => {
            let t = self_text(inner, env)?;
            Some(match f {
                Func::Lower => interp::lower(t),
                _ => interp::trim(t),
            })
        }
        other => other.const_text().map(Cow::Borrowed),
    }
}

/// A `by` key compiled to an integer code.
pub enum GroupFx<'a> {
    /// A dictionary-encoded column: the code; the dictionary names the group.
    Codes { slot: usize, column: &'a Column },
    /// `month`/`quarter`/`year` of an instant.
    Period(Period, Fx<'a>),
}

impl<'a> GroupFx<'a> {
    /// The group's code (`None`: the key is none).
    #[inline]
    pub fn code(&self, env: Env<'_, 'a>) -> Result<Option<i64>, EvalError> {
        match self {
            GroupFx::Codes { slot, column } => Ok(row_of(env, *slot)
                .and_then(|r| column.text_code(r))
                .map(i64::from)),
            GroupFx::Period(p, t) => Ok(t.micros(env)?.map(|t| p.of(t))),
        }
    }

    /// [`GroupFx::code`], remembering the last period's instants in `last`: records of one
    /// month usually come together, and most then need no calendar arithmetic.
    #[inline]
    pub fn code_cached(
        &self,
        env: Env<'_, 'a>,
        last: &mut Option<(i64, i64, i64)>,
    ) -> Result<Option<i64>, EvalError> {
        match self {
            GroupFx::Period(p, t) => {
                let Some(t) = t.micros(env)? else {
                    return Ok(None);
                };
                if let Some((start, end, code)) = *last {
                    if start <= t && t < end {
                        return Ok(Some(code));
                    }
                }
                let code = p.of(t);
                *last = p.range(code).map(|(start, end)| (start, end, code));
                Ok(Some(code))
            }
            GroupFx::Codes { .. } => self.code(env),
        }
    }

    /// The key value of a code, as the interpreter computes it.
    pub fn value(&self, code: i64) -> Value<'a> {
        match self {
            GroupFx::Codes { column, .. } => column
                .dictionary()
                .and_then(|d| d.get(usize::try_from(code).ok()?))
                .map_or(Value::None, |t| Value::Text(std::borrow::Cow::Borrowed(t))),
            GroupFx::Period(p, _) => p.value(code),
        }
    }
}

/// Compiles expressions against the loaded columns.
struct Compiler<'c, 'a> {
    data: &'c [Option<&'a dyn Rows>],
    params: &'c [Value<'static>],
    as_of: i64,
}

impl<'a> Compiler<'_, 'a> {
    fn quant(&self, q: &TQuant, ids: &mut HashMap<String, usize>) -> QuantFast<'a> {
        let filter = q.filter.as_ref().and_then(|f| self.condition(f));
        let body = q.body.as_ref().and_then(|b| self.body(b));
        let group = q.group.as_ref().and_then(|g| self.group(g));
        let selection = match (&q.source, &q.filter, &filter) {
            (QSource::Dataset(d), Some(f), Some(_)) if reads_only(f, q.slot) => {
                let key = format!("{d}:{}", fingerprint(f, q.slot));
                let next = ids.len();
                Some(*ids.entry(key).or_insert(next))
            }
            _ => None,
        };
        QuantFast {
            filter,
            body,
            group,
            selection,
        }
    }

    fn body(&self, e: &TExpr) -> Option<Fx<'a>> {
        let fx = match e.ty {
            Type::Bool => self.condition(e)?,
            Type::Date | Type::DateTime | Type::Duration | Type::Number => self.expr(e)?,
            _ => return None,
        };
        fits(&fx, domain(e.ty)?).then_some(fx)
    }

    fn group(&self, e: &TExpr) -> Option<GroupFx<'a>> {
        match &e.kind {
            TKind::Field { slot, dataset, field } => {
                let column = self.column(*dataset, *field)?;
                column.dictionary()?;
                Some(GroupFx::Codes { slot: *slot, column })
            }
            TKind::Call(f @ (Func::Month | Func::Quarter | Func::Year), args) => {
                let [arg] = args.as_slice() else {
                    return None;
                };
                let t = self.instant(arg)?;
                Some(GroupFx::Period(period(*f)?, t))
            }
            _ => None,
        }
    }

    fn column(&self, dataset: usize, field: usize) -> Option<&'a Column> {
        self.data.get(dataset).copied().flatten()?.column(field)
    }

    /// A constant, when the expression reads no record.
    fn fold(&self, e: &TExpr) -> Option<Value<'static>> {
        Some(match &e.kind {
            TKind::Const(v) => v.clone(),
            TKind::Param(i) => self.params.get(*i)?.clone(),
            TKind::AsOf => Value::DateTime(self.as_of),
            TKind::Unary(op, a) => interp::unary(*op, self.fold(a)?, e.span).ok()?,
            TKind::Binary(BinaryOp::And | BinaryOp::Or | BinaryOp::Matches, ..) => return None,
            TKind::Binary(op, a, b) => interp::binary(*op, self.fold(a)?, self.fold(b)?, e.span).ok()?,
            TKind::Call(f, args) => {
                let values = args.iter().map(|a| self.fold(a)).collect::<Option<Vec<_>>>()?;
                interp::call(*f, values, e.span).ok()?.into_owned()
            }
            TKind::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    match self.fold(item)? {
                        Value::Text(t) => out.push(t),
                        Value::None => {}
                        other => out.push(other.to_string().into()),
                    }
                }
                Value::List(out)
            }
            _ => return None,
        })
    }

    /// An instant or duration expression.
    fn instant(&self, e: &TExpr) -> Option<Fx<'a>> {
        match domain(e.ty)? {
            Domain::Instant | Domain::Duration => self.expr(e),
            _ => None,
        }
    }

    /// A value expression (not a condition).
    fn expr(&self, e: &TExpr) -> Option<Fx<'a>> {
        if let Some(v) = self.fold(e) {
            return Some(Fx::Const(v));
        }
        match &e.kind {
            TKind::Field { slot, dataset, field } => {
                let column = self.column(*dataset, *field)?;
                let slot = *slot;
                Some(match (column.data(), e.ty) {
                    (ColumnData::Date(values), Type::Date) => Fx::Dates { slot, values },
                    (ColumnData::DateTime(values), Type::DateTime)
                    | (ColumnData::Duration(values), Type::Duration) => Fx::Micros { slot, values },
                    (ColumnData::Number(values), Type::Number) => Fx::Numbers { slot, values },
                    (ColumnData::Bool { .. }, Type::Bool) => Fx::Bools { slot, column },
                    (ColumnData::Text(_), Type::Text) => Fx::Text { slot, column },
                    _ => return None,
                })
            }
            TKind::Binary(op @ (BinaryOp::Add | BinaryOp::Sub), a, b) => {
                let (da, db) = (domain(a.ty)?, domain(b.ty)?);
                let (fa, fb) = (self.expr(a)?, self.expr(b)?);
                let minus = *op == BinaryOp::Sub;
                match (da, db, e.ty) {
                    (Domain::Instant, Domain::Instant, Type::Duration) if minus => {
                        Some(Fx::Diff(Box::new(fa), Box::new(fb), e.span))
                    }
                    (Domain::Instant, Domain::Duration, Type::DateTime) => {
                        Some(Fx::Shift(Box::new(fa), Box::new(fb), minus, e.span))
                    }
                    (Domain::Duration, Domain::Instant, Type::DateTime) if !minus => {
                        Some(Fx::Shift(Box::new(fb), Box::new(fa), false, e.span))
                    }
                    (Domain::Duration, Domain::Duration, Type::Duration) => {
                        Some(Fx::DurationSum(Box::new(fa), Box::new(fb), minus, e.span))
                    }
                    _ => None,
                }
            }
            TKind::Call(f @ (Func::Lower | Func::Trim), args) => {
                let [arg] = args.as_slice() else {
                    return None;
                };
                if arg.ty != Type::Text || e.ty != Type::Text {
                    return None;
                }
                let inner = self.expr(arg)?;
                fits(&inner, Domain::Text).then(|| Fx::TextFn(Box::new(inner), *f))
            }
            TKind::Call(Func::Len, args) => {
                let [
                    TExpr {
                        kind: TKind::Field { slot, dataset, field },
                        ty: Type::List,
                        ..
                    },
                ] = args.as_slice()
                else {
                    return None;
                };
                let column = self.column(*dataset, *field)?;
                matches!(column.data(), ColumnData::List { .. })
                    .then_some(Fx::ListLen { slot: *slot, column })
            }
            TKind::Call(f @ (Func::Days | Func::Hours | Func::Minutes), args) => {
                let [arg] = args.as_slice() else {
                    return None;
                };
                if arg.ty != Type::Duration {
                    return None;
                }
                let unit = match f {
                    Func::Days => MICROS_PER_DAY,
                    Func::Hours => MICROS_PER_HOUR,
                    _ => MICROS_PER_MINUTE,
                };
                Some(Fx::Units(Box::new(self.expr(arg)?), unit))
            }
            TKind::Call(f @ (Func::Month | Func::Quarter | Func::Year), args) => {
                let [arg] = args.as_slice() else {
                    return None;
                };
                Some(Fx::Period(period(*f)?, Box::new(self.instant(arg)?)))
            }
            _ if e.ty == Type::Bool => self.condition(e),
            _ => None,
        }
    }

    /// A bool expression.
    fn condition(&self, e: &TExpr) -> Option<Fx<'a>> {
        if e.ty != Type::Bool {
            return None;
        }
        if let Some(v) = self.fold(e) {
            return Some(Fx::Const(v));
        }
        match &e.kind {
            TKind::Field { .. } => self.expr(e),
            TKind::Unary(UnaryOp::Not, a) => Some(Fx::Not(Box::new(self.condition(a)?))),
            TKind::Binary(BinaryOp::And, a, b) => Some(Fx::And(
                Box::new(self.condition(a)?),
                Box::new(self.condition(b)?),
            )),
            TKind::Binary(BinaryOp::Or, a, b) => {
                Some(Fx::Or(Box::new(self.condition(a)?), Box::new(self.condition(b)?)))
            }
            TKind::IsNone(a, negated) => {
                let d = domain(a.ty)?;
                let inner = if d == Domain::Bool {
                    self.condition(a)?
                } else {
                    self.expr(a)?
                };
                fits(&inner, d).then(|| Fx::IsNone(d, Box::new(inner), *negated))
            }
            TKind::Binary(op @ (BinaryOp::In | BinaryOp::NotIn), a, b) => {
                let items = match self.fold(b)? {
                    Value::List(items) => items,
                    _ => return None,
                };
                let items: Vec<String> = items.iter().map(|s| s.to_string()).collect();
                self.membership(a, items, *op == BinaryOp::NotIn)
            }
            TKind::Binary(op, a, b) if op.is_ordering() || matches!(op, BinaryOp::Eq | BinaryOp::Ne) => {
                self.comparison(*op, a, b)
            }
            TKind::Call(f @ (Func::StartsWith | Func::EndsWith), args) => {
                let [t, p] = args.as_slice() else {
                    return None;
                };
                if t.ty != Type::Text || p.ty != Type::Text {
                    return None;
                }
                let text = |x: &TExpr| self.expr(x).filter(|fx| fits(fx, Domain::Text));
                Some(Fx::Affix(
                    Box::new(text(t)?),
                    Box::new(text(p)?),
                    *f == Func::StartsWith,
                ))
            }
            _ => None,
        }
    }

    /// `a in items` over text: a code set for a dictionary column.
    fn membership(&self, a: &TExpr, items: Vec<String>, negated: bool) -> Option<Fx<'a>> {
        if a.ty != Type::Text {
            return None;
        }
        match self.expr(a)? {
            Fx::Text { slot, column } => match column.data() {
                ColumnData::Text(TextData::Dict { codes, dict }) => Some(Fx::Codes {
                    slot,
                    codes,
                    set: dict
                        .iter()
                        .map(|s| items.iter().any(|i| i == s) != negated)
                        .collect(),
                }),
                _ => Some(Fx::TextIn(Box::new(Fx::Text { slot, column }), items, negated)),
            },
            text @ Fx::TextFn(..) => Some(Fx::TextIn(Box::new(text), items, negated)),
            _ => None,
        }
    }

    fn comparison(&self, op: BinaryOp, a: &TExpr, b: &TExpr) -> Option<Fx<'a>> {
        let (da, db) = (domain(a.ty), domain(b.ty));
        // Text equality with a constant on a dictionary column: a code set.
        if matches!(op, BinaryOp::Eq | BinaryOp::Ne) && a.ty == Type::Text && b.ty == Type::Text {
            for (col, constant) in [(a, b), (b, a)] {
                if let Some(Value::Text(c)) = self.fold(constant) {
                    if let Some(fx) = self.membership(col, vec![c.to_string()], op == BinaryOp::Ne) {
                        return Some(fx);
                    }
                }
            }
        }
        // A period compared with a constant: period numbers compared.
        if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
            for (p, constant) in [(a, b), (b, a)] {
                let (TKind::Call(f @ (Func::Month | Func::Quarter | Func::Year), args), Some(c)) =
                    (&p.kind, self.fold(constant))
                else {
                    continue;
                };
                let [arg] = args.as_slice() else {
                    return None;
                };
                let kind = period(*f)?;
                let t = self.instant(arg)?;
                let ne = op == BinaryOp::Ne;
                if let Some((start, end)) = kind.parse(&c).and_then(|code| kind.range(code)) {
                    return Some(Fx::InPeriod {
                        t: Box::new(t),
                        start,
                        end,
                        ne,
                    });
                }
                let lhs = Box::new(Fx::Period(kind, Box::new(t)));
                return match (&c, kind) {
                    (Value::None, _) => Some(Fx::Const(Value::None)),
                    (Value::Text(_), Period::Month | Period::Quarter) | (Value::Int(_), Period::Year) => {
                        Some(match kind.parse(&c) {
                            Some(code) => Fx::Cmp(op, Domain::Period, lhs, Box::new(Fx::PeriodConst(code))),
                            // No period renders as this constant: never equal.
                            None => Fx::NeverEqual(lhs, op == BinaryOp::Ne),
                        })
                    }
                    _ => None,
                };
            }
        }
        // Ints have no domain of their own: matched as options so that the numeric case
        // below is reached for them.
        let d = match (da, db) {
            (Some(Domain::Instant), Some(Domain::Instant)) => Domain::Instant,
            (Some(Domain::Duration), Some(Domain::Duration)) => Domain::Duration,
            (Some(Domain::Number), Some(Domain::Number)) => Domain::Number,
            (Some(Domain::Text), Some(Domain::Text)) => Domain::Text,
            (Some(Domain::Bool), Some(Domain::Bool)) => Domain::Bool,
            _ => {
                // An int constant compared with a number column compares as numbers.
                let numeric = |t: Type| matches!(t, Type::Int | Type::Number);
                // So does a list's length with an int constant: both are exact in `f64`.
                // (The constant must be one `f64` holds exactly.)
                let len = |x: &TExpr, other: &TExpr| {
                    matches!(x.kind, TKind::Call(Func::Len, _))
                        && matches!(self.fold(other), Some(Value::Int(c)) if c.unsigned_abs() <= 1 << 53)
                };
                if numeric(a.ty)
                    && numeric(b.ty)
                    && (a.ty == Type::Number || b.ty == Type::Number || len(a, b) || len(b, a))
                {
                    Domain::Number
                } else {
                    return None;
                }
            }
        };
        let side = |x: &TExpr| -> Option<Fx<'a>> {
            let fx = if d == Domain::Bool {
                self.condition(x)?
            } else {
                self.expr(x)?
            };
            if !fits(&fx, d) {
                return None;
            }
            // Int operands must be constants or list lengths (int columns are not compiled).
            if x.ty == Type::Int && !matches!(fx, Fx::Const(_) | Fx::ListLen { .. }) {
                return None;
            }
            Some(fx)
        };
        Some(Fx::Cmp(op, d, Box::new(side(a)?), Box::new(side(b)?)))
    }
}

/// Whether a compiled expression computes values of a domain (the typed readers return
/// none for any other shape, so a mismatch must never be compiled).
fn fits(fx: &Fx<'_>, d: Domain) -> bool {
    use Value as V;
    match d {
        Domain::Instant | Domain::Duration => matches!(
            fx,
            Fx::Const(V::Date(_) | V::DateTime(_) | V::Duration(_) | V::None)
                | Fx::Dates { .. }
                | Fx::Micros { .. }
                | Fx::Diff(..)
                | Fx::Shift(..)
                | Fx::DurationSum(..)
        ),
        Domain::Number => matches!(
            fx,
            Fx::Const(V::Number(_) | V::Int(_) | V::None)
                | Fx::Numbers { .. }
                | Fx::Units(..)
                | Fx::ListLen { .. }
        ),
        Domain::Text => matches!(
            fx,
            Fx::Const(V::Text(_) | V::None) | Fx::Text { .. } | Fx::TextFn(..)
        ),
        Domain::Bool => matches!(
            fx,
            Fx::Const(V::Bool(_) | V::None)
                | Fx::Bools { .. }
                | Fx::Codes { .. }
                | Fx::TextIn(..)
                | Fx::Affix(..)
                | Fx::Cmp(..)
                | Fx::IsNone(..)
                | Fx::NeverEqual(..)
                | Fx::InPeriod { .. }
                | Fx::Not(..)
                | Fx::And(..)
                | Fx::Or(..)
        ),
        Domain::Period => matches!(fx, Fx::Period(..) | Fx::PeriodConst(_)),
    }
}

fn period(f: Func) -> Option<Period> {
    Some(match f {
        Func::Month => Period::Month,
        Func::Quarter => Period::Quarter,
        Func::Year => Period::Year,
        _ => return None,
    })
}

/// True when the expression reads records of `slot` only (no outer record, no quantifier,
/// no metric): its value depends on the quantifier's own row alone.
fn reads_only(e: &TExpr, slot: usize) -> bool {
    let mut ok = true;
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match &x.kind {
            TKind::Field { slot: s, .. } | TKind::Var(s) if *s != slot => ok = false,
            TKind::Quant(_) | TKind::Metric(_) => ok = false,
            _ => {}
        }
        children(x, |c| stack.push(c));
    }
    ok
}
