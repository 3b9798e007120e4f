//! Comprehensive Learner Record 2.0: bundle a teacher's verified credentials, with the
//! associations between their achievements, into one `ClrCredential`, and verify one — its own
//! proof and every credential nested in it.
//!
//! The CLR 2.0 context is written by this project (`schemas/contexts/`, served offline by the
//! JSON-LD loader); `tests/clr.rs` proves it expands every CLR document exactly like 1EdTech's.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::portfolio::Portfolio;
use crate::stack::StackSet;
use crate::verify::{Report, Verifier};

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

/// A CLR built by [`bundle_for`], and what it left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bundle {
    /// The unsigned `ClrCredential`.
    pub clr: Value,
    /// Each credential left out (its source) and why.
    pub left_out: Vec<(String, String)>,
}

/// Builds an unsigned `ClrCredential` for `holder` (the teacher's DID or URL, or e-mail
/// address: the CLR is then about `mailto:` it) from the credentials in `portfolio` issued to
/// them (`credentialSubject.id`, or a plain or hashed e-mail IdentityObject) that may count
/// (verified, current, trusted), with the
/// achievements they earn and, when `stacks` is given, the stacks they belong to and the
/// `isChildOf` associations linking members to their stack. Sign it with
/// [`crate::issue::Issuer::issue`].
///
/// Credentials received as VC-JWTs are carried as their compact JWS strings. Everything else
/// is left out silently; [`bundle_for`] says what and why. A CLR with nothing in it is refused.
///
/// # Example
/// ```
/// use openbadges::{clr, issue::Issuer, keys::SigningKey, portfolio::Portfolio, proof::Suite};
/// use openbadges::verify::{Verifier, VerifyOptions};
/// use serde_json::json;
///
/// let district = Issuer::new(json!({"name": "Riverside USD"}), SigningKey::from_seed(&[4; 32]))?;
/// let badge = district.issue(&json!({
///     "@context": ["https://www.w3.org/ns/credentials/v2",
///                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
///     "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Math Talks",
///     "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
///         "achievement": {"id": "urn:a:math-talks", "type": ["Achievement"], "name": "Math Talks",
///                         "description": "d", "criteria": {"narrative": "n"}}}
/// }), Suite::EddsaRdfc2022)?.into_json();
/// let verifier = Verifier::new(VerifyOptions::default());
/// let mut portfolio = Portfolio::new();
/// portfolio.add_value("badge.json", &badge, &verifier)?;
/// let unsigned = clr::bundle(&portfolio, "did:example:maria", "Maria's record", None)?;
/// let signed = district.issue(&unsigned, Suite::EddsaRdfc2022)?.into_json();
/// let report = clr::verify_clr(&signed, &verifier)?;
/// assert!(report.verified());
/// assert_eq!(report.credentials.len(), 1);
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn bundle(
    portfolio: &Portfolio,
    holder: &str,
    name: &str,
    stacks: Option<&StackSet>,
) -> Result<Value> {
    bundle_for(portfolio, holder, name, stacks).map(|b| b.clr)
}

