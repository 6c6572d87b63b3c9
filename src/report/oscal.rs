//! The run as an OSCAL 1.1 assessment-results document (JSON), for GRC tools that import
//! OSCAL.
//!
//! Mapping:
//! - `metadata`: title, `last-modified` = `as_of`, `version` = the `as_of` date,
//!   `oscal-version` 1.1.3, the tool in props.
//! - `import-ap`: auditready has no OSCAL assessment plan (the rule files are the plan), so
//!   `href` is a placeholder, `assessment-plan.oscal.json`, and its remarks say so.
//! - one `result` (start = end = `as_of`) whose `reviewed-controls` are the clauses and
//!   controls the requirements cite, as `<standard>-<clause>` ids (`iso27001-A.5.18`).
//! - an `observation` per requirement (method `TEST`), citing every record it names:
//!   `relevant-evidence` links to the evidence file and line (`jira/capa.csv#L65`; a JSON
//!   array element as `#/12`, a sheet row as `#row=4`), or, when it cites none, to the
//!   exports it read.
//! - a `finding` per requirement and clause: target `objective-id` with status
//!   `satisfied` (pass; not applicable, with implementation status `not-applicable`) or
//!   `not-satisfied` (fail, no evidence, error, and waived: a waiver accepts a failure, it
//!   does not remove it).
//! - a `risk` per requirement that is not satisfied: `open`, or `deviation-approved` when
//!   waived.
//! - `back-matter`: a resource per evidence file and rule file with its SHA-256.
//!
//! UUIDs are derived, not random: the first 128 bits of a SHA-256 over the run's inputs
//! (as_of, scope, rule and evidence hashes) and the object's identity, with the RFC 4122
//! version (5) and variant bits set, so the same inputs give a byte-identical document.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::RenderError;
use super::sarif::uri_path;
use super::view::is_sheet;
use crate::eval::model::*;

/// The OSCAL version the document conforms to.
pub const OSCAL_VERSION: &str = "1.1.3";

/// Namespace of auditready's own props.
const NS: &str = "urn:auditready:oscal";

/// A name-based UUID: SHA-256 of the namespace and name, truncated to 128 bits, with the
/// version nibble set to 5 and the RFC 4122 variant.
pub fn uuid(namespace: &str, name: &str) -> String {
    let mut h = Sha256::new();
    h.update(namespace.as_bytes());
    h.update([0u8]);
    h.update(name.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    for (dst, src) in b.iter_mut().zip(d.iter()) {
        *dst = *src;
    }
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::eval::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        hex.get(0..8).unwrap_or_default(),
        hex.get(8..12).unwrap_or_default(),
        hex.get(12..16).unwrap_or_default(),
        hex.get(16..20).unwrap_or_default(),
        hex.get(20..32).unwrap_or_default()
    )
}

/// An OSCAL token (XML NCName) for a standard's clause: `iso27001-A.5.18`.
pub fn control_id(clause_ref: &str) -> String {
    let (standard, clause) = clause_ref.split_once(':').unwrap_or(("", clause_ref));
    let raw = if standard.is_empty() {
        clause.to_string()
    } else {
        format!("{standard}-{clause}")
    };
    let mut out: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// A non-empty single-line string without surrounding whitespace (OSCAL's StringDatatype).
fn line(s: &str) -> String {
    let folded = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() {
        "-".to_string()
    } else {
        folded
    }
}

fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": line(value) })
}

/// Link to a record: the file and a fragment that locates it.
fn record_href(f: &Finding) -> Option<String> {
    if f.file.is_empty() {
        return None;
    }
    let path = uri_path(&f.file);
    Some(match (f.line, f.index) {
        (Some(l), _) => format!("{path}#L{l}"),
        (None, Some(i)) if is_sheet(&f.file) => format!("{path}#row={i}"),
        (None, Some(i)) => format!("{path}#/{i}"),
        (None, None) => path,
    })
}

fn record_description(f: &Finding) -> String {
    let mut s = format!(
        "{} record {} at {}: {}",
        f.dataset,
        f.key.as_deref().unwrap_or("(no key)"),
        super::view::location(&f.file, f.line, f.index),
        f.reason
    );
    if !f.values.is_empty() {
        let values: Vec<String> = f
            .values
            .iter()
            .map(|v| format!("{} = {}", v.name, v.value))
            .collect();
        s.push_str(". Values: ");
        s.push_str(&values.join("; "));
    }
    if let Some(w) = &f.waived_by {
        s.push_str(&format!(". Waived by {w}"));
    }
    s
}

