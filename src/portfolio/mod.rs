//! A teacher's portfolio: every credential they present, in whatever form it arrived, each with
//! its verification [`Report`] — the input to stack progress ([`crate::stack`]) and credit
//! valuation ([`crate::policy`]).
//!
//! A [`Holding`] knows what it is evidence of (achievement, issuer, recipient, when it was
//! earned) and, from its report, whether it may count at all ([`Holding::exclusion`]). Whether
//! it counts *for something* (a stack member, a policy value) and duplicates are decided there.

use std::fmt;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

mod requirement;

pub use requirement::{EndorsementRule, Extension, Requirements, RubricRule, Window};

use crate::error::{Error, ErrorKind, Result};
use crate::identity::IdentityObject;
use crate::import::{import, Format, Imported};
use crate::verify::{problem_types, Check, Outcome, Report, Verifiable, Verifier};

/// Most credentials one portfolio holds (bounds the work a submitted bundle can cause).
pub const MAX_HOLDINGS: usize = 10_000;

/// Why a credential does not count. Serialises as `{"reason": "revoked", "detail": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Exclusion {
    /// A fatal check failed (signature, key, structure…): `check` is its id.
    NotVerified {
        /// The failing check.
        check: String,
        /// What it said.
        detail: String,
    },
    /// The issuer revoked or suspended it.
    Revoked {
        /// What the status check said.
        detail: String,
    },
    /// Outside its validity window (expired or not yet valid).
    Expired {
        /// What the validity check said.
        detail: String,
    },
    /// Issued to someone else than the portfolio's holder.
    NotForRecipient {
        /// What the recipient check said.
        detail: String,
    },
    /// The issuer is not on the trust list (for this achievement).
    IssuerNotTrusted {
        /// The issuer id.
        issuer: String,
    },
    /// The policy does not accept credentials from this issuer.
    IssuerNotAccepted {
        /// The issuer id.
        issuer: String,
    },
    /// The same credential, or the same achievement, was already counted.
    Duplicate {
        /// What was already counted: the source of the same credential presented earlier, or
        /// the id of another credential for the same achievement.
        of: String,
    },
    /// Its achievement is not a member of the stack (or not valued by the policy).
    NotAMember {
        /// The achievement id (after equivalences), if any.
        achievement: Option<String>,
    },
    /// The policy recognises neither the achievement nor an equivalent of it.
    NotRecognized {
        /// The achievement id.
        achievement: String,
    },
    /// Earned before an achievement (or a stack) the stack requires first.
    OutOfOrder {
        /// What must come first (its name).
        requires: String,
        /// When this credential was earned.
        earned: Option<DateTime<Utc>>,
        /// When what must come first was earned (completed), if it was.
        first: Option<DateTime<Utc>>,
    },
    /// Earned outside the date window of the rule (submissions until June 30, a pilot…).
    OutsideWindow {
        /// When it was earned.
        earned: Option<DateTime<Utc>>,
        /// The window's start.
        from: Option<DateTime<Utc>>,
        /// The window's end for this teacher (extensions applied).
        until: Option<DateTime<Utc>>,
    },
    /// Fewer verified endorsements by the listed reviewers than required.
    NotEndorsed {
        /// Distinct listed reviewers whose verified endorsement was found.
        found: usize,
        /// How many are required.
        required: usize,
    },
    /// A rubric criterion below the required level, or no result for it.
    RubricNotMet {
        /// Which criterion and what level was reached.
        detail: String,
    },
    /// A stack award whose constituent credential no longer counts (revoked, expired…).
    AwardMemberGone {
        /// The constituent credential (its id) and its achievement's name.
        member: String,
        /// Why it no longer counts.
        detail: String,
    },
    /// A stack award: it counts through its stack (a step), not as one more badge.
    StackAward {
        /// The stack's name.
        stack: String,
    },
    /// Not on the teacher's approved pathway (or no approval was found).
    NotApproved {
        /// What is missing.
        detail: String,
    },
}

