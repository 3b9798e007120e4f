//! [`ReviewPolicy`]: how a program reviews submissions — how many assessors, how their
//! disagreement is resolved, whether an approver signs off, which qualification an assessor must
//! hold, whether assessors endorse the badge — read from a JSON or TOML definition file like
//! stacks and credit policies.

use std::fmt;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::definition_file::{bad, check_keys, positive_count, req_str};
use crate::error::Result;

/// Most assessors a policy may require (a committee larger than this is a mistake).
pub const MAX_ASSESSORS: usize = 12;

/// How the counted assessors' levels become one level per criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Resolution {
    /// `all-must-pass`: a criterion passes only when every counted assessor's level reaches the
    /// required level; the level recorded is the lowest given.
    AllMustPass,
    /// `third-breaks-tie`: when the counted assessors split evenly on whether a criterion passes,
    /// one more qualified assessor is counted and the median level of all of them stands;
    /// otherwise the lower of the agreeing levels is recorded.
    ThirdBreaksTie,
    /// `lower-score-stands`: each criterion gets the lowest level any counted assessor gave.
    LowerScoreStands,
    /// `majority` (a committee): each criterion gets the median level (the lower median for an
    /// even committee), so it passes only when a strict majority passes it.
    Majority,
}

impl Resolution {
    /// The kebab-case name used in policy files.
    pub fn as_str(&self) -> &'static str {
        match self {
            Resolution::AllMustPass => "all-must-pass",
            Resolution::ThirdBreaksTie => "third-breaks-tie",
            Resolution::LowerScoreStands => "lower-score-stands",
            Resolution::Majority => "majority",
        }
    }

    /// The resolution with this name.
    pub fn parse(s: &str) -> Option<Resolution> {
        [
            Resolution::AllMustPass,
            Resolution::ThirdBreaksTie,
            Resolution::LowerScoreStands,
            Resolution::Majority,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A credential an assessor must hold ("holds the calibration badge"): a verified credential
/// for `achievement`, issued to the assessor by one of `issuers`, earned before the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Qualification {
    /// What people call it ("Assessor calibration").
    pub name: String,
    /// The achievement id the credential must be for.
    pub achievement: String,
    /// The issuers whose credentials count (required: anyone can issue a credential that merely
    /// claims an achievement id).
    pub issuers: Vec<String>,
}

/// The administrator's sign-off a policy may require.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalRule {
    /// Who may approve (ids as written in the reviews file, usually DIDs).
    pub approvers: Vec<String>,
}

/// A program's review policy. See the [module documentation](crate::award) for how it is
/// applied.
///
/// # Example
/// ```
/// use openbadges::award::{ReviewPolicy, Resolution};
/// let toml = br#"
/// name = "Two assessors, a third breaks ties"
/// assessors = 2
/// resolution = "third-breaks-tie"
/// endorsements = true
/// [approval]
/// approvers = ["did:example:principal"]
/// [[qualifications]]
/// name = "Assessor calibration"
/// achievement = "https://riverside.example/achievements/assessor-calibration"
/// issuers = ["https://riverside.example/issuers/1"]
/// "#;
/// let policy = ReviewPolicy::from_json(&openbadges::definition_file::parse(toml, true)?)?;
/// assert_eq!(policy.resolution, Resolution::ThirdBreaksTie);
/// assert_eq!(policy.assessors, 2);
/// assert!(policy.approval.is_some() && policy.endorsements);
///
/// let bad = serde_json::json!({"name": "x", "assessors": 2, "resolution": "coin-toss"});
/// let err = ReviewPolicy::from_json(&bad).unwrap_err();
/// assert_eq!(err.pointer(), Some("/resolution"));
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewPolicy {
    /// The policy's name (quoted in the review record the badge carries).
    pub name: String,
    /// How many qualified assessors' reviews are counted (a committee's size).
    pub assessors: usize,
    /// How their levels are resolved.
    pub resolution: Resolution,
    /// Whether each counted assessor signs an EndorsementCredential of the badge.
    pub endorsements: bool,
    /// The sign-off required after the assessors, if any.
    pub approval: Option<ApprovalRule>,
    /// What every assessor must hold.
    pub qualifications: Vec<Qualification>,
}

impl ReviewPolicy {
    /// A policy counting `assessors` reviews resolved by `resolution`, no approval, no
    /// qualification, no endorsements.
    pub fn new(name: impl Into<String>, assessors: usize, resolution: Resolution) -> Self {
        ReviewPolicy {
            name: name.into(),
            assessors,
            resolution,
            endorsements: false,
            approval: None,
            qualifications: Vec::new(),
        }
    }

