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
            let help = if positives.contains(&Rule::span_unit) {
                Some(span_unit_help(text, start, &found.0))
            } else {
                syntax_help(&found.0)
            };
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

/// After a number and a space, a calendar span unit was expected: `30 d` is a duration
/// written with a space, `12 monthz` a misspelt unit.
fn span_unit_help(text: &str, start: usize, found: &str) -> String {
    let word = found.trim_matches('`');
    if ["ms", "s", "min", "h", "d", "w"].contains(&word) {
        let number: String = text
            .get(..start)
            .unwrap_or("")
            .trim_end()
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("a duration has no space between number and unit: write `{number}{word}`")
    } else {
        "a calendar span is a whole number, a space and `months` or `years`, like `12 months`".to_string()
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
    if name.starts_with("op_") {
        return Expected::Group("an operator");
    }
    let group = match rule {
        Rule::file
        | Rule::declaration
        | Rule::standard
        | Rule::dataset
        | Rule::param
        | Rule::override_param
        | Rule::requirement
        | Rule::waiver
        | Rule::applicability
        | Rule::attestation
        | Rule::disable
        | Rule::test => Some(
            "a declaration (`standard`, `dataset`, `param`, `requirement`, `waiver`, `attestation`, `test`, …)",
        ),
        Rule::standard_entry | Rule::clause_decl | Rule::control_decl | Rule::superseded_decl => {
            Some("a catalog entry (`clause`, `control`, `superseded`)")
        }
        Rule::dataset_option
        | Rule::source_opt
        | Rule::format_opt
        | Rule::delimiter_opt
        | Rule::encoding_opt
        | Rule::sheet_opt
        | Rule::records_opt
        | Rule::null_opt
        | Rule::timezone_opt
        | Rule::true_opt
        | Rule::false_opt
        | Rule::separator_opt
        | Rule::decimal_comma_opt
        | Rule::year_pivot_opt
        | Rule::unescape_opt
        | Rule::freshness_opt => Some("a dataset option (`source`, `format`, `field`, `timezone`, …)"),
        Rule::field_option
        | Rule::key_opt
        | Rule::required_opt
        | Rule::from_opt
        | Rule::field_format_opt
        | Rule::unit_opt => Some("a field option (`key`, `required`, `from`, `format`, `unit`)"),
        Rule::requirement_entry
        | Rule::title_opt
        | Rule::clauses_opt
        | Rule::severity_opt
        | Rule::owner_opt
        | Rule::description_opt
        | Rule::allow_empty_opt
        | Rule::metric
        | Rule::expect => Some(
            "another requirement entry (`title`, `clauses`, `severity`, `owner`, `description`, `metric`, `expect`)",
        ),
        Rule::waiver_entry
        | Rule::requirement_opt
        | Rule::records_opt_w
        | Rule::reason_opt
        | Rule::approved_by_opt
        | Rule::approved_on_opt
        | Rule::expires_opt => Some(
            "a waiver entry (`requirement`, `records`, `reason`, `approved_by`, `approved_on`, `expires`)",
        ),
        Rule::applicability_entry
        | Rule::app_dataset
        | Rule::app_control
        | Rule::app_applicable
        | Rule::app_justification => {
            Some("an applicability entry (`dataset`, `control`, `applicable`, `justification`)")
        }
        Rule::attestation_entry
        | Rule::statement_opt
        | Rule::attested_by_opt
        | Rule::attested_on_opt
        | Rule::document_opt => Some(
            "an attestation entry (`clauses`, `statement`, `attested_by`, `attested_on`, `document`, `expires`)",
        ),
        Rule::test_entry | Rule::test_as_of | Rule::test_param | Rule::given | Rule::test_expect => {
            Some("a test entry (`as_of`, `param`, `given`, `expect`)")
        }
        Rule::expect_status | Rule::expect_fails | Rule::expect_metric => {
            Some("an expected outcome (`pass`, `fail`, `waived`, `metric`, …)")
        }
        Rule::infix | Rule::postfix => Some("an operator"),
        _ => None,
    };
    if let Some(g) = group {
        return Expected::Group(g);
    }
    let text = match rule {
        Rule::EOI => "end of file",
        Rule::expression
        | Rule::expr
        | Rule::prefix
        | Rule::operand
        | Rule::quantifier
        | Rule::literal
        | Rule::path
        | Rule::call
        | Rule::paren
        | Rule::list => "an expression",
        Rule::as_of => "`as_of`",
        Rule::quant_source => "a dataset name or a list",
        Rule::ident | Rule::ident_char => "a name",
        Rule::keyword => "a keyword",
        Rule::field_name => "a field name",
        Rule::dotted_id => "a requirement id like `capa.cycle_time`",
        Rule::record_id => "an id like `W-2026-004`",
        Rule::string | Rule::string_list => "a string in double quotes",
        Rule::string_body => "the rest of the string",
        Rule::escape => "an escape (`\\\"`, `\\\\`, `\\n`, `\\t`, `\\r` or `\\u{…}`)",
        Rule::clause_ref => "a clause reference like `iso27001:A.5.18`",
        Rule::clause_id | Rule::clause_seg => "a clause id like `9.2` or `A.5.18`",
        Rule::date | Rule::date_digits => "a date like `2026-11-22`",
        Rule::datetime => "a date-time like `2026-11-22T10:00:00Z`",
        Rule::duration | Rule::duration_part => "a duration like `24h`",
        Rule::span => "a calendar span like `12 months`",
        Rule::span_unit => "`months` or `years`",
        Rule::percent => "a percentage like `95%`",
        Rule::number => "a number",
        Rule::int => "a whole number",
        Rule::boolean => "`true` or `false`",
        Rule::none => "`none`",
        Rule::field_type => "a type (text, int, number, bool, date, datetime, duration, percent, list)",
        Rule::field_decl => "`field`",
        Rule::source_format => "`csv`, `json`, `jsonl` or `xlsx`",
        Rule::duration_unit => "a unit (`s`, `min`, `h`, `d`, `w`)",
        Rule::severity => "`major`, `minor` or `observation`",
        Rule::quant_kind | Rule::percentile => "a quantifier",
        Rule::filter => "`where`",
        Rule::group => "`by`",
        Rule::body => "`:`",
        Rule::given_csv => "`csv` and a string",
        Rule::given_rows => "records in `[ … ]`",
        Rule::given_row => "a record `{ field = value, … }`",
        Rule::given_cell => "`field = value`",
        Rule::WHITESPACE => "a space",
        Rule::COMMENT => "a comment",
        // Every rule has a text (a test checks it); a new rule falls back to this.
        _ => "something else",
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

    /// Grammar names (`span_unit`, `file`) must not reach a message: every rule reads as
    /// words of the language.
    #[test]
    fn every_rule_has_readable_text() {
        for rule in Rule::all_rules() {
            let text = match expected_item(*rule) {
                Expected::Specific(s) => s,
                Expected::Group(g) => g.to_string(),
            };
            assert_ne!(text, "something else", "{rule:?} has no text");
            // Outside backticks, no identifier with an underscore.
            let prose: String = text.split('`').step_by(2).collect();
            assert!(!prose.contains('_'), "{rule:?} reads `{text}`");
        }
    }
}
