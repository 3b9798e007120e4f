//! JSON Schema validation of Open Badges 3.0 documents against the schemas this crate bundles.
//!
//! 1EdTech publishes JSON Schemas (draft 2019-09) for the AchievementCredential (and a variant that
//! also accepts VC Data Model 1.1 credentials), EndorsementCredential and Profile, and for the
//! CLR 2.0 ClrCredential; credentials name them in `credentialSchema` with the type
//! `1EdTechJsonSchemaValidator2019`. The project does not copy those files: it writes its own from
//! the OB 3.0 and CLR 2.0 data models (`schemas/json/` in the source tree; provenance in
//! `schemas/json/PROVENANCE.md`), and a differential test (`tests/schema_differential.rs`) requires
//! them to accept and reject exactly what the official ones do, over every fixture and hundreds of
//! mutated copies. [`SchemaKind::from_credential_schema_id`] maps the official schema URLs to the
//! bundled equivalents, so a verifier can run the check with no network access.
//!
//! Like 1EdTech's files, the schemas describe the JSON-LD *compact* form: most properties accept
//! one value or an array, and text properties also accept a language map. They are therefore more
//! permissive than the data model in places (a single-string `type` is not checked, for one);
//! [`crate::lint`] reports those cases.
//!
//! Formats (`date-time`, `date`) are asserted, as the 1EdTech validator does.
//!
//! # The engine
//! The schemas are checked by this crate's own small JSON Schema engine (draft 2019-09, exactly
//! the keywords the bundled schemas and 1EdTech's use; `src/schema/engine.rs`), not by a JSON
//! Schema crate: the `jsonschema` crate this module used before was, with its regex engines,
//! about 40 % of the WebAssembly module and half the clean build time of the bare library. A
//! schema using a keyword the engine does not support fails to compile ([`Schema::compile`]),
//! it is never half-checked. The guarantee that nothing changed is the differential test
//! (`tests/schema_differential.rs`): every document of the corpus and thousands of mutations and
//! random documents get the same verdict, and errors at the same places, from this engine and
//! from `jsonschema`, on our schemas and on the official ones.
//!
//! # Example
//! ```
//! use openbadges::schema::{validate, SchemaKind};
//! let kind = SchemaKind::from_credential_schema_id(
//!     "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile_schema.json",
//! );
//! assert_eq!(kind, Some(SchemaKind::Profile));
//!
//! let profile = serde_json::json!({"id": "https://example.edu/issuers/1", "type": ["Profile"]});
//! assert!(validate(SchemaKind::Profile, &profile).is_empty());
//!
//! let errors = validate(SchemaKind::Profile, &serde_json::json!({"type": ["Profile"]}));
//! assert_eq!(errors[0].pointer, "");
//! assert_eq!(
//!     errors[0].message,
//!     "\"id\" is a required property (rule /$defs/Profile/required)"
//! );
//!
//! // CLR 2.0: the ClrCredential schema.
//! let clr = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json";
//! assert_eq!(SchemaKind::from_credential_schema_id(clr), Some(SchemaKind::ClrCredential));
//! ```

use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};

mod engine;

/// The most errors [`validate`] reports for one document.
pub const MAX_ERRORS: usize = 100;

/// Which bundled schema to validate against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemaKind {
    /// AchievementCredential / OpenBadgeCredential (VC Data Model 2.0).
    AchievementCredential,
    /// EndorsementCredential (VC Data Model 2.0).
    EndorsementCredential,
    /// Profile (an issuer, creator or endorser).
    Profile,
    /// AchievementCredential / OpenBadgeCredential in either VC Data Model 1.1 or 2.0 form (the
    /// verification-only schema that also accepts VC 1.1 credentials).
    AnyAchievementCredential,
    /// CLR 2.0 ClrCredential (VC Data Model 2.0). Its nested `verifiableCredential` items are
    /// checked only as generic VC 2.0 credentials, as in the official schema; verify them on
    /// their own (e.g. with [`crate::clr::verify_clr`]) for the OB 3.0 check.
    ClrCredential,
}

