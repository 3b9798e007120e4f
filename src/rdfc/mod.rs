//! RDF Dataset Canonicalization (W3C RDFC-1.0) and N-Quads.
//!
//! Written here, not taken from a crate, because it sits under every eddsa-rdfc-2022 signature and
//! must be fast and agree byte for byte with `rdf-canonize` (the JS reference): blank nodes are
//! interned as indices, each quad's non-blank terms are serialized once, and the common case (every
//! blank node has a unique first-degree hash) never enters the N-degree algorithm. Proven by the
//! whole W3C rdf-canon suite (tests/rdf_canon.rs).
//!
//! Output lines are sorted by UTF-16 code units, as `rdf-canonize` does (JavaScript's default
//! sort); this equals the spec's code point order except when a character above U+FFFF is compared
//! with one in U+E000–U+FFFF at the first difference.
//!
//! # Example
//! ```
//! let ds = openbadges::rdfc::nquads::parse(
//!     "_:x <http://ex/p> \"v\" .\n_:x <http://ex/q> _:y .\n")?;
//! let canonical = openbadges::rdfc::canonicalize(&ds)?;
//! assert_eq!(canonical,
//!     "_:c14n0 <http://ex/p> \"v\" .\n_:c14n0 <http://ex/q> _:c14n1 .\n");
//! # Ok::<(), openbadges::Error>(())
//! ```

pub mod nquads;

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256, Sha384};

use crate::error::{Error, ErrorKind, Result};
use crate::rdf::{Dataset, QuadSink, TermCow};

/// The hash function of the canonicalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256 (the default, and what eddsa-rdfc-2022 uses).
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
}

/// The default bound on work: calls to Hash N-Degree Quads plus permutations tried.
pub const DEFAULT_MAX_WORK: u64 = 250_000;

/// Canonicalization options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Hash function.
    pub hash: HashAlgorithm,
    /// Bound on the N-degree work (see [`DEFAULT_MAX_WORK`]); past it, a `Limit` error
    /// ("complexity limit") stops poison datasets.
    pub max_work: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            hash: HashAlgorithm::Sha256,
            max_work: DEFAULT_MAX_WORK,
        }
    }
}

/// The result of canonicalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonicalized {
    /// Canonical N-Quads: sorted, duplicate-free, each line ending in `\n`.
    pub nquads: String,
    /// The issued identifiers: input blank node label → canonical label (`c14nN`).
    pub issued: BTreeMap<String, String>,
}

/// Canonical N-Quads of `dataset` with the default options.
pub fn canonicalize(dataset: &Dataset) -> Result<String> {
    collect(dataset).canonicalize()
}

/// Canonicalizes `dataset`.
pub fn canonicalize_with(dataset: &Dataset, options: &Options) -> Result<Canonicalized> {
    let mut state = State::new(collect(dataset), options);
    state.run()?;
    Ok(state.finish(true))
}

/// A quad with blank nodes interned and other terms pre-serialized.
struct IQuad {
    parts: [Part; 4],
}

/// One position of an [`IQuad`]: a blank node, or the N-Quads text of another term as a range of
/// [`State::text`] (one buffer for every term of the dataset, not a string each).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Blank(usize),
    Text(u32, u32),
    None,
}

/// An identifier issuer over interned blank nodes (index → issued label).
/// An identifier issuer. Sparse (a map, not a vector sized by the number of blank nodes): the
/// algorithm makes a temporary issuer for every blank node of a group with equal first-degree
/// hashes, and a dense one would cost O(n²) memory on n identical blank nodes (11,000 identical
/// `alignment` objects took 2.9 GB).
#[derive(Clone)]
struct Issuer {
    prefix: &'static str,
    ids: HashMap<usize, String>,
    order: Vec<usize>,
}

impl Issuer {
    fn new(prefix: &'static str, _blanks: usize) -> Self {
        Issuer {
            prefix,
            ids: HashMap::new(),
            order: Vec::new(),
        }
    }
    fn issue(&mut self, b: usize) -> String {
        if let Some(id) = self.ids.get(&b) {
            return id.clone();
        }
        let id = format!("{}{}", self.prefix, self.order.len());
        self.ids.insert(b, id.clone());
        self.order.push(b);
        id
    }
    fn get(&self, b: usize) -> Option<&String> {
        self.ids.get(&b)
    }
}

