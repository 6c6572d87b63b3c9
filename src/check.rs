//! Checking: resolve every name and type of the parsed rule files before anything runs.
//!
//! The result is a [`Program`] (when there is no error) and every diagnostic found: all
//! errors in one run, never only the first.

mod catalog;
mod datasets;
mod entries;
mod expr;
pub mod program;

pub use program::Program;

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{self, Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast;
use crate::value::{Type, Value};

/// Options that change what the checker reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckOptions {
    /// The evaluation date (days since the epoch), to warn about expired waivers.
    pub today: Option<i32>,
}

/// Checks parsed rule files and builds the program.
pub fn check(files: &[ast::File], options: CheckOptions) -> (Option<Program>, Vec<Diagnostic>) {
    let mut checker = Checker::default();
    for f in files {
        checker.broken.extend(f.broken.iter());
        checker.repaired.extend(f.repaired.iter().copied());
    }
    checker.collect(files);
    checker.check_requirements();
    checker.check_rest(options);
    checker.lint();
    let mut diags = std::mem::take(&mut checker.diags);
    diags.retain(|d| !checker.names_broken_declaration(d));
    diagnostic::sort(&mut diags);
    let program = (!diags.iter().any(Diagnostic::is_error)).then(|| checker.finish());
    (program, diags)
}

/// Where a declaration was first seen, for duplicate diagnostics.
type Seen = HashMap<String, Span>;

#[derive(Default)]
struct Checker<'a> {
    program: Program,
    diags: Vec<Diagnostic>,
    /// Requirement declarations by id, with their position in `program.requirements`.
    requirement_asts: Vec<&'a ast::Requirement>,
    /// Requirements declared again under a used id: checked for their own errors only.
    duplicate_requirement_asts: Vec<&'a ast::Requirement>,
    waiver_asts: Vec<&'a ast::Waiver>,
    attestation_asts: Vec<&'a ast::Attestation>,
    applicability_asts: Vec<&'a ast::Applicability>,
    test_asts: Vec<&'a ast::Test>,
    disables: Vec<&'a ast::Disable>,
    overrides: Vec<&'a ast::Param>,
    /// Which datasets, fields and params rules read.
    used_datasets: Vec<bool>,
    used_fields: Vec<Vec<bool>>,
    used_params: Vec<bool>,
    /// Declarations that did not parse (their syntax errors are reported).
    broken: Vec<&'a ast::Broken>,
    /// Expressions and literals the parser reported and replaced by a placeholder.
    repaired: Vec<Span>,
}

impl<'a> Checker<'a> {
    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// True when `span` holds a placeholder for something the parser reported.
    fn is_repaired(&self, span: Span) -> bool {
        self.repaired
            .iter()
            .any(|r| r.file == span.file && r.start >= span.start && r.end <= span.end)
    }

    /// True when a name might be used by a declaration that did not parse.
    fn used_by_broken(&self, name: &str) -> bool {
        self.broken.iter().any(|b| b.words.iter().any(|w| w == name))
    }

    /// True for an unknown-name error about a declaration that did not parse: its syntax
    /// error is the one to fix, and "unknown dataset `capa`" would be false.
    fn names_broken_declaration(&self, d: &Diagnostic) -> bool {
        let keywords: &[&str] = match d.code {
            Code::C101 => &["dataset"],
            Code::C103 => &["param", "dataset"],
            Code::C104 => &["standard"],
            Code::C107 => &["requirement"],
            Code::C112 => &["param"],
            _ => return false,
        };
        // Unknown-name messages quote the unknown name in backticks.
        let quoted: Vec<&str> = d.message.split('`').skip(1).step_by(2).collect();
        self.broken.iter().any(|b| {
            b.keyword.as_deref().is_some_and(|k| keywords.contains(&k))
                && b.name.as_deref().is_some_and(|n| quoted.contains(&n))
        })
    }

