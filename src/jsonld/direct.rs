//! Expansion straight to canonicalizer quads, for plain documents — the proof path's fast lane.
//!
//! A Data Integrity proof hashes the RDFC-1.0 canonical form of a credential. The general path
//! ([`super::expand`] then [`super::to_rdf`]) builds an expanded `serde_json::Value` tree, then a
//! node map of it, then quads: three passes that allocate for every member (about half of a
//! signature's time went there). Credentials use a small part of JSON-LD: node objects, `@id`,
//! `@type`, terms with type mappings, embedded and scoped contexts, strings, numbers and booleans.
//! This module walks such a document once, with the same context machinery and the same IRI
//! expansion, and hands each statement to the canonicalizer.
//!
//! Anything else returns `None` and the caller takes the general path: value objects, lists, sets,
//! language/index/id/type/graph containers, reverse properties, `@graph`, `@included`, `@nest`,
//! `@direction`, JSON literals, blank-node types or predicates, and every condition under which the
//! general path would warn (or, in safe mode, refuse): a term that does not expand to an absolute
//! IRI, a relative or malformed IRI, an invalid language tag, a document that is empty or only an
//! `@id`. A context that fails to load or process also falls back, so errors are always reported
//! by the general path, with its pointers.
//!
//! When it does answer, it produces the same multiset of quads as the general path: statements in
//! another order and with other blank node labels, which RDFC-1.0 does not see, and the node map's
//! rule for repeated values reproduced exactly (a value is dropped only when an equal one — same
//! JSON value, same datatype and language — already stands for the same subject and property).
//! `direct/tests.rs` compares the two paths on the JSON-LD test inputs, the VC test suites,
//! the wild credentials and the standards data of `../shared`, and on generated documents.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use super::context::{container, is_bcp47, Context, TermDef};
use super::expand::node_context;
use super::iri::{is_absolute_iri, is_blank, is_keyword};
use super::number::{canonical_double, is_double, js_to_fixed_0};
use super::to_rdf::{js_parse_float, well_formed};
use super::{Options, ProcessingMode, Processor};
use crate::error::Result;
use crate::rdf::{RDF_LANG_STRING, XSD_STRING};
use crate::rdfc::{Collector, Part};

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// Nesting this deep goes to the general path, which reports its own (deeper) limit.
const MAX_DEPTH: usize = 100;

/// Most distinct blank node identifiers (`_:x`) written in a document this path handles.
const MAX_BLANK_IDS: usize = 64;

/// Containers this path does not handle (`@set` alone changes nothing in RDF).
const NOT_HERE: u16 = container::LIST
    | container::LANGUAGE
    | container::INDEX
    | container::ID
    | container::TYPE
    | container::GRAPH;

/// What the node map compares to decide that a value is already present (see the module docs).
#[derive(Clone, Copy)]
enum Object<'d> {
    /// A node reference or type: equal when the object terms are equal.
    Ref,
    /// A value object: the JSON value, and whether it carried an explicit `@type`.
    Value { value: &'d Value, typed: bool },
}

impl Object<'_> {
    fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Object::Ref, Object::Ref) => true,
            (
                Object::Value {
                    value: a,
                    typed: ta,
                },
                Object::Value {
                    value: b,
                    typed: tb,
                },
            ) => ta == tb && (std::ptr::eq(*a, *b) || a == b),
            _ => false,
        }
    }
}

/// `None`: take the general path.
type Flow<T> = Option<T>;

struct Direct<'p, 'd> {
    processor: &'p Processor,
    options: &'p Options,
    out: Collector,
    /// The node-map identity of each collected quad's object, by quad index.
    objects: Vec<Object<'d>>,
    /// Blank node identifiers written in the document (`_:x`), and their nodes.
    blanks: Vec<(String, Part)>,
    rdf_type: Option<Part>,
}

