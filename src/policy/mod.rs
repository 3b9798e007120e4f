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

mod valuation;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::definition_file::{bad, check_keys, positive_count, req_str};
use crate::error::Result;

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
    /// Every counted credential.
    Any,
}

impl Selector {
    /// Higher is more specific.
    fn rank(&self) -> u8 {
        match self {
            Selector::Achievement(_) => 3,
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
            ],
            "",
        )?;
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
                    format!("unknown achievement `{a}` (not in the policy's `achievements`)"),
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
                    Selector::Achievement(a)
                }
                ["achievementType"] => Selector::AchievementType(req(r, "achievementType", &at)?),
                ["issuer"] => Selector::Issuer(req(r, "issuer", &at)?),
                ["any"] if r["any"] == Value::Bool(true) => Selector::Any,
                _ => {
                    return Err(bad(
                        &at,
                        "a value entry names exactly one of `achievement`, `achievementType`, `issuer`, or `\"any\": true`",
                    ))
                }
            };
            values.push(ValueRule {
                selector,
                amount: amount(r, "amount", &at)?,
                unit: req(r, "unit", &at)?,
            });
        }
        let mut conversions = Vec::new();
        for (i, c) in array(v, "conversions")?.iter().enumerate() {
            let at = format!("/conversions/{i}");
            check_keys(c, &["every", "amount", "unit", "note"], &at)?;
            conversions.push(Conversion {
                every: positive_count(
                    c.get("every").unwrap_or(&Value::Null),
                    &format!("{at}/every"),
                    "`every`",
                )?,
                amount: amount(c, "amount", &at)?,
                unit: req(c, "unit", &at)?,
            });
        }
        let mut steps = Vec::new();
        for (i, s) in array(v, "steps")?.iter().enumerate() {
            let at = format!("/steps/{i}");
            check_keys(
                s,
                &["name", "count", "stack", "amount", "unit", "note"],
                &at,
            )?;
            let threshold = match (s.get("count"), s.get("stack")) {
                (Some(c), None) => {
                    Threshold::Count(positive_count(c, &format!("{at}/count"), "`count`")?)
                }
                (None, Some(_)) => Threshold::Stack(req(s, "stack", &at)?),
                _ => return Err(bad(&at, "a step has either `count` or `stack`")),
            };
            steps.push(Step {
                name: req(s, "name", &at)?,
                threshold,
                amount: amount(s, "amount", &at)?,
                unit: req(s, "unit", &at)?,
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
        })
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
