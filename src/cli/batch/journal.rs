//! The resume journal and the manifest.
//!
//! The journal is append-only and says only what a checkpoint made durable. Each checkpoint
//! appends, in one write followed by `fdatasync`, one `B` record per badge it covered and a
//! closing `C` record (with how far the `.jsonl` output reaches); a badge counts as issued once
//! its batch's `C` record is on disk. Every record carries a CRC-32, so a torn or garbled tail
//! (a crash mid-append) is recognised, ignored and cut off on the next run; damage before the
//! last good `C` record is refused rather than guessed at.
//!
//! Fields are separated by one tab (shown here as ` → `):
//!
//! ```text
//! openbadges-issue-batch-journal → 1 → dir|jsonl → <achievement id> → <issuer id>
//! B → <sha-256 of achievement|recipient, hex> → <roster line> → <jsonl line or -> → <recipient> → <crc32>
//! C → <jsonl bytes> → <jsonl lines> → <badges in batch> → <crc32>
//! ```
//!
//! The manifest (`manifest.csv`) is the journal rendered for people — `roster_line, recipient,
//! file, credential_id`, one line per committed badge in journal order — appended right after
//! each journal commit. On start it is compared with the journal and repaired (a torn or extra
//! tail cut, missing lines appended), so it always agrees with the journal.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

const MAGIC: &str = "openbadges-issue-batch-journal";
const VERSION: &str = "1";
/// The manifest's header row.
pub(super) const MANIFEST_HEADER: &str = "roster_line,recipient,file,credential_id\n";

/// What the journal is about; a journal for something else is refused.
pub(super) struct Header<'a> {
    /// `dir` or `jsonl`.
    pub mode: &'a str,
    /// The Achievement id.
    pub achievement: &'a str,
    /// The issuer id.
    pub issuer: &'a str,
}

impl Header<'_> {
    fn line(&self) -> String {
        format!(
            "{MAGIC}\t{VERSION}\t{}\t{}\t{}\n",
            self.mode, self.achievement, self.issuer
        )
    }
}

/// One committed badge.
#[derive(Clone)]
pub(super) struct Record {
    /// SHA-256 of `achievement id|recipient` (names the file and the credential id).
    pub digest: [u8; 32],
    /// The roster line it was issued for.
    pub roster_line: u64,
    /// Its line in the `.jsonl` output, when that is the output.
    pub jsonl_line: Option<u64>,
    /// The e-mail address or DID.
    pub recipient: String,
}

/// The key badges are known by: the part of the digest that names the file.
pub(super) type Stem = [u8; 12];

/// The file-naming part of a digest.
pub(super) fn stem(d: &[u8; 32]) -> Stem {
    let mut s = [0u8; 12];
    s.copy_from_slice(&d[..12]);
    s
}

/// The credential id derived from a digest (a version-4-shaped urn:uuid).
pub(super) fn credential_id(d: &[u8; 32]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format!("urn:uuid:{}", uuid::Uuid::from_bytes(b))
}

/// The badge file name for a digest (`<24 hex>.json`).
pub(super) fn file_name(d: &[u8; 32]) -> String {
    format!("{}.json", hex::encode(&d[..12]))
}

impl Record {
    fn journal_line(&self) -> String {
        let body = format!(
            "B\t{}\t{}\t{}\t{}",
            hex::encode(self.digest),
            self.roster_line,
            self.jsonl_line.map_or("-".to_string(), |l| l.to_string()),
            self.recipient
        );
        with_crc(body)
    }

