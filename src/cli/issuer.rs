//! `openbadges issuer init|rotate|retire|show`: an issuer's keys and the documents it publishes, and
//! `issue --issuer-dir` signing with its current key.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::Value;

use super::read_json;
use crate::error::{Error, ErrorKind, Result};
use crate::issuer::{IssuerDir, IssuerKind, Publication};
use crate::status::StatusListStore;

#[derive(Subcommand)]
pub(super) enum IssuerCommand {
    /// Create an issuer directory: its first key (mode 0600) and the documents to publish;
    /// prints which file goes to which URL.
    #[command(
        after_help = "Example:\n  openbadges issuer init --id https://district.example/issuers/1 --name \"Riverside USD\" --out riverside/\n  openbadges issuer init --id did:web:district.example --name \"Riverside USD\" --out riverside/\n  openbadges issuer init --id did:key --name \"Riverside USD\" --out riverside/"
    )]
    Init {
        /// https://HOST/PATH, did:web:HOST[:PATH], or did:key (a new did:key).
        #[arg(long)]
        id: String,
        /// The issuer's name (in its Profile and every badge).
        #[arg(long)]
        name: String,
        /// The directory to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Make a new key the signing key; earlier keys stay published. With --retire-old, proofs
    /// the previous key creates from DATE on are refused (a compromised key).
    #[command(
        after_help = "Example:\n  openbadges issuer rotate --dir riverside/\n  openbadges issuer rotate --dir riverside/ --retire-old 2026-11-01T00:00:00Z"
    )]
    Rotate {
        /// The issuer directory.
        #[arg(long)]
        dir: PathBuf,
        /// Refuse proofs the previous key creates from this RFC 3339 time on.
        #[arg(long, value_name = "DATE")]
        retire_old: Option<String>,
    },
    /// Retire an earlier key: proofs it creates from DATE on are refused (a key found to be
    /// compromised after it was rotated out). A retire date only ever moves earlier.
    #[command(
        after_help = "Example:\n  openbadges issuer retire --dir riverside/ --key key-1 --from 2026-02-01T00:00:00Z"
    )]
    Retire {
        /// The issuer directory.
        #[arg(long)]
        dir: PathBuf,
        /// The key: its fragment (`key-1`) or full verification method id.
        #[arg(long)]
        key: String,
        /// Refuse its proofs created from this RFC 3339 time on.
        #[arg(long, value_name = "DATE")]
        from: String,
    },
    /// Print which file goes to which URL, and every key with its dates.
    #[command(after_help = "Example:\n  openbadges issuer show --dir riverside/")]
    Show {
        /// The issuer directory.
        #[arg(long)]
        dir: PathBuf,
    },
}

fn print_publications(dir: &IssuerDir, pubs: &[Publication]) {
    if dir.kind() == IssuerKind::DidKey {
        println!(
            "issuer {}: nothing to publish (a did:key is its own key document; it cannot rotate and carries no name verifiers can look up)",
            dir.id()
        );
    } else {
        println!("issuer {} — publish:", dir.id());
        for p in pubs {
            println!("  {}  →  {}", p.path.display(), p.url);
        }
    }
    println!("keys:");
    for k in dir.describe_keys() {
        println!("  {k}");
    }
}

pub(super) fn issuer(cmd: IssuerCommand) -> Result<u8> {
    match cmd {
        IssuerCommand::Init { id, name, out } => {
            let (dir, pubs) = IssuerDir::init(&out, &id, &name, chrono::Utc::now())?;
            print_publications(&dir, &pubs);
            Ok(0)
        }
        IssuerCommand::Rotate { dir, retire_old } => {
            let retire = retire_old
                .as_deref()
                .map(|t| super::programs::parse_time("--retire-old", t))
                .transpose()?;
            let mut d = IssuerDir::open(&dir)?;
            d.rotate(chrono::Utc::now(), retire)?;
            let pubs = d.publications()?;
            print_publications(&d, &pubs);
            Ok(0)
        }
        IssuerCommand::Retire { dir, key, from } => {
            let from = super::programs::parse_time("--from", &from)?;
            let mut d = IssuerDir::open(&dir)?;
            d.retire(&key, from)?;
            let pubs = d.publications()?;
            print_publications(&d, &pubs);
            Ok(0)
        }
        IssuerCommand::Show { dir } => {
            let d = IssuerDir::open(&dir)?;
            let pubs = d.publications()?;
            print_publications(&d, &pubs);
            Ok(0)
        }
    }
}

/// `issue --issuer-dir DIR`: signs as the directory's issuer with its current key.
pub(super) fn issue_with_dir(
    dir: &Path,
    suite: &str,
    status_store: Option<&Path>,
    file: &str,
) -> Result<u8> {
    let d = IssuerDir::open(dir)?;
    let credential = read_json(file)?;
    let named = match credential.get("issuer") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(o) => o.get("id").and_then(Value::as_str),
        None => None,
    };
    if let Some(other) = named.filter(|i| *i != d.id()) {
        return Err(Error::new(
            ErrorKind::Usage,
            format!(
                "{file} names the issuer {other}, but {} is the issuer {}",
                dir.display(),
                d.id()
            ),
        ));
    }
    let now = chrono::Utc::now();
    let securing = crate::issue::Securing::from_name(suite)?;
    let issuer = d.issuer()?;
    let mut store = status_store.map(StatusListStore::load).transpose()?;
    let issued = issuer.issue_at(&credential, securing, now, store.as_mut())?;
    if let (Some(store), Some(path)) = (store, status_store) {
        store.save(path)?;
    }
    super::print_out(&issued.to_text())?;
    Ok(0)
}
