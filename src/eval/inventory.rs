//! The report's inventory around the findings: waivers (applied, unused, expired),
//! attestations, the evidence files (rows, hashes, freshness) and the rule files' hashes.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::model::{self, *};
use super::{RunContext, WaiverUse, hex, newest, staleness};
use crate::check::program::Program;
use crate::diagnostic::Code;
use crate::source::SourceMap;
use crate::value;

/// The waivers in scope: which applied, which matched nothing, which expired.
pub(super) fn waiver_reports(
    program: &Program,
    selected: &[usize],
    uses: &HashMap<String, WaiverUse>,
    today: i32,
    warnings: &mut Vec<model::Warning>,
) -> Vec<WaiverReport> {
    let mut out = Vec::new();
    for w in &program.waivers {
        if !selected.contains(&w.requirement) {
            continue;
        }
        let requirement = program
            .requirements
            .get(w.requirement)
            .map_or(String::new(), |r| r.id.clone());
        let expired = w.expires < today;
        let not_yet_approved = w.approved_on.is_some_and(|a| a > today);
        let used = uses.get(&w.id);
        let applied = used.map(|u| u.applied.clone()).unwrap_or_default();
        let status = if not_yet_approved {
            warnings.push(model::Warning {
                code: Code::R507.as_str(),
                message: format!(
                    "waiver `{}` for `{requirement}` is approved only from {} and was not applied",
                    w.id,
                    value::format_date(w.approved_on.unwrap_or(w.expires))
                ),
            });
            WaiverStatus::NotYetApproved
        } else if expired {
            warnings.push(model::Warning {
                code: Code::R503.as_str(),
                message: format!(
                    "waiver `{}` for `{requirement}` expired on {} and was not applied",
                    w.id,
                    value::format_date(w.expires)
                ),
            });
            WaiverStatus::Expired
        } else if applied.is_empty() {
            warnings.push(model::Warning {
                code: Code::R504.as_str(),
                message: format!(
                    "waiver `{}` for `{requirement}` waived nothing: withdraw it or correct it",
                    w.id
                ),
            });
            WaiverStatus::Unused
        } else {
            WaiverStatus::Applied
        };
        let unmatched = if expired || not_yet_approved {
            Vec::new()
        } else {
            used.map(|u| u.unmatched.clone())
                .unwrap_or_else(|| w.records.clone())
        };
        if status == WaiverStatus::Applied && !unmatched.is_empty() {
            warnings.push(model::Warning {
                code: Code::R504.as_str(),
                message: format!(
                    "waiver `{}` names record{} {} that did not fail",
                    w.id,
                    if unmatched.len() == 1 { "" } else { "s" },
                    unmatched
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        out.push(WaiverReport {
            id: w.id.clone(),
            requirement,
            records: w.records.clone(),
            reason: w.reason.clone(),
            approved_by: w.approved_by.clone(),
            approved_on: w.approved_on.map(value::format_date),
            expires: value::format_date(w.expires),
            status,
            applied_to: applied,
            unmatched,
        });
    }
    out
}

/// Every attestation, valid or not as of the run (an expired one, or one dated after the
/// run, is also a warning).
pub(super) fn attestation_reports(
    program: &Program,
    today: i32,
    warnings: &mut Vec<model::Warning>,
) -> Vec<AttestationReport> {
    program
        .attestations
        .iter()
        .map(|a| {
            let valid = a.valid_on(today);
            if a.expires < today {
                warnings.push(model::Warning {
                    code: Code::R505.as_str(),
                    message: format!(
                        "attestation `{}` expired on {}: its clauses count as needing manual evidence",
                        a.id,
                        value::format_date(a.expires)
                    ),
                });
            } else if a.attested_on > today {
                warnings.push(model::Warning {
                    code: Code::R506.as_str(),
                    message: format!(
                        "attestation `{}` is dated {}, after the evaluation date: its clauses count as needing manual evidence",
                        a.id,
                        value::format_date(a.attested_on)
                    ),
                });
            }
            AttestationReport {
                id: a.id.clone(),
                clauses: a.clauses.iter().filter_map(|c| program.clause_label(c)).collect(),
                statement: a.statement.clone(),
                attested_by: a.attested_by.clone(),
                attested_on: value::format_date(a.attested_on),
                document: a.document.clone(),
                expires: value::format_date(a.expires),
                valid,
            }
        })
        .collect()
}

/// One line per declared dataset: its file, rows, size, hash, newest record and status.
pub(super) fn evidence_reports(
    ctx: &RunContext<'_>,
    warnings: &mut Vec<model::Warning>,
) -> Vec<EvidenceReport> {
    let mut out = Vec::new();
    for (i, d) in ctx.program.datasets.iter().enumerate() {
        let Some(input) = ctx.datasets.get(i) else {
            continue;
        };
        let stale = staleness(ctx, i);
        if let Some(s) = &stale {
            warnings.push(model::Warning {
                code: Code::R502.as_str(),
                message: s.clone(),
            });
        }
        let status = match (&input.error, input.rows) {
            (Some(_), _) => "error",
            (None, Some(r)) if r.is_empty() => "empty",
            (None, Some(_)) if stale.is_some() => "stale",
            (None, Some(_)) => "loaded",
            (None, None) => "not loaded",
        };
        out.push(EvidenceReport {
            dataset: d.name.clone(),
            file: input
                .file
                .as_ref()
                .map_or(d.spec.source.clone(), |f| f.path.clone()),
            status: status.to_string(),
            rows: input.rows.map(|r| r.len()),
            bytes: input.file.as_ref().map(|f| f.bytes),
            sha256: input.file.as_ref().map(|f| f.sha256.clone()),
            notes: input.file.as_ref().map(|f| f.notes.clone()).unwrap_or_default(),
            newest: newest(ctx, i).map(value::format_datetime),
            error: input.error.clone(),
        });
    }
    out
}

/// The rule files read, with their SHA-256, in name order.
pub(super) fn rule_files(sources: &SourceMap) -> Vec<RuleFile> {
    let mut files: Vec<RuleFile> = sources
        .files()
        .map(|(_, f)| RuleFile {
            file: f.name.clone(),
            sha256: hex(&Sha256::digest(f.text.as_bytes())),
        })
        .collect();
    files.sort_by(|a, b| a.file.cmp(&b.file));
    files
}
