//! `openbadges issue-batch`: one signed badge per roster row, signed on every core, resumable,
//! nothing lost.
//!
//! A reader thread streams the roster (never holding it whole), drops bad and duplicate rows,
//! and hands rows to one signing worker per core through a bounded channel; a committer (this
//! thread) collects what the workers produced. Badge files are written without a per-file
//! fsync; every `--checkpoint-every` badges and at the end the committer hands the batch to a
//! syncer thread (signing goes on meanwhile), which makes it durable in one go (`syncfs` of the
//! output's file system, or `fdatasync` of the `.jsonl` output) and only then records it in the
//! append-only journal (`issue-batch.journal`), and after it in the manifest. So
//! the journal names only badges that are on disk, and an interruption at any point (even
//! SIGKILL or power loss) loses nothing acknowledged: a re-run skips the rows in the journal,
//! re-checks any badge file that exists without a journal record (kept if it is a complete,
//! valid badge for its row signed by this issuer, else signed again) and cuts a `.jsonl`
//! output back to its last checkpoint.
//!
//! File names and credential ids are derived from a digest of (achievement id, recipient), so a
//! re-issue gets the same id. With `--status-store`, indexes are allocated for a chunk of rows
//! and the store saved (atomically, synced) before any of those badges is written: an index is
//! never handed to two credentials, and a re-issue finds its credential's index again.

mod journal;
mod roster;
pub(crate) use roster::valid_email as roster_valid_email;

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, IsTerminal, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use self::journal::{
    credential_id, file_name, stem, Header, Journal, JsonlEnd, Manifest, ManifestRepair, Record,
    Stem,
};
use self::roster::{Recipient, Roster, Row};
use crate::error::{Error, ErrorKind, Result};
use crate::issue::Issuer;
use crate::keys::{KeyResolver, VerificationMethod};
use crate::proof::{Expectations, ProofVerifier, Suite};
use crate::status::StatusListStore;

/// Badges per checkpoint unless `--checkpoint-every` says otherwise.
pub(crate) const DEFAULT_CHECKPOINT: usize = 4096;

/// Rows travel to the workers, and outcomes back, this many at a time.
const JOBS_PER_SEND: usize = 32;

/// With a status store, indexes are allocated (and the store saved) for at most this many rows
/// at a time.
const STATUS_CHUNK: usize = 4096;

/// What `issue-batch` was asked to do.
pub(crate) struct BatchArgs {
    pub roster: PathBuf,
    pub achievement: PathBuf,
    /// A directory (one file per badge), or a file ending in `.jsonl` (one badge per line).
    pub out: PathBuf,
    pub suite: Suite,
    pub status_store: Option<PathBuf>,
    /// Badges per checkpoint (at least 1).
    pub checkpoint_every: usize,
}

/// Where badges go.
enum Output {
    /// One `<digest>.json` file per badge in this directory.
    Dir(PathBuf),
    /// One line per badge appended to this file (`name` is its file name, for the manifest).
    Jsonl { path: PathBuf, name: String },
}

/// A row to sign.
struct Job {
    row: Row,
    digest: [u8; 32],
    status: Option<Value>,
    /// In the journal, but its file is gone: write it again (synced), without a new record.
    restore: bool,
}

enum Done {
    /// Signed and written (not yet durable).
    Issued,
    /// An existing, unjournaled file that is a valid badge for its row: kept as it is.
    Adopted,
    /// A journaled badge whose file had been deleted, written again (and synced).
    Restored,
}

/// What a worker (or the reader) reports to the committer.
enum Outcome {
    Done {
        record: Record,
        done: Done,
        /// The badge, for a `.jsonl` output.
        line: Option<String>,
    },
    /// A row that was not issued (`roster.csv:LINE: …`); the run goes on.
    Problem(String),
    /// The run cannot go on (disk full, unreadable roster…).
    Fatal(Error),
}

/// What every worker shares.
struct Ctx<'a> {
    issuer: &'a Issuer,
    achievement: &'a Value,
    achievement_id: &'a str,
    suite: Suite,
    now: DateTime<Utc>,
    output: &'a Output,
    roster: &'a Path,
    verifier: ProofVerifier,
    /// Whether the output directory held badge files without a journal record at the start.
    unjournaled: bool,
}

/// Resolves only this run's own verification method: an existing badge file is kept only if
/// this issuer's current key signed it.
struct OwnKey(VerificationMethod);

