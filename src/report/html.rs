//! The self-contained HTML report for auditors: inline CSS, inline SVG charts, no script,
//! no external fonts or images, and a print stylesheet (A4, a page per standard).
//!
//! Rendered with minijinja from `templates/report.html`, which is auto-escaped: every value
//! that comes from rules or evidence (a Jira summary may hold `<script>`) is escaped, and the
//! page's Content-Security-Policy forbids scripts besides.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use super::RenderError;
use super::view;
use crate::eval::model::RunReport;

const TEMPLATE: &str = include_str!("../../templates/report.html");
const STYLESHEET: &str = include_str!("../../templates/report.css");

/// Renders the HTML report.
pub fn render(report: &RunReport) -> Result<String, RenderError> {
    let error = |e: minijinja::Error| RenderError {
        format: "html",
        message: format!("{e:#}"),
    };
    let mut env = Environment::new();
    // Escape by default for the page; the stylesheet has no variables. Set explicitly so
    // the escaping never depends on template names.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // A misspelt field is a template bug: fail loudly in tests rather than print nothing.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("report.html", TEMPLATE).map_err(error)?;
    env.add_template("report.css", STYLESHEET).map_err(error)?;
    let view = view::build(report);
    let template = env.get_template("report.html").map_err(error)?;
    let mut html = template
        .render(minijinja::context! {
            report => view.report,
            date => view.date,
            verdict => view.verdict,
            standards => view.standards,
            readiness_chart => view.readiness_chart,
            coverage_chart => view.coverage_chart,
            matrix => view.matrix,
            shared => view.shared,
            sections => view.sections,
            register => view.register,
            metrics => view.metrics,
            waivers => view.waivers,
            attestations => view.attestations,
            evidence => view.evidence,
            cited_records => view.cited_records,
        })
        .map_err(error)?;
    if !html.ends_with('\n') {
        html.push('\n');
    }
    Ok(html)
}
