//! Counting what each quantifier did, for `auditready explain`: how often it ran, how many
//! records it saw, how many its filter kept, and how its body came out.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::check::program::TQuant;

/// What one quantifier did over a whole evaluation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuantStats {
    /// Times it was evaluated (once per outer record for a nested quantifier).
    pub evaluations: u64,
    /// Records or elements it ranged over (after a join's index lookup).
    pub candidates: u64,
    /// Of those, kept by the `where` filter.
    pub kept: u64,
    /// Bodies that were true.
    pub body_true: u64,
    /// Bodies that were false.
    pub body_false: u64,
    /// Bodies that were unknown (a value was empty).
    pub body_unknown: u64,
    /// It ran as a hash join.
    pub joined: bool,
}

/// Statistics per quantifier, shared by the threads of an evaluation.
#[derive(Debug, Default)]
pub struct Trace {
    stats: Mutex<HashMap<usize, QuantStats>>,
}

impl Trace {
    /// Updates a quantifier's statistics.
    pub fn record(&self, q: &TQuant, update: impl FnOnce(&mut QuantStats)) {
        let mut stats = match self.stats.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        update(stats.entry(q as *const TQuant as usize).or_default());
    }

    /// A quantifier's statistics (zero when it never ran).
    pub fn get(&self, q: &TQuant) -> QuantStats {
        let stats = match self.stats.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        stats
            .get(&(q as *const TQuant as usize))
            .copied()
            .unwrap_or_default()
    }
}