    /// The manifest line; `jsonl` is the output file's name when the output is one file.
    pub fn manifest_line(&self, jsonl: Option<&str>) -> String {
        let file = match (jsonl, self.jsonl_line) {
            (Some(name), Some(l)) => format!("{name}:{l}"),
            _ => file_name(&self.digest),
        };
        format!(
            "{},{},{},{}\n",
            self.roster_line,
            csv_field(&self.recipient),
            csv_field(&file),
            credential_id(&self.digest)
        )
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn with_crc(body: String) -> String {
    let crc = crc32fast::hash(body.as_bytes());
    format!("{body}\t{crc:08x}\n")
}

/// Where the `.jsonl` output ends as of the last checkpoint.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(super) struct JsonlEnd {
    /// Bytes.
    pub bytes: u64,
    /// Lines.
    pub lines: u64,
}

/// An open journal, locked for this run.
pub(super) struct Journal {
    path: PathBuf,
    file: File,
}

/// What an opened journal holds.
pub(super) struct Opened {
    /// The journal, positioned for appending.
    pub journal: Journal,
    /// Every committed badge: `false` (the roster has not named it yet in this run).
    pub committed: HashMap<Stem, bool>,
    /// Where the `.jsonl` output ends, as of the last checkpoint.
    pub jsonl_end: JsonlEnd,
}

fn corrupt(path: &Path, offset: u64, what: &str) -> Error {
    Error::new(
        ErrorKind::Io,
        format!(
            "{}: damaged at byte {offset} ({what}) before its last checkpoint; refusing to guess which badges were issued (move the output aside and start again, or restore the journal)",
            path.display()
        ),
    )
}

fn io_ctx<'a>(path: &'a Path, doing: &'static str) -> impl Fn(std::io::Error) -> Error + 'a {
    move |e| Error::from(e).context(format!("while {doing} {}", path.display()))
}

/// Persists a new directory entry (best effort where directories cannot be synced).
pub(super) fn sync_parent(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(unix)]
fn lock(file: &File, path: &Path) -> Result<()> {
    use rustix::fs::{flock, FlockOperation};
    flock(file, FlockOperation::NonBlockingLockExclusive).map_err(|e| {
        if e == rustix::io::Errno::WOULDBLOCK {
            Error::new(
                ErrorKind::Usage,
                format!(
                    "{} is locked: another issue-batch is writing to this output",
                    path.display()
                ),
            )
        } else {
            Error::from(std::io::Error::from(e))
                .context(format!("while locking {}", path.display()))
        }
    })
}

#[cfg(not(unix))]
fn lock(_file: &File, _path: &Path) -> Result<()> {
    Ok(())
}

impl Journal {
    /// Opens (or starts) the journal at `path`, locks it, reads what it committed (calling
    /// `on_commit` for each committed badge, in order), cuts off an uncommitted tail, and
    /// leaves it ready for appending.
    pub fn open(
        path: &Path,
        header: &Header<'_>,
        mut on_commit: impl FnMut(&Record) -> Result<()>,
    ) -> Result<Opened> {
        let existed = path.exists();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_ctx(path, "opening"))?;
        lock(&file, path)?;
        let expected_header = header.line();
        let mut reader = BufReader::new(&file);
        let mut line = Vec::new();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(io_ctx(path, "reading"))?;
        let mut committed = HashMap::new();
        let mut jsonl_end = JsonlEnd::default();
        let mut good_len = expected_header.len() as u64;
        if n == 0 || !line.ends_with(b"\n") {
            // A new journal, or one whose header never made it to disk: start it.
            drop(reader);
            file.set_len(0).map_err(io_ctx(path, "truncating"))?;
            (&file)
                .write_all(expected_header.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(io_ctx(path, "writing"))?;
            if !existed {
                sync_parent(path);
            }
        } else {
            if line != expected_header.as_bytes() {
                let found = String::from_utf8_lossy(&line);
                let fields: Vec<&str> = found.trim_end().split('\t').collect();
                return Err(Error::new(
                    ErrorKind::Usage,
                    match fields.as_slice() {
                        [MAGIC, VERSION, mode, achievement, issuer] => format!(
                            "{} was started for {mode} output of achievement `{achievement}` by issuer `{issuer}`; this run is {} output of `{}` by `{}` (use another --out)",
                            path.display(), header.mode, header.achievement, header.issuer
                        ),
                        _ => format!(
                            "{} is not an issue-batch journal (version {VERSION}); use another --out",
                            path.display()
                        ),
                    },
                ));
            }
            let mut offset = good_len;
            let mut pending: Vec<Record> = Vec::new();
            let mut damaged_at: Option<u64> = None;
            loop {
                line.clear();
                let n = reader
                    .read_until(b'\n', &mut line)
                    .map_err(io_ctx(path, "reading"))?;
                if n == 0 {
                    break;
                }
                let start = offset;
                offset += n as u64;
                let parsed = if line.ends_with(b"\n") {
                    parse_line(&line[..n - 1])
                } else {
                    None
                };
                match parsed {
                    None => {
                        damaged_at.get_or_insert(start);
                    }
                    Some(Parsed::Badge(r)) => {
                        if damaged_at.is_none() {
                            pending.push(r);
                        }
                    }
                    Some(Parsed::Checkpoint(end, count)) => {
                        if let Some(at) = damaged_at {
                            return Err(corrupt(path, at, "a record fails its checksum"));
                        }
                        if count != pending.len() as u64 {
                            return Err(corrupt(
                                path,
                                start,
                                "a checkpoint does not match its badges",
                            ));
                        }
                        for r in pending.drain(..) {
                            on_commit(&r)?;
                            committed.insert(stem(&r.digest), false);
                        }
                        jsonl_end = end;
                        good_len = offset;
                    }
                }
            }
            drop(reader);
            if offset != good_len {
                // An interrupted checkpoint: its badges were never acknowledged.
                file.set_len(good_len).map_err(io_ctx(path, "truncating"))?;
                file.sync_all().map_err(io_ctx(path, "syncing"))?;
            }
        }
        let mut journal = Journal {
            path: path.to_path_buf(),
            file,
        };
        journal
            .file
            .seek(SeekFrom::Start(good_len))
            .map_err(io_ctx(path, "seeking in"))?;
        Ok(Opened {
            journal,
            committed,
            jsonl_end,
        })
    }

