//! What the auditor-facing formats show, derived once from a [`RunReport`]: the HTML and
//! Markdown reports render this same view, so they never disagree about content or order.
//!
//! Nothing here escapes: every string is data, and each renderer escapes for its own syntax
//! (minijinja's HTML auto-escaping, [`super::markdown`]'s escaper). CSS class names are the
//! only strings that reach markup as-is, and they come from the fixed tables below, never
//! from rules or evidence.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::eval::model::*;
use crate::syntax::ast::Severity;

mod chart;

pub use chart::{Chart, ChartRow, ChartTarget, LegendEntry, Segment, parse_number, parse_target};
use chart::{coverage_chart, measured_chart, readiness_chart, value_chart};

/// A label and the CSS class that colours it.
#[derive(Clone, Debug, Serialize)]
pub struct Badge {
    /// As printed (`not ready`).
    pub label: &'static str,
    /// CSS class (`not-ready`), from a fixed set.
    pub class: &'static str,
}

/// The badge of an outcome.
pub fn outcome_badge(o: Outcome) -> Badge {
    let class = match o {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::NoEvidence => "no-evidence",
        Outcome::Error => "error",
        Outcome::Waived => "waived",
        Outcome::NotApplicable => "na",
    };
    Badge {
        label: o.label(),
        class,
    }
}

/// The badge of a verdict.
pub fn verdict_badge(v: Verdict) -> Badge {
    let class = match v {
        Verdict::Ready => "ready",
        Verdict::ReadyWithObservations => "observations",
        Verdict::NotReady => "not-ready",
    };
    Badge {
        label: v.label(),
        class,
    }
}

/// The badge of a coverage kind.
pub fn coverage_badge(c: CoverageKind) -> Badge {
    match c {
        CoverageKind::Automated => Badge {
            label: "automated",
            class: "automated",
        },
        CoverageKind::Attested => Badge {
            label: "attested",
            class: "attested",
        },
        CoverageKind::Manual => Badge {
            label: "manual evidence needed",
            class: "manual",
        },
        CoverageKind::Excluded => Badge {
            label: "excluded by the SoA",
            class: "excluded",
        },
    }
}

/// The severity as an auditor grades it.
pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Major => "major",
        Severity::Minor => "minor",
        Severity::Observation => "observation",
    }
}

/// Where a cited record is: `hr/leavers.csv:7`, `iam/okta.json[12]`, `grc/soa.xlsx row 4`.
pub fn location(file: &str, line: Option<u64>, index: Option<u64>) -> String {
    match (file.is_empty(), line, index) {
        (true, _, Some(i)) => format!("element {i}"),
        (true, _, None) => String::new(),
        (false, Some(l), _) => format!("{file}:{l}"),
        (false, None, Some(i)) if is_sheet(file) => format!("{file} row {i}"),
        (false, None, Some(i)) => format!("{file}[{i}]"),
        (false, None, None) => file.to_string(),
    }
}

/// True for spreadsheet files, whose records are located by worksheet row.
pub fn is_sheet(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    lower.ends_with(".xlsx") || lower.ends_with(".xlsm") || lower.ends_with(".xls")
}

/// The date part of the report's `as_of` (`2026-11-22`).
pub fn as_of_date(report: &RunReport) -> &str {
    report.as_of.get(..10).unwrap_or(&report.as_of)
}

/// The whole view.
#[derive(Debug, Serialize)]
pub struct View<'a> {
    /// The report itself, for the fields shown as they are.
    pub report: &'a RunReport,
    /// The evaluation date.
    pub date: &'a str,
    /// The verdict over every standard in scope.
    pub verdict: Option<Badge>,
    /// One per standard in scope.
    pub standards: Vec<StandardView<'a>>,
    /// Requirements by outcome, per standard.
    pub readiness_chart: Chart,
    /// Catalog coverage, per standard.
    pub coverage_chart: Chart,
    /// Clause × standard coverage.
    pub matrix: Matrix,
    /// Requirements serving several standards, with their clauses per standard in scope.
    pub shared: Vec<SharedView<'a>>,
    /// Requirement details, grouped as an auditor reads them: nonconformities first.
    pub sections: Vec<Section<'a>>,
    /// Every requirement in the order of `sections`, for the register table.
    pub register: Vec<RegisterRow<'a>>,
    /// Metrics no expect reads: figures for the management review.
    pub metrics: Vec<MetricView<'a>>,
    /// Waivers.
    pub waivers: Vec<WaiverView<'a>>,
    /// Attestations.
    pub attestations: Vec<AttestationView<'a>>,
    /// Evidence files.
    pub evidence: Vec<EvidenceView<'a>>,
    /// Records cited over all requirements (failing and waived).
    pub cited_records: usize,
}

