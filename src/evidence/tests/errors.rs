//! Snapshots of every load error's message and help (one case per kind, at least).

use crate::value::Type;

use super::super::{CODES, DatasetSpec, Encoding, FieldSpec, LoadError, NoProgress, SourceFormat, load};
use super::{fixtures, load_err};

fn f(name: &str, ty: Type, from: &str) -> FieldSpec {
    FieldSpec::new(name, ty, from)
}

fn render(e: &LoadError) -> String {
    format!("{}: {}\nhelp: {}", e.code(), e, e.help())
}

fn cases() -> Vec<(&'static str, LoadError)> {
    let text = |source: &str, from: &str| DatasetSpec::new("d", source).field(f("x", Type::Text, from));
    let mut out = vec![
        (
            "missing_file",
            load_err(
                &DatasetSpec::new("capa", "jira/capa.csv")
                    .field(f("key", Type::Text, "Issue key"))
                    .field(f("created", Type::DateTime, "Created")),
            ),
        ),
        (
            "directory",
            load_err(&text("errors", "x").tap(|s| s.format = Some(SourceFormat::Csv))),
        ),
        ("parent_dir", load_err(&text("../secrets.csv", "x"))),
        ("absolute", load_err(&text("/etc/passwd.csv", "x"))),
        (
            "missing_column",
            load_err(
                &DatasetSpec::new("soc", "jira/soc_truncated_1024.csv")
                    .field(f("root", Type::Text, "Custom field (Root cause)"))
                    .tap(|_| ()),
            ),
        ),
        (
            "missing_column_suggestion",
            load_err(&text("jira/capa_excel_crlf.csv", "Isue key")),
        ),
        (
            "ambiguous_column",
            load_err(&text("errors/ambiguous.csv", "testing STATUS")),
        ),
        (
            "invalid_date",
            load_err(
                &DatasetSpec::new("d", "errors/bad_date.csv")
                    .field(f("when", Type::Date, "when").format("%Y-%m-%d")),
            ),
        ),
        (
            "not_iso",
            load_err(&DatasetSpec::new("d", "errors/not_iso.csv").field(f("when", Type::Date, "when"))),
        ),
        (
            "invalid_bool",
            load_err(&DatasetSpec::new("d", "errors/bool.csv").field(f("flag", Type::Bool, "flag"))),
        ),
        (
            "required_empty",
            load_err(
                &DatasetSpec::new("d", "errors/required_empty.csv")
                    .field(f("owner", Type::Text, "owner").required()),
            ),
        ),
        ("cell_count", load_err(&text("errors/short_row.csv", "a"))),
        (
            "invalid_utf8",
            load_err(&text("errors/latin1.csv", "name").tap(|s| s.encoding = Some(Encoding::Utf8))),
        ),
        ("invalid_json", load_err(&text("errors/bad.json", "a"))),
        ("truncated_json", load_err(&text("errors/truncated.json", "a"))),
        ("too_deep", load_err(&text("errors/deep.json", "a"))),
        (
            "sheet_not_found",
            load_err(&text("grc/findings.xlsx", "ref_id").tap(|s| s.sheet = Some("Register".into()))),
        ),
        (
            "unknown_extension",
            load_err(&text("errors/data.txt", "x").tap(|s| s.source = "errors/data.dat".into())),
        ),
        (
            "bad_format",
            load_err(
                &DatasetSpec::new("d", "errors/bad_date.csv")
                    .field(f("when", Type::Date, "when").format("%d/%q/%Y")),
            ),
        ),
        ("not_an_array", load_err(&text("errors/not_array.json", "a"))),
        (
            "invalid_workbook",
            load_err(&text("errors/bad_date.csv", "id").tap(|s| s.format = Some(SourceFormat::Xlsx))),
        ),
        ("no_header", load_err(&text("errors/empty.csv", "x"))),
        ("not_an_object", load_err(&text("errors/not_object.json", "a"))),
    ];
    // A cell over the 1 MiB bound.
    let dir = tempfile::tempdir().unwrap();
    let big = format!("id,text\n1,{}\n", "x".repeat(super::super::MAX_CELL_BYTES + 1));
    std::fs::write(dir.path().join("big.csv"), big).unwrap();
    let e = load(&text("big.csv", "text"), dir.path(), &NoProgress).unwrap_err();
    out.push(("too_large", e));
    // Structure: an unclosed quote, rows after a blank line or an empty row, too many cells.
    std::fs::write(dir.path().join("quote.csv"), "id,name\n1,\"abc\n2,def\n3,ghi\n").unwrap();
    let e = load(&text("quote.csv", "name"), dir.path(), &NoProgress).unwrap_err();
    out.push(("unclosed_quote", e));
    std::fs::write(dir.path().join("blank.csv"), "id,name\n1,a\n\n2,b\n3,c\n").unwrap();
    let e = load(&text("blank.csv", "name"), dir.path(), &NoProgress).unwrap_err();
    out.push(("records_after_blank_line", e));
    use super::structure::{X, sheet_xml, workbook};
    let rows = sheet_xml(&[X::S("A1", "id"), X::S("A2", "1"), X::S("A4", "2")]);
    std::fs::write(dir.path().join("gap.xlsx"), workbook(&[("Sheet1", rows)])).unwrap();
    let e = load(&text("gap.xlsx", "id"), dir.path(), &NoProgress).unwrap_err();
    out.push(("records_after_empty_row", e));
    let refs: Vec<String> = (1..=65_537).map(|r| format!("A{r}")).collect();
    let cells: Vec<X<'_>> = refs.iter().map(|r| X::S(r, "v")).collect();
    std::fs::write(
        dir.path().join("many.xlsx"),
        workbook(&[("Big", sheet_xml(&cells))]),
    )
    .unwrap();
    let e = load(&text("many.xlsx", "v"), dir.path(), &NoProgress).unwrap_err();
    out.push(("too_many_cells", e));
    std::fs::write(
        dir.path().join("dates.csv"),
        "id,when\n1,01/30/2026\n2,03/04/2026\n",
    )
    .unwrap();
    let spec = DatasetSpec::new("d", "dates.csv").field(
        f("when", Type::Date, "when")
            .format("%d/%m/%Y")
            .format("%m/%d/%Y"),
    );
    out.push((
        "ambiguous_date",
        load(&spec, dir.path(), &NoProgress).unwrap_err(),
    ));
    out
}

