//! Expressions: minimal parentheses, and line breaks at quantifier bodies and before
//! `and`/`or`.

use super::print::{Frags, Printer, fits};
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Literal, Quantifier, UnaryOp};

// Binding strength, loosest first, as in the Pratt table of `syntax::lower`.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const COMPARE: u8 = 4;
const IS_NONE: u8 = 5;
const ADD: u8 = 6;
const MUL: u8 = 7;
const NEG: u8 = 8;
const ATOM: u8 = 9;

/// The column assumed for an item of a list broken one item per line, whose real column
/// depends on the indent of the line the list starts on: it only decides whether a long
/// item breaks itself.
const INDENT_GUESS: usize = 4;

fn binary_prec(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => OR,
        BinaryOp::And => AND,
        BinaryOp::Add | BinaryOp::Sub => ADD,
        BinaryOp::Mul | BinaryOp::Div => MUL,
        BinaryOp::Eq
        | BinaryOp::Ne
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge
        | BinaryOp::In
        | BinaryOp::NotIn
        | BinaryOp::Contains
        | BinaryOp::Matches => COMPARE,
    }
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => binary_prec(*op),
        ExprKind::Unary(UnaryOp::Not, _) => NOT,
        ExprKind::Unary(UnaryOp::Neg, _) => NEG,
        ExprKind::IsNone { .. } => IS_NONE,
        _ => ATOM,
    }
}

fn unary(op: UnaryOp) -> (u8, &'static str) {
    match op {
        UnaryOp::Not => (NOT, "not "),
        UnaryOp::Neg => (NEG, "-"),
    }
}

fn is_none_suffix(negated: bool) -> &'static str {
    if negated { " is not none" } else { " is none" }
}

/// The binding an operand of `op` must have to go without parentheses. An `and` inside an
/// `or` keeps its parentheses, although precedence does not need them: `a or (b and c)`
/// is how people read it safely. A comparison inside a comparison keeps them because the
/// language refuses `a < b == c` (`S009`).
fn operand_min(op: BinaryOp, operand: &Expr, min: u8) -> u8 {
    match (op, &operand.kind) {
        (BinaryOp::Or, ExprKind::Binary(BinaryOp::And, ..)) => ATOM,
        (op, ExprKind::Binary(inner, ..)) if op.is_comparison() && inner.is_comparison() => ATOM,
        _ => min,
    }
}

/// Whether `e` needs parentheses where an operand binding at least `min` is expected.
/// `tail` says that nothing of the enclosing expression follows `e` on the way to the end
/// of the entry (or to a `,`, `)`, `]`, `}`): a quantifier ends in an expression that
/// extends as far as it can, so anywhere else it must be parenthesised, or its `where`,
/// `by` or body would swallow what follows.
fn needs_parens(e: &Expr, min: u8, tail: bool) -> bool {
    match e.kind {
        ExprKind::Quantifier(_) => !tail,
        _ => prec(e) < min,
    }
}

