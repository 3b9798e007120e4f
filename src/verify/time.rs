//! Dates and the validity window: `validFrom`/`validUntil` (VC 2.0), `issuanceDate`/`expirationDate`
//! (VC 1.1), judged against an injectable clock with a documented clock skew.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use crate::check::{problem_types as pt, Check, CheckId, Outcome};

/// How a timestamp was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Zone {
    /// With `Z` or a numeric offset: an `xsd:dateTimeStamp`.
    Explicit,
    /// Without an offset: read as UTC.
    Missing,
}

/// Parses an `xsd:dateTime`; without an offset the value is read as UTC (VERIFIER-CHECKLIST 33).
pub(crate) fn parse_datetime(s: &str) -> Option<(DateTime<Utc>, Zone)> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some((dt.with_timezone(&Utc), Zone::Explicit));
    }
    // RFC 3339 requires the `T`; xsd:dateTime too. Accept only that shape without an offset.
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| (n.and_utc(), Zone::Missing))
}

/// Reads a date member of `doc` at `pointer`: `Ok(None)` if absent, `Err(check)` if malformed.
// A failing Check is the error; these run once per credential, so its size is no concern.
#[allow(clippy::result_large_err)]
pub(crate) fn read_date(
    doc: &Value,
    pointer: &str,
    check_id: CheckId,
) -> Result<Option<(DateTime<Utc>, Zone)>, Check> {
    match doc.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_datetime(s).map(Some).ok_or_else(|| {
            Check::failed(
                check_id,
                pt::MALFORMED_VALUE_ERROR,
                "Malformed date",
                format!("`{s}` is not a date-time (expected e.g. 2024-03-01T09:00:00Z)"),
                Some(pointer),
            )
        }),
        Some(other) => Err(Check::failed(
            check_id,
            pt::MALFORMED_VALUE_ERROR,
            "Malformed date",
            format!("expected a date-time string, found {other}"),
            Some(pointer),
        )),
    }
}

/// The `validity-window` check: every date the credential carries is judged — VC 2.0's
/// `validFrom` / `validUntil` and VC 1.1's `issuanceDate` / `expirationDate` (a document with both
/// must satisfy both) — plus, for a VC-JWT, its `nbf` / `exp` (`jwt_window`, seconds).
pub(crate) fn validity_window(
    doc: &Value,
    now: DateTime<Utc>,
    skew: chrono::Duration,
    accept_expired: bool,
) -> Check {
    window(doc, now, skew, accept_expired, (None, None))
}

