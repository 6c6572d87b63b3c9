//! The formatter checks its own output before anyone writes it to disk: same comments,
//! same words and strings, same syntax tree. A formatter that silently changed what a
//! rule says, or dropped a comment, would be worse than none.

use super::comments::{self, Comment};
use super::decl::{attestation_rank, requirement_rank, test_rank, waiver_rank};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, ast};

/// The syntax tree of a file without its spans and with entries in canonical order: two
/// files that render equal say the same thing.
///
/// It compares the `Debug` rendering with every `Span` erased rather than a hand-written
/// visitor, so that a field added to the AST later is compared without anyone having to
/// remember this function.
pub fn meaning(file: &ast::File) -> String {
    let mut file = file.clone();
    canonical_order(&mut file);
    erase_spans(&format!("{file:?}"))
}

/// Sorts the entries that the formatter reorders into the canonical order (a stable sort:
/// metrics and expects, givens, and repeated entries keep their written order).
pub fn canonical_order(file: &mut ast::File) {
    for d in &mut file.declarations {
        match d {
            ast::Declaration::Requirement(r) => r.entries.sort_by_key(requirement_rank),
            ast::Declaration::Waiver(w) => w.entries.sort_by_key(waiver_rank),
            ast::Declaration::Attestation(a) => a.entries.sort_by_key(attestation_rank),
            ast::Declaration::Test(t) => t.entries.sort_by_key(test_rank),
            _ => {}
        }
    }
}

/// A `Debug` rendering with every `Span { … }` replaced by `Span`, for comparing syntax
/// trees or checked programs of two texts whose layouts differ.
pub fn erase_spans(debug: &str) -> String {
    const SPAN: &str = "Span { file: FileId(";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find(SPAN) {
        out.push_str(rest.get(..i).unwrap_or(""));
        out.push_str("Span");
        let after = rest.get(i..).unwrap_or("");
        rest = after.find(" }").and_then(|j| after.get(j + 2..)).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Words (names, keywords, numbers) and string literals outside comments, sorted. The
/// layout changes only the space between them, so they must match; this catches code the
/// syntax tree does not record (a repeated `applicability` entry, which the parser
/// overwrites) and so would silently vanish.
fn tokens(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
            }
            b'#' => {
                i = memchr::memchr(b'\n', bytes.get(i..).unwrap_or_default()).map_or(bytes.len(), |n| i + n);
                continue;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    i += 1;
                }
            }
            _ => {
                i += 1;
                continue;
            }
        }
        out.push(text.get(start..i.min(bytes.len())).unwrap_or(""));
    }
    out.sort_unstable();
    out
}

/// Checks that `output` is a faithful layout of `input` (whose tree is `tree` and whose
/// comments are `input_comments`).
pub fn check(
    input: &str,
    tree: &ast::File,
    input_comments: &[Comment],
    output: &str,
    file: FileId,
) -> Result<(), Vec<Diagnostic>> {
    let output_comments = comments::lex(output);
    let (before, after) = (comments::texts(input_comments), comments::texts(&output_comments));
    if before != after {
        let lost = input_comments
            .iter()
            .find(|c| !after.contains(&c.text.as_str()) || count(&before, &c.text) != count(&after, &c.text));
        let mut d = failure("a comment would be lost or changed");
        if let Some(c) = lost {
            d = d.with_primary(Span::new(file, c.start, c.end), "this comment");
        }
        return Err(vec![d]);
    }
    if tokens(input) != tokens(output) {
        return Err(vec![failure(
            "the formatted text would not hold the same words and strings",
        )]);
    }
    let mut sources = SourceMap::new();
    let id = sources.add_text("<formatted>", output);
    let (reparsed, diags) = syntax::parse_file(&sources, id);
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        return Err(vec![
            failure("the formatted text would not parse")
                .with_note(format!("the parser says: {}", d.message)),
        ]);
    }
    if meaning(tree) != meaning(&reparsed) {
        return Err(vec![failure("the formatted text would parse to different rules")]);
    }
    Ok(())
}

fn count(texts: &[&str], text: &str) -> usize {
    texts.iter().filter(|t| **t == text).count()
}

fn failure(what: &str) -> Diagnostic {
    Diagnostic::new(Code::S008, format!("cannot format this file: {what}")).with_help(
        "the file is left as it is; this is a bug in `auditready fmt`, please report it with the file",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erases_every_span() {
        let debug = "Ident { name: \"a\", span: Span { file: FileId(0), start: 1, end: 2 } }";
        assert_eq!(erase_spans(debug), "Ident { name: \"a\", span: Span }");
    }

    #[test]
    fn tokens_skip_comments_and_keep_strings_whole() {
        assert_eq!(
            tokens("title \"a # b\" # c d\nx.y_1 == 24h"),
            ["\"a # b\"", "24h", "title", "x", "y_1"]
        );
    }

    #[test]
    fn a_lost_comment_is_an_error_not_a_panic() {
        let input = "param a = 1 # keep me\n";
        let mut sources = SourceMap::new();
        let id = sources.add_text("a.rules", input);
        let (tree, _) = syntax::parse_file(&sources, id);
        let comments = comments::lex(input);
        let err = check(input, &tree, &comments, "param a = 1\n", id).unwrap_err();
        assert_eq!(err[0].code, Code::S008);
        assert_eq!(err[0].primary_span(), Some(Span::new(id, 12, 21)));
        let err = check(input, &tree, &comments, "param a = 2 # keep me\n", id).unwrap_err();
        assert!(err[0].message.contains("words"), "{}", err[0].message);
    }
}
