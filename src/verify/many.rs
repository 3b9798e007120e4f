//! Verifying many inputs together: their Ed25519 signatures checked in batches
//! ([`crate::keys::batch::verify_each`]), every report byte for byte the one verifying the input
//! alone gives.
//!
//! The design and the argument are in [`Verifier::verify_many`]'s documentation.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::Value;

use super::pipeline::Verifier;
use super::report::Report;
use crate::error::Result;
use crate::keys::batch::{verify_each_counted, Deferred};

/// Most inputs verified together: their signatures go through one batch (the batch equation's
/// cost per signature shrinks with its size, while a longer chunk holds more reports in memory
/// and, with a forgery in it, splits further).
pub const MANY_CHUNK: usize = 1024;

/// Fewer inputs than this are verified on the calling thread, whatever [`Verifier::threads`].
const PARALLEL_MIN: usize = 8;

/// One input of [`Verifier::verify_many_of`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Verifiable<'a> {
    /// Anything [`Verifier::verify_bytes`] reads (JSON-LD, a VC-JWT, a baked PNG or SVG…).
    Bytes(&'a [u8]),
    /// A parsed document, as [`Verifier::verify_value`] takes it.
    Json(&'a Value),
    /// A VC-JWT, as [`Verifier::verify_jwt`] takes it.
    Jwt(&'a str),
}

/// What [`Verifier::verify_many`] and [`Verifier::verify_many_of`] did, counted since the
/// verifier was made (clones of a verifier share the counts).
///
/// # Example
/// ```
/// use openbadges::verify::{Verifier, VerifyOptions};
/// let verifier = Verifier::new(VerifyOptions::default());
/// verifier.verify_many(&[b"{}".as_slice(), b"not json".as_slice()]);
/// let stats = verifier.batch_stats();
/// assert_eq!(stats.inputs, 2);
/// assert_eq!(stats.deferred, 0); // neither got as far as a signature
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchStats {
    /// Inputs verified.
    pub inputs: u64,
    /// Ed25519 signature checks deferred to a batch.
    pub deferred: u64,
    /// Of those, the ones a passing batch equation accepted; the rest were checked one by one
    /// (too few in the chunk to batch, malformed, or in a small group of a batch that failed).
    pub batched: u64,
    /// Inputs verified a second time, alone, because a deferred signature of theirs failed.
    pub reverified: u64,
}

/// The counters behind [`BatchStats`].
#[derive(Debug, Default)]
pub(super) struct BatchCounters {
    inputs: AtomicU64,
    deferred: AtomicU64,
    batched: AtomicU64,
    reverified: AtomicU64,
}

impl Verifier {
    /// Verifies many inputs (each anything [`Verifier::verify_bytes`] reads), checking their
    /// Ed25519 signatures in batches; `result[i]` is exactly `self.verify_bytes(inputs[i])`.
    ///
    /// Inputs are taken in chunks of at most [`MANY_CHUNK`], on up to [`Verifier::threads`]
    /// threads (a CLR's nested credentials then stay on its input's thread); a caller that
    /// already runs one chunk per thread uses a verifier `with_threads(1)`.
    ///
    /// # How it works
    /// Optimistically, in two phases, per chunk of inputs (at most [`MANY_CHUNK`]):
    ///
    /// 1. Each input goes through the normal pipeline with its Ed25519 signature checks
    ///    *deferred*: where a proof (eddsa-rdfc-2022, eddsa-jcs-2022, eddsa-2022,
    ///    Ed25519Signature2020 and 2018) or an EdDSA VC-JWT would call the strict one-by-one
    ///    check, the `(key, message, signature)` triple is recorded and the check passes for now.
    ///    That covers the input's own proof(s), a presentation's proof, and the proofs of the
    ///    credentials it carries (a CLR's or a presentation's nested credentials, endorsements).
    ///    ES256 and RS256 JWTs are checked at once.
    /// 2. Every triple of the chunk goes through one `verify_each`, which gives each exactly the
    ///    strict one-by-one verdict. An input whose triples all pass keeps its phase-1 report; an
    ///    input with a failed one is verified again from scratch, alone, without deferral, and that
    ///    report replaces the provisional one.
    ///
    /// # Why the reports are the ones verifying alone gives
    /// A deferred check returns `true`, so phase 1 computes exactly what verifying alone computes
    /// *when every deferred signature is valid* — provided nothing else reads a deferred verdict.
    /// Three things make that so:
    /// - A signature check is the last step of a proof's check ([`crate::proof`]) and of a JWT's
    ///   signature stage; what follows (the proof-set rules, the issuer-key binding, trust,
    ///   `signed_by`, the nested-credentials verdict) reads only the outcome, which is the real one
    ///   whenever phase 2 confirms every triple.
    /// - Nothing shared outlives the document with a verdict in it. The status lists a credential
    ///   names are verified (and their verdicts cached across documents in `list_verdicts`) without
    ///   deferral: the deferral travels with the document's own pipeline context, and the status
    ///   stage does not hand it on. The caches that are shared — resolved keys and controller
    ///   documents, decoded did:key methods, canonical proof configurations, fetched documents —
    ///   hold what was fetched or computed *before* any signature is checked, the same whether the
    ///   check is now or later.
    /// - When a triple fails, nothing of phase 1 is kept for that input: it is verified again as if
    ///   it were alone (the same [`Verifier`], so the same caches it would have met).
    ///
    /// `verify_each` agrees with the strict check except with probability at most 2⁻⁶⁴ per chunk
    /// (its torsion check; see [`crate::keys::batch`]).
    ///
    /// # What it saves
    /// The Ed25519 share of verifying a badge (about a third; see the README's figures): a chunk of
    /// [`MANY_CHUNK`] single-proof badges pays one batch equation and one torsion check instead of
    /// one strict check each. Chunks with fewer than [`crate::keys::batch::MIN_BATCH`] signatures
    /// gain nothing (they are checked one by one) and lose only the cost of recording the triples.
    /// A chunk with a forged signature pays for the split that finds it and for verifying its
    /// document twice.
    ///
    /// # Example
    /// ```
    /// use openbadges::{Issuer, IssuerKey, proof::Suite};
    /// use openbadges::verify::{Verifier, VerifyOptions};
    /// let issuer = Issuer::new(serde_json::json!({"name": "Riverside"}),
    ///     IssuerKey::ed25519_from_seed(&[7; 32]))?;
    /// let badge = |n: usize| serde_json::json!({
    ///     "@context": ["https://www.w3.org/ns/credentials/v2",
    ///                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    ///     "type": ["VerifiableCredential", "OpenBadgeCredential"],
    ///     "name": "Flexible Grouping",
    ///     "credentialSubject": {"id": format!("did:example:teacher-{n}"),
    ///         "type": ["AchievementSubject"],
    ///         "achievement": {"id": "https://riverside.example/a/fg", "type": ["Achievement"],
    ///             "name": "Flexible Grouping", "description": "Groups students flexibly.",
    ///             "criteria": {"narrative": "Rubric score 3 or higher."}}}});
    /// let mut files = Vec::new();
    /// for n in 0..300 {
    ///     let issued = issuer.issue(&badge(n), Suite::EddsaRdfc2022)?;
    ///     files.push(issued.to_text().into_bytes());
    /// }
    /// // One changed after it was signed.
    /// files[7] = String::from_utf8_lossy(&files[7]).replace("teacher-7", "teacher-8").into();
    ///
    /// let verifier = Verifier::new(VerifyOptions::default()).with_threads(1);
    /// let inputs: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    /// let reports = verifier.verify_many(&inputs).into_iter().collect::<Result<Vec<_>, _>>()?;
    /// assert!(!reports[7].verified); // tampered
    /// assert_eq!(reports.iter().filter(|r| r.verified).count(), 299);
    /// let stats = verifier.batch_stats();
    /// assert_eq!((stats.deferred, stats.reverified), (300, 1));
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn verify_many(&self, inputs: &[&[u8]]) -> Vec<Result<Report>> {
        let items: Vec<Verifiable<'_>> = inputs.iter().map(|b| Verifiable::Bytes(b)).collect();
        self.verify_many_of(&items)
    }

    /// [`Verifier::verify_many`] for inputs in any form: `result[i]` is exactly what
    /// `verify_bytes`, `verify_value` or `verify_jwt` gives for `items[i]` (the latter wrapped
    /// in `Ok`).
    ///
    /// # Example
    /// ```
    /// use openbadges::verify::{Verifiable, Verifier, VerifyOptions};
    /// let verifier = Verifier::new(VerifyOptions::default());
    /// let doc = serde_json::json!({"type": ["VerifiableCredential"]});
    /// let reports = verifier.verify_many_of(&[
    ///     Verifiable::Json(&doc),
    ///     Verifiable::Jwt("not.a.jwt"),
    ///     Verifiable::Bytes(b"%PDF-1.7"),
    /// ]);
    /// assert_eq!(reports.len(), 3);
    /// assert!(reports.iter().all(|r| r.as_ref().is_ok_and(|r| !r.verified)));
    /// # Ok::<(), openbadges::Error>(())
    /// ```
    pub fn verify_many_of(&self, items: &[Verifiable<'_>]) -> Vec<Result<Report>> {
        let n = items.len();
        if n == 0 {
            return Vec::new();
        }
        // A few inputs stay on the calling thread (starting threads costs more than it saves).
        let threads = if n < PARALLEL_MIN {
            1
        } else {
            self.threads().min(n)
        };
        let chunk = n.div_ceil(threads).clamp(1, MANY_CHUNK);
        let chunks: Vec<&[Verifiable<'_>]> = items.chunks(chunk).collect();
        if threads <= 1 || chunks.len() == 1 {
            return chunks.iter().flat_map(|c| self.chunk(c)).collect();
        }
        // One chunk per thread at a time; each input's nested credentials stay on its thread.
        let single = self.clone().with_threads(1);
        let next = AtomicUsize::new(0);
        let slots: Vec<Mutex<Vec<Result<Report>>>> =
            chunks.iter().map(|_| Mutex::new(Vec::new())).collect();
        std::thread::scope(|scope| {
            for _ in 0..threads.min(chunks.len()) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(c) = chunks.get(i) else { break };
                    let reports = single.chunk(c);
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = reports;
                    }
                });
            }
        });
        slots
            .into_iter()
            .zip(&chunks)
            .flat_map(|(slot, c)| {
                let reports = slot.into_inner().unwrap_or_default();
                // Every slot is filled unless a worker panicked, which the scope re-raised
                // already; the fallback keeps this total anyway.
                if reports.len() == c.len() {
                    reports
                } else {
                    single.chunk(c)
                }
            })
            .collect()
    }

    /// What [`Verifier::verify_many`] has done so far.
    pub fn batch_stats(&self) -> BatchStats {
        let c = &self.batch;
        BatchStats {
            inputs: c.inputs.load(Ordering::Relaxed),
            deferred: c.deferred.load(Ordering::Relaxed),
            batched: c.batched.load(Ordering::Relaxed),
            reverified: c.reverified.load(Ordering::Relaxed),
        }
    }

    /// One input, its signature checks put off into `defer` when given.
    fn one(&self, item: &Verifiable<'_>, defer: Option<&Deferred>) -> Result<Report> {
        match item {
            Verifiable::Bytes(b) => self.verify_bytes_deferring(b, defer),
            Verifiable::Json(v) => Ok(self.verify_json(v, 0, defer)),
            Verifiable::Jwt(t) => Ok(self.jwt(t, 0, defer)),
        }
    }

    /// The two phases over one chunk, on this thread.
    fn chunk(&self, items: &[Verifiable<'_>]) -> Vec<Result<Report>> {
        let mut reports = Vec::with_capacity(items.len());
        let mut deferred = Vec::with_capacity(items.len());
        for item in items {
            let defer = Deferred::default();
            reports.push(self.one(item, Some(&defer)));
            deferred.push(defer.into_checks());
        }
        let mut owners = Vec::new();
        let mut checks = Vec::new();
        for (owner, ds) in deferred.iter().enumerate() {
            for d in ds {
                owners.push(owner);
                checks.push(d.as_check());
            }
        }
        let (verdicts, batched) = verify_each_counted(&checks);
        let mut failed = vec![false; items.len()];
        for (owner, ok) in owners.iter().zip(&verdicts) {
            if !ok {
                failed[*owner] = true;
            }
        }
        let mut reverified = 0;
        for (i, item) in items.iter().enumerate() {
            if failed[i] {
                reports[i] = self.one(item, None);
                reverified += 1;
            }
        }
        let c = &self.batch;
        c.inputs.fetch_add(items.len() as u64, Ordering::Relaxed);
        c.deferred.fetch_add(checks.len() as u64, Ordering::Relaxed);
        c.batched.fetch_add(batched as u64, Ordering::Relaxed);
        c.reverified.fetch_add(reverified, Ordering::Relaxed);
        reports
    }
}
