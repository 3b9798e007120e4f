//! Property: the verdict is a function of what was signed. Reordering members never changes it;
//! rewriting a signed revoked, expired or forged credential into another JSON-LD form of the same
//! graph (full IRIs, compact IRIs, inline aliases, `@included`, `@graph`) never makes it verify;
//! and changing what the signature covers (status, dates, issuer, subject) is never verified.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::proof::{ProofOptions, Suite};
use openbadges::resolve::LocalResources;
use openbadges::status::{Purpose, StatusListStore};
use openbadges::verify::{Report, Verifier, VerifyOptions};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const LIST: &str = "https://riverside.example/status/1";
const CRED: &str = "https://www.w3.org/2018/credentials#";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
        .unwrap()
        .to_utc()
}

/// A signed badge (revoked or not, expired or not) and the verifier that sees its list.
fn fixture(revoke: bool, expired: bool) -> (Value, Verifier) {
    let issuer = Issuer::new(
        json!({"name": "Riverside USD"}),
        SigningKey::from_seed(&[77; 32]),
    )
    .unwrap();
    let mut store = StatusListStore::new(LIST, Purpose::Revocation).unwrap();
    let mut doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:prop-1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Growth Mindset",
        "validUntil": if expired { "2026-03-01T00:00:00Z" } else { "2027-03-01T00:00:00Z" },
        "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
            "achievement": {"id": "https://riverside.example/a/gm", "type": ["Achievement"],
                "name": "Growth Mindset", "description": "d", "criteria": {"narrative": "n"}}}
    });
    doc = issuer
        .prepare(&doc, now() - chrono::Duration::days(200), Some(&mut store))
        .unwrap();
    let signed = issuer
        .signer()
        .expect("an Ed25519 issuer")
        .sign(
            &doc,
            Suite::EddsaRdfc2022,
            &ProofOptions::assertion().created("2025-11-01T00:00:00Z"),
        )
        .unwrap();
    if revoke {
        store.revoke("urn:uuid:prop-1").unwrap();
    }
    let list = issuer
        .issue_at(
            &store.list_credential(issuer.id(), "2025-11-01T00:00:00Z"),
            Suite::EddsaRdfc2022,
            now() - chrono::Duration::days(1),
            None,
        )
        .unwrap()
        .into_json();
    let mut local = LocalResources::new();
    local.insert(LIST, serde_json::to_vec(&list).unwrap());
    let verifier = Verifier::new(VerifyOptions::default().at(now()).resolver(Arc::new(local)));
    (signed, verifier)
}

fn verdict(r: &Report) -> String {
    r.headline()
}

/// Reorders every object's members by `seed` (a permutation per object).
fn reorder(v: &Value, seed: u64) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            let n = entries.len();
            for i in (1..n).rev() {
                let j = ((seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(i as u64))
                    >> 33) as usize
                    % (i + 1);
                entries.swap(i, j);
            }
            let mut out = Map::new();
            for (k, x) in entries {
                out.insert(k.clone(), reorder(x, seed.rotate_left(7) ^ n as u64));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| reorder(x, seed)).collect()),
        other => other.clone(),
    }
}

/// The JSON-LD-equivalent rewrites of one member.
fn rewrite(doc: &Value, member: &str, how: u8) -> Value {
    let mut d = doc.clone();
    let m = d.as_object_mut().unwrap();
    let Some(v) = m.shift_remove(member) else {
        return d;
    };
    match how % 4 {
        0 => {
            m.insert(format!("{CRED}{member}"), v);
        }
        1 => {
            m.insert(format!("cred:{member}"), v);
            m["@context"]
                .as_array_mut()
                .unwrap()
                .push(json!({"cred": CRED}));
        }
        2 => {
            m.insert(format!("my{member}"), v);
            m["@context"].as_array_mut().unwrap().push(json!({
                format!("my{member}"): {"@id": format!("{CRED}{member}"), "@type": "@id"}
            }));
        }
        _ => {
            // Moved into an @included node of the same id.
            let id = m.get("id").cloned().unwrap_or(Value::Null);
            m.insert("@included".into(), json!([{ "id": id, member: v }]));
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn reordering_never_changes_the_verdict(seed in any::<u64>(), revoke in any::<bool>(), expired in any::<bool>()) {
        let (signed, verifier) = fixture(revoke, expired);
        let before = verifier.verify_value(&signed).unwrap();
        let after = verifier.verify_value(&reorder(&signed, seed)).unwrap();
        prop_assert_eq!(verdict(&before), verdict(&after));
        prop_assert_eq!(before.verified, !revoke && !expired);
    }

    #[test]
    fn equivalent_rewrites_never_make_a_bad_badge_verify(
        member in prop::sample::select(vec!["credentialStatus", "validUntil", "issuer", "credentialSubject"]),
        how in 0u8..4,
        revoke in any::<bool>(),
        expired in any::<bool>(),
    ) {
        let (signed, verifier) = fixture(revoke, expired);
        let r = verifier.verify_value(&rewrite(&signed, member, how)).unwrap();
        // Whatever the credential's status: a rewritten one is never verified, and it is
        // refused as not written in its signed terms (or its signature fails).
        prop_assert!(!r.verified, "{}", r);
        prop_assert!(
            r.check("signed-terms").is_some_and(|c| c.is_blocking())
                || r.check("proof").is_some_and(|c| c.is_blocking()),
            "{}", r
        );
    }

    #[test]
    fn changing_what_was_signed_is_never_verified(
        member in prop::sample::select(vec!["credentialStatus", "validUntil", "issuer", "credentialSubject", "validFrom"]),
    ) {
        let (signed, verifier) = fixture(false, false);
        let mut d = signed.clone();
        match member {
            "credentialStatus" => { d.as_object_mut().unwrap().shift_remove("credentialStatus"); }
            "validUntil" => d["validUntil"] = json!("2099-01-01T00:00:00Z"),
            "validFrom" => d["validFrom"] = json!("2020-01-01T00:00:00Z"),
            "issuer" => d["issuer"]["id"] = json!("did:example:someone-else"),
            _ => d["credentialSubject"]["id"] = json!("did:example:someone-else"),
        }
        let r = verifier.verify_value(&d).unwrap();
        prop_assert!(!r.verified, "{}", r);
    }
}
