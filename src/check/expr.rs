//! Names and types of expressions.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::Checker;
use super::program::{Func, QSource, TExpr, TKind, TQuant};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{self, BinaryOp, ExprKind, Literal, QuantKind, UnaryOp};
use crate::value::{Type, Value};

/// Largest compiled size of a `matches` pattern. The regex crate never backtracks, so
/// time is linear; this bounds memory.
const MAX_REGEX_BYTES: usize = 1 << 20;

/// A variable bound by an enclosing quantifier.
#[derive(Clone, Debug)]
pub(super) struct Binding {
    pub name: String,
    pub span: Span,
    pub kind: BindingKind,
}

/// What a quantifier variable stands for.
#[derive(Clone, Copy, Debug)]
pub(super) enum BindingKind {
    /// A record of a dataset.
    Record(usize),
    /// An element of a list.
    Element(Type),
    /// The source had an error: uses of the variable are not checked further.
    Unknown,
}

/// A metric visible to later entries of a requirement.
#[derive(Clone, Debug)]
pub(super) struct MetricInfo {
    pub name: String,
    pub ty: Type,
    pub grouped: bool,
    pub span: Span,
}

/// What an expression may refer to, and what it used.
pub(super) struct ExprEnv<'m> {
    /// Metrics defined so far in the requirement.
    pub metrics: &'m [MetricInfo],
    /// Metrics defined later (a use is a forward reference).
    pub later_metrics: &'m [(String, Span)],
    /// Grouped metrics referenced.
    pub grouped_used: BTreeSet<usize>,
    /// Datasets referenced.
    pub datasets_used: BTreeSet<usize>,
}

impl<'m> ExprEnv<'m> {
    pub fn new(metrics: &'m [MetricInfo], later_metrics: &'m [(String, Span)]) -> ExprEnv<'m> {
        ExprEnv {
            metrics,
            later_metrics,
            grouped_used: BTreeSet::new(),
            datasets_used: BTreeSet::new(),
        }
    }
}

fn texpr(kind: TKind, ty: Type, span: Span) -> TExpr {
    TExpr { kind, ty, span }
}

/// The placeholder for an expression that had an error: type `none` fits anywhere, so one
/// mistake is reported once, not again by every expression around it.
fn poisoned(span: Span) -> TExpr {
    texpr(TKind::Const(Value::None), Type::Null, span)
}

