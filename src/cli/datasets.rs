//! `auditready datasets`: the checklist of what to export before an audit — for every
//! declared dataset, the file it expects, its columns and formats, and whether the file
//! is there and loads.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{Exit, common};
use crate::check::program::Program;
use crate::report::text::clean;

/// Arguments of `datasets`.
#[derive(Debug, Args)]
pub struct DatasetsArgs {
    /// Rules directory (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Evidence directory.
    #[arg(long, value_name = "DIR", default_value = "evidence")]
    pub evidence: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Date freshness is judged on (YYYY-MM-DD; default: `<evidence>/as_of`, else today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

/// Text for people, JSON for tools.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    /// A checklist for people.
    Text,
    /// JSON.
    Json,
}

/// One dataset in the checklist.
#[derive(Debug, Serialize)]
struct DatasetEntry {
    name: String,
    title: Option<String>,
    file: String,
    format: String,
    status: &'static str,
    rows: Option<usize>,
    sha256: Option<String>,
    notes: Vec<String>,
    error: Option<String>,
    help: Option<String>,
    used_by: Vec<String>,
    fields: Vec<FieldEntry>,
}

#[derive(Debug, Serialize)]
struct FieldEntry {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    columns: Vec<String>,
    formats: Vec<String>,
    timezone: Option<String>,
    key: bool,
    required: bool,
    used: bool,
}

/// Runs `datasets`; exit 1 when any declared export is missing or does not load.
pub fn run(args: &DatasetsArgs, color: bool) -> Exit {
    let project = match common::load_project(&args.rules, common::today(), color, false) {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let as_of = match common::as_of_for(args.as_of.as_deref(), &args.evidence) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    let evidence = match common::load_evidence(&project.program, &args.evidence, true) {
        Ok(e) => e,
        Err(exit) => return exit,
    };
    let entries = entries(&project.program, &evidence, as_of);
    let output = match args.format {
        ListFormat::Json => serde_json::to_string_pretty(&entries)
            .map(|s| s + "\n")
            .unwrap_or_default(),
        ListFormat::Text => text(&entries),
    };
    if common::write_output(None, output.as_bytes()).is_err() {
        return Exit::Error;
    }
    if entries.iter().all(|e| e.status == "loaded") {
        Exit::Ok
    } else {
        Exit::NotReady
    }
}

fn entries(program: &Program, evidence: &common::Evidence, as_of: i64) -> Vec<DatasetEntry> {
    program
        .datasets
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let used_by = program
                .requirements
                .iter()
                .filter(|r| r.disabled.is_none() && r.datasets.contains(&i))
                .map(|r| r.id.clone())
                .collect();
            let fields = d
                .spec
                .fields
                .iter()
                .map(|f| FieldEntry {
                    name: f.name.clone(),
                    ty: f.ty.name().to_string(),
                    columns: f.from.clone(),
                    formats: f.formats.clone(),
                    timezone: f
                        .timezone
                        .clone()
                        .or_else(|| d.spec.timezone.clone())
                        .filter(|_| f.ty == crate::value::Type::DateTime),
                    key: f.key,
                    required: f.required,
                    used: f.used,
                })
                .collect();
            let format = d
                .spec
                .format
                .or_else(|| crate::evidence::SourceFormat::from_path(&d.spec.source))
                .map_or("unknown", |f| f.name())
                .to_string();
            let mut entry = DatasetEntry {
                name: d.name.clone(),
                title: d.title.clone(),
                file: d.spec.source.clone(),
                format,
                status: "loaded",
                rows: None,
                sha256: None,
                notes: Vec::new(),
                error: None,
                help: None,
                used_by,
                fields,
            };
            match evidence.tables.get(i) {
                Some(Ok(table)) => {
                    let f = table.file();
                    entry.rows = Some(table.rows());
                    entry.sha256 = Some(f.sha256.clone());
                    entry.notes = f.notes.clone();
                    if table.rows() == 0 {
                        entry.status = "empty";
                    } else if let Some(fresh) = d.freshness {
                        let newest = (0..table.rows())
                            .filter_map(|r| match table.value(fresh.field, r) {
                                crate::value::Value::DateTime(t) => Some(t),
                                crate::value::Value::Date(day) => Some(crate::value::date_to_micros(day)),
                                _ => None,
                            })
                            .max();
                        let field = d.fields.get(fresh.field).map_or("?", |f| f.name.as_str());
                        match newest {
                            Some(t) if as_of - t <= fresh.within => {}
                            Some(t) => {
                                entry.status = "stale";
                                entry.error = Some(format!(
                                    "the newest `{field}` is {} ({} before the as-of date); the rules require {}",
                                    crate::value::format_datetime(t),
                                    crate::value::format_duration(as_of - t),
                                    crate::value::format_duration(fresh.within)
                                ));
                                entry.help = Some("export it again: an audit on an old export proves nothing about today".into());
                            }
                            None => {
                                entry.status = "stale";
                                entry.error = Some(format!("no record has a `{field}`, so the export's age is unknown"));
                            }
                        }
                    }
                }
                Some(Err(e)) => {
                    entry.status = if e.code() == "D401" { "missing" } else { "error" };
                    entry.error = Some(format!("[{}] {e}", e.code()));
                    entry.help = Some(e.help());
                }
                None => entry.status = "not loaded",
            }
            entry
        })
        .collect()
}

