//! The syntax tree of rule files. Every node keeps its span; nothing here is resolved or
//! typed yet (that is `check`'s job).

use crate::source::{FileId, Span};

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A string literal, unescaped, with its span (quotes included).
#[derive(Clone, Debug, PartialEq)]
pub struct StringLit {
    /// The value after unescaping.
    pub value: String,
    /// Where it is written.
    pub span: Span,
}

/// A value with the span it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it is written.
    pub span: Span,
}

/// One parsed rule file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct File {
    /// Which file.
    pub file: FileId,
    /// Its declarations in source order.
    pub declarations: Vec<Declaration>,
    /// Declarations that did not parse (a syntax error was reported for each), so the
    /// checker does not report uses of them as unknown, nor what they use as unused.
    pub broken: Vec<Broken>,
    /// Spans of expressions where the parser reported an error and went on with a
    /// repaired tree (a chained comparison): the checker adds no error about their type.
    pub repaired: Vec<Span>,
}

/// A declaration that did not parse, as far as its text shows what it is.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Broken {
    /// Its keyword (`dataset`, `param`, …; `override` is skipped), if it starts with one.
    pub keyword: Option<String>,
    /// The name after the keyword (`capa`, `capa.tagged`, `W-1`), if there is one.
    pub name: Option<String>,
    /// Every word of its text: the names it might use.
    pub words: Vec<String>,
    /// Where it is.
    pub span: Span,
}

impl Broken {
    /// What the text of a declaration that failed to parse shows of it.
    pub fn from_text(text: &str, span: Span) -> Broken {
        let mut words: Vec<String> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let mut tokens = text.split_whitespace().filter(|t| *t != "override");
        let keyword = tokens
            .next()
            .filter(|k| crate::syntax::scan::DECLARATION_WORDS.contains(k))
            .map(str::to_owned);
        let name = keyword.as_ref().and_then(|_| {
            let id: String = tokens
                .next()?
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'))
                .collect();
            (!id.is_empty()).then_some(id)
        });
        words.sort();
        words.dedup();
        Broken {
            keyword,
            name,
            words,
            span,
        }
    }
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Declaration {
    /// `standard iso27001 "…" { clause … }`
    Standard(Standard),
    /// `dataset capa "…" { source … field … }`
    Dataset(Dataset),
    /// `param name = value` or `override param name = value`
    Param(Param),
    /// `requirement id { … }`
    Requirement(Requirement),
    /// `waiver ID { … }`
    Waiver(Waiver),
    /// `applicability iso27001 { dataset soa … }`
    Applicability(Applicability),
    /// `attestation ID { … }`
    Attestation(Attestation),
    /// `disable requirement.id "reason"`
    Disable(Disable),
    /// `test requirement.id "name" { … }`
    Test(Test),
}

impl Declaration {
    /// The span of the whole declaration.
    pub fn span(&self) -> Span {
        match self {
            Declaration::Standard(d) => d.span,
            Declaration::Dataset(d) => d.span,
            Declaration::Param(d) => d.span,
            Declaration::Requirement(d) => d.span,
            Declaration::Waiver(d) => d.span,
            Declaration::Applicability(d) => d.span,
            Declaration::Attestation(d) => d.span,
            Declaration::Disable(d) => d.span,
            Declaration::Test(d) => d.span,
        }
    }
}

/// A catalog of a standard's clauses and controls.
#[derive(Clone, Debug, PartialEq)]
pub struct Standard {
    /// Short id used in clause references (`iso27001`).
    pub id: Ident,
    /// Full title (`ISO/IEC 27001:2022`).
    pub title: StringLit,
    /// Clauses, controls and superseded numbers, in order.
    pub entries: Vec<CatalogEntry>,
    /// The whole declaration.
    pub span: Span,
}

/// What a catalog entry declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A clause of the management-system requirements (4–10 and subclauses).
    Clause,
    /// An Annex A control.
    Control,
}

