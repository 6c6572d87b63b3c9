//! Column builders: converted cells are appended here, then frozen into a [`Table`].
//!
//! Builders of parallel chunks are appended in order ([`TableBuilder::append`]), so a table
//! never depends on how the input was split.

use crate::hashing::FxMap;
use crate::value::Type;

use super::table::{Bitmap, Column, ColumnData, NONE_CODE, NONE_DATE, NONE_MICROS, Strings, TextData};

/// A text column keeps a dictionary while it has at most this many distinct values.
pub(crate) const DICT_MAX: usize = 4096;

/// A text or list arena outgrew `u32` offsets (4 GiB in one column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Overflow;

impl Strings {
    pub(crate) fn push(&mut self, s: &str) -> Result<(), Overflow> {
        let end = self.bytes.len().checked_add(s.len()).ok_or(Overflow)?;
        let end = u32::try_from(end).map_err(|_| Overflow)?;
        self.bytes.push_str(s);
        self.offsets.push(end);
        Ok(())
    }

    fn pop(&mut self) {
        if self.offsets.len() > 1 {
            self.offsets.pop();
            let end = self.offsets.last().copied().unwrap_or(0) as usize;
            self.bytes.truncate(end);
        }
    }

    fn append(&mut self, other: &Strings) -> Result<(), Overflow> {
        let base = u32::try_from(self.bytes.len()).map_err(|_| Overflow)?;
        let total = self.bytes.len().checked_add(other.bytes.len()).ok_or(Overflow)?;
        u32::try_from(total).map_err(|_| Overflow)?;
        self.bytes.push_str(&other.bytes);
        for &offset in other.offsets.iter().skip(1) {
            self.offsets.push(base.checked_add(offset).ok_or(Overflow)?);
        }
        Ok(())
    }
}

/// Text being loaded: dictionary-encoded until it has too many distinct values.
#[derive(Debug)]
pub(crate) enum TextBuilder {
    Dict {
        codes: Vec<u32>,
        dict: Strings,
        map: FxMap<Box<str>, u32>,
    },
    Plain(Strings),
}

impl TextBuilder {
    fn new() -> TextBuilder {
        TextBuilder::Dict {
            codes: Vec::new(),
            dict: Strings::new(),
            map: FxMap::default(),
        }
    }

    fn push(&mut self, s: &str) -> Result<(), Overflow> {
        match self {
            TextBuilder::Plain(strings) => strings.push(s),
            TextBuilder::Dict { codes, dict, map } => {
                // Exports group rows (an LMS report by user, a log by session): a value
                // often repeats the previous one, which one comparison finds.
                if let Some(&last) = codes.last()
                    && dict.get(last as usize) == Some(s)
                {
                    codes.push(last);
                    return Ok(());
                }
                if let Some(&code) = map.get(s) {
                    codes.push(code);
                    return Ok(());
                }
                if map.len() >= DICT_MAX {
                    self.make_plain()?;
                    return self.push(s);
                }
                let code = u32::try_from(dict.len()).map_err(|_| Overflow)?;
                dict.push(s)?;
                map.insert(Box::from(s), code);
                codes.push(code);
                Ok(())
            }
        }
    }

    fn push_none(&mut self) -> Result<(), Overflow> {
        match self {
            TextBuilder::Plain(strings) => strings.push(""),
            TextBuilder::Dict { codes, .. } => {
                codes.push(NONE_CODE);
                Ok(())
            }
        }
    }

    /// Turns a dictionary into a plain arena (when it has too many distinct values).
    fn make_plain(&mut self) -> Result<(), Overflow> {
        if let TextBuilder::Dict { codes, dict, .. } = self {
            let mut plain = Strings::new();
            // The codes' capacity may hold a reader's estimate of the rows to come.
            let _ = plain.offsets.try_reserve(codes.capacity());
            for &code in codes.iter() {
                let text = if code == NONE_CODE {
                    ""
                } else {
                    dict.get(code as usize).unwrap_or("")
                };
                plain.push(text)?;
            }
            *self = TextBuilder::Plain(plain);
        }
        Ok(())
    }

