//! The `signed-terms` stage: the JSON every later check reads says exactly what was signed.
//!
//! # Why this stage exists
//! An `eddsa-rdfc-2022` or `Ed25519Signature2020` proof signs the RDF graph of a credential, not
//! its JSON. Many JSON documents have the same graph: `credentialStatus` can be written as its full
//! IRI `https://www.w3.org/2018/credentials#credentialStatus`, as a compact IRI, through an alias
//! an inline `@context` defines, moved into `@included` or wrapped in `@graph`; `validUntil` can
//! become `{"@value": …, "@type": "xsd:dateTime"}`. The signature still verifies — but a check that
//! looks for the JSON key `credentialStatus` no longer finds it, and a revoked badge would verify.
//!
//! # The construction
//! Two designs were open: compact the verified graph with the pinned contexts and judge the
//! compacted JSON, or refuse every document whose members are not written as the terms its
//! contexts define. We chose the second: it needs no compaction algorithm (a large, subtle part of
//! JSON-LD whose output would itself need auditing), it costs one expansion with an observer, and
//! the credentials real issuers produce are already in that form (every credential in the wild
//! corpus and the 1EdTech fixtures passes it). A credential in another form is not forged — but
//! its verdict could be steered, so it is refused with the member and the name it should have.
//!
//! The rule, checked on what expansion actually did with each member (type-scoped and inline
//! contexts included):
//! * a member, `@type` value or keyword alias that expands to an IRI (or keyword) the pinned VC,
//!   Data Integrity, status list, OB and CLR contexts name must be written with one of those names
//!   (so no full IRI, compact IRI or inline alias for a standard term);
//! * no JSON-LD keyword but `@context` is written as a member, except `@value`, `@language` and
//!   `@direction` in language-tagged strings (so no `@included`, `@graph`, `@reverse`, `@nest`,
//!   `@id`, `@type`, and no typed `@value` objects);
//! * an `@id` value is written as the IRI it expands to (no compact IRIs);
//! * proof objects (which the signature covers as their own graph, read by the proof check as
//!   JSON) use plain member names only.
//!
//! Given that, reading a member by its name reads the triple the signature covers, so every later
//! stage — status, validity window, issuer, subject, recipient, endorsements, presentation
//! binding, CLR nesting — judges what was signed. VC-JWTs and `eddsa-jcs-2022` proofs sign the
//! JSON itself; they pass through the same rule, so one form is judged for every securing method.

use serde_json::Value;

use crate::check::{problem_types as pt, Check, CheckId};
use crate::jsonld::{Options, Processor, TermRole, TermUse};

/// Keywords a document may write as members (besides `@context`, which expansion does not report).
const VALUE_KEYWORDS: &[&str] = &["@value", "@language", "@direction"];

/// One departure from the signed terms: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Departure {
    pub pointer: String,
    pub detail: String,
}

fn judge(u: &TermUse) -> Option<String> {
    let names = Processor::standard_names();
    let w = u.written.as_str();
    let Some(e) = u.expanded.as_deref() else {
        return None; // dropped: not in the graph (safe mode refuses it when signing / verifying)
    };
    if !e.starts_with('@') && !e.contains(':') {
        return None; // relative: not in the graph either (safe mode refuses it)
    }
    if u.role == TermRole::Id {
        return Some(format!(
            "the id `{w}` expands to `{e}`; write the IRI itself"
        ));
    }
    if u.role == TermRole::Property && w.starts_with('@') {
        return (!VALUE_KEYWORDS.contains(&w)).then(|| {
            format!("the keyword `{w}` is not allowed in a credential (it can move or hide what was signed)")
        });
    }
    let std = names.get(e);
    match std {
        Some(std) if !std.iter().any(|n| n == w) => {
            let what = if e.starts_with('@') {
                format!("an alias of the keyword `{e}`")
            } else if w == e {
                format!("a full IRI for the term `{}`", std[0])
            } else {
                format!("`{e}`, the term `{}`", std[0])
            };
            Some(format!("`{w}` is {what}; write `{}`", std[0]))
        }
        Some(_) => None,
        None if e.starts_with('@') => Some(format!(
            "`{w}` is an alias of the keyword `{e}`, which credentials may not use"
        )),
        // An IRI no pinned context names: extension data, which no check reads by name. (A
        // standard name redefined to another IRI needs a context that overrides a protected
        // term, which context processing refuses; one that falls to `@vocab` only ever makes a
        // check that reads it stricter.)
        None => None,
    }
}

