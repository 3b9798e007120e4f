//! Portfolio valuation: apply a [`CreditPolicy`] to verified credentials, for a human resources
//! office (text) and for systems (JSON).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;

use super::{CreditPolicy, Selector, Threshold};
use crate::error::{Error, ErrorKind, Result};
use crate::portfolio::{Exclusion, Holding, Portfolio};
use crate::stack::StackProgress;

/// A unit's total.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Total {
    /// The unit.
    pub unit: String,
    /// The total after the cap.
    pub amount: f64,
    /// The total before the cap, when the cap cut it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncapped: Option<f64>,
}

/// Whether a step was reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepOutcome {
    /// The step's name.
    pub name: String,
    /// Reached or not.
    pub reached: bool,
    /// What it earns.
    pub amount: f64,
    /// In what unit.
    pub unit: String,
    /// Why (`15 of 15 badges`, `stack … complete`).
    pub why: String,
}

/// How one credential fared under the policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialValue {
    /// Where it came from.
    pub source: String,
    /// Its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// Its achievement's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement_name: Option<String>,
    /// Its achievement id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement: Option<String>,
    /// The policy's achievement it counted as, when an equivalence applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted_as: Option<String>,
    /// That achievement's name in the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted_as_name: Option<String>,
    /// Whether it counted.
    pub counted: bool,
    /// What it is worth, per unit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<(f64, String)>,
    /// Why it did not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusion: Option<Exclusion>,
}

/// A portfolio valued under a policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Valuation {
    /// The policy's id.
    pub policy: String,
    /// Its name.
    pub policy_name: String,
    /// Credentials that counted.
    pub counted: usize,
    /// Totals per unit (values, conversions and steps, after caps), sorted by unit.
    pub totals: Vec<Total>,
    /// Every step and whether it was reached.
    pub steps: Vec<StepOutcome>,
    /// Every credential, in the order presented.
    pub credentials: Vec<CredentialValue>,
}

fn fmt_amount(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

impl fmt::Display for Valuation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.policy_name)?;
        writeln!(
            f,
            "  {} of {} credentials counted",
            self.counted,
            self.credentials.len()
        )?;
        writeln!(f, "Totals")?;
        if self.totals.is_empty() {
            writeln!(f, "  (nothing)")?;
        }
        for t in &self.totals {
            let cap = t
                .uncapped
                .map(|u| format!(" (capped; {} before the cap)", fmt_amount(u)))
                .unwrap_or_default();
            writeln!(f, "  {} {}{cap}", fmt_amount(t.amount), t.unit)?;
        }
        if !self.steps.is_empty() {
            writeln!(f, "Steps")?;
            for s in &self.steps {
                writeln!(
                    f,
                    "  [{}] {}: {} {} ({})",
                    if s.reached { "x" } else { " " },
                    s.name,
                    fmt_amount(s.amount),
                    s.unit,
                    s.why
                )?;
            }
        }
        writeln!(f, "Counted")?;
        for c in self.credentials.iter().filter(|c| c.counted) {
            let name = c.achievement_name.as_deref().unwrap_or("credential");
            let worth: Vec<String> = c
                .values
                .iter()
                .map(|(a, u)| format!("{} {u}", fmt_amount(*a)))
                .collect();
            let as_ = match (&c.counted_as_name, &c.counted_as) {
                (Some(n), _) => format!(" (counts as our \"{n}\")"),
                (None, Some(a)) => format!(" (counts as {a})"),
                _ => String::new(),
            };
            writeln!(
                f,
                "  + {name}{as_}: {}",
                if worth.is_empty() {
                    "counted".into()
                } else {
                    worth.join(", ")
                }
            )?;
        }
        let not: Vec<&CredentialValue> = self.credentials.iter().filter(|c| !c.counted).collect();
        if !not.is_empty() {
            writeln!(f, "Not counted")?;
            for c in not {
                let name = c
                    .achievement_name
                    .as_deref()
                    .or(c.credential_id.as_deref())
                    .unwrap_or(&c.source);
                let why = c
                    .exclusion
                    .as_ref()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                writeln!(f, "  - {name} [{}]: {why}", c.source)?;
            }
        }
        Ok(())
    }
}

