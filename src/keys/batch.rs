//! Ed25519 batch verification that gives, for every signature, the verdict of checking it alone.
//!
//! [`verify_each`] checks many `(key, message, signature)` triples together (one multi-scalar
//! multiplication for all of them) and returns one verdict per triple — always the verdict
//! [`VerifyingKey::verify`] (strict, one by one) gives.
//!
//! # Why the verdicts agree
//! One-by-one verification is *strict and cofactorless*: it refuses a non-canonical `S`, a
//! small-order `R`, and accepts only when the encoding of `[S]B − [k]A` equals the signature's
//! `R` bytes. The batch equation `Σ zᵢ([Sᵢ]B − Rᵢ − [kᵢ]Aᵢ) = 0` (random 128-bit `zᵢ`):
//! - accepts every batch of signatures that pass alone (each term is zero), so a **failed**
//!   batch proves that some signature fails alone; it is then split in halves until the bad
//!   ones are found, and small groups are checked one by one;
//! - when it **passes**, proves (but for a 2⁻¹²⁸ chance) that each term's prime-order part is
//!   zero — not its small-torsion part. A signature whose `R` carries a torsion component (a
//!   valid signature "mauled" by adding a point of order 2, 4 or 8), or whose key does, can pass
//!   the batch and fail alone. So before a passing batch counts, every `R` and every key in it
//!   must be torsion-free, checked together once the batch equations are done: 64 rounds, each
//!   testing whether the sum of a pseudo-random half of the points is torsion-free (one
//!   multiplication by the group order per round, not one per point). A torsion component
//!   anywhere survives a round with probability ≤ ½, so the check misses one with probability
//!   ≤ 2⁻⁶⁴; when it finds one, every triple of the passing batches is checked alone. (The
//!   batch equations come first because a signature damaged by accident, not made to pass a
//!   batch, fails its batch equation and is split out there — and its `R`, a random point, has
//!   a torsion component 7 times in 8: checked first, the torsion check would have sent the
//!   whole batch one by one.)
//! - Triples a batch cannot judge the same way are screened out first and checked alone: a
//!   signature that is not 64 bytes, a non-canonical `S`, an `R` that is not a canonical
//!   encoding (`y ≥ p`), not a curve point, or of small order.
//!
//! Written here, not taken from a crate, because no maintained crate offers batch verification
//! with strict single-signature semantics. Every curve operation is curve25519-dalek's; the
//! batch equation is the one ed25519-dalek's `verify_batch` checks (same challenge `k`, 128-bit
//! weights, cofactorless), written out so that each `R` is decompressed once (screening needs
//! it anyway) and each distinct key appears once, its terms gathered: `[Σ zᵢkᵢ]A`. A batch from
//! a few issuers then multiplies about one point per signature instead of two. The weights and
//! the subsets are derived from a SHA-512 of all the inputs, so the result is reproducible.
//!
//! Below [`MIN_BATCH`] triples there is nothing to gain: they are checked one by one.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest, Sha512};
use std::sync::Mutex;

use super::VerifyingKey;

/// Fewest triples [`verify_each`] batches; fewer are checked one by one, because below this the
/// torsion check's fixed cost (64 multiplications by the group order) outweighs the saving.
///
/// The measured break-even on our shared 2-core machine (CPU time of `examples/batch_loop`, four
/// keys, 64-byte messages): a batch of 64 cost ~10 % more per signature than checking each
/// alone, 72 ~6 % less, 128 ~25–30 % less, 256 ~50 % less, 1,024 ~60 % less. (The first
/// version of this module, with ed25519-dalek's `verify_batch` and the torsion check first,
/// broke even at ~128 and saved 15 % at 256.)
pub const MIN_BATCH: usize = 72;

/// Rounds of the joint torsion check (each lets a torsion component through with probability
/// at most ½).
const TORSION_ROUNDS: usize = 64;

/// Groups this small are checked one by one when a failed batch is split.
const LEAF: usize = 4;

/// One signature to check: `signature` over `message` by `key`.
#[derive(Debug, Clone, Copy)]
pub struct SignatureCheck<'a> {
    /// The key that should have signed.
    pub key: &'a VerifyingKey,
    /// The signed bytes.
    pub message: &'a [u8],
    /// The signature (64 bytes when well-formed).
    pub signature: &'a [u8],
}