    /// Reads a policy file (`.toml`, or JSON). Errors name the file and carry a JSON Pointer.
    pub fn load(path: &Path) -> Result<Self> {
        let v = crate::definition_file::load(path)?;
        Self::from_json(&v).map_err(|e| e.context(format!("in {}", path.display())))
    }

    /// Validates a policy given as JSON (the TOML form parses to the same value).
    pub fn from_json(v: &Value) -> Result<Self> {
        check_keys(
            v,
            &[
                "name",
                "assessors",
                "resolution",
                "endorsements",
                "approval",
                "qualifications",
            ],
            "",
        )?;
        let name = req_str(v, "name", "")?.to_string();
        let assessors = positive_count(
            v.get("assessors").unwrap_or(&Value::Null),
            "/assessors",
            "`assessors`",
        )?;
        if assessors > MAX_ASSESSORS {
            return Err(bad(
                "/assessors",
                format!("`assessors` is {assessors}; at most {MAX_ASSESSORS} are supported"),
            ));
        }
        let resolution = match v.get("resolution") {
            None => Resolution::AllMustPass,
            Some(r) => r.as_str().and_then(Resolution::parse).ok_or_else(|| {
                bad(
                    "/resolution",
                    format!(
                        "unknown resolution {r} (expected all-must-pass, third-breaks-tie, lower-score-stands or majority)"
                    ),
                )
            })?,
        };
        if resolution == Resolution::ThirdBreaksTie && assessors % 2 == 1 {
            return Err(bad(
                "/assessors",
                format!("third-breaks-tie needs an even number of assessors (a tie is possible only then); found {assessors}"),
            ));
        }
        let endorsements = match v.get("endorsements") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(bad("/endorsements", "`endorsements` must be true or false")),
        };
        let approval = match v.get("approval") {
            None => None,
            Some(a) => {
                check_keys(a, &["approvers"], "/approval")?;
                let approvers = string_list(a.get("approvers"), "/approval/approvers")?;
                if approvers.is_empty() {
                    return Err(bad(
                        "/approval/approvers",
                        "an approval needs at least one approver",
                    ));
                }
                Some(ApprovalRule { approvers })
            }
        };
        let mut qualifications = Vec::new();
        match v.get("qualifications") {
            None => {}
            Some(Value::Array(qs)) => {
                for (i, q) in qs.iter().enumerate() {
                    let at = format!("/qualifications/{i}");
                    check_keys(q, &["name", "achievement", "issuers"], &at)?;
                    let achievement = req_str(q, "achievement", &at)?.to_string();
                    let name = match q.get("name") {
                        None => achievement.clone(),
                        Some(_) => req_str(q, "name", &at)?.to_string(),
                    };
                    let issuers = string_list(q.get("issuers"), &format!("{at}/issuers"))?;
                    if issuers.is_empty() {
                        return Err(bad(
                            &format!("{at}/issuers"),
                            "a qualification must name the issuers whose credentials count (anyone can issue a credential claiming an achievement id)",
                        ));
                    }
                    qualifications.push(Qualification {
                        name,
                        achievement,
                        issuers,
                    });
                }
            }
            Some(_) => {
                return Err(bad(
                    "/qualifications",
                    "`qualifications` must be an array of tables",
                ))
            }
        }
        Ok(ReviewPolicy {
            name,
            assessors,
            resolution,
            endorsements,
            approval,
            qualifications,
        })
    }

    /// One line for people: "2 assessors, third-breaks-tie, approval by …".
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} assessor{}, {}",
            self.name,
            self.assessors,
            if self.assessors == 1 { "" } else { "s" },
            self.resolution
        );
        for q in &self.qualifications {
            s.push_str(&format!(", holding {}", q.name));
        }
        if let Some(a) = &self.approval {
            s.push_str(&format!(", approved by one of {}", a.approvers.join(", ")));
        }
        s
    }
}

fn string_list(v: Option<&Value>, at: &str) -> Result<Vec<String>> {
    let Some(Value::Array(a)) = v else {
        return Err(bad(at, "expected an array of strings"));
    };
    let mut out: Vec<String> = Vec::with_capacity(a.len());
    for (i, s) in a.iter().enumerate() {
        match s.as_str().map(str::trim) {
            Some(s) if !s.is_empty() => {
                if out.iter().any(|x| x == s) {
                    return Err(bad(&format!("{at}/{i}"), format!("`{s}` is listed twice")));
                }
                out.push(s.to_string());
            }
            _ => return Err(bad(&format!("{at}/{i}"), "expected a non-empty string")),
        }
    }
    Ok(out)
}
