//! Multibase (base58btc, `z`) + multicodec key encoding.

use crate::error::{Error, Result};

/// Multicodec varint prefix of an Ed25519 public key (0xed).
pub const MULTICODEC_ED25519_PUB: [u8; 2] = [0xed, 0x01];
/// Multicodec varint prefix of an Ed25519 private key (0x1300).
pub const MULTICODEC_ED25519_PRIV: [u8; 2] = [0x80, 0x26];

/// Decodes a `z`-multibase key and checks its multicodec prefix; returns the key bytes.
pub fn decode_multibase_key(multibase: &str, expected: [u8; 2]) -> Result<Vec<u8>> {
    let body = multibase.strip_prefix('z').ok_or_else(|| {
        Error::key(format!(
            "a multibase key starts with `z` (base58btc); found `{}`",
            multibase.chars().take(8).collect::<String>()
        ))
    })?;
    if body.len() > 200 {
        return Err(Error::key("multibase key too long"));
    }
    let bytes = bs58::decode(body)
        .into_vec()
        .map_err(|e| Error::key(format!("the key is not base58btc: {e}")))?;
    if bytes.len() < 2 || bytes[..2] != expected {
        let found = bytes
            .get(..2)
            .map(|b| format!("0x{:02x}{:02x}", b[0], b.get(1).copied().unwrap_or(0)))
            .unwrap_or_else(|| "nothing".into());
        let want = if expected == MULTICODEC_ED25519_PUB {
            "0xed01 (Ed25519 public key)"
        } else {
            "0x8026 (Ed25519 private key)"
        };
        return Err(Error::key(format!(
            "wrong multicodec prefix: expected {want}, found {found}"
        )));
    }
    Ok(bytes[2..].to_vec())
}