fn day(d: &Option<DateTime<Utc>>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "(no date)".into())
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exclusion::NotVerified { check, detail } => {
                write!(f, "not verified ({check}: {detail})")
            }
            Exclusion::Revoked { detail } => write!(f, "revoked or suspended ({detail})"),
            Exclusion::Expired { detail } => write!(f, "expired or not yet valid ({detail})"),
            Exclusion::NotForRecipient { detail } => {
                write!(f, "not issued to this teacher ({detail})")
            }
            Exclusion::IssuerNotTrusted { issuer } => {
                write!(f, "issuer {issuer} is not trusted for this achievement")
            }
            Exclusion::IssuerNotAccepted { issuer } => write!(
                f,
                "issuer {issuer} is not accepted here (not the program's issuer, not in `acceptedIssuers`, not on the trust list)"
            ),
            Exclusion::Duplicate { of } => write!(f, "duplicate of {of}, already counted"),
            Exclusion::NotAMember { achievement } => match achievement {
                Some(a) => write!(f, "achievement {a} does not count here"),
                None => write!(f, "not an achievement credential"),
            },
            Exclusion::NotRecognized { achievement } => write!(
                f,
                "achievement {achievement} is not recognised by this policy (no equivalence)"
            ),
            Exclusion::OutOfOrder {
                requires,
                earned,
                first,
            } => match first {
                Some(_) => write!(
                    f,
                    "earned on {}, before {requires} (earned or completed on {}), which must come first",
                    day(earned),
                    day(first)
                ),
                None => write!(
                    f,
                    "earned on {}, but {requires}, which must come first, is not earned or complete",
                    day(earned)
                ),
            },
            Exclusion::OutsideWindow {
                earned,
                from,
                until,
            } => write!(
                f,
                "earned on {}, outside the window {} – {}",
                day(earned),
                from.map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| "…".into()),
                until
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| "…".into())
            ),
            Exclusion::NotEndorsed { found, required } => write!(
                f,
                "endorsed by {found} of the listed reviewers; {required} required (verified EndorsementCredentials)"
            ),
            Exclusion::RubricNotMet { detail } => write!(f, "rubric not met: {detail}"),
            Exclusion::AwardMemberGone { member, detail } => write!(
                f,
                "stack award no longer stands: its member {member} does not count ({detail})"
            ),
            Exclusion::StackAward { stack } => write!(
                f,
                "the award of the stack {stack}: it counts through the stack, not as a badge"
            ),
            Exclusion::NotApproved { detail } => write!(f, "not on an approved pathway: {detail}"),
        }
    }
}

/// One credential in a portfolio, with its verification report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holding {
    /// Where it came from (file name, `file CLR /credentialSubject/verifiableCredential/0`, …).
    pub source: String,
    /// The credential (for a VC-JWT, the credential its payload carries).
    pub credential: Value,
    /// `sha256-<base64>` (Subresource Integrity form) of the credential as received: the RFC 8785
    /// canonical JSON of a JSON-LD credential (proof included), or the compact JWS of a VC-JWT.
    pub digest: String,
    /// Its verification report.
    pub report: Report,
    /// The compact JWS, when it arrived as a VC-JWT (what a CLR must carry to stay verifiable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<String>,
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The SRI digest (`sha256-…`) of bytes.
pub fn sri_digest(bytes: &[u8]) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
    )
}

/// The digest [`Holding::digest`] records for a JSON-LD credential: SRI of its RFC 8785 form.
///
/// # Example
/// ```
/// let a = serde_json::json!({"b": 1, "a": [true]});
/// let b: serde_json::Value = serde_json::from_str("{ \"a\" : [ true ], \"b\" : 1 }")?;
/// assert_eq!(openbadges::portfolio::credential_digest(&a), openbadges::portfolio::credential_digest(&b));
/// assert!(openbadges::portfolio::credential_digest(&a).starts_with("sha256-"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn credential_digest(credential: &Value) -> String {
    sri_digest(crate::jcs::canonicalize(credential).as_bytes())
}

impl Holding {
    /// The credential's `id`.
    pub fn credential_id(&self) -> Option<&str> {
        str_at(&self.credential, "/id")
    }

