//! An independent reference for core checks: generated evidence (scale 0.01) is read
//! directly with the csv and serde_json crates, the "Precise semantics" of
//! RULE-LIBRARY.md are computed here in plain Rust, and the counts of failing records (and
//! failing groups) must equal those of `auditready run --format json`, which goes through
//! the typed loaders, the compiled fast paths, the hash joins and the interpreter.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

const AS_OF: &str = "2026-11-22";

/// Microseconds of `2026-11-22T00:00:00Z`.
fn as_of() -> i64 {
    "2026-11-22T00:00:00Z"
        .parse::<jiff::Timestamp>()
        .expect("as_of")
        .as_microsecond()
}

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;

fn helsinki(dt: DateTime) -> i64 {
    let tz = TimeZone::get("Europe/Helsinki").expect("tz");
    dt.to_zoned(tz).expect("zoned").timestamp().as_microsecond()
}

/// `22/Nov/26 9:15 AM`, Helsinki wall clock.
fn jira(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut parts = s.split(' ');
    let (date, time, ampm) = (parts.next()?, parts.next()?, parts.next()?);
    let mut d = date.split('/');
    let day: i8 = d.next()?.parse().ok()?;
    let month_name = d.next()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == month_name)? as i8
        + 1;
    let year: i16 = 2000 + d.next()?.parse::<i16>().ok()?;
    let (h, m) = time.split_once(':')?;
    let mut hour: i8 = h.parse().ok()?;
    let minute: i8 = m.parse().ok()?;
    hour %= 12;
    if ampm == "PM" {
        hour += 12;
    }
    Some(helsinki(
        DateTime::new(year, month, day, hour, minute, 0, 0).ok()?,
    ))
}

/// `31/01/2026 17:00`, Helsinki wall clock.
fn hr(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once(' ')?;
    let mut d = date.split('/');
    let day: i8 = d.next()?.parse().ok()?;
    let month: i8 = d.next()?.parse().ok()?;
    let year: i16 = d.next()?.parse().ok()?;
    let (h, m) = time.split_once(':')?;
    Some(helsinki(
        DateTime::new(year, month, day, h.parse().ok()?, m.parse().ok()?, 0, 0).ok()?,
    ))
}

/// Rows of a CSV file as maps from header (first occurrence) to cell.
fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .expect("csv");
    let headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            let mut row = HashMap::new();
            for (h, v) in headers.iter().zip(r.iter()) {
                row.entry(h.clone()).or_insert_with(|| v.to_string());
            }
            row
        })
        .collect()
}

fn cell<'r>(row: &'r HashMap<String, String>, name: &str) -> &'r str {
    row.get(name).map_or("", |s| s.trim())
}

#[derive(serde::Deserialize)]
struct Event {
    published: String,
    #[serde(rename = "eventType")]
    event_type: String,
    target: Option<Vec<Target>>,
}

#[derive(serde::Deserialize)]
struct Target {
    #[serde(rename = "alternateId")]
    alternate_id: Option<String>,
}

/// capa.cycle_time: closed CAPAs whose cycle time is 30 days or more (or unknown).
fn capa_cycle_time(dir: &Path) -> usize {
    csv_rows(&dir.join("jira/capa.csv"))
        .iter()
        .filter(|r| matches!(cell(r, "Status"), "Resolved" | "Closed"))
        .filter(|r| match (jira(cell(r, "Resolved")), jira(cell(r, "Created"))) {
            (Some(res), Some(cre)) => res - cre >= 30 * DAY,
            _ => true,
        })
        .count()
}

/// access.revoked_on_termination: leavers terminated before as_of − 1 d without a
/// deactivation of their account within 24 h.
fn access_revoked(dir: &Path) -> usize {
    let text = std::fs::read(dir.join("iam/okta-system-log.json")).expect("okta");
    let events: Vec<Event> = serde_json::from_slice(&text).expect("okta json");
    let mut deactivations: HashMap<String, Vec<i64>> = HashMap::new();
    for e in events
        .iter()
        .filter(|e| e.event_type == "user.lifecycle.deactivate")
    {
        let user = e
            .target
            .as_ref()
            .and_then(|t| t.first())
            .and_then(|t| t.alternate_id.as_deref())
            .map(|u| u.trim().to_lowercase());
        let at = e
            .published
            .parse::<jiff::Timestamp>()
            .expect("published")
            .as_microsecond();
        if let Some(user) = user {
            deactivations.entry(user).or_default().push(at);
        }
    }
    csv_rows(&dir.join("hr/leavers.csv"))
        .iter()
        .filter_map(|r| {
            Some((
                hr(cell(r, "Termination Date"))?,
                cell(r, "Work Email").to_lowercase(),
            ))
        })
        .filter(|(t, _)| *t < as_of() - DAY)
        .filter(|(t, email)| {
            !deactivations
                .get(email)
                .is_some_and(|ats| ats.iter().any(|a| *a >= *t && *a - *t <= 24 * HOUR))
        })
        .count()
}

/// training.department_completion: departments whose mandatory completion share is
/// under 95 %.
fn training_departments(dir: &Path) -> usize {
    let mut per: HashMap<String, (usize, usize)> = HashMap::new();
    for r in csv_rows(&dir.join("lms/training-completions.csv")) {
        if cell(&r, "Mandatory") != "Yes" {
            continue;
        }
        let entry = per.entry(cell(&r, "Department").to_string()).or_default();
        entry.0 += 1;
        let (done, due) = (cell(&r, "Completion Date"), cell(&r, "Due Date"));
        if !done.is_empty() && !due.is_empty() && done <= due {
            entry.1 += 1;
        }
    }
    per.values()
        .filter(|(n, ok)| (*ok as f64) * 100.0 / (*n as f64) < 95.0)
        .count()
}

#[test]
fn core_checks_match_an_independent_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let evidence = dir.path().join("evidence");
    let status = Command::new(env!("CARGO_BIN_EXE_generate-evidence"))
        .arg("--out")
        .arg(&evidence)
        .args(["--scale", "0.01"])
        .status()
        .expect("generator");
    assert!(status.success());
    let out = Command::new(env!("CARGO_BIN_EXE_auditready"))
        .args(["run", "--rules"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
        .arg("--evidence")
        .arg(&evidence)
        .args(["--as-of", AS_OF, "--fail-on", "never", "--format", "json"])
        .output()
        .expect("auditready run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let failing = |id: &str| -> u64 {
        report["requirements"]
            .as_array()
            .expect("requirements")
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} in the report"))["expects"][0]["failing"]
            .as_u64()
            .unwrap_or_else(|| panic!("{id}: failing count"))
    };
    let expected = [
        ("capa.cycle_time", capa_cycle_time(&evidence)),
        ("access.revoked_on_termination", access_revoked(&evidence)),
        ("training.department_completion", training_departments(&evidence)),
    ];
    for (id, count) in expected {
        assert_eq!(failing(id), count as u64, "{id}");
    }
    // The checks are not vacuous at this scale.
    assert!(expected.iter().all(|(_, n)| *n > 0), "{expected:?}");
}
