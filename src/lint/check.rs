//! The traversal: walks a credential as JSON, class by class, and records [`Finding`]s.

use serde_json::{Map, Value};

use super::classes::{self, Class, TypeRule, Val};
use super::datetime;
use super::{Finding, Rule};
use crate::error::pointer_token;

/// `https://www.w3.org/ns/credentials/v2`: the VC Data Model 2.0 context.
pub(crate) const VC2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// `https://www.w3.org/2018/credentials/v1`: the VC Data Model 1.1 context.
pub(crate) const VC1_CONTEXT: &str = "https://www.w3.org/2018/credentials/v1";

/// How deep the walk descends into nested objects before it stops (matches `json::parse`).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VcVersion {
    V1,
    V2,
}

pub(crate) struct Walker {
    pub(crate) findings: Vec<Finding>,
    too_deep_reported: bool,
    /// The VC version of the credential being walked (`None` outside any credential).
    vc: Option<VcVersion>,
}

fn child(ptr: &str, token: &str) -> String {
    format!("{ptr}/{}", pointer_token(token))
}

fn index(ptr: &str, i: usize) -> String {
    format!("{ptr}/{i}")
}

/// A short JSON rendering of a value for messages (at most ~80 characters).
fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `^[a-z]{2}(-[A-Z]{2})?$`: the key pattern of the language maps the 1EdTech schemas allow.
fn is_language_key(k: &str) -> bool {
    let b = k.as_bytes();
    match b.len() {
        2 => b.iter().all(u8::is_ascii_lowercase),
        5 => {
            b[..2].iter().all(u8::is_ascii_lowercase)
                && b[2] == b'-'
                && b[3..].iter().all(u8::is_ascii_uppercase)
        }
        _ => false,
    }
}

fn is_language_map(m: &Map<String, Value>) -> bool {
    !m.is_empty() && m.iter().all(|(k, v)| is_language_key(k) && v.is_string())
}

/// `^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$`: the schemas' BCP 47 subset.
fn is_language_code(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or("");
    if !(2..=4).contains(&lang.len()) || !lang.bytes().all(|c| c.is_ascii_lowercase()) {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    let script = |p: &str| {
        let b = p.as_bytes();
        b.len() == 4 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_lowercase)
    };
    let region = |p: &str| {
        let b = p.as_bytes();
        (b.len() == 2 && b.iter().all(u8::is_ascii_uppercase))
            || (b.len() == 3 && b.iter().all(u8::is_ascii_digit))
    };
    match rest.as_slice() {
        [] => true,
        [a] => script(a) || region(a),
        [a, b] => script(a) && region(b),
        _ => false,
    }
}

/// `^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$`: a compact JWS.
fn is_compact_jws(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let ok = |p: &str| {
        p.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    };
    parts.len() == 3 && !parts[0].is_empty() && !parts[2].is_empty() && parts.iter().all(|p| ok(p))
}

/// `^https://purl.imsglobal.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$`.
pub(crate) fn is_ob_context(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://purl.imsglobal.org/spec/ob/v3p0/context") else {
        return false;
    };
    let Some(mut versions) = rest.strip_suffix(".json") else {
        return false;
    };
    while !versions.is_empty() {
        let b = versions.as_bytes();
        if b.len() < 6
            || &b[..3] != b"-3."
            || !b[3].is_ascii_digit()
            || b[4] != b'.'
            || !b[5].is_ascii_digit()
        {
            return false;
        }
        versions = &versions[6..];
    }
    true
}

/// An extension value of an extensible enumeration: `ext:` then a name. Like the OB schemas, the
/// first character of the name must be one of `A-Za-z0-9|._` (a hyphen there is refused).
fn is_ext(s: &str) -> bool {
    s.strip_prefix("ext:")
        .and_then(|r| r.bytes().next())
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'|' | b'.' | b'_'))
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(" or ")
}

impl Walker {
    pub(crate) fn new() -> Self {
        Walker {
            findings: Vec::new(),
            too_deep_reported: false,
            vc: None,
        }
    }

