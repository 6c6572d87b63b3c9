//! Writing CSV and JSON: RFC 4180 quoting, and files produced in parallel chunks that are
//! concatenated in order, so the bytes never depend on thread scheduling.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::Error;
use crate::clock::{self, Helsinki};

/// Rows handed to one task; large enough to amortise scheduling, small enough to bound memory.
const ROWS_PER_CHUNK: u64 = 20_000;

/// One CSV record being written into a buffer.
pub struct Row<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Row<'a> {
    /// Starts a record at the end of `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        Row { out, first: true }
    }

    fn sep(&mut self) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out
    }

    /// A text cell, quoted only when it must be (comma, quote or line break).
    pub fn text(&mut self, s: &str) -> &mut Self {
        let out = self.sep();
        if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
            out.push(b'"');
            for b in s.bytes() {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(s.as_bytes());
        }
        self
    }

    /// A text cell that is empty when absent.
    pub fn opt(&mut self, s: Option<&str>) -> &mut Self {
        self.text(s.unwrap_or(""))
    }

    /// An integer cell.
    pub fn int(&mut self, v: i64) -> &mut Self {
        let out = self.sep();
        out.extend_from_slice(v.to_string().as_bytes());
        self
    }

    /// `Yes` / `No`.
    pub fn yes_no(&mut self, v: bool) -> &mut Self {
        self.text(if v { "Yes" } else { "No" })
    }

    /// ServiceNow `true` / `false`.
    pub fn boolean(&mut self, v: bool) -> &mut Self {
        self.text(if v { "true" } else { "false" })
    }

    /// A register date (`2026-01-31`), empty when absent.
    pub fn date(&mut self, day: Option<i64>) -> &mut Self {
        let out = self.sep();
        if let Some(d) = day {
            clock::put_date(out, d);
        }
        self
    }

    /// A ServiceNow date-time, empty when absent.
    pub fn servicenow(&mut self, ts: Option<i64>) -> &mut Self {
        let out = self.sep();
        if let Some(t) = ts {
            clock::put_servicenow(out, t);
        }
        self
    }

    /// A Jira date-time on the Helsinki wall clock, empty when absent.
    pub fn jira(&mut self, hel: &Helsinki, ts: Option<i64>) -> &mut Self {
        let out = self.sep();
        if let Some(t) = ts {
            clock::put_jira(out, hel, t);
        }
        self
    }

    /// A Jira date-picker value, empty when absent.
    pub fn jira_date(&mut self, day: Option<i64>) -> &mut Self {
        let out = self.sep();
        if let Some(d) = day {
            clock::put_jira_date(out, d);
        }
        self
    }

    /// An HR date-time from a Helsinki wall-clock value.
    pub fn hr(&mut self, local: i64) -> &mut Self {
        let out = self.sep();
        clock::put_hr(out, local);
        self
    }

    /// Ends the record with a line feed.
    pub fn end(&mut self) {
        self.out.push(b'\n');
    }
}

/// Appends a header line.
pub fn header(out: &mut Vec<u8>, names: &[&str]) {
    let mut r = Row::new(out);
    for n in names {
        r.text(n);
    }
    r.end();
}

/// Appends `s` as a JSON string literal.
pub fn json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Writes `head`, then rows `0..total` produced by `produce(first, end, buf)` for consecutive
/// ranges in parallel, then `tail`. `produce` must depend only on the range it is given.
pub fn write_chunked<F>(path: &Path, head: &[u8], total: u64, tail: &[u8], produce: F) -> Result<(), Error>
where
    F: Fn(u64, u64, &mut Vec<u8>) -> Result<(), Error> + Sync,
{
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    w.write_all(head).map_err(|e| Error::io(path, e))?;
    let chunks = total.div_ceil(ROWS_PER_CHUNK);
    let batch = (rayon::current_num_threads() as u64 * 4).max(4);
    let mut next = 0;
    while next < chunks {
        let upto = (next + batch).min(chunks);
        let bufs: Vec<Result<Vec<u8>, Error>> = (next..upto)
            .into_par_iter()
            .map(|c| {
                let first = c * ROWS_PER_CHUNK;
                let end = (first + ROWS_PER_CHUNK).min(total);
                let mut buf = Vec::with_capacity(((end - first) * 256) as usize);
                produce(first, end, &mut buf)?;
                Ok(buf)
            })
            .collect();
        for buf in bufs {
            let buf = buf?;
            w.write_all(&buf).map_err(|e| Error::io(path, e))?;
        }
        next = upto;
    }
    w.write_all(tail).map_err(|e| Error::io(path, e))?;
    w.flush().map_err(|e| Error::io(path, e))
}

/// Writes a small file from one buffer.
pub fn write_all(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        let mut v = Vec::new();
        Row::new(&mut v)
            .text("plain")
            .text("a, b")
            .text("say \"hi\"")
            .text("two\nlines")
            .text("")
            .end();
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",\n"
        );
    }

    #[test]
    fn json_escapes() {
        let mut v = Vec::new();
        json_str(&mut v, "a\"b\\c\nd\u{1}ä");
        assert_eq!(String::from_utf8(v).unwrap(), "\"a\\\"b\\\\c\\nd\\u0001ä\"");
    }
}