struct State {
    labels: Vec<String>,
    /// The serialized non-blank terms ([`Part::Text`] ranges point here).
    text: String,
    /// Scratch buffer for the lines hashed by Hash First Degree Quads (reused across calls).
    scratch: String,
    quads: Vec<IQuad>,
    by_blank: Vec<Vec<usize>>,
    first_degree: Vec<Option<String>>,
    canonical: Issuer,
    hash: HashAlgorithm,
    work: u64,
    max_work: u64,
}

/// Collects quads for canonicalization: blank nodes interned as indices, every other term
/// serialized once into one text buffer. It is a [`QuadSink`], so toRdf can fill it directly
/// (inside a proof no owned [`crate::rdf::Dataset`] is built), and [`canonicalize_with`] fills it
/// from a dataset.
#[derive(Default)]
pub(crate) struct Collector {
    labels: Vec<String>,
    index: HashMap<String, usize>,
    text: String,
    quads: Vec<IQuad>,
}

impl Collector {
    fn part(&mut self, t: &TermCow<'_>) -> Part {
        match t {
            TermCow::Blank(b) => {
                if let Some(&i) = self.index.get(b.as_ref()) {
                    return Part::Blank(i);
                }
                let i = self.labels.len();
                self.labels.push(b.to_string());
                self.index.insert(b.to_string(), i);
                Part::Blank(i)
            }
            other => {
                let start = self.text.len();
                nquads::write_term_cow(&mut self.text, other);
                Part::Text(offset(start), offset(self.text.len()))
            }
        }
    }

    /// A new blank node (its label is never shown: only the canonical labels are written).
    pub(crate) fn fresh_blank(&mut self) -> Part {
        let i = self.labels.len();
        self.labels.push(String::new());
        Part::Blank(i)
    }

    /// An IRI, written once into the term buffer (the part can be used by any number of quads).
    pub(crate) fn iri(&mut self, iri: &str) -> Part {
        let start = self.text.len();
        nquads::write_iri(&mut self.text, iri);
        Part::Text(offset(start), offset(self.text.len()))
    }

    /// A literal, written once into the term buffer.
    pub(crate) fn literal(&mut self, value: &str, datatype: &str, language: Option<&str>) -> Part {
        let start = self.text.len();
        nquads::write_literal_parts(&mut self.text, value, datatype, language);
        Part::Text(offset(start), offset(self.text.len()))
    }

    /// A quad of the default graph.
    pub(crate) fn triple(&mut self, subject: Part, predicate: Part, object: Part) {
        self.quads.push(IQuad {
            parts: [subject, predicate, object, Part::None],
        });
    }

    /// Number of quads collected so far.
    pub(crate) fn len(&self) -> usize {
        self.quads.len()
    }

