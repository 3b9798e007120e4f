//! # openbadges-wasm
//!
//! The `openbadges` verifier for browsers and Node, through [`wasm_bindgen`]: a wallet page can
//! verify a teacher's badges — JSON-LD, VC-JWT, baked PNG/SVG, a presentation or a CLR — without
//! sending them anywhere, with the same report and headline as `openbadges verify --json`.
//!
//! This crate is marshalling only: every export calls the root-level paved path of the
//! `openbadges` crate (`verify`, `import`, `bake`, `Issuer`) and converts between JavaScript
//! values and the crate's types. There is no logic here the library lacks.
//!
//! | export | calls |
//! |---|---|
//! | `verify(input, options?)` | `openbadges::verify` → the report as a plain object plus `headline` |
//! | `importCredentials(bytes)` | `openbadges::import` |
//! | `extract(image)` / `bake(image, credential)` | `openbadges::bake::{extract, bake}` |
//! | `issue(credential, keyJwk, securing)` | `openbadges::Issuer::issue` with a key the page holds |
//! | `generateKey(algorithm)` | `openbadges::IssuerKey::generate` → a private JWK |
//!
//! # Errors, never traps
//! Every failure is a thrown JavaScript `Error` whose `name` is `"OpenBadgesError"`, whose
//! `kind` is the crate's [`openbadges::ErrorKind`] as a kebab-case string (`"json"`, `"limit"`,
//! `"usage"`, …) and whose `message` is the crate's message; `pointer` is the JSON Pointer of the
//! offending place when the crate knows it. Inputs are bounded before they are copied into wasm
//! memory by the library's own limits ([`MAX_INPUT_BYTES`] = the largest input the library
//! accepts, a baked image). The library returns typed errors rather than panicking; as a last
//! resort a panic hook records the panic message, which [`last_panic`] (`lastPanic()`) hands to
//! the JavaScript caller that caught the resulting `WebAssembly.RuntimeError` (the wallet page
//! reloads the module then).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::sync::Mutex;

use js_sys::{Array, Object, Reflect, Uint8Array};
use openbadges::resolve::LocalResources;
use openbadges::verify::{Recipient, TrustList};
use openbadges::{Error, ErrorKind, VerifyOptions};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

/// The largest input accepted by any export: the library's limit on a baked image
/// ([`openbadges::bake::MAX_IMAGE_BYTES`]); JSON and JWT inputs have smaller limits the library
/// enforces itself.
pub const MAX_INPUT_BYTES: usize = openbadges::bake::MAX_IMAGE_BYTES;

/// The most `resources` entries one `verify` call takes (each bounded by
/// [`openbadges::resolve::MAX_RESOURCE_BYTES`]).
pub const MAX_RESOURCES: usize = 256;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** One check of a report, as `openbadges verify --json` prints it. */
export interface Check {
  id: string;
  outcome: "passed" | "failed" | "warning" | "skipped" | "indeterminate";
  fatal: boolean;
  [member: string]: unknown;
}
/** The verification report: the crate's `Report` JSON plus its one-line `headline`. */
export interface Report {
  verified: boolean;
  headline: string;
  checks: Check[];
  [member: string]: unknown;
}
/** Options of `verify`. */
export interface VerifyOptions {
  /** Judge dates as of this time (RFC 3339 string or Date) instead of now. */
  at?: string | Date;
  /** Trusted issuers: a list of issuer ids, or a trust list `{issuers: [{id, ...}]}` (object or JSON text). */
  trust?: string[] | { issuers: unknown[] } | string;
  /** Documents served instead of fetching (status lists, DID documents, keys): URL → document. */
  resources?: Record<string, string | Uint8Array | object>;
  /** Conformance findings are fatal (the 1EdTech validator's outcome). */
  strict?: boolean;
  /** The expected recipient: a DID/URL or an e-mail address. */
  recipient?: string;
  /** The challenge a presentation's proof must carry. */
  challenge?: string;
  /** The domain a presentation's proof must carry. */
  domain?: string;
}
/** One credential found by `importCredentials`. */
export interface Imported {
  credential: Record<string, unknown>;
  original: string | null;
  format: "json-ld" | "jwt" | "ob2";
  source: string;
  verifiable: boolean;
}
/** A credential as baked in an image. */
export interface Baked {
  format: "json-ld" | "jwt" | "ob2";
  text: string;
}
/** How `issue` secures the credential (the CLI's `--suite` names). */
export type Securing =
  | "eddsa-rdfc-2022" | "eddsa-jcs-2022" | "Ed25519Signature2020"
  | "jwt-eddsa" | "jwt-es256" | "jwt-rs256";
