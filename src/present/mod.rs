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
//! }), Suite::EddsaRdfc2022)?.into_json();
//! let vp = present(&[badge], &Signer::did_key(teacher), "nonce-123", Some("lakeside.example"))?;
//! let report = verify_presentation(&vp, &VerifyOptions::default(), "nonce-123", Some("lakeside.example"))?;
//! assert!(report.verified, "{report:?}");
//! # Ok::<(), openbadges::Error>(())
//! ```

use serde::Serialize;
use serde_json::{json, Value};

use crate::check::Check;
use crate::error::{Error, Result};
use crate::proof::{ProofOptions, Signer, Suite};
use crate::verify::{Report, Verifier, VerifyOptions};

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
    /// `presentation-proof`, `holder`, `nested-credentials` and the other presentation checks.
    pub checks: Vec<Check>,
    /// Each credential's report, in order.
    pub credentials: Vec<Report>,
}

/// Verifies a presentation: the holder's proof (purpose `authentication`, the expected challenge
/// and domain), that the holder signed it and is each credential's subject, and each credential
/// through the normal pipeline. The same as [`Verifier::verify_value`] with
/// [`VerifyOptions::challenge`] and [`VerifyOptions::domain`] set.
pub fn verify_presentation(
    vp: &Value,
    options: &VerifyOptions,
    challenge: &str,
    domain: Option<&str>,
) -> Result<PresentationReport> {
    if !vp.is_object() {
        return Err(Error::model("a presentation must be a JSON object"));
    }
    let mut options = options.clone().challenge(challenge);
    if let Some(d) = domain {
        options = options.domain(d);
    }
    let mut report = Verifier::new(options).verify_value(vp)?;
    Ok(PresentationReport {
        verified: report.verified,
        credentials: std::mem::take(&mut report.credentials),
        checks: report.checks,
    })
}
