//! W3C RDF Dataset Canonicalization (RDFC-1.0) test suite: every test of
//! ../shared/suites/rdf-canon/manifest.jsonld (eval, map, and the negative poison test).

use std::path::PathBuf;

use openbadges::rdfc::{canonicalize_with, nquads, HashAlgorithm, Options};
use openbadges::ErrorKind;

fn suite() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/suites/rdf-canon"
    ));
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

#[test]
fn rdf_canon_suite() {
    let Some(dir) = suite() else { return };
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.jsonld")).unwrap()).unwrap();
    let entries = manifest["entries"].as_array().unwrap();
    let (mut passed, mut failed) = (0, Vec::new());
    for e in entries {
        let id = e["id"].as_str().unwrap();
        let ty = e["type"].as_str().unwrap();
        let input = std::fs::read_to_string(dir.join(e["action"].as_str().unwrap())).unwrap();
        let mut options = Options::default();
        if e["hashAlgorithm"].as_str() == Some("SHA384") {
            options.hash = HashAlgorithm::Sha384;
        }
        let dataset = nquads::parse(&input).unwrap();
        let result = canonicalize_with(&dataset, &options);
        let ok = match ty {
            "rdfc:RDFC10EvalTest" => {
                let expected =
                    std::fs::read_to_string(dir.join(e["result"].as_str().unwrap())).unwrap();
                matches!(&result, Ok(c) if c.nquads == expected)
            }
            "rdfc:RDFC10MapTest" => {
                let expected: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(dir.join(e["result"].as_str().unwrap())).unwrap(),
                )
                .unwrap();
                match &result {
                    Ok(c) => serde_json::to_value(&c.issued).unwrap() == expected,
                    Err(_) => false,
                }
            }
            "rdfc:RDFC10NegativeEvalTest" => matches!(
                &result,
                Err(err) if err.kind() == ErrorKind::Limit && err.message().contains("complexity limit")
            ),
            other => panic!("unknown test type {other}"),
        };
        if ok {
            passed += 1;
        } else {
            failed.push(format!("{id}: {:?}", result.map(|c| c.nquads)));
        }
    }
    println!("rdf-canon: {passed} passed, {} failed", failed.len());
    assert!(failed.is_empty(), "failures:\n{}", failed.join("\n"));
    assert_eq!(passed, entries.len());
}
