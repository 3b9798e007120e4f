//! Comprehensive Learner Record 2.0: bundle a teacher's verified credentials, with the
//! associations between their achievements, into one `ClrCredential`, and verify one — its own
//! proof and every credential nested in it.
//!
//! The CLR 2.0 context is written by this project (`schemas/contexts/`, served offline by the
//! JSON-LD loader); `tests/clr.rs` proves it expands every CLR document exactly like 1EdTech's.

use std::fmt;

use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};

#[cfg(feature = "programs")]
mod bundle;
use crate::verify::{Report, Verifier};
#[cfg(feature = "programs")]
pub use bundle::{bundle, bundle_for, Bundle};

/// The CLR 2.0 JSON-LD context URL.
pub const CLR_CONTEXT: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";

/// Most credentials one CLR may nest (bounds verification work).
pub const MAX_NESTED: usize = 1_000;

/// An association type of the CLR 2.0 vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssociationType {
    /// Same achievement.
    ExactMatchOf,
    /// The source is a part (child) of the target (a stack member of its stack).
    IsChildOf,
    /// The source contains the target.
    IsParentOf,
    /// The source is part of the target.
    IsPartOf,
    /// Peers.
    IsPeerOf,
    /// Related.
    IsRelatedTo,
    /// The source comes before the target.
    Precedes,
    /// The source was replaced by the target.
    ReplacedBy,
}

impl AssociationType {
    /// The vocabulary term.
    pub fn as_str(self) -> &'static str {
        match self {
            AssociationType::ExactMatchOf => "exactMatchOf",
            AssociationType::IsChildOf => "isChildOf",
            AssociationType::IsParentOf => "isParentOf",
            AssociationType::IsPartOf => "isPartOf",
            AssociationType::IsPeerOf => "isPeerOf",
            AssociationType::IsRelatedTo => "isRelatedTo",
            AssociationType::Precedes => "precedes",
            AssociationType::ReplacedBy => "replacedBy",
        }
    }
}

/// A CLR `Association` between two achievements.
///
/// # Example
/// ```
/// use openbadges::clr::{association, AssociationType};
/// let a = association(AssociationType::IsChildOf, "urn:a:member", "urn:a:stack");
/// assert_eq!(a["type"], "Association");
/// assert_eq!(a["associationType"], "isChildOf");
/// ```
pub fn association(kind: AssociationType, source_id: &str, target_id: &str) -> Value {
    json!({
        "type": "Association",
        "associationType": kind.as_str(),
        "sourceId": source_id,
        "targetId": target_id,
    })
}

/// The verification of a CLR: its own report, then one report per nested credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClrReport {
    /// The ClrCredential's own checks (proof, dates, status…, plus `clr-subject` and
    /// `clr-associations`).
    pub clr: Report,
    /// Each nested credential's report, in order.
    pub credentials: Vec<Report>,
}

impl ClrReport {
    /// True iff the CLR and every credential in it verified.
    pub fn verified(&self) -> bool {
        self.clr.verified && self.credentials.iter().all(|r| r.verified)
    }
}

impl fmt::Display for ClrReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "CLR {}: {} of {} nested credentials verified",
            if self.verified() {
                "VERIFIED"
            } else {
                "NOT VERIFIED"
            },
            self.credentials.iter().filter(|r| r.verified).count(),
            self.credentials.len()
        )?;
        for line in self.clr.to_string().lines() {
            writeln!(f, "  {line}")?;
        }
        for (i, r) in self.credentials.iter().enumerate() {
            writeln!(f, "  credential {i}:")?;
            for line in r.to_string().lines() {
                writeln!(f, "    {line}")?;
            }
        }
        Ok(())
    }
}

