//! Verify what was signed: one test per way a verdict could be steered without touching a
//! signature (renaming, wrapping, presentations, identities, JWT claims, nesting, status lists,
//! flooding, the terminal). Every input is written here.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use openbadges::check::{problem_types as pt, CheckId};
use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::proof::{ProofOptions, Signer, Suite};
use openbadges::resolve::LocalResources;
use openbadges::status::{Purpose, StatusListStore};
use openbadges::verify::{Report, TrustList, Verifier, VerifyOptions};
use serde_json::{json, Value};

const LIST: &str = "https://riverside.example/status/1";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
        .unwrap()
        .to_utc()
}

fn district() -> Issuer {
    Issuer::new(
        json!({"name": "Riverside USD"}),
        SigningKey::from_seed(&[21; 32]),
    )
    .unwrap()
}

fn badge(id: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Flexible Grouping",
        "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
            "achievement": {"id": "https://riverside.example/a/flexible-grouping", "type": ["Achievement"],
                "name": "Flexible Grouping", "description": "Groups by need.",
                "criteria": {"narrative": "Rubric level 3."}}}
    })
}

fn publish(issuer: &Issuer, store: &StatusListStore) -> Value {
    let list = store.list_credential(issuer.id(), "2026-01-01T00:00:00Z");
    issuer
        .issue_at(&list, Suite::EddsaRdfc2022, now(), None)
        .unwrap()
        .into_json()
}

fn sign(issuer: &Issuer, doc: &Value) -> Value {
    issuer
        .signer()
        .expect("an Ed25519 issuer")
        .sign(
            doc,
            Suite::EddsaRdfc2022,
            &ProofOptions::assertion().created("2026-01-01T00:00:00Z"),
        )
        .unwrap()
}

/// A revoked badge on the district's list, the list, and a second list of the same issuer.
fn revoked() -> (Value, LocalResources) {
    let issuer = district();
    let mut store = StatusListStore::new(LIST, Purpose::Revocation).unwrap();
    let prepared = issuer
        .prepare(&badge("urn:uuid:revoked-1"), now(), Some(&mut store))
        .unwrap();
    let signed = sign(&issuer, &prepared);
    store.revoke("urn:uuid:revoked-1").unwrap();
    let list = publish(&issuer, &store);
    let mut local = LocalResources::new();
    local.insert(LIST, serde_json::to_vec(&list).unwrap());
    (signed, local)
}

fn verifier(local: LocalResources) -> Verifier {
    Verifier::new(VerifyOptions::default().at(now()).resolver(Arc::new(local)))
}

fn verify(doc: &Value, local: LocalResources) -> Report {
    verifier(local).verify_value(doc).unwrap()
}

fn blocked_by(r: &Report, id: CheckId) -> bool {
    r.checks.iter().any(|c| c.id == id && c.is_blocking())
}

fn rename(doc: &Value, from: &str, to: &str) -> Value {
    let mut d = doc.clone();
    let m = d.as_object_mut().unwrap();
    let v = m.shift_remove(from).unwrap();
    m.insert(to.into(), v);
    d
}

#[test]
fn the_revoked_badge_is_revoked() {
    let (signed, local) = revoked();
    let r = verify(&signed, local);
    assert_eq!(r.headline(), "NOT VERIFIED (revoked)", "{r}");
}

#[test]
fn renaming_credential_status_to_its_full_iri_does_not_hide_revocation() {
    let (signed, local) = revoked();
    let renamed = rename(
        &signed,
        "credentialStatus",
        "https://www.w3.org/2018/credentials#credentialStatus",
    );
    let r = verify(&renamed, local);
    assert!(!r.verified, "{r}");
    assert!(blocked_by(&r, CheckId::SignedTerms), "{r}");
}