impl SignatureCheck<'_> {
    /// The verdict of checking this signature alone (strict).
    pub fn verify_alone(&self) -> bool {
        self.key.verify(self.message, self.signature)
    }
}

/// A screened triple, ready for the batch equation.
struct Ready {
    index: usize,
    /// `R`, decompressed once.
    r: EdwardsPoint,
    /// `S`, canonical.
    s: Scalar,
    /// `k = SHA-512(R ‖ A ‖ M) mod ℓ`.
    k: Scalar,
    /// The key's place in the distinct keys of the batch.
    key: usize,
    /// The random weight of this equation in the batch (set once every triple is screened).
    z: Scalar,
}

/// Whether the 32 bytes (sign bit ignored) encode a field element `y < p = 2²⁵⁵ − 19`.
fn canonical_y(bytes: &[u8; 32]) -> bool {
    let top = bytes[31] & 0x7f;
    !(top == 0x7f && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[0] >= 0xed)
}

fn screen(index: usize, c: &SignatureCheck<'_>, key: usize) -> Option<Ready> {
    let signature: &[u8; 64] = c.signature.try_into().ok()?;
    let r_bytes: [u8; 32] = signature[..32].try_into().ok()?;
    let s_bytes: [u8; 32] = signature[32..].try_into().ok()?;
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
    if !canonical_y(&r_bytes) {
        return None;
    }
    let r = CompressedEdwardsY(r_bytes).decompress()?;
    if r.is_small_order() {
        return None;
    }
    // The challenge exactly as ed25519-dalek's `verify_strict` computes it.
    let mut h = Sha512::new();
    h.update(r_bytes);
    h.update(c.key.to_bytes());
    h.update(c.message);
    let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
    Some(Ready {
        index,
        r,
        s,
        k,
        key,
        z: Scalar::ZERO,
    })
}

/// Checks every triple; `result[i]` is exactly `checks[i].verify_alone()` (see the module docs
/// for why, and for the 2⁻⁶⁴ bound of the torsion check that makes it so).
///
/// # Example
/// ```
/// use openbadges::keys::{SigningKey, batch::{verify_each, SignatureCheck}};
/// let key = SigningKey::from_seed(&[7; 32]);
/// let vk = key.verifying_key();
/// let messages: Vec<Vec<u8>> = (0..300u32).map(|i| i.to_be_bytes().to_vec()).collect();
/// let mut signatures: Vec<Vec<u8>> = messages.iter().map(|m| key.sign(m).to_vec()).collect();
/// signatures[42][40] ^= 1; // one forged
/// let checks: Vec<SignatureCheck> = messages.iter().zip(&signatures)
///     .map(|(m, s)| SignatureCheck { key: &vk, message: m, signature: s })
///     .collect();
/// let verdicts = verify_each(&checks);
/// assert_eq!(verdicts.iter().filter(|ok| !**ok).count(), 1);
/// assert!(!verdicts[42]);
/// ```
pub fn verify_each(checks: &[SignatureCheck<'_>]) -> Vec<bool> {
    verify_each_counted(checks).0
}

/// [`verify_each`], and how many of the verdicts a passing batch equation gave (the rest were
/// checked one by one: too few to batch, screened out, failing the torsion check, or in a small
/// group of a failed batch). [`crate::verify::BatchStats`] reports it, so a test can tell the
/// batch path from a silent fallback.
pub(crate) fn verify_each_counted(checks: &[SignatureCheck<'_>]) -> (Vec<bool>, usize) {
    let mut verdicts = vec![false; checks.len()];
    if checks.len() < MIN_BATCH {
        for (v, c) in verdicts.iter_mut().zip(checks) {
            *v = c.verify_alone();
        }
        return (verdicts, 0);
    }
    // The distinct keys (a batch from a few issuers has a few), and each triple's.
    let mut by_key: Vec<([u8; 32], usize)> = checks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.to_bytes(), i))
        .collect();
    by_key.sort_unstable();
    let mut keys: Vec<EdwardsPoint> = Vec::new();
    let mut key_of = vec![0; checks.len()];
    for (j, (bytes, i)) in by_key.iter().enumerate() {
        if j == 0 || by_key[j - 1].0 != *bytes {
            keys.push(checks[*i].key.inner.to_edwards());
        }
        key_of[*i] = keys.len() - 1;
    }
    let mut ready = Vec::with_capacity(checks.len());
    for (i, c) in checks.iter().enumerate() {
        match screen(i, c, key_of[i]) {
            Some(r) => ready.push(r),
            None => verdicts[i] = c.verify_alone(),
        }
    }
    // Everything random below comes from a hash of every input: reproducible, and not
    // steerable by whoever chose one signature without changing the hash.
    let mut seed = Sha512::new();
    seed.update(b"openbadges ed25519 batch");
    for r in &ready {
        let c = &checks[r.index];
        seed.update(c.key.to_bytes());
        seed.update(c.signature);
        seed.update((c.message.len() as u64).to_le_bytes());
        seed.update(c.message);
    }
    let seed: [u8; 64] = seed.finalize().into();
    // 128-bit weights, as ed25519-dalek's `verify_batch` draws them.
    for (i, r) in ready.iter_mut().enumerate() {
        let mut h = Sha512::new();
        h.update(seed);
        h.update(b"z");
        h.update((i as u64).to_le_bytes());
        let bytes: [u8; 64] = h.finalize().into();
        let mut z = [0u8; 16];
        z.copy_from_slice(&bytes[..16]);
        r.z = Scalar::from(u128::from_le_bytes(z));
    }
    // The batch equations first: they find the signatures that fail (a corrupted one, whose
    // `R` is then almost surely a point with a torsion component too, is isolated here rather
    // than failing the torsion check of everything).
    let mut passed = Vec::with_capacity(ready.len());
    judge(checks, &ready, &keys, &mut verdicts, &mut passed);
    // Then one torsion check over what passed: its `R`s and keys.
    let mut used = vec![false; keys.len()];
    let mut points: Vec<EdwardsPoint> = Vec::with_capacity(passed.len() + keys.len());
    for r in &passed {
        used[r.key] = true;
        points.push(r.r);
    }
    points.extend(keys.iter().zip(&used).filter(|(_, u)| **u).map(|(k, _)| *k));
    if torsion_free(&points, &seed) {
        for r in &passed {
            verdicts[r.index] = true;
        }
        (verdicts, passed.len())
    } else {
        // Only a signature made to pass a batch and fail alone gets here: no batch verdict
        // counts.
        for r in &passed {
            verdicts[r.index] = checks[r.index].verify_alone();
        }
        (verdicts, 0)
    }
}

