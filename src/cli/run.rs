//! `auditready run`: evaluate every requirement and report readiness per standard; the
//! exit code is a CI gate.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common;
use super::{Colors, Exit};
use crate::eval::model::{CoverageKind, Outcome, RunReport};
use crate::eval::{self, RunOptions};
use crate::report::{self, Format};
use crate::syntax::ast::Severity;

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Rules directory (repeat to layer a project on a library).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Evidence directory: the exports, as the dataset declarations name them.
    #[arg(long, value_name = "DIR", default_value = "evidence")]
    pub evidence: PathBuf,
    /// Evaluation date (YYYY-MM-DD); every "in the last 12 months" is relative to it.
    /// Defaults to the date in `<evidence>/as_of` when that file exists (a frozen export),
    /// else today. Pin it for reproducible reports.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only requirements serving this standard (repeatable), e.g. `--standard iso27001`.
    #[arg(long = "standard", value_name = "ID")]
    pub standards: Vec<String>,
    /// Override a param, e.g. `--param capa_cycle_max=14d` (repeatable; each param once).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The least severe failure that makes the gate fail. Errors and missing evidence
    /// always fail it, except with `never`. When it fails, a `gate:` line on stderr names
    /// the level and the requirements that tripped it.
    #[arg(long, value_enum, default_value_t = FailOn::Major)]
    pub fail_on: FailOn,
    /// Also fail (exit 1, with a `coverage:` line on stderr) when an in-scope clause has
    /// neither a requirement nor a valid attestation, whatever `--fail-on` says (also with
    /// `never`).
    #[arg(long)]
    pub require_coverage: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to this file (atomically) instead of stdout (`-`: stdout).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads (default: one per core). Results are identical for any number.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print the wall time of each stage, dataset and requirement on stderr.
    #[arg(long)]
    pub timings: bool,
    /// Records cited per expect at most (all failing records are counted).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_findings: usize,
}

/// The severity at which the gate fails.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    /// A failing major requirement.
    Major,
    /// A failing major or minor requirement.
    Minor,
    /// Any failing requirement.
    Observation,
    /// Never: always exit 0 (a report, not a gate).
    Never,
}

/// Runs `run`.
pub fn run(args: &RunArgs, colors: Colors) -> Exit {
    if let Some(jobs) = args.jobs {
        if jobs == 0 {
            eprintln!("error: --jobs must be at least 1");
            return Exit::Error;
        }
        // Only the first configuration of the global pool counts; a process runs one command.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(jobs).build_global();
    }
    match execute(args, colors) {
        Ok(exit) | Err(exit) => exit,
    }
}

fn execute(args: &RunArgs, colors: Colors) -> Result<Exit, Exit> {
    // Diagnostics go to stderr; the report's colour is decided where it is written.
    let color = colors.stderr;
    let as_of = common::as_of_for(args.as_of.as_deref(), &args.evidence)?;
    let today = crate::value::micros_to_date(as_of);
    let mut timings = args.timings.then(super::timings::Timings::default);
    let project = common::load_project_timed(&args.rules, today, color, false, timings.as_mut())?;
    for s in &args.standards {
        if project.program.standard(s).is_none() {
            let ids: Vec<&str> = project.program.standards.iter().map(|s| s.id.as_str()).collect();
            eprintln!(
                "error: --standard `{s}` is not a declared standard; declared: {}",
                ids.iter()
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return Err(Exit::Error);
        }
    }
    let params = common::params(&project.program, &args.params)?;
    let lap = std::time::Instant::now();
    let evidence = common::load_evidence_timed(&project.program, &args.evidence, true, timings.as_ref())?;
    if let Some(t) = timings.as_mut() {
        t.stage("load", lap.elapsed());
    }
    // A broken export does not stop the run (its requirements turn `error`), but the
    // engineer sees at once which declaration and which file to fix.
    let load_errors: Vec<_> = evidence
        .tables
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            t.as_ref()
                .err()
                .map(|e| common::load_diagnostic(e, &project.program, i))
        })
        .collect();
    if !load_errors.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = crate::report::diagnostics::render(&load_errors, &project.sources, color, &mut err);
    }
    let inputs = evidence.inputs(&project.program);
    let lap = std::time::Instant::now();
    let (report, requirement_timings) = eval::run_timed(
        &project.program,
        &project.sources,
        &inputs,
        &RunOptions {
            as_of,
            standards: args.standards.clone(),
            params,
            max_findings: args.max_findings,
        },
    );
    if let Some(t) = timings.as_mut() {
        t.stage("evaluate", lap.elapsed());
    }
    let lap = std::time::Instant::now();
    let to_stdout = args.output.as_deref().is_none_or(|p| p.as_os_str() == "-");
    let report_color = if to_stdout { colors.stdout } else { colors.file };
    let bytes = report::render(&report, args.format, report_color).map_err(|e| {
        eprintln!("error: {e}");
        Exit::Error
    })?;
    common::write_output(args.output.as_deref(), &bytes)?;
    if let Some(t) = timings.as_mut() {
        t.stage("render", lap.elapsed());
        let rows = report
            .evidence
            .iter()
            .map(|e| (e.dataset.clone(), e.rows.unwrap_or(0)))
            .collect();
        eprint!("{}", t.render(&rows, &requirement_timings));
    }
    Ok(decide(&report, args.fail_on, args.require_coverage))
}

