//! Every JSON file under ../shared/standards parses; every Open Badges credential in them parses
//! into the typed model and parse → serialize → parse gives the identical JSON value.

use std::path::{Path, PathBuf};

use openbadges::credential::{EndorsementCredential, OpenBadgeCredential};
use serde_json::Value;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "json" || x == "jsonld") {
            out.push(p);
        }
    }
}

fn types(v: &Value) -> Vec<String> {
    match v.get("type") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => vec![],
    }
}

#[test]
fn every_shared_json_parses_and_credentials_round_trip() {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/standards"));
    if !root.exists() {
        eprintln!("skipping: ../shared not found");
        return;
    }
    let mut files = Vec::new();
    walk(&root, &mut files);
    let (mut parsed, mut typed) = (0, 0);
    let mut failures = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let v = openbadges::json::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        parsed += 1;
        // Generic round trip of the JSON itself.
        let again = openbadges::json::parse(serde_json::to_string(&v).unwrap().as_bytes()).unwrap();
        assert_eq!(v, again, "{}", f.display());
        let t = types(&v);
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        // Negative fixtures; simple-noproof.json's subject has no `achievement` (required by OB 3.0).
        let negative = name.starts_with("simple-err-")
            || name.starts_with("endorsement-err")
            || name == "simple-noproof.json";
        let result = if t
            .iter()
            .any(|t| t == "OpenBadgeCredential" || t == "AchievementCredential")
        {
            Some(OpenBadgeCredential::from_value(v.clone()).map(|c| c.to_json_value()))
        } else if t.iter().any(|t| t == "EndorsementCredential") {
            Some(EndorsementCredential::from_json(&bytes).map(|c| c.to_json_value()))
        } else {
            None
        };
        match result {
            Some(Ok(back)) => {
                typed += 1;
                if back != v {
                    failures.push(format!("{}: round trip changed the document", f.display()));
                }
            }
            Some(Err(e)) if negative => {
                // A negative fixture may break the model itself: it must say where.
                assert!(e.pointer().is_some(), "{}: {e}", f.display());
            }
            Some(Err(e)) => failures.push(format!("{}: {e}", f.display())),
            None => {}
        }
    }
    println!(
        "model round trip: {parsed} JSON files parsed, {typed} credentials typed and round-tripped"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(typed >= 30, "only {typed} credentials found");
}

#[test]
fn bad_input_is_typed_with_a_pointer() {
    let e = OpenBadgeCredential::from_json(br#"{"@context": [], "type": ["VerifiableCredential"], "issuer": "did:example:1", "credentialSubject": 5}"#).unwrap_err();
    assert_eq!(e.kind(), openbadges::ErrorKind::Model);
    assert_eq!(e.pointer(), Some("/credentialSubject"));
    let e = OpenBadgeCredential::from_json(br#"{"a": 1, "a": 2}"#).unwrap_err();
    assert_eq!(e.kind(), openbadges::ErrorKind::Json);
    let e = OpenBadgeCredential::from_json(b"{").unwrap_err();
    assert_eq!(e.kind(), openbadges::ErrorKind::Json);
    let deep = "[".repeat(100) + &"]".repeat(100);
    assert_eq!(
        OpenBadgeCredential::from_json(deep.as_bytes())
            .unwrap_err()
            .kind(),
        openbadges::ErrorKind::Limit
    );
    let big = vec![b' '; 5 << 20];
    assert_eq!(
        OpenBadgeCredential::from_json(&big).unwrap_err().kind(),
        openbadges::ErrorKind::Limit
    );
}

#[test]
fn numbers_and_extensions_survive() {
    let text = br#"{"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
      "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": {"id": "did:example:i", "type": ["Profile"], "x-district": {"code": 7}},
      "credentialSubject": {"type": ["AchievementSubject"], "creditsEarned": 2.0,
        "achievement": {"id": "https://d.example/a", "type": ["Achievement"], "name": {"en": "A", "es": "B"},
          "description": "d", "criteria": {"narrative": "n"}, "achievementType": "ext:TeacherLeader", "creditsAvailable": 0.5,
          "customField": [1, 2.5, "x"]}}}"#;
    let c = OpenBadgeCredential::from_json(text).unwrap();
    let back = serde_json::to_string(&c.to_json_value()).unwrap();
    assert!(back.contains(r#""creditsEarned":2.0"#), "{back}");
    assert_eq!(c.to_json_value(), openbadges::json::parse(text).unwrap());
    assert_eq!(
        c.credential_subject
            .achievement
            .achievement_type
            .as_ref()
            .unwrap()
            .as_str(),
        "ext:TeacherLeader"
    );
}