    /// Commits a checkpoint: the badges it covered and where the `.jsonl` output ends, in one
    /// append, then `fdatasync`. Call only after the badges themselves are durable.
    pub fn commit(&mut self, records: &[Record], end: JsonlEnd) -> Result<()> {
        let mut buf = String::with_capacity(records.len() * 160 + 64);
        for r in records {
            buf.push_str(&r.journal_line());
        }
        buf.push_str(&with_crc(format!(
            "C\t{}\t{}\t{}",
            end.bytes,
            end.lines,
            records.len()
        )));
        let start = self
            .file
            .stream_position()
            .map_err(io_ctx(&self.path, "appending to"))?;
        let written = self
            .file
            .write_all(buf.as_bytes())
            .and_then(|_| self.file.sync_data());
        if let Err(e) = written {
            // A full disk can take part of the lines: cut them off, so the manifest still ends
            // at a line boundary (the re-run appends them again from the journal).
            let _ = self
                .file
                .set_len(start)
                .and_then(|_| self.file.seek(SeekFrom::Start(start)).map(|_| ()));
            return Err(io_ctx(&self.path, "appending to")(e));
        }
        Ok(())
    }
}

enum Parsed {
    Badge(Record),
    Checkpoint(JsonlEnd, u64),
}

fn parse_line(line: &[u8]) -> Option<Parsed> {
    let text = std::str::from_utf8(line).ok()?;
    let (body, crc) = text.rsplit_once('\t')?;
    if u32::from_str_radix(crc, 16).ok()? != crc32fast::hash(body.as_bytes()) {
        return None;
    }
    let fields: Vec<&str> = body.split('\t').collect();
    match fields.as_slice() {
        ["B", digest, roster_line, jsonl_line, recipient] => {
            let mut d = [0u8; 32];
            hex::decode_to_slice(digest, &mut d).ok()?;
            Some(Parsed::Badge(Record {
                digest: d,
                roster_line: roster_line.parse().ok()?,
                jsonl_line: match *jsonl_line {
                    "-" => None,
                    l => Some(l.parse().ok()?),
                },
                recipient: recipient.to_string(),
            }))
        }
        ["C", bytes, lines, count] => Some(Parsed::Checkpoint(
            JsonlEnd {
                bytes: bytes.parse().ok()?,
                lines: lines.parse().ok()?,
            },
            count.parse().ok()?,
        )),
        _ => None,
    }
}

/// The manifest, kept equal to the journal rendered as CSV.
pub(super) struct Manifest {
    path: PathBuf,
    file: File,
    jsonl: Option<String>,
}

/// Brings an existing manifest in line with the journal while the journal is read: lines that
/// match are kept; from the first that does not (or the end of the file), the rest is cut and
/// the journal's lines are written instead.
pub(super) struct ManifestRepair {
    path: PathBuf,
    reader: Option<BufReader<File>>,
    writer: Option<BufWriter<File>>,
    matched: u64,
    line: Vec<u8>,
    jsonl: Option<String>,
    existed: bool,
}

impl ManifestRepair {
    /// Starts comparing the manifest at `path` (created if missing) with the journal.
    pub fn start(path: &Path, jsonl: Option<String>) -> Result<Self> {
        let existed = path.exists();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_ctx(path, "opening"))?;
        let mut repair = ManifestRepair {
            path: path.to_path_buf(),
            reader: Some(BufReader::new(file)),
            writer: None,
            matched: 0,
            line: Vec::new(),
            jsonl,
            existed,
        };
        repair.expect(MANIFEST_HEADER)?;
        Ok(repair)
    }

