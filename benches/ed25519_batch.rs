//! Ed25519 batch verification ([`openbadges::keys::batch::verify_each`]) against checking each
//! signature alone, for as many signatures as a CLR, a portfolio or a folder brings (`MIN_BATCH`
//! to 4,096; the messages are 64 bytes, what a Data Integrity proof signs). Also the cost when
//! one signature in the batch is forged (the batch is split to find it). Wall-clock figures:
//! on a shared machine `examples/batch_loop.rs` under `perf stat -e task-clock` (CPU time) is
//! the steadier measure.
//!
//! `cargo bench --bench ed25519_batch`

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use openbadges::keys::batch::{verify_each, SignatureCheck, MIN_BATCH};
use openbadges::keys::{SigningKey, VerifyingKey};

fn checks<'a>(
    messages: &'a [Vec<u8>],
    keys: &'a [VerifyingKey],
    sigs: &'a [Vec<u8>],
) -> Vec<SignatureCheck<'a>> {
    messages
        .iter()
        .zip(sigs)
        .enumerate()
        .map(|(i, (m, s))| SignatureCheck {
            key: &keys[i % keys.len()],
            message: m,
            signature: s,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let keys: Vec<SigningKey> = (0..4u8)
        .map(|i| SigningKey::from_seed(&[i + 1; 32]))
        .collect();
    let vks: Vec<_> = keys.iter().map(SigningKey::verifying_key).collect();
    let mut g = c.benchmark_group("ed25519");
    g.sample_size(10);
    for n in [MIN_BATCH, 128, 256, 1024, 4096] {
        let messages: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                let mut m = [0u8; 64];
                m[..8].copy_from_slice(&(i as u64).to_le_bytes());
                m.to_vec()
            })
            .collect();
        let sigs: Vec<Vec<u8>> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| keys[i % keys.len()].sign(m).to_vec())
            .collect();
        let mut forged = sigs.clone();
        forged[n / 3][50] ^= 1;
        g.throughput(Throughput::Elements(n as u64));
        let all_good = checks(&messages, &vks, &sigs);
        let one_forged = checks(&messages, &vks, &forged);
        assert!(verify_each(&all_good).iter().all(|v| *v));
        assert_eq!(verify_each(&one_forged).iter().filter(|v| !**v).count(), 1);
        g.bench_with_input(BenchmarkId::new("one by one", n), &all_good, |b, c| {
            b.iter(|| {
                black_box(c)
                    .iter()
                    .map(SignatureCheck::verify_alone)
                    .filter(|v| *v)
                    .count()
            })
        });
        g.bench_with_input(BenchmarkId::new("batch", n), &all_good, |b, c| {
            b.iter(|| verify_each(black_box(c)))
        });
        g.bench_with_input(
            BenchmarkId::new("batch, one forged", n),
            &one_forged,
            |b, c| b.iter(|| verify_each(black_box(c))),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
