//! `openbadges serve` under load: issue (eddsa-rdfc-2022 with a status entry) and verify
//! requests per second, p50 and p99 latency, on SQLite and on PostgreSQL (a throwaway cluster,
//! skipped when no PostgreSQL binaries are installed). A real server process on loopback, real
//! HTTP clients (8 threads, keep-alive). Not a timed test: `cargo bench --bench serve`
//! (`-- --seconds N` to change the 5 s per phase).

#[path = "../tests/serve_support/mod.rs"]
mod serve_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use serve_support::cluster::Cluster;
use serve_support::*;

const CLIENTS: usize = 8;

struct Figures {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    requests: usize,
}

fn load(
    seconds: u64,
    make: impl Fn(usize) -> (String, Option<String>, Vec<u8>, u16) + Send + Sync + 'static,
) -> Figures {
    let make = Arc::new(make);
    let counter = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (make, counter) = (make.clone(), counter.clone());
            std::thread::spawn(move || {
                let agent = agent();
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let i = counter.fetch_add(1, Ordering::Relaxed);
                    let (url, token, body, want) = make(i);
                    let mut req = agent.post(&url).set("content-type", "application/json");
                    if let Some(t) = &token {
                        req = req.set("authorization", &format!("Bearer {t}"));
                    }
                    let t0 = Instant::now();
                    let status = match req.send_bytes(&body) {
                        Ok(r) => {
                            let s = r.status();
                            let _ = r.into_string();
                            s
                        }
                        Err(ureq::Error::Status(s, _)) => s,
                        Err(e) => panic!("{e}"),
                    };
                    latencies.push(t0.elapsed());
                    assert_eq!(status, want, "unexpected status");
                }
                latencies
            })
        })
        .collect();
    let mut all: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pct =
        |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    Figures {
        per_second: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        requests: all.len(),
    }
}

fn run(backend: &str, db: Option<&str>, seconds: u64) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let tok = token(&dir, db, &["issue"]);
    let mut extra = Vec::new();
    if let Some(db) = db {
        extra.extend(["--db", db]);
    }
    let server = Server::start(&dir, &extra);
    let issue_url = format!("{}/credentials/issue", server.url);
    let body = |i: usize| {
        serde_json::to_vec(
            &json!({"credential": badge(&format!("did:example:teacher-{i}")),
            "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}}}),
        )
        .unwrap()
    };
    // Warm up (JSON-LD contexts, connections), and a credential to verify.
    let first = post(
        &issue_url,
        Some(&tok),
        &serde_json::from_slice(&body(usize::MAX)).unwrap(),
    );
    assert_eq!(first.status, 201);
    let verify_body =
        serde_json::to_vec(&json!({"verifiableCredential": first.json["verifiableCredential"]}))
            .unwrap();
    let (u, t) = (issue_url.clone(), tok.clone());
    let issue = load(seconds, move |i| (u.clone(), Some(t.clone()), body(i), 201));
    let verify_url = format!("{}/credentials/verify", server.url);
    let verify = load(seconds, move |_| {
        (verify_url.clone(), None, verify_body.clone(), 200)
    });
    for (what, f) in [("issue", issue), ("verify", verify)] {
        println!(
            "| {backend} | {what} | {:.0} | {:.1} ms | {:.1} ms | {} |",
            f.per_second, f.p50_ms, f.p99_ms, f.requests
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    println!("| storage | request | requests/s | p50 | p99 | requests |");
    println!("|---|---|---|---|---|---|");
    run("SQLite", None, seconds);
    match Cluster::start() {
        Some(cluster) => run("PostgreSQL", Some(&cluster.url()), seconds),
        None => println!("(PostgreSQL skipped: no server binaries)"),
    }
}