/** A thrown error: `kind` is the crate's ErrorKind. */
export interface OpenBadgesError extends Error {
  name: "OpenBadgesError";
  kind: "json" | "limit" | "model" | "json-ld" | "canonicalization" | "key" | "proof" | "resolve" | "io" | "usage" | string;
  pointer?: string;
  code?: string;
}
"#;

/// The message of the last panic, kept by the panic hook for the caller that caught the trap.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Installs the panic hook when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("internal error in openbadges-wasm: {info}");
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(message.clone());
        }
        #[cfg(target_arch = "wasm32")]
        console_error(&message);
    }));
}

/// The message of the last panic, if one happened: a caller that caught a
/// `WebAssembly.RuntimeError` from an export reads it here, then reloads the module (a trapped
/// instance is not reused). `undefined` when nothing panicked.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.lock().ok().and_then(|last| last.clone())
}

/// The version of the `openbadges` crate inside.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Verifies a badge: JSON-LD credential, VC-JWT, baked PNG/SVG, presentation or CLR, as bytes or
/// text. Returns the report as a plain object — the crate's `Report` JSON (`verified`,
/// `checks`, …) plus `headline` ("VERIFIED", "NOT VERIFIED (revoked)", …). Throws only when the
/// options are unusable or the input is beyond the limits; a forged or unreadable badge is a
/// report with `verified: false`.
#[wasm_bindgen(unchecked_return_type = "Report")]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] input: JsValue,
    // `options?: VerifyOptions` in the `.d.ts`; an omitted argument arrives as `undefined`.
    #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    run(|| {
        let bytes = input_bytes(&input, "input")?;
        let options = verify_options(&options)?;
        let report = openbadges::verify(&bytes, &options)?;
        let mut json = to_object(serde_json::to_value(&report), "report")?;
        json.insert("headline".into(), report.headline().into());
        Ok(Value::Object(json))
    })
}

/// Finds every credential in the input (a credential, a JWT, a baked image, a presentation, a
/// CLR, an Open Badges 2.0 assertion): `[{credential, original, format, source, verifiable}]`.
/// Nothing is verified here; call `verify` for that.
#[wasm_bindgen(js_name = importCredentials, unchecked_return_type = "Imported[]")]
pub fn import_credentials(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] input: JsValue,
) -> Result<JsValue, JsValue> {
    run(|| {
        let bytes = input_bytes(&input, "input")?;
        let found = openbadges::import(&bytes)?;
        Ok(Value::Array(
            found
                .into_iter()
                .map(|i| {
                    serde_json::json!({
                        "credential": i.credential,
                        "original": i.original,
                        "format": import_format(i.format),
                        "source": i.source,
                        "verifiable": i.verifiable,
                    })
                })
                .collect(),
        ))
    })
}

/// The credential baked into a PNG or SVG, exactly as baked: `{format, text}`, or `null` when
/// the image carries none. Throws for an input that is neither PNG nor SVG or is malformed.
#[wasm_bindgen(unchecked_return_type = "Baked | null")]
pub fn extract(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] image: JsValue,
) -> Result<JsValue, JsValue> {
    run(|| {
        let bytes = input_bytes(&image, "image")?;
        Ok(match openbadges::bake::extract(&bytes)? {
            None => Value::Null,
            Some(baked) => serde_json::json!({
                "format": baked_format(&baked),
                "text": baked.text(),
            }),
        })
    })
}

/// Bakes a credential (a JSON-LD object or its text, or a compact JWS) into a PNG or SVG image;
/// returns the new image's bytes. A credential already baked in the image is replaced.
#[wasm_bindgen]
pub fn bake(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string")] image: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | object")] credential: JsValue,
) -> Result<Uint8Array, JsValue> {
    let image = input_bytes(&image, "image").map_err(to_js_error)?;
    let credential = credential_text(&credential).map_err(to_js_error)?;
    let baked = openbadges::bake::Baked::from_text(credential);
    openbadges::bake::bake(&image, &baked)
        .map(|out| Uint8Array::from(out.as_slice()))
        .map_err(to_js_error)
}

/// Runs `f` and converts its JSON result (or error) to JavaScript.
fn run(f: impl FnOnce() -> openbadges::Result<Value>) -> Result<JsValue, JsValue> {
    f().and_then(|v| to_js(&v)).map_err(to_js_error)
}

