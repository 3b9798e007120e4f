//! CLR 2.0: the project's CLR context against the official one, the 1EdTech impl-guide CLR vector,
//! and ClrCredentials built by `openbadges::clr` (bundle, verify, JS interop).

mod common;

use std::path::Path;
use std::sync::Arc;

use common::shared;
use openbadges::jsonld::{DocumentLoader, Options, Processor, StaticLoader};
use openbadges::rdfc::canonicalize;
use serde_json::{json, Value};

const CLR_CONTEXT: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// Serves the official CLR context (read from ../shared) and the bundled ones otherwise.
struct OfficialClr(Arc<Value>);

impl DocumentLoader for OfficialClr {
    fn load(&self, url: &str) -> openbadges::Result<Arc<Value>> {
        if url == CLR_CONTEXT {
            Ok(self.0.clone())
        } else {
            StaticLoader.load(url)
        }
    }
}

/// Rewrites a document's contexts: CLR contexts → the 2.0.1 URL, OB contexts → `ob` (when given).
fn with_contexts(doc: &Value, ob: Option<&str>) -> Value {
    let mut doc = doc.clone();
    if let Some(Value::Array(ctx)) = doc.get_mut("@context") {
        for c in ctx.iter_mut() {
            if let Some(s) = c.as_str() {
                if s.contains("/clr/") {
                    *c = CLR_CONTEXT.into();
                } else if let Some(ob) = ob.filter(|_| s.contains("/ob/v3p0/context")) {
                    *c = ob.into();
                }
            }
        }
    }
    if let Some(Value::Array(vcs)) = doc.pointer_mut("/credentialSubject/verifiableCredential") {
        for vc in vcs.iter_mut() {
            *vc = with_contexts(vc, ob);
        }
    }
    doc
}

/// A ClrCredential that uses every term the CLR context defines.
fn every_term() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", CLR_CONTEXT,
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:4b3c1f0e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": "https://district.example/issuers/1", "type": ["Profile"], "name": "District"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Portfolio",
        "partial": true,
        "credentialSubject": {
            "id": "did:example:teacher",
            "type": ["ClrSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": "teacher@district.example",
                            "identityType": "emailAddress", "hashed": false}],
            "achievement": [{"id": "https://district.example/a/1", "type": ["Achievement"],
                             "name": "Flexible Grouping", "description": "d",
                             "criteria": {"narrative": "n"}}],
            "association": [{"type": "Association", "associationType": "isChildOf",
                             "sourceId": "https://district.example/a/1",
                             "targetId": "https://district.example/stacks/di"}],
            "verifiableCredential": [],
            "obi:extraProperty": "uses the obi prefix the ClrSubject context defines",
            "cred:holder": {"id": "did:example:teacher"}
        }
    })
}

#[test]
fn project_clr_context_expands_like_the_official_one() {
    let Some(std) = shared("standards") else {
        return;
    };
    let official = Arc::new(read_json(
        &std.join("contexts/clr/clr-v2p0-context-2.0.1.json"),
    ));
    let theirs = Processor::with_loader(Arc::new(OfficialClr(official)));
    let ours = Processor::new();

    // The same terms under VC 1.1 and OB 3.0.1, whose context defines `xsd:`.
    let mut v1 = every_term();
    v1["@context"] = json!([
        "https://www.w3.org/2018/credentials/v1",
        CLR_CONTEXT,
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
    ]);
    v1["issuanceDate"] = v1["validFrom"].take();
    v1.as_object_mut().unwrap().remove("validFrom");
    let mut docs: Vec<(String, Value)> = vec![
        ("every-term".into(), every_term()),
        ("every-term-vc1".into(), v1),
    ];
    for f in [
        "clr-credential-signed.json",
        "clr-credential-unsigned.json",
        "clr-document-before-signing.json",
    ] {
        let p = std.join("ob/impl-guide-test-vectors/extracted").join(f);
        docs.push((f.into(), read_json(&p)));
    }
    for entry in std::fs::read_dir(std.join("clr/validator-fixtures/clr20")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "json") {
            docs.push((p.display().to_string(), read_json(&p)));
        }
    }
    let mut compared = 0;
    for (name, doc) in &docs {
        // Each document with its own OB context and with 3.0.3 and 3.0.1 (3.0.3 leaves `xsd:`
        // undefined, 3.0.1 defines it); a combination both processors refuse (VC 2.0 with 3.0.1
        // redefines protected terms) must be refused the same way.
        let before = compared;
        for ob in [
            None,
            Some("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"),
            Some("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"),
        ] {
            let doc = with_contexts(doc, ob);
            let a = ours.to_rdf(&doc, &Options::default());
            let b = theirs.to_rdf(&doc, &Options::default());
            match (a, b) {
                (Ok(a), Ok(b)) => {
                    let (a, b) = (canonicalize(&a).unwrap(), canonicalize(&b).unwrap());
                    assert_eq!(a, b, "{name} with {ob:?}: N-Quads differ");
                    assert!(
                        a.contains("https://purl.imsglobal.org/spec/vc/clr/vocab.html#"),
                        "{name}: no CLR term expanded"
                    );
                    compared += 1;
                }
                (Err(a), Err(b)) => {
                    eprintln!("{name} with {ob:?}: both refuse: {a}");
                    assert_eq!(a.kind(), b.kind(), "{name} with {ob:?}")
                }
                (a, b) => panic!("{name} with {ob:?}: ours {a:?}, official {b:?}"),
            }
        }
        assert!(compared > before, "{name}: no context combination expanded");
    }
    eprintln!(
        "CLR context: {compared} expansions of {} documents agree with the official context",
        docs.len()
    );
    assert!(
        compared >= docs.len() + 6,
        "only {compared} expansions compared"
    );
}

