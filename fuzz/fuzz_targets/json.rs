//! The strict JSON reader: any bytes give a value or a typed error.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = openbadges::json::parse(data);
});
