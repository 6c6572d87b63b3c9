//! What a dataset declaration asks the loader to read: the checker builds these from the rules.

use crate::value::Type;

/// The layout of an evidence file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// Delimited text (`,`, `;` or tab), RFC 4180 quoting.
    Csv,
    /// A JSON array of objects, or an object holding one under [`DatasetSpec::records`].
    Json,
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    JsonLines,
    /// An Excel workbook (`.xlsx`).
    Xlsx,
}

impl SourceFormat {
    /// The format implied by a file name's extension (`.csv .tsv .json .jsonl .ndjson .xlsx`).
    pub fn from_path(path: &str) -> Option<SourceFormat> {
        let ext = path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase())?;
        Some(match ext.as_str() {
            "csv" | "tsv" | "txt" => SourceFormat::Csv,
            "json" => SourceFormat::Json,
            "jsonl" | "ndjson" => SourceFormat::JsonLines,
            "xlsx" | "xlsm" => SourceFormat::Xlsx,
            _ => return None,
        })
    }

    /// The name users read in messages.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Csv => "csv",
            SourceFormat::Json => "json",
            SourceFormat::JsonLines => "json lines",
            SourceFormat::Xlsx => "xlsx",
        }
    }
}

/// The character encoding of a text evidence file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8, with or without a byte order mark.
    Utf8,
    /// Windows-1252 (what Excel and older ServiceNow exports write on Western locales).
    Windows1252,
}

impl Encoding {
    /// The name users read in messages and reports.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

/// The unit of a duration written as a bare number (`RTO (h)` = `5.0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// 24-hour days.
    Days,
    /// Seven-day weeks.
    Weeks,
}

impl DurationUnit {
    /// Microseconds in one unit.
    pub fn micros(self) -> i64 {
        use crate::value::{MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};
        match self {
            DurationUnit::Seconds => MICROS_PER_SECOND,
            DurationUnit::Minutes => MICROS_PER_MINUTE,
            DurationUnit::Hours => MICROS_PER_HOUR,
            DurationUnit::Days => MICROS_PER_DAY,
            DurationUnit::Weeks => 7 * MICROS_PER_DAY,
        }
    }

    /// The unit's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            DurationUnit::Seconds => "seconds",
            DurationUnit::Minutes => "minutes",
            DurationUnit::Hours => "hours",
            DurationUnit::Days => "days",
            DurationUnit::Weeks => "weeks",
        }
    }
}

/// One dataset declaration: where its file is, how to read it, and which fields to extract.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DatasetSpec {
    /// Dataset name in the rules (for messages).
    pub name: String,
    /// Path relative to the evidence directory, as written (`jira/capa.csv`).
    pub source: String,
    /// `None`: from the extension (`.csv .tsv .json .jsonl/.ndjson .xlsx`).
    pub format: Option<SourceFormat>,
    /// CSV delimiter; `None`: sniffed from the header line among `,` `;` and tab.
    pub delimiter: Option<u8>,
    /// `None`: UTF-8 if the whole file is valid UTF-8, else Windows-1252 (noted in the file info).
    pub encoding: Option<Encoding>,
    /// xlsx sheet; `None`: the first sheet.
    pub sheet: Option<String>,
    /// JSON: dotted path of the records array inside the top-level object (`data.items`);
    /// `None`: the top-level array (or every line, for JSON Lines).
    pub records: Option<String>,
    /// Cell values that mean "empty" for every field (`?`, `null`, `N/A`, `--`, `0000-00-00`);
    /// compared after trimming, ignoring ASCII case.
    pub null_tokens: Vec<String>,
    /// IANA zone for date-times written without an offset; `None`: UTC.
    pub timezone: Option<String>,
    /// Words read as `true`, ignoring case; empty: `true`, `yes`, `1`.
    pub true_values: Vec<String>,
    /// Words read as `false`, ignoring case; empty: `false`, `no`, `0`.
    pub false_values: Vec<String>,
    /// Separator of list fields; `None`: `;` (items trimmed, empty items dropped).
    pub list_separator: Option<String>,
    /// Numbers written `1.234,5`.
    pub decimal_comma: bool,
    /// Two-digit years map into `[pivot, pivot + 99]`; `None`: 1970.
    pub year_pivot: Option<i32>,
    /// Strip one leading `'` before `=` `+` `-` `@` (CISO Assistant style formula escaping).
    pub unescape_formulas: bool,
    /// The declared fields, in declaration order; the table has one column per field.
    pub fields: Vec<FieldSpec>,
}

