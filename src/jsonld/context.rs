//! Active contexts and the JSON-LD 1.1 "Context Processing" and "Create Term Definition"
//! algorithms, plus IRI expansion.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::iri::{
    ends_with_gen_delim, is_absolute_iri, is_blank, is_keyword, looks_like_keyword, resolve,
};
use super::{Options, ProcessingMode, Processor, MAX_REMOTE_CONTEXTS};
use crate::error::{Error, Result};

/// Container mapping flags.
pub(crate) mod container {
    pub const LIST: u16 = 1;
    pub const SET: u16 = 2;
    pub const INDEX: u16 = 4;
    pub const LANGUAGE: u16 = 8;
    pub const ID: u16 = 16;
    pub const TYPE: u16 = 32;
    pub const GRAPH: u16 = 64;
}

/// A base direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// A term definition, with everything expansion needs precomputed.
#[derive(Debug, Clone)]
pub(crate) struct TermDef {
    /// The IRI mapping; `None` for a term explicitly mapped to null (ignored).
    pub iri: Option<String>,
    pub prefix: bool,
    pub protected: bool,
    pub reverse: bool,
    pub base_url: Option<Arc<str>>,
    pub context: Option<Arc<Value>>,
    pub container: u16,
    /// `Some(None)`: explicitly no direction.
    pub direction: Option<Option<Direction>>,
    /// `Some(None)`: explicitly no language.
    pub language: Option<Option<String>>,
    pub index: Option<String>,
    pub nest: Option<String>,
    pub type_mapping: Option<String>,
    /// The IRI mapping is an absolute IRI, a blank node identifier or a keyword (precomputed).
    pub absolute: bool,
}

impl TermDef {
    fn empty() -> Self {
        TermDef {
            iri: None,
            prefix: false,
            protected: false,
            reverse: false,
            base_url: None,
            context: None,
            container: 0,
            direction: None,
            language: None,
            index: None,
            nest: None,
            type_mapping: None,
            absolute: false,
        }
    }

    /// Equal apart from the protected flag (and the base URL of a scoped context).
    fn same_as(&self, other: &TermDef) -> bool {
        self.iri == other.iri
            && self.prefix == other.prefix
            && self.reverse == other.reverse
            && self.context == other.context
            && self.container == other.container
            && self.direction == other.direction
            && self.language == other.language
            && self.index == other.index
            && self.nest == other.nest
            && self.type_mapping == other.type_mapping
    }

    pub(crate) fn has(&self, flag: u16) -> bool {
        self.container & flag != 0
    }
}

/// Term definitions by term. Hashed with foldhash (randomly seeded per process) rather than
/// SipHash: expansion looks a term up for nearly every key and value of a document, and SipHash
/// was about 5 % of signing a badge. Hostile inline contexts are bounded by the context limits.
pub(crate) type TermMap = HashMap<String, Arc<TermDef>, foldhash::fast::RandomState>;

/// An active context.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub terms: TermMap,
    pub base: Option<Arc<str>>,
    pub original_base: Option<Arc<str>>,
    pub vocab: Option<String>,
    pub language: Option<String>,
    pub direction: Option<Direction>,
    pub previous: Option<Arc<Context>>,
    /// Terms that are aliases of keywords (`"id": "@id"`), filled by [`Context::index_aliases`]
    /// once processing is complete: expansion asks "is this key @type / @value / @id?" for
    /// every key, and a short scan beats hashing.
    pub aliases: Vec<(String, String)>,
}

impl Context {
    pub(crate) fn new(base: Option<Arc<str>>) -> Self {
        Context {
            terms: TermMap::default(),
            base: base.clone(),
            original_base: base,
            vocab: None,
            language: None,
            direction: None,
            previous: None,
            aliases: Vec::new(),
        }
    }

    pub(crate) fn term(&self, term: &str) -> Option<&TermDef> {
        self.terms.get(term).map(|t| t.as_ref())
    }

    /// Records the keyword aliases (call once the context is final).
    pub(crate) fn index_aliases(&mut self) {
        self.aliases = self
            .terms
            .iter()
            .filter_map(|(t, d)| match d.iri.as_deref() {
                Some(i) if is_keyword(i) => Some((t.clone(), i.to_string())),
                _ => None,
            })
            .collect();
    }

