//! The rubric an Achievement carries: its `resultDescription` entries whose `resultType` is
//! `RubricCriterionLevel`, each one criterion (a row of the rubric) with its
//! `rubricCriterionLevel`s and the `requiredLevel` a learner must reach.
//!
//! OB 3.0 says nothing about how levels are ordered, yet "reaches the required level" needs an
//! order. This crate ranks the levels of a criterion by their `points` when every level has
//! numeric `points` (a number, or a string holding one; equal points are refused as
//! ambiguous), and otherwise by their position in `rubricCriterionLevel`, **listed from lowest
//! to highest**. Write `points` on every level to make the order explicit.
//!
//! Both the award decision ([`crate::award`]) and the lint rule `rubric-result` read rubrics
//! here, so they can never disagree on what "below the required level" means.

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};

/// One level of a rubric criterion, ranked (0 = lowest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// The level's `id` (what `Result.achievedLevel` names).
    pub id: String,
    /// Its `name` (what assessors and teachers read).
    pub name: String,
    /// Its rank among the criterion's levels, 0 = lowest.
    pub rank: usize,
}

/// One rubric criterion: a `ResultDescription` with rubric levels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    /// The ResultDescription's `id` (what `Result.resultDescription` names).
    pub id: String,
    /// Its `name`.
    pub name: String,
    /// The levels, lowest first.
    pub levels: Vec<Level>,
    /// The index in `levels` of `requiredLevel`, when the description names one.
    pub required: Option<usize>,
    /// Where the criterion is in the achievement (JSON Pointer, e.g. `/resultDescription/1`).
    pub pointer: String,
}

