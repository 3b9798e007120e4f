//! Checks N Ed25519 signatures R times, one by one or with `keys::batch::verify_each` — a steady
//! workload for timing the batch path on a busy machine by CPU time or instruction count
//! (criterion's wall-clock figures swing with the load there).
//!
//! ```text
//! cargo build --release --example batch_loop
//! perf stat -e task-clock target/release/examples/batch_loop batch 256 40
//! valgrind --tool=callgrind target/release/examples/batch_loop alone 256 4
//! ```
//!
//! Arguments: `alone`, `batch` or `forged` (a batch with one bad signature), N (default 256),
//! R (default 20). Messages are 64 bytes (what a Data Integrity proof signs), four keys. Prints
//! the number of signatures that verified.

use openbadges::keys::batch::{verify_each, SignatureCheck};
use openbadges::keys::SigningKey;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("batch", String::as_str);
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(256);
    let rounds: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20);
    let keys: Vec<SigningKey> = (0..4u8)
        .map(|i| SigningKey::from_seed(&[i + 1; 32]))
        .collect();
    let vks: Vec<_> = keys.iter().map(SigningKey::verifying_key).collect();
    let messages: Vec<[u8; 64]> = (0..n)
        .map(|i| {
            let mut m = [0u8; 64];
            m[..8].copy_from_slice(&(i as u64).to_le_bytes());
            m
        })
        .collect();
    let mut sigs: Vec<[u8; 64]> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| keys[i % keys.len()].sign(m))
        .collect();
    if mode == "forged" && n > 0 {
        sigs[n / 3][50] ^= 1;
    }
    let checks: Vec<SignatureCheck> = messages
        .iter()
        .zip(&sigs)
        .enumerate()
        .map(|(i, (m, s))| SignatureCheck {
            key: &vks[i % vks.len()],
            message: m,
            signature: s,
        })
        .collect();
    let mut ok = 0;
    for _ in 0..rounds {
        ok += match mode {
            "alone" => checks.iter().filter(|c| c.verify_alone()).count(),
            _ => verify_each(&checks).iter().filter(|v| **v).count(),
        };
    }
    println!("{ok}");
}
