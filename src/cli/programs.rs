//! `openbadges stack progress|award`, `openbadges policy value` and `openbadges clr
//! bundle|verify`: what a teacher's badges add up to, on the pattern of `verify` (same
//! verification flags, `--json`, exit codes).

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::{parse_suite, print_json, read_input, read_json, SignerArgs};
use crate::error::{Error, ErrorKind, Result};
use crate::policy::CreditPolicy;
use crate::portfolio::Portfolio;
use crate::resolve::{LocalResources, Offline, Resolver};
use crate::stack::{self, StackSet};
use crate::verify::{Recipient, TrustList, Verifier, VerifyOptions};

/// How the credentials are verified: the `verify` flags, plus the teacher they must belong to.
#[derive(Args, Clone, Debug)]
pub(super) struct VerifyArgs {
    /// Judge dates (and stack paces) as of this RFC 3339 time instead of now.
    #[arg(long)]
    at: Option<String>,
    /// Trust list file: {"issuers": [{"id": …, "achievements": […]}]}.
    #[arg(long)]
    trust: Option<PathBuf>,
    /// The teacher: a DID or URL (credentialSubject.id) or an e-mail address. Credentials for
    /// anyone else do not count.
    #[arg(long)]
    recipient: Option<String>,
    /// Never use the network (without the `http` feature the CLI is always offline).
    #[arg(long)]
    offline: bool,
    /// Serve a remote document (status list, issuer profile, DID document) from a file.
    #[arg(long = "resource", value_name = "URL=FILE")]
    resources: Vec<String>,
}

/// The resolver for `--resource` files, falling back to HTTPS only with the `http` feature and
/// without `--offline`.
pub(super) fn resolver_from(resources: &[String], offline: bool) -> Result<Arc<dyn Resolver>> {
    let mut local = LocalResources::new();
    for r in resources {
        let (url, file) = r.split_once('=').ok_or_else(|| {
            Error::new(
                ErrorKind::Usage,
                format!("--resource {r}: expected URL=FILE"),
            )
        })?;
        local.insert(url, read_input(file)?);
    }
    #[cfg(feature = "http")]
    let network: Option<Arc<dyn Resolver>> = (!offline)
        .then(|| Arc::new(crate::resolve::HttpResolver::builder().build()) as Arc<dyn Resolver>);
    #[cfg(not(feature = "http"))]
    let network: Option<Arc<dyn Resolver>> = {
        let _ = offline;
        None
    };
    Ok(match (local.is_empty(), network) {
        (true, None) => Arc::new(Offline),
        (false, None) => Arc::new(local),
        (_, Some(net)) => Arc::new(crate::resolve::Fallback::new(local, net)),
    })
}

pub(super) fn parse_at(at: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    parse_time("--at", at)
}

/// An RFC 3339 time given to the flag `flag`.
pub(super) fn parse_time(flag: &str, at: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.to_utc())
        .map_err(|e| {
            Error::new(
                ErrorKind::Usage,
                format!("{flag} {at}: not an RFC 3339 time ({e})"),
            )
        })
}

impl VerifyArgs {
    fn now(&self) -> Result<chrono::DateTime<chrono::Utc>> {
        self.at
            .as_deref()
            .map_or_else(|| Ok(chrono::Utc::now()), parse_at)
    }

    fn verifier(&self) -> Result<Verifier> {
        let mut options = VerifyOptions::default();
        if let Some(at) = &self.at {
            options = options.at(parse_at(at)?);
        }
        if let Some(t) = &self.trust {
            options = options.trust(TrustList::load(t)?);
        }
        if let Some(r) = &self.recipient {
            options = options.recipient(if r.contains('@') && !r.contains(':') {
                Recipient::Email(r.clone())
            } else {
                Recipient::Id(r.clone())
            });
        }
        Ok(Verifier::new(
            options.resolver(resolver_from(&self.resources, self.offline)?),
        ))
    }

