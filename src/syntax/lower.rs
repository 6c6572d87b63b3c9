//! From pest's parse tree to the AST. The only module that sees `pest::iterators`.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::LazyLock;

use pest::Parser;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use super::errors::syntax_error;
use super::grammar::{Rule, RuleParser};
use super::literal::{normalize_prose, parse_date, parse_duration};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left)
            | Op::infix(Rule::op_contains, Assoc::Left)
            | Op::infix(Rule::op_matches, Assoc::Left))
        .op(Op::postfix(Rule::op_is_none) | Op::postfix(Rule::op_is_not_none))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
});

/// Parses one declaration chunk of a file (see `scan`) and lowers it.
///
/// `offset` is the chunk's byte offset in the file, so spans point into the whole file.
pub fn parse_chunk(text: &str, file: FileId, offset: usize, diags: &mut Vec<Diagnostic>) -> Vec<Declaration> {
    let lowerer = Lowerer {
        file,
        offset,
        text,
        diags: RefCell::new(Vec::new()),
        parenthesised: RefCell::new(HashSet::new()),
    };
    // Tracking every attempted token costs time on large files; parse without it and
    // parse again with it only to describe an error.
    pest::set_error_detail(false);
    let declarations = match RuleParser::parse(Rule::file, text) {
        Ok(pairs) => lowerer.file(pairs),
        Err(err) => {
            pest::set_error_detail(true);
            let detailed = RuleParser::parse(Rule::file, text).err().unwrap_or(err);
            pest::set_error_detail(false);
            lowerer.push(syntax_error(&detailed, text, file, offset));
            Vec::new()
        }
    };
    diags.extend(lowerer.diags.into_inner());
    declarations
}

/// Parses a lone expression (a `--param` value). The text must be shallow (callers bound it).
pub fn parse_expression(text: &str, file: FileId) -> Result<Expr, Vec<Diagnostic>> {
    let lowerer = Lowerer {
        file,
        offset: 0,
        text,
        diags: RefCell::new(Vec::new()),
        parenthesised: RefCell::new(HashSet::new()),
    };
    pest::set_error_detail(false);
    let result = match RuleParser::parse(Rule::expression, text) {
        Ok(mut pairs) => pairs
            .next()
            .and_then(|p| p.into_inner().find(|p| p.as_rule() == Rule::expr))
            .map(|p| lowerer.expr(p)),
        Err(err) => {
            pest::set_error_detail(true);
            let detailed = RuleParser::parse(Rule::expression, text).err().unwrap_or(err);
            pest::set_error_detail(false);
            lowerer.push(syntax_error(&detailed, text, file, 0));
            None
        }
    };
    let diags = lowerer.diags.into_inner();
    match result {
        Some(e) if diags.is_empty() => Ok(e),
        _ => Err(diags),
    }
}

struct Lowerer<'t> {
    file: FileId,
    offset: usize,
    text: &'t str,
    diags: RefCell<Vec<Diagnostic>>,
    /// Spans of parenthesised expressions: `(a < b) == c` is allowed, `a < b == c` is not.
    parenthesised: RefCell<HashSet<Span>>,
}

type P<'i> = Pair<'i, Rule>;

