//! `openbadges issue-batch`: one signed badge per roster row, on all cores, resumable.
//!
//! Output files are named by a digest of (achievement id, recipient), and credential ids are
//! derived from the same digest, so a re-run skips what exists and an interrupted run resumes
//! without duplicates. Each file is written atomically.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::issue::Issuer;
use crate::proof::Suite;
use crate::status::StatusListStore;

pub(crate) struct BatchArgs {
    pub roster: PathBuf,
    pub achievement: PathBuf,
    pub out: PathBuf,
    pub suite: Suite,
    pub status_store: Option<PathBuf>,
}

struct Row {
    line: u64,
    name: String,
    recipient: Recipient,
}

enum Recipient {
    Email(String),
    Did(String),
}

pub(crate) fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn read_roster(path: &Path) -> Result<(Vec<Row>, Vec<String>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| Error::new(ErrorKind::Io, format!("{}: {e}", path.display())))?;
    let headers = rdr
        .headers()
        .map_err(|e| Error::new(ErrorKind::Usage, format!("{}: {e}", path.display())))?
        .clone();
    let col = |n: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(n));
    let name_col = col("name").ok_or_else(|| {
        Error::new(ErrorKind::Usage, format!("{}:1: missing column `name` (the header row needs name and email, or name and did)", path.display()))
    })?;
    let email_col = col("email");
    let did_col = col("did");
    if email_col.is_none() && did_col.is_none() {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("{}:1: missing column `email` (or `did`)", path.display()),
        ));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{}:{line}: {e}", path.display()));
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").to_string();
        let name = get(Some(name_col));
        let email = get(email_col);
        let did = get(did_col);
        let recipient = if !did.is_empty() {
            if !did.starts_with("did:") {
                errors.push(format!(
                    "{}:{line}: malformed did `{did}` (expected did:method:…)",
                    path.display()
                ));
                continue;
            }
            Recipient::Did(did)
        } else if valid_email(&email) {
            Recipient::Email(email.to_lowercase())
        } else {
            errors.push(format!(
                "{}:{line}: malformed e-mail `{email}` (expected name@domain.tld)",
                path.display()
            ));
            continue;
        };
        rows.push(Row {
            line,
            name,
            recipient,
        });
    }
    Ok((rows, errors))
}

fn digest(achievement_id: &str, r: &Recipient) -> [u8; 32] {
    let who = match r {
        Recipient::Email(e) => format!("mailto:{e}"),
        Recipient::Did(d) => d.clone(),
    };
    Sha256::digest(format!("{achievement_id}|{who}").as_bytes()).into()
}

fn uuid_from(d: &[u8; 32]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format!("urn:uuid:{}", uuid::Uuid::from_bytes(b))
}

fn credential_for(row: &Row, achievement: &Value, id: &str, salt: &str) -> Value {
    let subject = match &row.recipient {
        Recipient::Did(d) => {
            json!({"id": d, "type": ["AchievementSubject"], "achievement": achievement})
        }
        Recipient::Email(e) => {
            let hash = hex::encode(Sha256::digest(format!("{e}{salt}").as_bytes()));
            json!({
                "type": ["AchievementSubject"],
                "identifier": [{
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": true,
                    "identityHash": format!("sha256${hash}"),
                    "salt": salt,
                }],
                "achievement": achievement,
            })
        }
    };
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.get("name").cloned().unwrap_or(Value::Null),
        "credentialSubject": subject,
    })
}

pub(crate) fn run(args: &BatchArgs, issuer: Issuer) -> Result<u8> {
    let started = Instant::now();
    let (rows, mut errors) = read_roster(&args.roster)?;
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
    std::fs::create_dir_all(&args.out)
        .map_err(|e| Error::from(e).context(format!("cannot create {}", args.out.display())))?;
    remove_temporaries(&args.out);

    // Plan: skip rows already issued; allocate status indexes up front and persist them before
    // signing, so an interruption never loses an allocation (re-runs find the same ids).
    let mut todo = Vec::new();
    let mut skipped = 0usize;
    let mut seen = std::collections::HashSet::new();
    for row in &rows {
        let d = digest(&achievement_id, &row.recipient);
        if !seen.insert(d) {
            errors.push(format!(
                "{}:{}: duplicate recipient; issued once",
                args.roster.display(),
                row.line
            ));
            continue;
        }
        let file = args.out.join(format!("{}.json", hex::encode(&d[..12])));
        if file.exists() {
            skipped += 1;
            continue;
        }
        todo.push((row, d, file));
    }
    let mut store = args
        .status_store
        .as_deref()
        .map(StatusListStore::load)
        .transpose()?;
    let mut entries = Vec::with_capacity(todo.len());
    for (_, d, _) in &todo {
        entries.push(match store.as_mut() {
            Some(s) => Some(s.allocate(&uuid_from(d))?),
            None => None,
        });
    }
    if let (Some(s), Some(p)) = (&store, &args.status_store) {
        s.save(p)?;
    }

    let total = todo.len();
    let now = chrono::Utc::now();
    let failures = parallel(total, "badges", |i| {
        let (row, d, file) = &todo[i];
        let id = uuid_from(d);
        let salt = hex::encode(&d[16..24]);
        let mut cred = credential_for(row, &achievement, &id, &salt);
        if let Some(e) = &entries[i] {
            cred["credentialStatus"] = e.clone();
        }
        issuer
            .issue_at(&cred, args.suite, now, None)
            .and_then(|signed| {
                let text = serde_json::to_string_pretty(&signed)
                    .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
                crate::atomic_file::write(file, text.as_bytes(), 0o644)
            })
            .map_err(|e| format!("{}:{}: {} — {e}", args.roster.display(), row.line, row.name))
    });
    errors.extend(failures);
    for e in &errors {
        eprintln!("{e}");
    }
    let secs = started.elapsed().as_secs_f64();
    let issued = total - errors.iter().filter(|e| e.contains(" — ")).count();
    eprintln!(
        "{issued} issued, {skipped} already present, {} problem(s) in {secs:.2}s ({:.0} badges/s) → {}",
        errors.len(),
        issued as f64 / secs.max(1e-9),
        args.out.display()
    );
    Ok(if errors.is_empty() { 0 } else { 1 })
}

/// Removes the temporary files an interrupted run left in `out` (the atomic writer's
/// `.NAME.tmp-…`); finished files are never touched.
pub(crate) fn remove_temporaries(out: &Path) {
    if let Ok(entries) = std::fs::read_dir(out) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(".tmp-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Runs `work(0..total)` on every core, with a progress bar on a terminal (else a line every
/// 1,000 `what`); returns the failures' messages.
pub(crate) fn parallel(
    total: usize,
    what: &str,
    work: impl Fn(usize) -> std::result::Result<(), String> + Sync,
) -> Vec<String> {
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(total as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {what} {{per_sec}} eta {{eta}}"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(total.max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                if let Err(msg) = work(i) {
                    if let Ok(mut f) = failures.lock() {
                        f.push(msg);
                    }
                }
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                match &bar {
                    Some(b) => b.inc(1),
                    None if n % 1000 == 0 || n == total => eprintln!("issued {n}/{total} {what}"),
                    None => {}
                }
            });
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    failures.into_inner().unwrap_or_default()
}
