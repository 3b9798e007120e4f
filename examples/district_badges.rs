//! A district issues a micro-credential to a teacher; a second district, hiring that teacher,
//! verifies it offline — then the issuer revokes it and the hiring district sees that too.
//!
//! `cargo run --example district_badges`

use std::sync::Arc;

use openbadges::identity::IdentityObject;
use openbadges::proof::Suite;
use openbadges::resolve::LocalResources;
use openbadges::status::{Purpose, StatusListStore};
use openbadges::verify::{Recipient, TrustList};
use openbadges::{Issuer, IssuerKey, VerifyOptions};
use serde_json::json;

fn main() -> Result<(), openbadges::Error> {
    // --- Riverside Unified (the issuer) ---------------------------------------------------
    // A fixed seed keeps the example reproducible; real issuers use
    // `IssuerKey::generate(KeyAlgorithm::Ed25519)` (or `openbadges keygen`) and keep it secret.
    let key = IssuerKey::ed25519_from_seed(&[0x52; 32]);
    let riverside = Issuer::new(
        json!({"type": ["Profile"], "name": "Riverside Unified School District",
               "url": "https://riverside.example"}),
        key,
    )?;
    let mut revocations = StatusListStore::new(
        "https://riverside.example/status/2026-1",
        Purpose::Revocation,
    )?;

    // The teacher is named by a salted hash of her e-mail, not in clear text.
    let recipient = IdentityObject::hashed_email("jane.doe@riverside.example", "b7e4c1");
    let badge = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Flexible Grouping",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [recipient.to_value()],
            "achievement": {
                "id": "https://riverside.example/achievements/flexible-grouping",
                "type": ["Achievement"], "achievementType": "MicroCredential",
                "name": "Flexible Grouping",
                "description": "Forms and re-forms student groups from formative data.",
                "criteria": {"narrative": "Evidence scored 3+ on every rubric row by two reviewers."},
                "creditsAvailable": 2.5
            }
        }
    });
    let now = chrono::Utc::now();
    let signed = riverside
        .issue_at(&badge, Suite::EddsaRdfc2022, now, Some(&mut revocations))?
        .into_json();
    println!("Riverside issued {}\n", signed["id"]);

    // Riverside publishes its (signed) status list at the URL the badge names.
    let publish = |store: &StatusListStore| -> Result<Vec<u8>, openbadges::Error> {
        let list = store.list_credential(
            riverside.id(),
            &now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        let signed_list = riverside
            .issue_at(&list, Suite::EddsaRdfc2022, now, None)?
            .into_json();
        Ok(serde_json::to_vec(&signed_list).unwrap_or_default())
    };

    // --- Lakeside (the hiring district) ---------------------------------------------------
    // Offline: the status list comes in as a local resource; Riverside is on Lakeside's trust list.
    let list_url = revocations.url().to_string();
    let verify_as_lakeside = |list: Vec<u8>| {
        let mut resources = LocalResources::new();
        resources.insert(list_url.clone(), list);
        let options = VerifyOptions::default()
            .trust(TrustList::new().trust(riverside.id()))
            .recipient(Recipient::Email("jane.doe@riverside.example".into()))
            .resolver(Arc::new(resources));
        // The paved path: any form (JSON-LD, VC-JWT, baked image) in, a report out.
        openbadges::verify(signed.to_string().as_bytes(), &options)
    };
    let report = verify_as_lakeside(publish(&revocations)?)?;
    println!(
        "Lakeside verifies the badge: {}\n{report}",
        report.headline()
    );

    // --- Riverside revokes (evidence withdrawn) -------------------------------------------
    let id = signed["id"].as_str().unwrap_or_default().to_string();
    revocations.revoke(&id)?;
    let report = verify_as_lakeside(publish(&revocations)?)?;
    println!(
        "After Riverside revokes it: {}\n{report}",
        report.headline()
    );
    Ok(())
}
