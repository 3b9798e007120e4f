//! ../shared/design/VERIFIER-CHECKLIST.md, the "Signatures", "Issuer/key binding", "JSON-LD",
//! "Time" and "Parsing limits" groups: each item is a test with the check that must fail.

use std::sync::Arc;

use openbadges::keys::SigningKey;
use openbadges::proof::{ProofOptions, Signer, Suite};
use openbadges::resolve::LocalResources;
use openbadges::verify::{Outcome, Report, Verifier, VerifyOptions};
use serde_json::{json, Value};

fn key() -> SigningKey {
    SigningKey::from_seed(&[9u8; 32])
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
        .unwrap()
        .to_utc()
}

fn unsigned() -> Value {
    let did = key().verifying_key().did_key();
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Growth Mindset",
        "issuer": {"id": did, "type": ["Profile"], "name": "Lakeside District"},
        "validFrom": "2026-01-10T00:00:00Z",
        "credentialSubject": {"id": "did:example:teacher-9", "type": ["AchievementSubject"],
            "achievement": {"id": "https://lakeside.example/a/growth-mindset", "type": ["Achievement"],
                "name": "Growth Mindset", "description": "Fosters a growth mindset.",
                "criteria": {"narrative": "Rubric 3+."}}}
    })
}

fn sign(doc: &Value, suite: Suite) -> Value {
    Signer::did_key(key())
        .sign(
            doc,
            suite,
            &ProofOptions::assertion().created("2026-01-10T00:00:00Z"),
        )
        .unwrap()
}

fn verify(doc: &Value) -> Report {
    Verifier::new(VerifyOptions::default().at(now()))
        .verify_value(doc)
        .unwrap()
}

fn fails(doc: &Value, check: &str) -> Report {
    let r = verify(doc);
    assert!(!r.verified, "expected {check} to fail, but verified:\n{r}");
    let failing: Vec<_> = r.failures().map(|c| c.id.to_string()).collect();
    assert!(
        failing.contains(&check.to_string()),
        "expected {check} to fail; failing {failing:?}\n{r}"
    );
    r
}

fn detail(r: &Report, check: &str) -> String {
    r.check(check)
        .and_then(|c| c.problem.as_ref())
        .map(|p| p.detail.clone())
        .unwrap_or_default()
}

#[test]
fn items_1_2_valid_rdfc_and_jcs_accepted() {
    for s in [
        Suite::EddsaRdfc2022,
        Suite::EddsaJcs2022,
        Suite::Ed25519Signature2020,
    ] {
        let r = verify(&sign(&unsigned(), s));
        assert!(r.verified, "{s:?}\n{r}");
    }
}

#[test]
fn item_3_legacy_suite_only_when_enabled() {
    let signed = sign(&unsigned(), Suite::Ed25519Signature2020);
    let r = Verifier::new(VerifyOptions::default().at(now()).reject_legacy_suites())
        .verify_value(&signed)
        .unwrap();
    assert!(!r.verified);
}

#[test]
fn item_4_any_one_character_change_rejected() {
    let signed = sign(&unsigned(), Suite::EddsaRdfc2022);
    let mut t = signed.clone();
    t["credentialSubject"]["achievement"]["name"] = "Growth Mindsey".into();
    fails(&t, "proof");
    let mut t = signed.clone();
    t["validFrom"] = "2026-01-10T00:00:01Z".into();
    fails(&t, "proof");
}

#[test]
fn item_5_missing_or_null_proof_or_string_vc() {
    let mut t = sign(&unsigned(), Suite::EddsaRdfc2022);
    t.as_object_mut().unwrap().shift_remove("proof");
    fails(&t, "proof");
    t["proof"] = Value::Null;
    fails(&t, "proof");
    let s = Value::String(sign(&unsigned(), Suite::EddsaRdfc2022).to_string());
    fails(&s, "parse");
}

#[test]
fn items_6_7_9_malformed_proofs() {
    let signed = sign(&unsigned(), Suite::EddsaRdfc2022);
    for (field, value, needle) in [
        ("type", Value::Null, "type"),
        ("verificationMethod", Value::Null, "verificationMethod"),
        ("proofPurpose", Value::Null, "proofPurpose"),
        ("type", json!("UnknownProofType"), "unknown proof type"),
        (
            "cryptosuite",
            json!("UnknownCryptosuite"),
            "unknown cryptosuite",
        ),
        ("proofValue", Value::Null, "proofValue"),
        ("proofValue", json!("3xyz"), "multibase"),
        ("proofValue", json!("z0OIl"), "base58"),
        (
            "proofValue",
            json!("z3yMApqCuCjXDWPrbjfR5mjCPTHqFG8Pux1TxQrEM35jj"),
            "bytes",
        ),
    ] {
        let mut t = signed.clone();
        if value.is_null() {
            t["proof"].as_object_mut().unwrap().shift_remove(field);
        } else {
            t["proof"][field] = value;
        }
        let r = fails(&t, "proof");
        assert!(
            detail(&r, "proof").contains(needle),
            "{field}: {}",
            detail(&r, "proof")
        );
    }
}

