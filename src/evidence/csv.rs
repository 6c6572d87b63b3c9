//! CSV: RFC 4180 quoting (multi-line cells, CRLF or LF), `,` `;` or tab sniffed from the
//! header line, a UTF-8 BOM, a leading PowerShell `#TYPE` line, repeated and unnamed
//! headers, a table that ends at the first blank line (a hand-made sheet followed by
//! notes or a Markdown table), and rows of only empty cells (`,,,,`), which are skipped.
//! What follows the blank line must not read as records of the header's width (D420), and
//! a quoted cell left open at the end of the file is an error (D419): neither loses rows
//! silently.
//!
//! Header matching: each name in `from` is tried in order; an exact match wins; otherwise a
//! match ignoring case and surrounding spaces is used only if it names one distinct header
//! (two headers such as `Testing Status` and `Testing status` make it an error). A list
//! field collects every non-empty cell of every column with the matched name, in order
//! (Jira's repeated `Labels`); another field reads the first such column.
//!
//! Rows: a row with fewer cells than the header is an error; extra cells must be empty.

use std::path::Path;

use super::build::TableBuilder;
use super::csv_records::{Batch, Record, Records};
use super::error::LoadErrorKind;
use super::input::Input;
use super::spec::Encoding;
use super::{
    Fail, FileFacts, LoadObserver, Location, MAX_CELL_BYTES, MAX_HEADER_BYTES, Plan, ProvenanceKind, Table,
};

const BLOCK: usize = if cfg!(test) { 4096 } else { 1 << 20 };

pub(crate) fn load(
    plan: &Plan<'_>,
    path: &Path,
    encoding: Encoding,
    observer: &dyn LoadObserver,
) -> Result<Table, Fail> {
    let mut input = Input::open(path, Some(encoding), BLOCK, observer, &plan.spec.name)
        .map_err(|e| plan.input_error(e))?;
    let mut notes = Vec::new();

    // The header line (and a `#TYPE` line before it) must be in the buffer to sniff.
    let mut line_offset = 0u64;
    let header_end = loop {
        let data = input.data();
        let skip_type = data.starts_with(b"#TYPE") || data.starts_with(b"#type");
        let start = if skip_type {
            memchr::memchr(b'\n', data).map(|n| n + 1)
        } else {
            Some(0)
        };
        if let Some(start) = start
            && let Some(end) = header_line_end(data.get(start..).unwrap_or(&[]))
        {
            if skip_type {
                input.consume(start);
                line_offset = 1;
                notes.push(String::from(
                    "skipped the PowerShell `#TYPE` line before the header",
                ));
            }
            break Some(end);
        }
        if input.data().len() > MAX_HEADER_BYTES {
            return Err(Fail::Load(plan.error(LoadErrorKind::TooLarge {
                what: String::from("the header line"),
                size: input.data().len() as u64,
                limit: MAX_HEADER_BYTES as u64,
            })));
        }
        if input.at_eof() {
            break None;
        }
        input.fill().map_err(|e| plan.input_error(e))?;
    };
    let data = input.data();
    let header_bytes = data.get(..header_end.unwrap_or(data.len())).unwrap_or(&[]);
    // The loop above reads in blocks, so a header that ends within the block that crossed
    // the bound is measured here.
    if header_bytes.len() > MAX_HEADER_BYTES {
        return Err(Fail::Load(plan.error(LoadErrorKind::TooLarge {
            what: String::from("the header line"),
            size: header_bytes.len() as u64,
            limit: MAX_HEADER_BYTES as u64,
        })));
    }
    if header_bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Fail::Load(plan.error(LoadErrorKind::NoHeader)));
    }
    let delimiter = plan.spec.delimiter.unwrap_or_else(|| sniff(header_bytes));

    // Measured before the header is taken: the first block is still in the buffer.
    let estimate = estimate_rows(&input);
    let budget = usize::try_from(input.size()).unwrap_or(usize::MAX);
    let mut records = Records::new(delimiter);
    let Some(mut batch) = records.next(&mut input).map_err(|e| plan.input_error(e))? else {
        return Err(Fail::Load(plan.error(LoadErrorKind::NoHeader)));
    };
    let Some(record) = batch.next() else {
        return Err(Fail::Load(plan.error(LoadErrorKind::NoHeader)));
    };
    if let Some(line) = record.unclosed_quote {
        return Err(Fail::Load(plan.error(LoadErrorKind::UnclosedQuote {
            line: line + line_offset,
        })));
    }
    let header: Vec<String> = record
        .iter()
        .map(|cell| String::from_utf8_lossy(cell).into_owned())
        .collect();
    let physical_lines = 1 + record.inner_newlines;
    let columns = match_columns(plan, &header, &mut notes)?;

    let mut builder = plan.builder();
    builder.reserve(estimate, budget);
    let mut rows = Rows {
        plan,
        width: header.len(),
        columns: &columns,
        header: &header,
        line_offset,
        ended_at: None,
        first_after_end: None,
        ignored: 0,
        empty_rows: 0,
        next_line: 1 + physical_lines,
    };
    // The rest of the header's batch, then the others.
    rows.take(&mut batch, &mut builder)?;
    while let Some(mut batch) = records.next(&mut input).map_err(|e| plan.input_error(e))? {
        rows.take(&mut batch, &mut builder)?;
    }
    let Rows {
        ended_at,
        first_after_end,
        ignored,
        empty_rows,
        ..
    } = rows;
    if let (Some(end), Some(first)) = (ended_at, first_after_end) {
        return Err(Fail::Load(
            plan.error(LoadErrorKind::RecordsAfterEnd { end, first }),
        ));
    }
    if empty_rows > 0 {
        notes.push(format!("skipped {empty_rows} row(s) whose cells are all empty"));
    }
    if let Some(line) = ended_at
        && ignored > 0
    {
        notes.push(format!(
            "the table ends at the blank line {line}; {ignored} later non-empty line(s) were ignored"
        ));
    }
    let (sha256, size) = input.finish().map_err(|e| plan.input_error(e))?;
    let sources = columns.iter().map(|c| c.source.clone()).collect();
    Ok(plan.finish(
        builder,
        sources,
        ProvenanceKind::Lines,
        FileFacts {
            sha256,
            size,
            encoding,
            delimiter: Some(delimiter),
            sheet: None,
            notes,
        },
    ))
}