    /// The achievement id (`credentialSubject.achievement.id`).
    pub fn achievement_id(&self) -> Option<&str> {
        str_at(&self.credential, "/credentialSubject/achievement/id")
    }

    /// The achievement's name.
    pub fn achievement_name(&self) -> Option<&str> {
        self.credential
            .pointer("/credentialSubject/achievement/name")
            .and_then(|n| {
                n.as_str()
                    .or_else(|| n.get("@value").and_then(Value::as_str))
            })
    }

    /// The achievement's `achievementType`.
    pub fn achievement_type(&self) -> Option<&str> {
        str_at(
            &self.credential,
            "/credentialSubject/achievement/achievementType",
        )
    }

    /// The issuer id.
    pub fn issuer_id(&self) -> Option<&str> {
        str_at(&self.credential, "/issuer/id").or_else(|| str_at(&self.credential, "/issuer"))
    }

    /// The recipient's id (`credentialSubject.id`).
    pub fn subject_id(&self) -> Option<&str> {
        str_at(&self.credential, "/credentialSubject/id")
    }

    /// When it was earned: `awardedDate`, else `validFrom`, else `issuanceDate`.
    pub fn earned(&self) -> Option<DateTime<Utc>> {
        ["/awardedDate", "/validFrom", "/issuanceDate"]
            .iter()
            .filter_map(|p| str_at(&self.credential, p))
            .find_map(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.to_utc())
    }

    /// Whether it is an `EndorsementCredential` (about another credential, not a teacher).
    pub fn is_endorsement(&self) -> bool {
        type_has(&self.credential, "EndorsementCredential")
    }

    /// Whether it is a container of other credentials (a `ClrCredential`), imported along with
    /// each credential it nests.
    pub fn is_container(&self) -> bool {
        type_has(&self.credential, "ClrCredential")
    }

    /// Who it was issued to, as a key comparable across credentials: `credentialSubject.id`,
    /// else its IdentityObjects (`emailAddress:x@y` plain, `sha256$…` hashed).
    pub fn holder_key(&self) -> Option<String> {
        if let Some(id) = self.subject_id() {
            return Some(id.strip_prefix("mailto:").map_or_else(
                || id.to_string(),
                |e| format!("emailAddress:{}", e.trim().to_lowercase()),
            ));
        }
        let idents = identities(&self.credential);
        let mut keys: Vec<String> = idents
            .iter()
            .map(|i| {
                if i.hashed {
                    i.identity_hash.clone()
                } else {
                    format!(
                        "{}:{}",
                        i.identity_type,
                        i.identity_hash.trim().to_lowercase()
                    )
                }
            })
            .collect();
        keys.sort();
        keys.into_iter().next()
    }

    /// Whether it was issued to `recipient`: a DID or URL (`credentialSubject.id`), or an e-mail
    /// address (a `mailto:` id, or a plain or hashed IdentityObject).
    ///
    /// # Example
    /// ```
    /// use openbadges::identity::IdentityObject;
    /// use openbadges::portfolio::Portfolio;
    /// use openbadges::verify::{Check, Report};
    /// let mut p = Portfolio::new();
    /// let badge = serde_json::json!({"credentialSubject": {
    ///     "identifier": [IdentityObject::hashed_email("maria@district.example", "salt").to_value()]}});
    /// p.add_verified("b.json", badge, Report::from_checks(vec![Check::passed(openbadges::check::CheckId::Proof)]))?;
    /// assert!(p.holdings()[0].is_for("Maria@District.example"));
    /// assert!(!p.holdings()[0].is_for("jose@district.example"));
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn is_for(&self, recipient: &str) -> bool {
        credential_is_for(&self.credential, recipient)
    }

    /// A name for it in reports: its id, else its source.
    pub fn label(&self) -> &str {
        self.credential_id().unwrap_or(&self.source)
    }

