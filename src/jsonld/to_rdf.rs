//! Node Map Generation (§7.2) and Deserialize JSON-LD to RDF (§7.5), ordered like jsonld.js
//! (graphs, subjects and properties sorted) so blank node labels match the reference.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::context::{is_bcp47, warn};
use super::iri::{is_absolute_iri, is_blank, is_keyword};
use super::json_literal::canonical_json;
use super::number::{canonical_double, is_double, js_to_fixed_0};
use super::{Options, RdfDirection};
use crate::error::{Error, Result};
use crate::rdf::{Dataset, Literal, Quad, Term, RDF_LANG_STRING, XSD_STRING};

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

type Node = Map<String, Value>;
type Graph = BTreeMap<String, Node>;

#[derive(Clone, Copy)]
enum Subject<'a> {
    None,
    Id(&'a str),
    Reverse(&'a str),
}

struct NodeMap {
    graphs: BTreeMap<String, Graph>,
    issuer: Issuer,
}

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error::jsonld(code, message)
}

fn id_of(v: &Value) -> Option<&str> {
    v.as_object()
        .and_then(|m| m.get("@id"))
        .and_then(|i| i.as_str())
}

fn reference(id: &str) -> Value {
    let mut m = Map::new();
    m.insert("@id".into(), Value::String(id.to_string()));
    Value::Object(m)
}

impl NodeMap {
    fn node(&mut self, graph: &str, id: &str) -> &mut Node {
        self.graphs
            .entry(graph.to_string())
            .or_default()
            .entry(id.to_string())
            .or_insert_with(|| {
                let mut m = Map::new();
                m.insert("@id".into(), Value::String(id.to_string()));
                m
            })
    }

