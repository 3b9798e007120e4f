//! Drives a real `openbadges serve` process over HTTP: an issuer directory in a temp dir, the
//! built binary on 127.0.0.1 with an ephemeral port, tokens made by `serve token create`.
#![allow(dead_code)]

pub mod cluster;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

pub const BIN: &str = env!("CARGO_BIN_EXE_openbadges");
pub const ISSUER: &str = "https://district.example/issuers/1";

pub fn openbadges(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("run openbadges")
}

/// A fresh issuer directory in `root`.
pub fn issuer_dir(root: &Path) -> PathBuf {
    let dir = root.join("riverside");
    let out = openbadges(&[
        "issuer",
        "init",
        "--id",
        ISSUER,
        "--name",
        "Riverside USD",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

pub fn token(dir: &Path, db: Option<&str>, scopes: &[&str]) -> String {
    let mut args = vec![
        "serve",
        "token",
        "create",
        "--issuer-dir",
        dir.to_str().unwrap(),
    ];
    if let Some(db) = db {
        args.extend(["--db", db]);
    }
    for s in scopes {
        args.extend(["--scope", s]);
    }
    let out = openbadges(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(t.starts_with("obt_"), "{t}");
    t
}

/// A running server; killed on drop.
pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    pub fn start(dir: &Path, extra: &[&str]) -> Server {
        let mut args = vec![
            "serve",
            "--issuer-dir",
            dir.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ];
        args.extend_from_slice(extra);
        let mut child = Command::new(BIN)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn serve");
        let stdout = child.stdout.take().unwrap();
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).expect("read the banner");
        let url = line
            .split("listening on ")
            .nth(1)
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim()
            .to_string();
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = reader.read_to_end(&mut sink);
        });
        Server { child, url }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A response: status, headers we look at, and the body (JSON when it parses).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub etag: Option<String>,
    pub cache_control: Option<String>,
    pub www_authenticate: Option<String>,
    pub text: String,
    pub json: Value,
}

pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build()
}

fn reply(r: ureq::Response) -> Reply {
    let status = r.status();
    let header = |n: &str| r.header(n).map(String::from);
    let content_type = header("content-type").unwrap_or_default();
    let etag = header("etag");
    let cache_control = header("cache-control");
    let www_authenticate = header("www-authenticate");
    let text = r.into_string().unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        content_type,
        etag,
        cache_control,
        www_authenticate,
        text,
        json,
    }
}

pub fn send(req: ureq::Request, body: Option<&[u8]>) -> Reply {
    let result = match body {
        Some(b) => req.send_bytes(b),
        None => req.call(),
    };
    match result {
        Ok(r) => reply(r),
        Err(ureq::Error::Status(_, r)) => reply(r),
        Err(e) => panic!("transport error: {e}"),
    }
}

pub fn post(url: &str, token: Option<&str>, body: &Value) -> Reply {
    let mut req = agent().post(url).set("content-type", "application/json");
    if let Some(t) = token {
        req = req.set("authorization", &format!("Bearer {t}"));
    }
    send(req, Some(serde_json::to_vec(body).unwrap().as_slice()))
}

pub fn get(url: &str) -> Reply {
    send(agent().get(url), None)
}

/// An OB 3.0 credential for `teacher`, without issuer-side fields.
pub fn badge(teacher: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Growth Mindset",
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Riverside USD"},
        "credentialSubject": {"id": teacher, "type": ["AchievementSubject"],
            "achievement": {"id": "https://district.example/achievements/growth-mindset",
                "type": ["Achievement"], "name": "Growth Mindset",
                "description": "Fosters a growth mindset.",
                "criteria": {"narrative": "Rubric score 3 or higher."}}}
    })
}

/// Asserts an RFC 9457 problem with `status`.
#[track_caller]
pub fn assert_problem(r: &Reply, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(r.content_type.contains("json"), "{}", r.content_type);
    assert_eq!(r.json["status"], status, "{}", r.text);
    assert!(
        r.json["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("https://")),
        "{}",
        r.text
    );
    assert!(
        r.json["title"].is_string() && r.json["detail"].is_string(),
        "{}",
        r.text
    );
}