    /// Why it cannot count at all (from its report), or `None` when it may count: verified,
    /// and not from an issuer the trust list refuses.
    pub fn exclusion(&self) -> Option<Exclusion> {
        let detail = |c: &Check| {
            c.problem
                .as_ref()
                .map(|p| p.detail.clone())
                .or_else(|| c.note.clone())
                .unwrap_or_default()
        };
        if let Some(c) = self.report.failures().next() {
            // Only a definite answer names a reason; an indeterminate check (a status list that
            // could not be fetched) is "not verified".
            let failed = c.outcome == Outcome::Failed;
            return Some(match c.id.as_str() {
                "status" if failed => Exclusion::Revoked { detail: detail(c) },
                "validity-window" if failed => Exclusion::Expired { detail: detail(c) },
                "recipient" if failed => Exclusion::NotForRecipient { detail: detail(c) },
                _ => Exclusion::NotVerified {
                    check: c.id.to_string(),
                    detail: detail(c),
                },
            });
        }
        // A non-fatal recipient mismatch still means "not this teacher's".
        if let Some(c) = self.report.check("recipient").filter(|c| {
            c.outcome == Outcome::Failed
                || c.problem
                    .as_ref()
                    .is_some_and(|p| p.kind == problem_types::RECIPIENT_MISMATCH)
        }) {
            return Some(Exclusion::NotForRecipient { detail: detail(c) });
        }
        if self.report.trusted == Some(false) {
            return Some(Exclusion::IssuerNotTrusted {
                issuer: self.issuer_id().unwrap_or("(unknown)").to_string(),
            });
        }
        None
    }
}

/// Whether `credential` was issued to `recipient` (see [`Holding::is_for`]).
pub(crate) fn credential_is_for(credential: &Value, recipient: &str) -> bool {
    let recipient = recipient.trim();
    let email = recipient.strip_prefix("mailto:").unwrap_or(recipient);
    let is_email = email.contains('@') && !email.contains(':');
    match str_at(credential, "/credentialSubject/id") {
        Some(id) if id == recipient => return true,
        Some(id) => {
            return is_email
                && id
                    .strip_prefix("mailto:")
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(email))
        }
        None => {}
    }
    is_email
        && identities(credential)
            .iter()
            .any(|i| i.matches_email(email))
}

fn type_has(v: &Value, t: &str) -> bool {
    match v.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(t)),
        _ => false,
    }
}

