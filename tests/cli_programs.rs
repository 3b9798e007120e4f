//! The built binary's `stack`, `policy` and `clr` commands on the project's program fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::proof::Suite;
use serde_json::{json, Value};

const RIVERSIDE: &str = "https://riverside.example/issuers/1";
const SEED: &str = "5252525252525252525252525252525252525252525252525252525252525252";
const AT: &str = "2026-01-01T00:00:00Z";
const DIFFERENTIATION: &str = "https://riverside.example/stacks/differentiation";

fn ob(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/programs")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Riverside's key (the seed above), its profile document, and three badges for Maria.
fn setup(dir: &Path) -> Vec<String> {
    let key = SigningKey::from_seed_hex(SEED).unwrap();
    let mk = key.verifying_key().to_multikey();
    let vm = format!("{RIVERSIDE}#{mk}");
    let profile = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                     "https://w3id.org/security/multikey/v1"],
        "id": RIVERSIDE, "type": "Profile", "name": "Riverside Unified School District",
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": RIVERSIDE, "publicKeyMultibase": mk}],
        "assertionMethod": [vm],
    });
    std::fs::write(dir.join("profile.json"), profile.to_string()).unwrap();
    let issuer = Issuer::new(
        json!({"id": RIVERSIDE, "type": ["Profile"], "name": "Riverside Unified School District"}),
        key,
    )
    .unwrap();
    let mut files = Vec::new();
    for (k, slug) in [
        "flexible-grouping",
        "tiered-assignments",
        "learning-stations",
        "growth-mindset",
    ]
    .iter()
    .enumerate()
    {
        let cred = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": slug,
            "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
                "achievement": {"id": format!("https://riverside.example/achievements/{slug}"),
                    "type": ["Achievement"], "achievementType": "MicroCredential", "name": slug,
                    "description": "A micro-credential.", "criteria": {"narrative": "Rubric score 3+."}}}
        });
        let at = chrono::DateTime::parse_from_rfc3339(&format!("2025-0{}-01T00:00:00Z", k + 1))
            .unwrap()
            .to_utc();
        let signed = issuer
            .issue_at(&cred, Suite::EddsaRdfc2022, at, None)
            .unwrap()
            .into_json();
        let name = format!("badge-{k}.json");
        std::fs::write(dir.join(&name), serde_json::to_vec_pretty(&signed).unwrap()).unwrap();
        files.push(name);
    }
    files
}

fn resource() -> String {
    format!("{RIVERSIDE}=profile.json")
}

