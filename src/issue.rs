//! The issuer's paved path: an [`Issuer`] (profile + [`IssuerKey`]) fills what an award needs —
//! the issuer profile, an `id`, `validFrom`, a status entry — and secures it the one way every
//! caller uses ([`Securing`]): a Data Integrity proof or a VC-JWT. The CLI, the server and the
//! bindings all issue through [`Issuer::issue_at`].

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::jwt::{Algorithm, HeaderKey, VcForm};
use crate::keys::{IssuerKey, KeyAlgorithm};
use crate::proof::{ProofOptions, Signer, Suite};
use crate::status::StatusListStore;

/// How an issued credential is secured.
///
/// # Example
/// ```
/// use openbadges::{jwt::Algorithm, proof::Suite, Securing};
/// assert_eq!(Securing::from(Suite::EddsaRdfc2022), Securing::DataIntegrity(Suite::EddsaRdfc2022));
/// assert_eq!(Securing::from_name("jwt-es256")?, Securing::Jwt(Algorithm::Es256));
/// assert_eq!(Securing::Jwt(Algorithm::Rs256).name(), "jwt-rs256");
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Securing {
    /// An embedded Data Integrity proof (Ed25519 keys).
    DataIntegrity(Suite),
    /// A VC-JWT (compact JWS) signed with this algorithm; the key must be of its kind.
    Jwt(Algorithm),
}

impl From<Suite> for Securing {
    fn from(suite: Suite) -> Self {
        Securing::DataIntegrity(suite)
    }
}

impl From<Algorithm> for Securing {
    fn from(alg: Algorithm) -> Self {
        Securing::Jwt(alg)
    }
}

impl Securing {
    /// The name the CLI and the bindings use: a suite name (`eddsa-rdfc-2022`, `eddsa-jcs-2022`,
    /// `Ed25519Signature2020`) or `jwt-eddsa`, `jwt-es256`, `jwt-rs256`.
    pub fn name(&self) -> &'static str {
        match self {
            Securing::DataIntegrity(s) => s.name(),
            Securing::Jwt(Algorithm::EdDsa) => "jwt-eddsa",
            Securing::Jwt(Algorithm::Es256) => "jwt-es256",
            Securing::Jwt(Algorithm::Rs256) => "jwt-rs256",
        }
    }

    /// Parses [`Securing::name`].
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "jwt-eddsa" => Ok(Securing::Jwt(Algorithm::EdDsa)),
            "jwt-es256" => Ok(Securing::Jwt(Algorithm::Es256)),
            "jwt-rs256" => Ok(Securing::Jwt(Algorithm::Rs256)),
            other => Suite::from_name(other).map(Securing::DataIntegrity).map_err(|_| {
                Error::new(
                    ErrorKind::Usage,
                    format!("unknown suite `{other}`; expected eddsa-rdfc-2022, eddsa-jcs-2022, Ed25519Signature2020, jwt-eddsa, jwt-es256 or jwt-rs256"),
                )
            }),
        }
    }
}

/// An issued credential: a JSON-LD document with an embedded proof, or a VC-JWT.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Issued {
    /// The signed JSON-LD document.
    Document(Value),
    /// The compact JWS.
    Jwt(String),
}

impl Issued {
    /// The signed document, if this is one.
    pub fn as_document(&self) -> Option<&Value> {
        match self {
            Issued::Document(v) => Some(v),
            Issued::Jwt(_) => None,
        }
    }

    /// The compact JWS, if this is a VC-JWT.
    pub fn as_jwt(&self) -> Option<&str> {
        match self {
            Issued::Jwt(t) => Some(t),
            Issued::Document(_) => None,
        }
    }

    /// As JSON, the VC-API's form: the signed document, or the compact JWS as a JSON string.
    pub fn into_json(self) -> Value {
        match self {
            Issued::Document(v) => v,
            Issued::Jwt(t) => Value::String(t),
        }
    }

    /// As the bytes a file or a response carries: pretty JSON, or the compact JWS; both end in a
    /// newline.
    pub fn to_text(&self) -> String {
        match self {
            Issued::Document(v) => {
                let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
                s.push('\n');
                s
            }
            Issued::Jwt(t) => format!("{t}\n"),
        }
    }
}

/// Signs awarded badges for one issuer. Build once and issue thousands: the JSON-LD contexts are
/// processed once and shared.
///
/// # Example
/// ```
/// use openbadges::{Issuer, IssuerKey, Securing};
/// use openbadges::proof::Suite;
///
/// let key = IssuerKey::ed25519_from_seed(&[1u8; 32]);
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
/// let signed = issuer.issue(&badge, Suite::EddsaRdfc2022)?.into_json();
/// assert_eq!(signed["issuer"]["id"], issuer.id());
/// assert!(signed["id"].as_str().unwrap().starts_with("urn:uuid:"));
///
/// // The same badge as a VC-JWT, and both verify.
/// let jwt = issuer.issue(&badge, openbadges::jwt::Algorithm::EdDsa)?;
/// let options = openbadges::VerifyOptions::default();
/// assert!(openbadges::verify(jwt.as_jwt().unwrap().as_bytes(), &options)?.verified);
/// assert!(openbadges::verify(signed.to_string().as_bytes(), &options)?.verified);
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Issuer {
    profile: Map<String, Value>,
    key: IssuerKey,
    verification_method: String,
    /// Whether the verification method was named by the caller (or is the key's did:key), so a
    /// VC-JWT names it as `kid`; otherwise the token carries its `jwk`.
    named_method: bool,
    /// The Data Integrity signer, for Ed25519 keys.
    signer: Option<Signer>,
}

