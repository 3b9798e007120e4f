//! Interop with the JavaScript reference stack (Digital Bazaar / DCC packages, driven by our own
//! scripts in tests/interop/): what it signs verifies here, what we sign verifies there — VC 2.0
//! and 1.1, eddsa-rdfc-2022 and Ed25519Signature2020, fractional numbers and text in any script.
//! Runs when `node` and tests/interop/node_modules exist (CI runs `npm ci` there); skips otherwise.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use openbadges::keys::{DidKeyResolver, SigningKey};
use openbadges::proof::{Expectations, ProofOptions, ProofVerifier, Signer, Suite};
use serde_json::{json, Value};

const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

fn dir() -> Option<PathBuf> {
    common::interop_dir()
}

fn node(dir: &Path, script: &str, args: &[&str], input: &Value) -> (bool, String) {
    common::node(dir, script, args, input)
}

fn key() -> SigningKey {
    SigningKey::from_seed_hex(SEED).unwrap()
}

fn credential(vc1: bool, name: &str, narrative: &str) -> Value {
    let did = key().verifying_key().did_key();
    let mut c = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:7d8c2b1a-0f3e-4d5c-9b8a-1e2f3a4b5c6d",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {"id": did, "type": ["Profile"], "name": "Riverside Unified — Évaluation"},
        "validFrom": "2026-02-01T12:00:00Z",
        "credentialSubject": {
            "id": "did:example:teacher-42",
            "type": ["AchievementSubject"],
            "creditsEarned": 0.5,
            "achievement": {
                "id": "https://riverside.example/achievements/collaborative-learning",
                "type": ["Achievement"],
                "name": name,
                "description": "SAFe® practices; Évaluation formative; 协作学习 🎓\nwith a second line",
                "achievementType": "MicroCredential",
                "creditsAvailable": 2.5,
                "criteria": {"narrative": narrative}
            }
        }
    });
    if vc1 {
        c["@context"][0] = "https://www.w3.org/2018/credentials/v1".into();
        let from = c
            .as_object_mut()
            .unwrap()
            .shift_remove("validFrom")
            .unwrap();
        c["issuanceDate"] = from;
    }
    c
}

fn ours_verify(doc: &Value) -> Result<(), String> {
    let v = ProofVerifier::new(Arc::new(DidKeyResolver));
    let out = v
        .verify(doc, &Expectations::assertion())
        .map_err(|e| e.to_string())?;
    match out.first() {
        Some(o) => o.result.clone().map_err(|f| f.message),
        None => Err("no proof".into()),
    }
}

const CASES: [(bool, &str, Suite); 4] = [
    (false, "eddsa-rdfc-2022", Suite::EddsaRdfc2022),
    (true, "eddsa-rdfc-2022", Suite::EddsaRdfc2022),
    (false, "Ed25519Signature2020", Suite::Ed25519Signature2020),
    (true, "Ed25519Signature2020", Suite::Ed25519Signature2020),
];

#[test]
fn js_signed_verifies_here() {
    let Some(d) = dir() else { return };
    for (vc1, name, _) in CASES {
        let c = credential(
            vc1,
            "Collaborative Learning",
            "Scored 3+ on the rubric: «très bien».",
        );
        let (ok, out) = node(&d, "sign.mjs", &["--seed", SEED, "--suite", name], &c);
        assert!(ok, "JS failed to sign ({name}, vc1={vc1}): {out}");
        let signed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(ours_verify(&signed), Ok(()), "{name} vc1={vc1}");
        // and a one-character change is caught
        let mut t = signed.clone();
        t["credentialSubject"]["achievement"]["name"] = "Collaborative Learninh".into();
        assert!(ours_verify(&t).is_err());
    }
}

#[test]
fn ours_verifies_in_js() {
    let Some(d) = dir() else { return };
    for (vc1, name, suite) in CASES {
        let c = credential(
            vc1,
            "Collaborative Learning",
            "Scored 3+ on the rubric: «très bien».",
        );
        let signed = Signer::did_key(key())
            .sign(
                &c,
                suite,
                &ProofOptions::assertion().created("2026-02-01T12:00:00Z"),
            )
            .unwrap();
        let (ok, out) = node(&d, "verify.mjs", &[], &signed);
        assert!(ok, "JS did not verify ours ({name}, vc1={vc1}): {out}");
        let mut t = signed.clone();
        t["credentialSubject"]["creditsEarned"] = json!(0.25);
        let (ok, _) = node(&d, "verify.mjs", &[], &t);
        assert!(!ok, "JS accepted a tampered credential");
    }
}

