//! Definition files a district writes by hand — stacks, credit policies — read as JSON or TOML
//! (by extension: `.toml` is TOML, anything else JSON), bounded and strict like every other input.
//!
//! Both forms become the same JSON value, so one validator serves both and errors carry a JSON
//! Pointer into the definition (`/stacks/2/rule/of/3`) plus the file name as context.

use std::path::Path;

use serde_json::Value;

use crate::error::{pointer_token, Error, ErrorKind, Result};

/// Largest definition file read (1 MiB): policies and stacks are small, hand-written files.
pub const MAX_DEFINITION_BYTES: u64 = 1 << 20;

/// Reads a definition file (JSON or TOML) as JSON. Errors name the file.
pub fn load(path: &Path) -> Result<Value> {
    let name = path.display().to_string();
    let meta =
        std::fs::metadata(path).map_err(|e| Error::new(ErrorKind::Io, format!("{name}: {e}")))?;
    if meta.len() > MAX_DEFINITION_BYTES {
        return Err(Error::limit(format!(
            "{name} is {} bytes; definition files are limited to {MAX_DEFINITION_BYTES}",
            meta.len()
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Error::new(ErrorKind::Io, format!("{name}: {e}")))?;
    let toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    parse(&bytes, toml).map_err(|e| e.context(format!("in {name}")))
}

/// Parses definition text: TOML when `toml`, else strict JSON ([`crate::json::parse`]).
pub fn parse(bytes: &[u8], toml: bool) -> Result<Value> {
    if !toml {
        return crate::json::parse(bytes);
    }
    if bytes.len() as u64 > MAX_DEFINITION_BYTES {
        return Err(Error::limit("the definition is larger than 1 MiB"));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::json(format!("the TOML file is not UTF-8: {e}")))?;
    // The `toml` crate (serde) does the parsing; its value maps onto JSON one to one, except
    // dates, which definitions must write as strings. Its messages give line, column, the line
    // itself with a caret and the reason; an integer past 64 bits is worded by `serde_json`, as a
    // JSON number, which would puzzle someone writing TOML.
    let value: Value = toml::from_str(text).map_err(|e| {
        let msg = e.to_string().replace(
            "JSON number out of range",
            "integer out of range (TOML integers are 64-bit)",
        );
        Error::json(format!("not valid TOML: {msg}"))
    })?;
    // Re-check the nesting bound the JSON reader enforces.
    crate::json::parse(value.to_string().as_bytes())
}

/// A model error at `pointer`.
pub(crate) fn bad(pointer: &str, msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Model, msg).at(pointer)
}

/// Refuses members other than `allowed` (a typo in a hand-written file must not pass silently).
pub(crate) fn check_keys(obj: &Value, allowed: &[&str], at: &str) -> Result<()> {
    let Some(map) = obj.as_object() else {
        return Err(bad(at, "expected an object"));
    };
    for k in map.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(bad(
                &format!("{at}/{}", pointer_token(k)),
                format!(
                    "unknown member `{k}` (expected one of: {})",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// A required non-empty string member.
pub(crate) fn req_str<'a>(obj: &'a Value, key: &str, at: &str) -> Result<&'a str> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(bad(
            &format!("{at}/{key}"),
            format!("`{key}` must be a non-empty string"),
        )),
        None => Err(bad(at, format!("`{key}` is required"))),
    }
}

/// A threshold: a whole number from 1 to 1,000,000 (zero is refused by name).
/// `obj[key]`: a non-empty array of non-blank id strings (reviewers, approvers, issuers); an
/// error names the entry (`{at}/{key}/{i}`) and says it expected `what`.
pub(crate) fn id_list(obj: &Value, key: &str, at: &str, what: &str) -> Result<Vec<String>> {
    match obj.get(key) {
        Some(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_str()
                    .filter(|s| !s.trim().is_empty())
                    .map(String::from)
                    .ok_or_else(|| bad(&format!("{at}/{key}/{i}"), format!("expected a {what}")))
            })
            .collect(),
        _ => Err(bad(
            &format!("{at}/{key}"),
            format!("`{key}` must be a non-empty array of {what}s"),
        )),
    }
}

pub(crate) fn positive_count(v: &Value, at: &str, what: &str) -> Result<usize> {
    match v.as_u64() {
        Some(0) => Err(bad(
            at,
            format!("{what} is 0; a threshold of zero is meaningless"),
        )),
        Some(n) if n <= 1_000_000 => Ok(n as usize),
        _ => Err(bad(at, format!("{what} must be a positive whole number"))),
    }
}