    fn append(&mut self, mut other: TextBuilder) -> Result<(), Overflow> {
        if let (
            TextBuilder::Dict { codes, dict, map },
            TextBuilder::Dict {
                codes: other_codes,
                dict: other_dict,
                ..
            },
        ) = (&mut *self, &other)
        {
            // Remap the other dictionary's codes into ours.
            let mut remap = Vec::with_capacity(other_dict.len());
            let mut fits = true;
            for text in other_dict.iter() {
                if let Some(&code) = map.get(text) {
                    remap.push(code);
                } else if map.len() >= DICT_MAX {
                    fits = false;
                    break;
                } else {
                    let code = u32::try_from(dict.len()).map_err(|_| Overflow)?;
                    dict.push(text)?;
                    map.insert(Box::from(text), code);
                    remap.push(code);
                }
            }
            if fits {
                codes.reserve(other_codes.len());
                for &code in other_codes {
                    let mapped = if code == NONE_CODE {
                        NONE_CODE
                    } else {
                        remap.get(code as usize).copied().unwrap_or(NONE_CODE)
                    };
                    codes.push(mapped);
                }
                return Ok(());
            }
        }
        self.make_plain()?;
        other.make_plain()?;
        if let (TextBuilder::Plain(mine), TextBuilder::Plain(theirs)) = (self, &other) {
            mine.append(theirs)?;
        }
        Ok(())
    }

    fn finish(self) -> TextData {
        match self {
            TextBuilder::Plain(strings) => TextData::Plain(strings),
            TextBuilder::Dict { codes, dict, .. } => TextData::Dict { codes, dict },
        }
    }
}

/// Dates and date-times converted recently in one column: a small direct-mapped table
/// keyed by the raw text. Exports repeat a few values many times (an LMS report's
/// assignment and due dates, Jira's midnight due dates); parsing, calendar checks and
/// zone conversion then run once per distinct value. A column whose values rarely repeat
/// (event times) turns it off after a sample, so it costs little there.
#[derive(Debug, Default)]
pub(crate) struct Recent {
    slots: Vec<RecentSlot>,
    lookups: u32,
    hits: u32,
    off: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct RecentSlot {
    len: u8,
    key: [u8; RECENT_KEY],
    value: i64,
}

const RECENT_SLOTS: usize = 256;
const RECENT_KEY: usize = 23;
/// Lookups after which a column that hit less than half of the time stops looking.
const RECENT_SAMPLE: u32 = 4096;

impl Recent {
    fn slot(raw: &str) -> usize {
        (crate::hashing::hash_bytes(raw.as_bytes()) >> 56) as usize % RECENT_SLOTS
    }

    fn recall(&mut self, raw: &str) -> Option<i64> {
        if self.off || raw.len() > RECENT_KEY || self.slots.is_empty() {
            return None;
        }
        self.lookups += 1;
        let slot = *self.slots.get(Recent::slot(raw))?;
        let hit = usize::from(slot.len) == raw.len() && slot.key.get(..raw.len()) == Some(raw.as_bytes());
        if hit {
            self.hits += 1;
        }
        if self.lookups == RECENT_SAMPLE && self.hits < RECENT_SAMPLE / 2 {
            self.off = true;
            self.slots = Vec::new();
        }
        hit.then_some(slot.value)
    }

    fn remember(&mut self, raw: &str, value: i64) {
        if self.off || raw.len() > RECENT_KEY {
            return;
        }
        if self.slots.is_empty() {
            self.slots = vec![RecentSlot::default(); RECENT_SLOTS];
        }
        if let Some(slot) = self.slots.get_mut(Recent::slot(raw)) {
            slot.len = raw.len() as u8;
            if let Some(key) = slot.key.get_mut(..raw.len()) {
                key.copy_from_slice(raw.as_bytes());
            }
            slot.value = value;
        }
    }
}

/// One column being loaded.
#[derive(Debug)]
pub(crate) enum ColumnBuilder {
    Unused,
    Text(TextBuilder),
    Int { values: Vec<i64>, valid: Bitmap },
    Number(Vec<f64>),
    Percent(Vec<f64>),
    Bool { values: Bitmap, valid: Bitmap },
    Date(Vec<i32>, Recent),
    DateTime(Vec<i64>, Recent),
    Duration(Vec<i64>),
    List { offsets: Vec<u32>, items: Strings },
}

impl ColumnBuilder {
    pub(crate) fn new(ty: Type, used: bool) -> ColumnBuilder {
        if !used {
            return ColumnBuilder::Unused;
        }
        match ty {
            Type::Text | Type::Months | Type::Null => ColumnBuilder::Text(TextBuilder::new()),
            Type::Int => ColumnBuilder::Int {
                values: Vec::new(),
                valid: Bitmap::default(),
            },
            Type::Number => ColumnBuilder::Number(Vec::new()),
            Type::Percent => ColumnBuilder::Percent(Vec::new()),
            Type::Bool => ColumnBuilder::Bool {
                values: Bitmap::default(),
                valid: Bitmap::default(),
            },
            Type::Date => ColumnBuilder::Date(Vec::new(), Recent::default()),
            Type::DateTime => ColumnBuilder::DateTime(Vec::new(), Recent::default()),
            Type::Duration => ColumnBuilder::Duration(Vec::new()),
            Type::List => ColumnBuilder::List {
                offsets: vec![0],
                items: Strings::new(),
            },
        }
    }

