//! Structural checks that need no cryptography: `@context`, `type`, the subject's identity, and
//! the recipient match.

use serde_json::Value;

use super::options::Recipient;
use crate::check::{problem_types as pt, Check, CheckId};
pub use crate::vocab::{is_ob_context, VC_V1, VC_V2};

fn contexts(doc: &Value) -> Vec<&Value> {
    match doc.get("@context") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => vec![],
    }
}

/// `context`: the VC context first, an OB 3.0 context present. Returns the check and whether the
/// document is VC 1.1.
pub(crate) fn context_check(doc: &Value, credential_type: &str) -> (Check, bool) {
    const ID: CheckId = CheckId::Context;
    let ctx = contexts(doc);
    let first = ctx.first().and_then(|v| v.as_str());
    let v1 = first == Some(VC_V1);
    if first != Some(VC_V2) && !v1 {
        let found = first.map_or_else(
            || {
                doc.get("@context")
                    .map_or("nothing".into(), |v| v.to_string())
            },
            |s| format!("`{s}`"),
        );
        return (
            Check::failed(
                ID,
                pt::MALFORMED_VALUE_ERROR,
                "Wrong base context",
                format!("the first @context entry must be `{VC_V2}` (or `{VC_V1}` for VC 1.1); found {found}"),
                Some("/@context/0"),
            ),
            v1,
        );
    }
    let needs_ob = matches!(
        credential_type,
        "OpenBadgeCredential" | "AchievementCredential" | "EndorsementCredential"
    );
    if needs_ob && !ctx.iter().any(|c| c.as_str().is_some_and(is_ob_context)) {
        return (
            Check::failed(
                ID,
                pt::MALFORMED_VALUE_ERROR,
                "Missing Open Badges context",
                "an Open Badges 3.0 context (https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json) must follow the VC context",
                Some("/@context"),
            ),
            v1,
        );
    }
    if v1 {
        return (
            Check::warning(
                ID,
                pt::MALFORMED_VALUE_ERROR,
                "VC 1.1 credential",
                "this credential uses the VC Data Model 1.1; OB 3.0 now requires VC 2.0 (accepted, with a warning, as the 1EdTech validator does)",
                Some("/@context/0"),
            ),
            v1,
        );
    }
    (Check::passed(ID), v1)
}

/// The credential types this crate verifies, and which one the document is.
pub(crate) fn credential_type(doc: &Value) -> Option<&'static str> {
    let types: Vec<&str> = match doc.get("type") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => vec![],
    };
    if !types.contains(&"VerifiableCredential") {
        return None;
    }
    [
        "OpenBadgeCredential",
        "AchievementCredential",
        "EndorsementCredential",
        "ClrCredential",
        "BitstringStatusListCredential",
        "StatusList2021Credential",
    ]
    .into_iter()
    .find(|t| types.contains(t))
}

/// `type`: `VerifiableCredential` plus a credential type this crate knows.
pub(crate) fn type_check(doc: &Value) -> Check {
    match credential_type(doc) {
        Some(t) => Check::passed(CheckId::Type).note(t),
        None => Check::failed(
            CheckId::Type,
            pt::MALFORMED_VALUE_ERROR,
            "Unknown credential type",
            format!(
                "`type` must contain `VerifiableCredential` and `OpenBadgeCredential` (or `AchievementCredential`, `EndorsementCredential`); found {}",
                doc.get("type").map_or("nothing".into(), |v| v.to_string())
            ),
            Some("/type"),
        ),
    }
}

/// `issuer`: an issuer id (a string, or an object with `id`).
pub(crate) fn issuer_check(doc: &Value) -> Check {
    match doc.get("issuer") {
        Some(Value::String(s)) if !s.is_empty() => Check::passed(CheckId::Issuer).note(s.clone()),
        Some(Value::Object(o)) if o.get("id").and_then(Value::as_str).is_some() => {
            Check::passed(CheckId::Issuer)
        }
        Some(Value::Object(_)) => Check::failed(
            CheckId::Issuer,
            pt::MALFORMED_VALUE_ERROR,
            "Issuer without id",
            "the issuer Profile must have an `id` (a DID or URL)",
            Some("/issuer/id"),
        ),
        _ => Check::failed(
            CheckId::Issuer,
            pt::MALFORMED_VALUE_ERROR,
            "Missing issuer",
            "the credential must name its issuer (a string id or a Profile with `id`)",
            Some("/issuer"),
        ),
    }
}