    /// The keyword `key` is or aliases, if any (same as `expand_iri(key, false, true)` when that
    /// yields a keyword).
    pub(crate) fn keyword_of<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        if key.starts_with('@') {
            return is_keyword(key).then_some(key);
        }
        self.aliases
            .iter()
            .find(|(t, _)| t == key)
            .map(|(_, k)| k.as_str())
    }

    fn has_protected(&self) -> bool {
        self.terms.values().any(|t| t.protected)
    }

    /// IRI Expansion (JSON-LD 1.1 §5.2) against a finished active context. `None` is null.
    pub(crate) fn expand_iri<'a>(
        &'a self,
        value: &'a str,
        document_relative: bool,
        vocab: bool,
    ) -> Option<Cow<'a, str>> {
        if is_keyword(value) {
            return Some(Cow::Borrowed(value));
        }
        if looks_like_keyword(value) {
            return None;
        }
        if vocab {
            if let Some(def) = self.terms.get(value) {
                return def.iri.as_deref().map(Cow::Borrowed);
            }
        }
        if let Some(colon) = colon_after_first(value) {
            let prefix = &value[..colon];
            let suffix = &value[colon + 1..];
            if prefix == "_" || suffix.starts_with("//") {
                return Some(Cow::Borrowed(value));
            }
            if let Some(def) = self.terms.get(prefix) {
                if let (Some(iri), true) = (def.iri.as_deref(), def.prefix) {
                    let mut s = String::with_capacity(iri.len() + suffix.len());
                    s.push_str(iri);
                    s.push_str(suffix);
                    return Some(Cow::Owned(s));
                }
            }
            if is_absolute_iri(value) {
                return Some(Cow::Borrowed(value));
            }
        }
        if vocab {
            if let Some(v) = &self.vocab {
                let mut s = String::with_capacity(v.len() + value.len());
                s.push_str(v);
                s.push_str(value);
                return Some(Cow::Owned(s));
            }
        }
        if document_relative {
            if let Some(base) = &self.base {
                return Some(Cow::Owned(resolve(Some(base), value)));
            }
        }
        Some(Cow::Borrowed(value))
    }
}

/// Byte index of the first `:` after the first character (ASCII `:` never occurs inside a
/// multi-byte character, so scanning bytes from index 1 is safe).
fn colon_after_first(s: &str) -> Option<usize> {
    s.bytes()
        .enumerate()
        .skip(1)
        .find(|&(_, b)| b == b':')
        .map(|(i, _)| i)
}

/// Flags of one Context Processing call.
#[derive(Clone, Copy)]
pub(crate) struct Flags {
    pub override_protected: bool,
    pub propagate: bool,
    pub validate_scoped: bool,
    /// Nesting of scoped and remote contexts being processed (bounded by
    /// [`MAX_CONTEXT_DEPTH`]).
    pub depth: usize,
}

/// Deepest nesting of scoped / remote contexts processed inside one another.
pub(crate) const MAX_CONTEXT_DEPTH: usize = 32;

/// A safe-mode refusal, or nothing when not in safe mode.
pub(crate) fn warn(options: &Options, code: &str, message: impl FnOnce() -> String) -> Result<()> {
    if options.safe {
        Err(Error::jsonld(
            "data loss",
            format!(
                "safe mode refuses to drop or keep unresolved ({code}): {}",
                message()
            ),
        ))
    } else {
        Ok(())
    }
}

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error::jsonld(code, message)
}

fn is_10(options: &Options) -> bool {
    options.processing_mode == ProcessingMode::JsonLd10
}

/// BCP 47 shape as jsonld.js checks it.
pub(crate) fn is_bcp47(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (1..=8).contains(&first.len())
        && first.bytes().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_alphanumeric()))
}

