//! The terminal report: a one-screen summary per standard, then the requirements that
//! block readiness (major nonconformities, errors, missing evidence) before minor ones and
//! observations, then every metric, the combined-audit view, the clauses needing manual
//! evidence, waivers, warnings and the evidence inventory.
//!
//! Evidence text is untrusted: control characters (terminal escape sequences) are shown
//! escaped, never written raw.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::eval::model::*;
use crate::syntax::ast::Severity;

/// How many cited records are printed per expect; the JSON and CSV reports list up to
/// `--max-findings` per expect.
const SHOWN_FINDINGS: usize = 10;

/// `1 record`, `2 records`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// ANSI styling, or none.
#[derive(Clone, Copy)]
struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
    fn outcome(&self, o: Outcome) -> String {
        let label = o.label();
        match o {
            Outcome::Pass => self.green(label),
            Outcome::Fail | Outcome::Error => self.red(label),
            Outcome::NoEvidence => self.yellow(label),
            Outcome::Waived | Outcome::NotApplicable => self.dim(label),
        }
    }
    fn verdict(&self, v: Verdict) -> String {
        match v {
            Verdict::Ready => self.green(v.label()),
            Verdict::ReadyWithObservations => self.yellow(v.label()),
            Verdict::NotReady => self.red(v.label()),
        }
    }
}

