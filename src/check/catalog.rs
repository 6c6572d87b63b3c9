//! Standard catalogs and clause references.

use std::collections::HashMap;

use super::Checker;
use super::program::{CatalogItem, ClauseRef, Standard};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::syntax::ast;

impl Checker<'_> {
    /// Builds a catalog, reporting repeated clause ids.
    pub(super) fn standard(&mut self, s: &ast::Standard) -> Standard {
        let mut items: Vec<CatalogItem> = Vec::new();
        let mut superseded = Vec::new();
        let mut seen: HashMap<String, crate::source::Span> = HashMap::new();
        for entry in &s.entries {
            match entry {
                ast::CatalogEntry::Item {
                    kind,
                    id,
                    title,
                    span,
                } => {
                    if let Some(first) = seen.get(&id.value) {
                        self.error(
                            Diagnostic::new(
                                Code::C106,
                                format!("`{}` appears twice in standard `{}`", id.value, s.id.name),
                            )
                            .with_primary(id.span, "listed again here")
                            .with_secondary(*first, "first listed here")
                            .with_help("delete one of the entries"),
                        );
                        continue;
                    }
                    seen.insert(id.value.clone(), id.span);
                    items.push(CatalogItem {
                        id: id.value.clone(),
                        title: title.as_ref().map(|t| t.value.clone()),
                        kind: *kind,
                        parent: None,
                        span: *span,
                    });
                }
                ast::CatalogEntry::Superseded { old, new, .. } => {
                    superseded.push((old.value.clone(), new.iter().map(|n| n.value.clone()).collect()));
                }
            }
        }
        let index: HashMap<String, usize> = items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id.clone(), i))
            .collect();
        for item in &mut items {
            let mut id = item.id.as_str();
            while let Some((head, _)) = id.rsplit_once('.') {
                if let Some(&p) = index.get(head) {
                    item.parent = Some(p);
                    break;
                }
                id = head;
            }
        }
        Standard {
            id: s.id.name.clone(),
            title: s.title.value.clone(),
            items,
            superseded,
            span: s.id.span,
        }
    }

    /// Resolves clause references (expanding ranges), reporting unknown standards and
    /// clauses, and 2013 numbering.
    pub(super) fn clause_refs(&mut self, refs: &[ast::ClauseRef]) -> Vec<ClauseRef> {
        let mut out = Vec::new();
        for r in refs {
            let Some(standard) = self
                .program
                .standards
                .iter()
                .position(|s| s.id == r.standard.name)
            else {
                let ids: Vec<&str> = self.program.standards.iter().map(|s| s.id.as_str()).collect();
                let help =
                    diagnostic::did_you_mean(&r.standard.name, ids.iter().copied()).unwrap_or_else(|| {
                        if ids.is_empty() {
                            "declare the standard's catalog with `standard <id> \"<title>\" { clause … }`"
                                .into()
                        } else {
                            format!("declared standards: {}", quoted_list(&ids))
                        }
                    });
                self.error(
                    Diagnostic::new(Code::C104, format!("unknown standard `{}`", r.standard.name))
                        .with_primary(r.standard.span, "no standard has this id")
                        .with_help(help),
                );
                continue;
            };
            let Some(first) = self.catalog_item(standard, &r.clause) else {
                continue;
            };
            let last = match &r.until {
                Some(until) => match self.catalog_item(standard, until) {
                    Some(last) => last,
                    None => continue,
                },
                None => first,
            };
            if last < first {
                self.error(
                    Diagnostic::new(
                        Code::C105,
                        format!(
                            "range `{}..{}` runs backwards",
                            r.clause.node,
                            r.until.as_ref().map_or("", |u| u.node.as_str())
                        ),
                    )
                    .with_primary(r.span, "the end comes before the start in the catalog")
                    .with_help("write the earlier clause first"),
                );
                continue;
            }
            for item in first..=last {
                let c = ClauseRef { standard, item };
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }

    fn catalog_item(&mut self, standard: usize, clause: &ast::Spanned<String>) -> Option<usize> {
        let s = self.program.standards.get(standard)?;
        if let Some(i) = s.item(&clause.node) {
            return Some(i);
        }
        if let Some((_, new)) = s.superseded.iter().find(|(old, _)| *old == clause.node) {
            let replacement = new
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" and ");
            let first = new.first().cloned().unwrap_or_default();
            let d = Diagnostic::new(
                Code::C111,
                format!(
                    "`{}` is a control number of an earlier edition of {}; it is now {replacement}",
                    clause.node, s.title
                ),
            )
            .with_primary(clause.span, format!("superseded by {replacement}"))
            .with_help(format!("write `{}:{first}`", s.id));
            self.error(d);
            return None;
        }
        let candidates: Vec<&str> = s.items.iter().map(|i| i.id.as_str()).collect();
        let with_annex = format!("A.{}", clause.node);
        let help = if s.item(&with_annex).is_some() {
            Some(format!(
                "Annex A controls start with `A.`: did you mean `{with_annex}`?"
            ))
        } else {
            diagnostic::did_you_mean(&clause.node, candidates.iter().copied())
        };
        let d = Diagnostic::new(
            Code::C105,
            format!("`{}` is not a clause or control of {}", clause.node, s.title),
        )
        .with_primary(clause.span, format!("not in the `{}` catalog", s.id))
        .with_help_opt(help);
        self.error(d);
        None
    }
}

/// `a`, `b`, `c` with backticks, for help lines.
pub(super) fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
