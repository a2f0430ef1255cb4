//! Go's string literal syntax (`strconv.Quote` / `strconv.Unquote`).

use crate::error::Error;

fn unhex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// Decodes one Go escape sequence or character at the start of `s` (which is
/// not the closing quote). Returns the bytes to append and the rest.
fn unquote_char<'a>(s: &'a str, quote: u8, out: &mut Vec<u8>) -> Option<&'a str> {
    let b = *s.as_bytes().first()?;
    if b == quote {
        return None;
    }
    if b != b'\\' {
        let c = s.chars().next()?;
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        return Some(&s[c.len_utf8()..]);
    }
    let bytes = s.as_bytes();
    let c = *bytes.get(1)?;
    let rest = &bytes[2..];
    let simple = match c {
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        b'\\' => Some(b'\\'),
        b'\'' | b'"' if c == quote => Some(c),
        _ => None,
    };
    if let Some(v) = simple {
        out.push(v);
        return Some(&s[2..]);
    }
    match c {
        b'x' | b'u' | b'U' => {
            let n = match c {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let digits = rest.get(..n)?;
            let mut v: u32 = 0;
            for &d in digits {
                v = (v << 4) | unhex(d)?;
            }
            if c == b'x' {
                out.push(v as u8);
            } else {
                let ch = char::from_u32(v)?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            Some(&s[2 + n..])
        }
        b'0'..=b'7' => {
            let mut v = u32::from(c - b'0');
            for &d in rest.get(..2)? {
                if !(b'0'..=b'7').contains(&d) {
                    return None;
                }
                v = (v << 3) | u32::from(d - b'0');
            }
            if v > 255 {
                return None;
            }
            out.push(v as u8);
            Some(&s[4..])
        }
        _ => None,
    }
}

/// Go's `strconv.Unquote`: a double-quoted (escapes `\n \t \\ \" \xNN
/// \uNNNN \UNNNNNNNN`, octal `\NNN`, ...), back-quoted (raw; `\r` dropped)
/// or single-quoted (one character) Go literal, to the bytes it denotes.
pub fn go_unquote(s: &str) -> Result<Vec<u8>, Error> {
    let syntax = || {
        Error::format(format!(
            "invalid Go string literal: {}",
            go_quote(s.as_bytes())
        ))
    };
    let bytes = s.as_bytes();
    if bytes.len() < 2 {
        return Err(syntax());
    }
    let quote = bytes[0];
    match quote {
        b'`' => {
            let inner = &s[1..];
            let end = inner.find('`').ok_or_else(syntax)?;
            if end + 2 != s.len() {
                return Err(syntax());
            }
            Ok(inner[..end].bytes().filter(|&b| b != b'\r').collect())
        }
        b'"' | b'\'' => {
            let mut out = Vec::with_capacity(s.len());
            let mut rest = &s[1..];
            while let Some(&b) = rest.as_bytes().first() {
                if b == quote {
                    break;
                }
                if b == b'\n' {
                    return Err(syntax());
                }
                rest = unquote_char(rest, quote, &mut out).ok_or_else(syntax)?;
                if quote == b'\'' {
                    break;
                }
            }
            // Must end with the closing quote and nothing after it.
            if rest.len() != 1 || rest.as_bytes()[0] != quote {
                return Err(syntax());
            }
            Ok(out)
        }
        _ => Err(syntax()),
    }
}

/// Whether Go's `strconv.IsPrint` holds for a non-ASCII character: letters,
/// marks, numbers, punctuation and symbols. Rust's debug escaping uses the
/// same rule (everything but separators, controls, format, surrogate,
/// private-use and unassigned code points); a leading character guards
/// against its special treatment of a string's first grapheme extender.
fn is_print_non_ascii(c: char) -> bool {
    let mut buf = [0u8; 8];
    buf[0] = b'x';
    let n = 1 + c.encode_utf8(&mut buf[1..]).len();
    let s = std::str::from_utf8(&buf[..n]).unwrap_or("x");
    s.escape_debug().eq(s.chars())
}

/// Go's `strconv.Quote` of arbitrary bytes: a double-quoted literal with
/// non-printable characters and invalid UTF-8 escaped.
pub fn go_quote(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                ' '..='~' => out.push(c),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\x0b' => out.push_str("\\v"),
                '\0'..='\x1f' | '\x7f' => {
                    let b = c as u8;
                    out.push_str("\\x");
                    out.push(HEX[usize::from(b >> 4)] as char);
                    out.push(HEX[usize::from(b & 15)] as char);
                }
                _ if is_print_non_ascii(c) => out.push(c),
                _ => {
                    let v = c as u32;
                    let (prefix, width) = if v < 0x10000 { ("\\u", 4) } else { ("\\U", 8) };
                    out.push_str(prefix);
                    for i in (0..width).rev() {
                        out.push(HEX[((v >> (4 * i)) & 15) as usize] as char);
                    }
                }
            }
        }
        for &b in chunk.invalid() {
            out.push_str("\\x");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out.push('"');
    out
}
