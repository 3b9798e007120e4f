//! `openbadges issue-batch`, run as a user would, and interrupted as the world does: SIGKILL at
//! seeded points (after N badge files appear, after a seeded delay), re-runs, a full disk, a
//! damaged journal, files left without a journal record, a million-row roster. After every
//! interruption the journal, the manifest and the files must agree; after the last re-run
//! there must be exactly one badge per roster row, each verifying (library `verify`, fixed
//! time).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use openbadges::resolve::LocalResources;
use openbadges::verify::{verify, VerifyOptions};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde_json::Value;
use sha2::{Digest, Sha256};

const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const ACHIEVEMENT_ID: &str = "https://district.example/a/growth-mindset";
const STATUS_URL: &str = "https://district.example/status/1";
/// Verification time: after every badge's validFrom.
const AT: &str = "2100-01-01T00:00:00Z";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_openbadges"));
    c.stdin(Stdio::null());
    c
}

fn ob(args: &[&str], dir: &Path) -> Output {
    bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("binary runs")
}

/// A badge the roster should produce.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    line: u64,
    recipient: String,
    file: String,
    id: String,
}

fn digest(recipient: &str) -> [u8; 32] {
    let who = if recipient.starts_with("did:") {
        recipient.to_string()
    } else {
        format!("mailto:{recipient}")
    };
    Sha256::digest(format!("{ACHIEVEMENT_ID}|{who}").as_bytes()).into()
}

fn id_of(d: &[u8; 32]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format!("urn:uuid:{}", uuid::Uuid::from_bytes(b))
}

/// Writes achievement.json and a roster of `rows` good rows (every 7th a DID), one malformed
/// row and one duplicate; returns the badges it should produce, by file name.
fn setup(dir: &Path, rows: usize) -> BTreeMap<String, Expected> {
    std::fs::write(
        dir.join("achievement.json"),
        format!(
            r#"{{"id": "{ACHIEVEMENT_ID}", "type": ["Achievement"], "name": "Growth Mindset",
            "description": "Fosters a growth mindset.", "criteria": {{"narrative": "Rubric 3+."}}}}"#
        ),
    )
    .unwrap();
    let mut roster = String::from("name,email,did\n");
    let mut expected = BTreeMap::new();
    let mut line = 1;
    for i in 0..rows {
        line += 1;
        let recipient = if i % 7 == 3 {
            roster.push_str(&format!("Teacher {i},,did:example:teacher-{i}\n"));
            format!("did:example:teacher-{i}")
        } else {
            roster.push_str(&format!("Teacher {i},Teacher{i}@District.example,\n"));
            format!("teacher{i}@district.example")
        };
        let d = digest(&recipient);
        let file = format!("{}.json", hex::encode(&d[..12]));
        expected.insert(
            file.clone(),
            Expected {
                line,
                recipient,
                file,
                id: id_of(&d),
            },
        );
        if i == rows / 2 {
            roster.push_str("Bad Row,not-an-email,\n");
            roster.push_str("Again,teacher0@district.example,\n");
            line += 2;
        }
    }
    std::fs::write(dir.join("roster.csv"), roster).unwrap();
    expected
}

fn batch_args<'a>(out: &'a str, checkpoint: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "issue-batch",
        "--roster",
        "roster.csv",
        "--achievement",
        "achievement.json",
        "--seed",
        SEED,
        "--out",
        out,
        "--checkpoint-every",
        checkpoint,
        "--suite",
        "eddsa-jcs-2022",
    ];
    a.extend_from_slice(extra);
    a
}

fn spawn(dir: &Path, args: &[&str]) -> Child {
    bin()
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts")
}

/// Badges written so far: `.json` files in a directory, or lines of a `.jsonl` file.
fn written(out: &Path) -> usize {
    if out.extension().is_some_and(|e| e == "jsonl") {
        std::fs::read(out)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count())
            .unwrap_or(0)
    } else {
        badge_files(out).len()
    }
}

