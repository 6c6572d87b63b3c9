//! Findings as CSV for spreadsheets: one row per cited record (waived records included and
//! flagged), plus one row, without record columns, for each failing, erroring or
//! evidence-less requirement that cites no record (a missed metric target, a missing
//! export), so every nonconformity appears.
//!
//! RFC 4180 quoting comes from the csv crate. Every cell is also neutralised against
//! formula injection: a cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! prefixed with `'`, so a spreadsheet shows `=HYPERLINK(…)` from a Jira summary as text
//! instead of running it. Control characters are written as visible `\u{…}` escapes.

use super::RenderError;
use super::text::clean;
use crate::eval::model::*;

/// The header row.
pub const COLUMNS: [&str; 17] = [
    "requirement",
    "title",
    "severity",
    "outcome",
    "standards",
    "clauses",
    "expect",
    "dataset",
    "key",
    "file",
    "line",
    "index",
    "reason",
    "values",
    "waived",
    "waived_by",
    "owner",
];

/// Makes a cell safe to open in a spreadsheet.
pub fn neutralise(s: &str) -> String {
    let s = clean_keep_tab(s);
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s,
    }
}

/// [`clean`] folds tabs to spaces, but a leading tab must still be seen (and neutralised),
/// so clean after checking the first character.
fn clean_keep_tab(s: &str) -> String {
    match s.chars().next() {
        Some(c @ ('\t' | '\r')) => {
            let rest: String = s.chars().skip(1).collect();
            format!("{c}{}", clean(&rest))
        }
        _ => clean(s),
    }
}

/// Renders the findings CSV.
pub fn render(report: &RunReport) -> Result<Vec<u8>, RenderError> {
    let error = |e: ::csv::Error| RenderError {
        format: "csv",
        message: e.to_string(),
    };
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(error)?;
    for r in &report.requirements {
        let standards = standards(r);
        let clauses = r.clauses.join(", ");
        let severity = crate::report::view::severity_label(r.severity);
        let owner = r.owner.clone().unwrap_or_default();
        let cited = r.findings.iter().chain(&r.waived_records);
        let mut any = false;
        for f in cited {
            any = true;
            let values: Vec<String> = f
                .values
                .iter()
                .map(|v| format!("{} = {}", v.name, v.value))
                .collect();
            let expect = r
                .expects
                .get(f.expect)
                .map_or(String::new(), |e| e.expect.clone());
            let row = [
                r.id.clone(),
                r.title.clone(),
                severity.to_string(),
                r.outcome.label().to_string(),
                standards.clone(),
                clauses.clone(),
                expect,
                f.dataset.clone(),
                f.key.clone().unwrap_or_default(),
                f.file.clone(),
                f.line.map_or(String::new(), |l| l.to_string()),
                f.index.map_or(String::new(), |i| i.to_string()),
                f.reason.clone(),
                values.join("; "),
                if f.waived_by.is_some() { "yes" } else { "no" }.to_string(),
                f.waived_by.clone().unwrap_or_default(),
                owner.clone(),
            ];
            w.write_record(row.iter().map(|c| neutralise(c))).map_err(error)?;
        }
        if !any && matches!(r.outcome, Outcome::Fail | Outcome::NoEvidence | Outcome::Error) {
            let expect = r
                .expects
                .iter()
                .find(|e| e.outcome == r.outcome)
                .map_or(String::new(), |e| e.expect.clone());
            let row = [
                r.id.clone(),
                r.title.clone(),
                severity.to_string(),
                r.outcome.label().to_string(),
                standards.clone(),
                clauses.clone(),
                expect,
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                r.message.clone(),
                String::new(),
                "no".to_string(),
                String::new(),
                owner.clone(),
            ];
            w.write_record(row.iter().map(|c| neutralise(c))).map_err(error)?;
        }
    }
    w.into_inner().map_err(|e| RenderError {
        format: "csv",
        message: e.to_string(),
    })
}

/// The standards a requirement serves, in the order its clauses name them.
fn standards(r: &RequirementReport) -> String {
    let mut ids: Vec<&str> = Vec::new();
    for c in &r.clauses {
        let s = c.split_once(':').map_or(c.as_str(), |(s, _)| s);
        if !ids.contains(&s) {
            ids.push(s);
        }
    }
    ids.join(", ")
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\",\"y\")"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("plain"), "plain");
        assert_eq!(neutralise("a\u{1b}[31m"), "a\\u{1b}[31m");
    }
}
