//! What a credential must show, beyond verifying, to count for a program: earned inside a date
//! window (with per-teacher extensions), endorsed by enough listed reviewers, every rubric
//! criterion at the required level. Stacks and policies share these ([`Requirements`]), written in
//! their definition files as `"window"`, `"endorsements"` and `"rubric"`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{Exclusion, Holding, Portfolio};
use crate::definition_file::{bad, check_keys, date_time, id_list, positive_count, req_str};
use crate::error::Result;

/// An extension of a window's end for one teacher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// The teacher: DID, URL or e-mail address.
    pub recipient: String,
    /// Their end of the window.
    pub until: DateTime<Utc>,
}

/// A date window: `{"from": DATE, "until": DATE, "extensions": [{"recipient": ID, "until": DATE}]}`.
/// A date without a time covers that whole day (UTC).
///
/// # Example
/// ```
/// use openbadges::portfolio::Window;
/// let w = Window::from_json(&serde_json::json!({"until": "2026-06-30",
///     "extensions": [{"recipient": "maria@district.example", "until": "2026-08-31"}]}), "/window")?;
/// let july = chrono::DateTime::parse_from_rfc3339("2026-07-15T00:00:00Z").unwrap().to_utc();
/// assert!(!w.contains(Some(july), |_| false));
/// assert!(w.contains(Some(july), |r| r == "maria@district.example"));
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Start (inclusive), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// End (inclusive), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// Later ends for named teachers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
}

impl Window {
    /// Parses the definition-file form; errors point under `at`.
    pub fn from_json(v: &Value, at: &str) -> Result<Self> {
        check_keys(v, &["from", "until", "extensions", "note"], at)?;
        let from = v
            .get("from")
            .map(|d| date_time(d, &format!("{at}/from"), false))
            .transpose()?;
        let until = v
            .get("until")
            .map(|d| date_time(d, &format!("{at}/until"), true))
            .transpose()?;
        if from.is_none() && until.is_none() {
            return Err(bad(at, "a window needs `from`, `until` or both"));
        }
        if let (Some(f), Some(u)) = (from, until) {
            if u < f {
                return Err(bad(
                    &format!("{at}/until"),
                    "`until` is before `from`: nothing could count",
                ));
            }
        }
        let mut extensions = Vec::new();
        match v.get("extensions") {
            None => {}
            Some(Value::Array(a)) => {
                for (i, e) in a.iter().enumerate() {
                    let eat = format!("{at}/extensions/{i}");
                    check_keys(e, &["recipient", "until", "note"], &eat)?;
                    let recipient = req_str(e, "recipient", &eat)?.to_string();
                    let u = date_time(
                        e.get("until").unwrap_or(&Value::Null),
                        &format!("{eat}/until"),
                        true,
                    )?;
                    if until.is_some_and(|w| u < w) {
                        return Err(bad(
                            &format!("{eat}/until"),
                            "an extension ends before the window does",
                        ));
                    }
                    extensions.push(Extension {
                        recipient,
                        until: u,
                    });
                }
            }
            Some(_) => {
                return Err(bad(
                    &format!("{at}/extensions"),
                    "`extensions` must be an array",
                ))
            }
        }
        Ok(Window {
            from,
            until,
            extensions,
        })
    }

    /// The window's end for the teacher `is_them` recognises (the latest extension naming them).
    pub fn until_for(&self, is_them: impl Fn(&str) -> bool) -> Option<DateTime<Utc>> {
        let ext = self
            .extensions
            .iter()
            .filter(|e| is_them(&e.recipient))
            .map(|e| e.until)
            .max();
        match (self.until, ext) {
            (Some(u), Some(e)) => Some(u.max(e)),
            (u, _) => u,
        }
    }

    /// Whether `t` falls in the window for the teacher `is_them` recognises. No date: outside.
    pub fn contains(&self, t: Option<DateTime<Utc>>, is_them: impl Fn(&str) -> bool) -> bool {
        let Some(t) = t else { return false };
        self.from.is_none_or(|f| t >= f) && self.until_for(is_them).is_none_or(|u| t <= u)
    }

