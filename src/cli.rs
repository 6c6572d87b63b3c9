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
    /// When to use colour: auto (per stream: the report when stdout is a terminal,
    /// diagnostics when stderr is one; never when NO_COLOR is set), always, never.
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

/// Whether to colour each output stream, decided once per process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colors {
    /// The report or listing on stdout.
    pub stdout: bool,
    /// Diagnostics and messages on stderr.
    pub stderr: bool,
    /// A report written to a file with `--output`: only with `--color always`, since a
    /// file is not a terminal.
    pub file: bool,
}

impl Colors {
    /// Decides per stream from the choice, `NO_COLOR` and whether each stream is a terminal.
    pub fn decide(choice: ColorChoice, no_color: bool, stdout_tty: bool, stderr_tty: bool) -> Colors {
        Colors {
            stdout: use_color(choice, stdout_tty, no_color),
            stderr: use_color(choice, stderr_tty, no_color),
            file: use_color(choice, false, no_color),
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let colors = Colors::decide(
        cli.color,
        no_color,
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
    );
    // Every command but `run` colours only what it writes to stderr (diagnostics), so
    // it gets stderr's decision.
    let color = colors.stderr;
    let exit = match cli.command {
        Command::Run(args) => run::run(&args, colors),
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

/// Whether to colour one output stream: `always` and `never` force; `auto` colours a
/// terminal unless `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn use_color(choice: ColorChoice, is_terminal: bool, no_color: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && !no_color,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_is_decided_per_stream() {
        // A report piped to a file while diagnostics go to the terminal, and the reverse.
        let c = Colors::decide(ColorChoice::Auto, false, false, true);
        assert_eq!((c.stdout, c.stderr, c.file), (false, true, false));
        let c = Colors::decide(ColorChoice::Auto, false, true, false);
        assert_eq!((c.stdout, c.stderr, c.file), (true, false, false));
    }

    #[test]
    fn always_and_never_force_and_no_color_only_affects_auto() {
        let c = Colors::decide(ColorChoice::Always, true, false, false);
        assert_eq!((c.stdout, c.stderr, c.file), (true, true, true));
        let c = Colors::decide(ColorChoice::Never, false, true, true);
        assert_eq!((c.stdout, c.stderr, c.file), (false, false, false));
        let c = Colors::decide(ColorChoice::Auto, true, true, true);
        assert_eq!((c.stdout, c.stderr, c.file), (false, false, false));
    }
}
