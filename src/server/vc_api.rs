//! The VC-API (see `VC-API.md`): `POST /credentials/issue`, `/credentials/verify`,
//! `/presentations/verify` and `/credentials/status`.
//!
//! Issuing: the request's shape is checked (400 naming the member), a status index is reserved
//! (`options.credentialStatus`), the credential is signed with `options.cryptosuite` and
//! verified before it leaves (422 with the failing checks: JSON-LD data loss, bad dates, …), and
//! it is returned (201) only after its record is committed. The credential id
//! (`options.credentialId`, else `credential.id`, else a new `urn:uuid:`) makes a retry
//! idempotent: the same request returns the same credential, another request with that id 409.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::auth::{self, Scope};
use super::problem::{json_response, Problem};
use super::request::read_json;
use super::storage::{Allocation, IssuedRecord, Recorded, StatusChange};
use super::App;
use crate::proof::Suite;
use crate::verify::{Check, Outcome, Report};

/// The VC-API routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/credentials/issue", post(issue))
        .route("/credentials/verify", post(verify_credential))
        .route("/presentations/verify", post(verify_presentation))
        .route("/credentials/status", post(update_status))
}

fn respond(r: Result<Response, Problem>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

use crate::issue::Securing;

/// A checked issue request.
#[derive(Debug)]
struct IssueRequest {
    credential: Value,
    id: String,
    securing: Securing,
    purpose: Option<&'static str>,
    idempotency_key: Option<String>,
}

fn bad(pointer: &str, detail: impl Into<String>) -> Problem {
    Problem::bad_request("invalid-request", detail).with("instance", json!(pointer))
}

fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && !rest.is_empty()
        && !s.contains(char::is_whitespace)
}

