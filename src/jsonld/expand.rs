//! The JSON-LD 1.1 Expansion algorithm (§5.1) and Value Expansion (§5.3).
//!
//! Keys are visited in lexicographic order, as jsonld.js does, so errors and warnings surface in
//! the same order as in the reference implementation.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::context::{container, is_bcp47, warn, Context, TermDef};
use super::iri::{is_absolute_iri, is_blank, is_keyword};
use super::path::Path;
use super::{Options, ProcessingMode, Processor, TermRole, TermUse};
use crate::error::{Error, Result};
use std::cell::RefCell;

/// Expands a whole document (JSON-LD 1.1 API `expand()`): always returns an array.
pub(crate) fn expand_document(
    processor: &Processor,
    input: &Value,
    options: &Options,
) -> Result<Value> {
    expand_observed(processor, input, options, None)
}

/// [`expand_document`], telling `observer` how every member, `@type` value and `@id` value was
/// written and what it expanded to.
pub(crate) fn expand_observed(
    processor: &Processor,
    input: &Value,
    options: &Options,
    observer: Option<&RefCell<Vec<TermUse>>>,
) -> Result<Value> {
    let base: Option<Arc<str>> = options.base.as_deref().map(Arc::from);
    let mut active = processor.initial_context(options.base.as_deref());
    if let Some(ec) = &options.expand_context {
        let ctx = match ec {
            Value::Object(m) if has(m, "@context") => &m["@context"],
            other => other,
        };
        active = processor
            .process_context(&active, ctx, None, base.as_ref(), false, true, options)
            .map_err(|e| e.context("while processing the expandContext option"))?;
    }
    let expander = Expander {
        processor,
        options,
        observer,
    };
    let mut result = expander.expand(&active, None, input, base.as_ref(), false, &Path::ROOT)?;
    if let Value::Object(m) = &mut result {
        if m.len() == 1 {
            if let Some(g) = m.remove("@graph") {
                result = g;
            }
        }
    }
    Ok(match result {
        Value::Null => Value::Array(Vec::new()),
        Value::Array(a) => Value::Array(a),
        other => Value::Array(vec![other]),
    })
}

/// Expansion step 7: the active context for a map with `len` members named `keys`. A
/// type-scoped context (one with a `previous`) does not apply to a new node object, so it is
/// reverted — unless the map is a value object or holds only an `@id` (a reference).
pub(super) fn node_context<'k>(
    active: &Arc<Context>,
    keys: impl Iterator<Item = &'k str>,
    len: usize,
) -> Arc<Context> {
    let Some(previous) = &active.previous else {
        return active.clone();
    };
    for k in keys {
        match active.keyword_of(k) {
            Some("@value") => return active.clone(),
            Some("@id") if len == 1 => return active.clone(),
            _ => {}
        }
    }
    previous.clone()
}

/// Deepest nesting of arrays and objects expanded (the strict parser already stops at 64; this
/// bounds the recursion for values built in memory).
const MAX_DEPTH: usize = 128;

struct Expander<'a> {
    processor: &'a Processor,
    options: &'a Options,
    observer: Option<&'a RefCell<Vec<TermUse>>>,
}

impl Expander<'_> {
    fn observe(&self, path: &Path<'_>, written: &str, expanded: Option<&str>, role: TermRole) {
        if let Some(o) = self.observer {
            o.borrow_mut().push(TermUse {
                pointer: path.pointer(),
                written: written.to_string(),
                expanded: expanded.map(str::to_string),
                role,
            });
        }
    }
}

fn err(code: &'static str, message: impl Into<String>, path: &Path<'_>) -> Error {
    Error::jsonld(code, message).at(path.pointer())
}

fn located(e: Error, path: &Path<'_>) -> Error {
    if e.pointer().is_none() {
        e.at(path.pointer())
    } else {
        e
    }
}

fn into_array(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn as_slice(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        other => std::slice::from_ref(other),
    }
}

/// Appends `value` (each item, if an array) to the array at `key`.
fn add_value(map: &mut Map<String, Value>, key: String, value: Value) {
    let slot = map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        let old = slot.take();
        *slot = Value::Array(vec![old]);
    }
    if let Value::Array(a) = slot {
        match value {
            Value::Array(items) => a.extend(items),
            other => a.push(other),
        }
    }
}

