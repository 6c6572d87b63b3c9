//! A fast path for the common JSON record: one pass over the bytes that validates the
//! record and lists what the declared paths see, without serde's per-value dispatch.
//!
//! It is a *speculative* parser. It accepts only what it can read exactly as serde_json
//! would: objects, arrays, `true`/`false`/`null`, strings without control characters (and
//! without escapes where a declared path reads them; elsewhere escapes are validated and
//! skipped, as serde skips them), and numbers outside the declared paths (checked against
//! JSON's grammar, never converted). Anything else (an escape in a string a path reads, a
//! number at a declared path, a shape the
//! slow path reports as an error, deep nesting) makes it give up, and the record is parsed
//! again by the serde path, which defines the semantics and every error message. Nothing
//! is written to the table before the whole record has been validated: the events are
//! replayed afterwards, in document order, through the same `Ctx` methods the serde
//! visitors call, so both paths build identical tables.

use super::Trie;
use crate::evidence::MAX_CELL_BYTES;

/// What the serde visitors would have done at a declared path, in document order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Event<'a> {
    /// A string at trie node `.0` (`Ctx::scalar` with `Cell::Text`).
    Text(usize, &'a str),
    /// A boolean at a trie node (`Ctx::scalar` with `Cell::Bool`).
    Bool(usize, bool),
    /// `null` at a trie node, or an array starting there (`Ctx::mark_present`).
    Present(usize),
}

/// Deepest nesting the fast path reads (serde's limit is 128; deeper records go the slow way).
const MAX_FAST_DEPTH: usize = 64;

/// Parses one record (`bytes` is the span the scanner found: the value and surrounding
/// whitespace). Returns `false` when the record must go through the serde path; `events`
/// is then meaningless.
///
/// With `keys`, the record's top-level keys are listed too (the first record's, for "did
/// you mean"), as the serde path lists them: at most [`MAX_LISTED_KEYS`].
pub(super) fn record<'a>(
    trie: &Trie,
    bytes: &'a [u8],
    events: &mut Vec<Event<'a>>,
    keys: Option<&mut Vec<String>>,
) -> bool {
    events.clear();
    let mut p = Parser {
        b: bytes,
        i: 0,
        trie,
        events,
        keys,
    };
    p.ws();
    if p.peek() != Some(b'{') {
        return false;
    }
    if p.object(Some(0), 1).is_none() {
        return false;
    }
    p.ws();
    p.i == bytes.len()
}

/// Top-level keys listed for the first record (as `KeySeed` does).
pub(super) const MAX_LISTED_KEYS: usize = 1000;

struct Parser<'a, 't, 'e> {
    b: &'a [u8],
    i: usize,
    trie: &'t Trie,
    events: &'e mut Vec<Event<'a>>,
    keys: Option<&'e mut Vec<String>>,
}

