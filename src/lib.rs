//! # openbadges
//!
//! Open Badges 3.0 micro-credentials for issuers, hiring districts and wallet apps: a typed data
//! model, Data Integrity proofs (eddsa-rdfc-2022, eddsa-jcs-2022, Ed25519Signature2020) over our own
//! JSON-LD 1.1 and RDFC-1.0 core, verification with a report of every check, and more.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod achievement;
pub mod atomic_file;
#[cfg(feature = "programs")]
pub mod award;
pub mod bake;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod clr;
pub mod credential;
#[cfg(feature = "programs")]
pub mod definition_file;
pub mod error;
pub mod identity;
pub mod import;
pub mod issue;
pub mod issuer;
pub mod jcs;
pub mod json;
pub mod jsonld;
pub mod jwt;
pub mod keys;
pub mod lint;
#[cfg(feature = "programs")]
pub mod policy;
#[cfg(feature = "programs")]
pub mod portfolio;
pub mod present;
pub mod profile;
pub mod proof;
pub mod rdf;
pub mod rdfc;
pub mod resolve;
pub mod schema;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "programs")]
pub mod stack;
pub mod status;
pub mod value;
pub mod verify;
pub mod vocab;

pub use error::{Error, ErrorKind, Result};
pub use import::import;
pub use issue::{Issued, Issuer, Securing};
pub use keys::{IssuerKey, KeyAlgorithm, PublicKey};
pub use verify::{verify, Report, VerifyOptions};
