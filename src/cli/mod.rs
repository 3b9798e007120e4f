//! The `openbadges` command (feature `cli`). Thin: every command calls the library; the flags,
//! JSON output and exit codes are the contract in ARCHITECTURE.md (0 verified / done, 1 a
//! verification failed, 2 usage or I/O error).

mod award;
mod batch;
mod issuer;
mod parallel;
mod programs;
#[cfg(feature = "server")]
mod serve;
mod verify;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, Subcommand};
use serde_json::{json, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::issue::{Issuer, Securing};
use crate::keys::{IssuerKey, KeyAlgorithm, SigningKey};
use crate::proof::{Expectations, ProofVerifier, Suite};
use crate::status::{Purpose, StatusListStore};
use crate::verify::{Report, TrustList, VerifyOptions};

/// The sample micro-credential used by `speed` (fixtures/sample-microcredential.json).
pub const SAMPLE_CREDENTIAL: &str = include_str!("../../fixtures/sample-microcredential.json");

#[derive(Parser)]
#[command(
    name = "openbadges",
    version,
    about = "Open Badges 3.0: keys, issue, verify, lint, revoke, speed"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct KeyArgs {
    /// Key file written by `openbadges keygen` (JSON with secretKeyMultibase).
    #[arg(long, conflicts_with = "seed")]
    key: Option<PathBuf>,
    /// 32-byte Ed25519 seed as 64 hex characters (for tests and demos).
    #[arg(long)]
    seed: Option<String>,
}

/// Who signs: a key (file or seed), or an issuer directory's current key and profile.
#[derive(clap::Args, Clone)]
struct SignerArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// Sign as the issuer in this directory (`openbadges issuer init`), with its current key.
    #[arg(long, conflicts_with_all = ["key", "seed"])]
    issuer_dir: Option<PathBuf>,
}

