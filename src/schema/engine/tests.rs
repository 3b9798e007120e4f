//! The engine keyword by keyword. The expected answers are those of `jsonschema` 0.61 (draft
//! 2019-09, formats asserted), which `tests/schema_differential.rs` also checks on the corpus.

use serde_json::{json, Value};

use super::*;

fn compile(schema: Value) -> Compiled {
    Compiled::new(&schema).unwrap_or_else(|e| panic!("{schema}: {e}"))
}

fn valid(schema: Value, doc: Value) -> bool {
    let c = compile(schema);
    let ok = c.is_valid(&doc);
    // The two entry points must agree.
    assert_eq!(ok, c.validate(&doc, 100).is_empty(), "{doc}");
    ok
}

fn errors(schema: Value, doc: Value) -> Vec<(String, String, String)> {
    compile(schema)
        .validate(&doc, 100)
        .into_iter()
        .map(|v| (v.pointer, v.rule, v.message))
        .collect()
}

fn compile_error(schema: Value) -> String {
    match Compiled::new(&schema) {
        Ok(_) => panic!("{schema} compiled"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Usage, "{e}");
            e.to_string()
        }
    }
}

#[test]
fn type_integer_is_a_number_with_zero_fraction() {
    let s = json!({"type": "integer"});
    assert!(valid(s.clone(), json!(1)));
    assert!(valid(s.clone(), json!(1.0)));
    assert!(valid(s.clone(), json!(-3)));
    assert!(valid(s.clone(), json!(1e3)));
    assert!(valid(s.clone(), json!(u64::MAX)));
    assert!(!valid(s.clone(), json!(1.5)));
    assert!(!valid(s.clone(), json!("1")));
    assert!(valid(json!({"type": "number"}), json!(1)));
    assert!(valid(json!({"type": ["string", "null"]}), json!(null)));
    assert!(!valid(json!({"type": ["string", "null"]}), json!(false)));
    assert_eq!(
        errors(json!({"type": ["object", "string"]}), json!(1)),
        [(
            String::new(),
            "/type".into(),
            "1 is not of types \"string\", \"object\"".into()
        )]
    );
    assert_eq!(
        errors(json!({"type": "string"}), json!(1))[0].2,
        "1 is not of type \"string\""
    );
    compile_error(json!({"type": "integer32"}));
    compile_error(json!({"type": []}));
}

#[test]
fn const_and_enum_compare_numbers_by_value() {
    assert!(valid(json!({"const": 1}), json!(1.0)));
    assert!(valid(json!({"const": 1.0}), json!(1)));
    assert!(!valid(json!({"const": 1}), json!(1.5)));
    assert!(!valid(json!({"const": 1}), json!("1")));
    assert!(valid(
        json!({"const": {"a": [1, 2]}}),
        json!({"a": [1.0, 2]})
    ));
    assert!(valid(
        json!({"const": {"a": 1, "b": 2}}),
        json!({"b": 2, "a": 1})
    ));
    assert!(!valid(json!({"const": [1, 2]}), json!([2, 1])));
    // Exact: no rounding of large integers through f64.
    assert!(!valid(
        json!({"const": 9_007_199_254_740_993_u64}),
        json!(9_007_199_254_740_992.0)
    ));
    assert!(valid(json!({"const": -5}), json!(-5.0)));
    assert!(valid(json!({"enum": ["a", 2, null]}), json!(2.0)));
    assert!(valid(json!({"enum": ["a", 2, null]}), json!(null)));
    assert!(!valid(json!({"enum": ["a", 2, null]}), json!(false)));
    assert_eq!(
        errors(json!({"enum": ["a", "b", "c"]}), json!("x"))[0].2,
        "\"x\" is not one of \"a\", \"b\" or \"c\""
    );
    assert_eq!(
        errors(json!({"enum": ["a", "b", "c", "d", "e"]}), json!("x"))[0].2,
        "\"x\" is not one of \"a\", \"b\" or 3 other candidates"
    );
    assert_eq!(
        errors(json!({"const": "a"}), json!("x"))[0],
        (String::new(), "/const".into(), "\"a\" was expected".into())
    );
}

