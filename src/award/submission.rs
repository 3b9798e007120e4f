//! What a teacher submits: a [`Submission`] of evidence items ([`EvidenceItem`], a URL or a file,
//! each with its Subresource Integrity digest), a narrative and a date.

use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::error::{Error, ErrorKind, Result};

/// Where an evidence item is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvidenceSource {
    /// Published at this URL (its digest was given with it: the award never fetches).
    Url(String),
    /// A local file (its digest is computed from the file).
    File(PathBuf),
}

/// One evidence item with its digest (`sha256-…`, `sha384-…` or `sha512-…`, base64, as in
/// Subresource Integrity and VC 2.0 `digestSRI`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceItem {
    /// Where it is.
    pub source: EvidenceSource,
    /// Its SRI digest.
    pub digest: String,
    /// A name for it (default: the file name or the URL's last segment).
    pub name: String,
}

/// An SRI digest of `bytes` with SHA-256.
///
/// # Example
/// ```
/// assert_eq!(openbadges::award::sri_sha256(b""), "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
/// ```
pub fn sri_sha256(bytes: &[u8]) -> String {
    crate::portfolio::sri_digest(bytes)
}

/// Checks the form of an SRI digest (`sha256-`/`sha384-`/`sha512-` + base64 of the right
/// length); returns the algorithm's name.
fn sri_algorithm(digest: &str) -> Result<&'static str> {
    let bad = |why: &str| {
        Error::new(
            ErrorKind::Usage,
            format!("`{digest}` is not a Subresource Integrity digest ({why}; expected sha256-, sha384- or sha512- followed by base64)"),
        )
    };
    let (alg, b64) = digest.split_once('-').ok_or_else(|| bad("no algorithm"))?;
    let (name, len) = match alg {
        "sha256" => ("sha256", 32),
        "sha384" => ("sha384", 48),
        "sha512" => ("sha512", 64),
        _ => return Err(bad("unknown algorithm")),
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| bad("the digest is not base64"))?;
    if raw.len() != len {
        return Err(bad("wrong length"));
    }
    Ok(name)
}

fn hash_reader(mut r: impl Read, alg: &str) -> std::io::Result<String> {
    let mut buf = vec![0u8; 64 * 1024];
    let b64 = base64::engine::general_purpose::STANDARD;
    macro_rules! run {
        ($h:ty, $name:literal) => {{
            let mut h = <$h>::new();
            loop {
                let n = r.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                h.update(&buf[..n]);
            }
            format!(concat!($name, "-{}"), b64.encode(h.finalize()))
        }};
    }
    Ok(match alg {
        "sha384" => run!(Sha384, "sha384"),
        "sha512" => run!(Sha512, "sha512"),
        _ => run!(Sha256, "sha256"),
    })
}

fn last_segment(s: &str) -> String {
    s.trim_end_matches('/')
        .rsplit(['/', '\\'])
        .next()
        .filter(|x| !x.is_empty())
        .unwrap_or(s)
        .to_string()
}

