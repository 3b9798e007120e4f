//! `openbadges verify` over many inputs, as a hiring office would run it on a folder: good,
//! revoked and tampered badges, a note that is no credential, a file over the input limit, a
//! broken symlink and a FIFO (we run as root, who reads chmod-000 files, so those stand for the
//! unreadable). Every file gets its verdict or its error, in a stable order, with the contract's
//! exit codes; `--jsonl` lines parse; `--jobs 1` and `--jobs 4`, batched and `--one-by-one`,
//! print the same bytes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const STATUS_URL: &str = "https://district.example/status/1";

fn ob(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("binary runs")
}

fn ok(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// What each file of the folder must give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Verified,
    Revoked,
    Tampered,
    NotACredential,
    Unreadable(&'static str),
}

/// Issues `rows` badges with a status list, revokes one, publishes the list, and lays out
/// `inbox/` with every kind of input; returns (workdir, the files in the order `verify` must
/// report them, with what each must give).
fn folder(rows: usize) -> (tempfile::TempDir, Vec<(PathBuf, Want)>) {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("achievement.json"),
        r#"{"id": "https://district.example/a/growth-mindset", "type": ["Achievement"],
            "name": "Growth Mindset", "description": "Fosters a growth mindset.",
            "criteria": {"narrative": "Rubric 3+."}}"#,
    )
    .unwrap();
    let mut roster = String::from("name,email\n");
    for i in 0..rows {
        roster.push_str(&format!("Teacher {i},teacher{i}@district.example\n"));
    }
    std::fs::write(d.join("roster.csv"), roster).unwrap();
    ok(&ob(
        &[
            "status",
            "init",
            "--store",
            "status.json",
            "--url",
            STATUS_URL,
        ],
        d,
    ));
    ok(&ob(
        &[
            "issue-batch",
            "--roster",
            "roster.csv",
            "--achievement",
            "achievement.json",
            "--seed",
            SEED,
            "--out",
            "issued",
            "--status-store",
            "status.json",
        ],
        d,
    ));
    let mut badges: Vec<PathBuf> = std::fs::read_dir(d.join("issued"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    badges.sort();
    assert_eq!(badges.len(), rows);
    let inbox = d.join("inbox");
    std::fs::create_dir_all(inbox.join("more/deeper")).unwrap();
    let mut want = Vec::new();
    for (i, b) in badges.iter().enumerate() {
        let name = match i {
            0 => "more/deeper/good.json".to_string(),
            1 => "revoked.json".to_string(),
            2 => "tampered.json".to_string(),
            _ => format!("good-{i:03}.json"),
        };
        let to = inbox.join(&name);
        let mut text = std::fs::read_to_string(b).unwrap();
        let w = match i {
            1 => {
                ok(&ob(
                    &[
                        "status",
                        "revoke",
                        "--store",
                        "status.json",
                        b.to_str().unwrap(),
                    ],
                    d,
                ));
                Want::Revoked
            }
            2 => {
                let mut v: Value = serde_json::from_str(&text).unwrap();
                v["credentialSubject"]["achievement"]["name"] =
                    "Growth Mindset (with honours)".into();
                text = v.to_string();
                Want::Tampered
            }
            _ => Want::Verified,
        };
        std::fs::write(&to, text).unwrap();
        want.push((to, w));
    }
    ok(&ob(
        &[
            "status",
            "publish",
            "--store",
            "status.json",
            "--seed",
            SEED,
            "-o",
            "list.json",
        ],
        d,
    ));
    std::fs::write(inbox.join("notes.txt"), "call the district on Monday\n").unwrap();
    want.push((inbox.join("notes.txt"), Want::NotACredential));
    // Over the 32 MiB input limit (sparse: costs no disk).
    let huge = inbox.join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(33 * 1024 * 1024)
        .unwrap();
    want.push((huge, Want::Unreadable("input limit")));
    let dangling = inbox.join("dangling.json");
    std::os::unix::fs::symlink(d.join("nowhere.json"), &dangling).unwrap();
    want.push((dangling, Want::Unreadable("symlink to nothing")));
    let fifo = inbox.join("pipe.json");
    let o = Command::new("mkfifo")
        .arg(&fifo)
        .output()
        .expect("mkfifo runs");
    assert!(o.status.success());
    want.push((fifo, Want::Unreadable("FIFO")));
    // Hidden files (an interrupted writer's temporaries) are not inputs.
    std::fs::write(inbox.join(".good-000.json.tmp-1"), "{").unwrap();
    want.sort_by(|a, b| a.0.cmp(&b.0));
    (tmp, want)
}

fn check(report: &Value, path: &Path, want: Want) {
    let shown = path.display().to_string();
    assert_eq!(report["source"], shown.as_str(), "order: {report}");
    assert!(report["checks"].is_array(), "{report}");
    let check = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no `{id}` check for {shown}: {report}"))
            .clone()
    };
    match want {
        Want::Verified => assert_eq!(report["verified"], true, "{report}"),
        Want::Revoked => {
            assert_eq!(report["verified"], false);
            assert_eq!(check("status")["outcome"], "failed", "{report}");
            assert_eq!(check("proof")["outcome"], "passed", "{report}");
        }
        Want::Tampered => {
            assert_eq!(report["verified"], false);
            assert_eq!(check("proof")["outcome"], "failed", "{report}");
        }
        Want::NotACredential => {
            assert_eq!(report["verified"], false);
            assert_eq!(check("parse")["outcome"], "failed", "{report}");
        }
        Want::Unreadable(why) => {
            assert_eq!(report["verified"], false);
            assert_eq!(report["checks"], Value::Array(vec![]));
            let msg = report["error"]["message"].as_str().unwrap();
            assert!(msg.contains(why), "{shown}: `{msg}` should say {why}");
            assert!(msg.contains(&shown), "{msg} names the file");
        }
    }
}

