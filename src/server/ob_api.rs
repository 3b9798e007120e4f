//! The Open Badges 3.0 API for wallets and hosts (1EdTech OB 3.0 §6), behind OAuth 2.0 bearer
//! tokens with the four OB scopes:
//!
//! | endpoint | scope |
//! |---|---|
//! | `GET /ims/ob/v3p0/discovery` | none (public) |
//! | `GET /ims/ob/v3p0/credentials?limit&offset&since` | `credential.readonly` |
//! | `POST /ims/ob/v3p0/credentials` (upsert) | `credential.upsert` |
//! | `GET /ims/ob/v3p0/profile` | `profile.readonly` |
//! | `PUT /ims/ob/v3p0/profile` | `profile.update` |
//!
//! Listing returns the credentials issued here and those received, JSON-LD ones in
//! `credential[]` and VC-JWTs in `compactJwsString[]`, exactly as issued or received, with
//! `X-Total-Count` and `Link` paging headers. A credential is accepted by upsert only if it
//! verifies, so every credential the API returns verifies.
//!
//! A token from the OAuth flow ([`super::oauth`]) acts for one resource owner: listing returns
//! only the credentials whose subject is that owner ([`crate::verify::Recipient::matches`]),
//! upsert accepts only such credentials (403 otherwise), and the profile is the owner's own.
//! An operator's token sees and writes everything, and the host's one profile.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth::{self, Scope, OB_SCOPE_BASE};
use super::problem::{json_response, Problem};
use super::request::{read_body, MAX_BODY_BYTES};
use super::storage::HostedCredential;
use super::vc_api::{claims_ob, report_body};
use super::App;

/// The OB API's base path.
pub const BASE: &str = "/ims/ob/v3p0";

/// Default and largest page size.
pub const DEFAULT_LIMIT: i64 = 100;

/// The OB API routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/ims/ob/v3p0/discovery", get(discovery))
        .route(
            "/ims/ob/v3p0/credentials",
            get(list_credentials).post(upsert_credential),
        )
        .route("/ims/ob/v3p0/profile", get(get_profile).put(put_profile))
}

