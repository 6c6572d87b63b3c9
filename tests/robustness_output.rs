//! Untrusted text in every output is escaped for its format. Evidence comes from systems
//! where anyone can type anything (a Jira summary, an HR comment) and rule files come from
//! pull requests: neither may move the cursor, clear the screen, recolour or reorder what
//! an auditor reads in a terminal, or break the JSON report.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// Terminal escape (CSI "clear screen"), an OSC 8 hyperlink, a C1 control (CSI as one
/// character), a bell, a backspace, a carriage return and a right-to-left override.
const NASTY: &str = "\u{1b}[2J\u{1b}]8;;http://evil.example/\u{7}x\u{1b}]8;;\u{7}\u{9b}31m\u{8}\r\u{202e}";

/// The same, written as rule-language string escapes.
const NASTY_RULES: &str =
    r"\u{1b}[2J\u{1b}]8;;http://evil.example/\u{7}x\u{1b}]8;;\u{7}\u{9b}31m\u{8}\r\u{202e}";

/// Characters that must never reach a terminal raw.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

/// JSON escapes what RFC 8259 requires (U+0000 to U+001F); C1 and bidirectional controls
/// stay as data, for the consumer to escape (docs/security.md).
fn forbidden_in_json(c: char) -> bool {
    c < ' ' && c != '\n'
}

fn assert_clean(what: &str, bytes: &[u8]) {
    assert_clean_of(what, bytes, forbidden);
}

fn assert_json_clean(what: &str, bytes: &[u8]) {
    assert_clean_of(what, bytes, forbidden_in_json);
}

fn assert_clean_of(what: &str, bytes: &[u8], forbidden: fn(char) -> bool) {
    let text = String::from_utf8_lossy(bytes);
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| forbidden(c)) {
        let from = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
        panic!(
            "{what}: raw {:?} (U+{:04X}) at byte {i}, after {:?}",
            c,
            c as u32,
            &text[from..i]
        );
    }
}

fn auditready(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditready"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run auditready")
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A project whose rule strings, file names and evidence values all carry control
/// characters, and which fails, so findings, waivers and errors are all rendered.
fn nasty_project(dir: &Path) {
    let rules = dir.join("rules");
    let evidence = dir.join("evidence");
    write(
        &rules.join(format!("cat{NASTY}alog.rules").replace(['/', '\r'], "")),
        &format!(
            r#"
standard iso27001 "ISO/IEC 27001{NASTY_RULES}" {{
  clause  "10.2"   "Corrective action{NASTY_RULES}"
  control "A.5.18" "Access rights{NASTY_RULES}"
}}
"#
        ),
    );
    write(
        &rules.join("requirements.rules"),
        &format!(
            r#"
dataset capa "Jira CAPA{NASTY_RULES}" {{
  source "jira/capa{NASTY_RULES}.csv"
  field key     : text key from "Issue key"
  field status  : text     from "Status{NASTY_RULES}"
  field team    : text     from "Team"
  field created : datetime from "Created"
  field resolved : datetime from "Resolved"
}}
dataset broken "Broken export" {{
  source "hr/broken.csv"
  field id : text key from "ID"
  field at : datetime from "When"
}}
param label = "x{NASTY_RULES}"

requirement capa.cycle_time {{
  title       "Corrective actions{NASTY_RULES}"
  description "Described{NASTY_RULES}"
  owner       "Owner{NASTY_RULES}"
  clauses     iso27001:10.2
  severity    major
  metric      tag = label + "z"
  metric      closed = share c in capa by c.team: c.status == "Closed"
  expect      all c in capa: c.resolved - c.created < 30d and c.status != "x{NASTY_RULES}"
  expect      closed >= 100%
}}
requirement hr.broken {{
  title    "Needs the broken export"
  clauses  iso27001:A.5.18
  severity minor
  expect   all b in broken: b.at is not none
}}
waiver W-1 {{
  requirement capa.cycle_time
  records     "CAPA{NASTY_RULES}2"
  reason      "Reason{NASTY_RULES}"
  approved_by "Approver{NASTY_RULES}"
  expires     2027-01-31
}}
waiver W-2 {{
  requirement capa.cycle_time
  records     "never{NASTY_RULES}"
  reason      "Expired{NASTY_RULES}"
  approved_by "Approver{NASTY_RULES}"
  expires     2026-01-31
}}
"#
        ),
    );
    let cell = NASTY.replace('"', "");
    write(
        &evidence.join(format!("jira/capa{NASTY}.csv")),
        &format!(
            "Issue key,Status{NASTY},Team,Created,Resolved\n\
             \"CAPA{cell}1\",\"Closed{cell}\",\"Sales{cell}\",2026-09-01T09:00:00Z,2026-11-01T09:00:00Z\n\
             \"CAPA{cell}2\",Closed,\"Sales{cell}\",2026-09-01T09:00:00Z,2026-11-01T09:00:00Z\n\
             \"CAPA{cell}3\",Open,IT,2026-09-01T09:00:00Z,\n"
        ),
    );
    write(
        &evidence.join("hr/broken.csv"),
        &format!("ID,When\nE1,\"not a date{cell}\"\n"),
    );
}