/// A standard's summary and its requirements.
#[derive(Debug, Serialize)]
pub struct StandardView<'a> {
    /// The standard's report.
    pub s: &'a StandardReport,
    /// Anchor in the page.
    pub anchor: String,
    /// Its verdict.
    pub verdict: Badge,
    /// Catalog items with an automated check or an attestation, of those in scope.
    pub covered: usize,
    /// Catalog items not excluded by the SoA.
    pub in_scope: usize,
    /// `covered / in_scope` as a whole percent.
    pub covered_percent: u32,
    /// Clauses (4–10 and subclauses): covered, in scope, percent.
    pub clauses: CoverageLine,
    /// Annex controls: covered, in scope, percent (none for a standard without an annex).
    pub controls: Option<CoverageLine>,
    /// Requirements serving it, in section order.
    pub requirements: Vec<StandardRequirement<'a>>,
    /// Items with an automated check or an attestation.
    pub covered_items: Vec<&'a CoverageItem>,
    /// Clauses that need manual evidence.
    pub manual_clauses: Vec<&'a CoverageItem>,
    /// Controls that need manual evidence.
    pub manual_controls: Vec<&'a CoverageItem>,
    /// Controls the SoA excludes.
    pub excluded: Vec<&'a CoverageItem>,
}

/// Coverage of one kind of catalog item.
#[derive(Debug, Serialize)]
pub struct CoverageLine {
    /// Items with an automated check or an attestation.
    pub covered: usize,
    /// Items not excluded by the SoA.
    pub in_scope: usize,
    /// `covered / in_scope` as a whole percent.
    pub percent: u32,
    /// The counts.
    pub counts: CoverageCounts,
}

impl CoverageLine {
    fn of(c: &CoverageCounts) -> CoverageLine {
        let covered = c.automated + c.attested;
        let in_scope = c.total.saturating_sub(c.excluded);
        CoverageLine {
            covered,
            in_scope,
            percent: percent(covered, in_scope),
            counts: c.clone(),
        }
    }
}

/// A requirement as listed under a standard.
#[derive(Debug, Serialize)]
pub struct StandardRequirement<'a> {
    /// The requirement.
    pub r: &'a RequirementReport,
    /// Anchor of its details.
    pub anchor: String,
    /// Its outcome.
    pub outcome: Badge,
    /// The clauses of this standard it serves.
    pub clauses: Vec<&'a str>,
}

/// A requirement that serves several standards.
#[derive(Debug, Serialize)]
pub struct SharedView<'a> {
    /// The shared requirement.
    pub r: &'a SharedRequirement,
    /// Anchor of its details.
    pub anchor: String,
    /// Its outcome.
    pub outcome: Badge,
    /// Clauses served, one cell per standard in scope (empty when it serves none there).
    pub cells: Vec<Vec<&'a str>>,
}

/// A group of requirement details under one heading.
#[derive(Debug, Serialize)]
pub struct Section<'a> {
    /// Heading (`Major nonconformities`).
    pub title: &'static str,
    /// Anchor.
    pub anchor: &'static str,
    /// The requirements.
    pub requirements: Vec<RequirementView<'a>>,
}

/// One line of the requirement register.
#[derive(Debug, Serialize)]
pub struct RegisterRow<'a> {
    /// The requirement.
    pub r: &'a RequirementReport,
    /// Anchor of its details.
    pub anchor: String,
    /// Its outcome.
    pub outcome: Badge,
    /// Its severity.
    pub severity: &'static str,
}

/// A requirement's details.
#[derive(Debug, Serialize)]
pub struct RequirementView<'a> {
    /// The requirement.
    pub r: &'a RequirementReport,
    /// Anchor.
    pub anchor: String,
    /// Its outcome.
    pub outcome: Badge,
    /// Its severity.
    pub severity: &'static str,
    /// Clauses served, grouped by standard.
    pub clauses: Vec<StandardClauses>,
    /// Per expect.
    pub expects: Vec<ExpectView<'a>>,
    /// Records that broke an expect.
    pub findings: Vec<FindingView<'a>>,
    /// Failing records a waiver removed.
    pub waived: Vec<FindingView<'a>>,
    /// Metrics.
    pub metrics: Vec<MetricView<'a>>,
    /// Failing records not cited (beyond `--max-findings`).
    pub uncited: usize,
}