impl SignerArgs {
    /// The issuer directory's issuer, or `profile` (no id: the key's did:key) with the key.
    fn issuer(&self, profile: Value) -> Result<Issuer> {
        match &self.issuer_dir {
            Some(d) => crate::issuer::IssuerDir::open(d)?.issuer(),
            None if self.key.key.is_none() && self.key.seed.is_none() => Err(Error::new(
                ErrorKind::Usage,
                "give --key FILE, --seed HEX32 or --issuer-dir DIR",
            )),
            None => Issuer::new(profile, load_key(&self.key)?),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Generate an Ed25519 key: prints {"did", "publicKeyMultibase", "secretKeyMultibase"}, or
    /// with --out writes that to a new owner-only file and prints only the public parts.
    ///
    /// Example: openbadges keygen --out issuer-key.json
    #[command(
        after_help = "Example:\n  openbadges keygen --out issuer-key.json\n  openbadges keygen --seed 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n\nA key file given to --key must be readable by its owner only (chmod 600); --out writes it so."
    )]
    Keygen {
        /// Write the key to this new file (mode 0600, atomically; an existing file is never
        /// replaced) and print only its public parts.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Derive the key from this 32-byte seed (64 hex characters) instead of randomly.
        #[arg(long)]
        seed: Option<String>,
        /// A VC-JWT key instead: `p256` (ES256) or `rsa` (RS256, 2048 bits); prints
        /// {"publicKeyJwk", "privateKeyJwk"}.
        #[arg(long, value_name = "p256|rsa", conflicts_with = "seed")]
        jwt: Option<String>,
    },
    /// Sign a credential; prints the signed credential. Fills a missing issuer id (the key's
    /// did:key), `id` (urn:uuid) and `validFrom` (now).
    #[command(
        after_help = "Example:\n  openbadges issue --key issuer-key.json badge.json > signed.json\n  openbadges issue --seed $SEED --suite eddsa-jcs-2022 - < badge.json\n  openbadges issue --issuer-dir riverside/ badge.json > signed.json"
    )]
    Issue {
        #[command(flatten)]
        signer: SignerArgs,
        /// eddsa-rdfc-2022 | eddsa-jcs-2022 | Ed25519Signature2020 | jwt-eddsa | jwt-es256 | jwt-rs256
        #[arg(long, default_value = "eddsa-rdfc-2022")]
        suite: String,
        /// Allocate a status-list index in this store and add the credentialStatus entry.
        #[arg(long)]
        status_store: Option<PathBuf>,
        /// The unsigned credential (JSON), or - for standard input.
        file: String,
    },
    /// Verify credentials (files, or every file in a directory) on every core; exit 0 if every
    /// input verified, 1 if any failed, 2 if any could not be read or on a usage error.
    #[command(
        after_help = "Example:\n  openbadges verify signed.json\n  openbadges verify --json --at 2027-01-01T00:00:00Z --trust trusted.json --resource https://district.example/status/1=list.json badge1.json badge2.json\n  openbadges verify --jsonl --resource https://district.example/status/1=list.json badges/ > reports.jsonl\n\nA directory stands for every regular file under it (recursively, sorted; hidden files skipped).\nA file that cannot be read (missing, a broken symlink, a FIFO, over 32 MiB) gets its own error\nand the others are verified. Results come in input order; standard error ends with\n\"N verified, M not verified, K unreadable\"."
    )]
    Verify {
        /// One JSON report per input (an object for one input, an array for several).
        #[arg(long, conflicts_with = "jsonl")]
        json: bool,
        /// One compact JSON report per line, printed as the inputs are judged (in input order, a
        /// chunk of up to 512 at a time).
        #[arg(long)]
        jsonl: bool,
        /// Inputs verified at a time (default: the number of CPUs).
        #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=256))]
        jobs: Option<usize>,
        /// Check each input's signatures on their own instead of together with the other
        /// inputs' (Ed25519 batch verification). The reports are the same either way; this is
        /// slower, and is there to compare.
        #[arg(long)]
        one_by_one: bool,
        /// Judge dates as of this RFC 3339 time instead of now.
        #[arg(long)]
        at: Option<String>,
        /// Trust list file: {"issuers": [{"id": …, "achievements": […]}]}.
        #[arg(long)]
        trust: Option<PathBuf>,
        /// Never use the network: a DID document, issuer profile or status list not given with
        /// --resource leaves the verdict "could not check", naming the document. Without it,
        /// remote documents are fetched through the hardened fetcher (https only, no private
        /// addresses, 1 MiB, timeouts).
        #[arg(long)]
        offline: bool,
        /// Serve a remote document (status list, DID document, issuer profile) from a file.
        #[arg(long = "resource", value_name = "URL=FILE")]
        resources: Vec<String>,
        /// Conformance findings (OB 3.0 JSON Schema, data model, subject identification, short
        /// status lists) are fatal: the 1EdTech validator's outcome, for an issuer's own checks.
        #[arg(long)]
        strict: bool,
        /// The teacher the badges must be for: a DID or URL, or an e-mail address (matched
        /// against plain and hashed identifiers).
        #[arg(long)]
        recipient: Option<String>,
        /// The challenge a presentation's proof must carry.
        #[arg(long)]
        challenge: Option<String>,
        /// The domain a presentation's proof must carry.
        #[arg(long)]
        domain: Option<String>,
        /// Credential files (JSON-LD, VC-JWT, baked PNG/SVG, presentation, CLR), directories of
        /// them, or - for standard input.
        #[arg(required = true, value_name = "FILE|DIR")]
        files: Vec<String>,
    },
    /// Issuer-side checks a 1EdTech validator would fail; exit 1 if any error-level finding.
    #[command(
        after_help = "Example:\n  openbadges lint badge.json\n  openbadges lint --json badge.json"
    )]
    Lint {
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
        /// The credential file, or -.
        file: String,
    },
    /// Run a status list: init, revoke, suspend, reinstate, publish.
    #[command(subcommand)]
    Status(StatusCommand),
    /// Sign one badge per roster row (CSV with name and email, or did), on every core;
    /// resumable, nothing lost: badges become durable at checkpoints, recorded in a journal and
    /// a manifest.csv, and a re-run (after any interruption) skips what was committed.
    #[command(
        after_help = "Example:\n  openbadges issue-batch --roster roster.csv --achievement growth-mindset.json --key issuer-key.json --out badges/\n  openbadges issue-batch --roster roster.csv --achievement growth-mindset.json --key issuer-key.json --out badges.jsonl\n\nWrites DIR/<digest>.json per badge plus DIR/manifest.csv and DIR/issue-batch.journal\n(for FILE.jsonl: one badge per line, FILE.jsonl.manifest.csv and FILE.jsonl.journal)."
    )]
    IssueBatch {
        /// CSV with a header row and the columns `name` and `email` (or `did`).
        #[arg(long)]
        roster: PathBuf,
        /// The OB 3.0 Achievement (JSON object) every row earns.
        #[arg(long)]
        achievement: PathBuf,
        #[command(flatten)]
        signer: SignerArgs,
        /// Output directory (one signed credential file per row), or a FILE.jsonl (one
        /// credential per line, appended).
        #[arg(long)]
        out: PathBuf,
        /// eddsa-rdfc-2022 | eddsa-jcs-2022 | Ed25519Signature2020
        #[arg(long, default_value = "eddsa-rdfc-2022")]
        suite: String,
        /// Allocate status-list indexes in this store.
        #[arg(long)]
        status_store: Option<PathBuf>,
        /// Make badges durable and journal them every N badges (and at the end).
        #[arg(long, value_name = "N", default_value_t = batch::DEFAULT_CHECKPOINT, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
        checkpoint_every: usize,
    },
    /// Decide rubric-scored submissions under a review policy and issue the awards (parallel,
    /// resumable); `award explain BADGE` checks the review trail a badge carries.
    #[command(
        after_help = "Example:\n  openbadges award --achievement fg.json --policy review.toml --submissions submissions.csv --reviews reviews.csv --issuer-dir riverside/ --assessor-keys assessor-keys/ --qualifications assessor-badges/ --out awards/\n  openbadges award explain awards/3f2a9c0d1e4b5a6c7d8e9f00.json\n\nWrites one badge per award, manifest.json, not-yet.csv (teacher, criterion, level reached, required, comments) and pending.csv; a re-run skips awards already issued. Exit 1 if any row was broken (those teachers are held: nothing awarded)."
    )]
    Award(award::AwardArgs),
    /// Bake a credential (JSON-LD or compact JWS) into a PNG or SVG badge image.
    #[command(
        after_help = "Example:\n  openbadges bake --credential signed.json badge.png -o baked.png"
    )]
    Bake {
        /// The credential file (JSON-LD or a compact JWS).
        #[arg(long)]
        credential: PathBuf,
        /// The PNG or SVG image.
        image: PathBuf,
        /// Where to write the baked image.
        #[arg(short = 'o', long = "out")]
        out: PathBuf,
    },
    /// Print the credential baked into a PNG or SVG image, exactly as baked.
    #[command(after_help = "Example:\n  openbadges extract baked.png > credential.json")]
    Extract {
        /// The PNG or SVG image.
        image: PathBuf,
    },
    /// List every credential in a file (JSON-LD, JWT, baked PNG/SVG, presentation, CLR, OB 2.0).
    #[command(
        after_help = "Example:\n  openbadges import wallet-export.json\n  openbadges import --from https://badges.example --token $TOKEN"
    )]
    Import {
        /// The file, or -.
        #[arg(required_unless_present = "from")]
        file: Option<String>,
        /// Pull every credential from this Open Badges 3.0 API host instead (its base URL).
        #[cfg(feature = "http")]
        #[arg(long, requires = "token", conflicts_with = "file")]
        from: Option<String>,
        /// The bearer token for --from (scope credential.readonly).
        #[cfg(feature = "http")]
        #[arg(long)]
        token: Option<String>,
    },
    /// Sign a Verifiable Presentation of credentials as their holder (authentication proof
    /// bound to the verifier's challenge and domain); prints the presentation.
    #[command(
        after_help = "Example:\n  openbadges present --key teacher-key.json --challenge 7f3c --domain lakeside.example badge1.json badge2.json"
    )]
    Present {
        #[command(flatten)]
        key: KeyArgs,
        /// The verifier's challenge (nonce).
        #[arg(long)]
        challenge: String,
        /// The verifier's domain.
        #[arg(long)]
        domain: Option<String>,
        /// Credential files.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Issuer identity: create an issuer's keys and published documents, rotate keys, retire a
    /// compromised one.
    #[command(subcommand)]
    Issuer(issuer::IssuerCommand),
    /// Run the issuing and verification service: the VC-API, published documents and status
    /// lists (SQLite beside the issuer directory, or PostgreSQL); `serve token create` makes API
    /// tokens.
    #[cfg(feature = "server")]
    #[command(
        after_help = "Example:\n  openbadges serve token create --scope issue --issuer-dir riverside/\n  openbadges serve --issuer-dir riverside/ --listen 0.0.0.0:8443 --tls-self-signed\n  openbadges serve --issuer-dir riverside/ --db postgres://ob@db.internal/ob --public-url https://badges.riverside.example"
    )]
    Serve(serve::ServeArgs),
    /// Run the issuing and verification service — not in this build: it needs the `server`
    /// feature (`cargo install openbadges --features server`).
    #[cfg(not(feature = "server"))]
    #[command(
        after_help = "Example:\n  cargo install openbadges --features server\n  openbadges serve --issuer-dir riverside/ --listen 0.0.0.0:8443 --tls-self-signed"
    )]
    Serve {
        /// Whatever was given (nothing runs without the `server` feature).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Stacks and pathways: progress toward them, and award a completed one.
    #[command(subcommand)]
    Stack(programs::StackCommand),
    /// Credit policies: what a portfolio is worth to a district.
    #[command(subcommand)]
    Policy(programs::PolicyCommand),
    /// CLR 2.0: bundle a teacher's verified credentials into a signed ClrCredential, or verify one.
    #[command(subcommand)]
    Clr(programs::ClrCommand),
    /// Sign and verify ops/s on the built-in sample credential (like `openssl speed`).
    #[command(
        after_help = "Example:\n  openbadges speed --n 2000\n  openbadges speed --suite eddsa-jcs-2022 --json"
    )]
    Speed {
        /// One suite (default: all).
        #[arg(long)]
        suite: Option<String>,
        /// Operations per measurement.
        #[arg(long, default_value_t = 1000)]
        n: u32,
        /// JSON output: {"suite", "n", "sign_per_sec", "verify_per_sec"} per suite.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum StatusCommand {
    /// Create a status-list store whose list will be published at URL.
    #[command(
        after_help = "Example:\n  openbadges status init --store status.json --url https://district.example/status/1"
    )]
    Init {
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        url: String,
        /// revocation (default) or suspension.
        #[arg(long, default_value = "revocation")]
        purpose: String,
    },
    /// Set the revocation bit of a credential (final).
    #[command(after_help = "Example:\n  openbadges status revoke --store status.json signed.json")]
    Revoke {
        #[arg(long)]
        store: PathBuf,
        credential: PathBuf,
    },
    /// Set the suspension bit of a credential.
    #[command(
        after_help = "Example:\n  openbadges status suspend --store suspensions.json signed.json"
    )]
    Suspend {
        #[arg(long)]
        store: PathBuf,
        credential: PathBuf,
    },
    /// Clear the suspension bit of a credential.
    #[command(
        after_help = "Example:\n  openbadges status reinstate --store suspensions.json signed.json"
    )]
    Reinstate {
        #[arg(long)]
        store: PathBuf,
        credential: PathBuf,
    },
    /// Write the signed BitstringStatusListCredential to publish at the store's URL.
    #[command(
        after_help = "Example:\n  openbadges status publish --store status.json --key issuer-key.json -o list.json\n  openbadges status publish --store status.json --issuer-dir riverside/ -o list.json"
    )]
    Publish {
        #[arg(long)]
        store: PathBuf,
        #[command(flatten)]
        signer: SignerArgs,
        /// Issuer id of the list (default: the key's did:key, or the issuer directory's id).
        /// Must be the credentials' issuer.
        #[arg(long, conflicts_with = "issuer_dir")]
        issuer: Option<String>,
        #[arg(short = 'o', long = "out")]
        out: PathBuf,
    },
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("openbadges: {e}");
            ExitCode::from(2)
        }
    }
}