impl Checker<'_> {
    /// Types an expression. `group_ok` is true only for the root of a metric.
    pub(super) fn expr(
        &mut self,
        e: &ast::Expr,
        scope: &mut Vec<Binding>,
        env: &mut ExprEnv<'_>,
        group_ok: bool,
    ) -> TExpr {
        let span = e.span;
        match &e.kind {
            ExprKind::Literal(l) => literal(l, span),
            ExprKind::AsOf => texpr(TKind::AsOf, Type::DateTime, span),
            ExprKind::Name(id) => self.name(id, scope, env),
            ExprKind::Field(base, field) => self.field_access(base, field, scope, env),
            ExprKind::Call(name, args) => self.call(name, args, span, scope, env),
            ExprKind::List(items) => {
                let items: Vec<TExpr> = items.iter().map(|i| self.expr(i, scope, env, false)).collect();
                for item in &items {
                    if !matches!(item.ty, Type::Text | Type::Null) {
                        self.error(
                            Diagnostic::new(
                                Code::C201,
                                format!("lists hold text, but this item is {:#}", item.ty),
                            )
                            .with_primary(item.span, format!("{:#}", item.ty))
                            .with_help("write the items as strings, like `[\"1 - Critical\", \"2 - High\"]`"),
                        );
                    }
                }
                texpr(TKind::List(items), Type::List, span)
            }
            ExprKind::Unary(op, inner) => {
                let inner = self.expr(inner, scope, env, false);
                let ty = match (op, inner.ty) {
                    (_, Type::Null) => Type::Null,
                    (UnaryOp::Not, Type::Bool) => Type::Bool,
                    (
                        UnaryOp::Neg,
                        t @ (Type::Int | Type::Number | Type::Duration | Type::Percent | Type::Months),
                    ) => t,
                    (UnaryOp::Not, t) => {
                        self.not_condition(&inner, t, "`not` needs a condition");
                        return poisoned(span);
                    }
                    (UnaryOp::Neg, t) => {
                        self.error(
                            Diagnostic::new(Code::C201, format!("cannot negate {t:#}"))
                                .with_primary(inner.span, format!("{t:#}"))
                                .with_help(
                                    "only numbers, durations, percents and calendar spans have a sign",
                                ),
                        );
                        return poisoned(span);
                    }
                };
                texpr(TKind::Unary(*op, Box::new(inner)), ty, span)
            }
            ExprKind::Binary(op, l, r) => {
                let is_none = |e: &ast::Expr| matches!(e.kind, ExprKind::Literal(Literal::None));
                if matches!(op, BinaryOp::Eq | BinaryOp::Ne) && (is_none(l) || is_none(r)) {
                    let test = if *op == BinaryOp::Eq {
                        "is none"
                    } else {
                        "is not none"
                    };
                    self.diags.push(
                        Diagnostic::new(Code::C305, format!("`{}` with `none` is never true", op.as_str()))
                            .with_primary(span, "compares with none")
                            .with_help(format!(
                                "a comparison with an empty value is unknown; write `… {test}`"
                            )),
                    );
                }
                let l = self.expr(l, scope, env, false);
                let r = self.expr(r, scope, env, false);
                self.binary(*op, l, r, span)
            }
            ExprKind::IsNone { expr, negated } => {
                let inner = self.expr(expr, scope, env, false);
                texpr(TKind::IsNone(Box::new(inner), *negated), Type::Bool, span)
            }
            ExprKind::Quantifier(q) => self.quantifier(q, span, scope, env, group_ok),
        }
    }

    /// Types a condition: the expression must be a bool.
    pub(super) fn condition(
        &mut self,
        e: &ast::Expr,
        scope: &mut Vec<Binding>,
        env: &mut ExprEnv<'_>,
        what: &str,
    ) -> TExpr {
        let t = self.expr(e, scope, env, false);
        if !matches!(t.ty, Type::Bool | Type::Null) {
            self.not_condition(&t, t.ty, what);
            return poisoned(t.span);
        }
        t
    }

    fn not_condition(&mut self, e: &TExpr, ty: Type, what: &str) {
        // A chained comparison was reported and repaired inside it: its type says nothing.
        if self.is_repaired(e.span) {
            return;
        }
        let help = match ty {
            Type::Int | Type::Number => "compare the number with a target, like `… == 0` or `… <= 8`",
            Type::Percent => "compare the share with a target, like `… >= 95%`",
            Type::Duration => "compare the duration with a limit, like `… <= 24h`",
            _ => "write a comparison or a test such as `is none`",
        };
        self.error(
            Diagnostic::new(Code::C204, format!("{what}, but this is {ty:#}"))
                .with_primary(e.span, format!("{ty:#}, not true or false"))
                .with_help(help),
        );
    }

    fn name(&mut self, id: &ast::Ident, scope: &[Binding], env: &mut ExprEnv<'_>) -> TExpr {
        let span = id.span;
        if let Some((slot, b)) = scope.iter().enumerate().rev().find(|(_, b)| b.name == id.name) {
            return match b.kind {
                BindingKind::Element(ty) => texpr(TKind::Var(slot), ty, span),
                BindingKind::Unknown => poisoned(span),
                BindingKind::Record(d) => {
                    let dataset = self.program.datasets.get(d).map_or("", |d| d.name.as_str());
                    let key = self
                        .program
                        .datasets
                        .get(d)
                        .and_then(|ds| ds.key.first().and_then(|k| ds.fields.get(*k)))
                        .map_or("field".to_string(), |f| f.name.clone());
                    self.error(
                        Diagnostic::new(
                            Code::C210,
                            format!("`{}` is a record of `{dataset}`, not a value", id.name),
                        )
                        .with_primary(span, "a whole record")
                        .with_secondary(b.span, "bound here")
                        .with_help(format!("compare one of its fields, like `{}.{key}`", id.name)),
                    );
                    poisoned(span)
                }
            };
        }
        if let Some((i, m)) = env.metrics.iter().enumerate().find(|(_, m)| m.name == id.name) {
            if m.grouped {
                if !scope.is_empty() {
                    self.error(
                        Diagnostic::new(
                            Code::C207,
                            format!(
                                "metric `{}` has one value per group and cannot be used inside a quantifier",
                                id.name
                            ),
                        )
                        .with_primary(span, "grouped metric")
                        .with_secondary(m.span, "grouped here")
                        .with_help("use it in an `expect`, which then must hold for every group"),
                    );
                    return poisoned(span);
                }
                env.grouped_used.insert(i);
            }
            return texpr(TKind::Metric(i), m.ty, span);
        }
        if let Some((i, p)) = self
            .program
            .params
            .iter()
            .enumerate()
            .find(|(_, p)| p.name == id.name)
        {
            let ty = p.ty;
            self.mark_param(i);
            return texpr(TKind::Param(i), ty, span);
        }
        if let Some((_, later)) = env.later_metrics.iter().find(|(n, _)| *n == id.name) {
            self.error(
                Diagnostic::new(
                    Code::C109,
                    format!("metric `{}` is used before it is defined", id.name),
                )
                .with_primary(span, "used here")
                .with_secondary(*later, "defined later here")
                .with_help("move the metric's definition above this line"),
            );
            return poisoned(span);
        }
        if self.program.datasets.iter().any(|d| d.name == id.name) {
            self.error(
                Diagnostic::new(Code::C210, format!("dataset `{}` is not a value", id.name))
                    .with_primary(span, "a whole dataset")
                    .with_help(format!(
                        "quantify over it, like `count x in {0}` or `all x in {0}: …`",
                        id.name
                    )),
            );
            return poisoned(span);
        }
        let mut candidates: Vec<&str> = scope.iter().map(|b| b.name.as_str()).collect();
        candidates.extend(env.metrics.iter().map(|m| m.name.as_str()));
        candidates.extend(self.program.params.iter().map(|p| p.name.as_str()));
        let help = diagnostic::did_you_mean(&id.name, candidates).unwrap_or_else(|| {
            "declare it with `param`, define it with `metric`, or bind it in a quantifier".into()
        });
        self.error(
            Diagnostic::new(Code::C103, format!("unknown name `{}`", id.name))
                .with_primary(span, "not a variable, metric or param")
                .with_help(help),
        );
        poisoned(span)
    }

    fn field_access(
        &mut self,
        base: &ast::Expr,
        field: &ast::Ident,
        scope: &mut Vec<Binding>,
        env: &mut ExprEnv<'_>,
    ) -> TExpr {
        let span = base.span.to(field.span);
        if let ExprKind::Name(id) = &base.kind {
            if let Some((slot, b)) = scope.iter().enumerate().rev().find(|(_, b)| b.name == id.name) {
                if matches!(b.kind, BindingKind::Unknown) {
                    return poisoned(span);
                }
                let BindingKind::Record(d) = b.kind else {
                    self.error(
                        Diagnostic::new(
                            Code::C212,
                            format!("`{}` is a list element, which has no fields", id.name),
                        )
                        .with_primary(span, "no field here")
                        .with_secondary(b.span, "bound to a list element here")
                        .with_help(format!("use `{}` itself", id.name)),
                    );
                    return poisoned(span);
                };
                let Some(dataset) = self.program.datasets.get(d) else {
                    return poisoned(span);
                };
                let Some(f) = dataset.field(&field.name) else {
                    let names: Vec<&str> = dataset.fields.iter().map(|f| f.name.as_str()).collect();
                    let help =
                        diagnostic::did_you_mean(&field.name, names.iter().copied()).unwrap_or_else(|| {
                            format!(
                                "fields of `{}`: {}",
                                dataset.name,
                                super::catalog::quoted_list(&names)
                            )
                        });
                    self.error(
                        Diagnostic::new(
                            Code::C102,
                            format!("dataset `{}` has no field `{}`", dataset.name, field.name),
                        )
                        .with_primary(field.span, "not a field of this dataset")
                        .with_secondary(dataset.span, "dataset declared here")
                        .with_help(help),
                    );
                    return poisoned(span);
                };
                let ty = dataset.fields.get(f).map_or(Type::Null, |f| f.ty);
                self.mark_field(d, f);
                env.datasets_used.insert(d);
                return texpr(
                    TKind::Field {
                        slot,
                        dataset: d,
                        field: f,
                    },
                    ty,
                    span,
                );
            }
        }
        let inner = self.expr(base, scope, env, false);
        if inner.ty != Type::Null {
            self.error(
                Diagnostic::new(Code::C212, format!("{:#} has no field `{}`", inner.ty, field.name))
                    .with_primary(span, "not a record")
                    .with_help("fields belong to quantifier variables over datasets, like `c.status` in `all c in capa: …`"),
            );
        }
        poisoned(span)
    }

    fn call(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
        scope: &mut Vec<Binding>,
        env: &mut ExprEnv<'_>,
    ) -> TExpr {
        let args: Vec<TExpr> = args.iter().map(|a| self.expr(a, scope, env, false)).collect();
        let Some(func) = Func::ALL.iter().find(|(n, _)| *n == name.name).map(|(_, f)| *f) else {
            let help = diagnostic::did_you_mean(&name.name, Func::ALL.iter().map(|(n, _)| *n))
                .unwrap_or_else(|| {
                    format!(
                        "functions: {}",
                        Func::ALL
                            .iter()
                            .map(|(n, _)| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            self.error(
                Diagnostic::new(Code::C110, format!("unknown function `{}`", name.name))
                    .with_primary(name.span, "no such function")
                    .with_help(help),
            );
            return poisoned(span);
        };
        let types: Vec<Type> = args.iter().map(|a| a.ty).collect();
        match func_type(func, &types) {
            Some(ty) => texpr(TKind::Call(func, args), ty, span),
            None => {
                let given = if types.is_empty() {
                    "no argument".to_string()
                } else {
                    format!(
                        "({})",
                        types.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
                    )
                };
                // The parameter list of the signature, `(duration)` of `days(duration) -> number`.
                let signature = func.signature();
                let takes = signature
                    .find('(')
                    .zip(signature.find(')'))
                    .and_then(|(open, close)| signature.get(open..=close))
                    .unwrap_or(signature);
                self.error(
                    Diagnostic::new(
                        Code::C205,
                        format!("`{}` takes {takes} but was given {given}", func.name()),
                    )
                    .with_primary(span, "wrong arguments")
                    .with_help(format!("the signature is `{}`", func.signature())),
                );
                poisoned(span)
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, l: TExpr, r: TExpr, span: Span) -> TExpr {
        use BinaryOp as B;
        let (lt, rt) = (l.ty, r.ty);
        let ty = match op {
            B::And | B::Or => {
                for side in [&l, &r] {
                    if !matches!(side.ty, Type::Bool | Type::Null) {
                        self.not_condition(side, side.ty, &format!("`{}` joins conditions", op.as_str()));
                        return poisoned(span);
                    }
                }
                Type::Bool
            }
            B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge => {
                if let Err(help) = comparable(lt, rt, op.is_ordering()) {
                    self.error(
                        Diagnostic::new(Code::C202, format!("cannot compare {lt:#} with {rt:#}"))
                            .with_primary(r.span, format!("{rt:#}"))
                            .with_secondary(l.span, format!("{lt:#}"))
                            .with_help(help),
                    );
                    return poisoned(span);
                }
                Type::Bool
            }
            B::In | B::NotIn => {
                if !matches!(rt, Type::List | Type::Null) {
                    self.error(
                        Diagnostic::new(
                            Code::C211,
                            format!("`{}` needs a list on its right, not {rt:#}", op.as_str()),
                        )
                        .with_primary(r.span, format!("{rt:#}"))
                        .with_help("write a list, like `[\"Resolved\", \"Closed\"]`, or compare with `==`"),
                    );
                    return poisoned(span);
                }
                if !matches!(lt, Type::Text | Type::Null) {
                    self.error(
                        Diagnostic::new(Code::C202, format!("lists hold text; {lt:#} is never in one"))
                            .with_primary(l.span, format!("{lt:#}"))
                            .with_help("compare it with `==`, `<` or `>` instead"),
                    );
                    return poisoned(span);
                }
                Type::Bool
            }
            B::Contains => {
                if !matches!(
                    (lt, rt),
                    (Type::Text | Type::List | Type::Null, Type::Text | Type::Null)
                ) {
                    self.error(
                        Diagnostic::new(
                            Code::C201,
                            format!("`contains` looks for text in text or in a list, not {rt:#} in {lt:#}"),
                        )
                        .with_primary(span, "wrong operand types")
                        .with_help(
                            "write `c.summary contains \"audit\"` or `c.labels contains \"ISO27001\"`",
                        ),
                    );
                    return poisoned(span);
                }
                Type::Bool
            }
            B::Matches => return self.matches(l, r, span),
            B::Add | B::Sub | B::Mul | B::Div => match arithmetic(op, lt, rt) {
                Some(t) => t,
                None => {
                    self.error(
                        Diagnostic::new(Code::C201, format!("cannot {} {lt:#} and {rt:#}", verb(op)))
                            .with_primary(r.span, format!("{rt:#}"))
                            .with_secondary(l.span, format!("{lt:#}"))
                            .with_help(arithmetic_help(op, lt, rt)),
                    );
                    return poisoned(span);
                }
            },
        };
        texpr(TKind::Binary(op, Box::new(l), Box::new(r)), ty, span)
    }

    fn matches(&mut self, l: TExpr, r: TExpr, span: Span) -> TExpr {
        if !matches!(l.ty, Type::Text | Type::Null) {
            self.error(
                Diagnostic::new(Code::C201, format!("`matches` tests text, not {:#}", l.ty))
                    .with_primary(l.span, format!("{:#}", l.ty))
                    .with_help("match a text field, like `c.summary matches \"(?i)audit\"`"),
            );
            return poisoned(span);
        }
        let TKind::Const(Value::Text(pattern)) = &r.kind else {
            self.error(
                Diagnostic::new(Code::C206, "the pattern of `matches` must be a string literal")
                    .with_primary(r.span, "not a literal")
                    .with_help(
                        "write the regular expression in quotes; patterns are compiled before evaluation",
                    ),
            );
            return poisoned(span);
        };
        match regex::RegexBuilder::new(pattern)
            .size_limit(MAX_REGEX_BYTES)
            .build()
        {
            Ok(re) => texpr(TKind::Matches(Box::new(l), Arc::new(re)), Type::Bool, span),
            Err(e) => {
                let detail = e.to_string();
                let last = detail
                    .lines()
                    .rfind(|l| !l.trim().is_empty())
                    .unwrap_or("invalid")
                    .trim()
                    .to_string();
                self.error(
                    Diagnostic::new(
                        Code::C206,
                        format!(
                            "invalid regular expression: {}",
                            last.trim_start_matches("error: ")
                        ),
                    )
                    .with_primary(r.span, "this pattern")
                    .with_help(
                        "the syntax is that of Rust's `regex` crate; escape special characters with `\\\\`",
                    ),
                );
                poisoned(span)
            }
        }
    }

    fn quantifier(
        &mut self,
        q: &ast::Quantifier,
        span: Span,
        scope: &mut Vec<Binding>,
        env: &mut ExprEnv<'_>,
        group_ok: bool,
    ) -> TExpr {
        // What it ranges over.
        let source = match &q.source.kind {
            ExprKind::Name(id)
                if !scope.iter().any(|b| b.name == id.name)
                    && !self.program.params.iter().any(|p| p.name == id.name)
                    && !env.metrics.iter().any(|m| m.name == id.name) =>
            {
                match self.program.datasets.iter().position(|d| d.name == id.name) {
                    Some(d) => {
                        self.mark_dataset(d);
                        env.datasets_used.insert(d);
                        Some((QSource::Dataset(d), BindingKind::Record(d)))
                    }
                    None => {
                        let names: Vec<&str> =
                            self.program.datasets.iter().map(|d| d.name.as_str()).collect();
                        let help = diagnostic::did_you_mean(&id.name, names.iter().copied())
                            .unwrap_or_else(|| "declare it with `dataset` or quantify over a list".into());
                        self.error(
                            Diagnostic::new(Code::C101, format!("unknown dataset `{}`", id.name))
                                .with_primary(id.span, "no dataset has this name")
                                .with_help(help),
                        );
                        None
                    }
                }
            }
            _ => {
                let list = self.expr(&q.source, scope, env, false);
                match list.ty {
                    Type::List => Some((QSource::List(list), BindingKind::Element(Type::Text))),
                    Type::Null => None,
                    other => {
                        self.error(
                            Diagnostic::new(Code::C211, format!("`{}` ranges over a dataset or a list, not {other:#}", q.kind.name()))
                                .with_primary(q.source.span, format!("{other:#}"))
                                .with_help("write a dataset name, a list field, or a list like `[\"ISO 9001\", \"ISO 27001\"]`"),
                        );
                        None
                    }
                }
            }
        };
        let (source, kind) = match source {
            Some(s) => s,
            // Bind the variable anyway (as unknown) so the body is still checked.
            None => (QSource::List(poisoned(q.source.span)), BindingKind::Unknown),
        };

        if let Some(outer) = scope.iter().find(|b| b.name == q.var.name) {
            let outer_span = outer.span;
            self.error(
                Diagnostic::new(
                    Code::C108,
                    format!("`{}` is already bound by an enclosing quantifier", q.var.name),
                )
                .with_primary(q.var.span, "shadows the outer variable")
                .with_secondary(outer_span, "first bound here")
                .with_help("give the inner variable another name"),
            );
        }
        let slot = scope.len();
        scope.push(Binding {
            name: q.var.name.clone(),
            span: q.var.span,
            kind,
        });
        let filter = q
            .filter
            .as_ref()
            .map(|f| self.condition(f, scope, env, "`where` needs a condition"));
        let group = q.group.as_ref().map(|g| {
            let key = self.expr(g, scope, env, false);
            if !group_ok {
                self.error(
                    Diagnostic::new(
                        Code::C207,
                        "grouping with `by` is only allowed in a metric's outermost quantifier",
                    )
                    .with_primary(g.span, "grouped here")
                    .with_help("define the grouped value as its own `metric`, then `expect` on it"),
                );
            } else if key.ty == Type::List {
                self.error(
                    Diagnostic::new(Code::C207, "a group key must be a single value, not a list")
                        .with_primary(key.span, "a list")
                        .with_help("group by a text, date or number field, or by `month(…)`"),
                );
            }
            key
        });
        let body = q.body.as_ref().map(|b| {
            if q.kind.is_logical() || matches!(q.kind, QuantKind::Count | QuantKind::Share) {
                let what = format!("the body of `{}` must be a condition", q.kind.name());
                self.condition(b, scope, env, &what)
            } else {
                self.expr(b, scope, env, false)
            }
        });
        scope.pop();

        let ty = self.quantifier_type(q, body.as_ref(), span);
        texpr(
            TKind::Quant(Box::new(TQuant {
                kind: q.kind,
                var: q.var.name.clone(),
                slot,
                source,
                filter,
                group,
                body,
            })),
            ty,
            span,
        )
    }

    fn quantifier_type(&mut self, q: &ast::Quantifier, body: Option<&TExpr>, span: Span) -> Type {
        let name = q.kind.name();
        match q.kind {
            QuantKind::All | QuantKind::Any | QuantKind::No => Type::Bool,
            QuantKind::Count => Type::Int,
            QuantKind::Share => {
                if body.is_none() {
                    self.error(
                        Diagnostic::new(Code::C204, "`share` needs a condition after `:`")
                            .with_primary(span, "no condition")
                            .with_help("write `share t in training where t.mandatory: t.completed is not none`: the `where` picks the population, the condition after `:` the compliant part"),
                    );
                }
                Type::Percent
            }
            _ => {
                let Some(body) = body else {
                    self.error(
                        Diagnostic::new(Code::C204, format!("`{name}` needs a value after `:`"))
                            .with_primary(span, "no value to aggregate")
                            .with_help(format!("write `{name} c in capa: days(c.resolved - c.created)`")),
                    );
                    return Type::Null;
                };
                match aggregate_type(q.kind, body.ty) {
                    Some(t) => t,
                    None => {
                        self.error(
                            Diagnostic::new(
                                Code::C203,
                                format!("cannot take the {} of {:#}", aggregate_noun(q.kind), body.ty),
                            )
                            .with_primary(body.span, format!("{:#}", body.ty))
                            .with_help(match q.kind {
                                QuantKind::Min | QuantKind::Max => {
                                    "aggregate numbers, durations, percents, dates or date-times".to_string()
                                }
                                _ => "aggregate numbers, durations or percents; `count` counts records"
                                    .to_string(),
                            }),
                        );
                        Type::Null
                    }
                }
            }
        }
    }
}

fn literal(l: &Literal, span: Span) -> TExpr {
    let (value, ty) = match l {
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
    };
    texpr(TKind::Const(value), ty, span)
}

/// The result type of an aggregate over values of a type, if it can aggregate them.
pub fn aggregate_type(kind: QuantKind, ty: Type) -> Option<Type> {
    use Type::*;
    match (kind, ty) {
        (_, Null) => Some(Null),
        (QuantKind::Min | QuantKind::Max, t @ (Int | Number | Duration | Percent | Date | DateTime)) => {
            Some(t)
        }
        (QuantKind::Sum, t @ (Int | Number | Duration | Percent)) => Some(t),
        (QuantKind::Avg | QuantKind::Median | QuantKind::Percentile(_), Int | Number) => Some(Number),
        (QuantKind::Avg | QuantKind::Median | QuantKind::Percentile(_), t @ (Duration | Percent)) => Some(t),
        _ => None,
    }
}

fn aggregate_noun(kind: QuantKind) -> String {
    match kind {
        QuantKind::Min => "minimum".into(),
        QuantKind::Max => "maximum".into(),
        QuantKind::Sum => "sum".into(),
        QuantKind::Avg => "average".into(),
        QuantKind::Median => "median".into(),
        QuantKind::Percentile(p) => format!("{p}th percentile"),
        other => other.name(),
    }
}

/// The result type of arithmetic, if the operator combines the types.
pub fn arithmetic(op: BinaryOp, l: Type, r: Type) -> Option<Type> {
    use BinaryOp::*;
    use Type::*;
    Some(match (op, l, r) {
        (_, Null, _) | (_, _, Null) => Null,
        (Add | Sub | Mul, Int, Int) => Int,
        (Add | Sub | Mul | Div, a, b) if a.is_numeric() && b.is_numeric() => Number,
        (Add | Sub, Percent, Percent) => Percent,
        (Mul, Percent, n) | (Mul, n, Percent) | (Div, Percent, n) if n.is_numeric() => Percent,
        (Add | Sub, Duration, Duration) => Duration,
        (Mul, Duration, n) | (Mul, n, Duration) | (Div, Duration, n) if n.is_numeric() => Duration,
        (Div, Duration, Duration) => Number,
        (Sub, Date | DateTime, Date | DateTime) => Duration,
        (Add | Sub, Date | DateTime, Duration) | (Add, Duration, Date | DateTime) => DateTime,
        (Add | Sub, t @ (Date | DateTime), Months) | (Add, Months, t @ (Date | DateTime)) => t,
        (Add | Sub, Months, Months) => Months,
        (Add, Text, Text) => Text,
        _ => return None,
    })
}

fn verb(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "add",
        BinaryOp::Sub => "subtract",
        BinaryOp::Mul => "multiply",
        _ => "divide",
    }
}

fn arithmetic_help(op: BinaryOp, l: Type, r: Type) -> String {
    use Type::*;
    match (l, r) {
        (Text, _) | (_, Text) => {
            "text cannot be computed with; compare it with `==`, `contains` or `matches`".into()
        }
        (Date | DateTime, n) | (n, Date | DateTime) if n.is_numeric() => {
            "add or subtract a duration or a calendar span, like `+ 14d` or `- 12 months`".into()
        }
        (Duration, n) | (n, Duration) if n.is_numeric() => {
            "give the number a unit, like `30d` or `24h`, or convert the duration with `days(…)`".into()
        }
        (Percent, n) | (n, Percent) if n.is_numeric() && matches!(op, BinaryOp::Add | BinaryOp::Sub) => {
            "write the number as a percent, like `5%`".into()
        }
        (Date | DateTime, Date | DateTime) => "dates can be subtracted (giving a duration), not added".into(),
        (Months, Duration) | (Duration, Months) => {
            "a calendar span has no fixed length; add it to a date instead, like `as_of - 12 months`".into()
        }
        _ => format!("`{}` does not combine {l:#} and {r:#}", op.as_str()),
    }
}

/// Whether two types can be compared; the help line when not.
pub fn comparable(l: Type, r: Type, ordering: bool) -> Result<(), String> {
    use Type::*;
    let ok = match (l, r) {
        (Null, _) | (_, Null) => true,
        (a, b) if a.is_numeric() && b.is_numeric() => true,
        (Date | DateTime, Date | DateTime) => true,
        (Bool, Bool) | (List, List) => !ordering,
        (a, b) => a == b,
    };
    if ok {
        return Ok(());
    }
    Err(match (l, r) {
        (Duration, n) | (n, Duration) if n.is_numeric() => {
            "give the number a unit, like `30d` or `24h`, or compare `days(…)` with a number".into()
        }
        (Percent, n) | (n, Percent) if n.is_numeric() => {
            "a percent compares with a percent: write the target as `95%`, or compare a `count` with a number".into()
        }
        (Months, _) | (_, Months) => {
            "a calendar span has no fixed length; compare dates instead, like `r.reviewed >= as_of - 12 months`".into()
        }
        (Date | DateTime, Duration) | (Duration, Date | DateTime) => {
            "subtract two dates to get a duration, like `c.resolved - c.created <= 30d`".into()
        }
        (Bool, Bool) | (List, List) => format!("{l:#} has no order; compare with `==` or `!=`"),
        (Text, n) | (n, Text) if n.is_numeric() => {
            "declare the field as `int` or `number` in its dataset, or compare with a string".into()
        }
        _ => format!("both sides of a comparison must have the same type; here they are {l} and {r}"),
    })
}

/// The result type of a function applied to argument types.
pub fn func_type(func: Func, args: &[Type]) -> Option<Type> {
    use Type::*;
    let fits = |t: Type, allowed: &[Type]| t == Null || allowed.contains(&t);
    Some(match (func, args) {
        (Func::Days | Func::Hours | Func::Minutes, [d]) if fits(*d, &[Duration]) => Number,
        (Func::Lower | Func::Upper | Func::Trim, [t]) if fits(*t, &[Text]) => Text,
        (Func::Len, [t]) if fits(*t, &[Text, List]) => Int,
        (Func::Date, [t]) if fits(*t, &[Date, DateTime]) => Date,
        (Func::Month | Func::Quarter, [t]) if fits(*t, &[Date, DateTime]) => Text,
        (Func::Year, [t]) if fits(*t, &[Date, DateTime]) => Int,
        (Func::Abs, [t]) if fits(*t, &[Int, Number, Duration, Percent]) => *t,
        (Func::Round, [n]) if fits(*n, &[Int, Number]) => Number,
        (Func::Round, [n, d]) if fits(*n, &[Int, Number]) && fits(*d, &[Int]) => Number,
        (Func::Coalesce, [a, b]) if comparable(*a, *b, false).is_ok() => {
            if *a == Null {
                *b
            } else {
                *a
            }
        }
        (Func::StartsWith | Func::EndsWith, [a, b]) if fits(*a, &[Text]) && fits(*b, &[Text]) => Bool,
        _ => return None,
    })
}