#[test]
fn object_keywords() {
    let s = json!({
        "type": "object",
        "properties": {"id": {"type": "string"}, "n": {"type": "integer"}},
        "required": ["id", "n"]
    });
    assert!(valid(s.clone(), json!({"id": "x", "n": 1, "other": true})));
    assert_eq!(
        errors(s.clone(), json!({"n": "1"})),
        [
            (
                String::new(),
                "/required".into(),
                "\"id\" is a required property".into()
            ),
            (
                "/n".into(),
                "/properties/n/type".into(),
                "\"1\" is not of type \"integer\"".into()
            ),
        ]
    );
    // Not an object: the object keywords do not apply.
    assert!(!valid(s.clone(), json!([])));
    assert_eq!(errors(s, json!([])).len(), 1);

    let closed = json!({"properties": {"a": {}}, "additionalProperties": false});
    assert!(valid(closed.clone(), json!({"a": 1})));
    assert_eq!(
        errors(closed, json!({"b": 1, "a": 2, "c": 3})),
        [(
            String::new(),
            "/additionalProperties".into(),
            "Additional properties are not allowed ('b', 'c' were unexpected)".into()
        )]
    );
    let rest = json!({"properties": {"a": {}}, "additionalProperties": {"type": "string"}});
    assert!(valid(rest.clone(), json!({"a": 1, "b": "x"})));
    assert_eq!(
        errors(rest, json!({"a": 1, "b": 2}))[0].0,
        "/b",
        "errors of additional members are theirs"
    );
    assert_eq!(
        errors(
            json!({"additionalProperties": false}),
            json!({"x": 1, "y": 2})
        ),
        [(
            String::new(),
            "/additionalProperties".into(),
            "False schema does not allow 1".into()
        )]
    );
    // A single required name with a closed object comes after the members, as in jsonschema.
    let one = json!({"properties": {"a": {"type": "string"}}, "additionalProperties": false, "required": ["a"]});
    assert_eq!(
        errors(one, json!({"x": 1})),
        [
            (
                String::new(),
                "/additionalProperties".into(),
                "Additional properties are not allowed ('x' was unexpected)".into()
            ),
            (
                String::new(),
                "/required".into(),
                "\"a\" is a required property".into()
            ),
        ]
    );
    // Pointers escape `~` and `/`.
    let escaped = json!({"properties": {"a/b~c": {"type": "string"}}});
    assert_eq!(
        errors(escaped, json!({"a/b~c": 1}))[0].0,
        "/a~1b~0c".to_string()
    );
}

#[test]
fn property_names_report_at_the_object() {
    let s = json!({"propertyNames": {"pattern": "^[a-z]{2}$"}});
    assert!(valid(s.clone(), json!({"en": 1, "fr": 2})));
    assert!(valid(s.clone(), json!("not an object")));
    assert_eq!(
        errors(s, json!({"en": 1, "english": 2})),
        [(
            String::new(),
            "/propertyNames/pattern".into(),
            "\"english\" does not match \"^[a-z]{2}$\"".into()
        )]
    );
    assert!(valid(json!({"propertyNames": false}), json!({})));
    assert!(!valid(json!({"propertyNames": false}), json!({"a": 1})));
}

