//! Differential test: the JSON Schemas this project wrote (`schemas/json/`, bundled by
//! `openbadges::schema`) must accept and reject exactly what 1EdTech's official schemas do.
//!
//! Corpus: every JSON fixture in `../shared` (validator fixtures, spec examples, impl-guide
//! credentials, samples), the credentials and profiles embedded in them, and many mutated copies
//! of each: every member deleted in turn, values retyped (string→number, object→string,
//! array→object, single value→array and back, null, booleans, language maps), enumerations set to
//! unknown and `ext:` values, `type` entries dropped or replaced, dates broken, `@context`
//! reordered, properties added to closed classes. Each document goes through our schema and the
//! official one (loaded from `../shared` at test time, never bundled) with the same validator and
//! options; every answer must agree.
//!
//! Skips (with a message) when `../shared` is absent.

use std::path::{Path, PathBuf};

use openbadges::schema::{Schema, SchemaKind};
use serde_json::{json, Value};

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

fn official_file(kind: SchemaKind) -> &'static str {
    match kind {
        SchemaKind::AchievementCredential => "ob_v3p0_achievementcredential_schema.json",
        SchemaKind::EndorsementCredential => "ob_v3p0_endorsementcredential_schema.json",
        SchemaKind::Profile => "ob_v3p0_profile_schema.json",
        SchemaKind::AnyAchievementCredential => "ob_v3p0_anyachievementcredential_schema.json",
        _ => panic!("no official schema known for {kind}"),
    }
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    openbadges::json::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        // Symbolic links are not followed: a link back up the tree would never end.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            json_files(&path, out);
        } else if kind.is_file() && path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
}

#[derive(Clone, Debug)]
enum Token {
    Key(String),
    Index(usize),
}

