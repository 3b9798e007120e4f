//! Assessor qualifications: the credentials assessors hold ("holds the calibration badge"),
//! each verified with [`crate::verify::Verifier`] before it counts.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::policy::Qualification;
use crate::error::{Error, ErrorKind, Result};
use crate::portfolio::Portfolio;
use crate::verify::Verifier;

/// The credentials assessors hold, verified. A qualification counts for an assessor when one of
/// them is verified (authentic, current, not revoked, as of the verifier's time), is issued to the
/// assessor (`credentialSubject.id`), is for the qualification's achievement, comes from one of its
/// issuers, and was earned no later than the review.
///
/// # Example
/// ```
/// use openbadges::award::{AssessorCredentials, Qualification};
/// use openbadges::{issue::Issuer, keys::SigningKey, proof::Suite};
/// use openbadges::verify::{Verifier, VerifyOptions};
/// let district = Issuer::new(serde_json::json!({"name": "Riverside"}), SigningKey::from_seed(&[5; 32]))?;
/// let calibration = district.issue(&serde_json::json!({
///   "@context": ["https://www.w3.org/ns/credentials/v2",
///                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
///   "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Calibration",
///   "credentialSubject": {"id": "did:example:assessor-a", "type": ["AchievementSubject"],
///     "achievement": {"id": "urn:a:calibration", "type": ["Achievement"], "name": "Calibration",
///       "description": "d", "criteria": {"narrative": "n"}}}}), Suite::EddsaRdfc2022)?.into_json();
/// let verifier = Verifier::new(VerifyOptions::default());
/// let mut held = AssessorCredentials::new();
/// held.add_value("calibration.json", &calibration, &verifier)?;
/// let q = Qualification { name: "Calibration".into(), achievement: "urn:a:calibration".into(),
///                         issuers: vec![district.id().into()] };
/// let later = chrono::Utc::now() + chrono::Duration::days(1);
/// assert!(held.check("did:example:assessor-a", &q, later).is_ok());
/// assert!(held.check("did:example:assessor-b", &q, later).is_err());
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct AssessorCredentials {
    held: Portfolio,
}

impl AssessorCredentials {
    /// No credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// Verifies a credential (JSON-LD) and adds it.
    pub fn add_value(
        &mut self,
        source: &str,
        credential: &serde_json::Value,
        verifier: &Verifier,
    ) -> Result<()> {
        self.held.add_value(source, credential, verifier)
    }

    /// Verifies every credential in `bytes` (any form [`crate::import()`] reads) and adds it.
    pub fn add_bytes(&mut self, source: &str, bytes: &[u8], verifier: &Verifier) -> Result<usize> {
        self.held.add_bytes(source, bytes, verifier)
    }

    /// Verifies and adds every file in `dir` (not recursive; hidden files skipped).
    pub fn load_dir(dir: &Path, verifier: &Verifier) -> Result<Self> {
        let mut held = Self::new();
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!(
                    "cannot read the qualifications folder {}: {e}",
                    dir.display()
                ),
            )
        })?;
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        paths.sort();
        for p in paths {
            let bytes = std::fs::read(&p).map_err(|e| {
                Error::new(ErrorKind::Io, format!("cannot read {}: {e}", p.display()))
            })?;
            held.add_bytes(&p.display().to_string(), &bytes, verifier)?;
        }
        Ok(held)
    }

    /// How many credentials are held (verified or not).
    pub fn len(&self) -> usize {
        self.held.holdings().len()
    }

    /// Whether none are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `Ok(credential id or source)` when `assessor` held `q` at `review_date`, else why not.
    pub fn check(
        &self,
        assessor: &str,
        q: &Qualification,
        review_date: DateTime<Utc>,
    ) -> std::result::Result<String, String> {
        let mine: Vec<_> = self
            .held
            .holdings()
            .iter()
            .filter(|h| {
                h.subject_id() == Some(assessor) && h.achievement_id() == Some(&q.achievement)
            })
            .collect();
        if mine.is_empty() {
            return Err(format!("holds no {} credential", q.name));
        }
        let mut why = Vec::new();
        for h in mine {
            if let Some(x) = h.exclusion() {
                why.push(format!("{} is not valid ({x})", h.label()));
                continue;
            }
            let issuer = h.issuer_id().unwrap_or("");
            if !q.issuers.iter().any(|i| i == issuer) {
                why.push(format!(
                    "{} is issued by {issuer}, not by an accepted issuer ({})",
                    h.label(),
                    q.issuers.join(", ")
                ));
                continue;
            }
            match h.earned() {
                Some(d) if d <= review_date => return Ok(h.label().to_string()),
                Some(d) => why.push(format!(
                    "{} was earned {}, after the review ({})",
                    h.label(),
                    d.format("%Y-%m-%d"),
                    review_date.format("%Y-%m-%d")
                )),
                None => why.push(format!("{} has no date", h.label())),
            }
        }
        Err(format!("does not hold {}: {}", q.name, why.join("; ")))
    }
}
