//! Issuer identity: the keys an issuer signs with and the documents it publishes so verifiers
//! can find them, kept in one directory ([`IssuerDir`]) across key rotations.
//!
//! | issuer id | what is published | rotation |
//! |---|---|---|
//! | `https://district.example/issuers/1` | the OB 3.0 `Profile` at that URL, listing the keys (Multikey) under `assertionMethod`; a JWK Set at `https://district.example/.well-known/jwks.json` | yes |
//! | `did:web:district.example` | the DID document at `https://district.example/.well-known/did.json`; the JWK Set | yes |
//! | `did:key:z6Mk…` | nothing: the identifier *is* the key | no — a new key is a new issuer, and a did:key has no name a verifier can look up |
//!
//! Layout of the directory:
//!
//! ```text
//! DIR/issuer.json            id, name, kind, current key, every key with created / retired / revoked dates
//! DIR/keys/key-N.json        one secret key per file, mode 0600
//! DIR/publish/…              the documents to serve (issuer-profile.json or did.json, jwks.json)
//! ```
//!
//! Rotation ([`IssuerDir::rotate`]) makes a new key the signing key; earlier keys stay published
//! so earlier badges keep verifying. Retiring a key with a date (a compromised key) publishes
//! `revoked` on it: verifiers then refuse proofs it `created` from that date on
//! ([`crate::keys::VerificationMethod::revoked`]), and a badge's report says which key signed it
//! and whether that key was current then.
//!
//! `created` is the signer's own claim: someone holding a stolen key can backdate it. A retire
//! date protects against honest mistakes and bounds the damage after discovery; badges issued
//! with a compromised key before the date should also be revoked through a status list.

mod documents;
mod keyfile;

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::issue::Issuer;
use crate::keys::{SigningKey, VerificationMethod};

pub use documents::{did_document, jwk_set, profile_document};
pub use keyfile::{check_permissions, read_key_file, read_secret_file, write_key_file};

/// The kind of identifier an issuer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum IssuerKind {
    /// An https URL serving the issuer's OB 3.0 Profile.
    Https,
    /// `did:web:HOST[:PATH]`, resolved to a DID document over https.
    DidWeb,
    /// `did:key`: the identifier is the public key.
    DidKey,
}

impl IssuerKind {
    /// The kind of `id`, or an error saying why it cannot identify an issuer here.
    ///
    /// # Example
    /// ```
    /// use openbadges::issuer::IssuerKind;
    /// assert_eq!(IssuerKind::of("https://district.example/issuers/1")?, IssuerKind::Https);
    /// assert_eq!(IssuerKind::of("did:web:district.example")?, IssuerKind::DidWeb);
    /// assert!(IssuerKind::of("http://district.example/issuers/1").is_err());
    /// assert!(IssuerKind::of("did:example:123").is_err());
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn of(id: &str) -> Result<Self> {
        let usage = |m: String| Error::new(ErrorKind::Usage, m);
        if let Some(rest) = id.strip_prefix("https://") {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            if host.is_empty() || id.contains('#') || id.contains(char::is_whitespace) {
                return Err(usage(format!(
                    "`{id}` is not a usable https issuer id (expected https://HOST/PATH, no fragment)"
                )));
            }
            return Ok(IssuerKind::Https);
        }
        if id.starts_with("did:web:") {
            crate::resolve::did_web_url(id).map_err(|e| usage(e.message().to_string()))?;
            if id.contains('#') || id.contains('/') {
                return Err(usage(format!(
                    "`{id}` is not a did:web (expected did:web:HOST[:PATH], no fragment)"
                )));
            }
            return Ok(IssuerKind::DidWeb);
        }
        if id == "did:key" || id.starts_with("did:key:") {
            return Ok(IssuerKind::DidKey);
        }
        if id.starts_with("http://") {
            return Err(usage(format!(
                "`{id}` is http: an issuer id must be https (verifiers refuse plain http)"
            )));
        }
        if id.starts_with("did:") {
            return Err(usage(format!(
                "`{id}` uses a DID method this crate cannot resolve (supported: did:web, did:key)"
            )));
        }
        Err(usage(format!(
            "`{id}` is neither an https URL nor a supported DID (did:web, did:key)"
        )))
    }
}

/// One key of an issuer, as recorded in `issuer.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The verification method id (`https://…/issuers/1#key-2`, `did:web:…#key-2`).
    pub id: String,
    /// The key file, relative to the directory.
    pub file: String,
    /// The public key (Multikey), so the published documents need no secret.
    #[serde(rename = "publicKeyMultibase")]
    pub public_key_multibase: String,
    /// When it was made.
    pub created: DateTime<Utc>,
    /// When it stopped being the signing key (rotated out), if it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<DateTime<Utc>>,
    /// From when proofs it creates are refused (published as `revoked`), if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Config {
    id: String,
    name: String,
    kind: IssuerKind,
    current: String,
    keys: Vec<KeyRecord>,
}

