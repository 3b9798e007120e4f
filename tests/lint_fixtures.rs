//! The lint against the official fixtures in `../shared` (the 1EdTech validator's test inputs, the
//! OB 3.0 specification's examples, the impl-guide credential and the project's sample): each
//! negative fixture yields a finding at the field it breaks, and the valid ones yield no error.
//!
//! Skips (with a message) when `../shared` is absent.

use std::path::{Path, PathBuf};

use openbadges::lint::{lint_bytes, Finding, Rule, Severity};

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

fn ob30(shared: &Path) -> PathBuf {
    shared.join("standards/ob/validator-fixtures/ob30")
}

fn lint_file(path: &Path) -> Vec<Finding> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    lint_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn errors(findings: &[Finding]) -> Vec<(Rule, &str)> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.rule, f.pointer.as_str()))
        .collect()
}

/// Each negative validator fixture, and the finding that must point at the field it breaks.
const NEGATIVE: &[(&str, Rule, &str)] = &[
    (
        "simple-err-credential-subject-type.json",
        Rule::ClassType,
        "/credentialSubject/type",
    ),
    (
        "simple-err-credential-subject-achievement-result-description-type.json",
        Rule::ClassType,
        "/credentialSubject/achievement/resultDescription/2/type",
    ),
    (
        "simple-err-credential-subject-identifier-type.json",
        Rule::ClassType,
        "/credentialSubject/identifier/0/type",
    ),
    (
        "simple-err-credential-subject-profile-type.json",
        Rule::ClassType,
        "/credentialSubject/source/type",
    ),
    (
        "simple-err-credential-subject-result-type.json",
        Rule::ClassType,
        "/credentialSubject/result/1/type",
    ),
    (
        "simple-err-evidence-type.json",
        Rule::ClassType,
        "/evidence/1/type",
    ),
    (
        "simple-err-issuer-otheridentifier-type.json",
        Rule::ClassType,
        "/issuer/otherIdentifier/1/type",
    ),
    (
        "simple-err-issuer-parentorg-type.json",
        Rule::ClassType,
        "/issuer/parentOrg/type",
    ),
    (
        "simple-err-issuer-type.json",
        Rule::ClassType,
        "/issuer/type",
    ),
    ("simple-err-type.json", Rule::ClassType, "/type"),
    ("simple-err-context.json", Rule::ContextOrder, "/@context/0"),
    ("simple-err-issuer.json", Rule::MissingRequired, "/issuer"),
];

#[test]
fn negative_fixtures_point_at_the_broken_field() {
    let Some(shared) = shared() else { return };
    let dir = ob30(&shared);
    for (file, rule, pointer) in NEGATIVE {
        let findings = lint_file(&dir.join(file));
        let hit = findings
            .iter()
            .find(|f| f.rule == *rule && f.pointer == *pointer);
        assert!(
            hit.is_some_and(|f| f.severity == Severity::Error),
            "{file}: expected an error {rule} at {pointer}; got {findings:#?}"
        );
        // Besides the intended error, the fixtures that change more than one field of simple.json
        // drop the AchievementSubject's required `achievement` (and simple-err-context.json uses
        // VC 1.1's `issuanceDate` without the VC 1.1 context); no other error may appear.
        for (r, p) in errors(&findings) {
            assert!(
                (r == *rule && p == *pointer)
                    || (r == Rule::MissingRequired && p == "/credentialSubject/achievement")
                    || (*file == "simple-err-context.json"
                        && r == Rule::MissingRequired
                        && p == "/validFrom"),
                "{file}: unexpected error {r} at {p}"
            );
        }
    }
}

#[test]
fn every_type_fixture_is_covered() {
    let Some(shared) = shared() else { return };
    let mut seen = 0;
    for entry in std::fs::read_dir(ob30(&shared)).expect("fixture directory") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.starts_with("simple-err-") && name.ends_with("type.json") {
            assert!(
                NEGATIVE.iter().any(|(f, _, _)| *f == name),
                "{name} is a type fixture without an expected finding in NEGATIVE"
            );
            seen += 1;
        }
    }
    assert_eq!(
        seen, 10,
        "the validator ships ten simple-err-*type fixtures"
    );
}