    fn duplicate(&mut self, seen: &mut Seen, what: &str, id: &ast::Ident) -> bool {
        if let Some(first) = seen.get(&id.name) {
            let first = *first;
            self.error(
                Diagnostic::new(Code::C106, format!("{what} `{}` is declared twice", id.name))
                    .with_primary(id.span, "declared again here")
                    .with_secondary(first, "first declared here")
                    .with_help(format!("rename one of them or delete the duplicate {what}")),
            );
            return true;
        }
        seen.insert(id.name.clone(), id.span);
        false
    }

    /// First pass: catalogs, datasets and params, and the ids of everything else, so that
    /// later passes can resolve references in any order across files.
    fn collect(&mut self, files: &'a [ast::File]) {
        let mut standards = Seen::new();
        let mut datasets = Seen::new();
        let mut params = Seen::new();
        let mut requirements = Seen::new();
        for decl in files.iter().flat_map(|f| &f.declarations) {
            match decl {
                ast::Declaration::Standard(s) => {
                    // A duplicate's body is checked too, into a throwaway slot, so its
                    // own errors are reported with the C106.
                    let standard = self.standard(s);
                    if !self.duplicate(&mut standards, "standard", &s.id) {
                        self.program.standards.push(standard);
                    }
                }
                ast::Declaration::Dataset(d) => {
                    let dataset = self.dataset(d);
                    if !self.duplicate(&mut datasets, "dataset", &d.id) {
                        self.program.datasets.push(dataset);
                    }
                }
                ast::Declaration::Param(p) if p.is_override => self.overrides.push(p),
                ast::Declaration::Param(p) => {
                    let param = self.param(p);
                    if !self.duplicate(&mut params, "param", &p.name) {
                        if let Some(param) = param {
                            self.program.params.push(param);
                        } else {
                            // Keep the name known so uses do not report it as unknown.
                            self.program.params.push(program::Param {
                                name: p.name.name.clone(),
                                ty: Type::Null,
                                value: Value::None,
                                span: p.name.span,
                                overridden_at: None,
                                declared_value: Value::None,
                            });
                        }
                    }
                }
                ast::Declaration::Requirement(r) => {
                    if self.duplicate(&mut requirements, "requirement", &r.id) {
                        self.duplicate_requirement_asts.push(r);
                    } else {
                        self.requirement_asts.push(r);
                    }
                }
                ast::Declaration::Waiver(w) => self.waiver_asts.push(w),
                ast::Declaration::Applicability(a) => self.applicability_asts.push(a),
                ast::Declaration::Attestation(a) => self.attestation_asts.push(a),
                ast::Declaration::Disable(d) => self.disables.push(d),
                ast::Declaration::Test(t) => self.test_asts.push(t),
            }
        }
        self.used_datasets = vec![false; self.program.datasets.len()];
        self.used_fields = self
            .program
            .datasets
            .iter()
            .map(|d| vec![false; d.fields.len()])
            .collect();
        self.used_params = vec![false; self.program.params.len()];
        self.apply_overrides();
    }

    /// A param declaration: its value must be a constant.
    fn param(&mut self, p: &ast::Param) -> Option<program::Param> {
        let (value, ty) = self.constant(&p.value, "a param's value")?;
        Some(program::Param {
            name: p.name.name.clone(),
            ty,
            declared_value: value.clone(),
            value,
            span: p.name.span,
            overridden_at: None,
        })
    }

    /// Evaluates a constant expression: a literal, a negated literal, or a list of text.
    /// A constant expression's value; `what` names what needs it (`a param's value`).
    fn constant(&mut self, e: &ast::Expr, what: &str) -> Option<(Value<'static>, Type)> {
        let result = constant_value(e);
        if result.is_none() {
            self.error(
                Diagnostic::new(Code::C213, format!("{what} must be a constant"))
                    .with_primary(e.span, "not a constant")
                    .with_help("write a literal such as `30d`, `95%`, `\"Closed\"` or `[\"A\", \"B\"]`; compute derived values in a metric"),
            );
        }
        result
    }