#[test]
fn stack_progress_award_policy_and_clr_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let files = setup(dir);
    let stacks = fixture("riverside-stacks.json");
    let res = resource();
    let common = [
        "--recipient",
        "did:example:maria",
        "--at",
        AT,
        "--resource",
        &res,
    ];

    // Progress, with one badge presented twice.
    let mut args = vec![
        "stack",
        "progress",
        "--stacks",
        &stacks,
        "--stack",
        DIFFERENTIATION,
        "--json",
    ];
    args.extend(common);
    args.extend(files.iter().map(String::as_str));
    args.push(&files[0]);
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(p["complete"], true);
    assert_eq!(p["percent"], 100.0);
    assert_eq!(p["credentials"][3]["exclusion"]["reason"], "not-a-member");
    assert_eq!(p["credentials"][4]["exclusion"]["reason"], "duplicate");

    // Human form for all stacks.
    let mut args = vec!["stack", "progress", "--stacks", &stacks];
    args.extend(common);
    args.extend(files.iter().map(String::as_str));
    let o = ob(&args, dir);
    let text = stdout(&o);
    assert!(
        text.contains("Differentiated Instruction Stack — COMPLETE on 2025-03-01"),
        "{text}"
    );
    assert!(
        text.contains("Teacher-Leader Pathway — 0% — 12 more needed"),
        "{text}"
    );

    // Award, then verify the award.
    let mut args = vec![
        "stack",
        "award",
        "--stacks",
        &stacks,
        "--stack",
        DIFFERENTIATION,
        "--seed",
        SEED,
        "-o",
        "award.json",
    ];
    args.extend(common);
    args.extend(files.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let award: Value =
        serde_json::from_slice(&std::fs::read(dir.join("award.json")).unwrap()).unwrap();
    assert_eq!(award["evidence"].as_array().unwrap().len(), 3);
    let o = ob(
        &[
            "verify",
            "--at",
            "2026-02-01T00:00:00Z",
            "--resource",
            &res,
            "award.json",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // An incomplete stack is not awarded: exit 1, nothing written.
    let mut args = vec![
        "stack",
        "award",
        "--stacks",
        &stacks,
        "--stack",
        DIFFERENTIATION,
        "--seed",
        SEED,
        "-o",
        "none.json",
    ];
    args.extend(common);
    args.push(&files[0]);
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not complete"));
    assert!(!dir.join("none.json").exists());

    // Policy values: Lakeshore's TOML policy, and Riverside's (whose steps need the stacks).
    let lakeshore = fixture("lakeshore-policy.toml");
    let mut args = vec!["policy", "value", "--policy", &lakeshore, "--json"];
    args.extend(common);
    args.extend(files.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Flexible Grouping 6 + Growth Mindset 8; the other two have no Lakeshore equivalent.
    assert_eq!(v["counted"], 2);
    assert_eq!(v["totals"][0], json!({"unit": "CE points", "amount": 14.0}));
    let riverside = fixture("riverside-policy.json");
    let mut args = vec!["policy", "value", "--policy", &riverside];
    args.extend(common);
    args.extend(files.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("compensation-phase-1"),
        "{}",
        stderr(&o)
    );
    let mut args = vec![
        "policy", "value", "--policy", &riverside, "--stacks", &stacks,
    ];
    args.extend(common);
    args.extend(files.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("16 in-service hours") && text.contains("2 CPD units"),
        "{text}"
    );

    // A CLR of the four, verified by `clr verify` and by plain `verify`.
    let mut args = vec![
        "clr",
        "bundle",
        "--holder",
        "did:example:maria",
        "--name",
        "Maria",
        "--seed",
        SEED,
        "--stacks",
        &stacks,
        "-o",
        "clr.json",
    ];
    args.extend(common);
    args.extend(files.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = ob(
        &["clr", "verify", "--json", "--resource", &res, "clr.json"],
        dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["credentials"].as_array().unwrap().len(), 4);
    // One report per input: the CLR's, with its four nested credentials' reports inside.
    let o = ob(&["verify", "--json", "--resource", &res, "clr.json"], dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["credentials"].as_array().unwrap().len(), 4);
}

#[test]
fn bad_definition_files_exit_2_naming_file_and_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let files = setup(dir);
    std::fs::write(
        dir.join("bad.json"),
        r#"{"id": "urn:p", "name": "P", "values": [{"any": true, "amount": 4, "unit": "h"}, {"any": true, "amount": -2, "unit": "h"}]}"#,
    )
    .unwrap();
    let o = ob(&["policy", "value", "--policy", "bad.json", &files[0]], dir);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.json") && err.contains("/values/1/amount") && err.contains("negative"),
        "{err}"
    );
}

#[test]
fn an_issuer_directory_issues_and_awards_a_stack() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let o = ob(
        &[
            "issuer",
            "init",
            "--id",
            RIVERSIDE,
            "--name",
            "Riverside Unified School District",
            "--out",
            "riverside",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut files = Vec::new();
    for slug in [
        "flexible-grouping",
        "tiered-assignments",
        "learning-stations",
    ] {
        let cred = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": slug,
            "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
                "achievement": {"id": format!("https://riverside.example/achievements/{slug}"),
                    "type": ["Achievement"], "name": slug, "description": "d", "criteria": {"narrative": "n"}}}
        });
        std::fs::write(dir.join(format!("{slug}.in.json")), cred.to_string()).unwrap();
        let o = ob(
            &[
                "issue",
                "--issuer-dir",
                "riverside",
                &format!("{slug}.in.json"),
            ],
            dir,
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        std::fs::write(dir.join(format!("{slug}.json")), &o.stdout).unwrap();
        files.push(format!("{slug}.json"));
        // Issued in order, a second apart, so the stack's order constraint holds.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let stacks = fixture("riverside-stacks.json");
    let res = format!("{RIVERSIDE}=riverside/publish/issuer-profile.json");
    let mut args = vec![
        "stack",
        "award",
        "--stacks",
        &stacks,
        "--stack",
        DIFFERENTIATION,
        "--issuer-dir",
        "riverside",
        "--resource",
        &res,
        "-o",
        "award.json",
    ];
    args.extend(files.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let award: Value =
        serde_json::from_slice(&std::fs::read(dir.join("award.json")).unwrap()).unwrap();
    assert_eq!(award["issuer"]["id"], RIVERSIDE);
    assert_eq!(
        award["proof"]["verificationMethod"],
        format!("{RIVERSIDE}#key-1")
    );
    let o = ob(&["verify", "--resource", &res, "award.json"], dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Neither a key nor a directory: a usage error.
    let mut args = vec![
        "stack",
        "award",
        "--stacks",
        &stacks,
        "--stack",
        DIFFERENTIATION,
        "--resource",
        &res,
    ];
    args.extend(files.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--issuer-dir"), "{}", stderr(&o));
}

/// Badges from Riverside (the seed above) for `who`, one per slug, written into `dir`.
fn badges_for(dir: &Path, who: &str, slugs: &[&str]) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    let issuer = Issuer::new(
        json!({"id": RIVERSIDE, "type": ["Profile"], "name": "Riverside Unified School District"}),
        SigningKey::from_seed_hex(SEED).unwrap(),
    )
    .unwrap();
    slugs
        .iter()
        .enumerate()
        .map(|(k, slug)| {
            let cred = json!({
                "@context": ["https://www.w3.org/ns/credentials/v2",
                             "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": slug,
                "credentialSubject": {"id": who, "type": ["AchievementSubject"],
                    "achievement": {"id": format!("https://riverside.example/achievements/{slug}"),
                        "type": ["Achievement"], "achievementType": "MicroCredential", "name": slug,
                        "description": "A micro-credential.", "criteria": {"narrative": "Rubric 3+."}}}
            });
            let at = chrono::DateTime::parse_from_rfc3339(&format!("2025-0{}-01T00:00:00Z", k + 1))
                .unwrap()
                .to_utc();
            let signed = issuer.issue_at(&cred, Suite::EddsaRdfc2022, at, None).unwrap().into_json();
            let path = dir.join(format!("{}-{slug}.json", who.rsplit(':').next().unwrap()));
            std::fs::write(&path, serde_json::to_vec_pretty(&signed).unwrap()).unwrap();
            path.to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn policy_report_values_every_teacher_for_payroll() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir); // profile.json
    let res = resource();
    let teachers = dir.join("teachers");
    badges_for(
        &teachers.join("maria"),
        "did:example:maria",
        &[
            "flexible-grouping",
            "tiered-assignments",
            "learning-stations",
            "growth-mindset",
        ],
    );
    badges_for(&teachers.join("jose"), "did:example:jose", &["math-talks"]);
    let mixed = [
        badges_for(
            &teachers.join("mixed"),
            "did:example:lee",
            &["close-reading"],
        ),
        badges_for(&teachers.join("mixed"), "did:example:kim", &["math-talks"]),
    ]
    .concat();
    // Ana's badges arrive as one CLR.
    let ana = badges_for(
        &dir.join("ana-badges"),
        "did:example:ana",
        &["math-talks", "close-reading"],
    );
    let mut args = vec![
        "clr",
        "bundle",
        "--holder",
        "did:example:ana",
        "--name",
        "Ana",
        "--seed",
        SEED,
        "--at",
        AT,
        "--resource",
        &res,
        "-o",
        "teachers/ana.json",
    ];
    args.extend(ana.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // One teacher's folder with two people's badges: `policy value` refuses it, naming both.
    let policy = fixture("riverside-policy.json");
    let stacks = fixture("riverside-stacks.json");
    let mut args = vec![
        "policy",
        "value",
        "--policy",
        &policy,
        "--stacks",
        &stacks,
        "--at",
        AT,
        "--resource",
        &res,
    ];
    args.extend(mixed.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did:example:kim, did:example:lee"),
        "{}",
        stderr(&o)
    );

    let o = ob(
        &[
            "policy",
            "report",
            "--policy",
            &policy,
            "--stacks",
            &stacks,
            "--at",
            AT,
            "--resource",
            &res,
            "--csv",
            "payroll.csv",
            "--json",
            "payroll.json",
            "teachers",
        ],
        dir,
    );
    // One teacher could not be valued: exit 1, the report is written all the same.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 of 4 teachers valued"),
        "{}",
        stderr(&o)
    );
    let csv = std::fs::read_to_string(dir.join("payroll.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "teacher,source,holder,counted,not counted,% salary,CPD units,in-service hours,steps reached,not counted: why,error"
    );
    assert_eq!(rows.len(), 5, "{csv}");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r.starts_with(&format!("{name},")))
            .copied()
            .unwrap()
    };
    assert!(row("ana").contains(",did:example:ana,2,0,0,1,8,"), "{csv}");
    assert!(
        row("jose").contains(",did:example:jose,1,0,0,0,4,"),
        "{csv}"
    );
    assert!(
        row("maria").contains(",did:example:maria,4,0,0,2,16,"),
        "{csv}"
    );
    assert!(
        row("mixed").contains("2 different holders: did:example:kim, did:example:lee"),
        "{csv}"
    );
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.join("payroll.json")).unwrap()).unwrap();
    assert_eq!(json["teachers"].as_array().unwrap().len(), 4);
    assert_eq!(json["teachers"][2]["valuation"]["counted"], 4);
    assert_eq!(
        json["policy"],
        "https://riverside.example/hr/policies/in-service-2026"
    );
}

#[test]
fn a_stack_award_carries_a_status_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let files = setup(dir);
    let res = resource();
    let o = ob(
        &[
            "status",
            "init",
            "--store",
            "status.json",
            "--url",
            "https://riverside.example/status/9",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let stacks = fixture("riverside-stacks.json");
    let mut args = vec![
        "stack",
        "award",
        "--stacks",
        &stacks,
        "--stack",
        DIFFERENTIATION,
        "--seed",
        SEED,
        "--status-store",
        "status.json",
        "--recipient",
        "did:example:maria",
        "--at",
        AT,
        "--resource",
        &res,
        "-o",
        "award.json",
    ];
    args.extend(files.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let award: Value =
        serde_json::from_slice(&std::fs::read(dir.join("award.json")).unwrap()).unwrap();
    assert_eq!(
        award["credentialStatus"]["statusListCredential"],
        "https://riverside.example/status/9"
    );
    // The store recorded the index: revoking the award works.
    let o = ob(
        &["status", "revoke", "--store", "status.json", "award.json"],
        dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // A stranger's did:key badges reusing Riverside's achievement ids are not awarded.
    let stranger = Issuer::new(
        json!({"name": "Riverside USD"}),
        SigningKey::from_seed(&[9; 32]),
    )
    .unwrap();
    let mut forged = Vec::new();
    for slug in [
        "flexible-grouping",
        "tiered-assignments",
        "learning-stations",
    ] {
        let cred = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": slug,
            "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
                "achievement": {"id": format!("https://riverside.example/achievements/{slug}"),
                    "type": ["Achievement"], "name": slug, "description": "d", "criteria": {"narrative": "n"}}}
        });
        let signed = stranger
            .issue(&cred, Suite::EddsaRdfc2022)
            .unwrap()
            .into_json();
        let name = format!("forged-{slug}.json");
        std::fs::write(dir.join(&name), signed.to_string()).unwrap();
        forged.push(name);
    }
    let mut args = vec![
        "stack",
        "award",
        "--stacks",
        &stacks,
        "--stack",
        DIFFERENTIATION,
        "--seed",
        SEED,
        "--recipient",
        "did:example:maria",
        "--at",
        "2030-01-01T00:00:00Z",
        "--resource",
        &res,
    ];
    args.extend(forged.iter().map(String::as_str));
    let o = ob(&args, dir);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("is not accepted here"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn policy_report_help_has_an_example() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ob(&["policy", "report", "--help"], tmp.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("Example:\n  openbadges policy report"),
        "{}",
        stdout(&o)
    );
    // Without a teacher folder to read: exit 2 naming it.
    let o = ob(
        &[
            "policy",
            "report",
            "--policy",
            &fixture("lakeshore-policy.toml"),
            "nowhere",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nowhere"), "{}", stderr(&o));
}
