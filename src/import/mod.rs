//! Importing credentials in every form a wallet receives them: JSON-LD, a compact JWS (VC-JWT),
//! a baked PNG or SVG, a Verifiable Presentation, a CLR (its nested credentials), or an Open
//! Badges 2.0 assertion (converted, see [`ob2`]). Each result says where it came from.
//!
//! # Example
//! ```
//! let vp = serde_json::json!({
//!   "@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
//!   "verifiableCredential": [{"@context": ["https://www.w3.org/ns/credentials/v2"],
//!     "type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "urn:uuid:1"}]
//! });
//! let found = openbadges::import::import(vp.to_string().as_bytes())?;
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].source, "presentation /verifiableCredential/0");
//! # Ok::<(), openbadges::Error>(())
//! ```

pub mod ob2;
#[cfg(feature = "http")]
pub mod ob_api;

use serde_json::Value;

use crate::bake::{self, Baked, ImageKind};
use crate::error::{Error, ErrorKind, Result};
use crate::verify::{detect, json_kind, Input, JsonKind};

/// Deepest nesting followed (a CLR in a presentation in an image …).
pub const MAX_IMPORT_DEPTH: usize = 4;

/// The form a credential arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// JSON-LD with an embedded proof (or none).
    JsonLd,
    /// A compact JWS (VC-JWT); `credential` is its decoded payload credential.
    Jwt,
    /// An Open Badges 2.0 assertion converted to the OB 3.0 model.
    Ob2,
}

/// One credential found in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The credential as JSON (for a JWT: the credential it carries, not yet verified).
    pub credential: Value,
    /// The exact text received when it was not plain JSON (the compact JWS, the OB 2.0 assertion).
    pub original: Option<String>,
    /// The form it arrived in.
    pub format: Format,
    /// Where it came from: `json`, `png iTXt`, `svg`, `presentation /verifiableCredential/0`, …
    pub source: String,
    /// Whether it can be verified as an OB 3.0 credential by this crate (`false` for converted
    /// OB 2.0 assertions and, in this version, for VC-JWTs).
    pub verifiable: bool,
}

/// Finds every credential in `bytes`.
pub fn import(bytes: &[u8]) -> Result<Vec<Imported>> {
    let mut out = Vec::new();
    walk_bytes(bytes, "input".into(), 0, &mut out)?;
    if out.is_empty() {
        return Err(Error::new(ErrorKind::Model, "no credential found (expected JSON-LD, a JWT, a baked PNG/SVG, a presentation or a CLR)"));
    }
    Ok(out)
}

fn walk_bytes(bytes: &[u8], source: String, depth: usize, out: &mut Vec<Imported>) -> Result<()> {
    if depth > MAX_IMPORT_DEPTH {
        return Err(Error::new(
            ErrorKind::Limit,
            "credentials nested too deeply",
        ));
    }
    // The same detector `verify` and the CLI use, so they never disagree about what a file is.
    match detect(bytes).map_err(|e| e.context(format!("in {source}")))? {
        Input::Image(kind) => {
            let kind = if kind == ImageKind::Png { "png" } else { "svg" };
            match bake::extract(bytes)? {
                None => Ok(()),
                Some(Baked::Ob2(text)) => walk_bytes(
                    text.as_bytes(),
                    format!("{source} ({kind}, OB 2.0)"),
                    depth + 1,
                    out,
                ),
                Some(b) => walk_bytes(
                    b.text().as_bytes(),
                    format!("{source} ({kind})"),
                    depth + 1,
                    out,
                ),
            }
        }
        Input::Jwt(token) => {
            let claims = crate::jwt::decode_unverified(&token)
                .map_err(|e| e.context(format!("{source}: JWT payload")))?;
            let credential = claims.get("vc").cloned().unwrap_or(claims);
            out.push(Imported {
                credential,
                original: Some(token),
                format: Format::Jwt,
                source,
                verifiable: false,
            });
            Ok(())
        }
        Input::Json(v) => walk_value(&v, source, depth, out),
        Input::Unsupported { format, advice } => Err(Error::new(
            ErrorKind::Model,
            format!("{source}: a {format}, which cannot be imported: {advice}"),
        )),
    }
}

fn walk_text(text: &str, source: String, depth: usize, out: &mut Vec<Imported>) -> Result<()> {
    walk_bytes(text.trim().as_bytes(), source, depth, out)
}

fn types(v: &Value) -> Vec<&str> {
    match v.get("type") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => vec![],
    }
}

fn walk_value(v: &Value, source: String, depth: usize, out: &mut Vec<Imported>) -> Result<()> {
    if depth > MAX_IMPORT_DEPTH {
        return Err(Error::new(
            ErrorKind::Limit,
            "credentials nested too deeply",
        ));
    }
    if ob2::is_ob2_assertion(v) {
        out.push(Imported {
            credential: ob2::convert(v)?,
            original: Some(v.to_string()),
            format: Format::Ob2,
            source,
            verifiable: false,
        });
        return Ok(());
    }
    let t = types(v);
    let kind = json_kind(v);
    let nested = |key: &str| -> Vec<&Value> {
        match v.get(key) {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(x) => vec![x],
            None => vec![],
        }
    };
    if kind == JsonKind::Ambiguous {
        return Err(Error::new(
            ErrorKind::Model,
            format!("{source}: `type` names both a credential and a presentation"),
        ));
    }
    if kind == JsonKind::Presentation {
        for (i, c) in nested("verifiableCredential").into_iter().enumerate() {
            let src = format!("presentation /verifiableCredential/{i}");
            match c {
                Value::String(s) => walk_text(s, src, depth + 1, out)?,
                other => walk_value(other, src, depth + 1, out)?,
            }
        }
        return Ok(());
    }
    if matches!(kind, JsonKind::Credential | JsonKind::Clr) {
        out.push(Imported {
            credential: v.clone(),
            original: None,
            format: Format::JsonLd,
            source: source.clone(),
            verifiable: true,
        });
        if kind == JsonKind::Clr {
            if let Some(subject) = v.get("credentialSubject") {
                let inner: Vec<&Value> = match subject.get("verifiableCredential") {
                    Some(Value::Array(a)) => a.iter().collect(),
                    Some(x) => vec![x],
                    None => vec![],
                };
                for (i, c) in inner.into_iter().enumerate() {
                    let src = format!("{source} CLR /credentialSubject/verifiableCredential/{i}");
                    match c {
                        Value::String(s) => walk_text(s, src, depth + 1, out)?,
                        other => walk_value(other, src, depth + 1, out)?,
                    }
                }
            }
        }
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Model,
        format!(
            "{source}: not a credential, presentation or OB 2.0 assertion (type {:?})",
            t
        ),
    ))
}