/// A plain JavaScript value for `value` (objects keep their member order).
fn to_js(value: &Value) -> openbadges::Result<JsValue> {
    let text =
        serde_json::to_string(value).map_err(|e| Error::new(ErrorKind::Json, e.to_string()))?;
    js_sys::JSON::parse(&text)
        .map_err(|_| Error::new(ErrorKind::Json, "JSON.parse refused a result"))
}

fn to_object(
    value: serde_json::Result<Value>,
    what: &str,
) -> openbadges::Result<Map<String, Value>> {
    match value {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Error::new(
            ErrorKind::Json,
            format!("the {what} is not a JSON object"),
        )),
        Err(e) => Err(Error::new(ErrorKind::Json, format!("the {what}: {e}"))),
    }
}

/// The thrown `Error`: name `OpenBadgesError`, `kind`, the crate's message, `pointer`, `code`.
fn to_js_error(e: Error) -> JsValue {
    let js = js_sys::Error::new(&e.to_string());
    js.set_name("OpenBadgesError");
    let set = |k: &str, v: JsValue| {
        // Setting a property on a fresh Error object cannot fail; ignore the impossible case
        // rather than lose the error being reported.
        let _ = Reflect::set(&js, &JsValue::from_str(k), &v);
    };
    set("kind", JsValue::from_str(e.kind().as_str()));
    if let ErrorKind::JsonLd(code) = e.kind() {
        set("code", JsValue::from_str(code));
    }
    if let Some(p) = e.pointer() {
        set("pointer", JsValue::from_str(p));
    }
    js.into()
}

fn usage(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Usage, message)
}

/// The bytes of a `Uint8Array`, `ArrayBuffer` or string argument, refused before copying when
/// larger than [`MAX_INPUT_BYTES`].
fn input_bytes(value: &JsValue, what: &str) -> openbadges::Result<Vec<u8>> {
    bounded_bytes(value, what, MAX_INPUT_BYTES)
}

fn bounded_bytes(value: &JsValue, what: &str, max: usize) -> openbadges::Result<Vec<u8>> {
    let too_big = |n: usize| {
        Error::new(
            ErrorKind::Limit,
            format!("{what} is {n} bytes; the limit is {max} bytes"),
        )
    };
    if let Some(s) = value.as_string() {
        if s.len() > max {
            return Err(too_big(s.len()));
        }
        return Ok(s.into_bytes());
    }
    let array = if let Some(a) = value.dyn_ref::<Uint8Array>() {
        a.clone()
    } else if let Some(b) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        Uint8Array::new(b)
    } else {
        return Err(usage(format!(
            "{what}: expected a Uint8Array, an ArrayBuffer or a string"
        )));
    };
    let n = array.length() as usize;
    if n > max {
        return Err(too_big(n));
    }
    Ok(array.to_vec())
}

/// A credential given as text (JSON or a compact JWS), `Uint8Array`, or a plain object.
fn credential_text(value: &JsValue) -> openbadges::Result<String> {
    let max = openbadges::bake::MAX_CREDENTIAL_BYTES;
    if value.is_string() || value.is_instance_of::<Uint8Array>() {
        let bytes = bounded_bytes(value, "credential", max)?;
        return String::from_utf8(bytes).map_err(|_| usage("credential: not UTF-8 text"));
    }
    let text = json_text(value, "credential")?;
    if text.len() > max {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "credential is {} bytes; the limit is {max} bytes",
                text.len()
            ),
        ));
    }
    Ok(text)
}

/// `JSON.stringify` of a plain object (refused for anything else).
fn json_text(value: &JsValue, what: &str) -> openbadges::Result<String> {
    if !value.is_object() || value.is_instance_of::<Uint8Array>() {
        return Err(usage(format!("{what}: expected a JSON object")));
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| usage(format!("{what}: not JSON-serialisable")))
}

