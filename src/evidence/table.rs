//! Typed columnar tables: what loading produces and the evaluator reads (shared, read-only).
//!
//! Representation (one `Vec` per column, no per-row heap objects):
//! - text: one arena (`u32` offsets + bytes), or a dictionary (`u32` codes into a small arena)
//!   when the column has few distinct values (status, priority, department);
//! - int: `i64` values plus a validity bitmap;
//! - number, percent: `f64`, `NaN` is none (NaN text is never accepted);
//! - date: `i32` days since 1970-01-01, [`NONE_DATE`] is none;
//! - date-time and duration: `i64` microseconds (UTC for date-times), [`NONE_MICROS`] is none;
//! - bool: two bitmaps (valid, value);
//! - list: per-row `u32` item offsets into a text arena; no items is none.
//!
//! Text is trimmed of surrounding whitespace when loaded; an empty cell, a cell of only
//! whitespace and a null token are all none (absent), so text is never the empty string.

use std::borrow::Cow;

use crate::value::{Type, Value};

use super::spec::{Encoding, SourceFormat};

/// A date column's value for none.
pub const NONE_DATE: i32 = i32::MIN;
/// A date-time or duration column's value for none.
pub const NONE_MICROS: i64 = i64::MIN;
/// A dictionary column's code for none.
pub const NONE_CODE: u32 = u32::MAX;

/// Where a record is in its file, so a finding can cite it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Location {
    /// CSV: 1-based physical line where the record starts (header = line 1 unless a
    /// `#TYPE` line precedes it; multi-line cells counted); JSON Lines: the line.
    pub line: Option<u64>,
    /// JSON array: 0-based index of the record; xlsx: 1-based worksheet row number.
    pub index: Option<u64>,
}

/// Facts about a loaded file, for the report's integrity section.
#[derive(Clone, Debug, PartialEq)]
pub struct FileInfo {
    /// Path relative to the evidence directory, forward slashes.
    pub path: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Records loaded.
    pub rows: usize,
    /// How the file was read.
    pub format: SourceFormat,
    /// Encoding used to read text (always UTF-8 for xlsx).
    pub encoding: Encoding,
    /// CSV delimiter used.
    pub delimiter: Option<u8>,
    /// xlsx sheet read.
    pub sheet: Option<String>,
    /// Everything the loader decided on its own that a reviewer should know (fallback
    /// encoding, DST adjustments, a table ending at a blank line, duplicate columns).
    pub notes: Vec<String>,
}

/// A text arena: item `i` is `bytes[offsets[i]..offsets[i + 1]]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Strings {
    pub(crate) offsets: Vec<u32>,
    pub(crate) bytes: String,
}

impl Strings {
    pub(crate) fn new() -> Strings {
        Strings {
            offsets: vec![0],
            bytes: String::new(),
        }
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when there are no strings.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// String `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<&str> {
        let start = *self.offsets.get(i)? as usize;
        let end = *self.offsets.get(i.checked_add(1)?)? as usize;
        self.bytes.get(start..end)
    }

    /// All strings in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Bytes held.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }
}

/// A bitmap of `len` bits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bitmap {
    pub(crate) words: Vec<u64>,
    pub(crate) len: usize,
}

