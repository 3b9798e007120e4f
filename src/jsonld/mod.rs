//! Our own JSON-LD 1.1 processor: context processing, expansion and toRdf, offline, with pinned
//! contexts, a cache of processed contexts and a "safe mode".
//!
//! It exists because Data Integrity proofs (eddsa-rdfc-2022, Ed25519Signature2020) sign the
//! RDFC-1.0 canonical form of the credential's RDF dataset, so our dataset must agree exactly with
//! the one jsonld.js (Digital Bazaar, the deployed reference) produces. The one Rust crate we could
//! use writes a fractional `xsd:float` as `"2.5"` where JSON-LD 1.1 (and jsonld.js) writes
//! `"2.5E0"`, and it re-processes the large VC + OB contexts for every document.
//!
//! * [`Processor`] holds a [`DocumentLoader`] (by default the [`StaticLoader`] with the bundled
//!   contexts; it refuses every other URL, so there is never network access) and a cache of
//!   processed contexts, so the second credential pays nothing for context processing.
//! * [`Options::safe`] is what signing and verification use: any term that does not expand to an
//!   absolute IRI, any dropped value, any relative IRI is an error with code `"data loss"`
//!   (`ErrorKind::JsonLd("data loss")`) naming the term and the JSON Pointer — like jsonld.js
//!   `safe: true`.
//!
//! # Example
//! ```
//! use openbadges::jsonld::{Options, Processor};
//! let processor = Processor::new();
//! let doc = serde_json::json!({
//!     "@context": {"@vocab": "https://example.org/"},
//!     "@id": "https://example.org/badge",
//!     "credits": 2.5
//! });
//! let dataset = processor.to_rdf(&doc, &Options::safe())?;
//! assert_eq!(dataset.len(), 1);
//! let object = &dataset.quads[0].object;
//! assert_eq!(
//!     object,
//!     &openbadges::rdf::Term::Literal(openbadges::rdf::Literal {
//!         value: "2.5E0".into(),
//!         datatype: "http://www.w3.org/2001/XMLSchema#double".into(),
//!         language: None,
//!     })
//! );
//! # Ok::<(), openbadges::Error>(())
//! ```

mod context;
mod direct;
mod expand;
mod iri;
mod json_literal;
mod loader;
mod number;
mod path;
mod to_rdf;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::rdf::Dataset;

pub use loader::{BundledContext, DocumentLoader, StaticLoader, BUNDLED_CONTEXTS};

use context::Context;
pub(crate) use json_literal::canonical_json;

/// The JSON-LD processing mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ProcessingMode {
    /// `json-ld-1.1` (the default).
    #[default]
    JsonLd11,
    /// `json-ld-1.0`: 1.1 features are errors.
    JsonLd10,
}

/// How `@direction` is represented in RDF (`rdfDirection` option of toRdf).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RdfDirection {
    /// `i18n-datatype`: a literal with datatype `https://www.w3.org/ns/i18n#{language}_{direction}`.
    I18nDatatype,
    /// `compound-literal`: a blank node with `rdf:value`, `rdf:language` and `rdf:direction`.
    CompoundLiteral,
}

/// Options of [`Processor::expand`] and [`Processor::to_rdf`].
///
/// `Options::default()` runs the raw JSON-LD 1.1 algorithms (values that cannot be represented are
/// dropped, as the specification says); [`Options::safe`] turns every such drop into an error.
///
/// # Example
/// ```
/// use openbadges::jsonld::Options;
/// let options = Options { base: Some("https://example.org/".into()), ..Options::default() };
/// assert!(!options.safe);
/// assert!(Options::safe().safe);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The document's base IRI (`base` option); `None` leaves relative IRIs relative.
    pub base: Option<String>,
    /// Safe mode: refuse (error code `"data loss"`) instead of silently dropping anything.
    pub safe: bool,
    /// The processing mode.
    pub processing_mode: ProcessingMode,
    /// A context applied before the document's own (`expandContext` option).
    pub expand_context: Option<Value>,
    /// Keep triples whose predicate is a blank node (generalized RDF).
    pub produce_generalized_rdf: bool,
    /// How to represent `@direction` in RDF; `None` drops the direction.
    pub rdf_direction: Option<RdfDirection>,
}

