use serde_json::{json, Value};

use super::*;

fn bundled(kind: SchemaKind) -> Value {
    serde_json::from_str(kind.schema_text()).unwrap_or(Value::Null)
}

#[test]
fn every_bundled_schema_compiles_with_its_own_id() {
    for kind in SchemaKind::ALL {
        assert!(Schema::bundled(*kind).is_ok(), "{kind}");
        let schema = bundled(*kind);
        assert_eq!(schema["$id"], kind.bundled_id());
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2019-09/schema"
        );
        assert_eq!(
            SchemaKind::from_credential_schema_id(kind.official_id()),
            Some(*kind)
        );
        assert_eq!(
            SchemaKind::from_credential_schema_id(kind.bundled_id()),
            Some(*kind)
        );
    }
    assert_eq!(
        SchemaKind::from_credential_schema_id(
            "https://purl.imsglobal.org/spec/ob/v3p0/schema/achievementcredential.json"
        ),
        None
    );
}

/// The files are self-contained, so they repeat shared classes: the copies must not drift. The CLR
/// schema's own classes (`ClrCredential`, `ClrSubject`, `Association`, `VerifiableCredential`, …)
/// have names the OB files do not use.
#[test]
fn shared_definitions_are_identical_across_files() {
    let schemas: Vec<(SchemaKind, Value)> =
        SchemaKind::ALL.iter().map(|k| (*k, bundled(*k))).collect();
    let mut compared = 0;
    for (ka, a) in &schemas {
        for (kb, b) in &schemas {
            let (Some(da), Some(db)) = (a["$defs"].as_object(), b["$defs"].as_object()) else {
                panic!("$defs missing");
            };
            for (name, def) in da {
                if let Some(other) = db.get(name) {
                    assert_eq!(def, other, "$defs/{name} differs between {ka} and {kb}");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 50);
    // The CLR schema carries the master's OB 3.0 classes, not variants of its own.
    let master = bundled(SchemaKind::AchievementCredential);
    let clr = bundled(SchemaKind::ClrCredential);
    for name in [
        "Achievement",
        "Profile",
        "EndorsementCredential",
        "ProfileRef",
        "CredentialCommon",
        "Image",
    ] {
        assert_eq!(clr["$defs"][name], master["$defs"][name], "{name}");
        assert!(clr["$defs"][name].is_object(), "{name}");
    }
}

/// Every `$ref` points inside the same file, at a definition that exists.
#[test]
fn references_are_local_and_resolve() {
    fn walk(v: &Value, defs: &serde_json::Map<String, Value>, kind: SchemaKind) {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    let name = r
                        .strip_prefix("#/$defs/")
                        .unwrap_or_else(|| panic!("{kind}: {r}"));
                    assert!(defs.contains_key(name), "{kind}: dangling {r}");
                }
                m.values().for_each(|x| walk(x, defs, kind));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, defs, kind)),
            _ => {}
        }
    }
    for kind in SchemaKind::ALL {
        let schema = bundled(*kind);
        let defs = schema["$defs"].as_object().cloned().unwrap_or_default();
        walk(&schema, &defs, *kind);
    }
}

fn credential() -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/i", "type": ["Profile"]},
        "validFrom": "2024-03-01T09:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/a", "type": ["Achievement"], "name": "A",
                "description": "D", "criteria": {}
            }
        }
    })
}

#[test]
fn achievement_credential_accepts_and_rejects() {
    let kind = SchemaKind::AchievementCredential;
    assert_eq!(validate(kind, &credential()), vec![]);

    let mut doc = credential();
    doc["validFrom"] = json!("2024-03-01T09:00:00");
    let errors = validate(kind, &doc);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].pointer, "/validFrom");

    let mut doc = credential();
    doc["credentialSubject"]["achievement"]["image"] = json!("https://example.edu/b.png");
    let errors = validate(kind, &doc);
    assert!(!errors.is_empty());
    assert!(errors.iter().all(|e| e
        .pointer
        .starts_with("/credentialSubject/achievement/image")));

    let mut doc = credential();
    doc["type"] = json!(["VerifiableCredential", "EndorsementCredential"]);
    assert!(!validate(kind, &doc).is_empty());
    assert!(!validate(SchemaKind::EndorsementCredential, &doc).is_empty());

    let mut doc = credential();
    doc["@context"] = json!([
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://www.w3.org/ns/credentials/v2"
    ]);
    assert!(!validate(kind, &doc).is_empty());
}