impl Lowerer<'_> {
    fn push(&self, d: Diagnostic) {
        self.diags.borrow_mut().push(d);
    }

    /// The pair's span without the whitespace and comments pest skipped at its end.
    fn span(&self, pair: &P<'_>) -> Span {
        let s = pair.as_span();
        let mut end = s.end();
        let mut last = pair.clone().into_inner().last();
        while let Some(p) = last {
            let inner_end = p.as_span().end();
            last = p.into_inner().last();
            if last.is_none() && inner_end < end && only_trivia(self.text.get(inner_end..end).unwrap_or("")) {
                end = inner_end;
            }
        }
        Span::new(self.file, self.offset + s.start(), self.offset + end)
    }

    fn invalid_literal(&self, span: Span, message: String, help: &str) {
        self.push(
            Diagnostic::new(Code::S005, message)
                .with_primary(span, "cannot be represented")
                .with_help(help),
        );
    }

    // ------------------------------------------------------------------ declarations

    fn file(&self, mut pairs: Pairs<'_, Rule>) -> Vec<Declaration> {
        let Some(file) = pairs.next() else {
            return Vec::new();
        };
        file.into_inner()
            .filter(|p| p.as_rule() != Rule::EOI)
            .filter_map(|p| self.declaration(p))
            .collect()
    }

    fn declaration(&self, pair: P<'_>) -> Option<Declaration> {
        Some(match pair.as_rule() {
            Rule::standard => Declaration::Standard(self.standard(pair)),
            Rule::dataset => Declaration::Dataset(self.dataset(pair)),
            Rule::param => Declaration::Param(self.param(pair, false)),
            Rule::override_param => Declaration::Param(self.param(pair, true)),
            Rule::requirement => Declaration::Requirement(self.requirement(pair)),
            Rule::waiver => Declaration::Waiver(self.waiver(pair)),
            Rule::applicability => Declaration::Applicability(self.applicability(pair)),
            Rule::attestation => Declaration::Attestation(self.attestation(pair)),
            Rule::disable => Declaration::Disable(self.disable(pair)),
            Rule::test => Declaration::Test(self.test(pair)),
            _ => return None,
        })
    }

    /// The meaningful children of a pair: keywords are dropped.
    fn parts<'i>(&self, pair: P<'i>) -> impl Iterator<Item = P<'i>> + use<'i> {
        pair.into_inner().filter(|p| !is_keyword(p.as_rule()))
    }

    /// The next part as a name, or an empty placeholder (the grammar guarantees it exists).
    fn next_ident<'i>(&self, parts: &mut impl Iterator<Item = P<'i>>, span: Span) -> Ident {
        parts
            .next()
            .map(|p| self.ident(&p))
            .unwrap_or_else(|| missing(span))
    }

    /// The next part as a string, or an empty placeholder.
    fn next_string<'i>(&self, parts: &mut impl Iterator<Item = P<'i>>, span: Span) -> StringLit {
        parts
            .next()
            .map(|p| self.string(&p))
            .unwrap_or_else(|| empty_string(span))
    }

    fn ident(&self, pair: &P<'_>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    fn string(&self, pair: &P<'_>) -> StringLit {
        let span = self.span(pair);
        let body = pair.clone().into_inner().next();
        let raw = body.as_ref().map_or("", |b| b.as_str());
        StringLit {
            value: self.unescape(raw, span),
            span,
        }
    }

    fn prose(&self, pair: &P<'_>) -> StringLit {
        let mut s = self.string(pair);
        s.value = normalize_prose(&s.value);
        s
    }

    fn strings(&self, pair: P<'_>) -> Vec<StringLit> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::string)
            .map(|p| self.string(&p))
            .collect()
    }

    /// The value of a string body; `span` is the whole string, quotes included.
    fn unescape(&self, raw: &str, span: Span) -> String {
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((at, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next().map(|(_, c)| c) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('u') => {
                    let hex: String = chars
                        .by_ref()
                        .map(|(_, c)| c)
                        .skip_while(|&c| c == '{')
                        .take_while(|&c| c != '}')
                        .collect();
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(ch) => out.push(ch),
                        None => self.invalid_literal(
                            span,
                            format!("`\\u{{{hex}}}` is not a unicode scalar value"),
                            "write a code point between 0 and 10FFFF outside the surrogate range",
                        ),
                    }
                }
                other => {
                    // The escape itself: after the opening quote, `at` bytes into the body.
                    let len = 1 + other.map_or(0, char::len_utf8) as u32;
                    let start = span.start + 1 + at as u32;
                    let shown: String = other.map(|c| c.escape_default().to_string()).unwrap_or_default();
                    self.push(
                        Diagnostic::new(Code::S005, format!("unknown escape `\\{shown}` in a string"))
                            .with_primary(
                                Span {
                                    start,
                                    end: start + len,
                                    ..span
                                },
                                "not an escape",
                            )
                            .with_help(
                                "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r` and `\\u{…}`; \
                                 write `\\\\` for a backslash",
                            ),
                    );
                }
            }
        }
        out
    }

    fn standard(&self, pair: P<'_>) -> Standard {
        let span = self.span(&pair);
        let mut parts = self.parts(pair);
        let id = self.next_ident(&mut parts, span);
        let title = parts
            .next()
            .map(|p| self.string(&p))
            .unwrap_or_else(|| StringLit {
                value: String::new(),
                span,
            });
        let entries = parts.map(|p| self.catalog_entry(p)).collect();
        Standard {
            id,
            title,
            entries,
            span,
        }
    }

    fn catalog_entry(&self, pair: P<'_>) -> CatalogEntry {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut parts = self.parts(pair);
        if rule == Rule::superseded_decl {
            let old = self.next_string(&mut parts, span);
            let new = parts.next().map(|p| self.strings(p)).unwrap_or_default();
            return CatalogEntry::Superseded { old, new, span };
        }
        let kind = if rule == Rule::control_decl {
            EntryKind::Control
        } else {
            EntryKind::Clause
        };
        let id = self.next_string(&mut parts, span);
        let title = parts.next().map(|p| self.string(&p));
        CatalogEntry::Item {
            kind,
            id,
            title,
            span,
        }
    }

    fn dataset(&self, pair: P<'_>) -> Dataset {
        let span = self.span(&pair);
        let mut id = missing(span);
        let mut title = None;
        let mut options = Vec::new();
        let mut fields = Vec::new();
        for p in self.parts(pair) {
            match p.as_rule() {
                Rule::ident => id = self.ident(&p),
                Rule::string => title = Some(self.string(&p)),
                Rule::field_decl => fields.push(self.field(p)),
                _ => options.extend(self.data_option(p)),
            }
        }
        Dataset {
            id,
            title,
            options,
            fields,
            span,
        }
    }

    fn field(&self, pair: P<'_>) -> FieldDecl {
        let span = self.span(&pair);
        let mut parts = self.parts(pair);
        let name = self.next_ident(&mut parts, span);
        let ty = parts
            .next()
            .and_then(|p| p.into_inner().next())
            .map(|p| self.ident(&p))
            .unwrap_or_else(|| missing(span));
        let options = parts.filter_map(|p| self.data_option(p)).collect();
        FieldDecl {
            name,
            ty,
            options,
            span,
        }
    }

    fn data_option(&self, pair: P<'_>) -> Option<DataOption> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let first = self.parts(pair.clone()).next();
        let string = || {
            first
                .as_ref()
                .map(|p| self.string(p))
                .unwrap_or_else(|| empty_string(span))
        };
        Some(match rule {
            Rule::source_opt => DataOption::Source(string()),
            Rule::delimiter_opt => DataOption::Delimiter(string()),
            Rule::encoding_opt => DataOption::Encoding(string()),
            Rule::sheet_opt => DataOption::Sheet(string()),
            Rule::records_opt => DataOption::Records(string()),
            Rule::timezone_opt => DataOption::Timezone(string()),
            Rule::separator_opt => DataOption::Separator(string()),
            Rule::null_opt => DataOption::Null(first.map(|p| self.strings(p)).unwrap_or_default()),
            Rule::true_opt => DataOption::TrueValues(first.map(|p| self.strings(p)).unwrap_or_default()),
            Rule::false_opt => DataOption::FalseValues(first.map(|p| self.strings(p)).unwrap_or_default()),
            Rule::from_opt => DataOption::From(first.map(|p| self.strings(p)).unwrap_or_default()),
            Rule::field_format_opt => DataOption::Formats(first.map(|p| self.strings(p)).unwrap_or_default()),
            Rule::decimal_comma_opt => DataOption::DecimalComma(span),
            Rule::unescape_opt => DataOption::UnescapeFormulas(span),
            Rule::key_opt => DataOption::Key(span),
            Rule::required_opt => DataOption::Required(span),
            Rule::format_opt => {
                let word = first.as_ref().map_or("", |p| p.as_str());
                let format = match word {
                    "json" => SourceFormat::Json,
                    "jsonl" => SourceFormat::JsonLines,
                    "xlsx" => SourceFormat::Xlsx,
                    _ => SourceFormat::Csv,
                };
                DataOption::Format(Spanned {
                    node: format,
                    span: first.as_ref().map_or(span, |p| self.span(p)),
                })
            }
            Rule::year_pivot_opt => {
                let p = first?;
                DataOption::YearPivot(Spanned {
                    node: self.int(&p),
                    span: self.span(&p),
                })
            }
            Rule::unit_opt => {
                let p = first?;
                let unit = match p.as_str() {
                    "s" => DurationUnit::Seconds,
                    "min" => DurationUnit::Minutes,
                    "h" => DurationUnit::Hours,
                    "w" => DurationUnit::Weeks,
                    _ => DurationUnit::Days,
                };
                DataOption::Unit(Spanned {
                    node: unit,
                    span: self.span(&p),
                })
            }
            Rule::freshness_opt => {
                let mut parts = self.parts(pair);
                let field = self.next_ident(&mut parts, span);
                let within = parts
                    .next()
                    .map(|p| Spanned {
                        node: self.duration(&p),
                        span: self.span(&p),
                    })
                    .unwrap_or(Spanned { node: 0, span });
                DataOption::Freshness { field, within }
            }
            _ => return None,
        })
    }

    fn param(&self, pair: P<'_>, is_override: bool) -> Param {
        let span = self.span(&pair);
        let mut parts = self.parts(pair);
        let name = self.next_ident(&mut parts, span);
        let value = parts
            .next()
            .map(|p| self.expr(p))
            .unwrap_or_else(|| none_expr(span));
        Param {
            name,
            value,
            is_override,
            span,
        }
    }

    fn requirement(&self, pair: P<'_>) -> Requirement {
        let span = self.span(&pair);
        let mut parts = self.parts(pair);
        let id = self.next_ident(&mut parts, span);
        let entries = parts.filter_map(|p| self.requirement_entry(p)).collect();
        Requirement { id, entries, span }
    }

    fn requirement_entry(&self, pair: P<'_>) -> Option<RequirementEntry> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut parts = self.parts(pair);
        Some(match rule {
            Rule::title_opt => RequirementEntry::Title(self.string(&parts.next()?)),
            Rule::owner_opt => RequirementEntry::Owner(self.string(&parts.next()?)),
            Rule::description_opt => RequirementEntry::Description(self.prose(&parts.next()?)),
            Rule::allow_empty_opt => RequirementEntry::AllowEmpty(span),
            Rule::clauses_opt => RequirementEntry::Clauses(parts.map(|p| self.clause_ref(p)).collect(), span),
            Rule::severity_opt => {
                let p = parts.next()?;
                let node = match p.as_str() {
                    "major" => Severity::Major,
                    "minor" => Severity::Minor,
                    _ => Severity::Observation,
                };
                RequirementEntry::Severity(Spanned {
                    node,
                    span: self.span(&p),
                })
            }
            Rule::metric => {
                let name = self.ident(&parts.next()?);
                let expr = self.expr(parts.next()?);
                RequirementEntry::Metric { name, expr, span }
            }
            Rule::expect => RequirementEntry::Expect {
                expr: self.expr(parts.next()?),
                span,
            },
            _ => return None,
        })
    }

    fn clause_ref(&self, pair: P<'_>) -> ClauseRef {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let standard = self.next_ident(&mut parts, span);
        let clause_id = |p: Option<P<'_>>| {
            p.map(|p| Spanned {
                node: p.as_str().to_string(),
                span: self.span(&p),
            })
        };
        let clause = clause_id(parts.next()).unwrap_or(Spanned {
            node: String::new(),
            span,
        });
        let until = clause_id(parts.next());
        ClauseRef {
            standard,
            clause,
            until,
            span,
        }
    }

    fn waiver(&self, pair: P<'_>) -> Waiver {
        let span = self.span(&pair);
        let mut parts = self.parts(pair);
        let id = self.next_ident(&mut parts, span);
        let entries = parts
            .filter_map(|p| {
                let rule = p.as_rule();
                let inner = self.parts(p).next()?;
                Some(match rule {
                    Rule::requirement_opt => WaiverEntry::Requirement(self.ident(&inner)),
                    Rule::records_opt_w => WaiverEntry::Records(self.strings(inner)),
                    Rule::reason_opt => WaiverEntry::Reason(self.prose(&inner)),
                    Rule::approved_by_opt => WaiverEntry::ApprovedBy(self.string(&inner)),
                    Rule::approved_on_opt => WaiverEntry::ApprovedOn(self.date_spanned(&inner)),
                    Rule::expires_opt => WaiverEntry::Expires(self.date_spanned(&inner)),
                    _ => return None,
                })
            })
            .collect();
        Waiver { id, entries, span }
    }

    fn applicability(&self, pair: P<'_>) -> Applicability {
        let span = self.span(&pair);
        let mut result = Applicability {
            standard: missing(span),
            dataset: None,
            control: None,
            applicable: None,
            justification: None,
            span,
        };
        for p in self.parts(pair) {
            let rule = p.as_rule();
            if rule == Rule::ident {
                result.standard = self.ident(&p);
                continue;
            }
            let Some(inner) = self.parts(p).next() else {
                continue;
            };
            let value = self.ident(&inner);
            let (slot, word) = match rule {
                Rule::app_dataset => (&mut result.dataset, "dataset"),
                Rule::app_control => (&mut result.control, "control"),
                Rule::app_applicable => (&mut result.applicable, "applicable"),
                Rule::app_justification => (&mut result.justification, "justification"),
                _ => continue,
            };
            if let Some(first) = slot {
                self.push(
                    Diagnostic::new(
                        Code::C106,
                        format!("`{word}` is given twice in this applicability"),
                    )
                    .with_primary(value.span, "given again here")
                    .with_secondary(first.span, "first given here")
                    .with_help("keep one"),
                );
            }
            *slot = Some(value);
        }
        result
    }

    fn attestation(&self, pair: P<'_>) -> Attestation {
        let span = self.span(&pair);
        let mut parts = self.parts(pair);
        let id = self.next_ident(&mut parts, span);
        let entries = parts
            .filter_map(|p| {
                let rule = p.as_rule();
                let entry_span = self.span(&p);
                if rule == Rule::clauses_opt {
                    let refs = self.parts(p).map(|c| self.clause_ref(c)).collect();
                    return Some(AttestationEntry::Clauses(refs, entry_span));
                }
                let inner = self.parts(p).next()?;
                Some(match rule {
                    Rule::statement_opt => AttestationEntry::Statement(self.prose(&inner)),
                    Rule::attested_by_opt => AttestationEntry::AttestedBy(self.string(&inner)),
                    Rule::attested_on_opt => AttestationEntry::AttestedOn(self.date_spanned(&inner)),
                    Rule::document_opt => AttestationEntry::Document(self.string(&inner)),
                    Rule::expires_opt => AttestationEntry::Expires(self.date_spanned(&inner)),
                    _ => return None,
                })
            })
            .collect();
        Attestation { id, entries, span }
    }

    fn disable(&self, pair: P<'_>) -> Disable {
        let span = self.span(&pair);
        let mut parts = self.parts(pair);
        let requirement = self.next_ident(&mut parts, span);
        let reason = parts
            .next()
            .map(|p| self.prose(&p))
            .unwrap_or_else(|| empty_string(span));
        Disable {
            requirement,
            reason,
            span,
        }
    }

    fn test(&self, pair: P<'_>) -> Test {
        let span = self.span(&pair);
        let mut parts = self.parts(pair);
        let requirement = self.next_ident(&mut parts, span);
        let name = self.next_string(&mut parts, span);
        let entries = parts.filter_map(|p| self.test_entry(p)).collect();
        Test {
            requirement,
            name,
            entries,
            span,
        }
    }

    fn test_entry(&self, pair: P<'_>) -> Option<TestEntry> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut parts = self.parts(pair);
        Some(match rule {
            Rule::test_as_of => TestEntry::AsOf(self.operand(parts.next()?)),
            Rule::test_param => {
                let name = self.ident(&parts.next()?);
                TestEntry::Param(name, self.expr(parts.next()?))
            }
            Rule::given => {
                let dataset = self.ident(&parts.next()?);
                let data = parts.next()?;
                let data = if data.as_rule() == Rule::given_csv {
                    GivenData::Csv(self.string(&self.parts(data).next()?))
                } else {
                    GivenData::Rows(
                        data.into_inner()
                            .map(|row| {
                                row.into_inner()
                                    .filter_map(|cell| {
                                        let mut kv = cell.into_inner();
                                        let name = self.ident(&kv.next()?);
                                        Some((name, self.expr(kv.next()?)))
                                    })
                                    .collect()
                            })
                            .collect(),
                    )
                };
                TestEntry::Given { dataset, data, span }
            }
            Rule::test_expect => {
                let inner = parts.next()?;
                let inner_span = self.span(&inner);
                let inner_rule = inner.as_rule();
                let mut inner_parts = self.parts(inner.clone());
                TestEntry::Expect(match inner_rule {
                    Rule::expect_fails => TestExpectation::Fails(
                        inner_parts.next().map(|p| self.strings(p)).unwrap_or_default(),
                        inner_span,
                    ),
                    Rule::expect_metric => {
                        let name = self.ident(&inner_parts.next()?);
                        let value = self.expr(inner_parts.next()?);
                        TestExpectation::Metric {
                            name,
                            value,
                            span: inner_span,
                        }
                    }
                    _ => TestExpectation::Status(Spanned {
                        node: inner.as_str().trim().to_string(),
                        span: inner_span,
                    }),
                })
            }
            _ => return None,
        })
    }

    // ------------------------------------------------------------------ expressions

    fn expr(&self, pair: P<'_>) -> Expr {
        let span = self.span(&pair);
        if pair.as_rule() != Rule::expr {
            return self.operand(pair);
        }
        PRATT
            .map_primary(|p| self.operand(p))
            .map_prefix(|op, rhs| {
                let op_kind = if op.as_rule() == Rule::op_not {
                    UnaryOp::Not
                } else {
                    UnaryOp::Neg
                };
                Expr {
                    span: self.span(&op).to(rhs.span),
                    kind: ExprKind::Unary(op_kind, Box::new(rhs)),
                }
            })
            .map_postfix(|lhs, op| Expr {
                span: lhs.span.to(self.span(&op)),
                kind: ExprKind::IsNone {
                    expr: Box::new(lhs),
                    negated: op.as_rule() == Rule::op_is_not_none,
                },
            })
            .map_infix(|lhs, op, rhs| {
                let op_span = self.span(&op);
                let op = match op.as_rule() {
                    Rule::op_or => BinaryOp::Or,
                    Rule::op_and => BinaryOp::And,
                    Rule::op_eq => BinaryOp::Eq,
                    Rule::op_ne => BinaryOp::Ne,
                    Rule::op_lt => BinaryOp::Lt,
                    Rule::op_le => BinaryOp::Le,
                    Rule::op_gt => BinaryOp::Gt,
                    Rule::op_ge => BinaryOp::Ge,
                    Rule::op_in => BinaryOp::In,
                    Rule::op_not_in => BinaryOp::NotIn,
                    Rule::op_contains => BinaryOp::Contains,
                    Rule::op_matches => BinaryOp::Matches,
                    Rule::op_add => BinaryOp::Add,
                    Rule::op_sub => BinaryOp::Sub,
                    Rule::op_mul => BinaryOp::Mul,
                    _ => BinaryOp::Div,
                };
                // The refused chain keeps its shape with `none` on the left, so the checker
                // does not add a type error for the same mistake.
                let lhs = if op.is_comparison() && self.reported_chain(&lhs, op, op_span) {
                    none_expr(lhs.span)
                } else {
                    lhs
                };
                Expr {
                    span: lhs.span.to(rhs.span),
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                }
            })
            .parse(pair.into_inner())
            .with_span_if_empty(span)
    }

    /// `a < b <= c`: the left operand of a comparison is itself an unparenthesised
    /// comparison. Reports it (`S009`); true when it did.
    fn reported_chain(&self, lhs: &Expr, op: BinaryOp, op_span: Span) -> bool {
        let ExprKind::Binary(inner, ..) = &lhs.kind else {
            return false;
        };
        if !inner.is_comparison() || self.parenthesised.borrow().contains(&lhs.span) {
            return false;
        }
        self.push(
            Diagnostic::new(
                Code::S009,
                format!(
                    "comparisons do not chain: `{}` follows `{}`",
                    op.as_str(),
                    inner.as_str()
                ),
            )
            .with_primary(op_span, "a second comparison")
            .with_secondary(lhs.span, "already a comparison")
            .with_help(
                "a quantifier without a body ends at the end of the expression: to compare its result, \
                 parenthesise it, like `(count c in capa where …) <= 0`; otherwise join two comparisons \
                 with `and`",
            ),
        );
        true
    }

    fn operand(&self, pair: P<'_>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::paren => {
                return match pair.into_inner().next() {
                    Some(inner) => {
                        // Keep the parentheses in the span so diagnostics underline them.
                        let mut e = self.expr(inner);
                        e.span = span;
                        self.parenthesised.borrow_mut().insert(span);
                        e
                    }
                    None => none_expr(span),
                };
            }
            Rule::as_of => ExprKind::AsOf,
            Rule::list => ExprKind::List(pair.into_inner().map(|p| self.expr(p)).collect()),
            Rule::call => {
                let mut parts = pair.into_inner();
                let name = self.next_ident(&mut parts, span);
                ExprKind::Call(name, parts.map(|p| self.expr(p)).collect())
            }
            Rule::path => {
                let mut parts = pair.into_inner();
                let Some(first) = parts.next() else {
                    return none_expr(span);
                };
                let mut expr = Expr {
                    kind: ExprKind::Name(self.ident(&first)),
                    span: self.span(&first),
                };
                for field in parts {
                    let field = self.ident(&field);
                    expr = Expr {
                        span: expr.span.to(field.span),
                        kind: ExprKind::Field(Box::new(expr), field),
                    };
                }
                return expr;
            }
            Rule::quantifier => ExprKind::Quantifier(Box::new(self.quantifier(pair))),
            Rule::quant_source => {
                return match pair.into_inner().next() {
                    Some(inner) => self.operand(inner),
                    None => none_expr(span),
                };
            }
            _ => ExprKind::Literal(self.literal(&pair)),
        };
        Expr { kind, span }
    }

    fn quantifier(&self, pair: P<'_>) -> Quantifier {
        let span = self.span(&pair);
        let mut kind = QuantKind::All;
        let mut kind_span = span;
        let mut var = missing(span);
        let mut source = none_expr(span);
        let mut filter = None;
        let mut group = None;
        let mut body = None;
        for p in self.parts(pair) {
            match p.as_rule() {
                Rule::quant_kind => {
                    kind_span = self.span(&p);
                    kind = match p.as_str() {
                        "all" => QuantKind::All,
                        "any" => QuantKind::Any,
                        "no" => QuantKind::No,
                        "count" => QuantKind::Count,
                        "share" => QuantKind::Share,
                        "min" => QuantKind::Min,
                        "max" => QuantKind::Max,
                        "sum" => QuantKind::Sum,
                        "avg" => QuantKind::Avg,
                        "median" => QuantKind::Median,
                        other => {
                            QuantKind::Percentile(other.get(1..).and_then(|d| d.parse().ok()).unwrap_or(50))
                        }
                    };
                }
                Rule::ident => var = self.ident(&p),
                Rule::quant_source => source = self.operand(p),
                Rule::filter => {
                    filter = p
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::expr)
                        .map(|p| self.expr(p))
                }
                Rule::group => {
                    group = p
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::expr)
                        .map(|p| self.expr(p))
                }
                Rule::body => body = p.into_inner().next().map(|p| self.expr(p)),
                _ => {}
            }
        }
        Quantifier {
            kind,
            kind_span,
            var,
            source,
            filter,
            group,
            body,
        }
    }

    // ------------------------------------------------------------------ literals

    fn literal(&self, pair: &P<'_>) -> Literal {
        let span = self.span(pair);
        let text = pair.as_str();
        match pair.as_rule() {
            Rule::int => Literal::Int(self.int(pair)),
            Rule::number => match text.parse::<f64>() {
                Ok(n) if n.is_finite() => Literal::Number(n),
                _ => {
                    self.invalid_literal(
                        span,
                        format!("`{text}` is out of range"),
                        "write a smaller number",
                    );
                    Literal::None
                }
            },
            Rule::percent => match text.trim_end_matches('%').parse::<f64>() {
                Ok(n) if n.is_finite() => Literal::Percent(n),
                _ => {
                    self.invalid_literal(
                        span,
                        format!("`{text}` is out of range"),
                        "write a percentage like `95%`",
                    );
                    Literal::None
                }
            },
            Rule::string => Literal::Text(self.string(pair).value),
            Rule::boolean => Literal::Bool(text == "true"),
            Rule::none => Literal::None,
            Rule::date => self.date(pair).map_or(Literal::None, Literal::Date),
            Rule::datetime => match text
                .parse::<jiff::Timestamp>()
                .ok()
                .and_then(|ts| crate::value::checked_instant(ts.as_microsecond()))
            {
                Some(micros) => Literal::DateTime(micros),
                None => {
                    self.invalid_literal(
                        span,
                        format!("`{text}` is not a valid date-time: {}", datetime_problem(text)),
                        "write an RFC 3339 date-time such as `2026-11-22T10:00:00Z`",
                    );
                    Literal::None
                }
            },
            Rule::duration => Literal::Duration(self.duration(pair)),
            Rule::span => {
                let mut parts = pair.clone().into_inner();
                let n = parts.next().map(|p| self.int(&p)).unwrap_or(0);
                let unit = parts.next().map_or("months", |p| p.as_str());
                let months = if unit.starts_with("year") {
                    n.checked_mul(12)
                } else {
                    Some(n)
                };
                match months
                    .and_then(|m| i32::try_from(m).ok())
                    .filter(|m| *m <= 120_000)
                {
                    Some(m) => Literal::Months(m),
                    None => {
                        self.invalid_literal(
                            span,
                            format!("`{text}` is too long a span"),
                            "write at most 10000 years",
                        );
                        Literal::None
                    }
                }
            }
            _ => Literal::None,
        }
    }

    fn int(&self, pair: &P<'_>) -> i64 {
        let text = pair.as_str().trim();
        text.parse::<i64>().unwrap_or_else(|_| {
            self.invalid_literal(
                self.span(pair),
                format!("`{text}` does not fit in a 64-bit integer"),
                "write a number between -9223372036854775808 and 9223372036854775807",
            );
            0
        })
    }

    fn date(&self, pair: &P<'_>) -> Option<i32> {
        let text = pair.as_str();
        match parse_date(text) {
            Ok(days) => Some(days),
            Err(e) => {
                self.invalid_literal(
                    self.span(pair),
                    format!("`{text}` is not a valid date: {e}"),
                    "write a calendar date as YYYY-MM-DD, such as `2026-11-22`",
                );
                None
            }
        }
    }

    fn date_spanned(&self, pair: &P<'_>) -> Spanned<i32> {
        Spanned {
            node: self.date(pair).unwrap_or(0),
            span: self.span(pair),
        }
    }

    fn duration(&self, pair: &P<'_>) -> i64 {
        let text = pair.as_str();
        parse_duration(text).unwrap_or_else(|| {
            self.invalid_literal(
                self.span(pair),
                format!("`{text}` is too long a duration"),
                "durations must stay within about 290 000 years",
            );
            0
        })
    }

    // ------------------------------------------------------------------ errors
}

