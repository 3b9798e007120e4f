//! The PostgreSQL store: a pool of connections; every write is one transaction, retried on
//! serialization failures, deadlocks and unique-key races. Allocation locks the open list's row
//! (`FOR UPDATE`), so any number of processes hand out distinct indexes.

use std::time::Duration;

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::{NoTls, Row};

use super::{
    now_text, random_index, Allocation, AuthCode, ClientRecord, CodeUse, FoundToken,
    HostedCredential, IssuedRecord, ListState, NewTokens, Recorded, RefreshRecord, StatusChange,
    StoreError, StoreResult, TokenGrant, MIGRATIONS, OB_UNION,
};
use crate::status::MIN_BITS;

/// A PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
}

enum PgErr {
    Pool(deadpool_postgres::PoolError),
    Pg(tokio_postgres::Error),
}

impl From<deadpool_postgres::PoolError> for PgErr {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        PgErr::Pool(e)
    }
}

impl From<tokio_postgres::Error> for PgErr {
    fn from(e: tokio_postgres::Error) -> Self {
        PgErr::Pg(e)
    }
}

impl PgErr {
    fn retryable(&self) -> bool {
        match self {
            PgErr::Pg(e) => matches!(
                e.code(),
                Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED
                    || *c == SqlState::UNIQUE_VIOLATION
            ),
            PgErr::Pool(_) => false,
        }
    }

    fn into_store(self) -> StoreError {
        match self {
            PgErr::Pool(e) => StoreError::Unavailable(e.to_string()),
            PgErr::Pg(e) if e.code().is_none() || e.is_closed() => {
                StoreError::Unavailable(e.to_string())
            }
            PgErr::Pg(e) => match e.code() {
                Some(c)
                    if *c == SqlState::ADMIN_SHUTDOWN
                        || *c == SqlState::CRASH_SHUTDOWN
                        || *c == SqlState::CANNOT_CONNECT_NOW
                        || c.code().starts_with("08") =>
                {
                    StoreError::Unavailable(e.to_string())
                }
                _ => StoreError::Other(e.to_string()),
            },
        }
    }
}

const ATTEMPTS: usize = 50;

macro_rules! retrying {
    ($e:expr) => {{
        let mut attempt = 0;
        loop {
            attempt += 1;
            match $e.await {
                Err(e) if e.retryable() && attempt < ATTEMPTS => {
                    tokio::time::sleep(Duration::from_millis(attempt as u64)).await;
                    continue;
                }
                other => break other.map_err(PgErr::into_store),
            }
        }
    }};
}

const RECORD_COLUMNS: &str = "id, subject, achievement, status_list, status_index, format, digest, document, request_digest, created";

fn record_from_row(r: &Row) -> IssuedRecord {
    IssuedRecord {
        id: r.get(0),
        subject: r.get(1),
        achievement: r.get(2),
        status_list: r.get(3),
        status_index: r.get(4),
        format: r.get(5),
        digest: r.get(6),
        document: r.get(7),
        request_digest: r.get(8),
        created: r.get(9),
    }
}

async fn find(c: &impl GenericClient, id: &str) -> Result<Option<IssuedRecord>, PgErr> {
    Ok(c.query_opt(
        &format!("SELECT {RECORD_COLUMNS} FROM credentials WHERE id = $1"),
        &[&id],
    )
    .await?
    .map(|r| record_from_row(&r)))
}

async fn entry_of(
    c: &impl GenericClient,
    id: &str,
    purpose: &str,
) -> Result<Option<(Allocation, i64)>, PgErr> {
    Ok(c.query_opt(
        "SELECT e.list_number, l.url, e.idx, e.status FROM status_entries e JOIN status_lists l ON l.number = e.list_number WHERE e.credential_id = $1 AND e.purpose = $2",
        &[&id, &purpose],
    )
    .await?
    .map(|r| {
        (
            Allocation {
                list: r.get(0),
                url: r.get(1),
                index: r.get(2),
            },
            r.get(3),
        )
    }))
}