fn run_nasty(format: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    nasty_project(dir.path());
    let rules = dir.path().join("rules");
    let evidence = dir.path().join("evidence");
    auditready(&[
        "run".as_ref(),
        "--rules".as_ref(),
        rules.as_os_str(),
        "--evidence".as_ref(),
        evidence.as_os_str(),
        "--as-of".as_ref(),
        "2026-11-22".as_ref(),
        "--format".as_ref(),
        format.as_ref(),
        "--param".as_ref(),
        format!("label=\"y{NASTY_RULES}\"").as_ref(),
    ])
}

#[test]
fn the_text_report_escapes_control_characters() {
    let out = run_nasty("text");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // The report was really rendered with the nasty values in it, escaped.
    assert!(text.contains("CAPA\\u{1b}[2J"), "{text}");
    assert!(text.contains("Corrective actions"), "{text}");
    assert_clean("run --format text stdout", &out.stdout);
    assert_clean("run --format text stderr", &out.stderr);
}

#[test]
fn the_json_report_keeps_untrusted_text_as_data() {
    let out = run_nasty("json");
    assert_eq!(out.status.code(), Some(1));
    // serde escapes every control character; the bytes hold none raw.
    assert_json_clean("run --format json stdout", &out.stdout);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let all = json.to_string();
    assert!(all.contains("\\u001b[2J"), "the value survives as data");
    let requirement = &json["requirements"][0];
    assert_eq!(requirement["owner"], format!("Owner{NASTY}"));
    assert_clean("run --format json stderr", &out.stderr);
}

#[test]
fn load_error_diagnostics_escape_evidence_values() {
    let out = run_nasty("json");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a date"), "{stderr}");
    assert_clean("load diagnostics", &out.stderr);
}

/// A rule file with raw control bytes in a comment, a string and next to a syntax error.
fn nasty_rule_file(dir: &Path) {
    write(
        &dir.join(format!("bad{}.rules", NASTY.replace(['/', '\r'], ""))),
        &format!(
            "# comment {NASTY}\nstandard iso \"Title {NASTY}\" {{\n  clause \"1\" \"One\"\n}}\nrequirement r.one {{\n  title \"{NASTY}\"\n  clauses iso:1\n  severity major\n  expect all x in [\"{NASTY}\"]: x == \"{NASTY}\" +\n}}\nrequirement r.two {{ title \"{NASTY}\" clauses iso:9 severity major expect unknown_{NASTY}thing }}\n"
        ),
    );
}

