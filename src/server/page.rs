//! The page for people: `GET /` offers "Verify a badge" (upload or drop a JSON, JWT, PNG or SVG
//! badge, or paste it); `POST /` answers with the verdict, the badge's image, name,
//! description, issuer, issued date and status, and every check in plain language — the same
//! report as `openbadges verify`. A plain multipart form: no JavaScript needed. Uploads are
//! never stored. Everything taken from a credential is HTML-escaped, and the page's
//! Content-Security-Policy allows no script and no remote image at all.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, State};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use serde_json::Value;

use super::problem::Problem;
use super::request::{read_body, MAX_BODY_BYTES};
use super::App;
use crate::verify::{Check, Outcome, Report};

/// Largest image shown on the answer page, in pixels per side (a bigger one is not embedded:
/// a decompression bomb never reaches a browser).
pub const MAX_IMAGE_SIDE: u32 = 4096;

/// The page's routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/", get(form).post(answer))
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;background:#fff;line-height:1.5}
h1{font-size:1.6rem}
label{font-weight:600;display:block;margin:1rem 0 .3rem}
.drop{display:block;border:2px dashed #4a4a4a;border-radius:.5rem;padding:1.5rem;width:100%;box-sizing:border-box;background:#f6f6f6}
textarea{width:100%;box-sizing:border-box;min-height:8rem;font-family:ui-monospace,monospace}
button{margin-top:1rem;font-size:1.05rem;padding:.6rem 1.4rem;background:#0b4f9c;color:#fff;border:0;border-radius:.4rem;cursor:pointer}
:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.verdict{font-size:1.5rem;font-weight:700;padding:.8rem 1rem;border-radius:.5rem}
.ok{background:#e3f4e8;color:#0b5a26;border:2px solid #0b5a26}
.bad{background:#fbe6e6;color:#8a1116;border:2px solid #8a1116}
.warn{background:#fff4d6;color:#5c4200;border:2px solid #5c4200}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.4rem;border-bottom:1px solid #bbb}
td:nth-child(2){white-space:nowrap}
.badge-image{max-width:12rem;max-height:12rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
dt{font-weight:600}
pre{white-space:pre-wrap;word-break:break-word;background:#f3f3f3;padding:.8rem}
";

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>\n",
        escape(title)
    );
    let mut r = (status, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

const FORM: &str = "<form method=\"post\" action=\"/\" enctype=\"multipart/form-data\">
<label for=\"badge\">Badge file (JSON, JWT, PNG or SVG) — choose it, or drop it here</label>
<input class=\"drop\" type=\"file\" id=\"badge\" name=\"badge\" accept=\".json,.jwt,.txt,.png,.svg,application/json,image/png,image/svg+xml\">
<label for=\"pasted\">…or paste the badge (JSON or VC-JWT)</label>
<textarea id=\"pasted\" name=\"pasted\" spellcheck=\"false\"></textarea>
<button type=\"submit\">Verify</button>
</form>
<p>Nothing you upload is stored: the badge is checked and forgotten.</p>";

async fn form() -> Response {
    page(
        StatusCode::OK,
        "Verify a badge",
        &format!("<h1>Verify a badge</h1>{FORM}"),
    )
}

/// An error answered as a page to browsers and as a problem to everything else.
fn refuse(headers: &HeaderMap, problem: Problem) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if !wants_html {
        return problem.into_response();
    }
    let body = problem.body();
    let detail = body["detail"].as_str().unwrap_or("");
    page(
        problem.status(),
        "Verify a badge",
        &format!(
            "<h1>Verify a badge</h1><p class=\"verdict bad\" role=\"alert\">{}</p><p>{}</p>{FORM}",
            escape(body["title"].as_str().unwrap_or("")),
            escape(detail)
        ),
    )
}

async fn answer(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    match answer_inner(app, &headers, body).await {
        Ok(r) => r,
        Err(p) => refuse(&headers, p),
    }
}

async fn answer_inner(app: Arc<App>, headers: &HeaderMap, body: Body) -> Result<Response, Problem> {
    let bytes = read_body(headers, body, MAX_BODY_BYTES).await?;
    let mut request = Request::builder().method("POST").uri("/");
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        request = request.header(header::CONTENT_TYPE, ct);
    }
    let request = request.body(Body::from(bytes)).map_err(Problem::internal)?;
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
        Problem::bad_request(
            "invalid-form",
            format!("send the form as multipart/form-data: {e}"),
        )
    })?;
    let mut upload: Option<Vec<u8>> = None;
    let mut pasted: Option<Vec<u8>> = None;
    loop {
        let field = multipart.next_field().await.map_err(|e| {
            Problem::bad_request("invalid-form", format!("the form could not be read: {e}"))
        })?;
        let Some(field) = field else { break };
        let name = field.name().unwrap_or("").to_string();
        let data = field.bytes().await.map_err(|e| {
            Problem::bad_request("invalid-form", format!("the form could not be read: {e}"))
        })?;
        match name.as_str() {
            "badge" if !data.is_empty() => upload = Some(data.to_vec()),
            "pasted" if !data.iter().all(u8::is_ascii_whitespace) => pasted = Some(data.to_vec()),
            _ => {}
        }
    }
    let Some(input) = upload.or(pasted) else {
        return Err(Problem::bad_request(
            "no-badge",
            "choose a badge file or paste a badge, then press Verify",
        ));
    };
    let verifier = app.clone();
    let (report, credential, input) = tokio::task::spawn_blocking(move || {
        let report = verifier.verifier.verify_bytes(&input);
        let credential = crate::import::import(&input)
            .ok()
            .and_then(|found| found.into_iter().next())
            .map(|i| i.credential);
        (report, credential, input)
    })
    .await
    .map_err(Problem::internal)?;
    Ok(page(
        StatusCode::OK,
        "Verify a badge: result",
        &render(report, credential.as_ref(), &input),
    ))
}

fn text_of(v: Option<&Value>) -> Option<&str> {
    v.and_then(|v| v.as_str().or_else(|| v.get("id").and_then(Value::as_str)))
}

/// The pixel size of a PNG, from its header.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some((w, h))
}

/// A data: URL for an image that is safe to embed (PNG within [`MAX_IMAGE_SIDE`], SVG, JPEG,
/// at most 1 MiB), or `None`.
fn embeddable(mime: &str, bytes: &[u8]) -> Option<String> {
    if bytes.len() > 1024 * 1024 {
        return None;
    }
    match mime {
        "image/png" => {
            let (w, h) = png_size(bytes)?;
            if w == 0 || h == 0 || w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
                return None;
            }
        }
        "image/svg+xml" | "image/jpeg" => {}
        _ => return None,
    }
    Some(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// The badge's image: the achievement's (or credential's) `image` when it is a data: URL, else
/// the uploaded image itself.
fn badge_image(credential: Option<&Value>, input: &[u8]) -> Option<String> {
    let image = credential.and_then(|c| {
        text_of(c.pointer("/credentialSubject/achievement/image"))
            .or_else(|| text_of(c.get("image")))
    });
    if let Some(data) = image.and_then(|i| i.strip_prefix("data:")) {
        let (meta, payload) = data.split_once(',')?;
        let mime = meta.strip_suffix(";base64")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(payload.trim())
            .ok()?;
        return embeddable(mime, &bytes);
    }
    match crate::bake::detect(input) {
        crate::bake::ImageKind::Png => embeddable("image/png", input),
        crate::bake::ImageKind::Svg => embeddable("image/svg+xml", input),
        _ => None,
    }
}

/// A check's name in plain language.
fn check_label(id: &str) -> &str {
    match id {
        "parse" => "Could be read",
        "format" => "Format",
        "baked-image" => "Badge image",
        "type" => "Kind of credential",
        "context" => "Vocabulary (JSON-LD contexts)",
        "issuer" => "Issuer named",
        "subject" => "Recipient and achievement",
        "schema" => "Follows the Open Badges schema",
        "data-model" => "Follows the Open Badges data model",
        "proof" | "proof-set" => "Signature",
        "issuer-key" => "Signed by the issuer's key",
        "validity-window" => "Dates (not expired, already valid)",
        "status" => "Not revoked or suspended",
        "recipient" => "Recipient",
        "trust" => "Issuer on a trust list",
        "endorsements" => "Endorsements",
        other => other,
    }
}

fn outcome_label(c: &Check) -> &'static str {
    match c.outcome {
        Outcome::Passed => "✓ passed",
        Outcome::Failed if c.fatal => "✗ failed",
        Outcome::Failed => "! failed (not fatal)",
        Outcome::Warning => "! warning",
        Outcome::Skipped => "– skipped",
        Outcome::Indeterminate => "? could not check",
    }
}

fn render(report: crate::Result<Report>, credential: Option<&Value>, input: &[u8]) -> String {
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            return format!(
                "<h1>Verify a badge</h1><p class=\"verdict bad\" role=\"status\">NOT VERIFIED: this is not a badge that can be read</p><p>{}</p><p><a href=\"/\">Verify another badge</a></p>",
                escape(&e.to_string())
            )
        }
    };
    let summary = report.to_string();
    let headline = summary.lines().next().unwrap_or("");
    let class = if !report.verified {
        "bad"
    } else if report.warnings().next().is_some() {
        "warn"
    } else {
        "ok"
    };
    let mut html = String::from("<h1>Verify a badge</h1>");
    html.push_str(&format!(
        "<p class=\"verdict {class}\" role=\"status\" id=\"verdict\">{}</p>",
        escape(headline)
    ));
    if let Some(reason) = report.failures().next() {
        let detail = reason.problem.as_ref().map_or("", |p| p.detail.as_str());
        html.push_str(&format!(
            "<p id=\"reason\"><strong>Why:</strong> {}: {}</p>",
            escape(check_label(reason.id.as_str())),
            escape(detail)
        ));
    }
    html.push_str("<section aria-labelledby=\"about\"><h2 id=\"about\">The badge</h2>");
    if let Some(src) = badge_image(credential, input) {
        html.push_str(&format!(
            "<img class=\"badge-image\" src=\"{}\" alt=\"The badge's image\">",
            escape(&src)
        ));
    }
    html.push_str("<dl>");
    let c = credential.cloned().unwrap_or(Value::Null);
    let name = c
        .pointer("/credentialSubject/achievement/name")
        .or_else(|| c.get("name"))
        .and_then(Value::as_str)
        .or(report.achievement.as_deref());
    let description = c
        .pointer("/credentialSubject/achievement/description")
        .or_else(|| c.get("description"))
        .and_then(Value::as_str);
    let issuer = c
        .pointer("/issuer/name")
        .and_then(Value::as_str)
        .or_else(|| text_of(c.get("issuer")))
        .or(report.issuer.as_deref());
    let issued = c
        .get("validFrom")
        .or_else(|| c.get("issuanceDate"))
        .and_then(Value::as_str);
    let expires = c
        .get("validUntil")
        .or_else(|| c.get("expirationDate"))
        .and_then(Value::as_str);
    let status = {
        let failed = |id: &str| report.check(id).is_some_and(Check::is_blocking);
        if failed("status") {
            report
                .check("status")
                .and_then(|c| c.problem.as_ref())
                .map_or("revoked or suspended".to_string(), |p| p.detail.clone())
        } else if failed("validity-window") {
            report
                .check("validity-window")
                .and_then(|c| c.problem.as_ref())
                .map_or("expired".to_string(), |p| p.detail.clone())
        } else if report.verified {
            "current".to_string()
        } else {
            "not verified".to_string()
        }
    };
    for (label, value) in [
        ("Name", name),
        ("Description", description),
        ("Issuer", issuer),
        ("Issued", issued),
        ("Expires", expires),
        ("Status", Some(status.as_str())),
    ] {
        if let Some(v) = value {
            html.push_str(&format!("<dt>{label}</dt><dd>{}</dd>", escape(v)));
        }
    }
    html.push_str("</dl></section>");
    html.push_str("<section aria-labelledby=\"checks\"><h2 id=\"checks\">Every check</h2><table><thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Result</th><th scope=\"col\">Details</th></tr></thead><tbody>");
    for check in &report.checks {
        let detail = match (&check.problem, &check.note) {
            (Some(p), _) => p.detail.as_str(),
            (None, Some(n)) => n.as_str(),
            _ => "",
        };
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(check_label(check.id.as_str())),
            outcome_label(check),
            escape(detail)
        ));
    }
    html.push_str("</tbody></table></section>");
    html.push_str(&format!(
        "<details><summary>The report as <code>openbadges verify</code> prints it</summary><pre>{}</pre></details>",
        escape(&summary)
    ));
    html.push_str("<p><a href=\"/\">Verify another badge</a></p>");
    html
}
