//! The fast JSON record path against the serde path: same tables, same errors, on random
//! records (valid, with escapes and numbers, and randomly broken).

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::evidence::{DatasetSpec, FieldSpec, Location, Plan};
use crate::value::Type;

use super::super::{Ctx, Route, Trie, parse_record};
use super::{Event, quote_or_escape, record, string_end};

fn spec() -> DatasetSpec {
    DatasetSpec::new("okta", "a.json")
        .field(FieldSpec::new("uuid", Type::Text, "uuid").key())
        .field(FieldSpec::new("at", Type::DateTime, "published"))
        .field(FieldSpec::new("kind", Type::Text, "eventType").required())
        .field(FieldSpec::new("user", Type::Text, "target[0].alternateId").alias("actor.alternateId"))
        .field(FieldSpec::new("n", Type::Int, "n"))
        .field(FieldSpec::new("flag", Type::Bool, "flag"))
        .field(FieldSpec::new("tags", Type::List, "tags"))
        .field(FieldSpec::new("skipped", Type::Text, "displayMessage").unused())
}

/// Loads `records` one after the other into one chunk, with or without the fast path:
/// the outcome of each record, then the builder and presence flags.
fn outcome(records: &[Vec<u8>], fast: bool) -> (Vec<Result<(), String>>, String) {
    let spec = spec();
    let Ok(plan) = Plan::new(&spec) else {
        panic!("the test declaration is valid");
    };
    let Ok(trie) = Trie::build(&plan) else {
        panic!("the test paths are valid");
    };
    let mut ctx = Ctx::new(&plan, &trie);
    let mut events = Vec::new();
    let mut results = Vec::new();
    for (index, bytes) in records.iter().enumerate() {
        let location = Location {
            line: None,
            index: Some(index as u64),
        };
        let route = if fast { Route::Fast } else { Route::Serde };
        let result = parse_record(&mut ctx, bytes, location, 1, 1, &mut events, route);
        let failed = result.is_err();
        results.push(result.map_err(|e| format!("{} {e} / {}", e.code(), e.help())));
        if failed {
            // A load stops at its first error.
            break;
        }
    }
    (
        results,
        format!("{:?} {:?} {:?}", ctx.builder, ctx.present, ctx.seen),
    )
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(String::from("  ")),
        Just(String::from("null")),
        Just(String::from("2026-01-31T14:05:00.123Z")),
        Just(String::from("2024-02-29T23:59:60Z")),
        Just(String::from("2023-02-29T10:00:00Z")),
        Just(String::from("user.session.start")),
        Just(String::from("a;b; c")),
        "[a-zA-Z0-9 .@\u{e4}\u{2013}]{0,12}",
        "[a-z\"\\\\\n\t/]{0,6}",
        "[\u{0}-\u{1f}a]{0,3}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => text().prop_map(Value::String),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(|i| json!(i)),
        1 => (-1.0e9f64..1.0e9).prop_map(|x| json!(x)),
    ]
}

