//! Data Integrity proofs: sign and verify `eddsa-rdfc-2022`, `eddsa-jcs-2022` and
//! `Ed25519Signature2020`, and verify the legacy `eddsa-2022` (the old name of eddsa-rdfc-2022).
//!
//! Every suite follows the same shape (W3C VC Data Integrity + vc-di-eddsa): the proof
//! configuration (the proof without `proofValue`, with the document's `@context`) and the document
//! without its proof are canonicalized — RDFC-1.0 over our JSON-LD processor in safe mode, or JCS —
//! each hashed with SHA-256, and Ed25519 signs `proofHash ‖ documentHash`. `proofValue` is `z` +
//! base58btc of the 64-byte signature.
//!
//! [`Signer`] and [`ProofVerifier`] share one [`Processor`] (and its cache
//! of processed contexts), so thousands of badges pay the context cost once.
//!
//! # Example
//! ```
//! use openbadges::keys::{DidKeyResolver, SigningKey};
//! use openbadges::proof::{Expectations, ProofOptions, ProofVerifier, Signer, Suite};
//! use std::sync::Arc;
//!
//! let key = SigningKey::from_seed(&[7u8; 32]);
//! let did = key.verifying_key().did_key();
//! let credential = serde_json::json!({
//!     "@context": ["https://www.w3.org/ns/credentials/v2",
//!                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
//!     "id": "urn:uuid:3f1d2c44-5b6a-4f0e-9d8c-7b6a5f4e3d2c",
//!     "type": ["VerifiableCredential", "OpenBadgeCredential"],
//!     "issuer": {"id": did, "type": ["Profile"], "name": "Riverside District"},
//!     "validFrom": "2026-01-15T00:00:00Z",
//!     "name": "Flexible Grouping",
//!     "credentialSubject": {"id": "did:example:teacher-1", "type": ["AchievementSubject"],
//!         "achievement": {"id": "https://district.example/a/flexible-grouping",
//!             "type": ["Achievement"], "name": "Flexible Grouping",
//!             "description": "Groups students flexibly by need.",
//!             "criteria": {"narrative": "Submitted evidence scored 3+ on the rubric."}}}
//! });
//! let signer = Signer::did_key(key);
//! let options = ProofOptions::assertion().created("2026-01-15T00:00:00Z");
//! let signed = signer.sign(&credential, Suite::EddsaRdfc2022, &options)?;
//!
//! let verifier = ProofVerifier::new(Arc::new(DidKeyResolver));
//! let outcomes = verifier.verify(&signed, &Expectations::assertion())?;
//! assert!(outcomes[0].result.is_ok());
//! assert_eq!(outcomes[0].controller.as_deref(), Some(did.as_str()));
//! # Ok::<(), openbadges::Error>(())
//! ```

mod base58;
mod suite;

pub use suite::{Suite, DATA_INTEGRITY_V1, DATA_INTEGRITY_V2, ED25519_2020_CONTEXT};

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use std::collections::HashMap;

use crate::error::{Error, ErrorKind, Result};
use crate::jsonld::{Options as JsonLdOptions, Processor};
use crate::keys::batch::{verify_or_defer, Deferred};
use crate::keys::{KeyResolver, SigningKey, VerificationMethod};
use crate::vocab::VC_V1;

const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";

/// The process-wide JSON-LD processor with the bundled contexts, shared by default so every
/// [`Signer`] and [`ProofVerifier`] reuses one cache of processed contexts.
pub fn shared_processor() -> Arc<Processor> {
    static P: OnceLock<Arc<Processor>> = OnceLock::new();
    P.get_or_init(|| Arc::new(Processor::new())).clone()
}

/// Options of a proof being created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    /// `created` (xsd:dateTime); `None` = now, to the second, in UTC.
    pub created: Option<String>,
    /// `proofPurpose`: `assertionMethod` for credentials, `authentication` for presentations.
    pub proof_purpose: String,
    /// `challenge` (presentations).
    pub challenge: Option<String>,
    /// `domain` (presentations).
    pub domain: Option<String>,
    /// `expires`.
    pub expires: Option<String>,
    /// The proof's own `id` (needed for proofs that others chain to).
    pub id: Option<String>,
    /// `previousProof`: the id (string) or ids (array) of proofs this one chains to.
    pub previous_proof: Option<Value>,
}

impl ProofOptions {
    /// `proofPurpose: assertionMethod` (what credentials use), created now.
    pub fn assertion() -> Self {
        ProofOptions {
            created: None,
            proof_purpose: "assertionMethod".into(),
            challenge: None,
            domain: None,
            expires: None,
            id: None,
            previous_proof: None,
        }
    }

    /// `proofPurpose: authentication` with a challenge and optional domain (presentations).
    pub fn authentication(challenge: impl Into<String>, domain: Option<String>) -> Self {
        ProofOptions {
            proof_purpose: "authentication".into(),
            challenge: Some(challenge.into()),
            domain,
            ..Self::assertion()
        }
    }

    /// Sets `created` (for reproducible output).
    pub fn created(mut self, created: impl Into<String>) -> Self {
        self.created = Some(created.into());
        self
    }
}

