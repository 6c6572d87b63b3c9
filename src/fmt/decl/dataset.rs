//! Standards (catalogs) and datasets: the two declarations whose entries align in columns.

use super::{INDENT, end, start};
use crate::fmt::layout::{Line, Unit, WIDTH};
use crate::fmt::print::{Frags, Printer, width};
use crate::syntax::ast::*;

/// A field's options before and from its first `from`.
fn split_at_from(f: &FieldDecl) -> (&[DataOption], &[DataOption]) {
    let k = f
        .options
        .iter()
        .position(|o| matches!(o, DataOption::From(_)))
        .unwrap_or(f.options.len());
    f.options.split_at(k)
}

impl Printer<'_> {
    // ------------------------------------------------------------------ standard

    pub(super) fn standard(&self, s: &Standard) -> Unit {
        let id_width = s
            .entries
            .iter()
            .filter_map(|e| match e {
                CatalogEntry::Item {
                    id, title: Some(_), ..
                } => Some(width(self.slice(id.span))),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let old_width = s
            .entries
            .iter()
            .filter_map(|e| match e {
                CatalogEntry::Superseded { old, .. } => Some(width(self.slice(old.span))),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let items = s
            .entries
            .iter()
            .map(|e| match e {
                CatalogEntry::Item {
                    kind,
                    id,
                    title,
                    span,
                } => {
                    let keyword = match kind {
                        EntryKind::Clause => "clause",
                        EntryKind::Control => "control",
                    };
                    let id = self.slice(id.span);
                    let text = match title {
                        Some(t) => format!("{keyword:<7} {id:<id_width$} {}", self.slice(t.span)),
                        None => format!("{keyword:<7} {id}"),
                    };
                    let line = Line {
                        indent: INDENT,
                        text,
                        pos: start(*span),
                    };
                    Unit::lines(start(*span), end(*span), vec![line])
                }
                CatalogEntry::Superseded { old, new, span } => {
                    let prefix = format!("superseded {:<old_width$} by ", self.slice(old.span));
                    let col = INDENT + width(&prefix);
                    let first = Line {
                        indent: INDENT,
                        text: prefix,
                        pos: start(*span),
                    };
                    let lines = self.wrap_list(&self.strings(new), col, 0).into_lines(first);
                    Unit::lines(start(*span), end(*span), lines)
                }
            })
            .collect();
        let header = format!("standard {} {}", s.id.name, self.slice(s.title.span));
        self.block(s.span, header, items)
    }

    // ------------------------------------------------------------------ dataset

    fn option_start(&self, o: &DataOption) -> usize {
        match o {
            // These spans are the keyword itself.
            DataOption::DecimalComma(s)
            | DataOption::UnescapeFormulas(s)
            | DataOption::Key(s)
            | DataOption::Required(s) => start(*s),
            _ => self.kw_start(start(o.span()), o.keyword()),
        }
    }

    /// An option on one line (`from "A", "B"` stays whole).
    fn option_text(&self, o: &DataOption) -> String {
        match self.option_value(o) {
            Some(value) => format!("{} {value}", o.keyword()),
            None => o.keyword().to_string(),
        }
    }

    /// What follows an option's keyword; none for a bare flag such as `key`.
    fn option_value(&self, o: &DataOption) -> Option<String> {
        let list = |l: &[StringLit]| {
            let items: Vec<&str> = l.iter().map(|s| self.slice(s.span)).collect();
            items.join(", ")
        };
        Some(match o {
            DataOption::Source(s)
            | DataOption::Delimiter(s)
            | DataOption::Encoding(s)
            | DataOption::Sheet(s)
            | DataOption::Records(s)
            | DataOption::Timezone(s)
            | DataOption::Separator(s) => self.slice(s.span).to_string(),
            DataOption::Format(f) => match f.node {
                SourceFormat::Csv => "csv",
                SourceFormat::Json => "json",
                SourceFormat::JsonLines => "jsonl",
                SourceFormat::Xlsx => "xlsx",
            }
            .to_string(),
            DataOption::Null(l)
            | DataOption::TrueValues(l)
            | DataOption::FalseValues(l)
            | DataOption::From(l)
            | DataOption::Formats(l) => list(l),
            DataOption::DecimalComma(_)
            | DataOption::UnescapeFormulas(_)
            | DataOption::Key(_)
            | DataOption::Required(_) => return None,
            DataOption::YearPivot(p) => self.slice(p.span).to_string(),
            DataOption::Unit(u) => self.slice(u.span).to_string(),
            DataOption::Freshness { field, within } => {
                format!("{} within {}", field.name, self.slice(within.span))
            }
        })
    }

    /// A dataset-level option, its value in the dataset's value column; string lists wrap
    /// under their first item.
    fn dataset_option(&self, o: &DataOption, pad: usize) -> Unit {
        let from = self.option_start(o);
        let to = end(o.span());
        let kw = o.keyword();
        match (o, self.option_value(o)) {
            (DataOption::Null(l) | DataOption::TrueValues(l) | DataOption::FalseValues(l), _) => {
                self.entry(from, to, kw, pad, |col| self.wrap_list(&self.strings(l), col, 0))
            }
            (_, Some(value)) => self.entry(from, to, kw, pad, |_| Frags::one(value)),
            (_, None) => Unit::lines(
                from,
                to,
                vec![Line {
                    indent: INDENT,
                    text: kw.to_string(),
                    pos: from,
                }],
            ),
        }
    }

    pub(super) fn dataset(&self, d: &Dataset) -> Unit {
        // Option values align, as keywords do in the other blocks.
        let pad = d
            .options
            .iter()
            .filter(|o| self.option_value(o).is_some())
            .map(|o| o.keyword().len())
            .max()
            .unwrap_or(0);
        let mut items: Vec<Unit> = d.options.iter().map(|o| self.dataset_option(o, pad)).collect();
        items.extend(self.fields(&d.fields));
        let mut header = format!("dataset {}", d.id.name);
        if let Some(t) = &d.title {
            header.push(' ');
            header.push_str(self.slice(t.span));
        }
        self.block(d.span, header, items)
    }

    /// Fields with aligned columns: names, types, and the first `from` of each field.
    fn fields(&self, fields: &[FieldDecl]) -> Vec<Unit> {
        let name_width = fields.iter().map(|f| width(&f.name.name)).max().unwrap_or(0);
        let type_width = fields
            .iter()
            .filter(|f| !f.options.is_empty())
            .map(|f| width(&f.ty.name))
            .max()
            .unwrap_or(0);
        let lead = |f: &FieldDecl| -> String {
            let head = format!("field {:<name_width$} : {:<type_width$}", f.name.name, f.ty.name);
            let (pre, _) = split_at_from(f);
            let pre: Vec<String> = pre.iter().map(|o| self.option_text(o)).collect();
            if pre.is_empty() {
                head
            } else {
                format!("{head} {}", pre.join(" "))
            }
        };
        // The column of `from`: one past the longest lead of a field that has one.
        let from_col = fields
            .iter()
            .filter(|f| !split_at_from(f).1.is_empty())
            .map(|f| INDENT + width(&lead(f)) + 1)
            .max()
            .unwrap_or(0);
        fields
            .iter()
            .map(|f| {
                let from = start(f.span);
                let line = Line {
                    indent: INDENT,
                    text: String::new(),
                    pos: from,
                };
                if f.options.is_empty() {
                    let text = format!("field {:<name_width$} : {}", f.name.name, f.ty.name);
                    return Unit::lines(from, end(f.span), vec![Line { text, ..line }]);
                }
                let (pre, post) = split_at_from(f);
                let (mut frags, rest, cont) = if post.is_empty() {
                    // No `from`: options follow the type; continuation lines start under
                    // the first option.
                    let head = format!("field {:<name_width$} : {:<type_width$}", f.name.name, f.ty.name);
                    let frags = Frags::one(head);
                    let cont = frags.end_col(INDENT) + 1;
                    (frags, pre, cont)
                } else {
                    let mut frags = Frags::one(lead(f));
                    let col = frags.end_col(INDENT);
                    frags.push_str(&" ".repeat(from_col.saturating_sub(col).max(1)));
                    (frags, post, from_col)
                };
                let mut prev_end = 0;
                for (i, o) in rest.iter().enumerate() {
                    let text = self.option_text(o);
                    let from = self.option_start(o);
                    // A comment between two options keeps the next on a line of its own.
                    let commented = self.comment_between(prev_end, from);
                    prev_end = end(o.span());
                    if i == 0 {
                        frags.push_str(if post.is_empty() { " " } else { "" });
                        frags.push_str(&text);
                    } else if frags.end_col(INDENT) + 1 + width(&text) > WIDTH || commented {
                        frags.newline(cont, from, Frags::one(text));
                    } else {
                        frags.push_str(" ");
                        frags.push_str(&text);
                    }
                }
                Unit::lines(from, end(f.span), frags.into_lines(line))
            })
            .collect()
    }
}