impl IssueRequest {
    fn parse(body: &Value, issuer_id: &str) -> Result<Self, Problem> {
        let Some(body) = body.as_object() else {
            return Err(bad(
                "",
                "the body must be a JSON object {\"credential\": …, \"options\": …}",
            ));
        };
        let credential = match body.get("credential") {
            Some(Value::Object(c)) => c.clone(),
            Some(_) => return Err(bad("/credential", "`credential` must be an object")),
            None => {
                return Err(bad(
                    "/credential",
                    "the body has no `credential` (the credential to issue)",
                ))
            }
        };
        let options = match body.get("options") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(o)) => o.clone(),
            Some(_) => return Err(bad("/options", "`options` must be an object")),
        };
        // @context
        match credential.get("@context") {
            Some(Value::Array(a))
                if !a.is_empty() && a.iter().all(|c| c.is_string() || c.is_object()) => {}
            _ => {
                return Err(bad(
                    "/credential/@context",
                    "`@context` must be a non-empty array of URLs and context objects",
                ))
            }
        }
        // type
        let types: Vec<&str> = match credential.get("type") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => {
                a.iter().filter_map(Value::as_str).collect()
            }
            _ => {
                return Err(bad(
                    "/credential/type",
                    "`type` must be a non-empty array of strings",
                ))
            }
        };
        if !types.contains(&"VerifiableCredential") {
            return Err(bad(
                "/credential/type",
                "`type` must include `VerifiableCredential`",
            ));
        }
        // issuer
        let named = match credential.get("issuer") {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(Value::Object(o)) => match o.get("id") {
                None => None,
                Some(Value::String(s)) => Some(s.as_str()),
                Some(_) => {
                    return Err(bad(
                        "/credential/issuer/id",
                        "`issuer.id` must be a URL string",
                    ))
                }
            },
            Some(_) => {
                return Err(bad(
                    "/credential/issuer",
                    "`issuer` must be a URL or an object with an `id`",
                ))
            }
            None => {
                return Err(bad(
                    "/credential/issuer",
                    format!("the credential has no `issuer`; this server issues as `{issuer_id}`"),
                ))
            }
        };
        if let Some(named) = named {
            if !is_url(named) {
                return Err(bad(
                    "/credential/issuer",
                    format!("the issuer `{named}` is not a URL"),
                ));
            }
            if named != issuer_id {
                return Err(bad(
                    "/credential/issuer",
                    format!("this server issues as `{issuer_id}`, not `{named}`"),
                ));
            }
        }
        // credentialSubject
        // VC 2.0: at least one claim, an `id` alone says nothing about the subject (the VCDM 2.0
        // suite's "no claims" fixture). VC 1.1 has no such rule, and the vc-api-issuer suite
        // issues a VC 1.1 credential whose subject is only an `id`: a non-empty object is enough.
        let v1 = credential
            .get("@context")
            .and_then(|c| c.get(0))
            .and_then(Value::as_str)
            == Some(crate::verify::VC_V1);
        let subject_ok = |s: &Value| {
            s.as_object()
                .is_some_and(|o| o.keys().any(|k| k != "id") || (v1 && !o.is_empty()))
        };
        match credential.get("credentialSubject") {
            Some(s @ Value::Object(_)) if subject_ok(s) => {}
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(subject_ok) => {}
            _ => {
                return Err(bad(
                    "/credential/credentialSubject",
                    "`credentialSubject` must be an object with claims (or an array of them)",
                ))
            }
        }
        // dates: an end before the start is refused outright
        let date = |k: &str| {
            credential
                .get(k)
                .and_then(Value::as_str)
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        };
        for (from, until) in [
            ("validFrom", "validUntil"),
            ("issuanceDate", "expirationDate"),
        ] {
            if let (Some(a), Some(b)) = (date(from), date(until)) {
                if b < a {
                    return Err(bad(
                        &format!("/credential/{until}"),
                        format!("`{until}` is before `{from}`"),
                    ));
                }
            }
        }
        // ids
        let own_id = match credential.get("id") {
            None => None,
            Some(Value::String(s)) if is_url(s) => Some(s.clone()),
            Some(_) => return Err(bad("/credential/id", "`id` must be a URL")),
        };
        let option_id = match options.get("credentialId") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if is_url(s) => Some(s.clone()),
            Some(_) => {
                return Err(bad(
                    "/options/credentialId",
                    "`credentialId` must be a URL (e.g. urn:uuid:…)",
                ))
            }
        };
        let id = match (&own_id, &option_id) {
            (Some(a), Some(b)) if a != b => {
                return Err(bad(
                    "/options/credentialId",
                    format!("`credentialId` `{b}` differs from the credential's id `{a}`"),
                ))
            }
            (Some(a), _) => a.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        };
        // cryptosuite
        let securing = match options.get("cryptosuite") {
            None | Some(Value::Null) => Securing::DataIntegrity(Suite::EddsaRdfc2022),
            Some(Value::String(s)) if s == "jwt-eddsa" || s == "vc-jwt" => Securing::Jwt(crate::jwt::Algorithm::EdDsa),
            Some(Value::String(s)) if s == "jwt-es256" || s == "jwt-rs256" => {
                return Err(bad(
                    "/options/cryptosuite",
                    format!("`{s}`: this issuer's keys are Ed25519; use jwt-eddsa"),
                ))
            }
            Some(Value::String(s)) => match Suite::from_name(s) {
                Ok(suite) => Securing::DataIntegrity(suite),
                Err(_) => return Err(bad(
                    "/options/cryptosuite",
                    format!("unknown cryptosuite `{s}`; expected eddsa-rdfc-2022, eddsa-jcs-2022, Ed25519Signature2020 or jwt-eddsa"),
                )),
            },
            Some(_) => {
                return Err(bad(
                    "/options/cryptosuite",
                    "`cryptosuite` must be a string",
                ))
            }
        };
        // credentialStatus
        let purpose = match options.get("credentialStatus") {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => {
                match o.get("type") {
                    None => {}
                    Some(Value::String(t)) if t == "BitstringStatusListEntry" => {}
                    Some(_) => {
                        return Err(bad(
                            "/options/credentialStatus/type",
                            "the only status type issued here is `BitstringStatusListEntry`",
                        ))
                    }
                }
                match o.get("statusPurpose") {
                    None => Some("revocation"),
                    Some(Value::String(p)) if p == "revocation" => Some("revocation"),
                    Some(Value::String(p)) if p == "suspension" => Some("suspension"),
                    Some(_) => {
                        return Err(bad(
                            "/options/credentialStatus/statusPurpose",
                            "`statusPurpose` must be `revocation` or `suspension`",
                        ))
                    }
                }
            }
            Some(_) => {
                return Err(bad(
                    "/options/credentialStatus",
                    "`credentialStatus` must be an object {\"type\": \"BitstringStatusListEntry\", \"statusPurpose\": …}",
                ))
            }
        };
        Ok(IssueRequest {
            credential: Value::Object(credential),
            id,
            securing,
            purpose,
            idempotency_key: option_id,
        })
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn issued_response(record: &IssuedRecord) -> Result<Response, Problem> {
    let vc = if record.format == "jwt" {
        Value::String(record.document.clone())
    } else {
        serde_json::from_str(&record.document).map_err(Problem::internal)?
    };
    Ok(json_response(
        StatusCode::CREATED,
        &json!({"verifiableCredential": vc}),
    ))
}

