//! Syntax errors in the words of a rule author: what was expected, what was found.

use super::grammar::Rule;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// The diagnostic for a pest error in a chunk at `offset` of `file`: what was expected,
/// what was found, and a help line for common slips.
pub(super) fn syntax_error(
    err: &pest::error::Error<Rule>,
    text: &str,
    file: FileId,
    offset: usize,
) -> Diagnostic {
    let at = |start: usize, end: usize| Span::new(file, offset + start, offset + end);
    let (start, end) = match err.location {
        pest::error::InputLocation::Pos(p) => (p, p),
        pest::error::InputLocation::Span((a, b)) => (a, b),
    };
    let found = found_at(text, start);
    let found_len = if found.0 == "end of file" { 0 } else { found.1 };
    let span = at(start, end.max(start + found_len));
    match &err.variant {
        pest::error::ErrorVariant::CustomError { message } => {
            let limit = message.contains("limit");
            Diagnostic::new(if limit { Code::S002 } else { Code::S001 }, message.clone())
                .with_primary(span, "here")
        }
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            if found.0 == "a string" && unterminated_string(text, start) {
                return Diagnostic::new(Code::S001, "unterminated string")
                    .with_primary(at(start, start + 1), "this string is never closed")
                    .with_help("close it with `\"`; a `\"` inside a string is written `\\\"`");
            }
            let mut specific: Vec<String> = Vec::new();
            let mut groups: Vec<&'static str> = Vec::new();
            for rule in positives {
                match expected_item(*rule) {
                    Expected::Specific(s) => push_unique(&mut specific, s),
                    Expected::Group(g) => {
                        if !groups.contains(&g) {
                            groups.push(g);
                        }
                    }
                }
            }
            if let Some(attempts) = err.parse_attempts() {
                for token in attempts.expected_tokens() {
                    let t = token.to_string();
                    if STRUCTURAL_TOKENS.contains(&t.as_str()) {
                        push_unique(&mut specific, format!("`{t}`"));
                    }
                }
            }
            specific.extend(groups.iter().map(|g| g.to_string()));
            let expected = join_alternatives(&specific);
            let message = format!("expected {expected}, found {}", found.0);
            let help = syntax_help(&found.0);
            Diagnostic::new(Code::S001, message)
                .with_primary(span, format!("expected {expected}"))
                .with_help_opt(help)
        }
    }
}

// `(` is left out: after any name a call could follow, and naming it there only misleads.
const STRUCTURAL_TOKENS: &[&str] = &["{", "}", ")", "[", "]", ":", ",", "=", ".."];

fn push_unique(items: &mut Vec<String>, item: String) {
    if !items.contains(&item) {
        items.push(item);
    }
}

/// True when the string starting at `offset` is never closed.
fn unterminated_string(text: &str, offset: usize) -> bool {
    let mut chars = text.get(offset + 1..).unwrap_or("").chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return false,
            _ => {}
        }
    }
    true
}

/// The token at a byte offset, for "found …" in syntax errors, and its length in bytes.
fn found_at(text: &str, offset: usize) -> (String, usize) {
    let rest = text.get(offset..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    if first.is_alphanumeric() || first == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .take(40)
            .collect();
        let len = word.len();
        return (format!("`{word}`"), len);
    }
    if first == '\n' || first == '\r' {
        return ("end of line".to_string(), first.len_utf8());
    }
    if first == '"' {
        return ("a string".to_string(), 1);
    }
    let shown = if first.is_control() || first.is_whitespace() {
        first.escape_default().to_string()
    } else {
        first.to_string()
    };
    (format!("`{shown}`"), first.len_utf8())
}

fn syntax_help(found: &str) -> Option<String> {
    match found {
        "`=`" => Some("comparisons use `==`".into()),
        "`'`" => Some("strings are written in double quotes".into()),
        "a string" => Some("is a `,` missing between list items, or a keyword before the string?".into()),
        _ => None,
    }
}

