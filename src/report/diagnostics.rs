//! Renders diagnostics with ariadne: the code, the message, every labelled span with its
//! source line, and the help. The only module that imports ariadne.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::ops::Range;

use ariadne::{Cache, Color, Config, IndexType, Label, Report, ReportKind, Source};

use super::text::clean;
use crate::diagnostic::{Diagnostic, FlatDiagnostic, Severity};
use crate::source::{SourceMap, Span};

/// Lines longer than this are shown as an excerpt around the span, so a ten-megabyte line
/// does not flood the terminal.
const MAX_SHOWN_LINE: usize = 240;

/// Writes diagnostics for people; `color` only when writing to a terminal.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut cache = SourceCache {
        sources,
        built: HashMap::new(),
    };
    for d in diags {
        render_one(d, &mut cache, color, out)?;
    }
    Ok(())
}

/// Renders one diagnostic to a string without colour (tests, snapshots).
pub fn render_plain(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render(diags, sources, false, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes diagnostics as a JSON array of `{file, line, column, code, severity, message, help}`.
pub fn render_json(diags: &[Diagnostic], sources: &SourceMap, out: &mut dyn Write) -> io::Result<()> {
    let flat: Vec<FlatDiagnostic> = diags.iter().map(|d| FlatDiagnostic::new(d, sources)).collect();
    serde_json::to_writer_pretty(&mut *out, &flat)?;
    writeln!(out)
}

/// Writes GitHub Actions workflow commands (`::error file=…,line=…::message`).
pub fn render_github(
    diags: &[Diagnostic],
    sources: &SourceMap,
    rules_prefix: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    for d in diags {
        let f = FlatDiagnostic::new(d, sources);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(file) = &f.file {
            props.push(format!(
                "file={}",
                escape_property(&clean(&format!("{rules_prefix}{file}")))
            ));
        }
        for (key, value) in [
            ("line", f.line),
            ("col", f.column),
            ("endLine", f.end_line),
            ("endColumn", f.end_column),
        ] {
            if let Some(v) = value {
                props.push(format!("{key}={v}"));
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", f.code, d.code.title()))
        ));
        let mut message = visible(&f.message);
        if let Some(help) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(&visible(help));
        }
        writeln!(out, "::{level} {}::{}", props.join(","), escape_data(&message))?;
    }
    Ok(())
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

struct SourceCache<'a> {
    sources: &'a SourceMap,
    built: HashMap<String, Source<String>>,
}

impl Cache<String> for SourceCache<'_> {
    type Storage = String;

    fn fetch(&mut self, id: &String) -> Result<&Source<String>, impl fmt::Debug> {
        if !self.built.contains_key(id) {
            let text = self
                .sources
                .files()
                .find(|(_, f)| f.name == *id)
                .map(|(_, f)| shown_source(&f.text))
                .unwrap_or_default();
            self.built.insert(id.clone(), Source::from(text));
        }
        self.built.get(id).ok_or("missing source")
    }

    fn display<'b>(&self, id: &'b String) -> Option<impl fmt::Display + 'b> {
        Some(clean(id))
    }
}

/// Untrusted text (a rule file's name, evidence values quoted in a message) with every
/// control character made visible; line breaks are kept.
fn visible(s: &str) -> String {
    s.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

/// A rule file's text as the renderer quotes it: control and bidirectional-formatting
/// characters are replaced by placeholders of the same byte length, so spans still fit and
/// a rule file from a pull request cannot drive the terminal that shows its errors.
fn shown_source(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let keep = c == '\n' || c == '\t' || (c == '\r' && chars.peek() == Some(&'\n'));
        let mut buf = [0; 4];
        let one = c.encode_utf8(&mut buf);
        if keep || clean(one) == *one {
            out.push(c);
            continue;
        }
        // Same byte length and one character, so spans and columns stay right.
        match c.len_utf8() {
            1 => out.push('?'),
            2 => out.push('\u{b7}'),
            3 => out.push('\u{fffd}'),
            n => out.extend(std::iter::repeat_n('?', n)),
        }
    }
    out
}

