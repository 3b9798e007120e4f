//! Presentations: ours verify here and in the JS reference (`@digitalbazaar/vc`
//! `verify` of a presentation), theirs verify here; wrong challenge, wrong domain and holder ≠ subject
//! fail with checks naming which.

mod common;

use std::path::PathBuf;

use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::present::{present, verify_presentation};
use openbadges::proof::{Signer, Suite};
use openbadges::verify::VerifyOptions;
use serde_json::{json, Value};

const TEACHER: &str = "4f1c0b9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c";

fn teacher() -> SigningKey {
    SigningKey::from_seed_hex(TEACHER).unwrap()
}

fn badge(subject: &str) -> Value {
    let district = Issuer::new(
        json!({"name": "Riverside USD"}),
        SigningKey::from_seed(&[9; 32]),
    )
    .unwrap();
    district
        .issue(
            &json!({
                "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Growth Mindset",
                "credentialSubject": {"id": subject, "type": ["AchievementSubject"],
                  "achievement": {"id": "https://riverside.example/a/gm", "type": ["Achievement"], "name": "Growth Mindset",
                    "description": "Fosters a growth mindset.", "criteria": {"narrative": "Rubric 3+."}}}
            }),
            Suite::EddsaRdfc2022,
        )
        .unwrap().into_json()
}

fn problem(r: &openbadges::present::PresentationReport) -> String {
    r.checks
        .iter()
        .find(|c| c.is_blocking())
        .and_then(|c| c.problem.as_ref())
        .map(|p| p.kind.clone())
        .unwrap_or_default()
}

fn ids(r: &openbadges::present::PresentationReport) -> Vec<String> {
    r.checks
        .iter()
        .filter(|c| c.is_blocking())
        .map(|c| c.id.to_string())
        .collect()
}

#[test]
fn presentations_and_their_failures() {
    let did = teacher().verifying_key().did_key();
    let vp = present(
        &[badge(&did), badge(&did)],
        &Signer::did_key(teacher()),
        "n-1",
        Some("lakeside.example"),
    )
    .unwrap();
    let ok = verify_presentation(
        &vp,
        &VerifyOptions::default(),
        "n-1",
        Some("lakeside.example"),
    )
    .unwrap();
    assert!(ok.verified, "{ok:?}");
    assert_eq!(ok.credentials.len(), 2);
    let r = verify_presentation(
        &vp,
        &VerifyOptions::default(),
        "n-2",
        Some("lakeside.example"),
    )
    .unwrap();
    assert_eq!(ids(&r), vec!["presentation-proof"]);
    assert_eq!(
        problem(&r),
        openbadges::check::problem_types::INVALID_CHALLENGE_ERROR
    );
    let r = verify_presentation(
        &vp,
        &VerifyOptions::default(),
        "n-1",
        Some("elsewhere.example"),
    )
    .unwrap();
    assert_eq!(ids(&r), vec!["presentation-proof"]);
    assert_eq!(
        problem(&r),
        openbadges::check::problem_types::INVALID_DOMAIN_ERROR
    );
    let someone = badge("did:example:someone-else");
    let vp = present(&[someone], &Signer::did_key(teacher()), "n-1", None).unwrap();
    let r = verify_presentation(&vp, &VerifyOptions::default(), "n-1", None).unwrap();
    assert_eq!(ids(&r), vec!["holder"]);
    // Tampering with an embedded credential breaks both the VP proof and the credential.
    let mut vp = present(&[badge(&did)], &Signer::did_key(teacher()), "n-1", None).unwrap();
    vp["verifiableCredential"][0]["name"] = "Other".into();
    assert!(
        !verify_presentation(&vp, &VerifyOptions::default(), "n-1", None)
            .unwrap()
            .verified
    );
}

fn interop() -> Option<PathBuf> {
    common::interop_dir()
}

fn node(d: &std::path::Path, args: &[&str], input: &Value) -> (bool, String) {
    common::node(d, "present.mjs", args, input)
}

#[test]
fn presentations_interoperate_with_js() {
    let Some(d) = interop() else { return };
    let did = teacher().verifying_key().did_key();
    let vp = present(
        &[badge(&did)],
        &Signer::did_key(teacher()),
        "n-1",
        Some("lakeside.example"),
    )
    .unwrap();
    let (ok, out) = node(
        &d,
        &[
            "verify",
            "--challenge",
            "n-1",
            "--domain",
            "lakeside.example",
        ],
        &vp,
    );
    assert!(ok, "JS did not verify our presentation: {out}");
    let (ok, _) = node(
        &d,
        &[
            "verify",
            "--challenge",
            "n-2",
            "--domain",
            "lakeside.example",
        ],
        &vp,
    );
    assert!(!ok, "JS accepted a wrong challenge");
    let (ok, out) = node(
        &d,
        &[
            "sign",
            "--seed",
            TEACHER,
            "--challenge",
            "n-9",
            "--domain",
            "lakeside.example",
        ],
        &json!([badge(&did)]),
    );
    assert!(ok, "{out}");
    let theirs: Value = serde_json::from_str(out.trim()).unwrap();
    let r = verify_presentation(
        &theirs,
        &VerifyOptions::default(),
        "n-9",
        Some("lakeside.example"),
    )
    .unwrap();
    assert!(r.verified, "{r:?}");
}