/// Clauses of one standard.
#[derive(Debug, Serialize)]
pub struct StandardClauses {
    /// Standard id.
    pub standard: String,
    /// Clause ids.
    pub clauses: Vec<String>,
}

/// One expect.
#[derive(Debug, Serialize)]
pub struct ExpectView<'a> {
    /// The expect.
    pub e: &'a ExpectReport,
    /// 1-based number, as cited by findings.
    pub number: usize,
    /// Its outcome before waivers.
    pub outcome: Badge,
    /// Measured value against the target, when both are numbers.
    pub chart: Option<Chart>,
}

/// A cited record.
#[derive(Debug, Serialize)]
pub struct FindingView<'a> {
    /// The finding.
    pub f: &'a Finding,
    /// 1-based number of the expect it broke.
    pub expect: usize,
    /// `file:line`.
    pub location: String,
}

/// A metric.
#[derive(Debug, Serialize)]
pub struct MetricView<'a> {
    /// Requirement id.
    pub requirement: &'a str,
    /// Anchor of the requirement.
    pub anchor: String,
    /// The metric.
    pub m: &'a MetricReport,
    /// Its groups as bars, against the target of an expect on it, if any.
    pub chart: Option<Chart>,
}

/// A waiver.
#[derive(Debug, Serialize)]
pub struct WaiverView<'a> {
    /// The waiver.
    pub w: &'a WaiverReport,
    /// `applied`, `expired`, `unused`.
    pub status: Badge,
    /// Anchor of the requirement.
    pub anchor: String,
}

/// An attestation.
#[derive(Debug, Serialize)]
pub struct AttestationView<'a> {
    /// The attestation.
    pub a: &'a AttestationReport,
    /// `valid` or `expired`.
    pub status: Badge,
}

/// An evidence file.
#[derive(Debug, Serialize)]
pub struct EvidenceView<'a> {
    /// The file.
    pub e: &'a EvidenceReport,
    /// Its SHA-256, when the file was read.
    pub sha256: Option<&'a str>,
    /// Its size, when the file was read (a failed load reports none).
    pub bytes: Option<u64>,
    /// Its load status.
    pub status: Badge,
}

/// The clause × standard coverage matrix.
#[derive(Debug, Serialize)]
pub struct Matrix {
    /// Column headings: standard ids.
    pub standards: Vec<String>,
    /// One row per clause id, in clause order.
    pub rows: Vec<MatrixRow>,
}

/// A clause id across standards.
#[derive(Debug, Serialize)]
pub struct MatrixRow {
    /// Clause id.
    pub id: String,
    /// The title most standards that have the clause give it.
    pub title: Option<String>,
    /// True for a top-level clause (`4`), shown as a band.
    pub top: bool,
    /// One cell per standard.
    pub cells: Vec<Option<MatrixCell>>,
}

/// How one standard covers one clause.
#[derive(Debug, Serialize)]
pub struct MatrixCell {
    /// Coverage.
    pub coverage: Badge,
    /// A short mark (`●`).
    pub mark: &'static str,
    /// The standard's title for the clause, where it differs from the row's.
    pub title: Option<String>,
    /// Requirements and attestations covering it.
    pub by: Vec<String>,
}

/// An anchor for a requirement's details.
pub fn anchor(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("req-{safe}")
}