impl KeyResolver for OwnKey {
    fn resolve(&self, verification_method: &str, _purpose: &str) -> Result<VerificationMethod> {
        if verification_method == self.0.id {
            Ok(self.0.clone())
        } else {
            Err(Error::key(format!(
                "`{verification_method}` is not this run's key ({})",
                self.0.id
            )))
        }
    }
}

fn no_controls(what: &str, s: &str, path: &Path) -> Result<()> {
    if s.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("{}: the {what} contains control characters", path.display()),
        ));
    }
    Ok(())
}

/// Runs `issue-batch`. Exit 0 when every row was issued (or already was), 1 when some rows
/// had problems (each reported as `roster.csv:LINE: reason`); `Err` (exit 2) when the run had
/// to stop, e.g. the disk filled up — what was committed before stays, and a re-run completes.
pub(crate) fn run(args: &BatchArgs, issuer: Issuer) -> Result<u8> {
    let started = Instant::now();
    let achievement = crate::json::parse(&std::fs::read(&args.achievement).map_err(|e| {
        Error::from(e).context(format!("cannot read {}", args.achievement.display()))
    })?)
    .map_err(|e| e.context(format!("in {}", args.achievement.display())))?;
    let achievement_id = achievement
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Usage,
                format!(
                    "{}: the Achievement needs an `id`",
                    args.achievement.display()
                ),
            )
        })?
        .to_string();
    no_controls("Achievement id", &achievement_id, &args.achievement)?;
    no_controls("issuer id", issuer.id(), &args.out)?;
    let mut roster = Roster::open(&args.roster)?;

    let is_jsonl = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    let (output, journal_path, manifest_path) = if is_jsonl {
        let name = args
            .out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::from(e).context(format!("cannot create {}", parent.display()))
            })?;
        }
        let beside = |suffix: &str| {
            let mut p = args.out.clone().into_os_string();
            p.push(suffix);
            PathBuf::from(p)
        };
        (
            Output::Jsonl {
                path: args.out.clone(),
                name,
            },
            beside(".journal"),
            beside(".manifest.csv"),
        )
    } else {
        std::fs::create_dir_all(&args.out)
            .map_err(|e| Error::from(e).context(format!("cannot create {}", args.out.display())))?;
        (
            Output::Dir(args.out.clone()),
            args.out.join("issue-batch.journal"),
            args.out.join("manifest.csv"),
        )
    };
    let journal_existed = journal_path.exists();
    let jsonl_name = match &output {
        Output::Jsonl { name, .. } => Some(name.clone()),
        Output::Dir(_) => None,
    };
    let mut repair = ManifestRepair::start(&manifest_path, jsonl_name)?;
    let opened = Journal::open(
        &journal_path,
        &Header {
            mode: if is_jsonl { "jsonl" } else { "dir" },
            achievement: &achievement_id,
            issuer: issuer.id(),
        },
        |r| repair.record(r),
    )?;
    let manifest = repair.finish()?;
    let mut seen = opened.committed;
    let already = seen.len();

    // Only a directory holding badge files the journal does not name needs each new badge's
    // file checked before it is signed.
    let mut unjournaled = false;
    let mut sink = match &output {
        Output::Dir(dir) => {
            unjournaled = scan_output(dir, &seen);
            Sink::Dir(dir.clone())
        }
        Output::Jsonl { path, .. } => {
            Sink::Jsonl(JsonlSink::open(path, opened.jsonl_end, journal_existed)?)
        }
    };
    let store = match &args.status_store {
        Some(p) => Some((StatusListStore::load(p)?, p.clone())),
        None => None,
    };

    let progress =
        Progress::new(|| roster::estimate_rows(&args.roster).saturating_sub(already as u64));
    let signer = issuer.di_signer()?;
    let ctx = Ctx {
        issuer: &issuer,
        achievement: &achievement,
        achievement_id: &achievement_id,
        suite: args.suite,
        now: Utc::now(),
        output: &output,
        roster: &args.roster,
        unjournaled,
        verifier: ProofVerifier::new(Arc::new(OwnKey(VerificationMethod {
            id: signer.verification_method().to_string(),
            controller: issuer.id().to_string(),
            key: signer.key().verifying_key(),
            revoked: None,
            expires: None,
        }))),
    };
    let checkpoint_every = args.checkpoint_every.max(1);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let stop = AtomicBool::new(false);
    let (job_tx, job_rx) = sync_channel::<Vec<Job>>(workers * 4);
    let job_rx = Mutex::new(job_rx);
    let (out_tx, out_rx) = sync_channel::<Vec<Outcome>>(2048 / JOBS_PER_SEND);

    let mut committer = Committer {
        checkpoint_every,
        batch: Vec::with_capacity(checkpoint_every.min(1 << 16)),
        issued: 0,
        adopted: 0,
        restored: 0,
        problems: 0,
        fatal: None,
        progress: &progress,
    };
    let mut syncer = Syncer {
        journal: opened.journal,
        manifest,
        committed: 0,
        failed: None,
        progress: &progress,
    };
    let skipped = std::thread::scope(|scope| {
        let reader = {
            let out_tx = out_tx.clone();
            let (ctx, stop, store) = (&ctx, &stop, store);
            let chunk = if store.is_some() {
                checkpoint_every.clamp(JOBS_PER_SEND, STATUS_CHUNK)
            } else {
                JOBS_PER_SEND
            };
            scope.spawn(move || {
                read_roster(
                    ctx,
                    &mut roster,
                    &mut seen,
                    store,
                    chunk,
                    &job_tx,
                    &out_tx,
                    stop,
                )
            })
        };
        for _ in 0..workers {
            let out_tx = out_tx.clone();
            let (ctx, stop, job_rx) = (&ctx, &stop, &job_rx);
            scope.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => break,
                };
                let Ok(jobs) = job else { break };
                // Once stopped, jobs are drained unsigned so the reader is never left blocked.
                if stop.load(Ordering::Relaxed) {
                    continue;
                }
                let done = jobs.into_iter().map(|j| ctx.work(j)).collect();
                if out_tx.send(done).is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
            });
        }
        drop(out_tx);
        // Checkpoints run beside the committer: signing goes on while a batch is synced.
        let (cp_tx, cp_rx) = sync_channel::<Checkpoint>(1);
        let syncer = {
            let (syncer, stop) = (&mut syncer, &stop);
            scope.spawn(move || syncer.run(cp_rx, stop))
        };
        committer.run(out_rx, &mut sink, &cp_tx, &stop);
        drop(cp_tx);
        let _ = syncer.join();
        reader.join().unwrap_or(0)
    });
    progress.finish();
    let Committer {
        issued,
        adopted,
        restored,
        problems,
        mut fatal,
        ..
    } = committer;
    let committed = syncer.committed;
    if let Some(e) = syncer.failed {
        match &fatal {
            None => fatal = Some(e),
            Some(_) => eprintln!("also: {e}"),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let new = issued + restored;
    eprintln!(
        "{new} issued, {} already present, {problems} problem(s) in {secs:.2}s ({:.0} badges/s) → {}",
        skipped + adopted,
        new as f64 / secs.max(1e-9),
        args.out.display()
    );
    match fatal {
        Some(e) => Err(e.context(format!(
            "issue-batch stopped; the {} badges committed to {} stay, and a re-run carries on",
            already as u64 + committed,
            journal_path.display()
        ))),
        None => Ok(if problems == 0 { 0 } else { 1 }),
    }
}

/// Streams the roster into jobs; returns how many rows were skipped as already issued.
#[allow(clippy::too_many_arguments)]
fn read_roster(
    ctx: &Ctx<'_>,
    roster: &mut Roster,
    seen: &mut HashMap<Stem, bool>,
    mut store: Option<(StatusListStore, PathBuf)>,
    chunk_size: usize,
    jobs: &SyncSender<Vec<Job>>,
    outcomes: &SyncSender<Vec<Outcome>>,
    stop: &AtomicBool,
) -> usize {
    let mut skipped = 0;
    let mut chunk: Vec<Job> = Vec::with_capacity(chunk_size.min(1 << 16));
    let fail = |e: Error| {
        stop.store(true, Ordering::Relaxed);
        let _ = outcomes.send(vec![Outcome::Fatal(e)]);
    };
    // Allocates the chunk's status indexes, saves the store durably, then releases the jobs.
    let flush = |chunk: &mut Vec<Job>, store: &mut Option<(StatusListStore, PathBuf)>| -> bool {
        if let Some((s, path)) = store.as_mut() {
            let mut changed = false;
            for job in chunk.iter_mut() {
                let id = credential_id(&job.digest);
                changed |= s.index_of(&id).is_none();
                match s.allocate(&id) {
                    Ok(entry) => job.status = Some(entry),
                    Err(e) => {
                        fail(e.context(format!(
                            "while allocating a status index in {}",
                            path.display()
                        )));
                        return false;
                    }
                }
            }
            if changed {
                if let Err(e) = s.save(path) {
                    fail(e);
                    return false;
                }
            }
        }
        let mut rest = chunk.drain(..).peekable();
        while rest.peek().is_some() {
            let piece: Vec<Job> = rest.by_ref().take(JOBS_PER_SEND).collect();
            if stop.load(Ordering::Relaxed) || jobs.send(piece).is_err() {
                return false;
            }
        }
        true
    };
    while !stop.load(Ordering::Relaxed) {
        let row = match roster.next_row() {
            Ok(Some(Ok(row))) => row,
            Ok(Some(Err(problem))) => {
                if outcomes.send(vec![Outcome::Problem(problem)]).is_err() {
                    break;
                }
                continue;
            }
            Ok(None) => break,
            Err(e) => {
                fail(e);
                break;
            }
        };
        let digest = roster::digest(ctx.achievement_id, &row.recipient);
        let restore = match seen.entry(stem(&digest)) {
            Entry::Occupied(mut e) => {
                if *e.get() {
                    let msg = format!(
                        "{}:{}: duplicate recipient `{}`; issued once",
                        ctx.roster.display(),
                        row.line,
                        row.recipient.as_str()
                    );
                    if outcomes.send(vec![Outcome::Problem(msg)]).is_err() {
                        break;
                    }
                    continue;
                }
                e.insert(true);
                match ctx.output {
                    Output::Dir(dir) if !dir.join(file_name(&digest)).exists() => true,
                    _ => {
                        skipped += 1;
                        continue;
                    }
                }
            }
            Entry::Vacant(e) => {
                e.insert(true);
                false
            }
        };
        chunk.push(Job {
            row,
            digest,
            status: None,
            restore,
        });
        if chunk.len() >= chunk_size && !flush(&mut chunk, &mut store) {
            break;
        }
    }
    if !stop.load(Ordering::Relaxed) {
        flush(&mut chunk, &mut store);
    }
    skipped
}

impl Ctx<'_> {
    fn credential(&self, job: &Job) -> Value {
        let d = &job.digest;
        let salt = hex::encode(&d[16..24]);
        let achievement = self.achievement.clone();
        let subject = match &job.row.recipient {
            Recipient::Did(did) => {
                json!({"id": did, "type": ["AchievementSubject"], "achievement": achievement})
            }
            Recipient::Email(e) => json!({
                "type": ["AchievementSubject"],
                "identifier": [{
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": true,
                    "identityHash": email_hash(e, &salt),
                    "salt": salt,
                }],
                "achievement": achievement,
            }),
        };
        let mut cred = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": credential_id(d),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": self.achievement.get("name").cloned().unwrap_or(Value::Null),
            "credentialSubject": subject,
        });
        if let Some(entry) = &job.status {
            cred["credentialStatus"] = entry.clone();
        }
        cred
    }

    fn problem(&self, job: &Job, e: &Error) -> Outcome {
        Outcome::Problem(format!(
            "{}:{}: {} — {e}",
            self.roster.display(),
            job.row.line,
            job.row.name
        ))
    }

    /// Signs (or keeps) one badge and writes it.
    fn work(&self, job: Job) -> Outcome {
        let record = Record {
            digest: job.digest,
            roster_line: job.row.line,
            jsonl_line: None,
            recipient: job.row.recipient.as_str().to_string(),
        };
        if let Output::Dir(dir) = self.output {
            let path = dir.join(file_name(&job.digest));
            if self.unjournaled && !job.restore && self.adoptable(&path, &job) {
                return Outcome::Done {
                    record,
                    done: Done::Adopted,
                    line: None,
                };
            }
        }
        let signed = match self
            .issuer
            .issue_at(&self.credential(&job), self.suite, self.now, None)
        {
            Ok(s) => s.into_json(),
            Err(e) => return self.problem(&job, &e),
        };
        match self.output {
            Output::Dir(dir) => {
                let path = dir.join(file_name(&job.digest));
                let text = match serde_json::to_string_pretty(&signed) {
                    Ok(t) => t,
                    Err(e) => return self.problem(&job, &Error::new(ErrorKind::Io, e.to_string())),
                };
                let written = if job.restore {
                    crate::atomic_file::write(&path, text.as_bytes(), 0o644)
                } else {
                    write_unsynced(&path, text.as_bytes())
                };
                match written {
                    Ok(()) => Outcome::Done {
                        record,
                        done: if job.restore {
                            Done::Restored
                        } else {
                            Done::Issued
                        },
                        line: None,
                    },
                    Err(e) => Outcome::Fatal(e),
                }
            }
            Output::Jsonl { .. } => match serde_json::to_string(&signed) {
                Ok(text) => Outcome::Done {
                    record,
                    done: Done::Issued,
                    line: Some(text),
                },
                Err(e) => self.problem(&job, &Error::new(ErrorKind::Io, e.to_string())),
            },
        }
    }

    /// Whether the existing file at `path` is a complete badge for this job's row: its id,
    /// issuer, achievement, recipient and status entry are the ones this run would write, and
    /// this issuer's key signed it with the requested suite.
    fn adoptable(&self, path: &Path, job: &Job) -> bool {
        let Ok(bytes) = std::fs::read(path) else {
            return false;
        };
        let Ok(doc) = crate::json::parse(&bytes) else {
            return false;
        };
        let str_at = |p: &str| doc.pointer(p).and_then(Value::as_str);
        let issuer = str_at("/issuer/id").or_else(|| str_at("/issuer"));
        if str_at("/id") != Some(credential_id(&job.digest).as_str())
            || issuer != Some(self.issuer.id())
            || str_at("/credentialSubject/achievement/id") != Some(self.achievement_id)
        {
            return false;
        }
        let recipient_ok = match &job.row.recipient {
            Recipient::Did(did) => str_at("/credentialSubject/id") == Some(did.as_str()),
            Recipient::Email(e) => doc
                .pointer("/credentialSubject/identifier")
                .and_then(Value::as_array)
                .is_some_and(|ids| {
                    ids.iter().any(|i| {
                        let salt = i.get("salt").and_then(Value::as_str).unwrap_or("");
                        i.get("identityHash").and_then(Value::as_str)
                            == Some(email_hash(e, salt).as_str())
                    })
                }),
        };
        if !recipient_ok {
            return false;
        }
        if let Some(entry) = &job.status {
            if doc.get("credentialStatus") != Some(entry) {
                return false;
            }
        }
        let expected = Expectations {
            now: Some(self.now),
            ..Expectations::assertion()
        };
        match self.verifier.verify(&doc, &expected) {
            Ok(outcomes) => {
                outcomes.len() == 1
                    && outcomes[0].result.is_ok()
                    && outcomes[0].suite.as_deref() == Some(self.suite.name())
            }
            Err(_) => false,
        }
    }
}

