//! Issuer identity: an https issuer and a did:web issuer set up with `IssuerDir`, their
//! published documents served offline (`LocalResources`, what `verify --resource` does), key
//! rotation, retiring a key with a date, the JS reference verifying a badge from the published
//! Profile, and the bad inputs the issue lists.

mod common;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use openbadges::issuer::{IssuerDir, IssuerKind};
use openbadges::jsonld::{Options, Processor};
use openbadges::proof::Suite;
use openbadges::resolve::LocalResources;
use openbadges::verify::{Report, Verifier, VerifyOptions};
use serde_json::{json, Value};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn badge(name: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "credentialSubject": {"id": "did:example:maria", "type": ["AchievementSubject"],
            "achievement": {"id": "https://district.example/achievements/growth-mindset",
                "type": ["Achievement"], "name": name, "description": "Fosters a growth mindset.",
                "criteria": {"narrative": "Rubric score 3 or higher."}}}
    })
}

/// Serves every document the issuer publishes at its URL.
fn served(dir: &IssuerDir) -> LocalResources {
    let mut res = LocalResources::new();
    for p in dir.publications().unwrap() {
        res.insert(p.url, std::fs::read(&p.path).unwrap());
    }
    res
}

fn verify(res: LocalResources, doc: &Value) -> Report {
    Verifier::new(
        VerifyOptions::default()
            .at(t("2027-01-01T00:00:00Z"))
            .resolver(Arc::new(res)),
    )
    .verify_value(doc)
    .unwrap()
}

/// init → badge A (key-1) → rotate → badge B (key-2) → both verify → retire key-1 from a date:
/// A (created before) verifies, a key-1 proof created after fails.
fn rotation_scenario(id: &str, retire_when_rotating: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let (mut dir, published) =
        IssuerDir::init(tmp.path(), id, "Riverside USD", t("2026-01-01T00:00:00Z")).unwrap();
    assert_eq!(published.len(), 2);
    let key1 = dir.current_key_id().to_string();
    assert!(key1.ends_with("#key-1"));
    let issuer1 = dir.issuer().unwrap();
    let a = issuer1
        .issue_at(
            &badge("A"),
            Suite::EddsaRdfc2022,
            t("2026-02-01T00:00:00Z"),
            None,
        )
        .unwrap()
        .into_json();
    // What a stolen key-1 would sign after the compromise.
    let late = issuer1
        .issue_at(
            &badge("Late"),
            Suite::EddsaRdfc2022,
            t("2026-09-01T00:00:00Z"),
            None,
        )
        .unwrap()
        .into_json();
    let r = verify(served(&dir), &a);
    assert!(r.verified, "{r}");

    let retire = t("2026-07-01T00:00:00Z");
    let key2 = dir
        .rotate(
            t("2026-06-01T00:00:00Z"),
            retire_when_rotating.then_some(retire),
        )
        .unwrap();
    assert!(key2.ends_with("#key-2"));
    let b = dir
        .issuer()
        .unwrap()
        .issue_at(
            &badge("B"),
            Suite::EddsaRdfc2022,
            t("2026-06-15T00:00:00Z"),
            None,
        )
        .unwrap()
        .into_json();
    assert_eq!(b["proof"]["verificationMethod"], key2);
    if !retire_when_rotating {
        // Rotated, not retired: old and new badges verify against the re-published document.
        for doc in [&a, &b, &late] {
            let r = verify(served(&dir), doc);
            assert!(r.verified, "{r}");
        }
        dir.retire(&key1, retire).unwrap();
    }
    let published: Value =
        serde_json::from_slice(&std::fs::read(&dir.publications().unwrap()[0].path).unwrap())
            .unwrap();
    assert_eq!(
        published["verificationMethod"][0]["revoked"],
        "2026-07-01T00:00:00Z"
    );
    assert_eq!(published["assertionMethod"].as_array().unwrap().len(), 2);

    let r = verify(served(&dir), &a);
    assert!(r.verified, "{r}");
    // Which key signed, when, and that it was retired only after.
    let by = r.signed_by.clone().expect("signed_by");
    assert_eq!(by.key.as_deref(), Some(key1.as_str()));
    assert_eq!(by.controller, id);
    assert_eq!(by.signed_at.as_deref(), Some("2026-02-01T00:00:00Z"));
    assert_eq!(by.retired_from.as_deref(), Some("2026-07-01T00:00:00Z"));
    assert_eq!(
        by.to_string(),
        format!("{key1} (controller {id}), signed 2026-02-01T00:00:00Z; retired from 2026-07-01T00:00:00Z, after it signed")
    );
    let note = r.check("issuer-key").unwrap().note.clone().unwrap();
    assert!(
        note.contains(&key1) && note.contains("retired it from 2026-07-01T00:00:00Z"),
        "{note}"
    );
    let r = verify(served(&dir), &b);
    assert!(r.verified, "{r}");
    let by = r.signed_by.clone().expect("signed_by");
    assert_eq!(by.key.as_deref(), Some(key2.as_str()));
    assert_eq!(by.retired_from, None);
    assert!(!r
        .check("issuer-key")
        .unwrap()
        .note
        .clone()
        .unwrap()
        .contains("retired"));
    let r = verify(served(&dir), &late);
    assert!(!r.verified);
    assert_eq!(r.signed_by, None, "a refused signature names no signer");
    let detail = &r.check("proof").unwrap().problem.as_ref().unwrap().detail;
    assert!(detail.contains("retired by its controller"), "{detail}");
    // The JWK Set keeps the key that still signs, not the retired one.
    let jwks: Value =
        serde_json::from_slice(&std::fs::read(&dir.publications().unwrap()[1].path).unwrap())
            .unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec![key2.as_str()]);
}

