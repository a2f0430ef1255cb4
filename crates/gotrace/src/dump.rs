//! Prints events exactly as Go 1.27's `go tool trace -d=parsed` does
//! (`fmt.Println(ev.String())`), byte for byte, so our reader can be diffed
//! against the toolchain.

use crate::event::{Event, Payload, RangeName, Resource, Transition};
use crate::tables::{StackId, StrId, Tables};
use crate::wire::spec;
use std::io::{self, Write};

/// Writes one event and its newline.
pub fn write_event(out: &mut impl Write, ev: &Event, tables: &Tables) -> io::Result<()> {
    let mut buf = Vec::with_capacity(128);
    format_event(&mut buf, ev, tables);
    out.write_all(&buf)
}

/// Appends one event and its newline to `buf`.
pub fn format_event(buf: &mut Vec<u8>, ev: &Event, t: &Tables) {
    let _ = write!(
        buf,
        "M={} P={} G={} {} Time={}",
        ev.m,
        ev.p,
        ev.g,
        ev.kind().name(),
        ev.time
    );
    match ev.payload {
        Payload::Metric { metric, value } => {
            buf.extend_from_slice(b" Name=");
            quote(buf, metric.name().as_bytes());
            let _ = write!(buf, " Value=Value{{Uint64({value})}}");
        }
        Payload::Label { label, resource } => {
            buf.extend_from_slice(b" Label=");
            quote(buf, t.bytes(label));
            buf.extend_from_slice(b" Resource=");
            resource_name(buf, resource);
        }
        Payload::RangeBegin { name, scope } | Payload::RangeActive { name, scope } => {
            range(buf, t, name, scope);
        }
        Payload::RangeEnd { name, scope, sweep } => {
            range(buf, t, name, scope);
            buf.extend_from_slice(b" Attributes=[");
            if let Some(s) = sweep {
                let _ = write!(
                    buf,
                    "\"bytes swept\"=Value{{Uint64({})}} \"bytes reclaimed\"=Value{{Uint64({})}}",
                    s.swept, s.reclaimed
                );
            }
            buf.push(b']');
        }
        Payload::TaskBegin { id, parent, ty } | Payload::TaskEnd { id, parent, ty } => {
            let _ = write!(buf, " ID={id} Parent={parent} Type=");
            quote(buf, t.bytes(ty));
        }
        Payload::RegionBegin { task, ty } | Payload::RegionEnd { task, ty } => {
            let _ = write!(buf, " Task={task} Type=");
            quote(buf, t.bytes(ty));
        }
        Payload::Log {
            task,
            category,
            message,
        } => {
            let _ = write!(buf, " Task={task} Category=");
            quote(buf, t.bytes(category));
            buf.extend_from_slice(b" Message=");
            quote(buf, t.bytes(message));
        }
        Payload::StateTransition(st) => {
            match st.transition {
                Transition::Goroutine { id, old, new } => {
                    let _ = write!(buf, " GoID={id} {}->{}", old.name(), new.name());
                }
                Transition::Proc { id, old, new } => {
                    let _ = write!(buf, " ProcID={id} {}->{}", old.name(), new.name());
                }
            }
            buf.extend_from_slice(b" Reason=");
            quote(buf, t.bytes(st.reason));
            // Go attaches a (possibly empty) transition stack to every
            // goroutine creation, so an empty one still prints its header.
            let creation = matches!(
                ev.wire_type,
                spec::ev::GO_CREATE | spec::ev::GO_CREATE_BLOCKED
            );
            if !st.stack.is_none() || creation {
                buf.extend_from_slice(b"\nTransitionStack=\n");
                stack(buf, t, st.stack);
            }
        }
        Payload::Experimental(x) => {
            let sp = spec::spec(x.wire_type);
            let name = sp.map(|s| s.name).unwrap_or("");
            let _ = write!(buf, " Name={name} Args=[");
            let names = sp.map(|s| s.args.get(1..).unwrap_or(&[])).unwrap_or(&[]);
            for (i, (arg, v)) in names
                .iter()
                .zip(x.args.iter())
                .take(usize::from(x.nargs))
                .enumerate()
            {
                if i != 0 {
                    buf.extend_from_slice(b", ");
                }
                let _ = write!(buf, "{arg}=Value{{Uint64({v})}}");
            }
            buf.push(b']');
        }
        Payload::Sync { n, clock } => {
            let _ = write!(buf, " N={n}");
            if let Some(c) = clock {
                let _ = write!(buf, " Trace={} Mono={} Wall=", c.trace, c.mono);
                rfc3339_nano_utc(buf, c.wall_sec as i64, c.wall_nsec as i64);
            }
        }
        Payload::StackSample => {}
    }
    // A CPU sample always carries a (possibly empty) stack in Go.
    if !ev.stack.is_none() || matches!(ev.payload, Payload::StackSample) {
        buf.extend_from_slice(b"\nStack=\n");
        stack(buf, t, ev.stack);
    }
    buf.push(b'\n');
}

fn range(buf: &mut Vec<u8>, t: &Tables, name: RangeName, scope: Resource) {
    buf.extend_from_slice(b" Name=");
    match name {
        RangeName::StopTheWorld(kind) => {
            let mut s = b"stop-the-world (".to_vec();
            s.extend_from_slice(t.bytes(kind));
            s.push(b')');
            quote(buf, &s);
        }
        RangeName::GcMark => quote(buf, b"GC concurrent mark phase"),
        RangeName::GcSweep => quote(buf, b"GC incremental sweep"),
        RangeName::GcMarkAssist => quote(buf, b"GC mark assist"),
    }
    buf.extend_from_slice(b" Scope=");
    resource_name(buf, scope);
}

