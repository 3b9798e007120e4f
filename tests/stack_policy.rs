//! Scenario tests for stacks, pathways and credit policies, on the project's fixtures in
//! fixtures/programs: Riverside USD (stacks of three with an order, a two-phase 15 + 15
//! compensation program with at least 5 a year, a 12-badge teacher-leader pathway, 4 in-service
//! hours per badge, 2 badges per CPD unit) and Lakeshore County (6 CE points per micro-credential,
//! equivalences for Riverside's badges, a cap). Every badge is really signed and verified.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::policy::CreditPolicy;
use openbadges::portfolio::{Exclusion, Portfolio};
use openbadges::proof::Suite;
use openbadges::resolve::LocalResources;
use openbadges::stack::{award, check_award_evidence, progress, progress_all, StackSet};
use openbadges::status::{Purpose, StatusListStore};
use openbadges::verify::{Recipient, TrustList, Verifier, VerifyOptions};
use serde_json::{json, Value};

const RIVERSIDE: &str = "https://riverside.example/issuers/1";
const LAKESHORE: &str = "https://lakeshore.example/issuers/1";
const STRANGER: &str = "https://diploma-mill.example/issuers/1";
const MARIA: &str = "did:example:maria";
const STATUS_URL: &str = "https://riverside.example/status/1";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/programs")
        .join(name)
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn ach(slug: &str) -> String {
    format!("https://riverside.example/achievements/{slug}")
}

/// Issuers with fixed keys, their controller documents served locally.
struct World {
    issuers: Vec<Issuer>,
    resources: LocalResources,
    status: StatusListStore,
    stacks: StackSet,
}

impl World {
    fn new() -> Self {
        let mut resources = LocalResources::new();
        let mut issuers = Vec::new();
        for (i, (id, name)) in [
            (RIVERSIDE, "Riverside Unified School District"),
            (LAKESHORE, "Lakeshore County Schools"),
            (STRANGER, "Diploma Mill"),
        ]
        .into_iter()
        .enumerate()
        {
            let key = SigningKey::from_seed(&[0x40 + i as u8; 32]);
            let mk = key.verifying_key().to_multikey();
            let vm = format!("{id}#{mk}");
            resources.insert(
                id,
                serde_json::to_vec(&json!({
                    "@context": ["https://www.w3.org/ns/credentials/v2",
                                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                                 "https://w3id.org/security/multikey/v1"],
                    "id": id, "type": "Profile", "name": name,
                    "verificationMethod": [{"id": vm, "type": "Multikey", "controller": id,
                                            "publicKeyMultibase": mk}],
                    "assertionMethod": [vm],
                }))
                .unwrap(),
            );
            issuers.push(
                Issuer::new(json!({"id": id, "type": ["Profile"], "name": name}), key).unwrap(),
            );
        }
        World {
            issuers,
            resources,
            status: StatusListStore::new(STATUS_URL, Purpose::Revocation).unwrap(),
            stacks: StackSet::load(&fixture("riverside-stacks.json")).unwrap(),
        }
    }

    fn issuer(&self, id: &str) -> &Issuer {
        self.issuers.iter().find(|i| i.id() == id).unwrap()
    }

