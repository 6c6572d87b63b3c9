//! The shipped standard catalogs in `rules/standards`: they parse and check, have the
//! expected standards, clauses and Annex A controls, name the 2022 control for ISO/IEC
//! 27001:2013 numbering, and (when the research catalog is checked out beside the
//! repository) agree entry for entry with `../shared/catalog/standards.json`.

// A test crate: its helpers outside `#[test]` functions may fail loudly too.
#![allow(clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use auditready::check::program::{Program, Standard};
use auditready::check::{self, CheckOptions};
use auditready::diagnostic::{Code, Diagnostic};
use auditready::source::SourceMap;
use auditready::syntax::ast::EntryKind;
use auditready::{project, syntax};

const STANDARDS: [(&str, &str); 5] = [
    ("iso9001", "ISO 9001:2015"),
    ("iso27001", "ISO/IEC 27001:2022"),
    ("iso20000", "ISO/IEC 20000-1:2018"),
    ("iso22301", "ISO 22301:2019"),
    ("iso42001", "ISO/IEC 42001:2023"),
];

/// Keys of `standards.json` → catalog ids.
const JSON_KEYS: [(&str, &str); 5] = [
    ("iso9001:2015", "iso9001"),
    ("iso27001:2022", "iso27001"),
    ("iso20000-1:2018", "iso20000"),
    ("iso22301:2019", "iso22301"),
    ("iso42001:2023", "iso42001"),
];

/// The objective headings of ISO/IEC 42001:2023 Annex A.
const AI_HEADINGS: [&str; 11] = [
    "A.2", "A.3", "A.4", "A.5", "A.6", "A.6.1", "A.6.2", "A.7", "A.8", "A.9", "A.10",
];

/// The 38 controls of ISO/IEC 42001:2023 Annex A.
const AI_CONTROLS: [&str; 38] = [
    "A.2.2", "A.2.3", "A.2.4", "A.3.2", "A.3.3", "A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6", "A.5.2",
    "A.5.3", "A.5.4", "A.5.5", "A.6.1.2", "A.6.1.3", "A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5", "A.6.2.6",
    "A.6.2.7", "A.6.2.8", "A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6", "A.8.2", "A.8.3", "A.8.4", "A.8.5",
    "A.9.2", "A.9.3", "A.9.4", "A.10.2", "A.10.3", "A.10.4",
];

fn standards_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rules")
        .join("standards")
}

fn shared_catalog(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("catalog")
        .join(file)
}

/// Parses and checks the rule files, as `auditready check` does.
fn parse_and_check(sources: &SourceMap) -> (Option<Program>, Vec<Diagnostic>) {
    let (files, mut diags) = syntax::parse_all(sources);
    let (program, check_diags) = check::check(&files, CheckOptions::default());
    diags.extend(check_diags);
    (program, diags)
}

fn load_catalogs() -> SourceMap {
    let (sources, diags) = project::load_rules(&[standards_dir()]);
    assert!(diags.is_empty(), "loading rules/standards: {diags:#?}");
    assert_eq!(sources.len(), 5, "one rule file per standard");
    sources
}

fn catalogs() -> Program {
    let sources = load_catalogs();
    let (program, diags) = parse_and_check(&sources);
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "rules/standards has errors: {errors:#?}");
    program.expect("no errors, so there is a program")
}

fn standard<'p>(program: &'p Program, id: &str) -> &'p Standard {
    program
        .standard(id)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no standard `{id}`"))
}

fn ids_of(s: &Standard, kind: EntryKind) -> Vec<&str> {
    s.items
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| i.id.as_str())
        .collect()
}

#[test]
fn five_standards_with_their_ids_and_titles() {
    let program = catalogs();
    let found: HashMap<&str, &str> = program
        .standards
        .iter()
        .map(|s| (s.id.as_str(), s.title.as_str()))
        .collect();
    let expected: HashMap<&str, &str> = STANDARDS.into_iter().collect();
    assert_eq!(found, expected);
    assert_eq!(program.standards.len(), 5);
}

#[test]
fn iso27001_annex_a_has_the_93_controls_of_2022() {
    let program = catalogs();
    let s = standard(&program, "iso27001");
    let controls = ids_of(s, EntryKind::Control);
    assert_eq!(controls.len(), 93);
    let pattern = regex::Regex::new(r"^A\.[5-8]\.\d+$").expect("valid regex");
    for id in &controls {
        assert!(pattern.is_match(id), "unexpected 27001 control id `{id}`");
    }
    // 37 organizational, 8 people, 14 physical, 34 technological, numbered without gaps.
    for (theme, count) in [(5, 37), (6, 8), (7, 14), (8, 34)] {
        let expected: Vec<String> = (1..=count).map(|n| format!("A.{theme}.{n}")).collect();
        let found: Vec<&str> = controls
            .iter()
            .copied()
            .filter(|c| c.starts_with(&format!("A.{theme}.")))
            .collect();
        assert_eq!(found, expected, "theme A.{theme}");
    }
    let title = |id: &str| s.item(id).and_then(|i| s.items[i].title.as_deref());
    assert_eq!(title("A.5.18"), Some("Access rights"));
    assert_eq!(title("A.8.20"), Some("Networks security"));
    assert_eq!(title("A.8.28"), Some("Secure coding"));
}