/// The impl-guide issuer key (seed from the 1EdTech implementation guide).
const IMPL_GUIDE_SEED: &str = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4";

/// A controller document for `https://example.edu/issuers/565049` listing the impl-guide key.
fn impl_guide_issuer() -> openbadges::resolve::LocalResources {
    let key = openbadges::keys::SigningKey::from_seed_hex(IMPL_GUIDE_SEED).unwrap();
    let mk = key.verifying_key().to_multikey();
    let controller = "https://example.edu/issuers/565049";
    let vm = format!("{controller}#{mk}");
    let doc = json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": controller,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": controller,
                                "publicKeyMultibase": mk}],
        "assertionMethod": [vm],
    });
    let mut res = openbadges::resolve::LocalResources::new();
    res.insert(controller, serde_json::to_vec(&doc).unwrap());
    res
}

#[test]
fn impl_guide_clr_vector_canonical_forms_signature_and_verification() {
    use openbadges::proof::{explain, ProofOptions, Signer, Suite};
    let Some(dir) = shared("standards/ob/impl-guide-test-vectors") else {
        return;
    };
    let signed = read_json(&dir.join("extracted/clr-credential-signed.json"));
    let ex = explain(&signed, 0).unwrap();
    let canon = |f: &str| std::fs::read_to_string(dir.join("clrv2p0").join(f)).unwrap();
    assert_eq!(ex.canonical_document, canon("document-canon.txt"));
    assert_eq!(ex.canonical_proof_config, canon("proof-canon.txt"));

    // Re-signed with the impl guide's key, the unsigned credential gets the same proofValue.
    let key = openbadges::keys::SigningKey::from_seed_hex(IMPL_GUIDE_SEED).unwrap();
    let unsigned = read_json(&dir.join("extracted/clr-credential-unsigned.json"));
    let proof = match &signed["proof"] {
        Value::Array(a) => &a[0],
        p => p,
    };
    let again = Signer::new(key, proof["verificationMethod"].as_str().unwrap())
        .sign(
            &unsigned,
            Suite::EddsaRdfc2022,
            &ProofOptions::assertion().created(proof["created"].as_str().unwrap()),
        )
        .unwrap();
    assert_eq!(again["proof"]["proofValue"], proof["proofValue"]);

    // And the whole CLR verifies, nested credentials included.
    let options =
        openbadges::verify::VerifyOptions::default().resolver(Arc::new(impl_guide_issuer()));
    let verifier = openbadges::verify::Verifier::new(options);
    let report = openbadges::clr::verify_clr(&signed, &verifier).unwrap();
    assert!(report.verified(), "{report}");
    assert_eq!(report.credentials.len(), 1, "{report}");
    eprintln!("impl-guide CLR:\n{report}");
}