fn replay(record: &IssuedRecord, request_digest: &str) -> Result<Response, Problem> {
    if record.request_digest == request_digest {
        issued_response(record)
    } else {
        Err(Problem::new(
            StatusCode::CONFLICT,
            "credential-id-conflict",
            "Credential id already used",
            format!(
                "`{}` was already issued from a different request; a retry must send the same request",
                record.id
            ),
        ))
    }
}

/// Checks about the Open Badges data model rather than the W3C VC one: a credential that does
/// not claim an OB type is judged as a plain VC, and these are warnings for it.
pub const OB_MODEL_CHECKS: &[&str] = &["type", "subject", "data-model", "schema"];

/// Whether `doc` claims to be an Open Badges credential (OB types are held to the OB model).
pub fn claims_ob(doc: &Value) -> bool {
    let ob = |t: &str| {
        matches!(
            t,
            "OpenBadgeCredential"
                | "AchievementCredential"
                | "EndorsementCredential"
                | "ClrCredential"
        )
    };
    match doc.get("type") {
        Some(Value::String(t)) => ob(t),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).any(ob),
        _ => false,
    }
}

/// Whether `check` blocks verification of a credential that does (`ob`) or does not claim an OB
/// type.
fn blocks(check: &Check, ob: bool) -> bool {
    check.is_blocking() && (ob || !OB_MODEL_CHECKS.contains(&check.id.as_str()))
}

/// The VC-API shape of a report: the report's members, plus `warnings` and `errors` (the checks
/// that warn, and those that block verification); `verified` is true iff `errors` is empty.
pub fn report_body(report: &Report, ob: bool) -> Value {
    let mut body = serde_json::to_value(report).unwrap_or_else(|_| json!({}));
    let errors: Vec<&Check> = report.checks.iter().filter(|c| blocks(c, ob)).collect();
    let warnings: Vec<&Check> = report
        .checks
        .iter()
        .filter(|c| {
            !blocks(c, ob)
                && matches!(
                    c.outcome,
                    Outcome::Warning | Outcome::Failed | Outcome::Indeterminate
                )
        })
        .collect();
    if let Some(o) = body.as_object_mut() {
        o.insert("verified".into(), json!(errors.is_empty()));
        o.insert("warnings".into(), json!(warnings));
        o.insert("errors".into(), json!(errors));
    }
    body
}

fn summary(checks: &[&Check]) -> String {
    let parts: Vec<String> = checks
        .iter()
        .map(|c| match &c.problem {
            Some(p) => format!("{}: {}", c.id, p.detail),
            None => c.id.to_string(),
        })
        .collect();
    parts.join("; ")
}

fn not_verified(body: Value, detail: String) -> Problem {
    let mut p = Problem::new(
        StatusCode::BAD_REQUEST,
        "not-verified",
        "Not verified",
        detail,
    );
    if let Value::Object(o) = body {
        for (k, v) in o {
            p = p.with(&k, v);
        }
    }
    p
}

