//! [`ReviewTrail`]: what an awarded badge says about its review — each criterion's level against
//! the rubric it carries, the evidence digests, the decision date, and the assessors' endorsements
//! — checked, so a receiving district can require "reviewed by two assessors".

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::achievement::rubric::Criterion;
use crate::verify::Report;

/// One criterion's result as the badge carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrailResult {
    /// The criterion (ResultDescription id) and its name.
    pub criterion: String,
    /// Its name, when the rubric defines it.
    pub name: Option<String>,
    /// The achieved level's id, and its name.
    pub level: Option<String>,
    /// The level's name, when the rubric defines it.
    pub level_name: Option<String>,
    /// The required level's name.
    pub required_name: Option<String>,
    /// Whether it reaches the required level.
    pub met: bool,
}

/// One evidence entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrailEvidence {
    /// Its id (a URL), if any.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its genre.
    pub genre: Option<String>,
    /// Its `digestSRI`.
    pub digest: Option<String>,
}

/// One embedded endorsement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrailEndorsement {
    /// The endorser (its issuer id).
    pub endorser: String,
    /// Its comment.
    pub comment: Option<String>,
    /// Whether it endorses this badge (its subject id is the badge's id).
    pub endorses_this_badge: bool,
    /// Whether it verified (`None` when no verification report was given).
    pub verified: Option<bool>,
}

/// The review trail of a badge.
///
/// # Example
/// ```
/// use openbadges::award::ReviewTrail;
/// let badge = serde_json::json!({"id": "urn:uuid:1", "credentialSubject": {
///   "achievement": {"id": "urn:a:1", "resultDescription": [{"id": "urn:c:1", "name": "Planning",
///     "resultType": "RubricCriterionLevel", "requiredLevel": "urn:l:2", "rubricCriterionLevel": [
///       {"id": "urn:l:1", "name": "Developing"}, {"id": "urn:l:2", "name": "Proficient"}]}]},
///   "result": [{"resultDescription": "urn:c:1", "achievedLevel": "urn:l:1"}]}});
/// let trail = ReviewTrail::read(&badge, None);
/// assert!(!trail.problems.is_empty());          // below the required level, no awardedDate
/// assert_eq!(trail.reviewed_by(), 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewTrail {
    /// The badge's id.
    pub credential_id: Option<String>,
    /// The achievement's id.
    pub achievement: Option<String>,
    /// `awardedDate`.
    pub awarded_date: Option<String>,
    /// Whether the badge itself verified (`None` without a report).
    pub verified: Option<bool>,
    /// Each rubric criterion's result.
    pub results: Vec<TrailResult>,
    /// The evidence.
    pub evidence: Vec<TrailEvidence>,
    /// The endorsements.
    pub endorsements: Vec<TrailEndorsement>,
    /// What does not hold up, each with a JSON Pointer.
    pub problems: Vec<String>,
}

