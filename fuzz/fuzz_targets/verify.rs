//! The whole verification pipeline, offline, on arbitrary input (and as a CLR).
#![no_main]
use openbadges::verify::{Verifier, VerifyOptions};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let v = Verifier::new(VerifyOptions::default());
    let _ = v.verify_bytes(data);
    if let Ok(doc) = openbadges::json::parse(data) {
        let _ = openbadges::clr::verify_clr(&doc, &v);
    }
});
