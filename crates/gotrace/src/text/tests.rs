use super::*;

const SIMPLE: &str = "\
Trace Go1.22
EventBatch gen=1 m=0 time=0 size=15
ProcStatus dt=1 p=0 pstatus=1
GoStatus dt=1 g=1 m=0 gstatus=2
GoSyscallBegin dt=1 p_seq=1 stack=0
GoSyscallEndBlocked dt=1
EventBatch gen=1 m=18446744073709551615 time=0 size=5
Frequency freq=15625000
EventBatch gen=1 m=18446744073709551615 time=0 size=1
Stacks
EventBatch gen=1 m=18446744073709551615 time=0 size=1
Strings
";

#[test]
fn encodes_header_and_events() {
    let b = text_to_binary(SIMPLE).unwrap();
    assert_eq!(&b[..16], b"go 1.22 trace\0\0\0");
    // EventBatch gen=1 m=0 time=0 size=15, then the batch payload.
    assert_eq!(&b[16..21], &[1, 1, 0, 0, 15]);
    assert_eq!(&b[21..25], &[13, 1, 0, 1]);
    let nothread = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    let i = 21 + 15;
    assert_eq!(&b[i..i + 2], &[1, 1]);
    assert_eq!(&b[i + 2..i + 12], &nothread);
    assert_eq!(&b[i + 12..i + 14], &[0, 5]);
    assert_eq!(&b[i + 14..i + 19], &[8, 0xa8, 0xd6, 0xb9, 0x07]);
    assert_eq!(b.last(), Some(&4u8));
}

#[test]
fn round_trips_through_wire_text() {
    let b = text_to_binary(SIMPLE).unwrap();
    let text = binary_to_text(&b).unwrap();
    assert_eq!(text, SIMPLE.split_once('\n').unwrap().1);
    assert_eq!(text_to_binary(&format!("Trace Go1.22\n{text}")).unwrap(), b);
}

#[test]
fn stacks_strings_and_comments() {
    let src = "\
# leading comment

Trace Go1.23
EventBatch gen=1 m=18446744073709551615 time=0 size=0
Stacks
   # indented comment
Stack id=1 nframes=2
\tpc=4 func=1 file=2 line=10
\tpc=5 func=3 file=2 line=20
Strings
String id=1
\tdata=\"main.f\\n\\x00\\u00e9\\101\"
ExperimentalBatch exp=1 gen=1 m=3 time=4
data=`raw\\`
";
    let b = text_to_binary(src).unwrap();
    assert_eq!(&b[..16], b"go 1.23 trace\0\0\0");
    let text = binary_to_text(&b).unwrap();
    let want = "\
EventBatch gen=1 m=18446744073709551615 time=0 size=0
Stacks
Stack id=1 nframes=2
\tpc=4 func=1 file=2 line=10
\tpc=5 func=3 file=2 line=20
Strings
String id=1
\tdata=\"main.f\\n\\x00éA\"
ExperimentalBatch exp=1 gen=1 m=3 time=4
\tdata=\"raw\\\\\"
";
    assert_eq!(text, want);
}

#[test]
fn rejects_malformed_text() {
    let cases = [
        ("", "header"),
        ("Trace Go1.24\n", "unsupported"),
        ("Trace Go1.22 x\n", "non-space"),
        ("Trace\n", "Go version"),
        ("Trace Go1.22\nNope dt=1\n", "unidentified event"),
        (
            "Trace Go1.22\nGoSwitch dt=1 g=1 g_seq=1\n",
            "unidentified event",
        ),
        ("Trace Go1.22\nProcStop\n", "no argument"),
        ("Trace Go1.22\nProcStop dt=1 x=2\n", "non-space"),
        ("Trace Go1.22\nProcStop dt=1 # comment\n", "non-space"),
        ("Trace Go1.22\nProcStop t=1\n", "expected argument"),
        ("Trace Go1.22\nProcStop dt=-1\n", "failed to parse"),
        (
            "Trace Go1.22\nProcStop dt=18446744073709551616\n",
            "failed to parse",
        ),
        ("Trace Go1.22\nProcStop dt\n", "malformed argument"),
        ("Trace Go1.22\nStack id=1 nframes=1\n", "frames"),
        (
            "Trace Go1.22\nStack id=1 nframes=1\npc=1 func=2 file=3\n",
            "no argument",
        ),
        ("Trace Go1.22\nString id=1\n", "data"),
        ("Trace Go1.22\nString id=1\ndatum=\"x\"\n", "malformed data"),
        (
            "Trace Go1.22\nString id=1\ndata=\"x\n",
            "failed to parse data",
        ),
        (
            "Trace Go1.22\nString id=1\ndata=\"\\q\"\n",
            "failed to parse data",
        ),
    ];
    for (src, want) in cases {
        let e = text_to_binary(src).unwrap_err();
        assert!(e.message.contains(want), "{src:?}: {e}");
    }
}