trait Tap: Sized {
    fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
}

impl Tap for DatasetSpec {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

#[test]
fn load_error_messages() {
    for (name, error) in cases() {
        insta::assert_snapshot!(name, render(&error));
    }
}

#[test]
fn every_code_has_a_case_and_messages_follow_the_style() {
    let cases = cases();
    for (code, doc) in CODES {
        assert!(!doc.is_empty());
        assert!(cases.iter().any(|(_, e)| e.code() == *code), "no case for {code}");
    }
    for (name, e) in &cases {
        let message = e.to_string();
        let first = message.chars().next().unwrap();
        assert!(!first.is_uppercase(), "{name}: {message}");
        assert!(!message.ends_with('.'), "{name}: {message}");
        assert!(!message.contains('\n'), "{name}: {message}");
        assert!(!e.help().is_empty(), "{name}");
    }
}

#[test]
fn symlink_out_of_the_evidence_directory_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.csv"), "x\n1\n").unwrap();
    let evidence = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.csv"),
        evidence.path().join("link.csv"),
    )
    .unwrap();
    let spec = DatasetSpec::new("d", "link.csv").field(f("x", Type::Text, "x"));
    let e = load(&spec, evidence.path(), &NoProgress).unwrap_err();
    assert_eq!(e.code(), "D403");
    assert!(e.help().contains("symbolic link"));
    // A symlink that stays inside is fine.
    std::fs::write(evidence.path().join("real.csv"), "x\n1\n").unwrap();
    std::os::unix::fs::symlink(
        evidence.path().join("real.csv"),
        evidence.path().join("inside.csv"),
    )
    .unwrap();
    let spec = DatasetSpec::new("d", "inside.csv").field(f("x", Type::Text, "x"));
    assert_eq!(load(&spec, evidence.path(), &NoProgress).unwrap().rows(), 1);
    let _ = fixtures();
}
