//! Excel workbooks (`.xlsx`) through calamine: the declared sheet (or the first), the header
//! is the first non-empty row, and the table ends at the first empty row after it.
//!
//! Cells keep their Excel type: numbers convert to numeric fields directly and render
//! without a spurious `.0` for text fields; date cells (serials with a date style) convert
//! to dates and date-times (wall-clock time in the field's zone); a plain number in a date
//! field is read as a 1900-system serial date; booleans convert to bool fields and render as
//! `true`/`false` for text. Provenance is the worksheet row number (1-based, as Excel shows).

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use super::convert::Cell;
use super::error::LoadErrorKind;
use super::input::Input;
use super::spec::Encoding;
use super::{
    FileFacts, LoadError, LoadObserver, Location, MAX_CELL_BYTES, MAX_XLSX_BYTES, Plan, ProvenanceKind, Table,
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
    let range = workbook.worksheet_range(&sheet).map_err(|e| {
        plan.error(LoadErrorKind::InvalidWorkbook {
            reason: e.to_string(),
        })
    })?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows().enumerate();

    // Header: the first non-empty row, rendered as text.
    let mut header: Vec<String> = Vec::new();
    for (_, row) in rows.by_ref() {
        if row.iter().all(is_empty) {
            continue;
        }
        header = row.iter().map(render).collect();
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

    let mut builder = plan.builder();
    let mut ended = false;
    let mut ignored = 0u64;
    let mut end_row = 0u64;
    for (i, row) in rows {
        let row_number = u64::from(first_row) + i as u64 + 1;
        let empty = row.iter().all(is_empty);
        if ended {
            if !empty {
                ignored += 1;
            }
            continue;
        }
        if empty {
            ended = true;
            end_row = row_number;
            continue;
        }
        let location = Location {
            line: None,
            index: Some(row_number),
        };
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
                    let text = row.get(pos).map(render).unwrap_or_default();
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
                let data = row.get(at).unwrap_or(&Data::Empty);
                if let Data::String(s) = data
                    && s.len() > MAX_CELL_BYTES
                {
                    return Err(plan
                        .error(LoadErrorKind::TooLarge {
                            what: format!("a cell in column `{}`", matched.source),
                            size: s.len() as u64,
                            limit: MAX_CELL_BYTES as u64,
                        })
                        .at(location));
                }
                result = match data {
                    Data::Empty => field.convert(Cell::Null, col, notes),
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                        field.convert(Cell::Text(s), col, notes)
                    }
                    Data::Int(x) => field.convert(Cell::Int(*x), col, notes),
                    Data::Float(x) => field.convert(Cell::Float(*x), col, notes),
                    Data::Bool(b) => field.convert(Cell::Bool(*b), col, notes),
                    Data::DateTime(dt) if dt.is_datetime() => {
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
                    Data::DateTime(dt) => {
                        // A duration style (`[h]:mm`): days as a number.
                        let hours = dt.as_f64() * 24.0;
                        let text = format!("{hours}h");
                        field.convert(Cell::Text(&text), col, notes)
                    }
                    Data::Error(e) => {
                        let text = e.to_string();
                        field.convert(Cell::Text(&text), col, notes)
                    }
                };
            }
            if let Err(problem) = result {
                let raw = row.get(at).map(render).unwrap_or_default();
                let column = header.get(at).map_or(matched.source.as_str(), String::as_str);
                return Err(plan.cell_error(f, column, &raw, problem, location));
            }
        }
        builder.positions.push(row_number);
        builder.rows += 1;
    }
    if ended && ignored > 0 {
        notes.push(format!(
            "the table ends at the empty row {end_row}; {ignored} later non-empty row(s) were ignored"
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

fn unreadable(plan: &Plan<'_>, e: super::input::InputError) -> LoadError {
    let reason = match e {
        super::input::InputError::Io(e) => e.to_string(),
        super::input::InputError::Utf8(_) => String::from("unexpected encoding error"),
    };
    plan.error(LoadErrorKind::Unreadable { reason })
}

fn is_empty(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as text: numbers without a spurious `.0`, dates as ISO.
fn render(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(x) => x.to_string(),
        Data::Float(x) => {
            let mut out = String::new();
            super::number::render_f64(*x, &mut out);
            out
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if hh == 0 && mm == 0 && ss == 0 {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        Data::Error(e) => e.to_string(),
    }
}
