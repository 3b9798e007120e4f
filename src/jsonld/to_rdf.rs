//! Node Map Generation (§7.2) and Deserialize JSON-LD to RDF (§7.5), ordered like jsonld.js
//! (graphs, subjects and properties sorted) so blank node labels match the reference.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::context::{is_bcp47, warn};
use super::iri::{is_absolute_iri, is_blank, is_keyword};
use super::json_literal::canonical_json;
use super::number::{canonical_double, is_double, js_to_fixed_0};
use super::{Options, RdfDirection};
use crate::error::{Error, Result};
use crate::rdf::{Dataset, QuadSink, TermCow, RDF_LANG_STRING, XSD_STRING};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDF_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
const RDF_REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
const RDF_NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
const RDF_JSON: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON";
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// Issues `_:b0`, `_:b1`, … and remembers the mapping of input labels.
#[derive(Default)]
struct Issuer {
    map: HashMap<String, String>,
    counter: usize,
}

impl Issuer {
    fn fresh(&mut self) -> String {
        let id = format!("_:b{}", self.counter);
        self.counter += 1;
        id
    }
    fn relabel(&mut self, old: &str) -> String {
        if let Some(id) = self.map.get(old) {
            return id.clone();
        }
        let id = self.fresh();
        self.map.insert(old.to_string(), id.clone());
        id
    }
}

/// One value in the node map, borrowed from the expanded document where possible.
#[derive(Debug)]
enum Item<'a> {
    /// A value object.
    Value(&'a Map<String, Value>),
    /// A node reference (or a type IRI), relabelled if blank.
    Ref(Cow<'a, str>),
    /// A list.
    List(Vec<Item<'a>>),
}

impl PartialEq for Item<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Item::Value(a), Item::Value(b)) => std::ptr::eq(*a, *b) || a == b,
            (Item::Ref(a), Item::Ref(b)) => a == b,
            _ => false,
        }
    }
}

#[derive(Default)]
struct Node<'a> {
    /// Properties (`@type` included, it sorts first like in jsonld.js), each with its values.
    props: BTreeMap<Cow<'a, str>, Vec<Item<'a>>>,
    index: Option<&'a Value>,
    /// (property, value key) pairs already added, so that a unique add is O(1) however many
    /// values a property has (a flood of 10,000 identical objects would otherwise be quadratic).
    /// Used only for properties with many values (small ones are scanned).
    seen: std::collections::HashSet<(Cow<'a, str>, String)>,
    /// Properties whose values are all in `seen`.
    indexed: std::collections::HashSet<Cow<'a, str>>,
}

type Graph<'a> = BTreeMap<String, Node<'a>>;

/// How many values a property has before unique adds use a hash index instead of a scan.
const INDEX_AFTER: usize = 16;

/// The identity `Item::eq` compares: references by label, value objects by content; lists are
/// never equal to anything (no key).
fn item_key(item: &Item<'_>) -> Option<String> {
    match item {
        Item::Ref(r) => Some(format!("r{r}")),
        Item::Value(m) => Some(format!("v{}", Value::Object((*m).clone()))),
        Item::List(_) => None,
    }
}

#[derive(Clone, Copy)]
enum Subject<'a> {
    None,
    Id(&'a str),
    Reverse(&'a str),
}

struct NodeMap<'a> {
    graphs: BTreeMap<String, Graph<'a>>,
    issuer: Issuer,
}

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error::jsonld(code, message)
}

/// `map.get(key)` by a linear scan: expanded objects have a handful of entries, and comparing
/// a few short keys is cheaper than hashing one with SipHash.
fn field<'m>(map: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
}

fn as_slice(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        other => std::slice::from_ref(other),
    }
}