    /// Bytes a value takes in the arrays [`ColumnBuilder::reserve`] sizes.
    fn value_bytes(&self) -> usize {
        match self {
            ColumnBuilder::Unused | ColumnBuilder::Bool { .. } => 0,
            ColumnBuilder::Text(_) | ColumnBuilder::Date(..) | ColumnBuilder::List { .. } => 4,
            ColumnBuilder::Int { .. }
            | ColumnBuilder::Number(_)
            | ColumnBuilder::Percent(_)
            | ColumnBuilder::DateTime(..)
            | ColumnBuilder::Duration(_) => 8,
        }
    }

    /// Makes room for `rows` more values without growing (a failed reservation only
    /// costs the growth it would have saved).
    fn reserve(&mut self, rows: usize) {
        let words = rows / 64 + 1;
        let _ = match self {
            ColumnBuilder::Unused => Ok(()),
            ColumnBuilder::Text(TextBuilder::Dict { codes, .. }) => codes.try_reserve(rows),
            ColumnBuilder::Text(TextBuilder::Plain(strings)) => strings.offsets.try_reserve(rows),
            ColumnBuilder::Int { values, valid } => values
                .try_reserve(rows)
                .and_then(|()| valid.words.try_reserve(words)),
            ColumnBuilder::Number(v) | ColumnBuilder::Percent(v) => v.try_reserve(rows),
            ColumnBuilder::Bool { values, valid } => values
                .words
                .try_reserve(words)
                .and_then(|()| valid.words.try_reserve(words)),
            ColumnBuilder::Date(v, _) => v.try_reserve(rows),
            ColumnBuilder::DateTime(v, _) | ColumnBuilder::Duration(v) => v.try_reserve(rows),
            ColumnBuilder::List { offsets, .. } => offsets.try_reserve(rows),
        };
    }

    /// Appends a none for this row.
    pub(crate) fn push_none(&mut self) -> Result<(), Overflow> {
        match self {
            ColumnBuilder::Unused => {}
            ColumnBuilder::Text(text) => text.push_none()?,
            ColumnBuilder::Int { values, valid } => {
                values.push(0);
                valid.push(false);
            }
            ColumnBuilder::Number(v) | ColumnBuilder::Percent(v) => v.push(f64::NAN),
            ColumnBuilder::Bool { values, valid } => {
                values.push(false);
                valid.push(false);
            }
            ColumnBuilder::Date(v, _) => v.push(NONE_DATE),
            ColumnBuilder::DateTime(v, _) | ColumnBuilder::Duration(v) => v.push(NONE_MICROS),
            ColumnBuilder::List { .. } => self.end_list()?,
        }
        Ok(())
    }

    pub(crate) fn push_text(&mut self, s: &str) -> Result<(), Overflow> {
        match self {
            ColumnBuilder::Text(text) => text.push(s),
            _ => Ok(()),
        }
    }

    pub(crate) fn push_int(&mut self, x: i64) {
        if let ColumnBuilder::Int { values, valid } = self {
            values.push(x);
            valid.push(true);
        }
    }

    pub(crate) fn push_f64(&mut self, x: f64) {
        if let ColumnBuilder::Number(v) | ColumnBuilder::Percent(v) = self {
            v.push(x);
        }
    }

