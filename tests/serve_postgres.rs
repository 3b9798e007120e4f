//! `openbadges serve` on a real PostgreSQL server: four processes issue 10,000 credentials with
//! status concurrently; every status index is unique and every acknowledged credential is
//! recorded; one process is SIGKILLed mid-run and the client's retries (same credentialId)
//! neither lose nor duplicate anything; the database going away answers 503 and recovers.
//!
//! The test starts its own cluster (Debian's `initdb` / `pg_ctl`, run as `postgres` when the
//! test runs as root) under a temp dir on a loopback port, and skips with a message when no
//! PostgreSQL binaries are installed (`apt-get install postgresql`).
#![cfg(feature = "server")]

mod serve_support;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use serve_support::*;

fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A throwaway PostgreSQL cluster; stopped on drop.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    _root: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args)
            .current_dir("/")
            .output()
            .expect("run a PostgreSQL tool")
    }

    fn start() -> Option<Cluster> {
        let Some(bin) = pg_bin() else {
            eprintln!("SKIPPED: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)");
            return None;
        };
        let root = tempfile::Builder::new()
            .prefix("ob-pg")
            .tempdir_in("/tmp")
            .unwrap();
        let as_postgres = is_root();
        let data = root.path().join("data");
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres", root.path().to_str().unwrap()])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown the cluster directory to postgres");
        }
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let c = Cluster {
            bin,
            data,
            _root: root,
            port,
            as_postgres,
        };
        let out = c.run(
            "initdb",
            &[
                "-D",
                c.data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        c.pg_ctl_start();
        Some(c)
    }

    fn pg_ctl_start(&self) {
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c max_connections=200 -c fsync=off",
            self.port,
            self.data.display()
        );
        let log = self.data.join("log.txt");
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {} {}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    fn stop(&self) {
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn sql(&self, query: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-At",
                "-c",
                query,
            ])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

const TOTAL: usize = 10_000;
const CLIENTS: usize = 16;

fn issue_body(i: usize) -> Value {
    json!({"credential": badge(&format!("did:example:teacher-{i}")),
        "options": {"credentialId": format!("urn:uuid:00000000-0000-4000-8000-{i:012}"),
                    "credentialStatus": {"type": "BitstringStatusListEntry"}}})
}

#[test]
fn four_processes_share_postgres() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let db = cluster.url();
    let tok = token(&dir, Some(&db), &["issue", "status"]);
    let servers: Vec<Arc<Mutex<Server>>> = (0..4)
        .map(|_| Arc::new(Mutex::new(Server::start(&dir, &["--db", &db]))))
        .collect();
    let urls: Vec<String> = servers
        .iter()
        .map(|s| s.lock().unwrap().url.clone())
        .collect();

    let next = Arc::new(AtomicUsize::new(0));
    let acknowledged = Arc::new(Mutex::new(HashMap::<usize, Value>::new()));
    let retries = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|w| {
            let (next, acknowledged, retries, killed) = (
                next.clone(),
                acknowledged.clone(),
                retries.clone(),
                killed.clone(),
            );
            let (urls, tok, servers) = (urls.clone(), tok.clone(), servers.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(60))
                    .build();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= TOTAL {
                        break;
                    }
                    // Kill server 0 once a third of the work is acknowledged.
                    if i == TOTAL / 3 && killed.fetch_add(1, Ordering::SeqCst) == 0 {
                        let mut s = servers[0].lock().unwrap();
                        let _ = s.child.kill();
                        let _ = s.child.wait();
                    }
                    let body = serde_json::to_vec(&issue_body(i)).unwrap();
                    let mut target = (i + w) % urls.len();
                    let mut attempts = 0;
                    loop {
                        attempts += 1;
                        assert!(attempts < 20, "credential {i} never acknowledged");
                        let r = agent
                            .post(&format!("{}/credentials/issue", urls[target]))
                            .set("content-type", "application/json")
                            .set("authorization", &format!("Bearer {tok}"))
                            .send_bytes(&body);
                        match r {
                            Ok(resp) if resp.status() == 201 => {
                                let v: Value =
                                    serde_json::from_str(&resp.into_string().unwrap()).unwrap();
                                acknowledged
                                    .lock()
                                    .unwrap()
                                    .insert(i, v["verifiableCredential"].clone());
                                break;
                            }
                            Ok(resp) => panic!("credential {i}: status {}", resp.status()),
                            Err(ureq::Error::Status(503, _)) => {
                                retries.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(50));
                            }
                            Err(ureq::Error::Status(code, resp)) => {
                                panic!(
                                    "credential {i}: {code} {}",
                                    resp.into_string().unwrap_or_default()
                                )
                            }
                            Err(_) => {
                                // The process died under us: retry the same request elsewhere.
                                retries.fetch_add(1, Ordering::SeqCst);
                                target = (target + 1) % urls.len();
                            }
                        }
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a client thread failed");
    }
    let elapsed = started.elapsed();
    let acknowledged = acknowledged.lock().unwrap();
    eprintln!(
        "{TOTAL} credentials through 4 processes (one SIGKILLed) in {:.1} s, {} retries",
        elapsed.as_secs_f64(),
        retries.load(Ordering::SeqCst)
    );
    assert_eq!(acknowledged.len(), TOTAL);

    // Every acknowledged credential is recorded, once, exactly as returned.
    assert_eq!(
        cluster.sql("SELECT count(*) FROM credentials"),
        TOTAL.to_string()
    );
    assert_eq!(
        cluster.sql("SELECT count(DISTINCT (status_list, status_index)) FROM credentials"),
        TOTAL.to_string()
    );
    assert_eq!(
        cluster.sql("SELECT count(*) FROM credentials c JOIN status_entries e ON e.list_number = c.status_list AND e.idx = c.status_index AND e.credential_id = c.id"),
        TOTAL.to_string()
    );
    // At most the in-flight requests of the killed process reserved an index they never used
    // (its retry on another process reused the same entry, keyed by credential id).
    assert_eq!(
        cluster.sql("SELECT count(*) FROM status_entries"),
        TOTAL.to_string()
    );
    let mut indexes = HashSet::new();
    for (i, vc) in acknowledged.iter() {
        assert_eq!(
            vc["id"],
            format!("urn:uuid:00000000-0000-4000-8000-{i:012}")
        );
        let entry = &vc["credentialStatus"];
        assert!(
            indexes.insert((
                entry["statusListCredential"].to_string(),
                entry["statusListIndex"].to_string()
            )),
            "index handed out twice: {entry}"
        );
    }
    let sample = [0usize, TOTAL / 3, TOTAL - 1];
    for i in sample {
        let id = format!("urn:uuid:00000000-0000-4000-8000-{i:012}");
        let doc = cluster.sql(&format!(
            "SELECT document FROM credentials WHERE id = '{id}'"
        ));
        let stored: Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(&stored, &acknowledged[&i]);
        // A retry now returns that same credential.
        let again = post(
            &format!("{}/credentials/issue", urls[1]),
            Some(&tok),
            &issue_body(i),
        );
        assert_eq!(again.status, 201);
        assert_eq!(again.json["verifiableCredential"], acknowledged[&i]);
    }
    // Revoked through one process, seen as revoked through another.
    let vc = &acknowledged[&7];
    let s = post(
        &format!("{}/credentials/status", urls[2]),
        Some(&tok),
        &json!({"credentialId": vc["id"], "status": true}),
    );
    assert_eq!(s.status, 200, "{}", s.text);
    let v = post(
        &format!("{}/credentials/verify", urls[3]),
        None,
        &json!({"verifiableCredential": vc}),
    );
    assert_eq!(v.status, 400, "{}", v.text);
    assert!(v.text.contains("revoked"));

    // The database goes away: 503 with a problem, nothing recorded; it comes back: 201.
    cluster.stop();
    let body = issue_body(TOTAL + 1);
    let r = post(&format!("{}/credentials/issue", urls[1]), Some(&tok), &body);
    assert_problem(&r, 503);
    assert_problem(&get(&format!("{}/healthz", urls[1])), 503);
    cluster.pg_ctl_start();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = post(&format!("{}/credentials/issue", urls[1]), Some(&tok), &body);
        if r.status == 201 {
            break;
        }
        assert_problem(&r, 503);
        assert!(Instant::now() < deadline, "did not recover");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        cluster.sql("SELECT count(*) FROM credentials"),
        (TOTAL + 1).to_string()
    );
    drop(servers);
}

#[test]
fn migrations_are_versioned_and_run_once() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let db = cluster.url();
    // Two processes starting together migrate once.
    let a = Server::start(&dir, &["--db", &db]);
    let b = Server::start(&dir, &["--db", &db]);
    assert_eq!(
        cluster
            .sql("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations"),
        "1,2"
    );
    drop((a, b));
}
