//! The bytes layer: header, varints, batch framing and the event vocabulary.

pub mod batch;
pub mod header;
pub mod spec;
pub mod varint;

pub use header::{parse_header, parse_header_len, Version, HEADER_LEN};
