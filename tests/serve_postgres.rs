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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use serve_support::cluster::Cluster;
use serve_support::*;

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
        "1,2,3"
    );
    drop((a, b));
}
