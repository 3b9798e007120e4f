//! OAuth 2.0 for the Open Badges 3.0 API (1EdTech OB 3.0 §7 "API Security"): the
//! authorization server a wallet or host uses to get a teacher's badges.
//!
//! | endpoint | what |
//! |---|---|
//! | `POST /oauth/register` | Dynamic Client Registration (RFC 7591): a client posts its metadata and gets `client_id` and `client_secret` (stored as sha256 only) |
//! | `GET /oauth/authorize` | the consent page (HTML, no JavaScript): the resource owner signs in with the login secret from `openbadges serve owner create` and approves scopes |
//! | `POST /oauth/authorize` | the page's answer: redirects to the client with a one-use `code` (or `error=`, RFC 6749 §4.1.2.1) |
//! | `POST /oauth/token` | `authorization_code` (PKCE S256 required) and `refresh_token` (rotated) grants; client authentication `client_secret_basic` or `client_secret_post`, as registered |
//! | `POST /oauth/revoke` | token revocation (RFC 7009) |
//! | `GET /.well-known/oauth-authorization-server` | authorization server metadata (RFC 8414) |
//!
//! The discovery document (`GET /ims/ob/v3p0/discovery`) names these in its `OAuth2ACG`
//! security scheme.
//!
//! **Who the resource owner is.** The teacher whose badges these are: an owner is a subject (a
//! DID or URL, or an e-mail address) and a high-entropy login secret printed once by
//! `openbadges serve owner create --subject ID_OR_EMAIL`; running it again replaces the secret.
//! Tokens from this flow act for that owner: the OB API lists and accepts only credentials whose
//! subject is the owner (`credentialSubject.id`, or a plain or hashed `identifier`, as
//! [`crate::verify::Recipient`] matches them) and keeps a profile per owner. Operator tokens from
//! `openbadges serve token create` see everything.
//!
//! **Lifetimes.** Codes live [`CODE_TTL_SECONDS`], access tokens [`ACCESS_TTL_SECONDS`],
//! refresh tokens [`REFRESH_TTL_SECONDS`], all by the server's [`super::Clock`]. A code is used
//! once: presenting it again revokes every token it produced (RFC 6749 §4.1.2). A refresh token
//! is used once too (rotation): presenting a used one revokes its whole grant. Scopes are never
//! widened: the approved scopes bound every later token of the grant.
//!
//! **Secrets.** Client secrets, codes, access and refresh tokens and login secrets are 256-bit
//! random values; only their sha256 is stored. A fast hash is enough for values with that much
//! entropy (a slow password hash protects guessable passwords, which these are not).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use rand_core::{OsRng, RngCore};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::auth::{token_hash, Scope};
use super::page::{escape, STYLE};
use super::request::read_body;
use super::storage::{AuthCode, ClientRecord, CodeUse, FoundToken, NewTokens, StoreError};
use super::App;
use crate::verify::Recipient;

/// How long an authorization code may wait to be exchanged: 60 seconds.
pub const CODE_TTL_SECONDS: i64 = 60;
/// How long an access token is accepted: one hour.
pub const ACCESS_TTL_SECONDS: i64 = 3600;
/// How long a refresh token is accepted: 30 days.
pub const REFRESH_TTL_SECONDS: i64 = 30 * 24 * 3600;

/// Largest form or registration body: 64 KiB.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The OAuth scopes a client may ask for: the four OB 3.0 scopes.
pub const OAUTH_SCOPES: [Scope; 4] = [
    Scope::CredentialReadonly,
    Scope::CredentialUpsert,
    Scope::ProfileReadonly,
    Scope::ProfileUpdate,
];

/// What each scope lets a client do, in words for the consent page.
fn scope_words(scope: &str) -> &'static str {
    match Scope::parse(scope) {
        Some(Scope::CredentialReadonly) => "Read your badges (Open Badges credentials)",
        Some(Scope::CredentialUpsert) => "Add badges to your collection here and replace them",
        Some(Scope::ProfileReadonly) => "Read your profile",
        Some(Scope::ProfileUpdate) => "Change your profile",
        _ => "Unknown permission",
    }
}

/// The OAuth routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/oauth/register", post(register))
        .route(
            "/oauth/authorize",
            get(authorize_page).post(authorize_answer),
        )
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .route("/.well-known/oauth-authorization-server", get(metadata))
}