#[test]
fn language_map_refused_by_both() {
    let Some(d) = dir() else { return };
    let mut c = credential(false, "x", "y");
    c["credentialSubject"]["achievement"]["name"] =
        json!({"en": "Collaborative Learning", "es": "Aprendizaje colaborativo"});
    let ours = Signer::did_key(key()).sign(
        &c,
        Suite::EddsaRdfc2022,
        &ProofOptions::assertion().created("2026-02-01T12:00:00Z"),
    );
    let err =
        ours.expect_err("safe mode must refuse a language map the OB context does not define");
    assert_eq!(
        err.kind(),
        openbadges::ErrorKind::JsonLd("data loss"),
        "{err}"
    );
    let (ok, out) = node(
        &d,
        "sign.mjs",
        &["--seed", SEED, "--suite", "eddsa-rdfc-2022"],
        &c,
    );
    assert!(!ok, "JS signed a language map: {out}");
    // A credential signed without the map, then given one, fails in both.
    let good = credential(false, "Collaborative Learning", "y");
    let mut signed = Signer::did_key(key())
        .sign(&good, Suite::EddsaRdfc2022, &ProofOptions::assertion())
        .unwrap();
    signed["credentialSubject"]["achievement"]["name"] = json!({"en": "Collaborative Learning"});
    assert!(ours_verify(&signed).is_err());
    let (ok, _) = node(&d, "verify.mjs", &[], &signed);
    assert!(!ok);
}

#[test]
fn status_lists_read_both_ways() {
    use openbadges::issue::Issuer;
    use openbadges::resolve::LocalResources;
    use openbadges::status::{Purpose, StatusListStore};
    let Some(d) = dir() else { return };
    let url = "https://riverside.example/status/7";
    let issuer = Issuer::new(json!({}), key()).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-02-01T12:00:00Z")
        .unwrap()
        .to_utc();
    let mut store = StatusListStore::new(url, Purpose::Revocation).unwrap();
    let mut cred = credential(false, "Collaborative Learning", "y");
    cred.as_object_mut().unwrap().shift_remove("id");
    let revoked = issuer
        .issue_at(&cred, Suite::EddsaRdfc2022, now, Some(&mut store))
        .unwrap()
        .into_json();
    let kept = issuer
        .issue_at(&cred, Suite::EddsaRdfc2022, now, Some(&mut store))
        .unwrap()
        .into_json();
    store.revoke(revoked["id"].as_str().unwrap()).unwrap();
    let list = issuer
        .issue_at(
            &store.list_credential(issuer.id(), "2026-02-01T12:00:00Z"),
            Suite::EddsaRdfc2022,
            now,
            None,
        )
        .unwrap()
        .into_json();
    // Ours → JS: the reference's checkStatus verifies our list and reads our bits.
    for (c, expect) in [(&revoked, true), (&kept, false)] {
        let (ok, out) = node(
            &d,
            "status.mjs",
            &["check"],
            &json!({"credential": c, "list": list}),
        );
        assert!(ok, "{out}");
        let v: Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["verified"], true, "{out}");
        assert_eq!(v["status"], json!([expect]), "{out}");
    }
    // JS → ours: a list the reference made, with bits 5 and 131071 set.
    let (ok, out) = node(
        &d,
        "status.mjs",
        &["make", "--seed", SEED, "--url", url, "--set", "5,131071"],
        &json!({}),
    );
    assert!(ok, "{out}");
    let js_list: Value = serde_json::from_str(out.trim()).unwrap();
    let bits = openbadges::status::Bitstring::decode(
        js_list["credentialSubject"]["encodedList"]
            .as_str()
            .unwrap(),
        1,
    )
    .unwrap();
    assert_eq!(
        (
            bits.get(5).unwrap(),
            bits.get(6).unwrap(),
            bits.get(131071).unwrap()
        ),
        (1, 0, 1)
    );
    let mut res = LocalResources::new();
    res.insert(url, serde_json::to_vec(&js_list).unwrap());
    let mut c = credential(false, "Collaborative Learning", "y");
    c["credentialStatus"] = json!({"id": format!("{url}#5"), "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": "5", "statusListCredential": url});
    let signed = issuer
        .issue_at(&c, Suite::EddsaRdfc2022, now, None)
        .unwrap()
        .into_json();
    // The reference stamps its list with the real clock, so judge it as of then.
    let js_created = js_list["proof"]["created"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.to_utc() + chrono::Duration::hours(1))
        .unwrap_or(now);
    let r = openbadges::verify::Verifier::new(
        openbadges::verify::VerifyOptions::default()
            .at(js_created.max(now))
            .resolver(Arc::new(res)),
    )
    .verify_value(&signed)
    .unwrap();
    let status = r.check("status").unwrap();
    assert_eq!(
        status.problem.as_ref().map(|p| p.title.as_str()),
        Some("Revoked"),
        "{r}"
    );
}

