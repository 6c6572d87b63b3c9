//! Typed conversion of one cell, driven by a prepared field declaration.
//!
//! Every cell goes the same way: surrounding whitespace is trimmed; with
//! `unescape_formulas`, one leading `'` before `=`, `+`, `-` or `@` is dropped; an empty
//! cell or a null token (ASCII case ignored) is none; otherwise the text is converted to the
//! field's type, or the load fails with the value and what was expected.

use std::fmt::Write;

use crate::value::Type;

use super::build::{ColumnBuilder, Notes, Overflow};
use super::datetime::{self, DateFormat, Parts, Temporal, Zone};
use super::error::{LoadError, LoadErrorKind};
use super::number::{self, DurationError};
use super::spec::{DatasetSpec, DurationUnit, FieldSpec};

/// A cell as a reader found it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
    /// An Excel date-time cell: its serial number (1900 or 1904 system already applied).
    ExcelDate {
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        millis: u32,
    },
    Null,
}

/// Why a cell did not convert.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Problem {
    /// Not a value of the field's type; an optional specific reason.
    Invalid(Option<String>),
    /// Empty, and the field is required.
    Required,
    /// A column's text outgrew 4 GiB.
    Overflow,
}

impl From<Overflow> for Problem {
    fn from(_: Overflow) -> Problem {
        Problem::Overflow
    }
}

#[derive(Clone, Debug)]
enum Kind {
    Text,
    Int { comma: bool },
    Number { comma: bool },
    Percent { comma: bool },
    Bool { yes: Vec<String>, no: Vec<String> },
    Date(Temporal),
    DateTime(Temporal),
    Duration { unit: Option<DurationUnit>, comma: bool },
    List { separator: String },
}

/// A field declaration prepared for conversion.
#[derive(Clone, Debug)]
pub(crate) struct FieldConv {
    pub(crate) name: String,
    pub(crate) ty: Type,
    pub(crate) used: bool,
    pub(crate) required: bool,
    pub(crate) from: Vec<String>,
    nulls: Vec<String>,
    unescape: bool,
    kind: Kind,
}

/// A small stack buffer for rendering numbers as text without allocating.
struct StackText {
    buf: [u8; 64],
    len: usize,
}

