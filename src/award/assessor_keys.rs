//! [`AssessorKeys`]: the signing keys assessors endorse awarded badges with, one key file per
//! assessor, found by the assessor's did:key.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, ErrorKind, Result};
use crate::keys::SigningKey;

/// Assessors' signing keys by their did:key. `Debug` prints the DIDs only.
///
/// # Example
/// ```
/// use openbadges::award::AssessorKeys;
/// use openbadges::keys::SigningKey;
/// let key = SigningKey::from_seed(&[9; 32]);
/// let did = key.verifying_key().did_key();
/// let keys = AssessorKeys::new().with(key);
/// assert!(keys.get(&did).is_some());
/// assert!(!format!("{keys:?}").contains("secret"));
/// ```
#[derive(Clone, Default)]
pub struct AssessorKeys {
    keys: HashMap<String, SigningKey>,
}

impl std::fmt::Debug for AssessorKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut dids: Vec<&String> = self.keys.keys().collect();
        dids.sort();
        f.debug_struct("AssessorKeys").field("dids", &dids).finish()
    }
}

impl AssessorKeys {
    /// No keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key (the assessor is its did:key).
    pub fn with(mut self, key: SigningKey) -> Self {
        self.keys.insert(key.verifying_key().did_key(), key);
        self
    }

    /// Reads every `*.json` key file in `dir` (as written by `openbadges keygen --out`: owner-only,
    /// the secret checked against its public key; see [`crate::issuer::read_key_file`]). Two
    /// files holding the same key are refused.
    pub fn load_dir(dir: &Path) -> Result<Self> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!(
                    "cannot read the assessor keys folder {}: {e}",
                    dir.display()
                ),
            )
        })?;
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
            .collect();
        paths.sort();
        let mut keys = HashMap::new();
        let mut files: HashMap<String, String> = HashMap::new();
        for p in paths {
            let key = crate::issuer::read_key_file(&p)?;
            let did = key.verifying_key().did_key();
            if let Some(first) = files.get(&did) {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!("{} and {first} hold the same key ({did})", p.display()),
                ));
            }
            files.insert(did.clone(), p.display().to_string());
            keys.insert(did, key);
        }
        Ok(AssessorKeys { keys })
    }

    /// The key of the assessor `did`.
    pub fn get(&self, did: &str) -> Option<&SigningKey> {
        self.keys.get(did)
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