/// Orders clause ids by their numeric segments: `4` < `4.1` < `4.10` < `10` < `A.5`.
pub fn clause_order(a: &str, b: &str) -> Ordering {
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => p.cmp(q),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// Report order of requirement details: the heading, its anchor, and which requirements
/// belong under it.
const SECTIONS: [(&str, &str); 8] = [
    ("Major nonconformities", "major"),
    ("Minor nonconformities", "minor"),
    ("Observations", "observations"),
    ("Errors", "errors"),
    ("No evidence", "no-evidence"),
    ("Waived", "waived"),
    ("Not applicable", "not-applicable"),
    ("Passing requirements", "passing"),
];

fn section_of(r: &RequirementReport) -> usize {
    match (r.outcome, r.severity) {
        (Outcome::Fail, Severity::Major) => 0,
        (Outcome::Fail, Severity::Minor) => 1,
        (Outcome::Fail, Severity::Observation) => 2,
        (Outcome::Error, _) => 3,
        (Outcome::NoEvidence, _) => 4,
        (Outcome::Waived, _) => 5,
        (Outcome::NotApplicable, _) => 6,
        (Outcome::Pass, _) => 7,
    }
}

/// Builds the view of a report.
pub fn build(report: &RunReport) -> View<'_> {
    let sections = sections(report);
    let register = sections
        .iter()
        .flat_map(|s| s.requirements.iter())
        .map(|v| RegisterRow {
            r: v.r,
            anchor: v.anchor.clone(),
            outcome: v.outcome.clone(),
            severity: v.severity,
        })
        .collect();
    let standards = report
        .standards
        .iter()
        .map(|s| standard_view(s, &sections))
        .collect();
    let metrics = report
        .requirements
        .iter()
        .flat_map(|r| {
            r.metrics
                .iter()
                .filter(|m| m.informational)
                .map(move |m| metric_view(r, m))
        })
        .collect();
    let cited_records = report
        .requirements
        .iter()
        .map(|r| r.findings.len() + r.waived_records.len())
        .sum();
    View {
        report,
        date: as_of_date(report),
        verdict: report.summary.verdict.map(verdict_badge),
        standards,
        readiness_chart: readiness_chart(report),
        coverage_chart: coverage_chart(report),
        matrix: matrix(report),
        shared: shared(report),
        sections,
        register,
        metrics,
        waivers: report
            .waivers
            .iter()
            .map(|w| WaiverView {
                w,
                status: match w.status {
                    WaiverStatus::Applied => Badge {
                        label: "applied",
                        class: "pass",
                    },
                    WaiverStatus::Expired => Badge {
                        label: "expired",
                        class: "fail",
                    },
                    WaiverStatus::NotYetApproved => Badge {
                        label: "not yet approved",
                        class: "fail",
                    },
                    WaiverStatus::Unused => Badge {
                        label: "unused",
                        class: "no-evidence",
                    },
                },
                anchor: anchor(&w.requirement),
            })
            .collect(),
        attestations: report
            .attestations
            .iter()
            .map(|a| AttestationView {
                a,
                status: if a.valid {
                    Badge {
                        label: "valid",
                        class: "pass",
                    }
                } else {
                    Badge {
                        label: "expired",
                        class: "fail",
                    }
                },
            })
            .collect(),
        evidence: report
            .evidence
            .iter()
            .map(|e| EvidenceView {
                sha256: e.sha256.as_deref().filter(|h| !h.is_empty()),
                bytes: e
                    .bytes
                    .filter(|_| e.sha256.as_deref().is_some_and(|h| !h.is_empty())),
                e,
                status: Badge {
                    label: match e.status.as_str() {
                        "loaded" => "loaded",
                        "error" => "error",
                        "empty" => "empty",
                        "stale" => "stale",
                        "missing" => "missing",
                        _ => "not loaded",
                    },
                    class: match e.status.as_str() {
                        "loaded" => "pass",
                        "stale" | "empty" => "no-evidence",
                        _ => "fail",
                    },
                },
            })
            .collect(),
        cited_records,
    }
}

fn sections(report: &RunReport) -> Vec<Section<'_>> {
    let mut out: Vec<Section<'_>> = SECTIONS
        .iter()
        .map(|(title, anchor)| Section {
            title,
            anchor,
            requirements: Vec::new(),
        })
        .collect();
    for r in &report.requirements {
        if let Some(section) = out.get_mut(section_of(r)) {
            section.requirements.push(requirement_view(r));
        }
    }
    out.retain(|s| !s.requirements.is_empty());
    out
}

