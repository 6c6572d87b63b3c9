//! Every rule example in `docs/language.md` is checked: a ```` ```rules ```` block must
//! give no error, a ```` ```rules,error CODE ```` block (a deliberate mistake) must report
//! `CODE`. Each block is checked together with the shipped library in `rules/`, so it can
//! use the library's catalogs, datasets and params; when a block redeclares something the
//! library declares (`C106` pointing into the library), that library declaration is left
//! out and the block is checked again.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use auditready::check::{self, CheckOptions};
use auditready::diagnostic::{Code, Diagnostic};
use auditready::source::{SourceFile, SourceMap, Span};
use auditready::{project, syntax};

/// 2026-11-22: the examples' waivers and attestations are dated around it.
const TODAY: i32 = 20_779;

const BLOCK: &str = "docs-example.rules";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// One ```` ```rules ```` block: the line its fence is on, the code it must report (if
/// any) and its text, de-indented by the fence's indentation.
struct Block {
    line: usize,
    expected: Option<String>,
    text: String,
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((n, l)) = lines.next() {
        let Some(info) = l.trim_start().strip_prefix("```rules") else {
            continue;
        };
        let expected = match info.trim() {
            "" => None,
            other => Some(
                other
                    .strip_prefix(",error ")
                    .unwrap_or_else(|| panic!("line {}: unknown fence info `rules{other}`", n + 1))
                    .trim()
                    .to_string(),
            ),
        };
        let indent = l.len() - l.trim_start().len();
        let mut text = String::new();
        for (_, l) in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            text.push_str(l.get(indent..).unwrap_or(l.trim_start()));
            text.push('\n');
        }
        out.push(Block {
            line: n + 1,
            expected,
            text,
        });
    }
    out
}

/// The diagnostics of a block checked with the library. A library declaration that the
/// block declares again (`C106` pointing into the library) is dropped, and the block
/// checked again, so an example may show a declaration the library also has.
fn check_block(block: &str) -> Vec<Diagnostic> {
    let (library, load) = project::load_rules(&[root().join("rules")]);
    assert!(load.is_empty(), "the library loads cleanly");
    let mut sources = SourceMap::new();
    for (_, f) in library.files() {
        sources.add(f.clone());
    }
    let block_file = sources.add(SourceFile::new(BLOCK, PathBuf::new(), block.to_string()));
    let (mut files, parse) = syntax::parse_all(&sources);
    loop {
        let (_, checked) = check::check(&files, CheckOptions { today: Some(TODAY) });
        let clashing: Vec<Span> = checked
            .iter()
            .filter(|d| d.code == Code::C106)
            .flat_map(|d| d.labels.iter().map(|l| l.span))
            .filter(|span| span.file != block_file)
            .collect();
        let before: usize = files.iter().map(|f| f.declarations.len()).sum();
        for file in &mut files {
            file.declarations.retain(|d| {
                let whole = d.span();
                !clashing
                    .iter()
                    .any(|s| s.file == whole.file && whole.start <= s.start && s.end <= whole.end)
            });
        }
        let after: usize = files.iter().map(|f| f.declarations.len()).sum();
        if after == before {
            let mut diags = parse.clone();
            diags.extend(checked);
            return diags;
        }
    }
}

fn describe(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| format!("{:?} {}", d.code, d.message))
        .collect::<Vec<_>>()
        .join("\n  ")
}

#[test]
fn every_rules_example_in_the_language_reference_checks_as_documented() {
    let doc = std::fs::read_to_string(root().join("docs/language.md")).expect("language.md");
    let blocks = blocks(&doc);
    assert!(blocks.len() > 20, "found only {} rules blocks", blocks.len());
    let mut failures = Vec::new();
    for block in &blocks {
        let diags = check_block(&block.text);
        let errors: Vec<Diagnostic> = diags.into_iter().filter(|d| d.is_error()).collect();
        match &block.expected {
            None if !errors.is_empty() => failures.push(format!(
                "docs/language.md:{}: errors in an example:\n  {}",
                block.line,
                describe(&errors)
            )),
            Some(code) if !errors.iter().any(|d| format!("{:?}", d.code) == *code) => failures.push(format!(
                "docs/language.md:{}: `{code}` expected, got:\n  {}",
                block.line,
                describe(&errors)
            )),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A program using every construct of the language checks without a single diagnostic
/// (not even a warning) and is already in `auditready fmt` layout.
#[test]
fn the_every_construct_program_is_clean_and_formatted() {
    let path = root().join("tests/fixtures/valid/every_construct.rules");
    let text = std::fs::read_to_string(&path).expect("every_construct.rules");
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new("every_construct.rules", path, text.clone()));
    let (files, mut diags) = syntax::parse_all(&sources);
    let (_, checked) = check::check(&files, CheckOptions { today: Some(TODAY) });
    diags.extend(checked);
    assert!(diags.is_empty(), "{}", describe(&diags));
    let formatted = auditready::fmt::format_source(&text).unwrap_or_else(|d| panic!("{}", describe(&d)));
    assert_eq!(
        formatted, text,
        "every_construct.rules is not in `auditready fmt` layout"
    );
}