#[test]
fn rule_diagnostics_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    nasty_rule_file(dir.path());
    for format in ["human", "json", "github"] {
        let out = auditready(&[
            "check".as_ref(),
            "--rules".as_ref(),
            dir.path().as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert!(
            !out.stdout.is_empty() || !out.stderr.is_empty(),
            "{format}: no diagnostics"
        );
        if format == "json" {
            assert_json_clean(&format!("check --format {format} stdout"), &out.stdout);
        } else {
            assert_clean(&format!("check --format {format} stdout"), &out.stdout);
        }
        assert_clean(&format!("check --format {format} stderr"), &out.stderr);
        if format == "json" {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
            assert!(v.as_array().is_some_and(|a| !a.is_empty()));
        }
    }
}

#[test]
fn the_diagnostics_renderer_escapes_control_characters_in_sources() {
    use auditready::source::SourceMap;
    let mut sources = SourceMap::new();
    sources.add_text(
        &format!("evil{NASTY}.rules"),
        &format!("standard iso \"{NASTY}\" {{ clause \"1\" }}\nrequirement r {{ expect {NASTY} }}\n"),
    );
    let (_, diags) = auditready::syntax::parse_all(&sources);
    assert!(!diags.is_empty());
    let plain = auditready::report::diagnostics::render_plain(&diags, &sources);
    assert!(plain.contains("r {"), "{plain}");
    assert_clean("render_plain", plain.as_bytes());
    let mut colored = Vec::new();
    auditready::report::diagnostics::render(&diags, &sources, true, &mut colored).unwrap();
    // Colour adds the renderer's own escapes; strip exactly those (SGR: ESC [ digits ; m).
    let stripped = strip_sgr(&String::from_utf8_lossy(&colored));
    assert_clean("render with colour", stripped.as_bytes());
}

/// Removes SGR colour sequences (`ESC [ … m`) the renderer itself writes.
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            let mut seq = String::new();
            chars.next();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || d == ';' {
                    seq.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            if chars.peek() == Some(&'m') {
                chars.next();
                continue;
            }
            out.push(c);
            out.push('[');
            out.push_str(&seq);
            continue;
        }
        out.push(c);
    }
    out
}

#[test]
fn clean_escapes_every_control_and_bidi_character() {
    use auditready::report::text::clean;
    for c in ('\0'..='\u{a0}').chain(['\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200f}']) {
        let s = clean(&format!("a{c}b"));
        assert!(!s.chars().any(forbidden), "U+{:04X} → {s:?}", c as u32);
    }
    assert_eq!(clean("plain text, ünïcödé ✓"), "plain text, ünïcödé ✓");
}

#[test]
fn rule_test_output_escapes_names_and_cannot_fake_the_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("rules/r.rules"),
        &format!(
            r#"
standard iso "ISO" {{ clause "1" "One{NASTY_RULES}" }}
dataset d "D" {{ source "d.csv" field k : text key }}
requirement r.one {{
  title "One"
  clauses iso:1
  severity major
  expect all x in d: x.k != "bad{NASTY_RULES}"
}}
test r.one "fails{NASTY_RULES}\n\n999 passed, 0 failed\n" {{
  as_of 2026-11-22
  given d [ {{ k = "bad{NASTY_RULES}" }} ]
  expect pass
}}
"#
        ),
    );
    let rules = dir.path().join("rules");
    let out = auditready(&["test".as_ref(), "--rules".as_ref(), rules.as_os_str()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean("test stdout", &out.stdout);
    assert_clean("test stderr", &out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary: Vec<&str> = stdout.lines().filter(|l| l.ends_with(" failed")).collect();
    assert_eq!(summary, ["0 passed, 1 failed"], "{stdout}");
}

/// `coverage` and `datasets` print standard and clause titles, dataset titles, file names,
/// column names, formats and time zones from the rule files: all escaped.
#[test]
fn coverage_and_datasets_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    nasty_project(dir.path());
    // Formats and time zones are shown too; the nasty project's fields have neither.
    write(
        &dir.path().join("rules/formats.rules"),
        &format!(
            r#"
dataset dated "Dated{NASTY_RULES}" {{
  source   "dated{NASTY_RULES}.csv"
  timezone "Europe/Helsinki"
  field id : text key from "ID{NASTY_RULES}"
  field at : datetime from "At{NASTY_RULES}" format "%Y-%m-%d %H:%M{NASTY_RULES}"
}}
requirement dated.present {{
  title    "Dated"
  clauses  iso27001:10.2
  severity observation
  expect   all d in dated: d.at is not none
}}
"#
        ),
    );
    let rules = dir.path().join("rules");
    let evidence = dir.path().join("evidence");
    let check = auditready(&["check".as_ref(), "--rules".as_ref(), rules.as_os_str()]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for command in ["coverage", "datasets"] {
        let out = auditready(&[
            command.as_ref(),
            "--rules".as_ref(),
            rules.as_os_str(),
            "--evidence".as_ref(),
            evidence.as_os_str(),
            "--as-of".as_ref(),
            "2026-11-22".as_ref(),
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("\\u{1b}[2J"),
            "{command}: the titles were shown, escaped: {text}"
        );
        assert_clean(&format!("{command} stdout"), &out.stdout);
        assert_clean(&format!("{command} stderr"), &out.stderr);
    }
}
