//! The shipped rule library on the shipped sample evidence: the product's showcase.
//!
//! Every deliberate finding of `evidence/README.md` must fail its requirement and cite the
//! right record; nothing else may fail; the report is snapshotted (text and JSON) so any
//! change to it is reviewed as an auditor would read it.

// Test helpers outside #[test] functions may fail loudly: a failure is the test failing.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn auditready(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_auditready"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run auditready")
}

fn sample_json() -> &'static serde_json::Value {
    static REPORT: OnceLock<serde_json::Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        let out = auditready(&[
            "run",
            "--as-of",
            "2026-11-22",
            "--format",
            "json",
            "--fail-on",
            "never",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json report")
    })
}

fn requirement<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no requirement {id}"))
}

/// (key, file, line) of the cited records.
fn cited(r: &serde_json::Value, field: &str) -> Vec<(String, String, u64)> {
    r[field]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap_or("").to_string(),
                f["file"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().or_else(|| f["index"].as_u64()).unwrap_or(0),
            )
        })
        .collect()
}

/// A cited record as written in a test: key, file, line.
type Cited<'a> = (&'a str, &'a str, u64);

fn records(list: &[Cited<'_>]) -> Vec<(String, String, u64)> {
    list.iter()
        .map(|(k, f, l)| (k.to_string(), f.to_string(), *l))
        .collect()
}

#[test]
fn exactly_the_deliberate_findings_fail() {
    let report = sample_json();
    let failing: BTreeMap<&str, &str> = report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| r["outcome"] != "pass")
        .map(|r| {
            (
                r["id"].as_str().unwrap_or(""),
                r["outcome"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let expected: BTreeMap<&str, &str> = [
        ("access.revoked_on_termination", "fail"),
        ("ai.impact_assessed", "fail"),
        ("capa.cycle_time", "fail"),
        ("capa.no_overdue_open", "fail"),
        ("change.security_review", "fail"),
        ("incidents.lessons_learned", "fail"),
        ("incidents.major_problem", "fail"),
        ("supplier.evaluated", "fail"),
        ("training.department_completion", "fail"),
    ]
    .into_iter()
    .collect();
    assert_eq!(failing, expected);
}

#[test]
fn each_deliberate_finding_cites_its_record() {
    let report = sample_json();
    let cases: &[(&str, &[Cited<'_>])] = &[
        (
            "capa.cycle_time",
            &[("CAPA-60", "jira/capa.csv", 65), ("CAPA-74", "jira/capa.csv", 81)],
        ),
        ("capa.no_overdue_open", &[("CAPA-135", "jira/capa.csv", 146)]),
        (
            "access.revoked_on_termination",
            &[
                ("E0725", "hr/leavers.csv", 7),
                ("E0793", "hr/leavers.csv", 11),
                ("E0827", "hr/leavers.csv", 13),
            ],
        ),
        (
            "change.security_review",
            &[("CHG0030058", "servicenow/change_request.csv", 59)],
        ),
        (
            "incidents.lessons_learned",
            &[("SIR0010010", "servicenow/sn_si_incident.csv", 11)],
        ),
        (
            "incidents.major_problem",
            &[("INC0010387", "servicenow/incident.csv", 388)],
        ),
        (
            "supplier.evaluated",
            &[("Pohjola Datacenter Oy", "grc/suppliers.csv", 10)],
        ),
        (
            "ai.impact_assessed",
            &[("Sales e-mail assistant", "ai/ai-systems.csv", 9)],
        ),
        // Sales: three assignments completed late, three never completed.
        (
            "training.department_completion",
            &[
                ("U1012 / SEC-PHISH", "lms/training-completions.csv", 669),
                ("U1089 / QMS-CC", "lms/training-completions.csv", 677),
                ("U1091 / BCM-101", "lms/training-completions.csv", 696),
                ("U1093 / SEC-PHISH", "lms/training-completions.csv", 719),
                ("U1094 / ABC-101", "lms/training-completions.csv", 727),
                ("U1096 / AI-101", "lms/training-completions.csv", 743),
            ],
        ),
    ];
    // Together the cases name every requirement that fails: no deliberate finding is left
    // without its records.
    let failing: Vec<&str> = report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| r["outcome"] == "fail")
        .map(|r| r["id"].as_str().unwrap_or(""))
        .collect();
    let mut named: Vec<&str> = cases.iter().map(|(id, _)| *id).collect();
    named.sort_unstable();
    assert_eq!(failing, named);
    for (id, expected) in cases {
        assert_eq!(
            cited(requirement(report, id), "findings"),
            records(expected),
            "{id}"
        );
    }
    // CAPA-112 is under a valid waiver; CAPA-60's waiver expired and does not apply.
    let capa = requirement(report, "capa.cycle_time");
    assert_eq!(
        cited(capa, "waived_records"),
        records(&[("CAPA-112", "jira/capa.csv", 121)])
    );
    assert_eq!(capa["waived_records"][0]["waived_by"], "W-2026-004");
    let waivers: BTreeMap<&str, &str> = report["waivers"]
        .as_array()
        .expect("waivers")
        .iter()
        .map(|w| (w["id"].as_str().unwrap_or(""), w["status"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(waivers.get("W-2026-001"), Some(&"expired"));
    assert_eq!(waivers.get("W-2026-004"), Some(&"applied"));
}

#[test]
fn sales_training_is_the_failing_group_and_the_lowest_department() {
    let report = sample_json();
    let by_department = requirement(report, "training.department_completion");
    let groups = &by_department["expects"][0]["failing_groups"];
    assert_eq!(groups.as_array().map(Vec::len), Some(1));
    assert_eq!(groups[0]["group"], "Sales");
    assert_eq!(groups[0]["value"], "93.18%");
    // The six late or missing Sales assignments are cited (each_deliberate_finding_cites_its_record
    // names them).
    assert_eq!(by_department["findings"].as_array().map(Vec::len), Some(6));
    let overall = requirement(report, "training.mandatory_completion");
    assert_eq!(overall["outcome"], "pass");
    let lowest = overall["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find_map(|m| m.get("lowest").filter(|l| !l.is_null()));
    assert_eq!(
        lowest.map(|l| l["group"].clone()),
        Some(serde_json::json!("Sales"))
    );
}

#[test]
fn five_standards_with_verdicts_coverage_and_the_reuse_figure() {
    let report = sample_json();
    let standards: Vec<(&str, &str)> = report["standards"]
        .as_array()
        .expect("standards")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or(""),
                s["verdict"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(standards.len(), 5);
    assert!(standards.iter().all(|(_, v)| *v == "not_ready"), "{standards:?}");
    for s in report["standards"].as_array().expect("standards") {
        let clauses = &s["coverage"]["clauses"];
        let manual = clauses["manual"].as_u64().unwrap_or(99);
        assert!(manual <= 3, "{}: {manual} clauses without coverage", s["id"]);
    }
    assert!(
        report["combined"]["reuse"]
            .as_str()
            .expect("reuse")
            .starts_with("48 applicable requirements cover")
    );
    assert_eq!(report["evidence"].as_array().map(Vec::len), Some(21));
    assert!(
        report["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .all(|e| e["status"] == "loaded" && e["sha256"].is_string())
    );
}

#[test]
fn the_sample_report_reads_as_snapshotted() {
    let text = auditready(&["run", "--as-of", "2026-11-22", "--fail-on", "never"]);
    insta::assert_snapshot!("sample_report_text", String::from_utf8_lossy(&text.stdout));
    insta::assert_json_snapshot!("sample_report_json", sample_json());
}

#[test]
fn the_gate_fails_on_the_sample_and_passes_when_asked_for_a_report_only() {
    assert_eq!(
        auditready(&["run", "--as-of", "2026-11-22"]).status.code(),
        Some(1)
    );
    assert_eq!(
        auditready(&["run", "--as-of", "2026-11-22", "--fail-on", "never"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn the_shipped_library_checks_clean_and_its_tests_pass() {
    let check = auditready(&["check"]);
    assert_eq!(check.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&check.stderr).contains("0 errors, 0 warnings"),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let test = auditready(&["test"]);
    let out = String::from_utf8_lossy(&test.stdout);
    assert_eq!(test.status.code(), Some(0), "{out}");
    assert!(
        out.trim_end().ends_with(" failed") && out.contains(" passed, 0 failed"),
        "{out}"
    );
    assert!(
        !out.contains("without a test"),
        "every requirement has a test: {out}"
    );
}

#[test]
fn the_generator_reproduces_the_sample_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_generate-evidence"))
        .args(["--out", dir.path().to_str().expect("path")])
        .output()
        .expect("run generator");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut compared = 0;
    for file in files(&root().join("evidence")) {
        let rel = file.strip_prefix(root().join("evidence")).expect("relative");
        if rel == Path::new("README.md") {
            continue;
        }
        let generated = std::fs::read(dir.path().join(rel))
            .unwrap_or_else(|_| panic!("generator did not write {}", rel.display()));
        assert!(
            generated == std::fs::read(&file).expect("read"),
            "{} differs",
            rel.display()
        );
        compared += 1;
    }
    // 21 exports and the `as_of` file that pins their export date.
    assert_eq!(compared, 22);
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A corrupted value breaks only the requirements that read its dataset.
#[test]
fn a_corrupt_export_turns_only_its_requirements_to_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    for file in files(&root().join("evidence")) {
        let rel = file.strip_prefix(root().join("evidence")).expect("relative");
        let target = dir.path().join(rel);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&file, &target).expect("copy");
    }
    let leavers = dir.path().join("hr/leavers.csv");
    let text =
        std::fs::read_to_string(&leavers)
            .expect("read")
            .replacen("13/06/2025 16:00", "31/02/2025 16:00", 1);
    std::fs::write(&leavers, text).expect("write");
    let out = auditready(&[
        "run",
        "--as-of",
        "2026-11-22",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--evidence",
        dir.path().to_str().expect("path"),
    ]);
    let corrupt: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("D406") && stderr.contains("31/02/2025 16:00"),
        "{stderr}"
    );
    let original = sample_json();
    for (a, b) in original["requirements"]
        .as_array()
        .expect("a")
        .iter()
        .zip(corrupt["requirements"].as_array().expect("b"))
    {
        let reads_leavers = a["datasets"]
            .as_array()
            .expect("datasets")
            .iter()
            .any(|d| d == "leavers");
        if reads_leavers {
            assert_eq!(b["outcome"], "error", "{}", a["id"]);
            assert!(
                b["message"].as_str().unwrap_or("").contains("hr/leavers.csv"),
                "{}",
                b["message"]
            );
        } else {
            assert_eq!(a["outcome"], b["outcome"], "{}", a["id"]);
        }
    }
}

#[test]
fn no_security_review_postdates_as_of() {
    // The export is taken at as_of: a review of a change planned for later has not
    // happened yet (evidence/README.md), so no review date may lie after it.
    let text = std::fs::read_to_string(root().join("evidence/servicenow/change_request.csv")).expect("read");
    let mut lines = text.lines();
    assert!(lines.next().expect("header").ends_with(",u_security_review_date"));
    let mut reviewed = 0;
    for line in lines {
        // The review date is the last column; dates hold no comma.
        let date = line.rsplit(',').next().unwrap_or("");
        if !date.is_empty() {
            reviewed += 1;
            assert!(date < "2026-11-22 00:00:00", "a review after as_of: {line}");
        }
    }
    assert!(reviewed > 40, "{reviewed} reviews");
}