impl Issuer {
    /// An issuer with this Profile (JSON object) and key. A profile without `id` gets the key's
    /// did:key (Ed25519 and P-256; an RSA key needs a profile id). Proofs name `did:key:…#…` when
    /// the id is that did:key, else `<id>#<multikey>` (the key must then be published in the
    /// profile or DID document at that id; see [`Issuer::with_verification_method`] to name
    /// another).
    pub fn new(profile: Value, key: impl Into<IssuerKey>) -> Result<Self> {
        let key = key.into();
        let mut profile = match profile {
            Value::Object(o) => o,
            _ => return Err(Error::model("the issuer profile must be a JSON object")),
        };
        let public = key.public_key();
        let did_key = public.did_key();
        let id = match profile.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => {
                let did = did_key.clone().ok_or_else(|| {
                    Error::new(
                        ErrorKind::Usage,
                        "an issuer with an RSA key needs a profile `id` (RSA keys have no did:key)",
                    )
                })?;
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
        let own_did = did_key.as_deref() == Some(id.as_str());
        let verification_method = match (own_did, key.as_ed25519()) {
            (true, _) => public.did_key_verification_method().unwrap_or_default(),
            (false, Some(ed)) => format!("{id}#{}", ed.verifying_key().to_multikey()),
            (false, None) => format!("{id}#key-1"),
        };
        let signer = key
            .as_ed25519()
            .map(|ed| Signer::new(ed.clone(), verification_method.clone()));
        Ok(Issuer {
            profile,
            key,
            verification_method,
            named_method: own_did,
            signer,
        })
    }

    /// Names `verification_method` in proofs and as the VC-JWT `kid` (e.g.
    /// `did:web:district.example#key-2`).
    pub fn with_verification_method(mut self, verification_method: impl Into<String>) -> Self {
        self.verification_method = verification_method.into();
        self.named_method = true;
        self.signer = self
            .key
            .as_ed25519()
            .map(|ed| Signer::new(ed.clone(), self.verification_method.clone()));
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

    /// The key.
    pub fn key(&self) -> &IssuerKey {
        &self.key
    }

    /// The verification method proofs and tokens name.
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }

    /// The Data Integrity signer (key and verification method): `None` unless the key is Ed25519.
    pub fn signer(&self) -> Option<&Signer> {
        self.signer.as_ref()
    }

    /// The Data Integrity signer, or a `Key` error naming why there is none.
    pub(crate) fn di_signer(&self) -> Result<&Signer> {
        self.signer
            .as_ref()
            .ok_or_else(|| self.wrong_key(Securing::DataIntegrity(Suite::EddsaRdfc2022)))
    }

    /// Fills and secures `credential` as of now.
    pub fn issue(&self, credential: &Value, securing: impl Into<Securing>) -> Result<Issued> {
        self.issue_at(credential, securing, Utc::now(), None)
    }

    /// Fills and secures `credential` as of `now` (reproducible), allocating a status entry in
    /// `status` when given.
    pub fn issue_at(
        &self,
        credential: &Value,
        securing: impl Into<Securing>,
        now: DateTime<Utc>,
        status: Option<&mut StatusListStore>,
    ) -> Result<Issued> {
        let securing = securing.into();
        // Refuse a key that cannot sign this way before a status index is spent.
        self.check_key(securing)?;
        let doc = self.prepare(credential, now, status)?;
        match securing {
            Securing::DataIntegrity(suite) => {
                let created = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
                self.di_signer()?
                    .sign(&doc, suite, &ProofOptions::assertion().created(created))
                    .map(Issued::Document)
            }
            Securing::Jwt(_) => {
                let header = if self.named_method {
                    HeaderKey::Kid(self.verification_method.clone())
                } else {
                    HeaderKey::Jwk
                };
                let v1 =
                    doc.pointer("/@context/0").and_then(Value::as_str) == Some(crate::vocab::VC_V1);
                let form = if v1 { VcForm::V1 } else { VcForm::V2 };
                crate::jwt::sign(&doc, &self.key, header, form).map(Issued::Jwt)
            }
        }
    }

    fn check_key(&self, securing: Securing) -> Result<()> {
        let fits = match securing {
            Securing::DataIntegrity(_) => self.key.algorithm() == KeyAlgorithm::Ed25519,
            Securing::Jwt(alg) => self.key.jwt_algorithm() == alg,
        };
        if fits {
            Ok(())
        } else {
            Err(self.wrong_key(securing))
        }
    }

    fn wrong_key(&self, securing: Securing) -> Error {
        let needs = match securing {
            Securing::DataIntegrity(_) => "an Ed25519 key".to_string(),
            Securing::Jwt(alg) => format!("a key for {}", alg.name()),
        };
        Error::new(
            ErrorKind::Key,
            format!(
                "`{}` needs {needs}; this issuer's key is {}",
                securing.name(),
                self.key.algorithm().name()
            ),
        )
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