    fn portfolio(&self, files: &[String]) -> Result<Portfolio> {
        let verifier = self.verifier()?;
        let mut p = Portfolio::new();
        // Read up to the first file that cannot be, verified together (Ed25519 checks in
        // batches, the reports those of one by one), then that file's error: what adding one
        // file after another gives.
        let mut read = Vec::new();
        let mut failed = None;
        for f in files {
            match read_input(f) {
                Ok(bytes) => read.push((f.as_str(), bytes)),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let inputs: Vec<(&str, &[u8])> = read.iter().map(|(f, b)| (*f, b.as_slice())).collect();
        p.add_many(&inputs, &verifier)?;
        match failed {
            Some(e) => Err(e),
            None => Ok(p),
        }
    }
}

fn write_out(out: Option<&PathBuf>, v: &Value) -> Result<()> {
    match out {
        Some(path) => {
            let text = serde_json::to_string_pretty(v)
                .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
            crate::atomic_file::write(path, format!("{text}\n").as_bytes(), 0o644)
        }
        None => print_json(v),
    }
}

#[derive(Subcommand)]
pub(super) enum StackCommand {
    /// Progress toward each stack (or one): earned and missing members, percentage, pace, and
    /// why each credential did or did not count. Exit 0 when the report was made.
    #[command(
        after_help = "Example:\n  openbadges stack progress --stacks fixtures/programs/riverside-stacks.json --recipient did:example:maria badges/*.json\n  openbadges stack progress --stacks stacks.toml --stack https://riverside.example/stacks/differentiation --json --at 2026-01-01T00:00:00Z wallet-export.json"
    )]
    Progress {
        /// Stack definition file (JSON or TOML).
        #[arg(long)]
        stacks: PathBuf,
        /// Only this stack.
        #[arg(long)]
        stack: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        verify: VerifyArgs,
        /// Credential files (JSON-LD, JWT, baked images, presentations, CLRs).
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Issue the stack credential for a complete stack; its evidence names each constituent
    /// credential and its digest. Exit 1 when the stack is not complete.
    #[command(
        after_help = "Example:\n  openbadges stack award --stacks riverside-stacks.json --stack https://riverside.example/stacks/differentiation --issuer-dir riverside/ --status-store status.json --recipient did:example:maria -o stack-badge.json badges/*.json"
    )]
    Award {
        /// Stack definition file (JSON or TOML).
        #[arg(long)]
        stacks: PathBuf,
        /// The stack to award.
        #[arg(long)]
        stack: String,
        #[command(flatten)]
        signer: SignerArgs,
        /// eddsa-rdfc-2022 | eddsa-jcs-2022 | Ed25519Signature2020
        #[arg(long, default_value = "eddsa-rdfc-2022")]
        suite: String,
        /// Where to write the signed credential (atomically); default standard output.
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        /// Allocate a status-list index in this store and add the credentialStatus entry, so
        /// the award can be revoked (e.g. when a member badge is).
        #[arg(long)]
        status_store: Option<PathBuf>,
        #[command(flatten)]
        verify: VerifyArgs,
        /// The teacher's credential files.
        #[arg(required = true)]
        files: Vec<String>,
    },
}

