//! Human-readable times and sizes.

/// A duration in nanoseconds with three significant digits and a unit:
/// `"512 ns"`, `"1.25 µs"`, `"12.3 ms"`, `"4.00 s"`.
pub fn duration(ns: f64) -> String {
    let a = ns.abs();
    let (v, unit) = if a < 1e3 {
        return format!("{} ns", ns.round() as i64);
    } else if a < 1e6 {
        (ns / 1e3, "µs")
    } else if a < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let digits = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$} {unit}")
}

/// A point in time `t` (ns since the trace start) with as many digits as
/// `resolution` ns needs (the time one pixel covers, say): `"629 ms"` for a
/// whole-trace view, `"629.84512 ms"` for a 10 µs one. Never coarser than
/// [`duration`]'s three significant digits.
pub fn time_at(t: f64, resolution: f64) -> String {
    let a = t.abs();
    let (div, unit) = if a < 1e3 {
        (1.0, "ns")
    } else if a < 1e6 {
        (1e3, "µs")
    } else if a < 1e9 {
        (1e6, "ms")
    } else {
        (1e9, "s")
    };
    let v = t / div;
    let sig = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let res = resolution.abs().max(1.0);
    let need = (div / res).log10().ceil().max(0.0) as usize;
    let decimals = need.max(if div == 1.0 { 0 } else { sig }).min(9);
    format!("{v:.decimals$} {unit}")
}

/// A time-axis label for `t` (ns since the trace start) when ticks are `step` ns
/// apart: the unit follows the step, with just enough decimals to tell ticks apart.
pub fn tick_label(t: f64, step: f64) -> String {
    let (div, unit) = if step < 1e3 {
        (1.0, "ns")
    } else if step < 1e6 {
        (1e3, "µs")
    } else if step < 1e9 {
        (1e6, "ms")
    } else {
        (1e9, "s")
    };
    let s = step / div;
    let decimals = if s >= 1.0 {
        0
    } else {
        (-s.log10()).ceil().clamp(0.0, 6.0) as usize
    };
    let v = t / div;
    if v.abs() < 0.5 * 10f64.powi(-(decimals as i32)) {
        return "0".to_string();
    }
    format!("{v:.decimals$} {unit}")
}

/// Bytes with a binary unit: `"512 B"`, `"1.5 MiB"`.
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else if v >= 100.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// A count with thousands separators: `"12,345"`.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(0.0), "0 ns");
        assert_eq!(duration(999.0), "999 ns");
        assert_eq!(duration(1250.0), "1.25 µs");
        assert_eq!(duration(12_345_678.0), "12.3 ms");
        assert_eq!(duration(123_456_789.0), "123 ms");
        assert_eq!(duration(4e9), "4.00 s");
    }

    #[test]
    fn times_follow_the_resolution() {
        assert_eq!(time_at(629_845_123.0, 1e6), "630 ms");
        assert_eq!(time_at(629_845_123.0, 10.0), "629.84512 ms");
        assert_eq!(time_at(629_845_123.0, 1.0), "629.845123 ms");
        assert_eq!(time_at(1_250.0, 1e3), "1.25 µs");
        assert_eq!(time_at(512.0, 100.0), "512 ns");
        assert_eq!(time_at(4e9, 1e3), "4.000000 s");
    }

    #[test]
    fn tick_labels() {
        assert_eq!(tick_label(0.0, 1e6), "0");
        assert_eq!(tick_label(2e6, 1e6), "2 ms");
        assert_eq!(tick_label(2.5e6, 5e5), "2500 µs");
        assert_eq!(tick_label(1.2e9, 2e8), "1200 ms");
        assert_eq!(tick_label(3e9, 1e9), "3 s");
        assert_eq!(tick_label(1.5e9, 5e8), "1500 ms");
        assert_eq!(tick_label(150.0, 50.0), "150 ns");
    }

    #[test]
    fn sizes_and_counts() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(300 << 20), "300 MiB");
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
    }
}
