//! The shared vocabulary of judgements: a [`Check`] with its typed [`CheckId`], an [`Outcome`], a
//! fatal flag and an RFC 9457-style [`Problem`], and the [`Question`] each check answers.
//!
//! It sits at the bottom of the crate (it imports nothing from it), so every module that judges a
//! credential — status lists, presentations, CLRs, programs — speaks it without importing
//! [`crate::verify`](mod@crate::verify).
//!
//! # Example
//! ```
//! use openbadges::check::{Check, CheckId, Question};
//! let c = Check::passed(CheckId::Proof).note("eddsa-rdfc-2022");
//! assert_eq!(c.id.question(), Question::Authentic);
//! assert_eq!(serde_json::to_value(&c)?["id"], "proof");
//! assert!(c.id == "proof");
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which check a [`Check`] is. Stable: the kebab-case names are part of the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CheckId {
    /// Which input form was found (VC-JWT, presentation, …).
    Format,
    /// The credential was extracted from a baked PNG or SVG image.
    BakedImage,
    /// The input is a JSON object.
    Parse,
    /// `type` names `VerifiableCredential` (and an Open Badges type).
    Type,
    /// `@context` starts with a VC context (and has an OB context).
    Context,
    /// Every member is a term its contexts define, under the name they give it: the JSON a check
    /// reads says what the signed graph says (no full IRIs, aliases, `@included`, `@graph`).
    SignedTerms,
    /// An issuer id is present.
    Issuer,
    /// The subject is identified (`id` or `identifier`) and has an achievement.
    Subject,
    /// The OB 3.0 / CLR 2.0 JSON Schema.
    Schema,
    /// The OB 3.0 data model rules the schema leaves open (lint errors).
    DataModel,
    /// The embedded proof, or the VC-JWT signature.
    Proof,
    /// The other proofs of a proof set or chain.
    ProofSet,
    /// The signing key is controlled by the issuer.
    IssuerKey,
    /// `validFrom` / `validUntil` (VC 1.1: `issuanceDate` / `expirationDate`).
    ValidityWindow,
    /// Revocation / suspension status.
    Status,
    /// A refresh service is offered.
    Refresh,
    /// The credential is for the expected recipient.
    Recipient,
    /// Embedded endorsements.
    Endorsements,
    /// A presentation's own proof (signed by its holder, with the expected challenge and domain).
    PresentationProof,
    /// A presentation's holder is the subject of the credentials it carries.
    Holder,
    /// The credentials a presentation or CLR carries all verified.
    NestedCredentials,
    /// A CLR's subject.
    ClrSubject,
    /// A CLR's associations.
    ClrAssociations,
    /// The trust phase (never part of `verified`).
    Trust,
}

