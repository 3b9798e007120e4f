//! Scenarios from issue #18 ("From rubric-scored evidence to an awarded badge"), on the project's
//! fixture achievement (fixtures/award/flexible-grouping.json: three criteria, four levels,
//! Proficient required): a pass on first review; a "not yet" with feedback and a passing
//! resubmission; two assessors disagreeing and a third deciding; a committee of three; an
//! unqualified assessor ignored with a reason; an approver missing; broken input refused; the
//! awarded badge and its endorsements verified here and by the JS reference stack.

mod common;

use chrono::{DateTime, Utc};
use openbadges::award::{
    decide, Approval, AssessorCredentials, AssessorKeys, Awarder, Case, Decision, Docket,
    EvidenceItem, Outcome, Qualification, Resolution, Review, ReviewPolicy, ReviewTrail,
    Submission,
};
use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::lint::{lint, Rule};
use openbadges::proof::Suite;
use openbadges::verify::{Verifier, VerifyOptions};
use openbadges::ErrorKind;
use serde_json::{json, Value};

const ACHIEVEMENT: &str = include_str!("../fixtures/award/flexible-grouping.json");
const FG: &str = "https://riverside.example/achievements/flexible-grouping";
const CALIBRATION: &str = "https://riverside.example/achievements/assessor-calibration";
const CRITERIA: [&str; 3] = [
    "Planning from formative data",
    "Regrouping",
    "Reflection on impact",
];

fn achievement() -> Value {
    serde_json::from_str(ACHIEVEMENT).expect("fixture")
}

fn t(day: &str) -> DateTime<Utc> {
    format!("2026-{day}T00:00:00Z").parse().expect("date")
}

fn key(b: u8) -> SigningKey {
    SigningKey::from_seed(&[b; 32])
}

fn did(b: u8) -> String {
    key(b).verifying_key().did_key()
}

/// A review giving `levels` (by name) for the three criteria, in order.
fn review(sub: &str, assessor: &str, day: &str, levels: [&str; 3]) -> Review {
    let mut r = Review::new(sub, assessor, t(day)).origin(format!("reviews.csv:{day}"));
    for (c, l) in CRITERIA.iter().zip(levels) {
        r = r.score(*c, l, format!("{l} on {c}"));
    }
    r
}

const PASS: [&str; 3] = ["Proficient", "Exemplary", "Proficient"];
const WEAK_REFLECTION: [&str; 3] = ["Proficient", "Proficient", "Developing"];

