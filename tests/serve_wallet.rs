//! `openbadges serve --wallet DIR`: the badge wallet page under `/wallet/` with the content types
//! a browser needs (`application/wasm` for the module), and nothing outside DIR. The first test
//! uses a small directory of its own; the second serves the page bindings/wasm/build.sh built
//! into target/wallet, and skips with a message when it has not been built.
#![cfg(feature = "server")]

mod serve_support;

use std::io::Read;
use std::path::Path;

use serve_support::*;

/// Status, content type, CSP and body bytes of a GET, without following redirects.
fn fetch(url: &str) -> (u16, String, String, Vec<u8>, Option<String>) {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let r = match agent.get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = r.status();
    let ct = r.header("content-type").unwrap_or_default().to_string();
    let csp = r
        .header("content-security-policy")
        .unwrap_or_default()
        .to_string();
    let location = r.header("location").map(String::from);
    let mut body = Vec::new();
    r.into_reader().read_to_end(&mut body).unwrap();
    (status, ct, csp, body, location)
}

#[test]
fn wallet_files_are_served_with_their_types_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let wallet = tmp.path().join("wallet");
    std::fs::create_dir_all(wallet.join("pkg")).unwrap();
    std::fs::write(wallet.join("index.html"), "<!doctype html><title>w</title>").unwrap();
    std::fs::write(wallet.join("wallet.js"), "export {};").unwrap();
    std::fs::write(wallet.join("pkg/openbadges_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(wallet.join("notes.key"), "SECRET-CONTENT").unwrap();
    std::fs::write(wallet.join(".env"), "SECRET-CONTENT").unwrap();
    std::fs::write(tmp.path().join("outside.html"), "OUTSIDE-CONTENT").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path().join("outside.html"), wallet.join("link.html")).unwrap();

    let server = Server::start(&dir, &["--wallet", wallet.to_str().unwrap()]);
    let base = &server.url;

    let (status, _, _, _, location) = fetch(&format!("{base}/wallet"));
    assert_eq!(status, 308);
    assert_eq!(location.as_deref(), Some("/wallet/"));

    let (status, ct, csp, body, _) = fetch(&format!("{base}/wallet/"));
    assert_eq!(status, 200);
    assert_eq!(ct, "text/html; charset=utf-8");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert_eq!(body, b"<!doctype html><title>w</title>");

    let (status, ct, _, _, _) = fetch(&format!("{base}/wallet/wallet.js"));
    assert_eq!(
        (status, ct.as_str()),
        (200, "text/javascript; charset=utf-8")
    );
    let (status, ct, _, body, _) = fetch(&format!("{base}/wallet/pkg/openbadges_bg.wasm"));
    assert_eq!((status, ct.as_str()), (200, "application/wasm"));
    assert_eq!(&body[..4], b"\0asm");

    for refused in [
        "/wallet/notes.key",
        "/wallet/.env",
        "/wallet/../outside.html",
        "/wallet/%2e%2e/outside.html",
        "/wallet/pkg/..%2f..%2foutside.html",
        "/wallet/link.html",
        "/wallet/missing.js",
        "/wallet/pkg/",
    ] {
        let (status, _, _, body, _) = fetch(&format!("{base}{refused}"));
        assert_eq!(status, 404, "{refused}");
        assert!(
            !String::from_utf8_lossy(&body).contains("OUTSIDE-CONTENT"),
            "{refused}"
        );
        assert!(
            !String::from_utf8_lossy(&body).contains("SECRET-CONTENT"),
            "{refused}"
        );
    }

    // Without --wallet there is no wallet.
    let plain = Server::start(&dir, &[]);
    let (status, ct, _, _, _) = fetch(&format!("{}/wallet/", plain.url));
    assert_eq!(status, 404);
    assert!(ct.starts_with("application/problem+json"), "{ct}");
}

#[test]
fn a_wallet_directory_without_the_page_is_refused_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let out = openbadges(&[
        "serve",
        "--issuer-dir",
        dir.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--wallet",
        tmp.path().join("nothing-here").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--wallet"));
}

#[test]
fn the_built_wallet_page_is_served() {
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/wallet");
    let wasm = built.join("pkg/openbadges_bg.wasm");
    if !wasm.is_file() {
        eprintln!(
            "skipping: no built wallet at target/wallet (run bindings/wasm/build.sh to build it)"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let server = Server::start(&dir, &["--wallet", built.to_str().unwrap()]);
    let (status, ct, _, body, _) = fetch(&format!("{}/wallet/", server.url));
    assert_eq!((status, ct.as_str()), (200, "text/html; charset=utf-8"));
    assert!(String::from_utf8_lossy(&body).contains("<title>Badge wallet</title>"));
    for (path, want) in [
        ("wallet.js", "text/javascript; charset=utf-8"),
        ("wallet.css", "text/css; charset=utf-8"),
        ("pkg/openbadges.js", "text/javascript; charset=utf-8"),
        ("pkg/openbadges.d.ts", "text/plain; charset=utf-8"),
        ("pkg/package.json", "application/json"),
        ("pkg/openbadges_bg.wasm", "application/wasm"),
    ] {
        let (status, ct, _, body, _) = fetch(&format!("{}/wallet/{path}", server.url));
        assert_eq!((status, ct.as_str()), (200, want), "{path}");
        assert_eq!(body, std::fs::read(built.join(path)).unwrap(), "{path}");
    }
}