fn email_hash(email: &str, salt: &str) -> String {
    format!(
        "sha256${}",
        hex::encode(Sha256::digest(format!("{email}{salt}").as_bytes()))
    )
}

/// Writes `bytes` to `path`, without fsync: the checkpoint makes it durable, and until then it
/// is not in the journal — so a file cut short by an interruption is never trusted: the next
/// run finds it unjournaled, fails to verify it and writes it again. (No temporary file and
/// rename: that would cost a third more file-system work per badge for nothing the journal
/// does not already give.)
fn write_unsynced(path: &Path, bytes: &[u8]) -> Result<()> {
    File::create(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| Error::from(e).context(format!("while writing {}", path.display())))
}

/// Removes temporary files an earlier version's interrupted run left (`.NAME.json.tmp…`;
/// finished files are never touched) and tells whether any badge file (`<24 hex>.json`) is
/// missing from the journal (`journaled`). When the directory cannot be listed, assume so.
fn scan_output(dir: &Path, journaled: &HashMap<Stem, bool>) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true;
    };
    let mut unjournaled = false;
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.contains(".json.tmp") {
            let _ = std::fs::remove_file(e.path());
        } else if let Some(hex_stem) = name.strip_suffix(".json") {
            let mut stem: Stem = [0; 12];
            if hex::decode_to_slice(hex_stem, &mut stem).is_ok() && !journaled.contains_key(&stem) {
                unjournaled = true;
            }
        }
    }
    unjournaled
}