impl Criterion {
    /// Reads one `ResultDescription` (at `pointer`) as a criterion. `Ok(None)` when it is not a
    /// rubric criterion (another `resultType`, or no levels).
    ///
    /// # Example
    /// ```
    /// use openbadges::achievement::rubric::Criterion;
    /// let rd = serde_json::json!({"id": "urn:c:1", "type": ["ResultDescription"], "name": "Planning",
    ///   "resultType": "RubricCriterionLevel", "requiredLevel": "urn:l:2",
    ///   "rubricCriterionLevel": [
    ///     {"id": "urn:l:1", "type": ["RubricCriterionLevel"], "name": "Developing", "points": "1"},
    ///     {"id": "urn:l:2", "type": ["RubricCriterionLevel"], "name": "Proficient", "points": "2"}]});
    /// let c = Criterion::from_value(&rd, "/resultDescription/0")?.expect("a rubric criterion");
    /// assert_eq!(c.required_level().map(|l| l.name.as_str()), Some("Proficient"));
    /// assert!(c.meets("urn:l:2") && !c.meets("urn:l:1"));
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn from_value(rd: &Value, pointer: &str) -> Result<Option<Criterion>> {
        let bad = |at: String, msg: String| Error::new(ErrorKind::Model, msg).at(at);
        let Some(obj) = rd.as_object() else {
            return Err(bad(
                pointer.into(),
                "a resultDescription must be an object".into(),
            ));
        };
        let levels = match obj.get("rubricCriterionLevel") {
            Some(Value::Array(a)) if !a.is_empty() => a,
            _ => return Ok(None),
        };
        if obj.get("resultType").and_then(Value::as_str) != Some("RubricCriterionLevel") {
            return Ok(None);
        }
        let id = obj.get("id").and_then(Value::as_str).ok_or_else(|| {
            bad(
                format!("{pointer}/id"),
                "a rubric criterion needs an `id`".into(),
            )
        })?;
        let name = obj.get("name").and_then(Value::as_str).unwrap_or(id);
        let mut read = Vec::with_capacity(levels.len());
        for (i, l) in levels.iter().enumerate() {
            let at = format!("{pointer}/rubricCriterionLevel/{i}");
            let lid = l
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("{at}/id"), "a rubric level needs an `id`".into()))?;
            if read
                .iter()
                .any(|(x, _, _, _): &(&str, &str, _, _)| *x == lid)
            {
                return Err(bad(
                    format!("{at}/id"),
                    format!("level `{lid}` is listed twice in criterion `{name}`"),
                ));
            }
            let lname = l.get("name").and_then(Value::as_str).unwrap_or(lid);
            let points = match l.get("points") {
                Some(Value::Number(n)) => n.as_f64(),
                Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .filter(|p| p.is_finite());
            read.push((lid, lname, points, i));
        }
        if read.iter().all(|r| r.2.is_some()) {
            read.sort_by(|a, b| a.2.partial_cmp(&b.2).unwrap_or(std::cmp::Ordering::Equal));
            if let Some(w) = read.windows(2).find(|w| w[0].2 == w[1].2) {
                return Err(bad(
                    format!("{pointer}/rubricCriterionLevel/{}/points", w[1].3),
                    format!(
                        "levels `{}` and `{}` of criterion `{name}` have the same points; the order of levels would be ambiguous",
                        w[0].1, w[1].1
                    ),
                ));
            }
        }
        let levels: Vec<Level> = read
            .iter()
            .enumerate()
            .map(|(rank, (lid, lname, _, _))| Level {
                id: (*lid).to_string(),
                name: (*lname).to_string(),
                rank,
            })
            .collect();
        let required = match obj.get("requiredLevel") {
            None => None,
            Some(Value::String(r)) => {
                Some(levels.iter().position(|l| l.id == *r).ok_or_else(|| {
                    bad(
                        format!("{pointer}/requiredLevel"),
                        format!(
                            "requiredLevel `{r}` is not one of the criterion's levels ({})",
                            levels
                                .iter()
                                .map(|l| l.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?)
            }
            Some(_) => {
                return Err(bad(
                    format!("{pointer}/requiredLevel"),
                    "requiredLevel must be the id of a level (a string)".into(),
                ))
            }
        };
        Ok(Some(Criterion {
            id: id.to_string(),
            name: name.to_string(),
            levels,
            required,
            pointer: pointer.to_string(),
        }))
    }

    /// The level with this id.
    pub fn level(&self, id: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.id == id)
    }

    /// The level named `s`: its id, or its name (case-insensitive), as assessors write it.
    pub fn find_level(&self, s: &str) -> Option<&Level> {
        let s = s.trim();
        self.level(s).or_else(|| {
            self.levels
                .iter()
                .find(|l| l.name.trim().eq_ignore_ascii_case(s))
        })
    }

    /// The required level, when the criterion names one.
    pub fn required_level(&self) -> Option<&Level> {
        self.required.and_then(|i| self.levels.get(i))
    }

    /// Whether the level with id `level` reaches the required level (false for an unknown level;
    /// true for any known level when no level is required).
    pub fn meets(&self, level: &str) -> bool {
        match (self.level(level), self.required) {
            (Some(l), Some(r)) => l.rank >= r,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// The level ids, lowest first, for messages.
    pub fn level_list(&self) -> String {
        self.levels
            .iter()
            .map(|l| format!("{} ({})", l.name, l.id))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An achievement's rubric: every rubric criterion among its `resultDescription`s.
///
/// # Example
/// ```
/// use openbadges::achievement::rubric::Rubric;
/// let achievement = serde_json::json!({"id": "urn:a:1", "type": ["Achievement"], "name": "A",
///   "description": "d", "criteria": {"narrative": "n"},
///   "resultDescription": [{"id": "urn:c:1", "type": ["ResultDescription"], "name": "Planning",
///     "resultType": "RubricCriterionLevel", "requiredLevel": "urn:l:2",
///     "rubricCriterionLevel": [
///       {"id": "urn:l:1", "type": ["RubricCriterionLevel"], "name": "Developing"},
///       {"id": "urn:l:2", "type": ["RubricCriterionLevel"], "name": "Proficient"}]}]});
/// let rubric = Rubric::from_achievement(&achievement)?;
/// assert_eq!(rubric.achievement, "urn:a:1");
/// assert_eq!(rubric.criterion("Planning").map(|c| c.id.as_str()), Some("urn:c:1"));
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rubric {
    /// The achievement's id.
    pub achievement: String,
    /// The criteria, in the achievement's order.
    pub criteria: Vec<Criterion>,
}

impl Rubric {
    /// The rubric of `achievement` (an OB 3.0 Achievement as JSON), strictly: it must have at
    /// least one rubric criterion, criterion ids must be unique, and every criterion must name
    /// its `requiredLevel` — without one, no award can be decided. Errors carry a JSON Pointer
    /// into the achievement.
    pub fn from_achievement(achievement: &Value) -> Result<Rubric> {
        let id = achievement
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::new(ErrorKind::Model, "the Achievement needs an `id`").at(""))?;
        let rds = match achievement.get("resultDescription") {
            Some(Value::Array(a)) => a.as_slice(),
            Some(_) => {
                return Err(
                    Error::new(ErrorKind::Model, "`resultDescription` must be an array")
                        .at("/resultDescription"),
                )
            }
            None => &[],
        };
        let mut criteria: Vec<Criterion> = Vec::new();
        for (i, rd) in rds.iter().enumerate() {
            let at = format!("/resultDescription/{i}");
            let Some(c) = Criterion::from_value(rd, &at)? else {
                continue;
            };
            if c.required.is_none() {
                return Err(Error::new(
                    ErrorKind::Model,
                    format!(
                        "rubric criterion `{}` names no `requiredLevel`; an award needs the level each criterion must reach",
                        c.name
                    ),
                )
                .at(at));
            }
            if criteria.iter().any(|x| x.id == c.id) {
                return Err(Error::new(
                    ErrorKind::Model,
                    format!("two rubric criteria have the id `{}`", c.id),
                )
                .at(format!("{at}/id")));
            }
            criteria.push(c);
        }
        if criteria.is_empty() {
            return Err(Error::new(
                ErrorKind::Model,
                format!(
                    "achievement `{id}` has no rubric: no `resultDescription` with `resultType` RubricCriterionLevel and `rubricCriterionLevel` entries"
                ),
            )
            .at("/resultDescription"));
        }
        Ok(Rubric {
            achievement: id.to_string(),
            criteria,
        })
    }

    /// The criterion named `s`: its id, or its name (case-insensitive).
    pub fn criterion(&self, s: &str) -> Option<&Criterion> {
        let s = s.trim();
        self.criteria.iter().find(|c| c.id == s).or_else(|| {
            self.criteria
                .iter()
                .find(|c| c.name.trim().eq_ignore_ascii_case(s))
        })
    }

    /// The criteria, for messages.
    pub fn criterion_list(&self) -> String {
        self.criteria
            .iter()
            .map(|c| format!("{} ({})", c.name, c.id))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
