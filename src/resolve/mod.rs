//! The one pluggable, bounded hook for everything remote: DID documents (did:web), HTTP(S)
//! verification methods and issuer profiles, status lists, key sets.
//!
//! Verification is **offline by default**: [`Offline`] refuses every URL with an error naming it.
//! [`LocalResources`] serves documents from memory (what `openbadges verify --resource URL=FILE`
//! uses, so air-gapped verification works). A caller that wants the network supplies its own
//! [`Resolver`]; whatever it returns is still bounded by [`MAX_RESOURCE_BYTES`] and parsed with the
//! strict JSON parser. [`Memo`] wraps any resolver so that many verifications at once (a folder
//! on every core) fetch each document once.

#[cfg(feature = "http")]
mod http;
mod memo;
#[cfg(feature = "http")]
pub use http::{is_forbidden_address, HttpResolver, HttpResolverBuilder};
pub use memo::{Memo, MEMO_ENTRIES};

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};

/// Largest remote document accepted from any resolver: 1 MiB (a status list of 131,072 entries
/// is ~16 KiB compressed; DID documents and profiles are a few KiB).
pub const MAX_RESOURCE_BYTES: usize = 1024 * 1024;

/// What a resource is being fetched for (lets a resolver apply its own policy per kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResourceKind {
    /// A DID document (did:web).
    DidDocument,
    /// An HTTP(S) verification method or the issuer profile that lists it.
    VerificationMethod,
    /// A status list credential or 1EdTech revocation list.
    StatusList,
    /// A JWK Set.
    KeySet,
    /// Anything else (refresh service, issuer profile).
    Other,
}

/// Fetches remote documents. Implementations must be bounded (size, time) and must refuse what
/// they are not allowed to fetch with an [`ErrorKind::Resolve`] error naming the URL.
///
/// # Example
/// ```
/// use openbadges::resolve::{LocalResources, Resolver, ResourceKind};
/// let mut local = LocalResources::new();
/// local.insert("https://district.example/status/1", br#"{"id": "x"}"#.to_vec());
/// let bytes = local.fetch("https://district.example/status/1", ResourceKind::StatusList)?;
/// assert_eq!(bytes, br#"{"id": "x"}"#);
/// assert!(local.fetch("https://elsewhere.example/", ResourceKind::Other).is_err());
/// # Ok::<(), openbadges::Error>(())
/// ```
pub trait Resolver: Send + Sync {
    /// Returns the bytes served at `url`.
    fn fetch(&self, url: &str, kind: ResourceKind) -> Result<Vec<u8>>;
}

/// Refuses everything: the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

impl Resolver for Offline {
    fn fetch(&self, url: &str, _kind: ResourceKind) -> Result<Vec<u8>> {
        Err(Error::new(
            ErrorKind::Resolve,
            format!("`{url}` is remote and verification is offline; supply the document with a resolver (CLI: --resource URL=FILE)"),
        ))
    }
}

/// Serves documents from memory by exact URL (fragment ignored); refuses the rest.
#[derive(Debug, Clone, Default)]
pub struct LocalResources {
    docs: HashMap<String, Vec<u8>>,
}

impl LocalResources {
    /// An empty set of resources.
    pub fn new() -> Self {
        Self::default()
    }
    /// Serves `bytes` at `url` (any fragment of `url` is ignored).
    pub fn insert(&mut self, url: impl Into<String>, bytes: Vec<u8>) {
        let url: String = url.into();
        self.docs.insert(strip_fragment(&url).to_string(), bytes);
    }
    /// Whether nothing is served.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
}

impl Resolver for LocalResources {
    fn fetch(&self, url: &str, kind: ResourceKind) -> Result<Vec<u8>> {
        match self.docs.get(strip_fragment(url)) {
            Some(b) if b.len() > MAX_RESOURCE_BYTES => Err(Error::new(
                ErrorKind::Limit,
                format!(
                    "`{url}` is {} bytes; the limit is {MAX_RESOURCE_BYTES}",
                    b.len()
                ),
            )),
            Some(b) => Ok(b.clone()),
            None => Offline.fetch(url, kind),
        }
    }
}

impl<R: Resolver + ?Sized> Resolver for Arc<R> {
    fn fetch(&self, url: &str, kind: ResourceKind) -> Result<Vec<u8>> {
        (**self).fetch(url, kind)
    }
}

/// Serves from a [`LocalResources`] first, then asks another resolver.
pub struct Fallback {
    local: LocalResources,
    next: Arc<dyn Resolver>,
}

impl std::fmt::Debug for Fallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fallback")
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

impl Fallback {
    /// `local`, then `next`.
    pub fn new(local: LocalResources, next: Arc<dyn Resolver>) -> Self {
        Fallback { local, next }
    }
}

impl Resolver for Fallback {
    fn fetch(&self, url: &str, kind: ResourceKind) -> Result<Vec<u8>> {
        if self.local.docs.contains_key(strip_fragment(url)) {
            return self.local.fetch(url, kind);
        }
        self.next.fetch(url, kind)
    }
}

/// Fetches through `resolver`, enforcing [`MAX_RESOURCE_BYTES`] whatever the resolver does, and
/// parses the body with the strict JSON parser.
pub fn fetch_json(
    resolver: &dyn Resolver,
    url: &str,
    kind: ResourceKind,
) -> Result<serde_json::Value> {
    let bytes = resolver.fetch(url, kind)?;
    if bytes.len() > MAX_RESOURCE_BYTES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "`{url}` returned {} bytes; the limit is {MAX_RESOURCE_BYTES}",
                bytes.len()
            ),
        ));
    }
    crate::json::parse(&bytes).map_err(|e| e.context(format!("while reading `{url}`")))
}

/// `url` without its `#fragment`.
pub fn strip_fragment(url: &str) -> &str {
    url.split_once('#').map_or(url, |(a, _)| a)
}

/// The URL of a did:web DID document (`did:web:host[:path…]`).
/// # Example
/// ```
/// assert_eq!(openbadges::resolve::did_web_url("did:web:riverside.example:issuers:1")?,
///            "https://riverside.example/issuers/1/did.json");
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn did_web_url(did: &str) -> Result<String> {
    let rest = did
        .strip_prefix("did:web:")
        .ok_or_else(|| Error::new(ErrorKind::Key, format!("`{did}` is not a did:web")))?;
    let mut parts = rest.split(':');
    let host = parts
        .next()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| Error::new(ErrorKind::Key, format!("`{did}` has no host")))?
        .replace("%3A", ":");
    let path: Vec<&str> = parts.collect();
    Ok(if path.is_empty() {
        format!("https://{host}/.well-known/did.json")
    } else {
        format!("https://{host}/{}/did.json", path.join("/"))
    })
}
