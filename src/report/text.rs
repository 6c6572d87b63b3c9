//! The terminal report: a one-screen summary per standard, then findings by severity,
//! then waivers, warnings and the evidence inventory.
//!
//! Evidence text is untrusted: control characters (terminal escape sequences) are shown
//! escaped, never written raw.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::eval::model::*;
use crate::syntax::ast::Severity;

/// How many cited records are printed per requirement; the JSON and CSV reports have all.
const SHOWN_FINDINGS: usize = 10;

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
        "Combined audit: {}; {} requirement{} serve{} several standards.",
        c.reuse,
        c.shared.len(),
        if c.shared.len() == 1 { "" } else { "s" },
        if c.shared.len() == 1 { "s" } else { "" }
    );
    let _ = writeln!(w);
}

fn findings(report: &RunReport, s: Style, w: &mut String) {
    let failing: Vec<&RequirementReport> = report
        .requirements
        .iter()
        .filter(|r| r.outcome == Outcome::Fail)
        .collect();
    for severity in [Severity::Major, Severity::Minor, Severity::Observation] {
        let group: Vec<&&RequirementReport> = failing.iter().filter(|r| r.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        let heading = match severity {
            Severity::Major => "MAJOR NONCONFORMITIES",
            Severity::Minor => "MINOR NONCONFORMITIES",
            Severity::Observation => "OBSERVATIONS",
        };
        let _ = writeln!(w, "{}", s.bold(&format!("{heading} ({})", group.len())));
        for r in group {
            requirement(r, s, w);
        }
    }
    for (outcome, heading) in [(Outcome::NoEvidence, "NO EVIDENCE"), (Outcome::Error, "ERRORS")] {
        let group: Vec<&RequirementReport> = report
            .requirements
            .iter()
            .filter(|r| r.outcome == outcome)
            .collect();
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
        "{passing} requirement{} pass.",
        if passing == 1 { "" } else { "s" }
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
    for e in r.expects.iter().filter(|e| e.outcome != Outcome::Pass) {
        if let (Some(m), Some(t)) = (&e.measured, &e.target) {
            let _ = writeln!(
                w,
                "    measured {} (target {}) for `{}`",
                clean(m),
                clean(t),
                clean(&e.expect)
            );
        }
        for g in &e.failing_groups {
            let _ = writeln!(
                w,
                "    • {}: {} ({} records){}",
                clean(&g.group),
                clean(&g.value),
                g.records,
                e.target
                    .as_ref()
                    .map(|t| format!(", target {}", clean(t)))
                    .unwrap_or_default()
            );
        }
    }
    for f in r.findings.iter().take(SHOWN_FINDINGS) {
        finding(f, s, w);
    }
    // Failing records still standing after waivers: counted per expect, or, for an expect
    // on a grouped metric, the records cited from its failing groups.
    let total_failing: usize = r
        .expects
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if e.failing_groups.is_empty() {
                e.failing.unwrap_or(0).saturating_sub(e.waived)
            } else {
                r.findings.iter().filter(|f| f.expect == i).count()
            }
        })
        .sum();
    let shown = SHOWN_FINDINGS.min(r.findings.len());
    if total_failing > shown {
        let _ = writeln!(
            w,
            "    {}",
            s.dim(&format!(
                "… and {} more (all are in --format json and csv)",
                total_failing - shown
            ))
        );
    }
    if !r.waived_records.is_empty() {
        let waived: Vec<String> = r
            .waived_records
            .iter()
            .map(|f| {
                let key = f.key.as_deref().map(clean).unwrap_or_else(|| "(no key)".into());
                match &f.waived_by {
                    Some(by) => format!("{key} ({by})"),
                    None => key,
                }
            })
            .collect();
        let _ = writeln!(w, "    {}", s.dim(&format!("waived: {}", waived.join(", "))));
    }
    for e in &r.errors {
        let _ = writeln!(w, "    {}", s.red(&clean(e)));
    }
    let _ = writeln!(w);
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

fn metrics(report: &RunReport, s: Style, w: &mut String) {
    let informational: Vec<(&RequirementReport, &MetricReport)> = report
        .requirements
        .iter()
        .flat_map(|r| r.metrics.iter().filter(|m| m.informational).map(move |m| (r, m)))
        .collect();
    if informational.is_empty() {
        return;
    }
    let _ = writeln!(w, "{}", s.bold("METRICS FOR THE MANAGEMENT REVIEW"));
    for (r, m) in informational {
        if m.groups.is_empty() {
            let _ = writeln!(
                w,
                "  {}.{} = {} ({} records)",
                r.id,
                m.name,
                clean(&m.value),
                m.records
            );
        } else {
            let groups: Vec<String> = m
                .groups
                .iter()
                .map(|g| format!("{} {}", clean(&g.group), clean(&g.value)))
                .collect();
            let lowest = m
                .lowest
                .as_ref()
                .map(|g| format!(" (lowest: {} {})", clean(&g.group), clean(&g.value)))
                .unwrap_or_default();
            let _ = writeln!(w, "  {}.{}: {}{lowest}", r.id, m.name, groups.join(", "));
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
            WaiverStatus::Unused => s.yellow("unused"),
        };
        let records = if wv.records.is_empty() {
            "whole requirement".to_string()
        } else {
            wv.records.join(", ")
        };
        let _ = writeln!(
            w,
            "  {} {status} — {} ({}) · approved by {} · expires {}",
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
        let sha = e
            .sha256
            .as_deref()
            .map_or("-".to_string(), |h| h.chars().take(16).collect());
        let status = if e.status == "loaded" {
            s.dim(&e.status)
        } else {
            s.red(&e.status)
        };
        let _ = writeln!(
            w,
            "  {:<width$}  {:>8} rows  {sha}  {status}",
            clean(&e.file),
            rows
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
            "{} rule files; full hashes in --format json. Verdict: {}.",
            report.rules.len(),
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