    fn push(
        &mut self,
        rule: Rule,
        pointer: impl Into<String>,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) {
        let severity = rule.severity();
        self.findings.push(Finding {
            rule,
            severity,
            pointer: pointer.into(),
            message: message.into(),
            expected: expected.into(),
        });
    }

    fn wrong_type(&mut self, ptr: &str, field: &str, v: &Value, expected: &str) {
        self.push(
            Rule::WrongValueType,
            ptr,
            format!("`{field}` is {} ({})", kind_of(v), show(v)),
            expected,
        );
    }

    fn deep_enough(&mut self, ptr: &str, depth: usize) -> bool {
        if depth <= MAX_DEPTH {
            return false;
        }
        if !self.too_deep_reported {
            self.too_deep_reported = true;
            self.push(
                Rule::NestingTooDeep,
                ptr,
                format!("objects are nested more than {MAX_DEPTH} levels deep here; the lint did not look further"),
                format!("at most {MAX_DEPTH} levels of nesting"),
            );
        }
        true
    }

    /// Checks a credential (the document root, or an embedded endorsement).
    pub(crate) fn credential(&mut self, v: &Value, ptr: &str, class: Class, depth: usize) {
        if self.deep_enough(ptr, depth) {
            return;
        }
        let Some(obj) = v.as_object() else {
            self.wrong_type(
                ptr,
                if ptr.is_empty() {
                    "the credential"
                } else {
                    ptr
                },
                v,
                &format!(
                    "{} {} object",
                    article(classes::name(class)),
                    classes::name(class)
                ),
            );
            return;
        };
        let version = self.context(obj, ptr);
        if let Some(outer) = self.vc {
            if outer != version {
                let name = |v: VcVersion| match v {
                    VcVersion::V1 => "VC Data Model 1.1",
                    VcVersion::V2 => "VC Data Model 2.0",
                };
                self.push(
                    Rule::ContextOrder,
                    index(&child(ptr, "@context"), 0),
                    format!(
                        "this embedded credential uses the {} while the credential that contains it uses the {}",
                        name(version),
                        name(outer)
                    ),
                    format!(
                        "the same VC version as the enclosing credential (first `@context` item \"{}\")",
                        match outer {
                            VcVersion::V1 => VC1_CONTEXT,
                            VcVersion::V2 => VC2_CONTEXT,
                        }
                    ),
                );
            }
        }
        let outer = self.vc.replace(version);
        self.walk_credential(obj, ptr, class, version, depth);
        self.vc = outer;
    }

    fn walk_credential(
        &mut self,
        obj: &Map<String, Value>,
        ptr: &str,
        class: Class,
        version: VcVersion,
        depth: usize,
    ) {
        let shape = classes::shape(class);
        let mut required: Vec<&str> = shape.required.to_vec();
        match (class, version) {
            (_, VcVersion::V2) => required.push("validFrom"),
            (Class::AchievementCredential, VcVersion::V1) => {
                required.extend(["name", "issuanceDate"]);
            }
            (_, VcVersion::V1) => required.push("issuanceDate"),
        }
        self.required(obj, ptr, &required);
        self.class_type(obj, ptr, class, shape.type_rule);
        for (field, val) in classes::credential_fields().iter().chain(shape.fields) {
            if let Some(fv) = obj.get(*field) {
                self.value(*val, fv, &child(ptr, field), field, depth);
            }
        }
    }

