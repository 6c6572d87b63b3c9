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

/// Converts `values` through one column and returns what it holds.
fn column_of(c: &FieldConv, ty: Type, values: &[String], notes: &mut Notes) -> ColumnBuilder {
    let mut col = ColumnBuilder::new(ty, true);
    for v in values {
        c.text(v, &mut col, notes).unwrap();
    }
    col
}

#[test]
fn recalled_dates_equal_fresh_conversions() {
    let spec = DatasetSpec::new("d", "d.csv");
    let zoned = FieldSpec::new("t", Type::DateTime, "t")
        .format("%d/%b/%y %-I:%M %p")
        .zone("Europe/Helsinki");
    let c = conv(&spec, zoned);
    let months = ["Jan", "Mar", "Jun", "Oct", "Dec"];
    // A few values repeated in a scattered order (kept), then unique ones (turned off).
    let mut values: Vec<String> = (0..6000)
        .map(|i| {
            format!(
                "{:02}/{}/25 {}:00 AM",
                1 + i * 7 % 28,
                months[i * 3 % 5],
                1 + i % 12
            )
        })
        .collect();
    values
        .extend((0..6000).map(|i| format!("{:02}/Jun/25 {}:{:02} PM", 1 + i % 28, 1 + i / 60 % 12, i % 60)));
    let mut notes = Notes::default();
    let col = column_of(&c, Type::DateTime, &values, &mut notes);
    let ColumnBuilder::DateTime(got, _) = col else {
        panic!()
    };
    let fresh: Vec<i64> = values
        .iter()
        .map(|v| {
            let mut one = ColumnBuilder::new(Type::DateTime, true);
            c.text(v, &mut one, &mut Notes::default()).unwrap();
            let ColumnBuilder::DateTime(x, _) = one else {
                panic!()
            };
            x[0]
        })
        .collect();
    assert_eq!(got, fresh);

    let days = conv(&spec, FieldSpec::new("d", Type::Date, "d"));
    let values: Vec<String> = (0..9000)
        .map(|i| format!("2026-0{}-1{}", 1 + i % 9, i % 7))
        .collect();
    let col = column_of(&days, Type::Date, &values, &mut notes);
    let ColumnBuilder::Date(got, _) = col else {
        panic!()
    };
    let fresh: Vec<i32> = values
        .iter()
        .map(|v| {
            crate::evidence::datetime::validate_date(
                &crate::evidence::datetime::fixed_iso(v.as_bytes()).unwrap(),
            )
            .unwrap()
        })
        .collect();
    assert_eq!(got, fresh);
}

#[test]
fn a_column_of_unique_values_stops_remembering() {
    let spec = DatasetSpec::new("d", "d.csv");
    let c = conv(&spec, FieldSpec::new("t", Type::DateTime, "t"));
    let values: Vec<String> = (0..5000)
        .map(|i| format!("2026-01-01T{:02}:{:02}:{:02}Z", i / 3600, i / 60 % 60, i % 60))
        .collect();
    let mut col = column_of(&c, Type::DateTime, &values, &mut Notes::default());
    col.remember("2026-01-01T00:00:00Z", 7);
    assert_eq!(col.recall("2026-01-01T00:00:00Z"), None);

    let mut fresh = ColumnBuilder::new(Type::DateTime, true);
    fresh.remember("2026-01-01T00:00:00Z", 7);
    assert_eq!(fresh.recall("2026-01-01T00:00:00Z"), Some(7));
    assert_eq!(fresh.recall("2026-01-01T00:00:01Z"), None);
}

/// A value that needs a note (here: a local time in the spring-forward gap) is converted
/// each time it occurs, so the note counts every occurrence.
#[test]
fn noted_values_are_counted_every_time() {
    let spec = DatasetSpec::new("d", "d.csv");
    let c = conv(
        &spec,
        FieldSpec::new("t", Type::DateTime, "t").zone("Europe/Helsinki"),
    );
    let values = vec![String::from("2026-03-29 03:30:00"); 5];
    let mut notes = Notes::default();
    let col = column_of(&c, Type::DateTime, &values, &mut notes);
    assert_eq!(notes.dst_gap.count, 5);
    let ColumnBuilder::DateTime(got, _) = col else {
        panic!()
    };
    assert!(got.windows(2).all(|w| w[0] == w[1]));
}
