//! One key type for issuers ([`IssuerKey`]: Ed25519, P-256, RSA ≥ 2048) and one for verifiers
//! ([`PublicKey`]), their JWK forms (RFC 7517/7518/8037), did:key (Ed25519 `z6Mk…`, P-256
//! `zDn…`) and did:jwk.
//!
//! The wrapped `p256` and `rsa` types stay private: callers meet only this crate's types, so the
//! public API does not move when those crates do. P-256 and RSA need the `jwt` feature; Ed25519
//! is always available.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::{SigningKey, VerifyingKey};
use crate::error::{Error, ErrorKind, Result};
use crate::jwt::Algorithm;

fn key_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Key, msg.into())
}

#[cfg(not(feature = "jwt"))]
fn not_built(what: &str) -> Error {
    Error::new(
        ErrorKind::Key,
        format!("{what} keys need the `jwt` feature, which this build of openbadges was compiled without"),
    )
}

fn b64(v: &Value, field: &str) -> Result<Vec<u8>> {
    v.get(field)
        .and_then(Value::as_str)
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .ok_or_else(|| {
            key_err(format!("JWK member `{field}` is missing or not base64url"))
                .at(format!("/{field}"))
        })
}

/// multicodec p256-pub (0x1200) as an unsigned varint.
#[cfg(feature = "jwt")]
const MULTICODEC_P256_PUB: [u8; 2] = [0x80, 0x24];

/// The kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// Ed25519: Data Integrity (`eddsa-*`, `Ed25519Signature2020`) and VC-JWT `EdDSA`.
    Ed25519,
    /// ECDSA on P-256: VC-JWT `ES256` (feature `jwt`).
    P256,
    /// RSA, 2048 bits when generated: VC-JWT `RS256` (feature `jwt`).
    Rsa,
}

impl KeyAlgorithm {
    /// `ed25519`, `p256` or `rsa`.
    pub fn name(&self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::P256 => "p256",
            KeyAlgorithm::Rsa => "rsa",
        }
    }

    /// Parses `ed25519`, `p256` (or `p-256`, `es256`) and `rsa` (or `rs256`), any case.
    pub fn from_name(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "ed25519" | "eddsa" => Ok(KeyAlgorithm::Ed25519),
            "p256" | "p-256" | "es256" => Ok(KeyAlgorithm::P256),
            "rsa" | "rs256" => Ok(KeyAlgorithm::Rsa),
            other => Err(Error::new(
                ErrorKind::Usage,
                format!("unknown key algorithm `{other}`; expected ed25519, p256 or rsa"),
            )),
        }
    }

    /// The JWS algorithm this kind of key signs with.
    pub fn jwt_algorithm(&self) -> Algorithm {
        match self {
            KeyAlgorithm::Ed25519 => Algorithm::EdDsa,
            KeyAlgorithm::P256 => Algorithm::Es256,
            KeyAlgorithm::Rsa => Algorithm::Rs256,
        }
    }
}

#[derive(Clone)]
enum Secret {
    Ed25519(SigningKey),
    #[cfg(feature = "jwt")]
    P256(p256::ecdsa::SigningKey),
    #[cfg(feature = "jwt")]
    Rsa(Box<rsa::RsaPrivateKey>),
}

/// An issuer's signing key: Ed25519, P-256 or RSA ≥ 2048 bits. Secret material is zeroized on
/// drop by the wrapped crates; `Debug` never prints it.
///
/// Ed25519 keys sign every securing method ([`crate::Securing`]); P-256 and RSA keys sign
/// VC-JWTs (`ES256`, `RS256`).
///
/// # Example
/// ```
/// use openbadges::{IssuerKey, KeyAlgorithm};
/// let key = IssuerKey::ed25519_from_seed(&[7; 32]);
/// assert_eq!(key.algorithm(), KeyAlgorithm::Ed25519);
/// assert!(key.did_key().unwrap().starts_with("did:key:z6Mk"));
/// let jwk = key.to_private_jwk();
/// assert_eq!(IssuerKey::from_private_jwk(&jwk)?.public_jwk(), key.public_jwk());
/// assert!(!format!("{key:?}").contains(jwk["d"].as_str().unwrap()));
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Clone)]
pub struct IssuerKey(Secret);

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IssuerKey({}, secret redacted)", self.algorithm().name())
    }
}

impl From<SigningKey> for IssuerKey {
    fn from(key: SigningKey) -> Self {
        IssuerKey(Secret::Ed25519(key))
    }
}

impl IssuerKey {
    /// An Ed25519 key from a 32-byte seed.
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Self {
        SigningKey::from_seed(seed).into()
    }

