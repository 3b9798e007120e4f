//! Number → RDF lexical forms exactly as jsonld.js writes them.
//!
//! jsonld.js decides "double or integer" with `String(v).indexOf('.') !== -1 || |v| >= 1e21`
//! (`types.isDouble`), writes doubles with `v.toExponential(15).replace(/(\d)0*e\+?/, '$1E')`
//! (2.5 → `2.5E0`) and integers with `v.toFixed(0)`. JavaScript number formatting comes from
//! `ryu-js`; `toExponential(15)` is written here because Rust's `{:.15e}` rounds an exact tie to
//! even where ECMAScript rounds it up.

/// `String(v)` in JavaScript.
pub(crate) fn js_string(v: f64) -> String {
    ryu_js::Buffer::new().format(v).to_string()
}

/// jsonld.js `types.isDouble`.
pub(crate) fn is_double(v: f64) -> bool {
    js_string(v).contains('.') || v.abs() >= 1e21
}

/// `v.toFixed(0)` in JavaScript.
pub(crate) fn js_to_fixed_0(v: f64) -> String {
    if !v.is_finite() || v.abs() >= 1e21 {
        return js_string(v);
    }
    ryu_js::Buffer::new().format_to_fixed(v, 0).to_string()
}

/// The canonical `xsd:double` lexical form jsonld.js writes.
pub(crate) fn canonical_double(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if v == 0.0 {
        return "0.0E0".into();
    }
    let (digits, exp) = to_exponential_15(v.abs());
    // digits: 16 significant digits; apply `(\d)0*e` → `$1E` (trailing zeros dropped, one kept).
    let mut mantissa = String::with_capacity(18);
    if v < 0.0 {
        mantissa.push('-');
    }
    mantissa.push(digits[0] as char);
    mantissa.push('.');
    let frac = &digits[1..];
    let trimmed = {
        let mut end = frac.len();
        while end > 1 && frac[end - 1] == b'0' {
            end -= 1;
        }
        &frac[..end]
    };
    for &d in trimmed {
        mantissa.push(d as char);
    }
    format!("{mantissa}E{exp}")
}

/// 16 significant decimal digits and the exponent of `v` (> 0), rounded like ECMAScript
/// `toExponential(15)`: to nearest, an exact tie away from zero.
fn to_exponential_15(v: f64) -> (Vec<u8>, i32) {
    let parse = |s: &str| -> (Vec<u8>, i32) {
        let (m, e) = s.split_once('e').unwrap_or((s, "0"));
        let digits: Vec<u8> = m.bytes().filter(|c| c.is_ascii_digit()).collect();
        (digits, e.parse().unwrap_or(0))
    };
    let (mut digits, mut exp) = parse(&format!("{v:.24e}"));
    let d17 = digits[16];
    let tail = &digits[17..];
    let ambiguous = (d17 == b'4' && tail.iter().all(|&c| c == b'9'))
        || (d17 == b'5' && tail.iter().all(|&c| c == b'0'));
    if ambiguous {
        // A double's exact decimal expansion has at most 767 significant digits.
        let exact = parse(&format!("{v:.800e}"));
        digits = exact.0;
        exp = exact.1;
    }
    let round_up = digits[16] >= b'5';
    let mut out: Vec<u8> = digits[..16].to_vec();
    if round_up {
        let mut i = 15;
        loop {
            if out[i] == b'9' {
                out[i] = b'0';
                if i == 0 {
                    out.insert(0, b'1');
                    out.truncate(16);
                    exp += 1;
                    break;
                }
                i -= 1;
            } else {
                out[i] += 1;
                break;
            }
        }
    }
    (out, exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_like_jsonld_js() {
        assert_eq!(canonical_double(2.5), "2.5E0");
        assert_eq!(canonical_double(0.5), "5.0E-1");
        assert_eq!(canonical_double(1e21), "1.0E21");
        assert_eq!(canonical_double(-1.1), "-1.1E0");
        assert_eq!(canonical_double(123.456), "1.23456E2");
        assert_eq!(canonical_double(0.1 + 0.2), "3.0E-1");
        // exact tie: ECMAScript rounds up, Rust's formatter would round to even.
        assert_eq!(canonical_double(2f64.powi(-23)), "1.192092895507813E-7");
        assert_eq!(canonical_double(1e23), "9.999999999999999E22");
    }

    #[test]
    fn double_or_integer_like_jsonld_js() {
        assert!(is_double(2.5));
        assert!(!is_double(2.0));
        assert!(is_double(1e21));
        assert!(!is_double(1e20));
        assert!(!is_double(1e-7)); // String(1e-7) is "1e-7": jsonld.js writes it as an integer
        assert_eq!(js_to_fixed_0(1e-7), "0");
        assert_eq!(js_to_fixed_0(42.0), "42");
        assert_eq!(js_to_fixed_0(1e20), "100000000000000000000");
    }
}
