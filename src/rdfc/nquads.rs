//! N-Quads: a strict parser and the canonical serializer (RDFC-1.0 §Canonical N-Quads), escaping
//! exactly as `rdf-canonize` (the JS reference) does: in literals `\b \t \n \f \r \" \\` as ECHAR and
//! other C0 controls and U+007F as `\u00XX`; in IRIs U+0000–U+0020 and `<>"{}|^`\` as `\u00XX`.

use crate::error::{Error, ErrorKind, Result};
use crate::rdf::{Dataset, Literal, Quad, Term, TermCow, RDF_LANG_STRING, XSD_STRING};

/// Appends `term` in N-Quads form.
pub fn write_term(out: &mut String, term: &Term) {
    match term {
        Term::Iri(i) => write_iri(out, i),
        Term::Blank(b) => {
            out.push_str("_:");
            out.push_str(b);
        }
        Term::Literal(l) => write_literal(out, l),
    }
}

/// Bytes that must be escaped inside an IRI.
const IRI_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i <= 0x20 {
        t[i] = true;
        i += 1;
    }
    let specials = b"<>\"{}|^`\\";
    let mut j = 0;
    while j < specials.len() {
        t[specials[j] as usize] = true;
        j += 1;
    }
    t
};

pub(crate) fn write_iri(out: &mut String, iri: &str) {
    out.push('<');
    let needs = |b: u8| IRI_ESCAPE[b as usize];
    if !iri.bytes().any(needs) {
        out.push_str(iri);
    } else {
        for c in iri.chars() {
            if c.is_ascii() && needs(c as u8) {
                push_uchar(out, c);
            } else {
                out.push(c);
            }
        }
    }
    out.push('>');
}

fn push_uchar(out: &mut String, c: char) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let v = c as u32;
    out.push_str("\\u00");
    out.push(HEX[(v >> 4) as usize & 0xf] as char);
    out.push(HEX[v as usize & 0xf] as char);
}

pub(crate) fn write_literal(out: &mut String, l: &Literal) {
    write_literal_parts(out, &l.value, &l.datatype, l.language.as_deref());
}

/// Appends a term given as borrowed parts (what toRdf hands RDFC-1.0 inside a proof).
pub(crate) fn write_term_cow(out: &mut String, term: &TermCow<'_>) {
    match term {
        TermCow::Iri(i) => write_iri(out, i),
        TermCow::Blank(b) => {
            out.push_str("_:");
            out.push_str(b);
        }
        TermCow::Literal {
            value,
            datatype,
            language,
        } => write_literal_parts(out, value, datatype, language.as_deref()),
    }
}

pub(crate) fn write_literal_parts(
    out: &mut String,
    value: &str,
    datatype: &str,
    language: Option<&str>,
) {
    out.push('"');
    let needs = |b: u8| b < 0x20 || b == 0x7f || b == b'"' || b == b'\\';
    if !value.bytes().any(needs) {
        out.push_str(value);
    } else {
        for c in value.chars() {
            match c {
                '\u{8}' => out.push_str("\\b"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\u{c}' => out.push_str("\\f"),
                '\r' => out.push_str("\\r"),
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{0}'..='\u{1f}' | '\u{7f}' => push_uchar(out, c),
                c => out.push(c),
            }
        }
    }
    out.push('"');
    if datatype == RDF_LANG_STRING {
        if let Some(lang) = language {
            out.push('@');
            out.push_str(lang);
        }
    } else if datatype != XSD_STRING {
        out.push_str("^^");
        write_iri(out, datatype);
    }
}

/// Appends one quad as an N-Quads line (with its `\n`).
pub fn write_quad(out: &mut String, q: &Quad) {
    write_term(out, &q.subject);
    out.push(' ');
    write_term(out, &q.predicate);
    out.push(' ');
    write_term(out, &q.object);
    out.push(' ');
    if let Some(g) = &q.graph {
        write_term(out, g);
        out.push(' ');
    }
    out.push_str(".\n");
}

/// Serializes a dataset as N-Quads, quads in the given order.
pub fn to_nquads(dataset: &Dataset) -> String {
    let mut out = String::new();
    for q in &dataset.quads {
        write_quad(&mut out, q);
    }
    out
}

/// Parses N-Quads text (one statement per line; comments and blank lines allowed).
///
/// # Example
/// ```
/// let ds = openbadges::rdfc::nquads::parse(
///     "<https://a.example/s> <https://a.example/p> \"caf\\u00E9\"@fr _:g .\n")?;
/// assert_eq!(ds.len(), 1);
/// assert!(openbadges::rdfc::nquads::parse("<s> <p> .\n").is_err());
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn parse(input: &str) -> Result<Dataset> {
    let mut ds = Dataset::new();
    for (n, line) in input.lines().enumerate() {
        let mut p = LineParser {
            s: line,
            pos: 0,
            line: n + 1,
        };
        p.ws();
        if p.eof() || p.peek() == Some('#') {
            continue;
        }
        let subject = p.term()?;
        let predicate = p.term()?;
        let object = p.term()?;
        p.ws();
        let graph = if p.peek() == Some('.') {
            None
        } else {
            Some(p.term()?)
        };
        p.ws();
        if p.peek() != Some('.') {
            return Err(p.err("expected `.` at the end of the statement"));
        }
        p.pos += 1;
        p.ws();
        if !p.eof() && p.peek() != Some('#') {
            return Err(p.err("unexpected text after `.`"));
        }
        if matches!(subject, Term::Literal(_)) {
            return Err(p.err("a subject cannot be a literal"));
        }
        if !matches!(predicate, Term::Iri(_)) {
            return Err(p.err("a predicate must be an IRI"));
        }
        if matches!(graph, Some(Term::Literal(_))) {
            return Err(p.err("a graph name cannot be a literal"));
        }
        ds.push(Quad {
            subject,
            predicate,
            object,
            graph,
        });
    }
    Ok(ds)
}

struct LineParser<'a> {
    s: &'a str,
    pos: usize,
    line: usize,
}

