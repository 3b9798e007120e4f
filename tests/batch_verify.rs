//! `Verifier::verify_many` checks the Ed25519 signatures of many inputs in batches and must give,
//! for every input, the report verifying it alone gives — byte for byte, as JSON.
//!
//! The corpus is built here with the crate's own issuing API and fixed keys (three Ed25519
//! issuers, one P-256 issuer; `issue_at` a fixed instant, so it is the same on every run): a few
//! hundred valid badges in every EdDSA form (eddsa-rdfc-2022, eddsa-jcs-2022,
//! Ed25519Signature2020, EdDSA VC-JWT) and ES256 VC-JWTs (never deferred), then what must not
//! verify — a changed field, a flipped signature bit, a signature by the wrong key, a
//! non-canonical `S` (`S + ℓ`), a small-order `R`, `R` plus a point of order 2, 4 or 8 (the
//! forgery a batch equation alone would accept), a bad signature in a proof set, a tampered
//! VC-JWT — plus revoked and expired badges, badges on a status list whose own signature is
//! forged (its verdict is cached across documents and must never be deferred), CLRs with a good
//! and a tampered nested credential, a presentation, and inputs that fail before any signature
//! (not JSON, a PDF, a member written as a full IRI). Shuffled with a fixed seed, it is
//! verified with several chunk sizes and thread counts.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::CompressedEdwardsY;
use openbadges::jwt::Algorithm;
use openbadges::keys::batch::MIN_BATCH;
use openbadges::keys::SigningKey;
use openbadges::portfolio::Portfolio;
use openbadges::proof::{ProofOptions, Signer, Suite};
use openbadges::resolve::LocalResources;
use openbadges::status::{Purpose, StatusListStore};
use openbadges::verify::{Verifiable, Verifier};
use openbadges::{Issuer, IssuerKey, Report, VerifyOptions};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde_json::{json, Value};

const LIST_A: &str = "https://riverside.example/status/1";
const LIST_FORGED: &str = "https://lakeside.example/status/1";

fn issued_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-15T08:00:00Z")
        .unwrap()
        .to_utc()
}

fn badge(n: usize, extra: Value) -> Value {
    let mut b = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("Flexible Grouping {n}"),
        "credentialSubject": {"id": format!("did:example:teacher-{n}"),
            "type": ["AchievementSubject"],
            "achievement": {"id": format!("https://riverside.example/a/{}", n % 7),
                "type": ["Achievement"], "name": "Flexible Grouping",
                "description": "Groups students flexibly.",
                "criteria": {"narrative": "Rubric score 3 or higher."}}}
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut b, extra) {
        b.extend(e);
    }
    b
}

/// What an input must give (a sanity check of the corpus; the test itself compares reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Verified,
    NotVerified,
}

struct Corpus {
    items: Vec<(String, Vec<u8>, Want)>,
    resources: LocalResources,
}

/// Re-encodes the `proofValue` of proof `i` (or the only proof) after `f` changed the signature.
fn with_signature(doc: &Value, pointer: &str, f: impl FnOnce(&mut [u8; 64])) -> Value {
    let mut d = doc.clone();
    let pv = d.pointer(pointer).and_then(Value::as_str).unwrap();
    let mut sig: [u8; 64] = bs58::decode(&pv[1..])
        .into_vec()
        .unwrap()
        .try_into()
        .unwrap();
    f(&mut sig);
    *d.pointer_mut(pointer).unwrap() = format!("z{}", bs58::encode(sig).into_string()).into();
    d
}

/// ℓ, the order of the base point, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap()
}

