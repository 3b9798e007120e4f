//! Definition files a district writes by hand — stacks, credit policies — read as JSON or TOML
//! (by extension: `.toml` is TOML, anything else JSON), bounded and strict like every other input.
//!
//! Both forms become the same JSON value, so one validator serves both and errors carry a JSON
//! Pointer into the definition (`/stacks/2/rule/of/3`) plus the file name as context.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};

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