/// `map.contains_key(key)` by a linear scan (cheaper than SipHash for the few entries of a
/// JSON-LD object).
fn has(map: &Map<String, Value>, key: &str) -> bool {
    map.keys().any(|k| k.as_str() == key)
}

/// `map.get(key)` by a linear scan.
fn field<'m>(map: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
}

/// jsonld.js `_dropUnsafeObject`: the event code for an object that yields no statement at the
/// top of a graph (empty, a value or list object, only `@id`), or None.
fn unsafe_object(v: &Value) -> Option<&'static str> {
    let m = v.as_object()?;
    if m.is_empty() {
        Some("empty object")
    } else if has(m, "@value") {
        Some("object with only @value")
    } else if has(m, "@list") {
        Some("object with only @list")
    } else if m.len() == 1 && has(m, "@id") {
        Some("object with only @id")
    } else {
        None
    }
}

fn is_list_object(v: &Value) -> bool {
    v.as_object().is_some_and(|m| has(m, "@list"))
}

fn is_value_object(v: &Value) -> bool {
    v.as_object().is_some_and(|m| has(m, "@value"))
}

fn is_graph_object(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        has(m, "@graph")
            && m.keys()
                .all(|k| matches!(k.as_str(), "@graph" | "@id" | "@index" | "@context"))
    })
}

