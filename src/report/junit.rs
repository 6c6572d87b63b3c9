//! JUnit XML for CI: a test suite per standard, a test case per requirement per standard
//! (a requirement serving five standards is one test case in each of five suites).
//!
//! `fail`, `no evidence` and `error` are `<failure>`s whose `type` says which, carrying the
//! message and the cited records; `waived` and `not applicable` are `<skipped>` with the
//! reason. A standard that is `not ready` although none of its cases fails (it has no
//! requirement in scope) gets one more failing case, `readiness verdict`, so CI does not
//! show a green suite for it. The layout follows the Apache Ant JUnit schema (every suite has `properties`,
//! `system-out` and `system-err`; `testsuites` has no attributes). Text is escaped for XML
//! and characters XML 1.0 forbids (and other control characters, which could drive a CI
//! console) are written as visible `\u{…}` escapes.

use std::fmt::Write as _;

use super::view;
use crate::eval::model::*;

/// Escapes text for an XML attribute or element, replacing control characters.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Character references keep line breaks and tabs in attributes, which XML
            // would otherwise normalise to spaces.
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Like [`xml`], but for element text: line breaks and quotes stay literal.
fn xml_text(s: &str) -> String {
    xml(s)
        .replace("&#10;", "\n")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
}

/// Renders the JUnit report.
pub fn render(report: &RunReport) -> String {
    let mut w = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    // JUnit timestamps carry no zone; as_of is midnight UTC.
    let timestamp = report
        .as_of
        .trim_end_matches('Z')
        .get(..19)
        .unwrap_or("1970-01-01T00:00:00")
        .to_string();
    let by_id = crate::eval::by_id(&report.requirements);
    let mut id = 0;
    for s in &report.standards {
        let prefix = format!("{}:", s.id);
        let cases: Vec<(&RequirementReport, Vec<&str>)> = s
            .requirements
            .iter()
            .filter_map(|rid| by_id.get(rid.as_str()).copied())
            .map(|r| {
                let clauses = r
                    .clauses
                    .iter()
                    .filter_map(|c| c.strip_prefix(prefix.as_str()))
                    .collect();
                (r, clauses)
            })
            .collect();
        let c = &s.coverage;
        let properties = [
            ("standard", s.id.clone()),
            ("title", s.title.clone()),
            ("verdict", s.verdict.label().to_string()),
            ("verdict_reason", s.verdict_reason.clone()),
            (
                "clause_coverage",
                format!(
                    "{} automated, {} attested, {} manual of {}",
                    c.clauses.automated, c.clauses.attested, c.clauses.manual, c.clauses.total
                ),
            ),
            (
                "control_coverage",
                format!(
                    "{} automated, {} attested, {} manual, {} excluded of {}",
                    c.controls.automated,
                    c.controls.attested,
                    c.controls.manual,
                    c.controls.excluded,
                    c.controls.total
                ),
            ),
            ("as_of", report.as_of.clone()),
            ("tool", format!("{} {}", report.tool.name, report.tool.version)),
        ];
        // A `not ready` standard must not look green: when no case fails (no requirement
        // serves it), the verdict itself is the failing case.
        let any_failing = cases.iter().any(|(r, _)| failing(r.outcome));
        let verdict_failure = (s.verdict == Verdict::NotReady && !any_failing)
            .then(|| format!("{}: {} — {}", s.title, s.verdict.label(), s.verdict_reason));
        let out = format!(
            "{}: {} — {}\n{}",
            s.title,
            s.verdict.label(),
            s.verdict_reason,
            report.combined.reuse
        );
        suite(
            &mut w,
            SuiteHead {
                name: &s.title,
                package: &s.id,
                id,
                timestamp: &timestamp,
                properties: &properties,
                system_out: &out,
                verdict_failure: verdict_failure.as_deref(),
            },
            &cases,
            report,
        );
        id += 1;
    }
    // Requirements that cite no clause of a standard in scope would otherwise vanish from
    // CI: they get a suite of their own.
    let unmapped: Vec<(&RequirementReport, Vec<&str>)> = report
        .requirements
        .iter()
        .filter(|r| !report.standards.iter().any(|s| s.requirements.contains(&r.id)))
        .map(|r| (r, Vec::new()))
        .collect();
    if !unmapped.is_empty() {
        suite(
            &mut w,
            SuiteHead {
                name: "Requirements without a clause in scope",
                package: "unmapped",
                id,
                timestamp: &timestamp,
                properties: &[("as_of", report.as_of.clone())],
                system_out: "",
                verdict_failure: None,
            },
            &unmapped,
            report,
        );
    }
    w.push_str("</testsuites>\n");
    w
}

struct SuiteHead<'a> {
    name: &'a str,
    package: &'a str,
    id: usize,
    timestamp: &'a str,
    properties: &'a [(&'a str, String)],
    system_out: &'a str,
    /// The message of the extra `readiness verdict` failure, when the standard is not
    /// ready although no case fails.
    verdict_failure: Option<&'a str>,
}

/// Outcomes written as `<failure>`.
fn failing(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Fail | Outcome::NoEvidence | Outcome::Error)
}