/// The library's JSON reader (limits, duplicate-member refusal) over a plain JS object.
fn json_value(value: &JsValue, what: &str) -> openbadges::Result<Value> {
    let text = json_text(value, what)?;
    openbadges::json::parse(text.as_bytes()).map_err(|e| e.context(format!("in {what}")))
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn optional_string(options: &JsValue, key: &str) -> openbadges::Result<Option<String>> {
    let v = get(options, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| usage(format!("options.{key}: expected a string")))
}

/// `VerifyOptions` from `{at, trust, resources, strict, recipient, challenge, domain}`.
fn verify_options(options: &JsValue) -> openbadges::Result<VerifyOptions> {
    let mut out = VerifyOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok(out);
    }
    if !options.is_object() {
        return Err(usage("options: expected an object"));
    }
    let strict = get(options, "strict");
    if !strict.is_undefined() && !strict.is_null() {
        out = out.with_strict(
            strict
                .as_bool()
                .ok_or_else(|| usage("options.strict: expected true or false"))?,
        );
    }
    let at = get(options, "at");
    if let Some(date) = at.dyn_ref::<js_sys::Date>() {
        let ms = date.get_time();
        let t = (ms.is_finite())
            .then(|| chrono::DateTime::from_timestamp_millis(ms as i64))
            .flatten()
            .ok_or_else(|| usage("options.at: an invalid Date"))?;
        out = out.at(t);
    } else if let Some(s) = optional_string(options, "at")? {
        let t = chrono::DateTime::parse_from_rfc3339(&s)
            .map_err(|e| usage(format!("options.at {s}: not an RFC 3339 time ({e})")))?;
        out = out.at(t.to_utc());
    }
    let trust = get(options, "trust");
    if !trust.is_undefined() && !trust.is_null() {
        out = out.trust(trust_list(&trust)?);
    }
    if let Some(r) = optional_string(options, "recipient")? {
        out = out.recipient(Recipient::parse(&r));
    }
    if let Some(c) = optional_string(options, "challenge")? {
        out = out.challenge(c);
    }
    if let Some(d) = optional_string(options, "domain")? {
        out = out.domain(d);
    }
    let resources = get(options, "resources");
    if !resources.is_undefined() && !resources.is_null() {
        out = out.resolver(std::sync::Arc::new(local_resources(&resources)?));
    }
    Ok(out)
}

/// A trust list from an array of issuer ids, a trust-list object, or its JSON text.
fn trust_list(trust: &JsValue) -> openbadges::Result<TrustList> {
    let err = |e: Error| e.context("in options.trust");
    if let Some(ids) = trust.dyn_ref::<Array>() {
        let mut list = TrustList::new();
        for id in ids.iter() {
            let id = id
                .as_string()
                .ok_or_else(|| usage("options.trust: expected issuer ids (strings)"))?;
            list = list.trust(id);
        }
        return Ok(list);
    }
    let bytes = match trust.as_string() {
        Some(s) => s.into_bytes(),
        None => json_text(trust, "options.trust")?.into_bytes(),
    };
    TrustList::from_json(&bytes).map_err(err)
}

/// `resources`: URL → document (text, bytes, or a JSON object), like the CLI's `--resource`.
fn local_resources(resources: &JsValue) -> openbadges::Result<LocalResources> {
    if !resources.is_object() {
        return Err(usage(
            "options.resources: expected an object {url: document}",
        ));
    }
    let entries = Object::entries(resources.unchecked_ref());
    if entries.length() as usize > MAX_RESOURCES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("options.resources has more than {MAX_RESOURCES} entries"),
        ));
    }
    let max = openbadges::resolve::MAX_RESOURCE_BYTES;
    let mut local = LocalResources::new();
    for entry in entries.iter() {
        let pair: Array = entry.unchecked_into();
        let url = pair.get(0).as_string().unwrap_or_default();
        let doc = pair.get(1);
        let what = format!("options.resources[{url}]");
        let bytes = if doc.is_string() || doc.is_instance_of::<Uint8Array>() {
            bounded_bytes(&doc, &what, max)?
        } else {
            let text = json_text(&doc, &what)?;
            if text.len() > max {
                return Err(Error::new(
                    ErrorKind::Limit,
                    format!("{what} is {} bytes; the limit is {max} bytes", text.len()),
                ));
            }
            text.into_bytes()
        };
        local.insert(url, bytes);
    }
    Ok(local)
}

fn import_format(f: openbadges::import::Format) -> &'static str {
    match f {
        openbadges::import::Format::JsonLd => "json-ld",
        openbadges::import::Format::Jwt => "jwt",
        openbadges::import::Format::Ob2 => "ob2",
        _ => "other",
    }
}

fn baked_format(b: &openbadges::bake::Baked) -> &'static str {
    match b {
        openbadges::bake::Baked::Json(_) => "json-ld",
        openbadges::bake::Baked::Jwt(_) => "jwt",
        openbadges::bake::Baked::Ob2(_) => "ob2",
        _ => "other",
    }
}

