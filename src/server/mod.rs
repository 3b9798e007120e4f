//! `openbadges serve` (feature `server`): a district's issuing and verification service over
//! HTTP(S).
//!
//! - the VC-API (`VC-API.md`): [`vc_api`] — issue, verify credentials and presentations,
//!   change status;
//! - published documents: [`published`] — the issuer profile or DID document and JWK Set from
//!   the issuer directory, every status list signed and re-signed when it changes;
//! - storage: [`storage`] — SQLite beside the issuer directory by default, or PostgreSQL shared by
//!   any number of processes;
//! - the Open Badges 3.0 API for wallets and hosts: [`ob_api`];
//! - the page for people: [`page`] — "Verify a badge" at `/`;
//! - access: [`auth`] — bearer tokens with scopes; verification and published documents are
//!   public; [`oauth`] — OAuth 2.0 for the OB API (client registration, authorization code with
//!   PKCE and a consent page, refresh, revocation), tokens bound to a resource owner;
//! - limits: bodies over 4 MiB get 413, a client that does not send its headers within 10 s or
//!   its body within 20 s gets dropped or 408, malformed JSON 400, every error an RFC 9457
//!   problem ([`problem`]).
//!
//! # Example
//! ```no_run
//! use openbadges::server::{ServerConfig, Tls};
//! let config = ServerConfig::new("riverside/".into())
//!     .listen("127.0.0.1:8443")
//!     .tls(Tls::SelfSigned);
//! openbadges::server::run(config)?;
//! # Ok::<(), openbadges::Error>(())
//! ```

pub mod auth;
pub mod oauth;
pub mod ob_api;
pub mod page;
pub mod problem;
pub mod published;
pub mod request;
pub mod storage;
pub mod tls;
pub mod vc_api;
pub mod wallet;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};

use crate::error::{Error, ErrorKind, Result};
use crate::issue::Issuer;
use crate::issuer::{IssuerDir, IssuerKind};
use crate::verify::{Verifier, VerifyOptions};
use problem::Problem;
use published::{OwnDocuments, Publisher};
use storage::Store;

/// How long a client may take to send its request headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Default status-list `ttl` (and `Cache-Control: max-age`): 5 minutes.
pub const DEFAULT_STATUS_TTL_SECONDS: u64 = 300;

/// TLS for the listener.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tls {
    /// Plain HTTP (put a TLS-terminating proxy in front).
    None,
    /// A PEM certificate chain and private key.
    Files {
        /// The certificate chain (PEM).
        cert: PathBuf,
        /// The private key (PEM).
        key: PathBuf,
    },
    /// A fresh self-signed certificate for localhost (tests, the W3C suites).
    SelfSigned,
}

/// Where the server reads the time from: OAuth codes and tokens expire by it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Clock {
    /// The system clock.
    System,
    /// For tests: the RFC 3339 date-time written in this file, read at every use
    /// (`openbadges serve --clock-file FILE`), so a test moves time by rewriting the file.
    File(PathBuf),
}

impl Clock {
    /// Now, in Unix seconds. A [`Clock::File`] that cannot be read or parsed falls back to the
    /// system clock, with a warning.
    ///
    /// # Example
    /// ```
    /// use openbadges::server::Clock;
    /// assert!(Clock::System.now() > 1_700_000_000);
    /// ```
    pub fn now(&self) -> i64 {
        match self {
            Clock::System => chrono::Utc::now().timestamp(),
            Clock::File(path) => std::fs::read_to_string(path)
                .ok()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t.trim()).ok())
                .map(|t| t.timestamp())
                .unwrap_or_else(|| {
                    eprintln!(
                        "openbadges serve: --clock-file {}: no RFC 3339 date-time; using the system clock",
                        path.display()
                    );
                    chrono::Utc::now().timestamp()
                }),
        }
    }
}

/// What `openbadges serve` runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    issuer_dir: PathBuf,
    db: Option<String>,
    listen: String,
    public_url: Option<String>,
    tls: Tls,
    status_ttl: u64,
    wallet: Option<PathBuf>,
    clock: Clock,
}

