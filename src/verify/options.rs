//! [`VerifyOptions`]: secure defaults; relaxations only through [`VerifyOptions::dangerous`].

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::danger::Relaxations;
use super::trust::TrustList;
use crate::resolve::{Offline, Resolver};

/// The clock skew tolerated by default when judging dates: 5 minutes.
pub const DEFAULT_SKEW_SECONDS: i64 = 300;

/// Who the verifier expects the credential to be for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recipient {
    /// A DID or URL, compared with `credentialSubject.id`.
    Id(String),
    /// An e-mail address, compared with `credentialSubject.identifier` (plain or hashed
    /// IdentityObject entries) and `credentialSubject.id` (`mailto:`).
    Email(String),
}

impl Recipient {
    /// Reads what a person typed: an e-mail address (`teacher@example.org` or
    /// `mailto:teacher@example.org`), or a DID / URL.
    ///
    /// # Example
    /// ```
    /// use openbadges::verify::Recipient;
    /// assert_eq!(Recipient::parse("maria@riverside.example"), Recipient::Email("maria@riverside.example".into()));
    /// assert_eq!(Recipient::parse("did:example:maria"), Recipient::Id("did:example:maria".into()));
    /// ```
    pub fn parse(s: &str) -> Self {
        let s = s.trim();
        match s.strip_prefix("mailto:") {
            Some(e) => Recipient::Email(e.to_string()),
            None if s.contains('@') && !s.contains(':') => Recipient::Email(s.to_string()),
            None => Recipient::Id(s.to_string()),
        }
    }
}

/// How to verify. `VerifyOptions::default()` checks everything, offline, and fails closed.
///
/// # Example
/// ```
/// use openbadges::verify::{TrustList, VerifyOptions};
/// let at = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
/// let options = VerifyOptions::default()
///     .at(at)
///     .trust(TrustList::new().trust("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"));
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct VerifyOptions {
    pub(crate) now: Option<DateTime<Utc>>,
    pub(crate) skew: chrono::Duration,
    pub(crate) trust: Option<TrustList>,
    pub(crate) recipient: Option<Recipient>,
    pub(crate) resolver: Arc<dyn Resolver>,
    pub(crate) legacy_suites: bool,
    pub(crate) strict: bool,
    pub(crate) challenge: Option<String>,
    pub(crate) domain: Option<String>,
    pub(crate) relax: Relaxations,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            now: None,
            skew: chrono::Duration::seconds(DEFAULT_SKEW_SECONDS),
            trust: None,
            recipient: None,
            resolver: Arc::new(Offline),
            legacy_suites: true,
            strict: false,
            challenge: None,
            domain: None,
            relax: Relaxations::default(),
        }
    }
}

impl std::fmt::Debug for VerifyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("now", &self.now)
            .field("skew", &self.skew)
            .field("trust", &self.trust)
            .field("recipient", &self.recipient)
            .field("legacy_suites", &self.legacy_suites)
            .field("strict", &self.strict)
            .field("challenge", &self.challenge)
            .field("domain", &self.domain)
            .field("relax", &self.relax)
            .finish_non_exhaustive()
    }
}

impl VerifyOptions {
    /// Strict verification, for an issuer's own quality checks: every conformance finding (OB 3.0
    /// JSON Schema, data model, subject identification, Open Badges type and context, a status
    /// list shorter than the minimum) is fatal — the 1EdTech validator's outcome on each of its
    /// fixtures. By default they are warnings: a badge that is authentic and current verifies.
    ///
    /// # Example
    /// ```
    /// use openbadges::verify::VerifyOptions;
    /// let issuer_qa = VerifyOptions::strict();
    /// assert!(issuer_qa.is_strict());
    /// assert!(!VerifyOptions::default().is_strict());
    /// ```
    pub fn strict() -> Self {
        VerifyOptions {
            strict: true,
            ..Self::default()
        }
    }

    /// Makes these options strict (see [`VerifyOptions::strict`]).
    pub fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Whether conformance findings are fatal.
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// The challenge a presentation's proof must carry (the nonce the verifier issued).
    pub fn challenge(mut self, challenge: impl Into<String>) -> Self {
        self.challenge = Some(challenge.into());
        self
    }

    /// The domain a presentation's proof must carry.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Judge dates as of `now` instead of the system clock (reproducible verification).
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.now = Some(now);
        self
    }

    /// The tolerated clock skew (default [`DEFAULT_SKEW_SECONDS`]).
    pub fn skew(mut self, skew: chrono::Duration) -> Self {
        self.skew = skew;
        self
    }

    /// Run the trust phase against this list.
    pub fn trust(mut self, list: TrustList) -> Self {
        self.trust = Some(list);
        self
    }

    /// Check that the credential is for this recipient.
    pub fn recipient(mut self, recipient: Recipient) -> Self {
        self.recipient = Some(recipient);
        self
    }

    /// Fetch remote documents (DID documents, verification methods, status lists) through
    /// `resolver` instead of refusing them.
    pub fn resolver(mut self, resolver: Arc<dyn Resolver>) -> Self {
        self.resolver = resolver;
        self
    }

    /// Refuse the legacy `Ed25519Signature2020` and `eddsa-2022` proofs (accepted by default,
    /// because badges in the wild carry them).
    pub fn reject_legacy_suites(mut self) -> Self {
        self.legacy_suites = false;
        self
    }

    /// The resolution hook in use.
    pub fn resolver_handle(&self) -> Arc<dyn Resolver> {
        self.resolver.clone()
    }

    /// The time given with [`VerifyOptions::at`], if any (`None`: the system clock at each
    /// check).
    ///
    /// # Example
    /// ```
    /// use openbadges::verify::VerifyOptions;
    /// assert_eq!(VerifyOptions::default().fixed_time(), None);
    /// let at = chrono::Utc::now();
    /// assert_eq!(VerifyOptions::default().at(at).fixed_time(), Some(at));
    /// ```
    pub fn fixed_time(&self) -> Option<DateTime<Utc>> {
        self.now
    }

    /// The current time used to judge dates.
    pub fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }

    /// Relaxations that weaken verification: see [`super::danger`].
    pub fn dangerous(&mut self) -> super::danger::DangerousVerifyOptions<'_> {
        super::danger::DangerousVerifyOptions { options: self }
    }
}