/// `subject`: an OB achievement subject has an `id` or an `identifier`.
pub(crate) fn subject_check(doc: &Value, credential_type: &str) -> Check {
    const ID: CheckId = CheckId::Subject;
    let subject = match doc.get("credentialSubject") {
        Some(Value::Object(o)) => o,
        Some(Value::Array(_)) => {
            return Check::failed(
                ID,
                pt::MALFORMED_VALUE_ERROR,
                "Several subjects",
                "an Open Badges credential has exactly one credentialSubject object",
                Some("/credentialSubject"),
            )
        }
        _ => {
            return Check::failed(
                ID,
                pt::MALFORMED_VALUE_ERROR,
                "Missing subject",
                "the credential has no credentialSubject object",
                Some("/credentialSubject"),
            )
        }
    };
    if matches!(
        credential_type,
        "OpenBadgeCredential" | "AchievementCredential"
    ) {
        let has_id = subject.get("id").and_then(Value::as_str).is_some();
        let has_identifier = match subject.get("identifier") {
            Some(Value::Array(a)) => !a.is_empty(),
            Some(Value::Object(_)) => true,
            _ => false,
        };
        if !has_id && !has_identifier {
            return Check::failed(
                ID,
                pt::MALFORMED_VALUE_ERROR,
                "Subject without identity",
                "credentialSubject must have an `id` or an `identifier` (IdentityObject)",
                Some("/credentialSubject"),
            );
        }
        if subject.get("achievement").is_none() {
            return Check::failed(
                ID,
                pt::MALFORMED_VALUE_ERROR,
                "Missing achievement",
                "credentialSubject must have an `achievement`",
                Some("/credentialSubject/achievement"),
            );
        }
    }
    Check::passed(ID)
}

impl Recipient {
    /// Does the credential (its JSON) name this recipient? An ID is compared with
    /// `credentialSubject.id`; an e-mail address with a `mailto:` id and with plain or hashed
    /// `credentialSubject.identifier` entries. With several subjects, any may match.
    ///
    /// # Example
    /// ```
    /// use openbadges::verify::Recipient;
    /// let vc = serde_json::json!({"credentialSubject": {"id": "did:example:maria"}});
    /// assert!(Recipient::parse("did:example:maria").matches(&vc));
    /// assert!(!Recipient::parse("maria@riverside.example").matches(&vc));
    /// ```
    pub fn matches(&self, credential: &Value) -> bool {
        match credential.get("credentialSubject") {
            Some(Value::Array(subjects)) => subjects.iter().any(|s| self.names(s)),
            Some(subject) => self.names(subject),
            None => false,
        }
    }

    fn names(&self, subject: &Value) -> bool {
        let subject_id = subject.get("id").and_then(Value::as_str);
        match self {
            Recipient::Id(id) => subject_id == Some(id.as_str()),
            Recipient::Email(email) => {
                let identifiers: Vec<&Value> = match subject.get("identifier") {
                    Some(Value::Array(a)) => a.iter().collect(),
                    Some(v @ Value::Object(_)) => vec![v],
                    _ => vec![],
                };
                let email_lc = email.trim().to_lowercase();
                subject_id.is_some_and(|s| {
                    s.strip_prefix("mailto:")
                        .is_some_and(|m| m.eq_ignore_ascii_case(&email_lc))
                }) || identifiers.iter().any(|ident| {
                    crate::identity::IdentityObject::from_value(ident)
                        .is_some_and(|i| i.matches_email(email))
                })
            }
        }
    }
}

/// `recipient`: does the credential name the expected recipient?
pub(crate) fn recipient_check(doc: &Value, recipient: Option<&Recipient>) -> Check {
    const ID: CheckId = CheckId::Recipient;
    let Some(recipient) = recipient else {
        return Check::skipped(ID, "no expected recipient given");
    };
    let matched = recipient.matches(doc);
    if matched {
        Check::passed(ID)
    } else {
        let who = match recipient {
            Recipient::Id(id) => id.clone(),
            Recipient::Email(e) => e.clone(),
        };
        Check::failed(
            ID,
            pt::RECIPIENT_MISMATCH,
            "Not for this recipient",
            format!("the credential's subject is not `{who}`"),
            Some("/credentialSubject"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recipient_by_hashed_email() {
        let doc = json!({"credentialSubject": {"identifier": [{
            "type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
            "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
            "salt": "Kosher"}]}});
        let yes = Recipient::Email("a@example.com".into());
        let no = Recipient::Email("b@example.com".into());
        assert!(!recipient_check(&doc, Some(&yes)).is_blocking());
        assert!(recipient_check(&doc, Some(&no)).is_blocking());
    }

    #[test]
    fn context_rules() {
        let ok = json!({"@context": [VC_V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]});
        assert!(!context_check(&ok, "OpenBadgeCredential").0.is_blocking());
        let no_vc =
            json!({"@context": ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]});
        assert!(context_check(&no_vc, "OpenBadgeCredential").0.is_blocking());
        let no_ob = json!({"@context": [VC_V2]});
        assert!(context_check(&no_ob, "OpenBadgeCredential").0.is_blocking());
    }
}
