//! The direct path against the general one: wherever the direct path answers, its canonical
//! N-Quads must be the general path's, byte for byte (and where the general path refuses a
//! document, the direct path must not have answered).

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::canonical_nquads;
use crate::jsonld::{Options, Processor};

/// Compares the two paths on `doc`; true when the direct path answered.
fn agree(p: &Processor, doc: &Value, options: &Options, what: &str) -> bool {
    let Value::Object(m) = doc else {
        return false;
    };
    let entries: Vec<(&str, &Value)> = m.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let Some(direct) = canonical_nquads(p, &entries, options) else {
        return false;
    };
    let general = p.canonical_nquads_general(doc, options);
    match (&direct, &general) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}: the paths disagree"),
        (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{what}"),
        _ => panic!("{what}: direct {direct:?}, general {general:?}"),
    }
    true
}

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

fn json_files(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            json_files(&path, suffix, out);
        } else if path.to_string_lossy().ends_with(suffix) {
            out.push(path);
        }
    }
}

/// Every JSON object in `v` that has an `@context` (credentials nest in wrappers and
/// presentations), each also without its `proof`.
fn documents(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("@context") {
                out.push(v.clone());
                if m.contains_key("proof") {
                    let mut bare = m.clone();
                    bare.shift_remove("proof");
                    out.push(Value::Object(bare));
                }
            }
            for x in m.values() {
                documents(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| documents(x, out)),
        _ => {}
    }
}

fn both_modes(p: &Processor, doc: &Value, what: &str) -> bool {
    let safe = agree(p, doc, &Options::safe(), what);
    let raw = agree(p, doc, &Options::default(), what);
    safe || raw
}

#[test]
fn agrees_on_the_crate_fixtures() {
    let p = Processor::new();
    let mut files = Vec::new();
    json_files(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")),
        ".json",
        &mut files,
    );
    let mut answered = 0;
    for f in &files {
        let Ok(v) = crate::json::parse(&std::fs::read(f).unwrap_or_default()) else {
            continue;
        };
        let mut docs = Vec::new();
        documents(&v, &mut docs);
        for d in &docs {
            answered += usize::from(both_modes(&p, d, &f.display().to_string()));
        }
    }
    // The sample micro-credential and the proof configuration.
    assert!(
        answered >= 2,
        "the direct path answered for {answered} fixtures"
    );
}

#[test]
fn agrees_on_the_reference_data() {
    let Some(shared) = shared() else { return };
    let p = Processor::new();
    let mut files = Vec::new();
    json_files(&shared.join("wild"), ".json", &mut files);
    json_files(&shared.join("suites/vc-test-suites"), ".json", &mut files);
    json_files(&shared.join("standards"), ".json", &mut files);
    json_files(&shared.join("suites/json-ld-api"), "-in.jsonld", &mut files);
    assert!(files.len() > 1000, "found only {} files", files.len());
    let (mut tried, mut answered) = (0, 0);
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        let Ok(v) = crate::json::parse(&bytes) else {
            continue;
        };
        let mut docs = Vec::new();
        documents(&v, &mut docs);
        for d in &docs {
            tried += 1;
            answered += usize::from(both_modes(&p, d, &f.display().to_string()));
        }
    }
    eprintln!("direct path: {answered} of {tried} documents");
    assert!(
        answered >= 100,
        "the direct path answered for {answered} of {tried}"
    );
}

#[test]
fn repeated_values_follow_the_node_map() {
    let p = Processor::new();
    let ctx = json!({
        "@vocab": "https://example.org/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "int": {"@id": "https://example.org/int", "@type": "xsd:integer"},
        "str": {"@id": "https://example.org/str", "@type": "xsd:string"},
        "ref": {"@id": "https://example.org/ref", "@type": "@id"}
    });
    for doc in [
        // 1 and 1.0 are different JSON values with the same literal: both stay (twice the quad).
        json!({"@context": ctx, "v": [1, 1.0, 1]}),
        // A typed string and a number that write the same literal.
        json!({"@context": ctx, "int": ["1", 1], "v": 1}),
        // Explicit xsd:string and a plain string.
        json!({"@context": ctx, "str": "a", "https://example.org/str": "a"}),
        json!({"@context": ctx, "ref": ["https://e.org/x", "https://e.org/x"], "v": {"@id": "https://e.org/x"}}),
        json!({"@context": ctx, "@type": ["T", "T"], "v": [true, true, "true"]}),
        json!({"@context": ctx, "@id": "_:a", "v": {"@id": "_:a", "v": {"@id": "_:a"}}}),
        json!({"@context": ctx, "v": [{"w": 1}, {"w": 1}], "x": [-0.0, 0.0, 0]}),
    ] {
        assert!(both_modes(&p, &doc, &doc.to_string()), "{doc}");
    }
}

