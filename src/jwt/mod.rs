//! VC-JWT: Open Badges secured as a compact JWS (OB 3.0 §JSON Web Token Proof Format), EdDSA,
//! ES256 and RS256, VC 2.0 and VC 1.1 (`vc` claim) forms.
//!
//! The compact-JWS layer is written here rather than taken from `jsonwebtoken`: that crate does
//! not refuse duplicate JSON member names in the header or payload (we parse both with
//! [`crate::json::parse`]), and the VC claim mapping and the allow-list-before-any-key rule are
//! the part that matters. Verification checks, in order: shape (3 segments, base64url), header
//! JSON, the algorithm against the allow-list (before any key is touched; `none` and HMAC are
//! never allowed), payload JSON, the key (from the caller's [`JwtKeyResolver`] — a `jwk` header
//! proves nothing unless the resolver binds it to the issuer), the key's type against the
//! algorithm, the signature, then the claims against the credential and the clock.
//!
//! # Example
//! ```
//! use openbadges::jwt::{sign, verify, HeaderKey, JwtVerifyOptions, VcForm, DidKeyJwtResolver};
//! use openbadges::IssuerKey;
//! use openbadges::keys::SigningKey;
//! let key = SigningKey::from_seed(&[7; 32]);
//! let did = key.verifying_key().did_key();
//! let credential = serde_json::json!({
//!   "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
//!   "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"],
//!   "issuer": {"id": did.clone(), "type": ["Profile"]}, "validFrom": "2026-01-01T00:00:00Z",
//!   "credentialSubject": {"id": "did:example:t", "type": ["AchievementSubject"]}
//! });
//! let kid = key.verifying_key().did_key_verification_method();
//! let token = sign(&credential, &IssuerKey::from(key), HeaderKey::Kid(kid), VcForm::V2)?;
//! let verified = verify(&token, &DidKeyJwtResolver, &JwtVerifyOptions::default())?;
//! assert_eq!(verified.credential["id"], "urn:uuid:1");
//! # Ok::<(), openbadges::Error>(())
//! ```

pub use crate::keys::{IssuerKey, PublicKey};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};

/// Largest token accepted: 4 MiB.
pub const MAX_TOKEN_BYTES: usize = 4 * 1024 * 1024;

/// A JWS algorithm this crate signs and verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519.
    EdDsa,
    /// ECDSA P-256 with SHA-256 (raw r‖s signatures).
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RSA ≥ 2048 bits).
    Rs256,
}

impl Algorithm {
    /// The `alg` header value.
    pub fn name(&self) -> &'static str {
        match self {
            Algorithm::EdDsa => "EdDSA",
            Algorithm::Es256 => "ES256",
            Algorithm::Rs256 => "RS256",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        match s {
            "EdDSA" => Some(Algorithm::EdDsa),
            "ES256" => Some(Algorithm::Es256),
            "RS256" => Some(Algorithm::Rs256),
            _ => None,
        }
    }
}

/// How the header names the key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderKey {
    /// `kid`: a URI that dereferences to the key (e.g. `did:key:…#…`, `https://…/jwks#key-1`).
    Kid(String),
    /// `jwk`: the public key itself (verifiers must bind it to the issuer).
    Jwk,
}

/// Which VC data model the payload follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VcForm {
    /// VC 2.0: the payload is the credential plus the registered claims.
    V2,
    /// VC 1.1: the credential sits in the `vc` claim.
    V1,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Proof, msg.into())
}

fn numeric_date(s: Option<&Value>) -> Result<Option<i64>> {
    match s.and_then(Value::as_str) {
        None => Ok(None),
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map(|d| Some(d.timestamp()))
            .map_err(|_| Error::model(format!("`{t}` is not an RFC 3339 date-time"))),
    }
}

/// A NumericDate claim (RFC 7519 §2): a JSON number of seconds since the epoch, fractions
/// allowed. Anything else — a string, a boolean, a non-finite or absurd number — is malformed.
fn numeric_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<f64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(t) if t.is_finite() && t.abs() < 1e12 => Ok(Some(t)),
            _ => Err(bad(format!(
                "the `{name}` claim {n} is not a usable NumericDate"
            ))),
        },
        Some(other) => Err(bad(format!(
            "the `{name}` claim must be a NumericDate (a JSON number of seconds); found {other}"
        ))),
    }
}

use crate::vocab::issuer_id;

