//! The fail-closed matrix: no broken evidence, and no waiver that does not apply, may ever
//! produce `pass`. Each case starts from a small rule project whose healthy evidence passes
//! (the control case proves the rules can pass at all), breaks one thing, and asserts the
//! outcome is `no evidence`, `error` or `fail` and the CI gate exits non-zero — through the
//! real binary (`auditready run`) and through the library (load, evaluate, gate).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use auditready::check::CheckOptions;
use auditready::eval::model::{Outcome, Verdict};
use auditready::eval::{self, DatasetInput, FileFacts, Located, RunOptions};
use auditready::evidence;

const AS_OF: &str = "2026-11-22";

const CATALOG: &str = r#"
standard iso27001 "ISO/IEC 27001:2022" {
  clause  "10.2"  "Nonconformity and corrective action"
  control "A.5.18" "Access rights"
}
"#;

const DATASETS: &str = r#"
dataset capa "Jira CAPA export" {
  source "jira/capa.csv"
  field key      : text     key      from "Issue key"
  field status   : text     required from "Status"
  field created  : datetime          from "Created"
  field resolved : datetime          from "Resolved"
}

dataset leavers "HR leavers export" {
  source "hr/leavers.csv"
  field employee_id : text     key from "Employee ID"
  field email       : text         from "Work Email"
  field terminated  : datetime     from "Termination Date"
}

dataset access_events "Okta System Log" {
  source "iam/okta-system-log.json"
  field user : text     from "target[0].alternateId"
  field kind : text     from "eventType"
  field at   : datetime from "published"
}

dataset training "LMS assignments" {
  source "lms/assignments.jsonl"
  field user       : text key from "user"
  field department : text     from "department"
  field completed  : bool     from "completed"
}
"#;

/// One requirement per dataset, each as the shipped library writes them.
const REQUIREMENTS: &str = r#"
requirement capa.cycle_time {
  title    "Corrective actions are closed in under 30 days"
  clauses  iso27001:10.2
  severity major
  expect   all c in capa where c.status in ["Resolved", "Closed"]:
               c.resolved - c.created < 30d
}

requirement access.revoked_on_termination {
  title    "Access is revoked within 24 hours of termination"
  clauses  iso27001:A.5.18
  severity major
  expect all l in leavers where l.terminated <= as_of - 1d:
         any e in access_events where lower(e.user) == lower(l.email)
                                  and e.kind == "user.lifecycle.deactivate"
                                  and e.at >= l.terminated:
             e.at - l.terminated <= 24h
}

requirement training.completion {
  title    "Mandatory training is completed by 95 % of staff in every department"
  clauses  iso27001:10.2
  severity major
  metric   completion = share t in training by t.department: t.completed
  expect   completion >= 95%
}
"#;

const CAPA_CSV: &str = "Issue key,Status,Created,Resolved
CAPA-1,Closed,2026-09-01T09:00:00Z,2026-09-11T09:00:00Z
CAPA-2,Resolved,2026-10-01T09:00:00Z,2026-10-05T09:00:00Z
CAPA-3,Open,2026-11-01T09:00:00Z,
";

const LEAVERS_CSV: &str = "Employee ID,Work Email,Termination Date
E1,ann@example.com,2026-10-01T14:00:00Z
E2,bob@example.com,2026-10-15T16:00:00Z
";

const OKTA_JSON: &str = r#"[
  {"eventType": "user.lifecycle.deactivate", "published": "2026-10-01T18:00:00Z", "target": [{"alternateId": "Ann@example.com"}]},
  {"eventType": "user.session.start", "published": "2026-10-02T08:00:00Z", "target": [{"alternateId": "carl@example.com"}]},
  {"eventType": "user.lifecycle.deactivate", "published": "2026-10-16T09:00:00Z", "target": [{"alternateId": "bob@example.com"}]}
]
"#;

const TRAINING_JSONL: &str = r#"{"user": "U1", "department": "Sales", "completed": true}
{"user": "U2", "department": "Sales", "completed": true}
{"user": "U3", "department": "IT", "completed": true}
"#;

