//! The 16-byte file header: `go 1.<minor> trace` padded with NULs.

use super::spec::specs_len;
use crate::error::{Error, ErrorKind};

/// Length of the header of every trace we read.
pub const HEADER_LEN: usize = 16;

/// Trace format versions Go 1.27 reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// Old format (Go 1.11–1.18).
    Go111,
    /// Old format with CPU samples (Go 1.19–1.20).
    Go119,
    /// Old format with STW reasons (Go 1.21).
    Go121,
    /// New format (Go 1.22).
    Go122,
    /// New format with coroutine switches and experiments (Go 1.23–1.24).
    Go123,
    /// Sync batches and clock snapshots (Go 1.25).
    Go125,
    /// In-band end-of-generation markers (Go 1.26+).
    Go126,
}

impl Version {
    /// The minor number in the header (`go 1.<n> trace`).
    pub fn minor(self) -> u32 {
        match self {
            Version::Go111 => 11,
            Version::Go119 => 19,
            Version::Go121 => 21,
            Version::Go122 => 22,
            Version::Go123 => 23,
            Version::Go125 => 25,
            Version::Go126 => 26,
        }
    }

    pub fn from_minor(n: u64) -> Option<Version> {
        Some(match n {
            11 => Version::Go111,
            19 => Version::Go119,
            21 => Version::Go121,
            22 => Version::Go122,
            23 => Version::Go123,
            25 => Version::Go125,
            26 => Version::Go126,
            _ => return None,
        })
    }

    /// Whether this is the old (pre-1.22) format.
    pub fn is_v1(self) -> bool {
        self <= Version::Go121
    }
}

/// Parses the header at the start of `data`, as Go's `fmt.Fscanf` reads
/// it (so odd spacing and leading zeros are accepted like Go accepts them).
/// Returns the version and the header's length (16 for every real trace).
pub fn parse_header_len(data: &[u8]) -> Result<(Version, usize), Error> {
    let (minor, len) = scan_header(data)?;
    match Version::from_minor(u64::from(minor)) {
        Some(v) => Ok((v, len)),
        None => {
            let hint = if minor < 11 {
                " (traces from Go 1.10 and older are not supported by Go 1.23+ either)"
            } else {
                ""
            };
            Err(Error::new(
                ErrorKind::Header,
                format!("unknown or unsupported trace version go 1.{minor}{hint}"),
            )
            .at(0))
        }
    }
}

/// Parses the header at the start of `data`.
pub fn parse_header(data: &[u8]) -> Result<Version, Error> {
    parse_header_len(data).map(|(v, _)| v)
}

/// Byte length of a non-newline space (as Go's `fmt` scanner sees spaces) at
/// the start of `b`, if there is one.
fn scan_space(b: &[u8]) -> Option<usize> {
    match *b.first()? {
        b'\r' => (b.get(1) != Some(&b'\n')).then_some(1),
        b'\t' | 0x0b | 0x0c | b' ' => Some(1),
        0x00..=0x7f => None,
        _ => {
            let head = b.get(..b.len().min(4))?;
            let valid = match std::str::from_utf8(head) {
                Ok(s) => s,
                Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
            };
            let c = valid.chars().next()?;
            c.is_whitespace().then_some(c.len_utf8())
        }
    }
}

/// Reads the file header exactly as Go does (`fmt.Fscanf` with the format
/// `"go 1.%d trace\x00\x00\x00"`): a space in the format matches one or
/// more spaces, the number may be preceded by spaces and have leading zeros.
/// Returns the version number and the header's length in bytes.
pub fn scan_header(file: &[u8]) -> Result<(u32, usize), Error> {
    let bad = || {
        Error::new(
            ErrorKind::Header,
            "bad file format: not a Go execution trace?",
        )
        .at(0)
    };
    let spaces = |pos: &mut usize, at_least_one: bool| -> Result<(), Error> {
        let start = *pos;
        while let Some(n) = file.get(*pos..).and_then(scan_space) {
            *pos += n;
        }
        if at_least_one && *pos == start {
            return Err(bad());
        }
        Ok(())
    };
    let literal = |pos: &mut usize, lit: &[u8]| -> Result<(), Error> {
        if file.get(*pos..).is_some_and(|rest| rest.starts_with(lit)) {
            *pos += lit.len();
            Ok(())
        } else {
            Err(bad())
        }
    };
    let mut pos = 0;
    literal(&mut pos, b"go")?;
    spaces(&mut pos, true)?;
    literal(&mut pos, b"1.")?;
    spaces(&mut pos, false)?;
    let digits_start = pos;
    while file
        .get(pos)
        .is_some_and(|b| b.is_ascii_digit() || *b == b'_')
    {
        pos += 1;
    }
    let token = std::str::from_utf8(&file[digits_start..pos]).unwrap_or("");
    // Go's `strconv.ParseUint(token, 10, 32)`: digits only.
    let v: u32 = Some(token)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse().ok())
        .ok_or_else(bad)?;
    spaces(&mut pos, true)?;
    literal(&mut pos, b"trace\0\0\0")?;
    if specs_len(u64::from(v)).is_none() {
        return Err(Error::new(
            ErrorKind::Header,
            format!("unknown or unsupported trace version go 1.{v}"),
        )
        .at(0));
    }
    Ok((v, pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_headers() {
        assert_eq!(parse_header(b"go 1.22 trace\0\0\0"), Ok(Version::Go122));
        assert_eq!(parse_header(b"go 1.26 trace\0\0\0rest"), Ok(Version::Go126));
        assert_eq!(parse_header(b"go 1.11 trace\0\0\0"), Ok(Version::Go111));
    }

    #[test]
    fn rejects_others_by_name() {
        let e = parse_header(b"go 1.5 trace\0\0\0\0").unwrap_err();
        assert!(e.message.contains("go 1.5"), "{e}");
        let e = parse_header(b"go 1.24 trace\0\0\0").unwrap_err();
        assert!(e.message.contains("go 1.24"), "{e}");
        let e = parse_header(b"PK\x03\x04 not a trace").unwrap_err();
        assert!(e.message.contains("not a Go execution trace"), "{e}");
        assert!(parse_header(b"go 1.22 trace").is_err());
        assert!(parse_header(b"").is_err());
    }
}
