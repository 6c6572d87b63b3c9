//! `auditready run`: evaluate every requirement and report readiness per standard; the
//! exit code is a CI gate.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Exit;
use super::common;
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
    /// Defaults to today. Pin it for reproducible reports.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only requirements serving this standard (repeatable), e.g. `--standard iso27001`.
    #[arg(long = "standard", value_name = "ID")]
    pub standards: Vec<String>,
    /// Override a param, e.g. `--param capa_max_days=14d` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The least severe failure that makes the gate fail. Errors and missing evidence
    /// always fail it, except with `never`.
    #[arg(long, value_enum, default_value_t = FailOn::Major)]
    pub fail_on: FailOn,
    /// Also fail when an in-scope clause has neither an automated check nor an unexpired
    /// attestation.
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
pub fn run(args: &RunArgs, color: bool) -> Exit {
    if let Some(jobs) = args.jobs {
        if jobs == 0 {
            eprintln!("error: --jobs must be at least 1");
            return Exit::Error;
        }
        // Only the first configuration of the global pool counts; a process runs one command.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(jobs).build_global();
    }
    match execute(args, color) {
        Ok(exit) | Err(exit) => exit,
    }
}

fn execute(args: &RunArgs, color: bool) -> Result<Exit, Exit> {
    let as_of = common::as_of(args.as_of.as_deref())?;
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
    let to_terminal = to_stdout && std::io::stdout().is_terminal();
    let bytes = report::render(&report, args.format, color && to_terminal).map_err(|e| {
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
    Ok(gate(&report, args.fail_on, args.require_coverage))
}

/// The exit code: not ready when a failure at or above `fail_on`, an error or missing
/// evidence is found (or, with `require_coverage`, a clause lacks coverage).
pub fn gate(report: &RunReport, fail_on: FailOn, require_coverage: bool) -> Exit {
    let threshold = match fail_on {
        FailOn::Never => return Exit::Ok,
        FailOn::Major => Severity::Major,
        FailOn::Minor => Severity::Minor,
        FailOn::Observation => Severity::Observation,
    };
    let failing = report.requirements.iter().any(|r| match r.outcome {
        Outcome::Error | Outcome::NoEvidence => true,
        Outcome::Fail => r.severity <= threshold,
        _ => false,
    });
    // Clauses 4–10 must be covered; Annex A controls are answered by the Statement of
    // Applicability and manual evidence, so they do not fail the coverage gate.
    let uncovered: Vec<String> = if require_coverage {
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
    } else {
        Vec::new()
    };
    if !uncovered.is_empty() {
        eprintln!(
            "coverage: {} clause{} without a requirement or an unexpired attestation: {}",
            uncovered.len(),
            if uncovered.len() == 1 { "" } else { "s" },
            crate::report::text::clean(&uncovered.join(", "))
        );
    }
    let uncovered = !uncovered.is_empty();
    if failing || uncovered {
        Exit::NotReady
    } else {
        Exit::Ok
    }
}
