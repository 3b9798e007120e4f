//! Wycheproof Ed25519 (C2SP/wycheproof testvectors_v1/ed25519_test.json): valid signatures are
//! accepted and every invalid one rejected by `VerifyingKey::verify` (strict verification).

use std::path::PathBuf;

use openbadges::keys::VerifyingKey;

#[test]
fn wycheproof_ed25519() {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/suites/wycheproof/ed25519_test.json"
    ));
    if !p.exists() {
        eprintln!("skipping: ../shared not found");
        return;
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    let (mut valid, mut invalid, mut failures) = (0, 0, Vec::new());
    for group in v["testGroups"].as_array().unwrap() {
        let pk = hex::decode(group["publicKey"]["pk"].as_str().unwrap()).unwrap();
        let key = VerifyingKey::from_bytes(&pk);
        for t in group["tests"].as_array().unwrap() {
            let msg = hex::decode(t["msg"].as_str().unwrap()).unwrap();
            let sig = hex::decode(t["sig"].as_str().unwrap()).unwrap();
            let expected = t["result"] == "valid";
            let got = key.as_ref().is_ok_and(|k| k.verify(&msg, &sig));
            if expected {
                valid += 1;
            } else {
                invalid += 1;
            }
            if got != expected {
                failures.push(format!("tcId {}: {}", t["tcId"], t["comment"]));
            }
        }
    }
    println!(
        "wycheproof ed25519: {} passed, {} failed ({valid} valid, {invalid} invalid)",
        valid + invalid - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(valid + invalid, 151);
}