impl SchemaKind {
    /// Every kind.
    pub const ALL: &'static [SchemaKind] = &[
        SchemaKind::AchievementCredential,
        SchemaKind::EndorsementCredential,
        SchemaKind::Profile,
        SchemaKind::AnyAchievementCredential,
        SchemaKind::ClrCredential,
    ];

    /// The bundled equivalent of the official schema a `credentialSchema` entry names, or `None`
    /// for any other URL (the caller decides what an unknown schema means; nothing is fetched).
    ///
    /// Accepts the official 1EdTech URLs under
    /// `https://purl.imsglobal.org/spec/ob/v3p0/schema/json/` (and the CLR 2.0 ClrCredential
    /// schema under `https://purl.imsglobal.org/spec/clr/v2p0/schema/json/`) and the bundled
    /// schemas' own `$id`s.
    /// The pre-release short forms (`…/v3p0/schema/achievementcredential.json`) were never
    /// published as schemas and map to `None`.
    ///
    /// # Example
    /// ```
    /// use openbadges::schema::SchemaKind;
    /// let id = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";
    /// assert_eq!(SchemaKind::from_credential_schema_id(id), Some(SchemaKind::AchievementCredential));
    /// assert_eq!(SchemaKind::from_credential_schema_id("https://example.org/my.json"), None);
    /// ```
    pub fn from_credential_schema_id(id: &str) -> Option<SchemaKind> {
        SchemaKind::ALL
            .iter()
            .copied()
            .find(|k| k.official_id() == id || k.bundled_id() == id)
    }

    /// The URL of the official 1EdTech schema this kind stands for.
    pub fn official_id(&self) -> &'static str {
        match self {
            SchemaKind::AchievementCredential => {
                "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
            }
            SchemaKind::EndorsementCredential => {
                "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
            }
            SchemaKind::Profile => {
                "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile_schema.json"
            }
            SchemaKind::AnyAchievementCredential => {
                "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_anyachievementcredential_schema.json"
            }
            SchemaKind::ClrCredential => {
                "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
            }
        }
    }

    /// The `$id` of the bundled schema (a name, never fetched).
    pub fn bundled_id(&self) -> &'static str {
        match self {
            SchemaKind::AchievementCredential => {
                "https://openbadges.rs/schemas/ob/v3p0/achievementcredential.schema.json"
            }
            SchemaKind::EndorsementCredential => {
                "https://openbadges.rs/schemas/ob/v3p0/endorsementcredential.schema.json"
            }
            SchemaKind::Profile => "https://openbadges.rs/schemas/ob/v3p0/profile.schema.json",
            SchemaKind::AnyAchievementCredential => {
                "https://openbadges.rs/schemas/ob/v3p0/anyachievementcredential.schema.json"
            }
            SchemaKind::ClrCredential => {
                "https://openbadges.rs/schemas/clr/v2p0/clrcredential.schema.json"
            }
        }
    }

    /// The bundled schema's JSON text.
    pub fn schema_text(&self) -> &'static str {
        match self {
            SchemaKind::AchievementCredential => {
                include_str!("../../schemas/json/achievementcredential.schema.json")
            }
            SchemaKind::EndorsementCredential => {
                include_str!("../../schemas/json/endorsementcredential.schema.json")
            }
            SchemaKind::Profile => include_str!("../../schemas/json/profile.schema.json"),
            SchemaKind::AnyAchievementCredential => {
                include_str!("../../schemas/json/anyachievementcredential.schema.json")
            }
            SchemaKind::ClrCredential => {
                include_str!("../../schemas/json/clrcredential.schema.json")
            }
        }
    }

    fn slot(&self) -> &'static OnceLock<Result<Schema>> {
        static ACHIEVEMENT: OnceLock<Result<Schema>> = OnceLock::new();
        static ENDORSEMENT: OnceLock<Result<Schema>> = OnceLock::new();
        static PROFILE: OnceLock<Result<Schema>> = OnceLock::new();
        static ANY_ACHIEVEMENT: OnceLock<Result<Schema>> = OnceLock::new();
        static CLR: OnceLock<Result<Schema>> = OnceLock::new();
        match self {
            SchemaKind::AchievementCredential => &ACHIEVEMENT,
            SchemaKind::EndorsementCredential => &ENDORSEMENT,
            SchemaKind::Profile => &PROFILE,
            SchemaKind::AnyAchievementCredential => &ANY_ACHIEVEMENT,
            SchemaKind::ClrCredential => &CLR,
        }
    }
}

impl fmt::Display for SchemaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SchemaKind::AchievementCredential => "AchievementCredential",
            SchemaKind::EndorsementCredential => "EndorsementCredential",
            SchemaKind::Profile => "Profile",
            SchemaKind::AnyAchievementCredential => "AnyAchievementCredential",
            SchemaKind::ClrCredential => "ClrCredential",
        })
    }
}

/// One place where a document does not satisfy the schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SchemaError {
    /// JSON Pointer (RFC 6901) to the offending value (`""` is the whole document).
    pub pointer: String,
    /// What the schema expected there.
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{} (at {at})", self.message)
    }
}

