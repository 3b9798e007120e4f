//! Progress toward a stack: which members are earned, which are missing, how far along, and why
//! each credential did or did not count.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::definition::{OrderItem, Pace, Rule, Stack, StackSet};
use crate::error::{Error, Result};
use crate::portfolio::{Exclusion, Holding, Portfolio};

/// A member achievement in a progress report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The achievement id.
    pub achievement: String,
    /// Its name (from the catalog).
    pub name: String,
    /// The credential that earned it (its id, else its source), when earned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// When it was earned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earned: Option<DateTime<Utc>>,
}

/// How one credential fared for this stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialStanding {
    /// Where it came from.
    pub source: String,
    /// Its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// Its achievement id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement: Option<String>,
    /// Whether it counted.
    pub counted: bool,
    /// Why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusion: Option<Exclusion>,
}

/// Members earned in one pace period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeriodCount {
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
    /// Members earned in it.
    pub count: usize,
    /// Whether the period had ended when judged (an open period is not judged yet).
    pub ended: bool,
    /// Whether it was judged: it ended, and before the stack was complete.
    pub judged: bool,
    /// Whether it met the pace (always true for a period not judged).
    pub met: bool,
}

/// A nested stack not complete yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingStack {
    /// The nested stack's id.
    pub stack: String,
    /// Its name.
    pub name: String,
    /// How many more member achievements it needs.
    pub still_needed: usize,
    /// Its member achievements not earned yet (names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Why it is not complete although its members are earned, when that is the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Progress toward one stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackProgress {
    /// The stack's id.
    pub stack: String,
    /// Its name.
    pub name: String,
    /// The stack-level achievement's id (what its award credential is for).
    pub achievement: String,
    /// Complete: the rule is met (and the pace was kept).
    pub complete: bool,
    /// When the rule was first met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// The stack award in the portfolio that completes it, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub awarded: Option<String>,
    /// Percentage of the required members earned (0–100; below 100 until complete).
    pub percent: f64,
    /// How many member achievements the stack requires (nested stacks included).
    pub required: usize,
    /// How many more member achievements are needed (at least 1 until complete: a nested stack
    /// that cannot be completed by more badges counts as one).
    pub still_needed: usize,
    /// Members earned (directly; nested stacks report their own).
    pub earned: Vec<Member>,
    /// Members not earned that could still count.
    pub missing: Vec<Member>,
    /// Nested stacks not complete yet, in rule order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_stacks: Vec<MissingStack>,
    /// Nested stacks and whether each is complete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nested: Vec<(String, bool)>,
    /// The pace, period by period, when the stack has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pace: Option<Vec<PeriodCount>>,
    /// True when an ended period fell short of the pace (the teacher is no longer enrolled).
    pub lapsed: bool,
    /// Every credential in the portfolio and whether it counted for this stack.
    pub credentials: Vec<CredentialStanding>,
    /// Index (into the portfolio) of each counted credential, for [`super::award`].
    #[serde(skip)]
    pub(crate) counted: Vec<usize>,
    /// Not complete, and more badges cannot complete it (pace lapsed, order broken).
    #[serde(skip)]
    pub(crate) blocked: bool,
}