impl Printer<'_> {
    /// An expression in a context that takes any expression (an entry's value, a list
    /// item, a quantifier's filter), on one line.
    pub fn expr(&self, e: &Expr, tail: bool) -> String {
        self.child_flat(e, 0, tail)
    }

    /// An expression laid out from column `col`, breaking lines when it does not fit.
    pub fn expr_frags(&self, e: &Expr, col: usize, tail: bool) -> Frags {
        self.child_frags(e, col, 0, tail)
    }

    fn child_flat(&self, e: &Expr, min: u8, tail: bool) -> String {
        if needs_parens(e, min, tail) {
            format!("({})", self.flat(e, true))
        } else {
            self.flat(e, tail)
        }
    }

    /// `e` on one line, without parentheses around itself.
    fn flat(&self, e: &Expr, tail: bool) -> String {
        match &e.kind {
            ExprKind::Literal(lit) => self.literal_text(e.span, matches!(lit, Literal::Months(_))),
            ExprKind::AsOf => "as_of".to_string(),
            ExprKind::Name(id) => id.name.clone(),
            ExprKind::Field(base, field) => format!("{}.{}", self.flat(base, false), field.name),
            ExprKind::Call(name, args) => format!("{}({})", name.name, self.join(args)),
            ExprKind::List(items) => format!("[{}]", self.join(items)),
            ExprKind::Unary(op, operand) => {
                let (p, prefix) = unary(*op);
                let operand = self.child_flat(operand, p, tail);
                // `- -1`, not `--1`.
                let space = if prefix == "-" && operand.starts_with('-') {
                    " "
                } else {
                    ""
                };
                format!("{prefix}{space}{operand}")
            }
            ExprKind::Binary(op, l, r) => {
                let p = binary_prec(*op);
                format!(
                    "{} {} {}",
                    self.child_flat(l, operand_min(*op, l, p), false),
                    op.as_str(),
                    self.child_flat(r, operand_min(*op, r, p + 1), tail)
                )
            }
            ExprKind::IsNone { expr, negated } => {
                format!(
                    "{}{}",
                    self.child_flat(expr, IS_NONE, false),
                    is_none_suffix(*negated)
                )
            }
            ExprKind::Quantifier(q) => self.quantifier_flat(q),
        }
    }

    fn join(&self, items: &[Expr]) -> String {
        items
            .iter()
            .map(|e| self.expr(e, true))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `all c in capa`: the part before `where`.
    fn quantifier_head(&self, q: &Quantifier) -> String {
        let source = match &q.source.kind {
            // The grammar takes a name, a path, a call or a list as it is; anything else
            // is parenthesised.
            ExprKind::Name(_) | ExprKind::Field(..) | ExprKind::Call(..) | ExprKind::List(_) => {
                self.flat(&q.source, true)
            }
            _ => format!("({})", self.flat(&q.source, true)),
        };
        // The keyword as written (`p05` stays `p05`).
        let kind = match self.slice(q.kind_span) {
            "" => q.kind.name(),
            written => written.to_string(),
        };
        format!("{kind} {} in {source}", q.var.name)
    }

    /// Whether the filter and the key are the last part of the quantifier.
    fn quantifier_tails(q: &Quantifier) -> (bool, bool) {
        (q.group.is_none() && q.body.is_none(), q.body.is_none())
    }

    fn quantifier_flat(&self, q: &Quantifier) -> String {
        let (filter_tail, group_tail) = Self::quantifier_tails(q);
        let mut s = self.quantifier_head(q);
        if let Some(f) = &q.filter {
            s.push_str(" where ");
            s.push_str(&self.expr(f, filter_tail));
        }
        if let Some(g) = &q.group {
            s.push_str(" by ");
            s.push_str(&self.expr(g, group_tail));
        }
        if let Some(b) = &q.body {
            s.push_str(": ");
            s.push_str(&self.expr(b, true));
        }
        s
    }

    fn child_frags(&self, e: &Expr, col: usize, min: u8, tail: bool) -> Frags {
        if needs_parens(e, min, tail) {
            let mut f = Frags::one("(");
            f.append(self.frags(e, col + 1, true));
            f.push_str(")");
            f
        } else {
            self.frags(e, col, tail)
        }
    }

    /// `e` laid out from column `col`, without parentheses around itself.
    fn frags(&self, e: &Expr, col: usize, tail: bool) -> Frags {
        let flat = self.flat(e, tail);
        if fits(col, &flat) && !self.forces_break(e) {
            return Frags::one(flat);
        }
        match &e.kind {
            ExprKind::List(items) if self.comment_inside(e) => self.items_frags("[", items, "]", e),
            ExprKind::Call(name, args) if self.comment_inside(e) => {
                self.items_frags(&format!("{}(", name.name), args, ")", e)
            }
            ExprKind::Quantifier(q) => self.quantifier_frags(q, col),
            ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), ..) => self.chain_frags(e, *op, col, tail),
            ExprKind::Binary(op, l, r) => {
                let p = binary_prec(*op);
                let mut f = self.child_frags(l, col, operand_min(*op, l, p), false);
                f.push_str(&format!(" {} ", op.as_str()));
                let c = f.end_col(col);
                f.append(self.child_frags(r, c, operand_min(*op, r, p + 1), tail));
                f
            }
            ExprKind::Unary(op, operand) => {
                let (p, prefix) = unary(*op);
                let prefix = if prefix == "-" && matches!(operand.kind, ExprKind::Unary(UnaryOp::Neg, _)) {
                    "- "
                } else {
                    prefix
                };
                let mut f = Frags::one(prefix);
                f.append(self.child_frags(operand, col + prefix.len(), p, tail));
                f
            }
            ExprKind::IsNone { expr, negated } => {
                let mut f = self.child_frags(expr, col, IS_NONE, false);
                f.push_str(is_none_suffix(*negated));
                f
            }
            _ => Frags::one(flat),
        }
    }

    /// Whether comments inside `e` break it even though it fits. A comment breaks a
    /// construct only when it lies before the start of the construct's last line once
    /// broken (a quantifier's body, a chain's last operand): there it stays inside the
    /// construct after formatting, so the next run breaks it again. A comment further on
    /// is left to the parts it lies in.
    fn forces_break(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Quantifier(q) => self.comment_in_head(q),
            ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), ..) => {
                let operands = chain(e, *op);
                match (operands.first(), operands.last()) {
                    (Some(a), Some(z)) => self.comment_between(a.span.start as usize, z.span.start as usize),
                    _ => false,
                }
            }
            // These never break themselves; their parts decide for themselves.
            ExprKind::Binary(..) | ExprKind::Unary(..) | ExprKind::IsNone { .. } => self.comment_inside(e),
            ExprKind::List(_) | ExprKind::Call(..) => self.comment_inside(e),
            _ => false,
        }
    }

    /// A list or an argument list that holds comments: one item per line, two columns in
    /// from the line it starts on, each followed by a comma (so a comment after it stays
    /// after it), and the closing bracket on a line of its own (so a comment after the last
    /// item stays inside, and the next run lays it out the same way).
    fn items_frags(&self, open: &str, items: &[Expr], close: &str, e: &Expr) -> Frags {
        let mut f = Frags::one(open);
        for item in items {
            let mut line = self.expr_frags(item, INDENT_GUESS, true);
            line.push_str(",");
            f.newline_relative(2, item.span.start as usize, line);
        }
        let close_at = self.skip_back(e.span.end as usize).saturating_sub(1);
        f.newline_relative(0, close_at, Frags::one(close));
        f
    }

    /// A comment before the quantifier's body, or without a body before the last
    /// condition of an `and`/`or` filter: it breaks the quantifier.
    fn comment_in_head(&self, q: &Quantifier) -> bool {
        let start = q.kind_span.start as usize;
        let head_end = match (&q.body, &q.filter) {
            (Some(body), _) => body.span.start as usize,
            (None, Some(f)) => match &f.kind {
                ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), ..) => {
                    chain(f, *op).last().map_or(start, |z| z.span.start as usize)
                }
                _ => start,
            },
            (None, None) => start,
        };
        self.comment_between(start, head_end)
    }

    /// `a and b and c` broken before each `and`, aligned under `a`.
    fn chain_frags(&self, e: &Expr, op: BinaryOp, col: usize, tail: bool) -> Frags {
        let operands = chain(e, op);
        let p = binary_prec(op);
        let keyword = format!("{} ", op.as_str());
        let last = operands.len().saturating_sub(1);
        let mut f = Frags::one("");
        for (i, operand) in operands.into_iter().enumerate() {
            if i == 0 {
                f.append(self.child_frags(operand, col, operand_min(op, operand, p), false));
            } else {
                let mut line = Frags::one(keyword.clone());
                line.append(self.child_frags(
                    operand,
                    col + keyword.len(),
                    operand_min(op, operand, p + 1),
                    tail && i == last,
                ));
                f.newline(col, operand.span.start as usize, line);
            }
        }
        f
    }

    /// A quantifier that does not fit: the body goes on the next line, two columns in
    /// from the keyword; if the head with its filter still does not fit, the filter breaks.
    fn quantifier_frags(&self, q: &Quantifier, col: usize) -> Frags {
        let (filter_tail, group_tail) = Self::quantifier_tails(q);
        let head = self.quantifier_head(q);
        let mut header = head.clone();
        if let Some(f) = &q.filter {
            header.push_str(" where ");
            header.push_str(&self.expr(f, filter_tail));
        }
        if let Some(g) = &q.group {
            header.push_str(" by ");
            header.push_str(&self.expr(g, group_tail));
        }
        let colon = if q.body.is_some() { ":" } else { "" };
        let mut f = if fits(col, &format!("{header}{colon}")) && !self.comment_in_head(q) {
            Frags::one(header)
        } else {
            let mut f = Frags::one(head);
            if let Some(filter) = &q.filter {
                f.push_str(" where ");
                let c = f.end_col(col);
                // The head does not fit: an `and`/`or` filter breaks even when it would
                // fit by itself, since what follows it (`by …`, `:`) shares its last line.
                f.append(match &filter.kind {
                    ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), ..) => {
                        self.chain_frags(filter, *op, c, filter_tail)
                    }
                    _ => self.expr_frags(filter, c, filter_tail),
                });
            }
            if let Some(g) = &q.group {
                f.push_str(" by ");
                let c = f.end_col(col);
                f.append(self.expr_frags(g, c, group_tail));
            }
            f
        };
        if let Some(body) = &q.body {
            f.push_str(colon);
            f.newline(
                col + 2,
                body.span.start as usize,
                self.expr_frags(body, col + 2, true),
            );
        }
        f
    }
}

/// The operands of a chain of one left-associative operator: its left spine.
fn chain(e: &Expr, op: BinaryOp) -> Vec<&Expr> {
    let mut operands = Vec::new();
    let mut cur = e;
    while let ExprKind::Binary(o, l, r) = &cur.kind {
        if *o != op {
            break;
        }
        operands.push(&**r);
        cur = l;
    }
    operands.push(cur);
    operands.reverse();
    operands
}
