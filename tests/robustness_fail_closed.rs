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

#[test]
fn missing_file() {
    let p = Project::healthy();
    p.remove_evidence("jira/capa.csv");
    let json = assert_fails_closed(&p, "capa.cycle_time", Outcome::Error);
    assert!(json.to_string().contains("jira/capa.csv"));
}

#[test]
fn missing_json_file() {
    let p = Project::healthy();
    p.remove_evidence("iam/okta-system-log.json");
    assert_fails_closed(&p, "access.revoked_on_termination", Outcome::Error);
}

#[test]
fn empty_file() {
    let p = Project::healthy();
    p.write_evidence("jira/capa.csv", "");
    let (outcomes, _) = p.run_library();
    let o = library_outcome(&outcomes, "capa.cycle_time");
    assert!(matches!(o, Outcome::Error | Outcome::NoEvidence), "{o:?}");
    assert_fails_closed(&p, "capa.cycle_time", o);
}

#[test]
fn empty_json_array_and_empty_json_lines() {
    let p = Project::healthy();
    p.write_evidence("iam/okta-system-log.json", "[]");
    assert_fails_closed(&p, "access.revoked_on_termination", Outcome::NoEvidence);
    let p = Project::healthy();
    p.write_evidence("lms/assignments.jsonl", "");
    assert_fails_closed(&p, "training.completion", Outcome::NoEvidence);
    let p = Project::healthy();
    p.write_evidence("lms/assignments.jsonl", "\n\n   \n");
    assert_fails_closed(&p, "training.completion", Outcome::NoEvidence);
}

#[test]
fn whitespace_or_bom_only_file() {
    for text in ["\n\n", "   \r\n", "\u{feff}"] {
        let p = Project::healthy();
        p.write_evidence("jira/capa.csv", text);
        let (outcomes, _) = p.run_library();
        let o = library_outcome(&outcomes, "capa.cycle_time");
        assert!(
            matches!(o, Outcome::Error | Outcome::NoEvidence),
            "{text:?}: {o:?}"
        );
        assert_fails_closed(&p, "capa.cycle_time", o);
    }
}

#[test]
fn header_only_file() {
    let p = Project::healthy();
    p.write_evidence("jira/capa.csv", "Issue key,Status,Created,Resolved\n");
    let json = assert_fails_closed(&p, "capa.cycle_time", Outcome::NoEvidence);
    assert!(json.to_string().contains("holds no records"), "{json}");
}

#[test]
fn header_only_file_with_empty_rows() {
    let p = Project::healthy();
    p.write_evidence("jira/capa.csv", "Issue key,Status,Created,Resolved\n,,,\n,,,\n");
    let (outcomes, _) = p.run_library();
    let o = library_outcome(&outcomes, "capa.cycle_time");
    assert_fails_closed(&p, "capa.cycle_time", o);
}

#[test]
fn all_rows_filtered_out() {
    // Every corrective action is still open: nothing closed to measure.
    let p = Project::healthy();
    p.write_evidence(
        "jira/capa.csv",
        "Issue key,Status,Created,Resolved\nCAPA-1,Open,2026-09-01T09:00:00Z,\nCAPA-2,In Progress,2026-10-01T09:00:00Z,\n",
    );
    assert_fails_closed(&p, "capa.cycle_time", Outcome::NoEvidence);
}

#[test]
fn all_leavers_too_recent_to_judge() {
    // The only leaver left yesterday: the 24-hour window has not closed yet.
    let p = Project::healthy();
    p.write_evidence(
        "hr/leavers.csv",
        "Employee ID,Work Email,Termination Date\nE9,zed@example.com,2026-11-21T12:00:00Z\n",
    );
    assert_fails_closed(&p, "access.revoked_on_termination", Outcome::NoEvidence);
}

#[test]
fn column_renamed_in_the_export() {
    let p = Project::healthy();
    p.write_evidence(
        "jira/capa.csv",
        &CAPA_CSV.replacen("Resolved\n", "Resolution date\n", 1),
    );
    let json = assert_fails_closed(&p, "capa.cycle_time", Outcome::Error);
    assert!(json.to_string().contains("Resolved"), "names the missing column");
}

