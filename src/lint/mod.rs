//! Issuer-side lint: finds what the 1EdTech validator would fail in an Open Badges 3.0 credential,
//! before it is signed and sent.
//!
//! [`lint`] reads the credential as JSON — exactly as received, without the typed model, so that
//! it can report on documents the model would refuse — and returns one [`Finding`] per problem,
//! each with a stable [`Rule`] id, a [`Severity`], a JSON Pointer to the offending place, what was
//! found and what was expected. An empty list of [`Severity::Error`] findings means the credential
//! passes every check below.
//!
//! # Rules
//!
//! | id | severity | what it checks |
//! |---|---|---|
//! | `missing-required` | error | a property the OB 3.0 data model requires is absent (credential: `@context`, `id`, `type`, `issuer`, `credentialSubject`, and `validFrom` for VC 2.0 or `name` + `issuanceDate` for VC 1.1; Achievement: `id`, `type`, `criteria`, `description`, `name`; Profile: `id`, `type`; and so on for every class). The pointer names the missing member. |
//! | `wrong-value-type` | error | a property has the wrong JSON type (a number where a string is required, a string where an object is, a URL `issuer` in a VC 1.1 credential, …) |
//! | `context-order` | error | `@context` is not an array whose first item is the VC context (`https://www.w3.org/ns/credentials/v2`, or `https://www.w3.org/2018/credentials/v1`) and whose second is an OB 3.0 context (`https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.x.json`); or an embedded endorsement uses another VC version than the credential around it |
//! | `class-type` | error | `type` does not name the class expected at that place: `VerifiableCredential` + `OpenBadgeCredential`/`AchievementCredential` at the root, `AchievementSubject` for `credentialSubject`, `Profile` for `issuer`, `source`, `creator`, `parentOrg`, `Evidence`, `Result`, `ResultDescription`, `Alignment`, …; exactly `"IdentityObject"`, `"IdentifierEntry"`, `"Image"`, `"GeoCoordinates"` where the schema wants a plain string |
//! | `image-not-object` | error | `image` (credential, Achievement, Profile, AchievementSubject) is a bare URL string, not an Image object `{"id": …, "type": "Image"}` |
//! | `date-time` | error | `validFrom`, `validUntil`, `issuanceDate`, `expirationDate`, `awardedDate`, `activityStartDate`, `activityEndDate`, proof `created` is not an RFC 3339 date-time with a timezone (or `dateOfBirth` not a full-date) |
//! | `unknown-enum-value` | error | `achievementType`, `resultType`, `targetType`, `identityType`, `identifierType` is neither a value of the enumeration nor an `ext:` extension; Result `status` is not one of its (closed) values |
//! | `subject-without-id` | error | the AchievementSubject has neither `id` nor `identifier` |
//! | `language-map` | error | a text property holds a language map (`{"en": "…"}`): the 1EdTech JSON Schema accepts it, but the OB 3.0 JSON-LD context defines no `@container: @language`, so the credential cannot be signed with a Data Integrity proof |
//! | `unexpected-property` | error | a property on a class the schema closes (`Image`, `IdentityObject`, `IdentifierEntry`, and the AchievementSubject of a VC 1.1 credential) |
//! | `legacy-vc-version` | warning | the credential uses VC Data Model 1.1 (the validator warns) |
//! | `nesting-too-deep` | warning | objects nest more than 64 levels; the lint stopped there |
//! | `rubric-result` | error | a `credentialSubject.result` names a `resultDescription` the achievement lacks, an `achievedLevel` its rubric does not define, or a level below its `requiredLevel` (levels ranked as in [`crate::achievement::rubric`]) |
//!
//! Properties the data model does not define are extensions: they are not checked.
//!
//! The lint is stricter than the 1EdTech JSON Schemas (which, for JSON-LD's sake, accept a
//! single-string `type` of any value, language maps, and so on), never looser:
//! `tests/schema_differential.rs` checks, over every fixture and tens of thousands of mutated
//! copies, that no document the official schemas reject passes the lint without an error.
//!
//! # Example
//! ```
//! use openbadges::lint::{lint, Rule, Severity};
//! let credential = serde_json::json!({
//!     "@context": [
//!         "https://www.w3.org/ns/credentials/v2",
//!         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
//!     ],
//!     "id": "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
//!     "type": ["VerifiableCredential", "OpenBadgeCredential"],
//!     "issuer": { "id": "https://example.edu/issuers/565049", "type": ["Profile"] },
//!     "validFrom": "2024-03-01T09:00:00",
//!     "credentialSubject": {
//!         "id": "did:example:learner",
//!         "type": ["AchievementSubject"],
//!         "achievement": {
//!             "id": "https://example.edu/achievements/1",
//!             "type": ["Achievement"],
//!             "name": "Teamwork",
//!             "description": "Works well in a team.",
//!             "criteria": { "narrative": "Nominated by peers." },
//!             "image": "https://example.edu/badge.png"
//!         }
//!     }
//! });
//! let findings = lint(&credential);
//! let summary: Vec<(&str, &str)> =
//!     findings.iter().map(|f| (f.rule.id(), f.pointer.as_str())).collect();
//! assert_eq!(
//!     summary,
//!     [
//!         ("date-time", "/validFrom"),
//!         ("image-not-object", "/credentialSubject/achievement/image"),
//!     ]
//! );
//! assert!(findings.iter().all(|f| f.severity == Severity::Error));
//! assert_eq!(findings[1].rule, Rule::ImageNotObject);
//! println!("{}", findings[0]); // error[date-time] at /validFrom: `validFrom` is "2024-03-01T09:00:00", ...
//! ```