/// An entry of a standard's catalog.
#[derive(Clone, Debug, PartialEq)]
pub enum CatalogEntry {
    /// `clause "9.2" "Internal audit"` or `control "A.5.18" "Access rights"`.
    Item {
        /// Clause or control.
        kind: EntryKind,
        /// The identifier (`9.2`, `A.5.18`).
        id: StringLit,
        /// The short title; untitled numbered paragraphs have none.
        title: Option<StringLit>,
        /// The whole entry.
        span: Span,
    },
    /// `superseded "A.9.2.6" by "A.5.18", "A.6.5"`: a number of an earlier edition.
    Superseded {
        /// The old identifier.
        old: StringLit,
        /// The identifiers that replace it.
        new: Vec<StringLit>,
        /// The whole entry.
        span: Span,
    },
}

/// How an evidence file is encoded as records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    /// Delimited text.
    Csv,
    /// A JSON array, or an object holding one.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// An Excel workbook.
    Xlsx,
}

/// A dataset-level or field-level option, in source order.
#[derive(Clone, Debug, PartialEq)]
pub enum DataOption {
    /// `source "jira/capa.csv"`
    Source(StringLit),
    /// `format csv`
    Format(Spanned<SourceFormat>),
    /// `delimiter ";"`
    Delimiter(StringLit),
    /// `encoding "windows-1252"`
    Encoding(StringLit),
    /// `sheet "Register"`
    Sheet(StringLit),
    /// `records "data.items"`
    Records(StringLit),
    /// `null "?", "N/A"`
    Null(Vec<StringLit>),
    /// `timezone "Europe/Helsinki"`
    Timezone(StringLit),
    /// `true_values "Yes"`
    TrueValues(Vec<StringLit>),
    /// `false_values "No"`
    FalseValues(Vec<StringLit>),
    /// `separator "; "`
    Separator(StringLit),
    /// `decimal_comma`
    DecimalComma(Span),
    /// `year_pivot 1970`
    YearPivot(Spanned<i64>),
    /// `unescape_formulas`
    UnescapeFormulas(Span),
    /// `freshness published within 7d`
    Freshness {
        /// The date or date-time field whose newest value must be recent.
        field: Ident,
        /// How recent, in microseconds.
        within: Spanned<i64>,
    },
    /// `key` (field only)
    Key(Span),
    /// `required` (field only)
    Required(Span),
    /// `from "Col", "Alias"` (field only)
    From(Vec<StringLit>),
    /// `format "%d/%m/%Y"` (field only)
    Formats(Vec<StringLit>),
    /// `unit h` (field only)
    Unit(Spanned<DurationUnit>),
}

impl DataOption {
    /// The keyword that introduces the option, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            DataOption::Source(_) => "source",
            DataOption::Format(_) | DataOption::Formats(_) => "format",
            DataOption::Delimiter(_) => "delimiter",
            DataOption::Encoding(_) => "encoding",
            DataOption::Sheet(_) => "sheet",
            DataOption::Records(_) => "records",
            DataOption::Null(_) => "null",
            DataOption::Timezone(_) => "timezone",
            DataOption::TrueValues(_) => "true_values",
            DataOption::FalseValues(_) => "false_values",
            DataOption::Separator(_) => "separator",
            DataOption::DecimalComma(_) => "decimal_comma",
            DataOption::YearPivot(_) => "year_pivot",
            DataOption::UnescapeFormulas(_) => "unescape_formulas",
            DataOption::Freshness { .. } => "freshness",
            DataOption::Key(_) => "key",
            DataOption::Required(_) => "required",
            DataOption::From(_) => "from",
            DataOption::Unit(_) => "unit",
        }
    }

    /// Where the option is written.
    pub fn span(&self) -> Span {
        match self {
            DataOption::Source(s)
            | DataOption::Delimiter(s)
            | DataOption::Encoding(s)
            | DataOption::Sheet(s)
            | DataOption::Records(s)
            | DataOption::Timezone(s)
            | DataOption::Separator(s) => s.span,
            DataOption::Format(f) => f.span,
            DataOption::Null(l)
            | DataOption::TrueValues(l)
            | DataOption::FalseValues(l)
            | DataOption::From(l)
            | DataOption::Formats(l) => list_span(l),
            DataOption::DecimalComma(s)
            | DataOption::UnescapeFormulas(s)
            | DataOption::Key(s)
            | DataOption::Required(s) => *s,
            DataOption::YearPivot(p) => p.span,
            DataOption::Freshness { field, within } => field.span.to(within.span),
            DataOption::Unit(u) => u.span,
        }
    }
}

