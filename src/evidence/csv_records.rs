//! CSV records read straight from the input's buffer.
//!
//! `csv_core` defines the dialect (RFC 4180 quoting, `\r`, `\n` or `\r\n` ends, blank
//! lines skipped). Most lines of an export have no quote at all: such a line is split at
//! its delimiters without the byte-by-byte state machine and its cells stay where they are
//! in the buffer. A line with a quote or a lone `\r`, an empty line, and a line not yet
//! wholly in the buffer go to `csv_core`, whose state is at the start of a record whenever
//! a line is looked at, so the two never disagree about where a record starts. Tests
//! compare the records and line numbers with the `csv` crate's on random input.
//!
//! Records come in batches ([`Batch`]): the plain lines in the buffer at once, whose text
//! is checked as UTF-8 in one go (checking each line by itself cost more than the check
//! of the whole block as it was read), or one record `csv_core` read.

use std::ops::Range;

use super::input::{Input, InputError};

/// Splits an [`Input`] into records.
pub(crate) struct Records {
    core: csv_core::Reader,
    delimiter: u8,
    /// Cells of a record `csv_core` read, unquoted, one after another.
    unquoted: Vec<u8>,
    /// Their ends in `unquoted`.
    ends: Vec<usize>,
    /// Cell bounds of the current record, in the line or in `unquoted`.
    bounds: Vec<Range<usize>>,
    /// Ends of the plain lines of the current batch: (content, with the line end).
    lines: Vec<(usize, usize)>,
    /// The current batch is the first `pending` bytes of the input's buffer (plain lines
    /// and their ends), consumed when the next batch is read.
    pending: usize,
    count: LineCount,
}

/// Line breaks consumed so far.
#[derive(Default)]
struct LineCount {
    /// `\n` bytes consumed so far.
    newlines: u64,
    /// The last byte consumed is a `\n`.
    ends_with_newline: bool,
}

/// Records read at once: plain lines still in the input's buffer, or one record
/// `csv_core` read.
pub(crate) struct Batch<'a> {
    /// The plain lines, or the unquoted cells of the `csv_core` record.
    bytes: &'a [u8],
    /// `bytes` as text, when it is UTF-8 (always, after [`Input`]'s check).
    text: Option<&'a str>,
    /// Ends of the plain lines in `bytes`; empty for a `csv_core` record.
    lines: &'a [(usize, usize)],
    /// Lines handed out so far.
    next: usize,
    /// Where the next line starts in `bytes`.
    start: usize,
    /// The `csv_core` record (start line, line breaks inside, line of a quote it never
    /// closed), until it is handed out.
    core: Option<(u64, u64, Option<u64>)>,
    delimiter: u8,
    bounds: &'a mut Vec<Range<usize>>,
    count: &'a mut LineCount,
}

/// One record: its cells and the physical line it starts on.
pub(crate) struct Record<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
    bounds: &'a [Range<usize>],
    /// Line of the file (counting from the first line handed to [`Records`], 1) where the
    /// record starts.
    pub(crate) line: u64,
    /// Line breaks inside its cells.
    pub(crate) inner_newlines: u64,
    /// The line where a quoted cell of this record opened and was never closed: the
    /// record then runs to the end of the file.
    pub(crate) unclosed_quote: Option<u64>,
}

impl<'a> Record<'a> {
    /// Number of cells.
    pub(crate) fn len(&self) -> usize {
        self.bounds.len()
    }

    /// The cell at `i`.
    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.range(i).and_then(|r| self.bytes.get(r))
    }

    /// Where cell `i` lies in [`Record::as_slice`].
    pub(crate) fn range(&self, i: usize) -> Option<Range<usize>> {
        self.bounds.get(i).cloned()
    }

    /// The cells.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.bounds
            .iter()
            .map(|r| self.bytes.get(r.clone()).unwrap_or(&[]))
    }

    /// Bytes holding every cell (and perhaps the delimiters between them): valid UTF-8
    /// when the input is, with each cell on character boundaries.
    pub(crate) fn as_slice(&self) -> &'a [u8] {
        self.bytes
    }

    /// The cell at `i` as text, when the record is UTF-8 (always, after [`Input`]'s check).
    pub(crate) fn text(&self, i: usize) -> Option<&'a str> {
        self.text
            .zip(self.range(i))
            .and_then(|(text, range)| text.get(range))
    }
}

