//! Load errors: one stable code per kind, structured fields, a one-line message and a fix.
//!
//! Messages follow the project style: lowercase, user input in backticks, no final period.
//! The fix is in [`LoadError::help`], never in the message.

use std::fmt;

use super::spec::SourceFormat;
use super::table::Location;

/// Longest value quoted in a message; longer values are cut (at a character boundary).
const MAX_QUOTED: usize = 80;

/// An evidence file could not be loaded; the dataset then has no evidence (fail closed).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct LoadError {
    /// Dataset name in the rules.
    pub dataset: String,
    /// Evidence file, relative to the evidence directory, forward slashes.
    pub file: String,
    /// The file's layout, when known (decides whether an index reads "record" or "row").
    pub format: Option<SourceFormat>,
    /// Where in the file, when the problem is in one record.
    pub location: Option<Location>,
    /// What went wrong, with its facts (boxed to keep results small).
    pub kind: Box<LoadErrorKind>,
}

/// What went wrong while loading; each kind has a stable code ([`LoadErrorKind::code`]).
#[derive(Clone, Debug, PartialEq)]
pub enum LoadErrorKind {
    /// D401: the declared file does not exist (`source "jira/capa.csv"` but no such export).
    MissingFile {
        /// The columns (or JSON paths) the declaration reads, for the help.
        expected_columns: Vec<String>,
    },
    /// D402: the file exists but cannot be read (permissions, a directory, an I/O error).
    Unreadable {
        /// The operating system's reason.
        reason: String,
    },
    /// D403: the source path leaves the evidence directory (`..`, absolute, or a symlink).
    PathEscapes {
        /// Why the path was refused.
        reason: String,
    },
    /// D404: a column (or JSON path) the declaration names is absent from the file.
    MissingColumn {
        /// The field reading it.
        field: String,
        /// The names tried, in order.
        wanted: Vec<String>,
        /// The columns the file has (empty for JSON).
        available: Vec<String>,
        /// The closest column name, if one is close.
        suggestion: Option<String>,
    },
    /// D405: no exact column match, and several columns match ignoring case.
    AmbiguousColumn {
        /// The field reading it.
        field: String,
        /// The name declared.
        wanted: String,
        /// The columns that match ignoring case.
        candidates: Vec<String>,
    },
    /// D406: a cell does not convert to the field's type (`31/Feb/26` as a date).
    InvalidValue {
        /// The field.
        field: String,
        /// The column or JSON path it came from.
        column: String,
        /// The cell as written (cut to 80 characters).
        value: String,
        /// The type name (`datetime`, `int`, …).
        ty: String,
        /// The accepted formats or spellings.
        expected: String,
        /// A specific reason, when known (`february has no day 30`).
        reason: Option<String>,
    },
    /// D407: a field declared `required` is empty (or a null token) in a record.
    RequiredEmpty {
        /// The field.
        field: String,
        /// The column or JSON path.
        column: String,
    },
    /// D408: a CSV row has fewer cells than the header (or extra non-empty cells).
    CellCount {
        /// Cells in the header.
        expected: usize,
        /// Cells in this row.
        found: usize,
    },
    /// D409: the file is not valid UTF-8 but UTF-8 was declared (`encoding "utf-8"`).
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        byte: u64,
        /// 1-based line of that byte; `None` if the file could not be read again to count.
        line: Option<u64>,
        /// 1-based column (in characters) of that byte on its line.
        column: Option<u64>,
    },
    /// D410: the file is not valid JSON (a missing comma, a truncated export).
    InvalidJson {
        /// The parser's description.
        message: String,
        /// 1-based line of the problem.
        line: u64,
        /// 1-based column (in bytes) of the problem.
        column: u64,
    },
    /// D411: JSON nested deeper than the bound ([`super::MAX_JSON_DEPTH`]).
    TooDeep {
        /// The bound.
        limit: usize,
    },
    /// D412: the declared sheet is not in the workbook.
    SheetNotFound {
        /// The sheet declared.
        sheet: String,
        /// The sheets the workbook has.
        available: Vec<String>,
    },
    /// D413: a bound was exceeded (a cell over 1 MiB, a file over the size bound, …).
    TooLarge {
        /// What was too large (`a cell in column `Description``).
        what: String,
        /// Its size in bytes.
        size: u64,
        /// The bound in bytes.
        limit: u64,
    },
    /// D414: the declaration itself cannot be used (an unknown format directive, an unknown
    /// time zone, two key fields, an extension with no known format, a malformed JSON path).
    InvalidDeclaration {
        /// The field concerned, if any.
        field: Option<String>,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// D415: the JSON records are not where the declaration says (no array at `data.items`,
    /// or an object at the top level and no `records` path declared).
    RecordsNotFound {
        /// The declared records path, if any.
        path: Option<String>,
        /// What was found instead (`an object`, `a string`, `nothing`).
        found: String,
    },
    /// D416: the workbook cannot be opened (not a zip, a corrupt sheet, an `.xls` renamed).
    InvalidWorkbook {
        /// The reader's description.
        reason: String,
    },
    /// D417: the file or sheet has no header row (an empty export).
    NoHeader,
    /// D418: a JSON record is not an object (`[1, 2]`).
    NotARecord {
        /// What it is (`a number`).
        found: String,
    },
    /// D413: a workbook sheet has more non-empty cells than the bound
    /// ([`super::MAX_XLSX_CELLS`]).
    TooManyCells {
        /// The sheet.
        sheet: String,
        /// Cells counted when the bound was crossed.
        cells: u64,
        /// The bound.
        limit: u64,
    },
    /// D419: a quoted CSV cell is never closed, so the rest of the file would be one cell.
    UnclosedQuote {
        /// 1-based line where the quote opened.
        line: u64,
    },
    /// D420: the table ends at a blank line (or an empty worksheet row), but records of the
    /// header's width follow it: reading on or stopping would both guess.
    RecordsAfterEnd {
        /// The blank line (or empty row) that ends the table.
        end: u64,
        /// The first record-like line (or row) after it.
        first: u64,
    },
}