fn corpus(valid: usize) -> Corpus {
    let now = issued_at();
    let keys: Vec<IssuerKey> = (1..=3u8)
        .map(|i| IssuerKey::ed25519_from_seed(&[i; 32]))
        .collect();
    let issuers: Vec<Issuer> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| Issuer::new(json!({"name": format!("District {i}")}), k.clone()).unwrap())
        .collect();
    let p256 = Issuer::new(
        json!({"name": "Hillside"}),
        IssuerKey::p256_from_bytes(&[2; 32]).unwrap(),
    )
    .unwrap();
    let mut list_a = StatusListStore::new(LIST_A, Purpose::Revocation).unwrap();
    let mut list_forged = StatusListStore::new(LIST_FORGED, Purpose::Revocation).unwrap();
    let mut items: Vec<(String, Vec<u8>, Want)> = Vec::new();
    let securing = |n: usize| -> openbadges::Securing {
        match n % 10 {
            0..=5 => Suite::EddsaRdfc2022.into(),
            6 | 7 => Suite::EddsaJcs2022.into(),
            8 => Suite::Ed25519Signature2020.into(),
            _ => Algorithm::EdDsa.into(),
        }
    };
    let mut valid_docs = Vec::new();
    for n in 0..valid {
        let issuer = &issuers[n % 3];
        let status = (n % 3 == 0).then_some(&mut list_a);
        let issued = issuer
            .issue_at(&badge(n, json!({})), securing(n), now, status)
            .unwrap();
        if let Some(d) = issued.as_document() {
            valid_docs.push(d.clone());
        }
        items.push((
            format!("valid {n}"),
            issued.to_text().into_bytes(),
            Want::Verified,
        ));
    }
    for n in 0..4 {
        let issued = p256
            .issue_at(&badge(900 + n, json!({})), Algorithm::Es256, now, None)
            .unwrap();
        items.push((
            format!("es256 {n}"),
            issued.to_text().into_bytes(),
            Want::Verified,
        ));
    }
    let rdfc = |n: usize, extra: Value, status: Option<&mut StatusListStore>| -> Value {
        issuers[n % 3]
            .issue_at(&badge(n, extra), Suite::EddsaRdfc2022, now, status)
            .unwrap()
            .into_json()
    };
    let not = |items: &mut Vec<(String, Vec<u8>, Want)>, what: &str, v: &Value| {
        items.push((what.to_string(), bytes(v), Want::NotVerified));
    };
    // A changed field, in each suite.
    for (k, doc) in valid_docs.iter().take(12).enumerate() {
        let mut d = doc.clone();
        d["credentialSubject"]["id"] = format!("did:example:impostor-{k}").into();
        not(&mut items, &format!("tampered {k}"), &d);
    }
    // One flipped bit in R, in S.
    for (k, bit) in [3usize, 77, 300, 500].into_iter().enumerate() {
        let d = with_signature(&rdfc(1000 + k, json!({}), None), "/proof/proofValue", |s| {
            s[bit / 8] ^= 1 << (bit % 8)
        });
        not(&mut items, &format!("flipped bit {bit}"), &d);
    }
    // Signed by a key that is not the one the proof names.
    for k in 0..2 {
        let unsigned = issuers[0]
            .prepare(&badge(1100 + k, json!({})), now, None)
            .unwrap();
        let wrong = Signer::new(
            SigningKey::from_seed(&[9; 32]),
            issuers[0].verification_method(),
        );
        let created = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let d = wrong
            .sign(
                &unsigned,
                Suite::EddsaRdfc2022,
                &ProofOptions::assertion().created(created),
            )
            .unwrap();
        not(&mut items, &format!("wrong key {k}"), &d);
    }
    // S + ℓ: the same point equation, a non-canonical encoding strict verification refuses.
    let d = with_signature(&rdfc(1200, json!({}), None), "/proof/proofValue", |s| {
        let mut carry = 0u16;
        for j in 0..32 {
            let v = s[32 + j] as u16 + L[j] as u16 + carry;
            s[32 + j] = v as u8;
            carry = v >> 8;
        }
    });
    not(&mut items, "non-canonical S", &d);
    // A small-order R (the identity).
    let d = with_signature(&rdfc(1201, json!({}), None), "/proof/proofValue", |s| {
        s[..32].copy_from_slice(&{
            let mut id = [0u8; 32];
            id[0] = 1;
            id
        })
    });
    not(&mut items, "small-order R", &d);
    // R plus a point of order 2, 4 or 8: what a batch equation alone cannot see.
    for t in [4usize, 2, 1] {
        let d = with_signature(&rdfc(1300 + t, json!({}), None), "/proof/proofValue", |s| {
            let r = CompressedEdwardsY(s[..32].try_into().unwrap())
                .decompress()
                .unwrap();
            s[..32].copy_from_slice((r + EIGHT_TORSION[t]).compress().as_bytes());
        });
        not(&mut items, &format!("torsion-mauled R ({t})"), &d);
    }
    // A proof set: a good proof by the issuer beside a forged one by another issuer.
    {
        let doc = rdfc(1400, json!({}), None);
        let cosigned = issuers[1]
            .signer()
            .unwrap()
            .sign(
                &doc,
                Suite::EddsaRdfc2022,
                &ProofOptions::assertion().created("2026-01-15T08:00:00Z"),
            )
            .unwrap();
        items.push(("proof set".into(), bytes(&cosigned), Want::Verified));
        let forged = with_signature(&cosigned, "/proof/1/proofValue", |s| s[40] ^= 2);
        not(&mut items, "proof set, one forged", &forged);
    }
    // A VC-JWT with its signature changed, and one with its claims changed.
    {
        let token = issuers[2]
            .issue_at(&badge(1500, json!({})), Algorithm::EdDsa, now, None)
            .unwrap()
            .to_text();
        let mut parts: Vec<String> = token.trim().split('.').map(String::from).collect();
        let mut sig = parts[2].clone().into_bytes();
        sig[5] = if sig[5] == b'A' { b'B' } else { b'A' };
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            String::from_utf8(sig).unwrap()
        );
        items.push(("jwt, forged".into(), forged.into_bytes(), Want::NotVerified));
        use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
        let mut claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        claims["name"] = "Something Else".into();
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        items.push((
            "jwt, tampered".into(),
            parts.join(".").into_bytes(),
            Want::NotVerified,
        ));
    }
    // Revoked, and expired.
    let mut revoked_ids = Vec::new();
    for k in 0..3 {
        let d = rdfc(1602 + 3 * k, json!({}), Some(&mut list_a));
        revoked_ids.push(d["id"].as_str().unwrap().to_string());
        not(&mut items, &format!("revoked {k}"), &d);
    }
    for k in 0..2 {
        let d = rdfc(
            1700 + k,
            json!({"validUntil": "2026-01-15T09:00:00Z"}),
            None,
        );
        not(&mut items, &format!("expired {k}"), &d);
    }
    // On a status list whose signature is forged: every credential on it fails its status
    // check, whether it comes first or last (the list's verdict is cached).
    for k in 0..3 {
        let d = rdfc(1800 + k, json!({}), Some(&mut list_forged));
        not(&mut items, &format!("forged list {k}"), &d);
    }
    // Fails before any signature.
    items.push((
        "not json".into(),
        b"hello, world".to_vec(),
        Want::NotVerified,
    ));
    items.push(("pdf".into(), b"%PDF-1.7\n".to_vec(), Want::NotVerified));
    items.push(("empty object".into(), b"{}".to_vec(), Want::NotVerified));
    // A member written as a full IRI, which the signed-terms stage refuses.
    let hidden = issuers[0]
        .issue_at(
            &badge(
                1900,
                json!({"https://schema.org/description": "not a term"}),
            ),
            Suite::EddsaJcs2022,
            now,
            None,
        )
        .unwrap()
        .into_json();
    not(&mut items, "full IRI", &hidden);
    // CLRs: one with every nested credential good, one with a nested credential changed after
    // it was signed (the CLR's own proof is good).
    {
        let verifier = Verifier::new(VerifyOptions::default().at(now + Duration::hours(2)));
        let holder = "did:example:maria";
        let mut folio = Portfolio::new();
        for k in 0..10 {
            let mut b = badge(2000 + k, json!({}));
            b["credentialSubject"]["id"] = holder.into();
            let signed = issuers[k % 3]
                .issue_at(&b, Suite::EddsaRdfc2022, now, None)
                .unwrap()
                .into_json();
            folio
                .add_value(format!("clr badge {k}"), &signed, &verifier)
                .unwrap();
        }
        let clr = openbadges::clr::bundle(&folio, holder, "Maria's record", None).unwrap();
        let signed = issuers[0]
            .issue_at(&clr, Suite::EddsaRdfc2022, now, None)
            .unwrap()
            .into_json();
        items.push(("clr".into(), bytes(&signed), Want::Verified));
        let mut bad = clr.clone();
        bad["credentialSubject"]["verifiableCredential"][4]["name"] = "Changed".into();
        let signed = issuers[0]
            .issue_at(&bad, Suite::EddsaRdfc2022, now, None)
            .unwrap()
            .into_json();
        not(&mut items, "clr, nested tampered", &signed);
    }
    // A presentation by the holder of what it presents.
    {
        let teacher = SigningKey::from_seed(&[42; 32]);
        let holder = teacher.verifying_key().did_key();
        let mut b = badge(2100, json!({}));
        b["credentialSubject"]["id"] = holder.clone().into();
        let signed = issuers[1]
            .issue_at(&b, Suite::EddsaRdfc2022, now, None)
            .unwrap()
            .into_json();
        // As `present::present` makes it, at the corpus's instant.
        let vp = Signer::did_key(teacher)
            .sign(
                &json!({
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "id": "urn:uuid:8b0f6f3e-2a4c-4c1e-9a57-3d1f0c6e9b21",
                    "type": ["VerifiablePresentation"],
                    "holder": holder,
                    "verifiableCredential": [signed],
                }),
                Suite::EddsaRdfc2022,
                &ProofOptions::authentication("nonce-1", None).created("2026-01-15T08:00:00Z"),
            )
            .unwrap();
        items.push(("presentation".into(), bytes(&vp), Want::Verified));
    }

    for id in &revoked_ids {
        list_a.revoke(id).unwrap();
    }
    let mut resources = LocalResources::new();
    let publish = |store: &StatusListStore, issuer: &Issuer| -> Value {
        let list = store.list_credential(issuer.id(), "2026-01-15T08:00:00Z");
        issuer
            .issue_at(&list, Suite::EddsaRdfc2022, now, None)
            .unwrap()
            .into_json()
    };
    resources.insert(LIST_A, bytes(&publish(&list_a, &issuers[0])));
    let forged = with_signature(
        &publish(&list_forged, &issuers[0]),
        "/proof/proofValue",
        |s| s[50] ^= 1,
    );
    resources.insert(LIST_FORGED, bytes(&forged));
    // Shuffled with a fixed seed: the bad ones fall anywhere, in any chunk.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    for i in (1..items.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
    Corpus { items, resources }
}

