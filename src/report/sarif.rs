//! SARIF 2.1.0 for rule diagnostics (`auditready check --format sarif`), for code-scanning
//! dashboards and editors.
//!
//! One run; `tool.driver.rules` lists every diagnostic code of the registry (so a code's
//! `ruleIndex` never changes), with the code's title as short description and its
//! What/Why/Example documentation as full description and help. Each diagnostic is a result
//! with its level, message (and help), and the primary span as a region; secondary labels
//! are related locations. Columns count Unicode code points, as the human renderer does.
//!
//! Locations are the rules directory as given on the command line joined with the file's
//! path inside it (`rules/shared/improvement.rules`, forward slashes, no leading `./`). A
//! relative one has the `uriBaseId` `%SRCROOT%`: GitHub code scanning resolves relative
//! URIs against the repository root and ignores `originalUriBaseIds`, so `check` is run
//! from the checkout's root with a path relative to it, and the log does not depend on the
//! machine that wrote it. An absolute rules directory gives absolute `file://` URIs. With
//! several rules directories the file names already start with their directory.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// Where the rule files are.
#[derive(Clone, Debug)]
pub enum RulesBase {
    /// One rules directory, as given on the command line.
    Dir(String),
    /// Several: file names carry their directory.
    Several,
}

/// The path of a rule file as the command line named it: the rules directory joined with
/// the file's name, with forward slashes and without a leading `./`. With an empty `name`,
/// the prefix to put before names (`rules/`, or nothing for `.`).
pub fn rule_file_path(base: &RulesBase, name: &str) -> String {
    let name = name.replace('\\', "/");
    let RulesBase::Dir(dir) = base else {
        return name;
    };
    let mut dir = dir.replace('\\', "/");
    while let Some(rest) = dir.strip_prefix("./") {
        dir = rest.to_string();
    }
    let absolute = dir.starts_with('/');
    let trimmed = dir.trim_end_matches('/');
    match trimmed {
        "" if absolute => format!("/{name}"),
        "" | "." => name,
        _ => format!("{trimmed}/{name}"),
    }
}

/// Where a rule file is, as a SARIF `artifactLocation`: an absolute `file://` URI for an
/// absolute path, else a path relative to `%SRCROOT%` (the repository root).
fn artifact_location(path: &str) -> Value {
    // `C:/rules/x.rules` (a Windows drive, slashes already forward) is absolute too.
    let drive = matches!(path.as_bytes(), [d, b':', b'/', ..] if d.is_ascii_alphabetic());
    if path.starts_with('/') {
        json!({ "uri": format!("file://{}", uri_path(path)) })
    } else if drive {
        json!({ "uri": format!("file:///{}", uri_path(path)) })
    } else {
        json!({ "uri": uri_path(path), "uriBaseId": "%SRCROOT%" })
    }
}

/// Percent-encodes a relative path for a URI reference (keeps `/` and unreserved bytes).
pub fn uri_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A PascalCase name from a code's title: `unknown clause` → `UnknownClause`.
fn rule_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The SARIF log as JSON.
pub fn log(diags: &[Diagnostic], sources: &SourceMap, base: &RulesBase) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            // The registry's doc lines keep the space after `///`.
            let doc = c
                .documentation()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n");
            json!({
                "id": c.as_str(),
                "name": rule_name(c.title()),
                "shortDescription": { "text": c.title() },
                "fullDescription": { "text": doc },
                "help": { "text": doc },
                "defaultConfiguration": { "level": level(c.default_severity()) },
            })
        })
        .collect();
    let location = |span: Span, message: Option<&str>| {
        let file = sources.get(span.file);
        let (start_line, start_column) = file.line_col(span.start);
        let (end_line, end_column) = file.line_col(span.end);
        let mut l = json!({
            "physicalLocation": {
                "artifactLocation": artifact_location(&rule_file_path(base, &file.name)),
                "region": {
                    "startLine": start_line,
                    "startColumn": start_column,
                    "endLine": end_line,
                    "endColumn": end_column,
                },
            },
        });
        if let (Some(m), Some(obj)) = (message, l.as_object_mut()) {
            obj.insert("message".into(), json!({ "text": m }));
        }
        l
    };
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            for note in &d.notes {
                text.push_str("\nnote: ");
                text.push_str(note);
            }
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut r = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": index,
                "level": level(d.severity),
                "message": { "text": text },
            });
            let primary = d.primary_span();
            if let (Some(span), Some(obj)) = (primary, r.as_object_mut()) {
                let label = d
                    .labels
                    .iter()
                    .find(|l| l.span == span)
                    .map(|l| l.message.as_str());
                obj.insert("locations".into(), json!([location(span, label)]));
                let related: Vec<Value> = d
                    .labels
                    .iter()
                    .filter(|l| l.span != span)
                    .enumerate()
                    .map(|(i, l)| {
                        let mut v = location(l.span, Some(&l.message));
                        if let Some(o) = v.as_object_mut() {
                            o.insert("id".into(), json!(i + 1));
                        }
                        v
                    })
                    .collect();
                if !related.is_empty() {
                    obj.insert("relatedLocations".into(), Value::Array(related));
                }
            }
            r
        })
        .collect();
    let run = json!({
        "tool": {
            "driver": {
                "name": "auditready",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            },
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

/// Writes the SARIF log.
pub fn render(
    diags: &[Diagnostic],
    sources: &SourceMap,
    base: &RulesBase,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text = serde_json::to_string_pretty(&log(diags, sources, base)).map_err(io::Error::other)?;
    writeln!(out, "{}", super::oscal::html_safe_json(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_files_are_named_by_the_rules_directory_as_given() {
        let dir = |d: &str| RulesBase::Dir(d.to_string());
        assert_eq!(
            rule_file_path(&dir("rules"), "shared/x.rules"),
            "rules/shared/x.rules"
        );
        assert_eq!(rule_file_path(&dir("./rules/"), "x.rules"), "rules/x.rules");
        assert_eq!(rule_file_path(&dir("."), "x.rules"), "x.rules");
        assert_eq!(
            rule_file_path(&dir("/srv/rules"), "x.rules"),
            "/srv/rules/x.rules"
        );
        assert_eq!(rule_file_path(&dir("/"), "x.rules"), "/x.rules");
        assert_eq!(rule_file_path(&dir("rules"), ""), "rules/");
        assert_eq!(rule_file_path(&RulesBase::Several, "lib/x.rules"), "lib/x.rules");
    }

    #[test]
    fn relative_paths_sit_under_srcroot_and_absolute_ones_are_file_uris() {
        assert_eq!(
            artifact_location("rules/a b.rules"),
            json!({ "uri": "rules/a%20b.rules", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact_location("/srv/rules/x.rules"),
            json!({ "uri": "file:///srv/rules/x.rules" })
        );
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(rule_name("unknown clause"), "UnknownClause");
        assert_eq!(rule_name("invalid utf-8"), "InvalidUtf8");
    }
}
