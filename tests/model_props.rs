//! Property tests of the typed model: credentials built from arbitrary text, numbers and
//! extension members round-trip exactly; arbitrary JSON and bytes never panic the parser.

use openbadges::achievement::Achievement;
use openbadges::credential::{AchievementSubject, OpenBadgeCredential};
use openbadges::identity::IdentityObject;
use openbadges::profile::Profile;
use proptest::prelude::*;
use serde_json::{json, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        "\\PC{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z@]{1,8}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn built_credentials_round_trip(
        name in "\\PC{1,30}", desc in "\\PC{0,60}", narrative in "\\PC{1,60}",
        email in "[a-z]{1,8}@[a-z]{1,8}\\.org", salt in "[a-f0-9]{0,12}",
        credits in 0u32..10_000, ext_key in "x-[a-z]{1,8}", ext in arb_json(),
    ) {
        let mut a = Achievement::new("https://d.example/a/1", name.as_str(), desc.as_str(), narrative.as_str());
        a.credits_available = serde_json::Number::from_f64(f64::from(credits) / 4.0);
        a.extensions.insert(ext_key.clone(), ext.clone());
        let subject = AchievementSubject::new(a).with_identifier(IdentityObject::hashed_email(&email, &salt));
        let mut badge = OpenBadgeCredential::builder()
            .issuer(Profile::new("did:example:issuer", "Issuer"))
            .subject(subject)
            .valid_from("2026-01-01T00:00:00Z")
            .build();
        badge.extensions.insert(ext_key, ext);
        let text = serde_json::to_string(&badge.to_json_value()).unwrap();
        let back = OpenBadgeCredential::from_json(text.as_bytes()).unwrap();
        prop_assert_eq!(&back, &badge);
        prop_assert!(back.is_for_email(&email.to_uppercase()));
    }

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        let _ = OpenBadgeCredential::from_json(v.to_string().as_bytes());
        let _ = Achievement::from_json(v.to_string().as_bytes());
        let _ = Profile::from_json(v.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = OpenBadgeCredential::from_json(&b);
    }
}