/// Signs documents with one key and verification method.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
    verification_method: String,
    processor: Arc<Processor>,
    config_memo: Arc<ConfigMemo>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("verification_method", &self.verification_method)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer whose proofs name `verification_method` (which must dereference to this key's
    /// public half, controlled by the issuer).
    pub fn new(key: SigningKey, verification_method: impl Into<String>) -> Self {
        Signer {
            key,
            verification_method: verification_method.into(),
            processor: shared_processor(),
            config_memo: ConfigMemo::shared(),
        }
    }

    /// A signer whose verification method is the key's own did:key.
    pub fn did_key(key: SigningKey) -> Self {
        let vm = key.verifying_key().did_key_verification_method();
        Signer::new(key, vm)
    }

    /// Uses `processor` (e.g. one with a custom loader) instead of the shared one.
    pub fn with_processor(mut self, processor: Arc<Processor>) -> Self {
        self.processor = processor;
        self.config_memo = Arc::default();
        self
    }

    /// The verification method id proofs will name.
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }

    /// The signing key.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// Adds a proof to `document` (an existing `proof` is kept: the result is a proof set, or a
    /// chain when `options.previous_proof` names earlier proofs).
    pub fn sign(&self, document: &Value, suite: Suite, options: &ProofOptions) -> Result<Value> {
        let obj = document
            .as_object()
            .ok_or_else(|| Error::proof("only a JSON object can be signed"))?;
        let mut unsecured = obj.clone();
        let existing = unsecured.shift_remove("proof");
        ensure_suite_context(&mut unsecured, suite)?;

        let mut proof = Map::new();
        let ty = match suite {
            Suite::Ed25519Signature2020 => "Ed25519Signature2020",
            _ => "DataIntegrityProof",
        };
        proof.insert("type".into(), ty.into());
        if let Some(id) = &options.id {
            proof.insert("id".into(), id.clone().into());
        }
        if suite != Suite::Ed25519Signature2020 {
            proof.insert("cryptosuite".into(), suite.name().into());
        }
        let created = options
            .created
            .clone()
            .unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
        proof.insert("created".into(), created.into());
        if let Some(e) = &options.expires {
            proof.insert("expires".into(), e.clone().into());
        }
        proof.insert(
            "verificationMethod".into(),
            self.verification_method.clone().into(),
        );
        proof.insert("proofPurpose".into(), options.proof_purpose.clone().into());
        if let Some(c) = &options.challenge {
            proof.insert("challenge".into(), c.clone().into());
        }
        if let Some(d) = &options.domain {
            proof.insert("domain".into(), d.clone().into());
        }
        if let Some(p) = &options.previous_proof {
            proof.insert("previousProof".into(), p.clone());
        }
        if suite == Suite::EddsaJcs2022 {
            // eddsa-jcs-2022 proofs carry the document's @context (vc-di-eddsa §3.3.1), so a
            // verifier can check it is a prefix of the document's.
            if let Some(ctx) = unsecured.get("@context") {
                proof.insert("@context".into(), ctx.clone());
            }
        }

        let existing_list: Vec<Value> = match &existing {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(a)) => a.clone(),
            Some(v) => vec![v.clone()],
        };
        let chained = with_previous_proofs(&unsecured, &proof, &existing_list)
            .map_err(|f| Error::proof(f.message))?;
        // The unsecured document is hashed as it is, by its members (not copied).
        let data = hash_data(
            &self.processor,
            Some(&self.config_memo),
            canon_kind(suite),
            Members::all(chained.as_ref().unwrap_or(&unsecured)),
            &proof,
            unsecured.get("@context"),
        )?;
        let sig = self.key.sign(&data.combined());
        let mut proof_value = String::with_capacity(90);
        proof_value.push('z');
        base58::encode_into(&sig, &mut proof_value);
        proof.insert("proofValue".into(), proof_value.into());

        let mut out = unsecured;
        let new_proof = Value::Object(proof);
        out.insert(
            "proof".into(),
            if existing_list.is_empty() {
                new_proof
            } else {
                let mut all = existing_list;
                all.push(new_proof);
                Value::Array(all)
            },
        );
        Ok(Value::Object(out))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Canon {
    Rdfc,
    Jcs,
}

fn canon_kind(suite: Suite) -> Canon {
    match suite {
        Suite::EddsaJcs2022 => Canon::Jcs,
        _ => Canon::Rdfc,
    }
}

struct HashData {
    canonical_document: String,
    canonical_proof: String,
    document_hash: [u8; 32],
    proof_hash: [u8; 32],
}

impl HashData {
    fn combined(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.proof_hash);
        out[32..].copy_from_slice(&self.document_hash);
        out
    }
}

/// Canonical documents already computed during one [`ProofVerifier::verify`] call, by suite
/// family and the proofs a chained document includes: a proof set canonicalizes each distinct
/// document once, however many proofs it has.
type CanonMemo = std::cell::RefCell<HashMap<(Canon, String), std::result::Result<String, Error>>>;

/// Most proof configurations a [`ConfigMemo`] keeps.
const CONFIG_MEMO: usize = 16;

/// Canonical forms of the proof configurations most recently signed or verified, by their JSON
/// text (the proof without `proofValue`, with the document's `@context`).
///
/// A configuration differs between badges only in `created` (and the key, for a verifier seeing
/// many issuers), so an issuer signing a batch, or a verifier checking a batch issued together,
/// canonicalizes it once instead of once per badge — it was about a fifth of the RDFC work per
/// signature. The canonical form is a pure function of the JSON text and the processor's
/// contexts, so the memo belongs to one processor; it holds only successes, at most
/// [`CONFIG_MEMO`] of them, oldest dropped first.
#[derive(Default)]
struct ConfigMemo {
    entries: std::sync::Mutex<std::collections::VecDeque<(Canon, String, String)>>,
}