impl Batch<'_> {
    /// The next record of the batch.
    pub(crate) fn next(&mut self) -> Option<Record<'_>> {
        if let Some((line, inner, unclosed_quote)) = self.core.take() {
            return Some(Record {
                bytes: self.bytes,
                text: self.text,
                bounds: self.bounds.as_slice(),
                line,
                inner_newlines: inner,
                unclosed_quote,
            });
        }
        let &(content, used) = self.lines.get(self.next)?;
        let start = std::mem::replace(&mut self.start, used);
        self.next += 1;
        // One line, ended by its only `\n`.
        self.count.newlines += 1;
        self.count.ends_with_newline = true;
        let bytes = self.bytes.get(start..content).unwrap_or(&[]);
        self.bounds.clear();
        split_cells(bytes, self.delimiter, self.bounds);
        Some(Record {
            bytes,
            text: self.text.and_then(|text| text.get(start..content)),
            bounds: self.bounds.as_slice(),
            line: self.count.start_line(0),
            inner_newlines: 0,
            unclosed_quote: None,
        })
    }
}

impl Records {
    pub(crate) fn new(delimiter: u8) -> Records {
        Records {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            unquoted: vec![0; 1024],
            ends: vec![0; 64],
            bounds: Vec::new(),
            lines: Vec::new(),
            pending: 0,
            count: LineCount::default(),
        }
    }

    /// Reads the next batch of records; `None` at the end of the input.
    pub(crate) fn next<'s>(&'s mut self, input: &'s mut Input<'_>) -> Result<Option<Batch<'s>>, InputError> {
        input.consume(std::mem::take(&mut self.pending));
        self.bounds.clear();
        self.lines.clear();
        loop {
            if input.data().is_empty() {
                if input.at_eof() {
                    break;
                }
                input.fill()?;
                continue;
            }
            let mut at = 0;
            while let Some((content, used)) = input.data().get(at..).and_then(plain_line) {
                self.lines.push((at + content, at + used));
                at += used;
            }
            if at == 0 {
                return self.by_core(input);
            }
            self.pending = at;
            let bytes = input.data().get(..at).unwrap_or(&[]);
            return Ok(Some(Batch {
                bytes,
                text: std::str::from_utf8(bytes).ok(),
                lines: &self.lines,
                next: 0,
                start: 0,
                core: None,
                delimiter: self.delimiter,
                bounds: &mut self.bounds,
                count: &mut self.count,
            }));
        }
        // The end: `csv_core` may hold an unterminated last record.
        self.by_core(input)
    }

    /// Reads one record with `csv_core`, from wherever the input stands.
    fn by_core<'s>(&'s mut self, input: &'s mut Input<'_>) -> Result<Option<Batch<'s>>, InputError> {
        use csv_core::ReadRecordResult;
        let (mut out, mut nends) = (0usize, 0usize);
        let mut quotes = QuoteScan::new(self.count.newlines);
        loop {
            if input.data().is_empty() && !input.at_eof() {
                input.fill()?;
                continue;
            }
            let data = input.data();
            let (result, nin, nout, nend) = self.core.read_record(
                data,
                self.unquoted.get_mut(out..).unwrap_or(&mut []),
                self.ends.get_mut(nends..).unwrap_or(&mut []),
            );
            let used = data.get(..nin).unwrap_or(&[]);
            let ended_with_cr = used.last() == Some(&b'\r');
            quotes.scan(used, self.delimiter);
            self.count.note_consumed(used);
            input.consume(nin);
            out += nout;
            nends += nend;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let len = self.unquoted.len().max(1) * 2;
                    self.unquoted.resize(len, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len().max(1) * 2;
                    self.ends.resize(len, 0);
                }
                ReadRecordResult::Record => {
                    // `csv_core` ends a record at the `\r` of `\r\n` and would skip the
                    // `\n` as a blank line; taking it now lets the next line be split
                    // without it.
                    if ended_with_cr && input.data().first() == Some(&b'\n') {
                        self.count.note_consumed(b"\n");
                        input.consume(1);
                    }
                    let mut start = 0;
                    for &end in self.ends.get(..nends).unwrap_or(&[]) {
                        self.bounds.push(start..end);
                        start = end;
                    }
                    let bytes = self.unquoted.get(..out).unwrap_or(&[]);
                    let inner = memchr::memchr_iter(b'\n', bytes).count() as u64;
                    let line = self.count.start_line(inner);
                    return Ok(Some(Batch {
                        bytes,
                        text: std::str::from_utf8(bytes).ok(),
                        lines: &[],
                        next: 0,
                        start: 0,
                        core: Some((line, inner, quotes.unclosed())),
                        delimiter: self.delimiter,
                        bounds: &mut self.bounds,
                        count: &mut self.count,
                    }));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }
}

