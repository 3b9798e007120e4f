//! [`decide()`]: one submission, its reviews and approvals, under a policy and the achievement's
//! rubric → [`Decision`] (award, not yet, or pending), with a level per criterion and why.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::policy::{Resolution, ReviewPolicy};
use super::qualification::AssessorCredentials;
use super::review::{Approval, Review};
use super::submission::Submission;
use crate::achievement::rubric::Rubric;
use crate::error::{Error, ErrorKind, Result};

/// A submission with everything recorded about it.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    /// The submission.
    pub submission: &'a Submission,
    /// Its reviews (any order).
    pub reviews: &'a [Review],
    /// Its approvals (any order).
    pub approvals: &'a [Approval],
}

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome {
    /// Every criterion reached its required level (and the approver signed off, if required).
    Award,
    /// At least one criterion did not reach its required level, or the approver returned it.
    NotYet,
    /// Not decidable yet: too few qualified reviews, a tie to break, or an approval to come.
    Pending,
}

impl Outcome {
    /// `award`, `not-yet` or `pending`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Award => "award",
            Outcome::NotYet => "not-yet",
            Outcome::Pending => "pending",
        }
    }
}

/// The resolved level of one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CriterionResult {
    /// The criterion's id (a ResultDescription id).
    pub criterion: String,
    /// Its name.
    pub name: String,
    /// The level that stands (a RubricCriterionLevel id).
    pub level: String,
    /// Its name.
    pub level_name: String,
    /// The required level's id.
    pub required: String,
    /// Its name.
    pub required_name: String,
    /// Whether the level reaches the required level.
    pub met: bool,
    /// Each counted assessor's level: (assessor, level name).
    pub levels: Vec<(String, String)>,
    /// The counted assessors' comments (non-empty, each once).
    pub comments: Vec<String>,
}

/// A counted review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counted {
    /// The assessor.
    pub assessor: String,
    /// When they reviewed.
    pub date: DateTime<Utc>,
    /// The credentials that qualified them (ids or sources), one per policy qualification.
    pub qualified_by: Vec<String>,
}

/// A review or approval that was not counted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ignored {
    /// The assessor or approver.
    pub who: String,
    /// `assessor` or `approver`.
    pub role: &'static str,
    /// Why it was not counted.
    pub reason: String,
}

/// The approver's sign-off that was counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignOff {
    /// Who.
    pub approver: String,
    /// When.
    pub date: DateTime<Utc>,
    /// Their comment.
    pub comment: String,
}

/// The decision on one submission: the outcome, each criterion's level, whose reviews counted,
/// which were ignored and why, and a sentence saying why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// The submission's id.
    pub submission: String,
    /// The teacher.
    pub teacher: String,
    /// The outcome.
    pub outcome: Outcome,
    /// Each criterion's resolved level (empty while too few reviews are counted).
    pub criteria: Vec<CriterionResult>,
    /// The counted reviews, in date order.
    pub assessors: Vec<Counted>,
    /// Reviews and approvals not counted.
    pub ignored: Vec<Ignored>,
    /// The counted approval, when the policy requires one and it was given.
    pub approved_by: Option<SignOff>,
    /// When the decision became final: the last counted review or the approval.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why, in one sentence.
    pub why: String,
}

impl Decision {
    /// The criteria that did not reach their required level.
    pub fn unmet(&self) -> impl Iterator<Item = &CriterionResult> {
        self.criteria.iter().filter(|c| !c.met)
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} — submission {} by {}: {}",
            self.outcome.as_str().to_uppercase(),
            self.submission,
            self.teacher,
            self.why
        )?;
        for c in &self.criteria {
            let by: Vec<String> = c.levels.iter().map(|(a, l)| format!("{a}: {l}")).collect();
            writeln!(
                f,
                "  {} {}: {} (required {}) [{}]",
                if c.met { "met    " } else { "not yet" },
                c.name,
                c.level_name,
                c.required_name,
                by.join("; ")
            )?;
        }
        for i in &self.ignored {
            writeln!(f, "  ignored {} {}: {}", i.role, i.who, i.reason)?;
        }
        if let Some(a) = &self.approved_by {
            writeln!(
                f,
                "  approved by {} on {}",
                a.approver,
                a.date.format("%Y-%m-%d")
            )?;
        }
        Ok(())
    }
}

struct Resolved<'a> {
    review: &'a Review,
    /// Rank of the level given, per rubric criterion.
    ranks: Vec<usize>,
    comments: Vec<String>,
}