    /// A fresh key from the operating system's random source.
    pub fn generate(algorithm: KeyAlgorithm) -> Result<Self> {
        match algorithm {
            KeyAlgorithm::Ed25519 => Ok(SigningKey::generate().into()),
            #[cfg(feature = "jwt")]
            KeyAlgorithm::P256 => Ok(IssuerKey(Secret::P256(p256::ecdsa::SigningKey::random(
                &mut rand_core::OsRng,
            )))),
            #[cfg(feature = "jwt")]
            KeyAlgorithm::Rsa => {
                let k = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048)
                    .map_err(|e| key_err(format!("RSA key generation failed: {e}")))?;
                Self::from_rsa(k)
            }
            #[cfg(not(feature = "jwt"))]
            KeyAlgorithm::P256 => Err(not_built("P-256")),
            #[cfg(not(feature = "jwt"))]
            KeyAlgorithm::Rsa => Err(not_built("RSA")),
        }
    }

    /// A P-256 key from its 32-byte secret scalar.
    #[cfg(feature = "jwt")]
    pub fn p256_from_bytes(secret: &[u8]) -> Result<Self> {
        p256::ecdsa::SigningKey::from_slice(secret)
            .map(|k| IssuerKey(Secret::P256(k)))
            .map_err(|_| key_err("not a P-256 private key"))
    }

    #[cfg(feature = "jwt")]
    fn from_rsa(key: rsa::RsaPrivateKey) -> Result<Self> {
        use rsa::traits::PublicKeyParts;
        if key.size() * 8 < 2048 {
            return Err(key_err("RSA keys must have at least 2048 bits"));
        }
        Ok(IssuerKey(Secret::Rsa(Box::new(key))))
    }

    /// Parses a private JWK (`OKP`/`Ed25519` with `d`; `EC`/`P-256` with `d`; `RSA` with `n`,
    /// `e`, `d`, `p`, `q`).
    pub fn from_private_jwk(jwk: &Value) -> Result<Self> {
        match jwk.get("kty").and_then(Value::as_str) {
            Some("OKP") if jwk.get("crv").and_then(Value::as_str) == Some("Ed25519") => {
                let d: [u8; 32] = b64(jwk, "d")?
                    .try_into()
                    .map_err(|_| key_err("Ed25519 `d` is 32 bytes"))?;
                Ok(Self::ed25519_from_seed(&d))
            }
            #[cfg(feature = "jwt")]
            Some("EC") if jwk.get("crv").and_then(Value::as_str) == Some("P-256") => {
                Self::p256_from_bytes(&b64(jwk, "d")?)
            }
            #[cfg(feature = "jwt")]
            Some("RSA") => {
                let n = |f: &str| b64(jwk, f).map(|b| rsa::BigUint::from_bytes_be(&b));
                let k = rsa::RsaPrivateKey::from_components(
                    n("n")?,
                    n("e")?,
                    n("d")?,
                    vec![n("p")?, n("q")?],
                )
                .map_err(|e| key_err(format!("bad RSA private key: {e}")))?;
                Self::from_rsa(k)
            }
            #[cfg(not(feature = "jwt"))]
            Some("EC") => Err(not_built("P-256")),
            #[cfg(not(feature = "jwt"))]
            Some("RSA") => Err(not_built("RSA")),
            other => Err(key_err(format!(
                "unsupported private JWK (kty {other:?}); expected OKP/Ed25519, EC/P-256 or RSA"
            ))),
        }
    }

    /// The kind of key.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match &self.0 {
            Secret::Ed25519(_) => KeyAlgorithm::Ed25519,
            #[cfg(feature = "jwt")]
            Secret::P256(_) => KeyAlgorithm::P256,
            #[cfg(feature = "jwt")]
            Secret::Rsa(_) => KeyAlgorithm::Rsa,
        }
    }

    /// The JWS algorithm this key signs with.
    pub fn jwt_algorithm(&self) -> Algorithm {
        self.algorithm().jwt_algorithm()
    }

    /// The Ed25519 key, for the Data Integrity suites.
    pub fn as_ed25519(&self) -> Option<&SigningKey> {
        match &self.0 {
            Secret::Ed25519(k) => Some(k),
            #[cfg(feature = "jwt")]
            _ => None,
        }
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(match &self.0 {
            Secret::Ed25519(k) => Public::Ed25519(k.verifying_key()),
            #[cfg(feature = "jwt")]
            Secret::P256(k) => Public::P256(*k.verifying_key()),
            #[cfg(feature = "jwt")]
            Secret::Rsa(k) => Public::Rsa(k.to_public_key()),
        })
    }

    /// The public JWK.
    pub fn public_jwk(&self) -> Value {
        self.public_key().to_jwk()
    }

    /// The key's `did:key` (Ed25519 and P-256; RSA keys have none).
    pub fn did_key(&self) -> Option<String> {
        self.public_key().did_key()
    }

    /// The private JWK (handle with care: this is the secret).
    pub fn to_private_jwk(&self) -> Value {
        let mut jwk = self.public_jwk();
        match &self.0 {
            Secret::Ed25519(k) => {
                let secret = k.to_multikey_secret();
                if let Ok(bytes) =
                    super::decode_multibase_key(&secret, super::MULTICODEC_ED25519_PRIV)
                {
                    jwk["d"] = URL_SAFE_NO_PAD.encode(bytes).into();
                }
            }
            #[cfg(feature = "jwt")]
            Secret::P256(k) => jwk["d"] = URL_SAFE_NO_PAD.encode(k.to_bytes()).into(),
            #[cfg(feature = "jwt")]
            Secret::Rsa(k) => {
                use rsa::traits::PrivateKeyParts;
                jwk["d"] = URL_SAFE_NO_PAD.encode(k.d().to_bytes_be()).into();
                let primes = k.primes();
                if primes.len() >= 2 {
                    jwk["p"] = URL_SAFE_NO_PAD.encode(primes[0].to_bytes_be()).into();
                    jwk["q"] = URL_SAFE_NO_PAD.encode(primes[1].to_bytes_be()).into();
                }
                // CRT parameters (RFC 7518 §6.3.2), which most JOSE libraries require.
                if let (Some(dp), Some(dq), Some(qi)) = (k.dp(), k.dq(), k.crt_coefficient()) {
                    jwk["dp"] = URL_SAFE_NO_PAD.encode(dp.to_bytes_be()).into();
                    jwk["dq"] = URL_SAFE_NO_PAD.encode(dq.to_bytes_be()).into();
                    jwk["qi"] = URL_SAFE_NO_PAD.encode(qi.to_bytes_be()).into();
                }
            }
        }
        jwk
    }

    /// A JWS signature over `msg` (Ed25519; P-256 as the 64-byte r‖s form; RSASSA-PKCS1-v1_5).
    pub(crate) fn sign_jws(&self, msg: &[u8]) -> Result<Vec<u8>> {
        match &self.0 {
            Secret::Ed25519(k) => Ok(k.sign(msg).to_vec()),
            #[cfg(feature = "jwt")]
            Secret::P256(k) => {
                use p256::ecdsa::signature::Signer;
                let sig: p256::ecdsa::Signature = k.sign(msg);
                Ok(sig.to_bytes().to_vec())
            }
            #[cfg(feature = "jwt")]
            Secret::Rsa(k) => {
                use rsa::signature::{SignatureEncoding, Signer};
                let sk = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone());
                let sig = sk
                    .try_sign(msg)
                    .map_err(|e| key_err(format!("RSA signing failed: {e}")))?;
                Ok(sig.to_vec())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Public {
    Ed25519(VerifyingKey),
    #[cfg(feature = "jwt")]
    P256(p256::ecdsa::VerifyingKey),
    #[cfg(feature = "jwt")]
    Rsa(rsa::RsaPublicKey),
}

/// A public key that verifies signatures: Ed25519, P-256 or RSA ≥ 2048 bits.
///
/// # Example
/// ```
/// use openbadges::keys::{PublicKey, SigningKey};
/// let key = PublicKey::from(SigningKey::from_seed(&[1; 32]).verifying_key());
/// assert_eq!(PublicKey::from_jwk(&key.to_jwk())?, key);
/// assert_eq!(PublicKey::from_did(&key.did_key().unwrap())?, key);
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(Public);

impl From<VerifyingKey> for PublicKey {
    fn from(key: VerifyingKey) -> Self {
        PublicKey(Public::Ed25519(key))
    }
}

impl PublicKey {
    /// The kind of key.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match &self.0 {
            Public::Ed25519(_) => KeyAlgorithm::Ed25519,
            #[cfg(feature = "jwt")]
            Public::P256(_) => KeyAlgorithm::P256,
            #[cfg(feature = "jwt")]
            Public::Rsa(_) => KeyAlgorithm::Rsa,
        }
    }

    /// The JWS algorithm this key verifies.
    pub fn jwt_algorithm(&self) -> Algorithm {
        self.algorithm().jwt_algorithm()
    }

    /// The Ed25519 key, if this is one.
    pub fn as_ed25519(&self) -> Option<&VerifyingKey> {
        match &self.0 {
            Public::Ed25519(k) => Some(k),
            #[cfg(feature = "jwt")]
            _ => None,
        }
    }

    /// The key's `did:key` (Ed25519 `z6Mk…`, P-256 `zDn…`; RSA keys have none).
    pub fn did_key(&self) -> Option<String> {
        match &self.0 {
            Public::Ed25519(k) => Some(k.did_key()),
            #[cfg(feature = "jwt")]
            Public::P256(k) => {
                let mut bytes = MULTICODEC_P256_PUB.to_vec();
                bytes.extend_from_slice(k.to_encoded_point(true).as_bytes());
                Some(format!("did:key:z{}", bs58::encode(bytes).into_string()))
            }
            #[cfg(feature = "jwt")]
            Public::Rsa(_) => None,
        }
    }

    /// The verification method id of [`PublicKey::did_key`] (`did:key:z…#z…`).
    pub fn did_key_verification_method(&self) -> Option<String> {
        self.did_key().map(|did| {
            let mk = did.trim_start_matches("did:key:").to_string();
            format!("{did}#{mk}")
        })
    }

    /// Parses a public JWK (`OKP`/`Ed25519`, `EC`/`P-256`, `RSA`); a JWK carrying private members
    /// (`d`, `p`, …) is refused here, since public keys are all a verifier should be handed.
    pub fn from_jwk(jwk: &Value) -> Result<Self> {
        if ["d", "p", "q", "dp", "dq", "qi"]
            .iter()
            .any(|k| jwk.get(k).is_some())
        {
            return Err(key_err(
                "this JWK contains private key material; expected a public key",
            ));
        }
        match jwk.get("kty").and_then(Value::as_str) {
            Some("OKP") if jwk.get("crv").and_then(Value::as_str) == Some("Ed25519") => {
                Ok(VerifyingKey::from_bytes(&b64(jwk, "x")?)?.into())
            }
            #[cfg(feature = "jwt")]
            Some("EC") if jwk.get("crv").and_then(Value::as_str) == Some("P-256") => {
                let (x, y) = (b64(jwk, "x")?, b64(jwk, "y")?);
                if x.len() != 32 || y.len() != 32 {
                    return Err(key_err("P-256 coordinates are 32 bytes"));
                }
                let point = p256::EncodedPoint::from_affine_coordinates(
                    x.as_slice().into(),
                    y.as_slice().into(),
                    false,
                );
                p256::ecdsa::VerifyingKey::from_encoded_point(&point)
                    .map(|k| PublicKey(Public::P256(k)))
                    .map_err(|_| key_err("not a P-256 point"))
            }
            #[cfg(feature = "jwt")]
            Some("RSA") => {
                let n = rsa::BigUint::from_bytes_be(&b64(jwk, "n")?);
                let e = rsa::BigUint::from_bytes_be(&b64(jwk, "e")?);
                let k = rsa::RsaPublicKey::new(n, e)
                    .map_err(|e| key_err(format!("bad RSA key: {e}")))?;
                use rsa::traits::PublicKeyParts;
                if k.size() * 8 < 2048 {
                    return Err(key_err("RSA keys must have at least 2048 bits"));
                }
                Ok(PublicKey(Public::Rsa(k)))
            }
            #[cfg(not(feature = "jwt"))]
            Some("EC") => Err(not_built("P-256")),
            #[cfg(not(feature = "jwt"))]
            Some("RSA") => Err(not_built("RSA")),
            other => Err(key_err(format!(
                "unsupported JWK (kty {other:?}); expected OKP/Ed25519, EC/P-256 or RSA"
            ))),
        }
    }

    /// The public JWK.
    pub fn to_jwk(&self) -> Value {
        match &self.0 {
            Public::Ed25519(k) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(k.to_bytes())})
            }
            #[cfg(feature = "jwt")]
            Public::P256(k) => {
                let p = k.to_encoded_point(false);
                json!({"kty": "EC", "crv": "P-256",
                    "x": URL_SAFE_NO_PAD.encode(p.x().map(|x| x.to_vec()).unwrap_or_default()),
                    "y": URL_SAFE_NO_PAD.encode(p.y().map(|y| y.to_vec()).unwrap_or_default())})
            }
            #[cfg(feature = "jwt")]
            Public::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(k.n().to_bytes_be()), "e": URL_SAFE_NO_PAD.encode(k.e().to_bytes_be())})
            }
        }
    }

    /// Checks a JWS signature over `msg` (see [`IssuerKey`] for the forms).
    /// An Ed25519 check is put off into `defer` when one is given (see
    /// [`super::batch::Deferred`]); P-256 and RSA are always checked at once.
    pub(crate) fn verify_jws(
        &self,
        msg: &[u8],
        sig: &[u8],
        defer: Option<&super::batch::Deferred>,
    ) -> bool {
        match &self.0 {
            Public::Ed25519(k) => super::batch::verify_or_defer(k, msg, sig, defer),
            #[cfg(feature = "jwt")]
            Public::P256(k) => {
                use p256::ecdsa::signature::Verifier;
                // JOSE ES256 signatures are the 64-byte r‖s form; DER is refused.
                p256::ecdsa::Signature::from_slice(sig)
                    .is_ok_and(|s| sig.len() == 64 && k.verify(msg, &s).is_ok())
            }
            #[cfg(feature = "jwt")]
            Public::Rsa(k) => {
                use rsa::signature::Verifier;
                let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.clone());
                rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| vk.verify(msg, &s).is_ok())
            }
        }
    }

    /// The key a `did:key` (Ed25519 `z6Mk…`, P-256 `zDn…`) or `did:jwk` DID URL names, decoded
    /// offline. A fragment, when present, must name the DID's own key (`#0` for did:jwk, the
    /// multibase key for did:key).
    pub fn from_did(did_url: &str) -> Result<PublicKey> {
        let (did, fragment) = match did_url.split_once('#') {
            Some((d, f)) => (d, Some(f)),
            None => (did_url, None),
        };
        if let Some(encoded) = did.strip_prefix("did:jwk:") {
            if fragment.is_some_and(|f| f != "0") {
                return Err(key_err(format!("`{did_url}`: a did:jwk has one key, `#0`")));
            }
            let bytes = URL_SAFE_NO_PAD
                .decode(encoded)
                .map_err(|_| key_err(format!("`{did}` is not base64url")))?;
            let jwk = crate::json::parse(&bytes).map_err(|e| e.context(format!("in `{did}`")))?;
            return PublicKey::from_jwk(&jwk);
        }
        let mk = did
            .strip_prefix("did:key:")
            .ok_or_else(|| key_err(format!("`{did_url}` is not a did:key or did:jwk")))?;
        if fragment.is_some_and(|f| f != mk) {
            return Err(key_err(format!(
                "the fragment of `{did_url}` does not name the did:key's own key"
            )));
        }
        let body = mk
            .strip_prefix('z')
            .ok_or_else(|| key_err(format!("`{did}`: a did:key is base58btc (`z…`)")))?;
        let bytes = bs58::decode(body)
            .into_vec()
            .map_err(|_| key_err(format!("`{did}` is not base58btc")))?;
        match bytes.as_slice() {
            // multicodec ed25519-pub (0xed)
            [0xed, 0x01, key @ ..] => Ok(VerifyingKey::from_bytes(key)?.into()),
            #[cfg(feature = "jwt")]
            [0x80, 0x24, key @ ..] => p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map(|k| PublicKey(Public::P256(k)))
                .map_err(|_| key_err(format!("`{did}` does not hold a P-256 point"))),
            #[cfg(not(feature = "jwt"))]
            [0x80, 0x24, ..] => Err(not_built("P-256")),
            _ => Err(key_err(format!(
                "`{did}` is a did:key of a key type this crate does not verify (Ed25519 and P-256 are supported)"
            ))),
        }
    }
}

#[cfg(all(test, feature = "jwt"))]
mod tests {
    use super::*;

    #[test]
    fn p256_did_key_round_trips() {
        let k = IssuerKey::p256_from_bytes(&[7u8; 32]).unwrap();
        let did = k.did_key().unwrap();
        assert!(did.starts_with("did:key:zDn"), "{did}");
        assert_eq!(PublicKey::from_did(&did).unwrap(), k.public_key());
        let vm = k.public_key().did_key_verification_method().unwrap();
        assert_eq!(PublicKey::from_did(&vm).unwrap(), k.public_key());
    }

    #[test]
    fn private_jwks_round_trip_for_every_algorithm() {
        for alg in [KeyAlgorithm::Ed25519, KeyAlgorithm::P256] {
            let k = IssuerKey::generate(alg).unwrap();
            let back = IssuerKey::from_private_jwk(&k.to_private_jwk()).unwrap();
            assert_eq!(back.public_key(), k.public_key());
            assert_eq!(back.algorithm(), alg);
        }
        assert!(
            PublicKey::from_jwk(&IssuerKey::ed25519_from_seed(&[1; 32]).to_private_jwk()).is_err()
        );
    }
}
