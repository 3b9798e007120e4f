//! The "Verify a badge" page of `openbadges serve`: the plain form (no JavaScript), the answer
//! for baked PNGs, pasted JSON and tampered badges, HTML escaping, oversize uploads and image
//! bombs; then the same page in Debian's headless Chromium through playwright-core
//! (tests/browser), with screenshots under target/serve-page/.
#![cfg(feature = "server")]

mod serve_support;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use serve_support::*;

struct Fixture {
    _tmp: tempfile::TempDir,
    server: Server,
    issue: String,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let issue = token(&dir, None, &["issue"]);
    let server = Server::start(&dir, &[]);
    Fixture {
        _tmp: tmp,
        server,
        issue,
    }
}

impl Fixture {
    fn issue(&self, credential: Value) -> Value {
        let r = post(
            &format!("{}/credentials/issue", self.server.url),
            Some(&self.issue),
            &json!({"credential": credential, "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}}}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        r.json["verifiableCredential"].clone()
    }

    /// Posts the form (multipart) with a file and/or pasted text; `accept` html or not.
    fn submit(&self, file: Option<(&str, &[u8])>, pasted: Option<&str>, html: bool) -> Reply {
        let boundary = "----obtestboundary7MA4YWxk";
        let mut body = Vec::new();
        if let Some((name, bytes)) = file {
            write!(body, "--{boundary}\r\nContent-Disposition: form-data; name=\"badge\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").unwrap();
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"pasted\"\r\n\r\n{}\r\n",
            pasted.unwrap_or("")
        )
        .unwrap();
        write!(body, "--{boundary}--\r\n").unwrap();
        let mut req = agent().post(&format!("{}/", self.server.url)).set(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        );
        if html {
            req = req.set("accept", "text/html");
        }
        send(req, Some(&body))
    }
}

/// A 64×64 PNG (a blue square).
fn png_image() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 64, 64);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        let pixels: Vec<u8> = (0..64 * 64).flat_map(|_| [11u8, 79, 156, 255]).collect();
        w.write_image_data(&pixels).unwrap();
    }
    out
}

fn bake(image: &[u8], credential: &Value) -> Vec<u8> {
    openbadges::bake::bake(
        image,
        &openbadges::bake::Baked::from_text(credential.to_string()),
    )
    .unwrap()
}

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    c.extend_from_slice(&h.finalize().to_be_bytes());
    c
}

/// A PNG claiming 100,000 × 100,000 pixels (10 G pixels if decoded).
fn huge_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend(chunk(b"IHDR", &ihdr));
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&[0u8; 4096]).unwrap();
    png.extend(chunk(b"IDAT", &z.finish().unwrap()));
    png.extend(chunk(b"IEND", b""));
    png
}

/// A PNG whose compressed `openbadgecredential` chunk inflates to 200 MB.
fn text_bomb_png() -> Vec<u8> {
    let image = png_image();
    let iend = image.len() - 12;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![b' '; 1 << 20];
    for _ in 0..200 {
        z.write_all(&block).unwrap();
    }
    let mut data = b"openbadgecredential\0\x01\x00\0\0".to_vec();
    data.extend(z.finish().unwrap());
    let mut png = image[..iend].to_vec();
    png.extend(chunk(b"iTXt", &data));
    png.extend_from_slice(&image[iend..]);
    png
}

#[test]
fn the_form_works_without_javascript() {
    let f = fixture();
    let form = get(&format!("{}/", f.server.url));
    assert_eq!(form.status, 200);
    assert!(form.content_type.starts_with("text/html"));
    for needle in [
        "<form method=\"post\" action=\"/\" enctype=\"multipart/form-data\">",
        "<label for=\"badge\">",
        "id=\"badge\" name=\"badge\"",
        "<label for=\"pasted\">",
        "lang=\"en\"",
        "<script",
    ] {
        assert_eq!(form.text.contains(needle), needle != "<script", "{needle}");
    }

    let vc = f.issue(badge("did:example:teacher-1"));
    let baked = bake(&png_image(), &vc);
    let r = f.submit(Some(("badge.png", &baked)), None, true);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.text
            .contains("id=\"verdict\">VERIFIED: Growth Mindset</p>"),
        "{}",
        r.text
    );
    assert!(r.text.contains("<dd>Riverside USD</dd>"));
    assert!(r.text.contains("<dd>Fosters a growth mindset.</dd>"));
    assert!(r
        .text
        .contains("<img class=\"badge-image\" src=\"data:image/png;base64,"));
    assert!(r.text.contains("<dt>Status</dt><dd>current</dd>"));
    assert!(r.text.contains("Not revoked or suspended"));
    // The same words as the CLI.
    assert!(r.text.contains("<pre>VERIFIED: Growth Mindset\n"));

    // Pasted JSON, and a pasted VC-JWT.
    let r = f.submit(None, Some(&vc.to_string()), true);
    assert!(
        r.text.contains(">VERIFIED: Growth Mindset</p>"),
        "{}",
        r.text
    );

    // Tampered: the reason, in plain language.
    let mut forged = vc.clone();
    forged["credentialSubject"]["achievement"]["name"] = json!("Growth Mindset (Advanced)");
    let r = f.submit(
        Some(("forged.png", &bake(&png_image(), &forged))),
        None,
        true,
    );
    assert_eq!(r.status, 200);
    assert!(
        r.text
            .contains(">NOT VERIFIED (signature does not match: altered or forged)"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("<p id=\"reason\"><strong>Why:</strong> Signature:"),
        "{}",
        r.text
    );

    // Revoked: the status says so.
    let status = token(&f._tmp.path().join("riverside"), None, &["status"]);
    let s = post(
        &format!("{}/credentials/status", f.server.url),
        Some(&status),
        &json!({"credentialId": vc["id"], "status": true}),
    );
    assert_eq!(s.status, 200);
    let r = f.submit(Some(("badge.png", &baked)), None, true);
    assert!(r.text.contains(">NOT VERIFIED (revoked)"), "{}", r.text);
    assert!(r.text.contains("<dt>Status</dt><dd>") && r.text.contains("revoked"));
}

