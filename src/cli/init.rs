//! `auditready init [DIR]`: a new rule project that passes `check`, `test` and `run` at
//! once — the five standard catalogs, a params file, one dataset, one requirement with its
//! tests, and an evidence folder with a sample export.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Exit;

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create the project (created if missing; must not hold a project yet).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

const CATALOGS: &[(&str, &str)] = &[
    (
        "rules/standards/iso9001.rules",
        include_str!("../../rules/standards/iso9001.rules"),
    ),
    (
        "rules/standards/iso27001.rules",
        include_str!("../../rules/standards/iso27001.rules"),
    ),
    (
        "rules/standards/iso20000.rules",
        include_str!("../../rules/standards/iso20000.rules"),
    ),
    (
        "rules/standards/iso22301.rules",
        include_str!("../../rules/standards/iso22301.rules"),
    ),
    (
        "rules/standards/iso42001.rules",
        include_str!("../../rules/standards/iso42001.rules"),
    ),
];

const DATASETS: &str = r#"# How the evidence exports map to typed fields. Each `dataset` names a file under the
# evidence directory and the columns the rules read; `auditready datasets` lists them.
dataset capa "Corrective actions (Jira CSV export)" {
  source   "jira/capa.csv"
  timezone "Europe/Helsinki"

  field key      : text     key      from "Issue key"
  field status   : text     required from "Status"
  field created  : datetime required from "Created" format "%d/%b/%y %-I:%M %p"
  field resolved : datetime          from "Resolved" format "%d/%b/%y %-I:%M %p"
}
"#;

const PARAMS: &str = r#"# The organisation's targets, in one place. Override one for a run with
# `auditready run --param capa_cycle_max=14d`.
param capa_cycle_max = 30d
param capa_closed_states = ["Resolved", "Closed"]
"#;

const REQUIREMENTS: &str = r#"requirement capa.cycle_time {
  title    "Corrective actions are closed in under 30 days"
  clauses  iso9001:10.2, iso27001:10.2, iso20000:10.1, iso22301:10.1, iso42001:10.2
  severity major
  owner    "Quality manager"
  description "Every resolved or closed corrective action was closed less than 30 days after
    it was created. Reads the CAPA project export; cites each late CAPA with its line."
  metric   median_days = median c in capa where c.status in capa_closed_states:
                           days(c.resolved - c.created)
  expect   all c in capa where c.status in capa_closed_states:
             c.resolved - c.created < capa_cycle_max
}

test capa.cycle_time "a CAPA closed after 31 days fails" {
  as_of 2026-11-22
  given capa [
    { key = "CAPA-1", status = "Closed", created = 2026-09-01T09:00:00Z,
      resolved = 2026-09-11T09:00:00Z },
    { key = "CAPA-2", status = "Closed", created = 2026-09-01T09:00:00Z,
      resolved = 2026-10-02T09:00:00Z },
    { key = "CAPA-3", status = "Open", created = 2026-11-01T09:00:00Z },
  ]
  expect fail "CAPA-2"
  expect metric median_days = 20.5
}

test capa.cycle_time "read straight from a Jira export" {
  as_of 2026-11-22
  given capa csv "Issue key,Status,Created,Resolved
CAPA-7,Closed,01/Sep/26 9:00 AM,10/Sep/26 9:00 AM
"
  expect pass
}
"#;

const SAMPLE_EXPORT: &str = "Summary,Issue key,Status,Created,Resolved
Backup job failed without an alert,CAPA-1,Closed,01/Sep/26 9:00 AM,12/Sep/26 3:30 PM
\"Supplier \"\"Acme\"\" missed the agreed response time\",CAPA-2,Resolved,15/Sep/26 10:15 AM,02/Oct/26 11:00 AM
Access review for the finance share overdue,CAPA-3,In Progress,02/Nov/26 8:45 AM,
";

const README: &str = r#"# Compliance rules

A rule project for auditready.

    auditready check                     # names and types
    auditready test                      # the rule tests (`test` blocks)
    auditready run --fail-on never       # the readiness report on ./evidence
    auditready datasets                  # which exports the rules expect
    auditready fmt                       # canonical layout

`rules/standards/` holds the catalogs of the five standards; `rules/datasets.rules` maps
the exports in `evidence/`; `rules/params.rules` holds the targets;
`rules/requirements.rules` the requirements and their tests.

To build on the rule library that ships with auditready instead of copying it, pass its
directory first and this project's second: `auditready run --rules <library>/rules --rules rules`.
A later directory can `override param capa_cycle_max = 14d`, `disable <requirement> "why"`
and add requirements of its own.
"#;

/// Runs `init`.
pub fn run(args: &InitArgs) -> Exit {
    let mut files: Vec<(&str, &str)> = CATALOGS.to_vec();
    files.extend([
        ("rules/datasets.rules", DATASETS),
        ("rules/params.rules", PARAMS),
        ("rules/requirements.rules", REQUIREMENTS),
        ("evidence/jira/capa.csv", SAMPLE_EXPORT),
        ("README.md", README),
    ]);
    let existing: Vec<&str> = files
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| args.dir.join(p).exists())
        .collect();
    if !existing.is_empty() || args.dir.join("rules").exists() {
        eprintln!(
            "error: `{}` already holds a rule project (found {}); choose an empty directory",
            args.dir.display(),
            existing.first().copied().unwrap_or("rules/")
        );
        return Exit::Error;
    }
    for (path, text) in files {
        if let Err(e) = write(&args.dir.join(path), text) {
            eprintln!("error: cannot write `{}`: {e}", args.dir.join(path).display());
            return Exit::Error;
        }
    }
    let dir = args.dir.display();
    println!("created a rule project in {dir}");
    println!("next: cd {dir} && auditready check && auditready test && auditready run --fail-on never");
    Exit::Ok
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}
