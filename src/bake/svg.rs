//! SVG baking with a real XML parser (`quick-xml`): ENTITY declarations, internal DTD subsets and
//! non-W3C DTDs are refused (no entity expansion, no external fetch; the standard SVG 1.1 DOCTYPE
//! that 1EdTech's samples carry is accepted and never loaded); the credential is the `credential` element in the OB 3.0
//! namespace — JSON in its (CDATA) content, a JWT in its `verify` attribute.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::{Baked, MAX_CREDENTIAL_BYTES};
use crate::error::{Error, ErrorKind, Result};

/// The OB 3.0 baking namespace.
pub const NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";

fn bad(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Model, format!("malformed SVG: {}", msg.into()))
}

/// Where things are in the document (byte offsets).
struct Scan {
    /// End of the root `<svg …>` start tag (just after `>`), and whether it was self-closing.
    root_end: usize,
    root_has_ns: bool,
    /// Span of the existing credential element, if any.
    credential: Option<(usize, usize)>,
    baked: Option<Baked>,
}

fn scan(svg: &[u8]) -> Result<Scan> {
    let whole = std::str::from_utf8(svg).map_err(|_| bad("not UTF-8"))?;
    // quick-xml skips a leading byte order mark but counts positions without it; strip it here
    // so every offset below is into `text`, then shift by `bom` for offsets into the document.
    let bom = if whole.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &whole[bom..];
    if text.starts_with('\u{feff}') {
        return Err(bad("more than one byte order mark"));
    }
    let mut reader = NsReader::from_str(text);
    let mut root: Option<(usize, bool)> = None;
    let mut credential = None;
    let mut baked = None;
    let mut depth_in_cred = 0usize;
    let mut cred_start = 0usize;
    let mut content = String::new();
    let mut events = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let (ns, ev) = reader
            .read_resolved_event()
            .map_err(|e| bad(e.to_string()))?;
        events += 1;
        if events > 1_000_000 {
            return Err(Error::new(ErrorKind::Limit, "SVG has too many XML events"));
        }
        let is_ob = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == NAMESPACE.as_bytes());
        match ev {
            // The standard SVG DOCTYPE (1EdTech's own samples carry it) is harmless: quick-xml never
            // loads DTDs. An internal subset, an ENTITY declaration, or a DTD from anywhere but
            // w3.org is refused, so nothing can be expanded or fetched.
            Event::DocType(d) => {
                let d = String::from_utf8_lossy(&d).to_string();
                let foreign_dtd = d.contains("://") && !d.contains("http://www.w3.org/");
                if d.contains('[') || d.contains("ENTITY") || foreign_dtd {
                    return Err(bad("DOCTYPE with an internal subset, ENTITY declarations or a non-W3C DTD is refused (no entity expansion, no external fetch)"));
                }
            }
            Event::Start(e) | Event::Empty(e) if root.is_none() => {
                if e.local_name().as_ref() != b"svg" {
                    return Err(bad("the root element is not <svg>"));
                }
                let has_ns = e.attributes().flatten().any(|a| {
                    a.key.as_ref() == b"xmlns:openbadges"
                        && a.value.as_ref() == NAMESPACE.as_bytes()
                });
                root = Some((reader.buffer_position() as usize, has_ns));
                let tag = text
                    .get(before..reader.buffer_position() as usize)
                    .ok_or_else(|| bad("the XML reader's offsets do not fall on characters"))?;
                if ev_is_empty(tag) {
                    return Err(bad("the <svg> root element is empty"));
                }
            }
            Event::Start(e)
                if is_ob && e.local_name().as_ref() == b"credential" && depth_in_cred == 0 =>
            {
                if credential.is_some() {
                    return Err(bad("two openbadges:credential elements"));
                }
                cred_start = before;
                depth_in_cred = 1;
                content.clear();
                if let Some(v) = verify_attr(&e)? {
                    baked = Some(Baked::Jwt(v));
                }
            }
            Event::Empty(e)
                if is_ob && e.local_name().as_ref() == b"credential" && depth_in_cred == 0 =>
            {
                if credential.is_some() {
                    return Err(bad("two openbadges:credential elements"));
                }
                credential = Some((before, reader.buffer_position() as usize));
                baked = verify_attr(&e)?.map(Baked::Jwt);
            }
            Event::Start(_) if depth_in_cred > 0 => depth_in_cred += 1,
            Event::End(_) if depth_in_cred > 0 => {
                depth_in_cred -= 1;
                if depth_in_cred == 0 {
                    credential = Some((cred_start, reader.buffer_position() as usize));
                    if baked.is_none() && !content.trim().is_empty() {
                        baked = Some(Baked::from_text(content.trim().to_string()));
                    }
                }
            }
            Event::CData(t) if depth_in_cred > 0 => {
                content.push_str(&String::from_utf8_lossy(&t));
                if content.len() > MAX_CREDENTIAL_BYTES {
                    return Err(Error::new(ErrorKind::Limit, "baked credential too large"));
                }
            }
            Event::Text(t) if depth_in_cred > 0 => {
                let s = t.unescape().map_err(|e| bad(e.to_string()))?;
                content.push_str(&s);
                if content.len() > MAX_CREDENTIAL_BYTES {
                    return Err(Error::new(ErrorKind::Limit, "baked credential too large"));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let (root_end, root_has_ns) = root.ok_or_else(|| bad("no <svg> element"))?;
    let root_end = root_end + bom;
    let credential = credential.map(|(a, b): (usize, usize)| (a + bom, b + bom));
    Ok(Scan {
        root_end,
        root_has_ns,
        credential,
        baked,
    })
}

fn ev_is_empty(tag: &str) -> bool {
    tag.trim_end().ends_with("/>")
}

fn verify_attr(e: &quick_xml::events::BytesStart<'_>) -> Result<Option<String>> {
    for a in e.attributes() {
        let a = a.map_err(|e| bad(e.to_string()))?;
        if a.key.local_name().as_ref() == b"verify" {
            let v = a.unescape_value().map_err(|e| bad(e.to_string()))?;
            return Ok(Some(v.trim().to_string()));
        }
    }
    Ok(None)
}

/// Extracts the baked credential (`Ok(None)`: an SVG without one).
pub fn extract(svg: &[u8]) -> Result<Option<Baked>> {
    Ok(scan(svg)?.baked)
}

/// Bakes `credential` into the SVG: adds the namespace to the root and one
/// `<openbadges:credential>` right after the root start tag, replacing an existing one.
pub fn bake(svg: &str, credential: &Baked) -> Result<String> {
    let s = scan(svg.as_bytes())?;
    let element = match credential {
        Baked::Json(json) => {
            if json.contains("]]>") {
                return Err(Error::new(
                    ErrorKind::Usage,
                    "the credential contains `]]>`, which cannot be put in CDATA",
                ));
            }
            format!("<openbadges:credential><![CDATA[{json}]]></openbadges:credential>")
        }
        Baked::Jwt(jwt) => {
            if !jwt
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            {
                return Err(Error::new(
                    ErrorKind::Usage,
                    "a compact JWS has only base64url characters and dots",
                ));
            }
            format!("<openbadges:credential verify=\"{jwt}\"/>")
        }
        Baked::Ob2(_) => {
            return Err(Error::new(
                ErrorKind::Usage,
                "baking OB 2.0 assertions is not supported",
            ))
        }
    };
    let mut out = String::with_capacity(svg.len() + element.len() + 64);
    // Root start tag, with the namespace declared.
    // Offsets come from the scan of this same text; `get` keeps a mismatch an error, not a panic.
    let cut = |a: usize, b: usize| svg.get(a..b).ok_or_else(|| bad("offsets out of range"));
    let root_tag = cut(0, s.root_end)?;
    if s.root_has_ns {
        out.push_str(root_tag);
    } else {
        let close = root_tag.rfind('>').ok_or_else(|| bad("root tag"))?;
        out.push_str(&root_tag[..close]);
        out.push_str(&format!(" xmlns:openbadges=\"{NAMESPACE}\""));
        out.push_str(&root_tag[close..]);
    }
    out.push_str(&element);
    match s.credential {
        Some((a, b)) => {
            out.push_str(cut(s.root_end, a)?);
            out.push_str(cut(b, svg.len())?);
        }
        None => out.push_str(cut(s.root_end, svg.len())?),
    }
    Ok(out)
}