    fn apply_overrides(&mut self) {
        let mut seen = Seen::new();
        let overrides = std::mem::take(&mut self.overrides);
        for o in overrides {
            if self.duplicate(&mut seen, "override of param", &o.name) {
                continue;
            }
            let Some(index) = self.program.params.iter().position(|p| p.name == o.name.name) else {
                let names: Vec<&str> = self.program.params.iter().map(|p| p.name.as_str()).collect();
                let help = diagnostic::did_you_mean(&o.name.name, names.iter().copied())
                    .unwrap_or_else(|| "declare the param with `param` first, or remove the override".into());
                self.error(
                    Diagnostic::new(
                        Code::C112,
                        format!("`override param {}` overrides no param", o.name.name),
                    )
                    .with_primary(o.name.span, "no param has this name")
                    .with_help(help),
                );
                continue;
            };
            let Some((value, ty)) = self.constant(&o.value, "an override's value") else {
                continue;
            };
            let Some(param) = self.program.params.get(index) else {
                continue;
            };
            match coerce(value, ty, param.ty) {
                Some(value) => {
                    if let Some(param) = self.program.params.get_mut(index) {
                        param.value = value;
                        param.overridden_at = Some(o.span);
                    }
                }
                None => {
                    let (declared, span) = (param.ty, param.span);
                    self.error(
                        Diagnostic::new(
                            Code::C208,
                            format!(
                                "param `{}` is a {declared}, but the override gives a {ty}",
                                o.name.name
                            ),
                        )
                        .with_primary(o.value.span, format!("this is a {ty}"))
                        .with_secondary(span, format!("declared as a {declared} here"))
                        .with_help(format!("write a {declared} value, like {}", example_of(declared))),
                    );
                }
            }
        }
    }

    /// Unused datasets and params.
    fn lint(&mut self) {
        for (i, d) in self.program.datasets.iter().enumerate() {
            if !self.used_datasets.get(i).copied().unwrap_or(true) && !self.used_by_broken(&d.name) {
                self.diags.push(
                    Diagnostic::new(
                        Code::C301,
                        format!("dataset `{}` is not used by any requirement", d.name),
                    )
                    .with_primary(d.span, "declared here")
                    .with_help("write a requirement over it, or delete the declaration"),
                );
            }
        }
        for (i, p) in self.program.params.iter().enumerate() {
            if !self.used_params.get(i).copied().unwrap_or(true)
                && p.ty != Type::Null
                && !self.used_by_broken(&p.name)
            {
                self.diags.push(
                    Diagnostic::new(Code::C302, format!("param `{}` is not used", p.name))
                        .with_primary(p.span, "declared here")
                        .with_help("use it in a requirement, or delete it"),
                );
            }
        }
    }

    fn finish(mut self) -> Program {
        for (d, used) in self.program.datasets.iter_mut().zip(&self.used_fields) {
            for (f, used) in d.spec.fields.iter_mut().zip(used) {
                // A key is cited in findings, and `required` is a promise about the
                // export that holds whether or not a rule reads the field.
                f.used = *used || f.key || f.required;
            }
            if let Some(fresh) = d.freshness {
                if let Some(f) = d.spec.fields.get_mut(fresh.field) {
                    f.used = true;
                }
            }
        }
        self.program.requirements.sort_by(|a, b| a.id.cmp(&b.id));
        // Waivers, tests and applicability refer to requirements by index: re-point them
        // after sorting.
        let order: BTreeMap<String, usize> = self
            .program
            .requirements
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let remap =
            |old: usize, ids: &[String]| ids.get(old).and_then(|id| order.get(id)).copied().unwrap_or(old);
        let ids: Vec<String> = self.requirement_asts.iter().map(|r| r.id.name.clone()).collect();
        for w in &mut self.program.waivers {
            w.requirement = remap(w.requirement, &ids);
        }
        for t in &mut self.program.tests {
            t.requirement = remap(t.requirement, &ids);
        }
        self.program.waivers.sort_by(|a, b| a.id.cmp(&b.id));
        self.program.attestations.sort_by(|a, b| a.id.cmp(&b.id));
        self.program
    }