/// Renders the OSCAL assessment-results document.
pub fn render(report: &RunReport) -> Result<Vec<u8>, RenderError> {
    let doc = document(report);
    let text = serde_json::to_string_pretty(&doc).map_err(|e| RenderError {
        format: "oscal",
        message: e.to_string(),
    })?;
    let mut out = html_safe_json(&text).into_bytes();
    out.push(b'\n');
    Ok(out)
}

/// JSON whose strings cannot close a `<script>` block or start markup when a viewer
/// embeds it in a page: `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026`.
/// Outside strings JSON never contains them, so a plain replacement is exact.
pub fn html_safe_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The document as JSON.
pub fn document(report: &RunReport) -> Value {
    // Everything the result depends on: the same inputs give the same UUIDs.
    let mut seed = format!("{}\n{}\n", report.as_of, report.scope.join(","));
    for r in &report.rules {
        seed.push_str(&format!("rule {} {}\n", r.file, r.sha256));
    }
    for e in &report.evidence {
        seed.push_str(&format!(
            "evidence {} {} {}\n",
            e.dataset,
            e.file,
            e.sha256.as_deref().unwrap_or("-")
        ));
    }
    for p in &report.param_overrides {
        seed.push_str(&format!("param {} {}\n", p.name, p.value));
    }
    let id = |kind: &str, name: &str| uuid(&seed, &format!("{kind}\n{name}"));
    let date = super::view::as_of_date(report);

    let mut observations = Vec::new();
    let mut findings = Vec::new();
    let mut risks = Vec::new();
    let mut reviewed: Vec<String> = Vec::new();
    for r in &report.requirements {
        for c in &r.clauses {
            let cid = control_id(c);
            if !reviewed.contains(&cid) {
                reviewed.push(cid);
            }
        }
        let observation_uuid = id("observation", &r.id);
        observations.push(observation(report, r, &observation_uuid));
        let satisfied = matches!(r.outcome, Outcome::Pass | Outcome::NotApplicable);
        let risk_uuid = (!satisfied).then(|| id("risk", &r.id));
        if let Some(risk_uuid) = &risk_uuid {
            risks.push(risk(report, r, risk_uuid, &observation_uuid));
        }
        for c in &r.clauses {
            findings.push(finding(
                r,
                c,
                &id("finding", &format!("{}\n{c}", r.id)),
                &observation_uuid,
                risk_uuid.as_deref(),
            ));
        }
    }
    reviewed.sort_by(|a, b| super::view::clause_order(a, b).then_with(|| a.cmp(b)));

    let mut result = json!({
        "uuid": id("result", "result"),
        "title": format!("Audit readiness as of {date}"),
        "description": format!(
            "Automated evaluation of {} requirement{} against the exported evidence by {} {}. {}.",
            report.summary.requirements,
            if report.summary.requirements == 1 { "" } else { "s" },
            report.tool.name,
            report.tool.version,
            report.combined.reuse
        ),
        "start": report.as_of,
        "end": report.as_of,
    });
    let mut props: Vec<Value> = report
        .standards
        .iter()
        .map(|s| {
            json!({
                "name": "verdict",
                "ns": NS,
                "class": control_id(&s.id),
                "value": s.verdict.label(),
                "remarks": format!("{}: {}", s.title, s.verdict_reason),
            })
        })
        .collect();
    if let Some(v) = report.summary.verdict {
        props.push(prop("overall-verdict", v.label()));
    }
    insert_nonempty(&mut result, "props", props);
    let selections = if reviewed.is_empty() {
        // Nothing cited: say so rather than claim every control was reviewed.
        json!([{ "include-controls": [{ "control-id": "none" }] }])
    } else {
        json!([{
            "include-controls": reviewed
                .iter()
                .map(|c| json!({ "control-id": c }))
                .collect::<Vec<_>>()
        }])
    };
    if let Some(obj) = result.as_object_mut() {
        obj.insert(
            "reviewed-controls".into(),
            json!({
                "description": "The clauses and controls of the standards in scope that the requirements cite, as <standard>-<clause>.",
                "control-selections": selections,
            }),
        );
    }
    insert_nonempty(&mut result, "observations", observations);
    insert_nonempty(&mut result, "risks", risks);
    insert_nonempty(&mut result, "findings", findings);
    if !report.warnings.is_empty() {
        let text: Vec<String> = report
            .warnings
            .iter()
            .map(|w| format!("[{}] {}", w.code, w.message))
            .collect();
        if let Some(obj) = result.as_object_mut() {
            obj.insert("remarks".into(), Value::String(text.join("\n")));
        }
    }

    let mut resources = Vec::new();
    for e in &report.evidence {
        let mut rlink = json!({ "href": uri_path(&e.file) });
        if let Some(sha) = e.sha256.as_deref().filter(|s| !s.is_empty()) {
            if let Some(obj) = rlink.as_object_mut() {
                obj.insert("hashes".into(), json!([{ "algorithm": "SHA-256", "value": sha }]));
            }
        }
        let mut props = vec![prop("dataset", &e.dataset), prop("status", &e.status)];
        if let Some(rows) = e.rows {
            props.push(prop("records", &rows.to_string()));
        }
        if let Some(bytes) = e.bytes {
            props.push(prop("bytes", &bytes.to_string()));
        }
        resources.push(json!({
            "uuid": id("evidence", &format!("{}\n{}", e.dataset, e.file)),
            "title": e.file,
            "description": format!("Evidence export for dataset {}", e.dataset),
            "props": props,
            "rlinks": [rlink],
        }));
    }
    for f in &report.rules {
        resources.push(json!({
            "uuid": id("rules", &f.file),
            "title": f.file,
            "description": "Rule file (relative to the rules directory)",
            "props": [prop("kind", "rule-file")],
            "rlinks": [{ "href": uri_path(&f.file), "hashes": [{ "algorithm": "SHA-256", "value": f.sha256 }] }],
        }));
    }

    let mut ar = json!({
        "uuid": id("document", "assessment-results"),
        "metadata": {
            "title": format!("Audit readiness assessment results as of {date}"),
            "last-modified": report.as_of,
            "version": date,
            "oscal-version": OSCAL_VERSION,
            "props": [
                prop("tool", &format!("{} {}", report.tool.name, report.tool.version)),
                prop("report-schema", report.schema_version),
            ],
            "remarks": "Produced by auditready from rule files and evidence exports; the same inputs and as-of date give a byte-identical document.",
        },
        "import-ap": {
            "href": "assessment-plan.oscal.json",
            "remarks": "Placeholder: auditready publishes no OSCAL assessment plan. The plan is the rule files, listed with their SHA-256 in the back matter.",
        },
        "results": [result],
    });
    if !resources.is_empty() {
        if let Some(obj) = ar.as_object_mut() {
            obj.insert("back-matter".into(), json!({ "resources": resources }));
        }
    }
    json!({ "assessment-results": ar })
}