fn options(c: &Corpus) -> VerifyOptions {
    VerifyOptions::default()
        .at(issued_at() + Duration::hours(2))
        .resolver(Arc::new(c.resources.clone()))
}

fn json(r: &openbadges::Result<Report>) -> String {
    match r {
        Ok(r) => serde_json::to_string(r).unwrap(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn every_report_is_the_one_verifying_alone_gives() {
    let c = corpus(420);
    let alone_verifier = Verifier::new(options(&c));
    let alone: Vec<String> = c
        .items
        .iter()
        .map(|(_, b, _)| json(&alone_verifier.verify_bytes(b)))
        .collect();
    // The corpus is what it says.
    for ((what, b, want), report) in c.items.iter().zip(&alone) {
        let r = alone_verifier.verify_bytes(b).unwrap();
        assert_eq!(r.verified, *want == Want::Verified, "{what}: {report}");
    }
    // The whole corpus; and without the torsion-mauled signatures, since a chunk with one is
    // checked one by one (its torsion check fails), while other forgeries only split a batch.
    let mauled = |what: &str| what.starts_with("torsion-mauled");
    for with_mauled in [true, false] {
        let picked: Vec<usize> = (0..c.items.len())
            .filter(|i| with_mauled || !mauled(&c.items[*i].0))
            .collect();
        let inputs: Vec<&[u8]> = picked.iter().map(|i| c.items[*i].1.as_slice()).collect();
        // (slice size, threads): one call for everything, per-worker chunks as the CLI makes
        // them, slices near a batch's minimum, and the verifier's own threads.
        for (slice, threads) in [
            (usize::MAX, 1),
            (256, 1),
            (100, 1),
            (usize::MAX, 2),
            (300, 3),
        ] {
            let verifier = Verifier::new(options(&c)).with_threads(threads);
            let mut got = Vec::new();
            for part in inputs.chunks(slice.min(inputs.len())) {
                got.extend(verifier.verify_many(part).iter().map(json));
            }
            assert_eq!(got.len(), inputs.len());
            for (g, i) in got.iter().zip(&picked) {
                assert_eq!(
                    g, &alone[*i],
                    "{} differs (slice {slice}, {threads} threads)",
                    c.items[*i].0
                );
            }
            let stats = verifier.batch_stats();
            assert_eq!(stats.inputs, inputs.len() as u64);
            // Every input with a bad Ed25519 signature of its own (or a nested one's) was done
            // again, and no other.
            let forged = if with_mauled { 27 } else { 24 };
            assert_eq!(stats.reverified, forged, "{stats:?}");
            if !with_mauled {
                assert!(
                    stats.batched > 200,
                    "{stats:?} (slice {slice}, {threads} threads)"
                );
            }
            // The verifier's caches after a batch give the same verdicts as a fresh one's:
            // nothing assumed during the batch (the forged list above all) was kept.
            for (b, i) in inputs.iter().zip(&picked).step_by(7) {
                assert_eq!(
                    json(&verifier.verify_bytes(b)),
                    alone[*i],
                    "{}",
                    c.items[*i].0
                );
            }
        }
    }
}

#[test]
fn a_valid_corpus_takes_the_batch_path() {
    let c = corpus(MIN_BATCH + 40);
    let valid: Vec<&[u8]> = c
        .items
        .iter()
        .filter(|(what, _, _)| what.starts_with("valid "))
        .map(|(_, b, _)| b.as_slice())
        .collect();
    let verifier = Verifier::new(options(&c)).with_threads(1);
    let reports = verifier.verify_many(&valid);
    assert!(reports.iter().all(|r| r.as_ref().unwrap().verified));
    let stats = verifier.batch_stats();
    // One Ed25519 signature per badge, all of them judged by a passing batch equation.
    assert_eq!(stats.deferred, valid.len() as u64, "{stats:?}");
    assert_eq!(stats.batched, valid.len() as u64, "{stats:?}");
    assert_eq!(stats.reverified, 0, "{stats:?}");
}

#[test]
fn values_tokens_and_portfolios_batch_the_same_way() {
    let mut c = corpus(MIN_BATCH + 140);
    // (A torsion-mauled signature would have its whole chunk checked one by one.)
    c.items
        .retain(|(what, _, _)| !what.starts_with("torsion-mauled"));
    let verifier = Verifier::new(options(&c)).with_threads(1);
    // Parsed documents and tokens: the reports of verify_value and verify_jwt.
    let texts: Vec<String> = c
        .items
        .iter()
        .map(|(_, b, _)| String::from_utf8_lossy(b).into_owned())
        .collect();
    let values: Vec<Option<Value>> = texts.iter().map(|t| serde_json::from_str(t).ok()).collect();
    let items: Vec<Verifiable<'_>> = texts
        .iter()
        .zip(&values)
        .map(|(t, v)| match v {
            Some(v) => Verifiable::Json(v),
            None if t.starts_with("ey") => Verifiable::Jwt(t.trim()),
            None => Verifiable::Bytes(t.as_bytes()),
        })
        .collect();
    let got: Vec<String> = verifier.verify_many_of(&items).iter().map(json).collect();
    for (i, item) in items.iter().enumerate() {
        let alone = match item {
            Verifiable::Json(v) => verifier.verify_value(v),
            Verifiable::Jwt(t) => Ok(verifier.verify_jwt(t)),
            Verifiable::Bytes(b) => verifier.verify_bytes(b),
            _ => unreachable!(),
        };
        assert_eq!(got[i], json(&alone), "{}", c.items[i].0);
    }
    assert!(
        verifier.batch_stats().batched > 100,
        "{:?}",
        verifier.batch_stats()
    );
    // A portfolio of every input: the same holdings adding one input at a time.
    let inputs: Vec<(&str, &[u8])> = c
        .items
        .iter()
        .map(|(what, b, _)| (what.as_str(), b.as_slice()))
        .collect();
    let mut together = Portfolio::new();
    let added = together.add_many(&inputs, &verifier).unwrap();
    let mut one_by_one = Portfolio::new();
    let mut n = 0;
    for (what, b) in &inputs {
        n += one_by_one.add_bytes(what, b, &verifier).unwrap();
    }
    assert_eq!(added, n);
    assert_eq!(
        serde_json::to_string(&together).unwrap(),
        serde_json::to_string(&one_by_one).unwrap()
    );
}