impl fmt::Display for StackProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.complete {
            let by = self
                .awarded
                .as_ref()
                .map(|a| format!(" (stack award {a})"))
                .unwrap_or_default();
            match self.completed_at {
                Some(t) => format!("COMPLETE on {}{by}", t.format("%Y-%m-%d")),
                None => format!("COMPLETE{by}"),
            }
        } else if self.lapsed {
            "LAPSED (pace not kept)".into()
        } else {
            format!("{:.0}% — {} more needed", self.percent, self.still_needed)
        };
        writeln!(f, "{} — {state}", self.name)?;
        for m in &self.earned {
            let date = m
                .earned
                .map(|d| d.format(" %Y-%m-%d").to_string())
                .unwrap_or_default();
            writeln!(f, "  ✓ {}{date}", m.name)?;
        }
        for (s, _) in self.nested.iter().filter(|(_, done)| *done) {
            writeln!(f, "  ✓ stack {s}")?;
        }
        for m in &self.missing_stacks {
            let why = m.why.as_ref().map(|w| format!(": {w}")).unwrap_or_else(|| {
                let names: Vec<&str> = m.missing.iter().take(4).map(String::as_str).collect();
                let more = if m.missing.len() > 4 { ", …" } else { "" };
                format!(
                    ": {} more needed{}{}{more}",
                    m.still_needed,
                    if names.is_empty() { "" } else { " — " },
                    names.join(", ")
                )
            });
            writeln!(f, "  · stack {} (not complete{why})", m.name)?;
        }
        // Long option lists (`at least 15 of the catalog`) are summarised; JSON has them all.
        const SHOWN: usize = 6;
        for m in self.missing.iter().take(SHOWN) {
            writeln!(f, "  · {} (missing)", m.name)?;
        }
        if self.missing.len() > SHOWN {
            writeln!(
                f,
                "  · … and {} more that would count",
                self.missing.len() - SHOWN
            )?;
        }
        if let Some(periods) = &self.pace {
            for p in periods {
                let mark = if !p.ended {
                    "open"
                } else if !p.judged {
                    "ended; stack completed in it"
                } else if p.met {
                    "met"
                } else {
                    "SHORT"
                };
                writeln!(
                    f,
                    "  pace {} – {}: {} earned ({mark})",
                    p.from.format("%Y-%m-%d"),
                    p.to.format("%Y-%m-%d"),
                    p.count
                )?;
            }
        }
        // Credentials for other achievements are simply not part of this stack: not listed
        // one by one (JSON lists them).
        let mut others = 0;
        for c in self.credentials.iter().filter(|c| !c.counted) {
            match &c.exclusion {
                Some(Exclusion::NotAMember { .. }) => others += 1,
                Some(e) => writeln!(f, "  ✗ {}: {e}", c.source)?,
                None => {}
            }
        }
        if others > 0 {
            writeln!(
                f,
                "  ({others} other credential(s) are not part of this stack)"
            )?;
        }
        Ok(())
    }
}

/// What the evaluation of a stack needs to know about a nested one.
#[derive(Debug, Clone, Copy)]
struct Known {
    complete: bool,
    blocked: bool,
    completed_at: Option<DateTime<Utc>>,
}

/// Whether rules are met by a set of achievements. A nested stack is met when its own progress
/// says complete; one that cannot be completed by earning more badges (pace lapsed, an order
/// broken) is never met; otherwise its rule is evaluated on the set (each once: a stack reached
/// through many paths — a diamond — would otherwise cost exponential time).
struct Met<'a, 'e> {
    set: &'a StackSet,
    earned: &'e HashSet<&'a str>,
    known: &'e HashMap<String, Known>,
    stacks: std::cell::RefCell<HashMap<&'a str, bool>>,
}

impl<'a, 'e> Met<'a, 'e> {
    fn new(
        set: &'a StackSet,
        earned: &'e HashSet<&'a str>,
        known: &'e HashMap<String, Known>,
    ) -> Self {
        Met {
            set,
            earned,
            known,
            stacks: Default::default(),
        }
    }

    fn rule(&self, r: &'a Rule) -> bool {
        match r {
            Rule::Achievement(a) => self.earned.contains(a.as_str()),
            Rule::Stack(s) => self.stack(s),
            Rule::AllOf(rs) => rs.iter().all(|r| self.rule(r)),
            Rule::AtLeast { n, of } => of.iter().filter(|r| self.rule(r)).count() >= *n,
        }
    }

    fn stack(&self, id: &'a str) -> bool {
        if let Some(p) = self.known.get(id) {
            if p.complete {
                return true;
            }
            if p.blocked {
                return false;
            }
        }
        if let Some(&v) = self.stacks.borrow().get(id) {
            return v;
        }
        let v = self.set.stack(id).is_some_and(|s| self.rule(&s.rule));
        self.stacks.borrow_mut().insert(id, v);
        v
    }