impl<'a> NodeMap<'a> {
    fn node(&mut self, graph: &str, id: &str) -> &mut Node<'a> {
        if !self.graphs.contains_key(graph) {
            self.graphs.insert(graph.to_string(), Graph::new());
        }
        let g = self
            .graphs
            .get_mut(graph)
            .expect("invariant: the graph was inserted above");
        if !g.contains_key(id) {
            g.insert(id.to_string(), Node::default());
        }
        g.get_mut(id)
            .expect("invariant: the node was inserted above")
    }

    /// Adds `value` to `node[property]`; `unique` skips a value already present.
    // The `Cow` is cloned into the map, so borrowed keys stay borrowed.
    #[allow(clippy::ptr_arg)]
    fn add(
        &mut self,
        graph: &str,
        id: &str,
        property: &Cow<'a, str>,
        value: Item<'a>,
        unique: bool,
    ) {
        let node = self.node(graph, id);
        if unique {
            let values = node.props.entry(property.clone()).or_default();
            if values.len() < INDEX_AFTER && !node.indexed.contains(property) {
                if values.contains(&value) {
                    return;
                }
            } else {
                if node.indexed.insert(property.clone()) {
                    for v in values.iter() {
                        if let Some(k) = item_key(v) {
                            node.seen.insert((property.clone(), k));
                        }
                    }
                }
                if let Some(k) = item_key(&value) {
                    if !node.seen.insert((property.clone(), k)) {
                        return;
                    }
                }
            }
        } else if node.indexed.contains(property) {
            if let Some(k) = item_key(&value) {
                node.seen.insert((property.clone(), k));
            }
        }
        node.props.entry(property.clone()).or_default().push(value);
    }

    fn generate(
        &mut self,
        element: &'a Value,
        graph: &str,
        subject: Subject<'_>,
        property: Option<&Cow<'a, str>>,
        mut list: Option<&mut Vec<Item<'a>>>,
    ) -> Result<()> {
        let map = match element {
            Value::Array(items) => {
                for item in items {
                    self.generate(item, graph, subject, property, list.as_deref_mut())?;
                }
                return Ok(());
            }
            Value::Object(m) => m,
            _ => return Ok(()),
        };
        if !self.graphs.contains_key(graph) {
            self.graphs.insert(graph.to_string(), Graph::new());
        }
        if field(map, "@value").is_some() {
            match list {
                Some(l) => l.push(Item::Value(map)),
                None => {
                    if let (Subject::Id(s), Some(p)) = (subject, property) {
                        self.add(graph, s, p, Item::Value(map), true);
                    }
                }
            }
            return Ok(());
        }
        if let Some(items) = field(map, "@list") {
            let mut inner = Vec::new();
            self.generate(items, graph, subject, property, Some(&mut inner))?;
            let result = Item::List(inner);
            match list {
                Some(l) => l.push(result),
                None => {
                    if let (Subject::Id(s), Some(p)) = (subject, property) {
                        self.add(graph, s, p, result, false);
                    }
                }
            }
            return Ok(());
        }
        // A node object. `{"@id": null}` (an @id that had the form of a keyword) names nothing.
        if field(map, "@id").is_some_and(|v| v.is_null()) {
            return Ok(());
        }
        let id: Cow<'a, str> = match field(map, "@id").and_then(|v| v.as_str()) {
            Some(i) if is_blank(i) => Cow::Owned(self.issuer.relabel(i)),
            Some(i) => Cow::Borrowed(i),
            None => Cow::Owned(self.issuer.fresh()),
        };
        self.node(graph, &id);
        match subject {
            Subject::Reverse(s) => {
                if let Some(p) = property {
                    self.add(graph, &id, p, Item::Ref(Cow::Owned(s.to_string())), true);
                }
            }
            Subject::Id(s) => {
                if let Some(p) = property {
                    let r = Item::Ref(id.clone());
                    match list {
                        Some(l) => l.push(r),
                        None => self.add(graph, s, p, r, true),
                    }
                }
            }
            Subject::None => {}
        }
        if let Some(types) = field(map, "@type") {
            let key: Cow<'a, str> = Cow::Borrowed("@type");
            for t in as_slice(types) {
                if let Some(t) = t.as_str() {
                    let t: Cow<'a, str> = if is_blank(t) {
                        Cow::Owned(self.issuer.relabel(t))
                    } else {
                        Cow::Borrowed(t)
                    };
                    self.add(graph, &id, &key, Item::Ref(t), true);
                }
            }
        }
        if let Some(index) = field(map, "@index") {
            let node = self.node(graph, &id);
            if let Some(existing) = node.index {
                if existing != index {
                    return Err(err(
                        "conflicting indexes",
                        format!("node {id} has two different @index values"),
                    ));
                }
            }
            node.index = Some(index);
        }
        if let Some(Value::Object(rev)) = field(map, "@reverse") {
            for (p, values) in rev {
                let p: Cow<'a, str> = Cow::Borrowed(p.as_str());
                for v in as_slice(values) {
                    self.generate(v, graph, Subject::Reverse(&id), Some(&p), None)?;
                }
            }
        }
        if let Some(g) = field(map, "@graph") {
            self.generate(g, &id, Subject::None, None, None)?;
        }
        if let Some(inc) = field(map, "@included") {
            self.generate(inc, graph, Subject::None, None, None)?;
        }
        let mut entries: Vec<(&'a String, &'a Value)> = map.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (p, value) in entries {
            if is_keyword(p) {
                continue;
            }
            let prop: Cow<'a, str> = if is_blank(p) {
                Cow::Owned(self.issuer.relabel(p))
            } else {
                Cow::Borrowed(p.as_str())
            };
            self.node(graph, &id).props.entry(prop.clone()).or_default();
            self.generate(value, graph, Subject::Id(&id), Some(&prop), None)?;
        }
        Ok(())
    }
}

