//! The real exports in `../shared/evidence-samples` (FORMATS.md), read through the dataset
//! declarations in `tests/fixtures/samples/*.rules`, parsed and checked like a user's rules.
//! Every sample file is declared there and loaded here. Skipped when the folder is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::check::CheckOptions;
use crate::source::SourceMap;
use crate::value::MICROS_PER_SECOND;

use super::super::{DatasetSpec, Encoding, SourceFormat, Table};
use super::{at, day, load_in};

/// The declarations, checked, by dataset name; and the samples folder.
struct Samples {
    specs: BTreeMap<String, DatasetSpec>,
    dir: PathBuf,
}

impl Samples {
    /// `None` (after saying so on stderr) when `../shared/evidence-samples` is absent.
    fn get() -> Option<Samples> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("../shared/evidence-samples");
        if !dir.is_dir() {
            // On stderr, so that a skipped run is visible without `--nocapture`.
            eprintln!(
                "skipping the real-samples test: folder {} not found",
                dir.display()
            );
            return None;
        }
        let mut sources = SourceMap::new();
        let fixtures = root.join("tests/fixtures/samples");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&fixtures)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "rules"))
            .collect();
        names.sort();
        for path in &names {
            let text = std::fs::read_to_string(path).unwrap();
            sources.add_text(&path.file_name().unwrap().to_string_lossy(), &text);
        }
        let (files, mut diags) = crate::syntax::parse_all(&sources);
        let (program, checked) = crate::check::check(&files, CheckOptions { today: None });
        diags.extend(checked);
        let errors: Vec<String> = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{} {}", d.code.as_str(), d.message))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let program = program.unwrap();
        let specs = program
            .datasets
            .iter()
            .map(|d| {
                let mut spec = d.spec.clone();
                // These declarations have no requirements; the checker marks a field used
                // when a rule reads it, and only used fields are converted. Load them as if
                // every field were read.
                for f in &mut spec.fields {
                    f.used = true;
                }
                (spec.name.clone(), spec)
            })
            .collect();
        Some(Samples { specs, dir })
    }

    fn load(&self, name: &str) -> Table {
        let spec = self
            .specs
            .get(name)
            .unwrap_or_else(|| panic!("no dataset `{name}` declared"));
        load_in(spec, &self.dir)
    }

    /// Field `name` of `table`.
    fn col<'t>(table: &'t Table, name: &str) -> &'t super::super::Column {
        table.column(
            table
                .field_index(name)
                .unwrap_or_else(|| panic!("no field `{name}`")),
        )
    }
}

/// Loads dataset `name` and checks its row count.
fn rows(s: &Samples, name: &str, rows: usize) -> Table {
    let t = s.load(name);
    assert_eq!(t.rows(), rows, "{name}");
    t
}

fn line(t: &Table, row: usize) -> Option<u64> {
    t.provenance(row).line
}

fn index(t: &Table, row: usize) -> Option<u64> {
    t.provenance(row).index
}

#[test]
fn every_declared_sample_exists_and_every_sample_is_declared() {
    let Some(s) = Samples::get() else { return };
    let declared: std::collections::BTreeSet<&str> = s.specs.values().map(|d| d.source.as_str()).collect();
    let mut on_disk = Vec::new();
    for kind in std::fs::read_dir(&s.dir).unwrap() {
        let kind = kind.unwrap().path();
        if !kind.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&kind).unwrap() {
            let file = file.unwrap().path();
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            if name != "SOURCES.md" {
                let kind = kind.file_name().unwrap().to_string_lossy().to_string();
                on_disk.push(format!("{kind}/{name}"));
            }
        }
    }
    for file in &on_disk {
        assert!(
            declared.contains(file.as_str()),
            "sample {file} has no declaration"
        );
    }
    assert_eq!(on_disk.len(), 32, "{on_disk:#?}");
}

#[test]
fn jira() {
    let Some(s) = Samples::get() else { return };
    let t = rows(&s, "jira_cloud", 2);
    assert_eq!(t.key_text(0), Some("PT-2"));
    assert_eq!(
        Samples::col(&t, "created").datetime(0),
        Some(at("2024-01-09T15:54:00Z"))
    );
    assert_eq!(Samples::col(&t, "due").date(0), Some(day("2024-01-10")));
    assert_eq!(Samples::col(&t, "summary").source(), "Summary");
    assert_eq!(line(&t, 0), Some(2));
    let t = rows(&s, "jira_resaved", 1);
    // One anonymised issue, then 739 rows of empty cells left by Excel.
    assert!(
        t.file().notes.iter().any(|n| n.contains("skipped 739 row(s)")),
        "{:?}",
        t.file().notes
    );
    assert_eq!(t.key_text(0), Some("A-3367"));
    assert_eq!(
        Samples::col(&t, "created").datetime(0),
        Some(at("2017-02-16T15:26:00Z"))
    );
    assert!(Samples::col(&t, "resolved").is_none(0));
    assert_eq!(line(&t, 0), Some(2));
}