#[test]
fn item_8_relabelled_suite_rejected() {
    let mut t = sign(&unsigned(), Suite::EddsaRdfc2022);
    t["proof"]["cryptosuite"] = "eddsa-jcs-2022".into();
    fails(&t, "proof");
    let mut t = sign(&unsigned(), Suite::EddsaJcs2022);
    t["proof"]["cryptosuite"] = "eddsa-rdfc-2022".into();
    t["proof"].as_object_mut().unwrap().shift_remove("@context");
    fails(&t, "proof");
}

#[test]
fn item_10_jcs_proof_context_must_be_prefix() {
    let mut t = sign(&unsigned(), Suite::EddsaJcs2022);
    t["proof"]["@context"] = json!([
        "https://www.w3.org/ns/credentials/v2",
        "https://example.org/other"
    ]);
    let r = fails(&t, "proof");
    assert!(detail(&r, "proof").contains("prefix"));
}

#[test]
fn item_11_wrong_purpose() {
    let signed = Signer::did_key(key())
        .sign(
            &unsigned(),
            Suite::EddsaRdfc2022,
            &ProofOptions {
                proof_purpose: "authentication".into(),
                ..ProofOptions::assertion()
            },
        )
        .unwrap();
    let r = fails(&signed, "proof");
    assert!(detail(&r, "proof").contains("assertionMethod"));
}

#[test]
fn item_13_chains() {
    let mut opts = ProofOptions::assertion().created("2026-01-10T00:00:00Z");
    opts.id = Some("urn:uuid:proof-1".into());
    let one = Signer::did_key(key())
        .sign(&unsigned(), Suite::EddsaRdfc2022, &opts)
        .unwrap();
    let mut opts2 = ProofOptions::assertion().created("2026-01-11T00:00:00Z");
    opts2.previous_proof = Some(json!("urn:uuid:proof-1"));
    let two = Signer::did_key(key())
        .sign(&one, Suite::EddsaRdfc2022, &opts2)
        .unwrap();
    assert!(verify(&two).verified);
    let mut missing = two.clone();
    missing["proof"][1]["previousProof"] = json!(["urn:uuid:nope"]);
    let out = openbadges::proof::ProofVerifier::new(Arc::new(openbadges::keys::DidKeyResolver))
        .verify(&missing, &openbadges::proof::Expectations::assertion())
        .unwrap();
    assert!(out[1].result.is_err());
}

#[test]
fn item_14_key_of_another_did() {
    let mut doc = unsigned();
    doc["issuer"]["id"] = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi".into();
    let r = fails(&sign(&doc, Suite::EddsaRdfc2022), "issuer-key");
    assert!(detail(&r, "issuer-key").contains("not by the issuer"));
}

fn did_web_case(doc_mut: impl FnOnce(&mut Value)) -> Report {
    let k = key();
    let did = "did:web:lakeside.example";
    let vm = format!("{did}#key-1");
    let mut cred = unsigned();
    cred["issuer"]["id"] = did.into();
    let signed = Signer::new(k.clone(), vm.clone())
        .sign(
            &cred,
            Suite::EddsaRdfc2022,
            &ProofOptions::assertion().created("2026-01-10T00:00:00Z"),
        )
        .unwrap();
    let mut diddoc = json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": did, "publicKeyMultibase": k.verifying_key().to_multikey()}],
        "assertionMethod": [vm],
    });
    doc_mut(&mut diddoc);
    let mut res = LocalResources::new();
    res.insert(
        "https://lakeside.example/.well-known/did.json",
        serde_json::to_vec(&diddoc).unwrap(),
    );
    Verifier::new(VerifyOptions::default().at(now()).resolver(Arc::new(res)))
        .verify_value(&signed)
        .unwrap()
}

#[test]
fn items_15_16_did_web_bindings() {
    assert!(did_web_case(|_| {}).verified);
    let r = did_web_case(|d| {
        d.as_object_mut().unwrap().shift_remove("assertionMethod");
        d["authentication"] = json!(["did:web:lakeside.example#key-1"]);
    });
    assert_eq!(r.check("proof").unwrap().outcome, Outcome::Failed, "{r}");
    assert!(detail(&r, "proof").contains("assertionMethod"));
    let r = did_web_case(|d| d["id"] = "did:web:elsewhere.example".into());
    assert!(!r.verified);
    let r = did_web_case(|d| {
        d["verificationMethod"][0]["controller"] = "did:web:elsewhere.example".into()
    });
    assert!(!r.verified);
}

#[test]
fn item_17_did_key_wrong_multicodec() {
    let mut t = sign(&unsigned(), Suite::EddsaRdfc2022);
    // A secp256k1 did:key (multicodec 0xe7) where an Ed25519 key is required.
    let vm = "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme#zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme";
    t["proof"]["verificationMethod"] = vm.into();
    let r = fails(&t, "proof");
    assert!(
        detail(&r, "proof").contains("multicodec"),
        "{}",
        detail(&r, "proof")
    );
}