    /// The exclusion for `h` when it was earned outside the window.
    pub fn exclusion(&self, h: &Holding) -> Option<Exclusion> {
        let earned = h.earned();
        (!self.contains(earned, |r| h.is_for(r))).then(|| Exclusion::OutsideWindow {
            earned,
            from: self.from,
            until: self.until_for(|r| h.is_for(r)),
        })
    }
}

/// "At least N verified endorsements by reviewers on this list":
/// `{"atLeast": 3, "by": ["did:…", "https://…"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndorsementRule {
    /// How many distinct listed reviewers.
    pub at_least: usize,
    /// The reviewers (endorsement issuer ids).
    pub by: Vec<String>,
}

/// Whether a report verified apart from its recipient check (an endorsement's subject is a
/// credential, not the teacher `--recipient` names).
fn verified_but_recipient(h: &Holding) -> bool {
    h.report.failures().all(|c| c.id == "recipient")
}

impl EndorsementRule {
    /// Parses the definition-file form.
    pub fn from_json(v: &Value, at: &str) -> Result<Self> {
        check_keys(v, &["atLeast", "by", "note"], at)?;
        let at_least = positive_count(
            v.get("atLeast").unwrap_or(&Value::Null),
            &format!("{at}/atLeast"),
            "`atLeast`",
        )?;
        let by = id_list(v, "by", at, "reviewer (issuer) id")?;
        if at_least > by.len() {
            return Err(bad(
                &format!("{at}/atLeast"),
                format!(
                    "`atLeast` is {at_least} but only {} reviewers are listed; nothing could count",
                    by.len()
                ),
            ));
        }
        Ok(EndorsementRule { at_least, by })
    }

    /// The listed reviewers who endorsed `h` with a verified EndorsementCredential whose subject
    /// is `h`'s id: embedded in `h` (verified with it: [`crate::verify::Report::endorsements`])
    /// or presented in `portfolio`.
    pub fn endorsers(&self, h: &Holding, portfolio: &Portfolio) -> Vec<String> {
        let Some(id) = h.credential_id() else {
            return Vec::new();
        };
        let mut found: Vec<String> = Vec::new();
        // Embedded on the credential itself (`/endorsement/N`, `/endorsementJwt/N`).
        // Verified apart from the recipient check: an endorsement is about the credential, not
        // the teacher a `--recipient` names.
        let verified = |r: &&crate::verify::Report| r.failures().all(|c| c.id == "recipient");
        for r in h.report.endorsements.iter().filter(verified) {
            let Some(ptr) = r
                .source
                .as_deref()
                .and_then(|s| s.strip_prefix("endorsement at "))
            else {
                continue;
            };
            if !(ptr.starts_with("/endorsement/") || ptr.starts_with("/endorsementJwt/")) {
                continue;
            }
            let doc = match h.credential.pointer(ptr) {
                Some(Value::String(token)) => crate::jwt::decode_unverified(token)
                    .ok()
                    .map(|p| p.get("vc").cloned().unwrap_or(p)),
                Some(v) => Some(v.clone()),
                None => None,
            };
            let about = doc
                .as_ref()
                .and_then(|d| d.pointer("/credentialSubject/id"))
                .and_then(Value::as_str);
            if about == Some(id) && type_is_endorsement(doc.as_ref()) {
                if let Some(iss) = &r.issuer {
                    found.push(iss.clone());
                }
            }
        }
        // Presented alongside.
        for e in portfolio
            .holdings()
            .iter()
            .filter(|e| e.is_endorsement() && e.subject_id() == Some(id))
        {
            if verified_but_recipient(e) {
                if let Some(iss) = e.issuer_id() {
                    found.push(iss.to_string());
                }
            }
        }
        found.retain(|f| self.by.contains(f));
        found.sort();
        found.dedup();
        found
    }