#[test]
fn servicenow() {
    let Some(s) = Samples::get() else { return };
    let t = rows(&s, "snow_pdi", 66);
    assert_eq!(
        Samples::col(&t, "opened").datetime(0),
        Some(at("2019-07-29T11:48:43Z"))
    );
    assert_eq!(Samples::col(&t, "priority").text(0), Some("5 - Planning"));
    assert_eq!(line(&t, 0), Some(2));
    let t = rows(&s, "snow_resaved", 97);
    assert_eq!(
        Samples::col(&t, "opened").datetime(0),
        Some(at("2025-03-17T06:04:00Z"))
    );
    assert!(
        Samples::col(&t, "desc").is_none(0),
        "`null` is a declared null token"
    );
    assert_eq!(line(&t, 0), Some(2));
    let t = rows(&s, "snow_tasks", 34);
    assert_eq!(t.key_text(0), Some("SCTASK0012345"));
    assert!(
        Samples::col(&t, "desc").is_none(0),
        "`Null` is the declared token `null`"
    );
    let t = rows(&s, "snow_events", 149);
    assert_eq!(Samples::col(&t, "active").bool(0), Some(true));
    assert_eq!(
        Samples::col(&t, "opened").datetime(0),
        Some(at("2016-02-29T01:16:00Z"))
    );
    assert!(
        Samples::col(&t, "problem").is_none(0),
        "`?` is a declared null token"
    );
    assert_eq!(line(&t, 148), Some(150));
}

#[test]
fn identity_logs() {
    let Some(s) = Samples::get() else { return };
    let t = rows(&s, "okta_log", 3);
    assert_eq!(t.file().format, SourceFormat::JsonLines);
    assert_eq!(
        Samples::col(&t, "at").datetime(0),
        Some(at("2020-02-14T22:18:51.843Z"))
    );
    assert!(Samples::col(&t, "user").is_none(0), "target is null");
    assert_eq!(
        Samples::col(&t, "zone").text(0),
        Some("null"),
        "the string \"null\" is text"
    );
    assert_eq!(line(&t, 2), Some(3));
    let t = rows(&s, "okta_deactivate", 1);
    assert_eq!(
        Samples::col(&t, "user").text(0),
        Some("johndoet@doesnotexist.com")
    );
    assert_eq!(index(&t, 0), Some(0));
    let t = rows(&s, "entra_audit", 3);
    // Seven fractional digits, `+00:00` and `Z`: the same instant, truncated to microseconds.
    assert_eq!(
        Samples::col(&t, "activity").datetime(0),
        Some(at("2019-10-18T15:30:51.027371Z"))
    );
    assert_eq!(
        Samples::col(&t, "time").datetime(0),
        Samples::col(&t, "activity").datetime(0)
    );
    // modifiedProperties values are JSON-encoded strings: kept as written.
    assert_eq!(Samples::col(&t, "changed").text(0), Some("\"\""));
    assert_eq!(line(&t, 2), Some(3));
    let t = rows(&s, "google_admin", 1);
    assert_eq!(
        Samples::col(&t, "time").datetime(0),
        Some(at("2020-10-02T15:00:00Z"))
    );
    assert_eq!(Samples::col(&t, "param").text(0), Some("ALERT_ID"));
    assert_eq!(Samples::col(&t, "unique").int(0), Some(1));
    assert_eq!(line(&t, 0), Some(1));
}

#[test]
fn hr_and_training() {
    let Some(s) = Samples::get() else { return };
    let t = rows(&s, "bamboohr", 103);
    let terminated = Samples::col(&t, "terminated");
    assert_eq!(
        (0..t.rows()).filter(|&r| terminated.is_none(r)).count(),
        86,
        "`0000-00-00` is none"
    );
    assert!(
        (0..t.rows())
            .filter_map(|r| terminated.date(r))
            .any(|d| d == day("2021-03-15"))
    );
    assert_eq!(t.key_text(0), Some("4"));
    assert_eq!(index(&t, 0), Some(0));
    let t = rows(&s, "kb4_enrollments", 5);
    assert_eq!(
        Samples::col(&t, "enrolled").datetime(0),
        Some(at("2018-06-18T19:00:14Z"))
    );
    assert!(Samples::col(&t, "completed").is_none(0));
    assert_eq!(
        Samples::col(&t, "spent").duration(0),
        Some(497 * MICROS_PER_SECOND)
    );
    assert_eq!(index(&t, 4), Some(4));
    let t = rows(&s, "kb4_users", 6);
    assert_eq!(
        Samples::col(&t, "groups").list(0).collect::<Vec<_>>(),
        ["6276", "1759"]
    );
    let t = rows(&s, "kb4_campaigns", 3);
    assert_eq!(Samples::col(&t, "id").int(0), Some(3317));
    assert_eq!(
        Samples::col(&t, "start").datetime(0),
        Some(at("2018-05-04T13:00:00Z"))
    );
    assert_eq!(Samples::col(&t, "group").text(0), Some("Northwest Clickers"));
    assert_eq!(index(&t, 2), Some(2));
}

