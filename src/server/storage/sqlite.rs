//! The embedded SQLite store: one connection (WAL, busy timeout) used from blocking threads;
//! every write is one `BEGIN IMMEDIATE` transaction.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{
    now_text, random_index, Allocation, AuthCode, ClientRecord, CodeUse, FoundToken,
    HostedCredential, IssuedRecord, ListState, NewTokens, Recorded, RefreshRecord, StatusChange,
    StoreError, StoreResult, TokenGrant, MIGRATIONS,
};
use crate::status::MIN_BITS;

/// A SQLite database file.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

fn err(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::CannotOpen
            | ErrorCode::SystemIoFailure
            | ErrorCode::DiskFull
            | ErrorCode::ReadOnly,
        ) => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Other(e.to_string()),
    }
}

use super::OB_UNION;

const RECORD_COLUMNS: &str = "id, subject, achievement, status_list, status_index, format, digest, document, request_digest, created";

fn record_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IssuedRecord> {
    Ok(IssuedRecord {
        id: r.get(0)?,
        subject: r.get(1)?,
        achievement: r.get(2)?,
        status_list: r.get(3)?,
        status_index: r.get(4)?,
        format: r.get(5)?,
        digest: r.get(6)?,
        document: r.get(7)?,
        request_digest: r.get(8)?,
        created: r.get(9)?,
    })
}

fn find(conn: &Connection, id: &str) -> rusqlite::Result<Option<IssuedRecord>> {
    conn.query_row(
        &format!("SELECT {RECORD_COLUMNS} FROM credentials WHERE id = ?1"),
        params![id],
        record_from_row,
    )
    .optional()
}