const KEYS: &[&str] = &[
    "uuid",
    "published",
    "eventType",
    "target",
    "alternateId",
    "actor",
    "n",
    "flag",
    "tags",
    "displayMessage",
    "other",
];

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 24, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..5).prop_map(|entries| {
                Value::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

fn okta_like() -> impl Strategy<Value = Value> {
    (
        text(),
        text(),
        text(),
        proptest::option::of(text()),
        proptest::collection::vec((proptest::sample::select(KEYS), value()), 0..3),
    )
        .prop_map(|(uuid, at, kind, user, extra)| {
            let mut record = json!({
                "uuid": uuid,
                "published": at,
                "eventType": kind,
                "displayMessage": "User login to Okta",
                "actor": {"id": "00u1", "type": "User", "alternateId": "admin@example.com"},
                "client": {"zone": "null", "ipAddress": "10.0.0.1", "n": 1.5e-3},
                "target": user.map(|u| json!([{"alternateId": u, "type": "User"}, {"alternateId": "x"}])),
            });
            if let Value::Object(map) = &mut record {
                for (k, v) in extra {
                    map.insert(k.to_string(), v);
                }
            }
            record
        })
}

/// Serializes, maybe pretty, maybe with a byte inserted, replaced or removed.
fn bytes_of(value: &Value, pretty: bool, edit: Option<(usize, u8, u8)>) -> Vec<u8> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    let mut bytes = text.unwrap_or_default().into_bytes();
    apply_edit(&mut bytes, edit);
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn fast_records_equal_serde_records(
        records in proptest::collection::vec(
            (prop_oneof![3 => okta_like(), 1 => value()], any::<bool>(), proptest::option::of((any::<usize>(), any::<u8>(), any::<u8>()))),
            1..8,
        ),
    ) {
        let bytes: Vec<Vec<u8>> = records
            .iter()
            .map(|(v, pretty, edit)| bytes_of(v, *pretty, *edit))
            .collect();
        prop_assert_eq!(outcome(&bytes, true), outcome(&bytes, false));
    }

    #[test]
    fn quote_or_escape_finds_the_first(body in proptest::collection::vec(prop_oneof![Just(b'"'), Just(b'\\'), any::<u8>()], 0..40), start in 0usize..50) {
        let expected = body
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, b)| matches!(b, b'"' | b'\\'))
            .map(|(i, _)| i);
        prop_assert_eq!(quote_or_escape(&body, start), expected);
    }

    #[test]
    fn string_end_finds_the_first_quote_escape_or_control(body in proptest::collection::vec(any::<u8>(), 0..40), start in 0usize..8) {
        let expected = body
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, b)| matches!(b, b'"' | b'\\' | 0..=0x1f))
            .and_then(|(i, b)| (*b == b'"').then_some(i));
        prop_assert_eq!(string_end(&body, start), expected);
    }
}