impl Bitmap {
    /// Bit `i`; false past the end.
    pub fn get(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|word| word & (1u64 << (i % 64)) != 0)
    }

    pub(crate) fn push(&mut self, bit: bool) {
        if self.len % 64 == 0 {
            self.words.push(0);
        }
        if bit && let Some(word) = self.words.last_mut() {
            *word |= 1u64 << (self.len % 64);
        }
        self.len += 1;
    }

    pub(crate) fn pop(&mut self) {
        if self.len == 0 {
            return;
        }
        self.len -= 1;
        if self.len % 64 == 0 {
            self.words.pop();
        } else if let Some(word) = self.words.last_mut() {
            *word &= !(1u64 << (self.len % 64));
        }
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Text storage: plain or dictionary-encoded.
#[derive(Clone, Debug, PartialEq)]
pub enum TextData {
    /// One string per row; an empty string is none.
    Plain(Strings),
    /// One code per row into `dict` ([`NONE_CODE`] is none).
    Dict {
        /// Row codes.
        codes: Vec<u32>,
        /// Distinct values, in order of first appearance.
        dict: Strings,
    },
}

/// A column's typed values.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnData {
    /// The field is declared but no rule reads it: the column exists, values are not kept.
    Unused,
    /// Text.
    Text(TextData),
    /// Whole numbers; `valid` tells which rows have one.
    Int {
        /// Values (0 where none).
        values: Vec<i64>,
        /// Which rows have a value.
        valid: Bitmap,
    },
    /// Decimal numbers; NaN is none.
    Number(Vec<f64>),
    /// Percentages (`95.0` is 95 %); NaN is none.
    Percent(Vec<f64>),
    /// Booleans.
    Bool {
        /// The value bits.
        values: Bitmap,
        /// Which rows have a value.
        valid: Bitmap,
    },
    /// Days since 1970-01-01; [`NONE_DATE`] is none.
    Date(Vec<i32>),
    /// Microseconds since the epoch, UTC; [`NONE_MICROS`] is none.
    DateTime(Vec<i64>),
    /// Microseconds; [`NONE_MICROS`] is none.
    Duration(Vec<i64>),
    /// Lists of text: row `r` holds `items[offsets[r]..offsets[r + 1]]`.
    List {
        /// `rows + 1` offsets into `items`.
        offsets: Vec<u32>,
        /// All items of all rows.
        items: Strings,
    },
}

/// One declared field's values for every row.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub(crate) name: String,
    pub(crate) ty: Type,
    pub(crate) source: String,
    pub(crate) data: ColumnData,
}

static ABSENT: Column = Column {
    name: String::new(),
    ty: Type::Null,
    source: String::new(),
    data: ColumnData::Unused,
};

impl Column {
    /// The field's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field's declared type.
    pub fn ty(&self) -> Type {
        self.ty
    }

    /// The column name or JSON path the values came from (the first alias that matched).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The typed storage, for hot loops.
    pub fn data(&self) -> &ColumnData {
        &self.data
    }

    /// False for a field no rule reads (its values were not loaded).
    pub fn is_used(&self) -> bool {
        !matches!(self.data, ColumnData::Unused)
    }

    /// True when the row has no value (or is past the end).
    pub fn is_none(&self, row: usize) -> bool {
        match &self.data {
            ColumnData::Unused => true,
            ColumnData::Text(_) => self.text(row).is_none(),
            ColumnData::Int { valid, .. } | ColumnData::Bool { valid, .. } => !valid.get(row),
            ColumnData::Number(v) | ColumnData::Percent(v) => v.get(row).is_none_or(|x| x.is_nan()),
            ColumnData::Date(v) => v.get(row).is_none_or(|&x| x == NONE_DATE),
            ColumnData::DateTime(v) | ColumnData::Duration(v) => v.get(row).is_none_or(|&x| x == NONE_MICROS),
            ColumnData::List { .. } => self.list(row).next().is_none(),
        }
    }

    /// The text of a text column's row.
    pub fn text(&self, row: usize) -> Option<&str> {
        match &self.data {
            ColumnData::Text(TextData::Plain(strings)) => strings.get(row).filter(|s| !s.is_empty()),
            ColumnData::Text(TextData::Dict { codes, dict }) => {
                let code = *codes.get(row)?;
                if code == NONE_CODE {
                    None
                } else {
                    dict.get(code as usize)
                }
            }
            _ => None,
        }
    }

    /// The dictionary code of a dictionary-encoded text column's row (`None`: none, or the
    /// column is not dictionary-encoded). Equal codes mean equal text.
    pub fn text_code(&self, row: usize) -> Option<u32> {
        match &self.data {
            ColumnData::Text(TextData::Dict { codes, .. }) => {
                codes.get(row).copied().filter(|&c| c != NONE_CODE)
            }
            _ => None,
        }
    }

