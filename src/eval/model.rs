//! The result of a run: everything every report format renders, computed once.
//!
//! Serialized as the JSON report (`--format json`); field order is the key order, so the
//! output is stable. The schema version changes whenever a field changes meaning or goes.

use serde::Serialize;

use crate::syntax::ast::Severity;

/// Version of the JSON report schema (`docs/report-schema.md`).
pub const SCHEMA_VERSION: &str = "2.0";

/// What became of a requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every expect holds.
    Pass,
    /// An expect does not hold.
    Fail,
    /// The evidence needed is missing, empty, stale or filtered to nothing.
    NoEvidence,
    /// Evidence could not be loaded or evaluated.
    Error,
    /// It failed, but an unexpired waiver covers every failure.
    Waived,
    /// Mapped only to Annex A controls the Statement of Applicability excludes.
    NotApplicable,
}

impl Outcome {
    /// As printed: `pass`, `no evidence`, …
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NoEvidence => "no evidence",
            Outcome::Error => "error",
            Outcome::Waived => "waived",
            Outcome::NotApplicable => "not applicable",
        }
    }

    /// Every outcome, in report order.
    pub const ALL: [Outcome; 6] = [
        Outcome::Fail,
        Outcome::Error,
        Outcome::NoEvidence,
        Outcome::Waived,
        Outcome::NotApplicable,
        Outcome::Pass,
    ];
}

/// A standard's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No failing requirement.
    Ready,
    /// Only minor or observation failures.
    ReadyWithObservations,
    /// A failing major requirement, an error or missing evidence.
    NotReady,
}

impl Verdict {
    /// As printed.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::ReadyWithObservations => "ready with observations",
            Verdict::NotReady => "not ready",
        }
    }
}

/// The whole run.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// Schema version of this document.
    pub schema_version: &'static str,
    /// The tool and its version.
    pub tool: Tool,
    /// The evaluation instant, RFC 3339 (`2026-11-22T00:00:00Z`).
    pub as_of: String,
    /// Standards in scope (from `--standard`, or all).
    pub scope: Vec<String>,
    /// Every `--param` given on the command line, with the rule files' value and the one used.
    pub param_overrides: Vec<ParamOverride>,
    /// One entry per standard in scope.
    pub standards: Vec<StandardReport>,
    /// Requirements serving several standards: evaluated once, listed under each.
    pub combined: Combined,
    /// Every evaluated requirement, sorted by id.
    pub requirements: Vec<RequirementReport>,
    /// Every waiver and what it did.
    pub waivers: Vec<WaiverReport>,
    /// Manual evidence.
    pub attestations: Vec<AttestationReport>,
    /// Requirements switched off with `disable`.
    pub disabled: Vec<DisabledReport>,
    /// Evidence files: integrity and load status.
    pub evidence: Vec<EvidenceReport>,
    /// Rule files and their hashes.
    pub rules: Vec<RuleFile>,
    /// Warnings about the run (expired waivers, unused waivers, stale evidence …).
    pub warnings: Vec<Warning>,
    /// Totals over the requirements in scope.
    pub summary: Summary,
}

/// The tool that produced the report.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    /// `auditready`
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

/// A `--param` that changed a value.
#[derive(Clone, Debug, Serialize)]
pub struct ParamOverride {
    /// Param name.
    pub name: String,
    /// Value in the rule files.
    pub declared: String,
    /// Value used.
    pub value: String,
}

/// Totals.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Requirements evaluated.
    pub requirements: usize,
    /// Count per outcome.
    pub outcomes: OutcomeCounts,
    /// Verdict over all standards in scope: the worst of them.
    pub verdict: Option<Verdict>,
}

/// How many requirements had each outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutcomeCounts {
    /// Passing.
    pub pass: usize,
    /// Failing.
    pub fail: usize,
    /// Without evidence.
    pub no_evidence: usize,
    /// In error.
    pub error: usize,
    /// Waived.
    pub waived: usize,
    /// Not applicable.
    pub not_applicable: usize,
}