/// Where the committer puts badges.
enum Sink {
    Dir(PathBuf),
    Jsonl(JsonlSink),
}

struct JsonlSink {
    path: PathBuf,
    file: BufWriter<File>,
    end: JsonlEnd,
}

impl JsonlSink {
    /// Opens the `.jsonl` output and cuts it back to where the journal says it ends: lines after
    /// the last checkpoint were never acknowledged and are issued again.
    fn open(path: &Path, end: JsonlEnd, journal_existed: bool) -> Result<Self> {
        let existed = path.exists();
        let ctx =
            |e: std::io::Error| Error::from(e).context(format!("while opening {}", path.display()));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(ctx)?;
        let len = file.metadata().map_err(ctx)?.len();
        if !journal_existed && len > 0 {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "{} exists and has no journal; issue-batch appends only to a .jsonl output it started (use another --out)",
                    path.display()
                ),
            ));
        }
        if len < end.bytes {
            return Err(Error::new(
                ErrorKind::Io,
                format!(
                    "{} has {len} bytes but its journal says {} were committed; it was changed outside issue-batch",
                    path.display(),
                    end.bytes
                ),
            ));
        }
        if len > end.bytes {
            file.set_len(end.bytes).map_err(ctx)?;
            file.sync_all().map_err(ctx)?;
        }
        file.seek(SeekFrom::Start(end.bytes)).map_err(ctx)?;
        if !existed {
            journal::sync_parent(path);
        }
        Ok(JsonlSink {
            path: path.to_path_buf(),
            file: BufWriter::with_capacity(1 << 20, file),
            end,
        })
    }

    /// Writes out what is buffered; returns how to make it durable.
    fn flushed(&mut self) -> Result<Durable> {
        let ctx = |e: std::io::Error| {
            Error::from(e).context(format!("while writing {}", self.path.display()))
        };
        self.file.flush().map_err(ctx)?;
        let file = self.file.get_ref().try_clone().map_err(ctx)?;
        Ok(Durable::Jsonl {
            file,
            path: self.path.clone(),
            end: self.end,
        })
    }

    /// Appends one badge; returns its line number.
    fn append(&mut self, text: &str) -> Result<u64> {
        self.file
            .write_all(text.as_bytes())
            .and_then(|_| self.file.write_all(b"\n"))
            .map_err(|e| {
                Error::from(e).context(format!("while writing {}", self.path.display()))
            })?;
        self.end.bytes += text.len() as u64 + 1;
        self.end.lines += 1;
        Ok(self.end.lines)
    }
}

