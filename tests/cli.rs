//! The `openbadges` binary, run as a user would: every command, exit codes, and the JSON shape of
//! `verify --json` (the CLI contract in ARCHITECTURE.md).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

fn ob(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn sample() -> &'static str {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/sample-microcredential.json"
    )
}

#[test]
fn keygen_issue_verify_lint() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let o = ob(&["keygen", "--seed", SEED], p);
    assert_eq!(code(&o), 0);
    let k: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        k["did"],
        "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"
    );
    assert!(k["secretKeyMultibase"]
        .as_str()
        .unwrap()
        .starts_with("z3u2"));
    // A key file others can read is refused, naming the fix.
    std::fs::write(p.join("key.json"), &o.stdout).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p.join("key.json"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let o = ob(&["issue", "--key", "key.json", sample()], p);
        assert_eq!(code(&o), 2);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("key.json") && err.contains("chmod 600"),
            "{err}"
        );
        assert!(!err.contains("z3u2"), "the secret was echoed: {err}");
    }
    // `keygen --out` never replaces a file, writes owner-only, and prints no secret.
    let o = ob(&["keygen", "--seed", SEED, "--out", "key.json"], p);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    std::fs::remove_file(p.join("key.json")).unwrap();
    let o = ob(&["keygen", "--seed", SEED, "--out", "key.json"], p);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let public: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(public["did"], k["did"]);
    assert!(public.get("secretKeyMultibase").is_none());
    let written: Value =
        serde_json::from_slice(&std::fs::read(p.join("key.json")).unwrap()).unwrap();
    assert_eq!(written, k);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p.join("key.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    for suite in ["eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"] {
        let o = ob(
            &["issue", "--key", "key.json", "--suite", suite, sample()],
            p,
        );
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
        let signed: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(signed["issuer"]["id"], k["did"]);
        assert!(signed["id"].as_str().unwrap().starts_with("urn:uuid:"));
        std::fs::write(p.join("signed.json"), &o.stdout).unwrap();
        let o = ob(&["verify", "signed.json"], p);
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
        assert!(String::from_utf8_lossy(&o.stdout).starts_with("VERIFIED"));
    }

    // JSON report shape: an object for one input, an array for several; exit 1 if any failed.
    let mut t: Value =
        serde_json::from_slice(&std::fs::read(p.join("signed.json")).unwrap()).unwrap();
    t["name"] = "Tampered".into();
    std::fs::write(p.join("tampered.json"), serde_json::to_vec(&t).unwrap()).unwrap();
    let o = ob(&["verify", "--json", "signed.json"], p);
    let one: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(one["verified"], true);
    assert!(one["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"].is_string() && c["outcome"].is_string()));
    let o = ob(&["verify", "--json", "signed.json", "tampered.json"], p);
    assert_eq!(code(&o), 1);
    let many: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(many.as_array().unwrap().len(), 2);
    assert_eq!(many[1]["verified"], false);

    // --at: judged as of a date before validFrom → not yet valid.
    let o = ob(
        &["verify", "--at", "2020-01-01T00:00:00Z", "signed.json"],
        p,
    );
    assert_eq!(code(&o), 1);

    // usage / I/O errors → 2, one line saying what.
    let o = ob(&["verify", "missing.json"], p);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.json"));
    let o = ob(&["issue", "--seed", "zz", sample()], p);
    assert_eq!(code(&o), 2);
    let o = ob(&["verify", "--at", "yesterday", "signed.json"], p);
    assert_eq!(code(&o), 2);

    // lint: the sample has no issuer id → an error finding, exit 1; the signed one is clean.
    let o = ob(&["lint", sample()], p);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stdout).contains("/issuer/id"));
    let o = ob(&["lint", "signed.json"], p);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn status_store_end_to_end() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let url = "https://district.example/status/1";
    assert_eq!(
        code(&ob(
            &["status", "init", "--store", "status.json", "--url", url],
            p
        )),
        0
    );
    assert_eq!(
        code(&ob(
            &["status", "init", "--store", "status.json", "--url", url],
            p
        )),
        2,
        "no overwrite"
    );
    let o = ob(
        &[
            "issue",
            "--seed",
            SEED,
            "--status-store",
            "status.json",
            sample(),
        ],
        p,
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(p.join("signed.json"), &o.stdout).unwrap();
    let signed: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        signed["credentialStatus"]["type"],
        "BitstringStatusListEntry"
    );

    assert_eq!(
        code(&ob(
            &[
                "status",
                "publish",
                "--store",
                "status.json",
                "--seed",
                SEED,
                "-o",
                "list.json"
            ],
            p
        )),
        0
    );
    let res = format!("{url}=list.json");
    assert_eq!(
        code(&ob(&["verify", "--resource", &res, "signed.json"], p)),
        0
    );
    // Without the list the status is unknown: not verified.
    assert_eq!(code(&ob(&["verify", "signed.json"], p)), 1);

    assert_eq!(
        code(&ob(
            &["status", "revoke", "--store", "status.json", "signed.json"],
            p
        )),
        0
    );
    assert_eq!(
        code(&ob(
            &[
                "status",
                "publish",
                "--store",
                "status.json",
                "--seed",
                SEED,
                "-o",
                "list.json"
            ],
            p
        )),
        0
    );
    let o = ob(&["verify", "--json", "--resource", &res, "signed.json"], p);
    assert_eq!(code(&o), 1);
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let status = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "status")
        .unwrap();
    assert_eq!(status["outcome"], "failed");
    // Suspension verbs on a revocation list are refused.
    assert_eq!(
        code(&ob(
            &["status", "suspend", "--store", "status.json", "signed.json"],
            p
        )),
        2
    );
}

