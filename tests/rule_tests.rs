//! `auditready test` as a rule author meets it: failing tests of each assertion kind,
//! `--filter`, the coverage lines, and inline evidence that must stay in its temporary
//! directory.

// Test helpers outside #[test] functions may fail loudly: a failure is the test failing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn auditready(args: &[&str], tmpdir: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_auditready"));
    cmd.args(args).env("NO_COLOR", "1");
    if let Some(t) = tmpdir {
        cmd.env("TMPDIR", t);
    }
    cmd.output().expect("run auditready")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).expect("relative").to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn inline_csv_never_writes_outside_the_tests_temporary_directory() {
    let outer = tempfile::tempdir().expect("tempdir");
    // The rule tests' temporary directories are made under TMPDIR = outer/a/b, so `..`
    // and `../..` from there land inside `outer`, where the test can see them.
    let tmp = outer.path().join("a/b");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    let rules = outer.path().join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    let absolute = outer.path().join("absolute/written.csv");
    let text = format!(
        r#"dataset up {{ source "../up.csv" field k : text key }}
dataset upup {{ source "../../../upup.csv" field k : text key }}
dataset abs {{ source "{}" field k : text key }}

requirement r.up {{ title "up" clauses iso27001:10.2 severity major expect all x in up: x.k == "K1" }}
requirement r.upup {{ title "upup" clauses iso27001:10.2 severity major expect all x in upup: x.k == "K1" }}
requirement r.abs {{ title "abs" clauses iso27001:10.2 severity major expect all x in abs: x.k == "K1" }}

test r.up "up" {{ as_of 2026-11-22 given up csv "k
K1
" expect pass }}
test r.upup "upup" {{ as_of 2026-11-22 given upup csv "k
K1
" expect pass }}
test r.abs "abs" {{ as_of 2026-11-22 given abs csv "k
K1
" expect pass }}
"#,
        absolute.display()
    );
    std::fs::write(rules.join("escape.rules"), text).expect("write rules");
    std::fs::copy(fixtures().join("catalog.rules"), rules.join("catalog.rules")).expect("copy catalog");

    let out = auditready(&["test", "--rules", rules.to_str().expect("utf-8")], Some(&tmp));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.matches("[D403]").count(), 3, "{stdout}");
    assert!(!absolute.exists(), "the absolute source was written");
    // Only the rule file exists; the temporary directories are gone and nothing escaped.
    assert_eq!(
        files(outer.path()),
        vec![
            PathBuf::from("rules/catalog.rules"),
            PathBuf::from("rules/escape.rules")
        ]
    );
}

fn fixture_rules() -> PathBuf {
    fixtures().join("rule_tests/rules")
}

/// Absolute paths differ between machines; the output names files relative to the rules.
fn run_fixture(extra: &[&str]) -> (Option<i32>, String) {
    let rules = fixture_rules();
    let mut args = vec!["test", "--rules", rules.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    let out = auditready(&args, None);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn failing_rule_tests_of_each_kind_and_the_coverage_gaps() {
    let (code, out) = run_fixture(&[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.trim_end().ends_with("1 passed, 4 failed"), "{out}");
    assert!(
        out.contains("1 requirement without a test: capa.untested"),
        "{out}"
    );
    assert!(
        out.contains("capa.resolved expect #1 never seen failing"),
        "{out}"
    );
    insta::assert_snapshot!("failing_rule_tests", out);
}

#[test]
fn filter_runs_the_matching_tests_only_and_skips_coverage() {
    let (code, out) = run_fixture(&["--filter", "metric"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("test capa.cycle_time \"wrong metric value\" ... FAILED"),
        "{out}"
    );
    assert!(!out.contains("wrong status"), "{out}");
    assert!(!out.contains("coverage:"), "{out}");
    assert!(out.trim_end().ends_with("0 passed, 1 failed"), "{out}");
}

#[test]
fn a_filter_that_matches_no_test_is_an_error() {
    let rules = fixture_rules();
    let out = auditready(
        &[
            "test",
            "--rules",
            rules.to_str().expect("utf-8"),
            "--filter",
            "nosuch",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no test matches `--filter nosuch` (5 tests in the project)"),
        "{stderr}"
    );
}

#[test]
fn the_shipped_library_has_no_coverage_gaps() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let out = auditready(&["test", "--rules", rules.to_str().expect("utf-8")], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    // Neither untested requirements nor one-sided expects: no coverage section at all.
    assert!(!stdout.contains("coverage:"), "{stdout}");
    assert!(!stdout.contains("never seen"), "{stdout}");
}
