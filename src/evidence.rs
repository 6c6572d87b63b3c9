//! Evidence loading: reads exports exactly as Jira, ServiceNow, an LMS, HR systems and the
//! Okta System Log write them, driven only by a [`DatasetSpec`], into typed columnar
//! [`Table`]s that the evaluator reads in parallel.
//!
//! Each file is read once, in blocks, while its SHA-256 is computed. CSV (`,` `;` tab,
//! sniffed or declared), JSON (an array, or an array under a declared path), JSON Lines and
//! xlsx are supported; see the submodules for every quirk handled. Nothing here panics on
//! any input: evidence files are untrusted, and every problem is a [`LoadError`] with a
//! stable code, the facts and a fix.
//!
//! Bounds (each exceeded bound is a D413 error unless noted):
//! - one cell (CSV, xlsx) or one JSON string value: [`MAX_CELL_BYTES`] (1 MiB);
//! - the CSV header line: [`MAX_HEADER_BYTES`] (4 MiB);
//! - one JSON record: [`MAX_RECORD_BYTES`] (64 MiB);
//! - JSON nesting: [`MAX_JSON_DEPTH`] levels (D411);
//! - an xlsx workbook: [`MAX_XLSX_BYTES`] (256 MiB, it is unzipped in memory);
//! - a JSON file with a `records` path: [`MAX_JSON_DOCUMENT_BYTES`] (2 GiB, read whole);
//! - the text of one column: 4 GiB (32-bit offsets).
//!
//! Empty values: an empty cell, a cell of only whitespace, an empty JSON string, JSON
//! `null`, an absent JSON key and a declared null token all load as none. A column the
//! declaration names but the file lacks is an error (D404), never a column of nones.

mod build;
mod convert;
mod csv;
mod csv_records;
mod datetime;
mod error;
mod input;
mod json;
mod number;
mod path;
pub mod spec;
mod table;
mod xlsx;

#[cfg(test)]
mod tests;

use std::path::Path;

use rayon::prelude::*;

pub use error::{CODES, LoadError, LoadErrorKind};
pub use spec::{DatasetSpec, DurationUnit, Encoding, FieldSpec, SourceFormat};
pub use table::{
    Bitmap, Column, ColumnData, FileInfo, ListItems, Location, NONE_CODE, NONE_DATE, NONE_MICROS, Strings,
    Table, TextData,
};

use build::{Notes, TableBuilder};
use convert::{FieldConv, Problem};
use input::InputError;
use table::Provenance;

/// Largest cell (or JSON string value) accepted, in bytes.
pub const MAX_CELL_BYTES: usize = 1 << 20;
/// Largest CSV header line accepted, in bytes.
pub const MAX_HEADER_BYTES: usize = 4 << 20;
/// Largest JSON record accepted, in bytes.
pub const MAX_RECORD_BYTES: usize = 64 << 20;
/// Deepest JSON nesting accepted.
pub const MAX_JSON_DEPTH: usize = 128;
/// Largest xlsx workbook accepted, in bytes.
pub const MAX_XLSX_BYTES: u64 = 256 << 20;
/// Most non-empty cells read from one worksheet. Cells are kept sparse (about 40 bytes
/// each, strings shared with the workbook), so the bound is on their number, not on the
/// extent of the sheet: a lone cell at `XFD1048576` costs one cell.
pub const MAX_XLSX_CELLS: u64 = 8 << 20;
/// Largest JSON file with a `records` path accepted, in bytes.
pub const MAX_JSON_DOCUMENT_BYTES: u64 = 2 << 30;

/// Checks a date format as the loader will read it: `Ok` or why it cannot be used.
pub fn validate_date_format(format: &str) -> Result<(), String> {
    datetime::DateFormat::compile(format).map(|_| ())
}

/// Progress of long loads (the CLI draws a progress bar through it).
pub trait LoadObserver {
    /// Loading of `dataset` started; its file has `bytes` bytes.
    fn started(&self, dataset: &str, bytes: u64);
    /// `bytes_done` bytes of the file have been read.
    fn advanced(&self, dataset: &str, bytes_done: u64);
    /// Loading of `dataset` ended (successfully or not).
    fn finished(&self, dataset: &str);
}

/// An observer that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl LoadObserver for NoProgress {
    fn started(&self, _: &str, _: u64) {}
    fn advanced(&self, _: &str, _: u64) {}
    fn finished(&self, _: &str) {}
}

