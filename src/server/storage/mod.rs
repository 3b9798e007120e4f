//! Storage for `openbadges serve`: one schema for SQLite (embedded, the default) and PostgreSQL
//! (any number of `serve` processes sharing state).
//!
//! Tables: issued-credential records, status lists and their entries, API tokens (sha256 only),
//! idempotency keys. Migrations are versioned, forward only, and run at start
//! ([`MIGRATIONS`]). A status index is unique per list by a primary key, and allocation runs in a
//! transaction that locks the list's row, retried on conflict, so processes sharing PostgreSQL
//! never hand out one index twice.

mod postgres;
mod sqlite;

use std::path::Path;

use serde_json::Value;

/// Forward-only migrations, in order; `schema_migrations` records which ran. The same SQL runs on
/// SQLite and PostgreSQL.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE status_lists (
        number BIGINT PRIMARY KEY,
        purpose TEXT NOT NULL,
        url TEXT NOT NULL UNIQUE,
        size BIGINT NOT NULL,
        allocated BIGINT NOT NULL DEFAULT 0,
        version BIGINT NOT NULL DEFAULT 0,
        signed_version BIGINT,
        signed_document TEXT,
        signed_valid_until TEXT,
        created TEXT NOT NULL
    );
    CREATE TABLE status_entries (
        list_number BIGINT NOT NULL REFERENCES status_lists(number),
        idx BIGINT NOT NULL,
        credential_id TEXT NOT NULL,
        purpose TEXT NOT NULL,
        status BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (list_number, idx),
        UNIQUE (credential_id, purpose)
    );
    CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        subject TEXT,
        achievement TEXT,
        status_list BIGINT,
        status_index BIGINT,
        format TEXT NOT NULL,
        digest TEXT NOT NULL,
        document TEXT NOT NULL,
        request_digest TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE idempotency_keys (
        key TEXT PRIMARY KEY,
        request_digest TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE api_tokens (
        hash TEXT PRIMARY KEY,
        scopes TEXT NOT NULL,
        created TEXT NOT NULL
    );",
    ),
    (
        2,
        "CREATE TABLE hosted_credentials (
        id TEXT PRIMARY KEY,
        subject TEXT,
        format TEXT NOT NULL,
        digest TEXT NOT NULL,
        document TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE profiles (
        name TEXT PRIMARY KEY,
        document TEXT NOT NULL,
        updated TEXT NOT NULL
    );",
    ),
    (
        3,
        // OAuth 2.0 (see `server::oauth`): resource owners, registered clients, authorization
        // codes, refresh tokens; access tokens stay in `api_tokens`, now optionally bound to an
        // owner, a client, an expiry and the grant (code) they came from.
        "CREATE TABLE oauth_owners (
        subject TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE oauth_clients (
        client_id TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        metadata TEXT NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE oauth_codes (
        hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        redirect_given BIGINT NOT NULL,
        scope TEXT NOT NULL,
        challenge TEXT NOT NULL,
        expires BIGINT NOT NULL,
        used BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE oauth_refresh_tokens (
        hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        scope TEXT NOT NULL,
        grant_id TEXT NOT NULL,
        expires BIGINT NOT NULL,
        used BIGINT NOT NULL DEFAULT 0,
        created TEXT NOT NULL
    );
    CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (grant_id);
    ALTER TABLE api_tokens ADD COLUMN owner TEXT;
    ALTER TABLE api_tokens ADD COLUMN client_id TEXT;
    ALTER TABLE api_tokens ADD COLUMN expires BIGINT;
    ALTER TABLE api_tokens ADD COLUMN grant_id TEXT;
    CREATE INDEX api_tokens_grant ON api_tokens (grant_id);",
    ),
];

/// What the OB API lists: credentials issued here and credentials received, with the time they
/// last changed.
pub(crate) const OB_UNION: &str = "SELECT id, format, document, created AS changed FROM credentials UNION ALL SELECT id, format, document, updated AS changed FROM hosted_credentials";

/// Why a storage operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The database cannot be reached right now (HTTP 503; retry).
    Unavailable(String),
    /// Anything else (HTTP 500).
    Other(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(m) => write!(f, "database unavailable: {m}"),
            StoreError::Other(m) => write!(f, "database error: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Result of a storage operation.
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// A status index reserved for a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// The list's number (its URL ends in `/status/{number}`).
    pub list: i64,
    /// The list's URL.
    pub url: String,
    /// The index in the list.
    pub index: i64,
}

/// An issued credential as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRecord {
    /// The credential id.
    pub id: String,
    /// `credentialSubject.id`, when it has one.
    pub subject: Option<String>,
    /// The achievement id, when it has one.
    pub achievement: Option<String>,
    /// The status list number, when it has a status entry.
    pub status_list: Option<i64>,
    /// The status index, when it has a status entry.
    pub status_index: Option<i64>,
    /// `ldp` (a JSON document with an embedded proof) or `jwt` (a compact JWS).
    pub format: String,
    /// sha256 (hex) of `document`.
    pub digest: String,
    /// The credential as returned: JSON text, or the compact JWS.
    pub document: String,
    /// sha256 (hex) of the canonical request, to recognise a retry.
    pub request_digest: String,
    /// When it was recorded (RFC 3339).
    pub created: String,
}

/// A credential received through the OB API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedCredential {
    /// Its id (or `urn:sha256:` of its text when it has none).
    pub id: String,
    /// `credentialSubject.id`, when it has one.
    pub subject: Option<String>,
    /// `ldp` or `jwt`.
    pub format: String,
    /// sha256 (hex) of `document`.
    pub digest: String,
    /// The credential exactly as received.
    pub document: String,
}

