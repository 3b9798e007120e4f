//! VC-JWT: round trips for EdDSA, ES256 and RS256 in both VC forms; 1EdTech's RS256 badges verify
//! once their `jwk` is bound to the issuer; the attacks in VERIFIER-CHECKLIST 35–40 fail.

mod common;

use std::path::PathBuf;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use openbadges::jwt::{
    sign, verify, BoundKeys, DidKeyJwtResolver, HeaderKey, JwtVerifyOptions, VcForm,
};
use openbadges::keys::{IssuerKey, PublicKey, SigningKey};
use rand_chacha::rand_core::SeedableRng;
use serde_json::{json, Value};

const ISSUER: &str = "https://riverside.example/issuer";

/// A fixed RSA key, handed to the crate as a private JWK (its RSA type stays private).
fn rsa_key() -> IssuerKey {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2048);
    let k = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let b = |n: &rsa::BigUint| URL_SAFE_NO_PAD.encode(n.to_bytes_be());
    IssuerKey::from_private_jwk(
        &json!({"kty": "RSA", "n": b(k.n()), "e": b(k.e()), "d": b(k.d()),
        "p": b(&k.primes()[0]), "q": b(&k.primes()[1])}),
    )
    .unwrap()
}

fn p256_key(seed: u8) -> IssuerKey {
    IssuerKey::p256_from_bytes(&[seed; 32]).unwrap()
}

fn keys() -> Vec<IssuerKey> {
    vec![
        IssuerKey::from(SigningKey::from_seed(&[1; 32])),
        p256_key(7),
        rsa_key(),
    ]
}

fn credential(v1: bool) -> Value {
    let mut c = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:5b6c7d8e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Riverside"},
        "validFrom": "2026-01-01T00:00:00Z", "validUntil": "2030-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:teacher", "type": ["AchievementSubject"]}
    });
    if v1 {
        let m = c.as_object_mut().unwrap();
        m["@context"][0] = "https://www.w3.org/2018/credentials/v1".into();
        let f = m.shift_remove("validFrom").unwrap();
        let u = m.shift_remove("validUntil").unwrap();
        m.insert("issuanceDate".into(), f);
        m.insert("expirationDate".into(), u);
    }
    c
}

fn opts() -> JwtVerifyOptions {
    JwtVerifyOptions {
        now: Some(
            chrono::DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z")
                .unwrap()
                .to_utc(),
        ),
        ..Default::default()
    }
}

#[test]
fn round_trips_every_algorithm_and_form() {
    for key in keys() {
        for v1 in [false, true] {
            let c = credential(v1);
            let token = sign(
                &c,
                &key,
                HeaderKey::Jwk,
                if v1 { VcForm::V1 } else { VcForm::V2 },
            )
            .unwrap();
            let bound = BoundKeys::new().bind(ISSUER, key.public_key());
            let got = verify(&token, &bound, &opts()).unwrap();
            assert_eq!(got.credential, c, "{:?} v1={v1}", key.algorithm());
            assert!(got.warnings.is_empty(), "{:?}", got.warnings);
            // Unbound header jwk: refused.
            assert!(verify(&token, &BoundKeys::new(), &opts()).is_err());
            // One payload byte changed: refused.
            let mut parts: Vec<String> = token.split('.').map(String::from).collect();
            let mut p = URL_SAFE_NO_PAD.decode(&parts[1]).unwrap();
            let i = p.len() / 2;
            p[i] ^= 1;
            parts[1] = URL_SAFE_NO_PAD.encode(p);
            assert!(verify(&parts.join("."), &bound, &opts()).is_err());
        }
    }
    // did:key kid for EdDSA needs no binding: the DID is the issuer.
    let k = SigningKey::from_seed(&[2; 32]);
    let mut c = credential(false);
    c["issuer"]["id"] = k.verifying_key().did_key().into();
    let token = sign(
        &c,
        &IssuerKey::from(k.clone()),
        HeaderKey::Kid(k.verifying_key().did_key_verification_method()),
        VcForm::V2,
    )
    .unwrap();
    assert!(verify(&token, &DidKeyJwtResolver, &opts()).is_ok());
}