impl LineParser<'_> {
    fn err(&self, msg: &str) -> Error {
        Error::new(
            ErrorKind::Canonicalization,
            format!("N-Quads line {}, column {}: {msg}", self.line, self.pos + 1),
        )
    }
    fn eof(&self) -> bool {
        self.pos >= self.s.len()
    }
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }
    fn ws(&mut self) {
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }
    fn take_until(&mut self, stop: impl Fn(char) -> bool) -> &str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if stop(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        &self.s[start..self.pos]
    }
    fn term(&mut self) -> Result<Term> {
        self.ws();
        match self.peek() {
            Some('<') => Ok(Term::Iri(self.iri()?)),
            Some('_') => {
                if !self.s[self.pos..].starts_with("_:") {
                    return Err(self.err("expected `_:` to start a blank node"));
                }
                self.pos += 2;
                // A label may contain `.` but not end with one (that dot ends the statement).
                let raw = self.take_until(|c| c.is_whitespace() || c == '<' || c == '"');
                let label = raw.trim_end_matches('.').to_string();
                self.pos -= raw.len() - label.len();
                if label.is_empty()
                    || !label.chars().all(|c| {
                        c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '\u{b7}')
                    })
                {
                    return Err(self.err("malformed blank node label"));
                }
                Ok(Term::Blank(label))
            }
            Some('"') => self.literal(),
            _ => Err(self.err("expected an IRI, a blank node or a literal")),
        }
    }
    fn iri(&mut self) -> Result<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated IRI")),
                Some('>') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => {
                    self.pos += 1;
                    out.push(self.uchar()?);
                }
                Some(c) if c <= ' ' || "<\"{}|^`".contains(c) => {
                    return Err(self.err("character not allowed in an IRI"));
                }
                Some(c) => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        if !out.contains(':') {
            return Err(self.err("an IRI must be absolute"));
        }
        Ok(out)
    }
    fn uchar(&mut self) -> Result<char> {
        let n = match self.peek() {
            Some('u') => 4,
            Some('U') => 8,
            _ => return Err(self.err("invalid escape")),
        };
        self.pos += 1;
        let hex = self
            .s
            .get(self.pos..self.pos + n)
            .ok_or_else(|| self.err("truncated \\u escape"))?;
        let v = u32::from_str_radix(hex, 16).map_err(|_| self.err("bad hex in escape"))?;
        self.pos += n;
        char::from_u32(v).ok_or_else(|| self.err("escape is not a Unicode scalar value"))
    }
    fn literal(&mut self) -> Result<Term> {
        self.pos += 1;
        let mut value = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated literal")),
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => {
                    self.pos += 1;
                    let c = match self.peek() {
                        Some('t') => '\t',
                        Some('b') => '\u{8}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('f') => '\u{c}',
                        Some('"') => '"',
                        Some('\'') => '\'',
                        Some('\\') => '\\',
                        Some('u') | Some('U') => {
                            value.push(self.uchar()?);
                            continue;
                        }
                        _ => return Err(self.err("invalid escape in literal")),
                    };
                    self.pos += 1;
                    value.push(c);
                }
                Some('\n') | Some('\r') => return Err(self.err("raw line break in literal")),
                Some(c) => {
                    value.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        if self.s[self.pos..].starts_with("^^") {
            self.pos += 2;
            if self.peek() != Some('<') {
                return Err(self.err("expected a datatype IRI after ^^"));
            }
            let dt = self.iri()?;
            return Ok(Term::Literal(Literal {
                value,
                datatype: dt,
                language: None,
            }));
        }
        if self.peek() == Some('@') {
            self.pos += 1;
            let lang = self
                .take_until(|c| !(c.is_ascii_alphanumeric() || c == '-'))
                .to_string();
            if lang.is_empty() || !lang.as_bytes()[0].is_ascii_alphabetic() {
                return Err(self.err("malformed language tag"));
            }
            return Ok(Term::Literal(Literal {
                value,
                datatype: RDF_LANG_STRING.into(),
                language: Some(lang),
            }));
        }
        Ok(Term::Literal(Literal {
            value,
            datatype: XSD_STRING.into(),
            language: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_escapes() {
        let text = "<http://a/s> <http://a/p> \"a\\tb\\nc\\\"d\\\\e\\u0001\"@en-US .\n_:b0 <http://a/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> <http://a/g> .\n";
        let ds = parse(text).unwrap();
        assert_eq!(to_nquads(&ds), text);
    }

    #[test]
    fn errors_name_the_line() {
        for bad in [
            "<http://a/s> <http://a/p> .",
            "<http://a/s> <http://a/p> \"x",
            "\"lit\" <http://a/p> <http://a/o> .",
            "<http://a/s> _:p <http://a/o> .",
            "<http://a/s> <http://a/p> <http://a/o>",
            "<http://a/s> <http://a/p> \"x\"@ .",
            "<rel> <http://a/p> <http://a/o> .",
            "<http://a/s> <http://a/p> \"\\u12\" .",
        ] {
            let e = parse(&format!("\n{bad}\n")).unwrap_err();
            assert!(e.to_string().contains("line 2"), "{bad}: {e}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let _ = parse(&s);
        }
        #[test]
        fn never_panics_nquadish(s in "[<>_:\"@^a-z0-9 .\\\\u#-]{0,60}") {
            let _ = parse(&s);
        }
    }
}
