//! `openbadges verify FILE... | DIR...`: many inputs on every core.
//!
//! A directory stands for every regular file under it (recursively, in byte order of the path;
//! hidden names — `.x`, such as an interrupted writer's `.NAME.tmp-…` — are skipped). Each input
//! is read with the CLI's input limit checked before reading; a file that cannot be read (missing,
//! a broken symlink, a FIFO or device, over the limit) gets its own error entry and the rest go
//! on. Inputs are verified on `--jobs` threads with one [`Verifier`] (one cache of processed
//! contexts and status-list verdicts) and one [`Memo`] resolver (a status list, DID document or
//! issuer profile is fetched once for the whole run), each thread taking a chunk of up to 512
//! inputs at a time and verifying them together ([`Verifier::verify_many`]: their Ed25519
//! signatures checked in one batch, every report the one verifying the input alone gives).
//! Results are printed in input order as soon as they and every earlier one are done, at most
//! two chunks per thread waiting, so memory stays flat in the number of files. Every input is
//! judged at one instant: `--at`, or the moment the run started.
//!
//! Exit codes (ARCHITECTURE.md): 0 every input verified, 1 some did not, 2 some could not be
//! read (or a usage error).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};

use super::{human, MAX_INPUT_BYTES};
use crate::error::{Error, ErrorKind, Result};
use crate::resolve::{Memo, Resolver};
use crate::verify::{Report, Verifier, VerifyOptions};

/// How `verify` prints.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Format {
    /// The human report (coloured on a terminal).
    Human,
    /// One JSON object for one input, a JSON array for several.
    Json,
    /// One compact JSON report per line.
    Jsonl,
}

/// One input, as named on the command line or found in a directory.
#[derive(Debug)]
enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A path to read (checked when read).
    Path(PathBuf),
    /// Found but not readable as a file: why.
    Unreadable(PathBuf, Error),
}

impl Input {
    fn source(&self) -> String {
        match self {
            Input::Stdin => "-".into(),
            Input::Path(p) | Input::Unreadable(p, _) => p.display().to_string(),
        }
    }
}

/// What one input gave.
enum Verdict {
    Report(Box<Report>),
    Unreadable(String, Error),
}

/// Expands the command line: `-`, files, and directories (every regular file under them).
fn expand(args: &[String]) -> Vec<Input> {
    let mut out = Vec::new();
    for a in args {
        if a == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let p = PathBuf::from(a);
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, &mut out),
            _ => out.push(Input::Path(p)),
        }
    }
    out
}

/// Every file under `dir`, sorted by name at each level; symlinks to directories are not
/// followed (a loop would never end), other symlinks are read as the file they point to.
fn walk(dir: &Path, out: &mut Vec<Input>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            out.push(Input::Unreadable(
                dir.to_path_buf(),
                Error::from(e).context(format!("cannot list {}", dir.display())),
            ));
            return;
        }
    };
    let mut names: Vec<(PathBuf, bool)> = Vec::new();
    for e in entries {
        match e {
            Ok(e) => {
                if e.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let real_dir = e.file_type().is_ok_and(|t| t.is_dir());
                names.push((e.path(), real_dir));
            }
            Err(e) => out.push(Input::Unreadable(
                dir.to_path_buf(),
                Error::from(e).context(format!("cannot list {}", dir.display())),
            )),
        }
    }
    names.sort();
    for (p, is_dir) in names {
        if is_dir {
            walk(&p, out);
        } else {
            out.push(Input::Path(p));
        }
    }
}

/// Reads one input, bounded: only a regular file (a FIFO would block, a device never end) of at
/// most [`MAX_INPUT_BYTES`], checked before reading.
fn read(input: &Input) -> Result<Vec<u8>> {
    let path = match input {
        Input::Stdin => return super::read_input("-"),
        Input::Unreadable(_, e) => return Err(e.clone()),
        Input::Path(p) => p,
    };
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        let broken = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        Error::from(e).context(if broken {
            format!("cannot read {shown} (a symlink to nothing)")
        } else {
            format!("cannot read {shown}")
        })
    })?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a symlink to a directory (not followed)"
        } else {
            file_kind(&meta)
        };
        return Err(Error::new(
            ErrorKind::Io,
            format!("cannot read {shown}: {what}, not a regular file"),
        ));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "{shown}: {} bytes, larger than the {MAX_INPUT_BYTES}-byte input limit; not read",
                meta.len()
            ),
        ));
    }
    let f = std::fs::File::open(path)
        .map_err(|e| Error::from(e).context(format!("cannot read {shown}")))?;
    let mut buf = Vec::with_capacity(meta.len() as usize);
    f.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::from(e).context(format!("cannot read {shown}")))?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("{shown}: grew past the {MAX_INPUT_BYTES}-byte input limit while read"),
        ));
    }
    Ok(buf)
}

