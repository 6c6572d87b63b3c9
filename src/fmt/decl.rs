//! Declarations and their entries, each turned into a [`Unit`] in canonical layout.

mod dataset;
mod rule_test;

use super::layout::{Block, Body, Line, Unit};
use super::print::{Frags, Printer, width};
use crate::source::Span;
use crate::syntax::ast::*;

/// Indentation of entries inside a block.
pub(super) const INDENT: usize = 2;

/// Position of a requirement entry in the canonical order; metrics and expects share one
/// rank so that their written order, which the checker depends on, is kept.
pub fn requirement_rank(e: &RequirementEntry) -> u8 {
    match e {
        RequirementEntry::Title(_) => 0,
        RequirementEntry::Clauses(..) => 1,
        RequirementEntry::Severity(_) => 2,
        RequirementEntry::Owner(_) => 3,
        RequirementEntry::Description(_) => 4,
        RequirementEntry::AllowEmpty(_) => 5,
        RequirementEntry::Metric { .. } | RequirementEntry::Expect { .. } => 6,
    }
}

/// Position of a waiver entry in the canonical order.
pub fn waiver_rank(e: &WaiverEntry) -> u8 {
    match e {
        WaiverEntry::Requirement(_) => 0,
        WaiverEntry::Records(_) => 1,
        WaiverEntry::Reason(_) => 2,
        WaiverEntry::ApprovedBy(_) => 3,
        WaiverEntry::ApprovedOn(_) => 4,
        WaiverEntry::Expires(_) => 5,
    }
}

/// Position of an attestation entry in the canonical order.
pub fn attestation_rank(e: &AttestationEntry) -> u8 {
    match e {
        AttestationEntry::Clauses(..) => 0,
        AttestationEntry::Statement(_) => 1,
        AttestationEntry::Document(_) => 2,
        AttestationEntry::AttestedBy(_) => 3,
        AttestationEntry::AttestedOn(_) => 4,
        AttestationEntry::Expires(_) => 5,
    }
}

/// Position of a test entry in the canonical order.
pub fn test_rank(e: &TestEntry) -> u8 {
    match e {
        TestEntry::AsOf(_) => 0,
        TestEntry::Param(..) => 1,
        TestEntry::Given { .. } => 2,
        TestEntry::Expect(_) => 3,
    }
}

/// Entries in canonical order: a stable sort, so entries of one rank keep their order.
pub(super) fn ordered<T>(entries: &[T], rank: fn(&T) -> u8) -> Vec<&T> {
    let mut v: Vec<&T> = entries.iter().collect();
    v.sort_by_key(|e| rank(e));
    v
}

pub(super) fn start(span: Span) -> usize {
    span.start as usize
}

pub(super) fn end(span: Span) -> usize {
    span.end as usize
}

fn list_span(list: &[StringLit]) -> Span {
    match (list.first(), list.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => Span::default(),
    }
}