fn submission(id: &str, teacher: &str, day: &str) -> Submission {
    Submission::new(id, teacher, FG, t(day))
        .narrative("Three weeks of fractions, regrouped from exit tickets.")
        .evidence(
            EvidenceItem::url(
                "https://media.riverside.example/lesson.mp4",
                "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            )
            .expect("evidence"),
        )
}

fn rubric() -> openbadges::award::Rubric {
    openbadges::award::Rubric::from_achievement(&achievement()).expect("rubric")
}

fn run(
    policy: &ReviewPolicy,
    s: &Submission,
    reviews: &[Review],
    approvals: &[Approval],
) -> Decision {
    decide(
        policy,
        &rubric(),
        &Case {
            submission: s,
            reviews,
            approvals,
        },
        &AssessorCredentials::new(),
    )
    .expect("decided")
}

fn district() -> Issuer {
    Issuer::new(json!({"name": "Riverside USD"}), key(0x11)).expect("issuer")
}

fn endorsing(policy: &ReviewPolicy) -> Awarder {
    let mut p = policy.clone();
    p.endorsements = true;
    Awarder::new(district(), achievement(), p)
        .expect("awarder")
        .assessor_keys(
            AssessorKeys::new()
                .with(key(0xA1))
                .with(key(0xB2))
                .with(key(0xC3)),
        )
}

#[test]
fn a_pass_on_first_review_is_awarded_with_results_evidence_and_endorsements() {
    let policy = ReviewPolicy::new("two assessors", 2, Resolution::AllMustPass);
    let s = submission("s1", "did:example:maria", "03-02");
    let reviews = [
        review("s1", &did(0xA1), "03-06", PASS),
        review(
            "s1",
            &did(0xB2),
            "03-07",
            ["Proficient", "Proficient", "Exemplary"],
        ),
    ];
    let d = run(&policy, &s, &reviews, &[]);
    assert_eq!(d.outcome, Outcome::Award, "{d}");
    assert_eq!(d.decided_at, Some(t("03-07")));
    // all-must-pass records the lowest level given.
    let levels: Vec<&str> = d.criteria.iter().map(|c| c.level_name.as_str()).collect();
    assert_eq!(levels, ["Proficient", "Proficient", "Proficient"]);

    let awarder = endorsing(&policy);
    let badge = awarder.issue(&s, &d, Utc::now()).expect("issued");
    assert_eq!(badge["awardedDate"], "2026-03-07T00:00:00Z");
    assert_eq!(badge["credentialSubject"]["id"], "did:example:maria");
    let results = badge["credentialSubject"]["result"]
        .as_array()
        .expect("results");
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[0]["achievedLevel"],
        "https://riverside.example/rubrics/flexible-grouping/planning/proficient"
    );
    assert_eq!(results[0]["status"], "Completed");
    assert_eq!(
        badge["evidence"][0]["digestSRI"],
        "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    );
    assert_eq!(
        badge["evidence"][0]["id"],
        "https://media.riverside.example/lesson.mp4"
    );
    let endorsers: Vec<&str> = badge["endorsement"]
        .as_array()
        .expect("endorsements")
        .iter()
        .map(|e| e["issuer"]["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(endorsers, [did(0xA1), did(0xB2)]);

    let report = Verifier::new(VerifyOptions::default())
        .verify_value(&badge)
        .expect("report");
    assert!(report.verified, "{report}");
    assert_eq!(report.endorsements.len(), 2);
    assert!(report.endorsements.iter().all(|e| e.verified));
    assert!(lint(&badge).is_empty(), "{:?}", lint(&badge));
    let trail = ReviewTrail::read(&badge, Some(&report));
    assert!(trail.holds(), "{trail}");
    assert_eq!(trail.reviewed_by(), 2);
    // The same award again has the same id (a re-run never issues twice).
    let again = awarder.issue(&s, &d, Utc::now()).expect("issued");
    assert_eq!(again["id"], badge["id"]);
}

#[test]
fn not_yet_gives_feedback_per_criterion_and_a_resubmission_passes() {
    let policy = ReviewPolicy::new("two assessors", 2, Resolution::AllMustPass);
    let (a, b) = (did(0xA1), did(0xB2));
    let docket = Docket {
        submissions: vec![
            submission("s1", "did:example:jamal", "03-03"),
            submission("s2", "did:example:jamal", "04-01"),
        ],
        reviews: vec![
            review("s1", &a, "03-06", WEAK_REFLECTION),
            review("s1", &b, "03-07", PASS),
            review("s2", &a, "04-03", PASS),
            review("s2", &b, "04-04", PASS),
        ],
        approvals: vec![],
    };
    let (standings, errors) = docket.decide(&policy, &rubric(), &AssessorCredentials::new());
    assert!(errors.is_empty(), "{errors:?}");
    let st = &standings[0];
    let first = &st.decisions[0];
    assert_eq!(first.outcome, Outcome::NotYet);
    let unmet: Vec<_> = first.unmet().collect();
    assert_eq!(unmet.len(), 1);
    assert_eq!(unmet[0].name, "Reflection on impact");
    assert_eq!(unmet[0].level_name, "Developing");
    assert_eq!(unmet[0].required_name, "Proficient");
    assert!(unmet[0]
        .comments
        .contains(&"Developing on Reflection on impact".to_string()));
    assert!(first
        .why
        .contains("`Reflection on impact` reached Developing (required Proficient)"));
    assert_eq!(st.award().map(|d| d.submission.as_str()), Some("s2"));
    assert_eq!(st.outcome(), Some(Outcome::Award));

    // Before the resubmission is reviewed, the teacher stands at "not yet".
    let mut earlier = docket.clone();
    earlier.reviews.truncate(2);
    earlier.submissions.truncate(1);
    let (standings, _) = earlier.decide(&policy, &rubric(), &AssessorCredentials::new());
    assert_eq!(standings[0].outcome(), Some(Outcome::NotYet));
    assert!(standings[0].award().is_none());
}

#[test]
fn two_assessors_disagree_and_a_third_decides() {
    let policy = ReviewPolicy::new("tie-break", 2, Resolution::ThirdBreaksTie);
    let s = submission("s1", "did:example:lee", "03-04");
    let split = [
        review("s1", &did(0xA1), "03-06", PASS),
        review(
            "s1",
            &did(0xB2),
            "03-07",
            ["Proficient", "Developing", "Proficient"],
        ),
    ];
    let waiting = run(&policy, &s, &split, &[]);
    assert_eq!(waiting.outcome, Outcome::Pending);
    assert!(
        waiting.why.contains("split on `Regrouping`"),
        "{}",
        waiting.why
    );

    let mut three = split.to_vec();
    three.push(review(
        "s1",
        &did(0xC3),
        "03-10",
        ["Proficient", "Proficient", "Exemplary"],
    ));
    let d = run(&policy, &s, &three, &[]);
    assert_eq!(d.outcome, Outcome::Award, "{d}");
    assert_eq!(d.assessors.len(), 3);
    assert_eq!(d.decided_at, Some(t("03-10")));
    let regrouping = &d.criteria[1];
    // The median of Exemplary, Developing, Proficient.
    assert_eq!(regrouping.level_name, "Proficient");
    assert_eq!(regrouping.levels.len(), 3);

    // The third siding with the lower score makes it "not yet".
    let mut against = split.to_vec();
    against.push(review(
        "s1",
        &did(0xC3),
        "03-10",
        ["Proficient", "Beginning", "Proficient"],
    ));
    let d = run(&policy, &s, &against, &[]);
    assert_eq!(d.outcome, Outcome::NotYet);
    assert_eq!(d.criteria[1].level_name, "Developing");

    // Agreeing assessors need no third; a fourth review is not counted, with the reason.
    let mut extra = vec![
        review("s1", &did(0xA1), "03-06", PASS),
        review("s1", &did(0xB2), "03-07", PASS),
    ];
    extra.push(review("s1", &did(0xC3), "03-10", WEAK_REFLECTION));
    let d = run(&policy, &s, &extra, &[]);
    assert_eq!(d.outcome, Outcome::Award);
    assert_eq!(d.ignored.len(), 1);
    assert!(d.ignored[0].reason.starts_with("not needed"));
}

#[test]
fn lower_score_stands_takes_the_lower_level() {
    let policy = ReviewPolicy::new("lower", 2, Resolution::LowerScoreStands);
    let s = submission("s1", "did:example:lee", "03-04");
    let d = run(
        &policy,
        &s,
        &[
            review("s1", &did(0xA1), "03-06", PASS),
            review(
                "s1",
                &did(0xB2),
                "03-07",
                ["Proficient", "Developing", "Proficient"],
            ),
        ],
        &[],
    );
    assert_eq!(d.outcome, Outcome::NotYet);
    assert_eq!(d.criteria[1].level_name, "Developing");
}

#[test]
fn a_committee_of_three_decides_by_majority_and_every_member_endorses() {
    let policy = ReviewPolicy::load(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/award/review-committee.toml"),
    )
    .expect("policy");
    assert_eq!(
        (policy.assessors, policy.resolution),
        (3, Resolution::Majority)
    );
    let s = submission("s1", "did:example:tl", "05-01");
    let two = [
        review("s1", &did(0xA1), "05-03", PASS),
        review("s1", &did(0xB2), "05-04", WEAK_REFLECTION),
    ];
    assert_eq!(run(&policy, &s, &two, &[]).outcome, Outcome::Pending);
    let mut three = two.to_vec();
    three.push(review("s1", &did(0xC3), "05-05", PASS));
    let d = run(&policy, &s, &three, &[]);
    assert_eq!(d.outcome, Outcome::Award, "{d}");
    let badge = endorsing(&policy)
        .issue(&s, &d, Utc::now())
        .expect("issued");
    let report = Verifier::new(VerifyOptions::default())
        .verify_value(&badge)
        .expect("report");
    assert!(report.verified);
    assert_eq!(ReviewTrail::read(&badge, Some(&report)).reviewed_by(), 3);

    // Two of three below the required level: not yet.
    let mut failing = two.to_vec();
    failing.push(review("s1", &did(0xC3), "05-05", WEAK_REFLECTION));
    assert_eq!(run(&policy, &s, &failing, &[]).outcome, Outcome::NotYet);
}

fn calibration_badge(issuer: &Issuer, holder: &str, on: &str) -> Value {
    let c = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Assessor calibration",
        "validFrom": format!("2026-{on}T00:00:00Z"),
        "credentialSubject": {"id": holder, "type": ["AchievementSubject"],
            "achievement": {"id": CALIBRATION, "type": ["Achievement"],
                "name": "Riverside assessor calibration", "description": "Anchor set within one level.",
                "criteria": {"narrative": "Calibration session."}}}
    });
    issuer
        .issue(&c, Suite::EddsaRdfc2022)
        .expect("signed")
        .into_json()
}

#[test]
fn an_assessor_without_the_qualification_is_ignored_with_a_reason() {
    let riverside = Issuer::new(json!({"name": "Riverside USD"}), key(0xF6)).expect("issuer");
    let rogue = Issuer::new(json!({"name": "Elsewhere"}), key(0x77)).expect("issuer");
    let verifier = Verifier::new(VerifyOptions::default());
    let mut held = AssessorCredentials::new();
    held.add_value(
        "a.json",
        &calibration_badge(&riverside, &did(0xA1), "01-15"),
        &verifier,
    )
    .expect("added");
    held.add_value(
        "b.json",
        &calibration_badge(&riverside, &did(0xB2), "01-15"),
        &verifier,
    )
    .expect("added");
    // D holds a look-alike from an issuer the policy does not accept; E was calibrated too late.
    held.add_value(
        "d.json",
        &calibration_badge(&rogue, &did(0xD4), "01-15"),
        &verifier,
    )
    .expect("added");
    held.add_value(
        "e.json",
        &calibration_badge(&riverside, &did(0xE5), "03-20"),
        &verifier,
    )
    .expect("added");
    let mut tampered = calibration_badge(&riverside, &did(0xC3), "01-15");
    tampered["name"] = "Assessor calibration (edited)".into();
    held.add_value("c.json", &tampered, &verifier)
        .expect("added");

    let mut policy = ReviewPolicy::new("calibrated", 2, Resolution::AllMustPass);
    policy.qualifications.push(Qualification {
        name: "Riverside assessor calibration".into(),
        achievement: CALIBRATION.into(),
        issuers: vec![riverside.id().into()],
    });
    let s = submission("s1", "did:example:rosa", "03-05");
    let reviews = [
        review("s1", &did(0xD4), "03-06", PASS),
        review("s1", &did(0xC3), "03-06", PASS),
        review("s1", &did(0xE5), "03-06", PASS),
        review("s1", &did(0xA1), "03-07", PASS),
    ];
    let case = Case {
        submission: &s,
        reviews: &reviews,
        approvals: &[],
    };
    let d = decide(&policy, &rubric(), &case, &held).expect("decided");
    assert_eq!(d.outcome, Outcome::Pending, "{d}");
    assert!(d.why.contains("1 more qualified assessor"));
    let reasons: Vec<(&str, &str)> = d
        .ignored
        .iter()
        .map(|i| (i.who.as_str(), i.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons[0].1.contains("not by an accepted issuer"),
        "{reasons:?}"
    );
    assert!(reasons[1].1.contains("is not valid"), "{reasons:?}");
    assert!(reasons[2].1.contains("after the review"), "{reasons:?}");
    assert_eq!(d.assessors[0].assessor, did(0xA1));

    let mut four = reviews.to_vec();
    four.push(review("s1", &did(0xB2), "03-08", PASS));
    let case = Case {
        submission: &s,
        reviews: &four,
        approvals: &[],
    };
    let d = decide(&policy, &rubric(), &case, &held).expect("decided");
    assert_eq!(d.outcome, Outcome::Award);
    assert_eq!(d.assessors.len(), 2);
    assert_eq!(d.assessors[0].qualified_by.len(), 1);

    // Nobody reviews their own submission.
    let own = submission("s2", &did(0xA1), "03-05");
    let reviews = [
        review("s2", &did(0xA1), "03-06", PASS),
        review("s2", &did(0xB2), "03-07", PASS),
    ];
    let case = Case {
        submission: &own,
        reviews: &reviews,
        approvals: &[],
    };
    let d = decide(&policy, &rubric(), &case, &held).expect("decided");
    assert_eq!(d.outcome, Outcome::Pending);
    assert!(d.ignored[0].reason.contains("their own submission"));
}

#[test]
fn an_approver_missing_leaves_it_pending_and_a_return_is_not_yet() {
    let toml = format!(
        "name = \"with sign-off\"\nassessors = 2\nresolution = \"all-must-pass\"\n[approval]\napprovers = [\"{}\"]\n",
        did(0xE5)
    );
    let policy = ReviewPolicy::from_json(
        &openbadges::definition_file::parse(toml.as_bytes(), true).expect("toml"),
    )
    .expect("policy");
    let s = submission("s1", "did:example:kim", "03-05");
    let reviews = [
        review("s1", &did(0xA1), "03-06", PASS),
        review("s1", &did(0xB2), "03-07", PASS),
    ];
    let d = run(&policy, &s, &reviews, &[]);
    assert_eq!(d.outcome, Outcome::Pending);
    assert!(d.why.contains("waiting for sign-off"), "{}", d.why);

    // An assessor cannot sign off, nor can someone the policy does not name, nor a sign-off
    // dated before the reviews.
    let wrong = [
        Approval::new("s1", did(0xA1), true, t("03-08")),
        Approval::new("s1", "did:example:someone", true, t("03-08")),
        Approval::new("s1", did(0xE5), true, t("03-06")),
    ];
    let mut p2 = policy.clone();
    if let Some(a) = p2.approval.as_mut() {
        a.approvers.push(did(0xA1));
    }
    let d = run(&p2, &s, &reviews, &wrong);
    assert_eq!(d.outcome, Outcome::Pending);
    let reasons: Vec<&str> = d.ignored.iter().map(|i| i.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "dated before the last counted review",
            "assessed this submission; the sign-off must come from someone else",
            "not an approver under the policy"
        ],
        "{d}"
    );

    let returned = [
        Approval::new("s1", did(0xE5), false, t("03-09")).comment("Evidence is from last year.")
    ];
    let d = run(&policy, &s, &reviews, &returned);
    assert_eq!(d.outcome, Outcome::NotYet);
    assert!(d.why.contains("Evidence is from last year."));

    let approved = [Approval::new("s1", did(0xE5), true, t("03-09"))];
    let d = run(&policy, &s, &reviews, &approved);
    assert_eq!(d.outcome, Outcome::Award);
    assert_eq!(d.decided_at, Some(t("03-09")));
    let badge = endorsing(&policy)
        .issue(&s, &d, Utc::now())
        .expect("issued");
    let record = badge["evidence"]
        .as_array()
        .and_then(|e| e.last())
        .and_then(|e| e["narrative"].as_str())
        .unwrap_or("")
        .to_string();
    assert!(
        record.contains(&format!("Approved by {} on 2026-03-09", did(0xE5))),
        "{record}"
    );
}

#[test]
fn broken_input_is_refused_naming_where() {
    let policy = ReviewPolicy::new("two", 2, Resolution::AllMustPass);
    let s = submission("s1", "did:example:maria", "03-02");
    let decide_err = |reviews: &[Review]| {
        decide(
            &policy,
            &rubric(),
            &Case {
                submission: &s,
                reviews,
                approvals: &[],
            },
            &AssessorCredentials::new(),
        )
        .expect_err("refused")
    };
    // A level the rubric lacks.
    let e = decide_err(&[review(
        "s1",
        &did(0xA1),
        "03-06",
        ["Proficient", "Superb", "Proficient"],
    )]);
    assert_eq!(e.kind(), ErrorKind::Usage);
    assert!(
        e.to_string().starts_with(
            "reviews.csv:03-06: level `Superb` is not defined for criterion `Regrouping`"
        ),
        "{e}"
    );
    // A criterion the rubric lacks.
    let e = decide_err(&[Review::new("s1", did(0xA1), t("03-06")).score(
        "Punctuality",
        "Proficient",
        "",
    )]);
    assert!(
        e.to_string()
            .contains("criterion `Punctuality` is not in the rubric"),
        "{e}"
    );
    // A duplicate assessor.
    let e = decide_err(&[
        review("s1", &did(0xA1), "03-06", PASS),
        review("s1", &did(0xA1), "03-07", PASS),
    ]);
    assert!(
        e.to_string()
            .contains("reviewed submission `s1` twice (first at reviews.csv:03-06)"),
        "{e}"
    );
    // A criterion left out.
    let e = decide_err(&[Review::new("s1", did(0xA1), t("03-06")).score(
        "Regrouping",
        "Proficient",
        "",
    )]);
    assert!(
        e.to_string()
            .contains("gives no level for criterion `Planning from formative data`"),
        "{e}"
    );
    // A review of another submission, and one dated before the submission.
    let e = decide_err(&[review("s9", &did(0xA1), "03-06", PASS)]);
    assert!(e.to_string().contains("is for submission `s9`"), "{e}");
    let e = decide_err(&[review("s1", &did(0xA1), "03-01", PASS)]);
    assert!(e.to_string().contains("before the submission"), "{e}");

    // In a docket: a review of an unknown submission is an error of its own; the teacher with a
    // broken review is held (nothing awarded), the others are decided.
    let docket = Docket {
        submissions: vec![s.clone(), submission("s2", "did:example:jamal", "03-02")],
        reviews: vec![
            review("s1", &did(0xA1), "03-06", PASS),
            review(
                "s1",
                &did(0xB2),
                "03-06",
                ["Proficient", "Superb", "Proficient"],
            ),
            review("s2", &did(0xA1), "03-06", PASS),
            review("s2", &did(0xB2), "03-06", PASS),
            review("s404", &did(0xB2), "03-06", PASS),
        ],
        approvals: vec![],
    };
    let (standings, errors) = docket.decide(&policy, &rubric(), &AssessorCredentials::new());
    assert_eq!(errors.len(), 1);
    assert!(errors[0]
        .to_string()
        .contains("names submission `s404`, which is not among the submissions"));
    let maria = standings
        .iter()
        .find(|s| s.teacher == "did:example:maria")
        .expect("maria");
    assert!(maria.award().is_none() && maria.outcome().is_none());
    assert_eq!(maria.errors.len(), 1);
    let jamal = standings
        .iter()
        .find(|s| s.teacher == "did:example:jamal")
        .expect("jamal");
    assert_eq!(jamal.outcome(), Some(Outcome::Award));

    // Evidence whose digest does not match its file.
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("plan.md");
    std::fs::write(&f, "the plan").expect("write");
    let e = EvidenceItem::file(
        &f,
        Some("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
    )
    .expect_err("mismatch");
    assert!(
        e.to_string().contains("plan.md") && e.to_string().contains("does not match"),
        "{e}"
    );
    assert!(EvidenceItem::file(&f, None).is_ok());
}

#[test]
fn policy_files_are_checked_with_pointers() {
    let parse = |t: &str| {
        ReviewPolicy::from_json(
            &openbadges::definition_file::parse(t.as_bytes(), true).expect("toml"),
        )
    };
    let e = parse("name = \"x\"\nassessors = 0\n").expect_err("zero");
    assert_eq!(e.pointer(), Some("/assessors"));
    let e =
        parse("name = \"x\"\nassessors = 3\nresolution = \"third-breaks-tie\"\n").expect_err("odd");
    assert_eq!(e.pointer(), Some("/assessors"));
    let e = parse(
        "name = \"x\"\nassessors = 2\n[[qualifications]]\nachievement = \"urn:a\"\nissuers = []\n",
    )
    .expect_err("no issuers");
    assert_eq!(e.pointer(), Some("/qualifications/0/issuers"));
    let e = parse("name = \"x\"\nassessors = 2\nassesors = 3\n").expect_err("typo");
    assert_eq!(e.pointer(), Some("/assesors"));
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("review.toml");
    std::fs::write(&p, "name = \"x\"\nassessors = 2\nendorsements = \"yes\"\n").expect("write");
    let e = ReviewPolicy::load(&p).expect_err("bad");
    assert!(
        e.to_string().contains("review.toml") && e.to_string().contains("(at /endorsements)"),
        "{e}"
    );
    let fixture = ReviewPolicy::load(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/award/review-two-assessors.toml"),
    )
    .expect("fixture policy");
    assert_eq!(fixture.resolution, Resolution::ThirdBreaksTie);
    assert!(fixture.endorsements && fixture.approval.is_some());
    assert_eq!(fixture.qualifications[0].issuers, [did(0xF6)]);
}

#[test]
fn lint_flags_results_below_the_required_level_or_off_the_rubric() {
    let policy = ReviewPolicy::new("one", 1, Resolution::AllMustPass);
    let s = submission("s1", "did:example:maria", "03-02");
    let d = run(&policy, &s, &[review("s1", &did(0xA1), "03-06", PASS)], &[]);
    let awarder = Awarder::new(district(), achievement(), policy).expect("awarder");
    let badge = awarder.credential(&s, &d).expect("credential");
    assert!(lint(&badge).iter().all(|f| f.rule != Rule::RubricResult));

    let mut below = badge.clone();
    below["credentialSubject"]["result"][2]["achievedLevel"] =
        "https://riverside.example/rubrics/flexible-grouping/reflection/developing".into();
    let f: Vec<_> = lint(&below)
        .into_iter()
        .filter(|f| f.rule == Rule::RubricResult)
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].pointer, "/credentialSubject/result/2/achievedLevel");
    assert!(
        f[0].message
            .contains("below the rubric's requiredLevel Proficient"),
        "{}",
        f[0]
    );

    let mut unknown = badge.clone();
    unknown["credentialSubject"]["result"][0]["achievedLevel"] = "urn:level:superb".into();
    unknown["credentialSubject"]["result"][1]["resultDescription"] = "urn:rubric:other".into();
    let f: Vec<_> = lint(&unknown)
        .into_iter()
        .filter(|f| f.rule == Rule::RubricResult)
        .collect();
    let at: Vec<&str> = f.iter().map(|f| f.pointer.as_str()).collect();
    assert_eq!(
        at,
        [
            "/credentialSubject/result/0/achievedLevel",
            "/credentialSubject/result/1/resultDescription"
        ]
    );

    // The trail says the same.
    let trail = ReviewTrail::read(&below, None);
    assert!(!trail.holds());
    assert!(trail
        .problems
        .iter()
        .any(|p| p.contains("below the required level")));
}

