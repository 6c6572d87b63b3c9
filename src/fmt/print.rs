//! The printer's shared state and helpers: source slices, keyword positions, and
//! [`Frags`], text that may continue over several lines.

use super::comments::Comment;
use super::layout::{Body, Line, Unit, WIDTH};
use crate::source::Span;

/// Prints the syntax tree of one file; holds the source so literals and strings can be
/// printed exactly as written.
pub struct Printer<'a> {
    /// The source text.
    pub text: &'a str,
    /// Its comments, in order.
    pub comments: &'a [Comment],
}

impl Printer<'_> {
    /// The source text of a span.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The offset after the last token before `offset`: whitespace and comments are
    /// stepped over backwards.
    pub fn skip_back(&self, offset: usize) -> usize {
        let mut i = offset.min(self.text.len());
        loop {
            i = self.text.get(..i).map_or(0, |t| t.trim_end().len());
            match self.comments.binary_search_by_key(&i, |c| c.end) {
                Ok(k) => i = self.comments.get(k).map_or(0, |c| c.start),
                Err(_) => return i,
            }
        }
    }

    /// True when a comment starts strictly between `start` and `end`.
    pub fn comment_between(&self, start: usize, end: usize) -> bool {
        let i = self.comments.partition_point(|c| c.start <= start);
        self.comments.get(i).is_some_and(|c| c.start < end)
    }

    /// True when a comment lies inside the expression (not after it): such an expression
    /// is broken at its usual break points so that its comments stay near their code.
    pub fn comment_inside(&self, e: &crate::syntax::ast::Expr) -> bool {
        self.comment_between(e.span.start as usize, self.skip_back(e.span.end as usize))
    }

    /// Where the keyword before a value starts. Several AST nodes span only their value
    /// (`title "…"` keeps the string's span); the keyword is found by walking back over
    /// whitespace and comments. Falls back to `start` when the keyword is not there.
    pub fn kw_start(&self, start: usize, kw: &str) -> usize {
        let i = self.skip_back(start);
        match self.text.get(..i) {
            Some(t) if t.ends_with(kw) => i - kw.len(),
            _ => start,
        }
    }

    /// Ends every unit below `unit` at its last token. Pest's span of a rule that ends in
    /// an optional or repeated part (`string_list`, `expr`, `clause "1" "Title"?`) also
    /// covers the whitespace and comments skipped looking for more. `syntax::lower`
    /// trims those spans; this guard keeps comment placement right should a span ever
    /// reach over a comment again (the comment would go to the wrong unit).
    pub fn tighten(&self, unit: &mut Unit) {
        if let Body::Block(block) = &mut unit.body {
            for item in &mut block.items {
                item.end = self.skip_back(item.end).max(item.start);
                self.tighten(item);
            }
        }
    }

    /// A literal as written. A parenthesised literal's span covers its parentheses (the
    /// parser keeps them for diagnostics); they are dropped here.
    pub fn literal_text(&self, span: Span, months: bool) -> String {
        let raw = self.slice(span);
        let text = if raw.starts_with('(') {
            self.unparen(span)
        } else {
            raw
        };
        if months {
            // `12   months`: the grammar allows any run of spaces; one is canonical.
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            text.to_string()
        }
    }

    fn unparen(&self, span: Span) -> &str {
        let bytes = self.text.as_bytes();
        let end = (span.end as usize).min(bytes.len());
        let mut i = span.start as usize;
        while i < end {
            match bytes.get(i) {
                Some(b' ' | b'\t' | b'\r' | b'\n' | b'(') => i += 1,
                Some(b'#') => {
                    i = self
                        .comments
                        .iter()
                        .find(|c| c.start == i)
                        .map_or(i + 1, |c| c.end)
                }
                _ => break,
            }
        }
        let stop = if bytes.get(i) == Some(&b'"') {
            let mut j = i + 1;
            while j < end {
                match bytes.get(j) {
                    Some(b'\\') => j += 2,
                    Some(b'"') => {
                        j += 1;
                        break;
                    }
                    _ => j += 1,
                }
            }
            j.min(end)
        } else {
            (i..end)
                .find(|&j| matches!(bytes.get(j), Some(b')' | b'#')))
                .unwrap_or(end)
        };
        self.text.get(i..stop).map_or("", str::trim_end)
    }

    /// Items separated by `, `, wrapped before an item that would pass the width or that
    /// follows a comment; the continuation lines start at `col`, under the first item. Each item comes with the
    /// source offset where it starts.
    /// `after` is the width of what will follow the last item on its line.
    pub fn wrap_list(&self, items: &[(String, usize)], col: usize, after: usize) -> Frags {
        let mut frags = Frags::one("");
        let n = items.len();
        for (i, (item, pos)) in items.iter().enumerate() {
            // Keep room for the comma that follows every item but the last.
            let comma = if i + 1 < n { 1 } else { after };
            let prev = i.checked_sub(1).and_then(|p| items.get(p)).map_or(0, |(_, p)| *p);
            if i == 0 {
                frags.push_str(item);
            } else if frags.end_col(col) + 2 + width(item) + comma > WIDTH || self.comment_between(prev, *pos)
            {
                frags.push_str(",");
                frags.newline(col, *pos, Frags::one(item));
            } else {
                frags.push_str(", ");
                frags.push_str(item);
            }
        }
        frags
    }
}