#[derive(Subcommand)]
pub(super) enum PolicyCommand {
    /// Value a portfolio under a district's credit policy: totals per unit, steps reached,
    /// what counted and what did not and why. Exit 0 when the report was made.
    #[command(
        after_help = "Example:\n  openbadges policy value --policy fixtures/programs/lakeshore-policy.toml --recipient did:example:maria badges/*.json\n  openbadges policy value --policy riverside-policy.json --stacks riverside-stacks.json --json portfolio.json"
    )]
    Value {
        /// Credit policy file (JSON or TOML).
        #[arg(long)]
        policy: PathBuf,
        /// Stack definitions, when the policy's steps name stacks.
        #[arg(long)]
        stacks: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        verify: VerifyArgs,
        /// Credential files (JSON-LD, JWT, baked images, presentations, CLRs).
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Value every teacher for payroll: each DIR holds one folder (credential files) or one
    /// file (a CLR, a wallet export) per teacher. Writes CSV (teacher, units, steps reached,
    /// what did not count and why) and/or JSON, atomically; CSV on standard output when neither
    /// --csv nor --json is given. Exit 0 when every teacher was valued, 1 when some could not be
    /// (their row says why), 2 on a bad definition or usage.
    #[command(
        after_help = "Example:\n  openbadges policy report --policy riverside-policy.json --stacks riverside-stacks.json --csv payroll.csv --json payroll.json teachers/"
    )]
    Report {
        /// Credit policy file (JSON or TOML).
        #[arg(long)]
        policy: PathBuf,
        /// Stack definitions, when the policy's steps name stacks.
        #[arg(long)]
        stacks: Option<PathBuf>,
        /// Write the CSV here.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Write the JSON here.
        #[arg(long = "json", value_name = "FILE")]
        json_out: Option<PathBuf>,
        /// Teachers valued at a time (default: the number of CPUs).
        #[arg(long)]
        jobs: Option<usize>,
        #[command(flatten)]
        verify: VerifyArgs,
        /// Folders of teachers.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
pub(super) enum ClrCommand {
    /// Bundle a teacher's credentials that verify into a signed CLR 2.0 ClrCredential (with
    /// stack associations when --stacks is given).
    #[command(
        after_help = "Example:\n  openbadges clr bundle --holder did:example:maria --name \"Maria's micro-credentials\" --key issuer-key.json --stacks riverside-stacks.json -o clr.json badges/*.json"
    )]
    Bundle {
        /// The teacher the CLR is about (DID, URL or e-mail address); only credentials issued to
        /// them go in, and what is left out is listed on standard error.
        #[arg(long)]
        holder: String,
        /// The CLR's name.
        #[arg(long)]
        name: String,
        /// Stack definitions: adds the stacks' achievements and isChildOf associations.
        #[arg(long)]
        stacks: Option<PathBuf>,
        #[command(flatten)]
        signer: SignerArgs,
        /// eddsa-rdfc-2022 | eddsa-jcs-2022 | Ed25519Signature2020
        #[arg(long, default_value = "eddsa-rdfc-2022")]
        suite: String,
        /// Where to write it (atomically); default standard output.
        #[arg(short = 'o', long = "out")]
        out: Option<PathBuf>,
        #[command(flatten)]
        verify: VerifyArgs,
        /// Credential files.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Verify a ClrCredential and every credential in it; exit 0 if all verified, 1 otherwise.
    #[command(after_help = "Example:\n  openbadges clr verify --json clr.json")]
    Verify {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        verify: VerifyArgs,
        /// The CLR file, or -.
        file: String,
    },
}

pub(super) fn stack(cmd: StackCommand) -> Result<u8> {
    match cmd {
        StackCommand::Progress {
            stacks,
            stack: only,
            json,
            verify,
            files,
        } => {
            let set = StackSet::load(&stacks)?;
            let now = verify.now()?;
            let folio = verify.portfolio(&files)?;
            let reports = match &only {
                Some(id) => {
                    if set.stack(id).is_none() {
                        return Err(Error::new(
                            ErrorKind::Usage,
                            format!("--stack {id}: not defined in {}", stacks.display()),
                        ));
                    }
                    vec![stack::progress(&set, id, &folio, now)?]
                }
                None => stack::progress_all(&set, &folio, now)?,
            };
            if json {
                if only.is_some() {
                    print_json(&reports[0])?;
                } else {
                    print_json(&reports)?;
                }
            } else {
                for r in &reports {
                    print!("{r}");
                }
            }
            Ok(0)
        }
        StackCommand::Award {
            stacks,
            stack: id,
            signer,
            suite,
            out,
            status_store,
            verify,
            files,
        } => {
            let set = StackSet::load(&stacks)?;
            let def = set.stack(&id).ok_or_else(|| {
                Error::new(
                    ErrorKind::Usage,
                    format!("--stack {id}: not defined in {}", stacks.display()),
                )
            })?;
            let suite = parse_suite(&suite)?;
            let profile = match &def.issuer {
                Some(Value::String(s)) => serde_json::json!({"id": s, "type": ["Profile"]}),
                Some(p) => p.clone(),
                None => serde_json::json!({"type": ["Profile"]}),
            };
            let issuer = signer.issuer(profile)?;
            let now = verify.now()?;
            let folio = verify.portfolio(&files)?;
            let p = stack::progress(&set, &id, &folio, now)?;
            if !p.complete {
                eprint!("{p}");
                eprintln!(
                    "openbadges: stack `{}` is not complete; nothing awarded",
                    p.name
                );
                return Ok(1);
            }
            let mut store = status_store
                .as_deref()
                .map(crate::status::StatusListStore::load)
                .transpose()?;
            let awarded = stack::award(&set, &p, &folio, &issuer, suite, now, store.as_mut())?;
            // The store first: an index allocated and saved but unused is harmless; one used
            // but not saved could be handed out twice.
            if let (Some(store), Some(path)) = (store, &status_store) {
                store.save(path)?;
            }
            write_out(out.as_ref(), &awarded)?;
            Ok(0)
        }
    }
}

