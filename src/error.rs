//! The crate's one error type.
//!
//! An [`Error`] has a [`ErrorKind`] (what went wrong, for programs), a message (what was expected,
//! for people), an optional JSON Pointer to the offending place in the input, and a chain of context
//! added on the way up ("while expanding @context: …"). See STYLE.md: errors must point at the
//! field and say what was expected.

use std::fmt;

/// What kind of failure an [`Error`] is. Match on this; read the message for the details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not well-formed JSON, or uses JSON in a way we refuse (duplicate member names).
    Json,
    /// The input exceeds a documented limit (size, nesting depth, canonicalization work, inflation).
    Limit,
    /// The JSON is well-formed but does not fit the Open Badges / VC data model.
    Model,
    /// JSON-LD processing failed; the value is the JSON-LD 1.1 API error code
    /// (e.g. `"invalid context entry"`, `"loading remote context failed"`), or `"data loss"` for a
    /// safe-mode refusal.
    JsonLd(&'static str),
    /// RDF Dataset Canonicalization (RDFC-1.0) failed, or N-Quads could not be parsed.
    Canonicalization,
    /// A key is malformed, of the wrong type, or cannot be used for the requested operation.
    Key,
    /// A proof could not be created, or a proof is malformed beyond judgement.
    Proof,
    /// Something remote could not be resolved (offline by default, refused, too large, failed).
    Resolve,
    /// Reading or writing a file failed.
    Io,
    /// A caller-supplied option or argument is invalid.
    Usage,
}

impl ErrorKind {
    /// A stable, kebab-case name for this kind (used in JSON output).
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::Json => "json",
            ErrorKind::Limit => "limit",
            ErrorKind::Model => "model",
            ErrorKind::JsonLd(_) => "json-ld",
            ErrorKind::Canonicalization => "canonicalization",
            ErrorKind::Key => "key",
            ErrorKind::Proof => "proof",
            ErrorKind::Resolve => "resolve",
            ErrorKind::Io => "io",
            ErrorKind::Usage => "usage",
        }
    }
}

/// The error type of this crate.
///
/// # Example
/// ```
/// use openbadges::{Error, ErrorKind};
/// let err = Error::new(ErrorKind::Model, "expected a string")
///     .at("/credentialSubject/achievement/name")
///     .context("while reading the credential");
/// assert_eq!(err.kind(), ErrorKind::Model);
/// assert_eq!(err.pointer(), Some("/credentialSubject/achievement/name"));
/// assert_eq!(
///     err.to_string(),
///     "while reading the credential: expected a string (at /credentialSubject/achievement/name)"
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    pointer: Option<String>,
    context: Vec<String>,
}

impl Error {
    /// A new error of `kind` with a message saying what was wrong and what was expected.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                pointer: None,
                context: Vec::new(),
            }),
        }
    }

    /// Sets the JSON Pointer (RFC 6901) of the offending place in the input.
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.inner.pointer = Some(pointer.into());
        self
    }

    /// Adds context, outermost last: `err.context("while verifying the proof")`.
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.inner.context.push(context.into());
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The innermost message, without context.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The JSON Pointer of the offending place, when known.
    pub fn pointer(&self) -> Option<&str> {
        self.inner.pointer.as_deref()
    }

    /// Shorthand constructors used throughout the crate.
    pub(crate) fn json(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Json, message)
    }
    pub(crate) fn limit(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Limit, message)
    }
    pub(crate) fn model(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Model, message)
    }
    pub(crate) fn key(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Key, message)
    }
    pub(crate) fn proof(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Proof, message)
    }
    pub(crate) fn jsonld(code: &'static str, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::JsonLd(code), message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.inner.context.iter().rev() {
            write!(f, "{c}: ")?;
        }
        if let ErrorKind::JsonLd(code) = self.inner.kind {
            write!(f, "{code}: ")?;
        }
        f.write_str(&self.inner.message)?;
        if let Some(p) = &self.inner.pointer {
            write!(f, " (at {})", if p.is_empty() { "/" } else { p })?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.inner.kind.as_str(), self)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, e.to_string())
    }
}

/// `Result<T, openbadges::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Escapes one reference token for a JSON Pointer (RFC 6901: `~` → `~0`, `/` → `~1`).
pub(crate) fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