    /// Checks `@context`; returns the VC version it declares (2.0 unless the 1.1 context is there).
    fn context(&mut self, obj: &Map<String, Value>, ptr: &str) -> VcVersion {
        let cptr = child(ptr, "@context");
        let Some(ctx) = obj.get("@context") else {
            return VcVersion::V2; // reported by the `required` check
        };
        let expected = format!(
            "an array whose first item is \"{VC2_CONTEXT}\" (or, for VC 1.1, \"{VC1_CONTEXT}\") and whose second item is an OB 3.0 context such as \"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\""
        );
        let items: Vec<&Value> = match ctx {
            Value::Array(a) => a.iter().collect(),
            other => {
                self.push(
                    Rule::ContextOrder,
                    &cptr,
                    format!(
                        "`@context` is {} ({}), not an array",
                        kind_of(other),
                        show(other)
                    ),
                    expected,
                );
                let s = other.as_str().unwrap_or("");
                return if s == VC1_CONTEXT {
                    VcVersion::V1
                } else {
                    VcVersion::V2
                };
            }
        };
        for (i, item) in items.iter().enumerate().skip(2) {
            if !item.is_string() && !item.is_object() {
                self.wrong_type(
                    &index(&cptr, i),
                    "@context",
                    item,
                    "a context URL (string) or an inline context (object)",
                );
            }
        }
        let strs: Vec<Option<&str>> = items.iter().map(|v| v.as_str()).collect();
        let vc_at = strs
            .iter()
            .position(|s| matches!(s, Some(VC2_CONTEXT) | Some(VC1_CONTEXT)));
        let version = match vc_at.and_then(|i| strs[i]) {
            Some(VC1_CONTEXT) => VcVersion::V1,
            _ => VcVersion::V2,
        };
        match vc_at {
            Some(0) => {}
            Some(i) => self.push(
                Rule::ContextOrder,
                index(&cptr, 0),
                format!(
                    "the VC context \"{}\" is item {i} of `@context`; it must be the first item",
                    strs[i].unwrap_or_default()
                ),
                expected.clone(),
            ),
            None => self.push(
                Rule::ContextOrder,
                if items.is_empty() {
                    cptr.clone()
                } else {
                    index(&cptr, 0)
                },
                match items.first() {
                    Some(first) => format!(
                        "`@context` does not include the VC context; its first item is {}",
                        show(first)
                    ),
                    None => "`@context` is empty".to_string(),
                },
                expected.clone(),
            ),
        }
        let ob_at = strs.iter().position(|s| s.is_some_and(is_ob_context));
        // A CLR 2.0 ClrCredential puts the CLR context between the VC and OB contexts.
        let clr_second = strs
            .get(1)
            .copied()
            .flatten()
            .is_some_and(|s| s.starts_with("https://purl.imsglobal.org/spec/clr/v2p0/"));
        match ob_at {
            Some(1) => {}
            Some(2) if clr_second => {}
            // The OB context leads because the VC context is missing: the finding above says so,
            // and inserting the VC context first fixes both.
            Some(0) if vc_at.is_none() => {}
            Some(i) => {
                // When the VC context is missing, the OB context sits first: one finding (above)
                // says what is wrong; say here where the OB context must go.
                self.push(
                    Rule::ContextOrder,
                    if items.len() > 1 { index(&cptr, 1) } else { cptr.clone() },
                    format!(
                        "the OB 3.0 context \"{}\" is item {i} of `@context`; it must be the second item, right after the VC context",
                        strs[i].unwrap_or_default()
                    ),
                    expected.clone(),
                )
            }
            None => self.push(
                Rule::ContextOrder,
                if items.len() > 1 { index(&cptr, 1) } else { cptr.clone() },
                "`@context` does not include an OB 3.0 context (https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.x.json)",
                expected,
            ),
        }
        if version == VcVersion::V1 && self.vc.is_none() {
            self.push(
                Rule::LegacyVcVersion,
                index(&cptr, vc_at.unwrap_or(0)),
                format!("the credential uses the VC Data Model 1.1 context \"{VC1_CONTEXT}\" (issuanceDate/expirationDate); the 1EdTech validator accepts it with a warning"),
                format!("the VC Data Model 2.0 context \"{VC2_CONTEXT}\" with validFrom/validUntil"),
            );
        }
        version
    }

    fn required(&mut self, obj: &Map<String, Value>, ptr: &str, required: &[&str]) {
        for name in required {
            if !obj.contains_key(*name) {
                self.push(
                    Rule::MissingRequired,
                    child(ptr, name),
                    format!("required property `{name}` is missing"),
                    format!("the property `{name}`"),
                );
            }
        }
    }