/// A rule project and its evidence in a temporary directory.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// The healthy project: every requirement passes.
    fn healthy() -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = Project { dir };
        p.write_rules("catalog.rules", CATALOG);
        p.write_rules("datasets.rules", DATASETS);
        p.write_rules("requirements.rules", REQUIREMENTS);
        p.write_evidence("jira/capa.csv", CAPA_CSV);
        p.write_evidence("hr/leavers.csv", LEAVERS_CSV);
        p.write_evidence("iam/okta-system-log.json", OKTA_JSON);
        p.write_evidence("lms/assignments.jsonl", TRAINING_JSONL);
        p
    }

    fn rules(&self) -> PathBuf {
        self.dir.path().join("rules")
    }

    fn evidence(&self) -> PathBuf {
        self.dir.path().join("evidence")
    }

    fn write_rules(&self, name: &str, text: &str) {
        let path = self.rules().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn write_evidence(&self, name: &str, text: &str) {
        let path = self.evidence().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn remove_evidence(&self, name: &str) {
        fs::remove_file(self.evidence().join(name)).unwrap();
    }

    /// Runs the binary; returns the exit code and the JSON report.
    fn run_binary(&self) -> (i32, serde_json::Value) {
        let out = Command::new(env!("CARGO_BIN_EXE_auditready"))
            .arg("run")
            .arg("--rules")
            .arg(self.rules())
            .arg("--evidence")
            .arg(self.evidence())
            .args(["--as-of", AS_OF, "--format", "json"])
            .env("NO_COLOR", "1")
            .output()
            .expect("run auditready");
        let code = out.status.code().expect("exit code");
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON report ({e}); exit {code}; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, json)
    }

    /// Runs the library pipeline (read rules, check, load evidence, evaluate) as the
    /// binary does; returns the outcome of each requirement and the overall verdict.
    fn run_library(&self) -> (Vec<(String, Outcome)>, Option<Verdict>) {
        let as_of =
            auditready::value::date_to_micros(auditready::syntax::literal::parse_date(AS_OF).expect("date"));
        let (sources, mut diags) = auditready::project::load_rules(&[self.rules()]);
        let (files, d) = auditready::syntax::parse_all(&sources);
        diags.extend(d);
        let (program, d) = auditready::check::check(
            &files,
            CheckOptions {
                today: Some(auditready::value::micros_to_date(as_of)),
            },
        );
        diags.extend(d);
        assert!(
            !diags.iter().any(|d| d.is_error()),
            "{}",
            auditready::report::diagnostics::render_plain(&diags, &sources)
        );
        let program = program.expect("checked program");
        let specs: Vec<_> = program.datasets.iter().map(|d| d.spec.clone()).collect();
        let tables = evidence::load_all(&specs, &self.evidence(), &evidence::NoProgress);
        let inputs: Vec<DatasetInput<'_>> = tables
            .iter()
            .map(|t| match t {
                Ok(table) => DatasetInput {
                    rows: Some(table as &dyn Located),
                    error: None,
                    file: Some(FileFacts {
                        path: table.file().path.clone(),
                        ..FileFacts::default()
                    }),
                },
                Err(e) => DatasetInput {
                    rows: None,
                    error: Some(format!("[{}] {e}", e.code())),
                    file: None,
                },
            })
            .collect();
        let report = eval::run(
            &program,
            &sources,
            &inputs,
            &RunOptions {
                as_of,
                standards: Vec::new(),
                params: Vec::new(),
                max_findings: 100,
            },
        );
        let outcomes = report
            .requirements
            .iter()
            .map(|r| (r.id.clone(), r.outcome))
            .collect();
        (outcomes, report.summary.verdict)
    }
}