impl ReviewTrail {
    /// Reads the trail of `badge`; `report` (from [`crate::verify::Verifier`]) supplies whether
    /// the badge and each embedded endorsement verified.
    pub fn read(badge: &Value, report: Option<&Report>) -> ReviewTrail {
        let mut problems = Vec::new();
        let id = badge.get("id").and_then(Value::as_str).map(String::from);
        let ach = badge.pointer("/credentialSubject/achievement");
        let mut criteria: Vec<Criterion> = Vec::new();
        if let Some(Value::Array(rds)) = ach.and_then(|a| a.get("resultDescription")) {
            for (i, rd) in rds.iter().enumerate() {
                let at = format!("/credentialSubject/achievement/resultDescription/{i}");
                match Criterion::from_value(rd, &at) {
                    Ok(Some(c)) => criteria.push(c),
                    Ok(None) => {}
                    Err(e) => problems.push(e.to_string()),
                }
            }
        }
        if criteria.is_empty() {
            problems.push(
                "the achievement carries no rubric (no resultDescription with rubric levels) (at /credentialSubject/achievement/resultDescription)".into(),
            );
        }
        let results: Vec<&Value> = match badge.pointer("/credentialSubject/result") {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(v) => vec![v],
            None => vec![],
        };
        let mut out = Vec::new();
        for c in &criteria {
            let found = results
                .iter()
                .enumerate()
                .find(|(_, r)| r.get("resultDescription").and_then(Value::as_str) == Some(&c.id));
            let Some((i, r)) = found else {
                problems.push(format!(
                    "no result for rubric criterion `{}` (at /credentialSubject/result)",
                    c.name
                ));
                out.push(TrailResult {
                    criterion: c.id.clone(),
                    name: Some(c.name.clone()),
                    level: None,
                    level_name: None,
                    required_name: c.required_level().map(|l| l.name.clone()),
                    met: false,
                });
                continue;
            };
            let level = r.get("achievedLevel").and_then(Value::as_str);
            let known = level.and_then(|l| c.level(l));
            let met = level.is_some_and(|l| c.meets(l));
            let at = format!("/credentialSubject/result/{i}/achievedLevel");
            match (level, known) {
                (None, _) => problems.push(format!(
                    "the result for `{}` names no achievedLevel (at {at})",
                    c.name
                )),
                (Some(l), None) => problems.push(format!(
                    "the result for `{}` names level `{l}`, which the rubric does not define (at {at})",
                    c.name
                )),
                (Some(_), Some(k)) if !met => problems.push(format!(
                    "the result for `{}` is {}, below the required level {} (at {at})",
                    c.name,
                    k.name,
                    c.required_level().map(|l| l.name.as_str()).unwrap_or("?")
                )),
                _ => {}
            }
            out.push(TrailResult {
                criterion: c.id.clone(),
                name: Some(c.name.clone()),
                level: level.map(String::from),
                level_name: known.map(|l| l.name.clone()),
                required_name: c.required_level().map(|l| l.name.clone()),
                met,
            });
        }
        let awarded_date = badge
            .get("awardedDate")
            .and_then(Value::as_str)
            .map(String::from);
        if awarded_date.is_none() {
            problems.push("no awardedDate (at /awardedDate)".into());
        }
        let evidence: Vec<TrailEvidence> = match badge.get("evidence") {
            Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
            Some(v) => vec![v],
            None => vec![],
        }
        .into_iter()
        .map(|e| {
            let s = |k: &str| e.get(k).and_then(Value::as_str).map(String::from);
            TrailEvidence {
                id: s("id"),
                name: s("name"),
                genre: s("genre"),
                digest: s("digestSRI"),
            }
        })
        .collect();
        for (i, e) in evidence.iter().enumerate() {
            if e.genre.as_deref() == Some(super::credential::SUBMITTED_GENRE) && e.digest.is_none()
            {
                problems.push(format!(
                    "submitted evidence without a digestSRI (at /evidence/{i})"
                ));
            }
        }
        let mut endorsements = Vec::new();
        if let Some(Value::Array(es)) = badge.get("endorsement") {
            for (i, e) in es.iter().enumerate() {
                let endorser = e
                    .pointer("/issuer/id")
                    .or_else(|| e.get("issuer"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let subject = e.pointer("/credentialSubject/id").and_then(Value::as_str);
                let endorses = subject.is_some() && subject == id.as_deref();
                if !endorses {
                    problems.push(format!(
                        "the endorsement by {endorser} endorses {}, not this badge (at /endorsement/{i}/credentialSubject/id)",
                        subject.unwrap_or("nothing")
                    ));
                }
                let source = format!("endorsement at /endorsement/{i}");
                let verified = report.map(|r| {
                    r.endorsements
                        .iter()
                        .any(|x| x.source.as_deref() == Some(source.as_str()) && x.verified)
                });
                if verified == Some(false) {
                    problems.push(format!(
                        "the endorsement by {endorser} did not verify (at /endorsement/{i})"
                    ));
                }
                endorsements.push(TrailEndorsement {
                    endorser,
                    comment: e
                        .pointer("/credentialSubject/endorsementComment")
                        .and_then(Value::as_str)
                        .map(String::from),
                    endorses_this_badge: endorses,
                    verified,
                });
            }
        }
        let verified = report.map(|r| r.verified);
        if verified == Some(false) {
            problems.push("the badge did not verify".into());
        }
        ReviewTrail {
            credential_id: id,
            achievement: ach
                .and_then(|a| a.get("id"))
                .and_then(Value::as_str)
                .map(String::from),
            awarded_date,
            verified,
            results: out,
            evidence,
            endorsements,
            problems,
        }
    }

    /// How many distinct assessors endorsed this badge with an endorsement that verified (0
    /// without a verification report): what "reviewed by two assessors" counts.
    pub fn reviewed_by(&self) -> usize {
        let mut who: Vec<&str> = self
            .endorsements
            .iter()
            .filter(|e| e.endorses_this_badge && e.verified == Some(true))
            .map(|e| e.endorser.as_str())
            .collect();
        who.sort_unstable();
        who.dedup();
        who.len()
    }

    /// Whether the trail holds up: no problems.
    pub fn holds(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for ReviewTrail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} {}",
            if self.holds() {
                "REVIEW TRAIL HOLDS:"
            } else {
                "REVIEW TRAIL DOES NOT HOLD:"
            },
            self.credential_id.as_deref().unwrap_or("(no id)")
        )?;
        if let Some(a) = &self.achievement {
            writeln!(f, "  achievement: {a}")?;
        }
        if let Some(v) = self.verified {
            writeln!(f, "  badge verified: {}", if v { "yes" } else { "no" })?;
        }
        writeln!(
            f,
            "  awarded: {}",
            self.awarded_date.as_deref().unwrap_or("(no awardedDate)")
        )?;
        writeln!(f, "  rubric:")?;
        for r in &self.results {
            writeln!(
                f,
                "    {} {}: {} (required {})",
                if r.met { "met    " } else { "NOT MET" },
                r.name.as_deref().unwrap_or(&r.criterion),
                r.level_name
                    .as_deref()
                    .or(r.level.as_deref())
                    .unwrap_or("(no level)"),
                r.required_name.as_deref().unwrap_or("?")
            )?;
        }
        writeln!(f, "  evidence:")?;
        for e in &self.evidence {
            writeln!(
                f,
                "    {} [{}]{}{}",
                e.name.as_deref().unwrap_or("(unnamed)"),
                e.genre.as_deref().unwrap_or("-"),
                e.id.as_deref().map(|i| format!(" {i}")).unwrap_or_default(),
                e.digest
                    .as_deref()
                    .map(|d| format!(" {d}"))
                    .unwrap_or_default()
            )?;
        }
        writeln!(
            f,
            "  endorsed by {} assessor{} (verified):",
            self.reviewed_by(),
            if self.reviewed_by() == 1 { "" } else { "s" }
        )?;
        for e in &self.endorsements {
            writeln!(
                f,
                "    {} {}{}",
                match e.verified {
                    Some(true) => "verified",
                    Some(false) => "FAILED  ",
                    None => "unchecked",
                },
                e.endorser,
                e.comment
                    .as_deref()
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default()
            )?;
        }
        for p in &self.problems {
            writeln!(f, "  problem: {p}")?;
        }
        Ok(())
    }
}