fn pointer(path: &[Token]) -> String {
    path.iter()
        .map(|t| match t {
            Token::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Token::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// Every path in the document (root excluded), in document order.
fn paths(v: &Value, prefix: &mut Vec<Token>, out: &mut Vec<(Vec<Token>, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                prefix.push(Token::Key(k.clone()));
                out.push((prefix.clone(), x.clone()));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                prefix.push(Token::Index(i));
                out.push((prefix.clone(), x.clone()));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn replaced(doc: &Value, path: &[Token], v: Value) -> Value {
    let mut d = doc.clone();
    if let Some(slot) = d.pointer_mut(&pointer(path)) {
        *slot = v;
    }
    d
}

fn removed(doc: &Value, path: &[Token]) -> Value {
    let mut d = doc.clone();
    let (last, parent) = path.split_last().expect("non-root path");
    match (d.pointer_mut(&pointer(parent)), last) {
        (Some(Value::Object(m)), Token::Key(k)) => {
            m.shift_remove(k);
        }
        (Some(Value::Array(a)), Token::Index(i)) => {
            a.remove(*i);
        }
        _ => {}
    }
    d
}

const ENUM_FIELDS: &[&str] = &[
    "achievementType",
    "resultType",
    "targetType",
    "identityType",
    "identifierType",
    "status",
];

const DATE_FIELDS: &[&str] = &[
    "validFrom",
    "validUntil",
    "issuanceDate",
    "expirationDate",
    "awardedDate",
    "created",
    "activityStartDate",
    "activityEndDate",
    "dateOfBirth",
];

/// The mutated copies of `doc`, each with a description.
fn mutations(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    for (path, value) in &all {
        let p = pointer(path);
        let key = match path.last() {
            Some(Token::Key(k)) => Some(k.as_str()),
            _ => None,
        };
        out.push((format!("delete {p}"), removed(doc, path)));
        let mut retype = |what: &str, v: Value| {
            out.push((format!("{p} := {what}"), replaced(doc, path, v)));
        };
        match value {
            Value::String(s) => {
                retype("number", json!(42));
                retype("language map", json!({ "en": s }));
                retype("@value object", json!({ "@value": s }));
                retype("[string]", json!([s]));
                retype("[]", json!([]));
            }
            Value::Number(n) => {
                retype("string", json!(n.to_string()));
            }
            Value::Object(_) => {
                retype("string", json!("https://example.org/x"));
                retype("{}", json!({}));
                retype("[object]", json!([value]));
                retype("[object, object]", json!([value, value]));
            }
            Value::Array(a) => {
                retype("object", json!({}));
                if let Some(first) = a.first() {
                    retype("first item", first.clone());
                }
                retype("[]", json!([]));
                retype("[number]", json!([1]));
            }
            Value::Bool(b) => {
                retype("string", json!(b.to_string()));
            }
            Value::Null => {}
        }
        retype("null", Value::Null);
        retype("true", json!(true));
        if let Some(k) = key {
            if ENUM_FIELDS.contains(&k) {
                for v in [
                    "Unknown",
                    "ext:Custom",
                    "ext:My.Type_1",
                    "ext:-bad",
                    "xext:Foo",
                    "ext:",
                    "Badge",
                    "Completed",
                    "CFItem",
                    "emailAddress",
                    "GradePointAverage",
                ] {
                    out.push((format!("{p} := {v:?}"), replaced(doc, path, json!(v))));
                }
            }
            if DATE_FIELDS.contains(&k) {
                for v in [
                    "2024-03-01T09:00:00",
                    "2024-03-01",
                    "2024-03-01T09:00:00+01:00",
                    "2024-02-30T00:00:00Z",
                    "1990-02-28",
                    "yesterday",
                ] {
                    out.push((format!("{p} := {v:?}"), replaced(doc, path, json!(v))));
                }
            }
            if k == "type" {
                for v in [
                    json!("Wrong"),
                    json!(["Wrong"]),
                    json!(["Wrong", "Profile"]),
                    json!({"en": "Image"}),
                    json!("Image"),
                    json!("IdentityObject"),
                ] {
                    out.push((format!("{p} := {v}"), replaced(doc, path, v)));
                }
                if let Value::Array(items) = value {
                    for i in 0..items.len() {
                        let mut t = items.clone();
                        t.remove(i);
                        out.push((
                            format!("{p} drop item {i}"),
                            replaced(doc, path, Value::Array(t)),
                        ));
                    }
                }
            }
            if k == "@context" {
                let v2 = "https://www.w3.org/ns/credentials/v2";
                let ob = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
                for v in [
                    json!([ob, v2]),
                    json!([v2]),
                    json!([ob]),
                    json!(v2),
                    json!({"@vocab": "https://example.org/"}),
                    json!([v2, "https://purl.imsglobal.org/spec/ob/v3p0/context.json"]),
                    json!([
                        v2,
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.json"
                    ]),
                    json!([
                        v2,
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2-3.0.3.json"
                    ]),
                    // Non-ASCII digits: ECMA-262 `\d` (and ours, `[0-9]`) match only ASCII ones.
                    json!([
                        v2,
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.\u{660}.\u{663}.json"
                    ]),
                    json!([
                        v2,
                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.jsonx"
                    ]),
                    json!([
                        v2,
                        "http://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
                    ]),
                    json!([
                        v2,
                        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
                    ]),
                    json!([v2, ob, 7]),
                    json!([v2, ob, {"x": "https://example.org/x"}]),
                    json!([v2, ob, ["nested"]]),
                    json!(["https://www.w3.org/2018/credentials/v1", ob]),
                ] {
                    out.push((format!("{p} := {v}"), replaced(doc, path, v)));
                }
            }
        }
        if value.is_object() {
            for (k, v) in [
                ("extraProperty", json!("x")),
                ("en", json!("x")),
                ("caption", json!("c")),
            ] {
                let mut d = doc.clone();
                if let Some(Value::Object(m)) = d.pointer_mut(&p) {
                    m.insert(k.to_string(), v);
                }
                out.push((format!("{p} add {k}"), d));
            }
        }
    }
    out
}

/// Embedded documents worth checking on their own: endorsement credentials and profiles.
fn embedded(doc: &Value) -> Vec<(String, SchemaKind, Value)> {
    let mut out = Vec::new();
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    for (path, value) in all {
        let key = path.iter().rev().find_map(|t| match t {
            Token::Key(k) => Some(k.as_str()),
            Token::Index(_) => None,
        });
        if !value.is_object() {
            continue;
        }
        match key {
            Some("endorsement") => {
                out.push((pointer(&path), SchemaKind::EndorsementCredential, value))
            }
            Some("issuer" | "creator" | "source" | "parentOrg") => {
                out.push((pointer(&path), SchemaKind::Profile, value))
            }
            _ => {}
        }
    }
    out
}

/// The VC Data Model 1.1 form of a VC 2.0 credential (and of the credentials embedded in it):
/// the v1 context first, `issuanceDate`/`expirationDate` for `validFrom`/`validUntil`. Gives the
/// "any" schema's VC 1.1 branch documents it accepts, so that their mutations mean something.
fn to_vc11(v: &Value) -> Value {
    vc_form(
        v,
        VC2,
        VC1,
        &[
            ("validFrom", "issuanceDate"),
            ("validUntil", "expirationDate"),
        ],
    )
}

const VC1: &str = "https://www.w3.org/2018/credentials/v1";
const VC2: &str = "https://www.w3.org/ns/credentials/v2";

/// `v` with every credential in it (a JSON object whose first `@context` is `from`) moved to the
/// data model whose context is `to`, its date members renamed by `dates`.
fn vc_form(v: &Value, from: &str, to: &str, dates: &[(&str, &str)]) -> Value {
    match v {
        Value::Object(m) => {
            let is_credential = m
                .get("@context")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .is_some_and(|c| c == from);
            let mut out = serde_json::Map::new();
            for (k, x) in m {
                let renamed = dates.iter().find(|(old, _)| old == k).map(|(_, new)| *new);
                let key = match renamed {
                    Some(new) if is_credential => new.to_string(),
                    _ => k.clone(),
                };
                let mut x = vc_form(x, from, to, dates);
                if is_credential && k == "@context" {
                    if let Some(first) = x.as_array_mut().and_then(|a| a.first_mut()) {
                        *first = json!(to);
                    }
                }
                out.insert(key, x);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| vc_form(x, from, to, dates)).collect()),
        other => other.clone(),
    }
}

fn type_names(doc: &Value) -> Vec<&str> {
    match doc.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

#[test]
fn bundled_schemas_agree_with_the_official_ones() {
    let Some(shared) = shared() else { return };
    let std = shared.join("standards");
    let kinds = [
        SchemaKind::AchievementCredential,
        SchemaKind::EndorsementCredential,
        SchemaKind::Profile,
        SchemaKind::AnyAchievementCredential,
    ];
    let schemas: Vec<(SchemaKind, &Schema, Schema)> = kinds
        .iter()
        .map(|k| {
            let official = read_json(&std.join("schemas/ob").join(official_file(*k)));
            let official = Schema::compile(&official).unwrap_or_else(|e| panic!("{k}: {e}"));
            let ours = Schema::bundled(*k).unwrap_or_else(|e| panic!("{k}: {e}"));
            (*k, ours, official)
        })
        .collect();

    let mut files = Vec::new();
    json_files(&std.join("ob/validator-fixtures"), &mut files);
    json_files(&std.join("ob/spec-examples"), &mut files);
    json_files(
        &std.join("ob/impl-guide-test-vectors/extracted"),
        &mut files,
    );
    json_files(&shared.join("tools/samples"), &mut files);
    files.sort();
    assert!(
        files.len() >= 50,
        "expected the fixture corpus, found {} files",
        files.len()
    );

    // (document name, kind, document)
    let mut bases: Vec<(String, SchemaKind, Value)> = Vec::new();
    for file in &files {
        let doc = read_json(file);
        let name = file
            .strip_prefix(&shared)
            .unwrap_or(file)
            .display()
            .to_string();
        let kind = if type_names(&doc).contains(&"EndorsementCredential") {
            SchemaKind::EndorsementCredential
        } else {
            SchemaKind::AchievementCredential
        };
        for (p, k, v) in embedded(&doc) {
            bases.push((format!("{name}#{p}"), k, v));
        }
        // Achievement credentials (VC 2.0 and 1.1) also go through the "any" schema, mutated;
        // every top-level document goes through the remaining schemas unmutated.
        if kind == SchemaKind::AchievementCredential {
            bases.push((
                format!("{name} [any]"),
                SchemaKind::AnyAchievementCredential,
                doc.clone(),
            ));
            let vc11 = to_vc11(&doc);
            if vc11 != doc {
                bases.push((
                    format!("{name} [as VC 1.1]"),
                    SchemaKind::AnyAchievementCredential,
                    vc11,
                ));
            }
        }
        for k in kinds {
            if k != kind
                && !(k == SchemaKind::AnyAchievementCredential
                    && kind == SchemaKind::AchievementCredential)
            {
                bases.push((format!("{name} (as {k})"), k, doc.clone()));
            }
        }
        bases.push((name, kind, doc));
    }

    let mut checked = 0usize;
    let mut accepted = [0usize; 4];
    let mut rejected = [0usize; 4];
    let mut disagreements = Vec::new();
    for (name, kind, base) in &bases {
        let mutate = !name.contains(" (as ");
        let mut cases = vec![("as is".to_string(), base.clone())];
        if mutate {
            cases.extend(mutations(base));
        }
        let (slot, ours, official) = schemas
            .iter()
            .enumerate()
            .find(|(_, (k, _, _))| k == kind)
            .map(|(i, (_, o, f))| (i, *o, f))
            .expect("kind");
        for (what, doc) in cases {
            let a = official.is_valid(&doc);
            let b = ours.is_valid(&doc);
            checked += 1;
            if a {
                accepted[slot] += 1;
            } else {
                rejected[slot] += 1;
            }
            if a != b {
                disagreements.push(format!(
                    "{name} [{kind}] {what}: official {} / ours {}",
                    if a { "accepts" } else { "rejects" },
                    if b { "accepts" } else { "rejects" }
                ));
            }
        }
    }
    for (i, k) in kinds.iter().enumerate() {
        println!(
            "schema differential: {k}: {} accepted, {} rejected",
            accepted[i], rejected[i]
        );
        // Both answers must be well represented, or the comparison proves little.
        assert!(
            accepted[i] >= 50 && rejected[i] >= 50,
            "{k}: corpus too one-sided"
        );
    }
    if disagreements.is_empty() {
        println!("schema differential: {checked} documents, all agree");
    } else {
        for d in disagreements.iter().take(200) {
            println!("DISAGREE {d}");
        }
        panic!(
            "schema differential: {checked} documents, {} disagreements (first 200 listed above)",
            disagreements.len()
        );
    }
}

/// Whatever the official schemas reject, the lint must report as an error: an issuer who fixes
/// every lint error passes the schema check. VC 2.0 achievement credentials go through the
/// AchievementCredential schema, VC 1.1 ones (flagged `legacy-vc-version`) through the "any"
/// schema, VC 2.0 endorsements through the EndorsementCredential schema; VC 1.1 endorsements have
/// no official schema and are skipped.
#[test]
fn lint_catches_everything_the_official_schema_rejects() {
    use openbadges::lint::{lint, Rule, Severity};
    let Some(shared) = shared() else { return };
    let std = shared.join("standards");
    let mut files = Vec::new();
    json_files(&std.join("ob/validator-fixtures"), &mut files);
    json_files(&std.join("ob/spec-examples"), &mut files);
    json_files(
        &std.join("ob/impl-guide-test-vectors/extracted"),
        &mut files,
    );
    json_files(&shared.join("tools/samples"), &mut files);
    files.sort();
    let official = |k: SchemaKind| {
        let v = read_json(&std.join("schemas/ob").join(official_file(k)));
        Schema::compile(&v).unwrap_or_else(|e| panic!("{k}: {e}"))
    };
    let achievement = official(SchemaKind::AchievementCredential);
    let any = official(SchemaKind::AnyAchievementCredential);
    let endorsement = official(SchemaKind::EndorsementCredential);
    let mut bases = Vec::new();
    for file in &files {
        let base = read_json(file);
        let name = file
            .strip_prefix(&shared)
            .unwrap_or(file)
            .display()
            .to_string();
        let vc11 = to_vc11(&base);
        if vc11 != base {
            bases.push((format!("{name} [as VC 1.1]"), vc11));
        }
        bases.push((name, base));
    }
    let mut checked = [0usize; 2];
    let mut rejected = [0usize; 2];
    let mut missed = Vec::new();
    for (name, base) in &bases {
        let mut cases = vec![("as is".to_string(), base.clone())];
        cases.extend(mutations(base));
        for (what, doc) in cases {
            let findings = lint(&doc);
            let legacy = findings.iter().any(|f| f.rule == Rule::LegacyVcVersion);
            let schema = match (type_names(&doc).contains(&"EndorsementCredential"), legacy) {
                (true, true) => continue,
                (true, false) => &endorsement,
                (false, true) => &any,
                (false, false) => &achievement,
            };
            let slot = usize::from(legacy);
            // Language-tagged text is signed and read by verifiers, so the lint reports it as a
            // warning that names the official schema's refusal: that counts as caught.
            let lint_errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error || f.rule == Rule::LanguageTagged)
                .count();
            let valid = schema.is_valid(&doc);
            checked[slot] += 1;
            rejected[slot] += usize::from(!valid);
            if lint_errors == 0 && !valid {
                let why: Vec<String> = schema
                    .validate(&doc)
                    .iter()
                    .map(|e| e.to_string())
                    .collect();
                missed.push(format!("{name} {what}: {}", why.join("; ")));
            }
        }
    }
    for m in missed.iter().take(100) {
        println!("MISSED {m}");
    }
    assert!(
        missed.is_empty(),
        "lint vs schema: the lint passed {} documents that the official schema rejects",
        missed.len()
    );
    assert!(
        rejected[0] > 1000 && rejected[1] > 1000,
        "too few rejected documents ({rejected:?}) to prove anything"
    );
    println!(
        "lint vs schema: {} VC 2.0 and {} VC 1.1 documents ({} and {} rejected by the official schemas), no rejection missed by the lint",
        checked[0], checked[1], rejected[0], rejected[1]
    );
}

const CLR_OFFICIAL: &str = "schemas/clr/clr_v2p0_clrcredential_schema.json";

/// Whether a document's `type` names `ClrCredential`.
fn is_clr(doc: &Value) -> bool {
    type_names(doc).contains(&"ClrCredential")
}

/// The VC Data Model 2.0 form of a VC 1.1 credential (and of the credentials nested in it): the
/// v2 context first, `validFrom`/`validUntil` for `issuanceDate`/`expirationDate`. Most CLR
/// fixtures are VC 1.1, which the CLR schema rejects outright; their 2.0 forms give it documents
/// it accepts (with associations, many nested credentials), so that their mutations mean something.
fn to_vc20(v: &Value) -> Value {
    vc_form(
        v,
        VC1,
        VC2,
        &[
            ("issuanceDate", "validFrom"),
            ("expirationDate", "validUntil"),
        ],
    )
}

/// Mutations specific to the CLR classes, on top of [`mutations`]: CLR `@context` lists,
/// `associationType` values, and `verifiableCredential` replaced by things the official schema
/// must accept (a bare VC 2.0 credential, not an AchievementCredential) or reject (a compact JWS,
/// a VC 1.1 credential, an empty list).
fn clr_mutations(doc: &Value) -> Vec<(String, Value)> {
    let v2 = "https://www.w3.org/ns/credentials/v2";
    let clr = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";
    let ob = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
    let bare_vc = json!({
        "@context": [v2],
        "type": "VerifiableCredential",
        "issuer": "https://example.org/issuer",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1"},
        "awardedDate": "not a date",
        "name": 7
    });
    let mut out = Vec::new();
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    for (path, _) in &all {
        let p = pointer(path);
        let key = match path.last() {
            Some(Token::Key(k)) => k.as_str(),
            _ => continue,
        };
        let mut set = |what: String, v: Value| out.push((what, replaced(doc, path, v)));
        match key {
            "@context" => {
                for v in [
                    json!([v2, clr, ob]),
                    json!([v2, clr]),
                    json!([v2, ob, clr]),
                    json!([clr, v2, ob]),
                    json!([
                        v2,
                        "https://purl.imsglobal.org/spec/clr/v2p0/context.json",
                        ob
                    ]),
                    json!([
                        v2,
                        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1-2.0.2.json",
                        ob
                    ]),
                    json!([
                        v2,
                        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.json",
                        ob
                    ]),
                    json!([
                        v2,
                        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.\u{660}.1.json",
                        ob
                    ]),
                    json!([v2, "https://dc.imsglobal.org/draft/clr/v2p0/context", ob]),
                    json!([
                        v2,
                        clr,
                        "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
                    ]),
                    json!([
                        v2,
                        clr,
                        ob,
                        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
                    ]),
                    json!([v2, clr, ob, 1]),
                    json!([v2, clr, ob, [v2]]),
                    json!([v2, {"@vocab": "https://example.org/"}]),
                    json!([v2, 5]),
                    json!(["https://www.w3.org/2018/credentials/v1", clr, ob]),
                ] {
                    set(format!("{p} := {v}"), v);
                }
            }
            "associationType" => {
                for v in [
                    "exactMatchOf",
                    "isChildOf",
                    "isParentOf",
                    "isPartOf",
                    "isPeerOf",
                    "isRelatedTo",
                    "precedes",
                    "replacedBy",
                    "ext:Custom",
                    "IsChildOf",
                    "Completed",
                ] {
                    set(format!("{p} := {v:?}"), json!(v));
                }
                set(format!("{p} := [\"isChildOf\"]"), json!(["isChildOf"]));
                set(
                    format!("{p} := {{\"en\": \"isChildOf\"}}"),
                    json!({"en": "isChildOf"}),
                );
            }
            "verifiableCredential" => {
                for (what, v) in [
                    ("bare VC", bare_vc.clone()),
                    ("[bare VC]", json!([bare_vc])),
                    ("[bare VC, bare VC]", json!([bare_vc, bare_vc])),
                    ("[bare VC as VC 1.1]", json!([to_vc11(&bare_vc)])),
                    ("compact JWS", json!("eyJhbGciOiJFZERTQSJ9.e30.c2ln")),
                    ("[compact JWS]", json!(["eyJhbGciOiJFZERTQSJ9.e30.c2ln"])),
                    ("[{}]", json!([{}])),
                ] {
                    set(format!("{p} := {what}"), v);
                }
            }
            _ => {}
        }
    }
    out
}

/// The CLR 2.0 ClrCredential schema: ours against 1EdTech's, over every CLR document in
/// `../shared` (validator fixtures, impl-guide vectors, any other JSON whose `type` names
/// `ClrCredential`), the VC 2.0 forms of the VC 1.1 ones, and the mutated copies of each
/// ([`mutations`] and [`clr_mutations`]). Every other JSON document of the corpus goes through
/// both schemas unmutated.
#[test]
fn bundled_clr_schema_agrees_with_the_official_one() {
    let Some(shared) = shared() else { return };
    let official = read_json(&shared.join("standards").join(CLR_OFFICIAL));
    let official = Schema::compile(&official).unwrap_or_else(|e| panic!("official CLR: {e}"));
    let ours = Schema::bundled(SchemaKind::ClrCredential).unwrap_or_else(|e| panic!("ours: {e}"));

    let mut files = Vec::new();
    json_files(&shared, &mut files);
    files.sort();
    let mut clrs: Vec<(String, Value)> = Vec::new();
    let mut others: Vec<(String, Value)> = Vec::new();
    for file in &files {
        // Not every `.json` under ../shared is a document (some are JSON Lines, test inputs
        // that are meant not to parse, …): only those that parse are used.
        let Ok(doc) = std::fs::read(file)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice::<Value>(&b).map_err(|e| e.to_string()))
        else {
            continue;
        };
        let name = file
            .strip_prefix(&shared)
            .unwrap_or(file)
            .display()
            .to_string();
        if is_clr(&doc) {
            clrs.push((name, doc));
        } else {
            others.push((name, doc));
        }
    }
    let names: Vec<&str> = clrs.iter().map(|(n, _)| n.as_str()).collect();
    for required in [
        "standards/clr/validator-fixtures/clr20/simple.json",
        "standards/clr/validator-fixtures/clr20/complex.json",
        "standards/ob/impl-guide-test-vectors/extracted/clr-credential-signed.json",
    ] {
        assert!(
            names.contains(&required),
            "{required} missing from {names:?}"
        );
    }

    let mut bases: Vec<(String, Value)> = Vec::new();
    for (name, doc) in &clrs {
        let vc20 = to_vc20(doc);
        if &vc20 != doc {
            bases.push((format!("{name} [as VC 2.0]"), vc20));
        }
        bases.push((name.clone(), doc.clone()));
    }

    let (mut checked, mut accepted, mut rejected) = (0usize, 0usize, 0usize);
    let mut disagreements = Vec::new();
    let mut compare = |name: &str, what: &str, doc: &Value| {
        let a = official.is_valid(doc);
        let b = ours.is_valid(doc);
        checked += 1;
        if a {
            accepted += 1;
        } else {
            rejected += 1;
        }
        if a != b {
            disagreements.push(format!(
                "{name} [ClrCredential] {what}: official {} / ours {}",
                if a { "accepts" } else { "rejects" },
                if b { "accepts" } else { "rejects" }
            ));
        }
    };
    for (name, base) in &bases {
        compare(name, "as is", base);
        for (what, doc) in mutations(base).into_iter().chain(clr_mutations(base)) {
            compare(name, &what, &doc);
        }
    }
    for (name, doc) in &others {
        compare(name, "as is (not a CLR)", doc);
    }
    println!(
        "schema differential: ClrCredential: {} CLR documents ({} base), {accepted} accepted, {rejected} rejected",
        checked - others.len(),
        bases.len()
    );
    assert!(
        accepted >= 50 && rejected >= 50,
        "ClrCredential: corpus too one-sided"
    );
    if disagreements.is_empty() {
        println!("schema differential: ClrCredential: {checked} documents, all agree");
    } else {
        for d in disagreements.iter().take(200) {
            println!("DISAGREE {d}");
        }
        panic!(
            "schema differential: ClrCredential: {checked} documents, {} disagreements (first 200 listed above)",
            disagreements.len()
        );
    }
}