/// Replaces control characters in untrusted text with visible escapes: C0 and C1 controls
/// (terminal escape sequences, carriage returns, bells) and the bidirectional-text
/// controls that can make a terminal show text in another order than it is stored.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\n' || c == '\t' {
            out.push(' ');
        } else if c.is_control() || is_bidi_control(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// The invisible characters that reorder text (Unicode's bidirectional formatting
/// characters and marks).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Writes the report.
pub fn render(report: &RunReport, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let s = Style { color };
    let mut w = String::new();
    summary(report, s, &mut w);
    findings(report, s, &mut w);
    metrics(report, s, &mut w);
    combined(report, s, &mut w);
    manual_evidence(report, s, &mut w);
    waivers(report, s, &mut w);
    warnings(report, s, &mut w);
    inventory(report, s, &mut w);
    out.write_all(w.as_bytes())
}

fn summary(report: &RunReport, s: Style, w: &mut String) {
    let _ = writeln!(
        w,
        "{} {} — readiness as of {}",
        s.bold("auditready"),
        report.tool.version,
        report.as_of.trim_end_matches("T00:00:00Z")
    );
    for p in &report.param_overrides {
        let _ = writeln!(
            w,
            "{}",
            s.dim(&format!(
                "param {} = {} (rule files: {})",
                p.name,
                clean(&p.value),
                clean(&p.declared)
            ))
        );
    }
    let _ = writeln!(w);
    let title_width = report
        .standards
        .iter()
        .map(|st| clean(&st.title).chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        w,
        "{}",
        s.bold(&format!(
            "{:<title_width$}  {:<23}  {:>4} {:>4} {:>4} {:>4} {:>4} {:>4}  {}",
            "STANDARD", "VERDICT", "PASS", "FAIL", "N/E", "ERR", "WAIV", "N/A", "CLAUSES  CONTROLS"
        ))
    );
    for st in &report.standards {
        let o = &st.outcomes;
        let verdict = s.verdict(st.verdict);
        let pad = 23usize.saturating_sub(st.verdict.label().len());
        let covered = |c: &CoverageCounts| format!("{}/{}", c.automated + c.attested, c.total - c.excluded);
        let controls = if st.coverage.controls.total == 0 {
            "-".to_string()
        } else {
            covered(&st.coverage.controls)
        };
        let _ = writeln!(
            w,
            "{:<title_width$}  {verdict}{}  {:>4} {:>4} {:>4} {:>4} {:>4} {:>4}  {:<7}  {controls}",
            clean(&st.title),
            " ".repeat(pad),
            o.pass,
            o.fail,
            o.no_evidence,
            o.error,
            o.waived,
            o.not_applicable,
            covered(&st.coverage.clauses),
        );
    }
    let _ = writeln!(
        w,
        "{}",
        s.dim(
            "CLAUSES, CONTROLS: catalog items with an automated check or a valid attestation / items in \
             scope (SoA exclusions left out); the others need manual evidence (listed below)."
        )
    );
    let _ = writeln!(w);
    for st in &report.standards {
        let _ = writeln!(
            w,
            "  {}: {} — {}",
            st.id,
            s.verdict(st.verdict),
            clean(&st.verdict_reason)
        );
    }
    let _ = writeln!(w);
    let c = &report.combined;
    let _ = writeln!(
        w,
        "Combined audit: {}; {} several standards (listed under COMBINED AUDIT).",
        c.reuse,
        if c.shared.len() == 1 {
            "1 requirement serves".to_string()
        } else {
            format!("{} requirements serve", c.shared.len())
        }
    );
    let _ = writeln!(w);
}

/// Whether a requirement belongs in a section of the findings.
type Belongs = dyn Fn(&RequirementReport) -> bool;

fn findings(report: &RunReport, s: Style, w: &mut String) {
    // What blocks readiness first: a failing major, an error and missing evidence each make
    // a standard not ready; minor nonconformities and observations do not.
    let sections: [(&str, &Belongs); 5] = [
        ("MAJOR NONCONFORMITIES", &|r| {
            r.outcome == Outcome::Fail && r.severity == Severity::Major
        }),
        ("ERRORS", &|r| r.outcome == Outcome::Error),
        ("NO EVIDENCE", &|r| r.outcome == Outcome::NoEvidence),
        ("MINOR NONCONFORMITIES", &|r| {
            r.outcome == Outcome::Fail && r.severity == Severity::Minor
        }),
        ("OBSERVATIONS", &|r| {
            r.outcome == Outcome::Fail && r.severity == Severity::Observation
        }),
    ];
    for (heading, belongs) in sections {
        let group: Vec<&RequirementReport> = report.requirements.iter().filter(|r| belongs(r)).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(w, "{}", s.bold(&format!("{heading} ({})", group.len())));
        for r in group {
            requirement(r, s, w);
        }
    }
    let other: Vec<&RequirementReport> = report
        .requirements
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Waived | Outcome::NotApplicable))
        .collect();
    if !other.is_empty() {
        let _ = writeln!(
            w,
            "{}",
            s.bold(&format!("WAIVED OR NOT APPLICABLE ({})", other.len()))
        );
        for r in other {
            let _ = writeln!(w, "  {} {} — {}", s.outcome(r.outcome), r.id, clean(&r.message));
        }
        let _ = writeln!(w);
    }
    let passing = report
        .requirements
        .iter()
        .filter(|r| r.outcome == Outcome::Pass)
        .count();
    let _ = writeln!(
        w,
        "{} {}.",
        plural(passing, "requirement", "requirements"),
        if passing == 1 { "passes" } else { "pass" }
    );
    let _ = writeln!(w);
}