/// Largest input file or standard input read: 32 MiB (a baked image; JSON inputs are then held
/// to the 4 MiB parser limit). Checked before reading, so a 2 GiB file costs nothing.
pub(crate) const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

fn read_input(file: &str) -> Result<Vec<u8>> {
    let too_large = || {
        Error::new(
            ErrorKind::Limit,
            format!("{file}: larger than the {MAX_INPUT_BYTES}-byte input limit"),
        )
    };
    let mut buf = Vec::new();
    if file == "-" {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)?;
    } else {
        let f = std::fs::File::open(file)
            .map_err(|e| Error::from(e).context(format!("cannot read {file}")))?;
        if f.metadata()
            .map(|m| m.len() > MAX_INPUT_BYTES)
            .unwrap_or(false)
        {
            return Err(too_large());
        }
        f.take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::from(e).context(format!("cannot read {file}")))?;
    }
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    Ok(buf)
}

/// Writes to standard output; a closed pipe (`… | head`) ends the program quietly.
fn print_out(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(e.into()),
    }
}

fn read_json(file: &str) -> Result<Value> {
    let bytes = read_input(file)?;
    crate::json::parse(&bytes).map_err(|e| e.context(format!("in {file}")))
}

/// `keygen`: prints the whole key, or writes it to a new owner-only file and prints `public`.
fn write_or_print_key(out: Option<&Path>, full: &Value, public: &Value) -> Result<u8> {
    let Some(path) = out else {
        print_json(full)?;
        return Ok(0);
    };
    let text =
        serde_json::to_string_pretty(full).map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
    crate::atomic_file::write_new(path, format!("{text}\n").as_bytes(), 0o600)?;
    print_json(public)?;
    Ok(0)
}

