//! A lexical pre-pass over a rule file, before pest sees it.
//!
//! It does two things the grammar cannot do well:
//! - finds where each top-level declaration starts, so that a syntax error in one
//!   declaration does not hide the errors of the others (each is parsed on its own);
//! - bounds how deeply expressions nest. The parser, the checker and the evaluator all
//!   recurse over expressions, so ten thousand `(` or a ten-megabyte chain of `a + a + …`
//!   must be refused with a clear error instead of overflowing the stack.
//!
//! The depth it measures over-approximates the depth of the syntax tree: every bracket,
//! every prefix operator or quantifier keyword, every infix operator and field access
//! counts one level until a `,` or a statement keyword ends the expression.

use std::ops::Range;

/// The deepest nesting accepted; far beyond any real rule, shallow enough for the stack.
pub const MAX_DEPTH: usize = 256;

/// Words that begin a top-level declaration.
pub const DECLARATION_WORDS: &[&str] = &[
    "standard",
    "dataset",
    "override",
    "param",
    "requirement",
    "waiver",
    "applicability",
    "attestation",
    "disable",
    "test",
];

/// Words that begin an entry inside a block and so end any expression before them.
const ENTRY_WORDS: &[&str] = &[
    "metric",
    "expect",
    "given",
    "param",
    "title",
    "owner",
    "description",
    "severity",
    "clauses",
    "field",
    "source",
    "allow",
];

/// Words that open a nested expression that extends to the end of the enclosing one.
const OPENER_WORDS: &[&str] = &[
    "not", "all", "any", "no", "count", "share", "min", "max", "sum", "avg", "median",
];

/// Words that are infix or postfix operators.
const OPERATOR_WORDS: &[&str] = &["and", "or", "in", "contains", "matches", "is"];

/// Words after which a `-` is a prefix minus.
const NON_OPERAND_WORDS: &[&str] = &["where", "by", "within"];

/// What the scan found.
#[derive(Debug, Default, PartialEq)]
pub struct Scan {
    /// Byte ranges of the top-level declarations, each starting at the beginning of the
    /// line its keyword is on.
    pub chunks: Vec<Range<usize>>,
    /// The first place where nesting exceeds [`MAX_DEPTH`]: byte offset of the token.
    pub too_deep: Option<usize>,
}

#[derive(Default)]
struct Frame {
    /// Levels added inside this bracket pair since the last `,` or entry keyword.
    levels: usize,
}

/// Scans a rule file; never fails, whatever the bytes.
pub fn scan(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut frames: Vec<Frame> = vec![Frame::default()];
    let mut starts: Vec<usize> = Vec::new();
    let mut too_deep = None;
    let mut prev_operand = false;
    let mut prev_word_override = false;
    let mut i = 0;

    let depth = |frames: &[Frame]| -> usize { frames.iter().map(|f| 1 + f.levels).sum() };

    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'#' => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                prev_operand = true;
                prev_word_override = false;
                continue;
            }
            b'(' | b'[' | b'{' => {
                frames.push(Frame::default());
                prev_operand = false;
            }
            b')' | b']' | b'}' => {
                if frames.len() > 1 {
                    frames.pop();
                }
                prev_operand = true;
            }
            b',' | b':' | b'=' if !(b == b'=' && bytes.get(i + 1) == Some(&b'=')) => {
                // A `,` starts a sibling expression; `:` starts a quantifier body (whose
                // opener was already counted) and `=` a param or metric definition.
                if b == b',' || b == b'=' {
                    if let Some(f) = frames.last_mut() {
                        f.levels = 0;
                    }
                }
                prev_operand = false;
            }
            b'-' if !prev_operand => bump(&mut frames),
            b'+' | b'-' | b'*' | b'/' | b'<' | b'>' | b'=' | b'!' | b'.' => {
                bump(&mut frames);
                // Two-character operators count once.
                if matches!(bytes.get(i + 1), Some(b'=')) {
                    i += 1;
                }
                prev_operand = false;
            }
            b'0'..=b'9' => {
                i = skip_literal(bytes, i);
                prev_operand = true;
                prev_word_override = false;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                let after_dot = start > 0 && bytes[start - 1] == b'.';
                if frames.len() == 1
                    && !after_dot
                    && DECLARATION_WORDS.contains(&word)
                    && !(prev_word_override && word == "param")
                {
                    starts.push(start);
                    if let Some(f) = frames.last_mut() {
                        f.levels = 0;
                    }
                } else if !after_dot && ENTRY_WORDS.contains(&word) {
                    if let Some(f) = frames.last_mut() {
                        f.levels = 0;
                    }
                } else if !after_dot
                    && (OPENER_WORDS.contains(&word) || is_percentile(word) || OPERATOR_WORDS.contains(&word))
                {
                    // Prefix words open a nested expression; infix words lengthen a chain.
                    // Both add a level of the syntax tree.
                    bump(&mut frames);
                    prev_operand = false;
                    prev_word_override = false;
                    if too_deep.is_none() && depth(&frames) > MAX_DEPTH {
                        too_deep = Some(start);
                    }
                    continue;
                }
                prev_operand = after_dot || !NON_OPERAND_WORDS.contains(&word);
                prev_word_override = word == "override";
                continue;
            }
            _ => {}
        }
        if too_deep.is_none() && depth(&frames) > MAX_DEPTH {
            too_deep = Some(i);
        }
        i += 1;
    }

    Scan {
        chunks: chunks(text, &starts),
        too_deep,
    }
}

