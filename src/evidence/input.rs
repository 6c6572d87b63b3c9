//! Reading an evidence file once, in blocks: hashing, progress, BOM, UTF-8 checking or
//! Windows-1252 decoding. Readers see UTF-8 bytes only.

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

/// The 1-based line and column (in characters) of file offset `byte`, for a D409 message.
/// Reads the file again up to that offset: only on that error's path, where the bytes before
/// the offset are known to be valid UTF-8. A byte-order mark is not counted as a column.
/// `None` if the file cannot be read again.
pub(crate) fn line_column(path: &Path, byte: u64) -> Option<(u64, u64)> {
    let mut file = File::open(path).ok()?.take(byte);
    let mut line = 1u64;
    // Characters since the last line feed: every byte that does not continue a character.
    let mut chars = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    let mut first = true;
    loop {
        let got = match file.read(&mut buf) {
            Ok(got) => got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        let mut block = buf.get(..got)?;
        if got == 0 {
            break;
        }
        if first && block.starts_with(BOM) {
            block = block.get(BOM.len()..).unwrap_or(&[]);
        }
        first = false;
        for &b in block {
            if b == b'\n' {
                line += 1;
                chars = 0;
            } else if b & 0xC0 != 0x80 {
                chars += 1;
            }
        }
    }
    Some((line, chars + 1))
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

/// The UTF-8 byte-order mark, dropped from the start of text files.
const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

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
    /// Windows-1252 blocks as read from the file, before decoding into `buf`.
    raw: Vec<u8>,
    /// UTF-8 text handed to readers, at `pos..end`; the file is read straight into it
    /// unless it is decoded. Its length only grows (no zeroing per block).
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    block: usize,
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
            end: 0,
            eof: false,
            block,
        })
    }

    /// The file's size in bytes.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Decoded bytes not yet consumed.
    pub(crate) fn data(&self) -> &[u8] {
        self.buf.get(self.pos..self.end).unwrap_or(&[])
    }

    /// Marks `n` bytes of `data()` as used.
    pub(crate) fn consume(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.end);
    }

    /// True once the whole file has been read into the buffer.
    pub(crate) fn at_eof(&self) -> bool {
        self.eof
    }

    /// Reads the next block into the buffer; returns how many bytes were added (0 at the end).
    pub(crate) fn fill(&mut self) -> Result<usize, InputError> {
        if self.eof {
            return Ok(0);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        let start = self.raw_done;
        let before = self.end;
        if let Some(decoder) = &mut self.decoder {
            self.raw.resize(self.block, 0);
            let got = read_block(&mut self.file, &mut self.raw)?;
            let mut src = self.raw.get(..got).unwrap_or(&[]);
            self.hasher.update(src);
            self.raw_done += got as u64;
            self.eof = got == 0;
            if start == 0 && src.starts_with(BOM) {
                src = src.get(BOM.len()..).unwrap_or(&[]);
            }
            let max = decoder
                .max_utf8_buffer_length(src.len())
                .unwrap_or(src.len().saturating_mul(3));
            if self.buf.len() < self.end + max {
                self.buf.resize(self.end + max, 0);
            }
            let dst = self.buf.get_mut(self.end..).unwrap_or(&mut []);
            let (_, _read, written, _) = decoder.decode_to_utf8(src, dst, self.eof);
            self.end += written;
        } else {
            if self.buf.len() < self.end + self.block {
                self.buf.resize(self.end + self.block, 0);
            }
            let slot = self
                .buf
                .get_mut(self.end..self.end + self.block)
                .unwrap_or(&mut []);
            let got = read_block(&mut self.file, slot)?;
            let mut src = slot.get(..got).unwrap_or(&[]);
            self.hasher.update(src);
            self.raw_done += got as u64;
            self.eof = got == 0;
            let mut at = start;
            let bom = self.check.is_some() && start == 0 && src.starts_with(BOM);
            if bom {
                src = src.get(BOM.len()..).unwrap_or(&[]);
                at = BOM.len() as u64;
            }
            if let Some(check) = &mut self.check {
                check.feed(src, at).map_err(InputError::Utf8)?;
                if self.eof {
                    check.end().map_err(InputError::Utf8)?;
                }
            }
            self.end += got;
            if bom {
                // Nothing was handed out yet, so the mark is at the front: skip it.
                self.pos += BOM.len();
            }
        }
        self.observer.advanced(self.dataset, self.raw_done);
        Ok(self.end - self.pos.max(before))
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

/// Reads until `slot` is full or the file ends; returns the bytes read.
fn read_block(file: &mut File, slot: &mut [u8]) -> Result<usize, InputError> {
    let mut got = 0;
    while got < slot.len() {
        match file.read(slot.get_mut(got..).unwrap_or(&mut [])) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(InputError::Io(e)),
        }
    }
    Ok(got)
}