/// Loads every dataset, in parallel; results are in `specs` order.
pub fn load_all(
    specs: &[DatasetSpec],
    evidence_dir: &Path,
    observer: &(dyn LoadObserver + Sync),
) -> Vec<Result<Table, LoadError>> {
    specs
        .par_iter()
        .map(|spec| load(spec, evidence_dir, observer))
        .collect()
}

/// Loads one dataset from `evidence_dir`.
pub fn load(
    spec: &DatasetSpec,
    evidence_dir: &Path,
    observer: &dyn LoadObserver,
) -> Result<Table, LoadError> {
    let plan = Plan::new(spec)?;
    let resolved = path::resolve(&plan, evidence_dir)?;
    observer.started(&spec.name, resolved.size);
    let result = match plan.format {
        SourceFormat::Csv => with_encoding(&plan, &resolved.path, |enc| {
            csv::load(&plan, &resolved.path, enc, observer)
        }),
        SourceFormat::Json | SourceFormat::JsonLines => with_encoding(&plan, &resolved.path, |enc| {
            json::load(&plan, &resolved.path, enc, observer)
        }),
        SourceFormat::Xlsx => xlsx::load(&plan, &resolved.path, observer),
    };
    observer.finished(&spec.name);
    result.map_err(|e| e.in_format(plan.format))
}

/// The dataset's source path relative to an evidence directory, when the loader would
/// accept it: the same D403 check (absolute, drive prefix, `..`) and declaration checks
/// that [`load`] makes before it touches the file system. Callers that create the file
/// themselves (rule tests with inline CSV) check with this first.
pub fn relative_source(spec: &DatasetSpec) -> Result<std::path::PathBuf, LoadError> {
    let plan = Plan::new(spec)?;
    path::lexical(&plan)
}

/// A text reader's failure: a load error, or invalid UTF-8 (which may mean "retry as
/// Windows-1252").
pub(crate) enum Fail {
    Load(LoadError),
    Utf8(u64),
}

impl From<LoadError> for Fail {
    fn from(e: LoadError) -> Fail {
        Fail::Load(e)
    }
}

/// Runs a text reader with the declared encoding, or UTF-8 falling back to Windows-1252.
fn with_encoding(
    plan: &Plan<'_>,
    path: &Path,
    read: impl Fn(Encoding) -> Result<Table, Fail>,
) -> Result<Table, LoadError> {
    let invalid = |byte: u64| {
        let (line, column) = input::line_column(path, byte).map_or((None, None), |(l, c)| (Some(l), Some(c)));
        plan.error(LoadErrorKind::InvalidUtf8 { byte, line, column })
    };
    match read(plan.spec.encoding.unwrap_or(Encoding::Utf8)) {
        Ok(table) => Ok(table),
        Err(Fail::Load(e)) => Err(e),
        Err(Fail::Utf8(byte)) if plan.spec.encoding.is_none() => match read(Encoding::Windows1252) {
            Ok(mut table) => {
                table
                    .file
                    .notes
                    .insert(0, format!("not valid UTF-8 at byte {byte}: read as Windows-1252"));
                Ok(table)
            }
            Err(Fail::Load(e)) => Err(e),
            Err(Fail::Utf8(byte)) => Err(invalid(byte)),
        },
        Err(Fail::Utf8(byte)) => Err(invalid(byte)),
    }
}

/// A dataset declaration prepared for loading.
pub(crate) struct Plan<'s> {
    pub(crate) spec: &'s DatasetSpec,
    /// The source path, forward slashes, no `./`.
    pub(crate) file: String,
    pub(crate) format: SourceFormat,
    pub(crate) fields: Vec<FieldConv>,
    pub(crate) key: Option<usize>,
}

