use super::*;
use crate::evidence::build::ColumnBuilder;
use crate::evidence::spec::{DatasetSpec, FieldSpec};

fn conv(spec: &DatasetSpec, field: FieldSpec) -> FieldConv {
    FieldConv::prepare(spec, &field).unwrap()
}

#[test]
fn bool_words_case_insensitive_and_overridable() {
    let spec = DatasetSpec::new("d", "d.csv");
    let c = conv(&spec, FieldSpec::new("b", Type::Bool, "b"));
    let mut col = ColumnBuilder::new(Type::Bool, true);
    let mut notes = Notes::default();
    for word in ["TRUE", "True", "yes", "1", "FALSE", "No", "0"] {
        c.text(word, &mut col, &mut notes).unwrap();
    }
    assert_eq!(c.text("maybe", &mut col, &mut notes), Err(Problem::Invalid(None)));
    let mut field = FieldSpec::new("b", Type::Bool, "b");
    field.true_values = vec!["Ja".into()];
    field.false_values = vec!["Nein".into()];
    let c = conv(&spec, field);
    assert!(c.text("ja", &mut col, &mut notes).is_ok());
    assert_eq!(c.text("yes", &mut col, &mut notes), Err(Problem::Invalid(None)));
}

#[test]
fn required_and_null_tokens() {
    let spec = DatasetSpec::new("d", "d.csv").nulls(&["N/A"]);
    let mut field = FieldSpec::new("t", Type::Text, "t").required();
    field.null_tokens = vec!["tbd".into()];
    let c = conv(&spec, field);
    let mut col = ColumnBuilder::new(Type::Text, true);
    let mut notes = Notes::default();
    assert_eq!(c.text("  ", &mut col, &mut notes), Err(Problem::Required));
    assert_eq!(c.text("n/a", &mut col, &mut notes), Err(Problem::Required));
    assert_eq!(c.text("TBD", &mut col, &mut notes), Err(Problem::Required));
    assert!(c.text("  kept  ", &mut col, &mut notes).is_ok());
}

#[test]
fn declaration_errors() {
    let spec = DatasetSpec::new("d", "d.csv");
    let bad = |field: FieldSpec| FieldConv::prepare(&spec, &field).unwrap_err().code();
    assert_eq!(bad(FieldSpec::new("x", Type::Date, "x").format("%Q")), "D414");
    assert_eq!(
        bad(FieldSpec::new("x", Type::DateTime, "x").zone("Mars/Olympus")),
        "D414"
    );
    assert_eq!(bad(FieldSpec::new("x", Type::Text, "x").format("%Y")), "D414");
    assert_eq!(bad(FieldSpec::new("x", Type::Months, "x")), "D414");
    assert_eq!(bad(FieldSpec::new("x", Type::Text, "")), "D414");
}

#[test]
fn typed_cells_convert_or_render() {
    let spec = DatasetSpec::new("d", "d.json");
    let mut notes = Notes::default();
    let text = conv(&spec, FieldSpec::new("t", Type::Text, "t"));
    let mut col = ColumnBuilder::new(Type::Text, true);
    text.convert(Cell::Float(3.0), &mut col, &mut notes).unwrap();
    text.convert(Cell::Float(2.5), &mut col, &mut notes).unwrap();
    text.convert(Cell::UInt(u64::MAX), &mut col, &mut notes).unwrap();
    text.convert(Cell::Bool(true), &mut col, &mut notes).unwrap();
    let ColumnBuilder::Text(crate::evidence::build::TextBuilder::Dict { dict, .. }) = &col else {
        panic!()
    };
    assert_eq!(
        dict.iter().collect::<Vec<_>>(),
        ["3", "2.5", "18446744073709551615", "true"]
    );
    let int = conv(&spec, FieldSpec::new("i", Type::Int, "i"));
    let mut col = ColumnBuilder::new(Type::Int, true);
    assert!(int.convert(Cell::Float(2.5), &mut col, &mut notes).is_err());
    assert!(int.convert(Cell::UInt(u64::MAX), &mut col, &mut notes).is_err());
    assert!(
        int.convert(Cell::Float(f64::INFINITY), &mut col, &mut notes)
            .is_err()
    );
}