    pub(crate) fn push_bool(&mut self, x: bool) {
        if let ColumnBuilder::Bool { values, valid } = self {
            values.push(x);
            valid.push(true);
        }
    }

    pub(crate) fn push_date(&mut self, days: i32) {
        if let ColumnBuilder::Date(v, _) = self {
            v.push(days);
        }
    }

    /// The value `raw` converted to earlier in this date or date-time column, if remembered.
    pub(crate) fn recall(&mut self, raw: &str) -> Option<i64> {
        match self {
            ColumnBuilder::Date(_, recent) | ColumnBuilder::DateTime(_, recent) => recent.recall(raw),
            _ => None,
        }
    }

    /// Remembers what `raw` converted to (only for conversions that left no note).
    pub(crate) fn remember(&mut self, raw: &str, value: i64) {
        if let ColumnBuilder::Date(_, recent) | ColumnBuilder::DateTime(_, recent) = self {
            recent.remember(raw, value);
        }
    }

    pub(crate) fn push_micros(&mut self, micros: i64) {
        if let ColumnBuilder::DateTime(v, _) | ColumnBuilder::Duration(v) = self {
            v.push(micros);
        }
    }

    /// Adds an item to the current (open) row of a list column.
    pub(crate) fn push_item(&mut self, item: &str) -> Result<(), Overflow> {
        if let ColumnBuilder::List { items, .. } = self {
            items.push(item)?;
        }
        Ok(())
    }

    /// Items in the current (open) row of a list column.
    pub(crate) fn open_items(&self) -> usize {
        match self {
            ColumnBuilder::List { offsets, items } => {
                let start = offsets.last().copied().unwrap_or(0) as usize;
                items.len().saturating_sub(start)
            }
            _ => 0,
        }
    }

    /// Drops the items of the current (open) row of a list column.
    pub(crate) fn discard_items(&mut self) {
        if let ColumnBuilder::List { offsets, items } = self {
            let start = offsets.last().copied().unwrap_or(0) as usize;
            if let Some(&byte) = items.offsets.get(start) {
                items.bytes.truncate(byte as usize);
            }
            items.offsets.truncate(start + 1);
        }
    }

    /// Closes the current row of a list column.
    pub(crate) fn end_list(&mut self) -> Result<(), Overflow> {
        if let ColumnBuilder::List { offsets, items } = self {
            offsets.push(u32::try_from(items.len()).map_err(|_| Overflow)?);
        }
        Ok(())
    }

    /// Removes the last row's value (a JSON alias earlier in `from` replaces a later one).
    pub(crate) fn pop(&mut self) {
        match self {
            ColumnBuilder::Unused => {}
            ColumnBuilder::Text(TextBuilder::Plain(strings)) => strings.pop(),
            ColumnBuilder::Text(TextBuilder::Dict { codes, .. }) => {
                codes.pop();
            }
            ColumnBuilder::Int { values, valid } => {
                values.pop();
                valid.pop();
            }
            ColumnBuilder::Number(v) | ColumnBuilder::Percent(v) => {
                v.pop();
            }
            ColumnBuilder::Bool { values, valid } => {
                values.pop();
                valid.pop();
            }
            ColumnBuilder::Date(v, _) => {
                v.pop();
            }
            ColumnBuilder::DateTime(v, _) | ColumnBuilder::Duration(v) => {
                v.pop();
            }
            ColumnBuilder::List { offsets, items } => {
                if offsets.len() > 1 {
                    offsets.pop();
                }
                let start = offsets.last().copied().unwrap_or(0) as usize;
                while items.len() > start {
                    items.pop();
                }
            }
        }
    }

