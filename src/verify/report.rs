//! The verification [`Report`]: an ordered list of [`Check`]s, each with a stable id, an
//! [`Outcome`], a fatal flag and, when something is wrong, a [`Problem`] that points at the field;
//! the verdict is computed from them, and the headline says which question failed.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::check::{problem_types as pt, Check, CheckId, Outcome, Question};

/// Which key made the signature a [`Report`] accepted, and whether its controller has retired it
/// since. A key retired *before* the signature was made is never accepted (the proof check fails),
/// so a `SignedBy` always describes a key that was in good standing when it signed.
///
/// # Example
/// ```
/// use openbadges::{issue::Issuer, keys::SigningKey, proof::Suite, verify::verify};
/// use serde_json::json;
/// let key = SigningKey::from_seed(&[7; 32]);
/// let did = key.verifying_key().did_key();
/// let badge = Issuer::new(json!({"name": "Riverside USD"}), key)?.issue(&json!({
///     "@context": ["https://www.w3.org/ns/credentials/v2",
///                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
///     "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Math Talks",
///     "credentialSubject": {"type": ["AchievementSubject"],
///         "achievement": {"id": "urn:a:math-talks", "type": ["Achievement"], "name": "Math Talks",
///                         "description": "d", "criteria": {"narrative": "n"}}}
/// }), Suite::EddsaRdfc2022)?.into_json();
/// let report = verify(badge.to_string().as_bytes(), &Default::default())?;
/// let by = report.signed_by.expect("a verified signature");
/// assert_eq!(by.controller, did);
/// assert_eq!(by.retired_from, None);
/// assert!(by.to_string().starts_with(&format!("{did}#")));
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignedBy {
    /// The verification method id (`…#key-2`), or a VC-JWT's `kid`; `None` for a VC-JWT whose
    /// header names no key (one bound through a trust list).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key: Option<String>,
    /// Who controls the key: the verification method's controller, or for a VC-JWT the issuer it
    /// was bound to.
    pub controller: String,
    /// When the signer says it signed: the proof's `created`, a VC-JWT's `iat` (or `nbf`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signed_at: Option<String>,
    /// From when the controller retired the key (published as `revoked`), if it has: always
    /// after `signed_at`, or the signature would not have been accepted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retired_from: Option<String>,
}

impl fmt::Display for SignedBy {
    /// `KEY (controller C), signed AT; retired from R, after it signed` (the parts known).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (controller {})",
            self.key.as_deref().unwrap_or("a bound key"),
            self.controller
        )?;
        if let Some(at) = &self.signed_at {
            write!(f, ", signed {at}")?;
        }
        match &self.retired_from {
            Some(r) => write!(f, "; retired from {r}, after it signed"),
            None => Ok(()),
        }
    }
}

/// The result of verifying one credential (or presentation, or CLR): every check, in order.
///
/// `verified` is true iff no fatal check failed or was indeterminate: the credential is
/// *authentic* and *current* (see [`Question`]). Conformance findings are warnings unless the
/// credential names a schema it fails or the verifier is strict. Trust is reported separately in
/// [`Report::trusted`]: a credential can be authentic and current but from an issuer the verifier
/// does not recognise.
///
/// # Example
/// ```
/// use openbadges::check::{Check, CheckId};
/// use openbadges::verify::Report;
/// let report = Report::from_checks(vec![Check::passed(CheckId::Parse), Check::passed(CheckId::Proof)]);
/// assert!(report.verified);
/// assert_eq!(report.headline(), "VERIFIED");
/// let json = serde_json::to_value(&report)?;
/// assert_eq!(json["checks"][1]["id"], "proof");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// True iff no fatal check failed or was indeterminate.
    pub verified: bool,
    /// The trust phase's answer: `Some(true)` registered, `Some(false)` not registered, `None`
    /// no trust list given or it could not be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted: Option<bool>,
    /// The credential's `id`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// The issuer's id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The achievement's name, when known (for human summaries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement: Option<String>,
    /// Where the credential came from (file, image chunk, presentation index…), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The key whose signature was accepted, and its standing: `None` when no signature verified.
    #[serde(rename = "signedBy", skip_serializing_if = "Option::is_none", default)]
    pub signed_by: Option<SignedBy>,
    /// Every check, in pipeline order.
    pub checks: Vec<Check>,
    /// Reports of embedded endorsements, verified with the same pipeline.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub endorsements: Vec<Report>,
    /// Reports of the credentials a presentation or CLR carries, in order; the outer report's
    /// `nested-credentials` check says whether they all verified.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub credentials: Vec<Report>,
}