/// An absolute IRI that RDF can carry (RFC 3987 shape: no space, `<>"{}|\\^` or backtick, at most
/// one `#`), or a blank node identifier. The JSON-LD toRdf algorithm skips anything else.
pub(super) fn well_formed(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() >= 2 && b[0] == b'_' && b[1] == b':' {
        return true;
    }
    // One pass: scheme, then no white space / forbidden characters and at most one `#`.
    let Some(first) = b.first() else {
        return false;
    };
    if !first.is_ascii_alphabetic() {
        return false;
    }
    let mut i = 1;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'+' | b'-' | b'.')) {
        i += 1;
    }
    if i >= b.len() || b[i] != b':' {
        return false;
    }
    let mut hashes = 0;
    for &c in &b[i + 1..] {
        match IRI_BYTE[c as usize] {
            OK => {}
            HASH => hashes += 1,
            BAD => return false,
            _ => return is_absolute_iri(id) && hashes_ok(id),
        }
    }
    hashes <= 1
}

const OK: u8 = 0;
const HASH: u8 = 1;
const BAD: u8 = 2;
const NON_ASCII: u8 = 3;

/// Class of each byte inside an IRI for [`well_formed`] (one table lookup per byte).
static IRI_BYTE: [u8; 256] = {
    let mut t = [OK; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c >= 0x80 {
            NON_ASCII
        } else if c <= 0x20
            || matches!(
                c,
                b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'\\' | b'^' | b'`'
            )
        {
            BAD
        } else if c == b'#' {
            HASH
        } else {
            OK
        };
        i += 1;
    }
    t
};

