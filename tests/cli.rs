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

// ------------------------------------------------------------------ gate and coverage

/// Writes a rule project into a temporary directory (the fixture project's datasets plus
/// the given rules) and returns it; evidence is the fixture project's.
fn scratch_project(rules: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules_dir = dir.path().join("rules");
    std::fs::create_dir_all(&rules_dir).expect("mkdir");
    std::fs::copy(
        project().join("rules/datasets.rules"),
        rules_dir.join("datasets.rules"),
    )
    .expect("copy datasets");
    std::fs::write(rules_dir.join("project.rules"), rules).expect("write rules");
    dir
}

/// `auditready run` on a scratch project as of 2026-11-22.
fn run_scratch(dir: &Path, extra: &[&str]) -> Output {
    let rules = dir.join("rules");
    let evidence = project().join("evidence");
    let mut args = vec![
        "run",
        "--rules",
        rules.to_str().expect("path"),
        "--evidence",
        evidence.to_str().expect("path"),
        "--as-of",
        "2026-11-22",
    ];
    args.extend_from_slice(extra);
    auditready(&args)
}

/// Two standards; ISO 9001 clause 4.1 has no requirement, only what `attestation` adds.
fn coverage_project(attestation: &str) -> tempfile::TempDir {
    scratch_project(&format!(
        r#"
standard iso27001 "ISO/IEC 27001:2022" {{
  clause "10.2" "Nonconformity and corrective action"
}}
standard iso9001 "ISO 9001:2015" {{
  clause "4.1"  "Understanding the organization and its context"
  clause "10.2" "Nonconformity and corrective action"
}}
requirement capa.cycle_time {{
  title    "Corrective actions are closed in under 60 days"
  clauses  iso9001:10.2, iso27001:10.2
  severity major
  expect   all c in capa where c.status in ["Resolved", "Closed"]: c.resolved - c.created < 60d
}}
{attestation}
"#
    ))
}

fn attestation(attested_on: &str, expires: &str) -> String {
    format!(
        r#"
attestation ATT-1 {{
  clauses     iso9001:4.1
  attested_by "Quality manager"
  attested_on {attested_on}
  document    "QMS-MAN-001"
  expires     {expires}
}}
"#
    )
}