/// Signs `credential` (an object or its JSON text) with the private JWK `keyJwk` (Ed25519 `OKP`,
/// P-256 `EC` or `RSA`) the page holds, secured as `securing`: `eddsa-rdfc-2022`,
/// `eddsa-jcs-2022`, `Ed25519Signature2020` (Data Integrity, Ed25519 keys) or `jwt-eddsa`,
/// `jwt-es256`, `jwt-rs256` (VC-JWT). Returns the signed credential, or the compact JWS string
/// for a VC-JWT. As with `openbadges issue`, a credential without an issuer id gets the key's
/// did:key, and one without `id` / `validFrom` gets a urn:uuid and now.
///
/// The key is parsed for this call and dropped (zeroized) when it returns; the JWK itself stays
/// the caller's to keep safe.
#[wasm_bindgen(unchecked_return_type = "Record<string, unknown> | string")]
pub fn issue(
    #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | string")] credential: JsValue,
    #[wasm_bindgen(js_name = keyJwk, unchecked_param_type = "JsonWebKey | string")]
    key_jwk: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Securing")] securing: &str,
) -> Result<JsValue, JsValue> {
    run(|| {
        let securing = openbadges::Securing::from_name(securing)?;
        let credential = json_arg(&credential, "credential")?;
        let key = private_key(&key_jwk)?;
        let profile = match credential.get("issuer") {
            Some(Value::Object(o)) => Value::Object(o.clone()),
            Some(Value::String(s)) if !s.is_empty() => serde_json::json!({ "id": s }),
            _ => serde_json::json!({}),
        };
        let issuer = openbadges::Issuer::new(profile, key)?;
        Ok(issuer.issue(&credential, securing)?.into_json())
    })
}

/// A new private JWK: `algorithm` is `"ed25519"`, `"p256"` or `"rsa"` (2048-bit; any case), from the
/// browser's `crypto.getRandomValues`.
#[wasm_bindgen(js_name = generateKey, unchecked_return_type = "JsonWebKey")]
pub fn generate_key(algorithm: &str) -> Result<JsValue, JsValue> {
    run(|| {
        let alg = openbadges::KeyAlgorithm::from_name(algorithm)?;
        Ok(openbadges::IssuerKey::generate(alg)?.to_private_jwk())
    })
}

/// The Ed25519 private JWK of a 32-byte seed given as 64 hex digits (reproducible keys for
/// tests and demos; a real issuer keeps a generated key).
#[wasm_bindgen(js_name = keyFromSeed, unchecked_return_type = "JsonWebKey")]
pub fn key_from_seed(seed_hex: &str) -> Result<JsValue, JsValue> {
    run(|| {
        let bad = || Error::new(ErrorKind::Key, "the seed must be 64 hex digits (32 bytes)");
        let s = seed_hex.trim();
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut seed = [0u8; 32];
        for (i, byte) in seed.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        let jwk = openbadges::IssuerKey::ed25519_from_seed(&seed).to_private_jwk();
        seed.fill(0);
        Ok(jwk)
    })
}

/// The public half of a private JWK: `{jwk, did}` (`did` is its did:key, or `null` for RSA).
#[wasm_bindgen(js_name = publicKey, unchecked_return_type = "{ jwk: JsonWebKey; did: string | null }")]
pub fn public_key(
    #[wasm_bindgen(js_name = keyJwk, unchecked_param_type = "JsonWebKey | string")]
    key_jwk: JsValue,
) -> Result<JsValue, JsValue> {
    run(|| {
        let key = private_key(&key_jwk)?;
        Ok(serde_json::json!({ "jwk": key.public_jwk(), "did": key.did_key() }))
    })
}

fn private_key(jwk: &JsValue) -> openbadges::Result<openbadges::IssuerKey> {
    let jwk = json_arg(jwk, "keyJwk")?;
    openbadges::IssuerKey::from_private_jwk(&jwk).map_err(|e| e.context("in keyJwk"))
}

/// An object argument, or its JSON text, read by the library's JSON reader (limits,
/// duplicate-member refusal).
fn json_arg(value: &JsValue, what: &str) -> openbadges::Result<Value> {
    if value.is_string() {
        let bytes = bounded_bytes(value, what, openbadges::json::DEFAULT_MAX_BYTES)?;
        return openbadges::json::parse(&bytes).map_err(|e| e.context(format!("in {what}")));
    }
    json_value(value, what)
}