/// Deletes every access and refresh token of a grant.
async fn revoke_grant_in(c: &impl GenericClient, grant: &str) -> Result<(), PgErr> {
    c.execute("DELETE FROM api_tokens WHERE grant_id = $1", &[&grant])
        .await?;
    c.execute(
        "DELETE FROM oauth_refresh_tokens WHERE grant_id = $1",
        &[&grant],
    )
    .await?;
    Ok(())
}

impl PgStore {
    /// Connects to `url` and migrates (under an advisory lock, so processes starting together
    /// migrate once).
    pub async fn open(url: &str) -> StoreResult<Self> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Other(format!("--db: {e}")))?;
        config.connect_timeout(Duration::from_secs(5));
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Verified,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(5)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let store = PgStore { pool };
        retrying!(store.migrate())?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), PgErr> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock(4242424201)", &[])
            .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied TEXT NOT NULL)",
        )
        .await?;
        let current: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
                &[],
            )
            .await?
            .get(0);
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied) VALUES ($1, $2)",
                &[version, &now_text()],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn add_token(&self, hash: &str, scopes: &str) -> StoreResult<()> {
        let run = async {
            let c = self.pool.get().await?;
            c.execute(
                "INSERT INTO api_tokens (hash, scopes, created) VALUES ($1, $2, $3)",
                &[&hash, &scopes, &now_text()],
            )
            .await?;
            Ok::<_, PgErr>(())
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn token_grant(&self, hash: &str) -> StoreResult<Option<TokenGrant>> {
        let run = async {
            let c = self.pool.get().await?;
            Ok::<_, PgErr>(
                c.query_opt(
                    "SELECT scopes, owner, client_id, expires FROM api_tokens WHERE hash = $1",
                    &[&hash],
                )
                .await?
                .map(|r| TokenGrant {
                    scopes: r.get(0),
                    owner: r.get(1),
                    client_id: r.get(2),
                    expires: r.get(3),
                }),
            )
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn put_owner(&self, subject: &str, secret_hash: &str) -> StoreResult<()> {
        let run = async {
            let c = self.pool.get().await?;
            c.execute(
                "INSERT INTO oauth_owners (subject, secret_hash, created) VALUES ($1, $2, $3)
                 ON CONFLICT (subject) DO UPDATE SET secret_hash = excluded.secret_hash, created = excluded.created",
                &[&subject, &secret_hash, &now_text()],
            )
            .await?;
            Ok::<_, PgErr>(())
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn owner_secret(&self, subject: &str) -> StoreResult<Option<String>> {
        let run = async {
            let c = self.pool.get().await?;
            Ok::<_, PgErr>(
                c.query_opt(
                    "SELECT secret_hash FROM oauth_owners WHERE subject = $1",
                    &[&subject],
                )
                .await?
                .map(|r| r.get(0)),
            )
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn add_client(&self, cl: &ClientRecord) -> StoreResult<()> {
        let run = async {
            let c = self.pool.get().await?;
            c.execute(
                "INSERT INTO oauth_clients (client_id, secret_hash, metadata, created) VALUES ($1, $2, $3, $4)",
                &[&cl.client_id, &cl.secret_hash, &cl.metadata, &now_text()],
            )
            .await?;
            Ok::<_, PgErr>(())
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn client(&self, client_id: &str) -> StoreResult<Option<ClientRecord>> {
        let run = async {
            let c = self.pool.get().await?;
            Ok::<_, PgErr>(
                c.query_opt(
                    "SELECT client_id, secret_hash, metadata FROM oauth_clients WHERE client_id = $1",
                    &[&client_id],
                )
                .await?
                .map(|r| ClientRecord {
                    client_id: r.get(0),
                    secret_hash: r.get(1),
                    metadata: r.get(2),
                }),
            )
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn add_code(&self, a: &AuthCode) -> StoreResult<()> {
        let run = async {
            let c = self.pool.get().await?;
            c.execute(
                "INSERT INTO oauth_codes (hash, client_id, owner, redirect_uri, redirect_given, scope, challenge, expires) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&a.hash, &a.client_id, &a.owner, &a.redirect_uri, &i64::from(a.redirect_given), &a.scope, &a.challenge, &a.expires],
            )
            .await?;
            Ok::<_, PgErr>(())
        };
        run.await.map_err(PgErr::into_store)
    }

    async fn try_take_code(&self, hash: &str) -> Result<CodeUse, PgErr> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        let found = tx
            .query_opt(
                "SELECT hash, client_id, owner, redirect_uri, redirect_given, scope, challenge, expires, used FROM oauth_codes WHERE hash = $1 FOR UPDATE",
                &[&hash],
            )
            .await?;
        let outcome = match found {
            None => CodeUse::Unknown,
            Some(r) if r.get::<_, i64>(8) != 0 => {
                revoke_grant_in(&tx, hash).await?;
                CodeUse::Replayed
            }
            Some(r) => {
                tx.execute("UPDATE oauth_codes SET used = 1 WHERE hash = $1", &[&hash])
                    .await?;
                CodeUse::Fresh(AuthCode {
                    hash: r.get(0),
                    client_id: r.get(1),
                    owner: r.get(2),
                    redirect_uri: r.get(3),
                    redirect_given: r.get::<_, i64>(4) != 0,
                    scope: r.get(5),
                    challenge: r.get(6),
                    expires: r.get(7),
                })
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    pub(super) async fn take_code(&self, hash: &str) -> StoreResult<CodeUse> {
        retrying!(self.try_take_code(hash))
    }

    async fn try_add_oauth_tokens(&self, t: &NewTokens) -> Result<(), PgErr> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        let now = now_text();
        tx.execute(
            "INSERT INTO api_tokens (hash, scopes, created, owner, client_id, expires, grant_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&t.access_hash, &t.scope, &now, &t.owner, &t.client_id, &t.access_expires, &t.grant_id],
        )
        .await?;
        if let Some(refresh) = &t.refresh_hash {
            tx.execute(
                "INSERT INTO oauth_refresh_tokens (hash, client_id, owner, scope, grant_id, expires, created) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[refresh, &t.client_id, &t.owner, &t.scope, &t.grant_id, &t.refresh_expires, &now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn add_oauth_tokens(&self, t: &NewTokens) -> StoreResult<()> {
        self.try_add_oauth_tokens(t)
            .await
            .map_err(PgErr::into_store)
    }

    pub(super) async fn refresh_record(&self, hash: &str) -> StoreResult<Option<RefreshRecord>> {
        let run = async {
            let c = self.pool.get().await?;
            Ok::<_, PgErr>(
                c.query_opt(
                    "SELECT hash, client_id, owner, scope, grant_id, expires, used FROM oauth_refresh_tokens WHERE hash = $1",
                    &[&hash],
                )
                .await?
                .map(|r| RefreshRecord {
                    hash: r.get(0),
                    client_id: r.get(1),
                    owner: r.get(2),
                    scope: r.get(3),
                    grant_id: r.get(4),
                    expires: r.get(5),
                    used: r.get::<_, i64>(6) != 0,
                }),
            )
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn consume_refresh(&self, hash: &str) -> StoreResult<bool> {
        let run = async {
            let c = self.pool.get().await?;
            Ok::<_, PgErr>(
                c.execute(
                    "UPDATE oauth_refresh_tokens SET used = 1 WHERE hash = $1 AND used = 0",
                    &[&hash],
                )
                .await?
                    == 1,
            )
        };
        run.await.map_err(PgErr::into_store)
    }

    async fn try_revoke_grant(&self, grant: &str) -> Result<(), PgErr> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        revoke_grant_in(&tx, grant).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn revoke_grant(&self, grant_id: &str) -> StoreResult<()> {
        retrying!(self.try_revoke_grant(grant_id))
    }

    pub(super) async fn find_token(&self, hash: &str) -> StoreResult<Option<FoundToken>> {
        let run = async {
            let c = self.pool.get().await?;
            if let Some(r) = c
                .query_opt(
                    "SELECT client_id, grant_id FROM api_tokens WHERE hash = $1",
                    &[&hash],
                )
                .await?
            {
                return Ok::<_, PgErr>(Some(FoundToken::Access {
                    client_id: r.get(0),
                    grant_id: r.get(1),
                }));
            }
            Ok(c.query_opt(
                "SELECT client_id, grant_id FROM oauth_refresh_tokens WHERE hash = $1",
                &[&hash],
            )
            .await?
            .map(|r| FoundToken::Refresh {
                client_id: r.get(0),
                grant_id: r.get(1),
            }))
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn delete_access_token(&self, hash: &str) -> StoreResult<()> {
        let run = async {
            let c = self.pool.get().await?;
            c.execute("DELETE FROM api_tokens WHERE hash = $1", &[&hash])
                .await?;
            Ok::<_, PgErr>(())
        };
        run.await.map_err(PgErr::into_store)
    }

    async fn try_reserve(&self, id: &str, purpose: &str, base: &str) -> Result<Allocation, PgErr> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        if let Some((a, _)) = entry_of(&tx, id, purpose).await? {
            tx.commit().await?;
            return Ok(a);
        }
        let open = tx
            .query_opt(
                "SELECT number, url, size FROM status_lists WHERE purpose = $1 AND allocated < size ORDER BY number LIMIT 1 FOR UPDATE",
                &[&purpose],
            )
            .await?;
        let (number, url, size): (i64, String, i64) = match open {
            Some(r) => (r.get(0), r.get(1), r.get(2)),
            None => {
                let number: i64 = tx
                    .query_one(
                        "SELECT (COALESCE(MAX(number), 0) + 1)::BIGINT FROM status_lists",
                        &[],
                    )
                    .await?
                    .get(0);
                let url = format!("{base}/status/{number}");
                // A concurrent process creating the same list fails on the primary key and retries.
                tx.execute(
                    "INSERT INTO status_lists (number, purpose, url, size, created) VALUES ($1, $2, $3, $4, $5)",
                    &[&number, &purpose, &url, &(MIN_BITS as i64), &now_text()],
                )
                .await?;
                (number, url, MIN_BITS as i64)
            }
        };
        // The list row is locked: a concurrent request for the same credential has committed or
        // waits; look again.
        if let Some((a, _)) = entry_of(&tx, id, purpose).await? {
            tx.commit().await?;
            return Ok(a);
        }
        let index = loop {
            let i = random_index(size);
            let n = tx
                .execute(
                    "INSERT INTO status_entries (list_number, idx, credential_id, purpose) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    &[&number, &i, &id, &purpose],
                )
                .await?;
            if n == 1 {
                break i;
            }
            if let Some((a, _)) = entry_of(&tx, id, purpose).await? {
                tx.commit().await?;
                return Ok(a);
            }
        };
        tx.execute(
            "UPDATE status_lists SET allocated = allocated + 1 WHERE number = $1",
            &[&number],
        )
        .await?;
        tx.commit().await?;
        Ok(Allocation {
            list: number,
            url,
            index,
        })
    }

    pub(super) async fn reserve_index(
        &self,
        credential_id: &str,
        purpose: &str,
        base: &str,
    ) -> StoreResult<Allocation> {
        retrying!(self.try_reserve(credential_id, purpose, base))
    }

    pub(super) async fn find_issued(&self, id: &str) -> StoreResult<Option<IssuedRecord>> {
        let run = async {
            let c = self.pool.get().await?;
            find(&c, id).await
        };
        run.await.map_err(PgErr::into_store)
    }

    async fn try_record(&self, r: &IssuedRecord, key: Option<&str>) -> Result<Recorded, PgErr> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        if let Some(key) = key {
            let known = tx
                .query_opt(
                    "SELECT credential_id FROM idempotency_keys WHERE key = $1",
                    &[&key],
                )
                .await?;
            if let Some(row) = known {
                let id: String = row.get(0);
                if let Some(existing) = find(&tx, &id).await? {
                    tx.commit().await?;
                    return Ok(Recorded::Existing(Box::new(existing)));
                }
            }
        }
        if let Some(existing) = find(&tx, &r.id).await? {
            tx.commit().await?;
            return Ok(Recorded::Existing(Box::new(existing)));
        }
        // A concurrent insert of the same id fails with a unique violation: retried, it then
        // finds the record above.
        tx.execute(
            &format!("INSERT INTO credentials ({RECORD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
            &[&r.id, &r.subject, &r.achievement, &r.status_list, &r.status_index, &r.format, &r.digest, &r.document, &r.request_digest, &r.created],
        )
        .await?;
        if let Some(key) = key {
            tx.execute(
                "INSERT INTO idempotency_keys (key, request_digest, credential_id, created) VALUES ($1, $2, $3, $4)",
                &[&key, &r.request_digest, &r.id, &r.created],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Recorded::Inserted)
    }

    pub(super) async fn record_issued(
        &self,
        record: &IssuedRecord,
        idempotency_key: Option<&str>,
    ) -> StoreResult<Recorded> {
        retrying!(self.try_record(record, idempotency_key))
    }

    async fn try_set_status(
        &self,
        id: &str,
        purpose: &str,
        value: bool,
    ) -> Result<StatusChange, PgErr> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        if find(&tx, id).await?.is_none() {
            return Ok(StatusChange::UnknownCredential);
        }
        let row = tx
            .query_opt(
                "SELECT e.list_number, l.url, e.idx, e.status FROM status_entries e JOIN status_lists l ON l.number = e.list_number WHERE e.credential_id = $1 AND e.purpose = $2 FOR UPDATE OF e",
                &[&id, &purpose],
            )
            .await?;
        let Some(row) = row else {
            return Ok(StatusChange::NoEntry);
        };
        let allocation = Allocation {
            list: row.get(0),
            url: row.get(1),
            index: row.get(2),
        };
        let status: i64 = row.get(3);
        let want = i64::from(value);
        if status == want {
            return Ok(StatusChange::Unchanged(allocation));
        }
        if purpose == "revocation" && !value {
            return Ok(StatusChange::Final);
        }
        tx.execute(
            "UPDATE status_entries SET status = $1 WHERE list_number = $2 AND idx = $3",
            &[&want, &allocation.list, &allocation.index],
        )
        .await?;
        tx.execute(
            "UPDATE status_lists SET version = version + 1 WHERE number = $1",
            &[&allocation.list],
        )
        .await?;
        tx.commit().await?;
        Ok(StatusChange::Changed(allocation))
    }

    pub(super) async fn set_status(
        &self,
        credential_id: &str,
        purpose: &str,
        value: bool,
    ) -> StoreResult<StatusChange> {
        retrying!(self.try_set_status(credential_id, purpose, value))
    }

    pub(super) async fn list_state(&self, number: i64) -> StoreResult<Option<ListState>> {
        let run = async {
            let c = self.pool.get().await?;
            let row = c
                .query_opt(
                    "SELECT number, purpose, url, size, version, signed_version, signed_document, signed_valid_until FROM status_lists WHERE number = $1",
                    &[&number],
                )
                .await?;
            Ok::<_, PgErr>(row.map(|r| {
                let sv: Option<i64> = r.get(5);
                let sd: Option<String> = r.get(6);
                let su: Option<String> = r.get(7);
                ListState {
                    number: r.get(0),
                    purpose: r.get(1),
                    url: r.get(2),
                    size: r.get(3),
                    version: r.get(4),
                    signed: match (sv, sd, su) {
                        (Some(v), Some(d), Some(u)) => Some((v, d, u)),
                        _ => None,
                    },
                }
            }))
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn set_indexes(&self, number: i64) -> StoreResult<Vec<i64>> {
        let run = async {
            let c = self.pool.get().await?;
            let rows = c
                .query(
                    "SELECT idx FROM status_entries WHERE list_number = $1 AND status = 1",
                    &[&number],
                )
                .await?;
            Ok::<_, PgErr>(rows.iter().map(|r| r.get(0)).collect())
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn save_signed_list(
        &self,
        number: i64,
        version: i64,
        document: &str,
        valid_until: &str,
    ) -> StoreResult<()> {
        let run = async {
            let c = self.pool.get().await?;
            c.execute(
                "UPDATE status_lists SET signed_version = $1, signed_document = $2, signed_valid_until = $3 WHERE number = $4 AND version = $1",
                &[&version, &document, &valid_until, &number],
            )
            .await?;
            Ok::<_, PgErr>(())
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn issued_records(
        &self,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<IssuedRecord>> {
        let run = async {
            let c = self.pool.get().await?;
            let rows = c
                .query(
                    &format!("SELECT {RECORD_COLUMNS} FROM credentials ORDER BY created, id LIMIT $1 OFFSET $2"),
                    &[&limit, &offset],
                )
                .await?;
            Ok::<_, PgErr>(rows.iter().map(record_from_row).collect())
        };
        run.await.map_err(PgErr::into_store)
    }

    async fn try_upsert_hosted(&self, h: &HostedCredential) -> Result<bool, PgErr> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        let existed = tx
            .query_opt(
                "SELECT 1 FROM hosted_credentials WHERE id = $1 FOR UPDATE",
                &[&h.id],
            )
            .await?
            .is_some();
        let now = now_text();
        tx.execute(
            "INSERT INTO hosted_credentials (id, subject, format, digest, document, created, updated) VALUES ($1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, format = excluded.format, digest = excluded.digest, document = excluded.document, updated = excluded.updated",
            &[&h.id, &h.subject, &h.format, &h.digest, &h.document, &now],
        )
        .await?;
        tx.commit().await?;
        Ok(!existed)
    }

    pub(super) async fn upsert_hosted(&self, h: &HostedCredential) -> StoreResult<bool> {
        retrying!(self.try_upsert_hosted(h))
    }

    pub(super) async fn ob_credentials(
        &self,
        since: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(String, String)>, i64)> {
        let run = async {
            let c = self.pool.get().await?;
            let total: i64 = c
                .query_one(
                    &format!("SELECT count(*)::BIGINT FROM ({OB_UNION}) AS t WHERE changed >= $1"),
                    &[&since],
                )
                .await?
                .get(0);
            let rows = c
                .query(
                    &format!("SELECT format, document FROM ({OB_UNION}) AS t WHERE changed >= $1 ORDER BY changed, id LIMIT $2 OFFSET $3"),
                    &[&since, &limit, &offset],
                )
                .await?;
            Ok::<_, PgErr>((rows.iter().map(|r| (r.get(0), r.get(1))).collect(), total))
        };
        run.await.map_err(PgErr::into_store)
    }

    pub(super) async fn profile(&self, name: &str) -> StoreResult<Option<String>> {
        let run = async {
            let c = self.pool.get().await?;
            Ok::<_, PgErr>(
                c.query_opt("SELECT document FROM profiles WHERE name = $1", &[&name])
                    .await?
                    .map(|r| r.get(0)),
            )
        };
        run.await.map_err(PgErr::into_store)
    }

    async fn try_put_profile(&self, name: &str, document: &str) -> Result<bool, PgErr> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        let existed = tx
            .query_opt(
                "SELECT 1 FROM profiles WHERE name = $1 FOR UPDATE",
                &[&name],
            )
            .await?
            .is_some();
        tx.execute(
            "INSERT INTO profiles (name, document, updated) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET document = excluded.document, updated = excluded.updated",
            &[&name, &document, &now_text()],
        )
        .await?;
        tx.commit().await?;
        Ok(!existed)
    }

    pub(super) async fn put_profile(&self, name: &str, document: &str) -> StoreResult<bool> {
        retrying!(self.try_put_profile(name, document))
    }

    pub(super) async fn ping(&self) -> StoreResult<()> {
        let run = async {
            let c = self.pool.get().await?;
            c.query_one("SELECT 1", &[]).await?;
            Ok::<_, PgErr>(())
        };
        run.await.map_err(PgErr::into_store)
    }
}
