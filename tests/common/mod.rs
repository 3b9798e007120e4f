//! Helpers shared by the integration tests: locating the reference data and running the
//! JavaScript interop scripts in tests/interop.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// `../shared/<rel>`, or `None` (after saying so) when the reference data is absent.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")).join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

/// tests/interop, when `node` runs and its packages are installed (`npm ci` there).
pub fn interop_dir() -> Option<PathBuf> {
    let d = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop"));
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if node && d.join("node_modules").exists() {
        Some(d)
    } else {
        eprintln!(
            "skipping: node or tests/interop/node_modules missing (run `npm ci` in tests/interop)"
        );
        None
    }
}

/// Runs `node <dir>/<script> <args>` with `input` on stdin: (success, stdout + stderr).
pub fn node(dir: &Path, script: &str, args: &[&str], input: &Value) -> (bool, String) {
    let mut child = Command::new("node")
        .arg(dir.join(script))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("node finishes");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}
