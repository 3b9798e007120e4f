//! The built binary's `award` and `award explain` on the project's fixtures (fixtures/award):
//! two calibrated assessors, a third for ties, the principal's sign-off, endorsements. Checks the
//! outcome per teacher, the letters (not-yet.csv, pending.csv), the manifest, resuming after an
//! interruption, and broken rows (a clear error naming the file and line, nothing awarded).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::proof::Suite;
use serde_json::{json, Value};

const ISSUER_SEED: &str = "1111111111111111111111111111111111111111111111111111111111111111";

fn ob(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/award")
        .join(name)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn did(b: u8) -> String {
    SigningKey::from_seed(&[b; 32]).verifying_key().did_key()
}

/// Assessor key files (A, B, C and the principal), and calibration badges for A, B and C issued
/// by the district key the fixture policy accepts (seed 0xF6). D is not calibrated.
fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let keys = dir.join("keys");
    let quals = dir.join("quals");
    std::fs::create_dir_all(&keys).expect("mkdir");
    std::fs::create_dir_all(&quals).expect("mkdir");
    for b in [0xA1u8, 0xB2, 0xC3, 0xE5] {
        let k = SigningKey::from_seed(&[b; 32]);
        openbadges::issuer::write_key_file(
            &keys.join(format!("{b:02x}.json")),
            &k,
            &k.verifying_key().did_key_verification_method(),
            &k.verifying_key().did_key(),
        )
        .expect("key file");
    }
    let district = Issuer::new(
        json!({"name": "Riverside USD"}),
        SigningKey::from_seed(&[0xF6; 32]),
    )
    .expect("issuer");
    for b in [0xA1u8, 0xB2, 0xC3] {
        let c = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Assessor calibration",
            "validFrom": "2026-01-15T00:00:00Z",
            "credentialSubject": {"id": did(b), "type": ["AchievementSubject"],
                "achievement": {"id": "https://riverside.example/achievements/assessor-calibration",
                    "type": ["Achievement"], "name": "Riverside assessor calibration",
                    "description": "Anchor set within one level.", "criteria": {"narrative": "Calibration."}}}
        });
        let signed = district
            .issue(&c, Suite::EddsaRdfc2022)
            .expect("signed")
            .into_json();
        std::fs::write(quals.join(format!("{b:02x}.json")), signed.to_string()).expect("write");
    }
    (keys, quals)
}

fn award(dir: &Path, submissions: &Path, reviews: &Path, out: &Path) -> Output {
    let (keys, quals) = (dir.join("keys"), dir.join("quals"));
    ob(&[
        "award",
        "--achievement",
        fixture("flexible-grouping.json").to_str().expect("utf-8"),
        "--policy",
        fixture("review-two-assessors.toml")
            .to_str()
            .expect("utf-8"),
        "--submissions",
        submissions.to_str().expect("utf-8"),
        "--reviews",
        reviews.to_str().expect("utf-8"),
        "--seed",
        ISSUER_SEED,
        "--assessor-keys",
        keys.to_str().expect("utf-8"),
        "--qualifications",
        quals.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ])
}

fn manifest(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
        .expect("json")
}

