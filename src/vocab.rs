//! What every module says about a credential, at the bottom of the crate: the VC and OB context
//! URLs, the VC version, the issuer's id, and issuer identities compared as RFC 3986 URLs.
//!
//! # Example
//! ```
//! use openbadges::vocab::{issuer_id, same_identity, VcVersion};
//! let doc = serde_json::json!({"@context": ["https://www.w3.org/ns/credentials/v2"],
//!                              "issuer": {"id": "https://Riverside.example:443/issuers/1"}});
//! assert_eq!(VcVersion::of(&doc), Some(VcVersion::V2));
//! assert!(same_identity(issuer_id(&doc).unwrap(), "https://riverside.example/issuers/1"));
//! assert!(!same_identity("https://riverside.example/issuers/1", "https://riverside.example/issuers/2"));
//! ```

use serde_json::Value;

/// The VC 2.0 base context.
pub const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The VC 1.1 base context.
pub const VC_V1: &str = "https://www.w3.org/2018/credentials/v1";

/// Whether `url` is an Open Badges 3.0 context (any published version or the beta).
pub fn is_ob_context(url: &str) -> bool {
    url.starts_with("https://purl.imsglobal.org/spec/ob/v3p0/context")
        || url.starts_with("https://imsglobal.github.io/openbadges-specification/context")
}

/// The VC Data Model version a document declares by its first `@context` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VcVersion {
    /// VC Data Model 1.1.
    V1,
    /// VC Data Model 2.0.
    V2,
}

impl VcVersion {
    /// The version of `doc`, or `None` if its first context is neither.
    pub fn of(doc: &Value) -> Option<Self> {
        let first = match doc.get("@context") {
            Some(Value::Array(a)) => a.first(),
            other => other,
        };
        match first.and_then(Value::as_str) {
            Some(VC_V2) => Some(VcVersion::V2),
            Some(VC_V1) => Some(VcVersion::V1),
            _ => None,
        }
    }
}

/// The issuer's id: `issuer` as a string, or `issuer.id`.
pub fn issuer_id(doc: &Value) -> Option<&str> {
    match doc.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// Whether `id` names something that can control keys: a DID, or an https (or http) URL whose
/// document lists them. A `urn:uuid:`, `mailto:` or other id cannot, so no signature can be bound
/// to it.
pub fn can_control_keys(id: &str) -> bool {
    let lower = id.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
    id.starts_with("did:") || lower.starts_with("https://") || lower.starts_with("http://")
}

/// `id` in RFC 3986 normal form for comparison: scheme and host lower-cased, the default port
/// dropped, an empty path written `/`. DIDs and other ids are returned unchanged (they are
/// case-sensitive).
pub fn normalize_identity(id: &str) -> String {
    let Some((scheme, rest)) = id.split_once("://") else {
        return id.to_string();
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return id.to_string();
    }
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    // Userinfo is kept as written; the host is case-insensitive.
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let mut host = hostport.to_ascii_lowercase();
    let default = if scheme == "https" { ":443" } else { ":80" };
    if let Some(stripped) = host.strip_suffix(default) {
        host = stripped.to_string();
    }
    let path = if path.is_empty() || path.starts_with(['?', '#']) {
        format!("/{path}")
    } else {
        path.to_string()
    };
    match userinfo {
        Some(u) => format!("{scheme}://{u}@{host}{path}"),
        None => format!("{scheme}://{host}{path}"),
    }
}

/// Whether two issuer ids name the same identity ([`normalize_identity`] of both are equal).
pub fn same_identity(a: &str, b: &str) -> bool {
    a == b || normalize_identity(a) == normalize_identity(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_compare_as_urls() {
        assert!(same_identity(
            "HTTPS://riverside.example/i",
            "https://riverside.example/i"
        ));
        assert!(same_identity(
            "https://riverside.example",
            "https://riverside.example/"
        ));
        assert!(same_identity("http://a.example:80/x", "http://a.example/x"));
        assert!(!same_identity("https://a.example/X", "https://a.example/x"));
        assert!(!same_identity("did:key:zABC", "did:key:zabc"));
        assert!(!same_identity(
            "https://a.example.evil/x",
            "https://a.example/x"
        ));
        assert!(can_control_keys("did:web:a.example"));
        assert!(!can_control_keys("urn:uuid:1"));
        assert!(!can_control_keys("mailto:a@b.example"));
    }
}
