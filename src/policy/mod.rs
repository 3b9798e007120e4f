//! A district's credit policy: what each badge is worth to *this* district, in its own units.
//!
//! OB 3.0's `creditsAvailable` has no unit, and the same badge is worth 4 in-service hours in one
//! district and 6 continuing-education points in another; so a policy is a file the district
//! writes ([`CreditPolicy::load`], JSON or TOML):
//!
//! ```json
//! {
//!   "id": "https://hr.district-b.example/policies/ce-2026",
//!   "name": "District B continuing education",
//!   "achievements": [{"id": "https://district-b.example/a/growth-mindset", "name": "Growth Mindset"}],
//!   "acceptedIssuers": ["https://district-a.example/issuers/1", "https://district-b.example/issuers/1"],
//!   "equivalences": [{"theirs": "https://district-a.example/a/gm", "ours": "https://district-b.example/a/growth-mindset"}],
//!   "values": [{"achievementType": "MicroCredential", "amount": 6, "unit": "CE points"}],
//!   "conversions": [{"every": 2, "amount": 1, "unit": "CPD units"}],
//!   "steps": [{"name": "Phase 1 raise", "count": 15, "amount": 4, "unit": "% salary"},
//!             {"name": "Teacher-leader", "stack": "https://district-b.example/stacks/leader", "amount": 5, "unit": "% salary"}],
//!   "caps": [{"unit": "CE points", "max": 60}]
//! }
//! ```
//!
//! - `achievements` (optional): the achievements the district recognises; when given, only these
//!   (directly or through an equivalence) count.
//! - `acceptedIssuers` (optional): only credentials from these issuers count.
//! - `equivalences`: "their X counts as our Y".
//! - `values`: per achievement, `achievementType`, `issuer`, or `"any": true`; for each unit the
//!   most specific matching entry applies (achievement, then type, then issuer, then any).
//! - `conversions`: every N counted badges yield an amount (two badges = one CPD unit).
//! - `steps`: thresholds — a count of badges or a completed stack — that earn an amount once
//!   (salary steps).
//! - `caps`: the most a unit can total.
//!
//! [`CreditPolicy::value`] applies it to a verified [`crate::portfolio::Portfolio`].

pub mod report;
mod valuation;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::definition_file::{
    bad, check_achievement_type, check_keys, positive_count, req_str, suggestion,
};
use crate::error::{Error, ErrorKind, Result};
use crate::portfolio::{Requirements, Window};
use crate::stack::StackSet;

pub use valuation::{CredentialValue, StepOutcome, Total, Valuation};

/// What a value entry applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Selector {
    /// One achievement (after equivalences).
    Achievement(String),
    /// Every achievement of this `achievementType`.
    AchievementType(String),
    /// Every achievement from this issuer.
    Issuer(String),
    /// Every achievement of this type from this issuer.
    TypeAndIssuer {
        /// The `achievementType`.
        achievement_type: String,
        /// The issuer id.
        issuer: String,
    },
    /// Every counted credential.
    Any,
}

impl Selector {
    /// Higher is more specific.
    fn rank(&self) -> u8 {
        match self {
            Selector::Achievement(_) => 4,
            Selector::TypeAndIssuer { .. } => 3,
            Selector::AchievementType(_) => 2,
            Selector::Issuer(_) => 1,
            Selector::Any => 0,
        }
    }
}

/// A value entry: credentials matching `selector` are worth `amount` `unit`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueRule {
    /// What it applies to.
    pub selector: Selector,
    /// How much (≥ 0).
    pub amount: f64,
    /// In what unit (`in-service hours`, `CE points`, `CEU`…).
    pub unit: String,
    /// Only for credentials earned in this window (a pilot's stipend).
    pub window: Option<Window>,
}

/// Every `every` counted badges yield `amount` `unit`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversion {
    /// Badges per step (> 0).
    pub every: usize,
    /// Amount per step.
    pub amount: f64,
    /// Unit.
    pub unit: String,
    /// Only badges earned in this window count toward it.
    pub window: Option<Window>,
}