#[test]
fn https_issuer_rotates_and_retires_a_key() {
    rotation_scenario("https://district.example/issuers/1", false);
}

#[test]
fn did_web_issuer_rotates_with_a_retire_date() {
    rotation_scenario("did:web:district.example", true);
    let tmp = tempfile::tempdir().unwrap();
    let (dir, published) = IssuerDir::init(
        tmp.path(),
        "did:web:district.example:issuers:one",
        "R",
        Utc::now(),
    )
    .unwrap();
    assert_eq!(dir.kind(), IssuerKind::DidWeb);
    assert_eq!(
        published[0].url,
        "https://district.example/issuers/one/did.json"
    );
    assert_eq!(
        published[1].url,
        "https://district.example/.well-known/jwks.json"
    );
}

/// VC-JWT with a `kid` naming the issuer's key: judged by `iat`/`nbf` against the key's retire
/// date, like a proof's `created`, and the report says which key signed.
#[test]
fn jwt_kid_is_judged_against_the_retire_date() {
    use openbadges::jwt::{sign, HeaderKey, VcForm};
    use openbadges::IssuerKey;
    let tmp = tempfile::tempdir().unwrap();
    let id = "https://district.example/issuers/1";
    let (mut dir, _) =
        IssuerDir::init(tmp.path(), id, "Riverside USD", t("2026-01-01T00:00:00Z")).unwrap();
    let key1 = dir.current_key_id().to_string();
    let profile = json!({"id": id, "type": ["Profile"], "name": "Riverside USD"});
    let token_at = |dir: &IssuerDir, at: &str| {
        let doc = openbadges::issue::prepare(&badge("J"), &profile, t(at), None).unwrap();
        let key = IssuerKey::from(dir.signing_key().unwrap());
        sign(&doc, &key, HeaderKey::Kid(key1.clone()), VcForm::V2).unwrap()
    };
    let before = token_at(&dir, "2026-02-01T00:00:00Z");
    let after = token_at(&dir, "2026-08-01T00:00:00Z");
    dir.rotate(t("2026-06-01T00:00:00Z"), Some(t("2026-07-01T00:00:00Z")))
        .unwrap();
    let verifier = || {
        Verifier::new(
            VerifyOptions::default()
                .at(t("2027-01-01T00:00:00Z"))
                .resolver(Arc::new(served(&dir))),
        )
    };
    let r = verifier().verify_jwt(&before);
    assert!(r.verified, "{r}");
    let by = r.signed_by.clone().expect("signed_by");
    assert_eq!(by.key.as_deref(), Some(key1.as_str()));
    assert_eq!(by.signed_at.as_deref(), Some("2026-02-01T00:00:00Z"));
    assert_eq!(by.retired_from.as_deref(), Some("2026-07-01T00:00:00Z"));
    let note = r.check("issuer-key").unwrap().note.clone().unwrap();
    assert!(
        note.contains("retired it from 2026-07-01T00:00:00Z"),
        "{note}"
    );
    let r = verifier().verify_jwt(&after);
    assert!(
        !r.verified,
        "a token issued after its key was retired verified"
    );
    assert_eq!(r.signed_by, None);
    let detail = &r.check("proof").unwrap().problem.as_ref().unwrap().detail;
    assert!(detail.contains("retired by its controller"), "{detail}");
}

