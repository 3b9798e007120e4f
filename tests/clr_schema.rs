//! The bundled CLR 2.0 ClrCredential schema (`SchemaKind::ClrCredential`): the validator's CLR
//! fixture passes it, broken copies fail it with a JSON Pointer to the place, and the verifier runs
//! it for a CLR whose `credentialSchema` names the official CLR schema (instead of reporting an
//! unknown schema).

mod common;

use std::sync::Arc;

use common::shared;
use openbadges::schema::{validate, SchemaKind};
use openbadges::verify::{Outcome, Verifier, VerifyOptions};
use serde_json::{json, Value};

const CLR_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json";

fn simple() -> Option<Value> {
    let dir = shared("standards/clr/validator-fixtures/clr20")?;
    let bytes = std::fs::read(dir.join("simple.json")).expect("simple.json");
    Some(serde_json::from_slice(&bytes).expect("simple.json is JSON"))
}

#[test]
fn the_validator_clr_fixture_passes_the_bundled_clr_schema() {
    let Some(simple) = simple() else { return };
    assert_eq!(simple["credentialSchema"][0]["id"], CLR_SCHEMA);
    assert_eq!(
        SchemaKind::from_credential_schema_id(CLR_SCHEMA),
        Some(SchemaKind::ClrCredential)
    );
    assert_eq!(validate(SchemaKind::ClrCredential, &simple), vec![]);
    // A ClrCredential is not an AchievementCredential: the OB schema refuses it.
    assert!(!validate(SchemaKind::AchievementCredential, &simple).is_empty());
}

#[test]
fn broken_clrs_are_rejected_with_a_pointer_to_the_place() {
    let Some(simple) = simple() else { return };
    let kind = SchemaKind::ClrCredential;

    // No verifiableCredential: the ClrSubject lacks a required property.
    let mut doc = simple.clone();
    doc["credentialSubject"]
        .as_object_mut()
        .expect("credentialSubject")
        .shift_remove("verifiableCredential");
    let errors = validate(kind, &doc);
    assert!(!errors.is_empty());
    assert!(
        errors.iter().any(|e| e.pointer == "/credentialSubject"
            && e.message
                .contains("\"verifiableCredential\" is a required property")),
        "{errors:?}"
    );

    // An empty list of credentials.
    let mut doc = simple.clone();
    doc["credentialSubject"]["verifiableCredential"] = json!([]);
    let errors = validate(kind, &doc);
    assert!(
        !errors.is_empty()
            && errors
                .iter()
                .all(|e| e.pointer == "/credentialSubject/verifiableCredential"),
        "{errors:?}"
    );

    // A `type` array without ClrCredential.
    let mut doc = simple.clone();
    doc["type"] = json!(["VerifiableCredential", "OpenBadgeCredential"]);
    let errors = validate(kind, &doc);
    assert!(
        !errors.is_empty() && errors.iter().all(|e| e.pointer == "/type"),
        "{errors:?}"
    );

    // A nested credential without its issuer.
    let mut doc = simple.clone();
    doc["credentialSubject"]["verifiableCredential"][0]
        .as_object_mut()
        .expect("nested credential")
        .shift_remove("issuer");
    let errors = validate(kind, &doc);
    assert!(
        !errors.is_empty()
            && errors.iter().all(|e| e
                .pointer
                .starts_with("/credentialSubject/verifiableCredential")),
        "{errors:?}"
    );

    // An association of an unknown type.
    let mut doc = simple.clone();
    doc["credentialSubject"]["association"] = json!([{
        "type": "Association", "associationType": "isCousinOf",
        "sourceId": "urn:a", "targetId": "urn:b"
    }]);
    let errors = validate(kind, &doc);
    assert!(
        !errors.is_empty()
            && errors
                .iter()
                .all(|e| e.pointer.starts_with("/credentialSubject/association")),
        "{errors:?}"
    );
    doc["credentialSubject"]["association"][0]["associationType"] = json!("isChildOf");
    assert_eq!(validate(kind, &doc), vec![]);

    // The CLR context must come second.
    let mut doc = simple.clone();
    doc["@context"] = json!([
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
    ]);
    let errors = validate(kind, &doc);
    assert!(
        !errors.is_empty() && errors.iter().all(|e| e.pointer == "/@context"),
        "{errors:?}"
    );
}