/// [`validity_window`] with a VC-JWT's `nbf` and `exp` (NumericDates, seconds since the epoch).
pub(crate) fn window(
    doc: &Value,
    now: DateTime<Utc>,
    skew: chrono::Duration,
    accept_expired: bool,
    jwt_window: (Option<f64>, Option<f64>),
) -> Check {
    const ID: CheckId = CheckId::ValidityWindow;
    let mut froms = Vec::new();
    let mut untils = Vec::new();
    for (ptr, is_from) in [
        ("/validFrom", true),
        ("/issuanceDate", true),
        ("/validUntil", false),
        ("/expirationDate", false),
    ] {
        match read_date(doc, ptr, ID) {
            Ok(Some(d)) if is_from => froms.push((ptr.to_string(), d)),
            Ok(Some(d)) => untils.push((ptr.to_string(), d)),
            Ok(None) => {}
            Err(c) => return c,
        }
    }
    let numeric = |t: f64| DateTime::<Utc>::from_timestamp_millis((t * 1000.0).floor() as i64);
    if let Some(nbf) = jwt_window.0.and_then(numeric) {
        froms.push(("the token's nbf".into(), (nbf, Zone::Explicit)));
    }
    if let Some(exp) = jwt_window.1.and_then(numeric) {
        untils.push(("the token's exp".into(), (exp, Zone::Explicit)));
    }
    let name = |p: &str| p.trim_start_matches('/').to_string();
    for (fp, (f, _)) in &froms {
        for (up, (u, _)) in &untils {
            if f > u {
                return Check::failed(
                    ID,
                    pt::MALFORMED_VALUE_ERROR,
                    "Inverted validity window",
                    format!("{} ({f}) is later than {} ({u})", name(fp), name(up)),
                    Some(fp.as_str()).filter(|p| p.starts_with('/')),
                );
            }
        }
    }
    for (fp, (f, _)) in &froms {
        if *f > now + skew {
            return Check::failed(
                ID,
                pt::NOT_YET_VALID,
                "Not yet valid",
                format!("not valid before {f} ({}); now is {now}", name(fp)),
                Some(fp.as_str()).filter(|p| p.starts_with('/')),
            );
        }
    }
    for (up, (u, _)) in &untils {
        if *u + skew < now {
            let mut c = Check::failed(
                ID,
                pt::EXPIRED,
                "Expired",
                format!("expired at {u} ({}); now is {now}", name(up)),
                Some(up.as_str()).filter(|p| p.starts_with('/')),
            );
            if accept_expired {
                c.outcome = Outcome::Warning;
                c.fatal = false;
            }
            return c;
        }
    }
    let note = match untils.iter().map(|(_, (u, _))| *u).min() {
        Some(u) => format!("valid until {u}"),
        None => "no expiry".to_string(),
    };
    if froms.is_empty() {
        return Check::warning(
            ID,
            pt::MALFORMED_VALUE_ERROR,
            "No issuance date",
            "the credential has no `validFrom` (VC 1.1: `issuanceDate`); Open Badges 3.0 requires one",
            Some(""),
        )
        .note(note);
    }
    if froms
        .iter()
        .chain(&untils)
        .any(|(_, (_, z))| *z == Zone::Missing)
    {
        return Check::warning(
            ID,
            pt::MALFORMED_VALUE_ERROR,
            "Date without time zone",
            "a date has no time-zone offset; read as UTC (expected an xsd:dateTimeStamp)",
            Some(froms[0].0.as_str()).filter(|p| p.starts_with('/')),
        )
        .note(note);
    }
    Check::passed(ID).note(note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        parse_datetime("2026-01-01T00:00:00Z").unwrap().0
    }
    fn skew() -> chrono::Duration {
        chrono::Duration::minutes(5)
    }

    #[test]
    fn window() {
        let ok = json!({"validFrom": "2025-01-01T00:00:00Z", "validUntil": "2027-01-01T00:00:00Z"});
        assert_eq!(
            validity_window(&ok, now(), skew(), false).outcome,
            Outcome::Passed
        );
        let expired =
            json!({"validFrom": "2020-01-01T00:00:00Z", "validUntil": "2021-01-01T00:00:00Z"});
        let c = validity_window(&expired, now(), skew(), false);
        assert!(c.is_blocking());
        assert_eq!(c.problem.unwrap().instance.as_deref(), Some("/validUntil"));
        assert_eq!(
            validity_window(&expired, now(), skew(), true).outcome,
            Outcome::Warning
        );
        let future = json!({"validFrom": "2026-01-01T00:10:00Z"});
        assert!(validity_window(&future, now(), skew(), false).is_blocking());
        let within_skew = json!({"validFrom": "2026-01-01T00:04:00Z"});
        assert!(!validity_window(&within_skew, now(), skew(), false).is_blocking());
        let inverted =
            json!({"validFrom": "2025-06-01T00:00:00Z", "validUntil": "2025-01-01T00:00:00Z"});
        assert!(validity_window(&inverted, now(), skew(), false).is_blocking());
        let bad = json!({"validFrom": "invalidDate"});
        let c = validity_window(&bad, now(), skew(), false);
        assert!(c.is_blocking());
        assert_eq!(c.problem.unwrap().instance.as_deref(), Some("/validFrom"));
        let v1 = json!({"issuanceDate": "2010-01-01T00:00:00"});
        assert_eq!(
            validity_window(&v1, now(), skew(), false).outcome,
            Outcome::Warning
        );
        let none = json!({});
        assert_eq!(
            validity_window(&none, now(), skew(), false).outcome,
            Outcome::Warning
        );
        let both =
            json!({"validFrom": "2025-01-01T00:00:00Z", "expirationDate": "2025-06-01T00:00:00Z"});
        assert!(validity_window(&both, now(), skew(), false).is_blocking());
        let jwt_expired = json!({"validFrom": "2025-01-01T00:00:00Z"});
        assert!(super::window(
            &jwt_expired,
            now(),
            skew(),
            false,
            (None, Some(1_600_000_000.5))
        )
        .is_blocking());
    }
}