impl ServerConfig {
    /// Serves the issuer in `issuer_dir` on 127.0.0.1:8080, plain HTTP, SQLite beside it.
    pub fn new(issuer_dir: PathBuf) -> Self {
        ServerConfig {
            issuer_dir,
            db: None,
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            tls: Tls::None,
            status_ttl: DEFAULT_STATUS_TTL_SECONDS,
            wallet: None,
            clock: Clock::System,
        }
    }

    /// The clock OAuth expiry is judged by (default [`Clock::System`]).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The database: `sqlite:PATH` or `postgres://…` (default [`default_db`]).
    pub fn db(mut self, db: impl Into<String>) -> Self {
        self.db = Some(db.into());
        self
    }

    /// The address to listen on (`127.0.0.1:0` picks a free port; the chosen address is printed).
    pub fn listen(mut self, addr: impl Into<String>) -> Self {
        self.listen = addr.into();
        self
    }

    /// The origin verifiers reach this server at (status-list URLs start with it). Default: the
    /// issuer's https origin (or did:web host); for a did:key issuer, this server's address.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// TLS for the listener.
    pub fn tls(mut self, tls: Tls) -> Self {
        self.tls = tls;
        self
    }

    /// The status lists' `ttl` in seconds (also their `Cache-Control: max-age`).
    pub fn status_ttl(mut self, seconds: u64) -> Self {
        self.status_ttl = seconds;
        self
    }

    /// Serves the badge wallet page (a directory built by `bindings/wasm/build.sh`, holding
    /// `index.html` and `pkg/`) under `/wallet/`; see [`wallet`].
    pub fn wallet(mut self, dir: impl Into<PathBuf>) -> Self {
        self.wallet = Some(dir.into());
        self
    }
}

/// The default database of an issuer directory: `sqlite:` a file beside it
/// (`riverside/` → `riverside.serve.sqlite`).
pub fn default_db(issuer_dir: &Path) -> String {
    let dir = issuer_dir
        .canonicalize()
        .unwrap_or_else(|_| issuer_dir.to_path_buf());
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "issuer".into());
    let parent = dir.parent().unwrap_or(Path::new("."));
    format!(
        "sqlite:{}",
        parent.join(format!("{name}.serve.sqlite")).display()
    )
}

/// The shared state of a running server.
pub struct App {
    store: Store,
    issuer: Arc<Issuer>,
    publisher: Arc<Publisher>,
    verifier: Verifier,
    issue_checker: Verifier,
    verify_options: VerifyOptions,
    base: String,
    wallet: Option<PathBuf>,
    clock: Clock,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("issuer", &self.issuer.id())
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn store_error(e: storage::StoreError) -> Error {
    Error::new(ErrorKind::Io, e.to_string())
}

/// The origin status lists are published under when no `--public-url` is given.
fn default_public_url(dir: &IssuerDir, scheme: &str, listen: &SocketAddr) -> String {
    match dir.kind() {
        IssuerKind::Https => {
            let rest = dir.id().trim_start_matches("https://");
            let host = rest.split('/').next().unwrap_or(rest);
            format!("https://{host}")
        }
        IssuerKind::DidWeb => {
            let host = dir
                .id()
                .trim_start_matches("did:web:")
                .split(':')
                .next()
                .unwrap_or("")
                .replace("%3A", ":")
                .replace("%3a", ":");
            format!("https://{host}")
        }
        _ => format!("{scheme}://{listen}"),
    }
}

fn check_public_url(url: &str) -> Result<String> {
    let trimmed = url.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#']) => Ok(trimmed.to_string()),
        _ => Err(Error::new(
            ErrorKind::Usage,
            format!("--public-url `{url}`: expected an origin such as https://district.example (no path)"),
        )),
    }
}

