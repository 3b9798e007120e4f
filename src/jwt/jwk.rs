//! JWT keys (Ed25519, P-256, RSA ≥ 2048) and their JWK forms (RFC 7517/7518/8037).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use super::Algorithm;
use crate::error::{Error, ErrorKind, Result};
use crate::keys::{SigningKey, VerifyingKey};

fn key_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Key, msg.into())
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

/// A key that signs JWTs. Secret material is zeroized on drop by the underlying crates.
#[non_exhaustive]
pub enum JwtSigningKey {
    /// Ed25519 (EdDSA).
    Ed25519(SigningKey),
    /// P-256 (ES256).
    P256(p256::ecdsa::SigningKey),
    /// RSA ≥ 2048 bits (RS256).
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl std::fmt::Debug for JwtSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "JwtSigningKey({}, secret redacted)",
            self.algorithm().name()
        )
    }
}

impl JwtSigningKey {
    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            JwtSigningKey::Ed25519(_) => Algorithm::EdDsa,
            JwtSigningKey::P256(_) => Algorithm::Es256,
            JwtSigningKey::Rsa(_) => Algorithm::Rs256,
        }
    }

    /// The public half.
    pub fn verifying_key(&self) -> JwtVerifyingKey {
        match self {
            JwtSigningKey::Ed25519(k) => JwtVerifyingKey::Ed25519(k.verifying_key()),
            JwtSigningKey::P256(k) => JwtVerifyingKey::P256(*k.verifying_key()),
            JwtSigningKey::Rsa(k) => JwtVerifyingKey::Rsa(k.to_public_key()),
        }
    }

    /// Parses a private JWK (`EC`/`P-256` with `d`; `RSA` with `n`, `e`, `d`, `p`, `q`; `OKP`/`Ed25519` with `d`).
    pub fn from_private_jwk(jwk: &Value) -> Result<Self> {
        match jwk.get("kty").and_then(Value::as_str) {
            Some("OKP") if jwk.get("crv").and_then(Value::as_str) == Some("Ed25519") => {
                let d: [u8; 32] = b64(jwk, "d")?
                    .try_into()
                    .map_err(|_| key_err("Ed25519 `d` is 32 bytes"))?;
                Ok(JwtSigningKey::Ed25519(SigningKey::from_seed(&d)))
            }
            Some("EC") if jwk.get("crv").and_then(Value::as_str) == Some("P-256") => {
                p256::ecdsa::SigningKey::from_slice(&b64(jwk, "d")?)
                    .map(JwtSigningKey::P256)
                    .map_err(|_| key_err("not a P-256 private key"))
            }
            Some("RSA") => {
                let n = |f: &str| b64(jwk, f).map(|b| rsa::BigUint::from_bytes_be(&b));
                let k = rsa::RsaPrivateKey::from_components(
                    n("n")?,
                    n("e")?,
                    n("d")?,
                    vec![n("p")?, n("q")?],
                )
                .map_err(|e| key_err(format!("bad RSA private key: {e}")))?;
                Self::rsa(k)
            }
            other => Err(key_err(format!("unsupported private JWK (kty {other:?})"))),
        }
    }

    /// The private JWK (handle with care: this is the secret).
    pub fn to_private_jwk(&self) -> Value {
        let mut jwk = self.verifying_key().to_jwk();
        match self {
            JwtSigningKey::Ed25519(k) => {
                let secret = k.to_multikey_secret();
                if let Ok(bytes) =
                    crate::keys::decode_multibase_key(&secret, crate::keys::MULTICODEC_ED25519_PRIV)
                {
                    jwk["d"] = URL_SAFE_NO_PAD.encode(bytes).into();
                }
            }
            JwtSigningKey::P256(k) => jwk["d"] = URL_SAFE_NO_PAD.encode(k.to_bytes()).into(),
            JwtSigningKey::Rsa(k) => {
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

    /// An RSA key, refusing fewer than 2048 bits.
    pub fn rsa(key: rsa::RsaPrivateKey) -> Result<Self> {
        use rsa::traits::PublicKeyParts;
        if key.size() * 8 < 2048 {
            return Err(key_err("RSA keys must have at least 2048 bits"));
        }
        Ok(JwtSigningKey::Rsa(Box::new(key)))
    }

    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        match self {
            JwtSigningKey::Ed25519(k) => Ok(k.sign(msg).to_vec()),
            JwtSigningKey::P256(k) => {
                use p256::ecdsa::signature::Signer;
                let sig: p256::ecdsa::Signature = k.sign(msg);
                Ok(sig.to_bytes().to_vec())
            }
            JwtSigningKey::Rsa(k) => {
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

/// A key that verifies JWTs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtVerifyingKey {
    /// Ed25519 (EdDSA).
    Ed25519(VerifyingKey),
    /// P-256 (ES256).
    P256(p256::ecdsa::VerifyingKey),
    /// RSA ≥ 2048 bits (RS256).
    Rsa(rsa::RsaPublicKey),
}

impl JwtVerifyingKey {
    /// The algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            JwtVerifyingKey::Ed25519(_) => Algorithm::EdDsa,
            JwtVerifyingKey::P256(_) => Algorithm::Es256,
            JwtVerifyingKey::Rsa(_) => Algorithm::Rs256,
        }
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
            Some("OKP") if jwk.get("crv").and_then(Value::as_str) == Some("Ed25519") => Ok(
                JwtVerifyingKey::Ed25519(VerifyingKey::from_bytes(&b64(jwk, "x")?)?),
            ),
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
                    .map(JwtVerifyingKey::P256)
                    .map_err(|_| key_err("not a P-256 point"))
            }
            Some("RSA") => {
                let n = rsa::BigUint::from_bytes_be(&b64(jwk, "n")?);
                let e = rsa::BigUint::from_bytes_be(&b64(jwk, "e")?);
                let k = rsa::RsaPublicKey::new(n, e)
                    .map_err(|e| key_err(format!("bad RSA key: {e}")))?;
                use rsa::traits::PublicKeyParts;
                if k.size() * 8 < 2048 {
                    return Err(key_err("RSA keys must have at least 2048 bits"));
                }
                Ok(JwtVerifyingKey::Rsa(k))
            }
            other => Err(key_err(format!(
                "unsupported JWK (kty {other:?}); expected OKP/Ed25519, EC/P-256 or RSA"
            ))),
        }
    }

    /// The public JWK.
    pub fn to_jwk(&self) -> Value {
        match self {
            JwtVerifyingKey::Ed25519(k) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(k.to_bytes())})
            }
            JwtVerifyingKey::P256(k) => {
                let p = k.to_encoded_point(false);
                json!({"kty": "EC", "crv": "P-256",
                    "x": URL_SAFE_NO_PAD.encode(p.x().map(|x| x.to_vec()).unwrap_or_default()),
                    "y": URL_SAFE_NO_PAD.encode(p.y().map(|y| y.to_vec()).unwrap_or_default())})
            }
            JwtVerifyingKey::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(k.n().to_bytes_be()), "e": URL_SAFE_NO_PAD.encode(k.e().to_bytes_be())})
            }
        }
    }

    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            JwtVerifyingKey::Ed25519(k) => k.verify(msg, sig),
            JwtVerifyingKey::P256(k) => {
                use p256::ecdsa::signature::Verifier;
                // JOSE ES256 signatures are the 64-byte r‖s form; DER is refused.
                p256::ecdsa::Signature::from_slice(sig)
                    .is_ok_and(|s| sig.len() == 64 && k.verify(msg, &s).is_ok())
            }
            JwtVerifyingKey::Rsa(k) => {
                use rsa::signature::Verifier;
                let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.clone());
                rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| vk.verify(msg, &s).is_ok())
            }
        }
    }
}

/// The key a `did:key` (Ed25519 `z6Mk…`, P-256 `zDn…`) or `did:jwk` DID URL names, decoded
/// offline. A fragment, when present, must name the DID's own key (`#0` for did:jwk, the
/// multibase key for did:key).
pub(crate) fn key_from_did(did_url: &str) -> Result<JwtVerifyingKey> {
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
        return JwtVerifyingKey::from_jwk(&jwk);
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
        [0xed, 0x01, key @ ..] => Ok(JwtVerifyingKey::Ed25519(VerifyingKey::from_bytes(key)?)),
        // multicodec p256-pub (0x1200), compressed SEC1 point
        [0x80, 0x24, key @ ..] => p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
            .map(JwtVerifyingKey::P256)
            .map_err(|_| key_err(format!("`{did}` does not hold a P-256 point"))),
        _ => Err(key_err(format!(
            "`{did}` is a did:key of a key type this crate does not verify (Ed25519 and P-256 are supported)"
        ))),
    }
}