    /// The dictionary of a dictionary-encoded text column.
    pub fn dictionary(&self) -> Option<&Strings> {
        match &self.data {
            ColumnData::Text(TextData::Dict { dict, .. }) => Some(dict),
            _ => None,
        }
    }

    /// Row codes of a dictionary-encoded text column.
    pub fn codes(&self) -> Option<&[u32]> {
        match &self.data {
            ColumnData::Text(TextData::Dict { codes, .. }) => Some(codes),
            _ => None,
        }
    }

    /// An int column's value.
    pub fn int(&self, row: usize) -> Option<i64> {
        match &self.data {
            ColumnData::Int { values, valid } if valid.get(row) => values.get(row).copied(),
            _ => None,
        }
    }

    /// A number or percent column's value.
    pub fn number(&self, row: usize) -> Option<f64> {
        match &self.data {
            ColumnData::Number(v) | ColumnData::Percent(v) => v.get(row).copied().filter(|x| !x.is_nan()),
            _ => None,
        }
    }

    /// A bool column's value.
    pub fn bool(&self, row: usize) -> Option<bool> {
        match &self.data {
            ColumnData::Bool { values, valid } if valid.get(row) => Some(values.get(row)),
            _ => None,
        }
    }

    /// A date column's value (days since 1970-01-01).
    pub fn date(&self, row: usize) -> Option<i32> {
        self.as_dates()?.get(row).copied().filter(|&x| x != NONE_DATE)
    }

    /// A date-time column's value (microseconds, UTC).
    pub fn datetime(&self, row: usize) -> Option<i64> {
        self.as_datetimes()?
            .get(row)
            .copied()
            .filter(|&x| x != NONE_MICROS)
    }

    /// A duration column's value (microseconds).
    pub fn duration(&self, row: usize) -> Option<i64> {
        self.as_durations()?
            .get(row)
            .copied()
            .filter(|&x| x != NONE_MICROS)
    }

    /// All values of an int column (check [`Column::int_validity`] for none).
    pub fn as_ints(&self) -> Option<&[i64]> {
        match &self.data {
            ColumnData::Int { values, .. } => Some(values),
            _ => None,
        }
    }

    /// Validity of an int column.
    pub fn int_validity(&self) -> Option<&Bitmap> {
        match &self.data {
            ColumnData::Int { valid, .. } => Some(valid),
            _ => None,
        }
    }

    /// All values of a number column (NaN is none).
    pub fn as_numbers(&self) -> Option<&[f64]> {
        match &self.data {
            ColumnData::Number(v) => Some(v),
            _ => None,
        }
    }

    /// All values of a percent column (NaN is none).
    pub fn as_percents(&self) -> Option<&[f64]> {
        match &self.data {
            ColumnData::Percent(v) => Some(v),
            _ => None,
        }
    }

    /// All values of a date column ([`NONE_DATE`] is none).
    pub fn as_dates(&self) -> Option<&[i32]> {
        match &self.data {
            ColumnData::Date(v) => Some(v),
            _ => None,
        }
    }

    /// All values of a date-time column ([`NONE_MICROS`] is none).
    pub fn as_datetimes(&self) -> Option<&[i64]> {
        match &self.data {
            ColumnData::DateTime(v) => Some(v),
            _ => None,
        }
    }

    /// All values of a duration column ([`NONE_MICROS`] is none).
    pub fn as_durations(&self) -> Option<&[i64]> {
        match &self.data {
            ColumnData::Duration(v) => Some(v),
            _ => None,
        }
    }

