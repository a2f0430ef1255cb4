//! The 16-byte file header: `go 1.<minor> trace` padded with NULs.

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
    let (minor, len) = crate::text::scan_header(data)?;
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