impl<'a> Parser<'a, '_, '_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.i += 1;
        }
    }

    fn value(&mut self, node: Option<usize>, depth: usize) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(node, depth + 1),
            b'[' => self.array(node, depth + 1),
            b'"' if node.is_none() => self.skip_string(),
            b'"' => {
                let s = self.string()?;
                if let Some(n) = node {
                    if s.len() > MAX_CELL_BYTES {
                        return None;
                    }
                    // The input was validated (or decoded) as UTF-8 and `"` never falls
                    // inside a multi-byte character, so this only fails on a broken
                    // invariant: then go the slow way. Strings no path reads are not checked
                    // again.
                    self.events.push(Event::Text(n, std::str::from_utf8(s).ok()?));
                }
                Some(())
            }
            b't' => {
                self.literal(b"true")?;
                if let Some(n) = node {
                    self.events.push(Event::Bool(n, true));
                }
                Some(())
            }
            b'f' => {
                self.literal(b"false")?;
                if let Some(n) = node {
                    self.events.push(Event::Bool(n, false));
                }
                Some(())
            }
            b'n' => {
                self.literal(b"null")?;
                if let Some(n) = node {
                    self.events.push(Event::Present(n));
                }
                Some(())
            }
            // A number at a declared path is converted by the serde path (its float parsing
            // is the reference); elsewhere it is only checked.
            b'-' | b'0'..=b'9' if node.is_none() => self.number(),
            _ => None,
        }
    }

    /// At `{`.
    fn object(&mut self, node: Option<usize>, depth: usize) -> Option<()> {
        if depth > MAX_FAST_DEPTH {
            return None;
        }
        if let Some(n) = node
            && self.trie.has_scalar_leaves(n)
        {
            return None;
        }
        self.i += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Some(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return None;
            }
            // Keys of an object no path reads into are skipped like its values.
            let child = match node {
                Some(n) => {
                    let key = self.string()?;
                    if depth == 1
                        && let Some(keys) = self.keys.as_deref_mut()
                        && keys.len() < MAX_LISTED_KEYS
                    {
                        keys.push(std::str::from_utf8(key).ok()?.to_string());
                    }
                    self.trie.key_child(n, key)
                }
                None => {
                    self.skip_string()?;
                    None
                }
            };
            self.ws();
            if self.peek() != Some(b':') {
                return None;
            }
            self.i += 1;
            self.ws();
            self.value(child, depth)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// At `[`.
    fn array(&mut self, node: Option<usize>, depth: usize) -> Option<()> {
        if depth > MAX_FAST_DEPTH {
            return None;
        }
        if let Some(n) = node {
            // List fields take an array's items, and a single-value field fails on one:
            // both stay with the serde path.
            if self.trie.has_scalar_leaves(n) || self.trie.has_list_leaves(n) {
                return None;
            }
            self.events.push(Event::Present(n));
        }
        self.i += 1;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Some(());
        }
        let mut index = 0u64;
        loop {
            let child = node.and_then(|n| self.trie.index_child(n, index));
            self.value(child, depth)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                    index += 1;
                }
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i.checked_add(word.len())?;
        if self.b.get(self.i..end)? == word {
            self.i = end;
            Some(())
        } else {
            None
        }
    }

    /// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        // serde_json rejects `01`; a digit right after a lone `0` is not a number.
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    /// At `"`, in a value no path reads (serde_json skips it as `IgnoredAny`): moves past
    /// the string. Escapes are only validated, as serde_json validates them when it skips a
    /// string: `\` then one of `"\/bfnrt`, or `u` and four hex digits (any code point: an
    /// unpaired surrogate is an error only in a string that is read). `None` for a control
    /// character, another escape or no end: the serde path reports those.
    fn skip_string(&mut self) -> Option<()> {
        let mut i = self.i + 1;
        loop {
            i = first_special(self.b, i, true)?;
            match *self.b.get(i)? {
                b'"' => {
                    self.i = i + 1;
                    return Some(());
                }
                b'\\' => match *self.b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' if self.b.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) => i += 6,
                    _ => return None,
                },
                _ => return None,
            }
        }
    }

    /// At `"`: the string's bytes, or `None` for an escape, a control character or no end.
    fn string(&mut self) -> Option<&'a [u8]> {
        let start = self.i + 1;
        let end = string_end(self.b, start)?;
        self.i = end + 1;
        self.b.get(start..end)
    }
}

/// The next eight bytes at `i` as a little-endian word, when there are eight.
fn word_at(b: &[u8], i: usize) -> Option<u64> {
    let mut eight = [0u8; 8];
    eight.copy_from_slice(b.get(i..i + 8)?);
    Some(u64::from_le_bytes(eight))
}

/// High bit set in each byte of `w` that is `"` or `\` (and, with `control`, below 0x20).
/// The lowest flagged byte is exact; higher flags may be borrow artefacts, so callers
/// only use the lowest.
fn special_bytes(w: u64, control: bool) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut hits = zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')));
    if control {
        hits |= w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    }
    hits
}

/// Position of the first `"` or `\` at or after `i` (with `control`, also of the first
/// byte below 0x20).
fn first_special(b: &[u8], mut i: usize, control: bool) -> Option<usize> {
    while let Some(w) = word_at(b, i) {
        let hits = special_bytes(w, control);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || (control && c < 0x20) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Position of the closing `"` of a string whose text starts at `i`; `None` when a `\`
/// or a control character (below 0x20) comes first, or the data ends.
pub(super) fn string_end(b: &[u8], i: usize) -> Option<usize> {
    first_special(b, i, true).filter(|&end| b.get(end) == Some(&b'"'))
}

/// Position of the first `"` or `\` at or after `i` (the record scanner's string skip:
/// Okta's strings are short, and a word-at-a-time loop beats a vector search's setup).
pub(super) fn quote_or_escape(b: &[u8], i: usize) -> Option<usize> {
    first_special(b, i, false)
}

#[cfg(test)]
#[path = "tests/json_fast.rs"]
mod tests;