fn list_span(list: &[StringLit]) -> Span {
    match (list.first(), list.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => Span::default(),
    }
}

/// The unit of a duration column written as a bare number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationUnit {
    /// `s`
    Seconds,
    /// `min`
    Minutes,
    /// `h`
    Hours,
    /// `d`
    Days,
    /// `w`
    Weeks,
}

/// `dataset capa "Jira CAPA export" { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Name used in quantifiers.
    pub id: Ident,
    /// Human title.
    pub title: Option<StringLit>,
    /// Dataset options in source order.
    pub options: Vec<DataOption>,
    /// Fields in source order.
    pub fields: Vec<FieldDecl>,
    /// The whole declaration.
    pub span: Span,
}

/// `field created : datetime from "Created" format "…"`
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    /// Field name.
    pub name: Ident,
    /// Type name as written (checked later).
    pub ty: Ident,
    /// Field options in source order.
    pub options: Vec<DataOption>,
    /// The whole declaration.
    pub span: Span,
}

/// `param name = value`, or `override param name = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Param name.
    pub name: Ident,
    /// The value expression (must be constant).
    pub value: Expr,
    /// True for `override param`.
    pub is_override: bool,
    /// The whole declaration.
    pub span: Span,
}

/// Auditor grades, most serious first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A major nonconformity: blocks certification.
    Major,
    /// A minor nonconformity.
    Minor,
    /// An observation.
    Observation,
}

impl Severity {
    /// The word as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Observation => "observation",
        }
    }
}

/// `iso27001:A.5.18`, or a range `iso27001:A.5.24..A.5.26`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClauseRef {
    /// The standard's id.
    pub standard: Ident,
    /// The clause or control id.
    pub clause: Spanned<String>,
    /// The end of a range, if a range.
    pub until: Option<Spanned<String>>,
    /// The whole reference.
    pub span: Span,
}

/// An entry of a requirement block, in source order.
#[derive(Clone, Debug, PartialEq)]
pub enum RequirementEntry {
    /// `title "…"`
    Title(StringLit),
    /// `clauses a:1, b:2`
    Clauses(Vec<ClauseRef>, Span),
    /// `severity major`
    Severity(Spanned<Severity>),
    /// `owner "…"`
    Owner(StringLit),
    /// `description "…"`
    Description(StringLit),
    /// `allow empty`
    AllowEmpty(Span),
    /// `metric name = expr`
    Metric {
        /// Metric name.
        name: Ident,
        /// Its expression.
        expr: Expr,
        /// The whole entry.
        span: Span,
    },
    /// `expect expr`
    Expect {
        /// The condition.
        expr: Expr,
        /// The whole entry.
        span: Span,
    },
}

/// `requirement capa.cycle_time { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    /// Dotted id.
    pub id: Ident,
    /// Entries in source order.
    pub entries: Vec<RequirementEntry>,
    /// The whole declaration.
    pub span: Span,
}