    fn mark_dataset(&mut self, dataset: usize) {
        if let Some(u) = self.used_datasets.get_mut(dataset) {
            *u = true;
        }
    }

    fn mark_field(&mut self, dataset: usize, field: usize) {
        self.mark_dataset(dataset);
        if let Some(u) = self.used_fields.get_mut(dataset).and_then(|f| f.get_mut(field)) {
            *u = true;
        }
    }

    fn mark_param(&mut self, param: usize) {
        if let Some(u) = self.used_params.get_mut(param) {
            *u = true;
        }
    }
}

/// The value of a constant expression and its type.
pub fn constant_value(e: &ast::Expr) -> Option<(Value<'static>, Type)> {
    use ast::{ExprKind, Literal, UnaryOp};
    match &e.kind {
        ExprKind::Literal(l) => Some(match l {
            Literal::Int(i) => (Value::Int(*i), Type::Int),
            Literal::Number(n) => (Value::Number(*n), Type::Number),
            Literal::Text(t) => (Value::Text(t.clone().into()), Type::Text),
            Literal::Bool(b) => (Value::Bool(*b), Type::Bool),
            Literal::None => (Value::None, Type::Null),
            Literal::Date(d) => (Value::Date(*d), Type::Date),
            Literal::DateTime(t) => (Value::DateTime(*t), Type::DateTime),
            Literal::Duration(d) => (Value::Duration(*d), Type::Duration),
            Literal::Months(m) => (Value::Months(*m), Type::Months),
            Literal::Percent(p) => (Value::Percent(*p), Type::Percent),
        }),
        ExprKind::Unary(UnaryOp::Neg, inner) => match constant_value(inner)? {
            (Value::Int(i), t) => Some((Value::Int(i.checked_neg()?), t)),
            (Value::Number(n), t) => Some((Value::Number(-n), t)),
            (Value::Percent(p), t) => Some((Value::Percent(-p), t)),
            (Value::Duration(d), t) => Some((Value::Duration(d.checked_neg()?), t)),
            (Value::Months(m), t) => Some((Value::Months(m.checked_neg()?), t)),
            _ => None,
        },
        ExprKind::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match constant_value(item)? {
                    (Value::Text(t), _) => out.push(t),
                    _ => return None,
                }
            }
            Some((Value::List(out), Type::List))
        }
        _ => None,
    }
}

/// Converts a constant to a param's declared type: ints widen to numbers, `none` fits any
/// type; anything else must match.
pub fn coerce(value: Value<'static>, from: Type, to: Type) -> Option<Value<'static>> {
    match (value, from, to) {
        (v, f, t) if f == t || t == Type::Null => Some(v),
        (Value::None, _, _) => Some(Value::None),
        (Value::Int(i), Type::Int, Type::Number) => Some(Value::Number(i as f64)),
        _ => None,
    }
}

/// An example literal of a type, for help lines.
pub fn example_of(ty: Type) -> &'static str {
    match ty {
        Type::Text => "`\"Closed\"`",
        Type::Int => "`8`",
        Type::Number => "`4.5`",
        Type::Bool => "`true`",
        Type::Date => "`2026-11-22`",
        Type::DateTime => "`2026-11-22T10:00:00Z`",
        Type::Duration => "`30d` or `24h`",
        Type::Months => "`12 months`",
        Type::Percent => "`95%`",
        Type::List => "`[\"A\", \"B\"]`",
        Type::Null => "`none`",
    }
}
