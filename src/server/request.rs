//! Reading request bodies within limits: at most [`MAX_BODY_BYTES`], within [`BODY_TIMEOUT`]
//! (a slow client gets 408), JSON only where JSON is expected (415), parsed with the crate's
//! strict parser (400 naming the problem).

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;

use super::problem::Problem;

/// Largest request body: 4 MiB.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How long a client may take to send its body.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(20);

fn too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body-too-large",
        "Request body too large",
        format!("the limit is {MAX_BODY_BYTES} bytes"),
    )
}

/// The body's bytes, at most `limit`.
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, Problem> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let read = async {
        let mut body = body;
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                Problem::bad_request("body-unreadable", format!("could not read the body: {e}"))
            })?;
            if let Some(data) = frame.data_ref() {
                if out.len() + data.len() > limit {
                    return Err(too_large());
                }
                out.extend_from_slice(data);
            }
        }
        Ok(out)
    };
    match tokio::time::timeout(BODY_TIMEOUT, read).await {
        Ok(r) => r,
        Err(_) => Err(Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "body-timeout",
            "Request timeout",
            format!(
                "the body did not arrive within {} seconds",
                BODY_TIMEOUT.as_secs()
            ),
        )),
    }
}

/// A JSON request body (`Content-Type` must name JSON).
pub async fn read_json(headers: &HeaderMap, body: Body) -> Result<Value, Problem> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.to_ascii_lowercase().contains("json") {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!("send `Content-Type: application/json`; got `{content_type}`"),
        ));
    }
    let bytes = read_body(headers, body, MAX_BODY_BYTES).await?;
    crate::json::parse(&bytes).map_err(|e| {
        Problem::bad_request(
            "invalid-json",
            format!("the body is not acceptable JSON: {e}"),
        )
    })
}