#[test]
fn issue_batch_resumes_without_duplicates() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(
        p.join("achievement.json"),
        r#"{"id": "https://district.example/a/growth-mindset", "type": ["Achievement"], "name": "Growth Mindset",
            "description": "Fosters a growth mindset.", "criteria": {"narrative": "Rubric 3+."}}"#,
    )
    .unwrap();
    let mut roster = String::from("name,email,did\n");
    for i in 0..40 {
        roster.push_str(&format!("Teacher {i},teacher{i}@district.example,\n"));
    }
    roster.push_str("Bad Row,not-an-email,\n");
    roster.push_str("Dee Id,,did:example:dee\n");
    std::fs::write(p.join("roster.csv"), roster).unwrap();
    let args = [
        "issue-batch",
        "--roster",
        "roster.csv",
        "--achievement",
        "achievement.json",
        "--seed",
        SEED,
        "--out",
        "out",
    ];
    let o = ob(&args, p);
    assert_eq!(code(&o), 1, "a bad row makes the run report a problem");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("roster.csv:42: malformed e-mail"), "{err}");
    let badges = |dir: &Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect()
    };
    assert_eq!(badges(&p.join("out")).len(), 41);
    assert!(p.join("out/manifest.csv").exists() && p.join("out/issue-batch.journal").exists());
    // Deleted outputs: re-run → same 41, nothing duplicated.
    let mut names = badges(&p.join("out"));
    names.sort();
    for f in names.iter().take(10) {
        std::fs::remove_file(f).unwrap();
    }
    let o = ob(&args, p);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("10 issued, 31 already present"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(badges(&p.join("out")).len(), 41);
    // Every badge verifies.
    let mut all: Vec<String> = names
        .iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    all.insert(0, "verify".into());
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    assert_eq!(code(&ob(&refs, p)), 0);
    // Missing column → exit 2 with where.
    std::fs::write(p.join("bad.csv"), "name,phone\nA,1\n").unwrap();
    let o = ob(
        &[
            "issue-batch",
            "--roster",
            "bad.csv",
            "--achievement",
            "achievement.json",
            "--seed",
            SEED,
            "--out",
            "out2",
        ],
        p,
    );
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing column `email`"));
}

#[test]
fn speed_json_shape_and_help_examples() {
    let d = tempfile::tempdir().unwrap();
    let o = ob(
        &["speed", "--suite", "eddsa-jcs-2022", "--n", "5", "--json"],
        d.path(),
    );
    assert_eq!(code(&o), 0);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["suite"], "eddsa-jcs-2022");
    assert_eq!(v["n"], 5);
    assert!(
        v["sign_per_sec"].as_f64().unwrap() > 0.0 && v["verify_per_sec"].as_f64().unwrap() > 0.0
    );
    for cmd in [
        vec!["keygen"],
        vec!["issue"],
        vec!["verify"],
        vec!["lint"],
        vec!["issue-batch"],
        vec!["speed"],
        vec!["status", "init"],
        vec!["status", "revoke"],
        vec!["status", "publish"],
        vec!["status", "suspend"],
        vec!["status", "reinstate"],
        vec!["bake"],
        vec!["extract"],
        vec!["import"],
        vec!["present"],
        vec!["issuer", "init"],
        vec!["issuer", "rotate"],
        vec!["issuer", "retire"],
        vec!["issuer", "show"],
        vec!["stack", "progress"],
        vec!["stack", "award"],
        vec!["policy", "value"],
        vec!["policy", "report"],
        vec!["award"],
        vec!["award", "explain"],
        vec!["serve"],
        vec!["serve", "token", "create"],
        vec!["clr", "bundle"],
        vec!["clr", "verify"],
    ] {
        // Without the `server` feature `serve` is a stub that says how to get it.
        if !cfg!(feature = "server") && cmd.len() > 1 && cmd[0] == "serve" {
            continue;
        }
        let mut args = cmd.clone();
        args.push("--help");
        let o = ob(&args, d.path());
        assert_eq!(code(&o), 0);
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Example"),
            "{cmd:?} --help has no example"
        );
    }
}

