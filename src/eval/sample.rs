//! Audit sampling: a reproducible random sample of the records a requirement examined, for
//! the auditor who re-performs a check by hand on a sample (ISO 19011 style).
//!
//! The population is the records of the requirement's top-level quantifiers (those of its
//! expects and metrics that are not nested in another quantifier), after their `where`
//! filters, as the interpreter evaluates them; a record counted by several quantifiers is
//! counted once. Nested quantifiers (the IAM events looked up for each leaver) are not part
//! of it: the auditor samples leavers, then looks their events up.
//!
//! The sample is drawn without replacement by a partial Fisher–Yates shuffle driven by
//! SplitMix64, a small PRNG defined here so the same seed gives the same sample on every
//! machine and every release (a library's generator may change between versions).

use std::collections::BTreeSet;

use serde::Serialize;

use super::RunContext;
use super::interp::{Bound, EvalError, Interp};
use super::join::children;
use super::model::NamedValue;
use super::requirement;
use crate::check::program::{QSource, Requirement, TExpr, TKind, TQuant};

/// The sampling method, as reported.
pub const METHOD: &str =
    "simple random sampling without replacement (partial Fisher-Yates shuffle, SplitMix64 seeded generator)";

/// SplitMix64 (Steele, Lea and Flood, 2014): 64 bits of state, passes BigCrush, and is
/// fully specified by a few lines, so the sequence for a seed never changes.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (`n > 0`), without modulo bias: draws in the incomplete
    /// last stretch of the 64-bit range are rejected and redrawn.
    pub fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        // 2^64 mod n: the size of the stretch that would favour small results.
        let rejected = (u64::MAX % n + 1) % n;
        loop {
            let x = self.next_u64();
            if rejected == 0 || x <= u64::MAX - rejected {
                return x % n;
            }
        }
    }
}

/// Draws `k` distinct positions from `0..n` (all of them when `k >= n`), in draw order.
pub fn draw(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let k = k.min(n);
    let mut positions: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(seed);
    for i in 0..k {
        let span = (n - i) as u64;
        let j = i + rng.below(span) as usize;
        positions.swap(i, j);
    }
    positions.truncate(k);
    positions
}

/// A record of the population: dataset and row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Member {
    /// Index of the dataset.
    pub dataset: usize,
    /// Row in it.
    pub row: usize,
}

/// The top-level quantifiers of an expression: those not nested in another quantifier.
fn top_level<'e>(e: &'e TExpr, out: &mut Vec<&'e TQuant>) {
    if let TKind::Quant(q) = &e.kind {
        out.push(q);
        return;
    }
    children(e, |c| top_level(c, out));
}

/// The records a requirement examined: its top-level quantifiers over datasets, after
/// their `where` filters, without repeats, ordered by dataset and row.
pub fn population<'a>(ctx: &'a RunContext<'a>, r: &'a Requirement) -> Result<Vec<Member>, EvalError> {
    let mut quants = Vec::new();
    for m in &r.metrics {
        top_level(&m.expr, &mut quants);
    }
    for e in &r.expects {
        top_level(&e.expr, &mut quants);
    }
    // A filter may read a metric (`where c.days > median_days`): compute them first.
    let evaluated = requirement::evaluate(ctx, r);
    let mut interp = ctx.interp(r.allow_empty);
    interp.metrics = evaluated.metric_values;
    let mut members = BTreeSet::new();
    for q in quants {
        let QSource::Dataset(d) = &q.source else {
            continue;
        };
        let mut env = Vec::new();
        let candidates = interp.candidates(q, &mut env)?;
        let mut result = Ok(());
        candidates.for_each(|b| {
            let row = match &b {
                Bound::Row(r) => *r,
                Bound::Value(_) => return true,
            };
            Interp::bind(&mut env, q.slot, b);
            match interp.keeps(q, &mut env) {
                Ok(true) => {
                    members.insert(Member { dataset: *d, row });
                    true
                }
                Ok(false) => true,
                Err(e) => {
                    result = Err(e);
                    false
                }
            }
        });
        result?;
    }
    Ok(members.into_iter().collect())
}

/// A sample for the auditor.
#[derive(Clone, Debug, Serialize)]
pub struct SampleReport {
    /// The tool's version.
    pub tool: String,
    /// Requirement id.
    pub requirement: String,
    /// Its title.
    pub title: String,
    /// The evaluation instant.
    pub as_of: String,
    /// The seed.
    pub seed: u64,
    /// How the sample was drawn.
    pub method: &'static str,
    /// The size asked for.
    pub requested: usize,
    /// Records in the population.
    pub population: usize,
    /// The population per dataset.
    pub datasets: Vec<DatasetPopulation>,
    /// The sampled records, in population order.
    pub records: Vec<SampledRecord>,
}