/// OSCAL forbids empty arrays: the key is left out instead.
fn insert_nonempty(target: &mut Value, key: &str, items: Vec<Value>) {
    if items.is_empty() {
        return;
    }
    if let Some(obj) = target.as_object_mut() {
        obj.insert(key.into(), Value::Array(items));
    }
}

fn observation(report: &RunReport, r: &RequirementReport, uuid: &str) -> Value {
    let mut evidence: Vec<Value> = r
        .findings
        .iter()
        .chain(&r.waived_records)
        .map(|f| {
            let mut e = json!({ "description": record_description(f) });
            if let (Some(href), Some(obj)) = (record_href(f), e.as_object_mut()) {
                obj.insert("href".into(), Value::String(href));
            }
            if let Some(obj) = e.as_object_mut() {
                let mut props = vec![prop("dataset", &f.dataset)];
                if let Some(k) = &f.key {
                    props.push(prop("record-key", k));
                }
                if let Some(w) = &f.waived_by {
                    props.push(prop("waived-by", w));
                }
                obj.insert("props".into(), Value::Array(props));
            }
            e
        })
        .collect();
    if evidence.is_empty() {
        evidence = report
            .evidence
            .iter()
            .filter(|e| r.datasets.contains(&e.dataset))
            .map(|e| {
                json!({
                    "href": uri_path(&e.file),
                    "description": format!(
                        "Export read by the requirement: dataset {}, {} record(s), status {}, SHA-256 {}",
                        e.dataset,
                        e.rows.map_or("-".to_string(), |n| n.to_string()),
                        e.status,
                        e.sha256.as_deref().filter(|h| !h.is_empty()).unwrap_or("-")
                    ),
                })
            })
            .collect();
    }
    let failing = !matches!(r.outcome, Outcome::Pass | Outcome::NotApplicable);
    let mut o = json!({
        "uuid": uuid,
        "title": format!("{}: {}", r.id, r.title),
        "description": format!("{} ({}): {}", r.id, r.outcome.label(), r.message),
        "props": [
            prop("requirement", &r.id),
            prop("outcome", r.outcome.label()),
            prop("severity", super::view::severity_label(r.severity)),
            prop("defined-at", &r.defined_at),
        ],
        "methods": ["TEST"],
        "types": [if failing { "finding" } else { "control-objective" }],
        "collected": report.as_of,
    });
    insert_nonempty(&mut o, "relevant-evidence", evidence);
    let mut remarks: Vec<String> = r
        .expects
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut s = format!("Expect {} ({}): {}", i + 1, e.outcome.label(), e.expect);
            if let Some(p) = e.population {
                s.push_str(&format!("; population {p}"));
            }
            if let Some(f) = e.failing {
                s.push_str(&format!("; failing {f}"));
            }
            if let (Some(m), Some(t)) = (&e.measured, &e.target) {
                s.push_str(&format!("; measured {m}, target {t}"));
            }
            for g in &e.failing_groups {
                s.push_str(&format!("; group {} = {} misses the target", g.group, g.value));
            }
            s
        })
        .collect();
    remarks.extend(
        r.metrics
            .iter()
            .map(|m| format!("Metric {} = {} ({} records)", m.name, m.value, m.records)),
    );
    remarks.extend(r.errors.iter().map(|e| format!("Error: {e}")));
    if let Some(d) = &r.description {
        remarks.insert(0, d.clone());
    }
    if !remarks.is_empty() {
        if let Some(obj) = o.as_object_mut() {
            obj.insert("remarks".into(), Value::String(remarks.join("\n")));
        }
    }
    o
}

