//! `IdentityObject`: how an OB 3.0 credential names a recipient without an `id` — usually a salted
//! SHA-256 of an e-mail address (`sha256$` + hex(SHA-256(identity ‖ salt))).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// An OB 3.0 IdentityObject. Unknown members are kept in `extensions`.
///
/// E-mail matching: the address is trimmed and compared case-insensitively for plain identities;
/// for hashed ones the hash of the address as given and of its lower-cased form are both tried,
/// since issuers differ in whether they normalise before hashing.
///
/// # Example
/// ```
/// use openbadges::identity::IdentityObject;
/// // The OB 3.0 specification's example: a@example.com salted with "Kosher".
/// let id = IdentityObject::hashed_email("a@example.com", "Kosher");
/// assert_eq!(id.identity_hash,
///     "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399");
/// assert!(id.matches_email("A@Example.com"));
/// assert!(!id.matches_email("b@example.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityObject {
    /// Always `IdentityObject`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `emailAddress`, `url`, `phone`, `did`, … or an `ext:` value.
    pub identity_type: String,
    /// Whether `identity_hash` is a hash.
    pub hashed: bool,
    /// The identity (plain) or `sha256$…` / `md5$…` (hashed).
    pub identity_hash: String,
    /// The salt appended to the identity before hashing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// Members this type does not model, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// `sha256$` + hex(SHA-256(identity ‖ salt)).
pub fn sha256_identity_hash(identity: &str, salt: &str) -> String {
    let mut h = Sha256::new();
    h.update(identity.as_bytes());
    h.update(salt.as_bytes());
    format!("sha256${}", hex::encode(h.finalize()))
}

impl IdentityObject {
    /// A hashed e-mail identity (`emailAddress`, SHA-256 with `salt`).
    pub fn hashed_email(email: &str, salt: &str) -> Self {
        IdentityObject {
            kind: "IdentityObject".into(),
            identity_type: "emailAddress".into(),
            hashed: true,
            identity_hash: sha256_identity_hash(email, salt),
            salt: Some(salt.to_string()),
            extensions: Map::new(),
        }
    }

    /// Reads an IdentityObject from JSON.
    pub fn from_value(v: &Value) -> Option<Self> {
        serde_json::from_value(v.clone()).ok()
    }

    /// The JSON form.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Whether this identity is the e-mail address `email`.
    pub fn matches_email(&self, email: &str) -> bool {
        if self.identity_type != "emailAddress" {
            return false;
        }
        let trimmed = email.trim();
        let lower = trimmed.to_lowercase();
        if !self.hashed {
            return self.identity_hash.trim().eq_ignore_ascii_case(trimmed);
        }
        let salt = self.salt.as_deref().unwrap_or("");
        self.identity_hash.starts_with("sha256$")
            && [trimmed, lower.as_str()]
                .iter()
                .any(|e| sha256_identity_hash(e, salt).eq_ignore_ascii_case(&self.identity_hash))
    }
}