/// Whether the batch equation `Σ zᵢ(Rᵢ + [kᵢ]Aᵢ − [Sᵢ]B) = 0` holds for `group`: the one
/// ed25519-dalek's `verify_batch` checks (cofactorless), with each distinct key's terms gathered
/// into one (`[Σ zᵢkᵢ]A`), so the multi-scalar multiplication has one point per signature, not
/// two.
fn batch_holds(group: &[Ready], keys: &[EdwardsPoint]) -> bool {
    let mut b = Scalar::ZERO;
    let mut per_key = vec![Scalar::ZERO; keys.len()];
    let mut scalars = Vec::with_capacity(group.len() + keys.len() + 1);
    let mut points = Vec::with_capacity(group.len() + keys.len() + 1);
    for r in group {
        b += r.z * r.s;
        per_key[r.key] += r.z * r.k;
        scalars.push(r.z);
        points.push(r.r);
    }
    scalars.push(-b);
    points.push(ED25519_BASEPOINT_POINT);
    for (k, a) in per_key.into_iter().zip(keys) {
        if k != Scalar::ZERO {
            scalars.push(k);
            points.push(*a);
        }
    }
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}

/// Batch-verifies `group`, splitting it on failure: the triples of groups whose batch equation
/// holds go to `passed` (they stand once the torsion check passes too); small groups are checked
/// one by one, their verdicts final.
fn judge<'r>(
    checks: &[SignatureCheck<'_>],
    group: &'r [Ready],
    keys: &[EdwardsPoint],
    verdicts: &mut [bool],
    passed: &mut Vec<&'r Ready>,
) {
    if group.len() <= LEAF {
        for r in group {
            verdicts[r.index] = checks[r.index].verify_alone();
        }
        return;
    }
    if batch_holds(group, keys) {
        passed.extend(group);
        return;
    }
    let (a, b) = group.split_at(group.len() / 2);
    judge(checks, a, keys, verdicts, passed);
    judge(checks, b, keys, verdicts, passed);
}

