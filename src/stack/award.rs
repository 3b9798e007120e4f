//! Awarding a completed stack: an OpenBadgeCredential for the stack-level achievement whose
//! `evidence` names each constituent credential with its digest.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::definition::StackSet;
use super::progress::StackProgress;
use crate::error::{Error, ErrorKind, Result};
use crate::issue::Issuer;
use crate::portfolio::{Holding, Portfolio};
use crate::proof::Suite;
use crate::status::StatusListStore;

/// The evidence genre stack awards use for their constituent credentials.
pub const CONSTITUENT_GENRE: &str = "Constituent credential";

fn evidence_for(h: &Holding) -> Value {
    let name = h.achievement_name().unwrap_or("credential").to_string();
    let issuer = h.issuer_id().unwrap_or("an unknown issuer");
    let date = h
        .earned()
        .map(|d| format!(" on {}", d.format("%Y-%m-%d")))
        .unwrap_or_default();
    let mut e = json!({
        "type": ["Evidence"],
        "name": name,
        "description": format!("{name}, issued by {issuer}{date}"),
        "genre": CONSTITUENT_GENRE,
        // VC 2.0 `digestSRI`: the SRI digest of the credential as presented (RFC 8785 JSON of a
        // JSON-LD credential, the compact JWS of a VC-JWT); see `crate::portfolio::Holding::digest`.
        "digestSRI": h.digest,
    });
    if let Some(id) = h.credential_id() {
        e.as_object_mut().map(|o| o.insert("id".into(), id.into()));
    }
    e
}

