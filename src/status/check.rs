//! The verifier's side: read a credential's `credentialStatus` entries, fetch each list through
//! the resolution hook, have the caller verify the list credential, and read the bit(s).

use serde_json::Value;

use super::bitstring::Bitstring;
use crate::check::{problem_types as pt, Check, CheckId, Outcome};
use crate::resolve::{fetch_json, Resolver, ResourceKind};

const ID: CheckId = CheckId::Status;

/// What the caller's list-credential verifier found: `Ok(note)` (e.g. who signed the list, when
/// not the credential's issuer) or what is wrong (a failed proof, outside its validity window).
pub type ListVerdict = Result<String, String>;

/// How the `status` check runs.
pub(crate) struct StatusPolicy<'a> {
    /// Fetches the lists.
    pub resolver: &'a dyn Resolver,
    /// `verify_list(list, credential_issuer)` verifies the status list credential: its proof by a
    /// key its own issuer controls (Bitstring Status List: that issuer MAY differ from the
    /// credential's), its form, and its validity window.
    pub verify_list: &'a dyn Fn(&Value, &str) -> ListVerdict,
    /// An unreachable or unverifiable list is a warning instead of blocking (a `danger` relaxation).
    pub unknown_is_warning: bool,
    /// A list shorter than the minimum is an error (STATUS_LIST_LENGTH_ERROR) instead of a warning.
    pub strict: bool,
}

/// Runs the `status` check.
pub(crate) fn status_check(doc: &Value, policy: &StatusPolicy<'_>) -> Check {
    let (resolver, verify_list, unknown_is_warning) = (
        policy.resolver,
        policy.verify_list,
        policy.unknown_is_warning,
    );
    let entries: Vec<(String, &Value)> = match doc.get("credentialStatus") {
        None | Some(Value::Null) => {
            return Check::skipped(ID, "the credential has no credentialStatus");
        }
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("/credentialStatus/{i}"), v))
            .collect(),
        Some(v) => vec![("/credentialStatus".to_string(), v)],
    };
    let issuer = crate::vocab::issuer_id(doc).unwrap_or("").to_string();
    let credential_id = doc.get("id").and_then(Value::as_str);
    let mut notes = Vec::new();
    let mut relaxed: Option<Check> = None;
    let mut short_lists = Vec::new();
    for (ptr, entry) in entries {
        let ty = entry.get("type").and_then(Value::as_str).unwrap_or("");
        let check = match ty {
            "BitstringStatusListEntry" | "StatusList2021Entry" => bitstring_entry(
                entry,
                &ptr,
                &issuer,
                resolver,
                verify_list,
                policy.strict,
                &mut short_lists,
            ),
            "1EdTechRevocationList" => revocation_list(entry, &ptr, credential_id, resolver),
            other => Err(Check::failed(
                ID,
                pt::MALFORMED_VALUE_ERROR,
                "Unknown status method",
                format!("credentialStatus type `{other}` is not supported (expected BitstringStatusListEntry, StatusList2021Entry or 1EdTechRevocationList)"),
                Some(&format!("{ptr}/type")),
            )),
        };
        match check {
            Ok(note) => notes.push(note),
            Err(mut c) => {
                if c.outcome == Outcome::Indeterminate && unknown_is_warning {
                    c.outcome = Outcome::Warning;
                    c.fatal = false;
                    relaxed.get_or_insert(c);
                    continue;
                }
                return c;
            }
        }
    }
    match (relaxed, short_lists.first()) {
        (Some(c), _) => c.note(notes.join("; ")),
        (None, Some((ptr, detail))) => Check::warning(
            ID,
            pt::STATUS_LIST_LENGTH_ERROR,
            "Short status list",
            format!("{detail}; the status was read ({})", notes.join("; ")),
            Some(ptr),
        ),
        (None, None) => Check::passed(ID).note(notes.join("; ")),
    }
}

fn indeterminate(kind: &str, title: &str, detail: String, ptr: &str) -> Check {
    Check::with_problem(
        ID,
        Outcome::Indeterminate,
        true,
        kind,
        title,
        detail,
        Some(ptr),
    )
}