fn badge_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs until `n` badges are written (or it exits), then SIGKILLs it.
fn kill_after_badges(dir: &Path, out: &Path, args: &[&str], n: usize) {
    let mut child = spawn(dir, args);
    let deadline = Instant::now() + Duration::from_secs(60);
    while written(out) < n && Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs for `ms` milliseconds, then SIGKILLs it.
fn kill_after_ms(dir: &Path, args: &[&str], ms: u64) {
    let mut child = spawn(dir, args);
    let deadline = Instant::now() + Duration::from_millis(ms);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// One committed journal record.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Committed {
    digest: [u8; 32],
    line: u64,
    jsonl_line: Option<u64>,
    recipient: String,
}

/// Reads a journal as the format documents it: records count once their checkpoint's `C`
/// record (with a good CRC) is present.
fn read_journal(path: &Path) -> Vec<Committed> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.split_inclusive('\n');
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("openbadges-issue-batch-journal\t1\t"),
        "{header}"
    );
    let mut committed = Vec::new();
    let mut pending = Vec::new();
    for l in lines {
        let Some(l) = l.strip_suffix('\n') else {
            break;
        };
        let (body, crc) = l.rsplit_once('\t').unwrap();
        if u32::from_str_radix(crc, 16).ok() != Some(crc32fast::hash(body.as_bytes())) {
            break;
        }
        let f: Vec<&str> = body.split('\t').collect();
        match f[0] {
            "B" => {
                let mut d = [0u8; 32];
                hex::decode_to_slice(f[1], &mut d).unwrap();
                pending.push(Committed {
                    digest: d,
                    line: f[2].parse().unwrap(),
                    jsonl_line: f[3].parse().ok(),
                    recipient: f[4].to_string(),
                });
            }
            "C" => {
                assert_eq!(f[3].parse::<usize>().unwrap(), pending.len());
                committed.append(&mut pending);
            }
            other => panic!("unknown journal record {other}"),
        }
    }
    committed
}

struct Layout {
    out: PathBuf,
    journal: PathBuf,
    manifest: PathBuf,
    jsonl: bool,
}

fn layout(dir: &Path, out: &str) -> Layout {
    let out = dir.join(out);
    if out.extension().is_some_and(|e| e == "jsonl") {
        let s = out.to_string_lossy().into_owned();
        Layout {
            journal: PathBuf::from(format!("{s}.journal")),
            manifest: PathBuf::from(format!("{s}.manifest.csv")),
            out,
            jsonl: true,
        }
    } else {
        Layout {
            journal: out.join("issue-batch.journal"),
            manifest: out.join("manifest.csv"),
            out,
            jsonl: false,
        }
    }
}

/// The badge a committed record points at.
fn badge_of(l: &Layout, c: &Committed, jsonl_lines: &[&str]) -> Value {
    if l.jsonl {
        let n = c.jsonl_line.expect("a jsonl record has a line") as usize;
        serde_json::from_str(jsonl_lines[n - 1]).unwrap()
    } else {
        let f = l.out.join(format!("{}.json", hex::encode(&c.digest[..12])));
        serde_json::from_slice(
            &std::fs::read(&f).unwrap_or_else(|e| {
                panic!("{} is in the journal but unreadable: {e}", f.display())
            }),
        )
        .unwrap()
    }
}

/// What must hold after any interruption: every committed badge is on disk, whole, with its
/// id; no badge is committed twice; the manifest is the journal rendered as CSV. Returns the
/// committed records.
fn check_consistent(l: &Layout, expected: &BTreeMap<String, Expected>) -> Vec<Committed> {
    if !l.journal.exists() {
        return Vec::new();
    }
    let committed = read_journal(&l.journal);
    let jsonl_text = if l.jsonl {
        std::fs::read_to_string(&l.out).unwrap_or_default()
    } else {
        String::new()
    };
    let jsonl_lines: Vec<&str> = jsonl_text.lines().collect();
    let mut stems = BTreeSet::new();
    let mut want_manifest = String::from("roster_line,recipient,file,credential_id\n");
    let jsonl_name = l.out.file_name().unwrap().to_string_lossy().into_owned();
    for c in &committed {
        let file = format!("{}.json", hex::encode(&c.digest[..12]));
        assert!(stems.insert(file.clone()), "{file} committed twice");
        let e = expected
            .get(&file)
            .unwrap_or_else(|| panic!("{file} is not a roster row"));
        assert_eq!(
            (c.line, c.recipient.as_str()),
            (e.line, e.recipient.as_str())
        );
        let badge = badge_of(l, c, &jsonl_lines);
        assert_eq!(badge["id"], e.id.as_str());
        let shown = if l.jsonl {
            format!("{jsonl_name}:{}", c.jsonl_line.unwrap())
        } else {
            file
        };
        want_manifest.push_str(&format!("{},{},{},{}\n", c.line, c.recipient, shown, e.id));
    }
    // The manifest may lag the journal only between a commit and its own append; a re-run
    // repairs it. Right after a kill it must be a prefix of the journal's rendering at a line
    // boundary, never ahead of it.
    let manifest = std::fs::read_to_string(&l.manifest).unwrap_or_default();
    assert!(
        want_manifest.starts_with(&manifest) && (manifest.is_empty() || manifest.ends_with('\n')),
        "manifest is not a prefix of the journal:\n{manifest}\n---\n{want_manifest}"
    );
    committed
}