impl OutcomeCounts {
    /// Counts one outcome.
    pub fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::NoEvidence => self.no_evidence += 1,
            Outcome::Error => self.error += 1,
            Outcome::Waived => self.waived += 1,
            Outcome::NotApplicable => self.not_applicable += 1,
        }
    }

    /// The count for one outcome.
    pub fn get(&self, o: Outcome) -> usize {
        match o {
            Outcome::Pass => self.pass,
            Outcome::Fail => self.fail,
            Outcome::NoEvidence => self.no_evidence,
            Outcome::Error => self.error,
            Outcome::Waived => self.waived,
            Outcome::NotApplicable => self.not_applicable,
        }
    }
}

/// Readiness of one standard.
#[derive(Clone, Debug, Serialize)]
pub struct StandardReport {
    /// Short id.
    pub id: String,
    /// Full title.
    pub title: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Why (one line).
    pub verdict_reason: String,
    /// Ids of the requirements serving it, sorted.
    pub requirements: Vec<String>,
    /// Outcome counts over them.
    pub outcomes: OutcomeCounts,
    /// Clause and control coverage.
    pub coverage: Coverage,
}

/// How many catalog items of one kind are covered how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CoverageCounts {
    /// Items.
    pub total: usize,
    /// Covered by a requirement.
    pub automated: usize,
    /// Covered only by an unexpired attestation.
    pub attested: usize,
    /// Neither.
    pub manual: usize,
    /// Excluded by the Statement of Applicability.
    pub excluded: usize,
}

/// Which catalog items have automated checks, attestations, or neither.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    /// Clauses 4–10 (and subclauses).
    pub clauses: CoverageCounts,
    /// Annex A controls.
    pub controls: CoverageCounts,
    /// Items in the catalog (clauses and controls).
    pub total: usize,
    /// Items covered by at least one requirement.
    pub automated: usize,
    /// Items covered only by an unexpired attestation.
    pub attested: usize,
    /// Items with neither: manual evidence needed.
    pub manual: usize,
    /// Annex A controls excluded by the Statement of Applicability.
    pub excluded: usize,
    /// Every item, in catalog order.
    pub items: Vec<CoverageItem>,
}

/// How one catalog item is covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageKind {
    /// A requirement checks it (or an enclosing clause).
    Automated,
    /// An unexpired attestation covers it.
    Attested,
    /// Neither: the auditor needs manual evidence.
    Manual,
    /// The Statement of Applicability marks the control not applicable.
    Excluded,
}

/// One catalog item's coverage.
#[derive(Clone, Debug, Serialize)]
pub struct CoverageItem {
    /// Clause or control id.
    pub id: String,
    /// Short title.
    pub title: Option<String>,
    /// `clause` or `control`.
    pub kind: &'static str,
    /// How it is covered.
    pub coverage: CoverageKind,
    /// Requirements that reference it (or an enclosing clause).
    pub requirements: Vec<String>,
    /// Attestations that cover it.
    pub attestations: Vec<String>,
}

/// The combined-audit view.
#[derive(Clone, Debug, Serialize)]
pub struct Combined {
    /// Requirements evaluated.
    pub requirements: usize,
    /// Of those, the requirements that apply to at least one standard in scope (the
    /// Statement of Applicability does not exclude all their clauses).
    pub applicable_requirements: usize,
    /// Distinct (standard, clause or control) pairs in scope that an applicable requirement
    /// references, leaving out controls the Statement of Applicability excludes: a clause
    /// that three requirements check counts once.
    pub clause_obligations: usize,
    /// Standards in scope.
    pub standards: usize,
    /// "41 applicable requirements cover 187 distinct clause obligations across 5 standards"
    pub reuse: String,
    /// Requirements serving two or more standards (counting only the clauses that apply),
    /// sorted by id.
    pub shared: Vec<SharedRequirement>,
}