    fn part_bytes(&self, p: Part) -> &[u8] {
        match p {
            Part::Text(a, b) => self
                .text
                .as_bytes()
                .get(a as usize..b as usize)
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Whether quads `a` and `b` are the same statement (same blank nodes, same term texts).
    pub(crate) fn same_quad(&self, a: usize, b: usize) -> bool {
        let (qa, qb) = (&self.quads[a], &self.quads[b]);
        qa.parts.iter().zip(&qb.parts).all(|(x, y)| match (x, y) {
            (Part::Text(..), Part::Text(..)) => self.part_bytes(*x) == self.part_bytes(*y),
            _ => x == y,
        })
    }

    /// A hash of quad `i`'s content, equal for quads that [`Collector::same_quad`] calls equal.
    pub(crate) fn quad_hash(&self, i: usize) -> u64 {
        use std::hash::{BuildHasher, Hasher};
        let mut h = foldhash::fast::FixedState::with_seed(0x6f62).build_hasher();
        for p in &self.quads[i].parts {
            match *p {
                Part::Blank(b) => {
                    h.write_u8(1);
                    h.write_usize(b);
                }
                Part::Text(..) => {
                    h.write_u8(2);
                    h.write(self.part_bytes(*p));
                }
                Part::None => h.write_u8(3),
            }
        }
        h.finish()
    }

    /// Keeps the quads whose flag in `keep` is set (in order).
    pub(crate) fn retain_quads(&mut self, keep: &[bool]) {
        let mut i = 0;
        self.quads.retain(|_| {
            let k = keep.get(i).copied().unwrap_or(true);
            i += 1;
            k
        });
    }

    /// The canonical N-Quads of the collected quads (default options: SHA-256 and the
    /// [`DEFAULT_MAX_WORK`] bound).
    pub(crate) fn canonicalize(self) -> Result<String> {
        let mut state = State::new(self, &Options::default());
        state.run()?;
        Ok(state.finish(false).nquads)
    }
}

impl QuadSink for Collector {
    fn quad(
        &mut self,
        subject: &TermCow<'_>,
        predicate: &TermCow<'_>,
        object: &TermCow<'_>,
        graph: Option<&TermCow<'_>>,
    ) {
        let s = self.part(subject);
        let p = self.part(predicate);
        let o = self.part(object);
        let g = match graph {
            Some(g) => self.part(g),
            None => Part::None,
        };
        self.quads.push(IQuad {
            parts: [s, p, o, g],
        });
    }
}

fn collect(dataset: &Dataset) -> Collector {
    let mut c = Collector {
        text: String::with_capacity(dataset.quads.len() * 120),
        quads: Vec::with_capacity(dataset.quads.len()),
        ..Collector::default()
    };
    for q in &dataset.quads {
        c.quad(
            &TermCow::from(&q.subject),
            &TermCow::from(&q.predicate),
            &TermCow::from(&q.object),
            q.graph.as_ref().map(TermCow::from).as_ref(),
        );
    }
    c
}

/// A byte offset into the term buffer. Datasets are bounded far below 4 GiB of N-Quads by the
/// document size limits before them; saturating keeps the conversion total regardless.
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl State {
    fn new(collected: Collector, options: &Options) -> Self {
        let Collector {
            labels,
            text,
            quads,
            ..
        } = collected;
        let mut by_blank = vec![Vec::new(); labels.len()];
        for (qi, q) in quads.iter().enumerate() {
            for part in &q.parts {
                if let Part::Blank(b) = part {
                    if by_blank[*b].last() != Some(&qi) {
                        by_blank[*b].push(qi);
                    }
                }
            }
        }
        State {
            first_degree: vec![None; labels.len()],
            canonical: Issuer::new("c14n", labels.len()),
            labels,
            text,
            scratch: String::new(),
            quads,
            by_blank,
            hash: options.hash,
            work: 0,
            max_work: options.max_work,
        }
    }

    fn digest(&self, data: &[u8]) -> String {
        let whole = 0..data.len();
        self.digest_lines(data, std::slice::from_ref(&whole))
    }

    /// The hex digest of the concatenation of `lines` (ranges of `buf`), without concatenating.
    fn digest_lines(&self, buf: &[u8], lines: &[std::ops::Range<usize>]) -> String {
        fn run<D: Digest>(buf: &[u8], lines: &[std::ops::Range<usize>]) -> String {
            let mut d = D::new();
            for r in lines {
                d.update(&buf[r.clone()]);
            }
            hex::encode(d.finalize())
        }
        match self.hash {
            HashAlgorithm::Sha256 => run::<Sha256>(buf, lines),
            HashAlgorithm::Sha384 => run::<Sha384>(buf, lines),
        }
    }

    /// The N-Quads text of a non-blank term.
    fn part_text(&self, a: u32, b: u32) -> &str {
        self.text.get(a as usize..b as usize).unwrap_or_default()
    }

    /// The serialized predicate (`<…>`) of quad `q`, for Hash Related Blank Node.
    fn predicate(&self, q: usize) -> &str {
        match self.quads[q].parts[1] {
            Part::Text(a, b) => self.part_text(a, b),
            _ => "",
        }
    }

    fn serialize<'l>(&self, q: &IQuad, label: &dyn Fn(usize) -> &'l str, out: &mut String) {
        for (i, part) in q.parts.iter().enumerate() {
            match *part {
                Part::Blank(b) => {
                    out.push_str("_:");
                    out.push_str(label(b));
                }
                Part::Text(a, b) => out.push_str(self.part_text(a, b)),
                Part::None => continue,
            }
            if i < 3 {
                out.push(' ');
            }
        }
        if !matches!(q.parts[3], Part::None) {
            out.push(' ');
        }
        out.push_str(".\n");
    }

    fn hash_first_degree(&mut self, b: usize) -> String {
        if let Some(h) = &self.first_degree[b] {
            return h.clone();
        }
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let f = |x: usize| if x == b { "a" } else { "z" };
        let mut lines = Vec::with_capacity(self.by_blank[b].len());
        for &qi in &self.by_blank[b] {
            let start = buf.len();
            self.serialize(&self.quads[qi], &f, &mut buf);
            lines.push(start..buf.len());
        }
        sort_lines(&buf, &mut lines);
        let h = self.digest_lines(buf.as_bytes(), &lines);
        self.scratch = buf;
        self.first_degree[b] = Some(h.clone());
        h
    }

    fn run(&mut self) -> Result<()> {
        let n = self.labels.len();
        let mut hash_to_blanks: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for b in 0..n {
            let h = self.hash_first_degree(b);
            hash_to_blanks.entry(h).or_default().push(b);
        }
        let mut non_unique = Vec::new();
        for (_, blanks) in hash_to_blanks {
            if blanks.len() == 1 {
                self.canonical.issue(blanks[0]);
            } else {
                non_unique.push(blanks);
            }
        }
        for blanks in non_unique {
            let mut paths: Vec<(String, Issuer)> = Vec::new();
            for b in blanks {
                if self.canonical.get(b).is_some() {
                    continue;
                }
                let mut temp = Issuer::new("b", self.labels.len());
                temp.issue(b);
                paths.push(self.hash_n_degree(b, temp)?);
            }
            paths.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, issuer) in paths {
                for b in issuer.order {
                    self.canonical.issue(b);
                }
            }
        }
        Ok(())
    }