mod check;
mod classes;
mod datetime;
mod rubric;

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::error::Result;

/// What a [`Finding`] is about. Each rule has a stable kebab-case [`id`](Rule::id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// A property the OB 3.0 data model requires is absent.
    MissingRequired,
    /// A property has the wrong JSON type.
    WrongValueType,
    /// `@context` does not start with the VC context followed by an OB 3.0 context.
    ContextOrder,
    /// `type` does not name the class expected at that place.
    ClassType,
    /// `image` is a bare string where an Image object is required.
    ImageNotObject,
    /// A date is not an RFC 3339 date-time with a timezone (or full-date).
    DateTime,
    /// An enumerated property has a value outside its enumeration and is no `ext:` extension.
    UnknownEnumValue,
    /// The credential subject has neither `id` nor `identifier`.
    SubjectWithoutId,
    /// A language map where the JSON-LD context defines no language container.
    LanguageMap,
    /// Language-tagged text (`{"@value", "@language"}`, VC Data Model 2.0 §11.1): signed and
    /// read by verifiers, but refused by the official OB 3.0 JSON Schema (a warning).
    LanguageTagged,
    /// A property on a class whose schema allows no other properties.
    UnexpectedProperty,
    /// The credential uses the VC Data Model 1.1.
    LegacyVcVersion,
    /// Nesting deeper than the lint descends.
    NestingTooDeep,
    /// A `result` names a level the rubric lacks, or falls below its `requiredLevel`.
    RubricResult,
}

