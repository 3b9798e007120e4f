//! Dates and the validity window: `validFrom`/`validUntil` (VC 2.0), `issuanceDate`/`expirationDate`
//! (VC 1.1), judged against an injectable clock with a documented clock skew.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use super::report::{problem_types as pt, Check};

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
    check_id: &str,
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

/// The `validity-window` check.
pub(crate) fn validity_window(
    doc: &Value,
    now: DateTime<Utc>,
    skew: chrono::Duration,
    accept_expired: bool,
) -> Check {
    const ID: &str = "validity-window";
    let (from_ptr, until_ptr) = if doc.get("validFrom").is_some() || doc.get("validUntil").is_some()
    {
        ("/validFrom", "/validUntil")
    } else {
        ("/issuanceDate", "/expirationDate")
    };
    let from = match read_date(doc, from_ptr, ID) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let until = match read_date(doc, until_ptr, ID) {
        Ok(v) => v,
        Err(c) => return c,
    };
    if let (Some((f, _)), Some((u, _))) = (from, until) {
        if f > u {
            return Check::failed(
                ID,
                pt::MALFORMED_VALUE_ERROR,
                "Inverted validity window",
                format!(
                    "{} ({f}) is later than {} ({u})",
                    &from_ptr[1..],
                    &until_ptr[1..]
                ),
                Some(from_ptr),
            );
        }
    }
    if let Some((f, _)) = from {
        if f > now + skew {
            return Check::failed(
                ID,
                pt::NOT_YET_VALID,
                "Not yet valid",
                format!("valid from {f}; now is {now}"),
                Some(from_ptr),
            );
        }
    }
    if let Some((u, _)) = until {
        if u + skew < now {
            let mut c = Check::failed(
                ID,
                pt::EXPIRED,
                "Expired",
                format!("expired at {u}; now is {now}"),
                Some(until_ptr),
            );
            if accept_expired {
                c.outcome = super::Outcome::Warning;
                c.fatal = false;
            }
            return c;
        }
    }
    if from.is_none() {
        return Check::failed(
            ID,
            pt::MALFORMED_VALUE_ERROR,
            "Missing issuance date",
            format!("the credential has no `{}`", &from_ptr[1..]),
            Some(""),
        );
    }
    let zone_missing = [from, until]
        .iter()
        .flatten()
        .any(|(_, z)| *z == Zone::Missing);
    let note = match until {
        Some((u, _)) => format!("valid until {u}"),
        None => "no expiry".to_string(),
    };
    if zone_missing {
        return Check::warning(
            ID,
            pt::MALFORMED_VALUE_ERROR,
            "Date without time zone",
            "a date has no time-zone offset; read as UTC (expected an xsd:dateTimeStamp)",
            Some(from_ptr),
        )
        .note(note);
    }
    Check::passed(ID).note(note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::Outcome;
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
        assert!(validity_window(&none, now(), skew(), false).is_blocking());
    }
}