/// The rows after the header, as batches of records come.
struct Rows<'a, 'p> {
    plan: &'a Plan<'p>,
    columns: &'a [Matched],
    header: &'a [String],
    width: usize,
    /// Lines before the header that [`Records`] did not see (a `#TYPE` line).
    line_offset: u64,
    /// The blank line that ended the table.
    ended_at: Option<u64>,
    /// The first line after it that is a record of the header's width: an error, since
    /// dropping it would lose data silently.
    first_after_end: Option<u64>,
    /// Non-empty records after that line.
    ignored: u64,
    /// Rows of empty cells skipped.
    empty_rows: u64,
    /// Line where the next record starts if no blank line precedes it.
    next_line: u64,
}

impl Rows<'_, '_> {
    /// Converts the records of a batch into rows of `builder`.
    fn take(&mut self, batch: &mut Batch<'_>, builder: &mut TableBuilder) -> Result<(), Fail> {
        while let Some(record) = batch.next() {
            let (line, inner) = (record.line, record.inner_newlines);
            if let Some(opened) = record.unclosed_quote {
                return Err(Fail::Load(self.plan.error(LoadErrorKind::UnclosedQuote {
                    line: opened + self.line_offset,
                })));
            }
            let blank = record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace));
            if self.ended_at.is_none() && line > self.next_line {
                // A blank line (skipped by the parser) ends the table.
                self.ended_at = Some(self.next_line + self.line_offset);
            }
            if self.ended_at.is_some() {
                if !blank {
                    self.ignored += 1;
                    // Notes or a Markdown table after the blank line are not records of
                    // the header's width; rows that are would be lost.
                    if self.first_after_end.is_none() && record.len() == self.width {
                        self.first_after_end = Some(line + self.line_offset);
                    }
                }
                continue;
            }
            self.next_line = line + 1 + inner;
            if blank {
                // A row of empty cells (`,,,,`, as Excel writes) is not a record.
                self.empty_rows += 1;
                continue;
            }
            let location = Location {
                line: Some(line + self.line_offset),
                index: None,
            };
            convert_row(
                self.plan,
                self.columns,
                self.header,
                &record,
                self.width,
                location,
                builder,
            )?;
        }
        Ok(())
    }
}

