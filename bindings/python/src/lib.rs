//! # `openbadges` for Python
//!
//! A PyO3 binding of the `openbadges` crate's paved path, built into an abi3 wheel by maturin
//! (`maturin build --release -m bindings/python/Cargo.toml`). The Python module is `openbadges`:
//!
//! ```python
//! import openbadges
//! key = openbadges.keygen()                       # a private JWK (Ed25519)
//! signed = openbadges.issue(credential, key)      # eddsa-rdfc-2022 by default
//! report = openbadges.verify(signed)              # the Report's JSON + "headline"
//! assert report["verified"], report["headline"]
//! ```
//!
//! This crate is marshalling only (ARCHITECTURE.md: "interface … no logic that the library
//! lacks"): Python values in, the library's calls, Python values out. Three rules hold throughout:
//! - **JSON crosses as text.** A `dict` argument is serialised by Python's own `json` module and
//!   parsed by the library's strict, bounded parser ([`openbadges::json::parse`]: duplicate
//!   members, size and depth limits), exactly as bytes from a file would be; results go back as
//!   JSON text through `json.loads`. One path for every input form, and no second converter whose
//!   number handling could differ from the library's.
//! - **Errors are exceptions with the crate's kind.** `openbadges.Error` is the base; one subclass
//!   per [`ErrorKind`] (`JsonError`, `LimitError`, …) carries `.kind` (the kind's stable name),
//!   `.message`, `.pointer` (JSON Pointer or `None`) and, for JSON-LD, `.code`. A Python argument
//!   of the wrong *type* raises `TypeError`, as Python APIs do.
//! - **The GIL is released** while the library works (`Python::detach`): verification,
//!   signing, import, baking and key generation run in parallel with other Python threads.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::borrow::Cow;
use std::sync::Arc;

use openbadges::{Error, ErrorKind, Issuer, IssuerKey, KeyAlgorithm, Securing};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};
use serde_json::Value;

/// The exception classes: `openbadges.Error` and one subclass per crate [`ErrorKind`].
mod exceptions {
    use pyo3::exceptions::PyException;

    pyo3::create_exception!(
        openbadges,
        Error,
        PyException,
        "Base class of every error the openbadges library raises; `.kind` names the crate's ErrorKind."
    );
    pyo3::create_exception!(
        openbadges,
        JsonError,
        Error,
        "The input is not well-formed JSON, or uses JSON in a way the library refuses (duplicate members)."
    );
    pyo3::create_exception!(
        openbadges,
        LimitError,
        Error,
        "The input exceeds a documented limit (size, nesting depth, canonicalization work, inflation)."
    );
    pyo3::create_exception!(
        openbadges,
        ModelError,
        Error,
        "The JSON is well-formed but does not fit the Open Badges / VC data model."
    );
    pyo3::create_exception!(
        openbadges,
        JsonLdError,
        Error,
        "JSON-LD processing failed; `.code` is the JSON-LD 1.1 error code."
    );
    pyo3::create_exception!(
        openbadges,
        CanonicalizationError,
        Error,
        "RDF Dataset Canonicalization (RDFC-1.0) failed, or N-Quads could not be parsed."
    );
    pyo3::create_exception!(
        openbadges,
        InvalidKeyError,
        Error,
        "A key is malformed, of the wrong type, or cannot be used for the requested operation."
    );
    pyo3::create_exception!(
        openbadges,
        ProofError,
        Error,
        "A proof could not be created, or a proof is malformed beyond judgement."
    );
    pyo3::create_exception!(
        openbadges,
        ResolveError,
        Error,
        "Something remote could not be resolved (offline by default, refused, too large, failed)."
    );
    pyo3::create_exception!(openbadges, IoError, Error, "Reading or writing failed.");
    pyo3::create_exception!(
        openbadges,
        UsageError,
        Error,
        "A caller-supplied option or argument is invalid (an unknown suite, a malformed time, …)."
    );
}

use exceptions::*;

