//! The command line as a CI pipeline sees it: exit codes, formats, determinism.

// Test helpers outside #[test] functions may fail loudly: a failure is the test failing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/project")
}

fn auditready(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditready"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run auditready")
}

fn run(extra: &[&str]) -> Output {
    let rules = project().join("rules");
    let evidence = project().join("evidence");
    let mut args = vec![
        "run",
        "--rules",
        rules.to_str().expect("utf-8 path"),
        "--evidence",
        evidence.to_str().expect("utf-8 path"),
        "--as-of",
        "2026-11-22",
    ];
    args.extend_from_slice(extra);
    auditready(&args)
}

#[test]
fn a_failing_major_requirement_fails_the_gate() {
    let out = run(&[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("CAPA-2 jira/capa.csv:3"), "{text}");
}

#[test]
fn fail_on_never_makes_a_report_not_a_gate() {
    assert_eq!(run(&["--fail-on", "never"]).status.code(), Some(0));
}

#[test]
fn scoping_to_a_standard_without_failures_passes() {
    // hr.leavers_recorded (27001 only) passes; capa.cycle_time serves 27001 too.
    let out = run(&["--standard", "iso27001", "--param", "capa_cycle_max=60d"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["--standard", "iso2700"]).status.code(), Some(2));
    assert_eq!(run(&["--param", "capa_cycle_max=30"]).status.code(), Some(2));
    assert_eq!(run(&["--param", "nonexistent=30d"]).status.code(), Some(2));
    assert_eq!(run(&["--as-of", "2026-02-30"]).status.code(), Some(2));
}

#[test]
fn a_missing_evidence_directory_is_a_configuration_error() {
    let rules = project().join("rules");
    let out = auditready(&[
        "run",
        "--rules",
        rules.to_str().expect("path"),
        "--evidence",
        "/nonexistent/exports",
    ]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(
        "D400_missing_evidence_directory",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn reports_are_byte_identical_for_any_number_of_jobs() {
    let one = run(&["--format", "json", "--jobs", "1"]);
    let two = run(&["--format", "json", "--jobs", "2"]);
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
    let text_one = run(&["--jobs", "1"]);
    let text_two = run(&["--jobs", "2"]);
    assert_eq!(text_one.stdout, text_two.stdout);
}

#[test]
fn the_json_report_is_versioned_and_cites_records() {
    let out = run(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["schema_version"], "2.0");
    assert_eq!(json["as_of"], "2026-11-22T00:00:00Z");
    let findings = &json["requirements"][0]["findings"];
    assert_eq!(findings[0]["key"], "CAPA-2");
    assert_eq!(findings[0]["line"], 3);
}

#[test]
fn output_files_are_written_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.json");
    let out = run(&[
        "--format",
        "json",
        "--output",
        path.to_str().expect("path"),
        "--fail-on",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read(&path).expect("report written");
    assert!(serde_json::from_slice::<serde_json::Value>(&written).is_ok());
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        1,
        "no temporary file left behind"
    );
}

#[test]
fn check_exits_0_on_clean_rules_and_2_on_errors() {
    let rules = project().join("rules");
    assert_eq!(
        auditready(&["check", "--rules", rules.to_str().expect("path")])
            .status
            .code(),
        Some(0)
    );
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check");
    let out = auditready(&[
        "check",
        "--rules",
        bad.to_str().expect("path"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json diagnostics");
    let first = &json[0];
    for key in ["file", "line", "column", "code", "severity", "message"] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn rule_tests_run_and_summarise() {
    let rules = project().join("rules");
    let out = auditready(&["test", "--rules", rules.to_str().expect("path")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.trim_end().ends_with("2 passed, 0 failed"), "{text}");
}

#[test]
fn explain_code_prints_the_registry_entry() {
    let out = auditready(&["explain-code", "c105"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("C105 — unknown clause"));
    assert_eq!(auditready(&["explain-code", "X999"]).status.code(), Some(2));
}

fn project_args<'a>(command: &'a str, rules: &'a str, evidence: &'a str) -> Vec<&'a str> {
    vec![command, "--rules", rules, "--evidence", evidence]
}

#[test]
fn explain_shows_the_evaluation_and_one_record() {
    let rules = project().join("rules");
    let evidence = project().join("evidence");
    let (rules, evidence) = (rules.to_str().expect("path"), evidence.to_str().expect("path"));
    let mut args = vec![
        "explain",
        "capa.cycle_time",
        "--record",
        "CAPA-2",
        "--as-of",
        "2026-11-22",
    ];
    args.extend(["--rules", rules, "--evidence", evidence]);
    let out = auditready(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("explain_capa_cycle_time", String::from_utf8_lossy(&out.stdout));
    let mut args = vec!["explain", "capa.cycle_tme"];
    args.extend(["--rules", rules, "--evidence", evidence]);
    let out = auditready(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `capa.cycle_time`?"));
}

#[test]
fn datasets_lists_what_to_export_and_fails_when_an_export_is_missing() {
    let rules = project().join("rules");
    let evidence = project().join("evidence");
    let out = auditready(&project_args(
        "datasets",
        rules.to_str().expect("path"),
        evidence.to_str().expect("path"),
    ));
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("datasets_fixture_project", String::from_utf8_lossy(&out.stdout));
    let empty = tempfile::tempdir().expect("tempdir");
    let out = auditready(&project_args(
        "datasets",
        rules.to_str().expect("path"),
        empty.path().to_str().expect("path"),
    ));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("MISSING"));
}

#[test]
fn coverage_lists_every_clause() {
    let rules = project().join("rules");
    let evidence = project().join("evidence");
    let mut args = project_args(
        "coverage",
        rules.to_str().expect("path"),
        evidence.to_str().expect("path"),
    );
    args.extend(["--as-of", "2026-11-22", "--format", "json"]);
    let out = auditready(&args);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // Standards are listed by number: ISO 9001 before ISO/IEC 27001.
    assert_eq!(json[0]["id"], "iso9001");
    assert_eq!(json[1]["id"], "iso27001");
    assert_eq!(json[1]["coverage"]["clauses"]["total"], 2);
    assert_eq!(json[1]["coverage"]["items"][2]["coverage"], "automated");
}

#[test]
fn init_creates_a_project_that_checks_tests_and_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("compliance");
    let out = auditready(&["init", project.to_str().expect("path")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let in_project = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_auditready"))
            .args(args)
            .current_dir(&project)
            .env("NO_COLOR", "1")
            .output()
            .expect("run auditready")
    };
    let check = in_project(&["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stderr).contains("0 errors, 0 warnings"));
    let test = in_project(&["test"]);
    assert_eq!(
        test.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&test.stdout)
    );
    assert!(
        String::from_utf8_lossy(&test.stdout)
            .trim_end()
            .ends_with("2 passed, 0 failed")
    );
    let run = in_project(&["run"]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert_eq!(in_project(&["fmt", "--check"]).status.code(), Some(0));
    // A second init refuses to overwrite.
    assert_eq!(
        auditready(&["init", project.to_str().expect("path")])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_project_layers_on_a_library_without_copying_it() {
    let library = project().join("rules");
    let company = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layered/rules");
    let evidence = project().join("evidence");
    let out = auditready(&[
        "run",
        "--rules",
        library.to_str().expect("path"),
        "--rules",
        company.to_str().expect("path"),
        "--evidence",
        evidence.to_str().expect("path"),
        "--as-of",
        "2026-11-22",
        "--format",
        "json",
    ]);
    // capa.cycle_time passes with the 60-day override; hr.leavers_recorded is disabled.
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = json["requirements"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["capa.cycle_time", "capa.has_status"]);
    assert_eq!(json["disabled"][0]["id"], "hr.leavers_recorded");
    assert!(json["rules"].as_array().expect("array").iter().any(|f| {
        f["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("layered/rules/company.rules"))
    }));
}
