//! The report formats of `auditready run` on fixture projects in `tests/fixtures/report/`:
//! a snapshot per fixture and format, escaping of hostile evidence, determinism, and
//! validation of JUnit, SARIF and OSCAL against the official schemas in
//! `../shared/schemas/` (skipped, with a message, where that folder or `xmllint` is absent).

// A test crate: its helpers outside `#[test]` functions may fail loudly too.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2026-11-22";

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary from the crate root (so paths in its output are relative).
fn auditready(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditready"))
        .current_dir(manifest())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run auditready")
}

/// The report of a fixture in a format, as bytes.
fn report_bytes(fixture: &str, format: &str) -> Vec<u8> {
    let rules = format!("tests/fixtures/report/{fixture}/rules");
    let evidence = format!("tests/fixtures/report/{fixture}/evidence");
    let out = auditready(&[
        "run",
        "--rules",
        &rules,
        "--evidence",
        &evidence,
        "--as-of",
        AS_OF,
        "--fail-on",
        "never",
        "--format",
        format,
    ]);
    assert!(
        out.status.success(),
        "auditready run --format {format} on {fixture}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn report(fixture: &str, format: &str) -> String {
    String::from_utf8(report_bytes(fixture, format)).expect("utf-8 report")
}

fn schema(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/schemas/")).join(name);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is absent (the official schemas live in ../shared/schemas)",
            path.display()
        );
        None
    }
}

fn load_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read schema")).expect("schema is JSON")
}

macro_rules! snapshot_tests {
    ($($name:ident: $fixture:literal, $format:literal;)*) => {
        $(
            #[test]
            fn $name() {
                let text = report($fixture, $format);
                insta::with_settings!({
                    description => format!("auditready run --format {} on tests/fixtures/report/{}", $format, $fixture),
                    omit_expression => true,
                }, {
                    insta::assert_snapshot!(format!("{}.{}", $fixture, $format), text);
                });
            }
        )*
    };
}

snapshot_tests! {
    sample_text: "sample", "text";
    sample_json: "sample", "json";
    sample_html: "sample", "html";
    sample_markdown: "sample", "markdown";
    sample_junit: "sample", "junit";
    sample_csv: "sample", "csv";
    sample_oscal: "sample", "oscal";
    injection_html: "injection", "html";
    injection_markdown: "injection", "markdown";
    injection_junit: "injection", "junit";
    injection_csv: "injection", "csv";
}

const FORMATS: [&str; 7] = ["text", "json", "html", "markdown", "junit", "csv", "oscal"];

/// The hostile strings of the injection fixture's evidence and rules.
const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "<img src=x onerror=alert(1)>";
const ATTRIBUTE_BREAK: &str = "\"><img";

#[test]
fn hostile_evidence_is_shown_as_text_in_every_format() {
    for format in FORMATS {
        let bytes = report_bytes("injection", format);
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        // No terminal escape (nor any other control character but line breaks) in any
        // format.
        assert!(!bytes.contains(&0x1b), "{format}: a raw ESC survived");
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
            "{format}: a control character survived"
        );
        match format {
            "html" | "markdown" | "junit" | "oscal" => {
                assert!(!text.contains(SCRIPT), "{format}: `{SCRIPT}` survived");
                assert!(!text.contains(IMG), "{format}: `{IMG}` survived");
                assert!(!text.contains("<script"), "{format}: a script tag survived");
                assert!(!text.contains("<img"), "{format}: an img tag survived");
                assert!(
                    !text.contains(ATTRIBUTE_BREAK),
                    "{format}: an attribute break survived"
                );
            }
            _ => {}
        }
        match format {
            "html" => {
                // The escaped forms are there: the data is shown, not dropped.
                assert!(
                    text.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
                    "html"
                );
                assert!(text.contains("Content-Security-Policy"), "html: CSP");
                assert!(!text.contains("<script"), "html");
            }
            "markdown" => {
                assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "markdown");
                assert!(text.contains("Blue \\| team"), "markdown: pipes in cells");
            }
            "junit" => {
                assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "junit");
            }
            "csv" => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(text.as_bytes());
                let mut cells = 0;
                for record in reader.records() {
                    for cell in record.expect("valid CSV").iter() {
                        cells += 1;
                        assert!(
                            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                            "csv: cell `{cell}` would run as a formula"
                        );
                    }
                }
                assert!(cells > 0);
                assert!(
                    text.contains("'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")"),
                    "csv: shown as text"
                );
            }
            "oscal" | "json" => {
                let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
                // The strings survive as data, exactly, inside JSON strings.
                let compact = value.to_string();
                assert!(compact.contains("alert(1)"), "{format}");
            }
            "text" => {
                assert!(text.contains("\\u{1b}[31mred team"), "text: escape shown");
            }
            _ => {}
        }
    }
}

