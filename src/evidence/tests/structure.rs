//! The shape of an export rather than its values: a stray far cell in a workbook, an
//! unclosed quote, a blank line inside a table, a FIFO where the export should be.

use crate::value::Type;

use super::super::{DatasetSpec, FieldSpec, LoadError, NoProgress, Table, load};

fn f(name: &str, ty: Type, from: &str) -> FieldSpec {
    FieldSpec::new(name, ty, from)
}

fn load_dir(spec: &DatasetSpec, dir: &std::path::Path) -> Result<Table, LoadError> {
    load(spec, dir, &NoProgress)
}

/// A cell of [`sheet_xml`]: its reference (`B7`) and text or number.
pub(super) enum X<'a> {
    S(&'a str, &'a str),
    N(&'a str, f64),
}

/// A worksheet's XML with the given cells (inline strings, no shared-string table), in
/// the order given: rows are opened as the cells' row numbers change.
pub(super) fn sheet_xml(cells: &[X<'_>]) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    let mut open: Option<String> = None;
    for cell in cells {
        let reference = match cell {
            X::S(r, _) | X::N(r, _) => *r,
        };
        let row: String = reference.chars().filter(char::is_ascii_digit).collect();
        if open.as_deref() != Some(row.as_str()) {
            if open.is_some() {
                out.push_str("</row>");
            }
            out.push_str(&format!(r#"<row r="{row}">"#));
            open = Some(row);
        }
        match cell {
            X::S(r, text) => {
                let text = text.replace('&', "&amp;").replace('<', "&lt;");
                out.push_str(&format!(
                    r#"<c r="{r}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>"#
                ));
            }
            X::N(r, x) => out.push_str(&format!(r#"<c r="{r}"><v>{x}</v></c>"#)),
        }
    }
    if open.is_some() {
        out.push_str("</row>");
    }
    out.push_str("</sheetData></worksheet>");
    out
}

/// A minimal `.xlsx` (a stored zip, no compression) with one sheet per `(name, xml)`.
pub(super) fn workbook(sheets: &[(&str, String)]) -> Vec<u8> {
    let mut parts: Vec<(String, String)> = Vec::new();
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut names = String::new();
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, (name, _)) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        names.push_str(&format!(r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#));
        rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
    }
    types.push_str("</Types>");
    rels.push_str("</Relationships>");
    parts.push(("[Content_Types].xml".into(), types));
    parts.push((
        "_rels/.rels".into(),
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into(),
    ));
    parts.push((
        "xl/workbook.xml".into(),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{names}</sheets></workbook>"#
        ),
    ));
    parts.push(("xl/_rels/workbook.xml.rels".into(), rels));
    for (i, (_, xml)) in sheets.iter().enumerate() {
        parts.push((format!("xl/worksheets/sheet{}.xml", i + 1), xml.clone()));
    }
    stored_zip(&parts)
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip archive whose entries are stored uncompressed.
fn stored_zip(parts: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for (name, data) in parts {
        let (name, data) = (name.as_bytes(), data.as_bytes());
        let crc = crc32(data);
        let offset = out.len() as u32;
        le32(&mut out, 0x0403_4b50);
        for x in [20u16, 0, 0, 0, 0x21] {
            le16(&mut out, x);
        }
        le32(&mut out, crc);
        le32(&mut out, data.len() as u32);
        le32(&mut out, data.len() as u32);
        le16(&mut out, name.len() as u16);
        le16(&mut out, 0);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        le32(&mut central, 0x0201_4b50);
        for x in [20u16, 20, 0, 0, 0, 0x21] {
            le16(&mut central, x);
        }
        le32(&mut central, crc);
        le32(&mut central, data.len() as u32);
        le32(&mut central, data.len() as u32);
        le16(&mut central, name.len() as u16);
        for x in [0u16, 0, 0, 0] {
            le16(&mut central, x);
        }
        le32(&mut central, 0);
        le32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let (cd_offset, cd_size) = (out.len() as u32, central.len() as u32);
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    for x in [0u16, 0, parts.len() as u16, parts.len() as u16] {
        le16(&mut out, x);
    }
    le32(&mut out, cd_size);
    le32(&mut out, cd_offset);
    le16(&mut out, 0);
    out
}

fn xlsx_spec() -> DatasetSpec {
    DatasetSpec::new("register", "register.xlsx")
        .field(f("id", Type::Text, "id"))
        .field(f("name", Type::Text, "name"))
}

fn write_xlsx(cells: &[X<'_>]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let bytes = workbook(&[("Register", sheet_xml(cells))]);
    std::fs::write(dir.path().join("register.xlsx"), bytes).unwrap();
    dir
}

#[test]
fn xlsx_lone_cell_at_xfd1048576_reads_sparsely() {
    // A dense grid of this sheet would be 2^20 rows x 2^14 columns of cells (512 GiB).
    let dir = write_xlsx(&[
        X::S("A1", "id"),
        X::S("B1", "name"),
        X::N("A2", 1.0),
        X::S("B2", "first"),
        X::S("XFD1048576", "stray"),
    ]);
    let t = load_dir(&xlsx_spec(), dir.path()).unwrap();
    assert_eq!(t.rows(), 1);
    assert_eq!(t.column(0).text(0), Some("1"));
    assert_eq!(t.column(1).text(0), Some("first"));
    // The stray cell is one cell, after the empty row 3: a note, not a record.
    let notes = &t.file().notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("empty row 3; 1 later non-empty row(s) were ignored")),
        "{notes:?}"
    );
}

#[test]
fn xlsx_header_reaching_column_xfd_is_read() {
    // The header itself reaches the last column: a row of 16,384 names, not a grid.
    let dir = write_xlsx(&[
        X::S("A1", "id"),
        X::S("XFD1", "name"),
        X::S("A2", "K-1"),
        X::S("XFD2", "far"),
    ]);
    let t = load_dir(&xlsx_spec(), dir.path()).unwrap();
    assert_eq!(t.rows(), 1);
    assert_eq!(t.column(1).text(0), Some("far"));
}

#[test]
fn xlsx_cells_out_of_order_are_sorted() {
    let dir = write_xlsx(&[
        X::S("A1", "id"),
        X::S("B1", "name"),
        X::S("B3", "second"),
        X::S("A3", "K-2"),
        X::S("B2", "first"),
        X::S("A2", "K-1"),
    ]);
    let t = load_dir(&xlsx_spec(), dir.path()).unwrap();
    assert_eq!(t.rows(), 2);
    assert_eq!(t.column(0).text(0), Some("K-1"));
    assert_eq!(t.column(1).text(1), Some("second"));
}

#[test]
fn xlsx_cell_beyond_excel_grid_is_d416() {
    let dir = write_xlsx(&[X::S("A1", "id"), X::S("B1", "name"), X::S("XFE1", "beyond")]);
    let e = load_dir(&xlsx_spec(), dir.path()).unwrap_err();
    assert_eq!(e.code(), "D416");
    assert_eq!(
        e.to_string(),
        "`register.xlsx` is not a readable xlsx workbook: sheet `Register` has a cell at row 1, column \
         16385, outside Excel's grid of 1048576 rows and 16384 columns"
    );
}

#[test]
fn xlsx_rows_after_an_empty_row_are_an_error() {
    let dir = write_xlsx(&[
        X::S("A1", "id"),
        X::S("B1", "name"),
        X::S("A2", "K-1"),
        X::S("B2", "a"),
        X::S("A4", "K-2"),
        X::S("B4", "b"),
    ]);
    let e = load_dir(&xlsx_spec(), dir.path()).unwrap_err();
    assert_eq!(e.code(), "D420");
    assert_eq!(
        e.to_string(),
        "`register.xlsx`: the table ends at the empty row 3, but row 4 after it is a record of the \
         header's width"
    );
    // A one-cell legend after the empty row is a note (the findings fixture has one too).
    let dir = write_xlsx(&[
        X::S("A1", "id"),
        X::S("B1", "name"),
        X::S("A2", "K-1"),
        X::S("B2", "a"),
        X::S("A4", "Legend: K = key"),
    ]);
    let t = load_dir(&xlsx_spec(), dir.path()).unwrap();
    assert_eq!(t.rows(), 1);
}

#[test]
fn xlsx_cell_count_is_bounded_d413() {
    // The bound is 65,536 cells under `cfg(test)` (`MAX_XLSX_CELLS` otherwise).
    let refs: Vec<String> = (2..=32_770)
        .flat_map(|r| [format!("A{r}"), format!("B{r}")])
        .collect();
    let mut cells = vec![X::S("A1", "id"), X::S("B1", "name")];
    cells.extend(refs.iter().map(|r| X::N(r, 1.0)));
    let dir = write_xlsx(&cells);
    let e = load_dir(&xlsx_spec(), dir.path()).unwrap_err();
    assert_eq!(e.code(), "D413");
    assert_eq!(
        e.to_string(),
        "`register.xlsx`: sheet `Register` has over 65536 non-empty cells (stopped counting at 65537)"
    );
}

fn csv_spec(file: &str) -> DatasetSpec {
    DatasetSpec::new("register", file)
        .field(f("id", Type::Int, "id"))
        .field(f("name", Type::Text, "name"))
}

fn write_csv(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.csv"), text).unwrap();
    dir
}

#[test]
fn csv_unclosed_quote_names_the_line_it_opened() {
    let dir = write_csv("id,name\n1,\"abc\n2,def\n3,ghi\n");
    let e = load_dir(&csv_spec("r.csv"), dir.path()).unwrap_err();
    assert_eq!(e.code(), "D419");
    assert_eq!(
        e.to_string(),
        "`r.csv` line 2: a quoted cell opens here and is never closed, so the rest of the file would be \
         one cell"
    );
    // After a multi-line cell and an escaped quote, with CRLF: the line is still exact.
    let dir = write_csv("id,name\r\n1,\"a\r\nb \"\"c\"\"\"\r\n2,x\r\n3,\"open\r\n4,y\r\n");
    let e = load_dir(&csv_spec("r.csv"), dir.path()).unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().contains("line 5:")),
        ("D419", true),
        "{e}"
    );
    // In the header.
    let dir = write_csv("id,\"name\n1,a\n");
    let e = load_dir(&csv_spec("r.csv"), dir.path()).unwrap_err();
    assert!(
        e.to_string().starts_with("`r.csv` line 1: a quoted cell opens"),
        "{e}"
    );
    // A quote inside an unquoted cell is text; a closed quote at the very end is fine.
    let dir = write_csv("id,name\n1,ab\"c\n2,\"d\"");
    let t = load_dir(&csv_spec("r.csv"), dir.path()).unwrap();
    assert_eq!(t.rows(), 2);
    assert_eq!(t.column(1).text(0), Some("ab\"c"));
    assert_eq!(t.column(1).text(1), Some("d"));
}

#[test]
fn csv_records_after_a_blank_line_are_an_error() {
    let dir = write_csv("id,name\n1,a\n\n2,b\n3,c\n");
    let e = load_dir(&csv_spec("r.csv"), dir.path()).unwrap_err();
    assert_eq!(e.code(), "D420");
    assert_eq!(
        e.to_string(),
        "`r.csv`: the table ends at the blank line 3, but line 4 after it is a record of the header's \
         width"
    );
    // Several blank lines, then notes and a record further down: the first record is named.
    let dir = write_csv("id,name\n1,a\n\n\nNotes\n| a | b |\n2,b\n");
    let e = load_dir(&csv_spec("r.csv"), dir.path()).unwrap_err();
    assert!(e.to_string().contains("blank line 3, but line 7"), "{e}");
    // Notes and a Markdown table after the blank line still end the table.
    let dir = write_csv("id,name\n1,a\n2,b\n\n## Status\n\n| id | name |\n| :-- | :-- |\n| 3 | c |\n");
    let t = load_dir(&csv_spec("r.csv"), dir.path()).unwrap();
    assert_eq!(t.rows(), 2);
    assert!(
        t.file()
            .notes
            .iter()
            .any(|n| n == "the table ends at the blank line 4; 4 later non-empty line(s) were ignored"),
        "{:?}",
        t.file().notes
    );
}

#[cfg(unix)]
#[test]
fn fifo_is_refused_without_opening_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("r.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: `mkfifo` is not available");
        return;
    }
    // Opening the FIFO would block until a writer comes: the test would hang, not fail.
    let e = load_dir(&csv_spec("r.csv"), dir.path()).unwrap_err();
    assert_eq!(e.code(), "D402");
    assert_eq!(
        e.to_string(),
        "cannot read `r.csv` of dataset `register`: it is a FIFO (named pipe), not a regular file"
    );
    // Through a symbolic link too.
    std::os::unix::fs::symlink(&fifo, dir.path().join("link.csv")).unwrap();
    let e = load_dir(&csv_spec("link.csv"), dir.path()).unwrap_err();
    assert_eq!(e.code(), "D402");
}

fn write_json(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.json"), text).unwrap();
    dir
}

#[test]
fn json_errors_quote_objects_and_name_the_path_that_held_the_value() {
    // The second `from` path holds the bad value: the error names it, not the first.
    let dir = write_json(r#"[{"id": 1, "count": "many"}]"#);
    let spec = DatasetSpec::new("d", "r.json").field(f("n", Type::Int, "total").alias("count"));
    let e = load_dir(&spec, dir.path()).unwrap_err();
    assert_eq!(e.code(), "D406");
    assert_eq!(e.column(), Some("count"));
    assert_eq!(e.value(), Some("many"));
    // An object where one value is expected is quoted as compact JSON.
    let dir = write_json(r#"[{"id": 1, "owner": {"name": "Ann", "team": [1, 2]}}]"#);
    let spec = DatasetSpec::new("d", "r.json").field(f("owner", Type::Text, "manager").alias("owner"));
    let e = load_dir(&spec, dir.path()).unwrap_err();
    assert_eq!(e.column(), Some("owner"));
    assert_eq!(e.value(), Some(r#"{"name":"Ann","team":[1,2]}"#));
    assert!(
        e.to_string().contains("found an object, not a single value"),
        "{e}"
    );
    // An object as a list item: quoted, and the expected type is a list's.
    let dir = write_json(r#"[{"tags": ["a", {"k": "v"}]}]"#);
    let spec = DatasetSpec::new("d", "r.json").field(f("tags", Type::List, "tags"));
    let e = load_dir(&spec, dir.path()).unwrap_err();
    assert_eq!(e.value(), Some(r#"{"k":"v"}"#));
    assert!(e.expected().unwrap().contains("a JSON array of strings"), "{e}");
}