impl LoadErrorKind {
    /// The stable code of this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            LoadErrorKind::MissingFile { .. } => "D401",
            LoadErrorKind::Unreadable { .. } => "D402",
            LoadErrorKind::PathEscapes { .. } => "D403",
            LoadErrorKind::MissingColumn { .. } => "D404",
            LoadErrorKind::AmbiguousColumn { .. } => "D405",
            LoadErrorKind::InvalidValue { .. } => "D406",
            LoadErrorKind::RequiredEmpty { .. } => "D407",
            LoadErrorKind::CellCount { .. } => "D408",
            LoadErrorKind::InvalidUtf8 { .. } => "D409",
            LoadErrorKind::InvalidJson { .. } => "D410",
            LoadErrorKind::TooDeep { .. } => "D411",
            LoadErrorKind::SheetNotFound { .. } => "D412",
            LoadErrorKind::TooLarge { .. } => "D413",
            LoadErrorKind::InvalidDeclaration { .. } => "D414",
            LoadErrorKind::RecordsNotFound { .. } => "D415",
            LoadErrorKind::InvalidWorkbook { .. } => "D416",
            LoadErrorKind::NoHeader => "D417",
            LoadErrorKind::NotARecord { .. } => "D418",
            LoadErrorKind::TooManyCells { .. } => "D413",
            LoadErrorKind::UnclosedQuote { .. } => "D419",
            LoadErrorKind::RecordsAfterEnd { .. } => "D420",
        }
    }
}

/// Every code with a one-line description (for `explain` and the documentation).
pub const CODES: &[(&str, &str)] = &[
    ("D401", "the declared evidence file does not exist"),
    ("D402", "the evidence file exists but cannot be read"),
    ("D403", "the source path leaves the evidence directory"),
    ("D404", "a declared column or JSON path is absent from the file"),
    ("D405", "a column name matches several columns ignoring case"),
    ("D406", "a value does not convert to the field's type"),
    ("D407", "a required field is empty"),
    ("D408", "a row has a different number of cells than the header"),
    ("D409", "the file is not valid UTF-8 although UTF-8 was declared"),
    ("D410", "the file is not valid JSON"),
    ("D411", "the JSON is nested deeper than the bound"),
    ("D412", "the declared sheet is not in the workbook"),
    ("D413", "a size bound was exceeded"),
    ("D414", "the dataset declaration cannot be used as written"),
    ("D415", "the JSON records array is not where the declaration says"),
    ("D416", "the workbook cannot be opened"),
    ("D417", "the file has no header row"),
    ("D418", "a JSON record is not an object"),
    ("D419", "a quoted CSV cell is never closed"),
    ("D420", "records follow the blank line that ends the table"),
];

