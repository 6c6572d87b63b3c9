//! Reading an evidence file once, in blocks: hashing, progress, BOM, UTF-8 checking or
//! Windows-1252 decoding. Readers see UTF-8 bytes only.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::LoadObserver;
use super::spec::Encoding;

/// Why reading stopped.
#[derive(Debug)]
pub(crate) enum InputError {
    Io(io::Error),
    /// Not UTF-8 at this byte offset of the file.
    Utf8(u64),
}

/// Carried inside an `io::Error` when a consumer (the csv crate) reads through [`Read`].
#[derive(Debug)]
pub(crate) struct Utf8Marker(pub(crate) u64);

impl std::fmt::Display for Utf8Marker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not valid UTF-8 at byte {}", self.0)
    }
}

impl std::error::Error for Utf8Marker {}

impl InputError {
    /// Recovers an [`InputError`] from an `io::Error` that passed through a consumer.
    pub(crate) fn from_io(error: io::Error) -> InputError {
        if let Some(marker) = error.get_ref().and_then(|e| e.downcast_ref::<Utf8Marker>()) {
            return InputError::Utf8(marker.0);
        }
        InputError::Io(error)
    }
}

/// Incremental UTF-8 validation across block boundaries.
#[derive(Default)]
struct Utf8Check {
    pending: [u8; 4],
    pending_len: usize,
    /// File offset of `pending[0]`.
    pending_at: u64,
}

fn char_width(lead: u8) -> usize {
    match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 1,
    }
}

impl Utf8Check {
    /// Validates `chunk`, which starts at file offset `at`.
    fn feed(&mut self, mut chunk: &[u8], mut at: u64) -> Result<(), u64> {
        if self.pending_len > 0 {
            let lead = self.pending.first().copied().unwrap_or(0);
            let width = char_width(lead);
            let take = width.saturating_sub(self.pending_len).min(chunk.len());
            for &b in chunk.get(..take).unwrap_or(&[]) {
                if let Some(slot) = self.pending.get_mut(self.pending_len) {
                    *slot = b;
                }
                self.pending_len += 1;
            }
            chunk = chunk.get(take..).unwrap_or(&[]);
            at += take as u64;
            if self.pending_len < width {
                return Ok(());
            }
            let done = self.pending.get(..width).unwrap_or(&[]);
            if std::str::from_utf8(done).is_err() {
                return Err(self.pending_at);
            }
            self.pending_len = 0;
        }
        match std::str::from_utf8(chunk) {
            Ok(_) => Ok(()),
            Err(e) => {
                let valid = e.valid_up_to();
                if e.error_len().is_some() {
                    return Err(at + valid as u64);
                }
                let rest = chunk.get(valid..).unwrap_or(&[]);
                self.pending_len = 0;
                for &b in rest {
                    if let Some(slot) = self.pending.get_mut(self.pending_len) {
                        *slot = b;
                        self.pending_len += 1;
                    }
                }
                self.pending_at = at + valid as u64;
                Ok(())
            }
        }
    }

    fn end(&self) -> Result<(), u64> {
        if self.pending_len > 0 {
            Err(self.pending_at)
        } else {
            Ok(())
        }
    }
}

/// An evidence file being read.
pub(crate) struct Input<'o> {
    file: File,
    hasher: Sha256,
    /// Raw bytes read so far.
    raw_done: u64,
    size: u64,
    observer: &'o dyn LoadObserver,
    dataset: &'o str,
    check: Option<Utf8Check>,
    decoder: Option<encoding_rs::Decoder>,
    /// The block as read from the file (hashed here); reused for every block.
    raw: Vec<u8>,
    /// UTF-8 text handed to readers: each block is copied (or decoded) once from `raw`.
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    block: usize,
    lines: Option<LineTrack>,
}

/// Offsets of the line breaks handed out through [`Read`], for exact line numbers.
#[derive(Default)]
struct LineTrack {
    /// Bytes handed out so far.
    handed: u64,
    /// Offsets of `\n` bytes not yet pruned.
    offsets: VecDeque<u64>,
    /// Line breaks pruned from the front.
    pruned: u64,
}

