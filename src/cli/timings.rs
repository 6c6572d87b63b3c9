//! `--timings`: wall time per stage on stderr — for users and for us.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::eval::RequirementTiming;

/// Stage timings of one run.
#[derive(Default)]
pub struct Timings {
    stages: Vec<(&'static str, Duration)>,
    started: Mutex<HashMap<String, Instant>>,
    datasets: Mutex<Vec<(String, Duration)>>,
}

impl Timings {
    /// Records a stage.
    pub fn stage(&mut self, name: &'static str, elapsed: Duration) {
        self.stages.push((name, elapsed));
    }

    /// A dataset started loading.
    pub fn dataset_started(&self, name: &str) {
        if let Ok(mut s) = self.started.lock() {
            s.insert(name.to_string(), Instant::now());
        }
    }

    /// A dataset finished loading.
    pub fn dataset_finished(&self, name: &str) {
        let started = self.started.lock().ok().and_then(|mut s| s.remove(name));
        if let (Some(t), Ok(mut d)) = (started, self.datasets.lock()) {
            d.push((name.to_string(), t.elapsed()));
        }
    }

    /// The table written to stderr; `rows` gives each dataset's record count.
    pub fn render(&self, rows: &HashMap<String, usize>, requirements: &[RequirementTiming]) -> String {
        let mut w = String::from("timings (wall clock)\n");
        let total: Duration = self.stages.iter().map(|(_, d)| *d).sum();
        for (name, d) in &self.stages {
            let _ = writeln!(w, "  {name:<10} {:>10}", ms(*d));
        }
        let _ = writeln!(w, "  {:<10} {:>10}", "total", ms(total));
        if let Some(kib) = peak_rss_kib() {
            let _ = writeln!(
                w,
                "  {:<10} {:>10}",
                "peak RSS",
                format!("{:.1} MB", kib as f64 / 1024.0)
            );
        }
        let mut datasets = self.datasets.lock().map(|d| d.clone()).unwrap_or_default();
        datasets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if !datasets.is_empty() {
            let _ = writeln!(w, "load, per dataset (in parallel)");
            for (name, d) in datasets {
                let n = rows.get(&name).copied().unwrap_or(0);
                let _ = writeln!(w, "  {name:<28} {:>10} {n:>10} rows {:>12}", ms(d), rate(n, d));
            }
        }
        let mut reqs = requirements.to_vec();
        reqs.sort_by(|a, b| b.elapsed.cmp(&a.elapsed).then_with(|| a.id.cmp(&b.id)));
        if !reqs.is_empty() {
            let _ = writeln!(w, "evaluate, per requirement (in parallel)");
            for r in reqs {
                let _ = writeln!(
                    w,
                    "  {:<38} {:>10} {:>10} rows {:>12}",
                    r.id,
                    ms(r.elapsed),
                    r.records,
                    rate(r.records, r.elapsed)
                );
            }
        }
        w
    }
}

/// The process's peak resident set size so far, in KiB (`VmHWM` of `/proc/self/status`;
/// `None` where there is no procfs). The benchmark harness reads it from `--timings`.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn rate(rows: usize, d: Duration) -> String {
    let secs = d.as_secs_f64();
    if rows == 0 || secs <= 0.0 {
        return String::new();
    }
    let per = rows as f64 / secs;
    if per >= 1e6 {
        format!("{:.1} M/s", per / 1e6)
    } else {
        format!("{:.0} k/s", per / 1e3)
    }
}