fn usage(msg: String) -> Error {
    Error::new(ErrorKind::Usage, msg)
}

/// Resolves every review's criteria and levels against the rubric; refuses bad input.
fn resolve<'a>(rubric: &Rubric, case: &Case<'a>) -> Result<Vec<Resolved<'a>>> {
    let s = case.submission;
    let mut out: Vec<Resolved<'a>> = Vec::with_capacity(case.reviews.len());
    for r in case.reviews {
        let at = r.at();
        if r.submission != s.id {
            return Err(usage(format!(
                "{at}the review by {} is for submission `{}`, not `{}`",
                r.assessor, r.submission, s.id
            )));
        }
        if let Some(prev) = out.iter().find(|p| p.review.assessor == r.assessor) {
            return Err(usage(format!(
                "{at}assessor {} reviewed submission `{}` twice{} (one review per assessor)",
                r.assessor,
                s.id,
                prev.review
                    .origin
                    .as_deref()
                    .map(|o| format!(" (first at {o})"))
                    .unwrap_or_default()
            )));
        }
        if r.date < s.date {
            return Err(usage(format!(
                "{at}the review by {} is dated {}, before the submission ({})",
                r.assessor,
                r.date.format("%Y-%m-%d"),
                s.date.format("%Y-%m-%d")
            )));
        }
        let n = rubric.criteria.len();
        let mut ranks: Vec<Option<usize>> = vec![None; n];
        let mut comments = vec![String::new(); n];
        for sc in &r.scores {
            let at = sc
                .origin
                .as_deref()
                .map(|o| format!("{o}: "))
                .unwrap_or_else(|| at.clone());
            let ci = rubric
                .criterion(&sc.criterion)
                .and_then(|c| rubric.criteria.iter().position(|x| x.id == c.id))
                .ok_or_else(|| {
                    usage(format!(
                        "{at}criterion `{}` is not in the rubric of {} (criteria: {})",
                        sc.criterion,
                        rubric.achievement,
                        rubric.criterion_list()
                    ))
                })?;
            let c = &rubric.criteria[ci];
            let level = c.find_level(&sc.level).ok_or_else(|| {
                usage(format!(
                    "{at}level `{}` is not defined for criterion `{}` (levels: {})",
                    sc.level,
                    c.name,
                    c.level_list()
                ))
            })?;
            if ranks[ci].is_some() {
                return Err(usage(format!(
                    "{at}assessor {} scores criterion `{}` twice",
                    r.assessor, c.name
                )));
            }
            ranks[ci] = Some(level.rank);
            comments[ci] = sc.comment.trim().to_string();
        }
        if let Some(ci) = ranks.iter().position(Option::is_none) {
            return Err(usage(format!(
                "{at}the review by {} gives no level for criterion `{}` (every criterion must be scored)",
                r.assessor, rubric.criteria[ci].name
            )));
        }
        out.push(Resolved {
            review: r,
            ranks: ranks.into_iter().flatten().collect(),
            comments,
        });
    }
    let mut seen: Vec<&Approval> = Vec::new();
    for a in case.approvals {
        let at = a
            .origin
            .as_deref()
            .map(|o| format!("{o}: "))
            .unwrap_or_default();
        if a.submission != s.id {
            return Err(usage(format!(
                "{at}the approval by {} is for submission `{}`, not `{}`",
                a.approver, a.submission, s.id
            )));
        }
        if seen.iter().any(|p| p.approver == a.approver) {
            return Err(usage(format!(
                "{at}approver {} signed submission `{}` twice",
                a.approver, s.id
            )));
        }
        seen.push(a);
    }
    Ok(out)
}

