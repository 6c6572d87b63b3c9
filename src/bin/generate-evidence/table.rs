//! Small registers held as rows of cells: written as they are for the sample, and copied
//! once per business unit (with planted failures) at scale.

use std::path::Path;

use crate::clock::put_date;
use crate::out::{self, Row};
use crate::rng::Rng;
use crate::{Ctx, Error};

/// A register: its path under the output directory, header and rows of cells.
pub struct Table {
    /// Path relative to the output directory.
    pub path: &'static str,
    /// Column names, in order.
    pub header: &'static [&'static str],
    /// Cells, one vector per row.
    pub rows: Vec<Vec<String>>,
}

/// Rewrites one copied row for business unit `k`: renames keys, plants failures.
pub type Mutate = fn(&mut [String], u64, &mut Rng);

/// The prefix that keeps keys unique across business units at scale (`U0042`).
pub fn tag(k: u64) -> String {
    format!("U{k:04}")
}

/// A stable stream number for a path, so each register draws its own random numbers.
pub fn stream_of(path: &str) -> u64 {
    path.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Table {
    /// A register with the given rows.
    pub fn new(path: &'static str, header: &'static [&'static str], rows: Vec<Vec<String>>) -> Self {
        Table { path, header, rows }
    }

    /// A register date cell (`2026-01-31`), empty when absent.
    pub fn day(day: Option<i64>) -> String {
        let mut v = Vec::with_capacity(10);
        if let Some(d) = day {
            put_date(&mut v, d);
        }
        String::from_utf8(v).unwrap_or_default()
    }

    fn put_row(out: &mut Vec<u8>, cells: &[String]) {
        let mut r = Row::new(out);
        for c in cells {
            r.text(c);
        }
        r.end();
    }

    /// Writes the register as it is (the sample).
    pub fn write(&self, root: &Path) -> Result<(), Error> {
        let mut buf = Vec::new();
        out::header(&mut buf, self.header);
        for row in &self.rows {
            Self::put_row(&mut buf, row);
        }
        out::write_all(&root.join(self.path), &buf)
    }

    /// Writes `copies` business-unit copies of the register, each row passed through
    /// `mutate`; row `i` depends only on the seed and `i`.
    pub fn write_scaled(&self, ctx: &Ctx, copies: u64, mutate: Mutate) -> Result<(), Error> {
        let mut head = Vec::new();
        out::header(&mut head, self.header);
        let per = self.rows.len() as u64;
        let stream = stream_of(self.path);
        out::write_chunked(&ctx.path(self.path), &head, per * copies, b"", |from, to, buf| {
            for i in from..to {
                let (k, r) = (i / per, (i % per) as usize);
                let mut cells = self.rows.get(r).cloned().unwrap_or_default();
                let mut rng = Rng::derive(ctx.seed, stream, i);
                mutate(&mut cells, k, &mut rng);
                Self::put_row(buf, &cells);
            }
            Ok(())
        })
    }
}
