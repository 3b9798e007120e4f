//! The issuer's status-list store: allocates random indexes, revokes, suspends, reinstates, and
//! produces the (unsigned) `BitstringStatusListCredential` to publish. File-backed with atomic
//! writes for the CLI.

use std::collections::BTreeMap;
use std::path::Path;

use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::bitstring::{Bitstring, MIN_BITS};
use super::Purpose;
use crate::error::{Error, ErrorKind, Result};

/// A status list being run by an issuer.
///
/// # Example
/// ```
/// use openbadges::status::{Purpose, StatusListStore};
/// let mut store = StatusListStore::new("https://district.example/status/1", Purpose::Revocation)?;
/// let entry = store.allocate("urn:uuid:0d6b1c7e-0000-4000-8000-000000000001")?;
/// assert_eq!(entry["type"], "BitstringStatusListEntry");
/// store.revoke("urn:uuid:0d6b1c7e-0000-4000-8000-000000000001")?;
/// let index: usize = entry["statusListIndex"].as_str().unwrap().parse().unwrap();
/// assert_eq!(store.bits().get(index)?, 1);
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StatusListStore {
    url: String,
    purpose: Purpose,
    bits: Bitstring,
    allocated: Bitstring,
    credentials: BTreeMap<String, usize>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoreFile {
    version: u32,
    url: String,
    purpose: String,
    entries: usize,
    encoded_list: String,
    allocated_list: String,
    credentials: BTreeMap<String, usize>,
}

impl StatusListStore {
    /// A new list of [`MIN_BITS`] entries that will be published at `url`.
    pub fn new(url: impl Into<String>, purpose: Purpose) -> Result<Self> {
        let url = url.into();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("the status list URL must be an http(s) URL; found `{url}`"),
            ));
        }
        Ok(StatusListStore {
            url,
            purpose,
            bits: Bitstring::new(MIN_BITS, 1)?,
            allocated: Bitstring::new(MIN_BITS, 1)?,
            credentials: BTreeMap::new(),
        })
    }

    /// Where the list will be published.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The purpose of this list.
    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// The current status bits.
    pub fn bits(&self) -> &Bitstring {
        &self.bits
    }

    /// How many indexes are allocated.
    pub fn allocated_count(&self) -> usize {
        self.credentials.len()
    }

    /// The index allocated to `credential_id`, if any.
    pub fn index_of(&self, credential_id: &str) -> Option<usize> {
        self.credentials.get(credential_id).copied()
    }

    /// Allocates a random free index for `credential_id` (random, so an index says nothing about
    /// issue order) and returns its `BitstringStatusListEntry`. Allocating the same id again returns
    /// the same entry.
    pub fn allocate(&mut self, credential_id: &str) -> Result<Value> {
        if let Some(i) = self.credentials.get(credential_id) {
            return Ok(self.entry(*i));
        }
        let len = self.bits.len();
        if self.credentials.len() >= len {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("the status list at {} is full ({len} entries)", self.url),
            ));
        }
        loop {
            let i = (OsRng.next_u64() % len as u64) as usize;
            if self.allocated.get(i)? == 0 {
                self.allocated.set(i, 1)?;
                self.credentials.insert(credential_id.to_string(), i);
                return Ok(self.entry(i));
            }
        }
    }

    /// The `credentialStatus` entry for index `i`.
    pub fn entry(&self, i: usize) -> Value {
        json!({
            "id": format!("{}#{i}", self.url),
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose.as_str(),
            "statusListIndex": i.to_string(),
            "statusListCredential": self.url,
        })
    }

    fn index_for(&self, credential: &str) -> Result<usize> {
        self.credentials.get(credential).copied().ok_or_else(|| {
            Error::new(
                ErrorKind::Usage,
                format!(
                    "`{credential}` has no index in the status list at {}",
                    self.url
                ),
            )
        })
    }

    /// Sets the revocation bit of `credential_id` (a revocation list only; revocation is final).
    pub fn revoke(&mut self, credential_id: &str) -> Result<()> {
        self.require(Purpose::Revocation, "revoke")?;
        let i = self.index_for(credential_id)?;
        self.bits.set(i, 1)
    }

    /// Sets the suspension bit of `credential_id` (a suspension list only).
    pub fn suspend(&mut self, credential_id: &str) -> Result<()> {
        self.require(Purpose::Suspension, "suspend")?;
        let i = self.index_for(credential_id)?;
        self.bits.set(i, 1)
    }

    /// Clears the suspension bit of `credential_id` (a suspension list only).
    pub fn reinstate(&mut self, credential_id: &str) -> Result<()> {
        self.require(Purpose::Suspension, "reinstate")?;
        let i = self.index_for(credential_id)?;
        self.bits.set(i, 0)
    }

    fn require(&self, purpose: Purpose, verb: &str) -> Result<()> {
        if self.purpose != purpose {
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "cannot {verb} through a {} list (revocation is final; suspension needs a list with purpose `suspension`)",
                    self.purpose.as_str()
                ),
            ));
        }
        Ok(())
    }

    /// The unsigned `BitstringStatusListCredential` to sign and publish at [`Self::url`].
    /// `issuer` is the issuer id (it must be the issuer of the credentials on the list).
    pub fn list_credential(&self, issuer: &str, valid_from: &str) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": self.url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer,
            "validFrom": valid_from,
            "credentialSubject": {
                "id": format!("{}#list", self.url),
                "type": "BitstringStatusList",
                "statusPurpose": self.purpose.as_str(),
                "encodedList": self.bits.encode(),
            }
        })
    }

    /// Serializes the store.
    pub fn to_json(&self) -> String {
        let file = StoreFile {
            version: 1,
            url: self.url.clone(),
            purpose: self.purpose.as_str().to_string(),
            entries: self.bits.len(),
            encoded_list: self.bits.encode(),
            allocated_list: self.allocated.encode(),
            credentials: self.credentials.clone(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Reads a store serialized by [`Self::to_json`].
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let v = crate::json::parse_with(
            bytes,
            &crate::json::Limits {
                max_bytes: 256 * 1024 * 1024,
                max_depth: 8,
            },
        )?;
        let file: StoreFile = serde_json::from_value(v)
            .map_err(|e| Error::new(ErrorKind::Model, format!("not a status-list store: {e}")))?;
        let purpose = Purpose::parse(&file.purpose)?;
        let bits = Bitstring::decode(&file.encoded_list, 1)?;
        let allocated = Bitstring::decode(&file.allocated_list, 1)?;
        for (id, i) in &file.credentials {
            if *i >= bits.len() || allocated.get(*i)? != 1 {
                return Err(Error::new(
                    ErrorKind::Model,
                    format!("store entry `{id}` has index {i}, which is not allocated"),
                ));
            }
        }
        Ok(StatusListStore {
            url: file.url,
            purpose,
            bits,
            allocated,
            credentials: file.credentials,
        })
    }

    /// Loads a store file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::from(e).context(format!("while reading {}", path.display())))?;
        Self::from_json(&bytes).map_err(|e| e.context(format!("in {}", path.display())))
    }

    /// Saves the store atomically (temp file + fsync + rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::atomic_file::write(path, self.to_json().as_bytes(), 0o644)
    }
}