/// Rows the file probably has, from the length of the lines in the buffer (the first
/// block), with a little to spare: later rows as long as the first ones then fit without
/// growing the columns.
fn estimate_rows(input: &Input<'_>) -> usize {
    let data = input.data();
    let lines = memchr::memchr_iter(b'\n', data).count() as u64;
    if input.at_eof() {
        return usize::try_from(lines + 1).unwrap_or(0);
    }
    let Some(per_line) = (data.len() as u64).checked_div(lines) else {
        return 0;
    };
    let rows = input.size() / per_line.max(1);
    usize::try_from(rows + rows / 16).unwrap_or(0)
}

/// The columns a field reads.
pub(crate) struct Matched {
    pub(crate) positions: Vec<usize>,
    pub(crate) source: String,
}

/// End of the first line that is not inside quotes (exclusive, before `\r\n` or `\n`).
fn header_line_end(data: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, &b) in data.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                let end = if i > 0 && data.get(i - 1) == Some(&b'\r') {
                    i - 1
                } else {
                    i
                };
                return Some(end);
            }
            _ => {}
        }
    }
    None
}

/// The delimiter among `,` `;` and tab that occurs most outside quotes in the header
/// (ties and none: `,`).
pub(crate) fn sniff(header: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let [comma, semicolon, tab] = counts;
    if tab > comma && tab >= semicolon {
        b'\t'
    } else if semicolon > comma {
        b';'
    } else {
        b','
    }
}

/// Matches each field's `from` names against the header.
pub(crate) fn match_columns(
    plan: &Plan<'_>,
    header: &[String],
    notes: &mut Vec<String>,
) -> Result<Vec<Matched>, Fail> {
    let unnamed = header.iter().filter(|h| h.trim().is_empty()).count();
    if unnamed > 0 {
        notes.push(format!("the header has {unnamed} unnamed column(s), ignored"));
    }
    let mut out = Vec::with_capacity(plan.fields.len());
    for field in &plan.fields {
        let mut found = None;
        for wanted in &field.from {
            let exact: Vec<usize> = positions(header, |h| h == wanted);
            if !exact.is_empty() {
                found = Some((exact, wanted.clone()));
                break;
            }
            let folded = |h: &String| h.trim().to_lowercase() == wanted.trim().to_lowercase();
            let loose = positions(header, folded);
            if loose.is_empty() {
                continue;
            }
            let mut names: Vec<String> = loose.iter().filter_map(|&i| header.get(i).cloned()).collect();
            names.dedup();
            names.sort();
            names.dedup();
            if names.len() > 1 {
                return Err(Fail::Load(plan.error(LoadErrorKind::AmbiguousColumn {
                    field: field.name.clone(),
                    wanted: wanted.clone(),
                    candidates: names,
                })));
            }
            let name = names.into_iter().next().unwrap_or_default();
            notes.push(format!(
                "field `{}` reads column `{name}` (declared `{wanted}`, matched ignoring case)",
                field.name
            ));
            found = Some((loose, name));
            break;
        }
        let Some((positions, source)) = found else {
            return Err(Fail::Load(missing_column(
                plan,
                field.name.as_str(),
                &field.from,
                header,
            )));
        };
        if positions.len() > 1 && !field.is_list() {
            notes.push(format!(
                "column `{source}` appears {} times; field `{}` reads the first",
                positions.len(),
                field.name
            ));
        }
        let positions = if field.is_list() {
            positions
        } else {
            positions.into_iter().take(1).collect()
        };
        out.push(Matched { positions, source });
    }
    Ok(out)
}

fn positions(header: &[String], pred: impl Fn(&String) -> bool) -> Vec<usize> {
    header
        .iter()
        .enumerate()
        .filter(|(_, h)| pred(h))
        .map(|(i, _)| i)
        .collect()
}