    /// A signed micro-credential for `achievement` (an id), earned by `who` on `date`.
    fn badge(&mut self, issuer: &str, achievement: &str, who: &str, date: &str) -> Value {
        let name = self
            .stacks
            .achievements
            .get(achievement)
            .map(|e| e.name.clone())
            .unwrap_or_else(|| achievement.rsplit('/').next().unwrap().replace('-', " "));
        let cred = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": name,
            "credentialSubject": {"id": who, "type": ["AchievementSubject"],
                "achievement": {"id": achievement, "type": ["Achievement"],
                    "achievementType": "MicroCredential", "name": name,
                    "description": format!("Demonstrates {name} in the classroom."),
                    "criteria": {"narrative": "Evidence scored 3 or higher on the rubric by two trained reviewers."}}}
        });
        let issuer = self.issuers.iter().find(|i| i.id() == issuer).unwrap();
        let status = (issuer.id() == RIVERSIDE).then_some(&mut self.status);
        issuer
            .issue_at(&cred, Suite::EddsaRdfc2022, t(date), status)
            .unwrap()
            .into_json()
    }

    fn verifier(&self, now: &str, trust: Option<TrustList>) -> Verifier {
        let mut res = self.resources.clone();
        let list = self
            .status
            .list_credential(RIVERSIDE, "2023-01-01T00:00:00Z");
        let list = self
            .issuer(RIVERSIDE)
            .issue_at(&list, Suite::EddsaRdfc2022, t("2023-01-01T00:00:00Z"), None)
            .unwrap()
            .into_json();
        res.insert(STATUS_URL, serde_json::to_vec(&list).unwrap());
        let mut o = VerifyOptions::default()
            .at(t(now))
            .resolver(Arc::new(res))
            .recipient(Recipient::Id(MARIA.into()));
        if let Some(tl) = trust {
            o = o.trust(tl);
        }
        Verifier::new(o)
    }
}

fn portfolio(badges: &[Value], verifier: &Verifier) -> Portfolio {
    let mut p = Portfolio::new();
    for (i, b) in badges.iter().enumerate() {
        p.add_value(format!("badge-{i}.json"), b, verifier).unwrap();
    }
    p
}

fn catalog_ids(w: &World) -> Vec<String> {
    w.stacks.achievements.keys().cloned().collect()
}

