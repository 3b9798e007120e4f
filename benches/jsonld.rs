//! to_rdf (expansion + toRdf) of the sample OB 3.0 micro-credential with a warm `Processor`
//! (contexts already processed and cached), and with a cold one for comparison.
//!
//! `cargo bench --bench jsonld`
//!
//! Figures on the 2-core shared development machine (2026-11-22, release, warm processor):
//! to_rdf ≈ 31 µs (expansion ≈ 14 µs of it) for the 38-quad sample; to_rdf + RDFC-1.0 canonical
//! N-Quads ≈ 84 µs; a cold processor (all contexts processed from scratch) ≈ 490 µs.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use openbadges::jsonld::{Options, Processor};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/tools/samples/ob3-microcredential.json"
);

fn bench(c: &mut Criterion) {
    let Ok(bytes) = std::fs::read(SAMPLE) else {
        eprintln!("skipping: ../shared not found");
        return;
    };
    let mut doc = openbadges::json::parse(&bytes).expect("sample parses");
    if let Some(m) = doc.as_object_mut() {
        m.remove("proof");
    }
    let options = Options::safe();
    let warm = Processor::new();
    warm.to_rdf(&doc, &options).expect("sample converts");
    c.bench_function("jsonld/to_rdf sample (warm processor)", |b| {
        b.iter(|| warm.to_rdf(black_box(&doc), &options).expect("to_rdf"))
    });
    c.bench_function(
        "jsonld/to_rdf + rdfc canonical N-Quads sample (warm)",
        |b| {
            b.iter(|| {
                let ds = warm.to_rdf(black_box(&doc), &options).expect("to_rdf");
                openbadges::rdfc::canonicalize(&ds).expect("canonicalize")
            })
        },
    );
    c.bench_function("jsonld/expand sample (warm processor)", |b| {
        b.iter(|| warm.expand(black_box(&doc), &options).expect("expand"))
    });
    c.bench_function("jsonld/to_rdf sample (cold processor)", |b| {
        b.iter(|| {
            Processor::new()
                .to_rdf(black_box(&doc), &options)
                .expect("to_rdf")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