/// After a complete run: exactly one badge per roster row, committed once, manifest equal to
/// the journal, nothing left over; every badge verifies.
fn check_complete(
    l: &Layout,
    expected: &BTreeMap<String, Expected>,
    resources: Option<(&str, Vec<u8>)>,
) -> Vec<Value> {
    let committed = check_consistent(l, expected);
    let files: BTreeSet<String> = committed
        .iter()
        .map(|c| format!("{}.json", hex::encode(&c.digest[..12])))
        .collect();
    assert_eq!(
        files,
        expected.keys().cloned().collect::<BTreeSet<_>>(),
        "one committed badge per roster row"
    );
    let manifest = std::fs::read_to_string(&l.manifest).unwrap();
    assert_eq!(manifest.lines().count(), expected.len() + 1);
    let badges: Vec<Value> = if l.jsonl {
        let text = std::fs::read_to_string(&l.out).unwrap();
        let v: Vec<Value> = text
            .lines()
            .map(|t| serde_json::from_str(t).unwrap())
            .collect();
        assert_eq!(v.len(), expected.len(), "no line issued twice");
        v
    } else {
        assert_eq!(badge_files(&l.out), files, "no stray badge files");
        let leftovers: Vec<String> = std::fs::read_dir(&l.out)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        files
            .iter()
            .map(|f| serde_json::from_slice(&std::fs::read(l.out.join(f)).unwrap()).unwrap())
            .collect()
    };
    let ids: BTreeSet<&str> = badges.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), expected.len());
    verify_all(&badges, resources);
    badges
}

