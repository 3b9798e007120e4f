//! 10,000 submissions of the fixture micro-credential (three criteria), each reviewed by two
//! assessors (one in ten split, settled by a third), decided under a third-breaks-tie policy, then
//! every award issued (eddsa-rdfc-2022) with one endorsement per counted assessor. One thread.
//!
//! `cargo bench --bench award`

use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use openbadges::award::{
    AssessorCredentials, AssessorKeys, Awarder, Docket, EvidenceItem, Resolution, Review,
    ReviewPolicy, Submission,
};
use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use serde_json::{json, Value};

const N: usize = 10_000;
const CRITERIA: [&str; 3] = [
    "Planning from formative data",
    "Regrouping",
    "Reflection on impact",
];

fn docket(assessors: &[String]) -> Docket {
    let t0: DateTime<Utc> = "2026-03-01T00:00:00Z".parse().expect("date");
    let evidence = EvidenceItem::url(
        "https://media.riverside.example/lesson.mp4",
        "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
    )
    .expect("evidence");
    let mut d = Docket::default();
    for i in 0..N {
        let id = format!("s-{i}");
        d.submissions.push(
            Submission::new(&id, format!("did:example:teacher-{i}"), FG, t0)
                .evidence(evidence.clone())
                .narrative("Three weeks of fractions."),
        );
        let split = i % 10 == 0;
        let failing = i % 7 == 0;
        for (k, a) in assessors.iter().enumerate().take(if split { 3 } else { 2 }) {
            let mut r = Review::new(&id, a, t0 + Duration::days(k as i64 + 1));
            for c in CRITERIA {
                let weak = (failing && c == "Reflection on impact")
                    || (split && k == 1 && c == "Regrouping");
                let level = if weak { "Developing" } else { "Proficient" };
                r = r.score(c, level, "");
            }
            d.reviews.push(r);
        }
    }
    d
}

const FG: &str = "https://riverside.example/achievements/flexible-grouping";

fn bench(c: &mut Criterion) {
    let achievement: Value =
        serde_json::from_str(include_str!("../fixtures/award/flexible-grouping.json"))
            .expect("fixture");
    let keys: Vec<SigningKey> = [0xA1u8, 0xB2, 0xC3]
        .iter()
        .map(|b| SigningKey::from_seed(&[*b; 32]))
        .collect();
    let assessors: Vec<String> = keys.iter().map(|k| k.verifying_key().did_key()).collect();
    let mut policy = ReviewPolicy::new("bench", 2, Resolution::ThirdBreaksTie);
    policy.endorsements = true;
    let issuer = Issuer::new(
        json!({"name": "Riverside USD"}),
        SigningKey::from_seed(&[1; 32]),
    )
    .expect("issuer");
    let awarder = Awarder::new(issuer, achievement, policy.clone())
        .expect("awarder")
        .assessor_keys(
            keys.iter()
                .fold(AssessorKeys::new(), |k, key| k.with(key.clone())),
        );
    let d = docket(&assessors);
    let by_id: std::collections::HashMap<&str, &Submission> =
        d.submissions.iter().map(|s| (s.id.as_str(), s)).collect();
    let held = AssessorCredentials::new();
    let now = Utc::now();

    let mut g = c.benchmark_group("award");
    g.sample_size(10);
    g.bench_function("decide 10,000 submissions", |b| {
        b.iter(|| {
            let (standings, errors) = d.decide(&policy, awarder.rubric(), &held);
            assert!(errors.is_empty());
            standings.len()
        })
    });
    g.bench_function("decide and issue 10,000 submissions", |b| {
        b.iter(|| {
            let (standings, _) = d.decide(&policy, awarder.rubric(), &held);
            let mut issued = 0usize;
            for dec in standings.iter().filter_map(|st| st.award()) {
                let s = by_id[dec.submission.as_str()];
                let badge = awarder.issue(s, dec, now).expect("issued");
                issued += usize::from(badge.get("proof").is_some());
            }
            assert!(issued > 8_000);
            issued
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