/// An entry of a waiver block.
#[derive(Clone, Debug, PartialEq)]
pub enum WaiverEntry {
    /// `requirement capa.cycle_time`
    Requirement(Ident),
    /// `records "CAPA-117", "CAPA-120"`
    Records(Vec<StringLit>),
    /// `reason "…"`
    Reason(StringLit),
    /// `approved_by "…"`
    ApprovedBy(StringLit),
    /// `approved_on 2026-10-01`
    ApprovedOn(Spanned<i32>),
    /// `expires 2027-01-31`
    Expires(Spanned<i32>),
}

/// `waiver W-2026-004 { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Waiver {
    /// Waiver id.
    pub id: Ident,
    /// Entries in source order.
    pub entries: Vec<WaiverEntry>,
    /// The whole declaration.
    pub span: Span,
}

/// `applicability iso27001 { dataset soa  control control  applicable applicable  justification justification }`
#[derive(Clone, Debug, PartialEq)]
pub struct Applicability {
    /// The standard whose Annex A controls the dataset rules on.
    pub standard: Ident,
    /// The Statement of Applicability dataset.
    pub dataset: Option<Ident>,
    /// Field holding the control id.
    pub control: Option<Ident>,
    /// Bool field: is the control applicable.
    pub applicable: Option<Ident>,
    /// Text field: why (not).
    pub justification: Option<Ident>,
    /// The whole declaration.
    pub span: Span,
}

/// An entry of an attestation block.
#[derive(Clone, Debug, PartialEq)]
pub enum AttestationEntry {
    /// `clauses iso9001:5.1, …`
    Clauses(Vec<ClauseRef>, Span),
    /// `statement "…"`
    Statement(StringLit),
    /// `attested_by "…"`
    AttestedBy(StringLit),
    /// `attested_on 2026-03-02`
    AttestedOn(Spanned<i32>),
    /// `document "…"`
    Document(StringLit),
    /// `expires 2027-03-02`
    Expires(Spanned<i32>),
}

/// `attestation ATT-1 { … }`: manual evidence for clauses no export can prove.
#[derive(Clone, Debug, PartialEq)]
pub struct Attestation {
    /// Attestation id.
    pub id: Ident,
    /// Entries in source order.
    pub entries: Vec<AttestationEntry>,
    /// The whole declaration.
    pub span: Span,
}

/// `disable capa.cycle_time "reason"`: switch off a requirement of a library this project
/// builds on.
#[derive(Clone, Debug, PartialEq)]
pub struct Disable {
    /// The requirement.
    pub requirement: Ident,
    /// Why.
    pub reason: StringLit,
    /// The whole declaration.
    pub span: Span,
}

/// What a rule test asserts.
#[derive(Clone, Debug, PartialEq)]
pub enum TestExpectation {
    /// `expect pass`, `expect no_evidence`, …
    Status(Spanned<String>),
    /// `expect fail "CAPA-1", "CAPA-2"`: fails with exactly these records.
    Fails(Vec<StringLit>, Span),
    /// `expect metric name = value`
    Metric {
        /// Metric name.
        name: Ident,
        /// Expected value.
        value: Expr,
        /// The whole entry.
        span: Span,
    },
}

/// Inline evidence of a test.
#[derive(Clone, Debug, PartialEq)]
pub enum GivenData {
    /// `given capa csv "…"`: text in the dataset's own export format.
    Csv(StringLit),
    /// `given capa [ { key = "CAPA-1", … }, … ]`
    Rows(Vec<Vec<(Ident, Expr)>>),
}

/// An entry of a test block.
#[derive(Clone, Debug, PartialEq)]
pub enum TestEntry {
    /// `as_of 2026-11-22`
    AsOf(Expr),
    /// `param name = value`
    Param(Ident, Expr),
    /// `given dataset …`
    Given {
        /// The dataset.
        dataset: Ident,
        /// Its records.
        data: GivenData,
        /// The whole entry.
        span: Span,
    },
    /// `expect …`
    Expect(TestExpectation),
}