fn load_key(args: &KeyArgs) -> Result<SigningKey> {
    match (&args.key, &args.seed) {
        // Permissions, a secret that is never echoed, and a matching public key.
        (Some(path), _) => crate::issuer::read_key_file(path),
        (None, Some(seed)) => SigningKey::from_seed_hex(seed).map_err(|e| e.context("--seed")),
        (None, None) => Err(Error::new(
            ErrorKind::Usage,
            "give --key FILE or --seed HEX32",
        )),
    }
}

fn print_json(v: &impl serde::Serialize) -> Result<()> {
    let s =
        serde_json::to_string_pretty(v).map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
    print_out(&format!("{s}\n"))
}

fn parse_suite(s: &str) -> Result<Suite> {
    if s.starts_with("jwt-") {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("--suite {s}: VC-JWT is available for `issue` only, not here"),
        ));
    }
    Suite::from_name(s)
}

/// The key `issue --suite S` signs with: the Ed25519 key (`--key`/`--seed`) for the Data Integrity
/// suites and `jwt-eddsa`, a `privateKeyJwk` in `--key FILE` for `jwt-es256` / `jwt-rs256`.
fn issuing_key(securing: Securing, key: &KeyArgs) -> Result<IssuerKey> {
    let want = match securing {
        Securing::Jwt(alg) if alg != crate::jwt::Algorithm::EdDsa => alg,
        _ => return load_key(key).map(IssuerKey::from),
    };
    let path = key.key.as_ref().ok_or_else(|| {
        Error::new(
            ErrorKind::Usage,
            format!("--suite {} needs --key FILE with a privateKeyJwk (openbadges keygen --jwt p256|rsa)", securing.name()),
        )
    })?;
    let v = crate::issuer::read_secret_file(path)?;
    let jwk = v.get("privateKeyJwk").ok_or_else(|| {
        Error::new(
            ErrorKind::Key,
            format!(
                "{}: no `privateKeyJwk` (write it with `openbadges keygen --jwt p256|rsa`)",
                path.display()
            ),
        )
    })?;
    let k = IssuerKey::from_private_jwk(jwk)?;
    if k.jwt_algorithm() != want {
        return Err(Error::new(
            ErrorKind::Key,
            format!(
                "--suite {} needs a {} key; {} holds a {} key",
                securing.name(),
                want.name(),
                path.display(),
                k.jwt_algorithm().name()
            ),
        ));
    }
    Ok(k)
}

