//! `auditready sample`: a reproducible random sample of the records a requirement examined,
//! for the auditor who tests a sample by hand.

use std::path::PathBuf;

use clap::Args;

use super::Exit;
use super::common;
use crate::eval::{RunContext, RunOptions, sample};
use crate::report::sample::{self as render, SampleFormat};

/// Arguments of `sample`.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// The requirement whose records to sample, e.g. `capa.cycle_time`.
    pub requirement: String,
    /// How many records to draw (all of them when the population is smaller).
    #[arg(long, value_name = "N")]
    pub size: usize,
    /// The seed: the same seed, rules, evidence and date give the same sample on any
    /// machine. Record it in the working papers.
    #[arg(long, value_name = "S")]
    pub seed: u64,
    /// Rules directory (repeat to layer a project on a library).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Evidence directory.
    #[arg(long, value_name = "DIR", default_value = "evidence")]
    pub evidence: PathBuf,
    /// Evaluation date (YYYY-MM-DD) for filters relative to `as_of`; defaults to the date in `<evidence>/as_of`, else today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Override a param, e.g. `--param capa_cycle_max=14d` (repeatable; each param once).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SampleFormat::Text)]
    pub format: SampleFormat,
    /// Write to this file (atomically) instead of stdout (`-`: stdout).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `sample`.
pub fn run(args: &SampleArgs, color: bool) -> Exit {
    match execute(args, color) {
        Ok(exit) | Err(exit) => exit,
    }
}

fn execute(args: &SampleArgs, color: bool) -> Result<Exit, Exit> {
    if args.size == 0 {
        eprintln!("error: --size must be at least 1");
        return Err(Exit::Error);
    }
    let as_of = common::as_of_for(args.as_of.as_deref(), &args.evidence)?;
    let today = crate::value::micros_to_date(as_of);
    let project = common::load_project(&args.rules, today, color, false)?;
    let program = &project.program;
    let (_, requirement) = common::requirement(program, &args.requirement)?;
    let params = common::params(program, &args.params)?;
    let evidence = common::load_evidence(program, &args.evidence, true)?;
    // A sample of a partly loaded population would mislead the auditor: every dataset the
    // requirement reads must have loaded.
    for &d in &requirement.datasets {
        if let Some(Err(e)) = evidence.tables.get(d) {
            let diag = common::load_diagnostic(e, program, d);
            let mut err = std::io::stderr().lock();
            let _ = crate::report::diagnostics::render(&[diag], &project.sources, color, &mut err);
            eprintln!(
                "error: the evidence `{}` needs could not be loaded; nothing was sampled",
                requirement.id
            );
            return Err(Exit::Error);
        }
    }
    let inputs = evidence.inputs(program);
    let ctx = RunContext::new(
        program,
        &project.sources,
        &inputs,
        &RunOptions {
            as_of,
            standards: Vec::new(),
            params,
            max_findings: 0,
        },
    );
    let drawn = sample::sample(&ctx, requirement, args.size, args.seed).map_err(|e| {
        eprintln!("error: {}", ctx.error_message(&e));
        Exit::Error
    })?;
    let bytes = render::render(&drawn, args.format).map_err(|e| {
        eprintln!("error: {e}");
        Exit::Error
    })?;
    common::write_output(args.output.as_deref(), &bytes)?;
    Ok(Exit::Ok)
}
