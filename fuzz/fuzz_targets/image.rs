//! Baked PNG / SVG extraction: chunk walking, CRCs, inflation bounds, XML.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = openbadges::bake::extract(data);
    let _ = openbadges::bake::png::extract(data);
    let _ = openbadges::bake::svg::extract(data);
});