#[test]
fn stack_of_three_with_order_award_and_evidence() {
    let mut w = World::new();
    let fg = w.badge(
        RIVERSIDE,
        &ach("flexible-grouping"),
        MARIA,
        "2024-09-10T00:00:00Z",
    );
    let ta = w.badge(
        RIVERSIDE,
        &ach("tiered-assignments"),
        MARIA,
        "2024-10-10T00:00:00Z",
    );
    let v = w.verifier("2025-01-01T00:00:00Z", None);
    let stack = "https://riverside.example/stacks/differentiation";

    let p = progress(
        &w.stacks,
        stack,
        &portfolio(&[fg.clone(), ta.clone()], &v),
        t("2025-01-01T00:00:00Z"),
    )
    .unwrap();
    assert!(!p.complete);
    assert_eq!((p.earned.len(), p.still_needed, p.percent), (2, 1, 66.7));
    assert_eq!(p.missing[0].name, "Learning Stations");
    let text = p.to_string();
    assert!(
        text.contains("67% — 1 more needed") && text.contains("Learning Stations (missing)"),
        "{text}"
    );

    let ls = w.badge(
        RIVERSIDE,
        &ach("learning-stations"),
        MARIA,
        "2024-11-10T00:00:00Z",
    );
    let folio = portfolio(&[fg.clone(), ta.clone(), ls.clone()], &v);
    let p = progress(&w.stacks, stack, &folio, t("2025-01-01T00:00:00Z")).unwrap();
    assert!(p.complete, "{p}");
    assert_eq!(p.completed_at, Some(t("2024-11-10T00:00:00Z")));

    // Award: the stack credential names each constituent credential with its digest.
    let awarded = award(
        &w.stacks,
        &p,
        &folio,
        w.issuer(RIVERSIDE),
        Suite::EddsaRdfc2022,
        t("2025-01-02T00:00:00Z"),
        None,
    )
    .unwrap();
    assert_eq!(awarded["credentialSubject"]["id"], MARIA);
    assert_eq!(
        awarded["credentialSubject"]["achievement"]["id"],
        ach("differentiation-stack")
    );
    let evidence = awarded["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 3);
    assert_eq!(evidence[0]["id"], fg["id"]);
    let later = w.verifier("2025-02-01T00:00:00Z", None);
    let report = later.verify_value(&awarded).unwrap();
    assert!(report.verified, "{report}");
    assert_eq!(check_award_evidence(&awarded, &folio).unwrap(), 3);
    // A different credential presented under a constituent's id does not match its digest.
    let mut swapped = ls.clone();
    swapped["name"] = "Learning Stations (re-issued)".into();
    let other = portfolio(&[fg.clone(), ta.clone(), swapped], &v);
    let err = check_award_evidence(&awarded, &other).unwrap_err();
    assert!(
        err.to_string().contains(ls["id"].as_str().unwrap()),
        "{err}"
    );

    // Order: Tiered Assignments earned before Flexible Grouping does not count.
    let ta_early = w.badge(
        RIVERSIDE,
        &ach("tiered-assignments"),
        MARIA,
        "2024-08-01T00:00:00Z",
    );
    let p = progress(
        &w.stacks,
        stack,
        &portfolio(&[fg, ta_early, ls], &v),
        t("2025-01-01T00:00:00Z"),
    )
    .unwrap();
    assert!(!p.complete);
    let why = p
        .credentials
        .iter()
        .find_map(|c| c.exclusion.clone())
        .unwrap();
    // Named, with both dates: Tiered Assignments on 2024-08-01, Flexible Grouping after it.
    assert_eq!(
        why,
        Exclusion::OutOfOrder {
            requires: "Flexible Grouping".into(),
            earned: Some(t("2024-08-01T00:00:00Z")),
            first: Some(t("2024-09-10T00:00:00Z")),
        }
    );
    // Awarding an incomplete stack is refused, naming what is missing.
    let err = award(
        &w.stacks,
        &p,
        &Portfolio::new(),
        w.issuer(RIVERSIDE),
        Suite::EddsaRdfc2022,
        t("2025-01-02T00:00:00Z"),
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("Tiered Assignments"), "{err}");
}

#[test]
fn two_phase_compensation_program_with_yearly_minimum() {
    let mut w = World::new();
    // Every catalog achievement but two of the teacher-leader pathway's.
    let ids: Vec<String> = catalog_ids(&w)
        .into_iter()
        .filter(|a| *a != ach("instructional-leadership") && *a != ach("assessment-design"))
        .collect();
    assert_eq!(ids.len(), 30);
    // Maria: 5 a year from the 2023 program year on, 30 badges over six years.
    let mut badges = Vec::new();
    for (k, a) in ids.iter().take(30).enumerate() {
        let year = 2023 + (k / 5) as i32;
        let month = 8 + (k % 5) as u32;
        badges.push(w.badge(
            RIVERSIDE,
            a,
            MARIA,
            &format!("{year}-{month:02}-15T00:00:00Z"),
        ));
    }
    let policy = CreditPolicy::load(&fixture("riverside-policy.json")).unwrap();

    // After three program years: 15 badges, phase 1 complete, a 4% raise.
    let now = "2026-08-02T00:00:00Z";
    let v = w.verifier(now, None);
    let folio = portfolio(&badges[..15], &v);
    let all = progress_all(&w.stacks, &folio, t(now)).unwrap();
    let phase1 = &all[1];
    assert!(phase1.complete, "{phase1}");
    assert_eq!(phase1.completed_at, Some(t("2025-12-15T00:00:00Z")));
    let phase2 = &all[2];
    assert!(!phase2.complete);
    assert_eq!((phase2.still_needed, phase2.percent), (15, 50.0));
    let value = policy.value(&folio, &all).unwrap();
    let total = |v: &openbadges::policy::Valuation, unit: &str| {
        v.totals.iter().find(|t| t.unit == unit).map(|t| t.amount)
    };
    assert_eq!(total(&value, "% salary"), Some(4.0));
    assert_eq!(total(&value, "in-service hours"), Some(60.0));
    assert_eq!(total(&value, "CPD units"), Some(7.0)); // 15 badges, 2 per unit

    // After six years: 30 badges, phase 2 complete, another 4%.
    let now = "2029-08-02T00:00:00Z";
    let v = w.verifier(now, None);
    let folio = portfolio(&badges, &v);
    let all = progress_all(&w.stacks, &folio, t(now)).unwrap();
    assert!(all[2].complete, "{}", all[2]);
    let value = policy.value(&folio, &all).unwrap();
    assert_eq!(total(&value, "% salary"), Some(8.0));
    assert_eq!(total(&value, "CPD units"), Some(15.0));

    // Ana keeps only 3 badges in her second year: enrolment lapses, no raise despite 15 badges.
    let mut ana = Vec::new();
    for (k, a) in ids.iter().take(15).enumerate() {
        let year = match k {
            0..=4 => 2023,
            5..=7 => 2024,
            _ => 2025,
        };
        ana.push(w.badge(
            RIVERSIDE,
            a,
            MARIA,
            &format!("{year}-10-{:02}T00:00:00Z", k + 1),
        ));
    }
    let now = "2026-09-01T00:00:00Z";
    let v = w.verifier(now, None);
    let folio = portfolio(&ana, &v);
    let p = progress(
        &w.stacks,
        "https://riverside.example/stacks/compensation-phase-1",
        &folio,
        t(now),
    )
    .unwrap();
    assert!(p.lapsed && !p.complete, "{p}");
    let short = p.pace.as_ref().unwrap().iter().find(|x| !x.met).unwrap();
    assert_eq!((short.from, short.count), (t("2024-10-01T00:00:00Z"), 3));
    assert!(p.to_string().contains("SHORT"), "{p}");
    let value = policy
        .value(&folio, &progress_all(&w.stacks, &folio, t(now)).unwrap())
        .unwrap();
    assert_eq!(total(&value, "% salary"), None);
}

#[test]
fn twelve_badge_teacher_leader_pathway() {
    let mut w = World::new();
    let set = &w.stacks;
    let leader = set
        .stack("https://riverside.example/stacks/teacher-leader")
        .unwrap();
    let members: Vec<String> = leader
        .member_achievements()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(members.len(), 12);
    // Membership in standard terms: CLR associations and an OB alignment.
    assert_eq!(leader.associations().len(), 12);
    assert_eq!(leader.member_alignment()["targetUrl"], leader.id);
    let badges: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(k, a)| {
            w.badge(
                RIVERSIDE,
                a,
                MARIA,
                &format!("2025-{:02}-01T00:00:00Z", k + 1),
            )
        })
        .collect();
    let now = "2026-01-15T00:00:00Z";
    let v = w.verifier(now, None);
    let p = progress(
        &w.stacks,
        &leader_id(),
        &portfolio(&badges[..11], &v),
        t(now),
    )
    .unwrap();
    assert_eq!((p.complete, p.still_needed), (false, 1));
    let folio = portfolio(&badges, &v);
    let all = progress_all(&w.stacks, &folio, t(now)).unwrap();
    assert!(all[3].complete);
    let policy = CreditPolicy::load(&fixture("riverside-policy.json")).unwrap();
    let value = policy.value(&folio, &all).unwrap();
    let step = value
        .steps
        .iter()
        .find(|s| s.name == "Teacher-Leader Pathway")
        .unwrap();
    assert!(step.reached);
    assert_eq!(
        value
            .totals
            .iter()
            .find(|t| t.unit == "% salary")
            .unwrap()
            .amount,
        5.0
    );
    assert_eq!(
        value
            .totals
            .iter()
            .find(|t| t.unit == "CPD units")
            .unwrap()
            .amount,
        6.0
    );
}

