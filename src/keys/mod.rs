//! Keys: Ed25519 signing and verifying keys, the issuer key type that also wraps P-256 and RSA
//! ([`IssuerKey`], [`PublicKey`]), JWK, Multikey encoding, did:key, did:jwk, and verification
//! methods.
//!
//! This is the only module that touches secret bytes. [`SigningKey`] zeroizes on drop and never
//! prints its secret; [`VerifyingKey`] verifies strictly (`verify_strict`: no small-order keys, no
//! malleable signatures) and refuses weak keys at import.

mod did_key;
mod jwk;
mod multikey;

pub use did_key::{did_key_document, DidKeyResolver};
pub use jwk::{IssuerKey, KeyAlgorithm, PublicKey};
pub use multikey::{decode_multibase_key, MULTICODEC_ED25519_PRIV, MULTICODEC_ED25519_PUB};

use std::fmt;

use ed25519_dalek::Signer as _;
use serde_json::Value;
use zeroize::Zeroize;

use crate::error::{Error, Result};

/// An Ed25519 signing key. Zeroized on drop; `Debug` shows only the public key.
///
/// # Example
/// ```
/// use openbadges::keys::SigningKey;
/// let key = SigningKey::from_seed_hex(
///     "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")?;
/// assert!(key.verifying_key().did_key().starts_with("did:key:z6Mk"));
/// assert!(!format!("{key:?}").contains("9d61b1"));
/// let secret = key.to_multikey_secret();
/// assert!(secret.starts_with("z3u2"));
/// assert_eq!(SigningKey::from_multikey_secret(&secret)?.verifying_key(), key.verifying_key());
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    inner: ed25519_dalek::SigningKey,
}

impl SigningKey {
    /// From a 32-byte seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        SigningKey {
            inner: ed25519_dalek::SigningKey::from_bytes(seed),
        }
    }

    /// From 64 hex characters (a 32-byte seed).
    pub fn from_seed_hex(hex_seed: &str) -> Result<Self> {
        let mut bytes = hex::decode(hex_seed.trim())
            .map_err(|_| Error::key("a seed must be 64 hex characters (32 bytes)"))?;
        if bytes.len() != 32 {
            let n = bytes.len();
            bytes.zeroize();
            return Err(Error::key(format!(
                "a seed must be 32 bytes (64 hex characters); found {n} bytes"
            )));
        }
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&bytes);
        bytes.zeroize();
        let key = SigningKey::from_seed(&seed);
        seed.zeroize();
        Ok(key)
    }

    /// A fresh random key from the operating system's RNG.
    pub fn generate() -> Self {
        SigningKey {
            inner: ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng),
        }
    }

    /// From a Multikey secret (`z3u2…`: base58btc of multicodec 0x8026 + 32-byte seed).
    pub fn from_multikey_secret(multibase: &str) -> Result<Self> {
        let mut bytes = multikey::decode_multibase_key(multibase, MULTICODEC_ED25519_PRIV)?;
        let key = if bytes.len() == 32 || bytes.len() == 64 {
            let mut seed = [0u8; 32];
            seed.copy_from_slice(&bytes[..32]);
            let k = SigningKey::from_seed(&seed);
            seed.zeroize();
            if bytes.len() == 64 && bytes[32..] != k.verifying_key().to_bytes() {
                bytes.zeroize();
                return Err(Error::key(
                    "the secret key's embedded public key does not match its seed",
                ));
            }
            Ok(k)
        } else {
            Err(Error::key(format!(
                "an Ed25519 secret key is 32 bytes; found {}",
                bytes.len()
            )))
        };
        bytes.zeroize();
        key
    }

    /// The Multikey secret encoding (`z3u2…`). Handle with care: this is the secret.
    pub fn to_multikey_secret(&self) -> String {
        let mut bytes = Vec::with_capacity(34);
        bytes.extend_from_slice(&MULTICODEC_ED25519_PRIV);
        bytes.extend_from_slice(self.inner.as_bytes());
        let s = format!("z{}", bs58::encode(&bytes).into_string());
        bytes.zeroize();
        s
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey {
            inner: self.inner.verifying_key(),
        }
    }

    /// Signs `message` (64-byte Ed25519 signature).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.inner.sign(message).to_bytes()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SigningKey({}, secret redacted)",
            self.verifying_key().to_multikey()
        )
    }
}

/// An Ed25519 public key.
///
/// # Example
/// ```
/// use openbadges::keys::VerifyingKey;
/// let key = VerifyingKey::from_multikey("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")?;
/// assert_eq!(hex::encode(key.to_bytes()),
///     "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5");
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VerifyingKey {
    inner: ed25519_dalek::VerifyingKey,
}