    fn class_type(&mut self, obj: &Map<String, Value>, ptr: &str, class: Class, rule: TypeRule) {
        let Some(t) = obj.get("type") else {
            return; // reported by the `required` check when the class requires it
        };
        let tptr = child(ptr, "type");
        let cname = classes::name(class);
        match rule {
            TypeRule::Free => {}
            TypeRule::AnyString => {
                if !t.is_string() {
                    self.wrong_type(&tptr, "type", t, &format!("a string naming the {cname} type"));
                }
            }
            TypeRule::Exactly(want) => match t {
                Value::String(s) if s == want => {}
                Value::String(s) => self.push(
                    Rule::ClassType,
                    &tptr,
                    format!("{} {cname} has `type` \"{s}\"", article(cname)),
                    format!("the string \"{want}\""),
                ),
                other => self.push(
                    Rule::ClassType,
                    &tptr,
                    format!(
                        "{} {cname} has `type` {} ({}); the OB 3.0 schema allows only a plain string here",
                        article(cname),
                        kind_of(other),
                        show(other)
                    ),
                    format!("the string \"{want}\""),
                ),
            },
            TypeRule::Includes(groups) => {
                let names: Vec<&str> = match t {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(items) => {
                        let mut names = Vec::new();
                        for (i, item) in items.iter().enumerate() {
                            match item.as_str() {
                                Some(s) => names.push(s),
                                None => self.wrong_type(
                                    &index(&tptr, i),
                                    "type",
                                    item,
                                    "a string (a type name)",
                                ),
                            }
                        }
                        if items.is_empty() {
                            self.push(
                                Rule::ClassType,
                                &tptr,
                                format!("{} {cname} has an empty `type` array", article(cname)),
                                format!("a `type` that includes {}", describe_groups(groups)),
                            );
                            return;
                        }
                        names
                    }
                    other => {
                        self.wrong_type(
                            &tptr,
                            "type",
                            other,
                            &format!("an array of type names that includes {}", describe_groups(groups)),
                        );
                        return;
                    }
                };
                for group in groups {
                    if !names.iter().any(|n| group.contains(n)) {
                        self.push(
                            Rule::ClassType,
                            &tptr,
                            format!(
                                "the {cname} at {} has `type` {}, which does not include {}",
                                if ptr.is_empty() { "/" } else { ptr },
                                show(t),
                                quoted_list(group)
                            ),
                            format!("a `type` that includes {}", describe_groups(groups)),
                        );
                    }
                }
            }
        }
    }

    /// Checks one object of `class` (not a credential).
    fn object(&mut self, class: Class, v: &Value, ptr: &str, field: &str, depth: usize) {
        if self.deep_enough(ptr, depth) {
            return;
        }
        let cname = classes::name(class);
        let Some(obj) = v.as_object() else {
            self.wrong_type(ptr, field, v, &format!("{} {cname} object", article(cname)));
            return;
        };
        let shape = classes::shape(class);
        self.required(obj, ptr, shape.required);
        self.class_type(obj, ptr, class, shape.type_rule);
        // The VC 1.1 form of the OB schema (ob_v3p0_anyachievementcredential_schema.json) closes
        // the AchievementSubject too.
        let closed =
            shape.closed || (class == Class::AchievementSubject && self.vc == Some(VcVersion::V1));
        if closed {
            for key in obj.keys() {
                if key != "type" && !shape.fields.iter().any(|(f, _)| f == key) {
                    let allowed: Vec<&str> = shape.fields.iter().map(|(f, _)| *f).collect();
                    self.push(
                        Rule::UnexpectedProperty,
                        child(ptr, key),
                        format!("{} {cname} has a property `{key}`, which the OB 3.0 schema does not allow on this class", article(cname)),
                        format!("only {}", allowed.join(", ")),
                    );
                }
            }
        }
        if class == Class::AchievementSubject
            && !obj.contains_key("id")
            && !obj.contains_key("identifier")
        {
            self.push(
                Rule::SubjectWithoutId,
                ptr,
                "the credential subject has neither `id` nor `identifier`, so nothing identifies the learner",
                "an `id` (e.g. a DID) or at least one `identifier` (IdentityObject)",
            );
        }
        for (name, val) in shape.fields {
            if *name == "type" {
                continue;
            }
            if let Some(fv) = obj.get(*name) {
                self.value(*val, fv, &child(ptr, name), name, depth);
            }
        }
    }

