//! The documents an issuer publishes: its OB 3.0 `Profile` (https ids) or DID document (did:web)
//! listing its keys as Multikey verification methods, and a JWK Set for VC-JWT verifiers.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::keys::VerificationMethod;

/// The OB 3.0 Profile served at an https issuer id: the issuer's name plus its keys, so a proof's
/// `verificationMethod` (`<id>#key-N`) dereferences to a key the issuer controls. Every key stays
/// listed under `assertionMethod` after rotation (earlier badges keep verifying); a retired key
/// carries `revoked`.
///
/// # Example
/// ```
/// use openbadges::issuer::profile_document;
/// use openbadges::keys::{SigningKey, VerificationMethod};
/// let id = "https://district.example/issuers/1";
/// let vm = VerificationMethod { id: format!("{id}#key-1"), controller: id.into(),
///     key: SigningKey::from_seed(&[7; 32]).verifying_key(), revoked: None, expires: None };
/// let doc = profile_document(id, "Riverside USD", &[vm]);
/// assert_eq!(doc["assertionMethod"][0], format!("{id}#key-1"));
/// assert_eq!(doc["verificationMethod"][0]["controller"], id);
/// ```
pub fn profile_document(id: &str, name: &str, keys: &[VerificationMethod]) -> Value {
    json!({
        // The DID context defines `verificationMethod` / `assertionMethod` (the Controlled
        // Identifiers terms), the Multikey context the keys; tests check it expands losslessly.
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1"
        ],
        "id": id,
        "type": "Profile",
        "name": name,
        "verificationMethod": keys.iter().map(VerificationMethod::to_json).collect::<Vec<_>>(),
        "assertionMethod": keys.iter().map(|k| k.id.clone()).collect::<Vec<_>>(),
    })
}

/// The DID document for a did:web issuer (served at `/.well-known/did.json`, or
/// `/<path>/did.json` for a did:web with a path), keys under `assertionMethod`.
pub fn did_document(did: &str, keys: &[VerificationMethod]) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": keys.iter().map(VerificationMethod::to_json).collect::<Vec<_>>(),
        "assertionMethod": keys.iter().map(|k| k.id.clone()).collect::<Vec<_>>(),
    })
}

/// A JWK Set (RFC 7517) of the keys for VC-JWT verifiers, `kid` = the verification method id.
/// A JWK Set cannot say "valid until", so revoked keys are left out.
pub fn jwk_set(keys: &[VerificationMethod]) -> Value {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    json!({
        "keys": keys
            .iter()
            .filter(|k| k.revoked.is_none())
            .map(|k| json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": b64.encode(k.key.to_bytes()),
                "kid": k.id,
                "alg": "EdDSA",
                "use": "sig",
            }))
            .collect::<Vec<_>>()
    })
}
