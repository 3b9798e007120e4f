//! Awards from reviewed evidence: a teacher submits evidence, trained assessors score it against
//! the micro-credential's rubric, and the badge is awarded only when every criterion reaches its
//! required level — otherwise "not yet", with feedback per criterion, and the teacher may
//! resubmit.
//!
//! | step | type | where |
//! |---|---|---|
//! | the rubric | [`Rubric`] — the achievement's `resultDescription`s with `RubricCriterionLevel`s and `requiredLevel` | [`crate::achievement::rubric`] |
//! | the program's rules | [`ReviewPolicy`] (JSON or TOML file) | [`policy`](ReviewPolicy::load) |
//! | what was submitted | [`Submission`], [`EvidenceItem`] (URL or file, with its SRI digest) | |
//! | what assessors said | [`Review`] (a level per criterion, comments), [`Approval`] | |
//! | who may assess | [`AssessorCredentials`]: verified credentials assessors hold | |
//! | the decision | [`decide()`] → [`Decision`] ([`Outcome::Award`], [`Outcome::NotYet`], [`Outcome::Pending`]); [`Docket`] for a whole round | |
//! | the badge | [`Awarder`]: `result`s, evidence with `digestSRI`, `awardedDate`, a review record, assessors' endorsements | |
//! | reading it back | [`ReviewTrail`]: the trail a badge carries, checked against its rubric | |
//!
//! # How a submission is decided
//!
//! 1. **Input is checked first.** A review of another submission, a criterion or level the rubric
//!    does not define, an assessor reviewing the same submission twice, a criterion scored twice
//!    or not at all, a review dated before the submission, an approver signing twice: `Err`,
//!    naming the file and line. Nothing is decided on broken input.
//! 2. **Who counts.** Reviews are taken in date order. A review is *ignored, with the reason
//!    recorded*, when the assessor is the teacher, or lacks a qualification the policy requires
//!    (a verified credential for the qualification's achievement, from one of its issuers, issued
//!    to the assessor, earned no later than the review).
//! 3. **Enough reviews.** The first `assessors` qualified reviews are counted; with fewer, the
//!    decision is *pending*. Later reviews are ignored as not needed, except under
//!    `third-breaks-tie`: when the counted assessors split evenly on whether some criterion
//!    passes, the next qualified review is counted too (or the decision is pending until one
//!    comes).
//! 4. **One level per criterion**, by the policy's resolution: `all-must-pass` and
//!    `lower-score-stands` take the lowest level given (the two reach the same decisions; the
//!    names follow how programs describe them), `third-breaks-tie` and `majority` the (lower)
//!    median, so a level stands only when a strict majority gave it or better.
//! 5. **Not yet** when any criterion's level is below its `requiredLevel`: the decision lists every
//!    criterion with the level reached, the level required, and the counted assessors' comments.
//! 6. **Approval.** When the policy requires one, a submission that passed every criterion waits
//!    (*pending*) for a sign-off by a listed approver who is neither the teacher nor one of the
//!    counted assessors, dated no earlier than the last counted review. The latest such sign-off
//!    stands: an approval awards, a return is *not yet* with the approver's comment.
//!
//! Across submissions ([`Docket`]): a teacher is awarded once, by their earliest awarded
//! submission; without an award, their latest submission says where they stand. A teacher with
//! any broken input is held — nothing is awarded until it is fixed.
//!
//! # What the badge carries
//!
//! An OpenBadgeCredential (VC 2.0, OB 3.0.3 context) whose subject has the achievement, rubric and
//! all, and one `result` per criterion (`resultDescription`, `achievedLevel`, `status`
//! `Completed`); `awardedDate` (when the decision became final); one `evidence` entry per item
//! submitted, with its `digestSRI` (defined by the VC 2.0 context, so it is signed) and, for a
//! URL, its `id`; a "Review record" evidence entry naming the policy, the counted assessors and
//! dates, the levels and the approval. When the policy sets `endorsements`, every counted
//! assessor signs an EndorsementCredential whose subject is the badge's id, embedded in the
//! badge's `endorsement` (so the issuer's proof covers them too). Assessors who endorse are
//! identified by a did:key. The badge id is derived from (achievement, teacher), so a re-run
//! never issues twice.
//!
//! A receiving district reads the trail with [`ReviewTrail`]: [`ReviewTrail::reviewed_by`]
//! counts the distinct assessors whose endorsement of this very badge verified.
//!
//! # Example
//! ```
//! use openbadges::award::{Awarder, AssessorCredentials, Docket, Outcome, Review, ReviewPolicy, Resolution, Submission};
//! use openbadges::{issue::Issuer, keys::SigningKey};
//! let achievement = serde_json::json!({"id": "urn:a:fg", "type": ["Achievement"], "name": "FG",
//!   "description": "d", "criteria": {"narrative": "n"},
//!   "resultDescription": [{"id": "urn:c:plan", "type": ["ResultDescription"], "name": "Planning",
//!     "resultType": "RubricCriterionLevel", "requiredLevel": "urn:l:2",
//!     "rubricCriterionLevel": [
//!       {"id": "urn:l:1", "type": ["RubricCriterionLevel"], "name": "Developing"},
//!       {"id": "urn:l:2", "type": ["RubricCriterionLevel"], "name": "Proficient"}]}]});
//! let policy = ReviewPolicy::new("two assessors", 2, Resolution::ThirdBreaksTie);
//! let district = Issuer::new(serde_json::json!({"name": "Riverside"}), SigningKey::from_seed(&[1; 32]))?;
//! let awarder = Awarder::new(district, achievement, policy.clone())?;
//! let t = |d: &str| format!("2026-03-{d}T00:00:00Z").parse::<chrono::DateTime<chrono::Utc>>();
//! let docket = Docket {
//!     submissions: vec![Submission::new("s1", "did:example:maria", "urn:a:fg", t("01")?)],
//!     reviews: vec![
//!         Review::new("s1", "did:example:ann", t("03")?).score("Planning", "Proficient", ""),
//!         Review::new("s1", "did:example:ben", t("04")?).score("Planning", "Developing", "Thin."),
//!         Review::new("s1", "did:example:cho", t("06")?).score("Planning", "Proficient", ""),
//!     ],
//!     approvals: vec![],
//! };
//! let (standings, errors) = docket.decide(&policy, awarder.rubric(), &AssessorCredentials::new());
//! assert!(errors.is_empty());
//! let decision = standings[0].award().expect("the third assessor broke the tie");
//! assert_eq!(decision.assessors.len(), 3);
//! let badge = awarder.issue(&docket.submissions[0], decision, chrono::Utc::now())?;
//! assert_eq!(badge["awardedDate"], "2026-03-06T00:00:00Z");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod assessor_keys;
mod credential;
mod decide;
mod docket;
mod policy;
mod qualification;
mod review;
mod submission;
mod trail;

pub use crate::achievement::rubric::Rubric;
pub use assessor_keys::AssessorKeys;
pub use credential::{award_id, Awarder, REVIEW_GENRE, SUBMITTED_GENRE};
pub use decide::{decide, Case, Counted, CriterionResult, Decision, Ignored, Outcome, SignOff};
pub use docket::{Docket, Standing};
pub use policy::{ApprovalRule, Qualification, Resolution, ReviewPolicy, MAX_ASSESSORS};
pub use qualification::AssessorCredentials;
pub use review::{Approval, Review, Score};
pub use submission::{sri_sha256, EvidenceItem, EvidenceSource, Submission};
pub use trail::{ReviewTrail, TrailEndorsement, TrailEvidence, TrailResult};
