//! Dataset declarations → loader specs with typed fields.

use std::collections::HashMap;

use super::Checker;
use super::program::{Dataset, Field, Freshness};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::evidence::spec::{DatasetSpec, DurationUnit, Encoding, FieldSpec, SourceFormat};
use crate::source::Span;
use crate::syntax::ast::{self, DataOption};
use crate::value::Type;

/// Type names accepted in `field` declarations.
const TYPE_NAMES: &[&str] = &[
    "text", "int", "number", "bool", "date", "datetime", "duration", "percent", "list",
];

impl Checker<'_> {
    pub(super) fn dataset(&mut self, d: &ast::Dataset) -> Dataset {
        let mut spec = DatasetSpec {
            name: d.id.name.clone(),
            ..DatasetSpec::default()
        };
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let mut source_span = d.span;
        let mut freshness_decl = None;
        for option in &d.options {
            if self.repeated_option(&mut seen, option, &d.id.name) {
                continue;
            }
            match option {
                DataOption::Source(s) => {
                    spec.source = s.value.clone();
                    source_span = s.span;
                    if s.value.trim().is_empty() {
                        self.invalid(s.span, "`source` is empty", "write the export's path relative to the evidence directory, like `\"jira/capa.csv\"`");
                    }
                }
                DataOption::Format(f) => {
                    spec.format = Some(match f.node {
                        ast::SourceFormat::Csv => SourceFormat::Csv,
                        ast::SourceFormat::Json => SourceFormat::Json,
                        ast::SourceFormat::JsonLines => SourceFormat::JsonLines,
                        ast::SourceFormat::Xlsx => SourceFormat::Xlsx,
                    })
                }
                DataOption::Delimiter(s) => spec.delimiter = self.delimiter(s),
                DataOption::Encoding(s) => {
                    spec.encoding = match s.value.to_ascii_lowercase().as_str() {
                        "utf-8" | "utf8" => Some(Encoding::Utf8),
                        "windows-1252" | "cp1252" => Some(Encoding::Windows1252),
                        _ => {
                            self.invalid(
                                s.span,
                                &format!("unknown encoding `{}`", s.value),
                                "write `\"utf-8\"` or `\"windows-1252\"`, or leave it out to detect it",
                            );
                            None
                        }
                    }
                }
                DataOption::Sheet(s) => spec.sheet = Some(s.value.clone()),
                DataOption::Records(s) => spec.records = Some(s.value.clone()),
                DataOption::Null(l) => spec.null_tokens = values(l),
                DataOption::Timezone(s) => spec.timezone = self.timezone(s),
                DataOption::TrueValues(l) => spec.true_values = values(l),
                DataOption::FalseValues(l) => spec.false_values = values(l),
                DataOption::Separator(s) => spec.list_separator = self.separator(s),
                DataOption::DecimalComma(_) => spec.decimal_comma = true,
                DataOption::YearPivot(p) => {
                    if (1000..=9900).contains(&p.node) {
                        spec.year_pivot = i32::try_from(p.node).ok();
                    } else {
                        self.invalid(
                            p.span,
                            &format!("year pivot `{}` is out of range", p.node),
                            "write the first year two-digit years stand for, like `1970`",
                        );
                    }
                }
                DataOption::UnescapeFormulas(_) => spec.unescape_formulas = true,
                DataOption::Freshness { field, within } => freshness_decl = Some((field, within)),
                // Field-only options cannot appear here (the grammar does not allow them).
                _ => {}
            }
        }
        if spec.source.is_empty() && !seen.contains_key("source") {
            self.error(
                Diagnostic::new(Code::C113, format!("dataset `{}` has no `source`", d.id.name))
                    .with_primary(d.id.span, "declared here")
                    .with_help("add `source \"path/to/export.csv\"`, relative to the evidence directory"),
            );
        }
        if d.fields.is_empty() {
            self.error(
                Diagnostic::new(Code::C113, format!("dataset `{}` declares no fields", d.id.name))
                    .with_primary(d.id.span, "declared here")
                    .with_help("add `field name : type from \"Column\"` for each column the rules read"),
            );
        }

        let mut fields = Vec::new();
        let mut field_seen: HashMap<String, Span> = HashMap::new();
        let mut keys: Vec<usize> = Vec::new();
        for f in &d.fields {
            if let Some(first) = field_seen.get(&f.name.name) {
                let first = *first;
                self.error(
                    Diagnostic::new(
                        Code::C106,
                        format!(
                            "field `{}` is declared twice in dataset `{}`",
                            f.name.name, d.id.name
                        ),
                    )
                    .with_primary(f.name.span, "declared again here")
                    .with_secondary(first, "first declared here")
                    .with_help("rename one of them; two fields may read the same column"),
                );
                continue;
            }
            field_seen.insert(f.name.name.clone(), f.name.span);
            let field_spec = self.field(f, &d.id.name);
            if field_spec.key {
                keys.push(fields.len());
            }
            fields.push(Field {
                name: f.name.name.clone(),
                ty: field_spec.ty,
                span: f.span,
            });
            spec.fields.push(field_spec);
        }

        let freshness = freshness_decl.and_then(|(field, within)| {
            let Some(index) = fields.iter().position(|f| f.name == field.name) else {
                let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                self.error(
                    Diagnostic::new(
                        Code::C102,
                        format!("dataset `{}` has no field `{}`", d.id.name, field.name),
                    )
                    .with_primary(field.span, "not a field of this dataset")
                    .with_help_opt(diagnostic::did_you_mean(&field.name, names)),
                );
                return None;
            };
            let ty = fields.get(index).map_or(Type::Null, |f| f.ty);
            if !matches!(ty, Type::Date | Type::DateTime) {
                self.invalid(
                    field.span,
                    &format!(
                        "freshness needs a date or datetime field; `{}` is {ty}",
                        field.name
                    ),
                    "name the field that dates each record, like `published`",
                );
                return None;
            }
            if within.node <= 0 {
                self.invalid(
                    within.span,
                    "freshness window must be positive",
                    "write a duration like `7d`",
                );
                return None;
            }
            Some(Freshness {
                field: index,
                within: within.node,
                span: field.span.to(within.span),
            })
        });

        Dataset {
            name: d.id.name.clone(),
            title: d.title.as_ref().map(|t| t.value.clone()),
            spec,
            fields,
            key: keys,
            freshness,
            span: d.id.span,
            source_span,
        }
    }

    fn field(&mut self, f: &ast::FieldDecl, dataset: &str) -> FieldSpec {
        let ty = match Type::from_name(&f.ty.name) {
            Some(t) => t,
            None => {
                self.error(
                    Diagnostic::new(Code::C209, format!("unknown type `{}`", f.ty.name))
                        .with_primary(f.ty.span, "not a type")
                        .with_help(
                            diagnostic::did_you_mean(&f.ty.name, TYPE_NAMES.iter().copied()).unwrap_or_else(
                                || format!("types are {}", super::catalog::quoted_list(TYPE_NAMES)),
                            ),
                        ),
                );
                Type::Null
            }
        };
        let mut spec = FieldSpec {
            name: f.name.name.clone(),
            ty,
            from: Vec::new(),
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
            used: false,
        };
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let context = format!("{dataset}.{}", f.name.name);
        for option in &f.options {
            if self.repeated_option(&mut seen, option, &context) {
                continue;
            }
            let applies = |types: &[Type]| ty == Type::Null || types.contains(&ty);
            let misplaced = |kind: &str| format!("`{}` does not apply to {ty:#} field", kind);
            match option {
                DataOption::Key(_) => spec.key = true,
                DataOption::Required(_) => spec.required = true,
                DataOption::From(l) => spec.from = values(l),
                DataOption::Null(l) => spec.null_tokens = values(l),
                DataOption::Formats(l) => {
                    if applies(&[Type::Date, Type::DateTime]) {
                        for s in l {
                            self.date_format(s);
                        }
                        spec.formats = values(l);
                    } else {
                        self.invalid(
                            option.span(),
                            &misplaced("format"),
                            "date formats apply to `date` and `datetime` fields",
                        );
                    }
                }
                DataOption::Timezone(s) => {
                    if applies(&[Type::DateTime]) {
                        spec.timezone = self.timezone(s);
                    } else {
                        self.invalid(
                            option.span(),
                            &misplaced("timezone"),
                            "time zones apply to `datetime` fields; a `date` is read as written",
                        );
                    }
                }
                DataOption::TrueValues(l) | DataOption::FalseValues(l) => {
                    if applies(&[Type::Bool]) {
                        if matches!(option, DataOption::TrueValues(_)) {
                            spec.true_values = values(l);
                        } else {
                            spec.false_values = values(l);
                        }
                    } else {
                        self.invalid(
                            option.span(),
                            &misplaced(option.keyword()),
                            "boolean words apply to `bool` fields",
                        );
                    }
                }
                DataOption::Separator(s) => {
                    if applies(&[Type::List]) {
                        spec.separator = self.separator(s);
                    } else {
                        self.invalid(
                            option.span(),
                            &misplaced("separator"),
                            "a separator applies to `list` fields",
                        );
                    }
                }
                DataOption::DecimalComma(_) => {
                    if applies(&[Type::Number, Type::Percent, Type::Duration]) {
                        spec.decimal_comma = Some(true);
                    } else {
                        self.invalid(
                            option.span(),
                            &misplaced("decimal_comma"),
                            "decimal commas apply to `number`, `percent` and `duration` fields",
                        );
                    }
                }
                DataOption::Unit(u) => {
                    if applies(&[Type::Duration]) {
                        spec.unit = Some(match u.node {
                            ast::DurationUnit::Seconds => DurationUnit::Seconds,
                            ast::DurationUnit::Minutes => DurationUnit::Minutes,
                            ast::DurationUnit::Hours => DurationUnit::Hours,
                            ast::DurationUnit::Days => DurationUnit::Days,
                            ast::DurationUnit::Weeks => DurationUnit::Weeks,
                        });
                    } else {
                        self.invalid(
                            option.span(),
                            &misplaced("unit"),
                            "a unit applies to `duration` fields written as bare numbers",
                        );
                    }
                }
                _ => {}
            }
        }
        if spec.from.is_empty() {
            spec.from.push(f.name.name.clone());
        }
        spec
    }

    /// Reports an option given twice; true when it was.
    fn repeated_option(
        &mut self,
        seen: &mut HashMap<&'static str, Span>,
        option: &DataOption,
        owner: &str,
    ) -> bool {
        let keyword = option.keyword();
        if let Some(first) = seen.get(keyword) {
            let first = *first;
            self.error(
                Diagnostic::new(Code::C106, format!("`{keyword}` is given twice for `{owner}`"))
                    .with_primary(option.span(), "given again here")
                    .with_secondary(first, "first given here")
                    .with_help("keep one; list several values in one option, separated by commas"),
            );
            return true;
        }
        seen.insert(keyword, option.span());
        false
    }

    fn invalid(&mut self, span: Span, message: &str, help: &str) {
        self.error(
            Diagnostic::new(Code::C115, message)
                .with_primary(span, "here")
                .with_help(help),
        );
    }

    fn delimiter(&mut self, s: &ast::StringLit) -> Option<u8> {
        match s.value.as_bytes() {
            [b] if b.is_ascii() && !b.is_ascii_alphanumeric() && *b != b'"' && *b != b'\n' => Some(*b),
            _ => {
                self.invalid(
                    s.span,
                    &format!(
                        "delimiter `{}` is not a single punctuation character",
                        s.value.escape_default()
                    ),
                    "write `\",\"`, `\";\"`, `\"\\t\"` or `\"|\"`, or leave it out to detect it",
                );
                None
            }
        }
    }

    fn separator(&mut self, s: &ast::StringLit) -> Option<String> {
        if s.value.is_empty() {
            self.invalid(
                s.span,
                "separator is empty",
                "write the text between list items, like `\";\"`",
            );
            return None;
        }
        Some(s.value.clone())
    }

    fn timezone(&mut self, s: &ast::StringLit) -> Option<String> {
        if jiff::tz::db().get(&s.value).is_ok() {
            return Some(s.value.clone());
        }
        let names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
        let help = diagnostic::did_you_mean(&s.value, names.iter().map(String::as_str))
            .unwrap_or_else(|| "write an IANA time zone name like `\"Europe/Helsinki\"` or `\"UTC\"`".into());
        self.error(
            Diagnostic::new(Code::C115, format!("unknown time zone `{}`", s.value))
                .with_primary(s.span, "not an IANA time zone")
                .with_help(help),
        );
        None
    }

    fn date_format(&mut self, s: &ast::StringLit) {
        if let Err(problem) = crate::evidence::validate_date_format(&s.value) {
            self.invalid(
                s.span,
                &format!("date format `{}` cannot be used: {problem}", s.value),
                "use strftime specifiers such as `%d/%m/%Y %H:%M`, `%d/%b/%y %-I:%M %p` or `%Y-%m-%dT%H:%M:%S%.f%z`",
            );
        }
    }
}

fn values(list: &[ast::StringLit]) -> Vec<String> {
    list.iter().map(|s| s.value.clone()).collect()
}

#[cfg(test)]
mod tests {
    use crate::evidence::validate_date_format;

    #[test]
    fn date_formats_are_validated_as_the_loader_reads_them() {
        assert!(validate_date_format("%d/%b/%y %-I:%M %p").is_ok());
        assert!(validate_date_format("%Y-%m-%dT%H:%M:%S%.f%z").is_ok());
        assert!(validate_date_format("%Q").is_err());
        assert!(validate_date_format("%").is_err());
        assert!(
            validate_date_format("%I:%M").is_err(),
            "12-hour clock without AM/PM"
        );
    }
}