impl Options {
    /// The options Data Integrity signing and verification use: safe mode, no base IRI.
    ///
    /// Safe mode refuses, with `ErrorKind::JsonLd("data loss")` and the JSON Pointer of the
    /// place, everything jsonld.js `safe: true` refuses: a property that does not expand to an
    /// absolute IRI, a relative `@id` / `@type` / object / graph reference, a dropped value (null
    /// `@value`, free-floating scalar, empty object), an invalid language tag, a keyword-like
    /// term, a `@direction` without `rdf_direction`; and, beyond jsonld.js, an `@base` in the
    /// document's contexts. Like jsonld.js it also accepts a context object wrapped in
    /// `{"@context": …}` inside a context array (which the raw algorithm rejects).
    pub fn safe() -> Self {
        Options {
            safe: true,
            ..Options::default()
        }
    }
}

/// How one member, `@type` value or `@id` value of a document was written and what expansion made
/// of it (see [`Processor::expand_observed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermUse {
    /// JSON Pointer of the member (or of the value, for types and ids).
    pub pointer: String,
    /// The key or value as written.
    pub written: String,
    /// What it expanded to (an IRI or a keyword); `None` when it expands to nothing (dropped).
    pub expanded: Option<String>,
    /// What was expanded.
    pub role: TermRole,
}

/// What a [`TermUse`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TermRole {
    /// A member name (property or keyword alias).
    Property,
    /// A `@type` value.
    Type,
    /// An `@id` value that did not expand to itself (a compact IRI, a relative IRI, …).
    Id,
}

/// Most processed contexts kept before the cache is emptied (bounds memory under hostile input).
const CACHE_LIMIT: usize = 4096;
/// Most term definitions, summed over the cached contexts, before the cache is emptied: a
/// document with a huge inline context must not make the cache hold gigabytes.
const CACHE_TERM_LIMIT: usize = 250_000;
/// Longest inline `@context` text (as JSON) whose processed form is cached.
const CACHE_KEY_LIMIT: usize = 64 * 1024;
/// Most nested remote contexts (`context overflow` beyond).
const MAX_REMOTE_CONTEXTS: usize = 32;

/// Key of the processed-context cache: the active context (by address, kept alive by the entry),
/// the local context (its JSON text, or the address of a term's scoped context), and the flags
/// that change the result.
#[derive(Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    active: usize,
    local: LocalKey,
    base: Option<Arc<str>>,
    override_protected: bool,
    propagate: bool,
    safe: bool,
    mode: ProcessingMode,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum LocalKey {
    Text(String),
    Scoped(usize),
}

#[derive(Default)]
struct Cache {
    /// foldhash (seeded per process) rather than SipHash: every document and every scoped
    /// context looks a key up here; the map is bounded by [`CACHE_LIMIT`] and [`CACHE_TERM_LIMIT`].
    map: HashMap<CacheKey, CacheEntry, foldhash::fast::RandomState>,
    /// Term definitions held by the cached contexts.
    terms: usize,
}

struct CacheEntry {
    // Kept so that the addresses in the key stay unique while the entry lives.
    _active: Arc<Context>,
    _scoped: Option<Arc<Value>>,
    result: Arc<Context>,
}

/// A JSON-LD 1.1 processor: a document loader plus a cache of processed contexts.
///
/// Build one and reuse it: the first document with a given `@context` pays for context processing,
/// the following ones find the processed context in the cache. `Processor` is `Send + Sync`.
///
/// # Example
/// ```
/// use openbadges::jsonld::{Options, Processor};
/// let processor = Processor::new();
/// let credential = serde_json::json!({
///     "@context": ["https://www.w3.org/ns/credentials/v2"],
///     "type": ["VerifiableCredential"],
///     "issuer": "did:example:issuer",
///     "credentialSubject": {"id": "did:example:subject"}
/// });
/// let expanded = processor.expand(&credential, &Options::safe())?;
/// assert_eq!(
///     expanded[0]["@type"][0],
///     "https://www.w3.org/2018/credentials#VerifiableCredential"
/// );
/// # Ok::<(), openbadges::Error>(())
/// ```
pub struct Processor {
    loader: Arc<dyn DocumentLoader>,
    // Read-mostly: every document looks contexts up, only new contexts are inserted.
    cache: RwLock<Cache>,
    /// The initial context without a base IRI (what safe mode uses), shared by every document.
    no_base: Arc<Context>,
    initial: Mutex<HashMap<String, Arc<Context>>>,
}

