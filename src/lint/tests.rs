//! Unit tests: one small inline document per rule.

use serde_json::{json, Value};

use super::*;

fn valid() -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": "urn:uuid:6a1f0c1e-9c6b-4b8e-9a7e-2f3c5d4b1a01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Teamwork",
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Example U"},
        "validFrom": "2024-03-01T09:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/1",
                "type": ["Achievement"],
                "name": "Teamwork",
                "description": "Works well in a team.",
                "criteria": {"narrative": "Nominated by peers."},
                "achievementType": "Badge"
            }
        }
    })
}

/// Sets the value at a JSON pointer (parents must exist).
fn set(doc: &mut Value, pointer: &str, v: Value) {
    let (parent, last) = pointer.rsplit_once('/').expect("pointer");
    let target = doc.pointer_mut(parent).expect("parent exists");
    match target {
        Value::Object(m) => {
            m.insert(last.to_string(), v);
        }
        Value::Array(a) => {
            let i: usize = last.parse().expect("index");
            a[i] = v;
        }
        _ => panic!("not a container at {parent}"),
    }
}

fn remove(doc: &mut Value, pointer: &str) {
    let (parent, last) = pointer.rsplit_once('/').expect("pointer");
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("object parent")
        .remove(last);
}

fn ids(findings: &[Finding]) -> Vec<(&'static str, &str)> {
    findings
        .iter()
        .map(|f| (f.rule.id(), f.pointer.as_str()))
        .collect()
}

#[test]
fn valid_document_has_no_findings() {
    assert_eq!(lint(&valid()), vec![]);
}

#[test]
fn missing_required() {
    for (ptr, _) in [
        ("/issuer", ()),
        ("/validFrom", ()),
        ("/credentialSubject", ()),
        ("/credentialSubject/achievement", ()),
        ("/credentialSubject/achievement/criteria", ()),
        ("/credentialSubject/achievement/name", ()),
        ("/issuer/id", ()),
        ("/id", ()),
    ] {
        let mut doc = valid();
        remove(&mut doc, ptr);
        let f = lint(&doc);
        assert_eq!(ids(&f), vec![("missing-required", ptr)], "{ptr}: {f:?}");
        assert!(f[0].message.contains("missing"));
    }
    // Not a credential at all.
    let f = lint(&json!([1]));
    assert_eq!(ids(&f), vec![("wrong-value-type", "")]);
}

#[test]
fn vc11_requires_name_and_issuance_date() {
    let mut doc = valid();
    set(
        &mut doc,
        "/@context/0",
        json!("https://www.w3.org/2018/credentials/v1"),
    );
    remove(&mut doc, "/validFrom");
    remove(&mut doc, "/name");
    let f = lint(&doc);
    assert_eq!(
        ids(&f),
        vec![
            ("legacy-vc-version", "/@context/0"),
            ("missing-required", "/name"),
            ("missing-required", "/issuanceDate"),
        ]
    );
    assert_eq!(f[0].severity, Severity::Warning);
}

#[test]
fn wrong_value_type() {
    for (ptr, v) in [
        ("/name", json!(7)),
        (
            "/credentialSubject/achievement/criteria",
            json!("narrative"),
        ),
        (
            "/credentialSubject/achievement/creditsAvailable",
            json!("2.5"),
        ),
        ("/issuer", json!(42)),
        ("/credentialSubject/achievement/tag", json!([1])),
    ] {
        let mut doc = valid();
        set(&mut doc, ptr, v);
        let f = lint(&doc);
        let want = if ptr.ends_with("tag") {
            format!("{ptr}/0")
        } else {
            ptr.to_string()
        };
        assert_eq!(
            ids(&f),
            vec![("wrong-value-type", want.as_str())],
            "{ptr}: {f:?}"
        );
    }
}