/// A fresh secret: `prefix` + 32 random bytes, base64url.
///
/// # Example
/// ```
/// let s = openbadges::server::oauth::new_secret("obo_");
/// assert!(s.starts_with("obo_") && s.len() == 4 + 43);
/// ```
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Equality that takes the same time wherever the inputs differ. Written by hand (four lines)
/// rather than adding a crate: it compares a PKCE challenge and secret hashes.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// How an owner subject is stored: e-mail addresses lowercased without `mailto:`, IDs as given;
/// `None` for anything else.
///
/// # Example
/// ```
/// use openbadges::server::oauth::owner_key;
/// assert_eq!(owner_key("mailto:Maria@Riverside.example").as_deref(), Some("maria@riverside.example"));
/// assert_eq!(owner_key("did:example:maria").as_deref(), Some("did:example:maria"));
/// assert_eq!(owner_key("maria"), None);
/// ```
pub fn owner_key(subject: &str) -> Option<String> {
    match Recipient::parse(subject) {
        Recipient::Email(e) if !e.is_empty() => Some(e.to_lowercase()),
        Recipient::Id(id) if id.contains(':') && !id.contains(char::is_whitespace) => Some(id),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Responses

/// An OAuth error body (RFC 6749 §5.2, RFC 7591 §3.2.2): `{"error", "error_description"}`.
fn oauth_error(status: StatusCode, error: &str, description: impl Into<String>) -> Response {
    let mut r = no_store_json(
        status,
        &json!({"error": error, "error_description": description.into()}),
    );
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"openbadges\""),
        );
    }
    r
}

fn no_store_json(status: StatusCode, body: &Value) -> Response {
    let mut r = super::problem::json_response(status, body);
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// A storage failure on an OAuth endpoint: 503 when the database is away, else 500; in the
/// OAuth error shape (`temporarily_unavailable` / `server_error`).
fn store_failure(e: StoreError) -> Response {
    match e {
        StoreError::Unavailable(m) => {
            eprintln!("openbadges serve: storage unavailable: {m}");
            let mut r = oauth_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the database is unreachable; retry later",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        }
        StoreError::Other(m) => {
            eprintln!("openbadges serve: internal error: {m}");
            oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the server could not complete the request",
            )
        }
    }
}

/// An HTML page for people (the consent page and its errors). The Content-Security-Policy has
/// no `form-action`: browsers apply it to the redirect after the form, which goes to the
/// client.
fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let text = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}{CONSENT_STYLE}</style></head><body><main>{body}</main></body></html>\n",
        escape(title)
    );
    let mut r = (status, text).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