impl Default for Processor {
    fn default() -> Self {
        Processor::new()
    }
}

impl std::fmt::Debug for Processor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cached = self.cached_contexts();
        f.debug_struct("Processor")
            .field("cached_contexts", &cached)
            .finish_non_exhaustive()
    }
}

impl Processor {
    /// A processor with the [`StaticLoader`] (bundled, pinned contexts; every other URL refused).
    pub fn new() -> Self {
        Processor::with_loader(Arc::new(StaticLoader::new()))
    }

    /// A processor with a caller-supplied document loader.
    ///
    /// # Example
    /// ```
    /// use std::sync::Arc;
    /// use openbadges::jsonld::{Processor, StaticLoader};
    /// let processor = Processor::with_loader(Arc::new(StaticLoader::new()));
    /// # let _ = processor;
    /// ```
    pub fn with_loader(loader: Arc<dyn DocumentLoader>) -> Self {
        Processor {
            loader,
            cache: RwLock::new(Cache::default()),
            no_base: Arc::new(Context::new(None)),
            initial: Mutex::new(HashMap::new()),
        }
    }

    /// JSON-LD 1.1 Expansion of `input`: always an array of expanded node objects.
    ///
    /// Errors carry the JSON-LD error code in [`crate::ErrorKind::JsonLd`] (e.g.
    /// `"invalid term definition"`), or `"data loss"` for a safe-mode refusal.
    pub fn expand(&self, input: &Value, options: &Options) -> Result<Value> {
        expand::expand_document(self, input, options)
    }

    /// Expansion followed by "Deserialize JSON-LD to RDF": the RDF dataset of `input`.
    ///
    /// Blank nodes are labelled `b0`, `b1`, … in the order the node map meets them.
    ///
    /// # Example
    /// ```
    /// use openbadges::jsonld::{Options, Processor};
    /// use openbadges::ErrorKind;
    /// let processor = Processor::new();
    /// // `nmae` is not defined by the context: the raw algorithm drops it, safe mode refuses.
    /// let doc = serde_json::json!({
    ///     "@context": "https://www.w3.org/ns/credentials/v2",
    ///     "id": "urn:uuid:1",
    ///     "type": "VerifiableCredential",
    ///     "nmae": "typo"
    /// });
    /// let err = processor.to_rdf(&doc, &Options::safe()).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::JsonLd("data loss"));
    /// assert_eq!(err.pointer(), Some("/nmae"));
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn to_rdf(&self, input: &Value, options: &Options) -> Result<Dataset> {
        let expanded = self.expand(input, options)?;
        to_rdf::to_rdf(&expanded, options)
    }

    /// The RDFC-1.0 canonical N-Quads of `input`'s dataset — `rdfc::canonicalize(&self.to_rdf(…)?)`
    /// without building the owned [`Dataset`] in between: toRdf hands its (borrowed) terms
    /// straight to the canonicalizer, which serializes each once. What Data Integrity proofs use.
    ///
    /// Plain documents (node objects, terms, typed values: every credential in the reference
    /// data) take a direct path that expands them straight into quads; everything else, and
    /// everything that path is unsure of, takes the general one (see `direct.rs`).
    #[cfg(test)]
    pub(crate) fn canonical_nquads(&self, input: &Value, options: &Options) -> Result<String> {
        if let Value::Object(m) = input {
            let entries: Vec<(&str, &Value)> = m.iter().map(|(k, v)| (k.as_str(), v)).collect();
            if let Some(r) = direct::canonical_nquads(self, &entries, options) {
                return r;
            }
        }
        self.canonical_nquads_general(input, options)
    }

