//! The README's examples work as written.

// Test helpers outside #[test] functions may fail loudly: a failure is the test failing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

#[test]
fn the_language_tour_checks_tests_and_is_formatted() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README");
    let start = readme.find("```\n# A catalog").expect("the tour block") + 4;
    let end = start + readme[start..].find("```").expect("end of the tour block");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("tour.rules"), &readme[start..end]).expect("write");
    let rules = dir.path().to_str().expect("path");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_auditready"))
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .expect("run")
    };
    let check = run(&["check", "--rules", rules]);
    assert!(
        String::from_utf8_lossy(&check.stderr).contains("0 errors, 0 warnings"),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let test = run(&["test", "--rules", rules]);
    assert!(
        String::from_utf8_lossy(&test.stdout).contains("1 passed, 0 failed"),
        "{}",
        String::from_utf8_lossy(&test.stdout)
    );
    assert_eq!(run(&["fmt", "--check", rules]).status.code(), Some(0));
}

/// The walkthrough "Your first rule project": its requirement added to an `init` project
/// checks, is formatted, and its deliberately wrong test fails as the README shows.
#[test]
fn the_first_project_walkthrough_works_as_written() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README");
    let start = readme
        .find("```rules\n# Your first requirement")
        .expect("the walkthrough block")
        + 9;
    let end = start + readme[start..].find("```").expect("end of the walkthrough block");
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("compliance");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_auditready"))
            .args(args)
            .current_dir(if project.exists() { &project } else { dir.path() })
            .env("NO_COLOR", "1")
            .output()
            .expect("run")
    };
    assert_eq!(run(&["init", "compliance"]).status.code(), Some(0));
    let file = project.join("rules/requirements.rules");
    let mut text = std::fs::read_to_string(&file).expect("read");
    text.push('\n');
    text.push_str(&readme[start..end]);
    std::fs::write(&file, text).expect("write");
    assert_eq!(
        run(&["fmt", "--check"]).status.code(),
        Some(0),
        "the snippet is formatted"
    );
    let check = run(&["check"]);
    assert!(
        String::from_utf8_lossy(&check.stderr).contains("0 errors, 0 warnings"),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let test = run(&["test"]);
    let out = String::from_utf8_lossy(&test.stdout);
    assert_eq!(test.status.code(), Some(1), "{out}");
    assert!(
        out.contains("expected failing records `CAPA-1`, `CAPA-2`, got `CAPA-1`"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("2 passed, 1 failed"), "{out}");
    assert!(readme.contains("expected failing records `CAPA-1`, `CAPA-2`, got `CAPA-1`"));
    let explain = run(&[
        "explain",
        "capa.open_too_long",
        "--record",
        "CAPA-3",
        "--as-of",
        "2026-11-22",
    ]);
    let out = String::from_utf8_lossy(&explain.stdout);
    assert_eq!(
        explain.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&explain.stderr)
    );
    assert!(out.contains("record CAPA-3 of `capa` (jira/capa.csv:4)"), "{out}");
}