#[test]
fn everything_from_the_credential_is_escaped() {
    let f = fixture();
    let mut evil = badge("did:example:teacher-2");
    evil["credentialSubject"]["achievement"]["name"] = json!("<script>alert(1)</script>");
    evil["credentialSubject"]["achievement"]["description"] =
        json!("\"><img src=x onerror=alert(2)>");
    evil["credentialSubject"]["achievement"]["image"] =
        json!({"id": "javascript:alert(3)", "type": "Image"});
    evil["issuer"]["name"] = json!("Riverside <b>USD</b>");
    let vc = f.issue(evil);
    let r = f.submit(None, Some(&vc.to_string()), true);
    assert_eq!(r.status, 200);
    assert!(!r.text.contains("<script>alert"), "{}", r.text);
    assert!(!r.text.contains("<img src=x"));
    assert!(!r.text.contains("javascript:"));
    assert!(!r.text.contains("<b>USD"));
    assert!(r.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(r.text.contains("Riverside &lt;b&gt;USD&lt;/b&gt;"));
}

#[test]
fn bad_uploads() {
    let f = fixture();
    // Nothing chosen: 400.
    let r = f.submit(None, None, true);
    assert_eq!(r.status, 400);
    assert!(r.text.contains("choose a badge file"));
    let r = f.submit(None, Some("   "), false);
    assert_problem(&r, 400);
    // Over 4 MiB: 413 (a problem for programs, a page for browsers).
    let big = vec![b'x'; 4 * 1024 * 1024 + 10];
    let boundary = "b";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"badge\"; filename=\"a\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&big);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut s = std::net::TcpStream::connect(f.server.url.trim_start_matches("http://")).unwrap();
    s.write_all(format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes()).unwrap();
    let mut buf = vec![0u8; 4096];
    let n = std::io::Read::read(&mut s, &mut buf).unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"));
    // Not a multipart form.
    let r = send(
        agent()
            .post(&format!("{}/", f.server.url))
            .set("content-type", "text/plain"),
        Some(b"hello"),
    );
    assert_problem(&r, 400);
    // Not a badge at all.
    let r = f.submit(Some(("cat.png", &png_image())), None, true);
    assert_eq!(r.status, 200);
    assert!(r.text.contains("NOT VERIFIED"), "{}", r.text);
    // Image bombs: a PNG claiming 10 G pixels is answered but never embedded; a text chunk that
    // inflates to 200 MB is refused by the bounded inflater.
    let vc = f.issue(badge("did:example:teacher-3"));
    let huge = bake(&huge_png(), &vc);
    let r = f.submit(Some(("huge.png", &huge)), None, true);
    assert_eq!(r.status, 200);
    assert!(
        r.text.contains(">VERIFIED: Growth Mindset</p>"),
        "{}",
        r.text
    );
    assert!(
        !r.text.contains("<img"),
        "a bomb must not reach the browser"
    );
    let r = f.submit(Some(("bomb.png", &text_bomb_png())), None, true);
    assert_eq!(r.status, 200);
    assert!(r.text.contains("NOT VERIFIED"), "{}", r.text);
    // Still serving.
    assert_eq!(get(&format!("{}/healthz", f.server.url)).status, 200);
}

#[test]
fn in_headless_chromium() {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_ok
        || !Path::new(&chromium).exists()
        || !browser_dir.join("node_modules/playwright-core").exists()
    {
        eprintln!("SKIPPED: the browser test needs node, {chromium} and tests/browser/node_modules (apt-get install chromium; cd tests/browser && npm ci)");
        return;
    }
    let f = fixture();
    let vc = f.issue(badge("did:example:teacher-4"));
    let tmp = tempfile::tempdir().unwrap();
    let baked = tmp.path().join("growth-mindset.png");
    std::fs::write(&baked, bake(&png_image(), &vc)).unwrap();
    let mut forged = vc.clone();
    forged["credentialSubject"]["achievement"]["description"] = json!("Edited after signing.");
    let tampered = tmp.path().join("tampered.png");
    std::fs::write(&tampered, bake(&png_image(), &forged)).unwrap();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/serve-page");
    let out = Command::new("node")
        .arg(browser_dir.join("page.mjs"))
        .arg(format!("{}/", f.server.url))
        .arg(&baked)
        .arg(&tampered)
        .arg(&shots)
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the browser test failed");
    assert!(stdout.contains("verified page: VERIFIED: Growth Mindset"));
    for shot in ["form.png", "verified.png", "tampered.png"] {
        assert!(shots.join(shot).exists(), "{shot}");
    }
}
