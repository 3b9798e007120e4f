//! `OpenBadgeCredential` (a.k.a. `AchievementCredential`) and `EndorsementCredential`: the typed
//! OB 3.0 model, VC 2.0 (`validFrom`/`validUntil`) and VC 1.1 (`issuanceDate`/`expirationDate`).
//!
//! Every struct keeps the members it does not model in `extensions`, so parse → serialize gives
//! back the same JSON value. Signing and verifying work on the JSON exactly as received
//! ([`crate::proof`], [`crate::verify`](mod@crate::verify)); the typed model is for building and reading badges.

mod builder;

pub use builder::{CredentialBuilder, NoIssuer, NoSubject, WithIssuer, WithSubject};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::achievement::{Achievement, ResultStatusType};
use crate::error::{Error, Result};
use crate::identity::IdentityObject;
use crate::profile::{ImageRef, Profile};
use crate::value::{MultiLang, OneOrMany};

/// Parses `bytes` as `T` with the strict JSON parser, pointing at the failing field.
pub(crate) fn from_json_typed<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    let value = crate::json::parse(bytes)?;
    from_value_typed(value, what)
}

pub(crate) fn from_value_typed<T: DeserializeOwned>(value: Value, what: &str) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let pointer: String = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => Some(format!("/{index}")),
                serde_path_to_error::Segment::Map { key } => {
                    Some(format!("/{}", key.replace('~', "~0").replace('/', "~1")))
                }
                _ => None,
            })
            .collect();
        Error::model(format!("not a valid {what}: {}", e.inner())).at(pointer)
    })
}

/// The issuer: an id (URL or DID) or an embedded Profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum IssuerRef {
    /// A Profile object (what OB 3.0 requires).
    Profile(Box<Profile>),
    /// A bare id.
    Id(String),
}

impl IssuerRef {
    /// The issuer's id, when known.
    pub fn id(&self) -> Option<&str> {
        match self {
            IssuerRef::Profile(p) => p.id.as_deref(),
            IssuerRef::Id(s) => Some(s),
        }
    }
}

/// A result achieved (a grade, a rubric score, a status).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementResult {
    /// `["Result"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// The ResultDescription this result is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_description: Option<String>,
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ResultStatusType>,
    /// Members not modelled here (achievedLevel, alignment), kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// The recipient and what they achieved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementSubject {
    /// The recipient's id (a DID or URL), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `["AchievementSubject"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// The achievement.
    pub achievement: Achievement,
    /// Other identities of the recipient (e.g. a hashed e-mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Vec<IdentityObject>>,
    /// Credits earned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_earned: Option<serde_json::Number>,
    /// Results achieved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Vec<AchievementResult>>,
    /// Members not modelled here (activityStartDate, role, term, image, narrative, source…).
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl AchievementSubject {
    /// A subject for `achievement`, with no recipient named yet.
    pub fn new(achievement: Achievement) -> Self {
        AchievementSubject {
            id: None,
            kind: OneOrMany::Many(vec!["AchievementSubject".into()]),
            achievement,
            identifier: None,
            credits_earned: None,
            result: None,
            extensions: Map::new(),
        }
    }
    /// Names the recipient by DID or URL.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    /// Names the recipient by an IdentityObject (e.g. a hashed e-mail).
    pub fn with_identifier(mut self, identity: IdentityObject) -> Self {
        self.identifier.get_or_insert_with(Vec::new).push(identity);
        self
    }
}

/// Evidence of the achievement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// URL of the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `["Evidence"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Narrative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<MultiLang>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<MultiLang>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<MultiLang>,
    /// Members not modelled here (genre, audience), kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// A typed reference (`credentialSchema`, `credentialStatus`, `refreshService`, `termsOfUse`):
/// an optional id, a type, and the rest kept as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypedEntry {
    /// The id (a URL), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The type (e.g. `1EdTechJsonSchemaValidator2019`, `BitstringStatusListEntry`).
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Every other member, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// `credentialSchema` entries.
pub type CredentialSchema = TypedEntry;
/// The `credentialStatus` entry.
pub type CredentialStatus = TypedEntry;
/// The `refreshService` entry.
pub type RefreshService = TypedEntry;
/// A `termsOfUse` entry.
pub type TermsOfUse = TypedEntry;

/// An embedded proof: the common members typed, the rest kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    /// `DataIntegrityProof`, `Ed25519Signature2020`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The cryptosuite (DataIntegrityProof).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cryptosuite: Option<String>,
    /// When it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The key that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_method: Option<String>,
    /// `assertionMethod` for credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_purpose: Option<String>,
    /// The signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_value: Option<String>,
    /// Every other member, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// An Open Badges 3.0 credential (`OpenBadgeCredential`, alias `AchievementCredential`).
