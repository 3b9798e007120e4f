//! Compiling and evaluating the subset of JSON Schema (draft 2019-09) that the bundled Open
//! Badges and CLR schemas use.
//!
//! # Why here and not a crate
//! The `jsonschema` crate did this job before: with its regex engines, `referencing` and number
//! libraries it was ~40 % of the WebAssembly module and about half the clean build of the bare
//! library, for a handful of keywords. This engine knows exactly those keywords, uses
//! `regex-lite` for the six simple `pattern`s, and refuses everything else at compile time — a
//! keyword it does not know is an error ([`ErrorKind::Usage`]), never silently ignored. The
//! guarantee that it answers as `jsonschema` 0.61 does is `tests/schema_differential.rs`: every
//! document of the corpus (fixtures, spec examples, their mutations) through both engines, on
//! our schemas and on 1EdTech's, with the same verdict and the same errors (places, messages and
//! rules); and a proptest over random documents.
//!
//! # What it supports (draft 2019-09 semantics)
//! | keywords | notes |
//! |---|---|
//! | `$ref`, `$defs` | local references only: `#` and JSON pointers `#/…`; anything else fails to compile |
//! | `$id`, `$schema` | on the root only; `$schema` must name draft 2019-09 |
//! | `$comment`, `title`, `description` | annotations, ignored |
//! | `type` | a name or a list; `integer` is any number with a zero fraction (`1.0` is one) |
//! | `const`, `enum` | JSON equality, numbers by value (`1 == 1.0`) |
//! | `allOf`, `anyOf`, `oneOf`, `not` | |
//! | `properties`, `required`, `additionalProperties`, `propertyNames` | |
//! | `items` (schema or list), `additionalItems`, `contains`, `minItems`, `maxItems` | |
//! | `pattern` | ECMA-262 syntax, a conservative subset (see [`Pattern`]); unanchored search |
//! | `format` | `date` and `date-time` asserted as `jsonschema` 0.61 does; formats it does not know are ignored, formats it knows but this engine does not fail to compile |
//!
//! # Bounded work
//! A schema is compiled once into an arena of nodes with resolved `$ref`s. A cycle of
//! references that never descends into the document (`{"$ref": "#"}`) is a compile error.
//! Evaluation remembers, per validation, whether a referenced definition accepted a given object
//! or array, so `anyOf` over nested `anyOf` never re-checks the same subtree against the same
//! definition: the work grows with (definitions × values in the document), not exponentially
//! (a 1 MB credential takes a few milliseconds). Nesting is bounded ([`MAX_DEPTH`]): a deeper
//! document is reported invalid instead of exhausting the stack. Messages show a value only
//! when it is short (see `short_message`), so a huge or deeply nested one is never serialized.

use std::fmt::Write as _;

use foldhash::{HashMap, HashMapExt};
use indexmap::IndexMap;
use regex_lite::Regex;
use serde_json::{Map, Number, Value};

use crate::error::{Error, ErrorKind, Result};

/// The deepest nesting of schema applications one validation follows (each property, item or
/// reference entered is one level). A credential at the JSON parser's default depth limit (64)
/// needs a few hundred; past this the document is reported invalid.
pub(crate) const MAX_DEPTH: usize = 1024;

/// The deepest nesting of a schema document the compiler follows.
const MAX_SCHEMA_DEPTH: usize = 256;

/// The draft this engine implements, as `$schema` names it.
const DRAFT_2019_09: &str = "https://json-schema.org/draft/2019-09/schema";

type NodeId = usize;

/// Property names and their schemas, in the schema's order.
type Names = IndexMap<String, NodeId, foldhash::fast::RandomState>;

/// A compiled schema: the nodes of the arena, the root first.
#[derive(Debug)]
pub(crate) struct Compiled {
    nodes: Vec<Node>,
}

#[derive(Debug)]
struct Node {
    /// JSON Pointer of this schema inside the schema document (the error's rule).
    location: String,
    body: Body,
}

#[derive(Debug)]
enum Body {
    /// `true` or `false`.
    Always(bool),
    /// The keywords of an object schema, in evaluation order.
    Keywords(Vec<Keyword>),
}

#[derive(Debug)]
struct Keyword {
    /// JSON Pointer of the keyword inside the schema document.
    rule: String,
    check: Check,
}

#[derive(Debug)]
enum Check {
    Type(TypeSet),
    Const(Value),
    Enum(Vec<Value>),
    MinItems(u64),
    MaxItems(u64),
    Required(Vec<String>),
    Pattern(Box<Pattern>),
    Format(Format),
    /// `properties` with no `additionalProperties` (or `true`).
    Properties(Names),
    /// `additionalProperties` (`false` or a schema) with the `properties` beside it.
    Closed(Box<Closed>),
    PropertyNames(NodeId),
    NoPropertyNames,
    Items(NodeId),
    TupleItems(Vec<NodeId>),
    AdditionalItems {
        after: usize,
        node: NodeId,
    },
    NoAdditionalItems {
        after: usize,
    },
    Contains(NodeId),
    AllOf(Vec<NodeId>),
    AnyOf(Vec<NodeId>),
    OneOf(Vec<NodeId>),
    Not {
        node: NodeId,
        schema: Value,
    },
    Ref(NodeId),
}

/// `properties` + `additionalProperties` checked in one walk over the members, in document
/// order, as `jsonschema` does.
#[derive(Debug)]
struct Closed {
    declared: Names,
    /// Whether the schema has a `properties` keyword (even empty): it decides the error message
    /// for undeclared members when they are forbidden.
    has_properties: bool,
    /// `None`: undeclared members are forbidden (`additionalProperties: false`).
    rest: Option<NodeId>,
    /// A single `required` name checked after the walk (with `additionalProperties: false`, where
    /// `jsonschema` reports it last), and its rule.
    required_after: Option<(String, String)>,
}

/// The order `jsonschema` 0.61 evaluates keywords in (`keyword_priority`): cheap checks first.
/// The order decides which error comes first.
fn priority(keyword: &str) -> u8 {
    match keyword {
        "type" => 1,
        "const" => 5,
        "enum" => 6,
        "minItems" => 22,
        "maxItems" => 23,
        "required" => 26,
        "pattern" => 30,
        "format" => 31,
        "properties" => 40,
        "additionalProperties" => 42,
        "propertyNames" => 43,
        "items" => 44,
        "additionalItems" => 46,
        "contains" => 47,
        "allOf" => 50,
        "anyOf" => 51,
        "oneOf" => 52,
        "not" => 53,
        _ => 70, // `$ref`
    }
}

// ---------------------------------------------------------------------------------------------
// Types

/// A set of JSON types, in `jsonschema`'s order (which its messages list them in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TypeSet(u8);

const TYPE_NAMES: [&str; 7] = [
    "null", "boolean", "integer", "number", "string", "array", "object",
];

impl TypeSet {
    const NULL: u8 = 1;
    const BOOLEAN: u8 = 1 << 1;
    const INTEGER: u8 = 1 << 2;
    const NUMBER: u8 = 1 << 3;
    const STRING: u8 = 1 << 4;
    const ARRAY: u8 = 1 << 5;
    const OBJECT: u8 = 1 << 6;