/// Signs `credential` as a compact JWS.
pub fn sign(
    credential: &Value,
    key: &IssuerKey,
    header_key: HeaderKey,
    form: VcForm,
) -> Result<String> {
    let c = credential
        .as_object()
        .ok_or_else(|| Error::model("a credential must be a JSON object"))?;
    let alg = key.jwt_algorithm();
    let mut header = Map::new();
    header.insert("alg".into(), alg.name().into());
    header.insert("typ".into(), "JWT".into());
    match header_key {
        HeaderKey::Kid(k) => {
            header.insert("kid".into(), k.into());
        }
        HeaderKey::Jwk => {
            header.insert("jwk".into(), key.public_jwk());
        }
    }
    let v = Value::Object(c.clone());
    let (from, until) = match form {
        VcForm::V2 => (v.get("validFrom"), v.get("validUntil")),
        VcForm::V1 => (v.get("issuanceDate"), v.get("expirationDate")),
    };
    let mut claims = match form {
        VcForm::V2 => c.clone(),
        VcForm::V1 => {
            let mut m = Map::new();
            m.insert("vc".into(), v.clone());
            m
        }
    };
    if let Some(iss) = issuer_id(&v) {
        claims.insert("iss".into(), iss.into());
    }
    if let Some(id) = v.get("id") {
        claims.insert("jti".into(), id.clone());
    }
    if let Some(n) = numeric_date(from)? {
        claims.insert("nbf".into(), n.into());
    }
    if let Some(e) = numeric_date(until)? {
        claims.insert("exp".into(), e.into());
    }
    if let Some(sub) = v.pointer("/credentialSubject/id") {
        claims.insert("sub".into(), sub.clone());
    }
    let h = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).map_err(|e| bad(e.to_string()))?);
    let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).map_err(|e| bad(e.to_string()))?);
    let input = format!("{h}.{p}");
    let sig = key.sign_jws(input.as_bytes())?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// Finds the verification key of a token. Return `Ok(None)` when no key can be bound to the issuer.
pub trait JwtKeyResolver {
    /// The key for a token with header `kid` / `jwk`, issued by `issuer`.
    fn key_for(
        &self,
        kid: Option<&str>,
        header_jwk: Option<&PublicKey>,
        issuer: &str,
    ) -> Result<Option<PublicKey>>;
}

/// Resolves `did:key` (Ed25519 and P-256) and `did:jwk` kids offline, and binds nothing else.
#[derive(Debug, Clone, Copy, Default)]
pub struct DidKeyJwtResolver;

impl JwtKeyResolver for DidKeyJwtResolver {
    fn key_for(
        &self,
        kid: Option<&str>,
        _jwk: Option<&PublicKey>,
        issuer: &str,
    ) -> Result<Option<PublicKey>> {
        let Some(kid) = kid.filter(|k| k.starts_with("did:key:") || k.starts_with("did:jwk:"))
        else {
            return Ok(None);
        };
        let did = kid.split_once('#').map_or(kid, |(d, _)| d);
        if !crate::vocab::same_identity(did, issuer) {
            return Err(bad(format!(
                "the kid `{kid}` is not controlled by the issuer `{issuer}`"
            )));
        }
        PublicKey::from_did(kid).map(Some)
    }
}

/// Keys bound to issuers by the verifier (e.g. from a trust list or a published JWK Set): a header
/// `jwk` is accepted only if it equals one of the issuer's bound keys.
#[derive(Debug, Clone, Default)]
pub struct BoundKeys {
    keys: Vec<(String, PublicKey)>,
}

impl BoundKeys {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }
    /// Binds `key` to `issuer`.
    pub fn bind(mut self, issuer: impl Into<String>, key: PublicKey) -> Self {
        self.keys.push((issuer.into(), key));
        self
    }
}

impl JwtKeyResolver for BoundKeys {
    fn key_for(
        &self,
        kid: Option<&str>,
        jwk: Option<&PublicKey>,
        issuer: &str,
    ) -> Result<Option<PublicKey>> {
        if let Some(k) = DidKeyJwtResolver.key_for(kid, jwk, issuer)? {
            return Ok(Some(k));
        }
        let mine: Vec<&PublicKey> = self
            .keys
            .iter()
            .filter(|(i, _)| i == issuer)
            .map(|(_, k)| k)
            .collect();
        Ok(match (jwk, mine.as_slice()) {
            (Some(j), keys) => keys.iter().find(|k| **k == j).map(|k| (*k).clone()),
            (None, [only]) => Some((*only).clone()),
            _ => None,
        })
    }
}