fn requirement(r: &RequirementReport, s: Style, w: &mut String) {
    let mark = match r.outcome {
        Outcome::Fail | Outcome::Error => s.red("✗"),
        _ => s.yellow("?"),
    };
    let _ = writeln!(w, "  {mark} {} — {}", s.bold(&r.id), clean(&r.title));
    let _ = writeln!(w, "    {}", clean(&r.message));
    let owner = r
        .owner
        .as_deref()
        .map(|o| format!(" · owner: {}", clean(o)))
        .unwrap_or_default();
    let _ = writeln!(
        w,
        "    {}",
        s.dim(&format!(
            "{}{owner} · {}",
            clean(&r.clauses.join(", ")),
            clean(&r.defined_at)
        ))
    );
    if let Some(na) = &r.not_applicable {
        let _ = writeln!(w, "    {}", s.dim(&clean(na)));
    }
    let several = r.expects.len() > 1;
    for (i, e) in r.expects.iter().enumerate() {
        if e.outcome == Outcome::Pass {
            continue;
        }
        // With several expects, say which one each group of findings belongs to.
        if several {
            let _ = writeln!(
                w,
                "    expect {} of {}: `{}` — {}",
                i + 1,
                r.expects.len(),
                clean(&e.expect),
                s.outcome(e.outcome)
            );
        }
        expect_facts(r, e, s, w);
        let cited: Vec<&Finding> = r.findings.iter().filter(|f| f.expect == i).collect();
        for f in cited.iter().take(SHOWN_FINDINGS) {
            finding(f, s, w);
        }
        // Failing records still standing after waivers: counted for an expect on records,
        // or, for an expect on a grouped metric, the records cited from its failing groups.
        let total = if e.failing_groups.is_empty() {
            e.failing.unwrap_or(0).saturating_sub(e.waived)
        } else {
            cited.len()
        };
        let shown = SHOWN_FINDINGS.min(cited.len());
        if total > shown {
            // Only what is true: the JSON and CSV reports stop at `--max-findings` per expect.
            let note = if e.truncated {
                format!(
                    "… and {} more; --format json and csv list the first {} (--max-findings), \
                     raise it to list them all",
                    total - shown,
                    cited.len()
                )
            } else {
                format!(
                    "… and {} more, all listed in --format json and csv",
                    total - shown
                )
            };
            let _ = writeln!(w, "    {}", s.dim(&note));
        }
    }
    if !r.waived_records.is_empty() {
        let waived: Vec<String> = r
            .waived_records
            .iter()
            .map(|f| {
                let key = f.key.as_deref().map(clean).unwrap_or_else(|| "(no key)".into());
                match &f.waived_by {
                    Some(by) => format!("{key} ({})", clean(by)),
                    None => key,
                }
            })
            .collect();
        let _ = writeln!(w, "    {}", s.dim(&format!("waived: {}", waived.join(", "))));
    }
    // The message already says the first error (a load error, say): print the others.
    for e in r.errors.iter().filter(|e| **e != r.message) {
        let _ = writeln!(w, "    {}", s.red(&clean(e)));
    }
    let _ = writeln!(w);
}

/// The measured value, its target and how many records fed it; for an expect on a
/// grouped metric, every group, the ones that miss marked.
fn expect_facts(r: &RequirementReport, e: &ExpectReport, s: Style, w: &mut String) {
    let metric = e
        .metric
        .as_deref()
        .and_then(|name| r.metrics.iter().find(|m| m.name == name));
    let target = e
        .target
        .as_deref()
        .map(|t| format!(", target {}", clean(t)))
        .unwrap_or_default();
    match metric {
        Some(m) if !m.groups.is_empty() => {
            let _ = writeln!(
                w,
                "    `{}` per group ({}){target}:",
                clean(&m.name),
                plural(m.records, "record", "records")
            );
            groups(m, e, s, w, "    ");
        }
        Some(m) => {
            let _ = writeln!(
                w,
                "    `{}` = {} over {}{target}",
                clean(&m.name),
                clean(e.measured.as_deref().unwrap_or(&m.value)),
                plural(m.records, "record", "records")
            );
        }
        None => {
            if let Some(measured) = &e.measured {
                let _ = writeln!(
                    w,
                    "    measured {}{target} for `{}`",
                    clean(measured),
                    clean(&e.expect)
                );
            }
        }
    }
}

/// A grouped metric's groups, one a line, those an expect found missing its target marked.
/// A grouped metric with more groups than this lists only the groups that miss the
/// target in the text report: a per-person metric over 120 people is a page of `true`s
/// that hides the one line that matters. The JSON report lists them all.
const GROUPS_LISTED_IN_FULL: usize = 12;

fn groups(m: &MetricReport, e: &ExpectReport, s: Style, w: &mut String, indent: &str) {
    let in_full = m.groups.len() <= GROUPS_LISTED_IN_FULL;
    let mut left_out = 0;
    for g in &m.groups {
        let failing = e.failing_groups.iter().any(|f| f.group == g.group);
        if !in_full && !failing {
            left_out += 1;
            continue;
        }
        let mark = if failing { s.red("✗") } else { " ".to_string() };
        let _ = writeln!(
            w,
            "{indent}  {mark} {}: {} ({}){}",
            clean(&g.group),
            clean(&g.value),
            plural(g.records, "record", "records"),
            if failing { " — misses the target" } else { "" }
        );
    }
    if left_out > 0 {
        let _ = writeln!(
            w,
            "{indent}    … {} not listed (--format json lists every group)",
            plural(
                left_out,
                "other group meets the target,",
                "other groups meet the target,"
            )
        );
    }
}