/// Builds the application: opens the issuer directory and the database (migrating it).
pub async fn app(config: &ServerConfig, listen: &SocketAddr) -> Result<Arc<App>> {
    if let Some(w) = &config.wallet {
        if !w.join("index.html").is_file() {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "--wallet {}: expected the built wallet page (index.html and pkg/; run bindings/wasm/build.sh)",
                    w.display()
                ),
            ));
        }
    }
    let dir = IssuerDir::open(&config.issuer_dir)?;
    let issuer = Arc::new(dir.issuer()?);
    let scheme = if config.tls == Tls::None {
        "http"
    } else {
        "https"
    };
    let base = match &config.public_url {
        Some(u) => check_public_url(u)?,
        None => default_public_url(&dir, scheme, listen),
    };
    let db = config
        .db
        .clone()
        .unwrap_or_else(|| default_db(&config.issuer_dir));
    let store = Store::open(&db).await.map_err(store_error)?;
    let publications = dir.publications()?;
    let publisher = Arc::new(Publisher::new(
        store.clone(),
        issuer.clone(),
        &publications,
        base.clone(),
        config.status_ttl,
    ));
    let fetcher: Arc<dyn crate::resolve::Resolver> =
        Arc::new(crate::resolve::HttpResolver::builder().build());
    let resolver = Arc::new(OwnDocuments::new(
        publisher.clone(),
        fetcher,
        tokio::runtime::Handle::current(),
    ));
    let verify_options = VerifyOptions::default().resolver(resolver);
    let mut check_options = verify_options.clone();
    check_options.dangerous().skip_status();
    Ok(Arc::new(App {
        store,
        issuer,
        publisher,
        verifier: Verifier::new(verify_options.clone()),
        issue_checker: Verifier::new(check_options),
        verify_options,
        base,
        wallet: config.wallet.clone(),
        clock: config.clock.clone(),
    }))
}

/// Every route of the service.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .merge(vc_api::routes())
        .merge(page::routes())
        .merge(wallet::routes())
        .merge(ob_api::routes())
        .merge(oauth::routes())
        .route("/status/{number}", get(status_list))
        .route("/healthz", get(health))
        .fallback(published_document)
        .layer(axum::middleware::map_response(bare_errors_as_problems))
        .with_state(app)
}

/// The router's own answers without a body (405 for a known path with another method) become
/// problems too.
async fn bare_errors_as_problems(response: Response) -> Response {
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && response
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .is_none()
    {
        let allow = response.headers().get(axum::http::header::ALLOW).cloned();
        let mut problem = Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            match &allow {
                Some(a) => format!("this endpoint takes {}", a.to_str().unwrap_or("?")),
                None => "this endpoint does not take this method".to_string(),
            },
        );
        if let Some(a) = allow {
            problem = problem.header(axum::http::header::ALLOW, a);
        }
        return problem.into_response();
    }
    response
}

async fn status_list(
    State(app): State<Arc<App>>,
    axum::extract::Path(number): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(n) = number.parse::<i64>() else {
        return not_found(&format!("/status/{number}"));
    };
    match app.publisher.status_list(n).await {
        Ok(Some(p)) => p.respond(&headers),
        Ok(None) => not_found(&format!("/status/{number}")),
        Err(p) => p.into_response(),
    }
}

async fn health(State(app): State<Arc<App>>) -> Response {
    match app.store.ping().await {
        Ok(()) => problem::json_response(StatusCode::OK, &serde_json::json!({"status": "ok"})),
        Err(e) => Problem::from(e).into_response(),
    }
}

fn not_found(path: &str) -> Response {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        format!("nothing is published at `{path}`"),
    )
    .into_response()
}

async fn published_document(
    State(app): State<Arc<App>>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("no endpoint {method} {}", uri.path()),
        )
        .into_response();
    }
    match app.publisher.document(uri.path()) {
        Some(doc) => doc.respond(&headers),
        None => not_found(uri.path()),
    }
}

/// Runs the server until interrupted (its own multi-threaded runtime). Prints
/// `listening on URL` once ready.
pub fn run(config: ServerConfig) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot start the runtime: {e}")))?;
    runtime.block_on(serve(config))
}