#[test]
fn context_order() {
    let mut doc = valid();
    set(
        &mut doc,
        "/@context",
        json!([
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://www.w3.org/ns/credentials/v2"
        ]),
    );
    assert_eq!(
        ids(&lint(&doc)),
        vec![
            ("context-order", "/@context/0"),
            ("context-order", "/@context/1")
        ]
    );

    let mut doc = valid();
    set(
        &mut doc,
        "/@context",
        json!(["https://www.w3.org/ns/credentials/v2"]),
    );
    let f = lint(&doc);
    assert_eq!(ids(&f), vec![("context-order", "/@context")]);
    assert!(f[0].message.contains("does not include an OB 3.0 context"));

    let mut doc = valid();
    set(
        &mut doc,
        "/@context",
        json!("https://www.w3.org/ns/credentials/v2"),
    );
    assert_eq!(ids(&lint(&doc)), vec![("context-order", "/@context")]);

    let mut doc = valid();
    set(
        &mut doc,
        "/@context/1",
        json!("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"),
    );
    assert_eq!(ids(&lint(&doc)), vec![("context-order", "/@context/1")]);
}

#[test]
fn class_type() {
    for (ptr, v, want) in [
        (
            "/type",
            json!(["VerifiableCredential", "OtherCredential"]),
            "/type",
        ),
        ("/type", json!(["OpenBadgeCredential"]), "/type"),
        (
            "/credentialSubject/type",
            json!(["Subject"]),
            "/credentialSubject/type",
        ),
        ("/issuer/type", json!("Issuer"), "/issuer/type"),
        (
            "/credentialSubject/achievement/type",
            json!([]),
            "/credentialSubject/achievement/type",
        ),
        (
            "/evidence",
            json!([{"type": ["Evidence"]}, {"type": "Proof"}]),
            "/evidence/1/type",
        ),
        (
            "/credentialSubject/identifier",
            json!([{"type": ["IdentityObject"], "hashed": false, "identityHash": "a@b.c", "identityType": "emailAddress"}]),
            "/credentialSubject/identifier/0/type",
        ),
    ] {
        let mut doc = valid();
        set(&mut doc, ptr, v);
        let f = lint(&doc);
        assert_eq!(ids(&f), vec![("class-type", want)], "{ptr}: {f:?}");
    }
}