    /// The exclusion for `h` when too few listed reviewers endorsed it.
    pub fn exclusion(&self, h: &Holding, portfolio: &Portfolio) -> Option<Exclusion> {
        let found = self.endorsers(h, portfolio).len();
        (found < self.at_least).then_some(Exclusion::NotEndorsed {
            found,
            required: self.at_least,
        })
    }
}

fn type_is_endorsement(doc: Option<&Value>) -> bool {
    doc.is_some_and(|d| super::type_has(d, "EndorsementCredential"))
}

/// A rubric threshold over the credential's `result`s: every criterion the achievement describes
/// (`resultDescription` with `rubricCriterionLevel`s, lowest first) reached its `requiredLevel`
/// (`{"every": "requiredLevel"}`) or a named level (`{"every": "3"}`, matched against each level's
/// `level`, `name` or `id`).
///
/// # Example
/// ```
/// use openbadges::portfolio::{Portfolio, RubricRule};
/// use openbadges::verify::{Check, Report};
/// let levels = serde_json::json!([{"id": "urn:l:1", "name": "Developing"}, {"id": "urn:l:2", "name": "Proficient"}]);
/// let badge = serde_json::json!({"credentialSubject": {
///     "achievement": {"resultDescription": [{"id": "urn:rd:1", "name": "Planning",
///         "rubricCriterionLevel": levels, "requiredLevel": "urn:l:2"}]},
///     "result": [{"resultDescription": "urn:rd:1", "achievedLevel": "urn:l:1"}]}});
/// let mut p = Portfolio::new();
/// p.add_verified("b.json", badge, Report::from_checks(vec![Check::passed(openbadges::check::CheckId::Proof)]))?;
/// let rule = RubricRule::from_json(&serde_json::json!({"every": "requiredLevel"}), "/rubric")?;
/// assert_eq!(rule.shortfall(&p.holdings()[0]).as_deref(),
///     Some("criterion \"Planning\" reached \"Developing\", below \"Proficient\""));
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RubricRule {
    /// `None`: each criterion's `requiredLevel`; `Some(level)`: this level or higher.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_least: Option<String>,
}

fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    }
}

impl RubricRule {
    /// Parses `{"every": "requiredLevel" | LEVEL}`.
    pub fn from_json(v: &Value, at: &str) -> Result<Self> {
        check_keys(v, &["every", "note"], at)?;
        let level = req_str(v, "every", at)?;
        Ok(RubricRule {
            at_least: (level != "requiredLevel").then(|| level.to_string()),
        })
    }

    /// Why `h` falls short of the rubric, if it does.
    pub fn shortfall(&self, h: &Holding) -> Option<String> {
        let achievement = h.credential.pointer("/credentialSubject/achievement")?;
        let criteria: Vec<&Value> = list(achievement.get("resultDescription"))
            .into_iter()
            .filter(|d| !list(d.get("rubricCriterionLevel")).is_empty())
            .collect();
        if criteria.is_empty() {
            return Some("the achievement describes no rubric (`resultDescription` with `rubricCriterionLevel`)".into());
        }
        let results = list(h.credential.pointer("/credentialSubject/result"));
        for d in criteria {
            let name = d
                .get("name")
                .or_else(|| d.get("id"))
                .and_then(Value::as_str)
                .unwrap_or("a criterion");
            let levels = list(d.get("rubricCriterionLevel"));
            let matches = |l: &Value, want: &str| {
                ["id", "level", "name"]
                    .iter()
                    .any(|k| l.get(*k).and_then(Value::as_str) == Some(want))
            };
            let required = match &self.at_least {
                None => d.get("requiredLevel").and_then(Value::as_str),
                Some(l) => Some(l.as_str()),
            };
            let Some(required) = required else {
                return Some(format!("criterion \"{name}\" has no `requiredLevel`"));
            };
            let Some(need) = levels.iter().position(|l| matches(l, required)) else {
                return Some(format!("criterion \"{name}\" has no level \"{required}\""));
            };
            let rid = d.get("id").and_then(Value::as_str);
            let achieved = results
                .iter()
                .filter(|r| {
                    rid.is_some() && r.get("resultDescription").and_then(Value::as_str) == rid
                })
                .find_map(|r| r.get("achievedLevel").and_then(Value::as_str));
            let Some(achieved) = achieved else {
                return Some(format!("no result for criterion \"{name}\""));
            };
            match levels.iter().position(|l| matches(l, achieved)) {
                Some(got) if got >= need => {}
                Some(got) => {
                    let label = |i: usize| {
                        levels[i]
                            .get("name")
                            .or_else(|| levels[i].get("level"))
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                            .to_string()
                    };
                    return Some(format!(
                        "criterion \"{name}\" reached \"{}\", below \"{}\"",
                        label(got),
                        label(need)
                    ));
                }
                None => {
                    return Some(format!(
                    "criterion \"{name}\": achieved level \"{achieved}\" is not one of its levels"
                ))
                }
            }
        }
        None
    }
}