/// The Python exception for a library error: the subclass for its kind, with `.kind`,
/// `.message`, `.pointer` and (JSON-LD) `.code` set.
fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let text = e.to_string();
    let kind = e.kind();
    // `ErrorKind` is #[non_exhaustive]: a kind added later is still an `openbadges.Error`.
    let err = match kind {
        ErrorKind::Json => JsonError::new_err(text),
        ErrorKind::Limit => LimitError::new_err(text),
        ErrorKind::Model => ModelError::new_err(text),
        ErrorKind::JsonLd(_) => JsonLdError::new_err(text),
        ErrorKind::Canonicalization => CanonicalizationError::new_err(text),
        ErrorKind::Key => InvalidKeyError::new_err(text),
        ErrorKind::Proof => ProofError::new_err(text),
        ErrorKind::Resolve => ResolveError::new_err(text),
        ErrorKind::Io => IoError::new_err(text),
        ErrorKind::Usage => UsageError::new_err(text),
        _ => exceptions::Error::new_err(text),
    };
    let code = match kind {
        ErrorKind::JsonLd(code) => Some(code),
        _ => None,
    };
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail short of memory exhaustion;
    // if it did, the exception still carries its class and message.
    let _ = value.setattr("kind", kind.as_str());
    let _ = value.setattr("message", e.message());
    let _ = value.setattr("pointer", e.pointer());
    let _ = value.setattr("code", code);
    err
}

/// Shorthand for `Err(to_py(…))` from a message.
fn usage(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_py(py, Error::new(ErrorKind::Usage, message))
}

/// A JSON-able Python value as JSON text, by Python's `json` module (no NaN/Infinity: they are
/// not JSON). A value `json` cannot serialise raises `openbadges.JsonError`.
fn dumps(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = obj.py();
    let json = py.import("json")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("ensure_ascii", false)?;
    kwargs.set_item("allow_nan", false)?;
    match json.call_method("dumps", (obj,), Some(&kwargs)) {
        Ok(s) => s.extract::<String>(),
        Err(cause) => {
            let err = to_py(
                py,
                Error::new(
                    ErrorKind::Json,
                    format!("not representable as JSON: {cause}"),
                ),
            );
            err.set_cause(py, Some(cause));
            Err(err)
        }
    }
}

/// JSON text as Python values (`json.loads`).
fn loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// A library value as Python values.
fn to_python<'py>(py: Python<'py>, value: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| to_py(py, Error::new(ErrorKind::Json, e.to_string())))?;
    loads(py, &text)
}

/// The bytes of a document argument: `bytes` borrowed as they are (no copy, however large: the
/// library's own size limits refuse what is too big), `bytearray` copied (it is mutable), `str`
/// as UTF-8, and a `dict` or `list` as its JSON text.
fn document_bytes<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        Ok(Cow::Borrowed(b.as_bytes()))
    } else if let Ok(b) = obj.cast::<PyByteArray>() {
        Ok(Cow::Owned(b.to_vec()))
    } else if let Ok(s) = obj.cast::<PyString>() {
        Ok(Cow::Owned(s.to_cow()?.into_owned().into_bytes()))
    } else if obj.is_instance_of::<PyDict>() || obj.is_instance_of::<pyo3::types::PyList>() {
        Ok(Cow::Owned(dumps(obj)?.into_bytes()))
    } else {
        Err(PyTypeError::new_err(format!(
            "{what} must be bytes, str or dict, not {}",
            obj.get_type().name()?
        )))
    }
}

/// A JSON object argument parsed by the library's strict parser.
fn json_object(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    let py = obj.py();
    if !obj.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a dict, not {}",
            obj.get_type().name()?
        )));
    }
    let text = dumps(obj)?;
    openbadges::json::parse(text.as_bytes()).map_err(|e| to_py(py, e.context(format!("in {what}"))))
}

/// `at`: an RFC 3339 string or a timezone-aware `datetime`.
fn parse_at(at: &Bound<'_, PyAny>) -> PyResult<chrono::DateTime<chrono::Utc>> {
    let py = at.py();
    let text: String = if let Ok(s) = at.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if at.is_instance(&py.import("datetime")?.getattr("datetime")?)? {
        if at.call_method0("utcoffset")?.is_none() {
            return Err(usage(
                py,
                "`at` is a naive datetime, which names no instant; give a timezone-aware one \
                 (e.g. datetime(2026, 1, 1, tzinfo=timezone.utc))",
            ));
        }
        at.call_method0("isoformat")?.extract()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "`at` must be an RFC 3339 str or a datetime, not {}",
            at.get_type().name()?
        )));
    };
    chrono::DateTime::parse_from_rfc3339(&text)
        .map(|t| t.to_utc())
        .map_err(|e| usage(py, format!("`at` {text:?} is not an RFC 3339 time ({e})")))
}

