//! A district sets up its issuer identity, issues a badge, rotates its key after a suspected
//! compromise, and a hiring district verifies years later: the badge signed before the retire
//! date still verifies, anything the old key signed after it does not. Then a routine rotation,
//! and a leak of the rotated-out key found only afterwards: `retire` dates it after the fact.
//!
//! `cargo run --example issuer_rotation`

use std::sync::Arc;

use chrono::{DateTime, Utc};
use openbadges::issuer::IssuerDir;
use openbadges::proof::Suite;
use openbadges::resolve::LocalResources;
use openbadges::verify::{Verifier, VerifyOptions};
use serde_json::json;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.to_utc())
        .unwrap_or_default()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let home = std::env::temp_dir().join(format!("riverside-issuer-{}", std::process::id()));
    let (mut riverside, published) = IssuerDir::init(
        &home,
        "https://riverside.example/issuers/1",
        "Riverside Unified School District",
        at("2025-08-01T00:00:00Z"),
    )?;
    println!("Riverside publishes:");
    for p in &published {
        println!("  {}  →  {}", p.path.display(), p.url);
    }

    let badge = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Growth Mindset",
        "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
            "achievement": {"id": "https://riverside.example/achievements/growth-mindset",
                "type": ["Achievement"], "name": "Growth Mindset",
                "description": "Fosters a growth mindset.",
                "criteria": {"narrative": "Rubric score 3 or higher."}}}
    });
    let old_key = riverside.issuer()?;
    let maria = old_key
        .issue_at(
            &badge,
            Suite::EddsaRdfc2022,
            at("2025-10-01T00:00:00Z"),
            None,
        )?
        .into_json();
    // The laptop holding key-1 is stolen; whoever has it can still sign.
    let forged = old_key
        .issue_at(
            &badge,
            Suite::EddsaRdfc2022,
            at("2026-03-05T00:00:00Z"),
            None,
        )?
        .into_json();

    // Rotate on discovery: key-2 signs from now on, key-1 stays published but is refused for
    // anything created from the day of the theft.
    riverside.rotate(at("2026-03-10T00:00:00Z"), Some(at("2026-03-01T00:00:00Z")))?;
    let new_badge = riverside
        .issuer()?
        .issue_at(
            &badge,
            Suite::EddsaRdfc2022,
            at("2026-04-01T00:00:00Z"),
            None,
        )?
        .into_json();
    // Routine rotation in 2027; months later an audit finds key-2 leaked from 1 March 2027.
    let leaked = riverside.issuer()?;
    let late_forgery = leaked
        .issue_at(
            &badge,
            Suite::EddsaRdfc2022,
            at("2027-04-01T00:00:00Z"),
            None,
        )?
        .into_json();
    riverside.rotate(at("2027-01-15T00:00:00Z"), None)?;
    riverside.retire("key-2", at("2027-03-01T00:00:00Z"))?;
    println!("\nKeys:");
    for k in riverside.describe_keys() {
        println!("  {k}");
    }

    // Lakeshore, 2028: the published documents, served offline.
    let mut served = LocalResources::new();
    for p in riverside.publications()? {
        served.insert(p.url, std::fs::read(&p.path)?);
    }
    let verifier = Verifier::new(
        VerifyOptions::default()
            .at(at("2028-01-01T00:00:00Z"))
            .resolver(Arc::new(served)),
    );
    for (what, doc) in [
        ("Maria's 2025 badge (key-1)", &maria),
        ("a badge the stolen key signed", &forged),
        ("a 2026 badge (key-2)", &new_badge),
        ("a badge the leaked key-2 signed in 2027", &late_forgery),
    ] {
        let r = verifier.verify_value(doc)?;
        // Verified: which key signed and its standing (`Report::signed_by`); otherwise why not.
        let why = match (&r.signed_by, r.failures().next()) {
            (Some(by), _) if r.verified => format!("signed by {by}"),
            (_, Some(c)) => c
                .problem
                .as_ref()
                .map(|p| p.detail.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let verdict = if r.verified {
            "VERIFIED"
        } else {
            "NOT VERIFIED"
        };
        println!("\n{what}: {verdict}\n  {why}");
    }
    std::fs::remove_dir_all(&home)?;
    Ok(())
}