#[test]
fn array_keywords() {
    let s = json!({"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2});
    assert!(valid(s.clone(), json!(["a"])));
    assert!(!valid(s.clone(), json!([])));
    assert!(!valid(s.clone(), json!(["a", "b", "c"])));
    assert_eq!(
        errors(s.clone(), json!([])),
        [(
            String::new(),
            "/minItems".into(),
            "[] has less than 1 item".into()
        )]
    );
    assert_eq!(
        errors(s, json!(["a", 2])),
        [(
            "/1".into(),
            "/items/type".into(),
            "2 is not of type \"string\"".into()
        )]
    );

    let tuple = json!({"items": [{"const": "VerifiableCredential"}], "additionalItems": false});
    assert!(valid(tuple.clone(), json!(["VerifiableCredential"])));
    assert!(valid(tuple.clone(), json!([])));
    assert_eq!(
        errors(tuple, json!(["VerifiableCredential", 1, "x"])),
        [(
            String::new(),
            "/additionalItems".into(),
            "Additional items are not allowed (1, \"x\" were unexpected)".into()
        )]
    );
    let tail = json!({"items": [{}], "additionalItems": {"type": "string"}});
    assert!(valid(tail.clone(), json!([1, "a", "b"])));
    assert!(!valid(tail, json!([1, "a", 2])));
    // Without a list of `items`, `additionalItems` has nothing to do.
    assert!(valid(
        json!({"items": {}, "additionalItems": false}),
        json!([1, 2])
    ));

    let contains = json!({"contains": {"const": "OpenBadgeCredential"}});
    assert!(valid(contains.clone(), json!(["x", "OpenBadgeCredential"])));
    assert!(valid(contains.clone(), json!("not an array")));
    assert!(!valid(contains.clone(), json!([])));
    assert_eq!(
        errors(contains, json!(["x"])),
        [(
            String::new(),
            "/contains".into(),
            "None of [\"x\"] are valid under the given schema".into()
        )]
    );
}

#[test]
fn combinators() {
    let any =
        json!({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]});
    assert!(valid(any.clone(), json!("a")));
    assert!(valid(any.clone(), json!(["a"])));
    assert_eq!(
        errors(any, json!([1])),
        [(
            String::new(),
            "/anyOf".into(),
            "[1] is not valid under any of the schemas listed in the 'anyOf' keyword".into()
        )]
    );
    let all = json!({"allOf": [{"required": ["a"]}, {"required": ["b"]}]});
    assert_eq!(
        errors(all, json!({})),
        [
            (
                String::new(),
                "/allOf/0/required".into(),
                "\"a\" is a required property".into()
            ),
            (
                String::new(),
                "/allOf/1/required".into(),
                "\"b\" is a required property".into()
            ),
        ]
    );
    let one = json!({"oneOf": [{"type": "integer"}, {"type": "number"}]});
    assert!(valid(one.clone(), json!(1.5)));
    assert!(!valid(one.clone(), json!(1)));
    assert!(!valid(one.clone(), json!("1")));
    assert_eq!(
        errors(one.clone(), json!(1))[0].2,
        "1 is valid under more than one of the schemas listed in the 'oneOf' keyword"
    );
    assert_eq!(
        errors(one, json!("1"))[0].2,
        "\"1\" is not valid under any of the schemas listed in the 'oneOf' keyword"
    );
    let not = json!({"not": {"type": "string"}});
    assert!(valid(not.clone(), json!(1)));
    assert_eq!(
        errors(not, json!("a"))[0],
        (
            String::new(),
            "/not".into(),
            "{\"type\":\"string\"} is not allowed for \"a\"".into()
        )
    );
    assert!(valid(json!(true), json!(1)));
    assert_eq!(
        errors(json!({"properties": {"a": false}}), json!({"a": 1})),
        [(
            "/a".into(),
            "/properties/a".into(),
            "False schema does not allow 1".into()
        )]
    );
}

#[test]
fn references_resolve_locally_and_report_the_definition() {
    let s = json!({
        "$schema": "https://json-schema.org/draft/2019-09/schema#",
        "$id": "https://example.org/s.json",
        "$comment": "c", "title": "t", "description": "d",
        "type": "object",
        "properties": {"issuer": {"$ref": "#/$defs/Profile"}, "self": {"$ref": "#"}},
        "$defs": {
            "Profile": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
            "Unused": {"type": "string"}
        }
    });
    assert!(valid(s.clone(), json!({"issuer": {"id": "x"}})));
    assert!(valid(
        s.clone(),
        json!({"self": {"self": {"issuer": {"id": "x"}}}})
    ));
    assert_eq!(
        errors(s.clone(), json!({"issuer": {}})),
        [(
            "/issuer".into(),
            "/$defs/Profile/required".into(),
            "\"id\" is a required property".into()
        )]
    );
    assert_eq!(
        errors(s, json!({"self": {"issuer": {"id": 1}}}))[0].0,
        "/self/issuer/id"
    );
    // Escaped and percent-encoded pointers.
    let odd = json!({"$defs": {"a/b": {"type": "string"}, "c%d": {"type": "null"}},
                     "anyOf": [{"$ref": "#/$defs/a~1b"}, {"$ref": "#/$defs/c%25d"}]});
    assert!(valid(odd.clone(), json!("x")));
    assert!(valid(odd.clone(), json!(null)));
    assert!(!valid(odd, json!(1)));
}

#[test]
fn unsupported_schemas_do_not_compile() {
    for schema in [
        json!({"minLength": 1}),
        json!({"patternProperties": {"^x": {}}}),
        json!({"properties": {"a": {"maximum": 3}}}),
        json!({"$defs": {"unused": {"uniqueItems": true}}}),
        json!({"if": {}, "then": {}}),
        json!({"unevaluatedProperties": false}),
        json!({"$ref": "https://example.org/schema.json"}),
        json!({"$ref": "other.json#/$defs/x"}),
        json!({"$ref": "#anchor"}),
        json!({"$ref": "#/$defs/missing"}),
        json!({"$schema": "http://json-schema.org/draft-07/schema#"}),
        json!({"properties": {"a": {"$id": "https://example.org/a"}}}),
        json!({"format": "email"}),
        json!({"format": "uri"}),
        json!({"pattern": "\\s+"}),
        json!({"pattern": "(?=a)"}),
        json!({"pattern": "(?<name>a)"}),
        json!({"pattern": "\\1"}),
        json!({"pattern": "a{"}),
        json!({"pattern": "a]"}),
        json!({"pattern": "[]"}),
        json!({"pattern": "\\p{L}"}),
        json!({"pattern": "[z-a]"}),
        json!({"pattern": "(a"}),
        json!({"pattern": "*a"}),
        json!({"type": "string", "minItems": -1}),
        json!({"required": "id"}),
        json!({"items": 3}),
        json!({"anyOf": []}),
        json!(3),
    ] {
        let message = compile_error(schema.clone());
        assert!(message.contains("does not compile"), "{schema}: {message}");
    }
    let message = compile_error(json!({"properties": {"a": {"minLength": 1}}}));
    assert!(
        message.contains("`minLength`") && message.contains("/properties/a/minLength"),
        "{message}"
    );
    // Formats jsonschema does not know are annotations there, and here.
    assert!(valid(json!({"format": "x-custom"}), json!("anything")));
}

#[test]
fn reference_cycles_that_never_descend_are_refused() {
    for schema in [
        json!({"$ref": "#"}),
        json!({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}}}),
        json!({"allOf": [{"$ref": "#"}]}),
        json!({"$defs": {"a": {"not": {"$ref": "#/$defs/a"}}}}),
    ] {
        let message = compile_error(schema.clone());
        assert!(message.contains("cycle"), "{schema}: {message}");
    }
    // A cycle through a property descends into the document: fine.
    let tree = json!({"properties": {"child": {"$ref": "#"}}, "type": "object"});
    assert!(valid(tree.clone(), json!({"child": {"child": {}}})));
    assert!(!valid(tree, json!({"child": {"child": 1}})));
}