/// One `syncfs` of the directory's file system: every badge file written (and renamed) so far
/// reaches the disk, directory entries included.
#[cfg(target_os = "linux")]
fn sync_dir_files(dir: &Path, _batch: &[Record]) -> Result<()> {
    let ctx = |e: std::io::Error| {
        Error::from(e).context(format!("while syncing the badges in {}", dir.display()))
    };
    let d = File::open(dir).map_err(ctx)?;
    rustix::fs::syncfs(&d).map_err(|e| ctx(e.into()))
}

/// Without `syncfs`: each file of the batch, then the directory.
#[cfg(not(target_os = "linux"))]
fn sync_dir_files(dir: &Path, batch: &[Record]) -> Result<()> {
    for r in batch {
        let path = dir.join(file_name(&r.digest));
        File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::from(e).context(format!("while syncing {}", path.display())))?;
    }
    journal::sync_parent(&dir.join("."));
    Ok(())
}

/// A batch of badges to make durable and then journal.
struct Checkpoint {
    records: Vec<Record>,
    durable: Durable,
}

/// How to make a batch durable.
enum Durable {
    /// `syncfs` of (or, without it, each file in) the output directory.
    Dir(PathBuf),
    /// `fdatasync` of the `.jsonl` output (a second handle), which then ends at `end`.
    Jsonl {
        file: File,
        path: PathBuf,
        end: JsonlEnd,
    },
}

