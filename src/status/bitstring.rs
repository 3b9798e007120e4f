//! The status bitstring: GZIP-compressed, base64url-encoded, MSB-first (W3C Bitstring Status List
//! v1.0 §2.x; StatusList2021 uses the same bits without the multibase `u` prefix).

use std::io::Read;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::error::{Error, ErrorKind, Result};

/// The minimum list length the specification requires: 16 KiB = 131,072 entries of one bit.
pub const MIN_BITS: usize = 131_072;

/// The largest uncompressed bitstring accepted when decoding: 16 MiB (134 million one-bit
/// entries). Inflation stops there, so a GZIP bomb costs at most this much memory.
pub const MAX_DECODED_BYTES: usize = 16 * 1024 * 1024;

/// The largest `encodedList` string accepted: 8 MiB.
pub const MAX_ENCODED_CHARS: usize = 8 * 1024 * 1024;

/// A status bitstring of `len` entries of `status_size` bits each.
///
/// # Example
/// ```
/// use openbadges::status::Bitstring;
/// let mut bits = Bitstring::new(131_072, 1)?;
/// bits.set(23, 1)?;
/// let encoded = bits.encode();
/// assert!(encoded.starts_with('u'));
/// let back = Bitstring::decode(&encoded, 1)?;
/// assert_eq!(back.get(23)?, 1);
/// assert_eq!(back.get(22)?, 0);
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
    status_size: u8,
}

impl std::fmt::Debug for Bitstring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bitstring")
            .field("entries", &self.len())
            .field("status_size", &self.status_size)
            .finish()
    }
}

impl Bitstring {
    /// A zeroed list of `entries` entries of `status_size` bits (1–8). At least [`MIN_BITS`] bits.
    pub fn new(entries: usize, status_size: u8) -> Result<Self> {
        check_size(status_size)?;
        let bits = entries
            .checked_mul(status_size as usize)
            .filter(|b| *b <= MAX_DECODED_BYTES * 8)
            .ok_or_else(|| Error::new(ErrorKind::Limit, "status list too large"))?;
        if bits < MIN_BITS {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("a status list needs at least {MIN_BITS} bits; {entries} entries of {status_size} bit(s) give {bits}"),
            ));
        }
        Ok(Bitstring {
            bytes: vec![0; bits.div_ceil(8)],
            status_size,
        })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8 / self.status_size as usize
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bits per entry.
    pub fn status_size(&self) -> u8 {
        self.status_size
    }

    /// The value of entry `index` (bit 0 of the list = most significant bit of the first byte).
    pub fn get(&self, index: usize) -> Result<u8> {
        self.range(index)?;
        let mut v = 0u8;
        for b in 0..self.status_size as usize {
            let bit = index * self.status_size as usize + b;
            let set = self.bytes[bit / 8] & (0x80 >> (bit % 8)) != 0;
            v = (v << 1) | set as u8;
        }
        Ok(v)
    }

    /// Sets entry `index` to `value` (which must fit in `status_size` bits).
    pub fn set(&mut self, index: usize, value: u8) -> Result<()> {
        self.range(index)?;
        if self.status_size < 8 && value >> self.status_size != 0 {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("value {value} does not fit in {} bit(s)", self.status_size),
            ));
        }
        let n = self.status_size as usize;
        for b in 0..n {
            let bit = index * n + b;
            let on = value & (1 << (n - 1 - b)) != 0;
            let mask = 0x80 >> (bit % 8);
            if on {
                self.bytes[bit / 8] |= mask;
            } else {
                self.bytes[bit / 8] &= !mask;
            }
        }
        Ok(())
    }

    fn range(&self, index: usize) -> Result<()> {
        if index >= self.len() {
            return Err(Error::new(
                ErrorKind::Model,
                format!(
                    "RANGE_ERROR: status index {index} is outside the list of {} entries",
                    self.len()
                ),
            ));
        }
        Ok(())
    }

    /// `encodedList`: `u` + base64url (no padding) of the GZIP-compressed bits.
    pub fn encode(&self) -> String {
        use std::io::Write;
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        // Writing to a Vec cannot fail.
        let _ = gz.write_all(&self.bytes);
        let compressed = gz.finish().unwrap_or_default();
        format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
    }

    /// Decodes an `encodedList` (with or without the multibase `u` prefix; base64url or base64,
    /// padded or not), inflating at most [`MAX_DECODED_BYTES`] and refusing lists shorter than
    /// [`MIN_BITS`] (`STATUS_LIST_LENGTH_ERROR`).
    pub fn decode(encoded: &str, status_size: u8) -> Result<Self> {
        let (list, short) = Self::decode_any_length(encoded, status_size)?;
        if short {
            return Err(Error::new(
                ErrorKind::Model,
                format!(
                    "STATUS_LIST_LENGTH_ERROR: the list has {} bits; at least {MIN_BITS} are required",
                    list.bytes.len() * 8
                ),
            ));
        }
        Ok(list)
    }

    /// Like [`Bitstring::decode`], but a list shorter than the specification's minimum
    /// (131,072 entries) is read, and reported as short (`true`): such a list is authentic, and
    /// deployed lists (DCC's have 100,000 entries) are shorter; only herd privacy suffers.
    ///
    /// # Example
    /// ```
    /// use std::io::Write;
    /// use base64::Engine as _;
    /// use openbadges::status::Bitstring;
    /// // 128 entries (below the minimum), entry 3 set: bits are read most significant first.
    /// let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    /// gz.write_all(&[0b0001_0000; 16]).unwrap();
    /// let encoded = format!("u{}", base64::engine::general_purpose::URL_SAFE_NO_PAD
    ///     .encode(gz.finish().unwrap()));
    /// let (list, is_short) = Bitstring::decode_any_length(&encoded, 1)?;
    /// assert!(is_short);
    /// assert_eq!((list.get(3)?, list.get(4)?), (1, 0));
    /// assert!(Bitstring::decode(&encoded, 1).is_err());
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn decode_any_length(encoded: &str, status_size: u8) -> Result<(Self, bool)> {
        check_size(status_size)?;
        if encoded.len() > MAX_ENCODED_CHARS {
            return Err(Error::new(
                ErrorKind::Limit,
                format!(
                    "encodedList is {} characters; the limit is {MAX_ENCODED_CHARS}",
                    encoded.len()
                ),
            ));
        }
        let body = encoded.strip_prefix('u').unwrap_or(encoded);
        let trimmed = body.trim_end_matches('=');
        let compressed = URL_SAFE_NO_PAD
            .decode(trimmed)
            .or_else(|_| STANDARD.decode(body))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Model,
                    format!("encodedList is not base64url: {e}"),
                )
            })?;
        let mut bytes = Vec::new();
        // The bufread decoder reads no further than the gzip member, so what is left of the
        // slice afterwards is exactly what follows the stream.
        let mut reader =
            flate2::bufread::GzDecoder::new(&compressed[..]).take(MAX_DECODED_BYTES as u64 + 1);
        reader.read_to_end(&mut bytes).map_err(|e| {
            Error::new(
                ErrorKind::Model,
                format!("encodedList is not GZIP data: {e}"),
            )
        })?;
        if bytes.len() <= MAX_DECODED_BYTES && !reader.into_inner().into_inner().is_empty() {
            return Err(Error::new(
                ErrorKind::Model,
                "encodedList has bytes after the end of its GZIP stream",
            ));
        }
        if bytes.len() > MAX_DECODED_BYTES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("encodedList inflates past the limit of {MAX_DECODED_BYTES} bytes"),
            ));
        }
        let short = bytes.len() * 8 < MIN_BITS;
        Ok((Bitstring { bytes, status_size }, short))
    }
}

