//! The `auditready` command.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = auditready::cli::Cli::parse();
    auditready::cli::run(cli)
}