fn requirement_view(r: &RequirementReport) -> RequirementView<'_> {
    let mut clauses: Vec<StandardClauses> = Vec::new();
    for c in &r.clauses {
        let (standard, clause) = c.split_once(':').unwrap_or(("", c.as_str()));
        match clauses.iter_mut().find(|s| s.standard == standard) {
            Some(s) => s.clauses.push(clause.to_string()),
            None => clauses.push(StandardClauses {
                standard: standard.to_string(),
                clauses: vec![clause.to_string()],
            }),
        }
    }
    // Failing records beyond `--max-findings`: per expect on records (an expect on a
    // grouped metric counts groups, whose records are cited in full).
    let uncited: usize = r
        .expects
        .iter()
        .enumerate()
        .filter(|(_, e)| e.truncated && e.failing_groups.is_empty())
        .map(|(i, e)| {
            let cited = r.findings.iter().filter(|f| f.expect == i).count();
            e.failing.unwrap_or(0).saturating_sub(e.waived + cited)
        })
        .sum();
    RequirementView {
        anchor: anchor(&r.id),
        outcome: outcome_badge(r.outcome),
        severity: severity_label(r.severity),
        clauses,
        expects: r
            .expects
            .iter()
            .enumerate()
            .map(|(i, e)| ExpectView {
                e,
                number: i + 1,
                outcome: outcome_badge(e.outcome),
                chart: measured_chart(e),
            })
            .collect(),
        findings: r.findings.iter().map(finding_view).collect(),
        waived: r.waived_records.iter().map(finding_view).collect(),
        metrics: r.metrics.iter().map(|m| metric_view(r, m)).collect(),
        uncited,
        r,
    }
}

fn finding_view(f: &Finding) -> FindingView<'_> {
    FindingView {
        expect: f.expect + 1,
        location: location(&f.file, f.line, f.index),
        f,
    }
}

fn standard_view<'a>(s: &'a StandardReport, sections: &[Section<'a>]) -> StandardView<'a> {
    let in_scope = s.coverage.total.saturating_sub(s.coverage.excluded);
    let covered = s.coverage.automated + s.coverage.attested;
    let prefix = format!("{}:", s.id);
    let requirements = sections
        .iter()
        .flat_map(|sec| sec.requirements.iter())
        .filter(|v| s.requirements.contains(&v.r.id))
        .map(|v| StandardRequirement {
            r: v.r,
            anchor: v.anchor.clone(),
            outcome: v.outcome.clone(),
            clauses: v
                .r
                .clauses
                .iter()
                .filter_map(|c| c.strip_prefix(prefix.as_str()))
                .collect(),
        })
        .collect();
    let items = &s.coverage.items;
    StandardView {
        anchor: format!("std-{}", anchor(&s.id).trim_start_matches("req-")),
        verdict: verdict_badge(s.verdict),
        covered,
        in_scope,
        covered_percent: percent(covered, in_scope),
        clauses: CoverageLine::of(&s.coverage.clauses),
        controls: (s.coverage.controls.total > 0).then(|| CoverageLine::of(&s.coverage.controls)),
        requirements,
        covered_items: items
            .iter()
            .filter(|i| matches!(i.coverage, CoverageKind::Automated | CoverageKind::Attested))
            .collect(),
        manual_clauses: items
            .iter()
            .filter(|i| i.coverage == CoverageKind::Manual && i.kind == "clause")
            .collect(),
        manual_controls: items
            .iter()
            .filter(|i| i.coverage == CoverageKind::Manual && i.kind != "clause")
            .collect(),
        excluded: items
            .iter()
            .filter(|i| i.coverage == CoverageKind::Excluded)
            .collect(),
        s,
    }
}

/// A whole percent, rounded down so 99.6 % never reads as complete.
pub(crate) fn percent(part: usize, whole: usize) -> u32 {
    part.saturating_mul(100)
        .checked_div(whole)
        .map_or(0, |p| u32::try_from(p).unwrap_or(100))
}

fn shared(report: &RunReport) -> Vec<SharedView<'_>> {
    report
        .combined
        .shared
        .iter()
        .map(|r| SharedView {
            anchor: anchor(&r.id),
            outcome: outcome_badge(r.outcome),
            cells: report
                .standards
                .iter()
                .map(|s| {
                    r.serves
                        .iter()
                        .filter(|c| c.standard == s.id)
                        .flat_map(|c| c.clauses.iter().map(String::as_str))
                        .collect()
                })
                .collect(),
            r,
        })
        .collect()
}

