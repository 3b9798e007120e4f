//! Definition files a district writes by hand — stacks, credit policies — read as JSON or TOML
//! (by extension: `.toml` is TOML, anything else JSON), bounded and strict like every other input.
//!
//! Both forms become the same JSON value, so one validator serves both and errors carry a JSON
//! Pointer into the definition (`/stacks/2/rule/of/3`) plus the file name as context.

use std::path::Path;

use serde_json::Value;

use crate::error::{pointer_token, Error, ErrorKind, Result};

/// Largest definition file read (1 MiB): policies and stacks are small, hand-written files.
pub const MAX_DEFINITION_BYTES: u64 = 1 << 20;

/// Reads a definition file (JSON or TOML) as JSON. Errors name the file.
pub fn load(path: &Path) -> Result<Value> {
    let name = path.display().to_string();
    let meta =
        std::fs::metadata(path).map_err(|e| Error::new(ErrorKind::Io, format!("{name}: {e}")))?;
    if meta.len() > MAX_DEFINITION_BYTES {
        return Err(Error::limit(format!(
            "{name} is {} bytes; definition files are limited to {MAX_DEFINITION_BYTES}",
            meta.len()
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Error::new(ErrorKind::Io, format!("{name}: {e}")))?;
    let toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    parse(&bytes, toml).map_err(|e| e.context(format!("in {name}")))
}

/// Parses definition text: TOML when `toml`, else strict JSON ([`crate::json::parse`]).
pub fn parse(bytes: &[u8], toml: bool) -> Result<Value> {
    if !toml {
        return crate::json::parse(bytes);
    }
    if bytes.len() as u64 > MAX_DEFINITION_BYTES {
        return Err(Error::limit("the definition is larger than 1 MiB"));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::json(format!("the TOML file is not UTF-8: {e}")))?;
    // The `toml` crate (serde) does the parsing; its value maps onto JSON one to one, except
    // dates, which definitions must write as strings.
    let value: Value =
        toml::from_str(text).map_err(|e| Error::json(format!("not valid TOML: {e}")))?;
    // Re-check the nesting bound the JSON reader enforces.
    crate::json::parse(value.to_string().as_bytes())
}

/// A model error at `pointer`.
pub(crate) fn bad(pointer: &str, msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Model, msg).at(pointer)
}

/// Refuses members other than `allowed` (a typo in a hand-written file must not pass silently).
pub(crate) fn check_keys(obj: &Value, allowed: &[&str], at: &str) -> Result<()> {
    let Some(map) = obj.as_object() else {
        return Err(bad(at, "expected an object"));
    };
    for k in map.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(bad(
                &format!("{at}/{}", pointer_token(k)),
                format!(
                    "unknown member `{k}` (expected one of: {})",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// A required non-empty string member.
pub(crate) fn req_str<'a>(obj: &'a Value, key: &str, at: &str) -> Result<&'a str> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(bad(
            &format!("{at}/{key}"),
            format!("`{key}` must be a non-empty string"),
        )),
        None => Err(bad(at, format!("`{key}` is required"))),
    }
}

/// A threshold: a whole number from 1 to 1,000,000 (zero is refused by name).
pub(crate) fn positive_count(v: &Value, at: &str, what: &str) -> Result<usize> {
    match v.as_u64() {
        Some(0) => Err(bad(
            at,
            format!("{what} is 0; a threshold of zero is meaningless"),
        )),
        Some(n) if n <= 1_000_000 => Ok(n as usize),
        _ => Err(bad(at, format!("{what} must be a positive whole number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_json_give_the_same_value() {
        let t = parse(
            b"name = \"A\"\n[[values]]\namount = 4\nunit = \"hours\"\n",
            true,
        )
        .unwrap();
        let j = parse(
            br#"{"name":"A","values":[{"amount":4,"unit":"hours"}]}"#,
            false,
        )
        .unwrap();
        assert_eq!(t, j);
    }

    #[test]
    fn bad_toml_is_a_json_error() {
        let e = parse(b"name = ", true).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Json);
    }
}
