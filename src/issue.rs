//! The issuer's paved path: an [`Issuer`] (profile + signing key) fills what an award needs —
//! the issuer profile, an `id`, `validFrom`, a status entry — and signs.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::keys::SigningKey;
use crate::proof::{ProofOptions, Signer, Suite};
use crate::status::StatusListStore;

/// Signs awarded badges for one issuer. Build once and issue thousands: the JSON-LD contexts are
/// processed once and shared.
///
/// # Example
/// ```
/// use openbadges::issue::Issuer;
/// use openbadges::keys::SigningKey;
/// use openbadges::proof::Suite;
///
/// let key = SigningKey::from_seed(&[1u8; 32]);
/// let issuer = Issuer::new(serde_json::json!({"type": ["Profile"], "name": "Riverside District"}), key)?;
/// let badge = serde_json::json!({
///   "@context": ["https://www.w3.org/ns/credentials/v2",
///                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
///   "type": ["VerifiableCredential", "OpenBadgeCredential"],
///   "name": "Growth Mindset",
///   "credentialSubject": {"id": "did:example:teacher-7", "type": ["AchievementSubject"],
///     "achievement": {"id": "https://riverside.example/a/growth-mindset", "type": ["Achievement"],
///       "name": "Growth Mindset", "description": "Fosters a growth mindset.",
///       "criteria": {"narrative": "Rubric score 3 or higher."}}}
/// });
/// let signed = issuer.issue(&badge, Suite::EddsaRdfc2022)?;
/// assert_eq!(signed["issuer"]["id"], issuer.id());
/// assert!(signed["id"].as_str().unwrap().starts_with("urn:uuid:"));
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Issuer {
    profile: Map<String, Value>,
    signer: Signer,
}

impl Issuer {
    /// An issuer with this Profile (JSON object) and key. A profile without `id` gets the key's
    /// did:key. Proofs name `did:key:…#…` when the id is that did:key, else `<id>#<multikey>` (the
    /// key must then be published in the profile or DID document at that id; see
    /// [`Issuer::with_verification_method`] to name another).
    pub fn new(profile: Value, key: SigningKey) -> Result<Self> {
        let mut profile = match profile {
            Value::Object(o) => o,
            _ => return Err(Error::model("the issuer profile must be a JSON object")),
        };
        let public = key.verifying_key();
        let id = match profile.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => {
                let did = public.did_key();
                let mut m = Map::new();
                m.insert("id".into(), did.clone().into());
                m.extend(profile);
                profile = m;
                did
            }
        };
        if !profile.contains_key("type") {
            profile.insert("type".into(), serde_json::json!(["Profile"]));
        }
        let vm = if id == public.did_key() {
            public.did_key_verification_method()
        } else {
            format!("{id}#{}", public.to_multikey())
        };
        Ok(Issuer {
            profile,
            signer: Signer::new(key, vm),
        })
    }

    /// Names `verification_method` in proofs (e.g. `did:web:district.example#key-2`).
    pub fn with_verification_method(mut self, verification_method: impl Into<String>) -> Self {
        self.signer = Signer::new(self.signer.key().clone(), verification_method);
        self
    }

    /// The issuer id.
    pub fn id(&self) -> &str {
        self.profile.get("id").and_then(Value::as_str).unwrap_or("")
    }

    /// The issuer profile as embedded in credentials.
    pub fn profile(&self) -> Value {
        Value::Object(self.profile.clone())
    }

    /// The signer (key and verification method).
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// Fills and signs `credential` as of now.
    pub fn issue(&self, credential: &Value, suite: Suite) -> Result<Value> {
        self.issue_at(credential, suite, Utc::now(), None)
    }

    /// Fills and signs `credential` as of `now` (reproducible), allocating a status entry in
    /// `status` when given.
    pub fn issue_at(
        &self,
        credential: &Value,
        suite: Suite,
        now: DateTime<Utc>,
        status: Option<&mut StatusListStore>,
    ) -> Result<Value> {
        let doc = self.prepare(credential, now, status)?;
        let created = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        self.signer
            .sign(&doc, suite, &ProofOptions::assertion().created(created))
    }

    /// What [`Issuer::issue_at`] signs: the credential with issuer, id, validFrom (VC 2.0) or
    /// issuanceDate (VC 1.1), and status filled in.
    pub fn prepare(
        &self,
        credential: &Value,
        now: DateTime<Utc>,
        status: Option<&mut StatusListStore>,
    ) -> Result<Value> {
        prepare(credential, &self.profile(), now, status)
    }
}

/// Fills what an award needs — the issuer (`profile`, an object with `id`), an `id`
/// (urn:uuid), `validFrom` (VC 2.0) or `issuanceDate` (VC 1.1) as of `now`, and a status entry
/// from `status` — leaving everything the credential already has untouched.
pub fn prepare(
    credential: &Value,
    profile: &Value,
    now: DateTime<Utc>,
    status: Option<&mut StatusListStore>,
) -> Result<Value> {
    let issuer_id = profile
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut doc = credential
        .as_object()
        .cloned()
        .ok_or_else(|| Error::model("a credential must be a JSON object"))?;
    match doc.get_mut("issuer") {
        None => {
            doc.insert("issuer".into(), profile.clone());
        }
        Some(Value::Object(o)) if !o.contains_key("id") => {
            let mut m = Map::new();
            m.insert("id".into(), issuer_id.clone().into());
            m.extend(std::mem::take(o));
            *o = m;
        }
        Some(Value::String(s)) if s.is_empty() => *s = issuer_id.clone(),
        _ => {}
    }
    if !doc.contains_key("id") {
        doc.insert(
            "id".into(),
            format!("urn:uuid:{}", uuid::Uuid::new_v4()).into(),
        );
    }
    let v1 = doc
        .get("@context")
        .and_then(|c| c.get(0))
        .and_then(Value::as_str)
        == Some(crate::vocab::VC_V1);
    let date_key = if v1 { "issuanceDate" } else { "validFrom" };
    if !doc.contains_key(date_key) {
        doc.insert(
            date_key.into(),
            now.format("%Y-%m-%dT%H:%M:%SZ").to_string().into(),
        );
    }
    if let Some(store) = status {
        let id = doc
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let entry = store.allocate(&id)?;
        match doc.get_mut("credentialStatus") {
            None => {
                doc.insert("credentialStatus".into(), entry);
            }
            Some(Value::Array(a)) => a.push(entry),
            Some(other) => {
                let first = other.take();
                *other = Value::Array(vec![first, entry]);
            }
        }
    }
    Ok(Value::Object(doc))
}