impl Report {
    /// A report from checks; `verified` is computed.
    pub fn from_checks(checks: Vec<Check>) -> Self {
        let verified = !checks.iter().any(Check::is_blocking);
        Report {
            verified,
            trusted: None,
            credential_id: None,
            issuer: None,
            achievement: None,
            source: None,
            signed_by: None,
            checks,
            endorsements: Vec::new(),
            credentials: Vec::new(),
        }
    }

    /// Recomputes `verified` after checks were added or changed.
    pub fn recompute(&mut self) {
        self.verified = !self.checks.iter().any(Check::is_blocking);
    }

    /// The check with this id (kebab-case name, e.g. `"proof"`), if it ran.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The check with this id, if it ran.
    pub fn get(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The checks that block verification.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.is_blocking())
    }

    /// The checks with warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Warning)
    }

    /// The checks that answer `question`.
    pub fn answers(&self, question: Question) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(move |c| c.id.question() == question)
    }

    /// Whether no check answering `question` blocks the verdict (`true` when none ran).
    pub fn holds(&self, question: Question) -> bool {
        !self.answers(question).any(Check::is_blocking)
    }

    /// The one-line verdict a person reads first: `VERIFIED`, `VERIFIED, with 2 conformance
    /// warnings`, or `NOT VERIFIED (revoked)`, `… (expired)`, `… (signature does not match:
    /// altered or forged)`, `… (could not check: …)`.
    pub fn headline(&self) -> String {
        if self.verified {
            let conformance = self
                .answers(Question::Conformant)
                .filter(|c| c.outcome == Outcome::Warning)
                .count();
            let other = self.warnings().count() - conformance;
            let mut parts = Vec::new();
            if conformance > 0 {
                parts.push(plural(conformance, "conformance warning"));
            }
            if other > 0 {
                parts.push(plural(other, "other warning"));
            }
            return if parts.is_empty() {
                "VERIFIED".into()
            } else {
                format!("VERIFIED, with {}", parts.join(" and "))
            };
        }
        match self.failures().next() {
            Some(c) => format!("NOT VERIFIED ({})", reason(c)),
            None => "NOT VERIFIED".into(),
        }
    }

    /// The report as stable, pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Why the first blocking check blocks, in the words of the headline.
fn reason(c: &Check) -> String {
    let p = c.problem.as_ref();
    let kind = p.map_or("", |p| p.kind.as_str());
    let detail = p.map_or("", |p| p.detail.as_str());
    let could_not = c.outcome == Outcome::Indeterminate;
    match c.id {
        CheckId::Status if kind == pt::REVOKED => {
            if p.is_some_and(|p| p.title == "Suspended") {
                "suspended".into()
            } else {
                "revoked".into()
            }
        }
        CheckId::Status if could_not => format!("could not check its status: {detail}"),
        CheckId::Status => format!("status unreadable: {detail}"),
        CheckId::ValidityWindow if kind == pt::EXPIRED => "expired".into(),
        CheckId::ValidityWindow if kind == pt::NOT_YET_VALID => "not yet valid".into(),
        CheckId::ValidityWindow => format!("malformed dates: {detail}"),
        CheckId::Proof | CheckId::ProofSet | CheckId::PresentationProof
            if kind == pt::KEY_RETRIEVAL_ERROR =>
        {
            format!("could not check: {detail}")
        }
        CheckId::Proof | CheckId::ProofSet | CheckId::PresentationProof
            if p.is_some_and(|p| p.title == "Signature not verified") =>
        {
            "signature does not match: altered or forged".into()
        }
        CheckId::Proof | CheckId::ProofSet | CheckId::PresentationProof => {
            format!("proof not verified: {detail}")
        }
        CheckId::IssuerKey => format!("not signed by the issuer: {detail}"),
        CheckId::SignedTerms => format!("not what was signed: {detail}"),
        CheckId::Holder => format!("not presented by its holder: {detail}"),
        CheckId::Recipient => format!("not for this recipient: {detail}"),
        CheckId::NestedCredentials => detail.to_string(),
        CheckId::Format | CheckId::Parse => format!("not a credential we can read: {detail}"),
        _ if c.id.question() == Question::Conformant => {
            format!("does not conform ({}): {detail}", c.id)
        }
        _ => format!("{}: {detail}", c.id),
    }
}

