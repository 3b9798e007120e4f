//! The district-wide report: every teacher valued under one policy, for payroll — one folder
//! or one file (a CLR, a wallet export) per teacher, valued in parallel, written as CSV and JSON
//! a human resources office can load.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{CreditPolicy, Valuation};
use crate::error::{Error, ErrorKind, Result};
use crate::portfolio::{Intake, Portfolio};
use crate::stack::{progress_all, StackSet};
use crate::verify::Verifier;

/// Largest credential file read for a report (a CLR of 1,000 credentials fits).
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Most files in one teacher's folder.
pub const MAX_FILES_PER_TEACHER: usize = 2_000;

/// One teacher's input: a folder of credential files, or one file (a CLR, a wallet export).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Teacher {
    /// The folder or file name (without extension): the teacher's row label.
    pub name: String,
    /// The folder or file.
    pub source: PathBuf,
    /// The credential files.
    pub files: Vec<PathBuf>,
}

/// The teachers in `dir`: each sub-folder is one teacher (every file in it), each file one
/// teacher (a CLR or a wallet export). Hidden entries are skipped; order is by name.
pub fn teachers_in(dir: &Path) -> Result<Vec<Teacher>> {
    let read = |d: &Path| -> Result<Vec<PathBuf>> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .map_err(|e| Error::from(e).context(format!("cannot read {}", d.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                !p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
            })
            .collect();
        v.sort();
        Ok(v)
    };
    let mut out = Vec::new();
    for entry in read(dir)? {
        let name = entry
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if entry.is_dir() {
            let files: Vec<PathBuf> = read(&entry)?.into_iter().filter(|p| p.is_file()).collect();
            if files.len() > MAX_FILES_PER_TEACHER {
                return Err(Error::limit(format!(
                    "{} holds {} files; a teacher's folder holds at most {MAX_FILES_PER_TEACHER}",
                    entry.display(),
                    files.len()
                )));
            }
            out.push(Teacher {
                name,
                source: entry,
                files,
            });
        } else if entry.is_file() {
            out.push(Teacher {
                name,
                files: vec![entry.clone()],
                source: entry,
            });
        }
    }
    Ok(out)
}

/// One teacher's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeacherValuation {
    /// The row label (folder or file name).
    pub teacher: String,
    /// The folder or file.
    pub source: String,
    /// Who the credentials were issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    /// The valuation, when one could be made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valuation: Option<Valuation>,
    /// Why this teacher could not be valued (several holders, an unreadable file…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Every teacher valued under one policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyReport {
    /// The policy's id.
    pub policy: String,
    /// Its name.
    pub policy_name: String,
    /// The time the credentials were judged at.
    pub at: DateTime<Utc>,
    /// The units, in column order.
    pub units: Vec<String>,
    /// One row per teacher, in input order.
    pub teachers: Vec<TeacherValuation>,
}

/// A teacher's files as read, `(name shown, bytes)`, up to the first that could not be (and
/// why).
struct Read {
    files: Vec<(String, Vec<u8>)>,
    failed: Option<Error>,
}

fn read_one(f: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(f)
        .map_err(|e| Error::from(e).context(format!("cannot read {}", f.display())))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::limit(format!(
            "{} is {} bytes; at most {MAX_FILE_BYTES}",
            f.display(),
            meta.len()
        )));
    }
    std::fs::read(f).map_err(|e| Error::from(e).context(format!("cannot read {}", f.display())))
}

fn read_files(teacher: &Teacher) -> Read {
    let mut files = Vec::with_capacity(teacher.files.len());
    for f in &teacher.files {
        match read_one(f) {
            Ok(bytes) => files.push((f.display().to_string(), bytes)),
            Err(e) => {
                return Read {
                    files,
                    failed: Some(e),
                }
            }
        }
    }
    Read {
        files,
        failed: None,
    }
}

/// A worker takes teachers until their files number this many (or [`GROUP_BYTES`], or its share
/// of the files when there are few), verifies every credential of theirs in one
/// [`Verifier::verify_many_of`] — so a district of 30-badge folders still checks its Ed25519
/// signatures in batches — then values each teacher's portfolio on its own.
const GROUP_FILES: usize = crate::verify::MANY_CHUNK;
/// The bytes read for one group of teachers after which it takes no more.
const GROUP_BYTES: usize = 64 << 20;