impl CheckId {
    /// The stable kebab-case name.
    pub fn as_str(&self) -> &'static str {
        use CheckId::*;
        match self {
            Format => "format",
            BakedImage => "baked-image",
            Parse => "parse",
            Type => "type",
            Context => "context",
            SignedTerms => "signed-terms",
            Issuer => "issuer",
            Subject => "subject",
            Schema => "schema",
            DataModel => "data-model",
            Proof => "proof",
            ProofSet => "proof-set",
            IssuerKey => "issuer-key",
            ValidityWindow => "validity-window",
            Status => "status",
            Refresh => "refresh",
            Recipient => "recipient",
            Endorsements => "endorsements",
            PresentationProof => "presentation-proof",
            Holder => "holder",
            NestedCredentials => "nested-credentials",
            ClrSubject => "clr-subject",
            ClrAssociations => "clr-associations",
            Trust => "trust",
        }
    }

    /// Which of the report's questions this check answers.
    pub fn question(&self) -> Question {
        use CheckId::*;
        match self {
            Format | BakedImage | Parse | Type | Context | Issuer => Question::Input,
            SignedTerms | Proof | ProofSet | IssuerKey | PresentationProof | Holder => {
                Question::Authentic
            }
            ValidityWindow | Status => Question::Current,
            Subject | Schema | DataModel | ClrSubject | ClrAssociations => Question::Conformant,
            Recipient => Question::Recipient,
            NestedCredentials => Question::Contents,
            Refresh | Endorsements => Question::Information,
            Trust => Question::Trust,
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for CheckId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The questions a report answers, each from its own group of checks. `verified` is
/// *authentic* and *current* (and, when asked, *for this recipient*, with every nested credential
/// verified); *conformant* failures are warnings unless the credential names a schema it fails or
/// the verifier is strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Question {
    /// Is the input a credential we can read at all?
    Input,
    /// Was it signed by its issuer, unaltered?
    Authentic,
    /// Is it within its validity window and not revoked or suspended?
    Current,
    /// Does it follow the OB 3.0 schema and data model?
    Conformant,
    /// Is it for the recipient the verifier expects?
    Recipient,
    /// Did every credential it carries verify (presentations, CLRs)?
    Contents,
    /// Things a person should know that do not change the verdict.
    Information,
    /// Is the issuer on the verifier's trust list? (Reported apart from `verified`.)
    Trust,
}

impl Question {
    /// `input`, `authentic`, `current`, …
    pub fn as_str(&self) -> &'static str {
        match self {
            Question::Input => "input",
            Question::Authentic => "authentic",
            Question::Current => "current",
            Question::Conformant => "conformant",
            Question::Recipient => "recipient",
            Question::Contents => "contents",
            Question::Information => "information",
            Question::Trust => "trust",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome {
    /// The check ran and the credential satisfies it.
    Passed,
    /// The check ran and the credential does not satisfy it.
    Failed,
    /// Not a failure, but something a person should know (e.g. a VC 1.1 credential).
    Warning,
    /// The check did not apply or was switched off (the problem says why).
    Skipped,
    /// The check could not be completed (e.g. a status list could not be fetched).
    Indeterminate,
}

impl Outcome {
    /// `passed`, `failed`, `warning`, `skipped` or `indeterminate`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Warning => "warning",
            Outcome::Skipped => "skipped",
            Outcome::Indeterminate => "indeterminate",
        }
    }
}

/// What is wrong, in the shape of an RFC 9457 problem detail: a `type` URI, a short `title`, a
/// `detail` saying what was found and what was expected, and the JSON Pointer `instance` of the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI identifying the problem type (stable; see [`problem_types`]).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short, human-readable summary of the problem type.
    pub title: String,
    /// What was found and what was expected.
    pub detail: String,
    /// JSON Pointer to the field concerned (`""` = the whole document).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

/// Problem type URIs. Where the W3C VC specifications define an error (e.g. `PROOF_VERIFICATION_ERROR`),
/// the URI is the one they define; the others live under this crate's namespace.
pub mod problem_types {
    /// The input could not be parsed.
    pub const PARSING_ERROR: &str = "https://www.w3.org/TR/vc-data-model#PARSING_ERROR";
    /// The credential does not conform to the data model.
    pub const MALFORMED_VALUE_ERROR: &str =
        "https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR";
    /// A proof did not verify.
    pub const PROOF_VERIFICATION_ERROR: &str = "https://w3id.org/security#PROOF_VERIFICATION_ERROR";
    /// A proof is malformed.
    pub const PROOF_GENERATION_ERROR: &str = "https://w3id.org/security#PROOF_GENERATION_ERROR";
    /// JSON-LD processing would lose data (an undefined term, a relative IRI, …).
    pub const DATA_LOSS_DETECTION_ERROR: &str =
        "https://w3id.org/security#DATA_LOSS_DETECTION_ERROR";
    /// A verification method could not be dereferenced or is not the issuer's.
    pub const INVALID_VERIFICATION_METHOD: &str =
        "https://w3id.org/security#INVALID_VERIFICATION_METHOD";
    /// The presentation's domain did not match.
    pub const INVALID_DOMAIN_ERROR: &str = "https://w3id.org/security#INVALID_DOMAIN_ERROR";
    /// The presentation's challenge did not match.
    pub const INVALID_CHALLENGE_ERROR: &str = "https://w3id.org/security#INVALID_CHALLENGE_ERROR";
    /// The status list could not be fetched.
    pub const STATUS_RETRIEVAL_ERROR: &str =
        "https://www.w3.org/ns/credentials/status-list#STATUS_RETRIEVAL_ERROR";
    /// The status list credential did not verify.
    pub const STATUS_VERIFICATION_ERROR: &str =
        "https://www.w3.org/ns/credentials/status-list#STATUS_VERIFICATION_ERROR";
    /// The status list is shorter than the minimum.
    pub const STATUS_LIST_LENGTH_ERROR: &str =
        "https://www.w3.org/ns/credentials/status-list#STATUS_LIST_LENGTH_ERROR";
    /// The status index is outside the list.
    pub const RANGE_ERROR: &str = "https://www.w3.org/ns/credentials/status-list#RANGE_ERROR";
    /// The credential has expired.
    pub const EXPIRED: &str = "https://openbadges.rs/problems#expired";
    /// The credential is not yet valid.
    pub const NOT_YET_VALID: &str = "https://openbadges.rs/problems#not-yet-valid";
    /// The credential was revoked or suspended.
    pub const REVOKED: &str = "https://openbadges.rs/problems#revoked";
    /// The credential is not for the expected recipient.
    pub const RECIPIENT_MISMATCH: &str = "https://openbadges.rs/problems#recipient-mismatch";
    /// The issuer is not on the verifier's trust list.
    pub const UNTRUSTED_ISSUER: &str = "https://openbadges.rs/problems#untrusted-issuer";
    /// The issuer's control of the signing key could not be established.
    pub const ISSUER_UNPROVEN: &str = "https://openbadges.rs/problems#issuer-unproven";
    /// The JSON Schema check failed.
    pub const SCHEMA_ERROR: &str = "https://openbadges.rs/problems#schema";
    /// A check was switched off or did not apply.
    pub const NOT_APPLICABLE: &str = "https://openbadges.rs/problems#not-applicable";
    /// A member is not written as the term its contexts define (full IRI, alias, `@included`, …),
    /// so the JSON and the signed graph could say different things.
    pub const SIGNED_TERMS: &str = "https://openbadges.rs/problems#signed-terms";
    /// The input is in a format this crate recognises but does not verify (SD-JWT VC, CBOR, …).
    pub const UNSUPPORTED_FORMAT: &str = "https://openbadges.rs/problems#unsupported-format";
    /// A document needed to check the signature (a DID document, an issuer profile) could not be
    /// retrieved: the signature was not checked, not found wrong.
    pub const KEY_RETRIEVAL_ERROR: &str = "https://openbadges.rs/problems#key-retrieval";
}

/// One check of the verification pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Which check (stable kebab-case in JSON: `proof`, `validity-window`, `status`, …).
    pub id: CheckId,
    /// What the check found.
    pub outcome: Outcome,
    /// Whether a non-passing outcome makes the credential not verified.
    pub fatal: bool,
    /// What is wrong, when the outcome is not `passed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
    /// A short note for people (e.g. which key signed), also on passed checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Check {
    /// A passed check (fatal: had it failed, the credential would not be verified).
    pub fn passed(id: CheckId) -> Self {
        Check {
            id,
            outcome: Outcome::Passed,
            fatal: true,
            problem: None,
            note: None,
        }
    }

    /// A non-passed check with a problem.
    pub fn with_problem(
        id: CheckId,
        outcome: Outcome,
        fatal: bool,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
        instance: Option<&str>,
    ) -> Self {
        Check {
            id,
            outcome,
            fatal,
            problem: Some(Problem {
                kind: kind.to_string(),
                title: title.to_string(),
                detail: detail.into(),
                instance: instance.map(str::to_string),
            }),
            note: None,
        }
    }

    /// A fatal failure.
    pub fn failed(
        id: CheckId,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
        instance: Option<&str>,
    ) -> Self {
        Check::with_problem(id, Outcome::Failed, true, kind, title, detail, instance)
    }

    /// A non-fatal warning.
    pub fn warning(
        id: CheckId,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
        instance: Option<&str>,
    ) -> Self {
        Check::with_problem(id, Outcome::Warning, false, kind, title, detail, instance)
    }

    /// A skipped check, with the reason.
    pub fn skipped(id: CheckId, why: impl Into<String>) -> Self {
        Check::with_problem(
            id,
            Outcome::Skipped,
            false,
            problem_types::NOT_APPLICABLE,
            "Not checked",
            why,
            None,
        )
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Whether this check makes the credential not verified.
    pub fn is_blocking(&self) -> bool {
        self.fatal && matches!(self.outcome, Outcome::Failed | Outcome::Indeterminate)
    }
}
