//! Issuer and verifier sides of Bitstring Status List together: 1,000 badges, revoke 10, suspend 5,
//! publish, verify all 1,000 → exactly those 15 fail with the right reason; reinstate the suspended
//! → they verify again.
//!
//! OB 3.0 allows exactly one `credentialStatus` object per credential (the official schema refuses
//! an array), so a badge sits on one list with one purpose: here even-numbered badges are on the
//! district's revocation list and odd-numbered ones on its suspension list.

use std::sync::Arc;

use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::proof::{ProofOptions, Suite};
use openbadges::resolve::LocalResources;
use openbadges::status::{Purpose, StatusListStore};
use openbadges::verify::{Outcome, Verifier, VerifyOptions};
use serde_json::{json, Value};

const REV: &str = "https://riverside.example/status/revocation/1";
const SUS: &str = "https://riverside.example/status/suspension/1";

fn badge(i: usize) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("urn:uuid:00000000-0000-4000-8000-{i:012}"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Growth Mindset",
        "credentialSubject": {"id": format!("did:example:teacher-{i}"), "type": ["AchievementSubject"],
            "achievement": {"id": "https://riverside.example/a/growth-mindset", "type": ["Achievement"],
                "name": "Growth Mindset", "description": "Fosters a growth mindset.",
                "criteria": {"narrative": "Rubric 3+."}}}
    })
}

#[test]
fn thousand_badges_revoke_suspend_reinstate() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-04-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let issuer = Issuer::new(
        json!({"name": "Riverside USD"}),
        SigningKey::from_seed(&[5; 32]),
    )
    .unwrap();
    let mut rev = StatusListStore::new(REV, Purpose::Revocation).unwrap();
    let mut sus = StatusListStore::new(SUS, Purpose::Suspension).unwrap();
    let created = ProofOptions::assertion().created("2026-04-01T00:00:00Z");
    let badges: Vec<Value> = (0..1000)
        .map(|i| {
            let store = if i % 2 == 0 { &mut rev } else { &mut sus };
            let doc = issuer.prepare(&badge(i), now, Some(store)).unwrap();
            issuer
                .signer()
                .expect("an Ed25519 issuer")
                .sign(&doc, Suite::EddsaRdfc2022, &created)
                .unwrap()
        })
        .collect();
    // Indexes are random and unique.
    let mut idx: Vec<usize> = badges
        .iter()
        .step_by(2)
        .map(|b| rev.index_of(b["id"].as_str().unwrap()).unwrap())
        .collect();
    idx.sort_unstable();
    idx.dedup();
    assert_eq!(idx.len(), 500);
    assert_eq!(rev.allocated_count() + sus.allocated_count(), 1000);

    let revoked: Vec<usize> = (0..10).map(|i| i * 98).collect();
    let suspended: Vec<usize> = (0..5).map(|i| 5 + i * 102).collect();
    for &i in &revoked {
        rev.revoke(badges[i]["id"].as_str().unwrap()).unwrap();
    }
    for &i in &suspended {
        sus.suspend(badges[i]["id"].as_str().unwrap()).unwrap();
    }
    // The stores survive a save / load through the atomic writer.
    let dir = tempfile::tempdir().unwrap();
    rev.save(&dir.path().join("rev.json")).unwrap();
    let rev = StatusListStore::load(&dir.path().join("rev.json")).unwrap();

    let publish = |store: &StatusListStore| {
        let list = store.list_credential(issuer.id(), "2026-04-01T00:00:00Z");
        serde_json::to_vec(
            &issuer
                .issue_at(&list, Suite::EddsaRdfc2022, now, None)
                .unwrap()
                .into_json(),
        )
        .unwrap()
    };
    let check = |sus: &StatusListStore| {
        let mut res = LocalResources::new();
        res.insert(REV, publish(&rev));
        res.insert(SUS, publish(sus));
        let v = Verifier::new(VerifyOptions::default().at(now).resolver(Arc::new(res)));
        let mut failed = Vec::new();
        for (i, b) in badges.iter().enumerate() {
            let r = v.verify_value(b).unwrap();
            if !r.verified {
                let c = r.check("status").unwrap();
                assert_eq!(c.outcome, Outcome::Failed, "{r}");
                let title = c.problem.as_ref().unwrap().title.clone();
                failed.push((i, title));
            }
        }
        failed
    };
    let failed = check(&sus);
    assert_eq!(failed.len(), 15);
    for (i, title) in &failed {
        if revoked.contains(i) {
            assert_eq!(title, "Revoked");
        } else {
            assert!(suspended.contains(i));
            assert_eq!(title, "Suspended");
        }
    }
    for &i in &suspended {
        sus.reinstate(badges[i]["id"].as_str().unwrap()).unwrap();
    }
    let failed = check(&sus);
    assert_eq!(failed.iter().map(|f| f.0).collect::<Vec<_>>(), revoked);
}