/// An issuer for a credential: its own issuer profile when it has one, else the key's did:key.
pub(crate) fn issuer_for(credential: &Value, key: impl Into<IssuerKey>) -> Result<Issuer> {
    let profile = match credential.get("issuer") {
        Some(Value::Object(o)) => Value::Object(o.clone()),
        Some(Value::String(s)) if !s.is_empty() => json!({"id": s}),
        _ => json!({}),
    };
    Issuer::new(profile, key)
}

fn run(cmd: Command) -> Result<u8> {
    match cmd {
        Command::Keygen {
            seed: _,
            jwt: Some(kind),
            out,
        } => {
            let key = match kind.as_str() {
                "p256" | "rsa" => IssuerKey::generate(KeyAlgorithm::from_name(&kind)?)?,
                other => {
                    return Err(Error::new(
                        ErrorKind::Usage,
                        format!("--jwt {other}: expected p256 or rsa"),
                    ))
                }
            };
            let public = json!({"publicKeyJwk": key.public_jwk()});
            let mut full = public.clone();
            full["privateKeyJwk"] = key.to_private_jwk();
            write_or_print_key(out.as_deref(), &full, &public)
        }
        Command::Keygen {
            seed,
            jwt: None,
            out,
        } => {
            let key = match seed {
                Some(s) => SigningKey::from_seed_hex(&s).map_err(|e| e.context("--seed"))?,
                None => SigningKey::generate(),
            };
            let vk = key.verifying_key();
            let public = json!({"did": vk.did_key(), "publicKeyMultibase": vk.to_multikey()});
            let mut full = public.clone();
            full["secretKeyMultibase"] = json!(key.to_multikey_secret());
            write_or_print_key(out.as_deref(), &full, &public)
        }
        Command::Issue {
            signer:
                SignerArgs {
                    issuer_dir: Some(dir),
                    ..
                },
            suite,
            status_store,
            file,
        } => issuer::issue_with_dir(&dir, &suite, status_store.as_deref(), &file),
        Command::Issue {
            signer: SignerArgs { key, .. },
            suite,
            status_store,
            file,
        } => {
            let securing = Securing::from_name(&suite)?;
            let key = issuing_key(securing, &key)?;
            let credential = read_json(&file)?;
            let issuer = issuer_for(&credential, key)?;
            let mut store = status_store
                .as_deref()
                .map(StatusListStore::load)
                .transpose()?;
            let issued =
                issuer.issue_at(&credential, securing, chrono::Utc::now(), store.as_mut())?;
            if let (Some(store), Some(path)) = (store, status_store) {
                store.save(&path)?;
            }
            print_out(&issued.to_text())?;
            Ok(0)
        }
        Command::Verify {
            json: as_json,
            jsonl,
            jobs,
            one_by_one,
            at,
            trust,
            offline,
            resources,
            strict,
            recipient,
            challenge,
            domain,
            files,
        } => {
            let mut options = VerifyOptions::default().with_strict(strict);
            if let Some(at) = at {
                options = options.at(programs::parse_at(&at)?);
            }
            if let Some(t) = trust {
                options = options.trust(TrustList::load(&t)?);
            }
            if let Some(r) = recipient {
                options = options.recipient(crate::verify::Recipient::parse(&r));
            }
            if let Some(c) = challenge {
                options = options.challenge(c);
            }
            if let Some(d) = domain {
                options = options.domain(d);
            }
            let resolver = programs::resolver_from(&resources, offline)?;
            let format = match (as_json, jsonl) {
                (_, true) => verify::Format::Jsonl,
                (true, false) => verify::Format::Json,
                (false, false) => verify::Format::Human,
            };
            verify::run(
                &files,
                options,
                resolver,
                format,
                jobs.unwrap_or_else(cores),
                !one_by_one,
            )
        }
        Command::Issuer(cmd) => issuer::issuer(cmd),
        Command::Award(args) => award::award(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::serve(args),
        #[cfg(not(feature = "server"))]
        Command::Serve { .. } => Err(Error::new(
            ErrorKind::Usage,
            "this openbadges was built without the `server` feature: install it with \
             `cargo install openbadges --features server` (or build with `--features server`)",
        )),
        Command::Stack(cmd) => programs::stack(cmd),
        Command::Policy(cmd) => programs::policy(cmd),
        Command::Clr(cmd) => programs::clr(cmd),
        Command::Lint {
            json: as_json,
            file,
        } => {
            let doc = read_json(&file)?;
            let findings = crate::lint::lint(&doc);
            let errors = findings
                .iter()
                .filter(|f| f.severity == crate::lint::Severity::Error)
                .count();
            if as_json {
                print_json(&findings)?;
            } else if findings.is_empty() {
                print_out(&format!("{file}: no findings\n"))?;
            } else {
                for f in &findings {
                    print_out(&format!("{file}: {f}\n"))?;
                }
            }
            Ok(if errors > 0 { 1 } else { 0 })
        }
        Command::Status(s) => status(s),
        Command::IssueBatch {
            roster,
            achievement,
            signer,
            out,
            suite,
            status_store,
            checkpoint_every,
        } => {
            let suite = parse_suite(&suite)?;
            batch::run(
                &batch::BatchArgs {
                    roster,
                    achievement,
                    out,
                    suite,
                    status_store,
                    checkpoint_every,
                },
                signer.issuer(json!({}))?,
            )
        }
        Command::Speed {
            suite,
            n,
            json: as_json,
        } => speed(suite, n.max(1), as_json),
        Command::Bake {
            credential,
            image,
            out,
        } => {
            let text = std::fs::read_to_string(&credential).map_err(|e| {
                Error::from(e).context(format!("cannot read {}", credential.display()))
            })?;
            let baked = crate::bake::Baked::from_text(text.trim_end().to_string());
            if let crate::bake::Baked::Json(t) = &baked {
                crate::json::parse(t.as_bytes())
                    .map_err(|e| e.context(format!("in {}", credential.display())))?;
            }
            let img = std::fs::read(&image)
                .map_err(|e| Error::from(e).context(format!("cannot read {}", image.display())))?;
            let bytes = crate::bake::bake(&img, &baked)
                .map_err(|e| e.context(format!("in {}", image.display())))?;
            crate::atomic_file::write(&out, &bytes, 0o644)?;
            eprintln!("baked into {}", out.display());
            Ok(0)
        }
        Command::Import { file, .. } if file.is_some() => {
            let file = file.unwrap_or_default();
            let bytes = read_input(&file)?;
            let found =
                crate::import::import(&bytes).map_err(|e| e.context(format!("in {file}")))?;
            let rows: Vec<Value> = found
                .iter()
                .map(|i| {
                    json!({
                        "format": format!("{:?}", i.format),
                        "source": i.source,
                        "verifiable": i.verifiable,
                        "credential": i.credential,
                    })
                })
                .collect();
            print_json(&rows)?;
            Ok(0)
        }
        #[cfg(feature = "http")]
        Command::Import {
            from: Some(from),
            token,
            ..
        } => {
            let token = token.unwrap_or_default();
            let mut rows = Vec::new();
            for (n, text) in crate::import::ob_api::pull(&from, &token)?
                .into_iter()
                .enumerate()
            {
                let found = crate::import::import(text.as_bytes())
                    .map_err(|e| e.context(format!("in credential {n} from {from}")))?;
                for i in found {
                    rows.push(json!({
                        "format": format!("{:?}", i.format),
                        "source": format!("{from} #{n}"),
                        "verifiable": i.verifiable,
                        "credential": i.credential,
                        "original": i.original,
                    }));
                }
            }
            print_json(&rows)?;
            Ok(0)
        }
        Command::Import { .. } => Err(Error::new(ErrorKind::Usage, "give a FILE (or -) to import")),
        Command::Present {
            key,
            challenge,
            domain,
            files,
        } => {
            let key = load_key(&key)?;
            let creds = files
                .iter()
                .map(|f| read_json(f))
                .collect::<Result<Vec<_>>>()?;
            let vp = crate::present::present(
                &creds,
                &crate::proof::Signer::did_key(key),
                &challenge,
                domain.as_deref(),
            )?;
            print_json(&vp)?;
            Ok(0)
        }
        Command::Extract { image } => {
            let img = std::fs::read(&image)
                .map_err(|e| Error::from(e).context(format!("cannot read {}", image.display())))?;
            match crate::bake::extract(&img)
                .map_err(|e| e.context(format!("in {}", image.display())))?
            {
                Some(b) => {
                    print_out(&format!("{}\n", b.text()))?;
                    Ok(0)
                }
                None => {
                    eprintln!("{}: no baked credential", image.display());
                    Ok(1)
                }
            }
        }
    }
}

/// The number of CPUs this process may use (1 when unknown).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

fn human(r: &Report, color: bool) -> String {
    let text = r.to_string();
    if !color {
        return text;
    }
    text.lines()
        .map(|l| {
            let c = if l.starts_with("VERIFIED") {
                "32"
            } else if l.starts_with("NOT VERIFIED")
                || l.trim_start().starts_with("failed")
                || l.trim_start().starts_with("indeterminate")
            {
                "31"
            } else if l.trim_start().starts_with("warning") {
                "33"
            } else {
                return format!("{l}\n");
            };
            format!("\x1b[{c}m{l}\x1b[0m\n")
        })
        .collect()
}

fn credential_id(path: &Path) -> Result<String> {
    let v = read_json(&path.to_string_lossy())?;
    v.get("id")
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Usage,
                format!("{}: the credential has no `id`", path.display()),
            )
        })
}