/// The RDFC-1.0 canonical N-Quads of the node object whose members are `entries` (in any
/// order, keys distinct), or `None` when the document needs the general path.
pub(crate) fn canonical_nquads<'d>(
    processor: &Processor,
    entries: &[(&'d str, &'d Value)],
    options: &Options,
) -> Option<Result<String>> {
    if options.base.is_some()
        || options.expand_context.is_some()
        || options.processing_mode != ProcessingMode::JsonLd11
    {
        return None;
    }
    let mut d = Direct {
        processor,
        options,
        out: Collector::default(),
        objects: Vec::with_capacity(64),
        blanks: Vec::new(),
        rdf_type: None,
    };
    let active = processor.initial_context(None);
    let (_, members) = d.node(&active, None, entries, 0)?;
    // The general path drops (and safe mode refuses) a top-level object that yields nothing.
    if members == 0 {
        return None;
    }
    d.dedup();
    Some(d.out.canonicalize())
}

fn as_slice(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        other => std::slice::from_ref(other),
    }
}

impl<'d> Direct<'_, 'd> {
    fn scoped(
        &self,
        active: &Arc<Context>,
        def: &TermDef,
        override_protected: bool,
        propagate: bool,
    ) -> Flow<Arc<Context>> {
        self.processor
            .scoped_context(active, def, override_protected, propagate, self.options)
            .ok()
    }

    fn emit(&mut self, subject: Part, predicate: Part, object: Part, identity: Object<'d>) {
        self.out.triple(subject, predicate, object);
        self.objects.push(identity);
    }

    /// The node for a blank node identifier of the document (one node per identifier). A
    /// document with many of them takes the general path (this list is scanned).
    fn blank(&mut self, id: &str) -> Flow<Part> {
        if let Some((_, p)) = self.blanks.iter().find(|(l, _)| l == id) {
            return Some(*p);
        }
        if self.blanks.len() >= MAX_BLANK_IDS {
            return None;
        }
        let p = self.out.fresh_blank();
        self.blanks.push((id.to_string(), p));
        Some(p)
    }

    /// A node reference (`@id` or an `@id`/`@vocab`-typed string) as an object or subject term.
    fn reference(&mut self, iri: &str) -> Flow<Part> {
        if is_blank(iri) {
            self.blank(iri)
        } else if well_formed(iri) {
            Some(self.out.iri(iri))
        } else {
            None
        }
    }

    /// Expansion (§5.1 steps 7–13 for a map) of one node object, and its statements. Returns
    /// the node and how many members its expanded form has besides `@id`.
    fn node(
        &mut self,
        active_in: &Arc<Context>,
        prop: Option<&str>,
        entries: &[(&'d str, &'d Value)],
        depth: usize,
    ) -> Flow<(Part, usize)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let prop_def: Option<Arc<TermDef>> = prop.and_then(|p| active_in.terms.get(p).cloned());
        // Step 7: a type-scoped context does not apply to new node objects. (A value object
        // falls back below: `@value` is not a keyword this path handles.)
        let mut active = node_context(active_in, entries.iter().map(|(k, _)| *k), entries.len());
        // Step 8: property-scoped context.
        if let Some(def) = &prop_def {
            if def.context.is_some() {
                active = self.scoped(&active, def, true, true)?;
            }
        }
        // Step 9: embedded context.
        if let Some((_, c)) = entries.iter().find(|(k, _)| *k == "@context") {
            active = self
                .processor
                .process_context(&active, c, None, None, false, true, self.options)
                .ok()?;
        }
        let type_scoped = active.clone();
        // Step 11: type-scoped contexts, in lexicographic order of the types.
        let mut types: Option<&'d Value> = None;
        let mut types_key = "";
        for (k, v) in entries {
            if type_scoped.keyword_of(k) != Some("@type") {
                continue;
            }
            if types.is_some() {
                return None;
            }
            types = Some(v);
            types_key = k;
            let mut terms: Vec<&str> = as_slice(v).iter().filter_map(Value::as_str).collect();
            terms.sort_unstable();
            for t in terms {
                if let Some(def) = type_scoped.terms.get(t) {
                    if def.context.is_some() {
                        let def = def.clone();
                        active = self.scoped(&active, &def, false, false)?;
                    }
                }
            }
        }
        // A type-scoped context could redefine the alias that named the types.
        if types.is_some() && active.keyword_of(types_key) != Some("@type") {
            return None;
        }
        // The subject first: `@id` (the only other keyword handled here is `@type`).
        let mut id: Option<&'d Value> = None;
        for (k, v) in entries {
            if *k == "@context" {
                continue;
            }
            match active.keyword_of(k) {
                None => {}
                Some("@id") if id.is_none() => id = Some(v),
                Some("@type") if types.is_some_and(|t| std::ptr::eq(t, *v)) => {}
                Some(_) => return None,
            }
        }
        let subject = match id {
            None => self.out.fresh_blank(),
            Some(Value::String(s)) => {
                let iri = active.expand_iri(s, true, false)?;
                if !is_absolute_iri(&iri) {
                    return None;
                }
                self.reference(&iri)?
            }
            Some(_) => return None,
        };
        let mut members = 0;
        if let Some(tv) = types {
            members += 1;
            let items = as_slice(tv);
            if !items.iter().all(Value::is_string) {
                return None;
            }
            for t in items {
                let t = type_scoped.expand_iri(t.as_str().unwrap_or_default(), true, true)?;
                if t == "@json" || is_blank(&t) || !is_absolute_iri(&t) || !well_formed(&t) {
                    return None;
                }
                let predicate = match self.rdf_type {
                    Some(p) => p,
                    None => {
                        let p = self.out.iri(RDF_TYPE);
                        self.rdf_type = Some(p);
                        p
                    }
                };
                let object = self.out.iri(&t);
                self.emit(subject, predicate, object, Object::Ref);
            }
        }
        for (key, value) in entries {
            let key: &'d str = key;
            if active.keyword_of(key).is_some() {
                continue;
            }
            let def: Option<Arc<TermDef>> = if key.starts_with('@') {
                None
            } else {
                active.terms.get(key).cloned()
            };
            let expanded: Cow<'_, str> = match &def {
                Some(d) => Cow::Borrowed(d.iri.as_deref()?),
                None => active.expand_iri(key, false, true)?,
            };
            let known_absolute = def.as_ref().is_some_and(|d| d.absolute);
            if is_keyword(&expanded)
                || !(known_absolute || is_absolute_iri(&expanded))
                || is_blank(&expanded)
                || !well_formed(&expanded)
            {
                return None;
            }
            if let Some(d) = &def {
                if d.container & NOT_HERE != 0
                    || d.reverse
                    || d.type_mapping.as_deref() == Some("@json")
                {
                    return None;
                }
            }
            if !value.is_null() {
                members += 1;
            }
            let predicate = self.out.iri(&expanded);
            self.values(&active, key, value, subject, predicate, depth + 1)?;
        }
        Some((subject, members))
    }

    /// The values of property `key` of `subject` (§5.1 for arrays, maps and scalars).
    fn values(
        &mut self,
        active: &Arc<Context>,
        key: &str,
        value: &'d Value,
        subject: Part,
        predicate: Part,
        depth: usize,
    ) -> Flow<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match value {
            Value::Null => Some(()),
            Value::Array(items) => {
                for item in items {
                    self.values(active, key, item, subject, predicate, depth + 1)?;
                }
                Some(())
            }
            Value::Object(map) => {
                let entries: Vec<(&'d str, &'d Value)> =
                    map.iter().map(|(k, v)| (k.as_str(), v)).collect();
                let (object, _) = self.node(active, Some(key), &entries, depth + 1)?;
                self.emit(subject, predicate, object, Object::Ref);
                Some(())
            }
            scalar => self.scalar(active, key, scalar, subject, predicate),
        }
    }

    /// Value Expansion (§5.3) of a scalar, then its RDF term (toRdf §8.5).
    fn scalar(
        &mut self,
        active_in: &Arc<Context>,
        key: &str,
        value: &'d Value,
        subject: Part,
        predicate: Part,
    ) -> Flow<()> {
        let active = match active_in.terms.get(key) {
            Some(def) if def.context.is_some() => {
                let def = def.clone();
                self.scoped(active_in, &def, true, true)?
            }
            _ => active_in.clone(),
        };
        let def = active.term(key);
        let type_mapping = def.and_then(|d| d.type_mapping.as_deref());
        if let Value::String(s) = value {
            let vocab = match type_mapping {
                Some("@id") => Some(false),
                Some("@vocab") => Some(true),
                _ => None,
            };
            if let Some(vocab) = vocab {
                let iri = active.expand_iri(s, true, vocab)?;
                let object = self.reference(&iri)?;
                self.emit(subject, predicate, object, Object::Ref);
                return Some(());
            }
        }
        let datatype: Option<&str> = match type_mapping {
            Some("@id" | "@vocab" | "@none") | None => None,
            Some("@json") => return None,
            Some(t) => {
                // A typed value's @type must be an IRI; rdf:langString without a language is
                // left to the general path (its text would equal that of an xsd:string value).
                if !is_absolute_iri(t) || is_blank(t) || !well_formed(t) || t == RDF_LANG_STRING {
                    return None;
                }
                Some(t)
            }
        };
        let mut language: Option<&str> = None;
        if type_mapping.is_none() && value.is_string() {
            let direction = match def.and_then(|d| d.direction) {
                Some(d) => d,
                None => active.direction,
            };
            if direction.is_some() {
                return None;
            }
            language = match def.and_then(|d| d.language.as_ref()) {
                Some(l) => l.as_deref(),
                None => active.language.as_deref(),
            };
        }
        let object = match value {
            Value::Bool(b) => self.out.literal(
                if *b { "true" } else { "false" },
                datatype.unwrap_or(XSD_BOOLEAN),
                None,
            ),
            Value::Number(n) => {
                let f = n.as_f64().unwrap_or(0.0);
                if is_double(f) || datatype == Some(XSD_DOUBLE) {
                    self.out
                        .literal(&canonical_double(f), datatype.unwrap_or(XSD_DOUBLE), None)
                } else {
                    self.out
                        .literal(&js_to_fixed_0(f), datatype.unwrap_or(XSD_INTEGER), None)
                }
            }
            Value::String(s) if datatype == Some(XSD_DOUBLE) => {
                self.out
                    .literal(&canonical_double(js_parse_float(s)), XSD_DOUBLE, None)
            }
            Value::String(s) => match language {
                Some(l) => {
                    if !is_bcp47(l) {
                        return None;
                    }
                    self.out.literal(s, RDF_LANG_STRING, Some(l))
                }
                None => self.out.literal(s, datatype.unwrap_or(XSD_STRING), None),
            },
            _ => return None,
        };
        self.emit(
            subject,
            predicate,
            object,
            Object::Value {
                value,
                typed: datatype.is_some(),
            },
        );
        Some(())
    }

    /// Drops each quad whose statement and node-map identity equal an earlier one's (the node
    /// map's "add value unless present" for the same subject and property).
    fn dedup(&mut self) {
        let n = self.out.len();
        let mut by_hash: Vec<(u64, usize)> = (0..n).map(|i| (self.out.quad_hash(i), i)).collect();
        by_hash.sort_unstable();
        let mut keep = vec![true; n];
        let mut run = 0;
        while run < n {
            let mut end = run + 1;
            while end < n && by_hash[end].0 == by_hash[run].0 {
                end += 1;
            }
            for a in run..end {
                let i = by_hash[a].1;
                let duplicate = by_hash[run..a].iter().any(|&(_, j)| {
                    keep[j] && self.out.same_quad(i, j) && self.objects[i].same(&self.objects[j])
                });
                if duplicate {
                    keep[i] = false;
                }
            }
            run = end;
        }
        if keep.iter().any(|k| !k) {
            self.out.retain_quads(&keep);
        }
    }
}

#[cfg(test)]
mod tests;