/// Verifies a credential in any form the library reads — JSON-LD (bytes, str or dict), a VC-JWT,
/// a baked PNG or SVG, a presentation, a CLR — and returns the report as a dict (the library's
/// Report JSON: `verified`, `checks`, … plus `headline`). See `openbadges.pyi`.
#[pyfunction]
#[pyo3(signature = (data, at = None, trust = None, resources = None, strict = false))]
fn verify<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    at: Option<&Bound<'py, PyAny>>,
    trust: Option<&Bound<'py, PyAny>>,
    resources: Option<&Bound<'py, PyDict>>,
    strict: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let input = document_bytes(data, "data")?;
    let mut options = openbadges::VerifyOptions::default().with_strict(strict);
    if let Some(at) = at {
        options = options.at(parse_at(at)?);
    }
    if let Some(trust) = trust {
        let text = if trust.is_instance_of::<PyDict>() {
            dumps(trust)?
        } else {
            return Err(PyTypeError::new_err(format!(
                "`trust` must be a dict like {{\"issuers\": [{{\"id\": …}}]}}, not {}",
                trust.get_type().name()?
            )));
        };
        let list = openbadges::verify::TrustList::from_json(text.as_bytes())
            .map_err(|e| to_py(py, e.context("in `trust`")))?;
        options = options.trust(list);
    }
    if let Some(resources) = resources {
        let mut local = openbadges::resolve::LocalResources::new();
        for (url, doc) in resources.iter() {
            let url: String = url
                .extract()
                .map_err(|_| PyTypeError::new_err("`resources` keys must be URLs (str)"))?;
            local.insert(
                url.clone(),
                document_bytes(&doc, &format!("resources[{url:?}]"))?.into_owned(),
            );
        }
        options = options.resolver(Arc::new(local));
    }
    let report = py
        .detach(|| openbadges::verify(&input, &options))
        .map_err(|e| to_py(py, e))?;
    let out = to_python(py, &report)?;
    out.set_item("headline", report.headline())?;
    Ok(out)
}

/// Finds every credential in the input (JSON-LD, VC-JWT, baked PNG/SVG, presentation, CLR, Open
/// Badges 2.0 assertion) without verifying it.
#[pyfunction]
#[pyo3(name = "import_")]
fn import<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let input = document_bytes(data, "data")?;
    let found = py
        .detach(|| openbadges::import(&input))
        .map_err(|e| to_py(py, e))?;
    let list: Vec<Value> = found
        .into_iter()
        .map(|i| {
            let format = match i.format {
                openbadges::import::Format::JsonLd => "json-ld",
                openbadges::import::Format::Jwt => "jwt",
                openbadges::import::Format::Ob2 => "ob2",
                // #[non_exhaustive]: a form added later is still reported.
                _ => "other",
            };
            serde_json::json!({
                "credential": i.credential,
                "format": format,
                "source": i.source,
                "verifiable": i.verifiable,
                "original": i.original,
            })
        })
        .collect();
    to_python(py, &list)
}

/// The credential baked into a PNG or SVG image, exactly as baked (JSON text or a compact JWS),
/// or `None` for an image without one.
#[pyfunction]
fn extract(py: Python<'_>, image: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    let bytes = image_bytes(image)?;
    let baked = py
        .detach(|| openbadges::bake::extract(&bytes))
        .map_err(|e| to_py(py, e))?;
    Ok(baked.map(|b| b.text().to_string()))
}

/// Bakes a credential (a dict, JSON text, or a compact JWS) into a PNG or SVG image.
#[pyfunction]
fn bake<'py>(
    py: Python<'py>,
    image: &Bound<'py, PyAny>,
    credential: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = image_bytes(image)?;
    let text = if let Ok(s) = credential.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if credential.is_instance_of::<PyDict>() {
        dumps(credential)?
    } else {
        return Err(PyTypeError::new_err(format!(
            "`credential` must be a dict or str, not {}",
            credential.get_type().name()?
        )));
    };
    let baked = openbadges::bake::Baked::from_text(text);
    let out = py
        .detach(|| openbadges::bake::bake(&bytes, &baked))
        .map_err(|e| to_py(py, e))?;
    Ok(PyBytes::new(py, &out))
}

/// An image argument: `bytes` borrowed, `bytearray` copied.
fn image_bytes<'a>(image: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = image.cast::<PyBytes>() {
        Ok(Cow::Borrowed(b.as_bytes()))
    } else if let Ok(b) = image.cast::<PyByteArray>() {
        Ok(Cow::Owned(b.to_vec()))
    } else {
        Err(PyTypeError::new_err(format!(
            "`image` must be bytes, not {}",
            image.get_type().name()?
        )))
    }
}