/// Follows the quoting of the bytes `csv_core` reads for one record, as `csv_core` does
/// (a quote opens a cell only at its start; `""` inside is a quote), to tell a record that
/// ended at the end of the input inside a quoted cell: `csv_core` ends it there silently.
struct QuoteScan {
    state: Quoting,
    /// `\n` bytes scanned so far, from the start of the input.
    newlines: u64,
    /// Line of the last opening quote.
    opened: u64,
}

#[derive(Clone, Copy, PartialEq)]
enum Quoting {
    CellStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted cell: it closes the cell unless another follows.
    QuoteInQuoted,
}

impl QuoteScan {
    fn new(newlines: u64) -> QuoteScan {
        QuoteScan {
            state: Quoting::CellStart,
            newlines,
            opened: 0,
        }
    }

    fn scan(&mut self, mut bytes: &[u8], delimiter: u8) {
        while let Some((&b, rest)) = bytes.split_first() {
            match self.state {
                Quoting::Quoted => {
                    // Skip to the next quote, counting the line breaks on the way.
                    let Some(at) = memchr::memchr(b'"', bytes) else {
                        self.newlines += memchr::memchr_iter(b'\n', bytes).count() as u64;
                        return;
                    };
                    let inside = bytes.get(..at).unwrap_or(&[]);
                    self.newlines += memchr::memchr_iter(b'\n', inside).count() as u64;
                    self.state = Quoting::QuoteInQuoted;
                    bytes = bytes.get(at + 1..).unwrap_or(&[]);
                    continue;
                }
                Quoting::CellStart if b == b'"' => {
                    self.state = Quoting::Quoted;
                    self.opened = self.newlines + 1;
                }
                Quoting::QuoteInQuoted if b == b'"' => self.state = Quoting::Quoted,
                _ if b == delimiter || b == b'\n' || b == b'\r' => self.state = Quoting::CellStart,
                _ => self.state = Quoting::Unquoted,
            }
            if b == b'\n' {
                self.newlines += 1;
            }
            bytes = rest;
        }
    }

    /// The line where a quote opened and was not closed, if the record ended inside it.
    fn unclosed(&self) -> Option<u64> {
        (self.state == Quoting::Quoted).then_some(self.opened)
    }
}

impl LineCount {
    fn note_consumed(&mut self, bytes: &[u8]) {
        if let Some(&last) = bytes.last() {
            self.newlines += memchr::memchr_iter(b'\n', bytes).count() as u64;
            self.ends_with_newline = last == b'\n';
        }
    }

    /// The line a record that ends here starts on, from the line breaks consumed so far,
    /// the `inner` ones inside its cells and the one that ends it, if it was consumed.
    fn start_line(&self, inner: u64) -> u64 {
        (1 + self.newlines)
            .saturating_sub(inner)
            .saturating_sub(u64::from(self.ends_with_newline))
    }
}

/// Appends the bounds of the cells of a line without quotes: the bytes between
/// delimiters, found eight bytes at a time.
fn split_cells(line: &[u8], delimiter: u8, bounds: &mut Vec<Range<usize>>) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let pattern = ONES * u64::from(delimiter);
    let mut start = 0;
    let mut i = 0;
    let mut words = line.chunks_exact(8);
    for chunk in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        let w = u64::from_le_bytes(eight) ^ pattern;
        // The high bit of each byte that was the delimiter (exact: no carries between bytes).
        let mut hits = !(((w & LOW) + LOW) | w | LOW);
        while hits != 0 {
            let at = i + (hits.trailing_zeros() / 8) as usize;
            bounds.push(start..at);
            start = at + 1;
            hits &= hits - 1;
        }
        i += 8;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        if b == delimiter {
            bounds.push(start..i + k);
            start = i + k + 1;
        }
    }
    bounds.push(start..line.len());
}

/// A whole line at the start of `data` that needs no quote handling: no `"`, no `\r`
/// except in a final `\r\n`, not empty. Returns the end of its content and the bytes it
/// uses with its line end.
fn plain_line(data: &[u8]) -> Option<(usize, usize)> {
    let at = memchr::memchr3(b'\n', b'"', b'\r', data)?;
    let (content, used) = match data.get(at)? {
        b'\n' => (at, at + 1),
        b'\r' if data.get(at + 1) == Some(&b'\n') => (at, at + 2),
        _ => return None,
    };
    (content > 0).then_some((content, used))
}

#[cfg(test)]
#[path = "tests/csv_records.rs"]
mod tests;