#[test]
fn valid_fixtures_have_no_findings() {
    let Some(shared) = shared() else { return };
    let std = shared.join("standards/ob");
    let mut files: Vec<PathBuf> = [
        "simple.json",
        "complete.json",
        "simple-context-alias.json",
        "simple-context-version.json",
        "simple-did-key-method.json",
        "simple-did-web-method.json",
        "simple-multiple-proofs.json",
        "endorsement-valid.json",
        "bit-string-list/credential-status-revoked.json",
        "bit-string-list/credential-status-revoked-blank-nodes.json",
        "sd/derivedcredential.json",
    ]
    .iter()
    .map(|f| ob30(&shared).join(f))
    .collect();
    let mut spec: Vec<PathBuf> = std::fs::read_dir(std.join("spec-examples"))
        .expect("spec examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    spec.sort();
    assert_eq!(spec.len(), 7, "seven spec examples");
    files.extend(spec);
    files.push(std.join("impl-guide-test-vectors/extracted/ob-credential-unsigned.json"));
    files.push(std.join("impl-guide-test-vectors/extracted/ob-credential-signed.json"));
    for file in &files {
        let findings = lint_file(file);
        assert!(
            findings.is_empty(),
            "{}: expected no findings, got {findings:#?}",
            file.display()
        );
    }
}

#[test]
fn vc11_fixtures_only_warn() {
    let Some(shared) = shared() else { return };
    for file in [
        "simple_v1.json",
        "simple-eddsa-2022.json",
        "credential-status-revoked.json",
    ] {
        let findings = lint_file(&ob30(&shared).join(file));
        let rules: Vec<(Rule, Severity, &str)> = findings
            .iter()
            .map(|f| (f.rule, f.severity, f.pointer.as_str()))
            .collect();
        assert_eq!(
            rules,
            [(Rule::LegacyVcVersion, Severity::Warning, "/@context/0")],
            "{file}"
        );
    }
}

/// Documents that look valid but break a rule that the 1EdTech JSON Schema enforces too
/// (`tests/schema_differential.rs` runs them through the official schemas).
#[test]
fn fixtures_with_genuine_violations() {
    let Some(shared) = shared() else { return };
    // The sample micro-credential's issuer Profile has no `id`: OB 3.0 requires one
    // (Profile: `id` [1], `type` [1..*]), and ob_v3p0_achievementcredential_schema.json rejects it.
    for sample in ["ob3-microcredential.json", "ob3-microcredential-vc1.json"] {
        let findings = lint_file(&shared.join("tools/samples").join(sample));
        assert_eq!(
            errors(&findings),
            [(Rule::MissingRequired, "/issuer/id")],
            "{sample}"
        );
    }
    // complete_v1.json (VC 1.1) embeds VC 1.1 endorsements without `id` (and one without `name`),
    // and uses identityType "email" where the enumeration says "emailAddress"; the official
    // anyachievementcredential schema rejects it for the same reasons.
    let findings = lint_file(&ob30(&shared).join("complete_v1.json"));
    assert_eq!(
        errors(&findings),
        [
            (Rule::MissingRequired, "/issuer/endorsement/0/id"),
            (
                Rule::MissingRequired,
                "/credentialSubject/achievement/creator/endorsement/0/id"
            ),
            (
                Rule::MissingRequired,
                "/credentialSubject/achievement/creator/endorsement/1/id"
            ),
            (
                Rule::MissingRequired,
                "/credentialSubject/achievement/creator/endorsement/1/name"
            ),
            (
                Rule::MissingRequired,
                "/credentialSubject/achievement/endorsement/0/id"
            ),
            (
                Rule::UnknownEnumValue,
                "/credentialSubject/identifier/0/identityType"
            ),
            (
                Rule::UnknownEnumValue,
                "/credentialSubject/identifier/1/identityType"
            ),
            (Rule::MissingRequired, "/endorsement/0/id"),
        ]
    );
    // simple-noproof.json (VC 1.1) has an AchievementSubject without `achievement`.
    let findings = lint_file(&ob30(&shared).join("simple-noproof.json"));
    assert_eq!(
        errors(&findings),
        [(Rule::MissingRequired, "/credentialSubject/achievement")]
    );
}