impl Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(std::fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl StackText {
    fn new() -> StackText {
        StackText { buf: [0; 64], len: 0 }
    }

    fn as_str(&self) -> &str {
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

fn render_float(x: f64, out: &mut StackText) {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let _ = write!(out, "{}", x as i64);
    } else if x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-6) {
        let _ = write!(out, "{x:e}");
    } else {
        let _ = write!(out, "{x}");
    }
}

fn decl(spec: &DatasetSpec, field: &FieldSpec, problem: String, fix: &str) -> LoadError {
    LoadError::new(
        &spec.name,
        &spec.source,
        LoadErrorKind::InvalidDeclaration {
            field: Some(field.name.clone()),
            problem,
            fix: fix.to_string(),
        },
    )
}

impl FieldConv {
    /// Prepares a field; declaration mistakes are D414 errors.
    pub(crate) fn prepare(spec: &DatasetSpec, field: &FieldSpec) -> Result<FieldConv, LoadError> {
        let comma = field.decimal_comma.unwrap_or(spec.decimal_comma);
        let pivot = spec.year_pivot.unwrap_or(1970);
        if field.from.is_empty() || field.from.iter().any(String::is_empty) {
            return Err(decl(
                spec,
                field,
                String::from("no column name or JSON path is given"),
                "add `from \"Column name\"` to the field",
            ));
        }
        let temporal = || -> Result<Temporal, LoadError> {
            let mut formats = Vec::new();
            for text in &field.formats {
                formats.push(DateFormat::compile(text).map_err(|problem| {
                    decl(
                        spec,
                        field,
                        problem,
                        "use the directives `%Y %y %m %-m %d %-d %e %b %B %H %-H %I %-I %M %S %f %.f %p %z %Z %s %T %F %D`",
                    )
                })?);
            }
            let zone_name = field.timezone.as_ref().or(spec.timezone.as_ref());
            let zone = match zone_name {
                Some(name) => Zone::from_name(name).map_err(|problem| {
                    decl(
                        spec,
                        field,
                        problem,
                        "write an IANA zone name such as `Europe/Helsinki` or `UTC`",
                    )
                })?,
                None => Zone::Utc,
            };
            Ok(Temporal { formats, zone, pivot })
        };
        if !field.formats.is_empty() && !matches!(field.ty, Type::Date | Type::DateTime) {
            return Err(decl(
                spec,
                field,
                format!(
                    "`format` applies to date and datetime fields, not to {}",
                    field.ty
                ),
                "remove `format`, or declare the field as `date` or `datetime`",
            ));
        }
        if field.unit.is_some() && field.ty != Type::Duration {
            return Err(decl(
                spec,
                field,
                format!("`unit` applies to duration fields, not to {}", field.ty),
                "remove `unit`, or declare the field as `duration`",
            ));
        }
        let words = |own: &[String], dataset: &[String], default: &[&str]| -> Vec<String> {
            let chosen: Vec<String> = if !own.is_empty() {
                own.to_vec()
            } else if !dataset.is_empty() {
                dataset.to_vec()
            } else {
                default.iter().map(|w| w.to_string()).collect()
            };
            chosen.into_iter().map(|w| w.trim().to_string()).collect()
        };
        let kind = match field.ty {
            Type::Text => Kind::Text,
            Type::Int => Kind::Int { comma },
            Type::Number => Kind::Number { comma },
            Type::Percent => Kind::Percent { comma },
            Type::Bool => {
                let yes = words(&field.true_values, &spec.true_values, &["true", "yes", "1"]);
                let no = words(&field.false_values, &spec.false_values, &["false", "no", "0"]);
                if let Some(both) = yes.iter().find(|y| no.iter().any(|n| n.eq_ignore_ascii_case(y))) {
                    return Err(decl(
                        spec,
                        field,
                        format!("`{both}` is declared both true and false"),
                        "give each word to one side only",
                    ));
                }
                Kind::Bool { yes, no }
            }
            Type::Date => Kind::Date(temporal()?),
            Type::DateTime => Kind::DateTime(temporal()?),
            Type::Duration => Kind::Duration {
                unit: field.unit,
                comma,
            },
            Type::List => {
                let separator = field
                    .separator
                    .clone()
                    .or_else(|| spec.list_separator.clone())
                    .unwrap_or_else(|| String::from(";"));
                if separator.is_empty() {
                    return Err(decl(
                        spec,
                        field,
                        String::from("the list separator is empty"),
                        "declare a separator such as `;` or `,`",
                    ));
                }
                Kind::List { separator }
            }
            Type::Months | Type::Null => {
                return Err(decl(
                    spec,
                    field,
                    format!("evidence fields cannot have type {}", field.ty),
                    "declare the field as text, int, number, bool, date, datetime, duration, percent or list",
                ));
            }
        };
        let nulls = spec
            .null_tokens
            .iter()
            .chain(&field.null_tokens)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        Ok(FieldConv {
            name: field.name.clone(),
            ty: field.ty,
            used: field.used,
            required: field.required,
            from: field.from.clone(),
            nulls,
            unescape: spec.unescape_formulas,
            kind,
        })
    }

    /// What a value must look like, for messages.
    pub(crate) fn expected(&self) -> String {
        match &self.kind {
            Kind::Text => String::from("text"),
            Kind::List { separator } => {
                format!("text items: a JSON array of strings or numbers, or text split at `{separator}`")
            }
            Kind::Int { comma: false } => String::from("a whole number such as `42`"),
            Kind::Int { comma: true } => String::from("a whole number such as `42` or `1.234`"),
            Kind::Number { comma: false } => {
                String::from("a number such as `1234.5` (no thousands separators)")
            }
            Kind::Number { comma: true } => {
                String::from("a number with a decimal comma such as `1.234,5` or `1234,5`")
            }
            Kind::Percent { comma } => format!(
                "a percentage such as `{}` or `95` (no fractions of one)",
                if *comma { "95,5 %" } else { "95.5%" }
            ),
            Kind::Bool { yes, no } => {
                let all: Vec<String> = yes.iter().chain(no).map(|w| format!("`{w}`")).collect();
                format!("one of {} (any case)", all.join(", "))
            }
            Kind::Date(t) => t.expected(true),
            Kind::DateTime(t) => t.expected(false),
            Kind::Duration { unit, .. } => {
                let mut text =
                    String::from("a duration such as `4h`, `1d 2h`, `90 min`, `PT4H30M` or `01:30:00`");
                if let Some(unit) = unit {
                    text.push_str(&format!(", or a number of {}", unit.name()));
                }
                text
            }
        }
    }

    /// Trims, unescapes and checks null tokens; `None` for an empty value.
    pub(crate) fn clean<'s>(&self, raw: &'s str) -> Option<&'s str> {
        // Printable ASCII at both ends (most cells) has nothing to trim; `trim` decodes
        // characters from both ends to find Unicode spaces.
        let plain = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x7F);
        let mut s = if plain(raw.as_bytes().first()) && plain(raw.as_bytes().last()) {
            raw
        } else {
            raw.trim()
        };
        if self.unescape
            && let Some(rest) = s.strip_prefix('\'')
            && rest.starts_with(['=', '+', '-', '@'])
        {
            s = rest;
        }
        if s.is_empty() || self.nulls.iter().any(|t| t.eq_ignore_ascii_case(s)) {
            None
        } else {
            Some(s)
        }
    }

    fn none(&self, col: &mut ColumnBuilder) -> Result<(), Problem> {
        if self.required {
            return Err(Problem::Required);
        }
        col.push_none()?;
        Ok(())
    }

    /// Converts one cell and appends it to `col`.
    pub(crate) fn convert(
        &self,
        cell: Cell<'_>,
        col: &mut ColumnBuilder,
        notes: &mut Notes,
    ) -> Result<(), Problem> {
        match cell {
            Cell::Text(raw) => self.text(raw, col, notes),
            Cell::Null => self.none(col),
            Cell::Int(i) => match &self.kind {
                Kind::Int { .. } => {
                    col.push_int(i);
                    Ok(())
                }
                Kind::Number { .. } | Kind::Percent { .. } => {
                    col.push_f64(i as f64);
                    Ok(())
                }
                _ => {
                    let mut text = StackText::new();
                    let _ = write!(text, "{i}");
                    self.text(text.as_str(), col, notes)
                }
            },
            Cell::UInt(u) => match i64::try_from(u) {
                Ok(i) => self.convert(Cell::Int(i), col, notes),
                Err(_) => match &self.kind {
                    Kind::Number { .. } | Kind::Percent { .. } => {
                        col.push_f64(u as f64);
                        Ok(())
                    }
                    Kind::Int { .. } => Err(Problem::Invalid(Some(String::from(
                        "the number is too large for an int",
                    )))),
                    _ => {
                        let mut text = StackText::new();
                        let _ = write!(text, "{u}");
                        self.text(text.as_str(), col, notes)
                    }
                },
            },
            Cell::Float(x) => self.float(x, col, notes),
            Cell::Bool(b) => match &self.kind {
                Kind::Bool { .. } => {
                    col.push_bool(b);
                    Ok(())
                }
                Kind::Text | Kind::List { .. } => self.text(if b { "true" } else { "false" }, col, notes),
                _ => Err(Problem::Invalid(Some(format!("found the boolean `{b}`")))),
            },
            Cell::ExcelDate {
                year,
                month,
                day,
                hour,
                minute,
                second,
                millis,
            } => {
                let mut parts = Parts {
                    year,
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    micros: millis * 1000,
                    ..Parts::default()
                };
                self.parts(&mut parts, col, notes)
            }
        }
    }

    fn float(&self, x: f64, col: &mut ColumnBuilder, notes: &mut Notes) -> Result<(), Problem> {
        if !x.is_finite() {
            return Err(Problem::Invalid(Some(String::from("not a finite number"))));
        }
        match &self.kind {
            Kind::Number { .. } | Kind::Percent { .. } => {
                col.push_f64(x);
                Ok(())
            }
            Kind::Int { .. } if x.fract() == 0.0 && x.abs() < 9.2e18 => {
                col.push_int(x as i64);
                Ok(())
            }
            Kind::Duration { unit: Some(unit), .. } => {
                let micros = x * unit.micros() as f64;
                if micros.is_finite() && micros.abs() < 9.2e18 {
                    col.push_micros(micros.round() as i64);
                    Ok(())
                } else {
                    Err(Problem::Invalid(Some(String::from("the duration is too long"))))
                }
            }
            Kind::Date(_) | Kind::DateTime(_) => {
                let mut parts = datetime::excel_serial_parts(x)
                    .ok_or_else(|| Problem::Invalid(Some(String::from("not an Excel date serial number"))))?;
                self.parts(&mut parts, col, notes)
            }
            _ => {
                let mut text = StackText::new();
                render_float(x, &mut text);
                self.text(text.as_str(), col, notes)
            }
        }
    }

    /// A date or date-time given as wall-clock parts (Excel cells).
    fn parts(&self, parts: &mut Parts, col: &mut ColumnBuilder, notes: &mut Notes) -> Result<(), Problem> {
        match &self.kind {
            Kind::Date(_) => {
                let days = datetime::validate_date(parts).map_err(|r| Problem::Invalid(Some(r)))?;
                col.push_date(days);
                Ok(())
            }
            Kind::DateTime(t) => {
                let raw = format!(
                    "{} {:02}:{:02}:{:02}",
                    datetime::format_date(datetime::days_from_civil(parts.year, parts.month, parts.day)),
                    parts.hour,
                    parts.minute,
                    parts.second
                );
                let micros =
                    datetime::parts_instant(t, parts, &raw, notes).map_err(|r| Problem::Invalid(Some(r)))?;
                col.push_micros(micros);
                Ok(())
            }
            Kind::Text | Kind::List { .. } => {
                let mut text =
                    datetime::format_date(datetime::days_from_civil(parts.year, parts.month, parts.day));
                if parts.hour + parts.minute + parts.second + parts.micros > 0 {
                    text.push_str(&format!(
                        " {:02}:{:02}:{:02}",
                        parts.hour, parts.minute, parts.second
                    ));
                }
                self.text(&text, col, notes)
            }
            _ => Err(Problem::Invalid(Some(String::from("found a date")))),
        }
    }

    /// Converts a text cell.
    pub(crate) fn text(&self, raw: &str, col: &mut ColumnBuilder, notes: &mut Notes) -> Result<(), Problem> {
        let Some(s) = self.clean(raw) else {
            return self.none(col);
        };
        match &self.kind {
            Kind::Text => col.push_text(s)?,
            Kind::Int { comma } => {
                let value = number::parse_int(s, *comma)
                    .or_else(|| grouped_int(s, *comma))
                    .ok_or(Problem::Invalid(None))?;
                col.push_int(value);
            }
            Kind::Number { comma } => {
                col.push_f64(number::parse_number(s, *comma).ok_or(Problem::Invalid(None))?);
            }
            Kind::Percent { comma } => {
                col.push_f64(number::parse_percent(s, *comma).ok_or(Problem::Invalid(None))?);
            }
            Kind::Bool { yes, no } => {
                if yes.iter().any(|w| w.eq_ignore_ascii_case(s)) {
                    col.push_bool(true);
                } else if no.iter().any(|w| w.eq_ignore_ascii_case(s)) {
                    col.push_bool(false);
                } else {
                    return Err(Problem::Invalid(None));
                }
            }
            Kind::Date(t) => {
                let days = match col.recall(s) {
                    Some(days) => i32::try_from(days).map_err(|_| Problem::Invalid(None))?,
                    None => {
                        let days = t.date(s).map_err(Problem::Invalid)?;
                        col.remember(s, i64::from(days));
                        days
                    }
                };
                col.push_date(days);
            }
            Kind::DateTime(t) => {
                let micros = match col.recall(s) {
                    Some(micros) => micros,
                    None => {
                        // A value that was noted (a DST gap or fold, a leap second) is
                        // converted again each time, so every occurrence is counted.
                        let noted = notes.count();
                        let micros = t.datetime(s, notes).map_err(Problem::Invalid)?;
                        if notes.count() == noted {
                            col.remember(s, micros);
                        }
                        micros
                    }
                };
                col.push_micros(micros);
            }
            Kind::Duration { unit, comma } => {
                let micros = number::parse_duration(s, *unit, *comma).map_err(|e| {
                    Problem::Invalid(match e {
                        DurationError::Syntax => None,
                        DurationError::NoUnit => Some(String::from(
                            "a bare number needs a declared `unit` (seconds, minutes, hours or days)",
                        )),
                        DurationError::Overflow => Some(String::from("the duration is too long")),
                        DurationError::Calendar => {
                            Some(String::from("years and months are not exact lengths of time"))
                        }
                    })
                })?;
                col.push_micros(micros);
            }
            Kind::List { .. } => {
                self.items(s, col)?;
                return self.end_list(col);
            }
        }
        Ok(())
    }

    /// Adds the items of one list cell to the open row (several cells may feed one row:
    /// Jira's repeated `Labels` columns).
    pub(crate) fn items(&self, raw: &str, col: &mut ColumnBuilder) -> Result<(), Problem> {
        let Some(s) = self.clean(raw) else {
            return Ok(());
        };
        let Kind::List { separator } = &self.kind else {
            return Ok(());
        };
        for item in s.split(separator.as_str()) {
            if let Some(item) = self.clean(item) {
                col.push_item(item)?;
            }
        }
        Ok(())
    }

    /// Closes the open row of a list column (required: at least one item).
    pub(crate) fn end_list(&self, col: &mut ColumnBuilder) -> Result<(), Problem> {
        if self.required && col.open_items() == 0 {
            return Err(Problem::Required);
        }
        col.end_list()?;
        Ok(())
    }

    /// True for list fields.
    pub(crate) fn is_list(&self) -> bool {
        matches!(self.kind, Kind::List { .. })
    }
}

/// With a decimal comma, `1.234` is one thousand two hundred and thirty-four.
fn grouped_int(s: &str, comma: bool) -> Option<i64> {
    if !comma {
        return None;
    }
    let x = number::parse_number(s, true)?;
    (x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64)
}

#[cfg(test)]
#[path = "tests/convert.rs"]
mod tests;
