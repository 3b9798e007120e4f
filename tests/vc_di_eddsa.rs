//! Official vectors: W3C vc-di-eddsa (eddsa-rdfc-2022, eddsa-jcs-2022, Ed25519Signature2020,
//! proof sets and chains) and the 1EdTech OB 3.0 impl-guide eddsa-rdfc-2022 example, byte for byte.

use std::path::PathBuf;
use std::sync::Arc;

use openbadges::keys::{DidKeyResolver, SigningKey};
use openbadges::proof::{explain, Expectations, ProofOptions, ProofVerifier, Signer, Suite};
use serde_json::Value;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/standards"));
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

fn read(p: &PathBuf) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(p: &PathBuf) -> Value {
    openbadges::json::parse(read(p).as_bytes()).unwrap()
}

/// (folder, suffix, suite)
const SUITES: [(&str, &str, Suite); 3] = [
    ("eddsa-rdfc-2022", "DataInt", Suite::EddsaRdfc2022),
    ("eddsa-jcs-2022", "JCS", Suite::EddsaJcs2022),
    ("Ed25519Signature2020", "EdSig", Suite::Ed25519Signature2020),
];

#[test]
fn w3c_vectors_byte_for_byte() {
    let Some(root) = shared() else { return };
    let dir = root.join("w3c/vc-di-eddsa");
    let pair = json(&dir.join("keyPair.json"));
    let key =
        SigningKey::from_multikey_secret(pair["privateKeyMultibase"].as_str().unwrap()).unwrap();
    assert_eq!(
        key.verifying_key().to_multikey(),
        pair["publicKeyMultibase"]
    );
    let unsigned = json(&dir.join("unsigned.json"));
    for (folder, sfx, suite) in SUITES {
        let d = dir.join(folder);
        let signed_expected = json(&d.join(format!("signed{sfx}.json")));
        let created = signed_expected["proof"]["created"].as_str().unwrap();
        let signer = Signer::did_key(key.clone());
        let signed = signer
            .sign(
                &unsigned,
                suite,
                &ProofOptions::assertion().created(created),
            )
            .unwrap();
        let ex = explain(&signed, 0).unwrap();
        assert_eq!(
            ex.canonical_document,
            read(&d.join(format!("canonDoc{sfx}.txt"))),
            "{folder} canonical document"
        );
        assert_eq!(
            ex.canonical_proof_config,
            read(&d.join(format!("proofCanon{sfx}.txt"))),
            "{folder} canonical proof"
        );
        assert_eq!(
            ex.document_hash_hex,
            read(&d.join(format!("docHash{sfx}.txt"))).trim(),
            "{folder} doc hash"
        );
        assert_eq!(
            ex.proof_hash_hex,
            read(&d.join(format!("proofHash{sfx}.txt"))).trim(),
            "{folder} proof hash"
        );
        assert_eq!(
            format!("{}{}", ex.proof_hash_hex, ex.document_hash_hex),
            read(&d.join(format!("combinedHash{sfx}.txt"))).trim()
        );
        assert_eq!(
            signed["proof"]["proofValue"].as_str().unwrap(),
            read(&d.join(format!("sigBTC58{sfx}.txt"))).trim(),
            "{folder} signature"
        );
        assert_eq!(signed, signed_expected, "{folder} signed document");
        // Byte for byte, as pretty-printed by the vectors' generator (2-space JSON).
        let pretty = serde_json::to_string_pretty(&signed).unwrap();
        assert_eq!(
            pretty.trim(),
            read(&d.join(format!("signed{sfx}.json"))).trim(),
            "{folder} bytes"
        );

        let verifier = ProofVerifier::new(Arc::new(DidKeyResolver));
        let out = verifier
            .verify(&signed_expected, &Expectations::assertion())
            .unwrap();
        assert_eq!(out.len(), 1);
        assert!(out[0].result.is_ok(), "{folder}: {:?}", out[0].result);
    }
}

