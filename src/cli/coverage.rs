//! `auditready coverage`: per standard, which clauses and controls have an automated check,
//! which rest on an unexpired attestation, and which need manual evidence.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::datasets::ListFormat;
use super::{Exit, common};
use crate::eval::model::{Coverage, CoverageKind};
use crate::eval::{self, RunOptions};
use crate::report::text::clean;

/// Arguments of `coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Rules directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Evidence directory, read only for the Statement of Applicability (controls it
    /// excludes are shown as excluded). Missing: controls are not excluded.
    #[arg(long, value_name = "DIR", default_value = "evidence")]
    pub evidence: PathBuf,
    /// Date attestations are valid on (YYYY-MM-DD; default: `<evidence>/as_of`, else today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only this standard (repeatable).
    #[arg(long = "standard", value_name = "ID")]
    pub standards: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Serialize)]
struct StandardCoverage {
    id: String,
    title: String,
    coverage: Coverage,
}

/// Runs `coverage`; exit 1 when a clause (not a control) has neither a requirement nor an
/// unexpired attestation.
pub fn run(args: &CoverageArgs, color: bool) -> Exit {
    let as_of = match common::as_of_for(args.as_of.as_deref(), &args.evidence) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    let project = match common::load_project(&args.rules, crate::value::micros_to_date(as_of), color, false) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let program = &project.program;
    // Only the Statements of Applicability are needed: load those datasets alone.
    let soa: Vec<usize> = program.applicability.iter().map(|a| a.dataset).collect();
    let evidence = if args.evidence.is_dir() {
        let specs: Vec<crate::evidence::DatasetSpec> = program
            .datasets
            .iter()
            .enumerate()
            .filter(|(i, _)| soa.contains(i))
            .map(|(_, d)| d.spec.clone())
            .collect();
        let loaded = crate::evidence::load_all(&specs, &args.evidence, &crate::evidence::NoProgress);
        let mut loaded = loaded.into_iter();
        let tables = (0..program.datasets.len())
            .map(|i| {
                if soa.contains(&i) {
                    loaded.next().unwrap_or_else(|| Err(missing(program, i)))
                } else {
                    Err(missing(program, i))
                }
            })
            .collect();
        common::Evidence { tables }
    } else {
        common::Evidence {
            tables: (0..program.datasets.len())
                .map(|i| Err(missing(program, i)))
                .collect(),
        }
    };
    let inputs = evidence.inputs(program);
    let options = RunOptions {
        as_of,
        standards: args.standards.clone(),
        params: Vec::new(),
        max_findings: 0,
    };
    let standards: Vec<StandardCoverage> = eval::coverage_only(program, &project.sources, &inputs, &options)
        .into_iter()
        .map(|(id, title, coverage)| StandardCoverage { id, title, coverage })
        .collect();
    let output = match args.format {
        ListFormat::Json => serde_json::to_string_pretty(&standards)
            .map(|s| s + "\n")
            .unwrap_or_default(),
        ListFormat::Text => text(&standards),
    };
    if common::write_output(None, output.as_bytes()).is_err() {
        return Exit::Error;
    }
    let uncovered = standards.iter().any(|s| {
        s.coverage
            .items
            .iter()
            .any(|i| i.kind == "clause" && i.coverage == CoverageKind::Manual)
    });
    if uncovered { Exit::NotReady } else { Exit::Ok }
}

/// Stands in for datasets `coverage` does not read.
fn missing(program: &crate::check::Program, i: usize) -> crate::evidence::LoadError {
    let d = program.datasets.get(i);
    crate::evidence::LoadError::new(
        d.map_or("", |d| d.name.as_str()),
        d.map_or("", |d| d.spec.source.as_str()),
        crate::evidence::LoadErrorKind::MissingFile {
            expected_columns: Vec::new(),
        },
    )
}

fn text(standards: &[StandardCoverage]) -> String {
    let mut w = String::new();
    for s in standards {
        let c = &s.coverage;
        // Titles and ids come from rule files, which come from pull requests: no control
        // character reaches the terminal raw.
        let _ = writeln!(w, "{} ({})", clean(&s.title), clean(&s.id));
        for (what, n) in [("clauses", &c.clauses), ("controls", &c.controls)] {
            if n.total == 0 {
                continue;
            }
            let _ = writeln!(
                w,
                "  {what}: {} automated, {} attested, {} manual{} of {}",
                n.automated,
                n.attested,
                n.manual,
                if n.excluded > 0 {
                    format!(", {} excluded by the SoA", n.excluded)
                } else {
                    String::new()
                },
                n.total
            );
        }
        let width = c
            .items
            .iter()
            .map(|i| clean(&i.id).chars().count())
            .max()
            .unwrap_or(4);
        for item in &c.items {
            let how = match item.coverage {
                CoverageKind::Automated => "automated",
                CoverageKind::Attested => "attested ",
                CoverageKind::Manual => "MANUAL   ",
                CoverageKind::Excluded => "excluded ",
            };
            let by = if !item.requirements.is_empty() {
                item.requirements.join(", ")
            } else if !item.attestations.is_empty() {
                item.attestations.join(", ")
            } else if item.coverage == CoverageKind::Manual {
                String::new()
            } else {
                "(through its subclauses)".to_string()
            };
            let title = item.title.as_deref().unwrap_or("");
            let title = clean(&title.chars().take(48).collect::<String>());
            let _ = writeln!(
                w,
                "  {:<width$}  {how}  {title:<48}  {}",
                clean(&item.id),
                clean(&by)
            );
        }
        let _ = writeln!(w);
    }
    w
}