impl LoadError {
    /// An error about the whole file.
    pub fn new(dataset: &str, file: &str, kind: LoadErrorKind) -> LoadError {
        LoadError {
            dataset: dataset.to_string(),
            file: file.to_string(),
            format: None,
            location: None,
            kind: Box::new(kind),
        }
    }

    /// Sets where in the file the problem is.
    pub fn at(mut self, location: Location) -> LoadError {
        self.location = Some(location);
        self
    }

    /// Sets the file's format.
    pub fn in_format(mut self, format: SourceFormat) -> LoadError {
        self.format = Some(format);
        self
    }

    /// The stable code (`D406`).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The column or JSON path concerned, if any.
    pub fn column(&self) -> Option<&str> {
        match &*self.kind {
            LoadErrorKind::InvalidValue { column, .. } | LoadErrorKind::RequiredEmpty { column, .. } => {
                Some(column)
            }
            LoadErrorKind::AmbiguousColumn { wanted, .. } => Some(wanted),
            LoadErrorKind::MissingColumn { wanted, .. } => wanted.first().map(String::as_str),
            _ => None,
        }
    }

    /// The offending value, if any.
    pub fn value(&self) -> Option<&str> {
        match &*self.kind {
            LoadErrorKind::InvalidValue { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The expected format(s), if any.
    pub fn expected(&self) -> Option<&str> {
        match &*self.kind {
            LoadErrorKind::InvalidValue { expected, .. } => Some(expected),
            _ => None,
        }
    }

    /// The fix: what the compliance engineer should do.
    pub fn help(&self) -> String {
        let dataset = &self.dataset;
        let file = &self.file;
        match &*self.kind {
            LoadErrorKind::MissingFile { expected_columns } => {
                let mut help = format!(
                    "export the evidence for dataset `{dataset}` to `{file}` in the evidence directory"
                );
                if !expected_columns.is_empty() {
                    help.push_str(" with the columns ");
                    help.push_str(&quote_list(expected_columns, 12));
                }
                help
            }
            LoadErrorKind::Unreadable { .. } => format!(
                "check that `{file}` is a regular file this user may read, and not locked by another program"
            ),
            LoadErrorKind::PathEscapes { reason } => format!(
                "{reason}; declare `source` as a path inside the evidence directory, such as `{}`",
                file_name(file)
            ),
            LoadErrorKind::MissingColumn {
                available,
                suggestion,
                wanted,
                ..
            } => {
                let mut help = String::new();
                if let Some(suggestion) = suggestion {
                    help.push_str(&format!("did you mean `{suggestion}`? "));
                }
                if available.is_empty() {
                    help.push_str(&format!(
                        "check the path, or export a file that has {}",
                        quote_list(wanted, 5)
                    ));
                } else {
                    help.push_str(&format!(
                        "the file has {} columns: {}; add the column's name to `from`, or export it",
                        available.len(),
                        quote_list(available, 20)
                    ));
                }
                help
            }
            LoadErrorKind::AmbiguousColumn { candidates, .. } => format!(
                "write the column name exactly as in the file: one of {}",
                quote_list(candidates, 10)
            ),
            LoadErrorKind::InvalidValue { ty, expected, .. } => {
                if (ty == "date" || ty == "datetime") && expected.contains("ISO 8601") {
                    String::from(
                        "declare the layout with `format`, e.g. `format \"%d/%m/%Y %H:%M\"` (formats are never guessed), or fix the value in the export",
                    )
                } else {
                    format!(
                        "fix the value in the export, declare its spelling (formats, null tokens, true/false words), or mark it empty; accepted: {expected}"
                    )
                }
            }
            LoadErrorKind::RequiredEmpty { .. } => String::from(
                "fill the value in the source system and export again, or drop `required` if an empty value is acceptable",
            ),
            LoadErrorKind::CellCount { .. } => String::from(
                "re-export the file; a row that is cut short often means an unquoted line break or delimiter in a cell",
            ),
            LoadErrorKind::InvalidUtf8 { .. } => String::from(
                "re-export as UTF-8, or declare the file's real encoding (`encoding \"windows-1252\"`)",
            ),
            LoadErrorKind::InvalidJson { .. } => {
                String::from("the export is damaged or truncated: export it again from the source system")
            }
            LoadErrorKind::TooDeep { limit } => {
                format!("the records must not be nested more than {limit} levels deep: export a flatter form")
            }
            LoadErrorKind::SheetNotFound { available, .. } => format!(
                "declare one of the workbook's sheets: {}",
                quote_list(available, 20)
            ),
            LoadErrorKind::TooLarge { .. } => String::from(
                "split the export, or remove the oversized content (attachments, long descriptions) from it",
            ),
            LoadErrorKind::InvalidDeclaration { fix, .. } => fix.clone(),
            LoadErrorKind::RecordsNotFound { path: Some(path), .. } => format!(
                "check `records \"{path}\"`: it must name the array of records inside the top-level object"
            ),
            LoadErrorKind::RecordsNotFound { path: None, .. } => String::from(
                "declare `records` with the path of the array of records inside the top-level object (e.g. `records \"data\"`)",
            ),
            LoadErrorKind::InvalidWorkbook { .. } => {
                String::from("open the file in Excel and save it again as an .xlsx workbook")
            }
            LoadErrorKind::NoHeader => {
                String::from("export the file with its header row; an empty export gives no evidence")
            }
            LoadErrorKind::NotARecord { .. } => {
                String::from("every record must be a JSON object; check `records` or the export")
            }
            LoadErrorKind::TooManyCells { .. } => String::from(
                "export only the register's rows and columns, or split the sheet; cells far outside the table (a stray value at `XFD1048576`) count too",
            ),
            LoadErrorKind::UnclosedQuote { .. } => String::from(
                "the export is truncated or a cell has a stray `\"`: close the quote (write a quote inside a cell as `\"\"`) or export again",
            ),
            LoadErrorKind::RecordsAfterEnd { .. } => String::from(
                "remove the blank line (or empty row) inside the table, or move what follows it out of the export",
            ),
        }
    }

    fn where_(&self) -> String {
        let Some(location) = self.location else {
            return String::new();
        };
        match (location.line, location.index, self.format) {
            (Some(line), _, _) => format!(" line {line}"),
            (None, Some(index), Some(SourceFormat::Xlsx)) => format!(" row {index}"),
            (None, Some(index), _) => format!(" record {index}"),
            (None, None, _) => String::new(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dataset = &self.dataset;
        let file = &self.file;
        let at = self.where_();
        match &*self.kind {
            LoadErrorKind::MissingFile { .. } => {
                write!(f, "evidence file `{file}` of dataset `{dataset}` not found")
            }
            LoadErrorKind::Unreadable { reason } => {
                write!(
                    f,
                    "cannot read `{file}` of dataset `{dataset}`: {}",
                    lower_first(reason)
                )
            }
            LoadErrorKind::PathEscapes { .. } => write!(
                f,
                "source `{file}` of dataset `{dataset}` is outside the evidence directory"
            ),
            LoadErrorKind::MissingColumn { field, wanted, .. } => write!(
                f,
                "`{file}` has no column {} for field `{field}` of dataset `{dataset}`",
                or_list(wanted)
            ),
            LoadErrorKind::AmbiguousColumn {
                field,
                wanted,
                candidates,
            } => write!(
                f,
                "`{file}` has no column `{wanted}` for field `{field}`, and {} match it ignoring case",
                quote_list(candidates, 10)
            ),
            LoadErrorKind::InvalidValue {
                field,
                column,
                value,
                ty,
                expected,
                reason,
            } => {
                write!(
                    f,
                    "`{file}`{at}: `{}` in column `{column}` is not a valid {ty} for field `{field}`",
                    cut(value)
                )?;
                if let Some(reason) = reason {
                    write!(f, " ({reason})")?;
                }
                write!(f, "; expected {expected}")
            }
            LoadErrorKind::RequiredEmpty { field, column } => write!(
                f,
                "`{file}`{at}: required field `{field}` (column `{column}`) is empty"
            ),
            LoadErrorKind::CellCount { expected, found } => write!(
                f,
                "`{file}`{at}: row has {found} cells but the header has {expected}"
            ),
            LoadErrorKind::InvalidUtf8 { byte, line, column } => match (line, column) {
                (Some(line), Some(column)) => write!(
                    f,
                    "`{file}` line {line} column {column}: not valid UTF-8 (byte {byte} of the file)"
                ),
                _ => write!(f, "`{file}` is not valid UTF-8 at byte {byte}"),
            },
            LoadErrorKind::InvalidJson {
                message,
                line,
                column,
            } => write!(
                f,
                "`{file}` line {line} column {column}: invalid JSON: {}",
                lower_first(message)
            ),
            LoadErrorKind::TooDeep { limit } => {
                write!(f, "`{file}`{at}: JSON nested deeper than {limit} levels")
            }
            LoadErrorKind::SheetNotFound { sheet, .. } => {
                write!(f, "workbook `{file}` has no sheet `{sheet}`")
            }
            LoadErrorKind::TooLarge { what, size, limit } => write!(
                f,
                "`{file}`{at}: {what} has {size} bytes, over the limit of {limit}"
            ),
            LoadErrorKind::InvalidDeclaration { field, problem, .. } => match field {
                Some(field) => write!(f, "dataset `{dataset}` field `{field}`: {problem}"),
                None => write!(f, "dataset `{dataset}`: {problem}"),
            },
            LoadErrorKind::RecordsNotFound { path, found } => match path {
                Some(path) => write!(f, "`{file}` has no array of records at `{path}` (found {found})"),
                None => write!(
                    f,
                    "`{file}` is not an array of records (found {found} at the top level)"
                ),
            },
            LoadErrorKind::InvalidWorkbook { reason } => write!(
                f,
                "`{file}` is not a readable xlsx workbook: {}",
                lower_first(reason)
            ),
            LoadErrorKind::NoHeader => write!(f, "`{file}` has no header row"),
            LoadErrorKind::NotARecord { found } => {
                write!(f, "`{file}`{at}: expected an object, found {found}")
            }
            LoadErrorKind::TooManyCells { sheet, cells, limit } => write!(
                f,
                "`{file}`: sheet `{sheet}` has over {limit} non-empty cells (stopped counting at {cells})"
            ),
            LoadErrorKind::UnclosedQuote { line } => write!(
                f,
                "`{file}` line {line}: a quoted cell opens here and is never closed, so the rest of the file would be one cell"
            ),
            LoadErrorKind::RecordsAfterEnd { end, first } => {
                let (what, blank) = match self.format {
                    Some(SourceFormat::Xlsx) => ("row", "the empty row"),
                    _ => ("line", "the blank line"),
                };
                write!(
                    f,
                    "`{file}`: the table ends at {blank} {end}, but {what} {first} after it is a record of the header's width"
                )
            }
        }
    }
}

/// Cuts a quoted value to [`MAX_QUOTED`] characters and makes line breaks visible.
fn cut(value: &str) -> String {
    let mut out = String::new();
    for (count, c) in value.chars().enumerate() {
        if count >= MAX_QUOTED {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '`' => out.push('\''),
            c => out.push(c),
        }
    }
    out
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `` `a`, `b` and 3 more ``
fn quote_list(items: &[String], max: usize) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().take(max).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(&cut(item));
        out.push('`');
    }
    if items.len() > max {
        out.push_str(&format!(" and {} more", items.len() - max));
    }
    out
}

/// `` `a` `` or `` `a` (or `b`) ``
fn or_list(items: &[String]) -> String {
    match items.split_first() {
        None => String::from("``"),
        Some((first, [])) => format!("`{}`", cut(first)),
        Some((first, rest)) => {
            let rest: Vec<String> = rest.iter().map(|r| format!("`{}`", cut(r))).collect();
            format!("`{}` (or {})", cut(first), rest.join(", "))
        }
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