const CONSENT_STYLE: &str = "
input[type=text],input[type=password]{font-size:1.05rem;padding:.5rem;width:100%;box-sizing:border-box;border:2px solid #4a4a4a;border-radius:.3rem}
fieldset{border:2px solid #4a4a4a;border-radius:.5rem;margin:1rem 0}
legend{font-weight:700;padding:0 .3rem}
.scope{display:flex;gap:.6rem;align-items:flex-start;font-weight:400;margin:.5rem 0}
.scope input{width:1.3rem;height:1.3rem;margin-top:.15rem}
.deny{background:#fff;color:#8a1116;border:2px solid #8a1116;margin-left:.8rem}
.hint{color:#3d3d3d;font-size:.95rem}
";

fn error_page(status: StatusCode, detail: &str) -> Response {
    html(
        status,
        "Authorization request refused",
        &format!(
            "<h1>This sign-in request cannot be used</h1><p class=\"verdict bad\" role=\"alert\">{}</p><p>The application that sent you here made a request this server cannot accept, so you are not sent back to it. Close this page and tell the application's maker.</p>",
            escape(detail)
        ),
    )
}

/// 303 to `redirect_uri` with `params` added to its query.
fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(u) => u,
        Err(_) => return error_page(StatusCode::BAD_REQUEST, "the redirect URI is not a URL"),
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    let mut r = StatusCode::SEE_OTHER.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(url.as_str()) {
        h.insert(header::LOCATION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

// ---------------------------------------------------------------------------------------------
// Form and query parameters

/// Parameters of a query or form body; a parameter sent twice is an error (RFC 6749 §3.1).
struct Params(HashMap<String, String>, Vec<(String, String)>);

impl Params {
    fn parse(text: &[u8], repeatable: &[&str]) -> Result<Params, String> {
        let mut single = HashMap::new();
        let mut multi = Vec::new();
        for (k, v) in url::form_urlencoded::parse(text) {
            if repeatable.contains(&k.as_ref()) {
                multi.push((k.into_owned(), v.into_owned()));
            } else if single.insert(k.to_string(), v.into_owned()).is_some() {
                return Err(format!("the parameter `{k}` is given more than once"));
            }
        }
        Ok(Params(single, multi))
    }

    /// A parameter; an empty value counts as absent (RFC 6749 §3.1).
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.1
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn read_form(headers: &HeaderMap, body: Body, repeatable: &[&str]) -> Result<Params, String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(format!(
            "send the parameters as `application/x-www-form-urlencoded`; got `{content_type}`"
        ));
    }
    let bytes = read_body(headers, body, MAX_FORM_BYTES)
        .await
        .map_err(|p| p.body()["detail"].as_str().unwrap_or("").to_string())?;
    Params::parse(&bytes, repeatable)
}

fn split_scopes(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in s.split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Registration (RFC 7591)

/// What a client registered, as stored.
struct Client {
    id: String,
    secret_hash: String,
    redirect_uris: Vec<String>,
    scopes: Vec<String>,
    grant_types: Vec<String>,
    auth_method: String,
    name: String,
    uri: Option<String>,
}

impl Client {
    fn from_record(r: ClientRecord) -> Option<Client> {
        let m: Value = serde_json::from_str(&r.metadata).ok()?;
        let strings = |k: &str| -> Vec<String> {
            m.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        Some(Client {
            id: r.client_id,
            secret_hash: r.secret_hash,
            redirect_uris: strings("redirect_uris"),
            scopes: split_scopes(m.get("scope").and_then(Value::as_str).unwrap_or("")),
            grant_types: strings("grant_types"),
            auth_method: m
                .get("token_endpoint_auth_method")
                .and_then(Value::as_str)
                .unwrap_or("client_secret_basic")
                .to_string(),
            name: m
                .get("client_name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            uri: m
                .get("client_uri")
                .and_then(Value::as_str)
                .map(String::from),
        })
    }
}

/// A registration error (RFC 7591 §3.2.2).
struct RegError(&'static str, String);

fn meta_err(detail: impl Into<String>) -> RegError {
    RegError("invalid_client_metadata", detail.into())
}

/// Is `host` a loopback host (http redirect URIs are allowed there, RFC 8252 §7.3)?
fn loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// An https URL (or http on loopback), without a fragment.
fn web_url(s: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(s).map_err(|e| format!("`{s}` is not an absolute URL ({e})"))?;
    match u.scheme() {
        "https" => {}
        "http" if loopback(&u) => {}
        "http" => {
            return Err(format!(
                "`{s}`: http is allowed only on loopback addresses; use https"
            ))
        }
        other => return Err(format!("`{s}`: the scheme `{other}` is not allowed")),
    }
    if u.fragment().is_some() {
        return Err(format!("`{s}` must not have a fragment"));
    }
    if u.host().is_none() {
        return Err(format!("`{s}` has no host"));
    }
    Ok(u)
}

/// Validates registration metadata; returns what is registered.
fn registered_metadata(v: &Value) -> Result<Map<String, Value>, RegError> {
    let Some(m) = v.as_object() else {
        return Err(meta_err(
            "the body must be a JSON object of client metadata",
        ));
    };
    let mut out = Map::new();
    let string = |k: &str| -> Result<Option<String>, RegError> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(meta_err(format!("`{k}` must be a non-empty string"))),
        }
    };
    let strings = |k: &str| -> Result<Option<Vec<String>>, RegError> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(String::from)
                        .ok_or_else(|| meta_err(format!("`{k}` must be an array of strings")))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(meta_err(format!("`{k}` must be an array of strings"))),
        }
    };

    let name = string("client_name")?.ok_or_else(|| meta_err("`client_name` is required"))?;
    out.insert("client_name".into(), json!(name));

    let redirect_uris = strings("redirect_uris")?
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            RegError(
                "invalid_redirect_uri",
                "`redirect_uris` is required: at least one URI".into(),
            )
        })?;
    for r in &redirect_uris {
        web_url(r).map_err(|e| RegError("invalid_redirect_uri", e))?;
    }
    out.insert("redirect_uris".into(), json!(redirect_uris));

    let client_uri = string("client_uri")?.ok_or_else(|| meta_err("`client_uri` is required"))?;
    web_url(&client_uri).map_err(|e| meta_err(format!("client_uri: {e}")))?;
    out.insert("client_uri".into(), json!(client_uri));
    for k in ["logo_uri", "tos_uri", "policy_uri"] {
        if let Some(u) = string(k)? {
            web_url(&u).map_err(|e| meta_err(format!("{k}: {e}")))?;
            out.insert(k.into(), json!(u));
        }
    }
    for k in ["software_id", "software_version"] {
        if let Some(s) = string(k)? {
            out.insert(k.into(), json!(s));
        }
    }
    if let Some(c) = strings("contacts")? {
        out.insert("contacts".into(), json!(c));
    }

    let grant_types =
        strings("grant_types")?.unwrap_or_else(|| vec!["authorization_code".to_string()]);
    for g in &grant_types {
        if g != "authorization_code" && g != "refresh_token" {
            return Err(meta_err(format!(
                "grant type `{g}` is not offered; use authorization_code and refresh_token"
            )));
        }
    }
    if !grant_types.iter().any(|g| g == "authorization_code") {
        return Err(meta_err("`grant_types` must include authorization_code"));
    }
    out.insert("grant_types".into(), json!(grant_types));

    let response_types = strings("response_types")?.unwrap_or_else(|| vec!["code".to_string()]);
    if response_types != ["code"] {
        return Err(meta_err("`response_types` must be [\"code\"]"));
    }
    out.insert("response_types".into(), json!(response_types));

    let method =
        string("token_endpoint_auth_method")?.unwrap_or_else(|| "client_secret_basic".to_string());
    if method != "client_secret_basic" && method != "client_secret_post" {
        return Err(meta_err(format!(
            "token_endpoint_auth_method `{method}` is not offered; use client_secret_basic or client_secret_post"
        )));
    }
    out.insert("token_endpoint_auth_method".into(), json!(method));

    let all: Vec<&str> = OAUTH_SCOPES.iter().map(Scope::as_str).collect();
    let scope = match string("scope")? {
        None => all.join(" "),
        Some(s) => {
            let list = split_scopes(&s);
            if let Some(bad) = list.iter().find(|x| !all.contains(&x.as_str())) {
                return Err(RegError(
                    "invalid_client_metadata",
                    format!(
                        "unknown scope `{bad}`; the Open Badges scopes are {}",
                        all.join(", ")
                    ),
                ));
            }
            list.join(" ")
        }
    };
    out.insert("scope".into(), json!(scope));
    Ok(out)
}

async fn register(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(&headers, body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(p) => {
            return oauth_error(
                p.status(),
                "invalid_client_metadata",
                p.body()["detail"].as_str().unwrap_or("unreadable body"),
            )
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !content_type.contains("json") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            format!("send the metadata as `application/json`; got `{content_type}`"),
        );
    }
    let value = match crate::json::parse(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_client_metadata",
                format!("the body is not acceptable JSON: {e}"),
            )
        }
    };
    let mut metadata = match registered_metadata(&value) {
        Ok(m) => m,
        Err(RegError(code, detail)) => return oauth_error(StatusCode::BAD_REQUEST, code, detail),
    };
    let client_id = new_secret("obc_");
    let secret = new_secret("obs_");
    let stored = serde_json::to_string(&metadata).unwrap_or_default();
    if let Err(e) = app
        .store
        .add_client(&ClientRecord {
            client_id: client_id.clone(),
            secret_hash: token_hash(&secret),
            metadata: stored,
        })
        .await
    {
        return store_failure(e);
    }
    metadata.insert("client_id".into(), json!(client_id));
    metadata.insert("client_secret".into(), json!(secret));
    metadata.insert("client_id_issued_at".into(), json!(app.clock.now()));
    metadata.insert("client_secret_expires_at".into(), json!(0));
    no_store_json(StatusCode::CREATED, &Value::Object(metadata))
}

// ---------------------------------------------------------------------------------------------
// Authorization endpoint

/// A checked authorization request.
struct AuthRequest {
    client: Client,
    redirect_uri: String,
    redirect_given: bool,
    scopes: Vec<String>,
    state: Option<String>,
    challenge: String,
}

/// Why an authorization request fails: before the redirect URI is trusted (a page), or after
/// (a redirect with `error=`).
enum AuthFailure {
    Page(StatusCode, String),
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
    Store(StoreError),
}

impl AuthFailure {
    fn respond(self) -> Response {
        match self {
            AuthFailure::Page(status, detail) => error_page(status, &detail),
            AuthFailure::Redirect {
                redirect_uri,
                state,
                error,
                description,
            } => {
                let mut p = vec![
                    ("error", error),
                    ("error_description", description.as_str()),
                ];
                if let Some(s) = &state {
                    p.push(("state", s));
                }
                redirect(&redirect_uri, &p)
            }
            AuthFailure::Store(e) => match e {
                StoreError::Unavailable(m) => {
                    eprintln!("openbadges serve: storage unavailable: {m}");
                    let mut r = error_page(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The service cannot reach its database right now. Try again in a moment.",
                    );
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                    r
                }
                StoreError::Other(m) => {
                    eprintln!("openbadges serve: internal error: {m}");
                    error_page(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "The service could not complete the request.",
                    )
                }
            },
        }
    }
}

/// Checks an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3).
async fn check_request(app: &App, p: &Params) -> Result<AuthRequest, AuthFailure> {
    let page = |d: &str| AuthFailure::Page(StatusCode::BAD_REQUEST, d.to_string());
    let client_id = p.get("client_id").ok_or_else(|| {
        page("The request does not say which application is asking (no client_id).")
    })?;
    let record = app
        .store
        .client(client_id)
        .await
        .map_err(AuthFailure::Store)?
        .ok_or_else(|| {
            page("The application asking is not registered here (unknown client_id).")
        })?;
    let client = Client::from_record(record).ok_or_else(|| {
        AuthFailure::Store(StoreError::Other("unreadable client metadata".into()))
    })?;
    let (redirect_uri, redirect_given) = match p.get("redirect_uri") {
        Some(r) if client.redirect_uris.iter().any(|x| x == r) => (r.to_string(), true),
        Some(_) => {
            return Err(page(
                "The address to send you back to is not one the application registered (redirect_uri mismatch).",
            ))
        }
        None if client.redirect_uris.len() == 1 => (client.redirect_uris[0].clone(), false),
        None => {
            return Err(page(
                "The request does not say where to send you back to (redirect_uri is required: the application registered several).",
            ))
        }
    };
    let state = p.get("state").map(String::from);
    let fail = |error: &'static str, description: &str| AuthFailure::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        error,
        description: description.to_string(),
    };
    match p.get("response_type") {
        Some("code") => {}
        Some(other) => {
            return Err(fail(
                "unsupported_response_type",
                &format!("response_type `{other}` is not offered; use `code`"),
            ))
        }
        None => return Err(fail("invalid_request", "response_type is required")),
    }
    let challenge = p.get("code_challenge").ok_or_else(|| {
        fail(
            "invalid_request",
            "PKCE is required: send code_challenge with code_challenge_method=S256",
        )
    })?;
    match p.get("code_challenge_method") {
        Some("S256") => {}
        Some(m) => {
            return Err(fail(
                "invalid_request",
                &format!("code_challenge_method `{m}` is not accepted; use S256"),
            ))
        }
        None => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method is required and must be S256",
            ))
        }
    }
    let challenge_ok = challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !challenge_ok {
        return Err(fail(
            "invalid_request",
            "code_challenge must be BASE64URL(SHA256(code_verifier)): 43 characters",
        ));
    }
    let scopes = match p.get("scope") {
        None => client.scopes.clone(),
        Some(s) => split_scopes(s),
    };
    if scopes.is_empty() {
        return Err(fail("invalid_scope", "no scope requested"));
    }
    if let Some(bad) = scopes.iter().find(|s| !client.scopes.contains(s)) {
        return Err(fail(
            "invalid_scope",
            &format!("the scope `{bad}` is not one this client registered"),
        ));
    }
    Ok(AuthRequest {
        client,
        redirect_uri,
        redirect_given,
        scopes,
        state,
        challenge: challenge.to_string(),
    })
}