    /// The items of a list column's row (empty for none or another type).
    pub fn list(&self, row: usize) -> ListItems<'_> {
        match &self.data {
            ColumnData::List { offsets, items } => {
                let start = offsets.get(row).copied().unwrap_or(0) as usize;
                let end = row
                    .checked_add(1)
                    .and_then(|next| offsets.get(next))
                    .map_or(start, |&end| end as usize);
                ListItems {
                    items: Some(items),
                    next: start,
                    end,
                }
            }
            _ => ListItems {
                items: None,
                next: 0,
                end: 0,
            },
        }
    }

    /// The row's value; borrows text, allocates only for lists.
    pub fn value(&self, row: usize) -> Value<'_> {
        let value = match &self.data {
            ColumnData::Unused => None,
            ColumnData::Text(_) => self.text(row).map(|t| Value::Text(Cow::Borrowed(t))),
            ColumnData::Int { .. } => self.int(row).map(Value::Int),
            ColumnData::Number(_) => self.number(row).map(Value::Number),
            ColumnData::Percent(_) => self.number(row).map(Value::Percent),
            ColumnData::Bool { .. } => self.bool(row).map(Value::Bool),
            ColumnData::Date(_) => self.date(row).map(Value::Date),
            ColumnData::DateTime(_) => self.datetime(row).map(Value::DateTime),
            ColumnData::Duration(_) => self.duration(row).map(Value::Duration),
            ColumnData::List { .. } => {
                let items: Vec<Cow<'_, str>> = self.list(row).map(Cow::Borrowed).collect();
                (!items.is_empty()).then_some(Value::List(items))
            }
        };
        value.unwrap_or(Value::None)
    }
}

/// The items of one list cell.
#[derive(Clone, Debug)]
pub struct ListItems<'a> {
    items: Option<&'a Strings>,
    next: usize,
    end: usize,
}

impl<'a> Iterator for ListItems<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.next >= self.end {
            return None;
        }
        let item = self.items?.get(self.next);
        self.next += 1;
        item
    }
}

/// Where each row came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Provenance {
    /// CSV and JSON Lines: the line of each row.
    Lines(Vec<u64>),
    /// xlsx: the worksheet row number of each row.
    Indexes(Vec<u64>),
    /// JSON array: row `r` is element `r`.
    Sequential,
}

/// A loaded dataset: one typed column per declared field, in declaration order.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub(crate) dataset: String,
    pub(crate) key: Option<usize>,
    pub(crate) columns: Vec<Column>,
    pub(crate) rows: usize,
    pub(crate) provenance: Provenance,
    pub(crate) file: FileInfo,
}

impl Table {
    /// Dataset name in the rules.
    pub fn dataset(&self) -> &str {
        &self.dataset
    }

    /// Number of records.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// All columns, in declaration order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column of field number `field` (declaration order); an empty unused column past
    /// the end.
    pub fn column(&self, field: usize) -> &Column {
        self.columns.get(field).unwrap_or(&ABSENT)
    }

    /// The field number of a field name.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The field declared `key`, if any.
    pub fn key_field(&self) -> Option<usize> {
        self.key
    }

    /// The key of a row as text (ints are not rendered: use [`Table::value`]).
    pub fn key_text(&self, row: usize) -> Option<&str> {
        self.column(self.key?).text(row)
    }

    /// One value; borrows text, allocates only for lists.
    pub fn value(&self, field: usize, row: usize) -> Value<'_> {
        if row >= self.rows {
            return Value::None;
        }
        self.column(field).value(row)
    }

    /// Where row `row` is in the file.
    pub fn provenance(&self, row: usize) -> Location {
        match &self.provenance {
            Provenance::Lines(lines) => Location {
                line: lines.get(row).copied(),
                index: None,
            },
            Provenance::Indexes(indexes) => Location {
                line: None,
                index: indexes.get(row).copied(),
            },
            Provenance::Sequential => Location {
                line: None,
                index: (row < self.rows).then_some(row as u64),
            },
        }
    }

    /// The file's path, hash, size, row count, encoding and notes.
    pub fn file(&self) -> &FileInfo {
        &self.file
    }
}