/// JSON-LD 1.1 Context Processing (§4.1.2).
pub(crate) fn process(
    processor: &Processor,
    active: &Arc<Context>,
    local: &Value,
    base_url: Option<&Arc<str>>,
    remote: &mut Vec<String>,
    flags: Flags,
    options: &Options,
) -> Result<Context> {
    if flags.depth > MAX_CONTEXT_DEPTH {
        return Err(Error::limit(format!(
            "contexts are nested more than {MAX_CONTEXT_DEPTH} deep"
        )));
    }
    let mut result: Context = (**active).clone();
    let mut propagate = flags.propagate;
    if let Value::Object(m) = local {
        if let Some(p) = m.get("@propagate") {
            propagate = p.as_bool().ok_or_else(|| {
                err(
                    "invalid @propagate value",
                    "@propagate must be true or false",
                )
            })?;
        }
    }
    if !propagate && result.previous.is_none() {
        result.previous = Some(active.clone());
    }
    // jsonld.js compatibility (safe mode only, see `unwrap_context`): `{"@context": [...]}`
    // stands for its array.
    let local = match local {
        Value::Object(m) if options.safe && m.get("@context").is_some_and(|c| c.is_array()) => {
            &m["@context"]
        }
        other => other,
    };
    let items: &[Value] = match local {
        Value::Array(a) => a,
        other => std::slice::from_ref(other),
    };
    for item in items {
        match item {
            Value::Null => {
                if !flags.override_protected && result.has_protected() {
                    return Err(err(
                        "invalid context nullification",
                        "a context with protected terms cannot be set to null",
                    ));
                }
                let before = result;
                result = Context::new(active.original_base.clone());
                if !propagate {
                    result.previous = Some(before.previous.unwrap_or_else(|| active.clone()));
                }
            }
            Value::String(s) => {
                let url = resolve(base_url.map(|b| &**b), s);
                if !flags.validate_scoped && remote.iter().any(|r| r == &url) {
                    continue;
                }
                if remote.len() >= MAX_REMOTE_CONTEXTS {
                    return Err(err(
                        "context overflow",
                        format!("more than {MAX_REMOTE_CONTEXTS} nested remote contexts at {url}"),
                    ));
                }
                remote.push(url.clone());
                let doc = processor.loader().load(&url).map_err(|e| {
                    if matches!(e.kind(), crate::ErrorKind::JsonLd(_)) {
                        e
                    } else {
                        err(
                            "loading remote context failed",
                            format!("{url}: {}", e.message()),
                        )
                    }
                })?;
                let ctx = match doc.as_object().and_then(|m| m.get("@context")) {
                    Some(c) => c,
                    None => {
                        return Err(err(
                            "invalid remote context",
                            format!("the document at {url} has no @context entry"),
                        ))
                    }
                };
                let url_arc: Arc<str> = Arc::from(url.as_str());
                let mut nested_remote = remote.clone();
                let nested = process(
                    processor,
                    &Arc::new(result),
                    ctx,
                    Some(&url_arc),
                    &mut nested_remote,
                    Flags {
                        override_protected: flags.override_protected,
                        propagate: true,
                        validate_scoped: flags.validate_scoped,
                        depth: flags.depth + 1,
                    },
                    options,
                )?;
                result = nested;
            }
            Value::Object(map) => {
                // jsonld.js compatibility, safe mode only: jsonld.js (9.0.0) unwraps a context
                // object wrapped in `@context` (`[".../v2", {"@context": {...}}]`), and the W3C
                // Data Integrity test suite's signed fixtures rely on it, so verification must
                // too. The raw algorithm keeps the specification's answer (keyword redefinition,
                // W3C test expand #ter56).
                let map = match map.get("@context") {
                    Some(inner) if options.safe => match inner {
                        Value::Object(inner) => inner,
                        _ => {
                            return Err(err(
                                "invalid local context",
                                "a context wrapped in @context must be an object",
                            ))
                        }
                    },
                    _ => map,
                };
                process_map(
                    processor,
                    &mut result,
                    map,
                    base_url,
                    remote,
                    flags,
                    options,
                )?;
            }
            _ => {
                return Err(err(
                    "invalid local context",
                    "a context must be null, a string, an object or an array of those",
                ))
            }
        }
    }
    Ok(result)
}

fn load_import(
    processor: &Processor,
    base_url: Option<&Arc<str>>,
    value: &Value,
    options: &Options,
) -> Result<Map<String, Value>> {
    if is_10(options) {
        return Err(err(
            "invalid context entry",
            "@import is not allowed in json-ld-1.0",
        ));
    }
    let s = value
        .as_str()
        .ok_or_else(|| err("invalid @import value", "@import must be a string"))?;
    let url = resolve(base_url.map(|b| &**b), s);
    let doc = processor.loader().load(&url)?;
    let ctx = doc
        .as_object()
        .and_then(|m| m.get("@context"))
        .and_then(|c| c.as_object())
        .ok_or_else(|| {
            err(
                "invalid remote context",
                format!("the imported document {url} has no @context object"),
            )
        })?;
    if ctx.contains_key("@import") {
        return Err(err(
            "invalid context entry",
            format!("the imported context {url} itself has @import"),
        ));
    }
    Ok(ctx.clone())
}

