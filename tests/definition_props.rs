//! Property tests of stack and policy definitions: the project's fixtures with any one member
//! replaced by arbitrary JSON are accepted or refused with an error naming a place, never a
//! panic; whatever is accepted can be evaluated.

use openbadges::policy::CreditPolicy;
use openbadges::portfolio::Portfolio;
use openbadges::stack::{progress_all, StackSet};
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
    fn mutated_stack_files_never_panic(pick in any::<prop::sample::Index>(), v in arb_json()) {
        let mut doc = fixture("riverside-stacks.json");
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
    fn mutated_policies_never_panic(pick in any::<prop::sample::Index>(), v in arb_json(), toml in any::<bool>()) {
        let mut doc = fixture(if toml { "lakeshore-policy.toml" } else { "riverside-policy.json" });
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