    fn of_name(name: &str) -> Option<u8> {
        TYPE_NAMES.iter().position(|n| *n == name).map(|i| 1u8 << i)
    }

    fn accepts(self, v: &Value) -> bool {
        let bits = self.0;
        match v {
            Value::Null => bits & Self::NULL != 0,
            Value::Bool(_) => bits & Self::BOOLEAN != 0,
            Value::Number(n) => {
                bits & Self::NUMBER != 0 || (bits & Self::INTEGER != 0 && is_integer(n))
            }
            Value::String(_) => bits & Self::STRING != 0,
            Value::Array(_) => bits & Self::ARRAY != 0,
            Value::Object(_) => bits & Self::OBJECT != 0,
        }
    }

    fn names(self) -> impl Iterator<Item = &'static str> {
        TYPE_NAMES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
    }
}

/// Draft 6 and later: a number is an integer when its fraction is zero, however it is written.
fn is_integer(n: &Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// JSON equality as JSON Schema defines it: numbers by mathematical value (`1 == 1.0`), objects
/// whatever the order of their members.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Exact comparison of two JSON numbers (no rounding through `f64` for large integers).
fn numbers_equal(a: &Number, b: &Number) -> bool {
    fn integer(n: &Number) -> Option<i128> {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    }
    // 2^127: every integral f64 below it converts to i128 exactly.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    match (integer(a), integer(b)) {
        (Some(x), Some(y)) => x == y,
        (Some(i), None) | (None, Some(i)) => {
            let f = if integer(a).is_some() { b } else { a }.as_f64();
            // `as` is exact here: `f` is integral and within ±2^127.
            f.is_some_and(|f| f.fract() == 0.0 && f.abs() < LIMIT && f as i128 == i)
        }
        (None, None) => a.as_f64() == b.as_f64(),
    }
}

// ---------------------------------------------------------------------------------------------
// Formats

/// An asserted `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Date,
    DateTime,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Date => "date",
            Format::DateTime => "date-time",
        }
    }

    fn accepts(self, s: &str) -> bool {
        match self {
            Format::Date => is_date(s),
            Format::DateTime => is_date_time(s),
        }
    }
}

/// Formats `jsonschema` 0.61 asserts for draft 2019-09 besides `date` and `date-time`: a schema
/// using one does not compile here (accepting it would disagree with `jsonschema`). Any other
/// format name is an annotation, as `jsonschema` treats unknown formats by default.
const FORMATS_NOT_IMPLEMENTED: &[&str] = &[
    "duration",
    "email",
    "hostname",
    "idn-email",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "iri",
    "iri-reference",
    "json-pointer",
    "regex",
    "relative-json-pointer",
    "time",
    "uri",
    "uri-reference",
    "uri-template",
    "uuid",
];

fn two_digits(b: &[u8]) -> Option<u8> {
    match b {
        [x @ b'0'..=b'9', y @ b'0'..=b'9'] => Some((x - b'0') * 10 + (y - b'0')),
        _ => None,
    }
}

fn four_digits(b: &[u8]) -> Option<u16> {
    let (hi, lo) = (two_digits(b.get(0..2)?)?, two_digits(b.get(2..4)?)?);
    Some(u16::from(hi) * 100 + u16::from(lo))
}

/// RFC 3339 `full-date`: `YYYY-MM-DD` with a day that exists in that month (29 February only in
/// leap years).
pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (
        four_digits(&b[0..4]),
        two_digits(&b[5..7]),
        two_digits(&b[8..10]),
    ) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// RFC 3339 `full-time`: `HH:MM:SS`, optional fraction, then `Z`/`z` or `±HH:MM`. A leap second
/// (`:60`) only where it is 23:59 UTC.
pub(crate) fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (
        two_digits(&b[0..2]),
        two_digits(&b[3..5]),
        two_digits(&b[6..8]),
    ) else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut i = 8;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let utc_is_2359 = |offset_minutes: i32| {
        let minutes = (i32::from(hour) * 60 + i32::from(minute) - offset_minutes).rem_euclid(1440);
        minutes == 23 * 60 + 59
    };
    match b.get(i) {
        Some(b'Z' | b'z') => i == b.len() - 1 && (second != 60 || (hour == 23 && minute == 59)),
        Some(&sign @ (b'+' | b'-')) => {
            if b.len() - i != 6 || b[i + 3] != b':' {
                return false;
            }
            let (Some(oh), Some(om)) = (two_digits(&b[i + 1..i + 3]), two_digits(&b[i + 4..i + 6]))
            else {
                return false;
            };
            if oh > 23 || om > 59 {
                return false;
            }
            let offset = (i32::from(oh) * 60 + i32::from(om)) * if sign == b'+' { 1 } else { -1 };
            second != 60 || utc_is_2359(offset)
        }
        _ => false,
    }
}

/// RFC 3339 `date-time`: a date, `T` or `t`, a time.
pub(crate) fn is_date_time(s: &str) -> bool {
    match s.bytes().position(|c| c == b'T' || c == b't') {
        Some(t) => is_date(&s[..t]) && is_time(&s[t + 1..]),
        None => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Patterns

/// A `pattern`: an ECMA-262 regular expression, of which this engine accepts a conservative
/// subset whose meaning `regex-lite` shares — literals, `.`, `^`, `$`, groups `( )` and `(?: )`,
/// `|`, quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy), classes `[...]` with ranges, and
/// the escapes `\d \D \w \W` (ASCII in both), `\n \r \t \f \v \0 \xHH \uHHHH` and escaped
/// punctuation. Anything else (`\s`, `\b`, back-references, look-around, named groups, Annex B
/// oddities such as a lone `{` or `]`) fails to compile. The translation spells every
/// punctuation literal as `\x{…}`, so no character can take a `regex-lite`-only meaning.
#[derive(Debug)]
pub(crate) struct Pattern {
    source: String,
    /// A pattern `^` + literal prefix + rest, with no other `^` and no top-level `|`, matches
    /// exactly the strings that start with the prefix and whose remainder `^rest` matches: the
    /// prefix is compared directly, and the (slow, PikeVM) regex runs on the remainder only —
    /// the `@context` patterns are 47 literal characters and a short tail.
    prefix: String,
    regex: Regex,
}

impl Pattern {
    pub(crate) fn new(source: &str) -> std::result::Result<Pattern, String> {
        let shape = translate_pattern(source)?;
        let (prefix, rest) = match anchored_prefix(source) {
            Some((prefix, rest)) if shape.carets == 1 && !shape.top_level_alternation => {
                (prefix, translate_pattern(rest)?.regex)
            }
            _ => (String::new(), shape.regex),
        };
        let regex = if prefix.is_empty() {
            rest
        } else {
            format!("^{rest}")
        };
        let regex = Regex::new(&regex).map_err(|e| e.to_string())?;
        Ok(Pattern {
            source: source.to_string(),
            prefix,
            regex,
        })
    }

    /// Whether the pattern matches somewhere in `s` (JSON Schema patterns are not anchored).
    pub(crate) fn is_match(&self, s: &str) -> bool {
        match s.strip_prefix(self.prefix.as_str()) {
            Some(rest) => self.regex.is_match(rest),
            None => false,
        }
    }
}

/// For a pattern `^` + literal characters + rest: the literal prefix (non-empty) and the rest of
/// the source. A literal followed by a quantifier is not part of the prefix.
fn anchored_prefix(source: &str) -> Option<(String, &str)> {
    let body = source.strip_prefix('^')?;
    let mut prefix = String::new();
    let mut rest = body;
    loop {
        let mut it = rest.chars();
        let Some(first) = it.next() else { break };
        let (c, after) = match first {
            '\\' => match it.next() {
                Some(p) if p.is_ascii_punctuation() => (p, it.as_str()),
                _ => break,
            },
            c if "^$.|?*+()[]{}".contains(c) => break,
            c => (c, it.as_str()),
        };
        if after.starts_with(['*', '+', '?', '{']) {
            break;
        }
        prefix.push(c);
        rest = after;
    }
    (!prefix.is_empty()).then_some((prefix, rest))
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// `c` as a `regex-lite` literal.
fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || !c.is_ascii() {
        out.push(c);
    } else {
        let _ = write!(out, "\\x{{{:02X}}}", u32::from(c));
    }
}

/// One escape after `\` (the backslash already taken): the character it stands for, or an
/// error. `\d`-style classes are handled by the callers.
fn escaped_char(chars: &mut Chars<'_>) -> std::result::Result<char, String> {
    fn hex(chars: &mut Chars<'_>, n: usize) -> std::result::Result<char, String> {
        let digits: String = (0..n).filter_map(|_| chars.next()).collect();
        if digits.chars().count() != n || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("a malformed hexadecimal escape `{digits}`"));
        }
        u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| format!("`{digits}` is not a character"))
    }
    match chars.next() {
        None => Err("a pattern ending in `\\`".into()),
        Some('n') => Ok('\n'),
        Some('r') => Ok('\r'),
        Some('t') => Ok('\t'),
        Some('f') => Ok('\x0C'),
        Some('v') => Ok('\x0B'),
        Some('0') if !chars.peek().is_some_and(char::is_ascii_digit) => Ok('\0'),
        Some('x') => hex(chars, 2),
        Some('u') => hex(chars, 4),
        Some(c) if c.is_ascii_punctuation() => Ok(c),
        Some(c) => Err(format!("the escape `\\{c}` is not supported")),
    }
}

