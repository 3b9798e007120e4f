//! Batch Ed25519 verification gives every signature the verdict of checking it alone, on random
//! mixes of good and forged signatures: bit flips in the message, `R` or `S`, the wrong key, a
//! non-canonical `S` (`S + ℓ`), a truncated signature, and the forgeries a batch equation alone
//! would miss — `R` plus a point of order 2, 4 or 8, and a key with a torsion component.

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use openbadges::keys::batch::{verify_each, SignatureCheck, MIN_BATCH};
use openbadges::keys::{SigningKey, VerifyingKey};
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
enum Forgery {
    None,
    FlipMessage(usize),
    FlipR(usize),
    FlipS(usize),
    OtherKey,
    TorsionR(usize),
    NonCanonicalS,
    Truncated,
    TorsionKey(usize),
}

fn forgery() -> impl Strategy<Value = Forgery> {
    prop_oneof![
        6 => Just(Forgery::None),
        1 => (0usize..64).prop_map(Forgery::FlipMessage),
        1 => (0usize..256).prop_map(Forgery::FlipR),
        1 => (0usize..250).prop_map(Forgery::FlipS),
        1 => Just(Forgery::OtherKey),
        1 => (1usize..8).prop_map(Forgery::TorsionR),
        1 => Just(Forgery::NonCanonicalS),
        1 => Just(Forgery::Truncated),
        1 => (1usize..8).prop_map(Forgery::TorsionKey),
    ]
}

/// ℓ, the order of the base point, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn add_torsion(point: &[u8], k: usize) -> [u8; 32] {
    let p = CompressedEdwardsY(point.try_into().unwrap())
        .decompress()
        .unwrap();
    (p + EIGHT_TORSION[k]).compress().to_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn batch_verdicts_agree_with_one_by_one(
        mix in proptest::collection::vec((0usize..3, forgery()), MIN_BATCH..MIN_BATCH + 80),
        salt in any::<u64>(),
    ) {
        let keys: Vec<SigningKey> = (0..3u8).map(|i| SigningKey::from_seed(&[i + 11; 32])).collect();
        let vks: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
        let mut owned_keys: Vec<VerifyingKey> = Vec::new();
        let mut items: Vec<(usize, Vec<u8>, Vec<u8>)> = Vec::new(); // (key slot, message, signature)
        for (i, (k, f)) in mix.iter().enumerate() {
            let mut message = [0u8; 64];
            message[..8].copy_from_slice(&salt.to_le_bytes());
            message[8..16].copy_from_slice(&(i as u64).to_le_bytes());
            let mut sig = keys[*k].sign(&message).to_vec();
            let mut message = message.to_vec();
            let mut slot = *k;
            match *f {
                Forgery::None => {}
                Forgery::FlipMessage(b) => message[b] ^= 1,
                Forgery::FlipR(b) => sig[b / 8] ^= 1 << (b % 8),
                Forgery::FlipS(b) => sig[32 + b / 8] ^= 1 << (b % 8),
                Forgery::OtherKey => slot = (k + 1) % 3,
                Forgery::TorsionR(t) => {
                    let r = add_torsion(&sig[..32], t);
                    sig[..32].copy_from_slice(&r);
                }
                Forgery::NonCanonicalS => {
                    let s = Scalar::from_canonical_bytes(sig[32..].try_into().unwrap()).unwrap();
                    // S + ℓ as a 256-bit integer (fits: S < ℓ < 2^253).
                    let mut carry = 0u16;
                    let s = s.to_bytes();
                    for j in 0..32 {
                        let v = s[j] as u16 + L[j] as u16 + carry;
                        sig[32 + j] = v as u8;
                        carry = v >> 8;
                    }
                }
                Forgery::Truncated => sig.truncate(63),
                Forgery::TorsionKey(t) => {
                    let a = add_torsion(&vks[*k].to_bytes(), t);
                    // A mixed-order key (not small-order: accepted at import).
                    owned_keys.push(VerifyingKey::from_bytes(&a).unwrap());
                    slot = 2 + owned_keys.len();
                }
            }
            items.push((slot, message, sig));
        }
        let key_of = |slot: usize| if slot < 3 { &vks[slot] } else { &owned_keys[slot - 3] };
        let checks: Vec<SignatureCheck> = items
            .iter()
            .map(|(slot, m, s)| SignatureCheck { key: key_of(*slot), message: m, signature: s })
            .collect();
        let alone: Vec<bool> = checks.iter().map(SignatureCheck::verify_alone).collect();
        let batch = verify_each(&checks);
        prop_assert_eq!(&batch, &alone);
        // The mixes really mix: the good ones verify.
        for ((_, f), ok) in mix.iter().zip(&alone) {
            if matches!(f, Forgery::None) {
                prop_assert!(*ok);
            }
        }
    }
}

/// All good, and each kind of forgery alone among good ones: the verdicts agree and the batch
/// path (not the one-by-one fallback below [`MIN_BATCH`]) is the one exercised.
#[test]
fn every_forgery_kind_is_found_in_a_full_batch() {
    let key = SigningKey::from_seed(&[5; 32]);
    let vk = key.verifying_key();
    let n = MIN_BATCH * 2;
    let messages: Vec<Vec<u8>> = (0..n as u64).map(|i| i.to_le_bytes().to_vec()).collect();
    let sigs: Vec<Vec<u8>> = messages.iter().map(|m| key.sign(m).to_vec()).collect();
    let checks = |sigs: &[Vec<u8>]| -> Vec<bool> {
        let c: Vec<SignatureCheck> = messages
            .iter()
            .zip(sigs)
            .map(|(m, s)| SignatureCheck {
                key: &vk,
                message: m,
                signature: s,
            })
            .collect();
        let v = verify_each(&c);
        assert_eq!(
            v,
            c.iter()
                .map(SignatureCheck::verify_alone)
                .collect::<Vec<_>>()
        );
        v
    };
    assert!(checks(&sigs).iter().all(|v| *v));
    for t in 1..8 {
        let mut s = sigs.clone();
        let r = add_torsion(&s[17][..32], t);
        s[17][..32].copy_from_slice(&r);
        let v = checks(&s);
        assert!(!v[17], "R + torsion point {t} is refused");
        assert_eq!(v.iter().filter(|ok| !**ok).count(), 1);
    }
    let mut s = sigs.clone();
    s[3][40] ^= 4;
    s[90][1] ^= 1;
    let v = checks(&s);
    assert_eq!(v.iter().filter(|ok| !**ok).count(), 2);
}