#[test]
fn an_inline_alias_or_included_node_does_not_hide_revocation() {
    let (signed, local) = revoked();
    let mut aliased = rename(&signed, "credentialStatus", "revocationEntry");
    aliased["@context"].as_array_mut().unwrap().push(json!({
        "revocationEntry": {"@id": "https://www.w3.org/2018/credentials#credentialStatus", "@type": "@id"}
    }));
    let r = verify(&aliased, LocalResources::new());
    assert!(!r.verified && blocked_by(&r, CheckId::SignedTerms), "{r}");

    // The issuer node moved into @included.
    let mut included = signed.clone();
    included["@included"] = json!([{"id": included["issuer"]["id"].clone(), "type": "Profile"}]);
    let r = verify(&included, local);
    assert!(!r.verified && blocked_by(&r, CheckId::SignedTerms), "{r}");
}

#[test]
fn an_expiry_written_as_a_typed_value_under_its_full_iri_is_refused() {
    let issuer = district();
    let mut doc = badge("urn:uuid:expired-1");
    doc["validUntil"] = json!("2026-03-01T00:00:00Z");
    let prepared = issuer
        .prepare(&doc, now() - chrono::Duration::days(200), None)
        .unwrap();
    let signed = sign(&issuer, &prepared);
    assert_eq!(
        verify(&signed, LocalResources::new()).headline(),
        "NOT VERIFIED (expired)"
    );
    let mut renamed = rename(
        &signed,
        "validUntil",
        "https://www.w3.org/2018/credentials#validUntil",
    );
    renamed["https://www.w3.org/2018/credentials#validUntil"] = json!({
        "@value": "2026-03-01T00:00:00Z",
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime"
    });
    let r = verify(&renamed, LocalResources::new());
    assert!(!r.verified && blocked_by(&r, CheckId::SignedTerms), "{r}");
    // The same value object under its own name is read as a date or refused: never ignored.
    let mut typed = signed.clone();
    typed["validUntil"] = renamed["https://www.w3.org/2018/credentials#validUntil"].clone();
    assert!(!verify(&typed, LocalResources::new()).verified);
}

#[test]
fn a_forged_badge_calling_itself_a_presentation_is_not_verified() {
    let forger = Issuer::new(json!({"name": "x"}), SigningKey::from_seed(&[66; 32])).unwrap();
    let mut forged = sign(
        &forger,
        &forger.prepare(&badge("urn:uuid:f"), now(), None).unwrap(),
    );
    forged["issuer"] = district().profile();
    forged["type"]
        .as_array_mut()
        .unwrap()
        .push("VerifiablePresentation".into());
    let r = verify(&forged, LocalResources::new());
    assert!(!r.verified, "{r}");
    assert!(blocked_by(&r, CheckId::Type), "{r}");
}

fn presentation(holder_key: &SigningKey, holder: &str, badge: &Value) -> Value {
    let mut vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [badge]
    });
    let signer = Signer::did_key(holder_key.clone());
    vp = signer
        .sign(
            &vp,
            Suite::EddsaRdfc2022,
            &ProofOptions::authentication("challenge-1", Some("lakeshore.example".into()))
                .created("2026-05-01T00:00:00Z"),
        )
        .unwrap();
    vp
}

#[test]
fn presentations_are_checked() {
    let maria = SigningKey::from_seed(&[30; 32]);
    let maria_did = maria.verifying_key().did_key();
    let issuer = district();
    let mut b = badge("urn:uuid:p1");
    b["credentialSubject"]["id"] = maria_did.clone().into();
    let good = sign(&issuer, &issuer.prepare(&b, now(), None).unwrap());
    let with = |c: &str| {
        Verifier::new(
            VerifyOptions::default()
                .at(now())
                .challenge(c)
                .domain("lakeshore.example"),
        )
    };
    let vp = presentation(&maria, &maria_did, &good);
    let r = with("challenge-1").verify_value(&vp).unwrap();
    assert!(r.verified, "{r}");
    assert_eq!(r.credentials.len(), 1);
    // Replayed to another verifier's challenge.
    let r = with("challenge-2").verify_value(&vp).unwrap();
    assert!(
        !r.verified && blocked_by(&r, CheckId::PresentationProof),
        "{r}"
    );
    // Signed by someone other than the holder.
    let mallory = SigningKey::from_seed(&[31; 32]);
    let stolen = presentation(&mallory, &maria_did, &good);
    let r = with("challenge-1").verify_value(&stolen).unwrap();
    assert!(!r.verified && blocked_by(&r, CheckId::Holder), "{r}");
    // No proof at all.
    let mut unsigned = vp.clone();
    unsigned.as_object_mut().unwrap().shift_remove("proof");
    let r = with("challenge-1").verify_value(&unsigned).unwrap();
    assert!(
        !r.verified && blocked_by(&r, CheckId::PresentationProof),
        "{r}"
    );
    let mut relaxed = VerifyOptions::default().at(now());
    relaxed.dangerous().accept_unsigned_presentation();
    assert!(
        Verifier::new(relaxed)
            .verify_value(&unsigned)
            .unwrap()
            .verified
    );
}