/// A pattern translated for `regex-lite`, and what `Pattern::new` needs to know of its shape.
struct Translated {
    regex: String,
    /// How many `^` anchors.
    carets: usize,
    /// Whether a `|` stands outside every group.
    top_level_alternation: bool,
}

fn translate_pattern(source: &str) -> std::result::Result<Translated, String> {
    let mut out = String::with_capacity(source.len() * 2);
    let mut chars = source.chars().peekable();
    // Whether the last item can take a quantifier; and the depth of open groups.
    let mut atom = false;
    let mut groups = 0usize;
    let mut carets = 0;
    let mut top_level_alternation = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                match chars.peek() {
                    Some(&k @ ('d' | 'D' | 'w' | 'W')) => {
                        chars.next();
                        out.push('\\');
                        out.push(k);
                    }
                    _ => push_literal(&mut out, escaped_char(&mut chars)?),
                }
                atom = true;
            }
            '.' => {
                // ECMA-262 `.` stops at every line terminator, not only `\n`.
                out.push_str(r"[^\n\r\x{2028}\x{2029}]");
                atom = true;
            }
            '^' | '$' => {
                carets += usize::from(c == '^');
                out.push(c);
                atom = false;
            }
            '(' => {
                if chars.peek() == Some(&'?') {
                    chars.next();
                    if chars.next() != Some(':') {
                        return Err(
                            "only `(?:` groups are supported (no look-around or named groups)"
                                .into(),
                        );
                    }
                    out.push_str("(?:");
                } else {
                    out.push('(');
                }
                groups += 1;
                atom = false;
            }
            ')' => {
                if groups == 0 {
                    return Err("an unbalanced `)`".into());
                }
                groups -= 1;
                out.push(')');
                atom = true;
            }
            '|' => {
                top_level_alternation |= groups == 0;
                out.push('|');
                atom = false;
            }
            '*' | '+' | '?' | '{' => {
                if !atom {
                    return Err(format!("`{c}` has nothing to repeat"));
                }
                if c == '{' {
                    let mut spec = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(d @ ('0'..='9' | ',')) => spec.push(d),
                            _ => {
                                return Err(
                                    "a `{` that is not a repetition `{n}`, `{n,}` or `{n,m}`"
                                        .into(),
                                )
                            }
                        }
                    }
                    let (min, max) = match spec.split_once(',') {
                        None => (spec.as_str(), Some(spec.as_str())),
                        Some((min, "")) => (min, None),
                        Some((min, max)) => (min, Some(max)),
                    };
                    let number = |s: &str| {
                        s.parse::<u32>()
                            .ok()
                            .filter(|n| *n <= 1000)
                            .ok_or_else(|| format!("the repetition `{{{spec}}}` is not supported"))
                    };
                    let min = number(min)?;
                    let max = max.map(number).transpose()?;
                    if max.is_some_and(|max| max < min) {
                        return Err(format!("the repetition `{{{spec}}}` is out of order"));
                    }
                    out.push('{');
                    out.push_str(&spec);
                    out.push('}');
                } else {
                    out.push(c);
                }
                // Lazy and greedy repetition match the same strings: `is_match` cannot tell.
                if chars.peek() == Some(&'?') {
                    chars.next();
                    out.push('?');
                }
                atom = false;
            }
            '[' => {
                translate_class(&mut chars, &mut out)?;
                atom = true;
            }
            '}' | ']' => return Err(format!("a lone `{c}`")),
            c => {
                push_literal(&mut out, c);
                atom = true;
            }
        }
    }
    if groups != 0 {
        return Err("an unclosed `(`".into());
    }
    Ok(Translated {
        regex: out,
        carets,
        top_level_alternation,
    })
}

