//! PLACEHOLDER until the evidence-loading module lands: only the spec types the checker
//! produces.
pub mod spec {
    /// How an evidence file is laid out.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum SourceFormat {
        Csv,
        Json,
        JsonLines,
        Xlsx,
    }
    /// Text encoding.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Encoding {
        Utf8,
        Windows1252,
    }
    /// Unit of a bare-number duration column.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum DurationUnit {
        Seconds,
        Minutes,
        Hours,
        Days,
    }
    /// A dataset declaration, resolved.
    #[derive(Clone, Debug, PartialEq, Default)]
    pub struct DatasetSpec {
        pub name: String,
        pub source: String,
        pub format: Option<SourceFormat>,
        pub delimiter: Option<u8>,
        pub encoding: Option<Encoding>,
        pub sheet: Option<String>,
        pub records: Option<String>,
        pub null_tokens: Vec<String>,
        pub timezone: Option<String>,
        pub true_values: Vec<String>,
        pub false_values: Vec<String>,
        pub list_separator: Option<String>,
        pub decimal_comma: bool,
        pub year_pivot: Option<i32>,
        pub unescape_formulas: bool,
        pub fields: Vec<FieldSpec>,
    }
    /// A field declaration, resolved.
    #[derive(Clone, Debug, PartialEq)]
    pub struct FieldSpec {
        pub name: String,
        pub ty: crate::value::Type,
        pub from: Vec<String>,
        pub key: bool,
        pub required: bool,
        pub formats: Vec<String>,
        pub timezone: Option<String>,
        pub true_values: Vec<String>,
        pub false_values: Vec<String>,
        pub separator: Option<String>,
        pub null_tokens: Vec<String>,
        pub decimal_comma: Option<bool>,
        pub unit: Option<DurationUnit>,
        pub used: bool,
    }
}
