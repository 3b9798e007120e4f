//! Awarding: the OpenBadgeCredential for an awarded [`Decision`] — the rubric `result`s, the
//! evidence with its digests, `awardedDate`, a review record — and, where the policy asks, one
//! EndorsementCredential per counted assessor, signed with the assessor's key and embedded.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::assessor_keys::AssessorKeys;
use super::decide::{Decision, Outcome};
use super::policy::ReviewPolicy;
use super::submission::{EvidenceSource, Submission};
use crate::achievement::rubric::Rubric;
use crate::error::{Error, ErrorKind, Result};
use crate::issue::Issuer;
use crate::proof::Suite;

/// The `genre` of evidence items a teacher submitted.
pub const SUBMITTED_GENRE: &str = "Submitted evidence";
/// The `genre` of the review record the badge carries.
pub const REVIEW_GENRE: &str = "Rubric review";

const VC2: &str = "https://www.w3.org/ns/credentials/v2";
const OB: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The award's identity: the SHA-256 of (achievement id, teacher). Re-running an award round
/// finds the same badge id and file name, so nothing is issued twice.
fn award_digest(achievement: &str, teacher: &str) -> [u8; 32] {
    let who = if teacher.starts_with("did:") {
        teacher.to_string()
    } else {
        format!("mailto:{}", teacher.trim().to_lowercase())
    };
    Sha256::digest(format!("award|{achievement}|{who}").as_bytes()).into()
}

fn uuid_of(d: &[u8]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format!("urn:uuid:{}", uuid::Uuid::from_bytes(b))
}

/// The badge id (`urn:uuid:…`) and file stem (24 hex digits) of the award of `achievement` to
/// `teacher` — stable across runs.
///
/// # Example
/// ```
/// let (id, stem) = openbadges::award::award_id("urn:a:fg", "did:example:maria");
/// assert!(id.starts_with("urn:uuid:"));
/// assert_eq!(stem.len(), 24);
/// assert_eq!(openbadges::award::award_id("urn:a:fg", "did:example:maria").0, id);
/// ```
pub fn award_id(achievement: &str, teacher: &str) -> (String, String) {
    let d = award_digest(achievement, teacher);
    (uuid_of(&d), hex::encode(&d[..12]))
}

/// Issues awards for one achievement under one policy. Build once; [`Awarder::issue`] is
/// safe to call from many threads.
///
/// # Example
/// ```
/// use openbadges::award::{decide, Awarder, AssessorCredentials, AssessorKeys, Case, Review, ReviewPolicy, Resolution, Submission};
/// use openbadges::{issue::Issuer, keys::SigningKey, proof::Suite};
/// use openbadges::verify::{Verifier, VerifyOptions};
/// let achievement = serde_json::json!({"id": "urn:a:fg", "type": ["Achievement"], "name": "FG",
///   "description": "d", "criteria": {"narrative": "n"},
///   "resultDescription": [{"id": "urn:c:plan", "type": ["ResultDescription"], "name": "Planning",
///     "resultType": "RubricCriterionLevel", "requiredLevel": "urn:l:2",
///     "rubricCriterionLevel": [
///       {"id": "urn:l:1", "type": ["RubricCriterionLevel"], "name": "Developing"},
///       {"id": "urn:l:2", "type": ["RubricCriterionLevel"], "name": "Proficient"}]}]});
/// let assessor = SigningKey::from_seed(&[2; 32]);
/// let ann = assessor.verifying_key().did_key();
/// let mut policy = ReviewPolicy::new("one assessor", 1, Resolution::AllMustPass);
/// policy.endorsements = true;
/// let district = Issuer::new(serde_json::json!({"name": "Riverside"}), SigningKey::from_seed(&[1; 32]))?;
/// let awarder = Awarder::new(district, achievement, policy.clone())?
///     .assessor_keys(AssessorKeys::new().with(assessor));
/// let sub = Submission::new("s1", "did:example:maria", "urn:a:fg", "2026-03-01T00:00:00Z".parse()?);
/// let reviews = [Review::new("s1", ann.as_str(), "2026-03-05T00:00:00Z".parse()?).score("Planning", "Proficient", "")];
/// let d = decide(&policy, awarder.rubric(), &Case { submission: &sub, reviews: &reviews, approvals: &[] },
///                &AssessorCredentials::new())?;
/// let badge = awarder.issue(&sub, &d, chrono::Utc::now())?;
/// assert_eq!(badge["credentialSubject"]["result"][0]["achievedLevel"], "urn:l:2");
/// assert_eq!(badge["endorsement"][0]["issuer"]["id"], ann);
/// let report = Verifier::new(VerifyOptions::default()).verify_value(&badge)?;
/// assert!(report.verified && report.endorsements[0].verified);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Awarder {
    issuer: Issuer,
    achievement: Value,
    rubric: Rubric,
    policy: ReviewPolicy,
    keys: AssessorKeys,
    suite: Suite,
}

