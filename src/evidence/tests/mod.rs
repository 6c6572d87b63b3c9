//! Loader tests: fixtures for every quirk, real exports, error snapshots, properties.

mod errors;
mod fixtures;
mod props;
mod quirks;
mod samples;
mod structure;

use std::path::{Path, PathBuf};

use super::{DatasetSpec, LoadError, NoProgress, Table, load};

/// The fixtures written by `tests/fixtures/evidence/make_fixtures.py`.
pub(super) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evidence")
}

pub(super) fn load_ok(spec: &DatasetSpec) -> Table {
    load_in(spec, &fixtures())
}

pub(super) fn load_in(spec: &DatasetSpec, dir: &Path) -> Table {
    match load(spec, dir, &NoProgress) {
        Ok(table) => table,
        Err(e) => panic!("{} {e}\nhelp: {}", e.code(), e.help()),
    }
}

pub(super) fn load_err(spec: &DatasetSpec) -> LoadError {
    match load(spec, &fixtures(), &NoProgress) {
        Ok(table) => panic!("expected an error, loaded {} rows", table.rows()),
        Err(e) => e,
    }
}

/// An RFC 3339 instant as microseconds.
pub(super) fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_microsecond()
}

/// A date as days since 1970-01-01.
pub(super) fn day(s: &str) -> i32 {
    let d: jiff::civil::Date = s.parse().unwrap();
    (d - jiff::civil::date(1970, 1, 1)).get_days()
}