#[test]
fn list_from_another_issuer_is_read_and_named_a_tampered_one_is_not_trusted() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-04-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let issuer = Issuer::new(json!({}), SigningKey::from_seed(&[5; 32])).unwrap();
    let other = Issuer::new(json!({}), SigningKey::from_seed(&[6; 32])).unwrap();
    let mut rev = StatusListStore::new(REV, Purpose::Revocation).unwrap();
    let signed = issuer
        .issue_at(&badge(1), Suite::EddsaRdfc2022, now, Some(&mut rev))
        .unwrap()
        .into_json();
    let run = |list: Value| {
        let mut res = LocalResources::new();
        res.insert(REV, serde_json::to_vec(&list).unwrap());
        Verifier::new(VerifyOptions::default().at(now).resolver(Arc::new(res)))
            .verify_value(&signed)
            .unwrap()
    };
    let by_other = other
        .issue_at(
            &rev.list_credential(other.id(), "2026-04-01T00:00:00Z"),
            Suite::EddsaRdfc2022,
            now,
            None,
        )
        .unwrap()
        .into_json();
    // Bitstring Status List: the list's issuer MAY differ from the credential's. A list whose own
    // proof verifies is read, and the report names who signed it.
    let r = run(by_other);
    let status = r.check("status").unwrap();
    assert_eq!(status.outcome, Outcome::Passed, "{r}");
    assert!(
        status.note.as_deref().unwrap_or("").contains(other.id()),
        "{r}"
    );
    assert!(r.verified);
    let mut tampered = issuer
        .issue_at(
            &rev.list_credential(issuer.id(), "2026-04-01T00:00:00Z"),
            Suite::EddsaRdfc2022,
            now,
            None,
        )
        .unwrap()
        .into_json();
    tampered["credentialSubject"]["encodedList"] = StatusListStore::new(REV, Purpose::Revocation)
        .unwrap()
        .list_credential("x", "y")["credentialSubject"]["encodedList"]
        .clone();
    tampered["credentialSubject"]["statusPurpose"] = "revocation".into();
    let mut t2 = tampered.clone();
    t2["validFrom"] = "2026-04-01T00:00:01Z".into();
    let r = run(t2);
    assert_eq!(
        r.check("status").unwrap().outcome,
        Outcome::Indeterminate,
        "{r}"
    );
    // Danger relaxation: unknown status becomes a warning.
    let mut res = LocalResources::new();
    res.insert("https://nowhere.example/", vec![]);
    let mut opts = VerifyOptions::default().at(now).resolver(Arc::new(res));
    opts.dangerous().status_unknown_is_warning();
    let r = Verifier::new(opts).verify_value(&signed).unwrap();
    assert!(r.verified, "{r}");
    assert_eq!(r.check("status").unwrap().outcome, Outcome::Warning);
}

#[test]
fn status_check_bad_entries() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-04-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let issuer = Issuer::new(json!({}), SigningKey::from_seed(&[5; 32])).unwrap();
    let rev = StatusListStore::new(REV, Purpose::Revocation).unwrap();
    let list = serde_json::to_vec(
        &issuer
            .issue_at(
                &rev.list_credential(issuer.id(), "2026-04-01T00:00:00Z"),
                Suite::EddsaRdfc2022,
                now,
                None,
            )
            .unwrap()
            .into_json(),
    )
    .unwrap();
    for (index, expect) in [
        (json!("131072"), "RANGE_ERROR"),
        (json!("-1"), "MALFORMED"),
        (json!("abc"), "MALFORMED"),
    ] {
        let mut doc = badge(2);
        doc["credentialStatus"] = json!({"id": format!("{REV}#x"), "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": index, "statusListCredential": REV});
        let signed = issuer
            .issue_at(&doc, Suite::EddsaRdfc2022, now, None)
            .unwrap()
            .into_json();
        let mut res = LocalResources::new();
        res.insert(REV, list.clone());
        let r = Verifier::new(VerifyOptions::default().at(now).resolver(Arc::new(res)))
            .verify_value(&signed)
            .unwrap();
        let c = r.check("status").unwrap();
        assert_eq!(c.outcome, Outcome::Failed, "{r}");
        assert!(
            c.problem.as_ref().unwrap().kind.contains(expect),
            "{index}: {:?}",
            c.problem
        );
    }
}
