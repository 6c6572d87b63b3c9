//! Rule tests: `as_of`, params, inline evidence (`given`) and expectations.

use super::{INDENT, end, ordered, start, test_rank};
use crate::fmt::layout::{Line, Unit, WIDTH};
use crate::fmt::print::{Frags, Printer, width};
use crate::source::Span;
use crate::syntax::ast::*;

impl Printer<'_> {
    // ------------------------------------------------------------------ test

    pub(super) fn test(&self, t: &Test) -> Unit {
        let items = ordered(&t.entries, test_rank)
            .into_iter()
            .map(|e| self.test_entry(e))
            .collect();
        let header = format!("test {} {}", t.requirement.name, self.slice(t.name.span));
        self.block(t.span, header, items)
    }

    fn test_entry(&self, e: &TestEntry) -> Unit {
        match e {
            TestEntry::AsOf(x) => {
                let from = self.kw_start(start(x.span), "as_of");
                self.entry(from, end(x.span), "as_of", 0, |_| Frags::one(self.expr(x, true)))
            }
            TestEntry::Param(name, value) => {
                let from = self.kw_start(start(name.span), "param");
                self.entry(from, end(value.span), "param", 0, |col| {
                    let mut f = Frags::one(format!("{} = ", name.name));
                    let c = f.end_col(col);
                    f.append(self.expr_frags(value, c, true));
                    f
                })
            }
            TestEntry::Given { dataset, data, span } => self.given(dataset, data, *span),
            TestEntry::Expect(x) => {
                let span = match x {
                    TestExpectation::Status(s) => s.span,
                    TestExpectation::Fails(_, span) | TestExpectation::Metric { span, .. } => *span,
                };
                let from = self.kw_start(start(span), "expect");
                self.entry(from, end(span), "expect", 0, |col| match x {
                    TestExpectation::Status(s) => Frags::one(s.node.clone()),
                    TestExpectation::Fails(list, _) => {
                        let mut f = Frags::one("fail ");
                        f.append(self.wrap_list(&self.strings(list), col + 5, 0));
                        f
                    }
                    TestExpectation::Metric { name, value, .. } => {
                        let mut f = Frags::one(format!("metric {} = ", name.name));
                        let c = f.end_col(col);
                        f.append(self.expr_frags(value, c, true));
                        f
                    }
                })
            }
        }
    }

    /// The offsets of the `{` of each record of `given d [ {…}, … ]` between `from` and
    /// `to`: braces directly inside the first `[`, outside strings and comments.
    fn row_starts(&self, from: usize, to: usize) -> Vec<usize> {
        let bytes = self.text.as_bytes();
        let mut starts = Vec::new();
        let mut depth = 0usize;
        let mut i = from;
        while i < to.min(bytes.len()) {
            match bytes.get(i) {
                Some(b'"') => {
                    i += 1;
                    while let Some(&c) = bytes.get(i) {
                        i += if c == b'\\' { 2 } else { 1 };
                        if c == b'"' {
                            break;
                        }
                    }
                    continue;
                }
                Some(b'#') => {
                    i = self
                        .comments
                        .iter()
                        .find(|c| c.start == i)
                        .map_or(i + 1, |c| c.end);
                    continue;
                }
                Some(b'{') if depth == 1 => {
                    starts.push(i);
                    depth += 1;
                }
                Some(b'[' | b'(' | b'{') => depth += 1,
                Some(b']' | b')' | b'}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        starts
    }

    /// `given d csv "…"`, or `given d [` with one record per line and `]`.
    fn given(&self, dataset: &Ident, data: &GivenData, span: Span) -> Unit {
        let from = start(span);
        let head = format!("given {}", dataset.name);
        let line = |indent: usize, text: String, pos: usize| Line { indent, text, pos };
        let lines = match data {
            GivenData::Csv(s) => vec![line(INDENT, format!("{head} csv {}", self.slice(s.span)), from)],
            GivenData::Rows(rows) if rows.is_empty() => vec![line(INDENT, format!("{head} []"), from)],
            GivenData::Rows(rows) => {
                let mut lines = vec![line(INDENT, format!("{head} ["), from)];
                let starts = self.row_starts(from, end(span));
                let mut pos = from;
                for (i, row) in rows.iter().enumerate() {
                    // A record without cells has no span of its own: its `{` is found in
                    // the source. Positions never decrease, whatever happens.
                    pos = starts
                        .get(i)
                        .copied()
                        .filter(|_| starts.len() == rows.len())
                        .or_else(|| row.first().map(|(name, _)| start(name.span)))
                        .unwrap_or(pos)
                        .max(pos);
                    let cells: Vec<(String, usize)> = row
                        .iter()
                        .map(|(name, value)| {
                            let cell = format!("{} = {}", name.name, self.expr(value, true));
                            (cell, start(name.span))
                        })
                        .collect();
                    let flat: Vec<&str> = cells.iter().map(|(c, _)| c.as_str()).collect();
                    let text = if cells.is_empty() {
                        "{},".to_string()
                    } else {
                        format!("{{ {} }},", flat.join(", "))
                    };
                    // A record that does not fit, or has a comment between its cells,
                    // wraps between cells, continuing under the first cell.
                    let last_cell = cells.last().map_or(pos, |(_, p)| *p);
                    if INDENT * 2 + width(&text) <= WIDTH && !self.comment_between(pos, last_cell) {
                        lines.push(line(INDENT * 2, text, pos));
                    } else {
                        let mut frags = Frags::one("{ ");
                        frags.append(self.wrap_list(&cells, INDENT * 2 + 2, 3));
                        frags.push_str(" },");
                        lines.extend(frags.into_lines(line(INDENT * 2, String::new(), pos)));
                    }
                }
                lines.push(line(INDENT, "]".to_string(), end(span).saturating_sub(1)));
                lines
            }
        };
        Unit::lines(from, end(span), lines)
    }
}