#[test]
fn validator_clr_fixture_verifies_and_a_tampered_nested_credential_fails() {
    let Some(dir) = shared("standards/clr/validator-fixtures/clr20") else {
        return;
    };
    let simple = read_json(&dir.join("simple.json"));
    let mut res = openbadges::resolve::LocalResources::new();
    common::serve_controllers(&simple, &mut res);
    let options = openbadges::verify::VerifyOptions::default().resolver(Arc::new(res));
    let verifier = openbadges::verify::Verifier::new(options);
    let report = openbadges::clr::verify_clr(&simple, &verifier).unwrap();
    assert!(report.verified(), "{report}");

    // Changing a nested credential breaks its own proof and the CLR's.
    let mut tampered = simple.clone();
    tampered["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["achievement"]
        ["name"] = "Something else".into();
    let report = openbadges::clr::verify_clr(&tampered, &verifier).unwrap();
    assert!(!report.verified());
    assert!(!report.clr.verified, "{report}");
    assert!(!report.credentials[0].verified, "{report}");
}

/// Three Riverside micro-credentials for Maria, signed by a did:key issuer (resolvable offline
/// on both sides), and the CLR bundling them with the differentiation stack's associations.
fn our_clr() -> (Value, Vec<Value>) {
    use openbadges::issue::Issuer;
    use openbadges::keys::SigningKey;
    use openbadges::proof::Suite;
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    let district = Issuer::new(
        json!({"type": ["Profile"], "name": "Riverside Unified School District"}),
        SigningKey::from_seed(&[0x52; 32]),
    )
    .unwrap();
    let badges: Vec<Value> = ["flexible-grouping", "tiered-assignments", "learning-stations"]
        .iter()
        .enumerate()
        .map(|(k, slug)| {
            let id = format!("https://riverside.example/achievements/{slug}");
            let cred = json!({
                "@context": ["https://www.w3.org/ns/credentials/v2",
                             "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "name": slug,
                "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
                    "achievement": {"id": id, "type": ["Achievement"], "achievementType": "MicroCredential",
                        "name": slug, "description": "A micro-credential.",
                        "criteria": {"narrative": "Rubric score 3 or higher."},
                        "creditsAvailable": 0.5}}
            });
            district
                .issue_at(&cred, Suite::EddsaRdfc2022, at(&format!("2025-0{}-01T00:00:00Z", k + 1)), None)
                .unwrap().into_json()
        })
        .collect();
    let verifier = openbadges::verify::Verifier::new(
        openbadges::verify::VerifyOptions::default().at(at("2026-01-01T00:00:00Z")),
    );
    let mut folio = openbadges::portfolio::Portfolio::new();
    for (i, b) in badges.iter().enumerate() {
        folio.add_value(format!("badge-{i}"), b, &verifier).unwrap();
    }
    let stacks = openbadges::stack::StackSet::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/programs/riverside-stacks.json"),
    )
    .unwrap();
    let unsigned = openbadges::clr::bundle(
        &folio,
        "did:example:maria",
        "Maria's micro-credentials",
        Some(&stacks),
    )
    .unwrap();
    let registrar = Issuer::new(
        json!({"type": ["Profile"], "name": "Riverside Human Resources"}),
        SigningKey::from_seed(&[0x53; 32]),
    )
    .unwrap();
    let clr = registrar
        .issue_at(
            &unsigned,
            Suite::EddsaRdfc2022,
            at("2026-01-02T00:00:00Z"),
            None,
        )
        .unwrap()
        .into_json();
    (clr, badges)
}

#[test]
fn clr_bundled_here_verifies_here_with_its_associations() {
    let (clr, badges) = our_clr();
    let subject = &clr["credentialSubject"];
    assert_eq!(subject["verifiableCredential"].as_array().unwrap().len(), 3);
    assert_eq!(subject["verifiableCredential"][0], badges[0]);
    // The three members plus the achievements of the three stacks they belong to (the
    // differentiation stack and both compensation phases, which take any catalog badge), linked
    // by isChildOf associations.
    assert_eq!(subject["achievement"].as_array().unwrap().len(), 6);
    let assoc = subject["association"].as_array().unwrap();
    assert_eq!(assoc.len(), 9);
    assert_eq!(assoc[0]["associationType"], "isChildOf");
    assert_eq!(
        assoc[0]["sourceId"],
        "https://riverside.example/achievements/flexible-grouping"
    );
    assert_eq!(
        assoc[0]["targetId"],
        "https://riverside.example/achievements/differentiation-stack"
    );
    let verifier = openbadges::verify::Verifier::new(openbadges::verify::VerifyOptions::default());
    let report = openbadges::clr::verify_clr(&clr, &verifier).unwrap();
    assert!(report.verified(), "{report}");
    assert_eq!(report.credentials.len(), 3);

    // A nested credential about someone else fails `clr-subject` even when signed correctly.
    let mut stranger = clr.clone();
    stranger["credentialSubject"]["id"] = "did:example:someone-else".into();
    stranger.as_object_mut().unwrap().remove("proof");
    let registrar = openbadges::issue::Issuer::new(
        json!({"type": ["Profile"], "name": "Riverside Human Resources"}),
        openbadges::keys::SigningKey::from_seed(&[0x53; 32]),
    )
    .unwrap();
    let stranger = registrar
        .issue(&stranger, openbadges::proof::Suite::EddsaRdfc2022)
        .unwrap()
        .into_json();
    let report = openbadges::clr::verify_clr(&stranger, &verifier).unwrap();
    assert!(!report.verified());
    assert!(
        report.clr.check("clr-subject").unwrap().is_blocking(),
        "{report}"
    );
}