fn binary_outcome(json: &serde_json::Value, id: &str) -> String {
    json["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("`{id}` not in the report"))["outcome"]
        .as_str()
        .expect("outcome")
        .to_string()
}

fn library_outcome(outcomes: &[(String, Outcome)], id: &str) -> Outcome {
    outcomes
        .iter()
        .find(|(r, _)| r == id)
        .unwrap_or_else(|| panic!("`{id}` not evaluated"))
        .1
}

/// Runs both paths and asserts the requirement has `expected` (never pass) and the gate
/// fails; returns the JSON report for further checks.
fn assert_fails_closed(p: &Project, id: &str, expected: Outcome) -> serde_json::Value {
    assert_ne!(expected, Outcome::Pass);
    let (outcomes, verdict) = p.run_library();
    let got = library_outcome(&outcomes, id);
    assert_eq!(got, expected, "library: `{id}`");
    assert_eq!(
        verdict,
        Some(Verdict::NotReady),
        "library: the verdict must be not ready"
    );

    let (code, json) = p.run_binary();
    let label = binary_outcome(&json, id);
    assert_eq!(label, expected_label(expected), "binary: `{id}`");
    assert_ne!(code, 0, "binary: the gate must fail");
    assert_ne!(label, "pass");
    json
}

fn expected_label(o: Outcome) -> String {
    serde_json::to_value(o)
        .expect("outcome serialises")
        .as_str()
        .expect("a string")
        .to_string()
}

#[test]
fn control_the_healthy_project_passes() {
    let p = Project::healthy();
    let (outcomes, verdict) = p.run_library();
    for (id, o) in &outcomes {
        assert_eq!(*o, Outcome::Pass, "`{id}`");
    }
    assert_eq!(outcomes.len(), 3);
    assert_eq!(verdict, Some(Verdict::Ready));
    let (code, json) = p.run_binary();
    assert_eq!(code, 0, "{json}");
    for id in [
        "capa.cycle_time",
        "access.revoked_on_termination",
        "training.completion",
    ] {
        assert_eq!(binary_outcome(&json, id), "pass");
    }
}

/// One row of the fail-closed matrix: what is broken, which requirement reads it, and the
/// exact outcome and diagnostic code the break must give.
struct Case {
    /// What the case breaks.
    name: &'static str,
    /// Breaks the healthy project.
    mutate: fn(&Project),
    /// The requirement that reads what is broken.
    requirement: &'static str,
    /// Its outcome (never `pass`).
    outcome: Outcome,
    /// The diagnostic code in its errors or the run's warnings; `None`: the requirement has
    /// no error at all (it failed or lacked evidence on its own terms).
    code: Option<&'static str>,
    /// Text the JSON report must contain (the file, the value, the record).
    mentions: &'static [&'static str],
}

const WAIVER_CAPA_2: &str = r#"
waiver W-1 {
  requirement capa.cycle_time
  records     "CAPA-2"
  reason      "Supplier fix"
  approved_by "Managing director"
  expires     2027-01-31
}
"#;

const WHOLE_REQUIREMENT_WAIVER: &str = r#"
waiver W-1 {
  requirement capa.cycle_time
  reason      "Whole requirement"
  approved_by "Managing director"
  expires     2027-01-31
}
"#;

/// CAPA-2 took 40 days: `capa.cycle_time` fails.
fn break_capa_2(p: &Project) {
    p.write_evidence(
        "jira/capa.csv",
        &CAPA_CSV.replace("2026-10-05T09:00:00Z", "2026-11-10T09:00:00Z"),
    );
}

/// A requirement that counts what must not exist: no leaver whose termination is more
/// than 30 days past may be listed with a work e-mail still set.
const COUNT_REQUIREMENT: &str = r#"
requirement access.no_stale_leavers {
  title    "No leaver keeps a work e-mail a month after leaving"
  clauses  iso27001:A.5.18
  severity major
  expect   (count l in leavers where l.terminated < as_of - 30d: l.email is not none) == 0
}
"#;

const NO_REQUIREMENT: &str = r#"
requirement access.no_recent_leavers {
  title    "No leaver left in the last week"
  clauses  iso27001:A.5.18
  severity major
  expect   no l in leavers where l.terminated >= as_of - 7d
}
"#;