impl VerifyingKey {
    /// From 32 raw bytes; small-order (weak) keys are refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            Error::key(format!(
                "an Ed25519 public key is 32 bytes; found {}",
                bytes.len()
            ))
        })?;
        let inner = ed25519_dalek::VerifyingKey::from_bytes(&arr)
            .map_err(|_| Error::key("not a valid Ed25519 public key (not a curve point)"))?;
        if inner.is_weak() {
            return Err(Error::key(
                "refusing a small-order Ed25519 public key (it would accept forged signatures)",
            ));
        }
        Ok(VerifyingKey { inner })
    }

    /// From a Multikey public key (`z6Mk…`: base58btc of multicodec 0xed01 + 32 bytes).
    pub fn from_multikey(multibase: &str) -> Result<Self> {
        let bytes = multikey::decode_multibase_key(multibase, MULTICODEC_ED25519_PUB)?;
        Self::from_bytes(&bytes)
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.inner.to_bytes()
    }

    /// The Multikey encoding (`z6Mk…`).
    pub fn to_multikey(&self) -> String {
        let mut bytes = Vec::with_capacity(34);
        bytes.extend_from_slice(&MULTICODEC_ED25519_PUB);
        bytes.extend_from_slice(self.inner.as_bytes());
        format!("z{}", bs58::encode(bytes).into_string())
    }

    /// `did:key:z6Mk…`.
    pub fn did_key(&self) -> String {
        format!("did:key:{}", self.to_multikey())
    }

    /// `did:key:z6Mk…#z6Mk…`, the verification method id of the did:key.
    pub fn did_key_verification_method(&self) -> String {
        let mk = self.to_multikey();
        format!("did:key:{mk}#{mk}")
    }

    /// Strict Ed25519 verification (RFC 8032 with canonical `S < L` and no small-order `R`).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
            return false;
        };
        self.inner.verify_strict(message, &sig).is_ok()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({})", self.to_multikey())
    }
}

/// A verification method: the key, its id, and who controls it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationMethod {
    /// The verification method id (`did:key:z6Mk…#z6Mk…`, `https://…#key-1`).
    pub id: String,
    /// Its controller (a DID or the issuer profile URL).
    pub controller: String,
    /// The public key.
    pub key: VerifyingKey,
    /// When the controller retired the key (`revoked`, W3C Controlled Identifiers): proofs
    /// created at or after this time are not accepted.
    pub revoked: Option<chrono::DateTime<chrono::Utc>>,
    /// When the key expires (`expires`): likewise for proofs created at or after it.
    pub expires: Option<chrono::DateTime<chrono::Utc>>,
}

impl VerificationMethod {
    /// The first time from which proofs by this key are refused (`revoked` or `expires`).
    pub fn retired_from(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match (self.revoked, self.expires) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl VerificationMethod {
    /// Parses a `Multikey` or `Ed25519VerificationKey2020` verification method object
    /// (`publicKeyMultibase`), or `JsonWebKey`/`JsonWebKey2020` with an Ed25519 OKP `publicKeyJwk`.
    pub fn from_json(vm: &Value) -> Result<Self> {
        let id = vm
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::key("the verification method has no `id`").at("/id"))?;
        let controller = vm
            .get("controller")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::key("the verification method has no `controller`").at("/controller")
            })?;
        let ty = vm.get("type").and_then(Value::as_str).unwrap_or("");
        let key = match ty {
            "Multikey" | "Ed25519VerificationKey2020" => {
                let mb = vm
                    .get("publicKeyMultibase")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        Error::key("the verification method has no `publicKeyMultibase`")
                            .at("/publicKeyMultibase")
                    })?;
                VerifyingKey::from_multikey(mb).map_err(|e| e.at("/publicKeyMultibase"))?
            }
            "JsonWebKey" | "JsonWebKey2020" => {
                let jwk = vm.get("publicKeyJwk").ok_or_else(|| {
                    Error::key("the verification method has no `publicKeyJwk`").at("/publicKeyJwk")
                })?;
                if jwk.get("kty").and_then(Value::as_str) != Some("OKP")
                    || jwk.get("crv").and_then(Value::as_str) != Some("Ed25519")
                {
                    return Err(Error::key("expected an Ed25519 OKP key (kty OKP, crv Ed25519)")
                        .at("/publicKeyJwk"));
                }
                use base64::Engine as _;
                let x = jwk
                    .get("x")
                    .and_then(Value::as_str)
                    .and_then(|x| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(x).ok())
                    .ok_or_else(|| Error::key("`x` is not base64url").at("/publicKeyJwk/x"))?;
                VerifyingKey::from_bytes(&x)?
            }
            other => {
                return Err(Error::key(format!(
                    "unsupported verification method type `{other}` (expected Multikey, Ed25519VerificationKey2020 or JsonWebKey)"
                ))
                .at("/type"))
            }
        };
        let date = |name: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>> {
            match vm.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_str()
                    .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                    .map(|d| Some(d.to_utc()))
                    .ok_or_else(|| {
                        Error::key(format!("`{name}` must be an RFC 3339 date-time"))
                            .at(format!("/{name}"))
                    }),
            }
        };
        Ok(VerificationMethod {
            id: id.to_string(),
            controller: controller.to_string(),
            key,
            revoked: date("revoked")?,
            expires: date("expires")?,
        })
    }

    /// The Multikey JSON form of this verification method (with `revoked` / `expires` when set).
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::json!({
            "id": self.id,
            "type": "Multikey",
            "controller": self.controller,
            "publicKeyMultibase": self.key.to_multikey(),
        });
        let fmt =
            |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if let Some(d) = self.expires {
            v["expires"] = fmt(d).into();
        }
        if let Some(d) = self.revoked {
            v["revoked"] = fmt(d).into();
        }
        v
    }
}

/// Finds the key for a verification method id. Object-safe; [`DidKeyResolver`] is the offline
/// built-in; the verification pipeline layers did:web / https profiles on top through
/// [`crate::resolve::Resolver`].
pub trait KeyResolver: Send + Sync {
    /// Resolves `verification_method` to its key and controller, checking that its controller
    /// authorizes it for `purpose` (`assertionMethod`, `authentication`).
    fn resolve(&self, verification_method: &str, purpose: &str) -> Result<VerificationMethod>;
}
