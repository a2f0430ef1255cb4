//! One error type for every layer, saying where (byte offset, generation) and
//! what was expected. Parsing never panics on input; it returns one of these.

use std::fmt;

/// Which layer rejected the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not a Go trace, or a version we (and Go) do not read.
    Header,
    /// Framing, varints, sizes, tables: the bytes are malformed.
    Format,
    /// The file ends before the data it announced.
    Truncated,
    /// The events cannot be put in a valid order (scheduler state machine).
    Ordering,
    /// The input itself could not be read (a file or stream error).
    Io,
}

/// A parse error with its location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    /// Byte offset in the file where the problem was found, if known.
    pub offset: Option<u64>,
    /// Generation number being read, if any.
    pub generation: Option<u64>,
    /// What went wrong, in the words Go uses where Go has words for it.
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            offset: None,
            generation: None,
            message: message.into(),
        }
    }
    pub fn format(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Format, message)
    }
    pub fn truncated(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Truncated, message)
    }
    pub fn ordering(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Ordering, message)
    }
    pub fn at(mut self, offset: u64) -> Self {
        if self.offset.is_none() {
            self.offset = Some(offset);
        }
        self
    }
    /// Moves the offset by `base`: for errors found in a part of a file
    /// that starts at `base` (see `crate::stream`).
    pub fn shifted(mut self, base: u64) -> Self {
        self.offset = self.offset.map(|o| o + base);
        self
    }
    pub fn in_generation(mut self, gen: u64) -> Self {
        if self.generation.is_none() {
            self.generation = Some(gen);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line: the message may come from Go-compatible multi-line dumps.
        let first = self.message.lines().next().unwrap_or("");
        f.write_str(first)?;
        match (self.offset, self.generation) {
            (Some(o), Some(g)) => write!(f, " (at byte offset {o}, generation {g})"),
            (Some(o), None) => write!(f, " (at byte offset {o})"),
            (None, Some(g)) => write!(f, " (in generation {g})"),
            (None, None) => Ok(()),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
