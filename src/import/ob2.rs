//! Open Badges 2.0 assertions, converted to the OB 3.0 model as the OB 3.0 specification's
//! migration guidance suggests: the BadgeClass becomes the `Achievement`, the issuer `Profile`
//! stays, the recipient becomes an `IdentityObject`, `issuedOn`/`expires` become
//! `validFrom`/`validUntil`, and the original assertion is kept as `evidence`.
//!
//! The result carries no proof: an OB 2.0 assertion is verified by hosting or a JWS over the 2.0
//! document, which says nothing about the converted 3.0 document. Callers must treat it as
//! **not verifiable as 3.0** ([`crate::import::Imported::verifiable`] is false).

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};

/// The OB 2.0 context URL.
pub const OB2_CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// Whether `doc` is an OB 2.0 assertion (context `https://w3id.org/openbadges/v2`, type `Assertion`).
pub fn is_ob2_assertion(doc: &Value) -> bool {
    let ctx_ok = match doc.get("@context") {
        Some(Value::String(s)) => s == OB2_CONTEXT,
        Some(Value::Array(a)) => a.iter().any(|c| c.as_str() == Some(OB2_CONTEXT)),
        _ => false,
    };
    let type_ok = match doc.get("type") {
        Some(Value::String(s)) => s == "Assertion",
        Some(Value::Array(a)) => a.iter().any(|t| t.as_str() == Some("Assertion")),
        _ => false,
    };
    ctx_ok && type_ok
}