/// The parameters the consent form carries back.
const CARRIED: [&str; 6] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "state",
    "code_challenge",
    "code_challenge_method",
];

fn consent_page(
    status: StatusCode,
    req: &AuthRequest,
    p: &Params,
    subject: &str,
    error: Option<&str>,
) -> Response {
    let mut hidden = String::new();
    for k in CARRIED {
        if let Some(v) = p.get(k) {
            hidden.push_str(&format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                escape(v)
            ));
        }
    }
    hidden.push_str(&format!(
        "<input type=\"hidden\" name=\"scope\" value=\"{}\">",
        escape(&req.scopes.join(" "))
    ));
    let mut scopes = String::new();
    for (i, s) in req.scopes.iter().enumerate() {
        scopes.push_str(&format!(
            "<label class=\"scope\" for=\"scope-{i}\"><input type=\"checkbox\" id=\"scope-{i}\" name=\"grant\" value=\"{}\" checked> <span>{}<br><span class=\"hint\">{}</span></span></label>",
            escape(s),
            escape(scope_words(s)),
            escape(s)
        ));
    }
    let name = if req.client.name.is_empty() {
        "An application"
    } else {
        req.client.name.as_str()
    };
    let from = req
        .client
        .uri
        .as_deref()
        .map(|u| format!("<p>It says it is <strong>{}</strong>.</p>", escape(u)))
        .unwrap_or_default();
    let alert = error
        .map(|e| {
            format!(
                "<p class=\"verdict bad\" role=\"alert\" id=\"signin-error\">{}</p>",
                escape(e)
            )
        })
        .unwrap_or_default();
    let described = if error.is_some() {
        " aria-describedby=\"signin-error\""
    } else {
        ""
    };
    let back = url::Url::parse(&req.redirect_uri)
        .ok()
        .and_then(|u| u.host_str().map(String::from))
        .unwrap_or_default();
    let body = format!(
        "<h1>{name_e} wants to use your badges</h1>{from}{alert}
<form method=\"post\" action=\"/oauth/authorize\">{hidden}
<fieldset><legend>It asks to</legend>{scopes}<p class=\"hint\">Untick anything you do not want to allow.</p></fieldset>
<fieldset><legend>Sign in</legend>
<label for=\"subject\">Your e-mail address or ID</label>
<input type=\"text\" id=\"subject\" name=\"subject\" autocomplete=\"username\" required value=\"{subject_e}\"{described}>
<label for=\"secret\">Your login secret</label>
<input type=\"password\" id=\"secret\" name=\"secret\" autocomplete=\"current-password\" required{described}>
<p class=\"hint\">Your district gave it to you (<code>openbadges serve owner create</code>).</p>
</fieldset>
<p>After you answer you are sent back to <strong>{back_e}</strong>.</p>
<button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button><button type=\"submit\" name=\"decision\" value=\"deny\" class=\"deny\" formnovalidate>Deny</button>
</form>",
        name_e = escape(name),
        subject_e = escape(subject),
        back_e = escape(&back),
    );
    html(status, &format!("Allow {name}?"), &body)
}