/// When a step is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Threshold {
    /// At least this many counted badges.
    Count(usize),
    /// This stack complete.
    Stack(String),
}

/// A threshold that earns an amount once (a salary step).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Its name (`Phase 1: 4% raise`).
    pub name: String,
    /// When it is reached.
    pub threshold: Threshold,
    /// What it earns.
    pub amount: f64,
    /// In what unit.
    pub unit: String,
    /// A count: only badges earned in this window; a stack: completed in it.
    pub window: Option<Window>,
}

/// A district's credit policy. See the [module documentation](self) for the file format.
///
/// # Example
/// ```
/// use openbadges::policy::CreditPolicy;
/// let policy = CreditPolicy::from_json(&serde_json::json!({
///   "id": "urn:policy:a", "name": "District A in-service hours",
///   "values": [{"any": true, "amount": 4, "unit": "in-service hours"}]
/// }))?;
/// assert_eq!(policy.values[0].amount, 4.0);
/// // A negative value is refused, naming the entry.
/// let err = CreditPolicy::from_json(&serde_json::json!({
///   "id": "urn:policy:b", "name": "B", "values": [{"any": true, "amount": -1, "unit": "h"}]
/// })).unwrap_err();
/// assert_eq!(err.pointer(), Some("/values/0/amount"));
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditPolicy {
    /// The policy id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Recognised achievements (id → name), when the policy limits them.
    pub achievements: Option<BTreeMap<String, String>>,
    /// Accepted issuers, when the policy limits them.
    pub accepted_issuers: Option<HashSet<String>>,
    /// Their achievement id → our achievement id.
    pub equivalences: HashMap<String, String>,
    /// Value entries.
    pub values: Vec<ValueRule>,
    /// Count conversions.
    pub conversions: Vec<Conversion>,
    /// Steps.
    pub steps: Vec<Step>,
    /// Unit → cap.
    pub caps: BTreeMap<String, f64>,
    /// What every credential must show to count (window, endorsements, rubric), besides
    /// verifying.
    pub requirements: Requirements,
    /// Achievement ids the file names (JSON Pointer, id), resolved by [`CreditPolicy::resolve`].
    #[serde(skip)]
    achievement_refs: Vec<(String, String)>,
    /// Stack ids the steps name (JSON Pointer, id).
    #[serde(skip)]
    stack_refs: Vec<(String, String)>,
}

fn req(obj: &Value, key: &str, at: &str) -> Result<String> {
    req_str(obj, key, at).map(String::from)
}

fn amount(obj: &Value, key: &str, at: &str) -> Result<f64> {
    let at = format!("{at}/{key}");
    let v = obj
        .get(key)
        .ok_or_else(|| bad(&at, format!("`{key}` is required")))?;
    match v.as_f64() {
        Some(x) if x < 0.0 => Err(bad(
            &at,
            format!("`{key}` is {x}; values cannot be negative"),
        )),
        Some(x) if x.is_finite() && x <= 1e9 => Ok(x),
        _ => Err(bad(
            &at,
            format!("`{key}` must be a number between 0 and 1e9"),
        )),
    }
}

fn array<'a>(v: &'a Value, key: &str) -> Result<&'a [Value]> {
    match v.get(key) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(bad(&format!("/{key}"), format!("`{key}` must be an array"))),
    }
}

impl CreditPolicy {
    /// Reads a policy file (JSON, or TOML when it ends in `.toml`); errors name the file and the
    /// entry.
    pub fn load(path: &Path) -> Result<Self> {
        let v = crate::definition_file::load(path)?;
        Self::from_json(&v).map_err(|e| e.context(format!("in {}", path.display())))
    }