fn process_map(
    processor: &Processor,
    result: &mut Context,
    map: &Map<String, Value>,
    base_url: Option<&Arc<str>>,
    remote: &mut Vec<String>,
    flags: Flags,
    options: &Options,
) -> Result<()> {
    let merged;
    let map = if let Some(import) = map.get("@import") {
        let mut m = load_import(processor, base_url, import, options)?;
        for (k, v) in map {
            m.insert(k.clone(), v.clone());
        }
        merged = m;
        &merged
    } else {
        map
    };
    if let Some(v) = map.get("@version") {
        if v.as_f64() != Some(1.1) || !v.is_number() {
            return Err(err("invalid @version value", "@version must be 1.1"));
        }
        if is_10(options) {
            return Err(err(
                "processing mode conflict",
                "@version 1.1 in json-ld-1.0 mode",
            ));
        }
    }
    if let Some(v) = map.get("@base") {
        if remote.is_empty() {
            if options.safe && !v.is_null() {
                return Err(Error::jsonld(
                    "data loss",
                    format!(
                        "safe mode refuses @base {v} in a context: it would change what the \
                         document's relative IRIs mean"
                    ),
                )
                .at("/@context/@base"));
            }
            match v {
                Value::Null => result.base = None,
                Value::String(s) if is_absolute_iri(s) => result.base = Some(Arc::from(s.as_str())),
                Value::String(s) if result.base.is_some() => {
                    result.base = Some(Arc::from(resolve(result.base.as_deref(), s)))
                }
                _ => {
                    return Err(err(
                        "invalid base IRI",
                        "@base must be an absolute IRI, a relative IRI with a base, or null",
                    ))
                }
            }
        }
    }
    if let Some(v) = map.get("@vocab") {
        match v {
            Value::Null => result.vocab = None,
            Value::String(s) => {
                if is_10(options) && !(is_absolute_iri(s) || is_blank(s)) {
                    return Err(err(
                        "invalid vocab mapping",
                        "@vocab must be an absolute IRI in json-ld-1.0",
                    ));
                }
                let vocab = result
                    .expand_iri(s, true, true)
                    .map(|c| c.into_owned())
                    .unwrap_or_default();
                if !is_absolute_iri(&vocab) {
                    warn(options, "relative @vocab reference", || {
                        format!("@vocab `{s}` is not an absolute IRI")
                    })?;
                }
                result.vocab = Some(vocab);
            }
            _ => {
                return Err(err(
                    "invalid vocab mapping",
                    "@vocab must be a string or null",
                ))
            }
        }
    }
    if let Some(v) = map.get("@language") {
        match v {
            Value::Null => result.language = None,
            Value::String(s) => {
                if !is_bcp47(s) {
                    warn(options, "invalid @language value", || {
                        format!("@language `{s}` is not a BCP47 tag")
                    })?;
                }
                result.language = Some(s.to_lowercase());
            }
            _ => {
                return Err(err(
                    "invalid default language",
                    "@language must be a string or null",
                ))
            }
        }
    }
    if let Some(v) = map.get("@direction") {
        if is_10(options) {
            return Err(err(
                "invalid context entry",
                "@direction is not allowed in json-ld-1.0",
            ));
        }
        result.direction = match v {
            Value::Null => None,
            Value::String(s) if s == "ltr" => Some(Direction::Ltr),
            Value::String(s) if s == "rtl" => Some(Direction::Rtl),
            _ => {
                return Err(err(
                    "invalid base direction",
                    "@direction must be \"ltr\", \"rtl\" or null",
                ))
            }
        };
    }
    if let Some(v) = map.get("@propagate") {
        if is_10(options) {
            return Err(err(
                "invalid context entry",
                "@propagate is not allowed in json-ld-1.0",
            ));
        }
        if !v.is_boolean() {
            return Err(err(
                "invalid @propagate value",
                "@propagate must be true or false",
            ));
        }
    }
    let protected = match map.get("@protected") {
        None => false,
        Some(Value::Bool(b)) => {
            if is_10(options) {
                return Err(err(
                    "invalid context entry",
                    "@protected is not allowed in json-ld-1.0",
                ));
            }
            *b
        }
        Some(_) => {
            return Err(err(
                "invalid @protected value",
                "@protected must be true or false",
            ))
        }
    };
    let mut builder = TermBuilder {
        processor,
        local: map,
        defined: HashMap::new(),
        base_url,
        remote,
        protected,
        override_protected: flags.override_protected,
        options,
        depth: flags.depth,
    };
    for key in map.keys() {
        if matches!(
            key.as_str(),
            "@base"
                | "@direction"
                | "@import"
                | "@language"
                | "@propagate"
                | "@protected"
                | "@version"
                | "@vocab"
        ) {
            continue;
        }
        builder.create(result, key)?;
    }
    Ok(())
}