fn matrix() -> Vec<Case> {
    use Outcome::{Error, Fail, NoEvidence};
    vec![
        Case {
            name: "missing CSV file",
            mutate: |p| p.remove_evidence("jira/capa.csv"),
            requirement: "capa.cycle_time",
            outcome: Error,
            code: Some("D401"),
            mentions: &["jira/capa.csv"],
        },
        Case {
            name: "missing JSON file",
            mutate: |p| p.remove_evidence("iam/okta-system-log.json"),
            requirement: "access.revoked_on_termination",
            outcome: Error,
            code: Some("D401"),
            mentions: &["iam/okta-system-log.json"],
        },
        Case {
            name: "a directory where the export should be",
            mutate: |p| {
                p.remove_evidence("jira/capa.csv");
                fs::create_dir_all(p.evidence().join("jira/capa.csv")).unwrap();
            },
            requirement: "capa.cycle_time",
            outcome: Error,
            code: Some("D402"),
            mentions: &[],
        },
        Case {
            name: "empty CSV file",
            mutate: |p| p.write_evidence("jira/capa.csv", ""),
            requirement: "capa.cycle_time",
            outcome: Error,
            code: Some("D417"),
            mentions: &[],
        },
        Case {
            name: "CSV of blank lines",
            mutate: |p| p.write_evidence("jira/capa.csv", "\n\n"),
            requirement: "capa.cycle_time",
            outcome: Error,
            code: Some("D417"),
            mentions: &[],
        },
        Case {
            name: "CSV of a byte-order mark only",
            mutate: |p| p.write_evidence("jira/capa.csv", "\u{feff}"),
            requirement: "capa.cycle_time",
            outcome: Error,
            code: Some("D417"),
            mentions: &[],
        },
        Case {
            name: "empty JSON array",
            mutate: |p| p.write_evidence("iam/okta-system-log.json", "[]"),
            requirement: "access.revoked_on_termination",
            outcome: NoEvidence,
            code: None,
            mentions: &[],
        },
        Case {
            name: "empty JSON Lines file",
            mutate: |p| p.write_evidence("lms/assignments.jsonl", ""),
            requirement: "training.completion",
            outcome: NoEvidence,
            code: None,
            mentions: &[],
        },
        Case {
            name: "JSON Lines of blank lines",
            mutate: |p| p.write_evidence("lms/assignments.jsonl", "\n\n   \n"),
            requirement: "training.completion",
            outcome: NoEvidence,
            code: None,
            mentions: &[],
        },
        Case {
            name: "header-only CSV",
            mutate: |p| p.write_evidence("jira/capa.csv", "Issue key,Status,Created,Resolved\n"),
            requirement: "capa.cycle_time",
            outcome: NoEvidence,
            code: None,
            mentions: &["holds no records"],
        },
        Case {
            name: "header and rows of empty cells (skipped as blank)",
            mutate: |p| p.write_evidence("jira/capa.csv", "Issue key,Status,Created,Resolved\n,,,\n,,,\n"),
            requirement: "capa.cycle_time",
            outcome: NoEvidence,
            code: None,
            mentions: &[],
        },
        Case {
            name: "all rows filtered out",
            mutate: |p| {
                p.write_evidence(
                    "jira/capa.csv",
                    "Issue key,Status,Created,Resolved\nCAPA-1,Open,2026-09-01T09:00:00Z,\nCAPA-2,In Progress,2026-10-01T09:00:00Z,\n",
                )
            },
            requirement: "capa.cycle_time",
            outcome: NoEvidence,
            code: None,
            mentions: &["no record matches"],
        },
        Case {
            name: "all rows filtered out (every leaver too recent to judge)",
            mutate: |p| {
                p.write_evidence(
                    "hr/leavers.csv",
                    "Employee ID,Work Email,Termination Date\nE9,zed@example.com,2026-11-21T12:00:00Z\n",
                )
            },
            requirement: "access.revoked_on_termination",
            outcome: NoEvidence,
            code: None,
            mentions: &[],
        },
        Case {
            name: "CSV column renamed in the export",
            mutate: |p| {
                p.write_evidence(
                    "jira/capa.csv",
                    &CAPA_CSV.replacen("Resolved\n", "Resolution date\n", 1),
                )
            },
            requirement: "capa.cycle_time",
            outcome: Error,
            code: Some("D404"),
            mentions: &["Resolved"],
        },
        Case {
            name: "JSON key renamed in the export",
            mutate: |p| {
                p.write_evidence(
                    "iam/okta-system-log.json",
                    &OKTA_JSON.replace("\"published\"", "\"published_at\""),
                )
            },
            requirement: "access.revoked_on_termination",
            outcome: Error,
            code: Some("D404"),
            mentions: &["published"],
        },
        Case {
            name: "JSON Lines key renamed in the export",
            mutate: |p| {
                p.write_evidence(
                    "lms/assignments.jsonl",
                    &TRAINING_JSONL.replace("\"completed\"", "\"done\""),
                )
            },
            requirement: "training.completion",
            outcome: Error,
            code: Some("D404"),
            mentions: &["completed"],
        },
        Case {
            name: "every value of a measured field empty",
            mutate: |p| {
                p.write_evidence(
                    "jira/capa.csv",
                    "Issue key,Status,Created,Resolved\nCAPA-1,Closed,2026-09-01T09:00:00Z,\nCAPA-2,Resolved,2026-10-01T09:00:00Z,\n",
                )
            },
            requirement: "capa.cycle_time",
            outcome: Fail,
            code: None,
            mentions: &["CAPA-1", "CAPA-2"],
        },
        Case {
            name: "every value of a filter field empty",
            mutate: |p| {
                p.write_evidence(
                    "hr/leavers.csv",
                    "Employee ID,Work Email,Termination Date\nE1,ann@example.com,\nE2,bob@example.com,\n",
                )
            },
            requirement: "access.revoked_on_termination",
            outcome: NoEvidence,
            code: None,
            mentions: &["every `terminated` value in the export `hr/leavers.csv` is empty"],
        },
        Case {
            // `where` keeps no record, so the count is 0: without the blind-filter rule
            // (docs/language.md, 4.9) the expect would pass on a broken export.
            name: "every value of a filter field empty under `count … == 0`",
            mutate: |p| {
                p.write_rules("count.rules", COUNT_REQUIREMENT);
                p.write_evidence(
                    "hr/leavers.csv",
                    "Employee ID,Work Email,Termination Date\nE1,ann@example.com,\nE2,bob@example.com,\n",
                )
            },
            requirement: "access.no_stale_leavers",
            outcome: NoEvidence,
            code: None,
            mentions: &["every `terminated` value in the export `hr/leavers.csv` is empty"],
        },
        Case {
            name: "every value of a filter field empty under `no`",
            mutate: |p| {
                p.write_rules("no.rules", NO_REQUIREMENT);
                p.write_evidence(
                    "hr/leavers.csv",
                    "Employee ID,Work Email,Termination Date\nE1,ann@example.com,\nE2,bob@example.com,\n",
                )
            },
            requirement: "access.no_recent_leavers",
            outcome: NoEvidence,
            code: None,
            mentions: &["every `terminated` value in the export `hr/leavers.csv` is empty"],
        },
        Case {
            name: "every value of a join field empty",
            mutate: |p| {
                p.write_evidence(
                    "hr/leavers.csv",
                    "Employee ID,Work Email,Termination Date\nE1,,2026-10-01T14:00:00Z\nE2,,2026-10-15T16:00:00Z\n",
                )
            },
            requirement: "access.revoked_on_termination",
            outcome: Fail,
            code: None,
            mentions: &["E1", "E2"],
        },
        Case {
            name: "every value of a grouped field empty",
            mutate: |p| {
                p.write_evidence(
                    "lms/assignments.jsonl",
                    "{\"user\": \"U1\", \"department\": \"Sales\", \"completed\": null}\n{\"user\": \"U2\", \"department\": \"IT\"}\n",
                )
            },
            requirement: "training.completion",
            outcome: Fail,
            code: None,
            mentions: &[],
        },
        Case {
            name: "every value of the group key empty",
            mutate: |p| {
                p.write_evidence(
                    "lms/assignments.jsonl",
                    "{\"user\": \"U1\", \"department\": null, \"completed\": true}\n{\"user\": \"U2\", \"department\": \"\", \"completed\": true}\n",
                )
            },
            requirement: "training.completion",
            outcome: NoEvidence,
            code: None,
            mentions: &[],
        },
        Case {
            name: "records without a group key next to records with one",
            mutate: |p| {
                p.write_evidence(
                    "lms/assignments.jsonl",
                    &format!("{TRAINING_JSONL}{{\"user\": \"U9\", \"completed\": false}}\n"),
                )
            },
            requirement: "training.completion",
            outcome: Fail,
            code: None,
            mentions: &[],
        },
        Case {
            name: "load error: 30 February",
            mutate: |p| {
                p.write_evidence(
                    "jira/capa.csv",
                    &CAPA_CSV.replace("2026-09-11T09:00:00Z", "2026-02-30T09:00:00Z"),
                )
            },
            requirement: "capa.cycle_time",
            outcome: Error,
            code: Some("D406"),
            mentions: &["2026-02-30"],
        },
        Case {
            name: "load error: a required value empty",
            mutate: |p| p.write_evidence("jira/capa.csv", &CAPA_CSV.replace("CAPA-2,Resolved", "CAPA-2,")),
            requirement: "capa.cycle_time",
            outcome: Error,
            code: Some("D407"),
            mentions: &[],
        },
        Case {
            name: "load error: truncated JSON",
            mutate: |p| p.write_evidence("iam/okta-system-log.json", &OKTA_JSON[..OKTA_JSON.len() / 2]),
            requirement: "access.revoked_on_termination",
            outcome: Error,
            code: Some("D410"),
            mentions: &[],
        },
        Case {
            name: "load error: a JSON object instead of an array",
            mutate: |p| p.write_evidence("iam/okta-system-log.json", "{\"error\": \"rate limited\"}"),
            requirement: "access.revoked_on_termination",
            outcome: Error,
            code: Some("D404"),
            mentions: &[],
        },
        Case {
            name: "load error: a broken JSON line",
            mutate: |p| {
                p.write_evidence(
                    "lms/assignments.jsonl",
                    &format!(
                        "{TRAINING_JSONL}{{\"user\": \"U4\", \"department\": \"IT\", \"completed\": tru\n"
                    ),
                )
            },
            requirement: "training.completion",
            outcome: Error,
            code: Some("D410"),
            mentions: &[],
        },
        Case {
            name: "load error: an export that is not text",
            mutate: |p| {
                fs::write(
                    p.evidence().join("iam/okta-system-log.json"),
                    [0x89u8, b'P', b'N', b'G', 0, 0, 0xff, 0xfe],
                )
                .unwrap()
            },
            requirement: "access.revoked_on_termination",
            outcome: Error,
            code: Some("D415"),
            mentions: &[],
        },
        Case {
            name: "stale evidence",
            mutate: |p| {
                p.write_rules(
                    "datasets.rules",
                    &DATASETS.replace(
                        "  source \"iam/okta-system-log.json\"\n",
                        "  source \"iam/okta-system-log.json\"\n  freshness at within 7d\n",
                    ),
                )
            },
            requirement: "access.revoked_on_termination",
            outcome: NoEvidence,
            code: Some("R502"),
            mentions: &["stale"],
        },
        Case {
            name: "a waiver for the wrong record",
            mutate: |p| {
                break_capa_2(p);
                p.write_rules(
                    "waivers.rules",
                    &WAIVER_CAPA_2.replace("\"CAPA-2\"", "\"CAPA-1\", \"CAPA-20\", \"capa-2\", \" CAPA-2\""),
                );
            },
            requirement: "capa.cycle_time",
            outcome: Fail,
            code: Some("R504"),
            mentions: &["CAPA-2"],
        },
        Case {
            name: "an expired waiver for the record",
            mutate: |p| {
                break_capa_2(p);
                p.write_rules(
                    "waivers.rules",
                    &WAIVER_CAPA_2.replace("2027-01-31", "2026-11-21"),
                );
            },
            requirement: "capa.cycle_time",
            outcome: Fail,
            code: Some("R503"),
            mentions: &["expired"],
        },
        Case {
            name: "an expired waiver for the whole requirement",
            mutate: |p| {
                break_capa_2(p);
                p.write_rules(
                    "waivers.rules",
                    &WHOLE_REQUIREMENT_WAIVER.replace("2027-01-31", "2026-01-31"),
                );
            },
            requirement: "capa.cycle_time",
            outcome: Fail,
            code: Some("R503"),
            mentions: &["expired"],
        },
        Case {
            name: "a whole-requirement waiver over a missing file",
            mutate: |p| {
                p.remove_evidence("jira/capa.csv");
                p.write_rules("waivers.rules", WHOLE_REQUIREMENT_WAIVER);
            },
            requirement: "capa.cycle_time",
            outcome: Error,
            code: Some("D401"),
            mentions: &[],
        },
        Case {
            name: "a whole-requirement waiver over a header-only file",
            mutate: |p| {
                p.write_evidence("jira/capa.csv", "Issue key,Status,Created,Resolved\n");
                p.write_rules("waivers.rules", WHOLE_REQUIREMENT_WAIVER);
            },
            requirement: "capa.cycle_time",
            outcome: NoEvidence,
            code: None,
            mentions: &[],
        },
    ]
}