#[test]
fn issuer_binding_compares_identities_and_refuses_unbindable_ids() {
    let attacker = SigningKey::from_seed(&[40; 32]);
    let signer = Signer::did_key(attacker);
    for issuer_id in [
        "HTTPS://riverside.example/issuers/1",
        "urn:uuid:8f0e0c1e-0000-4000-8000-000000000001",
        "mailto:hr@riverside.example",
    ] {
        let mut doc = badge("urn:uuid:bind");
        doc["issuer"] = json!({"id": issuer_id, "type": ["Profile"], "name": "Riverside USD"});
        doc["validFrom"] = json!("2026-01-01T00:00:00Z");
        let signed = signer
            .sign(
                &doc,
                Suite::EddsaRdfc2022,
                &ProofOptions::assertion().created("2026-01-01T00:00:00Z"),
            )
            .unwrap();
        let options = VerifyOptions::default()
            .at(now())
            .trust(TrustList::new().trust(issuer_id));
        let r = Verifier::new(options).verify_value(&signed).unwrap();
        assert!(!r.verified, "{issuer_id}: {r}");
        assert!(blocked_by(&r, CheckId::IssuerKey), "{issuer_id}: {r}");
        assert_ne!(
            r.trusted,
            Some(true),
            "{issuer_id}: trust rests on a bound identity"
        );
        assert!(r.signed_by.is_none(), "{issuer_id}");
    }
}

fn jwt(key: &SigningKey, header: Value, payload: Value) -> String {
    let h = URL_SAFE_NO_PAD.encode(header.to_string());
    let p = URL_SAFE_NO_PAD.encode(payload.to_string());
    let sig = key.sign(format!("{h}.{p}").as_bytes());
    format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(sig))
}

#[test]
fn vc_jwt_dates_and_crit_follow_rfc_7519_and_7515() {
    let key = SigningKey::from_seed(&[50; 32]);
    let did = key.verifying_key().did_key();
    let kid = key.verifying_key().did_key_verification_method();
    let mut vc = badge("urn:uuid:jwt-1");
    vc["issuer"] = json!({"id": did, "type": ["Profile"], "name": "R"});
    vc["validFrom"] = json!("2020-01-01T00:00:00Z");
    let header = json!({"alg": "EdDSA", "kid": kid, "typ": "vc+ld+json+jwt"});
    let verifier = Verifier::new(VerifyOptions::default().at(now()));
    let with = |claims: Value| {
        let mut p = vc.clone();
        for (k, v) in claims.as_object().unwrap() {
            p[k] = v.clone();
        }
        verifier.verify_jwt(&jwt(&key, header.clone(), p))
    };
    assert!(with(json!({"iss": did})).verified);
    // A fractional NumericDate is a date: the token expired in 2020.
    let r = with(json!({"iss": did, "exp": 1_600_000_000.5}));
    assert_eq!(r.headline(), "NOT VERIFIED (expired)", "{r}");
    // A string is not a NumericDate.
    let r = with(json!({"iss": did, "exp": "1600000000"}));
    assert!(!r.verified && blocked_by(&r, CheckId::Proof), "{r}");
    // Expired, but the caller accepts expired badges by name: authentic, so verified.
    let mut lenient = VerifyOptions::default().at(now());
    lenient.dangerous().accept_expired();
    let mut p = vc.clone();
    p["exp"] = json!(1_600_000_000);
    p["iss"] = json!(did);
    assert!(
        Verifier::new(lenient)
            .verify_jwt(&jwt(&key, header.clone(), p))
            .verified
    );
    // An unknown critical header parameter.
    let mut crit = header.clone();
    crit["crit"] = json!(["https://example.org/must-understand"]);
    crit["https://example.org/must-understand"] = json!(true);
    let r = verifier.verify_jwt(&jwt(&key, crit, vc.clone()));
    assert!(!r.verified && blocked_by(&r, CheckId::Proof), "{r}");
}