#[test]
fn did_key_issuer_publishes_nothing_and_cannot_rotate() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut dir, published) = IssuerDir::init(tmp.path(), "did:key", "R", Utc::now()).unwrap();
    assert!(published.is_empty());
    assert!(dir.id().starts_with("did:key:z6Mk"));
    let signed = dir
        .issuer()
        .unwrap()
        .issue(&badge("A"), Suite::EddsaRdfc2022)
        .unwrap()
        .into_json();
    let r = Verifier::new(VerifyOptions::default())
        .verify_value(&signed)
        .unwrap();
    assert!(r.verified, "{r}");
    let err = dir.rotate(Utc::now(), None).unwrap_err();
    assert!(
        err.to_string().contains("did:key issuer cannot rotate"),
        "{err}"
    );
    let key = dir.current_key_id().to_string();
    let err = dir.retire(&key, Utc::now()).unwrap_err();
    assert!(
        err.to_string()
            .contains("revoke its badges through a status list"),
        "{err}"
    );
}

#[test]
fn published_documents_are_lossless_json_ld() {
    let tmp = tempfile::tempdir().unwrap();
    for (sub, id) in [
        ("h", "https://district.example/issuers/1"),
        ("w", "did:web:district.example"),
    ] {
        let (mut dir, _) =
            IssuerDir::init(&tmp.path().join(sub), id, "Riverside USD", Utc::now()).unwrap();
        dir.rotate(Utc::now(), Some(t("2026-07-01T00:00:00Z")))
            .unwrap();
        let doc = &dir.publications().unwrap()[0].document;
        let rdf = Processor::new()
            .to_rdf(doc, &Options::safe())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let nq = openbadges::rdfc::canonicalize(&rdf).unwrap();
        for want in [
            "assertionMethod",
            "verificationMethod",
            "publicKeyMultibase",
            "revoked",
        ] {
            assert!(nq.contains(want), "{id}: no {want} in\n{nq}");
        }
    }
}

#[test]
fn badge_from_a_published_profile_verifies_in_the_js_reference() {
    let Some(d) = common::interop_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (dir, published) = IssuerDir::init(
        tmp.path(),
        "https://district.example/issuers/1",
        "Riverside USD",
        Utc::now(),
    )
    .unwrap();
    let signed = dir
        .issuer()
        .unwrap()
        .issue(&badge("A"), Suite::EddsaRdfc2022)
        .unwrap()
        .into_json();
    let profile = published[0].path.to_string_lossy().to_string();
    let (ok, out) = common::node(&d, "profile.mjs", &[&profile], &signed);
    assert!(ok, "the JS stack refused our badge: {out}");
    let mut tampered = signed.clone();
    tampered["name"] = "B".into();
    let (ok, _) = common::node(&d, "profile.mjs", &[&profile], &tampered);
    assert!(!ok);
    // A Profile that does not list the key: the JS stack refuses too.
    let other = tmp.path().join("other");
    let (_, other_pub) = IssuerDir::init(
        &other,
        "https://district.example/issuers/1",
        "Impostor",
        Utc::now(),
    )
    .unwrap();
    let path = other_pub[0].path.to_string_lossy().to_string();
    let (ok, _) = common::node(&d, "profile.mjs", &[&path], &signed);
    assert!(!ok, "the JS stack accepted a key the Profile does not list");
}

