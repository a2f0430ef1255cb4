//! What a file is, from its first bytes, so that a file that is not a Go
//! execution trace gets a message naming what it is ("a ZIP archive", "a
//! Perfetto/Catapult JSON trace") instead of one "not a Go execution trace"
//! for everything, and a gzip-compressed trace (`trace.out.gz`, common in bug
//! reports) can be recognised and decompressed first.

/// The kinds of file people drop on a trace viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Starts with a Go execution trace header (`go 1.NN trace`).
    GoTrace,
    /// Nothing in it.
    Empty,
    /// gzip-compressed (decompress, then look again).
    Gzip,
    /// zstd-compressed.
    Zstd,
    /// A ZIP archive.
    Zip,
    /// An image.
    Png,
    Jpeg,
    Pdf,
    /// JSON with `traceEvents` or an array of events: Chrome/Catapult/Perfetto JSON.
    TraceEventJson,
    /// Other JSON.
    Json,
    /// Text (e.g. `go tool trace -d` output, a log).
    Text,
    /// Something else.
    Unknown,
}

/// Sniffs `head`, the first bytes of a file (64 or more for the JSON check).
pub fn sniff(head: &[u8]) -> FileKind {
    if head.is_empty() {
        return FileKind::Empty;
    }
    if head.starts_with(b"go 1.") {
        return FileKind::GoTrace;
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        return FileKind::Gzip;
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return FileKind::Zstd;
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return FileKind::Zip;
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return FileKind::Png;
    }
    if head.starts_with(&[0xff, 0xd8, 0xff]) {
        return FileKind::Jpeg;
    }
    if head.starts_with(b"%PDF-") {
        return FileKind::Pdf;
    }
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let trimmed = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&text[..0], |i| &text[i..]);
    if trimmed.starts_with(b"{") || trimmed.starts_with(b"[") {
        let looks_like_events = contains(trimmed, b"\"traceEvents\"")
            || (trimmed.starts_with(b"[")
                && contains(trimmed, b"\"ph\"")
                && contains(trimmed, b"\"ts\""));
        return if looks_like_events {
            FileKind::TraceEventJson
        } else {
            FileKind::Json
        };
    }
    let printable = text
        .iter()
        .filter(|&&b| {
            b == b'\n' || b == b'\r' || b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80
        })
        .count();
    if printable * 100 >= text.len() * 95 {
        return FileKind::Text;
    }
    FileKind::Unknown
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A sentence for a file of `kind` that was given as a Go execution trace
/// (`None` for [`FileKind::GoTrace`] and [`FileKind::Gzip`], which are read).
pub fn not_a_trace(kind: FileKind) -> Option<&'static str> {
    Some(match kind {
        FileKind::GoTrace | FileKind::Gzip => return None,
        FileKind::Empty => "The file is empty (0 bytes): the trace was not written, or not copied whole.",
        FileKind::Zstd => "This is a zstd-compressed file: decompress it (zstd -d) and open the trace inside.",
        FileKind::Zip => "This is a ZIP archive, not a Go execution trace: unzip it and open the trace file inside.",
        FileKind::Png | FileKind::Jpeg => "This is an image, not a Go execution trace.",
        FileKind::Pdf => "This is a PDF document, not a Go execution trace.",
        FileKind::TraceEventJson => {
            "This is a JSON trace (Chrome/Catapult/Perfetto trace-event format), not a Go execution trace: open it in Perfetto UI. Go writes binary traces (runtime/trace, go test -trace)."
        }
        FileKind::Json => "This is a JSON file, not a Go execution trace (Go writes binary traces: runtime/trace, go test -trace).",
        FileKind::Text => {
            "This is a text file, not a Go execution trace (a binary file that starts with \"go 1.NN trace\"): was it `go tool trace -d` output or a log?"
        }
        FileKind::Unknown => {
            "This is not a Go execution trace: it does not start with \"go 1.NN trace\". Record one with runtime/trace.Start, go test -trace or /debug/pprof/trace."
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(sniff(b""), FileKind::Empty);
        assert_eq!(sniff(b"go 1.23 trace\x00\x00\x00"), FileKind::GoTrace);
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]), FileKind::Gzip);
        assert_eq!(sniff(b"PK\x03\x04rest"), FileKind::Zip);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), FileKind::Png);
        assert_eq!(
            sniff(b"  {\"traceEvents\": [{\"ph\":\"X\"}]}"),
            FileKind::TraceEventJson
        );
        assert_eq!(
            sniff(b"[{\"name\":\"a\",\"ph\":\"B\",\"ts\":1}]"),
            FileKind::TraceEventJson
        );
        assert_eq!(sniff(b"{\"a\": 1}"), FileKind::Json);
        assert_eq!(sniff(b"hello, this is not a trace\n"), FileKind::Text);
        assert_eq!(sniff(&[0, 1, 2, 3, 250, 251, 0, 0]), FileKind::Unknown);
    }

    #[test]
    fn every_non_trace_kind_has_a_message_and_traces_have_none() {
        assert!(not_a_trace(FileKind::GoTrace).is_none());
        assert!(not_a_trace(FileKind::Gzip).is_none());
        for k in [
            FileKind::Empty,
            FileKind::Zip,
            FileKind::Png,
            FileKind::TraceEventJson,
            FileKind::Json,
            FileKind::Text,
        ] {
            assert!(not_a_trace(k).is_some_and(|m| m.len() > 20), "{k:?}");
        }
    }
}
