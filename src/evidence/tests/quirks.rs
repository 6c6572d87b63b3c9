//! The quirks FORMATS.md describes without a real file in `../shared`: a small export of
//! each, showing what the loader does (loads it right, keeps it as text, or refuses it with a
//! precise error). docs/language.md "Known limits" lists the unsupported ones.

use crate::value::Type;

use super::super::{DatasetSpec, Encoding, FieldSpec, LoadError, NoProgress, Table, load};
use super::{at, day};

/// Writes `bytes` as `name` in a fresh directory and loads `spec` (whose source is `name`).
fn run(name: &str, bytes: &[u8], spec: &DatasetSpec) -> Result<Table, LoadError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    load(spec, dir.path(), &NoProgress)
}

fn ok(name: &str, bytes: &[u8], spec: &DatasetSpec) -> Table {
    run(name, bytes, spec).unwrap_or_else(|e| panic!("{} {e}", e.code()))
}

fn err(name: &str, bytes: &[u8], spec: &DatasetSpec) -> String {
    match run(name, bytes, spec) {
        Ok(t) => panic!("expected an error, loaded {} rows", t.rows()),
        Err(e) => format!("{} {e}; {}", e.code(), e.help()),
    }
}

fn f(name: &str, ty: Type, from: &str) -> FieldSpec {
    FieldSpec::new(name, ty, from)
}

#[test]
fn macroman_resave_is_read_as_windows_1252_unless_declared() {
    // `HistoricalChanges`: an en dash saved by Excel for Mac is MacRoman 0xD0.
    let bytes = b"number,short_description\r\nCHG1,Patch \xD0 weekly\r\n";
    let spec = DatasetSpec::new("chg", "c.csv").field(f("desc", Type::Text, "short_description"));
    let t = ok("c.csv", bytes, &spec);
    // Not supported: MacRoman is not detected; the fallback decodes 0xD0 as `Ð`, and says so.
    assert_eq!(t.file().encoding, Encoding::Windows1252);
    assert_eq!(t.column(0).text(0), Some("Patch Ð weekly"));
    assert!(
        t.file().notes.iter().any(|n| n.contains("1252")),
        "{:?}",
        t.file().notes
    );
    // Declaring UTF-8 turns the silent mis-decoding into an error.
    let strict = DatasetSpec {
        encoding: Some(Encoding::Utf8),
        ..spec
    };
    assert!(err("c.csv", bytes, &strict).starts_with("D409"));
}

#[test]
fn localized_jira_month_names_are_an_error() {
    let bytes = "Issue key,Created\nPT-1,09/janv./24 3:54 PM\n".as_bytes();
    let spec = DatasetSpec::new("capa", "j.csv")
        .field(f("created", Type::DateTime, "Created").format("%d/%b/%y %-I:%M %p"));
    let e = err("j.csv", bytes, &spec);
    assert!(e.starts_with("D406") && e.contains("09/janv./24 3:54 PM"), "{e}");
}

#[test]
fn jira_comment_and_attachment_cells_are_text() {
    let bytes = "Issue key,Comment,Attachment\n\
        PT-1,\"09/Jan/24 3:55 PM;70121:6cf6;comentario; with a semicolon\",\
        09/Jan/24 3:56 PM;;a.png;https://x/a.png\n"
        .as_bytes();
    let spec = DatasetSpec::new("capa", "j.csv")
        .field(f("comment", Type::Text, "Comment"))
        .field(f("attachment", Type::List, "Attachment"));
    let t = ok("j.csv", bytes, &spec);
    // Kept whole: the date, author and text are not split into fields.
    assert_eq!(
        t.column(0).text(0),
        Some("09/Jan/24 3:55 PM;70121:6cf6;comentario; with a semicolon")
    );
    // As a list at `;`, the empty (anonymised) author is dropped, so positions shift.
    let items: Vec<&str> = t.column(1).list(0).collect();
    assert_eq!(items, ["09/Jan/24 3:56 PM", "a.png", "https://x/a.png"]);
}

#[test]
fn issuekey_without_a_space_needs_an_alias() {
    let bytes = "Issuekey,Status\nPT-1,Open\n".as_bytes();
    let e = err(
        "j.csv",
        bytes,
        &DatasetSpec::new("capa", "j.csv").field(f("key", Type::Text, "Issue key")),
    );
    assert!(e.starts_with("D404") && e.contains("Issuekey"), "{e}");
    let spec = DatasetSpec::new("capa", "j.csv").field(f("key", Type::Text, "Issue key").alias("Issuekey"));
    assert_eq!(ok("j.csv", bytes, &spec).column(0).text(0), Some("PT-1"));
}

#[test]
fn excel_mangled_date_is_an_error_or_text() {
    let bytes = "Issue key,First response\nA-1,29:10.8\n".as_bytes();
    let as_date = DatasetSpec::new("capa", "j.csv")
        .field(f("first", Type::DateTime, "First response").format("%d/%m/%Y %H:%M"));
    let e = err("j.csv", bytes, &as_date);
    assert!(e.starts_with("D406") && e.contains("29:10.8"), "{e}");
    let as_text = DatasetSpec::new("capa", "j.csv").field(f("first", Type::Text, "First response"));
    assert_eq!(ok("j.csv", bytes, &as_text).column(0).text(0), Some("29:10.8"));
}