fn respond(r: Result<Response, Problem>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

async fn discovery(State(app): State<Arc<App>>) -> Response {
    let scopes: serde_json::Map<String, Value> = [
        (
            "credential.readonly",
            "Permission to read AchievementCredentials for the authenticated entity.",
        ),
        (
            "credential.upsert",
            "Permission to create or update AchievementCredentials for the authenticated entity.",
        ),
        (
            "profile.readonly",
            "Permission to read the profile for the authenticated entity.",
        ),
        (
            "profile.update",
            "Permission to update the profile for the authenticated entity.",
        ),
    ]
    .into_iter()
    .map(|(s, d)| (format!("{OB_SCOPE_BASE}{s}"), json!(d)))
    .collect();
    let base = &app.base;
    let oauth = super::oauth::endpoints(base);
    let name = app.issuer.profile()["name"]
        .as_str()
        .unwrap_or("openbadges serve")
        .to_string();
    json_response(
        StatusCode::OK,
        &json!({
            "openapi": "3.0.1",
            "info": {
                "title": format!("{name} — Open Badges API"),
                "version": "3.0",
                "x-imssf-privacyPolicyUrl": format!("{base}/"),
                "termsOfService": format!("{base}/"),
            },
            "servers": [{"url": format!("{base}{BASE}")}],
            "paths": {
                "/credentials": {
                    "get": {"operationId": "getCredentials", "security": [{"OAuth2ACG": [Scope::CredentialReadonly.as_str()]}]},
                    "post": {"operationId": "upsertCredential", "security": [{"OAuth2ACG": [Scope::CredentialUpsert.as_str()]}]},
                },
                "/profile": {
                    "get": {"operationId": "getProfile", "security": [{"OAuth2ACG": [Scope::ProfileReadonly.as_str()]}]},
                    "put": {"operationId": "putProfile", "security": [{"OAuth2ACG": [Scope::ProfileUpdate.as_str()]}]},
                },
                "/discovery": {"get": {"operationId": "getServiceDescription"}},
            },
            "components": {"securitySchemes": {"OAuth2ACG": {
                "type": "oauth2",
                "description": "OAuth 2.0 Authorization Code Grant with PKCE (S256); clients register dynamically (RFC 7591) and revoke tokens at the revocation endpoint (RFC 7009).",
                "x-imssf-name": name,
                "x-imssf-privacyPolicyUrl": format!("{base}/"),
                "x-imssf-registrationUrl": oauth["registration"],
                "x-imssf-termsOfServiceUrl": format!("{base}/"),
                "flows": {"authorizationCode": {
                    "authorizationUrl": oauth["authorization"],
                    "tokenUrl": oauth["token"],
                    "refreshUrl": oauth["token"],
                    "scopes": scopes,
                }},
            }}},
        }),
    )
}

/// Paging parameters.
#[derive(Debug, Deserialize)]
pub struct Paging {
    limit: Option<String>,
    offset: Option<String>,
    since: Option<String>,
}

fn bad(detail: impl Into<String>) -> Problem {
    Problem::bad_request("invalid-request", detail)
}

async fn list_credentials(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    query: Result<Query<Paging>, axum::extract::rejection::QueryRejection>,
) -> Response {
    respond(list_inner(app, headers, query).await)
}

async fn list_inner(
    app: Arc<App>,
    headers: HeaderMap,
    query: Result<Query<Paging>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let bearer = auth::require(&app, &headers, Scope::CredentialReadonly).await?;
    let Query(paging) = query.map_err(|e| bad(format!("bad query: {e}")))?;
    let number = |v: &Option<String>, name: &str, default: i64| -> Result<i64, Problem> {
        match v {
            None => Ok(default),
            Some(s) => s
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| bad(format!("`{name}` must be a non-negative integer"))),
        }
    };
    let limit = number(&paging.limit, "limit", DEFAULT_LIMIT)?;
    if limit == 0 || limit > DEFAULT_LIMIT {
        return Err(bad(format!("`limit` must be 1 to {DEFAULT_LIMIT}")));
    }
    let offset = number(&paging.offset, "offset", 0)?;
    let since = match &paging.since {
        None => String::new(),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map_err(|_| bad("`since` must be an RFC 3339 date-time"))?
            .to_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    let (rows, total) = match &bearer.owner {
        None => app.store.ob_credentials(&since, offset, limit).await?,
        Some(owner) => owned_page(&app, owner, &since, offset, limit).await?,
    };
    let mut credential = Vec::new();
    let mut jws = Vec::new();
    for (format, document) in rows {
        if format == "jwt" {
            jws.push(Value::String(document));
        } else {
            credential.push(serde_json::from_str::<Value>(&document).map_err(Problem::internal)?);
        }
    }
    let mut body = serde_json::Map::new();
    if !credential.is_empty() {
        body.insert("credential".into(), Value::Array(credential));
    }
    if !jws.is_empty() {
        body.insert("compactJwsString".into(), Value::Array(jws));
    }
    let mut response = json_response(StatusCode::OK, &Value::Object(body));
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&total.to_string()) {
        h.insert("x-total-count", v);
    }
    let link = |rel: &str, off: i64| {
        let since = paging
            .since
            .as_deref()
            .map(|s| format!("&since={}", s.replace('+', "%2B").replace(':', "%3A")))
            .unwrap_or_default();
        format!(
            "<{}{BASE}/credentials?limit={limit}&offset={off}{since}>; rel=\"{rel}\"",
            app.base
        )
    };
    let mut links = vec![link("first", 0)];
    if offset + limit < total {
        links.push(link("next", offset + limit));
    }
    if offset > 0 {
        links.push(link("prev", (offset - limit).max(0)));
    }
    let last = if total == 0 {
        0
    } else {
        ((total - 1) / limit) * limit
    };
    links.push(link("last", last));
    if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
        h.insert(header::LINK, v);
    }
    Ok(response)
}

async fn upsert_credential(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    respond(upsert_inner(app, headers, body).await)
}