fn sign_and_check(
    app: &App,
    request: &IssueRequest,
    allocation: Option<&Allocation>,
) -> Result<(String, Value, &'static str), Problem> {
    let mut doc = request.credential.clone();
    if doc.get("id").is_none() {
        doc["id"] = json!(request.id);
    }
    if let (Some(a), Some(purpose)) = (allocation, request.purpose) {
        let entry = json!({
            "id": format!("{}#{}", a.url, a.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": a.index.to_string(),
            "statusListCredential": a.url,
        });
        match doc.get_mut("credentialStatus") {
            None => doc["credentialStatus"] = entry,
            Some(Value::Array(list)) => list.push(entry),
            Some(other) => {
                let first = other.take();
                *other = json!([first, entry]);
            }
        }
    }
    let now = chrono::Utc::now();
    let unprocessable = |e: crate::Error| {
        let mut p = Problem::unprocessable("cannot-issue", e.to_string());
        if let Some(ptr) = e.pointer() {
            p = p.with("instance", json!(format!("/credential{ptr}")));
        }
        p
    };
    let (document, value, format, report) = match request.securing {
        Securing::DataIntegrity(suite) => {
            let signed = app
                .issuer
                .issue_at(&doc, suite, now, None)
                .map_err(unprocessable)?
                .into_json();
            let report = app
                .issue_checker
                .verify_value(&signed)
                .map_err(unprocessable)?;
            let text = serde_json::to_string(&signed).map_err(Problem::internal)?;
            (text, signed, "ldp", report)
        }
        Securing::Jwt(alg) => {
            let prepared = app.issuer.prepare(&doc, now, None).map_err(unprocessable)?;
            let issued = app
                .issuer
                .issue_at(&prepared, alg, now, None)
                .map_err(unprocessable)?;
            let token = issued.as_jwt().unwrap_or_default().to_string();
            let report = app.issue_checker.verify_jwt(&token);
            (token, prepared, "jwt", report)
        }
    };
    // A credential is issued only if it verifies (a future validFrom or past validUntil is the
    // issuer's choice, so being outside the window is not held against it; malformed dates are).
    let ob = format == "jwt" || claims_ob(&value);
    let outside_window = |c: &Check| {
        c.id == "validity-window"
            && c.problem.as_ref().is_some_and(|p| {
                p.kind == crate::check::problem_types::EXPIRED
                    || p.kind == crate::check::problem_types::NOT_YET_VALID
            })
    };
    let blocking: Vec<&Check> = report
        .checks
        .iter()
        .filter(|c| blocks(c, ob) && !outside_window(c))
        .collect();
    if !blocking.is_empty() {
        return Err(Problem::unprocessable(
            "cannot-issue",
            format!(
                "the signed credential would not verify: {}",
                summary(&blocking)
            ),
        )
        .with("errors", json!(blocking)));
    }
    Ok((document, value, format))
}

async fn issue(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    respond(issue_inner(app, headers, body).await)
}

async fn issue_inner(app: Arc<App>, headers: HeaderMap, body: Body) -> Result<Response, Problem> {
    auth::require(&app, &headers, Scope::Issue).await?;
    let body = read_json(&headers, body).await?;
    let request = IssueRequest::parse(&body, app.issuer.id())?;
    let request_digest = sha256_hex(crate::jcs::canonicalize(&body).as_bytes());
    if let Some(record) = app.store.find_issued(&request.id).await? {
        return replay(&record, &request_digest);
    }
    let allocation = match request.purpose {
        Some(purpose) => Some(
            app.store
                .reserve_index(&request.id, purpose, &app.base)
                .await?,
        ),
        None => None,
    };
    let signing_app = app.clone();
    let (request, signed) = tokio::task::spawn_blocking(move || {
        let r = sign_and_check(&signing_app, &request, allocation.as_ref());
        (request, r.map(|s| (s, allocation)))
    })
    .await
    .map_err(Problem::internal)?;
    let ((document, value, format), allocation) = signed?;
    let (subject, achievement) = super::storage::record_fields(&value);
    let record = IssuedRecord {
        id: request.id.clone(),
        subject,
        achievement,
        status_list: allocation.as_ref().map(|a| a.list),
        status_index: allocation.as_ref().map(|a| a.index),
        format: format.to_string(),
        digest: sha256_hex(document.as_bytes()),
        document,
        request_digest: request_digest.clone(),
        created: super::storage::now_text(),
    };
    match app
        .store
        .record_issued(&record, request.idempotency_key.as_deref())
        .await?
    {
        Recorded::Inserted => issued_response(&record),
        Recorded::Existing(existing) => replay(&existing, &request_digest),
    }
}

async fn verify_credential(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    respond(verify_credential_inner(app, headers, body).await)
}

async fn verify_credential_inner(
    app: Arc<App>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let body = read_json(&headers, body).await?;
    let vc = match body.get("verifiableCredential") {
        Some(v @ Value::Object(_)) => v.clone(),
        Some(Value::String(s)) if is_compact_jws(s) => Value::String(s.clone()),
        Some(Value::String(_)) => {
            return Err(not_verified(
                json!({"verified": false, "checks": [], "warnings": [], "errors": []}),
                "`verifiableCredential` is a string but not a VC-JWT; send the credential as a JSON object".into(),
            )
            .with("instance", json!("/verifiableCredential")))
        }
        Some(_) => {
            return Err(not_verified(
                json!({"verified": false, "checks": [], "warnings": [], "errors": []}),
                "`verifiableCredential` must be a credential (a JSON object, or a VC-JWT)".into(),
            ))
        }
        None => {
            return Err(not_verified(
                json!({"verified": false, "checks": [], "warnings": [], "errors": []}),
                "the body has no `verifiableCredential`".into(),
            ))
        }
    };
    match body.get("options") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(_) => return Err(bad("/options", "`options` must be an object")),
    }
    let ob = !vc.is_object() || claims_ob(&vc);
    let verifier = app.clone();
    let report = tokio::task::spawn_blocking(move || match &vc {
        Value::String(token) => Ok(verifier.verifier.verify_jwt(token)),
        other => verifier.verifier.verify_value(other),
    })
    .await
    .map_err(Problem::internal)?;
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            return Err(not_verified(
                json!({"verified": false, "checks": [], "warnings": [], "errors": [{"id": "parse", "outcome": "failed", "detail": e.to_string()}]}),
                format!("the credential could not be processed: {e}"),
            ))
        }
    };
    let body = report_body(&report, ob);
    if body["verified"] == true {
        Ok(json_response(StatusCode::OK, &body))
    } else {
        let blocking: Vec<&Check> = report.checks.iter().filter(|c| blocks(c, ob)).collect();
        let detail = summary(&blocking);
        Err(not_verified(body, detail))
    }
}

