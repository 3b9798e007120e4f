//! OAuth 2.0 for the Open Badges 3.0 API, over real HTTP against a real `openbadges serve`: a
//! wallet registers (RFC 7591), runs the authorization code flow with PKCE through the consent
//! page, reads the owner's credentials (and not another teacher's), refreshes, revokes; and every
//! bad input gets its status and RFC 6749 / RFC 7591 error body, never a 500. Time moves through
//! the server's clock file (`serve --clock-file`), so expiry is tested without sleeping.
#![cfg(feature = "server")]

mod serve_support;

use std::path::Path;

use base64::Engine;
use openbadges::identity::IdentityObject;
use serde_json::{json, Value};
use serve_support::*;
use sha2::{Digest, Sha256};

const OB: &str = "https://purl.imsglobal.org/spec/ob/v3p0/scope/";
const REDIRECT: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "a-fixed-pkce-code-verifier-of-enough-length-0123456789";
const T0: &str = "2026-03-02T09:00:00Z";

fn scope(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{OB}{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Moves the server's clock to `T0 + seconds`.
fn set_clock(file: &Path, seconds: i64) {
    let t = chrono::DateTime::parse_from_rfc3339(T0).unwrap() + chrono::Duration::seconds(seconds);
    std::fs::write(file, t.to_rfc3339()).unwrap();
}

fn no_redirects() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(std::time::Duration::from_secs(60))
        .build()
}

/// A response with its `Location`.
struct Answer {
    status: u16,
    location: Option<String>,
    cache_control: Option<String>,
    text: String,
    json: Value,
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
    let r = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = r.status();
    let location = r.header("location").map(String::from);
    let cache_control = r.header("cache-control").map(String::from);
    let text = r.into_string().unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        location,
        cache_control,
        text,
        json,
    }
}

/// The query parameters of a redirect `Location`.
fn query_of(location: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

struct Wallet {
    client_id: String,
    secret: String,
}

fn register(server: &Server, metadata: &Value) -> Answer {
    answer(
        no_redirects()
            .post(&format!("{}/oauth/register", server.url))
            .set("content-type", "application/json")
            .send_string(&metadata.to_string()),
    )
}

fn wallet_metadata() -> Value {
    json!({
        "client_name": "Backpack Wallet",
        "client_uri": "https://wallet.example",
        "logo_uri": "https://wallet.example/logo.png",
        "tos_uri": "https://wallet.example/tos",
        "policy_uri": "https://wallet.example/privacy",
        "software_id": "c5a4b2a0-backpack",
        "software_version": "1.4.0",
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": scope(&["credential.readonly", "credential.upsert", "profile.readonly"]),
    })
}

fn registered(server: &Server, metadata: &Value) -> Wallet {
    let r = register(server, metadata);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.cache_control.as_deref(), Some("no-store"));
    Wallet {
        client_id: r.json["client_id"].as_str().unwrap().to_string(),
        secret: r.json["client_secret"].as_str().unwrap().to_string(),
    }
}

fn authorize_query(w: &Wallet, scopes: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), w.client_id.clone()),
        ("redirect_uri".into(), REDIRECT.into()),
        ("scope".into(), scopes.into()),
        ("state".into(), "st-42".into()),
        ("code_challenge".into(), challenge(VERIFIER)),
        ("code_challenge_method".into(), "S256".into()),
    ];
    for (k, v) in extra {
        q.retain(|(n, _)| n != k);
        if !v.is_empty() {
            q.push((k.to_string(), v.to_string()));
        }
    }
    q
}

fn get_authorize(server: &Server, q: &[(String, String)]) -> Answer {
    let mut req = no_redirects().get(&format!("{}/oauth/authorize", server.url));
    for (k, v) in q {
        req = req.query(k, v);
    }
    answer(req.call())
}

