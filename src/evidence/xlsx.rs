//! Excel workbooks (`.xlsx`) through calamine: the declared sheet (or the first), the header
//! is the first non-empty row, and the table ends at the first empty row after it (a
//! record-like row after that empty row is an error, D420: rows are never silently lost).
//! Cells are read one by one and kept sparse, never as a dense grid, with their number
//! bounded ([`super::MAX_XLSX_CELLS`]).
//!
//! Cells keep their Excel type: numbers convert to numeric fields directly and render
//! without a spurious `.0` for text fields; date cells (serials with a date style) convert
//! to dates and date-times (wall-clock time in the field's zone); a plain number in a date
//! field is read as a 1900-system serial date; booleans convert to bool fields and render as
//! `true`/`false` for text. Provenance is the worksheet row number (1-based, as Excel shows).

use std::io::Cursor;
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx, XlsxError};

use super::convert::Cell;
use super::error::LoadErrorKind;
use super::input::Input;
use super::spec::Encoding;
use super::{
    FileFacts, LoadError, LoadObserver, Location, MAX_CELL_BYTES, MAX_XLSX_BYTES, MAX_XLSX_CELLS, Plan,
    ProvenanceKind, Table,
};

pub(crate) fn load(plan: &Plan<'_>, path: &Path, observer: &dyn LoadObserver) -> Result<Table, LoadError> {
    // Read raw bytes (hashing on the way); the decoder never sees text here.
    let mut input =
        Input::open(path, None, 1 << 20, observer, &plan.spec.name).map_err(|e| unreadable(plan, e))?;
    if input.size() > MAX_XLSX_BYTES {
        return Err(plan.error(LoadErrorKind::TooLarge {
            what: String::from("the workbook"),
            size: input.size(),
            limit: MAX_XLSX_BYTES,
        }));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(input.size()).unwrap_or(0));
    loop {
        let added = input.fill().map_err(|e| unreadable(plan, e))?;
        bytes.extend_from_slice(input.data());
        input.consume(usize::MAX);
        if added == 0 && input.at_eof() {
            break;
        }
    }
    let (sha256, size) = input.finish().map_err(|e| unreadable(plan, e))?;

    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        plan.error(LoadErrorKind::InvalidWorkbook {
            reason: e.to_string(),
        })
    })?;
    let sheets = workbook.sheet_names();
    let sheet = match &plan.spec.sheet {
        Some(wanted) => match sheets.iter().find(|s| *s == wanted) {
            Some(found) => found.clone(),
            None => {
                let loose: Vec<&String> = sheets
                    .iter()
                    .filter(|s| s.trim().eq_ignore_ascii_case(wanted.trim()))
                    .collect();
                match loose.as_slice() {
                    [one] => (*one).clone(),
                    _ => {
                        return Err(plan.error(LoadErrorKind::SheetNotFound {
                            sheet: wanted.clone(),
                            available: sheets.clone(),
                        }));
                    }
                }
            }
        },
        None => match sheets.first() {
            Some(first) => first.clone(),
            None => return Err(plan.error(LoadErrorKind::NoHeader)),
        },
    };
    // A chart sheet has no cells: like an empty sheet, no header.
    let cells = match workbook.worksheet_cells_reader(&sheet) {
        Ok(reader) => read_cells(plan, &sheet, reader)?,
        Err(XlsxError::NotAWorksheet(_)) => Vec::new(),
        Err(e) => return Err(invalid(plan, &e)),
    };
    // Positions are relative to the leftmost column of the sheet, as in Excel's used range.
    let first_col = cells.iter().map(|c| c.get_position().1).min().unwrap_or(0);
    let mut rows = cells.chunk_by(|a, b| a.get_position().0 == b.get_position().0);

    // Header: the first non-empty row, rendered as text.
    let mut header: Vec<String> = Vec::new();
    let mut header_row = 0u32;
    for row in rows.by_ref() {
        if row.iter().all(|c| is_empty(c.get_value())) {
            continue;
        }
        let last = row.iter().map(|c| c.get_position().1).max().unwrap_or(first_col);
        // Bounded: a column is at most Excel's 16,384th (checked in `read_cells`).
        header = vec![String::new(); (last - first_col) as usize + 1];
        for cell in row {
            if let Some(slot) = header.get_mut((cell.get_position().1 - first_col) as usize) {
                *slot = render(cell.get_value());
            }
        }
        header_row = row.first().map_or(0, |c| c.get_position().0);
        break;
    }
    if header.is_empty() {
        return Err(plan.error(LoadErrorKind::NoHeader));
    }
    let mut notes = Vec::new();
    let columns = super::csv::match_columns(plan, &header, &mut notes).map_err(|f| match f {
        super::Fail::Load(e) => e,
        super::Fail::Utf8(_) => plan.error(LoadErrorKind::NoHeader),
    })?;
    let header_cells = header.iter().filter(|h| !h.trim().is_empty()).count();

    let mut builder = plan.builder();
    // Worksheet row numbers (1-based, as Excel shows them).
    let mut end_row: Option<u64> = None;
    let mut next_row = u64::from(header_row) + 2;
    let mut ignored = 0u64;
    let mut first_after_end: Option<u64> = None;
    for row in rows {
        let row_number = row.first().map_or(0, |c| u64::from(c.get_position().0) + 1);
        let empty = row.iter().all(|c| is_empty(c.get_value()));
        if end_row.is_none() && (empty || row_number > next_row) {
            // Rows without cells are absent from the sheet: a gap is an empty row, and
            // the first empty row is the expected next one either way.
            end_row = Some(next_row);
        }
        if end_row.is_some() {
            if !empty {
                ignored += 1;
                if first_after_end.is_none() && looks_like_record(row, first_col, header.len(), header_cells)
                {
                    first_after_end = Some(row_number);
                }
            }
            continue;
        }
        next_row = row_number + 1;
        let location = Location {
            line: None,
            index: Some(row_number),
        };
        let cell_at = |pos: usize| value_at(row, first_col, pos);
        for (f, (field, matched)) in plan.fields.iter().zip(&columns).enumerate() {
            if !field.used {
                continue;
            }
            let Some(col) = builder.columns.get_mut(f) else {
                continue;
            };
            let notes = &mut builder.notes;
            let mut result = Ok(());
            let mut at = matched.positions.first().copied().unwrap_or(0);
            if field.is_list() {
                for &pos in &matched.positions {
                    let text = cell_at(pos).map(render).unwrap_or_default();
                    if let Err(e) = field.items(&text, col) {
                        result = Err(e);
                        at = pos;
                        break;
                    }
                }
                if result.is_ok() {
                    result = field.end_list(col);
                }
            } else {
                let data = cell_at(at).unwrap_or(&DataRef::Empty);
                if let DataRef::String(s) = data
                    && s.len() > MAX_CELL_BYTES
                {
                    return Err(too_large_cell(plan, &matched.source, s.len(), location));
                }
                if let DataRef::SharedString(s) = data
                    && s.len() > MAX_CELL_BYTES
                {
                    return Err(too_large_cell(plan, &matched.source, s.len(), location));
                }
                result = match data {
                    DataRef::Empty => field.convert(Cell::Null, col, notes),
                    DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                        field.convert(Cell::Text(s), col, notes)
                    }
                    DataRef::SharedString(s) => field.convert(Cell::Text(s), col, notes),
                    DataRef::Int(x) => field.convert(Cell::Int(*x), col, notes),
                    DataRef::Float(x) => field.convert(Cell::Float(*x), col, notes),
                    DataRef::Bool(b) => field.convert(Cell::Bool(*b), col, notes),
                    DataRef::DateTime(dt) if dt.is_datetime() => {
                        let (year, month, day, hour, minute, second, millis) = dt.to_ymd_hms_milli();
                        field.convert(
                            Cell::ExcelDate {
                                year: i32::from(year),
                                month: u32::from(month),
                                day: u32::from(day),
                                hour: u32::from(hour),
                                minute: u32::from(minute),
                                second: u32::from(second),
                                millis: u32::from(millis),
                            },
                            col,
                            notes,
                        )
                    }
                    DataRef::DateTime(dt) => {
                        // A duration style (`[h]:mm`): days as a number.
                        let hours = dt.as_f64() * 24.0;
                        let text = format!("{hours}h");
                        field.convert(Cell::Text(&text), col, notes)
                    }
                    DataRef::Error(e) => {
                        let text = e.to_string();
                        field.convert(Cell::Text(&text), col, notes)
                    }
                };
            }
            if let Err(problem) = result {
                let raw = cell_at(at).map(render).unwrap_or_default();
                let column = header.get(at).map_or(matched.source.as_str(), String::as_str);
                return Err(plan.cell_error(f, column, &raw, problem, location));
            }
        }
        builder.positions.push(row_number);
        builder.rows += 1;
    }
    if let (Some(end), Some(first)) = (end_row, first_after_end) {
        return Err(plan.error(LoadErrorKind::RecordsAfterEnd { end, first }));
    }
    if let Some(end) = end_row
        && ignored > 0
    {
        notes.push(format!(
            "the table ends at the empty row {end}; {ignored} later non-empty row(s) were ignored"
        ));
    }
    let sources = columns.iter().map(|c| c.source.clone()).collect();
    Ok(plan.finish(
        builder,
        sources,
        ProvenanceKind::Rows,
        FileFacts {
            sha256,
            size,
            encoding: Encoding::Utf8,
            delimiter: None,
            sheet: Some(sheet),
            notes,
        },
    ))
}

