//! The verification [`Report`]: an ordered list of [`Check`]s, each with a stable id, an
//! [`Outcome`], a fatal flag and, when something is wrong, a [`Problem`] that points at the field.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome {
    /// The check ran and the credential satisfies it.
    Passed,
    /// The check ran and the credential does not satisfy it.
    Failed,
    /// Not a failure, but something a person should know (e.g. a VC 1.1 credential).
    Warning,
    /// The check did not apply or was switched off (the problem says why).
    Skipped,
    /// The check could not be completed (e.g. a status list could not be fetched).
    Indeterminate,
}

impl Outcome {
    /// `passed`, `failed`, `warning`, `skipped` or `indeterminate`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Warning => "warning",
            Outcome::Skipped => "skipped",
            Outcome::Indeterminate => "indeterminate",
        }
    }
}

/// What is wrong, in the shape of an RFC 9457 problem detail: a `type` URI, a short `title`, a
/// `detail` saying what was found and what was expected, and the JSON Pointer `instance` of the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI identifying the problem type (stable; see [`problem_types`]).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short, human-readable summary of the problem type.
    pub title: String,
    /// What was found and what was expected.
    pub detail: String,
    /// JSON Pointer to the field concerned (`""` = the whole document).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

/// Problem type URIs. Where the W3C VC specifications define an error (e.g. `PROOF_VERIFICATION_ERROR`),
/// the URI is the one they define; the others live under this crate's namespace.
pub mod problem_types {
    /// The input could not be parsed.
    pub const PARSING_ERROR: &str = "https://www.w3.org/TR/vc-data-model#PARSING_ERROR";
    /// The credential does not conform to the data model.
    pub const MALFORMED_VALUE_ERROR: &str =
        "https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR";
    /// A proof did not verify.
    pub const PROOF_VERIFICATION_ERROR: &str = "https://w3id.org/security#PROOF_VERIFICATION_ERROR";
    /// A proof is malformed.
    pub const PROOF_GENERATION_ERROR: &str = "https://w3id.org/security#PROOF_GENERATION_ERROR";
    /// JSON-LD processing would lose data (an undefined term, a relative IRI, …).
    pub const DATA_LOSS_DETECTION_ERROR: &str =
        "https://w3id.org/security#DATA_LOSS_DETECTION_ERROR";
    /// A verification method could not be dereferenced or is not the issuer's.
    pub const INVALID_VERIFICATION_METHOD: &str =
        "https://w3id.org/security#INVALID_VERIFICATION_METHOD";
    /// The presentation's domain did not match.
    pub const INVALID_DOMAIN_ERROR: &str = "https://w3id.org/security#INVALID_DOMAIN_ERROR";
    /// The presentation's challenge did not match.
    pub const INVALID_CHALLENGE_ERROR: &str = "https://w3id.org/security#INVALID_CHALLENGE_ERROR";
    /// The status list could not be fetched.
    pub const STATUS_RETRIEVAL_ERROR: &str =
        "https://www.w3.org/ns/credentials/status-list#STATUS_RETRIEVAL_ERROR";
    /// The status list credential did not verify.
    pub const STATUS_VERIFICATION_ERROR: &str =
        "https://www.w3.org/ns/credentials/status-list#STATUS_VERIFICATION_ERROR";
    /// The status list is shorter than the minimum.
    pub const STATUS_LIST_LENGTH_ERROR: &str =
        "https://www.w3.org/ns/credentials/status-list#STATUS_LIST_LENGTH_ERROR";
    /// The status index is outside the list.
    pub const RANGE_ERROR: &str = "https://www.w3.org/ns/credentials/status-list#RANGE_ERROR";
    /// The credential has expired.
    pub const EXPIRED: &str = "https://openbadges.rs/problems#expired";
    /// The credential is not yet valid.
    pub const NOT_YET_VALID: &str = "https://openbadges.rs/problems#not-yet-valid";
    /// The credential was revoked or suspended.
    pub const REVOKED: &str = "https://openbadges.rs/problems#revoked";
    /// The credential is not for the expected recipient.
    pub const RECIPIENT_MISMATCH: &str = "https://openbadges.rs/problems#recipient-mismatch";
    /// The issuer is not on the verifier's trust list.
    pub const UNTRUSTED_ISSUER: &str = "https://openbadges.rs/problems#untrusted-issuer";
    /// The issuer's control of the signing key could not be established.
    pub const ISSUER_UNPROVEN: &str = "https://openbadges.rs/problems#issuer-unproven";
    /// The JSON Schema check failed.
    pub const SCHEMA_ERROR: &str = "https://openbadges.rs/problems#schema";
    /// A check was switched off or did not apply.
    pub const NOT_APPLICABLE: &str = "https://openbadges.rs/problems#not-applicable";
}

