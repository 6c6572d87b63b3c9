//! Per-standard readiness, clause coverage and the combined-audit view.

use std::collections::{BTreeMap, BTreeSet};

use super::model::*;
use super::{RunContext, Soa};
use crate::check::program::Program;
use crate::syntax::ast::{EntryKind, Severity};

/// A report per standard in scope.
pub(super) fn standards(
    ctx: &RunContext<'_>,
    requirements: &[RequirementReport],
    scope: &[String],
    soa: &Soa,
    today: i32,
) -> Vec<StandardReport> {
    let program = ctx.program;
    let evaluated: BTreeSet<&str> = requirements.iter().map(|r| r.id.as_str()).collect();
    // `scope` is in report order.
    scope
        .iter()
        .filter_map(|id| program.standard(id))
        .map(|(si, s)| {
            let serving: Vec<&RequirementReport> = requirements
                .iter()
                .filter(|r| {
                    r.clauses
                        .iter()
                        .any(|c| c.split_once(':').is_some_and(|(sid, _)| sid == s.id))
                })
                .collect();
            // Applicability is per standard: a requirement the SoA excludes for this
            // standard counts as not applicable here, whatever it did for the others.
            let judged: Vec<(Outcome, Severity)> = serving
                .iter()
                .map(|r| {
                    let outcome = if r.not_applicable_to.contains(&s.id) {
                        Outcome::NotApplicable
                    } else {
                        r.outcome
                    };
                    (outcome, r.severity)
                })
                .collect();
            let mut outcomes = OutcomeCounts::default();
            for (o, _) in &judged {
                outcomes.add(*o);
            }
            let (verdict, verdict_reason) = verdict(&judged);
            StandardReport {
                id: s.id.clone(),
                title: s.title.clone(),
                verdict,
                verdict_reason,
                requirements: serving.iter().map(|r| r.id.clone()).collect(),
                outcomes,
                coverage: coverage(program, si, &evaluated, soa, today),
            }
        })
        .collect()
}

/// The verdict over the (outcome, severity) of the requirements serving a standard: a
/// failing major, an error or missing evidence make a standard not ready; other failures
/// leave it ready with observations.
fn verdict(serving: &[(Outcome, Severity)]) -> (Verdict, String) {
    let count = |f: &dyn Fn(Outcome, Severity) -> bool| serving.iter().filter(|(o, s)| f(*o, *s)).count();
    let major = count(&|o, s| o == Outcome::Fail && s == Severity::Major);
    let errors = count(&|o, _| o == Outcome::Error);
    let missing = count(&|o, _| o == Outcome::NoEvidence);
    let minor = count(&|o, s| o == Outcome::Fail && s == Severity::Minor);
    let observations = count(&|o, s| o == Outcome::Fail && s == Severity::Observation);
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if major > 0 {
        parts.push(plural(major, "major nonconformity", "major nonconformities"));
    }
    if errors > 0 {
        parts.push(plural(errors, "requirement in error", "requirements in error"));
    }
    if missing > 0 {
        parts.push(plural(
            missing,
            "requirement without evidence",
            "requirements without evidence",
        ));
    }
    if minor > 0 {
        parts.push(plural(minor, "minor nonconformity", "minor nonconformities"));
    }
    if observations > 0 {
        parts.push(plural(observations, "observation", "observations"));
    }
    // A standard that no requirement checks has shown nothing: it is not ready.
    if serving.is_empty() {
        return (
            Verdict::NotReady,
            "no requirement serves this standard".to_string(),
        );
    }
    let verdict = if major + errors + missing > 0 {
        Verdict::NotReady
    } else if minor + observations > 0 {
        Verdict::ReadyWithObservations
    } else {
        Verdict::Ready
    };
    let reason = if parts.is_empty() {
        let passing = count(&|o, _| matches!(o, Outcome::Pass | Outcome::Waived | Outcome::NotApplicable));
        if passing == 1 {
            "its 1 requirement passes, is waived or does not apply".to_string()
        } else {
            format!("all {passing} requirements pass, are waived or do not apply")
        }
    } else {
        parts.join(", ")
    };
    (verdict, reason)
}

