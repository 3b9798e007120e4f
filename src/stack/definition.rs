//! Stack definitions: [`StackSet`] (a catalog of member achievements and the stacks over them),
//! parsed by hand from JSON so every error names the entry (a JSON Pointer) and the file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use crate::definition_file::{
    bad, check_achievement_type, check_keys, date_time, id_list, positive_count, req_str,
    suggestion,
};
use crate::error::{Error, Result};
use crate::portfolio::Requirements;

/// Deepest rule nesting accepted (rules are hand-written; deeper is a mistake or an attack).
pub const MAX_RULE_DEPTH: usize = 16;

/// Most rule terms in one definition, `"catalog"` counted as its size.
pub const MAX_RULE_TERMS: usize = 100_000;

/// A completion rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Rule {
    /// This achievement earned.
    Achievement(String),
    /// This stack complete.
    Stack(String),
    /// Every one of these.
    AllOf(Vec<Rule>),
    /// At least `n` of these.
    AtLeast {
        /// How many.
        n: usize,
        /// Of which.
        of: Vec<Rule>,
    },
}

/// One side of an order constraint: an achievement, or a whole stack.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum OrderItem {
    /// An achievement: when its credential was earned.
    Achievement(String),
    /// A stack: `before` when it was completed; `after` every member it reaches.
    Stack(String),
}

impl From<&str> for OrderItem {
    fn from(a: &str) -> Self {
        OrderItem::Achievement(a.to_string())
    }
}

impl From<String> for OrderItem {
    fn from(a: String) -> Self {
        OrderItem::Achievement(a)
    }
}

impl OrderItem {
    fn to_json(&self) -> Value {
        match self {
            OrderItem::Achievement(a) => json!(a),
            OrderItem::Stack(s) => json!({"stack": s}),
        }
    }

    fn key(&self) -> String {
        match self {
            OrderItem::Achievement(a) => format!("achievement {a}"),
            OrderItem::Stack(s) => format!("stack {s}"),
        }
    }
}

/// "`before` must be earned (a stack: completed) before `after` counts" — judged on the dates
/// the credentials were earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    /// What comes first.
    pub before: OrderItem,
    /// What counts only when earned after it (a stack: each of its members).
    pub after: OrderItem,
}

/// The length of a pace period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Period {
    /// Twelve months from the start.
    Year,
    /// One month.
    Month,
    /// A school year: twelve months starting every year on this month and day (July 1 by
    /// default); the first period is the school year the start falls in.
    SchoolYear {
        /// The month it starts (1–12).
        month: u32,
        /// The day it starts (1–28).
        day: u32,
    },
}

impl Period {
    /// The end of the period that starts at `start`.
    pub fn end(self, start: DateTime<Utc>) -> DateTime<Utc> {
        let months = match self {
            Period::Year | Period::SchoolYear { .. } => 12,
            Period::Month => 1,
        };
        start
            .checked_add_months(chrono::Months::new(months))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Where the first period containing `t` starts: `t` itself, or for a school year the
    /// latest start of a school year at or before `t`.
    ///
    /// # Example
    /// ```
    /// use openbadges::stack::Period;
    /// let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    /// let school_year = Period::SchoolYear { month: 7, day: 1 };
    /// assert_eq!(school_year.align(t("2025-03-10T00:00:00Z")), t("2024-07-01T00:00:00Z"));
    /// assert_eq!(school_year.end(t("2024-07-01T00:00:00Z")), t("2025-07-01T00:00:00Z"));
    /// assert_eq!(Period::Year.align(t("2025-03-10T00:00:00Z")), t("2025-03-10T00:00:00Z"));
    /// ```
    pub fn align(self, t: DateTime<Utc>) -> DateTime<Utc> {
        use chrono::{Datelike, TimeZone};
        match self {
            Period::SchoolYear { month, day } => {
                let at = |y: i32| Utc.with_ymd_and_hms(y, month, day, 0, 0, 0).single();
                match at(t.year()) {
                    Some(s) if s <= t => s,
                    _ => at(t.year() - 1).unwrap_or(t),
                }
            }
            _ => t,
        }
    }
}

/// A teacher's enrollment date, from which their pace is counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrollment {
    /// The teacher: DID, URL or e-mail address.
    pub recipient: String,
    /// When they enrolled.
    pub date: DateTime<Utc>,
}

/// "At least `at_least` members earned in every `per`, counted from `from` (default: the first
/// member earned)" — e.g. five a year to stay enrolled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pace {
    /// The minimum per period.
    pub at_least: usize,
    /// The period.
    pub per: Period,
    /// When the first period starts (enrolment); `None` = when the first member was earned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Per-teacher enrollment dates (`"from": "enrollment"`): a listed teacher's pace counts
    /// from their date; anyone else's from `from`, else from their first member badge.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enrollments: Vec<Enrollment>,
}

/// A pathway each teacher builds: `choose` achievements from `from`, the choice recorded in an
/// approval credential — a verified credential for the `approval` achievement, issued to the
/// teacher by one of the `approvers`, whose achievement's `alignment` entries name the chosen
/// achievements (`targetUrl`). The latest approval counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pathway {
    /// How many achievements the teacher chooses.
    pub choose: usize,
    /// The catalog they choose from.
    pub from: Vec<String>,
    /// The approval credential's achievement id.
    pub approval: String,
    /// Who may approve (issuer ids).
    pub approvers: Vec<String>,
}