impl ConfigMemo {
    /// The memo that goes with [`shared_processor`].
    fn shared() -> Arc<ConfigMemo> {
        static M: OnceLock<Arc<ConfigMemo>> = OnceLock::new();
        M.get_or_init(Arc::default).clone()
    }

    fn canonical(
        &self,
        processor: &Processor,
        canon: Canon,
        config: &[(&str, &Value)],
    ) -> Result<String> {
        if canon == Canon::Jcs {
            // JCS of a few members costs less than the lookup.
            return canonicalize(processor, canon, config);
        }
        // The exact JSON text (member order included), so equal keys mean equal documents.
        let Some(key) = json_text(config) else {
            return canonicalize(processor, canon, config);
        };
        if let Ok(entries) = self.entries.lock() {
            if let Some((_, _, hit)) = entries.iter().find(|(c, k, _)| *c == canon && *k == key) {
                return Ok(hit.clone());
            }
        }
        let canonical = canonicalize(processor, canon, config)?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CONFIG_MEMO {
                entries.pop_front();
            }
            entries.push_back((canon, key, canonical.clone()));
        }
        Ok(canonical)
    }
}

/// The JSON text of the object whose members are `members`.
fn json_text(members: &[(&str, &Value)]) -> Option<String> {
    let mut out = Vec::with_capacity(256);
    out.push(b'{');
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, k).ok()?;
        out.push(b':');
        serde_json::to_writer(&mut out, v).ok()?;
    }
    out.push(b'}');
    String::from_utf8(out).ok()
}

/// The proof configuration a proof's hash covers, as members: the proof without `proofValue`,
/// with the document's `@context` (in place of the proof's own, if any).
fn proof_config<'a>(
    proof_config: &'a Map<String, Value>,
    context: Option<&'a Value>,
) -> Vec<(&'a str, &'a Value)> {
    let mut members: Vec<(&str, &Value)> = Vec::with_capacity(proof_config.len() + 1);
    for (k, v) in proof_config {
        match k.as_str() {
            "proofValue" => {}
            "@context" if context.is_some() => {}
            k => members.push((k, v)),
        }
    }
    if let Some(ctx) = context {
        members.push(("@context", ctx));
    }
    members
}

/// A document given by its members: an object minus one member (a credential without its
/// `proof`), so that verifying does not copy the credential to hash it.
#[derive(Clone, Copy)]
struct Members<'a> {
    object: &'a Map<String, Value>,
    without: Option<&'a str>,
}

impl<'a> Members<'a> {
    fn all(object: &'a Map<String, Value>) -> Self {
        Members {
            object,
            without: None,
        }
    }

    fn list(&self) -> Vec<(&'a str, &'a Value)> {
        let without = self.without;
        self.object
            .iter()
            .filter(|(k, _)| Some(k.as_str()) != without)
            .map(|(k, v)| (k.as_str(), v))
            .collect()
    }
}

fn hash_data(
    processor: &Processor,
    config_memo: Option<&ConfigMemo>,
    canon: Canon,
    doc: Members<'_>,
    proof_config_without_context: &Map<String, Value>,
    context: Option<&Value>,
) -> Result<HashData> {
    let config = proof_config(proof_config_without_context, context);
    let canonical_proof = match config_memo {
        Some(m) => m.canonical(processor, canon, &config),
        None => canonicalize(processor, canon, &config),
    }
    .map_err(|e| e.context("while canonicalizing the proof configuration"))?;
    let canonical_document = canonicalize(processor, canon, &doc.list())
        .map_err(|e| e.context("while canonicalizing the document"))?;
    Ok(with_document(canonical_proof, canonical_document))
}

fn with_document(canonical_proof: String, canonical_document: String) -> HashData {
    HashData {
        document_hash: Sha256::digest(canonical_document.as_bytes()).into(),
        proof_hash: Sha256::digest(canonical_proof.as_bytes()).into(),
        canonical_document,
        canonical_proof,
    }
}

/// [`hash_data`] with the document's canonical form taken from (or put into) `memo` under `key`.
#[allow(clippy::too_many_arguments)]
fn hash_data_memo(
    processor: &Processor,
    config_memo: &ConfigMemo,
    canon: Canon,
    doc: Members<'_>,
    proof_config_without_context: &Map<String, Value>,
    context: Option<&Value>,
    memo: &CanonMemo,
    key: String,
) -> Result<HashData> {
    let config = proof_config(proof_config_without_context, context);
    let canonical_proof = config_memo
        .canonical(processor, canon, &config)
        .map_err(|e| e.context("while canonicalizing the proof configuration"))?;
    let cached = memo.borrow().get(&(canon, key.clone())).cloned();
    let canonical_document = match cached {
        Some(r) => r?,
        None => {
            let r = canonicalize(processor, canon, &doc.list())
                .map_err(|e| e.context("while canonicalizing the document"));
            memo.borrow_mut().insert((canon, key), r.clone());
            r?
        }
    };
    Ok(with_document(canonical_proof, canonical_document))
}

/// The canonical form of the object whose members are `members` (distinct keys).
fn canonicalize(processor: &Processor, canon: Canon, members: &[(&str, &Value)]) -> Result<String> {
    match canon {
        Canon::Jcs => Ok(crate::jcs::canonicalize(&Value::Object(
            members
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).clone()))
                .collect(),
        ))),
        Canon::Rdfc => processor.canonical_nquads_of(members, &JsonLdOptions::safe()),
    }
}

