//! The paved path: `openbadges::{verify, import, Issuer, IssuerKey, Securing}` issue and verify
//! every securing method with every key type, and refuse a key that cannot sign the way asked
//! before anything is spent.

use openbadges::jwt::Algorithm;
use openbadges::proof::Suite;
use openbadges::status::{Purpose, StatusListStore};
use openbadges::{ErrorKind, Issued, Issuer, IssuerKey, KeyAlgorithm, Securing, VerifyOptions};
use serde_json::{json, Value};

fn badge() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Flexible Grouping",
        "credentialSubject": {"id": "did:example:teacher-7", "type": ["AchievementSubject"],
            "achievement": {"id": "https://riverside.example/a/fg", "type": ["Achievement"],
                "name": "Flexible Grouping", "description": "Groups students flexibly.",
                "criteria": {"narrative": "Rubric score 3 or higher."}}}
    })
}

fn bytes(issued: &Issued) -> Vec<u8> {
    issued.to_text().into_bytes()
}

#[test]
fn every_securing_method_round_trips_through_verify_and_import() {
    let ed = Issuer::new(
        json!({"name": "Riverside"}),
        IssuerKey::ed25519_from_seed(&[1; 32]),
    )
    .unwrap();
    let p256 = Issuer::new(
        json!({"name": "Riverside"}),
        IssuerKey::p256_from_bytes(&[2; 32]).unwrap(),
    )
    .unwrap();
    assert!(p256.id().starts_with("did:key:zDn"), "{}", p256.id());
    let cases: Vec<(&Issuer, Securing)> = vec![
        (&ed, Suite::EddsaRdfc2022.into()),
        (&ed, Suite::EddsaJcs2022.into()),
        (&ed, Suite::Ed25519Signature2020.into()),
        (&ed, Algorithm::EdDsa.into()),
        (&p256, Algorithm::Es256.into()),
    ];
    let mut n = 0;
    for (issuer, securing) in cases {
        let issued = issuer.issue(&badge(), securing).unwrap();
        assert_eq!(
            issued.as_jwt().is_some(),
            matches!(securing, Securing::Jwt(_)),
            "{securing:?}"
        );
        let report = openbadges::verify(&bytes(&issued), &VerifyOptions::default()).unwrap();
        assert!(report.verified, "{}:\n{report}", securing.name());
        assert_eq!(report.headline(), "VERIFIED");
        let found = openbadges::import(&bytes(&issued)).unwrap();
        assert_eq!(found.len(), 1, "{}", securing.name());
        // A flipped character anywhere in the signed text is not verified.
        let mut tampered = issued.to_text();
        tampered = tampered.replacen("Flexible Grouping", "Flexible Grouping!", 1);
        if matches!(securing, Securing::Jwt(_)) {
            // The JWT payload is base64url: alter the claims instead.
            let t = issued.as_jwt().unwrap();
            let mut parts: Vec<String> = t.split('.').map(str::to_string).collect();
            use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
            let mut claims: Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
            claims["name"] = "Something Else".into();
            parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
            tampered = parts.join(".");
        }
        let report = openbadges::verify(tampered.as_bytes(), &VerifyOptions::default()).unwrap();
        assert!(!report.verified, "tampered {} verified", securing.name());
        n += 1;
    }
    assert_eq!(n, 5);
}

#[test]
fn rsa_issuers_need_an_id_and_sign_rs256() {
    let key = IssuerKey::generate(KeyAlgorithm::Rsa).unwrap();
    assert_eq!(key.did_key(), None);
    let err = Issuer::new(json!({"name": "Riverside"}), key.clone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage);
    let issuer = Issuer::new(
        json!({"id": "https://riverside.example/issuer", "name": "Riverside"}),
        key.clone(),
    )
    .unwrap();
    let token = issuer.issue(&badge(), Algorithm::Rs256).unwrap();
    // Not did:key: the token carries its key, which proves nothing until bound to the issuer.
    let report = openbadges::verify(&bytes(&token), &VerifyOptions::default()).unwrap();
    assert!(!report.verified, "{report}");
    // Bound through a trust entry that names the key, it verifies.
    let trust = openbadges::verify::TrustList::from_json(
        json!({"issuers": [{"id": "https://riverside.example/issuer", "keys": [key.public_jwk()]}]})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let report =
        openbadges::verify(&bytes(&token), &VerifyOptions::default().trust(trust)).unwrap();
    assert!(report.verified, "{report}");
}

#[test]
fn a_key_that_cannot_sign_that_way_is_refused_before_a_status_index_is_spent() {
    let p256 = Issuer::new(
        json!({"name": "Riverside"}),
        IssuerKey::p256_from_bytes(&[3; 32]).unwrap(),
    )
    .unwrap();
    let mut store =
        StatusListStore::new("https://riverside.example/status/1", Purpose::Revocation).unwrap();
    for securing in [
        Securing::DataIntegrity(Suite::EddsaRdfc2022),
        Securing::Jwt(Algorithm::EdDsa),
        Securing::Jwt(Algorithm::Rs256),
    ] {
        let err = p256
            .issue_at(&badge(), securing, chrono::Utc::now(), Some(&mut store))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Key, "{securing:?}");
        assert!(err.to_string().contains(securing.name()), "{err}");
    }
    // Nothing was allocated.
    assert_eq!(store.allocated_count(), 0);
    let ok = p256
        .issue_at(
            &badge(),
            Algorithm::Es256,
            chrono::Utc::now(),
            Some(&mut store),
        )
        .unwrap();
    assert_eq!(store.allocated_count(), 1);
    let claims = openbadges::jwt::decode_unverified(ok.as_jwt().unwrap()).unwrap();
    assert_eq!(
        claims["credentialStatus"]["statusListCredential"], "https://riverside.example/status/1",
        "{claims}"
    );
}

#[test]
fn securing_names_parse_back() {
    for name in [
        "eddsa-rdfc-2022",
        "eddsa-jcs-2022",
        "Ed25519Signature2020",
        "jwt-eddsa",
        "jwt-es256",
        "jwt-rs256",
    ] {
        assert_eq!(Securing::from_name(name).unwrap().name(), name);
    }
    assert_eq!(
        Securing::from_name("ecdsa-sd-2023").unwrap_err().kind(),
        ErrorKind::Usage
    );
}