/// The diagnostic codes a run reports for a requirement: those in its errors, and those of
/// the run's warnings.
fn codes(json: &serde_json::Value, id: &str) -> Vec<String> {
    let r = json["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("`{id}` not in the report"));
    let mut out = Vec::new();
    for e in r["errors"].as_array().into_iter().flatten() {
        let text = e.as_str().unwrap_or_default();
        let bytes = text.as_bytes();
        for i in 0..bytes.len().saturating_sub(3) {
            if matches!(bytes[i], b'D' | b'R')
                && bytes[i + 1..i + 4].iter().all(u8::is_ascii_digit)
                && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            {
                out.push(text[i..i + 4].to_string());
            }
        }
    }
    for w in json["warnings"].as_array().into_iter().flatten() {
        if let Some(code) = w["code"].as_str() {
            out.push(code.to_string());
        }
    }
    out
}

/// The fail-closed matrix: every case through the library and the binary, the exact
/// outcome and code asserted, the whole table printed (`cargo test -- --nocapture`).
#[test]
fn fail_closed_matrix() {
    let cases = matrix();
    let mut rows = Vec::new();
    let mut wrong = Vec::new();
    for case in &cases {
        let p = Project::healthy();
        (case.mutate)(&p);
        let (outcomes, verdict) = p.run_library();
        let library = library_outcome(&outcomes, case.requirement);
        let (exit, json) = p.run_binary();
        let binary = binary_outcome(&json, case.requirement);
        let found = codes(&json, case.requirement);
        let code_ok = match case.code {
            Some(c) => found.iter().any(|f| f == c),
            None => found.iter().all(|f| f.starts_with("R50") && f != "R501"),
        };
        let text = json.to_string();
        let missing: Vec<&str> = case
            .mentions
            .iter()
            .copied()
            .filter(|m| !text.contains(m))
            .collect();
        let ok = library == case.outcome
            && binary == expected_label(case.outcome)
            && verdict == Some(Verdict::NotReady)
            && exit != 0
            && code_ok
            && missing.is_empty();
        rows.push(format!(
            "{} {:<58} {:<32} {:<12} {:<5} | library {:<12} binary {:<12} exit {exit} codes {}{}",
            if ok { "ok " } else { "BAD" },
            case.name,
            case.requirement,
            expected_label(case.outcome),
            case.code.unwrap_or("-"),
            expected_label(library),
            binary,
            if found.is_empty() {
                "-".to_string()
            } else {
                found.join(",")
            },
            if missing.is_empty() {
                String::new()
            } else {
                format!(" missing {missing:?}")
            },
        ));
        if !ok {
            wrong.push(case.name);
        }
    }
    println!(
        "    {:<58} {:<32} {:<12} {:<5} | what the run gave\n{}",
        "case",
        "requirement",
        "outcome",
        "code",
        rows.join("\n")
    );
    assert!(
        wrong.is_empty(),
        "cases not as the matrix says: {wrong:?}\n{}",
        rows.join("\n")
    );
    assert!(cases.len() >= 30);
}

/// A failing project: CAPA-2 took 40 days.
fn failing_capa() -> Project {
    let p = Project::healthy();
    p.write_evidence(
        "jira/capa.csv",
        &CAPA_CSV.replace("2026-10-05T09:00:00Z", "2026-11-10T09:00:00Z"),
    );
    p
}

#[test]
fn control_a_waiver_for_the_failing_record_waives_it() {
    let p = failing_capa();
    assert_fails_closed(&p, "capa.cycle_time", Outcome::Fail);
    p.write_rules(
        "waivers.rules",
        r#"
waiver W-1 {
  requirement capa.cycle_time
  records     "CAPA-2"
  reason      "Supplier fix"
  approved_by "Managing director"
  expires     2027-01-31
}
"#,
    );
    let (outcomes, _) = p.run_library();
    assert_eq!(library_outcome(&outcomes, "capa.cycle_time"), Outcome::Waived);
    assert_eq!(p.run_binary().0, 0, "a waived failure does not fail the gate");
}

#[test]
fn a_waived_failure_does_not_hide_missing_evidence_in_another_expect() {
    // Two expects: the first fails only for a waived record, the second has nothing to
    // judge. A waiver answers for the failure it names, not for the missing evidence.
    for waiver in [
        "records \"CAPA-2\"",
        "", // whole requirement
    ] {
        let p = failing_capa();
        p.write_rules(
            "requirements.rules",
            &REQUIREMENTS.replace(
                "               c.resolved - c.created < 30d\n",
                "               c.resolved - c.created < 30d\n  expect   all c in capa where c.status == \"Rejected\": c.resolved is not none\n",
            ),
        );
        p.write_rules(
            "waivers.rules",
            &format!(
                r#"
waiver W-1 {{
  requirement capa.cycle_time
  {waiver}
  reason      "Supplier fix"
  approved_by "Managing director"
  expires     2027-01-31
}}
"#
            ),
        );
        assert_fails_closed(&p, "capa.cycle_time", Outcome::NoEvidence);
    }
}

#[test]
fn an_evidence_path_that_escapes_is_an_error() {
    for source in [
        "../outside.csv",
        "/etc/passwd",
        "jira/../../outside.csv",
        "jira\\..\\..\\outside.csv",
        "C:/outside.csv",
    ] {
        let p = Project::healthy();
        fs::write(p.dir.path().join("outside.csv"), CAPA_CSV).unwrap();
        p.write_rules(
            "datasets.rules",
            &DATASETS.replace("\"jira/capa.csv\"", &format!("{source:?}")),
        );
        assert_fails_closed(&p, "capa.cycle_time", Outcome::Error);
    }
}

#[test]
fn an_empty_evidence_path_is_a_rule_error() {
    let p = Project::healthy();
    p.write_rules("datasets.rules", &DATASETS.replace("\"jira/capa.csv\"", "\"\""));
    let out = Command::new(env!("CARGO_BIN_EXE_auditready"))
        .arg("run")
        .arg("--rules")
        .arg(p.rules())
        .arg("--evidence")
        .arg(p.evidence())
        .args(["--as-of", AS_OF])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("C115"));
}