    fn append(&mut self, other: ColumnBuilder) -> Result<(), Overflow> {
        match (self, other) {
            (ColumnBuilder::Text(a), ColumnBuilder::Text(b)) => a.append(b)?,
            (
                ColumnBuilder::Int { values, valid },
                ColumnBuilder::Int {
                    values: v2,
                    valid: b2,
                },
            ) => {
                for (i, x) in v2.into_iter().enumerate() {
                    values.push(x);
                    valid.push(b2.get(i));
                }
            }
            (ColumnBuilder::Number(a), ColumnBuilder::Number(b))
            | (ColumnBuilder::Percent(a), ColumnBuilder::Percent(b)) => a.extend(b),
            (
                ColumnBuilder::Bool { values, valid },
                ColumnBuilder::Bool {
                    values: v2,
                    valid: b2,
                },
            ) => {
                for i in 0..b2.len() {
                    values.push(v2.get(i));
                    valid.push(b2.get(i));
                }
            }
            (ColumnBuilder::Date(a, _), ColumnBuilder::Date(b, _)) => a.extend(b),
            (ColumnBuilder::DateTime(a, _), ColumnBuilder::DateTime(b, _))
            | (ColumnBuilder::Duration(a), ColumnBuilder::Duration(b)) => a.extend(b),
            (
                ColumnBuilder::List { offsets, items },
                ColumnBuilder::List {
                    offsets: o2,
                    items: i2,
                },
            ) => {
                let base = u32::try_from(items.len()).map_err(|_| Overflow)?;
                items.append(&i2)?;
                for &offset in o2.iter().skip(1) {
                    offsets.push(base.checked_add(offset).ok_or(Overflow)?);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> ColumnData {
        match self {
            ColumnBuilder::Unused => ColumnData::Unused,
            ColumnBuilder::Text(text) => ColumnData::Text(text.finish()),
            ColumnBuilder::Int { values, valid } => ColumnData::Int { values, valid },
            ColumnBuilder::Number(v) => ColumnData::Number(v),
            ColumnBuilder::Percent(v) => ColumnData::Percent(v),
            ColumnBuilder::Bool { values, valid } => ColumnData::Bool { values, valid },
            ColumnBuilder::Date(v, _) => ColumnData::Date(v),
            ColumnBuilder::DateTime(v, _) => ColumnData::DateTime(v),
            ColumnBuilder::Duration(v) => ColumnData::Duration(v),
            ColumnBuilder::List { offsets, items } => ColumnData::List { offsets, items },
        }
    }
}

/// A count of something the loader adjusted, with the first value it happened to.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Tally {
    pub(crate) count: u64,
    pub(crate) first: Option<String>,
}

impl Tally {
    pub(crate) fn add(&mut self, value: &str) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(value.to_string());
        }
    }

    fn merge(&mut self, other: Tally) {
        self.count += other.count;
        if self.first.is_none() {
            self.first = other.first;
        }
    }
}

/// Adjustments made while converting, reported in [`super::FileInfo::notes`].
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Notes {
    /// Local times in a DST gap, shifted forward.
    pub(crate) dst_gap: Tally,
    /// Local times in a DST overlap, read with the earlier offset.
    pub(crate) dst_fold: Tally,
    /// Leap seconds (`:60`) clamped to `:59`.
    pub(crate) leap: Tally,
}

impl Notes {
    /// Values noted so far.
    pub(crate) fn count(&self) -> u64 {
        self.dst_gap.count + self.dst_fold.count + self.leap.count
    }

    fn merge(&mut self, other: Notes) {
        self.dst_gap.merge(other.dst_gap);
        self.dst_fold.merge(other.dst_fold);
        self.leap.merge(other.leap);
    }

    pub(crate) fn describe(&self, out: &mut Vec<String>) {
        if let Some(first) = &self.dst_gap.first {
            out.push(format!(
                "{} local time(s) fell in a daylight-saving gap and were shifted forward by the gap's length (first: `{first}`)",
                self.dst_gap.count
            ));
        }
        if let Some(first) = &self.dst_fold.first {
            out.push(format!(
                "{} local time(s) fell in a daylight-saving overlap and were read with the earlier (summer-time) offset (first: `{first}`)",
                self.dst_fold.count
            ));
        }
        if let Some(first) = &self.leap.first {
            out.push(format!(
                "{} leap second(s) `:60` were read as `:59` (first: `{first}`)",
                self.leap.count
            ));
        }
    }
}

/// The rows of a table (or of one parallel chunk of it) being loaded.
#[derive(Debug)]
pub(crate) struct TableBuilder {
    pub(crate) columns: Vec<ColumnBuilder>,
    /// Line (CSV, JSON Lines) or row number (xlsx) of each row; empty for JSON arrays.
    pub(crate) positions: Vec<u64>,
    pub(crate) rows: usize,
    pub(crate) notes: Notes,
}

impl TableBuilder {
    pub(crate) fn new(fields: &[(Type, bool)]) -> TableBuilder {
        TableBuilder {
            columns: fields
                .iter()
                .map(|&(ty, used)| ColumnBuilder::new(ty, used))
                .collect(),
            positions: Vec::new(),
            rows: 0,
            notes: Notes::default(),
        }
    }

