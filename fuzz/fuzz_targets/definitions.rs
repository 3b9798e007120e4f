//! Stack and credit-policy definitions (JSON and TOML), evaluated on an empty portfolio.
#![no_main]
use openbadges::policy::CreditPolicy;
use openbadges::portfolio::Portfolio;
use openbadges::stack::{progress_all, StackSet};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for toml in [false, true] {
        let Ok(v) = openbadges::definition_file::parse(data, toml) else { continue };
        if let Ok(set) = StackSet::from_json(&v) {
            let _ = progress_all(&set, &Portfolio::new(), chrono::Utc::now());
        }
        if let Ok(p) = CreditPolicy::from_json(&v) {
            let _ = p.value(&Portfolio::new(), &[]);
        }
    }
});