/// A signature whose check was put off: the owned form of a [`SignatureCheck`].
#[derive(Debug, Clone)]
pub(crate) struct DeferredCheck {
    key: VerifyingKey,
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl DeferredCheck {
    /// The borrowed triple, for [`verify_each`].
    pub(crate) fn as_check(&self) -> SignatureCheck<'_> {
        SignatureCheck {
            key: &self.key,
            message: &self.message,
            signature: &self.signature,
        }
    }
}

/// The Ed25519 signatures of one verification put off to be checked later, together with many
/// others ([`crate::verify::Verifier::verify_many`]).
///
/// Crate-internal on purpose, and dangerous by nature: while a signature is deferred the code
/// that asked for it proceeds as if it had verified. Only a caller that then checks every
/// recorded signature, and throws away the result of a verification with a failed one (doing it
/// again without deferral), may hand one out. Shared by the threads of one verification (a CLR's
/// nested credentials), hence the lock.
#[derive(Debug, Default)]
pub(crate) struct Deferred {
    checks: Mutex<Vec<DeferredCheck>>,
}

impl Deferred {
    /// Records the check and returns `true`: it stands until [`Deferred::into_checks`]' owner
    /// has checked it.
    fn record(&self, key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
        let check = DeferredCheck {
            key: *key,
            message: message.to_vec(),
            signature: signature.to_vec(),
        };
        match self.checks.lock() {
            Ok(mut checks) => {
                checks.push(check);
                true
            }
            // A poisoned lock (a thread of this verification panicked; the panic reaches the
            // caller anyway): nothing is put off, the signature is checked now.
            Err(_) => key.verify(message, signature),
        }
    }