fn identities(credential: &Value) -> Vec<IdentityObject> {
    match credential.pointer("/credentialSubject/identifier") {
        Some(Value::Array(a)) => a.iter().filter_map(IdentityObject::from_value).collect(),
        Some(v @ Value::Object(_)) => IdentityObject::from_value(v).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The credentials a teacher presents, each verified once.
///
/// # Example
/// ```
/// use openbadges::portfolio::Portfolio;
/// use openbadges::verify::{Verifier, VerifyOptions};
/// let verifier = Verifier::new(VerifyOptions::default());
/// let mut portfolio = Portfolio::new();
/// // Not a credential: recorded with a failed `parse` check, so reports can say why it did not count.
/// portfolio.add_bytes("notes.txt", b"hello", &verifier)?;
/// assert_eq!(portfolio.holdings().len(), 1);
/// assert!(portfolio.holdings()[0].exclusion().is_some());
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Portfolio {
    holdings: Vec<Holding>,
}

impl Portfolio {
    /// An empty portfolio.
    pub fn new() -> Self {
        Portfolio::default()
    }

    /// The holdings, in the order added.
    pub fn holdings(&self) -> &[Holding] {
        &self.holdings
    }

    /// Everyone the portfolio's achievement credentials were issued to ([`Holding::holder_key`]),
    /// sorted; credentials the verifier already found to be someone else's (`--recipient`),
    /// endorsements (about credentials, not people) and CLR wrappers are left aside.
    pub fn holders(&self) -> Vec<String> {
        let people: Vec<(&Holding, String)> = self
            .holdings
            .iter()
            .filter(|h| !h.is_endorsement() && !h.is_container())
            .filter(|h| !matches!(h.exclusion(), Some(Exclusion::NotForRecipient { .. })))
            .filter_map(|h| h.holder_key().map(|k| (h, k)))
            .collect();
        // A salted hash of an address another credential names in plain is that person.
        let plain: Vec<&str> = people
            .iter()
            .filter_map(|(_, k)| k.strip_prefix("emailAddress:"))
            .collect();
        let mut out: Vec<String> = people
            .iter()
            .filter(|(h, k)| !(k.starts_with("sha256$") && plain.iter().any(|e| h.is_for(e))))
            .map(|(_, k)| k.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The one teacher this portfolio belongs to; an error (usage: exit 2 on the command line)
    /// naming everyone found when the credentials were issued to several people — a portfolio is
    /// one holder's, and valuing two teachers' badges as one gives a wrong total.
    ///
    /// # Example
    /// ```
    /// use openbadges::portfolio::Portfolio;
    /// use openbadges::verify::{Check, Report};
    /// let mut p = Portfolio::new();
    /// for who in ["did:example:maria", "did:example:jose"] {
    ///     let badge = serde_json::json!({"credentialSubject": {"id": who}});
    ///     p.add_verified(who, badge, Report::from_checks(vec![Check::passed(openbadges::check::CheckId::Proof)]))?;
    /// }
    /// let err = p.one_holder().unwrap_err();
    /// assert!(err.to_string().contains("did:example:jose, did:example:maria"));
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn one_holder(&self) -> Result<Option<String>> {
        let holders = self.holders();
        if holders.len() > 1 {
            const SHOWN: usize = 10;
            let more = holders.len().saturating_sub(SHOWN);
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "the credentials were issued to {} different holders: {}{}; a portfolio is one teacher's (name the teacher with --recipient, or value every teacher with `policy report`)",
                    holders.len(),
                    holders.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                ),
            ));
        }
        Ok(holders.into_iter().next())
    }

    fn push(&mut self, holding: Holding) -> Result<()> {
        if self.holdings.len() >= MAX_HOLDINGS {
            return Err(crate::error::Error::limit(format!(
                "a portfolio holds at most {MAX_HOLDINGS} credentials"
            )));
        }
        self.holdings.push(holding);
        Ok(())
    }

    /// Adds an already verified credential.
    pub fn add_verified(
        &mut self,
        source: impl Into<String>,
        credential: Value,
        report: Report,
    ) -> Result<()> {
        let digest = credential_digest(&credential);
        self.push(Holding {
            source: source.into(),
            credential,
            digest,
            report,
            jwt: None,
        })
    }

    /// Verifies a JSON-LD credential and adds it.
    pub fn add_value(
        &mut self,
        source: impl Into<String>,
        credential: &Value,
        verifier: &Verifier,
    ) -> Result<()> {
        let mut report = verifier.verify_value(credential)?;
        let source = source.into();
        report.source = Some(source.clone());
        self.add_verified(source, credential.clone(), report)
    }

    /// Finds every credential in `bytes` — JSON-LD, VC-JWT, a baked PNG or SVG, a presentation,
    /// a CLR, an Open Badges 2.0 assertion — verifies each and adds it. Returns how many were
    /// added. Input with no credential is added as one holding whose report says why.
    pub fn add_bytes(&mut self, source: &str, bytes: &[u8], verifier: &Verifier) -> Result<usize> {
        self.add_many(&[(source, bytes)], verifier)
    }

    /// [`Portfolio::add_bytes`] for many inputs `(source, bytes)`, with every credential found
    /// verified together ([`Verifier::verify_many_of`]: Ed25519 signatures checked in batches,
    /// the reports those of verifying each alone). The holdings are those, in the order, that
    /// calling `add_bytes` on each input in turn adds; returns how many were added.
    ///
    /// # Example
    /// ```
    /// use openbadges::portfolio::Portfolio;
    /// use openbadges::verify::{Verifier, VerifyOptions};
    /// let verifier = Verifier::new(VerifyOptions::default());
    /// let mut portfolio = Portfolio::new();
    /// let inputs = [("notes.txt", b"hello".as_slice()), ("empty.json", b"{}".as_slice())];
    /// let added = portfolio.add_many(&inputs, &verifier)?;
    /// assert_eq!(added, 2);
    /// assert_eq!(portfolio.holdings()[1].source, "empty.json");
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn add_many(&mut self, inputs: &[(&str, &[u8])], verifier: &Verifier) -> Result<usize> {
        let intake = Intake::new(inputs);
        let reports = verifier.verify_many_of(&intake.to_verify());
        intake.add_to(self, reports)
    }
}

/// Inputs read for a portfolio, their credentials found but not yet verified: what
/// [`Portfolio::add_many`] verifies in one go, and what `policy report` verifies across several
/// teachers' portfolios at once.
pub(crate) struct Intake<'a> {
    inputs: Vec<Found<'a>>,
}

