//! End-to-end benchmark harness: `cargo bench --bench scale` (see docs/performance.md).
//!
//! For each scale (0.1, 0.3 and 1 unless `--scales` says otherwise) it generates the
//! evidence set once (under cargo's target tmp dir, never in the repository), then measures,
//! interleaved and `--reps` times (median reported, spread shown):
//! - the floor: read and tokenize every evidence file with no typed conversion and no
//!   evaluation (CSV `ByteRecord`s, the Okta array via serde `IgnoredAny`), files spread over
//!   2 threads, as PERFORMANCE.md defines it;
//! - `auditready run` over the shipped rule library with `--jobs 2` and `--jobs 1`: wall time
//!   of the whole process, its typed-load and evaluation stages (`--timings`) and peak RSS;
//! - at the end, `auditready check` of the shipped library plus 5 000 generated requirements.
//!
//! Every figure is a wall time on a machine that may be shared, so the targets are ratios of
//! figures taken in the same run. Options: `--scales 0.1,0.3`, `--reps 1`, `--dir DIR`
//! (where evidence is generated; default `$CARGO_TARGET_TMPDIR`).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use rayon::prelude::*;

const AUDITREADY: &str = env!("CARGO_BIN_EXE_auditready");
const GENERATOR: &str = env!("CARGO_BIN_EXE_generate-evidence");
const REPO: &str = env!("CARGO_MANIFEST_DIR");
const AS_OF: &str = "2026-11-22";

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

fn main() {
    if let Err(e) = real_main() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn real_main() -> Fallible<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Internal: the floor runs in a child process so that its peak RSS is its own.
    if args.first().map(String::as_str) == Some("floor") {
        let dir = args.get(1).ok_or("floor DIR THREADS")?;
        let threads: usize = args.get(2).map_or(Ok(2), |t| t.parse())?;
        return floor_child(Path::new(dir), threads);
    }
    let mut scales = vec![0.1, 0.3, 1.0];
    let mut reps = 3usize;
    let mut dir = PathBuf::from(option_env!("CARGO_TARGET_TMPDIR").unwrap_or("/tmp"));
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--scales" => {
                scales = it
                    .next()
                    .ok_or("--scales 0.1,0.3,1")?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            "--reps" => reps = it.next().ok_or("--reps N")?.parse()?,
            "--dir" => dir = PathBuf::from(it.next().ok_or("--dir DIR")?),
            // `cargo bench` passes `--bench`; filters are not used by this harness.
            _ => {}
        }
    }
    let reps = reps.max(1);
    println!("auditready end-to-end benchmark: {reps} repetition(s), median shown (min–max)");
    let mut totals = Vec::new();
    for &scale in &scales {
        let evidence = generate(&dir, scale)?;
        let bytes = dir_bytes(&evidence)?;
        let mut floor2 = Vec::new();
        let mut runs2 = Vec::new();
        let mut runs1 = Vec::new();
        for _ in 0..reps {
            floor2.push(floor(&evidence, 2)?);
            runs2.push(run(&evidence, 2)?);
            runs1.push(run(&evidence, 1)?);
        }
        let f = Stat::of(floor2.iter().map(|m| m.wall));
        let f_rss = Stat::of(floor2.iter().map(|m| m.rss_mb));
        let total = Stat::of(runs2.iter().map(|m| m.wall));
        let load = Stat::of(runs2.iter().map(|m| m.load));
        let eval = Stat::of(runs2.iter().map(|m| m.eval));
        let rss = Stat::of(runs2.iter().map(|m| m.rss_mb));
        let total1 = Stat::of(runs1.iter().map(|m| m.wall));
        let mb = bytes as f64 / 1e6;
        println!();
        println!("scale {scale}: evidence {mb:.0} MB on disk");
        println!("  floor (2 threads)       {}   peak RSS {}", f.secs(), f_rss.mb());
        println!("  typed load (--jobs 2)   {}", load.secs());
        println!("  evaluation (--jobs 2)   {}", eval.secs());
        println!(
            "  total (--jobs 2)        {}   peak RSS {}",
            total.secs(),
            rss.mb()
        );
        println!("  total (--jobs 1)        {}", total1.secs());
        println!(
            "  total / floor           {:.2}   (target ≤ 2.0)",
            total.median / f.median
        );
        println!(
            "  evaluation / total      {:.0} %  (target ≤ 25 %)",
            100.0 * eval.median / total.median
        );
        println!(
            "  jobs 1 / jobs 2         {:.2}   (target ≥ 1.6)",
            total1.median / total.median
        );
        println!(
            "  peak RSS / disk bytes   {:.2}   (target ≤ 1.5)",
            rss.median / mb
        );
        totals.push((scale, total.median));
    }
    let at = |s: f64| {
        totals
            .iter()
            .find(|(x, _)| (*x - s).abs() < 1e-9)
            .map(|(_, t)| *t)
    };
    if let (Some(small), Some(large)) = (at(0.1), at(1.0)) {
        println!();
        println!(
            "growth: total(scale 1) / total(scale 0.1) = {:.1}   (target ≤ 11)",
            large / small
        );
    }
    println!();
    let check = rule_set(&dir, 5000, reps)?;
    println!(
        "rule set: check of the shipped library + 5000 generated requirements {}   (target < 1 s)",
        check.secs()
    );
    Ok(())
}