#[test]
fn bake_extract_verify() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let o = ob(&["issue", "--seed", SEED, sample()], p);
    std::fs::write(p.join("signed.json"), &o.stdout).unwrap();
    std::fs::write(
        p.join("badge.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle r="4" cx="4" cy="4"/></svg>"#,
    )
    .unwrap();
    assert_eq!(
        code(&ob(
            &[
                "bake",
                "--credential",
                "signed.json",
                "badge.svg",
                "-o",
                "baked.svg"
            ],
            p
        )),
        0
    );
    let o = ob(&["extract", "baked.svg"], p);
    assert_eq!(code(&o), 0);
    let original = std::fs::read_to_string(p.join("signed.json")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim_end(),
        original.trim_end()
    );
    assert_eq!(code(&ob(&["verify", "baked.svg"], p)), 0);
    assert_eq!(code(&ob(&["extract", "badge.svg"], p)), 1);
}

#[test]
fn present_import_and_verify_a_presentation() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let o = ob(&["issue", "--seed", SEED, sample()], p);
    std::fs::write(p.join("signed.json"), &o.stdout).unwrap();
    let o = ob(
        &[
            "present",
            "--seed",
            SEED,
            "--challenge",
            "c-1",
            "--domain",
            "lakeside.example",
            "signed.json",
        ],
        p,
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(p.join("vp.json"), &o.stdout).unwrap();
    let vp: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(vp["proof"]["challenge"], "c-1");
    let o = ob(&["import", "vp.json"], p);
    assert_eq!(code(&o), 0);
    let rows: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows[0]["source"], "presentation /verifiableCredential/0");
    // The issuer presented the teacher's badge: the presentation is checked, and refused.
    let o = ob(&["verify", "--challenge", "c-1", "vp.json"], p);
    assert_eq!(code(&o), 1);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("presents credentials about someone else"),
        "{out}"
    );
    // Replayed with another challenge: the presentation proof fails.
    let o = ob(&["verify", "--challenge", "c-2", "vp.json"], p);
    assert!(String::from_utf8_lossy(&o.stdout).contains("failed        presentation-proof"));
}

#[test]
fn jwt_suites_issue_and_verify() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let o = ob(
        &["issue", "--seed", SEED, "--suite", "jwt-eddsa", sample()],
        p,
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let token = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert_eq!(token.split('.').count(), 3);
    std::fs::write(p.join("badge.jwt"), &token).unwrap();
    let o = ob(&["verify", "badge.jwt"], p);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));

    for kind in ["p256", "rsa"] {
        let o = ob(
            &["keygen", "--jwt", kind, "--out", &format!("k-{kind}.json")],
            p,
        );
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
        let k: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(k.get("privateKeyJwk").is_none() && k.get("publicKeyJwk").is_some());
        let key_file = format!("k-{kind}.json");
        let mut cred: Value =
            serde_json::from_str(&std::fs::read_to_string(sample()).unwrap()).unwrap();
        cred["issuer"]["id"] = "https://riverside.example/issuer".into();
        std::fs::write(p.join("c.json"), cred.to_string()).unwrap();
        let suite = if kind == "p256" {
            "jwt-es256"
        } else {
            "jwt-rs256"
        };
        let o = ob(
            &["issue", "--key", &key_file, "--suite", suite, "c.json"],
            p,
        );
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::write(p.join("b.jwt"), &o.stdout).unwrap();
        // The header jwk alone proves nothing: not verified until a trust entry binds the key.
        assert_eq!(code(&ob(&["verify", "b.jwt"], p)), 1);
        let trust = serde_json::json!({"issuers": [{"id": "https://riverside.example/issuer", "keys": [k["publicKeyJwk"]]}]});
        std::fs::write(p.join("trust.json"), trust.to_string()).unwrap();
        let o = ob(&["verify", "--trust", "trust.json", "b.jwt"], p);
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    }
}

/// A CLI built without `server` names the feature instead of failing obscurely (`cargo test`
/// with default features runs this; `--all-features` builds the real `serve`).
#[cfg(not(feature = "server"))]
#[test]
fn serve_without_the_server_feature_says_how_to_get_it() {
    let d = tempfile::tempdir().unwrap();
    let o = ob(
        &["serve", "--issuer-dir", "x", "--listen", "127.0.0.1:0"],
        d.path(),
    );
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--features server"), "{err}");
}