#[test]
fn bad_documents_key_files_and_ids_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let id = "https://district.example/issuers/1";
    let (dir, published) = IssuerDir::init(tmp.path(), id, "Riverside USD", Utc::now()).unwrap();
    let signed = dir
        .issuer()
        .unwrap()
        .issue(&badge("A"), Suite::EddsaRdfc2022)
        .unwrap()
        .into_json();
    let profile = published[0].document.clone();

    // A Profile whose id is not where it was fetched from.
    let mut wrong = profile.clone();
    wrong["id"] = "https://elsewhere.example/issuers/9".into();
    let mut res = LocalResources::new();
    res.insert(id, serde_json::to_vec(&wrong).unwrap());
    let r = verify(res, &signed);
    assert!(!r.verified);
    let detail = &r.check("proof").unwrap().problem.as_ref().unwrap().detail;
    assert!(
        detail.contains("https://elsewhere.example/issuers/9")
            && detail.contains("must be the same"),
        "{detail}"
    );

    // A key listed only under `authentication`.
    let mut auth_only = profile.clone();
    auth_only["authentication"] = auth_only["assertionMethod"].take();
    auth_only.as_object_mut().unwrap().remove("assertionMethod");
    let mut res = LocalResources::new();
    res.insert(id, serde_json::to_vec(&auth_only).unwrap());
    let r = verify(res, &signed);
    let detail = &r.check("proof").unwrap().problem.as_ref().unwrap().detail;
    assert!(
        !r.verified && detail.contains("assertionMethod"),
        "{detail}"
    );

    // A key file others can read.
    let key_file = tmp.path().join("keys/key-1.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = dir.issuer().unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("key-1.json") && msg.contains("0644") && msg.contains("chmod 600"),
            "{msg}"
        );
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // A malformed secret: named, never echoed.
    let mut kf: Value = serde_json::from_slice(&std::fs::read(&key_file).unwrap()).unwrap();
    kf["secretKeyMultibase"] = "mSECRET-ish-garbage".into();
    openbadges::atomic_file::write(&key_file, kf.to_string().as_bytes(), 0o600).unwrap();
    let msg = dir.issuer().unwrap_err().to_string();
    assert!(
        msg.contains("key-1.json") && msg.contains("secretKeyMultibase"),
        "{msg}"
    );
    assert!(
        !msg.contains("SECRET"),
        "the error echoes the secret: {msg}"
    );
    // Someone else's key in the file.
    let other = openbadges::keys::SigningKey::from_seed(&[9; 32]);
    openbadges::issuer::write_key_file(&key_file, &other, "x", id).unwrap();
    let msg = dir.issuer().unwrap_err().to_string();
    assert!(msg.contains("does not hold the key recorded"), "{msg}");

    // Ids that are neither https nor a supported DID.
    for (bad, words) in [
        ("http://district.example/issuers/1", "must be https"),
        ("did:example:123", "DID method"),
        ("urn:uuid:2f3c", "neither an https URL nor a supported DID"),
        ("https://district.example/issuers/1#me", "no fragment"),
        ("did:web:", "no host"),
        (
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "give `did:key`",
        ),
    ] {
        let err = IssuerDir::init(&tmp.path().join("x"), bad, "R", Utc::now()).unwrap_err();
        assert!(err.to_string().contains(words), "{bad}: {err}");
    }
    // init never overwrites an issuer.
    let err = IssuerDir::init(tmp.path(), id, "R", Utc::now()).unwrap_err();
    assert!(err.to_string().contains("already holds an issuer"), "{err}");
}