/// The issuing key: a private JWK (Ed25519, P-256, RSA) or a 32-byte Ed25519 seed.
fn issuer_key(key: &Bound<'_, PyAny>) -> PyResult<IssuerKey> {
    let py = key.py();
    if let Ok(b) = key.cast::<PyBytes>() {
        let seed: &[u8; 32] = b.as_bytes().try_into().map_err(|_| {
            to_py(
                py,
                Error::new(
                    ErrorKind::Key,
                    format!(
                        "an Ed25519 seed is 32 bytes; this one is {}",
                        b.as_bytes().len()
                    ),
                ),
            )
        })?;
        Ok(IssuerKey::ed25519_from_seed(seed))
    } else if key.is_instance_of::<PyDict>() {
        let jwk = json_object(key, "key")?;
        IssuerKey::from_private_jwk(&jwk).map_err(|e| to_py(py, e.context("in `key`")))
    } else {
        Err(PyTypeError::new_err(format!(
            "`key` must be a private JWK (dict) or a 32-byte Ed25519 seed (bytes), not {}",
            key.get_type().name()?
        )))
    }
}

/// Signs a credential: fills what it lacks (the issuer from the key's did:key, `id`,
/// `validFrom`), then secures it with `suite`. Returns the signed credential (dict), or for the
/// `jwt-*` suites the compact JWS (str). `at` (keyword only) is the issuing time, for
/// reproducible output; default now.
#[pyfunction]
#[pyo3(signature = (credential, key, suite = "eddsa-rdfc-2022", *, at = None))]
fn issue<'py>(
    py: Python<'py>,
    credential: &Bound<'py, PyAny>,
    key: &Bound<'py, PyAny>,
    suite: &str,
    at: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let now = match at {
        Some(at) => parse_at(at)?,
        None => chrono::Utc::now(),
    };
    let credential = json_object(credential, "credential")?;
    let key = issuer_key(key)?;
    let securing = Securing::from_name(suite).map_err(|e| to_py(py, e))?;
    // The issuer profile is the credential's own (an object, or an id string); without one, the
    // library names the key's did:key (as `openbadges issue` does).
    let profile = match credential.get("issuer") {
        Some(Value::Object(o)) => Value::Object(o.clone()),
        Some(Value::String(s)) if !s.is_empty() => serde_json::json!({ "id": s }),
        _ => serde_json::json!({}),
    };
    let issued = py
        .detach(|| Issuer::new(profile, key)?.issue_at(&credential, securing, now, None))
        .map_err(|e| to_py(py, e))?;
    match issued.as_jwt() {
        Some(token) => Ok(PyString::new(py, token).into_any()),
        None => to_python(py, &issued.into_json()),
    }
}

/// A new private JWK: `algorithm` is "ed25519" (default), "p256" (or "p-256") or "rsa" (2048
/// bits). Its `kid` is the key's did:key verification method when it has one.
#[pyfunction]
#[pyo3(signature = (algorithm = "ed25519"))]
fn keygen<'py>(py: Python<'py>, algorithm: &str) -> PyResult<Bound<'py, PyAny>> {
    let algorithm = KeyAlgorithm::from_name(algorithm).map_err(|e| to_py(py, e))?;
    let jwk = py
        .detach(|| {
            let key = IssuerKey::generate(algorithm)?;
            let mut jwk = key.to_private_jwk();
            if let Some(vm) = key.public_key().did_key_verification_method() {
                jwk["kid"] = vm.into();
            }
            Ok::<_, Error>(jwk)
        })
        .map_err(|e| to_py(py, e))?;
    to_python(py, &jwk)
}

/// Open Badges 3.0 in Python: verify, issue, import, bake and extract credentials.
#[pymodule]
#[pyo3(name = "openbadges")]
fn openbadges_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(issue, m)?)?;
    m.add_function(wrap_pyfunction!(import, m)?)?;
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add_function(wrap_pyfunction!(bake, m)?)?;
    m.add_function(wrap_pyfunction!(keygen, m)?)?;
    m.add("Error", py.get_type::<exceptions::Error>())?;
    m.add("JsonError", py.get_type::<JsonError>())?;
    m.add("LimitError", py.get_type::<LimitError>())?;
    m.add("ModelError", py.get_type::<ModelError>())?;
    m.add("JsonLdError", py.get_type::<JsonLdError>())?;
    m.add(
        "CanonicalizationError",
        py.get_type::<CanonicalizationError>(),
    )?;
    m.add("InvalidKeyError", py.get_type::<InvalidKeyError>())?;
    m.add("ProofError", py.get_type::<ProofError>())?;
    m.add("ResolveError", py.get_type::<ResolveError>())?;
    m.add("IoError", py.get_type::<IoError>())?;
    m.add("UsageError", py.get_type::<UsageError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