fn contexts(doc: &Map<String, Value>) -> Vec<&str> {
    match doc.get("@context") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => vec![],
    }
}

/// Adds the suite's context to a document that lacks it, as the JS stack does when signing.
fn ensure_suite_context(doc: &mut Map<String, Value>, suite: Suite) -> Result<()> {
    let ctx = contexts(doc);
    let needed = match suite {
        Suite::EddsaRdfc2022 | Suite::EddsaJcs2022 => {
            if ctx.contains(&VC_V2) || ctx.contains(&DATA_INTEGRITY_V2) {
                return Ok(());
            }
            DATA_INTEGRITY_V2
        }
        Suite::Ed25519Signature2020 => {
            if ctx.contains(&ED25519_2020_CONTEXT) {
                return Ok(());
            }
            ED25519_2020_CONTEXT
        }
    };
    match doc.get_mut("@context") {
        Some(Value::Array(a)) => a.push(needed.into()),
        Some(v @ Value::String(_)) | Some(v @ Value::Object(_)) => {
            let first = v.take();
            *v = Value::Array(vec![first, needed.into()]);
        }
        _ => {
            return Err(Error::proof(
                "the document has no @context; a Data Integrity proof needs one",
            ))
        }
    }
    Ok(())
}

/// The document a proof covers: the unsecured document, plus — for a chained proof — the proofs
/// its `previousProof` names (VC Data Integrity §4.2).
/// `None` when the proof chains to nothing (the unsecured document is hashed as is).
fn with_previous_proofs(
    unsecured: &Map<String, Value>,
    proof: &Map<String, Value>,
    all: &[Value],
) -> std::result::Result<Option<Map<String, Value>>, ProofFailure> {
    let Some(prev) = proof.get("previousProof") else {
        return Ok(None);
    };
    let ids: Vec<&str> = match prev {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if ids.is_empty() {
        return Err(ProofFailure::new(
            ProofFailureKind::PreviousProof,
            "previousProof must be a proof id or an array of proof ids",
            "/previousProof",
        ));
    }
    let mut matching = Vec::new();
    for id in ids {
        match all
            .iter()
            .find(|p| p.get("id").and_then(Value::as_str) == Some(id))
        {
            Some(p) => matching.push(p.clone()),
            None => {
                return Err(ProofFailure::new(
                    ProofFailureKind::PreviousProof,
                    format!("previousProof names `{id}`, but no proof has that id"),
                    "/previousProof",
                ))
            }
        }
    }
    let mut doc = unsecured.clone();
    // (a secured document's own `proof` is replaced by the proofs it chains to)
    doc.insert(
        "proof".into(),
        if matching.len() == 1 {
            matching.remove(0)
        } else {
            Value::Array(matching)
        },
    );
    Ok(Some(doc))
}

/// What the verifier expects of proofs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// The required `proofPurpose`.
    pub proof_purpose: String,
    /// The required `challenge`, if any.
    pub challenge: Option<String>,
    /// The required `domain`, if any.
    pub domain: Option<String>,
    /// "Now", for proof `expires`; `None` = the system clock.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether `Ed25519Signature2020`, `Ed25519Signature2018` and `eddsa-2022` proofs are
    /// accepted.
    pub legacy_suites: bool,
    /// Clock skew tolerated for `created` in the future, seconds.
    pub skew_seconds: i64,
}

impl Expectations {
    /// `proofPurpose: assertionMethod` (credentials), legacy suites accepted.
    pub fn assertion() -> Self {
        Expectations {
            proof_purpose: "assertionMethod".into(),
            challenge: None,
            domain: None,
            now: None,
            legacy_suites: true,
            skew_seconds: 300,
        }
    }

    /// `proofPurpose: authentication` with the challenge (and domain) the verifier issued.
    pub fn authentication(challenge: impl Into<String>, domain: Option<String>) -> Self {
        Expectations {
            proof_purpose: "authentication".into(),
            challenge: Some(challenge.into()),
            domain,
            ..Self::assertion()
        }
    }
}

/// Why a proof did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProofFailureKind {
    /// A required member is missing or has the wrong type.
    Malformed,
    /// An unknown proof type or cryptosuite.
    UnknownSuite,
    /// A legacy suite while legacy suites are refused.
    SuiteDisabled,
    /// `proofValue` is missing or malformed.
    ProofValue,
    /// The proof purpose is not the expected one.
    Purpose,
    /// The challenge does not match.
    Challenge,
    /// The domain does not match.
    Domain,
    /// The proof has expired, or its dates are malformed.
    Dates,
    /// The document lacks the context the suite needs, or names one we do not have.
    Context,
    /// JSON-LD safe mode refused the document (an undefined term, a relative IRI…).
    DataLoss,
    /// Canonicalization failed (e.g. complexity limit).
    Canonicalization,
    /// The verification method could not be resolved or is not usable for this purpose.
    VerificationMethod,
    /// The document that lists the verification method (a DID document, an issuer profile)
    /// could not be retrieved: the signature was not checked.
    KeyUnavailable,
    /// The signature does not match.
    Signature,
    /// A `previousProof` is missing or did not verify.
    PreviousProof,
}

