//! Signs and verifies the sample micro-credential N times with one suite — a steady workload
//! for a profiler (instruction counts under `valgrind --tool=callgrind` are repeatable on a
//! busy machine, where wall-clock timings are not).
//!
//! ```text
//! cargo build --release --example proof_loop
//! valgrind --tool=callgrind --callgrind-out-file=cg.out \
//!     target/release/examples/proof_loop eddsa-rdfc-2022 sign 200
//! callgrind_annotate cg.out | head -40
//! ```
//!
//! Arguments: suite name (default `eddsa-rdfc-2022`), `sign`, `verify` or `both` (default), N
//! (default 200), and `distinct` to give every signature its own `created` (so the
//! proof-configuration memo never hits; verification then cycles through 64 such proofs).
//! Prints nothing but the operation count, so a profile shows the work alone.

use std::sync::Arc;

use openbadges::issue::Issuer;
use openbadges::keys::{DidKeyResolver, SigningKey};
use openbadges::proof::{Expectations, ProofOptions, ProofVerifier, Suite};

fn main() -> Result<(), openbadges::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let suite_name = args.first().map_or("eddsa-rdfc-2022", String::as_str);
    let suite = Suite::ALL
        .into_iter()
        .find(|s| s.name() == suite_name)
        .ok_or_else(|| {
            openbadges::Error::new(
                openbadges::ErrorKind::Proof,
                format!("unknown suite `{suite_name}`"),
            )
        })?;
    let what = args.get(1).map_or("both", String::as_str);
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);

    let sample =
        openbadges::json::parse(include_bytes!("../fixtures/sample-microcredential.json"))?;
    let issuer = Issuer::new(serde_json::json!({}), SigningKey::from_seed(&[0x42; 32]))?;
    let now = chrono::DateTime::parse_from_rfc3339("2026-03-02T15:00:00Z")
        .map_err(|e| openbadges::Error::new(openbadges::ErrorKind::Proof, e.to_string()))?
        .to_utc();
    let prepared = issuer.prepare(&sample, now, None)?;
    let signer = issuer.signer().ok_or_else(|| {
        openbadges::Error::new(
            openbadges::ErrorKind::Key,
            "an Ed25519 issuer signs with Data Integrity",
        )
    })?;
    let options = ProofOptions::assertion().created("2026-03-02T15:00:00Z");
    let verifier = ProofVerifier::new(Arc::new(DidKeyResolver));
    let expect = Expectations::assertion();
    let distinct = args.get(3).is_some_and(|a| a == "distinct");
    let options_for = |i: u32| {
        if distinct {
            let t = now + chrono::Duration::seconds(i64::from(i % 64));
            ProofOptions::assertion().created(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        } else {
            options.clone()
        }
    };
    // Warm the shared processor's context cache, as a long-running issuer or verifier would be.
    let signed: Vec<_> = (0..if distinct { 64 } else { 1 })
        .map(|i| signer.sign(&prepared, suite, &options_for(i)))
        .collect::<Result<_, _>>()?;
    let mut ops = 0u32;
    for i in 0..n {
        if what != "verify" {
            std::hint::black_box(signer.sign(&prepared, suite, &options_for(i))?);
            ops += 1;
        }
        if what != "sign" {
            let doc = &signed[i as usize % signed.len()];
            let o = verifier.verify(std::hint::black_box(doc), &expect)?;
            if o.first().is_none_or(|o| o.result.is_err()) {
                return Err(openbadges::Error::new(
                    openbadges::ErrorKind::Proof,
                    "the sample did not verify",
                ));
            }
            ops += 1;
        }
    }
    println!("{ops} operations");
    Ok(())
}
