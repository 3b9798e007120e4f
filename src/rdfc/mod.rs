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
use crate::rdf::{Dataset, Term};

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
    Ok(canonicalize_with(dataset, &Options::default())?.nquads)
}

/// Canonicalizes `dataset`.
pub fn canonicalize_with(dataset: &Dataset, options: &Options) -> Result<Canonicalized> {
    let mut state = State::new(dataset, options);
    state.run()?;
    Ok(state.finish())
}

/// A quad with blank nodes interned and other terms pre-serialized.
struct IQuad {
    parts: [Part; 4],
}

impl IQuad {
    /// The serialized predicate (`<…>`), for Hash Related Blank Node.
    fn predicate(&self) -> &str {
        match &self.parts[1] {
            Part::Text(t) => t,
            _ => "",
        }
    }
}

enum Part {
    Blank(usize),
    Text(String),
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

struct State<'a> {
    labels: Vec<&'a str>,
    quads: Vec<IQuad>,
    by_blank: Vec<Vec<usize>>,
    first_degree: Vec<Option<String>>,
    canonical: Issuer,
    hash: HashAlgorithm,
    work: u64,
    max_work: u64,
}

fn term_part<'a>(
    t: &'a Term,
    labels: &mut Vec<&'a str>,
    index: &mut HashMap<&'a str, usize>,
) -> Part {
    match t {
        Term::Blank(b) => {
            let n = labels.len();
            let i = *index.entry(b.as_str()).or_insert_with(|| {
                labels.push(b.as_str());
                n
            });
            Part::Blank(i)
        }
        other => {
            let mut s = String::with_capacity(64);
            nquads::write_term(&mut s, other);
            Part::Text(s)
        }
    }
}

impl<'a> State<'a> {
    fn new(dataset: &'a Dataset, options: &Options) -> Self {
        let mut labels = Vec::new();
        let mut index = HashMap::new();
        let mut quads = Vec::with_capacity(dataset.quads.len());
        for q in &dataset.quads {
            let s = term_part(&q.subject, &mut labels, &mut index);
            let p = term_part(&q.predicate, &mut labels, &mut index);
            let o = term_part(&q.object, &mut labels, &mut index);
            let g = match &q.graph {
                Some(g) => term_part(g, &mut labels, &mut index),
                None => Part::None,
            };
            quads.push(IQuad {
                parts: [s, p, o, g],
            });
        }
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
            quads,
            by_blank,
            hash: options.hash,
            work: 0,
            max_work: options.max_work,
        }
    }

    fn digest(&self, data: &[u8]) -> String {
        match self.hash {
            HashAlgorithm::Sha256 => hex::encode(Sha256::digest(data)),
            HashAlgorithm::Sha384 => hex::encode(Sha384::digest(data)),
        }
    }

    fn serialize<'l>(&self, q: &IQuad, label: &dyn Fn(usize) -> &'l str, out: &mut String) {
        for (i, part) in q.parts.iter().enumerate() {
            match part {
                Part::Blank(b) => {
                    out.push_str("_:");
                    out.push_str(label(*b));
                }
                Part::Text(t) => out.push_str(t),
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
        let mut lines: Vec<String> = self.by_blank[b]
            .iter()
            .map(|&qi| {
                let mut s = String::new();
                let f = |x: usize| if x == b { "a" } else { "z" };
                self.serialize(&self.quads[qi], &f, &mut s);
                s
            })
            .collect();
        sort_utf16(&mut lines);
        let h = self.digest(lines.concat().as_bytes());
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
            input.push_str(self.quads[q].predicate());
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

    fn finish(self) -> Canonicalized {
        let canonical = &self.canonical;
        let label = |b: usize| canonical.get(b).map_or("", String::as_str);
        let mut lines: Vec<String> = self
            .quads
            .iter()
            .map(|q| {
                let mut s = String::with_capacity(160);
                self.serialize(q, &label, &mut s);
                s
            })
            .collect();
        sort_utf16(&mut lines);
        lines.dedup();
        let issued = self
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.to_string(), label(i).to_string()))
            .collect();
        Canonicalized {
            nquads: lines.concat(),
            issued,
        }
    }
}

/// Sorts like JavaScript's default `Array.prototype.sort` (UTF-16 code units). Byte order of UTF-8
/// equals code point order; the two differ only for supplementary characters vs U+E000–U+FFFF.
fn sort_utf16(lines: &mut [String]) {
    // In UTF-8, characters from U+E000 up start with a byte 0xEE or above.
    let needs_utf16 = lines.iter().any(|l| l.bytes().any(|b| b >= 0xEE));
    if needs_utf16 {
        lines.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    } else {
        lines.sort_unstable();
    }
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
