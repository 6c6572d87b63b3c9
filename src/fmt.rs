//! `auditready fmt`: one canonical layout for every construct of the rule language.
//!
//! [`format_source`] parses a file (a file with syntax errors is refused: its diagnostics
//! are returned), prints the syntax tree in the layout below, and puts every comment back.
//! Before returning it checks its own output: it must hold exactly the input's comments,
//! words and strings, and parse to the same syntax tree (spans aside, entries in the
//! canonical order); otherwise the result is an `S008` error and nothing is written.
//! Formatting formatted output changes nothing.
//!
//! # Canonical layout
//!
//! General
//! - Two-space indentation, `\n` line ends, no trailing whitespace, one final newline.
//! - Lines aim at 100 columns; they break only where this list says, and otherwise
//!   overflow.
//! - Top-level declarations are separated by one blank line. Two one-line declarations
//!   (`param`, `override param`, `disable`) in a row keep the source's choice of none or
//!   one.
//! - Inside a block: one entry per line. A blank line the source has before an entry (or
//!   its comments) is kept, at most one; none follows `{` or precedes `}`. A block without
//!   entries or comments is `header {}`.
//! - Literals and strings are printed exactly as written: `24h` stays `24h`, `2w` stays
//!   `2w`, escapes stay escapes, multi-line descriptions and reasons stay verbatim. Only
//!   the spaces inside `12   months` shrink to one; parentheses around a lone literal go.
//!
//! Declarations
//! - `standard id "Title" {`: `clause`/`control` padded to 7 columns, ids padded so the
//!   titles align (`clause  "4.1"    "…"` / `control "A.5.18" "…"`);
//!   `superseded "old" by "new", …` with the old ids padded so `by` aligns.
//! - `dataset id "Title" {`: options first (the grammar requires it), one per line as
//!   `keyword value`, the values aligned after the longest option keyword; then `field name : type options`, names padded so `:` aligns, types
//!   padded so options align, and the first `from` of every field in one column. Options
//!   that would pass 100 columns continue on lines indented to that column (to the first
//!   option of a field without `from`).
//! - `param name = value`, `override param name = value`, `disable id "reason"`.
//! - `requirement id {`: title, clauses, severity, owner, description, allow empty, then
//!   metrics and expects in their written order (a metric stays before the expects that
//!   use it). Keywords are padded to 8 columns: `title    "…"`, `metric   name = …`,
//!   `expect   …`. A long `clauses` list wraps, continuation lines under the first
//!   reference.
//! - `waiver id {`: requirement, records, reason, approved_by, approved_on, expires;
//!   `attestation id {`: clauses, statement, document, attested_by, attested_on, expires;
//!   keywords padded to 11 columns. `applicability std {`: dataset, control, applicable,
//!   justification, padded to 13. Entries of one kind keep their written order.
//! - `test req "name" {`: as_of, params, givens, expects, each kind in written order;
//!   `given d [` with one record `{ field = value, … },` per line, then `]`; a record
//!   that does not fit wraps between cells, continuing under its first cell.
//!
//! Expressions
//! - Single spaces around binary operators, `, ` between list items and call arguments,
//!   `[a, b]`, `f(a)`, `-x`, `not x`, `x is none`.
//! - Minimal parentheses by the precedence of `syntax::lower`: `or` < `and` < `not` <
//!   comparisons, `in`, `contains`, `matches` < `is none` < `+ -` < `* /` < unary `-`;
//!   binary operators are left-associative. A quantifier is parenthesised unless it ends
//!   the expression: its filter, key or body would otherwise swallow what follows.
//! - `all c in capa where … by …: …`. A quantifier that does not fit breaks after its `:`,
//!   the body on the next line two columns in from the quantifier's keyword. If the
//!   `… where … by …:` head still does not fit, its filter breaks. An `and`/`or` chain
//!   that does not fit breaks before each `and`/`or`, aligned under its first operand
//!   (in a `where`, under the first condition). Other operators never break.
//! - A comment inside a quantifier's head (before its body) or between the operands of an
//!   `and`/`or` chain breaks that construct as above even when it would fit, so that the
//!   comment stays next to its code. Likewise a comment between two field options or two
//!   list items (clauses, records) starts the next one on a continuation line.
//!
//! # Comments
//!
//! Comments are found by a small lexer (strings, with escapes and line breaks, are
//! skipped) and put back by position ([`layout`]):
//! - An own-line comment leads the next declaration or entry that starts after it, and
//!   moves with it when entries are reordered. Blank lines between comment groups, and
//!   between the comments and what they lead, are kept (at most one).
//! - A comment after code on the same line trails the construct that ends before it.
//!   Trailing comments of consecutive lines at one indentation are aligned two columns
//!   after the longest line (blank lines and comment lines do not interrupt the run).
//! - Own-line comments after the last entry of a block stay at the end of the block;
//!   those after the last declaration stay at the end of the file.
//! - Inside a multi-line construct (an expression, a record list), an own-line comment
//!   goes before the output line that starts after it, or, when the layout joined the
//!   lines around it, trails the line that holds the token before it; a trailing comment
//!   trails the line that holds the token before it. When several comments would trail
//!   one line, all but the last move above it, in order.

mod comments;
mod decl;
mod expr;
mod layout;
mod print;
mod verify;

pub use verify::{canonical_order, erase_spans, meaning};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap};
use crate::syntax;

/// Formats rule text. Diagnostics point into a one-file [`SourceMap`] holding `text` as
/// file 0; [`format_file`] formats a file of a map of your own.
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    let mut sources = SourceMap::new();
    let id = sources.add_text("<input>", text);
    format_file(&sources, id)
}

/// Formats one file of a source map: its text in canonical layout, or the syntax errors
/// that keep it from being formatted (or an `S008` error if the formatter could not keep
/// its meaning and comments).
pub fn format_file(sources: &SourceMap, file: FileId) -> Result<String, Vec<Diagnostic>> {
    let text = sources.get(file).text.as_str();
    let (tree, diags) = syntax::parse_file(sources, file);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let comments = comments::lex(text);
    let printer = print::Printer {
        text,
        comments: &comments,
    };
    let mut unit = printer.file(&tree);
    printer.tighten(&mut unit);
    let output = layout::render(&unit, &comments, text);
    verify::check(text, &tree, &comments, &output, file)?;
    Ok(output)
}

/// Checks that `output` lays `input` out faithfully: the same comments, words and
/// strings, and the same syntax tree up to spans and entry order. [`format_source`] runs
/// this on its own output; it is public so that a layout made elsewhere can be checked
/// the same way. Diagnostics point into a one-file map holding `input` as file 0.
pub fn check_layout(input: &str, output: &str) -> Result<(), Vec<Diagnostic>> {
    let mut sources = SourceMap::new();
    let id = sources.add_text("<input>", input);
    let (tree, diags) = syntax::parse_file(&sources, id);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    verify::check(input, &tree, &comments::lex(input), output, id)
}

#[cfg(test)]
mod tests;
