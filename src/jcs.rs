//! RFC 8785 JSON Canonicalization Scheme (JCS), for `eddsa-jcs-2022` and `@json` literals.
//!
//! Written here rather than taken from a crate: it is ~60 lines over `ryu-js` (the ECMAScript
//! number formatting JCS requires), and it is proven by the RFC 8785 test data and the 100,000-line
//! ES6 number file (tests/jcs_suite.rs). Lone surrogates cannot occur: the strict JSON parser
//! refuses them before a document gets here.

use serde_json::Value;

/// The JCS canonical form of `value`.
///
/// # Example
/// ```
/// let v = openbadges::json::parse(br#"{"b": 1.0, "a": [1e21, "\u20ac"], "c": 0.5}"#)?;
/// assert_eq!(openbadges::jcs::canonicalize(&v), r#"{"a":[1e+21,"€"],"b":1,"c":0.5}"#);
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn canonicalize(value: &Value) -> String {
    crate::jsonld::canonical_json(value)
}