fn state_of(m: &Value, teacher: &str) -> String {
    m["awards"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(m["teachers"].as_array().into_iter().flatten())
        .find(|e| e["teacher"] == teacher)
        .map(|e| {
            if e.get("file").is_some() {
                "awarded".to_string()
            } else {
                e["state"].as_str().unwrap_or("").to_string()
            }
        })
        .unwrap_or_default()
}

fn badges(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("out")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name().is_some_and(|n| n != "manifest.json")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_fixture_round_awards_explains_and_resumes() {
    let dir = tempfile::tempdir().expect("tmp");
    setup(dir.path());
    let out = dir.path().join("out");
    let o = award(
        dir.path(),
        &fixture("submissions.csv"),
        &fixture("reviews.csv"),
        &out,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "3 awarded (3 issued, 0 already present), 1 not yet, 2 pending, 0 held, 0 problem(s)"
        ),
        "{}",
        stderr(&o)
    );
    let m = manifest(&out);
    assert_eq!(state_of(&m, "did:example:maria"), "awarded");
    assert_eq!(state_of(&m, "did:example:jamal"), "awarded"); // on resubmission
    assert_eq!(state_of(&m, "lee.park@riverside.example"), "awarded"); // a third broke the tie
    assert_eq!(state_of(&m, "did:example:ana"), "not-yet");
    assert_eq!(state_of(&m, "did:example:kim"), "pending"); // no sign-off yet
    assert_eq!(state_of(&m, "did:example:rosa"), "pending"); // D is not calibrated
    let rosa = m["teachers"]
        .as_array()
        .and_then(|t| t.iter().find(|e| e["teacher"] == "did:example:rosa"))
        .expect("rosa");
    assert_eq!(rosa["ignored"][0]["who"], did(0xD4));
    assert!(rosa["ignored"][0]["reason"]
        .as_str()
        .unwrap_or("")
        .contains("holds no Riverside assessor calibration credential"));

    let not_yet = std::fs::read_to_string(out.join("not-yet.csv")).expect("not-yet.csv");
    assert_eq!(
        not_yet,
        "teacher,name,submission,criterion,level reached,required,comments\n\
         did:example:ana,Ana Silva,s-ana-1,Planning from formative data,Developing,Proficient,Name the data each group comes from.\n"
    );
    let pending = std::fs::read_to_string(out.join("pending.csv")).expect("pending.csv");
    assert_eq!(pending.lines().count(), 3, "{pending}");

    let files = badges(&out);
    assert_eq!(files.len(), 3);
    for f in &files {
        let f = f.to_str().expect("utf-8");
        let v = ob(&["verify", f]);
        assert_eq!(
            v.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&v.stdout)
        );
        let e = ob(&["award", "explain", f]);
        let text = String::from_utf8_lossy(&e.stdout).into_owned();
        assert_eq!(e.status.code(), Some(0), "{text}");
        assert!(text.starts_with("REVIEW TRAIL HOLDS"), "{text}");
        let lint = ob(&["lint", f]);
        assert_eq!(lint.status.code(), Some(0));
    }
    let lee = m["awards"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|e| e["teacher"] == "lee.park@riverside.example")
        })
        .expect("lee");
    let lee_file = out.join(lee["file"].as_str().expect("file"));
    let e = ob(&[
        "award",
        "explain",
        "--json",
        lee_file.to_str().expect("utf-8"),
    ]);
    let j: Value = serde_json::from_slice(&e.stdout).expect("json");
    assert_eq!(j["reviewedBy"], 3);
    assert_eq!(j["holds"], true);
    assert_eq!(j["reviewTrail"]["awardedDate"], "2026-03-11T00:00:00Z");

    // A tampered badge: explain says the trail does not hold.
    let mut badge: Value =
        serde_json::from_slice(&std::fs::read(&lee_file).expect("read")).expect("json");
    badge["credentialSubject"]["result"][1]["achievedLevel"] =
        "https://riverside.example/rubrics/flexible-grouping/regrouping/developing".into();
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, badge.to_string()).expect("write");
    let e = ob(&["award", "explain", tampered.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&e.stdout).into_owned();
    assert_eq!(e.status.code(), Some(1), "{text}");
    assert!(
        text.contains("below the required level") && text.contains("the badge did not verify"),
        "{text}"
    );

    // Interrupted: one badge lost before its rename, a temporary left behind. The re-run issues
    // exactly the missing one; the others are untouched.
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("read"))
        .collect();
    std::fs::remove_file(&files[1]).expect("rm");
    std::fs::write(out.join(".x.json.tmp-1-abc-0"), b"{\"half\":").expect("tmp");
    let o = award(
        dir.path(),
        &fixture("submissions.csv"),
        &fixture("reviews.csv"),
        &out,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 awarded (1 issued, 2 already present)"),
        "{}",
        stderr(&o)
    );
    let after = badges(&out);
    assert_eq!(after, files);
    assert_eq!(std::fs::read(&files[0]).expect("read"), before[0]);
    assert_eq!(std::fs::read(&files[2]).expect("read"), before[2]);
    assert!(!out.join(".x.json.tmp-1-abc-0").exists());
    let again: Value =
        serde_json::from_slice(&std::fs::read(&files[1]).expect("read")).expect("json");
    let first: Value = serde_json::from_slice(&before[1]).expect("json");
    assert_eq!(again["id"], first["id"]);
}