impl Printer<'_> {
    /// The whole file as one block of declarations.
    pub fn file(&self, file: &File) -> Unit {
        let items = file.declarations.iter().map(|d| self.declaration(d)).collect();
        Unit {
            start: 0,
            end: self.text.len(),
            compact: false,
            body: Body::Block(Block {
                open: Vec::new(),
                items,
                close: None,
                inner_indent: 0,
                top_level: true,
            }),
        }
    }

    fn declaration(&self, d: &Declaration) -> Unit {
        match d {
            Declaration::Standard(s) => self.standard(s),
            Declaration::Dataset(s) => self.dataset(s),
            Declaration::Param(p) => self.param(p),
            Declaration::Requirement(r) => self.requirement(r),
            Declaration::Waiver(w) => self.waiver(w),
            Declaration::Applicability(a) => self.applicability(a),
            Declaration::Attestation(a) => self.attestation(a),
            Declaration::Disable(x) => self.disable(x),
            Declaration::Test(t) => self.test(t),
        }
    }

    /// A block declaration: `header {`, the entries, `}`.
    pub(super) fn block(&self, span: Span, header: String, items: Vec<Unit>) -> Unit {
        Unit {
            start: start(span),
            end: end(span),
            compact: false,
            body: Body::Block(Block {
                open: vec![Line {
                    indent: 0,
                    text: format!("{header} {{"),
                    pos: start(span),
                }],
                items,
                close: Some(Line {
                    indent: 0,
                    text: "}".to_string(),
                    pos: end(span).saturating_sub(1),
                }),
                inner_indent: INDENT,
                top_level: false,
            }),
        }
    }

    /// An entry `keyword value`, the keyword padded to `pad` columns, the value laid out
    /// from the column after it.
    pub(super) fn entry(
        &self,
        from: usize,
        to: usize,
        keyword: &str,
        pad: usize,
        value: impl FnOnce(usize) -> Frags,
    ) -> Unit {
        let prefix = format!("{keyword:<pad$} ");
        let col = INDENT + width(&prefix);
        let first = Line {
            indent: INDENT,
            text: prefix,
            pos: from,
        };
        Unit::lines(from, to, value(col).into_lines(first))
    }

    /// An entry whose value is a string or date written as it is.
    pub(super) fn verbatim_entry(&self, span: Span, keyword: &str, pad: usize) -> Unit {
        let value = self.slice(span).to_string();
        self.entry(
            self.kw_start(start(span), keyword),
            end(span),
            keyword,
            pad,
            |_| Frags::one(value),
        )
    }

    pub(super) fn strings(&self, list: &[StringLit]) -> Vec<(String, usize)> {
        list.iter()
            .map(|s| (self.slice(s.span).to_string(), start(s.span)))
            .collect()
    }

    fn clause_refs(refs: &[ClauseRef]) -> Vec<(String, usize)> {
        refs.iter()
            .map(|r| {
                let mut text = format!("{}:{}", r.standard.name, r.clause.node);
                if let Some(until) = &r.until {
                    text.push_str("..");
                    text.push_str(&until.node);
                }
                (text, start(r.span))
            })
            .collect()
    }

    // ------------------------------------------------------------------ params, disable

    fn param(&self, p: &Param) -> Unit {
        let prefix = format!(
            "{}param {} = ",
            if p.is_override { "override " } else { "" },
            p.name.name
        );
        let col = width(&prefix);
        let first = Line {
            indent: 0,
            text: prefix,
            pos: start(p.span),
        };
        let lines = self.expr_frags(&p.value, col, true).into_lines(first);
        Unit {
            compact: true,
            ..Unit::lines(start(p.span), end(p.span), lines)
        }
    }

    fn disable(&self, d: &Disable) -> Unit {
        let line = Line {
            indent: 0,
            text: format!("disable {} {}", d.requirement.name, self.slice(d.reason.span)),
            pos: start(d.span),
        };
        Unit {
            compact: true,
            ..Unit::lines(start(d.span), end(d.span), vec![line])
        }
    }

    // ------------------------------------------------------------------ requirement

    fn requirement(&self, r: &Requirement) -> Unit {
        const PAD: usize = 8;
        let items = ordered(&r.entries, requirement_rank)
            .into_iter()
            .map(|e| match e {
                RequirementEntry::Title(s) => self.verbatim_entry(s.span, "title", PAD),
                RequirementEntry::Owner(s) => self.verbatim_entry(s.span, "owner", PAD),
                RequirementEntry::Description(s) => self.verbatim_entry(s.span, "description", PAD),
                RequirementEntry::Severity(s) => {
                    let from = self.kw_start(start(s.span), "severity");
                    self.entry(from, end(s.span), "severity", PAD, |_| {
                        Frags::one(s.node.as_str())
                    })
                }
                RequirementEntry::Clauses(refs, span) => {
                    self.entry(start(*span), end(*span), "clauses", PAD, |col| {
                        self.wrap_list(&Self::clause_refs(refs), col, 0)
                    })
                }
                RequirementEntry::AllowEmpty(span) => Unit::lines(
                    start(*span),
                    end(*span),
                    vec![Line {
                        indent: INDENT,
                        text: "allow empty".to_string(),
                        pos: start(*span),
                    }],
                ),
                RequirementEntry::Metric { name, expr, span } => {
                    self.entry(start(*span), end(*span), "metric", PAD, |col| {
                        let mut f = Frags::one(format!("{} = ", name.name));
                        let c = f.end_col(col);
                        f.append(self.expr_frags(expr, c, true));
                        f
                    })
                }
                RequirementEntry::Expect { expr, span } => {
                    self.entry(start(*span), end(*span), "expect", PAD, |col| {
                        self.expr_frags(expr, col, true)
                    })
                }
            })
            .collect();
        self.block(r.span, format!("requirement {}", r.id.name), items)
    }

    // ------------------------------------------------------------------ waiver, attestation

    fn waiver(&self, w: &Waiver) -> Unit {
        const PAD: usize = 11;
        let items = ordered(&w.entries, waiver_rank)
            .into_iter()
            .map(|e| match e {
                WaiverEntry::Requirement(id) => {
                    let from = self.kw_start(start(id.span), "requirement");
                    self.entry(from, end(id.span), "requirement", PAD, |_| {
                        Frags::one(id.name.clone())
                    })
                }
                WaiverEntry::Records(list) => {
                    let span = list_span(list);
                    let from = self.kw_start(start(span), "records");
                    self.entry(from, end(span), "records", PAD, |col| {
                        self.wrap_list(&self.strings(list), col, 0)
                    })
                }
                WaiverEntry::Reason(s) => self.verbatim_entry(s.span, "reason", PAD),
                WaiverEntry::ApprovedBy(s) => self.verbatim_entry(s.span, "approved_by", PAD),
                WaiverEntry::ApprovedOn(d) => self.verbatim_entry(d.span, "approved_on", PAD),
                WaiverEntry::Expires(d) => self.verbatim_entry(d.span, "expires", PAD),
            })
            .collect();
        self.block(w.span, format!("waiver {}", w.id.name), items)
    }

    fn attestation(&self, a: &Attestation) -> Unit {
        const PAD: usize = 11;
        let items = ordered(&a.entries, attestation_rank)
            .into_iter()
            .map(|e| match e {
                AttestationEntry::Clauses(refs, span) => {
                    self.entry(start(*span), end(*span), "clauses", PAD, |col| {
                        self.wrap_list(&Self::clause_refs(refs), col, 0)
                    })
                }
                AttestationEntry::Statement(s) => self.verbatim_entry(s.span, "statement", PAD),
                AttestationEntry::Document(s) => self.verbatim_entry(s.span, "document", PAD),
                AttestationEntry::AttestedBy(s) => self.verbatim_entry(s.span, "attested_by", PAD),
                AttestationEntry::AttestedOn(d) => self.verbatim_entry(d.span, "attested_on", PAD),
                AttestationEntry::Expires(d) => self.verbatim_entry(d.span, "expires", PAD),
            })
            .collect();
        self.block(a.span, format!("attestation {}", a.id.name), items)
    }

    fn applicability(&self, a: &Applicability) -> Unit {
        const PAD: usize = 13;
        let entries = [
            ("dataset", &a.dataset),
            ("control", &a.control),
            ("applicable", &a.applicable),
            ("justification", &a.justification),
        ];
        let items = entries
            .into_iter()
            .filter_map(|(kw, id)| {
                let id = id.as_ref()?;
                let from = self.kw_start(start(id.span), kw);
                Some(self.entry(from, end(id.span), kw, PAD, |_| Frags::one(id.name.clone())))
            })
            .collect();
        self.block(a.span, format!("applicability {}", a.standard.name), items)
    }
}