/// Converts an OB 2.0 assertion with an embedded BadgeClass (and issuer) to an unsigned OB 3.0
/// `OpenBadgeCredential`. A BadgeClass or issuer given only by URL is kept as the achievement /
/// issuer id (we do not fetch it).
///
/// # Example
/// ```
/// let ob2 = serde_json::json!({
///   "@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
///   "id": "https://district.example/assertions/1",
///   "recipient": {"type": "email", "hashed": false, "identity": "jane@district.example"},
///   "issuedOn": "2019-05-01T00:00:00Z",
///   "verification": {"type": "hosted"},
///   "badge": {"type": "BadgeClass", "id": "https://district.example/badges/growth-mindset",
///             "name": "Growth Mindset", "description": "…", "criteria": {"narrative": "…"},
///             "image": "https://district.example/badges/gm.png",
///             "issuer": {"type": "Profile", "id": "https://district.example", "name": "District"}}
/// });
/// let ob3 = openbadges::import::ob2::convert(&ob2)?;
/// assert_eq!(ob3["credentialSubject"]["achievement"]["name"], "Growth Mindset");
/// assert_eq!(ob3["validFrom"], "2019-05-01T00:00:00Z");
/// # Ok::<(), openbadges::Error>(())
/// ```
pub fn convert(assertion: &Value) -> Result<Value> {
    if !is_ob2_assertion(assertion) {
        return Err(Error::model(
            "not an Open Badges 2.0 assertion (expected @context https://w3id.org/openbadges/v2 and type Assertion)",
        ));
    }
    let badge = assertion
        .get("badge")
        .ok_or_else(|| Error::model("the OB 2.0 assertion has no `badge`").at("/badge"))?;
    let badge_obj = match badge {
        Value::Object(o) => o.clone(),
        Value::String(id) => {
            let mut m = Map::new();
            m.insert("id".into(), Value::String(id.clone()));
            m
        }
        _ => return Err(Error::model("`badge` must be a BadgeClass or its URL").at("/badge")),
    };
    let issuer = match badge_obj.get("issuer") {
        Some(Value::Object(o)) => {
            let mut p = Map::new();
            for k in ["id", "name", "url", "email", "description", "telephone"] {
                if let Some(v) = o.get(k) {
                    p.insert(k.into(), v.clone());
                }
            }
            p.insert("type".into(), json!(["Profile"]));
            if let Some(img) = o.get("image") {
                p.insert("image".into(), image(img));
            }
            Value::Object(p)
        }
        Some(Value::String(id)) => json!({"id": id, "type": ["Profile"]}),
        _ => {
            return Err(Error::model("the BadgeClass has no `issuer`").at("/badge/issuer"));
        }
    };

    let mut achievement = Map::new();
    if let Some(id) = badge_obj.get("id") {
        achievement.insert("id".into(), id.clone());
    }
    achievement.insert("type".into(), json!(["Achievement"]));
    for k in ["name", "description"] {
        if let Some(v) = badge_obj.get(k) {
            achievement.insert(k.into(), v.clone());
        }
    }
    let criteria = match badge_obj.get("criteria") {
        Some(Value::String(url)) => json!({"id": url}),
        Some(Value::Object(o)) => {
            let mut c = Map::new();
            for k in ["id", "narrative"] {
                if let Some(v) = o.get(k) {
                    c.insert(k.into(), v.clone());
                }
            }
            Value::Object(c)
        }
        _ => json!({"narrative": "Converted from an Open Badges 2.0 BadgeClass without criteria."}),
    };
    achievement.insert("criteria".into(), criteria);
    if let Some(img) = badge_obj.get("image") {
        achievement.insert("image".into(), image(img));
    }
    if let Some(Value::Array(al)) = badge_obj.get("alignment") {
        let aligned: Vec<Value> = al
            .iter()
            .filter_map(Value::as_object)
            .map(|a| {
                let mut m = Map::new();
                m.insert("type".into(), json!(["Alignment"]));
                for k in [
                    "targetName",
                    "targetUrl",
                    "targetDescription",
                    "targetFramework",
                    "targetCode",
                ] {
                    if let Some(v) = a.get(k) {
                        m.insert(k.into(), v.clone());
                    }
                }
                Value::Object(m)
            })
            .collect();
        if !aligned.is_empty() {
            achievement.insert("alignment".into(), Value::Array(aligned));
        }
    }
    if let Some(tags) = badge_obj.get("tags") {
        achievement.insert("tag".into(), tags.clone());
    }

    let mut subject = Map::new();
    subject.insert("type".into(), json!(["AchievementSubject"]));
    if let Some(r) = assertion.get("recipient").and_then(Value::as_object) {
        let kind = r.get("type").and_then(Value::as_str).unwrap_or("email");
        let identity_type = match kind {
            "email" => "emailAddress",
            "url" => "url",
            "telephone" => "phone",
            _ => "ext:ob2-identity",
        };
        let mut ident = Map::new();
        ident.insert("type".into(), json!("IdentityObject"));
        ident.insert("identityType".into(), json!(identity_type));
        ident.insert(
            "hashed".into(),
            json!(r.get("hashed").and_then(Value::as_bool).unwrap_or(false)),
        );
        if let Some(i) = r.get("identity") {
            ident.insert("identityHash".into(), i.clone());
        }
        if let Some(s) = r.get("salt") {
            ident.insert("salt".into(), s.clone());
        }
        subject.insert("identifier".into(), json!([Value::Object(ident)]));
    }
    subject.insert("achievement".into(), Value::Object(achievement));
    if let Some(n) = assertion.get("narrative") {
        subject.insert("narrative".into(), n.clone());
    }

    let mut out = Map::new();
    out.insert(
        "@context".into(),
        json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ]),
    );
    if let Some(id) = assertion.get("id") {
        out.insert("id".into(), id.clone());
    }
    out.insert(
        "type".into(),
        json!(["VerifiableCredential", "OpenBadgeCredential"]),
    );
    if let Some(n) = badge_obj.get("name") {
        out.insert("name".into(), n.clone());
    }
    out.insert("issuer".into(), issuer);
    if let Some(d) = assertion.get("issuedOn") {
        out.insert("validFrom".into(), d.clone());
    }
    if let Some(d) = assertion.get("expires") {
        out.insert("validUntil".into(), d.clone());
    }
    out.insert("credentialSubject".into(), Value::Object(subject));
    let mut evidence: Vec<Value> = match assertion.get("evidence") {
        Some(Value::Array(a)) => a.iter().map(evidence_item).collect(),
        Some(v) => vec![evidence_item(v)],
        None => vec![],
    };
    evidence.push(json!({
        "type": ["Evidence"],
        "name": "Original Open Badges 2.0 assertion",
        "description": "This credential was converted from an Open Badges 2.0 assertion; it is not verifiable as an Open Badges 3.0 credential. The original assertion follows as JSON.",
        "narrative": serde_json::to_string(assertion).unwrap_or_default(),
    }));
    out.insert("evidence".into(), Value::Array(evidence));
    Ok(Value::Object(out))
}

fn image(img: &Value) -> Value {
    match img {
        Value::String(s) => json!({"id": s, "type": "Image"}),
        Value::Object(o) => {
            let mut m = o.clone();
            m.insert("type".into(), json!("Image"));
            Value::Object(m)
        }
        other => other.clone(),
    }
}

fn evidence_item(v: &Value) -> Value {
    match v {
        Value::String(url) => json!({"id": url, "type": ["Evidence"]}),
        Value::Object(o) => {
            let mut m = Map::new();
            m.insert("type".into(), json!(["Evidence"]));
            for k in [
                "id",
                "narrative",
                "name",
                "description",
                "genre",
                "audience",
            ] {
                if let Some(x) = o.get(k) {
                    m.insert(k.into(), x.clone());
                }
            }
            Value::Object(m)
        }
        other => other.clone(),
    }
}