fn clr() -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": "urn:uuid:2",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": "Transcript",
        "issuer": {"id": "https://example.edu/i", "type": ["Profile"]},
        "validFrom": "2024-03-01T09:00:00Z",
        "credentialSubject": {
            "type": ["ClrSubject"],
            "verifiableCredential": [credential()],
            "association": {"type": "Association", "associationType": "isChildOf",
                            "sourceId": "urn:a", "targetId": "urn:b"}
        }
    })
}

#[test]
fn clr_credential_accepts_and_rejects() {
    let kind = SchemaKind::ClrCredential;
    assert_eq!(validate(kind, &clr()), vec![]);

    // Nested credentials are generic VCs, as in the official schema: not checked as OB 3.0.
    let mut doc = clr();
    doc["credentialSubject"]["verifiableCredential"][0]["credentialSubject"] = json!({});
    assert_eq!(validate(kind, &doc), vec![]);
    // … but they must be VC 2.0 credential objects.
    doc["credentialSubject"]["verifiableCredential"] = json!(["eyJhbGciOiJFZERTQSJ9.e30.c2ln"]);
    let errors = validate(kind, &doc);
    assert!(!errors.is_empty());
    assert!(errors.iter().all(|e| e
        .pointer
        .starts_with("/credentialSubject/verifiableCredential")));

    let mut doc = clr();
    doc.as_object_mut().map(|m| m.shift_remove("name"));
    let errors = validate(kind, &doc);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].pointer, "");

    let mut doc = clr();
    doc["credentialSubject"]["association"]["associationType"] = json!("ext:isSiblingOf");
    assert!(!validate(kind, &doc).is_empty());

    let mut doc = clr();
    doc["partial"] = json!("yes");
    let errors = validate(kind, &doc);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].pointer, "/partial");

    // An OB credential is not a CLR, and the reverse.
    assert!(!validate(kind, &credential()).is_empty());
    assert!(!validate(SchemaKind::AchievementCredential, &clr()).is_empty());
}

#[test]
fn errors_are_bounded_and_display_the_place() {
    let mut many = serde_json::Map::new();
    for i in 0..300 {
        many.insert(format!("x{i}"), json!(1));
    }
    let schema = Schema::compile(&json!({"additionalProperties": {"type": "string"}}))
        .map_err(|e| e.to_string());
    let errors = schema.map(|s| s.validate(&Value::Object(many)));
    assert_eq!(errors.map(|e| e.len()), Ok(MAX_ERRORS));
    let e = SchemaError {
        pointer: "/a".into(),
        message: "bad".into(),
    };
    assert_eq!(e.to_string(), "bad (at /a)");
}

/// schemas/json/PROVENANCE.md records the sha256 of every bundled schema: keep it true.
#[test]
fn provenance_records_each_schema_hash() {
    use sha2::{Digest, Sha256};
    let provenance = include_str!("../../schemas/json/PROVENANCE.md");
    for kind in SchemaKind::ALL {
        let hash = hex::encode(Sha256::digest(kind.schema_text().as_bytes()));
        assert!(
            provenance.contains(&format!("`{hash}`")),
            "PROVENANCE.md lacks the sha256 {hash} of the {kind} schema"
        );
        assert!(provenance.contains(kind.bundled_id()), "{kind}");
        assert!(provenance.contains(kind.official_id()), "{kind}");
    }
}