#[test]
fn evidence_digests_and_endorsements_are_signed() {
    let policy = ReviewPolicy::new("one", 1, Resolution::AllMustPass);
    let s = submission("s1", "did:example:maria", "03-02");
    let d = run(&policy, &s, &[review("s1", &did(0xA1), "03-06", PASS)], &[]);
    let badge = endorsing(&policy)
        .issue(&s, &d, Utc::now())
        .expect("issued");
    let verifier = Verifier::new(VerifyOptions::default());
    assert!(verifier.verify_value(&badge).expect("report").verified);
    // digestSRI is a term the VC 2.0 context defines: changing it breaks the issuer's proof.
    let mut altered = badge.clone();
    altered["evidence"][0]["digestSRI"] =
        "sha256-KwwMlXvGiIgOmfzwK2kasYw6DhQOoIq+NjZEjG7mODY=".into();
    let r = verifier.verify_value(&altered).expect("report");
    assert!(!r.verified, "{r}");
    // So is the endorsement comment, under both proofs.
    let mut altered = badge.clone();
    altered["endorsement"][0]["credentialSubject"]["endorsementComment"] = "I never saw it.".into();
    let r = verifier.verify_value(&altered).expect("report");
    assert!(!r.verified);
    // An endorsement of another badge does not count as a review of this one.
    let mut other = badge.clone();
    other["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000".into();
    let trail = ReviewTrail::read(&other, None);
    assert!(trail.problems.iter().any(|p| p.contains("not this badge")));
    // A missing assessor key is an error, not an unendorsed badge.
    let mut p = policy.clone();
    p.endorsements = true;
    let bare = Awarder::new(district(), achievement(), p).expect("awarder");
    let e = bare.issue(&s, &d, Utc::now()).expect_err("no key");
    assert_eq!(e.kind(), ErrorKind::Key);
}

#[test]
fn e_mail_teachers_get_a_hashed_identity() {
    let policy = ReviewPolicy::new("one", 1, Resolution::AllMustPass);
    let s = submission("s1", "Lee.Park@Riverside.example", "03-02");
    let d = run(&policy, &s, &[review("s1", &did(0xA1), "03-06", PASS)], &[]);
    let badge = Awarder::new(district(), achievement(), policy)
        .expect("awarder")
        .credential(&s, &d)
        .expect("credential");
    let ident = openbadges::identity::IdentityObject::from_value(
        &badge["credentialSubject"]["identifier"][0],
    )
    .expect("identity");
    assert!(ident.matches_email("lee.park@riverside.example"));
    assert!(!badge.to_string().contains("lee.park"));
}

#[test]
fn the_js_reference_verifies_an_award_and_each_endorsement() {
    let Some(dir) = common::interop_dir() else {
        return;
    };
    let policy = ReviewPolicy::new("tie-break", 2, Resolution::ThirdBreaksTie);
    let s = submission("s1", "lee.park@riverside.example", "03-04");
    let reviews = [
        review("s1", &did(0xA1), "03-06", PASS),
        review(
            "s1",
            &did(0xB2),
            "03-07",
            ["Proficient", "Developing", "Proficient"],
        ),
        review("s1", &did(0xC3), "03-10", PASS),
    ];
    let d = run(&policy, &s, &reviews, &[]);
    let badge = endorsing(&policy)
        .issue(&s, &d, Utc::now())
        .expect("issued");
    let (ok, out) = common::node(&dir, "verify.mjs", &[], &badge);
    assert!(ok, "JS stack refused the award: {out}");
    for (i, e) in badge["endorsement"]
        .as_array()
        .expect("endorsements")
        .iter()
        .enumerate()
    {
        let (ok, out) = common::node(&dir, "verify.mjs", &[], e);
        assert!(ok, "JS stack refused endorsement {i}: {out}");
    }
    // And refuses one whose evidence digest was changed.
    let mut altered = badge.clone();
    altered["evidence"][0]["digestSRI"] =
        "sha256-KwwMlXvGiIgOmfzwK2kasYw6DhQOoIq+NjZEjG7mODY=".into();
    let (ok, _) = common::node(&dir, "verify.mjs", &[], &altered);
    assert!(!ok, "the JS stack accepted an altered digest");
}

/// The receiving side of #18: a district whose stack requires "reviewed by two assessors" (#17's
/// endorsement requirement) counts an awarded badge, and not a copy with an endorsement removed.
#[test]
fn a_receiving_districts_stack_counts_a_badge_reviewed_by_two_assessors() {
    use openbadges::portfolio::Portfolio;
    use openbadges::stack::{progress, StackSet};
    use openbadges::verify::TrustList;
    let policy = ReviewPolicy::new("two assessors", 2, Resolution::AllMustPass);
    let s = submission("s1", "did:example:maria", "03-02");
    let reviews = [
        review("s1", &did(0xA1), "03-06", PASS),
        review("s1", &did(0xB2), "03-07", PASS),
    ];
    let d = run(&policy, &s, &reviews, &[]);
    let badge = endorsing(&policy)
        .issue(&s, &d, t("03-08"))
        .expect("issued");
    let stack_id = "https://lakeshore.example/stacks/reviewed";
    let set = StackSet::from_json(&json!({
        "achievements": [{"id": FG, "name": "Flexible Grouping"}],
        "stacks": [{
            "id": stack_id, "name": "Reviewed micro-credentials",
            "issuer": {"id": "https://lakeshore.example/issuers/1", "type": ["Profile"], "name": "Lakeshore"},
            "acceptedIssuers": [district().id()],
            "achievement": {"id": format!("{stack_id}/badge"), "type": ["Achievement"],
                "achievementType": "Certificate", "name": "Reviewed", "description": "d",
                "criteria": {"narrative": "n"}},
            "rule": {"allOf": [FG]},
            "endorsements": {"atLeast": 2, "by": [did(0xA1), did(0xB2)]}
        }]
    }))
    .expect("stack file");
    let verifier = Verifier::new(
        VerifyOptions::default()
            .at(t("03-20"))
            .trust(TrustList::new().trust(district().id())),
    );
    let complete = |b: &Value| {
        let mut p = Portfolio::new();
        p.add_value("badge.json", b, &verifier).expect("added");
        progress(&set, stack_id, &p, t("03-20"))
            .expect("progress")
            .complete
    };
    assert!(complete(&badge), "two assessors endorsed the badge");
    // The rule is what counts it: three required reviewers are not there.
    let mut three = set.to_json();
    three["stacks"][0]["endorsements"]["atLeast"] = json!(3);
    three["stacks"][0]["endorsements"]["by"] = json!([did(0xA1), did(0xB2), did(0xC3)]);
    let three = StackSet::from_json(&three).expect("stack file");
    let mut p = Portfolio::new();
    p.add_value("badge.json", &badge, &verifier).expect("added");
    assert!(
        !progress(&three, stack_id, &p, t("03-20"))
            .expect("progress")
            .complete
    );
    let mut copy = badge.clone();
    copy["endorsement"]
        .as_array_mut()
        .expect("endorsements")
        .pop();
    assert!(
        !complete(&copy),
        "a copy with an endorsement removed does not count"
    );
}