fn verify(d: &Path, extra: &[&str], inputs: &[&str]) -> Output {
    let resource = format!("{STATUS_URL}=list.json");
    let mut args = vec!["verify", "--offline", "--resource", resource.as_str()];
    args.extend_from_slice(extra);
    args.extend_from_slice(inputs);
    ob(&args, d)
}

#[test]
fn a_folder_gets_one_verdict_or_error_per_file_in_order() {
    let (tmp, want) = folder(14);
    let d = tmp.path();
    let o = verify(d, &["--jsonl", "--jobs", "2"], &["inbox"]);
    let stdout = String::from_utf8(o.stdout.clone()).unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "unreadable files: exit 2; {stderr}"
    );
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON report"))
        .collect();
    assert_eq!(lines.len(), want.len(), "{stdout}");
    for (report, (path, w)) in lines.iter().zip(&want) {
        let rel = path.strip_prefix(d).unwrap();
        check(report, rel, *w);
    }
    // 11 good + the nested one, 1 revoked + 1 tampered + 1 note, 3 unreadable.
    assert!(
        stderr
            .trim_end()
            .ends_with("12 verified, 3 not verified, 3 unreadable"),
        "{stderr}"
    );
    // The human report says why, per file, and exits the same way.
    let o = verify(d, &[], &["inbox"]);
    assert_eq!(o.status.code(), Some(2));
    let text = String::from_utf8(o.stdout).unwrap();
    for why in ["input limit", "symlink to nothing", "FIFO"] {
        assert!(text.contains(why), "{text}");
    }
    assert_eq!(text.matches("NOT VERIFIED").count(), 6, "{text}");
}

