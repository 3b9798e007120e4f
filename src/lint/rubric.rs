//! The `rubric-result` rule: a `result` whose `achievedLevel` the achievement's rubric does not
//! define, or that falls below the rubric's `requiredLevel`, or that names a `resultDescription`
//! the achievement lacks. Rubrics are read by [`crate::achievement::rubric`], the same code the
//! award decision uses.

use serde_json::Value;

use super::{Finding, Rule};
use crate::achievement::rubric::Criterion;

fn finding(pointer: String, message: String, expected: String) -> Finding {
    Finding {
        rule: Rule::RubricResult,
        severity: Rule::RubricResult.severity(),
        pointer,
        message,
        expected,
    }
}

/// Checks the credential subject's `result` entries against the embedded achievement's rubric.
/// Results that name no level, and achievements without a rubric, are left to the other rules.
pub(super) fn results(credential: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(subject) = credential.get("credentialSubject") else {
        return out;
    };
    let results = match subject.get("result") {
        Some(Value::Array(a)) => a,
        _ => return out,
    };
    // No embedded achievement (a missing one is `missing-required`'s): nothing to compare with.
    if !subject.get("achievement").is_some_and(Value::is_object) {
        return out;
    }
    // An achievement that describes no results (1EdTech's own samples name resultDescription ids
    // without embedding them) leaves nothing to check against.
    let rds = match subject.pointer("/achievement/resultDescription") {
        Some(Value::Array(a)) if !a.is_empty() => a.as_slice(),
        _ => return out,
    };
    for (i, r) in results.iter().enumerate() {
        let (Some(rd_id), Some(level)) = (
            r.get("resultDescription").and_then(Value::as_str),
            r.get("achievedLevel").and_then(Value::as_str),
        ) else {
            continue;
        };
        let at = format!("/credentialSubject/result/{i}");
        let Some((j, rd)) = rds
            .iter()
            .enumerate()
            .find(|(_, rd)| rd.get("id").and_then(Value::as_str) == Some(rd_id))
        else {
            out.push(finding(
                format!("{at}/resultDescription"),
                format!("the result names resultDescription `{rd_id}`, which the achievement does not define"),
                "the id of one of the achievement's resultDescription entries".into(),
            ));
            continue;
        };
        let rd_at = format!("/credentialSubject/achievement/resultDescription/{j}");
        // A malformed rubric is reported by the structural rules; nothing to compare here.
        let Ok(Some(c)) = Criterion::from_value(rd, &rd_at) else {
            continue;
        };
        match c.level(level) {
            None => out.push(finding(
                format!("{at}/achievedLevel"),
                format!(
                    "achievedLevel `{level}` is not a level of the rubric criterion `{}`",
                    c.name
                ),
                format!("one of {}", c.level_list()),
            )),
            Some(l) if !c.meets(level) => {
                let req = c
                    .required_level()
                    .map(|r| r.name.clone())
                    .unwrap_or_default();
                out.push(finding(
                    format!("{at}/achievedLevel"),
                    format!(
                        "achievedLevel {} for `{}` is below the rubric's requiredLevel {req}",
                        l.name, c.name
                    ),
                    format!("{req} or higher (an awarded badge reaches every required level)"),
                ))
            }
            Some(_) => {}
        }
    }
    out
}