/// One declared field of a dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSpec {
    /// The field's name in the rules.
    pub name: String,
    /// Its type (never `Months` or `Null`).
    pub ty: Type,
    /// CSV/xlsx: column name and aliases tried in order; JSON: paths such as
    /// `target[0].alternateId`, tried in order until one is present in the record.
    pub from: Vec<String>,
    /// Part of the record's id, cited in findings (several key fields form a composite id).
    pub key: bool,
    /// An empty value is a load error.
    pub required: bool,
    /// Date/date-time formats tried in order (see `evidence::datetime`); empty: ISO 8601.
    pub formats: Vec<String>,
    /// Overrides the dataset zone.
    pub timezone: Option<String>,
    /// Overrides the dataset's true words when non-empty.
    pub true_values: Vec<String>,
    /// Overrides the dataset's false words when non-empty.
    pub false_values: Vec<String>,
    /// List separator; overrides the dataset's.
    pub separator: Option<String>,
    /// Extra null tokens for this field.
    pub null_tokens: Vec<String>,
    /// Overrides the dataset's decimal comma setting.
    pub decimal_comma: Option<bool>,
    /// Unit of durations written as bare numbers.
    pub unit: Option<DurationUnit>,
    /// False when no rule reads the field: the column must exist but is not converted.
    pub used: bool,
}

impl FieldSpec {
    /// A used, optional field read from one column or path.
    pub fn new(name: &str, ty: Type, from: &str) -> FieldSpec {
        FieldSpec {
            name: name.to_string(),
            ty,
            from: vec![from.to_string()],
            key: false,
            required: false,
            formats: Vec::new(),
            timezone: None,
            true_values: Vec::new(),
            false_values: Vec::new(),
            separator: None,
            null_tokens: Vec::new(),
            decimal_comma: None,
            unit: None,
            used: true,
        }
    }

    /// Adds a date/date-time format.
    pub fn format(mut self, format: &str) -> FieldSpec {
        self.formats.push(format.to_string());
        self
    }

    /// Adds a column alias.
    pub fn alias(mut self, from: &str) -> FieldSpec {
        self.from.push(from.to_string());
        self
    }

    /// Marks the field as the record key.
    pub fn key(mut self) -> FieldSpec {
        self.key = true;
        self
    }

    /// Marks the field as required.
    pub fn required(mut self) -> FieldSpec {
        self.required = true;
        self
    }

    /// Sets the field's time zone.
    pub fn zone(mut self, zone: &str) -> FieldSpec {
        self.timezone = Some(zone.to_string());
        self
    }

    /// Sets the duration unit.
    pub fn unit(mut self, unit: DurationUnit) -> FieldSpec {
        self.unit = Some(unit);
        self
    }

    /// Marks the field as unused by the rules.
    pub fn unused(mut self) -> FieldSpec {
        self.used = false;
        self
    }
}

impl DatasetSpec {
    /// A dataset read from `source` with default settings and no fields.
    pub fn new(name: &str, source: &str) -> DatasetSpec {
        DatasetSpec {
            name: name.to_string(),
            source: source.to_string(),
            ..DatasetSpec::default()
        }
    }

    /// Adds a field.
    pub fn field(mut self, field: FieldSpec) -> DatasetSpec {
        self.fields.push(field);
        self
    }

    /// Adds dataset-wide null tokens.
    pub fn nulls(mut self, tokens: &[&str]) -> DatasetSpec {
        self.null_tokens
            .extend(tokens.iter().map(|token| token.to_string()));
        self
    }
}