/// A stack (pathway): a stack-level Achievement and the rule that completes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stack {
    /// The stack's id (a URL or URN).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The issuer awarding the stack credential (Profile object, or its id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Value>,
    /// The OB 3.0 Achievement a completed stack earns.
    pub achievement: Value,
    /// The completion rule.
    pub rule: Rule,
    /// Ordering constraints.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<Order>,
    /// Pace requirement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pace: Option<Pace>,
    /// Issuers whose credentials count besides the stack's own issuer (a credential also counts
    /// when the verifier's trust list registers its issuer). Nothing else counts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accepted_issuers: Vec<String>,
    /// Their achievement id → our member achievement id ("a partner's Growth Mindset counts").
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub equivalences: BTreeMap<String, String>,
    /// What each member credential must show besides verifying: a date window, endorsements,
    /// rubric levels.
    pub requirements: Requirements,
    /// A per-teacher pathway: the rule is "all of the approved choices" (`rule` then reads
    /// "`choose` of `from`", for catalogs and associations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pathway: Option<Pathway>,
}

impl Rule {
    /// Every one of these achievement ids.
    pub fn all_of<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Rule {
        Rule::AllOf(
            ids.into_iter()
                .map(|a| Rule::Achievement(a.into()))
                .collect(),
        )
    }

    /// At least `n` of these achievement ids.
    pub fn at_least<I: IntoIterator<Item = S>, S: Into<String>>(n: usize, ids: I) -> Rule {
        Rule::AtLeast {
            n,
            of: ids
                .into_iter()
                .map(|a| Rule::Achievement(a.into()))
                .collect(),
        }
    }

    /// The rule in the definition-file form.
    pub fn to_json(&self) -> Value {
        match self {
            Rule::Achievement(a) => json!(a),
            Rule::Stack(s) => json!({"stack": s}),
            Rule::AllOf(rs) => json!({"allOf": rs.iter().map(Rule::to_json).collect::<Vec<_>>()}),
            Rule::AtLeast { n, of } => {
                json!({"atLeast": n, "of": of.iter().map(Rule::to_json).collect::<Vec<_>>()})
            }
        }
    }
}

