//! `openbadges serve` over HTTP with SQLite: the VC-API request shapes and status codes of
//! VC-API.md, tokens and scopes, published documents, the revocation round trip through the
//! published list, limits and malformed input. Each test spawns the built binary on an
//! ephemeral loopback port.
#![cfg(feature = "server")]

mod serve_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use serve_support::*;

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
    server: Server,
    issue: String,
    status: String,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let issue = token(&dir, None, &["issue"]);
    let status = token(&dir, None, &["status"]);
    let server = Server::start(&dir, &[]);
    Fixture {
        _tmp: tmp,
        dir,
        server,
        issue,
        status,
    }
}

impl Fixture {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }
    fn issue(&self, body: &Value) -> Reply {
        post(&self.url("/credentials/issue"), Some(&self.issue), body)
    }
    fn verify(&self, vc: &Value) -> Reply {
        post(
            &self.url("/credentials/verify"),
            None,
            &json!({"verifiableCredential": vc, "options": {"checks": ["proof"]}}),
        )
    }
    fn set_status(&self, body: &Value) -> Reply {
        post(&self.url("/credentials/status"), Some(&self.status), body)
    }
}

fn check<'a>(reply: &'a Reply, id: &str) -> Option<&'a Value> {
    reply.json["checks"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == id)
}

#[test]
fn issue_verify_revoke_verify_through_the_published_list() {
    let f = fixture();
    let r = f.issue(&json!({"credential": badge("did:example:teacher-1"),
        "options": {"cryptosuite": "eddsa-rdfc-2022", "credentialStatus": {"type": "BitstringStatusListEntry"}}}));
    assert_eq!(r.status, 201, "{}", r.text);
    let vc = r.json["verifiableCredential"].clone();
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(vc["proof"]["verificationMethod"], format!("{ISSUER}#key-1"));
    let status = &vc["credentialStatus"];
    assert_eq!(status["type"], "BitstringStatusListEntry");
    assert_eq!(status["statusPurpose"], "revocation");
    assert_eq!(
        status["statusListCredential"],
        "https://district.example/status/1"
    );
    assert!(status["statusListIndex"]
        .as_str()
        .unwrap()
        .parse::<u32>()
        .is_ok());
    // The input is kept.
    assert_eq!(
        vc["credentialSubject"],
        badge("did:example:teacher-1")["credentialSubject"]
    );

    let v = f.verify(&vc);
    assert_eq!(v.status, 200, "{}", v.text);
    assert_eq!(v.json["verified"], true);
    assert_eq!(v.json["errors"], json!([]));
    assert!(
        check(&v, "proof").is_some_and(|c| c["outcome"] == "passed"),
        "{}",
        v.text
    );

    // The published list: signed, with ETag, Cache-Control from the ttl, validUntil.
    let list = get(&f.url("/status/1"));
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.cache_control.as_deref(), Some("public, max-age=300"));
    let etag = list.etag.clone().expect("an ETag");
    assert_eq!(
        list.json["type"],
        json!(["VerifiableCredential", "BitstringStatusListCredential"])
    );
    assert_eq!(list.json["issuer"], ISSUER);
    assert!(list.json["validUntil"].is_string());
    assert_eq!(list.json["credentialSubject"]["ttl"], 300_000);
    assert!(list.json["proof"]["proofValue"].is_string());
    // Unchanged list: the same bytes, 304 on If-None-Match.
    let again = send(
        agent().get(&f.url("/status/1")).set("if-none-match", &etag),
        None,
    );
    assert_eq!(again.status, 304);

    // The CLI verifies it offline against the published documents (before revocation).
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let cred = write("cred.json", &vc.to_string());
    let profile = write("profile.json", &get(&f.url("/issuers/1")).text);
    let cli_verify = |list_file: &str| {
        openbadges(&[
            "verify",
            "--offline",
            "--resource",
            &format!("{ISSUER}={profile}"),
            "--resource",
            &format!("https://district.example/status/1={list_file}"),
            &cred,
        ])
    };
    let before = write("list-before.json", &list.text);
    assert_eq!(cli_verify(&before).status.code(), Some(0));

    // Revoke.
    let id = vc["id"].as_str().unwrap();
    let s = f.set_status(&json!({"credentialId": id, "credentialStatus": {"statusPurpose": "revocation"}, "status": true}));
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(s.json["changed"], true);

    let v = f.verify(&vc);
    assert_problem(&v, 400);
    assert_eq!(v.json["verified"], false);
    let errors = v.json["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|c| c["id"] == "status" && c.to_string().contains("revoked")),
        "{}",
        v.text
    );

    // The list was re-signed: a new ETag, and the CLI now reads "revoked" from it.
    let list2 = send(
        agent().get(&f.url("/status/1")).set("if-none-match", &etag),
        None,
    );
    assert_eq!(list2.status, 200);
    assert_ne!(list2.etag.as_deref(), Some(etag.as_str()));
    let after = write("list-after.json", &list2.text);
    let out = cli_verify(&after);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("revoked"));

    // Revocation is final; the same revocation again changes nothing.
    let s = f.set_status(&json!({"credentialId": id, "credentialStatus": {"statusPurpose": "revocation"}, "status": false}));
    assert_problem(&s, 409);
    let s = f.set_status(&json!({"credentialId": id, "status": true}));
    assert_eq!(s.status, 200);
    assert_eq!(s.json["changed"], false);
}

