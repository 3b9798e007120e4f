//! Import of every form (JSON-LD, JWT, images, presentations, CLR, OB 2.0).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = openbadges::import::import(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = openbadges::jwt::decode_unverified(text);
    }
});