/// The slow path of [`well_formed`] for non-ASCII IRIs.
fn hashes_ok(id: &str) -> bool {
    id.matches('#').count() <= 1
        && !id
            .chars()
            .any(|c| c <= ' ' || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`'))
}

/// The term an id of the node map names: a blank node (`_:` stripped) or an IRI, borrowed.
fn term_of(id: &str) -> TermCow<'_> {
    match id.strip_prefix("_:") {
        Some(label) => TermCow::Blank(Cow::Borrowed(label)),
        None => TermCow::Iri(Cow::Borrowed(id)),
    }
}

/// A literal term with a borrowed or owned lexical form and datatype.
fn lit<'v>(value: impl Into<Cow<'v, str>>, datatype: impl Into<Cow<'v, str>>) -> TermCow<'v> {
    TermCow::Literal {
        value: value.into(),
        datatype: datatype.into(),
        language: None,
    }
}

struct Writer<'o, S> {
    options: &'o Options,
    issuer: Issuer,
    sink: &'o mut S,
}

/// Expanded JSON-LD → RDF dataset.
pub(crate) fn to_rdf(expanded: &Value, options: &Options) -> Result<Dataset> {
    let mut dataset = Dataset::new();
    to_rdf_into(expanded, options, &mut dataset)?;
    Ok(dataset)
}

/// Expanded JSON-LD → quads delivered to `sink`, in the order [`to_rdf`] lists them. Terms are
/// borrowed from the expanded document where they can be (a sink that serializes them, like
/// RDFC-1.0 inside a proof, then copies each IRI and literal once instead of three times).
pub(crate) fn to_rdf_into<S: QuadSink>(
    expanded: &Value,
    options: &Options,
    sink: &mut S,
) -> Result<()> {
    let mut node_map = NodeMap {
        graphs: BTreeMap::new(),
        issuer: Issuer::default(),
    };
    node_map.graphs.insert("@default".into(), Graph::new());
    node_map.generate(expanded, "@default", Subject::None, None, None)?;
    let NodeMap { graphs, issuer } = node_map;
    let mut w = Writer {
        options,
        issuer,
        sink,
    };
    for (name, graph) in &graphs {
        let graph_term = if name == "@default" {
            None
        } else if well_formed(name) {
            Some(term_of(name))
        } else {
            warn(options, "relative graph reference", || {
                format!("graph name `{name}` is not an absolute IRI")
            })?;
            continue;
        };
        w.graph(graph, graph_term.as_ref())?;
    }
    Ok(())
}

impl<S: QuadSink> Writer<'_, S> {
    fn graph(&mut self, graph: &Graph<'_>, graph_term: Option<&TermCow<'_>>) -> Result<()> {
        let options = self.options;
        for (id, node) in graph {
            let subject_ok = well_formed(id);
            let subject = term_of(id);
            for (property, items) in &node.props {
                let predicate = if property == "@type" {
                    RDF_TYPE
                } else if is_keyword(property) {
                    continue;
                } else {
                    property.as_ref()
                };
                if items.is_empty() {
                    continue;
                }
                if !subject_ok {
                    warn(options, "relative subject reference", || {
                        format!("subject `{id}` is not an absolute IRI")
                    })?;
                    continue;
                }
                if !well_formed(predicate) {
                    warn(options, "relative predicate reference", || {
                        format!("property `{predicate}` is not an absolute IRI")
                    })?;
                    continue;
                }
                if is_blank(predicate) && !options.produce_generalized_rdf {
                    warn(options, "blank node predicate", || {
                        format!("property `{predicate}` is a blank node")
                    })?;
                    continue;
                }
                let predicate = term_of(predicate);
                for item in items {
                    if let Some(object) = self.object(item, graph_term)? {
                        self.sink.quad(&subject, &predicate, &object, graph_term);
                    }
                }
            }
        }
        Ok(())
    }

    fn object<'i>(
        &mut self,
        item: &'i Item<'_>,
        graph: Option<&TermCow<'_>>,
    ) -> Result<Option<TermCow<'i>>> {
        match item {
            Item::Ref(id) => self.node_ref(id),
            Item::Value(map) => {
                let value = field(map, "@value").unwrap_or(&Value::Null);
                self.literal_term(value, map, graph)
            }
            Item::List(list) => self.list(list, graph).map(Some),
        }
    }

    fn node_ref<'i>(&self, id: &'i str) -> Result<Option<TermCow<'i>>> {
        if !well_formed(id) {
            warn(self.options, "relative object reference", || {
                format!("`{id}` is not an absolute IRI")
            })?;
            return Ok(None);
        }
        Ok(Some(term_of(id)))
    }

    fn fresh_blank(&mut self) -> TermCow<'static> {
        TermCow::Blank(Cow::Owned(self.issuer.fresh()[2..].to_string()))
    }

    fn list(&mut self, list: &[Item<'_>], graph: Option<&TermCow<'_>>) -> Result<TermCow<'static>> {
        let Some((last, init)) = list.split_last() else {
            return Ok(TermCow::Iri(Cow::Borrowed(RDF_NIL)));
        };
        let head = self.fresh_blank();
        let mut subject = head.clone();
        for item in init {
            let object = self.object(item, graph)?;
            let next = self.fresh_blank();
            self.push_list(&subject, object, &next, graph);
            subject = next;
        }
        let object = self.object(last, graph)?;
        self.push_list(
            &subject,
            object,
            &TermCow::Iri(Cow::Borrowed(RDF_NIL)),
            graph,
        );
        Ok(head)
    }

    fn push_list(
        &mut self,
        subject: &TermCow<'_>,
        object: Option<TermCow<'_>>,
        rest: &TermCow<'_>,
        graph: Option<&TermCow<'_>>,
    ) {
        if let Some(object) = object {
            self.sink.quad(
                subject,
                &TermCow::Iri(Cow::Borrowed(RDF_FIRST)),
                &object,
                graph,
            );
        }
        self.sink
            .quad(subject, &TermCow::Iri(Cow::Borrowed(RDF_REST)), rest, graph);
    }

    fn literal_term<'m>(
        &mut self,
        value: &'m Value,
        map: &'m Map<String, Value>,
        graph: Option<&TermCow<'_>>,
    ) -> Result<Option<TermCow<'m>>> {
        let datatype = field(map, "@type").and_then(|t| t.as_str());
        if datatype == Some("@json") {
            return Ok(Some(lit(canonical_json(value), RDF_JSON)));
        }
        match value {
            Value::Bool(b) => {
                let v = if *b { "true" } else { "false" };
                return Ok(Some(lit(v, datatype.unwrap_or(XSD_BOOLEAN))));
            }
            Value::Number(n) => {
                let f = n.as_f64().unwrap_or(0.0);
                if is_double(f) || datatype == Some(XSD_DOUBLE) {
                    return Ok(Some(lit(
                        canonical_double(f),
                        datatype.unwrap_or(XSD_DOUBLE),
                    )));
                }
                return Ok(Some(lit(js_to_fixed_0(f), datatype.unwrap_or(XSD_INTEGER))));
            }
            Value::String(s) if datatype == Some(XSD_DOUBLE) => {
                return Ok(Some(lit(canonical_double(js_parse_float(s)), XSD_DOUBLE)));
            }
            _ => {}
        }
        let s: &'m str = value.as_str().unwrap_or_default();
        let direction = field(map, "@direction").and_then(|d| d.as_str());
        let language = field(map, "@language").and_then(|l| l.as_str());
        if let Some(dir) = direction {
            match self.options.rdf_direction {
                Some(RdfDirection::I18nDatatype) => {
                    let dt = format!(
                        "https://www.w3.org/ns/i18n#{}_{dir}",
                        language.unwrap_or("").to_lowercase()
                    );
                    return Ok(Some(lit(s, dt)));
                }
                Some(RdfDirection::CompoundLiteral) => {
                    let node = self.fresh_blank();
                    let mut push = |p: &str, o: TermCow<'_>| {
                        self.sink.quad(
                            &node,
                            &TermCow::Iri(Cow::Owned(format!("{RDF}{p}"))),
                            &o,
                            graph,
                        )
                    };
                    push("value", lit(s, XSD_STRING));
                    if let Some(l) = language {
                        push("language", lit(l.to_lowercase(), XSD_STRING));
                    }
                    push("direction", lit(dir, XSD_STRING));
                    return Ok(Some(node));
                }
                None => {
                    warn(self.options, "rdfDirection not set", || {
                        format!("the base direction `{dir}` of `{s}` cannot be represented without the rdfDirection option")
                    })?;
                }
            }
        }
        if let Some(l) = language {
            if !is_bcp47(l) {
                warn(self.options, "invalid @language value", || {
                    format!("language tag `{l}` is not well-formed")
                })?;
                return Ok(None);
            }
            return Ok(Some(TermCow::Literal {
                value: Cow::Borrowed(s),
                datatype: Cow::Borrowed(datatype.unwrap_or(RDF_LANG_STRING)),
                language: Some(Cow::Borrowed(l)),
            }));
        }
        Ok(Some(lit(s, datatype.unwrap_or(XSD_STRING))))
    }
}

/// JavaScript `parseFloat`: the longest decimal-literal prefix after leading white space, else NaN.
pub(super) fn js_parse_float(s: &str) -> f64 {
    let t = s.trim_start();
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if t[i..].starts_with("Infinity") {
        return if b.first() == Some(&b'-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut any = i > digits_start;
    if i < b.len() && b[i] == b'.' {
        let j = i + 1;
        let mut k = j;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k > j || any {
            any = any || k > j;
            i = k;
        }
    }
    if !any {
        return f64::NAN;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut k = i + 1;
        if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        let ds = k;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k > ds {
            i = k;
        }
    }
    t[..i].parse().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_iris() {
        assert!(well_formed("https://example.org/a#b"));
        assert!(well_formed("_:b0"));
        assert!(well_formed("urn:uuid:1"));
        assert!(well_formed("https://example.org/é"));
        assert!(!well_formed("https://example.org/a#b#c"));
        assert!(!well_formed("https://example.org/<x>"));
        assert!(!well_formed("https://example.org/a b"));
        assert!(!well_formed("https://example.org/é#x#y"));
        assert!(!well_formed("relative"));
        assert!(!well_formed(""));
    }

    #[test]
    fn parse_float_like_javascript() {
        assert_eq!(js_parse_float(" 2.5abc"), 2.5);
        assert_eq!(js_parse_float("1e3"), 1000.0);
        assert_eq!(js_parse_float(".5"), 0.5);
        assert_eq!(js_parse_float("-Infinity"), f64::NEG_INFINITY);
        assert!(js_parse_float("abc").is_nan());
    }
}