    fn value(&mut self, val: Val, v: &Value, ptr: &str, field: &str, depth: usize) {
        match val {
            Val::Text => self.text(v, ptr, field),
            Val::ManyText => match v {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.text(item, &index(ptr, i), field);
                    }
                }
                other => self.text(other, ptr, field),
            },
            Val::DateTime => match v {
                Value::String(s) => {
                    if let Some(problem) = datetime::date_time_problem(s) {
                        self.push(
                            Rule::DateTime,
                            ptr,
                            format!("`{field}` is \"{s}\", which {problem}"),
                            "an RFC 3339 date-time with a timezone, e.g. \"2024-03-01T09:00:00Z\"",
                        );
                    }
                }
                other => self.wrong_type(ptr, field, other, "an RFC 3339 date-time string"),
            },
            Val::Date => match v {
                Value::String(s) => {
                    if let Some(problem) = datetime::full_date_problem(s) {
                        self.push(
                            Rule::DateTime,
                            ptr,
                            format!("`{field}` is \"{s}\", which {problem}"),
                            "an RFC 3339 full-date, e.g. \"1990-02-28\"",
                        );
                    }
                }
                other => self.wrong_type(ptr, field, other, "an RFC 3339 full-date string"),
            },
            Val::Number => {
                if !v.is_number() {
                    self.wrong_type(ptr, field, v, "a JSON number");
                }
            }
            Val::Bool => {
                if !v.is_boolean() {
                    self.wrong_type(ptr, field, v, "true or false");
                }
            }
            Val::Enum { values, ext } => match v {
                Value::String(s) if values.contains(&s.as_str()) => {}
                Value::String(s) if ext && is_ext(s) => {}
                Value::String(s) => {
                    let mut expected = format!("one of {}", values.join(", "));
                    if ext {
                        expected.push_str(", or an extension value starting with `ext:`");
                    }
                    let hint = if ext && !s.starts_with("ext:") {
                        " (extension values must start with `ext:`)"
                    } else {
                        ""
                    };
                    self.push(
                        Rule::UnknownEnumValue,
                        ptr,
                        format!("`{field}` is \"{s}\", which is not a value of the enumeration{hint}"),
                        expected,
                    );
                }
                other => self.wrong_type(ptr, field, other, "a string from the enumeration"),
            },
            Val::Language => match v {
                Value::String(s) if is_language_code(s) => {}
                Value::String(s) => self.push(
                    Rule::WrongValueType,
                    ptr,
                    format!("`{field}` is \"{s}\", which is not a BCP 47 language code of the form the OB schema accepts"),
                    "a language code such as \"en\", \"en-US\" or \"zh-Hant-TW\"",
                ),
                other => self.wrong_type(ptr, field, other, "a BCP 47 language code string"),
            },
            Val::ManyJws => {
                let check = |w: &mut Walker, item: &Value, p: &str| match item {
                    Value::String(s) if is_compact_jws(s) => {}
                    other => w.wrong_type(p, field, other, "a compact JWS (header.payload.signature)"),
                };
                match v {
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            check(self, item, &index(ptr, i));
                        }
                    }
                    other => check(self, other, ptr),
                }
            }
            Val::One(class) => self.object(class, v, ptr, field, depth + 1),
            Val::Many(class) => match v {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.object(class, item, &index(ptr, i), field, depth + 1);
                    }
                }
                other => self.object(class, other, ptr, field, depth + 1),
            },
            Val::Image => match v {
                Value::String(s) => self.push(
                    Rule::ImageNotObject,
                    ptr,
                    format!("`{field}` is the bare string \"{s}\""),
                    format!("an Image object: {{\"id\": \"{s}\", \"type\": \"Image\"}}"),
                ),
                other => self.object(Class::Image, other, ptr, field, depth + 1),
            },
            Val::ProfileRef => match v {
                // The VC 1.1 form of the OB schema requires an embedded Profile.
                Value::String(s) if self.vc == Some(VcVersion::V1) => self.push(
                    Rule::WrongValueType,
                    ptr,
                    format!("`{field}` is the URL \"{s}\"; in a VC 1.1 credential the OB 3.0 schema requires the issuer's Profile object"),
                    format!("a Profile object: {{\"id\": \"{s}\", \"type\": [\"Profile\"]}}"),
                ),
                Value::String(_) => {}
                other => self.object(Class::Profile, other, ptr, field, depth + 1),
            },
            Val::ManyEndorsement => match v {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.credential(item, &index(ptr, i), Class::EndorsementCredential, depth + 1);
                    }
                }
                other => self.credential(other, ptr, Class::EndorsementCredential, depth + 1),
            },
        }
    }

    fn text(&mut self, v: &Value, ptr: &str, field: &str) {
        match v {
            Value::String(_) => {}
            Value::Object(m) if is_language_map(m) => {
                let lang = m.keys().next().map(String::as_str).unwrap_or("en");
                self.push(
                    Rule::LanguageMap,
                    ptr,
                    format!(
                        "`{field}` is a language map ({}); the OB 3.0 JSON-LD context defines no `@container: @language` for `{field}`, so JSON-LD reads `{lang}` as an undefined property and drops it: the JSON Schema accepts this, but the credential cannot be signed with a Data Integrity proof",
                        show(v)
                    ),
                    "a plain string",
                );
            }
            v if is_language_tagged(v) => self.push(
                Rule::LanguageTagged,
                ptr,
                format!(
                    "`{field}` is language-tagged text ({}), which VC Data Model 2.0 §11.1 allows and the signature covers, but the official OB 3.0 JSON Schema refuses: a credential that names that schema fails it",
                    show(v)
                ),
                "a plain string, for credentials that name the OB 3.0 JSON Schema",
            ),
            other => self.wrong_type(ptr, field, other, "a string"),
        }
    }
}

