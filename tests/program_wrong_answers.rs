//! Issue #17, "Programs that count right": each wrong answer a district office got, written from
//! the program descriptions (not from the fixtures), as a regression test. Every badge is really
//! signed and verified; the definitions are written here the way the district wrote them.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::policy::CreditPolicy;
use openbadges::portfolio::Portfolio;
use openbadges::proof::Suite;
use openbadges::resolve::LocalResources;
use openbadges::stack::{progress, progress_all, StackSet};
use openbadges::verify::{Recipient, Verifier, VerifyOptions};
use serde_json::{json, Value};

const DISTRICT: &str = "https://eastbrook.example/issuers/1";
const MARIA: &str = "did:example:maria";
const JOSE: &str = "did:example:jose";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn a(slug: &str) -> String {
    format!("https://eastbrook.example/a/{slug}")
}

fn s(slug: &str) -> String {
    format!("https://eastbrook.example/stacks/{slug}")
}

struct World {
    district: Issuer,
    stranger: Issuer,
    resources: LocalResources,
}

impl World {
    fn new() -> Self {
        let key = SigningKey::from_seed(&[0x71; 32]);
        let mut resources = LocalResources::new();
        let mk = key.verifying_key().to_multikey();
        let vm = format!("{DISTRICT}#{mk}");
        resources.insert(
            DISTRICT,
            serde_json::to_vec(&json!({
                "@context": ["https://www.w3.org/ns/credentials/v2",
                             "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                             "https://w3id.org/security/multikey/v1"],
                "id": DISTRICT, "type": "Profile", "name": "Eastbrook USD",
                "verificationMethod": [{"id": vm, "type": "Multikey", "controller": DISTRICT,
                                        "publicKeyMultibase": mk}],
                "assertionMethod": [vm],
            }))
            .unwrap(),
        );
        World {
            district: Issuer::new(
                json!({"id": DISTRICT, "type": ["Profile"], "name": "Eastbrook USD"}),
                key,
            )
            .unwrap(),
            // A stranger's did:key (no id given: the key's DID).
            stranger: Issuer::new(
                json!({"name": "Eastbrook USD"}),
                SigningKey::from_seed(&[0x72; 32]),
            )
            .unwrap(),
            resources,
        }
    }

    fn badge_from(&self, issuer: &Issuer, subject: Value, achievement: &str, date: &str) -> Value {
        let mut subject = subject;
        subject["type"] = json!(["AchievementSubject"]);
        subject["achievement"] = json!({"id": achievement, "type": ["Achievement"],
            "achievementType": "MicroCredential", "name": achievement.rsplit('/').next().unwrap(),
            "description": "A micro-credential.", "criteria": {"narrative": "Rubric level 3."}});
        let cred = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": achievement.rsplit('/').next().unwrap(),
            "credentialSubject": subject,
        });
        issuer
            .issue_at(&cred, Suite::EddsaRdfc2022, t(date), None)
            .unwrap()
            .into_json()
    }

    fn badge(&self, who: &str, achievement: &str, date: &str) -> Value {
        self.badge_from(&self.district, json!({"id": who}), achievement, date)
    }

    fn verifier(&self, recipient: Option<&str>) -> Verifier {
        let mut o = VerifyOptions::default()
            .at(t("2026-06-01T00:00:00Z"))
            .resolver(Arc::new(self.resources.clone()));
        if let Some(r) = recipient {
            o = o.recipient(if r.contains('@') {
                Recipient::Email(r.into())
            } else {
                Recipient::Id(r.into())
            });
        }
        Verifier::new(o)
    }
}

fn folio(badges: &[Value], v: &Verifier) -> Portfolio {
    let mut p = Portfolio::new();
    for (i, b) in badges.iter().enumerate() {
        p.add_value(format!("badge-{i}.json"), b, v).unwrap();
    }
    p
}

fn stack(id: &str, name: &str, rule: Value) -> Value {
    json!({"id": id, "name": name,
        "issuer": {"id": DISTRICT, "type": ["Profile"], "name": "Eastbrook USD"},
        "achievement": {"id": format!("{id}/badge"), "type": ["Achievement"],
            "achievementType": "Certificate", "name": name, "description": name,
            "criteria": {"narrative": name}},
        "rule": rule})
}

