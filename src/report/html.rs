//! The self-contained HTML report for auditors: inline CSS, inline SVG charts, no script,
//! no external fonts or images, and a print stylesheet (A4, a page per standard).
//!
//! Rendered with minijinja from `templates/report.html`, which is auto-escaped: every value
//! that comes from rules or evidence (a Jira summary may hold `<script>`) is escaped, and the
//! page's Content-Security-Policy forbids scripts besides.

use std::fmt::Write as _;

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

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
    // HTML escaping leaves control characters alone; a terminal escape or a bidi override
    // in evidence is shown as a visible `\u{…}` instead. Strings already marked safe are
    // the template's own macro output, whose data went through this formatter.
    env.set_formatter(|out, state, value| {
        if !value.is_safe() {
            if let Some(s) = value.as_str() {
                if s.chars().any(unsafe_char) {
                    let cleaned = Value::from(visible(s));
                    return minijinja::escape_formatter(out, state, &cleaned);
                }
            }
        }
        minijinja::escape_formatter(out, state, value)
    });
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

/// Characters that must not reach the page raw: controls (but line breaks and tabs) and
/// the bidirectional overrides that can make text display in another order.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The text with every unsafe character written as a visible escape.
fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn control_and_bidi_characters_become_visible() {
        assert_eq!(visible("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(visible("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(visible("two\nlines"), "two\nlines");
    }
}
