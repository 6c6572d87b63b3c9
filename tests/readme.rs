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
