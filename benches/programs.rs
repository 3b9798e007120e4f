//! Stack progress and policy valuation over a large portfolio of already-verified credentials
//! (what a human resources office pays per teacher after verification), on the project's program
//! fixtures: 32 catalog achievements, each earned by 30 colleagues' worth of duplicates — 1,000
//! holdings in all.
//!
//! `cargo bench --bench programs`

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use openbadges::policy::CreditPolicy;
use openbadges::portfolio::Portfolio;
use openbadges::stack::{progress_all, StackSet};
use openbadges::verify::{Check, Report};
use serde_json::json;

fn bench(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/programs");
    let stacks = StackSet::load(&dir.join("riverside-stacks.json")).expect("stacks");
    let policy = CreditPolicy::load(&dir.join("riverside-policy.json")).expect("policy");
    let lakeshore = CreditPolicy::load(&dir.join("lakeshore-policy.toml")).expect("policy");
    let ids: Vec<String> = stacks.achievements.keys().cloned().collect();
    let mut folio = Portfolio::new();
    for i in 0..1000 {
        let a = &ids[i % ids.len()];
        let cred = json!({
            "id": format!("urn:uuid:00000000-0000-4000-8000-{i:012}"),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://riverside.example/issuers/1", "type": ["Profile"]},
            "validFrom": format!("20{:02}-0{}-15T00:00:00Z", 20 + i % 7, 1 + i % 9),
            "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
                "achievement": {"id": a, "type": ["Achievement"], "achievementType": "MicroCredential",
                                "name": "x"}}
        });
        let report = Report::from_checks(vec![Check::passed(openbadges::check::CheckId::Proof)]);
        folio
            .add_verified(format!("badge-{i}"), cred, report)
            .expect("add");
    }
    let now = chrono::DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z")
        .expect("date")
        .to_utc();
    c.bench_function("stack progress (4 stacks, 1,000 credentials)", |b| {
        b.iter(|| progress_all(black_box(&stacks), black_box(&folio), now).expect("progress"))
    });
    let progress = progress_all(&stacks, &folio, now).expect("progress");
    c.bench_function("policy value (Riverside, 1,000 credentials)", |b| {
        b.iter(|| policy.value(black_box(&folio), &progress).expect("value"))
    });
    c.bench_function("policy value (Lakeshore, 1,000 credentials)", |b| {
        b.iter(|| lakeshore.value(black_box(&folio), &[]).expect("value"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