struct TermBuilder<'a> {
    processor: &'a Processor,
    local: &'a Map<String, Value>,
    defined: HashMap<String, bool>,
    base_url: Option<&'a Arc<str>>,
    remote: &'a mut Vec<String>,
    protected: bool,
    override_protected: bool,
    options: &'a Options,
    depth: usize,
}

const TERM_KEYS: &[&str] = &[
    "@id",
    "@reverse",
    "@container",
    "@context",
    "@direction",
    "@index",
    "@language",
    "@nest",
    "@prefix",
    "@protected",
    "@type",
];

fn parse_container(value: &Value, options: &Options) -> Result<u16> {
    let bad = || {
        err(
            "invalid container mapping",
            format!("@container {value} is not a valid container mapping"),
        )
    };
    let one = |s: &str| -> Option<u16> {
        Some(match s {
            "@list" => container::LIST,
            "@set" => container::SET,
            "@index" => container::INDEX,
            "@language" => container::LANGUAGE,
            "@id" => container::ID,
            "@type" => container::TYPE,
            "@graph" => container::GRAPH,
            _ => return None,
        })
    };
    let flags = match value {
        Value::Null => return Ok(0),
        Value::String(s) => {
            let f = one(s).ok_or_else(bad)?;
            if is_10(options) && f & (container::ID | container::TYPE | container::GRAPH) != 0 {
                return Err(bad());
            }
            f
        }
        Value::Array(a) => {
            if is_10(options) {
                return Err(bad());
            }
            let mut f = 0;
            for v in a {
                f |= v.as_str().and_then(one).ok_or_else(bad)?;
            }
            f
        }
        _ => return Err(bad()),
    };
    use container::*;
    let ok = if flags & LIST != 0 {
        flags == LIST
    } else if flags & GRAPH != 0 {
        flags & !(GRAPH | ID | INDEX | SET) == 0 && !(flags & ID != 0 && flags & INDEX != 0)
    } else {
        (flags & !SET).count_ones() <= 1
    };
    if ok {
        Ok(flags)
    } else {
        Err(bad())
    }
}