/// The OB 3.0 `AchievementType` vocabulary (an `ext:` term is also allowed).
pub const ACHIEVEMENT_TYPES: &[&str] = &[
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CoCurricular",
    "CommunityService",
    "Competency",
    "Course",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "MasterCertificate",
    "MasterDegree",
    "Membership",
    "MicroCredential",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
];

/// Edit distance between two strings, case-insensitively (typos in hand-written files).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `word` when it is close enough to be a typo of it: at most a
/// quarter of its length away (two edits for short words), never `word` itself.
///
/// # Example
/// ```
/// use openbadges::definition_file::did_you_mean;
/// assert_eq!(did_you_mean("Microcredential", ["MicroCredential", "Badge"]), Some("MicroCredential".into()));
/// assert_eq!(did_you_mean("USD stipends", ["USD stipend"]), Some("USD stipend".into()));
/// assert_eq!(did_you_mean("hours", ["CE points"]), None);
/// ```
pub fn did_you_mean<'a, I, S>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str> + 'a,
{
    // Long ids (URLs) differ by a few characters at most; bound the work per pair.
    if word.len() > 2048 {
        return None;
    }
    let limit = (word.chars().count() / 4).max(2);
    candidates
        .into_iter()
        .filter(|c| c.as_ref() != word && c.as_ref().len() <= 2048)
        .map(|c| (distance(word, c.as_ref()), c.as_ref().to_string()))
        .filter(|(d, _)| *d <= limit)
        .min_by(|x, y| x.0.cmp(&y.0).then_with(|| x.1.cmp(&y.1)))
        .map(|(_, c)| c)
}

/// `"…; did you mean \"X\"?"` when one is close, else nothing.
pub(crate) fn suggestion<'a, I, S>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str> + 'a,
{
    did_you_mean(word, candidates)
        .map(|c| format!("; did you mean \"{c}\"?"))
        .unwrap_or_default()
}

/// Checks an `achievementType` value: an OB 3.0 AchievementType or an `ext:` extension.
pub(crate) fn check_achievement_type(v: &Value, at: &str) -> Result<String> {
    let Some(t) = v.as_str() else {
        return Err(bad(at, "`achievementType` must be a string"));
    };
    if ACHIEVEMENT_TYPES.contains(&t) || (t.starts_with("ext:") && t.len() > 4) {
        return Ok(t.to_string());
    }
    Err(bad(
        at,
        format!(
            "`{t}` is not an Open Badges AchievementType (nor an `ext:` extension){}",
            suggestion(t, ACHIEVEMENT_TYPES)
        ),
    ))
}

/// An RFC 3339 date-time, or a date (`2026-06-30`, meaning that whole day: its start for
/// `from`, its end for `until`).
pub(crate) fn date_time(
    v: &Value,
    at: &str,
    end_of_day: bool,
) -> Result<chrono::DateTime<chrono::Utc>> {
    let s = v
        .as_str()
        .ok_or_else(|| bad(at, "expected an RFC 3339 date-time or a date (YYYY-MM-DD)"))?;
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(d.to_utc());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let t = if end_of_day {
            d.and_hms_opt(23, 59, 59)
        } else {
            d.and_hms_opt(0, 0, 0)
        };
        if let Some(t) = t {
            return Ok(t.and_utc());
        }
    }
    Err(bad(
        at,
        format!("`{s}` is not an RFC 3339 date-time or a date (YYYY-MM-DD)"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_json_give_the_same_value() {
        let t = parse(
            b"name = \"A\"\n[[values]]\namount = 4\nunit = \"hours\"\n",
            true,
        )
        .unwrap();
        let j = parse(
            br#"{"name":"A","values":[{"amount":4,"unit":"hours"}]}"#,
            false,
        )
        .unwrap();
        assert_eq!(t, j);
    }

    #[test]
    fn bad_toml_is_a_json_error() {
        let e = parse(b"name = ", true).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Json);
    }

    #[test]
    fn bad_toml_says_where_and_why() {
        for (text, line, why) in [
            (&b"name = "[..], "line 1, column 8", "must be quoted"),
            (
                b"name = \"A\"\nname = \"B\"\n",
                "line 2, column 1",
                "duplicate key",
            ),
            (b"[a]\nx = 1\n[a]\n", "line 3", "duplicate key"),
            (b"x = [1, 2\n", "line 1", "expected `]`"),
            (
                b"x = 99999999999999999999\n",
                "line 1, column 5",
                "integer out of range",
            ),
        ] {
            let e = parse(text, true).unwrap_err().to_string();
            assert!(
                e.contains("not valid TOML") && e.contains(line) && e.contains(why),
                "{e}"
            );
        }
    }
}