impl Stack {
    /// A stack earning `achievement` (an OB 3.0 Achievement object with an `id`) when `rule` is
    /// met. Validated when put in a [`StackSet`].
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        achievement: Value,
        rule: Rule,
    ) -> Self {
        Stack {
            id: id.into(),
            name: name.into(),
            description: None,
            issuer: None,
            achievement,
            rule,
            order: Vec::new(),
            pace: None,
            accepted_issuers: Vec::new(),
            equivalences: BTreeMap::new(),
            requirements: Requirements::default(),
            pathway: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Sets the awarding issuer (a Profile object or its id).
    pub fn issuer(mut self, issuer: Value) -> Self {
        self.issuer = Some(issuer);
        self
    }

    /// `before` must be earned before `after` counts (achievement ids, or
    /// [`OrderItem::Stack`]s).
    pub fn order(mut self, before: impl Into<OrderItem>, after: impl Into<OrderItem>) -> Self {
        self.order.push(Order {
            before: before.into(),
            after: after.into(),
        });
        self
    }

    /// At least `at_least` members earned in every `per`.
    pub fn pace(mut self, at_least: usize, per: Period) -> Self {
        self.pace = Some(Pace {
            at_least,
            per,
            from: None,
            enrollments: Vec::new(),
        });
        self
    }

    /// Also counts credentials from this issuer.
    pub fn accept_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.accepted_issuers.push(issuer.into());
        self
    }

    /// Their achievement `theirs` counts as our member `ours`.
    pub fn equivalence(mut self, theirs: impl Into<String>, ours: impl Into<String>) -> Self {
        self.equivalences.insert(theirs.into(), ours.into());
        self
    }

    /// The stack's issuer id, when it names one.
    pub fn issuer_id(&self) -> Option<&str> {
        self.issuer
            .as_ref()
            .and_then(|i| i.get("id").or(Some(i)).and_then(Value::as_str))
    }

    /// Whether credentials from `issuer` may count toward this stack (its own issuer or an
    /// accepted one; the trust list is the verifier's to answer).
    ///
    /// # Example
    /// ```
    /// use openbadges::stack::{Rule, Stack};
    /// let s = Stack::new("urn:s", "S", serde_json::json!({"id": "urn:a:s"}), Rule::all_of(["urn:a:1"]))
    ///     .issuer(serde_json::json!({"id": "https://district.example/issuer", "type": ["Profile"]}))
    ///     .accept_issuer("https://partner.example/issuer");
    /// assert!(s.accepts("https://district.example/issuer"));
    /// assert!(s.accepts("https://partner.example/issuer"));
    /// assert!(!s.accepts("did:key:z6MkStranger"));
    /// ```
    pub fn accepts(&self, issuer: &str) -> bool {
        self.issuer_id() == Some(issuer) || self.accepted_issuers.iter().any(|i| i == issuer)
    }

    /// The stack in the definition-file form.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "achievement": self.achievement,
            "rule": self.rule.to_json(),
        });
        if let Some(d) = &self.description {
            v["description"] = d.clone().into();
        }
        if let Some(i) = &self.issuer {
            v["issuer"] = i.clone();
        }
        if !self.order.is_empty() {
            v["order"] = self
                .order
                .iter()
                .map(|o| json!({"before": o.before.to_json(), "after": o.after.to_json()}))
                .collect();
        }
        if let Some(p) = &self.pace {
            v["pace"] = json!({"atLeast": p.at_least, "per": match p.per {
                Period::Year => "year",
                Period::Month => "month",
                Period::SchoolYear { .. } => "schoolYear",
            }});
            if let Period::SchoolYear { month, day } = p.per {
                v["pace"]["yearStarts"] = format!("{month:02}-{day:02}").into();
            }
            let fmt = |d: DateTime<Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            if let Some(f) = p.from {
                v["pace"]["from"] = fmt(f).into();
            }
            if !p.enrollments.is_empty() {
                v["pace"]["enrollments"] = p
                    .enrollments
                    .iter()
                    .map(|e| json!({"recipient": e.recipient, "date": fmt(e.date)}))
                    .collect();
                if p.from.is_none() {
                    v["pace"]["from"] = "enrollment".into();
                }
            }
        }
        if !self.accepted_issuers.is_empty() {
            v["acceptedIssuers"] = json!(self.accepted_issuers);
        }
        if !self.equivalences.is_empty() {
            v["equivalences"] = self
                .equivalences
                .iter()
                .map(|(t, o)| json!({"theirs": t, "ours": o}))
                .collect();
        }
        if let Some(o) = v.as_object_mut() {
            self.requirements.to_json(o);
            if let Some(p) = &self.pathway {
                o.shift_remove("rule");
                o.insert(
                    "pathway".into(),
                    json!({"choose": p.choose, "from": p.from, "approval": p.approval,
                           "approvers": p.approvers}),
                );
            }
        }
        v
    }
    /// Every achievement id the rule names, nested stacks excluded, in rule order.
    pub fn member_achievements(&self) -> Vec<&str> {
        fn walk<'a>(r: &'a Rule, out: &mut Vec<&'a str>) {
            match r {
                Rule::Achievement(a) => {
                    if !out.contains(&a.as_str()) {
                        out.push(a)
                    }
                }
                Rule::Stack(_) => {}
                Rule::AllOf(rs) | Rule::AtLeast { of: rs, .. } => {
                    rs.iter().for_each(|r| walk(r, out))
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.rule, &mut out);
        out
    }

    /// The stack-level achievement's id.
    pub fn achievement_id(&self) -> &str {
        self.achievement
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(&self.id)
    }

    /// Membership as CLR 2.0 associations: each member achievement `isChildOf` the stack's
    /// achievement (for a `ClrSubject.association`).
    ///
    /// # Example
    /// ```
    /// use openbadges::stack::StackSet;
    /// let set = StackSet::from_json(&serde_json::json!({
    ///   "achievements": [{"id": "urn:a:1", "name": "One"}, {"id": "urn:a:2", "name": "Two"}],
    ///   "stacks": [{"id": "urn:s:1", "name": "Both",
    ///     "achievement": {"id": "urn:a:both", "type": ["Achievement"], "name": "Both",
    ///                     "description": "d", "criteria": {"narrative": "n"}},
    ///     "rule": {"allOf": ["urn:a:1", "urn:a:2"]}}]
    /// }))?;
    /// let assoc = set.stack("urn:s:1").unwrap().associations();
    /// assert_eq!(assoc[0]["associationType"], "isChildOf");
    /// assert_eq!(assoc[1]["sourceId"], "urn:a:2");
    /// assert_eq!(assoc[1]["targetId"], "urn:a:both");
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn associations(&self) -> Vec<Value> {
        self.member_achievements()
            .into_iter()
            .map(|a| {
                json!({
                    "type": "Association",
                    "associationType": "isChildOf",
                    "sourceId": a,
                    "targetId": self.achievement_id(),
                })
            })
            .collect()
    }

    /// An OB 3.0 `Alignment` a member achievement can carry to say it belongs to this stack.
    pub fn member_alignment(&self) -> Value {
        let mut a = json!({
            "type": ["Alignment"],
            "targetName": self.name,
            "targetUrl": self.id,
            "targetType": "ceterms:Credential",
        });
        if let Some(d) = &self.description {
            a["targetDescription"] = d.clone().into();
        }
        a
    }
}

/// A catalog entry: a member achievement the stacks may name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogEntry {
    /// The achievement id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A stack definition file: the achievement catalog and the stacks over it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackSet {
    /// The member achievements, by id.
    pub achievements: BTreeMap<String, CatalogEntry>,
    /// The stacks, in file order.
    pub stacks: Vec<Stack>,
}

impl StackSet {
    /// Builds and validates a set in code: the catalog `(id, name)` of member achievements and
    /// the stacks over it — the same checks as a definition file.
    ///
    /// # Example
    /// ```
    /// use openbadges::stack::{Period, Rule, Stack, StackSet};
    /// let achievement = serde_json::json!({"id": "urn:a:stack", "type": ["Achievement"],
    ///     "name": "Differentiation", "description": "d", "criteria": {"narrative": "n"}});
    /// let stack = Stack::new("urn:s:1", "Differentiation", achievement,
    ///         Rule::all_of(["urn:a:1", "urn:a:2", "urn:a:3"]))
    ///     .order("urn:a:1", "urn:a:2")
    ///     .pace(1, Period::Year);
    /// let set = StackSet::new([("urn:a:1", "One"), ("urn:a:2", "Two"), ("urn:a:3", "Three")], [stack])?;
    /// assert_eq!(set.stack("urn:s:1").unwrap().member_achievements().len(), 3);
    /// // A rule naming an achievement outside the catalog is refused.
    /// let bad = Stack::new("urn:s:2", "Bad", serde_json::json!({"id": "urn:a:x"}), Rule::all_of(["urn:a:9"]));
    /// assert!(StackSet::new([("urn:a:1", "One")], [bad]).is_err());
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn new<A, S, I, N>(achievements: A, stacks: S) -> Result<Self>
    where
        A: IntoIterator<Item = (I, N)>,
        I: Into<String>,
        N: Into<String>,
        S: IntoIterator<Item = Stack>,
    {
        let doc = json!({
            "achievements": achievements
                .into_iter()
                .map(|(id, name)| json!({"id": id.into(), "name": name.into()}))
                .collect::<Vec<_>>(),
            "stacks": stacks.into_iter().map(|s| s.to_json()).collect::<Vec<_>>(),
        });
        Self::from_json(&doc)
    }