fn leader_id() -> String {
    "https://riverside.example/stacks/teacher-leader".into()
}

#[test]
fn a_teacher_moves_districts_and_the_same_badges_are_valued_differently() {
    let mut w = World::new();
    let mut badges = Vec::new();
    for (k, slug) in [
        "growth-mindset",
        "flexible-grouping",
        "formative-assessment",
        "classroom-routines",
        "family-engagement",
        "restorative-practices",
        "math-talks",
        "close-reading",
        "project-based-learning",
    ]
    .iter()
    .enumerate()
    {
        badges.push(w.badge(
            RIVERSIDE,
            &ach(slug),
            MARIA,
            &format!("2025-{:02}-01T00:00:00Z", k + 1),
        ));
    }
    // One Lakeshore badge of her own, one from an issuer neither district accepts.
    badges.push(w.badge(
        LAKESHORE,
        "https://lakeshore.example/achievements/math-talks",
        MARIA,
        "2025-10-01T00:00:00Z",
    ));
    badges.push(w.badge(STRANGER, &ach("co-teaching"), MARIA, "2025-10-02T00:00:00Z"));
    let now = "2026-01-15T00:00:00Z";
    let v = w.verifier(now, None);
    let folio = portfolio(&badges, &v);

    let riverside = CreditPolicy::load(&fixture("riverside-policy.json")).unwrap();
    let lakeshore = CreditPolicy::load(&fixture("lakeshore-policy.toml")).unwrap();
    let stacks = progress_all(&w.stacks, &folio, t(now)).unwrap();
    let a = riverside.value(&folio, &stacks).unwrap();
    let b = lakeshore.value(&folio, &[]).unwrap();

    // Riverside: its own 9 badges, 4 hours each.
    assert_eq!(a.counted, 9);
    assert_eq!(
        a.totals
            .iter()
            .find(|t| t.unit == "in-service hours")
            .unwrap()
            .amount,
        36.0
    );
    // Lakeshore: 8 Riverside badges through equivalences (PBL has none), its own Math Talks is a
    // duplicate of Riverside's, Growth Mindset is worth 8: 8 + 7 × 6 = 50, capped at 40.
    assert_eq!(b.counted, 8, "{b}");
    let ce = b.totals.iter().find(|t| t.unit == "CE points").unwrap();
    assert_eq!((ce.amount, ce.uncapped), (40.0, Some(50.0)));
    let gm = b
        .credentials
        .iter()
        .find(|c| c.achievement.as_deref() == Some(&ach("growth-mindset")[..]))
        .unwrap();
    assert_eq!(
        gm.counted_as.as_deref(),
        Some("https://lakeshore.example/achievements/growth-mindset")
    );
    assert_eq!(gm.values, vec![(8.0, "CE points".to_string())]);
    let why = |v: &openbadges::policy::Valuation, id: &str| {
        v.credentials
            .iter()
            .find(|c| c.achievement.as_deref() == Some(id))
            .unwrap()
            .exclusion
            .clone()
    };
    assert_eq!(
        why(&b, &ach("project-based-learning")),
        Some(Exclusion::NotRecognized {
            achievement: ach("project-based-learning")
        })
    );
    assert!(matches!(
        why(&b, "https://lakeshore.example/achievements/math-talks"),
        Some(Exclusion::Duplicate { .. })
    ));
    assert_eq!(
        why(&b, &ach("co-teaching")),
        Some(Exclusion::IssuerNotAccepted {
            issuer: STRANGER.into()
        })
    );
    assert_eq!(
        why(&a, &ach("co-teaching")),
        Some(Exclusion::IssuerNotAccepted {
            issuer: STRANGER.into()
        })
    );

    // The report an HR office reads, and its JSON form.
    let text = b.to_string();
    for want in [
        "40 CE points (capped; 50 before the cap)",
        "8 of 11 credentials counted",
        "Not counted",
        "is not accepted here",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let json = serde_json::to_value(&b).unwrap();
    assert_eq!(json["totals"][0]["unit"], "CE points");
    assert_eq!(
        json["credentials"][10]["exclusion"]["reason"],
        "issuer-not-accepted"
    );
}

#[test]
fn why_a_credential_did_not_count() {
    let mut w = World::new();
    let fg = w.badge(
        RIVERSIDE,
        &ach("flexible-grouping"),
        MARIA,
        "2024-09-10T00:00:00Z",
    );
    let ta = w.badge(
        RIVERSIDE,
        &ach("tiered-assignments"),
        MARIA,
        "2024-10-10T00:00:00Z",
    );
    let ls = w.badge(
        RIVERSIDE,
        &ach("learning-stations"),
        MARIA,
        "2024-11-10T00:00:00Z",
    );
    let revoked = w.badge(
        RIVERSIDE,
        &ach("growth-mindset"),
        MARIA,
        "2024-11-11T00:00:00Z",
    );
    w.status.revoke(revoked["id"].as_str().unwrap()).unwrap();
    let mut expired = w.badge(RIVERSIDE, &ach("math-talks"), MARIA, "2024-11-12T00:00:00Z");
    expired["validUntil"] = "2025-01-01T00:00:00Z".into(); // breaks the proof too: re-sign
    expired.as_object_mut().unwrap().remove("proof");
    let expired = w
        .issuer(RIVERSIDE)
        .issue_at(
            &expired,
            Suite::EddsaRdfc2022,
            t("2024-11-12T00:00:00Z"),
            None,
        )
        .unwrap()
        .into_json();
    let someone_else = w.badge(
        RIVERSIDE,
        &ach("close-reading"),
        "did:example:someone-else",
        "2024-11-13T00:00:00Z",
    );
    let untrusted = w.badge(STRANGER, &ach("co-teaching"), MARIA, "2024-11-14T00:00:00Z");
    let mut forged = w.badge(
        RIVERSIDE,
        &ach("academic-discourse"),
        MARIA,
        "2024-11-15T00:00:00Z",
    );
    forged["credentialSubject"]["achievement"]["name"] = "Something Grander".into();
    let not_member = w.badge(
        RIVERSIDE,
        &ach("writing-conferences"),
        MARIA,
        "2024-11-16T00:00:00Z",
    );

    let trust = TrustList::new().trust(RIVERSIDE).trust(LAKESHORE);
    let v = w.verifier("2026-01-01T00:00:00Z", Some(trust));
    let all = [
        fg.clone(),
        fg,
        ta,
        ls,
        revoked,
        expired,
        someone_else,
        untrusted,
        forged,
        not_member,
    ];
    let folio = portfolio(&all, &v);
    let p = progress(
        &w.stacks,
        "https://riverside.example/stacks/differentiation",
        &folio,
        t("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    assert!(p.complete, "{p}");
    let reasons: Vec<Option<String>> = p
        .credentials
        .iter()
        .map(|c| {
            c.exclusion.as_ref().map(|e| {
                serde_json::to_value(e).unwrap()["reason"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            None,
            Some("duplicate".into()),
            None,
            None,
            Some("revoked".into()),
            Some("expired".into()),
            Some("not-for-recipient".into()),
            Some("issuer-not-trusted".into()),
            Some("not-verified".into()),
            Some("not-a-member".into()),
        ],
        "{p}"
    );
    // A credential presented twice counts once for the policy too.
    let policy = CreditPolicy::load(&fixture("riverside-policy.json")).unwrap();
    let value = policy
        .value(
            &folio,
            &progress_all(&w.stacks, &folio, t("2026-01-01T00:00:00Z")).unwrap(),
        )
        .unwrap();
    assert_eq!(value.counted, 4, "{value}");
    assert_eq!(
        value
            .totals
            .iter()
            .find(|t| t.unit == "in-service hours")
            .unwrap()
            .amount,
        16.0
    );
}

#[test]
fn bad_definition_files_name_the_file_and_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, v: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, v).unwrap();
        p
    };
    let base = std::fs::read_to_string(fixture("riverside-stacks.json")).unwrap();
    let mut stacks: Value = serde_json::from_str(&base).unwrap();
    // A cycle between two stacks.
    let a = stacks["stacks"][1]["id"].clone();
    let b = stacks["stacks"][2]["id"].clone();
    stacks["stacks"][1]["rule"] = json!({"allOf": [{"stack": b}]});
    let p = write("cycle.json", &stacks.to_string());
    let err = StackSet::load(&p).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("cycle.json") && msg.contains("cycle") && msg.contains(a.as_str().unwrap()),
        "{msg}"
    );
    assert!(err.pointer().unwrap().starts_with("/stacks/"), "{msg}");

    let mut stacks: Value = serde_json::from_str(&base).unwrap();
    stacks["stacks"][0]["rule"]["allOf"][2] = "https://riverside.example/achievements/typo".into();
    let err = StackSet::load(&write("unknown.json", &stacks.to_string())).unwrap_err();
    assert_eq!(err.pointer(), Some("/stacks/0/rule/allOf/2"));
    assert!(
        err.to_string().contains("unknown.json") && err.to_string().contains("unknown achievement"),
        "{err}"
    );

    let mut stacks: Value = serde_json::from_str(&base).unwrap();
    stacks["stacks"][1]["rule"]["atLeast"] = 0.into();
    let err = StackSet::load(&write("zero.json", &stacks.to_string())).unwrap_err();
    assert_eq!(err.pointer(), Some("/stacks/1/rule/atLeast"));
    assert!(err.to_string().contains("zero"), "{err}");

    // Policies: negative value, zero threshold, unknown achievement, equivalence cycle (TOML).
    let toml = std::fs::read_to_string(fixture("lakeshore-policy.toml")).unwrap();
    let err = CreditPolicy::load(&write(
        "neg.toml",
        &toml.replace("amount = 6", "amount = -6"),
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("neg.toml") && err.to_string().contains("negative"),
        "{err}"
    );
    assert_eq!(err.pointer(), Some("/values/0/amount"));
    let err = CreditPolicy::load(&write(
        "zero.toml",
        &format!("{toml}\n[[conversions]]\nevery = 0\namount = 1\nunit = \"CPD\"\n"),
    ))
    .unwrap_err();
    assert_eq!(err.pointer(), Some("/conversions/0/every"), "{err}");
    let err = CreditPolicy::load(&write(
        "unknown.toml",
        &toml.replace(
            "ours = \"https://lakeshore.example/achievements/math-talks\"",
            "ours = \"https://lakeshore.example/achievements/maths\"",
        ),
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown achievement") && err.to_string().contains("unknown.toml"),
        "{err}"
    );
    assert_eq!(err.pointer(), Some("/equivalences/6/ours"));
    let cyc = format!(
        "{toml}\n[[equivalences]]\ntheirs = \"https://lakeshore.example/achievements/growth-mindset\"\nours = \"https://lakeshore.example/achievements/flexible-grouping\"\n\n[[equivalences]]\ntheirs = \"https://lakeshore.example/achievements/flexible-grouping\"\nours = \"https://lakeshore.example/achievements/growth-mindset\"\n"
    );
    let err = CreditPolicy::load(&write("cycle.toml", &cyc)).unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
    // A step naming a stack the caller did not evaluate.
    let policy = CreditPolicy::load(&fixture("riverside-policy.json")).unwrap();
    let err = policy.value(&Portfolio::new(), &[]).unwrap_err();
    assert!(err.to_string().contains("compensation-phase-1"), "{err}");
}

#[test]
fn an_unreachable_status_list_is_not_verified_rather_than_revoked() {
    let mut w = World::new();
    let fg = w.badge(
        RIVERSIDE,
        &ach("flexible-grouping"),
        MARIA,
        "2024-09-10T00:00:00Z",
    );
    // The issuer profile is served, the status list is not.
    let v = Verifier::new(
        VerifyOptions::default()
            .at(t("2025-01-01T00:00:00Z"))
            .resolver(Arc::new(w.resources.clone())),
    );
    let folio = portfolio(&[fg], &v);
    match folio.holdings()[0].exclusion() {
        Some(Exclusion::NotVerified { check, .. }) => assert_eq!(check, "status"),
        other => panic!("expected not-verified (status), got {other:?}"),
    }
}

#[test]
fn diamond_shaped_nested_stacks_are_evaluated_once_each() {
    use openbadges::stack::{Rule, Stack};
    // Stack i requires stack i-1 twice over (through two rules) plus its own achievement: a
    // naive walk of 40 levels would take 2^40 steps.
    let achievement = |i: usize| {
        json!({"id": format!("urn:a:s{i}"), "type": ["Achievement"],
        "name": format!("S{i}"), "description": "d", "criteria": {"narrative": "n"}})
    };
    let mut stacks = vec![Stack::new(
        "urn:s:0",
        "S0",
        achievement(0),
        Rule::all_of(["urn:a:0"]),
    )];
    for i in 1..40 {
        let prev = format!("urn:s:{}", i - 1);
        let rule = Rule::AllOf(vec![
            Rule::Stack(prev.clone()),
            Rule::AtLeast {
                n: 1,
                of: vec![Rule::Stack(prev), Rule::Achievement(format!("urn:a:{i}"))],
            },
            Rule::Achievement(format!("urn:a:{i}")),
        ]);
        stacks.push(Stack::new(
            format!("urn:s:{i}"),
            format!("S{i}"),
            achievement(i),
            rule,
        ));
    }
    let catalog: Vec<(String, String)> = (0..40)
        .map(|i| (format!("urn:a:{i}"), format!("A{i}")))
        .collect();
    let set = StackSet::new(catalog, stacks).unwrap();
    let all = progress_all(&set, &Portfolio::new(), t("2026-01-01T00:00:00Z")).unwrap();
    assert_eq!(all[39].still_needed, 40);
    assert!(!all[39].complete);
}

#[test]
fn a_stack_award_with_digest_evidence_verifies_in_the_js_reference() {
    use openbadges::stack::{Rule, Stack};
    let Some(d) = common::interop_dir() else {
        return;
    };
    // A did:key district (the JS side resolves did:key offline), a stack of two.
    let district = Issuer::new(
        json!({"type": ["Profile"], "name": "Riverside USD"}),
        SigningKey::from_seed(&[0x71; 32]),
    )
    .unwrap();
    let stack_achievement = json!({"id": "urn:a:pair", "type": ["Achievement"], "name": "Pair",
        "description": "Two micro-credentials.", "criteria": {"narrative": "Both."}});
    let set = StackSet::new(
        [("urn:a:1", "One"), ("urn:a:2", "Two")],
        [Stack::new(
            "urn:s:pair",
            "Pair",
            stack_achievement,
            Rule::all_of(["urn:a:1", "urn:a:2"]),
        )
        .issuer(json!(district.id()))],
    )
    .unwrap();
    let verifier = Verifier::new(VerifyOptions::default().at(t("2026-01-01T00:00:00Z")));
    let mut folio = Portfolio::new();
    for (i, a) in ["urn:a:1", "urn:a:2"].iter().enumerate() {
        let cred = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": a,
            "credentialSubject": {"id": MARIA, "type": ["AchievementSubject"],
                "achievement": {"id": a, "type": ["Achievement"], "name": a,
                    "description": "d", "criteria": {"narrative": "n"}}}
        });
        let signed = district
            .issue_at(
                &cred,
                Suite::EddsaRdfc2022,
                t(&format!("2025-0{}-01T00:00:00Z", i + 1)),
                None,
            )
            .unwrap()
            .into_json();
        folio
            .add_value(format!("b{i}"), &signed, &verifier)
            .unwrap();
    }
    let p = progress(&set, "urn:s:pair", &folio, t("2026-01-01T00:00:00Z")).unwrap();
    let awarded = award(
        &set,
        &p,
        &folio,
        &district,
        Suite::EddsaRdfc2022,
        t("2025-12-01T00:00:00Z"),
        None,
    )
    .unwrap();
    let (ok, out) = common::node(&d, "verify.mjs", &[], &awarded);
    assert!(ok, "the JS stack refused the stack award: {out}");
    let mut tampered = awarded.clone();
    tampered["evidence"][0]["digestSRI"] = "sha256-AAAA".into();
    let (ok, _) = common::node(&d, "verify.mjs", &[], &tampered);
    assert!(!ok, "the JS stack accepted a changed evidence digest");
}