fn resource_name(buf: &mut Vec<u8>, r: Resource) {
    let _ = match r {
        Resource::None => write!(buf, "None"),
        Resource::Goroutine(id) => write!(buf, "Goroutine({id})"),
        Resource::Proc(id) => write!(buf, "Proc({id})"),
        Resource::Thread(id) => write!(buf, "Thread({id})"),
    };
}

fn stack(buf: &mut Vec<u8>, t: &Tables, id: StackId) {
    for f in t.stack(id) {
        buf.push(b'\t');
        buf.extend_from_slice(t.bytes(f.func));
        let _ = writeln!(buf, " @ 0x{:x}", f.pc);
        buf.extend_from_slice(b"\t\t");
        buf.extend_from_slice(t.bytes(f.file));
        let _ = writeln!(buf, ":{}", f.line);
    }
}

/// Appends `s` quoted as Go's `strconv.Quote` does.
pub fn quote(buf: &mut Vec<u8>, s: &[u8]) {
    buf.push(b'"');
    let mut rest = s;
    while !rest.is_empty() {
        let (c, n) = decode_utf8(rest);
        let Some(c) = c else {
            let _ = write!(buf, "\\x{:02x}", rest[0]);
            rest = &rest[1..];
            continue;
        };
        rest = &rest[n..];
        match c {
            '"' => buf.extend_from_slice(b"\\\""),
            '\\' => buf.extend_from_slice(b"\\\\"),
            c if is_print(c) => {
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
            '\u{7}' => buf.extend_from_slice(b"\\a"),
            '\u{8}' => buf.extend_from_slice(b"\\b"),
            '\u{c}' => buf.extend_from_slice(b"\\f"),
            '\n' => buf.extend_from_slice(b"\\n"),
            '\r' => buf.extend_from_slice(b"\\r"),
            '\t' => buf.extend_from_slice(b"\\t"),
            '\u{b}' => buf.extend_from_slice(b"\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(buf, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(buf, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(buf, "\\U{:08x}", c as u32);
            }
        }
    }
    buf.push(b'"');
}

/// Decodes one UTF-8 scalar from the start of `s` (None for an invalid byte).
fn decode_utf8(s: &[u8]) -> (Option<char>, usize) {
    let len = match s.first() {
        Some(&b) if b < 0x80 => 1,
        Some(&b) if (0xc2..0xe0).contains(&b) => 2,
        Some(&b) if (0xe0..0xf0).contains(&b) => 3,
        Some(&b) if (0xf0..0xf5).contains(&b) => 4,
        _ => return (None, 1),
    };
    match s.get(..len).and_then(|b| std::str::from_utf8(b).ok()) {
        Some(st) => (st.chars().next(), len),
        None => (None, 1),
    }
}

/// Approximates Go's `unicode.IsPrint`: graphic characters and ASCII space.
fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f | 0x202a..=0x202e
        | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb | 0xe000..=0xf8ff | 0xfffe | 0xffff
        | 0xf0000..=0x10ffff | 0xe0001 | 0xe0020..=0xe007f)
}

/// Appends a Unix time as Go's `time.Time.Format(time.RFC3339Nano)` in UTC.
fn rfc3339_nano_utc(buf: &mut Vec<u8>, sec: i64, nsec: i64) {
    // Normalise as time.Unix does.
    let (mut sec, mut nsec) = (sec, nsec);
    if !(0..1_000_000_000).contains(&nsec) {
        sec = sec.wrapping_add(nsec.div_euclid(1_000_000_000));
        nsec = nsec.rem_euclid(1_000_000_000);
    }
    let days = sec.div_euclid(86_400);
    let secs = sec.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if (0..=9999).contains(&y) {
        let _ = write!(buf, "{y:04}");
    } else {
        let _ = write!(buf, "{y}");
    }
    let _ = write!(
        buf,
        "-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if nsec != 0 {
        let mut frac = format!("{nsec:09}");
        while frac.ends_with('0') {
            frac.pop();
        }
        let _ = write!(buf, ".{frac}");
    }
    buf.push(b'Z');
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Convenience for callers that print a string id quoted.
pub fn quoted(t: &Tables, id: StrId) -> String {
    let mut b = Vec::new();
    quote(&mut b, t.bytes(id));
    String::from_utf8_lossy(&b).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &[u8]) -> String {
        let mut b = Vec::new();
        quote(&mut b, s);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(q(b"plain"), "\"plain\"");
        assert_eq!(q(b"a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(q(b"\n\t\x00\x7f"), "\"\\n\\t\\x00\\x7f\"");
        assert_eq!(q(b"\xff"), "\"\\xff\"");
        assert_eq!(q("héllo ✓".as_bytes()), "\"héllo ✓\"");
        assert_eq!(q("\u{a0}".as_bytes()), "\"\\u00a0\"");
        assert_eq!(q("\u{feff}".as_bytes()), "\"\\ufeff\"");
    }

    #[test]
    fn formats_wall_clock() {
        let mut b = Vec::new();
        rfc3339_nano_utc(&mut b, 1_740_755_049, 123);
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "2025-02-28T15:04:09.000000123Z"
        );
        let mut b = Vec::new();
        rfc3339_nano_utc(&mut b, 0, 0);
        assert_eq!(String::from_utf8(b).unwrap(), "1970-01-01T00:00:00Z");
        let mut b = Vec::new();
        rfc3339_nano_utc(&mut b, 86_399, 500_000_000);
        assert_eq!(String::from_utf8(b).unwrap(), "1970-01-01T23:59:59.5Z");
    }
}
