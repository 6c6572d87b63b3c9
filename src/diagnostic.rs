//! Diagnostics as data: a stable code, a severity, a message, labelled spans and a help
//! line. Every stage produces them; only `report::diagnostics` renders them.

pub mod code;

pub use code::Code;

use crate::source::{SourceMap, Span};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops `check` (exit 2) and `run`.
    Error,
    /// Reported; does not change the exit code.
    Warning,
}

/// A span with a short explanation of its part in the diagnostic.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is wrong or relevant there.
    pub message: String,
    /// The primary label is where the problem is; secondary labels give context
    /// (the earlier definition of a duplicate, say).
    pub primary: bool,
}

/// One problem found in rule files or evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The stable code (`C105`).
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One lowercase line: what is wrong, user input in backticks.
    pub message: String,
    /// Spans in rule files, primary first.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// Further facts (`the export has columns: …`).
    pub notes: Vec<String>,
    /// Where a diagnostic without a span points: a rule file that could not be read, so
    /// has no text in the source map (`S003`, `S004`).
    pub location: Option<Location>,
}

/// A place in a file outside the source map.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Location {
    /// The file, as shown to users (relative to the rules directory).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Diagnostic {
    /// An error with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            labels: Vec::new(),
            help: None,
            notes: Vec::new(),
            location: None,
        }
    }

    /// Adds the primary label.
    pub fn with_primary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line when there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Sets where a diagnostic without a span points.
    pub fn with_location(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// The primary span, if any.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or(self.labels.first())
            .map(|l| l.span)
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, position and code so output never depends on the order in
/// which checks ran.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let ka = a.primary_span().map(|s| (s.file, s.start, s.end));
        let kb = b.primary_span().map(|s| (s.file, s.start, s.end));
        ka.cmp(&kb)
            .then(a.code.cmp(&b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// A diagnostic flattened for machines: `--format json`, SARIF and CI annotations.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FlatDiagnostic {
    /// Rule file (relative to the rules directory), when the diagnostic has a span.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub column: Option<usize>,
    /// 1-based line of the span's end.
    pub end_line: Option<usize>,
    /// 1-based column of the span's end.
    pub end_column: Option<usize>,
    /// Stable code.
    pub code: &'static str,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// The fix, if known.
    pub help: Option<String>,
    /// Further facts.
    pub notes: Vec<String>,
}

impl FlatDiagnostic {
    /// Flattens a diagnostic, resolving its primary span to file, line and column.
    pub fn new(d: &Diagnostic, sources: &SourceMap) -> FlatDiagnostic {
        let located = d
            .primary_span()
            .map(|span| {
                let file = sources.get(span.file);
                let (line, column) = file.line_col(span.start);
                let (end_line, end_column) = file.line_col(span.end);
                (file.name.clone(), line, column, end_line, end_column)
            })
            .or_else(|| {
                d.location
                    .as_ref()
                    .map(|l| (l.file.clone(), l.line, l.column, l.line, l.column))
            });
        FlatDiagnostic {
            file: located.as_ref().map(|l| l.0.clone()),
            line: located.as_ref().map(|l| l.1),
            column: located.as_ref().map(|l| l.2),
            end_line: located.as_ref().map(|l| l.3),
            end_column: located.as_ref().map(|l| l.4),
            code: d.code.as_str(),
            severity: d.severity,
            message: d.message.clone(),
            help: d.help.clone(),
            notes: d.notes.clone(),
        }
    }
}

/// Names close to `name` among `candidates`, best first, for "did you mean" help.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter_map(|c| {
            let score = strsim::jaro_winkler(&lower, &c.to_lowercase());
            (score >= 0.8 || c.eq_ignore_ascii_case(name)).then_some((score, c))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" for the closest candidate, if any is close.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    suggest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_name() {
        let names = ["leavers", "capa", "training"];
        assert_eq!(suggest("leaver", names), Some("leavers"));
        assert_eq!(suggest("trainig", names), Some("training"));
        assert_eq!(suggest("zzz", names), None);
    }
}