#[test]
fn broken_rows_name_the_file_and_line_and_award_nothing_for_that_teacher() {
    let dir = tempfile::tempdir().expect("tmp");
    setup(dir.path());
    // Copy the fixtures (the evidence is found relative to the CSV).
    let work = dir.path().join("round");
    std::fs::create_dir_all(work.join("evidence")).expect("mkdir");
    for e in std::fs::read_dir(fixture("evidence"))
        .expect("evidence")
        .flatten()
    {
        std::fs::copy(e.path(), work.join("evidence").join(e.file_name())).expect("copy");
    }
    let subs = std::fs::read_to_string(fixture("submissions.csv")).expect("read");
    let reviews = std::fs::read_to_string(fixture("reviews.csv")).expect("read");
    // Maria's lesson plan changed since she submitted it (line 2); Jamal's resubmission review
    // names a level the rubric lacks; a review names an unknown submission; a row has too few
    // fields.
    std::fs::write(
        work.join("evidence/maria-lesson-plan.md"),
        "edited after submission",
    )
    .expect("write");
    let jamal = "s-jamal-2,".to_string() + &did(0xA1) + ",,Regrouping,Proficient,";
    let reviews = reviews.replacen(
        &(jamal.clone() + ","),
        &(jamal.replace("Proficient,", "Superb,") + ","),
        1,
    );
    let reviews = reviews
        + &format!(
            "s-nobody-1,{},,Regrouping,Proficient,,2026-03-08\n",
            did(0xA1)
        )
        + "s-kim-1,did:example:x\n";
    std::fs::write(work.join("submissions.csv"), subs).expect("write");
    std::fs::write(work.join("reviews.csv"), &reviews).expect("write");
    let out = dir.path().join("out");
    let o = award(
        dir.path(),
        &work.join("submissions.csv"),
        &work.join("reviews.csv"),
        &out,
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let subs_csv = work.join("submissions.csv").display().to_string();
    let rev_csv = work.join("reviews.csv").display().to_string();
    assert!(
        err.contains(&format!("{subs_csv}:2: the digest of evidence")),
        "{err}"
    );
    assert!(err.contains("maria-lesson-plan.md"), "{err}");
    let superb_line = reviews
        .lines()
        .position(|l| l.contains("Superb"))
        .map(|i| i + 1)
        .expect("line");
    assert!(
        err.contains(&format!(
            "{rev_csv}:{superb_line}: level `Superb` is not defined for criterion `Regrouping`"
        )),
        "{err}"
    );
    let n = reviews.lines().count();
    assert!(
        err.contains(&format!(
            "{rev_csv}:{}: the review by {} names submission `s-nobody-1`",
            n - 1,
            did(0xA1)
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{rev_csv}:{n}: the row has 2 fields, the header 7"
        )),
        "{err}"
    );
    assert!(!err.contains("`s-maria-1`, which is not among"), "{err}");
    let m = manifest(&out);
    assert_eq!(state_of(&m, "did:example:maria"), "held");
    assert_eq!(state_of(&m, "did:example:jamal"), "held");
    assert_eq!(state_of(&m, "did:example:kim"), "held");
    assert_eq!(state_of(&m, "lee.park@riverside.example"), "awarded");
    assert_eq!(badges(&out).len(), 1);
}

#[test]
fn a_policy_asking_for_endorsements_needs_assessor_keys() {
    let dir = tempfile::tempdir().expect("tmp");
    let o = ob(&[
        "award",
        "--achievement",
        fixture("flexible-grouping.json").to_str().expect("utf-8"),
        "--policy",
        fixture("review-committee.toml").to_str().expect("utf-8"),
        "--submissions",
        fixture("submissions.csv").to_str().expect("utf-8"),
        "--reviews",
        fixture("reviews.csv").to_str().expect("utf-8"),
        "--seed",
        ISSUER_SEED,
        "--out",
        dir.path().join("out").to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("give --assessor-keys DIR"),
        "{}",
        stderr(&o)
    );
    for cmd in [vec!["award", "--help"], vec!["award", "explain", "--help"]] {
        let help = ob(&cmd);
        assert_eq!(help.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&help.stdout).contains("Example:"),
            "{cmd:?}"
        );
    }
}
