//! `auditready explain` on the shipped rules and evidence: a join with `--record`, a
//! grouped metric with a record decided inside an `and`, a disabled requirement in a
//! layered project, and rule text that tries to drive the terminal.

// Test helpers outside #[test] functions may fail loudly: a failure is the test failing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn explain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditready"))
        .arg("explain")
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run auditready")
}

fn stdout(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_join_explained_for_one_record() {
    let out = explain(&[
        "access.revoked_on_termination",
        "--record",
        "E0725",
        "--as-of",
        "2026-11-22",
    ]);
    insta::assert_snapshot!("explain_join_record", stdout(&out));
}

#[test]
fn a_grouped_metric_counts_each_record_once_and_finds_a_cited_record() {
    let out = explain(&[
        "training.department_completion",
        "--record",
        "U1012 / SEC-PHISH",
        "--as-of",
        "2026-11-22",
    ]);
    let text = stdout(&out);
    // The export has 961 rows; the scan that collects the failing records is not counted.
    assert!(text.contains("    saw 961 records\n"), "{text}");
    // The record is decided inside an `and`.
    assert!(
        text.contains("t.completed <= t.due = false   ← decides"),
        "{text}"
    );
    insta::assert_snapshot!("explain_grouped_metric_record", text);
}

#[test]
fn a_disabled_requirement_is_not_evaluated() {
    let project = root().join("tests/fixtures/project");
    let out = explain(&[
        "hr.leavers_recorded",
        "--rules",
        project.join("rules").to_str().expect("utf-8"),
        "--rules",
        "tests/fixtures/layered/rules",
        "--evidence",
        project.join("evidence").to_str().expect("utf-8"),
        "--as-of",
        "2026-11-22",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("outcome: disabled — HR dates are checked in the HR system itself"),
        "{text}"
    );
    assert!(!text.contains("saw "), "{text}");
}

#[test]
fn control_characters_in_rule_text_are_shown_not_sent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::copy(
        root().join("tests/fixtures/catalog.rules"),
        rules.join("catalog.rules"),
    )
    .expect("copy");
    std::fs::write(
        rules.join("r.rules"),
        "dataset d { source \"d.csv\" field k : text key field s : text }\n\
         requirement r.x { title \"t\" clauses iso27001:10.2 severity major\n\
         expect all x in d where x.s != \"\u{1b}[2J\": x.s == \"ok\u{1b}]0;pwned\u{7}\" }\n",
    )
    .expect("write");
    let evidence = dir.path().join("evidence");
    std::fs::create_dir_all(&evidence).expect("mkdir");
    std::fs::write(evidence.join("d.csv"), "k,s\nK1,bad\n").expect("write");
    let out = explain(&[
        "r.x",
        "--record",
        "K1",
        "--rules",
        rules.to_str().expect("utf-8"),
        "--evidence",
        evidence.to_str().expect("utf-8"),
        "--as-of",
        "2026-11-22",
    ]);
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    assert!(text.contains("\\u{1b}[2J"), "{text}");
}
