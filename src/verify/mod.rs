//! Verification: one call that tells a hiring district whether a badge is real, current, theirs to
//! trust, and whose it is.
//!
//! Every judgement is a [`Check`] in the [`Report`]; `Err` is returned only when the input cannot be
//! processed at all. [`VerifyOptions::default()`] checks everything, offline, and fails closed;
//! relaxations live in [`danger`].

mod controller;
pub mod danger;
mod options;
mod pipeline;
mod report;
mod structure;
mod time;
mod trust;

pub use controller::{did_web_url, ControllerResolver};
pub use options::{Recipient, VerifyOptions, DEFAULT_SKEW_SECONDS};
pub use pipeline::{verify, Verifier, MAX_ENDORSEMENT_DEPTH};
pub use report::{problem_types, Check, Outcome, Problem, Report, SignedBy};
pub use structure::{is_ob_context, VC_V1, VC_V2};
pub use trust::{TrustAnswer, TrustList, TrustedIssuer};