fn render_one(
    d: &Diagnostic,
    cache: &mut SourceCache<'_>,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let config = Config::default()
        .with_color(color)
        .with_index_type(IndexType::Byte)
        .with_compact(false);
    let primary = d.primary_span();
    let long_line = primary.is_some_and(|s| line_len(cache.sources, s) > MAX_SHOWN_LINE);
    if long_line || primary.is_none() {
        return render_without_snippet(d, cache.sources, out);
    }
    let name_of = |s: Span| cache.sources.get(s.file).name.clone();
    let primary = primary.unwrap_or_default();
    let mut builder = Report::build(kind, (name_of(primary), primary.range()))
        .with_code(d.code.as_str())
        .with_message(visible(&d.message))
        .with_config(config);
    // ariadne starts a new excerpt whenever a label lies on an earlier line than the one
    // before it, and heads every excerpt of the primary's file with the primary's
    // position. Labels in (file, start) order, the primary's file first, keep each file
    // in one excerpt whose header names the primary, and other files' excerpts headed by
    // their first label.
    let mut labels: Vec<&crate::diagnostic::Label> = d.labels.iter().collect();
    labels.sort_by_key(|l| (l.span.file != primary.file, l.span.file, l.span.start, l.span.end));
    for (order, label) in labels.into_iter().enumerate() {
        if line_len(cache.sources, label.span) > MAX_SHOWN_LINE {
            continue;
        }
        let range: Range<usize> = label.span.range();
        let mut l = Label::new((name_of(label.span), range))
            .with_message(visible(&label.message))
            .with_order(i32::try_from(order).unwrap_or(i32::MAX));
        if color {
            l = l.with_color(if label.primary {
                match d.severity {
                    Severity::Error => Color::Red,
                    Severity::Warning => Color::Yellow,
                }
            } else {
                Color::Blue
            });
        }
        builder = builder.with_label(l);
    }
    for note in &d.notes {
        builder = builder.with_note(visible(note));
    }
    if let Some(help) = &d.help {
        builder = builder.with_help(visible(help));
    }
    builder.finish().write(cache, &mut *out)
}

/// The plain form for diagnostics without a span, or on lines too long to show.
fn render_without_snippet(d: &Diagnostic, sources: &SourceMap, out: &mut dyn Write) -> io::Result<()> {
    let kind = match d.severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
    };
    writeln!(out, "[{}] {kind}: {}", d.code, visible(&d.message))?;
    if let (None, Some(l)) = (d.primary_span(), &d.location) {
        writeln!(out, "   --> {}:{}:{}", clean(&l.file), l.line, l.column)?;
    }
    if let Some(span) = d.primary_span() {
        let file = sources.get(span.file);
        let (line, col) = file.line_col(span.start);
        writeln!(out, "   --> {}:{line}:{col}", clean(&file.name))?;
        let excerpt = clean(&excerpt(&file.text, span));
        writeln!(out, "    | {excerpt}")?;
        if let Some(label) = d.labels.iter().find(|l| l.primary) {
            writeln!(out, "    | ^ {}", visible(&label.message))?;
        }
    }
    for note in &d.notes {
        writeln!(out, "    = note: {}", visible(note))?;
    }
    if let Some(help) = &d.help {
        writeln!(out, "    = help: {}", visible(help))?;
    }
    Ok(())
}

/// Up to 40 characters either side of a span's start, on its line, with ellipses.
fn excerpt(text: &str, span: Span) -> String {
    let start = (span.start as usize).min(text.len());
    let line_start = text.get(..start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let line_end = text
        .get(start..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| start + i);
    let before: String = text
        .get(line_start..start)
        .unwrap_or("")
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let after: String = text.get(start..line_end).unwrap_or("").chars().take(40).collect();
    let lead = if before.len() < start - line_start {
        "…"
    } else {
        ""
    };
    let tail = if start + after.len() < line_end { "…" } else { "" };
    let shown: String = format!("{lead}{before}{after}{tail}")
        .chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect();
    shown
}

fn line_len(sources: &SourceMap, span: Span) -> usize {
    let text = &sources.get(span.file).text;
    let start = (span.start as usize).min(text.len());
    let line_start = text.get(..start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let line_end = text
        .get(start..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| start + i);
    line_end - line_start
}