impl Expander<'_> {
    fn is_10(&self) -> bool {
        self.options.processing_mode == ProcessingMode::JsonLd10
    }

    fn warn(&self, code: &str, path: &Path<'_>, message: impl FnOnce() -> String) -> Result<()> {
        warn(self.options, code, message).map_err(|e| e.at(path.pointer()))
    }

    #[allow(clippy::too_many_arguments)]
    fn scoped(
        &self,
        active: &Arc<Context>,
        def: &TermDef,
        override_protected: bool,
        propagate: bool,
        path: &Path<'_>,
    ) -> Result<Arc<Context>> {
        self.processor
            .scoped_context(active, def, override_protected, propagate, self.options)
            .map_err(|e| located(e, path))
    }

    fn expand(
        &self,
        active: &Arc<Context>,
        prop: Option<&str>,
        element: &Value,
        base: Option<&Arc<str>>,
        from_map: bool,
        path: &Path<'_>,
    ) -> Result<Value> {
        if path.depth() > MAX_DEPTH {
            return Err(Error::limit(format!(
                "the document is nested more than {MAX_DEPTH} levels deep"
            ))
            .at(path.pointer()));
        }
        match element {
            Value::Null => Ok(Value::Null),
            Value::Array(items) => {
                let list = prop
                    .and_then(|p| active.term(p))
                    .is_some_and(|d| d.has(container::LIST));
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let e = self.expand(active, prop, item, base, from_map, &path.index(i))?;
                    match e {
                        Value::Array(a) if list => {
                            let mut m = Map::with_capacity(1);
                            m.insert("@list".into(), Value::Array(a));
                            out.push(Value::Object(m));
                        }
                        Value::Array(a) => out.extend(a),
                        Value::Null => {}
                        other => out.push(other),
                    }
                }
                Ok(Value::Array(out))
            }
            Value::Object(map) => self.expand_map(active, prop, map, base, from_map, path),
            scalar => {
                let is_graph = match prop {
                    None => true,
                    Some(p) => active.expand_iri(p, false, true).as_deref() == Some("@graph"),
                };
                if is_graph {
                    self.warn("free-floating scalar", path, || {
                        format!("the value {scalar} is not the value of any property")
                    })?;
                    return Ok(Value::Null);
                }
                let p = prop.unwrap_or_default();
                let active = match active.terms.get(p) {
                    Some(def) if def.context.is_some() => {
                        self.scoped(active, &def.clone(), true, true, path)?
                    }
                    _ => active.clone(),
                };
                self.expand_value(&active, p, scalar, path)
            }
        }
    }

    /// Value Expansion (§5.3).
    fn expand_value(
        &self,
        active: &Context,
        prop: &str,
        value: &Value,
        path: &Path<'_>,
    ) -> Result<Value> {
        let def = active.term(prop);
        let type_mapping = def.and_then(|d| d.type_mapping.as_deref());
        if let Value::String(s) = value {
            match type_mapping {
                Some("@id") => return self.expand_id_value(active, s, false, path),
                Some("@vocab") => return self.expand_id_value(active, s, true, path),
                _ => {}
            }
        }
        let mut m = Map::with_capacity(3);
        m.insert("@value".into(), value.clone());
        match type_mapping {
            Some("@id" | "@vocab" | "@none") => {}
            Some(t) => {
                m.insert("@type".into(), Value::String(t.to_string()));
            }
            None => {
                if value.is_string() {
                    let language = match def.and_then(|d| d.language.as_ref()) {
                        Some(l) => l.as_deref(),
                        None => active.language.as_deref(),
                    };
                    let direction = match def.and_then(|d| d.direction) {
                        Some(d) => d,
                        None => active.direction,
                    };
                    if let Some(l) = language {
                        m.insert("@language".into(), Value::String(l.to_string()));
                    }
                    if let Some(d) = direction {
                        m.insert("@direction".into(), Value::String(d.as_str().into()));
                    }
                }
            }
        }
        Ok(Value::Object(m))
    }

    fn expand_id_value(
        &self,
        active: &Context,
        s: &str,
        vocab: bool,
        path: &Path<'_>,
    ) -> Result<Value> {
        match active.expand_iri(s, true, vocab) {
            Some(iri) => {
                let mut m = Map::with_capacity(1);
                m.insert("@id".into(), Value::String(iri.into_owned()));
                Ok(Value::Object(m))
            }
            None => {
                self.warn("reserved @id value", path, || {
                    format!("`{s}` has the form of a keyword and cannot be an IRI")
                })?;
                Ok(Value::Null)
            }
        }
    }

    fn expand_map(
        &self,
        active_in: &Arc<Context>,
        prop: Option<&str>,
        map: &Map<String, Value>,
        base: Option<&Arc<str>>,
        from_map: bool,
        path: &Path<'_>,
    ) -> Result<Value> {
        let prop_def: Option<Arc<TermDef>> = prop.and_then(|p| active_in.terms.get(p).cloned());
        let mut active = active_in.clone();
        // Step 7: a type-scoped context does not apply to new node objects.
        if !from_map {
            active = node_context(&active, map.keys().map(String::as_str), map.len());
        }
        // Step 8: property-scoped context.
        if let Some(def) = &prop_def {
            if def.context.is_some() {
                active = self.scoped(&active, def, true, true, path)?;
            }
        }
        // Step 9: embedded context.
        if let Some(c) = field(map, "@context") {
            active = self
                .processor
                .process_context(&active, c, None, base, false, true, self.options)
                .map_err(|e| located(e, &path.key("@context")))?;
        }
        let type_scoped = active.clone();
        let mut entries: Vec<(&String, &Value)> = map.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        // Step 11: type-scoped contexts, in lexicographic order of the types.
        let mut input_type: Option<String> = None;
        for (k, v) in &entries {
            if type_scoped.keyword_of(k) != Some("@type") {
                continue;
            }
            let mut terms: Vec<&str> = as_slice(v).iter().filter_map(|v| v.as_str()).collect();
            if input_type.is_none() {
                if let Some(last) = terms.last() {
                    input_type = active.expand_iri(last, true, true).map(|c| c.into_owned());
                }
            }
            terms.sort_unstable();
            for t in terms {
                if let Some(def) = type_scoped.terms.get(t) {
                    if def.context.is_some() {
                        let def = def.clone();
                        active = self.scoped(&active, &def, false, false, path)?;
                    }
                }
            }
        }
        let mut result = Map::with_capacity(map.len());
        self.expand_object(
            &active,
            &type_scoped,
            prop,
            &entries,
            &mut result,
            input_type.as_deref(),
            base,
            path,
        )?;
        self.finish_object(active_in, prop, prop_def.as_deref(), result, path)
    }

    /// Steps 14–20: validate and simplify the expanded map.
    fn finish_object(
        &self,
        active: &Context,
        prop: Option<&str>,
        prop_def: Option<&TermDef>,
        mut result: Map<String, Value>,
        path: &Path<'_>,
    ) -> Result<Value> {
        if has(&result, "@value") {
            if result.keys().any(|k| {
                !matches!(
                    k.as_str(),
                    "@direction" | "@index" | "@language" | "@type" | "@value"
                )
            }) || (has(&result, "@type")
                && (has(&result, "@language") || has(&result, "@direction")))
            {
                return Err(err(
                    "invalid value object",
                    "a value object may only have @value, @index and either @type or @language/@direction",
                    path,
                ));
            }
            let ty = field(&result, "@type");
            if ty.and_then(|t| t.as_str()) == Some("@json") && !self.is_10() {
                // any @value is fine
            } else if result["@value"].is_null() {
                self.warn("null @value value", path, || {
                    "a value object with a null @value is dropped".into()
                })?;
                return Ok(Value::Null);
            } else if !result["@value"].is_string() && has(&result, "@language") {
                return Err(err(
                    "invalid language-tagged value",
                    "@language is only allowed with a string @value",
                    path,
                ));
            } else if let Some(t) = ty {
                let ok = t
                    .as_str()
                    .is_some_and(|s| is_absolute_iri(s) && !is_blank(s));
                if !ok {
                    return Err(err(
                        "invalid typed value",
                        format!("the @type of a value object must be an IRI, found {t}"),
                        path,
                    ));
                }
            }
        } else if let Some(t) = result.get_mut("@type") {
            if !t.is_array() {
                let old = t.take();
                *t = Value::Array(vec![old]);
            }
        } else if has(&result, "@set") || has(&result, "@list") {
            let n = result.len();
            if n > 2 || (n == 2 && !has(&result, "@index")) {
                return Err(err(
                    "invalid set or list object",
                    "an object with @set or @list may only also have @index",
                    path,
                ));
            }
            if let Some(set) = result.remove("@set") {
                return self.drop_unsafe(active, prop, prop_def, set, path);
            }
        }
        if result.len() == 1 && has(&result, "@language") {
            self.warn("object with only @language", path, || {
                "an object with only @language is dropped".into()
            })?;
            return Ok(Value::Null);
        }
        self.drop_unsafe(active, prop, prop_def, Value::Object(result), path)
    }

    /// Step 19 (and jsonld.js): drop empty objects, top-level values/lists and objects with only
    /// @id where they cannot produce any statement.
    fn drop_unsafe(
        &self,
        active: &Context,
        prop: Option<&str>,
        prop_def: Option<&TermDef>,
        value: Value,
        path: &Path<'_>,
    ) -> Result<Value> {
        if !value.is_object() {
            return Ok(value);
        }
        let top = match prop {
            None => true,
            Some(p) => {
                active.expand_iri(p, false, true).as_deref() == Some("@graph")
                    || prop_def.is_some_and(|d| d.has(container::GRAPH))
            }
        };
        if !top {
            return Ok(value);
        }
        let Some(code) = unsafe_object(&value) else {
            return Ok(value);
        };
        self.warn(code, path, || {
            "this object produces no statement and would be dropped".into()
        })?;
        Ok(Value::Null)
    }

    #[allow(clippy::too_many_arguments)]
    fn expand_object(
        &self,
        active: &Arc<Context>,
        type_scoped: &Arc<Context>,
        prop: Option<&str>,
        entries: &[(&String, &Value)],
        result: &mut Map<String, Value>,
        input_type: Option<&str>,
        base: Option<&Arc<str>>,
        path: &Path<'_>,
    ) -> Result<()> {
        let mut nests: Vec<(&str, &Value)> = Vec::new();
        for &(key, value) in entries {
            let key = key.as_str();
            if key == "@context" {
                continue;
            }
            let kpath = path.key(key);
            // One term lookup serves both IRI expansion and the term's definition.
            let def: Option<Arc<TermDef>> = if key.starts_with('@') {
                None
            } else {
                active.terms.get(key).cloned()
            };
            let expanded = match &def {
                Some(d) => d.iri.as_deref().map(std::borrow::Cow::Borrowed),
                None => active.expand_iri(key, false, true),
            };
            let known_absolute = def.as_ref().is_some_and(|d| d.absolute);
            self.observe(&kpath, key, expanded.as_deref(), TermRole::Property);
            let ep = match expanded.as_deref() {
                Some(e) if known_absolute || is_absolute_iri(e) || is_keyword(e) => e,
                _ => {
                    self.warn("invalid property", &kpath, || {
                        format!(
                            "the property `{key}` does not expand to an absolute IRI (define it in the @context)"
                        )
                    })?;
                    continue;
                }
            };
            if is_keyword(ep) {
                if prop == Some("@reverse") {
                    return Err(err(
                        "invalid reverse property map",
                        format!("a keyword ({ep}) cannot be used inside @reverse"),
                        &kpath,
                    ));
                }
                if result.contains_key(ep) && (self.is_10() || !matches!(ep, "@included" | "@type"))
                {
                    return Err(err(
                        "colliding keywords",
                        format!("{ep} appears twice (through an alias)"),
                        &kpath,
                    ));
                }
                let ev: Value = match ep {
                    "@id" => {
                        let Value::String(s) = value else {
                            return Err(err("invalid @id value", "@id must be a string", &kpath));
                        };
                        let expanded_id = active.expand_iri(s, true, false);
                        if expanded_id.as_deref() != Some(s.as_str()) {
                            self.observe(&kpath, s, expanded_id.as_deref(), TermRole::Id);
                        }
                        match expanded_id {
                            Some(iri) => {
                                if !is_absolute_iri(&iri) {
                                    self.warn("relative @id reference", &kpath, || {
                                        format!("@id `{s}` is not an absolute IRI")
                                    })?;
                                }
                                Value::String(iri.into_owned())
                            }
                            None => {
                                self.warn("reserved @id value", &kpath, || {
                                    format!("@id `{s}` has the form of a keyword")
                                })?;
                                // jsonld.js keeps `{"@id": null}`; toRdf then drops the node.
                                result.insert("@id".into(), Value::Null);
                                continue;
                            }
                        }
                    }
                    "@type" => {
                        let items = as_slice(value);
                        if !items.iter().all(|v| v.is_string()) {
                            return Err(err(
                                "invalid type value",
                                "@type must be a string or an array of strings",
                                &kpath,
                            ));
                        }
                        let mut out = Vec::with_capacity(items.len());
                        for (i, v) in items.iter().enumerate() {
                            let s = v.as_str().unwrap_or_default();
                            let t = type_scoped.expand_iri(s, true, true);
                            if self.observer.is_some() {
                                let p = if value.is_array() {
                                    kpath.index(i)
                                } else {
                                    kpath
                                };
                                self.observe(&p, s, t.as_deref(), TermRole::Type);
                            }
                            match t {
                                Some(t) => {
                                    if t != "@json" && !is_absolute_iri(&t) {
                                        let p = if value.is_array() {
                                            kpath.index(i)
                                        } else {
                                            kpath
                                        };
                                        self.warn("relative @type reference", &p, || {
                                            format!("type `{s}` does not expand to an absolute IRI")
                                        })?;
                                    }
                                    out.push(Value::String(t.into_owned()));
                                }
                                None => {
                                    self.warn("relative @type reference", &kpath, || {
                                        format!("type `{s}` has the form of a keyword")
                                    })?;
                                }
                            }
                        }
                        let new = if value.is_array() || has(result, "@type") {
                            Value::Array(out)
                        } else {
                            out.pop().unwrap_or(Value::Null)
                        };
                        if let Some(existing) = result.remove("@type") {
                            let mut all = into_array(existing);
                            all.extend(into_array(new));
                            Value::Array(all)
                        } else {
                            new
                        }
                    }
                    "@graph" => Value::Array(into_array(self.expand(
                        active,
                        Some("@graph"),
                        value,
                        base,
                        false,
                        &kpath,
                    )?)),
                    "@included" => {
                        if self.is_10() {
                            continue;
                        }
                        let items = into_array(self.expand(
                            active,
                            Some("@included"),
                            value,
                            base,
                            false,
                            &kpath,
                        )?);
                        for item in &items {
                            let ok = item.as_object().is_some_and(|m| {
                                !has(m, "@value") && !has(m, "@list") && !has(m, "@set")
                            });
                            if !ok {
                                return Err(err(
                                    "invalid @included value",
                                    "@included must contain node objects",
                                    &kpath,
                                ));
                            }
                        }
                        let mut all = result
                            .remove("@included")
                            .map(into_array)
                            .unwrap_or_default();
                        all.extend(items);
                        Value::Array(all)
                    }
                    "@value" => {
                        if input_type == Some("@json") && !self.is_10() {
                            result.insert("@value".into(), value.clone());
                            continue;
                        } else if value.is_object() || value.is_array() {
                            return Err(err(
                                "invalid value object value",
                                "@value must be a string, number, boolean or null",
                                &kpath,
                            ));
                        } else {
                            if value.is_null() {
                                result.insert("@value".into(), Value::Null);
                                continue;
                            }
                            value.clone()
                        }
                    }
                    "@language" => {
                        let Value::String(s) = value else {
                            return Err(err(
                                "invalid language-tagged string",
                                "@language must be a string",
                                &kpath,
                            ));
                        };
                        if !is_bcp47(s) {
                            self.warn("invalid @language value", &kpath, || {
                                format!("@language `{s}` is not a BCP47 tag")
                            })?;
                        }
                        Value::String(s.to_lowercase())
                    }
                    "@direction" => {
                        if self.is_10() {
                            continue;
                        }
                        match value.as_str() {
                            Some("ltr" | "rtl") => value.clone(),
                            _ => {
                                return Err(err(
                                    "invalid base direction",
                                    "@direction must be \"ltr\" or \"rtl\"",
                                    &kpath,
                                ))
                            }
                        }
                    }
                    "@index" => {
                        if !value.is_string() {
                            return Err(err(
                                "invalid @index value",
                                "@index must be a string",
                                &kpath,
                            ));
                        }
                        value.clone()
                    }
                    "@list" => {
                        let graph = match prop {
                            None => true,
                            Some(p) => {
                                active.expand_iri(p, false, true).as_deref() == Some("@graph")
                            }
                        };
                        if graph {
                            self.warn("free-floating list", &kpath, || {
                                "a list that is not the value of a property is dropped".into()
                            })?;
                            continue;
                        }
                        Value::Array(into_array(
                            self.expand(active, prop, value, base, false, &kpath)?,
                        ))
                    }
                    "@set" => self.expand(active, prop, value, base, false, &kpath)?,
                    "@reverse" => {
                        if !value.is_object() {
                            return Err(err(
                                "invalid @reverse value",
                                "@reverse must be an object",
                                &kpath,
                            ));
                        }
                        let ev =
                            self.expand(active, Some("@reverse"), value, base, false, &kpath)?;
                        if let Value::Object(mut em) = ev {
                            if let Some(Value::Object(rev)) = em.remove("@reverse") {
                                for (p, item) in rev {
                                    add_value(result, p, item);
                                }
                            }
                            if !em.is_empty() {
                                let rm = result
                                    .entry("@reverse".to_string())
                                    .or_insert_with(|| Value::Object(Map::new()));
                                let Value::Object(rm) = rm else {
                                    continue;
                                };
                                for (p, items) in em {
                                    let items = into_array(items);
                                    for item in &items {
                                        if is_value_object(item) || is_list_object(item) {
                                            return Err(err(
                                                "invalid reverse property value",
                                                format!("the reverse property {p} cannot have a value or list"),
                                                &kpath,
                                            ));
                                        }
                                    }
                                    add_value(rm, p, Value::Array(items));
                                }
                            }
                        }
                        continue;
                    }
                    "@nest" => {
                        nests.push((key, value));
                        continue;
                    }
                    _ => continue,
                };
                if !ev.is_null() || ep == "@set" {
                    if ev.is_null() {
                        continue;
                    }
                    result.insert(ep.to_string(), ev);
                }
                continue;
            }
            let ep = ep.to_string();
            let flags = def.as_ref().map(|d| d.container).unwrap_or(0);
            let mut ev = if def.as_ref().and_then(|d| d.type_mapping.as_deref()) == Some("@json") {
                let mut m = Map::with_capacity(2);
                m.insert("@value".into(), value.clone());
                m.insert("@type".into(), Value::String("@json".into()));
                Value::Object(m)
            } else if flags & container::LANGUAGE != 0 && value.is_object() {
                self.expand_language_map(active, def.as_deref(), value, &kpath)?
            } else if flags & (container::INDEX | container::TYPE | container::ID) != 0
                && value.is_object()
            {
                self.expand_index_map(active, key, def.as_deref(), value, base, &kpath)?
            } else {
                self.expand(active, Some(key), value, base, false, &kpath)?
            };
            if ev.is_null() {
                continue;
            }
            if flags & container::LIST != 0 && !is_list_object(&ev) {
                let mut m = Map::with_capacity(1);
                m.insert("@list".into(), Value::Array(into_array(ev)));
                ev = Value::Object(m);
            }
            if flags & container::GRAPH != 0 && flags & (container::ID | container::INDEX) == 0 {
                // Like jsonld.js: drop (or, in safe mode, refuse) what would make an empty graph.
                let mut kept = Vec::new();
                for e in into_array(ev) {
                    match unsafe_object(&e) {
                        Some(code) => self.warn(code, &kpath, || {
                            "this value of a graph container produces no statement".into()
                        })?,
                        None => kept.push(e),
                    }
                }
                if kept.is_empty() {
                    continue;
                }
                ev = Value::Array(
                    kept.into_iter()
                        .map(|e| {
                            let mut m = Map::with_capacity(1);
                            m.insert("@graph".into(), Value::Array(into_array(e)));
                            Value::Object(m)
                        })
                        .collect(),
                );
            }
            if def.as_ref().is_some_and(|d| d.reverse) {
                let rm = result
                    .entry("@reverse".to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(rm) = rm {
                    let items = into_array(ev);
                    for item in &items {
                        if is_value_object(item) || is_list_object(item) {
                            return Err(err(
                                "invalid reverse property value",
                                format!("the reverse property `{key}` cannot have a value or list"),
                                &kpath,
                            ));
                        }
                    }
                    add_value(rm, ep, Value::Array(items));
                }
            } else {
                add_value(result, ep, ev);
            }
        }
        for (nk, nest_value) in nests {
            let npath = path.key(nk);
            let nest_active = match active.terms.get(nk) {
                Some(def) if def.context.is_some() => {
                    let def = def.clone();
                    self.scoped(active, &def, true, true, &npath)?
                }
                _ => active.clone(),
            };
            let active = &nest_active;
            for (i, nv) in as_slice(nest_value).iter().enumerate() {
                let ipath = if nest_value.is_array() {
                    npath.index(i)
                } else {
                    npath
                };
                let Value::Object(nm) = nv else {
                    return Err(err(
                        "invalid @nest value",
                        "the value of a nesting property must be an object",
                        &ipath,
                    ));
                };
                if nm
                    .keys()
                    .any(|k| active.expand_iri(k, false, true).as_deref() == Some("@value"))
                {
                    return Err(err(
                        "invalid @nest value",
                        "a nested object cannot be a value object",
                        &ipath,
                    ));
                }
                let mut nentries: Vec<(&String, &Value)> = nm.iter().collect();
                nentries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                self.expand_object(
                    active,
                    type_scoped,
                    prop,
                    &nentries,
                    result,
                    input_type,
                    base,
                    &ipath,
                )?;
            }
        }
        Ok(())
    }

    fn expand_language_map(
        &self,
        active: &Context,
        def: Option<&TermDef>,
        value: &Value,
        path: &Path<'_>,
    ) -> Result<Value> {
        let Value::Object(m) = value else {
            return Ok(Value::Null);
        };
        let direction = match def.and_then(|d| d.direction) {
            Some(d) => d,
            None => active.direction,
        };
        let mut keys: Vec<&String> = m.keys().collect();
        keys.sort_unstable();
        let mut out = Vec::new();
        for lang in keys {
            let lpath = path.key(lang);
            let none = active.expand_iri(lang, false, true).as_deref() == Some("@none");
            for item in as_slice(&m[lang.as_str()]) {
                let s = match item {
                    Value::Null => continue,
                    Value::String(s) => s,
                    _ => {
                        return Err(err(
                            "invalid language map value",
                            "the values of a language map must be strings",
                            &lpath,
                        ))
                    }
                };
                let mut v = Map::with_capacity(3);
                v.insert("@value".into(), Value::String(s.clone()));
                if !none {
                    if !is_bcp47(lang) {
                        self.warn("invalid @language value", &lpath, || {
                            format!("language `{lang}` is not a BCP47 tag")
                        })?;
                    }
                    v.insert("@language".into(), Value::String(lang.to_lowercase()));
                }
                if let Some(d) = direction {
                    v.insert("@direction".into(), Value::String(d.as_str().into()));
                }
                out.push(Value::Object(v));
            }
        }
        Ok(Value::Array(out))
    }

    fn expand_index_map(
        &self,
        active: &Arc<Context>,
        key: &str,
        def: Option<&TermDef>,
        value: &Value,
        base: Option<&Arc<str>>,
        path: &Path<'_>,
    ) -> Result<Value> {
        let Value::Object(m) = value else {
            return Ok(Value::Null);
        };
        let flags = def.map(|d| d.container).unwrap_or(0);
        let index_key = def.and_then(|d| d.index.as_deref()).unwrap_or("@index");
        let mut keys: Vec<&String> = m.keys().collect();
        keys.sort_unstable();
        let mut out = Vec::new();
        for index in keys {
            let ipath = path.key(index);
            let mut map_ctx = if flags & (container::ID | container::TYPE) != 0 {
                active.previous.clone().unwrap_or_else(|| active.clone())
            } else {
                active.clone()
            };
            if flags & container::TYPE != 0 {
                if let Some(idef) = map_ctx.terms.get(index.as_str()).cloned() {
                    if idef.context.is_some() {
                        map_ctx = self.scoped(&map_ctx, &idef, false, true, &ipath)?;
                    }
                }
            }
            let expanded_index = active
                .expand_iri(index, false, true)
                .map(|c| c.into_owned());
            let is_none = expanded_index.as_deref() == Some("@none");
            let items = into_array(self.expand(
                &map_ctx,
                Some(key),
                &m[index.as_str()],
                base,
                true,
                &ipath,
            )?);
            for mut item in items {
                if flags & container::GRAPH != 0 && !is_graph_object(&item) {
                    let mut g = Map::with_capacity(1);
                    g.insert("@graph".into(), Value::Array(into_array(item)));
                    item = Value::Object(g);
                }
                let Value::Object(im) = &mut item else {
                    out.push(item);
                    continue;
                };
                if flags & container::INDEX != 0 && index_key != "@index" && !is_none {
                    let re = self.expand_value(
                        active,
                        index_key,
                        &Value::String(index.clone()),
                        &ipath,
                    )?;
                    let eik = active
                        .expand_iri(index_key, false, true)
                        .map(|c| c.into_owned())
                        .unwrap_or_default();
                    if has(im, "@value") {
                        return Err(err(
                            "invalid value object",
                            "a value object cannot take a property-valued index",
                            &ipath,
                        ));
                    }
                    let mut vals = vec![re];
                    if let Some(existing) = im.remove(&eik) {
                        vals.extend(into_array(existing));
                    }
                    im.insert(eik, Value::Array(vals));
                } else if flags & container::INDEX != 0 && !has(im, "@index") && !is_none {
                    im.insert("@index".into(), Value::String(index.clone()));
                } else if flags & container::ID != 0 && !has(im, "@id") && !is_none {
                    let id = active
                        .expand_iri(index, true, false)
                        .map(|c| c.into_owned())
                        .unwrap_or_default();
                    if !is_absolute_iri(&id) {
                        self.warn("relative @id reference", &ipath, || {
                            format!("@id `{index}` is not an absolute IRI")
                        })?;
                    }
                    im.insert("@id".into(), Value::String(id));
                } else if flags & container::TYPE != 0 && !is_none {
                    let mut types = vec![Value::String(expanded_index.clone().unwrap_or_default())];
                    if let Some(existing) = im.remove("@type") {
                        types.extend(into_array(existing));
                    }
                    im.insert("@type".into(), Value::Array(types));
                }
                out.push(item);
            }
        }
        Ok(Value::Array(out))
    }
}