/// A failed proof: what kind, what was wrong, where (JSON Pointer relative to the proof).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofFailure {
    /// The kind of failure.
    pub kind: ProofFailureKind,
    /// What was wrong and what was expected.
    pub message: String,
    /// JSON Pointer within the proof (`/proofValue`), or into the document for data-loss errors.
    pub pointer: String,
}

impl ProofFailure {
    fn new(kind: ProofFailureKind, message: impl Into<String>, pointer: &str) -> Self {
        ProofFailure {
            kind,
            message: message.into(),
            pointer: pointer.to_string(),
        }
    }
}

impl fmt::Display for ProofFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The verdict on one proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOutcome {
    /// Position in the proof set (0 for a single proof).
    pub index: usize,
    /// JSON Pointer of the proof in the document (`/proof` or `/proof/1`).
    pub pointer: String,
    /// The proof `type`.
    pub proof_type: String,
    /// The suite name (cryptosuite, or the type for Ed25519Signature2020), when known.
    pub suite: Option<String>,
    /// The verification method id the proof names.
    pub verification_method: Option<String>,
    /// The verification method's controller, once resolved.
    pub controller: Option<String>,
    /// The proof's `created`.
    pub created: Option<String>,
    /// When the signing key was retired by its controller (`revoked`/`expires` on the
    /// verification method), if it was: the proof stands only because it was created before.
    pub key_retired: Option<chrono::DateTime<chrono::Utc>>,
    /// Ok, or why not.
    pub result: std::result::Result<(), ProofFailure>,
}

/// Verifies the proofs of documents.
#[derive(Clone)]
pub struct ProofVerifier {
    resolver: Arc<dyn KeyResolver>,
    processor: Arc<Processor>,
    /// did:key verification methods already decoded (a pure function of the id, so safe to keep;
    /// bounded by [`DID_KEY_CACHE`]).
    did_keys: Arc<std::sync::Mutex<std::collections::HashMap<String, VerificationMethod>>>,
    config_memo: Arc<ConfigMemo>,
}

/// How many decoded did:key verification methods a [`ProofVerifier`] keeps.
const DID_KEY_CACHE: usize = 4096;

impl fmt::Debug for ProofVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProofVerifier").finish_non_exhaustive()
    }
}

impl ProofVerifier {
    /// A verifier resolving verification methods through `resolver`.
    pub fn new(resolver: Arc<dyn KeyResolver>) -> Self {
        ProofVerifier {
            resolver,
            processor: shared_processor(),
            config_memo: ConfigMemo::shared(),
            did_keys: Default::default(),
        }
    }

    /// Uses `processor` instead of the shared one.
    pub fn with_processor(mut self, processor: Arc<Processor>) -> Self {
        self.processor = processor;
        self.config_memo = Arc::default();
        self
    }

    /// Verifies every proof of `document`. `Err` only if `document` is not an object; an empty
    /// vector means the document has no proof.
    pub fn verify(&self, document: &Value, expected: &Expectations) -> Result<Vec<ProofOutcome>> {
        self.verify_deferring(document, expected, None)
    }

