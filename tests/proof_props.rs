//! Property: changing any one field of a signed credential makes its proof fail (eddsa-rdfc-2022
//! and eddsa-jcs-2022), and arbitrary JSON never panics the verifier.

use std::sync::{Arc, OnceLock};

use openbadges::keys::{DidKeyResolver, SigningKey};
use openbadges::proof::{Expectations, ProofOptions, ProofVerifier, Signer, Suite};
use proptest::prelude::*;
use serde_json::Value;

fn signed(suite: Suite) -> Value {
    let doc =
        openbadges::json::parse(include_bytes!("../fixtures/sample-microcredential.json")).unwrap();
    let issuer =
        openbadges::issue::Issuer::new(serde_json::json!({}), SigningKey::from_seed(&[3; 32]))
            .unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-03-02T15:00:00Z")
        .unwrap()
        .to_utc();
    let prepared = issuer.prepare(&doc, now, None).unwrap();
    Signer::did_key(SigningKey::from_seed(&[3; 32]))
        .sign(
            &prepared,
            suite,
            &ProofOptions::assertion().created("2026-03-02T15:00:00Z"),
        )
        .unwrap()
}

fn fixtures() -> &'static [(Suite, Value, Vec<String>)] {
    static F: OnceLock<Vec<(Suite, Value, Vec<String>)>> = OnceLock::new();
    F.get_or_init(|| {
        [Suite::EddsaRdfc2022, Suite::EddsaJcs2022]
            .into_iter()
            .map(|s| {
                let doc = signed(s);
                let mut leaves = Vec::new();
                collect(&doc, String::new(), &mut leaves);
                (s, doc, leaves)
            })
            .collect()
    })
}

/// Pointers to every scalar outside the proof and @context.
fn collect(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if at.is_empty() && (k == "proof" || k == "@context") {
                    continue;
                }
                collect(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect(x, format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at),
    }
}

fn verifies(doc: &Value) -> bool {
    let v = ProofVerifier::new(Arc::new(DidKeyResolver));
    v.verify(doc, &Expectations::assertion())
        .map(|o| o.first().is_some_and(|o| o.result.is_ok()))
        .unwrap_or(false)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn one_field_change_fails(which in 0usize..2, pick in any::<prop::sample::Index>(), new in "[a-zA-Z0-9 éü协]{1,12}") {
        let (suite, doc, leaves) = &fixtures()[which];
        prop_assert!(verifies(doc));
        let ptr = pick.get(leaves);
        let mut t = doc.clone();
        let slot = t.pointer_mut(ptr).unwrap();
        let replacement = match slot {
            Value::String(s) if *s != new => Value::String(new.clone()),
            Value::String(s) => Value::String(format!("{s}!")),
            Value::Number(n) => serde_json::json!(n.as_f64().unwrap_or(0.0) + 1.0),
            Value::Bool(b) => Value::Bool(!*b),
            _ => Value::String(new.clone()),
        };
        *slot = replacement;
        prop_assert!(!verifies(&t), "{suite:?}: changing {ptr} still verified");
    }

    #[test]
    fn arbitrary_json_never_panics(s in "\\PC{0,200}") {
        let v = openbadges::verify::Verifier::new(Default::default());
        let _ = v.verify_bytes(s.as_bytes());
    }
}
