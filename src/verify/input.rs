//! The one input detector: what a byte string is — a JSON-LD credential, a presentation, a CLR, a
//! VC-JWT, a baked image, or a format we name but do not verify. `verify`, `import` and the CLI
//! all ask it, so they never disagree about what a file is.

use serde_json::Value;

use crate::bake::{self, ImageKind};
use crate::error::Result;

/// What an input is.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Input {
    /// A JSON document (credential, presentation, CLR or something else: see [`JsonKind`]).
    Json(Value),
    /// A compact JWS (VC-JWT, or a CLR / presentation secured as a JWT).
    Jwt(String),
    /// A PNG or SVG image (baked or not).
    Image(ImageKind),
    /// A format this crate recognises and names but does not verify.
    Unsupported {
        /// The format's name (`SD-JWT VC`, `CBOR`, `PDF`, …).
        format: &'static str,
        /// What to do instead.
        advice: &'static str,
    },
}

/// What a JSON document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonKind {
    /// A Verifiable Credential (`type` has `VerifiableCredential` and not `VerifiablePresentation`);
    /// a `ClrCredential` included.
    Credential,
    /// A CLR 2.0 `ClrCredential` (also a credential).
    Clr,
    /// A Verifiable Presentation (`type` has `VerifiablePresentation` and not
    /// `VerifiableCredential`).
    Presentation,
    /// `type` claims both a credential and a presentation: refused.
    Ambiguous,
    /// An Open Badges 2.0 assertion (not a Verifiable Credential).
    Ob2Assertion,
    /// A JSON document of some other kind.
    Other,
}

fn types(v: &Value) -> Vec<&str> {
    match v.get("type") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => vec![],
    }
}

/// Classifies a JSON document by its `type` (and OB 2.0 context).
///
/// # Example
/// ```
/// use openbadges::verify::{json_kind, JsonKind};
/// let vp = serde_json::json!({"type": ["VerifiablePresentation"]});
/// assert_eq!(json_kind(&vp), JsonKind::Presentation);
/// let both = serde_json::json!({"type": ["VerifiableCredential", "VerifiablePresentation"]});
/// assert_eq!(json_kind(&both), JsonKind::Ambiguous);
/// ```
pub fn json_kind(v: &Value) -> JsonKind {
    let t = types(v);
    let vc = t.contains(&"VerifiableCredential");
    let vp = t.contains(&"VerifiablePresentation");
    match (vc, vp) {
        (true, true) => JsonKind::Ambiguous,
        (false, true) => JsonKind::Presentation,
        (true, false) if t.contains(&"ClrCredential") => JsonKind::Clr,
        (true, false) => JsonKind::Credential,
        (false, false) => {
            let ob2 = v
                .get("@context")
                .map(|c| c.to_string().contains("https://w3id.org/openbadges/v2"))
                .unwrap_or(false);
            if ob2 {
                JsonKind::Ob2Assertion
            } else {
                JsonKind::Other
            }
        }
    }
}

/// Whether `text` has the shape of a compact JWS (three base64url segments, header first).
pub fn is_compact_jws(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("eyJ")
        && t.split('.').count() == 3
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

fn is_sd_jwt(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("eyJ") && t.contains('~') && t.split('~').next().is_some_and(is_compact_jws)
}

/// Detects what `bytes` is. `Err` only for JSON that is malformed (the error has the pointer).
///
/// # Example
/// ```
/// use openbadges::verify::{detect, Input};
/// assert!(matches!(detect(b"eyJhbGciOiJFZERTQSJ9.e30.c2ln")?, Input::Jwt(_)));
/// assert!(matches!(detect(b"eyJhbGciOiJFUzI1NiJ9.e30.c2ln~WyJzIiwiYSIsMV0~")?,
///     Input::Unsupported { format: "SD-JWT VC", .. }));
/// assert!(matches!(detect(br#"{"type": ["VerifiableCredential"]}"#)?, Input::Json(_)));
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn detect(bytes: &[u8]) -> Result<Input> {
    let kind = bake::detect(bytes);
    if kind != ImageKind::Unknown {
        return Ok(Input::Image(kind));
    }
    let unsupported = |format, advice| Ok(Input::Unsupported { format, advice });
    match bytes {
        [b'%', b'P', b'D', b'F', ..] => {
            return unsupported("PDF", "a PDF certificate is not a verifiable credential; ask for the badge itself (JSON, JWT or a baked PNG/SVG)")
        }
        [0xFF, 0xD8, 0xFF, ..] => {
            return unsupported("JPEG image", "Open Badges are baked only into PNG and SVG images")
        }
        [b'P', b'K', 3, 4, ..] => {
            return unsupported("ZIP archive", "unpack it and verify each file")
        }
        [0x1f, 0x8b, ..] => return unsupported("gzip data", "decompress it first"),
        [0xA0..=0xBF, ..] | [0xD8, 0x18, ..] | [0xD2, ..] => {
            return unsupported(
                "CBOR (an ISO mdoc or COSE credential)",
                "this crate verifies JSON-LD credentials with Data Integrity proofs and VC-JWTs",
            )
        }
        _ => {}
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let t = text.trim();
        if is_sd_jwt(t) {
            return unsupported(
                "SD-JWT VC",
                "selective-disclosure JWTs (IETF SD-JWT VC) are not Open Badges 3.0 VC-JWTs; ask the issuer for the JSON-LD or VC-JWT form",
            );
        }
        if is_compact_jws(t) {
            return Ok(Input::Jwt(t.to_string()));
        }
        if t.starts_with("eyJ") && t.split('.').count() == 5 {
            return unsupported(
                "JWE (an encrypted JWT)",
                "decrypt it with the recipient's key first",
            );
        }
    }
    crate::json::parse(bytes).map(Input::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_named() {
        assert!(matches!(
            detect(b"%PDF-1.7 ..."),
            Ok(Input::Unsupported { format: "PDF", .. })
        ));
        assert!(matches!(
            detect(b"\x1f\x8b\x08\x00"),
            Ok(Input::Unsupported { .. })
        ));
        assert!(detect(b"{not json").is_err());
        assert!(matches!(
            detect(br#""a string""#),
            Ok(Input::Json(Value::String(_)))
        ));
    }
}