    /// [`ProofVerifier::verify`], with every signature check recorded in `defer` (and passing
    /// for now) when one is given: see [`Deferred`] for the contract its owner keeps.
    pub(crate) fn verify_deferring(
        &self,
        document: &Value,
        expected: &Expectations,
        defer: Option<&Deferred>,
    ) -> Result<Vec<ProofOutcome>> {
        let obj = document
            .as_object()
            .ok_or_else(|| Error::proof("a signed document must be a JSON object"))?;
        let (proofs, single): (Vec<Value>, bool) = match obj.get("proof") {
            None | Some(Value::Null) => return Ok(vec![]),
            Some(Value::Array(a)) => (a.clone(), false),
            Some(v) => (vec![v.clone()], true),
        };
        // The document without its proof is hashed as members of `obj`: never copied.
        let memo = CanonMemo::default();
        let mut outcomes: Vec<ProofOutcome> = proofs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let pointer = if single {
                    "/proof".to_string()
                } else {
                    format!("/proof/{i}")
                };
                self.verify_one(obj, p, &proofs, i, pointer, expected, &memo, defer)
            })
            .collect();
        // A chained proof stands only if every proof it names stands.
        for i in 0..outcomes.len() {
            if outcomes[i].result.is_err() {
                continue;
            }
            let prev: Vec<String> = match proofs[i].get("previousProof") {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
                _ => vec![],
            };
            for id in prev {
                let bad = proofs.iter().enumerate().any(|(j, p)| {
                    p.get("id").and_then(Value::as_str) == Some(id.as_str())
                        && outcomes[j].result.is_err()
                });
                if bad {
                    outcomes[i].result = Err(ProofFailure::new(
                        ProofFailureKind::PreviousProof,
                        format!("the earlier proof `{id}` this proof chains to did not verify"),
                        "/previousProof",
                    ));
                    break;
                }
            }
        }
        Ok(outcomes)
    }

    fn resolve(
        &self,
        vm_id: &str,
        purpose: &str,
    ) -> std::result::Result<VerificationMethod, ProofFailure> {
        let pure = vm_id.starts_with("did:key:");
        if pure {
            if let Some(vm) = self
                .did_keys
                .lock()
                .ok()
                .and_then(|c| c.get(vm_id).cloned())
            {
                return Ok(vm);
            }
        }
        let vm = self.resolver.resolve(vm_id, purpose).map_err(|e| {
            if e.kind() == ErrorKind::Resolve {
                ProofFailure::new(
                    ProofFailureKind::KeyUnavailable,
                    format!("the issuer's key document for `{vm_id}` was not available: {e}"),
                    "/verificationMethod",
                )
            } else {
                ProofFailure::new(
                    ProofFailureKind::VerificationMethod,
                    format!("cannot use verification method `{vm_id}`: {e}"),
                    "/verificationMethod",
                )
            }
        })?;
        if pure {
            if let Ok(mut c) = self.did_keys.lock() {
                if c.len() >= DID_KEY_CACHE {
                    c.clear();
                }
                c.insert(vm_id.to_string(), vm.clone());
            }
        }
        Ok(vm)
    }

    #[allow(clippy::too_many_arguments)]
    fn verify_one(
        &self,
        document: &Map<String, Value>,
        proof: &Value,
        all: &[Value],
        index: usize,
        pointer: String,
        expected: &Expectations,
        memo: &CanonMemo,
        defer: Option<&Deferred>,
    ) -> ProofOutcome {
        let s = |k: &str| proof.get(k).and_then(Value::as_str).map(String::from);
        let mut outcome = ProofOutcome {
            index,
            pointer,
            proof_type: s("type").unwrap_or_default(),
            suite: None,
            verification_method: s("verificationMethod"),
            controller: None,
            created: s("created"),
            key_retired: None,
            result: Ok(()),
        };
        outcome.result = self.check(document, proof, all, expected, &mut outcome, memo, defer);
        outcome
    }

    // The proof's inputs and the memo travel together through one verify call.
    #[allow(clippy::too_many_arguments)]
    /// `document` is the secured document; its `proof` member is left out of what is hashed.
    fn check(
        &self,
        document: &Map<String, Value>,
        proof: &Value,
        all: &[Value],
        expected: &Expectations,
        outcome: &mut ProofOutcome,
        memo: &CanonMemo,
        defer: Option<&Deferred>,
    ) -> std::result::Result<(), ProofFailure> {
        use ProofFailureKind as K;
        let proof = proof
            .as_object()
            .ok_or_else(|| ProofFailure::new(K::Malformed, "a proof must be a JSON object", ""))?;
        let ty = proof
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| ProofFailure::new(K::Malformed, "the proof has no `type`", "/type"))?;
        let (canon, legacy, needed_ctx): (Canon, bool, &[&str]) = match ty {
            "DataIntegrityProof" => {
                let cs = proof.get("cryptosuite").and_then(Value::as_str).ok_or_else(|| {
                    ProofFailure::new(K::Malformed, "a DataIntegrityProof needs a `cryptosuite`", "/cryptosuite")
                })?;
                outcome.suite = Some(cs.to_string());
                match cs {
                    "eddsa-rdfc-2022" => (Canon::Rdfc, false, &[VC_V2, DATA_INTEGRITY_V2][..]),
                    "eddsa-2022" => (Canon::Rdfc, true, &[VC_V2, DATA_INTEGRITY_V2, DATA_INTEGRITY_V1][..]),
                    "eddsa-jcs-2022" => (Canon::Jcs, false, &[VC_V2, DATA_INTEGRITY_V2][..]),
                    other => {
                        return Err(ProofFailure::new(
                            K::UnknownSuite,
                            format!("unknown cryptosuite `{other}` (expected eddsa-rdfc-2022, eddsa-jcs-2022 or eddsa-2022)"),
                            "/cryptosuite",
                        ))
                    }
                }
            }
            "Ed25519Signature2020" => {
                outcome.suite = Some(ty.to_string());
                (Canon::Rdfc, true, &[ED25519_2020_CONTEXT][..])
            }
            // Verify only: the legacy suite many wallets still hold (VC 1.1, whose context
            // defines it; a detached JWS over the same hashes).
            "Ed25519Signature2018" => {
                outcome.suite = Some(ty.to_string());
                (Canon::Rdfc, true, &[VC_V1][..])
            }
            other => {
                return Err(ProofFailure::new(
                    K::UnknownSuite,
                    format!("unknown proof type `{other}` (expected DataIntegrityProof or Ed25519Signature2020)"),
                    "/type",
                ))
            }
        };
        if legacy && !expected.legacy_suites {
            return Err(ProofFailure::new(
                K::SuiteDisabled,
                format!(
                    "the legacy suite `{}` is not accepted by this verifier",
                    outcome.suite.as_deref().unwrap_or(ty)
                ),
                "/type",
            ));
        }
        let vm_id = proof
            .get("verificationMethod")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ProofFailure::new(
                    K::Malformed,
                    "the proof has no `verificationMethod`",
                    "/verificationMethod",
                )
            })?;
        let purpose = proof
            .get("proofPurpose")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ProofFailure::new(
                    K::Malformed,
                    "the proof has no `proofPurpose`",
                    "/proofPurpose",
                )
            })?;
        if purpose != expected.proof_purpose {
            return Err(ProofFailure::new(
                K::Purpose,
                format!(
                    "proofPurpose is `{purpose}`; expected `{}`",
                    expected.proof_purpose
                ),
                "/proofPurpose",
            ));
        }
        let (sig, jws_header) = if ty == "Ed25519Signature2018" {
            decode_detached_jws(proof.get("jws"))?
        } else {
            (decode_proof_value(proof.get("proofValue"))?, None)
        };
        let now = expected.now.unwrap_or_else(chrono::Utc::now);
        if let Some(c) = proof.get("created") {
            match c.as_str().and_then(parse_date) {
                None => {
                    return Err(ProofFailure::new(
                        K::Dates,
                        format!("`created` is not a date-time: {c}"),
                        "/created",
                    ))
                }
                Some(t) if t > now + chrono::Duration::seconds(expected.skew_seconds) => {
                    return Err(ProofFailure::new(
                        K::Dates,
                        format!(
                            "the proof claims to be created at {t}, in the future (now is {now})"
                        ),
                        "/created",
                    ))
                }
                _ => {}
            }
        }
        if let Some(e) = proof.get("expires") {
            match e.as_str().and_then(parse_date) {
                None => {
                    return Err(ProofFailure::new(
                        K::Dates,
                        format!("`expires` is not a date-time: {e}"),
                        "/expires",
                    ))
                }
                Some(t) if t < now => {
                    return Err(ProofFailure::new(
                        K::Dates,
                        format!("the proof expired at {t}"),
                        "/expires",
                    ))
                }
                _ => {}
            }
        }
        if let Some(ch) = &expected.challenge {
            if proof.get("challenge").and_then(Value::as_str) != Some(ch.as_str()) {
                return Err(ProofFailure::new(
                    K::Challenge,
                    format!(
                        "the proof's challenge is {}; expected `{ch}`",
                        proof
                            .get("challenge")
                            .map_or("missing".into(), |v| v.to_string())
                    ),
                    "/challenge",
                ));
            }
        }
        if let Some(d) = &expected.domain {
            let ok = match proof.get("domain") {
                Some(Value::String(s)) => s == d,
                Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(d.as_str())),
                _ => false,
            };
            if !ok {
                return Err(ProofFailure::new(
                    K::Domain,
                    format!(
                        "the proof's domain is {}; expected `{d}`",
                        proof
                            .get("domain")
                            .map_or("missing".into(), |v| v.to_string())
                    ),
                    "/domain",
                ));
            }
        }
        let ctx = contexts(document);
        if !needed_ctx.iter().any(|c| ctx.contains(c)) {
            return Err(ProofFailure::new(
                K::Context,
                format!(
                    "the document's @context must include one of {needed_ctx:?} for this proof"
                ),
                "/type",
            ));
        }
        if canon == Canon::Jcs {
            if let Some(pctx) = proof.get("@context") {
                let doc_ctx = document.get("@context").cloned().unwrap_or(Value::Null);
                let as_list = |v: &Value| match v {
                    Value::Array(a) => a.clone(),
                    other => vec![other.clone()],
                };
                let p = as_list(pctx);
                let d = as_list(&doc_ctx);
                if p.len() > d.len() || p.iter().zip(d.iter()).any(|(a, b)| a != b) {
                    return Err(ProofFailure::new(
                        K::Context,
                        "the proof's @context must be a prefix of the document's @context",
                        "/@context",
                    ));
                }
            }
        }
        let vm = self.resolve(vm_id, purpose)?;
        outcome.controller = Some(vm.controller.clone());
        if let Some(retired) = vm.retired_from() {
            // A key its controller retired (rotated out after a compromise) signs nothing from
            // that date on. `created` is the signer's own claim, so a missing one fails closed.
            let created = proof
                .get("created")
                .and_then(Value::as_str)
                .and_then(parse_date);
            match created {
                Some(c) if c < retired => outcome.key_retired = Some(retired),
                Some(c) => {
                    return Err(ProofFailure::new(
                        K::VerificationMethod,
                        format!(
                            "the key `{vm_id}` was retired by its controller on {retired}; this proof was created {c}, after that"
                        ),
                        "/created",
                    ))
                }
                None => {
                    return Err(ProofFailure::new(
                        K::VerificationMethod,
                        format!(
                            "the key `{vm_id}` was retired by its controller on {retired}, and the proof has no `created` date to show it was made before"
                        ),
                        "/created",
                    ))
                }
            }
        }
        let chained = with_previous_proofs(document, proof, all)?;
        let doc = match &chained {
            Some(c) => Members::all(c),
            None => Members {
                object: document,
                without: Some("proof"),
            },
        };
        let mut config = proof.clone();
        config.shift_remove("@context");
        config.shift_remove("jws");
        // The document a proof signs is the unsecured one plus the proofs it chains to: key the
        // memo by those.
        let memo_key = proof
            .get("previousProof")
            .map(Value::to_string)
            .unwrap_or_default();
        let data = hash_data_memo(
            &self.processor,
            &self.config_memo,
            canon,
            doc,
            &config,
            document.get("@context"),
            memo,
            memo_key,
        )
        .map_err(|e| {
            let kind = match e.kind() {
                ErrorKind::JsonLd("data loss") => K::DataLoss,
                ErrorKind::JsonLd(_) => K::Context,
                _ => K::Canonicalization,
            };
            ProofFailure::new(kind, e.to_string(), e.pointer().unwrap_or(""))
        })?;
        let message = match &jws_header {
            // b64: false — the JWS signing input is the header, a dot, and the raw hashes.
            Some(h) => [h.as_bytes(), b".", &data.combined()].concat(),
            None => data.combined().to_vec(),
        };
        // The last step: nothing after it (in this proof) depends on the verdict, which is what
        // lets a caller defer it.
        if !verify_or_defer(&vm.key, &message, &sig, defer) {
            return Err(ProofFailure::new(
                K::Signature,
                "the signature does not match the document (it was altered, or signed by another key or suite)",
                "/proofValue",
            ));
        }
        Ok(())
    }
}