impl Durable {
    fn sync(&self, batch: &[Record]) -> Result<JsonlEnd> {
        match self {
            Durable::Dir(dir) => {
                sync_dir_files(dir, batch)?;
                Ok(JsonlEnd::default())
            }
            Durable::Jsonl { file, path, end } => {
                file.sync_data().map_err(|e| {
                    Error::from(e).context(format!("while syncing {}", path.display()))
                })?;
                Ok(*end)
            }
        }
    }
}

/// Collects outcomes and hands full batches to the [`Syncer`].
struct Committer<'a> {
    checkpoint_every: usize,
    batch: Vec<Record>,
    issued: u64,
    adopted: usize,
    restored: u64,
    problems: u64,
    fatal: Option<Error>,
    progress: &'a Progress,
}

impl Committer<'_> {
    fn run(
        &mut self,
        outcomes: Receiver<Vec<Outcome>>,
        sink: &mut Sink,
        checkpoints: &SyncSender<Checkpoint>,
        stop: &AtomicBool,
    ) {
        let mut broken = false;
        for o in outcomes.into_iter().flatten() {
            match o {
                Outcome::Done {
                    mut record,
                    done,
                    line,
                } => {
                    match done {
                        Done::Issued => self.issued += 1,
                        Done::Adopted => self.adopted += 1,
                        Done::Restored => {
                            self.restored += 1;
                            self.progress.inc();
                            continue;
                        }
                    }
                    if broken {
                        continue;
                    }
                    if let (Some(text), Sink::Jsonl(s)) = (&line, &mut *sink) {
                        match s.append(text) {
                            Ok(n) => record.jsonl_line = Some(n),
                            Err(e) => {
                                self.fail(e, stop);
                                broken = true;
                                continue;
                            }
                        }
                    }
                    self.batch.push(record);
                    self.progress.inc();
                    if self.batch.len() >= self.checkpoint_every {
                        broken = !self.hand_over(sink, checkpoints, stop);
                    }
                }
                Outcome::Problem(p) => {
                    self.problems += 1;
                    self.progress.println(&p);
                }
                Outcome::Fatal(e) => self.fail(e, stop),
            }
        }
        if !broken {
            self.hand_over(sink, checkpoints, stop);
        }
    }

    fn fail(&mut self, e: Error, stop: &AtomicBool) {
        stop.store(true, Ordering::Relaxed);
        match &self.fatal {
            None => self.fatal = Some(e),
            Some(_) => self.progress.println(&format!("also: {e}")),
        }
    }

    /// Sends the batch to be made durable and journaled. False if that cannot happen any more.
    fn hand_over(
        &mut self,
        sink: &mut Sink,
        checkpoints: &SyncSender<Checkpoint>,
        stop: &AtomicBool,
    ) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let durable = match sink {
            Sink::Dir(dir) => Durable::Dir(dir.clone()),
            Sink::Jsonl(s) => match s.flushed() {
                Ok(d) => d,
                Err(e) => {
                    self.fail(e, stop);
                    return false;
                }
            },
        };
        let records = std::mem::replace(
            &mut self.batch,
            Vec::with_capacity(self.checkpoint_every.min(1 << 16)),
        );
        checkpoints.send(Checkpoint { records, durable }).is_ok()
    }
}