fn bump(frames: &mut [Frame]) {
    if let Some(f) = frames.last_mut() {
        f.levels += 1;
    }
}

fn is_percentile(word: &str) -> bool {
    let digits = word.strip_prefix('p').unwrap_or("");
    (1..=2).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Skips a literal that starts with a digit: a number, a date or date-time, a duration or
/// a percentage. Mirrors the grammar's literals closely enough that a `-` inside a date
/// is not taken for an operator, while `1-1-1` still counts its operators.
fn skip_literal(bytes: &[u8], mut i: usize) -> usize {
    let start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let is_date = i - start == 4
        && bytes.get(i) == Some(&b'-')
        && bytes
            .get(i + 1..i + 3)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && bytes.get(i + 3) == Some(&b'-')
        && bytes
            .get(i + 4..i + 6)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if is_date {
        i += 6;
        if bytes.get(i) == Some(&b'T') {
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_digit() || matches!(bytes[i], b':' | b'.' | b'Z' | b'+' | b'-'))
            {
                i += 1;
            }
        }
        return i;
    }
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    // Units and percent signs: `30d`, `1d12h`, `95%`.
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'%' || bytes[i] == b'.') {
        i += 1;
    }
    i
}

/// Splits the text at declaration starts; text before the first declaration (comments,
/// or garbage) is a chunk of its own.
fn chunks(text: &str, starts: &[usize]) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(starts.len() + 1);
    let mut prev = 0;
    for &s in starts.iter().skip_while(|&&s| s == 0) {
        // Move the boundary back to the start of the declaration's line so its leading
        // indentation stays with it, unless something else stands before it on that line
        // (`} waiver W-1 {`): then the boundary is the keyword itself.
        let line_start = text[..s].rfind('\n').map_or(0, |n| n + 1).max(prev);
        let boundary = if text[line_start..s].trim().is_empty() {
            line_start
        } else {
            s
        };
        if boundary > prev {
            out.push(prev..boundary);
        }
        prev = boundary;
    }
    if prev < text.len() || out.is_empty() {
        out.push(prev..text.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_top_level_declarations_only() {
        let text = "param a = 1\nrequirement r {\n  expect a > 0 # param here is a comment\n}\noverride param a = 2\n";
        let s = scan(text);
        let parts: Vec<&str> = s.chunks.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            parts,
            [
                "param a = 1\n",
                "requirement r {\n  expect a > 0 # param here is a comment\n}\n",
                "override param a = 2\n"
            ]
        );
        assert_eq!(s.too_deep, None);
    }

    #[test]
    fn a_declaration_may_follow_a_brace_on_the_same_line() {
        let text = "requirement r { title \"x\" } waiver W-1 { reason \"y\" }";
        let s = scan(text);
        let parts: Vec<&str> = s.chunks.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            parts,
            ["requirement r { title \"x\" } ", "waiver W-1 { reason \"y\" }"]
        );
    }

    #[test]
    fn words_in_strings_do_not_split() {
        let text = "requirement r { title \"test the dataset\" }";
        assert_eq!(scan(text).chunks.len(), 1);
    }

    #[test]
    fn bounds_bracket_depth() {
        let text = format!("param a = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let s = scan(&text);
        assert!(s.too_deep.is_some());
    }

    #[test]
    fn bounds_operator_chains_and_prefix_runs() {
        for text in [
            format!("param a = 1{}", " + 1".repeat(5_000)),
            format!("param a = {}true", "not ".repeat(5_000)),
            format!("param a = {}1", "-".repeat(5_000)),
            format!("param a = x{}", ".y".repeat(5_000)),
            format!("param a = 1{}", "-1".repeat(5_000)),
        ] {
            assert!(scan(&text).too_deep.is_some(), "{}", &text[..40]);
        }
    }

    #[test]
    fn real_expressions_stay_shallow() {
        let text = "requirement r { expect all l in leavers where l.terminated <= as_of - 1d:\n any e in events where lower(e.user) == lower(l.email) and e.kind == \"x\" and e.at >= l.terminated:\n e.at - l.terminated <= 24h\n metric m = [1, 2, 3] }";
        assert_eq!(scan(text).too_deep, None);
        let list = format!("param l = [{}]", "\"a\", ".repeat(10_000));
        assert_eq!(scan(&list).too_deep, None);
        assert_eq!(
            scan("param d = 2026-11-22T10:00:00+02:00 - 2026-11-21").too_deep,
            None
        );
    }
}