    /// An achievement that would bring an unmet `rule` closer to being met (depth first; each
    /// nested stack explored once).
    fn next_missing(&self, rule: &'a Rule, seen: &mut HashSet<&'a str>) -> Option<&'a str> {
        match rule {
            Rule::Achievement(a) => (!self.earned.contains(a.as_str())).then_some(a.as_str()),
            Rule::Stack(s) => {
                if !seen.insert(s) || self.known.get(s.as_str()).is_some_and(|p| p.blocked) {
                    return None;
                }
                self.set
                    .stack(s)
                    .and_then(|st| self.next_missing(&st.rule, seen))
            }
            Rule::AllOf(rs) => rs
                .iter()
                .filter(|r| !self.rule(r))
                .find_map(|r| self.next_missing(r, seen)),
            Rule::AtLeast { n, of } => {
                if of.iter().filter(|r| self.rule(r)).count() >= *n {
                    return None;
                }
                of.iter()
                    .filter(|r| !self.rule(r))
                    .find_map(|r| self.next_missing(r, seen))
            }
        }
    }
}

/// How many more distinct achievements the rule needs: adds a missing member until it is met
/// (exact for the usual shapes; an upper bound when nested stacks overlap unusually), and
/// whether adding achievements can meet it at all. Bounded by the catalog: each step adds one
/// achievement not yet held.
fn still_needed<'a>(
    set: &'a StackSet,
    rule: &'a Rule,
    earned: &HashSet<&'a str>,
    known: &HashMap<String, Known>,
) -> (usize, bool) {
    let mut have: HashSet<&'a str> = earned.clone();
    let mut n = 0;
    loop {
        let next = {
            let met = Met::new(set, &have, known);
            if met.rule(rule) {
                return (n, true);
            }
            met.next_missing(rule, &mut HashSet::new())
        };
        match next {
            Some(a) => {
                have.insert(a);
                n += 1;
            }
            None => return (n, false),
        }
    }
}

fn satisfied(rule: &Rule, earned: &dyn Fn(&str) -> bool, nested: &dyn Fn(&str) -> bool) -> bool {
    match rule {
        Rule::Achievement(a) => earned(a),
        Rule::Stack(s) => nested(s),
        Rule::AllOf(rs) => rs.iter().all(|r| satisfied(r, earned, nested)),
        Rule::AtLeast { n, of } => of.iter().filter(|r| satisfied(r, earned, nested)).count() >= *n,
    }
}

/// Every achievement a stack's rule reaches, through nested stacks too.
fn reachable<'a>(set: &'a StackSet, stack: &'a Stack, out: &mut HashSet<&'a str>) {
    fn walk<'a>(
        set: &'a StackSet,
        r: &'a Rule,
        out: &mut HashSet<&'a str>,
        seen: &mut HashSet<&'a str>,
    ) {
        match r {
            Rule::Achievement(a) => {
                out.insert(a);
            }
            Rule::Stack(s) => {
                // Each nested stack once, however many paths lead to it.
                if seen.insert(s) {
                    if let Some(s) = set.stack(s) {
                        walk(set, &s.rule, out, seen)
                    }
                }
            }
            Rule::AllOf(rs) | Rule::AtLeast { of: rs, .. } => {
                rs.iter().for_each(|r| walk(set, r, out, seen))
            }
        }
    }
    walk(set, &stack.rule, out, &mut HashSet::new());
}

