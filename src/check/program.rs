//! The checked program: every name resolved, every expression typed. The evaluator reads
//! only this, never the AST.

use std::sync::Arc;

use crate::evidence::spec::DatasetSpec;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, EntryKind, QuantKind, Severity, UnaryOp};
use crate::value::{Type, Value};

/// A rule project, checked.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Standard catalogs, in declaration order.
    pub standards: Vec<Standard>,
    /// Datasets, in declaration order.
    pub datasets: Vec<Dataset>,
    /// Params with their final values (after `override param`, before `--param`).
    pub params: Vec<Param>,
    /// Requirements, sorted by id.
    pub requirements: Vec<Requirement>,
    /// Waivers, sorted by id.
    pub waivers: Vec<Waiver>,
    /// Statements of Applicability, one per standard at most.
    pub applicability: Vec<Applicability>,
    /// Manual evidence, sorted by id.
    pub attestations: Vec<Attestation>,
    /// Rule tests, in source order.
    pub tests: Vec<TestCase>,
}

impl Program {
    /// The standard with this id.
    pub fn standard(&self, id: &str) -> Option<(usize, &Standard)> {
        self.standards.iter().enumerate().find(|(_, s)| s.id == id)
    }

    /// The requirement with this id.
    pub fn requirement(&self, id: &str) -> Option<(usize, &Requirement)> {
        self.requirements.iter().enumerate().find(|(_, r)| r.id == id)
    }

    /// A clause or control reference as written in rules and reports: `iso27001:A.5.18`.
    pub fn clause_label(&self, c: &ClauseRef) -> Option<String> {
        let s = self.standards.get(c.standard)?;
        Some(format!("{}:{}", s.id, s.items.get(c.item)?.id))
    }

    /// Standard indexes in the order reports list them: by the number in the id
    /// (`iso9001`, `iso20000`, `iso22301`, `iso27001`, `iso42001`), then by id.
    pub fn standards_in_order(&self) -> Vec<usize> {
        let key = |id: &str| {
            let digits: String = id
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            let prefix: String = id.chars().take_while(|c| !c.is_ascii_digit()).collect();
            (prefix, digits.parse::<u64>().unwrap_or(u64::MAX), id.to_string())
        };
        let mut order: Vec<usize> = (0..self.standards.len()).collect();
        order.sort_by_key(|&i| self.standards.get(i).map(|s| key(&s.id)));
        order
    }

    /// The param with this name.
    pub fn param(&self, name: &str) -> Option<(usize, &Param)> {
        self.params.iter().enumerate().find(|(_, p)| p.name == name)
    }
}

/// A standard's catalog.
#[derive(Clone, Debug)]
pub struct Standard {
    /// Short id (`iso27001`).
    pub id: String,
    /// Full title.
    pub title: String,
    /// Clauses and controls in catalog order.
    pub items: Vec<CatalogItem>,
    /// Identifiers of an earlier edition and the ones that replace them.
    pub superseded: Vec<(String, Vec<String>)>,
    /// The id in the declaration.
    pub span: Span,
}

impl Standard {
    /// Index of the catalog item with this id.
    pub fn item(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id == id)
    }
}

/// A clause or control of a catalog.
#[derive(Clone, Debug)]
pub struct CatalogItem {
    /// Identifier (`9.2.1`, `A.5.18`).
    pub id: String,
    /// Short title, if the clause has one.
    pub title: Option<String>,
    /// Clause or Annex A control.
    pub kind: EntryKind,
    /// The nearest enclosing item (`9.2` for `9.2.1`), if declared.
    pub parent: Option<usize>,
    /// Where it is declared.
    pub span: Span,
}

/// A reference from a requirement or attestation to a catalog item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClauseRef {
    /// Index into [`Program::standards`].
    pub standard: usize,
    /// Index into that standard's items.
    pub item: usize,
}

/// A dataset: how to load it, and its typed fields.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Name used in rules.
    pub name: String,
    /// Human title.
    pub title: Option<String>,
    /// What the loader needs.
    pub spec: DatasetSpec,
    /// Field names, types and spans (same order as `spec.fields`).
    pub fields: Vec<Field>,
    /// Indexes of the key fields, cited in findings (several form a composite key).
    pub key: Vec<usize>,
    /// How recent the newest record must be.
    pub freshness: Option<Freshness>,
    /// The dataset's name in its declaration.
    pub span: Span,
    /// The `source` entry.
    pub source_span: Span,
}

impl Dataset {
    /// Index of the field with this name.
    pub fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// A field of a dataset.
#[derive(Clone, Debug)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Declared type.
    pub ty: Type,
    /// The declaration.
    pub span: Span,
}

/// `freshness published within 7d`
#[derive(Clone, Copy, Debug)]
pub struct Freshness {
    /// Index of the date or date-time field.
    pub field: usize,
    /// Maximum age of the newest value, in microseconds.
    pub within: i64,
    /// The option.
    pub span: Span,
}