/// Nine badges in three stacks of three taken in order (Basic, then Advanced, then Expert), plus
/// an equity phase: the program the district described.
fn nine_in_three() -> Value {
    let mut achievements = Vec::new();
    let mut stacks = Vec::new();
    for level in ["basic", "advanced", "expert"] {
        let members: Vec<String> = (1..=3).map(|k| a(&format!("{level}-{k}"))).collect();
        for m in &members {
            achievements.push(json!({"id": m, "name": m.rsplit('/').next().unwrap()}));
        }
        stacks.push(stack(&s(level), level, json!({"allOf": members})));
    }
    achievements.push(json!({"id": a("equity"), "name": "Equity"}));
    let mut program = stack(
        &s("program"),
        "Nine in three, plus equity",
        json!({"allOf": [{"stack": s("basic")}, {"stack": s("advanced")},
                          {"stack": s("expert")}, a("equity")]}),
    );
    program["order"] = json!([
        {"before": {"stack": s("basic")}, "after": {"stack": s("advanced")}},
        {"before": {"stack": s("advanced")}, "after": {"stack": s("expert")}},
    ]);
    stacks.push(program);
    json!({"achievements": achievements, "stacks": stacks})
}

#[test]
fn order_across_stacks_is_judged_on_earned_dates() {
    let w = World::new();
    let set = StackSet::from_json(&nine_in_three()).expect("stack order may name stacks");
    // Maria took them in order: Basic in September, Advanced in November, Expert in January.
    let mut badges = Vec::new();
    for (level, month) in [
        ("basic", "2025-09"),
        ("advanced", "2025-11"),
        ("expert", "2026-01"),
    ] {
        for k in 1..=3 {
            badges.push(w.badge(
                MARIA,
                &a(&format!("{level}-{k}")),
                &format!("{month}-0{k}T00:00:00Z"),
            ));
        }
    }
    badges.push(w.badge(MARIA, &a("equity"), "2026-02-01T00:00:00Z"));
    let v = w.verifier(Some(MARIA));
    let p = progress(
        &set,
        &s("program"),
        &folio(&badges, &v),
        t("2026-06-01T00:00:00Z"),
    )
    .unwrap();
    assert!(p.complete, "{p}");
    assert_eq!(p.percent, 100.0);
    let text = p.to_string();
    assert!(!text.contains("must come first"), "{text}");
    for q in progress_all(&set, &folio(&badges, &v), t("2026-06-01T00:00:00Z")).unwrap() {
        assert!(q.complete, "{q}");
    }

    // José took an Advanced badge before finishing Basic: that one does not count, and the
    // report shows both dates.
    let mut badges = Vec::new();
    badges.push(w.badge(JOSE, &a("advanced-1"), "2025-09-15T00:00:00Z"));
    for k in 1..=3 {
        badges.push(w.badge(
            JOSE,
            &a(&format!("basic-{k}")),
            &format!("2025-10-0{k}T00:00:00Z"),
        ));
    }
    let v = w.verifier(Some(JOSE));
    let p = progress(
        &set,
        &s("program"),
        &folio(&badges, &v),
        t("2026-06-01T00:00:00Z"),
    )
    .unwrap();
    let j = serde_json::to_value(&p).unwrap();
    let out: Vec<&Value> = j["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["exclusion"]["reason"] == "out-of-order")
        .collect();
    assert_eq!(out.len(), 1, "{p}");
    assert_eq!(out[0]["achievement"], a("advanced-1"));
    let text = p.to_string();
    assert!(
        text.contains("2025-09-15") && text.contains("2025-10-03"),
        "{text}"
    );
}

#[test]
fn a_stack_of_stacks_with_members_missing_is_not_100_percent() {
    let w = World::new();
    let set = StackSet::from_json(&nine_in_three()).unwrap();
    // Basic done; Advanced and Expert not started.
    let badges: Vec<Value> = (1..=3)
        .map(|k| {
            w.badge(
                MARIA,
                &a(&format!("basic-{k}")),
                &format!("2025-09-0{k}T00:00:00Z"),
            )
        })
        .collect();
    let v = w.verifier(Some(MARIA));
    let p = progress(
        &set,
        &s("program"),
        &folio(&badges, &v),
        t("2026-06-01T00:00:00Z"),
    )
    .unwrap();
    assert!(!p.complete);
    assert_eq!(p.still_needed, 7, "{p}");
    assert!(p.percent < 100.0);
    let j = serde_json::to_value(&p).unwrap();
    let missing: Vec<&str> = j["missingStacks"]
        .as_array()
        .expect("missing nested stacks are reported")
        .iter()
        .map(|m| m["stack"].as_str().unwrap())
        .collect();
    assert_eq!(missing, vec![s("advanced"), s("expert")]);
    assert_eq!(
        j["missingStacks"][0]["missing"],
        json!(["advanced-1", "advanced-2", "advanced-3"])
    );
    assert!(
        p.to_string().contains(
            "stack advanced (not complete: 3 more needed — advanced-1, advanced-2, advanced-3)"
        ),
        "{p}"
    );

    // Every badge held, but Advanced's were all earned before Basic was complete: Advanced is
    // not complete, so neither is the program, and it must not say "100% — 0 more needed".
    let mut badges = Vec::new();
    for k in 1..=3 {
        badges.push(w.badge(
            MARIA,
            &a(&format!("advanced-{k}")),
            &format!("2025-08-0{k}T00:00:00Z"),
        ));
        badges.push(w.badge(
            MARIA,
            &a(&format!("basic-{k}")),
            &format!("2025-09-0{k}T00:00:00Z"),
        ));
        badges.push(w.badge(
            MARIA,
            &a(&format!("expert-{k}")),
            &format!("2025-10-0{k}T00:00:00Z"),
        ));
    }
    badges.push(w.badge(MARIA, &a("equity"), "2025-11-01T00:00:00Z"));
    let p = progress(
        &set,
        &s("program"),
        &folio(&badges, &v),
        t("2026-06-01T00:00:00Z"),
    )
    .unwrap();
    assert!(!p.complete, "{p}");
    assert!(p.still_needed >= 1 && p.percent < 100.0, "{p}");
    assert!(!p.to_string().contains("100%"), "{p}");
}

#[test]
fn badges_from_a_strangers_did_key_reusing_the_districts_ids_do_not_count() {
    let w = World::new();
    let set = StackSet::from_json(&nine_in_three()).unwrap();
    let badges: Vec<Value> = (1..=3)
        .map(|k| {
            w.badge_from(
                &w.stranger,
                json!({"id": MARIA}),
                &a(&format!("basic-{k}")),
                &format!("2025-09-0{k}T00:00:00Z"),
            )
        })
        .collect();
    let v = w.verifier(Some(MARIA));
    let f = folio(&badges, &v);
    assert!(
        f.holdings().iter().all(|h| h.report.verified),
        "authentic, just not the district's"
    );
    let p = progress(&set, &s("basic"), &f, t("2026-06-01T00:00:00Z")).unwrap();
    assert!(!p.complete, "{p}");
    assert_eq!(p.earned.len(), 0);
    let j = serde_json::to_value(&p).unwrap();
    for c in j["credentials"].as_array().unwrap() {
        assert_eq!(c["exclusion"]["reason"], "issuer-not-accepted", "{c}");
    }
}

#[test]
fn two_teachers_badges_are_not_one_portfolio() {
    let w = World::new();
    let set = StackSet::from_json(&nine_in_three()).unwrap();
    let policy = CreditPolicy::from_json(&json!({
        "id": "urn:p:ce", "name": "CE points", "acceptedIssuers": [DISTRICT],
        "values": [{"achievementType": "MicroCredential", "amount": 6, "unit": "CE points"}]}))
    .unwrap();
    let badges = vec![
        w.badge(MARIA, &a("basic-1"), "2025-09-01T00:00:00Z"),
        w.badge(JOSE, &a("basic-1"), "2025-09-02T00:00:00Z"),
    ];
    let f = folio(&badges, &w.verifier(None));
    let err = policy.value(&f, &[]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(MARIA) && msg.contains(JOSE), "{msg}");
    let err = progress(&set, &s("basic"), &f, t("2026-06-01T00:00:00Z")).unwrap_err();
    assert!(err.to_string().contains(JOSE), "{err}");
    // With the teacher named, the other's badge is left out as someone else's.
    let f = folio(&badges, &w.verifier(Some(MARIA)));
    let v = policy.value(&f, &[]).unwrap();
    assert_eq!(v.counted, 1);
    let j = serde_json::to_value(&v).unwrap();
    assert_eq!(
        j["credentials"][1]["exclusion"]["reason"],
        "not-for-recipient"
    );
}

#[test]
fn a_clr_bundle_takes_only_the_holders_email_badges() {
    let w = World::new();
    let salted = |email: &str| json!({"identifier": [openbadges::identity::IdentityObject::hashed_email(email, "pepper").to_value()]});
    let plain = |email: &str| {
        json!({"identifier": [{"type": "IdentityObject", "identityType": "emailAddress",
                               "hashed": false, "identityHash": email}]})
    };
    let badges = vec![
        w.badge_from(
            &w.district,
            salted("maria@eastbrook.example"),
            &a("basic-1"),
            "2025-09-01T00:00:00Z",
        ),
        w.badge_from(
            &w.district,
            plain("maria@eastbrook.example"),
            &a("basic-2"),
            "2025-09-02T00:00:00Z",
        ),
        w.badge_from(
            &w.district,
            salted("jose@eastbrook.example"),
            &a("basic-3"),
            "2025-09-03T00:00:00Z",
        ),
        w.badge_from(
            &w.district,
            plain("ana@eastbrook.example"),
            &a("equity"),
            "2025-09-04T00:00:00Z",
        ),
    ];
    let f = folio(&badges, &w.verifier(None));
    let clr = openbadges::clr::bundle(&f, "maria@eastbrook.example", "Maria", None).unwrap();
    let nested = clr["credentialSubject"]["verifiableCredential"]
        .as_array()
        .unwrap();
    assert_eq!(nested.len(), 2, "{clr}");
    assert_eq!(
        clr["credentialSubject"]["id"],
        "mailto:maria@eastbrook.example"
    );
    // Maria's hashed and plain badges are one holder; with José's and Ana's, three.
    assert_eq!(folio(&badges[..2], &w.verifier(None)).holders().len(), 1);
    assert_eq!(f.holders().len(), 3, "{:?}", f.holders());
}

#[test]
fn typos_that_change_money_are_refused_with_a_pointer_and_a_suggestion() {
    let base = json!({"id": "urn:p:ce", "name": "CE", "acceptedIssuers": [DISTRICT],
        "values": [{"achievementType": "Microcredential", "amount": 6, "unit": "CE points"}]});
    let err = CreditPolicy::from_json(&base).unwrap_err();
    assert_eq!(err.pointer(), Some("/values/0/achievementType"), "{err}");
    assert!(
        err.to_string().contains("did you mean \"MicroCredential\""),
        "{err}"
    );

    let capped = json!({"id": "urn:p:stipend", "name": "Pilot stipend", "acceptedIssuers": [DISTRICT],
        "values": [{"any": true, "amount": 200, "unit": "USD stipend"}],
        "caps": [{"unit": "USD stipends", "max": 2400}]});
    let err = CreditPolicy::from_json(&capped).unwrap_err();
    assert_eq!(err.pointer(), Some("/caps/0/unit"), "{err}");
    assert!(
        err.to_string().contains("did you mean \"USD stipend\""),
        "{err}"
    );

    // Stack files too: an enumerated value checked, with a suggestion.
    let mut def = nine_in_three();
    def["stacks"][0]["achievement"]["achievementType"] = json!("certificate");
    let err = StackSet::from_json(&def).unwrap_err();
    assert_eq!(
        err.pointer(),
        Some("/stacks/0/achievement/achievementType"),
        "{err}"
    );
    assert!(
        err.to_string().contains("did you mean \"Certificate\""),
        "{err}"
    );
}

#[test]
fn a_mistyped_achievement_id_in_a_policy_is_refused_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stacks.json"), nine_in_three().to_string()).unwrap();
    std::fs::write(
        dir.path().join("policy.json"),
        json!({"id": "urn:p:h", "name": "Hours", "acceptedIssuers": [DISTRICT],
            "values": [{"any": true, "amount": 4, "unit": "in-service hours"},
                       {"achievement": a("equty"), "amount": 8, "unit": "in-service hours"}]})
        .to_string(),
    )
    .unwrap();
    let w = World::new();
    std::fs::write(
        dir.path().join("b.json"),
        w.badge(MARIA, &a("equity"), "2025-09-01T00:00:00Z")
            .to_string(),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args([
            "policy",
            "value",
            "--policy",
            "policy.json",
            "--stacks",
            "stacks.json",
            "b.json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("policy.json") && err.contains("/values/1/achievement"),
        "{err}"
    );
    assert!(
        err.contains(&format!("did you mean \"{}\"", a("equity"))),
        "{err}"
    );
}

#[test]
fn a_closed_pace_year_is_not_labelled_open() {
    let w = World::new();
    let members: Vec<String> = (1..=6).map(|k| a(&format!("m{k}"))).collect();
    let mut program = stack(
        &s("paced"),
        "Six, at least two a year",
        json!({"allOf": members}),
    );
    program["pace"] = json!({"atLeast": 2, "per": "year", "from": "2024-01-01T00:00:00Z"});
    let def = json!({"achievements": members.iter().map(|m| json!({"id": m, "name": m})).collect::<Vec<_>>(),
                     "stacks": [program]});
    let set = StackSet::from_json(&def).unwrap();
    let dates = [
        "2024-02-01",
        "2024-03-01",
        "2025-02-01",
        "2025-03-01",
        "2025-04-01",
        "2025-05-01",
    ];
    let badges: Vec<Value> = members
        .iter()
        .zip(dates)
        .map(|(m, d)| w.badge(MARIA, m, &format!("{d}T00:00:00Z")))
        .collect();
    let v = w.verifier(Some(MARIA));
    // Judged in June 2026: both years have ended; only a period containing now may be "open".
    let p = progress(
        &set,
        &s("paced"),
        &folio(&badges, &v),
        t("2026-06-01T00:00:00Z"),
    )
    .unwrap();
    assert!(p.complete, "{p}");
    let periods = p.pace.as_ref().unwrap();
    assert!(periods.iter().all(|x| x.ended), "{p}");
    assert!(!p.to_string().contains("open"), "{p}");
}
