//! Revocation and suspension: W3C Bitstring Status List (issue and check), and the check side of
//! StatusList2021 and 1EdTech's `1EdTechRevocationList`.

mod bitstring;
mod check;
mod store;

pub use check::ListVerdict;
pub(crate) use check::{status_check, StatusPolicy};

pub use bitstring::{Bitstring, MAX_DECODED_BYTES, MAX_ENCODED_CHARS, MIN_BITS};
pub use store::StatusListStore;

use crate::error::{Error, ErrorKind, Result};

/// What a status list says about its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Purpose {
    /// A set bit means revoked (final).
    Revocation,
    /// A set bit means suspended (reversible).
    Suspension,
}

impl Purpose {
    /// `revocation` or `suspension`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Purpose::Revocation => "revocation",
            Purpose::Suspension => "suspension",
        }
    }

    /// Parses `revocation` or `suspension`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "revocation" => Ok(Purpose::Revocation),
            "suspension" => Ok(Purpose::Suspension),
            other => Err(Error::new(
                ErrorKind::Usage,
                format!("unknown status purpose `{other}`; expected `revocation` or `suspension`"),
            )),
        }
    }
}
