//! `auditready check`: parse and type-check rule files.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Exit;
use crate::check::{self, CheckOptions};
use crate::diagnostic::{self, Diagnostic};
use crate::report::{diagnostics, sarif};
use crate::source::SourceMap;
use crate::{project, syntax};

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rules directory; repeat to layer a project on a library (later directories may
    /// `override param` and `disable` requirements of earlier ones).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub format: DiagnosticFormat,
    /// Also warn about waivers that have expired by this date (YYYY-MM-DD). Without it,
    /// `check` is static: whether a waiver has expired depends on the evaluation date,
    /// and `run` reports expired waivers in the report.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

/// How diagnostics are written.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DiagnosticFormat {
    /// Source excerpts with labels and help, for people.
    Human,
    /// A JSON array (file, line, column, code, severity, message, help), for editors and CI.
    Json,
    /// GitHub Actions workflow commands (inline annotations).
    Github,
    /// A SARIF 2.1.0 log, for code-scanning dashboards.
    Sarif,
}

/// The result of reading, parsing and checking a rule project.
pub struct Checked {
    /// The rule files.
    pub sources: SourceMap,
    /// The program, when there was no error.
    pub program: Option<check::Program>,
    /// Every diagnostic, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads, parses and checks the rule directories.
pub fn load_and_check(rules: &[PathBuf], options: CheckOptions) -> Checked {
    load_and_check_timed(rules, options, None)
}

/// [`load_and_check`], recording how long reading, parsing and checking took.
pub fn load_and_check_timed(
    rules: &[PathBuf],
    options: CheckOptions,
    mut timings: Option<&mut super::timings::Timings>,
) -> Checked {
    let mut lap = std::time::Instant::now();
    let mut record = |name: &'static str| {
        if let Some(t) = timings.as_deref_mut() {
            t.stage(name, lap.elapsed());
        }
        lap = std::time::Instant::now();
    };
    let (sources, mut diags) = project::load_rules(rules);
    record("read rules");
    let (files, parse_diags) = syntax::parse_all(&sources);
    record("parse");
    diags.extend(parse_diags);
    // The checker knows which declarations did not parse (`ast::File::broken`) and does
    // not repeat their syntax errors as unknown names or unused declarations.
    let (program, check_diags) = check::check(&files, options);
    record("check");
    diags.extend(check_diags);
    diagnostic::sort(&mut diags);
    let program = if diags.iter().any(Diagnostic::is_error) {
        None
    } else {
        program
    };
    Checked {
        sources,
        program,
        diagnostics: diags,
    }
}

/// Runs `check`.
pub fn run(args: &CheckArgs, color: bool) -> Exit {
    let rules = if args.rules.is_empty() {
        super::default_rules()
    } else {
        args.rules.clone()
    };
    let today = match &args.as_of {
        None => None,
        Some(_) => match super::common::as_of(args.as_of.as_deref()) {
            Ok(micros) => Some(crate::value::micros_to_date(micros)),
            Err(exit) => return exit,
        },
    };
    let checked = load_and_check(&rules, CheckOptions { today });
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.format {
        DiagnosticFormat::Human => {
            let mut err = std::io::stderr().lock();
            let r = diagnostics::render(&checked.diagnostics, &checked.sources, color, &mut err);
            let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = checked.diagnostics.len() - errors;
            // Files that could not be read count too: "0 rule files" would hide them.
            let unreadable = checked
                .diagnostics
                .iter()
                .filter(|d| d.primary_span().is_none() && d.location.is_some())
                .count();
            let files = checked.sources.len() + unreadable;
            let _ = writeln!(
                err,
                "{}: {files} rule file{}, {errors} error{}, {warnings} warning{}",
                if errors == 0 { "ok" } else { "failed" },
                plural(files),
                plural(errors),
                plural(warnings)
            );
            r
        }
        DiagnosticFormat::Json => diagnostics::render_json(&checked.diagnostics, &checked.sources, &mut out),
        DiagnosticFormat::Github => {
            let prefix = sarif::rule_file_path(&rules_base(&rules), "");
            diagnostics::render_github(&checked.diagnostics, &checked.sources, &prefix, &mut out)
        }
        DiagnosticFormat::Sarif => sarif::render(
            &checked.diagnostics,
            &checked.sources,
            &rules_base(&rules),
            &mut out,
        ),
    };
    if written.is_err() {
        return Exit::Error;
    }
    if checked.program.is_some() {
        Exit::Ok
    } else {
        Exit::Error
    }
}

/// How rule file names relate to the command line: with one rules directory they are
/// relative to it; with several they already start with their directory.
fn rules_base(rules: &[PathBuf]) -> sarif::RulesBase {
    match rules {
        [one] => sarif::RulesBase::Dir(one.display().to_string()),
        _ => sarif::RulesBase::Several,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