/// `value` nested `depth` times in single-member objects `{"child": …}`, built and dropped
/// without recursion (a recursive drop of a deep `Value` would overflow the stack itself).
fn nested(depth: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..depth {
        let mut m = Map::new();
        m.insert("child".into(), v);
        v = Value::Object(m);
    }
    v
}

fn drop_nested(mut v: Value) {
    while let Value::Object(mut m) = v {
        v = m.shift_remove("child").unwrap_or(Value::Null);
    }
}

#[test]
fn a_deep_document_is_invalid_not_a_stack_overflow() {
    // Through `anyOf` (the check recurses) and through `$ref` alone (the error collection does).
    let schemas = [
        json!({"properties": {"child": {"anyOf": [{"$ref": "#"}, {"type": "integer"}]}}}),
        json!({"type": "object", "properties": {"child": {"$ref": "#"}}}),
    ];
    for schema in schemas {
        let tree = compile(schema.clone());
        // At serde_json's own depth limit (128) the answer is the real one.
        let doc = nested(128);
        let expected = schema["type"] != "object";
        assert_eq!(tree.is_valid(&doc), expected, "{schema}");
        assert_eq!(tree.validate(&doc, 100).is_empty(), expected, "{schema}");
        drop_nested(doc);
        // Far deeper: refused, on a thread with a small stack (1 MiB, as WebAssembly has by
        // default; a debug build needs about 400 KiB), without overflowing.
        let stack = std::env::var("ENGINE_STACK")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1 << 20);
        let answer = std::thread::Builder::new()
            .stack_size(stack)
            .spawn(move || {
                let doc = nested(100_000);
                let ok = tree.is_valid(&doc);
                let errors = tree.validate(&doc, 100);
                drop_nested(doc);
                (ok, errors)
            })
            .map(|t| t.join());
        let Ok(Ok((ok, errors))) = answer else {
            panic!("the validation thread failed");
        };
        assert!(!ok, "{schema}");
        assert!(
            errors[0].message.contains("nested too deeply"),
            "{schema}: {errors:?}"
        );
    }
}