/// Text that may span lines: `head` continues the line it starts on, `rest` are lines of
/// their own.
#[derive(Debug)]
pub struct Frags {
    /// The part on the starting line.
    pub head: String,
    /// Further lines.
    pub rest: Vec<Line>,
    /// Per line of `rest`: true when its indent counts from the indent of the line `head`
    /// is on, which is not known while an expression is laid out (a list broken one item
    /// per line indents its items by two from there).
    relative: Vec<bool>,
}

impl Frags {
    /// One piece of text.
    pub fn one(text: impl Into<String>) -> Frags {
        Frags {
            head: text.into(),
            rest: Vec::new(),
            relative: Vec::new(),
        }
    }

    /// Starts a new line `extra` columns in from the indent of the line `head` is on.
    pub fn newline_relative(&mut self, extra: usize, pos: usize, other: Frags) {
        self.rest.push(Line {
            indent: extra,
            text: other.head,
            pos,
        });
        self.relative.push(true);
        self.take(other.rest, other.relative, extra, true);
    }

    /// Adds lines after the last one. Those of them whose indent is relative count from
    /// `base`: an absolute indent, or one relative itself when `base_relative`.
    fn take(&mut self, mut rest: Vec<Line>, mut relative: Vec<bool>, base: usize, base_relative: bool) {
        for (line, rel) in rest.iter_mut().zip(&mut relative) {
            if *rel {
                line.indent += base;
                *rel = base_relative;
            }
        }
        self.rest.extend(rest);
        self.relative.extend(relative);
    }

    /// Appends text to the last line.
    pub fn push_str(&mut self, s: &str) {
        match self.rest.last_mut() {
            Some(line) => line.text.push_str(s),
            None => self.head.push_str(s),
        }
    }

    /// Appends `other`, its head continuing the last line.
    pub fn append(&mut self, other: Frags) {
        self.push_str(&other.head);
        let (base, relative) = match (self.rest.last(), self.relative.last()) {
            (Some(line), Some(rel)) => (line.indent, *rel),
            _ => (0, true),
        };
        self.take(other.rest, other.relative, base, relative);
    }

    /// Starts a new line at `indent` with `other`.
    pub fn newline(&mut self, indent: usize, pos: usize, other: Frags) {
        self.rest.push(Line {
            indent,
            text: other.head,
            pos,
        });
        self.relative.push(false);
        self.take(other.rest, other.relative, indent, false);
    }

    /// The column after the last character, when the head starts at `col`.
    pub fn end_col(&self, col: usize) -> usize {
        match self.rest.last() {
            Some(line) => end_col(line.indent, &line.text),
            None => end_col(col, &self.head),
        }
    }

    /// The lines of a unit whose first line is `first` followed by these fragments.
    pub fn into_lines(self, mut first: Line) -> Vec<Line> {
        first.text.push_str(&self.head);
        let base = first.indent;
        let mut lines = vec![first];
        lines.extend(self.rest.into_iter().zip(self.relative).map(|(mut line, rel)| {
            if rel {
                line.indent += base;
            }
            line
        }));
        lines
    }
}

/// Width in columns (characters).
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// The column after `s` when it starts at `col` (verbatim strings may hold line breaks).
pub fn end_col(col: usize, s: &str) -> usize {
    match s.rfind('\n') {
        Some(n) => s.get(n + 1..).map_or(0, width),
        None => col + width(s),
    }
}

/// True when `s`, started at `col`, stays on one line within the width.
pub fn fits(col: usize, s: &str) -> bool {
    !s.contains('\n') && col + width(s) <= WIDTH
}