fn parse_date(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.to_utc())
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// An `Ed25519Signature2018` `jws`: a detached compact JWS (`header..signature`) whose header is
/// exactly EdDSA with `b64: false` (RFC 7797); returns the signature and the encoded header.
fn decode_detached_jws(
    v: Option<&Value>,
) -> std::result::Result<([u8; 64], Option<String>), ProofFailure> {
    use base64::Engine as _;
    use ProofFailureKind as K;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bad = |m: &str| ProofFailure::new(K::ProofValue, m, "/jws");
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| bad("an Ed25519Signature2018 proof needs a `jws` string"))?;
    let (header, sig) = match s.split('.').collect::<Vec<_>>().as_slice() {
        [h, "", sig] => (h.to_string(), *sig),
        _ => {
            return Err(bad(
                "`jws` must be a detached compact JWS (`header..signature`)",
            ))
        }
    };
    let decoded = b64
        .decode(&header)
        .map_err(|_| bad("the `jws` header is not base64url"))?;
    let json = crate::json::parse(&decoded).map_err(|_| bad("the `jws` header is not JSON"))?;
    let expected = serde_json::json!({"alg": "EdDSA", "b64": false, "crit": ["b64"]});
    if json != expected {
        return Err(bad(
            "the `jws` header must be {\"alg\":\"EdDSA\",\"b64\":false,\"crit\":[\"b64\"]}",
        ));
    }
    let sig = b64
        .decode(sig)
        .map_err(|_| bad("the `jws` signature is not base64url"))?;
    let sig: [u8; 64] = sig
        .as_slice()
        .try_into()
        .map_err(|_| bad("an Ed25519 signature is 64 bytes"))?;
    Ok((sig, Some(header)))
}