    fn expect(&mut self, want: &str) -> Result<()> {
        if let Some(r) = self.reader.as_mut() {
            self.line.clear();
            let n = r
                .read_until(b'\n', &mut self.line)
                .map_err(io_ctx(&self.path, "reading"))?;
            if n > 0 && self.line == want.as_bytes() {
                self.matched += n as u64;
                return Ok(());
            }
            self.diverge()?;
        }
        if let Some(w) = self.writer.as_mut() {
            w.write_all(want.as_bytes())
                .map_err(io_ctx(&self.path, "writing"))?;
        }
        Ok(())
    }

    fn diverge(&mut self) -> Result<()> {
        if let Some(r) = self.reader.take() {
            let mut f = r.into_inner();
            f.set_len(self.matched)
                .and_then(|_| f.seek(SeekFrom::Start(self.matched)).map(|_| ()))
                .map_err(io_ctx(&self.path, "truncating"))?;
            self.writer = Some(BufWriter::with_capacity(1 << 16, f));
        }
        Ok(())
    }

    /// The journal's next committed badge.
    pub fn record(&mut self, r: &Record) -> Result<()> {
        let line = r.manifest_line(self.jsonl.as_deref());
        self.expect(&line)
    }

    /// Cuts what the journal does not have, syncs, and returns the manifest ready to append.
    pub fn finish(mut self) -> Result<Manifest> {
        if self.reader.is_some() {
            // Everything matched; lines past the journal (if any) were never committed.
            self.diverge()?;
        }
        let file = match self.writer.take() {
            Some(w) => w
                .into_inner()
                .map_err(|e| io_ctx(&self.path, "writing")(e.into_error()))?,
            None => return Err(Error::new(ErrorKind::Io, "manifest repair lost its file")),
        };
        file.sync_data().map_err(io_ctx(&self.path, "syncing"))?;
        if !self.existed {
            sync_parent(&self.path);
        }
        Ok(Manifest {
            path: self.path,
            file,
            jsonl: self.jsonl,
        })
    }
}

impl Manifest {
    /// Appends the lines of a committed checkpoint and syncs them.
    pub fn append(&mut self, records: &[Record]) -> Result<()> {
        let mut buf = String::with_capacity(records.len() * 120);
        for r in records {
            buf.push_str(&r.manifest_line(self.jsonl.as_deref()));
        }
        self.file
            .write_all(buf.as_bytes())
            .and_then(|_| self.file.sync_data())
            .map_err(io_ctx(&self.path, "appending to"))
    }
}