/// `test capa.cycle_time "a CAPA closed after 47 days fails" { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// The requirement under test.
    pub requirement: Ident,
    /// The test's name.
    pub name: StringLit,
    /// Entries in source order.
    pub entries: Vec<TestEntry>,
    /// The whole declaration.
    pub span: Span,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// Literal values as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `42`
    Int(i64),
    /// `4.5`
    Number(f64),
    /// `"text"`
    Text(String),
    /// `true`, `false`
    Bool(bool),
    /// `none`
    None,
    /// `2026-11-22` (days since 1970-01-01)
    Date(i32),
    /// `2026-11-22T10:00:00Z` (microseconds since the epoch)
    DateTime(i64),
    /// `24h`, `30d`, `2w` (microseconds)
    Duration(i64),
    /// `12 months`, `1 year` (months)
    Months(i32),
    /// `95%`
    Percent(f64),
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `contains`
    Contains,
    /// `matches`
    Matches,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Contains => "contains",
            BinaryOp::Matches => "matches",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// True for `< <= > >=`.
    pub fn is_ordering(self) -> bool {
        matches!(self, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
    }

    /// True for the operators of the comparison level: `== != < <= > >= in not in contains
    /// matches`. They do not chain: `a < b < c` is an error, not `(a < b) < c`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::In
                | BinaryOp::NotIn
                | BinaryOp::Contains
                | BinaryOp::Matches
        )
    }
}

/// The quantifiers and aggregates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuantKind {
    /// Every record satisfies the body.
    All,
    /// At least one record satisfies the body.
    Any,
    /// No record satisfies the body.
    No,
    /// How many records (satisfy the body).
    Count,
    /// Which percentage of records satisfies the body.
    Share,
    /// Smallest value of the body.
    Min,
    /// Largest value of the body.
    Max,
    /// Sum of the body.
    Sum,
    /// Mean of the body.
    Avg,
    /// Median of the body (linear interpolation between closest ranks).
    Median,
    /// The given percentile (`p90`), linear interpolation between closest ranks.
    Percentile(u8),
}

impl QuantKind {
    /// The keyword as written.
    pub fn name(self) -> String {
        match self {
            QuantKind::All => "all".into(),
            QuantKind::Any => "any".into(),
            QuantKind::No => "no".into(),
            QuantKind::Count => "count".into(),
            QuantKind::Share => "share".into(),
            QuantKind::Min => "min".into(),
            QuantKind::Max => "max".into(),
            QuantKind::Sum => "sum".into(),
            QuantKind::Avg => "avg".into(),
            QuantKind::Median => "median".into(),
            QuantKind::Percentile(p) => format!("p{p}"),
        }
    }

    /// True for `all`, `any`, `no`: the body is a condition and the result a verdict.
    pub fn is_logical(self) -> bool {
        matches!(self, QuantKind::All | QuantKind::Any | QuantKind::No)
    }
}

/// `all c in capa where … by …: …`
#[derive(Clone, Debug, PartialEq)]
pub struct Quantifier {
    /// Which quantifier or aggregate.
    pub kind: QuantKind,
    /// The keyword's span.
    pub kind_span: Span,
    /// The bound variable.
    pub var: Ident,
    /// A dataset name, or a list expression.
    pub source: Expr,
    /// `where` condition.
    pub filter: Option<Expr>,
    /// `by` key.
    pub group: Option<Expr>,
    /// `:` body.
    pub body: Option<Expr>,
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// `as_of`
    AsOf,
    /// A bare name: a variable, param, metric or dataset.
    Name(Ident),
    /// `expr.field`
    Field(Box<Expr>, Ident),
    /// `f(a, b)`
    Call(Ident, Vec<Expr>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `not a`, `-a`
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a is none` / `a is not none`
    IsNone {
        /// The tested value.
        expr: Box<Expr>,
        /// True for `is not none`.
        negated: bool,
    },
    /// A quantifier or aggregate.
    Quantifier(Box<Quantifier>),
}