fn finding(f: &Finding, s: Style, w: &mut String) {
    let key = f.key.as_deref().map(clean).unwrap_or_else(|| "(no key)".into());
    let location = match (f.file.is_empty(), f.line, f.index) {
        (true, _, _) => f.dataset.clone(),
        (false, Some(l), _) => format!("{}:{l}", f.file),
        (false, None, Some(i)) => format!("{}[{i}]", f.file),
        (false, None, None) => f.file.clone(),
    };
    let _ = writeln!(
        w,
        "    • {} {} — {}",
        s.bold(&key),
        s.dim(&clean(&location)),
        clean(&f.reason)
    );
    if !f.values.is_empty() {
        let values: Vec<String> = f
            .values
            .iter()
            .map(|v| format!("{} = {}", clean(&v.name), clean(&v.value)))
            .collect();
        let _ = writeln!(w, "      {}", s.dim(&values.join(", ")));
    }
}

/// Every metric of every evaluated requirement: value, records, and the target and
/// outcome of the expect that compares it (passing ones too: the auditor wants 98.05 %
/// against 95 %, not only the misses).
fn metrics(report: &RunReport, s: Style, w: &mut String) {
    let all: Vec<(&RequirementReport, &MetricReport)> = report
        .requirements
        .iter()
        .flat_map(|r| r.metrics.iter().map(move |m| (r, m)))
        .collect();
    if all.is_empty() {
        return;
    }
    let _ = writeln!(w, "{}", s.bold("METRICS"));
    for (r, m) in all {
        let expect = r
            .expects
            .iter()
            .find(|e| e.metric.as_deref() == Some(m.name.as_str()));
        let judged = match expect {
            Some(e) => {
                let target = e
                    .target
                    .as_deref()
                    .map(|t| format!(", target {}", clean(t)))
                    .unwrap_or_default();
                format!("{target} · {}", s.outcome(e.outcome))
            }
            None if m.informational => " · for the management review".to_string(),
            None => String::new(),
        };
        if m.groups.is_empty() {
            let _ = writeln!(
                w,
                "  {}.{} = {} ({}){judged}",
                r.id,
                clean(&m.name),
                clean(&m.value),
                plural(m.records, "record", "records")
            );
        } else {
            let _ = writeln!(
                w,
                "  {}.{}: {} over {}{judged}",
                r.id,
                clean(&m.name),
                plural(m.groups.len(), "group", "groups"),
                plural(m.records, "record", "records")
            );
            let none = ExpectReport {
                expect: String::new(),
                outcome: Outcome::Pass,
                population: None,
                failing: None,
                waived: 0,
                measured: None,
                target: None,
                metric: None,
                failing_groups: Vec::new(),
                truncated: false,
                no_match: None,
            };
            groups(m, expect.unwrap_or(&none), s, w, "  ");
        }
    }
    let _ = writeln!(w);
}

/// The requirements that serve several standards, evaluated once, with what they serve.
fn combined(report: &RunReport, s: Style, w: &mut String) {
    let c = &report.combined;
    let _ = writeln!(w, "{}", s.bold("COMBINED AUDIT"));
    let _ = writeln!(w, "  {}.", clean(&c.reuse));
    let _ = writeln!(
        w,
        "  {}",
        s.dim(
            "A clause obligation is one clause or control of one standard in scope, counted once \
             however many requirements check it; requirements and controls the Statement of \
             Applicability excludes are left out."
        )
    );
    for sh in &c.shared {
        let serves: Vec<String> = sh
            .serves
            .iter()
            .map(|sv| format!("{} {}", sv.standard, clean(&sv.clauses.join(", "))))
            .collect();
        let _ = writeln!(
            w,
            "  {} {} — serves {}",
            s.outcome(sh.outcome),
            sh.id,
            serves.join("; ")
        );
    }
    let _ = writeln!(w);
}

