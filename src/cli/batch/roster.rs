//! The roster: a CSV file read one record at a time (never held whole), each row checked and
//! turned into a recipient. Bad rows are reported as `roster.csv:LINE: reason`.

use std::fs::File;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};

/// One good roster row.
pub(super) struct Row {
    /// The roster line the record starts on (the header is line 1).
    pub line: u64,
    /// The `name` column.
    pub name: String,
    /// Who earns the badge.
    pub recipient: Recipient,
}

/// Who earns a badge: an e-mail address (lower-cased; hashed in the badge) or a DID.
pub(super) enum Recipient {
    Email(String),
    Did(String),
}

impl Recipient {
    /// The address or DID as written in the manifest and the journal.
    pub fn as_str(&self) -> &str {
        match self {
            Recipient::Email(e) | Recipient::Did(e) => e,
        }
    }

    /// The identity the badge's digest is taken over (`mailto:` for e-mail).
    fn identity(&self) -> String {
        match self {
            Recipient::Email(e) => format!("mailto:{e}"),
            Recipient::Did(d) => d.clone(),
        }
    }
}

/// The digest naming a badge: SHA-256 of `ACHIEVEMENT_ID|RECIPIENT`. Its first 12 bytes name
/// the file, its first 16 the credential id, so a re-issue gets the same file and id.
pub(super) fn digest(achievement_id: &str, r: &Recipient) -> [u8; 32] {
    Sha256::digest(format!("{achievement_id}|{}", r.identity()).as_bytes()).into()
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

fn valid_did(d: &str) -> bool {
    d.starts_with("did:") && d.len() > 4 && !d.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A roster being read.
pub(super) struct Roster {
    path: PathBuf,
    rdr: csv::Reader<File>,
    record: csv::StringRecord,
    name_col: usize,
    email_col: Option<usize>,
    did_col: Option<usize>,
}

impl Roster {
    /// Opens `path` and checks its header row.
    pub fn open(path: &Path) -> Result<Self> {
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
            Error::new(
                ErrorKind::Usage,
                format!(
                    "{}:1: missing column `name` (the header row needs name and email, or name and did)",
                    path.display()
                ),
            )
        })?;
        let email_col = col("email");
        let did_col = col("did");
        if email_col.is_none() && did_col.is_none() {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("{}:1: missing column `email` (or `did`)", path.display()),
            ));
        }
        Ok(Roster {
            path: path.to_path_buf(),
            rdr,
            record: csv::StringRecord::new(),
            name_col,
            email_col,
            did_col,
        })
    }

    /// The next row: `Ok(Some(Ok(row)))`, a bad row `Ok(Some(Err("roster.csv:LINE: reason")))`,
    /// or `Ok(None)` at the end. `Err` when the file cannot be read any further.
    pub fn next_row(&mut self) -> Result<Option<std::result::Result<Row, String>>> {
        let at = self.rdr.position().line();
        match self.rdr.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.record.position().map_or(at, |p| p.line());
                Ok(Some(self.row(line)))
            }
            Err(e) => {
                let line = e.position().map_or(at, |p| p.line());
                match e.kind() {
                    csv::ErrorKind::Io(_) => Err(Error::new(
                        ErrorKind::Io,
                        format!("{}:{line}: {e}", self.path.display()),
                    )),
                    _ => Ok(Some(Err(format!("{}:{line}: {e}", self.path.display())))),
                }
            }
        }
    }

    fn row(&self, line: u64) -> std::result::Result<Row, String> {
        let get = |c: Option<usize>| c.and_then(|c| self.record.get(c)).unwrap_or("");
        let name = get(Some(self.name_col)).to_string();
        let email = get(self.email_col);
        let did = get(self.did_col);
        let path = self.path.display();
        let recipient = if !did.is_empty() {
            if !valid_did(did) {
                return Err(format!(
                    "{path}:{line}: malformed did `{did}` (expected did:method:…)"
                ));
            }
            Recipient::Did(did.to_string())
        } else if valid_email(email) {
            Recipient::Email(email.to_lowercase())
        } else {
            return Err(format!(
                "{path}:{line}: malformed e-mail `{email}` (expected name@domain.tld)"
            ));
        };
        Ok(Row {
            line,
            name,
            recipient,
        })
    }
}

/// Counts the records in a roster quickly (newlines; an estimate when fields span lines), for a
/// progress bar.
pub(super) fn estimate_rows(path: &Path) -> u64 {
    use std::io::Read;
    let Ok(mut f) = File::open(path) else {
        return 0;
    };
    let mut buf = vec![0u8; 1 << 16];
    let mut lines = 0u64;
    while let Ok(n) = f.read(&mut buf) {
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    lines.saturating_sub(1)
}
