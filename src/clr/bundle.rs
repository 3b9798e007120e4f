//! Bundling a teacher's verified credentials into one unsigned `ClrCredential` (feature
//! `programs`).

use std::collections::HashSet;

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::*;
use crate::error::{Error, Result};
use crate::portfolio::Portfolio;
use crate::stack::StackSet;

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