/// Per standard, the clauses and controls no requirement checks and no valid attestation
/// covers: the auditor will ask for manual evidence of each.
fn manual_evidence(report: &RunReport, s: Style, w: &mut String) {
    if report.standards.is_empty() {
        return;
    }
    let _ = writeln!(w, "{}", s.bold("CLAUSES AND CONTROLS NEEDING MANUAL EVIDENCE"));
    for st in &report.standards {
        let manual: Vec<&CoverageItem> = st
            .coverage
            .items
            .iter()
            .filter(|i| i.coverage == CoverageKind::Manual)
            .collect();
        if manual.is_empty() {
            let _ = writeln!(w, "  {}: none", st.id);
            continue;
        }
        let _ = writeln!(w, "  {} ({}):", st.id, manual.len());
        for i in manual {
            let title = i
                .title
                .as_deref()
                .map(|t| format!(" {}", clean(t)))
                .unwrap_or_default();
            let _ = writeln!(w, "    {}{title}", clean(&i.id));
        }
    }
    let _ = writeln!(w);
}

fn waivers(report: &RunReport, s: Style, w: &mut String) {
    if report.waivers.is_empty() {
        return;
    }
    let _ = writeln!(w, "{}", s.bold("WAIVERS"));
    for wv in &report.waivers {
        let status = match wv.status {
            WaiverStatus::Applied => s.green("applied"),
            WaiverStatus::Expired => s.red("EXPIRED"),
            WaiverStatus::NotYetApproved => s.red("NOT YET APPROVED"),
            WaiverStatus::Unused => s.yellow("unused"),
        };
        let records = if wv.records.is_empty() {
            "whole requirement".to_string()
        } else {
            wv.records.join(", ")
        };
        let approved_on = wv
            .approved_on
            .as_deref()
            .map(|d| format!(" on {d}"))
            .unwrap_or_default();
        let _ = writeln!(
            w,
            "  {} {status} — {} ({}) · approved by {}{approved_on} · expires {}",
            clean(&wv.id),
            clean(&wv.requirement),
            clean(&records),
            clean(&wv.approved_by),
            wv.expires
        );
        let _ = writeln!(w, "    {}", s.dim(&clean(&wv.reason)));
    }
    let _ = writeln!(w);
}

fn warnings(report: &RunReport, s: Style, w: &mut String) {
    if report.warnings.is_empty() {
        return;
    }
    let _ = writeln!(w, "{}", s.bold("WARNINGS"));
    for wn in &report.warnings {
        let _ = writeln!(w, "  [{}] {}", wn.code, clean(&wn.message));
    }
    let _ = writeln!(w);
}

fn inventory(report: &RunReport, s: Style, w: &mut String) {
    let _ = writeln!(w, "{}", s.bold("EVIDENCE"));
    let width = report
        .evidence
        .iter()
        .map(|e| clean(&e.file).chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    for e in &report.evidence {
        let rows = e.rows.map_or("-".to_string(), |r| r.to_string());
        let bytes = e.bytes.map_or("-".to_string(), |b| b.to_string());
        let sha = e.sha256.as_deref().filter(|h| !h.is_empty()).unwrap_or("-");
        let status = if e.status == "loaded" {
            s.dim(&e.status)
        } else {
            s.red(&e.status)
        };
        let rows_word = if e.rows == Some(1) { "row " } else { "rows" };
        let _ = writeln!(
            w,
            "  {:<width$}  {:>8} {rows_word}  {:>10} bytes  sha256 {sha}  {status}",
            clean(&e.file),
            rows,
            bytes
        );
        if let Some(err) = &e.error {
            let _ = writeln!(w, "    {}", s.red(&clean(err)));
        }
    }
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "{}",
        s.dim(&format!(
            "{}; their SHA-256 are in --format json. Verdict: {}.",
            plural(report.rules.len(), "rule file", "rule files"),
            report
                .summary
                .verdict
                .map_or("no standard in scope", |v| v.label())
        ))
    );
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(clean("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean("line\nbreak"), "line break");
        assert_eq!(clean("txt.exe\u{202e}fdp.pdf"), "txt.exe\\u{202e}fdp.pdf");
    }
}
