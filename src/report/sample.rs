//! Renders an audit sample (`auditready sample`): text for the auditor's working papers,
//! CSV for a spreadsheet (formula-safe, one column per field), JSON for tools.

use std::fmt::Write as _;

use super::RenderError;
use super::csv::neutralise;
use super::text::clean;
use super::view::location;
use crate::eval::sample::SampleReport;

/// Output formats of `auditready sample`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFormat {
    /// The seed, the population and each sampled record with its field values.
    Text,
    /// One row per sampled record, one column per field.
    Csv,
    /// The whole sample as JSON.
    Json,
}

/// Renders a sample.
pub fn render(s: &SampleReport, format: SampleFormat) -> Result<Vec<u8>, RenderError> {
    match format {
        SampleFormat::Text => Ok(text(s).into_bytes()),
        SampleFormat::Csv => csv(s),
        SampleFormat::Json => {
            let mut out = serde_json::to_vec_pretty(s).map_err(|e| RenderError {
                format: "json",
                message: e.to_string(),
            })?;
            out.push(b'\n');
            Ok(out)
        }
    }
}

fn text(s: &SampleReport) -> String {
    let mut w = String::new();
    let _ = writeln!(
        w,
        "{} — audit sample of {} ({})",
        s.tool,
        s.requirement,
        clean(&s.title)
    );
    let _ = writeln!(w, "as of {} · seed {} · {}", s.as_of, s.seed, s.method);
    let per: Vec<String> = s
        .datasets
        .iter()
        .map(|d| format!("{} {} of {} in {}", d.dataset, d.records, d.rows, clean(&d.file)))
        .collect();
    let _ = writeln!(
        w,
        "population: {} record{} after the `where` filters{}",
        s.population,
        if s.population == 1 { "" } else { "s" },
        if per.is_empty() {
            String::new()
        } else {
            format!(" ({})", per.join("; "))
        }
    );
    let _ = writeln!(
        w,
        "sample: {} of {}{}",
        s.records.len(),
        s.population,
        if s.requested > s.population {
            format!(" (asked for {}: the whole population)", s.requested)
        } else {
            String::new()
        }
    );
    let _ = writeln!(w);
    for (i, r) in s.records.iter().enumerate() {
        let _ = writeln!(
            w,
            "{:>3}. {}  {}  (dataset {}, draw {}, population #{})",
            i + 1,
            r.key.as_deref().map_or("(no key)".to_string(), clean),
            clean(&location(&r.file, r.line, r.index)),
            r.dataset,
            r.draw,
            r.position
        );
        for f in &r.fields {
            let _ = writeln!(w, "       {} = {}", f.name, clean(&f.value));
        }
    }
    if s.records.is_empty() {
        let _ = writeln!(w, "The population is empty: there is nothing to sample.");
    }
    w
}

fn csv(s: &SampleReport) -> Result<Vec<u8>, RenderError> {
    let error = |e: ::csv::Error| RenderError {
        format: "csv",
        message: e.to_string(),
    };
    // One column per dataset field, in order of first appearance.
    let mut fields: Vec<(String, String)> = Vec::new();
    for r in &s.records {
        for f in &r.fields {
            let col = (r.dataset.clone(), f.name.clone());
            if !fields.contains(&col) {
                fields.push(col);
            }
        }
    }
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut header: Vec<String> = [
        "requirement",
        "seed",
        "population",
        "number",
        "draw",
        "position",
        "dataset",
        "key",
        "file",
        "line",
        "index",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    header.extend(fields.iter().map(|(d, f)| format!("{d}.{f}")));
    w.write_record(header.iter().map(|h| neutralise(h)))
        .map_err(error)?;
    for (i, r) in s.records.iter().enumerate() {
        let mut row = vec![
            s.requirement.clone(),
            s.seed.to_string(),
            s.population.to_string(),
            (i + 1).to_string(),
            r.draw.to_string(),
            r.position.to_string(),
            r.dataset.clone(),
            r.key.clone().unwrap_or_default(),
            r.file.clone(),
            r.line.map_or(String::new(), |l| l.to_string()),
            r.index.map_or(String::new(), |x| x.to_string()),
        ];
        for (d, name) in &fields {
            let value = if *d == r.dataset {
                r.fields
                    .iter()
                    .find(|f| &f.name == name)
                    .map_or(String::new(), |f| f.value.clone())
            } else {
                String::new()
            };
            row.push(value);
        }
        w.write_record(row.iter().map(|c| neutralise(c))).map_err(error)?;
    }
    w.into_inner().map_err(|e| RenderError {
        format: "csv",
        message: e.to_string(),
    })
}