#[test]
fn reports_are_deterministic() {
    for format in ["html", "oscal", "junit", "markdown", "csv"] {
        let a = report_bytes("sample", format);
        let b = report_bytes("sample", format);
        assert_eq!(a, b, "{format} differs between runs");
    }
    let rules = "tests/fixtures/report/sample/rules";
    let evidence = "tests/fixtures/report/sample/evidence";
    let one = auditready(&[
        "run",
        "--rules",
        rules,
        "--evidence",
        evidence,
        "--as-of",
        AS_OF,
        "--fail-on",
        "never",
        "--format",
        "oscal",
        "--jobs",
        "1",
    ]);
    assert_eq!(
        one.stdout,
        report_bytes("sample", "oscal"),
        "--jobs 1 changes the OSCAL document"
    );
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.html");
    let out = auditready(&[
        "run",
        "--rules",
        "tests/fixtures/report/sample/rules",
        "--evidence",
        "tests/fixtures/report/sample/evidence",
        "--as-of",
        AS_OF,
        "--format",
        "html",
        "--output",
        path.to_str().expect("utf-8 path"),
    ]);
    // The sample is not ready: exit 1, and the report is still written.
    assert_eq!(out.status.code(), Some(1));
    let written = std::fs::read(&path).expect("report written");
    assert_eq!(written, report_bytes("sample", "html"));
}