/// Makes batches durable, then journals them, then appends them to the manifest, in order.
/// After a failure it commits nothing more (what it did not journal is issued again next run).
struct Syncer<'a> {
    journal: Journal,
    manifest: Manifest,
    committed: u64,
    failed: Option<Error>,
    progress: &'a Progress,
}

impl Syncer<'_> {
    fn run(&mut self, checkpoints: Receiver<Checkpoint>, stop: &AtomicBool) {
        for cp in checkpoints {
            if self.failed.is_some() {
                continue;
            }
            let result = cp.durable.sync(&cp.records).and_then(|end| {
                self.journal.commit(&cp.records, end)?;
                self.committed += cp.records.len() as u64;
                self.manifest.append(&cp.records)
            });
            match result {
                Ok(()) => self.progress.checkpoint(self.committed),
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    self.failed = Some(e);
                }
            }
        }
    }
}

/// A progress bar on a terminal; otherwise a line per checkpoint.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// `estimate` (rows still to issue) is asked for only when there is a bar to show.
    fn new(estimate: impl FnOnce() -> u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new(estimate());
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} badges {per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        });
        Progress { bar }
    }

    fn inc(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    fn println(&self, msg: &str) {
        match &self.bar {
            Some(b) => b.println(msg),
            None => eprintln!("{msg}"),
        }
    }

    fn checkpoint(&self, committed: u64) {
        if self.bar.is_none() {
            eprintln!("checkpoint: {committed} badges durable");
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