/// Issues the stack credential for a complete stack: the stack's Achievement, awarded to the
/// teacher the counted credentials were issued to, with one `evidence` entry per counted
/// credential (id, name, and `digestSRI`), signed by `issuer` as of `now`. With `status`, the
/// award gets a status-list entry, so it can be revoked when a member badge is (a progress
/// report over the award and its members then names the member that no longer counts).
///
/// Refuses when the stack is not complete, when it was completed by a stack award already
/// (nothing new to award), when the counted credentials name different recipients, or when the
/// stack names another issuer than `issuer`.
///
/// # Example
/// ```
/// use openbadges::{issue::Issuer, keys::SigningKey, portfolio::Portfolio, proof::Suite};
/// use openbadges::stack::{award, check_award_evidence, progress, Rule, Stack, StackSet};
/// use openbadges::verify::{Verifier, VerifyOptions};
/// use serde_json::json;
///
/// let district = Issuer::new(json!({"name": "Riverside USD"}), SigningKey::from_seed(&[3; 32]))?;
/// let stack = Stack::new("urn:s:pair", "Pair",
///     json!({"id": "urn:a:pair", "type": ["Achievement"], "name": "Pair",
///            "description": "Two badges.", "criteria": {"narrative": "Both."}}),
///     Rule::all_of(["urn:a:1", "urn:a:2"]))
///     .issuer(json!(district.id()));
/// let set = StackSet::new([("urn:a:1", "One"), ("urn:a:2", "Two")], [stack])?;
/// let verifier = Verifier::new(VerifyOptions::default());
/// let mut portfolio = Portfolio::new();
/// for a in ["urn:a:1", "urn:a:2"] {
///     let badge = district.issue(&json!({
///         "@context": ["https://www.w3.org/ns/credentials/v2",
///                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
///         "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": a,
///         "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
///             "achievement": {"id": a, "type": ["Achievement"], "name": a,
///                             "description": "d", "criteria": {"narrative": "n"}}}
///     }), Suite::EddsaRdfc2022)?.into_json();
///     portfolio.add_value(a, &badge, &verifier)?;
/// }
/// let now = chrono::Utc::now();
/// let p = progress(&set, "urn:s:pair", &portfolio, now)?;
/// let stack_badge = award(&set, &p, &portfolio, &district, Suite::EddsaRdfc2022, now, None)?;
/// assert_eq!(stack_badge["evidence"].as_array().map(Vec::len), Some(2));
/// assert_eq!(check_award_evidence(&stack_badge, &portfolio)?, 2);
/// assert!(verifier.verify_value(&stack_badge)?.verified);
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn award(
    set: &StackSet,
    progress: &StackProgress,
    portfolio: &Portfolio,
    issuer: &Issuer,
    suite: Suite,
    now: DateTime<Utc>,
    status: Option<&mut StatusListStore>,
) -> Result<Value> {
    let stack = set
        .stack(&progress.stack)
        .ok_or_else(|| Error::model(format!("unknown stack `{}`", progress.stack)))?;
    if !progress.complete {
        let missing: Vec<&str> = progress.missing.iter().map(|m| m.name.as_str()).collect();
        return Err(Error::model(format!(
            "stack `{}` is not complete ({} more needed{}{})",
            stack.name,
            progress.still_needed,
            if missing.is_empty() {
                ""
            } else {
                "; missing: "
            },
            missing.join(", ")
        )));
    }
    if let Some(a) = &progress.awarded {
        return Err(Error::new(
            ErrorKind::Usage,
            format!(
                "stack `{}` is already awarded by {a} in this portfolio; nothing new to award",
                stack.name
            ),
        ));
    }
    if let Some(want) = stack.issuer_id() {
        if want != issuer.id() {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "stack `{}` is awarded by {want}, but the signing issuer is {}",
                    stack.name,
                    issuer.id()
                ),
            ));
        }
    }
    let holdings = portfolio.holdings();
    let counted: Vec<&Holding> = progress
        .counted
        .iter()
        .filter_map(|&i| holdings.get(i))
        .collect();
    let mut subject_ids: Vec<&str> = counted.iter().filter_map(|h| h.subject_id()).collect();
    subject_ids.sort();
    subject_ids.dedup();
    let subject = match subject_ids.as_slice() {
        [one] => json!({"id": one, "type": ["AchievementSubject"]}),
        [] => {
            // Identified by IdentityObjects only: carry the first credential's identifiers.
            let ident = counted
                .iter()
                .find_map(|h| h.credential.pointer("/credentialSubject/identifier"))
                .cloned()
                .ok_or_else(|| {
                    Error::model("the counted credentials name no recipient (no id or identifier)")
                })?;
            json!({"type": ["AchievementSubject"], "identifier": ident})
        }
        many => {
            return Err(Error::model(format!(
                "the counted credentials were issued to different recipients: {}",
                many.join(", ")
            )))
        }
    };
    let mut subject = subject;
    subject["achievement"] = stack.achievement.clone();
    let credential = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": stack.name,
        "credentialSubject": subject,
        "evidence": counted.iter().map(|h| evidence_for(h)).collect::<Vec<_>>(),
    });
    issuer
        .issue_at(&credential, suite, now, status)
        .map(crate::issue::Issued::into_json)
}

/// Checks a stack award's claims against the credentials presented with it: every `evidence`
/// entry of genre [`CONSTITUENT_GENRE`] must match, by `digestSRI`, a credential in `portfolio`
/// (and by id when it names one). Returns how many entries matched.
pub fn check_award_evidence(award: &Value, portfolio: &Portfolio) -> Result<usize> {
    let evidence: Vec<&Value> = match award.get("evidence") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => vec![],
    };
    let mut matched = 0;
    for (i, e) in evidence.iter().enumerate() {
        if e.get("genre").and_then(Value::as_str) != Some(CONSTITUENT_GENRE) {
            continue;
        }
        let at = format!("/evidence/{i}");
        let digest = e.get("digestSRI").and_then(Value::as_str).ok_or_else(|| {
            Error::proof("a constituent evidence entry has no `digestSRI`").at(&at)
        })?;
        let id = e.get("id").and_then(Value::as_str);
        let found = portfolio
            .holdings()
            .iter()
            .any(|h| h.digest == digest && (id.is_none() || h.credential_id() == id));
        if !found {
            return Err(Error::proof(format!(
                "no presented credential matches the evidence {} ({digest})",
                id.unwrap_or("(no id)")
            ))
            .at(at));
        }
        matched += 1;
    }
    Ok(matched)
}