// A failing Check is the error; these run once per credential, so its size is no concern.
#[allow(clippy::result_large_err)]
fn bitstring_entry(
    entry: &Value,
    ptr: &str,
    issuer: &str,
    resolver: &dyn Resolver,
    verify_list: &dyn Fn(&Value, &str) -> ListVerdict,
    strict: bool,
    short_lists: &mut Vec<(String, String)>,
) -> Result<String, Check> {
    let entry_type = entry.get("type").and_then(Value::as_str).unwrap_or("");
    let purpose = entry
        .get("statusPurpose")
        .and_then(Value::as_str)
        .unwrap_or("");
    let url = entry
        .get("statusListCredential")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Check::failed(
                ID,
                pt::MALFORMED_VALUE_ERROR,
                "Missing statusListCredential",
                "the status entry has no statusListCredential URL",
                Some(&format!("{ptr}/statusListCredential")),
            )
        })?;
    let index_ptr = format!("{ptr}/statusListIndex");
    let malformed = |found: &Value| {
        Check::failed(
            ID,
            pt::MALFORMED_VALUE_ERROR,
            "Malformed statusListIndex",
            format!("statusListIndex must be a non-negative base-10 integer string; found {found}"),
            Some(&index_ptr),
        )
    };
    let index: usize = match entry.get("statusListIndex") {
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse()
            .map_err(|_| malformed(&Value::String(s.clone())))?,
        // 1EdTech's own fixture writes the index as a JSON number; read it, as their validator does.
        Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64().unwrap_or(0) as usize,
        Some(other) => return Err(malformed(other)),
        None => return Err(malformed(&Value::Null)),
    };
    let status_size = match entry.get("statusSize") {
        None => 1u8,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=8) => n as u8,
            _ => {
                return Err(Check::failed(
                    ID,
                    pt::MALFORMED_VALUE_ERROR,
                    "Malformed statusSize",
                    format!("statusSize must be 1 to 8; found {v}"),
                    Some(&format!("{ptr}/statusSize")),
                ))
            }
        },
    };
    let list = fetch_json(resolver, url, ResourceKind::StatusList).map_err(|e| {
        indeterminate(
            pt::STATUS_RETRIEVAL_ERROR,
            "Status list not retrieved",
            format!("could not retrieve the status list: {e}"),
            ptr,
        )
    })?;
    let not_verified = |why: String| {
        indeterminate(
            pt::STATUS_VERIFICATION_ERROR,
            "Status list not verified",
            format!("the status list credential at {url} did not verify: {why}"),
            ptr,
        )
    };
    // The list must be the one named, of the kind the entry names: another list of the same
    // issuer (a `/status/2` served for `/status/1`) would read someone else's bit.
    let list_id = list.get("id").and_then(Value::as_str).unwrap_or("");
    let mut mirrored = None;
    if !crate::vocab::same_identity(list_id, url) {
        // Another list of the same origin (the issuer's `/status/2` served for `/status/1`) is
        // a mix-up or an attack: refused. A copy published at another origin (a mirror, as in
        // DCC's test fixtures, whose lists say they live at testing.dcconsortium.org) is read,
        // and the report names both; strict verification refuses it too.
        if strict || origin(list_id) == origin(url) || origin(list_id).is_none() {
            return Err(not_verified(format!(
                "its id is `{list_id}`, not the URL the credential names (`{url}`)"
            )));
        }
        mirrored = Some(format!(
            "the list fetched from {url} says it is `{list_id}` (a copy)"
        ));
    }
    let (want_type, want_subject) = match entry_type {
        "StatusList2021Entry" => ("StatusList2021Credential", "StatusList2021"),
        _ => ("BitstringStatusListCredential", "BitstringStatusList"),
    };
    let has = |v: Option<&Value>, t: &str| match v {
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(t)),
        Some(Value::String(s)) => s == t,
        _ => false,
    };
    if !has(list.get("type"), want_type) {
        return Err(not_verified(format!(
            "its type is {}, not `{want_type}`",
            list.get("type").map_or("missing".into(), |t| t.to_string())
        )));
    }
    if !has(list.pointer("/credentialSubject/type"), want_subject) {
        return Err(not_verified(format!(
            "its credentialSubject type is not `{want_subject}`"
        )));
    }
    let mut signed = verify_list(&list, issuer).map_err(not_verified)?;
    if let Some(m) = mirrored {
        signed = if signed.is_empty() {
            m
        } else {
            format!("{signed}; {m}")
        };
    }
    let subject = list
        .get("credentialSubject")
        .cloned()
        .unwrap_or(Value::Null);
    let purposes: Vec<&str> = match subject.get("statusPurpose") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !purposes.contains(&purpose) {
        return Err(indeterminate(
            pt::STATUS_VERIFICATION_ERROR,
            "Status purpose mismatch",
            format!("the entry's statusPurpose `{purpose}` is not among the list's purposes {purposes:?}"),
            ptr,
        ));
    }
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .unwrap_or("");
    let (bits, short) = Bitstring::decode_any_length(encoded, status_size).map_err(|e| {
        indeterminate(
            pt::STATUS_VERIFICATION_ERROR,
            "Unreadable status list",
            e.to_string(),
            ptr,
        )
    })?;
    if short {
        let detail = format!(
            "the status list at {url} has {} entries, fewer than the {} the Bitstring Status List specification requires (STATUS_LIST_LENGTH_ERROR), which weakens the holders' herd privacy",
            bits.len(),
            super::MIN_BITS / status_size as usize
        );
        if strict {
            return Err(indeterminate(
                pt::STATUS_LIST_LENGTH_ERROR,
                "Status list too short",
                detail,
                ptr,
            ));
        }
        short_lists.push((ptr.to_string(), detail));
    }
    let value = bits.get(index).map_err(|e| {
        Check::failed(
            ID,
            pt::RANGE_ERROR,
            "Status index out of range",
            e.to_string(),
            Some(&index_ptr),
        )
    })?;
    let signed = if signed.is_empty() {
        String::new()
    } else {
        format!("; {signed}")
    };
    match (purpose, value) {
        (_, 0) => Ok(format!(
            "{purpose}: not set (index {index} of {url}{signed})"
        )),
        ("revocation", _) => Err(Check::failed(
            ID,
            pt::REVOKED,
            "Revoked",
            format!("the issuer has revoked this credential (index {index} of {url})"),
            Some(ptr),
        )),
        ("suspension", _) => Err(Check::failed(
            ID,
            pt::REVOKED,
            "Suspended",
            format!("the issuer has suspended this credential (index {index} of {url})"),
            Some(ptr),
        )),
        (other, v) => Ok(format!(
            "{other}: status value {v:#x} (index {index} of {url})"
        )),
    }
}