fn is_compact_jws(s: &str) -> bool {
    let parts: Vec<&str> = s.trim().split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

async fn verify_presentation(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    respond(verify_presentation_inner(app, headers, body).await)
}

async fn verify_presentation_inner(
    app: Arc<App>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let body = read_json(&headers, body).await?;
    let empty = || json!({"verified": false, "checks": [], "warnings": [], "errors": []});
    let Some(vp) = body
        .get("verifiablePresentation")
        .filter(|v| v.is_object())
        .cloned()
    else {
        return Err(not_verified(
            empty(),
            "the body needs `verifiablePresentation`, a JSON object".into(),
        ));
    };
    let options = match body.get("options") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(_) => return Err(bad("/options", "`options` must be an object")),
    };
    let text = |k: &str| -> Result<Option<String>, Problem> {
        match options.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(
                &format!("/options/{k}"),
                format!("`{k}` must be a string"),
            )),
        }
    };
    let domain = text("domain")?;
    // Without a challenge from the caller, the proof's own is taken (no replay protection was
    // asked for).
    let challenge = match text("challenge")? {
        Some(c) => c,
        None => vp
            .get("proof")
            .and_then(|p| {
                p.get("challenge")
                    .or_else(|| p.get(0).and_then(|p| p.get("challenge")))
            })
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    };
    let embedded: Vec<Value> = match vp.get("verifiableCredential") {
        Some(Value::Array(a)) => a.clone(),
        Some(v) => vec![v.clone()],
        None => Vec::new(),
    };
    let ob_of = |i: usize| {
        embedded
            .get(i)
            .is_none_or(|c| !c.is_object() || claims_ob(c))
    };
    let verifier = app.clone();
    let result = tokio::task::spawn_blocking(move || {
        crate::present::verify_presentation(
            &vp,
            &verifier.verify_options,
            &challenge,
            domain.as_deref(),
        )
    })
    .await
    .map_err(Problem::internal)?;
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            return Err(not_verified(
                empty(),
                format!("the presentation could not be processed: {e}"),
            ))
        }
    };
    let mut errors: Vec<&Check> = report.checks.iter().filter(|c| c.is_blocking()).collect();
    for (i, c) in report.credentials.iter().enumerate() {
        let ob = ob_of(i);
        errors.extend(c.checks.iter().filter(|c| blocks(c, ob)));
    }
    let warnings: Vec<&Check> = report
        .checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Warning))
        .collect();
    let detail = summary(&errors);
    let verified = errors.is_empty();
    let body = json!({
        "verified": verified,
        "checks": report.checks,
        "credentials": report.credentials.iter().enumerate().map(|(i, r)| report_body(r, ob_of(i))).collect::<Vec<_>>(),
        "warnings": warnings,
        "errors": errors,
    });
    if verified {
        Ok(json_response(StatusCode::OK, &body))
    } else {
        Err(not_verified(body, detail))
    }
}