fn verify_all(badges: &[Value], resources: Option<(&str, Vec<u8>)>) {
    let at = chrono::DateTime::parse_from_rfc3339(AT).unwrap().to_utc();
    let mut options = VerifyOptions::default().at(at);
    if let Some((url, bytes)) = resources {
        let mut local = LocalResources::new();
        local.insert(url, bytes);
        options = options.resolver(Arc::new(local));
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = badges.len().div_ceil(workers).max(1);
    std::thread::scope(|s| {
        for part in badges.chunks(chunk) {
            let options = &options;
            s.spawn(move || {
                for b in part {
                    let bytes = serde_json::to_vec(b).unwrap();
                    let r = verify(&bytes, options).unwrap();
                    assert!(
                        r.verified,
                        "{} does not verify: {}",
                        b["id"],
                        serde_json::to_string(&r).unwrap()
                    );
                }
            });
        }
    });
}

/// `N issued, M already present` from a run's last line.
fn summary(stderr: &str) -> (usize, usize) {
    let last = stderr.lines().last().unwrap_or("");
    let mut words = last.split_whitespace();
    let issued = words.next().and_then(|w| w.parse().ok());
    let present = words.nth(1).and_then(|w| w.parse().ok());
    match (issued, present) {
        (Some(i), Some(p)) => (i, p),
        _ => panic!("no summary in: {stderr}"),
    }
}

/// Kills a run twice at seeded points, checks consistency after each kill, then completes it.
fn interrupted(seed: u64, out: &str, rows: usize, status: bool) -> (tempfile::TempDir, Layout) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let expected = setup(p, rows);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let checkpoint = (20 + rng.next_u64() % 250).to_string();
    let mut extra = Vec::new();
    if status {
        let o = ob(
            &[
                "status",
                "init",
                "--store",
                "status.json",
                "--url",
                STATUS_URL,
            ],
            p,
        );
        assert_eq!(o.status.code(), Some(0));
        extra = vec!["--status-store", "status.json"];
    }
    let args = batch_args(out, &checkpoint, &extra);
    let l = layout(p, out);
    // First kill: after a seeded number of badges reached the disk.
    let n = (rng.next_u64() % rows as u64) as usize;
    kill_after_badges(p, &l.out, &args, n);
    let first = check_consistent(&l, &expected).len();
    // Second kill: after a seeded delay into the re-run.
    let ms = 150 + rng.next_u64() % 900;
    kill_after_ms(p, &args, ms);
    let before = check_consistent(&l, &expected);
    eprintln!(
        "seed {seed}: checkpoint every {checkpoint}; killed after {n} badges written ({first} committed), then after {ms} ms ({} committed)",
        before.len()
    );
    // Then to the end.
    let o = ob(&args, p);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    // Rows committed before are skipped; files written but not committed are kept (counted as
    // present) or signed again; together exactly the roster.
    let (issued, present) = summary(&err);
    assert_eq!(issued + present, rows, "{err}");
    assert!(present >= before.len(), "{err}");
    assert!(
        err.contains("malformed e-mail `not-an-email`") && err.contains("duplicate recipient"),
        "{err}"
    );
    let resources = status.then(|| {
        let o = ob(
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
            p,
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        (STATUS_URL, std::fs::read(p.join("list.json")).unwrap())
    });
    let badges = check_complete(&l, &expected, resources);
    if status {
        let store = openbadges::status::StatusListStore::load(&p.join("status.json")).unwrap();
        let mut indexes = BTreeSet::new();
        for b in &badges {
            let i: usize = b["credentialStatus"]["statusListIndex"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(store.index_of(b["id"].as_str().unwrap()), Some(i));
            assert!(indexes.insert(i), "index {i} handed out twice");
        }
        assert_eq!(
            store.allocated_count(),
            badges.len(),
            "every allocated index belongs to a badge"
        );
    }
    // A fourth run finds everything committed.
    let o = ob(&args, p);
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains(&format!("0 issued, {} already present", expected.len())),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (d, l)
}

#[test]
fn sigkill_at_seeded_points_then_rerun_issues_each_row_once() {
    for seed in [1, 2, 3, 4] {
        interrupted(seed, "out", 2_000, false);
    }
}

#[test]
fn sigkill_with_a_status_store_never_reuses_an_index() {
    for seed in [11, 12] {
        interrupted(seed, "out", 1_500, true);
    }
}

#[test]
fn sigkill_jsonl_output_continues_without_duplicates() {
    for seed in [21, 22, 23] {
        let (d, l) = interrupted(seed, "badges.jsonl", 1_500, false);
        // The manifest points at the jsonl lines.
        let manifest = std::fs::read_to_string(&l.manifest).unwrap();
        assert!(manifest.lines().nth(1).unwrap().contains("badges.jsonl:"));
        drop(d);
    }
}

#[test]
fn unjournaled_files_are_kept_when_valid_and_rewritten_when_not() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let expected = setup(p, 200);
    let args = batch_args("out", "64", &[]);
    assert_eq!(ob(&args, p).status.code(), Some(1));
    let l = layout(p, "out");
    check_complete(&l, &expected, None);
    // As if a run had written the files but died before its checkpoint (or an older version
    // wrote them): no journal, no manifest.
    let names: Vec<String> = expected.keys().cloned().collect();
    let kept = std::fs::read(l.out.join(&names[0])).unwrap();
    let mut tampered: Value =
        serde_json::from_slice(&std::fs::read(l.out.join(&names[1])).unwrap()).unwrap();
    tampered["name"] = "Altered".into();
    std::fs::write(l.out.join(&names[1]), tampered.to_string()).unwrap();
    std::fs::write(l.out.join(&names[2]), b"{\"id\": \"trunc").unwrap();
    std::fs::remove_file(&l.journal).unwrap();
    std::fs::remove_file(&l.manifest).unwrap();
    let o = ob(&args, p);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("2 issued, 198 already present"), "{err}");
    assert_eq!(std::fs::read(l.out.join(&names[0])).unwrap(), kept);
    check_complete(&l, &expected, None);
    // A journaled badge that was deleted is written again, without a second record.
    std::fs::remove_file(l.out.join(&names[3])).unwrap();
    let o = ob(&args, p);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("1 issued, 199 already present"), "{err}");
    check_complete(&l, &expected, None);
}

#[test]
fn damaged_journal_tail_and_manifest_are_repaired() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let expected = setup(p, 150);
    let args = batch_args("out", "40", &[]);
    let l = layout(p, "out");
    // Kill mid-run, then damage what a crash could: a torn journal append, a garbled record,
    // a manifest ahead of the journal with a torn last line.
    kill_after_badges(p, &l.out, &args, 90);
    let committed = check_consistent(&l, &expected);
    let mut j = std::fs::read(&l.journal).unwrap();
    j.extend_from_slice(b"B\tdeadbeef\t3\t-\tx@y.example\t0000");
    std::fs::write(&l.journal, &j).unwrap();
    let mut m = std::fs::read(&l.manifest).unwrap();
    m.extend_from_slice(b"999,ghost@example.org,ffff.json,urn:uuid:0\n12,torn");
    std::fs::write(&l.manifest, &m).unwrap();
    let o = ob(&args, p);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    check_complete(&l, &expected, None);
    assert!(read_journal(&l.journal).starts_with(&committed));
    // Damage before the last checkpoint is refused, not guessed at.
    let text = std::fs::read_to_string(&l.journal).unwrap();
    let second = text.lines().nth(1).unwrap().to_string();
    let broken = text.replacen(&second, &second.replace('\t', " "), 1);
    std::fs::write(&l.journal, broken).unwrap();
    let o = ob(&args, p);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("damaged at byte"));
}