fn finding(r: &RequirementReport, clause: &str, uuid: &str, observation: &str, risk: Option<&str>) -> Value {
    let (state, reason) = match r.outcome {
        Outcome::Pass => ("satisfied", "pass"),
        Outcome::NotApplicable => ("satisfied", "other"),
        Outcome::Fail => ("not-satisfied", "fail"),
        Outcome::NoEvidence | Outcome::Error | Outcome::Waived => ("not-satisfied", "other"),
    };
    let mut target = json!({
        "type": "objective-id",
        "target-id": control_id(clause),
        "title": clause,
        "description": format!("{} ({})", r.message, r.outcome.label()),
        "status": { "state": state, "reason": reason, "remarks": format!("auditready outcome: {}", r.outcome.label()) },
    });
    if r.outcome == Outcome::NotApplicable {
        if let Some(obj) = target.as_object_mut() {
            obj.insert(
                "implementation-status".into(),
                json!({ "state": "not-applicable", "remarks": r.not_applicable.clone().unwrap_or_default() }),
            );
        }
    }
    let mut f = json!({
        "uuid": uuid,
        "title": format!("{clause}: {}", r.title),
        "description": format!("Requirement {} ({}) for {clause}: {}", r.id, super::view::severity_label(r.severity), r.message),
        "props": [
            prop("requirement", &r.id),
            prop("outcome", r.outcome.label()),
            prop("severity", super::view::severity_label(r.severity)),
        ],
        "target": target,
        "related-observations": [{ "observation-uuid": observation }],
    });
    if let (Some(risk), Some(obj)) = (risk, f.as_object_mut()) {
        obj.insert("related-risks".into(), json!([{ "risk-uuid": risk }]));
    }
    f
}

fn risk(report: &RunReport, r: &RequirementReport, uuid: &str, observation: &str) -> Value {
    let waivers: Vec<String> = r
        .waivers
        .iter()
        .filter_map(|id| report.waivers.iter().find(|w| &w.id == id))
        .map(|w| {
            format!(
                "Waiver {}: {} (approved by {}, expires {})",
                w.id, w.reason, w.approved_by, w.expires
            )
        })
        .collect();
    let mut statement = format!(
        "Requirement {} ({}) serving {} is {}: {}.",
        r.id,
        super::view::severity_label(r.severity),
        r.clauses.join(", "),
        r.outcome.label(),
        r.message
    );
    if let Some(owner) = &r.owner {
        statement.push_str(&format!(" Owner: {owner}."));
    }
    for w in &waivers {
        statement.push(' ');
        statement.push_str(w);
        statement.push('.');
    }
    json!({
        "uuid": uuid,
        "title": format!("{}: {}", r.id, r.title),
        "description": r.message,
        "statement": statement,
        "props": [
            prop("requirement", &r.id),
            prop("severity", super::view::severity_label(r.severity)),
        ],
        "status": if r.outcome == Outcome::Waived { "deviation-approved" } else { "open" },
        "related-observations": [{ "observation-uuid": observation }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_deterministic_version_5_and_rfc_4122() {
        let a = uuid("ns", "name");
        assert_eq!(a, uuid("ns", "name"));
        assert_ne!(a, uuid("ns", "other"));
        let b: Vec<char> = a.chars().collect();
        assert_eq!(a.len(), 36);
        assert_eq!(b[14], '5');
        assert!(matches!(b[19], '8' | '9' | 'a' | 'b'));
    }

    #[test]
    fn control_ids_are_tokens() {
        assert_eq!(control_id("iso27001:A.5.18"), "iso27001-A.5.18");
        assert_eq!(control_id("10.2"), "_10.2");
        assert_eq!(control_id("x:a b"), "x-a_b");
    }
}