/// One input `(source, bytes)` and the credentials found in it (or why none could be).
type Found<'a> = (&'a str, &'a [u8], Result<Vec<Imported>>);

/// What of an imported credential is verified, if anything (a converted OB 2.0 assertion is
/// not).
fn to_verify(item: &Imported) -> Option<Verifiable<'_>> {
    match (item.format, &item.original) {
        (Format::Jwt, Some(token)) => Some(Verifiable::Jwt(token)),
        (Format::JsonLd, _) => Some(Verifiable::Json(&item.credential)),
        _ => None,
    }
}

impl<'a> Intake<'a> {
    /// Finds the credentials in each input.
    pub(crate) fn new(inputs: &[(&'a str, &'a [u8])]) -> Self {
        Intake {
            inputs: inputs
                .iter()
                .map(|(source, bytes)| (*source, *bytes, import(bytes)))
                .collect(),
        }
    }

    /// What to verify, in order; [`Intake::add_to`] takes the reports in the same order.
    pub(crate) fn to_verify(&self) -> Vec<Verifiable<'_>> {
        self.inputs
            .iter()
            .filter_map(|(_, _, found)| found.as_ref().ok())
            .flatten()
            .filter_map(to_verify)
            .collect()
    }

    /// Adds every input's holdings to `folio`, `reports` being the verdicts on
    /// [`Intake::to_verify`]; returns how many were added.
    pub(crate) fn add_to(
        self,
        folio: &mut Portfolio,
        reports: impl IntoIterator<Item = Result<Report>>,
    ) -> Result<usize> {
        let mut reports = reports.into_iter();
        let mut added = 0;
        for (source, bytes, found) in self.inputs {
            let found = match found {
                Ok(found) => found,
                Err(e) => {
                    let mut report = Report::from_checks(vec![Check::failed(
                        crate::check::CheckId::Parse,
                        problem_types::PARSING_ERROR,
                        "Not a credential",
                        e.to_string(),
                        e.pointer(),
                    )]);
                    report.source = Some(source.to_string());
                    folio.push(Holding {
                        source: source.to_string(),
                        credential: Value::Null,
                        digest: sri_digest(bytes),
                        report,
                        jwt: None,
                    })?;
                    added += 1;
                    continue;
                }
            };
            for item in found {
                let label = if item.source == "json" || item.source == "input" {
                    source.to_string()
                } else {
                    format!("{source} {}", item.source)
                };
                let verified = to_verify(&item).is_some();
                let mut report = if verified {
                    reports.next().unwrap_or_else(|| {
                        Err(Error::new(
                            ErrorKind::Model,
                            "internal: a credential was not verified",
                        ))
                    })?
                } else {
                    Report::from_checks(vec![Check::failed(
                        crate::check::CheckId::Parse,
                        problem_types::PARSING_ERROR,
                        "Not verifiable",
                        "an Open Badges 2.0 assertion cannot be verified as an OB 3.0 credential",
                        None,
                    )])
                };
                let digest = match (item.format, &item.original) {
                    (Format::Jwt, Some(token)) => sri_digest(token.as_bytes()),
                    _ => credential_digest(&item.credential),
                };
                report.source = Some(label.clone());
                let jwt = match item.format {
                    Format::Jwt => item.original.clone(),
                    _ => None,
                };
                folio.push(Holding {
                    source: label,
                    credential: item.credential,
                    digest,
                    report,
                    jwt,
                })?;
                added += 1;
            }
        }
        Ok(added)
    }
}