#[test]
fn a_journal_for_another_achievement_or_an_unknown_jsonl_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    setup(p, 5);
    assert_eq!(ob(&batch_args("out", "10", &[]), p).status.code(), Some(1));
    std::fs::write(
        p.join("other.json"),
        r#"{"id": "https://district.example/a/other", "type": ["Achievement"], "name": "Other",
            "description": "d", "criteria": {"narrative": "n"}}"#,
    )
    .unwrap();
    let mut args = batch_args("out", "10", &[]);
    args[4] = "other.json";
    let o = ob(&args, p);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("use another --out"));
    std::fs::write(p.join("mine.jsonl"), "{\"not\": \"ours\"}\n").unwrap();
    let o = ob(&batch_args("mine.jsonl", "10", &[]), p);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("has no journal"));
    assert_eq!(
        std::fs::read_to_string(p.join("mine.jsonl")).unwrap(),
        "{\"not\": \"ours\"}\n"
    );
}

#[test]
fn bad_rows_are_reported_with_their_line() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    setup(p, 1);
    std::fs::write(
        p.join("roster.csv"),
        "name,email,did\n\"Ann\nMarie\",ann@district.example,\nBo,bo@district,\nCy,,web:cy\nDee,dee@district.example\n",
    )
    .unwrap();
    let o = ob(&batch_args("out", "10", &[]), p);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("roster.csv:4: malformed e-mail `bo@district`"),
        "{err}"
    );
    assert!(
        err.contains("roster.csv:5: malformed did `web:cy`"),
        "{err}"
    );
    assert!(err.contains("roster.csv:6: "), "{err}");
    assert!(err.contains("1 issued"), "{err}");
}

/// Mounts a small tmpfs at `dir` (we may be root); unmounts on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }

    fn resize(&self, size: &str) {
        let s = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(s.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_stops_the_run_naming_the_file_and_a_rerun_completes() {
    // Sizes that fill up after a few checkpoints: a badge file takes a 4 KiB page, a line ~1.5 KiB.
    for (out, size) in [("out", "1m"), ("badges.jsonl", "256k")] {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        let expected = setup(p, 400);
        let Some(fs) = Tmpfs::mount(&p.join("disk"), size) else {
            eprintln!("skipping: cannot mount a tmpfs here (needs root)");
            return;
        };
        let target = format!("disk/{out}");
        let args = batch_args(&target, "50", &[]);
        let o = ob(&args, p);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("No space left on device"), "{err}");
        assert!(
            err.contains(&format!("disk/{out}")),
            "names the file: {err}"
        );
        assert!(err.contains("a re-run carries on"), "{err}");
        let l = layout(p, &target);
        let committed = check_consistent(&l, &expected);
        assert!(committed.len() < expected.len());
        eprintln!(
            "{out}: disk full after {} committed badges: {}",
            committed.len(),
            err.lines().last().unwrap_or("")
        );
        fs.resize("64m");
        let o = ob(&args, p);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        check_complete(&l, &expected, None);
    }
}

/// Peak resident set of a running process, in kB.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
fn a_million_row_roster_is_streamed() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("skipping: no /proc to read peak memory from");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    setup(p, 1);
    let mut roster = String::with_capacity(50 << 20);
    roster.push_str("name,email\n");
    for i in 0..1_000_000 {
        roster.push_str(&format!("Teacher {i},teacher{i}@district.example\n"));
    }
    std::fs::write(p.join("roster.csv"), roster).unwrap();
    let mut child = spawn(p, &batch_args("out", "1000", &[]));
    let pid = child.id();
    // Reading a million rows up front (what the old implementation did) takes well over 100 MB;
    // streaming keeps the process small while it signs.
    let mut peak = 0;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(4) {
        if let Some(kb) = vm_hwm(pid) {
            peak = peak.max(kb);
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "it cannot finish so soon"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let issued = badge_files(&p.join("out")).len();
    assert!(issued > 0, "it was signing");
    assert!(
        peak < 64 * 1024,
        "peak RSS {peak} kB while {issued} of 1,000,000 rows were issued"
    );
    eprintln!("1,000,000-row roster: {issued} badges in 4 s, peak RSS {peak} kB");
}