#[cfg(unix)]
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn file_kind(_meta: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// Most inputs one worker verifies together ([`Verifier::verify_many`]: their Ed25519
/// signatures checked in one batch). Fewer when there are too few to keep every worker busy.
const CHUNK: usize = 512;

/// Bytes of input a worker holds at once: a chunk of large files is verified in parts.
const CHUNK_BYTES: usize = 64 << 20;

/// One input read and verified alone (`--one-by-one`).
fn verify_one(verifier: &Verifier, input: &Input) -> Verdict {
    let source = input.source();
    match read(input).and_then(|bytes| {
        verifier
            .verify_bytes(&bytes)
            .map_err(|e| e.context(format!("in {source}")))
    }) {
        Ok(mut r) => {
            r.source = Some(source);
            Verdict::Report(Box::new(r))
        }
        Err(e) => Verdict::Unreadable(source, e),
    }
}

/// Reads and verifies `inputs` together: for each, the verdict [`verify_one`] gives.
fn verify_chunk(verifier: &Verifier, inputs: &[Input]) -> Vec<Verdict> {
    let mut verdicts: Vec<Option<Verdict>> = inputs.iter().map(|_| None).collect();
    let mut read_so_far: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut bytes = 0;
    let flush = |read_so_far: &mut Vec<(usize, Vec<u8>)>, verdicts: &mut [Option<Verdict>]| {
        let all: Vec<&[u8]> = read_so_far.iter().map(|(_, b)| b.as_slice()).collect();
        let reports = verifier.verify_many(&all);
        for ((i, _), report) in read_so_far.iter().zip(reports) {
            let source = inputs[*i].source();
            verdicts[*i] = Some(match report {
                Ok(mut r) => {
                    r.source = Some(source);
                    Verdict::Report(Box::new(r))
                }
                Err(e) => {
                    let e = e.context(format!("in {source}"));
                    Verdict::Unreadable(source, e)
                }
            });
        }
        read_so_far.clear();
    };
    for (i, input) in inputs.iter().enumerate() {
        match read(input) {
            Ok(b) => {
                bytes += b.len();
                read_so_far.push((i, b));
                if bytes >= CHUNK_BYTES {
                    flush(&mut read_so_far, &mut verdicts);
                    bytes = 0;
                }
            }
            Err(e) => verdicts[i] = Some(Verdict::Unreadable(input.source(), e)),
        }
    }
    flush(&mut read_so_far, &mut verdicts);
    verdicts
        .into_iter()
        .zip(inputs)
        .map(|(v, input)| {
            // Every slot is filled above: an input is either read (and verified) or not.
            v.unwrap_or_else(|| {
                Verdict::Unreadable(
                    input.source(),
                    Error::new(ErrorKind::Io, "internal: not verified"),
                )
            })
        })
        .collect()
}

/// The JSON of an input that could not be read: the report contract (`verified`, `checks`)
/// plus `error`.
fn error_json(source: &str, e: &Error) -> Value {
    json!({
        "verified": false,
        "source": source,
        "error": {"kind": e.kind().as_str(), "message": e.to_string()},
        "checks": [],
    })
}

/// The tallies for the closing line and the exit code.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
struct Tally {
    verified: usize,
    not_verified: usize,
    unreadable: usize,
}

/// Writes to standard output; a closed pipe ends the run quietly.
struct Out {
    out: std::io::BufWriter<std::io::Stdout>,
}

impl Out {
    fn write(&mut self, text: &str) -> Result<()> {
        match self.out.write_all(text.as_bytes()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            Err(e) => Err(e.into()),
        }
    }
    fn flush(&mut self) -> Result<()> {
        match self.out.flush() {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            Err(e) => Err(e.into()),
        }
    }
}

fn pretty(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::new(ErrorKind::Io, e.to_string()))
}