#[test]
fn falls_back_where_it_should() {
    let p = Processor::new();
    let ctx = json!({"@vocab": "https://example.org/", "l": {"@container": "@list"}});
    for doc in [
        json!({"@context": ctx, "l": [1, 2]}),
        json!({"@context": ctx, "v": {"@value": "x", "@language": "en"}}),
        json!({"@context": ctx, "@graph": [{"v": 1}]}),
        json!({"@context": ctx, "@id": "relative", "v": 1}),
        json!({"@context": ctx, "@id": "https://e.org/only"}),
        json!({"@context": ctx}),
        json!({"@context": ctx, "@reverse": {"v": {"@id": "https://e.org/r"}}}),
        json!({"@context": {"@vocab": "https://example.org/", "@language": "not a tag"}, "v": "x"}),
        json!({"@context": {"@vocab": "https://example.org/", "@direction": "rtl"}, "v": "x"}),
        json!({"@context": "https://unknown.example/context", "v": 1}),
    ] {
        let entries: Vec<(&str, &Value)> = doc
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default();
        assert!(
            canonical_nquads(&p, &entries, &Options::safe()).is_none(),
            "{doc}"
        );
    }
}

fn value_strategy() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::from),
        (-3i64..3).prop_map(Value::from),
        prop_oneof![Just(1.0f64), Just(-0.0), Just(2.5), Just(1e21), Just(0.1)]
            .prop_map(Value::from),
        "[a-c\"\\\\\n é\u{1F600}]{0,4}".prop_map(Value::from),
        "[a-c]{1,2}".prop_map(|s| json!({"@id": format!("https://example.org/{s}")})),
        "[a-b]".prop_map(|s| json!({"@id": format!("_:{s}")})),
        "[a-b]".prop_map(|s| json!({"@id": s})),
        "[a-c]{1,3}".prop_map(|s| json!({"@value": s, "@language": "en"})),
        Just(Value::Null),
        Just(json!({})),
        Just(json!("T")),
        Just(json!({"@context": {"p": {"@type": "@vocab"}}, "p": "T"})),
        Just(json!({"@context": {"@language": "de"}, "p": "x"})),
        Just(json!({"type": "T", "p": "https://example.org/z", "q": "y"})),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("p".to_string()),
                    Just("q".to_string()),
                    Just("int".to_string()),
                    Just("ref".to_string()),
                    Just("voc".to_string()),
                    Just("en".to_string()),
                    Just("dbl".to_string()),
                    Just("scoped".to_string()),
                    Just("type".to_string()),
                    Just("@id".to_string()),
                    Just("@type".to_string()),
                    Just("str".to_string()),
                    Just("none".to_string()),
                    Just("ls".to_string()),
                    Just("https://example.org/p".to_string()),
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Generated documents per run (`OPENBADGES_PROPTEST_CASES` for a longer run).
fn cases() -> u32 {
    std::env::var("OPENBADGES_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(cases()))]
    #[test]
    fn agrees_on_generated_documents(
        members in proptest::collection::btree_map(
            proptest::prelude::prop_oneof![
                proptest::prelude::Just("p".to_string()),
                proptest::prelude::Just("int".to_string()),
                proptest::prelude::Just("ref".to_string()),
                proptest::prelude::Just("voc".to_string()),
                proptest::prelude::Just("en".to_string()),
                proptest::prelude::Just("dbl".to_string()),
                proptest::prelude::Just("scoped".to_string()),
                proptest::prelude::Just("type".to_string()),
                proptest::prelude::Just("@id".to_string()),
                proptest::prelude::Just("str".to_string()),
                proptest::prelude::Just("none".to_string()),
            ],
            value_strategy(),
            1..6,
        )
    ) {
        let mut doc = serde_json::Map::new();
        doc.insert("@context".into(), json!({
            "@vocab": "https://example.org/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "type": "@type",
            "T": {"@id": "https://example.org/T", "@context": {"p": {"@type": "@id"}}},
            "int": {"@id": "https://example.org/int", "@type": "xsd:integer"},
            "dbl": {"@id": "https://example.org/dbl", "@type": "xsd:double"},
            "ref": {"@id": "https://example.org/ref", "@type": "@id"},
            "voc": {"@id": "https://example.org/voc", "@type": "@vocab"},
            "en": {"@id": "https://example.org/en", "@language": "en"},
            "str": {"@id": "https://example.org/str", "@type": "xsd:string"},
            "none": {"@id": "https://example.org/none", "@type": "@none"},
            "ls": {"@id": "https://example.org/ls", "@type": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"},
            "scoped": {"@id": "https://example.org/scoped", "@context": {"q": {"@type": "@id"}}}
        }));
        doc.extend(members);
        let doc = Value::Object(doc);
        let p = Processor::new();
        // About a quarter of these documents take the direct path (the rest fall back).
        both_modes(&p, &doc, &doc.to_string());
    }
}