/// A requirement that serves several standards.
#[derive(Clone, Debug, Serialize)]
pub struct SharedRequirement {
    /// Requirement id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Its outcome.
    pub outcome: Outcome,
    /// Per standard, the clauses it serves.
    pub serves: Vec<ServedClauses>,
}

/// Clauses of one standard that a requirement serves.
#[derive(Clone, Debug, Serialize)]
pub struct ServedClauses {
    /// Standard id.
    pub standard: String,
    /// Clause and control ids.
    pub clauses: Vec<String>,
}

/// A requirement's result.
#[derive(Clone, Debug, Serialize)]
pub struct RequirementReport {
    /// Dotted id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Grade of a failure.
    pub severity: Severity,
    /// Owner role.
    pub owner: Option<String>,
    /// For the auditor.
    pub description: Option<String>,
    /// Rule file and line of the declaration (`shared/improvement.rules:12`).
    pub defined_at: String,
    /// Clauses it serves, as `standard:clause`.
    pub clauses: Vec<String>,
    /// The outcome.
    pub outcome: Outcome,
    /// One line saying why.
    pub message: String,
    /// Datasets it reads.
    pub datasets: Vec<String>,
    /// Per expect.
    pub expects: Vec<ExpectReport>,
    /// Metrics in definition order.
    pub metrics: Vec<MetricReport>,
    /// Records that broke an expect (at most a bounded number per expect; see `expects`).
    pub findings: Vec<Finding>,
    /// Records removed from the failures by a waiver.
    pub waived_records: Vec<Finding>,
    /// The waivers applied.
    pub waivers: Vec<String>,
    /// Why not applicable (the SoA's justification), when so: wholly (outcome
    /// `not_applicable`) or for the standards in `not_applicable_to`.
    pub not_applicable: Option<String>,
    /// Standards for which every clause it references is a control the Statement of
    /// Applicability excludes: it counts as not applicable in their readiness, whatever its
    /// outcome for the others.
    pub not_applicable_to: Vec<String>,
    /// Evaluation or evidence errors.
    pub errors: Vec<String>,
}

/// One expect's result.
#[derive(Clone, Debug, Serialize)]
pub struct ExpectReport {
    /// The expect as written.
    pub expect: String,
    /// Its outcome before waivers.
    pub outcome: Outcome,
    /// Records in the population (for `all`/`no`), if a quantifier.
    pub population: Option<usize>,
    /// Records that broke it, before waivers (for a grouped expect: the failing groups).
    pub failing: Option<usize>,
    /// Of those, records a waiver removed.
    pub waived: usize,
    /// The measured value for a comparison (`p90_days = 32.5`).
    pub measured: Option<String>,
    /// The target it is compared with (`<= 20`).
    pub target: Option<String>,
    /// The metric it compares, when its left side is one: that metric's value, record count
    /// and groups are in the requirement's `metrics`.
    pub metric: Option<String>,
    /// Groups that miss the target, for an expect on a grouped metric.
    pub failing_groups: Vec<GroupValue>,
    /// True when more failing records exist than are listed in `findings`.
    pub truncated: bool,
    /// For an expect without evidence because an aggregate ran over no record: which
    /// population was empty (``no record of `training` matches `where …` ``). Feeds the
    /// outcome's message; not part of the JSON report.
    #[serde(skip)]
    pub no_match: Option<String>,
}

/// A metric's value.
#[derive(Clone, Debug, Serialize)]
pub struct MetricReport {
    /// Name.
    pub name: String,
    /// The expression as written.
    pub expression: String,
    /// The value (`32.5`, `93.33%`, `none`).
    pub value: String,
    /// Records that fed it.
    pub records: usize,
    /// True when no expect reads it: a figure for the management review.
    pub informational: bool,
    /// One value per group, for grouped metrics, sorted by group.
    pub groups: Vec<GroupValue>,
    /// The group with the lowest share (ties: the first by group name), for grouped
    /// metrics of percents: the worst department.
    pub lowest: Option<GroupValue>,
}