#[test]
fn image_not_object() {
    for ptr in [
        "/image",
        "/issuer/image",
        "/credentialSubject/achievement/image",
        "/credentialSubject/image",
    ] {
        let mut doc = valid();
        set(&mut doc, ptr, json!("https://example.edu/badge.png"));
        let f = lint(&doc);
        assert_eq!(ids(&f), vec![("image-not-object", ptr)], "{ptr}");
        assert!(f[0].expected.contains(r#""type": "Image""#));
    }
    let mut doc = valid();
    set(
        &mut doc,
        "/image",
        json!({"id": "https://example.edu/b.png", "type": "Image", "caption": "B"}),
    );
    assert_eq!(lint(&doc), vec![]);
    set(
        &mut doc,
        "/image",
        json!({"id": "https://example.edu/b.png", "type": "Image", "alt": "B"}),
    );
    assert_eq!(
        ids(&lint(&doc)),
        vec![("unexpected-property", "/image/alt")]
    );
}

#[test]
fn date_time() {
    for (ptr, v) in [
        ("/validFrom", "2024-03-01T09:00:00"),
        ("/validUntil", "2024-03-01"),
        ("/awardedDate", "2024-03-01 09:00:00Z"),
        ("/credentialSubject/activityStartDate", "yesterday"),
    ] {
        let mut doc = valid();
        set(&mut doc, ptr, json!(v));
        let f = lint(&doc);
        assert_eq!(ids(&f), vec![("date-time", ptr)], "{ptr}");
    }
    let mut doc = valid();
    set(
        &mut doc,
        "/proof",
        json!({"type": "DataIntegrityProof", "created": "2024-03-01T09:00:00"}),
    );
    let f = lint(&doc);
    assert_eq!(ids(&f), vec![("date-time", "/proof/created")]);
    assert!(f[0].message.contains("no timezone"), "{}", f[0]);
    set(
        &mut doc,
        "/proof/created",
        json!("2024-03-01T09:00:00+01:00"),
    );
    set(&mut doc, "/issuer/dateOfBirth", json!("1990-02-30"));
    assert_eq!(ids(&lint(&doc)), vec![("date-time", "/issuer/dateOfBirth")]);
}

#[test]
fn unknown_enum_value() {
    let ptr = "/credentialSubject/achievement/achievementType";
    for (v, ok) in [
        ("Nanodegree", false),
        ("ext:Nanodegree", true),
        ("MicroCredential", true),
    ] {
        let mut doc = valid();
        set(&mut doc, ptr, json!(v));
        let f = lint(&doc);
        if ok {
            assert_eq!(f, vec![], "{v}");
        } else {
            assert_eq!(ids(&f), vec![("unknown-enum-value", ptr)]);
            assert!(f[0].message.contains("must start with `ext:`"));
        }
    }
    let mut doc = valid();
    set(
        &mut doc,
        "/credentialSubject/result",
        json!([{"type": ["Result"], "status": "ext:Paused"}]),
    );
    set(
        &mut doc,
        "/credentialSubject/achievement/resultDescription",
        json!({"id": "urn:x", "type": ["ResultDescription"], "name": "Grade", "resultType": "Grade"}),
    );
    set(
        &mut doc,
        "/credentialSubject/achievement/alignment",
        json!([{"type": ["Alignment"], "targetName": "T", "targetUrl": "https://x", "targetType": "Skill"}]),
    );
    assert_eq!(
        ids(&lint(&doc)),
        vec![
            (
                "unknown-enum-value",
                "/credentialSubject/achievement/alignment/0/targetType"
            ),
            (
                "unknown-enum-value",
                "/credentialSubject/achievement/resultDescription/resultType"
            ),
            ("unknown-enum-value", "/credentialSubject/result/0/status"),
        ]
    );
}

#[test]
fn subject_without_id() {
    let mut doc = valid();
    remove(&mut doc, "/credentialSubject/id");
    assert_eq!(
        ids(&lint(&doc)),
        vec![("subject-without-id", "/credentialSubject")]
    );
    set(
        &mut doc,
        "/credentialSubject/identifier",
        json!({"type": "IdentityObject", "hashed": false, "identityHash": "a@b.c", "identityType": "emailAddress"}),
    );
    assert_eq!(lint(&doc), vec![]);
    set(
        &mut doc,
        "/credentialSubject/identifier/identityType",
        json!("email"),
    );
    assert_eq!(
        ids(&lint(&doc)),
        vec![(
            "unknown-enum-value",
            "/credentialSubject/identifier/identityType"
        )]
    );
}

#[test]
fn language_map() {
    let mut doc = valid();
    set(
        &mut doc,
        "/credentialSubject/achievement/name",
        json!({"en": "Teamwork", "fr-FR": "Travail d'équipe"}),
    );
    let f = lint(&doc);
    assert_eq!(
        ids(&f),
        vec![("language-map", "/credentialSubject/achievement/name")]
    );
    assert!(f[0]
        .message
        .contains("cannot be signed with a Data Integrity proof"));
    assert!(f[0].message.contains("@container: @language"));
    // Language-tagged text (VC Data Model 2.0 §11.1) is signed and read: a warning that the
    // official schema refuses it.
    set(
        &mut doc,
        "/credentialSubject/achievement/name",
        json!([{"@value": "Teamwork", "@language": "en"}, {"@value": "Travail d'équipe", "@language": "fr-CA"}]),
    );
    let f = lint(&doc);
    assert_eq!(
        ids(&f),
        vec![("language-tagged", "/credentialSubject/achievement/name")]
    );
    assert_eq!(f[0].severity, crate::lint::Severity::Warning);
    // An object that is neither is simply the wrong type.
    set(
        &mut doc,
        "/credentialSubject/achievement/name",
        json!({"text": "Teamwork"}),
    );
    assert_eq!(
        ids(&lint(&doc)),
        vec![("wrong-value-type", "/credentialSubject/achievement/name")]
    );
}

#[test]
fn endorsement_credentials_are_checked_recursively() {
    let mut doc = valid();
    set(
        &mut doc,
        "/credentialSubject/achievement/endorsement",
        json!([{
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:e", "type": ["VerifiableCredential", "EndorsementCredential"],
            "issuer": "https://example.org/endorser", "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "https://example.edu/achievements/1", "type": ["EndorsementSubject"]}
        }]),
    );
    assert_eq!(
        ids(&lint(&doc)),
        vec![(
            "missing-required",
            "/credentialSubject/achievement/endorsement/0/name"
        )]
    );
}

#[test]
fn endorsement_root_is_linted_as_endorsement() {
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:e", "type": ["VerifiableCredential", "EndorsementCredential"], "name": "E",
        "issuer": {"id": "https://example.org/endorser", "type": "Profile"}, "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://example.edu/achievements/1", "type": "Subject"}
    });
    assert_eq!(
        ids(&lint(&doc)),
        vec![("class-type", "/credentialSubject/type")]
    );
}

