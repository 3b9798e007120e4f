//! The `http` feature end to end against a local HTTP server on loopback (with the test-only
//! loopback allowance): an https issuer whose Profile lists its key, a did:web issuer, and the
//! refusals (private and metadata addresses, oversize bodies, slow servers, redirects to private
//! addresses, non-https).
#![cfg(feature = "http")]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use openbadges::issue::Issuer;
use openbadges::issuer::IssuerDir;
use openbadges::keys::SigningKey;
use openbadges::proof::Suite;
use openbadges::resolve::{HttpResolver, Resolver, ResourceKind};
use openbadges::verify::{Verifier, VerifyOptions};
use serde_json::json;

type Routes = Arc<Mutex<Vec<(String, u16, Vec<u8>, Option<String>, u64)>>>;

/// Serves `routes` (path, status, body, Location, delay ms) on 127.0.0.1; returns the port.
fn serve(routes: Routes) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(256) {
            let Ok(mut stream) = stream else { continue };
            let routes = routes.clone();
            std::thread::spawn(move || {
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let found = routes.lock().unwrap().iter().find(|r| r.0 == path).cloned();
                let (status, body, location, delay) = match found {
                    Some((_, s, b, l, d)) => (s, b, l, d),
                    None => (404, b"not found".to_vec(), None, 0),
                };
                std::thread::sleep(Duration::from_millis(delay));
                let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: application/json\r\nConnection: close\r\n", body.len());
                if let Some(l) = location {
                    head.push_str(&format!("Location: {l}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    port
}

fn badge() -> serde_json::Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Growth Mindset",
        "credentialSubject": {"id": "did:example:t", "type": ["AchievementSubject"],
            "achievement": {"id": "https://d.example/a/gm", "type": ["Achievement"], "name": "Growth Mindset",
                "description": "Fosters a growth mindset.", "criteria": {"narrative": "Rubric 3+."}}}
    })
}

fn loopback() -> Arc<HttpResolver> {
    Arc::new(
        HttpResolver::builder()
            .timeout(Duration::from_millis(800))
            .dangerous_allow_loopback_for_tests()
            .build(),
    )
}

#[test]
fn https_profile_and_did_web_issuers_verify_over_http() {
    let routes: Routes = Default::default();
    let port = serve(routes.clone());
    let key = SigningKey::from_seed(&[4; 32]);
    let mk = key.verifying_key().to_multikey();

    // An https issuer: its Profile lists the key.
    let id = format!("http://127.0.0.1:{port}/issuers/1");
    let issuer = Issuer::new(
        json!({"id": id, "type": ["Profile"], "name": "District"}),
        key.clone(),
    )
    .unwrap();
    let vm = format!("{id}#{mk}");
    let profile = json!({"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": id, "type": ["Profile"], "name": "District",
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": id, "publicKeyMultibase": mk}],
        "assertionMethod": [vm]});
    routes.lock().unwrap().push((
        "/issuers/1".into(),
        200,
        serde_json::to_vec(&profile).unwrap(),
        None,
        0,
    ));
    let signed = issuer
        .issue(&badge(), Suite::EddsaRdfc2022)
        .unwrap()
        .into_json();
    let r = Verifier::new(VerifyOptions::default().resolver(loopback()))
        .verify_value(&signed)
        .unwrap();
    assert!(r.verified, "{r}");

    // A did:web issuer.
    let did = format!("did:web:127.0.0.1%3A{port}");
    let vm = format!("{did}#key-1");
    let doc = json!({"@context": ["https://www.w3.org/ns/did/v1"], "id": did,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": did, "publicKeyMultibase": mk}],
        "assertionMethod": [vm]});
    routes.lock().unwrap().push((
        "/.well-known/did.json".into(),
        200,
        serde_json::to_vec(&doc).unwrap(),
        None,
        0,
    ));
    let issuer = Issuer::new(json!({"id": did}), key)
        .unwrap()
        .with_verification_method(vm);
    let signed = issuer
        .issue(&badge(), Suite::EddsaRdfc2022)
        .unwrap()
        .into_json();
    let r = Verifier::new(VerifyOptions::default().resolver(loopback()))
        .verify_value(&signed)
        .unwrap();
    assert!(r.verified, "{r}");
    // The default (no loopback allowance) refuses the same documents.
    let strict = Arc::new(HttpResolver::builder().build());
    let r = Verifier::new(VerifyOptions::default().resolver(strict))
        .verify_value(&signed)
        .unwrap();
    assert!(!r.verified);
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// Replaces the server's routes with the documents `dir` publishes, each at its URL's path.
fn publish(routes: &Routes, dir: &IssuerDir) -> usize {
    let mut r = routes.lock().unwrap();
    r.clear();
    for p in dir.publications().unwrap() {
        let rest = p.url.strip_prefix("https://").unwrap();
        let path = &rest[rest.find('/').unwrap()..];
        r.push((
            path.to_string(),
            200,
            std::fs::read(&p.path).unwrap(),
            None,
            0,
        ));
    }
    r.len()
}

/// The issue's "Prove it" over a real server: an issuer directory (https, did:web, and did:web
/// with a path, served at `/issuers/1/did.json`) set up by
/// `IssuerDir`, its published files served on loopback, badges verified through the `http`
/// resolver (a fresh one each time, so nothing is cached across re-publication); rotation keeps
/// the old badge verifying; retiring key-1 from a date rejects a key-1 proof created after it.
#[test]
fn issuer_directory_served_on_loopback_through_rotation_and_retirement() {
    for (https, path) in [(true, ""), (false, ""), (false, ":issuers:1")] {
        let routes: Routes = Default::default();
        let port = serve(routes.clone());
        let id = if https {
            format!("https://127.0.0.1:{port}/issuers/1")
        } else {
            format!("did:web:127.0.0.1%3A{port}{path}")
        };
        let tmp = tempfile::tempdir().unwrap();
        let (mut dir, _) =
            IssuerDir::init(tmp.path(), &id, "Riverside USD", t("2026-01-01T00:00:00Z")).unwrap();
        assert_eq!(publish(&routes, &dir), 2);
        let verify = |doc: &serde_json::Value| {
            Verifier::new(
                VerifyOptions::default()
                    .at(t("2027-01-01T00:00:00Z"))
                    .resolver(loopback()),
            )
            .verify_value(doc)
            .unwrap()
        };
        let key1 = dir.current_key_id().to_string();
        let before = dir
            .issuer()
            .unwrap()
            .issue_at(
                &badge(),
                Suite::EddsaRdfc2022,
                t("2026-02-01T00:00:00Z"),
                None,
            )
            .unwrap()
            .into_json();
        let stolen = dir
            .issuer()
            .unwrap()
            .issue_at(
                &badge(),
                Suite::EddsaRdfc2022,
                t("2026-09-01T00:00:00Z"),
                None,
            )
            .unwrap()
            .into_json();
        let r = verify(&before);
        assert!(r.verified, "{id}: {r}");

        let key2 = dir.rotate(t("2026-06-01T00:00:00Z"), None).unwrap();
        publish(&routes, &dir);
        let after = dir
            .issuer()
            .unwrap()
            .issue_at(
                &badge(),
                Suite::EddsaRdfc2022,
                t("2026-06-15T00:00:00Z"),
                None,
            )
            .unwrap()
            .into_json();
        assert_eq!(after["proof"]["verificationMethod"], key2);
        for doc in [&before, &after, &stolen] {
            let r = verify(doc);
            assert!(r.verified, "{id}: {r}");
        }

        dir.retire(&key1, t("2026-07-01T00:00:00Z")).unwrap();
        // Not yet re-published: the server still lists key-1 without a retire date.
        assert!(verify(&stolen).verified);
        publish(&routes, &dir);
        let r = verify(&stolen);
        assert!(
            !r.verified,
            "{id}: a key-1 proof created after the retire date verified"
        );
        let detail = &r.check("proof").unwrap().problem.as_ref().unwrap().detail;
        assert!(detail.contains("retired by its controller"), "{detail}");
        for doc in [&before, &after] {
            let r = verify(doc);
            assert!(r.verified, "{id}: {r}");
        }
        let note = verify(&before)
            .check("issuer-key")
            .unwrap()
            .note
            .clone()
            .unwrap();
        assert!(
            note.contains(&key1) && note.contains("retired it from"),
            "{note}"
        );

        // A document whose `id` is not where it was fetched from is refused.
        let mut r = routes.lock().unwrap();
        let mut doc: serde_json::Value = serde_json::from_slice(&r[0].2).unwrap();
        doc["id"] = json!(if https {
            format!("https://127.0.0.1:{port}/issuers/2")
        } else {
            format!("did:web:127.0.0.1%3A{port}:elsewhere")
        });
        r[0].2 = serde_json::to_vec(&doc).unwrap();
        drop(r);
        assert!(
            !verify(&after).verified,
            "{id}: a misplaced document was accepted"
        );
    }
}

#[test]
fn refusals() {
    let routes: Routes = Default::default();
    let port = serve(routes.clone());
    {
        let mut r = routes.lock().unwrap();
        r.push(("/big".into(), 200, vec![b' '; 2 * 1024 * 1024], None, 0));
        r.push(("/slow".into(), 200, b"{}".to_vec(), None, 3000));
        r.push((
            "/to-private".into(),
            302,
            vec![],
            Some("http://10.1.2.3/x".into()),
            0,
        ));
        r.push(("/ok".into(), 200, b"{}".to_vec(), None, 0));
    }
    let strict = HttpResolver::builder().build();
    for url in [
        format!("http://127.0.0.1:{port}/ok"),
        format!("https://127.0.0.1:{port}/ok"),
        "https://10.0.0.1/status".to_string(),
        "https://169.254.169.254/latest/meta-data".to_string(),
        "https://[::1]/x".to_string(),
        "https://localhost/x".to_string(),
        "ftp://district.example/x".to_string(),
    ] {
        let e = strict.fetch(&url, ResourceKind::StatusList).unwrap_err();
        assert!(e.to_string().contains("refus"), "{url}: {e}");
    }
    let lb = loopback();
    assert_eq!(
        lb.fetch(&format!("http://127.0.0.1:{port}/ok"), ResourceKind::Other)
            .unwrap(),
        b"{}"
    );
    let e = lb
        .fetch(&format!("http://127.0.0.1:{port}/big"), ResourceKind::Other)
        .unwrap_err();
    assert_eq!(e.kind(), openbadges::ErrorKind::Limit, "{e}");
    let t = std::time::Instant::now();
    assert!(lb
        .fetch(
            &format!("http://127.0.0.1:{port}/slow"),
            ResourceKind::Other
        )
        .is_err());
    assert!(t.elapsed() < Duration::from_secs(3), "timeout not enforced");
    let e = lb
        .fetch(
            &format!("http://127.0.0.1:{port}/to-private"),
            ResourceKind::Other,
        )
        .unwrap_err();
    assert!(e.to_string().contains("refus"), "{e}");
    let e = lb
        .fetch(
            &format!("http://127.0.0.1:{port}/missing"),
            ResourceKind::Other,
        )
        .unwrap_err();
    assert!(e.to_string().contains("404"), "{e}");
}

/// Internationalized host names go through UTS #46 (the `idna` back end that Cargo.lock selects:
/// `idna_adapter` 1.1, unicode-rs) before any check, so a host spelled in other scripts or in
/// full-width forms is fetched, or refused, exactly as its ASCII form would be.
#[test]
fn internationalized_host_names() {
    // The mapping itself: a stub back end (idna_adapter 1.0) would refuse every one of these.
    for (url, host) in [
        ("https://Bücher.example/a", "xn--bcher-kva.example"),
        ("https://пример.рф/", "xn--e1afmkfd.xn--p1ai"),
        ("https://ｅｘａｍｐｌｅ。com/", "example.com"),
    ] {
        let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(parsed.host_str(), Some(host), "{url}");
    }

    let routes: Routes = Default::default();
    let port = serve(routes.clone());
    {
        let mut r = routes.lock().unwrap();
        r.push(("/ok".into(), 200, b"{}".to_vec(), None, 0));
        r.push((
            "/to-full-width-private".into(),
            302,
            vec![],
            // Header values are ASCII: the full-width host arrives percent-encoded.
            Some("https://%EF%BC%91%EF%BC%90.%EF%BC%90.%EF%BC%90.%EF%BC%91/x".into()),
            0,
        ));
    }
    // Full-width digits map to a private IPv4 address and are refused as such, not let through.
    let strict = HttpResolver::builder().build();
    for url in [
        "https://１０.０.０.１/status",
        "https://ｌｏｃａｌｈｏｓｔ/x",
    ] {
        let e = strict.fetch(url, ResourceKind::StatusList).unwrap_err();
        assert!(e.to_string().contains("refus"), "{url}: {e}");
    }
    let e = strict
        .fetch("https://１０.０.０.１/status", ResourceKind::StatusList)
        .unwrap_err();
    assert!(e.to_string().contains("10.0.0.1"), "{e}");
    let lb = loopback();
    let e = lb
        .fetch(
            &format!("http://127.0.0.1:{port}/to-full-width-private"),
            ResourceKind::Other,
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("refus") && e.to_string().contains("10.0.0.1"),
        "{e}"
    );
    // A full-width `localhost` is the loopback host: fetched under the test-only allowance.
    assert_eq!(
        lb.fetch(
            &format!("http://ｌｏｃａｌｈｏｓｔ:{port}/ok"),
            ResourceKind::Other
        )
        .unwrap(),
        b"{}"
    );
    // A name UTS #46 rejects (a joiner between Latin letters) is refused with the reason.
    let e = strict
        .fetch("https://a\u{200d}b.example/x", ResourceKind::Other)
        .unwrap_err();
    assert!(
        e.to_string().contains("not a URL")
            && e.to_string().contains("invalid international domain name"),
        "{e}"
    );
}
