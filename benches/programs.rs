//! Stack progress and policy valuation over a large portfolio of already-verified credentials
//! (what a human resources office pays per teacher after verification), on the project's program
//! fixtures: 32 catalog achievements, each earned by 30 colleagues' worth of duplicates — 1,000
//! holdings in all.
//!
//! Then `policy report` as payroll runs it: 1,000 teachers × 30 badges, each badge a signed
//! file (eddsa-jcs-2022) read, verified and valued, every teacher's stacks and policy evaluated,
//! teachers in parallel.
//!
//! `cargo bench --bench programs`

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::policy::{report, CreditPolicy};
use openbadges::portfolio::Portfolio;
use openbadges::proof::Suite;
use openbadges::stack::{progress_all, StackSet};
use openbadges::verify::{Check, Report, Verifier, VerifyOptions};
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

/// 1,000 teacher folders of 30 signed badges each, from one did:key district.
fn payroll(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/programs");
    let mut stacks =
        openbadges::definition_file::load(&dir.join("riverside-stacks.json")).expect("stacks");
    let district = Issuer::new(
        json!({"name": "Riverside USD"}),
        SigningKey::from_seed(&[0x33; 32]),
    )
    .expect("issuer");
    for s in stacks["stacks"].as_array_mut().expect("stacks") {
        s["issuer"] = json!(district.id());
    }
    let stacks = StackSet::from_json(&stacks).expect("stacks");
    let mut policy =
        openbadges::definition_file::load(&dir.join("riverside-policy.json")).expect("policy");
    policy["acceptedIssuers"] = json!([district.id()]);
    let policy = CreditPolicy::from_json(&policy).expect("policy");
    let ids: Vec<String> = stacks.achievements.keys().cloned().collect();
    let tmp = std::env::temp_dir().join(format!("openbadges-bench-payroll-{}", std::process::id()));
    let teachers_n = 1_000;
    for t in 0..teachers_n {
        let folder = tmp.join(format!("teacher-{t:04}"));
        std::fs::create_dir_all(&folder).expect("dir");
        for b in 0..30 {
            let cred = json!({
                "@context": ["https://www.w3.org/ns/credentials/v2",
                             "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Badge",
                "credentialSubject": {"id": format!("did:example:teacher-{t}"), "type": ["AchievementSubject"],
                    "achievement": {"id": ids[(t + b) % ids.len()], "type": ["Achievement"],
                        "achievementType": "MicroCredential", "name": "Badge",
                        "description": "d", "criteria": {"narrative": "n"}}}
            });
            let at = chrono::DateTime::parse_from_rfc3339("2024-09-01T00:00:00Z")
                .expect("date")
                .to_utc()
                + chrono::Duration::days((b * 20) as i64);
            let signed = district
                .issue_at(&cred, Suite::EddsaJcs2022, at, None)
                .expect("sign")
                .into_json();
            std::fs::write(folder.join(format!("b{b}.json")), signed.to_string()).expect("write");
        }
    }
    let teachers = report::teachers_in(&tmp).expect("teachers");
    let verifier = Verifier::new(
        VerifyOptions::default().at(chrono::DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z")
            .expect("date")
            .to_utc()),
    );
    let now = chrono::DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z")
        .expect("date")
        .to_utc();
    let jobs = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let mut g = c.benchmark_group("policy report");
    g.sample_size(10);
    g.bench_function("1,000 teachers × 30 badges (read, verify, value)", |b| {
        b.iter(|| {
            let r = report::value_all(
                &policy,
                Some(&stacks),
                &teachers,
                &verifier,
                now,
                jobs,
                &|| {},
            );
            assert_eq!(r.errors(), 0);
            black_box(r)
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&tmp);
}

criterion_group!(benches, bench, payroll);
criterion_main!(benches);