/// Values each teacher of `group` from the files read: for each, the row valuing that teacher
/// alone gives (read a file, add it to the portfolio, the next file…; the first failure is the
/// row's error), with every teacher's credentials verified together.
fn value_group(
    group: &[Read],
    policy: &CreditPolicy,
    stacks: Option<&StackSet>,
    verifier: &Verifier,
    now: DateTime<Utc>,
) -> Vec<Result<(Option<String>, Valuation)>> {
    let inputs: Vec<Vec<(&str, &[u8])>> = group
        .iter()
        .map(|read| {
            read.files
                .iter()
                .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
                .collect()
        })
        .collect();
    let intakes: Vec<Intake<'_>> = inputs.iter().map(|i| Intake::new(i)).collect();
    let wanted: Vec<Vec<crate::verify::Verifiable<'_>>> =
        intakes.iter().map(Intake::to_verify).collect();
    let counts: Vec<usize> = wanted.iter().map(Vec::len).collect();
    let all: Vec<crate::verify::Verifiable<'_>> = wanted.into_iter().flatten().collect();
    let mut reports = verifier.verify_many_of(&all).into_iter();
    group
        .iter()
        .zip(intakes)
        .zip(counts)
        .map(|((read, intake), n)| {
            let theirs: Vec<_> = reports.by_ref().take(n).collect();
            let mut folio = Portfolio::new();
            intake.add_to(&mut folio, theirs)?;
            if let Some(e) = &read.failed {
                return Err(e.clone());
            }
            let holder = folio.one_holder()?;
            let progress = match stacks {
                Some(set) => progress_all(set, &folio, now)?,
                None => Vec::new(),
            };
            Ok((holder, policy.value(&folio, &progress)?))
        })
        .collect()
}