#[test]
fn iso27001_supersedes_every_2013_control() {
    let program = catalogs();
    let s = standard(&program, "iso27001");
    assert_eq!(s.superseded.len(), 114);
    let old: HashSet<&str> = s.superseded.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(old.len(), 114, "each 2013 control once");
    let pattern = regex::Regex::new(r"^A\.(5|6|7|8|9|1[0-8])\.\d+\.\d+$").expect("valid regex");
    for (o, new) in &s.superseded {
        assert!(pattern.is_match(o), "`{o}` is not a 2013 Annex A control id");
        assert!(s.item(o).is_none(), "`{o}` is superseded but also a current id");
        assert!(!new.is_empty(), "`{o}` maps to nothing");
        for n in new {
            let i = s.item(n).unwrap_or_else(|| panic!("`{o}` maps to unknown `{n}`"));
            assert_eq!(
                s.items[i].kind,
                EntryKind::Control,
                "`{o}` maps to `{n}`, not a control"
            );
        }
    }
    let map: HashMap<&str, Vec<&str>> = s
        .superseded
        .iter()
        .map(|(o, n)| (o.as_str(), n.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(map["A.9.2.6"], ["A.5.18"]);
    assert_eq!(map["A.18.2.3"], ["A.5.36", "A.8.8"]);
    // The primary mapping, not ciso-assistant's A.8.14 (redundancy).
    assert_eq!(map["A.13.2.1"], ["A.5.14"]);
    // Every 2013 domain A.5–A.18 is there.
    for domain in 5..=18 {
        assert!(
            old.iter().any(|o| o.starts_with(&format!("A.{domain}."))),
            "no 2013 control of A.{domain}"
        );
    }
}

#[test]
fn iso42001_annex_a_has_its_38_controls_and_no_heading_entries() {
    let program = catalogs();
    let s = standard(&program, "iso42001");
    // Exactly the 38 controls, in document order: the objective headings are not entries,
    // so coverage counts 38 controls and a heading cannot stand in for its controls.
    assert_eq!(ids_of(s, EntryKind::Control), AI_CONTROLS);
    for heading in AI_HEADINGS {
        assert!(
            s.item(heading).is_none(),
            "objective heading `{heading}` is an entry"
        );
    }
    for id in AI_CONTROLS {
        let i = s.item(id).unwrap_or_else(|| panic!("no control `{id}`"));
        assert_eq!(s.items[i].parent, None, "`{id}` has a parent");
        let (head, _) = id.rsplit_once('.').unwrap_or_default();
        assert!(
            AI_HEADINGS.contains(&head),
            "`{id}` is not numbered under an objective heading"
        );
    }
}

#[test]
fn citing_a_42001_objective_heading_is_an_unknown_clause() {
    let mut sources = load_catalogs();
    sources.add_text(
        "heading.rules",
        r#"
requirement ai.oversight_by_heading {
  title    "Human oversight of AI systems"
  clauses  iso42001:A.9, iso42001:A.9.2
  severity major
  expect   true
}
"#,
    );
    let (program, diags) = parse_and_check(&sources);
    assert!(program.is_none(), "a heading is not a clause or control");
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{diags:#?}");
    assert_eq!(errors[0].code, Code::C105, "{diags:#?}");
    assert!(errors[0].message.contains("`A.9`"), "{}", errors[0].message);
}

#[test]
fn every_standard_has_clauses_4_to_10() {
    let program = catalogs();
    for (id, _) in STANDARDS {
        let s = standard(&program, id);
        let clauses = ids_of(s, EntryKind::Clause);
        for c in ["4", "5", "6", "7", "8", "9", "10"] {
            assert!(clauses.contains(&c), "{id} lacks clause {c}");
        }
        for c in [
            "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1", "6.2", "7.1", "7.2", "7.3",
        ] {
            assert!(clauses.contains(&c), "{id} lacks clause {c}");
        }
        for c in ["7.4", "7.5", "8.1", "9.1", "9.2", "9.3", "10.1", "10.2"] {
            assert!(clauses.contains(&c), "{id} lacks clause {c}");
        }
        // Clauses come first, in document order, and every subclause sits under its parent.
        let first_control = s.items.iter().position(|i| i.kind == EntryKind::Control);
        let last_clause = s.items.iter().rposition(|i| i.kind == EntryKind::Clause);
        if let (Some(c), Some(l)) = (first_control, last_clause) {
            assert!(l < c, "{id}: clauses and controls interleave");
        }
        let numbers = |c: &str| {
            c.split('.')
                .map(|n| n.parse::<u32>().unwrap_or(0))
                .collect::<Vec<_>>()
        };
        for pair in clauses.windows(2) {
            assert!(
                numbers(pair[0]) < numbers(pair[1]),
                "{id}: `{}` before `{}`",
                pair[0],
                pair[1]
            );
        }
        for item in s.items.iter().filter(|i| i.kind == EntryKind::Clause) {
            match item.id.rsplit_once('.') {
                Some((head, _)) => {
                    let parent = item.parent.map(|p| s.items[p].id.as_str());
                    assert_eq!(parent, Some(head), "{id}: parent of `{}`", item.id);
                }
                None => assert!(item.parent.is_none()),
            }
        }
    }
    // Clause 10 is not numbered alike across the family.
    let title = |std: &str, clause: &str| {
        let s = standard(&program, std);
        s.item(clause).and_then(|i| s.items[i].title.clone())
    };
    let nc = Some("Nonconformity and corrective action".to_string());
    assert_eq!(title("iso9001", "10.2"), nc);
    assert_eq!(title("iso27001", "10.2"), nc);
    assert_eq!(title("iso42001", "10.2"), nc);
    assert_eq!(title("iso20000", "10.1"), nc);
    assert_eq!(title("iso22301", "10.1"), nc);
    assert_eq!(
        title("iso9001", "10.3"),
        Some("Continual improvement".to_string())
    );
    for std in ["iso27001", "iso42001", "iso22301"] {
        assert!(title(std, "9.2.2").is_some(), "{std} 9.2.2");
        assert!(standard(&program, std).item("9.3.3").is_some(), "{std} 9.3.3");
    }
    // Untitled numbered paragraphs of ISO 9001 have no title.
    assert_eq!(title("iso9001", "8.7.2"), None);
    assert!(standard(&program, "iso9001").item("8.7.2").is_some());
    assert_eq!(title("iso9001", "9.2"), Some("Internal audit".to_string()));
    assert_eq!(
        title("iso22301", "8.2.2"),
        Some("Business impact analysis".to_string())
    );
    assert_eq!(title("iso20000", "8.5.1"), Some("Change management".to_string()));
    assert_eq!(
        title("iso42001", "6.1.4"),
        Some("AI system impact assessment".to_string())
    );
}

#[test]
fn a_2013_control_number_is_reported_with_its_2022_replacement() {
    let mut sources = load_catalogs();
    sources.add_text(
        "legacy.rules",
        r#"
requirement access.legacy_numbering {
  title    "Access rights removed on termination"
  clauses  iso27001:A.9.2.6, iso27001:A.18.2.3, iso27001:A.5.18
  severity major
  expect   true
}
"#,
    );
    let (program, diags) = parse_and_check(&sources);
    assert!(program.is_none(), "a superseded number is an error");
    let c111: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == Code::C111).collect();
    assert_eq!(c111.len(), 2, "{diags:#?}");
    assert!(
        diags.iter().all(|d| d.code == Code::C111 || !d.is_error()),
        "only the superseded numbers are errors: {diags:#?}"
    );
    let a926 = c111
        .iter()
        .find(|d| d.message.contains("`A.9.2.6`"))
        .expect("a diagnostic for A.9.2.6");
    assert!(a926.is_error());
    assert!(a926.message.contains("`A.5.18`"), "{}", a926.message);
    assert_eq!(a926.help.as_deref(), Some("write `iso27001:A.5.18`"));
    let span = a926.primary_span().expect("a primary span");
    let (file, line, _) = sources.locate(span);
    assert_eq!((file, line), ("legacy.rules", 4));
    let a1823 = c111
        .iter()
        .find(|d| d.message.contains("`A.18.2.3`"))
        .expect("a diagnostic for A.18.2.3");
    assert!(
        a1823.message.contains("`A.5.36` and `A.8.8`"),
        "{}",
        a1823.message
    );
}

/// `standards.json` as (catalog id → entries in order: id, title, kind, flagged unverified).
type JsonCatalog = HashMap<String, Vec<(String, Option<String>, EntryKind, bool)>>;

fn read_json_catalog(path: &Path) -> JsonCatalog {
    let text = std::fs::read_to_string(path).expect("read standards.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("standards.json is JSON");
    let keys: HashMap<&str, &str> = JSON_KEYS.into_iter().collect();
    let entry = |v: &serde_json::Value, kind: EntryKind| {
        let id = v["id"].as_str().expect("an id").to_string();
        let title = v["title"].as_str().map(str::to_string);
        let flagged =
            v["unverified"].as_bool().unwrap_or(false) || v["title_unverified"].as_bool().unwrap_or(false);
        (id, title, kind, flagged)
    };
    let mut out = JsonCatalog::new();
    for s in json["standards"].as_array().expect("a standards array") {
        let key = s["key"].as_str().expect("a key");
        let id = keys
            .get(key)
            .unwrap_or_else(|| panic!("unexpected standard `{key}` in standards.json"));
        let mut entries: Vec<_> = s["clauses"]
            .as_array()
            .expect("clauses")
            .iter()
            .map(|c| entry(c, EntryKind::Clause))
            .collect();
        if let Some(annex) = s["annex_a"].as_object() {
            let controls = annex["controls"].as_array().expect("controls");
            match annex.get("objectives").and_then(|o| o.as_array()) {
                // 42001: the controls of each objective, in the objectives' order. The
                // headings themselves are not entries of the catalog.
                Some(objectives) => {
                    for o in objectives {
                        for c in controls.iter().filter(|c| c["objective"] == o["id"]) {
                            entries.push(entry(c, EntryKind::Control));
                        }
                    }
                }
                None => entries.extend(controls.iter().map(|c| entry(c, EntryKind::Control))),
            }
        }
        out.insert((*id).to_string(), entries);
    }
    out
}

#[test]
fn catalogs_agree_with_the_research_catalog() {
    let path = shared_catalog("standards.json");
    if !path.exists() {
        println!("skipping: ../shared/catalog not found");
        return;
    }
    let json = read_json_catalog(&path);
    let program = catalogs();
    assert_eq!(json.len(), 5);
    for s in &program.standards {
        let expected = json
            .get(&s.id)
            .unwrap_or_else(|| panic!("standard `{}` is not in standards.json", s.id));
        let found: Vec<(String, Option<String>, EntryKind)> = s
            .items
            .iter()
            .map(|i| (i.id.clone(), i.title.clone(), i.kind))
            .collect();
        let expected_items: Vec<(String, Option<String>, EntryKind)> = expected
            .iter()
            .map(|(id, title, kind, _)| (id.clone(), title.clone(), *kind))
            .collect();
        for (e, f) in expected_items.iter().zip(&found) {
            assert_eq!(
                f, e,
                "{}: the catalog entry (left) differs from standards.json (right)",
                s.id
            );
        }
        assert_eq!(found.len(), expected_items.len(), "{}: number of entries", s.id);
    }

    // Entries flagged unverified in the JSON, and only those, say so on their line.
    let line_pattern = regex::Regex::new(r#"^\s*(?:clause|control)\s+"([^"]+)"(.*)$"#).expect("valid regex");
    for (id, _) in STANDARDS {
        let text = std::fs::read_to_string(standards_dir().join(format!("{id}.rules"))).expect("read");
        let flagged: HashMap<&str, bool> = json[id]
            .iter()
            .map(|(entry, _, _, flagged)| (entry.as_str(), *flagged))
            .collect();
        let mut seen = 0;
        for line in text.lines() {
            let Some(caps) = line_pattern.captures(line) else {
                continue;
            };
            seen += 1;
            let entry = &caps[1];
            let marked = caps[2].contains("# unverified");
            assert_eq!(
                Some(&marked),
                flagged.get(entry),
                "{id}: `{entry}` and its `# unverified` marker"
            );
        }
        assert_eq!(seen, flagged.len(), "{id}: one line per entry");
    }

    let mapping = shared_catalog("mapping-27001-2013-to-2022.json");
    if !mapping.exists() {
        return;
    }
    let text = std::fs::read_to_string(mapping).expect("read the mapping");
    let json: serde_json::Value = serde_json::from_str(&text).expect("the mapping is JSON");
    let expected: Vec<(String, Vec<String>)> = json["annex_a_2013_to_2022"]
        .as_array()
        .expect("annex_a_2013_to_2022")
        .iter()
        .map(|e| {
            let old = e["id_2013"].as_str().expect("id_2013").to_string();
            let new = e["ids_2022"]
                .as_array()
                .expect("ids_2022")
                .iter()
                .map(|n| n.as_str().expect("an id").to_string())
                .collect();
            (old, new)
        })
        .collect();
    assert_eq!(standard(&program, "iso27001").superseded, expected);
}