async fn authorize_page(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let p = match Params::parse(query.unwrap_or_default().as_bytes(), &[]) {
        Ok(p) => p,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e),
    };
    match check_request(&app, &p).await {
        Ok(req) => consent_page(StatusCode::OK, &req, &p, "", None),
        Err(f) => f.respond(),
    }
}

async fn authorize_answer(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let p = match read_form(&headers, body, &["grant"]).await {
        Ok(p) => p,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e),
    };
    let req = match check_request(&app, &p).await {
        Ok(r) => r,
        Err(f) => return f.respond(),
    };
    let with_state = |mut v: Vec<(&'static str, String)>| {
        if let Some(s) = &req.state {
            v.push(("state", s.clone()));
        }
        v
    };
    let send = |v: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
        redirect(&req.redirect_uri, &pairs)
    };
    match p.get("decision") {
        Some("approve") => {}
        Some("deny") => {
            return send(with_state(vec![
                ("error", "access_denied".into()),
                (
                    "error_description",
                    "the resource owner denied the request".into(),
                ),
            ]))
        }
        _ => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "The form was sent without choosing Allow or Deny.",
            )
        }
    }
    let subject_input = p.get("subject").unwrap_or("").trim().to_string();
    let secret = p.get("secret").unwrap_or("");
    let refuse = |msg: &str| {
        consent_page(
            StatusCode::UNAUTHORIZED,
            &req,
            &p,
            &subject_input,
            Some(msg),
        )
    };
    let Some(owner) = owner_key(&subject_input) else {
        return refuse("Enter your e-mail address or ID (a DID or URL).");
    };
    let stored = match app.store.owner_secret(&owner).await {
        Ok(s) => s,
        Err(e) => return AuthFailure::Store(e).respond(),
    };
    let ok = stored.is_some_and(|h| same(h.as_bytes(), token_hash(secret).as_bytes()));
    if !ok {
        return refuse(
            "That e-mail address or ID and login secret do not match. Check both and try again.",
        );
    }
    let granted: Vec<String> = split_scopes(&p.all("grant").collect::<Vec<_>>().join(" "));
    if let Some(bad) = granted.iter().find(|g| !req.scopes.contains(g)) {
        return error_page(
            StatusCode::BAD_REQUEST,
            &format!("The form approved `{bad}`, which was not asked for."),
        );
    }
    if granted.is_empty() {
        return send(with_state(vec![
            ("error", "access_denied".into()),
            (
                "error_description",
                "the resource owner allowed none of the requested scopes".into(),
            ),
        ]));
    }
    let code = new_secret("obac_");
    let record = AuthCode {
        hash: token_hash(&code),
        client_id: req.client.id.clone(),
        owner,
        redirect_uri: req.redirect_uri.clone(),
        redirect_given: req.redirect_given,
        scope: granted.join(" "),
        challenge: req.challenge.clone(),
        expires: app.clock.now() + CODE_TTL_SECONDS,
    };
    if let Err(e) = app.store.add_code(&record).await {
        return AuthFailure::Store(e).respond();
    }
    send(with_state(vec![("code", code)]))
}