    /// The set in the definition-file form (JSON).
    pub fn to_json(&self) -> Value {
        json!({
            "achievements": self.achievements.values()
                .map(|a| json!({"id": a.id, "name": a.name}))
                .collect::<Vec<_>>(),
            "stacks": self.stacks.iter().map(Stack::to_json).collect::<Vec<_>>(),
        })
    }

    /// Reads a stack definition file (JSON, or TOML when it ends in `.toml`). Errors name the
    /// file and the entry.
    pub fn load(path: &Path) -> Result<Self> {
        let v = crate::definition_file::load(path)?;
        Self::from_json(&v).map_err(|e| e.context(format!("in {}", path.display())))
    }

    /// Validates a definition: known achievements, positive thresholds, no cycles, reachable
    /// counts.
    pub fn from_json(v: &Value) -> Result<Self> {
        check_keys(v, &["achievements", "stacks"], "")?;
        let mut achievements = BTreeMap::new();
        let list = v
            .get("achievements")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                bad(
                    "",
                    "`achievements` (the catalog of member achievements) must be an array",
                )
            })?;
        for (i, a) in list.iter().enumerate() {
            let at = format!("/achievements/{i}");
            check_keys(a, &["id", "name", "achievementType", "description"], &at)?;
            let id = req_str(a, "id", &at)?.to_string();
            let name = req_str(a, "name", &at)?.to_string();
            if let Some(t) = a.get("achievementType") {
                check_achievement_type(t, &format!("{at}/achievementType"))?;
            }
            if achievements
                .insert(
                    id.clone(),
                    CatalogEntry {
                        id: id.clone(),
                        name,
                    },
                )
                .is_some()
            {
                return Err(bad(&at, format!("achievement `{id}` is listed twice")));
            }
        }
        let raw = v
            .get("stacks")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("", "`stacks` must be an array"))?;
        let ids: HashSet<&str> = raw
            .iter()
            .filter_map(|s| s.get("id").and_then(Value::as_str))
            .collect();
        let mut stacks = Vec::new();
        // Every term of every rule, `"catalog"` expanded: bounds what a small file can make us
        // allocate (a thousand `"of": "catalog"` over a large catalog).
        let mut terms = 0usize;
        for (i, s) in raw.iter().enumerate() {
            let at = format!("/stacks/{i}");
            check_keys(
                s,
                &[
                    "id",
                    "name",
                    "description",
                    "issuer",
                    "achievement",
                    "rule",
                    "order",
                    "pace",
                    "acceptedIssuers",
                    "equivalences",
                    "window",
                    "endorsements",
                    "rubric",
                    "pathway",
                ],
                &at,
            )?;
            let id = req_str(s, "id", &at)?.to_string();
            if stacks.iter().any(|x: &Stack| x.id == id) {
                return Err(bad(&at, format!("stack `{id}` is defined twice")));
            }
            let achievement = s
                .get("achievement")
                .filter(|a| a.is_object())
                .cloned()
                .ok_or_else(|| {
                    bad(
                        &at,
                        "`achievement` (the OB 3.0 Achievement the stack earns) is required",
                    )
                })?;
            req_str(&achievement, "id", &format!("{at}/achievement"))?;
            if let Some(t) = achievement.get("achievementType") {
                check_achievement_type(t, &format!("{at}/achievement/achievementType"))?;
            }
            let pathway = match s.get("pathway") {
                None => None,
                Some(p) => {
                    if s.get("rule").is_some() {
                        return Err(bad(
                            &format!("{at}/rule"),
                            "a pathway stack has no `rule`: each teacher's approved choices are its rule",
                        ));
                    }
                    Some(parse_pathway(p, &format!("{at}/pathway"), &achievements)?)
                }
            };
            let rule = match &pathway {
                Some(p) => {
                    terms += p.from.len();
                    Rule::at_least(p.choose, p.from.iter().cloned())
                }
                None => {
                    let rule_v = s
                        .get("rule")
                        .ok_or_else(|| bad(&at, "`rule` is required"))?;
                    parse_rule(
                        rule_v,
                        &format!("{at}/rule"),
                        &achievements,
                        &ids,
                        0,
                        &mut terms,
                    )?
                }
            };
            let mut order = Vec::new();
            if let Some(o) = s.get("order") {
                let arr = o
                    .as_array()
                    .ok_or_else(|| bad(&format!("{at}/order"), "`order` must be an array"))?;
                for (j, o) in arr.iter().enumerate() {
                    let oat = format!("{at}/order/{j}");
                    check_keys(o, &["before", "after", "note"], &oat)?;
                    let item = |k: &str| -> Result<OrderItem> {
                        let kat = format!("{oat}/{k}");
                        match o.get(k) {
                            Some(Value::String(a)) => {
                                if achievements.contains_key(a) {
                                    Ok(OrderItem::Achievement(a.clone()))
                                } else if ids.contains(a.as_str()) {
                                    Ok(OrderItem::Stack(a.clone()))
                                } else {
                                    Err(bad(&kat, unknown_achievement(a, &achievements)))
                                }
                            }
                            Some(x @ Value::Object(_)) => {
                                check_keys(x, &["stack"], &kat)?;
                                let st = req_str(x, "stack", &kat)?;
                                if !ids.contains(st) {
                                    return Err(bad(
                                        &format!("{kat}/stack"),
                                        format!(
                                            "unknown stack `{st}`{}",
                                            suggestion(st, ids.iter())
                                        ),
                                    ));
                                }
                                Ok(OrderItem::Stack(st.to_string()))
                            }
                            Some(_) => {
                                Err(bad(&kat, "expected an achievement id or {\"stack\": ID}"))
                            }
                            None => Err(bad(&oat, format!("`{k}` is required"))),
                        }
                    };
                    let before = item("before")?;
                    let after = item("after")?;
                    if before == after {
                        return Err(bad(&oat, "an achievement cannot come before itself"));
                    }
                    order.push(Order { before, after });
                }
            }
            let pace = match s.get("pace") {
                None => None,
                Some(p) => Some(parse_pace(p, &format!("{at}/pace"))?),
            };
            let mut accepted_issuers = Vec::new();
            match s.get("acceptedIssuers") {
                None => {}
                Some(Value::Array(a)) => {
                    for (j, x) in a.iter().enumerate() {
                        let iss = x.as_str().filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                            bad(
                                &format!("{at}/acceptedIssuers/{j}"),
                                "expected an issuer id (string)",
                            )
                        })?;
                        accepted_issuers.push(iss.to_string());
                    }
                }
                Some(_) => {
                    return Err(bad(
                        &format!("{at}/acceptedIssuers"),
                        "`acceptedIssuers` must be an array of issuer ids",
                    ))
                }
            }
            let mut equivalences = BTreeMap::new();
            match s.get("equivalences") {
                None => {}
                Some(Value::Array(a)) => {
                    for (j, e) in a.iter().enumerate() {
                        let eat = format!("{at}/equivalences/{j}");
                        check_keys(e, &["theirs", "ours", "note"], &eat)?;
                        let theirs = req_str(e, "theirs", &eat)?.to_string();
                        let ours = req_str(e, "ours", &eat)?.to_string();
                        if !achievements.contains_key(&ours) {
                            return Err(bad(
                                &format!("{eat}/ours"),
                                unknown_achievement(&ours, &achievements),
                            ));
                        }
                        if achievements.contains_key(&theirs) {
                            return Err(bad(
                                &format!("{eat}/theirs"),
                                format!("`{theirs}` is in our own catalog; an equivalence maps another issuer's achievement onto ours"),
                            ));
                        }
                        if equivalences.insert(theirs.clone(), ours).is_some() {
                            return Err(bad(
                                &format!("{eat}/theirs"),
                                format!("`{theirs}` has two equivalences"),
                            ));
                        }
                    }
                }
                Some(_) => {
                    return Err(bad(
                        &format!("{at}/equivalences"),
                        "`equivalences` must be an array of {\"theirs\", \"ours\"}",
                    ))
                }
            }
            let requirements = Requirements::from_json(s, &at)?;
            let stack = Stack {
                id,
                name: req_str(s, "name", &at)?.to_string(),
                description: s
                    .get("description")
                    .and_then(Value::as_str)
                    .map(String::from),
                issuer: s.get("issuer").cloned(),
                achievement,
                rule,
                order,
                pace,
                accepted_issuers,
                equivalences,
                requirements,
                pathway,
            };
            check_order_acyclic(&stack, &at)?;
            stacks.push(stack);
        }
        let set = StackSet {
            achievements,
            stacks,
        };
        set.check_stack_cycles()?;
        Ok(set)
    }

    /// The stack with this id.
    pub fn stack(&self, id: &str) -> Option<&Stack> {
        self.stacks.iter().find(|s| s.id == id)
    }

    fn check_stack_cycles(&self) -> Result<()> {
        // Depth-first search over "stack A's rule names stack B" edges.
        fn deps(r: &Rule, out: &mut Vec<String>) {
            match r {
                Rule::Stack(s) => out.push(s.clone()),
                Rule::Achievement(_) => {}
                Rule::AllOf(rs) | Rule::AtLeast { of: rs, .. } => {
                    rs.iter().for_each(|r| deps(r, out))
                }
            }
        }
        let edges: HashMap<&str, Vec<String>> = self
            .stacks
            .iter()
            .map(|s| {
                let mut d = Vec::new();
                deps(&s.rule, &mut d);
                // A stack an order constraint names is evaluated first too.
                for o in &s.order {
                    for item in [&o.before, &o.after] {
                        if let OrderItem::Stack(x) = item {
                            d.push(x.clone());
                        }
                    }
                }
                (s.id.as_str(), d)
            })
            .collect();
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Visiting,
            Done,
        }
        fn visit<'a>(
            id: &'a str,
            edges: &'a HashMap<&str, Vec<String>>,
            marks: &mut HashMap<&'a str, Mark>,
            path: &mut Vec<&'a str>,
        ) -> std::result::Result<(), Vec<String>> {
            match marks.get(id) {
                Some(Mark::Done) => return Ok(()),
                Some(Mark::Visiting) => {
                    let start = path.iter().position(|p| *p == id).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        path[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(id.to_string());
                    return Err(cycle);
                }
                None => {}
            }
            marks.insert(id, Mark::Visiting);
            path.push(id);
            for d in edges.get(id).into_iter().flatten() {
                visit(d, edges, marks, path)?;
            }
            path.pop();
            marks.insert(id, Mark::Done);
            Ok(())
        }
        let mut marks = HashMap::new();
        for (i, s) in self.stacks.iter().enumerate() {
            let mut path = Vec::new();
            if let Err(cycle) = visit(&s.id, &edges, &mut marks, &mut path) {
                return Err(bad(
                    &format!("/stacks/{i}/rule"),
                    format!("stacks form a cycle: {}", cycle.join(" → ")),
                ));
            }
        }
        Ok(())
    }
}

