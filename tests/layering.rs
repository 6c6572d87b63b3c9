//! Building on the shipped rule library without copying it: `init --library`, and the
//! params a library's own tests run with under a project's `override param`.

// Test helpers outside #[test] functions may fail loudly: a failure is the test failing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn library() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn auditready_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditready"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run auditready")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn init_library_creates_an_overlay_that_checks_tests_and_runs_on_the_shipped_library() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lib = library();
    let lib = lib.to_str().expect("utf-8 path");
    let init = auditready_in(dir.path(), &["init", "--library", lib, "company"]);
    assert_eq!(init.status.code(), Some(0), "{}", text(&init.stderr));
    let project = dir.path().join("company");
    // No catalog is copied: the library's are used.
    assert!(!project.join("rules/standards").exists());
    let readme = std::fs::read_to_string(project.join("README.md")).expect("README");
    assert!(
        readme.contains(&format!("auditready check    --rules {lib} --rules rules")),
        "{readme}"
    );
    let overrides = std::fs::read_to_string(project.join("rules/library.rules")).expect("library.rules");
    assert!(
        overrides.contains("\noverride param capa_cycle_max = 14d\n"),
        "{overrides}"
    );

    let layered = |cmd: &str, extra: &[&str]| {
        let mut args = vec![cmd, "--rules", lib, "--rules", "rules"];
        args.extend_from_slice(extra);
        auditready_in(&project, &args)
    };
    let check = layered("check", &[]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(
        text(&check.stderr).contains(" 0 errors, 0 warnings"),
        "{}",
        text(&check.stderr)
    );

    // Every test passes: the project's own and the library's, although the project
    // tightens capa_cycle_max, which the library's tests pin at 30 days.
    let test = layered("test", &[]);
    let out = text(&test.stdout);
    assert_eq!(test.status.code(), Some(0), "{out}");
    assert!(
        out.contains("test company.suppliers_evaluated \"a supplier evaluated 13 months ago fails\" ... ok")
    );
    assert!(out.contains("test capa.cycle_time "), "{out}");
    assert!(!out.contains("coverage:"), "{out}");

    let run = layered(
        "run",
        &["--as-of", "2026-11-22", "--fail-on", "never", "--format", "json"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    let own = json["requirements"]
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["id"] == "company.suppliers_evaluated")
        .expect("the project's requirement is evaluated");
    // The sample export has one supplier evaluated more than 12 months before as_of.
    assert_eq!(own["outcome"], "fail", "{own}");

    assert_eq!(
        auditready_in(&project, &["fmt", "--check", "rules"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn init_library_refuses_a_library_with_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(&broken).expect("mkdir");
    std::fs::write(broken.join("x.rules"), "requirement {").expect("write");
    let out = auditready_in(dir.path(), &["init", "--library", "broken", "company"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not a rule library that checks cleanly"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("company").exists());
}

/// An overlay that tightens the library's CAPA target to 14 days, with a test of its own
/// that relies on the tighter value.
const OVERLAY: &str = r#"override param capa_cycle_max = 14d

test capa.cycle_time "under the company's 14 days, a CAPA closed after 20 days fails" {
  as_of 2026-11-22
  given capa [
    { key = "CAPA-1", status = "Closed", created = 2026-10-01T08:00:00Z, created_day = 2026-10-01,
      resolved = 2026-10-21T08:00:00Z, updated = 2026-11-20T10:00:00Z },
  ]
  expect fail "CAPA-1"
}
"#;

#[test]
fn a_librarys_tests_run_with_the_librarys_params_and_an_overlays_with_its_overrides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let overlay = dir.path().join("overlay");
    std::fs::create_dir_all(&overlay).expect("mkdir");
    std::fs::write(overlay.join("company.rules"), OVERLAY).expect("write");
    let lib = library();
    let out = auditready_in(
        dir.path(),
        &[
            "test",
            "--rules",
            lib.to_str().expect("utf-8 path"),
            "--rules",
            "overlay",
            "--filter",
            "capa.cycle_time",
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    // The library's "closed in under 30 days passes" test (a CAPA closed after 20 days)
    // passes with the library's 30 days; the overlay's test, with the same CAPA, fails it
    // with the overlay's 14 days.
    assert!(
        stdout.contains(
            "test capa.cycle_time \"closed in under 30 days passes; median and p90 are reported\" ... ok"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "test capa.cycle_time \"under the company's 14 days, a CAPA closed after 20 days fails\" ... ok"
        ),
        "{stdout}"
    );
    // With the overlay given first, it is the earlier layer: the library's tests then see
    // the override, and the 30-day test fails. The rule is the order of --rules.
    let reversed = auditready_in(
        dir.path(),
        &[
            "test",
            "--rules",
            "overlay",
            "--rules",
            lib.to_str().expect("utf-8 path"),
            "--filter",
            "capa.cycle_time",
        ],
    );
    let reversed_out = text(&reversed.stdout);
    assert_eq!(reversed.status.code(), Some(1), "{reversed_out}");
    assert!(
        reversed_out.contains(
            "test capa.cycle_time \"closed in under 30 days passes; median and p90 are reported\" ... FAILED"
        ),
        "{reversed_out}"
    );
}