/// One check of the verification pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable kebab-case identifier (`proof`, `validity-window`, `status`, …).
    pub id: String,
    /// What the check found.
    pub outcome: Outcome,
    /// Whether a non-passing outcome makes the credential not verified.
    pub fatal: bool,
    /// What is wrong, when the outcome is not `passed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
    /// A short note for people (e.g. which key signed), also on passed checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Check {
    /// A passed check (fatal: had it failed, the credential would not be verified).
    pub fn passed(id: &str) -> Self {
        Check {
            id: id.to_string(),
            outcome: Outcome::Passed,
            fatal: true,
            problem: None,
            note: None,
        }
    }

    /// A non-passed check with a problem.
    pub fn with_problem(
        id: &str,
        outcome: Outcome,
        fatal: bool,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
        instance: Option<&str>,
    ) -> Self {
        Check {
            id: id.to_string(),
            outcome,
            fatal,
            problem: Some(Problem {
                kind: kind.to_string(),
                title: title.to_string(),
                detail: detail.into(),
                instance: instance.map(str::to_string),
            }),
            note: None,
        }
    }

    /// A fatal failure.
    pub fn failed(
        id: &str,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
        instance: Option<&str>,
    ) -> Self {
        Check::with_problem(id, Outcome::Failed, true, kind, title, detail, instance)
    }

    /// A non-fatal warning.
    pub fn warning(
        id: &str,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
        instance: Option<&str>,
    ) -> Self {
        Check::with_problem(id, Outcome::Warning, false, kind, title, detail, instance)
    }

    /// A skipped check, with the reason.
    pub fn skipped(id: &str, why: impl Into<String>) -> Self {
        Check::with_problem(
            id,
            Outcome::Skipped,
            false,
            problem_types::NOT_APPLICABLE,
            "Not checked",
            why,
            None,
        )
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Whether this check makes the credential not verified.
    pub fn is_blocking(&self) -> bool {
        self.fatal && matches!(self.outcome, Outcome::Failed | Outcome::Indeterminate)
    }
}

/// Which key made the signature a [`Report`] accepted, and whether its controller has retired it
/// since. A key retired *before* the signature was made is never accepted (the proof check fails),
/// so a `SignedBy` always describes a key that was in good standing when it signed.
///
/// # Example
/// ```
/// use openbadges::{issue::Issuer, keys::SigningKey, proof::Suite, verify::verify};
/// use serde_json::json;
/// let key = SigningKey::from_seed(&[7; 32]);
/// let did = key.verifying_key().did_key();
/// let badge = Issuer::new(json!({"name": "Riverside USD"}), key)?.issue(&json!({
///     "@context": ["https://www.w3.org/ns/credentials/v2",
///                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
///     "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Math Talks",
///     "credentialSubject": {"type": ["AchievementSubject"],
///         "achievement": {"id": "urn:a:math-talks", "type": ["Achievement"], "name": "Math Talks",
///                         "description": "d", "criteria": {"narrative": "n"}}}
/// }), Suite::EddsaRdfc2022)?;
/// let report = verify(badge.to_string().as_bytes(), &Default::default())?;
/// let by = report.signed_by.expect("a verified signature");
/// assert_eq!(by.controller, did);
/// assert_eq!(by.retired_from, None);
/// assert!(by.to_string().starts_with(&format!("{did}#")));
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignedBy {
    /// The verification method id (`…#key-2`), or a VC-JWT's `kid`; `None` for a VC-JWT whose
    /// header names no key (one bound through a trust list).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key: Option<String>,
    /// Who controls the key: the verification method's controller, or for a VC-JWT the issuer it
    /// was bound to.
    pub controller: String,
    /// When the signer says it signed: the proof's `created`, a VC-JWT's `iat` (or `nbf`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signed_at: Option<String>,
    /// From when the controller retired the key (published as `revoked`), if it has: always
    /// after `signed_at`, or the signature would not have been accepted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retired_from: Option<String>,
}