/// What recording an issued credential did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Recorded now.
    Inserted,
    /// A record with this id (or idempotency key) was already there: this one.
    Existing(Box<IssuedRecord>),
}

/// What an API token allows: its scopes, and for a token made by the OAuth flow, the resource
/// owner it acts for, the client it was issued to and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// Space-separated scopes.
    pub scopes: String,
    /// The resource owner (an ID or e-mail address); `None` for an operator's token.
    pub owner: Option<String>,
    /// The OAuth client it was issued to.
    pub client_id: Option<String>,
    /// Unix seconds after which it is no longer accepted; `None`: never expires.
    pub expires: Option<i64>,
}

/// A registered OAuth client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRecord {
    /// `client_id`.
    pub client_id: String,
    /// sha256 (hex) of `client_secret`.
    pub secret_hash: String,
    /// The registered metadata (JSON object text).
    pub metadata: String,
}

/// An authorization code as issued (stored by its sha256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCode {
    /// sha256 (hex) of the code; also the id of the grant its tokens belong to.
    pub hash: String,
    /// The client it was issued to.
    pub client_id: String,
    /// The resource owner who approved it.
    pub owner: String,
    /// The redirect URI it was sent to.
    pub redirect_uri: String,
    /// Whether the authorization request named `redirect_uri` (then the token request must).
    pub redirect_given: bool,
    /// Approved scopes, space-separated.
    pub scope: String,
    /// The PKCE S256 `code_challenge`.
    pub challenge: String,
    /// Unix seconds after which it cannot be exchanged.
    pub expires: i64,
}

/// What presenting an authorization code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeUse {
    /// No such code.
    Unknown,
    /// The code was already exchanged; the tokens it produced are now revoked.
    Replayed,
    /// First use (now marked used).
    Fresh(AuthCode),
}

/// A refresh token as stored (by its sha256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    /// sha256 (hex).
    pub hash: String,
    /// The client it was issued to.
    pub client_id: String,
    /// The resource owner.
    pub owner: String,
    /// Scopes, space-separated.
    pub scope: String,
    /// The grant (first authorization code's hash) the token family belongs to.
    pub grant_id: String,
    /// Unix seconds after which it is refused.
    pub expires: i64,
    /// Already exchanged (rotation).
    pub used: bool,
}

/// Tokens to record together (one transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTokens {
    /// sha256 (hex) of the access token.
    pub access_hash: String,
    /// Its expiry (unix seconds).
    pub access_expires: i64,
    /// sha256 (hex) of the refresh token, when the client may refresh.
    pub refresh_hash: Option<String>,
    /// Its expiry (unix seconds).
    pub refresh_expires: i64,
    /// The client.
    pub client_id: String,
    /// The resource owner.
    pub owner: String,
    /// Scopes, space-separated.
    pub scope: String,
    /// The grant they belong to.
    pub grant_id: String,
}

/// Which kind of OAuth token a hash names, with its client and grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FoundToken {
    /// An access token (`client_id` is `None` for an operator's token).
    Access {
        /// The client it was issued to.
        client_id: Option<String>,
        /// Its grant.
        grant_id: Option<String>,
    },
    /// A refresh token.
    Refresh {
        /// The client it was issued to.
        client_id: String,
        /// Its grant.
        grant_id: String,
    },
}