/// A character class, after its `[`.
fn translate_class(chars: &mut Chars<'_>, out: &mut String) -> std::result::Result<(), String> {
    enum Item {
        Char(char),
        Class(char),
    }
    fn next_item(chars: &mut Chars<'_>) -> std::result::Result<Option<Item>, String> {
        match chars.next() {
            None => Err("an unclosed `[`".into()),
            Some(']') => Ok(None),
            Some('\\') => match chars.peek() {
                Some(&k @ ('d' | 'D' | 'w' | 'W')) => {
                    chars.next();
                    Ok(Some(Item::Class(k)))
                }
                // In a class ECMA-262 reads `\b` as a backspace: not worth supporting.
                Some('b') => Err("`\\b` in a class is not supported".into()),
                _ => escaped_char(chars).map(|c| Some(Item::Char(c))),
            },
            Some(c) => Ok(Some(Item::Char(c))),
        }
    }
    out.push('[');
    if chars.peek() == Some(&'^') {
        chars.next();
        out.push('^');
    }
    if chars.peek() == Some(&']') {
        return Err("an empty class `[]` or `[^]` is not supported".into());
    }
    let mut items = 0;
    while let Some(item) = next_item(chars)? {
        items += 1;
        match item {
            Item::Class(k) => {
                out.push('\\');
                out.push(k);
            }
            Item::Char(start) => {
                // A range `a-z`, unless the `-` is the last character of the class.
                let mut ahead = chars.clone();
                if ahead.next() == Some('-') && ahead.peek().is_some_and(|c| *c != ']') {
                    chars.next();
                    let end = match next_item(chars)? {
                        Some(Item::Char(end)) => end,
                        _ => return Err("a range with a class at one end".into()),
                    };
                    if end < start {
                        return Err(format!("the range `{start}-{end}` is out of order"));
                    }
                    push_literal(out, start);
                    out.push('-');
                    push_literal(out, end);
                } else {
                    push_literal(out, start);
                }
            }
        }
    }
    debug_assert!(items > 0);
    out.push(']');
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Compiling

/// A compile error at `location` in the schema.
fn usage(location: &str, message: String) -> Error {
    Error::new(
        ErrorKind::Usage,
        format!("the JSON Schema does not compile: {message}"),
    )
    .at(location.to_string())
}

/// `base` + `/` + `token`, escaped as RFC 6901 says.
fn join(base: &str, token: &str) -> String {
    let mut s = String::with_capacity(base.len() + token.len() + 1);
    s.push_str(base);
    s.push('/');
    for c in token.chars() {
        match c {
            '~' => s.push_str("~0"),
            '/' => s.push_str("~1"),
            c => s.push(c),
        }
    }
    s
}

struct Compiler<'s> {
    root: &'s Value,
    nodes: Vec<Option<Node>>,
    ids: HashMap<String, NodeId>,
    /// `$ref` targets: (node, reference, location of the `$ref`), compiled after the rest.
    wanted: Vec<(NodeId, String, String)>,
}

impl Compiled {
    /// Compiles `schema` (draft 2019-09; see the module docs for what is supported).
    pub(crate) fn new(schema: &Value) -> Result<Compiled> {
        let mut c = Compiler {
            root: schema,
            nodes: Vec::new(),
            ids: HashMap::new(),
            wanted: Vec::new(),
        };
        let root = c.schema(schema, String::new(), 0)?;
        debug_assert_eq!(root, 0);
        while let Some((id, reference, at)) = c.wanted.pop() {
            if c.nodes[id].is_none() {
                let (location, target) = c.resolve(&reference, &at)?;
                c.schema(target, location, 0)?;
            }
        }
        let nodes: Vec<Node> = c
            .nodes
            .into_iter()
            .map(|n| n.ok_or_else(|| usage("", "a reference was left unresolved".into())))
            .collect::<Result<_>>()?;
        let compiled = Compiled { nodes };
        compiled.refuse_empty_cycles()?;
        Ok(compiled)
    }

    /// The schemas `id` applies to the same value: through `$ref`, `allOf`, `anyOf`, `oneOf`
    /// and `not`.
    fn same_value(&self, id: NodeId) -> Vec<NodeId> {
        let Body::Keywords(keywords) = &self.nodes[id].body else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for k in keywords {
            match &k.check {
                Check::AllOf(ns) | Check::AnyOf(ns) | Check::OneOf(ns) => out.extend(ns),
                Check::Not { node, .. } | Check::Ref(node) => out.push(*node),
                _ => {}
            }
        }
        out
    }

    /// The longest chain of schemas applied to one value (the nesting `valid` reaches per level
    /// of the document). Only for a schema without empty cycles (`refuse_empty_cycles`).
    #[cfg(test)]
    pub(crate) fn longest_chain(&self) -> usize {
        fn chain(c: &Compiled, id: NodeId, memo: &mut Vec<usize>) -> usize {
            if memo[id] == 0 {
                memo[id] = 1 + c
                    .same_value(id)
                    .into_iter()
                    .map(|n| chain(c, n, memo))
                    .max()
                    .unwrap_or(0);
            }
            memo[id]
        }
        let mut memo = vec![0; self.nodes.len()];
        (0..self.nodes.len())
            .map(|id| chain(self, id, &mut memo))
            .max()
            .unwrap_or(0)
    }

    /// Refuses a cycle of `$ref`/`allOf`/`anyOf`/`oneOf`/`not` that comes back to a schema
    /// without entering a property or an item: it would never end.
    fn refuse_empty_cycles(&self) -> Result<()> {
        let edges = |id: NodeId| self.same_value(id);
        // Iterative depth-first search: 0 unvisited, 1 on the current path, 2 done.
        let mut state = vec![0u8; self.nodes.len()];
        for start in 0..self.nodes.len() {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(NodeId, Vec<NodeId>)> = vec![(start, edges(start))];
            state[start] = 1;
            while let Some((node, next)) = stack.last_mut() {
                let node = *node;
                match next.pop() {
                    Some(n) if state[n] == 1 => {
                        let path: Vec<&str> = stack
                            .iter()
                            .map(|(id, _)| self.nodes[*id].location.as_str())
                            .skip_while(|loc| *loc != self.nodes[n].location)
                            .chain([self.nodes[n].location.as_str()])
                            .map(|l| if l.is_empty() { "#" } else { l })
                            .collect();
                        return Err(usage(
                            &self.nodes[node].location,
                            format!(
                                "a cycle of references that never enters the document ({})",
                                path.join(" → ")
                            ),
                        ));
                    }
                    Some(n) if state[n] == 0 => {
                        state[n] = 1;
                        stack.push((n, edges(n)));
                    }
                    Some(_) => {}
                    None => {
                        state[node] = 2;
                        stack.pop();
                    }
                }
            }
        }
        Ok(())
    }
}

impl<'s> Compiler<'s> {
    fn id(&mut self, location: &str) -> NodeId {
        if let Some(id) = self.ids.get(location) {
            return *id;
        }
        let id = self.nodes.len();
        self.nodes.push(None);
        self.ids.insert(location.to_string(), id);
        id
    }

    /// The location and the schema a local reference names.
    fn resolve(&self, reference: &str, at: &str) -> Result<(String, &'s Value)> {
        let Some(fragment) = reference.strip_prefix('#') else {
            return Err(usage(
                at,
                format!("`$ref` `{reference}` is not a local reference (`#` or `#/…`); nothing is fetched"),
            ));
        };
        let decoded = percent_decode(fragment).ok_or_else(|| {
            usage(
                at,
                format!("`$ref` `{reference}` is not a valid URI fragment"),
            )
        })?;
        if decoded.is_empty() {
            return Ok((String::new(), self.root));
        }
        let Some(pointer) = decoded.strip_prefix('/') else {
            return Err(usage(
                at,
                format!("`$ref` `{reference}` is not a JSON pointer (anchors are not supported)"),
            ));
        };
        let mut location = String::new();
        let mut target = self.root;
        for raw in pointer.split('/') {
            let token = raw.replace("~1", "/").replace("~0", "~");
            target = match target {
                Value::Object(m) => m.get(&token),
                Value::Array(a) => token.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            }
            .ok_or_else(|| usage(at, format!("`$ref` `{reference}` points at nothing")))?;
            location = join(&location, &token);
        }
        Ok((location, target))
    }

    fn schemas(&mut self, value: &'s Value, location: &str, depth: usize) -> Result<Vec<NodeId>> {
        match value {
            Value::Array(a) if !a.is_empty() => a
                .iter()
                .enumerate()
                .map(|(i, s)| self.schema(s, join(location, &i.to_string()), depth + 1))
                .collect(),
            _ => Err(usage(
                location,
                "expected a non-empty array of schemas".into(),
            )),
        }
    }

