//! Every diagnostic, rendered as users see it. Each file in `tests/fixtures/check/` is a
//! rule file (checked together with `tests/fixtures/catalog.rules`) and yields one
//! snapshot: the snapshots are the documentation of the error messages.

// Test helpers outside #[test] functions may fail loudly: a failure is the test failing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use auditready::check::{self, CheckOptions};
use auditready::diagnostic::{Code, Diagnostic};
use auditready::report::diagnostics::render_plain;
use auditready::source::{SourceFile, SourceMap};
use auditready::{project, syntax};

/// 2026-11-22, the date the fixtures are checked on (for expired waivers).
const TODAY: i32 = 20_779;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Reads, parses and checks one fixture with the shared catalog; renders every diagnostic.
fn check_fixture(path: &Path) -> String {
    let mut sources = SourceMap::new();
    let catalog = std::fs::read_to_string(fixtures().join("catalog.rules")).expect("catalog");
    sources.add(SourceFile::new("catalog.rules", PathBuf::new(), catalog));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut diags: Vec<Diagnostic> = Vec::new();
    match project::read_rule_file(path) {
        Ok(text) => {
            sources.add(SourceFile::new(name, path.to_path_buf(), text));
        }
        Err(d) => {
            let mut d = *d;
            // Absolute paths differ between machines.
            d.message = d.message.replace(&path.display().to_string(), &name);
            if let Some(l) = d.location.as_mut() {
                l.file = name.clone();
            }
            diags.push(d);
        }
    }
    let (files, parse) = syntax::parse_all(&sources);
    diags.extend(parse);
    let (_, checked) = check::check(&files, CheckOptions { today: Some(TODAY) });
    diags.extend(checked);
    auditready::diagnostic::sort(&mut diags);
    render_plain(&diags, &sources)
}

#[test]
fn check_fixtures() {
    insta::glob!("fixtures/check/*.rules", |path| {
        let source = String::from_utf8_lossy(&std::fs::read(path).expect("fixture")).into_owned();
        let rendered = check_fixture(path);
        assert!(
            !rendered.trim().is_empty(),
            "{} produced no diagnostic",
            path.display()
        );
        assert_headers_name_shown_lines(&rendered);
        insta::with_settings!({ description => source, omit_expression => true }, {
            insta::assert_snapshot!(rendered);
        });
    });
}

/// Every excerpt header (`╭─[ file:line:col ]` or `├─[ … ]`) names a line that the
/// excerpt under it shows: a header naming another excerpt's line misleads the reader.
fn assert_headers_name_shown_lines(rendered: &str) {
    let lines: Vec<&str> = rendered.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find("─[ ") else { continue };
        let inner = line[at + "─[ ".len()..].trim_end().trim_end_matches(']').trim();
        let mut parts = inner.rsplitn(3, ':');
        let _col = parts.next();
        let Some(shown) = parts.next() else { continue };
        let excerpt = lines[i + 1..]
            .iter()
            .take_while(|l| !l.contains("─[ ") && !l.starts_with('['));
        let found = excerpt
            .into_iter()
            .any(|l| l.split('│').next().is_some_and(|n| n.trim() == shown));
        assert!(
            found,
            "header `{line}` names line {shown}, not shown under it:\n{rendered}"
        );
    }
}

#[test]
fn an_oversized_rule_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.rules");
    std::fs::write(&path, format!("param a = \"{}\"", "x".repeat(17 * 1024 * 1024))).expect("write");
    let err = project::read_rule_file(&path).expect_err("too large");
    assert_eq!(err.code, Code::S004);
    insta::assert_snapshot!(
        "S004_rule_file_too_large",
        format!(
            "[{}] {}",
            err.code,
            err.message.replace(&path.display().to_string(), "huge.rules")
        )
    );
}

#[test]
fn a_missing_rules_directory_and_an_empty_one_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("rulez");
    let (_, diags) = project::load_rules(std::slice::from_ref(&missing));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Code::S006);
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let (_, diags) = project::load_rules(std::slice::from_ref(&empty));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Code::S007);
    let shown: Vec<String> = [(&missing, "rulez"), (&empty, "empty")]
        .iter()
        .flat_map(|(p, n)| {
            project::load_rules(&[(*p).clone()])
                .1
                .into_iter()
                .map(move |d| format!("[{}] {}", d.code, d.message.replace(&p.display().to_string(), n)))
        })
        .collect();
    insta::assert_snapshot!("S006_S007_rules_directory", shown.join("\n"));
}

/// The snapshot coverage of the code registry: every code appears in a snapshot, so
/// every message has been read by someone.
#[test]
fn every_code_has_a_snapshot() {
    let mut text = String::new();
    for dir in [
        "tests/snapshots",
        "src/evidence/tests/snapshots",
        "src/report/snapshots",
        "tests/snapshots/run",
    ] {
        let Ok(entries) = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| {
            !c.starts_with('R') && !text.contains(&format!("[{c}]")) && !text.contains(&format!("{c}:"))
        })
        .collect();
    assert!(missing.is_empty(), "codes without a snapshot: {missing:?}");
}

fn auditready(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_auditready"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .output()
        .expect("run auditready")
}

/// A rule file that cannot be read still has a place: `--format json` gives its file,
/// line and column, and the summary counts it.
#[test]
fn unreadable_rule_files_have_a_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("bad.rules"), b"param a = 1\nparam \xff = 2\n").expect("write");
    let rules = dir.path().to_str().expect("path");
    let out = auditready(&["check", "--rules", rules, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &json[0];
    assert_eq!(d["code"], "S003");
    assert_eq!(d["file"], "bad.rules");
    assert_eq!(d["line"], 2);
    assert_eq!(d["column"], 7);
    let message = d["message"].as_str().expect("message");
    assert!(message.contains("line 2, column 7"), "{message}");

    let out = auditready(&["check", "--rules", rules]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--> bad.rules:2:7"), "{stderr}");
    assert!(
        stderr.contains("failed: 1 rule file, 1 error, 0 warnings"),
        "{stderr}"
    );
}

/// Piped output (not a terminal) carries no colour codes, even without `NO_COLOR`.
#[test]
fn piped_check_output_has_no_colour() {
    let bad = fixtures().join("check");
    let out = auditready(&["check", "--rules", bad.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!out.stderr.is_empty());
    assert!(!out.stderr.contains(&0x1b), "ESC in piped stderr");
    assert!(!out.stdout.contains(&0x1b), "ESC in piped stdout");
}