// ---------------------------------------------------------------------------------------------
// Token and revocation endpoints

/// The client a token or revocation request authenticates as.
async fn authenticate_client(
    app: &App,
    headers: &HeaderMap,
    p: &Params,
) -> Result<Client, Response> {
    let invalid = |d: &str| oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", d);
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    let body_id = p.get("client_id");
    let body_secret = p.get("client_secret");
    let (id, secret, method) = match (basic, body_secret) {
        (Some(_), Some(_)) => {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "use one client authentication method, not both",
            ))
        }
        (Some(b), None) => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
                .and_then(|d| String::from_utf8(d).ok())
                .ok_or_else(|| invalid("the Basic credentials are not base64 of id:secret"))?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or_else(|| invalid("the Basic credentials are not id:secret"))?;
            // RFC 6749 §2.3.1: both are form-urlencoded before base64.
            let dec = |s: &str| -> String {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            let (id, secret) = (dec(id), dec(secret));
            if body_id.is_some_and(|b| b != id) {
                return Err(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "client_id in the body differs from the Basic credentials",
                ));
            }
            (id, secret, "client_secret_basic")
        }
        (None, Some(s)) => {
            let id = body_id.ok_or_else(|| invalid("client_secret without client_id"))?;
            (id.to_string(), s.to_string(), "client_secret_post")
        }
        (None, None) => {
            return Err(invalid(
                "client authentication is required (client_secret_basic or client_secret_post)",
            ))
        }
    };
    let record = app.store.client(&id).await.map_err(store_failure)?;
    let Some(client) = record.and_then(Client::from_record) else {
        return Err(invalid("unknown client"));
    };
    if !same(
        client.secret_hash.as_bytes(),
        token_hash(&secret).as_bytes(),
    ) {
        return Err(invalid("wrong client secret"));
    }
    if client.auth_method != method {
        return Err(invalid(&format!(
            "this client registered {}; it authenticated with {method}",
            client.auth_method
        )));
    }
    Ok(client)
}

