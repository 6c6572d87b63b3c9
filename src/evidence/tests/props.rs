//! Property tests: date formats round-trip, chunked JSON equals sequential JSON, and no
//! input bytes make loading panic.

use proptest::prelude::*;

use crate::value::Type;

use super::super::build::Notes;
use super::super::datetime::{DateFormat, Parts, Temporal, Zone, days_from_civil, days_in_month};
use super::super::{DatasetSpec, FieldSpec, NoProgress, load};

const FORMATS: &[&str] = &[
    "%d/%b/%y %-I:%M %p",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%-m/%-d/%Y %-I:%M:%S %p",
    "%e %B %Y %T",
    "%F %H:%M:%S.%f %Z",
];

fn parts() -> impl Strategy<Value = Parts> {
    (
        1971i32..2069,
        1u32..=12,
        1u32..=31,
        0u32..24,
        0u32..60,
        0u32..60,
        0u32..1_000_000,
        -720i32..=840,
    )
        .prop_map(
            |(year, month, day, hour, minute, second, micros, offset_min)| Parts {
                year,
                month,
                day: day.min(days_in_month(year, month)),
                hour,
                minute,
                second,
                micros,
                offset: Some(offset_min * 60),
                ..Parts::default()
            },
        )
}

proptest! {
    #[test]
    fn date_formats_round_trip(p in parts(), which in 0..FORMATS.len()) {
        let format = DateFormat::compile(FORMATS[which]).unwrap();
        let text = format.render(&p);
        let temporal = Temporal { formats: vec![format.clone()], zone: Zone::Utc, pivot: 1970 };
        let mut notes = Notes::default();
        let got = temporal.datetime(&text, &mut notes).unwrap();
        let has = |d: &str| FORMATS[which].contains(d);
        let micros = if has("%f") || has("%.f") { p.micros } else { 0 };
        let seconds = if has("%S") || has("%T") { p.second } else { 0 };
        let offset = if has("%z") || has("%Z") { p.offset.unwrap_or(0) } else { 0 };
        let local = (i64::from(days_from_civil(p.year, p.month, p.day)) * 86_400
            + i64::from(p.hour * 3600 + p.minute * 60 + seconds)) * 1_000_000
            + i64::from(micros);
        prop_assert_eq!(got, local - i64::from(offset) * 1_000_000, "{}", text);
    }
}

#[derive(Debug, Clone)]
struct Record {
    id: u32,
    name: Option<String>,
    score: Option<f64>,
    flag: Option<bool>,
    tags: Vec<String>,
    nested: Option<String>,
}

fn record() -> impl Strategy<Value = Record> {
    (
        any::<u32>(),
        proptest::option::of("[a-zA-Z \\\\\"\u{e9}\u{2013}\\[\\]{},:]{0,12}"),
        proptest::option::of(-1.0e6f64..1.0e6),
        proptest::option::of(any::<bool>()),
        proptest::collection::vec("[a-z]{1,5}", 0..4),
        proptest::option::of("[a-z]{0,6}"),
    )
        .prop_map(|(id, name, score, flag, tags, nested)| Record {
            id,
            name,
            score,
            flag,
            tags,
            nested,
        })
}

fn to_json(r: &Record) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "name": r.name,
        "noise": {"deep": [[{"x": "]}\",["}]], "more": [1, 2, 3]},
        "score": r.score,
        "flag": r.flag,
        "tags": r.tags,
        "target": r.nested.as_ref().map(|n| vec![serde_json::json!({"alternateId": n})]),
    })
}

