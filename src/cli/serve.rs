//! `openbadges serve`: the VC-API, published documents and status lists over HTTP(S); and
//! `openbadges serve token create`, `openbadges serve owner create`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::error::{Error, ErrorKind, Result};
use crate::server::auth::Scope;
use crate::server::{Clock, ServerConfig, Tls};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(super) struct ServeArgs {
    #[command(subcommand)]
    command: Option<ServeCommand>,
    /// The issuer directory (`openbadges issuer init`) whose keys sign and whose documents are
    /// published.
    #[arg(long)]
    issuer_dir: Option<PathBuf>,
    /// sqlite:PATH or postgres://USER@HOST:PORT/DB (default: sqlite:DIR.serve.sqlite beside the
    /// issuer directory).
    #[arg(long)]
    db: Option<String>,
    /// The address to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// The origin verifiers reach this server at; status-list URLs start with it (default: the
    /// issuer's https origin or did:web host).
    #[arg(long)]
    public_url: Option<String>,
    /// TLS certificate chain (PEM).
    #[arg(long, requires = "tls_key", conflicts_with = "tls_self_signed")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve TLS with a fresh self-signed certificate for localhost.
    #[arg(long)]
    tls_self_signed: bool,
    /// Status lists' ttl and Cache-Control max-age, in seconds.
    #[arg(long, default_value_t = crate::server::DEFAULT_STATUS_TTL_SECONDS)]
    status_ttl: u64,
    /// Also serve the badge wallet page (the directory bindings/wasm/build.sh writes,
    /// target/wallet) under /wallet/: badges are verified in the browser, by WebAssembly.
    #[arg(long, value_name = "DIR")]
    wallet: Option<PathBuf>,
    /// For tests: read the time OAuth codes and tokens expire by from this file (an RFC 3339
    /// date-time, read at every use).
    #[arg(long, hide = true)]
    clock_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ServeCommand {
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Resource owners: the teachers who sign in on the OAuth consent page.
    #[command(subcommand)]
    Owner(OwnerCommand),
}

#[derive(Subcommand)]
enum OwnerCommand {
    /// Create a resource owner (or replace their secret); prints their login secret once (only
    /// its sha256 is stored).
    #[command(
        after_help = "Example:\n  openbadges serve owner create --subject maria@riverside.example --issuer-dir riverside/\n\nThe owner signs in on the OAuth consent page with the subject and this secret; tokens a\nwallet gets that way read and write only credentials whose subject is this owner."
    )]
    Create {
        /// The teacher: an e-mail address or an ID (a DID or URL), as their credentials name them.
        #[arg(long)]
        subject: String,
        /// The issuer directory the server runs for.
        #[arg(long)]
        issuer_dir: PathBuf,
        /// The server's database (default: beside the issuer directory).
        #[arg(long)]
        db: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a bearer token with scopes; prints it once (only its sha256 is stored).
    #[command(
        after_help = "Example:\n  openbadges serve token create --scope issue --scope status --issuer-dir riverside/\n\nScopes: issue, status, credential.readonly, credential.upsert, profile.readonly, profile.update"
    )]
    Create {
        /// issue | status | credential.readonly | credential.upsert | profile.readonly |
        /// profile.update (repeat, or separate with commas).
        #[arg(long, required = true)]
        scope: Vec<String>,
        /// The issuer directory the server runs for.
        #[arg(long)]
        issuer_dir: PathBuf,
        /// The server's database (default: beside the issuer directory).
        #[arg(long)]
        db: Option<String>,
    },
}

pub(super) fn serve(args: ServeArgs) -> Result<u8> {
    let command = match args.command {
        Some(ServeCommand::Owner(OwnerCommand::Create {
            subject,
            issuer_dir,
            db,
        })) => {
            let secret = crate::server::create_owner(&issuer_dir, db.as_deref(), &subject)?;
            println!("{secret}");
            return Ok(0);
        }
        other => other,
    };
    if let Some(ServeCommand::Token(TokenCommand::Create {
        scope,
        issuer_dir,
        db,
    })) = command
    {
        let mut scopes = Vec::new();
        for s in scope.iter().flat_map(|s| s.split(',')).map(str::trim) {
            let parsed = Scope::parse(s).ok_or_else(|| {
                Error::new(
                    ErrorKind::Usage,
                    format!("unknown scope `{s}`; expected issue, status, credential.readonly, credential.upsert, profile.readonly or profile.update"),
                )
            })?;
            if !scopes.contains(&parsed) {
                scopes.push(parsed);
            }
        }
        let token = crate::server::create_token(&issuer_dir, db.as_deref(), &scopes)?;
        println!("{token}");
        return Ok(0);
    }
    let dir = args.issuer_dir.ok_or_else(|| {
        Error::new(
            ErrorKind::Usage,
            "give --issuer-dir DIR (create one with `openbadges issuer init`)",
        )
    })?;
    let tls = match (args.tls_cert, args.tls_key, args.tls_self_signed) {
        (Some(cert), Some(key), _) => Tls::Files { cert, key },
        (_, _, true) => Tls::SelfSigned,
        _ => Tls::None,
    };
    let mut config = ServerConfig::new(dir)
        .listen(args.listen)
        .tls(tls)
        .status_ttl(args.status_ttl);
    if let Some(db) = args.db {
        config = config.db(db);
    }
    if let Some(url) = args.public_url {
        config = config.public_url(url);
    }
    if let Some(dir) = args.wallet {
        config = config.wallet(dir);
    }
    if let Some(path) = args.clock_file {
        config = config.clock(Clock::File(path));
    }
    crate::server::run(config)?;
    Ok(0)
}
