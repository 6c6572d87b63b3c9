//! Rendering results and diagnostics for people and machines. Every format renders the
//! same [`RunReport`](crate::eval::model::RunReport): nothing is evaluated here.

pub mod csv;
pub mod diagnostics;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod oscal;
pub mod sample;
pub mod sarif;
pub mod text;
pub mod view;

use crate::eval::model::RunReport;

/// Report formats of `auditready run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For the terminal: summary, findings by severity, evidence inventory.
    Text,
    /// The whole result as JSON (schema in docs/report-schema.md).
    Json,
    /// One self-contained HTML file for auditors: readable in any browser, printable.
    Html,
    /// The same content as HTML, for wikis and pull-request comments.
    Markdown,
    /// JUnit XML for CI: a test suite per standard, a test case per requirement.
    Junit,
    /// Every cited record (waived ones flagged), one row each, for spreadsheets.
    Csv,
    /// An OSCAL 1.1 assessment-results document.
    Oscal,
}

/// A report that could not be rendered (a template bug, never the data's fault).
#[derive(Debug, thiserror::Error)]
#[error("cannot render the {format} report: {message}")]
pub struct RenderError {
    /// The format.
    pub format: &'static str,
    /// What went wrong.
    pub message: String,
}

/// Renders a report. `color` applies to the text format only.
pub fn render(report: &RunReport, format: Format, color: bool) -> Result<Vec<u8>, RenderError> {
    let mut out = Vec::new();
    match format {
        Format::Text => {
            // Writing to a Vec cannot fail.
            let _ = text::render(report, color, &mut out);
        }
        Format::Json => {
            let _ = serde_json::to_writer_pretty(&mut out, report);
            out.push(b'\n');
        }
        Format::Html => out = html::render(report)?.into_bytes(),
        Format::Markdown => out = markdown::render(report).into_bytes(),
        Format::Junit => out = junit::render(report).into_bytes(),
        Format::Csv => out = csv::render(report)?,
        Format::Oscal => out = oscal::render(report)?,
    }
    Ok(out)
}