// A failing Check is the error; these run once per credential, so its size is no concern.
#[allow(clippy::result_large_err)]
fn revocation_list(
    entry: &Value,
    ptr: &str,
    credential_id: Option<&str>,
    resolver: &dyn Resolver,
) -> Result<String, Check> {
    let url = entry.get("id").and_then(Value::as_str).ok_or_else(|| {
        Check::failed(
            ID,
            pt::MALFORMED_VALUE_ERROR,
            "Missing revocation list URL",
            "a 1EdTechRevocationList entry needs the list URL in `id`",
            Some(&format!("{ptr}/id")),
        )
    })?;
    let Some(credential_id) = credential_id else {
        return Err(Check::failed(
            ID,
            pt::MALFORMED_VALUE_ERROR,
            "Credential without id",
            "a 1EdTechRevocationList names credentials by id, and this credential has none",
            Some("/id"),
        ));
    };
    let list = fetch_json(resolver, url, ResourceKind::StatusList).map_err(|e| {
        indeterminate(
            pt::STATUS_RETRIEVAL_ERROR,
            "Revocation list not retrieved",
            format!("could not retrieve the revocation list: {e}"),
            ptr,
        )
    })?;
    // 1EdTech writes `revokedCredentials`; some issuers write `revokedCredential`. Read both.
    let items = ["revokedCredentials", "revokedCredential"]
        .iter()
        .filter_map(|k| list.get(*k))
        .flat_map(|v| match v {
            Value::Array(a) => a.iter().collect::<Vec<_>>(),
            other => vec![other],
        });
    for item in items {
        let (id, revoked) = match item {
            Value::String(s) => (Some(s.as_str()), true),
            Value::Object(o) => (
                o.get("id").and_then(Value::as_str),
                o.get("revoked").and_then(Value::as_bool).unwrap_or(true),
            ),
            _ => (None, false),
        };
        if id == Some(credential_id) && revoked {
            let reason = item
                .get("revocationReason")
                .and_then(Value::as_str)
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            return Err(Check::failed(
                ID,
                pt::REVOKED,
                "Revoked",
                format!("the issuer's revocation list {url} lists this credential{reason}"),
                Some(ptr),
            ));
        }
    }
    Ok(format!("not on the revocation list {url}"))
}

/// `scheme://host[:port]` of a URL, lower-cased; `None` if it is not one.
fn origin(url: &str) -> Option<String> {
    let n = crate::vocab::normalize_identity(url);
    let (scheme, rest) = n.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}
