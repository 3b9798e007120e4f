//! Issue #17: every rule of the five programs a district office wrote, expressed in the
//! definition files and checked on really signed, verified badges. Written from the program
//! descriptions:
//!
//! - a 15 + 15 compensation program at 4% each, at least five badges a (school) year counted from
//!   each teacher's enrollment;
//! - nine badges in three stacks taken in order (tests/program_wrong_answers.rs);
//! - a 12-badge teacher-leader pathway each teacher builds with an administrator, reviewed by a
//!   committee of three, 5% up to a limit and a $200 stipend per badge during a pilot;
//! - 2 badges = 1 CPD unit from a list, with a June deadline and extensions for some teachers;
//! - 4 in-service hours per badge after a prerequisite (rubric level 3 on every criterion);
//! - 6 CE points per badge, schools choosing their own stacks (a partner's badge counting through
//!   an equivalence; a value for one issuer's micro-credentials).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::policy::CreditPolicy;
use openbadges::portfolio::Portfolio;
use openbadges::proof::Suite;
use openbadges::resolve::LocalResources;
use openbadges::stack::{award, progress, progress_all, StackSet};
use openbadges::status::{Purpose, StatusListStore};
use openbadges::verify::{Recipient, Verifier, VerifyOptions};
use serde_json::{json, Value};

const DISTRICT: &str = "https://northfield.example/issuers/1";
const PARTNER: &str = "https://partner.example/issuers/1";
const MARIA: &str = "did:example:maria";
const JOSE: &str = "did:example:jose";
const STATUS_URL: &str = "https://northfield.example/status/1";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn a(slug: &str) -> String {
    format!("https://northfield.example/a/{slug}")
}

struct World {
    district: Issuer,
    partner: Issuer,
    reviewers: Vec<Issuer>,
    resources: LocalResources,
    status: StatusListStore,
    serial: u32,
}

fn profile_doc(id: &str, key: &SigningKey) -> Vec<u8> {
    let mk = key.verifying_key().to_multikey();
    let vm = format!("{id}#{mk}");
    serde_json::to_vec(&json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                     "https://w3id.org/security/multikey/v1"],
        "id": id, "type": "Profile", "name": id,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": id, "publicKeyMultibase": mk}],
        "assertionMethod": [vm],
    }))
    .unwrap()
}

impl World {
    fn new() -> Self {
        let mut resources = LocalResources::new();
        let dk = SigningKey::from_seed(&[0x81; 32]);
        let pk = SigningKey::from_seed(&[0x82; 32]);
        resources.insert(DISTRICT, profile_doc(DISTRICT, &dk));
        resources.insert(PARTNER, profile_doc(PARTNER, &pk));
        // Reviewers sign as their did:key (resolved offline).
        let reviewers = (0..4)
            .map(|k| {
                Issuer::new(
                    json!({"name": format!("Reviewer {k}")}),
                    SigningKey::from_seed(&[0x90 + k as u8; 32]),
                )
                .unwrap()
            })
            .collect();
        World {
            district: Issuer::new(
                json!({"id": DISTRICT, "type": ["Profile"], "name": "Northfield"}),
                dk,
            )
            .unwrap(),
            partner: Issuer::new(
                json!({"id": PARTNER, "type": ["Profile"], "name": "Partner"}),
                pk,
            )
            .unwrap(),
            reviewers,
            resources,
            status: StatusListStore::new(STATUS_URL, Purpose::Revocation).unwrap(),
            serial: 0,
        }
    }

    fn next_id(&mut self) -> String {
        self.serial += 1;
        format!("urn:uuid:00000000-0000-4000-8000-{:012}", self.serial)
    }