/// Verification options.
#[derive(Debug, Clone)]
pub struct JwtVerifyOptions {
    /// Algorithms accepted (checked before any key is used). Default: EdDSA, ES256, RS256.
    pub allowed: Vec<Algorithm>,
    /// "Now" for `nbf`/`exp`; `None` = the system clock.
    pub now: Option<DateTime<Utc>>,
    /// Clock skew tolerated, seconds.
    pub skew_seconds: i64,
    /// Refuse a token outside its `nbf` / `exp` window (default). A verifier that reports dates
    /// separately (as [`crate::verify`](mod@crate::verify) does: "authentic but expired") turns this off and reads
    /// [`JwtVerified::not_before`] / [`JwtVerified::expires`].
    pub check_dates: bool,
}

impl Default for JwtVerifyOptions {
    fn default() -> Self {
        JwtVerifyOptions {
            allowed: vec![Algorithm::EdDsa, Algorithm::Es256, Algorithm::Rs256],
            now: None,
            skew_seconds: 300,
            check_dates: true,
        }
    }
}

/// A verified token.
#[derive(Debug, Clone)]
pub struct JwtVerified {
    /// The credential it carries (VC 1.1: the `vc` claim; VC 2.0: the payload minus JWT claims).
    pub credential: Value,
    /// The protected header.
    pub header: Value,
    /// The algorithm that verified.
    pub algorithm: Algorithm,
    /// Tolerated deviations seen in real badges (e.g. no `sub`, an `aud` or `iat` claim).
    pub warnings: Vec<String>,
    /// The `nbf` claim (seconds since the epoch), if any.
    pub not_before: Option<f64>,
    /// The `exp` claim (seconds since the epoch), if any.
    pub expires: Option<f64>,
}

fn segment(s: &str, what: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad(format!("the JWT {what} is not base64url (no padding)")))
}

/// Verifies a compact JWS credential.
pub fn verify(
    token: &str,
    keys: &dyn JwtKeyResolver,
    options: &JwtVerifyOptions,
) -> Result<JwtVerified> {
    verify_deferring(token, keys, options, None)
}