///
/// # Example
/// ```
/// use openbadges::achievement::Achievement;
/// use openbadges::credential::{AchievementSubject, OpenBadgeCredential};
/// use openbadges::profile::Profile;
///
/// let achievement = Achievement::new("https://d.example/a/1", "Growth Mindset",
///     "Fosters a growth mindset.", "Rubric 3+.");
/// let badge = OpenBadgeCredential::builder()
///     .issuer(Profile::new("https://d.example/issuer", "Riverside USD"))
///     .subject(AchievementSubject::new(achievement).with_id("did:example:teacher-1"))
///     .valid_from("2026-01-15T00:00:00Z")
///     .build();
/// let json = badge.to_json_value();
/// assert_eq!(json["type"][1], "OpenBadgeCredential");
/// assert_eq!(OpenBadgeCredential::from_json(json.to_string().as_bytes())?, badge);
/// assert!(badge.is_for_did("did:example:teacher-1"));
/// # Ok::<(), openbadges::Error>(())
/// ```
///
/// An incomplete credential does not compile:
/// ```compile_fail
/// let badge = openbadges::credential::OpenBadgeCredential::builder()
///     .valid_from("2026-01-15T00:00:00Z")
///     .build(); // no issuer, no subject: `build` does not exist for this builder
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBadgeCredential {
    /// `@context`: the VC context first, the OB context second.
    #[serde(rename = "@context")]
    pub context: OneOrMany<Value>,
    /// Unique URI of the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `["VerifiableCredential", "OpenBadgeCredential"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Name of the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<MultiLang>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<MultiLang>,
    /// Image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// The issuer.
    pub issuer: IssuerRef,
    /// VC 2.0: valid from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// VC 2.0: valid until.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// VC 1.1: issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuance_date: Option<String>,
    /// VC 1.1: expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// When the achievement was awarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awarded_date: Option<String>,
    /// The recipient and the achievement.
    pub credential_subject: AchievementSubject,
    /// Evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<OneOrMany<Evidence>>,
    /// Schemas the credential claims to follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_schema: Option<OneOrMany<CredentialSchema>>,
    /// Revocation / suspension status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_status: Option<CredentialStatus>,
    /// Refresh service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_service: Option<RefreshService>,
    /// Terms of use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_use: Option<OneOrMany<TermsOfUse>>,
    /// Embedded endorsements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<Vec<EndorsementCredential>>,
    /// Endorsements as compact JWS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement_jwt: Option<Vec<String>>,
    /// Proof(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<OneOrMany<Proof>>,
    /// Members not modelled here, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// The OB 3.0 name used in the JSON Schemas.
pub type AchievementCredential = OpenBadgeCredential;

impl OpenBadgeCredential {
    /// A type-state builder: `build()` exists only once an issuer and a subject are set.
    pub fn builder() -> CredentialBuilder<NoIssuer, NoSubject> {
        CredentialBuilder::new()
    }

    /// Parses a credential (strict JSON; typed errors with the field's JSON Pointer).
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        from_json_typed(bytes, "OpenBadgeCredential")
    }

    /// Converts an already-parsed JSON value.
    pub fn from_value(value: Value) -> Result<Self> {
        from_value_typed(value, "OpenBadgeCredential")
    }

    /// The JSON form.
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Pretty JSON text.
    pub fn to_json_string_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Whether the subject's `id` is `did`.
    pub fn is_for_did(&self, did: &str) -> bool {
        self.credential_subject.id.as_deref() == Some(did)
    }

    /// Whether the subject is the e-mail address `email` (a `mailto:` id or an IdentityObject).
    pub fn is_for_email(&self, email: &str) -> bool {
        let s = &self.credential_subject;
        s.id.as_deref()
            .and_then(|id| id.strip_prefix("mailto:"))
            .is_some_and(|m| m.eq_ignore_ascii_case(email.trim()))
            || s.identifier
                .iter()
                .flatten()
                .any(|i| i.matches_email(email))
    }
}

/// What an endorsement says about its subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndorsementSubject {
    /// The endorsed thing (an achievement, a profile, a credential).
    pub id: String,
    /// `["EndorsementSubject"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// The endorsement's comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement_comment: Option<MultiLang>,
    /// Members not modelled here, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// An `EndorsementCredential`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndorsementCredential {
    /// `@context`.
    #[serde(rename = "@context")]
    pub context: OneOrMany<Value>,
    /// Unique URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `["VerifiableCredential", "EndorsementCredential"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<MultiLang>,
    /// The endorser.
    pub issuer: IssuerRef,
    /// What is endorsed.
    pub credential_subject: EndorsementSubject,
    /// Proof(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<OneOrMany<Proof>>,
    /// Members not modelled here (validFrom, issuanceDate, credentialStatus, …), kept.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl EndorsementCredential {
    /// Parses an endorsement (strict JSON; typed errors with the field's JSON Pointer).
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        from_json_typed(bytes, "EndorsementCredential")
    }
    /// The JSON form.
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