fn decode_proof_value(v: Option<&Value>) -> std::result::Result<[u8; 64], ProofFailure> {
    use ProofFailureKind as K;
    let s = match v {
        None | Some(Value::Null) => {
            return Err(ProofFailure::new(
                K::ProofValue,
                "the proof has no `proofValue`",
                "/proofValue",
            ))
        }
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(ProofFailure::new(
                K::ProofValue,
                format!("`proofValue` must be a string; found {other}"),
                "/proofValue",
            ))
        }
    };
    let body = s.strip_prefix('z').ok_or_else(|| {
        ProofFailure::new(
            K::ProofValue,
            "`proofValue` must start with the multibase header `z` (base58btc)",
            "/proofValue",
        )
    })?;
    if body.len() > 120 {
        return Err(ProofFailure::new(
            K::ProofValue,
            "`proofValue` is too long for an Ed25519 signature",
            "/proofValue",
        ));
    }
    let bytes = base58::decode(body).map_err(|at| {
        let c = body.get(at..).and_then(|t| t.chars().next()).unwrap_or('?');
        ProofFailure::new(
            K::ProofValue,
            format!("`proofValue` is not base58btc: {c:?} is not in its alphabet"),
            "/proofValue",
        )
    })?;
    bytes.as_slice().try_into().map_err(|_| {
        ProofFailure::new(
            K::ProofValue,
            format!(
                "`proofValue` decodes to {} bytes; an Ed25519 signature is 64",
                bytes.len()
            ),
            "/proofValue",
        )
    })
}

/// Why a signature does (not) match: the canonical forms and hashes a proof covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The canonical document (N-Quads or JCS) that was hashed.
    pub canonical_document: String,
    /// The canonical proof configuration.
    pub canonical_proof_config: String,
    /// SHA-256 of the canonical document, hex.
    pub document_hash_hex: String,
    /// SHA-256 of the canonical proof configuration, hex.
    pub proof_hash_hex: String,
}

/// Shows what proof `index` of `document` covers: the canonical forms and both hashes — the
/// first thing to compare when another implementation disagrees about a signature.
pub fn explain(document: &Value, index: usize) -> Result<Explanation> {
    let obj = document
        .as_object()
        .ok_or_else(|| Error::proof("a signed document must be a JSON object"))?;
    let proofs: Vec<Value> = match obj.get("proof") {
        Some(Value::Array(a)) => a.clone(),
        Some(v @ Value::Object(_)) => vec![v.clone()],
        _ => return Err(Error::proof("the document has no proof").at("/proof")),
    };
    let proof = proofs
        .get(index)
        .and_then(Value::as_object)
        .ok_or_else(|| Error::proof(format!("there is no proof #{index}")))?;
    let canon = match proof.get("cryptosuite").and_then(Value::as_str) {
        Some("eddsa-jcs-2022") => Canon::Jcs,
        _ => Canon::Rdfc,
    };
    let mut unsecured = obj.clone();
    unsecured.shift_remove("proof");
    let doc = with_previous_proofs(&unsecured, proof, &proofs)
        .map_err(|f| Error::proof(f.message))?
        .unwrap_or_else(|| unsecured.clone());
    let mut config = proof.clone();
    config.shift_remove("@context");
    let data = hash_data(
        &shared_processor(),
        None,
        canon,
        Members::all(&doc),
        &config,
        unsecured.get("@context"),
    )?;
    Ok(Explanation {
        document_hash_hex: hex::encode(data.document_hash),
        proof_hash_hex: hex::encode(data.proof_hash),
        canonical_document: data.canonical_document,
        canonical_proof_config: data.canonical_proof,
    })
}