    /// A micro-credential for `achievement` earned by `who` on `date`, from the district (with a
    /// status entry) unless `from_partner`; `extra` members merged into the achievement and the
    /// subject (`result`), the credential (`endorsement`).
    fn badge_with(
        &mut self,
        who: &str,
        achievement: &str,
        date: &str,
        partner: bool,
        extra: Value,
    ) -> Value {
        let mut ach = json!({"id": achievement, "type": ["Achievement"],
            "achievementType": "MicroCredential", "name": achievement.rsplit('/').next().unwrap(),
            "description": "A micro-credential.", "criteria": {"narrative": "Reviewed evidence."}});
        if let Some(x) = extra.get("achievement") {
            for (k, v) in x.as_object().unwrap() {
                ach[k] = v.clone();
            }
        }
        let mut cred = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": self.next_id(),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": achievement.rsplit('/').next().unwrap(),
            "credentialSubject": {"id": who, "type": ["AchievementSubject"], "achievement": ach},
        });
        if let Some(r) = extra.get("result") {
            cred["credentialSubject"]["result"] = r.clone();
        }
        if let Some(e) = extra.get("endorsement") {
            cred["endorsement"] = e.clone();
        }
        if partner {
            self.partner
                .issue_at(&cred, Suite::EddsaRdfc2022, t(date), None)
                .unwrap()
                .into_json()
        } else {
            self.district
                .issue_at(&cred, Suite::EddsaRdfc2022, t(date), Some(&mut self.status))
                .unwrap()
                .into_json()
        }
    }

    fn badge(&mut self, who: &str, achievement: &str, date: &str) -> Value {
        self.badge_with(who, achievement, date, false, json!({}))
    }

    /// An EndorsementCredential by reviewer `k` about the credential `about`.
    fn endorsement(&mut self, k: usize, about: &str, date: &str) -> Value {
        let e = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": self.next_id(),
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": "Committee review",
            "credentialSubject": {"id": about, "type": ["EndorsementSubject"],
                                  "endorsementComment": "Meets the pathway standard."},
        });
        self.reviewers[k]
            .issue_at(&e, Suite::EddsaRdfc2022, t(date), None)
            .unwrap()
            .into_json()
    }

    fn reviewer(&self, k: usize) -> String {
        self.reviewers[k].id().to_string()
    }

    fn verifier(&self, now: &str, who: &str) -> Verifier {
        let mut res = self.resources.clone();
        let list = self
            .status
            .list_credential(DISTRICT, "2024-01-01T00:00:00Z");
        let list = self
            .district
            .issue_at(&list, Suite::EddsaRdfc2022, t("2024-01-01T00:00:00Z"), None)
            .unwrap()
            .into_json();
        res.insert(STATUS_URL, serde_json::to_vec(&list).unwrap());
        Verifier::new(
            VerifyOptions::default()
                .at(t(now))
                .resolver(Arc::new(res))
                .recipient(Recipient::Id(who.into())),
        )
    }
}

fn folio(badges: &[Value], v: &Verifier) -> Portfolio {
    let mut p = Portfolio::new();
    for (i, b) in badges.iter().enumerate() {
        p.add_value(format!("badge-{i}.json"), b, v).unwrap();
    }
    p
}

fn catalog(ids: &[String]) -> Value {
    ids.iter()
        .map(|i| json!({"id": i, "name": i.rsplit('/').next().unwrap()}))
        .collect()
}

fn stack(id: &str, rule: Value) -> Value {
    json!({"id": id, "name": id.rsplit('/').next().unwrap(),
        "issuer": {"id": DISTRICT, "type": ["Profile"], "name": "Northfield"},
        "achievement": {"id": format!("{id}/badge"), "type": ["Achievement"],
            "achievementType": "Certificate", "name": id.rsplit('/').next().unwrap(),
            "description": "A stack.", "criteria": {"narrative": "All members."}},
        "rule": rule})
}

fn reason(v: &impl serde::Serialize, i: usize) -> Value {
    serde_json::to_value(v).unwrap()["credentials"][i]["exclusion"]["reason"].clone()
}

fn total(v: &openbadges::policy::Valuation, unit: &str) -> f64 {
    v.totals
        .iter()
        .find(|x| x.unit == unit)
        .map_or(0.0, |x| x.amount)
}

#[test]
fn pilot_stipend_is_paid_only_for_badges_earned_during_the_pilot() {
    let mut w = World::new();
    let policy = CreditPolicy::from_json(&json!({
        "id": "urn:p:leader", "name": "Teacher-leader pay", "acceptedIssuers": [DISTRICT],
        "values": [{"any": true, "amount": 200, "unit": "USD stipend",
                    "window": {"from": "2025-09-01", "until": "2026-01-31"}},
                   {"any": true, "amount": 4, "unit": "in-service hours"}],
        "caps": [{"unit": "USD stipend", "max": 2400}]}))
    .unwrap();
    let badges = vec![
        w.badge(MARIA, &a("l1"), "2025-08-31T12:00:00Z"),
        w.badge(MARIA, &a("l2"), "2025-09-01T00:00:00Z"),
        w.badge(MARIA, &a("l3"), "2026-01-31T23:00:00Z"),
        w.badge(MARIA, &a("l4"), "2026-02-01T00:00:00Z"),
    ];
    let v = policy
        .value(
            &folio(&badges, &w.verifier("2026-06-01T00:00:00Z", MARIA)),
            &[],
        )
        .unwrap();
    assert_eq!(v.counted, 4);
    assert_eq!(total(&v, "USD stipend"), 400.0, "{v}");
    assert_eq!(total(&v, "in-service hours"), 16.0);
}