impl Awarder {
    /// An awarder of `achievement` (an OB 3.0 Achievement with a rubric) signing as `issuer`
    /// with eddsa-rdfc-2022.
    pub fn new(issuer: Issuer, achievement: Value, policy: ReviewPolicy) -> Result<Self> {
        let rubric = Rubric::from_achievement(&achievement)?;
        Ok(Awarder {
            issuer,
            achievement,
            rubric,
            policy,
            keys: AssessorKeys::new(),
            suite: Suite::EddsaRdfc2022,
        })
    }

    /// The keys assessors endorse with (needed when the policy asks for endorsements).
    pub fn assessor_keys(mut self, keys: AssessorKeys) -> Self {
        self.keys = keys;
        self
    }

    /// Signs with `suite` (a Data Integrity suite).
    pub fn suite(mut self, suite: Suite) -> Self {
        self.suite = suite;
        self
    }

    /// The achievement's rubric.
    pub fn rubric(&self) -> &Rubric {
        &self.rubric
    }

    /// The policy.
    pub fn policy(&self) -> &ReviewPolicy {
        &self.policy
    }

    /// The issuer.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    fn subject(&self, teacher: &str, digest: &[u8; 32]) -> Result<Value> {
        if teacher.starts_with("did:") {
            return Ok(json!({"id": teacher, "type": ["AchievementSubject"]}));
        }
        let email = teacher.trim().to_lowercase();
        let ok = email.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.contains('@') && !d.ends_with('.')
        }) && !email.contains(char::is_whitespace);
        if !ok {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("teacher `{teacher}` is neither a DID nor an e-mail address"),
            ));
        }
        let salt = hex::encode(&digest[16..24]);
        let ident = crate::identity::IdentityObject::hashed_email(&email, &salt).to_value();
        Ok(json!({"type": ["AchievementSubject"], "identifier": [ident]}))
    }

    /// The unsigned badge for an awarded decision (endorsements not yet attached).
    pub fn credential(&self, submission: &Submission, decision: &Decision) -> Result<Value> {
        if decision.outcome != Outcome::Award {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "submission `{}` was not awarded ({}): {}",
                    decision.submission,
                    decision.outcome.as_str(),
                    decision.why
                ),
            ));
        }
        if submission.id != decision.submission || submission.achievement != self.rubric.achievement
        {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "the decision on `{}` does not belong to submission `{}` of {}",
                    decision.submission, submission.id, self.rubric.achievement
                ),
            ));
        }
        let digest = award_digest(&self.rubric.achievement, &submission.teacher);
        let mut subject = self.subject(&submission.teacher, &digest)?;
        subject["achievement"] = self.achievement.clone();
        subject["result"] = decision
            .criteria
            .iter()
            .map(|c| {
                json!({
                    "type": ["Result"],
                    "resultDescription": c.criterion,
                    "achievedLevel": c.level,
                    "status": "Completed",
                })
            })
            .collect();
        let mut evidence: Vec<Value> = submission
            .evidence
            .iter()
            .map(|e| {
                let mut v = json!({
                    "type": ["Evidence"],
                    "name": e.name,
                    "description": format!("Submitted {} for review (submission {})",
                        submission.date.format("%Y-%m-%d"), submission.id),
                    "genre": SUBMITTED_GENRE,
                    // VC 2.0 `digestSRI` (defined by the credentials v2 context, so it is signed).
                    "digestSRI": e.digest,
                });
                if let EvidenceSource::Url(u) = &e.source {
                    v["id"] = u.clone().into();
                }
                if let Some(n) = submission
                    .narrative
                    .as_deref()
                    .filter(|n| !n.trim().is_empty())
                {
                    v["narrative"] = n.into();
                }
                v
            })
            .collect();
        evidence.push(json!({
            "type": ["Evidence"],
            "name": "Review record",
            "genre": REVIEW_GENRE,
            "narrative": self.review_record(decision),
        }));
        let name = self
            .achievement
            .get("name")
            .cloned()
            .unwrap_or_else(|| self.rubric.achievement.clone().into());
        let awarded = decision.decided_at.ok_or_else(|| {
            Error::new(
                ErrorKind::Usage,
                "an awarded decision needs its decision date",
            )
        })?;
        Ok(json!({
            "@context": [VC2, OB],
            "id": uuid_of(&digest),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": name,
            "credentialSubject": subject,
            "awardedDate": stamp(awarded),
            "evidence": evidence,
        }))
    }

    fn review_record(&self, d: &Decision) -> String {
        let p = &self.policy;
        let mut s = format!(
            "Reviewed against the rubric under the policy \"{}\" ({} assessor{}, {}). ",
            p.name,
            p.assessors,
            if p.assessors == 1 { "" } else { "s" },
            p.resolution
        );
        let who: Vec<String> = d
            .assessors
            .iter()
            .map(|a| format!("{} on {}", a.assessor, a.date.format("%Y-%m-%d")))
            .collect();
        s.push_str(&format!("Counted reviews: {}. ", who.join("; ")));
        let levels: Vec<String> = d
            .criteria
            .iter()
            .map(|c| {
                format!(
                    "{}: {} (required {})",
                    c.name, c.level_name, c.required_name
                )
            })
            .collect();
        s.push_str(&format!("Levels: {}.", levels.join("; ")));
        if !p.qualifications.is_empty() {
            let q: Vec<&str> = p.qualifications.iter().map(|q| q.name.as_str()).collect();
            s.push_str(&format!(" Every counted assessor held: {}.", q.join(", ")));
        }
        if let Some(a) = &d.approved_by {
            s.push_str(&format!(
                " Approved by {} on {}.",
                a.approver,
                a.date.format("%Y-%m-%d")
            ));
        }
        s
    }

    /// The unsigned EndorsementCredential by `assessor` of the badge `badge_id`, saying what they
    /// reviewed and the levels they gave.
    pub fn endorsement(
        &self,
        badge_id: &str,
        submission: &Submission,
        decision: &Decision,
        assessor: &str,
    ) -> Result<Value> {
        let counted = decision
            .assessors
            .iter()
            .find(|a| a.assessor == assessor)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Usage,
                    format!(
                        "{assessor} is not a counted assessor of submission `{}`",
                        decision.submission
                    ),
                )
            })?;
        let levels: Vec<String> = decision
            .criteria
            .iter()
            .filter_map(|c| {
                c.levels
                    .iter()
                    .find(|(a, _)| a == assessor)
                    .map(|(_, l)| format!("{}: {l}", c.name))
            })
            .collect();
        let name = self
            .achievement
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(&self.rubric.achievement);
        let d: [u8; 32] =
            Sha256::digest(format!("endorsement|{badge_id}|{assessor}").as_bytes()).into();
        Ok(json!({
            "@context": [VC2, OB],
            "id": uuid_of(&d),
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": format!("Assessor review: {name}"),
            "issuer": {"id": assessor, "type": ["Profile"]},
            "credentialSubject": {
                "id": badge_id,
                "type": ["EndorsementSubject"],
                "endorsementComment": format!(
                    "I reviewed submission {} (submitted {}) against the rubric of {name} on {} under the policy \"{}\". My levels: {}.",
                    submission.id,
                    submission.date.format("%Y-%m-%d"),
                    counted.date.format("%Y-%m-%d"),
                    self.policy.name,
                    levels.join("; ")
                ),
            },
        }))
    }

    /// Signs the award as of `now`: the badge, with one endorsement per counted assessor signed
    /// by that assessor's key when the policy asks for endorsements (a missing key is an error).
    pub fn issue(
        &self,
        submission: &Submission,
        decision: &Decision,
        now: DateTime<Utc>,
    ) -> Result<Value> {
        let mut badge = self.credential(submission, decision)?;
        if self.policy.endorsements {
            let id = badge["id"].as_str().unwrap_or_default().to_string();
            let mut endorsements = Vec::with_capacity(decision.assessors.len());
            for a in &decision.assessors {
                let key = self.keys.get(&a.assessor).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Key,
                        format!(
                            "no key for assessor {} (the policy asks every counted assessor to endorse the badge; endorsing needs a did:key assessor and their key file)",
                            a.assessor
                        ),
                    )
                })?;
                let signer =
                    Issuer::new(json!({"id": a.assessor, "type": ["Profile"]}), key.clone())?;
                let e = self.endorsement(&id, submission, decision, &a.assessor)?;
                endorsements.push(signer.issue_at(&e, self.suite, now, None)?.into_json());
            }
            badge["endorsement"] = Value::Array(endorsements);
        }
        self.issuer
            .issue_at(&badge, self.suite, now, None)
            .map(crate::issue::Issued::into_json)
    }
}
