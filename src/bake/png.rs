//! PNG baking: chunks are parsed by hand (the format is a flat list of length-type-data-CRC
//! records; the `png` crate decodes pixels but does not let us write text chunks verbatim), with
//! every length and CRC checked and the number of chunks bounded.

use std::io::Read;

use super::{Baked, MAX_CREDENTIAL_BYTES};
use crate::error::{Error, ErrorKind, Result};

/// The PNG file signature.
pub use super::PNG_SIGNATURE as SIGNATURE;
/// The OB 3.0 iTXt keyword.
pub const KEYWORD: &str = "openbadgecredential";
/// Most chunks read from one file.
pub const MAX_CHUNKS: usize = 100_000;

fn bad(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Model, format!("malformed PNG: {}", msg.into()))
}

struct Chunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
    start: usize,
    end: usize,
}

fn chunks(png: &[u8]) -> Result<Vec<Chunk<'_>>> {
    if !png.starts_with(SIGNATURE) {
        return Err(bad("no PNG signature"));
    }
    let mut pos = SIGNATURE.len();
    let mut out = Vec::new();
    loop {
        if out.len() >= MAX_CHUNKS {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("more than {MAX_CHUNKS} chunks"),
            ));
        }
        let header = png
            .get(pos..pos + 8)
            .ok_or_else(|| bad(format!("truncated at byte {pos} (no IEND)")))?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = [header[4], header[5], header[6], header[7]];
        let data_end = (pos + 8)
            .checked_add(len)
            .filter(|e| *e + 4 <= png.len())
            .ok_or_else(|| {
                bad(format!(
                    "chunk `{}` at byte {pos} claims {len} bytes, past the end of the file",
                    String::from_utf8_lossy(&kind)
                ))
            })?;
        let data = &png[pos + 8..data_end];
        let crc = u32::from_be_bytes([
            png[data_end],
            png[data_end + 1],
            png[data_end + 2],
            png[data_end + 3],
        ]);
        let mut h = crc32fast::Hasher::new();
        h.update(&kind);
        h.update(data);
        if h.finalize() != crc {
            return Err(bad(format!(
                "bad CRC in chunk `{}` at byte {pos}",
                String::from_utf8_lossy(&kind)
            )));
        }
        out.push(Chunk {
            kind,
            data,
            start: pos,
            end: data_end + 4,
        });
        pos = data_end + 4;
        if &kind == b"IEND" {
            return Ok(out);
        }
    }
}

/// An iTXt chunk's keyword, read before anything is inflated.
fn itxt_keyword(data: &[u8]) -> Result<&[u8]> {
    let nul = data
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| bad("iTXt without keyword"))?;
    Ok(&data[..nul])
}

/// Reads an iTXt chunk: (keyword, text), inflating a compressed one within the cap.
fn itxt(data: &[u8]) -> Result<(String, String)> {
    let keyword_bytes = itxt_keyword(data)?;
    let keyword = String::from_utf8_lossy(keyword_bytes).into_owned();
    let rest = &data[keyword_bytes.len() + 1..];
    if rest.len() < 2 {
        return Err(bad("truncated iTXt"));
    }
    let (compressed, rest) = (rest[0], &rest[2..]);
    let lang_end = rest
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| bad("iTXt without language tag"))?;
    let rest = &rest[lang_end + 1..];
    let tk_end = rest
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| bad("iTXt without translated keyword"))?;
    let text = &rest[tk_end + 1..];
    let bytes = if compressed == 1 {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(text)
            .take(MAX_CREDENTIAL_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| bad(format!("compressed iTXt does not inflate: {e}")))?;
        if out.len() > MAX_CREDENTIAL_BYTES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("compressed iTXt inflates past {MAX_CREDENTIAL_BYTES} bytes"),
            ));
        }
        out
    } else {
        if text.len() > MAX_CREDENTIAL_BYTES {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("iTXt text is larger than {MAX_CREDENTIAL_BYTES} bytes"),
            ));
        }
        text.to_vec()
    };
    let text = String::from_utf8(bytes).map_err(|_| bad("iTXt text is not UTF-8"))?;
    Ok((keyword, text))
}

/// Extracts the baked credential, scanning every chunk (1EdTech's sample puts it after IDAT).
pub fn extract(png: &[u8]) -> Result<Option<Baked>> {
    let mut found: Option<Baked> = None;
    for c in chunks(png)? {
        if &c.kind != b"iTXt" {
            continue;
        }
        // Only a badge's own chunk is inflated: other text chunks cost nothing.
        let k = itxt_keyword(c.data)?;
        if k != KEYWORD.as_bytes() && k != b"openbadges" {
            continue;
        }
        let (keyword, text) = itxt(c.data)?;
        let baked = match keyword.as_str() {
            KEYWORD => Baked::from_text(text),
            "openbadges" => Baked::Ob2(text),
            _ => continue,
        };
        if found.is_some() {
            return Err(bad("two baked credential chunks (exactly one is allowed)"));
        }
        found = Some(baked);
    }
    Ok(found)
}

/// Writes one uncompressed `iTXt` chunk `openbadgecredential` before `IEND`, replacing any
/// existing one; every other chunk is kept byte for byte.
pub fn bake(png: &[u8], credential: &Baked) -> Result<Vec<u8>> {
    let text = credential.text();
    if text.len() > MAX_CREDENTIAL_BYTES {
        return Err(Error::new(ErrorKind::Limit, "credential too large to bake"));
    }
    let parsed = chunks(png)?;
    let mut out = Vec::with_capacity(png.len() + text.len() + 64);
    out.extend_from_slice(SIGNATURE);
    for c in &parsed {
        if &c.kind == b"iTXt" && itxt_keyword(c.data).is_ok_and(|k| k == KEYWORD.as_bytes()) {
            continue;
        }
        if &c.kind == b"IEND" {
            let mut data = Vec::with_capacity(text.len() + KEYWORD.len() + 5);
            data.extend_from_slice(KEYWORD.as_bytes());
            data.extend_from_slice(&[0, 0, 0, 0, 0]); // NUL, no compression, method 0, empty language, empty translation
            data.extend_from_slice(text.as_bytes());
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(b"iTXt");
            out.extend_from_slice(&data);
            let mut h = crc32fast::Hasher::new();
            h.update(b"iTXt");
            h.update(&data);
            out.extend_from_slice(&h.finalize().to_be_bytes());
        }
        out.extend_from_slice(&png[c.start..c.end]);
    }
    Ok(out)
}
