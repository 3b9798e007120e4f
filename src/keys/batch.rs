//! Ed25519 batch verification that gives, for every signature, the verdict of checking it alone.
//!
//! [`verify_each`] checks many `(key, message, signature)` triples together with ed25519-dalek's
//! `verify_batch` (one multi-scalar multiplication for all of them) and returns one verdict per
//! triple — always the verdict [`VerifyingKey::verify`] (strict, one by one) gives.
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
//!   the batch and fail alone. So before a batch counts, every `R` and every key must be
//!   torsion-free, checked together: 64 rounds, each testing whether the sum of a pseudo-random
//!   half of the points is torsion-free (one multiplication by the group order per round, not
//!   one per point). A torsion component anywhere survives a round with probability ≤ ½, so
//!   the check misses one with probability ≤ 2⁻⁶⁴; then every triple is checked alone.
//! - Triples a batch cannot judge the same way are screened out first and checked alone: a
//!   signature that is not 64 bytes, a non-canonical `S`, an `R` that is not a canonical
//!   encoding (`y ≥ p`), not a curve point, or of small order.
//!
//! Written here, not taken from a crate, because no maintained crate offers batch verification
//! with strict single-signature semantics; every curve operation is curve25519-dalek's, the batch
//! equation is ed25519-dalek's `verify_batch`. The subset choices are derived from a SHA-512 of
//! all the inputs, so the result is reproducible.
//!
//! Below [`MIN_BATCH`] triples there is nothing to gain: they are checked one by one.

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use sha2::{Digest, Sha512};

use super::VerifyingKey;

/// Fewest triples [`verify_each`] batches; fewer are checked one by one (the torsion check's
/// fixed cost of 64 multiplications outweighs the saving below this).
pub const MIN_BATCH: usize = 64;

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
    signature: ed25519_dalek::Signature,
    r: EdwardsPoint,
}

/// Whether the 32 bytes (sign bit ignored) encode a field element `y < p = 2²⁵⁵ − 19`.
fn canonical_y(bytes: &[u8; 32]) -> bool {
    let top = bytes[31] & 0x7f;
    !(top == 0x7f && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[0] >= 0xed)
}

fn screen(index: usize, c: &SignatureCheck<'_>) -> Option<Ready> {
    let signature = ed25519_dalek::Signature::from_slice(c.signature).ok()?;
    let s: [u8; 32] = *signature.s_bytes();
    if bool::from(Scalar::from_canonical_bytes(s).is_none()) {
        return None;
    }
    let r_bytes: [u8; 32] = *signature.r_bytes();
    if !canonical_y(&r_bytes) {
        return None;
    }
    let r = CompressedEdwardsY(r_bytes).decompress()?;
    if r.is_small_order() {
        return None;
    }
    Some(Ready {
        index,
        signature,
        r,
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
/// let messages: Vec<Vec<u8>> = (0..100u32).map(|i| i.to_be_bytes().to_vec()).collect();
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
    let mut verdicts = vec![false; checks.len()];
    if checks.len() < MIN_BATCH {
        for (v, c) in verdicts.iter_mut().zip(checks) {
            *v = c.verify_alone();
        }
        return verdicts;
    }
    let mut ready = Vec::with_capacity(checks.len());
    for (i, c) in checks.iter().enumerate() {
        match screen(i, c) {
            Some(r) => ready.push(r),
            None => verdicts[i] = c.verify_alone(),
        }
    }
    if !torsion_free(checks, &ready) {
        for r in &ready {
            verdicts[r.index] = checks[r.index].verify_alone();
        }
        return verdicts;
    }
    judge(checks, &ready, &mut verdicts);
    verdicts
}

/// Batch-verifies `group` (all torsion-free); on failure splits it.
fn judge(checks: &[SignatureCheck<'_>], group: &[Ready], verdicts: &mut [bool]) {
    if group.len() <= LEAF {
        for r in group {
            verdicts[r.index] = checks[r.index].verify_alone();
        }
        return;
    }
    let messages: Vec<&[u8]> = group.iter().map(|r| checks[r.index].message).collect();
    let signatures: Vec<ed25519_dalek::Signature> = group.iter().map(|r| r.signature).collect();
    let keys: Vec<ed25519_dalek::VerifyingKey> =
        group.iter().map(|r| checks[r.index].key.inner).collect();
    if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok() {
        for r in group {
            verdicts[r.index] = true;
        }
        return;
    }
    let (a, b) = group.split_at(group.len() / 2);
    judge(checks, a, verdicts);
    judge(checks, b, verdicts);
}

/// Whether every `R` and every distinct key is (but for ≤ 2⁻⁶⁴) in the prime-order subgroup.
fn torsion_free(checks: &[SignatureCheck<'_>], ready: &[Ready]) -> bool {
    let mut points: Vec<EdwardsPoint> = ready.iter().map(|r| r.r).collect();
    let mut keys: Vec<[u8; 32]> = ready
        .iter()
        .map(|r| checks[r.index].key.to_bytes())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for k in &keys {
        match CompressedEdwardsY(*k).decompress() {
            Some(p) => points.push(p),
            None => return false,
        }
    }
    // The subsets come from a hash of every input: reproducible, and not steerable by whoever
    // chose one signature without changing the hash.
    let mut seed = Sha512::new();
    seed.update(b"openbadges ed25519 torsion check");
    for r in ready {
        let c = &checks[r.index];
        seed.update(c.key.to_bytes());
        seed.update(c.signature);
        seed.update((c.message.len() as u64).to_le_bytes());
        seed.update(c.message);
    }
    let seed = seed.finalize();
    for round in 0..TORSION_ROUNDS {
        let mut sum = EdwardsPoint::identity();
        let mut bits = Vec::new();
        for (i, p) in points.iter().enumerate() {
            if i % 512 == 0 {
                let mut h = Sha512::new();
                h.update(seed);
                h.update((round as u64).to_le_bytes());
                h.update(((i / 512) as u64).to_le_bytes());
                bits = h.finalize().to_vec();
            }
            let bit = (bits[(i % 512) / 8] >> (i % 8)) & 1;
            if bit == 1 {
                sum += p;
            }
        }
        if !sum.is_torsion_free() {
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
    fn non_canonical_r_is_screened_out() {
        let mut y = [0xffu8; 32];
        y[31] = 0x7f;
        y[0] = 0xed;
        assert!(!canonical_y(&y));
        y[0] = 0xec;
        assert!(canonical_y(&y));
    }
}