#[test]
fn w3c_proof_sets_and_chains() {
    let Some(root) = shared() else { return };
    let dir = root.join("w3c/vc-di-eddsa/proof-set-chain");
    let verifier = ProofVerifier::new(Arc::new(DidKeyResolver));
    for f in [
        "signedProofSet1.json",
        "signedProofSet2.json",
        "signedProofChain1.json",
        "signedProofChain2.json",
    ] {
        let doc = json(&dir.join(f));
        let out = verifier.verify(&doc, &Expectations::assertion()).unwrap();
        assert!(!out.is_empty());
        for o in &out {
            assert!(o.result.is_ok(), "{f} proof {}: {:?}", o.index, o.result);
        }
    }
    // Reproduce the chain vector: sign proof 4 over the document with proof 3 chained.
    let keys = json(&dir.join("multiKeyPairs.json"));
    let signed = json(&dir.join("signedProofChain2.json"));
    let proofs = signed["proof"].as_array().unwrap();
    let mut base = signed.clone();
    base["proof"] = Value::Array(proofs[..3].to_vec());
    let key4 =
        SigningKey::from_multikey_secret(keys["keyPair4"]["privateKeyMultibase"].as_str().unwrap())
            .unwrap();
    let mut opts = ProofOptions::assertion().created(proofs[3]["created"].as_str().unwrap());
    opts.previous_proof = Some(proofs[3]["previousProof"].clone());
    let again = Signer::did_key(key4)
        .sign(&base, Suite::EddsaRdfc2022, &opts)
        .unwrap();
    assert_eq!(again["proof"][3], proofs[3]);

    // A chain naming a proof that does not exist, and a chain over a broken proof, fail.
    let mut missing = signed.clone();
    missing["proof"][3]["previousProof"] = "urn:uuid:00000000-0000-0000-0000-000000000000".into();
    let out = verifier
        .verify(&missing, &Expectations::assertion())
        .unwrap();
    assert!(out[3].result.is_err());
    let mut broken = signed.clone();
    broken["proof"][2]["proofValue"] = proofs[0]["proofValue"].clone();
    let out = verifier
        .verify(&broken, &Expectations::assertion())
        .unwrap();
    assert!(out[2].result.is_err());
    assert!(
        out[3].result.is_err(),
        "a proof chained to a broken proof must fail"
    );
    assert!(out[0].result.is_ok());
}

#[test]
fn onedtech_impl_guide_vector() {
    let Some(root) = shared() else { return };
    let dir = root.join("ob/impl-guide-test-vectors");
    let signed = json(&dir.join("extracted/ob-credential-signed.json"));
    let ex = explain(&signed, 0).unwrap();
    assert_eq!(
        ex.canonical_document,
        read(&dir.join("obv3p0/document-canon.txt"))
    );
    assert_eq!(
        ex.canonical_proof_config,
        read(&dir.join("obv3p0/proof-canon.txt"))
    );
    // Re-sign with the impl guide's key: same proofValue (Ed25519 is deterministic).
    let key = SigningKey::from_seed_hex(
        "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4",
    )
    .unwrap();
    assert_eq!(
        hex::encode(key.verifying_key().to_bytes()),
        "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
    );
    let unsigned = json(&dir.join("extracted/ob-credential-unsigned.json"));
    let proof = &signed["proof"];
    let signer = Signer::new(key, proof["verificationMethod"].as_str().unwrap());
    let again = signer
        .sign(
            &unsigned,
            Suite::EddsaRdfc2022,
            &ProofOptions::assertion().created(proof["created"].as_str().unwrap()),
        )
        .unwrap();
    assert_eq!(again["proof"]["proofValue"], proof["proofValue"]);
}

#[test]
fn data_integrity_suite_proof_chain_fixtures() {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/suites/vc-test-suites/data-integrity-test-suite-assertion/inputs/eddsa-rdfc-2022"
    ));
    if !p.exists() {
        eprintln!("skipping: ../shared not found");
        return;
    }
    let verifier = openbadges::verify::Verifier::new(openbadges::verify::VerifyOptions::default());
    let (mut ok, mut fail) = (0, 0);
    for entry in std::fs::read_dir(&p).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let doc = json(&path);
        let report = verifier.verify_value(&doc).unwrap();
        // The fixtures are plain VCs (not Open Badges): judge the proof checks only.
        let proof_ok = report
            .checks
            .iter()
            .filter(|c| c.id == "proof" || c.id == "proof-set")
            .all(|c| !c.is_blocking());
        if name.contains("Ok-") {
            assert!(proof_ok, "{name} should verify:\n{report}");
            ok += 1;
        } else {
            assert!(!proof_ok, "{name} should fail:\n{report}");
            fail += 1;
        }
    }
    assert_eq!((ok, fail), (4, 8));
}