fn check_order_acyclic(stack: &Stack, at: &str) -> Result<()> {
    struct Edge {
        before: String,
        after: String,
    }
    let order: Vec<Edge> = stack
        .order
        .iter()
        .map(|o| Edge {
            before: o.before.key(),
            after: o.after.key(),
        })
        .collect();
    // before → after edges; a cycle would make every member in it uncountable. Kahn's algorithm:
    // linear in the number of constraints.
    let mut indegree: HashMap<&str, usize> = HashMap::new();
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    for o in &order {
        edges.entry(&o.before).or_default().push(&o.after);
        *indegree.entry(&o.after).or_default() += 1;
        indegree.entry(&o.before).or_default();
    }
    let mut ready: Vec<&str> = indegree
        .iter()
        .filter(|(_, d)| **d == 0)
        .map(|(n, _)| *n)
        .collect();
    while let Some(n) = ready.pop() {
        for m in edges.get(n).into_iter().flatten() {
            if let Some(d) = indegree.get_mut(m) {
                *d -= 1;
                if *d == 0 {
                    ready.push(m);
                }
            }
        }
        indegree.remove(n);
    }
    // What remains lies on a cycle or after one; prune what leads nowhere (no remaining
    // successor), so a constraint between two of the rest lies on a cycle's path.
    let mut remaining: HashSet<&str> = indegree.keys().copied().collect();
    let mut outdegree: HashMap<&str, usize> = HashMap::new();
    let mut preds: HashMap<&str, Vec<&str>> = HashMap::new();
    for o in &order {
        if remaining.contains(o.before.as_str()) && remaining.contains(o.after.as_str()) {
            *outdegree.entry(&o.before).or_default() += 1;
            preds.entry(&o.after).or_default().push(&o.before);
        }
    }
    let mut sinks: Vec<&str> = remaining
        .iter()
        .copied()
        .filter(|n| outdegree.get(n).copied().unwrap_or(0) == 0)
        .collect();
    while let Some(n) = sinks.pop() {
        remaining.remove(n);
        for p in preds.get(n).into_iter().flatten() {
            if let Some(d) = outdegree.get_mut(p) {
                *d -= 1;
                if *d == 0 {
                    sinks.push(p);
                }
            }
        }
    }
    let indegree = remaining;
    if let Some((j, o)) = order
        .iter()
        .enumerate()
        .find(|(_, o)| indegree.contains(o.before.as_str()) && indegree.contains(o.after.as_str()))
    {
        return Err(bad(
            &format!("{at}/order/{j}"),
            format!(
                "the order constraints form a cycle through `{}` and `{}`",
                o.before, o.after
            ),
        ));
    }
    Ok(())
}