/// Coverage of one standard's catalog: a clause is automated when a requirement references
/// it or an enclosing clause, or when all its subclauses are automated; attested when an
/// unexpired attestation covers it; excluded when the Statement of Applicability says so.
pub(crate) fn coverage(
    program: &Program,
    si: usize,
    evaluated: &BTreeSet<&str>,
    soa: &Soa,
    today: i32,
) -> Coverage {
    let Some(standard) = program.standards.get(si) else {
        return Coverage {
            clauses: CoverageCounts::default(),
            controls: CoverageCounts::default(),
            total: 0,
            automated: 0,
            attested: 0,
            manual: 0,
            excluded: 0,
            items: Vec::new(),
        };
    };
    let n = standard.items.len();
    let mut by_requirement: Vec<BTreeSet<String>> = vec![BTreeSet::new(); n];
    for r in program
        .requirements
        .iter()
        .filter(|r| evaluated.contains(r.id.as_str()))
    {
        for c in r.clauses.iter().filter(|c| c.standard == si) {
            if let Some(set) = by_requirement.get_mut(c.item) {
                set.insert(r.id.clone());
            }
        }
    }
    let mut by_attestation: Vec<BTreeSet<String>> = vec![BTreeSet::new(); n];
    for a in program.attestations.iter().filter(|a| a.valid_on(today)) {
        for c in a.clauses.iter().filter(|c| c.standard == si) {
            if let Some(set) = by_attestation.get_mut(c.item) {
                set.insert(a.id.clone());
            }
        }
    }
    // A reference to a clause covers its subclauses: inherit down the tree (parents come
    // before children in catalog order).
    for i in 0..n {
        let parent = standard.items.get(i).and_then(|it| it.parent);
        if let Some(p) = parent {
            let inherited = by_requirement.get(p).cloned().unwrap_or_default();
            let inherited_att = by_attestation.get(p).cloned().unwrap_or_default();
            if let Some(set) = by_requirement.get_mut(i) {
                set.extend(inherited);
            }
            if let Some(set) = by_attestation.get_mut(i) {
                set.extend(inherited_att);
            }
        }
    }
    let mut kinds: Vec<CoverageKind> = (0..n)
        .map(|i| {
            let item = standard.items.get(i);
            let excluded = item.is_some_and(|it| {
                it.kind == EntryKind::Control && matches!(soa.get(&(si, it.id.clone())), Some((false, _)))
            });
            if excluded {
                CoverageKind::Excluded
            } else if by_requirement.get(i).is_some_and(|s| !s.is_empty()) {
                CoverageKind::Automated
            } else if by_attestation.get(i).is_some_and(|s| !s.is_empty()) {
                CoverageKind::Attested
            } else {
                CoverageKind::Manual
            }
        })
        .collect();
    // A parent whose every child is covered is covered too (children after parents: walk
    // backwards so grandchildren settle first).
    let mut children: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, it) in standard.items.iter().enumerate() {
        if let Some(p) = it.parent {
            children.entry(p).or_default().push(i);
        }
    }
    for i in (0..n).rev() {
        let Some(kids) = children.get(&i) else {
            continue;
        };
        if kinds.get(i) != Some(&CoverageKind::Manual) {
            continue;
        }
        let kid_kinds: Vec<CoverageKind> = kids.iter().filter_map(|k| kinds.get(*k).copied()).collect();
        let all_covered = kid_kinds.iter().all(|k| *k != CoverageKind::Manual);
        if all_covered && !kid_kinds.is_empty() {
            let new = if kid_kinds.contains(&CoverageKind::Automated) {
                CoverageKind::Automated
            } else if kid_kinds.contains(&CoverageKind::Attested) {
                CoverageKind::Attested
            } else {
                CoverageKind::Excluded
            };
            if let Some(k) = kinds.get_mut(i) {
                *k = new;
            }
        }
    }
    let items: Vec<CoverageItem> = standard
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| CoverageItem {
            id: it.id.clone(),
            title: it.title.clone(),
            kind: match it.kind {
                EntryKind::Clause => "clause",
                EntryKind::Control => "control",
            },
            coverage: kinds.get(i).copied().unwrap_or(CoverageKind::Manual),
            requirements: by_requirement
                .get(i)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
            attestations: by_attestation
                .get(i)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        })
        .collect();
    let count = |k: CoverageKind| items.iter().filter(|i| i.coverage == k).count();
    let counts = |kind: &str| {
        let of_kind: Vec<&CoverageItem> = items.iter().filter(|i| i.kind == kind).collect();
        let n = |k: CoverageKind| of_kind.iter().filter(|i| i.coverage == k).count();
        CoverageCounts {
            total: of_kind.len(),
            automated: n(CoverageKind::Automated),
            attested: n(CoverageKind::Attested),
            manual: n(CoverageKind::Manual),
            excluded: n(CoverageKind::Excluded),
        }
    };
    Coverage {
        clauses: counts("clause"),
        controls: counts("control"),
        total: items.len(),
        automated: count(CoverageKind::Automated),
        attested: count(CoverageKind::Attested),
        manual: count(CoverageKind::Manual),
        excluded: count(CoverageKind::Excluded),
        items,
    }
}