/// [`MAX_XLSX_CELLS`], smaller in tests so that the bound is tested on a small workbook.
const CELL_LIMIT: u64 = if cfg!(test) { 1 << 16 } else { MAX_XLSX_CELLS };

/// Rows in a worksheet (Excel's grid), 1,048,576.
const EXCEL_ROWS: u32 = 1 << 20;
/// Columns in a worksheet (Excel's grid, up to `XFD`), 16,384.
const EXCEL_COLUMNS: u32 = 1 << 14;

/// The sheet's non-empty cells in (row, column) order, read one by one: never a dense grid,
/// whose size is the product of the extreme row and column however few cells there are.
fn read_cells<'a, RS: std::io::Read + std::io::Seek>(
    plan: &Plan<'_>,
    sheet: &str,
    mut reader: calamine::XlsxCellReader<'a, RS>,
) -> Result<Vec<calamine::Cell<DataRef<'a>>>, LoadError> {
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(|e| invalid(plan, &e))? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        if row >= EXCEL_ROWS || col >= EXCEL_COLUMNS {
            return Err(plan.error(LoadErrorKind::InvalidWorkbook {
                reason: format!(
                    "sheet `{sheet}` has a cell at row {}, column {}, outside Excel's grid of {EXCEL_ROWS} rows and {EXCEL_COLUMNS} columns",
                    u64::from(row) + 1,
                    u64::from(col) + 1
                ),
            }));
        }
        if cells.len() as u64 >= CELL_LIMIT {
            return Err(plan.error(LoadErrorKind::TooManyCells {
                sheet: sheet.to_string(),
                cells: cells.len() as u64 + 1,
                limit: CELL_LIMIT,
            }));
        }
        cells.push(cell);
    }
    // Excel writes cells in order; other writers need not.
    if !cells.is_sorted_by_key(|c| c.get_position()) {
        cells.sort_by_key(|c| c.get_position());
    }
    Ok(cells)
}