#[test]
fn registers_and_spreadsheets() {
    let Some(s) = Samples::get() else { return };
    let t = rows(&s, "soa", 6);
    assert_eq!(t.key_text(0), Some("A.5.15"));
    assert_eq!(Samples::col(&t, "applicable").bool(0), Some(true));
    assert!(
        t.file().notes.iter().any(|n| n.contains("blank line 8")),
        "{:?}",
        t.file().notes
    );
    let t = rows(&s, "risks_csv", 3);
    assert_eq!(t.file().delimiter, Some(b';'));
    assert_eq!(t.file().encoding, Encoding::Utf8);
    assert_eq!(Samples::col(&t, "residual").text(0), Some("High"));
    // Comma-joined inside a `;` cell: one item under the default list separator `;`.
    assert_eq!(Samples::col(&t, "controls").list(0).count(), 1);
    for (name, sheet, rows_, first) in [
        ("findings_xlsx", "Sheet1", 3, "tls.001"),
        ("incidents_xlsx", "Sheet1", 1, "IN.01"),
        ("risks_xlsx", "Sheet1", 4, "R01"),
        ("bia_xlsx", "bia", 1, "true"),
        ("suppliers_xlsx", "Entities", 3, "ACME Corporation"),
    ] {
        let t = rows(&s, name, rows_);
        assert_eq!(t.file().sheet.as_deref(), Some(sheet), "{name}");
        assert_eq!(t.column(0).text(0), Some(first), "{name}");
        assert_eq!(index(&t, 0), Some(2), "{name}: the header is worksheet row 1");
    }
    let t = s.load("tasks_xlsx");
    assert_eq!(t.file().sheet.as_deref(), Some("2-Security awareness training"));
    assert_eq!(Samples::col(&t, "due").date(0), Some(day("2026-03-06")));
    assert_eq!(Samples::col(&t, "status").text(0), Some("pending"));
    assert_eq!(index(&t, 0), Some(2));
}

#[test]
fn backups() {
    let Some(s) = Samples::get() else { return };
    let t = rows(&s, "veeam_sessions", 2343);
    assert_eq!(Samples::col(&t, "size").number(0), Some(40.0));
    assert_eq!(
        Samples::col(&t, "dedup").text(0),
        Some("3.3x"),
        "a ratio with a unit stays text"
    );
    assert_eq!(
        Samples::col(&t, "date").datetime(0),
        Some(at("2020-07-27T13:05:49Z"))
    );
    assert_eq!(Samples::col(&t, "result").dictionary().unwrap().len(), 3);
    assert_eq!(line(&t, 0), Some(2));
    let t = rows(&s, "veeam_api", 178);
    assert_eq!(
        Samples::col(&t, "end").datetime(0),
        Some(at("2019-04-18T17:27:47.74Z"))
    );
    assert!(Samples::col(&t, "tags").is_none(0) && Samples::col(&t, "reason").is_none(0));
    assert_eq!(Samples::col(&t, "size").int(0), Some(827_129_856));
    let t = rows(&s, "veeam_vbo", 136);
    assert_eq!(
        Samples::col(&t, "start").datetime(0),
        Some(at("2020-09-02T10:41:32Z"))
    );
    assert_eq!(line(&t, 0), Some(2));
}

#[test]
fn vulnerability_findings() {
    let Some(s) = Samples::get() else { return };
    let t = rows(&s, "prowler_aws", 4);
    assert_eq!(
        Samples::col(&t, "at").datetime(0),
        Some(at("2025-02-14T14:27:03.913874Z"))
    );
    assert_eq!(Samples::col(&t, "muted").bool(0), Some(false));
    assert_eq!(
        Samples::col(&t, "compliance").list(0).next(),
        Some("CIS-1.4: 1.20")
    );
    assert_eq!(line(&t, 0), Some(2));
    let t = rows(&s, "prowler_azure", 4);
    assert_eq!(Samples::col(&t, "status").text(0), Some("FAIL"));
    rows(&s, "prowler_zero", 0);
    let t = rows(&s, "prowler_ocsf", 3);
    assert_eq!(Samples::col(&t, "class").int(0), Some(2004));
    assert_eq!(Samples::col(&t, "epoch").int(0), Some(1_739_539_623));
    // The zone-less `created_time_dt` read as UTC is the epoch `created_time` plus the
    // exporter's offset: the file does not say which zone it was written in.
    assert_eq!(
        Samples::col(&t, "created").datetime(0),
        Some(at("2025-02-14T14:27:03.913874Z"))
    );
    assert_eq!(index(&t, 0), Some(0));
    let t = rows(&s, "dojo_us", 4);
    assert_eq!(Samples::col(&t, "date").date(0), Some(day("2018-01-30")));
    let t = rows(&s, "dojo_eu", 5);
    assert_eq!(Samples::col(&t, "date").date(0), Some(day("2021-02-28")));
    assert_eq!(Samples::col(&t, "active").bool(0), Some(true));
    let t = rows(&s, "dojo_json", 2);
    assert_eq!(Samples::col(&t, "severity").text(0), Some("Medium"));
}