impl TermBuilder<'_> {
    /// IRI Expansion during context processing: may define terms of the local context first.
    fn expand_iri(
        &mut self,
        active: &mut Context,
        value: &str,
        document_relative: bool,
        vocab: bool,
    ) -> Result<Option<String>> {
        if is_keyword(value) {
            return Ok(Some(value.to_string()));
        }
        if looks_like_keyword(value) {
            return Ok(None);
        }
        if self.local.contains_key(value) && self.defined.get(value) != Some(&true) {
            self.create(active, value)?;
        }
        if vocab {
            if let Some(def) = active.terms.get(value) {
                return Ok(def.iri.clone());
            }
        }
        if let Some(colon) = colon_after_first(value) {
            let prefix = &value[..colon];
            let suffix = &value[colon + 1..];
            if prefix == "_" || suffix.starts_with("//") {
                return Ok(Some(value.to_string()));
            }
            if self.local.contains_key(prefix) && self.defined.get(prefix) != Some(&true) {
                self.create(active, prefix)?;
            }
            if let Some(def) = active.terms.get(prefix) {
                if let (Some(iri), true) = (def.iri.as_deref(), def.prefix) {
                    return Ok(Some(format!("{iri}{suffix}")));
                }
            }
            if is_absolute_iri(value) {
                return Ok(Some(value.to_string()));
            }
        }
        if vocab {
            if let Some(v) = &active.vocab {
                return Ok(Some(format!("{v}{value}")));
            }
        }
        if document_relative {
            return Ok(Some(resolve(active.base.as_deref(), value)));
        }
        Ok(Some(value.to_string()))
    }

    /// Create Term Definition (§4.2.2).
    fn create(&mut self, active: &mut Context, term: &str) -> Result<()> {
        let options = self.options;
        match self.defined.get(term) {
            Some(true) => return Ok(()),
            Some(false) => {
                return Err(err(
                    "cyclic IRI mapping",
                    format!("term `{term}` is defined in terms of itself"),
                ))
            }
            None => {}
        }
        if term.is_empty() {
            return Err(err(
                "invalid term definition",
                "the empty string is not a valid term",
            ));
        }
        self.defined.insert(term.to_string(), false);
        let raw = &self.local[term];
        if term == "@type" && !is_10(options) {
            let ok = match raw {
                Value::Object(m) => {
                    !m.is_empty()
                        && m.iter().all(|(k, v)| match k.as_str() {
                            "@container" => v == "@set",
                            "@protected" => true,
                            _ => false,
                        })
                }
                _ => false,
            };
            if !ok {
                return Err(err(
                    "keyword redefinition",
                    "@type may only be given @container: @set and @protected",
                ));
            }
        } else if is_keyword(term) {
            return Err(err(
                "keyword redefinition",
                format!("the keyword {term} cannot be redefined"),
            ));
        } else if looks_like_keyword(term) {
            warn(options, "reserved term", || {
                format!("term `{term}` has the form of a keyword and is ignored")
            })?;
            self.defined.insert(term.to_string(), true);
            return Ok(());
        }
        let previous = active.terms.remove(term);
        let null_id;
        let id_map;
        let (value, simple): (&Map<String, Value>, bool) = match raw {
            Value::Null => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::Null);
                null_id = m;
                (&null_id, false)
            }
            Value::String(s) => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::String(s.clone()));
                id_map = m;
                (&id_map, true)
            }
            Value::Object(m) => (m, false),
            _ => {
                return Err(err(
                    "invalid term definition",
                    format!("the definition of `{term}` must be a string, an object or null"),
                ))
            }
        };
        let mut def = TermDef::empty();
        match value.get("@protected") {
            Some(Value::Bool(b)) => {
                if is_10(options) {
                    return Err(err(
                        "invalid term definition",
                        "@protected is not allowed in json-ld-1.0",
                    ));
                }
                def.protected = *b;
            }
            Some(_) => {
                return Err(err(
                    "invalid @protected value",
                    format!("@protected of `{term}` must be true or false"),
                ))
            }
            None => def.protected = self.protected,
        }
        if let Some(t) = value.get("@type") {
            let t = t.as_str().ok_or_else(|| {
                err(
                    "invalid type mapping",
                    format!("@type of `{term}` must be a string"),
                )
            })?;
            let expanded = self.expand_iri(active, t, false, true)?.unwrap_or_default();
            match expanded.as_str() {
                "@id" | "@vocab" => {}
                "@json" | "@none" if !is_10(options) => {}
                s if is_absolute_iri(s) && !is_blank(s) => {}
                _ => {
                    return Err(err(
                        "invalid type mapping",
                        format!(
                            "@type `{t}` of `{term}` is not an IRI, @id, @vocab, @json or @none"
                        ),
                    ))
                }
            }
            def.type_mapping = Some(expanded);
        }
        if let Some(r) = value.get("@reverse") {
            if value.contains_key("@id") || value.contains_key("@nest") {
                return Err(err(
                    "invalid reverse property",
                    format!("`{term}` has @reverse with @id or @nest"),
                ));
            }
            let r = r.as_str().ok_or_else(|| {
                err(
                    "invalid IRI mapping",
                    format!("@reverse of `{term}` must be a string"),
                )
            })?;
            if looks_like_keyword(r) {
                warn(options, "reserved @reverse value", || {
                    format!("@reverse `{r}` of `{term}` has the form of a keyword")
                })?;
                if let Some(p) = previous {
                    active.terms.insert(term.to_string(), p);
                }
                self.defined.insert(term.to_string(), true);
                return Ok(());
            }
            let iri = self.expand_iri(active, r, false, true)?.unwrap_or_default();
            if !is_absolute_iri(&iri) {
                return Err(err(
                    "invalid IRI mapping",
                    format!("@reverse `{r}` of `{term}` is not an IRI"),
                ));
            }
            def.iri = Some(iri);
            if let Some(c) = value.get("@container") {
                match c {
                    Value::Null => {}
                    Value::String(s) if s == "@set" => def.container = container::SET,
                    Value::String(s) if s == "@index" => def.container = container::INDEX,
                    _ => {
                        return Err(err(
                            "invalid reverse property",
                            format!("the container of reverse property `{term}` must be @set, @index or null"),
                        ))
                    }
                }
            }
            def.reverse = true;
            if let Some(i) = value.get("@index") {
                def.index = Some(self.index_mapping(active, term, &def, i)?);
            }
            return self.finish(active, term, def, previous);
        }
        let term_has_colon = {
            let b = term.as_bytes();
            b.len() > 2 && b[1..b.len() - 1].contains(&b':')
        };
        match value.get("@id") {
            Some(id) if id.as_str() != Some(term) => match id {
                Value::Null => def.iri = None,
                Value::String(id) => {
                    if !is_keyword(id) && looks_like_keyword(id) {
                        warn(options, "reserved @id value", || {
                            format!("@id `{id}` of `{term}` has the form of a keyword")
                        })?;
                        if let Some(p) = previous {
                            active.terms.insert(term.to_string(), p);
                        }
                        self.defined.insert(term.to_string(), true);
                        return Ok(());
                    }
                    let iri = self
                        .expand_iri(active, id, false, true)?
                        .unwrap_or_default();
                    if !is_keyword(&iri) && !is_absolute_iri(&iri) {
                        return Err(err(
                            "invalid IRI mapping",
                            format!("@id `{id}` of `{term}` does not expand to an IRI"),
                        ));
                    }
                    if iri == "@context" {
                        return Err(err(
                            "invalid keyword alias",
                            format!("`{term}` cannot be an alias of @context"),
                        ));
                    }
                    if term_has_colon || term.contains('/') {
                        self.defined.insert(term.to_string(), true);
                        let back = self.expand_iri(active, term, false, true)?;
                        if back.as_deref() != Some(iri.as_str()) {
                            return Err(err(
                                "invalid IRI mapping",
                                format!("term `{term}` has the form of an IRI that expands to something other than its @id"),
                            ));
                        }
                    }
                    if !term.contains(':') && !term.contains('/') && simple {
                        def.prefix = is_blank(&iri) || ends_with_gen_delim(&iri);
                    }
                    def.iri = Some(iri);
                }
                _ => {
                    return Err(err(
                        "invalid IRI mapping",
                        format!("@id of `{term}` must be a string or null"),
                    ))
                }
            },
            _ => {
                if let Some(colon) = colon_after_first(term) {
                    let prefix = &term[..colon];
                    let suffix = &term[colon + 1..];
                    if self.local.contains_key(prefix) {
                        self.create(active, prefix)?;
                    }
                    match active.terms.get(prefix).and_then(|d| d.iri.as_deref()) {
                        Some(p) if active.terms.contains_key(prefix) => {
                            def.iri = Some(format!("{p}{suffix}"));
                        }
                        _ => def.iri = Some(term.to_string()),
                    }
                } else if term.contains('/') {
                    self.defined.insert(term.to_string(), true);
                    let iri = self
                        .expand_iri(active, term, false, true)?
                        .unwrap_or_default();
                    if !is_absolute_iri(&iri) {
                        return Err(err(
                            "invalid IRI mapping",
                            format!("term `{term}` does not expand to an IRI"),
                        ));
                    }
                    def.iri = Some(iri);
                } else if term == "@type" {
                    def.iri = Some("@type".into());
                } else if let Some(v) = &active.vocab {
                    def.iri = Some(format!("{v}{term}"));
                } else {
                    return Err(err(
                        "invalid IRI mapping",
                        format!("term `{term}` has no @id and there is no @vocab"),
                    ));
                }
            }
        }
        if let Some(c) = value.get("@container") {
            def.container = parse_container(c, options)?;
            if def.has(container::TYPE) {
                match def.type_mapping.as_deref() {
                    None => def.type_mapping = Some("@id".into()),
                    Some("@id" | "@vocab") => {}
                    Some(_) => {
                        return Err(err(
                            "invalid type mapping",
                            format!(
                                "`{term}` has @container @type, so its @type must be @id or @vocab"
                            ),
                        ))
                    }
                }
            }
        }
        if let Some(i) = value.get("@index") {
            def.index = Some(self.index_mapping(active, term, &def, i)?);
        }
        if let Some(c) = value.get("@context") {
            if is_10(options) {
                return Err(err(
                    "invalid term definition",
                    "scoped contexts are not allowed in json-ld-1.0",
                ));
            }
            // Validate now (errors surface at definition time), discard the result.
            let probe = Arc::new(active.clone());
            let mut remote = self.remote.clone();
            process(
                self.processor,
                &probe,
                c,
                self.base_url,
                &mut remote,
                Flags {
                    override_protected: true,
                    propagate: true,
                    validate_scoped: false,
                    depth: self.depth + 1,
                },
                options,
            )
            .map_err(|e| match e.kind() {
                crate::ErrorKind::JsonLd("data loss") | crate::ErrorKind::Limit => e,
                _ => err(
                    "invalid scoped context",
                    format!("the scoped context of `{term}` is invalid: {}", e.message()),
                ),
            })?;
            def.context = Some(Arc::new(c.clone()));
            def.base_url = self.base_url.cloned();
        }
        if value.contains_key("@language") && !value.contains_key("@type") {
            def.language = Some(match &value["@language"] {
                Value::Null => None,
                Value::String(s) => {
                    if !is_bcp47(s) {
                        warn(options, "invalid @language value", || {
                            format!("@language `{s}` of `{term}` is not a BCP47 tag")
                        })?;
                    }
                    Some(s.to_lowercase())
                }
                _ => {
                    return Err(err(
                        "invalid language mapping",
                        format!("@language of `{term}` must be a string or null"),
                    ))
                }
            });
        }
        if value.contains_key("@direction") && !value.contains_key("@type") {
            def.direction = Some(match &value["@direction"] {
                Value::Null => None,
                Value::String(s) if s == "ltr" => Some(Direction::Ltr),
                Value::String(s) if s == "rtl" => Some(Direction::Rtl),
                _ => {
                    return Err(err(
                        "invalid base direction",
                        format!("@direction of `{term}` must be \"ltr\", \"rtl\" or null"),
                    ))
                }
            });
        }
        if let Some(n) = value.get("@nest") {
            if is_10(options) {
                return Err(err(
                    "invalid term definition",
                    "@nest is not allowed in json-ld-1.0",
                ));
            }
            match n.as_str() {
                Some(s) if !is_keyword(s) || s == "@nest" => def.nest = Some(s.to_string()),
                _ => {
                    return Err(err(
                        "invalid @nest value",
                        format!("@nest of `{term}` must be a term or @nest"),
                    ))
                }
            }
        }
        if let Some(p) = value.get("@prefix") {
            if is_10(options) || term.contains(':') || term.contains('/') {
                return Err(err(
                    "invalid term definition",
                    format!("@prefix is not allowed on `{term}`"),
                ));
            }
            def.prefix = p.as_bool().ok_or_else(|| {
                err(
                    "invalid @prefix value",
                    format!("@prefix of `{term}` must be true or false"),
                )
            })?;
            if def.prefix && def.iri.as_deref().is_some_and(is_keyword) {
                return Err(err(
                    "invalid term definition",
                    format!("`{term}` is a keyword alias and cannot be a prefix"),
                ));
            }
        }
        if let Some(k) = value.keys().find(|k| !TERM_KEYS.contains(&k.as_str())) {
            return Err(err(
                "invalid term definition",
                format!("`{k}` is not allowed in the definition of `{term}`"),
            ));
        }
        self.finish(active, term, def, previous)
    }

    fn index_mapping(
        &mut self,
        active: &mut Context,
        term: &str,
        def: &TermDef,
        i: &Value,
    ) -> Result<String> {
        if is_10(self.options) || !def.has(container::INDEX) {
            return Err(err(
                "invalid term definition",
                format!("@index of `{term}` needs @container @index"),
            ));
        }
        let i = i.as_str().ok_or_else(|| {
            err(
                "invalid term definition",
                format!("@index of `{term}` must be a string"),
            )
        })?;
        let expanded = self.expand_iri(active, i, false, true)?.unwrap_or_default();
        if is_keyword(&expanded) || !is_absolute_iri(&expanded) {
            return Err(err(
                "invalid term definition",
                format!("@index `{i}` of `{term}` does not expand to an IRI"),
            ));
        }
        Ok(i.to_string())
    }

    fn finish(
        &mut self,
        active: &mut Context,
        term: &str,
        def: TermDef,
        previous: Option<Arc<TermDef>>,
    ) -> Result<()> {
        let def = match previous {
            Some(prev) if !self.override_protected && prev.protected => {
                if !prev.same_as(&def) {
                    return Err(err(
                        "protected term redefinition",
                        format!("the protected term `{term}` cannot be redefined"),
                    ));
                }
                prev
            }
            _ => {
                let mut def = def;
                def.absolute = def
                    .iri
                    .as_deref()
                    .is_some_and(|i| is_keyword(i) || is_absolute_iri(i));
                Arc::new(def)
            }
        };
        active.terms.insert(term.to_string(), def);
        self.defined.insert(term.to_string(), true);
        Ok(())
    }
}