/// The first CLR 2.0 data-model problem of a `ClrCredential` (what is wrong, where), if any:
/// the CLR context, an `id` and a `name`, a `ClrSubject` with at least one `verifiableCredential`, and
/// well-formed associations.
pub(crate) fn data_model_problem(doc: &Value) -> Option<(String, String)> {
    let contexts = list(doc.get("@context"));
    if !contexts.iter().any(|c| {
        c.as_str()
            .is_some_and(|c| c.starts_with("https://purl.imsglobal.org/spec/clr/v2p0/"))
    }) {
        return Some((
            format!("`@context` does not include the CLR 2.0 context; expected {CLR_CONTEXT} after the VC context"),
            "/@context".into(),
        ));
    }
    if !doc.get("id").is_some_and(Value::is_string) {
        return Some(("a ClrCredential needs an `id` (URI)".into(), "/id".into()));
    }
    if !doc.get("name").is_some_and(Value::is_string) {
        return Some((
            "a ClrCredential needs a `name` (string)".into(),
            "/name".into(),
        ));
    }
    let subject = doc.get("credentialSubject").unwrap_or(&Value::Null);
    if !list(subject.get("type"))
        .iter()
        .any(|t| t.as_str() == Some("ClrSubject"))
    {
        return Some((
            "`credentialSubject.type` must include `ClrSubject`".into(),
            "/credentialSubject/type".into(),
        ));
    }
    if list(subject.get("verifiableCredential")).is_empty() {
        return Some((
            "a ClrSubject needs at least one `verifiableCredential`".into(),
            "/credentialSubject/verifiableCredential".into(),
        ));
    }
    for (i, a) in list(subject.get("association")).iter().enumerate() {
        for k in ["associationType", "sourceId", "targetId"] {
            if !a.get(k).is_some_and(Value::is_string) {
                return Some((
                    format!("an Association needs `{k}` (string)"),
                    format!("/credentialSubject/association/{i}/{k}"),
                ));
            }
        }
    }
    None
}

fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => vec![],
    }
}

/// Verifies a `ClrCredential`: the pipeline on the CLR itself, then every nested credential
/// (JSON-LD or a VC-JWT string) with the same verifier, and two CLR checks: every nested
/// credential is about the CLR's subject (`clr-subject`, fatal), and every association links
/// achievements the CLR lists (`clr-associations`, a warning otherwise).
///
/// # Example
/// ```
/// use openbadges::clr::verify_clr;
/// use openbadges::verify::{Verifier, VerifyOptions};
/// let not_a_clr = serde_json::json!({"type": ["VerifiableCredential", "OpenBadgeCredential"]});
/// assert!(verify_clr(&not_a_clr, &Verifier::new(VerifyOptions::default())).is_err());
/// ```
pub fn verify_clr(clr: &Value, verifier: &Verifier) -> Result<ClrReport> {
    require_clr(clr)?;
    with_nested(verifier.verify_value(clr)?)
}

/// Verifies a ClrCredential secured as a VC-JWT: the token as [`Verifier::verify_jwt`] does,
/// then every nested credential and the CLR checks, as [`verify_clr`].
///
/// # Example
/// ```
/// use openbadges::clr::verify_clr_jwt;
/// use openbadges::verify::{Verifier, VerifyOptions};
/// assert!(verify_clr_jwt("not-a-jwt", &Verifier::new(VerifyOptions::default())).is_err());
/// ```
pub fn verify_clr_jwt(token: &str, verifier: &Verifier) -> Result<ClrReport> {
    let payload = crate::jwt::decode_unverified(token)?;
    let clr = payload.get("vc").cloned().unwrap_or(payload);
    require_clr(&clr)?;
    with_nested(verifier.verify_jwt(token))
}

fn require_clr(clr: &Value) -> Result<()> {
    let is_clr = list(clr.get("type"))
        .iter()
        .any(|t| t.as_str() == Some("ClrCredential"));
    if is_clr {
        Ok(())
    } else {
        Err(Error::model("not a ClrCredential (its `type` lacks `ClrCredential`)").at("/type"))
    }
}

/// Splits a CLR's report (the pipeline verifies nested credentials itself) into the CLR's own
/// report and the nested ones.
fn with_nested(mut report: Report) -> Result<ClrReport> {
    let credentials = std::mem::take(&mut report.credentials);
    Ok(ClrReport {
        clr: report,
        credentials,
    })
}