/// How many of the counted holdings were earned in the window (for this teacher: extensions
/// apply); all of them without a window.
fn count_in_window(
    holdings: &[Holding],
    w: &Option<crate::portfolio::Window>,
    counted: &[usize],
) -> usize {
    match w {
        None => counted.len(),
        Some(w) => counted
            .iter()
            .filter(|&&i| w.contains(holdings[i].earned(), |r| holdings[i].is_for(r)))
            .count(),
    }
}

impl CreditPolicy {
    /// Values `portfolio` under this policy. `stacks` is the progress of the stacks the policy's
    /// steps name (from [`crate::stack::progress_all`] over the same portfolio).
    ///
    /// A credential counts when it verified (current, not revoked, this teacher's, trusted), comes
    /// from an accepted issuer (`acceptedIssuers`; without that list, only issuers the verifier's
    /// trust list registers), is recognised (directly or through an equivalence), meets the
    /// policy's requirements (window, endorsements, rubric), is not a stack award (those count
    /// through their step) and is not a second copy of a credential or of an achievement already
    /// counted. A portfolio is one teacher's: credentials issued to several people are refused.
    ///
    /// # Example
    /// ```
    /// use openbadges::policy::CreditPolicy;
    /// use openbadges::portfolio::Portfolio;
    /// let policy = CreditPolicy::from_json(&serde_json::json!({
    ///   "id": "urn:policy:a", "name": "District A", "conversions": [{"every": 2, "amount": 1, "unit": "CPD units"}]
    /// }))?;
    /// let v = policy.value(&Portfolio::new(), &[])?;
    /// assert_eq!(v.counted, 0);
    /// assert!(v.totals.is_empty());
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn value(&self, portfolio: &Portfolio, stacks: &[StackProgress]) -> Result<Valuation> {
        portfolio.one_holder()?;
        let holdings = portfolio.holdings();
        let mut order: Vec<usize> = (0..holdings.len()).collect();
        // Dates parsed once, not per comparison.
        let earned: Vec<_> = holdings.iter().map(Holding::earned).collect();
        order.sort_by_key(|&i| (earned[i].is_none(), earned[i], i));
        let mut seen_credentials: HashMap<String, usize> = HashMap::new();
        let mut counted_achievements: HashMap<String, usize> = HashMap::new();
        let mut rows: Vec<Option<CredentialValue>> = vec![None; holdings.len()];
        let mut sums: BTreeMap<String, f64> = BTreeMap::new();
        let mut counted = 0usize;
        let mut counted_holdings: Vec<usize> = Vec::new();

        for &i in &order {
            let h: &Holding = &holdings[i];
            let original = h.achievement_id().map(String::from);
            let as_ours = original.as_deref().map(|a| self.counts_as(a).to_string());
            // Endorsements count through the credentials they endorse.
            let endorsement = (h.is_endorsement() || h.is_container())
                .then_some(Exclusion::NotAMember { achievement: None });
            let exclusion = endorsement.or_else(|| h.exclusion()).or_else(|| {
                let issuer = h.issuer_id().unwrap_or_default();
                let accepted = match &self.accepted_issuers {
                    Some(acc) => acc.contains(issuer),
                    None => h.report.trusted == Some(true),
                };
                if !accepted {
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
                let Some(a) = as_ours.as_deref() else {
                    return Some(Exclusion::NotAMember { achievement: None });
                };
                if let Some(p) = stacks.iter().find(|p| p.achievement == a) {
                    return Some(Exclusion::StackAward {
                        stack: p.name.clone(),
                    });
                }
                if let Some(cat) = &self.achievements {
                    if !cat.contains_key(a) {
                        return Some(Exclusion::NotRecognized {
                            achievement: a.to_string(),
                        });
                    }
                }
                if let Some(&j) = counted_achievements.get(a) {
                    return Some(Exclusion::Duplicate {
                        of: holdings[j].label().to_string(),
                    });
                }
                self.requirements.exclusion(h, portfolio)
            });
            let mut values = Vec::new();
            if exclusion.is_none() {
                counted += 1;
                counted_holdings.push(i);
                let a = as_ours.clone().unwrap_or_default();
                counted_achievements.insert(a.clone(), i);
                // Per unit, the most specific matching entry.
                let mut best: BTreeMap<&str, (u8, f64)> = BTreeMap::new();
                for r in &self.values {
                    let matches = match &r.selector {
                        Selector::Achievement(x) => *x == a || Some(x) == original.as_ref(),
                        Selector::AchievementType(t) => h.achievement_type() == Some(t.as_str()),
                        Selector::Issuer(x) => h.issuer_id() == Some(x.as_str()),
                        Selector::TypeAndIssuer {
                            achievement_type,
                            issuer,
                        } => {
                            h.achievement_type() == Some(achievement_type.as_str())
                                && h.issuer_id() == Some(issuer.as_str())
                        }
                        Selector::Any => true,
                    } && r
                        .window
                        .as_ref()
                        .is_none_or(|w| w.contains(h.earned(), |x| h.is_for(x)));
                    if matches {
                        let e = best.entry(&r.unit).or_insert((0, 0.0));
                        if r.selector.rank() >= e.0 {
                            *e = (r.selector.rank(), r.amount);
                        }
                    }
                }
                for (unit, (_, amount)) in best {
                    *sums.entry(unit.to_string()).or_default() += amount;
                    values.push((amount, unit.to_string()));
                }
            }
            rows[i] = Some(CredentialValue {
                source: h.source.clone(),
                credential_id: h.credential_id().map(String::from),
                achievement_name: h.achievement_name().map(String::from),
                achievement: original.clone(),
                counted_as_name: as_ours
                    .as_ref()
                    .filter(|o| Some(*o) != original.as_ref())
                    .and_then(|o| self.achievements.as_ref()?.get(o).cloned()),
                counted_as: as_ours.filter(|o| Some(o) != original.as_ref()),
                counted: exclusion.is_none(),
                values,
                exclusion,
            });
        }
        for c in &self.conversions {
            let n = (count_in_window(holdings, &c.window, &counted_holdings) / c.every) as f64;
            if n > 0.0 {
                *sums.entry(c.unit.clone()).or_default() += n * c.amount;
            }
        }
        let mut steps = Vec::new();
        for s in &self.steps {
            let (reached, why) = match &s.threshold {
                Threshold::Count(n) => {
                    let have = count_in_window(holdings, &s.window, &counted_holdings);
                    let within = if s.window.is_some() {
                        " in the window"
                    } else {
                        ""
                    };
                    (
                        have >= *n,
                        format!("{} of {n} badges{within}", have.min(*n)),
                    )
                }
                Threshold::Stack(id) => {
                    let p = stacks.iter().find(|p| p.stack == *id).ok_or_else(|| {
                        Error::new(
                            ErrorKind::Usage,
                            format!(
                                "the policy's step `{}` names the stack `{id}`; give its stack definitions",
                                s.name
                            ),
                        )
                    })?;
                    let holder_is = |r: &str| {
                        p.counted
                            .iter()
                            .filter_map(|&i| holdings.get(i))
                            .any(|h| h.is_for(r))
                    };
                    let in_time = s
                        .window
                        .as_ref()
                        .is_none_or(|w| w.contains(p.completed_at, holder_is));
                    let why = if p.complete && !in_time {
                        format!(
                            "{} complete{}, outside the step's window",
                            p.name,
                            p.completed_at
                                .map(|d| format!(" on {}", d.format("%Y-%m-%d")))
                                .unwrap_or_default()
                        )
                    } else if p.complete {
                        format!("{} complete", p.name)
                    } else {
                        format!(
                            "{}: {}% ({} more needed)",
                            p.name, p.percent, p.still_needed
                        )
                    };
                    (p.complete && in_time, why)
                }
            };
            if reached {
                *sums.entry(s.unit.clone()).or_default() += s.amount;
            }
            steps.push(StepOutcome {
                name: s.name.clone(),
                reached,
                amount: s.amount,
                unit: s.unit.clone(),
                why,
            });
        }
        let totals = sums
            .into_iter()
            .map(|(unit, amount)| match self.caps.get(&unit) {
                Some(&cap) if amount > cap => Total {
                    unit,
                    amount: cap,
                    uncapped: Some(amount),
                },
                _ => Total {
                    unit,
                    amount,
                    uncapped: None,
                },
            })
            .collect();
        Ok(Valuation {
            policy: self.id.clone(),
            policy_name: self.name.clone(),
            counted,
            totals,
            steps,
            credentials: rows.into_iter().flatten().collect(),
        })
    }
}