    /// Makes room for about `rows` more rows (a reader's estimate from the file size), so
    /// columns do not grow by doubling: each doubling copies the column and touches its
    /// pages twice. Pages reserved beyond the rows that come are never touched; still, at
    /// most `budget` bytes are reserved, so a wild estimate cannot ask for much.
    pub(crate) fn reserve(&mut self, rows: usize, budget: usize) {
        let row_bytes = 8 + self.columns.iter().map(ColumnBuilder::value_bytes).sum::<usize>();
        let rows = rows.min(budget / row_bytes);
        let _ = self.positions.try_reserve(rows);
        for column in &mut self.columns {
            column.reserve(rows);
        }
    }

    /// Starts as plain text every text column that `table` already holds as plain text
    /// (call before the first row). Appending to `table` gives the same result either way:
    /// a dictionary appended to plain text is made plain first.
    pub(crate) fn plain_like(&mut self, table: &TableBuilder) {
        for (mine, theirs) in self.columns.iter_mut().zip(&table.columns) {
            if let (
                ColumnBuilder::Text(mine @ TextBuilder::Dict { .. }),
                ColumnBuilder::Text(TextBuilder::Plain(_)),
            ) = (mine, theirs)
            {
                *mine = TextBuilder::Plain(Strings::new());
            }
        }
    }

    /// Appends the rows of a later chunk.
    pub(crate) fn append(&mut self, other: TableBuilder) -> Result<(), (usize, Overflow)> {
        for (i, (mine, theirs)) in self.columns.iter_mut().zip(other.columns).enumerate() {
            mine.append(theirs).map_err(|e| (i, e))?;
        }
        self.positions.extend(other.positions);
        self.rows += other.rows;
        self.notes.merge(other.notes);
        Ok(())
    }

    /// Freezes the columns; `names` and `sources` are per field.
    pub(crate) fn finish(self, fields: &[(String, Type, String)]) -> (Vec<Column>, Vec<u64>, usize, Notes) {
        let columns = self
            .columns
            .into_iter()
            .zip(fields)
            .map(|(builder, (name, ty, source))| Column {
                name: name.clone(),
                ty: *ty,
                source: source.clone(),
                data: builder.finish(),
            })
            .collect();
        (columns, self.positions, self.rows, self.notes)
    }
}

#[cfg(test)]
mod tests {
    use super::{ColumnBuilder, Recent, TableBuilder};
    use crate::value::Type;

    /// An estimate of the rows reserves room in every column, but never more bytes than
    /// the budget, and pushing past it still works.
    #[test]
    fn reserve_is_capped_by_the_budget() {
        let fields = [(Type::DateTime, true), (Type::Text, true), (Type::Int, false)];
        let mut table = TableBuilder::new(&fields);
        table.reserve(1000, 1 << 30);
        assert!(table.positions.capacity() >= 1000);
        let Some(ColumnBuilder::DateTime(values, _)) = table.columns.first() else {
            panic!("a date-time column");
        };
        assert!(values.capacity() >= 1000);
        // 8 (position) + 8 (date-time) + 4 (code) bytes a row: 100 rows in 2000 bytes.
        let mut small = TableBuilder::new(&fields);
        small.reserve(usize::MAX, 2000);
        assert!(small.positions.capacity() < 200);
        for i in 0..1000 {
            small.positions.push(i);
        }
        assert_eq!(small.positions.len(), 1000);
    }

    /// A key is the whole text: a remembered value is not recalled for its prefix, even
    /// when the two share a slot.
    #[test]
    fn recent_keys_are_whole_values() {
        let (long, short) = (0..100_000)
            .map(|i| (format!("2026-01-01 {i}Z"), format!("2026-01-01 {i}")))
            .find(|(long, short)| Recent::slot(long) == Recent::slot(short))
            .unwrap_or_default();
        assert!(!long.is_empty(), "no two values share a slot");
        let mut recent = Recent::default();
        recent.remember(&long, 1);
        assert_eq!(recent.recall(&short), None);
        assert_eq!(recent.recall(&long), Some(1));
    }
}