/// Value objects that spell out a datatype (`{"@value": …, "@type": …}`).
fn typed_values(v: &Value, ptr: &mut String, out: &mut Vec<Departure>, depth: usize) {
    if depth > 128 || out.len() > 16 {
        return;
    }
    match v {
        Value::Object(m) => {
            if m.contains_key("@value") && (m.contains_key("@type") || m.contains_key("type")) {
                out.push(Departure {
                    pointer: ptr.clone(),
                    detail: "a typed `@value` object; write the plain value (the context gives its type)".into(),
                });
            }
            for (k, x) in m {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&k.replace('~', "~0").replace('/', "~1"));
                typed_values(x, ptr, out, depth + 1);
                ptr.truncate(len);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&i.to_string());
                typed_values(x, ptr, out, depth + 1);
                ptr.truncate(len);
            }
        }
        _ => {}
    }
}

/// Proof objects: plain member names only.
fn proof_members(doc: &Value, out: &mut Vec<Departure>) {
    let proofs: Vec<(String, &Value)> = match doc.get("proof") {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("/proof/{i}"), p))
            .collect(),
        Some(p) => vec![("/proof".to_string(), p)],
        None => vec![],
    };
    for (ptr, p) in proofs {
        if let Some(m) = p.as_object() {
            for k in m.keys() {
                if (k.starts_with('@') && k != "@context") || k.contains(':') {
                    out.push(Departure {
                        pointer: format!("{ptr}/{k}"),
                        detail: format!("the proof member `{k}` is not a plain term name"),
                    });
                }
            }
        }
    }
}

/// Every name the pinned contexts define.
fn term_names() -> &'static std::collections::HashSet<String> {
    static NAMES: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        Processor::standard_names()
            .values()
            .flatten()
            .cloned()
            .collect()
    })
}

/// Whether `doc` is plainly in its signed form, without expanding it: every `@context` is a
/// bundled (pinned) context URL, no member name is a keyword (but `@context`) or contains a `:`,
/// no `type` value contains a `:`, and no `id` value starts with a scheme that is also a term of
/// the pinned contexts. Then every member is a term of a pinned context, or falls to a
/// vocabulary IRI named by its own local name, so the rule below cannot find anything: the
/// expansion (a fifth of a full verification) is skipped. Anything else takes the full check.
fn plainly_signed_form(v: &Value, key: Option<&str>, depth: usize) -> bool {
    if depth > 128 {
        return false;
    }
    match v {
        Value::Object(m) => m.iter().all(|(k, x)| plain_member(k, x, depth + 1)),
        Value::Array(a) => a.iter().all(|x| plainly_signed_form(x, key, depth + 1)),
        Value::String(s) => match key {
            Some("type") => !s.contains(':'),
            Some("id") => match s.split_once(':') {
                Some((scheme, _)) => !term_names().contains(scheme),
                None => true,
            },
            _ => true,
        },
        _ => true,
    }
}

/// One member of [`plainly_signed_form`]: `@context` naming only pinned contexts, or a plain
/// name whose value is plainly in form.
fn plain_member(k: &str, x: &Value, depth: usize) -> bool {
    let pinned = |c: &Value| {
        c.as_str()
            .is_some_and(|u| crate::jsonld::BUNDLED_CONTEXTS.iter().any(|b| b.url == u))
    };
    if k == "@context" {
        return match x {
            Value::Array(a) => a.iter().all(pinned),
            other => pinned(other),
        };
    }
    !k.starts_with('@') && !k.contains(':') && plainly_signed_form(x, Some(k), depth)
}