#[test]
fn items_18_19_undefined_terms_are_data_loss() {
    let signed = sign(&unsigned(), Suite::EddsaRdfc2022);
    let mut t = signed.clone();
    t["credentialSubject"]["favouriteColour"] = "blue".into();
    let r = fails(&t, "proof");
    assert_eq!(
        r.check("proof").unwrap().problem.as_ref().unwrap().kind,
        openbadges::verify::problem_types::DATA_LOSS_DETECTION_ERROR
    );
    let mut t = signed.clone();
    t["type"]
        .as_array_mut()
        .unwrap()
        .push("UndefinedCredentialType".into());
    fails(&t, "proof");
}

#[test]
fn items_20_21_base_injection_and_protected_redefinition() {
    let mut doc = unsigned();
    doc["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!({"@base": "https://evil.example/"}));
    doc["credentialSubject"]["id"] = "teacher-9".into();
    assert!(Signer::did_key(key())
        .sign(&doc, Suite::EddsaRdfc2022, &ProofOptions::assertion())
        .is_err());
    let signed = sign(&unsigned(), Suite::EddsaRdfc2022);
    let mut t = signed.clone();
    t["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!({"@base": "https://evil.example/"}));
    t["credentialSubject"]["id"] = "teacher-9".into();
    fails(&t, "proof");
    let mut t = signed.clone();
    t["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!({"VerifiableCredential": "https://evil.example/VC"}));
    fails(&t, "proof");
}

#[test]
fn item_22_unknown_remote_context() {
    let mut t = sign(&unsigned(), Suite::EddsaRdfc2022);
    t["@context"]
        .as_array_mut()
        .unwrap()
        .push("https://evil.example/context.json".into());
    let r = fails(&t, "proof");
    assert!(detail(&r, "proof").contains("evil.example"));
}

#[test]
fn item_24_graph_reshaping_rejected() {
    let signed = sign(&unsigned(), Suite::EddsaRdfc2022);
    let mut obj = signed.as_object().unwrap().clone();
    let ctx = obj.shift_remove("@context").unwrap();
    let proof = obj.shift_remove("proof").unwrap();
    let reshaped = json!({"@context": ctx, "@graph": [Value::Object(obj)], "proof": proof});
    assert!(!verify(&reshaped).verified);
}

#[test]
fn item_25_first_context_must_be_vc() {
    let mut t = sign(&unsigned(), Suite::EddsaRdfc2022);
    t["@context"].as_array_mut().unwrap().swap(0, 1);
    fails(&t, "context");
}

#[test]
fn items_29_to_34_time() {
    let mut d = unsigned();
    d["validUntil"] = "2026-03-01T00:00:00Z".into();
    let r = fails(&sign(&d, Suite::EddsaRdfc2022), "validity-window");
    assert_eq!(
        r.check("proof").unwrap().outcome,
        Outcome::Passed,
        "authentic but expired"
    );
    let mut d = unsigned();
    d["validFrom"] = "2027-01-01T00:00:00Z".into();
    fails(&sign(&d, Suite::EddsaRdfc2022), "validity-window");
    let mut d = unsigned();
    d["validUntil"] = "2025-01-01T00:00:00Z".into();
    fails(&sign(&d, Suite::EddsaRdfc2022), "validity-window");
    let mut d = unsigned();
    d["validFrom"] = "invalidDate".into();
    // Safe mode refuses to sign an invalid xsd:dateTimeStamp? It signs (a string is a string); the
    // verifier must reject the date.
    if let Ok(s) = Signer::did_key(key()).sign(&d, Suite::EddsaRdfc2022, &ProofOptions::assertion())
    {
        fails(&s, "validity-window");
    }
    // created without offset: the proof is accepted, reading it as UTC (the schema and data-model
    // checks still report that the date is not an xsd:dateTimeStamp).
    let s = Signer::did_key(key())
        .sign(
            &unsigned(),
            Suite::EddsaRdfc2022,
            &ProofOptions::assertion().created("2026-01-10T00:00:00"),
        )
        .unwrap();
    assert_eq!(
        verify(&s).check("proof").unwrap().outcome,
        Outcome::Passed,
        "{}",
        verify(&s)
    );
    // proof expires in the past.
    let s = Signer::did_key(key())
        .sign(
            &unsigned(),
            Suite::EddsaRdfc2022,
            &ProofOptions {
                expires: Some("2026-02-01T00:00:00Z".into()),
                ..ProofOptions::assertion().created("2026-01-01T00:00:00Z")
            },
        )
        .unwrap();
    let r = fails(&s, "proof");
    assert!(detail(&r, "proof").contains("expired"));
}

#[test]
fn items_53_to_55_parsing_limits() {
    let v = Verifier::new(VerifyOptions::default());
    let r = v
        .verify_bytes(br#"{"@context": [], "id": "a", "id": "b"}"#)
        .unwrap();
    assert_eq!(r.check("parse").unwrap().outcome, Outcome::Failed);
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    assert!(!v.verify_bytes(deep.as_bytes()).unwrap().verified);
    let big = vec![b' '; 5 * 1024 * 1024];
    assert!(!v.verify_bytes(&big).unwrap().verified);
}