#[test]
fn cpd_units_from_a_list_with_a_june_deadline_and_extensions() {
    let mut w = World::new();
    let list: Vec<String> = (1..=24).map(|k| a(&format!("cpd-{k}"))).collect();
    let policy = json!({
        "id": "urn:p:cpd", "name": "CPD units", "acceptedIssuers": [DISTRICT],
        "achievements": catalog(&list),
        "window": {"until": "2026-06-30", "extensions": [{"recipient": MARIA, "until": "2026-08-31"}]},
        "conversions": [{"every": 2, "amount": 1, "unit": "CPD units"}]});
    let policy = CreditPolicy::from_json(&policy).unwrap();
    for (who, expect) in [(MARIA, 2.0), (JOSE, 1.0)] {
        let badges = vec![
            w.badge(who, &list[0], "2026-03-01T00:00:00Z"),
            w.badge(who, &list[1], "2026-06-30T18:00:00Z"),
            w.badge(who, &list[2], "2026-07-15T00:00:00Z"),
            w.badge(who, &list[3], "2026-08-01T00:00:00Z"),
            // Not on the list.
            w.badge(who, &a("other"), "2026-03-02T00:00:00Z"),
        ];
        let v = policy
            .value(
                &folio(&badges, &w.verifier("2026-09-15T00:00:00Z", who)),
                &[],
            )
            .unwrap();
        assert_eq!(total(&v, "CPD units"), expect, "{who}: {v}");
        assert_eq!(reason(&v, 4), "not-recognized");
        if who == JOSE {
            assert_eq!(reason(&v, 2), "outside-window", "{v}");
            assert!(
                v.to_string().contains("outside the window … – 2026-06-30"),
                "{v}"
            );
        }
    }
}

#[test]
fn five_a_school_year_counted_from_each_teachers_enrollment() {
    let mut w = World::new();
    let members: Vec<String> = (1..=15).map(|k| a(&format!("comp-{k}"))).collect();
    let mut phase1 = stack(
        "https://northfield.example/stacks/phase-1",
        json!({"atLeast": 15, "of": "catalog"}),
    );
    phase1["pace"] = json!({"atLeast": 5, "per": "schoolYear", "yearStarts": "07-01",
        "from": "enrollment", "enrollments": [{"recipient": MARIA, "date": "2023-10-01"},
                                              {"recipient": JOSE, "date": "2024-08-20"}]});
    let set = StackSet::from_json(&json!({"achievements": catalog(&members), "stacks": [phase1]}))
        .unwrap();
    let id = "https://northfield.example/stacks/phase-1";
    // Maria enrolled October 2023 and earned nothing that school year (it ended June 30, 2024):
    // short. The periods run July to June.
    let dates = ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01"];
    let badges: Vec<Value> = dates
        .iter()
        .enumerate()
        .map(|(k, d)| w.badge(MARIA, &members[k], &format!("{d}-05T00:00:00Z")))
        .collect();
    let p = progress(
        &set,
        id,
        &folio(&badges, &w.verifier("2025-03-01T00:00:00Z", MARIA)),
        t("2025-03-01T00:00:00Z"),
    )
    .unwrap();
    let periods = p.pace.clone().unwrap();
    assert_eq!(periods[0].from, t("2023-07-01T00:00:00Z"), "{p}");
    assert_eq!((periods[0].count, periods[0].met), (0, false));
    assert!(p.lapsed, "{p}");
    assert_eq!(periods[1].from, t("2024-07-01T00:00:00Z"));
    assert!(!periods[1].ended && p.to_string().contains("open"), "{p}");
    // José enrolled August 2024: his first school year is still open, so he is on pace.
    let badges: Vec<Value> = dates
        .iter()
        .enumerate()
        .map(|(k, d)| w.badge(JOSE, &members[k], &format!("{d}-05T00:00:00Z")))
        .collect();
    let p = progress(
        &set,
        id,
        &folio(&badges, &w.verifier("2025-03-01T00:00:00Z", JOSE)),
        t("2025-03-01T00:00:00Z"),
    )
    .unwrap();
    assert!(!p.lapsed, "{p}");
    assert_eq!(p.pace.as_ref().unwrap()[0].from, t("2024-07-01T00:00:00Z"));
}