#[test]
fn odd_but_valid_text() {
    // CRLF line ends, unicode spaces, no final newline, huge frame counts.
    let b = text_to_binary(
        "Trace Go1.22\r\n\u{a0}ProcStop\u{2003}dt=7\r\nStack id=1 nframes=18446744073709551615",
    )
    .unwrap();
    assert_eq!(
        &b[16..],
        &[11, 7, 3, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
    // Old-format versions are known but have no vocabulary.
    assert_eq!(
        text_to_binary("Trace Go1.21\n").unwrap(),
        b"go 1.21 trace\0\0\0"
    );
    assert!(text_to_binary("Trace Go1.21\nProcStop dt=1\n").is_err());
    // Experimental events exist only from version 26 in the text vocabulary.
    assert!(text_to_binary("Trace Go1.26\nSpan dt=1 id=2 npages_value=3 kindclass=4\n").is_ok());
    assert!(text_to_binary("Trace Go1.25\nSpan dt=1 id=2 npages_value=3 kindclass=4\n").is_err());
}

#[test]
fn unquotes_like_go() {
    let ok: &[(&str, &[u8])] = &[
        (r#""""#, b""),
        (r#""a\"b\\c""#, b"a\"b\\c"),
        (r#""\a\b\f\n\r\t\v""#, b"\x07\x08\x0c\n\r\t\x0b"),
        (r#""\xff\x00\377\000""#, b"\xff\x00\xff\x00"),
        (r#""\u00e9\U0001F600""#, "é😀".as_bytes()),
        ("\"ߕ\"", "ߕ".as_bytes()),
        ("`a\\n\r`", b"a\\n"),
        ("'x'", b"x"),
        (r"'\''", b"'"),
        ("''", b""),
    ];
    for (s, want) in ok {
        assert_eq!(go_unquote(s).as_deref(), Ok(*want), "{s}");
    }
    for s in [
        "",
        "\"",
        "x",
        "\"abc",
        "\"a\"b\"",
        r#""\'""#,
        r#""\400""#,
        r#""\x4""#,
        r#""\ud800""#,
        r#""\U00110000""#,
        r#""\8""#,
        "\"a\nb\"",
        "`a`b`",
        "'ab'",
        r#"'\"'"#,
        r#""\"#,
    ] {
        assert!(go_unquote(s).is_err(), "{s:?}");
    }
}

#[test]
fn quotes_like_go() {
    assert_eq!(go_quote(b"plain text/file.go"), r#""plain text/file.go""#);
    assert_eq!(go_quote(b"a\"b\\c'"), r#""a\"b\\c'""#);
    assert_eq!(
        go_quote(b"\x07\x08\x0c\n\r\t\x0b\x00\x1f\x7f"),
        r#""\a\b\f\n\r\t\v\x00\x1f\x7f""#
    );
    assert_eq!(go_quote(b"\xff\xed\xa0\x80z"), r#""\xff\xed\xa0\x80z""#);
    assert_eq!(
        go_quote("é😀\u{301}\u{fffd}".as_bytes()),
        "\"é😀\u{301}\u{fffd}\""
    );
    assert_eq!(
        go_quote("\u{a0}\u{200b}\u{e000}\u{f0000}\u{85}".as_bytes()),
        r#""\u00a0\u200b\ue000\U000f0000\u0085""#
    );
    for b in [&b"\xc3"[..], b"\xe2\x82", b"x\xf0\x9f\x98"] {
        assert_eq!(go_unquote(&go_quote(b)).unwrap(), b);
    }
}

#[test]
fn quotes_unicode_like_go_1_27() {
    // Printed by go1.27.3 `go tool trace -d=wire` for `a<c>b` data.
    let cases: &[(char, &str)] = &[
        ('\u{301}', "\u{301}"),
        ('\u{ad}', "\\u00ad"),
        ('\u{2028}', "\\u2028"),
        ('\u{feff}', "\\ufeff"),
        ('\u{378}', "\\u0378"),
        ('\u{1c89}', "\u{1c89}"),
        ('\u{1fae9}', "\u{1fae9}"),
        ('\u{600}', "\\u0600"),
        ('\u{61c}', "\\u061c"),
        ('\u{3000}', "\\u3000"),
        ('\u{1680}', "\\u1680"),
        ('\u{e0001}', "\\U000e0001"),
        ('\u{10ffff}', "\\U0010ffff"),
        ('\u{fffd}', "\u{fffd}"),
        ('\u{200d}', "\\u200d"),
        ('\u{e31}', "\u{e31}"),
        ('\u{16d40}', "\u{16d40}"),
        ('\u{1cc00}', "\u{1cc00}"),
        ('\u{897}', "\u{897}"),
        ('\u{11f00}', "\u{11f00}"),
    ];
    for &(c, want) in cases {
        let got = go_quote(format!("a{c}b").as_bytes());
        let want = if want.starts_with('\\') {
            format!("\"a{want}b\"")
        } else {
            format!("\"a{c}b\"")
        };
        assert_eq!(got, want, "U+{:04X}", c as u32);
    }
}

#[test]
fn wire_text_errors_and_clean_ends() {
    let mut b = b"go 1.22 trace\0\0\0".to_vec();
    assert_eq!(binary_to_text(&b).unwrap(), "");
    b.extend_from_slice(&[1, 1, 0]);
    // Truncated at an argument boundary: Go sees a plain EOF and stops quietly.
    assert_eq!(binary_to_text(&b).unwrap(), "");
    let mut mid = b.clone();
    mid.push(0x80);
    assert_eq!(binary_to_text(&mid).unwrap_err().message, "unexpected EOF");
    b.extend_from_slice(&[0, 2, 11, 5]);
    assert_eq!(
        binary_to_text(&b).unwrap(),
        "EventBatch gen=1 m=0 time=0 size=2\nProcStop dt=5\n"
    );
    b.push(45); // GoSwitch is not in version 22.
    let (text, e) = binary_to_text_partial(&b);
    assert_eq!(text, "EventBatch gen=1 m=0 time=0 size=2\nProcStop dt=5\n");
    assert_eq!(e.unwrap().message, "invalid event type: 45");
    let mut over = b"go 1.22 trace\0\0\0\x0b".to_vec();
    over.extend_from_slice(&[0xff; 10]);
    assert!(binary_to_text(&over)
        .unwrap_err()
        .message
        .contains("overflows"));
    let mut nine = b"go 1.22 trace\0\0\0\x0b".to_vec();
    nine.extend_from_slice(&[0xff; 9]);
    assert_eq!(binary_to_text(&nine).unwrap_err().message, "unexpected EOF");
    assert!(binary_to_text(b"go 1.24 trace\0\0\0").is_err());
    assert!(binary_to_text(b"not a trace").is_err());
    // Version 26 has unnamed holes: an empty line, no arguments.
    assert_eq!(
        binary_to_text(b"go 1.26 trace\0\0\0\x3c\x34").unwrap(),
        "\nEndOfGeneration\n"
    );
    // Old-format traces have no wire vocabulary.
    assert!(binary_to_text(b"go 1.21 trace\0\0\0\x01").is_err());
    // Data longer than the file: a clean end; empty data prints no data line.
    assert_eq!(
        binary_to_text(b"go 1.22 trace\0\0\0\x05\x01\x09ab").unwrap(),
        ""
    );
    assert_eq!(
        binary_to_text(b"go 1.22 trace\0\0\0\x05\x01\x00").unwrap(),
        "String id=1\n"
    );
    let mut huge = b"go 1.22 trace\0\0\0\x05\x01".to_vec();
    huge.extend_from_slice(&[
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00,
    ]);
    let (text, e) = binary_to_text_partial(&huge);
    assert_eq!(text, "String id=1\n");
    assert_eq!(e.unwrap().message, "invalid event type: 0");
}

#[test]
fn scans_headers_like_fmt_fscanf() {
    let ok: &[(&[u8], u32, usize)] = &[
        (b"go 1.22 trace\0\0\0rest", 22, 16),
        (b"go 1.022 trace\0\0\0", 22, 17),
        (b"go 1. 22 trace\0\0\0", 22, 17),
        (b"go  1.22  trace\0\0\0", 22, 18),
        (b"go\t1.22\ttrace\0\0\0", 22, 16),
        (b"go 1.22 \xc2\xa0trace\0\0\0", 22, 18),
        (b"go 1.\r22 trace\0\0\0", 22, 17),
        (b"go 1.11 trace\0\0\0", 11, 16),
    ];
    for &(h, v, n) in ok {
        assert_eq!(
            scan_header(h).ok(),
            Some((v, n)),
            "{:?}",
            String::from_utf8_lossy(h)
        );
    }
    for h in [
        &b"go 1.22trace\0\0\0"[..],
        b"go 1.+22 trace\0\0\0",
        b"go 1.22 trace\0\0",
        b"go 1.2_2 trace\0\0\0",
        b"go 1.\n22 trace\0\0\0",
        b"go 1.4294967318 trace\0\0\0",
        b"go 1.22\r\ntrace\0\0\0",
        b"go\n1.22 trace\0\0\0",
        b"go 1.0x16 trace\0\0\0",
        b"",
        b"go 1.",
    ] {
        let e = scan_header(h).unwrap_err();
        assert!(
            e.message.contains("not a Go execution trace"),
            "{:?}",
            String::from_utf8_lossy(h)
        );
    }
    let e = scan_header(b"go 1.24 trace\0\0\0").unwrap_err();
    assert_eq!(e.message, "unknown or unsupported trace version go 1.24");
}

#[test]
fn parses_golden_test_files() {
    let src = "comment\n-- expect --\nFAILURE \".*expected a proc\\\\b.*\"\n-- trace --\nTrace Go1.22\nEventBatch gen=1 m=0 time=0 size=1\nProcStop dt=1\n";
    let t = parse_test_file(src).unwrap();
    assert_eq!(
        t.expect,
        Expectation::Failure(".*expected a proc\\b.*".into())
    );
    assert_eq!(t.version, 22);
    assert_eq!(&t.trace[16..], &[1, 1, 0, 0, 1, 11, 1]);
    let ok = parse_test_file("-- expect --\nSUCCESS\n-- trace --\nTrace Go1.25\n").unwrap();
    assert_eq!(ok.expect, Expectation::Success);
    assert_eq!(ok.trace, b"go 1.25 trace\0\0\0");
    for bad in [
        "",
        "-- expect --\nSUCCESS\n",
        "-- trace --\nTrace Go1.22\n-- expect --\nSUCCESS\n",
        "-- expect --\nMAYBE\n-- trace --\nTrace Go1.22\n",
        "-- expect --\nFAILURE\n-- trace --\nTrace Go1.22\n",
        "-- expect --\nFAILURE \"x\n-- trace --\nTrace Go1.22\n",
        "-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\nBogus\n",
        "-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\n-- extra --\n",
    ] {
        assert!(parse_test_file(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn never_panics_on_junk() {
    // A cheap deterministic fuzz of both directions.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let base = text_to_binary(SIMPLE).unwrap();
    for _ in 0..2000 {
        let mut b = base.clone();
        for _ in 0..(rnd() % 4 + 1) {
            let i = (rnd() as usize) % b.len();
            b[i] = rnd() as u8;
        }
        b.truncate((rnd() as usize) % (b.len() + 1));
        let _ = binary_to_text_partial(&b);
        let s = String::from_utf8_lossy(&b).into_owned();
        let _ = text_to_binary(&s);
        let _ = parse_test_file(&s);
        let _ = go_unquote(&s);
        let _ = go_quote(&b);
    }
    let alphabet = [
        "\\", "\"", "`", "'", "x", "u", "U", "0", "7", "9", "f", "\n", "é", "=",
    ];
    for _ in 0..2000 {
        let n = rnd() % 12;
        let s: String = (0..n)
            .map(|_| alphabet[(rnd() as usize) % alphabet.len()])
            .collect();
        let _ = go_unquote(&s);
        let _ = go_unquote(&format!("\"{s}\""));
    }
}