fn json_spec(source: &str, records: Option<&str>) -> DatasetSpec {
    DatasetSpec {
        records: records.map(str::to_string),
        ..DatasetSpec::new("p", source)
    }
    .field(FieldSpec::new("id", Type::Int, "id").key())
    .field(FieldSpec::new("name", Type::Text, "name"))
    .field(FieldSpec::new("score", Type::Number, "score"))
    .field(FieldSpec::new("flag", Type::Bool, "flag"))
    .field(FieldSpec::new("tags", Type::List, "tags"))
    .field(FieldSpec::new("user", Type::Text, "target[0].alternateId"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn chunked_json_equals_sequential(records in proptest::collection::vec(record(), 1..120), pretty in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let array: Vec<serde_json::Value> = records.iter().map(to_json).collect();
        let text = if pretty {
            serde_json::to_string_pretty(&array).unwrap()
        } else {
            serde_json::to_string(&array).unwrap()
        };
        std::fs::write(dir.path().join("a.json"), &text).unwrap();
        let wrapped = serde_json::json!({"meta": {"n": array.len()}, "data": {"items": array}});
        std::fs::write(dir.path().join("b.json"), wrapped.to_string()).unwrap();
        let lines: Vec<String> = array.iter().map(|v| v.to_string()).collect();
        std::fs::write(dir.path().join("c.jsonl"), lines.join("\n")).unwrap();
        let chunked = load(&json_spec("a.json", None), dir.path(), &NoProgress).unwrap();
        let sequential = load(&json_spec("b.json", Some("data.items")), dir.path(), &NoProgress).unwrap();
        let jsonl = load(&json_spec("c.jsonl", None), dir.path(), &NoProgress).unwrap();
        prop_assert_eq!(chunked.rows(), records.len());
        prop_assert_eq!(sequential.rows(), records.len());
        prop_assert_eq!(jsonl.rows(), records.len());
        for (row, r) in records.iter().enumerate() {
            for field in 0..6 {
                prop_assert_eq!(chunked.value(field, row), sequential.value(field, row));
                prop_assert_eq!(chunked.value(field, row), jsonl.value(field, row));
            }
            prop_assert_eq!(chunked.provenance(row).index, Some(row as u64));
            prop_assert_eq!(jsonl.provenance(row).line, Some(row as u64 + 1));
            prop_assert_eq!(chunked.column(0).int(row), Some(i64::from(r.id)));
            let name = r.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
            prop_assert_eq!(chunked.column(1).text(row), name);
            // serde_json parses floats to within an ulp or so (no `float_roundtrip`).
            let close = match (chunked.column(2).number(row), r.score) {
                (Some(a), Some(b)) => (a - b).abs() <= b.abs() * 1e-12,
                (a, b) => a == b,
            };
            prop_assert!(close);
            prop_assert_eq!(chunked.column(4).list(row).collect::<Vec<_>>(), r.tags.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }
}

fn csv_spec(source: &str) -> DatasetSpec {
    DatasetSpec::new("p", source)
        .nulls(&["?"])
        .field(FieldSpec::new("a", Type::Text, "a"))
        .field(
            FieldSpec::new("b", Type::DateTime, "b")
                .format("%d/%m/%Y %H:%M")
                .zone("Europe/Helsinki"),
        )
        .field(FieldSpec::new("c", Type::List, "c"))
        .field(FieldSpec::new("d", Type::Duration, "d"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_bytes_make_csv_loading_panic(body in proptest::collection::vec(any::<u8>(), 0..600), csvish in "[abc,;\t\"\r\n ?0-9/:]{0,300}") {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"a,b,c,c,d\n".to_vec();
        bytes.extend_from_slice(&body);
        std::fs::write(dir.path().join("x.csv"), &bytes).unwrap();
        let _ = load(&csv_spec("x.csv"), dir.path(), &NoProgress);
        std::fs::write(dir.path().join("y.csv"), format!("a;b;c;d\n{csvish}")).unwrap();
        let _ = load(&csv_spec("y.csv"), dir.path(), &NoProgress);
        std::fs::write(dir.path().join("z.csv"), &body).unwrap();
        let _ = load(&csv_spec("z.csv"), dir.path(), &NoProgress);
    }

    #[test]
    fn no_bytes_make_json_loading_panic(body in proptest::collection::vec(any::<u8>(), 0..600), jsonish in "[\\[\\]{}\",:\\\\ab0-9 \n.-]{0,300}") {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [("x.json", body.clone()), ("y.json", jsonish.clone().into_bytes()), ("z.jsonl", jsonish.into_bytes()), ("w.jsonl", body)] {
            std::fs::write(dir.path().join(name), &bytes).unwrap();
            let _ = load(&json_spec(name, None), dir.path(), &NoProgress);
            if name.ends_with(".json") {
                let _ = load(&json_spec(name, Some("a.b")), dir.path(), &NoProgress);
            }
        }
    }
}
