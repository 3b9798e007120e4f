//! Property tests of stack and policy definitions: the project's fixtures with any one member
//! replaced by arbitrary JSON are accepted or refused with an error naming a place, never a
//! panic; whatever is accepted can be evaluated. And of valuation: the same portfolio valued
//! twice gives the same result, and adding a credential never lowers a total (caps and the
//! rules that say so — a pace, an order — aside: the stacks here have neither pace nor
//! windows).

use openbadges::policy::CreditPolicy;
use openbadges::portfolio::Portfolio;
use openbadges::stack::{progress_all, StackSet};
use openbadges::verify::{Check, Report};
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..40).prop_map(|n| json!(n)),
        (-1e3f64..1e3).prop_map(|f| json!(f)),
        "\\PC{0,12}".prop_map(Value::String),
        Just(json!(
            "https://riverside.example/achievements/growth-mindset"
        )),
        Just(json!(
            "https://riverside.example/stacks/compensation-phase-1"
        )),
        Just(json!("catalog")),
        Just(json!("requiredLevel")),
        Just(json!("2026-06-30")),
        Just(json!("schoolYear")),
        Just(json!("enrollment")),
        Just(json!({"stack": "https://northfield.example/stacks/basic"})),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("allOf".to_string()),
                    Just("atLeast".to_string()),
                    Just("of".to_string()),
                    Just("stack".to_string()),
                    Just("until".to_string()),
                    Just("from".to_string()),
                    Just("extensions".to_string()),
                    Just("by".to_string()),
                    Just("every".to_string()),
                    Just("choose".to_string()),
                    Just("recipient".to_string()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every JSON Pointer to a member or element of `v`.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        _ => {}
    }
}

fn fixture(name: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/programs")
        .join(name);
    let bytes = std::fs::read(&p).unwrap();
    openbadges::definition_file::parse(&bytes, name.ends_with(".toml")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutated_stack_files_never_panic(pick in any::<prop::sample::Index>(), v in arb_json(), north in any::<bool>()) {
        let mut doc = fixture(if north { "northfield-stacks.json" } else { "riverside-stacks.json" });
        let mut ps = Vec::new();
        pointers(&doc, String::new(), &mut ps);
        let p = pick.get(&ps).clone();
        *doc.pointer_mut(&p).unwrap() = v;
        match StackSet::from_json(&doc) {
            Ok(set) => {
                progress_all(&set, &Portfolio::new(), chrono::Utc::now()).unwrap();
            }
            Err(e) => prop_assert!(e.pointer().is_some(), "{e}"),
        }
    }

    #[test]
    fn mutated_policies_never_panic(pick in any::<prop::sample::Index>(), v in arb_json(), which in 0..3u8) {
        let name = ["lakeshore-policy.toml", "riverside-policy.json", "northfield-policy.json"][which as usize];
        let mut doc = fixture(name);
        let mut ps = Vec::new();
        pointers(&doc, String::new(), &mut ps);
        let p = pick.get(&ps).clone();
        *doc.pointer_mut(&p).unwrap() = v;
        match CreditPolicy::from_json(&doc) {
            Ok(policy) => {
                // Steps may name stacks not given: a clear error, not a panic.
                let _ = policy.value(&Portfolio::new(), &[]);
            }
            Err(e) => prop_assert!(e.pointer().is_some(), "{e}"),
        }
    }

    #[test]
    fn arbitrary_toml_never_panics(text in "\\PC{0,200}") {
        if let Ok(v) = openbadges::definition_file::parse(text.as_bytes(), true) {
            let _ = StackSet::from_json(&v);
            let _ = CreditPolicy::from_json(&v);
        }
    }
}

const RIVERSIDE: &str = "https://riverside.example/issuers/1";

/// Riverside's stacks without paces (a pace is a rule that may lower a total when an earlier
/// badge moves the periods).
fn stacks_without_pace() -> StackSet {
    let mut doc = fixture("riverside-stacks.json");
    for s in doc["stacks"].as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("pace");
    }
    StackSet::from_json(&doc).unwrap()
}

/// A portfolio of already-verified badges for Maria: (catalog index, day offset, issuer is
/// Riverside).
fn portfolio(set: &StackSet, badges: &[(usize, u32, bool)]) -> Portfolio {
    let ids: Vec<&String> = set.achievements.keys().collect();
    let mut p = Portfolio::new();
    for (n, (a, day, ours)) in badges.iter().enumerate() {
        let date = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
            .unwrap()
            .to_utc()
            + chrono::Duration::days(i64::from(*day));
        let cred = json!({
            "id": format!("urn:uuid:00000000-0000-4000-8000-{n:012}"),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": if *ours { RIVERSIDE } else { "did:key:z6MkStranger" }, "type": ["Profile"]},
            "validFrom": date.to_rfc3339(),
            "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
                "achievement": {"id": ids[a % ids.len()], "type": ["Achievement"],
                                "achievementType": "MicroCredential", "name": "x"}}
        });
        p.add_verified(
            format!("b{n}"),
            cred,
            Report::from_checks(vec![Check::passed(openbadges::check::CheckId::Proof)]),
        )
        .unwrap();
    }
    p
}

fn totals(policy: &CreditPolicy, set: &StackSet, p: &Portfolio) -> Vec<(String, f64)> {
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let progress = progress_all(set, p, now).unwrap();
    policy
        .value(p, &progress)
        .unwrap()
        .totals
        .into_iter()
        .map(|t| (t.unit, t.amount))
        .collect()
}

fn badge() -> impl Strategy<Value = (usize, u32, bool)> {
    (0usize..40, 0u32..2000, prop::bool::weighted(0.9))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn valuing_the_same_portfolio_twice_gives_the_same_result(badges in prop::collection::vec(badge(), 0..40)) {
        let set = stacks_without_pace();
        let policy = CreditPolicy::from_json(&fixture("riverside-policy.json")).unwrap();
        let p = portfolio(&set, &badges);
        let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap().to_utc();
        let a = progress_all(&set, &p, now).unwrap();
        let b = progress_all(&set, &p, now).unwrap();
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(policy.value(&p, &a).unwrap(), policy.value(&p, &b).unwrap());
    }

    #[test]
    fn adding_a_credential_never_lowers_a_total(badges in prop::collection::vec(badge(), 0..40), extra in badge()) {
        let set = stacks_without_pace();
        let mut capped = fixture("riverside-policy.json");
        capped["caps"] = json!([{"unit": "in-service hours", "max": 60}]);
        for doc in [fixture("riverside-policy.json"), capped] {
            let policy = CreditPolicy::from_json(&doc).unwrap();
            let before = totals(&policy, &set, &portfolio(&set, &badges));
            let mut more = badges.clone();
            more.push(extra);
            let after = totals(&policy, &set, &portfolio(&set, &more));
            for (unit, amount) in &before {
                let now = after.iter().find(|(u, _)| u == unit).map_or(0.0, |(_, a)| *a);
                prop_assert!(now >= *amount, "{unit}: {amount} → {now} after adding {extra:?}");
            }
        }
    }
}
