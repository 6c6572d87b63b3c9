//! `auditready test`: run the rule tests (`test` blocks) in parallel.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use super::{Exit, common};
use crate::report::text::clean;
use crate::testing;

/// Arguments of `test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Rules directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Only tests whose requirement id or name contains this text.
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
}

/// Runs `test`.
pub fn run(args: &TestArgs, color: bool) -> Exit {
    let project = match common::load_project(&args.rules, common::today(), color, false) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let results = testing::run_tests(&project.program, &project.sources, args.filter.as_deref());
    if let (Some(filter), true) = (&args.filter, results.is_empty()) {
        // A filter that selects nothing is a mistake in the command, not a green run.
        eprintln!(
            "error: no test matches `--filter {}` ({} test{} in the project); the filter is matched against requirement ids and test names",
            clean(filter),
            project.program.tests.len(),
            if project.program.tests.len() == 1 { "" } else { "s" }
        );
        return Exit::Error;
    }
    let mut out = String::new();
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    for r in &results {
        let status = if r.passed() {
            paint("32", "ok")
        } else {
            paint("31", "FAILED")
        };
        let _ = writeln!(out, "test {} \"{}\" ... {status}", r.requirement, clean(&r.name));
    }
    let failed: Vec<&testing::TestResult> = results.iter().filter(|r| !r.passed()).collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\nfailures:");
        for r in &failed {
            let _ = writeln!(
                out,
                "  {} \"{}\" ({})",
                r.requirement,
                clean(&r.name),
                clean(&r.at)
            );
            for f in &r.failures {
                let _ = writeln!(out, "    {}", clean(f));
            }
        }
    }
    if args.filter.is_none() {
        let coverage = testing::coverage(&project.program, &project.sources, &results);
        if !coverage.untested.is_empty() || !coverage.one_sided.is_empty() {
            let _ = writeln!(out, "\ncoverage:");
        }
        if !coverage.untested.is_empty() {
            let _ = writeln!(
                out,
                "  {} requirement{} without a test: {}",
                coverage.untested.len(),
                if coverage.untested.len() == 1 { "" } else { "s" },
                coverage.untested.join(", ")
            );
        }
        for (req, n, text, never) in &coverage.one_sided {
            let _ = writeln!(out, "  {req} expect #{n} never seen {never}: `{}`", clean(text));
        }
    }
    let passed = results.len() - failed.len();
    let _ = writeln!(out, "\n{passed} passed, {} failed", failed.len());
    print!("{out}");
    if failed.is_empty() {
        Exit::Ok
    } else {
        Exit::NotReady
    }
}
