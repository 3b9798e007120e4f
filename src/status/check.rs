//! The verifier's side: read a credential's `credentialStatus` entries, fetch each list through
//! the resolution hook, have the caller verify the list credential, and read the bit(s).

use serde_json::Value;

use super::bitstring::Bitstring;
use crate::resolve::{fetch_json, Resolver, ResourceKind};
use crate::verify::{problem_types as pt, Check, Outcome};

const ID: &str = "status";

/// What the caller's list-credential verifier found wrong, if anything (a failed proof, another
/// issuer, outside its validity window).
pub type ListVerdict = Result<(), String>;

/// Runs the `status` check. `verify_list(list, issuer)` must verify the status list credential
/// (its proof and validity window) and that its issuer is `issuer`. `unknown_is_warning` downgrades
/// an unreachable or unverifiable list from blocking to a warning (a `danger` relaxation).
pub(crate) fn status_check(
    doc: &Value,
    resolver: &dyn Resolver,
    verify_list: &dyn Fn(&Value, &str) -> ListVerdict,
    unknown_is_warning: bool,
) -> Check {
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
    let issuer = match doc.get("issuer") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    };
    let credential_id = doc.get("id").and_then(Value::as_str);
    let mut notes = Vec::new();
    let mut relaxed: Option<Check> = None;
    for (ptr, entry) in entries {
        let ty = entry.get("type").and_then(Value::as_str).unwrap_or("");
        let check = match ty {
            "BitstringStatusListEntry" | "StatusList2021Entry" => {
                bitstring_entry(entry, &ptr, &issuer, resolver, verify_list)
            }
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
    match relaxed {
        Some(c) => c.note(notes.join("; ")),
        None => Check::passed(ID).note(notes.join("; ")),
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
) -> Result<String, Check> {
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
    verify_list(&list, issuer).map_err(|why| {
        indeterminate(
            pt::STATUS_VERIFICATION_ERROR,
            "Status list not verified",
            format!("the status list credential at {url} did not verify: {why}"),
            ptr,
        )
    })?;
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
    let bits = Bitstring::decode(encoded, status_size).map_err(|e| {
        let kind = if e.message().contains("STATUS_LIST_LENGTH_ERROR") {
            pt::STATUS_LIST_LENGTH_ERROR
        } else {
            pt::STATUS_VERIFICATION_ERROR
        };
        indeterminate(kind, "Unreadable status list", e.to_string(), ptr)
    })?;
    let value = bits.get(index).map_err(|e| {
        Check::failed(
            ID,
            pt::RANGE_ERROR,
            "Status index out of range",
            e.to_string(),
            Some(&index_ptr),
        )
    })?;
    match (purpose, value) {
        (_, 0) => Ok(format!("{purpose}: not set (index {index} of {url})")),
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
