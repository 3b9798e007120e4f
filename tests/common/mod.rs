//! Helpers shared by the integration tests: locating the reference data and running the
//! JavaScript interop scripts in tests/interop.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

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

/// Serves, for every proof in `doc` (nested credentials included) whose verification method is
/// `<https controller>#<multikey>`, a controller document listing that key.
pub fn serve_controllers(doc: &Value, res: &mut openbadges::resolve::LocalResources) {
    match doc {
        Value::Object(o) => {
            if let Some(vm) = o.get("verificationMethod").and_then(Value::as_str) {
                if let Some((controller, mk)) = vm.split_once('#') {
                    if controller.starts_with("https://") && mk.starts_with("z6Mk") {
                        let cdoc = json!({
                            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
                            "id": controller,
                            "verificationMethod": [{"id": vm, "type": "Multikey",
                                "controller": controller, "publicKeyMultibase": mk}],
                            "assertionMethod": [vm],
                        });
                        res.insert(controller, serde_json::to_vec(&cdoc).expect("JSON"));
                    }
                }
            }
            o.values().for_each(|v| serve_controllers(v, res));
        }
        Value::Array(a) => a.iter().for_each(|v| serve_controllers(v, res)),
        _ => {}
    }
}