/// A median and the spread of repeated measurements.
struct Stat {
    median: f64,
    min: f64,
    max: f64,
}

impl Stat {
    fn of(values: impl Iterator<Item = f64>) -> Stat {
        let mut v: Vec<f64> = values.collect();
        v.sort_by(f64::total_cmp);
        let median = v.get(v.len() / 2).copied().unwrap_or(f64::NAN);
        Stat {
            median,
            min: v.first().copied().unwrap_or(f64::NAN),
            max: v.last().copied().unwrap_or(f64::NAN),
        }
    }

    fn secs(&self) -> String {
        format!("{:7.3} s ({:.3}–{:.3})", self.median, self.min, self.max)
    }

    fn mb(&self) -> String {
        format!("{:.0} MB", self.median)
    }
}

/// One measured process.
struct Measure {
    wall: f64,
    load: f64,
    eval: f64,
    rss_mb: f64,
}

/// Generates the evidence set for a scale unless a complete one is there.
fn generate(dir: &Path, scale: f64) -> Fallible<PathBuf> {
    let out = dir.join(format!("bench-evidence-{scale}"));
    let done = out.join(".complete");
    if !done.exists() {
        eprintln!("generating scale {scale} into {} …", out.display());
        let status = Command::new(GENERATOR)
            .arg("--out")
            .arg(&out)
            .arg("--scale")
            .arg(scale.to_string())
            .status()?;
        if !status.success() {
            return Err(format!("generate-evidence failed for scale {scale}").into());
        }
        std::fs::write(&done, b"")?;
    }
    Ok(out)
}

fn files(dir: &Path, out: &mut Vec<(PathBuf, u64)>) -> Fallible<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            files(&entry.path(), out)?;
        } else if !entry.file_name().to_string_lossy().starts_with('.') {
            out.push((entry.path(), meta.len()));
        }
    }
    Ok(())
}

fn dir_bytes(dir: &Path) -> Fallible<u64> {
    let mut all = Vec::new();
    files(dir, &mut all)?;
    Ok(all.iter().map(|(_, n)| n).sum())
}

/// Runs the floor in a child process and reads its wall time and peak RSS.
fn floor(evidence: &Path, threads: usize) -> Fallible<Measure> {
    let started = Instant::now();
    let out = Command::new(std::env::current_exe()?)
        .arg("floor")
        .arg(evidence)
        .arg(threads.to_string())
        .stderr(Stdio::inherit())
        .output()?;
    let wall = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err("the floor failed".into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let rss_kib: f64 = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("rss_kib="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN);
    Ok(Measure {
        wall,
        load: wall,
        eval: 0.0,
        rss_mb: rss_kib * 1024.0 / 1e6,
    })
}

/// The floor itself: every file read and tokenized, nothing converted, files spread over
/// `threads` threads (largest first).
fn floor_child(dir: &Path, threads: usize) -> Fallible<()> {
    let mut all = Vec::new();
    files(dir, &mut all)?;
    all.sort_by_key(|b| std::cmp::Reverse(b.1));
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
    let tokens: u64 = pool.install(|| {
        all.par_iter()
            .with_max_len(1)
            .map(|(path, _)| tokenize(path).unwrap_or(0))
            .sum()
    });
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .unwrap_or_default();
    println!("tokens={tokens} rss_kib={rss}");
    Ok(())
}

/// Tokenizes one file: CSV records as byte records, JSON skipped through serde.
fn tokenize(path: &Path) -> Fallible<u64> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => {
            let mut bytes = Vec::new();
            File::open(path)?.read_to_end(&mut bytes)?;
            let _: serde::de::IgnoredAny = serde_json::from_slice(&bytes)?;
            Ok(1)
        }
        Some("csv") => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(BufReader::with_capacity(1 << 16, File::open(path)?));
            let mut record = csv::ByteRecord::new();
            let mut n = 0;
            while reader.read_byte_record(&mut record)? {
                n += record.len() as u64;
            }
            Ok(n)
        }
        _ => Ok(0),
    }
}