/// Decides one submission. See the [module documentation](crate::award) for the rules.
///
/// `Err` means the input is broken — a review of another submission, a criterion or level the
/// rubric lacks, an assessor reviewing twice, a review dated before the submission, a criterion
/// left unscored — and nothing may be awarded on it; the message names the review's origin.
///
/// # Example
/// ```
/// use openbadges::achievement::rubric::Rubric;
/// use openbadges::award::{decide, AssessorCredentials, Case, Outcome, Review, ReviewPolicy, Resolution, Submission};
/// let achievement = serde_json::json!({"id": "urn:a:fg", "type": ["Achievement"], "name": "FG",
///   "description": "d", "criteria": {"narrative": "n"},
///   "resultDescription": [{"id": "urn:c:plan", "type": ["ResultDescription"], "name": "Planning",
///     "resultType": "RubricCriterionLevel", "requiredLevel": "urn:l:2",
///     "rubricCriterionLevel": [
///       {"id": "urn:l:1", "type": ["RubricCriterionLevel"], "name": "Developing", "points": "1"},
///       {"id": "urn:l:2", "type": ["RubricCriterionLevel"], "name": "Proficient", "points": "2"}]}]});
/// let rubric = Rubric::from_achievement(&achievement)?;
/// let policy = ReviewPolicy::new("one assessor", 1, Resolution::AllMustPass);
/// let sub = Submission::new("s1", "did:example:maria", "urn:a:fg", "2026-03-01T00:00:00Z".parse()?);
/// let first = [Review::new("s1", "did:example:ann", "2026-03-05T00:00:00Z".parse()?)
///     .score("Planning", "Developing", "Objectives are unclear.")];
/// let d = decide(&policy, &rubric, &Case { submission: &sub, reviews: &first, approvals: &[] },
///                &AssessorCredentials::new())?;
/// assert_eq!(d.outcome, Outcome::NotYet);
/// assert_eq!(d.unmet().next().map(|c| c.comments.clone()), Some(vec!["Objectives are unclear.".to_string()]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decide(
    policy: &ReviewPolicy,
    rubric: &Rubric,
    case: &Case<'_>,
    held: &AssessorCredentials,
) -> Result<Decision> {
    let s = case.submission;
    if s.achievement != rubric.achievement {
        return Err(usage(format!(
            "{}submission `{}` is for achievement {}, but the rubric is {}'s",
            s.at(),
            s.id,
            s.achievement,
            rubric.achievement
        )));
    }
    let resolved = resolve(rubric, case)?;
    let mut decision = Decision {
        submission: s.id.clone(),
        teacher: s.teacher.clone(),
        outcome: Outcome::Pending,
        criteria: Vec::new(),
        assessors: Vec::new(),
        ignored: Vec::new(),
        approved_by: None,
        decided_at: None,
        why: String::new(),
    };

    // Who may count, in date order (input order breaks ties).
    let mut order: Vec<usize> = (0..resolved.len()).collect();
    order.sort_by_key(|&i| resolved[i].review.date);
    let mut eligible: Vec<(usize, Vec<String>)> = Vec::new();
    'reviews: for i in order {
        let r = resolved[i].review;
        if r.assessor == s.teacher {
            decision.ignored.push(Ignored {
                who: r.assessor.clone(),
                role: "assessor",
                reason: "an assessor may not review their own submission".into(),
            });
            continue;
        }
        let mut by = Vec::new();
        for q in &policy.qualifications {
            match held.check(&r.assessor, q, r.date) {
                Ok(c) => by.push(c),
                Err(why) => {
                    decision.ignored.push(Ignored {
                        who: r.assessor.clone(),
                        role: "assessor",
                        reason: format!("not qualified: {why}"),
                    });
                    continue 'reviews;
                }
            }
        }
        eligible.push((i, by));
    }

    let n = policy.assessors;
    if eligible.len() < n {
        decision.why = format!(
            "waiting for {} more qualified assessor review{} ({} of {} counted)",
            n - eligible.len(),
            if n - eligible.len() == 1 { "" } else { "s" },
            eligible.len(),
            n
        );
        decision.assessors = counted_list(&resolved, &eligible);
        return Ok(decision);
    }
    let mut k = n;
    if policy.resolution == Resolution::ThirdBreaksTie {
        let split = rubric.criteria.iter().enumerate().find(|(ci, c)| {
            let req = c.required.unwrap_or(0);
            let pass = eligible[..n]
                .iter()
                .filter(|(i, _)| resolved[*i].ranks[*ci] >= req)
                .count();
            pass * 2 == n
        });
        if let Some((ci, c)) = split {
            if eligible.len() > n {
                k = n + 1;
            } else {
                let by: Vec<String> = eligible
                    .iter()
                    .map(|(i, _)| {
                        format!(
                            "{}: {}",
                            resolved[*i].review.assessor, c.levels[resolved[*i].ranks[ci]].name
                        )
                    })
                    .collect();
                decision.why = format!(
                    "the assessors split on `{}` ({}); waiting for one more qualified assessor to break the tie",
                    c.name,
                    by.join(", ")
                );
                decision.assessors = counted_list(&resolved, &eligible);
                return Ok(decision);
            }
        }
    }
    for (i, _) in &eligible[k..] {
        decision.ignored.push(Ignored {
            who: resolved[*i].review.assessor.clone(),
            role: "assessor",
            reason: format!(
                "not needed: the policy counts the first {k} qualified review{}",
                if k == 1 { "" } else { "s" }
            ),
        });
    }
    let counted = &eligible[..k];
    decision.assessors = counted_list(&resolved, counted);
    let last_review = counted.iter().map(|(i, _)| resolved[*i].review.date).max();

    for (ci, c) in rubric.criteria.iter().enumerate() {
        let mut ranks: Vec<usize> = counted
            .iter()
            .map(|(i, _)| resolved[*i].ranks[ci])
            .collect();
        ranks.sort_unstable();
        let rank = match policy.resolution {
            Resolution::AllMustPass | Resolution::LowerScoreStands => ranks[0],
            // The (lower) median: a strict majority must reach a level for it to stand.
            Resolution::ThirdBreaksTie | Resolution::Majority => ranks[(ranks.len() - 1) / 2],
        };
        let level = &c.levels[rank];
        let required = c.required_level().unwrap_or(&c.levels[0]);
        decision.criteria.push(CriterionResult {
            criterion: c.id.clone(),
            name: c.name.clone(),
            level: level.id.clone(),
            level_name: level.name.clone(),
            required: required.id.clone(),
            required_name: required.name.clone(),
            met: level.rank >= required.rank,
            levels: counted
                .iter()
                .map(|(i, _)| {
                    (
                        resolved[*i].review.assessor.clone(),
                        c.levels[resolved[*i].ranks[ci]].name.clone(),
                    )
                })
                .collect(),
            comments: counted.iter().fold(Vec::new(), |mut acc, (i, _)| {
                let c = &resolved[*i].comments[ci];
                if !c.is_empty() && !acc.contains(c) {
                    acc.push(c.clone());
                }
                acc
            }),
        });
    }
    let unmet: Vec<String> = decision
        .unmet()
        .map(|c| {
            format!(
                "`{}` reached {} (required {})",
                c.name, c.level_name, c.required_name
            )
        })
        .collect();
    let how = format!(
        "{} review{} counted ({})",
        k,
        if k == 1 { "" } else { "s" },
        policy.resolution
    );
    if !unmet.is_empty() {
        decision.outcome = Outcome::NotYet;
        decision.decided_at = last_review;
        decision.why = format!("{}; {how}", unmet.join("; "));
        return Ok(decision);
    }

    let Some(rule) = &policy.approval else {
        decision.outcome = Outcome::Award;
        decision.decided_at = last_review;
        decision.why = format!("every criterion reached its required level; {how}");
        return Ok(decision);
    };
    let mut approvals: Vec<&Approval> = case.approvals.iter().collect();
    approvals.sort_by_key(|a| a.date);
    let mut valid: Vec<&Approval> = Vec::new();
    for a in approvals {
        let reason = if !rule.approvers.contains(&a.approver) {
            Some("not an approver under the policy".to_string())
        } else if a.approver == s.teacher {
            Some("an approver may not sign off their own submission".to_string())
        } else if decision.assessors.iter().any(|c| c.assessor == a.approver) {
            Some("assessed this submission; the sign-off must come from someone else".to_string())
        } else if last_review.is_some_and(|l| a.date < l) {
            Some("dated before the last counted review".to_string())
        } else {
            None
        };
        match reason {
            Some(reason) => decision.ignored.push(Ignored {
                who: a.approver.clone(),
                role: "approver",
                reason,
            }),
            None => valid.push(a),
        }
    }
    match valid.last() {
        None => {
            decision.why = format!(
                "every criterion reached its required level; waiting for sign-off by one of {}",
                rule.approvers.join(", ")
            );
        }
        Some(a) if !a.approved => {
            decision.outcome = Outcome::NotYet;
            decision.decided_at = Some(a.date);
            decision.why = format!(
                "returned by approver {}{}",
                a.approver,
                if a.comment.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", a.comment.trim())
                }
            );
        }
        Some(a) => {
            decision.outcome = Outcome::Award;
            decision.decided_at = Some(a.date);
            decision.approved_by = Some(SignOff {
                approver: a.approver.clone(),
                date: a.date,
                comment: a.comment.trim().to_string(),
            });
            decision.why = format!(
                "every criterion reached its required level; {how}; approved by {}",
                a.approver
            );
        }
    }
    Ok(decision)
}

fn counted_list(resolved: &[Resolved<'_>], counted: &[(usize, Vec<String>)]) -> Vec<Counted> {
    counted
        .iter()
        .map(|(i, by)| Counted {
            assessor: resolved[*i].review.assessor.clone(),
            date: resolved[*i].review.date,
            qualified_by: by.clone(),
        })
        .collect()
}