/// A group and its value.
#[derive(Clone, Debug, Serialize)]
pub struct GroupValue {
    /// The group key (`Sales`, `2026-03`).
    pub group: String,
    /// The value.
    pub value: String,
    /// Records in the group.
    pub records: usize,
}

/// A record cited in a finding.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Index of the expect it broke.
    pub expect: usize,
    /// Dataset name.
    pub dataset: String,
    /// The record's key, if the dataset declares one.
    pub key: Option<String>,
    /// Evidence file (relative path).
    pub file: String,
    /// Line in the file (CSV, JSON Lines), if known.
    pub line: Option<u64>,
    /// Index in the JSON array or sheet row, if that is how it is located.
    pub index: Option<u64>,
    /// Why it fails, in a sentence.
    pub reason: String,
    /// Values that decided: the record's fields read by the rule, and the computed values
    /// (`e.at - l.terminated = 31h`).
    pub values: Vec<NamedValue>,
    /// The waiver that removed it, for waived records.
    pub waived_by: Option<String>,
}

/// A name and a value, as shown.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct NamedValue {
    /// Field or expression.
    pub name: String,
    /// Value as text.
    pub value: String,
}

/// A waiver's effect.
#[derive(Clone, Debug, Serialize)]
pub struct WaiverReport {
    /// Id.
    pub id: String,
    /// Requirement waived.
    pub requirement: String,
    /// Records named (empty: the whole requirement).
    pub records: Vec<String>,
    /// Why.
    pub reason: String,
    /// Who approved.
    pub approved_by: String,
    /// When approved.
    pub approved_on: Option<String>,
    /// Last day it applies.
    pub expires: String,
    /// `applied`, `expired` or `unused`.
    pub status: WaiverStatus,
    /// Records it removed from failures.
    pub applied_to: Vec<String>,
    /// Named records that did not fail (nothing to waive).
    pub unmatched: Vec<String>,
}

/// What a waiver did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    /// It covered failures.
    Applied,
    /// It expired before `as_of`: not applied.
    Expired,
    /// Its `approved_on` date is after `as_of`: not applied.
    NotYetApproved,
    /// Nothing to waive: the requirement passed or no named record failed.
    Unused,
}

/// An attestation and whether it counts.
#[derive(Clone, Debug, Serialize)]
pub struct AttestationReport {
    /// Id.
    pub id: String,
    /// Clauses, as `standard:clause`.
    pub clauses: Vec<String>,
    /// What is attested.
    pub statement: Option<String>,
    /// Who.
    pub attested_by: String,
    /// When.
    pub attested_on: String,
    /// The document that shows it.
    pub document: String,
    /// Last day it counts.
    pub expires: String,
    /// False once expired: expired attestations count as missing.
    pub valid: bool,
}

/// A requirement switched off.
#[derive(Clone, Debug, Serialize)]
pub struct DisabledReport {
    /// Requirement id.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// An evidence file.
#[derive(Clone, Debug, Serialize)]
pub struct EvidenceReport {
    /// Dataset name.
    pub dataset: String,
    /// Path relative to the evidence directory.
    pub file: String,
    /// `loaded`, `stale`, `empty`, `error` (the file is missing or does not load) or `not loaded`.
    pub status: String,
    /// Records loaded.
    pub rows: Option<usize>,
    /// File size in bytes.
    pub bytes: Option<u64>,
    /// SHA-256 of the file, hex.
    pub sha256: Option<String>,
    /// Encoding and delimiter used, and other facts about reading it.
    pub notes: Vec<String>,
    /// The newest record's date, for datasets that declare freshness.
    pub newest: Option<String>,
    /// The load error, if any.
    pub error: Option<String>,
}

/// A rule file.
#[derive(Clone, Debug, Serialize)]
pub struct RuleFile {
    /// Path relative to the rules directory.
    pub file: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

/// A warning about the run.
#[derive(Clone, Debug, Serialize)]
pub struct Warning {
    /// Stable code (`R503`).
    pub code: &'static str,
    /// The message.
    pub message: String,
}