    /// Validates a policy: no negative values, no zero thresholds, no unknown achievements, no
    /// equivalence cycles.
    pub fn from_json(v: &Value) -> Result<Self> {
        check_keys(
            v,
            &[
                "id",
                "name",
                "description",
                "achievements",
                "acceptedIssuers",
                "equivalences",
                "values",
                "conversions",
                "steps",
                "caps",
                "window",
                "endorsements",
                "rubric",
            ],
            "",
        )?;
        let requirements = Requirements::from_json(v, "")?;
        let mut achievement_refs = Vec::new();
        let mut stack_refs = Vec::new();
        let window = |o: &Value, at: &str| -> Result<Option<Window>> {
            o.get("window")
                .map(|w| Window::from_json(w, &format!("{at}/window")))
                .transpose()
        };
        let id = req(v, "id", "")?;
        let name = req(v, "name", "")?;
        let achievements = match v.get("achievements") {
            None => None,
            Some(_) => {
                let mut m = BTreeMap::new();
                for (i, a) in array(v, "achievements")?.iter().enumerate() {
                    let at = format!("/achievements/{i}");
                    check_keys(a, &["id", "name", "achievementType", "description"], &at)?;
                    let aid = req(a, "id", &at)?;
                    if let Some(t) = a.get("achievementType") {
                        check_achievement_type(t, &format!("{at}/achievementType"))?;
                    }
                    if m.insert(aid.clone(), req(a, "name", &at)?).is_some() {
                        return Err(bad(&at, format!("achievement `{aid}` is listed twice")));
                    }
                }
                Some(m)
            }
        };
        let known = |a: &str, at: &str| -> Result<()> {
            match &achievements {
                Some(m) if !m.contains_key(a) => Err(bad(
                    at,
                    format!(
                        "unknown achievement `{a}` (not in the policy's `achievements`){}",
                        suggestion(a, m.keys())
                    ),
                )),
                _ => Ok(()),
            }
        };
        let accepted_issuers = match v.get("acceptedIssuers") {
            None => None,
            Some(_) => {
                let mut s = HashSet::new();
                for (i, x) in array(v, "acceptedIssuers")?.iter().enumerate() {
                    let iss = x.as_str().filter(|s| !s.is_empty()).ok_or_else(|| {
                        bad(
                            &format!("/acceptedIssuers/{i}"),
                            "expected an issuer id (string)",
                        )
                    })?;
                    s.insert(iss.to_string());
                }
                Some(s)
            }
        };
        let mut equivalences = HashMap::new();
        for (i, e) in array(v, "equivalences")?.iter().enumerate() {
            let at = format!("/equivalences/{i}");
            check_keys(e, &["theirs", "ours", "note"], &at)?;
            let theirs = req(e, "theirs", &at)?;
            let ours = req(e, "ours", &at)?;
            if achievements.is_none() {
                return Err(bad(
                    &at,
                    "an equivalence needs the policy's `achievements` (the achievements `ours` refers to)",
                ));
            }
            known(&ours, &format!("{at}/ours"))?;
            if theirs == ours {
                return Err(bad(&at, "an achievement cannot be equivalent to itself"));
            }
            if equivalences.insert(theirs.clone(), ours).is_some() {
                return Err(bad(
                    &format!("{at}/theirs"),
                    format!("`{theirs}` has two equivalences"),
                ));
            }
        }
        // Cycles: following theirs → ours must end. Each id is walked once (`done`), so this
        // is linear in the number of equivalences.
        let mut done: HashSet<&str> = HashSet::new();
        for (i, e) in array(v, "equivalences")?.iter().enumerate() {
            let start = e["theirs"].as_str().unwrap_or_default();
            let mut path: Vec<&str> = vec![start];
            let mut on_path: HashSet<&str> = HashSet::from([start]);
            let mut cur = start;
            while let Some(next) = equivalences.get(cur) {
                let next = next.as_str();
                if done.contains(next) {
                    break;
                }
                if !on_path.insert(next) {
                    let from = path.iter().position(|p| *p == next).unwrap_or(0);
                    let mut cycle: Vec<&str> = path[from..].iter().take(6).copied().collect();
                    cycle.push(next);
                    return Err(bad(
                        &format!("/equivalences/{i}"),
                        format!("equivalences form a cycle: {}", cycle.join(" → ")),
                    ));
                }
                path.push(next);
                cur = next;
            }
            done.extend(path);
        }
        let mut values = Vec::new();
        for (i, r) in array(v, "values")?.iter().enumerate() {
            let at = format!("/values/{i}");
            check_keys(
                r,
                &[
                    "achievement",
                    "achievementType",
                    "issuer",
                    "any",
                    "amount",
                    "unit",
                    "note",
                    "window",
                ],
                &at,
            )?;
            let present: Vec<&str> = ["achievement", "achievementType", "issuer", "any"]
                .into_iter()
                .filter(|k| r.get(*k).is_some())
                .collect();
            let selector = match present.as_slice() {
                ["achievement"] => {
                    let a = req(r, "achievement", &at)?;
                    known(&a, &format!("{at}/achievement"))?;
                    achievement_refs.push((format!("{at}/achievement"), a.clone()));
                    Selector::Achievement(a)
                }
                ["achievementType"] => Selector::AchievementType(check_achievement_type(
                    &r["achievementType"],
                    &format!("{at}/achievementType"),
                )?),
                ["achievementType", "issuer"] => Selector::TypeAndIssuer {
                    achievement_type: check_achievement_type(
                        &r["achievementType"],
                        &format!("{at}/achievementType"),
                    )?,
                    issuer: req(r, "issuer", &at)?,
                },
                ["issuer"] => Selector::Issuer(req(r, "issuer", &at)?),
                ["any"] if r["any"] == Value::Bool(true) => Selector::Any,
                _ => {
                    return Err(bad(
                        &at,
                        "a value entry names one of `achievement`, `achievementType`, `issuer` (or `achievementType` with `issuer`), or `\"any\": true`",
                    ))
                }
            };
            values.push(ValueRule {
                selector,
                amount: amount(r, "amount", &at)?,
                unit: req(r, "unit", &at)?,
                window: window(r, &at)?,
            });
        }
        let mut conversions = Vec::new();
        for (i, c) in array(v, "conversions")?.iter().enumerate() {
            let at = format!("/conversions/{i}");
            check_keys(c, &["every", "amount", "unit", "note", "window"], &at)?;
            conversions.push(Conversion {
                every: positive_count(
                    c.get("every").unwrap_or(&Value::Null),
                    &format!("{at}/every"),
                    "`every`",
                )?,
                amount: amount(c, "amount", &at)?,
                unit: req(c, "unit", &at)?,
                window: window(c, &at)?,
            });
        }
        let mut steps = Vec::new();
        for (i, s) in array(v, "steps")?.iter().enumerate() {
            let at = format!("/steps/{i}");
            check_keys(
                s,
                &["name", "count", "stack", "amount", "unit", "note", "window"],
                &at,
            )?;
            let threshold = match (s.get("count"), s.get("stack")) {
                (Some(c), None) => {
                    Threshold::Count(positive_count(c, &format!("{at}/count"), "`count`")?)
                }
                (None, Some(_)) => {
                    let id = req(s, "stack", &at)?;
                    stack_refs.push((format!("{at}/stack"), id.clone()));
                    Threshold::Stack(id)
                }
                _ => return Err(bad(&at, "a step has either `count` or `stack`")),
            };
            steps.push(Step {
                name: req(s, "name", &at)?,
                threshold,
                amount: amount(s, "amount", &at)?,
                unit: req(s, "unit", &at)?,
                window: window(s, &at)?,
            });
        }
        let mut caps = BTreeMap::new();
        for (i, c) in array(v, "caps")?.iter().enumerate() {
            let at = format!("/caps/{i}");
            check_keys(c, &["unit", "max", "note"], &at)?;
            let unit = req(c, "unit", &at)?;
            if caps.insert(unit.clone(), amount(c, "max", &at)?).is_some() {
                return Err(bad(&at, format!("unit `{unit}` has two caps")));
            }
        }
        // Units: a cap must name a unit something produces; a unit that is a near miss of
        // another (`USD stipends` / `USD stipend`) is a typo that would split a total.
        let produced: Vec<(String, &str)> = values
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("/values/{i}/unit"), r.unit.as_str()))
            .chain(
                conversions
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("/conversions/{i}/unit"), c.unit.as_str())),
            )
            .chain(
                steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (format!("/steps/{i}/unit"), s.unit.as_str())),
            )
            .collect();
        let mut units: Vec<&str> = produced.iter().map(|(_, u)| *u).collect();
        units.sort();
        units.dedup();
        for (i, c) in array(v, "caps")?.iter().enumerate() {
            let unit = c["unit"].as_str().unwrap_or_default();
            if !units.contains(&unit) {
                return Err(bad(
                    &format!("/caps/{i}/unit"),
                    format!(
                        "the cap's unit `{unit}` is not produced by any value, conversion or step (units: {}){}",
                        units.join(", "),
                        suggestion(unit, &units)
                    ),
                ));
            }
        }
        for (at, unit) in &produced {
            let others = units.iter().filter(|u| **u != *unit);
            if let Some(close) = crate::definition_file::did_you_mean(unit, others) {
                // Reported at the later of the two spellings.
                let first = produced.iter().position(|(_, u)| *u == close);
                let here = produced.iter().position(|(p, _)| p == at);
                if first < here {
                    return Err(bad(
                        at,
                        format!("unit `{unit}` differs from `{close}` by a typo; totals would be split; did you mean \"{close}\"?"),
                    ));
                }
            }
        }
        Ok(CreditPolicy {
            id,
            name,
            achievements,
            accepted_issuers,
            equivalences,
            values,
            conversions,
            steps,
            caps,
            requirements,
            achievement_refs,
            stack_refs,
        })
    }

    /// Checks that every achievement and stack the policy names exists in the files given: an
    /// achievement in the policy's `achievements` or in `stacks` (its catalog or a stack's
    /// achievement), a step's stack in `stacks`. A mistyped id would silently drop a value or a
    /// step; this refuses it with the JSON Pointer and, when one is close, "did you mean".
    ///
    /// # Example
    /// ```
    /// use openbadges::policy::CreditPolicy;
    /// let policy = CreditPolicy::from_json(&serde_json::json!({
    ///   "id": "urn:p", "name": "P", "values": [{"achievement": "urn:a:growth-mindset", "amount": 8, "unit": "h"}]
    /// }))?;
    /// // No achievement list and no stack file: the id cannot be checked, so it is refused.
    /// assert_eq!(policy.resolve(None).unwrap_err().pointer(), Some("/values/0/achievement"));
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn resolve(&self, stacks: Option<&StackSet>) -> Result<()> {
        let mut known: HashSet<&str> = HashSet::new();
        if let Some(m) = &self.achievements {
            known.extend(m.keys().map(String::as_str));
        }
        if let Some(set) = stacks {
            known.extend(set.achievements.keys().map(String::as_str));
            known.extend(set.stacks.iter().map(|s| s.achievement_id()));
        }
        for (at, a) in &self.achievement_refs {
            if known.contains(a.as_str()) {
                continue;
            }
            let msg = if self.achievements.is_none() && stacks.is_none() {
                format!("achievement `{a}` cannot be checked: the policy lists no `achievements` and no stack definitions were given (add `achievements`, or give --stacks)")
            } else {
                format!(
                    "unknown achievement `{a}` (not in the policy's `achievements` nor in the stack definitions){}",
                    suggestion(a, known.iter())
                )
            };
            return Err(bad(at, msg));
        }
        for (at, id) in &self.stack_refs {
            match stacks {
                None => {
                    return Err(Error::new(
                        ErrorKind::Usage,
                        format!(
                        "the step names the stack `{id}`; give its stack definitions (--stacks)"
                    ),
                    )
                    .at(at.clone()))
                }
                Some(set) if set.stack(id).is_none() => {
                    return Err(bad(
                        at,
                        format!(
                            "unknown stack `{id}` (not in the stack definitions){}",
                            suggestion(id, set.stacks.iter().map(|s| s.id.as_str()))
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The achievement `id` counts as under this policy (following equivalences).
    pub fn counts_as<'a>(&'a self, id: &'a str) -> &'a str {
        let mut cur = id;
        // Acyclic by construction; bounded anyway.
        for _ in 0..=self.equivalences.len() {
            match self.equivalences.get(cur) {
                Some(next) => cur = next,
                None => break,
            }
        }
        cur
    }
}