fn matrix(report: &RunReport) -> Matrix {
    // clause id → per standard (column) the item.
    let mut rows: BTreeMap<ClauseKey, Vec<Option<&CoverageItem>>> = BTreeMap::new();
    let n = report.standards.len();
    for (col, s) in report.standards.iter().enumerate() {
        for item in s.coverage.items.iter().filter(|i| i.kind == "clause") {
            let cells = rows
                .entry(ClauseKey(item.id.clone()))
                .or_insert_with(|| vec![None; n]);
            if let Some(cell) = cells.get_mut(col) {
                *cell = Some(item);
            }
        }
    }
    let rows = rows
        .into_iter()
        .map(|(id, cells)| {
            // The title most standards give the clause (the first, on a tie); a cell shows
            // its own title only where it differs, so a row reads once, not five times.
            let mut counts: Vec<(Option<&str>, usize)> = Vec::new();
            for t in cells.iter().flatten().map(|i| i.title.as_deref()) {
                match counts.iter_mut().find(|(x, _)| *x == t) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((t, 1)),
                }
            }
            let best = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
            let common: Option<&str> = counts.iter().find(|(_, n)| *n == best).and_then(|(t, _)| *t);
            let title = common.map(str::to_string);
            MatrixRow {
                top: !id.0.contains('.'),
                cells: cells
                    .into_iter()
                    .map(|item| {
                        item.map(|i| MatrixCell {
                            coverage: coverage_badge(i.coverage),
                            mark: match i.coverage {
                                CoverageKind::Automated => "●",
                                CoverageKind::Attested => "◐",
                                CoverageKind::Manual => "○",
                                CoverageKind::Excluded => "–",
                            },
                            title: if i.title.as_deref() == common {
                                None
                            } else {
                                i.title.clone()
                            },
                            by: i.requirements.iter().chain(&i.attestations).cloned().collect(),
                        })
                    })
                    .collect(),
                title,
                id: id.0,
            }
        })
        .collect();
    Matrix {
        standards: report.standards.iter().map(|s| s.id.clone()).collect(),
        rows,
    }
}

/// A clause id ordered by [`clause_order`].
#[derive(PartialEq, Eq)]
struct ClauseKey(String);

impl PartialOrd for ClauseKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ClauseKey {
    fn cmp(&self, other: &Self) -> Ordering {
        clause_order(&self.0, &other.0).then_with(|| self.0.cmp(&other.0))
    }
}

/// A grouped metric's groups as bars, against the target of an expect that reads it.
fn metric_view<'a>(r: &'a RequirementReport, m: &'a MetricReport) -> MetricView<'a> {
    let target = r
        .expects
        .iter()
        .filter(|e| e.expect.split_whitespace().next() == Some(m.name.as_str()))
        .find_map(|e| e.target.as_deref().and_then(parse_target));
    let rows: Option<Vec<(String, f64, String)>> = m
        .groups
        .iter()
        .map(|g| {
            parse_number(&g.value).map(|(x, _)| {
                (
                    g.group.clone(),
                    x,
                    format!(
                        "{} ({} record{})",
                        g.value,
                        g.records,
                        if g.records == 1 { "" } else { "s" }
                    ),
                )
            })
        })
        .collect();
    let percent = m.groups.first().is_some_and(|g| g.value.ends_with('%'));
    let chart = match rows {
        Some(rows) if !rows.is_empty() && rows.len() <= 40 => {
            let target = target.filter(|t| t.2 == percent);
            Some(value_chart(&rows, target, percent))
        }
        _ => None,
    };
    MetricView {
        requirement: &r.id,
        anchor: anchor(&r.id),
        m,
        chart,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_sort_by_number() {
        let mut ids = vec!["10", "4.10", "A.5.1", "4", "4.2", "9.2", "A.10", "A.5.18"];
        ids.sort_by(|a, b| clause_order(a, b));
        assert_eq!(ids, ["4", "4.2", "4.10", "9.2", "10", "A.5.1", "A.5.18", "A.10"]);
    }

    #[test]
    fn targets_and_numbers_parse() {
        assert_eq!(parse_target(">= 95%"), Some((">=", 95.0, true)));
        assert_eq!(parse_target("<= 20 (p90_limit)"), Some(("<=", 20.0, false)));
        assert_eq!(parse_target("< 30d"), None);
        assert_eq!(parse_number("93.33%"), Some((93.33, true)));
        assert_eq!(parse_number("36d 5h"), None);
    }

    #[test]
    fn locations_name_file_and_line() {
        assert_eq!(location("hr/leavers.csv", Some(7), None), "hr/leavers.csv:7");
        assert_eq!(location("iam/okta.json", None, Some(3)), "iam/okta.json[3]");
        assert_eq!(location("grc/soa.xlsx", None, Some(4)), "grc/soa.xlsx row 4");
    }
}
