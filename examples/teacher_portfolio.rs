//! What a teacher's badges add up to, in two districts.
//!
//! Maria earns micro-credentials from Riverside Unified over two school years. Riverside tracks
//! her stacks and pathways, awards the Differentiated Instruction stack when it is complete, and
//! values her portfolio in in-service hours, CPD units and salary steps. She moves to Lakeshore
//! County: her badges travel as one signed CLR 2.0 transcript, Lakeshore verifies it offline
//! (every nested badge too) and values the same badges under its own policy — in
//! continuing-education points, through equivalences, with a cap.
//!
//! `cargo run --example teacher_portfolio`

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use openbadges::clr::{bundle, verify_clr};
use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::policy::CreditPolicy;
use openbadges::portfolio::Portfolio;
use openbadges::proof::Suite;
use openbadges::resolve::LocalResources;
use openbadges::stack::{award, check_award_evidence, progress_all, StackSet};
use openbadges::verify::{Recipient, TrustList, Verifier, VerifyOptions};
use serde_json::{json, Value};

const RIVERSIDE: &str = "https://riverside.example/issuers/1";
const MARIA: &str = "did:example:maria";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.to_utc())
        .unwrap_or_default()
}

fn main() -> Result<(), openbadges::Error> {
    let programs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/programs");
    let stacks = StackSet::load(&programs.join("riverside-stacks.json"))?;

    // --- Riverside Unified: an https issuer whose Profile lists its key --------------------
    let key = SigningKey::from_seed(&[0x52; 32]); // fixed for a reproducible example
    let mk = key.verifying_key().to_multikey();
    let vm = format!("{RIVERSIDE}#{mk}");
    let published_profile = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                     "https://w3id.org/security/multikey/v1"],
        "id": RIVERSIDE, "type": "Profile", "name": "Riverside Unified School District",
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": RIVERSIDE,
                                "publicKeyMultibase": mk}],
        "assertionMethod": [vm],
    });
    let riverside = Issuer::new(
        json!({"id": RIVERSIDE, "type": ["Profile"], "name": "Riverside Unified School District"}),
        key,
    )?;

    // Maria's micro-credentials, one a month or so over two school years.
    let earned = [
        ("flexible-grouping", "2024-09-20"),
        ("growth-mindset", "2024-10-18"),
        ("tiered-assignments", "2024-11-22"),
        ("formative-assessment", "2025-01-17"),
        ("learning-stations", "2025-02-28"),
        ("classroom-routines", "2025-04-11"),
        ("peer-observation", "2025-09-19"),
        ("coaching-conversations", "2025-10-24"),
        ("math-talks", "2025-11-21"),
        ("project-based-learning", "2026-01-16"),
    ];
    let mut badges = Vec::new();
    for (slug, date) in earned {
        let id = format!("https://riverside.example/achievements/{slug}");
        let name = stacks
            .achievements
            .get(&id)
            .map(|a| a.name.clone())
            .unwrap_or_default();
        let badge = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": name,
            "credentialSubject": {"id": MARIA, "type": ["AchievementSubject"],
                "achievement": {"id": id, "type": ["Achievement"], "achievementType": "MicroCredential",
                    "name": name, "description": format!("Demonstrates {name} in the classroom."),
                    "criteria": {"narrative": "Evidence scored 3+ on every rubric row by two reviewers."}}}
        });
        badges.push(
            riverside
                .issue_at(
                    &badge,
                    Suite::EddsaRdfc2022,
                    at(&format!("{date}T15:00:00Z")),
                    None,
                )?
                .into_json(),
        );
    }

    // --- Riverside HR, February 2026: where does Maria stand? -------------------------------
    let now = at("2026-02-01T00:00:00Z");
    let mut resources = LocalResources::new();
    resources.insert(
        RIVERSIDE,
        serde_json::to_vec(&published_profile).unwrap_or_default(),
    );
    let resources = Arc::new(resources);
    let verifier = Verifier::new(
        VerifyOptions::default()
            .at(now)
            .resolver(resources.clone())
            .recipient(Recipient::Id(MARIA.into())),
    );
    let mut portfolio = Portfolio::new();
    for (i, b) in badges.iter().enumerate() {
        portfolio.add_value(format!("badge {}", i + 1), b, &verifier)?;
    }
    // She uploads one badge twice by mistake: it counts once.
    portfolio.add_value("badge 1 (again)", &badges[0], &verifier)?;

    println!("== Riverside Unified: stacks and pathways ==");
    let progress = progress_all(&stacks, &portfolio, now)?;
    for p in &progress {
        print!("{p}");
    }

    let differentiation = &progress[0];
    let stack_badge = award(
        &stacks,
        differentiation,
        &portfolio,
        &riverside,
        Suite::EddsaRdfc2022,
        now,
        None,
    )?;
    let report = verifier.verify_value(&stack_badge)?;
    println!(
        "\nAwarded \"{}\": {}; its evidence matches {} presented credentials by digest.",
        stack_badge["name"].as_str().unwrap_or_default(),
        if report.verified {
            "verified"
        } else {
            "NOT verified"
        },
        check_award_evidence(&stack_badge, &portfolio)?
    );

    println!("\n== Riverside Unified: credit policy ==");
    let riverside_policy = CreditPolicy::load(&programs.join("riverside-policy.json"))?;
    print!("{}", riverside_policy.value(&portfolio, &progress)?);

    // --- Maria moves: one signed CLR carries her badges and how they relate ---------------
    let clr = bundle(
        &portfolio,
        MARIA,
        "Maria Alvarez — Riverside micro-credentials",
        Some(&stacks),
    )?;
    let clr = riverside
        .issue_at(&clr, Suite::EddsaRdfc2022, now, None)?
        .into_json();
    println!(
        "\nCLR: {} credentials, {} associations, {} bytes",
        clr["credentialSubject"]["verifiableCredential"]
            .as_array()
            .map_or(0, Vec::len),
        clr["credentialSubject"]["association"]
            .as_array()
            .map_or(0, Vec::len),
        clr.to_string().len()
    );

    // --- Lakeshore County, March 2026: verify offline, then value under its own policy -----
    let lakeshore_verifier = Verifier::new(
        VerifyOptions::default()
            .at(at("2026-03-01T00:00:00Z"))
            .resolver(resources)
            .trust(TrustList::new().trust(RIVERSIDE))
            .recipient(Recipient::Id(MARIA.into())),
    );
    let checked = verify_clr(&clr, &lakeshore_verifier)?;
    println!("\n== Lakeshore County: the CLR ==");
    println!(
        "{} ({} of {} nested credentials verified)",
        if checked.verified() {
            "VERIFIED"
        } else {
            "NOT VERIFIED"
        },
        checked.credentials.iter().filter(|r| r.verified).count(),
        checked.credentials.len()
    );
    let mut received = Portfolio::new();
    let nested: Vec<Value> = clr["credentialSubject"]["verifiableCredential"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (i, (c, r)) in nested.into_iter().zip(checked.credentials).enumerate() {
        received.add_verified(format!("CLR credential {}", i + 1), c, r)?;
    }
    println!("\n== Lakeshore County: credit policy ==");
    let lakeshore_policy = CreditPolicy::load(&programs.join("lakeshore-policy.toml"))?;
    print!("{}", lakeshore_policy.value(&received, &[])?);
    Ok(())
}