/// A param with its value.
#[derive(Clone, Debug)]
pub struct Param {
    /// Name.
    pub name: String,
    /// Type of the value.
    pub ty: Type,
    /// The value.
    pub value: Value<'static>,
    /// The name in the declaration.
    pub span: Span,
    /// The `override param` that set the value, if any.
    pub overridden_at: Option<Span>,
    /// The value written in the `param` declaration, before any override.
    pub declared_value: Value<'static>,
}

/// A requirement, checked.
#[derive(Clone, Debug)]
pub struct Requirement {
    /// Dotted id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Catalog items it serves, in order written (ranges expanded), without repeats.
    pub clauses: Vec<ClauseRef>,
    /// Grade of a failure.
    pub severity: Severity,
    /// Who answers for it.
    pub owner: Option<String>,
    /// For the auditor: what it checks, why, which records.
    pub description: Option<String>,
    /// An empty population is a pass rather than `no evidence`.
    pub allow_empty: bool,
    /// Metrics in definition order.
    pub metrics: Vec<Metric>,
    /// Expects in source order.
    pub expects: Vec<Expect>,
    /// Datasets it reads (sorted, unique).
    pub datasets: Vec<usize>,
    /// The reason given by a `disable`, if disabled.
    pub disabled: Option<String>,
    /// The id in the declaration.
    pub span: Span,
}

/// `metric name = expr`
#[derive(Clone, Debug)]
pub struct Metric {
    /// Name.
    pub name: String,
    /// The expression.
    pub expr: TExpr,
    /// True when the expression groups (`by`): one value per group.
    pub grouped: bool,
    /// The entry.
    pub span: Span,
}

/// `expect expr`
#[derive(Clone, Debug)]
pub struct Expect {
    /// The condition.
    pub expr: TExpr,
    /// The grouped metric it reads, if any: it must hold for every group.
    pub grouped_metric: Option<usize>,
    /// The entry.
    pub span: Span,
}

/// A waiver, checked.
#[derive(Clone, Debug)]
pub struct Waiver {
    /// Id.
    pub id: String,
    /// Index of the waived requirement.
    pub requirement: usize,
    /// Keys of the waived records; empty for the whole requirement.
    pub records: Vec<String>,
    /// Why.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// When it was approved (days since the epoch).
    pub approved_on: Option<i32>,
    /// Last day it applies (days since the epoch).
    pub expires: i32,
    /// The declaration.
    pub span: Span,
}

/// A Statement of Applicability dataset for a standard.
#[derive(Clone, Debug)]
pub struct Applicability {
    /// Index of the standard.
    pub standard: usize,
    /// Index of the dataset.
    pub dataset: usize,
    /// Field holding the control id.
    pub control: usize,
    /// Bool field: applicable.
    pub applicable: usize,
    /// Text field: justification.
    pub justification: Option<usize>,
    /// The declaration.
    pub span: Span,
}

/// Manual evidence for clauses no export can prove.
#[derive(Clone, Debug)]
pub struct Attestation {
    /// Id.
    pub id: String,
    /// Clauses it covers.
    pub clauses: Vec<ClauseRef>,
    /// What is attested.
    pub statement: Option<String>,
    /// Who attested.
    pub attested_by: String,
    /// When (days since the epoch).
    pub attested_on: i32,
    /// The document that shows it.
    pub document: String,
    /// Last day it counts (days since the epoch).
    pub expires: i32,
    /// The declaration.
    pub span: Span,
}

impl Attestation {
    /// Whether it counts on `today` (days since the epoch): it has been made
    /// (`attested_on` is not after it) and has not expired.
    pub fn valid_on(&self, today: i32) -> bool {
        self.attested_on <= today && today <= self.expires
    }
}

/// A rule test, checked.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// Index of the requirement under test.
    pub requirement: usize,
    /// The test's name.
    pub name: String,
    /// The evaluation instant (microseconds), if the test pins one.
    pub as_of: Option<i64>,
    /// Param values for this test.
    pub params: Vec<(usize, Value<'static>)>,
    /// Inline evidence per dataset.
    pub given: Vec<Given>,
    /// What must come out.
    pub expectations: Vec<TestExpectation>,
    /// The declaration.
    pub span: Span,
}

/// Inline evidence of a test.
#[derive(Clone, Debug)]
pub struct Given {
    /// Index of the dataset.
    pub dataset: usize,
    /// The records.
    pub data: GivenData,
    /// The entry.
    pub span: Span,
}