    fn schema_map(&mut self, value: &'s Value, location: &str, depth: usize) -> Result<Names> {
        let Value::Object(m) = value else {
            return Err(usage(location, "expected an object of schemas".into()));
        };
        m.iter()
            .map(|(k, s)| Ok((k.clone(), self.schema(s, join(location, k), depth + 1)?)))
            .collect()
    }

    fn schema(&mut self, value: &'s Value, location: String, depth: usize) -> Result<NodeId> {
        let id = self.id(&location);
        if self.nodes[id].is_some() {
            return Ok(id);
        }
        if depth > MAX_SCHEMA_DEPTH {
            return Err(usage(
                &location,
                format!("the schema is nested deeper than {MAX_SCHEMA_DEPTH} levels"),
            ));
        }
        let body = match value {
            Value::Bool(b) => Body::Always(*b),
            Value::Object(m) => Body::Keywords(self.keywords(m, &location, depth)?),
            _ => {
                return Err(usage(
                    &location,
                    "a schema must be an object or a boolean".into(),
                ))
            }
        };
        self.nodes[id] = Some(Node { location, body });
        Ok(id)
    }

    fn keywords(
        &mut self,
        m: &'s Map<String, Value>,
        location: &str,
        depth: usize,
    ) -> Result<Vec<Keyword>> {
        let closed = match m.get("additionalProperties") {
            Some(Value::Bool(false) | Value::Object(_)) => true,
            Some(Value::Bool(true)) | None => false,
            Some(_) => {
                return Err(usage(
                    &join(location, "additionalProperties"),
                    "expected a schema".into(),
                ))
            }
        };
        // With `additionalProperties: false`, `properties` and a single `required` name,
        // `jsonschema` reports the missing name after the members: do the same.
        let required_after = match (closed, m.get("required"), m.get("additionalProperties")) {
            (true, Some(Value::Array(names)), Some(Value::Bool(false)))
                if names.len() == 1 && m.contains_key("properties") =>
            {
                names[0]
                    .as_str()
                    .map(|n| (n.to_string(), join(location, "required")))
            }
            _ => None,
        };
        let mut out: Vec<(u8, Keyword)> = Vec::with_capacity(m.len());
        for (name, value) in m {
            let rule = join(location, name);
            let check = match name.as_str() {
                "$comment" | "title" | "description" => continue,
                "$schema" => {
                    let uri = value.as_str().unwrap_or_default();
                    if !location.is_empty() {
                        return Err(usage(
                            &rule,
                            "`$schema` is supported on the root only".into(),
                        ));
                    }
                    if uri.trim_end_matches('#') != DRAFT_2019_09 {
                        return Err(usage(
                            &rule,
                            format!("only draft 2019-09 (`{DRAFT_2019_09}`) is supported, not `{value}`"),
                        ));
                    }
                    continue;
                }
                "$id" => {
                    if !location.is_empty() || !value.is_string() {
                        return Err(usage(
                            &rule,
                            "`$id` is supported on the root only, as a string".into(),
                        ));
                    }
                    continue;
                }
                "$defs" => {
                    // Compiled even where nothing refers to them: every keyword of the file is
                    // checked.
                    self.schema_map(value, &rule, depth)?;
                    continue;
                }
                "$ref" => {
                    let Some(reference) = value.as_str() else {
                        return Err(usage(&rule, "`$ref` must be a string".into()));
                    };
                    let (target, _) = self.resolve(reference, &rule)?;
                    let id = self.id(&target);
                    self.wanted.push((id, reference.to_string(), rule.clone()));
                    Check::Ref(id)
                }
                "type" => {
                    let names: Vec<&Value> = match value {
                        Value::Array(a) if !a.is_empty() => a.iter().collect(),
                        Value::String(_) => vec![value],
                        _ => {
                            return Err(usage(
                                &rule,
                                "expected a type name or a list of them".into(),
                            ))
                        }
                    };
                    let mut bits = 0u8;
                    for n in names {
                        let bit = n.as_str().and_then(TypeSet::of_name).ok_or_else(|| {
                            usage(&rule, format!("{n} is not a JSON Schema type"))
                        })?;
                        bits |= bit;
                    }
                    Check::Type(TypeSet(bits))
                }
                "const" => Check::Const(value.clone()),
                "enum" => match value {
                    Value::Array(a) => Check::Enum(a.clone()),
                    _ => return Err(usage(&rule, "expected an array".into())),
                },
                "minItems" | "maxItems" => {
                    let n = value
                        .as_u64()
                        .or_else(|| {
                            value
                                .as_f64()
                                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1e15)
                                .map(|f| f as u64)
                        })
                        .ok_or_else(|| usage(&rule, "expected a non-negative integer".into()))?;
                    if name == "minItems" {
                        Check::MinItems(n)
                    } else {
                        Check::MaxItems(n)
                    }
                }
                "required" => {
                    let names = value
                        .as_array()
                        .and_then(|a| {
                            a.iter()
                                .map(|n| n.as_str().map(str::to_string))
                                .collect::<Option<Vec<_>>>()
                        })
                        .ok_or_else(|| usage(&rule, "expected an array of strings".into()))?;
                    if required_after.is_some() {
                        continue;
                    }
                    Check::Required(names)
                }
                "pattern" => {
                    let source = value
                        .as_str()
                        .ok_or_else(|| usage(&rule, "expected a string".into()))?;
                    let pattern = Pattern::new(source)
                        .map_err(|e| usage(&rule, format!("the pattern {value}: {e}")))?;
                    Check::Pattern(Box::new(pattern))
                }
                "format" => match value.as_str() {
                    Some("date") => Check::Format(Format::Date),
                    Some("date-time") => Check::Format(Format::DateTime),
                    Some(f) if FORMATS_NOT_IMPLEMENTED.contains(&f) => {
                        return Err(usage(&rule, format!("the format `{f}` is not supported")))
                    }
                    Some(_) => continue,
                    None => return Err(usage(&rule, "expected a string".into())),
                },
                "properties" => {
                    let map = self.schema_map(value, &rule, depth)?;
                    if closed {
                        // Checked with `additionalProperties`.
                        continue;
                    }
                    Check::Properties(map)
                }
                "additionalProperties" => {
                    let declared = match m.get("properties") {
                        Some(p) => self.schema_map(p, &join(location, "properties"), depth)?,
                        None => Names::default(),
                    };
                    let rest = match value {
                        Value::Bool(true) => continue,
                        Value::Bool(false) => None,
                        _ => Some(self.schema(value, rule.clone(), depth + 1)?),
                    };
                    Check::Closed(Box::new(Closed {
                        declared,
                        has_properties: m.contains_key("properties"),
                        rest,
                        required_after: required_after.clone(),
                    }))
                }
                "propertyNames" => match value {
                    Value::Bool(true) => continue,
                    Value::Bool(false) => Check::NoPropertyNames,
                    _ => Check::PropertyNames(self.schema(value, rule.clone(), depth + 1)?),
                },
                "items" => match value {
                    Value::Array(_) => Check::TupleItems(self.schemas(value, &rule, depth)?),
                    _ => Check::Items(self.schema(value, rule.clone(), depth + 1)?),
                },
                "additionalItems" => {
                    let after = match m.get("items") {
                        Some(Value::Array(a)) => Some(a.len()),
                        _ => None,
                    };
                    match (value, after) {
                        (Value::Bool(_) | Value::Object(_), None) | (Value::Bool(true), _) => {
                            // Only meaningful after a list of `items`; still a schema to check.
                            self.schema(value, rule.clone(), depth + 1)?;
                            continue;
                        }
                        (Value::Bool(false), Some(after)) => Check::NoAdditionalItems { after },
                        (_, Some(after)) => Check::AdditionalItems {
                            after,
                            node: self.schema(value, rule.clone(), depth + 1)?,
                        },
                        _ => return Err(usage(&rule, "expected a schema".into())),
                    }
                }
                "contains" => Check::Contains(self.schema(value, rule.clone(), depth + 1)?),
                "allOf" => Check::AllOf(self.schemas(value, &rule, depth)?),
                "anyOf" => Check::AnyOf(self.schemas(value, &rule, depth)?),
                "oneOf" => Check::OneOf(self.schemas(value, &rule, depth)?),
                "not" => Check::Not {
                    node: self.schema(value, rule.clone(), depth + 1)?,
                    schema: value.clone(),
                },
                other => {
                    return Err(usage(
                        &rule,
                        format!("the keyword `{other}` is not supported by this schema engine"),
                    ))
                }
            };
            out.push((priority(name), Keyword { rule, check }));
        }
        // Stable: keywords of equal priority keep the schema's order.
        out.sort_by_key(|(p, _)| *p);
        Ok(out.into_iter().map(|(_, k)| k).collect())
    }
}