#[cfg(unix)]
#[test]
fn an_evidence_symlink_that_escapes_is_an_error() {
    let p = Project::healthy();
    let outside = p.dir.path().join("outside.csv");
    fs::write(&outside, CAPA_CSV).unwrap();
    p.remove_evidence("jira/capa.csv");
    std::os::unix::fs::symlink(&outside, p.evidence().join("jira/capa.csv")).unwrap();
    let json = assert_fails_closed(&p, "capa.cycle_time", Outcome::Error);
    assert!(
        json.to_string().contains("outside the evidence directory"),
        "{json}"
    );
}

#[cfg(unix)]
#[test]
fn an_evidence_symlink_inside_the_directory_is_followed() {
    let p = Project::healthy();
    fs::rename(
        p.evidence().join("jira/capa.csv"),
        p.evidence().join("jira/capa-2026-11.csv"),
    )
    .unwrap();
    std::os::unix::fs::symlink("capa-2026-11.csv", p.evidence().join("jira/capa.csv")).unwrap();
    let (outcomes, _) = p.run_library();
    assert_eq!(library_outcome(&outcomes, "capa.cycle_time"), Outcome::Pass);
}

#[test]
fn a_missing_evidence_directory_is_a_configuration_error() {
    let p = Project::healthy();
    fs::remove_dir_all(p.evidence()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_auditready"))
        .arg("run")
        .arg("--rules")
        .arg(p.rules())
        .arg("--evidence")
        .arg(p.evidence())
        .args(["--as-of", AS_OF])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

/// The other side of the blind-filter rule: a filter written to test for emptiness
/// (`is none`) is answered by a column empty in every record (everyone still employed),
/// so the requirement is judged, not turned into `no evidence`.
#[test]
fn control_a_filter_that_tests_for_emptiness_is_judged_on_an_empty_column() {
    let p = Project::healthy();
    p.write_rules(
        "employed.rules",
        r#"
requirement access.all_employed {
  title    "Every listed person is still employed"
  clauses  iso27001:A.5.18
  severity major
  expect   (count l in leavers where l.terminated is none) == 2
}
"#,
    );
    p.write_evidence(
        "hr/leavers.csv",
        "Employee ID,Work Email,Termination Date\nE1,ann@example.com,\nE2,bob@example.com,\n",
    );
    let (outcomes, _) = p.run_library();
    assert_eq!(library_outcome(&outcomes, "access.all_employed"), Outcome::Pass);
}