/// Documents from `openbadges::json::parse` (depth ≤ 64) never reach the limit: through the
/// bundled schemas, each level of the document takes at most the longest chain of schemas applied
/// to one value (`$ref` → `anyOf` → …).
#[test]
fn the_parser_depth_limit_is_far_below_the_engine_limit() {
    for kind in crate::schema::SchemaKind::ALL {
        let v: Value = serde_json::from_str(kind.schema_text()).unwrap_or(Value::Null);
        let chain = compile(v).longest_chain();
        assert!(chain >= 3, "{kind}: {chain}");
        assert!(
            chain * (crate::json::DEFAULT_MAX_DEPTH + 1) <= MAX_DEPTH,
            "{kind}: chains of {chain} schemas"
        );
    }
}

#[test]
fn dates_are_checked_as_jsonschema_checks_them() {
    for (s, ok) in [
        ("2024-02-29", true),
        ("2023-02-29", false),
        ("2000-02-29", true),
        ("1900-02-29", false),
        ("2024-04-31", false),
        ("2024-12-31", true),
        ("2024-13-01", false),
        ("2024-00-10", false),
        ("2024-01-00", false),
        ("2024-1-01", false),
        ("2024-01-01 ", false),
        ("２０２４-01-01", false),
        ("0000-01-01", true),
    ] {
        assert_eq!(is_date(s), ok, "{s}");
    }
    for (s, ok) in [
        ("2024-03-01T09:00:00Z", true),
        ("2024-03-01t09:00:00z", true),
        ("2024-03-01T09:00:00", false),
        ("2024-03-01 09:00:00Z", false),
        ("2024-03-01T09:00:00.123456789Z", true),
        ("2024-03-01T09:00:00.Z", false),
        ("2024-03-01T09:00:00+01:00", true),
        ("2024-03-01T09:00:00-23:59", true),
        ("2024-03-01T09:00:00+24:00", false),
        ("2024-03-01T09:00:00+01:60", false),
        ("2024-03-01T09:00:00+0100", false),
        ("2024-03-01T24:00:00Z", false),
        ("2024-03-01T23:60:00Z", false),
        // Leap seconds: only at 23:59:60 UTC.
        ("2016-12-31T23:59:60Z", true),
        ("2016-12-31T23:59:60.5Z", true),
        ("2016-12-31T22:59:60Z", false),
        ("2016-12-31T15:59:60-08:00", true),
        ("2017-01-01T00:59:60+01:00", true),
        ("2016-12-31T23:59:60+01:00", false),
        ("2016-12-31T23:59:61Z", false),
        ("2023-02-29T00:00:00Z", false),
        ("2024-02-29T00:00:00Z", true),
        ("2024-03-01", false),
        ("T09:00:00Z", false),
    ] {
        assert_eq!(is_date_time(s), ok, "{s}");
    }
    let s = json!({"format": "date-time"});
    assert!(valid(s.clone(), json!(1)), "formats apply to strings only");
    assert_eq!(
        errors(s, json!("2024-03-01"))[0],
        (
            String::new(),
            "/format".into(),
            "\"2024-03-01\" is not a \"date-time\"".into()
        )
    );
}