fn forge(header: Value, payload: &Value, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

#[test]
fn checklist_35_to_40() {
    let ed = SigningKey::from_seed(&[1; 32]);
    let rsa = rsa_key();
    let bound = BoundKeys::new().bind(ISSUER, PublicKey::from(ed.verifying_key()));
    let good = sign(
        &credential(false),
        &IssuerKey::from(ed.clone()),
        HeaderKey::Jwk,
        VcForm::V2,
    )
    .unwrap();
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(good.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    let err = |t: &str, b: &BoundKeys| verify(t, b, &opts()).unwrap_err().to_string();
    // 35: alg none
    assert!(err(&forge(json!({"alg": "none"}), &payload, b""), &bound).contains("not allowed"));
    // 36: HS256 keyed with the public key bytes
    use hmac_like::hs256;
    let t = forge(json!({"alg": "HS256"}), &payload, b"");
    let mac = hs256(
        &ed.verifying_key().to_bytes(),
        t.rsplit_once('.').unwrap().0.as_bytes(),
    );
    let t = format!(
        "{}.{}",
        t.rsplit_once('.').unwrap().0,
        URL_SAFE_NO_PAD.encode(mac)
    );
    assert!(err(&t, &bound).contains("not allowed"));
    // 37: EdDSA header with an RSA key
    let rsa_bound = BoundKeys::new().bind(ISSUER, rsa.public_key());
    assert!(
        err(&good, &rsa_bound)
            .to_lowercase()
            .contains("no key bound")
            || err(&good, &rsa_bound).contains("does not match")
    );
    let t = forge(json!({"alg": "EdDSA"}), &payload, &[0u8; 64]);
    assert!(err(&t, &rsa_bound).contains("does not match"));
    // 38: a header jwk not bound to the issuer
    assert!(err(&good, &BoundKeys::new()).contains("no key bound"));
    // 39: iss ≠ issuer; nbf in the future
    let mut p = payload.clone();
    p["iss"] = "https://evil.example".into();
    let t = sign_raw(&ed, &p);
    assert!(err(&t, &bound).contains("iss"));
    let mut p = payload.clone();
    p["nbf"] = json!(4_102_444_800i64);
    p["validFrom"] = "2100-01-01T00:00:00Z".into();
    assert!(err(&sign_raw(&ed, &p), &bound).contains("not valid before"));
    // 40: duplicate member names in header or payload
    let dup_h = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"EdDSA","alg":"none"}"#),
        good.split('.').nth(1).unwrap(),
        good.split('.').nth(2).unwrap()
    );
    assert!(err(&dup_h, &bound).contains("duplicate"));
    let dup_p = format!(
        "{}.{}.{}",
        good.split('.').next().unwrap(),
        URL_SAFE_NO_PAD.encode(br#"{"iss":"a","iss":"b"}"#),
        good.split('.').nth(2).unwrap()
    );
    assert!(err(&dup_p, &bound).contains("duplicate"));
    // payload not JSON, 2 or 4 segments, bad base64
    let nj = format!(
        "{}.{}.{}",
        good.split('.').next().unwrap(),
        URL_SAFE_NO_PAD.encode(b"not json"),
        good.split('.').nth(2).unwrap()
    );
    assert!(verify(&nj, &bound, &opts()).is_err());
    assert!(err("a.b", &bound).contains("3 segments"));
    assert!(err("a.b.c.d", &bound).contains("3 segments"));
    assert!(err("@@.b.c", &bound).contains("base64url"));
    // ES256 with a DER signature instead of raw r‖s
    let ec = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let ec_bound = BoundKeys::new().bind(ISSUER, PublicKey::from_jwk(&json!({"kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(ec.verifying_key().to_encoded_point(false).x().unwrap()), "y": URL_SAFE_NO_PAD.encode(ec.verifying_key().to_encoded_point(false).y().unwrap())})).unwrap());
    let t = sign(
        &credential(false),
        &IssuerKey::p256_from_bytes(&ec.to_bytes()).unwrap(),
        HeaderKey::Jwk,
        VcForm::V2,
    )
    .unwrap();
    let (input, _) = t.rsplit_once('.').unwrap();
    use p256::ecdsa::signature::Signer;
    let sig: p256::ecdsa::Signature = ec.sign(input.as_bytes());
    let der = format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(sig.to_der().as_bytes())
    );
    assert!(verify(&der, &ec_bound, &opts()).is_err());
    assert!(verify(&t, &ec_bound, &opts()).is_ok());
}

fn sign_raw(key: &SigningKey, payload: &Value) -> String {
    let h = URL_SAFE_NO_PAD.encode(json!({"alg": "EdDSA", "typ": "JWT"}).to_string());
    let p = URL_SAFE_NO_PAD.encode(payload.to_string());
    let sig = key.sign(format!("{h}.{p}").as_bytes());
    format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// HMAC-SHA256, written out for the one test that forges an HS256 token.
mod hmac_like {
    use sha2::{Digest, Sha256};
    pub fn hs256(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut k = [0u8; 64];
        k[..key.len()].copy_from_slice(key);
        let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
        let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
        let inner = Sha256::new()
            .chain_update(&ipad)
            .chain_update(msg)
            .finalize();
        Sha256::new()
            .chain_update(&opad)
            .chain_update(inner)
            .finalize()
            .to_vec()
    }
}

#[test]
fn onedtech_rs256_badges() {
    let d = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/standards/ob/validator-fixtures/ob30"
    ));
    if !d.exists() {
        eprintln!("skipping: ../shared not found");
        return;
    }
    let old = JwtVerifyOptions {
        now: Some(
            chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
                .unwrap()
                .to_utc(),
        ),
        ..Default::default()
    };
    for img in [
        "simple-jwt.png",
        "simple-jwt.svg",
        "simple-jwt_v1.png",
        "simple-jwt_v1.svg",
    ] {
        let baked = openbadges::bake::extract(&std::fs::read(d.join(img)).unwrap())
            .unwrap()
            .unwrap();
        let token = baked.text().to_string();
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        let jwk = PublicKey::from_jwk(&header["jwk"]).unwrap();
        let payload = openbadges::jwt::decode_unverified(&token).unwrap();
        let cred = payload.get("vc").unwrap_or(&payload);
        let issuer = cred["issuer"]
            .as_str()
            .or(cred["issuer"]["id"].as_str())
            .unwrap()
            .to_string();
        // Unbound: the header jwk proves nothing.
        assert!(verify(&token, &BoundKeys::new(), &old).is_err(), "{img}");
        // Bound to the issuer (a trust entry): verifies, with the deviations reported as warnings.
        let got = verify(&token, &BoundKeys::new().bind(issuer, jwk), &old)
            .unwrap_or_else(|e| panic!("{img}: {e}"));
        assert!(
            got.warnings
                .iter()
                .any(|w| w.contains("sub") || w.contains("aud") || w.contains("iat")),
            "{img}: {:?}",
            got.warnings
        );
    }
    // simple.jwt carries no key at all: unverifiable, never accepted.
    let token = std::fs::read_to_string(d.join("simple.jwt")).unwrap();
    let e = verify(token.trim(), &BoundKeys::new(), &old).unwrap_err();
    assert!(e.to_string().contains("no key bound"), "{e}");
}

fn jose(args: &str, input: &Value) -> Option<(bool, String)> {
    let d = common::interop_dir()?;
    Some(common::node(&d, "jose.mjs", &[args], input))
}

#[test]
fn interop_with_jose() {
    for key in keys() {
        let alg = key.jwt_algorithm().name();
        let token = sign(&credential(false), &key, HeaderKey::Jwk, VcForm::V2).unwrap();
        let Some((ok, out)) = jose(
            "verify",
            &json!({"token": token, "jwk": key.public_key().to_jwk(), "alg": alg}),
        ) else {
            return;
        };
        assert!(ok, "jose did not verify our {alg} token: {out}");
        let payload: Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(payload["iss"], ISSUER);
        // jose signs, we verify.
        let mut claims = credential(false);
        claims["iss"] = ISSUER.into();
        claims["jti"] = claims["id"].clone();
        let (ok, out) = jose(
            "sign",
            &json!({"payload": claims, "jwk": key.to_private_jwk(), "alg": alg}),
        )
        .unwrap();
        assert!(ok, "{out}");
        let bound = BoundKeys::new().bind(ISSUER, key.public_key());
        verify(out.trim(), &bound, &opts()).unwrap_or_else(|e| panic!("{alg}: {e}"));
    }
}

#[test]
fn endorsement_jwts_are_verified_like_embedded_ones() {
    use openbadges::verify::{Outcome, Verifier, VerifyOptions};
    let endorser = SigningKey::from_seed(&[4; 32]);
    let did = endorser.verifying_key().did_key();
    let endorsement = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:e0000000-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "EndorsementCredential"], "name": "Endorsed by the state",
        "issuer": {"id": did, "type": ["Profile"]}, "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://riverside.example/a/gm", "type": ["EndorsementSubject"], "endorsementComment": "Rigorous."}
    });
    let token = sign(
        &endorsement,
        &IssuerKey::from(endorser.clone()),
        HeaderKey::Kid(endorser.verifying_key().did_key_verification_method()),
        VcForm::V2,
    )
    .unwrap();
    // The OB 3.0.3 JSON-LD context does not define `endorsementJwt` on an Achievement, so (like
    // the JS reference) we cannot sign it with a Data Integrity proof; a VC-JWT badge carries it.
    let district = SigningKey::from_seed(&[5; 32]);
    let mut badge = credential(false);
    badge["issuer"] = json!({"id": district.verifying_key().did_key(), "type": ["Profile"]});
    badge.as_object_mut().unwrap().shift_remove("validUntil");
    badge["credentialSubject"]["achievement"] = json!({"id": "https://riverside.example/a/gm", "type": ["Achievement"], "name": "GM",
        "description": "d", "criteria": {"narrative": "n"}, "endorsementJwt": [token.clone()]});
    let outer = sign(
        &badge,
        &IssuerKey::from(district.clone()),
        HeaderKey::Kid(district.verifying_key().did_key_verification_method()),
        VcForm::V2,
    )
    .unwrap();
    let r = Verifier::new(VerifyOptions::default())
        .verify_bytes(outer.as_bytes())
        .unwrap();
    assert!(r.verified, "{r}");
    assert_eq!(r.endorsements.len(), 1);
    assert!(r.endorsements[0].verified, "{}", r.endorsements[0]);
    assert_eq!(r.check("endorsements").unwrap().outcome, Outcome::Passed);
}