fn bad_request(error: &str, d: impl Into<String>) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, error, d)
}

/// Issues an access token (and a refresh token when the client may refresh) for a grant.
async fn issue_tokens(
    app: &App,
    client: &Client,
    owner: &str,
    scope: &str,
    grant_id: &str,
) -> Response {
    let now = app.clock.now();
    let access = new_secret("oba_");
    let refresh = client
        .grant_types
        .iter()
        .any(|g| g == "refresh_token")
        .then(|| new_secret("obr_"));
    let tokens = NewTokens {
        access_hash: token_hash(&access),
        access_expires: now + ACCESS_TTL_SECONDS,
        refresh_hash: refresh.as_deref().map(token_hash),
        refresh_expires: now + REFRESH_TTL_SECONDS,
        client_id: client.id.clone(),
        owner: owner.to_string(),
        scope: scope.to_string(),
        grant_id: grant_id.to_string(),
    };
    if let Err(e) = app.store.add_oauth_tokens(&tokens).await {
        return store_failure(e);
    }
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ACCESS_TTL_SECONDS,
        "scope": scope,
    });
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    no_store_json(StatusCode::OK, &body)
}

/// The scopes a token request asks for: all of `granted` when it names none; never wider (the
/// error is the `invalid_scope` description).
fn narrowed(p: &Params, granted: &str) -> Result<String, String> {
    let granted = split_scopes(granted);
    match p.get("scope") {
        None => Ok(granted.join(" ")),
        Some(s) => {
            let asked = split_scopes(s);
            if let Some(bad) = asked.iter().find(|a| !granted.contains(a)) {
                return Err(format!(
                    "`{bad}` was not granted; scopes can only be narrowed"
                ));
            }
            if asked.is_empty() {
                return Err("no scope requested".into());
            }
            Ok(asked.join(" "))
        }
    }
}

fn pkce_ok(verifier: &str, challenge: &str) -> bool {
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    same(computed.as_bytes(), challenge.as_bytes())
}

async fn token(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let p = match read_form(&headers, body, &[]).await {
        Ok(p) => p,
        Err(e) => return bad_request("invalid_request", e),
    };
    let client = match authenticate_client(&app, &headers, &p).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match p.get("grant_type") {
        Some("authorization_code") => code_grant(&app, &client, &p).await,
        Some("refresh_token") => refresh_grant(&app, &client, &p).await,
        Some(other) => bad_request(
            "unsupported_grant_type",
            format!("grant_type `{other}` is not offered; use authorization_code or refresh_token"),
        ),
        None => bad_request("invalid_request", "grant_type is required"),
    }
}

async fn code_grant(app: &App, client: &Client, p: &Params) -> Response {
    let Some(code) = p.get("code") else {
        return bad_request("invalid_request", "code is required");
    };
    let Some(verifier) = p.get("code_verifier") else {
        return bad_request("invalid_request", "code_verifier is required (PKCE)");
    };
    let verifier_ok = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !verifier_ok {
        return bad_request(
            "invalid_request",
            "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
        );
    }
    let found = match app.store.take_code(&token_hash(code)).await {
        Ok(f) => f,
        Err(e) => return store_failure(e),
    };
    let invalid = |d: &str| bad_request("invalid_grant", d);
    let record = match found {
        CodeUse::Unknown => return invalid("unknown authorization code"),
        CodeUse::Replayed => {
            return invalid(
                "the authorization code was already used; the tokens issued for it are revoked",
            )
        }
        CodeUse::Fresh(r) => r,
    };
    if record.client_id != client.id {
        return invalid("the authorization code was issued to another client");
    }
    if app.clock.now() >= record.expires {
        return invalid("the authorization code has expired");
    }
    match p.get("redirect_uri") {
        Some(r) if r != record.redirect_uri => {
            return invalid("redirect_uri differs from the one in the authorization request")
        }
        None if record.redirect_given => {
            return invalid("redirect_uri is required: the authorization request named one")
        }
        _ => {}
    }
    if !pkce_ok(verifier, &record.challenge) {
        return invalid("code_verifier does not match the code_challenge");
    }
    let scope = match narrowed(p, &record.scope) {
        Ok(s) => s,
        Err(d) => return bad_request("invalid_scope", d),
    };
    issue_tokens(app, client, &record.owner, &scope, &record.hash).await
}

