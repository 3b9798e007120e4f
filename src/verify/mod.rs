//! Verification: one call that tells a hiring district whether a badge is real, current, theirs to
//! trust, and whose it is.
//!
//! Every judgement is a [`Check`] in the [`Report`]; `Err` is returned only when the input cannot be
//! processed at all. [`VerifyOptions::default()`] checks everything, offline, and fails closed;
//! relaxations live in [`danger`].
//!
//! # Three questions, one verdict
//! The checks answer separate [`Question`]s: is it **authentic** (signed-terms, proof, issuer-key),
//! is it **current** (validity window, status), is it **conformant** (OB 3.0 JSON Schema, data
//! model, subject identification). `verified` = authentic ∧ current (∧ for the recipient asked
//! for, ∧ every nested credential verified). Conformance findings are warnings with their JSON
//! Pointer — fatal only when the credential names a `1EdTechJsonSchemaValidator2019` schema and
//! fails it (OB 3.0 verification, step 1), or under [`VerifyOptions::strict`], which gives the
//! 1EdTech validator's outcome. [`Report::headline`] says which question failed.
//!
//! # The pipeline
//! 1. **Input detector** ([`detect`], shared with [`crate::import()`] and the CLI): JSON-LD
//!    credential, CLR, presentation, VC-JWT, baked PNG/SVG, or a named unsupported format
//!    (SD-JWT VC, PDF, CBOR…).
//! 2. **Securing stage**, chosen by the detector: the embedded Data Integrity proof(s), or the
//!    VC-JWT signature.
//! 3. **Stages over the signed view**, in this order: `type`, `context`, `issuer`,
//!    `signed-terms`, `proof` (+ `proof-set`, `issuer-key`), `validity-window`, `status`,
//!    `subject`, `schema`, `data-model`, `nested-credentials` (CLR: `clr-subject`,
//!    `clr-associations`), `refresh`, `recipient`, `endorsements`, `trust` ([`stage_names`]).
//!    A presentation runs `signed-terms`, `presentation-proof`, `holder` and
//!    `nested-credentials` (each credential through the whole pipeline).
//! 4. **The report builder** computes `verified` from the checks' `fatal` flags.
//!
//! Many inputs at once ([`Verifier::verify_many`]): the same pipeline, with the Ed25519
//! signatures of a chunk of inputs checked in one batch and every report the one verifying the
//! input alone gives (the `many` module source has the argument).
//!
//! # The signed view
//! A Data Integrity proof signs the RDF graph, not the JSON, so the JSON could say something the
//! graph does not (a `credentialStatus` renamed to its full IRI would hide a revocation). The
//! `signed-terms` stage refuses every document whose members are not written as the terms its
//! pinned contexts define — full IRIs, compact IRIs, inline aliases, `@included`, `@graph`,
//! typed `@value` objects — so every later stage, reading members by name, reads exactly what
//! was signed. VC-JWTs and JCS proofs go through the same rule. See the `terms` module source for
//! the argument.
//!
//! # Example
//! ```
//! use openbadges::verify::{Verifier, VerifyOptions};
//! let report = Verifier::new(VerifyOptions::default()).verify_bytes(b"%PDF-1.7")?;
//! assert!(!report.verified);
//! assert!(report.headline().starts_with("NOT VERIFIED (not a credential we can read"));
//! # Ok::<(), openbadges::Error>(())
//! ```

mod controller;
pub mod danger;
mod input;
mod many;
mod options;
mod pipeline;
mod report;
mod structure;
mod terms;
mod time;
mod trust;

pub use crate::check::{problem_types, Check, CheckId, Outcome, Problem, Question};
pub use crate::resolve::did_web_url;
pub use controller::ControllerResolver;
pub use input::{detect, is_compact_jws, json_kind, Input, JsonKind};
pub use many::{BatchStats, Verifiable, MANY_CHUNK};
pub use options::{Recipient, VerifyOptions, DEFAULT_SKEW_SECONDS};
pub use pipeline::{
    stage_names, verify, Verifier, MAX_ENDORSEMENT_DEPTH, MAX_NESTED_CREDENTIALS, MAX_NESTING_DEPTH,
};
pub use report::{Report, SignedBy};
pub use structure::{is_ob_context, VC_V1, VC_V2};
pub use trust::{TrustAnswer, TrustList, TrustedIssuer};
