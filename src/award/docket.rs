//! A [`Docket`]: every submission of a review round with its reviews and approvals, decided
//! together; resubmissions are weighed per teacher ([`Standing`]).

use std::collections::{BTreeMap, HashMap};

use super::decide::{decide, Case, Decision, Outcome};
use super::policy::ReviewPolicy;
use super::qualification::AssessorCredentials;
use super::review::{Approval, Review};
use super::submission::Submission;
use crate::achievement::rubric::Rubric;
use crate::error::{Error, ErrorKind};

/// Where one teacher stands after every submission was decided.
///
/// A teacher is awarded once: by their earliest awarded submission. Without an award, their
/// latest submission (by date) tells where they stand: not yet (with feedback) or pending. A
/// teacher with any broken input (an `Err` from [`decide()`]) is held: nothing is awarded until
/// the input is fixed.
#[derive(Debug, Clone)]
pub struct Standing {
    /// The teacher.
    pub teacher: String,
    /// One decision per submission that could be decided, by submission date.
    pub decisions: Vec<Decision>,
    /// What could not be decided, naming the file and line.
    pub errors: Vec<Error>,
}

impl Standing {
    /// The awarding decision: the earliest awarded submission, unless the teacher is held.
    pub fn award(&self) -> Option<&Decision> {
        if !self.errors.is_empty() {
            return None;
        }
        self.decisions
            .iter()
            .filter(|d| d.outcome == Outcome::Award)
            .min_by_key(|d| d.decided_at)
    }

    /// The latest decision, when there is no award and the teacher is not held.
    pub fn latest(&self) -> Option<&Decision> {
        if !self.errors.is_empty() || self.award().is_some() {
            return None;
        }
        self.decisions.last()
    }

    /// The outcome for the teacher; `None` when held.
    pub fn outcome(&self) -> Option<Outcome> {
        if !self.errors.is_empty() {
            return None;
        }
        self.award().or_else(|| self.latest()).map(|d| d.outcome)
    }
}

/// Everything recorded in a review round.
///
/// # Example
/// ```
/// use openbadges::achievement::rubric::Rubric;
/// use openbadges::award::{AssessorCredentials, Docket, Outcome, Review, ReviewPolicy, Resolution, Submission};
/// let achievement = serde_json::json!({"id": "urn:a:fg", "type": ["Achievement"], "name": "FG",
///   "description": "d", "criteria": {"narrative": "n"},
///   "resultDescription": [{"id": "urn:c:plan", "type": ["ResultDescription"], "name": "Planning",
///     "resultType": "RubricCriterionLevel", "requiredLevel": "urn:l:2",
///     "rubricCriterionLevel": [
///       {"id": "urn:l:1", "type": ["RubricCriterionLevel"], "name": "Developing"},
///       {"id": "urn:l:2", "type": ["RubricCriterionLevel"], "name": "Proficient"}]}]});
/// let rubric = Rubric::from_achievement(&achievement)?;
/// let policy = ReviewPolicy::new("one assessor", 1, Resolution::AllMustPass);
/// let t = |d: &str| format!("2026-03-{d}T00:00:00Z").parse::<chrono::DateTime<chrono::Utc>>();
/// let docket = Docket {
///     submissions: vec![Submission::new("s1", "did:example:maria", "urn:a:fg", t("01")?),
///                       Submission::new("s2", "did:example:maria", "urn:a:fg", t("20")?)],
///     reviews: vec![Review::new("s1", "did:example:ann", t("05")?).score("Planning", "Developing", "Unclear."),
///                   Review::new("s2", "did:example:ann", t("22")?).score("Planning", "Proficient", "")],
///     approvals: vec![],
/// };
/// let (standings, errors) = docket.decide(&policy, &rubric, &AssessorCredentials::new());
/// assert!(errors.is_empty());
/// assert_eq!(standings[0].award().map(|d| d.submission.as_str()), Some("s2"));
/// assert_eq!(standings[0].decisions[0].outcome, Outcome::NotYet);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Docket {
    /// The submissions.
    pub submissions: Vec<Submission>,
    /// The reviews of them.
    pub reviews: Vec<Review>,
    /// The approvals of them.
    pub approvals: Vec<Approval>,
}

impl Docket {
    /// Decides every submission and weighs each teacher's. Returns one [`Standing`] per teacher
    /// (in order of first submission) and the errors that belong to no submission (a review or
    /// approval naming an unknown submission, a submission id used twice).
    pub fn decide(
        &self,
        policy: &ReviewPolicy,
        rubric: &Rubric,
        held: &AssessorCredentials,
    ) -> (Vec<Standing>, Vec<Error>) {
        let mut orphans = Vec::new();
        let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(self.submissions.len());
        let mut duplicate = vec![false; self.submissions.len()];
        for (i, s) in self.submissions.iter().enumerate() {
            if let Some(&first) = by_id.get(s.id.as_str()) {
                duplicate[i] = true;
                duplicate[first] = true;
                orphans.push(Error::new(
                    ErrorKind::Usage,
                    format!(
                        "{}submission id `{}` is used twice (also {})",
                        s.at(),
                        s.id,
                        self.submissions[first]
                            .origin
                            .as_deref()
                            .unwrap_or("earlier")
                    ),
                ));
            } else {
                by_id.insert(&s.id, i);
            }
        }
        let mut reviews: Vec<Vec<Review>> = vec![Vec::new(); self.submissions.len()];
        for r in &self.reviews {
            match by_id.get(r.submission.as_str()) {
                Some(&i) => reviews[i].push(r.clone()),
                None => orphans.push(Error::new(
                    ErrorKind::Usage,
                    format!(
                        "{}the review by {} names submission `{}`, which is not among the submissions",
                        r.at(),
                        r.assessor,
                        r.submission
                    ),
                )),
            }
        }
        let mut approvals: Vec<Vec<Approval>> = vec![Vec::new(); self.submissions.len()];
        for a in &self.approvals {
            match by_id.get(a.submission.as_str()) {
                Some(&i) => approvals[i].push(a.clone()),
                None => orphans.push(Error::new(
                    ErrorKind::Usage,
                    format!(
                        "{}the approval by {} names submission `{}`, which is not among the submissions",
                        a.origin.as_deref().map(|o| format!("{o}: ")).unwrap_or_default(),
                        a.approver,
                        a.submission
                    ),
                )),
            }
        }
        let mut teachers: BTreeMap<usize, Standing> = BTreeMap::new();
        let mut first_of: HashMap<&str, usize> = HashMap::new();
        let mut order: Vec<usize> = (0..self.submissions.len()).collect();
        order.sort_by_key(|&i| self.submissions[i].date);
        for i in order {
            let s = &self.submissions[i];
            let key = *first_of.entry(s.teacher.as_str()).or_insert(i);
            let standing = teachers.entry(key).or_insert_with(|| Standing {
                teacher: s.teacher.clone(),
                decisions: Vec::new(),
                errors: Vec::new(),
            });
            if duplicate[i] {
                standing.errors.push(Error::new(
                    ErrorKind::Usage,
                    format!("{}submission id `{}` is used twice", s.at(), s.id),
                ));
                continue;
            }
            let case = Case {
                submission: s,
                reviews: &reviews[i],
                approvals: &approvals[i],
            };
            match decide(policy, rubric, &case, held) {
                Ok(d) => standing.decisions.push(d),
                Err(e) => standing.errors.push(e),
            }
        }
        (teachers.into_values().collect(), orphans)
    }
}