/// Deletes every access and refresh token of a grant.
fn revoke_grant_in(c: &Connection, grant: &str) -> rusqlite::Result<()> {
    c.execute("DELETE FROM api_tokens WHERE grant_id = ?1", params![grant])?;
    c.execute(
        "DELETE FROM oauth_refresh_tokens WHERE grant_id = ?1",
        params![grant],
    )?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating) the file at `path` and migrates it.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let mut conn = Connection::open(&path).map_err(err)?;
            conn.busy_timeout(std::time::Duration::from_secs(5))
                .map_err(err)?;
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(err)?;
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(err)?;
            conn.pragma_update(None, "foreign_keys", "ON")
                .map_err(err)?;
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            tx.execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied TEXT NOT NULL)",
            )
            .map_err(err)?;
            let current: i64 = tx
                .query_row(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    [],
                    |r| r.get(0),
                )
                .map_err(err)?;
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
                tx.execute_batch(sql).map_err(err)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied) VALUES (?1, ?2)",
                    params![version, now_text()],
                )
                .map_err(err)?;
            }
            tx.commit().map_err(err)?;
            Ok(SqliteStore {
                conn: Arc::new(Mutex::new(conn)),
            })
        })
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StoreError::Other("the SQLite connection was poisoned".into()))?;
            f(&mut guard).map_err(err)
        })
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?
    }

    pub(super) async fn add_token(&self, hash: &str, scopes: &str) -> StoreResult<()> {
        let (hash, scopes) = (hash.to_string(), scopes.to_string());
        self.with(move |c| {
            c.execute(
                "INSERT INTO api_tokens (hash, scopes, created) VALUES (?1, ?2, ?3)",
                params![hash, scopes, now_text()],
            )
            .map(|_| ())
        })
        .await
    }

    pub(super) async fn token_grant(&self, hash: &str) -> StoreResult<Option<TokenGrant>> {
        let hash = hash.to_string();
        self.with(move |c| {
            c.query_row(
                "SELECT scopes, owner, client_id, expires FROM api_tokens WHERE hash = ?1",
                params![hash],
                |r| {
                    Ok(TokenGrant {
                        scopes: r.get(0)?,
                        owner: r.get(1)?,
                        client_id: r.get(2)?,
                        expires: r.get(3)?,
                    })
                },
            )
            .optional()
        })
        .await
    }

    pub(super) async fn put_owner(&self, subject: &str, secret_hash: &str) -> StoreResult<()> {
        let (subject, hash) = (subject.to_string(), secret_hash.to_string());
        self.with(move |c| {
            c.execute(
                "INSERT INTO oauth_owners (subject, secret_hash, created) VALUES (?1, ?2, ?3)
                 ON CONFLICT (subject) DO UPDATE SET secret_hash = excluded.secret_hash, created = excluded.created",
                params![subject, hash, now_text()],
            )
            .map(|_| ())
        })
        .await
    }

    pub(super) async fn owner_secret(&self, subject: &str) -> StoreResult<Option<String>> {
        let subject = subject.to_string();
        self.with(move |c| {
            c.query_row(
                "SELECT secret_hash FROM oauth_owners WHERE subject = ?1",
                params![subject],
                |r| r.get(0),
            )
            .optional()
        })
        .await
    }

    pub(super) async fn add_client(&self, client: &ClientRecord) -> StoreResult<()> {
        let cl = client.clone();
        self.with(move |c| {
            c.execute(
                "INSERT INTO oauth_clients (client_id, secret_hash, metadata, created) VALUES (?1, ?2, ?3, ?4)",
                params![cl.client_id, cl.secret_hash, cl.metadata, now_text()],
            )
            .map(|_| ())
        })
        .await
    }

    pub(super) async fn client(&self, client_id: &str) -> StoreResult<Option<ClientRecord>> {
        let id = client_id.to_string();
        self.with(move |c| {
            c.query_row(
                "SELECT client_id, secret_hash, metadata FROM oauth_clients WHERE client_id = ?1",
                params![id],
                |r| {
                    Ok(ClientRecord {
                        client_id: r.get(0)?,
                        secret_hash: r.get(1)?,
                        metadata: r.get(2)?,
                    })
                },
            )
            .optional()
        })
        .await
    }

    pub(super) async fn add_code(&self, code: &AuthCode) -> StoreResult<()> {
        let a = code.clone();
        self.with(move |c| {
            c.execute(
                "INSERT INTO oauth_codes (hash, client_id, owner, redirect_uri, redirect_given, scope, challenge, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![a.hash, a.client_id, a.owner, a.redirect_uri, i64::from(a.redirect_given), a.scope, a.challenge, a.expires],
            )
            .map(|_| ())
        })
        .await
    }

    pub(super) async fn take_code(&self, hash: &str) -> StoreResult<CodeUse> {
        let hash = hash.to_string();
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found = tx
                .query_row(
                    "SELECT hash, client_id, owner, redirect_uri, redirect_given, scope, challenge, expires, used FROM oauth_codes WHERE hash = ?1",
                    params![hash],
                    |r| {
                        Ok((
                            AuthCode {
                                hash: r.get(0)?,
                                client_id: r.get(1)?,
                                owner: r.get(2)?,
                                redirect_uri: r.get(3)?,
                                redirect_given: r.get::<_, i64>(4)? != 0,
                                scope: r.get(5)?,
                                challenge: r.get(6)?,
                                expires: r.get(7)?,
                            },
                            r.get::<_, i64>(8)? != 0,
                        ))
                    },
                )
                .optional()?;
            let outcome = match found {
                None => CodeUse::Unknown,
                Some((_, true)) => {
                    revoke_grant_in(&tx, &hash)?;
                    CodeUse::Replayed
                }
                Some((code, false)) => {
                    tx.execute("UPDATE oauth_codes SET used = 1 WHERE hash = ?1", params![hash])?;
                    CodeUse::Fresh(code)
                }
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    pub(super) async fn add_oauth_tokens(&self, t: &NewTokens) -> StoreResult<()> {
        let t = t.clone();
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = now_text();
            tx.execute(
                "INSERT INTO api_tokens (hash, scopes, created, owner, client_id, expires, grant_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![t.access_hash, t.scope, now, t.owner, t.client_id, t.access_expires, t.grant_id],
            )?;
            if let Some(refresh) = &t.refresh_hash {
                tx.execute(
                    "INSERT INTO oauth_refresh_tokens (hash, client_id, owner, scope, grant_id, expires, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![refresh, t.client_id, t.owner, t.scope, t.grant_id, t.refresh_expires, now],
                )?;
            }
            tx.commit()
        })
        .await
    }

    pub(super) async fn refresh_record(&self, hash: &str) -> StoreResult<Option<RefreshRecord>> {
        let hash = hash.to_string();
        self.with(move |c| {
            c.query_row(
                "SELECT hash, client_id, owner, scope, grant_id, expires, used FROM oauth_refresh_tokens WHERE hash = ?1",
                params![hash],
                |r| {
                    Ok(RefreshRecord {
                        hash: r.get(0)?,
                        client_id: r.get(1)?,
                        owner: r.get(2)?,
                        scope: r.get(3)?,
                        grant_id: r.get(4)?,
                        expires: r.get(5)?,
                        used: r.get::<_, i64>(6)? != 0,
                    })
                },
            )
            .optional()
        })
        .await
    }

    pub(super) async fn consume_refresh(&self, hash: &str) -> StoreResult<bool> {
        let hash = hash.to_string();
        self.with(move |c| {
            c.execute(
                "UPDATE oauth_refresh_tokens SET used = 1 WHERE hash = ?1 AND used = 0",
                params![hash],
            )
            .map(|n| n == 1)
        })
        .await
    }

    pub(super) async fn revoke_grant(&self, grant_id: &str) -> StoreResult<()> {
        let grant = grant_id.to_string();
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            revoke_grant_in(&tx, &grant)?;
            tx.commit()
        })
        .await
    }

    pub(super) async fn find_token(&self, hash: &str) -> StoreResult<Option<FoundToken>> {
        let hash = hash.to_string();
        self.with(move |c| {
            let access = c
                .query_row(
                    "SELECT client_id, grant_id FROM api_tokens WHERE hash = ?1",
                    params![hash],
                    |r| {
                        Ok(FoundToken::Access {
                            client_id: r.get(0)?,
                            grant_id: r.get(1)?,
                        })
                    },
                )
                .optional()?;
            if access.is_some() {
                return Ok(access);
            }
            c.query_row(
                "SELECT client_id, grant_id FROM oauth_refresh_tokens WHERE hash = ?1",
                params![hash],
                |r| {
                    Ok(FoundToken::Refresh {
                        client_id: r.get(0)?,
                        grant_id: r.get(1)?,
                    })
                },
            )
            .optional()
        })
        .await
    }

    pub(super) async fn delete_access_token(&self, hash: &str) -> StoreResult<()> {
        let hash = hash.to_string();
        self.with(move |c| {
            c.execute("DELETE FROM api_tokens WHERE hash = ?1", params![hash])
                .map(|_| ())
        })
        .await
    }

    pub(super) async fn reserve_index(
        &self,
        credential_id: &str,
        purpose: &str,
        base: &str,
    ) -> StoreResult<Allocation> {
        let (id, purpose, base) = (
            credential_id.to_string(),
            purpose.to_string(),
            base.to_string(),
        );
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let existing = tx
                .query_row(
                    "SELECT e.list_number, l.url, e.idx FROM status_entries e JOIN status_lists l ON l.number = e.list_number WHERE e.credential_id = ?1 AND e.purpose = ?2",
                    params![id, purpose],
                    |r| Ok(Allocation { list: r.get(0)?, url: r.get(1)?, index: r.get(2)? }),
                )
                .optional()?;
            if let Some(a) = existing {
                tx.commit()?;
                return Ok(a);
            }
            let open: Option<(i64, String, i64)> = tx
                .query_row(
                    "SELECT number, url, size FROM status_lists WHERE purpose = ?1 AND allocated < size ORDER BY number LIMIT 1",
                    params![purpose],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let (number, url, size) = match open {
                Some(l) => l,
                None => {
                    let number: i64 = tx.query_row(
                        "SELECT COALESCE(MAX(number), 0) + 1 FROM status_lists",
                        [],
                        |r| r.get(0),
                    )?;
                    let url = format!("{base}/status/{number}");
                    tx.execute(
                        "INSERT INTO status_lists (number, purpose, url, size, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![number, purpose, url, MIN_BITS as i64, now_text()],
                    )?;
                    (number, url, MIN_BITS as i64)
                }
            };
            let index = loop {
                let i = random_index(size);
                let n = tx.execute(
                    "INSERT INTO status_entries (list_number, idx, credential_id, purpose) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                    params![number, i, id, purpose],
                )?;
                if n == 1 {
                    break i;
                }
            };
            tx.execute(
                "UPDATE status_lists SET allocated = allocated + 1 WHERE number = ?1",
                params![number],
            )?;
            tx.commit()?;
            Ok(Allocation { list: number, url, index })
        })
        .await
    }

    pub(super) async fn find_issued(&self, id: &str) -> StoreResult<Option<IssuedRecord>> {
        let id = id.to_string();
        self.with(move |c| find(c, &id)).await
    }

    pub(super) async fn record_issued(
        &self,
        record: &IssuedRecord,
        idempotency_key: Option<&str>,
    ) -> StoreResult<Recorded> {
        let r = record.clone();
        let key = idempotency_key.map(String::from);
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(key) = &key {
                let known: Option<String> = tx
                    .query_row(
                        "SELECT credential_id FROM idempotency_keys WHERE key = ?1",
                        params![key],
                        |row| row.get(0),
                    )
                    .optional()?;
                if let Some(existing) = known.and_then(|id| find(&tx, &id).transpose()) {
                    let existing = existing?;
                    tx.commit()?;
                    return Ok(Recorded::Existing(Box::new(existing)));
                }
            }
            if let Some(existing) = find(&tx, &r.id)? {
                tx.commit()?;
                return Ok(Recorded::Existing(Box::new(existing)));
            }
            tx.execute(
                &format!("INSERT INTO credentials ({RECORD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
                params![r.id, r.subject, r.achievement, r.status_list, r.status_index, r.format, r.digest, r.document, r.request_digest, r.created],
            )?;
            if let Some(key) = &key {
                tx.execute(
                    "INSERT INTO idempotency_keys (key, request_digest, credential_id, created) VALUES (?1, ?2, ?3, ?4)",
                    params![key, r.request_digest, r.id, r.created],
                )?;
            }
            tx.commit()?;
            Ok(Recorded::Inserted)
        })
        .await
    }

    pub(super) async fn set_status(
        &self,
        credential_id: &str,
        purpose: &str,
        value: bool,
    ) -> StoreResult<StatusChange> {
        let (id, purpose) = (credential_id.to_string(), purpose.to_string());
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if find(&tx, &id)?.is_none() {
                return Ok(StatusChange::UnknownCredential);
            }
            let entry: Option<(i64, String, i64, i64)> = tx
                .query_row(
                    "SELECT e.list_number, l.url, e.idx, e.status FROM status_entries e JOIN status_lists l ON l.number = e.list_number WHERE e.credential_id = ?1 AND e.purpose = ?2",
                    params![id, purpose],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((list, url, index, status)) = entry else {
                return Ok(StatusChange::NoEntry);
            };
            let allocation = Allocation { list, url, index };
            let want = i64::from(value);
            if status == want {
                return Ok(StatusChange::Unchanged(allocation));
            }
            if purpose == "revocation" && !value {
                return Ok(StatusChange::Final);
            }
            tx.execute(
                "UPDATE status_entries SET status = ?1 WHERE list_number = ?2 AND idx = ?3",
                params![want, list, index],
            )?;
            tx.execute(
                "UPDATE status_lists SET version = version + 1 WHERE number = ?1",
                params![list],
            )?;
            tx.commit()?;
            Ok(StatusChange::Changed(allocation))
        })
        .await
    }

    pub(super) async fn list_state(&self, number: i64) -> StoreResult<Option<ListState>> {
        self.with(move |c| {
            c.query_row(
                "SELECT number, purpose, url, size, version, signed_version, signed_document, signed_valid_until FROM status_lists WHERE number = ?1",
                params![number],
                |r| {
                    let sv: Option<i64> = r.get(5)?;
                    let sd: Option<String> = r.get(6)?;
                    let su: Option<String> = r.get(7)?;
                    Ok(ListState {
                        number: r.get(0)?,
                        purpose: r.get(1)?,
                        url: r.get(2)?,
                        size: r.get(3)?,
                        version: r.get(4)?,
                        signed: match (sv, sd, su) {
                            (Some(v), Some(d), Some(u)) => Some((v, d, u)),
                            _ => None,
                        },
                    })
                },
            )
            .optional()
        })
        .await
    }

    pub(super) async fn set_indexes(&self, number: i64) -> StoreResult<Vec<i64>> {
        self.with(move |c| {
            let mut stmt =
                c.prepare("SELECT idx FROM status_entries WHERE list_number = ?1 AND status = 1")?;
            let rows = stmt.query_map(params![number], |r| r.get(0))?;
            rows.collect()
        })
        .await
    }

    pub(super) async fn save_signed_list(
        &self,
        number: i64,
        version: i64,
        document: &str,
        valid_until: &str,
    ) -> StoreResult<()> {
        let (document, valid_until) = (document.to_string(), valid_until.to_string());
        self.with(move |c| {
            c.execute(
                "UPDATE status_lists SET signed_version = ?1, signed_document = ?2, signed_valid_until = ?3 WHERE number = ?4 AND version = ?1",
                params![version, document, valid_until, number],
            )
            .map(|_| ())
        })
        .await
    }

    pub(super) async fn issued_records(
        &self,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<IssuedRecord>> {
        self.with(move |c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {RECORD_COLUMNS} FROM credentials ORDER BY created, id LIMIT ?1 OFFSET ?2"
            ))?;
            let rows = stmt.query_map(params![limit, offset], record_from_row)?;
            rows.collect()
        })
        .await
    }

    pub(super) async fn upsert_hosted(&self, h: &HostedCredential) -> StoreResult<bool> {
        let h = h.clone();
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let existed = tx
                .query_row(
                    "SELECT 1 FROM hosted_credentials WHERE id = ?1",
                    params![h.id],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            let now = now_text();
            tx.execute(
                "INSERT INTO hosted_credentials (id, subject, format, digest, document, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                 ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, format = excluded.format, digest = excluded.digest, document = excluded.document, updated = excluded.updated",
                params![h.id, h.subject, h.format, h.digest, h.document, now],
            )?;
            tx.commit()?;
            Ok(!existed)
        })
        .await
    }

    pub(super) async fn ob_credentials(
        &self,
        since: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<(String, String)>, i64)> {
        let since = since.to_string();
        self.with(move |c| {
            let total: i64 = c.query_row(
                &format!("SELECT count(*) FROM ({OB_UNION}) AS t WHERE changed >= ?1"),
                params![since],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare(&format!(
                "SELECT format, document FROM ({OB_UNION}) AS t WHERE changed >= ?1 ORDER BY changed, id LIMIT ?2 OFFSET ?3"
            ))?;
            let rows = stmt.query_map(params![since, limit, offset], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok((rows.collect::<rusqlite::Result<Vec<_>>>()?, total))
        })
        .await
    }

    pub(super) async fn profile(&self, name: &str) -> StoreResult<Option<String>> {
        let name = name.to_string();
        self.with(move |c| {
            c.query_row(
                "SELECT document FROM profiles WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()
        })
        .await
    }

    pub(super) async fn put_profile(&self, name: &str, document: &str) -> StoreResult<bool> {
        let (name, document) = (name.to_string(), document.to_string());
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let existed = tx
                .query_row("SELECT 1 FROM profiles WHERE name = ?1", params![name], |_| Ok(()))
                .optional()?
                .is_some();
            tx.execute(
                "INSERT INTO profiles (name, document, updated) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET document = excluded.document, updated = excluded.updated",
                params![name, document, now_text()],
            )?;
            tx.commit()?;
            Ok(!existed)
        })
        .await
    }

    pub(super) async fn ping(&self) -> StoreResult<()> {
        self.with(|c| {
            c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                .map(|_| ())
        })
        .await
    }
}
