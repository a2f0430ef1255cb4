//! Go's `time.Duration` text: formatting as `Duration.String` does and
//! parsing as `time.ParseDuration` does, for the analyses' tables and the
//! CLI's options.

/// Formats ns as Go's `time.Duration.String` does ("1.5ms", "2m3.000000001s", "0s").
pub fn go_duration(ns: i64) -> String {
    let neg = ns < 0;
    let u = ns.unsigned_abs();
    let mut s = String::new();
    if u < 1_000_000_000 {
        let (unit, div) = match u {
            0 => return "0s".to_string(),
            1..=999 => ("ns", 1u64),
            1_000..=999_999 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        s.push_str(&fixed(u, div));
        s.push_str(unit);
    } else {
        let secs = u / 1_000_000_000;
        let frac = u % 1_000_000_000;
        let h = secs / 3600;
        let m = (secs / 60) % 60;
        let sec = secs % 60;
        if h > 0 {
            s.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            s.push_str(&format!("{m}m"));
        }
        s.push_str(&fixed(sec * 1_000_000_000 + frac, 1_000_000_000));
        s.push('s');
    }
    if neg {
        s.insert(0, '-');
    }
    s
}

/// `v / div` with the fraction's trailing zeros removed.
fn fixed(v: u64, div: u64) -> String {
    let int = v / div;
    let frac = v % div;
    if frac == 0 || div == 1 {
        return int.to_string();
    }
    let width = div.ilog10() as usize;
    let f = format!("{frac:0width$}");
    format!("{int}.{}", f.trim_end_matches('0'))
}

/// Parses a Go duration string ("1h2m3.5s", "12.5µs", "0s") into ns.
pub fn parse_go_duration(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_len);
        if num.is_empty() {
            return None;
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let mult: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let (ip, fp) = num.split_once('.').unwrap_or((num, ""));
        let ip: i128 = if ip.is_empty() { 0 } else { ip.parse().ok()? };
        let mut v = ip.checked_mul(mult)?;
        let mut scale = mult;
        for c in fp.chars() {
            scale /= 10;
            v += i128::from(c.to_digit(10)?) * scale;
        }
        total = total.checked_add(v)?;
        rest = next;
    }
    let total = if neg { -total } else { total };
    i64::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_go() {
        for (ns, s) in [
            (0, "0s"),
            (1, "1ns"),
            (1_500, "1.5µs"),
            (1_000_000, "1ms"),
            (1_234_567, "1.234567ms"),
            (1_000_000_000, "1s"),
            (61_000_000_001, "1m1.000000001s"),
            (3_600_000_000_000, "1h0m0s"),
            (-2_500, "-2.5µs"),
        ] {
            assert_eq!(go_duration(ns), s);
            assert_eq!(parse_go_duration(s), Some(ns), "{s}");
        }
        assert_eq!(parse_go_duration("1.5us"), Some(1500));
        assert_eq!(parse_go_duration("x"), None);
        assert_eq!(go_duration(i64::MIN), "-2562047h47m16.854775808s");
    }
}
