//! did:key for Ed25519, resolved offline.

use serde_json::{json, Value};

use super::{KeyResolver, VerificationMethod, VerifyingKey};
use crate::error::{Error, Result};

/// Resolves `did:key:z6Mk…` (and `did:key:z6Mk…#z6Mk…`) offline; refuses everything else.
///
/// # Example
/// ```
/// use openbadges::keys::{DidKeyResolver, KeyResolver};
/// let vm = DidKeyResolver.resolve(
///     "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
///     "assertionMethod")?;
/// assert_eq!(vm.controller, "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi");
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct DidKeyResolver;

impl KeyResolver for DidKeyResolver {
    fn resolve(&self, verification_method: &str, _purpose: &str) -> Result<VerificationMethod> {
        // A did:key document lists its one key under every verification relationship.
        let Some(rest) = verification_method.strip_prefix("did:key:") else {
            return Err(Error::key(format!(
                "no resolver for `{verification_method}`; only did:key resolves offline by default"
            )));
        };
        let (mk, fragment) = match rest.split_once('#') {
            Some((a, f)) => (a, Some(f)),
            None => (rest, None),
        };
        if let Some(f) = fragment {
            if f != mk {
                return Err(Error::key(format!(
                    "the fragment of `{verification_method}` does not name the did:key's own key"
                )));
            }
        }
        let key = VerifyingKey::from_multikey(mk)
            .map_err(|e| e.context(format!("while resolving `{verification_method}`")))?;
        Ok(VerificationMethod {
            id: format!("did:key:{mk}#{mk}"),
            controller: format!("did:key:{mk}"),
            key,
            revoked: None,
            expires: None,
        })
    }
}

/// The DID document of an Ed25519 did:key (Multikey form, key under `assertionMethod` and
/// `authentication`).
pub fn did_key_document(key: &VerifyingKey) -> Value {
    let did = key.did_key();
    let vm = key.did_key_verification_method();
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{
            "id": vm,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.to_multikey(),
        }],
        "authentication": [vm],
        "assertionMethod": [vm],
        "capabilityDelegation": [vm],
        "capabilityInvocation": [vm],
    })
}