pub(super) fn policy(cmd: PolicyCommand) -> Result<u8> {
    match cmd {
        PolicyCommand::Value {
            policy,
            stacks,
            json,
            verify,
            files,
        } => {
            let (policy, set) = load_policy(&policy, stacks.as_deref())?;
            let now = verify.now()?;
            let folio = verify.portfolio(&files)?;
            let progress = match &set {
                Some(set) => stack::progress_all(set, &folio, now)?,
                None => Vec::new(),
            };
            let valuation = policy.value(&folio, &progress)?;
            if json {
                print_json(&valuation)?;
            } else {
                print!("{valuation}");
            }
            Ok(0)
        }
        PolicyCommand::Report {
            policy,
            stacks,
            csv,
            json_out,
            jobs,
            verify,
            dirs,
        } => {
            if verify.recipient.is_some() {
                return Err(Error::new(
                    ErrorKind::Usage,
                    "policy report values every teacher; --recipient names one (use policy value)",
                ));
            }
            let (policy, set) = load_policy(&policy, stacks.as_deref())?;
            let now = verify.now()?;
            let verifier = verify.verifier()?;
            let mut teachers = Vec::new();
            for d in &dirs {
                teachers.extend(crate::policy::report::teachers_in(d)?);
            }
            // A bar on a terminal only (a log or a pipe gets the closing line).
            let bar = super::parallel::progress_bar(teachers.len(), "teachers valued");
            let jobs = jobs.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
            });
            let tick = || {
                if let Some(b) = &bar {
                    b.inc(1);
                }
            };
            let report = crate::policy::report::value_all(
                &policy,
                set.as_ref(),
                &teachers,
                &verifier,
                now,
                jobs,
                &tick,
            );
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            if csv.is_none() && json_out.is_none() {
                print!("{}", report.to_csv());
            } else {
                report.write(csv.as_deref(), json_out.as_deref())?;
            }
            let errors = report.errors();
            eprintln!(
                "openbadges: {} of {} teachers valued{}",
                report.teachers.len() - errors,
                report.teachers.len(),
                if errors > 0 {
                    " (the others' rows say why)"
                } else {
                    ""
                }
            );
            Ok(if errors > 0 { 1 } else { 0 })
        }
    }
}

/// The policy and, when given, the stack definitions, with every achievement and stack the
/// policy names resolved (errors name the policy file and the entry).
fn load_policy(
    policy: &std::path::Path,
    stacks: Option<&std::path::Path>,
) -> Result<(CreditPolicy, Option<StackSet>)> {
    let p = CreditPolicy::load(policy)?;
    let set = stacks.map(StackSet::load).transpose()?;
    p.resolve(set.as_ref())
        .map_err(|e| e.context(format!("in {}", policy.display())))?;
    Ok((p, set))
}

pub(super) fn clr(cmd: ClrCommand) -> Result<u8> {
    match cmd {
        ClrCommand::Bundle {
            holder,
            name,
            stacks,
            signer,
            suite,
            out,
            verify,
            files,
        } => {
            let suite = parse_suite(&suite)?;
            let set = stacks.as_deref().map(StackSet::load).transpose()?;
            let folio = verify.portfolio(&files)?;
            let bundle = crate::clr::bundle_for(&folio, &holder, &name, set.as_ref())?;
            for (source, why) in &bundle.left_out {
                eprintln!("openbadges: left out {source}: {why}");
            }
            let issuer = signer.issuer(serde_json::json!({"type": ["Profile"]}))?;
            let signed = issuer
                .issue_at(&bundle.clr, suite, verify.now()?, None)?
                .into_json();
            write_out(out.as_ref(), &signed)?;
            Ok(0)
        }
        ClrCommand::Verify { json, verify, file } => {
            let doc = read_json(&file)?;
            let report = crate::clr::verify_clr(&doc, &verify.verifier()?)?;
            if json {
                print_json(&report)?;
            } else {
                print!("{report}");
            }
            Ok(if report.verified() { 0 } else { 1 })
        }
    }
}