    /// [`Processor::canonical_nquads`] of the object whose members are `entries` (distinct
    /// keys), without building it unless the general path needs it: the proof path hashes a
    /// credential minus its `proof`, and a proof minus its `proofValue` plus the credential's
    /// `@context`.
    pub(crate) fn canonical_nquads_of(
        &self,
        entries: &[(&str, &Value)],
        options: &Options,
    ) -> Result<String> {
        if let Some(r) = direct::canonical_nquads(self, entries, options) {
            return r;
        }
        let doc = Value::Object(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).clone()))
                .collect(),
        );
        self.canonical_nquads_general(&doc, options)
    }

    /// [`Processor::canonical_nquads`] by expansion, node map and toRdf (every document).
    pub(crate) fn canonical_nquads_general(
        &self,
        input: &Value,
        options: &Options,
    ) -> Result<String> {
        let expanded = self.expand(input, options)?;
        let mut collector = crate::rdfc::Collector::default();
        to_rdf::to_rdf_into(&expanded, options, &mut collector)?;
        collector.canonicalize()
    }

    /// [`Processor::expand`], also returning how every member, `@type` value and (where it
    /// changed) `@id` value was written and what it expanded to, in document order. The verifier
    /// uses it to prove that the JSON it reads says what the signed graph says.
    ///
    /// # Example
    /// ```
    /// use openbadges::jsonld::{Options, Processor};
    /// let doc = serde_json::json!({
    ///     "@context": "https://www.w3.org/ns/credentials/v2",
    ///     "https://www.w3.org/2018/credentials#validUntil": "2020-01-01T00:00:00Z"
    /// });
    /// let (_, uses) = Processor::new().expand_observed(&doc, &Options::default())?;
    /// assert_eq!(uses[0].expanded.as_deref(), Some("https://www.w3.org/2018/credentials#validUntil"));
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn expand_observed(
        &self,
        input: &Value,
        options: &Options,
    ) -> Result<(Value, Vec<TermUse>)> {
        let uses = std::cell::RefCell::new(Vec::new());
        let expanded = expand::expand_observed(self, input, options, Some(&uses))?;
        Ok((expanded, uses.into_inner()))
    }

    /// The names the bundled (pinned) contexts give each IRI and keyword, scoped contexts
    /// included: `https://www.w3.org/2018/credentials#credentialStatus` → `["credentialStatus"]`,
    /// `@id` → `["id"]`. Computed once per process.
    pub fn standard_names() -> &'static HashMap<String, Vec<String>> {
        static NAMES: std::sync::OnceLock<HashMap<String, Vec<String>>> =
            std::sync::OnceLock::new();
        NAMES.get_or_init(|| {
            let p = Processor::new();
            let mut names: HashMap<String, Vec<String>> = HashMap::new();
            let options = Options::default();
            for c in BUNDLED_CONTEXTS {
                let local = Value::String(c.url.to_string());
                if let Ok(ctx) =
                    p.process_context(&p.no_base, &local, None, None, false, true, &options)
                {
                    collect_names(&p, &ctx, &options, &mut names, 0);
                }
            }
            for v in names.values_mut() {
                v.sort();
                v.dedup();
            }
            names
        })
    }

    /// Number of processed contexts currently cached.
    pub fn cached_contexts(&self) -> usize {
        self.cache.read().map(|c| c.map.len()).unwrap_or(0)
    }

    pub(crate) fn loader(&self) -> &dyn DocumentLoader {
        self.loader.as_ref()
    }

    /// The initial active context for a document base.
    fn initial_context(&self, base: Option<&str>) -> Arc<Context> {
        let Some(base) = base else {
            return self.no_base.clone();
        };
        if let Ok(mut map) = self.initial.lock() {
            if map.len() > CACHE_LIMIT {
                map.clear();
            }
            if let Some(ctx) = map.get(base) {
                return ctx.clone();
            }
            let ctx = Arc::new(Context::new(Some(Arc::from(base))));
            map.insert(base.to_string(), ctx.clone());
            return ctx;
        }
        Arc::new(Context::new(Some(Arc::from(base))))
    }

    /// The active context under `def`'s scoped context (property- or type-scoped), or `active`
    /// itself when the term has none. Both expansion walkers (`expand`, `direct`) use it.
    fn scoped_context(
        &self,
        active: &Arc<Context>,
        def: &context::TermDef,
        override_protected: bool,
        propagate: bool,
        options: &Options,
    ) -> Result<Arc<Context>> {
        match &def.context {
            Some(ctx) => self.process_context(
                active,
                ctx,
                Some(ctx),
                def.base_url.as_ref(),
                override_protected,
                propagate,
                options,
            ),
            None => Ok(active.clone()),
        }
    }

    /// Context processing with the cache in front of it.
    #[allow(clippy::too_many_arguments)]
    fn process_context(
        &self,
        active: &Arc<Context>,
        local: &Value,
        scoped: Option<&Arc<Value>>,
        base: Option<&Arc<str>>,
        override_protected: bool,
        propagate: bool,
        options: &Options,
    ) -> Result<Arc<Context>> {
        let local_key = match scoped {
            Some(arc) => LocalKey::Scoped(Arc::as_ptr(arc) as usize),
            None => LocalKey::Text(
                serde_json::to_string(local)
                    .map_err(|e| Error::jsonld("invalid local context", e.to_string()))?,
            ),
        };
        let key = CacheKey {
            active: Arc::as_ptr(active) as usize,
            // A scoped context's base URL belongs to its term definition, which the address
            // already identifies.
            base: if scoped.is_some() {
                None
            } else {
                base.cloned()
            },
            local: local_key,
            override_protected,
            propagate,
            safe: options.safe,
            mode: options.processing_mode,
        };
        if let Ok(cache) = self.cache.read() {
            if let Some(entry) = cache.map.get(&key) {
                return Ok(entry.result.clone());
            }
        }
        let mut remote = Vec::new();
        let result = context::process(
            self,
            active,
            local,
            base,
            &mut remote,
            context::Flags {
                override_protected,
                propagate,
                validate_scoped: true,
                depth: 0,
            },
            options,
        )?;
        let mut result = result;
        result.index_aliases();
        let result = Arc::new(result);
        let oversized = matches!(&key.local, LocalKey::Text(t) if t.len() > CACHE_KEY_LIMIT);
        if oversized {
            // Not worth keeping, and it would make the cache hold the whole text.
            return Ok(result);
        }
        if let Ok(mut cache) = self.cache.write() {
            let weight = result.terms.len();
            if cache.map.len() >= CACHE_LIMIT || cache.terms + weight > CACHE_TERM_LIMIT {
                cache.map.clear();
                cache.terms = 0;
            }
            cache.terms += weight;
            cache.map.insert(
                key,
                CacheEntry {
                    _active: active.clone(),
                    _scoped: scoped.cloned(),
                    result: result.clone(),
                },
            );
        }
        Ok(result)
    }
}

