//! Text that came from outside (a trace's strings, a file name, a host page's
//! message) made safe to show: control characters and bidi controls are
//! written as escapes, the way Go's `%q` writes them, so `a\u{202e}gnp.exe`
//! shows as `a\u202egnp.exe` instead of reordering what follows it; and the
//! text is cut to a length with an ellipsis. Such text is always set as text
//! (never parsed as HTML) by the callers; this keeps it readable and in its box.

/// Characters that change how the text around them is ordered or shown.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// `s` with control, bidi and invisible format characters escaped (`\n`,
/// `\t`, `\x07`, `\u202e`), cut to at most `max_chars` characters (an
/// escape counts for its length) with a trailing `…` when cut.
pub fn visible(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars * 4));
    let mut n = 0usize;
    for c in s.chars() {
        let piece: std::borrow::Cow<'static, str> = match c {
            '\n' => "\\n".into(),
            '\r' => "\\r".into(),
            '\t' => "\\t".into(),
            c if (c as u32) < 0x20 || c == '\u{7f}' => format!("\\x{:02x}", c as u32).into(),
            c if c.is_control()
                || is_bidi_control(c)
                || matches!(c, '\u{200b}'..='\u{200d}' | '\u{feff}') =>
            {
                format!("\\u{:04x}", c as u32).into()
            }
            c => {
                if n + 1 > max_chars {
                    out.push('…');
                    return out;
                }
                out.push(c);
                n += 1;
                continue;
            }
        };
        let len = piece.chars().count();
        if n + len > max_chars {
            out.push('…');
            return out;
        }
        out.push_str(&piece);
        n += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn escapes_bidi_and_controls() {
        assert_eq!(visible("a\u{202e}gnp.exe", 100), "a\\u202egnp.exe");
        assert_eq!(visible("x\ny\tz\u{7}", 100), "x\\ny\\tz\\x07");
        assert_eq!(visible("\u{2066}iso\u{2069}", 100), "\\u2066iso\\u2069");
        assert_eq!(visible("zero\u{200b}width", 100), "zero\\u200bwidth");
        assert_eq!(visible("plain ünïcödé 日本", 100), "plain ünïcödé 日本");
    }

    #[test]
    fn cuts_with_an_ellipsis() {
        assert_eq!(visible("abcdef", 3), "abc…");
        assert_eq!(visible("abc", 3), "abc");
        assert_eq!(visible("ab\u{202e}", 4), "ab…");
        assert_eq!(visible(&"x".repeat(40_000), 10).chars().count(), 11);
    }
}