impl<'o> Input<'o> {
    pub(crate) fn open(
        path: &Path,
        encoding: Option<Encoding>,
        block: usize,
        observer: &'o dyn LoadObserver,
        dataset: &'o str,
    ) -> Result<Input<'o>, InputError> {
        let file = File::open(path).map_err(InputError::Io)?;
        let size = file.metadata().map_err(InputError::Io)?.len();
        Ok(Input {
            file,
            hasher: Sha256::new(),
            raw_done: 0,
            size,
            observer,
            dataset,
            check: (encoding == Some(Encoding::Utf8)).then(Utf8Check::default),
            decoder: (encoding == Some(Encoding::Windows1252))
                .then(|| encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling()),
            raw: Vec::new(),
            buf: Vec::new(),
            pos: 0,
            eof: false,
            block,
            lines: None,
        })
    }

    /// The file's size in bytes.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Decoded bytes not yet consumed.
    pub(crate) fn data(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Marks `n` bytes of `data()` as used.
    pub(crate) fn consume(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.buf.len());
    }

    /// True once the whole file has been read into the buffer.
    pub(crate) fn at_eof(&self) -> bool {
        self.eof
    }

    /// From now on, remembers where the line breaks handed out through [`Read`] are; offsets
    /// count from the first byte handed out after this call.
    pub(crate) fn track_lines(&mut self) {
        self.lines = Some(LineTrack::default());
    }

    /// Line breaks before stream offset `x` (of the bytes handed out through [`Read`]).
    ///
    /// The reader prunes the line breaks of each record once it is read, so the ones asked
    /// about are at the front: a linear scan from there is cheaper than a binary search
    /// over everything the csv reader has buffered ahead.
    pub(crate) fn lines_before(&self, x: u64) -> u64 {
        self.lines.as_ref().map_or(0, |t| {
            t.pruned + t.offsets.iter().take_while(|&&o| o < x).count() as u64
        })
    }

    /// True when the byte at stream offset `x` is a line break.
    pub(crate) fn is_newline_at(&self, x: u64) -> bool {
        self.lines
            .as_ref()
            .is_some_and(|t| t.offsets.iter().take_while(|&&o| o <= x).any(|&o| o == x))
    }

    /// Forgets line breaks before stream offset `x`.
    pub(crate) fn prune_lines(&mut self, x: u64) {
        if let Some(t) = &mut self.lines {
            while t.offsets.front().is_some_and(|&o| o < x) {
                t.offsets.pop_front();
                t.pruned += 1;
            }
        }
    }

    /// Reads the next block into the buffer; returns how many bytes were added (0 at the end).
    pub(crate) fn fill(&mut self) -> Result<usize, InputError> {
        if self.eof {
            return Ok(0);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.raw.resize(self.block, 0);
        let mut got = 0;
        while got < self.raw.len() {
            let slot = self.raw.get_mut(got..).unwrap_or(&mut []);
            match self.file.read(slot) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(InputError::Io(e)),
            }
        }
        self.raw.truncate(got);
        self.hasher.update(&self.raw);
        let start = self.raw_done;
        self.raw_done += got as u64;
        if got == 0 {
            self.eof = true;
        }
        self.observer.advanced(self.dataset, self.raw_done);
        let mut src: &[u8] = &self.raw;
        let mut at = start;
        let text = self.check.is_some() || self.decoder.is_some();
        if text && start == 0 && src.starts_with(&[0xEF, 0xBB, 0xBF]) {
            src = src.get(3..).unwrap_or(&[]);
            at = 3;
        }
        let before = self.buf.len();
        if let Some(check) = &mut self.check {
            check.feed(src, at).map_err(InputError::Utf8)?;
            if self.eof {
                check.end().map_err(InputError::Utf8)?;
            }
            self.buf.extend_from_slice(src);
        } else if let Some(decoder) = &mut self.decoder {
            let max = decoder
                .max_utf8_buffer_length(src.len())
                .unwrap_or(src.len().saturating_mul(3));
            let len = self.buf.len();
            self.buf.resize(len + max, 0);
            let dst = self.buf.get_mut(len..).unwrap_or(&mut []);
            let (_, _read, written, _) = decoder.decode_to_utf8(src, dst, self.eof);
            self.buf.truncate(len + written);
        } else {
            self.buf.extend_from_slice(src);
        }
        Ok(self.buf.len() - before)
    }

    /// Reads the rest of the file (for the hash) and returns `(sha256 hex, size)`.
    pub(crate) fn finish(mut self) -> Result<(String, u64), InputError> {
        let mut rest = vec![0u8; 1 << 16];
        loop {
            match self.file.read(&mut rest) {
                Ok(0) => break,
                Ok(n) => {
                    self.hasher.update(rest.get(..n).unwrap_or(&[]));
                    self.raw_done += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(InputError::Io(e)),
            }
        }
        self.observer.advanced(self.dataset, self.raw_done);
        let digest = self.hasher.finalize();
        let mut hex = String::with_capacity(64);
        for byte in digest {
            use std::fmt::Write;
            let _ = write!(hex, "{byte:02x}");
        }
        Ok((hex, self.raw_done))
    }
}

impl Read for Input<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.data().is_empty() {
            match self.fill() {
                Ok(0) if self.eof => return Ok(0),
                Ok(_) => {}
                Err(InputError::Io(e)) => return Err(e),
                Err(InputError::Utf8(at)) => return Err(io::Error::other(Utf8Marker(at))),
            }
        }
        let data = self.buf.get(self.pos..).unwrap_or(&[]);
        let n = data.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), data.get(..n)) {
            dst.copy_from_slice(src);
            if let Some(track) = &mut self.lines {
                for nl in memchr::memchr_iter(b'\n', src) {
                    track.offsets.push_back(track.handed + nl as u64);
                }
                track.handed += n as u64;
            }
        }
        self.consume(n);
        Ok(n)
    }
}