#[test]
fn junit_is_valid_against_the_schema() {
    let Some(xsd) = schema("JUnit.xsd") else {
        return;
    };
    if Command::new("xmllint").arg("--version").output().is_err() {
        eprintln!("skipped: xmllint is not installed (Debian package libxml2-utils)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for fixture in ["sample", "injection"] {
        let file = dir.path().join(format!("{fixture}.xml"));
        std::fs::write(&file, report_bytes(fixture, "junit")).expect("write");
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .arg(&file)
            .output()
            .expect("run xmllint");
        assert!(
            out.status.success(),
            "{fixture}: JUnit XML does not validate: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn junit_has_a_case_per_requirement_per_standard() {
    let xml = report("sample", "junit");
    // capa.cycle_time serves iso9001 and iso27001: one case in each suite.
    assert_eq!(xml.matches("<testcase name=\"capa.cycle_time\"").count(), 2);
    assert_eq!(xml.matches("<testsuite ").count(), 2);
    assert!(xml.contains("<failure type=\"no evidence\""));
    assert!(xml.contains("<failure type=\"error\""));
    assert!(xml.contains("<skipped message=\"waived: "));
    assert!(xml.contains("<skipped message=\"not applicable: "));
    assert!(xml.contains("jira/capa.csv:4"), "failures cite records");
}

fn validate(schema_name: &str, draft: jsonschema::Draft, instance: &serde_json::Value) {
    let Some(path) = schema(schema_name) else {
        return;
    };
    let schema = load_json(&path);
    let validator = jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles (its \\p{L} patterns included)");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema_name}: {errors:#?}");
}

#[test]
fn oscal_is_valid_against_nists_schema() {
    for fixture in ["sample", "injection"] {
        let doc: serde_json::Value = serde_json::from_str(&report(fixture, "oscal")).expect("JSON");
        validate(
            "oscal_assessment-results_schema.json",
            jsonschema::Draft::Draft7,
            &doc,
        );
    }
}

#[test]
fn the_oscal_validator_rejects_what_it_should() {
    // Guards the test above: a validator that accepts anything proves nothing.
    let Some(path) = schema("oscal_assessment-results_schema.json") else {
        return;
    };
    let compiled = load_json(&path);
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&compiled)
        .expect("compiles");
    let mut doc: serde_json::Value = serde_json::from_str(&report("sample", "oscal")).expect("JSON");
    assert!(validator.is_valid(&doc));
    doc["assessment-results"]["results"][0]["findings"][0]["target"]["target-id"] = "1 not a token".into();
    assert!(!validator.is_valid(&doc), "a bad token passes");
    let mut doc: serde_json::Value = serde_json::from_str(&report("sample", "oscal")).expect("JSON");
    doc["assessment-results"]
        .as_object_mut()
        .expect("object")
        .remove("metadata");
    assert!(!validator.is_valid(&doc), "a document without metadata passes");
    if let Some(example) = schema("ifa_assessment-results-example.json") {
        assert!(validator.is_valid(&load_json(&example)), "NIST's example");
    }
}

#[test]
fn oscal_cites_records_and_uses_stable_uuids() {
    let doc: serde_json::Value = serde_json::from_str(&report("sample", "oscal")).expect("JSON");
    let ar = &doc["assessment-results"];
    assert_eq!(ar["metadata"]["last-modified"], "2026-11-22T00:00:00Z");
    assert_eq!(ar["metadata"]["oscal-version"], "1.1.3");
    let result = &ar["results"][0];
    let observations = result["observations"].as_array().expect("observations");
    let capa = observations
        .iter()
        .find(|o| {
            o["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("capa.cycle_time"))
        })
        .expect("capa observation");
    let hrefs: Vec<&str> = capa["relevant-evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["href"].as_str())
        .collect();
    assert!(hrefs.contains(&"jira/capa.csv#L4"), "{hrefs:?}");
    let findings = result["findings"].as_array().expect("findings");
    let states: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["target"]["target-id"].as_str().unwrap_or(""),
                f["target"]["status"]["state"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(states.contains(&("iso9001-10.2", "not-satisfied")), "{states:?}");
    assert!(states.contains(&("iso27001-A.5.18", "satisfied")), "{states:?}");
    // A UUID for every object, all distinct.
    let text = doc.to_string();
    let uuids: std::collections::BTreeSet<&str> = text
        .split('"')
        .filter(|s| s.len() == 36 && s.chars().filter(|&c| c == '-').count() == 4)
        .collect();
    assert!(uuids.len() > 10);
}

#[test]
fn sarif_is_valid_and_points_at_the_span() {
    let out = auditready(&[
        "check",
        "--rules",
        "tests/fixtures/report/diagnostics/rules",
        "--format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(2), "rule errors exit 2");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let log: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    validate("sarif-schema-2.1.0.json", jsonschema::Draft::Draft4, &log);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "C105" && r["shortDescription"]["text"].is_string())
    );
    let result = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "C105")
        .expect("a C105 result");
    let location = &result["locations"][0]["physicalLocation"];
    // GitHub code scanning resolves a relative URI against the repository root and
    // ignores originalUriBaseIds: the URI is the path from there.
    assert_eq!(
        location["artifactLocation"]["uri"],
        "tests/fixtures/report/diagnostics/rules/requirements.rules"
    );
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(location["region"]["startLine"], 4);
    assert!(run.get("originalUriBaseIds").is_none());
    insta::assert_snapshot!("diagnostics.sarif", text);
}

fn sample(args: &[&str]) -> Output {
    let mut all = vec![
        "sample",
        "--rules",
        "tests/fixtures/report/sample/rules",
        "--evidence",
        "tests/fixtures/report/sample/evidence",
        "--as-of",
        AS_OF,
    ];
    all.extend_from_slice(args);
    auditready(&all)
}

#[test]
fn audit_samples_are_reproducible() {
    let a = sample(&["capa.cycle_time", "--size", "3", "--seed", "2026"]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = sample(&["capa.cycle_time", "--size", "3", "--seed", "2026"]);
    assert_eq!(a.stdout, b.stdout);
    let text = String::from_utf8(a.stdout).expect("utf-8");
    // Closed tickets only: the open CAPA-4 is filtered out by the `where`.
    assert!(text.contains("population: 5 records"), "{text}");
    assert!(!text.contains("CAPA-4"), "{text}");
    insta::assert_snapshot!("sample.capa.txt", text);

    let other = sample(&["capa.cycle_time", "--size", "3", "--seed", "7"]);
    assert_ne!(other.stdout, b.stdout, "another seed, another sample");

    let json = sample(&[
        "training.by_department",
        "--size",
        "4",
        "--seed",
        "1",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    // Only mandatory training is in the population (u10 is optional).
    assert_eq!(v["population"], 9);
    assert_eq!(v["records"].as_array().expect("records").len(), 4);
    insta::assert_snapshot!("sample.training.json", String::from_utf8_lossy(&json.stdout));

    let csv = sample(&[
        "access.revoked_on_termination",
        "--size",
        "10",
        "--seed",
        "5",
        "--format",
        "csv",
    ]);
    insta::assert_snapshot!("sample.access.csv", String::from_utf8_lossy(&csv.stdout));
}

#[test]
fn samples_refuse_what_they_cannot_do() {
    let unknown = sample(&["capa.cycle", "--size", "3", "--seed", "1"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `capa.cycle_time`?"));
    let broken = sample(&["audit.programme", "--size", "3", "--seed", "1"]);
    assert_eq!(
        broken.status.code(),
        Some(2),
        "evidence that did not load is not sampled"
    );
    let zero = sample(&["capa.cycle_time", "--size", "0", "--seed", "1"]);
    assert_eq!(zero.status.code(), Some(2));
}

#[test]
fn samples_of_hostile_evidence_are_safe() {
    let out = auditready(&[
        "sample",
        "--rules",
        "tests/fixtures/report/injection/rules",
        "--evidence",
        "tests/fixtures/report/injection/evidence",
        "--as-of",
        AS_OF,
        "injection.tickets_done",
        "--size",
        "10",
        "--seed",
        "3",
        "--format",
        "csv",
    ]);
    assert!(out.status.success());
    assert!(!out.stdout.contains(&0x1b));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.stdout.as_slice());
    for record in reader.records() {
        for cell in record.expect("CSV").iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
        }
    }
    let text = auditready(&[
        "sample",
        "--rules",
        "tests/fixtures/report/injection/rules",
        "--evidence",
        "tests/fixtures/report/injection/evidence",
        "--as-of",
        AS_OF,
        "injection.tickets_done",
        "--size",
        "10",
        "--seed",
        "3",
    ]);
    assert!(!text.stdout.contains(&0x1b));
}

/// The JSON report of the sample fixture as of a date.
fn sample_json_as_of(as_of: &str) -> serde_json::Value {
    let out = auditready(&[
        "run",
        "--rules",
        "tests/fixtures/report/sample/rules",
        "--evidence",
        "tests/fixtures/report/sample/evidence",
        "--as-of",
        as_of,
        "--fail-on",
        "never",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn requirement<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no requirement {id}"))
}

#[test]
fn a_whole_requirement_waiver_moves_its_failing_records_to_waived_records() {
    let report = sample_json_as_of(AS_OF);
    let r = requirement(&report, "capa.root_cause");
    assert_eq!(r["outcome"], "waived");
    assert_eq!(
        r["findings"],
        serde_json::json!([]),
        "findings holds only records not waived"
    );
    let waived = r["waived_records"].as_array().expect("waived_records");
    assert!(!waived.is_empty());
    assert!(waived.iter().all(|f| f["waived_by"] == "W-3"), "{waived:?}");
    assert_eq!(r["expects"][0]["waived"], r["expects"][0]["failing"]);
    let csv = report_bytes("sample", "csv");
    let csv = String::from_utf8(csv).expect("utf-8");
    let rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("capa.root_cause,"))
        .collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|l| l.contains(",yes,W-3")), "{rows:?}");
}

#[test]
fn a_waiver_does_not_apply_before_it_is_approved() {
    // W-1 (CAPA-2) is approved on 2026-10-01; as of 2026-09-20 it did not exist yet.
    let report = sample_json_as_of("2026-09-20");
    let w1 = report["waivers"]
        .as_array()
        .expect("waivers")
        .iter()
        .find(|w| w["id"] == "W-1")
        .expect("W-1");
    assert_eq!(w1["status"], "not_yet_approved");
    assert_eq!(w1["applied_to"], serde_json::json!([]));
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("R507") && warnings.contains("W-1"),
        "{warnings}"
    );
    let r = requirement(&report, "capa.cycle_time");
    let keys: Vec<&str> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["key"].as_str())
        .collect();
    assert!(keys.contains(&"CAPA-2"), "{keys:?}");
    assert!(
        !r["waived_records"].to_string().contains("CAPA-2"),
        "{}",
        r["waived_records"]
    );
    // As of the fixture's date it applies.
    let report = sample_json_as_of(AS_OF);
    let r = requirement(&report, "capa.cycle_time");
    assert!(r["waived_records"].to_string().contains("\"W-1\""));
}

/// A scratch directory for one test, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("auditready-reports-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn run_in(dir: &Path, extra: &[&str]) -> Output {
    let rules = dir.join("rules");
    let evidence = dir.join("evidence");
    let mut args = vec![
        "run",
        "--rules",
        rules.to_str().expect("utf-8 path"),
        "--evidence",
        evidence.to_str().expect("utf-8 path"),
        "--as-of",
        AS_OF,
        "--fail-on",
        "never",
    ];
    args.extend_from_slice(extra);
    auditready(&args)
}

#[test]
fn applicability_is_decided_per_standard() {
    let dir = scratch("applicability");
    copy_dir(&manifest().join("tests/fixtures/report/sample"), &dir);
    // A requirement mapped to an excluded Annex A control and to a 9001 clause; the
    // exclusion has no justification.
    let rules = dir.join("rules/requirements.rules");
    let text = std::fs::read_to_string(&rules).expect("rules");
    let text = text.replace(
        "clauses  iso27001:A.8.32\n",
        "clauses  iso27001:A.8.32, iso9001:10.2\n",
    );
    std::fs::write(&rules, text).expect("write rules");
    std::fs::write(
        dir.join("evidence/grc/soa.csv"),
        "control,applicable,justification\nA.5.18,true,\nA.6.3,true,\nA.8.32,false,\n",
    )
    .expect("write soa");
    let out = run_in(&dir, &["--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let r = requirement(&report, "change.security_review");
    // Evaluated (for 9001): the one change was not reviewed.
    assert_eq!(r["outcome"], "fail");
    assert_eq!(r["not_applicable_to"], serde_json::json!(["iso27001"]));
    let standard = |id: &str| {
        report["standards"]
            .as_array()
            .expect("standards")
            .iter()
            .find(|s| s["id"] == id)
            .expect("standard")
            .clone()
    };
    // Not a failure against 27001 (the same 3 failures as without it), a failure for 9001.
    let iso27001 = standard("iso27001");
    assert_eq!(iso27001["outcomes"]["fail"], 3);
    assert_eq!(iso27001["outcomes"]["not_applicable"], 1);
    let iso9001 = standard("iso9001");
    assert_eq!(iso9001["outcomes"]["fail"], 2);
    // The excluded control is no obligation: 9001:10.2 was already counted.
    assert_eq!(report["combined"]["clause_obligations"], 9);
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("R508") && warnings.contains("iso27001:A.8.32"),
        "{warnings}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_text_report_states_every_metric_fact() {
    let text = report("sample", "text");
    // A failing ungrouped metric: value, records and target.
    assert!(
        text.contains("`completion` = 77.78% over 9 records, target >= 95% (training_target)"),
        "{text}"
    );
    // Every metric, passing groups too, failing ones marked.
    assert!(text.contains("training.overall.completion = 77.78% (9 records), target >= 95%"));
    assert!(text.contains("Engineering: 100% (4 records)"), "{text}");
    assert!(
        text.contains("✗ Sales: 50% (4 records) — misses the target"),
        "{text}"
    );
    assert!(text.contains("capa.cycle_time.p90_days = 42.39 (5 records)"));
    // The combined audit lists the shared requirements; manual clauses are named.
    assert!(
        text.contains("capa.cycle_time — serves iso9001 10.2; iso27001 10.2"),
        "{text}"
    );
    assert!(text.contains("9 distinct clause obligations"), "{text}");
    assert!(text.contains("CLAUSES AND CONTROLS NEEDING MANUAL EVIDENCE"));
    // Blocking sections before minor ones; a load error printed once.
    let pos = |s: &str| text.find(s).unwrap_or_else(|| panic!("no {s}"));
    assert!(pos("MAJOR NONCONFORMITIES") < pos("ERRORS ("));
    assert!(pos("ERRORS (") < pos("NO EVIDENCE ("));
    assert!(pos("NO EVIDENCE (") < pos("MINOR NONCONFORMITIES"));
    assert_eq!(
        text.matches("`15/09/2026` in column `planned`").count(),
        2,
        "{text}"
    );
    // Full hashes and sizes in the inventory.
    let sha = regex_free_hex64(&text);
    assert!(sha, "no full SHA-256 in the inventory");
    assert!(!text.contains("1 requirement pass.") && !text.contains("1 rule files"));
    assert!(text.ends_with('\n'));
}

/// True when some whitespace-separated word is 64 lower-case hex digits.
fn regex_free_hex64(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        w.len() == 64
            && w.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    })
}

#[test]
fn the_html_report_is_self_contained() {
    // The sample only: the injection fixture's evidence holds `<img src=x …>`, shown
    // escaped as text.
    let html = report("sample", "html");
    for needle in ["src=", "<link", "url(", "@import", "://"] {
        assert!(!html.contains(needle), "`{needle}` in the HTML report");
    }
}

/// A JSON document with each object's keys in written order (serde_json's map sorts them).
#[derive(Debug)]
enum Node {
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    Scalar,
}

/// Parses JSON text keeping key order; enough for well-formed documents.
fn parse_ordered(text: &str) -> Node {
    fn skip(b: &[u8], i: &mut usize) {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    }
    fn string(b: &[u8], i: &mut usize) -> String {
        let start = *i + 1;
        *i += 1;
        while b[*i] != b'"' {
            if b[*i] == b'\\' {
                *i += 1;
            }
            *i += 1;
        }
        *i += 1;
        String::from_utf8_lossy(&b[start..*i - 1]).into_owned()
    }
    fn value(b: &[u8], i: &mut usize) -> Node {
        skip(b, i);
        match b[*i] {
            b'{' => {
                *i += 1;
                let mut fields = Vec::new();
                loop {
                    skip(b, i);
                    if b[*i] == b'}' {
                        *i += 1;
                        return Node::Object(fields);
                    }
                    if b[*i] == b',' {
                        *i += 1;
                        continue;
                    }
                    let key = string(b, i);
                    skip(b, i);
                    assert_eq!(b[*i], b':');
                    *i += 1;
                    fields.push((key, value(b, i)));
                }
            }
            b'[' => {
                *i += 1;
                let mut items = Vec::new();
                loop {
                    skip(b, i);
                    if b[*i] == b']' {
                        *i += 1;
                        return Node::Array(items);
                    }
                    if b[*i] == b',' {
                        *i += 1;
                        continue;
                    }
                    items.push(value(b, i));
                }
            }
            b'"' => {
                string(b, i);
                Node::Scalar
            }
            _ => {
                while *i < b.len() && !matches!(b[*i], b',' | b'}' | b']') && !b[*i].is_ascii_whitespace() {
                    *i += 1;
                }
                Node::Scalar
            }
        }
    }
    let mut i = 0;
    value(text.as_bytes(), &mut i)
}

/// Every object of `example` has exactly the keys, in the same order, of the object at the
/// same place in `real` (list elements compare with the real list's first element: the
/// example shortens lists).
fn same_shape(example: &Node, real: &Node, path: &str) {
    match (example, real) {
        (Node::Object(e), Node::Object(r)) => {
            let ek: Vec<&str> = e.iter().map(|(k, _)| k.as_str()).collect();
            let rk: Vec<&str> = r.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(ek, rk, "keys of {path}");
            for ((k, ev), (_, rv)) in e.iter().zip(r) {
                same_shape(ev, rv, &format!("{path}.{k}"));
            }
        }
        (Node::Array(e), Node::Array(r)) => {
            if let Some(first) = r.first() {
                for (i, ev) in e.iter().enumerate() {
                    same_shape(ev, first, &format!("{path}[{i}]"));
                }
            }
        }
        (Node::Scalar, Node::Scalar) => {}
        // `null` in one place and an object in another is allowed for optional fields.
        (Node::Scalar, _) | (_, Node::Scalar) => {}
        _ => panic!("{path}: an object in one, a list in the other"),
    }
}

#[test]
fn the_schema_documents_example_is_what_the_tool_writes() {
    let doc = std::fs::read_to_string(manifest().join("docs/report-schema.md")).expect("schema doc");
    let example = doc
        .split("## Example")
        .nth(1)
        .and_then(|s| s.split("```json\n").nth(1))
        .and_then(|s| s.split("\n```").next())
        .expect("the example's JSON block");
    let example_value: serde_json::Value = serde_json::from_str(example).expect("the example is JSON");
    let out = auditready(&[
        "run",
        "--as-of",
        "2026-11-22",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let real = String::from_utf8(out.stdout).expect("utf-8");
    let real_value: serde_json::Value = serde_json::from_str(&real).expect("JSON");
    assert_eq!(example_value["schema_version"], real_value["schema_version"]);
    assert_eq!(example_value["as_of"], real_value["as_of"]);
    assert_eq!(example_value["scope"], real_value["scope"]);
    same_shape(&parse_ordered(example), &parse_ordered(&real), "$");
}

/// Rules with a join and a grouped metric over enough rows to span several evaluation
/// chunks (16 Ki rows each).
const LARGE_RULES: &str = r#"
standard iso27001 "ISO/IEC 27001:2022" {
  clause  "7.2"    "Competence"
  control "A.5.18" "Access rights"
}
dataset leavers "HR leavers" {
  source "leavers.csv"
  field id         : text key
  field email      : text
  field terminated : datetime
}
dataset events "IAM events" {
  source "events.csv"
  field uuid : text key
  field user : text
  field kind : text
  field at   : datetime
}
dataset training "LMS" {
  source "training.csv"
  field user       : text key
  field department : text
  field completed  : bool
}
requirement access.revoked {
  title    "Leavers' access is revoked within 24 hours"
  clauses  iso27001:A.5.18
  severity major
  expect   all l in leavers: any e in events where lower(e.user) == lower(l.email) and e.kind == "deactivate" and e.at >= l.terminated: e.at - l.terminated <= 24h
}
requirement training.by_department {
  title    "Every department completes its training"
  clauses  iso27001:7.2
  severity minor
  metric   by_department = share t in training by t.department: t.completed
  expect   by_department >= 90%
}
"#;

#[test]
fn reports_are_identical_for_any_number_of_jobs_on_large_evidence() {
    use std::fmt::Write as _;
    let dir = scratch("large");
    std::fs::create_dir_all(dir.join("rules")).expect("mkdir");
    std::fs::create_dir_all(dir.join("evidence")).expect("mkdir");
    std::fs::write(dir.join("rules/rules.rules"), LARGE_RULES).expect("write rules");
    let leavers_n = 15_000;
    let mut leavers = String::from("id,email,terminated\n");
    let mut events = String::from("uuid,user,kind,at\n");
    for i in 0..leavers_n {
        let _ = writeln!(leavers, "L{i},u{i}@example.com,2026-10-01T08:00:00Z");
        // Most revoked in time, every 7th late, every 11th never.
        if i % 11 != 0 {
            let hour = if i % 7 == 0 {
                "2026-10-03T09:00:00Z"
            } else {
                "2026-10-01T12:00:00Z"
            };
            let _ = writeln!(events, "E{i},U{i}@example.com,deactivate,{hour}");
        }
        let _ = writeln!(events, "F{i},u{i}@example.com,login,2026-09-30T08:00:00Z");
    }
    let mut training = String::from("user,department,completed\n");
    for i in 0..20_000 {
        let department = ["Sales", "Engineering", "Operations", "Finance"][i % 4];
        let completed = if department == "Sales" {
            i % 5 != 0
        } else {
            i % 50 != 0
        };
        let _ = writeln!(training, "T{i},{department},{completed}");
    }
    std::fs::write(dir.join("evidence/leavers.csv"), leavers).expect("write");
    std::fs::write(dir.join("evidence/events.csv"), events).expect("write");
    std::fs::write(dir.join("evidence/training.csv"), training).expect("write");
    let rows = leavers_n + (leavers_n * 2 - leavers_n / 11 - 1) + 20_000;
    assert!(rows > 40_000, "{rows} rows");

    for format in ["text", "json"] {
        let runs: Vec<Vec<u8>> = ["1", "2", "4"]
            .iter()
            .map(|jobs| {
                let out = run_in(&dir, &["--format", format, "--jobs", jobs]);
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                out.stdout
            })
            .collect();
        assert!(
            String::from_utf8_lossy(&runs[0]).contains("Sales"),
            "the grouped metric's failing group is reported"
        );
        assert_eq!(runs[0], runs[1], "{format}: --jobs 1 and --jobs 2 differ");
        assert_eq!(runs[0], runs[2], "{format}: --jobs 1 and --jobs 4 differ");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