#[test]
fn deep_nesting_stops_with_a_warning() {
    let mut profile = json!({"id": "urn:p", "type": ["Profile"]});
    for _ in 0..100 {
        profile = json!({"id": "urn:p", "type": ["Profile"], "parentOrg": profile});
    }
    let mut doc = valid();
    set(&mut doc, "/issuer", profile);
    let f = lint(&doc);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].rule, Rule::NestingTooDeep);
    assert_eq!(f[0].severity, Severity::Warning);
}

#[test]
fn pointers_escape_member_names() {
    let mut doc = valid();
    set(
        &mut doc,
        "/image",
        json!({"id": "https://example.edu/b.png", "type": "Image", "a/b~c": 1}),
    );
    assert_eq!(
        ids(&lint(&doc)),
        vec![("unexpected-property", "/image/a~1b~0c")]
    );
}

#[test]
fn findings_serialize_to_json() -> crate::Result<()> {
    let mut doc = valid();
    set(&mut doc, "/issuer/type", json!(["Issuer"]));
    let f = lint(&doc);
    let out = serde_json::to_value(&f).map_err(|e| crate::Error::json(e.to_string()))?;
    assert_eq!(out[0]["rule"], "class-type");
    assert_eq!(out[0]["severity"], "error");
    assert_eq!(out[0]["pointer"], "/issuer/type");
    assert!(out[0]["expected"]
        .as_str()
        .unwrap_or("")
        .contains("\"Profile\""));
    for r in Rule::ALL {
        assert_eq!(Rule::from_id(r.id()), Some(*r));
    }
    Ok(())
}

#[test]
fn lint_bytes_uses_the_strict_parser() {
    let err = lint_bytes(br#"{"id": 1, "id": 2}"#).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Json);
    let ok = lint_bytes(valid().to_string().as_bytes()).map(|f| f.len());
    assert_eq!(ok, Ok(0));
}

#[test]
fn vc11_specific_rules() {
    let mut doc = valid();
    set(
        &mut doc,
        "/@context/0",
        json!("https://www.w3.org/2018/credentials/v1"),
    );
    remove(&mut doc, "/validFrom");
    set(&mut doc, "/issuanceDate", json!("2024-03-01T09:00:00Z"));
    assert_eq!(ids(&lint(&doc)), vec![("legacy-vc-version", "/@context/0")]);

    // The VC 1.1 schema wants the issuer's Profile object, and closes the AchievementSubject.
    set(&mut doc, "/issuer", json!("https://example.edu/issuers/1"));
    set(&mut doc, "/credentialSubject/extra", json!("x"));
    assert_eq!(
        ids(&lint(&doc)),
        vec![
            ("legacy-vc-version", "/@context/0"),
            ("wrong-value-type", "/issuer"),
            ("unexpected-property", "/credentialSubject/extra"),
        ]
    );
}

#[test]
fn embedded_credentials_use_the_enclosing_vc_version() {
    let mut doc = valid();
    set(
        &mut doc,
        "/endorsement",
        json!([{
            "@context": ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:e", "type": ["VerifiableCredential", "EndorsementCredential"], "name": "E",
            "issuer": {"id": "https://example.org/endorser", "type": ["Profile"]},
            "issuanceDate": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "https://example.edu/achievements/1", "type": ["EndorsementSubject"]}
        }]),
    );
    let f = lint(&doc);
    assert_eq!(
        ids(&f),
        vec![("context-order", "/endorsement/0/@context/0")]
    );
    assert!(f[0].message.contains("VC Data Model 1.1"), "{}", f[0]);
}