async fn refresh_grant(app: &App, client: &Client, p: &Params) -> Response {
    if !client.grant_types.iter().any(|g| g == "refresh_token") {
        return bad_request(
            "unauthorized_client",
            "this client did not register the refresh_token grant",
        );
    }
    let Some(token) = p.get("refresh_token") else {
        return bad_request("invalid_request", "refresh_token is required");
    };
    let hash = token_hash(token);
    let record = match app.store.refresh_record(&hash).await {
        Ok(Some(r)) => r,
        Ok(None) => return bad_request("invalid_grant", "unknown or revoked refresh token"),
        Err(e) => return store_failure(e),
    };
    if record.client_id != client.id {
        return bad_request(
            "invalid_grant",
            "the refresh token was issued to another client",
        );
    }
    let replay = || async {
        match app.store.revoke_grant(&record.grant_id).await {
            Ok(()) => bad_request(
                "invalid_grant",
                "the refresh token was already used; every token of its grant is now revoked",
            ),
            Err(e) => store_failure(e),
        }
    };
    if record.used {
        return replay().await;
    }
    if app.clock.now() >= record.expires {
        return bad_request("invalid_grant", "the refresh token has expired");
    }
    let scope = match narrowed(p, &record.scope) {
        Ok(s) => s,
        Err(d) => return bad_request("invalid_scope", d),
    };
    match app.store.consume_refresh(&hash).await {
        Ok(true) => {}
        Ok(false) => return replay().await,
        Err(e) => return store_failure(e),
    }
    issue_tokens(app, client, &record.owner, &scope, &record.grant_id).await
}

async fn revoke(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let p = match read_form(&headers, body, &[]).await {
        Ok(p) => p,
        Err(e) => return bad_request("invalid_request", e),
    };
    let client = match authenticate_client(&app, &headers, &p).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = p.get("token") else {
        return bad_request("invalid_request", "token is required");
    };
    let hash = token_hash(token);
    let found = match app.store.find_token(&hash).await {
        Ok(f) => f,
        Err(e) => return store_failure(e),
    };
    let done = match found {
        // RFC 7009 §2.2: an unknown (or already revoked) token is answered 200 too.
        None => Ok(()),
        Some(FoundToken::Access { client_id, .. }) if client_id.as_deref() == Some(&client.id) => {
            app.store.delete_access_token(&hash).await
        }
        Some(FoundToken::Refresh {
            client_id,
            grant_id,
        }) if client_id == client.id => app.store.revoke_grant(&grant_id).await,
        Some(_) => {
            return bad_request(
                "unauthorized_client",
                "this token was not issued to this client",
            )
        }
    };
    match done {
        Ok(()) => {
            let mut r = StatusCode::OK.into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => store_failure(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Metadata

/// The endpoints' URLs under the public base.
pub fn endpoints(base: &str) -> Value {
    json!({
        "registration": format!("{base}/oauth/register"),
        "authorization": format!("{base}/oauth/authorize"),
        "token": format!("{base}/oauth/token"),
        "revocation": format!("{base}/oauth/revoke"),
    })
}

async fn metadata(State(app): State<Arc<App>>) -> Response {
    let base = &app.base;
    let e = endpoints(base);
    super::problem::json_response(
        StatusCode::OK,
        &json!({
            "issuer": base,
            "authorization_endpoint": e["authorization"],
            "token_endpoint": e["token"],
            "registration_endpoint": e["registration"],
            "revocation_endpoint": e["revocation"],
            "scopes_supported": OAUTH_SCOPES.iter().map(Scope::as_str).collect::<Vec<_>>(),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "service_documentation": format!("{base}/ims/ob/v3p0/discovery"),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        // RFC 7636 Appendix B.
        assert!(pkce_ok(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_ok(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(Params::parse(b"a=1&a=2", &[]).is_err());
        let p = Params::parse(b"a=1&grant=x&grant=y", &["grant"]).unwrap();
        assert_eq!(p.all("grant").collect::<Vec<_>>(), ["x", "y"]);
    }

    #[test]
    fn owners_are_ids_or_emails() {
        assert_eq!(
            owner_key("Maria@Example.org").as_deref(),
            Some("maria@example.org")
        );
        assert_eq!(
            owner_key("mailto:maria@example.org").as_deref(),
            Some("maria@example.org")
        );
        assert_eq!(
            owner_key("did:example:maria").as_deref(),
            Some("did:example:maria")
        );
        assert_eq!(owner_key("maria"), None);
        assert_eq!(owner_key(""), None);
    }

    #[test]
    fn redirect_uris_must_be_https_or_loopback() {
        assert!(web_url("https://wallet.example/cb").is_ok());
        assert!(web_url("http://127.0.0.1:9/cb").is_ok());
        assert!(web_url("http://wallet.example/cb").is_err());
        assert!(web_url("https://wallet.example/cb#x").is_err());
        assert!(web_url("javascript:alert(1)").is_err());
        assert!(web_url("/cb").is_err());
    }
}
