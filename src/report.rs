//! Rendering results and diagnostics for people and machines. Every format renders the
//! same [`RunReport`](crate::eval::model::RunReport): nothing is evaluated here.

pub mod diagnostics;
pub mod text;

use crate::eval::model::RunReport;

/// Report formats of `auditready run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For the terminal: summary, findings by severity, evidence inventory.
    Text,
    /// The whole result as JSON (schema in docs/report-schema.md).
    Json,
}

/// Renders a report. `color` applies to the text format only.
pub fn render(report: &RunReport, format: Format, color: bool) -> Vec<u8> {
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
    }
    out
}