/// One `auditready run` over the shipped library.
fn run(evidence: &Path, jobs: usize) -> Fallible<Measure> {
    let started = Instant::now();
    let out = Command::new(AUDITREADY)
        .args(["run", "--rules"])
        .arg(Path::new(REPO).join("rules"))
        .arg("--evidence")
        .arg(evidence)
        .args([
            "--as-of",
            AS_OF,
            "--fail-on",
            "never",
            "--format",
            "json",
            "--timings",
        ])
        .arg("--jobs")
        .arg(jobs.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()?;
    let wall = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("auditready run failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let timings = String::from_utf8_lossy(&out.stderr);
    let stage = |name: &str| -> f64 {
        timings
            .lines()
            .find_map(|l| {
                let rest = l.trim_start().strip_prefix(name)?;
                let mut words = rest.split_whitespace();
                let value: f64 = words.next()?.parse().ok()?;
                Some(match words.next() {
                    Some("ms") => value / 1000.0,
                    Some("MB") => value * 1.048_576,
                    _ => value,
                })
            })
            .unwrap_or(f64::NAN)
    };
    Ok(Measure {
        wall,
        load: stage("load "),
        eval: stage("evaluate "),
        rss_mb: stage("peak RSS "),
    })
}

/// Writes `n` generated requirements (the shapes of the library's checks, over its
/// datasets) next to the shipped library and times `auditready check` of both.
fn rule_set(dir: &Path, n: usize, reps: usize) -> Fallible<Stat> {
    let rules = dir.join(format!("bench-rules-{n}"));
    std::fs::create_dir_all(&rules)?;
    let mut text = String::new();
    for i in 0..n {
        let body = match i % 5 {
            0 => format!(
                "expect all c in capa where c.status in [\"Resolved\", \"Closed\"]: c.resolved - c.created < {}d",
                20 + i % 20
            ),
            1 => format!(
                "metric share_{i} = share t in training where t.mandatory by t.department: t.completed is not none and t.completed <= t.due\n  expect share_{i} >= {}%",
                80 + i % 20
            ),
            2 => "expect all l in leavers where l.terminated <= as_of - 1d:\n    any e in access_events where lower(e.user) == lower(l.email) and e.kind == \"user.lifecycle.deactivate\" and e.at >= l.terminated: e.at - l.terminated <= 24h".to_string(),
            3 => format!(
                "metric n_{i} = count i in incidents where quarter(i.opened_at) == quarter(as_of - {} months)\n  expect n_{i} >= 0",
                i % 12
            ),
            _ => format!(
                "expect no c in capa where c.status in [\"Open\", \"In Progress\"]: c.due < as_of - {}d",
                i % 30
            ),
        };
        text.push_str(&format!(
            "requirement bench.generated_{i:05} {{\n  title \"Generated requirement {i}\"\n  clauses iso9001:10.2\n  severity observation\n  {body}\n}}\n\n"
        ));
    }
    std::fs::write(rules.join("generated.rules"), text)?;
    let mut times = Vec::new();
    for _ in 0..reps {
        let started = Instant::now();
        let out = Command::new(AUDITREADY)
            .args(["check", "--rules"])
            .arg(Path::new(REPO).join("rules"))
            .arg("--rules")
            .arg(&rules)
            .output()?;
        times.push(started.elapsed().as_secs_f64());
        if !out.status.success() {
            return Err(format!(
                "auditready check of the generated rules failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
    }
    Ok(Stat::of(times.into_iter()))
}