    /// Adds `value` to `node[property]`; `unique` skips a value already present.
    fn add(&mut self, graph: &str, id: &str, property: &str, value: Value, unique: bool) {
        let node = self.node(graph, id);
        let slot = node
            .entry(property.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = slot {
            if !unique || !a.contains(&value) {
                a.push(value);
            }
        }
    }

    fn generate(
        &mut self,
        element: &Value,
        graph: &str,
        subject: Subject<'_>,
        property: Option<&str>,
        mut list: Option<&mut Vec<Value>>,
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
        self.graphs.entry(graph.to_string()).or_default();
        if map.contains_key("@value") {
            match list {
                Some(l) => l.push(element.clone()),
                None => {
                    if let (Subject::Id(s), Some(p)) = (subject, property) {
                        self.add(graph, s, p, element.clone(), true);
                    }
                }
            }
            return Ok(());
        }
        if let Some(items) = map.get("@list") {
            let mut inner = Vec::new();
            self.generate(items, graph, subject, property, Some(&mut inner))?;
            let mut m = Map::new();
            m.insert("@list".into(), Value::Array(inner));
            if let Some(i) = map.get("@index") {
                m.insert("@index".into(), i.clone());
            }
            let result = Value::Object(m);
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
        if map.get("@id").is_some_and(|v| v.is_null()) {
            return Ok(());
        }
        let id = match map.get("@id").and_then(|v| v.as_str()) {
            Some(i) if is_blank(i) => self.issuer.relabel(i),
            Some(i) => i.to_string(),
            None => self.issuer.fresh(),
        };
        self.node(graph, &id);
        match subject {
            Subject::Reverse(s) => {
                if let Some(p) = property {
                    self.add(graph, &id, p, reference(s), true);
                }
            }
            Subject::Id(s) => {
                if let Some(p) = property {
                    let r = reference(&id);
                    match list {
                        Some(l) => l.push(r),
                        None => self.add(graph, s, p, r, true),
                    }
                }
            }
            Subject::None => {}
        }
        if let Some(types) = map.get("@type") {
            let items: &[Value] = match types {
                Value::Array(a) => a,
                other => std::slice::from_ref(other),
            };
            for t in items {
                if let Some(t) = t.as_str() {
                    let t = if is_blank(t) {
                        self.issuer.relabel(t)
                    } else {
                        t.to_string()
                    };
                    self.add(graph, &id, "@type", Value::String(t), true);
                }
            }
        }
        if let Some(index) = map.get("@index") {
            let node = self.node(graph, &id);
            if let Some(existing) = node.get("@index") {
                if existing != index {
                    return Err(err(
                        "conflicting indexes",
                        format!("node {id} has two different @index values"),
                    ));
                }
            }
            node.insert("@index".into(), index.clone());
        }
        if let Some(Value::Object(rev)) = map.get("@reverse") {
            for (p, values) in rev {
                let items: &[Value] = match values {
                    Value::Array(a) => a,
                    other => std::slice::from_ref(other),
                };
                for v in items {
                    self.generate(v, graph, Subject::Reverse(&id), Some(p), None)?;
                }
            }
        }
        if let Some(g) = map.get("@graph") {
            self.generate(g, &id, Subject::None, None, None)?;
        }
        if let Some(inc) = map.get("@included") {
            self.generate(inc, graph, Subject::None, None, None)?;
        }
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort_unstable();
        for p in keys {
            if matches!(
                p.as_str(),
                "@id" | "@type" | "@index" | "@reverse" | "@graph" | "@included"
            ) || is_keyword(p)
            {
                continue;
            }
            let prop = if is_blank(p) {
                self.issuer.relabel(p)
            } else {
                p.clone()
            };
            let node = self.node(graph, &id);
            node.entry(prop.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            self.generate(&map[p.as_str()], graph, Subject::Id(&id), Some(&prop), None)?;
        }
        Ok(())
    }
}

/// An absolute IRI that RDF can carry (RFC 3987 shape: no space, `<>"{}|\\^` or backtick, at most
/// one `#`), or a blank node identifier. The JSON-LD toRdf algorithm skips anything else.
fn well_formed(id: &str) -> bool {
    if is_blank(id) {
        return true;
    }
    is_absolute_iri(id)
        && id.matches('#').count() <= 1
        && !id
            .chars()
            .any(|c| c <= ' ' || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`'))
}

fn make_term(id: &str) -> Term {
    match id.strip_prefix("_:") {
        Some(label) => Term::Blank(label.to_string()),
        None => Term::Iri(id.to_string()),
    }
}

struct Writer<'a> {
    options: &'a Options,
    issuer: Issuer,
    dataset: Dataset,
}

/// Expanded JSON-LD → RDF dataset.
pub(crate) fn to_rdf(expanded: &Value, options: &Options) -> Result<Dataset> {
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
        dataset: Dataset::new(),
    };
    for (name, graph) in &graphs {
        let graph_term = if name == "@default" {
            None
        } else if well_formed(name) {
            Some(make_term(name))
        } else {
            warn(options, "relative graph reference", || {
                format!("graph name `{name}` is not an absolute IRI")
            })?;
            continue;
        };
        w.graph(graph, graph_term.as_ref())?;
    }
    Ok(w.dataset)
}

impl Writer<'_> {
    fn graph(&mut self, graph: &Graph, graph_term: Option<&Term>) -> Result<()> {
        let options = self.options;
        for (id, node) in graph {
            let mut props: Vec<&String> = node.keys().collect();
            props.sort_unstable();
            for property in props {
                let predicate = if property == "@type" {
                    RDF_TYPE
                } else if is_keyword(property) {
                    continue;
                } else {
                    property.as_str()
                };
                let Some(items) = node[property.as_str()].as_array() else {
                    continue;
                };
                for item in items {
                    if !well_formed(id) {
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
                    if let Some(object) = self.object(item, graph_term)? {
                        self.dataset.push(Quad {
                            subject: make_term(id),
                            predicate: make_term(predicate),
                            object,
                            graph: graph_term.cloned(),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn object(&mut self, item: &Value, graph: Option<&Term>) -> Result<Option<Term>> {
        let options = self.options;
        let map = match item {
            Value::String(s) => return self.node_ref(s),
            Value::Object(m) => m,
            _ => return Ok(None),
        };
        if let Some(value) = map.get("@value") {
            return self.literal(value, map, graph);
        }
        if let Some(Value::Array(list)) = map.get("@list") {
            return self.list(list, graph).map(Some);
        }
        match id_of(item) {
            Some(id) => self.node_ref(id),
            None => {
                warn(options, "invalid node reference", || {
                    "a node without @id".to_string()
                })?;
                Ok(None)
            }
        }
    }

    fn node_ref(&self, id: &str) -> Result<Option<Term>> {
        if !well_formed(id) {
            warn(self.options, "relative object reference", || {
                format!("`{id}` is not an absolute IRI")
            })?;
            return Ok(None);
        }
        Ok(Some(make_term(id)))
    }

    fn list(&mut self, list: &[Value], graph: Option<&Term>) -> Result<Term> {
        let Some((last, init)) = list.split_last() else {
            return Ok(Term::Iri(RDF_NIL.into()));
        };
        let head = Term::Blank(self.issuer.fresh()[2..].to_string());
        let mut subject = head.clone();
        for item in init {
            let object = self.object(item, graph)?;
            let next = Term::Blank(self.issuer.fresh()[2..].to_string());
            self.push_list(&subject, object, &next, graph);
            subject = next;
        }
        let object = self.object(last, graph)?;
        self.push_list(&subject, object, &Term::Iri(RDF_NIL.into()), graph);
        Ok(head)
    }

    fn push_list(
        &mut self,
        subject: &Term,
        object: Option<Term>,
        rest: &Term,
        graph: Option<&Term>,
    ) {
        if let Some(object) = object {
            self.dataset.push(Quad {
                subject: subject.clone(),
                predicate: Term::Iri(RDF_FIRST.into()),
                object,
                graph: graph.cloned(),
            });
        }
        self.dataset.push(Quad {
            subject: subject.clone(),
            predicate: Term::Iri(RDF_REST.into()),
            object: rest.clone(),
            graph: graph.cloned(),
        });
    }

    fn literal(
        &mut self,
        value: &Value,
        map: &Map<String, Value>,
        graph: Option<&Term>,
    ) -> Result<Option<Term>> {
        self.literal_term(value, map, graph)
    }

    fn literal_term(
        &mut self,
        value: &Value,
        map: &Map<String, Value>,
        graph: Option<&Term>,
    ) -> Result<Option<Term>> {
        let datatype = map.get("@type").and_then(|t| t.as_str());
        let lit = |value: String, datatype: &str| {
            Term::Literal(Literal {
                value,
                datatype: datatype.to_string(),
                language: None,
            })
        };
        if datatype == Some("@json") {
            return Ok(Some(lit(canonical_json(value), RDF_JSON)));
        }
        match value {
            Value::Bool(b) => {
                return Ok(Some(lit(b.to_string(), datatype.unwrap_or(XSD_BOOLEAN))));
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
        let s = value.as_str().unwrap_or_default().to_string();
        let direction = map.get("@direction").and_then(|d| d.as_str());
        let language = map.get("@language").and_then(|l| l.as_str());
        if let Some(dir) = direction {
            match self.options.rdf_direction {
                Some(RdfDirection::I18nDatatype) => {
                    let dt = format!(
                        "https://www.w3.org/ns/i18n#{}_{dir}",
                        language.unwrap_or("").to_lowercase()
                    );
                    return Ok(Some(lit(s, &dt)));
                }
                Some(RdfDirection::CompoundLiteral) => {
                    let node = Term::Blank(self.issuer.fresh()[2..].to_string());
                    let mut push = |p: &str, o: Term| {
                        self.dataset.push(Quad {
                            subject: node.clone(),
                            predicate: Term::Iri(format!("{RDF}{p}")),
                            object: o,
                            graph: graph.cloned(),
                        })
                    };
                    push("value", lit(s, XSD_STRING));
                    if let Some(l) = language {
                        push("language", lit(l.to_lowercase(), XSD_STRING));
                    }
                    push("direction", lit(dir.to_string(), XSD_STRING));
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
            return Ok(Some(Term::Literal(Literal {
                value: s,
                datatype: datatype.unwrap_or(RDF_LANG_STRING).to_string(),
                language: Some(l.to_string()),
            })));
        }
        Ok(Some(lit(s, datatype.unwrap_or(XSD_STRING))))
    }
}

/// JavaScript `parseFloat`: the longest decimal-literal prefix after leading white space, else NaN.
fn js_parse_float(s: &str) -> f64 {
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