/// Joins "a", "b", "c" into "a, b or c", capped so the message stays one line.
fn join_alternatives(items: &[String]) -> String {
    const MAX: usize = 8;
    let shown: Vec<&str> = items.iter().take(MAX).map(String::as_str).collect();
    let more = items.len() > MAX;
    match shown.as_slice() {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] if !more => format!("{} or {last}", init.join(", ")),
        all => format!("{}, …", all.join(", ")),
    }
}

/// How an expected rule is named in an error message.
enum Expected {
    /// Named on its own.
    Specific(String),
    /// Named as part of a group, once.
    Group(&'static str),
}

const REQUIREMENT_ENTRIES: &[&str] = &[
    "title",
    "clauses",
    "severity",
    "owner",
    "description",
    "allow",
    "metric",
    "expect",
];
const DECLARATIONS: &[&str] = &[
    "standard",
    "dataset",
    "param",
    "override",
    "requirement",
    "waiver",
    "applicability",
    "attestation",
    "disable",
    "test",
];
const OPERATOR_WORDS: &[&str] = &["and", "or", "in", "not", "contains", "matches", "is"];

/// What a grammar rule means, in the words of an error message.
fn expected_item(rule: Rule) -> Expected {
    let name = format!("{rule:?}");
    if let Some(word) = name.strip_prefix("kw_") {
        if REQUIREMENT_ENTRIES.contains(&word) {
            return Expected::Group(
                "another requirement entry (`title`, `clauses`, `severity`, `owner`, `description`, `metric`, `expect`)",
            );
        }
        if DECLARATIONS.contains(&word) {
            return Expected::Group(
                "a declaration (`standard`, `dataset`, `param`, `requirement`, `waiver`, `attestation`, `test`, …)",
            );
        }
        if OPERATOR_WORDS.contains(&word) {
            return Expected::Group("an operator");
        }
        return Expected::Specific(format!("`{word}`"));
    }
    let text = match rule {
        Rule::EOI => "end of file",
        Rule::expr
        | Rule::operand
        | Rule::quantifier
        | Rule::literal
        | Rule::path
        | Rule::call
        | Rule::paren
        | Rule::list => "an expression",
        Rule::quant_source => "a dataset name or a list",
        Rule::ident => "a name",
        Rule::field_name => "a field name",
        Rule::dotted_id => "a requirement id like `capa.cycle_time`",
        Rule::record_id => "an id like `W-2026-004`",
        Rule::string | Rule::string_list => "a string in double quotes",
        Rule::clause_ref => "a clause reference like `iso27001:A.5.18`",
        Rule::clause_id => "a clause id like `9.2` or `A.5.18`",
        Rule::date => "a date like `2026-11-22`",
        Rule::datetime => "a date-time like `2026-11-22T10:00:00Z`",
        Rule::duration => "a duration like `24h`",
        Rule::int => "a whole number",
        Rule::field_type => "a type (text, int, number, bool, date, datetime, duration, percent, list)",
        Rule::source_format => "`csv`, `json`, `jsonl` or `xlsx`",
        Rule::duration_unit => "a unit (`s`, `min`, `h`, `d`, `w`)",
        Rule::severity => "`major`, `minor` or `observation`",
        Rule::quant_kind | Rule::percentile => "a quantifier",
        Rule::filter => "`where`",
        Rule::group => "`by`",
        Rule::body => "`:`",
        Rule::field_decl => "`field`",
        Rule::given_row => "a record `{ field = value, … }`",
        Rule::given_cell => "`field = value`",
        _ if name.starts_with("op_") => return Expected::Group("an operator"),
        _ => return Expected::Specific(name.replace('_', " ")),
    };
    Expected::Specific(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_read_naturally() {
        let items: Vec<String> = ["`a`", "`b`", "`c`"].iter().map(|s| s.to_string()).collect();
        assert_eq!(join_alternatives(&items), "`a`, `b` or `c`");
    }
}