#[test]
fn suspension_is_reversible() {
    let f = fixture();
    let r = f.issue(&json!({"credential": badge("did:example:teacher-2"),
        "options": {"credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"}}}));
    assert_eq!(r.status, 201, "{}", r.text);
    let vc = r.json["verifiableCredential"].clone();
    assert_eq!(vc["credentialStatus"]["statusPurpose"], "suspension");
    let id = vc["id"].as_str().unwrap();
    let suspend = json!({"credentialId": id, "credentialStatus": {"statusPurpose": "suspension"}, "status": true});
    assert_eq!(f.set_status(&suspend).status, 200);
    assert_eq!(f.verify(&vc).status, 400);
    let reinstate = json!({"credentialId": id, "credentialStatus": {"statusPurpose": "suspension"}, "status": false});
    assert_eq!(f.set_status(&reinstate).status, 200);
    assert_eq!(f.verify(&vc).status, 200);
    // No revocation entry on this credential.
    let revoke = json!({"credentialId": id, "credentialStatus": {"statusPurpose": "revocation"}, "status": true});
    assert_problem(&f.set_status(&revoke), 409);
}

#[test]
fn every_suite_the_library_signs() {
    let f = fixture();
    for suite in [
        "eddsa-rdfc-2022",
        "eddsa-jcs-2022",
        "Ed25519Signature2020",
        "jwt-eddsa",
    ] {
        let r = f.issue(&json!({"credential": badge("did:example:teacher-3"),
            "options": {"cryptosuite": suite, "credentialStatus": {"type": "BitstringStatusListEntry"}}}));
        assert_eq!(r.status, 201, "{suite}: {}", r.text);
        let vc = r.json["verifiableCredential"].clone();
        if suite == "jwt-eddsa" {
            let token = vc.as_str().expect("a compact JWS");
            assert_eq!(token.split('.').count(), 3);
        } else if suite == "Ed25519Signature2020" {
            assert_eq!(vc["proof"]["type"], "Ed25519Signature2020");
        } else {
            assert_eq!(vc["proof"]["cryptosuite"], suite);
        }
        let v = f.verify(&vc);
        assert_eq!(v.status, 200, "{suite}: {}", v.text);
        assert_eq!(v.json["verified"], true);
    }
    // VC 1.1 input too.
    let mut v1 = badge("did:example:teacher-4");
    v1["@context"] = json!([
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    ]);
    let r = f.issue(&json!({"credential": v1}));
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.json["verifiableCredential"]["issuanceDate"].is_string());
    assert_eq!(f.verify(&r.json["verifiableCredential"]).status, 200);
}