fn check_size(status_size: u8) -> Result<()> {
    if !(1..=8).contains(&status_size) {
        return Err(Error::new(
            ErrorKind::Model,
            format!("statusSize must be 1 to 8; found {status_size}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msb_first() {
        let mut b = Bitstring::new(MIN_BITS, 1).unwrap();
        b.set(0, 1).unwrap();
        b.set(9, 1).unwrap();
        assert_eq!(b.bytes[0], 0x80);
        assert_eq!(b.bytes[1], 0x40);
        assert_eq!(b.get(9).unwrap(), 1);
        assert!(b.get(MIN_BITS).is_err());
    }

    #[test]
    fn multi_bit_entries() {
        let mut b = Bitstring::new(MIN_BITS / 2, 2).unwrap();
        b.set(3, 0b10).unwrap();
        assert_eq!(b.get(3).unwrap(), 2);
        assert_eq!(b.get(2).unwrap(), 0);
        assert!(b.set(3, 4).is_err());
        let d = Bitstring::decode(&b.encode(), 2).unwrap();
        assert_eq!(d.get(3).unwrap(), 2);
    }

    #[test]
    fn short_list_is_length_error() {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        std::io::Write::write_all(&mut gz, &[0u8; 100]).unwrap();
        let enc = format!("u{}", URL_SAFE_NO_PAD.encode(gz.finish().unwrap()));
        let e = Bitstring::decode(&enc, 1).unwrap_err();
        assert!(e.message().contains("STATUS_LIST_LENGTH_ERROR"), "{e}");
    }

    #[test]
    fn bomb_is_bounded() {
        // 64 MiB of zeros compresses to ~64 KiB; decoding stops at the 16 MiB cap.
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..64 {
            std::io::Write::write_all(&mut gz, &chunk).unwrap();
        }
        let enc = format!("u{}", URL_SAFE_NO_PAD.encode(gz.finish().unwrap()));
        assert!(enc.len() < 200_000);
        let e = Bitstring::decode(&enc, 1).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
    }

    #[test]
    fn garbage_is_typed() {
        assert!(Bitstring::decode("u!!!", 1).is_err());
        assert!(Bitstring::decode("uAAAA", 1).is_err());
        assert!(Bitstring::decode("", 1).is_err());
    }
}
