//! RFC 3339 `date-time` and `full-date` recognition, as JSON Schema's `format` keywords define them.
//!
//! Written by hand rather than with `chrono::DateTime::parse_from_rfc3339`: chrono deliberately
//! accepts more than the RFC 3339 §5.6 grammar (a space instead of `T`, for one), and the lint must
//! say exactly what a strict validator will refuse — most often a missing timezone offset.

/// Why a string is not an RFC 3339 `date-time`, in words for a finding.
pub(crate) fn date_time_problem(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 11 {
        return Some("is too short to be an RFC 3339 date-time".into());
    }
    if let Some(p) = full_date_problem(&s[..s.len().min(10)]) {
        return Some(p);
    }
    if b[10] != b'T' && b[10] != b't' {
        return Some(if b[10] == b' ' {
            "separates date and time with a space; RFC 3339 requires `T`".into()
        } else {
            "has no time part (`T` then hh:mm:ss)".into()
        });
    }
    let rest = &b[11..];
    // hh:mm:ss
    if rest.len() < 8
        || !digits(&rest[0..2])
        || rest[2] != b':'
        || !digits(&rest[3..5])
        || rest[5] != b':'
        || !digits(&rest[6..8])
    {
        return Some("has a time that is not hh:mm:ss".into());
    }
    let (h, m, sec) = (num(&rest[0..2]), num(&rest[3..5]), num(&rest[6..8]));
    if h > 23 || m > 59 || sec > 60 {
        return Some("has an out-of-range time of day".into());
    }
    let mut i = 8;
    if i < rest.len() && rest[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < rest.len() && rest[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Some("has a `.` not followed by fractional-second digits".into());
        }
    }
    let offset = &rest[i..];
    match offset {
        [] => Some("has no timezone offset (add `Z` or `+hh:mm`)".into()),
        [b'Z'] | [b'z'] => None,
        [sign, h1, h2, b':', m1, m2] if (*sign == b'+' || *sign == b'-') => {
            if !digits(&[*h1, *h2, *m1, *m2]) {
                return Some("has a malformed timezone offset".into());
            }
            if num(&[*h1, *h2]) > 23 || num(&[*m1, *m2]) > 59 {
                return Some("has an out-of-range timezone offset".into());
            }
            None
        }
        _ => Some("has a malformed timezone offset (expected `Z` or `+hh:mm`)".into()),
    }
}

/// Why a string is not an RFC 3339 `full-date` (YYYY-MM-DD).
pub(crate) fn full_date_problem(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() != 10
        || !digits(&b[0..4])
        || b[4] != b'-'
        || !digits(&b[5..7])
        || b[7] != b'-'
        || !digits(&b[8..10])
    {
        return Some("does not start with a YYYY-MM-DD date".into());
    }
    let year = num(&b[0..4]);
    let month = num(&b[5..7]);
    let day = num(&b[8..10]);
    if !(1..=12).contains(&month) {
        return Some("has a month outside 01–12".into());
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let max = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 || day > max {
        return Some("has a day that does not exist in that month".into());
    }
    None
}

fn digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

fn num(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_rfc3339() {
        for s in [
            "2010-01-01T00:00:00Z",
            "2024-02-29T23:59:60.123+02:00",
            "2021-09-07t02:09:59z",
            "2000-12-31T00:00:00-05:30",
        ] {
            assert_eq!(date_time_problem(s), None, "{s}");
        }
    }

    #[test]
    fn refuses_non_rfc3339() {
        for (s, why) in [
            ("2010-01-01T00:00:00", "no timezone"),
            ("2010-01-01 00:00:00Z", "space"),
            ("2010-01-01", "too short"),
            ("2010-01-01T", "hh:mm:ss"),
            ("2023-02-29T00:00:00Z", "day"),
            ("2010-13-01T00:00:00Z", "month"),
            ("2010-01-01T24:00:00Z", "out-of-range"),
            ("2010-01-01T00:00:00.Z", "fractional"),
            ("2010-01-01T00:00:00+0200", "malformed"),
            ("01/01/2010T00:00:00Z", "YYYY-MM-DD"),
        ] {
            let p = date_time_problem(s).unwrap_or_default();
            assert!(p.contains(why), "{s}: {p}");
        }
        assert_eq!(full_date_problem("1990-02-28"), None);
        assert!(full_date_problem("1990-2-28").is_some());
    }
}