#[test]
fn entra_json_encoded_strings_stay_encoded() {
    let bytes = br#"{"targetResources":[{"modifiedProperties":[{"displayName":"AccountEnabled","oldValue":"[true]","newValue":"[false]"}]}]}
"#;
    let spec = DatasetSpec::new("entra", "e.ndjson")
        .field(f(
            "new",
            Type::Text,
            "targetResources[0].modifiedProperties[0].newValue",
        ))
        .field(f(
            "new_list",
            Type::List,
            "targetResources[0].modifiedProperties[0].newValue",
        ));
    let t = ok("e.ndjson", bytes, &spec);
    // Not decoded a second time: compare with the encoded text `[false]`.
    assert_eq!(t.column(0).text(0), Some("[false]"));
    assert_eq!(t.column(1).list(0).collect::<Vec<_>>(), ["[false]"]);
}

#[test]
fn google_parameters_are_read_by_position_not_by_name() {
    let bytes = br#"{"events":[{"name":"SUSPEND_USER","parameters":[{"name":"USER_EMAIL","value":"a@x.com"}]}]}
{"events":[{"name":"DELETE_USER","parameters":[{"name":"DOMAIN","value":"x.com"},{"name":"USER_EMAIL","value":"b@x.com"}]}]}
"#;
    let spec = DatasetSpec::new("google", "g.ndjson")
        .field(f("event", Type::Text, "events[0].name"))
        .field(f("param", Type::Text, "events[0].parameters[0].name"))
        .field(f("value", Type::Text, "events[0].parameters[0].value"));
    let t = ok("g.ndjson", bytes, &spec);
    assert_eq!(t.column(2).text(0), Some("a@x.com"));
    // The second event's first parameter is DOMAIN: a path cannot select `name == USER_EMAIL`,
    // so rules must check `param` alongside `value`.
    assert_eq!(t.column(1).text(1), Some("DOMAIN"));
    assert_eq!(t.column(2).text(1), Some("x.com"));
}

#[test]
fn servicenow_displayvalue_all_objects() {
    let bytes = br#"{"result":[{"number":{"display_value":"INC1","value":"INC1"},"priority":{"display_value":"1 - Critical","value":"1"}}]}"#;
    let spec = DatasetSpec {
        records: Some("result".into()),
        ..DatasetSpec::new("snow", "s.json")
    };
    let good = spec
        .clone()
        .field(f("priority", Type::Int, "priority.value"))
        .field(f("label", Type::Text, "priority.display_value"));
    let t = ok("s.json", bytes, &good);
    assert_eq!(t.column(0).int(0), Some(1));
    assert_eq!(t.column(1).text(0), Some("1 - Critical"));
    let e = err(
        "s.json",
        bytes,
        &spec.field(f("priority", Type::Text, "priority")),
    );
    assert!(e.starts_with("D406") && e.contains("priority"), "{e}");
}

#[test]
fn newline_separated_list_cells() {
    // CISO Assistant writes lists one item per line inside a cell; the same cell in CSV.
    let bytes = b"ref_id,assets\nR01,\"Ecommerce portal\r\nBackoffice\n\"\n";
    let mut field = f("assets", Type::List, "assets");
    field.separator = Some("\n".into());
    let t = ok("r.csv", bytes, &DatasetSpec::new("risks", "r.csv").field(field));
    // Items are trimmed, so a CRLF inside the cell leaves no `\r`.
    assert_eq!(
        t.column(0).list(0).collect::<Vec<_>>(),
        ["Ecommerce portal", "Backoffice"]
    );
}

#[test]
fn sizes_with_units_are_an_error_as_numbers() {
    let bytes = b"\"JobName\",\"Size\"\n\"Job 1\",\"30 GB\"\n";
    let e = err(
        "v.csv",
        bytes,
        &DatasetSpec::new("v", "v.csv").field(f("size", Type::Number, "Size")),
    );
    assert!(e.starts_with("D406") && e.contains("30 GB"), "{e}");
    let t = ok(
        "v.csv",
        bytes,
        &DatasetSpec::new("v", "v.csv").field(f("size", Type::Text, "Size")),
    );
    assert_eq!(t.column(0).text(0), Some("30 GB"));
}

#[test]
fn day_first_and_month_first_mixed_in_one_field() {
    let spec = DatasetSpec::new("dojo", "d.csv").field(
        f("date", Type::Date, "Date")
            .format("%d/%m/%Y")
            .format("%m/%d/%Y"),
    );
    // Unambiguous values are read under the one format that fits them.
    let t = ok("d.csv", b"Date\n28/02/2021\n01/30/2018\n05/05/2020\n", &spec);
    assert_eq!(t.column(0).date(0), Some(day("2021-02-28")));
    assert_eq!(t.column(0).date(1), Some(day("2018-01-30")));
    assert_eq!(t.column(0).date(2), Some(day("2020-05-05")));
    // An ambiguous one is refused, naming it.
    let e = err("d.csv", b"Date\n28/02/2021\n03/04/2021\n", &spec);
    assert!(e.starts_with("D406") && e.contains("03/04/2021"), "{e}");
    let _ = at;
}

#[test]
fn invalid_utf8_is_located_by_line_and_character_column() {
    // A BOM, a multi-byte character before the bad byte, and a CRLF line end.
    let bytes = b"\xEF\xBB\xBFname,city\r\n\xC3\xA9t\xC3\xA9,Z\xFCrich\r\n";
    let spec = DatasetSpec {
        encoding: Some(Encoding::Utf8),
        ..DatasetSpec::new("x", "u.csv")
    }
    .field(f("city", Type::Text, "city"));
    let e = err("u.csv", bytes, &spec);
    assert!(
        e.starts_with("D409 `u.csv` line 2 column 6: not valid UTF-8 (byte 21 of the file)"),
        "{e}"
    );
}
