//! One fast hash for the hot hash tables: dictionary encoding while loading, join indexes,
//! memoized quantifiers and the maps keyed by quantifier or group code.
//!
//! FxHash's word-at-a-time mixing with MurmurHash3's 64-bit finalizer. It is several times
//! faster than std's SipHash on the short keys these tables hold (e-mails, ids, codes,
//! addresses), and the finalizer spreads every input bit over the low bits that table
//! indexes and shards use. It is not DoS-resistant, which is acceptable here: a collision
//! only costs time (every join candidate is checked with the full `where`; a dictionary
//! holds a bounded number of entries), never a wrong answer.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash with a MurmurHash3 finalizer (see the module documentation).
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

/// A `HashMap` hashed with [`FxHasher`].
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

impl FxHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            if let Some(w) = word.get_mut(..rest.len()) {
                w.copy_from_slice(rest);
            }
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_i64(&mut self, n: i64) {
        self.mix(n as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn write_isize(&mut self, n: isize) {
        self.mix(n as u64);
    }
}

/// The [`FxHasher`] hash of a byte string. The tail is zero-padded and the length is not
/// mixed in (`abc` and `abc\0` collide): tables keyed by it compare the bytes too.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(bytes);
    h.finish()
}

/// For tables keyed by a hash already computed with [`FxHasher`]: passes it through.
#[derive(Default, Clone, Copy)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    #[test]
    fn equal_keys_hash_equal_and_the_low_bits_vary() {
        assert_eq!(hash_bytes(b"ann@example.com"), hash_bytes(b"ann@example.com"));
        assert_ne!(hash_bytes(b"ann@example.com"), hash_bytes(b"bob@example.com"));
        // Aligned addresses (low bits zero) still spread over the low bits.
        let low: std::collections::HashSet<u64> = (0..64usize)
            .map(|i| {
                let mut h = FxHasher::default();
                (0x7f00_0000_0000 + i * 64).hash(&mut h);
                h.finish() & 63
            })
            .collect();
        assert!(low.len() > 32, "{}", low.len());
    }
}
