//! `/wallet/`: the badge wallet page (bindings/wasm/www with its WebAssembly package, built by
//! bindings/wasm/build.sh into target/wallet) served as static files when `openbadges serve
//! --wallet DIR` is given. The page verifies in the browser; this server only hands out files.
//!
//! Written by hand rather than with a static-file crate: the server has no such dependency, the
//! page is a handful of files, and the rules below (regular files under DIR only, no dot files,
//! no symlink out of DIR, a size bound, a fixed table of content types) are short to state.

use std::path::{Component, Path, PathBuf};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use super::problem::Problem;
use super::App;
use std::sync::Arc;

/// The largest file the wallet route serves (the `.wasm` is well under it).
pub const MAX_WALLET_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// The routes under `/wallet/` (answer 404 when no wallet directory was configured).
pub(super) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/wallet", get(|| async { Redirect::permanent("/wallet/") }))
        .route("/wallet/", get(wallet_file))
        .route("/wallet/{*path}", get(wallet_file))
}

/// The content type of a wallet file by extension; `None` for a file the page does not use.
pub fn content_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?;
    Some(match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "ts" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => return None,
    })
}

/// The file under `root` that the request path (after `/wallet/`) names: only normal path
/// components, none starting with a dot; `index.html` for a directory.
fn resolve(root: &Path, rest: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for part in Path::new(rest).components() {
        match part {
            Component::Normal(p) if !p.to_string_lossy().starts_with('.') => path.push(p),
            _ => return None,
        }
    }
    if rest.is_empty() || rest.ends_with('/') {
        path.push("index.html");
    }
    // No symlink leads out of the root.
    let real = path.canonicalize().ok()?;
    let real_root = root.canonicalize().ok()?;
    real.starts_with(&real_root).then_some(real)
}

fn not_found(what: &str) -> Response {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        format!("the wallet has no file `{what}`"),
    )
    .into_response()
}

async fn wallet_file(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let Some(root) = app.wallet.clone() else {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "this server has no wallet page (start it with --wallet DIR)".to_string(),
        )
        .into_response();
    };
    let rest = uri
        .path()
        .strip_prefix("/wallet/")
        .unwrap_or("")
        .to_string();
    let decoded = match percent_decode(&rest) {
        Some(d) => d,
        None => return not_found(&rest),
    };
    let file = tokio::task::spawn_blocking(move || -> Option<(Vec<u8>, &'static str)> {
        let path = resolve(&root, &decoded)?;
        let kind = content_type(&path)?;
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > MAX_WALLET_FILE_BYTES {
            return None;
        }
        Some((std::fs::read(&path).ok()?, kind))
    })
    .await
    .ok()
    .flatten();
    let Some((bytes, kind)) = file else {
        return not_found(&rest);
    };
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The page runs its own scripts and compiles its own WebAssembly, and loads nothing else.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// Decodes `%XX` escapes of a URL path; `None` for a malformed escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_cover_the_page() {
        assert_eq!(
            content_type(Path::new("pkg/openbadges_bg.wasm")),
            Some("application/wasm")
        );
        assert_eq!(
            content_type(Path::new("wallet.js")),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(content_type(Path::new("secret.key")), None);
        assert_eq!(content_type(Path::new("Makefile")), None);
    }

    #[test]
    fn paths_stay_under_the_root() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path().join("wallet");
        std::fs::create_dir_all(root.join("pkg"))?;
        std::fs::write(root.join("index.html"), "<!doctype html>")?;
        std::fs::write(root.join("pkg/a.js"), "")?;
        std::fs::write(tmp.path().join("outside.html"), "")?;
        assert!(resolve(&root, "").is_some());
        assert!(resolve(&root, "pkg/a.js").is_some());
        assert!(resolve(&root, "../outside.html").is_none());
        assert!(resolve(&root, "/etc/passwd").is_none());
        assert!(resolve(&root, ".hidden").is_none());
        assert!(resolve(&root, "pkg/../../outside.html").is_none());
        assert_eq!(percent_decode("a%2Fb"), Some("a/b".into()));
        assert_eq!(percent_decode("%zz"), None);
        Ok(())
    }
}