async fn update_status(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    respond(update_status_inner(app, headers, body).await)
}

async fn update_status_inner(
    app: Arc<App>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    auth::require(&app, &headers, Scope::Status).await?;
    let body = read_json(&headers, body).await?;
    let Some(id) = body.get("credentialId").and_then(Value::as_str) else {
        return Err(bad(
            "/credentialId",
            "the body needs `credentialId`, the credential's id",
        ));
    };
    let purpose = match body.get("credentialStatus") {
        None | Some(Value::Null) => "revocation",
        Some(Value::Object(o)) => match o.get("statusPurpose") {
            None => "revocation",
            Some(Value::String(p)) if p == "revocation" => "revocation",
            Some(Value::String(p)) if p == "suspension" => "suspension",
            Some(_) => {
                return Err(bad(
                    "/credentialStatus/statusPurpose",
                    "`statusPurpose` must be `revocation` or `suspension`",
                ))
            }
        },
        Some(Value::Array(a)) => match a.first().and_then(|e| e.get("statusPurpose")) {
            Some(Value::String(p)) if p == "suspension" => "suspension",
            Some(Value::String(p)) if p == "revocation" => "revocation",
            None if !a.is_empty() => "revocation",
            _ => {
                return Err(bad(
                    "/credentialStatus",
                    "`credentialStatus` must name `statusPurpose` revocation or suspension",
                ))
            }
        },
        Some(_) => {
            return Err(bad(
                "/credentialStatus",
                "`credentialStatus` must be an object {\"statusPurpose\": …}",
            ))
        }
    };
    let value = match body.get("status") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(bad(
                "/status",
                "`status` must be true (revoke or suspend) or false (reinstate)",
            ))
        }
    };
    let change = app.store.set_status(id, purpose, value).await?;
    let done = |a: &Allocation, changed: bool| {
        json_response(
            StatusCode::OK,
            &json!({
                "credentialId": id,
                "statusPurpose": purpose,
                "status": value,
                "changed": changed,
                "statusListCredential": a.url,
                "statusListIndex": a.index.to_string(),
            }),
        )
    };
    match change {
        StatusChange::Changed(a) => Ok(done(&a, true)),
        StatusChange::Unchanged(a) => Ok(done(&a, false)),
        StatusChange::UnknownCredential => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "unknown-credential",
            "Unknown credential",
            format!("no credential `{id}` was issued here"),
        )),
        StatusChange::NoEntry => Err(Problem::new(
            StatusCode::CONFLICT,
            "no-status-entry",
            "No status entry",
            format!("`{id}` was issued without a {purpose} status entry"),
        )),
        StatusChange::Final => Err(Problem::new(
            StatusCode::CONFLICT,
            "revocation-final",
            "Revocation is final",
            format!("`{id}` is revoked; a revocation cannot be undone (use a suspension list for reversible status)"),
        )),
    }
}
