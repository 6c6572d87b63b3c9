//! `auditready init [DIR]`: a new rule project that passes `check`, `test` and `run` at
//! once — the five standard catalogs, a params file, one dataset, one requirement with its
//! tests, and an evidence folder with a sample export.
//!
//! `auditready init --library LIB [DIR]`: a project layered on an existing rule library
//! (the `rules/` directory shipped with auditready): no copied catalogs, its own dataset,
//! requirement and test under ids of its own, and an `override param` of the library.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Exit;

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create the project (created if missing; must not hold a project yet).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Build on this rule library (e.g. the `rules/` directory shipped with auditready)
    /// instead of copying catalogs: the project is a second `--rules` directory.
    #[arg(long, value_name = "LIB")]
    pub library: Option<PathBuf>,
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

This project is self-contained: it copies the catalogs and declares its own `capa`
dataset, params and `capa.cycle_time`, so it cannot be layered on the rule library that
ships with auditready (the names would collide, C106). To build on that library instead of
copying it, create a layered project with `auditready init --library <auditready>/rules DIR`.
"#;

const OVERLAY_DATASETS: &str = r#"# This project's own exports, next to the library's datasets. Ids start with `company`
# so that they never collide with the library's (two datasets with one id are C106).
dataset company_suppliers "Approved supplier list (CSV export)" {
  source "company/suppliers.csv"

  field key            : text key required from "Supplier ID"
  field name           : text              from "Name"
  field last_evaluated : date              from "Last evaluated"
}
"#;

const OVERLAY_PARAMS: &str = r#"# This project's own targets.
param company_supplier_review = 12 months
"#;

const OVERLAY_SAMPLE: &str = "Supplier ID,Name,Last evaluated
SUP-1,Acme Hosting,2025-09-30
SUP-2,Nordic Couriers,2026-09-15
";

/// The requirement and tests of an overlay project; `CLAUSE` is replaced by a clause of
/// the library's catalogs.
const OVERLAY_REQUIREMENTS: &str = r#"requirement company.suppliers_evaluated {
  title    "Every approved supplier was evaluated in the last 12 months"
  clauses  CLAUSE
  severity minor
  owner    "Purchasing"
  expect   all s in company_suppliers: s.last_evaluated + company_supplier_review >= as_of
}

test company.suppliers_evaluated "a supplier evaluated 13 months ago fails" {
  as_of 2026-11-22
  given company_suppliers [
    { key = "SUP-1", name = "Acme Hosting", last_evaluated = 2026-03-02 },
    { key = "SUP-2", name = "Nordic Couriers", last_evaluated = 2025-10-21 },
  ]
  expect fail "SUP-2"
}

test company.suppliers_evaluated "exactly 12 months ago passes" {
  as_of 2026-11-22
  given company_suppliers [
    { key = "SUP-1", name = "Acme Hosting", last_evaluated = 2025-11-22 },
  ]
  expect pass
}
"#;

/// Runs `init`.
pub fn run(args: &InitArgs) -> Exit {
    let overlay;
    let mut files: Vec<(&str, &str)> = match &args.library {
        None => {
            let mut files = CATALOGS.to_vec();
            files.extend([
                ("rules/datasets.rules", DATASETS),
                ("rules/params.rules", PARAMS),
                ("rules/requirements.rules", REQUIREMENTS),
                ("evidence/jira/capa.csv", SAMPLE_EXPORT),
                ("README.md", README),
            ]);
            files
        }
        Some(library) => {
            overlay = match Overlay::for_library(library) {
                Ok(o) => o,
                Err(exit) => return exit,
            };
            vec![
                ("rules/library.rules", overlay.library.as_str()),
                ("rules/datasets.rules", OVERLAY_DATASETS),
                ("rules/params.rules", OVERLAY_PARAMS),
                ("rules/requirements.rules", overlay.requirements.as_str()),
                ("evidence/company/suppliers.csv", OVERLAY_SAMPLE),
                ("README.md", overlay.readme.as_str()),
            ]
        }
    };
    files.sort_by_key(|(p, _)| *p);
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
    match &args.library {
        None => {
            println!("created a rule project in {dir}");
            println!(
                "next: cd {dir} && auditready check && auditready test && auditready run --fail-on never"
            );
        }
        Some(library) => {
            let lib = absolute(library);
            println!("created a rule project in {dir}, layered on {}", lib.display());
            println!(
                "next: cd {dir} && auditready check --rules {0} --rules rules && auditready test --rules {0} --rules rules",
                lib.display()
            );
        }
    }
    Exit::Ok
}