/// D404 with the columns the file has and the closest name.
pub(crate) fn missing_column(
    plan: &Plan<'_>,
    field: &str,
    wanted: &[String],
    header: &[String],
) -> super::LoadError {
    let mut available: Vec<String> = Vec::new();
    for h in header {
        if !h.trim().is_empty() && !available.contains(h) {
            available.push(h.clone());
        }
    }
    let mut best: Option<(f64, &String)> = None;
    for w in wanted {
        for h in &available {
            let score = strsim::normalized_levenshtein(&w.to_lowercase(), &h.to_lowercase())
                .max(strsim::jaro_winkler(&w.to_lowercase(), &h.to_lowercase()) - 0.1);
            if score >= 0.7 && best.is_none_or(|(s, _)| score > s) {
                best = Some((score, h));
            }
        }
    }
    plan.error(LoadErrorKind::MissingColumn {
        field: field.to_string(),
        wanted: wanted.to_vec(),
        suggestion: best.map(|(_, h)| h.clone()),
        available,
    })
}

fn convert_row(
    plan: &Plan<'_>,
    columns: &[Matched],
    header: &[String],
    record: &Record<'_>,
    width: usize,
    location: Location,
    builder: &mut TableBuilder,
) -> Result<(), Fail> {
    if record.len() < width
        || record
            .iter()
            .skip(width)
            .any(|cell| !cell.iter().all(u8::is_ascii_whitespace))
    {
        return Err(Fail::Load(
            plan.error(LoadErrorKind::CellCount {
                expected: width,
                found: record.len(),
            })
            .at(location),
        ));
    }
    // No cell is longer than the record: a short record needs no check per cell.
    let checked = record.as_slice().len() <= MAX_CELL_BYTES;
    for (f, (field, matched)) in plan.fields.iter().zip(columns).enumerate() {
        if !field.used {
            continue;
        }
        let Some(col) = builder.columns.get_mut(f) else {
            continue;
        };
        let notes = &mut builder.notes;
        let mut result = Ok(());
        let mut failed_at = 0;
        if field.is_list() {
            for &pos in &matched.positions {
                let text = cell_text(plan, record, pos, header, location, checked)?;
                if let Err(e) = field.items(text, col) {
                    result = Err(e);
                    failed_at = pos;
                    break;
                }
            }
            if result.is_ok() {
                result = field.end_list(col);
                failed_at = matched.positions.first().copied().unwrap_or(0);
            }
        } else if let Some(&pos) = matched.positions.first() {
            let text = cell_text(plan, record, pos, header, location, checked)?;
            result = field.text(text, col, notes);
            failed_at = pos;
        }
        if let Err(problem) = result {
            let raw = cell_text(plan, record, failed_at, header, location, true).unwrap_or("");
            let column = header
                .get(failed_at)
                .map_or(matched.source.as_str(), String::as_str);
            return Err(Fail::Load(plan.cell_error(f, column, raw, problem, location)));
        }
    }
    builder.positions.push(location.line.unwrap_or(0));
    builder.rows += 1;
    Ok(())
}

fn cell_text<'r>(
    plan: &Plan<'_>,
    record: &Record<'r>,
    pos: usize,
    header: &[String],
    location: Location,
    checked: bool,
) -> Result<&'r str, Fail> {
    let range = record.range(pos).unwrap_or(0..0);
    if !checked && range.len() > MAX_CELL_BYTES {
        let column = header.get(pos).map_or("", String::as_str);
        return Err(Fail::Load(
            plan.error(LoadErrorKind::TooLarge {
                what: format!("a cell in column `{column}`"),
                size: range.len() as u64,
                limit: MAX_CELL_BYTES as u64,
            })
            .at(location),
        ));
    }
    // The input was checked (or decoded) as UTF-8 already, and [`Records`] checked each
    // batch of records in one go: each cell is a checked slice of that text.
    if let Some(text) = record.text(pos) {
        return Ok(text);
    }
    // The input was checked (or decoded) as UTF-8 already; this cannot fail.
    std::str::from_utf8(record.get(pos).unwrap_or(&[])).map_err(|_| Fail::Utf8(0))
}