/// Punctuation worth naming in "expected …" (whitespace and comment starts are not).
trait WithSpanIfEmpty {
    fn with_span_if_empty(self, span: Span) -> Self;
}

impl WithSpanIfEmpty for Expr {
    fn with_span_if_empty(mut self, span: Span) -> Expr {
        if self.span == Span::default() {
            self.span = span;
        }
        self
    }
}

/// True for text made only of whitespace and `#` comments.
fn only_trivia(text: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        match rest.strip_prefix('#') {
            Some(comment) => rest = comment.find('\n').map_or("", |i| &comment[i..]),
            None => return rest.is_empty(),
        }
    }
}

fn missing(span: Span) -> Ident {
    Ident {
        name: String::new(),
        span,
    }
}

fn empty_string(span: Span) -> StringLit {
    StringLit {
        value: String::new(),
        span,
    }
}

fn none_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Literal(Literal::None),
        span,
    }
}

fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

/// What is wrong with a date-time literal the grammar accepted but that names no instant,
/// in our words (the date-time library's messages name its own parameters). The grammar
/// has already checked the shape `YYYY-MM-DDThh:mm[:ss[.frac]]` plus `Z` or an offset.
fn datetime_problem(text: &str) -> String {
    let Some((date, rest)) = text.split_once(['T', 't']) else {
        return "it is not a date and a time joined by `T`".to_string();
    };
    if date.parse::<jiff::civil::Date>().is_err() {
        return format!("there is no date `{date}`");
    }
    let clock: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':' || *c == '.')
        .collect();
    let zone = rest.get(clock.len()..).unwrap_or_default();
    let mut parts = clock.split(':');
    for (name, max) in [("hour", 23), ("minute", 59), ("second", 59)] {
        let Some(value) = parts.next() else { break };
        let whole = value.split('.').next().unwrap_or(value);
        if whole.parse::<u32>().is_ok_and(|v| v > max) {
            return format!("the {name} `{whole}` is out of range (00 to {max})");
        }
    }
    // Everything else on the clock is in range: either the offset is out of range, or the
    // instant falls outside years 1 to 9999 once the offset is applied.
    let offset_in_range = zone == "Z"
        || zone
            .trim_start_matches(['+', '-'])
            .split(':')
            .next()
            .and_then(|h| h.get(..2))
            .and_then(|h| h.parse::<u32>().ok())
            .is_some_and(|h| h <= 25);
    if offset_in_range {
        "the instant is outside years 1 to 9999".to_string()
    } else {
        format!("the time-zone offset `{zone}` is out of range (at most 25:59 either way)")
    }
}