/// The pace periods from `start` through `until` (completion, or now): each judged only when it
/// ended before completion, "open" only when it contains `now`.
fn pace_periods(
    pace: &Pace,
    start: DateTime<Utc>,
    dates: &[DateTime<Utc>],
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<PeriodCount> {
    let mut out = Vec::new();
    let mut from = pace.per.align(start);
    // Bounded: at most 100 periods (a century of years).
    while from <= until && out.len() < 100 {
        let to = pace.per.end(from);
        let count = dates.iter().filter(|d| **d >= from && **d < to).count();
        let ended = to <= now;
        let judged = ended && to <= until;
        out.push(PeriodCount {
            from,
            to,
            count,
            ended,
            judged,
            met: !judged || count >= pace.at_least,
        });
        if to <= from {
            break;
        }
        from = to;
    }
    out
}

/// Progress toward the stack `stack_id` of `set`, from `portfolio`, as of `now`.
///
/// Credentials count in the order they were earned; one that did not verify, was revoked,
/// expired, is for someone else, or comes from an issuer the stack does not accept (its own
/// issuer, its `acceptedIssuers`, or one the verifier's trust list registers) does not count,
/// nor does a second credential for the same achievement (or the same credential presented
/// twice), one earned before what the stack orders first, outside the stack's window, or
/// without the endorsements or rubric levels the stack requires. A verified award of the stack
/// itself completes it, unless one of its constituent credentials is presented and no longer
/// counts.
///
/// A portfolio is one teacher's: credentials issued to several people are refused
/// ([`Portfolio::one_holder`]).
///
/// # Example
/// ```
/// use openbadges::portfolio::Portfolio;
/// use openbadges::stack::{progress, StackSet};
/// let set = StackSet::from_json(&serde_json::json!({
///   "achievements": [{"id": "urn:a:1", "name": "One"}, {"id": "urn:a:2", "name": "Two"}],
///   "stacks": [{"id": "urn:s:1", "name": "Both", "issuer": "https://district.example/issuer",
///     "achievement": {"id": "urn:a:both", "type": ["Achievement"], "name": "Both",
///                     "description": "d", "criteria": {"narrative": "n"}},
///     "rule": {"allOf": ["urn:a:1", "urn:a:2"]}}]
/// }))?;
/// let p = progress(&set, "urn:s:1", &Portfolio::new(), chrono::Utc::now())?;
/// assert!(!p.complete);
/// assert_eq!(p.still_needed, 2);
/// assert_eq!(p.missing.len(), 2);
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn progress(
    set: &StackSet,
    stack_id: &str,
    portfolio: &Portfolio,
    now: DateTime<Utc>,
) -> Result<StackProgress> {
    portfolio.one_holder()?;
    let mut memo = HashMap::new();
    progress_memo(set, stack_id, portfolio, now, &mut memo)
}

/// Progress toward every stack of `set`, in file order (one teacher's portfolio, as
/// [`progress`]).
pub fn progress_all(
    set: &StackSet,
    portfolio: &Portfolio,
    now: DateTime<Utc>,
) -> Result<Vec<StackProgress>> {
    portfolio.one_holder()?;
    let mut memo = HashMap::new();
    set.stacks
        .iter()
        .map(|s| progress_memo(set, &s.id, portfolio, now, &mut memo))
        .collect()
}

/// The achievements the teacher's latest approval credential names (its achievement's
/// `alignment` `targetUrl`s), or why there is none that holds.
fn approved_choice(
    pw: &super::definition::Pathway,
    holdings: &[Holding],
) -> std::result::Result<Vec<String>, String> {
    let approval = holdings
        .iter()
        .filter(|h| h.achievement_id() == Some(pw.approval.as_str()) && h.exclusion().is_none())
        .filter(|h| {
            h.issuer_id()
                .is_some_and(|i| pw.approvers.iter().any(|a| a == i))
        })
        .max_by_key(|h| h.earned());
    let Some(h) = approval else {
        return Err(format!(
            "no verified approval of the pathway (a credential for {} from {})",
            pw.approval,
            pw.approvers.join(" or ")
        ));
    };
    let mut chosen: Vec<String> = Vec::new();
    if let Some(serde_json::Value::Array(a)) = h
        .credential
        .pointer("/credentialSubject/achievement/alignment")
    {
        for x in a {
            if let Some(u) = x.get("targetUrl").and_then(serde_json::Value::as_str) {
                if !chosen.iter().any(|c| c == u) {
                    chosen.push(u.to_string());
                }
            }
        }
    }
    if let Some(bad) = chosen.iter().find(|c| !pw.from.contains(c)) {
        return Err(format!(
            "the approval {} names {bad}, which is not in the pathway's catalog",
            h.label()
        ));
    }
    if chosen.len() != pw.choose {
        return Err(format!(
            "the approval {} names {} achievements; the pathway takes {}",
            h.label(),
            chosen.len(),
            pw.choose
        ));
    }
    Ok(chosen)
}

/// Why a stack award presented in the portfolio no longer stands: a constituent credential it
/// names (by id or digest) is presented and no longer counts.
fn award_member_gone(award: &Holding, holdings: &[Holding]) -> Option<Exclusion> {
    let evidence = match award.credential.get("evidence") {
        Some(serde_json::Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    for e in evidence {
        if e.get("genre").and_then(serde_json::Value::as_str) != Some(super::CONSTITUENT_GENRE) {
            continue;
        }
        let id = e.get("id").and_then(serde_json::Value::as_str);
        let digest = e.get("digestSRI").and_then(serde_json::Value::as_str);
        for h in holdings.iter().filter(|h| {
            (id.is_some() && h.credential_id() == id) || Some(h.digest.as_str()) == digest
        }) {
            if let Some(x) = h.exclusion() {
                let name = e
                    .get("name")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("credential");
                return Some(Exclusion::AwardMemberGone {
                    member: format!("{name} ({})", h.label()),
                    detail: x.to_string(),
                });
            }
        }
    }
    None
}

fn progress_memo(
    set: &StackSet,
    stack_id: &str,
    portfolio: &Portfolio,
    now: DateTime<Utc>,
    memo: &mut HashMap<String, StackProgress>,
) -> Result<StackProgress> {
    if let Some(p) = memo.get(stack_id) {
        return Ok(p.clone());
    }
    let stack = set
        .stack(stack_id)
        .ok_or_else(|| Error::model(format!("unknown stack `{stack_id}`")))?;
    // A per-teacher pathway: this teacher's approved choices are the rule.
    let (chosen, unapproved) = match &stack.pathway {
        None => (None, None),
        Some(pw) => match approved_choice(pw, portfolio.holdings()) {
            Ok(c) => (Some(c), None),
            Err(why) => (None, Some(why)),
        },
    };
    let resolved;
    let stack: &Stack = match &chosen {
        Some(c) => {
            let mut s = stack.clone();
            s.rule = Rule::all_of(c.iter().cloned());
            resolved = s;
            &resolved
        }
        None => stack,
    };
    // Nested stacks, and stacks the order names, first (the definition is acyclic).
    fn nested_ids(r: &Rule, out: &mut Vec<String>) {
        match r {
            Rule::Stack(s) => out.push(s.clone()),
            Rule::Achievement(_) => {}
            Rule::AllOf(rs) | Rule::AtLeast { of: rs, .. } => {
                rs.iter().for_each(|r| nested_ids(r, out))
            }
        }
    }
    let mut direct = Vec::new();
    nested_ids(&stack.rule, &mut direct);
    let mut deps = direct.clone();
    for o in &stack.order {
        for item in [&o.before, &o.after] {
            if let OrderItem::Stack(s) = item {
                deps.push(s.clone());
            }
        }
    }
    for id in &deps {
        progress_memo(set, id, portfolio, now, memo)?;
    }
    // Borrowed from the memo (a nested stack's report holds every credential's standing: not
    // copied per parent).
    let nested: HashMap<String, &StackProgress> = deps
        .iter()
        .filter_map(|id| memo.get(id).map(|p| (id.clone(), p)))
        .collect();

    let mut members = HashSet::new();
    reachable(set, stack, &mut members);
    // Members of the stacks an order puts after something.
    let after_stacks: Vec<(usize, HashSet<&str>)> = stack
        .order
        .iter()
        .enumerate()
        .filter_map(|(k, o)| match &o.after {
            OrderItem::Stack(s) => set.stack(s).map(|st| {
                let mut m = HashSet::new();
                reachable(set, st, &mut m);
                (k, m)
            }),
            OrderItem::Achievement(_) => None,
        })
        .collect();

    let holdings = portfolio.holdings();
    let mut order: Vec<usize> = (0..holdings.len()).collect();
    // Dates parsed once, not per comparison.
    let earned: Vec<_> = holdings.iter().map(Holding::earned).collect();
    order.sort_by_key(|&i| (earned[i].is_none(), earned[i], i));

    let name_of = |a: &str| {
        set.achievements
            .get(a)
            .map(|e| e.name.clone())
            .or_else(|| set.stack(a).map(|s| s.name.clone()))
            .unwrap_or_else(|| a.to_string())
    };
    let mut standings: Vec<Option<CredentialStanding>> = vec![None; holdings.len()];
    let mut counted_by_achievement: HashMap<String, usize> = HashMap::new();
    let mut seen_credentials: HashMap<String, usize> = HashMap::new();
    let mut counted = Vec::new();
    let mut award: Option<usize> = None;
    for &i in &order {
        let h: &Holding = &holdings[i];
        let as_ours = h
            .achievement_id()
            .map(|a| stack.equivalences.get(a).map_or(a, String::as_str));
        // Endorsements are about credentials, not the teacher: they count through the
        // credentials they endorse.
        let endorsement = (h.is_endorsement() || h.is_container())
            .then_some(Exclusion::NotAMember { achievement: None });
        let exclusion = endorsement.or_else(|| h.exclusion()).or_else(|| {
            let issuer = h.issuer_id().unwrap_or("(no issuer)");
            if !(stack.accepts(issuer) || h.report.trusted == Some(true)) {
                return Some(Exclusion::IssuerNotAccepted {
                    issuer: issuer.to_string(),
                });
            }
            let key = h.credential_id().unwrap_or(&h.digest).to_string();
            if let Some(&j) = seen_credentials.get(&key) {
                return Some(Exclusion::Duplicate {
                    of: holdings[j].source.clone(),
                });
            }
            seen_credentials.insert(key, i);
            let a = as_ours?;
            if a == stack.achievement_id() {
                // The stack's own award: it completes the stack while its members stand.
                if let Some(x) = award_member_gone(h, holdings) {
                    return Some(x);
                }
                if award.is_some() {
                    return Some(Exclusion::Duplicate {
                        of: holdings[award.unwrap_or(i)].label().to_string(),
                    });
                }
                award = Some(i);
                return None;
            }
            if let (Some(pw), Some(why)) = (&stack.pathway, &unapproved) {
                if pw.from.iter().any(|x| x == a) {
                    return Some(Exclusion::NotApproved {
                        detail: why.clone(),
                    });
                }
            }
            if !members.contains(a) {
                if let Some(pw) = &stack.pathway {
                    if pw.from.iter().any(|x| x == a) {
                        return Some(Exclusion::NotApproved {
                            detail: format!(
                                "{} is not among this teacher's approved choices",
                                name_of(a)
                            ),
                        });
                    }
                }
                return Some(Exclusion::NotAMember {
                    achievement: Some(a.to_string()),
                });
            }
            if let Some(&j) = counted_by_achievement.get(a) {
                return Some(Exclusion::Duplicate {
                    of: holdings[j].label().to_string(),
                });
            }
            if let Some(x) = stack.requirements.exclusion(h, portfolio) {
                return Some(x);
            }
            for (k, o) in stack.order.iter().enumerate() {
                let applies = match &o.after {
                    OrderItem::Achievement(x) => x == a,
                    OrderItem::Stack(_) => {
                        after_stacks.iter().any(|(j, m)| *j == k && m.contains(a))
                    }
                };
                if !applies {
                    continue;
                }
                let (first, requires) = match &o.before {
                    OrderItem::Achievement(b) => (
                        counted_by_achievement
                            .get(b)
                            .and_then(|&j| holdings[j].earned()),
                        name_of(b),
                    ),
                    OrderItem::Stack(s) => (
                        nested
                            .get(s)
                            .filter(|p| p.complete)
                            .and_then(|p| p.completed_at),
                        format!("the stack {}", name_of(s)),
                    ),
                };
                let ok = matches!((first, h.earned()), (Some(f), Some(e)) if f <= e);
                if !ok {
                    // Name the date it was earned on, when it was — after this one.
                    let first = first.or_else(|| match &o.before {
                        OrderItem::Achievement(b) => holdings
                            .iter()
                            .filter(|x| {
                                x.achievement_id() == Some(b.as_str()) && x.exclusion().is_none()
                            })
                            .filter_map(Holding::earned)
                            .min(),
                        OrderItem::Stack(s) => nested.get(s).and_then(|p| p.completed_at),
                    });
                    return Some(Exclusion::OutOfOrder {
                        requires,
                        earned: h.earned(),
                        first,
                    });
                }
            }
            None
        });
        let exclusion = match exclusion {
            None if as_ours.is_none() => Some(Exclusion::NotAMember { achievement: None }),
            e => e,
        };
        if exclusion.is_none() && award != Some(i) {
            if let Some(a) = as_ours {
                counted_by_achievement.insert(a.to_string(), i);
                counted.push(i);
            }
        }
        standings[i] = Some(CredentialStanding {
            source: h.source.clone(),
            credential_id: h.credential_id().map(String::from),
            achievement: h.achievement_id().map(String::from),
            counted: exclusion.is_none(),
            exclusion,
        });
    }

    // A nested stack counts when complete, and — when an order puts it after something — when
    // every member it counted was earned after that (and it was completed after it).
    let mut order_broken: HashSet<&str> = HashSet::new();
    for o in &stack.order {
        let OrderItem::Stack(after) = &o.after else {
            continue;
        };
        let Some(p) = nested.get(after) else { continue };
        let first = match &o.before {
            OrderItem::Achievement(b) => counted_by_achievement
                .get(b)
                .and_then(|&j| holdings[j].earned()),
            OrderItem::Stack(s) => nested
                .get(s)
                .filter(|p| p.complete)
                .and_then(|p| p.completed_at),
        };
        let ok = match first {
            None => false,
            Some(f) => {
                p.earned.iter().all(|m| m.earned.is_some_and(|e| e >= f))
                    && p.completed_at.is_none_or(|c| c >= f)
            }
        };
        if !ok && p.complete {
            order_broken.insert(after.as_str());
        }
    }
    let nested_known: HashMap<String, Known> = nested
        .iter()
        .map(|(k, p)| {
            let broken = order_broken.contains(k.as_str());
            let known = Known {
                complete: p.complete && !broken,
                blocked: p.blocked || broken,
                completed_at: p.completed_at,
            };
            (k.clone(), known)
        })
        .collect();

    // When was the rule first met? Replay the counted credentials in earned order.
    let date_of = |i: usize| holdings[i].earned();
    let nested_done_at = |s: &str, t: Option<DateTime<Utc>>| {
        nested_known
            .get(s)
            .is_some_and(|p| p.complete && (t.is_none() || p.completed_at <= t))
    };
    let mut completed_at = None;
    let mut so_far: HashSet<&str> = HashSet::new();
    // `counted` is in earned order: each event adds the credentials earned by then.
    let mut next = 0;
    let mut events: Vec<Option<DateTime<Utc>>> = counted.iter().map(|&i| date_of(i)).collect();
    // Nested stacks may complete after the last member of this one.
    events.extend(
        nested_known
            .values()
            .filter(|p| p.complete)
            .map(|p| p.completed_at),
    );
    events.sort_by_key(|d| (d.is_none(), *d));
    for t in events {
        while let Some(&i) = counted.get(next) {
            let d = date_of(i);
            if t.is_some() && (d.is_none() || d > t) {
                break;
            }
            so_far.insert(
                holdings[i]
                    .achievement_id()
                    .map_or("", |a| stack.equivalences.get(a).map_or(a, String::as_str)),
            );
            next += 1;
        }
        if satisfied(&stack.rule, &|a| so_far.contains(a), &|s| {
            nested_done_at(s, t)
        }) {
            completed_at = Some(t);
            break;
        }
    }
    let award_at = award.map(date_of);
    if let Some(at) = award_at {
        completed_at = match completed_at {
            Some(c) if c.is_some() && (at.is_none() || c <= at) => Some(c),
            _ => Some(at),
        };
    }
    let counted_ids: HashSet<&str> = counted_by_achievement.keys().map(String::as_str).collect();
    let used = counted_ids.iter().filter(|a| members.contains(**a)).count();
    let (greedy, reachable_by_badges) = still_needed(set, &stack.rule, &counted_ids, &nested_known);
    let rule_is_met = completed_at.is_some();

    // Pace: judged over periods that ended before completion (or before now).
    let (pace, lapsed) = match &stack.pace {
        None => (None, false),
        Some(p) => {
            let dates: Vec<DateTime<Utc>> = counted.iter().filter_map(|&i| date_of(i)).collect();
            let enrolled = p
                .enrollments
                .iter()
                .filter(|e| counted.iter().any(|&i| holdings[i].is_for(&e.recipient)))
                .map(|e| e.date)
                .min();
            let start = enrolled.or(p.from).or_else(|| dates.iter().min().copied());
            let until = completed_at.flatten().unwrap_or(now).min(now);
            let periods = match start {
                Some(start) => pace_periods(p, start, &dates, until, now),
                None => Vec::new(),
            };
            let lapsed = periods.iter().any(|x| !x.met);
            (Some(periods), lapsed)
        }
    };
    let complete = (rule_is_met && !lapsed) || award.is_some();
    let blocked = !complete && (lapsed || !reachable_by_badges || (rule_is_met && greedy == 0));
    let still = if complete {
        0
    } else {
        (greedy + usize::from(!reachable_by_badges)).max(1)
    };

    let earned: Vec<Member> = stack
        .member_achievements()
        .into_iter()
        .filter_map(|a| {
            let &i = counted_by_achievement.get(a)?;
            Some(Member {
                achievement: a.to_string(),
                name: name_of(a),
                credential: Some(holdings[i].label().to_string()),
                earned: holdings[i].earned(),
            })
        })
        .collect();
    let missing: Vec<Member> = if complete {
        Vec::new()
    } else {
        stack
            .member_achievements()
            .into_iter()
            .filter(|a| !counted_by_achievement.contains_key(*a))
            .map(|a| Member {
                achievement: a.to_string(),
                name: name_of(a),
                credential: None,
                earned: None,
            })
            .collect()
    };
    let mut missing_stacks = Vec::new();
    if !complete {
        for id in &direct {
            if missing_stacks.iter().any(|m: &MissingStack| m.stack == *id) {
                continue;
            }
            let done = nested_known.get(id).is_some_and(|k| k.complete);
            if let Some(p) = nested.get(id).filter(|_| !done) {
                missing_stacks.push(MissingStack {
                    stack: id.clone(),
                    name: p.name.clone(),
                    still_needed: p.still_needed,
                    missing: p.missing.iter().map(|m| m.name.clone()).collect(),
                    why: if order_broken.contains(id.as_str()) {
                        Some(
                            "complete, but its members were not earned in the required order"
                                .into(),
                        )
                    } else if p.lapsed {
                        Some("the pace was not kept".into())
                    } else {
                        None
                    },
                });
            }
        }
    }
    let mut nested_list: Vec<(String, bool)> = direct
        .iter()
        .filter_map(|k| nested_known.get(k).map(|p| (k.clone(), p.complete)))
        .collect();
    nested_list.sort();
    nested_list.dedup();
    let need = used + still;
    let percent = if complete {
        100.0
    } else {
        (((used as f64 / need.max(1) as f64) * 1000.0).round() / 10.0).min(99.9)
    };
    let result = StackProgress {
        stack: stack.id.clone(),
        name: stack.name.clone(),
        achievement: stack.achievement_id().to_string(),
        complete,
        completed_at: if complete {
            completed_at.flatten()
        } else {
            None
        },
        awarded: award.map(|i| holdings[i].label().to_string()),
        percent,
        required: if complete { used.max(need) } else { need },
        still_needed: still,
        earned,
        missing,
        missing_stacks,
        nested: nested_list,
        pace,
        lapsed,
        credentials: standings.into_iter().flatten().collect(),
        counted,
        blocked,
    };
    memo.insert(stack_id.to_string(), result.clone());
    Ok(result)
}