    fn tick(&mut self) -> Result<()> {
        self.work += 1;
        if self.work > self.max_work {
            return Err(Error::new(
                ErrorKind::Limit,
                format!(
                    "RDFC-1.0 complexity limit: more than {} steps of Hash N-Degree Quads (a poison dataset?)",
                    self.max_work
                ),
            ));
        }
        Ok(())
    }

    fn hash_related(
        &mut self,
        related: usize,
        q: usize,
        issuer: &Issuer,
        position: char,
    ) -> String {
        let id = if let Some(c) = self.canonical.get(related) {
            format!("_:{c}")
        } else if let Some(t) = issuer.get(related) {
            format!("_:{t}")
        } else {
            self.hash_first_degree(related)
        };
        let mut input = String::new();
        input.push(position);
        if position != 'g' {
            input.push_str(self.predicate(q));
        }
        input.push_str(&id);
        self.digest(input.as_bytes())
    }

    fn hash_n_degree(&mut self, b: usize, issuer: Issuer) -> Result<(String, Issuer)> {
        self.tick()?;
        let mut issuer = issuer;
        let mut related_map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for qi in self.by_blank[b].clone() {
            for (pos, ch) in [(0usize, 's'), (2, 'o'), (3, 'g')] {
                if let Part::Blank(r) = self.quads[qi].parts[pos] {
                    if r != b {
                        let h = self.hash_related(r, qi, &issuer, ch);
                        let list = related_map.entry(h).or_default();
                        list.push(r);
                    }
                }
            }
        }
        let mut data = String::new();
        for (hash, list) in related_map {
            data.push_str(&hash);
            let mut chosen_path = String::new();
            let mut chosen_issuer: Option<Issuer> = None;
            let mut perm = list.clone();
            perm.sort_unstable();
            let mut first = true;
            while first || next_permutation(&mut perm) {
                first = false;
                self.tick()?;
                let mut issuer_copy = issuer.clone();
                let mut path = String::new();
                let mut recursion = Vec::new();
                let mut skip = false;
                for &r in &perm {
                    if let Some(c) = self.canonical.get(r) {
                        path.push_str("_:");
                        path.push_str(c);
                    } else {
                        if issuer_copy.get(r).is_none() {
                            recursion.push(r);
                        }
                        path.push_str("_:");
                        path.push_str(&issuer_copy.issue(r));
                    }
                    if !chosen_path.is_empty()
                        && path.len() >= chosen_path.len()
                        && path > chosen_path
                    {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                for r in recursion {
                    let (h, result_issuer) = self.hash_n_degree(r, issuer_copy.clone())?;
                    path.push_str("_:");
                    path.push_str(&issuer_copy.issue(r));
                    path.push('<');
                    path.push_str(&h);
                    path.push('>');
                    issuer_copy = result_issuer;
                    if !chosen_path.is_empty()
                        && path.len() >= chosen_path.len()
                        && path > chosen_path
                    {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                if chosen_path.is_empty() || path < chosen_path {
                    chosen_path = path;
                    chosen_issuer = Some(issuer_copy);
                }
            }
            data.push_str(&chosen_path);
            if let Some(i) = chosen_issuer {
                issuer = i;
            }
        }
        Ok((self.digest(data.as_bytes()), issuer))
    }

    /// The canonical N-Quads (and, when `with_issued`, the label map): every line written into
    /// one buffer, the line ranges sorted and deduplicated, then copied out once.
    fn finish(self, with_issued: bool) -> Canonicalized {
        let canonical = &self.canonical;
        let label = |b: usize| canonical.get(b).map_or("", String::as_str);
        let mut buf = String::with_capacity(self.text.len() + self.quads.len() * 24);
        let mut lines = Vec::with_capacity(self.quads.len());
        for q in &self.quads {
            let start = buf.len();
            self.serialize(q, &label, &mut buf);
            lines.push(start..buf.len());
        }
        sort_lines(&buf, &mut lines);
        lines.dedup_by(|a, b| buf[a.clone()] == buf[b.clone()]);
        let mut nquads = String::with_capacity(buf.len());
        for r in &lines {
            nquads.push_str(&buf[r.clone()]);
        }
        let issued = if with_issued {
            self.labels
                .iter()
                .enumerate()
                .map(|(i, l)| (l.to_string(), label(i).to_string()))
                .collect()
        } else {
            BTreeMap::new()
        };
        Canonicalized { nquads, issued }
    }
}

/// Sorts lines (ranges of `buf`) like JavaScript's default `Array.prototype.sort` (UTF-16 code
/// units). Byte order of UTF-8 equals code point order; the two differ only for supplementary
/// characters vs U+E000–U+FFFF.
fn sort_lines(buf: &str, lines: &mut [std::ops::Range<usize>]) {
    let needs_utf16 = has_lead_byte_ee(buf.as_bytes());
    if needs_utf16 {
        lines.sort_by(|a, b| {
            buf[a.clone()]
                .encode_utf16()
                .cmp(buf[b.clone()].encode_utf16())
        });
    } else {
        lines.sort_unstable_by(|a, b| buf.as_bytes()[a.clone()].cmp(&buf.as_bytes()[b.clone()]));
    }
}

/// Whether `b` has a byte 0xEE or above — in UTF-8, the lead byte of a character from U+E000 up.
/// Eight bytes at a time: a word with no high bit set is all ASCII and is skipped whole (most
/// N-Quads are ASCII, and this runs for every line set sorted).
fn has_lead_byte_ee(b: &[u8]) -> bool {
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        if x & 0x8080_8080_8080_8080 != 0 && w.iter().any(|&c| c >= 0xEE) {
            return true;
        }
    }
    words.remainder().iter().any(|&c| c >= 0xEE)
}

/// Lexicographic next permutation; false when `v` was the last one.
fn next_permutation(v: &mut [usize]) -> bool {
    if v.len() < 2 {
        return false;
    }
    let mut i = v.len() - 1;
    while i > 0 && v[i - 1] >= v[i] {
        i -= 1;
    }
    if i == 0 {
        return false;
    }
    let mut j = v.len() - 1;
    while v[j] <= v[i - 1] {
        j -= 1;
    }
    v.swap(i - 1, j);
    v[i..].reverse();
    true
}

#[cfg(test)]
mod tests {
    use super::has_lead_byte_ee;

    #[test]
    fn finds_a_high_character_anywhere() {
        assert!(!has_lead_byte_ee(b""));
        assert!(!has_lead_byte_ee(
            "plain ascii, and é and 漢 (below U+E000)".as_bytes()
        ));
        for pad in 0..20 {
            let s = format!("{}\u{E000}{}", "a".repeat(pad), "b".repeat(pad % 7));
            assert!(has_lead_byte_ee(s.as_bytes()), "{pad}");
            let s = format!("{}\u{1F600}", "a".repeat(pad));
            assert!(has_lead_byte_ee(s.as_bytes()), "{pad}");
        }
    }
}
