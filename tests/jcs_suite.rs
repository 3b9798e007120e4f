//! RFC 8785 conformance: cyberphone/json-canonicalization test data in ../shared/suites/jcs
//! (input/ → output/ byte for byte) and the 100,000-line ES6 number serialization file.

use std::path::PathBuf;

fn suite() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/suites/jcs"));
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

#[test]
fn rfc8785_pairs() {
    let Some(dir) = suite() else { return };
    let mut n = 0;
    for entry in std::fs::read_dir(dir.join("input")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        let input = std::fs::read(&path).unwrap();
        let expected = std::fs::read_to_string(dir.join("output").join(name)).unwrap();
        let value = openbadges::json::parse(&input).unwrap();
        assert_eq!(openbadges::jcs::canonicalize(&value), expected, "{name:?}");
        n += 1;
    }
    assert_eq!(n, 6);
    println!("jcs pairs: {n} passed, 0 failed");
}

#[test]
fn es6_numbers_100k() {
    let Some(dir) = suite() else { return };
    let text = std::fs::read_to_string(dir.join("es6testfile100k.txt")).unwrap();
    let mut n = 0;
    for line in text.lines() {
        let (hex, expected) = line.split_once(',').unwrap();
        let bits = u64::from_str_radix(hex, 16).unwrap();
        let f = f64::from_bits(bits);
        if !f.is_finite() {
            continue;
        }
        let v = serde_json::Value::Number(serde_json::Number::from_f64(f).unwrap());
        assert_eq!(openbadges::jcs::canonicalize(&v), expected, "bits {hex}");
        n += 1;
    }
    assert!(n > 99_000);
    println!("es6 numbers: {n} passed, 0 failed");
}