fn code_and_stderr(out: &Output) -> (Option<i32>, String) {
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn require_coverage_fails_on_an_uncovered_clause_whatever_fail_on_says() {
    let dir = coverage_project("");
    for fail_on in ["major", "never"] {
        let (code, stderr) = code_and_stderr(&run_scratch(
            dir.path(),
            &["--fail-on", fail_on, "--require-coverage"],
        ));
        assert_eq!(code, Some(1), "--fail-on {fail_on}: {stderr}");
        assert!(
            stderr.contains(
                "coverage: 1 clause without a requirement or an unexpired attestation: iso9001:4.1"
            ),
            "{stderr}"
        );
    }
    // Without the flag the same run is ready.
    let (code, stderr) = code_and_stderr(&run_scratch(dir.path(), &[]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("coverage:"), "{stderr}");
}

#[test]
fn require_coverage_passes_when_an_attestation_covers_the_clause() {
    let dir = coverage_project(&attestation("2026-06-01", "2027-06-01"));
    let (code, stderr) = code_and_stderr(&run_scratch(dir.path(), &["--require-coverage"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("coverage:"), "{stderr}");
}

#[test]
fn an_expired_or_future_attestation_leaves_the_clause_uncovered() {
    for (attested_on, expires, warning) in [
        ("2025-06-01", "2026-06-30", "R505"),
        // Made after the as-of date: on 2026-11-22 it did not exist yet.
        ("2026-12-01", "2027-12-01", "R506"),
    ] {
        let dir = coverage_project(&attestation(attested_on, expires));
        let (code, stderr) = code_and_stderr(&run_scratch(
            dir.path(),
            &["--require-coverage", "--fail-on", "never"],
        ));
        assert_eq!(code, Some(1), "{attested_on}..{expires}: {stderr}");
        assert!(stderr.contains("iso9001:4.1"), "{stderr}");
        let json = run_scratch(dir.path(), &["--format", "json"]);
        let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
        assert_eq!(report["attestations"][0]["valid"], false, "{attested_on}");
        let codes: Vec<&str> = report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .filter_map(|w| w["code"].as_str())
            .collect();
        assert!(codes.contains(&warning), "{codes:?}");
    }
}

#[test]
fn require_coverage_only_counts_the_standards_in_scope() {
    let dir = coverage_project("");
    let (code, stderr) = code_and_stderr(&run_scratch(
        dir.path(),
        &["--require-coverage", "--standard", "iso27001"],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = code_and_stderr(&run_scratch(
        dir.path(),
        &["--require-coverage", "--standard", "iso9001"],
    ));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("iso9001:4.1"), "{stderr}");
}

#[test]
fn an_attestation_that_expires_before_it_is_made_is_a_check_error() {
    let dir = coverage_project(&attestation("2026-06-01", "2025-06-01"));
    let rules = dir.path().join("rules");
    let out = auditready(&["check", "--rules", rules.to_str().expect("path")]);
    let (code, stderr) = code_and_stderr(&out);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("C117"), "{stderr}");
}

/// `r.minor` fails (minor) and serves `a`; `r.observation` fails (observation) and serves
/// `b`; `r.major` passes and serves both; `empty` has no requirement.
fn gate_project() -> tempfile::TempDir {
    scratch_project(
        r#"
standard a "Standard A" { clause "10.2" "Corrective action" }
standard b "Standard B" { clause "10.2" "Corrective action" }
standard empty "Standard without requirements" { clause "10.2" "Corrective action" }
requirement r.major {
  title    "Closed within 60 days"
  clauses  a:10.2, b:10.2
  severity major
  expect   all c in capa where c.status in ["Resolved", "Closed"]: c.resolved - c.created < 60d
}
requirement r.minor {
  title    "Everything is closed"
  clauses  a:10.2
  severity minor
  expect   all c in capa: c.status == "Closed"
}
requirement r.observation {
  title    "Closed within 30 days"
  clauses  b:10.2
  severity observation
  expect   all c in capa where c.status in ["Resolved", "Closed"]: c.resolved - c.created < 30d
}
"#,
    )
}

#[test]
fn every_fail_on_level_gates_as_documented() {
    let dir = gate_project();
    // (standards, [major, minor, observation, never])
    let table: [(&[&str], [i32; 4]); 2] = [
        (&["--standard", "a", "--standard", "b"], [0, 1, 1, 0]),
        (&["--standard", "b"], [0, 0, 1, 0]),
    ];
    for (standards, expected) in table {
        for (level, want) in ["major", "minor", "observation", "never"]
            .into_iter()
            .zip(expected)
        {
            let mut args = standards.to_vec();
            args.extend(["--fail-on", level]);
            let (code, stderr) = code_and_stderr(&run_scratch(dir.path(), &args));
            assert_eq!(code, Some(want), "{standards:?} --fail-on {level}: {stderr}");
            // The line that says why appears exactly when the gate fails.
            assert_eq!(stderr.contains("gate: not ready"), want == 1, "{stderr}");
        }
    }
}

#[test]
fn a_failing_gate_names_the_level_and_the_requirements() {
    let dir = gate_project();
    let out = run_scratch(
        dir.path(),
        &["--standard", "a", "--standard", "b", "--fail-on", "observation"],
    );
    let (code, stderr) = code_and_stderr(&out);
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr.trim_end(),
        "gate: not ready at --fail-on observation: r.minor (minor fail), r.observation (observation fail)"
    );
    // The report can read "ready with observations" while the gate says no: the line
    // above is the explanation.
    assert!(String::from_utf8_lossy(&out.stdout).contains("ready with observations"));
    let (_, stderr) = code_and_stderr(&run_scratch(
        dir.path(),
        &["--standard", "a", "--fail-on", "minor"],
    ));
    assert_eq!(
        stderr.trim_end(),
        "gate: not ready at --fail-on minor: r.minor (minor fail)"
    );
}

#[test]
fn junit_fails_a_standard_without_requirements() {
    let dir = gate_project();
    let out = run_scratch(dir.path(), &["--format", "junit", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0));
    let xml = String::from_utf8(out.stdout).expect("utf-8");
    let suite = xml
        .split("<testsuite ")
        .find(|s| s.contains("package=\"empty\""))
        .expect("a suite for the empty standard");
    assert!(suite.contains("tests=\"1\" failures=\"1\""), "{suite}");
    assert!(
        suite.contains("<testcase name=\"readiness verdict\" classname=\"empty\""),
        "{suite}"
    );
    assert!(suite.contains("<failure type=\"not ready\""), "{suite}");
    // Suites whose cases already fail get no extra case.
    assert_eq!(xml.matches("readiness verdict").count(), 1, "{xml}");
    // Still valid JUnit, where the schema and xmllint are at hand.
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/JUnit.xsd");
    if !xsd.is_file() || Command::new("xmllint").arg("--version").output().is_err() {
        eprintln!("skipped: schema validation needs ../shared/schemas/JUnit.xsd and xmllint");
        return;
    }
    let file = dir.path().join("report.xml");
    std::fs::write(&file, &xml).expect("write");
    let v = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
        .expect("xmllint");
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
}

// ------------------------------------------------------------------ colour

/// Runs with stdout and stderr piped and `NO_COLOR` unset, so only `--color` and pipe
/// detection decide.
fn auditready_without_no_color(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditready"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run auditready")
}

#[test]
fn color_always_colours_a_piped_report_and_auto_does_not() {
    let rules = project().join("rules");
    let evidence = project().join("evidence");
    let base = [
        "run",
        "--rules",
        rules.to_str().expect("path"),
        "--evidence",
        evidence.to_str().expect("path"),
        "--as-of",
        "2026-11-22",
    ];
    let with = |color: &str| {
        let mut args = base.to_vec();
        args.extend(["--color", color]);
        auditready_without_no_color(&args)
    };
    assert!(
        with("always").stdout.contains(&0x1b),
        "always: the report is coloured"
    );
    assert!(
        !with("auto").stdout.contains(&0x1b),
        "auto: a pipe gets no colour"
    );
    assert!(!with("never").stdout.contains(&0x1b));
}

#[test]
fn color_always_colours_piped_diagnostics_and_auto_does_not() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/diagnostics/rules");
    let with = |color: &str| {
        auditready_without_no_color(&[
            "check",
            "--rules",
            rules.to_str().expect("path"),
            "--color",
            color,
        ])
    };
    let always = with("always");
    assert_eq!(always.status.code(), Some(2));
    assert!(always.stderr.contains(&0x1b), "always: diagnostics are coloured");
    let auto = with("auto");
    assert!(!auto.stderr.is_empty());
    assert!(!auto.stderr.contains(&0x1b), "auto: a pipe gets no colour");
}

// ------------------------------------------------------------------ usage errors

#[test]
fn a_param_given_twice_is_a_usage_error() {
    let out = run(&["--param", "capa_cycle_max=10d", "--param", "capa_cycle_max=60d"]);
    let (code, stderr) = code_and_stderr(&out);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("`capa_cycle_max` is given twice"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing is evaluated");
}

#[test]
fn a_misshapen_as_of_gets_the_hint_once() {
    let rules = project().join("rules");
    let as_of = |date: &str| auditready(&["run", "--rules", rules.to_str().expect("path"), "--as-of", date]);
    let (code, stderr) = code_and_stderr(&as_of("22.11.2026"));
    assert_eq!(code, Some(2));
    assert_eq!(stderr.matches("YYYY-MM-DD").count(), 1, "{stderr}");
    // An impossible date says what is wrong with it.
    let (_, stderr) = code_and_stderr(&as_of("2026-02-30"));
    assert!(stderr.contains("February 2026 has 28 days"), "{stderr}");
}

#[test]
fn help_and_errors_use_a_param_that_exists() {
    let help = auditready(&["run", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("capa_cycle_max=14d"), "{help}");
    assert!(!help.contains("capa_max_days"), "{help}");
    let (_, stderr) = code_and_stderr(&run(&["--param", "capa_cycle_max"]));
    assert!(stderr.contains("like capa_cycle_max=14d"), "{stderr}");
}

#[test]
fn output_into_a_missing_directory_names_the_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-dir");
    let path = missing.join("report.json");
    let (code, stderr) = code_and_stderr(&run(&["--output", path.to_str().expect("path")]));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(&format!("the directory `{}` does not exist", missing.display())),
        "{stderr}"
    );
    assert!(!stderr.contains(".auditready-"), "{stderr}");
}

// ------------------------------------------------------------------ check formats

/// Runs from the crate root, so paths in the output are relative to it, as in CI.
fn auditready_in_crate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditready"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run auditready")
}