#[test]
fn clr_bundled_here_verifies_in_the_js_reference() {
    let Some(std) = shared("standards/contexts/clr/clr-v2p0-context-2.0.1.json") else {
        return;
    };
    let Some(d) = common::interop_dir() else {
        return;
    };
    let ctx = std.to_string_lossy().to_string();
    let (clr, _) = our_clr();
    let (ok, out) = common::node(&d, "clr.mjs", &[&ctx], &clr);
    assert!(ok, "the JS stack refused our CLR: {out}");
    let mut tampered = clr.clone();
    tampered["credentialSubject"]["verifiableCredential"][1]["credentialSubject"]["achievement"]
        ["creditsAvailable"] = 2.5.into();
    let (ok, _) = common::node(&d, "clr.mjs", &[&ctx], &tampered);
    assert!(!ok, "the JS stack accepted a tampered CLR");
}

#[test]
fn a_vc_jwt_travels_in_a_clr_as_its_compact_form_and_still_verifies() {
    use openbadges::jwt::{sign, HeaderKey, VcForm};
    use openbadges::keys::SigningKey;
    use openbadges::IssuerKey;
    let key = SigningKey::from_seed(&[0x61; 32]);
    let did = key.verifying_key().did_key();
    let cred = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:6c1f3b0e-1f6a-4b43-9a53-1f0c6a1d2e01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "District"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Math Talks",
        "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
            "achievement": {"id": "https://riverside.example/achievements/math-talks", "type": ["Achievement"],
                "name": "Math Talks", "description": "d", "criteria": {"narrative": "n"}}}
    });
    let token = sign(
        &cred,
        &IssuerKey::from(key.clone()),
        HeaderKey::Kid(key.verifying_key().did_key_verification_method()),
        VcForm::V2,
    )
    .unwrap();
    let verifier = openbadges::verify::Verifier::new(openbadges::verify::VerifyOptions::default());
    let mut folio = openbadges::portfolio::Portfolio::new();
    folio
        .add_bytes("badge.jwt", token.as_bytes(), &verifier)
        .unwrap();
    assert!(
        folio.holdings()[0].report.verified,
        "{}",
        folio.holdings()[0].report
    );
    let unsigned = openbadges::clr::bundle(&folio, "did:example:maria", "Maria", None).unwrap();
    assert_eq!(
        unsigned["credentialSubject"]["verifiableCredential"][0],
        token.as_str()
    );
    let clr = openbadges::issue::Issuer::new(json!({"type": ["Profile"]}), key)
        .unwrap()
        .issue(&unsigned, openbadges::proof::Suite::EddsaRdfc2022)
        .unwrap()
        .into_json();
    let report = openbadges::clr::verify_clr(&clr, &verifier).unwrap();
    assert!(report.verified(), "{report}");
    assert_eq!(
        report.credentials[0]
            .check("proof")
            .unwrap()
            .note
            .as_deref(),
        Some("VC-JWT EdDSA")
    );
}

#[test]
fn a_clr_secured_as_a_vc_jwt_verifies_with_its_nested_credentials() {
    use openbadges::jwt::{sign, HeaderKey, VcForm};
    use openbadges::IssuerKey;
    let (clr, _) = our_clr();
    let mut unsigned = clr.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    let key = openbadges::keys::SigningKey::from_seed(&[0x53; 32]);
    let token = sign(
        &unsigned,
        &IssuerKey::from(key.clone()),
        HeaderKey::Kid(key.verifying_key().did_key_verification_method()),
        VcForm::V2,
    )
    .unwrap();
    let verifier = openbadges::verify::Verifier::new(openbadges::verify::VerifyOptions::default());
    let report = openbadges::clr::verify_clr_jwt(&token, &verifier).unwrap();
    assert!(report.verified(), "{report}");
    assert_eq!(report.credentials.len(), 3);
    // The validator's CLR JWT: its nested credentials are walked too; its own key is not bound
    // (the fixture carries no resolvable key), as for the OB `simple.jwt`.
    let Some(dir) = shared("standards/clr/validator-fixtures/clr20") else {
        return;
    };
    let jwt = std::fs::read_to_string(dir.join("simple.jwt")).unwrap();
    let report = openbadges::clr::verify_clr_jwt(jwt.trim(), &verifier).unwrap();
    assert!(!report.clr.verified, "{report}");
    assert!(!report.credentials.is_empty());
}