/// What a status change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    /// No credential with this id was issued here.
    UnknownCredential,
    /// The credential has no entry for this purpose.
    NoEntry,
    /// A revoked credential cannot be reinstated.
    Final,
    /// The bit was already so.
    Unchanged(Allocation),
    /// The bit changed; the list's version moved on.
    Changed(Allocation),
}

/// A status list's state, for publishing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListState {
    /// Its number.
    pub number: i64,
    /// `revocation` or `suspension`.
    pub purpose: String,
    /// Its URL.
    pub url: String,
    /// Entries.
    pub size: i64,
    /// Bumped on every change of a bit.
    pub version: i64,
    /// The last signed document, with the version it reflects and its `validUntil`.
    pub signed: Option<(i64, String, String)>,
}

/// The storage behind a server: SQLite or PostgreSQL.
#[derive(Clone)]
pub enum Store {
    /// An embedded SQLite file.
    Sqlite(sqlite::SqliteStore),
    /// A PostgreSQL server (a pool of connections).
    Postgres(postgres::PgStore),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Store::Sqlite(_) => f.write_str("Store::Sqlite"),
            Store::Postgres(_) => f.write_str("Store::Postgres"),
        }
    }
}

macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self {
            Store::Sqlite(s) => s.$method($($arg),*).await,
            Store::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

impl Store {
    /// Opens `db` (`sqlite:PATH` or `postgres://…`) and runs the migrations not yet applied.
    pub async fn open(db: &str) -> StoreResult<Store> {
        if let Some(path) = db.strip_prefix("sqlite:") {
            let s = sqlite::SqliteStore::open(Path::new(path)).await?;
            Ok(Store::Sqlite(s))
        } else if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            let s = postgres::PgStore::open(db).await?;
            Ok(Store::Postgres(s))
        } else {
            Err(StoreError::Other(format!(
                "--db `{db}`: expected sqlite:PATH or postgres://…"
            )))
        }
    }

    /// Records an API token by its sha256 (hex) with its scopes (space-separated).
    pub async fn add_token(&self, hash: &str, scopes: &str) -> StoreResult<()> {
        dispatch!(self.add_token(hash, scopes))
    }

    /// What the API token with this sha256 allows, if it exists.
    pub async fn token_grant(&self, hash: &str) -> StoreResult<Option<TokenGrant>> {
        dispatch!(self.token_grant(hash))
    }

    /// Records (or replaces) the login secret's sha256 of the resource owner `subject`.
    pub async fn put_owner(&self, subject: &str, secret_hash: &str) -> StoreResult<()> {
        dispatch!(self.put_owner(subject, secret_hash))
    }

    /// The login secret's sha256 of the resource owner `subject`.
    pub async fn owner_secret(&self, subject: &str) -> StoreResult<Option<String>> {
        dispatch!(self.owner_secret(subject))
    }

    /// Records a registered client.
    pub async fn add_client(&self, client: &ClientRecord) -> StoreResult<()> {
        dispatch!(self.add_client(client))
    }

    /// The registered client `client_id`.
    pub async fn client(&self, client_id: &str) -> StoreResult<Option<ClientRecord>> {
        dispatch!(self.client(client_id))
    }

    /// Records an authorization code.
    pub async fn add_code(&self, code: &AuthCode) -> StoreResult<()> {
        dispatch!(self.add_code(code))
    }

    /// Uses the code with this sha256 once, atomically: the first use gets it, a later use
    /// revokes every token of its grant.
    pub async fn take_code(&self, hash: &str) -> StoreResult<CodeUse> {
        dispatch!(self.take_code(hash))
    }

    /// Records an access token (and a refresh token) of one grant.
    pub async fn add_oauth_tokens(&self, tokens: &NewTokens) -> StoreResult<()> {
        dispatch!(self.add_oauth_tokens(tokens))
    }

    /// The refresh token with this sha256.
    pub async fn refresh_record(&self, hash: &str) -> StoreResult<Option<RefreshRecord>> {
        dispatch!(self.refresh_record(hash))
    }

    /// Marks the refresh token used; `false` when it already was (a replay).
    pub async fn consume_refresh(&self, hash: &str) -> StoreResult<bool> {
        dispatch!(self.consume_refresh(hash))
    }

    /// Revokes every access and refresh token of the grant.
    pub async fn revoke_grant(&self, grant_id: &str) -> StoreResult<()> {
        dispatch!(self.revoke_grant(grant_id))
    }

    /// Finds the access or refresh token with this sha256.
    pub async fn find_token(&self, hash: &str) -> StoreResult<Option<FoundToken>> {
        dispatch!(self.find_token(hash))
    }

    /// Deletes the access token with this sha256.
    pub async fn delete_access_token(&self, hash: &str) -> StoreResult<()> {
        dispatch!(self.delete_access_token(hash))
    }

    /// Reserves a status index for `credential_id` on a `purpose` list (creating lists at
    /// `{base}/status/{n}` as needed). The same credential id always gets the same entry.
    pub async fn reserve_index(
        &self,
        credential_id: &str,
        purpose: &str,
        base: &str,
    ) -> StoreResult<Allocation> {
        dispatch!(self.reserve_index(credential_id, purpose, base))
    }

    /// The record of the credential `id`, if issued here.
    pub async fn find_issued(&self, id: &str) -> StoreResult<Option<IssuedRecord>> {
        dispatch!(self.find_issued(id))
    }

    /// Records an issued credential (and its idempotency key) in one transaction; a record
    /// already there for the id or key is returned instead.
    pub async fn record_issued(
        &self,
        record: &IssuedRecord,
        idempotency_key: Option<&str>,
    ) -> StoreResult<Recorded> {
        dispatch!(self.record_issued(record, idempotency_key))
    }

    /// Sets (`true`) or clears the `purpose` bit of an issued credential.
    pub async fn set_status(
        &self,
        credential_id: &str,
        purpose: &str,
        value: bool,
    ) -> StoreResult<StatusChange> {
        dispatch!(self.set_status(credential_id, purpose, value))
    }

    /// A status list's state, if it exists.
    pub async fn list_state(&self, number: i64) -> StoreResult<Option<ListState>> {
        dispatch!(self.list_state(number))
    }

    /// The indexes whose bit is set on list `number`.
    pub async fn set_indexes(&self, number: i64) -> StoreResult<Vec<i64>> {
        dispatch!(self.set_indexes(number))
    }

    /// Saves the signed document of list `number` for `version`, unless a newer one is saved.
    pub async fn save_signed_list(
        &self,
        number: i64,
        version: i64,
        document: &str,
        valid_until: &str,
    ) -> StoreResult<()> {
        dispatch!(self.save_signed_list(number, version, document, valid_until))
    }

    /// Every issued record, in creation order (`offset`, at most `limit`).
    pub async fn issued_records(&self, offset: i64, limit: i64) -> StoreResult<Vec<IssuedRecord>> {
        dispatch!(self.issued_records(offset, limit))
    }

    /// Stores a credential received through the OB API (replacing one with the same id);
    /// `true` when it is new.
    pub async fn upsert_hosted(&self, credential: &HostedCredential) -> StoreResult<bool> {
        dispatch!(self.upsert_hosted(credential))
    }

    /// The credentials the OB API serves (issued here and received), oldest first, changed at or
    /// after `since` (RFC 3339 in UTC with milliseconds; `""` for all): a page, and the total.
    pub async fn ob_credentials(
        &self,
        since: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(String, String)>, i64)> {
        dispatch!(self.ob_credentials(since, offset, limit))
    }

    /// The profile stored under `name`.
    pub async fn profile(&self, name: &str) -> StoreResult<Option<String>> {
        dispatch!(self.profile(name))
    }

    /// Stores the profile under `name`; `true` when it is new.
    pub async fn put_profile(&self, name: &str, document: &str) -> StoreResult<bool> {
        dispatch!(self.put_profile(name, document))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        dispatch!(self.ping())
    }
}

/// The record fields of an issued credential document.
pub fn record_fields(doc: &Value) -> (Option<String>, Option<String>) {
    let subject = match doc.get("credentialSubject") {
        Some(Value::Array(a)) => a.first(),
        other => other,
    };
    let id = subject
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str)
        .map(String::from);
    let achievement = subject
        .and_then(|s| s.get("achievement"))
        .and_then(|a| a.get("id"))
        .and_then(Value::as_str)
        .map(String::from);
    (id, achievement)
}

/// The current time, RFC 3339 with milliseconds.
pub(crate) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A random index below `size`.
pub(crate) fn random_index(size: i64) -> i64 {
    use rand_core::{OsRng, RngCore};
    (OsRng.next_u64() % size.max(1) as u64) as i64
}