#[test]
fn json_key_renamed_in_the_export() {
    let p = Project::healthy();
    p.write_evidence(
        "iam/okta-system-log.json",
        &OKTA_JSON.replace("\"published\"", "\"published_at\""),
    );
    // A key absent from every record is either refused or every value is none; either
    // way the join cannot prove a revocation.
    let (outcomes, _) = p.run_library();
    let o = library_outcome(&outcomes, "access.revoked_on_termination");
    assert_fails_closed(&p, "access.revoked_on_termination", o);
}

#[test]
fn json_lines_key_renamed_in_the_export() {
    let p = Project::healthy();
    p.write_evidence(
        "lms/assignments.jsonl",
        &TRAINING_JSONL.replace("\"completed\"", "\"done\""),
    );
    let (outcomes, _) = p.run_library();
    let o = library_outcome(&outcomes, "training.completion");
    assert_fails_closed(&p, "training.completion", o);
}

#[test]
fn every_value_of_a_measured_field_empty() {
    // Closed, but the export lost every resolution date.
    let p = Project::healthy();
    p.write_evidence(
        "jira/capa.csv",
        "Issue key,Status,Created,Resolved\nCAPA-1,Closed,2026-09-01T09:00:00Z,\nCAPA-2,Resolved,2026-10-01T09:00:00Z,\n",
    );
    let json = assert_fails_closed(&p, "capa.cycle_time", Outcome::Fail);
    assert!(json.to_string().contains("CAPA-1"), "cites the records");
}

#[test]
fn every_value_of_a_filter_field_empty() {
    // Every termination date is empty: no leaver can be judged.
    let p = Project::healthy();
    p.write_evidence(
        "hr/leavers.csv",
        "Employee ID,Work Email,Termination Date\nE1,ann@example.com,\nE2,bob@example.com,\n",
    );
    assert_fails_closed(&p, "access.revoked_on_termination", Outcome::NoEvidence);
}

#[test]
fn every_value_of_a_join_field_empty() {
    // The export lost every work e-mail: no revocation can be matched to a leaver.
    let p = Project::healthy();
    p.write_evidence(
        "hr/leavers.csv",
        "Employee ID,Work Email,Termination Date\nE1,,2026-10-01T14:00:00Z\nE2,,2026-10-15T16:00:00Z\n",
    );
    assert_fails_closed(&p, "access.revoked_on_termination", Outcome::Fail);
}

#[test]
fn every_value_of_a_grouped_field_empty() {
    let p = Project::healthy();
    p.write_evidence(
        "lms/assignments.jsonl",
        "{\"user\": \"U1\", \"department\": \"Sales\", \"completed\": null}\n{\"user\": \"U2\", \"department\": \"IT\"}\n",
    );
    let (outcomes, _) = p.run_library();
    let o = library_outcome(&outcomes, "training.completion");
    assert_fails_closed(&p, "training.completion", o);
}

#[test]
fn every_value_of_the_group_key_empty() {
    // The export lost every department: "95 % in every department" cannot be shown, even
    // though the records, taken together, complete.
    let p = Project::healthy();
    p.write_evidence(
        "lms/assignments.jsonl",
        "{\"user\": \"U1\", \"department\": null, \"completed\": true}\n{\"user\": \"U2\", \"department\": \"\", \"completed\": true}\n",
    );
    assert_fails_closed(&p, "training.completion", Outcome::NoEvidence);
    // Records without a department next to records with one are their own group.
    let p = Project::healthy();
    p.write_evidence(
        "lms/assignments.jsonl",
        &format!("{TRAINING_JSONL}{{\"user\": \"U9\", \"completed\": false}}\n"),
    );
    assert_fails_closed(&p, "training.completion", Outcome::Fail);
}

#[test]
fn a_dataset_whose_load_errored() {
    // 30 February: the whole export is refused, not the one row skipped.
    let p = Project::healthy();
    p.write_evidence(
        "jira/capa.csv",
        &CAPA_CSV.replace("2026-09-11T09:00:00Z", "2026-02-30T09:00:00Z"),
    );
    let json = assert_fails_closed(&p, "capa.cycle_time", Outcome::Error);
    assert!(json.to_string().contains("2026-02-30"), "names the value");
}