/// Every departure from the signed terms in `doc` (its proofs included).
pub(crate) fn departures(processor: &Processor, doc: &Value) -> Vec<Departure> {
    let mut out = Vec::new();
    let plain = doc.as_object().is_some_and(|m| {
        m.iter()
            .filter(|(k, _)| *k != "proof")
            .all(|(k, x)| plain_member(k, x, 1))
    });
    if plain {
        proof_members(doc, &mut out);
        return out;
    }
    let mut body = doc.clone();
    if let Value::Object(m) = &mut body {
        m.shift_remove("proof");
    }
    // A document that does not expand at all is the proof check's to report (a JSON-LD error is
    // never VERIFIED).
    if let Ok((_, uses)) = processor.expand_observed(&body, &Options::default()) {
        for u in &uses {
            if let Some(detail) = judge(u) {
                out.push(Departure {
                    pointer: u.pointer.clone(),
                    detail,
                });
            }
        }
    }
    typed_values(&body, &mut String::new(), &mut out, 0);
    proof_members(doc, &mut out);
    out
}

/// The `signed-terms` check.
pub(crate) fn check(processor: &Processor, doc: &Value) -> Check {
    let found = departures(processor, doc);
    match found.first() {
        None => Check::passed(CheckId::SignedTerms),
        Some(first) => Check::failed(
            CheckId::SignedTerms,
            pt::SIGNED_TERMS,
            "Not written as the signed terms",
            if found.len() == 1 {
                first.detail.clone()
            } else {
                format!("{} (and {} more)", first.detail, found.len() - 1)
            },
            Some(&first.pointer),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "did:example:1", "type": ["Profile"], "name": "R"},
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:2", "type": ["AchievementSubject"],
                "achievement": {"id": "urn:a", "type": ["Achievement"], "name": "N",
                    "description": "D", "criteria": {"narrative": "n"}}},
            "credentialStatus": {"id": "https://s.example/1#5", "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation", "statusListIndex": "5",
                "statusListCredential": "https://s.example/1"}
        })
    }

    fn rename(doc: &mut Value, from: &str, to: &str) {
        let m = doc.as_object_mut().unwrap();
        let v = m.shift_remove(from).unwrap();
        m.insert(to.into(), v);
    }

    #[test]
    fn the_standard_form_passes() {
        let p = Processor::new();
        assert_eq!(departures(&p, &base()), vec![]);
    }

    #[test]
    fn full_iris_aliases_and_wrappers_are_refused() {
        let p = Processor::new();
        let mut full = base();
        rename(
            &mut full,
            "credentialStatus",
            "https://www.w3.org/2018/credentials#credentialStatus",
        );
        assert!(!departures(&p, &full).is_empty());
        let mut alias = base();
        rename(&mut alias, "credentialStatus", "revocation");
        alias["@context"]
            .as_array_mut()
            .unwrap()
            .push(json!({"revocation": {"@id": "https://www.w3.org/2018/credentials#credentialStatus", "@type": "@id"}}));
        let d = departures(&p, &alias);
        assert!(d[0].detail.contains("credentialStatus"), "{d:?}");
        let mut included = base();
        included["@included"] = json!([{"id": "did:example:1", "type": "Profile"}]);
        assert!(!departures(&p, &included).is_empty());
        let mut typed = base();
        typed["validUntil"] = json!({"@value": "2020-01-01T00:00:00Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"});
        assert!(!departures(&p, &typed).is_empty());
        let wrapped = json!({"@context": base()["@context"].clone(), "@graph": [base()]});
        assert!(!departures(&p, &wrapped).is_empty());
    }

    #[test]
    fn language_tagged_names_pass() {
        let p = Processor::new();
        let mut doc = base();
        doc["credentialSubject"]["achievement"]["name"] = json!([{"@value": "Regroupement", "@language": "fr-CA"}, {"@value": "Grouping", "@language": "en"}]);
        assert_eq!(departures(&p, &doc), vec![]);
    }
}