/// How many records of one dataset are in the population.
#[derive(Clone, Debug, Serialize)]
pub struct DatasetPopulation {
    /// Dataset name.
    pub dataset: String,
    /// Evidence file.
    pub file: String,
    /// Records in the population.
    pub records: usize,
    /// Records in the file.
    pub rows: usize,
}

/// One sampled record.
#[derive(Clone, Debug, Serialize)]
pub struct SampledRecord {
    /// When it was drawn (1 = first).
    pub draw: usize,
    /// Its 1-based position in the population.
    pub position: usize,
    /// Dataset name.
    pub dataset: String,
    /// Its key, if the dataset declares one.
    pub key: Option<String>,
    /// Evidence file.
    pub file: String,
    /// Line in the file, if known.
    pub line: Option<u64>,
    /// Index in a JSON array or sheet row, if that is how it is located.
    pub index: Option<u64>,
    /// Every field the rules read, and its value.
    pub fields: Vec<NamedValue>,
}

/// Draws a sample of `size` records from a requirement's population.
pub fn sample<'a>(
    ctx: &'a RunContext<'a>,
    r: &'a Requirement,
    size: usize,
    seed: u64,
) -> Result<SampleReport, EvalError> {
    let members = population(ctx, r)?;
    let mut datasets: Vec<DatasetPopulation> = Vec::new();
    for m in &members {
        let Some(d) = ctx.program.datasets.get(m.dataset) else {
            continue;
        };
        match datasets.iter_mut().find(|p| p.dataset == d.name) {
            Some(p) => p.records += 1,
            None => {
                let (file, _, _) = ctx.locate(m.dataset, 0);
                let rows = ctx.rows.get(m.dataset).copied().flatten().map_or(0, |r| r.len());
                datasets.push(DatasetPopulation {
                    dataset: d.name.clone(),
                    file,
                    records: 1,
                    rows,
                });
            }
        }
    }
    let drawn = draw(members.len(), size, seed);
    let mut picked: Vec<(usize, usize)> = drawn.iter().enumerate().map(|(i, &p)| (p, i + 1)).collect();
    picked.sort_unstable();
    let records = picked
        .into_iter()
        .filter_map(|(position, draw)| {
            let m = members.get(position)?;
            let dataset = ctx.program.datasets.get(m.dataset)?;
            let rows = ctx.rows.get(m.dataset).copied().flatten()?;
            let (file, line, index) = ctx.locate(m.dataset, m.row);
            // A composite key reads as its parts joined with " / ", as in findings.
            let parts: Vec<String> = dataset
                .key
                .iter()
                .map(|&k| rows.value(k, m.row))
                .filter(|v| !v.is_none())
                .map(|v| v.to_string())
                .collect();
            let key = (!parts.is_empty()).then(|| parts.join(" / "));
            // Fields no rule reads are not loaded (the loader skips their columns), so
            // they are left out rather than shown as empty.
            let fields = dataset
                .fields
                .iter()
                .enumerate()
                .filter(|(fi, _)| dataset.spec.fields.get(*fi).is_none_or(|s| s.used))
                .map(|(fi, f)| NamedValue {
                    name: f.name.clone(),
                    value: rows.value(fi, m.row).to_string(),
                })
                .collect();
            Some(SampledRecord {
                draw,
                position: position + 1,
                dataset: dataset.name.clone(),
                key,
                file,
                line,
                index,
                fields,
            })
        })
        .collect();
    Ok(SampleReport {
        tool: format!("auditready {}", env!("CARGO_PKG_VERSION")),
        requirement: r.id.clone(),
        title: r.title.clone(),
        as_of: crate::value::format_datetime(ctx.as_of),
        seed,
        method: METHOD,
        requested: size,
        population: members.len(),
        datasets,
        records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_splitmix64() {
        // Reference values of SplitMix64 for seed 1234567 (from the reference C code).
        let mut g = SplitMix64::new(1234567);
        assert_eq!(g.next_u64(), 6457827717110365317);
        assert_eq!(g.next_u64(), 3203168211198807973);
    }

    #[test]
    fn draws_are_distinct_reproducible_and_complete() {
        let a = draw(100, 10, 42);
        assert_eq!(a, draw(100, 10, 42));
        assert_ne!(a, draw(100, 10, 43));
        let distinct: BTreeSet<usize> = a.iter().copied().collect();
        assert_eq!(distinct.len(), 10);
        assert!(a.iter().all(|&p| p < 100));
        let mut all = draw(5, 9, 1);
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2, 3, 4]);
        assert!(draw(0, 3, 1).is_empty());
    }

    #[test]
    fn every_position_is_drawn_about_equally_often() {
        let mut counts = [0usize; 10];
        for seed in 0..20_000 {
            for p in draw(10, 3, seed) {
                counts[p] += 1;
            }
        }
        // 6,000 expected each; 5 standard deviations is about 350.
        assert!(counts.iter().all(|&c| (5_650..=6_350).contains(&c)), "{counts:?}");
    }
}