/// `{"@value": "…", "@language": "…"}` (optionally `@direction`), or a non-empty list of them.
fn is_language_tagged(v: &Value) -> bool {
    let one = |x: &Value| {
        x.as_object().is_some_and(|m| {
            m.get("@value").is_some_and(Value::is_string)
                && m.keys()
                    .all(|k| matches!(k.as_str(), "@value" | "@language" | "@direction"))
        })
    };
    match v {
        Value::Array(a) => !a.is_empty() && a.iter().all(one),
        other => one(other),
    }
}

/// "a" or "an" before a class name.
fn article(name: &str) -> &'static str {
    if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

fn describe_groups(groups: &[&[&str]]) -> String {
    groups
        .iter()
        .map(|g| quoted_list(g))
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(is_ob_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ));
        assert!(is_ob_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
        ));
        assert!(!is_ob_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.json"
        ));
        assert!(!is_ob_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
        ));
        assert!(is_language_code("en"));
        assert!(is_language_code("zh-Hant-TW"));
        assert!(is_language_code("es-419"));
        assert!(!is_language_code("EN"));
        assert!(!is_language_code("en_US"));
        assert!(is_compact_jws("a.b.c") && is_compact_jws("a..c"));
        assert!(!is_compact_jws("a.b") && !is_compact_jws(".b.c"));
        assert!(is_ext("ext:MyType") && is_ext("ext:my-type") && is_ext("ext:_x"));
        assert!(!is_ext("ext:") && !is_ext("MyType") && !is_ext("ext:-x"));
        assert!(is_language_key("en") && is_language_key("en-US") && !is_language_key("@value"));
    }
}