impl fmt::Display for SignedBy {
    /// `KEY (controller C), signed AT; retired from R, after it signed` (the parts known).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (controller {})",
            self.key.as_deref().unwrap_or("a bound key"),
            self.controller
        )?;
        if let Some(at) = &self.signed_at {
            write!(f, ", signed {at}")?;
        }
        match &self.retired_from {
            Some(r) => write!(f, "; retired from {r}, after it signed"),
            None => Ok(()),
        }
    }
}

/// The result of verifying one credential: every check, in order.
///
/// `verified` is true iff no fatal check failed or was indeterminate. Trust is reported separately
/// in [`Report::trusted`]: a credential can be authentic and current but from an issuer the
/// verifier does not recognise.
///
/// # Example
/// ```
/// use openbadges::verify::{Check, Report};
/// let report = Report::from_checks(vec![Check::passed("parse"), Check::passed("proof")]);
/// assert!(report.verified);
/// let json = serde_json::to_value(&report)?;
/// assert_eq!(json["checks"][1]["id"], "proof");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// True iff no fatal check failed or was indeterminate.
    pub verified: bool,
    /// The trust phase's answer: `Some(true)` registered, `Some(false)` not registered, `None`
    /// no trust list given or it could not be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted: Option<bool>,
    /// The credential's `id`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// The issuer's id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The achievement's name, when known (for human summaries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement: Option<String>,
    /// Where the credential came from (file, image chunk, presentation index…), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The key whose signature was accepted, and its standing: `None` when no signature verified.
    #[serde(rename = "signedBy", skip_serializing_if = "Option::is_none", default)]
    pub signed_by: Option<SignedBy>,
    /// Every check, in pipeline order.
    pub checks: Vec<Check>,
    /// Reports of embedded endorsements, verified with the same pipeline.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub endorsements: Vec<Report>,
}

impl Report {
    /// A report from checks; `verified` is computed.
    pub fn from_checks(checks: Vec<Check>) -> Self {
        let verified = !checks.iter().any(Check::is_blocking);
        Report {
            verified,
            trusted: None,
            credential_id: None,
            issuer: None,
            achievement: None,
            source: None,
            signed_by: None,
            checks,
            endorsements: Vec::new(),
        }
    }

    /// The check with this id, if it ran.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The checks that block verification.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.is_blocking())
    }

    /// The checks with warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Warning)
    }

    /// The report as stable, pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

impl fmt::Display for Report {
    /// A short human summary: a verdict line, then one aligned line per check.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = self.achievement.as_deref().unwrap_or("credential");
        let verdict = if !self.verified {
            let first = self.failures().next();
            match first.map(|c| c.id.as_str()) {
                Some("validity-window") => {
                    "NOT VERIFIED (authentic, but outside its validity window)"
                }
                Some("status") => "NOT VERIFIED (revoked, suspended, or status unknown)",
                Some("proof") | Some("proof-set") | Some("issuer-key") => {
                    "NOT VERIFIED (signature or key check failed: possibly forged or altered)"
                }
                _ => "NOT VERIFIED",
            }
        } else if self.warnings().next().is_some() {
            "VERIFIED with warnings"
        } else {
            "VERIFIED"
        };
        writeln!(f, "{verdict}: {what}")?;
        if let Some(src) = &self.source {
            writeln!(f, "  source: {src}")?;
        }
        if let Some(issuer) = &self.issuer {
            let trust = match self.trusted {
                Some(true) => " (trusted)",
                Some(false) => " (not on trust list)",
                None => "",
            };
            writeln!(f, "  issuer: {issuer}{trust}")?;
        }
        let width = self.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for c in &self.checks {
            let mut line = format!("  {:<13} {:<width$}", c.outcome.as_str(), c.id);
            if let Some(p) = &c.problem {
                line.push_str(&format!("  {}", p.detail));
                if let Some(i) = p.instance.as_deref().filter(|i| !i.is_empty()) {
                    line.push_str(&format!(" (at {i})"));
                }
            } else if let Some(n) = c.note.as_deref().filter(|n| !n.is_empty()) {
                line.push_str(&format!("  {n}"));
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        for e in &self.endorsements {
            writeln!(f, "  endorsement:")?;
            for line in e.to_string().lines() {
                writeln!(f, "    {line}")?;
            }
        }
        Ok(())
    }
}