    /// The recorded checks, in no particular order.
    pub(crate) fn into_checks(self) -> Vec<DeferredCheck> {
        self.checks.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// `key.verify(message, signature)` now, or — with `defer` — recorded for later and `true`
/// meanwhile (see [`Deferred`]).
pub(crate) fn verify_or_defer(
    key: &VerifyingKey,
    message: &[u8],
    signature: &[u8],
    defer: Option<&Deferred>,
) -> bool {
    match defer {
        Some(d) => d.record(key, message, signature),
        None => key.verify(message, signature),
    }
}

/// Points summed four at a time in the torsion check: every subset sum of four is computed once
/// (11 additions), then each round adds one of them per four points instead of about two.
const BLOCK: usize = 4;

/// `[ℓ]P = 0`: `P` has no small-torsion component. Variable time (every point here is public):
/// `[ℓ − 1]P + P`, `ℓ − 1` being the canonical scalar `−1`.
fn prime_order_or_identity(p: &EdwardsPoint) -> bool {
    (EdwardsPoint::vartime_double_scalar_mul_basepoint(&-Scalar::ONE, p, &Scalar::ZERO) + p)
        .is_identity()
}

/// Whether every point is (but for ≤ 2⁻⁶⁴) in the prime-order subgroup.
fn torsion_free(points: &[EdwardsPoint], seed: &[u8; 64]) -> bool {
    // Every subset sum of each block of four points, indexed by its 4-bit mask.
    let blocks: Vec<[EdwardsPoint; 1 << BLOCK]> = points
        .chunks(BLOCK)
        .map(|block| {
            let mut sums = [EdwardsPoint::identity(); 1 << BLOCK];
            for mask in 1..(1usize << BLOCK) {
                let low = mask.trailing_zeros() as usize;
                sums[mask] = match block.get(low) {
                    Some(p) => sums[mask & (mask - 1)] + p,
                    None => sums[mask & (mask - 1)],
                };
            }
            sums
        })
        .collect();
    for round in 0..TORSION_ROUNDS {
        let mut sum = EdwardsPoint::identity();
        let mut bits = Vec::new();
        for (i, sums) in blocks.iter().enumerate() {
            // 4 bits per block: a 64-byte hash covers 128 blocks.
            if i % 128 == 0 {
                let mut h = Sha512::new();
                h.update(seed);
                h.update(b"torsion");
                h.update((round as u64).to_le_bytes());
                h.update(((i / 128) as u64).to_le_bytes());
                bits = h.finalize().to_vec();
            }
            let byte = bits[(i % 128) / 2];
            let mask = if i % 2 == 0 { byte & 0x0f } else { byte >> 4 };
            if mask != 0 {
                sum += &sums[mask as usize];
            }
        }
        if !prime_order_or_identity(&sum) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningKey;

    #[test]
    fn a_torsion_mauled_signature_is_judged_as_alone() {
        let key = SigningKey::from_seed(&[3; 32]);
        let vk = key.verifying_key();
        let messages: Vec<Vec<u8>> = (0..80u32).map(|i| i.to_le_bytes().to_vec()).collect();
        let mut sigs: Vec<Vec<u8>> = messages.iter().map(|m| key.sign(m).to_vec()).collect();
        // R + (a point of order 2): a valid point, not small-order, fails strict verification.
        let r = CompressedEdwardsY(sigs[5][..32].try_into().unwrap())
            .decompress()
            .unwrap();
        let mauled = r + curve25519_dalek::constants::EIGHT_TORSION[4];
        sigs[5][..32].copy_from_slice(mauled.compress().as_bytes());
        let checks: Vec<SignatureCheck> = messages
            .iter()
            .zip(&sigs)
            .map(|(m, s)| SignatureCheck {
                key: &vk,
                message: m,
                signature: s,
            })
            .collect();
        assert!(!checks[5].verify_alone());
        let v = verify_each(&checks);
        assert_eq!(
            v,
            checks.iter().map(|c| c.verify_alone()).collect::<Vec<_>>()
        );
        assert!(!v[5]);
    }

    #[test]
    fn the_order_check_agrees_with_curve25519_dalek() {
        use curve25519_dalek::constants::EIGHT_TORSION;
        for k in [1u64, 2, 12345, u64::MAX] {
            let p = ED25519_BASEPOINT_POINT * Scalar::from(k);
            assert!(prime_order_or_identity(&p));
            for t in EIGHT_TORSION.iter().skip(1) {
                let q = p + t;
                assert!(!q.is_torsion_free());
                assert!(!prime_order_or_identity(&q));
            }
        }
        assert!(prime_order_or_identity(&EdwardsPoint::identity()));
    }

    #[test]
    fn a_torsion_component_anywhere_is_found() {
        use curve25519_dalek::constants::EIGHT_TORSION;
        let point = |i: usize| ED25519_BASEPOINT_POINT * Scalar::from(i as u64 + 2);
        // Sizes around the blocks of four and the 128 blocks one hash covers.
        for n in [1usize, 3, 4, 5, 130, 515] {
            let clean: Vec<EdwardsPoint> = (0..n).map(point).collect();
            assert!(torsion_free(&clean, &[n as u8; 64]));
            for at in [0, n / 2, n - 1] {
                for t in [1, 2, 4] {
                    let mut points = clean.clone();
                    points[at] += EIGHT_TORSION[t];
                    assert!(
                        !torsion_free(&points, &[n as u8; 64]),
                        "n {n}, torsion {t} at {at}"
                    );
                }
            }
        }
    }

    #[test]
    fn many_distinct_keys_batch() {
        let keys: Vec<SigningKey> = (0..100u8)
            .map(|i| SigningKey::from_seed(&[i; 32]))
            .collect();
        let vks: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
        let messages: Vec<Vec<u8>> = (0..200u32).map(|i| i.to_le_bytes().to_vec()).collect();
        let mut sigs: Vec<Vec<u8>> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| keys[i % 100].sign(m).to_vec())
            .collect();
        let run = |sigs: &[Vec<u8>]| -> (Vec<bool>, usize) {
            let checks: Vec<SignatureCheck<'_>> = messages
                .iter()
                .zip(sigs)
                .enumerate()
                .map(|(i, (m, s))| SignatureCheck {
                    key: &vks[i % 100],
                    message: m,
                    signature: s,
                })
                .collect();
            verify_each_counted(&checks)
        };
        let (v, batched) = run(&sigs);
        assert!(v.iter().all(|ok| *ok));
        assert_eq!(batched, 200);
        // Signed by the key of the next triple: the right message, the wrong key.
        sigs[10] = keys[11].sign(&messages[10]).to_vec();
        let (v, _) = run(&sigs);
        assert_eq!(v.iter().filter(|ok| !**ok).count(), 1);
        assert!(!v[10]);
    }

    #[test]
    fn non_canonical_r_is_screened_out() {
        let mut y = [0xffu8; 32];
        y[31] = 0x7f;
        y[0] = 0xed;
        assert!(!canonical_y(&y));
        y[0] = 0xec;
        assert!(canonical_y(&y));
    }
}