/// walt.id signs ES256 VC-JWTs with a P-256 did:key (`zDn…`) or a did:jwk: both resolve offline.
#[test]
fn p256_did_key_and_did_jwk_kids_are_resolved_offline() {
    use openbadges::verify::{Verifier, VerifyOptions};
    let ec = p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap();
    let point = ec.verifying_key().to_encoded_point(true);
    let mut multicodec = vec![0x80, 0x24];
    multicodec.extend_from_slice(point.as_bytes());
    let did_key = format!("did:key:z{}", bs58::encode(multicodec).into_string());
    assert!(did_key.starts_with("did:key:zDn"), "{did_key}");
    let jwk = PublicKey::from_jwk(&json!({"kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(ec.verifying_key().to_encoded_point(false).x().unwrap()), "y": URL_SAFE_NO_PAD.encode(ec.verifying_key().to_encoded_point(false).y().unwrap())})).unwrap().to_jwk();
    let did_jwk = format!("did:jwk:{}", URL_SAFE_NO_PAD.encode(jwk.to_string()));
    let verifier = Verifier::new(VerifyOptions::default());
    for (did, kid) in [
        (
            did_key.clone(),
            format!("{did_key}#{}", &did_key["did:key:".len()..]),
        ),
        (did_jwk.clone(), format!("{did_jwk}#0")),
    ] {
        let credential = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:p256", "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Flexible Grouping",
            "issuer": {"id": did, "type": ["Profile"], "name": "Riverside USD"},
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
                "achievement": {"id": "urn:a:fg", "type": ["Achievement"], "name": "Flexible Grouping",
                    "description": "d", "criteria": {"narrative": "n"}}}
        });
        let key = IssuerKey::p256_from_bytes(&ec.to_bytes()).unwrap();
        let token = sign(&credential, &key, HeaderKey::Kid(kid.clone()), VcForm::V2).unwrap();
        let r = verifier.verify_jwt(&token);
        assert!(r.verified, "{kid}:\n{r}");
        // The same key claiming another issuer is not bound to it.
        let mut other = credential.clone();
        other["issuer"]["id"] = json!("did:example:elsewhere");
        let token = sign(&other, &key, HeaderKey::Kid(kid.clone()), VcForm::V2).unwrap();
        assert!(!verifier.verify_jwt(&token).verified, "{kid}");
    }
}