/// A name or description in one of the forms VC Data Model 2.0 §11.1 allows: a plain string, one
/// language-tagged value, or a list of them in several languages.
fn multilingual(rng: &mut impl rand_chacha::rand_core::RngCore, texts: &[(&str, &str)]) -> Value {
    let pick = |r: &mut dyn rand_chacha::rand_core::RngCore| (r.next_u32() as usize) % texts.len();
    match rng.next_u32() % 3 {
        0 => Value::String(texts[pick(rng)].1.to_string()),
        1 => {
            let (lang, text) = texts[pick(rng)];
            json!({"@value": text, "@language": lang})
        }
        _ => {
            let n = 2 + (rng.next_u32() as usize) % (texts.len() - 1);
            let start = pick(rng);
            Value::Array(
                (0..n)
                    .map(|i| {
                        // No `@direction`: both stacks' safe mode refuse it without an
                        // rdfDirection option, so it cannot be signed.
                        let (lang, text) = texts[(start + i) % texts.len()];
                        json!({"@value": text, "@language": lang})
                    })
                    .collect(),
            )
        }
    }
}

#[test]
fn multilingual_badges_signed_by_js_verify_unless_they_name_a_schema_they_fail() {
    use openbadges::verify::{Verifier, VerifyOptions};
    use rand_chacha::rand_core::SeedableRng;
    let Some(d) = dir() else { return };
    let names = [
        ("en", "Flexible Grouping"),
        ("fr-CA", "Regroupement flexible"),
        ("es", "Agrupación flexible"),
        ("zh-Hans", "灵活分组"),
        ("ar", "التجميع المرن"),
    ];
    let descriptions = [
        (
            "en",
            "Groups students by need, and regroups them as they grow.",
        ),
        ("fr-CA", "Regroupe les élèves selon leurs besoins."),
        ("de", "Gruppiert Lernende nach Bedarf."),
        ("ar", "يجمع الطلاب حسب احتياجاتهم."),
    ];
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2026);
    let (mut tagged, mut with_schema) = (0, 0);
    for i in 0..12 {
        let mut c = credential(false, "placeholder", "Rubric level 3 on every criterion.");
        c["id"] = format!("urn:uuid:00000000-0000-4000-8000-{i:012}").into();
        c["name"] = multilingual(&mut rng, &names);
        c["credentialSubject"]["achievement"]["name"] = multilingual(&mut rng, &names);
        c["credentialSubject"]["achievement"]["description"] =
            multilingual(&mut rng, &descriptions);
        let names_schema = i % 3 == 0;
        if names_schema {
            // The schema validator type is defined by the OB extensions context.
            c["@context"]
                .as_array_mut()
                .unwrap()
                .push("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json".into());
            c["credentialSchema"] = json!([{
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019"
            }]);
        }
        let is_tagged = [
            "/name",
            "/credentialSubject/achievement/name",
            "/credentialSubject/achievement/description",
        ]
        .iter()
        .any(|p| !c.pointer(p).unwrap().is_string());
        tagged += usize::from(is_tagged);
        with_schema += usize::from(names_schema && is_tagged);
        let (ok, out) = node(
            &d,
            "sign.mjs",
            &["--seed", SEED, "--suite", "eddsa-rdfc-2022"],
            &c,
        );
        assert!(ok, "the JS stack signs case {i}: {out}\n{c}");
        let signed: Value = serde_json::from_str(&out).unwrap();
        let (js_ok, js_out) = node(&d, "verify.mjs", &[], &signed);
        assert!(js_ok, "the JS stack verifies its own case {i}: {js_out}");
        // The reference stamps `created` with the real clock: judge as of just after it.
        let at = chrono::DateTime::parse_from_rfc3339(signed["proof"]["created"].as_str().unwrap())
            .unwrap()
            .to_utc()
            + chrono::Duration::hours(1);
        let report = Verifier::new(VerifyOptions::default().at(at))
            .verify_value(&signed)
            .unwrap();
        if names_schema && is_tagged {
            assert!(
                !report.verified,
                "case {i} names the OB schema, which refuses language-tagged text:\n{report}"
            );
            let schema = report.check("schema").unwrap();
            assert!(schema.is_blocking(), "{report}");
        } else {
            assert!(report.verified, "case {i} (tagged: {is_tagged}):\n{report}");
        }
        if is_tagged {
            let findings = openbadges::lint::lint(&signed);
            assert!(
                findings.iter().any(|f| f.message.contains("language")),
                "lint says the official OB JSON Schema refuses language-tagged text: {findings:?}"
            );
        }
    }
    println!("multilingual: {tagged} of 12 badges carry language-tagged text, {with_schema} of them name the OB schema");
    assert!(
        tagged >= 8 && with_schema >= 2,
        "the random cases cover both kinds"
    );
}