#[test]
fn a_required_value_missing_is_a_load_error() {
    let p = Project::healthy();
    p.write_evidence("jira/capa.csv", &CAPA_CSV.replace("CAPA-2,Resolved", "CAPA-2,"));
    assert_fails_closed(&p, "capa.cycle_time", Outcome::Error);
}

#[test]
fn truncated_json_is_a_load_error() {
    let p = Project::healthy();
    let cut = &OKTA_JSON[..OKTA_JSON.len() / 2];
    p.write_evidence("iam/okta-system-log.json", cut);
    assert_fails_closed(&p, "access.revoked_on_termination", Outcome::Error);
}

#[test]
fn a_json_object_instead_of_an_array_is_a_load_error() {
    let p = Project::healthy();
    p.write_evidence("iam/okta-system-log.json", "{\"error\": \"rate limited\"}");
    assert_fails_closed(&p, "access.revoked_on_termination", Outcome::Error);
}

#[test]
fn a_broken_json_line_is_a_load_error() {
    let p = Project::healthy();
    p.write_evidence(
        "lms/assignments.jsonl",
        &format!("{TRAINING_JSONL}{{\"user\": \"U4\", \"department\": \"IT\", \"completed\": tru\n"),
    );
    assert_fails_closed(&p, "training.completion", Outcome::Error);
}

#[test]
fn a_directory_where_the_export_should_be() {
    let p = Project::healthy();
    p.remove_evidence("jira/capa.csv");
    fs::create_dir_all(p.evidence().join("jira/capa.csv")).unwrap();
    assert_fails_closed(&p, "capa.cycle_time", Outcome::Error);
}

#[test]
fn an_export_that_is_not_text() {
    let p = Project::healthy();
    fs::write(
        p.evidence().join("iam/okta-system-log.json"),
        [0x89u8, b'P', b'N', b'G', 0, 0, 0xff, 0xfe],
    )
    .unwrap();
    assert_fails_closed(&p, "access.revoked_on_termination", Outcome::Error);
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
fn a_waiver_for_the_wrong_record() {
    let p = failing_capa();
    p.write_rules(
        "waivers.rules",
        r#"
waiver W-1 {
  requirement capa.cycle_time
  records     "CAPA-1", "CAPA-20", "capa-2", " CAPA-2"
  reason      "Supplier fix"
  approved_by "Managing director"
  expires     2027-01-31
}
"#,
    );
    let json = assert_fails_closed(&p, "capa.cycle_time", Outcome::Fail);
    assert!(json.to_string().contains("CAPA-2"));
}

#[test]
fn an_expired_waiver() {
    let p = failing_capa();
    p.write_rules(
        "waivers.rules",
        r#"
waiver W-1 {
  requirement capa.cycle_time
  records     "CAPA-2"
  reason      "Supplier fix"
  approved_by "Managing director"
  expires     2026-11-21
}
waiver W-2 {
  requirement capa.cycle_time
  reason      "Whole requirement, also expired"
  approved_by "Managing director"
  expires     2026-01-31
}
"#,
    );
    let json = assert_fails_closed(&p, "capa.cycle_time", Outcome::Fail);
    let waivers = json["waivers"].to_string();
    assert!(waivers.contains("expired"), "{waivers}");
}

#[test]
fn a_waiver_does_not_cover_missing_evidence() {
    let p = Project::healthy();
    p.remove_evidence("jira/capa.csv");
    p.write_rules(
        "waivers.rules",
        r#"
waiver W-1 {
  requirement capa.cycle_time
  reason      "Whole requirement"
  approved_by "Managing director"
  expires     2027-01-31
}
"#,
    );
    assert_fails_closed(&p, "capa.cycle_time", Outcome::Error);
    let p = Project::healthy();
    p.write_evidence("jira/capa.csv", "Issue key,Status,Created,Resolved\n");
    p.write_rules(
        "waivers.rules",
        r#"
waiver W-1 {
  requirement capa.cycle_time
  reason      "Whole requirement"
  approved_by "Managing director"
  expires     2027-01-31
}
"#,
    );
    assert_fails_closed(&p, "capa.cycle_time", Outcome::NoEvidence);
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