#[test]
fn malformed_issue_requests_get_400_or_422() {
    let f = fixture();
    let good = badge("did:example:teacher-5");
    let with = |path: &str, value: Value| {
        let mut c = good.clone();
        if path.is_empty() {
            return json!({"credential": c});
        }
        match value {
            Value::Null if path.starts_with('-') => {
                c.as_object_mut().unwrap().remove(&path[1..]);
            }
            v => c[path] = v,
        }
        json!({"credential": c})
    };
    let mut cases: Vec<(String, Value, u16)> = vec![
        (
            "no credential".into(),
            json!({"verifiableCredential": good}),
            400,
        ),
        ("body not an object".into(), json!([1, 2]), 400),
        (
            "options not an object".into(),
            json!({"credential": good, "options": 4}),
            400,
        ),
        (
            "unknown cryptosuite".into(),
            json!({"credential": good, "options": {"cryptosuite": "unknown-cryptosuite-2017"}}),
            400,
        ),
        (
            "ES256 with Ed25519 keys".into(),
            json!({"credential": good, "options": {"cryptosuite": "jwt-es256"}}),
            400,
        ),
        (
            "status type".into(),
            json!({"credential": good, "options": {"credentialStatus": {"type": "StatusList2021Entry"}}}),
            400,
        ),
        (
            "status purpose".into(),
            json!({"credential": good, "options": {"credentialStatus": {"statusPurpose": "refresh"}}}),
            400,
        ),
        (
            "credentialId not a URL".into(),
            json!({"credential": good, "options": {"credentialId": "not a url"}}),
            400,
        ),
        (
            "credentialId differs from id".into(),
            {
                let mut c = good.clone();
                c["id"] = json!("urn:uuid:6a3b1c4e-0000-4000-8000-000000000001");
                json!({"credential": c, "options": {"credentialId": "urn:uuid:6a3b1c4e-0000-4000-8000-000000000002"}})
            },
            400,
        ),
        ("no @context".into(), with("-@context", Value::Null), 400),
        ("no type".into(), with("-type", Value::Null), 400),
        ("no issuer".into(), with("-issuer", Value::Null), 400),
        (
            "no credentialSubject".into(),
            with("-credentialSubject", Value::Null),
            400,
        ),
        (
            "another issuer".into(),
            with("issuer", json!("did:example:someone-else")),
            400,
        ),
        (
            "issuer not a URL".into(),
            with("issuer", json!("fake-issuer")),
            400,
        ),
        (
            "issuer.id null".into(),
            with("issuer", json!({"id": null})),
            400,
        ),
        (
            "issuer.id not a URL".into(),
            with("issuer", json!({"id": "fake-issuer"})),
            400,
        ),
        (
            "type without VerifiableCredential".into(),
            with("type", json!(["OpenBadgeCredential"])),
            400,
        ),
        ("id not a URL".into(), with("id", json!("not a url")), 400),
    ];
    for bad in [
        json!(4),
        json!({"foo": true}),
        json!(false),
        Value::Null,
        json!("https://www.w3.org/ns/credentials/v2"),
        json!([4]),
    ] {
        cases.push((format!("@context {bad}"), with("@context", bad), 400));
    }
    for bad in [json!(4), Value::Null, json!(true), json!([]), json!([4])] {
        cases.push((format!("type {bad}"), with("type", bad), 400));
    }
    for bad in [Value::Null, json!(true), json!(4), json!([])] {
        cases.push((format!("issuer {bad}"), with("issuer", bad), 400));
    }
    for bad in [
        Value::Null,
        json!(true),
        json!(4),
        json!([]),
        json!("did:example:1234"),
        json!({}),
        json!({"id": "did:example:1234"}),
        json!([{"id": "did:example:1234"}]),
    ] {
        cases.push((
            format!("credentialSubject {bad}"),
            with("credentialSubject", bad),
            400,
        ));
    }
    // JSON-LD data loss, caught by verifying before the credential leaves: 422.
    let mut undefined = good.clone();
    undefined["credentialSubject"]["invalidTerm"] = json!("x");
    let mut v1 = undefined.clone();
    v1["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
    cases.push((
        "VC 1.1 undefined term".into(),
        json!({"credential": v1}),
        422,
    ));
    let mut extra_type = good.clone();
    extra_type["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
    extra_type["type"] = json!(["VerifiableCredential", "InvalidType"]);
    extra_type["credentialSubject"] = json!({"id": "did:example:1", "name": "Maria"});
    cases.push((
        "VC 1.1 undefined type".into(),
        json!({"credential": extra_type}),
        422,
    ));
    let mut bad_dates = good.clone();
    bad_dates["validFrom"] = json!("not a date");
    cases.push((
        "invalid validFrom".into(),
        json!({"credential": bad_dates}),
        422,
    ));
    let mut inverted = good.clone();
    inverted["validFrom"] = json!("2027-01-01T00:00:00Z");
    inverted["validUntil"] = json!("2026-01-01T00:00:00Z");
    cases.push((
        "validUntil before validFrom".into(),
        json!({"credential": inverted}),
        400,
    ));

    for (name, body, want) in cases {
        let r = f.issue(&body);
        assert_problem(&r, want);
        assert!(r.status == want, "{name}: {}", r.text);
    }
    // Accepted: dates with milliseconds and offsets, several subjects.
    let mut ok = good.clone();
    ok["validFrom"] = json!("2025-01-01T00:00:00.123+02:00");
    ok["validUntil"] = json!("2099-01-01T00:00:00.5Z");
    assert_eq!(f.issue(&json!({"credential": ok})).status, 201);
    // Nothing half-written: the 422s and 400s left no records (the next status list index
    // allocation still starts list 1; a rejected credential's id is unknown to /status).
    let r = f.set_status(
        &json!({"credentialId": "urn:uuid:6a3b1c4e-0000-4000-8000-000000000001", "status": true}),
    );
    assert_problem(&r, 404);
}

#[test]
fn transport_level_bad_input() {
    let f = fixture();
    let url = f.url("/credentials/issue");
    // Not JSON.
    let r = send(
        agent()
            .post(&url)
            .set("content-type", "application/json")
            .set("authorization", &format!("Bearer {}", f.issue)),
        Some(b"{\"credential\": "),
    );
    assert_problem(&r, 400);
    // Duplicate member names are refused too.
    let r = send(
        agent()
            .post(&f.url("/credentials/verify"))
            .set("content-type", "application/json"),
        Some(br#"{"verifiableCredential": {}, "verifiableCredential": {}}"#),
    );
    assert_problem(&r, 400);
    // Not declared as JSON.
    let r = send(
        agent()
            .post(&url)
            .set("content-type", "text/plain")
            .set("authorization", &format!("Bearer {}", f.issue)),
        Some(b"{}"),
    );
    assert_problem(&r, 415);
    // Over 4 MiB: 413 as soon as the declared length is read.
    let mut s = TcpStream::connect(f.server.url.trim_start_matches("http://")).unwrap();
    s.write_all(format!("POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", 4 * 1024 * 1024 + 1).as_bytes()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = vec![0u8; 8192];
    let n = s.read(&mut buf).unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    // Over 4 MiB without a declared length (chunked): 413 too.
    let mut s = TcpStream::connect(f.server.url.trim_start_matches("http://")).unwrap();
    s.write_all(b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    let mut answer = String::new();
    for _ in 0..5 {
        if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_err()
            || s.write_all(&chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = [0u8; 4096];
    if let Ok(n) = s.read(&mut buf) {
        answer = String::from_utf8_lossy(&buf[..n]).into_owned();
    }
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Unknown path and method: problem 404s.
    assert_problem(&get(&f.url("/nothing-here")), 404);
    assert_problem(&post(&f.url("/credentials/derive"), None, &json!({})), 404);
    assert_problem(&get(&f.url("/status/999")), 404);
    assert_problem(&get(&f.url("/status/x")), 404);
    // A known path with another method: 405 with Allow.
    let r = get(&f.url("/credentials/issue"));
    assert_problem(&r, 405);
    let r = send(agent().put(&f.url("/credentials/verify")), Some(b"{}"));
    assert_problem(&r, 405);
}

#[test]
fn slow_clients_are_cut_off() {
    let f = fixture();
    let addr = f.server.url.trim_start_matches("http://").to_string();
    // A body that never completes: 408 with a problem after the body timeout.
    let started = Instant::now();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.write_all(b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"verifi").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
        if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
            break;
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("problem+json"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(35));
    // Headers that never complete: the connection is closed.
    let started = Instant::now();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.write_all(b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert!(started.elapsed() < Duration::from_secs(30));
    // The server still answers.
    assert_eq!(get(&f.url("/healthz")).status, 200);
}

#[test]
fn tokens_and_scopes() {
    let f = fixture();
    let body = json!({"credential": badge("did:example:teacher-6")});
    let url = f.url("/credentials/issue");
    let r = post(&url, None, &body);
    assert_problem(&r, 401);
    assert!(r
        .www_authenticate
        .as_deref()
        .is_some_and(|w| w.starts_with("Bearer")));
    let r = post(&url, Some("obt_not-a-token"), &body);
    assert_problem(&r, 401);
    assert!(r.www_authenticate.unwrap().contains("invalid_token"));
    let r = post(&url, Some(&f.status), &body);
    assert_problem(&r, 403);
    assert!(r.www_authenticate.unwrap().contains("insufficient_scope"));
    let s = post(
        &f.url("/credentials/status"),
        Some(&f.issue),
        &json!({"credentialId": "urn:x:1"}),
    );
    assert_problem(&s, 403);
    let s = post(
        &f.url("/credentials/status"),
        None,
        &json!({"credentialId": "urn:x:1"}),
    );
    assert_problem(&s, 401);
    // A token with both scopes does both; an unknown scope is refused at creation.
    let both = token(&f.dir, None, &["issue,status"]);
    assert_eq!(post(&url, Some(&both), &body).status, 201);
    let out = openbadges(&[
        "serve",
        "token",
        "create",
        "--issuer-dir",
        f.dir.to_str().unwrap(),
        "--scope",
        "admin",
    ]);
    assert_eq!(out.status.code(), Some(2));
    // Verification is public.
    assert_ne!(f.verify(&json!({})).status, 401);
}

#[test]
fn status_requests() {
    let f = fixture();
    let r = f.issue(&json!({"credential": badge("did:example:teacher-7")}));
    assert_eq!(r.status, 201);
    let id = r.json["verifiableCredential"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Issued without status: no entry to change.
    assert_problem(
        &f.set_status(&json!({"credentialId": id, "status": true})),
        409,
    );
    assert_problem(&f.set_status(&json!({"credentialId": "urn:uuid:00000000-0000-4000-8000-00000000dead", "status": true})), 404);
    assert_problem(&f.set_status(&json!({"status": true})), 400);
    assert_problem(
        &f.set_status(&json!({"credentialId": id, "status": "yes"})),
        400,
    );
    assert_problem(
        &f.set_status(
            &json!({"credentialId": id, "credentialStatus": {"statusPurpose": "refresh"}}),
        ),
        400,
    );
    assert_problem(
        &f.set_status(&json!({"credentialId": id, "credentialStatus": 4})),
        400,
    );
}

#[test]
fn credential_id_makes_a_retry_idempotent() {
    let f = fixture();
    let body = json!({"credential": badge("did:example:teacher-8"),
        "options": {"credentialId": "urn:uuid:0d6b1c7e-1111-4000-8000-000000000001",
                    "credentialStatus": {"type": "BitstringStatusListEntry"}}});
    let first = f.issue(&body);
    assert_eq!(first.status, 201, "{}", first.text);
    let again = f.issue(&body);
    assert_eq!(again.status, 201);
    assert_eq!(
        first.json, again.json,
        "a retry returns the same credential"
    );
    assert_eq!(
        first.json["verifiableCredential"]["id"],
        "urn:uuid:0d6b1c7e-1111-4000-8000-000000000001"
    );
    let mut other = body.clone();
    other["credential"]["name"] = json!("Something else");
    assert_problem(&f.issue(&other), 409);
}

#[test]
fn verify_rejects_what_the_suites_send() {
    let f = fixture();
    let r = f.issue(&json!({"credential": badge("did:example:teacher-9")}));
    let vc = r.json["verifiableCredential"].clone();
    let mut tampered = vc.clone();
    tampered["credentialSubject"]["achievement"]["name"] = json!("Forged");
    let mut no_multibase = vc.clone();
    no_multibase["proof"]["proofValue"] =
        json!(vc["proof"]["proofValue"].as_str().unwrap()[1..].to_string());
    let mut unknown_suite = vc.clone();
    unknown_suite["proof"]["cryptosuite"] = json!("unknown-cryptosuite-2017");
    let mut purpose = vc.clone();
    purpose["proof"]["proofPurpose"] = json!("invalidPurpose");
    let mut no_proof = vc.clone();
    no_proof.as_object_mut().unwrap().remove("proof");
    let cases = [
        ("tampered", tampered),
        ("no multibase header", no_multibase),
        ("unknown cryptosuite", unknown_suite),
        ("invalid purpose", purpose),
        ("no proof", no_proof),
        ("nonconforming", json!({"type": ["NonconformingDocument"]})),
        ("context string", {
            let mut c = vc.clone();
            c["@context"] = json!("string");
            c
        }),
        ("context number", {
            let mut c = vc.clone();
            c["@context"] = json!(10);
            c
        }),
        ("proof null", {
            let mut c = vc.clone();
            c["proof"] = Value::Null;
            c
        }),
        ("proof string", {
            let mut c = vc.clone();
            c["proof"] = json!("x");
            c
        }),
        ("added after signing", {
            let mut c = vc.clone();
            c["credentialSubject"]["undefinedTerm"] = json!(1);
            c
        }),
    ];
    for (name, bad) in cases {
        let v = f.verify(&bad);
        assert_problem(&v, 400);
        assert_eq!(v.json["verified"], false, "{name}");
        assert!(
            !v.json["errors"].as_array().unwrap().is_empty(),
            "{name}: {}",
            v.text
        );
    }
    let tampered_report = f.verify(&{
        let mut t = vc.clone();
        t["credentialSubject"]["achievement"]["name"] = json!("Forged");
        t
    });
    assert!(tampered_report.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "proof"));
    // Transport shapes.
    let url = f.url("/credentials/verify");
    assert_problem(
        &post(&url, None, &json!({"verifiableCredential": vc.to_string()})),
        400,
    );
    assert_problem(&post(&url, None, &json!({"credential": vc})), 400);
    assert_problem(&post(&url, None, &json!({"verifiableCredential": 4})), 400);
    assert_problem(
        &post(
            &url,
            None,
            &json!({"verifiableCredential": vc, "options": 4}),
        ),
        400,
    );
    // options absent: status still checked, 200.
    assert_eq!(
        post(&url, None, &json!({"verifiableCredential": vc})).status,
        200
    );
}

#[test]
fn presentations_verify() {
    use openbadges::keys::SigningKey;
    let f = fixture();
    let holder = SigningKey::from_seed(&[9u8; 32]);
    let did = holder.verifying_key().did_key();
    let r = f.issue(&json!({"credential": badge(&did)}));
    assert_eq!(r.status, 201, "{}", r.text);
    let vc = r.json["verifiableCredential"].clone();
    let vp = openbadges::present::present(
        &[vc],
        &openbadges::proof::Signer::did_key(holder),
        "u3q2VKlNf0m4mZqQpxP9RXw",
        Some("github.com/w3c/vc-data-model-2.0-test-suite"),
    )
    .unwrap();
    let url = f.url("/presentations/verify");
    let ok = post(
        &url,
        None,
        &json!({"verifiablePresentation": vp,
        "options": {"challenge": "u3q2VKlNf0m4mZqQpxP9RXw", "domain": "github.com/w3c/vc-data-model-2.0-test-suite"}}),
    );
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.json["verified"], true);
    let wrong = post(
        &url,
        None,
        &json!({"verifiablePresentation": vp, "options": {"challenge": "another", "domain": "github.com/w3c/vc-data-model-2.0-test-suite"}}),
    );
    assert_problem(&wrong, 400);
    let mut corrupted = vp.clone();
    let pv = corrupted["proof"]["proofValue"]
        .as_str()
        .unwrap()
        .to_string();
    corrupted["proof"]["proofValue"] = json!(format!("z{}", &pv[2..]));
    assert_problem(
        &post(
            &url,
            None,
            &json!({"verifiablePresentation": corrupted, "options": {"challenge": "u3q2VKlNf0m4mZqQpxP9RXw"}}),
        ),
        400,
    );
    assert_problem(
        &post(
            &url,
            None,
            &json!({"verifiablePresentation": {"type": ["NonconformingDocument"]}}),
        ),
        400,
    );
    assert_problem(&post(&url, None, &json!({"presentation": vp})), 400);
}

#[test]
fn published_issuer_documents() {
    let f = fixture();
    let profile = get(&f.url("/issuers/1"));
    assert_eq!(profile.status, 200, "{}", profile.text);
    assert_eq!(profile.json["id"], ISSUER);
    assert!(profile.etag.is_some());
    let on_disk: Value =
        serde_json::from_slice(&std::fs::read(f.dir.join("publish/issuer-profile.json")).unwrap())
            .unwrap();
    assert_eq!(profile.json, on_disk);
    let jwks = get(&f.url("/.well-known/jwks.json"));
    assert_eq!(jwks.status, 200, "{}", jwks.text);
    assert!(jwks.json["keys"].as_array().is_some_and(|k| !k.is_empty()));
}

#[test]
fn default_database_is_beside_the_issuer_directory() {
    let f = fixture();
    let db = f.dir.parent().unwrap().join("riverside.serve.sqlite");
    assert!(db.exists(), "{}", db.display());
}

#[test]
fn tls_with_certificate_files_and_self_signed() {
    use tokio_rustls::rustls;
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_file, key_file) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    std::fs::write(&cert_file, cert.cert.pem()).unwrap();
    std::fs::write(&key_file, cert.key_pair.serialize_pem()).unwrap();
    let server = Server::start(
        &dir,
        &[
            "--tls-cert",
            cert_file.to_str().unwrap(),
            "--tls-key",
            key_file.to_str().unwrap(),
        ],
    );
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let agent = ureq::AgentBuilder::new()
        .tls_config(Arc::new(config))
        .build();
    let url = server.url.replace("127.0.0.1", "localhost");
    let r = send(agent.get(&format!("{url}/healthz")), None);
    assert_eq!(r.status, 200, "{}", r.text);
    let issuer = send(agent.get(&format!("{url}/issuers/1")), None);
    assert_eq!(issuer.json["id"], ISSUER);
    // Plain HTTP to the TLS port gets nothing useful.
    let plain = agent
        .get(&format!(
            "{}/healthz",
            server.url.replace("https://", "http://")
        ))
        .call();
    assert!(plain.is_err());
    drop(server);
    // A self-signed certificate of its own.
    let server = Server::start(&dir, &["--tls-self-signed"]);
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let mut s = TcpStream::connect(server.url.trim_start_matches("https://")).unwrap();
    s.write_all(b"\x16\x03\x01\x00\x05hello").unwrap();
    // A TLS listener answers a bad ClientHello with a TLS alert (0x15), not with HTTP.
    let mut b = [0u8; 1];
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    if s.read(&mut b).unwrap_or(0) == 1 {
        assert_eq!(b[0], 0x15);
    }
}