/// Why the gate fails: the level it was set to and the requirements that tripped it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateFailure {
    /// The `--fail-on` level.
    pub level: &'static str,
    /// Each tripping requirement with its outcome (`capa.cycle_time (major fail)`).
    pub tripped: Vec<String>,
}

/// The requirements that make the gate fail at `fail_on`: a failure at or above that
/// severity, an error or missing evidence. Empty with `never`.
pub fn gate(report: &RunReport, fail_on: FailOn) -> Option<GateFailure> {
    let (threshold, level) = match fail_on {
        FailOn::Never => return None,
        FailOn::Major => (Severity::Major, "major"),
        FailOn::Minor => (Severity::Minor, "minor"),
        FailOn::Observation => (Severity::Observation, "observation"),
    };
    let tripped: Vec<String> = report
        .requirements
        .iter()
        .filter_map(|r| {
            let why = match r.outcome {
                Outcome::Error | Outcome::NoEvidence => r.outcome.label().to_string(),
                Outcome::Fail if r.severity <= threshold => {
                    format!("{} fail", crate::report::view::severity_label(r.severity))
                }
                _ => return None,
            };
            Some(format!("{} ({why})", r.id))
        })
        .collect();
    (!tripped.is_empty()).then_some(GateFailure { level, tripped })
}

/// The clauses (`standard:clause`) in scope with neither a requirement nor a valid
/// attestation. Clauses 4–10 must be covered; Annex A controls are answered by the
/// Statement of Applicability and manual evidence, so they are not counted.
pub fn coverage_gaps(report: &RunReport) -> Vec<String> {
    report
        .standards
        .iter()
        .flat_map(|s| {
            s.coverage
                .items
                .iter()
                .filter(|i| i.kind == "clause" && i.coverage == CoverageKind::Manual)
                .map(move |i| format!("{}:{}", s.id, i.id))
        })
        .collect()
}

/// The exit code, with a line on stderr for each reason the run is not ready. The
/// coverage requirement is independent of `--fail-on`: `--fail-on never
/// --require-coverage` still fails on an uncovered clause.
fn decide(report: &RunReport, fail_on: FailOn, require_coverage: bool) -> Exit {
    let failure = gate(report, fail_on);
    if let Some(f) = &failure {
        eprintln!(
            "gate: not ready at --fail-on {}: {}",
            f.level,
            crate::report::text::clean(&f.tripped.join(", "))
        );
    }
    let gaps = if require_coverage {
        coverage_gaps(report)
    } else {
        Vec::new()
    };
    if !gaps.is_empty() {
        eprintln!(
            "coverage: {} clause{} without a requirement or an unexpired attestation: {}",
            gaps.len(),
            if gaps.len() == 1 { "" } else { "s" },
            crate::report::text::clean(&gaps.join(", "))
        );
    }
    if failure.is_some() || !gaps.is_empty() {
        Exit::NotReady
    } else {
        Exit::Ok
    }
}
