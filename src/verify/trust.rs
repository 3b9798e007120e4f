//! Trust as its own phase: is the issuer one the verifier recognises (optionally, for this
//! achievement)? Never mixed into cryptographic validity.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// One trusted issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedIssuer {
    /// The issuer id (a DID or an https URL), compared exactly.
    pub id: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When non-empty, the issuer is trusted only for these achievement ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub achievements: Vec<String>,
    /// Public JWKs bound to this issuer, for VC-JWT badges that carry their key in a `jwk` header
    /// (the header alone proves nothing; this entry binds it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<serde_json::Value>,
}

/// The verifier's list of issuers it recognises.
///
/// File format (JSON): `{"issuers": [{"id": "did:key:z6Mk…", "name": "…", "achievements": ["…"]}]}`.
///
/// # Example
/// ```
/// use openbadges::verify::{TrustList, TrustAnswer};
/// let list = TrustList::from_json(br#"{"issuers": [
///   {"id": "https://district.example/issuer", "achievements": ["https://district.example/a/1"]}
/// ]}"#)?;
/// assert_eq!(list.answer("https://district.example/issuer", Some("https://district.example/a/1")),
///            TrustAnswer::Registered);
/// assert_eq!(list.answer("https://district.example/issuer", Some("https://other.example/a")),
///            TrustAnswer::NotRegisteredForAchievement);
/// assert_eq!(list.answer("did:key:z6Mkxyz", None), TrustAnswer::NotRegistered);
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// The trusted issuers.
    pub issuers: Vec<TrustedIssuer>,
}

/// What the trust list says about an issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustAnswer {
    /// On the list (for this achievement, if the entry restricts achievements).
    Registered,
    /// On the list, but not for this achievement.
    NotRegisteredForAchievement,
    /// Not on the list.
    NotRegistered,
}

impl TrustList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an issuer trusted for every achievement.
    pub fn trust(mut self, issuer_id: impl Into<String>) -> Self {
        self.issuers.push(TrustedIssuer {
            id: issuer_id.into(),
            name: None,
            achievements: Vec::new(),
            keys: Vec::new(),
        });
        self
    }

    /// Parses the JSON file format.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let v = crate::json::parse(bytes)?;
        serde_json::from_value(v).map_err(|e| {
            Error::new(
                ErrorKind::Model,
                format!("not a trust list ({e}); expected {{\"issuers\": [{{\"id\": …}}]}}"),
            )
        })
    }

    /// Reads a trust-list file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::from(e).context(format!("while reading {}", path.display())))?;
        Self::from_json(&bytes).map_err(|e| e.context(format!("in {}", path.display())))
    }

    /// The answer for an issuer and (optionally) an achievement id.
    pub fn answer(&self, issuer_id: &str, achievement_id: Option<&str>) -> TrustAnswer {
        let mut seen = false;
        for entry in self.issuers.iter().filter(|e| e.id == issuer_id) {
            seen = true;
            if entry.achievements.is_empty()
                || achievement_id.is_some_and(|a| entry.achievements.iter().any(|x| x == a))
            {
                return TrustAnswer::Registered;
            }
        }
        if seen {
            TrustAnswer::NotRegisteredForAchievement
        } else {
            TrustAnswer::NotRegistered
        }
    }
}
