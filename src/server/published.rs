//! Published documents: the issuer's profile or DID document and JWK Set (from the issuer
//! directory), and every status list, signed by the issuer and re-signed when a bit changes or
//! half its validity has passed. The signed list is kept in the database, so every process
//! sharing it serves the same bytes (one ETag).
//!
//! [`OwnDocuments`] is the verifier's resolver: this server's own documents come from here
//! (never stale: a revocation shows at once), anything else through the hardened fetcher.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::problem::Problem;
use super::storage::Store;
use crate::error::{Error, ErrorKind};
use crate::issue::Issuer;
use crate::proof::{ProofOptions, Suite};
use crate::resolve::{strip_fragment, Resolver, ResourceKind};
use crate::status::Bitstring;

/// How long a signed status list is valid (`validUntil` = signing time + this).
pub const LIST_VALIDITY_HOURS: i64 = 24;

/// A document ready to serve.
#[derive(Debug, Clone)]
pub struct Published {
    /// The body.
    pub body: Arc<Vec<u8>>,
    /// Its strong ETag (quoted sha256 prefix).
    pub etag: String,
    /// `Cache-Control: max-age` seconds.
    pub max_age: u64,
    /// The media type.
    pub content_type: &'static str,
}

impl Published {
    fn new(body: Vec<u8>, max_age: u64, content_type: &'static str) -> Self {
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
        Published {
            body: Arc::new(body),
            etag,
            max_age,
            content_type,
        }
    }

    /// The response: 304 when `If-None-Match` names this version.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, v);
        }
        if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={}", self.max_age)) {
            headers.insert(header::CACHE_CONTROL, v);
        }
        let matches = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|t| t.trim() == self.etag || t.trim() == "*")
            });
        if matches {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        (StatusCode::OK, headers, self.body.as_ref().clone()).into_response()
    }
}

/// Signs and serves what this issuer publishes.
pub struct Publisher {
    store: Store,
    issuer: Arc<Issuer>,
    ttl_seconds: u64,
    /// Issuer documents by URL path (`/issuers/1`, `/.well-known/did.json`, …).
    documents: HashMap<String, Published>,
    /// Issuer documents by full URL, for the resolver.
    by_url: HashMap<String, Arc<Vec<u8>>>,
    base: String,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("base", &self.base)
            .field("documents", &self.documents.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The path of `url` (`https://host/a/b` → `/a/b`).
pub fn url_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    Some(strip_fragment(path).to_string())
}

impl Publisher {
    /// A publisher for `issuer`, serving the issuer directory's `publications` and the status
    /// lists in `store` whose URLs start with `base`; lists say `ttl_seconds`.
    pub fn new(
        store: Store,
        issuer: Arc<Issuer>,
        publications: &[crate::issuer::Publication],
        base: String,
        ttl_seconds: u64,
    ) -> Self {
        let mut documents = HashMap::new();
        let mut by_url = HashMap::new();
        for p in publications {
            let body = serde_json::to_vec_pretty(&p.document).unwrap_or_default();
            let content_type = if p.url.ends_with("did.json") {
                "application/did+json"
            } else if p.url.ends_with("jwks.json") {
                "application/jwk-set+json"
            } else {
                "application/json"
            };
            let doc = Published::new(body, ttl_seconds, content_type);
            by_url.insert(strip_fragment(&p.url).to_string(), doc.body.clone());
            if let Some(path) = url_path(&p.url) {
                documents.insert(path, doc);
            }
        }
        Publisher {
            store,
            issuer,
            ttl_seconds,
            documents,
            by_url,
            base,
        }
    }

    /// The issuer document served at `path`, if any.
    pub fn document(&self, path: &str) -> Option<&Published> {
        self.documents.get(path)
    }

    /// The number of the status list at `url`, when it is one of ours.
    pub fn list_number(&self, url: &str) -> Option<i64> {
        strip_fragment(url)
            .strip_prefix(&self.base)?
            .strip_prefix("/status/")?
            .parse()
            .ok()
    }