#[test]
fn the_verifier_runs_the_bundled_clr_schema_for_the_official_url() {
    let Some(simple) = simple() else { return };
    let mut res = openbadges::resolve::LocalResources::new();
    common::serve_controllers(&simple, &mut res);
    let verifier = Verifier::new(VerifyOptions::default().resolver(Arc::new(res)));
    let report = openbadges::clr::verify_clr(&simple, &verifier).expect("a CLR");
    assert!(report.verified(), "{report}");
    let check = report.clr.check("schema").expect("a schema check");
    assert_eq!(check.outcome, Outcome::Passed, "{report}");
    assert!(check.problem.is_none(), "{report}");
    assert_eq!(check.note.as_deref(), Some(CLR_SCHEMA), "{report}");
}

/// A CLR bundled and signed here that names the official CLR schema: the schema check passes;
/// named with a URL the crate does not bundle, it stays "Unknown schema" (indeterminate); and a
/// CLR the schema refuses (an association of an unknown type) fails it, blocking verification.
#[test]
fn a_clr_naming_the_clr_schema_is_checked_against_it() {
    use openbadges::{clr, issue::Issuer, keys::SigningKey, portfolio::Portfolio, proof::Suite};
    let district = Issuer::new(
        json!({"type": ["Profile"], "name": "Riverside USD"}),
        SigningKey::from_seed(&[4; 32]),
    )
    .expect("issuer");
    let badge = district
        .issue(
            &json!({
                "@context": ["https://www.w3.org/ns/credentials/v2",
                             "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Math Talks",
                "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
                    "achievement": {"id": "urn:a:math-talks", "type": ["Achievement"],
                        "name": "Math Talks", "description": "d", "criteria": {"narrative": "n"}}}
            }),
            Suite::EddsaRdfc2022,
        )
        .expect("badge")
        .into_json();
    let verifier = Verifier::new(VerifyOptions::default());
    let mut portfolio = Portfolio::new();
    portfolio
        .add_value("badge.json", &badge, &verifier)
        .expect("added");
    let unsigned =
        clr::bundle(&portfolio, "did:example:maria", "Maria's record", None).expect("bundle");
    let registrar = Issuer::new(
        json!({"type": ["Profile"], "name": "Riverside HR"}),
        SigningKey::from_seed(&[5; 32]),
    )
    .expect("registrar");
    let sign_with_schema = |doc: &Value, schema: &str| {
        let mut doc = doc.clone();
        // `1EdTechJsonSchemaValidator2019` is defined by the OB extensions context (as in the
        // 1EdTech fixtures), which a Data Integrity proof needs.
        if let Some(ctx) = doc["@context"].as_array_mut() {
            ctx.push(json!(
                "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
            ));
        }
        doc["credentialSchema"] = json!([{"id": schema, "type": "1EdTechJsonSchemaValidator2019"}]);
        registrar
            .issue(&doc, Suite::EddsaRdfc2022)
            .expect("signed CLR")
            .into_json()
    };

    let signed = sign_with_schema(&unsigned, CLR_SCHEMA);
    let report = clr::verify_clr(&signed, &verifier).expect("a CLR");
    assert!(report.verified(), "{report}");
    let check = report.clr.check("schema").expect("a schema check");
    assert_eq!(check.outcome, Outcome::Passed, "{report}");
    assert_eq!(check.note.as_deref(), Some(CLR_SCHEMA), "{report}");

    let unknown = "https://example.org/schemas/my-clr.json";
    let report = clr::verify_clr(&sign_with_schema(&unsigned, unknown), &verifier).expect("CLR");
    let check = report.clr.check("schema").expect("a schema check");
    assert_eq!(check.outcome, Outcome::Indeterminate, "{report}");
    assert_eq!(
        check.problem.as_ref().map(|p| p.title.as_str()),
        Some("Unknown schema")
    );

    let mut odd = unsigned.clone();
    odd["credentialSubject"]["association"] = json!([{
        "type": "Association", "associationType": "isCousinOf",
        "sourceId": "urn:a:math-talks", "targetId": "urn:a:math-talks"
    }]);
    let report = clr::verify_clr(&sign_with_schema(&odd, CLR_SCHEMA), &verifier).expect("CLR");
    assert!(!report.verified(), "{report}");
    let check = report.clr.check("schema").expect("a schema check");
    assert_eq!(check.outcome, Outcome::Failed, "{report}");
    let problem = check.problem.as_ref().expect("a problem");
    assert!(
        problem
            .instance
            .as_deref()
            .is_some_and(|p| p.starts_with("/credentialSubject/association")),
        "{report}"
    );
}
