//! The Data Integrity suites this crate signs and verifies.

use crate::error::{Error, Result};

/// A proof suite.
///
/// # Example
/// ```
/// use openbadges::proof::Suite;
/// assert_eq!(Suite::from_name("eddsa-rdfc-2022")?, Suite::EddsaRdfc2022);
/// assert_eq!(Suite::EddsaJcs2022.name(), "eddsa-jcs-2022");
/// assert!(Suite::from_name("UnknownCryptosuite").is_err());
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Suite {
    /// `DataIntegrityProof` with cryptosuite `eddsa-rdfc-2022`: RDFC-1.0 canonical N-Quads. The only
    /// embedded proof 1EdTech certification accepts.
    EddsaRdfc2022,
    /// `DataIntegrityProof` with cryptosuite `eddsa-jcs-2022`: JCS (RFC 8785), no JSON-LD processing.
    EddsaJcs2022,
    /// The legacy `Ed25519Signature2020` proof type (RDFC canonical form, its own context).
    Ed25519Signature2020,
}

impl Suite {
    /// The suite's name as written in proofs (cryptosuite, or the proof type for Ed25519Signature2020).
    pub fn name(&self) -> &'static str {
        match self {
            Suite::EddsaRdfc2022 => "eddsa-rdfc-2022",
            Suite::EddsaJcs2022 => "eddsa-jcs-2022",
            Suite::Ed25519Signature2020 => "Ed25519Signature2020",
        }
    }

    /// Parses a suite name.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "eddsa-rdfc-2022" => Ok(Suite::EddsaRdfc2022),
            "eddsa-jcs-2022" => Ok(Suite::EddsaJcs2022),
            "Ed25519Signature2020" => Ok(Suite::Ed25519Signature2020),
            other => Err(Error::new(
                crate::ErrorKind::Usage,
                format!("unknown suite `{other}`; expected eddsa-rdfc-2022, eddsa-jcs-2022 or Ed25519Signature2020"),
            )),
        }
    }

    /// All suites we can sign with.
    pub const ALL: [Suite; 3] = [
        Suite::EddsaRdfc2022,
        Suite::EddsaJcs2022,
        Suite::Ed25519Signature2020,
    ];
}

/// The Data Integrity v2 context (added to VC 1.1 documents signed with a DataIntegrityProof).
pub const DATA_INTEGRITY_V2: &str = "https://w3id.org/security/data-integrity/v2";
/// The Data Integrity v1 context (old `eddsa-2022` proofs).
pub const DATA_INTEGRITY_V1: &str = "https://w3id.org/security/data-integrity/v1";
/// The Ed25519Signature2020 suite context.
pub const ED25519_2020_CONTEXT: &str = "https://w3id.org/security/suites/ed25519-2020/v1";