/// Values every teacher under `policy` (with `stacks` when its steps name stacks), `jobs` at a
/// time, calling `tick` as each teacher is done (a progress bar). A teacher who cannot be valued
/// (credentials of several holders, an unreadable file) gets a row saying why; the others are
/// valued regardless.
///
/// # Example
/// ```
/// use openbadges::policy::{report, CreditPolicy};
/// use openbadges::verify::{Verifier, VerifyOptions};
/// let dir = std::env::temp_dir().join(format!("ob-report-doc-{}", std::process::id()));
/// std::fs::create_dir_all(dir.join("maria"))?;
/// std::fs::write(dir.join("maria/notes.txt"), b"not a badge")?;
/// let policy = CreditPolicy::from_json(&serde_json::json!({"id": "urn:p", "name": "Hours",
///     "values": [{"any": true, "amount": 4, "unit": "in-service hours"}]}))?;
/// let teachers = report::teachers_in(&dir)?;
/// let r = report::value_all(&policy, None, &teachers, &Verifier::new(VerifyOptions::default()),
///     chrono::Utc::now(), 2, &|| {});
/// assert_eq!(r.teachers[0].teacher, "maria");
/// assert!(r.to_csv().starts_with("teacher,source,holder,counted,not counted,in-service hours,"));
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn value_all(
    policy: &CreditPolicy,
    stacks: Option<&StackSet>,
    teachers: &[Teacher],
    verifier: &Verifier,
    now: DateTime<Utc>,
    jobs: usize,
    tick: &(dyn Fn() + Sync),
) -> PolicyReport {
    let next = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<TeacherValuation>>> = Mutex::new(vec![None; teachers.len()]);
    let jobs = jobs.clamp(1, 64).min(teachers.len().max(1));
    // Groups small enough that every worker gets some.
    let total: usize = teachers.iter().map(|t| t.files.len()).sum();
    let group_files = total.div_ceil(jobs).clamp(1, GROUP_FILES);
    // The workers are the parallelism: a CLR's nested credentials stay on its worker's thread.
    let single;
    let verifier = if jobs > 1 {
        single = verifier.clone().with_threads(1);
        &single
    } else {
        verifier
    };
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                // A group of teachers, taken one at a time until it holds enough files.
                let mut group = Vec::new();
                let (mut files, mut bytes) = (0, 0);
                while files < group_files && bytes < GROUP_BYTES {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(t) = teachers.get(i) else { break };
                    let read = read_files(t);
                    files += read.files.len();
                    bytes += read.files.iter().map(|(_, b)| b.len()).sum::<usize>();
                    group.push((i, read));
                }
                if group.is_empty() {
                    break;
                }
                let (index, reads): (Vec<usize>, Vec<Read>) = group.into_iter().unzip();
                let values = value_group(&reads, policy, stacks, verifier, now);
                drop(reads);
                for (i, value) in index.into_iter().zip(values) {
                    let t = &teachers[i];
                    let row = match value {
                        Ok((holder, v)) => TeacherValuation {
                            teacher: t.name.clone(),
                            source: t.source.display().to_string(),
                            holder,
                            valuation: Some(v),
                            error: None,
                        },
                        Err(e) => TeacherValuation {
                            teacher: t.name.clone(),
                            source: t.source.display().to_string(),
                            holder: None,
                            valuation: None,
                            error: Some(e.to_string()),
                        },
                    };
                    if let Ok(mut rows) = rows.lock() {
                        rows[i] = Some(row);
                    }
                    tick();
                }
            });
        }
    });
    let teachers: Vec<TeacherValuation> = rows
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect();
    // Every unit the policy can produce, then any other a valuation has, in a stable order.
    let mut units: Vec<String> = policy
        .values
        .iter()
        .map(|v| v.unit.clone())
        .chain(policy.conversions.iter().map(|c| c.unit.clone()))
        .chain(policy.steps.iter().map(|s| s.unit.clone()))
        .collect();
    for t in &teachers {
        for total in t.valuation.iter().flat_map(|v| &v.totals) {
            units.push(total.unit.clone());
        }
    }
    units.sort();
    units.dedup();
    PolicyReport {
        policy: policy.id.clone(),
        policy_name: policy.name.clone(),
        at: now,
        units,
        teachers,
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(['=', '+', '-', '@']) {
        // Quoted; a leading formula character is neutralised for spreadsheets.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn amount(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

impl PolicyReport {
    /// The report as CSV: one row per teacher — `teacher`, `source`, `holder`, `counted`,
    /// `not counted`, one column per unit (after caps), `steps reached`, `not counted: why`
    /// (`source: reason` joined by ` | `), `error`.
    pub fn to_csv(&self) -> String {
        let mut header = vec![
            "teacher".to_string(),
            "source".into(),
            "holder".into(),
            "counted".into(),
            "not counted".into(),
        ];
        header.extend(self.units.iter().cloned());
        header.extend([
            "steps reached".to_string(),
            "not counted: why".into(),
            "error".into(),
        ]);
        let mut out = header
            .iter()
            .map(|h| csv_field(h))
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
        for t in &self.teachers {
            let mut row = vec![
                t.teacher.clone(),
                t.source.clone(),
                t.holder.clone().unwrap_or_default(),
            ];
            match &t.valuation {
                Some(v) => {
                    let not: Vec<String> = v
                        .credentials
                        .iter()
                        // Endorsements and CLR wrappers are not badges: not listed.
                        .filter(|c| {
                            !c.counted
                                && c.exclusion
                                    != Some(crate::portfolio::Exclusion::NotAMember {
                                        achievement: None,
                                    })
                        })
                        .map(|c| {
                            format!(
                                "{}: {}",
                                c.source,
                                c.exclusion
                                    .as_ref()
                                    .map(ToString::to_string)
                                    .unwrap_or_default()
                            )
                        })
                        .collect();
                    row.push(v.counted.to_string());
                    row.push(not.len().to_string());
                    for u in &self.units {
                        row.push(amount(
                            v.totals
                                .iter()
                                .find(|x| x.unit == *u)
                                .map_or(0.0, |x| x.amount),
                        ));
                    }
                    row.push(
                        v.steps
                            .iter()
                            .filter(|s| s.reached)
                            .map(|s| s.name.clone())
                            .collect::<Vec<_>>()
                            .join(" | "),
                    );
                    row.push(not.join(" | "));
                    row.push(String::new());
                }
                None => {
                    row.extend(["".to_string(), "".to_string()]);
                    row.extend(self.units.iter().map(|_| String::new()));
                    row.extend([
                        String::new(),
                        String::new(),
                        t.error.clone().unwrap_or_default(),
                    ]);
                }
            }
            out.push_str(
                &row.iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push('\n');
        }
        out
    }

    /// How many teachers could not be valued.
    pub fn errors(&self) -> usize {
        self.teachers.iter().filter(|t| t.error.is_some()).count()
    }

    /// Writes the CSV and/or the JSON form, each atomically (a reader never sees half a file).
    pub fn write(&self, csv: Option<&Path>, json: Option<&Path>) -> Result<()> {
        if let Some(p) = csv {
            crate::atomic_file::write(p, self.to_csv().as_bytes(), 0o644)?;
        }
        if let Some(p) = json {
            let text = serde_json::to_string_pretty(self)
                .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
            crate::atomic_file::write(p, format!("{text}\n").as_bytes(), 0o644)?;
        }
        Ok(())
    }
}