fn parse_pathway(p: &Value, at: &str, catalog: &BTreeMap<String, CatalogEntry>) -> Result<Pathway> {
    check_keys(p, &["choose", "from", "approval", "approvers", "note"], at)?;
    let choose = positive_count(
        p.get("choose").unwrap_or(&Value::Null),
        &format!("{at}/choose"),
        "`choose`",
    )?;
    let from: Vec<String> = match p.get("from") {
        Some(Value::String(c)) if c == "catalog" => catalog.keys().cloned().collect(),
        Some(Value::Array(a)) if !a.is_empty() => {
            let mut out = Vec::new();
            for (i, x) in a.iter().enumerate() {
                let xat = format!("{at}/from/{i}");
                let id = x
                    .as_str()
                    .ok_or_else(|| bad(&xat, "expected an achievement id"))?;
                if !catalog.contains_key(id) {
                    return Err(bad(&xat, unknown_achievement(id, catalog)));
                }
                if !out.iter().any(|o| o == id) {
                    out.push(id.to_string());
                }
            }
            out
        }
        _ => {
            return Err(bad(
                &format!("{at}/from"),
                "`from` is \"catalog\" or a non-empty array of achievement ids",
            ))
        }
    };
    if choose > from.len() {
        return Err(bad(
            &format!("{at}/choose"),
            format!(
                "`choose` is {choose} but only {} achievements can be chosen",
                from.len()
            ),
        ));
    }
    let approval = req_str(p, "approval", at)?.to_string();
    let approvers = id_list(p, "approvers", at, "issuer id")?;
    Ok(Pathway {
        choose,
        from,
        approval,
        approvers,
    })
}

fn unknown_achievement(a: &str, catalog: &BTreeMap<String, CatalogEntry>) -> String {
    format!(
        "unknown achievement `{a}` (not in `achievements`){}",
        suggestion(a, catalog.keys())
    )
}

