//! JSON-LD expansion and toRdf (safe mode, bundled contexts only), then RDFC-1.0: bounded, no panic.
#![no_main]
use openbadges::jsonld::{Options, Processor};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(doc) = openbadges::json::parse(data) else { return };
    let p = Processor::new();
    if let Ok(rdf) = p.to_rdf(&doc, &Options::safe()) {
        let _ = openbadges::rdfc::canonicalize(&rdf);
    }
    let _ = p.expand(&doc, &Options::default());
});