/// Whether `standard:item` names a control the standard's Statement of Applicability
/// excludes: not an obligation of that standard.
fn excluded(program: &Program, soa: &Soa, standard: &str, item: &str) -> bool {
    program.standard(standard).is_some_and(|(si, s)| {
        s.items
            .iter()
            .any(|it| it.id == item && it.kind == EntryKind::Control)
            && matches!(soa.get(&(si, item.to_string())), Some((false, _)))
    })
}

/// The combined-audit view: shared requirements and the reuse figure. The figure counts
/// distinct (standard, clause or control) obligations in scope that applicable requirements
/// reference: a clause three requirements check counts once, and controls the Statement of
/// Applicability excludes (and requirements that apply nowhere) count not at all.
pub(super) fn combined(
    program: &Program,
    soa: &Soa,
    requirements: &[RequirementReport],
    scope: &[String],
) -> Combined {
    let mut obligations: BTreeSet<(String, String)> = BTreeSet::new();
    let mut shared = Vec::new();
    let mut applicable = 0;
    for r in requirements
        .iter()
        .filter(|r| r.outcome != Outcome::NotApplicable)
    {
        let mut serves: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for c in &r.clauses {
            let Some((sid, clause)) = c.split_once(':') else {
                continue;
            };
            if !scope.iter().any(|s| s == sid) || excluded(program, soa, sid, clause) {
                continue;
            }
            serves
                .entry(sid.to_string())
                .or_default()
                .push(clause.to_string());
            obligations.insert((sid.to_string(), clause.to_string()));
        }
        // Counted only when it covers an obligation in scope: the figure says how many
        // requirements cover how many obligations.
        if !serves.is_empty() {
            applicable += 1;
        }
        if serves.len() >= 2 {
            // Report order: the order of `scope`.
            let order = |sid: &str| scope.iter().position(|s| s == sid).unwrap_or(usize::MAX);
            let mut serves: Vec<ServedClauses> = serves
                .into_iter()
                .map(|(standard, clauses)| ServedClauses { standard, clauses })
                .collect();
            serves.sort_by_key(|s| order(&s.standard));
            shared.push(SharedRequirement {
                id: r.id.clone(),
                title: r.title.clone(),
                outcome: r.outcome,
                serves,
            });
        }
    }
    let n = applicable;
    let o = obligations.len();
    let k = scope.len();
    Combined {
        requirements: requirements.len(),
        applicable_requirements: n,
        clause_obligations: o,
        standards: k,
        reuse: format!(
            "{n} applicable requirement{} cover{} {o} distinct clause obligation{} across {k} standard{}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" },
            if o == 1 { "" } else { "s" },
            if k == 1 { "" } else { "s" }
        ),
        shared,
    }
}
