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