/// [`bundle`], and what it left out: each credential not issued to `holder`, not verified, or
/// presented twice, with the reason.
///
/// # Example
/// ```
/// use openbadges::{clr, issue::Issuer, keys::SigningKey, portfolio::Portfolio, proof::Suite};
/// use openbadges::verify::{Verifier, VerifyOptions};
/// use serde_json::json;
///
/// let district = Issuer::new(json!({"name": "Riverside USD"}), SigningKey::from_seed(&[5; 32]))?;
/// let verifier = Verifier::new(VerifyOptions::default());
/// let mut portfolio = Portfolio::new();
/// for who in ["maria@district.example", "jose@district.example"] {
///     let badge = district.issue(&json!({
///         "@context": ["https://www.w3.org/ns/credentials/v2",
///                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
///         "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Math Talks",
///         "credentialSubject": {"type": ["AchievementSubject"],
///             "identifier": [openbadges::identity::IdentityObject::hashed_email(who, "s").to_value()],
///             "achievement": {"id": "urn:a:math-talks", "type": ["Achievement"], "name": "Math Talks",
///                             "description": "d", "criteria": {"narrative": "n"}}}
///     }), Suite::EddsaRdfc2022)?.into_json();
///     portfolio.add_value(who, &badge, &verifier)?;
/// }
/// let b = clr::bundle_for(&portfolio, "maria@district.example", "Maria's record", None)?;
/// assert_eq!(b.clr["credentialSubject"]["id"], "mailto:maria@district.example");
/// assert_eq!(b.clr["credentialSubject"]["verifiableCredential"].as_array().map(Vec::len), Some(1));
/// assert_eq!(b.left_out[0].0, "jose@district.example");
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn bundle_for(
    portfolio: &Portfolio,
    holder: &str,
    name: &str,
    stacks: Option<&StackSet>,
) -> Result<Bundle> {
    let holder = holder.trim();
    let subject_id = if holder.contains('@') && !holder.contains(':') {
        format!("mailto:{holder}")
    } else {
        holder.to_string()
    };
    let mut credentials = Vec::new();
    let mut achievements: Vec<Value> = Vec::new();
    let mut achievement_ids: HashSet<String> = HashSet::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut left_out = Vec::new();
    for h in portfolio.holdings() {
        if !h.is_for(holder) {
            let whose = h
                .holder_key()
                .map(|k| format!("issued to {k}"))
                .unwrap_or_else(|| "names no recipient".into());
            left_out.push((h.source.clone(), format!("{whose}, not to {holder}")));
            continue;
        }
        if let Some(e) = h.exclusion() {
            left_out.push((h.source.clone(), e.to_string()));
            continue;
        }
        if !seen.insert(h.digest.clone()) {
            left_out.push((h.source.clone(), "the same credential again".into()));
            continue;
        }
        if let Some(a) = h.credential.pointer("/credentialSubject/achievement") {
            if let Some(id) = a.get("id").and_then(Value::as_str) {
                if achievement_ids.insert(id.to_string()) {
                    achievements.push(a.clone());
                }
            }
        }
        credentials.push(match &h.jwt {
            Some(token) => Value::String(token.clone()),
            None => h.credential.clone(),
        });
    }
    if credentials.is_empty() {
        return Err(Error::new(
            crate::error::ErrorKind::Usage,
            format!(
                "no credential issued to {holder} may go in the CLR ({} left out: {})",
                left_out.len(),
                left_out
                    .iter()
                    .take(5)
                    .map(|(s, w)| format!("{s}: {w}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ));
    }
    if credentials.len() > MAX_NESTED {
        return Err(Error::limit(format!(
            "a CLR nests at most {MAX_NESTED} credentials"
        )));
    }
    let mut associations = Vec::new();
    if let Some(set) = stacks {
        for stack in &set.stacks {
            let present: Vec<&str> = stack
                .member_achievements()
                .into_iter()
                .filter(|a| achievement_ids.contains(*a))
                .collect();
            if present.is_empty() {
                continue;
            }
            let target = stack.achievement_id().to_string();
            if achievement_ids.insert(target.clone()) {
                achievements.push(stack.achievement.clone());
            }
            for a in present {
                associations.push(association(AssociationType::IsChildOf, a, &target));
            }
        }
    }
    let mut subject = Map::new();
    subject.insert("id".into(), subject_id.into());
    subject.insert("type".into(), json!(["ClrSubject"]));
    subject.insert("verifiableCredential".into(), credentials.into());
    if !achievements.is_empty() {
        subject.insert("achievement".into(), achievements.into());
    }
    if !associations.is_empty() {
        subject.insert("association".into(), associations.into());
    }
    let clr = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            CLR_CONTEXT,
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name,
        "credentialSubject": subject,
    });
    Ok(Bundle { clr, left_out })
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