fn ob(args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Runs the binary and requires exit 0.
fn ok(args: &[&str], dir: &Path) -> std::process::Output {
    let o = ob(args, dir);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

#[test]
fn cli_issuer_init_issue_rotate_and_verify_with_resources() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("badge.json"), badge("A").to_string()).unwrap();
    let id = "https://district.example/issuers/1";
    let o = ok(
        &[
            "issuer",
            "init",
            "--id",
            id,
            "--name",
            "Riverside USD",
            "--out",
            "riverside",
        ],
        d,
    );
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        out.contains(
            "riverside/publish/issuer-profile.json  →  https://district.example/issuers/1"
        ),
        "{out}"
    );
    assert!(
        out.contains("https://district.example/.well-known/jwks.json"),
        "{out}"
    );
    // The secret never appears on the terminal.
    let secret: Value =
        serde_json::from_slice(&std::fs::read(d.join("riverside/keys/key-1.json")).unwrap())
            .unwrap();
    assert!(!out.contains(secret["secretKeyMultibase"].as_str().unwrap()));

    let o = ok(&["issue", "--issuer-dir", "riverside", "badge.json"], d);
    std::fs::write(d.join("a.json"), &o.stdout).unwrap();
    let o = ok(
        &[
            "issue",
            "--issuer-dir",
            "riverside",
            "--suite",
            "jwt-eddsa",
            "badge.json",
        ],
        d,
    );
    std::fs::write(d.join("a.jwt"), &o.stdout).unwrap();

    let o = ok(&["issuer", "rotate", "--dir", "riverside"], d);
    assert!(String::from_utf8_lossy(&o.stdout).contains("#key-2  (current signing key)"));
    let o = ob(&["issue", "--issuer-dir", "riverside", "badge.json"], d);
    std::fs::write(d.join("b.json"), &o.stdout).unwrap();

    let res = format!("{id}=riverside/publish/issuer-profile.json");
    let o = ob(
        &[
            "verify",
            "--json",
            "--resource",
            &res,
            "a.json",
            "b.json",
            "a.jwt",
        ],
        d,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let reports: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(reports[0]["signedBy"]["key"], format!("{id}#key-1"));
    assert_eq!(reports[1]["signedBy"]["key"], format!("{id}#key-2"));
    assert_eq!(reports[2]["signedBy"]["key"], format!("{id}#key-1"));
    assert_eq!(reports[2]["signedBy"]["controller"], id);
    assert!(reports[2]["signedBy"]["signedAt"].is_string());
    assert_eq!(
        reports[0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "proof")
            .unwrap()["note"],
        format!("eddsa-rdfc-2022 by {id}#key-1")
    );
    assert_eq!(
        reports[1]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "proof")
            .unwrap()["note"],
        format!("eddsa-rdfc-2022 by {id}#key-2")
    );

    // Rotate again, retiring the outgoing key-2 from a date in the past: its badges now fail,
    // key-1's (never retired) still verify.
    let o = ob(
        &[
            "issuer",
            "rotate",
            "--dir",
            "riverside",
            "--retire-old",
            "2020-01-01T00:00:00Z",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(0));
    let cfg: Value =
        serde_json::from_slice(&std::fs::read(d.join("riverside/issuer.json")).unwrap()).unwrap();
    assert_eq!(cfg["keys"][1]["revoked"], "2020-01-01T00:00:00Z");
    let o = ob(&["verify", "--resource", &res, "b.json"], d);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = ob(&["verify", "--resource", &res, "a.json"], d);
    assert_eq!(
        o.status.code(),
        Some(0),
        "key-1 was not retired: {}",
        String::from_utf8_lossy(&o.stdout)
    );

    // Key-1 turns out to have been stolen long ago: retire it after the fact, without rotating.
    let o = ok(
        &[
            "issuer",
            "retire",
            "--dir",
            "riverside",
            "--key",
            "key-1",
            "--from",
            "2020-01-01T00:00:00Z",
        ],
        d,
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("#key-1") && out.contains("from 2020-01-01T00:00:00Z are refused"),
        "{out}"
    );
    let o = ob(&["verify", "--resource", &res, "a.json"], d);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    for (key, from, why) in [
        ("key-1", "2030-01-01T00:00:00Z", "only moves earlier"),
        ("key-3", "2020-01-01T00:00:00Z", "current signing key"),
        ("key-9", "2020-01-01T00:00:00Z", "no key"),
        ("key-1", "yesterday", "RFC 3339"),
    ] {
        let o = ob(
            &[
                "issuer",
                "retire",
                "--dir",
                "riverside",
                "--key",
                key,
                "--from",
                from,
            ],
            d,
        );
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(why), "{key} {from}: {err}");
    }
    let o = ok(&["issuer", "show", "--dir", "riverside"], d);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("riverside/publish/issuer-profile.json")
            && out.contains("#key-3  (current signing key)"),
        "{out}"
    );

    // Bad input: init over an issuer, an http id, a credential naming another issuer.
    let o = ob(
        &[
            "issuer",
            "init",
            "--id",
            id,
            "--name",
            "X",
            "--out",
            "riverside",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already holds an issuer"));
    let o = ob(
        &[
            "issuer",
            "init",
            "--id",
            "http://district.example/i",
            "--name",
            "X",
            "--out",
            "y",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be https"));
    let mut other = badge("A");
    other["issuer"] = json!({"id": "https://other.example/issuers/1"});
    std::fs::write(d.join("other.json"), other.to_string()).unwrap();
    let o = ob(&["issue", "--issuer-dir", "riverside", "other.json"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("names the issuer https://other.example/issuers/1"));
}

#[test]
fn cli_issuer_directory_runs_a_status_list_and_a_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let id = "https://district.example/issuers/1";
    let list_url = "https://district.example/status/1";
    ok(
        &[
            "issuer",
            "init",
            "--id",
            id,
            "--name",
            "Riverside USD",
            "--out",
            "riverside",
        ],
        d,
    );
    ok(
        &[
            "status",
            "init",
            "--store",
            "status.json",
            "--url",
            list_url,
        ],
        d,
    );
    std::fs::write(d.join("badge.json"), badge("A").to_string()).unwrap();
    let o = ok(
        &[
            "issue",
            "--issuer-dir",
            "riverside",
            "--status-store",
            "status.json",
            "badge.json",
        ],
        d,
    );
    std::fs::write(d.join("a.json"), &o.stdout).unwrap();
    ok(&["status", "revoke", "--store", "status.json", "a.json"], d);
    ok(
        &[
            "status",
            "publish",
            "--store",
            "status.json",
            "--issuer-dir",
            "riverside",
            "-o",
            "list.json",
        ],
        d,
    );
    let profile = format!("{id}=riverside/publish/issuer-profile.json");
    let list = format!("{list_url}=list.json");
    let o = ob(
        &[
            "verify",
            "--json",
            "--resource",
            &profile,
            "--resource",
            &list,
            "a.json",
        ],
        d,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let status = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "status")
        .unwrap();
    assert_eq!(status["outcome"], "failed", "{status}");

    // issue-batch as the district.
    std::fs::write(
        d.join("roster.csv"),
        "name,email\nAna,ana@district.example\nBo,bo@district.example\n",
    )
    .unwrap();
    std::fs::write(
        d.join("achievement.json"),
        badge("A")["credentialSubject"]["achievement"].to_string(),
    )
    .unwrap();
    ok(
        &[
            "issue-batch",
            "--roster",
            "roster.csv",
            "--achievement",
            "achievement.json",
            "--issuer-dir",
            "riverside",
            "--out",
            "out",
        ],
        d,
    );
    // The badges (the journal and manifest.csv sit beside them).
    let files: Vec<_> = std::fs::read_dir(d.join("out"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 2);
    for f in files {
        let b: Value = serde_json::from_slice(&std::fs::read(f.path()).unwrap()).unwrap();
        assert_eq!(b["issuer"]["id"], id);
        assert_eq!(b["proof"]["verificationMethod"], format!("{id}#key-1"));
        let o = ob(
            &[
                "verify",
                "--resource",
                &profile,
                &f.path().to_string_lossy(),
            ],
            d,
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}
