//! The N-Quads parser and canonicalization of what it reads.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(ds) = openbadges::rdfc::nquads::parse(text) {
        let _ = openbadges::rdfc::canonicalize(&ds);
    }
});
