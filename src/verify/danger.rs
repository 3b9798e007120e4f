//! Relaxations that weaken verification. Each is a named method reached only through
//! [`VerifyOptions::dangerous`](super::VerifyOptions::dangerous), never a `bool` field, so a reader
//! of the calling code sees the risk.
//!
//! # Example
//! ```
//! use openbadges::verify::VerifyOptions;
//! let mut options = VerifyOptions::default();
//! options.dangerous().accept_expired().status_unknown_is_warning();
//! ```

use super::VerifyOptions;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Relaxations {
    pub(crate) accept_expired: bool,
    pub(crate) skip_status: bool,
    pub(crate) status_unknown_is_warning: bool,
    pub(crate) skip_schema: bool,
    pub(crate) accept_unsigned_presentation: bool,
}

/// The dangerous side of [`VerifyOptions`].
#[derive(Debug)]
pub struct DangerousVerifyOptions<'a> {
    pub(crate) options: &'a mut VerifyOptions,
}

impl DangerousVerifyOptions<'_> {
    /// Report an expired credential as a warning instead of a failure ("authentic but expired").
    pub fn accept_expired(&mut self) -> &mut Self {
        self.options.relax.accept_expired = true;
        self
    }
    /// Do not check revocation/suspension status at all.
    pub fn skip_status(&mut self) -> &mut Self {
        self.options.relax.skip_status = true;
        self
    }
    /// A status list that cannot be fetched or verified makes the status check a warning instead of
    /// blocking verification.
    pub fn status_unknown_is_warning(&mut self) -> &mut Self {
        self.options.relax.status_unknown_is_warning = true;
        self
    }
    /// Do not run the JSON Schema check named by `credentialSchema`.
    pub fn skip_schema(&mut self) -> &mut Self {
        self.options.relax.skip_schema = true;
        self
    }
    /// Accept a presentation without a proof (its credentials are still verified one by one;
    /// nothing shows who presented them).
    pub fn accept_unsigned_presentation(&mut self) -> &mut Self {
        self.options.relax.accept_unsigned_presentation = true;
        self
    }
}