fn status(cmd: StatusCommand) -> Result<u8> {
    match cmd {
        StatusCommand::Init {
            store,
            url,
            purpose,
        } => {
            if store.exists() {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!(
                        "{} already exists; not overwriting a status store",
                        store.display()
                    ),
                ));
            }
            let s = StatusListStore::new(url, Purpose::parse(&purpose)?)?;
            s.save(&store)?;
            eprintln!(
                "created {} ({} entries, {} list to publish at {})",
                store.display(),
                s.bits().len(),
                s.purpose().as_str(),
                s.url()
            );
            Ok(0)
        }
        StatusCommand::Revoke { store, credential } => {
            change(&store, &credential, |s, id| s.revoke(id), "revoked")
        }
        StatusCommand::Suspend { store, credential } => {
            change(&store, &credential, |s, id| s.suspend(id), "suspended")
        }
        StatusCommand::Reinstate { store, credential } => {
            change(&store, &credential, |s, id| s.reinstate(id), "reinstated")
        }
        StatusCommand::Publish {
            store,
            signer,
            issuer,
            out,
        } => {
            let s = StatusListStore::load(&store)?;
            let iss = signer.issuer(match issuer {
                Some(id) => json!({"id": id}),
                None => json!({}),
            })?;
            let now = chrono::Utc::now();
            let list = s.list_credential(iss.id(), &now.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            let signed = iss
                .issue_at(&list, Suite::EddsaRdfc2022, now, None)?
                .into_json();
            let text = serde_json::to_string_pretty(&signed)
                .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
            crate::atomic_file::write(&out, text.as_bytes(), 0o644)?;
            eprintln!("wrote {} — publish it at {}", out.display(), s.url());
            Ok(0)
        }
    }
}