/// [`verify`], with an EdDSA signature check recorded in `defer` (and passing for now) when one
/// is given; ES256 and RS256 are checked at once. See [`crate::keys::batch::Deferred`] for the
/// contract its owner keeps: nothing in the result depends on the signature but `Ok` itself.
pub(crate) fn verify_deferring(
    token: &str,
    keys: &dyn JwtKeyResolver,
    options: &JwtVerifyOptions,
    defer: Option<&crate::keys::batch::Deferred>,
) -> Result<JwtVerified> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("token larger than {MAX_TOKEN_BYTES} bytes"),
        ));
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(bad(format!(
            "a compact JWS has 3 segments; found {}",
            parts.len()
        )));
    }
    let header = crate::json::parse(&segment(parts[0], "header")?)
        .map_err(|e| e.context("in the JWT header"))?;
    let alg_name = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let alg = Algorithm::parse(alg_name)
        .filter(|a| options.allowed.contains(a))
        .ok_or_else(|| {
            bad(format!(
                "algorithm `{alg_name}` is not allowed (allowed: {:?}; `none` and HMAC never are)",
                options
                    .allowed
                    .iter()
                    .map(Algorithm::name)
                    .collect::<Vec<_>>()
            ))
        })?;
    // RFC 7515 §4.1.11: a `crit` header lists extensions the verifier must understand; this
    // verifier understands none, so any `crit` (and a malformed one) is refused.
    if let Some(crit) = header.get("crit") {
        return Err(bad(format!(
            "the JWT header has `crit` {crit}, naming extensions this verifier does not understand (RFC 7515 §4.1.11)"
        )));
    }
    let payload = crate::json::parse(&segment(parts[1], "payload")?)
        .map_err(|e| e.context("in the JWT payload"))?;
    let claims = payload
        .as_object()
        .ok_or_else(|| bad("the JWT payload is not a JSON object"))?;
    let sig = segment(parts[2], "signature")?;
    let (credential, v1) = match claims.get("vc") {
        Some(vc @ Value::Object(_)) => (vc.clone(), true),
        _ => {
            let mut c = claims.clone();
            for k in ["iss", "jti", "nbf", "exp", "sub", "iat", "aud"] {
                c.shift_remove(k);
            }
            (Value::Object(c), false)
        }
    };
    let issuer = issuer_id(&credential)
        .or_else(|| claims.get("iss").and_then(Value::as_str))
        .unwrap_or("")
        .to_string();
    let header_jwk = match header.get("jwk") {
        Some(j) => Some(PublicKey::from_jwk(j).map_err(|e| e.context("in the JWT header `jwk`"))?),
        None => None,
    };
    let kid = header.get("kid").and_then(Value::as_str);
    let key = keys
        .key_for(kid, header_jwk.as_ref(), &issuer)?
        .ok_or_else(|| bad(format!("no key bound to the issuer `{issuer}` (a header jwk alone proves nothing; bind the issuer's key through its DID document, key set or a trust entry)")))?;
    if key.jwt_algorithm() != alg {
        return Err(bad(format!(
            "algorithm `{}` does not match the key type ({})",
            alg.name(),
            key.jwt_algorithm().name()
        )));
    }
    let input = format!("{}.{}", parts[0], parts[1]);
    if !key.verify_jws(input.as_bytes(), &sig, defer) {
        return Err(bad("the JWT signature does not verify"));
    }
    // Claims must agree with the credential.
    let mut warnings = Vec::new();
    let claim_str = |k: &str| claims.get(k).and_then(Value::as_str);
    if let Some(iss) = claim_str("iss") {
        if issuer_id(&credential).is_some_and(|i| i != iss) {
            return Err(bad(format!(
                "iss `{iss}` differs from the credential's issuer `{}`",
                issuer_id(&credential).unwrap_or("")
            )));
        }
    } else {
        warnings.push("no `iss` claim".into());
    }
    if let (Some(jti), Some(id)) = (
        claim_str("jti"),
        credential.get("id").and_then(Value::as_str),
    ) {
        if jti != id {
            return Err(bad(format!(
                "jti `{jti}` differs from the credential id `{id}`"
            )));
        }
    }
    match (
        claim_str("sub"),
        credential
            .pointer("/credentialSubject/id")
            .and_then(Value::as_str),
    ) {
        (Some(sub), Some(sid)) if sub != sid => {
            return Err(bad(format!(
                "sub `{sub}` differs from credentialSubject.id `{sid}`"
            )))
        }
        (None, Some(_)) => {
            warnings.push("no `sub` claim (tolerated; 1EdTech's samples omit it)".into())
        }
        _ => {}
    }
    for k in ["aud", "iat"] {
        if claims.contains_key(k) {
            warnings.push(format!(
                "`{k}` claim present (tolerated, never written by this crate)"
            ));
        }
    }
    let (from_key, until_key) = if v1 {
        ("issuanceDate", "expirationDate")
    } else {
        ("validFrom", "validUntil")
    };
    let now = options.now.unwrap_or_else(Utc::now).timestamp() as f64;
    let nbf = numeric_claim(claims, "nbf")?;
    let exp = numeric_claim(claims, "exp")?;
    numeric_claim(claims, "iat")?;
    for (claim, c, field) in [("nbf", nbf, from_key), ("exp", exp, until_key)] {
        let f = numeric_date(credential.get(field)).unwrap_or(None);
        if let (Some(c), Some(f)) = (c, f) {
            if c.floor() as i64 != f {
                return Err(bad(format!("{claim} ({c}) differs from {field} ({f})")));
            }
        }
    }
    let skew = options.skew_seconds as f64;
    if options.check_dates {
        if let Some(nbf) = nbf.filter(|n| *n > now + skew) {
            return Err(bad(format!(
                "the token is not valid before {nbf} (nbf); now is {now}"
            )));
        }
        if let Some(exp) = exp.filter(|e| *e + skew < now) {
            return Err(bad(format!(
                "the token expired at {exp} (exp); now is {now}"
            )));
        }
    }
    Ok(JwtVerified {
        credential,
        header,
        algorithm: alg,
        warnings,
        not_before: nbf,
        expires: exp,
    })
}

/// The compact JWS's decoded payload, unverified (for display and import).
pub fn decode_unverified(token: &str) -> Result<Value> {
    let p = token
        .split('.')
        .nth(1)
        .ok_or_else(|| bad("not a compact JWS"))?;
    crate::json::parse(&segment(p, "payload")?)
}