/// The generated text of an overlay project that depends on the library.
struct Overlay {
    library: String,
    requirements: String,
    readme: String,
}

impl Overlay {
    /// Checks the library (it must check without errors) and writes the files that refer
    /// to it: the override of one of its params, and a clause of its catalogs.
    fn for_library(library: &Path) -> Result<Overlay, Exit> {
        let lib = absolute(library);
        let checked = super::check::load_and_check(
            std::slice::from_ref(&lib),
            crate::check::CheckOptions {
                today: Some(super::common::today()),
            },
        );
        let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        let Some(program) = checked.program.filter(|_| errors == 0) else {
            eprintln!(
                "error: `{}` is not a rule library that checks cleanly ({errors} error{}); run `auditready check --rules {}`",
                library.display(),
                if errors == 1 { "" } else { "s" },
                library.display()
            );
            return Err(Exit::Error);
        };
        // A clause the project's requirement can serve: the supplier clause of ISO 9001
        // when the library has it, else the library's first catalog item.
        let clause = program
            .standards
            .iter()
            .find(|s| s.id == "iso9001" && s.item("8.4").is_some())
            .map(|s| format!("{}:8.4", s.id))
            .or_else(|| {
                let s = program.standards.first()?;
                Some(format!("{}:{}", s.id, s.items.first()?.id))
            });
        let Some(clause) = clause else {
            eprintln!(
                "error: `{}` declares no standard; a project needs a catalog to map its requirements to",
                library.display()
            );
            return Err(Exit::Error);
        };
        // The shipped library's CAPA target shows `override param`; another library gets
        // the same lines as a comment to adapt.
        let override_line = match program.param("capa_cycle_max") {
            Some((_, p)) if p.ty == crate::value::Type::Duration => {
                "override param capa_cycle_max = 14d".to_string()
            }
            _ => "# override param capa_cycle_max = 14d".to_string(),
        };
        let library_rules = format!(
            "# Changes to the library this project is layered on ({}).\n\
             # `override param` sets a library target for every run of this project; the\n\
             # library's own tests still run with the library's values.\n\
             {override_line}\n\
             \n\
             # Switch off a library requirement that does not apply, with the reason\n\
             # (it is listed under `disabled` in the report):\n\
             # disable capa.recorded_promptly \"Detection time is not tracked in our Jira\"\n",
            lib.display()
        );
        let readme = format!(
            "# Compliance rules\n\
             \n\
             A rule project layered on the auditready rule library in `{lib}`. The library's\n\
             catalogs, datasets and requirements are not copied: pass the library first and\n\
             this project's `rules/` second.\n\
             \n\
             \x20   auditready check    --rules {lib} --rules rules\n\
             \x20   auditready test     --rules {lib} --rules rules\n\
             \x20   auditready datasets --rules {lib} --rules rules     # the exports to put in evidence/\n\
             \x20   auditready run      --rules {lib} --rules rules --fail-on never\n\
             \x20   auditready fmt rules\n\
             \n\
             `rules/library.rules` overrides a library param (and shows how to disable a library\n\
             requirement); `rules/datasets.rules`, `rules/params.rules` and\n\
             `rules/requirements.rules` add this project's own export, target and requirement\n\
             with its tests. Use ids of your own (here `company…`): an id the library already\n\
             declares is an error (C106).\n",
            lib = lib.display()
        );
        Ok(Overlay {
            library: library_rules,
            requirements: OVERLAY_REQUIREMENTS.replace("CLAUSE", &clause),
            readme,
        })
    }
}

/// The path made absolute against the current directory, so that the commands written in
/// the generated README work from the project's directory.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}
