//! RFC 9457 problem details: every error the service answers is one of these, as
//! `application/problem+json`, with a stable `type` URI naming what went wrong.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// The base of this service's problem `type` URIs.
pub const PROBLEM_BASE: &str = "https://w3id.org/openbadges-rs/problems#";

/// An HTTP problem: status, a stable kind (the `type` URI's fragment), a title and a detail, and
/// any extra members (e.g. a verification report's `errors`).
#[derive(Debug, Clone)]
pub struct Problem(Box<Inner>);

#[derive(Debug, Clone)]
struct Inner {
    status: StatusCode,
    kind: &'static str,
    title: String,
    detail: String,
    extra: Map<String, Value>,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl Problem {
    /// A problem with `status`, a kebab-case `kind`, a `title` and a `detail`.
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Problem(Box::new(Inner {
            status,
            kind,
            title: title.into(),
            detail: detail.into(),
            extra: Map::new(),
            headers: Vec::new(),
        }))
    }

    /// 400: the request is malformed.
    pub fn bad_request(kind: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, kind, "Bad request", detail)
    }

    /// 422: well-formed, but it cannot be done.
    pub fn unprocessable(kind: &'static str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            kind,
            "Cannot process this request",
            detail,
        )
    }

    /// 500: a fault on this side (the detail is logged, not leaked).
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        eprintln!("openbadges serve: internal error: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the server could not complete the request; nothing was recorded",
        )
    }

    /// 503: the database is unreachable; try again.
    pub fn unavailable(detail: impl std::fmt::Display) -> Self {
        eprintln!("openbadges serve: storage unavailable: {detail}");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage-unavailable",
            "Service unavailable",
            "the database is unreachable; nothing was recorded; retry later",
        )
        .header(header::RETRY_AFTER, HeaderValue::from_static("1"))
    }

    /// Adds a member to the body.
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.0.extra.insert(key.to_string(), value);
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.0.headers.push((name, value));
        self
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The body.
    pub fn body(&self) -> Value {
        let p = &self.0;
        let mut body = Map::new();
        body.insert("type".into(), json!(format!("{PROBLEM_BASE}{}", p.kind)));
        body.insert("title".into(), json!(p.title));
        body.insert("status".into(), json!(p.status.as_u16()));
        body.insert("detail".into(), json!(p.detail));
        for (k, v) in &p.extra {
            body.insert(k.clone(), v.clone());
        }
        Value::Object(body)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (self.0.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        for (k, v) in self.0.headers {
            headers.insert(k, v);
        }
        response
    }
}

impl From<super::storage::StoreError> for Problem {
    fn from(e: super::storage::StoreError) -> Self {
        match e {
            super::storage::StoreError::Unavailable(m) => Problem::unavailable(m),
            super::storage::StoreError::Other(m) => Problem::internal(m),
        }
    }
}

/// A JSON response with `status`.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