/// A compiled JSON Schema (draft 2019-09, formats asserted, no remote references), in the subset
/// of keywords the bundled and the official Open Badges and CLR schemas use.
///
/// [`validate`] uses the bundled ones; `Schema::compile` is for tools and tests that compare them
/// with other schemas (the differential test runs the official 1EdTech schemas through it).
///
/// # Example
/// ```
/// use openbadges::schema::Schema;
/// let schema = Schema::compile(&serde_json::json!({"type": "object", "required": ["id"]}))?;
/// assert_eq!(schema.validate(&serde_json::json!({})).len(), 1);
/// assert!(schema.is_valid(&serde_json::json!({"id": 1})));
///
/// // Nothing is fetched: a remote reference is a compile error.
/// let remote = serde_json::json!({"$ref": "https://example.org/schema.json"});
/// assert!(Schema::compile(&remote).is_err());
///
/// // Nor is anything ignored: a keyword the engine does not support is a compile error too.
/// let unsupported = serde_json::json!({"type": "string", "minLength": 1});
/// let error = Schema::compile(&unsupported).err().map(|e| e.to_string());
/// assert!(error.is_some_and(|e| e.contains("`minLength`")));
/// # Ok::<(), openbadges::Error>(())
/// ```
pub struct Schema {
    compiled: engine::Compiled,
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Schema").finish_non_exhaustive()
    }
}

impl Schema {
    /// Compiles a schema as draft 2019-09, asserting formats, with this crate's engine (see the
    /// module docs for the keywords it supports). A keyword it does not support, and any
    /// reference outside the document, fail here with [`ErrorKind::Usage`]: nothing is ignored
    /// and nothing is fetched.
    pub fn compile(schema: &Value) -> Result<Schema> {
        engine::Compiled::new(schema).map(|compiled| Schema { compiled })
    }

    /// The bundled schema of `kind`, compiled on first use.
    pub fn bundled(kind: SchemaKind) -> Result<&'static Schema> {
        kind.slot()
            .get_or_init(|| {
                let value: Value = serde_json::from_str(kind.schema_text()).map_err(|e| {
                    Error::new(
                        ErrorKind::Json,
                        format!("the bundled {kind} schema is not JSON: {e}"),
                    )
                })?;
                Schema::compile(&value).map_err(|e| e.context(format!("bundled {kind} schema")))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Every violation (at most [`MAX_ERRORS`]); empty when `doc` is valid.
    pub fn validate(&self, doc: &Value) -> Vec<SchemaError> {
        self.compiled
            .validate(doc, MAX_ERRORS)
            .into_iter()
            .map(|v| SchemaError {
                message: format!("{} (rule {})", v.message, v.rule),
                pointer: v.pointer,
            })
            .collect()
    }

    /// Whether `doc` is valid (faster than checking [`Schema::validate`] for emptiness).
    pub fn is_valid(&self, doc: &Value) -> bool {
        self.compiled.is_valid(doc)
    }
}

/// How a message shows the value it is about: as JSON when that is short (at most 80
/// characters), else by where it is — a message names the field and the rule, never the whole
/// document (which is then not even serialized).
fn short_message(instance: &Value, pointer: &str) -> String {
    // 80 characters take at most 320 bytes of UTF-8.
    match engine::render(instance, 4 * 80) {
        Some(json) if json.chars().count() <= 80 => json,
        _ if pointer.is_empty() => "the credential".to_string(),
        _ => format!("`{pointer}`"),
    }
}

/// Validates `doc` against the bundled schema of `kind`; returns every violation (at most
/// [`MAX_ERRORS`]), or nothing when the document is valid.
///
/// The schema is compiled once, on first use.
///
/// # Example
/// ```
/// use openbadges::schema::{validate, SchemaKind};
/// let doc = serde_json::json!({"id": "urn:x", "type": ["Profile"], "dateOfBirth": "1990-02-30"});
/// let errors = validate(SchemaKind::Profile, &doc);
/// assert_eq!(errors.len(), 1);
/// assert_eq!(errors[0].pointer, "/dateOfBirth");
/// ```
pub fn validate(kind: SchemaKind, doc: &Value) -> Vec<SchemaError> {
    match Schema::bundled(kind) {
        Ok(schema) => schema.validate(doc),
        // Unreachable for a released crate (the tests compile every bundled schema), but a
        // packaging mistake must be reported, not panic.
        Err(e) => vec![SchemaError {
            pointer: String::new(),
            message: e.to_string(),
        }],
    }
}

#[cfg(test)]
mod tests;