#[test]
fn typical_okta_records_take_the_fast_path() {
    let spec = spec();
    let Ok(plan) = Plan::new(&spec) else {
        panic!("the test declaration is valid");
    };
    let Ok(trie) = Trie::build(&plan) else {
        panic!("the test paths are valid");
    };
    let mut events = Vec::new();
    let line = r#"{"uuid":"4d1b","published":"2025-05-22T00:01:02.057Z","eventType":"user.session.start","severity":"INFO","displayMessage":"User login","actor":{"id":"00uB","alternateId":"juha@x.fi","displayName":"Juha Räsänen"},"client":{"zone":"null"},"outcome":{"result":"SUCCESS","reason":null},"target":null, "m": -0.5e+3}"#.as_bytes();
    assert!(record(&trie, line, &mut events, None));
    assert_eq!(events.first(), Some(&Event::Text(1, "4d1b")));
    assert!(events.iter().any(|e| matches!(e, Event::Present(_))));
    let escaped = br#"{"uuid":"a\"b"}"#;
    assert!(!record(&trie, escaped, &mut events, None));
    // Escapes where no path reads (values and keys) are validated and skipped, as serde
    // skips them; an invalid one sends the record to serde, which reports it.
    let unread = br#"{"uuid":"u1","severity":"say \"hi\" \u00e4 \/ \n \ud800","client":{"k\"ey":["\t",{"\\":"\b\f\r"}]}}"#;
    assert!(record(&trie, unread, &mut events, None));
    assert_eq!(events.as_slice(), &[Event::Text(1, "u1")]);
    for bad in [
        &br#"{"m":"\x"}"#[..],
        br#"{"m":"\u12"}"#,
        br#"{"m":"\u12G4"}"#,
        b"{\"m\":\"a\\\"}",
    ] {
        assert!(
            !record(&trie, bad, &mut events, None),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    let number_at_path = br#"{"n": 5}"#;
    assert!(!record(&trie, number_at_path, &mut events, None));
    for bad in [
        &b"{\"a\":01}"[..],
        b"{\"a\":1.}",
        b"{\"a\":-}",
        b"{\"a\":[1,]}",
        b"{\"a\":1,}",
        b"{\"a\" 1}",
        b"{} x",
    ] {
        assert!(
            !record(&trie, bad, &mut events, None),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

/// The property above must exercise the fast path, not only the fallback.
#[test]
fn generated_records_mostly_take_the_fast_path() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let spec = spec();
    let Ok(plan) = Plan::new(&spec) else {
        panic!("the test declaration is valid");
    };
    let Ok(trie) = Trie::build(&plan) else {
        panic!("the test paths are valid");
    };
    let mut runner = TestRunner::deterministic();
    let mut fast = 0;
    for _ in 0..400 {
        let mut events = Vec::new();
        let Ok(tree) = okta_like().new_tree(&mut runner) else {
            panic!("the strategy generates");
        };
        let bytes = bytes_of(&tree.current(), false, None);
        fast += usize::from(record(&trie, &bytes, &mut events, None));
    }
    assert!(fast > 80, "only {fast} of 400 records took the fast path");
}

/// The whole file in one of several layouts, maybe with one byte edited.
fn array_text(values: &[Value], layout: u8, edit: Option<(usize, u8, u8)>) -> Vec<u8> {
    let lines: Vec<String> = values
        .iter()
        .map(|v| serde_json::to_string(v).unwrap_or_default())
        .collect();
    let text = match layout % 5 {
        0 => format!("[\n{}\n]\n", lines.join(",\n")),
        1 => format!("[\r\n  {}\r\n]", lines.join(",\r\n  ")),
        2 => format!("[\n{}\n]", lines.join(" ,\n\n")),
        3 => serde_json::to_string(values).unwrap_or_default(),
        _ => serde_json::to_string_pretty(values).unwrap_or_default(),
    };
    let mut bytes = text.into_bytes();
    apply_edit(&mut bytes, edit);
    bytes
}

/// Loads `a.json` from `dir` with speculation on or off: the table's values, provenance
/// and facts, or the error.
fn load_file(dir: &std::path::Path, speculate: bool) -> Result<String, String> {
    use super::super::SPECULATE;
    SPECULATE.with(|s| s.set(speculate));
    let spec = DatasetSpec::new("okta", "a.json")
        .field(FieldSpec::new("uuid", Type::Text, "uuid").key())
        .field(FieldSpec::new("at", Type::DateTime, "published"))
        .field(FieldSpec::new("kind", Type::Text, "eventType"))
        .field(FieldSpec::new("user", Type::Text, "target[0].alternateId").alias("actor.alternateId"))
        .field(FieldSpec::new("flag", Type::Bool, "flag"));
    let result = crate::evidence::load(&spec, dir, &crate::evidence::NoProgress);
    SPECULATE.with(|s| s.set(true));
    match result {
        Ok(t) => {
            let mut out = format!("{} rows {:?}\n", t.rows(), t.file);
            for row in 0..t.rows() {
                for field in 0..5 {
                    out.push_str(&format!("{:?} ", t.value(field, row)));
                }
                out.push_str(&format!("{:?}\n", t.provenance(row)));
            }
            Ok(out)
        }
        Err(e) => Err(format!("{} {e} / {}", e.code(), e.help())),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn speculative_lines_equal_the_scanner(
        values in proptest::collection::vec(okta_like(), 0..60),
        layout in any::<u8>(),
        edit in proptest::option::weighted(0.3, (any::<usize>(), any::<u8>(), any::<u8>())),
    ) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("a.json"), array_text(&values, layout, edit)).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(load_file(dir.path(), true), load_file(dir.path(), false));
    }
}

#[test]
fn one_record_per_line_is_read_speculatively() {
    use super::super::SPECULATED;
    let values: Vec<Value> = (0..300)
        .map(|i| json!({"uuid": format!("u{i}"), "published": "2026-01-31T14:05:00.123Z", "eventType": "user.session.start", "target": null, "flag": i % 2 == 0}))
        .collect();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("a.json"), array_text(&values, 0, None)).unwrap_or_else(|e| panic!("{e}"));
    let before = SPECULATED.with(std::cell::Cell::get);
    let loaded = load_file(dir.path(), true);
    assert!(loaded.is_ok(), "{loaded:?}");
    // The test block is 4 KiB: several blocks, all of them speculative.
    assert!(SPECULATED.with(std::cell::Cell::get) - before >= 5);
    assert_eq!(loaded, load_file(dir.path(), false));
}

/// Inserts, replaces or removes one byte (from a pool of JSON's structural characters)
/// at a random place: a record that is usually broken in one spot.
fn apply_edit(bytes: &mut Vec<u8>, edit: Option<(usize, u8, u8)>) {
    if let Some((at, kind, byte)) = edit
        && !bytes.is_empty()
    {
        let at = at % bytes.len();
        let pool = b" \n,:{}[]\"\\0-1.eEtfnul";
        let byte = pool[usize::from(byte) % pool.len()];
        match kind % 3 {
            0 => bytes.insert(at, byte),
            1 => bytes[at] = byte,
            _ => {
                bytes.remove(at);
            }
        }
    }
}