fn post_form(url: &str, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> Answer {
    let mut req = no_redirects().post(url);
    if let Some((id, secret)) = basic {
        let b = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        req = req.set("authorization", &format!("Basic {b}"));
    }
    answer(req.send_form(form))
}

/// Approves on the consent page as `subject` with `secret`, granting `grant`.
fn approve(
    server: &Server,
    q: &[(String, String)],
    subject: &str,
    secret: &str,
    grant: &[String],
) -> Answer {
    let mut form: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form.push(("subject", subject));
    form.push(("secret", secret));
    form.push(("decision", "approve"));
    for g in grant {
        form.push(("grant", g));
    }
    post_form(&format!("{}/oauth/authorize", server.url), None, &form)
}

/// The code from a successful consent.
fn code_from(a: &Answer) -> String {
    assert_eq!(a.status, 303, "{}", a.text);
    let loc = a.location.as_deref().unwrap();
    assert!(loc.starts_with(REDIRECT), "{loc}");
    let q = query_of(loc);
    assert_eq!(q.get("state").map(String::as_str), Some("st-42"), "{loc}");
    q.get("code")
        .unwrap_or_else(|| panic!("no code in {loc}"))
        .clone()
}

fn exchange(server: &Server, w: &Wallet, code: &str, verifier: &str) -> Answer {
    post_form(
        &format!("{}/oauth/token", server.url),
        Some((&w.client_id, &w.secret)),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
}

/// A whole consent for `subject`: the code.
fn consent(server: &Server, w: &Wallet, subject: &str, secret: &str, scopes: &str) -> String {
    let q = authorize_query(w, scopes, &[]);
    let grant: Vec<String> = scopes.split(' ').map(String::from).collect();
    code_from(&approve(server, &q, subject, secret, &grant))
}

fn bearer_get(url: &str, token: &str) -> Reply {
    send(
        agent()
            .get(url)
            .set("authorization", &format!("Bearer {token}")),
        None,
    )
}

#[track_caller]
fn assert_oauth_error(a: &Answer, status: u16, error: &str) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.json["error"], error, "{}", a.text);
    assert!(a.json["error_description"].is_string(), "{}", a.text);
}

#[track_caller]
fn assert_redirect_error(a: &Answer, error: &str) {
    assert_eq!(a.status, 303, "{}", a.text);
    let loc = a.location.as_deref().unwrap();
    assert!(loc.starts_with(REDIRECT), "{loc}");
    let q = query_of(loc);
    assert_eq!(q.get("error").map(String::as_str), Some(error), "{loc}");
    assert_eq!(q.get("state").map(String::as_str), Some("st-42"), "{loc}");
    assert!(!q.contains_key("code"), "{loc}");
}

