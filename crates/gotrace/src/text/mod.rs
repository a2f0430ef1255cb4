//! The text form of new-format traces, as used by Go's golden tests
//! (`src/internal/trace/testdata/tests/*.test`) and printed by
//! `go tool trace -d=wire`.
//!
//! * [`text_to_binary`]: the line-oriented text (`Trace Go1.22`, then one
//!   `Name arg=N ...` line per wire event, `pc=.. func=.. file=.. line=..`
//!   lines after a `Stack`, a `data="..."` line after a `String` or an
//!   `ExperimentalBatch`) to the binary wire format. Nothing is validated or
//!   recomputed beyond names and argument order: `size=` is copied verbatim,
//!   which is how broken traces are written down.
//! * [`parse_test_file`]: a golden test (a txtar archive with an `expect` and a
//!   `trace` section) to its expectation and binary trace.
//! * [`binary_to_text`]: the reverse direction, byte-for-byte what
//!   `go tool trace -d=wire` prints (events only, no header line).
//! * [`go_unquote`] / [`go_quote`]: Go's string literal syntax, used by the
//!   `data=` lines (and handy for Go's fuzz corpus files).
//!
//! Malformed input gives an [`Error`](crate::Error), never a panic.
//!
//! One file per job: `encode` (text → binary), `txtar` (golden test files),
//! `decode` (binary → text), `quote` (Go string literals). The header line
//! is scanned by [`crate::wire::header`].

mod decode;
mod encode;
mod quote;
#[cfg(test)]
mod tests;
mod txtar;

/// The header scanner, at its old path.
pub use crate::wire::header::scan_header;
pub use decode::{binary_to_text, binary_to_text_partial};
pub use encode::text_to_binary;
pub use quote::{go_quote, go_unquote};
pub use txtar::{parse_test_file, Expectation, GoldenTest};