fn parse_pace(p: &Value, at: &str) -> Result<Pace> {
    check_keys(
        p,
        &[
            "atLeast",
            "per",
            "from",
            "yearStarts",
            "enrollments",
            "note",
        ],
        at,
    )?;
    let at_least = positive_count(
        p.get("atLeast").unwrap_or(&Value::Null),
        &format!("{at}/atLeast"),
        "`atLeast`",
    )?;
    let per = match p.get("per").and_then(Value::as_str) {
        Some("year") => Period::Year,
        Some("month") => Period::Month,
        Some("schoolYear") => {
            let starts = p.get("yearStarts").map_or(Some("07-01"), Value::as_str);
            let md = starts.and_then(|s| {
                let (m, d) = s.split_once('-')?;
                let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
                ((1..=12).contains(&m) && (1..=28).contains(&d)).then_some((m, d))
            });
            let (month, day) = md.ok_or_else(|| {
                bad(
                    &format!("{at}/yearStarts"),
                    "`yearStarts` must be MM-DD (day 1 to 28), e.g. \"07-01\"",
                )
            })?;
            Period::SchoolYear { month, day }
        }
        other => {
            let hint = other
                .map(|o| suggestion(o, ["year", "month", "schoolYear"]))
                .unwrap_or_default();
            return Err(bad(
                &format!("{at}/per"),
                format!("`per` must be \"year\", \"schoolYear\" or \"month\"{hint}"),
            ));
        }
    };
    if p.get("yearStarts").is_some() && !matches!(per, Period::SchoolYear { .. }) {
        return Err(bad(
            &format!("{at}/yearStarts"),
            "`yearStarts` applies only to \"per\": \"schoolYear\"",
        ));
    }
    let (from, by_enrollment) = match p.get("from") {
        None => (None, false),
        Some(Value::String(s)) if s == "enrollment" => (None, true),
        Some(f) => (Some(date_time(f, &format!("{at}/from"), false)?), false),
    };
    let mut enrollments = Vec::new();
    match p.get("enrollments") {
        None if by_enrollment => return Err(bad(
            at,
            "`\"from\": \"enrollment\"` needs `enrollments`: [{\"recipient\": ID, \"date\": DATE}]",
        )),
        None => {}
        Some(Value::Array(a)) => {
            for (i, e) in a.iter().enumerate() {
                let eat = format!("{at}/enrollments/{i}");
                check_keys(e, &["recipient", "date", "note"], &eat)?;
                enrollments.push(Enrollment {
                    recipient: req_str(e, "recipient", &eat)?.to_string(),
                    date: date_time(
                        e.get("date").unwrap_or(&Value::Null),
                        &format!("{eat}/date"),
                        false,
                    )?,
                });
            }
        }
        Some(_) => {
            return Err(bad(
                &format!("{at}/enrollments"),
                "`enrollments` must be an array",
            ))
        }
    }
    Ok(Pace {
        at_least,
        per,
        from,
        enrollments,
    })
}