fn text(entries: &[DatasetEntry]) -> String {
    let mut w = String::new();
    for e in entries {
        let mark = match e.status {
            "loaded" => "✓",
            _ => "✗",
        };
        // Everything below comes from rule files (pull requests) or evidence file names:
        // each piece is cleaned so no control character reaches the terminal raw.
        let title = e
            .title
            .as_deref()
            .map(|t| format!(" — {}", clean(t)))
            .unwrap_or_default();
        let _ = writeln!(w, "{mark} {}{title}", clean(&e.name));
        let state = match (e.status, e.rows) {
            ("loaded", Some(rows)) => format!("{rows} rows"),
            (status, _) => status.to_uppercase(),
        };
        let _ = writeln!(
            w,
            "    file     {} ({}, {state})",
            clean(&e.file),
            clean(&e.format)
        );
        if let Some(err) = &e.error {
            let _ = writeln!(w, "    error    {}", clean(err));
        }
        if let Some(help) = &e.help {
            let _ = writeln!(w, "    fix      {}", clean(help));
        }
        for note in &e.notes {
            let _ = writeln!(w, "    note     {}", clean(note));
        }
        if e.used_by.is_empty() {
            let _ = writeln!(w, "    used by  (no requirement)");
        } else {
            let _ = writeln!(w, "    used by  {}", clean(&e.used_by.join(", ")));
        }
        let name_width = e
            .fields
            .iter()
            .map(|f| clean(&f.name).chars().count())
            .max()
            .unwrap_or(0);
        let type_width = e.fields.iter().map(|f| f.ty.len()).max().unwrap_or(0);
        for (i, f) in e.fields.iter().enumerate() {
            let label = if i == 0 { "columns " } else { "        " };
            let columns = f
                .columns
                .iter()
                .map(|c| format!("\"{}\"", clean(c)))
                .collect::<Vec<_>>()
                .join(" or ");
            let mut extra = Vec::new();
            if f.key {
                extra.push("key".to_string());
            }
            if f.required {
                extra.push("required".to_string());
            }
            if !f.formats.is_empty() {
                extra.push(format!("format {}", clean(&f.formats.join(" | "))));
            }
            if let Some(tz) = &f.timezone {
                extra.push(format!("in {}", clean(tz)));
            }
            let extra = if extra.is_empty() {
                String::new()
            } else {
                format!("  ({})", extra.join(", "))
            };
            let _ = writeln!(
                w,
                "    {label} {:<name_width$}  {:<type_width$}  {columns}{extra}",
                clean(&f.name),
                f.ty
            );
        }
        let _ = writeln!(w);
    }
    let ready = entries.iter().filter(|e| e.status == "loaded").count();
    let _ = writeln!(w, "{ready} of {} exports present and loading.", entries.len());
    w
}