fn owner(dir: &Path, db: Option<&str>, subject: &str) -> String {
    let mut args = vec![
        "serve",
        "owner",
        "create",
        "--subject",
        subject,
        "--issuer-dir",
        dir.to_str().unwrap(),
    ];
    if let Some(db) = db {
        args.extend(["--db", db]);
    }
    let out = openbadges(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(s.starts_with("obo_") && s.len() > 40, "{s}");
    s
}

/// A district with three teachers' badges issued: Maria (a DID), Jamal (a DID), Lee (a hashed
/// e-mail identifier).
struct District {
    _tmp: tempfile::TempDir,
    clock: std::path::PathBuf,
    server: Server,
    maria: String,
    lee: String,
    admin_ro: String,
    issued: Vec<Value>,
}

fn district() -> District {
    district_on(None)
}

fn district_on(db: Option<&str>) -> District {
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let issue = token(&dir, db, &["issue"]);
    let admin_ro = token(&dir, db, &["credential.readonly"]);
    let maria = owner(&dir, db, "did:example:maria");
    let lee = owner(&dir, db, "Lee@Riverside.example");
    let clock = tmp.path().join("clock");
    set_clock(&clock, 0);
    let mut args = vec!["--clock-file", clock.to_str().unwrap()];
    if let Some(db) = db {
        args.extend(["--db", db]);
    }
    let server = Server::start(&dir, &args);
    let mut issued = Vec::new();
    let mut lees = badge("did:example:placeholder");
    lees["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    lees["credentialSubject"]["identifier"] =
        json!([IdentityObject::hashed_email("lee@riverside.example", "pepper-17").to_value()]);
    for (input, suite) in [
        (badge("did:example:maria"), "eddsa-rdfc-2022"),
        (badge("did:example:jamal"), "eddsa-rdfc-2022"),
        (badge("did:example:maria"), "jwt-eddsa"),
        (lees, "eddsa-jcs-2022"),
    ] {
        let r = post(
            &format!("{}/credentials/issue", server.url),
            Some(&issue),
            &json!({"credential": input, "options": {"cryptosuite": suite}}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        issued.push(r.json["verifiableCredential"].clone());
    }
    District {
        _tmp: tmp,
        clock,
        server,
        maria,
        lee,
        admin_ro,
        issued,
    }
}

#[test]
fn a_wallet_gets_one_teachers_badges() {
    let d = district();
    let s = &d.server;

    // Discovery names every endpoint; RFC 8414 metadata agrees.
    let disc = get(&format!("{}/ims/ob/v3p0/discovery", s.url));
    assert_eq!(disc.status, 200, "{}", disc.text);
    let acg = &disc.json["components"]["securitySchemes"]["OAuth2ACG"];
    assert_eq!(acg["type"], "oauth2");
    let flow = &acg["flows"]["authorizationCode"];
    // Under the public URL (the issuer's origin here; the test reaches the server directly).
    let public = "https://district.example";
    let registration = acg["x-imssf-registrationUrl"].as_str().unwrap();
    assert_eq!(registration, format!("{public}/oauth/register"));
    assert_eq!(
        flow["authorizationUrl"],
        format!("{public}/oauth/authorize")
    );
    assert_eq!(flow["tokenUrl"], format!("{public}/oauth/token"));
    assert_eq!(flow["refreshUrl"], format!("{public}/oauth/token"));
    let meta = get(&format!("{}/.well-known/oauth-authorization-server", s.url));
    assert_eq!(meta.status, 200, "{}", meta.text);
    assert_eq!(meta.json["issuer"], public);
    assert_eq!(meta.json["registration_endpoint"], registration);
    assert_eq!(
        meta.json["revocation_endpoint"],
        format!("{public}/oauth/revoke")
    );
    assert_eq!(
        meta.json["code_challenge_methods_supported"],
        json!(["S256"])
    );

    // The wallet registers.
    let reg = register(s, &wallet_metadata());
    assert_eq!(reg.status, 201, "{}", reg.text);
    assert_eq!(reg.json["client_name"], "Backpack Wallet");
    assert_eq!(reg.json["client_secret_expires_at"], 0);
    assert_eq!(reg.json["redirect_uris"], json!([REDIRECT]));
    let w = Wallet {
        client_id: reg.json["client_id"].as_str().unwrap().into(),
        secret: reg.json["client_secret"].as_str().unwrap().into(),
    };

    // The consent page: labelled fields, the scopes in words, no script.
    let scopes = scope(&[
        "credential.readonly",
        "credential.upsert",
        "profile.readonly",
    ]);
    let q = authorize_query(&w, &scopes, &[]);
    let page = get_authorize(s, &q);
    assert_eq!(page.status, 200, "{}", page.text);
    for needle in [
        "Backpack Wallet wants to use your badges",
        "<label for=\"subject\">",
        "<label for=\"secret\">",
        "Read your badges",
        "<legend>",
        "lang=\"en\"",
    ] {
        assert!(page.text.contains(needle), "{needle} in {}", page.text);
    }
    assert!(!page.text.contains("<script"));

    // Maria approves reading only (she unticks upsert and profile).
    let read_only = vec![format!("{OB}credential.readonly")];
    let code = code_from(&approve(s, &q, "did:example:maria", &d.maria, &read_only));
    let tok = exchange(s, &w, &code, VERIFIER);
    assert_eq!(tok.status, 200, "{}", tok.text);
    assert_eq!(tok.cache_control.as_deref(), Some("no-store"));
    assert_eq!(tok.json["token_type"], "Bearer");
    assert_eq!(tok.json["expires_in"], 3600);
    assert_eq!(tok.json["scope"], read_only[0]);
    let access = tok.json["access_token"].as_str().unwrap().to_string();
    let refresh = tok.json["refresh_token"].as_str().unwrap().to_string();

    // Maria's two badges, not Jamal's or Lee's.
    let api = format!("{}/ims/ob/v3p0", s.url);
    let mine = bearer_get(&format!("{api}/credentials"), &access);
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.json["credential"], json!([d.issued[0]]));
    assert_eq!(mine.json["compactJwsString"], json!([d.issued[2]]));
    assert!(!mine.text.contains("did:example:jamal"));
    let paged = bearer_get(&format!("{api}/credentials?limit=1&offset=1"), &access);
    assert_eq!(paged.status, 200, "{}", paged.text);
    assert_eq!(paged.json, json!({"compactJwsString": [d.issued[2]]}));
    // Scopes she did not grant are refused.
    assert_problem(&bearer_get(&format!("{api}/profile"), &access), 403);
    // The operator's token still sees everything.
    let all = bearer_get(&format!("{api}/credentials"), &d.admin_ro);
    assert_eq!(all.json["credential"].as_array().unwrap().len(), 3);

    // The CLI imports her badges with the flow's token.
    let out = openbadges(&["import", "--from", &s.url, "--token", &access]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");

    // Lee signs in with the e-mail address (any case) her hashed identifier names.
    let all_scopes: Vec<String> = scopes.split(' ').map(String::from).collect();
    let lee_code = code_from(&approve(
        s,
        &q,
        "LEE@riverside.example",
        &d.lee,
        &all_scopes,
    ));
    let lee_tok = exchange(s, &w, &lee_code, VERIFIER);
    assert_eq!(lee_tok.status, 200, "{}", lee_tok.text);
    let lee_access = lee_tok.json["access_token"].as_str().unwrap();
    let lees = bearer_get(&format!("{api}/credentials"), lee_access);
    assert_eq!(lees.json, json!({"credential": [d.issued[3]]}));
    // She may not upsert Jamal's badge into the host, even with the upsert scope.
    let jamal = serde_json::to_vec(&d.issued[1]).unwrap();
    let up = send(
        agent()
            .post(&format!("{api}/credentials"))
            .set("authorization", &format!("Bearer {lee_access}"))
            .set("content-type", "application/json"),
        Some(&jamal),
    );
    assert_problem(&up, 403);

    // Refresh: rotation, and the scope can narrow but never widen.
    let widened = post_form(
        &format!("{}/oauth/token", s.url),
        Some((&w.client_id, &w.secret)),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("scope", &scopes),
        ],
    );
    assert_oauth_error(&widened, 400, "invalid_scope");
    let refreshed = post_form(
        &format!("{}/oauth/token", s.url),
        Some((&w.client_id, &w.secret)),
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    );
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert_eq!(refreshed.json["scope"], read_only[0]);
    let access2 = refreshed.json["access_token"].as_str().unwrap().to_string();
    let refresh2 = refreshed.json["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(refresh2, refresh);
    assert_eq!(
        bearer_get(&format!("{api}/credentials"), &access2).status,
        200
    );

    // Access tokens expire by the server's clock.
    set_clock(&d.clock, 3599);
    assert_eq!(
        bearer_get(&format!("{api}/credentials"), &access).status,
        200
    );
    set_clock(&d.clock, 3600);
    let expired = bearer_get(&format!("{api}/credentials"), &access);
    assert_problem(&expired, 401);
    assert!(expired
        .www_authenticate
        .as_deref()
        .is_some_and(|h| h.contains("invalid_token")));

    // Revoking the refresh token ends the grant: its access tokens stop working too.
    let revoked = post_form(
        &format!("{}/oauth/revoke", s.url),
        Some((&w.client_id, &w.secret)),
        &[("token", &refresh2), ("token_type_hint", "refresh_token")],
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    set_clock(&d.clock, 10);
    assert_problem(&bearer_get(&format!("{api}/credentials"), &access2), 401);
    let after = post_form(
        &format!("{}/oauth/token", s.url),
        Some((&w.client_id, &w.secret)),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh2),
        ],
    );
    assert_oauth_error(&after, 400, "invalid_grant");
    // Revoking an access token by itself; an unknown token is answered 200 (RFC 7009 §2.2).
    let lee_refresh = lee_tok.json["refresh_token"].as_str().unwrap();
    let r = post_form(
        &format!("{}/oauth/revoke", s.url),
        None,
        &[
            ("token", lee_access),
            ("client_id", &w.client_id),
            ("client_secret", &w.secret),
        ],
    );
    // This wallet registered client_secret_basic: client_secret_post is refused.
    assert_oauth_error(&r, 401, "invalid_client");
    let r = post_form(
        &format!("{}/oauth/revoke", s.url),
        Some((&w.client_id, &w.secret)),
        &[("token", lee_access)],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_problem(&bearer_get(&format!("{api}/credentials"), lee_access), 401);
    let lee_again = post_form(
        &format!("{}/oauth/token", s.url),
        Some((&w.client_id, &w.secret)),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", lee_refresh),
        ],
    );
    assert_eq!(lee_again.status, 200, "{}", lee_again.text);
    let r = post_form(
        &format!("{}/oauth/revoke", s.url),
        Some((&w.client_id, &w.secret)),
        &[("token", "oba_never-issued")],
    );
    assert_eq!(r.status, 200, "{}", r.text);
}

#[test]
fn every_bad_input_gets_its_error() {
    let d = district();
    let s = &d.server;
    let token_url = format!("{}/oauth/token", s.url);

    // Registration (RFC 7591 §3.2.2).
    let mut m = wallet_metadata();
    m.as_object_mut().unwrap().remove("client_name");
    assert_oauth_error(&register(s, &m), 400, "invalid_client_metadata");
    let mut m = wallet_metadata();
    m["redirect_uris"] = json!(["http://wallet.example/cb"]);
    assert_oauth_error(&register(s, &m), 400, "invalid_redirect_uri");
    m["redirect_uris"] = json!([]);
    assert_oauth_error(&register(s, &m), 400, "invalid_redirect_uri");
    m["redirect_uris"] = json!(["https://wallet.example/cb#frag"]);
    assert_oauth_error(&register(s, &m), 400, "invalid_redirect_uri");
    let mut m = wallet_metadata();
    m["scope"] = json!(format!("{} issue", scope(&["credential.readonly"])));
    assert_oauth_error(&register(s, &m), 400, "invalid_client_metadata");
    let mut m = wallet_metadata();
    m["grant_types"] = json!(["implicit"]);
    assert_oauth_error(&register(s, &m), 400, "invalid_client_metadata");
    let mut m = wallet_metadata();
    m["token_endpoint_auth_method"] = json!("none");
    assert_oauth_error(&register(s, &m), 400, "invalid_client_metadata");
    let mut m = wallet_metadata();
    m["client_uri"] = json!(42);
    assert_oauth_error(&register(s, &m), 400, "invalid_client_metadata");
    assert_oauth_error(
        &register(s, &json!(["not", "an", "object"])),
        400,
        "invalid_client_metadata",
    );
    let not_json = answer(
        no_redirects()
            .post(&format!("{}/oauth/register", s.url))
            .set("content-type", "application/json")
            .send_string("{\"client_name\": "),
    );
    assert_oauth_error(&not_json, 400, "invalid_client_metadata");

    let w = registered(s, &wallet_metadata());
    let mut post_meta = wallet_metadata();
    post_meta["token_endpoint_auth_method"] = json!("client_secret_post");
    post_meta["grant_types"] = json!(["authorization_code"]);
    let other = registered(s, &post_meta);
    let ro = scope(&["credential.readonly"]);

    // Authorization requests whose client or redirect URI cannot be trusted: a page, no redirect.
    for q in [
        authorize_query(&w, &ro, &[("client_id", "obc_unknown")]),
        authorize_query(&w, &ro, &[("client_id", "")]),
        authorize_query(&w, &ro, &[("redirect_uri", "http://127.0.0.1:9/elsewhere")]),
    ] {
        let a = get_authorize(s, &q);
        assert_eq!(a.status, 400, "{}", a.text);
        assert!(a.location.is_none());
        assert!(a.text.contains("role=\"alert\""), "{}", a.text);
    }
    // A parameter given twice is refused.
    let mut twice = authorize_query(&w, &ro, &[]);
    twice.push(("client_id".into(), other.client_id.clone()));
    assert_eq!(get_authorize(s, &twice).status, 400);
    // Everything else redirects with error= (RFC 6749 §4.1.2.1).
    for (extra, error) in [
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge_method", "")], "invalid_request"),
        (vec![("code_challenge", "too-short")], "invalid_request"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("response_type", "")], "invalid_request"),
    ] {
        assert_redirect_error(&get_authorize(s, &authorize_query(&w, &ro, &extra)), error);
    }
    // Scope escalation: a scope the client did not register.
    let wide = scope(&["credential.readonly", "profile.update"]);
    assert_redirect_error(
        &get_authorize(s, &authorize_query(&w, &wide, &[])),
        "invalid_scope",
    );
    // The owner denies; signs in wrong; approves a scope not asked for.
    let q = authorize_query(&w, &ro, &[]);
    let mut deny: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    deny.push(("decision", "deny"));
    assert_redirect_error(
        &post_form(&format!("{}/oauth/authorize", s.url), None, &deny),
        "access_denied",
    );
    let grant = vec![ro.clone()];
    for (subject, secret) in [
        ("did:example:maria", "obo_wrong"),
        ("did:example:jamal", d.maria.as_str()),
        ("lee@riverside.example", d.maria.as_str()),
        ("", d.maria.as_str()),
    ] {
        let a = approve(s, &q, subject, secret, &grant);
        assert_eq!(a.status, 401, "{}", a.text);
        assert!(a.location.is_none());
        assert!(
            a.text.contains("do not match") || a.text.contains("Enter your"),
            "{}",
            a.text
        );
    }
    let a = approve(
        s,
        &q,
        "did:example:maria",
        &d.maria,
        &[format!("{OB}profile.readonly")],
    );
    assert_eq!(a.status, 400, "{}", a.text);
    assert_redirect_error(
        &approve(s, &q, "did:example:maria", &d.maria, &[]),
        "access_denied",
    );

    // The token endpoint. Client authentication first.
    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    assert_oauth_error(&post_form(&token_url, None, &form), 401, "invalid_client");
    assert_oauth_error(
        &post_form(&token_url, Some(("obc_unknown", &w.secret)), &form),
        401,
        "invalid_client",
    );
    let wrong = post_form(&token_url, Some((&w.client_id, "obs_wrong")), &form);
    assert_oauth_error(&wrong, 401, "invalid_client");
    // Another client's credentials with this code: the code is not theirs.
    let mut theirs = form.to_vec();
    theirs.push(("client_id", &other.client_id));
    theirs.push(("client_secret", &other.secret));
    assert_oauth_error(&post_form(&token_url, None, &theirs), 400, "invalid_grant");
    // That burned the code (one use): the rightful client now gets invalid_grant too.
    assert_oauth_error(&exchange(s, &w, &code, VERIFIER), 400, "invalid_grant");

    // Wrong verifier.
    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    let bad = exchange(
        s,
        &w,
        &code,
        "another-verifier-that-is-long-enough-to-be-valid-000",
    );
    assert_oauth_error(&bad, 400, "invalid_grant");
    assert_oauth_error(&exchange(s, &w, &code, "short"), 400, "invalid_request");
    // Wrong redirect_uri.
    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    let r = post_form(
        &token_url,
        Some((&w.client_id, &w.secret)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/elsewhere"),
            ("code_verifier", VERIFIER),
        ],
    );
    assert_oauth_error(&r, 400, "invalid_grant");
    // Expired code: 60 seconds.
    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    set_clock(&d.clock, 60);
    assert_oauth_error(&exchange(s, &w, &code, VERIFIER), 400, "invalid_grant");
    set_clock(&d.clock, 0);
    // Scope escalation at the token endpoint.
    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    let r = post_form(
        &token_url,
        Some((&w.client_id, &w.secret)),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            (
                "scope",
                &scope(&["credential.readonly", "credential.upsert"]),
            ),
        ],
    );
    assert_oauth_error(&r, 400, "invalid_scope");
    // Reused code: refused, and the tokens it produced are revoked.
    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    let first = exchange(s, &w, &code, VERIFIER);
    assert_eq!(first.status, 200, "{}", first.text);
    let access = first.json["access_token"].as_str().unwrap();
    let api = format!("{}/ims/ob/v3p0/credentials", s.url);
    assert_eq!(bearer_get(&api, access).status, 200);
    let replay = exchange(s, &w, &code, VERIFIER);
    assert_oauth_error(&replay, 400, "invalid_grant");
    assert_problem(&bearer_get(&api, access), 401);
    let refresh = first.json["refresh_token"].as_str().unwrap();
    let r = post_form(
        &token_url,
        Some((&w.client_id, &w.secret)),
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    );
    assert_oauth_error(&r, 400, "invalid_grant");
    // A rotated refresh token used again ends its grant.
    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    let t = exchange(s, &w, &code, VERIFIER);
    let r1 = t.json["refresh_token"].as_str().unwrap();
    let rotate = |rt: &str| {
        post_form(
            &token_url,
            Some((&w.client_id, &w.secret)),
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
    };
    let t2 = rotate(r1);
    assert_eq!(t2.status, 200, "{}", t2.text);
    assert_oauth_error(&rotate(r1), 400, "invalid_grant");
    let a2 = t2.json["access_token"].as_str().unwrap();
    assert_problem(&bearer_get(&api, a2), 401);
    assert_oauth_error(
        &rotate(t2.json["refresh_token"].as_str().unwrap()),
        400,
        "invalid_grant",
    );
    // A client without the refresh grant, unknown grant types, missing parameters, wrong
    // content type.
    let r = post_form(
        &token_url,
        None,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", r1),
            ("client_id", &other.client_id),
            ("client_secret", &other.secret),
        ],
    );
    assert_oauth_error(&r, 400, "unauthorized_client");
    let basic = Some((w.client_id.as_str(), w.secret.as_str()));
    assert_oauth_error(
        &post_form(&token_url, basic, &[("grant_type", "password")]),
        400,
        "unsupported_grant_type",
    );
    assert_oauth_error(&post_form(&token_url, basic, &[]), 400, "invalid_request");
    assert_oauth_error(
        &post_form(&token_url, basic, &[("grant_type", "authorization_code")]),
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &post_form(
            &token_url,
            basic,
            &[
                ("grant_type", "authorization_code"),
                ("code", "obac_nope"),
                ("code_verifier", VERIFIER),
            ],
        ),
        400,
        "invalid_grant",
    );
    let json_body = answer(
        no_redirects()
            .post(&token_url)
            .set("content-type", "application/json")
            .send_string("{\"grant_type\": \"authorization_code\"}"),
    );
    assert_oauth_error(&json_body, 400, "invalid_request");

    // Revocation: another client's token is refused; a revoked token stops working.
    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    let t = exchange(s, &w, &code, VERIFIER);
    let access = t.json["access_token"].as_str().unwrap();
    let r = post_form(
        &format!("{}/oauth/revoke", s.url),
        None,
        &[
            ("token", access),
            ("client_id", &other.client_id),
            ("client_secret", &other.secret),
        ],
    );
    assert_oauth_error(&r, 400, "unauthorized_client");
    assert_eq!(bearer_get(&api, access).status, 200);
    let r = post_form(
        &format!("{}/oauth/revoke", s.url),
        basic,
        &[("token", access)],
    );
    assert_eq!(r.status, 200);
    assert_problem(&bearer_get(&api, access), 401);
    assert_oauth_error(
        &post_form(&format!("{}/oauth/revoke", s.url), basic, &[]),
        400,
        "invalid_request",
    );
    // An operator's token cannot be revoked by a client.
    let r = post_form(
        &format!("{}/oauth/revoke", s.url),
        basic,
        &[("token", &d.admin_ro)],
    );
    assert_oauth_error(&r, 400, "unauthorized_client");
    assert_eq!(bearer_get(&api, &d.admin_ro).status, 200);

    // The owner command refuses a subject that is neither an e-mail address nor an ID.
    let out = openbadges(&[
        "serve",
        "owner",
        "create",
        "--subject",
        "maria",
        "--issuer-dir",
        d._tmp.path().join("riverside").to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = &d.lee;
}

/// The same grant, replay and rotation rules on PostgreSQL (migration 3 and its SQL there), and
/// the database going away: the token endpoint answers 503 `temporarily_unavailable` and recovers.
#[test]
fn the_flow_on_postgres() {
    let Some(cluster) = serve_support::cluster::Cluster::start() else {
        return;
    };
    let db = cluster.url();
    let d = district_on(Some(&db));
    let s = &d.server;
    let token_url = format!("{}/oauth/token", s.url);
    let api = format!("{}/ims/ob/v3p0/credentials", s.url);
    let w = registered(s, &wallet_metadata());
    let ro = scope(&["credential.readonly"]);

    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    let t = exchange(s, &w, &code, VERIFIER);
    assert_eq!(t.status, 200, "{}", t.text);
    let access = t.json["access_token"].as_str().unwrap();
    let mine = bearer_get(&api, access);
    assert_eq!(
        mine.json["credential"],
        json!([d.issued[0]]),
        "{}",
        mine.text
    );
    assert_eq!(mine.json["compactJwsString"], json!([d.issued[2]]));
    // Replay revokes; rotation reuse revokes.
    assert_oauth_error(&exchange(s, &w, &code, VERIFIER), 400, "invalid_grant");
    assert_problem(&bearer_get(&api, access), 401);
    let code = consent(s, &w, "LEE@riverside.example", &d.lee, &ro);
    let t = exchange(s, &w, &code, VERIFIER);
    assert_eq!(t.status, 200, "{}", t.text);
    let r1 = t.json["refresh_token"].as_str().unwrap().to_string();
    let basic = Some((w.client_id.as_str(), w.secret.as_str()));
    let rotate = |rt: &str| {
        post_form(
            &token_url,
            basic,
            &[("grant_type", "refresh_token"), ("refresh_token", rt)],
        )
    };
    let t2 = rotate(&r1);
    assert_eq!(t2.status, 200, "{}", t2.text);
    let a2 = t2.json["access_token"].as_str().unwrap();
    assert_eq!(
        bearer_get(&api, a2).json,
        json!({"credential": [d.issued[3]]})
    );
    assert_oauth_error(&rotate(&r1), 400, "invalid_grant");
    assert_problem(&bearer_get(&api, a2), 401);
    // Revocation, and expiry by the clock.
    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    let t = exchange(s, &w, &code, VERIFIER);
    let a3 = t.json["access_token"].as_str().unwrap();
    let r = post_form(&format!("{}/oauth/revoke", s.url), basic, &[("token", a3)]);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_problem(&bearer_get(&api, a3), 401);
    let code = consent(s, &w, "did:example:maria", &d.maria, &ro);
    let a4 = exchange(s, &w, &code, VERIFIER).json["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    set_clock(&d.clock, 3600);
    assert_problem(&bearer_get(&api, &a4), 401);
    set_clock(&d.clock, 0);

    // The database goes away: 503 in the OAuth error shape; it comes back: the flow works.
    cluster.stop();
    let down = rotate("obr_anything");
    assert_oauth_error(&down, 503, "temporarily_unavailable");
    let page = get_authorize(s, &authorize_query(&w, &ro, &[]));
    assert_eq!(page.status, 503, "{}", page.text);
    cluster.pg_ctl_start();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let q = authorize_query(&w, &ro, &[]);
        let grant = vec![ro.clone()];
        let a = approve(s, &q, "did:example:maria", &d.maria, &grant);
        if a.status == 303 {
            let code = code_from(&a);
            assert_eq!(exchange(s, &w, &code, VERIFIER).status, 200);
            break;
        }
        assert_eq!(a.status, 503, "{}", a.text);
        assert!(std::time::Instant::now() < deadline, "did not recover");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