/// The patterns of the bundled and the official schemas, with ECMA-262 meaning.
#[test]
fn patterns_mean_what_ecma_262_says() {
    let cases: &[(&str, &[(&str, bool)])] = &[
        (
            r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.[0-9]\.[0-9])*\.json$",
            &[
                (
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                    true,
                ),
                ("https://purl.imsglobal.org/spec/ob/v3p0/context.json", true),
                (
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2-3.0.3.json",
                    true,
                ),
                (
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.jsonx",
                    false,
                ),
                (
                    "https://purlximsglobal.org/spec/ob/v3p0/context.json",
                    false,
                ),
                (
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.\u{660}.3.json",
                    false,
                ),
            ],
        ),
        (
            r"^https:\/\/purl\.imsglobal\.org\/spec\/clr\/v2p0\/context(-2\.\d\.\d)*\.json$",
            &[
                (
                    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                    true,
                ),
                (
                    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.\u{660}.1.json",
                    false,
                ),
            ],
        ),
        (
            r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$",
            &[
                ("en", true),
                ("en-US", true),
                ("zh-Hant-TW", true),
                ("es-419", true),
                ("e", false),
                ("english", false),
                ("en-us", false),
                ("en\n", false),
            ],
        ),
        (
            r"^[a-z]{2}(-[A-Z]{2})?$",
            &[("en-GB", true), ("eng", false)],
        ),
        (
            r"^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$",
            &[
                ("eyJ.e30.c2ln", true),
                ("eyJ..c2ln", true),
                ("eyJ.e30", false),
            ],
        ),
        // Unanchored: anywhere in the string.
        (
            r"ext:[a-zA-Z0-9|._]",
            &[
                ("ext:Custom", true),
                ("my ext:x", true),
                ("ext:", false),
                ("ext:-", false),
            ],
        ),
        (
            r"(ext:)[a-z|A-Z|0-9|.|-|_]+",
            &[
                ("ext:a|b", true),
                ("ext:-", false),
                ("ext:_", true),
                ("EXT:a", false),
            ],
        ),
        // `.` stops at every ECMA-262 line terminator.
        (
            r"^a.b$",
            &[
                ("axb", true),
                ("a\nb", false),
                ("a\rb", false),
                ("a\u{2028}b", false),
                ("a\u{e9}b", true),
            ],
        ),
        (r"^\x41\u0042[\x2d]$", &[("AB-", true), ("AB_", false)]),
        (
            r"^a{2}b{1,}c{0,1}?$",
            &[("aab", true), ("aabbbc", true), ("ab", false)],
        ),
        (r"^[^0-9]$", &[("a", true), ("5", false)]),
        (r"^[\d-]$", &[("-", true), ("7", true), ("a", false)]),
        (r"^[&&]+$", &[("&&", true)]),
        (r"^\W\w$", &[("-a", true), ("é", false)]),
        // A literal prefix is compared before the regex runs: quantified, alternated and
        // re-anchored patterns keep their meaning.
        (
            r"^abc*d$",
            &[
                ("abd", true),
                ("abcccd", true),
                ("ab", false),
                ("abcd!", false),
            ],
        ),
        (r"^ab|cd", &[("xcd", true), ("abx", true), ("xab", false)]),
        (r"^a(b|^c)", &[("ab", true), ("ac", false)]),
        (r"^a\.b?", &[("a.", true), ("a.b", true), ("ab", false)]),
        (r"^é:x{2}", &[("é:xx", true), ("é:x", false)]),
    ];
    for (pattern, inputs) in cases {
        let p = Pattern::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        for (input, expected) in *inputs {
            assert_eq!(p.is_match(input), *expected, "{pattern} on {input:?}");
        }
    }
}

/// The bundled schemas use exactly the supported keywords; every one of them compiles.
#[test]
fn every_bundled_schema_compiles() {
    for kind in crate::schema::SchemaKind::ALL {
        let v: Value = serde_json::from_str(kind.schema_text()).unwrap_or(Value::Null);
        let c = compile(v);
        assert!(c.nodes.len() > 50, "{kind}");
    }
}

/// `anyOf` over nested `anyOf` on a deep document: the memo of references keeps the work linear
/// (without it, each level checks the level below twice: 2^40 steps here).
#[test]
fn nested_alternatives_are_not_exponential() {
    let schema = json!({
        "$defs": {"T": {"anyOf": [
            {"type": "object", "properties": {"a": {"$ref": "#/$defs/T"}, "b": {"type": "string"}}},
            {"type": "object", "properties": {"a": {"$ref": "#/$defs/T"}}},
            {"type": "integer"}
        ]}},
        "$ref": "#/$defs/T"
    });
    let c = compile(schema);
    let deep = |leaf: Value| {
        let mut doc = leaf;
        for _ in 0..40 {
            doc = json!({"a": doc, "b": 1});
        }
        doc
    };
    let started = std::time::Instant::now();
    let good = deep(json!(1));
    assert!(c.is_valid(&good));
    assert!(c.validate(&good, 100).is_empty());
    let bad = deep(json!("x"));
    assert!(!c.is_valid(&bad));
    assert_eq!(c.validate(&bad, 100).len(), 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
