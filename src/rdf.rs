//! RDF terms, quads and datasets: what JSON-LD toRdf produces and RDFC-1.0 canonicalizes.
//!
//! The shapes here are shared by [`crate::jsonld`] (producer) and [`crate::rdfc`] (consumer).
//! N-Quads parsing and canonical serialization live beside the types, in [`crate::rdfc::nquads`].

/// The IRI of `xsd:string`, the datatype of simple literals.
pub const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
/// The IRI of `rdf:langString`, the datatype of language-tagged literals.
pub const RDF_LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";

/// An RDF term in subject, predicate, object or graph-name position.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Term {
    /// An absolute IRI, without angle brackets.
    Iri(String),
    /// A blank node, by its label without the `_:` prefix.
    Blank(String),
    /// A literal.
    Literal(Literal),
}

/// An RDF literal: lexical form, datatype IRI, optional language tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal {
    /// The lexical form.
    pub value: String,
    /// The datatype IRI ([`XSD_STRING`] for simple literals, [`RDF_LANG_STRING`] when `language` is set).
    pub datatype: String,
    /// The language tag, if any.
    pub language: Option<String>,
}

/// One statement: subject, predicate, object, and the graph it belongs to (`None` = default graph).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quad {
    /// Subject: an IRI or blank node.
    pub subject: Term,
    /// Predicate: an IRI (a blank node only in generalized RDF).
    pub predicate: Term,
    /// Object: any term.
    pub object: Term,
    /// Graph name: `None` for the default graph, else an IRI or blank node.
    pub graph: Option<Term>,
}

/// An RDF dataset: a set of quads. Duplicates are allowed in the vector; RDFC-1.0 removes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    /// The quads, in production order.
    pub quads: Vec<Quad>,
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Self {
        Dataset::default()
    }
    /// Adds a quad.
    pub fn push(&mut self, quad: Quad) {
        self.quads.push(quad);
    }
    /// Number of quads (duplicates included).
    pub fn len(&self) -> usize {
        self.quads.len()
    }
    /// Whether the dataset has no quads.
    pub fn is_empty(&self) -> bool {
        self.quads.is_empty()
    }
}

/// A term that borrows what it can: what toRdf hands a [`QuadSink`], so that a consumer which
/// only serializes quads (RDFC-1.0 inside a proof) never builds owned [`Term`]s.
#[derive(Debug, Clone)]
pub(crate) enum TermCow<'a> {
    /// An absolute IRI.
    Iri(std::borrow::Cow<'a, str>),
    /// A blank node label, without `_:`.
    Blank(std::borrow::Cow<'a, str>),
    /// A literal: lexical form, datatype IRI, language tag.
    Literal {
        value: std::borrow::Cow<'a, str>,
        datatype: std::borrow::Cow<'a, str>,
        language: Option<std::borrow::Cow<'a, str>>,
    },
}

impl TermCow<'_> {
    /// The owned [`Term`].
    pub(crate) fn to_term(&self) -> Term {
        match self {
            TermCow::Iri(i) => Term::Iri(i.to_string()),
            TermCow::Blank(b) => Term::Blank(b.to_string()),
            TermCow::Literal {
                value,
                datatype,
                language,
            } => Term::Literal(Literal {
                value: value.to_string(),
                datatype: datatype.to_string(),
                language: language.as_ref().map(|l| l.to_string()),
            }),
        }
    }
}

impl<'a> From<&'a Term> for TermCow<'a> {
    fn from(t: &'a Term) -> Self {
        use std::borrow::Cow::Borrowed;
        match t {
            Term::Iri(i) => TermCow::Iri(Borrowed(i)),
            Term::Blank(b) => TermCow::Blank(Borrowed(b)),
            Term::Literal(l) => TermCow::Literal {
                value: Borrowed(&l.value),
                datatype: Borrowed(&l.datatype),
                language: l.language.as_deref().map(Borrowed),
            },
        }
    }
}

/// Where toRdf delivers quads: a [`Dataset`], or a consumer that serializes them directly.
pub(crate) trait QuadSink {
    /// One quad (`graph` `None` = the default graph).
    fn quad(
        &mut self,
        subject: &TermCow<'_>,
        predicate: &TermCow<'_>,
        object: &TermCow<'_>,
        graph: Option<&TermCow<'_>>,
    );
}

impl QuadSink for Dataset {
    fn quad(
        &mut self,
        subject: &TermCow<'_>,
        predicate: &TermCow<'_>,
        object: &TermCow<'_>,
        graph: Option<&TermCow<'_>>,
    ) {
        self.push(Quad {
            subject: subject.to_term(),
            predicate: predicate.to_term(),
            object: object.to_term(),
            graph: graph.map(TermCow::to_term),
        });
    }
}
