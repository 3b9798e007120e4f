//! Verification: one call that tells a hiring district whether a badge is real, current, theirs to
//! trust, and whose it is.
//!
//! Every judgement is a [`Check`] in the [`Report`]; `Err` is returned only when the input cannot be
//! processed at all. [`VerifyOptions::default()`] checks everything, offline, and fails closed;
//! relaxations live in [`danger`].

pub mod danger;
mod options;
mod report;
mod structure;
mod time;
mod trust;

pub use options::{Recipient, VerifyOptions, DEFAULT_SKEW_SECONDS};
pub use report::{problem_types, Check, Outcome, Problem, Report};
pub use structure::{is_ob_context, VC_V1, VC_V2};
pub use trust::{TrustAnswer, TrustList, TrustedIssuer};