impl EvidenceItem {
    /// Evidence published at `url`, with its digest (checked for form; the award never fetches
    /// the URL, so the digest is what ties the badge to the exact file reviewed).
    ///
    /// # Example
    /// ```
    /// use openbadges::award::EvidenceItem;
    /// let e = EvidenceItem::url("https://media.example/lesson.mp4",
    ///     "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")?;
    /// assert_eq!(e.name, "lesson.mp4");
    /// assert!(EvidenceItem::url("https://media.example/lesson.mp4", "md5-abc").is_err());
    /// assert!(EvidenceItem::url("lesson.mp4", "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").is_err());
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn url(url: &str, digest: &str) -> Result<Self> {
        let url = url.trim();
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || url.contains(char::is_whitespace)
        {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("`{url}` is not an http(s) URL"),
            ));
        }
        sri_algorithm(digest.trim())?;
        Ok(EvidenceItem {
            name: last_segment(url),
            source: EvidenceSource::Url(url.to_string()),
            digest: digest.trim().to_string(),
        })
    }

    /// Evidence in a local file: its digest is computed (SHA-256, or the algorithm of
    /// `expected`). When `expected` is given it must match, or the error names the file and
    /// both digests.
    ///
    /// # Example
    /// ```
    /// use openbadges::award::EvidenceItem;
    /// let dir = std::env::temp_dir().join(format!("ob-evidence-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("lesson-plan.pdf");
    /// std::fs::write(&path, b"")?;
    /// let e = EvidenceItem::file(&path, None)?;
    /// assert_eq!(e.digest, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    /// std::fs::write(&path, b"changed")?;
    /// let err = EvidenceItem::file(&path, Some(&e.digest)).unwrap_err();
    /// assert!(err.to_string().contains("lesson-plan.pdf"));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn file(path: &Path, expected: Option<&str>) -> Result<Self> {
        let alg = match expected.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => sri_algorithm(e)?,
            None => "sha256",
        };
        let f = std::fs::File::open(path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read evidence {}: {e}", path.display()),
            )
        })?;
        let digest = hash_reader(f, alg).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read evidence {}: {e}", path.display()),
            )
        })?;
        if let Some(e) = expected.map(str::trim).filter(|e| !e.is_empty()) {
            if e != digest {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!(
                        "the digest of evidence {} does not match: the file is {digest}, the submission says {e} (the file changed since it was submitted, or the wrong file was given)",
                        path.display()
                    ),
                ));
            }
        }
        Ok(EvidenceItem {
            name: last_segment(&path.to_string_lossy()),
            source: EvidenceSource::File(path.to_path_buf()),
            digest,
        })
    }

    /// Renames the item (what the badge shows).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

/// One submission by a teacher for an achievement.
///
/// # Example
/// ```
/// use openbadges::award::{EvidenceItem, Submission};
/// let s = Submission::new("sub-1", "did:example:maria", "https://riverside.example/a/fg",
///     "2026-03-02T00:00:00Z".parse()?)
///     .narrative("Three lessons regrouped from exit tickets.")
///     .evidence(EvidenceItem::url("https://media.example/lesson.mp4",
///         "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")?);
/// assert_eq!(s.evidence.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The submission's id (unique in a review round).
    pub id: String,
    /// The teacher: a DID, or an e-mail address (the badge then carries it hashed).
    pub teacher: String,
    /// The teacher's name, when known (never put in the badge; for letters and logs).
    pub teacher_name: Option<String>,
    /// The achievement id submitted for.
    pub achievement: String,
    /// The evidence items.
    pub evidence: Vec<EvidenceItem>,
    /// The teacher's narrative.
    pub narrative: Option<String>,
    /// When it was submitted.
    pub date: DateTime<Utc>,
    /// Where it was read (`submissions.csv:4`), for error messages.
    pub origin: Option<String>,
}

impl Submission {
    /// A submission without evidence or narrative yet.
    pub fn new(
        id: impl Into<String>,
        teacher: impl Into<String>,
        achievement: impl Into<String>,
        date: DateTime<Utc>,
    ) -> Self {
        Submission {
            id: id.into(),
            teacher: teacher.into(),
            teacher_name: None,
            achievement: achievement.into(),
            evidence: Vec::new(),
            narrative: None,
            date,
            origin: None,
        }
    }

    /// Adds an evidence item.
    pub fn evidence(mut self, item: EvidenceItem) -> Self {
        self.evidence.push(item);
        self
    }

    /// Sets the narrative.
    pub fn narrative(mut self, text: impl Into<String>) -> Self {
        self.narrative = Some(text.into());
        self
    }

    /// Records where the submission was read, for error messages.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// `origin: ` or empty, to prefix messages.
    pub(crate) fn at(&self) -> String {
        self.origin
            .as_deref()
            .map(|o| format!("{o}: "))
            .unwrap_or_default()
    }
}