/// `%XX` sequences decoded (a URI fragment), or `None` when malformed or not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

// ---------------------------------------------------------------------------------------------
// Evaluating

/// One violation: where in the document, which rule of the schema, and what it expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) pointer: String,
    pub(crate) rule: String,
    pub(crate) message: String,
}

#[derive(Clone, Copy)]
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

/// `v` as compact JSON (as `Value`'s `Display` writes it) if that takes at most `max` bytes,
/// else `None`. The serializer stops as soon as it is past `max`, so a huge or deeply nested
/// value costs neither time nor stack.
pub(crate) fn render(v: &Value, max: usize) -> Option<String> {
    struct Capped {
        buf: Vec<u8>,
        max: usize,
    }
    impl std::io::Write for Capped {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            if self.buf.len() + b.len() > self.max {
                return Err(std::io::Error::other("longer than wanted"));
            }
            self.buf.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = Capped {
        buf: Vec::new(),
        max,
    };
    serde_json::to_writer(&mut w, v).ok()?;
    String::from_utf8(w.buf).ok()
}

/// The keywords that check the value itself, without subschemas.
fn leaf_valid(check: &Check, v: &Value) -> bool {
    match check {
        Check::Type(t) => t.accepts(v),
        Check::Const(c) => json_equal(v, c),
        Check::Enum(options) => options.iter().any(|o| json_equal(v, o)),
        Check::MinItems(n) => v.as_array().is_none_or(|a| a.len() as u64 >= *n),
        Check::MaxItems(n) => v.as_array().is_none_or(|a| a.len() as u64 <= *n),
        Check::Required(names) => v
            .as_object()
            .is_none_or(|m| names.iter().all(|n| m.contains_key(n))),
        Check::Pattern(p) => v.as_str().is_none_or(|s| p.is_match(s)),
        Check::Format(f) => v.as_str().is_none_or(|s| f.accepts(s)),
        Check::NoPropertyNames => v.as_object().is_none_or(Map::is_empty),
        Check::NoAdditionalItems { after } => v.as_array().is_none_or(|a| a.len() <= *after),
        // Applicators: `Run::valid_keyword` handles them.
        _ => true,
    }
}

/// The state of one validation.
struct Run<'c, 'v> {
    compiled: &'c Compiled,
    /// Whether a referenced node accepted the value at an address (see the module docs).
    memo: HashMap<(NodeId, usize), bool>,
    /// Off while checking property names: those values are temporaries whose addresses repeat.
    memo_on: bool,
    /// What each pattern answered for each string (a CLR repeats the same `@context` URLs in
    /// every credential it holds; the regular expressions are the costliest checks).
    matches: HashMap<(usize, &'v str), bool>,
    depth: usize,
    /// Set when `MAX_DEPTH` was reached: the document is then invalid.
    too_deep: bool,
    path: Vec<Step<'v>>,
    /// Errors wanted at most; collection stops there.
    limit: usize,
    errors: Vec<Violation>,
    /// Inside `propertyNames`: messages are reported as they are, at the object's pointer.
    naming: bool,
}

impl Compiled {
    /// Whether `doc` is valid.
    pub(crate) fn is_valid(&self, doc: &Value) -> bool {
        Run::new(self, 0).valid(0, doc)
    }

    /// The violations in `doc`, at most `limit` of them.
    pub(crate) fn validate(&self, doc: &Value, limit: usize) -> Vec<Violation> {
        let mut run = Run::new(self, limit);
        run.collect(0, doc);
        if run.too_deep {
            // Whatever else was reported (an `anyOf` that no branch passed, say), say why first.
            run.errors.insert(
                0,
                Violation {
                    pointer: String::new(),
                    rule: String::new(),
                    message: format!(
                        "the document is nested too deeply to check against the schema (more than {MAX_DEPTH} levels of schemas)"
                    ),
                },
            );
        }
        run.errors.truncate(limit);
        run.errors
    }
}

// The functions on the recursion path (`valid` → `valid_keyword` → `valid_*` → `valid`, and
// `collect` → `collect_keyword` → `collect_*` → `collect`) are kept small, each arm's work in a
// function of its own: a frame holds the locals of all its arms, and the depth bound
// (`MAX_DEPTH`) must fit the stack of a test thread even in debug builds.
impl<'c, 'v> Run<'c, 'v> {
    fn new(compiled: &'c Compiled, limit: usize) -> Self {
        Run {
            compiled,
            memo: HashMap::new(),
            memo_on: true,
            matches: HashMap::new(),
            depth: 0,
            too_deep: false,
            path: Vec::new(),
            limit,
            errors: Vec::new(),
            naming: false,
        }
    }

    fn valid(&mut self, id: NodeId, v: &'v Value) -> bool {
        if self.depth >= MAX_DEPTH || self.too_deep {
            self.too_deep = true;
            return false;
        }
        let compiled = self.compiled;
        let keywords = match &compiled.nodes[id].body {
            Body::Always(b) => return *b,
            Body::Keywords(k) => k,
        };
        self.depth += 1;
        let mut ok = true;
        for k in keywords {
            if !self.valid_keyword(&k.check, v) {
                ok = false;
                break;
            }
        }
        self.depth -= 1;
        ok
    }

    fn valid_keyword(&mut self, check: &'c Check, v: &'v Value) -> bool {
        match check {
            Check::Properties(props) => self.valid_properties(props, v),
            Check::Closed(c) => self.valid_closed(c, v),
            Check::PropertyNames(id) => self.valid_names(*id, v),
            Check::Items(id) => self.valid_items(*id, 0, v),
            Check::AdditionalItems { after, node } => self.valid_items(*node, *after, v),
            Check::TupleItems(ids) => self.valid_tuple(ids, v),
            Check::Contains(id) => self.valid_contains(*id, v),
            Check::AllOf(ids) => self.count_valid(ids, v, usize::MAX) == ids.len(),
            Check::AnyOf(ids) => self.any_valid(ids, v),
            Check::OneOf(ids) => self.count_valid(ids, v, 2) == 1,
            Check::Not { node, .. } => !self.valid(*node, v),
            Check::Ref(id) => self.valid_ref(*id, v),
            Check::Pattern(p) => match v {
                Value::String(s) => self.pattern_matches(p, s),
                _ => true,
            },
            leaf => leaf_valid(leaf, v),
        }
    }

    fn pattern_matches(&mut self, p: &'c Pattern, s: &'v str) -> bool {
        let key = (std::ptr::from_ref(p) as usize, s);
        if let Some(ok) = self.matches.get(&key) {
            return *ok;
        }
        let ok = p.is_match(s);
        self.matches.insert(key, ok);
        ok
    }

    fn valid_ref(&mut self, id: NodeId, v: &'v Value) -> bool {
        // Only objects and arrays: the checks of a scalar never descend, so repeating them
        // costs little, and most references end on scalars.
        if !self.memo_on || !(v.is_object() || v.is_array()) {
            return self.valid(id, v);
        }
        let key = (id, std::ptr::from_ref(v) as usize);
        if let Some(ok) = self.memo.get(&key) {
            return *ok;
        }
        let ok = self.valid(id, v);
        self.memo.insert(key, ok);
        ok
    }

    fn valid_properties(&mut self, props: &'c Names, v: &'v Value) -> bool {
        let Value::Object(m) = v else { return true };
        for (name, x) in m {
            if let Some(id) = props.get(name) {
                if !self.valid(*id, x) {
                    return false;
                }
            }
        }
        true
    }

    fn valid_closed(&mut self, c: &'c Closed, v: &'v Value) -> bool {
        let Value::Object(m) = v else { return true };
        for (name, x) in m {
            let Some(id) = c.declared.get(name).copied().or(c.rest) else {
                return false;
            };
            if !self.valid(id, x) {
                return false;
            }
        }
        c.required_after
            .as_ref()
            .is_none_or(|(n, _)| m.contains_key(n))
    }

    fn valid_names(&mut self, id: NodeId, v: &'v Value) -> bool {
        match v {
            Value::Object(m) => self.names_valid(id, m),
            _ => true,
        }
    }

    fn valid_items(&mut self, id: NodeId, after: usize, v: &'v Value) -> bool {
        let Value::Array(a) = v else { return true };
        for x in a.iter().skip(after) {
            if !self.valid(id, x) {
                return false;
            }
        }
        true
    }

    fn valid_tuple(&mut self, ids: &'c [NodeId], v: &'v Value) -> bool {
        let Value::Array(a) = v else { return true };
        for (x, id) in a.iter().zip(ids) {
            if !self.valid(*id, x) {
                return false;
            }
        }
        true
    }

    fn valid_contains(&mut self, id: NodeId, v: &'v Value) -> bool {
        let Value::Array(a) = v else { return true };
        for x in a {
            if self.valid(id, x) {
                return true;
            }
        }
        false
    }

    fn any_valid(&mut self, ids: &'c [NodeId], v: &'v Value) -> bool {
        for id in ids {
            if self.valid(*id, v) {
                return true;
            }
        }
        false
    }

    /// How many of `ids` accept `v`, counting no further than `stop` (and stopping at the first
    /// rejection when `stop` is `usize::MAX`: `allOf`).
    fn count_valid(&mut self, ids: &'c [NodeId], v: &'v Value, stop: usize) -> usize {
        let mut n = 0;
        for id in ids {
            if self.valid(*id, v) {
                n += 1;
                if n == stop {
                    break;
                }
            } else if stop == usize::MAX {
                break;
            }
        }
        n
    }

    fn names_valid(&mut self, id: NodeId, m: &'v Map<String, Value>) -> bool {
        // The schema checks names as JSON strings: each is put in one reused `Value`, checked
        // by a run of its own (the temporary lives shorter than `'v`, and its address repeats:
        // no memo).
        let mut name = Value::String(String::new());
        for k in m.keys() {
            if let Value::String(s) = &mut name {
                s.clear();
                s.push_str(k);
            }
            let mut run = self.naming_run(0);
            let ok = run.valid(id, &name);
            self.too_deep |= run.too_deep;
            if !ok {
                return false;
            }
        }
        true
    }

    /// A run for property names, at this depth.
    fn naming_run<'n>(&self, limit: usize) -> Run<'c, 'n> {
        Run {
            compiled: self.compiled,
            memo: HashMap::new(),
            memo_on: false,
            matches: HashMap::new(),
            depth: self.depth,
            too_deep: false,
            path: Vec::new(),
            limit,
            errors: Vec::new(),
            naming: true,
        }
    }

    // -- collecting errors -------------------------------------------------------------------

    fn full(&self) -> bool {
        self.errors.len() >= self.limit
    }

    fn pointer(&self) -> String {
        let mut s = String::new();
        for step in &self.path {
            match step {
                Step::Key(k) => s = join(&s, k),
                Step::Index(i) => {
                    let _ = write!(s, "/{i}");
                }
            }
        }
        s
    }

    /// Records a violation at the current pointer. `message` is given the instance as it is
    /// shown: as JSON when short, else by its place (see `short_message`).
    fn report(&mut self, rule: &str, instance: &Value, message: impl FnOnce(&str) -> String) {
        let pointer = self.pointer();
        let shown = if self.naming {
            // A property name (a string) in full, as `jsonschema` shows it.
            instance.to_string()
        } else {
            super::short_message(instance, &pointer)
        };
        self.errors.push(Violation {
            message: message(&shown),
            pointer,
            rule: rule.to_string(),
        });
    }

    /// Records a violation whose message does not show the instance.
    fn report_plain(&mut self, rule: &str, message: String) {
        let pointer = self.pointer();
        self.errors.push(Violation {
            pointer,
            rule: rule.to_string(),
            message,
        });
    }

    fn collect(&mut self, id: NodeId, v: &'v Value) {
        if self.full() {
            return;
        }
        if self.depth >= MAX_DEPTH || self.too_deep {
            self.too_deep = true;
            return;
        }
        let compiled = self.compiled;
        let node = &compiled.nodes[id];
        self.depth += 1;
        match &node.body {
            Body::Always(true) => {}
            Body::Always(false) => self.report_false(&node.location, v),
            Body::Keywords(keywords) => {
                for k in keywords {
                    if self.full() {
                        break;
                    }
                    self.collect_keyword(k, v);
                }
            }
        }
        self.depth -= 1;
    }

    fn report_false(&mut self, rule: &str, v: &Value) {
        self.report(rule, v, |s| format!("False schema does not allow {s}"));
    }

    fn child(&mut self, step: Step<'v>, id: NodeId, v: &'v Value) {
        self.path.push(step);
        self.collect(id, v);
        self.path.pop();
    }

    fn collect_keyword(&mut self, k: &'c Keyword, v: &'v Value) {
        match &k.check {
            Check::Properties(props) => self.collect_properties(props, v),
            Check::Closed(c) => self.collect_closed(&k.rule, c, v),
            Check::PropertyNames(id) => self.collect_names(*id, v),
            Check::Items(id) => self.collect_items(*id, 0, v),
            Check::AdditionalItems { after, node } => self.collect_items(*node, *after, v),
            Check::TupleItems(ids) => self.collect_tuple(ids, v),
            Check::AllOf(ids) => {
                for id in ids {
                    self.collect(*id, v);
                }
            }
            Check::Ref(id) => {
                if !self.valid_ref(*id, v) {
                    self.collect(*id, v);
                }
            }
            check => {
                if !self.valid_keyword(check, v) {
                    self.report_leaf(&k.rule, check, v);
                }
            }
        }
    }

    fn collect_properties(&mut self, props: &'c Names, v: &'v Value) {
        let Value::Object(m) = v else { return };
        for (name, x) in m {
            if let Some(id) = props.get(name) {
                self.child(Step::Key(name), *id, x);
            }
        }
    }

    fn collect_closed(&mut self, rule: &str, c: &'c Closed, v: &'v Value) {
        let Value::Object(m) = v else { return };
        let mut unexpected = Vec::new();
        for (name, x) in m {
            match c.declared.get(name).copied().or(c.rest) {
                Some(id) => self.child(Step::Key(name), id, x),
                None => unexpected.push((name, x)),
            }
        }
        self.report_closed(rule, c, m, &unexpected);
    }

    fn report_closed(
        &mut self,
        rule: &str,
        c: &Closed,
        m: &Map<String, Value>,
        unexpected: &[(&String, &Value)],
    ) {
        if let Some((_, first)) = unexpected.first() {
            if c.has_properties {
                let names: Vec<String> = unexpected.iter().map(|(n, _)| format!("'{n}'")).collect();
                let verb = if names.len() == 1 { "was" } else { "were" };
                self.report_plain(
                    rule,
                    format!(
                        "Additional properties are not allowed ({} {verb} unexpected)",
                        names.join(", ")
                    ),
                );
            } else {
                // `additionalProperties: false` alone: `jsonschema` shows the first member.
                self.report_false(rule, first);
            }
        }
        if let Some((name, required_rule)) = &c.required_after {
            if !m.contains_key(name) {
                self.report_plain(
                    required_rule,
                    format!("{} is a required property", Value::String(name.clone())),
                );
            }
        }
    }

    fn collect_names(&mut self, id: NodeId, v: &'v Value) {
        let Value::Object(m) = v else { return };
        for name in m.keys() {
            let value = Value::String(name.clone());
            let mut run = self.naming_run(self.limit - self.errors.len());
            run.collect(id, &value);
            self.too_deep |= run.too_deep;
            let here = self.pointer();
            self.errors.extend(run.errors.into_iter().map(|mut e| {
                e.pointer.clone_from(&here);
                e
            }));
            if self.full() {
                break;
            }
        }
    }

    fn collect_items(&mut self, id: NodeId, after: usize, v: &'v Value) {
        let Value::Array(a) = v else { return };
        for (i, x) in a.iter().enumerate().skip(after) {
            self.child(Step::Index(i), id, x);
        }
    }

    fn collect_tuple(&mut self, ids: &'c [NodeId], v: &'v Value) {
        let Value::Array(a) = v else { return };
        for (i, (x, id)) in a.iter().zip(ids).enumerate() {
            self.child(Step::Index(i), *id, x);
        }
    }

    /// The one error of a keyword that does not report its subschemas' errors.
    fn report_leaf(&mut self, rule: &str, check: &'c Check, v: &'v Value) {
        fn items(n: u64) -> &'static str {
            if n == 1 {
                "item"
            } else {
                "items"
            }
        }
        match check {
            Check::Type(t) => {
                let names: Vec<&str> = t.names().collect();
                if names.len() == 1 {
                    self.report(rule, v, |s| format!("{s} is not of type \"{}\"", names[0]));
                } else {
                    let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                    self.report(rule, v, |s| {
                        format!("{s} is not of types {}", list.join(", "))
                    });
                }
            }
            Check::Const(c) => self.report_plain(rule, format!("{c} was expected")),
            Check::Enum(options) => {
                let shown: Vec<String> = options.iter().map(Value::to_string).collect();
                let list = if shown.len() <= 3 {
                    match shown.split_last() {
                        Some((last, [])) => last.clone(),
                        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                        None => String::new(),
                    }
                } else {
                    format!(
                        "{} or {} other candidates",
                        shown[..2].join(", "),
                        shown.len() - 2
                    )
                };
                self.report(rule, v, |s| format!("{s} is not one of {list}"));
            }
            Check::MinItems(n) => {
                self.report(rule, v, |s| format!("{s} has less than {n} {}", items(*n)));
            }
            Check::MaxItems(n) => {
                self.report(rule, v, |s| format!("{s} has more than {n} {}", items(*n)));
            }
            Check::Required(names) => {
                if let Value::Object(m) = v {
                    for n in names.iter().filter(|n| !m.contains_key(*n)) {
                        self.report_plain(
                            rule,
                            format!("{} is a required property", Value::String(n.clone())),
                        );
                    }
                }
            }
            Check::Pattern(p) => {
                let source = &p.source;
                self.report(rule, v, |s| format!("{s} does not match \"{source}\""));
            }
            Check::Format(f) => {
                let name = f.name();
                self.report(rule, v, |s| format!("{s} is not a \"{name}\""));
            }
            Check::NoPropertyNames => {
                self.report(rule, v, |s| format!("False schema does not allow {s}"));
            }
            Check::Contains(_) => {
                self.report(rule, v, |s| {
                    format!("None of {s} are valid under the given schema")
                });
            }
            Check::AnyOf(_) => self.report(rule, v, |s| {
                format!("{s} is not valid under any of the schemas listed in the 'anyOf' keyword")
            }),
            Check::OneOf(ids) => {
                if self.count_valid(ids, v, 2) == 0 {
                    self.report(rule, v, |s| {
                        format!("{s} is not valid under any of the schemas listed in the 'oneOf' keyword")
                    });
                } else {
                    self.report(rule, v, |s| {
                        format!("{s} is valid under more than one of the schemas listed in the 'oneOf' keyword")
                    });
                }
            }
            Check::Not { schema, .. } => {
                self.report(rule, v, |s| format!("{schema} is not allowed for {s}"));
            }
            Check::NoAdditionalItems { after } => {
                if let Value::Array(a) = v {
                    let extra: Vec<String> = a[(*after).min(a.len())..]
                        .iter()
                        .map(|x| render(x, 1000).unwrap_or_else(|| "…".into()))
                        .collect();
                    let verb = if extra.len() == 1 { "was" } else { "were" };
                    self.report_plain(
                        rule,
                        format!(
                            "Additional items are not allowed ({} {verb} unexpected)",
                            extra.join(", ")
                        ),
                    );
                }
            }
            // Reported by `collect_keyword` itself.
            Check::Properties(_)
            | Check::Closed(_)
            | Check::PropertyNames(_)
            | Check::Items(_)
            | Check::TupleItems(_)
            | Check::AdditionalItems { .. }
            | Check::AllOf(_)
            | Check::Ref(_) => {}
        }
    }
}

#[cfg(test)]
mod tests;