#[test]
fn one_thread_and_many_print_the_same_bytes() {
    let (tmp, _) = folder(20);
    let d = tmp.path();
    for format in ["--jsonl", "--json"] {
        let one = verify(d, &[format, "--jobs", "1"], &["inbox"]);
        let many = verify(d, &[format, "--jobs", "4"], &["inbox"]);
        assert_eq!(one.status.code(), Some(2));
        assert_eq!(many.status.code(), one.status.code());
        assert!(!one.stdout.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&one.stdout),
            String::from_utf8_lossy(&many.stdout),
            "{format}"
        );
        assert_eq!(one.stderr, many.stderr);
    }
    // --json for several inputs: one array, each element a report, as serde_json prints it.
    let o = verify(d, &["--json"], &["inbox"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let arr = v.as_array().expect("an array for several inputs");
    assert_eq!(arr.len(), 24);
    let again = serde_json::to_string_pretty(&v).unwrap() + "\n";
    assert_eq!(String::from_utf8(o.stdout).unwrap(), again);
}

#[test]
fn batched_and_one_by_one_print_the_same_bytes() {
    // Enough badges for a chunk to be checked in one Ed25519 batch (the tampered one among
    // them is verified again alone).
    let (tmp, want) = folder(110);
    let d = tmp.path();
    assert!(want.len() > openbadges::keys::batch::MIN_BATCH + 20);
    for format in ["--jsonl", "--json", "--at=2030-01-01T00:00:00Z"] {
        let alone = verify(d, &[format, "--jobs", "1", "--one-by-one"], &["inbox"]);
        assert_eq!(alone.status.code(), Some(2));
        for jobs in ["1", "3"] {
            let batched = verify(d, &[format, "--jobs", jobs], &["inbox"]);
            assert_eq!(batched.status.code(), alone.status.code());
            assert_eq!(
                String::from_utf8_lossy(&batched.stdout),
                String::from_utf8_lossy(&alone.stdout),
                "{format}, --jobs {jobs}"
            );
            assert_eq!(batched.stderr, alone.stderr);
        }
    }
}

#[test]
fn exit_codes_follow_the_contract() {
    let (tmp, _) = folder(5);
    let d = tmp.path();
    let good = ["inbox/good-003.json", "inbox/good-004.json"];
    let o = verify(d, &["--json"], &good[..1]);
    assert_eq!(o.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.is_object(), "one input: one object");
    assert_eq!(v["verified"], true);
    assert_eq!(verify(d, &[], &good).status.code(), Some(0));
    let o = verify(d, &[], &[good[0], "inbox/tampered.json", good[1]]);
    assert_eq!(o.status.code(), Some(1));
    let o = verify(d, &["--json"], &[good[0], "inbox/missing.json"]);
    assert_eq!(o.status.code(), Some(2), "a missing file is an I/O error");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["verified"], true, "the other input was still verified");
    assert_eq!(v[1]["error"]["kind"], "io");
    // An empty folder: a usage error, not a silent success.
    std::fs::create_dir(d.join("empty")).unwrap();
    assert_eq!(verify(d, &[], &["empty"]).status.code(), Some(2));
    // --jobs 0 and --json with --jsonl: usage errors.
    assert_eq!(verify(d, &["--jobs", "0"], &good).status.code(), Some(2));
    assert_eq!(
        verify(d, &["--json", "--jsonl"], &good).status.code(),
        Some(2)
    );
}

/// A presentation of 12 badges (one tampered): its nested credentials verified on 1 and on 4
/// threads give the same report, nested reports in the document's order.
#[test]
fn nested_credentials_on_one_thread_and_many_give_the_same_report() {
    use openbadges::keys::SigningKey;
    use openbadges::proof::{Signer, Suite};
    use openbadges::verify::{Verifier, VerifyOptions};
    use openbadges::Issuer;
    let holder = SigningKey::from_seed(&[9; 32]);
    let holder_did = holder.verifying_key().did_key();
    let issuer = Issuer::new(
        serde_json::json!({"name": "Riverside USD"}),
        SigningKey::from_seed(&[7; 32]),
    )
    .unwrap();
    let mut badges: Vec<Value> = (0..12)
        .map(|i| {
            issuer
                .issue(
                    &serde_json::json!({
                        "@context": ["https://www.w3.org/ns/credentials/v2",
                                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                        "type": ["VerifiableCredential", "OpenBadgeCredential"],
                        "name": format!("Badge {i}"),
                        "credentialSubject": {"id": holder_did, "type": ["AchievementSubject"],
                            "achievement": {"id": format!("urn:a:{i}"), "type": ["Achievement"],
                                "name": format!("Badge {i}"), "description": "d",
                                "criteria": {"narrative": "n"}}}
                    }),
                    Suite::EddsaRdfc2022,
                )
                .unwrap()
                .into_json()
        })
        .collect();
    badges[7]["name"] = "Badge 7, altered".into();
    let vp = openbadges::present::present(&badges, &Signer::did_key(holder), "c-1", None).unwrap();
    let options = VerifyOptions::default()
        .challenge("c-1")
        .at(chrono::Utc::now());
    let one = Verifier::new(options.clone()).with_threads(1);
    let many = Verifier::new(options).with_threads(4);
    let a = one.verify_value(&vp).unwrap();
    let b = many.verify_value(&vp).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.credentials.len(), 12);
    let bad: Vec<bool> = a.credentials.iter().map(|r| r.verified).collect();
    assert_eq!(bad.iter().filter(|v| !**v).count(), 1);
    assert!(!bad[7]);
    assert_eq!(
        a.credentials[3].source.as_deref(),
        Some("/verifiableCredential/3")
    );
}