#[test]
fn a_forged_badge_nested_two_clrs_deep_is_found() {
    let issuer = district();
    let maria = "did:example:maria";
    let good = sign(
        &issuer,
        &issuer.prepare(&badge("urn:uuid:n1"), now(), None).unwrap(),
    );
    let mut forged = good.clone();
    forged["credentialSubject"]["achievement"]["name"] = json!("Teacher Leader");
    let clr = |nested: Vec<Value>, id: &str| {
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": id, "type": ["VerifiableCredential", "ClrCredential"], "name": "Transcript",
            "credentialSubject": {"id": maria, "type": ["ClrSubject"], "verifiableCredential": nested}
        });
        sign(&issuer, &issuer.prepare(&doc, now(), None).unwrap())
    };
    let inner = clr(vec![good.clone(), forged], "urn:uuid:inner");
    let outer = clr(vec![good, inner], "urn:uuid:outer");
    let r = verify(&outer, LocalResources::new());
    assert!(!r.verified, "{r}");
    assert!(blocked_by(&r, CheckId::NestedCredentials), "{r}");
    let inner_report = &r.credentials[1];
    assert!(
        !inner_report.verified && !inner_report.credentials[1].verified,
        "{r}"
    );
    assert!(inner_report.credentials[0].verified);
}

#[test]
fn the_wrong_status_list_is_refused() {
    let issuer = district();
    let mut store = StatusListStore::new(LIST, Purpose::Revocation).unwrap();
    let prepared = issuer
        .prepare(&badge("urn:uuid:w1"), now(), Some(&mut store))
        .unwrap();
    let signed = sign(&issuer, &prepared);
    store.revoke("urn:uuid:w1").unwrap();
    // The same issuer's other list, served where /status/1 is named.
    let other = publish(
        &issuer,
        &StatusListStore::new("https://riverside.example/status/2", Purpose::Revocation).unwrap(),
    );
    let mut local = LocalResources::new();
    local.insert(LIST, serde_json::to_vec(&other).unwrap());
    let r = verify(&signed, local);
    assert!(!r.verified, "{r}");
    assert!(
        r.headline()
            .starts_with("NOT VERIFIED (could not check its status"),
        "{r}"
    );
    // A list of another type.
    let mut wrong_type = publish(&issuer, &store);
    wrong_type["type"] = json!(["VerifiableCredential", "StatusList2021Credential"]);
    let mut local = LocalResources::new();
    local.insert(LIST, serde_json::to_vec(&wrong_type).unwrap());
    assert!(!verify(&signed, local).verified);
}

#[test]
fn a_proof_copied_forty_times_is_canonicalized_once() {
    let (signed, local) = revoked();
    let mut flood = signed.clone();
    let proof = flood["proof"].clone();
    flood["proof"] = Value::Array(vec![proof; 40]);
    let start = std::time::Instant::now();
    let r = verify(&flood, local);
    assert!(!r.verified);
    // Not a speed measurement: a guard against canonicalizing 40 times (seconds, not minutes).
    assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
}

#[test]
fn a_future_proof_date_fails_the_proof() {
    let issuer = district();
    let prepared = issuer
        .prepare(&badge("urn:uuid:future"), now(), None)
        .unwrap();
    let signed = issuer
        .signer()
        .expect("an Ed25519 issuer")
        .sign(
            &prepared,
            Suite::EddsaRdfc2022,
            &ProofOptions::assertion().created("2027-01-01T00:00:00Z"),
        )
        .unwrap();
    let r = verify(&signed, LocalResources::new());
    assert!(!r.verified && blocked_by(&r, CheckId::Proof), "{r}");
}

