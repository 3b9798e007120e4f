//! Presentations: a holder (the teacher) hands a verifier (the hiring district) a set of badges
//! with proof that they are the holder — a Verifiable Presentation signed with eddsa-rdfc-2022,
//! `proofPurpose: authentication`, bound to the verifier's `challenge` and `domain`.
//!
//! # Example
//! ```
//! use openbadges::issue::Issuer;
//! use openbadges::keys::SigningKey;
//! use openbadges::present::{present, verify_presentation};
//! use openbadges::proof::{Signer, Suite};
//! use openbadges::verify::VerifyOptions;
//!
//! let teacher = SigningKey::from_seed(&[8; 32]);
//! let teacher_did = teacher.verifying_key().did_key();
//! let district = Issuer::new(serde_json::json!({"name": "Riverside USD"}), SigningKey::from_seed(&[9; 32]))?;
//! let badge = district.issue(&serde_json::json!({
//!   "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
//!   "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Growth Mindset",
//!   "credentialSubject": {"id": teacher_did, "type": ["AchievementSubject"],
//!     "achievement": {"id": "https://riverside.example/a/gm", "type": ["Achievement"], "name": "Growth Mindset",
//!       "description": "Fosters a growth mindset.", "criteria": {"narrative": "Rubric 3+."}}}
//! }), Suite::EddsaRdfc2022)?;
//! let vp = present(&[badge], &Signer::did_key(teacher), "nonce-123", Some("lakeside.example"))?;
//! let report = verify_presentation(&vp, &VerifyOptions::default(), "nonce-123", Some("lakeside.example"))?;
//! assert!(report.verified, "{report:?}");
//! # Ok::<(), openbadges::Error>(())
//! ```

use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::proof::{Expectations, ProofFailureKind, ProofOptions, ProofVerifier, Signer, Suite};
use crate::verify::{
    problem_types as pt, Check, ControllerResolver, Report, Verifier, VerifyOptions,
};

/// The VC 2.0 context a presentation uses.
const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";

/// Makes a presentation of `credentials` (as received) signed by the holder's key.
/// The holder is the verification method's controller (the did:key for [`Signer::did_key`]).
pub fn present(
    credentials: &[Value],
    holder: &Signer,
    challenge: &str,
    domain: Option<&str>,
) -> Result<Value> {
    let vm = holder.verification_method();
    let holder_id = vm.split_once('#').map_or(vm, |(a, _)| a);
    let vp = json!({
        "@context": [VC_V2],
        "id": format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        "type": ["VerifiablePresentation"],
        "holder": holder_id,
        "verifiableCredential": credentials,
    });
    holder.sign(
        &vp,
        Suite::EddsaRdfc2022,
        &ProofOptions::authentication(challenge, domain.map(String::from)),
    )
}

/// The verdict on a presentation: its own checks, and one report per credential.
#[derive(Debug, Clone, Serialize)]
pub struct PresentationReport {
    /// True iff the presentation checks pass and every credential verified.
    pub verified: bool,
    /// `presentation-proof`, `challenge`, `domain`, `holder` checks.
    pub checks: Vec<Check>,
    /// Each credential's report, in order.
    pub credentials: Vec<Report>,
}

/// Verifies a presentation: the holder's proof (purpose `authentication`, the expected challenge
/// and domain), that the holder is each credential's subject, and each credential through the
/// normal pipeline.
pub fn verify_presentation(
    vp: &Value,
    options: &VerifyOptions,
    challenge: &str,
    domain: Option<&str>,
) -> Result<PresentationReport> {
    if !vp.is_object() {
        return Err(Error::model("a presentation must be a JSON object"));
    }
    let mut checks = Vec::new();
    let proofs = ProofVerifier::new(Arc::new(ControllerResolver::new(options.resolver_handle())));
    let mut expected = Expectations::authentication(challenge, domain.map(String::from));
    expected.now = Some(options.now());
    let outcomes = proofs.verify(vp, &expected)?;
    let holder = vp
        .get("holder")
        .and_then(|h| h.as_str().or_else(|| h.get("id").and_then(Value::as_str)));
    match outcomes.iter().find(|o| o.result.is_ok()) {
        Some(o) => {
            checks.push(Check::passed("presentation-proof").note(format!(
                "signed by {}",
                o.verification_method.as_deref().unwrap_or("?")
            )));
            if holder.is_some() && o.controller.as_deref() != holder {
                checks.push(Check::failed(
                    "holder-key",
                    pt::INVALID_VERIFICATION_METHOD,
                    "Key not the holder's",
                    format!(
                        "the presentation was signed by a key of `{}`, not of the holder `{}`",
                        o.controller.as_deref().unwrap_or("?"),
                        holder.unwrap_or("?")
                    ),
                    Some("/holder"),
                ));
            }
        }
        None => {
            let f = outcomes.first().and_then(|o| o.result.clone().err());
            let (id, kind) = match f.as_ref().map(|f| f.kind) {
                Some(ProofFailureKind::Challenge) => ("challenge", pt::INVALID_CHALLENGE_ERROR),
                Some(ProofFailureKind::Domain) => ("domain", pt::INVALID_DOMAIN_ERROR),
                _ => ("presentation-proof", pt::PROOF_VERIFICATION_ERROR),
            };
            let detail = f
                .map(|f| f.message)
                .unwrap_or_else(|| "the presentation has no proof".into());
            checks.push(Check::failed(
                id,
                kind,
                "Presentation not verified",
                detail,
                Some("/proof"),
            ));
        }
    }
    let creds: Vec<&Value> = match vp.get("verifiableCredential") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => vec![],
    };
    let verifier = Verifier::new(options.clone());
    let mut reports = Vec::new();
    for (i, c) in creds.iter().enumerate() {
        let mut r = verifier.verify_value(c)?;
        r.source = Some(format!("presentation /verifiableCredential/{i}"));
        let subject = c.pointer("/credentialSubject/id").and_then(Value::as_str);
        match (holder, subject) {
            (Some(h), Some(s)) if h == s => {}
            (Some(h), Some(s)) => checks.push(Check::failed("holder", pt::RECIPIENT_MISMATCH, "Holder is not the subject",
                format!("credential #{i} is about `{s}`, but the holder is `{h}`"), Some(&format!("/verifiableCredential/{i}/credentialSubject/id")))),
            (_, None) => checks.push(Check::warning("holder", pt::RECIPIENT_MISMATCH, "Holder binding unproven",
                format!("credential #{i} names its subject without an id (e.g. a hashed e-mail), so the holder's key cannot prove it is theirs"), Some(&format!("/verifiableCredential/{i}/credentialSubject")))),
            (None, _) => checks.push(Check::failed("holder", pt::RECIPIENT_MISMATCH, "No holder", "the presentation names no holder", Some("/holder"))),
        }
        reports.push(r);
    }
    let verified = !checks.iter().any(Check::is_blocking) && reports.iter().all(|r| r.verified);
    Ok(PresentationReport {
        verified,
        checks,
        credentials: reports,
    })
}