/// The requirements a stack's members or a policy's credentials must meet, besides verifying.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Requirements {
    /// Earned inside this window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Endorsed by enough listed reviewers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endorsements: Option<EndorsementRule>,
    /// Every rubric criterion at the level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rubric: Option<RubricRule>,
}

impl Requirements {
    /// The member names this reads (`window`, `endorsements`, `rubric`).
    pub const KEYS: [&'static str; 3] = ["window", "endorsements", "rubric"];

    /// Reads `window`, `endorsements` and `rubric` from the object `v` (other members are the
    /// caller's).
    pub fn from_json(v: &Value, at: &str) -> Result<Self> {
        Ok(Requirements {
            window: v
                .get("window")
                .map(|w| Window::from_json(w, &format!("{at}/window")))
                .transpose()?,
            endorsements: v
                .get("endorsements")
                .map(|w| EndorsementRule::from_json(w, &format!("{at}/endorsements")))
                .transpose()?,
            rubric: v
                .get("rubric")
                .map(|w| RubricRule::from_json(w, &format!("{at}/rubric")))
                .transpose()?,
        })
    }

    /// The definition-file form of the members set (to merge into an object).
    pub fn to_json(&self, into: &mut serde_json::Map<String, Value>) {
        let fmt = |d: DateTime<Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if let Some(w) = &self.window {
            let mut o = serde_json::Map::new();
            if let Some(f) = w.from {
                o.insert("from".into(), fmt(f).into());
            }
            if let Some(u) = w.until {
                o.insert("until".into(), fmt(u).into());
            }
            if !w.extensions.is_empty() {
                o.insert(
                    "extensions".into(),
                    w.extensions
                        .iter()
                        .map(|e| serde_json::json!({"recipient": e.recipient, "until": fmt(e.until)}))
                        .collect(),
                );
            }
            into.insert("window".into(), o.into());
        }
        if let Some(e) = &self.endorsements {
            into.insert(
                "endorsements".into(),
                serde_json::json!({"atLeast": e.at_least, "by": e.by}),
            );
        }
        if let Some(r) = &self.rubric {
            into.insert(
                "rubric".into(),
                serde_json::json!({"every": r.at_least.as_deref().unwrap_or("requiredLevel")}),
            );
        }
    }

    /// Why `h` does not meet these requirements, if it does not.
    pub fn exclusion(&self, h: &Holding, portfolio: &Portfolio) -> Option<Exclusion> {
        if let Some(w) = &self.window {
            if let Some(e) = w.exclusion(h) {
                return Some(e);
            }
        }
        if let Some(r) = &self.rubric {
            if let Some(detail) = r.shortfall(h) {
                return Some(Exclusion::RubricNotMet { detail });
            }
        }
        if let Some(e) = &self.endorsements {
            if let Some(x) = e.exclusion(h, portfolio) {
                return Some(x);
            }
        }
        None
    }
}