/// Adds the names `ctx` (and, three levels deep, the contexts its terms scope) gives to IRIs.
fn collect_names(
    p: &Processor,
    ctx: &Arc<Context>,
    options: &Options,
    names: &mut HashMap<String, Vec<String>>,
    depth: usize,
) {
    for (term, def) in &ctx.terms {
        if let Some(iri) = &def.iri {
            names.entry(iri.clone()).or_default().push(term.clone());
        }
        if depth < 3 {
            if let Some(scoped) = &def.context {
                if let Ok(inner) = p.process_context(
                    ctx,
                    scoped,
                    Some(scoped),
                    def.base_url.as_ref(),
                    true,
                    true,
                    options,
                ) {
                    collect_names(p, &inner, options, names, depth + 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_names_know_the_vc_terms() {
        let names = Processor::standard_names();
        assert_eq!(
            names["https://www.w3.org/2018/credentials#credentialStatus"],
            vec!["credentialStatus".to_string()]
        );
        assert!(names["@id"].contains(&"id".to_string()));
        assert!(names.contains_key("https://www.w3.org/2018/credentials#validUntil"));
    }

    fn assert_send_sync<T: Send + Sync>() {}

    /// The proof path ([`Processor::canonical_nquads`]: toRdf straight into RDFC-1.0) must give
    /// exactly what the public path gives (toRdf → owned dataset → `rdfc::canonicalize`).
    fn same_as_dataset_path(p: &Processor, doc: &Value, options: &Options) {
        let direct = p.canonical_nquads(doc, options);
        let via_dataset = p
            .to_rdf(doc, options)
            .and_then(|ds| crate::rdfc::canonicalize(&ds));
        match (direct, via_dataset) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{doc}"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{doc}"),
            (a, b) => panic!("paths disagree on {doc}: {a:?} vs {b:?}"),
        }
    }

    #[test]
    fn canonical_nquads_matches_the_dataset_path_on_the_fixtures() {
        let p = Processor::new();
        let sample: Value =
            crate::json::parse(include_bytes!("../../fixtures/sample-microcredential.json"))
                .expect("sample parses");
        same_as_dataset_path(&p, &sample, &Options::safe());
        same_as_dataset_path(&p, &sample, &Options::default());
        let directional = serde_json::json!({
            "@context": {"@vocab": "https://example.org/", "@direction": "rtl", "@language": "ar"},
            "name": "مرحبا", "list": {"@list": [1, 2.5, true, "x", {"@id": "https://e.org/a"}]},
            "json": {"@value": {"b": [1, {"a": null}]}, "@type": "@json"},
            "@graph": [{"@id": "_:g", "https://example.org/p": {"@value": "v", "@language": "en"}}]
        });
        for rdf_direction in [
            None,
            Some(RdfDirection::I18nDatatype),
            Some(RdfDirection::CompoundLiteral),
        ] {
            let options = Options {
                rdf_direction,
                ..Options::default()
            };
            same_as_dataset_path(&p, &directional, &options);
        }
    }

    /// Arbitrary JSON-LD-ish values under an `@vocab` context: nested nodes with and without
    /// ids (blank nodes), lists, typed and language-tagged values, numbers, booleans, strings
    /// needing escapes.
    fn node_strategy() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            any::<bool>().prop_map(Value::from),
            (-1000i64..1000).prop_map(Value::from),
            (-1000.0f64..1000.0).prop_map(Value::from),
            "[a-c\\\"\n é\u{1F600}\u{E000}]{0,6}".prop_map(Value::from),
            "[a-c]{1,3}".prop_map(|s| serde_json::json!({"@value": s, "@language": "en"})),
            "[0-9]{1,3}".prop_map(|s| serde_json::json!({"@value": s, "@type": "http://www.w3.org/2001/XMLSchema#integer"})),
            "[a-c]{1,3}".prop_map(|s| serde_json::json!({"@id": format!("https://example.org/{s}")})),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| serde_json::json!({"@list": v})),
                (
                    proptest::option::of("[a-c]{1,2}"),
                    proptest::collection::btree_map("[p-s]{1,2}", inner, 0..4)
                )
                    .prop_map(|(id, props)| {
                        let mut m = serde_json::Map::new();
                        if let Some(id) = id {
                            m.insert("@id".into(), Value::from(format!("_:{id}")));
                        }
                        m.extend(props);
                        Value::Object(m)
                    }),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn canonical_nquads_matches_the_dataset_path(
            props in proptest::collection::btree_map("[p-s]{1,2}", node_strategy(), 1..5)
        ) {
            let mut doc = serde_json::Map::new();
            doc.insert("@context".into(), serde_json::json!({"@vocab": "https://example.org/"}));
            doc.extend(props);
            let doc = Value::Object(doc);
            let p = Processor::new();
            same_as_dataset_path(&p, &doc, &Options::default());
            same_as_dataset_path(&p, &doc, &Options::safe());
        }
    }

    #[test]
    fn processor_is_send_sync() {
        assert_send_sync::<Processor>();
    }
}