async fn upsert_inner(app: Arc<App>, headers: HeaderMap, body: Body) -> Result<Response, Problem> {
    let bearer = auth::require(&app, &headers, Scope::CredentialUpsert).await?;
    let bytes = read_body(&headers, body, MAX_BODY_BYTES).await?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| bad("the body must be UTF-8: a JSON-LD credential or a compact JWS"))?
        .trim()
        .to_string();
    let (format, value) = if text.starts_with('{') {
        let v = crate::json::parse(text.as_bytes())
            .map_err(|e| bad(format!("the credential is not acceptable JSON: {e}")))?;
        ("ldp", v)
    } else {
        let payload = crate::jwt::decode_unverified(&text)
            .map_err(|e| bad(format!("neither a JSON-LD credential nor a VC-JWT: {e}")))?;
        ("jwt", payload.get("vc").cloned().unwrap_or(payload))
    };
    if let Some(owner) = &bearer.owner {
        if !owner.matches(&value) {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "not-the-owners-credential",
                "Not your credential",
                "this token acts for one person; the credential's subject is someone else",
            ));
        }
    }
    let ob = format == "jwt" || claims_ob(&value);
    let verifier = app.clone();
    let input = text.clone();
    let report =
        tokio::task::spawn_blocking(move || verifier.verifier.verify_bytes(input.as_bytes()))
            .await
            .map_err(Problem::internal)?
            .map_err(|e| bad(format!("the credential could not be processed: {e}")))?;
    let verdict = report_body(&report, ob);
    if verdict["verified"] != true {
        let mut p =
            Problem::bad_request("not-verified", "only credentials that verify are accepted");
        for k in ["checks", "errors", "warnings"] {
            p = p.with(k, verdict[k].clone());
        }
        return Err(p);
    }
    let digest = hex::encode(Sha256::digest(text.as_bytes()));
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .map(String::from)
        .unwrap_or_else(|| format!("urn:sha256:{digest}"));
    let (subject, _) = super::storage::record_fields(&value);
    let created = app
        .store
        .upsert_hosted(&HostedCredential {
            id,
            subject,
            format: format.into(),
            digest,
            document: text.clone(),
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    if format == "jwt" {
        let mut r = (status, text).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        Ok(r)
    } else {
        Ok(json_response(status, &value))
    }
}

/// The host's profile (operator tokens); an owner's profile is kept under `owner:` + their key.
const PROFILE: &str = "default";

fn profile_key(bearer: &auth::Bearer) -> String {
    match &bearer.owner_key {
        Some(k) => format!("owner:{k}"),
        None => PROFILE.to_string(),
    }
}

/// How many stored credentials an owner's listing reads at a time.
const SCAN_PAGE: i64 = 500;

/// One page of the credentials whose subject is `owner`, and how many there are. The subject
/// may be a hashed e-mail identifier, which no SQL index can match, so every credential changed
/// since `since` is read (in pages of [`SCAN_PAGE`]) and matched here.
async fn owned_page(
    app: &App,
    owner: &crate::verify::Recipient,
    since: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<(String, String)>, i64), Problem> {
    let mut page = Vec::new();
    let mut total = 0i64;
    let mut at = 0i64;
    loop {
        let (rows, _) = app.store.ob_credentials(since, at, SCAN_PAGE).await?;
        let n = rows.len() as i64;
        for (format, document) in rows {
            if owns(owner, &format, &document) {
                if total >= offset && total < offset + limit {
                    page.push((format, document));
                }
                total += 1;
            }
        }
        if n < SCAN_PAGE {
            return Ok((page, total));
        }
        at += n;
    }
}

/// Is the stored credential (JSON text, or a compact JWS) about `owner`?
fn owns(owner: &crate::verify::Recipient, format: &str, document: &str) -> bool {
    if format == "jwt" {
        let Ok(payload) = crate::jwt::decode_unverified(document) else {
            return false;
        };
        let vc = payload.get("vc").unwrap_or(&payload);
        let sub_matches = matches!(owner, crate::verify::Recipient::Id(id)
            if payload.get("sub").and_then(Value::as_str) == Some(id.as_str()));
        sub_matches || owner.matches(vc)
    } else {
        serde_json::from_str::<Value>(document).is_ok_and(|v| owner.matches(&v))
    }
}

async fn get_profile(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    respond(
        async {
            let bearer = auth::require(&app, &headers, Scope::ProfileReadonly).await?;
            match app.store.profile(&profile_key(&bearer)).await? {
                Some(doc) => Ok(json_response(
                    StatusCode::OK,
                    &serde_json::from_str(&doc).map_err(Problem::internal)?,
                )),
                None => Err(Problem::new(
                    StatusCode::NOT_FOUND,
                    "no-profile",
                    "No profile",
                    "no profile has been stored yet (PUT one with the profile.update scope)",
                )),
            }
        }
        .await,
    )
}

async fn put_profile(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    respond(
        async {
            let bearer = auth::require(&app, &headers, Scope::ProfileUpdate).await?;
            let profile = super::request::read_json(&headers, body).await?;
            let ok = profile.as_object().is_some_and(|o| {
                o.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.contains(':'))
                    && o.get("type")
                        .is_some_and(|t| t.to_string().contains("Profile"))
            });
            if !ok {
                return Err(bad(
                    "a Profile needs an `id` (URI) and `type` including `Profile`",
                ));
            }
            let text = serde_json::to_string(&profile).map_err(Problem::internal)?;
            let created = app.store.put_profile(&profile_key(&bearer), &text).await?;
            Ok(json_response(
                if created {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                },
                &profile,
            ))
        }
        .await,
    )
}