    /// The signed status list `number` as of now (signing a new one when a bit changed or half
    /// its validity has passed), or `None` when there is no such list.
    pub async fn status_list(&self, number: i64) -> Result<Option<Published>, Problem> {
        let Some(state) = self.store.list_state(number).await? else {
            return Ok(None);
        };
        let now = Utc::now();
        if let Some((version, doc, until)) = &state.signed {
            let fresh = DateTime::parse_from_rfc3339(until)
                .map(|u| u.to_utc() - now > Duration::hours(LIST_VALIDITY_HOURS / 2))
                .unwrap_or(false);
            if *version == state.version && fresh {
                return Ok(Some(Published::new(
                    doc.clone().into_bytes(),
                    self.ttl_seconds,
                    "application/vc+ld+json",
                )));
            }
        }
        let set = self.store.set_indexes(number).await?;
        let size = usize::try_from(state.size).map_err(Problem::internal)?;
        let mut bits = Bitstring::new(size, 1).map_err(Problem::internal)?;
        for i in set {
            let i = usize::try_from(i).map_err(Problem::internal)?;
            bits.set(i, 1).map_err(Problem::internal)?;
        }
        let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let until = stamp(now + Duration::hours(LIST_VALIDITY_HOURS));
        let unsigned = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": state.url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.issuer.id(),
            "validFrom": stamp(now),
            "validUntil": until,
            "credentialSubject": {
                "id": format!("{}#list", state.url),
                "type": "BitstringStatusList",
                "statusPurpose": state.purpose,
                "encodedList": bits.encode(),
                "ttl": self.ttl_seconds * 1000,
            }
        });
        let issuer = self.issuer.clone();
        let created = stamp(now);
        let signed = tokio::task::spawn_blocking(move || {
            issuer.di_signer()?.sign(
                &unsigned,
                Suite::EddsaRdfc2022,
                &ProofOptions::assertion().created(created),
            )
        })
        .await
        .map_err(Problem::internal)?
        .map_err(Problem::internal)?;
        let text = serde_json::to_string(&signed).map_err(Problem::internal)?;
        self.store
            .save_signed_list(number, state.version, &text, &until)
            .await?;
        Ok(Some(Published::new(
            text.into_bytes(),
            self.ttl_seconds,
            "application/vc+ld+json",
        )))
    }
}

/// The verifier's resolver: this server's own documents first (status lists read from the
/// database, so never stale), then `next` (the hardened HTTPS fetcher with its shared cache).
pub struct OwnDocuments {
    publisher: Arc<Publisher>,
    next: Arc<dyn Resolver>,
    runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for OwnDocuments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnDocuments")
            .field("publisher", &self.publisher)
            .finish_non_exhaustive()
    }
}

impl OwnDocuments {
    /// Serves `publisher`'s documents, asks `next` for the rest. Fetches must run on a blocking
    /// thread of `runtime` (verification always does).
    pub fn new(
        publisher: Arc<Publisher>,
        next: Arc<dyn Resolver>,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        OwnDocuments {
            publisher,
            next,
            runtime,
        }
    }
}

impl Resolver for OwnDocuments {
    fn fetch(&self, url: &str, kind: ResourceKind) -> crate::Result<Vec<u8>> {
        if let Some(doc) = self.publisher.by_url.get(strip_fragment(url)) {
            return Ok(doc.as_ref().clone());
        }
        if let Some(n) = self.publisher.list_number(url) {
            let found = self
                .runtime
                .block_on(self.publisher.status_list(n))
                .map_err(|p| {
                    Error::new(
                        ErrorKind::Resolve,
                        format!(
                            "`{url}`: {}",
                            p.body()["detail"].as_str().unwrap_or("unavailable")
                        ),
                    )
                })?;
            return match found {
                Some(p) => Ok(p.body.as_ref().clone()),
                None => Err(Error::new(
                    ErrorKind::Resolve,
                    format!("`{url}`: no such status list on this server"),
                )),
            };
        }
        self.next.fetch(url, kind)
    }
}