/// The value at header position `pos` of a row (its cells sorted by column).
fn value_at<'r, 'a>(
    row: &'r [calamine::Cell<DataRef<'a>>],
    first_col: u32,
    pos: usize,
) -> Option<&'r DataRef<'a>> {
    let col = first_col.checked_add(u32::try_from(pos).ok()?)?;
    let i = row.binary_search_by_key(&col, |c| c.get_position().1).ok()?;
    row.get(i).map(|c| c.get_value())
}

/// A row after the end of the table that reads as a record rather than a note: values in
/// at least two of the header's columns (or in its only one), none beyond it. A legend or
/// footnote is one cell.
fn looks_like_record(
    row: &[calamine::Cell<DataRef<'_>>],
    first_col: u32,
    width: usize,
    header_cells: usize,
) -> bool {
    let mut filled = 0usize;
    for cell in row {
        if is_empty(cell.get_value()) {
            continue;
        }
        if (cell.get_position().1 - first_col) as usize >= width {
            return false;
        }
        filled += 1;
    }
    filled >= header_cells.clamp(1, 2)
}

fn too_large_cell(plan: &Plan<'_>, source: &str, len: usize, location: Location) -> LoadError {
    plan.error(LoadErrorKind::TooLarge {
        what: format!("a cell in column `{source}`"),
        size: len as u64,
        limit: MAX_CELL_BYTES as u64,
    })
    .at(location)
}

fn invalid(plan: &Plan<'_>, e: &XlsxError) -> LoadError {
    plan.error(LoadErrorKind::InvalidWorkbook {
        reason: e.to_string(),
    })
}

fn unreadable(plan: &Plan<'_>, e: super::input::InputError) -> LoadError {
    let reason = match e {
        super::input::InputError::Io(e) => e.to_string(),
        super::input::InputError::Utf8(_) => String::from("unexpected encoding error"),
    };
    plan.error(LoadErrorKind::Unreadable { reason })
}

fn is_empty(cell: &DataRef<'_>) -> bool {
    match cell {
        DataRef::Empty => true,
        DataRef::String(s) => s.trim().is_empty(),
        DataRef::SharedString(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as text: numbers without a spurious `.0`, dates as ISO.
fn render(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(x) => x.to_string(),
        DataRef::Float(x) => {
            let mut out = String::new();
            super::number::render_f64(*x, &mut out);
            out
        }
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if hh == 0 && mm == 0 && ss == 0 {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        DataRef::Error(e) => e.to_string(),
    }
}