fn change(
    store: &Path,
    credential: &Path,
    f: impl Fn(&mut StatusListStore, &str) -> Result<()>,
    verb: &str,
) -> Result<u8> {
    let mut s = StatusListStore::load(store)?;
    let id = credential_id(credential)?;
    f(&mut s, &id)?;
    s.save(store)?;
    eprintln!(
        "{verb} {id} (index {} of {})",
        s.index_of(&id).unwrap_or(0),
        s.url()
    );
    Ok(0)
}

fn speed(suite: Option<String>, n: u32, as_json: bool) -> Result<u8> {
    let suites: Vec<Suite> = match suite {
        Some(s) => vec![parse_suite(&s)?],
        None => Suite::ALL.to_vec(),
    };
    let sample = crate::json::parse(SAMPLE_CREDENTIAL.as_bytes())?;
    let key = SigningKey::from_seed(&[0x42; 32]);
    let issuer = issuer_for(&sample, key)?;
    let verifier = ProofVerifier::new(Arc::new(crate::keys::DidKeyResolver));
    let now = chrono::Utc::now();
    let mut rows = Vec::new();
    for suite in suites {
        let prepared = issuer.prepare(&sample, now, None)?;
        let signer = issuer.di_signer()?;
        // Every proof gets its own `created`, as real ones do, so no figure comes from the
        // memo of canonical proof configurations (it holds 16); verification cycles through
        // 64 distinct signed copies for the same reason.
        let created = |i: u32| {
            let t = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH
                + chrono::Duration::seconds(1_767_225_600 + i64::from(i));
            crate::proof::ProofOptions::assertion()
                .created(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        };
        let ring: Vec<Value> = (0..64)
            .map(|i| signer.sign(&prepared, suite, &created(i)))
            .collect::<Result<_>>()?;
        let t = Instant::now();
        for i in 0..n {
            signer.sign(&prepared, suite, &created(1_000 + i))?;
        }
        let sign_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for i in 0..n {
            let signed = &ring[i as usize % ring.len()];
            let o = verifier.verify(signed, &Expectations::assertion())?;
            if o.first().is_none_or(|o| o.result.is_err()) {
                return Err(Error::new(
                    ErrorKind::Proof,
                    "speed: the sample did not verify",
                ));
            }
        }
        let verify_s = t.elapsed().as_secs_f64();
        rows.push(json!({
            "suite": suite.name(),
            "n": n,
            "sign_per_sec": (n as f64 / sign_s).round(),
            "verify_per_sec": (n as f64 / verify_s).round(),
        }));
    }
    if as_json {
        if rows.len() == 1 {
            print_json(&rows[0])?;
        } else {
            print_json(&rows)?;
        }
    } else {
        println!(
            "{:<22} {:>12} {:>12} {:>10} {:>10}",
            "suite", "sign/s", "verify/s", "sign µs", "verify µs"
        );
        for r in &rows {
            let s = r["sign_per_sec"].as_f64().unwrap_or(1.0);
            let v = r["verify_per_sec"].as_f64().unwrap_or(1.0);
            println!(
                "{:<22} {:>12} {:>12} {:>10.1} {:>10.1}",
                r["suite"].as_str().unwrap_or(""),
                s,
                v,
                1e6 / s,
                1e6 / v
            );
        }
    }
    Ok(0)
}
