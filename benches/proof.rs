//! Sign and verify the sample micro-credential (fixtures/sample-microcredential.json) with each
//! suite, with a warm shared JSON-LD processor — what an issuer or verifier pays per badge.
//!
//! `cargo bench --bench proof`

use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use openbadges::issue::Issuer;
use openbadges::keys::{DidKeyResolver, SigningKey};
use openbadges::proof::{Expectations, ProofOptions, ProofVerifier, Suite};
use openbadges::verify::{Verifier, VerifyOptions};

fn bench(c: &mut Criterion) {
    let sample = openbadges::json::parse(include_bytes!("../fixtures/sample-microcredential.json"))
        .expect("sample parses");
    let issuer =
        Issuer::new(serde_json::json!({}), SigningKey::from_seed(&[0x42; 32])).expect("issuer");
    let now = chrono::DateTime::parse_from_rfc3339("2026-03-02T15:00:00Z")
        .expect("date")
        .to_utc();
    let prepared = issuer.prepare(&sample, now, None).expect("prepare");
    let options = ProofOptions::assertion().created("2026-03-02T15:00:00Z");
    let verifier = ProofVerifier::new(Arc::new(DidKeyResolver));
    let expect = Expectations::assertion();
    for suite in Suite::ALL {
        let signed = issuer
            .signer()
            .expect("an Ed25519 issuer")
            .sign(&prepared, suite, &options)
            .expect("sign");
        c.bench_function(&format!("{}/sign", suite.name()), |b| {
            b.iter(|| {
                issuer
                    .signer()
                    .expect("an Ed25519 issuer")
                    .sign(black_box(&prepared), suite, &options)
                    .expect("sign")
            })
        });
        c.bench_function(&format!("{}/verify proof", suite.name()), |b| {
            b.iter(|| {
                let o = verifier
                    .verify(black_box(&signed), &expect)
                    .expect("verify");
                assert!(o[0].result.is_ok());
            })
        });
    }
    // The whole pipeline (parse → every check → report) for an eddsa-rdfc-2022 badge.
    let signed = issuer
        .signer()
        .expect("an Ed25519 issuer")
        .sign(&prepared, Suite::EddsaRdfc2022, &options)
        .expect("sign");
    let bytes = serde_json::to_vec(&signed).expect("bytes");
    let full = Verifier::new(VerifyOptions::default().at(now));
    c.bench_function("eddsa-rdfc-2022/verify full report", |b| {
        b.iter(|| {
            let r = full.verify_bytes(black_box(&bytes)).expect("report");
            assert!(r.verified);
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
