//! Strict, bounded JSON parsing: the one entry point for untrusted JSON.
//!
//! `serde_json` alone accepts duplicate member names (the last one wins), which lets two parties read
//! the same credential differently; and its recursion limit is not ours to document. [`parse`]
//! refuses duplicates, nesting deeper than [`Limits::max_depth`] and inputs larger than
//! [`Limits::max_bytes`], each with a typed error that names the place.

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{pointer_token, Error, Result};

/// Default maximum input size: 4 MiB.
pub const DEFAULT_MAX_BYTES: usize = 4 * 1024 * 1024;
/// Default maximum nesting depth of arrays and objects: 64.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// Bounds applied to untrusted JSON.
///
/// # Example
/// ```
/// use openbadges::json::{parse_with, Limits};
/// let limits = Limits { max_bytes: 16, max_depth: 2 };
/// assert!(parse_with(br#"{"a":[1]}"#, &limits).is_ok());
/// assert!(parse_with(br#"{"a":[[1]]}"#, &limits).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of arrays and objects (the top-level value is depth 1).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// Parses untrusted JSON with the default [`Limits`] (4 MiB, depth 64), refusing duplicate
/// member names.
///
/// # Example
/// ```
/// let v = openbadges::json::parse(br#"{"type": ["VerifiableCredential"]}"#)?;
/// assert_eq!(v["type"][0], "VerifiableCredential");
///
/// let err = openbadges::json::parse(br#"{"a": 1, "a": 2}"#).unwrap_err();
/// assert_eq!(err.kind(), openbadges::ErrorKind::Json);
/// assert_eq!(err.pointer(), Some("/a"));
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn parse(input: &[u8]) -> Result<Value> {
    parse_with(input, &Limits::default())
}

/// Parses untrusted JSON with explicit [`Limits`].
pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Value> {
    if input.len() > limits.max_bytes {
        return Err(Error::limit(format!(
            "input is {} bytes; the limit is {} bytes",
            input.len(),
            limits.max_bytes
        )));
    }
    let state = State {
        path: RefCell::new(Vec::new()),
        failure: RefCell::new(None),
        max_depth: limits.max_depth,
    };
    let mut de = serde_json::Deserializer::from_slice(input);
    let seed = Node {
        state: &state,
        depth: 1,
    };
    let result = seed.deserialize(&mut de).and_then(|v| de.end().map(|_| v));
    match result {
        Ok(v) => Ok(v),
        Err(e) => {
            if let Some(failure) = state.failure.into_inner() {
                let at = format!(" (line {}, column {})", e.line(), e.column());
                let Failure { error, pointer } = failure;
                let msg = format!("{}{}", error.message(), at);
                Err(Error::new(error.kind(), msg).at(pointer))
            } else {
                let pointer = state
                    .path
                    .borrow()
                    .iter()
                    .map(|t| format!("/{}", pointer_token(t)))
                    .collect::<String>();
                let err = Error::json(format!("malformed JSON: {e}"));
                Err(if pointer.is_empty() {
                    err
                } else {
                    err.at(pointer)
                })
            }
        }
    }
}

/// Parses untrusted JSON text (see [`parse`]).
pub fn parse_str(input: &str) -> Result<Value> {
    parse(input.as_bytes())
}

struct Failure {
    error: Error,
    pointer: String,
}

struct State {
    path: RefCell<Vec<String>>,
    failure: RefCell<Option<Failure>>,
    max_depth: usize,
}

impl State {
    fn fail<E: serde::de::Error>(&self, error: Error, last: Option<&str>) -> E {
        let mut pointer: String = self
            .path
            .borrow()
            .iter()
            .map(|t| format!("/{}", pointer_token(t)))
            .collect();
        if let Some(last) = last {
            pointer.push('/');
            pointer.push_str(&pointer_token(last));
        }
        let msg = error.message().to_string();
        *self.failure.borrow_mut() = Some(Failure { error, pointer });
        E::custom(msg)
    }
}

#[derive(Clone, Copy)]
struct Node<'a> {
    state: &'a State,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        if self.depth > self.state.max_depth {
            return Err(self.state.fail(depth_error(self.state.max_depth), None));
        }
        let child = Node {
            state: self.state,
            depth: self.depth + 1,
        };
        let mut out = Vec::new();
        loop {
            self.state.path.borrow_mut().push(out.len().to_string());
            let next = seq.next_element_seed(child)?;
            self.state.path.borrow_mut().pop();
            match next {
                Some(v) => out.push(v),
                None => break,
            }
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        if self.depth > self.state.max_depth {
            return Err(self.state.fail(depth_error(self.state.max_depth), None));
        }
        let child = Node {
            state: self.state,
            depth: self.depth + 1,
        };
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let err = Error::json(format!(
                    "duplicate member name `{key}`: each member name may appear once per object"
                ));
                return Err(self.state.fail(err, Some(&key)));
            }
            self.state.path.borrow_mut().push(key.clone());
            let value = map.next_value_seed(child)?;
            self.state.path.borrow_mut().pop();
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

fn depth_error(max: usize) -> Error {
    Error::limit(format!("JSON nesting is deeper than the limit of {max}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn refuses_duplicates_with_pointer() {
        let e = parse(br#"{"a": {"b": 1, "c": [{"d": 1, "d": 2}]}}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Json);
        assert_eq!(e.pointer(), Some("/a/c/0/d"));
    }

    #[test]
    fn bounds_depth_without_stack_overflow() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = parse(deep.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        let ok = "[".repeat(64) + &"]".repeat(64);
        assert!(parse(ok.as_bytes()).is_ok());
        let over = "[".repeat(65) + &"]".repeat(65);
        assert_eq!(parse(over.as_bytes()).unwrap_err().kind(), ErrorKind::Limit);
    }

    #[test]
    fn bounds_size() {
        let big = vec![b' '; DEFAULT_MAX_BYTES + 1];
        assert_eq!(parse(&big).unwrap_err().kind(), ErrorKind::Limit);
    }

    #[test]
    fn malformed_is_typed() {
        let e = parse(br#"{"a": [1, 2,]}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Json);
        assert!(parse(b"{} x").is_err());
        assert!(parse(b"").is_err());
    }

    #[test]
    fn keeps_order_and_numbers() {
        let v = parse(br#"{"z": 1.0, "a": 2.5, "m": 10}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"z":1.0,"a":2.5,"m":10}"#
        );
    }
}