/// Records of a `given`.
#[derive(Clone, Debug)]
pub enum GivenData {
    /// Export text read through the dataset's declaration.
    Csv(String),
    /// Records as field values (index into the dataset's fields).
    Rows(Vec<Vec<(usize, Value<'static>)>>),
}

/// What a rule test asserts.
#[derive(Clone, Debug)]
pub enum TestExpectation {
    /// The outcome (`pass`, `fail`, `no evidence`, …), as written.
    Status(String, Span),
    /// Fails with exactly these record keys.
    Fails(Vec<String>, Span),
    /// A metric has this value.
    Metric(usize, Value<'static>, Span),
}

/// A typed expression.
#[derive(Clone, Debug)]
pub struct TExpr {
    /// What it computes.
    pub kind: TKind,
    /// Its type.
    pub ty: Type,
    /// Where it is written.
    pub span: Span,
}

/// Typed expression forms.
#[derive(Clone, Debug)]
pub enum TKind {
    /// A constant.
    Const(Value<'static>),
    /// A param's value (overridable at run time).
    Param(usize),
    /// The evaluation instant.
    AsOf,
    /// A metric of the same requirement, defined earlier.
    Metric(usize),
    /// The current element of a quantifier over a list, by binding slot.
    Var(usize),
    /// A field of the record bound in a slot.
    Field {
        /// Binding slot (0 = outermost quantifier).
        slot: usize,
        /// Index of the dataset.
        dataset: usize,
        /// Index of the field.
        field: usize,
    },
    /// `not x`, `-x`
    Unary(UnaryOp, Box<TExpr>),
    /// `a op b` (except `matches`)
    Binary(BinaryOp, Box<TExpr>, Box<TExpr>),
    /// `x matches "pattern"` with the pattern compiled.
    Matches(Box<TExpr>, Arc<regex::Regex>),
    /// `x is none` (false) / `x is not none` (true)
    IsNone(Box<TExpr>, bool),
    /// A function call.
    Call(Func, Vec<TExpr>),
    /// `[a, b]`
    List(Vec<TExpr>),
    /// A quantifier or aggregate.
    Quant(Box<TQuant>),
}

/// A typed quantifier.
#[derive(Clone, Debug)]
pub struct TQuant {
    /// Which quantifier.
    pub kind: QuantKind,
    /// The variable's name, for explanations.
    pub var: String,
    /// The binding slot of the variable (its nesting depth).
    pub slot: usize,
    /// What it ranges over.
    pub source: QSource,
    /// `where`
    pub filter: Option<TExpr>,
    /// `by`
    pub group: Option<TExpr>,
    /// `:` body
    pub body: Option<TExpr>,
}

/// What a quantifier ranges over.
#[derive(Clone, Debug)]
pub enum QSource {
    /// Every record of a dataset.
    Dataset(usize),
    /// Every element of a list.
    List(TExpr),
}

/// The built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    /// `days(duration) -> number`
    Days,
    /// `hours(duration) -> number`
    Hours,
    /// `minutes(duration) -> number`
    Minutes,
    /// `lower(text) -> text`
    Lower,
    /// `upper(text) -> text`
    Upper,
    /// `trim(text) -> text`
    Trim,
    /// `len(text | list) -> int`
    Len,
    /// `date(datetime | date) -> date` (UTC date)
    Date,
    /// `month(date | datetime) -> text` (`2026-03`)
    Month,
    /// `quarter(date | datetime) -> text` (`2026-Q1`)
    Quarter,
    /// `year(date | datetime) -> int`
    Year,
    /// `abs(number | duration | percent) -> same`
    Abs,
    /// `round(number, digits) -> number`
    Round,
    /// `coalesce(a, b) -> a's type`: `a` unless it is none.
    Coalesce,
    /// `starts_with(text, text) -> bool`
    StartsWith,
    /// `ends_with(text, text) -> bool`
    EndsWith,
}

impl Func {
    /// Every function with its name, for lookup and did-you-mean.
    pub const ALL: &'static [(&'static str, Func)] = &[
        ("days", Func::Days),
        ("hours", Func::Hours),
        ("minutes", Func::Minutes),
        ("lower", Func::Lower),
        ("upper", Func::Upper),
        ("trim", Func::Trim),
        ("len", Func::Len),
        ("date", Func::Date),
        ("month", Func::Month),
        ("quarter", Func::Quarter),
        ("year", Func::Year),
        ("abs", Func::Abs),
        ("round", Func::Round),
        ("coalesce", Func::Coalesce),
        ("starts_with", Func::StartsWith),
        ("ends_with", Func::EndsWith),
    ];

    /// The function's name.
    pub fn name(self) -> &'static str {
        Func::ALL.iter().find(|(_, f)| *f == self).map_or("?", |(n, _)| n)
    }

    /// Its signature, for help lines.
    pub fn signature(self) -> &'static str {
        match self {
            Func::Days => "days(duration) -> number",
            Func::Hours => "hours(duration) -> number",
            Func::Minutes => "minutes(duration) -> number",
            Func::Lower => "lower(text) -> text",
            Func::Upper => "upper(text) -> text",
            Func::Trim => "trim(text) -> text",
            Func::Len => "len(text or list) -> int",
            Func::Date => "date(datetime) -> date",
            Func::Month => "month(date or datetime) -> text, like \"2026-03\"",
            Func::Quarter => "quarter(date or datetime) -> text, like \"2026-Q1\"",
            Func::Year => "year(date or datetime) -> int",
            Func::Abs => "abs(number, duration or percent) -> the same type",
            Func::Round => "round(number, digits) -> number",
            Func::Coalesce => "coalesce(value, fallback) -> the value's type",
            Func::StartsWith => "starts_with(text, prefix) -> bool",
            Func::EndsWith => "ends_with(text, suffix) -> bool",
        }
    }
}
