//! The issuing path the binding calls: one key type, one `issue`.
//!
//! TEMPORARY: written against the pre-facade API (`issue::Issuer` + `jwt::sign`); replaced by
//! `openbadges::{IssuerKey, Issuer, Securing}` when the facade lands.

use openbadges::jwt::{HeaderKey, JwtSigningKey, VcForm};
use openbadges::keys::SigningKey;
use openbadges::proof::Suite;
use openbadges::{Error, ErrorKind, Result};
use serde_json::{json, Value};

pub(crate) struct Key(JwtSigningKey);

impl Key {
    pub(crate) fn from_seed(seed: &[u8; 32]) -> Self {
        Key(JwtSigningKey::Ed25519(SigningKey::from_seed(seed)))
    }
    pub(crate) fn from_private_jwk(jwk: &Value) -> Result<Self> {
        JwtSigningKey::from_private_jwk(jwk).map(Key)
    }
}

pub(crate) enum Securing {
    DataIntegrity(Suite),
    Jwt(&'static str),
}

pub(crate) enum Issued {
    Json(Value),
    Jwt(String),
}

pub(crate) fn securing(suite: &str) -> Result<Securing> {
    match suite {
        "jwt-eddsa" => Ok(Securing::Jwt("EdDSA")),
        "jwt-es256" => Ok(Securing::Jwt("ES256")),
        "jwt-rs256" => Ok(Securing::Jwt("RS256")),
        other => Suite::from_name(other)
            .map(Securing::DataIntegrity)
            .map_err(|_| {
                Error::new(
                    ErrorKind::Usage,
                    format!("unknown suite `{other}`; expected eddsa-rdfc-2022, eddsa-jcs-2022, Ed25519Signature2020, jwt-eddsa, jwt-es256 or jwt-rs256"),
                )
            }),
    }
}

pub(crate) fn issue(credential: &Value, key: Key, securing: Securing) -> Result<Issued> {
    let profile = match credential.get("issuer") {
        Some(Value::Object(o)) => Value::Object(o.clone()),
        Some(Value::String(s)) if !s.is_empty() => json!({"id": s}),
        _ => json!({}),
    };
    match securing {
        Securing::DataIntegrity(suite) => {
            let JwtSigningKey::Ed25519(k) = key.0 else {
                return Err(Error::new(
                    ErrorKind::Key,
                    format!("{} needs an Ed25519 key", suite.name()),
                ));
            };
            let issuer = openbadges::issue::Issuer::new(profile, k)?;
            issuer.issue(credential, suite).map(Issued::Json)
        }
        Securing::Jwt(alg) => {
            if key.0.algorithm().name() != alg {
                return Err(Error::new(
                    ErrorKind::Key,
                    format!(
                        "this suite needs a {alg} key; the key is {}",
                        key.0.algorithm().name()
                    ),
                ));
            }
            let issuer_id = match (&key.0, profile.get("id").and_then(Value::as_str)) {
                (_, Some(id)) => id.to_string(),
                (JwtSigningKey::Ed25519(k), None) => k.verifying_key().did_key(),
                _ => {
                    return Err(Error::new(
                        ErrorKind::Usage,
                        "the credential needs an issuer id for ES256/RS256 tokens",
                    ))
                }
            };
            let doc = openbadges::issue::prepare(
                credential,
                &json!({"id": issuer_id}),
                chrono::Utc::now(),
                None,
            )?;
            let header = match &key.0 {
                JwtSigningKey::Ed25519(k) if issuer_id == k.verifying_key().did_key() => {
                    HeaderKey::Kid(k.verifying_key().did_key_verification_method())
                }
                _ => HeaderKey::Jwk,
            };
            let v1 = doc.pointer("/@context/0").and_then(Value::as_str)
                == Some(openbadges::verify::VC_V1);
            openbadges::jwt::sign(
                &doc,
                &key.0,
                header,
                if v1 { VcForm::V1 } else { VcForm::V2 },
            )
            .map(Issued::Jwt)
        }
    }
}

pub(crate) fn keygen(algorithm: &str) -> Result<Value> {
    match algorithm {
        "ed25519" => {
            let k = SigningKey::generate();
            let vm = k.verifying_key().did_key_verification_method();
            let mut jwk = JwtSigningKey::Ed25519(k).to_private_jwk();
            jwk["kid"] = vm.into();
            Ok(jwk)
        }
        other => Err(Error::new(
            ErrorKind::Usage,
            format!("unknown algorithm `{other}`; expected ed25519, p-256 or rsa"),
        )),
    }
}