fn rubric_achievement() -> Value {
    let levels = json!([{"id": "urn:l:1", "type": ["RubricCriterionLevel"], "name": "Beginning"},
                        {"id": "urn:l:2", "type": ["RubricCriterionLevel"], "name": "Developing"},
                        {"id": "urn:l:3", "type": ["RubricCriterionLevel"], "name": "Proficient"},
                        {"id": "urn:l:4", "type": ["RubricCriterionLevel"], "name": "Exemplary"}]);
    json!({"resultDescription": [
        {"id": "urn:rd:planning", "type": ["ResultDescription"], "name": "Planning",
         "resultType": "RubricCriterionLevel", "rubricCriterionLevel": levels, "requiredLevel": "urn:l:3"},
        {"id": "urn:rd:reflection", "type": ["ResultDescription"], "name": "Reflection",
         "resultType": "RubricCriterionLevel", "rubricCriterionLevel": levels, "requiredLevel": "urn:l:3"}]})
}

#[test]
fn hours_count_only_when_every_rubric_criterion_reached_level_3() {
    let mut w = World::new();
    let ids = vec![a("prereq"), a("h1"), a("h2")];
    let mut s = stack(
        "https://northfield.example/stacks/hours",
        json!({"allOf": ids}),
    );
    s["rubric"] = json!({"every": "requiredLevel"});
    s["order"] = json!([{"before": a("prereq"), "after": a("h1")}, {"before": a("prereq"), "after": a("h2")}]);
    let set = StackSet::from_json(&json!({"achievements": catalog(&ids), "stacks": [s]})).unwrap();
    let result = |p: &str, r: &str| {
        json!([{"type": ["Result"], "resultDescription": "urn:rd:planning", "achievedLevel": p},
               {"type": ["Result"], "resultDescription": "urn:rd:reflection", "achievedLevel": r}])
    };
    let extra =
        |p: &str, r: &str| json!({"achievement": rubric_achievement(), "result": result(p, r)});
    let badges = vec![
        w.badge_with(
            MARIA,
            &ids[0],
            "2025-09-01T00:00:00Z",
            false,
            extra("urn:l:3", "urn:l:4"),
        ),
        w.badge_with(
            MARIA,
            &ids[1],
            "2025-10-01T00:00:00Z",
            false,
            extra("urn:l:4", "urn:l:2"),
        ),
        w.badge_with(MARIA, &ids[2], "2025-11-01T00:00:00Z", false, json!({})),
    ];
    let p = progress(
        &set,
        "https://northfield.example/stacks/hours",
        &folio(&badges, &w.verifier("2026-01-01T00:00:00Z", MARIA)),
        t("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(p.earned.len(), 1, "{p}");
    assert_eq!(reason(&p, 1), "rubric-not-met");
    let text = p.to_string();
    assert!(
        text.contains("criterion \"Reflection\" reached \"Developing\", below \"Proficient\""),
        "{text}"
    );
    assert_eq!(reason(&p, 2), "rubric-not-met");
    // A named level instead of each criterion's requiredLevel.
    let mut def = set.to_json();
    def["stacks"][0]["rubric"] = json!({"every": "Developing"});
    let lenient = StackSet::from_json(&def).unwrap();
    let p = progress(
        &lenient,
        "https://northfield.example/stacks/hours",
        &folio(&badges, &w.verifier("2026-01-01T00:00:00Z", MARIA)),
        t("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(p.earned.len(), 2, "{p}");
}

#[test]
fn a_committee_of_three_listed_reviewers_must_endorse_each_pathway_badge() {
    let mut w = World::new();
    let ids: Vec<String> = (1..=2).map(|k| a(&format!("leader-{k}"))).collect();
    let committee: Vec<String> = (0..3).map(|k| w.reviewer(k)).collect();
    let mut s = stack(
        "https://northfield.example/stacks/leader",
        json!({"allOf": ids}),
    );
    s["endorsements"] = json!({"atLeast": 3, "by": committee});
    let set = StackSet::from_json(&json!({"achievements": catalog(&ids), "stacks": [s]})).unwrap();
    // Badge 1 carries three committee endorsements embedded; badge 2 has two committee
    // endorsements presented alongside, plus one from a reviewer not on the list.
    let id1 = "urn:uuid:11111111-0000-4000-8000-000000000001";
    let embedded: Vec<Value> = (0..3)
        .map(|k| w.endorsement(k, id1, "2025-10-02T00:00:00Z"))
        .collect();
    let mut b1 = w.badge_with(
        MARIA,
        &ids[0],
        "2025-10-01T00:00:00Z",
        false,
        json!({"endorsement": embedded}),
    );
    // (the id the endorsements name)
    assert_ne!(b1["id"], id1);
    let mut again = b1.clone();
    again.as_object_mut().unwrap().remove("proof");
    again["id"] = id1.into();
    b1 = w
        .district
        .issue_at(
            &again,
            Suite::EddsaRdfc2022,
            t("2025-10-01T00:00:00Z"),
            None,
        )
        .unwrap()
        .into_json();
    let b2 = w.badge(MARIA, &ids[1], "2025-11-01T00:00:00Z");
    let id2 = b2["id"].as_str().unwrap().to_string();
    let e0 = w.endorsement(0, &id2, "2025-11-02T00:00:00Z");
    let e1 = w.endorsement(1, &id2, "2025-11-02T00:00:00Z");
    let outsider = w.endorsement(3, &id2, "2025-11-02T00:00:00Z");
    let mut forged = w.endorsement(2, &id2, "2025-11-02T00:00:00Z");
    forged["credentialSubject"]["endorsementComment"] = "Changed after signing.".into();
    let v = w.verifier("2026-01-01T00:00:00Z", MARIA);
    let f = folio(&[b1, b2, e0, e1, outsider, forged], &v);
    let p = progress(
        &set,
        "https://northfield.example/stacks/leader",
        &f,
        t("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(p.earned.len(), 1, "{p}");
    assert_eq!(p.earned[0].achievement, ids[0]);
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(
        j["credentials"][1]["exclusion"],
        json!({"reason": "not-endorsed", "found": 2, "required": 3})
    );
    // The endorsements are one holder's portfolio, not other people's badges.
    assert_eq!(f.holders(), vec![MARIA.to_string()]);
}

#[test]
fn a_partners_badge_counts_toward_our_stack_through_an_equivalence() {
    let mut w = World::new();
    let ids = vec![a("growth-mindset"), a("feedback")];
    let mut s = stack(
        "https://northfield.example/stacks/mindset",
        json!({"allOf": ids}),
    );
    s["acceptedIssuers"] = json!([PARTNER]);
    s["equivalences"] = json!([{"theirs": "https://partner.example/a/growth-mindset", "ours": a("growth-mindset")}]);
    let set = StackSet::from_json(&json!({"achievements": catalog(&ids), "stacks": [s]})).unwrap();
    let badges = vec![
        w.badge_with(
            MARIA,
            "https://partner.example/a/growth-mindset",
            "2025-09-01T00:00:00Z",
            true,
            json!({}),
        ),
        w.badge(MARIA, &ids[1], "2025-10-01T00:00:00Z"),
    ];
    let p = progress(
        &set,
        "https://northfield.example/stacks/mindset",
        &folio(&badges, &w.verifier("2026-01-01T00:00:00Z", MARIA)),
        t("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    assert!(p.complete, "{p}");
    // Without the equivalence, the partner's id is not a member.
    let mut def = set.to_json();
    def["stacks"][0]
        .as_object_mut()
        .unwrap()
        .remove("equivalences");
    let strict = StackSet::from_json(&def).unwrap();
    let p = progress(
        &strict,
        "https://northfield.example/stacks/mindset",
        &folio(&badges, &w.verifier("2026-01-01T00:00:00Z", MARIA)),
        t("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    assert!(!p.complete);
    assert_eq!(reason(&p, 0), "not-a-member");
}

#[test]
fn a_value_for_one_issuers_micro_credentials() {
    let mut w = World::new();
    let policy = CreditPolicy::from_json(&json!({
        "id": "urn:p:ce", "name": "CE points", "acceptedIssuers": [DISTRICT, PARTNER],
        "values": [{"achievementType": "MicroCredential", "issuer": DISTRICT, "amount": 6, "unit": "CE points"},
                   {"achievementType": "MicroCredential", "amount": 4, "unit": "CE points"}]}))
    .unwrap();
    let badges = vec![
        w.badge(MARIA, &a("x"), "2025-09-01T00:00:00Z"),
        w.badge_with(
            MARIA,
            "https://partner.example/a/y",
            "2025-09-02T00:00:00Z",
            true,
            json!({}),
        ),
    ];
    let v = policy
        .value(
            &folio(&badges, &w.verifier("2026-01-01T00:00:00Z", MARIA)),
            &[],
        )
        .unwrap();
    assert_eq!(
        v.credentials[0].values,
        vec![(6.0, "CE points".to_string())]
    );
    assert_eq!(
        v.credentials[1].values,
        vec![(4.0, "CE points".to_string())]
    );
    assert_eq!(total(&v, "CE points"), 10.0);
}

#[test]
fn a_stack_award_alone_satisfies_its_stack_and_its_step_until_a_member_is_revoked() {
    let mut w = World::new();
    let ids = vec![a("s1"), a("s2"), a("s3")];
    let sid = "https://northfield.example/stacks/three";
    let set = StackSet::from_json(
        &json!({"achievements": catalog(&ids), "stacks": [stack(sid, json!({"allOf": ids}))]}),
    )
    .unwrap();
    let policy = CreditPolicy::from_json(
        &json!({"id": "urn:p:pay", "name": "Pay", "acceptedIssuers": [DISTRICT],
        "values": [{"any": true, "amount": 4, "unit": "in-service hours"}],
        "steps": [{"name": "Three done", "stack": sid, "amount": 5, "unit": "% salary"}]}),
    )
    .unwrap();
    policy.resolve(Some(&set)).unwrap();
    let badges: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| w.badge(MARIA, id, &format!("2025-0{}-01T00:00:00Z", k + 1)))
        .collect();
    let now = "2025-12-01T00:00:00Z";
    let v = w.verifier(now, MARIA);
    let members = folio(&badges, &v);
    let p = progress(&set, sid, &members, t(now)).unwrap();
    let mut store = std::mem::replace(
        &mut w.status,
        StatusListStore::new(STATUS_URL, Purpose::Revocation).unwrap(),
    );
    let stack_badge = award(
        &set,
        &p,
        &members,
        &w.district,
        Suite::EddsaRdfc2022,
        t(now),
        Some(&mut store),
    )
    .unwrap();
    assert!(
        stack_badge["credentialStatus"]["statusListIndex"].is_string(),
        "{stack_badge}"
    );
    w.status = store;

    // The award alone: complete, the step reached, and not valued again as a badge.
    let v = w.verifier(now, MARIA);
    let alone = folio(std::slice::from_ref(&stack_badge), &v);
    let all = progress_all(&set, &alone, t(now)).unwrap();
    assert!(all[0].complete && all[0].awarded.is_some(), "{}", all[0]);
    let value = policy.value(&alone, &all).unwrap();
    assert!(value.steps[0].reached, "{value}");
    assert_eq!(
        (total(&value, "% salary"), total(&value, "in-service hours")),
        (5.0, 0.0)
    );
    assert_eq!(reason(&value, 0), "stack-award");

    // A member is revoked: presented with its members, the award says which one is gone.
    w.status.revoke(badges[1]["id"].as_str().unwrap()).unwrap();
    let v = w.verifier(now, MARIA);
    let mut all_four = badges.clone();
    all_four.push(stack_badge);
    let p = progress(&set, sid, &folio(&all_four, &v), t(now)).unwrap();
    assert!(!p.complete, "{p}");
    assert_eq!(reason(&p, 3), "award-member-gone");
    let text = p.to_string();
    assert!(
        text.contains("its member s2") && text.contains("revoked"),
        "{text}"
    );
}

#[test]
fn a_step_is_reached_only_inside_its_window() {
    let mut w = World::new();
    let ids = vec![a("w1"), a("w2")];
    let sid = "https://northfield.example/stacks/pilot";
    let set = StackSet::from_json(
        &json!({"achievements": catalog(&ids), "stacks": [stack(sid, json!({"allOf": ids}))]}),
    )
    .unwrap();
    let policy = CreditPolicy::from_json(&json!({"id": "urn:p:pilot", "name": "Pilot", "acceptedIssuers": [DISTRICT],
        "steps": [{"name": "Pilot completion", "stack": sid, "amount": 500, "unit": "USD",
                   "window": {"until": "2025-12-31", "extensions": [{"recipient": JOSE, "until": "2026-03-31"}]}},
                  {"name": "Two in the pilot", "count": 2, "amount": 1, "unit": "% salary",
                   "window": {"from": "2025-09-01", "until": "2025-12-31"}}]})).unwrap();
    for (who, reached) in [(MARIA, false), (JOSE, true)] {
        let badges = vec![
            w.badge(who, &ids[0], "2025-11-01T00:00:00Z"),
            w.badge(who, &ids[1], "2026-02-01T00:00:00Z"),
        ];
        let f = folio(&badges, &w.verifier("2026-06-01T00:00:00Z", who));
        let all = progress_all(&set, &f, t("2026-06-01T00:00:00Z")).unwrap();
        let v = policy.value(&f, &all).unwrap();
        assert_eq!(v.steps[0].reached, reached, "{who}: {v}");
        assert!(!v.steps[1].reached, "{v}");
        assert_eq!(v.steps[1].why, "1 of 2 badges in the window");
    }
}

#[test]
fn definitions_with_the_new_rules_round_trip_and_bad_ones_name_the_entry() {
    let ids = vec![a("r1"), a("r2")];
    let mut s = stack(
        "https://northfield.example/stacks/all",
        json!({"allOf": ids}),
    );
    s["window"] = json!({"from": "2025-07-01T00:00:00Z", "until": "2026-06-30T23:59:59Z",
                         "extensions": [{"recipient": MARIA, "until": "2026-08-31T23:59:59Z"}]});
    s["endorsements"] = json!({"atLeast": 1, "by": ["did:example:reviewer"]});
    s["rubric"] = json!({"every": "requiredLevel"});
    s["acceptedIssuers"] = json!([PARTNER]);
    s["equivalences"] = json!([{"theirs": "https://partner.example/a/r1", "ours": a("r1")}]);
    s["pace"] = json!({"atLeast": 1, "per": "schoolYear", "yearStarts": "08-15", "from": "enrollment",
                       "enrollments": [{"recipient": MARIA, "date": "2025-08-20T00:00:00Z"}]});
    let def = json!({"achievements": catalog(&ids), "stacks": [s]});
    let set = StackSet::from_json(&def).unwrap();
    assert_eq!(StackSet::from_json(&set.to_json()).unwrap(), set);

    let cases = [
        (
            "/stacks/0/window/until",
            json!({"until": "June 30"}),
            "window",
        ),
        (
            "/stacks/0/endorsements/atLeast",
            json!({"atLeast": 2, "by": ["did:example:r"]}),
            "endorsements",
        ),
        (
            "/stacks/0/pace/per",
            json!({"atLeast": 1, "per": "schoolyear"}),
            "pace",
        ),
        (
            "/stacks/0/equivalences/0/ours",
            json!([{"theirs": "urn:x", "ours": a("r3")}]),
            "equivalences",
        ),
    ];
    for (pointer, value, key) in cases {
        let mut d = def.clone();
        d["stacks"][0][key] = value;
        let err = StackSet::from_json(&d).unwrap_err();
        assert_eq!(err.pointer(), Some(pointer), "{err}");
    }
    let mut d = def.clone();
    d["stacks"][0]["pace"]["per"] = json!("schoolyear");
    assert!(StackSet::from_json(&d)
        .unwrap_err()
        .to_string()
        .contains("did you mean \"schoolYear\""));
}

#[test]
fn each_teacher_builds_a_pathway_from_the_catalog_approved_by_an_administrator() {
    let mut w = World::new();
    let ids: Vec<String> = (1..=5).map(|k| a(&format!("lead-{k}"))).collect();
    let admin = w.reviewer(3);
    let mut s = stack("https://northfield.example/stacks/my-pathway", json!(null));
    s.as_object_mut().unwrap().remove("rule");
    s["pathway"] = json!({"choose": 3, "from": "catalog", "approval": a("pathway-plan"), "approvers": [admin]});
    let set = StackSet::from_json(&json!({"achievements": catalog(&ids), "stacks": [s]})).unwrap();
    assert_eq!(StackSet::from_json(&set.to_json()).unwrap(), set);
    let sid = "https://northfield.example/stacks/my-pathway";
    let plan = |w: &mut World, k: usize, who: &str, chosen: &[&String]| {
        let cred = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": w.next_id(),
            "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Approved pathway plan",
            "credentialSubject": {"id": who, "type": ["AchievementSubject"],
                "achievement": {"id": a("pathway-plan"), "type": ["Achievement"], "name": "Pathway plan",
                    "description": "The teacher's approved choices.", "criteria": {"narrative": "Approved."},
                    "alignment": chosen.iter().map(|c| json!({"type": ["Alignment"],
                        "targetName": c.rsplit('/').next().unwrap(), "targetUrl": c})).collect::<Vec<_>>()}}
        });
        w.reviewers[k]
            .issue_at(&cred, Suite::EddsaRdfc2022, t("2025-08-15T00:00:00Z"), None)
            .unwrap()
            .into_json()
    };
    let approved = plan(&mut w, 3, MARIA, &[&ids[0], &ids[1], &ids[2]]);
    let not_an_approver = plan(&mut w, 0, MARIA, &[&ids[3], &ids[4], &ids[0]]);
    let mut badges = vec![
        approved,
        not_an_approver,
        w.badge(MARIA, &ids[0], "2025-09-01T00:00:00Z"),
        w.badge(MARIA, &ids[1], "2025-10-01T00:00:00Z"),
        w.badge(MARIA, &ids[3], "2025-11-01T00:00:00Z"),
    ];
    let now = "2026-01-01T00:00:00Z";
    let p = progress(&set, sid, &folio(&badges, &w.verifier(now, MARIA)), t(now)).unwrap();
    assert_eq!(
        (p.complete, p.earned.len(), p.still_needed),
        (false, 2, 1),
        "{p}"
    );
    assert_eq!(p.missing[0].achievement, ids[2]);
    assert_eq!(reason(&p, 4), "not-approved");
    assert!(
        p.to_string()
            .contains("lead-4 is not among this teacher's approved choices"),
        "{p}"
    );
    badges.push(w.badge(MARIA, &ids[2], "2025-12-01T00:00:00Z"));
    let p = progress(&set, sid, &folio(&badges, &w.verifier(now, MARIA)), t(now)).unwrap();
    assert!(p.complete, "{p}");

    // José has no approved plan: nothing counts, and the report says why.
    let badges: Vec<Value> = ids[..3]
        .iter()
        .map(|id| w.badge(JOSE, id, "2025-09-01T00:00:00Z"))
        .collect();
    let p = progress(&set, sid, &folio(&badges, &w.verifier(now, JOSE)), t(now)).unwrap();
    assert!(!p.complete && p.earned.is_empty(), "{p}");
    assert!(
        p.to_string()
            .contains("no verified approval of the pathway"),
        "{p}"
    );
}

#[test]
fn the_northfield_fixtures_express_every_rule_and_resolve() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/programs");
    let set = StackSet::load(&dir.join("northfield-stacks.json")).unwrap();
    assert_eq!(StackSet::from_json(&set.to_json()).unwrap(), set);
    let policy = CreditPolicy::load(&dir.join("northfield-policy.json")).unwrap();
    policy.resolve(Some(&set)).unwrap();
    let nine = set
        .stack("https://northfield.example/stacks/nine-in-three")
        .unwrap();
    assert!(nine.requirements.window.is_some() && nine.order.len() == 2);
    let leader = set
        .stack("https://northfield.example/stacks/teacher-leader")
        .unwrap();
    assert!(leader.pathway.is_some() && leader.requirements.endorsements.is_some());
    let comp = set
        .stack("https://northfield.example/stacks/compensation")
        .unwrap();
    assert_eq!(comp.pace.as_ref().unwrap().enrollments.len(), 2);
    assert_eq!(comp.equivalences.len(), 1);
    assert!(set
        .stack("https://northfield.example/stacks/coaching-hours")
        .unwrap()
        .requirements
        .rubric
        .is_some());
    // Without the stack file, the steps cannot be resolved: a usage error naming the step.
    let err = policy.resolve(None).unwrap_err();
    assert_eq!(err.pointer(), Some("/steps/0/stack"), "{err}");
}