fn suite(w: &mut String, head: SuiteHead<'_>, cases: &[(&RequirementReport, Vec<&str>)], report: &RunReport) {
    let extra = usize::from(head.verdict_failure.is_some());
    let failures = cases.iter().filter(|(r, _)| failing(r.outcome)).count() + extra;
    let skipped = cases
        .iter()
        .filter(|(r, _)| matches!(r.outcome, Outcome::Waived | Outcome::NotApplicable))
        .count();
    let _ = writeln!(
        w,
        "  <testsuite name=\"{}\" package=\"{}\" id=\"{}\" timestamp=\"{}\" hostname=\"localhost\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">",
        xml(head.name),
        xml(head.package),
        head.id,
        xml(head.timestamp),
        cases.len() + extra
    );
    let _ = writeln!(w, "    <properties>");
    for (name, value) in head.properties {
        let _ = writeln!(
            w,
            "      <property name=\"{}\" value=\"{}\"/>",
            xml(name),
            xml(value)
        );
    }
    let _ = writeln!(w, "    </properties>");
    for (r, clauses) in cases {
        case(w, r, clauses, head.package, report);
    }
    if let Some(message) = head.verdict_failure {
        let _ = writeln!(
            w,
            "    <testcase name=\"readiness verdict\" classname=\"{}\" time=\"0\">\n      <failure type=\"not ready\" message=\"{}\">{}</failure>\n    </testcase>",
            xml(head.package),
            xml(message),
            xml_text(message)
        );
    }
    let _ = writeln!(w, "    <system-out>{}</system-out>", xml_text(head.system_out));
    let _ = writeln!(w, "    <system-err></system-err>");
    let _ = writeln!(w, "  </testsuite>");
}

fn case(w: &mut String, r: &RequirementReport, clauses: &[&str], package: &str, report: &RunReport) {
    let _ = write!(
        w,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
        xml(&r.id),
        xml(package)
    );
    match r.outcome {
        Outcome::Pass => {
            let _ = writeln!(w, "/>");
        }
        Outcome::Waived | Outcome::NotApplicable => {
            let reason = match r.outcome {
                Outcome::Waived => waived_reason(r, report),
                _ => r.message.clone(),
            };
            let _ = writeln!(
                w,
                ">\n      <skipped message=\"{}: {}\"/>\n    </testcase>",
                r.outcome.label(),
                xml(&reason)
            );
        }
        Outcome::Fail | Outcome::NoEvidence | Outcome::Error => {
            let message = format!("[{}] {}", view::severity_label(r.severity), r.message);
            let _ = writeln!(
                w,
                ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                r.outcome.label(),
                xml(&message),
                xml_text(&failure_body(r, clauses))
            );
        }
    }
}

fn waived_reason(r: &RequirementReport, report: &RunReport) -> String {
    let parts: Vec<String> = r
        .waivers
        .iter()
        .map(|id| match report.waivers.iter().find(|w| &w.id == id) {
            Some(w) => format!(
                "{id} ({}; approved by {}; expires {})",
                w.reason, w.approved_by, w.expires
            ),
            None => id.clone(),
        })
        .collect();
    format!("{} — {}", r.message, parts.join(", "))
}

/// The failure's text: what, where in the rules, and every cited record.
fn failure_body(r: &RequirementReport, clauses: &[&str]) -> String {
    let mut b = String::new();
    let _ = writeln!(b, "{} — {}", r.id, r.title);
    let _ = writeln!(
        b,
        "outcome: {} ({})",
        r.outcome.label(),
        view::severity_label(r.severity)
    );
    let _ = writeln!(b, "{}", r.message);
    if !clauses.is_empty() {
        let _ = writeln!(b, "clauses: {}", clauses.join(", "));
    }
    let _ = writeln!(b, "all clauses: {}", r.clauses.join(", "));
    if let Some(owner) = &r.owner {
        let _ = writeln!(b, "owner: {owner}");
    }
    let _ = writeln!(b, "defined at: {}", r.defined_at);
    if let Some(d) = &r.description {
        let _ = writeln!(b, "description: {d}");
    }
    for e in &r.errors {
        let _ = writeln!(b, "error: {e}");
    }
    for (i, e) in r.expects.iter().enumerate() {
        if e.outcome == Outcome::Pass {
            continue;
        }
        let _ = write!(b, "expect {} ({}): {}", i + 1, e.outcome.label(), e.expect);
        if let (Some(m), Some(t)) = (&e.measured, &e.target) {
            let _ = write!(b, " — measured {m}, target {t}");
        }
        let _ = writeln!(b);
        for g in &e.failing_groups {
            let _ = writeln!(b, "  group {}: {} ({} records)", g.group, g.value, g.records);
        }
    }
    if !r.findings.is_empty() {
        let _ = writeln!(b, "cited records:");
    }
    for f in &r.findings {
        let _ = writeln!(
            b,
            "  {} {} — {}",
            f.key.as_deref().unwrap_or("(no key)"),
            view::location(&f.file, f.line, f.index),
            f.reason
        );
        if !f.values.is_empty() {
            let values: Vec<String> = f
                .values
                .iter()
                .map(|v| format!("{} = {}", v.name, v.value))
                .collect();
            let _ = writeln!(b, "    {}", values.join("; "));
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn markup_and_forbidden_characters_are_escaped() {
        assert_eq!(xml("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
        assert_eq!(xml("a\u{1b}[31mb\u{0}"), "a\\u{1b}[31mb\\u{0}");
        assert_eq!(xml("line\nnext"), "line&#10;next");
    }
}
