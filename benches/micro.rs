//! Micro-benchmarks (divan): `cargo bench --bench micro` (see docs/performance.md).
//!
//! - `parse_and_check`: the shipped library plus generated requirements (1 000 and 5 000);
//! - `load`: each evidence format and date-time dialect over a generated scale-0.02 set
//!   (Jira CSV with Helsinki wall-clock dates, LMS CSV, ServiceNow CSV, the Okta JSON array);
//! - `evaluate`: the hot requirements of the shipped library over the same set, with the
//!   fast paths on and, for comparison, off (the row interpreter alone).
//!
//! The evidence is generated once per run under cargo's target tmp dir.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use auditready::check::{self, CheckOptions, Program};
use auditready::eval::{DatasetInput, FileFacts, Located, RunContext, RunOptions};
use auditready::evidence::{self, NoProgress, Table};
use auditready::source::SourceMap;

const GENERATOR: &str = env!("CARGO_BIN_EXE_generate-evidence");
const REPO: &str = env!("CARGO_MANIFEST_DIR");
const SCALE: &str = "0.02";

fn main() {
    divan::main();
}

/// The generated evidence directory (made on first use).
fn evidence_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("micro-evidence-{SCALE}"));
        if !dir.join(".complete").exists() {
            let ok = Command::new(GENERATOR)
                .arg("--out")
                .arg(&dir)
                .args(["--scale", SCALE])
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                let _ = std::fs::write(dir.join(".complete"), b"");
            }
        }
        dir
    })
}

/// Reads, parses and checks rule directories.
fn checked(dirs: &[PathBuf]) -> Option<(SourceMap, Program)> {
    let (sources, _) = auditready::project::load_rules(dirs);
    let (files, _) = auditready::syntax::parse_all(&sources);
    let (program, _) = check::check(&files, CheckOptions { today: None });
    program.map(|p| (sources, p))
}

/// The shipped library, checked once.
fn library() -> &'static (SourceMap, Program) {
    static LIB: OnceLock<(SourceMap, Program)> = OnceLock::new();
    LIB.get_or_init(|| {
        checked(&[PathBuf::from(REPO).join("rules")])
            .unwrap_or_else(|| (SourceMap::new(), Program::default()))
    })
}

/// Every dataset of the library loaded from the generated set.
fn tables() -> &'static Vec<Result<Table, evidence::LoadError>> {
    static TABLES: OnceLock<Vec<Result<Table, evidence::LoadError>>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let specs: Vec<_> = library().1.datasets.iter().map(|d| d.spec.clone()).collect();
        evidence::load_all(&specs, evidence_dir(), &NoProgress)
    })
}

/// A rules directory with `n` generated requirements.
fn generated_rules(n: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("micro-rules-{n}"));
    let _ = std::fs::create_dir_all(&dir);
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "requirement bench.generated_{i:05} {{\n  title \"Generated {i}\"\n  clauses iso9001:10.2\n  severity minor\n  \
             expect all c in capa where c.status in [\"Resolved\", \"Closed\"] and c.created >= as_of - {}d:\n    \
             c.resolved - c.created < 30d or c.source == \"Supplier\"\n}}\n\n",
            i % 365
        ));
    }
    let _ = std::fs::write(dir.join("generated.rules"), text);
    dir
}

#[divan::bench(args = [1000, 5000], sample_count = 5)]
fn parse_and_check(bencher: divan::Bencher, n: usize) {
    let dirs = [PathBuf::from(REPO).join("rules"), generated_rules(n)];
    bencher.bench(|| checked(&dirs).map(|(_, p)| p.requirements.len()));
}

#[divan::bench(args = ["capa", "training", "incidents", "changes", "access_events"], sample_count = 5)]
fn load(bencher: divan::Bencher, dataset: &str) {
    let dir = evidence_dir();
    let spec = library()
        .1
        .datasets
        .iter()
        .find(|d| d.name == dataset)
        .map(|d| d.spec.clone());
    bencher.bench(|| {
        spec.as_ref()
            .map(|s| evidence::load(s, dir, &NoProgress).map(|t| t.rows()))
    });
}

const HOT: &[&str] = &[
    "access.revoked_on_termination",
    "capa.cycle_time",
    "incidents.trend",
    "risk.ai_categories",
    "training.awareness_coverage",
    "training.mandatory_completion",
];

fn evaluate_one(bencher: divan::Bencher, id: &str, fast: bool) {
    let (sources, program) = library();
    let inputs: Vec<DatasetInput<'_>> = tables()
        .iter()
        .map(|t| DatasetInput {
            rows: t.as_ref().ok().map(|t| t as &dyn Located),
            error: t.as_ref().err().map(|e| e.to_string()),
            file: Some(FileFacts::default()),
        })
        .collect();
    let options = RunOptions {
        as_of: 1_795_305_600_000_000, // 2026-11-22T00:00:00Z
        standards: Vec::new(),
        params: Vec::new(),
        max_findings: 1000,
    };
    let Some((index, _)) = program.requirement(id) else {
        return;
    };
    bencher.bench(|| {
        // A fresh context per iteration: join indexes are built inside the measurement.
        let mut ctx = RunContext::new(program, sources, &inputs, &options);
        ctx.use_fast_paths = fast;
        ctx.evaluate(index).map(|(r, _)| r.outcome)
    });
}

#[divan::bench(args = HOT, sample_count = 10)]
fn evaluate(bencher: divan::Bencher, id: &str) {
    evaluate_one(bencher, id, true);
}

#[divan::bench(args = HOT, sample_count = 3)]
fn evaluate_interpreter_only(bencher: divan::Bencher, id: &str) {
    evaluate_one(bencher, id, false);
}