#[test]
fn check_github_annotations_point_at_the_file_and_encode_line_breaks() {
    let out = auditready_in_crate(&[
        "check",
        "--rules",
        "tests/fixtures/report/diagnostics/rules",
        "--format",
        "github",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.contains("file=tests/fixtures/report/diagnostics/rules/requirements.rules,line=4,col="),
        "{text}"
    );
    // One workflow command per line: the help's line break is encoded.
    assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
    assert!(text.contains("%0Ahelp: "), "{text}");
    insta::assert_snapshot!("check_github_diagnostics_fixture", text);
}

#[test]
fn sarif_uris_are_absolute_for_an_absolute_rules_directory() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/diagnostics/rules");
    let out = auditready(&[
        "check",
        "--rules",
        rules.to_str().expect("path"),
        "--format",
        "sarif",
    ]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    let uri = location["uri"].as_str().expect("uri");
    assert!(uri.starts_with("file:///"), "{uri}");
    assert!(
        uri.ends_with("/tests/fixtures/report/diagnostics/rules/requirements.rules"),
        "{uri}"
    );
    assert!(location.get("uriBaseId").is_none(), "{location}");
}

// ------------------------------------------------------------------ as_of pinned by the evidence

/// A copy of the fixture project's evidence with an `as_of` file holding `pin`.
fn evidence_pinned(pin: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read_dir") {
            let entry = entry.expect("entry");
            let target = to.join(entry.file_name());
            if entry.file_type().expect("type").is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).expect("copy");
            }
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    copy(&project().join("evidence"), dir.path());
    std::fs::write(dir.path().join("as_of"), pin).expect("write as_of");
    dir
}