fn parse_rule(
    v: &Value,
    at: &str,
    catalog: &BTreeMap<String, CatalogEntry>,
    stacks: &HashSet<&str>,
    depth: usize,
    terms: &mut usize,
) -> Result<Rule> {
    if depth > MAX_RULE_DEPTH {
        return Err(Error::limit(format!("rules nest deeper than {MAX_RULE_DEPTH}")).at(at));
    }
    *terms += 1;
    if *terms > MAX_RULE_TERMS {
        return Err(Error::limit(format!(
            "the rules have more than {MAX_RULE_TERMS} terms (\"catalog\" counts each achievement)"
        ))
        .at(at));
    }
    let mut list = |v: &Value, at: &str| -> Result<Vec<Rule>> {
        if v.as_str() == Some("catalog") {
            *terms += catalog.len();
            if *terms > MAX_RULE_TERMS {
                return Err(Error::limit(format!(
                    "the rules have more than {MAX_RULE_TERMS} terms (\"catalog\" counts each achievement)"
                ))
                .at(at));
            }
            return Ok(catalog.keys().cloned().map(Rule::Achievement).collect());
        }
        let arr = v
            .as_array()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| bad(at, "expected a non-empty array of rules (or \"catalog\")"))?;
        arr.iter()
            .enumerate()
            .map(|(i, r)| parse_rule(r, &format!("{at}/{i}"), catalog, stacks, depth + 1, terms))
            .collect()
    };
    match v {
        Value::String(a) => {
            if catalog.contains_key(a) {
                Ok(Rule::Achievement(a.clone()))
            } else if stacks.contains(a.as_str()) {
                Err(bad(
                    at,
                    format!("`{a}` is a stack; write {{\"stack\": \"{a}\"}}"),
                ))
            } else {
                Err(bad(at, unknown_achievement(a, catalog)))
            }
        }
        Value::Object(o) if o.contains_key("stack") => {
            check_keys(v, &["stack"], at)?;
            let s = req_str(v, "stack", at)?;
            if !stacks.contains(s) {
                return Err(bad(
                    &format!("{at}/stack"),
                    format!("unknown stack `{s}`{}", suggestion(s, stacks.iter())),
                ));
            }
            Ok(Rule::Stack(s.to_string()))
        }
        Value::Object(o) if o.contains_key("allOf") => {
            check_keys(v, &["allOf"], at)?;
            Ok(Rule::AllOf(list(&o["allOf"], &format!("{at}/allOf"))?))
        }
        Value::Object(o) if o.contains_key("atLeast") => {
            check_keys(v, &["atLeast", "of"], at)?;
            let n = positive_count(&o["atLeast"], &format!("{at}/atLeast"), "`atLeast`")?;
            let of = list(
                o.get("of").unwrap_or(&Value::Null),
                &format!("{at}/of"),
            )?;
            if n > of.len() {
                return Err(bad(
                    &format!("{at}/atLeast"),
                    format!("`atLeast` is {n} but only {} options are listed; the stack could never be completed", of.len()),
                ));
            }
            Ok(Rule::AtLeast { n, of })
        }
        _ => Err(bad(
            at,
            "a rule is an achievement id, {\"stack\": ID}, {\"allOf\": [...]} or {\"atLeast\": N, \"of\": [...]}",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Value {
        json!({
            "achievements": [{"id": "urn:a:1", "name": "One"}, {"id": "urn:a:2", "name": "Two"},
                             {"id": "urn:a:3", "name": "Three"}],
            "stacks": [{"id": "urn:s:1", "name": "S",
                "achievement": {"id": "urn:a:s1", "type": ["Achievement"], "name": "S",
                                "description": "d", "criteria": {"narrative": "n"}},
                "rule": {"atLeast": 2, "of": ["urn:a:1", "urn:a:2", "urn:a:3"]}}]
        })
    }

    #[test]
    fn definitions_round_trip_through_to_json() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/programs/riverside-stacks.json");
        let set = StackSet::load(&path).unwrap();
        let again = StackSet::from_json(&set.to_json()).unwrap();
        assert_eq!(again, set);
    }

    #[test]
    fn toml_definitions_load_like_json() {
        let text = br#"
[[achievements]]
id = "urn:a:1"
name = "One"

[[achievements]]
id = "urn:a:2"
name = "Two"

[[stacks]]
id = "urn:s:1"
name = "Both"
rule = { allOf = ["urn:a:1", "urn:a:2"] }
pace = { atLeast = 1, per = "month" }
order = [{ before = "urn:a:1", after = "urn:a:2" }]

[stacks.achievement]
id = "urn:a:both"
type = ["Achievement"]
name = "Both"
"#;
        let set = StackSet::from_json(&crate::definition_file::parse(text, true).unwrap()).unwrap();
        let s = set.stack("urn:s:1").unwrap();
        assert_eq!(s.member_achievements(), vec!["urn:a:1", "urn:a:2"]);
        assert_eq!(s.pace.as_ref().unwrap().per, Period::Month);
        assert_eq!(s.order[0].before, OrderItem::Achievement("urn:a:1".into()));
    }

    #[test]
    fn invalid_definitions_name_the_entry() {
        type Mutation = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(Mutation, &str, &str)> = vec![
            (
                Box::new(|v| v["stacks"][0]["rule"]["atLeast"] = 4.into()),
                "/stacks/0/rule/atLeast",
                "never be completed",
            ),
            (
                Box::new(|v| v["stacks"][0]["rule"]["atLeast"] = (-1).into()),
                "/stacks/0/rule/atLeast",
                "positive",
            ),
            (
                Box::new(|v| v["stacks"][0]["rule"] = json!({"oneOf": []})),
                "/stacks/0/rule",
                "a rule is",
            ),
            (
                Box::new(|v| v["stacks"][0]["rule"] = json!({"stack": "urn:s:nope"})),
                "/stacks/0/rule/stack",
                "unknown stack",
            ),
            (
                Box::new(
                    |v| v["stacks"][0]["order"] = json!([{"before": "urn:a:1", "after": "urn:a:2"}, {"before": "urn:a:2", "after": "urn:a:1"}]),
                ),
                "/stacks/0/order/0",
                "cycle",
            ),
            (
                Box::new(|v| v["stacks"][0]["pace"] = json!({"atLeast": 0, "per": "year"})),
                "/stacks/0/pace/atLeast",
                "zero",
            ),
            (
                Box::new(|v| v["stacks"][0]["pace"] = json!({"atLeast": 1, "per": "week"})),
                "/stacks/0/pace/per",
                "year",
            ),
            (
                Box::new(|v| v["achievements"][2]["id"] = "urn:a:1".into()),
                "/achievements/2",
                "twice",
            ),
            (
                Box::new(|v| v["stacks"][0]["colour"] = "red".into()),
                "/stacks/0/colour",
                "unknown member",
            ),
            (
                Box::new(|v| {
                    v["stacks"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("achievement");
                }),
                "/stacks/0",
                "achievement",
            ),
        ];
        for (mutate, pointer, words) in cases {
            let mut v = base();
            mutate(&mut v);
            let err = StackSet::from_json(&v).unwrap_err();
            assert_eq!(err.pointer(), Some(pointer), "{err}");
            assert!(err.to_string().contains(words), "{err}");
        }
        // Rules nested past the bound are refused.
        let mut rule = json!("urn:a:1");
        for _ in 0..(MAX_RULE_DEPTH + 2) {
            rule = json!({"allOf": [rule]});
        }
        let mut v = base();
        v["stacks"][0]["rule"] = rule;
        assert_eq!(
            StackSet::from_json(&v).unwrap_err().kind(),
            crate::ErrorKind::Limit
        );
        // The entry named is on the cycle, not after it.
        let mut v = base();
        v["stacks"][0]["order"] = json!([{"before": "urn:a:2", "after": "urn:a:3"},
            {"before": "urn:a:1", "after": "urn:a:2"}, {"before": "urn:a:2", "after": "urn:a:1"}]);
        let err = StackSet::from_json(&v).unwrap_err();
        assert!(
            matches!(
                err.pointer(),
                Some("/stacks/0/order/1" | "/stacks/0/order/2")
            ),
            "{err}"
        );
        // "catalog" counts as its size against the term budget.
        let mut v = base();
        v["achievements"] = (0..2000)
            .map(|i| json!({"id": format!("urn:a:{i}"), "name": "x"}))
            .collect();
        v["stacks"] = (0..60)
            .map(|i| {
                json!({"id": format!("urn:s:{i}"), "name": "S",
            "achievement": {"id": format!("urn:a:s{i}")}, "rule": {"atLeast": 1, "of": "catalog"}})
            })
            .collect();
        let err = StackSet::from_json(&v).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Limit, "{err}");
        // A stack nesting itself is a cycle.
        let mut v = base();
        v["stacks"][0]["rule"] = json!({"allOf": ["urn:a:1", {"stack": "urn:s:1"}]});
        assert!(StackSet::from_json(&v)
            .unwrap_err()
            .to_string()
            .contains("cycle"));
    }
}