/// Writes `s` with control characters (ANSI escapes, carriage returns, bidi overrides) shown as
/// `\u{…}`, so text from a credential cannot repaint a terminal.
pub(crate) fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        c.is_control() && c != '\n'
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        if bad(ch) {
            out.push_str(&format!("\\u{{{:x}}}", ch as u32));
        } else {
            out.push(ch);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One line, with no control characters at all (not even newlines).
fn one_line(s: &str) -> String {
    escape_controls(&s.replace('\n', " ")).into_owned()
}

impl fmt::Display for Report {
    /// A short human summary: the headline, then one aligned line per check, then nested reports.
    /// Every string that came from the credential is escaped (no control characters reach the
    /// terminal).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = self.achievement.as_deref().unwrap_or("credential");
        writeln!(f, "{}: {}", one_line(&self.headline()), one_line(what))?;
        if let Some(src) = &self.source {
            writeln!(f, "  source: {}", one_line(src))?;
        }
        if let Some(issuer) = &self.issuer {
            let trust = match self.trusted {
                Some(true) => " (trusted)",
                Some(false) => " (not on trust list)",
                None => "",
            };
            writeln!(f, "  issuer: {}{trust}", one_line(issuer))?;
        }
        let width = self
            .checks
            .iter()
            .map(|c| c.id.as_str().len())
            .max()
            .unwrap_or(0);
        for c in &self.checks {
            let mut line = format!("  {:<13} {:<width$}", c.outcome.as_str(), c.id.as_str());
            if let Some(p) = &c.problem {
                line.push_str(&format!("  {}", one_line(&p.detail)));
                if let Some(i) = p.instance.as_deref().filter(|i| !i.is_empty()) {
                    line.push_str(&format!(" (at {})", one_line(i)));
                }
            } else if let Some(n) = c.note.as_deref().filter(|n| !n.is_empty()) {
                line.push_str(&format!("  {}", one_line(n)));
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        for (label, list) in [
            ("endorsement", &self.endorsements),
            ("credential", &self.credentials),
        ] {
            for e in list {
                writeln!(f, "  {label}:")?;
                for line in e.to_string().lines() {
                    writeln!(f, "    {line}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut r = Report::from_checks(vec![Check::skipped(
            CheckId::Refresh,
            "refresh at \u{1b}[2J\u{1b}[HVERIFIED\r",
        )]);
        r.achievement = Some("Badge\u{1b}[32m\u{202e}".into());
        let text = r.to_string();
        assert!(!text.contains('\u{1b}') && !text.contains('\r') && !text.contains('\u{202e}'));
        assert!(text.contains("\\u{1b}[2J"));
    }

    #[test]
    fn headline_names_the_failed_question() {
        use crate::check::problem_types as pt;
        let revoked = Report::from_checks(vec![Check::failed(
            CheckId::Status,
            pt::REVOKED,
            "Revoked",
            "x",
            None,
        )]);
        assert_eq!(revoked.headline(), "NOT VERIFIED (revoked)");
        let expired = Report::from_checks(vec![Check::failed(
            CheckId::ValidityWindow,
            pt::EXPIRED,
            "Expired",
            "x",
            None,
        )]);
        assert_eq!(expired.headline(), "NOT VERIFIED (expired)");
        let warned = Report::from_checks(vec![
            Check::warning(CheckId::Schema, pt::SCHEMA_ERROR, "t", "d", None),
            Check::warning(
                CheckId::DataModel,
                pt::MALFORMED_VALUE_ERROR,
                "t",
                "d",
                None,
            ),
        ]);
        assert_eq!(warned.headline(), "VERIFIED, with 2 conformance warnings");
    }
}