/// A document to publish, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// The URL verifiers fetch.
    pub url: String,
    /// The file in the directory that must be served there.
    pub path: PathBuf,
    /// Its content.
    pub document: Value,
}

/// An issuer's directory: its identity, its keys and the documents it publishes. See the
/// [module documentation](self).
///
/// # Example
/// ```
/// use openbadges::issuer::IssuerDir;
/// let dir = std::env::temp_dir().join(format!("ob-issuer-doc-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// let now = chrono::Utc::now();
/// let (mut issuer, published) =
///     IssuerDir::init(&dir, "https://district.example/issuers/1", "Riverside USD", now)?;
/// assert_eq!(published[0].url, "https://district.example/issuers/1");
/// let signer = issuer.issuer()?;             // signs as the profile, with key-1
/// assert_eq!(signer.verification_method(), "https://district.example/issuers/1#key-1");
/// issuer.rotate(now, None)?;                 // key-2 signs from now on; key-1 stays published
/// assert_eq!(issuer.issuer()?.verification_method(), "https://district.example/issuers/1#key-2");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct IssuerDir {
    root: PathBuf,
    config: Config,
}

const CONFIG: &str = "issuer.json";

fn stamp(t: DateTime<Utc>) -> DateTime<Utc> {
    // Whole seconds: what proofs' `created` carry.
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

impl IssuerDir {
    /// Creates `dir` for the issuer `id` (`https://…`, `did:web:…`, or `did:key` for a new
    /// did:key) named `name`: its first key and the documents to publish, returned with their
    /// URLs. Refuses a directory that already holds an issuer.
    pub fn init(
        dir: &Path,
        id: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(Self, Vec<Publication>)> {
        let kind = IssuerKind::of(id)?;
        if kind == IssuerKind::DidKey && id != "did:key" {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("`{id}`: give `did:key` to create a new did:key issuer (a did:key is made from a new key, not named)"),
            ));
        }
        if name.trim().is_empty() {
            return Err(Error::new(ErrorKind::Usage, "the issuer needs a name"));
        }
        if dir.join(CONFIG).exists() {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "{} already holds an issuer; refusing to overwrite its keys (use `issuer rotate`)",
                    dir.display()
                ),
            ));
        }
        std::fs::create_dir_all(dir.join("keys"))
            .map_err(|e| Error::new(ErrorKind::Io, format!("{}: {e}", dir.display())))?;
        let key = SigningKey::generate();
        let id = match kind {
            IssuerKind::DidKey => key.verifying_key().did_key(),
            _ => id.to_string(),
        };
        let mut this = IssuerDir {
            root: dir.to_path_buf(),
            config: Config {
                id,
                name: name.to_string(),
                kind,
                current: String::new(),
                keys: Vec::new(),
            },
        };
        let record = this.add_key(&key, stamp(now))?;
        this.config.current = record;
        this.save()?;
        let published = this.publish()?;
        Ok((this, published))
    }

    /// Opens an issuer directory made by [`IssuerDir::init`].
    pub fn open(dir: &Path) -> Result<Self> {
        let path = dir.join(CONFIG);
        let bytes = std::fs::read(&path)
            .map_err(|e| Error::new(ErrorKind::Io, format!("{}: {e}", path.display())))?;
        let value =
            crate::json::parse(&bytes).map_err(|e| e.context(format!("in {}", path.display())))?;
        let config: Config = serde_json::from_value(value).map_err(|e| {
            Error::new(
                ErrorKind::Model,
                format!("{}: not an issuer file ({e})", path.display()),
            )
        })?;
        if IssuerKind::of(&config.id)? != config.kind {
            return Err(Error::model(format!(
                "{}: `kind` does not match the id `{}`",
                path.display(),
                config.id
            )));
        }
        if !config.keys.iter().any(|k| k.id == config.current) {
            return Err(Error::model(format!(
                "{}: the current key `{}` is not among its keys",
                path.display(),
                config.current
            )));
        }
        Ok(IssuerDir {
            root: dir.to_path_buf(),
            config,
        })
    }

    /// The issuer id.
    pub fn id(&self) -> &str {
        &self.config.id
    }

    /// The issuer's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The kind of id.
    pub fn kind(&self) -> IssuerKind {
        self.config.kind
    }

    /// Every key, oldest first.
    pub fn keys(&self) -> &[KeyRecord] {
        &self.config.keys
    }

    /// The verification method id of the current signing key.
    pub fn current_key_id(&self) -> &str {
        &self.config.current
    }

    fn key_id(&self, n: usize, key: &SigningKey) -> String {
        match self.config.kind {
            IssuerKind::DidKey => key.verifying_key().did_key_verification_method(),
            // `#key-N`: short, stable, and says which rotation it is; the key itself is in the
            // published document.
            _ => format!("{}#key-{n}", self.config.id),
        }
    }

    fn add_key(&mut self, key: &SigningKey, now: DateTime<Utc>) -> Result<String> {
        let n = self.config.keys.len() + 1;
        let id = self.key_id(n, key);
        let file = format!("keys/key-{n}.json");
        write_key_file(&self.root.join(&file), key, &id, &self.config.id)?;
        self.config.keys.push(KeyRecord {
            id: id.clone(),
            file,
            public_key_multibase: key.verifying_key().to_multikey(),
            created: now,
            retired: None,
            revoked: None,
        });
        Ok(id)
    }

    fn save(&self) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.config)
            .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
        crate::atomic_file::write(
            &self.root.join(CONFIG),
            format!("{text}\n").as_bytes(),
            0o644,
        )
    }

    /// Makes a new key the signing key as of `now`. The previous key stays published; with
    /// `retire_old`, proofs it creates from that date on are refused (it is published as
    /// `revoked`). Returns the new key's id. A did:key issuer cannot rotate.
    pub fn rotate(
        &mut self,
        now: DateTime<Utc>,
        retire_old: Option<DateTime<Utc>>,
    ) -> Result<String> {
        if self.config.kind == IssuerKind::DidKey {
            return Err(Error::new(
                ErrorKind::Usage,
                "a did:key issuer cannot rotate: the identifier is the key (a new key is a new issuer)",
            ));
        }
        let now = stamp(now);
        // The current key must still be readable: rotating away from a lost key would leave
        // nothing to sign with if the new one fails to write.
        self.current_signing_key()?;
        let key = SigningKey::generate();
        let new_id = self.add_key(&key, now)?;
        let old_id = std::mem::replace(&mut self.config.current, new_id.clone());
        if let Some(old) = self.config.keys.iter_mut().find(|k| k.id == old_id) {
            old.retired = Some(now);
            if let Some(r) = retire_old {
                old.revoked = Some(stamp(r));
            }
        }
        self.save()?;
        self.publish()?;
        Ok(new_id)
    }

    /// Retires the key `key_id` (its full id, or its fragment such as `key-1`): proofs it
    /// creates from `at` on are refused. Use it when a key that was already rotated out turns
    /// out to have been compromised. The current key cannot be retired (rotate first), and a
    /// published retire date only ever moves earlier: verifiers may hold the earlier document,
    /// and a later date would make proofs valid again that it refused.
    ///
    /// # Example
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use openbadges::issuer::IssuerDir;
    /// let dir = std::env::temp_dir().join(format!("ob-issuer-retire-{}", std::process::id()));
    /// # let _ = std::fs::remove_dir_all(&dir);
    /// let t = |m| Utc.with_ymd_and_hms(2026, m, 1, 0, 0, 0).unwrap();
    /// let (mut issuer, _) = IssuerDir::init(&dir, "did:web:district.example", "Riverside USD", t(1))?;
    /// issuer.rotate(t(3), None)?;
    /// issuer.retire("key-1", t(2))?;                        // stolen in February
    /// assert!(issuer.retire("key-1", t(4)).is_err());        // never later
    /// assert!(issuer.retire("key-2", t(4)).is_err());        // the current key: rotate first
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn retire(&mut self, key_id: &str, at: DateTime<Utc>) -> Result<()> {
        if self.config.kind == IssuerKind::DidKey {
            return Err(Error::new(
                ErrorKind::Usage,
                "a did:key issuer cannot retire its key (the identifier is the key): revoke its badges through a status list",
            ));
        }
        let key_id = if key_id.contains('#') {
            key_id.to_string()
        } else {
            format!("{}#{key_id}", self.config.id)
        };
        if key_id == self.config.current {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("`{key_id}` is the current signing key; rotate before retiring it"),
            ));
        }
        let Some(k) = self.config.keys.iter().position(|k| k.id == key_id) else {
            let known: Vec<&str> = self.config.keys.iter().map(|k| k.id.as_str()).collect();
            return Err(Error::new(
                ErrorKind::Usage,
                format!("no key `{key_id}` (keys: {})", known.join(", ")),
            ));
        };
        let k = &mut self.config.keys[k];
        let at = stamp(at);
        if let Some(existing) = k.revoked.filter(|e| *e < at) {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "`{key_id}` is already retired from {}; a published retire date only moves earlier",
                    existing.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
            ));
        }
        k.revoked = Some(at);
        self.save()?;
        self.publish()?;
        Ok(())
    }

    fn current_signing_key(&self) -> Result<SigningKey> {
        let rec = self
            .config
            .keys
            .iter()
            .find(|k| k.id == self.config.current)
            .ok_or_else(|| Error::model("the current key is not recorded"))?;
        let key = read_key_file(&self.root.join(&rec.file))?;
        if key.verifying_key().to_multikey() != rec.public_key_multibase {
            return Err(Error::key(format!(
                "{}: the key file does not hold the key recorded in {CONFIG}",
                rec.file
            )));
        }
        Ok(key)
    }

    /// An [`Issuer`] signing with the current key, as the issuer's profile (id, name).
    pub fn issuer(&self) -> Result<Issuer> {
        let key = self.current_signing_key()?;
        let profile = json!({"id": self.config.id, "type": ["Profile"], "name": self.config.name});
        Ok(Issuer::new(profile, key)?.with_verification_method(self.config.current.clone()))
    }

    /// The current key, for VC-JWT signing (`kid` = [`IssuerDir::current_key_id`]).
    pub fn signing_key(&self) -> Result<SigningKey> {
        self.current_signing_key()
    }

    /// Every key as a verification method (public parts only), with its retire date.
    pub fn verification_methods(&self) -> Result<Vec<VerificationMethod>> {
        self.config
            .keys
            .iter()
            .map(|k| {
                Ok(VerificationMethod {
                    id: k.id.clone(),
                    controller: self.config.id.clone(),
                    key: crate::keys::VerifyingKey::from_multikey(&k.public_key_multibase)?,
                    revoked: k.revoked,
                    expires: None,
                })
            })
            .collect()
    }

    /// The documents to publish and their URLs (none for did:key).
    pub fn publications(&self) -> Result<Vec<Publication>> {
        let keys = self.verification_methods()?;
        let publish = self.root.join("publish");
        let host_root = |url: &str| -> String {
            let rest = url.trim_start_matches("https://");
            let host = rest.split('/').next().unwrap_or(rest);
            format!("https://{host}")
        };
        Ok(match self.config.kind {
            IssuerKind::DidKey => Vec::new(),
            IssuerKind::Https => vec![
                Publication {
                    url: self.config.id.clone(),
                    path: publish.join("issuer-profile.json"),
                    document: profile_document(&self.config.id, &self.config.name, &keys),
                },
                Publication {
                    url: format!("{}/.well-known/jwks.json", host_root(&self.config.id)),
                    path: publish.join("jwks.json"),
                    document: jwk_set(&keys),
                },
            ],
            IssuerKind::DidWeb => {
                let url = crate::resolve::did_web_url(&self.config.id)?;
                vec![
                    Publication {
                        url: url.clone(),
                        path: publish.join("did.json"),
                        document: did_document(&self.config.id, &keys),
                    },
                    Publication {
                        url: format!("{}/.well-known/jwks.json", host_root(&url)),
                        path: publish.join("jwks.json"),
                        document: jwk_set(&keys),
                    },
                ]
            }
        })
    }

    /// Writes the documents to publish (atomically) and returns them.
    pub fn publish(&self) -> Result<Vec<Publication>> {
        let pubs = self.publications()?;
        if !pubs.is_empty() {
            std::fs::create_dir_all(self.root.join("publish"))
                .map_err(|e| Error::new(ErrorKind::Io, format!("{}: {e}", self.root.display())))?;
        }
        for p in &pubs {
            let text = serde_json::to_string_pretty(&p.document)
                .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
            crate::atomic_file::write(&p.path, format!("{text}\n").as_bytes(), 0o644)?;
        }
        Ok(pubs)
    }

    /// A human summary of the keys: which signs now, which are retired and from when.
    pub fn describe_keys(&self) -> Vec<String> {
        let f = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        self.config
            .keys
            .iter()
            .map(|k| {
                let mut line = k.id.clone();
                if k.id == self.config.current {
                    line.push_str("  (current signing key)");
                } else if let Some(r) = k.retired {
                    line.push_str(&format!("  (rotated out {})", f(r)));
                }
                if let Some(r) = k.revoked {
                    line.push_str(&format!("  proofs created from {} are refused", f(r)));
                }
                line
            })
            .collect()
    }
}