impl<'s> Plan<'s> {
    fn new(spec: &'s DatasetSpec) -> Result<Plan<'s>, LoadError> {
        let file = path::normalize(&spec.source);
        let declaration = |problem: String, fix: &str| {
            LoadError::new(
                &spec.name,
                &file,
                LoadErrorKind::InvalidDeclaration {
                    field: None,
                    problem,
                    fix: fix.to_string(),
                },
            )
        };
        let format = match spec.format.or_else(|| SourceFormat::from_path(&file)) {
            Some(format) => format,
            None => {
                return Err(declaration(
                    format!("the format of `{file}` cannot be told from its extension"),
                    "declare the format (csv, json, jsonl or xlsx), or name the file .csv, .tsv, .json, .jsonl, .ndjson or .xlsx",
                ));
            }
        };
        let mut fields = Vec::with_capacity(spec.fields.len());
        for field in &spec.fields {
            fields.push(FieldConv::prepare(spec, field).map_err(|mut e| {
                e.file.clone_from(&file);
                e
            })?);
        }
        Ok(Plan {
            spec,
            file,
            format,
            // Several `key` fields form a composite key; the table remembers the first.
            key: spec.fields.iter().position(|f| f.key),
            fields,
        })
    }

    pub(crate) fn error(&self, kind: LoadErrorKind) -> LoadError {
        LoadError::new(&self.spec.name, &self.file, kind).in_format(self.format)
    }

    pub(crate) fn builder(&self) -> TableBuilder {
        let fields: Vec<_> = self.fields.iter().map(|f| (f.ty, f.used)).collect();
        TableBuilder::new(&fields)
    }

    /// The error for a cell that did not convert.
    pub(crate) fn cell_error(
        &self,
        field: usize,
        column: &str,
        raw: &str,
        problem: Problem,
        location: Location,
    ) -> LoadError {
        let Some(conv) = self.fields.get(field) else {
            return self.error(LoadErrorKind::NoHeader);
        };
        let kind = match problem {
            Problem::Required => LoadErrorKind::RequiredEmpty {
                field: conv.name.clone(),
                column: column.to_string(),
            },
            Problem::Invalid(reason) => LoadErrorKind::InvalidValue {
                field: conv.name.clone(),
                column: column.to_string(),
                value: raw.trim().chars().take(200).collect(),
                ty: conv.ty.name().to_string(),
                expected: conv.expected(),
                reason,
            },
            Problem::Overflow => LoadErrorKind::TooLarge {
                what: format!("the text of column `{column}`"),
                size: u64::from(u32::MAX) + 1,
                limit: u64::from(u32::MAX),
            },
        };
        self.error(kind).at(location)
    }

    /// The error for a column arena that outgrew its offsets while merging chunks.
    pub(crate) fn overflow(&self, field: usize) -> LoadError {
        let name = self.fields.get(field).map_or("", |f| f.name.as_str());
        self.error(LoadErrorKind::TooLarge {
            what: format!("the text of field `{name}`"),
            size: u64::from(u32::MAX) + 1,
            limit: u64::from(u32::MAX),
        })
    }

    /// Freezes a builder into a table.
    pub(crate) fn finish(
        &self,
        builder: TableBuilder,
        sources: Vec<String>,
        provenance: ProvenanceKind,
        file: FileFacts,
    ) -> Table {
        let fields: Vec<_> = self
            .fields
            .iter()
            .zip(sources)
            .map(|(f, source)| (f.name.clone(), f.ty, source))
            .collect();
        let (columns, positions, rows, notes) = builder.finish(&fields);
        let mut all_notes = file.notes;
        notes_into(&notes, &mut all_notes);
        let provenance = match provenance {
            ProvenanceKind::Lines => Provenance::Lines(positions),
            ProvenanceKind::Rows => Provenance::Indexes(positions),
            ProvenanceKind::Sequential => Provenance::Sequential,
        };
        Table {
            dataset: self.spec.name.clone(),
            key: self.key,
            columns,
            rows,
            provenance,
            file: FileInfo {
                path: self.file.clone(),
                sha256: file.sha256,
                size: file.size,
                rows,
                format: self.format,
                encoding: file.encoding,
                delimiter: file.delimiter,
                sheet: file.sheet,
                notes: all_notes,
            },
        }
    }

    /// Maps a reading failure.
    pub(crate) fn input_error(&self, e: InputError) -> Fail {
        match e {
            InputError::Utf8(byte) => Fail::Utf8(byte),
            InputError::Io(e) => Fail::Load(self.error(LoadErrorKind::Unreadable {
                reason: e.to_string(),
            })),
        }
    }
}

fn notes_into(notes: &Notes, out: &mut Vec<String>) {
    notes.describe(out);
}

/// How rows are located in the file.
pub(crate) enum ProvenanceKind {
    /// By line (CSV, JSON Lines).
    Lines,
    /// By worksheet row (xlsx).
    Rows,
    /// By array index (JSON).
    Sequential,
}

/// What a reader learned about the file.
pub(crate) struct FileFacts {
    pub(crate) sha256: String,
    pub(crate) size: u64,
    pub(crate) encoding: Encoding,
    pub(crate) delimiter: Option<u8>,
    pub(crate) sheet: Option<String>,
    pub(crate) notes: Vec<String>,
}
