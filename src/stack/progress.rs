//! Progress toward a stack: which members are earned, which are missing, how far along, and why
//! each credential did or did not count.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::definition::{Pace, Rule, Stack, StackSet};
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
    /// Whether it met the pace (always true for an open period).
    pub met: bool,
}

/// Progress toward one stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackProgress {
    /// The stack's id.
    pub stack: String,
    /// Its name.
    pub name: String,
    /// Complete: the rule is met (and the pace was kept).
    pub complete: bool,
    /// When the rule was first met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// Percentage of the required members earned (0–100).
    pub percent: f64,
    /// How many member achievements the stack requires (nested stacks included).
    pub required: usize,
    /// How many more member achievements are needed.
    pub still_needed: usize,
    /// Members earned (directly; nested stacks report their own).
    pub earned: Vec<Member>,
    /// Members not earned that could still count.
    pub missing: Vec<Member>,
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
}

impl fmt::Display for StackProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.complete {
            match self.completed_at {
                Some(t) => format!("COMPLETE on {}", t.format("%Y-%m-%d")),
                None => "COMPLETE".into(),
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
        for (s, done) in &self.nested {
            writeln!(f, "  {} stack {s}", if *done { "✓" } else { "·" })?;
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

/// Whether rules are met by a set of achievements, nested stacks evaluated once each (a stack
/// reached through many paths — a diamond — would otherwise cost exponential time).
struct Met<'a, 'e> {
    set: &'a StackSet,
    earned: &'e HashSet<&'a str>,
    stacks: std::cell::RefCell<HashMap<&'a str, bool>>,
}

impl<'a, 'e> Met<'a, 'e> {
    fn new(set: &'a StackSet, earned: &'e HashSet<&'a str>) -> Self {
        Met {
            set,
            earned,
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
                if !seen.insert(s) {
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
/// (exact for the usual shapes; an upper bound when nested stacks overlap unusually). Bounded
/// by the catalog: each step adds one achievement not yet held.
fn still_needed<'a>(set: &'a StackSet, rule: &'a Rule, earned: &HashSet<&'a str>) -> usize {
    let mut have: HashSet<&'a str> = earned.clone();
    let mut n = 0;
    loop {
        let next = {
            let met = Met::new(set, &have);
            if met.rule(rule) {
                break;
            }
            met.next_missing(rule, &mut HashSet::new())
        };
        match next {
            Some(a) => {
                have.insert(a);
                n += 1;
            }
            None => break,
        }
    }
    n
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

fn pace_periods(pace: &Pace, dates: &[DateTime<Utc>], until: DateTime<Utc>) -> Vec<PeriodCount> {
    let Some(start) = pace.from.or_else(|| dates.iter().min().copied()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut from = start;
    // Bounded: at most 100 periods (a century of years).
    while from <= until && out.len() < 100 {
        let to = pace.per.end(from);
        let count = dates.iter().filter(|d| **d >= from && **d < to).count();
        let ended = to <= until;
        out.push(PeriodCount {
            from,
            to,
            count,
            ended,
            met: !ended || count >= pace.at_least,
        });
        from = to;
    }
    out
}

/// Progress toward the stack `stack_id` of `set`, from `portfolio`, as of `now`.
///
/// Credentials count in the order they were earned; one that did not verify, was revoked,
/// expired, is for someone else or from an issuer the trust list refuses does not count, nor does
/// a second credential for the same achievement (or the same credential presented twice), nor one
/// earned before an achievement the stack orders first.
///
/// # Example
/// ```
/// use openbadges::portfolio::Portfolio;
/// use openbadges::stack::{progress, StackSet};
/// let set = StackSet::from_json(&serde_json::json!({
///   "achievements": [{"id": "urn:a:1", "name": "One"}, {"id": "urn:a:2", "name": "Two"}],
///   "stacks": [{"id": "urn:s:1", "name": "Both",
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
    let mut memo = HashMap::new();
    progress_memo(set, stack_id, portfolio, now, &mut memo)
}

/// Progress toward every stack of `set`, in file order.
pub fn progress_all(
    set: &StackSet,
    portfolio: &Portfolio,
    now: DateTime<Utc>,
) -> Result<Vec<StackProgress>> {
    let mut memo = HashMap::new();
    set.stacks
        .iter()
        .map(|s| progress_memo(set, &s.id, portfolio, now, &mut memo))
        .collect()
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
    // Nested stacks first (the definition is acyclic).
    let mut nested: HashMap<String, StackProgress> = HashMap::new();
    fn nested_ids(r: &Rule, out: &mut Vec<String>) {
        match r {
            Rule::Stack(s) => out.push(s.clone()),
            Rule::Achievement(_) => {}
            Rule::AllOf(rs) | Rule::AtLeast { of: rs, .. } => {
                rs.iter().for_each(|r| nested_ids(r, out))
            }
        }
    }
    let mut ids = Vec::new();
    nested_ids(&stack.rule, &mut ids);
    for id in ids {
        let p = progress_memo(set, &id, portfolio, now, memo)?;
        nested.insert(id, p);
    }

    let mut members = HashSet::new();
    reachable(set, stack, &mut members);

    let holdings = portfolio.holdings();
    let mut order: Vec<usize> = (0..holdings.len()).collect();
    // Dates parsed once, not per comparison.
    let earned: Vec<_> = holdings.iter().map(Holding::earned).collect();
    order.sort_by_key(|&i| (earned[i].is_none(), earned[i], i));

    let mut standings: Vec<Option<CredentialStanding>> = vec![None; holdings.len()];
    let mut counted_by_achievement: HashMap<String, usize> = HashMap::new();
    let mut seen_credentials: HashMap<String, usize> = HashMap::new();
    let mut counted = Vec::new();
    for &i in &order {
        let h: &Holding = &holdings[i];
        let standing = |exclusion: Option<Exclusion>| CredentialStanding {
            source: h.source.clone(),
            credential_id: h.credential_id().map(String::from),
            achievement: h.achievement_id().map(String::from),
            counted: exclusion.is_none(),
            exclusion,
        };
        let exclusion = h.exclusion().or_else(|| {
            let key = h.credential_id().unwrap_or(&h.digest).to_string();
            if let Some(&j) = seen_credentials.get(&key) {
                return Some(Exclusion::Duplicate {
                    of: holdings[j].source.clone(),
                });
            }
            seen_credentials.insert(key, i);
            let a = h.achievement_id()?;
            if !members.contains(a) {
                return Some(Exclusion::NotAMember {
                    achievement: Some(a.to_string()),
                });
            }
            if let Some(&j) = counted_by_achievement.get(a) {
                return Some(Exclusion::Duplicate {
                    of: holdings[j].label().to_string(),
                });
            }
            for o in stack.order.iter().filter(|o| o.after == a) {
                let first = counted_by_achievement
                    .get(&o.before)
                    .map(|&j| holdings[j].earned());
                let ok = matches!(first, Some(f) if f <= h.earned());
                if !ok {
                    return Some(Exclusion::OutOfOrder {
                        requires: o.before.clone(),
                    });
                }
            }
            None
        });
        let exclusion = match exclusion {
            None if h.achievement_id().is_none() => {
                Some(Exclusion::NotAMember { achievement: None })
            }
            e => e,
        };
        if exclusion.is_none() {
            if let Some(a) = h.achievement_id() {
                counted_by_achievement.insert(a.to_string(), i);
                counted.push(i);
            }
        }
        standings[i] = Some(standing(exclusion));
    }

    // When was the rule first met? Replay the counted credentials in earned order.
    let date_of = |i: usize| holdings[i].earned();
    let mut completed_at = None;
    let mut so_far: HashSet<&str> = HashSet::new();
    for &i in &counted {
        so_far.insert(holdings[i].achievement_id().unwrap_or_default());
        let t = date_of(i);
        let nested_done = |s: &str| {
            nested
                .get(s)
                .is_some_and(|p| p.complete && (p.completed_at <= t || t.is_none()))
        };
        if satisfied(&stack.rule, &|a| so_far.contains(a), &nested_done) {
            completed_at = Some(t);
            break;
        }
    }
    let earned_set: HashSet<&str> = counted
        .iter()
        .filter_map(|&i| holdings[i].achievement_id())
        .collect();
    let used = earned_set.iter().filter(|a| members.contains(**a)).count();
    let missing_count = still_needed(set, &stack.rule, &earned_set);
    let (have, need) = (used.min(used + missing_count), used + missing_count);
    let rule_is_met = completed_at.is_some();

    // Pace: judged over periods that ended before completion (or before now).
    let (pace, lapsed) = match &stack.pace {
        None => (None, false),
        Some(p) => {
            let dates: Vec<DateTime<Utc>> = counted.iter().filter_map(|&i| date_of(i)).collect();
            let until = completed_at.flatten().unwrap_or(now).min(now);
            let periods = pace_periods(p, &dates, until);
            let lapsed = periods.iter().any(|x| !x.met);
            (Some(periods), lapsed)
        }
    };
    let complete = rule_is_met && !lapsed;

    let name_of = |a: &str| {
        set.achievements
            .get(a)
            .map(|e| e.name.clone())
            .unwrap_or_else(|| a.to_string())
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
    let mut nested_list: Vec<(String, bool)> = nested
        .iter()
        .map(|(k, p)| (k.clone(), p.complete))
        .collect();
    nested_list.sort();
    let percent = if complete {
        100.0
    } else {
        ((have as f64 / need.max(1) as f64) * 1000.0).round() / 10.0
    };
    let result = StackProgress {
        stack: stack.id.clone(),
        name: stack.name.clone(),
        complete,
        completed_at: if complete {
            completed_at.flatten()
        } else {
            None
        },
        percent,
        required: need,
        still_needed: if complete {
            0
        } else {
            need.saturating_sub(have)
        },
        earned,
        missing,
        nested: nested_list,
        pace,
        lapsed,
        credentials: standings.into_iter().flatten().collect(),
        counted,
    };
    memo.insert(stack_id.to_string(), result.clone());
    Ok(result)
}