/// Verifies `args` (files, directories, `-`) with `options` on `jobs` threads and prints in
/// `format`; returns the exit code. `batch`: each thread verifies a chunk of inputs together
/// (else one by one; the output is the same).
pub(super) fn run(
    args: &[String],
    options: VerifyOptions,
    resolver: Arc<dyn Resolver>,
    format: Format,
    jobs: usize,
    batch: bool,
) -> Result<u8> {
    let inputs = expand(args);
    if inputs.is_empty() {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("no files to verify in {}", args.join(", ")),
        ));
    }
    // One instant for the whole run (so status-list verdicts are shared, and the same file gets
    // the same verdict wherever it falls in the run).
    let options = match options.fixed_time() {
        Some(_) => options,
        None => {
            let now = chrono::Utc::now();
            options.at(now)
        }
    };
    let memo: Arc<dyn Resolver> = Arc::new(Memo::new(resolver));
    // Several inputs are the parallelism; one input (a CLR, a presentation) may use the threads
    // for its nested credentials.
    let nested_threads = if inputs.len() == 1 { jobs } else { 1 };
    let verifier = Verifier::new(options.resolver(memo)).with_threads(nested_threads);
    let one = inputs.len() == 1;
    let color = format == Format::Human && std::io::stdout().is_terminal();
    let mut out = Out {
        out: std::io::BufWriter::new(std::io::stdout()),
    };
    let mut tally = Tally::default();
    if format == Format::Json && !one {
        out.write("[")?;
    }
    // Each worker takes a chunk of inputs at a time (and verifies them together unless asked
    // not to), at most two chunks per worker waiting for an earlier one to be printed. Handing
    // over chunks rather than files also saved ~10 % of the CPU time per file.
    let chunk = inputs.len().div_ceil(jobs.max(1)).clamp(1, CHUNK);
    super::parallel::ordered_chunks(
        inputs.len(),
        chunk,
        jobs,
        jobs * 2,
        "verified",
        |range| {
            if batch {
                verify_chunk(&verifier, &inputs[range])
            } else {
                inputs[range]
                    .iter()
                    .map(|input| verify_one(&verifier, input))
                    .collect()
            }
        },
        |i, verdict| {
            let text = match (&verdict, format) {
                (Verdict::Report(r), Format::Human) => human(r, color),
                (Verdict::Unreadable(src, e), Format::Human) => {
                    let t =
                        format!("NOT VERIFIED (could not read the input): {src}\n  error: {e}\n");
                    if color {
                        format!("\x1b[31m{}\x1b[0m\n", t.trim_end())
                    } else {
                        t
                    }
                }
                (v, Format::Jsonl) => {
                    let line = match v {
                        Verdict::Report(r) => serde_json::to_string(r),
                        Verdict::Unreadable(src, e) => serde_json::to_string(&error_json(src, e)),
                    }
                    .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
                    format!("{line}\n")
                }
                (v, Format::Json) => {
                    let text = match v {
                        Verdict::Report(r) => pretty(r)?,
                        Verdict::Unreadable(src, e) => pretty(&error_json(src, e))?,
                    };
                    if one {
                        format!("{text}\n")
                    } else {
                        // The element as `serde_json::to_string_pretty` writes it in an array.
                        let sep = if i == 0 { "\n  " } else { ",\n  " };
                        format!("{sep}{}", text.replace('\n', "\n  "))
                    }
                }
            };
            match &verdict {
                Verdict::Report(r) if r.verified => tally.verified += 1,
                Verdict::Report(_) => tally.not_verified += 1,
                Verdict::Unreadable(_, e) => {
                    tally.unreadable += 1;
                    // Said on standard error too, whatever the format: a log shows which file.
                    eprintln!("openbadges: {e}");
                }
            }
            out.write(&text)?;
            // Streamed output reaches a reader as each input is judged.
            if format == Format::Jsonl || one {
                out.flush()?;
            }
            Ok::<(), Error>(())
        },
    )?;
    if format == Format::Json && !one {
        out.write("\n]\n")?;
    }
    out.flush()?;
    eprintln!(
        "{} verified, {} not verified, {} unreadable",
        tally.verified, tally.not_verified, tally.unreadable
    );
    Ok(if tally.unreadable > 0 {
        2
    } else if tally.not_verified > 0 {
        1
    } else {
        0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_sorted_recursive_without_hidden_files() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        for f in ["z.json", "a.json", ".tmp-x", "b/c/y.json", "b/x.json"] {
            std::fs::write(root.join(f), b"{}").unwrap();
        }
        let got: Vec<String> = expand(&[root.display().to_string()])
            .iter()
            .map(|i| i.source())
            .collect();
        let want: Vec<String> = ["a.json", "b/c/y.json", "b/x.json", "z.json"]
            .iter()
            .map(|f| root.join(f).display().to_string())
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn special_and_oversized_files_are_refused_unread() {
        let d = tempfile::tempdir().unwrap();
        let big = d.path().join("big.json");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_INPUT_BYTES + 1)
            .unwrap();
        let e = read(&Input::Path(big)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        let e = read(&Input::Path(d.path().join("missing.json"))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        #[cfg(unix)]
        {
            let link = d.path().join("dangling.json");
            std::os::unix::fs::symlink(d.path().join("nowhere"), &link).unwrap();
            let e = read(&Input::Path(link)).unwrap_err();
            assert!(e.to_string().contains("symlink to nothing"), "{e}");
        }
    }
}