#[test]
fn control_characters_from_a_credential_never_reach_the_terminal() {
    let issuer = district();
    let mut doc = badge("urn:uuid:ansi");
    doc["credentialSubject"]["achievement"]["name"] =
        json!("\u{1b}[2J\u{1b}[HVERIFIED: Teacher Leader\r");
    doc["credentialSubject"]["achievement"]["description"] =
        json!("ok\u{1b}[32m\nVERIFIED\u{202e}");
    let signed = sign(&issuer, &issuer.prepare(&doc, now(), None).unwrap());
    let text = verify(&signed, LocalResources::new()).to_string();
    assert!(
        !text.chars().any(|c| c == '\u{1b}' || c == '\r'),
        "{text:?}"
    );
}

#[test]
fn short_and_trailing_status_lists() {
    // A list with bytes after its gzip stream is unreadable, never "not revoked".
    let (signed, _) = revoked();
    let issuer = district();
    let mut store = StatusListStore::new(LIST, Purpose::Revocation).unwrap();
    let prepared = issuer
        .prepare(&badge("urn:uuid:t1"), now(), Some(&mut store))
        .unwrap();
    let b = sign(&issuer, &prepared);
    let mut list = publish(&issuer, &store);
    let enc = list["credentialSubject"]["encodedList"]
        .as_str()
        .unwrap()
        .to_string();
    let mut bytes = URL_SAFE_NO_PAD.decode(&enc[1..]).unwrap();
    bytes.extend_from_slice(b"trailing");
    list["credentialSubject"]["encodedList"] = format!("u{}", URL_SAFE_NO_PAD.encode(bytes)).into();
    list.as_object_mut().unwrap().shift_remove("proof");
    let list = issuer
        .signer()
        .expect("an Ed25519 issuer")
        .sign(
            &list,
            Suite::EddsaRdfc2022,
            &ProofOptions::assertion().created("2026-01-01T00:00:00Z"),
        )
        .unwrap();
    let mut local = LocalResources::new();
    local.insert(LIST, serde_json::to_vec(&list).unwrap());
    let r = verify(&b, local);
    assert!(!r.verified, "{r}");
    let status = r.check("status").unwrap();
    assert!(
        status
            .problem
            .as_ref()
            .unwrap()
            .detail
            .contains("after the end"),
        "{r}"
    );
    let _ = (signed, pt::REVOKED);
}

#[test]
fn judging_at_a_past_time_reads_a_status_list_published_later() {
    let issuer = district();
    let mut store = StatusListStore::new(LIST, Purpose::Revocation).unwrap();
    let prepared = issuer
        .prepare(
            &badge("urn:uuid:past"),
            now() - chrono::Duration::days(100),
            Some(&mut store),
        )
        .unwrap();
    let signed = sign(&issuer, &prepared);
    let at = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let judge = |store: &StatusListStore| {
        // The list the district publishes in May, read when judging as of March.
        let list = issuer
            .issue_at(
                &store.list_credential(issuer.id(), "2026-05-01T00:00:00Z"),
                Suite::EddsaRdfc2022,
                DateTime::parse_from_rfc3339("2026-05-01T00:00:00Z")
                    .unwrap()
                    .to_utc(),
                None,
            )
            .unwrap()
            .into_json();
        let mut local = LocalResources::new();
        local.insert(LIST, serde_json::to_vec(&list).unwrap());
        Verifier::new(VerifyOptions::default().at(at).resolver(Arc::new(local)))
            .verify_value(&signed)
            .unwrap()
    };
    let r = judge(&store);
    assert!(r.verified, "{r}");
    assert!(
        r.check("status")
            .unwrap()
            .note
            .as_deref()
            .unwrap_or("")
            .contains("published after"),
        "{r}"
    );
    store.revoke("urn:uuid:past").unwrap();
    assert_eq!(judge(&store).headline(), "NOT VERIFIED (revoked)");
}
