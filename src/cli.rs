//! The command line: one file per subcommand under `cli/`.

mod check;
mod common;
mod coverage;
mod datasets;
mod explain;
mod fmt;
mod init;
mod run;
mod sample;
mod test;
mod timings;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Policy-as-code readiness checks for integrated ISO management systems.
#[derive(Debug, Parser)]
#[command(name = "auditready", version, about, long_about = None)]
pub struct Cli {
    /// When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour on a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate every requirement against the evidence and report readiness per standard.
    Run(run::RunArgs),
    /// Parse and type-check the rule files; exit 0 when clean (warnings allowed), 2 on errors.
    Check(check::CheckArgs),
    /// Run the rule tests (`test` blocks); the last line reads `N passed, N failed`.
    Test(test::TestArgs),
    /// List every declared dataset: the export it expects, its columns, and whether it loads.
    Datasets(datasets::DatasetsArgs),
    /// Show per standard which clauses have automated checks and which need manual evidence.
    Coverage(coverage::CoverageArgs),
    /// Show how a requirement was evaluated, as a tree; `--record ID` explains one record.
    Explain(explain::ExplainArgs),
    /// Create a new rule project (catalogs, a dataset, a requirement with tests, sample evidence).
    Init(init::InitArgs),
    /// Rewrite rule files in the canonical layout; `--check` prints a diff instead and exits 1
    /// if anything would change.
    Fmt(fmt::FmtArgs),
    /// Draw a reproducible random sample of the records a requirement examined, for an
    /// auditor to test by hand.
    Sample(sample::SampleArgs),
    /// Print the documentation of a diagnostic code (`auditready explain-code C105`).
    ExplainCode {
        /// The code, like `C105`.
        code: String,
    },
}

/// Process exit codes: what a CI gate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Ready (or the command succeeded).
    Ok = 0,
    /// Not ready per `--fail-on`, or rule tests failed.
    NotReady = 1,
    /// Rule errors, evidence-configuration errors or usage errors.
    Error = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let color = use_color(cli.color, std::io::stderr().is_terminal());
    let exit = match cli.command {
        Command::Run(args) => run::run(&args, color),
        Command::Check(args) => check::run(&args, color),
        Command::Test(args) => test::run(&args, color),
        Command::Datasets(args) => datasets::run(&args, color),
        Command::Coverage(args) => coverage::run(&args, color),
        Command::Explain(args) => explain::run(&args, color),
        Command::Init(args) => init::run(&args),
        Command::Fmt(args) => fmt::run(&args, color),
        Command::Sample(args) => sample::run(&args, color),
        Command::ExplainCode { code } => explain_code(&code),
    };
    exit.into()
}

/// Whether to colour output for a stream.
pub fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

fn explain_code(code: &str) -> Exit {
    match crate::diagnostic::Code::parse(code) {
        Some(c) => {
            println!(
                "{} — {}\n\n{}",
                c.as_str(),
                c.title(),
                c.documentation().trim_end()
            );
            Exit::Ok
        }
        None => {
            eprintln!("error: `{code}` is not a diagnostic code (codes look like `C105`)");
            Exit::Error
        }
    }
}

/// The default rules directory.
pub fn default_rules() -> Vec<PathBuf> {
    vec![PathBuf::from("rules")]
}
