//! `auditready fmt`: snapshots of formatted fixtures; formatting is idempotent and keeps
//! the meaning (the syntax tree up to spans and the checked program); a property test over
//! generated programs; the `--check` command line.

// A test crate: its helpers outside `#[test]` functions may fail loudly too.
#![allow(clippy::expect_used, clippy::panic)]

#[path = "fmt/programs.rs"]
mod programs;

use std::path::{Path, PathBuf};
use std::process::Command;

use auditready::check::{self, CheckOptions};
use auditready::fmt::{check_layout, erase_spans, format_source, meaning};
use auditready::report::diagnostics::render_plain;
use auditready::source::SourceMap;
use auditready::syntax::{self, ast};
use proptest::prelude::*;

fn parse(text: &str) -> ast::File {
    let mut sources = SourceMap::new();
    let id = sources.add_text("input.rules", text);
    let (file, diags) = syntax::parse_file(&sources, id);
    assert!(
        diags.is_empty(),
        "does not parse:\n{text}\n{}",
        render_plain(&diags, &sources)
    );
    file
}

fn format(text: &str) -> String {
    format_source(text).unwrap_or_else(|diags| {
        let mut sources = SourceMap::new();
        sources.add_text("input.rules", text);
        panic!("cannot format:\n{text}\n{}", render_plain(&diags, &sources))
    })
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fmt");
    rule_files(&dir)
}

/// Every `*.rules` file under `dir`, sorted; none when it does not exist.
fn rule_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rule_files(&path));
        } else if path.extension().is_some_and(|e| e == "rules") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn formatted_fixtures() {
    insta::glob!("fixtures/fmt/*.rules", |path| {
        let input = read(path);
        insta::with_settings!({ description => input.as_str(), omit_expression => true }, {
            insta::assert_snapshot!(format(&input));
        });
    });
}

/// The checked program of a text, spans erased, when it checks without errors.
fn program(text: &str) -> Option<String> {
    let (program, _) = check::check(&[parse(text)], CheckOptions::default());
    program.map(|p| erase_spans(&format!("{p:?}")))
}

#[test]
fn fixtures_are_idempotent_and_keep_their_meaning() {
    let mut checked = 0;
    for path in fixtures() {
        let input = read(&path);
        let once = format(&input);
        assert_eq!(
            format(&once),
            once,
            "{}: formatting twice changes it",
            path.display()
        );
        assert_eq!(
            meaning(&parse(&input)),
            meaning(&parse(&once)),
            "{}: the syntax tree changed",
            path.display()
        );
        if let Some(before) = program(&input) {
            assert_eq!(
                Some(before),
                program(&once),
                "{}: the checked program changed",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "no fixture checks cleanly, so no program was compared"
    );
}

#[test]
fn shipped_rules_format_idempotently() {
    for path in rule_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")) {
        let once = format(&read(&path));
        assert_eq!(
            format(&once),
            once,
            "{}: formatting twice changes it",
            path.display()
        );
    }
}

/// CI keeps the shipped rule library formatted.
#[test]
fn shipped_rules_are_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut diffs = String::new();
    for path in rule_files(&root.join("rules")) {
        let text = read(&path);
        let formatted = format(&text);
        if formatted != text {
            let name = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            let diff = similar::TextDiff::from_lines(&text, &formatted);
            let unified = diff.unified_diff().header(&name, &name).to_string();
            diffs.push_str(&unified);
        }
    }
    assert!(
        diffs.is_empty(),
        "rule files are not formatted; run `cargo run -- fmt rules`:\n{diffs}"
    );
}

/// The self-check's error, as a user would see it (a formatter bug is the only way to
/// meet it, so the test hands `check_layout` a layout that lost a comment).
#[test]
fn a_layout_that_loses_a_comment_is_refused() {
    let input = "param a = 1  # keep me\n";
    let diags = check_layout(input, "param a = 1\n").expect_err("a comment is missing");
    let mut sources = SourceMap::new();
    sources.add_text("a.rules", input);
    insta::assert_snapshot!("formatter_failure", render_plain(&diags, &sources));
    assert_eq!(check_layout(input, input), Ok(()));
}

#[test]
fn refuses_a_file_with_syntax_errors() {
    let diags = format_source("requirement r { expect }\nparam a = \n").expect_err("must not format");
    assert!(!diags.is_empty());
    assert!(diags.iter().all(|d| d.code.as_str() == "S001"), "{diags:?}");
}

#[test]
fn empty_input_stays_empty() {
    assert_eq!(format(""), "");
    assert_eq!(format("\n\n  \n"), "");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn formatting_is_idempotent_and_keeps_the_syntax_tree(text in programs::program()) {
        let original = parse(&text);
        let once = format(&text);
        prop_assert_eq!(format(&once), once.clone(), "not idempotent; input:\n{}", text);
        prop_assert_eq!(meaning(&original), meaning(&parse(&once)), "tree changed; input:\n{}", text);
        // The checked program too, whenever the original checks cleanly: the syntax tree
        // compares the order of entries only up to the canonical order, the program sees
        // what that order means.
        if let Some(before) = program(&text) {
            prop_assert_eq!(Some(before), program(&once), "checked program changed; input:\n{}", text);
        }
    }
}

// ---------------------------------------------------------------------- command line

fn auditready(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_auditready"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs auditready")
}

#[test]
fn check_prints_a_diff_and_exits_1_until_formatted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules/nested");
    std::fs::create_dir_all(&rules).expect("mkdir");
    let file = rules.join("a.rules");
    let messy = "param   a=1 # one\nparam b = ( 2 )\n";
    std::fs::write(&file, messy).expect("write");

    // `--check` reports and changes nothing.
    let out = auditready(&["fmt", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("--- a/rules/nested/a.rules"), "{diff}");
    assert!(diff.contains("-param   a=1 # one\n"), "{diff}");
    assert!(diff.contains("+param a = 1  # one\n"), "{diff}");
    assert!(diff.contains("+param b = 2\n"), "{diff}");
    assert_eq!(read(&file), messy);

    // Without `--check` it rewrites the file.
    let out = auditready(&["fmt", "rules"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(read(&file), "param a = 1  # one\nparam b = 2\n");

    // Formatted: `--check` passes quietly on stdout.
    let out = auditready(&["fmt", "--check", "rules/nested/a.rules"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_syntax_error_exits_2_with_its_diagnostic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bad.rules");
    std::fs::write(&file, "requirement r { expect }\n").expect("write");
    let out = auditready(&["fmt", "--check", "bad.rules"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("S001"), "{stderr}");
    assert!(stderr.contains("bad.rules"), "{stderr}");
    assert_eq!(read(&file), "requirement r { expect }\n");
}

#[test]
fn control_characters_in_names_and_rule_text_are_shown_not_sent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a\u{1b}[31m.rules");
    std::fs::write(&file, "param   a = \"x\u{1b}[2Jy\"\n").expect("write");
    let out = auditready(&["fmt", "--check", "."], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(!diff.contains('\u{1b}'), "{diff:?}");
    assert!(diff.contains("a\\u{1b}[31m.rules\n"), "{diff}");
    assert!(diff.contains("+param a = \"x\\u{1b}[2Jy\""), "{diff}");
    let out = auditready(&["fmt", "."], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a\\u{1b}[31m.rules\n"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}