/// Serves until interrupted (SIGINT / SIGTERM).
pub async fn serve(config: ServerConfig) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot listen on {}: {e}", config.listen),
            )
        })?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
    let acceptor = match &config.tls {
        Tls::None => None,
        Tls::Files { cert, key } => Some(tls::from_files(cert, key)?),
        Tls::SelfSigned => {
            let (c, pem) = tls::self_signed(&[])?;
            let fingerprint = {
                use sha2::Digest;
                hex::encode(sha2::Sha256::digest(pem.as_bytes()))
            };
            eprintln!("openbadges serve: self-signed certificate (sha256 of PEM {fingerprint})");
            Some(c)
        }
    }
    .map(tokio_rustls::TlsAcceptor::from);
    let app = app(&config, &local).await?;
    let scheme = if acceptor.is_some() { "https" } else { "http" };
    println!(
        "openbadges serve: issuer {} publishing under {}; listening on {scheme}://{local}",
        app.issuer.id(),
        app.base
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let router = router(app);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = &mut shutdown => return Ok(()),
        };
        let (stream, _) = match accepted {
            Ok(s) => s,
            Err(e) => {
                // Out of descriptors and the like: back off instead of spinning.
                eprintln!("openbadges serve: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            match acceptor {
                Some(acceptor) => {
                    if let Ok(Ok(tls)) =
                        tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(stream)).await
                    {
                        serve_connection(TokioIo::new(tls), router).await;
                    }
                }
                None => serve_connection(TokioIo::new(stream), router).await,
            }
        });
    }
}

async fn serve_connection<I>(io: I, router: Router)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper_util::service::TowerToHyperService::new(router);
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true)
        .serve_connection(io, service)
        .await;
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::select! {
                _ = ctrl_c => {},
                _ = term.recv() => {},
            }
            return;
        }
    }
    let _ = ctrl_c.await;
}

/// Creates an API token with `scopes` in the database `db` (default [`default_db`] of
/// `issuer_dir`) and returns it: it is shown only this once (only its sha256 is stored).
pub fn create_token(issuer_dir: &Path, db: Option<&str>, scopes: &[auth::Scope]) -> Result<String> {
    if scopes.is_empty() {
        return Err(Error::new(ErrorKind::Usage, "give at least one --scope"));
    }
    IssuerDir::open(issuer_dir)?;
    let db = db
        .map(String::from)
        .unwrap_or_else(|| default_db(issuer_dir));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
    runtime.block_on(async {
        let store = Store::open(&db).await.map_err(store_error)?;
        let (token, hash) = auth::new_token();
        let names: Vec<&str> = scopes.iter().map(auth::Scope::as_str).collect();
        store
            .add_token(&hash, &names.join(" "))
            .await
            .map_err(store_error)?;
        Ok(token)
    })
}

/// Creates (or replaces) the login secret of the resource owner `subject` (a DID or URL, or an
/// e-mail address) in the database `db` (default [`default_db`] of `issuer_dir`) and returns
/// it: it is shown only this once (only its sha256 is stored). The owner signs in with it on
/// the OAuth consent page ([`oauth`]); tokens from that flow see only the owner's credentials.
pub fn create_owner(issuer_dir: &Path, db: Option<&str>, subject: &str) -> Result<String> {
    let owner = oauth::owner_key(subject).ok_or_else(|| {
        Error::new(
            ErrorKind::Usage,
            format!("--subject `{subject}`: expected an e-mail address or an ID (a DID or URL)"),
        )
    })?;
    IssuerDir::open(issuer_dir)?;
    let db = db
        .map(String::from)
        .unwrap_or_else(|| default_db(issuer_dir));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
    runtime.block_on(async {
        let store = Store::open(&db).await.map_err(store_error)?;
        let secret = oauth::new_secret("obo_");
        store
            .put_owner(&owner, &auth::token_hash(&secret))
            .await
            .map_err(store_error)?;
        Ok(secret)
    })
}