impl Rule {
    /// Every rule, in documentation order.
    pub const ALL: &'static [Rule] = &[
        Rule::MissingRequired,
        Rule::WrongValueType,
        Rule::ContextOrder,
        Rule::ClassType,
        Rule::ImageNotObject,
        Rule::DateTime,
        Rule::UnknownEnumValue,
        Rule::SubjectWithoutId,
        Rule::LanguageMap,
        Rule::LanguageTagged,
        Rule::UnexpectedProperty,
        Rule::LegacyVcVersion,
        Rule::NestingTooDeep,
        Rule::RubricResult,
    ];

    /// The stable kebab-case id, used in JSON output and by the CLI.
    ///
    /// # Example
    /// ```
    /// assert_eq!(openbadges::lint::Rule::ClassType.id(), "class-type");
    /// ```
    pub fn id(&self) -> &'static str {
        match self {
            Rule::MissingRequired => "missing-required",
            Rule::WrongValueType => "wrong-value-type",
            Rule::ContextOrder => "context-order",
            Rule::ClassType => "class-type",
            Rule::ImageNotObject => "image-not-object",
            Rule::DateTime => "date-time",
            Rule::UnknownEnumValue => "unknown-enum-value",
            Rule::SubjectWithoutId => "subject-without-id",
            Rule::LanguageMap => "language-map",
            Rule::LanguageTagged => "language-tagged",
            Rule::UnexpectedProperty => "unexpected-property",
            Rule::LegacyVcVersion => "legacy-vc-version",
            Rule::NestingTooDeep => "nesting-too-deep",
            Rule::RubricResult => "rubric-result",
        }
    }

    /// The rule with this id, if any.
    ///
    /// # Example
    /// ```
    /// use openbadges::lint::Rule;
    /// assert_eq!(Rule::from_id("language-map"), Some(Rule::LanguageMap));
    /// assert_eq!(Rule::from_id("no-such-rule"), None);
    /// ```
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.id() == id)
    }

    /// The severity findings of this rule carry.
    pub fn severity(&self) -> Severity {
        match self {
            Rule::LegacyVcVersion | Rule::NestingTooDeep | Rule::LanguageTagged => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// How serious a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// The 1EdTech validator would accept the credential but report this.
    Warning,
    /// The 1EdTech validator (or signing) would fail on this.
    Error,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem found by [`lint`].
///
/// Serializes to JSON as
/// `{"rule": "class-type", "severity": "error", "pointer": "/issuer/type", "message": …, "expected": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// Which rule found it.
    pub rule: Rule,
    /// How serious it is.
    pub severity: Severity,
    /// JSON Pointer (RFC 6901) to the offending value; for a missing property, to where it belongs.
    pub pointer: String,
    /// What was found.
    pub message: String,
    /// What was expected.
    pub expected: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{}[{}] at {at}: {}; expected {}",
            self.severity.as_str(),
            self.rule.id(),
            self.message,
            self.expected
        )
    }
}

/// Lints an OB 3.0 credential (OpenBadgeCredential / AchievementCredential, or an
/// EndorsementCredential when its `type` says so), given as JSON.
///
/// Findings come in document order of the checks; none means the credential passes every rule in
/// the [module documentation](self).
///
/// # Example
/// ```
/// let credential = serde_json::json!({"type": ["VerifiableCredential"]});
/// let findings = openbadges::lint::lint(&credential);
/// assert!(findings.iter().any(|f| f.pointer == "/issuer"));
/// ```
pub fn lint(credential: &Value) -> Vec<Finding> {
    let mut walker = check::Walker::new();
    let class = if type_names(credential).any(|t| t == "EndorsementCredential") {
        classes::Class::EndorsementCredential
    } else {
        classes::Class::AchievementCredential
    };
    walker.credential(credential, "", class, 0);
    let mut findings = walker.findings;
    findings.extend(rubric::results(credential));
    findings
}

/// Parses untrusted bytes with [`crate::json::parse`] (duplicate keys, depth and size refused) and
/// lints the result.
///
/// # Example
/// ```
/// let findings = openbadges::lint::lint_bytes(br#"{"@context": "https://www.w3.org/ns/credentials/v2"}"#)?;
/// assert!(findings.iter().any(|f| f.rule.id() == "context-order"));
/// assert!(openbadges::lint::lint_bytes(b"{").is_err());
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn lint_bytes(input: &[u8]) -> Result<Vec<Finding>> {
    let value = crate::json::parse(input).map_err(|e| e.context("while linting a credential"))?;
    Ok(lint(&value))
}

fn type_names(v: &Value) -> impl Iterator<Item = &str> {
    let t = v.get("type");
    let single = t.and_then(Value::as_str);
    let many = t
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    single.into_iter().chain(many)
}

#[cfg(test)]
mod tests;