fn run_on(evidence: &Path, extra: &[&str]) -> Output {
    let rules = project().join("rules");
    let mut args = vec![
        "run",
        "--rules",
        rules.to_str().expect("utf-8 path"),
        "--evidence",
        evidence.to_str().expect("utf-8 path"),
        "--fail-on",
        "never",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    auditready(&args)
}

#[test]
fn an_as_of_file_in_the_evidence_pins_the_date_unless_as_of_is_given() {
    let dir = evidence_pinned("# exported on\n\n2026-11-22\n");
    let pinned = run_on(dir.path(), &[]);
    let explicit = run_on(dir.path(), &["--as-of", "2026-11-22"]);
    assert_eq!(pinned.status.code(), Some(0));
    assert_eq!(pinned.stdout, explicit.stdout, "the pinned date is the one used");
    let note = String::from_utf8_lossy(&pinned.stderr);
    assert!(note.contains("note: as_of 2026-11-22 from"), "{note}");
    assert!(
        !String::from_utf8_lossy(&explicit.stderr).contains("note: as_of"),
        "--as-of needs no note"
    );

    let later = run_on(dir.path(), &["--as-of", "2027-03-01"]);
    let json: serde_json::Value = serde_json::from_slice(&later.stdout).expect("json");
    assert_eq!(
        json["as_of"], "2027-03-01T00:00:00Z",
        "--as-of overrides the file"
    );
}

#[test]
fn an_as_of_file_that_holds_no_date_is_a_usage_error() {
    for (pin, shown) in [
        ("22.11.2026\n", "line 1: `22.11.2026`"),
        ("# only a comment\n", "holds no date"),
    ] {
        let dir = evidence_pinned(pin);
        let out = run_on(dir.path(), &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(shown), "{stderr}");
    }
}

#[test]
fn the_shipped_sample_is_evaluated_as_of_its_export_date() {
    let bare = auditready_in_crate(&["run", "--fail-on", "never", "--format", "json"]);
    let pinned = auditready_in_crate(&[
        "run",
        "--fail-on",
        "never",
        "--format",
        "json",
        "--as-of",
        "2026-11-22",
    ]);
    assert_eq!(
        bare.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&bare.stderr)
    );
    assert_eq!(bare.stdout, pinned.stdout);
}
